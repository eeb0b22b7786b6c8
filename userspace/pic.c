// SPDX-License-Identifier: GPL-2.0
/*
 * The PC's pair of 8259A interrupt controllers, written from Intel's 8259A
 * datasheet: initialization words, masks, priorities, EOI, the cascade
 * through master IR2, polling, and the PIIX edge/level control registers.
 */
#include <string.h>

#include "pic.h"
#include "pio_bytes.h"

#define MASTER		0
#define SLAVE		1

/* OCW2 commands: bits 7-5 are R, SL, EOI (datasheet, "OCW2"). */
#define OCW2_ROTATE_AEOI_CLEAR	0
#define OCW2_NONSPECIFIC_EOI	1
#define OCW2_NOP		2
#define OCW2_SPECIFIC_EOI	3
#define OCW2_ROTATE_AEOI_SET	4
#define OCW2_ROTATE_NS_EOI	5
#define OCW2_SET_PRIORITY	6
#define OCW2_ROTATE_S_EOI	7

#define OCW3_RIS		0x01	/* with RR: read ISR, else IRR */
#define OCW3_RR			0x02
#define OCW3_P			0x04	/* poll */
#define OCW3_SMM		0x20	/* with ESMM: set special mask */
#define OCW3_ESMM		0x40

void pic_init(struct pic *pic)
{
	unsigned int i;

	memset(pic, 0, sizeof(*pic));
	for (i = 0; i < 2; i++)
		pic->chip[i].lowest = 7;
}

/* Inputs sensed by level: all with ICW1 LTIM, else those ELCR names. */
static uint8_t level_inputs(const struct pic_chip *c)
{
	return c->icw1 & PIC_ICW1_LTIM ? 0xff : c->elcr;
}

/* A level-triggered request is the input itself: IRR follows the line. */
static void sense_levels(struct pic_chip *c)
{
	uint8_t lv = level_inputs(c);

	c->irr = (c->irr & ~lv) | (c->line & lv);
}

/* 0 is the highest priority; IR (lowest + 1) & 7 has it (rotation). */
static unsigned int priority(const struct pic_chip *c, unsigned int ir)
{
	return (ir - c->lowest - 1) & 7;
}

/* The IR of highest priority among bits, or -1 if bits is empty. */
static int highest(const struct pic_chip *c, uint8_t bits)
{
	unsigned int i, ir;

	for (i = 1; i <= 8; i++) {
		ir = (c->lowest + i) & 7;
		if (bits & (1U << ir))
			return ir;
	}
	return -1;
}

static bool is_cascade_input(const struct pic_chip *c, int ir)
{
	return !(c->icw1 & PIC_ICW1_SNGL) && (c->icw3 & (1U << ir));
}

/*
 * The IR whose request the chip presents on INT, or -1: the
 * highest-priority unmasked request, if nothing of equal or higher
 * priority is in service (fully nested mode).  In special mask mode a
 * masked in-service level holds nothing back; in special fully nested
 * mode a cascade input may interrupt its own in-service level, so that
 * the slave's higher priorities get through.
 */
static int chip_request(const struct pic_chip *c)
{
	uint8_t isr = c->special_mask ? c->isr & ~c->imr : c->isr;
	int req, svc;

	if (!c->ready)
		return -1;
	req = highest(c, c->irr & ~c->imr);
	if (req < 0)
		return -1;
	svc = highest(c, isr);
	if (svc < 0 || priority(c, req) < priority(c, svc))
		return req;
	if (req == svc && (c->icw4 & PIC_ICW4_SFNM) && is_cascade_input(c, req))
		return req;
	return -1;
}

/*
 * First INTA pulse: the request moves to ISR (in automatic EOI mode the
 * second pulse clears it again at once).  Returns the IR, or -1 when there
 * is no request to acknowledge.
 */
static int chip_ack(struct pic_chip *c)
{
	int ir = chip_request(c);

	if (ir < 0)
		return -1;
	c->irr &= ~(1U << ir);
	if (!(c->icw4 & PIC_ICW4_AEOI))
		c->isr |= 1U << ir;
	else if (c->rotate_aeoi)
		c->lowest = ir;
	sense_levels(c);
	return ir;
}

/*
 * An input changes level.  A rising edge requests.  A falling edge
 * withdraws an edge-triggered request only if !latch: device lines latch
 * (see pic_set_irq()), the cascade input does not.
 */
static void chip_set_line(struct pic_chip *c, unsigned int ir, bool level,
			  bool latch)
{
	uint8_t bit = 1U << ir;

	if (level && !(c->line & bit))
		c->irr |= bit;
	if (level) {
		c->line |= bit;
	} else {
		c->line &= ~bit;
		if (!latch)
			c->irr &= ~bit;
	}
	sense_levels(c);
}

