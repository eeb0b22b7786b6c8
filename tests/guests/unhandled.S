/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unhandled: a 32-bit flat image (paging off) that adds to memory at
 * 0xc0000000, outside guest RAM: an MMIO access by an instruction the MMIO
 * decoder does not handle (ADD), so an internal error, exit status 6.
 */
#include "guest.h"

	.code32
	.text
	.globl _start
_start:
	cli
	OUTS_MSG("unhandled: adding to MMIO\n", %esi, %ecx, %dx)
	addl $1, 0xc0000000
	OUTS_MSG("unhandled: the ADD completed\n", %esi, %ecx, %dx)
	hlt
