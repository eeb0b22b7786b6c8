/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest mini-kernels of paging (paging_guest.c) and paging_smp
 * (paging_smp_guest.c) share, from paging_common.c, linked into both: the
 * CPU helpers, the report through PG_PORT, the IDT and its stubs, the
 * #PF probes, and the page tables of the three formats.
 */
#ifndef VTXHV_PAGING_COMMON_H
#define VTXHV_PAGING_COMMON_H

#include "paging_guest.h"

#ifdef __x86_64__
typedef uint64_t ureg;
#define MOVP	"movq"
#define SP	"rsp"
#else
typedef uint32_t ureg;
#define MOVP	"movl"
#define SP	"esp"
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

#define PAGE	0x1000UL

/* --- CPU helpers ------------------------------------------------------ */

/* read_cr0() and write_cr0(), and so on. */
#define CR_ACCESSORS(n)							\
static inline ureg read_cr##n(void)					\
{									\
	ureg v;								\
									\
	__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));		\
	return v;							\
}									\
									\
static inline void write_cr##n(ureg v)					\
{									\
	__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");	\
}

CR_ACCESSORS(0)
CR_ACCESSORS(2)
CR_ACCESSORS(3)
CR_ACCESSORS(4)

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

static inline uint32_t rd32(uintptr_t va)
{
	return *(volatile uint32_t *)va;
}

static inline void wr32(uintptr_t va, uint32_t v)
{
	*(volatile uint32_t *)va = v;
}

static inline void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* GCC may emit calls to these even in freestanding code. */
void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

/*
 * The guest's own, entered from _start (at the image's first byte) with
 * the format in EDI/RDI and the vCPU's number in ESI/RSI.
 */
void guest_main(ureg format, ureg id);

/* --- the report protocol ---------------------------------------------- */

void send(uint32_t cmd, uint32_t check, uint32_t ok, uint32_t line,
	  const char *expr, uint64_t a, uint64_t b);

/*
 * Each guest's own: a failed detail of the check under way (the check
 * fails; the first few are reported), and a value a check compared, for
 * the digest the host compares across paging modes.
 */
void note(int line, const char *what, uint64_t a, uint64_t b);
void observe(uint64_t v);

/* Observe @got; a note if it is not @want. */
int check_eq(int line, const char *expr, uint64_t got, uint64_t want);

#define CHECK_EQ(got, want)	check_eq(__LINE__, #got " == " #want, \
					 (got), (want))
#define CHECK(cond)		check_eq(__LINE__, #cond, !!(cond), 1)

/* --- exceptions ------------------------------------------------------- */

/* What the stubs push before they call the guest's exc_handler(). */
struct frame {
#ifdef __x86_64__
	ureg gpr[9];	/* r11 r10 r9 r8 rdi rsi rdx rcx rax */
#else
	ureg gpr[8];	/* pusha */
#endif
	ureg vector, err, ip, cs, flags;
};

void exc_handler(struct frame *f);

/* Vectors 0-21 to exc_handler(), through interrupt gates. */
void idt_build(void);
void idt_load(void);

/*
 * A probe sets fixup_ip to the instruction after its access; the #PF
 * handler, through pf_fixup(), records the error code and CR2 and
 * resumes there.  The state is the guest's (one for paging, one per
 * vCPU for paging_smp): pf_state() finds it.
 */
struct pf_state {
	volatile ureg fixup_ip;
	volatile uint32_t count;
	volatile ureg err, cr2;
};

struct pf_state *pf_state(void);

/* 1 if @f is a #PF of a probe, which then resumes after its access. */
int pf_fixup(struct frame *f, ureg cr2);

/* Access @va; 1 if it faulted (pf_state()'s err and cr2 say how). */
int probe_read(uintptr_t va, uint32_t *val);
int probe_write(uintptr_t va, uint32_t v);
/* Jump to @va, which holds "jmp *%ecx" (or *%rcx): back here either way. */
int probe_exec(uintptr_t va);

/* --- page tables ------------------------------------------------------ */

/*
 * The format and what follows from it, set by pg_format_init() (on
 * paging_smp by vCPU 0 before the others start; volatile, so that they
 * read it after the flag that says it is ready).
 */
extern volatile int fmt;
extern volatile unsigned int top_level, esz;	/* 2, 3 or 4; entry bytes */
extern volatile uint64_t addr_mask;
extern volatile unsigned long large_size;	/* 4 MiB or 2 MiB */
extern volatile uintptr_t pt_next, data_next;	/* the pools' next pages */

void pg_format_init(int format);

uint64_t pte_get(uintptr_t ea);
void pte_set(uintptr_t ea, uint64_t v);
/* The entry for @va in @table, a table of @level. */
uintptr_t ent(uintptr_t table, uint64_t va, unsigned int level);
uintptr_t alloc_pt(void);
/* A data page whose first word is @tag, the rest zero. */
uintptr_t alloc_data(uint32_t tag);
/*
 * The address of the entry at @level mapping @va under @root, creating
 * the missing tables above it.
 */
uintptr_t entry_addr(uintptr_t root, uint64_t va, unsigned int level);
void map4k(uintptr_t root, uint64_t va, uint64_t pa, uint64_t flags);
void map_large(uintptr_t root, uint64_t va, uint64_t pa, unsigned int level,
	       uint64_t flags);
/*
 * A new address space: the identity map of the low 32 MiB (large pages),
 * shared with @as0 if there is one (the same PDEs in 32-bit paging, the
 * same page directory otherwise); nothing else yet.
 */
uintptr_t make_as_root(uintptr_t as0);
/* The first word of page @page of address space @as's test pages. */
static inline uint32_t as_tag(uint32_t as, uint32_t page)
{
	return 0xa5000000U | as << 8 | page;
}

/*
 * A step of a random walk among the @nr address spaces @roots: load the
 * one the generator @rnd picks next, check that its @pages test pages at
 * @va read their tags, and return its number.
 */
uint32_t as_switch_step(uint32_t *rnd, const volatile uintptr_t *roots,
			uint32_t nr, uintptr_t va, uint32_t pages);

/* Paging on, on @root (4-level: already on, from the host's tables). */
void paging_on(uintptr_t root);

#endif
