/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit_bench: what a port write and an MMIO write cost through 'vtxctl
 * run' itself, the devices and the run loop a user's guest has (make
 * bench; tests/exit_costs measures the same exits with the test
 * library's minimal loop).  A multiboot kernel in 32-bit protected mode,
 * paging off: RDTSC around ROUNDS writes of the UART scratch register,
 * then around ROUNDS writes to a guest-physical address no slot or device
 * covers, and prints on the debug console
 *	# figure vtxctl_port_write_ticks N
 *	# figure vtxctl_mmio_write_ticks N
 * (ticks per write, the loop included), then writes 0x10 to the exit
 * device (exit status 33).
 */
#include "guest.h"

#define ROUNDS		2000
#define UNHANDLED	0xd0000000	/* above RAM, below the APIC */

	multiboot_start entry

entry:
	mov $stack_top, %esp

	/* Port writes: OUT to the scratch register. */
	mov $UART_SCR, %dx
	mov $ROUNDS, %ecx
	rdtsc
	mov %eax, %esi
	mov %edx, %edi
1:	mov %cl, %al
	out %al, %dx
	dec %ecx
	jnz 1b
	mov $s_port, %ebx
	call report

	/* MMIO writes: a store nothing handles. */
	mov $ROUNDS, %ecx
	rdtsc
	mov %eax, %esi
	mov %edx, %edi
2:	movl %ecx, UNHANDLED
	dec %ecx
	jnz 2b
	mov $s_mmio, %ebx
	call report

	mov $0x10, %al
	out %al, $EXIT_PORT
	hlt

/*
 * Print "# figure " NAME (the string at EBX) " " then the ticks since
 * EDI:ESI divided by ROUNDS, and a newline.
 */
report:
	rdtsc
	sub %esi, %eax
	sbb %edi, %edx
	mov $ROUNDS, %ecx
	div %ecx
	push %eax
	mov $s_figure, %esi
	call puts
	mov %ebx, %esi
	call puts
	mov $' ', %al
	out %al, $DEBUGCON
	pop %eax
	call putdec
	mov $'\n', %al
	out %al, $DEBUGCON
	ret

	debugcon_print_funcs

s_figure:	.asciz "# figure "
s_port:		.asciz "vtxctl_port_write_ticks"
s_mmio:		.asciz "vtxctl_mmio_write_ticks"

	.data
	.align 16
	.fill 4096, 1, 0
stack_top:
