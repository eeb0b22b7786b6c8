// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the I/O APIC model of the module (kmod/ioapic.c): the
 * guest side through IOREGSEL/IOWIN and the EOI register, the device side
 * through ioapic_set_irq(), the local APIC side through a deliver callback
 * that records each message and ioapic_eoi().  TAP 13; exit 0 if every
 * test passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtxhv_test.h"

#include "ioapic.h"

#define MAX_MSGS	32

static struct ioapic io;
static int opaque_tag;

static struct apic_irq msgs[MAX_MSGS];
static unsigned int nmsgs;
static bool bad_opaque;
static bool overflow;

/* What the callback returns: how many local APICs accepted. */
static int accepted;
/* The callback takes the EOI of a level-triggered message at once. */
static bool eoi_in_callback;

static int record(void *opaque, const struct apic_irq *irq)
{
	if (opaque != &opaque_tag)
		bad_opaque = true;
	if (nmsgs == MAX_MSGS) {
		overflow = true;	/* runaway: stop re-entering */
		return accepted;
	}
	msgs[nmsgs++] = *irq;
	if (eoi_in_callback && irq->level)
		ioapic_eoi(&io, irq->vector);
	return accepted;
}

static void setup(void)
{
	memset(&io, 0x5a, sizeof(io));	/* reset must not rely on zeroes */
	io.deliver = record;
	io.opaque = &opaque_tag;
	io.delivered = 0;
	io.coalesced = 0;
	ioapic_reset(&io);
	memset(msgs, 0, sizeof(msgs));
	nmsgs = 0;
	bad_opaque = false;
	overflow = false;
	accepted = 1;
	eoi_in_callback = false;
}

static u32 reg_read(u32 reg)
{
	ioapic_write(&io, IOAPIC_MMIO_REGSEL, reg);
	return ioapic_read(&io, IOAPIC_MMIO_WIN);
}

static void reg_write(u32 reg, u32 val)
{
	ioapic_write(&io, IOAPIC_MMIO_REGSEL, reg);
	ioapic_write(&io, IOAPIC_MMIO_WIN, val);
}

/* Linux's ioapic_write_entry(): the high dword first, the low one last. */
static void rte_write(unsigned int pin, u64 rte)
{
	reg_write(IOAPIC_REG_REDIR + 2 * pin + 1, rte >> 32);
	reg_write(IOAPIC_REG_REDIR + 2 * pin, (u32)rte);
}

static u64 rte_read(unsigned int pin)
{
	u64 lo = reg_read(IOAPIC_REG_REDIR + 2 * pin);

	return (u64)reg_read(IOAPIC_REG_REDIR + 2 * pin + 1) << 32 | lo;
}

static u64 rte(u8 vector, u8 dm, u8 dest, u64 flags)
{
	return vector | (u64)dm << IOAPIC_RTE_DM_SHIFT |
	       (u64)dest << IOAPIC_RTE_DEST_SHIFT | flags;
}

static bool remote_irr(unsigned int pin)
{
	return rte_read(pin) & IOAPIC_RTE_REMOTE_IRR;
}

/* The line of @pin goes low, then high: a rising edge, or a level again. */
static void low_high(unsigned int pin)
{
	ioapic_set_irq(&io, pin, false);
	ioapic_set_irq(&io, pin, true);
}

