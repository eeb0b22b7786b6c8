// SPDX-License-Identifier: GPL-2.0
/*
 * forkloop N PAGES: the shadow-paging trade-off (docs/shadow-paging.md)
 * on a Linux guest.  N times: fork; the child writes one byte to each of
 * PAGES pages the parent has touched (each a copy-on-write fault, so the
 * guest kernel rewrites PTEs of both processes) and exits; the parent
 * waits.  Every iteration switches address space at least twice, and
 * PAGES sets how many page-table writes each switch brings.  Prints
 * "forkloop PAGES TICKS" with the guest's RDTSC ticks per iteration.
 * Freestanding (no libc): raw system calls, as rdtsc.c.
 */
#define MAX_PAGES	256

static char buf[MAX_PAGES * 4096] __attribute__((aligned(4096)));

static long sys4(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

static unsigned long long rdtsc(void)
{
	unsigned int lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

static unsigned long number(const char *s)
{
	unsigned long n = 0;

	while (*s >= '0' && *s <= '9')
		n = n * 10 + (*s++ - '0');
	return n;
}

static int put(char *p, unsigned long long v)
{
	char t[24];
	int i = 0, n = 0;

	do {
		t[i++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (i)
		p[n++] = t[--i];
	return n;
}

static void __attribute__((noreturn)) quit(int status)
{
	for (;;)
		sys4(60, status, 0, 0, 0);	/* exit */
}

void start_c(long *sp);
void start_c(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	unsigned long n, pages, i, p;
	unsigned long long t0, t1;
	char line[80];
	int len = 0, status;
	long pid;

	if (argc != 3) {
		sys4(1, 2, (long)"usage: forkloop N PAGES\n", 23, 0);
		quit(2);
	}
	n = number(argv[1]);
	pages = number(argv[2]);
	if (!n || pages > MAX_PAGES)
		quit(2);
	for (p = 0; p < pages; p++)	/* the parent's own copies */
		buf[p * 4096] = 1;
	t0 = rdtsc();
	for (i = 0; i < n; i++) {
		pid = sys4(57, 0, 0, 0, 0);	/* fork */
		if (pid < 0)
			quit(1);
		if (!pid) {
			for (p = 0; p < pages; p++)
				((volatile char *)buf)[p * 4096] = 2;
			quit(0);
		}
		if (sys4(61, pid, (long)&status, 0, 0) != pid)	/* wait4 */
			quit(1);
	}
	t1 = rdtsc();
	for (; "forkloop "[len]; len++)
		line[len] = "forkloop "[len];
	len += put(line + len, pages);
	line[len++] = ' ';
	len += put(line + len, (t1 - t0) / n);
	line[len++] = '\n';
	sys4(1, 1, (long)line, len, 0);	/* write */
	quit(0);
}

__asm__(".text\n.globl _start\n_start:\n"
	" mov %rsp, %rdi\n and $-16, %rsp\n call start_c\n hlt\n");
