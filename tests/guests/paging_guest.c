// SPDX-License-Identifier: GPL-2.0
/*
 * The paging test's guest mini-kernel.  One source, built twice: -m32 (a
 * flat image started by the host in 32-bit protected mode with paging
 * off; it runs the 32-bit or the PAE format) and -m64 (started in long
 * mode on the host's boot tables; it runs the 4-level format).  EDI/RDI
 * names the format.  The guest builds its own page tables and IDT, runs
 * the checks of paging_guest.h in order and reports each through
 * PG_PORT; it never uses real mode, so that shadow paging can run it.
 */
#include "paging_common.h"

#define MSR_EFER	0xc0000080
#define EFER_NXE	(1U << 11)

static int has_nx, has_1g;
static uint64_t digest = 0xcbf29ce484222325ULL;
static int cur_check, failed, notes;
static uintptr_t as_root[PG_AS_NR], as_pa[PG_AS_NR][PG_TEST_PAGES];

/* --- the report protocol ---------------------------------------------- */

/* Every value a check compares goes into the digest the host compares
 * across paging modes.
 */
void observe(uint64_t v)
{
	digest = (digest ^ v) * 0x100000001b3ULL;
}

void note(int line, const char *what, uint64_t a, uint64_t b)
{
	failed = 1;
	if (notes++ < 8)
		send(PG_NOTE, cur_check, 0, line, what, a, b);
}

static void begin(int check)
{
	cur_check = check;
	failed = 0;
	notes = 0;
}

static void end(void)
{
	send(PG_RESULT, cur_check, !failed, 0, 0, 0, 0);
}

static void skip(int check, const char *why)
{
	send(PG_SKIP, check, 0, 0, why, 0, 0);
}

/* --- CPU helpers ------------------------------------------------------ */

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 : : "c"(msr), "a"((uint32_t)v),
			     "d"((uint32_t)(v >> 32))
			 : "memory");
}


static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}


/* --- exceptions ------------------------------------------------------- */

/*
 * A probe's #PF resumes after its access (pf_fixup()).  Any other
 * exception, or a #PF outside a probe, is reported and fails the check
 * it happened in: the handler jumps back to run_check() (recover_buf),
 * which goes on with the next one.
 */
static struct pf_state pf;
static void *recover_buf[5];
static volatile int recover_armed;

struct pf_state *pf_state(void)
{
	return &pf;
}

/* The probe (@faulted) took a #PF with error code @err at @cr2. */
static void check_fault(int line, int faulted, uint64_t err, uint64_t cr2)
{
	check_eq(line, "the probe faulted", faulted, 1);
	check_eq(line, "pf.err == err", pf.err, err);
	check_eq(line, "pf.cr2 == cr2", pf.cr2, cr2);
}

#define CHECK_FAULT(probe, err, cr2)	check_fault(__LINE__, !!(probe), \
						    (err), (cr2))

void exc_handler(struct frame *f)
{
	ureg cr2 = read_cr2();

	if (pf_fixup(f, cr2))
		return;
	send(PG_NOTE, cur_check, 0, __LINE__,
	     "unexpected exception: a = vector, b = ip", f->vector, f->ip);
	send(PG_NOTE, cur_check, 0, __LINE__,
	     "unexpected exception: a = error code, b = cr2", f->err, cr2);
	if (recover_armed) {
		recover_armed = 0;
		pf.fixup_ip = 0;
		__builtin_longjmp(recover_buf, 1);
	}
	halt_forever();
}

/* --- address spaces --------------------------------------------------- */

static uint32_t pattern(uint64_t pa)
{
	return (uint32_t)pa ^ 0x600dd00dU;
}

/*
 * Address space @n: its own root and the tables down to a PT of its own
 * mapping PG_TEST_PAGES pages at VA_TEST; the identity map of the low
 * 32 MiB (large pages) is shared: the same PDEs (32-bit), the same page
 * directory (PAE, 4-level).
 */
static void make_as(int n)
{
	uintptr_t root = make_as_root(n ? as_root[0] : 0);
	int i;

	for (i = 0; i < PG_TEST_PAGES; i++) {
		as_pa[n][i] = alloc_data(as_tag(n, i));
		map4k(root, VA_TEST + i * PAGE, as_pa[n][i], PTE_P | PTE_RW);
	}
	as_root[n] = root;
}