static bool id_version_arb(void)
{
	CHECK_EQ(reg_read(IOAPIC_REG_VER), 0x00170020);
	CHECK_EQ(reg_read(IOAPIC_REG_ID), 0);
	/* Only bits 27:24 of IOAPICID are writable. */
	reg_write(IOAPIC_REG_ID, 0xffffffff);
	CHECK_EQ(reg_read(IOAPIC_REG_ID), 0x0f000000);
	CHECK_EQ(io.id, 0xf);
	reg_write(IOAPIC_REG_ID, 0x05abcdef);
	CHECK_EQ(reg_read(IOAPIC_REG_ID), 0x05000000);
	CHECK_EQ(reg_read(IOAPIC_REG_ARB), 0x05000000);
	/* IOAPICVER and IOAPICARB ignore writes. */
	reg_write(IOAPIC_REG_VER, 0);
	CHECK_EQ(reg_read(IOAPIC_REG_VER), 0x00170020);
	reg_write(IOAPIC_REG_ARB, 0x0a000000);
	CHECK_EQ(reg_read(IOAPIC_REG_ARB), 0x05000000);
	CHECK_EQ(reg_read(IOAPIC_REG_ID), 0x05000000);
	/* IOREGSEL reads back its bits 7:0. */
	ioapic_write(&io, IOAPIC_MMIO_REGSEL, 0x12345611);
	CHECK_EQ(ioapic_read(&io, IOAPIC_MMIO_REGSEL), 0x11);
	return true;
}

static bool reset_state(void)
{
	unsigned int pin;

	reg_write(IOAPIC_REG_ID, 0x03000000);
	rte_write(4, rte(0x34, APIC_MSG_FIXED, 1, IOAPIC_RTE_LEVEL));
	ioapic_set_irq(&io, 4, true);
	CHECK_EQ(nmsgs, 1);
	CHECK(remote_irr(4));
	ioapic_reset(&io);
	CHECK_EQ(reg_read(IOAPIC_REG_ID), 0);
	CHECK_EQ(io.lines, 0);
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		CHECK_EQ(rte_read(pin), IOAPIC_RTE_MASKED);
	/* The callback survives the reset. */
	rte_write(4, rte(0x35, APIC_MSG_FIXED, 1, 0));
	ioapic_set_irq(&io, 4, true);
	CHECK_EQ(nmsgs, 2);
	CHECK_EQ(msgs[1].vector, 0x35);
	CHECK(!bad_opaque);
	return true;
}

static bool entry_readback(void)
{
	unsigned int pin;

	for (pin = 0; pin < IOAPIC_PINS; pin++)
		rte_write(pin, rte(0x20 + pin, APIC_MSG_FIXED, pin,
				   IOAPIC_RTE_MASKED));
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		CHECK_EQ(rte_read(pin), rte(0x20 + pin, APIC_MSG_FIXED, pin,
					    IOAPIC_RTE_MASKED));
	/* Every writable field reads back; reserved bits 55:17 read 0. */
	rte_write(7, rte(0xfe, APIC_MSG_EXTINT, 0xa5, IOAPIC_RTE_LOGICAL |
			 IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL |
			 IOAPIC_RTE_MASKED));
	CHECK_EQ(rte_read(7), 0xa50000000001affeULL);
	reg_write(IOAPIC_REG_REDIR + 2 * 7 + 1, 0xffffffff);
	CHECK_EQ(reg_read(IOAPIC_REG_REDIR + 2 * 7 + 1), 0xff000000);
	reg_write(IOAPIC_REG_REDIR + 2 * 7, 0xffffffff);
	CHECK_EQ(reg_read(IOAPIC_REG_REDIR + 2 * 7), 0x0001afff);
	/* Neighbours untouched; a high write keeps the low dword. */
	CHECK_EQ(rte_read(6), rte(0x26, 0, 6, IOAPIC_RTE_MASKED));
	CHECK_EQ(rte_read(8), rte(0x28, 0, 8, IOAPIC_RTE_MASKED));
	reg_write(IOAPIC_REG_REDIR + 2 * 8 + 1, 0x42000000);
	CHECK_EQ(rte_read(8), rte(0x28, 0, 0x42, IOAPIC_RTE_MASKED));
	CHECK_EQ(nmsgs, 0);
	return true;
}

