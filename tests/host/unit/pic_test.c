// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the 8259A pair of 'vtxctl run' (userspace/pic.c): the
 * guest side through port I/O, programmed as Linux's i8259 driver does it,
 * the device side through pic_set_irq(), the CPU side through
 * pic_pending_vector() and pic_ack().  TAP 13; exit 0 if every test passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtxhv_test.h"

#include "pic.h"

/* Linux: ISA_IRQ_VECTOR(0) with FIRST_EXTERNAL_VECTOR 0x20. */
#define VEC0		0x30
#define VEC8		0x38

static struct pic pic;

static void outb(uint8_t v, uint16_t port)
{
	uint32_t val = v;

	if (!pic_pio(&pic, port, 1, true, &val))
		printf("# port %#x not claimed\n", port);
}

static uint8_t inb(uint16_t port)
{
	uint32_t val = 0xdeadbeef;

	if (!pic_pio(&pic, port, 1, false, &val))
		printf("# port %#x not claimed\n", port);
	return val;
}

/* Linux's i8259A_irq_real(): OCW3 to read ISR, then back to IRR. */
static uint8_t read_isr(uint16_t cmd)
{
	uint8_t v;

	outb(PIC_OCW3_READ_ISR, cmd);
	v = inb(cmd);
	outb(PIC_OCW3_READ_IRR, cmd);
	return v;
}

static uint8_t read_irr(uint16_t cmd)
{
	outb(PIC_OCW3_READ_IRR, cmd);
	return inb(cmd);
}

/* arch/x86/kernel/i8259.c, init_8259A(auto_eoi), then the masks. */
static void linux_init(bool auto_eoi, uint8_t master_mask, uint8_t slave_mask)
{
	outb(0xff, PIC_MASTER_DATA);
	outb(0x11, PIC_MASTER_CMD);
	outb(VEC0, PIC_MASTER_DATA);
	outb(1U << PIC_CASCADE_IR, PIC_MASTER_DATA);
	outb(auto_eoi ? 0x03 : 0x01, PIC_MASTER_DATA);
	outb(0x11, PIC_SLAVE_CMD);
	outb(VEC8, PIC_SLAVE_DATA);
	outb(PIC_CASCADE_IR, PIC_SLAVE_DATA);
	outb(0x01, PIC_SLAVE_DATA);
	outb(master_mask, PIC_MASTER_DATA);
	outb(slave_mask, PIC_SLAVE_DATA);
}

/* Linux's mask_and_ack_8259A() EOIs: specific, slave then master IR2. */
static void linux_eoi(unsigned int irq)
{
	if (irq & 8) {
		outb(PIC_OCW2_SEOI + (irq & 7), PIC_SLAVE_CMD);
		outb(PIC_OCW2_SEOI + PIC_CASCADE_IR, PIC_MASTER_CMD);
	} else {
		outb(PIC_OCW2_SEOI + irq, PIC_MASTER_CMD);
	}
}

static void pulse(unsigned int irq)
{
	pic_set_irq(&pic, irq, true);
	pic_set_irq(&pic, irq, false);
}

/*
 * Linux's handling of IRQ @irq, now pending: the acknowledge gives its
 * vector, then linux_eoi().  False, before the EOI, on another vector.
 */
static bool handle(unsigned int irq)
{
	int vector = (irq & 8 ? VEC8 : VEC0) + (irq & 7);

	CHECK_EQ(pic_ack(&pic), vector);
	linux_eoi(irq);
	return true;
}

/* ---- Tests -------------------------------------------------------------- */