/*
 * Master IR2 is wired to the slave's INT output, high while the slave has
 * a request to present.  It is a real level, not a device's pulse: when
 * the slave's request goes (masked, or a level input fell) so does the
 * master's, as on the hardware, instead of leaving a request behind that
 * would end in a spurious IRQ 15.
 */
static void update_cascade(struct pic *pic)
{
	chip_set_line(&pic->chip[MASTER], PIC_CASCADE_IR,
		      chip_request(&pic->chip[SLAVE]) >= 0, false);
}

/*
 * Does the master hand IR2's acknowledge to the slave?  Only when both
 * were initialised for it: the master in cascade mode with a slave on IR2
 * (ICW3 bit 2), the slave in cascade mode with slave ID 2.
 */
static bool cascaded(const struct pic *pic)
{
	const struct pic_chip *s = &pic->chip[SLAVE];

	return is_cascade_input(&pic->chip[MASTER], PIC_CASCADE_IR) &&
	       s->ready && !(s->icw1 & PIC_ICW1_SNGL) &&
	       (s->icw3 & 7) == PIC_CASCADE_IR;
}

/*
 * The vector byte of the second INTA pulse in 8086 mode: T7-T3 from ICW2,
 * the IR level in the low three bits.  (MCS-80/85 mode, ICW4 bit 0 clear,
 * would send a CALL instruction instead; it has no meaning on an x86 and is
 * answered the same way.)
 */
static int vector(const struct pic_chip *c, int ir)
{
	return (c->icw2 & 0xf8) | ir;
}

void pic_set_irq(struct pic *pic, unsigned int irq, bool level)
{
	struct pic_chip *c;

	if (irq >= PIC_NR_IRQS)
		return;
	if (irq == PIC_CASCADE_IR)
		irq = 9;
	c = &pic->chip[irq / 8];
	/*
	 * A line that keeps its level changes nothing: every change of the
	 * chips' state is followed by sense_levels() and update_cascade()
	 * (here, pic_ack(), pic_pio()), so redoing them would find nothing
	 * to do.  The UART drives its line at every access.
	 */
	if (!!(c->line & (1U << (irq % 8))) == level)
		return;
	chip_set_line(c, irq % 8, level, true);
	update_cascade(pic);
}

int pic_pending_vector_slow(const struct pic *pic)
{
	const struct pic_chip *m = &pic->chip[MASTER];
	const struct pic_chip *s = &pic->chip[SLAVE];
	int ir, sir;

	ir = chip_request(m);
	if (ir < 0)
		return -1;
	if (ir != PIC_CASCADE_IR || !cascaded(pic))
		return vector(m, ir);
	sir = chip_request(s);
	return vector(s, sir < 0 ? 7 : sir);
}

int pic_ack(struct pic *pic)
{
	struct pic_chip *m = &pic->chip[MASTER];
	struct pic_chip *s = &pic->chip[SLAVE];
	int ir = chip_ack(m), sir;

	if (ir < 0)
		return vector(m, 7);		/* spurious IRQ 7 */
	if (ir != PIC_CASCADE_IR || !cascaded(pic))
		return vector(m, ir);
	sir = chip_ack(s);
	/*
	 * The slave's INT falls during its acknowledge; if it has another
	 * request ready, INT rises again: a new edge on master IR2.
	 */
	chip_set_line(m, PIC_CASCADE_IR, false, false);
	update_cascade(pic);
	/*
	 * No request on the slave: its spurious level 7 (IRQ 15), with
	 * master IR2 in service.  As the cascade input follows the slave's
	 * INT and an acknowledge here is instantaneous, only a slave that
	 * changed behind the model's back could get here.
	 */
	return vector(s, sir < 0 ? 7 : sir);
}

/* ---- Port I/O ----------------------------------------------------------- */

/*
 * ICW1 starts an initialization sequence (datasheet, "Initialization
 * Command Words"): the edge sense circuit is reset, so an input that is
 * high must go low and high again to request; IMR is cleared; IR7 gets
 * the lowest priority; special mask mode is cleared and reads select IRR;
 * without IC4 the ICW4 functions are all zero.  ISR is cleared too, so a
 * guest that re-initialises the PIC starts from a clean state.
 */
static void write_icw1(struct pic_chip *c, uint8_t v)
{
	c->icw1 = v;
	if (!(v & PIC_ICW1_IC4))
		c->icw4 = 0;
	c->init_step = 2;
	c->ready = false;
	c->imr = 0;
	c->irr = 0;
	c->isr = 0;
	c->lowest = 7;
	c->read_isr = false;
	c->poll = false;
	c->special_mask = false;
	c->rotate_aeoi = false;
	sense_levels(c);
}

