/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unhandled: a 32-bit flat image (paging off) that multiplies by memory at
 * 0xc0000000, outside guest RAM: an MMIO access by an instruction the
 * emulator refuses (MUL, docs/architecture.md), so an internal error,
 * exit status 6.
 */
#include "guest.h"

	.code32
	.text
	.globl _start
_start:
	cli
	OUTS_MSG("unhandled: multiplying by MMIO\n", %esi, %ecx, %dx)
	mull 0xc0000000
	OUTS_MSG("unhandled: the MUL completed\n", %esi, %ecx, %dx)
	hlt