/* --- the checks ------------------------------------------------------- */

/* 1: thousands of CR3 loads among the address spaces, in random order;
 * after each, every test page reads its space's tag, and one page's
 * counter (written in the space it belongs to) has the expected count.
 */
static void check_as_switch(void)
{
	uint32_t visits[PG_AS_NR][PG_TEST_PAGES];
	uint32_t rnd = 12345, n, i, k, s;

	begin(CHK_AS_SWITCH);
	memset(visits, 0, sizeof(visits));
	for (s = 0; s < PG_SWITCHES; s++) {
		n = as_switch_step(&rnd, as_root, PG_AS_NR, VA_TEST,
				   PG_TEST_PAGES);
		k = s % PG_TEST_PAGES;
		CHECK_EQ(rd32(VA_TEST + k * PAGE + 4), visits[n][k]);
		wr32(VA_TEST + k * PAGE + 4, ++visits[n][k]);
	}
	write_cr3(as_root[0]);
	/* The counters landed in each space's own physical pages. */
	for (n = 0; n < PG_AS_NR; n++)
		for (i = 0; i < PG_TEST_PAGES; i++)
			CHECK_EQ(rd32(as_pa[n][i] + 4), visits[n][i]);
	end();
}

/* 2: a PTE pointed at another page, then INVLPG; then changes seen
 * after CR3 reloads without INVLPG (a PTE, a PDE, a PTE of an address
 * space changed while another one was loaded).
 */
static void check_remap(void)
{
	uintptr_t root = as_root[0], va = VA_SCRATCH, ea, pde, pt2;
	uintptr_t pa_a = alloc_data(0xb000000a), pa_b = alloc_data(0xb000000b);
	uintptr_t pa_c = alloc_data(0xb000000c), pa_d = alloc_data(0xb000000d);
	uint64_t old;

	begin(CHK_REMAP_INVLPG);
	map4k(root, va, pa_a, PTE_P | PTE_RW);
	invlpg(va);
	CHECK_EQ(rd32(va), 0xb000000a);
	ea = entry_addr(root, va, 1);
	pte_set(ea, pa_b | PTE_P | PTE_RW);
	invlpg(va);
	CHECK_EQ(rd32(va), 0xb000000b);
	wr32(va + 8, 0x12345678);
	CHECK_EQ(rd32(pa_b + 8), 0x12345678);
	CHECK_EQ(rd32(pa_a + 8), 0);
	/* Back to the first page, with the mapping just used for a write. */
	pte_set(ea, pa_a | PTE_P | PTE_RW);
	invlpg(va);
	CHECK_EQ(rd32(va), 0xb000000a);
	CHECK_EQ(rd32(va + 8), 0);
	end();

	begin(CHK_REMAP_CR3);
	/* In the TLB again (the report above was an exit, which may flush). */
	CHECK_EQ(rd32(va), 0xb000000a);
	pte_set(ea, pa_c | PTE_P | PTE_RW);
	write_cr3(read_cr3());
	CHECK_EQ(rd32(va), 0xb000000c);
	/* A PDE pointed at another page table. */
	pt2 = alloc_pt();
	pte_set(ent(pt2, va, 1), pa_d | PTE_P | PTE_RW);
	pde = entry_addr(root, va, 2);
	old = pte_get(pde);
	pte_set(pde, pt2 | PTE_P | PTE_RW);
	write_cr3(read_cr3());
	CHECK_EQ(rd32(va), 0xb000000d);
	pte_set(pde, old);
	write_cr3(read_cr3());
	CHECK_EQ(rd32(va), 0xb000000c);
	/* Changed while another address space is loaded. */
	write_cr3(as_root[1]);
	pte_set(ea, pa_b | PTE_P | PTE_RW);
	write_cr3(root);
	CHECK_EQ(rd32(va), 0xb000000b);
	write_cr3(as_root[1]);
	pte_set(ea, 0);
	write_cr3(root);
	CHECK_FAULT(probe_read(va, 0), 0, va);
	end();
}

/*
 * 2, PAE: the four PDPTEs are loaded into registers by MOV to CR3 (and
 * CR0/CR4), not by a TLB miss or INVLPG (SDM Vol. 3A 4.4.1): a PDPTE
 * changed in memory takes effect at the next CR3 load only.
 */
