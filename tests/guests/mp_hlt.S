/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mp_hlt: a 32-bit flat image for --cpus N: every vCPU starts here with
 * EDI = its index and its own stack, prints "cpuI ok" (one string
 * OUTS, so lines do not interleave), and halts with interrupts disabled.
 */
#include "guest.h"

	.code32
	.text
	.globl _start
_start:
	cli
	/* Build the line on this vCPU's stack: the stacks must differ. */
	sub $16, %esp
	movl $0x20757063, (%esp)	/* "cpu " */
	lea 0x30(%edi), %eax
	mov %al, 3(%esp)
	movl $0x0a6b6f20, 4(%esp)	/* " ok\n" */
	mov %esp, %esi
	mov $8, %ecx
	mov $DEBUGCON, %dx
	rep outsb
	cli
	hlt
	jmp _start
