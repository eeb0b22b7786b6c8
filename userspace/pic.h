/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two cascaded 8259A interrupt controllers of a PC, for 'vtxctl run':
 * pure logic driven by device lines, port I/O and the CPU's interrupt
 * acknowledge, with no locking (the caller serialises), host unit-tested.
 */
#ifndef VTXCTL_PIC_H
#define VTXCTL_PIC_H

#include <stdbool.h>
#include <stdint.h>

/* Ports (the PC/AT wiring; ELCR as in the PIIX south bridges). */
#define PIC_MASTER_CMD		0x20	/* A0 = 0: ICW1, OCW2, OCW3; IRR/ISR */
#define PIC_MASTER_DATA		0x21	/* A0 = 1: ICW2-4, OCW1 (IMR) */
#define PIC_SLAVE_CMD		0xa0
#define PIC_SLAVE_DATA		0xa1
#define PIC_ELCR1		0x4d0	/* edge/level control, IRQ 0-7 */
#define PIC_ELCR2		0x4d1	/* edge/level control, IRQ 8-15 */

#define PIC_NR_IRQS		16
#define PIC_CASCADE_IR		2	/* the slave's INT drives master IR2 */

/* ELCR bits that exist: IRQ 0, 1, 2, 8 and 13 are always edge. */
#define PIC_ELCR1_MASK		0xf8
#define PIC_ELCR2_MASK		0xde

/* Initialization and operation command word bits (8259A datasheet). */
#define PIC_ICW1_IC4		0x01	/* ICW4 follows */
#define PIC_ICW1_SNGL		0x02	/* single: no ICW3, no cascade */
#define PIC_ICW1_LTIM		0x08	/* level-triggered inputs */
#define PIC_ICW1_INIT		0x10	/* with A0 = 0: this is ICW1 */
#define PIC_ICW4_8086		0x01	/* uPM: 8086/88 mode */
#define PIC_ICW4_AEOI		0x02	/* automatic EOI */
#define PIC_ICW4_SFNM		0x10	/* special fully nested mode */
#define PIC_OCW3_SELECT		0x08	/* with A0 = 0 and bit 4 clear: OCW3 */
#define PIC_OCW2_EOI		0x20	/* non-specific EOI (0x20) */
#define PIC_OCW2_SEOI		0x60	/* specific EOI, | the IR level */
#define PIC_OCW3_READ_IRR	0x0a
#define PIC_OCW3_READ_ISR	0x0b
#define PIC_OCW3_POLL		0x0c

/* One 8259A. */
struct pic_chip {
	uint8_t irr;		/* interrupt request register */
	uint8_t isr;		/* in-service register */
	uint8_t imr;		/* interrupt mask register (OCW1) */
	uint8_t line;		/* level of the IR0-7 inputs now */
	uint8_t elcr;		/* level-triggered inputs (ELCR) */
	uint8_t icw1, icw2, icw3, icw4;
	uint8_t init_step;	/* next ICW expected (2-4), 0 when none */
	bool ready;		/* an initialization sequence has completed */
	uint8_t lowest;		/* the IR with the lowest priority */
	bool read_isr;		/* OCW3: command-port reads give ISR */
	bool poll;		/* OCW3: the next command-port read polls */
	bool special_mask;	/* OCW3: special mask mode */
	bool rotate_aeoi;	/* OCW2: rotate in automatic EOI mode */
};

struct pic {
	struct pic_chip chip[2];	/* [0] master, IRQ 0-7; [1] slave */
};

/*
 * Power-on state: neither chip initialised (no interrupt is presented
 * before a guest's ICW1-ICW4), masks clear, all lines low.
 */
void pic_init(struct pic *pic);

/*
 * Drive device line irq (0-15) to level.  An edge-triggered input sets its
 * request on the rising edge only; a line held high requests nothing more.
 * The request stays latched when the line falls again before the CPU
 * acknowledges it, so a device model may pulse a line (raise, then lower)
 * for one interrupt; on a real 8259A such a short pulse gives a spurious
 * IRQ 7 instead.  A level-triggered input (ICW1 LTIM or its ELCR bit)
 * requests while it is high.  IRQ 2 is the cascade: as on the PC/AT bus, a
 * device on IRQ 2 drives IRQ 9.
 */
void pic_set_irq(struct pic *pic, unsigned int irq, bool level);

/* pic_pending_vector() when the master has an unmasked request. */
int pic_pending_vector_slow(const struct pic *pic);

/*
 * The vector the master's INT output asks the CPU to take now, or -1 when
 * INT is low.  pic_ack() returns this same vector if nothing changes in
 * between.  The common case, asked before every entry, is inline: no
 * unmasked request on the master, so no INT.
 */
static inline int pic_pending_vector(const struct pic *pic)
{
	const struct pic_chip *m = &pic->chip[0];

	if (!(m->irr & ~m->imr))
		return -1;
	return pic_pending_vector_slow(pic);
}

/*
 * The CPU's interrupt acknowledge cycle: the highest-priority request moves
 * from IRR to ISR (unless in automatic-EOI mode) and its vector is
 * returned, through the slave for a request on the cascade input.  With no
 * request left (it was masked, or its level input fell, since
 * pic_pending_vector()) the answer is the datasheet's spurious level 7:
 * vector base + 7 of the master, IRQ 7, with no ISR bit set.  (The slave's
 * own spurious level 7, IRQ 15, needs its request to vanish in the middle
 * of an acknowledge, which an instantaneous model never does: master IR2
 * follows the slave's INT output, so a request withdrawn on the slave is
 * withdrawn on the master too.)
 */
int pic_ack(struct pic *pic);

/*
 * One port access of 1, 2 or 4 bytes, in the style of the devices.c
 * handlers: port is absolute; a write takes *val, a read stores its result
 * in *val (bytes of a wider access go to consecutive ports, as on the ISA
 * bus; ports past the device read as 0xff).  Returns false, touching
 * nothing, if port is not one of the PIC's (0x20, 0x21, 0xa0, 0xa1,
 * 0x4d0, 0x4d1).
 */
bool pic_pio(struct pic *pic, uint16_t port, unsigned int size,
	     bool is_write, uint32_t *val);

#endif /* VTXCTL_PIC_H */