static bool read_only_bits(void)
{
	u64 e = rte(0x51, APIC_MSG_FIXED, 2, IOAPIC_RTE_LEVEL);

	/* Delivery status (12) and remote IRR (14) ignore writes of 1... */
	rte_write(3, e | IOAPIC_RTE_DELIVS | IOAPIC_RTE_REMOTE_IRR);
	CHECK_EQ(rte_read(3), e);
	/* ... and of 0: remote IRR stays set until the EOI. */
	ioapic_set_irq(&io, 3, true);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(rte_read(3), e | IOAPIC_RTE_REMOTE_IRR);
	rte_write(3, e | IOAPIC_RTE_MASKED);
	CHECK_EQ(rte_read(3), e | IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR);
	rte_write(3, e);
	CHECK_EQ(rte_read(3), e | IOAPIC_RTE_REMOTE_IRR);
	CHECK_EQ(nmsgs, 1);
	/* Switching the entry to edge clears remote IRR. */
	rte_write(3, rte(0x51, APIC_MSG_FIXED, 2, 0));
	CHECK_EQ(rte_read(3), rte(0x51, APIC_MSG_FIXED, 2, 0));
	CHECK_EQ(nmsgs, 1);
	return true;
}

static bool masked_not_delivered(void)
{
	rte_write(1, rte(0x31, APIC_MSG_FIXED, 0, IOAPIC_RTE_MASKED));
	rte_write(9, rte(0x39, APIC_MSG_FIXED, 0,
			 IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED));
	ioapic_set_irq(&io, 1, true);
	ioapic_set_irq(&io, 9, true);
	CHECK_EQ(nmsgs, 0);
	CHECK_EQ(io.lines, 1U << 1 | 1U << 9);
	CHECK(!remote_irr(9));
	/* A masked edge is lost: unmasking does not send it. */
	rte_write(1, rte(0x31, APIC_MSG_FIXED, 0, 0));
	CHECK_EQ(nmsgs, 0);
	low_high(1);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(msgs[0].vector, 0x31);
	/* Masking again stops it. */
	rte_write(1, rte(0x31, APIC_MSG_FIXED, 0, IOAPIC_RTE_MASKED));
	low_high(1);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(io.delivered, 1);
	return true;
}

static bool edge_rising_only(void)
{
	rte_write(0, rte(0x30, APIC_MSG_FIXED, 0, 0));
	ioapic_set_irq(&io, 0, false);
	CHECK_EQ(nmsgs, 0);
	ioapic_set_irq(&io, 0, true);
	CHECK_EQ(nmsgs, 1);
	ioapic_set_irq(&io, 0, true);	/* still high: no edge */
	CHECK_EQ(nmsgs, 1);
	ioapic_set_irq(&io, 0, false);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(io.lines, 0);
	ioapic_set_irq(&io, 0, true);
	CHECK_EQ(nmsgs, 2);
	CHECK(!msgs[1].level);
	CHECK(!remote_irr(0));
	/* An EOI of its vector does nothing to an edge pin. */
	ioapic_eoi(&io, 0x30);
	CHECK_EQ(nmsgs, 2);
	CHECK_EQ(io.delivered, 2);
	CHECK_EQ(io.coalesced, 0);
	return true;
}

/* One level-triggered cycle; @eoi takes the EOI of @vector. */
static bool level_cycle(void (*eoi)(u8 vector))
{
	rte_write(10, rte(0x41, APIC_MSG_FIXED, 1, IOAPIC_RTE_LEVEL));
	ioapic_set_irq(&io, 10, true);
	CHECK_EQ(nmsgs, 1);
	CHECK(msgs[0].level);
	CHECK_EQ(msgs[0].vector, 0x41);
	CHECK(remote_irr(10));
	/* Asserted again before the EOI: dropped, counted. */
	ioapic_set_irq(&io, 10, true);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(io.coalesced, 1);
	/* Another vector's EOI leaves it alone. */
	eoi(0x40);
	CHECK_EQ(nmsgs, 1);
	CHECK(remote_irr(10));
	/* The EOI while the line is still asserted sends again. */
	eoi(0x41);
	CHECK_EQ(nmsgs, 2);
	CHECK_EQ(msgs[1].vector, 0x41);
	CHECK(remote_irr(10));
	/* After the deassert, the EOI only clears remote IRR. */
	ioapic_set_irq(&io, 10, false);
	CHECK_EQ(nmsgs, 2);
	CHECK(remote_irr(10));
	eoi(0x41);
	CHECK_EQ(nmsgs, 2);
	CHECK(!remote_irr(10));
	ioapic_set_irq(&io, 10, true);
	CHECK_EQ(nmsgs, 3);
	CHECK_EQ(io.delivered, 3);
	return true;
}

