// SPDX-License-Identifier: GPL-2.0
/*
 * I/O APIC model: the registers of an 82093AA behind IOREGSEL/IOWIN, the
 * EOI register of version 0x20 I/O APICs, and the redirection of pin levels
 * to APIC bus messages (82093AA datasheet 3.2; Intel SDM Vol. 3A 10.11).
 */
#include "ioapic.h"

static bool ioapic_dm_delivered(u8 dm)
{
	/* SMI, and the reserved 3 and 6, reach no local APIC. */
	return dm == APIC_MSG_FIXED || dm == APIC_MSG_LOWEST ||
	       dm == APIC_MSG_NMI || dm == APIC_MSG_INIT ||
	       dm == APIC_MSG_EXTINT;
}

/*
 * Whether @rte works the level-triggered way, with remote IRR and an EOI.
 * The 82093AA treats NMI, INIT and ExtINT as edge-triggered whatever the
 * trigger mode bit says (datasheet 3.2.4): no EOI ever comes for them.
 */
static bool ioapic_rte_level(u64 rte)
{
	u8 dm = (rte & IOAPIC_RTE_DM) >> IOAPIC_RTE_DM_SHIFT;

	return (rte & IOAPIC_RTE_LEVEL) &&
	       (dm == APIC_MSG_FIXED || dm == APIC_MSG_LOWEST);
}

/* Hand pin @pin's message to the local APICs; return how many took it. */
static int ioapic_send(struct ioapic *io, unsigned int pin)
{
	u64 rte = io->redir[pin];
	struct apic_irq irq = {
		.dest = (rte & IOAPIC_RTE_DEST) >> IOAPIC_RTE_DEST_SHIFT,
		.vector = rte & IOAPIC_RTE_VECTOR,
		.dm = (rte & IOAPIC_RTE_DM) >> IOAPIC_RTE_DM_SHIFT,
		.shorthand = APIC_SH_NONE,
		.logical = !!(rte & IOAPIC_RTE_LOGICAL),
		.level = !!(rte & IOAPIC_RTE_LEVEL),
		.assert = true,
	};
	int accepted;

	if (!ioapic_dm_delivered(irq.dm) || !io->deliver)
		return 0;
	io->busy |= 1U << pin;
	io->delivered++;
	accepted = io->deliver(io->opaque, &irq);
	io->busy &= ~(1U << pin);
	return accepted;
}

/*
 * A level-triggered pin sends while its line is asserted, the entry is
 * unmasked and remote IRR is clear; remote IRR then holds it until the
 * EOI, if a local APIC accepted the message (82093AA 3.2.4).
 */
static void ioapic_service_level(struct ioapic *io, unsigned int pin)
{
	u64 *rte = &io->redir[pin];

	if (!ioapic_rte_level(*rte) || !(io->lines & (1U << pin)) ||
	    (*rte & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)) ||
	    (io->busy & (1U << pin)))
		return;
	/*
	 * Set before sending: a callback that takes the EOI at once clears
	 * it, and must find it set to do so.
	 */
	*rte |= IOAPIC_RTE_REMOTE_IRR;
	if (ioapic_send(io, pin) <= 0)
		io->redir[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
}

void ioapic_reset(struct ioapic *io)
{
	unsigned int pin;

	io->id = 0;
	io->ioregsel = 0;
	io->lines = 0;
	io->busy = 0;
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		io->redir[pin] = IOAPIC_RTE_MASKED;
}

/*
 * @level is the asserted state of the line (1 asserted), whatever the
 * entry's polarity: the caller has applied it, as a device model drives
 * the logical level.
 */
void ioapic_set_irq(struct ioapic *io, unsigned int pin, bool level)
{
	u32 bit;
	u64 rte;
	bool rising;

	if (pin >= IOAPIC_PINS)
		return;
	bit = 1U << pin;
	if (!level) {
		io->lines &= ~bit;
		return;
	}
	rising = !(io->lines & bit);
	io->lines |= bit;
	rte = io->redir[pin];
	if (rte & IOAPIC_RTE_MASKED)
		return;
	if (ioapic_rte_level(rte)) {
		if (rte & IOAPIC_RTE_REMOTE_IRR)
			io->coalesced++;
		else
			ioapic_service_level(io, pin);
	} else if (rising && !(io->busy & bit)) {
		ioapic_send(io, pin);
	}
}

