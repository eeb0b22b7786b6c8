// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow page tables: paging without EPT.
 *
 * The guest keeps its own page tables (guest-virtual to guest-physical);
 * the memory slots say where guest-physical pages live in the host.  The
 * CPU can walk only one set of tables, so vtxhv builds it: shadow tables
 * from guest-virtual straight to host-physical, loaded in the real CR3
 * while the guest runs, filled on demand from the page faults they cause.
 * docs/shadow-paging.md tells the whole story; in short:
 *
 *  - Shadow tables are always PAE-format (a guest in 32-bit or PAE paging,
 *    or with paging off) or 4-level (a guest in long mode): they hold
 *    host-physical addresses, which need not fit in 32 bits.  Leaves are
 *    always 4 KiB; a guest large page becomes as many small shadow
 *    entries as the guest touches.
 *  - A shadow entry is at most as permissive as the guest's translation,
 *    and read-only until the guest's dirty bit is set, so that vtxhv sets
 *    the accessed and dirty bits in the guest's tables when hardware
 *    would.  Any access the shadow refuses exits (#PF); the software walk
 *    decides whether the guest's own tables refuse it too (reflect the
 *    fault) or the shadow was only incomplete (fix it silently).
 *  - VTXHV_PAGING_VTLB keeps one root and treats it as a TLB: a guest CR3
 *    load empties it, INVLPG drops what it names.
 *  - VTXHV_PAGING_SHADOW keeps up to SH_MAX_ROOTS roots, one per guest
 *    address space (guest CR3), reclaimed least-recently-used.  A cached
 *    root stays right only if every guest page-table page it was built
 *    from is write-protected: each such page ("gpt") records which
 *    shadow entries came from it (root, level, virtual base: a reverse
 *    map), and a guest write to it is emulated and drops exactly those.
 *    A write vtxhv cannot emulate, or a page written many times without
 *    a walk through it (recycled as data), lets the page out of sync:
 *    writable, its shadows possibly stale until the guest's next CR3 load
 *    or INVLPG, as a TLB's may be; those drop everything built from it.
 *
 * Several vCPUs (docs/shadow-paging.md, "SMP"): each runs on one root
 * (vcpu->sh.root); in shadow mode vCPUs on the same guest CR3 share it,
 * in vtlb mode vCPU n owns roots[n].  The roots, the gpts and their
 * reverse maps are the VM's.  A change that takes rights away from a
 * shadow another vCPU may run on (a zap after a guest page-table write,
 * write protection, a slot going) marks the root in flush_roots; a table
 * page unlinked from a root is retired, not freed.  Before vm->lock is
 * dropped, sh_commit() makes every vCPU on a marked root flush before it
 * runs guest code again, waits until those in guest mode have left it
 * (vtxhv_vcpu_flush_remote), and only then frees the retired pages: no
 * CPU walks a freed table.  Only vCPUs on affected roots are kicked.
 *
 * Everything here runs where sleeping is allowed, under vm->lock; the
 * VMCS is touched only between vtxhv_vcpu_load() and vtxhv_vcpu_put().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/io.h>
#include <asm/processor-flags.h>

#include "vtxhv.h"
#include "vmx_ops.h"

#define VA_BITS		48
#define VA_MASK		GENMASK_ULL(VA_BITS - 1, 0)

/* A gpt written this often without a walk through it is data now. */
#define GPT_RECYCLE_WRITES	32
#define GPT_MAX			8192

static unsigned int shadow_max_pages = 2048;
module_param(shadow_max_pages, uint, 0644);
MODULE_PARM_DESC(shadow_max_pages,
		 "Most shadow page-table pages per VM (4 KiB each, default 2048)");

struct sh_root {
	bool live;
	int fmt;		/* SH_* the root was built for */
	u32 role;		/* the paging bits it was built under: sh_role() */
	u64 gcr3;		/* the guest CR3 it shadows (address bits) */
	u64 gpdpte[4];		/* PAE: the guest PDPTEs it was built from */
	u64 *top;		/* shadow PML4, or PAE PDPT */
	struct list_head pages;	/* every table of the root, top included */
	u64 last_used;
	u32 gen;		/* bumped when the slot is reused */
};

/* Shadow entries built from a guest page-table page: one per walk path. */
struct gpt_use {
	u8 root;
	u8 shift;		/* log2 of what one of its entries maps */
	u8 esz_shift;		/* log2 of its entries' size: 2 or 3 */
	u32 gen;
	u64 base;		/* virtual address its entry 0 maps */
};

#define GPT_USES	6

struct gpt {
	struct hlist_node node;
	u64 gfn;
	unsigned int writes;	/* emulated writes since the last walk */
	unsigned int nr_uses;
	bool overflow;		/* more uses than fit: any write resets all */
	bool unsync;		/* writable: resynced at the next flush */
	struct list_head unsync_link;	/* on vtxhv_mmu.unsync */
	struct gpt_use uses[GPT_USES];
};

struct vtxhv_mmu {
	unsigned int max_pages, nr_pages;	/* retired pages included */
	u64 clock;		/* LRU */
	unsigned int resets;	/* mmu_reset()s, to notice one on the way */
	unsigned int nr_gpts;
	DECLARE_HASHTABLE(gpts, 9);
	struct list_head unsync;	/* gpts written out of sync */
	u32 flush_roots;	/* roots whose vCPUs must flush: sh_commit() */
	bool retired_any;	/* sh_zap() retired a table page */
	struct list_head retired;	/* table pages to free after the flush */
	struct sh_root roots[SH_MAX_ROOTS];
};

static inline int top_level(int fmt)
{
	return fmt == SH_LM ? 4 : 3;
}

