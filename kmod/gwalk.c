// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's MMU in software: a walk of the guest's own page tables
 * (32-bit, PAE, 4-level) with its access rights and #PF error codes.
 * Shadow paging fills its tables from it (shadow.c); every paging mode
 * uses it to fetch an instruction to decode or to reach the memory
 * operand of string I/O.
 */
#include <linux/bits.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "vtxhv.h"

/*
 * Read or write one guest page-table entry (4 or 8 bytes, aligned) through
 * the slot's user mapping: get_user() and put_user() are far cheaper than
 * a general copy, and a walk reads up to four of them.
 */
int vtxhv_gpte_access(struct vtxhv_vm *vm, u64 gpa, int size, u64 *v,
		      bool write)
{
	struct vtxhv_slot slot, *s = &slot;
	void __user *u;
	u32 v32;

	if (!vtxhv_slot_get(vm, gpa, s) || gpa + size > s->gpa + s->size)
		return -ENOENT;
	/* An A/D update of a table in ROM is lost, as on hardware (defect 6). */
	if (write && (s->flags & VTXHV_MEM_READONLY))
		return 0;
	u = (void __user *)(unsigned long)(s->uaddr + gpa - s->gpa);
	if (size == 8)
		return write ? put_user(*v, (u64 __user *)u) :
			       get_user(*v, (u64 __user *)u);
	if (write)
		return put_user((u32)*v, (u32 __user *)u);
	if (get_user(v32, (u32 __user *)u))
		return -EFAULT;
	*v = v32;
	return 0;
}

/*
 * Set accessed and dirty bits as the CPU does, atomically: another vCPU
 * may change the entry between the walk and this update, and a plain
 * write would undo its change.  Return: 0 written, 1 the entry no longer
 * holds @old (walk again), or -errno.
 */
int vtxhv_gpte_cmpxchg(struct vtxhv_vm *vm, u64 gpa, int size, u64 old,
		       u64 new)
{
	struct vtxhv_slot slot, *s = &slot;
	unsigned long uaddr;
	u32 old32 = old;
	int ret;

	if (!vtxhv_slot_get(vm, gpa, s) || gpa + size > s->gpa + s->size)
		return -ENOENT;
	if (s->flags & VTXHV_MEM_READONLY)
		return 0;
	uaddr = s->uaddr + gpa - s->gpa;
	if (!access_ok((void __user *)uaddr, size))
		return -EFAULT;
	if (size == 8)
		ret = __try_cmpxchg_user((u64 __user *)uaddr, &old, new, efault);
	else
		ret = __try_cmpxchg_user((u32 __user *)uaddr, &old32, (u32)new,
					 efault32);
	return ret;
}

/* PAE PDPTE @i: shadow paging keeps the registers, EPT guests memory. */
static int guest_pdpte(struct vtxhv_vcpu *vcpu, unsigned int i, u64 *e)
{
	if (vtxhv_shadowing(vcpu->vm)) {
		*e = vcpu->sh.pdpte[i];
		return 0;
	}
	return vtxhv_gpte_access(vcpu->vm, (vcpu->ctx.cr3 & 0xffffffe0) + i * 8,
				 8, e, false);
}

/*
 * The guest's translation of @gva for an access @acc (PFERR_W/U/I bits),
 * as its MMU would do it (SDM Vol. 3A 4.3-4.6).  Return 0 with w->gpa,
 * 1 when the guest would take #PF (w->error), or a negative errno when a
 * table is not in guest RAM.
 */
