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
#include "paging_guest.h"

#ifdef __x86_64__
typedef uint64_t ureg;
#define MOVP	"movq"
#else
typedef uint32_t ureg;
#define MOVP	"movl"
#endif

/* Page-table entry bits (SDM Vol. 3A 4.3, 4.4, 4.5). */
#define PTE_P	0x1ULL
#define PTE_RW	0x2ULL
#define PTE_A	0x20ULL
#define PTE_D	0x40ULL
#define PTE_PS	0x80ULL
#define PTE_NX	(1ULL << 63)

#define CR0_WP	(1UL << 16)
#define CR0_PG	(1UL << 31)
#define CR4_PSE	(1UL << 4)
#define CR4_PAE	(1UL << 5)
#define MSR_EFER	0xc0000080
#define EFER_NXE	(1U << 11)

#define PAGE	0x1000UL

static int fmt;
static unsigned int top_level, esz;	/* 2, 3 or 4 levels; entry bytes */
static uint64_t addr_mask;
static int has_nx, has_1g;
static uint64_t digest = 0xcbf29ce484222325ULL;
static int cur_check, failed, notes;
static uintptr_t pt_next = PG_PT_POOL, data_next = PG_DATA_POOL;
static uintptr_t as_root[PG_AS_NR], as_pa[PG_AS_NR][PG_TEST_PAGES];
static unsigned long large_size;

/* GCC may emit calls to these even in freestanding code. */
void *memset(void *d, int c, unsigned long n);
void *memset(void *d, int c, unsigned long n)
{
	volatile unsigned char *p = d;

	while (n--)
		*p++ = c;
	return d;
}

void *memcpy(void *d, const void *s, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n)
{
	volatile unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

/* --- the report protocol ---------------------------------------------- */

static void send(uint32_t cmd, uint32_t check, uint32_t ok, uint32_t line,
		 const char *expr, uint64_t a, uint64_t b)
{
	volatile struct pg_msg m = {
		.cmd = cmd, .check = check, .ok = ok, .line = line,
		.expr = (uintptr_t)expr, .a = a, .b = b,
	};

	/* The stack is identity-mapped: its address is guest-physical. */
	__asm__ volatile("outl %0, %1"
			 : : "a"((uint32_t)(uintptr_t)&m), "Nd"(PG_PORT)
			 : "memory");
}

/* Every value a check compares goes into the digest the host compares
 * across paging modes.
 */
static void observe(uint64_t v)
{
	digest = (digest ^ v) * 0x100000001b3ULL;
}

static int check_eq(int line, const char *expr, uint64_t got, uint64_t want)
{
	observe(got);
	if (got == want)
		return 1;
	failed = 1;
	if (notes++ < 8)
		send(PG_NOTE, cur_check, 0, line, expr, got, want);
	return 0;
}

#define CHECK_EQ(got, want)	check_eq(__LINE__, #got " == " #want, \
					 (got), (want))
#define CHECK(cond)		check_eq(__LINE__, #cond, !!(cond), 1)

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