static inline unsigned int sh_index(u64 va, int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

static inline u64 sh_span(int level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

/* The shadow format for the guest's paging state (vcpu->sh.*). */
int vtxhv_shadow_fmt(u64 cr0, u64 cr4, u64 efer)
{
	if (!(cr0 & X86_CR0_PG))
		return SH_PHYS;
	if (efer & EFER_LMA)
		return SH_LM;
	return cr4 & X86_CR4_PAE ? SH_PAE : SH_32;
}

/* Shadow table pages. */

static u64 *sh_alloc(struct vtxhv_mmu *m, struct sh_root *r, int level)
{
	struct page *p;

	if (m->nr_pages >= m->max_pages)
		return NULL;
	/* A PAE root must be below 4 GiB (CR3 holds 32 bits): keep all low. */
	p = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_DMA32);
	if (!p)
		return NULL;
	set_page_private(p, level);
	list_add(&p->lru, &r->pages);
	m->nr_pages++;
	atomic_long_inc(&vtxhv_counts.shadow_pages);
	return page_address(p);
}

static void sh_free(struct vtxhv_mmu *m, u64 *table)
{
	struct page *p = virt_to_page(table);

	list_del(&p->lru);
	__free_page(p);
	m->nr_pages--;
	atomic_long_dec(&vtxhv_counts.shadow_pages);
}

/* A table unlinked from a root another CPU may walk: sh_commit() frees it. */
static void sh_retire_tree(struct vtxhv_mmu *m, u64 *table, int level)
{
	int i;

	if (level > 1)
		for (i = 0; i < 512; i++)
			if (table[i] & PTE_P)
				sh_retire_tree(m, __va(table[i] & PTE_ADDR),
					       level - 1);
	list_move(&virt_to_page(table)->lru, &m->retired);
	m->retired_any = true;
}

/*
 * Drop the shadow entries of [start, end) below @table (at @level, mapping
 * from @base).  Returns how many entries were cleared.
 */
static unsigned int sh_zap(struct vtxhv_mmu *m, u64 *table, int level,
			   u64 base, u64 start, u64 end)
{
	u64 span = sh_span(level);
	unsigned int i, n = 0;

	for (i = 0; i < 512; i++) {
		u64 lo = base + i * span, hi = lo + span;

		if (hi <= start || lo >= end || !(table[i] & PTE_P))
			continue;
		if (level == 1) {
			table[i] = 0;
			n++;
		} else if (lo >= start && hi <= end) {
			sh_retire_tree(m, __va(table[i] & PTE_ADDR), level - 1);
			table[i] = 0;
			n++;
		} else {
			n += sh_zap(m, __va(table[i] & PTE_ADDR), level - 1,
				    lo, start, end);
		}
	}
	return n;
}

/*
 * Drop the shadows of [start, end) in @r.  @flush: vCPUs on @r must flush
 * even when only leaves went (they lost rights the guest did not drop
 * with a flush of its own); retired tables always make them.
 */
static unsigned int sh_zap_root(struct vtxhv_mmu *m, struct sh_root *r,
				u64 start, u64 end, bool flush)
{
	unsigned int n;

	if (!r->live)
		return 0;
	m->retired_any = false;
	n = sh_zap(m, r->top, top_level(r->fmt), 0, start,
		   min_t(u64, end, 1ULL << VA_BITS));
	if (m->retired_any || (flush && n))
		m->flush_roots |= BIT(r - m->roots);
	return n;
}

/* Is root @i what a vCPU (other than @except) runs on?  vm->lock held. */
static bool root_in_use(struct vtxhv_vm *vm, int i,
			const struct vtxhv_vcpu *except)
{
	int j;

	for (j = 0; j < VTXHV_MAX_VCPUS; j++) {
		struct vtxhv_vcpu *v = vm->vcpus[j];

		if (v && v != except && v->sh.root == i)
			return true;
	}
	return false;
}

/*
 * Before vm->lock is dropped: every vCPU on a root in flush_roots flushes
 * before its next entry (@self, the caller's vCPU or NULL, simply does;
 * the others are kicked and waited for), then the retired pages go.
 */
static void sh_commit(struct vtxhv_vm *vm, struct vtxhv_vcpu *self)
{
	struct vtxhv_mmu *m = vm->mmu;
	struct page *p, *next;
	int i;

	for (i = 0; m->flush_roots && i < VTXHV_MAX_VCPUS; i++) {
		struct vtxhv_vcpu *v = vm->vcpus[i];

		if (!v || v->sh.root < 0 || !(m->flush_roots & BIT(v->sh.root)))
			continue;
		if (v == self) {
			v->need_flush = true;
			continue;
		}
		vtxhv_vcpu_flush_remote(v);
		if (self)
			self->sh_stats[VTXHV_SH_REMOTE_FLUSHES]++;
	}
	m->flush_roots = 0;
	list_for_each_entry_safe(p, next, &m->retired, lru)
		sh_free(m, page_address(p));
}

static void root_destroy(struct vtxhv_mmu *m, struct sh_root *r)
{
	struct page *p, *next;

	if (!r->live)
		return;
	list_for_each_entry_safe(p, next, &r->pages, lru)
		sh_free(m, page_address(p));
	r->live = false;
	r->top = NULL;
	r->gen++;
}

/* Guest page-table pages (shadow mode only). */

static struct gpt *gpt_find(struct vtxhv_mmu *m, u64 gfn)
{
	struct gpt *g;

	hash_for_each_possible(m->gpts, g, node, gfn)
		if (g->gfn == gfn)
			return g;
	return NULL;
}

static void gpt_free(struct vtxhv_mmu *m, struct gpt *g)
{
	if (g->unsync)
		list_del(&g->unsync_link);
	hash_del(&g->node);
	kfree(g);
	m->nr_gpts--;
}

static void gpts_free_all(struct vtxhv_mmu *m)
{
	struct hlist_node *tmp;
	struct gpt *g;
	int bkt;

	hash_for_each_safe(m->gpts, bkt, tmp, g, node)
		gpt_free(m, g);
}

static bool use_live(struct vtxhv_mmu *m, const struct gpt_use *u)
{
	const struct sh_root *r = &m->roots[u->root];

	return r->live && r->gen == u->gen;
}

/*
 * Everything: a paging-mode change, an overflowing reverse map, a slot
 * going.  The roots stay (empty), so that no vCPU's GUEST_CR3 points at
 * a freed table (defect 1); their tables go at sh_commit().
 */
static void mmu_reset(struct vtxhv_vm *vm)
{
	struct vtxhv_mmu *m = vm->mmu;
	int i;

	for (i = 0; i < SH_MAX_ROOTS; i++)
		sh_zap_root(m, &m->roots[i], 0, U64_MAX, true);
	gpts_free_all(m);
	m->resets++;
}

/*
 * The accessed bits of the path, and the dirty bit of a write's leaf, set
 * atomically as the CPU does.  Return: 0, 1 when another vCPU changed an
 * entry since the walk (the fault is taken again), or -errno.
 */
static int set_accessed_dirty(struct vtxhv_vm *vm, struct vtxhv_gwalk *w,
			      int esz, bool write)
{
	int i, ret;

	for (i = 0; i < w->n; i++) {
		u64 e = w->ent[i], want = PTE_A;

		if (i == w->n - 1 && write)
			want |= PTE_D;
		if ((e & want) == want)
			continue;
		ret = vtxhv_gpte_cmpxchg(vm, w->ent_gpa[i], esz, e, e | want);
		if (ret)
			return ret;
		w->ent[i] = e | want;
	}
	return 0;
}

/* Shadow mode: make every writable shadow leaf mapping @hpa read-only. */
static void write_protect(struct vtxhv_vm *vm, phys_addr_t hpa)
{
	struct vtxhv_mmu *m = vm->mmu;
	struct page *p;
	int i, j;

	for (i = 0; i < SH_MAX_ROOTS; i++) {
		struct sh_root *r = &m->roots[i];

		if (!r->live)
			continue;
		list_for_each_entry(p, &r->pages, lru) {
			u64 *t = page_address(p);

			if ((page_private(p) & 0xff) != 1)
				continue;
			for (j = 0; j < 512; j++)
				if ((t[j] & (PTE_P | PTE_W)) == (PTE_P | PTE_W) &&
				    (t[j] & PTE_ADDR) == hpa) {
					t[j] &= ~PTE_W;
					m->flush_roots |= BIT(i);
				}
		}
	}
}

static phys_addr_t pinned_hpa(struct vtxhv_vm *vm, u64 gpa)
{
	struct vtxhv_slot *s = vtxhv_find_slot(vm, gpa);
	struct page *p;

	if (!s || !s->pages)
		return 0;
	p = s->pages[(gpa - s->gpa) >> PAGE_SHIFT];
	return p ? page_to_phys(p) : 0;
}

/*
 * Shadow mode: remember that the shadow entries of the vCPU's root for
 * this walk came from these guest tables, and write-protect the tables.
 * Return: true when a table was newly protected (other vCPUs may have
 * written it until sh_commit() made them flush: the walk is to be checked).
 */
static bool track_tables(struct vtxhv_vcpu *vcpu, const struct vtxhv_gwalk *w,
			 u64 gva, int fmt)
{
	struct vtxhv_mmu *m = vcpu->vm->mmu;
	struct sh_root *r = &m->roots[vcpu->sh.root];
	int i, j, bits = fmt == SH_32 ? 10 : 9;
	bool protected = false;

	for (i = 0; i < w->n; i++) {
		u64 gfn = w->ent_gpa[i] >> PAGE_SHIFT;
		int level = w->ent_level[i];
		unsigned int cover = 12 + bits * level;
		struct gpt_use u = {
			.root = vcpu->sh.root, .gen = r->gen,
			.shift = cover - bits, .esz_shift = bits == 10 ? 2 : 3,
			.base = cover >= 64 ? 0 : gva & ~GENMASK_ULL(cover - 1, 0),
		};
		struct gpt *g = gpt_find(m, gfn);
		phys_addr_t hpa;

		if (!g) {
			if (m->nr_gpts >= GPT_MAX)
				return protected;
			g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
			if (!g)
				return protected;
			g->gfn = gfn;
			hash_add(m->gpts, &g->node, gfn);
			m->nr_gpts++;
			hpa = pinned_hpa(vcpu->vm, gfn << PAGE_SHIFT);
			if (hpa)
				write_protect(vcpu->vm, hpa);
			protected = true;
		}
		g->writes = 0;
		for (j = 0; j < g->nr_uses; j++)
			if (g->uses[j].root == u.root && g->uses[j].gen == u.gen &&
			    g->uses[j].shift == u.shift &&
			    g->uses[j].base == u.base)
				break;
		if (j < g->nr_uses)
			continue;
		if (g->nr_uses == GPT_USES) {
			/* Forget uses of roots that are gone. */
			for (j = 0; j < g->nr_uses; )
				if (!use_live(m, &g->uses[j]))
					g->uses[j] = g->uses[--g->nr_uses];
				else
					j++;
		}
		if (g->nr_uses < GPT_USES)
			g->uses[g->nr_uses++] = u;
		else
			g->overflow = true;
	}
	return protected;
}

/*
 * After a table on the walk was newly write-protected: does the guest's
 * memory still hold what the walk read?  Another vCPU may have written it
 * in between; then the fault is taken again.
 */
static bool walk_still_valid(struct vtxhv_vm *vm, const struct vtxhv_gwalk *w,
			     int esz)
{
	int i;
	u64 e;

	for (i = 0; i < w->n; i++)
		if (vtxhv_gpte_access(vm, w->ent_gpa[i], esz, &e, false) ||
		    e != w->ent[i])
			return false;
	return true;
}

/*
 * Drop the shadow entries built from bytes [off, off + len) of @g in every
 * root.  @flush: the vCPUs on them flush too (an emulated write, which the
 * guest will not follow with a flush on every CPU; a resync is the guest's
 * own flush, and the other CPUs' TLBs may stay stale until theirs).
 */
static void gpt_zap(struct vtxhv_vcpu *vcpu, struct gpt *g,
		    unsigned int off, unsigned int len, bool flush)
{
	struct vtxhv_mmu *m = vcpu->vm->mmu;
	int i;

	if (g->overflow) {
		mmu_reset(vcpu->vm);	/* frees @g with the rest */
		return;
	}
	for (i = 0; i < g->nr_uses; i++) {
		const struct gpt_use *u = &g->uses[i];
		u64 first = off >> u->esz_shift;
		u64 last = (off + len - 1) >> u->esz_shift;

		if (!use_live(m, u))
			continue;
		vcpu->sh_stats[VTXHV_SH_RESYNCED] +=
			sh_zap_root(m, &m->roots[u->root],
				    u->base + (first << u->shift),
				    u->base + ((last + 1) << u->shift), flush);
	}
	vcpu->need_flush = true;
}

/*
 * Let the guest write @g freely: a write vtxhv cannot emulate, or a page
 * written over and over (recycled as data).  Until the guest's next CR3
 * load or INVLPG the shadows built from it may be stale, as a TLB may be
 * (SDM Vol. 3A 4.10.4.3); then resync_all() drops them.
 */
static void gpt_unsync(struct vtxhv_vcpu *vcpu, struct gpt *g)
{
	if (g->unsync)
		return;
	g->unsync = true;
	list_add(&g->unsync_link, &vcpu->vm->mmu->unsync);
	vcpu->sh_stats[VTXHV_SH_UNSYNCED]++;
}

/* The guest flushes its TLB: drop what came from pages out of sync. */
static void resync_all(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_mmu *m = vcpu->vm->mmu;
	struct gpt *g;

	while (!list_empty(&m->unsync)) {
		g = list_first_entry(&m->unsync, struct gpt, unsync_link);
		if (g->overflow) {
			mmu_reset(vcpu->vm);
			return;
		}
		gpt_zap(vcpu, g, 0, PAGE_SIZE, false);
		gpt_free(m, g);
	}
}

/*
 * The emulator's memory in a page-table write: guest RAM only (an access
 * to MMIO is left to the guest, once the page is out of sync).  A write
 * to a page table drops the shadow entries built from what it changes.
 */
static int pt_access(struct emu *e, u64 la, u8 *buf, unsigned int size,
		     bool write)
{
	struct vtxhv_emu_priv *ep = e->priv;
	struct vtxhv_vcpu *vcpu = ep->vcpu;
	struct vtxhv_slot *slot;
	struct gpt *g;
	unsigned int n;
	u64 gpa;
	int r;

	for (; size; la += n, buf += n, size -= n) {
		n = min_t(u64, size, PAGE_SIZE - (la & ~PAGE_MASK));
		r = vtxhv_emu_translate(e, vcpu, la, write, &gpa, false);
		if (r)
			return r;
		slot = vtxhv_find_slot(vcpu->vm, gpa);
		if (!slot || (write && (slot->flags & VTXHV_MEM_READONLY)))
			return EMU_UNHANDLED;
		r = write ? vtxhv_write_guest(vcpu->vm, gpa, buf, n) :
			    vtxhv_read_guest(vcpu->vm, gpa, buf, n);
		if (r)
			return EMU_UNHANDLED;
		if (!write)
			continue;
		g = gpt_find(vcpu->vm->mmu, gpa >> PAGE_SHIFT);
		if (g && !g->unsync)
			gpt_zap(vcpu, g, gpa & ~PAGE_MASK, n, true);
	}
	return EMU_OK;
}

static int pt_read(struct emu *e, u64 la, void *buf, unsigned int size)
{
	return pt_access(e, la, buf, size, false);
}

static int pt_write(struct emu *e, u64 la, const void *buf,
		    unsigned int size)
{
	return pt_access(e, la, (u8 *)buf, size, true);
}

static const struct emu_ops pt_ops = {
	.read = pt_read,
	.write = pt_write,
	.get_xmm = vtxhv_emu_get_xmm,
	.set_xmm = vtxhv_emu_set_xmm,
};

/*
 * A guest write to one of its page tables, which the shadows depend on:
 * the instruction emulator does it here (any instruction it knows: MOV,
 * XCHG, LOCK CMPXCHG, CMPXCHG8B, LOCK AND/OR/BTR, ...).  Returns 0 when
 * done (RIP advanced, or an exception injected), or nonzero when the
 * instruction is not one vtxhv emulates; the caller then stops
 * shadowing the page.  A REP string instruction (a page being cleared
 * or copied) would come back once per element: the page goes out of
 * sync instead.
 */
static int emulate_pt_write(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_emu_priv ep = { .vcpu = vcpu };
	u8 bytes[INSN_MAX_LEN];
	int n = vtxhv_fetch_insn(vcpu, bytes, false);
	struct emu e;
	int r;

	if (n <= 0)
		return -EFAULT;
	vtxhv_emu_init(vcpu, &e, bytes, n);
	e.ops = &pt_ops;
	e.priv = &ep;
	e.no_rep = true;
	r = emu_run(&e);
	if (r == EMU_FAULT)
		return vtxhv_emu_fault(vcpu, &e.fault);
	if (r)
		return -EINVAL;
	vcpu->sh_stats[VTXHV_SH_WP_TRAPS]++;
	return vtxhv_emu_commit(vcpu, &e);
}

/*
 * vtxhv wrote guest RAM for the guest (the RAM operand of an emulated
 * MMIO instruction): drop the shadows built from what it overwrote.
 */
void vtxhv_shadow_wrote(struct vtxhv_vcpu *vcpu, u64 gpa, unsigned int len)
{
	struct vtxhv_vm *vm = vcpu->vm;
	struct gpt *g;

	if (vm->paging != VTXHV_PAGING_SHADOW)
		return;
	mutex_lock(&vm->lock);
	g = gpt_find(vm->mmu, gpa >> PAGE_SHIFT);
	if (g && !g->unsync)
		gpt_zap(vcpu, g, gpa & ~PAGE_MASK, len, true);
	sh_commit(vm, vcpu);
	mutex_unlock(&vm->lock);
}

/* The shadow leaf for @va in the current root, with tables on the way. */
static u64 *sh_leaf(struct vtxhv_mmu *m, struct sh_root *r, u64 va,
		    unsigned int leaf_shift)
{
	u64 *table = r->top;
	int level;

	for (level = top_level(r->fmt); level > 1; level--) {
		u64 *e = &table[sh_index(va, level)];

		if (!(*e & PTE_P)) {
			u64 *next = sh_alloc(m, r, level - 1);

			if (!next)
				return NULL;
			/* PAE PDPTEs have no rights bits (SDM 4.4.1). */
			*e = __pa(next) | PTE_P;
			if (level != 3 || r->fmt == SH_LM)
				*e |= PTE_W | PTE_U | PTE_A;
		}
		table = __va(*e & PTE_ADDR);
	}
	/* Remember the largest guest page behind this table, for INVLPG. */
	if (leaf_shift > (page_private(virt_to_page(table)) >> 8))
		set_page_private(virt_to_page(table), 1 | leaf_shift << 8);
	return &table[sh_index(va, 1)];
}

/* Make room: the least recently used root no vCPU runs on. */
static bool reclaim(struct vtxhv_vm *vm)
{
	struct vtxhv_mmu *m = vm->mmu;
	struct sh_root *victim = NULL;
	int i;

	for (i = 0; i < SH_MAX_ROOTS; i++) {
		struct sh_root *r = &m->roots[i];

		/* (A root without a top is being built: new_root().) */
		if (r->live && r->top && !root_in_use(vm, i, NULL) &&
		    (!victim || r->last_used < victim->last_used))
			victim = r;
	}
	if (victim) {
		/* No CPU caches it: its vCPUs flushed when they left it. */
		root_destroy(m, victim);
		return true;
	}
	return false;
}

/*
 * Out of shadow pages: a root nobody runs on goes, or else every root is
 * emptied (their vCPUs flush, sh_commit() frees).  False if nothing went.
 */
static bool make_room(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_mmu *m = vcpu->vm->mmu;
	unsigned int before = m->nr_pages;
	int i;

	if (reclaim(vcpu->vm))
		return true;
	for (i = 0; i < SH_MAX_ROOTS; i++)
		sh_zap_root(m, &m->roots[i], 0, U64_MAX, true);
	sh_commit(vcpu->vm, vcpu);
	return m->nr_pages < before;
}

static u64 *sh_leaf_reclaim(struct vtxhv_vcpu *vcpu, u64 va,
			    unsigned int leaf_shift)
{
	struct vtxhv_mmu *m = vcpu->vm->mmu;
	struct sh_root *r = &m->roots[vcpu->sh.root];
	u64 *e;

	for (;;) {
		e = sh_leaf(m, r, va, leaf_shift);
		if (e || !make_room(vcpu))
			return e;
	}
}

/*
 * Give the guest its #PF, or what the CPU makes of a #PF during the
 * delivery of another event (SDM Vol. 3, table 6-5): #DF after a #PF or
 * a contributory exception, a shutdown after a #DF.  Returns EXIT_TO_GUEST,
 * EXIT_TO_USER (the triple fault, in the run structure) or -errno.
 */
static int reflect_pf(struct vtxhv_vcpu *vcpu, u64 gva, u32 error)
{
	u32 info, type, vec;
	int ret;

	ret = vtxhv_vcpu_load(vcpu);
	if (ret)
		return ret;
	info = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD);
	type = info & INTR_INFO_INTR_TYPE_MASK;
	vec = info & INTR_INFO_VECTOR_MASK;
	if (info & INTR_INFO_VALID_MASK) {
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
		if (type == INTR_TYPE_HARD_EXCEPTION && vec == 8) {
			vcpu->run->exit_reason = VTXHV_EXIT_SHUTDOWN;
			vcpu->run->stop.rip = vmcs_readl(GUEST_RIP);
			vtxhv_vcpu_put(vcpu);
			return EXIT_TO_USER;
		}
		if (type == INTR_TYPE_HARD_EXCEPTION &&
		    (vec == 14 || vec == 0 || (vec >= 10 && vec <= 13))) {
			vtxhv_inject_exception(vcpu, 8, true, 0);
			vtxhv_vcpu_put(vcpu);
			return EXIT_TO_GUEST;
		}
		if (type == INTR_TYPE_EXT_INTR && vcpu->pending_irq < 0)
			vcpu->pending_irq = vec;
		else if (type == INTR_TYPE_NMI_INTR)
			vcpu->pending_nmi = true;
		vcpu->want_inject = true;
	}
	vtxhv_inject_pf(vcpu, gva, error);
	vtxhv_vcpu_put(vcpu);
	return EXIT_TO_GUEST;
}

