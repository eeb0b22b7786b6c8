// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the 8254 and port 0x61 of 'vtxctl run'
 * (userspace/pit.c), on a virtual clock: the programming Linux does for its
 * tick and its TSC calibration, each mode's OUT and counter, latches and
 * read-back, gates.  TAP 13 output; exit 0 if every test passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtxhv_test.h"

#include "pit.h"

#define NS_PER_SEC	1000000000ULL
#define HZ_LATCH(hz)	((PIT_FREQ_HZ + (hz) / 2) / (hz))	/* PIT_LATCH */
#define CAL_LATCH	(PIT_FREQ_HZ / 20)	/* tsc.c: 50 ms */

static struct pit pit;

/* The first nanosecond at which input clock tick k has fallen. */
static uint64_t tk(uint64_t k)
{
	return ((unsigned __int128)k * NS_PER_SEC + PIT_FREQ_HZ - 1) /
	       PIT_FREQ_HZ;
}

static void outb(uint8_t v, uint16_t port, uint64_t now)
{
	uint32_t val = v;

	if (!pit_pio(&pit, port, 1, true, &val, now))
		printf("# port %#x not claimed\n", port);
}

static uint8_t inb(uint16_t port, uint64_t now)
{
	uint32_t val = 0xdeadbeef;

	if (!pit_pio(&pit, port, 1, false, &val, now))
		printf("# port %#x not claimed\n", port);
	return val;
}

/* Control word, then the count LSB and MSB, all at time now. */
static void program(unsigned int ch, uint8_t cw, uint16_t count,
		    uint64_t now)
{
	outb(cw, PIT_PORT_CMD, now);
	outb(count & 0xff, PIT_PORT_CH0 + ch, now);
	outb(count >> 8, PIT_PORT_CH0 + ch, now);
}

/* Counter latch command and a 16-bit read, as Linux's i8253 code does. */
static uint16_t latch_read(unsigned int ch, uint64_t now)
{
	uint16_t v;

	outb(ch << PIT_SC_SHIFT, PIT_PORT_CMD, now);
	v = inb(PIT_PORT_CH0 + ch, now);
	return v | inb(PIT_PORT_CH0 + ch, now) << 8;
}

/* ---- Tests -------------------------------------------------------------- */

/* drivers/clocksource/i8253.c, pit_set_periodic(): mode 2, PIT_LATCH. */
static bool linux_periodic_tick(void)
{
	static const unsigned int hz[] = { 250, 1000, 100 };
	uint64_t latch, sum, t, t0 = 123456789;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		latch = HZ_LATCH(hz[i]);
		pit_init(&pit);
		program(0, 0x34, latch, 0);
		/* floor(1193182 / latch) edges in the first second */
		CHECK_EQ(pit_irq0_edges(&pit, 0, NS_PER_SEC),
			 PIT_FREQ_HZ / latch);
		/* the same over 1000 intervals of 1 ms: they add up */
		for (sum = 0, t = 0; t < NS_PER_SEC; t += 1000000)
			sum += pit_irq0_edges(&pit, t, t + 1000000);
		CHECK_EQ(sum, PIT_FREQ_HZ / latch);
		/* the first edge at tick latch, exactly */
		CHECK_EQ(pit_irq0_edges(&pit, 0, tk(latch) - 1), 0);
		CHECK_EQ(pit_irq0_edges(&pit, 0, tk(latch)), 1);
		CHECK_EQ(pit_next_irq0_ns(&pit, 0), tk(latch));
		CHECK_EQ(pit_irq0_edges(&pit, 0, tk(10 * latch)), 10);
	}
	CHECK_EQ(HZ_LATCH(250), 4773);
	CHECK_EQ(HZ_LATCH(1000), 1193);

	/* programmed at t0: 249 ticks of HZ=250 in the second after it */
	pit_init(&pit);
	program(0, 0x34, 4773, t0);
	CHECK_EQ(pit_irq0_edges(&pit, 0, t0 + NS_PER_SEC), 249);
	CHECK_EQ(pit_irq0_edges(&pit, t0, t0 + NS_PER_SEC), 249);
	CHECK_EQ(pit_irq0_edges(&pit, t0, t0 + 10 * NS_PER_SEC), 2499);
	return true;
}

