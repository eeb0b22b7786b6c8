// SPDX-License-Identifier: GPL-2.0
/*
 * The part of the paging and paging_smp guest mini-kernels that is the
 * same in both (paging_common.h), linked into each of their images.  It
 * keeps no per-check state: the check under way, the notes and the #PF
 * probes' state are each guest's (note(), pf_state()).
 */
#include "paging_common.h"

/* A return from guest_main() halts. */
__asm__(".pushsection .text.start, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
#ifdef __x86_64__
	" call guest_main\n"
#else
	" push %esi\n push %edi\n call guest_main\n"
#endif
	"1: cli\n hlt\n jmp 1b\n"
	".popsection\n");

void *memset(void *d, int c, unsigned long n)
{
	volatile unsigned char *p = d;

	while (n--)
		*p++ = c;
	return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
	volatile unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

/* --- the report protocol ---------------------------------------------- */

void send(uint32_t cmd, uint32_t check, uint32_t ok, uint32_t line,
	  const char *expr, uint64_t a, uint64_t b)
{
	volatile struct pg_msg m = {
		.cmd = cmd, .check = check, .ok = ok, .line = line,
		.expr = (uintptr_t)expr, .a = a, .b = b,
	};

	/* The stacks are identity-mapped: the address is guest-physical. */
	__asm__ volatile("outl %0, %1"
			 : : "a"((uint32_t)(uintptr_t)&m), "Nd"(PG_PORT)
			 : "memory");
}

int check_eq(int line, const char *expr, uint64_t got, uint64_t want)
{
	observe(got);
	if (got == want)
		return 1;
	note(line, expr, got, want);
	return 0;
}

/* --- exceptions ------------------------------------------------------- */

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
void idt_build(void)
{
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
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		ureg base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/*
 * @cr2 was read first thing in the handler: another fault would
 * overwrite it.
 */
int pf_fixup(struct frame *f, ureg cr2)
{
	struct pf_state *pf = pf_state();

	if (f->vector != 14 || !pf->fixup_ip)
		return 0;
	pf->count++;
	pf->err = f->err;
	pf->cr2 = cr2;
	f->ip = pf->fixup_ip;
	pf->fixup_ip = 0;
	return 1;
}

/*
 * The fault is recorded before the handler returns to the label, so a
 * probe reads the count after the access.
 */
int probe_read(uintptr_t va, uint32_t *val)
{
	struct pf_state *pf = pf_state();
	uint32_t before = pf->count, v = 0xdeadbeef;

	__asm__ volatile(MOVP " $1f, %[fx]\n\t"
			 "movl (%[va]), %[v]\n\t"
			 "1:"
			 : [fx] "=m"(pf->fixup_ip), [v] "+r"(v)
			 : [va] "r"(va) : "memory");
	pf->fixup_ip = 0;
	if (val)
		*val = v;
	return pf->count != before;
}

int probe_write(uintptr_t va, uint32_t v)
{
	struct pf_state *pf = pf_state();
	uint32_t before = pf->count;

	__asm__ volatile(MOVP " $1f, %[fx]\n\t"
			 "movl %[v], (%[va])\n\t"
			 "1:"
			 : [fx] "=m"(pf->fixup_ip)
			 : [va] "r"(va), [v] "r"(v) : "memory");
	pf->fixup_ip = 0;
	return pf->count != before;
}

int probe_exec(uintptr_t va)
{
	struct pf_state *pf = pf_state();
	uint32_t before = pf->count;

	__asm__ volatile(MOVP " $1f, %[fx]\n\t"
			 "movl $1f, %%ecx\n\t"
			 "jmp *%[va]\n\t"
			 "1:"
			 : [fx] "=m"(pf->fixup_ip)
			 : [va] "r"(va) : "ecx", "memory");
	pf->fixup_ip = 0;
	return pf->count != before;
}

/* --- page tables ------------------------------------------------------ */

volatile int fmt;
volatile unsigned int top_level, esz;
volatile uint64_t addr_mask;
volatile unsigned long large_size;
volatile uintptr_t pt_next = PG_PT_POOL, data_next = PG_DATA_POOL;

void pg_format_init(int format)
{
	fmt = format;
	top_level = fmt == FMT_32BIT ? 2 : fmt == FMT_PAE ? 3 : 4;
	esz = fmt == FMT_32BIT ? 4 : 8;
	addr_mask = fmt == FMT_32BIT ? 0xfffff000ULL : 0x000ffffffffff000ULL;
	large_size = fmt == FMT_32BIT ? 0x400000 : 0x200000;
}

uint64_t pte_get(uintptr_t ea)
{
	if (esz == 4)
		return *(volatile uint32_t *)ea;
	return *(volatile uint64_t *)ea;
}

/* A plain store (the shadow mode emulates it: the page is protected). */
void pte_set(uintptr_t ea, uint64_t v)
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

uintptr_t ent(uintptr_t table, uint64_t va, unsigned int level)
{
	return table + idx_of(va, level) * esz;
}

/* The next zeroed page of a pool; none left is fatal. */
static uintptr_t pool_alloc(volatile uintptr_t *next, uintptr_t end,
			    const char *empty)
{
	uintptr_t p = *next;

	*next += PAGE;
	if (*next > end) {
		note(__LINE__, empty, 0, 0);
		halt_forever();
	}
	memset((void *)p, 0, PAGE);
	return p;
}

uintptr_t alloc_pt(void)
{
	return pool_alloc(&pt_next, PG_PT_POOL_END, "page-table pool empty");
}

uintptr_t alloc_data(uint32_t tag)
{
	uintptr_t p = pool_alloc(&data_next, PG_DATA_POOL_END,
				 "data pool empty");

	wr32(p, tag);
	return p;
}

/* Intermediate entries: PAE's PDPTEs have no R/W bit (SDM 4.4.1). */
static uint64_t table_flags(unsigned int level)
{
	return fmt == FMT_PAE && level == 3 ? PTE_P : PTE_P | PTE_RW;
}

uintptr_t entry_addr(uintptr_t root, uint64_t va, unsigned int level)
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

void map4k(uintptr_t root, uint64_t va, uint64_t pa, uint64_t flags)
{
	pte_set(entry_addr(root, va, 1), pa | flags);
}

void map_large(uintptr_t root, uint64_t va, uint64_t pa, unsigned int level,
	       uint64_t flags)
{
	pte_set(entry_addr(root, va, level), pa | flags | PTE_PS);
}

uintptr_t make_as_root(uintptr_t as0)
{
	uintptr_t root = alloc_pt();
	uint64_t va;

	if (!as0) {
		for (va = 0; va < PG_IDENT_END; va += large_size)
			map_large(root, va, va, 2, PTE_P | PTE_RW);
	} else if (fmt == FMT_32BIT) {
		for (va = 0; va < PG_IDENT_END; va += large_size)
			pte_set(entry_addr(root, va, 2),
				pte_get(entry_addr(as0, va, 2)));
	} else {
		pte_set(entry_addr(root, 0, 3), pte_get(entry_addr(as0, 0, 3)));
	}
	return root;
}

uint32_t as_switch_step(uint32_t *rnd, const volatile uintptr_t *roots,
			uint32_t nr, uintptr_t va, uint32_t pages)
{
	uint32_t n, i;

	*rnd = *rnd * 1103515245U + 12345U;
	n = (*rnd >> 16) % nr;
	write_cr3(roots[n]);
	for (i = 0; i < pages; i++)
		CHECK_EQ(rd32(va + i * PAGE), as_tag(n, i));
	return n;
}

void paging_on(uintptr_t root)
{
	if (fmt == FMT_4LEVEL) {
		write_cr3(root);
	} else {
		write_cr4(read_cr4() | (fmt == FMT_32BIT ? CR4_PSE : CR4_PAE));
		write_cr3(root);
		write_cr0(read_cr0() | CR0_PG | CR0_WP);
	}
}
