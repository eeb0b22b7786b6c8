/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbc_reset: a 32-bit flat image that waits for the keyboard controller's
 * input buffer to be empty (status bit 1), as Linux's reboot does, then
 * sends it the reset command 0xFE, which ends the run with status 0.  If
 * the run goes on, it writes 0x20 to the exit device (status 65).
 */
#include "guest.h"

#define KBC_STATUS	0x64
#define KBC_CMD		0x64
#define KBC_IBF		0x02
#define KBC_RESET	0xfe

	.code32
	.text
	.globl _start
_start:
	OUTS_MSG("resetting\n", %esi, %ecx, %dx)
1:	in $KBC_STATUS, %al
	test $KBC_IBF, %al
	jnz 1b
	mov $KBC_RESET, %al
	out %al, $KBC_CMD
	OUTS_MSG("still running\n", %esi, %ecx, %dx)
	mov $0x20, %al
	out %al, $EXIT_PORT
	cli
	hlt