/* Mode 2: the counter runs n .. 1; OUT is low while it holds 1. */
static bool mode2_counter_and_out(void)
{
	program(0, 0x34, 4773, 0);
	CHECK_EQ(pit_counter(&pit, 0, 0), 4773);
	CHECK_EQ(latch_read(0, tk(1000)), 3773);
	CHECK_EQ(latch_read(0, tk(4772)), 1);
	CHECK_EQ(latch_read(0, tk(4773)), 4773);
	CHECK_EQ(latch_read(0, tk(4773 + 4772)), 1);
	CHECK(pit_out(&pit, 0, tk(4771)));
	CHECK(!pit_out(&pit, 0, tk(4772)));
	CHECK(pit_out(&pit, 0, tk(4773)));
	CHECK(pit_out(&pit, 0, tk(4773) - 1) == false);
	return true;
}

/* Mode 3: half high, half low; the counter steps by two. */
static bool mode3_square_wave(void)
{
	uint64_t k;

	program(0, 0x36, 1000, 0);
	for (k = 0; k < 500; k++)
		CHECK(pit_out(&pit, 0, tk(k)));
	for (k = 500; k < 1000; k++)
		CHECK(!pit_out(&pit, 0, tk(k)));
	CHECK(pit_out(&pit, 0, tk(1000)));
	CHECK_EQ(pit_counter(&pit, 0, tk(0)), 1000);
	CHECK_EQ(pit_counter(&pit, 0, tk(1)), 998);
	CHECK_EQ(pit_counter(&pit, 0, tk(499)), 2);
	CHECK_EQ(pit_counter(&pit, 0, tk(500)), 1000);
	CHECK_EQ(pit_counter(&pit, 0, tk(999)), 2);
	CHECK_EQ(pit_irq0_edges(&pit, 0, tk(1000)), 1);
	CHECK_EQ(pit_irq0_edges(&pit, 0, tk(999)), 0);
	CHECK_EQ(pit_irq0_edges(&pit, 0, NS_PER_SEC), 1193);

	/* odd count 5: high for 3 clocks (5, 4, 2), low for 2 (5, 2) */
	program(0, 0x36, 5, tk(100000));
	{
		static const uint16_t val[] = { 5, 4, 2, 5, 2, 5 };
		static const bool out[] = { 1, 1, 1, 0, 0, 1 };

		for (k = 0; k < 6; k++) {
			CHECK_EQ(pit_counter(&pit, 0, tk(100000 + k)), val[k]);
			CHECK_EQ(pit_out(&pit, 0, tk(100000 + k)), out[k]);
		}
	}

	/* count 0 is 65536: the BIOS's 18.2 Hz */
	program(0, 0x36, 0, 0);
	CHECK_EQ(pit_irq0_edges(&pit, 0, NS_PER_SEC), 18);
	CHECK_EQ(pit_irq0_edges(&pit, 0, 10 * NS_PER_SEC), 182);
	CHECK_EQ(pit_counter(&pit, 0, 0), 0);
	/* mode 7 is mode 3 */
	program(0, 0x3e, 10, 0);
	CHECK(!pit_out(&pit, 0, tk(5)));
	CHECK_EQ(pit_irq0_edges(&pit, 0, tk(100)), 10);
	return true;
}

