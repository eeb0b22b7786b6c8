/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The I/O APIC of a VTXHV_VM_IRQCHIP VM: an 82093AA with the version 0x20
 * EOI register, 24 pins, turning pin levels into APIC bus messages.  Plain
 * C, so that the module and the host unit test share it.
 */
#ifndef VTXHV_IOAPIC_H
#define VTXHV_IOAPIC_H

#include "apic_bus.h"

#define IOAPIC_PINS		24

/* MMIO offsets in the I/O APIC's page (82093AA 3.1; EOI: version 0x20) */
#define IOAPIC_MMIO_REGSEL	0x00
#define IOAPIC_MMIO_WIN		0x10
#define IOAPIC_MMIO_EOI		0x40

/* Registers behind IOREGSEL/IOWIN (82093AA 3.2) */
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR	0x10	/* + 2 * pin: low dword, + 1: high */

#define IOAPIC_VERSION		0x20
#define IOAPIC_ID_SHIFT		24
#define IOAPIC_ID_MASK		0xfU
#define IOAPIC_VER_MAXREDIR_SHIFT 16

/* Redirection table entry fields (82093AA 3.2.4) */
#define IOAPIC_RTE_VECTOR	0xffULL
#define IOAPIC_RTE_DM_SHIFT	8
#define IOAPIC_RTE_DM		(7ULL << IOAPIC_RTE_DM_SHIFT)
#define IOAPIC_RTE_LOGICAL	(1ULL << 11)
#define IOAPIC_RTE_DELIVS	(1ULL << 12)	/* read-only */
#define IOAPIC_RTE_ACTIVE_LOW	(1ULL << 13)
#define IOAPIC_RTE_REMOTE_IRR	(1ULL << 14)	/* read-only */
#define IOAPIC_RTE_LEVEL	(1ULL << 15)
#define IOAPIC_RTE_MASKED	(1ULL << 16)
#define IOAPIC_RTE_DEST_SHIFT	56
#define IOAPIC_RTE_DEST		(0xffULL << IOAPIC_RTE_DEST_SHIFT)

/* What a guest write may change; bits 55:17 are reserved and read 0. */
#define IOAPIC_RTE_RW		(IOAPIC_RTE_VECTOR | IOAPIC_RTE_DM |	\
				 IOAPIC_RTE_LOGICAL |			\
				 IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL | \
				 IOAPIC_RTE_MASKED | IOAPIC_RTE_DEST)

/**
 * struct ioapic - one I/O APIC; the caller serializes every call
 * @id:		IOAPICID, the 4-bit value of register bits 27:24
 * @ioregsel:	the register IOWIN reaches
 * @redir:	redirection table, as the guest reads it
 * @lines:	pins whose line is asserted now (bit per pin)
 * @busy:	pins whose message @deliver is handling now: a re-entrant
 *		call does not deliver them again (bounds the recursion of a
 *		callback that EOIs at once)
 * @deliver:	hands a message to the local APICs; returns how many
 *		accepted it.  May be called from any of the functions below
 * @opaque:	the first argument of @deliver
 * @delivered:	messages handed to @deliver
 * @coalesced:	assertions of a level-triggered pin dropped because its
 *		remote IRR was still set
 */
struct ioapic {
	u32 id;
	u32 ioregsel;
	u64 redir[IOAPIC_PINS];
	u32 lines;
	u32 busy;
	int (*deliver)(void *opaque, const struct apic_irq *irq);
	void *opaque;
	u64 delivered, coalesced;
};

void ioapic_reset(struct ioapic *io);
void ioapic_set_irq(struct ioapic *io, unsigned int pin, bool level);
void ioapic_eoi(struct ioapic *io, u8 vector);
u32 ioapic_read(struct ioapic *io, u32 offset);
void ioapic_write(struct ioapic *io, u32 offset, u32 val);

#endif /* VTXHV_IOAPIC_H */
