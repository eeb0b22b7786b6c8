/* SPDX-License-Identifier: GPL-2.0 */
/*
 * elf32: an i386 ELF executable (protected mode, paging off).  It reloads
 * its segment registers from the GDT vtxctl provides, then prints through
 * the UART one line of values it read:
 *   esp   its initial stack pointer (the top of RAM)
 *   edi   its vCPU index (0)
 *   apic  a local-APIC register after writing it (0: reads zero)
 *   mmio  a 32-bit read at 0xd0000000, outside RAM and every device (0)
 *   p63 / p1234w / p1234l  reads of unclaimed ports (all ones)
 *   ins   REP INSB of four bytes from the debug console (0xe9 each)
 * and halts with interrupts disabled (exit status 0).
 */
#include "guest.h"

	.code32
	.text
	.globl _start
_start:
	cli
	mov %esp, %ebp
	mov %edi, %ebx
	ljmp $0x08, $1f
1:	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs

	mov $s_name, %esi
	call puts
	mov $s_esp, %esi
	mov %ebp, %eax
	call putfield
	mov $s_edi, %esi
	mov %ebx, %eax
	call putfield

	movl $0x12345678, 0xfee000f0	/* spurious-interrupt vector */
	mov $s_apic, %esi
	mov 0xfee000f0, %eax
	call putfield

	mov $s_mmio, %esi
	mov 0xd0000000, %eax
	call putfield

	xor %eax, %eax
	in $0x63, %al
	mov $s_p63, %esi
	call putfield
	xor %eax, %eax
	mov $0x1234, %dx
	in %dx, %ax
	mov $s_p1234w, %esi
	call putfield
	mov $0x1234, %dx
	in %dx, %eax
	mov $s_p1234l, %esi
	call putfield

	mov $buf, %edi
	mov $4, %ecx
	mov $DEBUGCON, %dx
	cld
	rep insb
	mov $s_ins, %esi
	mov buf, %eax
	call putfield

	mov $'\n', %al
	call putc
	cli
	hlt
	jmp .

/* Print the NUL-terminated string at ESI. */
puts:
	lodsb
	test %al, %al
	jz 1f
	call putc
	jmp puts
1:	ret

/* Print " NAME=" (name at ESI) and EAX in 8 hex digits. */
putfield:
	push %eax
	mov $' ', %al
	call putc
	call puts
	mov $'=', %al
	call putc
	pop %edx
	mov $8, %ecx
3:	rol $4, %edx
	mov %dl, %al
	and $15, %al
	add $'0', %al
	cmp $'9', %al
	jbe 4f
	add $'a' - '9' - 1, %al
4:	call putc
	loop 3b
	ret

/* Send AL through the UART, polling LSR. */
putc:
	push %edx
	push %eax
	mov $UART_LSR, %dx
1:	in %dx, %al
	test $LSR_THRE, %al
	jz 1b
	pop %eax
	mov $UART, %dx
	out %al, %dx
	pop %edx
	ret

	.section .rodata
s_name:		.asciz "elf32:"
s_esp:		.asciz "esp"
s_edi:		.asciz "edi"
s_apic:		.asciz "apic"
s_mmio:		.asciz "mmio"
s_p63:		.asciz "p63"
s_p1234w:	.asciz "p1234w"
s_p1234l:	.asciz "p1234l"
s_ins:		.asciz "ins"

	.bss
buf:	.long 0
