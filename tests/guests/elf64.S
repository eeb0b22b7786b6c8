/* SPDX-License-Identifier: GPL-2.0 */
/*
 * elf64: an x86-64 ELF executable (long mode, identity-mapped).  It prints
 * on the debug console, with OUTS, one line of what it found:
 *   sig   the fw_cfg signature, read with REP INSB from the data port
 *   ram   the fw_cfg RAM size (8 bytes)
 *   cpus  the fw_cfg CPU count (2 bytes)
 *   hv vmx lm  CPUID.1:ECX[31] (hypervisor), CPUID.1:ECX[5] (VMX),
 *              CPUID.80000001h:EDX[29] (long mode)
 *   vmcall     RAX after a VMCALL (-ENOSYS: no hypercalls yet)
 *   rdi   the vCPU index (0)
 * and writes 0x21 to the exit device (exit status 0x43 = 67).
 */
#include "guest.h"

	.code64
	.text
	.globl _start
_start:
	cli
	mov %rdi, %r15
	OUTS_MSG("elf64: sig=", %rsi, %rcx, %dx)

	/* Signature: four bytes with one string instruction. */
	xor %eax, %eax
	mov $FWCFG_SEL, %dx
	out %ax, %dx
	lea buf(%rip), %rdi
	mov $4, %ecx
	mov $FWCFG_DATA, %dx
	cld
	rep insb
	lea buf(%rip), %rsi
	mov $4, %ecx
	mov $DEBUGCON, %dx
	rep outsb

	OUTS_MSG(" ram=", %rsi, %rcx, %dx)
	mov $3, %eax
	mov $8, %ecx
	call fwcfg_read
	mov $16, %ecx
	call puthex

	OUTS_MSG(" cpus=", %rsi, %rcx, %dx)
	mov $5, %eax
	mov $2, %ecx
	call fwcfg_read
	mov $4, %ecx
	call puthex

	mov $1, %eax
	xor %ecx, %ecx
	cpuid
	mov %ecx, %ebx
	OUTS_MSG(" hv=", %rsi, %rcx, %dx)
	mov %ebx, %eax
	shr $31, %eax
	mov $1, %ecx
	call puthex
	OUTS_MSG(" vmx=", %rsi, %rcx, %dx)
	mov %ebx, %eax
	shr $5, %eax
	and $1, %eax
	mov $1, %ecx
	call puthex
	mov $0x80000001, %eax
	cpuid
	mov %edx, %ebx
	OUTS_MSG(" lm=", %rsi, %rcx, %dx)
	mov %ebx, %eax
	shr $29, %eax
	and $1, %eax
	mov $1, %ecx
	call puthex

	OUTS_MSG(" vmcall=", %rsi, %rcx, %dx)
	xor %eax, %eax
	vmcall
	mov $16, %ecx
	call puthex

	OUTS_MSG(" rdi=", %rsi, %rcx, %dx)
	mov %r15, %rax
	mov $1, %ecx
	call puthex
	OUTS_MSG("\n", %rsi, %rcx, %dx)

	mov $0x21, %al
	out %al, $EXIT_PORT
	hlt

/* Select fw_cfg item AX, read ECX (<= 8) bytes into RAX, little-endian. */
fwcfg_read:
	mov $FWCFG_SEL, %dx
	out %ax, %dx
	mov $FWCFG_DATA, %dx
	xor %r8, %r8
	xor %r9, %r9			/* shift */
1:	xor %eax, %eax
	in %dx, %al
	push %rcx
	mov %r9d, %ecx
	shl %cl, %rax
	pop %rcx
	or %rax, %r8
	add $8, %r9d
	loop 1b
	mov %r8, %rax
	ret

/* Print the low ECX hex digits of RAX. */
puthex:
	mov %rax, %rdx
	lea (,%rcx,4), %r8
	mov $64, %r9
	sub %r8, %r9
	mov %r9d, %r8d
	push %rcx
	mov %r8d, %ecx
	shl %cl, %rdx			/* the digits wanted, at the top */
	pop %rcx
1:	rol $4, %rdx
	mov %dl, %al
	and $15, %al
	add $'0', %al
	cmp $'9', %al
	jbe 2f
	add $'a' - '9' - 1, %al
2:	out %al, $DEBUGCON
	loop 1b
	ret

	.bss
buf:	.quad 0
