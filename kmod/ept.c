// SPDX-License-Identifier: GPL-2.0
/*
 * EPT: the guest-physical to host-physical tables, built lazily.
 *
 * An EPT violation on a guest-physical address inside a slot pins the
 * backing user page(s) and maps them: a 2 MiB entry where the slot covers
 * the whole aligned 2 MiB and the host pages are contiguous, else a 4 KiB
 * one.  Pages stay pinned while mapped and are released when the slot goes
 * (after INVEPT on every CPU) or the VM dies.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/io.h>

#include "vtxhv.h"
#include "vmx_ops.h"

#define EPT_LEVELS	4
#define EPT_ENTRIES	512
#define EPT_ADDR_MASK	GENMASK_ULL(51, 12)
#define EPT_LARGE	BIT_ULL(7)
/* Leaf memory type write-back (SDM 28.3.7): RAM is all we map. */
#define EPT_LEAF_WB	(VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT)
#define PAGES_2M	(SZ_2M >> PAGE_SHIFT)

static u64 *ept_alloc_table(struct vtxhv_vm *vm)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (!page)
		return NULL;
	list_add(&page->lru, &vm->ept_pages);
	atomic_long_inc(&vtxhv_counts.ept_pages);
	return page_address(page);
}

int vtxhv_ept_init(struct vtxhv_vm *vm)
{
	vm->ept_root = ept_alloc_table(vm);
	if (!vm->ept_root)
		return -ENOMEM;
	/* EPTP (SDM 24.6.11): WB paging structures, 4-level walk. */
	vm->eptp = __pa(vm->ept_root) | VMX_EPTP_PWL_4 | VMX_EPTP_MT_WB;
	return 0;
}

void vtxhv_ept_destroy(struct vtxhv_vm *vm)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &vm->ept_pages, lru) {
		list_del(&page->lru);
		__free_page(page);
		atomic_long_dec(&vtxhv_counts.ept_pages);
	}
	vm->ept_root = NULL;
}

static unsigned int ept_index(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * (level - 1))) & (EPT_ENTRIES - 1);
}

/*
 * The entry for @gpa at @level (1: 4 KiB PTE, 2: 2 MiB PDE), allocating
 * tables on the way.  NULL when a large page already covers it at a higher
 * level, or when out of memory (*err says which).
 */
static u64 *ept_entry(struct vtxhv_vm *vm, u64 gpa, int level, int *err)
{
	u64 *table = vm->ept_root;
	int l;

	for (l = EPT_LEVELS; l > level; l--) {
		u64 *e = &table[ept_index(gpa, l)];

		if (!(*e & VMX_EPT_RWX_MASK)) {
			u64 *next = ept_alloc_table(vm);

			if (!next) {
				*err = -ENOMEM;
				return NULL;
			}
			*e = __pa(next) | VMX_EPT_RWX_MASK;
		} else if (*e & EPT_LARGE) {
			*err = 0;
			return NULL;
		}
		table = __va(*e & EPT_ADDR_MASK);
	}
	return &table[ept_index(gpa, level)];
}

/*
 * Pinned pages are charged to the creator's RLIMIT_MEMLOCK through
 * mm->pinned_vm, as RDMA does for its long-term pins (defect 7).
 */
static bool charge_pin(struct vtxhv_vm *vm)
{
	s64 n = atomic64_inc_return(&vm->mm->pinned_vm);

	if (vm->pin_limit != ULONG_MAX && n > vm->pin_limit) {
		atomic64_dec(&vm->mm->pinned_vm);
		pr_info_ratelimited("VM %d: RLIMIT_MEMLOCK (%lu pages) reached\n",
				    vm->id, vm->pin_limit);
		return false;
	}
	return true;
}