static inline ureg read_cr0(void)
{
	ureg v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(ureg v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline ureg read_cr2(void)
{
	ureg v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline ureg read_cr3(void)
{
	ureg v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(ureg v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline ureg read_cr4(void)
{
	ureg v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(ureg v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

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

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

static inline uint32_t rd32(uintptr_t va)
{
	return *(volatile uint32_t *)va;
}

static inline void wr32(uintptr_t va, uint32_t v)
{
	*(volatile uint32_t *)va = v;
}

/* --- exceptions ------------------------------------------------------- */

/*
 * A probe sets fixup_ip to the instruction after its access; the #PF
 * handler records the error code and CR2 (read first thing: another
 * fault would overwrite it) and resumes there.  Any other exception, or
 * a #PF outside a probe, is reported and fails the check it happened in:
 * the handler jumps back to run_check() (recover_buf), which goes on
 * with the next one.
 */
static volatile ureg fixup_ip;
static volatile uint32_t pf_count;
static volatile ureg pf_err, pf_cr2;
static void *recover_buf[5];
static volatile int recover_armed;

struct frame {
#ifdef __x86_64__
	ureg gpr[9];	/* r11 r10 r9 r8 rdi rsi rdx rcx rax */
#else
	ureg gpr[8];	/* pusha */
#endif
	ureg vector, err, ip, cs, flags;
};

void exc_handler(struct frame *f);
void exc_handler(struct frame *f)
{
	ureg cr2 = read_cr2();

	if (f->vector == 14 && fixup_ip) {
		pf_count++;
		pf_err = f->err;
		pf_cr2 = cr2;
		f->ip = fixup_ip;
		fixup_ip = 0;
		return;
	}
	send(PG_NOTE, cur_check, 0, __LINE__,
	     "unexpected exception: a = vector, b = ip", f->vector, f->ip);
	send(PG_NOTE, cur_check, 0, __LINE__,
	     "unexpected exception: a = error code, b = cr2", f->err, cr2);
	if (recover_armed) {
		recover_armed = 0;
		fixup_ip = 0;
		__builtin_longjmp(recover_buf, 1);
	}
	for (;;)
		__asm__ volatile("cli; hlt");
}

#define ISR_NOERR(n) "isr" #n ": push $0\n push $" #n "\n jmp isr_common\n"
#define ISR_ERR(n) "isr" #n ": push $" #n "\n jmp isr_common\n"

__asm__(".text\n"
	ISR_NOERR(0) ISR_NOERR(1) ISR_NOERR(2) ISR_NOERR(3) ISR_NOERR(4)
	ISR_NOERR(5) ISR_NOERR(6) ISR_NOERR(7) ISR_ERR(8) ISR_NOERR(9)
	ISR_ERR(10) ISR_ERR(11) ISR_ERR(12) ISR_ERR(13) ISR_ERR(14)
	ISR_NOERR(15) ISR_NOERR(16) ISR_ERR(17) ISR_NOERR(18)
	ISR_NOERR(19) ISR_NOERR(20) ISR_ERR(21)
	"isr_common:\n"
#ifdef __x86_64__
	" push %rax\n push %rcx\n push %rdx\n push %rsi\n push %rdi\n"
	" push %r8\n push %r9\n push %r10\n push %r11\n"
	" mov %rsp, %rdi\n call exc_handler\n"
	" pop %r11\n pop %r10\n pop %r9\n pop %r8\n pop %rdi\n"
	" pop %rsi\n pop %rdx\n pop %rcx\n pop %rax\n"
	" add $16, %rsp\n iretq\n"
	".data\n isr_table: .quad "
#else
	" pusha\n push %esp\n call exc_handler\n add $4, %esp\n popa\n"
	" add $8, %esp\n iret\n"
	".data\n isr_table: .long "
#endif
	"isr0, isr1, isr2, isr3, isr4, isr5, isr6, isr7, isr8, isr9, isr10,"
	"isr11, isr12, isr13, isr14, isr15, isr16, isr17, isr18, isr19,"
	"isr20, isr21\n"
	".text\n");

#define NR_VECTORS	22
extern ureg isr_table[NR_VECTORS];

#ifdef __x86_64__
static uint64_t idt[NR_VECTORS * 2] __attribute__((aligned(16)));
#else
static uint64_t idt[NR_VECTORS] __attribute__((aligned(16)));
#endif

/* Interrupt gates, selector 0x08 (SDM Vol. 3A 6.11 and 6.14.1). */
static void idt_init(void)
{
	struct {
		uint16_t limit;
		ureg base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uintptr_t)idt };
	int i;

	for (i = 0; i < NR_VECTORS; i++) {
		uint64_t a = isr_table[i];
		uint64_t g = (a & 0xffff) | 0x08ULL << 16 | 0x8eULL << 40 |
			     ((a >> 16) & 0xffff) << 48;
#ifdef __x86_64__
		idt[2 * i] = g;
		idt[2 * i + 1] = a >> 32;
#else
		idt[i] = g;
#endif
	}
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* Access @va; 1 if it faulted (pf_err and pf_cr2 then say how). */
static int probe_read(uintptr_t va, uint32_t *val)
{
	uint32_t before = pf_count, v = 0xdeadbeef;

	__asm__ volatile(MOVP " $1f, %[fx]\n\t"
			 "movl (%[va]), %[v]\n\t"
			 "1:"
			 : [fx] "=m"(fixup_ip), [v] "+r"(v)
			 : [va] "r"(va) : "memory");
	fixup_ip = 0;
	if (val)
		*val = v;
	return pf_count != before;
}

static int probe_write(uintptr_t va, uint32_t v)
{
	uint32_t before = pf_count;

	__asm__ volatile(MOVP " $1f, %[fx]\n\t"
			 "movl %[v], (%[va])\n\t"
			 "1:"
			 : [fx] "=m"(fixup_ip)
			 : [va] "r"(va), [v] "r"(v) : "memory");
	fixup_ip = 0;
	return pf_count != before;
}

/* Jump to @va, which holds "jmp *%ecx" (or *%rcx): back here either way. */
static int probe_exec(uintptr_t va)
{
	uint32_t before = pf_count;

	__asm__ volatile(MOVP " $1f, %[fx]\n\t"
			 "movl $1f, %%ecx\n\t"
			 "jmp *%[va]\n\t"
			 "1:"
			 : [fx] "=m"(fixup_ip)
			 : [va] "r"(va) : "ecx", "memory");
	fixup_ip = 0;
	return pf_count != before;
}

/* --- page tables ------------------------------------------------------ */

static uint64_t pte_get(uintptr_t ea)
{
	if (esz == 4)
		return *(volatile uint32_t *)ea;
	return *(volatile uint64_t *)ea;
}

static void pte_set(uintptr_t ea, uint64_t v)
{
#ifndef __x86_64__
	volatile uint32_t *e = (volatile uint32_t *)ea;

	if (esz == 4) {
		*e = v;
		return;
	}
	/* A PAE entry from 32-bit code takes two stores: the half with P
	 * last when it becomes present, first when it stops being so.
	 */
	if (v & PTE_P) {
		e[1] = v >> 32;
		e[0] = v;
	} else {
		e[0] = v;
		e[1] = v >> 32;
	}
#else
	*(volatile uint64_t *)ea = v;
#endif
}

static unsigned int idx_of(uint64_t va, unsigned int level)
{
	if (fmt == FMT_32BIT)
		return (va >> (12 + 10 * (level - 1))) & 0x3ff;
	if (fmt == FMT_PAE && level == 3)
		return (va >> 30) & 3;
	return (va >> (12 + 9 * (level - 1))) & 0x1ff;
}

/* The entry for @va in @table, a table of @level. */
static uintptr_t ent(uintptr_t table, uint64_t va, unsigned int level)
{
	return table + idx_of(va, level) * esz;
}

static uintptr_t alloc_pt(void)
{
	uintptr_t p = pt_next;

	pt_next += PAGE;
	if (pt_next > PG_PT_POOL_END) {
		send(PG_NOTE, cur_check, 0, __LINE__, "page-table pool empty",
		     0, 0);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	memset((void *)p, 0, PAGE);
	return p;
}

/* A data page whose first word is @tag, the rest zero. */
static uintptr_t alloc_data(uint32_t tag)
{
	uintptr_t p = data_next;

	data_next += PAGE;
	if (data_next > PG_DATA_POOL_END) {
		send(PG_NOTE, cur_check, 0, __LINE__, "data pool empty", 0, 0);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	memset((void *)p, 0, PAGE);
	wr32(p, tag);
	return p;
}

/* Intermediate entries: PAE's PDPTEs have no R/W bit (SDM 4.4.1). */
static uint64_t table_flags(unsigned int level)
{
	return fmt == FMT_PAE && level == 3 ? PTE_P : PTE_P | PTE_RW;
}

/*
 * The address of the entry at @level mapping @va under @root, creating
 * the missing tables above it.
 */
static uintptr_t entry_addr(uintptr_t root, uint64_t va, unsigned int level)
{
	uintptr_t table = root;
	unsigned int l;

	for (l = top_level; l > level; l--) {
		uintptr_t ea = ent(table, va, l);
		uint64_t e = pte_get(ea);

		if (!(e & PTE_P)) {
			e = alloc_pt() | table_flags(l);
			pte_set(ea, e);
		}
		table = e & addr_mask;
	}
	return ent(table, va, level);
}

static void map4k(uintptr_t root, uint64_t va, uint64_t pa, uint64_t flags)
{
	pte_set(entry_addr(root, va, 1), pa | flags);
}

static void map_large(uintptr_t root, uint64_t va, uint64_t pa,
		      unsigned int level, uint64_t flags)
{
	pte_set(entry_addr(root, va, level), pa | flags | PTE_PS);
}

static uint32_t tag(int as, int page)
{
	return 0xa5000000U | as << 8 | page;
}

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
	uintptr_t root = alloc_pt();
	uint64_t va;
	int i;

	if (n == 0) {
		for (va = 0; va < PG_IDENT_END; va += large_size)
			map_large(root, va, va, 2, PTE_P | PTE_RW);
	} else if (fmt == FMT_32BIT) {
		for (va = 0; va < PG_IDENT_END; va += large_size)
			pte_set(entry_addr(root, va, 2),
				pte_get(entry_addr(as_root[0], va, 2)));
	} else {
		pte_set(entry_addr(root, 0, 3),
			pte_get(entry_addr(as_root[0], 0, 3)));
	}
	for (i = 0; i < PG_TEST_PAGES; i++) {
		as_pa[n][i] = alloc_data(tag(n, i));
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
		rnd = rnd * 1103515245U + 12345U;
		n = (rnd >> 16) % PG_AS_NR;
		write_cr3(as_root[n]);
		for (i = 0; i < PG_TEST_PAGES; i++)
			CHECK_EQ(rd32(VA_TEST + i * PAGE), tag(n, i));
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
	CHECK(probe_read(va, 0));
	CHECK_EQ(pf_err, 0);
	CHECK_EQ(pf_cr2, va);
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
	CHECK(probe_write(va1 + 0x104, 0x22222222));
	CHECK_EQ(pf_err, 0x3);
	CHECK_EQ(pf_cr2, va1 + 0x104);
	CHECK_EQ(rd32(pa1 + 0x104), 0);
	CHECK(!probe_read(va1 + 0x100, &v));
	CHECK_EQ(v, 0x11111111);
	/* Not present: write 0x2, read 0x0, with or without an address. */
	ea2 = entry_addr(root, va2, 1);
	pte_set(ea2, 0);
	invlpg(va2);
	CHECK(probe_write(va2 + 0x10, 1));
	CHECK_EQ(pf_err, 0x2);
	CHECK_EQ(pf_cr2, va2 + 0x10);
	CHECK(probe_read(va2 + 0x20, 0));
	CHECK_EQ(pf_err, 0x0);
	CHECK_EQ(pf_cr2, va2 + 0x20);
	pte_set(ea2, pa2 | PTE_RW);
	invlpg(va2);
	CHECK(probe_read(va2 + 0x30, 0));
	CHECK_EQ(pf_err, 0x0);
	CHECK_EQ(pf_cr2, va2 + 0x30);
	pte_set(ea2, pa2 | PTE_P | PTE_RW);
	invlpg(va2);
	CHECK(!probe_read(va2, &v));
	CHECK_EQ(v, 0xb0000002);
	/* Not present at the directory level. */
	CHECK(probe_write(nowhere, 5));
	CHECK_EQ(pf_err, 0x2);
	CHECK_EQ(pf_cr2, nowhere);
	CHECK(probe_read(nowhere + 4, 0));
	CHECK_EQ(pf_err, 0x0);
	CHECK_EQ(pf_cr2, nowhere + 4);
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
		CHECK(probe_exec(va3));
		CHECK_EQ(pf_err, 0x11);
		CHECK_EQ(pf_cr2, va3);
		pte_set(ea3, pa3 | PTE_P | PTE_RW);
		invlpg(va3);
		CHECK(!probe_exec(va3));
		pte_set(ea3, pa3 | PTE_P | PTE_RW | PTE_NX);
		invlpg(va3);
		CHECK(probe_exec(va3));
		CHECK_EQ(pf_err, 0x11);
		CHECK_EQ(pf_cr2, va3);
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
	CHECK(probe_write(va1 + 0x10c, 0x44444444));
	CHECK_EQ(pf_err, 0x3);
	CHECK_EQ(pf_cr2, va1 + 0x10c);
	CHECK_EQ(rd32(pa1 + 0x10c), 0);
	write_cr0(cr0 & ~CR0_WP);
	CHECK(!probe_write(va1 + 0x10c, 0x55555555));
	CHECK_EQ(rd32(pa1 + 0x10c), 0x55555555);
	write_cr0(cr0);
	CHECK(probe_write(va1 + 0x110, 0x66666666));
	CHECK_EQ(pf_err, 0x3);
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
	CHECK(probe_read(va + 0x10, 0));
	CHECK_EQ(pf_err, 0x9);
	CHECK_EQ(pf_cr2, va + 0x10);
	CHECK(probe_write(va + 0x14, 1));
	CHECK_EQ(pf_err, 0xb);
	CHECK_EQ(pf_cr2, va + 0x14);
	CHECK_EQ(rd32(pa + 0x14), 0);
	pte_set(ea, pa | PTE_P | PTE_RW);
	pde = entry_addr(root, va, 2);
	old = pte_get(pde);
	pte_set(pde, old | rsvd);
	invlpg(va);
	CHECK(probe_read(va + 0x18, 0));
	CHECK_EQ(pf_err, 0x9);
	CHECK_EQ(pf_cr2, va + 0x18);
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
		CHECK(probe_read(VA_REUSE + i * PAGE + 0x40, &v));
		CHECK_EQ(pf_err, 0);
		CHECK_EQ(pf_cr2, VA_REUSE + i * PAGE + 0x40);
	}
	write_cr3(read_cr3());
	CHECK(probe_write(VA_REUSE + 0x44, 1));
	CHECK_EQ(pf_err, 0x2);
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
	CHECK_EQ(rd32(as_pa[2][3]), tag(2, 3));
	wr32(as_pa[1][0] + 0x200, 0x0ff0ff01);
	CHECK_EQ(rd32(PG_MMIO_GPA + PG_MMIO_OFF_ROFF),
		 PG_MMIO_RVAL(PG_MMIO_GPA + PG_MMIO_OFF_ROFF));
	wr32(PG_MMIO_GPA + PG_MMIO_OFF_WOFF, PG_MMIO_WVAL);
	write_cr3(as_root[1]);
	write_cr0(cr0);
	CHECK_EQ(read_cr0() & CR0_PG, CR0_PG);
	CHECK_EQ(rd32(VA_TEST + 0x200), 0x0ff0ff01);
	CHECK_EQ(rd32(VA_TEST + 3 * PAGE), tag(1, 3));
	write_cr3(as_root[0]);
	CHECK_EQ(rd32(VA_TEST + 3 * PAGE), tag(0, 3));
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
			expect[n][i] = tag(n, i);
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

void guest_main(ureg format);
void guest_main(ureg format)
{
	uint32_t a, b, c, d, max;
	uint64_t pa;
	int n;

	fmt = format;
	idt_init();
	cpuid(0x80000000, &max, &b, &c, &d);
	if (max >= 0x80000001) {
		cpuid(0x80000001, &a, &b, &c, &d);
		has_nx = !!(d & (1U << 20));
		has_1g = !!(d & (1U << 26));
	}
	if (has_nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	top_level = fmt == FMT_32BIT ? 2 : fmt == FMT_PAE ? 3 : 4;
	esz = fmt == FMT_32BIT ? 4 : 8;
	addr_mask = fmt == FMT_32BIT ? 0xfffff000ULL : 0x000ffffffffff000ULL;
	large_size = fmt == FMT_32BIT ? 0x400000 : 0x200000;

	/* The patterned region the large pages map. */
	for (pa = PG_LARGE_PA; pa < PG_LARGE_PA + PG_LARGE_SIZE; pa += PAGE) {
		wr32(pa, pattern(pa));
		wr32(pa + 0xffc, pattern(pa));
	}
	for (n = 0; n < PG_AS_NR; n++)
		make_as(n);

	/* Paging on, on address space 0 (4-level: already on). */
	if (fmt == FMT_4LEVEL) {
		write_cr3(as_root[0]);
	} else {
		write_cr4(read_cr4() | (fmt == FMT_32BIT ? CR4_PSE : CR4_PAE));
		write_cr3(as_root[0]);
		write_cr0(read_cr0() | CR0_PG | CR0_WP);
	}

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

__asm__(".pushsection .text.start, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
#ifdef __x86_64__
	" call guest_main\n"
#else
	" push %edi\n call guest_main\n"
#endif
	"1: cli\n hlt\n jmp 1b\n"
	".popsection\n");
