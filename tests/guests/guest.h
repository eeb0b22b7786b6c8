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

#ifdef __ASSEMBLER__
/*
 * The 32-bit multiboot v1 kernels (flat binaries for 1 MiB): _start jumps
 * over the header to @entry.  The header has the address fields (flag
 * bit 16), which a flat binary needs.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00010002	/* memory information, address fields */

.macro multiboot_start entry
	.code32
	.text
	.globl _start
_start:
	jmp \entry

	.align 4
mb_header:
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
	/* header_addr, load_addr, load_end_addr (0: the whole file),
	 * bss_end_addr (0: none), entry_addr */
	.long mb_header, _start, 0, 0, \entry
.endm

/*
 * puts: print the NUL-terminated string at ESI on the debug console.
 * putdec: print EAX there in decimal (EBX kept).
 */
.macro debugcon_print_funcs
puts:
	mov $DEBUGCON, %dx
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:	ret

putdec:
	push %ebx
	mov $10, %ecx
	xor %ebx, %ebx
1:	xor %edx, %edx
	div %ecx
	push %edx
	inc %ebx
	test %eax, %eax
	jnz 1b
2:	pop %eax
	add $'0', %al
	out %al, $DEBUGCON
	dec %ebx
	jnz 2b
	pop %ebx
	ret
.endm
#endif

#endif
