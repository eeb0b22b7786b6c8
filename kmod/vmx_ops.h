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
#include <linux/build_bug.h>
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

/*
 * Run one VMX instruction @insn (a string naming its operands as %[name])
 * with the asm input operands that follow: 0 on success, -EIO on VMfail
 * (CF or ZF set), -EFAULT when the instruction faults.  The labels sit
 * in blocks only a jump from the asm reaches.  asm_goto_output() is the
 * kernel's spelling of asm goto (with GCC's workaround where needed).
 */
#define vmx_insn(insn, ...)						\
({									\
	__label__ fail, fault;						\
	int __ret = 0;							\
									\
	asm_goto_output("1: " insn "\n\t"				\
			"jna %l[fail]\n\t"				\
			VMX_EXTABLE("1b", "%l[fault]")			\
			: : __VA_ARGS__ : "cc", "memory" : fail, fault);	\
	if (0) {							\
fail:									\
		__ret = -EIO;						\
	}								\
	if (0) {							\
fault:									\
		__ret = -EFAULT;					\
	}								\
	__ret;								\
})

/*
 * VMXON, VMCLEAR and VMPTRLD read the region's physical address from
 * memory: they take where it is kept (*@pa), so that no copy is made on
 * the stack (which would also cost the stack protector's canary check).
 */

/* VMXON, Intel SDM Vol. 3C 31.5: enter VMX root operation. */
static inline int vmx_vmxon(const u64 *pa)
{
	return vmx_insn("vmxon %[pa]", [pa] "m"(*pa));
}

/* VMXOFF: leave VMX operation. */
static inline int vmx_vmxoff(void)
{
	return vmx_insn("vmxoff");
}

/* VMCLEAR: flush a VMCS to memory and make it inactive on this CPU. */
static inline int vmx_vmclear(const u64 *pa)
{
	return vmx_insn("vmclear %[pa]", [pa] "m"(*pa));
}

/* VMPTRLD: make a VMCS current on this CPU. */
static inline int vmx_vmptrld(const u64 *pa)
{
	return vmx_insn("vmptrld %[pa]", [pa] "m"(*pa));
}

struct invept_desc {
	u64 eptp;
	u64 reserved;
};

static inline int vmx_invept(unsigned long type, u64 eptp)
{
	struct invept_desc desc = { eptp, 0 };

	return vmx_insn("invept %[desc], %[type]", [desc] "m"(desc),
			[type] "r"(type));
}

struct invvpid_desc {
	u64 vpid;
	u64 gva;
};

static inline int vmx_invvpid(unsigned long type, u16 vpid, u64 gva)
{
	struct invvpid_desc desc = { vpid, gva };

	return vmx_insn("invvpid %[desc], %[type]", [desc] "m"(desc),
			[type] "r"(type));
}

void vmx_vmread_error(unsigned long field);
void vmx_vmwrite_error(unsigned long field, unsigned long value);

/*
 * VMREAD/VMWRITE on the current VMCS.  A failure means a bug in vtxhv (a
 * wrong field, or no current VMCS): it is reported once with the field and
 * VM_INSTRUCTION_ERROR, and a read then returns 0.
 */
static __always_inline unsigned long __vmcs_readl(unsigned long field)
{
	unsigned long value;

	asm goto("1: vmread %[field], %[value]\n\t"
		 "jna %l[fail]\n\t"
		 VMX_EXTABLE("1b", "%l[fail]")
		 : [value] "=rm"(value) : [field] "r"(field) : "cc"
		 : fail);
	return value;
fail:
	vmx_vmread_error(field);
	return 0;
}

static __always_inline void __vmcs_writel(unsigned long field,
					  unsigned long value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 "jna %l[fail]\n\t"
		 VMX_EXTABLE("1b", "%l[fail]")
		 : : [field] "r"(field), [value] "rm"(value) : "cc"
		 : fail);
	return;
fail:
	vmx_vmwrite_error(field, value);
}

/*
 * The width of a field is encoded in bits 14:13 of its encoding (SDM
 * 24.11.2): 0 16-bit, 1 64-bit, 2 32-bit, 3 natural width.  Bit 0 selects
 * the high half of a 64-bit field.  The typed accessors reject a field of
 * the wrong width at compile time when the encoding is a constant.
 */
#define VMCS_FIELD_WIDTH(f)	(((f) >> 13) & 3)

#define vmcs_check(field, width)					\
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&			\
			 (VMCS_FIELD_WIDTH(field) != (width) ||		\
			  ((width) == 1 && ((field) & 1))),		\
			 "VMCS field of the wrong width")

#define vmcs_read16(f) ({ vmcs_check(f, 0); (u16)__vmcs_readl(f); })
#define vmcs_read32(f) ({ vmcs_check(f, 2); (u32)__vmcs_readl(f); })
#define vmcs_read64(f) ({ vmcs_check(f, 1); (u64)__vmcs_readl(f); })
#define vmcs_readl(f) ({ vmcs_check(f, 3); __vmcs_readl(f); })

/* A write of a field of @width (as vmcs_check()), @v cut to @type. */
#define vmcs_write_width(f, v, width, type)				\
	do {								\
		vmcs_check(f, width);					\
		__vmcs_writel(f, (type)(v));				\
	} while (0)
#define vmcs_write16(f, v) vmcs_write_width(f, v, 0, u16)
#define vmcs_write32(f, v) vmcs_write_width(f, v, 2, u32)
#define vmcs_write64(f, v) vmcs_write_width(f, v, 1, u64)
#define vmcs_writel(f, v) vmcs_write_width(f, v, 3, unsigned long)

#endif /* VTXHV_VMX_OPS_H */