int vtxhv_guest_walk(struct vtxhv_vcpu *vcpu, u64 gva, u32 acc,
		     struct vtxhv_gwalk *w)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;
	int fmt = vtxhv_shadow_fmt(c->cr0, c->cr4, c->efer);
	bool nxe = fmt >= SH_PAE && (c->efer & EFER_NX);
	bool user = acc & PFERR_U, write = acc & PFERR_W;
	bool fetch = acc & PFERR_I, wp = c->cr0 & X86_CR0_WP;
	u64 rsvd_addr = PTE_ADDR & ~GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 0);
	int esz = fmt == SH_32 ? 4 : 8, level, ret;
	u64 table, e, rsvd;
	u32 err = 0;

	memset(w, 0, sizeof(*w));
	w->w = true;
	w->u = true;
	if (fmt == SH_PHYS) {
		w->gpa = (u32)gva;
		w->leaf_shift = 12;
		return 0;
	}
	if (fmt == SH_32) {
		level = 2;
		table = c->cr3 & 0xfffff000;
		gva = (u32)gva;
	} else if (fmt == SH_PAE) {
		gva = (u32)gva;
		ret = guest_pdpte(vcpu, gva >> 30, &e);
		if (ret)
			return ret;
		if (!(e & PTE_P))
			goto not_present;
		level = 2;
		table = e & PTE_ADDR;
	} else {
		level = 4;
		table = c->cr3 & PTE_ADDR;
	}

	for (;; level--) {
		unsigned int shift = 12 + (esz == 4 ? 10 : 9) * (level - 1);
		unsigned int idx = (gva >> shift) & (esz == 4 ? 1023 : 511);
		u64 gpa = table + idx * esz;
		bool large;

		ret = vtxhv_gpte_access(vcpu->vm, gpa, esz, &e, false);
		if (ret)
			return ret;
		w->ent[w->n] = e;
		w->ent_gpa[w->n] = gpa;
		w->ent_level[w->n] = level;
		w->n++;
		if (!(e & PTE_P))
			goto not_present;
		large = level > 1 && (e & PTE_PS);
		if (esz == 4) {
			large = large && (c->cr4 & X86_CR4_PSE);
			rsvd = large ? BIT_ULL(21) : 0;
		} else {
			rsvd = rsvd_addr | (nxe ? 0 : PTE_NX);
			if (level == 4 || (large && level == 3 &&
					   !boot_cpu_has(X86_FEATURE_GBPAGES)))
				rsvd |= PTE_PS;
			if (large)
				rsvd |= GENMASK_ULL(shift - 1, 13);
		}
		if (e & rsvd) {
			err = PFERR_P | PFERR_RSVD;
			goto fault;
		}
		w->w &= !!(e & PTE_W);
		w->u &= !!(e & PTE_U);
		w->nx |= nxe && (e & PTE_NX);
		if (large || level == 1) {
			u64 off = GENMASK_ULL(shift - 1, 0);

			if (esz == 4 && large)
				w->gpa = (e & 0xffc00000) |
					 ((e & 0x1fe000ULL) << 19);
			else
				w->gpa = e & PTE_ADDR & ~off;
			w->gpa |= gva & off;
			w->leaf_shift = shift;
			break;
		}
		table = e & (esz == 4 ? 0xfffff000 : PTE_ADDR);
	}

	/* Access rights of the whole path (SDM Vol. 3A 4.6). */
	if (user) {
		if (!w->u || (write && !w->w) || (fetch && w->nx))
			goto protection;
	} else {
		if ((write && !w->w && wp) || (fetch && w->nx))
			goto protection;
		if (fetch && w->u && (c->cr4 & X86_CR4_SMEP))
			goto protection;
		if (!fetch && w->u && (c->cr4 & X86_CR4_SMAP) &&
		    !(c->rflags & X86_EFLAGS_AC))
			goto protection;
	}
	return 0;

protection:
	err = PFERR_P;
	goto fault;
not_present:
	err = 0;
fault:
	err |= acc & (PFERR_W | PFERR_U);
	if (fetch && (nxe || (c->cr4 & X86_CR4_SMEP)))
		err |= PFERR_I;
	w->error = err;
	return 1;
}

/**
 * vtxhv_gva_to_gpa - translate as the guest's MMU would, for a data access
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
	u32 acc = (write ? PFERR_W : 0) |
		  (VMX_AR_DPL(vcpu->ctx.ss_ar) == 3 ? PFERR_U : 0);
	struct vtxhv_gwalk w;
	int ret;

	/* Paging off: no tables to walk (an MMIO exit of a boot loader). */
	if (!(vcpu->ctx.cr0 & X86_CR0_PG)) {
		*gpa = (u32)gva;
		return 0;
	}
	ret = vtxhv_guest_walk(vcpu, gva, acc, &w);
	if (ret == 1)
		*pf_error = w.error;
	else if (!ret)
		*gpa = w.gpa;
	return ret;
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
