/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hlt_if: a 32-bit flat image that halts with interrupts enabled (vtxctl
 * resumes it after a pause: it never initialised the PIC, so no interrupt
 * can come), then halts with them disabled, which ends the run with exit
 * status 0.  Two HLT exits.
 */
#include "guest.h"

	.code32
	.text
	.globl _start
_start:
	OUTS_MSG("before\n", %esi, %ecx, %dx)
	sti
	hlt
	OUTS_MSG("after\n", %esi, %ecx, %dx)
	cli
	hlt
	OUTS_MSG("halted vCPU resumed\n", %esi, %ecx, %dx)
	jmp _start