/**
 * vtxhv_shadow_page_fault - a #PF exit in a shadow paging mode
 * @vcpu: the vCPU; vcpu->ctx holds the exit (qualification: the address)
 *
 * Return: an exit handler's value (EXIT_TO_GUEST, EXIT_TO_USER) or -errno.
 */
int vtxhv_shadow_page_fault(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_vm *vm = vcpu->vm;
	struct vtxhv_mmu *m = vm->mmu;
	struct vtxhv_shadow_state *sh = &vcpu->sh;
	u64 gva = vcpu->ctx.qual & VA_MASK;
	u32 hw_err = vcpu->ctx.intr_error;
	int fmt = vtxhv_shadow_fmt(sh->cr0, sh->cr4, sh->efer);
	int esz = fmt == SH_32 ? 4 : 8;
	bool write = hw_err & PFERR_W, user = hw_err & PFERR_U;
	u32 acc = hw_err & (PFERR_W | PFERR_U | PFERR_I);
	bool shadowing = vm->paging == VTXHV_PAGING_SHADOW;
	unsigned int resets = m->resets;
	struct vtxhv_slot *slot;
	struct vtxhv_gwalk w;
	struct gpt *g = NULL;
	struct page *page;
	u64 spte, *sptep;
	int ret;

	if (hw_err & PFERR_RSVD)
		return vtxhv_internal_error_ctx(vcpu, VTXHV_INTERNAL_SHADOW);
	mutex_lock(&vm->lock);
	if (sh->root < 0) {
		ret = -EIO;
		goto unlock;
	}
	ret = vtxhv_guest_walk(vcpu, gva, acc, &w);
	if (ret == 1) {
		mutex_unlock(&vm->lock);
		vcpu->sh_stats[VTXHV_SH_FAULTS_REFLECTED]++;
		return reflect_pf(vcpu, vcpu->ctx.qual, w.error);
	}
	if (ret)
		goto guest_memory;
	ret = set_accessed_dirty(vm, &w, esz, write);
	if (ret == 1)
		goto done;	/* raced with another vCPU: fault again */
	if (ret)
		goto guest_memory;

	slot = vtxhv_find_slot(vm, w.gpa);
	if (!slot || (write && (slot->flags & VTXHV_MEM_READONLY))) {
		mutex_unlock(&vm->lock);
		if (acc & PFERR_I)
			return vtxhv_internal_error_ctx(vcpu,
						VTXHV_INTERNAL_GUEST_MEMORY);
		vcpu->ctx.gla = vcpu->ctx.qual;
		vcpu->ctx.gla_acc = PFERR_P | (acc & PFERR_W);
		return vtxhv_mmio_exit(vcpu, w.gpa);
	}
	if (shadowing) {
		if (track_tables(vcpu, &w, gva, fmt)) {
			/* Other vCPUs stop writing those tables ... */
			sh_commit(vm, vcpu);
			/* ... but may have written them since the walk. */
			if (!walk_still_valid(vm, &w, esz))
				goto done;
		}
		g = gpt_find(m, w.gpa >> PAGE_SHIFT);
		/* A write to a page table the shadows depend on. */
		if (g && write && !g->unsync) {
			vcpu->ctx.gla = vcpu->ctx.qual;
			vcpu->ctx.gla_acc = PFERR_P | PFERR_W;
			vcpu->ctx.gpa = w.gpa;
			if (!emulate_pt_write(vcpu)) {
				if (m->resets == resets &&
				    ++g->writes >= GPT_RECYCLE_WRITES)
					gpt_unsync(vcpu, g);
				goto done;
			}
			if (m->resets == resets)
				gpt_unsync(vcpu, g);
		}
		/* A reset on the way (overflowing reverse map): start over. */
		if (m->resets != resets)
			goto done;
	}
	page = vtxhv_pin_gpa(vm, slot, w.gpa);
	if (!page) {
		ret = -EFAULT;
		goto unlock;
	}

	spte = page_to_phys(page) | PTE_P | PTE_A | PTE_D;
	if (w.u)
		spte |= PTE_U;
	if (w.nx)
		spte |= PTE_NX;
	if (!w.w && write && !user && !(sh->cr0 & X86_CR0_WP)) {
		/* CR0.WP=0: the kernel may write; the user may not. */
		spte = (spte | PTE_W) & ~PTE_U;
	} else if (w.w && (write || fmt == SH_PHYS ||
			   (w.ent[w.n - 1] & PTE_D))) {
		spte |= PTE_W;
	}
	if (slot->flags & VTXHV_MEM_READONLY)
		spte &= ~PTE_W;
	g = shadowing ? gpt_find(m, w.gpa >> PAGE_SHIFT) : NULL;
	if (g && !g->unsync)
		spte &= ~PTE_W;

	sptep = sh_leaf_reclaim(vcpu, gva, w.leaf_shift);
	if (!sptep) {
		ret = -ENOMEM;
		goto unlock;
	}
	*sptep = spte;
	vcpu->sh_stats[VTXHV_SH_FAULTS_FIXED]++;
done:
	ret = EXIT_TO_GUEST;
unlock:
	sh_commit(vm, vcpu);
	mutex_unlock(&vm->lock);
	return ret;

guest_memory:
	mutex_unlock(&vm->lock);
	return vtxhv_internal_error_ctx(vcpu, VTXHV_INTERNAL_GUEST_MEMORY);
}

