/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the guest images of tests/vtxctl_run.sh: the ports of the
 * devices 'vtxctl run' emulates (userspace/devices.h), and output macros.
 */
#ifndef VTXHV_GUEST_H
#define VTXHV_GUEST_H

#define UART		0x3f8
#define UART_LCR	0x3fb
#define UART_LSR	0x3fd
#define UART_SCR	0x3ff
#define LSR_THRE	0x20
#define DEBUGCON	0xe9
#define EXIT_PORT	0xf4
#define FWCFG_SEL	0x510
#define FWCFG_DATA	0x511

/* OUTS a string constant to the debug console (clobbers SI/CX/DX). */
#define OUTS_MSG(str, si, cx, dx)		\
	.pushsection .rodata;			\
9997:	.ascii str;				\
9998:	.popsection;				\
	mov $9997b, si;				\
	mov $(9998b - 9997b), cx;		\
	mov $DEBUGCON, dx;			\
	rep outsb

#endif
