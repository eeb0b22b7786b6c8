/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM entry and exit: nothing but the register save/restore around
 * VMLAUNCH/VMRESUME.  Everything else happens in C.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

/* Offsets in struct vtxhv_gprs (vtxhv.h): RAX..R15 in encoding order. */
#define R_RAX	0*8
#define R_RCX	1*8
#define R_RDX	2*8
#define R_RBX	3*8
#define R_RBP	5*8
#define R_RSI	6*8
#define R_RDI	7*8
#define R_R8	8*8
#define R_R9	9*8
#define R_R10	10*8
#define R_R11	11*8
#define R_R12	12*8
#define R_R13	13*8
#define R_R14	14*8
#define R_R15	15*8
#define R_CR2	16*8

.section .noinstr.text, "ax"

/**
 * __vtxhv_vmenter - enter the guest until the next VM exit
 * @regs:	%rdi, the guest's general registers (RSP lives in the VMCS)
 * @launched:	%esi, non-zero for VMRESUME, zero for VMLAUNCH
 * @host_rsp:	%rdx, the encoding of the HOST_RSP field (from <asm/vmx.h>,
 *		which the assembler cannot include)
 *
 * Called with interrupts disabled.  Returns 0 after a VM exit and 1 when
 * VMLAUNCH/VMRESUME failed (VMfail: the VM-instruction error field says
 * why).  Host callee-saved registers are preserved; HOST_RSP is written
 * here because it is the stack pointer of this very frame.
 */
SYM_FUNC_START(__vtxhv_vmenter)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* The regs pointer, found again at the top of the stack on exit. */
	push %rdi

	vmwrite %rsp, %rdx
	jna .Lvmfail_early

	/* Guest CR2 is not in the VMCS: load it by hand if it differs. */
	mov R_CR2(%rdi), %rax
	mov %cr2, %rdx
	cmp %rax, %rdx
	je 1f
	mov %rax, %cr2
1:
	/* Choose VMRESUME or VMLAUNCH now: the loads below keep the flags. */
	test %esi, %esi

	mov R_RAX(%rdi), %rax
	mov R_RCX(%rdi), %rcx
	mov R_RDX(%rdi), %rdx
	mov R_RBX(%rdi), %rbx
	mov R_RBP(%rdi), %rbp
	mov R_RSI(%rdi), %rsi
	mov R_R8(%rdi),  %r8
	mov R_R9(%rdi),  %r9
	mov R_R10(%rdi), %r10
	mov R_R11(%rdi), %r11
	mov R_R12(%rdi), %r12
	mov R_R13(%rdi), %r13
	mov R_R14(%rdi), %r14
	mov R_R15(%rdi), %r15
	mov R_RDI(%rdi), %rdi

	jz .Lvmlaunch

	/*
	 * A successful VMRESUME/VMLAUNCH "returns" at __vtxhv_vmexit, through
	 * HOST_RIP: tell objtool the unwind state there is the one here.
	 */
	UNWIND_HINT_SAVE
.Lvmresume:
	vmresume
	jmp .Lvmfail
.Lvmlaunch:
	vmlaunch
	jmp .Lvmfail

	_ASM_EXTABLE(.Lvmresume, .Lvmfail)
	_ASM_EXTABLE(.Lvmlaunch, .Lvmfail)

/*
 * VM exit lands here (HOST_RIP) with RSP = HOST_RSP, interrupts disabled,
 * and the guest's general registers still in the CPU.
 */
SYM_INNER_LABEL(__vtxhv_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push %rdi
	mov 8(%rsp), %rdi
	mov %rax, R_RAX(%rdi)
	mov %rcx, R_RCX(%rdi)
	mov %rdx, R_RDX(%rdi)
	mov %rbx, R_RBX(%rdi)
	mov %rbp, R_RBP(%rdi)
	mov %rsi, R_RSI(%rdi)
	mov %r8,  R_R8(%rdi)
	mov %r9,  R_R9(%rdi)
	mov %r10, R_R10(%rdi)
	mov %r11, R_R11(%rdi)
	mov %r12, R_R12(%rdi)
	mov %r13, R_R13(%rdi)
	mov %r14, R_R14(%rdi)
	mov %r15, R_R15(%rdi)
	pop R_RDI(%rdi)
	mov %cr2, %rax
	mov %rax, R_CR2(%rdi)

	/*
	 * The guest may have filled the return stack buffer: refill it
	 * before the first RET, where the host's own mitigation settings
	 * ask for it (X86_FEATURE_RSB_VMEXIT, or _LITE for PBRSB).
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	xor %eax, %eax

.Lout:
	/* Leave no guest value in a register the host might speculate on. */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	add $8, %rsp
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET

.Lvmfail:
	/* VMLAUNCH/VMRESUME fell through: the guest registers were loaded
	 * into the host's, so take the frame back from the stack.
	 */
	mov $1, %eax
	jmp .Lout
.Lvmfail_early:
	mov $1, %eax
	jmp .Lout
SYM_FUNC_END(__vtxhv_vmenter)
