/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vtxhv ioctl ABI: /dev/vtxhv.
 *
 * Shared by the module, vtxctl and the tests (included through -I, never
 * copied).  Every structure has explicit sizes and padding; reserved fields
 * and unknown flags must be zero or the call fails with -EINVAL.
 * VTXHV_API_VERSION changes whenever this ABI changes.
 */
#ifndef _UAPI_VTXHV_H
#define _UAPI_VTXHV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VTXHV_API_VERSION	1

/* ioctl type 0xB8: unused in Documentation/userspace-api/ioctl. */
#define VTXHV_IO		0xB8

/* VM paging modes (struct vtxhv_caps.paging_modes is a mask of 1 << mode). */
#define VTXHV_PAGING_EPT	0	/* EPT: the CPU walks both levels */
#define VTXHV_PAGING_VTLB	1	/* shadow tables flushed on CR3 loads */
#define VTXHV_PAGING_SHADOW	2	/* shadow tables cached per guest CR3 */

/* struct vtxhv_caps.features: what the CPU offers (VMX capability MSRs). */
#define VTXHV_FEAT_EPT			(1U << 0)
#define VTXHV_FEAT_VPID			(1U << 1)
#define VTXHV_FEAT_UNRESTRICTED_GUEST	(1U << 2)
#define VTXHV_FEAT_EPT_2M		(1U << 3)
#define VTXHV_FEAT_EPT_1G		(1U << 4)
#define VTXHV_FEAT_EPT_AD		(1U << 5)
#define VTXHV_FEAT_PREEMPTION_TIMER	(1U << 6)
#define VTXHV_FEAT_MSR_BITMAP		(1U << 7)
#define VTXHV_FEAT_IO_BITMAP		(1U << 8)
#define VTXHV_FEAT_INVPCID		(1U << 9)
#define VTXHV_FEAT_XSAVES		(1U << 10)
#define VTXHV_FEAT_VIRTUAL_NMIS		(1U << 11)
#define VTXHV_FEAT_INVEPT_SINGLE	(1U << 12)
#define VTXHV_FEAT_INVVPID_SINGLE	(1U << 13)
#define VTXHV_FEAT_TSC_OFFSET		(1U << 14)
#define VTXHV_FEAT_SHADOW_VMCS		(1U << 15)
#define VTXHV_FEAT_PML			(1U << 16)

/**
 * struct vtxhv_caps - answer of VTXHV_GET_CAPS
 * @size:		sizeof(struct vtxhv_caps) as the module knows it
 * @api_version:	VTXHV_API_VERSION of the module
 * @features:		VTXHV_FEAT_* the CPU offers
 * @used_features:	VTXHV_FEAT_* the module uses
 * @paging_modes:	mask of 1 << VTXHV_PAGING_* this module can run
 * @max_vcpus:		vCPUs per VM
 * @max_mem_slots:	memory slots per VM
 * @cpus_online:	CPUs online
 * @cpus_in_vmx:	CPUs in VMX root operation now
 * @vmcs_revision:	VMCS revision identifier (IA32_VMX_BASIC[30:0])
 * @vmcs_size:		bytes of a VMCS region
 * @vmcs_memtype:	memory type of VMCS accesses (6 = write-back)
 * @vmx_basic ... @ept_vpid_cap: raw VMX capability MSRs (Intel SDM A.1-A.10);
 *			the control MSRs hold allowed-0 settings in bits 31:0
 *			and allowed-1 settings in bits 63:32
 */
struct vtxhv_caps {
	__u32 size;
	__u32 api_version;
	__u32 features;
	__u32 used_features;
	__u32 paging_modes;
	__u32 max_vcpus;
	__u32 max_mem_slots;
	__u32 cpus_online;
	__u32 cpus_in_vmx;
	__u32 vmcs_revision;
	__u32 vmcs_size;
	__u32 vmcs_memtype;
	__u64 vmx_basic;
	__u64 pinbased_ctls;
	__u64 procbased_ctls;
	__u64 procbased_ctls2;
	__u64 exit_ctls;
	__u64 entry_ctls;
	__u64 vmx_misc;
	__u64 cr0_fixed0;
	__u64 cr0_fixed1;
	__u64 cr4_fixed0;
	__u64 cr4_fixed1;
	__u64 ept_vpid_cap;
	__u64 reserved[8];
};

/* /dev/vtxhv */
#define VTXHV_GET_API_VERSION	_IO(VTXHV_IO, 0x00)	/* returns the version */
#define VTXHV_GET_CAPS		_IOR(VTXHV_IO, 0x01, struct vtxhv_caps)

#endif /* _UAPI_VTXHV_H */
