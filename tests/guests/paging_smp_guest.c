// SPDX-License-Identifier: GPL-2.0
/*
 * paging_smp's guest mini-kernel: the same image on every vCPU, built
 * twice like paging's (-m32: started in protected mode with paging off,
 * runs the 32-bit or the PAE format; -m64: started in long mode on the
 * host's boot tables, runs 4-level).  EDI/RDI names the format, ESI/RSI
 * the vCPU.  vCPU 0 builds the page tables and the IDT while the others
 * wait; then all run the checks of paging_smp_guest.h in order, in step
 * through barriers in the shared page, and shoot down each other's TLB
 * entries in software: the initiator changes an entry, publishes a
 * generation, and every other vCPU flushes (INVLPG or a CR3 reload) and
 * acknowledges it before the initiator reuses what the old entry mapped.
 *
 * Global variables live in guest RAM that every vCPU shares: they are
 * written by vCPU 0 before the others start, or by one vCPU between two
 * barriers.  What is a vCPU's own is in pcpus[], found from the stack
 * pointer (each vCPU's stack is at PS_STACKS + id * PS_STACK_SIZE).
 */
#include "paging_common.h"
#include "paging_smp_guest.h"

/*
 * A wait gives up after this many TSC ticks (RDTSC counts emulated
 * instructions in the test VM: about 2 emulated seconds), reports what it
 * waited for, and fails the check on every vCPU.
 */
#define SPIN_TICKS	400000000ULL

#define POISON	0xdead0000U	/* in a freed page; no pattern has it */

static volatile struct ps_shared *const sh =
	(volatile struct ps_shared *)PS_SHARED;

/*
 * Shared: volatile, because GCC assumes that no asm (not even a "memory"
 * clobber) touches a static whose address never escapes, and would load
 * one before the barrier or the flag that says it is ready.
 */
static volatile uint32_t ncpu;
static volatile uintptr_t as_root[PS_AS_NR], as_pa[PS_AS_NR][PS_AS_PAGES];

struct pcpu {
	uint32_t id;
	int check, failed, notes;
	uint64_t digest;
	uint64_t deadline;		/* of the wait under way */
	uint32_t spins;
	struct pf_state pf;
	void *recover_buf[5];
	volatile int recover_armed;
};

static struct pcpu pcpus[PS_MAX_CPUS];

/* This vCPU's own state, from the stack it runs on. */
static inline struct pcpu *me(void)
{
	ureg sp;

	__asm__ volatile("mov %%" SP ", %0" : "=r"(sp));
	return &pcpus[(uint32_t)((sp - PS_STACKS) / PS_STACK_SIZE)];
}

/* --- CPU helpers ------------------------------------------------------ */

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

