// SPDX-License-Identifier: GPL-2.0
/*
 * rdtsc: print the time-stamp counter in decimal and a newline.  Runs as
 * a program of the Linux guest that linux_boot.sh boots under 'vtxctl
 * run': vtxhv starts a VM's TSC near zero, so this is the number of ticks
 * since the VM was created.  Freestanding (no libc): raw system calls.
 */
static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

void _start(void)
{
	unsigned int lo, hi;
	unsigned long long t;
	char buf[24];
	int i = sizeof(buf);

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	t = (unsigned long long)hi << 32 | lo;
	buf[--i] = '\n';
	do {
		buf[--i] = '0' + t % 10;
		t /= 10;
	} while (t);
	sys3(1, 1, (long)(buf + i), sizeof(buf) - i);	/* write */
	sys3(60, 0, 0, 0);				/* exit */
	for (;;)
		;
}