static bool linux_probe_and_init(void)
{
	/* probe_8259A(): mask the slave, write 0xfb, read it back */
	outb(0xff, PIC_SLAVE_DATA);
	outb(0xfb, PIC_MASTER_DATA);
	CHECK_EQ(inb(PIC_MASTER_DATA), 0xfb);

	linux_init(false, 0xfa, 0xff);
	CHECK(pic.chip[0].ready && pic.chip[1].ready);
	CHECK_EQ(inb(PIC_MASTER_DATA), 0xfa);
	CHECK_EQ(inb(PIC_SLAVE_DATA), 0xff);
	CHECK_EQ(read_irr(PIC_MASTER_CMD), 0);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);
	CHECK_EQ(pic_pending_vector(&pic), -1);

	/* the timer tick: IRQ 0 at vector 0x30 */
	pic_set_irq(&pic, 0, true);
	CHECK_EQ(read_irr(PIC_MASTER_CMD), 0x01);
	CHECK_EQ(pic_pending_vector(&pic), VEC0);
	CHECK_EQ(pic_ack(&pic), VEC0);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0x01);
	CHECK_EQ(read_irr(PIC_MASTER_CMD), 0);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	pic_set_irq(&pic, 0, false);
	linux_eoi(0);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	return true;
}

/* Nothing is presented before ICW1-4; ICW1 resets the edge sense. */
static bool before_and_during_init(void)
{
	pic_set_irq(&pic, 3, true);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	outb(0x11, PIC_MASTER_CMD);
	outb(VEC0, PIC_MASTER_DATA);
	pulse(4);				/* mid-sequence: latched */
	CHECK_EQ(pic_pending_vector(&pic), -1);
	outb(0x04, PIC_MASTER_DATA);
	outb(0x01, PIC_MASTER_DATA);
	CHECK_EQ(inb(PIC_MASTER_DATA), 0);	/* ICW1 cleared IMR */
	CHECK_EQ(pic_pending_vector(&pic), VEC0 + 4);
	CHECK_EQ(pic_ack(&pic), VEC0 + 4);
	outb(PIC_OCW2_EOI, PIC_MASTER_CMD);
	/* IRQ 3 was high across ICW1: no request until a new edge */
	CHECK_EQ(pic_pending_vector(&pic), -1);
	pic_set_irq(&pic, 3, false);
	pic_set_irq(&pic, 3, true);
	CHECK_EQ(pic_pending_vector(&pic), VEC0 + 3);
	return true;
}

/* ICW1 with SNGL skips ICW3; without IC4 there is no ICW4. */
static bool single_mode_sequences(void)
{
	outb(0x13, PIC_MASTER_CMD);		/* single, ICW4 */
	outb(0x40, PIC_MASTER_DATA);
	CHECK(!pic.chip[0].ready);
	outb(0x01, PIC_MASTER_DATA);
	CHECK(pic.chip[0].ready);
	outb(0x5a, PIC_MASTER_DATA);		/* now OCW1 */
	CHECK_EQ(inb(PIC_MASTER_DATA), 0x5a);
	CHECK_EQ(pic.chip[0].icw2, 0x40);

	outb(0x12, PIC_MASTER_CMD);		/* single, no ICW4 */
	outb(0x48, PIC_MASTER_DATA);
	CHECK(pic.chip[0].ready);
	CHECK_EQ(pic.chip[0].icw4, 0);
	/* single mode: IR2 is an ordinary input with its own vector */
	pic_set_irq(&pic, 9, true);
	CHECK_EQ(pic_pending_vector(&pic), -1);	/* the slave is not set up */
	outb(0x11, PIC_SLAVE_CMD);
	outb(VEC8, PIC_SLAVE_DATA);
	outb(0x02, PIC_SLAVE_DATA);
	outb(0x01, PIC_SLAVE_DATA);
	pic_set_irq(&pic, 9, false);
	pic_set_irq(&pic, 9, true);
	CHECK_EQ(pic_pending_vector(&pic), 0x48 + 2);
	CHECK_EQ(pic_ack(&pic), 0x48 + 2);
	return true;
}