/* Mode 0: OUT low, then high at terminal count, once. */
static bool mode0_one_shot(void)
{
	CHECK(!pit_out(&pit, 0, 0));		/* power-on: nothing */
	CHECK_EQ(pit_next_irq0_ns(&pit, 0), UINT64_MAX);
	program(0, 0x30, 100, tk(50));
	CHECK(!pit_out(&pit, 0, tk(50)));
	CHECK(!pit_out(&pit, 0, tk(149)));
	CHECK(pit_out(&pit, 0, tk(150)));
	CHECK(pit_out(&pit, 0, tk(1000000)));
	CHECK_EQ(pit_counter(&pit, 0, tk(60)), 90);
	CHECK_EQ(pit_counter(&pit, 0, tk(150)), 0);
	CHECK_EQ(pit_counter(&pit, 0, tk(151)), 0xffff);	/* wraps */
	CHECK_EQ(pit_irq0_edges(&pit, 0, tk(149)), 0);
	CHECK_EQ(pit_irq0_edges(&pit, tk(149), tk(150)), 1);
	CHECK_EQ(pit_irq0_edges(&pit, 0, 100 * NS_PER_SEC), 1);
	CHECK_EQ(pit_next_irq0_ns(&pit, tk(100)), tk(150));
	CHECK_EQ(pit_next_irq0_ns(&pit, tk(150)), UINT64_MAX);

	/* a new count: its first byte stops it, OUT low; the second starts */
	outb(10, PIT_PORT_CH0, tk(200));
	CHECK(!pit_out(&pit, 0, tk(200)));
	CHECK(!pit_out(&pit, 0, tk(300)));
	CHECK_EQ(pit_irq0_edges(&pit, tk(200), tk(300)), 0);
	outb(0, PIT_PORT_CH0, tk(300));
	CHECK(!pit_out(&pit, 0, tk(309)));
	CHECK(pit_out(&pit, 0, tk(310)));
	CHECK_EQ(pit_irq0_edges(&pit, tk(300), tk(400)), 1);

	/* Linux's pit_shutdown(): mode 0, count 0: one edge 65536 later */
	program(0, 0x30, 0, tk(1000));
	CHECK_EQ(pit_irq0_edges(&pit, tk(1000), tk(1000 + 65535)), 0);
	CHECK_EQ(pit_irq0_edges(&pit, tk(1000), NS_PER_SEC), 1);
	return true;
}

/*
 * Linux's one-shot clockevent: mode 4 (0x38), counts without a control
 * word (pit_next_event); OUT pulses low for one clock at 0.
 */
static bool mode4_linux_oneshot(void)
{
	outb(0x38, PIT_PORT_CMD, 0);
	CHECK(pit_out(&pit, 0, 0));
	CHECK_EQ(pit_next_irq0_ns(&pit, 0), UINT64_MAX);
	outb(1000 & 0xff, PIT_PORT_CH0, 0);
	outb(1000 >> 8, PIT_PORT_CH0, 0);
	CHECK(pit_out(&pit, 0, tk(999)));
	CHECK(!pit_out(&pit, 0, tk(1000)));
	CHECK(pit_out(&pit, 0, tk(1001)));
	CHECK_EQ(pit_irq0_edges(&pit, 0, tk(1000)), 0);
	CHECK_EQ(pit_irq0_edges(&pit, 0, tk(1001)), 1);
	CHECK_EQ(pit_irq0_edges(&pit, 0, NS_PER_SEC), 1);
	CHECK_EQ(pit_next_irq0_ns(&pit, 0), tk(1001));
	/* the next event: a new count restarts the one-shot */
	outb(500 & 0xff, PIT_PORT_CH0, tk(2000));
	CHECK_EQ(pit_irq0_edges(&pit, tk(2000), tk(2500)), 0);
	outb(500 >> 8, PIT_PORT_CH0, tk(2000));
	CHECK_EQ(pit_next_irq0_ns(&pit, tk(2000)), tk(2501));
	CHECK_EQ(pit_irq0_edges(&pit, tk(2000), tk(3000)), 1);
	CHECK_EQ(pit_counter(&pit, 0, tk(2100)), 400);
	return true;
}