/* INVLPG: drop the shadow of the page, or of the large page holding it. */
int vtxhv_shadow_invlpg(struct vtxhv_vcpu *vcpu, u64 gva)
{
	struct vtxhv_mmu *m = vcpu->vm->mmu;
	struct sh_root *r;
	unsigned int shift = 12;
	u64 *table;
	int level;

	vcpu->sh_stats[VTXHV_SH_INVLPG]++;
	mutex_lock(&vcpu->vm->lock);
	resync_all(vcpu);
	if (vcpu->sh.root < 0)
		goto out;
	r = &m->roots[vcpu->sh.root];
	gva &= r->fmt == SH_LM ? VA_MASK : U32_MAX;
	table = r->top;
	for (level = top_level(r->fmt); level > 1; level--) {
		u64 e = table[sh_index(gva, level)];

		if (!(e & PTE_P))
			goto out;
		table = __va(e & PTE_ADDR);
	}
	shift = max_t(unsigned int, 12, page_private(virt_to_page(table)) >> 8);
	gva &= ~GENMASK_ULL(shift - 1, 0);
	/* Other vCPUs on @r keep their TLBs, as they would on hardware. */
	sh_zap_root(m, r, gva, gva + (1ULL << shift), false);
out:
	vcpu->need_flush = true;
	sh_commit(vcpu->vm, vcpu);
	mutex_unlock(&vcpu->vm->lock);
	return EXIT_TO_GUEST;
}

