// SPDX-License-Identifier: GPL-2.0
/*
 * The MSRs a guest reads and writes: every RDMSR and WRMSR exits (the MSR
 * bitmap is all ones), and VTXHV_GET_MSRS/SET_MSRS come here too.  Each
 * function returns 0, or nonzero for an MSR or value the guest gets #GP
 * for (-ENOENT: not emulated).  Called with the vCPU's VMCS current.
 */
#include <linux/kernel.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "vtxhv.h"
#include "vmx_ops.h"

/* The MSRs vtxhv emulates (docs/api.md lists them); others are #GP. */
#define STAR_IDX(i)	((i) - MSR_STAR)

static bool canonical(u64 v)
{
	return (s64)(v << 16) >> 16 == (s64)v;
}

int vtxhv_get_msr(struct vtxhv_vcpu *vcpu, u32 index, u64 *data)
{
	switch (index) {
	case MSR_IA32_TSC:
		*data = rdtsc() + vmcs_read64(TSC_OFFSET);
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->apic_base;
		return 0;
	case MSR_IA32_FEAT_CTL:
		*data = FEAT_CTL_LOCKED;	/* locked, VMX off */
		return 0;
	case MSR_IA32_UCODE_REV:
	case MSR_MTRRcap:
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
		*data = 0;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	case MSR_MTRRdefType:
		*data = vcpu->mtrr_def_type;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*data = vmcs_read32(GUEST_SYSENTER_CS);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*data = vmcs_readl(GUEST_SYSENTER_ESP);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*data = vmcs_readl(GUEST_SYSENTER_EIP);
		return 0;
	case MSR_IA32_CR_PAT:
		*data = vmcs_read64(GUEST_IA32_PAT);
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		*data = vmcs_read64(GUEST_IA32_DEBUGCTL);
		return 0;
	case MSR_EFER:
		*data = vtxhv_get_efer(vcpu);
		return 0;
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SYSCALL_MASK:
		*data = vcpu->guest_msr[STAR_IDX(index)];
		return 0;
	case MSR_TSC_AUX:
		if (!vcpu->rdtscp)
			return -ENOENT;
		*data = vcpu->tsc_aux;
		return 0;
	case MSR_FS_BASE:
		*data = vmcs_readl(GUEST_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*data = vmcs_readl(GUEST_GS_BASE);
		return 0;
	case MSR_KERNEL_GS_BASE:
		if (vcpu->guest_msrs & VTXHV_GUEST_KGS)
			rdmsrl(MSR_KERNEL_GS_BASE, vcpu->kernel_gs_base);
		*data = vcpu->kernel_gs_base;
		return 0;
	default:
		if (vcpu->apic && vtxhv_lapic_msr(index))
			return vtxhv_lapic_rdmsr(vcpu, index, data) ? -EINVAL : 0;
		return -ENOENT;
	}
}

static bool pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (8 * i);

		if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
			return false;
	}
	return true;
}

int vtxhv_set_msr(struct vtxhv_vcpu *vcpu, u32 index, u64 data)
{
	u64 efer;

	switch (index) {
	case MSR_IA32_TSC:
		vmcs_write64(TSC_OFFSET, data - rdtsc());
		return 0;
	case MSR_IA32_APICBASE:
		if (vcpu->apic)
			return vtxhv_lapic_set_base(vcpu, data) ?
			       -EINVAL : 0;
		if (data & ~(0xfffff000ULL | MSR_IA32_APICBASE_BSP |
			     MSR_IA32_APICBASE_ENABLE))
			return -EINVAL;
		vcpu->apic_base = data;
		return 0;
	case MSR_IA32_UCODE_REV:
	case MSR_IA32_MCG_STATUS:
		return data ? -EINVAL : 0;
	case MSR_IA32_MISC_ENABLE:
		vcpu->misc_enable = data;
		return 0;
	case MSR_MTRRdefType:
		if (data & ~0xcffULL)
			return -EINVAL;
		vcpu->mtrr_def_type = data;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, data);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!canonical(data))
			return -EINVAL;
		if (index == MSR_IA32_SYSENTER_ESP)
			vmcs_writel(GUEST_SYSENTER_ESP, data);
		else
			vmcs_writel(GUEST_SYSENTER_EIP, data);
		return 0;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(data))
			return -EINVAL;
		vmcs_write64(GUEST_IA32_PAT, data);
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		/* No LBR or BTS for guests: only 0 is accepted. */
		return data ? -EINVAL : 0;
	case MSR_EFER:
		efer = vtxhv_get_efer(vcpu);
		if (data & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
			return -EINVAL;
		/* LME may not change while paging is on; LMA is read-only. */
		if ((vtxhv_guest_cr0() & X86_CR0_PG) && ((data ^ efer) & EFER_LME))
			return -EINVAL;
		data = (data & ~EFER_LMA) | (efer & EFER_LMA);
		vtxhv_set_efer(vcpu, data);
		/* 64-bit mode or SYSCALL may be in reach now (vcpu.c). */
		if (vcpu->switched)
			vtxhv_load_guest_msrs(vcpu);
		return 0;
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SYSCALL_MASK:
		if (index != MSR_STAR && index != MSR_SYSCALL_MASK &&
		    !canonical(data))
			return -EINVAL;
		/* SFMASK bits 63:32 are reserved (defect 9). */
		if (index == MSR_SYSCALL_MASK && (data >> 32))
			return -EINVAL;
		vcpu->guest_msr[STAR_IDX(index)] = data;
		if (vcpu->guest_msrs & VTXHV_GUEST_SYSCALL)
			wrmsrl(index, data);
		return 0;
	case MSR_TSC_AUX:
		/* Bits 63:32 are reserved. */
		if (!vcpu->rdtscp)
			return -ENOENT;
		if (data >> 32)
			return -EINVAL;
		vcpu->tsc_aux = data;
		if (vcpu->switched)
			wrmsrl(MSR_TSC_AUX, data);
		return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
		if (!canonical(data))
			return -EINVAL;
		if (index == MSR_FS_BASE)
			vmcs_writel(GUEST_FS_BASE, data);
		else if (index == MSR_GS_BASE)
			vmcs_writel(GUEST_GS_BASE, data);
		vcpu->kernel_gs_base = index == MSR_KERNEL_GS_BASE ?
				       data : vcpu->kernel_gs_base;
		if (index == MSR_KERNEL_GS_BASE &&
		    (vcpu->guest_msrs & VTXHV_GUEST_KGS))
			wrmsrl(MSR_KERNEL_GS_BASE, data);
		return 0;
	default:
		if (vcpu->apic && vtxhv_lapic_msr(index))
			return vtxhv_lapic_wrmsr(vcpu, index, data) ? -EINVAL : 0;
		return -ENOENT;
	}
}