static void check_pae_pdpte(void)
{
	uintptr_t root = as_root[0], va = VA_SCRATCH + 7 * PAGE;
	uintptr_t px = alloc_data(0xb0000070), py = alloc_data(0xb0000071);
	uintptr_t pdpte, pd, pd2, pt2;
	uint64_t old;
	unsigned int i;

	if (fmt != FMT_PAE) {
		skip(CHK_PAE_PDPTE, "PDPTE registers exist only in PAE paging");
		return;
	}
	begin(CHK_PAE_PDPTE);
	map4k(root, va, px, PTE_P | PTE_RW);
	invlpg(va);
	CHECK_EQ(rd32(va), 0xb0000070);
	/* A copy of the page directory, with another PT for @va. */
	pdpte = ent(root, va, 3);
	old = pte_get(pdpte);
	pd = old & addr_mask;
	pd2 = alloc_pt();
	for (i = 0; i < 512; i++)
		pte_set(pd2 + 8 * i, pte_get(pd + 8 * i));
	pt2 = alloc_pt();
	pte_set(ent(pt2, va, 1), py | PTE_P | PTE_RW);
	pte_set(ent(pd2, va, 2), pt2 | PTE_P | PTE_RW);
	pte_set(pdpte, pd2 | PTE_P);
	invlpg(va);
	CHECK_EQ(rd32(va), 0xb0000070);
	write_cr3(read_cr3());
	CHECK_EQ(rd32(va), 0xb0000071);
	pte_set(pdpte, old);
	invlpg(va);
	CHECK_EQ(rd32(va), 0xb0000071);
	/* Another address space and back loads them too. */
	write_cr3(as_root[1]);
	write_cr3(root);
	CHECK_EQ(rd32(va), 0xb0000070);
	end();
}

/* 3: error codes and CR2 of the guest's own page faults. */
static void check_faults(void)
{
	uintptr_t root = as_root[0];
	uintptr_t va1 = VA_SCRATCH + 1 * PAGE, va2 = VA_SCRATCH + 2 * PAGE;
	uintptr_t va3 = VA_SCRATCH + 3 * PAGE, ea1, ea2, ea3;
	uintptr_t pa1 = alloc_data(0xb0000001), pa2 = alloc_data(0xb0000002);
	uintptr_t pa3 = alloc_data(0xb0000003);
	uintptr_t nowhere = 0x60000abc;	/* no PDE at all */
	uint32_t v;
	ureg cr0;

	begin(CHK_PF_CODES);
	map4k(root, va1, pa1, PTE_P | PTE_RW);
	ea1 = entry_addr(root, va1, 1);
	invlpg(va1);
	CHECK(!probe_write(va1 + 0x100, 0x11111111));
	CHECK_EQ(rd32(pa1 + 0x100), 0x11111111);
	/* Read-only now: a supervisor write to a present page, 0x3. */
	pte_set(ea1, pa1 | PTE_P);
	invlpg(va1);
	CHECK_FAULT(probe_write(va1 + 0x104, 0x22222222), 0x3, va1 + 0x104);
	CHECK_EQ(rd32(pa1 + 0x104), 0);
	CHECK(!probe_read(va1 + 0x100, &v));
	CHECK_EQ(v, 0x11111111);
	/* Not present: write 0x2, read 0x0, with or without an address. */
	ea2 = entry_addr(root, va2, 1);
	pte_set(ea2, 0);
	invlpg(va2);
	CHECK_FAULT(probe_write(va2 + 0x10, 1), 0x2, va2 + 0x10);
	CHECK_FAULT(probe_read(va2 + 0x20, 0), 0x0, va2 + 0x20);
	pte_set(ea2, pa2 | PTE_RW);
	invlpg(va2);
	CHECK_FAULT(probe_read(va2 + 0x30, 0), 0x0, va2 + 0x30);
	pte_set(ea2, pa2 | PTE_P | PTE_RW);
	invlpg(va2);
	CHECK(!probe_read(va2, &v));
	CHECK_EQ(v, 0xb0000002);
	/* Not present at the directory level. */
	CHECK_FAULT(probe_write(nowhere, 5), 0x2, nowhere);
	CHECK_FAULT(probe_read(nowhere + 4, 0), 0x0, nowhere + 4);
	end();

	/* NX: "jmp *%ecx" at the start of an NX page. */
	if (fmt == FMT_32BIT) {
		skip(CHK_PF_NX, "32-bit paging has no NX bit");
	} else if (!has_nx) {
		skip(CHK_PF_NX, "CPUID 0x80000001 EDX[20] (NX) is clear");
	} else {
		begin(CHK_PF_NX);
		wr32(pa3, 0x9090e1ff);
		map4k(root, va3, pa3, PTE_P | PTE_RW | PTE_NX);
		ea3 = entry_addr(root, va3, 1);
		invlpg(va3);
		CHECK(!probe_read(va3, &v));
		CHECK_EQ(v, 0x9090e1ff);
		CHECK_FAULT(probe_exec(va3), 0x11, va3);
		pte_set(ea3, pa3 | PTE_P | PTE_RW);
		invlpg(va3);
		CHECK(!probe_exec(va3));
		pte_set(ea3, pa3 | PTE_P | PTE_RW | PTE_NX);
		invlpg(va3);
		CHECK_FAULT(probe_exec(va3), 0x11, va3);
		end();
	}

	/* CR0.WP=0: supervisor writes to read-only pages succeed. */
	begin(CHK_CR0_WP);
	cr0 = read_cr0();
	CHECK_EQ(cr0 & CR0_WP, CR0_WP);
	write_cr0(cr0 & ~CR0_WP);
	CHECK(!probe_write(va1 + 0x108, 0x33333333));
	CHECK_EQ(rd32(pa1 + 0x108), 0x33333333);
	write_cr0(cr0);
	CHECK_FAULT(probe_write(va1 + 0x10c, 0x44444444), 0x3, va1 + 0x10c);
	CHECK_EQ(rd32(pa1 + 0x10c), 0);
	write_cr0(cr0 & ~CR0_WP);
	CHECK(!probe_write(va1 + 0x10c, 0x55555555));
	CHECK_EQ(rd32(pa1 + 0x10c), 0x55555555);
	write_cr0(cr0);
	CHECK(probe_write(va1 + 0x110, 0x66666666));
	CHECK_EQ(pf.err, 0x3);
	CHECK_EQ(rd32(pa1 + 0x110), 0);
	CHECK_EQ(read_cr0() & CR0_WP, CR0_WP);
	end();
}

