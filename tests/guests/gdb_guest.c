// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_guest: the guest gdb debugs in tests/gdb.sh, a 64-bit ELF that
 * keeps its symbols and line numbers.  _start() calls bump() three times,
 * which adds its argument to counter (0, 1, 3, 6: the variable gdb
 * watches), then hands counter to finish(), which writes it to the exit
 * device: vtxctl's status is (6 << 1) | 1 = 13, unless gdb changed
 * finish()'s argument register on the way.  Built without optimisation,
 * so that each source line is its own instructions.
 */
#define EXIT_PORT	0xf4

volatile unsigned long counter;

void __attribute__((noinline)) bump(unsigned long n)
{
	unsigned long old = counter;

	counter = old + n;
}

void __attribute__((noinline, noreturn)) finish(unsigned int code)
{
	__asm__ volatile("outb %b0, %w1" : : "a"(code), "Nd"(EXIT_PORT));
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Entered in long mode, identity-mapped, RSP at the top of RAM. */
void __attribute__((noreturn)) _start(void)
{
	unsigned long i;

	for (i = 1; i <= 3; i++)
		bump(i);
	finish(counter);
}