static bool masking(void)
{
	linux_init(false, 0xff, 0xff);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);
	pulse(4);
	CHECK_EQ(read_irr(PIC_MASTER_CMD), 0x10);	/* held in IRR */
	CHECK_EQ(pic_pending_vector(&pic), -1);
	outb(0xef, PIC_MASTER_DATA);			/* unmask IRQ 4 */
	CHECK_EQ(pic_pending_vector(&pic), VEC0 + 4);
	outb(0xff, PIC_MASTER_DATA);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	outb(0xef, PIC_MASTER_DATA);
	CHECK_EQ(pic_ack(&pic), VEC0 + 4);
	/* masking an in-service level does not end it */
	outb(0xff, PIC_MASTER_DATA);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0x10);
	linux_eoi(4);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);
	return true;
}

/* Lowest IRQ first; fully nested: only higher priorities interrupt. */
static bool priority_fully_nested(void)
{
	linux_init(false, 0x00, 0x00);
	pulse(5);
	pulse(3);
	pulse(6);
	CHECK_EQ(pic_ack(&pic), VEC0 + 3);
	/* 3 in service: 5 and 6 wait, 1 gets through */
	CHECK_EQ(pic_pending_vector(&pic), -1);
	pulse(1);
	CHECK_EQ(pic_ack(&pic), VEC0 + 1);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0x0a);
	/* a non-specific EOI ends the highest-priority level: 1 */
	outb(PIC_OCW2_EOI, PIC_MASTER_CMD);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0x08);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	outb(PIC_OCW2_EOI, PIC_MASTER_CMD);
	CHECK_EQ(pic_ack(&pic), VEC0 + 5);
	/* a request at the level in service waits for its EOI too */
	pulse(5);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	linux_eoi(5);
	CHECK(handle(5));
	CHECK(handle(6));
	CHECK_EQ(pic_pending_vector(&pic), -1);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);
	return true;
}

static bool eoi_forms(void)
{
	linux_init(false, 0x00, 0x00);
	pulse(6);
	CHECK_EQ(pic_ack(&pic), VEC0 + 6);
	pulse(4);
	CHECK_EQ(pic_ack(&pic), VEC0 + 4);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0x50);
	/* a specific EOI of a level not in service changes nothing */
	outb(PIC_OCW2_SEOI + 5, PIC_MASTER_CMD);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0x50);
	/* specific EOI of the lower priority leaves the higher in service */
	outb(PIC_OCW2_SEOI + 6, PIC_MASTER_CMD);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0x10);
	/* OCW2 no-op */
	outb(0x40, PIC_MASTER_CMD);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0x10);
	outb(PIC_OCW2_EOI, PIC_MASTER_CMD);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);
	/* a non-specific EOI with nothing in service is harmless */
	outb(PIC_OCW2_EOI, PIC_MASTER_CMD);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);
	return true;
}

/* An IRQ on the slave goes through master IR2; Linux EOIs both. */
static bool cascade_from_slave(void)
{
	linux_init(false, 0xfb, 0xef);		/* IRQ 2 and 12 unmasked */
	pic_set_irq(&pic, 12, true);
	CHECK_EQ(read_irr(PIC_SLAVE_CMD), 0x10);
	CHECK_EQ(read_irr(PIC_MASTER_CMD), 0x04);
	CHECK_EQ(pic_pending_vector(&pic), VEC8 + 4);
	CHECK_EQ(pic_ack(&pic), VEC8 + 4);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0x04);
	CHECK_EQ(read_isr(PIC_SLAVE_CMD), 0x10);
	CHECK_EQ(read_irr(PIC_MASTER_CMD), 0);
	pic_set_irq(&pic, 12, false);

	/* another slave IRQ waits while master IR2 is in service */
	outb(0xcf, PIC_SLAVE_DATA);		/* and IRQ 13 */
	pic_set_irq(&pic, 13, true);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	outb(PIC_OCW2_SEOI + 4, PIC_SLAVE_CMD);
	CHECK_EQ(pic_pending_vector(&pic), -1);	/* master IR2 still */
	outb(PIC_OCW2_SEOI + PIC_CASCADE_IR, PIC_MASTER_CMD);
	CHECK_EQ(pic_pending_vector(&pic), VEC8 + 5);
	CHECK(handle(13));
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);
	CHECK_EQ(read_isr(PIC_SLAVE_CMD), 0);
	CHECK_EQ(pic_pending_vector(&pic), -1);

	/* IRQ 2 on the bus is IRQ 9 */
	outb(0xcd, PIC_SLAVE_DATA);
	pulse(2);
	CHECK(handle(9));
	return true;
}