static void eoi_call(u8 vector)
{
	ioapic_eoi(&io, vector);
}

static void eoi_register(u8 vector)
{
	ioapic_write(&io, IOAPIC_MMIO_EOI, vector);
}

static bool level_eoi_broadcast(void)
{
	return level_cycle(eoi_call);
}

static bool level_eoi_register(void)
{
	if (!level_cycle(eoi_register))
		return false;
	/* Write-only: reads 0. */
	CHECK_EQ(ioapic_read(&io, IOAPIC_MMIO_EOI), 0);
	return true;
}

static bool unmask_asserted_level(void)
{
	u64 e = rte(0x45, APIC_MSG_LOWEST, 0x0f,
		    IOAPIC_RTE_LOGICAL | IOAPIC_RTE_LEVEL);

	rte_write(11, e | IOAPIC_RTE_MASKED);
	ioapic_set_irq(&io, 11, true);
	CHECK_EQ(nmsgs, 0);
	rte_write(11, e);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(msgs[0].vector, 0x45);
	CHECK_EQ(msgs[0].dm, APIC_MSG_LOWEST);
	CHECK(remote_irr(11));
	/* Mask and unmask with remote IRR set: nothing until the EOI. */
	rte_write(11, e | IOAPIC_RTE_MASKED);
	rte_write(11, e);
	CHECK_EQ(nmsgs, 1);
	/* An EOI while masked clears remote IRR without sending... */
	rte_write(11, e | IOAPIC_RTE_MASKED);
	ioapic_eoi(&io, 0x45);
	CHECK_EQ(nmsgs, 1);
	CHECK(!remote_irr(11));
	/* ... and the unmask sends. */
	rte_write(11, e);
	CHECK_EQ(nmsgs, 2);
	/* Unmasking a deasserted level pin sends nothing. */
	rte_write(12, rte(0x46, 0, 0, IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED));
	rte_write(12, rte(0x46, 0, 0, IOAPIC_RTE_LEVEL));
	CHECK_EQ(nmsgs, 2);
	return true;
}

static bool message_fields(void)
{
	static const u8 modes[] = {
		APIC_MSG_FIXED, APIC_MSG_LOWEST, APIC_MSG_NMI,
		APIC_MSG_INIT, APIC_MSG_EXTINT,
	};
	unsigned int i;

	/* Physical, active high; the caller passes the asserted state. */
	rte_write(2, rte(0x32, APIC_MSG_FIXED, 0x03, 0));
	ioapic_set_irq(&io, 2, true);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(msgs[0].dest, 0x03);
	CHECK_EQ(msgs[0].vector, 0x32);
	CHECK_EQ(msgs[0].dm, APIC_MSG_FIXED);
	CHECK_EQ(msgs[0].shorthand, APIC_SH_NONE);
	CHECK(!msgs[0].logical);
	CHECK(!msgs[0].level);
	CHECK(msgs[0].assert);
	/* Logical, active low (polarity is only stored). */
	rte_write(5, rte(0x35, APIC_MSG_LOWEST, 0xf0,
			 IOAPIC_RTE_LOGICAL | IOAPIC_RTE_ACTIVE_LOW));
	ioapic_set_irq(&io, 5, false);
	CHECK_EQ(nmsgs, 1);
	ioapic_set_irq(&io, 5, true);
	CHECK_EQ(nmsgs, 2);
	CHECK_EQ(msgs[1].dest, 0xf0);
	CHECK_EQ(msgs[1].vector, 0x35);
	CHECK_EQ(msgs[1].dm, APIC_MSG_LOWEST);
	CHECK(msgs[1].logical);
	CHECK(msgs[1].assert);
	CHECK(rte_read(5) & IOAPIC_RTE_ACTIVE_LOW);
	/* The delivery modes a local APIC takes pass through. */
	for (i = 0; i < NTESTS(modes); i++) {
		nmsgs = 0;
		rte_write(13, rte(0x60 + i, modes[i], 0xff, 0));
		ioapic_set_irq(&io, 13, true);
		ioapic_set_irq(&io, 13, false);
		CHECK_EQ(nmsgs, 1);
		CHECK_EQ(msgs[0].dm, modes[i]);
		CHECK_EQ(msgs[0].vector, 0x60 + i);
		CHECK_EQ(msgs[0].dest, 0xff);
	}
	CHECK_EQ(io.delivered, 2 + NTESTS(modes));
	return true;
}