/* The PAE PDPTEs at @cr3: 0, 1 when one is invalid (#GP), or -errno. */
static int load_pdptes(struct vtxhv_vcpu *vcpu, u64 cr3, u64 *pdpte)
{
	u64 rsvd = GENMASK_ULL(63, boot_cpu_data.x86_phys_bits) |
		   GENMASK_ULL(8, 5) | GENMASK_ULL(2, 1);
	int i, ret;

	for (i = 0; i < 4; i++) {
		ret = vtxhv_gpte_access(vcpu->vm, (cr3 & 0xffffffe0) + i * 8, 8,
				  &pdpte[i], false);
		if (ret)
			return ret;
		if ((pdpte[i] & PTE_P) && (pdpte[i] & rsvd))
			return 1;
	}
	return 0;
}

/*
 * What the shadows depend on besides the tables: the format, and the bits
 * that change what a walk allows (vCPUs of one guest may differ in them
 * for a while, as APs come up).
 */
static u32 sh_role(const struct vtxhv_shadow_state *sh, int fmt)
{
	return fmt | !!(sh->cr0 & X86_CR0_WP) << 4 |
	       !!(sh->cr4 & X86_CR4_PSE) << 5 | !!(sh->efer & EFER_NX) << 6;
}

/* Shadow mode: a cached root for this address space, or NULL. */
static struct sh_root *find_root(struct vtxhv_vcpu *vcpu, int fmt, u64 key)
{
	struct vtxhv_mmu *m = vcpu->vm->mmu;
	struct vtxhv_shadow_state *sh = &vcpu->sh;
	u32 role = sh_role(sh, fmt);
	int i, j;