/* The slave's IRQs rank at IR2: below IRQ 0 and 1, above 3-7. */
static bool cascade_priority(void)
{
	linux_init(false, 0x00, 0x00);
	pulse(3);
	pulse(8);
	pulse(1);
	pulse(15);
	CHECK(handle(1));
	CHECK(handle(8));
	CHECK_EQ(pic_ack(&pic), VEC8 + 7);	/* a real IRQ 15 */
	CHECK_EQ(read_isr(PIC_SLAVE_CMD), 0x80);
	linux_eoi(15);
	CHECK(handle(3));
	CHECK_EQ(pic_pending_vector(&pic), -1);
	/* two slave requests: after the first ends, the second's INT edge */
	pulse(11);
	pulse(10);
	CHECK_EQ(pic_ack(&pic), VEC8 + 2);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	linux_eoi(10);
	CHECK(handle(11));
	CHECK_EQ(pic_pending_vector(&pic), -1);
	return true;
}

/* Edge: one request per rising edge; a held line asks nothing more. */
static bool edge_vs_held_level(void)
{
	linux_init(false, 0x00, 0x00);
	pic_set_irq(&pic, 4, true);
	CHECK(handle(4));
	pic_set_irq(&pic, 4, true);		/* still high: no edge */
	CHECK_EQ(pic_pending_vector(&pic), -1);
	pic_set_irq(&pic, 4, false);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	pic_set_irq(&pic, 4, true);
	CHECK(handle(4));
	/* a pulse between two acknowledges is latched */
	pic_set_irq(&pic, 4, false);
	pulse(4);
	CHECK(handle(4));
	/* two edges before the acknowledge make one request */
	pulse(4);
	pulse(4);
	CHECK(handle(4));
	CHECK_EQ(pic_pending_vector(&pic), -1);
	return true;
}

/* Level (ELCR or LTIM): requests while high, withdrawn when low. */
static bool level_triggered(void)
{
	linux_init(false, 0x00, 0x00);
	outb(0x04, PIC_ELCR2);			/* IRQ 10 level */
	pic_set_irq(&pic, 10, true);
	CHECK(handle(10));
	/* still high after the EOI: requests again */
	CHECK_EQ(pic_ack(&pic), VEC8 + 2);
	pic_set_irq(&pic, 10, false);
	linux_eoi(10);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	/* a pulse on a level input requests nothing once it is over */
	pulse(10);
	CHECK_EQ(pic_pending_vector(&pic), -1);

	/* LTIM in ICW1 makes every master input level-triggered */
	outb(0x19, PIC_MASTER_CMD);
	outb(VEC0, PIC_MASTER_DATA);
	outb(0x04, PIC_MASTER_DATA);
	outb(0x01, PIC_MASTER_DATA);
	pic_set_irq(&pic, 6, true);
	CHECK_EQ(pic_pending_vector(&pic), VEC0 + 6);
	pic_set_irq(&pic, 6, false);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	return true;
}