static bool latch_and_readback(void)
{
	uint8_t st;

	program(0, 0x34, 4773, 0);
	/* a latch holds its value until read; a second latch is ignored */
	outb(0x00, PIT_PORT_CMD, tk(100));
	outb(0x00, PIT_PORT_CMD, tk(200));
	CHECK_EQ(inb(PIT_PORT_CH0, tk(300)), (4773 - 100) & 0xff);
	CHECK_EQ(inb(PIT_PORT_CH0, tk(400)), (4773 - 100) >> 8);
	/* then reads follow the counter again */
	CHECK_EQ(inb(PIT_PORT_CH0, tk(500)), (4773 - 500) & 0xff);
	CHECK_EQ(inb(PIT_PORT_CH0, tk(500)), (4773 - 500) >> 8);

	/* read-back: status and count of counter 0 */
	outb(PIT_READBACK | PIT_RB_CH(0), PIT_PORT_CMD, tk(1000));
	st = inb(PIT_PORT_CH0, tk(1100));
	CHECK_EQ(st, PIT_STATUS_OUT | 0x34);
	CHECK_EQ(inb(PIT_PORT_CH0, tk(1100)), (4773 - 1000) & 0xff);
	CHECK_EQ(inb(PIT_PORT_CH0, tk(1100)), (4773 - 1000) >> 8);

	/* status only, after a control word and before the count: null */
	outb(0xb0, PIT_PORT_CMD, tk(2000));
	outb(PIT_READBACK | PIT_RB_NO_COUNT | PIT_RB_CH(2), PIT_PORT_CMD,
	     tk(2000));
	CHECK_EQ(inb(PIT_PORT_CH2, tk(2000)), PIT_STATUS_NULL | 0x30);
	outb(0x10, PIT_PORT_CH2, tk(2000));
	outb(0x00, PIT_PORT_CH2, tk(2000));
	outb(PIT_READBACK | PIT_RB_NO_COUNT | PIT_RB_CH(2), PIT_PORT_CMD,
	     tk(2000));
	CHECK_EQ(inb(PIT_PORT_CH2, tk(2000)), 0x30);	/* OUT low, loaded */

	/* count only, two counters at once */
	program(1, 0x74, 300, tk(3000));
	outb(PIT_READBACK | PIT_RB_NO_STATUS | PIT_RB_CH(0) | PIT_RB_CH(1),
	     PIT_PORT_CMD, tk(3100));
	CHECK_EQ(inb(PIT_PORT_CH1, tk(3200)), 200);
	CHECK_EQ(inb(PIT_PORT_CH1, tk(3200)), 0);
	CHECK_EQ(inb(PIT_PORT_CH0, tk(3200)), (4773 - 3100 % 4773) & 0xff);
	CHECK_EQ(inb(PIT_PORT_CH0, tk(3200)), (4773 - 3100 % 4773) >> 8);
	return true;
}

/* Access modes: LSB only, MSB only, LSB then MSB. */
static bool access_modes(void)
{
	outb(0x10, PIT_PORT_CMD, 0);		/* counter 0, LSB, mode 0 */
	outb(200, PIT_PORT_CH0, 0);
	CHECK_EQ(pit_counter(&pit, 0, tk(50)), 150);
	CHECK_EQ(inb(PIT_PORT_CH0, tk(50)), 150);
	CHECK_EQ(inb(PIT_PORT_CH0, tk(60)), 140);
	CHECK(pit_out(&pit, 0, tk(200)));

	outb(0x20, PIT_PORT_CMD, 0);		/* counter 0, MSB, mode 0 */
	outb(2, PIT_PORT_CH0, 0);
	CHECK_EQ(pit_counter(&pit, 0, 0), 0x200);
	CHECK_EQ(inb(PIT_PORT_CH0, tk(0x100)), 1);
	CHECK(!pit_out(&pit, 0, tk(0x1ff)));
	CHECK(pit_out(&pit, 0, tk(0x200)));

	/* LSB/MSB reads alternate; a control word resets the flip-flop */
	program(0, 0x30, 0x1234, 0);
	CHECK_EQ(inb(PIT_PORT_CH0, 0), 0x34);
	outb(0x30, PIT_PORT_CMD, 0);
	outb(0x78, PIT_PORT_CH0, 0);
	outb(0x56, PIT_PORT_CH0, 0);
	CHECK_EQ(inb(PIT_PORT_CH0, 0), 0x78);
	CHECK_EQ(inb(PIT_PORT_CH0, 0), 0x56);
	return true;
}

