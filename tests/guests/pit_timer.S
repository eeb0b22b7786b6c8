/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pit_timer: a 32-bit flat image that programs the 8259A pair (IRQ 0-7 at
 * vectors 0x20-0x27, only IRQ 0 unmasked) and the 8254's counter 0 at
 * 100 Hz (mode 2, count 11932), then halts between timer interrupts.  It
 * waits for the CMOS RTC's seconds to change, counts IRQ 0 interrupts
 * until they have changed twice more (two seconds), prints
 * "ticks=N halts=M\n" on the debug console and halts with interrupts off
 * (exit status 0).  Any other vector prints "unexpected vector" and
 * writes 0x7f to the exit device (status 255).
 */
#include "guest.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIT_CH0		0x40
#define PIT_CMD		0x43
#define RTC_INDEX	0x70
#define RTC_DATA	0x71
#define PIT_COUNT	11932		/* 1193182 Hz / 100 */
#define IRQ0_VECTOR	0x20
#define NVECTORS	0x30
#define CODE_SEL	0x08		/* vtxctl's flat 32-bit code */

	.code32
	.text
	.globl _start
_start:
	/* IDT: every vector to 'unexpected', IRQ 0 to 'tick'. */
	xor %ecx, %ecx
1:	mov $unexpected, %eax
	cmp $IRQ0_VECTOR, %ecx
	jne 2f
	mov $tick, %eax
2:	mov %ax, idt(,%ecx,8)
	movw $CODE_SEL, idt+2(,%ecx,8)
	movw $0x8e00, idt+4(,%ecx,8)	/* present, 32-bit interrupt gate */
	shr $16, %eax
	mov %ax, idt+6(,%ecx,8)
	inc %ecx
	cmp $NVECTORS, %ecx
	jne 1b
	lidt idtr

	/* PICs: ICW1 (edge, cascade, ICW4), ICW2 base, ICW3, ICW4 8086. */
	mov $0x11, %al
	out %al, $PIC1_CMD
	out %al, $PIC2_CMD
	mov $IRQ0_VECTOR, %al
	out %al, $PIC1_DATA
	mov $(IRQ0_VECTOR + 8), %al
	out %al, $PIC2_DATA
	mov $0x04, %al
	out %al, $PIC1_DATA
	mov $0x02, %al
	out %al, $PIC2_DATA
	mov $0x01, %al
	out %al, $PIC1_DATA
	out %al, $PIC2_DATA
	mov $0xfe, %al			/* only IRQ 0 */
	out %al, $PIC1_DATA
	mov $0xff, %al
	out %al, $PIC2_DATA

	/* PIT counter 0: LSB then MSB, mode 2 (rate generator). */
	mov $0x34, %al
	out %al, $PIT_CMD
	mov $(PIT_COUNT & 0xff), %al
	out %al, $PIT_CH0
	mov $(PIT_COUNT >> 8), %al
	out %al, $PIT_CH0
	sti

	/* Align on an RTC second, then count over two seconds. */
	call rtc_seconds
	mov %al, %bl
3:	hlt
	call rtc_seconds
	cmp %al, %bl
	je 3b
	mov %al, %bl
	movl $0, ticks
	movl $0, halts
	mov $2, %edi
4:	hlt
	incl halts
	call rtc_seconds
	cmp %al, %bl
	je 4b
	mov %al, %bl
	dec %edi
	jnz 4b
	cli
	mov ticks, %ebp

	OUTS_MSG("ticks=", %esi, %ecx, %dx)
	mov %ebp, %eax
	call print_dec
	OUTS_MSG(" halts=", %esi, %ecx, %dx)
	mov halts, %eax
	call print_dec
	mov $'\n', %al
	out %al, $DEBUGCON
	hlt

/* AL = the RTC's seconds register (as it is: BCD). */
rtc_seconds:
	xor %al, %al
	out %al, $RTC_INDEX
	in $RTC_DATA, %al
	ret

/* EAX in decimal on the debug console (clobbers EAX, ECX, EDX, ESI). */
print_dec:
	mov $decbuf_end, %esi
	mov $10, %ecx
5:	xor %edx, %edx
	div %ecx
	add $'0', %dl
	dec %esi
	mov %dl, (%esi)
	test %eax, %eax
	jnz 5b
	mov $decbuf_end, %ecx
	sub %esi, %ecx
	mov $DEBUGCON, %dx
	rep outsb
	ret

tick:
	incl ticks
	push %eax
	mov $0x20, %al			/* non-specific EOI */
	out %al, $PIC1_CMD
	pop %eax
	iret

unexpected:
	OUTS_MSG("unexpected vector\n", %esi, %ecx, %dx)
	mov $0x7f, %al
	out %al, $EXIT_PORT
	cli
	hlt

	.data
	.align 8
idtr:	.word NVECTORS * 8 - 1
	.long idt
ticks:	.long 0
halts:	.long 0
decbuf:	.space 12
decbuf_end:

	.bss
	.align 8
idt:	.space NVECTORS * 8