/*
 * 3: a reserved bit (MAXPHYADDR, SDM Vol. 3A 4.4.2 and 4.5.4) in a PTE or
 * a PDE: #PF with RSVD and P in the error code, whatever the access.
 */
static void check_pf_rsvd(void)
{
	uintptr_t root = as_root[0], va = VA_SCRATCH + 4 * PAGE, ea, pde;
	uintptr_t pa = alloc_data(0xb0000004);
	uint32_t a, b, c, d, max, v;
	uint64_t rsvd, old;

	if (fmt == FMT_32BIT) {
		skip(CHK_PF_RSVD, "not checked in 32-bit paging");
		return;
	}
	cpuid(0x80000000, &max, &b, &c, &d);
	if (max < 0x80000008) {
		skip(CHK_PF_RSVD, "no CPUID 0x80000008 (MAXPHYADDR)");
		return;
	}
	cpuid(0x80000008, &a, &b, &c, &d);
	if ((a & 0xff) >= 52) {
		skip(CHK_PF_RSVD, "MAXPHYADDR is 52: no reserved address bit");
		return;
	}
	rsvd = 1ULL << (a & 0xff);
	begin(CHK_PF_RSVD);
	map4k(root, va, pa, PTE_P | PTE_RW);
	ea = entry_addr(root, va, 1);
	invlpg(va);
	CHECK(!probe_read(va, &v));
	CHECK_EQ(v, 0xb0000004);
	pte_set(ea, pa | rsvd | PTE_P | PTE_RW);
	invlpg(va);
	CHECK_FAULT(probe_read(va + 0x10, 0), 0x9, va + 0x10);
	CHECK_FAULT(probe_write(va + 0x14, 1), 0xb, va + 0x14);
	CHECK_EQ(rd32(pa + 0x14), 0);
	pte_set(ea, pa | PTE_P | PTE_RW);
	pde = entry_addr(root, va, 2);
	old = pte_get(pde);
	pte_set(pde, old | rsvd);
	invlpg(va);
	CHECK_FAULT(probe_read(va + 0x18, 0), 0x9, va + 0x18);
	pte_set(pde, old);
	invlpg(va);
	CHECK(!probe_read(va, &v));
	CHECK_EQ(v, 0xb0000004);
	end();
}