static bool port61_bits(void)
{
	uint8_t a, b;

	CHECK_EQ(inb(PIT_PORT_SYS_B, 0) & ~PIT_SYS_B_REFRESH, 0);
	outb(0xff, PIT_PORT_SYS_B, 0);
	a = inb(PIT_PORT_SYS_B, 0);
	b = inb(PIT_PORT_SYS_B, 0);
	/* bits 3-0 read back, 7-6 read 0, bit 4 toggles on every read */
	CHECK_EQ(a & 0xcf, 0x0f);
	CHECK_EQ((a ^ b) & PIT_SYS_B_REFRESH, PIT_SYS_B_REFRESH);
	CHECK_EQ((a ^ b) & ~PIT_SYS_B_REFRESH, 0);
	/* bit 5 is counter 2's OUT: high in mode 3's first half */
	program(2, 0xb6, 100, 0);
	CHECK(inb(PIT_PORT_SYS_B, tk(10)) & PIT_SYS_B_OUT2);
	CHECK(!(inb(PIT_PORT_SYS_B, tk(60)) & PIT_SYS_B_OUT2));
	outb(0x02, PIT_PORT_SYS_B, tk(70));	/* gate off: OUT high */
	CHECK_EQ(inb(PIT_PORT_SYS_B, tk(80)) & 0x2f, 0x22);
	CHECK_EQ(pit_counter(&pit, 2, tk(1000)),
		 pit_counter(&pit, 2, tk(70)));
	return true;
}

/*
 * arch/x86/kernel/tsc.c, pit_calibrate_tsc(): gate on, speaker off,
 * counter 2 in mode 0 with 50 ms, then poll port 0x61 bit 5.
 */
static bool linux_pit_calibrate(void)
{
	uint64_t t = 5000000, start, edge, loops = 0;
	uint8_t v, prev;

	outb((inb(PIT_PORT_SYS_B, t) & ~0x02) | 0x01, PIT_PORT_SYS_B, t);
	outb(0xb0, PIT_PORT_CMD, t);
	outb(CAL_LATCH & 0xff, PIT_PORT_CH2, t);
	outb(CAL_LATCH >> 8, PIT_PORT_CH2, t);
	start = t;
	prev = inb(PIT_PORT_SYS_B, t);
	while (!((v = inb(PIT_PORT_SYS_B, t)) & 0x20)) {
		CHECK(((v ^ prev) & PIT_SYS_B_REFRESH));
		prev = v;
		t += 1000;			/* a poll per microsecond */
		loops++;
		CHECK(loops < 1000000);
	}
	/* OUT rose CAL_LATCH ticks (50 ms) after the tick of the count */
	edge = tk(start * PIT_FREQ_HZ / NS_PER_SEC + CAL_LATCH);
	CHECK(t >= edge && t - edge < 1000);
	CHECK(loops >= 49999 && loops <= 50001);
	CHECK_EQ(v & 0x03, 0x01);
	return true;
}

/* tsc.c, quick_pit_calibrate(): mode 0 from 0xffff, MSB reads fall. */
static bool linux_quick_pit_calibrate(void)
{
	unsigned int i;

	outb((inb(PIT_PORT_SYS_B, 0) & ~0x02) | 0x01, PIT_PORT_SYS_B, 0);
	outb(0xb0, PIT_PORT_CMD, 0);
	outb(0xff, PIT_PORT_CH2, 0);
	outb(0xff, PIT_PORT_CH2, 0);
	/* pit_verify_msb(0xff - i): LSB ignored, then the MSB */
	for (i = 0; i < 200; i++) {
		uint64_t t = tk(256 * i + 1);

		inb(PIT_PORT_CH2, t);
		CHECK_EQ(inb(PIT_PORT_CH2, t), 0xff - i);
	}
	return true;
}

/* GATE: pauses modes 0 and 4; stops and reloads modes 2 and 3. */
static bool channel2_gate(void)
{
	program(2, 0xb0, 1000, 0);		/* gate low: no counting */
	CHECK_EQ(pit_counter(&pit, 2, tk(500)), 1000);
	outb(0x01, PIT_PORT_SYS_B, tk(500));
	CHECK_EQ(pit_counter(&pit, 2, tk(800)), 700);
	outb(0x00, PIT_PORT_SYS_B, tk(800));	/* paused at 700 */
	CHECK_EQ(pit_counter(&pit, 2, tk(5000)), 700);
	CHECK(!pit_out(&pit, 2, tk(5000)));
	outb(0x01, PIT_PORT_SYS_B, tk(5000));
	CHECK(!pit_out(&pit, 2, tk(5699)));
	CHECK(pit_out(&pit, 2, tk(5700)));

	/* mode 2: gate low forces OUT high and holds; high reloads */
	program(2, 0xb4, 100, tk(10000));
	CHECK_EQ(pit_counter(&pit, 2, tk(10030)), 70);
	outb(0x00, PIT_PORT_SYS_B, tk(10099));
	CHECK(pit_out(&pit, 2, tk(10099)));
	CHECK_EQ(pit_counter(&pit, 2, tk(20000)), 1);
	outb(0x01, PIT_PORT_SYS_B, tk(20000));
	CHECK_EQ(pit_counter(&pit, 2, tk(20000)), 100);
	CHECK_EQ(pit_counter(&pit, 2, tk(20010)), 90);
	return true;
}