static void write_icw(struct pic_chip *c, uint8_t v)
{
	switch (c->init_step) {
	case 2:
		c->icw2 = v;
		if (!(c->icw1 & PIC_ICW1_SNGL))
			c->init_step = 3;
		else if (c->icw1 & PIC_ICW1_IC4)
			c->init_step = 4;
		else
			c->init_step = 0;
		break;
	case 3:
		c->icw3 = v;
		c->init_step = c->icw1 & PIC_ICW1_IC4 ? 4 : 0;
		break;
	default:
		c->icw4 = v;
		c->init_step = 0;
		break;
	}
	if (!c->init_step)
		c->ready = true;
}

static void write_ocw2(struct pic_chip *c, uint8_t v)
{
	unsigned int level = v & 7;
	int ir;

	switch (v >> 5) {
	case OCW2_NONSPECIFIC_EOI:
	case OCW2_ROTATE_NS_EOI:
		/* The highest-priority level in service is the one to end. */
		ir = highest(c, c->isr);
		if (ir < 0)
			break;
		c->isr &= ~(1U << ir);
		if (v >> 5 == OCW2_ROTATE_NS_EOI)
			c->lowest = ir;
		break;
	case OCW2_SPECIFIC_EOI:
		c->isr &= ~(1U << level);
		break;
	case OCW2_ROTATE_S_EOI:
		c->isr &= ~(1U << level);
		c->lowest = level;
		break;
	case OCW2_SET_PRIORITY:
		c->lowest = level;
		break;
	case OCW2_ROTATE_AEOI_SET:
		c->rotate_aeoi = true;
		break;
	case OCW2_ROTATE_AEOI_CLEAR:
		c->rotate_aeoi = false;
		break;
	case OCW2_NOP:
		break;
	}
}

static void write_ocw3(struct pic_chip *c, uint8_t v)
{
	if (v & OCW3_ESMM)
		c->special_mask = v & OCW3_SMM;
	if (v & OCW3_P)
		c->poll = true;
	if (v & OCW3_RR)
		c->read_isr = v & OCW3_RIS;
}

static void write_cmd(struct pic_chip *c, uint8_t v)
{
	if (v & PIC_ICW1_INIT)
		write_icw1(c, v);
	else if (v & PIC_OCW3_SELECT)
		write_ocw3(c, v);
	else
		write_ocw2(c, v);
}

/*
 * Poll command (OCW3 P): the read is the acknowledge.  Bit 7 says whether
 * a request was pending, bits 2-0 give its level.  A master poll that
 * answers IR2 leaves the slave to be polled in turn.
 */
static uint8_t read_poll(struct pic_chip *c)
{
	int ir;

	c->poll = false;
	ir = chip_ack(c);
	return ir < 0 ? 0 : 0x80 | ir;
}

static uint8_t pic_read(struct pic *pic, uint16_t port)
{
	struct pic_chip *c = &pic->chip[port >= PIC_SLAVE_CMD];

	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_SLAVE_CMD:
		if (c->poll)
			return read_poll(c);
		return c->read_isr ? c->isr : c->irr;
	case PIC_MASTER_DATA:
	case PIC_SLAVE_DATA:
		return c->imr;
	case PIC_ELCR1:
		return pic->chip[MASTER].elcr;
	default:
		return pic->chip[SLAVE].elcr;
	}
}

static void pic_write(struct pic *pic, uint16_t port, uint8_t v)
{
	struct pic_chip *c = &pic->chip[port >= PIC_SLAVE_CMD];

	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_SLAVE_CMD:
		write_cmd(c, v);
		break;
	case PIC_MASTER_DATA:
	case PIC_SLAVE_DATA:
		if (c->init_step)
			write_icw(c, v);
		else
			c->imr = v;	/* OCW1 */
		break;
	case PIC_ELCR1:
		pic->chip[MASTER].elcr = v & PIC_ELCR1_MASK;
		break;
	default:
		pic->chip[SLAVE].elcr = v & PIC_ELCR2_MASK;
		break;
	}
	sense_levels(&pic->chip[MASTER]);
	sense_levels(&pic->chip[SLAVE]);
}

static bool is_pic_port(unsigned int port)
{
	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_MASTER_DATA:
	case PIC_SLAVE_CMD:
	case PIC_SLAVE_DATA:
	case PIC_ELCR1:
	case PIC_ELCR2:
		return true;
	}
	return false;
}

/* pio_byte_fn: one byte of a pic_pio() access. */
static bool pic_byte(void *dev, unsigned int port, bool is_write, uint8_t *b)
{
	struct pic *pic = dev;

	if (!is_pic_port(port))
		return false;
	if (is_write)
		pic_write(pic, port, *b);
	else
		*b = pic_read(pic, port);
	update_cascade(pic);
	return true;
}

bool pic_pio(struct pic *pic, uint16_t port, unsigned int size,
	     bool is_write, uint32_t *val)
{
	if (!is_pic_port(port))
		return false;
	pio_bytes(pic, pic_byte, port, size, is_write, val);
	return true;
}