	for (i = 0; i < SH_MAX_ROOTS; i++) {
		struct sh_root *r = &m->roots[i];

		if (!r->live || r->fmt != fmt || r->role != role ||
		    r->gcr3 != key)
			continue;
		if (fmt != SH_PAE ||
		    !memcmp(r->gpdpte, sh->pdpte, sizeof(r->gpdpte)))
			return r;
		/*
		 * PDPTEs are registers: this vCPU loaded others than the
		 * root was built on.  Rebuild those quarters, unless another
		 * vCPU runs on the root with the old ones.
		 */
		if (root_in_use(vcpu->vm, i, vcpu))
			continue;
		for (j = 0; j < 4; j++)
			if (r->gpdpte[j] != sh->pdpte[j]) {
				sh_zap_root(m, r, (u64)j << 30,
					    (u64)(j + 1) << 30, false);
				r->gpdpte[j] = sh->pdpte[j];
			}
		return r;
	}
	return NULL;
}

/* A new, empty root for this address space, or NULL. */
static struct sh_root *new_root(struct vtxhv_vcpu *vcpu, int fmt, u64 key)
{
	struct vtxhv_mmu *m = vcpu->vm->mmu;
	struct sh_root *r = NULL;
	int i;

	if (vcpu->vm->paging == VTXHV_PAGING_VTLB) {
		/* The TLB strategy: a root per vCPU, emptied on every load. */
		r = &m->roots[vcpu->id];
		root_destroy(m, r);
	} else {
		for (i = 0; !r && i < SH_MAX_ROOTS; i++)
			if (!m->roots[i].live)
				r = &m->roots[i];
		if (!r && reclaim(vcpu->vm))
			return new_root(vcpu, fmt, key);
		if (!r)
			return NULL;
	}
	INIT_LIST_HEAD(&r->pages);
	r->fmt = fmt;
	r->role = sh_role(&vcpu->sh, fmt);
	r->gcr3 = key;
	memcpy(r->gpdpte, vcpu->sh.pdpte, sizeof(r->gpdpte));
	r->live = true;
	r->top = sh_alloc(m, r, top_level(fmt));
	while (!r->top && make_room(vcpu) && r->live)
		r->top = sh_alloc(m, r, top_level(fmt));
	if (!r->top) {
		r->live = false;
		return NULL;
	}
	return r;
}