/* Modes 1 and 5 wait for a rising gate, which (re)triggers them. */
static bool hardware_triggered_modes(void)
{
	program(2, 0xb2, 50, 0);		/* mode 1 */
	CHECK(pit_out(&pit, 2, tk(100)));
	outb(0x01, PIT_PORT_SYS_B, tk(100));
	CHECK(!pit_out(&pit, 2, tk(100)));
	CHECK(!pit_out(&pit, 2, tk(149)));
	CHECK(pit_out(&pit, 2, tk(150)));
	outb(0x00, PIT_PORT_SYS_B, tk(200));
	outb(0x01, PIT_PORT_SYS_B, tk(300));	/* retrigger */
	CHECK(!pit_out(&pit, 2, tk(320)));
	CHECK(pit_out(&pit, 2, tk(350)));

	program(2, 0xba, 50, tk(1000));		/* mode 5 */
	outb(0x00, PIT_PORT_SYS_B, tk(1000));
	outb(0x01, PIT_PORT_SYS_B, tk(1010));
	CHECK(pit_out(&pit, 2, tk(1059)));
	CHECK(!pit_out(&pit, 2, tk(1060)));
	CHECK(pit_out(&pit, 2, tk(1061)));
	return true;
}

/* Modes 2 and 3: a new count takes over at the end of the (half) period. */
static bool count_change_while_counting(void)
{
	program(0, 0x34, 1000, 0);
	outb(100, PIT_PORT_CH0, tk(300));
	outb(0, PIT_PORT_CH0, tk(300));
	CHECK_EQ(pit_counter(&pit, 0, tk(999)), 1);	/* old period ends */
	CHECK_EQ(pit_counter(&pit, 0, tk(1000)), 100);
	CHECK_EQ(pit_irq0_edges(&pit, tk(300), tk(1000)), 1);
	CHECK_EQ(pit_irq0_edges(&pit, tk(300), tk(2000)), 11);
	CHECK_EQ(pit_next_irq0_ns(&pit, tk(300)), tk(1000));
	CHECK_EQ(pit_next_irq0_ns(&pit, tk(1000)), tk(1100));
	/* status says null count until the new count is loaded */
	outb(PIT_READBACK | PIT_RB_NO_COUNT | PIT_RB_CH(0), PIT_PORT_CMD,
	     tk(500));
	CHECK(inb(PIT_PORT_CH0, tk(500)) & PIT_STATUS_NULL);
	outb(PIT_READBACK | PIT_RB_NO_COUNT | PIT_RB_CH(0), PIT_PORT_CMD,
	     tk(1000));
	CHECK(!(inb(PIT_PORT_CH0, tk(1000)) & PIT_STATUS_NULL));

	/* mode 3, written in the high half: the low half uses the new one */
	program(0, 0x36, 1000, tk(10000));
	outb(200 & 0xff, PIT_PORT_CH0, tk(10100));
	outb(200 >> 8, PIT_PORT_CH0, tk(10100));
	CHECK(pit_out(&pit, 0, tk(10499)));
	CHECK(!pit_out(&pit, 0, tk(10500)));
	CHECK_EQ(pit_counter(&pit, 0, tk(10500)), 200);
	CHECK(!pit_out(&pit, 0, tk(10599)));
	CHECK(pit_out(&pit, 0, tk(10600)));	/* 100 low, then period 200 */
	CHECK_EQ(pit_irq0_edges(&pit, tk(10100), tk(10600)), 1);
	CHECK_EQ(pit_irq0_edges(&pit, tk(10100), tk(10800)), 2);
	CHECK_EQ(pit_next_irq0_ns(&pit, tk(10100)), tk(10600));
	return true;
}

