/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello16: a real-mode flat image, loaded and entered at 0x7c00.  It sets
 * the UART's baud rate as a driver would (DLAB), checks its scratch
 * register, prints "hello" through it by polling LSR, and halts with
 * interrupts disabled (exit status 0).
 */
#include "guest.h"

	.code16
	.text
	.globl _start
_start:
	cli
	/* 115200 8N1: DLAB on, divisor 1, DLAB off. */
	mov $UART_LCR, %dx
	mov $0x80, %al
	out %al, %dx
	mov $UART, %dx
	mov $1, %al
	out %al, %dx
	mov $UART + 1, %dx
	xor %al, %al
	out %al, %dx
	mov $UART_LCR, %dx
	mov $0x03, %al
	out %al, %dx
	/* The scratch register keeps what is written. */
	mov $UART_SCR, %dx
	mov $0x5a, %al
	out %al, %dx
	in %dx, %al
	mov $msg, %si
	cmp $0x5a, %al
	je 1f
	mov $bad, %si
1:	lodsb
	test %al, %al
	jz 3f
	mov %al, %bl
	mov $UART_LSR, %dx
2:	in %dx, %al
	test $LSR_THRE, %al
	jz 2b
	mov $UART, %dx
	mov %bl, %al
	out %al, %dx
	jmp 1b
3:	cli
	hlt
	jmp 3b

msg:	.asciz "hello\n"
bad:	.asciz "scratch register lost its value\n"