/* Read @size bytes mapped at @va: they must be the pattern of @pa. */
static void check_pattern(uintptr_t va, uint64_t pa, uint64_t size)
{
	uint64_t off;

	for (off = 0; off < size; off += 0x11000) {
		uint64_t page = off & ~0xfffULL;

		CHECK_EQ(rd32(va + page), pattern(pa + page));
		CHECK_EQ(rd32(va + page + 0xffc), pattern(pa + page));
	}
}

/* 4: reads (and a write) through large pages. */
static void check_large(void)
{
	uintptr_t root = as_root[0], ea;
	uint64_t pa = PG_LARGE_PA, pa2 = PG_LARGE_PA + large_size;
	uint64_t va1g = VA_1G;

	begin(CHK_LARGE);
	map_large(root, VA_LARGE, pa, 2, PTE_P | PTE_RW);
	ea = entry_addr(root, VA_LARGE, 2);
	invlpg(VA_LARGE);
	check_pattern(VA_LARGE, pa, large_size);
	wr32(VA_LARGE + large_size - 8, 0x1a46e000);
	CHECK_EQ(rd32(pa + large_size - 8), 0x1a46e000);
	/* Remapped: one INVLPG anywhere in it drops the whole page. */
	pte_set(ea, pa2 | PTE_P | PTE_RW | PTE_PS);
	invlpg(VA_LARGE + 0x3000);
	check_pattern(VA_LARGE, pa2, large_size);
	pte_set(ea, pa | PTE_P | PTE_RW | PTE_PS);
	invlpg(VA_LARGE);
	CHECK_EQ(rd32(VA_LARGE + large_size - 8), 0x1a46e000);
	end();

	if (fmt != FMT_4LEVEL) {
		skip(CHK_LARGE_1G, "1 GiB pages exist only in 4-level paging");
	} else if (!has_1g) {
		skip(CHK_LARGE_1G,
		     "CPUID 0x80000001 EDX[26] (1 GiB pages) is clear");
	} else {
		begin(CHK_LARGE_1G);
		map_large(root, va1g, 0, 3, PTE_P | PTE_RW);
		invlpg(va1g);
		check_pattern(va1g + PG_LARGE_PA, PG_LARGE_PA, 2 * large_size);
		CHECK_EQ(rd32(va1g + PG_IMAGE), rd32(PG_IMAGE));
		wr32(va1g + pa + 0x10, 0x1c0ffee1);
		CHECK_EQ(rd32(pa + 0x10), 0x1c0ffee1);
		end();
	}
}

/* Accessed and dirty bits of the entry at @ea after a read and a write
 * of @va, starting from A = D = 0; @upper is an entry above it whose A
 * bit is cleared too (or 0).
 */
static void check_ad_entry(uintptr_t ea, uintptr_t upper, uintptr_t va)
{
	int round;

	for (round = 0; round < 2; round++) {
		pte_set(ea, pte_get(ea) & ~(PTE_A | PTE_D));
		if (upper)
			pte_set(upper, pte_get(upper) & ~PTE_A);
		invlpg(va);
		CHECK_EQ(pte_get(ea) & (PTE_A | PTE_D), 0);
		(void)rd32(va);
		CHECK_EQ(pte_get(ea) & (PTE_A | PTE_D), PTE_A);
		if (upper)
			CHECK_EQ(pte_get(upper) & PTE_A, PTE_A);
		(void)rd32(va + 0x40);
		CHECK_EQ(pte_get(ea) & PTE_D, 0);
		wr32(va + 0x80, round);
		CHECK_EQ(pte_get(ea) & (PTE_A | PTE_D), PTE_A | PTE_D);
	}
}

/* 5: A and D bits. */
static void check_ad(void)
{
	uintptr_t root = as_root[0], va = VA_SCRATCH + 5 * PAGE, ea, pde;
	uintptr_t pa = alloc_data(0xb0000005);

	begin(CHK_AD_BITS);
	/* A fresh PTE with A = D = 0. */
	map4k(root, va, pa, PTE_P | PTE_RW);
	ea = entry_addr(root, va, 1);
	pde = entry_addr(root, va, 2);
	check_ad_entry(ea, pde, va);
	/* In 4-level paging the PDPTE has an A bit too (PAE's has none). */
	if (fmt == FMT_4LEVEL)
		check_ad_entry(ea, entry_addr(root, va, 3), va);
	/* A large page's PDE. */
	check_ad_entry(entry_addr(root, VA_LARGE, 2), 0, VA_LARGE + 0x5000);
	end();
}