static uint64_t edges(uint64_t from, uint64_t to)
{
	return pit_irq0_edges(&pit, from, to);
}

/* The next edge is where pit_irq0_edges() finds it, in every mode. */
static bool next_edge_agrees(void)
{
	static const uint8_t cw[] = { 0x34, 0x36, 0x30, 0x38 };
	static const uint16_t counts[] = { 2, 3, 7, 4773, 65535, 0 };
	unsigned int i, j, k;
	uint64_t now, next;

	for (i = 0; i < 4; i++) {
		for (j = 0; j < 6; j++) {
			program(0, cw[i], counts[j], 777);
			for (k = 0, now = 777; k < 20; k++) {
				next = pit_next_irq0_ns(&pit, now);
				if (next == UINT64_MAX)
					break;
				CHECK(next > now);
				CHECK_EQ(edges(now, next - 1), 0);
				CHECK_EQ(edges(now, next), 1);
				now = next + k * 333;
			}
			/* the periodic modes never stop, one-shots do */
			CHECK_EQ(k < 20, cw[i] == 0x30 || cw[i] == 0x38);
			if (k < 20)
				CHECK_EQ(edges(now, 1000 * NS_PER_SEC), 0);
		}
	}
	return true;
}

static bool bcd_counting(void)
{
	program(0, 0x35, 0x1000, 0);		/* mode 2, BCD 1000 */
	CHECK_EQ(pit_counter(&pit, 0, tk(1)), 0x0999);
	CHECK_EQ(pit_counter(&pit, 0, tk(990)), 0x0010);
	CHECK_EQ(pit_irq0_edges(&pit, 0, tk(10000)), 10);
	program(0, 0x31, 0x0000, 0);		/* mode 0, BCD 0 = 10000 */
	CHECK_EQ(pit_counter(&pit, 0, tk(1)), 0x9999);
	CHECK(!pit_out(&pit, 0, tk(9999)));
	CHECK(pit_out(&pit, 0, tk(10000)));
	return true;
}

static bool port_decoding(void)
{
	uint32_t v = 0x12345678;

	CHECK_EQ(inb(PIT_PORT_CMD, 0), 0xff);	/* write-only */
	CHECK(!pit_pio(&pit, 0x44, 1, false, &v, 0));
	CHECK(!pit_pio(&pit, 0x60, 1, false, &v, 0));
	CHECK(!pit_pio(&pit, 0x3f, 1, true, &v, 0));
	CHECK_EQ(v, 0x12345678);
	/* a word write to 0x42 is LSB and MSB of counter 2 */
	outb(0xb0, PIT_PORT_CMD, 0);
	v = 0x0302;
	CHECK(pit_pio(&pit, PIT_PORT_CH2, 1, true, &v, 0));
	v >>= 8;
	CHECK(pit_pio(&pit, PIT_PORT_CH2, 1, true, &v, 0));
	CHECK_EQ(pit_counter(&pit, 2, 0), 0x0302);
	/* a word read at 0x43: 0xff from the control port, 0xff past it */
	CHECK(pit_pio(&pit, PIT_PORT_CMD, 2, false, &v, 0));
	CHECK_EQ(v, 0xffff);
	CHECK_EQ(pit_counter(&pit, 3, 0), 0);
	CHECK(!pit_out(&pit, 3, 0));
	return true;
}

static const struct test_case tests[] = {
	TEST(linux_periodic_tick),
	TEST(mode2_counter_and_out),
	TEST(mode3_square_wave),
	TEST(mode0_one_shot),
	TEST(mode4_linux_oneshot),
	TEST(latch_and_readback),
	TEST(access_modes),
	TEST(port61_bits),
	TEST(linux_pit_calibrate),
	TEST(linux_quick_pit_calibrate),
	TEST(channel2_gate),
	TEST(hardware_triggered_modes),
	TEST(count_change_while_counting),
	TEST(next_edge_agrees),
	TEST(bcd_counting),
	TEST(port_decoding),
};

static void setup(void)
{
	pit_init(&pit);
}

int main(void)
{
	return run_test_cases(tests, NTESTS(tests), setup);
}