/* Switch to the root for the guest's current CR3 (vm->lock held). */
static int switch_root(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_mmu *m = vcpu->vm->mmu;
	struct vtxhv_shadow_state *sh = &vcpu->sh;
	int fmt = vtxhv_shadow_fmt(sh->cr0, sh->cr4, sh->efer);
	struct sh_root *r = NULL;
	u64 key;
	int ret;

	switch (fmt) {
	case SH_PHYS:
		key = 0;
		break;
	case SH_32:
		key = sh->cr3 & 0xfffff000;
		break;
	case SH_PAE:
		key = sh->cr3 & 0xffffffe0;
		break;
	default:
		key = sh->cr3 & PTE_ADDR;
	}
	vcpu->sh_stats[VTXHV_SH_CR3_LOADS]++;
	resync_all(vcpu);
	/* Leaving the old root: from now on it may be reclaimed. */
	sh->root = -1;
	if (vcpu->vm->paging == VTXHV_PAGING_SHADOW)
		r = find_root(vcpu, fmt, key);
	if (r) {
		vcpu->sh_stats[VTXHV_SH_ROOT_HITS]++;
	} else {
		vcpu->sh_stats[VTXHV_SH_ROOT_MISSES]++;
		r = new_root(vcpu, fmt, key);
		if (!r)
			return -ENOMEM;
	}
	r->last_used = ++m->clock;
	sh->root = r - m->roots;
	vcpu->need_flush = true;
	ret = vtxhv_vcpu_load(vcpu);
	if (ret)
		return ret;
	vmcs_writel(GUEST_CR3, __pa(r->top));
	vtxhv_vcpu_put(vcpu);
	return 0;
}