static bool undelivered_modes(void)
{
	/* SMI, and the reserved 3 and 6: no message, nothing counted. */
	static const u8 modes[] = { APIC_MSG_SMI, 3, 6 };
	unsigned int i;

	for (i = 0; i < NTESTS(modes); i++) {
		rte_write(14, rte(0x70, modes[i], 0, 0));
		ioapic_set_irq(&io, 14, true);
		ioapic_set_irq(&io, 14, false);
		rte_write(15, rte(0x71, modes[i], 0, IOAPIC_RTE_LEVEL));
		ioapic_set_irq(&io, 15, true);
		CHECK(!remote_irr(15));
		ioapic_set_irq(&io, 15, false);
	}
	CHECK_EQ(nmsgs, 0);
	CHECK_EQ(io.delivered, 0);
	CHECK_EQ(io.coalesced, 0);
	return true;
}

static bool level_nmi_is_edge(void)
{
	/* 82093AA: NMI, INIT, ExtINT are edge whatever the trigger bit. */
	rte_write(16, rte(0, APIC_MSG_NMI, 0, IOAPIC_RTE_LEVEL));
	ioapic_set_irq(&io, 16, true);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(msgs[0].dm, APIC_MSG_NMI);
	CHECK(!remote_irr(16));
	ioapic_set_irq(&io, 16, true);
	ioapic_eoi(&io, 0);
	rte_write(16, rte(0, APIC_MSG_NMI, 0, IOAPIC_RTE_LEVEL));
	CHECK_EQ(nmsgs, 1);
	low_high(16);
	CHECK_EQ(nmsgs, 2);
	CHECK_EQ(io.coalesced, 0);
	return true;
}

static bool out_of_range(void)
{
	u64 before[IOAPIC_PINS];
	static const u32 offsets[] = { 0x04, 0x08, 0x0c, 0x14, 0x20, 0x30,
				       0x3c, 0x44, 0x80, 0xff0, 0xffc };
	unsigned int i;

	rte_write(0, rte(0x30, APIC_MSG_FIXED, 0, 0));
	rte_write(23, rte(0x47, APIC_MSG_FIXED, 0, IOAPIC_RTE_LEVEL));
	memcpy(before, io.redir, sizeof(before));
	ioapic_set_irq(&io, 24, true);
	ioapic_set_irq(&io, 32, true);
	ioapic_set_irq(&io, 1000, true);
	ioapic_set_irq(&io, ~0U, true);
	CHECK_EQ(nmsgs, 0);
	CHECK_EQ(io.lines, 0);
	/* The last pin works. */
	ioapic_set_irq(&io, 23, true);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(msgs[0].vector, 0x47);
	memcpy(before, io.redir, sizeof(before));
	ioapic_write(&io, IOAPIC_MMIO_REGSEL, IOAPIC_REG_ID);
	for (i = 0; i < NTESTS(offsets); i++) {
		ioapic_write(&io, offsets[i], 0xffffffff);
		CHECK_EQ(ioapic_read(&io, offsets[i]), 0);
	}
	CHECK_EQ(ioapic_read(&io, IOAPIC_MMIO_REGSEL), IOAPIC_REG_ID);
	CHECK_EQ(ioapic_read(&io, IOAPIC_MMIO_WIN), 0);
	CHECK(!memcmp(before, io.redir, sizeof(before)));
	/* Unknown registers: past the table, and between. */
	for (i = 0x03; i < 0x100; i++) {
		if (i >= IOAPIC_REG_REDIR && i < IOAPIC_REG_REDIR + 48)
			continue;
		reg_write(i, 0xffffffff);
		CHECK_EQ(reg_read(i), 0);
	}
	CHECK(!memcmp(before, io.redir, sizeof(before)));
	CHECK_EQ(reg_read(IOAPIC_REG_ID), 0);
	CHECK_EQ(nmsgs, 1);
	return true;
}