/*
 * The EOI of a level-triggered interrupt, broadcast by a local APIC or
 * written to the EOI register: each entry of that vector waiting for it
 * may send again, at most once per pin and call.
 */
void ioapic_eoi(struct ioapic *io, u8 vector)
{
	unsigned int pin;

	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		u64 rte = io->redir[pin];

		if ((rte & IOAPIC_RTE_VECTOR) != vector ||
		    !(rte & IOAPIC_RTE_LEVEL) || !(rte & IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->redir[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		ioapic_service_level(io, pin);
	}
}

static u32 ioapic_read_reg(struct ioapic *io)
{
	u32 reg = io->ioregsel;
	u64 rte;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return io->id << IOAPIC_ID_SHIFT;
	case IOAPIC_REG_VER:
		return (IOAPIC_PINS - 1) << IOAPIC_VER_MAXREDIR_SHIFT |
		       IOAPIC_VERSION;
	}
	if (reg < IOAPIC_REG_REDIR || reg >= IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
		return 0;
	rte = io->redir[(reg - IOAPIC_REG_REDIR) / 2];
	return reg & 1 ? rte >> 32 : (u32)rte;
}

static void ioapic_write_rte(struct ioapic *io, unsigned int pin, bool high,
			     u32 val)
{
	u64 old = io->redir[pin];
	u64 rte;

	if (high) {
		rte = (u64)val << 32 | (u32)old;
		io->redir[pin] = (rte & IOAPIC_RTE_RW) |
				 (old & ~IOAPIC_RTE_RW);
		return;
	}
	rte = (old & ~0xffffffffULL) | val;
	rte = (rte & IOAPIC_RTE_RW) | (old & ~IOAPIC_RTE_RW);
	/* Remote IRR is undefined for edge entries: start clean. */
	if (!(rte & IOAPIC_RTE_LEVEL))
		rte &= ~IOAPIC_RTE_REMOTE_IRR;
	io->redir[pin] = rte;
	/*
	 * An unmasked level entry whose line is asserted and remote IRR
	 * clear sends now: the unmask of a pending interrupt, as Linux does
	 * it when it enables an IRQ whose device already asserted it.
	 */
	ioapic_service_level(io, pin);
}

static void ioapic_write_reg(struct ioapic *io, u32 val)
{
	u32 reg = io->ioregsel;

	if (reg == IOAPIC_REG_ID) {
		io->id = (val >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
		return;
	}
	/* IOAPICVER and IOAPICARB are read-only. */
	if (reg < IOAPIC_REG_REDIR || reg >= IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
		return;
	ioapic_write_rte(io, (reg - IOAPIC_REG_REDIR) / 2, reg & 1, val);
}

/* 32-bit MMIO accesses at @offset in the I/O APIC's 4 KiB page. */
u32 ioapic_read(struct ioapic *io, u32 offset)
{
	switch (offset) {
	case IOAPIC_MMIO_REGSEL:
		return io->ioregsel;
	case IOAPIC_MMIO_WIN:
		return ioapic_read_reg(io);
	}
	return 0;	/* the EOI register is write-only */
}

void ioapic_write(struct ioapic *io, u32 offset, u32 val)
{
	switch (offset) {
	case IOAPIC_MMIO_REGSEL:
		/* Bits 31:8 are reserved (82093AA 3.1.1). */
		io->ioregsel = val & 0xff;
		break;
	case IOAPIC_MMIO_WIN:
		ioapic_write_reg(io, val);
		break;
	case IOAPIC_MMIO_EOI:
		ioapic_eoi(io, val & 0xff);
		break;
	}
}