/* 8259A datasheet: no request at INTA time gives IR7, with no ISR bit. */
static bool spurious(void)
{
	linux_init(false, 0x00, 0x00);
	CHECK_EQ(pic_ack(&pic), VEC0 + 7);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);

	/* a request masked between the check and the acknowledge */
	pulse(5);
	CHECK_EQ(pic_pending_vector(&pic), VEC0 + 5);
	outb(0x20, PIC_MASTER_DATA);
	CHECK_EQ(pic_ack(&pic), VEC0 + 7);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);
	CHECK_EQ(read_irr(PIC_MASTER_CMD), 0x20);	/* still requested */
	/* Linux checks ISR (i8259A_irq_real) and EOIs: no harm done */
	outb(PIC_OCW2_SEOI + 7, PIC_MASTER_CMD);
	outb(0x00, PIC_MASTER_DATA);
	CHECK(handle(5));

	/* a level input that fell before the acknowledge */
	outb(0x08, PIC_ELCR1);
	pic_set_irq(&pic, 3, true);
	CHECK_EQ(pic_pending_vector(&pic), VEC0 + 3);
	pic_set_irq(&pic, 3, false);
	CHECK_EQ(pic_ack(&pic), VEC0 + 7);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);

	/* a real IRQ 7 does set its ISR bit */
	pulse(7);
	CHECK_EQ(pic_ack(&pic), VEC0 + 7);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0x80);
	linux_eoi(7);

	/*
	 * A slave request masked before the acknowledge takes master IR2
	 * with it: no interrupt at all rather than a spurious IRQ 15; it is
	 * delivered once unmasked.
	 */
	pulse(14);
	CHECK_EQ(pic_pending_vector(&pic), VEC8 + 6);
	outb(0x40, PIC_SLAVE_DATA);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	CHECK_EQ(read_irr(PIC_MASTER_CMD), 0);
	outb(0x00, PIC_SLAVE_DATA);
	CHECK(handle(14));
	CHECK_EQ(pic_pending_vector(&pic), -1);
	return true;
}

/* Linux's init_8259A(1): the master in automatic EOI mode. */
static bool auto_eoi(void)
{
	linux_init(true, 0x00, 0xff);
	pulse(0);
	CHECK_EQ(pic_ack(&pic), VEC0);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);
	pulse(0);
	CHECK_EQ(pic_ack(&pic), VEC0);	/* no EOI needed */
	/* rotate in AEOI mode: the level served becomes the lowest */
	outb(0x80, PIC_MASTER_CMD);
	pulse(0);
	pulse(1);
	CHECK_EQ(pic_ack(&pic), VEC0);
	pulse(0);
	CHECK_EQ(pic_ack(&pic), VEC0 + 1);
	CHECK_EQ(pic_ack(&pic), VEC0);
	outb(0x00, PIC_MASTER_CMD);		/* rotation off */
	return true;
}

/* OCW3 poll: the read is the acknowledge. */
static bool poll_command(void)
{
	linux_init(false, 0x00, 0x00);
	outb(PIC_OCW3_POLL, PIC_MASTER_CMD);
	CHECK_EQ(inb(PIC_MASTER_CMD), 0);
	pulse(6);
	outb(PIC_OCW3_POLL, PIC_MASTER_CMD);
	CHECK_EQ(inb(PIC_MASTER_CMD), 0x86);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0x40);
	CHECK_EQ(inb(PIC_MASTER_CMD), 0);	/* back to IRR */
	linux_eoi(6);
	/* a slave interrupt: master answers IR2, then poll the slave */
	pulse(11);
	outb(PIC_OCW3_POLL, PIC_MASTER_CMD);
	CHECK_EQ(inb(PIC_MASTER_CMD), 0x82);
	outb(PIC_OCW3_POLL, PIC_SLAVE_CMD);
	CHECK_EQ(inb(PIC_SLAVE_CMD), 0x83);
	linux_eoi(11);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	return true;
}

