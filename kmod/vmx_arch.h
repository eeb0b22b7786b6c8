/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Architectural VMX constants that the kernel's <asm/vmx.h> does not keep
 * stable: 6.12 dropped the IA32_VMX_BASIC field macros, the IA32_VMX_MISC
 * timer-rate mask and SECONDARY_EXEC_XSAVES that 6.1 had.  Written here from
 * the Intel SDM under our own names, so that nothing clashes with either
 * kernel's header.  See docs/kernels.md before adding to this file.
 */
#ifndef VTXHV_VMX_ARCH_H
#define VTXHV_VMX_ARCH_H

#include <linux/bits.h>

/* IA32_VMX_BASIC (MSR 0x480), SDM Vol. 3D, A.1 */
#define VTXHV_VMX_BASIC_REVISION_MASK	GENMASK_ULL(30, 0)
#define VTXHV_VMX_BASIC_VMCS_SIZE_MASK	GENMASK_ULL(44, 32)
#define VTXHV_VMX_BASIC_VMCS_SIZE_SHIFT	32
/* Set: VMXON region, VMCS and their pointers limited to 32-bit addresses. */
#define VTXHV_VMX_BASIC_32BIT_ADDR	BIT_ULL(48)
#define VTXHV_VMX_BASIC_MEM_TYPE_MASK	GENMASK_ULL(53, 50)
#define VTXHV_VMX_BASIC_MEM_TYPE_SHIFT	50
#define VTXHV_VMX_BASIC_MEM_TYPE_WB	6	/* memory type encoding, A.1 */
/* Set: the IA32_VMX_TRUE_*_CTLS MSRs exist (A.2). */
#define VTXHV_VMX_BASIC_TRUE_CTLS	BIT_ULL(55)

/* IA32_VMX_MISC (MSR 0x485), SDM Vol. 3D, A.6 */
/* The preemption timer counts down once per 2^rate TSC ticks. */
#define VTXHV_VMX_MISC_TIMER_RATE_MASK	GENMASK_ULL(4, 0)

/*
 * Secondary processor-based VM-execution controls, SDM Vol. 3C, 25.6.2,
 * table "Definitions of Secondary Processor-Based VM-Execution Controls".
 */
#define VTXHV_SECONDARY_EXEC_XSAVES	BIT(20)	/* enable XSAVES/XRSTORS */

#endif /* VTXHV_VMX_ARCH_H */