/* 6: beyond RAM: the host sees the exact guest-physical addresses. */
static void check_mmio(void)
{
	uintptr_t va = VA_MMIO + (PG_MMIO_GPA & 0xfff);

	begin(CHK_MMIO);
	map4k(as_root[0], VA_MMIO, PG_MMIO_GPA & ~0xfffULL, PTE_P | PTE_RW);
	invlpg(VA_MMIO);
	CHECK_EQ(rd32(va + PG_MMIO_ROFF),
		 PG_MMIO_RVAL(PG_MMIO_GPA + PG_MMIO_ROFF));
	wr32(va + PG_MMIO_WOFF, PG_MMIO_WVAL);
	end();
}

/* 7: a page table unlinked and reused as data, then as a table again. */
static void check_pt_reuse(void)
{
	uintptr_t root = as_root[0], pde, pt;
	uintptr_t pa[PG_TEST_PAGES], pb[PG_TEST_PAGES];
	uint32_t i, k, round, v;

	begin(CHK_PT_REUSE);
	for (i = 0; i < PG_TEST_PAGES; i++) {
		pa[i] = alloc_data(0xc0000000 | i);
		pb[i] = alloc_data(0xc1000000 | i);
		map4k(root, VA_REUSE + i * PAGE, pa[i], PTE_P | PTE_RW);
	}
	for (i = 0; i < PG_TEST_PAGES; i++)
		CHECK_EQ(rd32(VA_REUSE + i * PAGE), 0xc0000000 | i);
	wr32(VA_REUSE + 4, 0x77);
	pde = entry_addr(root, VA_REUSE, 2);
	pt = pte_get(pde) & addr_mask;
	/* Unlinked: the PDE cleared, the VAs flushed. */
	pte_set(pde, 0);
	for (i = 0; i < PG_TEST_PAGES; i++)
		invlpg(VA_REUSE + i * PAGE);
	/* Data: 1024 words per round, some of them PTE-like. */
	for (round = 0; round < 3; round++) {
		for (k = 0; k < 1024; k++)
			wr32(pt + 4 * k, (k * 0x9e3779b9U) ^ (round << 24) ^
			     (k & 1 ? 0x00600003 : 0));
		for (k = 0; k < 1024; k++)
			if (!CHECK_EQ(rd32(pt + 4 * k), (k * 0x9e3779b9U) ^
				      (round << 24) ^ (k & 1 ? 0x00600003 : 0)))
				break;
	}
	for (i = 0; i < PG_TEST_PAGES; i++) {
		CHECK_FAULT(probe_read(VA_REUSE + i * PAGE + 0x40, &v),
			    0, VA_REUSE + i * PAGE + 0x40);
	}
	write_cr3(read_cr3());
	CHECK(probe_write(VA_REUSE + 0x44, 1));
	CHECK_EQ(pf.err, 0x2);
	CHECK_EQ(rd32(pa[0] + 0x44), 0);
	CHECK_EQ(rd32(pa[0] + 4), 0x77);
	/* A page table again, mapping other pages. */
	memset((void *)pt, 0, PAGE);
	for (i = 0; i < PG_TEST_PAGES; i++)
		pte_set(ent(pt, VA_REUSE + i * PAGE, 1),
			pb[i] | PTE_P | PTE_RW);
	pte_set(pde, pt | PTE_P | PTE_RW);
	write_cr3(read_cr3());
	for (i = 0; i < PG_TEST_PAGES; i++)
		CHECK_EQ(rd32(VA_REUSE + i * PAGE), 0xc1000000 | i);
	end();
}

/*
 * Paging off (32-bit and PAE): guest-physical addresses again, RAM and
 * beyond it; CR3 loaded while paging is off; paging on again.
 */
