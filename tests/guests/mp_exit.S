/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mp_exit: a 32-bit flat image for --cpus 2: vCPU 1 raises a flag and
 * spins; vCPU 0 waits for the flag and writes 5 to the exit device.  The
 * run must end with status 11 without waiting for vCPU 1, which vtxctl has
 * to pull out of the guest.  Both spin with interrupts enabled: see
 * spin.S.
 */
#include "guest.h"

	.code32
	.text
	.globl _start
_start:
	sti
	test %edi, %edi
	jnz spinner
1:	pause
	cmpl $0, flag
	je 1b
	OUTS_MSG("cpu 0 exits\n", %esi, %ecx, %dx)
	mov $5, %al
	out %al, $EXIT_PORT
	hlt
spinner:
	movl $1, flag
2:	jmp 2b

	.data
flag:	.long 0