/**
 * vtxhv_shadow_prepare - before entering a shadow-paging guest
 * @vcpu: the vCPU, not loaded; may sleep
 *
 * Carries out what changed the guest's paging since the last entry
 * (vcpu->sh.reload: VTXHV_SH_RELOAD_*): a reset, PDPTEs to read, a root
 * to switch to.  Return: EXIT_TO_GUEST to enter, EXIT_TO_USER (the run
 * page says why), or -errno.
 */
int vtxhv_shadow_prepare(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_shadow_state *sh = &vcpu->sh;
	u32 reload = sh->reload;
	int ret = 0;

	if (!reload)
		return EXIT_TO_GUEST;
	if (!(sh->cr0 & X86_CR0_PE)) {
		/* No unrestricted guest without EPT: no real mode. */
		memset(&vcpu->ctx, 0, sizeof(vcpu->ctx));
		ret = vtxhv_vcpu_load(vcpu);
		if (ret)
			return ret;
		vcpu->ctx.rip = vmcs_readl(GUEST_RIP);
		vtxhv_vcpu_put(vcpu);
		return vtxhv_internal_error_ctx(vcpu,
						VTXHV_INTERNAL_REAL_MODE);
	}
	mutex_lock(&vcpu->vm->lock);
	if (reload & VTXHV_SH_RELOAD_RESET)
		mmu_reset(vcpu->vm);
	if ((reload & VTXHV_SH_RELOAD_PDPTE) &&
	    vtxhv_shadow_fmt(sh->cr0, sh->cr4, sh->efer) == SH_PAE) {
		ret = load_pdptes(vcpu, sh->cr3, sh->pdpte);
		if (ret) {
			sh_commit(vcpu->vm, vcpu);
			mutex_unlock(&vcpu->vm->lock);
			memset(&vcpu->ctx, 0, sizeof(vcpu->ctx));
			return vtxhv_internal_error_ctx(vcpu,
					VTXHV_INTERNAL_GUEST_MEMORY);
		}
	}
	ret = switch_root(vcpu);
	sh_commit(vcpu->vm, vcpu);
	mutex_unlock(&vcpu->vm->lock);
	if (ret)
		return ret;
	sh->reload = 0;
	return EXIT_TO_GUEST;
}

/**
 * vtxhv_shadow_set_cr3 - the guest's MOV to CR3, in a sleepable context
 * @vcpu:	the vCPU
 * @val:	the value written
 *
 * Return: 0 done, 1 the guest must get #GP (bad PAE PDPTEs), -errno.
 */
int vtxhv_shadow_set_cr3(struct vtxhv_vcpu *vcpu, u64 val)
{
	struct vtxhv_shadow_state *sh = &vcpu->sh;
	u64 pdpte[4];
	int ret;

	if (vtxhv_shadow_fmt(sh->cr0, sh->cr4, sh->efer) == SH_PAE) {
		ret = load_pdptes(vcpu, val, pdpte);
		if (ret < 0)
			return 1;	/* not in RAM: #GP as well */
		if (ret)
			return 1;
		memcpy(sh->pdpte, pdpte, sizeof(pdpte));
	}
	sh->cr3 = val;
	sh->reload |= VTXHV_SH_RELOAD_ROOT;
	return 0;
}

int vtxhv_shadow_init(struct vtxhv_vm *vm)
{
	struct vtxhv_mmu *m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	int i;

	if (!m)
		return -ENOMEM;
	m->max_pages = max(16U, shadow_max_pages);
	hash_init(m->gpts);
	INIT_LIST_HEAD(&m->unsync);
	INIT_LIST_HEAD(&m->retired);
	for (i = 0; i < SH_MAX_ROOTS; i++)
		INIT_LIST_HEAD(&m->roots[i].pages);
	vm->mmu = m;
	return 0;
}

void vtxhv_shadow_destroy(struct vtxhv_vm *vm)
{
	struct vtxhv_mmu *m = vm->mmu;
	int i;

	if (!m)
		return;
	for (i = 0; i < SH_MAX_ROOTS; i++)
		root_destroy(m, &m->roots[i]);
	gpts_free_all(m);
	WARN_ON_ONCE(!list_empty(&m->retired));
	kfree(m);
	vm->mmu = NULL;
}

/*
 * A slot goes: no shadow may point into it, and no CPU may hold a
 * translation into it, once this returns.  Called with vm->lock held,
 * while vCPUs may run: those in guest mode are made to exit and flush.
 */
void vtxhv_shadow_unmap_all(struct vtxhv_vm *vm)
{
	mmu_reset(vm);
	/*
	 * Every vCPU, even on a root that was empty: an INVLPG on another
	 * vCPU of its root left its TLB as it was (vtxhv_shadow_invlpg).
	 */
	vm->mmu->flush_roots = GENMASK(SH_MAX_ROOTS - 1, 0);
	sh_commit(vm, NULL);
}

/* Shadow pages in use, for the statistics. */
unsigned int vtxhv_shadow_pages(struct vtxhv_vm *vm)
{
	return vm->mmu ? READ_ONCE(vm->mmu->nr_pages) : 0;
}