static bool not_accepted(void)
{
	accepted = 0;
	rte_write(17, rte(0x57, APIC_MSG_FIXED, 9, IOAPIC_RTE_LEVEL));
	ioapic_set_irq(&io, 17, true);
	CHECK_EQ(nmsgs, 1);
	CHECK(!remote_irr(17));
	/* Nobody holds it: the next assertion sends again. */
	ioapic_set_irq(&io, 17, true);
	CHECK_EQ(nmsgs, 2);
	CHECK_EQ(io.coalesced, 0);
	accepted = 1;
	ioapic_set_irq(&io, 17, true);
	CHECK_EQ(nmsgs, 3);
	CHECK(remote_irr(17));
	/* A failure is no acceptance either. */
	ioapic_set_irq(&io, 17, false);
	ioapic_eoi(&io, 0x57);
	CHECK_EQ(nmsgs, 3);
	accepted = -22;
	ioapic_set_irq(&io, 17, true);
	CHECK_EQ(nmsgs, 4);
	CHECK(!remote_irr(17));
	CHECK_EQ(io.delivered, 4);
	return true;
}

static bool reentrant_eoi(void)
{
	u64 e = rte(0x61, APIC_MSG_FIXED, 0, IOAPIC_RTE_LEVEL);

	/* The callback EOIs the message it takes: one send, no loop. */
	eoi_in_callback = true;
	rte_write(18, e);
	ioapic_set_irq(&io, 18, true);
	CHECK(!overflow);
	CHECK_EQ(nmsgs, 1);
	CHECK(!remote_irr(18));

	/* Two pins of one vector, re-sent by an EOI from outside. */
	eoi_in_callback = false;
	ioapic_set_irq(&io, 18, false);
	rte_write(19, e);
	ioapic_set_irq(&io, 18, true);
	ioapic_set_irq(&io, 19, true);
	CHECK_EQ(nmsgs, 3);
	CHECK(remote_irr(18));
	CHECK(remote_irr(19));
	eoi_in_callback = true;
	ioapic_eoi(&io, 0x61);
	CHECK(!overflow);
	/* Each pin re-sent once; the nested EOIs only clear remote IRR. */
	CHECK_EQ(nmsgs, 5);
	CHECK(!remote_irr(18));
	CHECK(!remote_irr(19));
	CHECK(!io.busy);
	/* Still usable afterwards. */
	eoi_in_callback = false;
	ioapic_eoi(&io, 0x61);
	low_high(18);
	CHECK(remote_irr(18));
	CHECK(!overflow);
	return true;
}

static const struct test_case tests[] = {
	TEST(id_version_arb),
	TEST(reset_state),
	TEST(entry_readback),
	TEST(read_only_bits),
	TEST(masked_not_delivered),
	TEST(edge_rising_only),
	TEST(level_eoi_broadcast),
	TEST(level_eoi_register),
	TEST(unmask_asserted_level),
	TEST(message_fields),
	TEST(undelivered_modes),
	TEST(level_nmi_is_edge),
	TEST(out_of_range),
	TEST(not_accepted),
	TEST(reentrant_eoi),
};

int main(void)
{
	return run_test_cases(tests, NTESTS(tests), setup);
}
