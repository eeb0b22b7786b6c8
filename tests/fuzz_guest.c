// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_guest: a seeded guest fuzzer, once in each paging mode (ept, vtlb,
 * shadow).  The guest, with a handler on every vector, does random things
 * whose outcome it can check itself:
 *
 *  - writes CR0 and CR4 with bits flipped (any bit, the dangerous ones
 *    too), reads them back, touches memory, and restores them;
 *  - XSETBV with random values: an invalid XCR0 must raise #GP, a valid
 *    one must read back and survive an exit;
 *  - XRSTOR of random bytes (#GP when invalid); a state it accepted must
 *    come back unchanged from an exit (the host's FPU switching);
 *  - writes entries of its own page tables (a private address space, so
 *    its code stays mapped) with MOV, a 32-bit MOV, XCHG, LOCK CMPXCHG,
 *    AND+OR, MOVNTI, REP STOSQ, upper levels too, then INVLPG or a CR3
 *    reload, and reads and writes through them: data as the identity map
 *    shows it, #PF with the architectural error code and CR2 otherwise,
 *    accessed and dirty bits set.
 *
 * Each iteration draws from its own seed (the run's seed and its number),
 * so any iteration repeats alone.  A run ends with the guest done, or with
 * a documented VTXHV_EXIT_* reason (printed; the next VM goes on from the
 * following iteration); VTXHV_RUN must not fail, and nothing may be left
 * in vtxhv/counts afterwards.
 *
 *   fuzz_guest [ITERATIONS [SEED [MODE...]]]
 *   (or VTXHV_FUZZ_ITERS, VTXHV_FUZZ_SEED; defaults 1500 and 1)
 *
 * Runs in the harden boot of tests/vm-suites.  What it found in vtxhv:
 * in the shadow modes a guest could clear CR0.PG in 64-bit code and go on
 * as 16-bit code (now #GP, as on hardware).
 */
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define NPAGES		16		/* the private address space */
#define NONE		0xff
#define DEFAULT_ITERS	1500
#define MAX_VMS		16		/* per mode: defined exits go on */

/* Set by the host in guest memory before the first entry. */
volatile uint64_t fz_seed, fz_iters, fz_first;
/* Written by the guest: the iteration under way, and tallies. */
volatile uint64_t fz_iter;
volatile uint64_t fz_count[8][2];	/* per operation: ok, faulted */

/* A fault inside a checked instruction resumes here (0: unexpected). */
volatile uint64_t fz_resume;
static volatile uint64_t last_vector, last_error, last_cr2;

static uint64_t as_tables[4 * 512] __attribute__((aligned(4096)));
static uint8_t as_data[NPAGES][4096] __attribute__((aligned(4096)));
static uint64_t model[NPAGES];		/* what each PTE should hold */
static uint8_t xgood[4096] __attribute__((aligned(64)));
static uint8_t xrand[4096] __attribute__((aligned(64)));
static uint8_t xs1[4096] __attribute__((aligned(64)));
static uint8_t xs2[4096] __attribute__((aligned(64)));

static uint64_t rnd_state;
static uint64_t xcr0_supported, xcr0_orig, phys_rsvd, rsvd_mask;
static unsigned int avx_off;
static bool has_xsave;

enum { OP_CR0, OP_CR4, OP_XSETBV, OP_XRSTOR, OP_PTE, OP_UPPER, NOPS };

/* splitmix64: one seed per iteration, xorshift-multiply within it. */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	rnd_state += 0x9e3779b97f4a7c15ULL;
	return mix(rnd_state);
}

static void fault_handler(struct ex_regs *r)
{
	if (!fz_resume)
		for (;;)
			ucall(UCALL_EXCEPTION, r->vector, r->rip,
			      r->error_code, 0);
	last_vector = r->vector;
	last_error = r->error_code;
	if (r->vector == 14)
		__asm__ volatile("mov %%cr2, %0" : "=r"(last_cr2));
	r->rip = fz_resume;
}

static uint64_t read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return lo | (uint64_t)hi << 32;
}

static void count(int op)
{
	fz_count[op][last_vector != NONE]++;
}

/* The fault was one of those allowed (NONE: none). */
static void expect_vector(uint64_t a, uint64_t b)
{
	if (last_vector != a && last_vector != b)
		ucall_assert(__FILE__, __LINE__, "unexpected vector",
			     last_vector, fz_iter);
}

/* ---- control registers ---------------------------------------------- */

static const uint8_t cr0_bits[] = { 0, 1, 2, 3, 4, 5, 16, 18, 29, 30, 31 };
static const uint8_t cr4_bits[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
				    12, 13, 14, 16, 17, 18, 20, 21, 22, 23 };

/*
 * Write @v to CR0 (or CR4), read it back, load and store through the
 * data pages, then put @orig back: all in one block, so that no compiled
 * code (which may use SSE) runs with TS, EM or OSFXSR changed.
 */
#define CR_BLOCK(cr, v, orig, got, p)					\
	__asm__ volatile("movq $1f, fz_resume\n\t"			\
			 "mov %[nv], %%" cr "\n\t"			\
			 "mov %%" cr ", %[g]\n\t"			\
			 "mov (%[pp]), %%rax\n\t"			\
			 "mov %%rax, 8(%[pp])\n\t"			\
			 "mov %[ov], %%" cr "\n"			\
			 "1:\tmovq $0, fz_resume"			\
			 : [g] "+r"(got)				\
			 : [nv] "r"(v), [ov] "r"(orig), [pp] "r"(p)	\
			 : "rax", "memory")

static void op_cr(bool is_cr4)
{
	uint64_t orig = is_cr4 ? read_cr4() : read_cr0(), v = orig;
	uint64_t got = ~0ULL, back;
	uint8_t *p = as_data[rnd() % NPAGES] + (rnd() % 511) * 8;
	int i, n = 1 + rnd() % 3;

	for (i = 0; i < n; i++) {
		if (rnd() % 8 == 0)
			v ^= 1ULL << (rnd() % 64);
		else if (is_cr4)
			v ^= 1ULL << cr4_bits[rnd() % sizeof(cr4_bits)];
		else
			v ^= 1ULL << cr0_bits[rnd() % sizeof(cr0_bits)];
	}
	last_vector = NONE;
	if (is_cr4)
		CR_BLOCK("cr4", v, orig, got, p);
	else
		CR_BLOCK("cr0", v, orig, got, p);
	expect_vector(NONE, 13);
	back = is_cr4 ? read_cr4() : read_cr0();
	if (back != orig)
		ucall_assert(__FILE__, __LINE__, "CR not restored", back,
			     orig);
	/*
	 * CR4's reserved bits fault; CR0's in bits 31:0 need not read back,
	 * and CR0.ET is fixed at 1 (SDM Vol. 3A 2.5): compare PE MP EM TS
	 * NE WP AM PG only.  CD and NW are the guest's own (no exit), and
	 * Bochs keeps them clear in VMX non-root operation: not vtxhv's.
	 */
	if (last_vector == NONE &&
	    (got ^ v) & (is_cr4 ? ~0ULL : 0x8005002fULL))
		ucall_assert(__FILE__, __LINE__, "CR read back", got, v);
	count(is_cr4 ? OP_CR4 : OP_CR0);
}

/* ---- XCR0 and XSAVE state ------------------------------------------- */

/* Does XSETBV(0, @v) load a valid XCR0 (SDM Vol. 1 13.3)? */
static bool xcr0_valid(uint64_t v)
{
	if (!(v & 1) || (v & ~xcr0_supported))
		return false;
	if ((v & 4) && !(v & 2))
		return false;
	/* BNDREGS and BNDCSR together; the AVX-512 trio together, with AVX. */
	if (((v >> 3) & 1) != ((v >> 4) & 1))
		return false;
	if ((v & 0xe0) && ((v & 0xe0) != 0xe0 || !(v & 4)))
		return false;
	return true;
}

static void op_xsetbv(void)
{
	uint64_t v, got = 0, got2 = 0;
	uint32_t ecx = 0, eax, edx, rnd_ecx;

	switch (rnd() % 4) {
	case 0:
		v = rnd();
		break;
	case 1:
		v = rnd() & 0xff;
		break;
	default:
		v = (rnd() & xcr0_supported) | 1;
		break;
	}
	if (rnd() % 16 == 0)
		ecx = 1 + rnd() % 3;
	rnd_ecx = ecx;
	eax = v;
	edx = v >> 32;
	last_vector = NONE;
	/* CPUID in between: an exit, and XCR0 must survive it. */
	__asm__ volatile("movq $1f, fz_resume\n\t"
			 "xsetbv\n\t"
			 "xor %%ecx, %%ecx\n\t"
			 "xgetbv\n\t"
			 "shl $32, %%rdx\n\t"
			 "or %%rdx, %%rax\n\t"
			 "mov %%rax, %[g]\n\t"
			 "xor %%eax, %%eax\n\t"
			 "cpuid\n\t"
			 "xor %%ecx, %%ecx\n\t"
			 "xgetbv\n\t"
			 "shl $32, %%rdx\n\t"
			 "or %%rdx, %%rax\n\t"
			 "mov %%rax, %[g2]\n"
			 "1:\tmovq $0, fz_resume"
			 : [g] "+m"(got), [g2] "+m"(got2), "+a"(eax),
			   "+d"(edx), "+c"(ecx)
			 : : "rbx", "memory");
	__asm__ volatile("xsetbv" : : "a"((uint32_t)xcr0_orig),
			 "d"((uint32_t)(xcr0_orig >> 32)), "c"(0));
	if (rnd_ecx || !xcr0_valid(v)) {
		/* An XCR0 the CPU does not take must never reach it. */
		if (last_vector != 13)
			ucall_assert(__FILE__, __LINE__, "XSETBV no #GP", v,
				     last_vector);
	} else {
		expect_vector(NONE, 13);
		if (last_vector == NONE && (got != v || got2 != v))
			ucall_assert(__FILE__, __LINE__, "XCR0 read back",
				     got, got2);
	}
	count(OP_XSETBV);
}

/* XSAVE image @b as if every component were saved (init where not). */
static void xnormalize(uint8_t *b)
{
	uint64_t bv;

	__builtin_memcpy(&bv, b + 512, 8);
	if (!(bv & 1)) {
		__builtin_memset(b, 0, 24);
		b[0] = 0x7f;		/* FCW 0x037f */
		b[1] = 0x03;
		__builtin_memset(b + 32, 0, 128);
	}
	if (!(bv & 2))
		__builtin_memset(b + 160, 0, 256);
	if (avx_off && !(bv & 4))
		__builtin_memset(b + avx_off, 0, 256);
	__builtin_memset(b + 512, 0, 8);
}

static void op_xrstor(void)
{
	uint64_t rfbm = rnd() % 4 ? ~0ULL : rnd(), *q;
	unsigned int i, size = avx_off ? avx_off + 256 : 576;
	uint32_t mxcsr;

	__builtin_memcpy(xrand, xgood, sizeof(xrand));
	for (i = 0; i < 416; i += 8) {
		q = (uint64_t *)(xrand + i);
		if (rnd() % 2)
			*q = rnd();
	}
	if (avx_off)
		for (i = avx_off; i < avx_off + 256; i += 8)
			*(uint64_t *)(xrand + i) = rnd();
	mxcsr = rnd() % 4 ? (uint32_t)rnd() & 0xffbf : (uint32_t)rnd();
	__builtin_memcpy(xrand + 24, &mxcsr, 4);
	q = (uint64_t *)(xrand + 512);
	q[0] = rnd() % 8 ? rnd() & xcr0_orig : rnd();	/* XSTATE_BV */
	if (rnd() % 8 == 0)
		q[1] = rnd();				/* XCOMP_BV */
	if (rnd() % 8 == 0)
		q[2 + rnd() % 6] = rnd();		/* reserved */
	__builtin_memset(xs1, 0, size);
	__builtin_memset(xs2, 0, size);
	last_vector = NONE;
	__asm__ volatile("movq $1f, fz_resume\n\t"
			 "mov %[lo], %%eax\n\t"
			 "mov %[hi], %%edx\n\t"
			 "xrstor64 (%[r])\n\t"
			 "mov $-1, %%eax\n\t"
			 "mov $-1, %%edx\n\t"
			 "xsave64 (%[s1])\n\t"
			 "xor %%eax, %%eax\n\t"
			 "xor %%ecx, %%ecx\n\t"
			 "cpuid\n\t"
			 "mov $-1, %%eax\n\t"
			 "mov $-1, %%edx\n\t"
			 "xsave64 (%[s2])\n"
			 "1:\tmovq $0, fz_resume\n\t"
			 "mov $-1, %%eax\n\t"
			 "mov $-1, %%edx\n\t"
			 "xrstor64 (%[g])"
			 : : [lo] "r"((uint32_t)rfbm),
			   [hi] "r"((uint32_t)(rfbm >> 32)), [r] "r"(xrand),
			   [s1] "r"(xs1), [s2] "r"(xs2), [g] "r"(xgood)
			 : "rax", "rbx", "rcx", "rdx", "memory");
	expect_vector(NONE, 13);
	if (last_vector == NONE) {
		xnormalize(xs1);
		xnormalize(xs2);
		for (i = 0; i < size; i++) {
			if (i >= 416 && i < 512)
				continue;	/* not written by XSAVE */
			if (xs1[i] != xs2[i])
				ucall_assert(__FILE__, __LINE__,
					     "XSAVE state changed by an exit",
					     i, fz_iter);
		}
	}
	count(OP_XRSTOR);
}

/* ---- the guest's own page tables ------------------------------------ */

#define PTE_P	1ULL
#define PTE_W	2ULL
#define PTE_A	0x20ULL
#define PTE_D	0x40ULL
#define AS_VA(i)	(GUEST_AS_VA + (uint64_t)(i) * 4096)

static uint64_t *pt(void)
{
	return as_tables + 3 * 512;
}

/* A random entry: mostly a data page, else absent, read-only, reserved. */
static uint64_t random_pte(void)
{
	uint64_t v = (uint64_t)as_data[rnd() % NPAGES] | PTE_P;

	switch (rnd() % 8) {
	case 0:
		return rnd() & ~PTE_P;		/* not present: anything */
	case 1:
		return v;			/* read-only */
	case 2:
		return phys_rsvd ? v | PTE_W | phys_rsvd : v;
	default:
		/* A, D, PWT, PCD, G, NX and the ignored bits at random. */
		return v | PTE_W | (rnd() & 0x7ff0000000000e78ULL) |
		       (rnd() & (1ULL << 63));
	}
}

static void flush(uint64_t va, bool whole)
{
	if (whole)
		__asm__ volatile("mov %0, %%cr3" : : "r"(read_cr3())
				 : "memory");
	else
		__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/*
 * Write PTE @i with instruction @kind, @n entries for REP STOSQ; *@vp
 * becomes what the entry should hold.
 */
static void write_pte(unsigned int i, uint64_t *vp, unsigned int kind,
		      unsigned int *n)
{
	volatile uint64_t *p = &pt()[i];
	uint64_t v = *vp, old = *p, cnt, dst;
	bool ok;

	*n = 1;
	switch (kind) {
	case 0:
		__asm__ volatile("movq %1, %0" : "=m"(*p) : "r"(v));
		break;
	case 1:
		/*
		 * The low half only: the high half stays as it was.  Not over
		 * address bits 51:32 left by a random absent entry, which
		 * would point outside guest memory (an MMIO exit).
		 */
		if ((old >> 32) & 0xfffff) {
			__asm__ volatile("movq %1, %0" : "=m"(*p) : "r"(v));
			break;
		}
		__asm__ volatile("movl %k1, %0" : "=m"(*(volatile uint32_t *)p)
				 : "r"(v));
		v = (old & ~0xffffffffULL) | (uint32_t)v;
		break;
	case 2:
		__asm__ volatile("xchgq %1, %0" : "+m"(*p), "+r"(v));
		v = *p;
		break;
	case 3:
		__asm__ volatile("lock cmpxchgq %3, %0; sete %1"
				 : "+m"(*p), "=q"(ok), "+a"(old)
				 : "r"(v) : "cc");
		if (!ok)
			ucall_assert(__FILE__, __LINE__, "CMPXCHG missed",
				     old, fz_iter);
		break;
	case 4:
		/* (old & v) | v == v */
		__asm__ volatile("andq %1, %0; orq %1, %0"
				 : "+m"(*p) : "r"(v) : "cc");
		break;
	case 5:
		__asm__ volatile("movnti %1, %0; sfence" : "=m"(*p) : "r"(v));
		break;
	default:
		*n = 1 + rnd() % (NPAGES - i);
		cnt = *n;
		dst = (uint64_t)p;
		__asm__ volatile("rep stosq" : "+D"(dst), "+c"(cnt)
				 : "a"(v) : "memory");
		break;
	}
	*vp = v;
}

/*
 * Read (or write) through VA @i at a random offset and check the outcome
 * against model[i]: the identity map's view of the page, or the #PF the
 * entry calls for (SDM Vol. 3A 4.7).
 */
static void access_page(unsigned int i, bool write)
{
	uint64_t e = model[i], off = (rnd() % 512) * 8, va = AS_VA(i) + off;
	uint64_t val = rnd(), got = 0, pa = (e & 0x000ffffffffff000ULL) + off;
	uint32_t err;

	last_vector = NONE;
	if (write)
		__asm__ volatile("movq $1f, fz_resume\n\t"
				 "movq %1, (%0)\n"
				 "1:\tmovq $0, fz_resume"
				 : : "r"(va), "r"(val) : "memory");
	else
		__asm__ volatile("movq $1f, fz_resume\n\t"
				 "movq (%1), %0\n"
				 "1:\tmovq $0, fz_resume"
				 : "+r"(got) : "r"(va) : "memory");
	/* #PF error code: P, W/R, U/S = 0, RSVD (SDM Vol. 3A 4.7). */
	if (!(e & PTE_P))
		err = 0;
	else if (e & rsvd_mask)
		err = 0x9;
	else if (write && !(e & PTE_W))
		err = 0x1;
	else
		err = NONE;
	if (write && err != NONE)
		err |= 0x2;
	if (err == NONE) {
		if (last_vector != NONE)
			ucall_assert(__FILE__, __LINE__, "access faulted (arg 0: vector << 32 | error, arg 1: entry)",
				     last_vector << 32 | last_error, e);
		if (write)
			got = val;
		if (*(volatile uint64_t *)pa != got)
			ucall_assert(__FILE__, __LINE__, "data differs", got,
				     *(volatile uint64_t *)pa);
		if (!(pt()[i] & PTE_A) || (write && !(pt()[i] & PTE_D)))
			ucall_assert(__FILE__, __LINE__, "A/D not set",
				     pt()[i], write);
		return;
	}
	if (last_vector != 14 || last_error != err || last_cr2 != va)
		ucall_assert(__FILE__, __LINE__, "#PF expected",
			     last_vector << 32 | last_error, err);
}

static void op_pte(void)
{
	unsigned int i = rnd() % NPAGES, n, k;
	uint64_t v = random_pte();
	bool whole = rnd() % 2;
	unsigned int kind = rnd() % 7;

	write_pte(i, &v, kind, &n);
	for (k = 0; k < n; k++) {
		model[i + k] = pt()[i + k];
		if (!whole)
			flush(AS_VA(i + k), false);
	}
	if ((pt()[i] ^ v) & ~(PTE_A | PTE_D))
		ucall_assert(__FILE__, __LINE__, "PTE write (arg 1: kind << 60 | value)",
			     pt()[i], (uint64_t)kind << 60 | (v & ((1ULL << 60) - 1)));
	if (whole)
		flush(0, true);
	access_page(i, rnd() % 2);
	for (k = 0; k < 2; k++)
		access_page(rnd() % NPAGES, rnd() % 2);
	count(OP_PTE);
}

/* An upper-level entry made absent, seen to fault, and put back. */
static void op_upper(void)
{
	uint64_t *e, saved, va = AS_VA(rnd() % NPAGES), got = 0;
	uint64_t absent = rnd() & ~PTE_P, old = absent;

	switch (rnd() % 3) {
	case 0:
		e = &as_tables[1];		/* PML4 slot 1 */
		break;
	case 1:
		e = &as_tables[512];		/* its PDPTE */
		break;
	default:
		e = &as_tables[1024];		/* its PDE */
		break;
	}
	saved = *e;
	__asm__ volatile("xchgq %0, %1" : "+r"(old), "+m"(*e));
	flush(0, true);
	last_vector = NONE;
	__asm__ volatile("movq $1f, fz_resume\n\t"
			 "movq (%1), %0\n"
			 "1:\tmovq $0, fz_resume"
			 : "+r"(got) : "r"(va) : "memory");
	if (last_vector != 14 || last_error != 0 || last_cr2 != va)
		ucall_assert(__FILE__, __LINE__, "#PF expected (upper)",
			     last_vector << 32 | last_error, va);
	if (rnd() % 2)
		__asm__ volatile("movq %1, %0" : "=m"(*e) : "r"(saved));
	else
		__asm__ volatile("lock cmpxchgq %2, %0"
				 : "+m"(*e), "+a"(absent) : "r"(saved) : "cc");
	GUEST_ASSERT_EQ(*e & ~(PTE_A | PTE_D), saved & ~(PTE_A | PTE_D));
	flush(0, true);
	access_page(rnd() % NPAGES, false);
	count(OP_UPPER);
}

/* ---- the guest ------------------------------------------------------ */

static void guest_init(void)
{
	uint32_t a, b, c, d;
	unsigned int i, j;
	uint64_t cr4;

	for (i = 0; i < 64; i++)
		guest_set_handler(i, fault_handler);
	/*
	 * CR4.OSXSAVE: the library set it where CPUID offers XSAVE.  CPUID's
	 * own OSXSAVE bit is no guide: vtxhv's table is fixed, and vtxctl's
	 * policy clears the bit, since its guests start with CR4.OSXSAVE 0.
	 */
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	has_xsave = cr4 & X86_CR4_OSXSAVE;
	if (has_xsave) {
		cpuid(0xd, 0, &a, &b, &c, &d);
		xcr0_supported = a | (uint64_t)d << 32;
		xcr0_orig = xgetbv0();
		if (xcr0_orig & 4) {
			cpuid(0xd, 2, &a, &b, &c, &d);
			avx_off = b;
		}
		__asm__ volatile("xsave64 (%0)" : : "r"(xgood), "a"(-1),
				 "d"(-1) : "memory");
	}
	cpuid(0x80000008, 0, &a, &b, &c, &d);
	/* Address bits from MAXPHYADDR to 51 are reserved (SDM Vol. 3A 4.5). */
	rsvd_mask = ((1ULL << 52) - 1) & ~((1ULL << (a & 0xff)) - 1);
	if ((a & 0xff) < 52)
		phys_rsvd = 1ULL << 51;
	for (i = 0; i < NPAGES; i++)
		for (j = 0; j < 4096 / 8; j++)
			((uint64_t *)as_data[i])[j] = (uint64_t)i << 32 | j;
	__asm__ volatile("mov %0, %%cr3" : : "r"(guest_make_as(
		(uint64_t)as_tables, (uint64_t)as_data, NPAGES)) : "memory");
	for (i = 0; i < NPAGES; i++)
		model[i] = pt()[i];
}

static void guest_code(uint64_t arg)
{
	uint64_t it;

	(void)arg;
	guest_init();
	for (it = fz_first; it < fz_iters; it++) {
		fz_iter = it;
		/* Back to the host now and then: its alarm sees a hang. */
		if (it % 64 == 0)
			GUEST_SYNC(it);
		rnd_state = mix(fz_seed ^ mix(it + 1));
		switch (rnd() % NOPS) {
		case OP_CR0:
			op_cr(false);
			break;
		case OP_CR4:
			op_cr(true);
			break;
		case OP_XSETBV:
			if (has_xsave)
				op_xsetbv();
			break;
		case OP_XRSTOR:
			if (has_xsave)
				op_xrstor();
			break;
		case OP_PTE:
			op_pte();
			break;
		default:
			op_upper();
			break;
		}
	}
	GUEST_DONE();
}

/* ---- host ----------------------------------------------------------- */

static void on_alarm(int sig)
{
	(void)sig;
}

#define GVAR(t, v)	(*(volatile uint64_t *)((t)->mem + (uintptr_t)&(v)))

static const char *const op_names[NOPS] = {
	"cr0", "cr4", "xsetbv", "xrstor", "pte", "upper",
};

/*
 * Run @iters iterations in paging mode @mode; a documented exit ends one
 * VM, and the next goes on after the iteration that ended it.
 */
static bool run_mode(uint32_t mode, uint64_t iters, uint64_t seed)
{
	uint64_t first = 0, tally[NOPS][2] = { { 0 } };
	unsigned int vms = 0, i;
	struct timespec t0, t1;
	bool ok = true, done = false;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!done && ok && vms++ < MAX_VMS) {
		struct tvm *t = tvm_create_paging(TVM_DEFAULT_MEM, mode);
		struct vtxhv_run *run = t->run;
		struct ucall uc;
		int ret;

		tvm_set_cpuid_host(t);
		tvm_setup_long_mode(t, guest_code, 0);
		GVAR(t, fz_seed) = mix(seed * 3 + mode);
		GVAR(t, fz_iters) = iters;
		GVAR(t, fz_first) = first;
		for (;;) {
			/* A hang is a failure too: about 2 min of wall time. */
			alarm(20);
			ret = tvm_run(t);
			alarm(0);
			if (ret) {
				printf("# %s seed %lu iteration %lu: VTXHV_RUN: %s\n",
				       paging_name(mode),
				       (unsigned long)seed,
				       (unsigned long)GVAR(t, fz_iter),
				       strerror(-ret));
				ok = false;
				break;
			}
			if (run->exit_reason == VTXHV_EXIT_IO &&
			    run->io.port == UCALL_PORT) {
				tvm_ucall_at(t, run, &uc);
				if (uc.cmd == UCALL_SYNC)
					continue;
				if (uc.cmd == UCALL_DONE) {
					done = true;
					break;
				}
				/* The binary is the guest's: same strings. */
				if (uc.cmd == UCALL_ABORT)
					printf("# %s seed %lu iteration %lu: %s:%lu: %s (%#lx, %#lx)\n",
					       paging_name(mode),
					       (unsigned long)seed,
					       (unsigned long)GVAR(t, fz_iter),
					       uc.file, (unsigned long)uc.line,
					       uc.expr,
					       (unsigned long)uc.args[0],
					       (unsigned long)uc.args[1]);
				else
					printf("# %s seed %lu iteration %lu: ucall %lu (%#lx %#lx %#lx)\n",
					       paging_name(mode),
					       (unsigned long)seed,
					       (unsigned long)GVAR(t, fz_iter),
					       (unsigned long)uc.cmd,
					       (unsigned long)uc.args[0],
					       (unsigned long)uc.args[1],
					       (unsigned long)uc.args[2]);
				ok = false;
				break;
			}
			/* Documented exits end this VM, and are reported. */
			printf("# %s seed %lu iteration %lu: exit %s",
			       paging_name(mode), (unsigned long)seed,
			       (unsigned long)GVAR(t, fz_iter),
			       exit_reason_name(run->exit_reason));
			if (run->exit_reason == VTXHV_EXIT_IO) {
				struct vtxhv_regs r;

				tvm_get_regs(t, &r);
				printf(" port %#x rip %#llx", run->io.port,
				       (unsigned long long)r.rip);
			}
			if (run->exit_reason == VTXHV_EXIT_INTERNAL_ERROR)
				printf(" suberror %u reason %u rip %#llx",
				       run->internal.suberror,
				       run->internal.exit_reason,
				       (unsigned long long)run->internal.rip);
			printf("\n");
			switch (run->exit_reason) {
			case VTXHV_EXIT_SHUTDOWN:
			case VTXHV_EXIT_FAIL_ENTRY:
			case VTXHV_EXIT_INTERNAL_ERROR:
			case VTXHV_EXIT_HLT:
				first = GVAR(t, fz_iter) + 1;
				break;
			default:
				/* I/O, MMIO: the guest does none. */
				ok = false;
			}
			break;
		}
		for (i = 0; i < NOPS; i++) {
			tally[i][0] += GVAR(t, fz_count[i][0]);
			tally[i][1] += GVAR(t, fz_count[i][1]);
		}
		tvm_destroy(t);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %s: %lu iterations, seed %lu, %u VM%s, %.1f s:",
	       paging_name(mode), (unsigned long)iters,
	       (unsigned long)seed, vms, vms == 1 ? "" : "s",
	       (double)(t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (i = 0; i < NOPS; i++)
		printf(" %s %lu/%lu", op_names[i], (unsigned long)tally[i][1],
		       (unsigned long)(tally[i][0] + tally[i][1]));
	printf(" (faulted/total)\n");
	return ok && done;
}

static uint64_t arg_or_env(int argc, char **argv, int i, const char *env,
			   uint64_t def)
{
	const char *s = argc > i ? argv[i] : getenv(env);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	uint64_t iters = arg_or_env(argc, argv, 1, "VTXHV_FUZZ_ITERS",
				    DEFAULT_ITERS);
	uint64_t seed = arg_or_env(argc, argv, 2, "VTXHV_FUZZ_SEED", 1);
	const char *req = getenv("VTXHV_REQUIRE");
	struct vtxhv_caps caps;
	uint32_t mode;
	int dev, i;
	bool want;

	sigaction(SIGALRM, &sa, NULL);
	dev = open("/dev/vtxhv", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		test_skip_all("/dev/vtxhv missing: vtxhv is not loaded");
	TEST_ASSERT(!ioctl(dev, VTXHV_GET_CAPS, &caps), "VTXHV_GET_CAPS");
	close(dev);
	printf("# seed %lu (argv[2] or VTXHV_FUZZ_SEED), %lu iterations per mode\n",
	       (unsigned long)seed, (unsigned long)iters);
	test_plan(VTXHV_PAGING_SHADOW - VTXHV_PAGING_EPT + 2);
	for (mode = VTXHV_PAGING_EPT; mode <= VTXHV_PAGING_SHADOW; mode++) {
		want = argc <= 3;
		for (i = 3; i < argc; i++)
			want |= !strcmp(argv[i], paging_name(mode));
		if (!want) {
			test_skip_one(paging_name(mode), "not asked for");
		} else if (!(caps.paging_modes & (1U << mode))) {
			if (req && !strcmp(req, "1"))
				test_result(0, "fuzz_%s # not offered",
					    paging_name(mode));
			else
				test_skip_one(paging_name(mode),
					      "not offered by the module");
		} else {
			fflush(stdout);
			test_result(run_mode(mode, iters, seed), "fuzz_%s",
				    paging_name(mode));
		}
	}
	test_result(tvm_module_counts_zero(), "nothing_left");
	test_finish();
}