static void check_paging_off(void)
{
	ureg cr0 = read_cr0();

	if (fmt == FMT_4LEVEL) {
		skip(CHK_PAGING_OFF, "long mode runs with paging on");
		return;
	}
	begin(CHK_PAGING_OFF);
	write_cr0(cr0 & ~CR0_PG);
	CHECK_EQ(read_cr0() & CR0_PG, 0);
	CHECK_EQ(rd32(as_pa[2][3]), as_tag(2, 3));
	wr32(as_pa[1][0] + 0x200, 0x0ff0ff01);
	CHECK_EQ(rd32(PG_MMIO_GPA + PG_MMIO_OFF_ROFF),
		 PG_MMIO_RVAL(PG_MMIO_GPA + PG_MMIO_OFF_ROFF));
	wr32(PG_MMIO_GPA + PG_MMIO_OFF_WOFF, PG_MMIO_WVAL);
	write_cr3(as_root[1]);
	write_cr0(cr0);
	CHECK_EQ(read_cr0() & CR0_PG, CR0_PG);
	CHECK_EQ(rd32(VA_TEST + 0x200), 0x0ff0ff01);
	CHECK_EQ(rd32(VA_TEST + 3 * PAGE), as_tag(1, 3));
	write_cr3(as_root[0]);
	CHECK_EQ(rd32(VA_TEST + 3 * PAGE), as_tag(0, 3));
	end();
}

/* 8: ticks per CR3 load plus a read of 16 pages, over 4 spaces. */
static void check_ctxsw(void)
{
	uint32_t expect[PG_CTXSW_AS][PG_TEST_PAGES], bad = 0, it, n, i;
	uint64_t t0, t1;

	begin(CHK_CTXSW);
	for (n = 0; n < PG_CTXSW_AS; n++) {
		write_cr3(as_root[n]);
		for (i = 0; i < PG_TEST_PAGES; i++) {
			expect[n][i] = as_tag(n, i);
			(void)rd32(VA_TEST + i * PAGE);
		}
	}
	t0 = rdtsc();
	for (it = 0; it < PG_CTXSW_ITERS; it++) {
		n = it % PG_CTXSW_AS;
		write_cr3(as_root[n]);
		for (i = 0; i < PG_TEST_PAGES; i++)
			bad += rd32(VA_TEST + i * PAGE) != expect[n][i];
	}
	t1 = rdtsc();
	write_cr3(as_root[0]);
	CHECK_EQ(bad, 0);
	send(PG_FIGURE, CHK_CTXSW, 1, 0, 0, t1 - t0, PG_CTXSW_ITERS);
	end();
}

/*
 * Run @fn; an unexpected exception in it fails the check under way (the
 * host says "no result" for the checks @fn did not reach) and the next
 * ones run on address space 0 with CR0.WP set.
 */
static void run_check(void (*fn)(void))
{
	if (!__builtin_setjmp(recover_buf)) {
		recover_armed = 1;
		fn();
		recover_armed = 0;
		return;
	}
	write_cr3(as_root[0]);
	write_cr0(read_cr0() | CR0_WP);
	send(PG_RESULT, cur_check, 0, 0, 0, 0, 0);
}

/* --- start-up --------------------------------------------------------- */

/* paging has one vCPU: @id is 0. */
void guest_main(ureg format, ureg id)
{
	uint32_t a, b, c, d, max;
	uint64_t pa;
	int n;

	(void)id;
	pg_format_init(format);
	idt_build();
	idt_load();
	cpuid(0x80000000, &max, &b, &c, &d);
	if (max >= 0x80000001) {
		cpuid(0x80000001, &a, &b, &c, &d);
		has_nx = !!(d & (1U << 20));
		has_1g = !!(d & (1U << 26));
	}
	if (has_nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);

	/* The patterned region the large pages map. */
	for (pa = PG_LARGE_PA; pa < PG_LARGE_PA + PG_LARGE_SIZE; pa += PAGE) {
		wr32(pa, pattern(pa));
		wr32(pa + 0xffc, pattern(pa));
	}
	for (n = 0; n < PG_AS_NR; n++)
		make_as(n);

	/* Paging on, on address space 0 (4-level: already on). */
	paging_on(as_root[0]);

	run_check(check_as_switch);
	run_check(check_remap);
	run_check(check_pae_pdpte);
	run_check(check_faults);
	run_check(check_pf_rsvd);
	run_check(check_large);
	run_check(check_ad);
	run_check(check_mmio);
	run_check(check_pt_reuse);
	run_check(check_paging_off);
	run_check(check_ctxsw);
	send(PG_DONE, 0, 1, 0, 0, digest, 0);
}
