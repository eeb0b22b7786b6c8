// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-virtual to guest-physical translation in software: walks the
 * guest's own page tables (32-bit, PAE, 4-level) so that vtxhv can fetch
 * an instruction to decode or reach the memory operand of string I/O.
 */
#include <linux/bits.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "vtxhv.h"

#define PTE_P		BIT_ULL(0)
#define PTE_W		BIT_ULL(1)
#define PTE_U		BIT_ULL(2)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	GENMASK_ULL(51, 12)

/* #PF error code bits (SDM Vol. 3A 4.7). */
#define PFERR_P		BIT(0)
#define PFERR_W		BIT(1)
#define PFERR_U		BIT(2)

struct walk {
	struct vtxhv_vcpu *vcpu;
	bool write, user, wp;
	u32 *pf_error;
};

/* Read one entry and check it; 1 means a #PF for the guest. */
static int walk_entry(struct walk *w, u64 addr, int size, u64 *entry)
{
	u32 e32;
	int ret;

	struct vtxhv_slot *s = vtxhv_find_slot(w->vcpu->vm, addr);
	void __user *u;

	/*
	 * One aligned entry: get_user() is far cheaper than a general copy,
	 * and this runs four times for every instruction fetched.
	 */
	if (!s)
		return -ENOENT;
	u = (void __user *)(unsigned long)(s->uaddr + addr - s->gpa);
	if (size == 4) {
		ret = get_user(e32, (u32 __user *)u);
		*entry = e32;
	} else {
		ret = get_user(*entry, (u64 __user *)u);
	}
	if (ret)
		return ret;
	if (!(*entry & PTE_P)) {
		*w->pf_error = (w->write ? PFERR_W : 0) | (w->user ? PFERR_U : 0);
		return 1;
	}
	if ((w->write && !(*entry & PTE_W) && (w->user || w->wp)) ||
	    (w->user && !(*entry & PTE_U))) {
		*w->pf_error = PFERR_P | (w->write ? PFERR_W : 0) |
			       (w->user ? PFERR_U : 0);
		return 1;
	}
	return 0;
}

/**
 * vtxhv_gva_to_gpa - translate as the guest's MMU would
 * @vcpu:	the vCPU, whose vcpu->ctx holds CR0/CR3/CR4/EFER/SS
 * @gva:	the linear address
 * @write:	translate for a write
 * @gpa:	the result
 * @pf_error:	the #PF error code when the guest would fault
 *
 * Return: 0 with *gpa, 1 when the guest would take a #PF (with *pf_error),
 * or a negative errno when a page table is not in guest RAM.
 */
int vtxhv_gva_to_gpa(struct vtxhv_vcpu *vcpu, u64 gva, bool write,
		     u64 *gpa, u32 *pf_error)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;
	u64 cr0 = c->cr0, cr4 = c->cr4, cr3 = c->cr3, efer = c->efer;
	struct walk w = {
		.vcpu = vcpu, .write = write, .pf_error = pf_error,
		.wp = cr0 & X86_CR0_WP,
		.user = VMX_AR_DPL(c->ss_ar) == 3,
	};
	u64 e, table;
	int ret, level;

	if (!(cr0 & X86_CR0_PG)) {
		*gpa = efer & EFER_LMA ? gva : (u32)gva;
		return 0;
	}
	if (!(cr4 & X86_CR4_PAE)) {
		/* 32-bit paging: 4 KiB pages or 4 MiB ones with PSE. */
		ret = walk_entry(&w, (cr3 & 0xfffff000) + ((gva >> 22) & 0x3ff) * 4,
				 4, &e);
		if (ret)
			return ret;
		if ((e & PTE_PS) && (cr4 & X86_CR4_PSE)) {
			*gpa = (e & 0xffc00000) | ((e & 0x1fe000) << 19) |
			       (gva & 0x3fffff);
			return 0;
		}
		ret = walk_entry(&w, (e & 0xfffff000) + ((gva >> 12) & 0x3ff) * 4,
				 4, &e);
		if (ret)
			return ret;
		*gpa = (e & 0xfffff000) | (gva & 0xfff);
		return 0;
	}
	if (efer & EFER_LMA) {
		level = 4;
		table = cr3 & PTE_ADDR;
	} else {
		/* PAE: four PDPTEs at CR3[31:5]. */
		ret = vtxhv_read_guest(vcpu->vm, (cr3 & 0xffffffe0) +
				       ((gva >> 30) & 3) * 8, &e, 8);
		if (ret)
			return ret;
		if (!(e & PTE_P)) {
			*pf_error = (write ? PFERR_W : 0) | (w.user ? PFERR_U : 0);
			return 1;
		}
		level = 2;
		table = e & PTE_ADDR;
	}
	for (; level >= 1; level--) {
		int shift = 12 + 9 * (level - 1);

		ret = walk_entry(&w, table + ((gva >> shift) & 0x1ff) * 8, 8, &e);
		if (ret)
			return ret;
		/* 1 GiB (level 3) and 2 MiB (level 2) pages. */
		if (level <= 3 && level > 1 && (e & PTE_PS)) {
			*gpa = (e & PTE_ADDR & ~GENMASK_ULL(shift - 1, 0)) |
			       (gva & GENMASK_ULL(shift - 1, 0));
			return 0;
		}
		table = e & PTE_ADDR;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}

static int copy_gva(struct vtxhv_vcpu *vcpu, u64 gva, void *buf,
		    unsigned int len, bool write, u32 *pf_error, u64 *pf_addr)
{
	while (len) {
		unsigned int n = min_t(u64, len, PAGE_SIZE - (gva & ~PAGE_MASK));
		u64 gpa;
		int ret;

		ret = vtxhv_gva_to_gpa(vcpu, gva, write, &gpa, pf_error);
		if (ret == 1)
			*pf_addr = gva;
		if (ret)
			return ret;
		ret = write ? vtxhv_write_guest(vcpu->vm, gpa, buf, n) :
			      vtxhv_read_guest(vcpu->vm, gpa, buf, n);
		if (ret)
			return ret;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int vtxhv_read_gva(struct vtxhv_vcpu *vcpu, u64 gva, void *buf,
		   unsigned int len, u32 *pf_error, u64 *pf_addr)
{
	return copy_gva(vcpu, gva, buf, len, false, pf_error, pf_addr);
}

int vtxhv_write_gva(struct vtxhv_vcpu *vcpu, u64 gva, const void *buf,
		    unsigned int len, u32 *pf_error, u64 *pf_addr)
{
	return copy_gva(vcpu, gva, (void *)buf, len, true, pf_error, pf_addr);
}