static struct page *pin_one(struct vtxhv_vm *vm, struct vtxhv_slot *s,
			    u64 idx)
{
	unsigned int flags = FOLL_LONGTERM;
	struct page *page;
	long n;

	if (s->pages[idx])
		return s->pages[idx];
	if (!(s->flags & VTXHV_MEM_READONLY))
		flags |= FOLL_WRITE;
	if (!charge_pin(vm))
		return NULL;
	n = pin_user_pages_fast(s->uaddr + (idx << PAGE_SHIFT), 1, flags,
				&page);
	if (n != 1) {
		atomic64_dec(&vm->mm->pinned_vm);
		return NULL;
	}
	s->pages[idx] = page;
	atomic_long_inc(&vtxhv_counts.pinned_pages);
	return page;
}

/* The pinned page behind @gpa of slot @s (shadow paging uses this too). */
struct page *vtxhv_pin_gpa(struct vtxhv_vm *vm, struct vtxhv_slot *s, u64 gpa)
{
	return pin_one(vm, s, (gpa - s->gpa) >> PAGE_SHIFT);
}

/* Try a 2 MiB mapping: every page pinned, contiguous and aligned. */
static bool map_large(struct vtxhv_vm *vm, struct vtxhv_slot *s, u64 gpa,
		      u64 perm)
{
	u64 base = ALIGN_DOWN(gpa, SZ_2M);
	u64 idx0 = (base - s->gpa) >> PAGE_SHIFT;
	unsigned long pfn0;
	u64 *pde, i;
	int err;

	if (base < s->gpa || base + SZ_2M > s->gpa + s->size ||
	    (s->uaddr - s->gpa) % SZ_2M)
		return false;
	/* Only where the host backs it with a huge page to begin with. */
	if (!pin_one(vm, s, (gpa - s->gpa) >> PAGE_SHIFT))
		return false;
	if (folio_order(page_folio(s->pages[(gpa - s->gpa) >> PAGE_SHIFT])) <
	    PMD_SHIFT - PAGE_SHIFT)
		return false;
	for (i = 0; i < PAGES_2M; i++)
		if (!pin_one(vm, s, idx0 + i))
			return false;
	pfn0 = page_to_pfn(s->pages[idx0]);
	if (pfn0 % PAGES_2M)
		return false;
	for (i = 1; i < PAGES_2M; i++)
		if (page_to_pfn(s->pages[idx0 + i]) != pfn0 + i)
			return false;
	pde = ept_entry(vm, base, 2, &err);
	if (!pde || (*pde & VMX_EPT_RWX_MASK))
		return false;
	*pde = PFN_PHYS(pfn0) | perm | EPT_LEAF_WB | VMX_EPT_IPAT_BIT |
	       EPT_LARGE;
	return true;
}

/**
 * vtxhv_ept_fault - map the guest-physical page at @gpa
 * @vm:		the VM
 * @gpa:	the faulting guest-physical address
 * @write:	the access was a write
 * @exec:	the access was an instruction fetch
 *
 * Called with vm->lock held, in a context that may sleep.
 * Return: 0 mapped (or already mapped), -ENOENT not RAM (MMIO), -EACCES a
 * write to a read-only slot (MMIO), -EFAULT the user memory behind the
 * slot cannot be pinned, -ENOMEM.
 */
int vtxhv_ept_fault(struct vtxhv_vm *vm, u64 gpa, bool write, bool exec)
{
	struct vtxhv_slot *s = vtxhv_find_slot(vm, gpa);
	u64 perm = VMX_EPT_READABLE_MASK | VMX_EPT_EXECUTABLE_MASK;
	struct page *page;
	u64 *pte;
	int err = 0;

	if (!s)
		return -ENOENT;
	if (s->flags & VTXHV_MEM_READONLY) {
		if (write)
			return -EACCES;
	} else {
		perm |= VMX_EPT_WRITABLE_MASK;
	}
	if (map_large(vm, s, gpa, perm))
		return 0;

	pte = ept_entry(vm, gpa, 1, &err);
	if (!pte)
		return err;	/* 0: a large page maps it already */
	if (*pte & VMX_EPT_RWX_MASK)
		return 0;	/* another vCPU mapped it first */
	page = pin_one(vm, s, (gpa - s->gpa) >> PAGE_SHIFT);
	if (!page)
		return -EFAULT;
	*pte = page_to_phys(page) | perm | EPT_LEAF_WB | VMX_EPT_IPAT_BIT;
	return 0;
}

