/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 8254 programmable interval timer of a PC and port 0x61, for 'vtxctl
 * run': pure logic on a virtual clock the caller passes in (nanoseconds),
 * never reading a clock itself, so the host unit test can drive it.
 */
#ifndef VTXCTL_PIT_H
#define VTXCTL_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_FREQ_HZ		1193182ULL	/* the input clock, CLK0-2 */

#define PIT_PORT_CH0		0x40		/* counter 0: IRQ 0 */
#define PIT_PORT_CH1		0x41		/* counter 1: DRAM refresh */
#define PIT_PORT_CH2		0x42		/* counter 2: speaker, gate */
#define PIT_PORT_CMD		0x43		/* control word, write-only */
#define PIT_PORT_SYS_B		0x61		/* system control port B */

/* Control word (8254 datasheet, "Control Word Format"). */
#define PIT_SC_SHIFT		6		/* bits 7-6: counter, or 3 */
#define PIT_RW_SHIFT		4		/* bits 5-4: access, 0: latch */
#define PIT_RW_LSB		1
#define PIT_RW_MSB		2
#define PIT_RW_LSB_MSB		3
#define PIT_MODE_SHIFT		1		/* bits 3-1: mode */
#define PIT_BCD			0x01
#define PIT_READBACK		0xc0
#define PIT_RB_NO_COUNT		0x20		/* read-back: not the count */
#define PIT_RB_NO_STATUS	0x10		/* read-back: not the status */
#define PIT_RB_CH(n)		(2U << (n))
#define PIT_STATUS_OUT		0x80
#define PIT_STATUS_NULL		0x40

/* Port 0x61 bits. */
#define PIT_SYS_B_GATE2		0x01		/* timer 2 gate */
#define PIT_SYS_B_SPEAKER	0x02		/* speaker data enable */
#define PIT_SYS_B_WRITABLE	0x0f		/* bits 3-2: NMI enables */
#define PIT_SYS_B_REFRESH	0x10		/* toggles on every read */
#define PIT_SYS_B_OUT2		0x20		/* timer 2 OUT */

struct pit_channel {
	/* Programming. */
	uint8_t mode;		/* 0-5; 6 and 7 are stored as 2 and 3 */
	uint8_t ctrl;		/* the control word's bits 5-0, for status */
	uint8_t access;		/* PIT_RW_* */
	bool bcd;
	uint16_t cr;		/* count register: the count last written */
	bool armed;		/* a count was written since the control word */
	bool gate;		/* GATE input */
	bool null_count;	/* cr not yet in the counting element */

	/*
	 * Counting: since clock tick start the counting element has counted
	 * done + (now - start) ticks of count n (1-65536; 1-10000 in BCD),
	 * off ticks into its period (mode 3 can start in its low half).  In
	 * modes 2 and 3 a count written while counting is queued: it takes
	 * over at tick next_start.
	 */
	bool loaded;		/* the counting element holds a count */
	bool running;		/* ... and counts (gate, trigger) */
	uint64_t start, done;
	uint32_t n, off;
	bool has_next;
	uint64_t next_start;
	uint32_t next_n, next_off;

	/* Port state. */
	bool write_msb;		/* LSB/MSB access: the next write is the MSB */
	uint8_t lsb;		/* ... the LSB written */
	bool read_msb;		/* LSB/MSB access: the next read is the MSB */
	bool count_latched;
	uint16_t latch;
	bool status_latched;
	uint8_t status;
};

struct pit {
	struct pit_channel ch[3];
	uint8_t sys_b;		/* port 0x61 bits 3-0 as written */
	bool refresh;		/* port 0x61 bit 4 */
};

/*
 * Power-on state: each counter as after a mode 0 control word with no
 * count written (OUT low, not counting); the gates of counters 0 and 1
 * tied high, counter 2's (port 0x61 bit 0) low.
 */
void pit_init(struct pit *pit);

/*
 * One port access at virtual time now_ns, in the style of the devices.c
 * handlers (absolute port; bytes of a wider access go to consecutive
 * ports; ports past the device read 0xff).  Returns false, touching
 * nothing, if port is not 0x40-0x43 or 0x61.
 *
 * Times passed to any pit_* function must not go backwards.  Counting is
 * in whole ticks of the 1193182 Hz clock, tick k falling at
 * k * 10^9 / 1193182 ns; a count written is loaded at once (an 8254 loads
 * it on the next clock pulse).
 */
bool pit_pio(struct pit *pit, uint16_t port, unsigned int size,
	     bool is_write, uint32_t *val, uint64_t now_ns);

/* The counter's value at now_ns as a read of it would see (0 = 65536). */
uint16_t pit_counter(const struct pit *pit, unsigned int ch, uint64_t now_ns);

/* OUT of counter ch at now_ns. */
bool pit_out(const struct pit *pit, unsigned int ch, uint64_t now_ns);

/*
 * Rising edges of counter 0's OUT in (from_ns, to_ns]: the IRQ 0 edges to
 * deliver.  Consecutive intervals add up exactly.  The count follows the
 * programming as it stands, from the last change of it on: so call this up
 * to the time of each port write before passing the write on.  Only the
 * edges of counting are counted, not an immediate OUT change that a
 * control word causes.
 */
uint64_t pit_irq0_edges(const struct pit *pit, uint64_t from_ns,
			uint64_t to_ns);

/*
 * The time of the first rising edge of counter 0's OUT after now_ns (for a
 * timer to sleep until), or UINT64_MAX if none will come as things stand.
 */
uint64_t pit_next_irq0_ns(const struct pit *pit, uint64_t now_ns);

#endif /* VTXCTL_PIT_H */
