/* SPDX-License-Identifier: GPL-2.0 */
/*
 * triple: a 32-bit flat image that loads an empty IDT and executes INT3:
 * the #BP cannot be delivered (#GP), nor can the #GP (#DF), nor the #DF:
 * a triple fault, exit status 2 with a register dump.
 */
	.code32
	.text
	.globl _start
_start:
	cli
	mov $0x7269706c, %eax		/* "lpir": a marker in the dump */
	lidt empty_idt
	int3
	hlt

empty_idt:
	.word 0
	.long 0