/* OCW2 rotation and set priority; OCW3 special mask mode. */
static bool rotation_and_special_mask(void)
{
	linux_init(false, 0x00, 0x00);
	outb(0xc0 | 4, PIC_MASTER_CMD);		/* IRQ 4 lowest, 5 highest */
	pulse(3);
	pulse(5);
	CHECK_EQ(pic_ack(&pic), VEC0 + 5);
	outb(0xa0, PIC_MASTER_CMD);		/* rotate on non-specific EOI */
	CHECK_EQ(pic.chip[0].lowest, 5);
	CHECK_EQ(pic_ack(&pic), VEC0 + 3);
	outb(0xe0 | 3, PIC_MASTER_CMD);		/* rotate on specific EOI */
	CHECK_EQ(pic.chip[0].lowest, 3);
	outb(0xc7, PIC_MASTER_CMD);		/* back to IRQ 0 first */

	/* special mask mode: mask the level in service, lower ones come */
	pulse(1);
	CHECK_EQ(pic_ack(&pic), VEC0 + 1);
	pulse(6);
	CHECK_EQ(pic_pending_vector(&pic), -1);
	outb(0x68, PIC_MASTER_CMD);		/* ESMM | SMM */
	outb(0x02, PIC_MASTER_DATA);
	CHECK_EQ(pic_ack(&pic), VEC0 + 6);
	outb(0x48, PIC_MASTER_CMD);		/* ESMM: reset special mask */
	outb(PIC_OCW2_SEOI + 6, PIC_MASTER_CMD);
	outb(PIC_OCW2_SEOI + 1, PIC_MASTER_CMD);
	CHECK_EQ(read_isr(PIC_MASTER_CMD), 0);
	return true;
}

static bool elcr_registers(void)
{
	CHECK_EQ(inb(PIC_ELCR1), 0);
	CHECK_EQ(inb(PIC_ELCR2), 0);
	outb(0xff, PIC_ELCR1);
	outb(0xff, PIC_ELCR2);
	/* IRQ 0, 1, 2, 8 and 13 are always edge-triggered */
	CHECK_EQ(inb(PIC_ELCR1), PIC_ELCR1_MASK);
	CHECK_EQ(inb(PIC_ELCR2), PIC_ELCR2_MASK);
	outb(0x20, PIC_ELCR1);
	CHECK_EQ(inb(PIC_ELCR1), 0x20);
	return true;
}

/* Wider accesses cover consecutive ports; others are not the PIC's. */
static bool port_decoding(void)
{
	uint32_t v = 0x1234;

	linux_init(false, 0xa5, 0x5a);
	pulse(0);
	CHECK(pic_pio(&pic, PIC_MASTER_CMD, 2, false, &v));
	CHECK_EQ(v, 0xa501);			/* IRR, then IMR */
	CHECK(pic_pio(&pic, PIC_SLAVE_DATA, 2, false, &v));
	CHECK_EQ(v, 0xff5a);			/* 0xa2 is not the PIC's */
	v = 0xfffb;
	CHECK(pic_pio(&pic, PIC_MASTER_DATA, 2, true, &v));
	CHECK_EQ(inb(PIC_MASTER_DATA), 0xfb);
	CHECK(!pic_pio(&pic, 0x22, 1, false, &v));
	CHECK(!pic_pio(&pic, 0x4d2, 1, false, &v));
	CHECK(!pic_pio(&pic, 0x1f, 1, true, &v));
	CHECK_EQ(v, 0xfffb);
	/* lines out of range are ignored */
	pic_set_irq(&pic, 16, true);
	pic_set_irq(&pic, 1000, true);
	return true;
}

static const struct test_case tests[] = {
	TEST(linux_probe_and_init),
	TEST(before_and_during_init),
	TEST(single_mode_sequences),
	TEST(masking),
	TEST(priority_fully_nested),
	TEST(eoi_forms),
	TEST(cascade_from_slave),
	TEST(cascade_priority),
	TEST(edge_vs_held_level),
	TEST(level_triggered),
	TEST(spurious),
	TEST(auto_eoi),
	TEST(poll_command),
	TEST(rotation_and_special_mask),
	TEST(elcr_registers),
	TEST(port_decoding),
};

static void setup(void)
{
	pic_init(&pic);
}

int main(void)
{
	return run_test_cases(tests, NTESTS(tests), setup);
}
