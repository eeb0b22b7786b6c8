/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What this CPU's VMX can do: the capability MSRs, read once at load time
 * (vmx_root.c), and the checks on them every other file uses.
 */
#ifndef VTXHV_CAPS_H
#define VTXHV_CAPS_H

#include <linux/types.h>
#include <asm/cpufeature.h>
#include <asm/vmx.h>

#include "vmx_arch.h"

/*
 * The VMX capability MSRs (Intel SDM Vol. 3D, appendix A), read once on the
 * boot CPU.  The control MSRs hold the allowed-0 settings (bits that must be
 * 1) in their low half and the allowed-1 settings (bits that may be 1) in
 * their high half; where IA32_VMX_BASIC[55] says so, the TRUE_* variants are
 * used, as they allow more default-1 bits to be cleared.
 */
struct vmcs_config {
	u64 basic;
	u32 revision_id;
	u32 vmcs_size;
	u32 vmcs_memtype;
	u64 pin;
	u64 proc;
	u64 proc2;		/* 0 when secondary controls are absent */
	u64 exit;
	u64 entry;
	u64 misc;
	u64 cr0_fixed0, cr0_fixed1;
	u64 cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;	/* 0 when neither EPT nor VPID exists */
};

extern struct vmcs_config vmcs_config;

/* May the control bit(s) @bits be set in a control whose MSR is @msr? */
static inline bool vmx_ctl_allows(u64 msr, u32 bits)
{
	return ((msr >> 32) & bits) == bits;
}

static inline bool cpu_has_secondary_exec_ctrls(void)
{
	return vmx_ctl_allows(vmcs_config.proc,
			      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
}

static inline bool cpu_has_proc2(u32 bits)
{
	return cpu_has_secondary_exec_ctrls() &&
	       vmx_ctl_allows(vmcs_config.proc2, bits);
}

static inline bool cpu_has_vmx_ept(void)
{
	return cpu_has_proc2(SECONDARY_EXEC_ENABLE_EPT) &&
	       (vmcs_config.ept_vpid_cap & VMX_EPT_PAGE_WALK_4_BIT) &&
	       (vmcs_config.ept_vpid_cap & VMX_EPTP_WB_BIT) &&
	       (vmcs_config.ept_vpid_cap & VMX_EPT_INVEPT_BIT);
}

static inline bool cpu_has_vmx_vpid(void)
{
	return cpu_has_proc2(SECONDARY_EXEC_ENABLE_VPID) &&
	       (vmcs_config.ept_vpid_cap & VMX_VPID_INVVPID_BIT << 32);
}

static inline bool cpu_has_vmx_unrestricted_guest(void)
{
	return cpu_has_vmx_ept() &&
	       cpu_has_proc2(SECONDARY_EXEC_UNRESTRICTED_GUEST);
}

/*
 * RDTSCP and RDPID for guests ("enable RDTSCP" runs both; without it they
 * raise #UD), with IA32_TSC_AUX switched around the guest (vcpu.c).
 */
static inline bool cpu_has_vmx_rdtscp(void)
{
	return cpu_has_proc2(SECONDARY_EXEC_ENABLE_RDTSCP) &&
	       boot_cpu_has(X86_FEATURE_RDTSCP);
}

#endif /* VTXHV_CAPS_H */