static inline uint32_t atomic_inc(volatile uint32_t *p)
{
	uint32_t v = 1;

	__asm__ volatile("lock xaddl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v + 1;
}

/* --- the report protocol ---------------------------------------------- */

void note(int line, const char *what, uint64_t a, uint64_t b)
{
	struct pcpu *p = me();

	p->failed = 1;
	if (p->notes++ < 6)
		send(PG_NOTE, p->check, 0, line, what, a, b);
}

/*
 * Every value a check compares where the outcome is fixed goes into the
 * digest the host compares across paging modes.  Values in a race (old
 * or new before an ack, how many reads a loop made) do not.
 */
void observe(uint64_t v)
{
	struct pcpu *p = me();

	p->digest = (p->digest ^ v) * 0x100000001b3ULL;
}


/* In a race: @got must be @a or @b; not part of the digest. */
static int check_either(int line, const char *expr, uint64_t got, uint64_t a,
			uint64_t b)
{
	if (got == a || got == b)
		return 1;
	note(line, expr, got, a);
	return 0;
}

#define CHECK_EITHER(got, a, b)	check_either(__LINE__, #got " in {" #a \
					     ", " #b "}", (got), (a), (b))

/* --- waiting ---------------------------------------------------------- */

/* Give up on the check under way, on every vCPU. */
static void __attribute__((noreturn)) abort_check(void)
{
	struct pcpu *p = me();

	sh->sync[p->check].aborted = 1;
	p->failed = 1;
	p->recover_armed = 0;
	p->pf.fixup_ip = 0;
	__builtin_longjmp(p->recover_buf, 1);
}

static void wait_start(void)
{
	me()->deadline = rdtsc() + SPIN_TICKS;
}

/* Give the host's CPU to another vCPU, if it has too few. */
static void yield(struct pcpu *p)
{
	if (sh->yield && !(++p->spins % 64))
		__asm__ volatile("outl %0, %1"
				 : : "a"(0), "Nd"(PS_YIELD_PORT) : "memory");
}

/* Leave the check if another vCPU gave up on it. */
static void leave_if_aborted(void)
{
	if (sh->sync[me()->check].aborted)
		abort_check();
}

/* One round of a wait: leave if another vCPU gave up or time is out. */
static void wait_step(int line, const char *what)
{
	struct pcpu *p = me();

	cpu_relax();
	yield(p);
	leave_if_aborted();
	if (rdtsc() > p->deadline) {
		note(line, what, p->id, 0);
		abort_check();
	}
}

#define WAIT_UNTIL(cond, what)						\
	do {								\
		wait_start();						\
		while (!(cond))						\
			wait_step(__LINE__, "timed out waiting for " what \
				  ": a = this vCPU");			\
	} while (0)

static volatile struct ps_sync *sync_of_check(void)
{
	return &sh->sync[me()->check];
}

/* Every vCPU arrives before any leaves (a sense-reversing barrier). */
static void barrier(void)
{
	volatile struct ps_sync *s = sync_of_check();
	uint32_t gen = s->bar_gen;

	if (atomic_inc(&s->bar_count) == ncpu) {
		s->bar_count = 0;
		s->bar_gen = gen + 1;
		return;
	}
	WAIT_UNTIL(s->bar_gen != gen, "a barrier");
}

/* Every other vCPU has written @gen to @v[its id]. */
static int all_others(volatile uint32_t *v, uint32_t gen)
{
	uint32_t c, id = me()->id;

	for (c = 0; c < ncpu; c++)
		if (c != id && v[c] != gen)
			return 0;
	return 1;
}

/*
 * The initiator's half of a shootdown, after its own change and flush:
 * publish @gen, wait for every ack, and keep the ticks since @t0 as
 * sample @round of the check.
 */
static void shoot(uint32_t gen, uint64_t t0, uint32_t round)
{
	volatile struct ps_sync *s = sync_of_check();

	s->gen = gen;
	WAIT_UNTIL(all_others(s->ack, gen), "the acks of a shootdown");
	if (round < PS_MAX_ROUNDS)
		sh->samples[me()->check][round] = rdtsc() - t0;
}

static void ack(uint32_t gen)
{
	sync_of_check()->ack[me()->id] = gen;
}

static void post(uint32_t gen)
{
	sync_of_check()->post[me()->id] = gen;
}

/* --- exceptions ------------------------------------------------------- */

/*
 * A probe's #PF resumes after its access (pf_fixup()).  Any other
 * exception, or a #PF outside a probe, is reported and fails the check
 * under way on every vCPU.  The handler runs on the stack of the vCPU it
 * interrupts (no privilege change, no IST), so me() still finds its
 * state.
 */
struct pf_state *pf_state(void)
{
	return &me()->pf;
}

void exc_handler(struct frame *f)
{
	ureg cr2 = read_cr2();
	struct pcpu *p = me();

	if (pf_fixup(f, cr2))
		return;
	note(__LINE__, "unexpected exception: a = vector, b = ip", f->vector,
	     f->ip);
	note(__LINE__, "unexpected exception: a = error code, b = cr2",
	     f->err, cr2);
	if (p->recover_armed)
		abort_check();
	halt_forever();
}

/* --- page tables ------------------------------------------------------ */


/*
 * A read-modify-write (XCHG), as Linux clears a PTE: the shadow mode does
 * not emulate it, it lets the page go out of sync.  From 32-bit code a
 * PAE entry's low half only: the high halves here are all zero.
 */
static void pte_xchg(uintptr_t ea, uint64_t v)
{
#ifdef __x86_64__
	__asm__ volatile("xchgq %0, (%1)" : "+r"(v) : "r"(ea) : "memory");
#else
	uint32_t lo = v;

	__asm__ volatile("xchgl %0, (%1)" : "+r"(lo) : "r"(ea) : "memory");
#endif
}

/*
 * @n entries at @ea from @src with REP MOVSD, a string store (out of
 * sync in the shadow mode too).  Each entry's changing half is one
 * doubleword, so a walk in between sees each entry old or new.
 */
static void pte_copy(uintptr_t ea, const void *src, unsigned int n)
{
	unsigned long cnt = n * esz / 4;
	void *d = (void *)ea;

	__asm__ volatile("rep movsl"
			 : "+D"(d), "+S"(src), "+c"(cnt) : : "memory");
}

/* --- the checks ------------------------------------------------------- */

static uint32_t share_val(uint32_t cpu, uint32_t round)
{
	return 0x5a000000U | cpu << 16 | round;
}

/* Visits of each vCPU to each page of each space (SC_SHARED_AS). */
static volatile uint32_t visits[PS_MAX_CPUS][PS_AS_NR][PS_AS_PAGES];

/*
 * SC_SHARED_AS: every vCPU on the same CR3 writes its word of a page
 * through one mapping and reads everybody's through another; then each
 * loads a random space of PS_AS_NR PS_SWITCHES times while the others do
 * the same, reads that space's tags and counts its visits in its own word
 * of the pages; at the end each vCPU checks everybody's counts through
 * every space.
 */
static void check_shared_as(void)
{
	struct pcpu *p = me();
	uint32_t id = p->id, r, c, n, i, k, s, rnd = 12345 + id * 7919;
	uintptr_t slot;

	if (id == 0) {
		uintptr_t pa = alloc_data(0);

		map4k(as_root[0], VA_SH_A, pa, PTE_P | PTE_RW);
		map4k(as_root[0], VA_SH_B, pa, PTE_P | PTE_RW);
	}
	barrier();
	for (r = 0; r < PS_SHARE_ROUNDS; r++) {
		slot = (r & 7) * 64;
		wr32(VA_SH_A + 4 * (slot + id), share_val(id, r));
		barrier();
		for (c = 0; c < ncpu; c++)
			CHECK_EQ(rd32(VA_SH_B + 4 * (slot + c)),
				 share_val(c, r));
		barrier();
	}

	for (s = 0; s < PS_SWITCHES; s++) {
		n = as_switch_step(&rnd, as_root, PS_AS_NR, VA_AS_TEST,
				   PS_AS_PAGES);
		k = s % PS_AS_PAGES;
		CHECK_EQ(rd32(VA_AS_TEST + k * PAGE + 4 * (1 + id)),
			 visits[id][n][k]);
		wr32(VA_AS_TEST + k * PAGE + 4 * (1 + id), ++visits[id][n][k]);
		if (s % 64 == 0)
			leave_if_aborted();
	}
	barrier();
	for (n = 0; n < PS_AS_NR; n++) {
		write_cr3(as_root[n]);
		for (c = 0; c < ncpu; c++)
			for (i = 0; i < PS_AS_PAGES; i++)
				CHECK_EQ(rd32(VA_AS_TEST + i * PAGE +
					      4 * (1 + c)), visits[c][n][i]);
	}
	write_cr3(as_root[0]);
	for (i = 0; i < PS_AS_PAGES; i++)
		CHECK_EQ(rd32(as_pa[id % PS_AS_NR][i] + 4 * (1 + id)),
			 visits[id][id % PS_AS_NR][i]);
	barrier();
}

/* SC_REMAP: words 256 bytes apart; round r's page holds pattern r. */
#define REMAP_WORDS	16
static volatile uintptr_t remap_pa[3], remap_ea;

static uint32_t remap_pat(uint32_t r, uint32_t w)
{
	return 0x7e000000U ^ r << 12 ^ w;
}

static uint32_t remap_read(uint32_t *w)
{
	uint32_t v = rd32(VA_REMAP + *w * 256);

	*w = (*w + 1) % REMAP_WORDS;
	return v;
}

/*
 * Reads that must all see pattern @r, at words fixed for each vCPU (a
 * loop in a race reads as many as it gets to, the digest takes these).
 */
static void remap_strict(uint32_t r)
{
	uint32_t k, word;

	for (k = 0; k < PS_STRICT_READS; k++) {
		word = (me()->id + 5 * k) % REMAP_WORDS;
		CHECK_EQ(rd32(VA_REMAP + word * 256), remap_pat(r, word));
	}
}

/*
 * SC_REMAP: each round one vCPU (in turn) points the PTE of VA_REMAP at a
 * new page holding a new pattern while the others read it in a loop; a
 * reader may see the old or the new pattern until it acknowledged, only
 * the new one after; after every ack the initiator writes poison into the
 * old page, which must never be seen (the readers go on reading until it
 * is there).  Three pages in turn: the poisoned one is next round's new.
 */
static void check_remap(void)
{
	struct pcpu *p = me();
	uint32_t id = p->id, r, w = id, word, v;
	volatile struct ps_sync *s = sync_of_check();

	if (id == 0) {
		for (r = 0; r < 3; r++)
			remap_pa[r] = alloc_data(0);
		for (w = 0; w < REMAP_WORDS; w++)
			wr32(remap_pa[0] + w * 256, remap_pat(0, w));
		map4k(as_root[0], VA_REMAP, remap_pa[0], PTE_P | PTE_RW);
		remap_ea = entry_addr(as_root[0], VA_REMAP, 1);
		w = 0;
	}
	barrier();
	for (r = 0; r < PS_REMAP_ROUNDS; r++) {
		remap_strict(r);
		barrier();
		if (id == r % ncpu) {
			uintptr_t old = remap_pa[r % 3];
			uintptr_t new = remap_pa[(r + 1) % 3];
			uint64_t t0;

			for (word = 0; word < REMAP_WORDS; word++)
				wr32(new + word * 256, remap_pat(r + 1, word));
			t0 = rdtsc();
			pte_set(remap_ea, new | PTE_P | PTE_RW);
			invlpg(VA_REMAP);
			shoot(r + 1, t0, r);
			for (word = 0; word < REMAP_WORDS; word++)
				wr32(old + word * 256, POISON | word);
			s->poisoned = r + 1;
			remap_strict(r + 1);
			WAIT_UNTIL(all_others(s->post, r + 1),
				   "the readers after the poison");
			continue;
		}
		wait_start();
		while (s->gen != r + 1) {
			word = w;
			v = remap_read(&w);
			CHECK_EITHER(v, remap_pat(r, word),
				     remap_pat(r + 1, word));
			wait_step(__LINE__, "the remap's generation");
		}
		invlpg(VA_REMAP);
		ack(r + 1);
		remap_strict(r + 1);
		wait_start();
		while (s->poisoned != r + 1) {
			word = w;
			v = remap_read(&w);
			if (v != remap_pat(r + 1, word))
				CHECK_EQ(v, remap_pat(r + 1, word));
			wait_step(__LINE__, "the poison");
		}
		remap_strict(r + 1);
		post(r + 1);
	}
	barrier();
}

/*
 * SC_PROTECT: VA_PROT goes read-only, not present, read-write again, each
 * time shot down; each vCPU probes its own word (write, then read) in a
 * loop meanwhile.  Before its ack a probe may behave as under the old or
 * the new entry, after it only as under the new: a write to the
 * read-only page faults with 0x3 (present, write), a write to the absent
 * page with 0x2, a read of it with 0x0, CR2 the address; a read that
 * works returns the last write that did.
 */
enum { ST_RW, ST_RO, ST_NP };
static volatile uintptr_t prot_pa, prot_ea;

/* A probe's outcome: 0 done, else 0x100 | the #PF error code. */
static uint32_t want_write(int st)
{
	return st == ST_RW ? 0 : st == ST_RO ? 0x103 : 0x102;
}

static uint32_t want_read(int st)
{
	return st == ST_NP ? 0x100 : 0;
}

struct prober {
	uint32_t seq, last;
};

static void prot_probe(struct prober *pr, int old, int new, int strict)
{
	struct pcpu *p = me();
	uintptr_t va = VA_PROT + 0x100 + 4 * p->id;
	uint32_t x = 0x3c000000U | p->id << 20 | (++pr->seq & 0xfffff);
	uint32_t out, v;

	out = probe_write(va, x) ? 0x100 | p->pf.err : 0;
	if (!out)
		pr->last = x;
	else if (p->pf.cr2 != va)
		CHECK_EQ(p->pf.cr2, va);
	if (strict)
		CHECK_EQ(out, want_write(new));
	else
		CHECK_EITHER(out, want_write(old), want_write(new));

	out = probe_read(va, &v) ? 0x100 | p->pf.err : 0;
	if (!out && v != pr->last)
		CHECK_EQ(v, pr->last);
	else if (out && p->pf.cr2 != va)
		CHECK_EQ(p->pf.cr2, va);
	if (strict)
		CHECK_EQ(out, want_read(new));
	else
		CHECK_EITHER(out, want_read(old), want_read(new));
}

static uint64_t prot_pte(int st)
{
	return st == ST_RW ? prot_pa | PTE_P | PTE_RW :
	       st == ST_RO ? prot_pa | PTE_P : prot_pa;
}

static void check_protect(void)
{
	static const int next[] = { [ST_RW] = ST_RO, [ST_RO] = ST_NP,
				    [ST_NP] = ST_RW };
	struct pcpu *p = me();
	struct prober pr = { 0, 0 };
	volatile struct ps_sync *s = sync_of_check();
	uint32_t id = p->id, r, gen = 0, k;
	int old, new;

	if (id == 0) {
		prot_pa = alloc_data(0);
		map4k(as_root[0], VA_PROT, prot_pa, PTE_P | PTE_RW);
		prot_ea = entry_addr(as_root[0], VA_PROT, 1);
	}
	barrier();
	prot_probe(&pr, ST_RW, ST_RW, 1);
	for (r = 0; r < PS_PROT_ROUNDS; r++) {
		barrier();
		for (old = ST_RW; ; old = new) {
			new = next[old];
			gen++;
			if (id == r % ncpu) {
				uint64_t t0 = rdtsc();

				pte_set(prot_ea, prot_pte(new));
				invlpg(VA_PROT);
				shoot(gen, t0, gen - 1);
				for (k = 0; k < PS_STRICT_READS; k++)
					prot_probe(&pr, old, new, 1);
				WAIT_UNTIL(all_others(s->post, gen),
					   "the probes after a shootdown");
			} else {
				wait_start();
				while (s->gen != gen) {
					prot_probe(&pr, old, new, 0);
					wait_step(__LINE__, "a protection change");
				}
				invlpg(VA_PROT);
				ack(gen);
				for (k = 0; k < PS_STRICT_READS; k++)
					prot_probe(&pr, old, new, 1);
				post(gen);
			}
			if (new == ST_RW)
				break;
		}
	}
	barrier();
	/* What landed: each vCPU's last successful write, nothing after. */
	CHECK_EQ(rd32(prot_pa + 0x100 + 4 * id) == pr.last, 1);
	barrier();
}

/*
 * SC_PT_WRITE: space PTW maps PS_PTW_PAGES pages at VA_PTW through one
 * of two page tables chosen by its PDE.  Each round one vCPU (the
 * initiator) changes space PTW's tables while the others run on it and
 * read the pages, in a cycle of PTW_OPS changes:
 *
 *   PTW_LEAF        a PTE, by a plain store (emulated by the shadow mode);
 *   PTW_LEAF_XCHG   a PTE, by XCHG (the page goes out of sync);
 *   PTW_PDE         the PDE, to the other page table;
 *   PTW_BURST       every PTE of the live table at once, by REP MOVSD;
 *   PTW_FRESH       the PDE, to a page table the initiator has just
 *                   written as data (a page-table page it freed before,
 *                   if there is one: reused);
 *   PTW_FRESH_LEAF  a PTE of that table, by the same vCPU with no CR3
 *                   load since it wrote the table as data: the shadow
 *                   mode must have taken the write access away from it
 *                   when the others' walks made the page a page table.
 *
 * Every other cycle the initiator makes its change from space 0 (the
 * first four) and the readers INVLPG the page after a leaf change; in
 * the others it stays on space PTW, flushing its own TLB with INVLPG,
 * and the readers reload CR3 (a hit in the shadow mode's cache of
 * roots), as they do after the PDE, burst and fresh-table changes
 * always.  Then the pages and the page table no longer mapped are
 * freed, the pages poisoned, and reused in later rounds.  Each page
 * holds a tag unique to its use; a reader may see the old or the new tag
 * before its ack, only the new one after.
 */
enum {
	PTW_LEAF, PTW_LEAF_XCHG, PTW_PDE, PTW_BURST, PTW_FRESH,
	PTW_FRESH_LEAF, PTW_OPS
};

#define PTW_POOL	(2 * PS_PTW_PAGES + 2 * PS_PTW_PAGES)
#define PTW_PT_POOL	2	/* page tables beyond the two in use */
static volatile uintptr_t ptw_root, ptw_pde, ptw_pt[2];
static volatile int ptw_cur;
static volatile uintptr_t ptw_pa[2][PS_PTW_PAGES];
static volatile uint32_t ptw_tag[2][PS_PTW_PAGES];
static volatile uint32_t ptw_old[PS_PTW_PAGES], ptw_new[PS_PTW_PAGES];
static volatile uintptr_t ptw_free[PTW_POOL], ptw_freed[PS_PTW_PAGES];
static volatile uint32_t ptw_nfree, ptw_nfreed, ptw_seq;
static volatile uintptr_t ptw_free_pt[PTW_PT_POOL + 1], ptw_fresh;
static volatile uintptr_t ptw_retired;
static volatile uint32_t ptw_nfree_pt;
/* This round's change, planned by its initiator. */
static volatile int ptw_op, ptw_away, ptw_reload;
static volatile unsigned int ptw_k;
static volatile uint8_t ptw_tmpl[PS_PTW_PAGES * 8] __attribute__((aligned(8)));

/* A page from the free list, tagged for a new use. */
static uintptr_t ptw_take(volatile uint32_t *tag)
{
	uintptr_t pa = ptw_free[--ptw_nfree];

	*tag = 0x70000000U | (++ptw_seq & 0xffffff);
	wr32(pa, *tag);
	wr32(pa + PAGE - 4, *tag);
	return pa;
}

/* Every page must hold its new tag. */
static void ptw_strict(void)
{
	unsigned int i;

	for (i = 0; i < PS_PTW_PAGES; i++)
		CHECK_EQ(rd32(VA_PTW + i * PAGE), ptw_new[i]);
}

/* Round @r's initiator: PTW_FRESH_LEAF's is PTW_FRESH's. */
static uint32_t ptw_initiator(uint32_t r)
{
	return (r % PTW_OPS == PTW_FRESH_LEAF ? r - 1 : r) % ncpu;
}

/*
 * Round @r's change, planned by its initiator: ptw_old and ptw_new, the
 * pages it takes, and for PTW_FRESH the new table, written here as data
 * (so that this vCPU's TLB may keep a writable entry for it).
 */
static void ptw_plan(uint32_t r)
{
	unsigned int i, odd = r / PTW_OPS % 2;
	uintptr_t pt;

	ptw_op = r % PTW_OPS;
	ptw_away = ptw_op < PTW_FRESH && !odd;
	ptw_reload = ptw_op >= PTW_PDE || odd;
	ptw_nfreed = 0;
	ptw_k = (r / PTW_OPS * 3 + r) % PS_PTW_PAGES;
	for (i = 0; i < PS_PTW_PAGES; i++)
		ptw_old[i] = ptw_new[i] = ptw_tag[ptw_cur][i];
	if (ptw_op == PTW_PDE) {
		for (i = 0; i < PS_PTW_PAGES; i++)
			ptw_new[i] = ptw_tag[!ptw_cur][i];
		return;
	}
	for (i = 0; i < PS_PTW_PAGES; i++) {
		if (ptw_op != PTW_BURST && i != ptw_k)
			continue;
		ptw_freed[ptw_nfreed++] = ptw_pa[ptw_cur][i];
		ptw_pa[ptw_cur][i] = ptw_take(&ptw_tag[ptw_cur][i]);
		ptw_new[i] = ptw_tag[ptw_cur][i];
	}
	if (ptw_op != PTW_FRESH)
		return;
	pt = ptw_free_pt[--ptw_nfree_pt];
	for (i = 0; i < PAGE; i += 4)
		wr32(pt + i, 0);
	for (i = 0; i < PS_PTW_PAGES; i++)
		pte_set(ent(pt, VA_PTW + i * PAGE, 1),
			ptw_pa[ptw_cur][i] | PTE_P | PTE_RW);
	ptw_fresh = pt;
}

static void ptw_apply(void)
{
	uintptr_t pt = ptw_pt[ptw_cur];
	uintptr_t ea = ent(pt, VA_PTW + ptw_k * PAGE, 1);
	uint64_t pte = ptw_pa[ptw_cur][ptw_k] | PTE_P | PTE_RW;
	unsigned int i;

	switch (ptw_op) {
	case PTW_LEAF:
	case PTW_FRESH_LEAF:
		pte_set(ea, pte);
		break;
	case PTW_LEAF_XCHG:
		pte_xchg(ea, pte);
		break;
	case PTW_PDE:
		ptw_cur = !ptw_cur;
		pte_set(ptw_pde, ptw_pt[ptw_cur] | PTE_P | PTE_RW);
		break;
	case PTW_BURST:
		for (i = 0; i < PS_PTW_PAGES; i++)
			pte_set((uintptr_t)ptw_tmpl + i * esz,
				ptw_pa[ptw_cur][i] | PTE_P | PTE_RW);
		pte_copy(ent(pt, VA_PTW, 1), (const void *)(uintptr_t)ptw_tmpl,
			 PS_PTW_PAGES);
		break;
	case PTW_FRESH:
		ptw_retired = pt;
		ptw_pt[ptw_cur] = ptw_fresh;
		pte_set(ptw_pde, ptw_fresh | PTE_P | PTE_RW);
		break;
	}
}

/* The initiator's round, from planning to the readers' last reads. */
static void ptw_initiate(uint32_t r)
{
	volatile struct ps_sync *s = sync_of_check();
	uint64_t t0;
	unsigned int i;

	if (ptw_away)
		write_cr3(as_root[0]);
	t0 = rdtsc();
	ptw_apply();
	if (!ptw_away) {
		if (ptw_op == PTW_LEAF || ptw_op == PTW_LEAF_XCHG ||
		    ptw_op == PTW_FRESH_LEAF)
			invlpg(VA_PTW + ptw_k * PAGE);
		else
			for (i = 0; i < PS_PTW_PAGES; i++)
				invlpg(VA_PTW + i * PAGE);
	}
	shoot(r + 1, t0, r);
	for (i = 0; i < ptw_nfreed; i++) {
		wr32(ptw_freed[i], POISON | i);
		wr32(ptw_freed[i] + PAGE - 4, POISON | i);
		ptw_free[ptw_nfree++] = ptw_freed[i];
	}
	ptw_nfreed = 0;
	if (ptw_retired) {
		ptw_free_pt[ptw_nfree_pt++] = ptw_retired;
		ptw_retired = 0;
	}
	s->poisoned = r + 1;
	if (ptw_away)
		write_cr3(ptw_root);
	ptw_strict();
	WAIT_UNTIL(all_others(s->post, r + 1), "the readers after the poison");
}

static void check_pt_write(void)
{
	struct pcpu *p = me();
	volatile struct ps_sync *s = sync_of_check();
	uint32_t id = p->id, r, i = id % PS_PTW_PAGES, k, v;

	if (id == 0) {
		ptw_root = make_as_root(as_root[0]);
		ptw_pde = entry_addr(ptw_root, VA_PTW, 2);
		for (k = 0; k < PTW_POOL; k++)
			ptw_free[ptw_nfree++] = alloc_data(0);
		for (k = 0; k < PTW_PT_POOL; k++)
			ptw_free_pt[ptw_nfree_pt++] = alloc_pt();
		for (k = 0; k < 2; k++) {
			ptw_pt[k] = alloc_pt();
			for (i = 0; i < PS_PTW_PAGES; i++) {
				ptw_pa[k][i] = ptw_take(&ptw_tag[k][i]);
				pte_set(ent(ptw_pt[k], VA_PTW + i * PAGE, 1),
					ptw_pa[k][i] | PTE_P | PTE_RW);
			}
		}
		ptw_cur = 0;
		pte_set(ptw_pde, ptw_pt[0] | PTE_P | PTE_RW);
		for (i = 0; i < PS_PTW_PAGES; i++)
			ptw_new[i] = ptw_tag[0][i];
		i = 0;
	}
	barrier();
	write_cr3(ptw_root);
	for (r = 0; r < PS_PTW_ROUNDS; r++) {
		ptw_strict();
		barrier();
		if (id == ptw_initiator(r))
			ptw_plan(r);
		barrier();
		if (id == ptw_initiator(r)) {
			ptw_initiate(r);
			continue;
		}
		wait_start();
		while (s->gen != r + 1) {
			v = rd32(VA_PTW + i * PAGE);
			CHECK_EITHER(v, ptw_old[i], ptw_new[i]);
			i = (i + 1) % PS_PTW_PAGES;
			wait_step(__LINE__, "the page-table change");
		}
		if (ptw_reload)
			write_cr3(ptw_root);
		else
			invlpg(VA_PTW + ptw_k * PAGE);
		ack(r + 1);
		ptw_strict();
		wait_start();
		while (s->poisoned != r + 1) {
			v = rd32(VA_PTW + i * PAGE);
			if (v != ptw_new[i])
				CHECK_EQ(v, ptw_new[i]);
			i = (i + 1) % PS_PTW_PAGES;
			wait_step(__LINE__, "the poison");
		}
		ptw_strict();
		post(r + 1);
	}
	write_cr3(as_root[0]);
	barrier();
}

/*
 * SC_SLOT: every vCPU reads the pages of memory slot 1 in a loop while the
 * host replaces the slot's memory twice, then deletes the slot (host
 * steps 1-3 in slot_phase).  Having seen step j, a vCPU must read pattern
 * j only (step 3: through MMIO exits the host answers), and tells the
 * host; the host takes the next step once every vCPU did, so a vCPU that
 * told may read pattern j or j + 1.
 */
static uintptr_t slot_va(uint32_t w)
{
	return VA_SLOT + (w % PS_SLOT_PAGES) * PAGE + (w / PS_SLOT_PAGES % 8) *
	       508;
}

static uint64_t slot_gpa(uint32_t w)
{
	return PS_SLOT_GPA + (slot_va(w) - VA_SLOT);
}

static void check_slot(void)
{
	struct pcpu *p = me();
	uint32_t id = p->id, w = id, seen = 0, j, k, v;

	if (id == 0) {
		for (k = 0; k < PS_SLOT_PAGES; k++)
			map4k(as_root[0], VA_SLOT + k * PAGE,
			      PS_SLOT_GPA + k * PAGE, PTE_P | PTE_RW);
	}
	barrier();
	wait_start();
	for (;;) {
		j = sh->slot_phase;
		if (j > PS_SLOT_STEPS)
			break;
		if (j + 1 > seen) {
			for (k = 0; k < PS_STRICT_READS; k++)
				CHECK_EQ(rd32(slot_va(id + 5 * k)),
					 slot_pat(j, slot_gpa(id + 5 * k)));
			seen = j + 1;
			sh->slot_seen[id] = seen;
			wait_start();
			continue;
		}
		v = rd32(slot_va(w));
		CHECK_EITHER(v, slot_pat(j, slot_gpa(w)),
			     slot_pat(j + 1, slot_gpa(w)));
		w++;
		wait_step(__LINE__, "the host's next slot change");
	}
	CHECK_EQ(j, PS_SLOT_END);
	CHECK_EQ(seen, PS_SLOT_STEPS + 1);
	barrier();
}

/*
 * Run check @check (@fn) on every vCPU; an exception or a wait that
 * timed out fails it on all of them (the others leave their waits at
 * the abort flag), and they meet again for the next one.
 */
static void run_check(int check, void (*fn)(void))
{
	struct pcpu *p = me();
	volatile struct ps_sync *s = &sh->sync[check];

	p->check = check;
	p->failed = 0;
	p->notes = 0;
	if (!__builtin_setjmp(p->recover_buf)) {
		p->recover_armed = 1;
		fn();
		p->recover_armed = 0;
	} else {
		p = me();
		write_cr3(as_root[0]);
	}
	send(PG_RESULT, check, !p->failed, 0, 0, 0, 0);
	atomic_inc(&s->done);
	p->deadline = rdtsc() + SPIN_TICKS;
	while (s->done < ncpu) {
		cpu_relax();
		yield(p);
		if (rdtsc() > p->deadline) {
			note(__LINE__, "a vCPU never finished the check", 0, 0);
			halt_forever();
		}
	}
}

/* --- start-up --------------------------------------------------------- */

static void setup(void)
{
	uint32_t n, i;

	for (n = 0; n < PS_AS_NR; n++) {
		uintptr_t root = make_as_root(as_root[0]);

		for (i = 0; i < PS_AS_PAGES; i++) {
			as_pa[n][i] = alloc_data(as_tag(n, i));
			map4k(root, VA_AS_TEST + i * PAGE, as_pa[n][i],
			      PTE_P | PTE_RW);
		}
		as_root[n] = root;
	}
	idt_build();
}

void guest_main(ureg format, ureg id)
{
	struct pcpu *p = &pcpus[id];

	if (id == 0) {
		pg_format_init(format);
		ncpu = sh->ncpu;
		p->digest = 0xcbf29ce484222325ULL;
		setup();
		/* The IDT is not volatile: written before the flag. */
		__asm__ volatile("" : : : "memory");
		sh->go = 1;
	} else {
		p->digest = 0xcbf29ce484222325ULL;
		while (!sh->go)
			cpu_relax();
	}
	p->id = id;
	idt_load();
	/* Paging on, on address space 0 (4-level: already on). */
	paging_on(as_root[0]);
	run_check(SC_SHARED_AS, check_shared_as);
	run_check(SC_REMAP, check_remap);
	run_check(SC_PROTECT, check_protect);
	run_check(SC_PT_WRITE, check_pt_write);
	run_check(SC_SLOT, check_slot);
	send(PG_DONE, 0, 1, 0, 0, p->digest, 0);
	halt_forever();
}
