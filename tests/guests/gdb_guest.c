// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_guest: the guest gdb debugs in tests/gdb.sh, a 64-bit ELF that
 * keeps its symbols and line numbers.  _start() calls bump() three times,
 * which adds its argument to counter (0, 1, 3, 6: the variable gdb
 * watches), then hands counter to finish(), which writes it to the exit
 * device: vtxctl's status is (6 << 1) | 1 = 13, unless gdb changed
 * finish()'s argument register on the way.  Before finish() it executes
 * an INT3 of its own, which its IDT's handler counts in own_bps: a stub
 * that took it for one of gdb's would stop there instead.  Built without
 * optimisation, so that each source line is its own instructions.
 */
#define EXIT_PORT	0xf4

volatile unsigned long counter, own_bps;

/* The #BP handler: count, and return after the INT3. */
void own_bp_entry(void);
__asm__(".pushsection .text\n"
	".globl own_bp_entry\n"
	"own_bp_entry:\n\t"
	"incq own_bps(%rip)\n\t"
	"iretq\n"
	".popsection");

/* An IDT with vector 3 only: a 64-bit interrupt gate (SDM 6.14.1). */
static unsigned long long idt[4][2] __attribute__((aligned(16)));

static void set_idt(void)
{
	unsigned long long h = (unsigned long long)own_bp_entry;
	unsigned short cs;
	struct __attribute__((packed)) {
		unsigned short limit;
		unsigned long long base;
	} idtr = { sizeof(idt) - 1, (unsigned long long)idt };

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	idt[3][0] = (h & 0xffff) | (unsigned long long)cs << 16 |
		    0x8eULL << 40 | (h & 0xffff0000ULL) << 32;
	idt[3][1] = h >> 32;
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

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

	set_idt();
	for (i = 1; i <= 3; i++)
		bump(i);
	__asm__ volatile("int3" : : : "memory");
	finish(counter);
}