/*
 * vtxhv_flush_ept() (vtxhv.h) where single-context INVEPT, which is
 * optional (SDM 30.3, INVEPT), failed or is missing: the global type.
 */
int vtxhv_flush_ept_global(u64 eptp)
{
	u64 cap = vmcs_config.ept_vpid_cap;

	if ((cap & VMX_EPT_EXTENT_GLOBAL_BIT) &&
	    !vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0))
		return 0;
	pr_err_ratelimited("INVEPT failed on CPU %d\n", smp_processor_id());
	return -EIO;
}

/* The same for vtxhv_flush_vpid(). */
int vtxhv_flush_vpid_global(u16 vpid)
{
	u64 cap = vmcs_config.ept_vpid_cap;

	if ((cap & VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT << 32) &&
	    !vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0, 0))
		return 0;
	pr_err_ratelimited("INVVPID failed on CPU %d\n", smp_processor_id());
	return -EIO;
}

struct invept_all {
	u64 eptp;
	atomic_t failed;
};

/*
 * Runs on every CPU, with interrupts disabled, so outside any stay of
 * vtxhv's in VMX operation: enter it for the INVEPT.  Where another
 * hypervisor holds VMX, INVEPT works in its VMX operation all the same.
 */
static void invept_one(void *info)
{
	struct invept_all *a = info;
	int ret = vtxhv_vmx_get();

	if (ret == -ENODEV)
		return;		/* not prepared for VMX: never ran a guest */
	if (vtxhv_flush_ept(a->eptp))
		atomic_inc(&a->failed);
	if (!ret)
		vtxhv_vmx_put();
}

/* Clear the leaf entries of [start, end) below @table at @level. */
static void ept_zap(u64 *table, int level, u64 base, u64 start, u64 end)
{
	u64 span = 1ULL << (12 + 9 * (level - 1));
	unsigned int i;

	for (i = 0; i < EPT_ENTRIES; i++) {
		u64 lo = base + i * span, hi = lo + span;

		if (hi <= start || lo >= end || !(table[i] & VMX_EPT_RWX_MASK))
			continue;
		if (level == 1 || (table[i] & EPT_LARGE))
			table[i] = 0;
		else
			ept_zap(__va(table[i] & EPT_ADDR_MASK), level - 1, lo,
				start, end);
	}
}

/*
 * Unmap a slot and make every CPU forget the translations (INVEPT is per
 * CPU; a CPU running the guest takes the IPI as a VM exit), so that its
 * pages can be unpinned.  Called with vm->lock held.  Return: 0, or -EIO
 * when a CPU could not flush: the pages must then stay pinned (defect 8).
 */
int vtxhv_ept_unmap_slot(struct vtxhv_vm *vm, struct vtxhv_slot *slot)
{
	struct invept_all a = { .eptp = vm->eptp };

	ept_zap(vm->ept_root, EPT_LEVELS, 0, slot->gpa,
		slot->gpa + slot->size);
	on_each_cpu(invept_one, &a, 1);
	return atomic_read(&a.failed) ? -EIO : 0;
}

void vtxhv_unpin_slot(struct vtxhv_vm *vm, struct vtxhv_slot *s)
{
	u64 i, n = s->size >> PAGE_SHIFT;

	if (!s->pages)
		goto out;
	for (i = 0; i < n; i++) {
		/* A large slot has millions of entries to look at. */
		if (!(i & 4095))
			cond_resched();
		if (!s->pages[i])
			continue;
		unpin_user_pages_dirty_lock(&s->pages[i], 1,
					    !(s->flags & VTXHV_MEM_READONLY));
		atomic64_dec(&vm->mm->pinned_vm);
		atomic_long_dec(&vtxhv_counts.pinned_pages);
	}
	kvfree(s->pages);
out:
	memset(s, 0, sizeof(*s));
}
