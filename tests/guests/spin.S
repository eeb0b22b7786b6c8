/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spin: a 32-bit flat image that spins forever, for --timeout (exit
 * status 124).
 *
 * It spins with interrupts enabled (no interrupt is ever injected, so that
 * changes nothing for the guest): in the Bochs test VM a guest spinning
 * with interrupts disabled sometimes starves the host CPU for good, with
 * KVM as well as with vtxhv, as if a host interrupt that is pending at VM
 * entry were not seen until the guest sets IF.
 */
	.code32
	.text
	.globl _start
_start:
	sti
1:	jmp 1b
