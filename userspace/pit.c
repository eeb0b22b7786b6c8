// SPDX-License-Identifier: GPL-2.0
/*
 * The 8254 interval timer, written from Intel's 8254 datasheet: three
 * counters on a 1193182 Hz clock computed from the virtual time the caller
 * passes in, and port 0x61 with counter 2's gate and OUT.
 */
#include <string.h>

#include "pio_bytes.h"
#include "pit.h"

#define NS_PER_SEC	1000000000ULL

void pit_init(struct pit *pit)
{
	unsigned int i;

	memset(pit, 0, sizeof(*pit));
	for (i = 0; i < 3; i++) {
		pit->ch[i].access = PIT_RW_LSB_MSB;
		pit->ch[i].ctrl = PIT_RW_LSB_MSB << PIT_RW_SHIFT;
		pit->ch[i].gate = i != 2;
	}
}

/* Ticks of the input clock that have fallen by ns (tick 0 at time 0). */
static uint64_t ns_to_tick(uint64_t ns)
{
	return (unsigned __int128)ns * PIT_FREQ_HZ / NS_PER_SEC;
}

/* The first nanosecond at which tick k has fallen. */
static uint64_t tick_to_ns(uint64_t k)
{
	unsigned __int128 ns;

	ns = ((unsigned __int128)k * NS_PER_SEC + PIT_FREQ_HZ - 1) /
	     PIT_FREQ_HZ;
	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

static uint32_t bcd_to_bin(uint16_t v)
{
	return (v >> 12 & 0xf) * 1000 + (v >> 8 & 0xf) * 100 +
	       (v >> 4 & 0xf) * 10 + (v & 0xf);
}

static uint16_t bin_to_bcd(uint32_t v)
{
	return (v / 1000 % 10) << 12 | (v / 100 % 10) << 8 |
	       (v / 10 % 10) << 4 | v % 10;
}

/* Counts wrap at 2^16 in binary, at 10^4 in BCD. */
static uint32_t modulus(const struct pit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

static bool periodic(const struct pit_channel *c)
{
	return c->mode == 2 || c->mode == 3;
}

/*
 * The count register as a number of clocks: 0 is the largest count.  A
 * count of 1 is illegal in modes 2 and 3 (datasheet) and is taken as 2.
 */
static uint32_t cr_count(const struct pit_channel *c)
{
	uint32_t n = c->bcd ? bcd_to_bin(c->cr) : c->cr;

	if (!n)
		n = modulus(c);
	if (n < 2 && periodic(c))
		n = 2;
	return n;
}

/* Mode 3: OUT is high for the first (n + 1) / 2 clocks of a period. */
static uint32_t high_half(uint32_t n)
{
	return (n + 1) / 2;
}

/* ---- The counting element's timeline ------------------------------------ */

/* One stretch of counting with one count: see struct pit_channel. */
struct seg {
	bool running;
	uint64_t start, done;
	uint32_t n, off;
};

/* The stretch in effect at tick t (at or after the last change). */
static void seg_at(const struct pit_channel *c, uint64_t t, struct seg *s)
{
	if (c->has_next && t >= c->next_start) {
		s->running = true;
		s->start = c->next_start;
		s->done = 0;
		s->n = c->next_n;
		s->off = c->next_off;
	} else {
		s->running = c->running;
		s->start = c->start;
		s->done = c->done;
		s->n = c->n;
		s->off = c->off;
	}
}

/* Clocks counted with the stretch's count by tick t. */
static uint64_t seg_elapsed(const struct seg *s, uint64_t t)
{
	if (!s->running || t <= s->start)
		return s->done;
	return s->done + (t - s->start);
}

/*
 * The counter's value (binary, modulo the count's range).  Modes 0, 1, 4
 * and 5 count down by one and wrap past 0.  Mode 2 counts n ... 1 and
 * reloads.  Mode 3 counts down by two, reloading at each half period; an
 * odd count shows n, n - 1, n - 3, ... in the high half and n, n - 3,
 * n - 5, ... in the low half (datasheet, "Mode 3").
 */
static uint32_t seg_value(const struct pit_channel *c, const struct seg *s,
			  uint64_t t)
{
	uint64_t e = seg_elapsed(s, t);
	uint32_t m = modulus(c), n = s->n, h = high_half(n), p, v;

	switch (c->mode) {
	case 2:
		v = n - (e + s->off) % n;
		break;
	case 3:
		p = (e + s->off) % n;
		if (p < h)
			v = !p ? n : n - 2 * p + (n & 1);
		else
			v = p == h ? n : n - 2 * (p - h) - (n & 1);
		break;
	default:
		v = (n + m - e % m) % m;
		break;
	}
	return v % m;
}

static bool seg_out(const struct pit_channel *c, const struct seg *s,
		    uint64_t t)
{
	uint64_t e = seg_elapsed(s, t);

	switch (c->mode) {
	case 0:
	case 1:
		return e >= s->n;	/* low until the count runs out */
	case 2:
		/* low for the one clock the counter holds 1 */
		return !c->gate || (e + s->off) % s->n != s->n - 1;
	case 3:
		return !c->gate || (e + s->off) % s->n < high_half(s->n);
	default:
		return e != s->n;	/* modes 4, 5: one low clock at 0 */
	}
}

/* Rising edges of OUT in ticks (a, b] within one stretch. */
static uint64_t seg_edges(const struct pit_channel *c, const struct seg *s,
			  uint64_t a, uint64_t b)
{
	uint64_t ea = seg_elapsed(s, a), eb = seg_elapsed(s, b);

	switch (c->mode) {
	case 0:
	case 1:
		return ea < s->n && eb >= s->n;
	case 4:
	case 5:
		return ea <= s->n && eb > s->n;
	default:
		/* modes 2 and 3: OUT rises as each period begins again */
		return (eb + s->off) / s->n - (ea + s->off) / s->n;
	}
}

/* The tick of the first rising edge after tick t, or UINT64_MAX. */
static uint64_t seg_next_edge(const struct pit_channel *c,
			      const struct seg *s, uint64_t t)
{
	uint64_t e = seg_elapsed(s, t);
	uint64_t base = t > s->start ? t : s->start;

	if (!s->running)
		return UINT64_MAX;
	switch (c->mode) {
	case 0:
	case 1:
		return e < s->n ? base + (s->n - e) : UINT64_MAX;
	case 4:
	case 5:
		return e <= s->n ? base + (s->n + 1 - e) : UINT64_MAX;
	default:
		return base + (s->n - (e + s->off) % s->n);
	}
}

/* A queued count whose time has come becomes the current stretch. */
static void commit(struct pit_channel *c, uint64_t t)
{
	if (!c->has_next || t < c->next_start)
		return;
	c->running = true;
	c->start = c->next_start;
	c->done = 0;
	c->n = c->next_n;
	c->off = c->next_off;
	c->has_next = false;
	c->null_count = false;
}

/* Load the count register into the counting element at tick t. */
static void load(struct pit_channel *c, uint64_t t)
{
	c->loaded = true;
	c->running = c->mode == 1 || c->mode == 5 || c->gate;
	c->start = t;
	c->done = 0;
	c->n = cr_count(c);
	c->off = 0;
	c->has_next = false;
	c->null_count = false;
}

static uint64_t cur_elapsed(const struct pit_channel *c, uint64_t t)
{
	struct seg s;

	seg_at(c, t, &s);
	return seg_elapsed(&s, t);
}

/*
 * Modes 2 and 3: a count written while counting does not disturb the
 * current period (mode 2) or half period (mode 3); it is loaded when that
 * ends.  Mode 3 then starts its new count in whichever half comes next.
 */
static void queue_count(struct pit_channel *c, uint64_t t)
{
	uint64_t p = (cur_elapsed(c, t) + c->off) % c->n;

	c->has_next = true;
	c->next_n = cr_count(c);
	if (c->mode == 3 && p < high_half(c->n)) {
		c->next_start = t + (high_half(c->n) - p);
		c->next_off = high_half(c->next_n);
	} else {
		c->next_start = t + (c->n - p);
		c->next_off = 0;
	}
}

/* ---- Channel operations ------------------------------------------------- */

static uint16_t channel_value(const struct pit_channel *c, uint64_t t)
{
	struct seg s;
	uint32_t v;

	if (!c->loaded)
		return c->cr;
	seg_at(c, t, &s);
	v = seg_value(c, &s, t);
	return c->bcd ? bin_to_bcd(v) : v;
}

static bool channel_out(const struct pit_channel *c, uint64_t t)
{
	struct seg s;

	if (!c->loaded)
		return c->mode != 0;	/* the state a control word sets */
	seg_at(c, t, &s);
	return seg_out(c, &s, t);
}

static uint64_t channel_edges(const struct pit_channel *c, uint64_t a,
			      uint64_t b)
{
	struct seg s;
	uint64_t n = 0;

	if (!c->loaded || b <= a)
		return 0;
	if (c->has_next && a < c->next_start) {
		seg_at(c, a, &s);
		if (b <= c->next_start)
			return seg_edges(c, &s, a, b);
		n = seg_edges(c, &s, a, c->next_start);
		a = c->next_start;
	}
	seg_at(c, a, &s);
	return n + seg_edges(c, &s, a, b);
}

static uint64_t channel_next_edge(const struct pit_channel *c, uint64_t t)
{
	struct seg s;
	uint64_t k;

	if (!c->loaded)
		return UINT64_MAX;
	if (c->has_next && t < c->next_start) {
		seg_at(c, t, &s);
		k = seg_next_edge(c, &s, t);
		if (k <= c->next_start)
			return k;
		t = c->next_start;
	}
	seg_at(c, t, &s);
	return seg_next_edge(c, &s, t);
}

static void write_count(struct pit_channel *c, uint64_t t, uint16_t v)
{
	c->cr = v;
	c->armed = true;
	c->null_count = true;
	switch (c->mode) {
	case 0:
	case 4:
		load(c, t);	/* a new count restarts the one-shot */
		break;
	case 2:
	case 3:
		if (!c->loaded)
			load(c, t);
		else if (c->running)
			queue_count(c, t);
		/* else the gate is low: its rising edge loads the count */
		break;
	default:
		break;		/* modes 1 and 5 load on a gate trigger */
	}
}

static void write_data(struct pit_channel *c, uint64_t t, uint8_t v)
{
	switch (c->access) {
	case PIT_RW_LSB:
		write_count(c, t, v);
		break;
	case PIT_RW_MSB:
		write_count(c, t, v << 8);
		break;
	default:
		if (c->write_msb) {
			c->write_msb = false;
			write_count(c, t, c->lsb | v << 8);
			break;
		}
		c->lsb = v;
		c->write_msb = true;
		/* Mode 0: the first byte stops counting, OUT goes low. */
		if (c->mode == 0) {
			c->loaded = false;
			c->running = false;
		}
		break;
	}
}

static void latch_count(struct pit_channel *c, uint64_t t)
{
	/* A second latch before the first is read is ignored. */
	if (c->count_latched)
		return;
	c->latch = channel_value(c, t);
	c->count_latched = true;
}

static void latch_status(struct pit_channel *c, uint64_t t)
{
	if (c->status_latched)
		return;
	c->status = (channel_out(c, t) ? PIT_STATUS_OUT : 0) |
		    (c->null_count ? PIT_STATUS_NULL : 0) | c->ctrl;
	c->status_latched = true;
}

/*
 * A read gives the latched status first, then the latched count, else the
 * counter as it runs; with LSB/MSB access, bytes alternate, and a latch
 * holds until its last byte is read.
 */
static uint8_t read_data(struct pit_channel *c, uint64_t t)
{
	uint16_t v;
	bool last = true;
	uint8_t b;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	v = c->count_latched ? c->latch : channel_value(c, t);
	switch (c->access) {
	case PIT_RW_LSB:
		b = v;
		break;
	case PIT_RW_MSB:
		b = v >> 8;
		break;
	default:
		b = c->read_msb ? v >> 8 : v;
		last = c->read_msb;
		c->read_msb = !c->read_msb;
		break;
	}
	if (last)
		c->count_latched = false;
	return b;
}

static void write_control(struct pit *pit, uint64_t t, uint8_t v)
{
	unsigned int sc = v >> PIT_SC_SHIFT, rw = v >> PIT_RW_SHIFT & 3, i;
	struct pit_channel *c;

	if (sc == 3) {
		/* Read-back: bits 3-1 select counters; 5, 4 are active low. */
		for (i = 0; i < 3; i++) {
			if (!(v & PIT_RB_CH(i)))
				continue;
			commit(&pit->ch[i], t);
			if (!(v & PIT_RB_NO_COUNT))
				latch_count(&pit->ch[i], t);
			if (!(v & PIT_RB_NO_STATUS))
				latch_status(&pit->ch[i], t);
		}
		return;
	}
	c = &pit->ch[sc];
	commit(c, t);
	if (!rw) {
		latch_count(c, t);	/* counter latch command */
		return;
	}
	/* A control word resets the counter's logic and sets its mode. */
	c->ctrl = v & 0x3f;
	c->access = rw;
	c->mode = v >> PIT_MODE_SHIFT & 7;
	if (c->mode > 5)
		c->mode -= 4;		/* 6 and 7 are modes 2 and 3 */
	c->bcd = v & PIT_BCD;
	c->armed = false;
	c->loaded = false;
	c->running = false;
	c->has_next = false;
	c->null_count = true;
	c->write_msb = false;
	c->read_msb = false;
	c->count_latched = false;
	c->status_latched = false;
}

/*
 * GATE: in modes 0 and 4 it enables counting; in modes 2 and 3 low stops
 * the count and forces OUT high, and a rising edge reloads the count; in
 * modes 1 and 5 a rising edge triggers (reloads) the count.
 */
static void set_gate(struct pit_channel *c, uint64_t t, bool level)
{
	commit(c, t);
	if (level == c->gate)
		return;
	c->gate = level;
	switch (c->mode) {
	case 0:
	case 4:
		if (!c->loaded)
			break;
		c->done = cur_elapsed(c, t);
		c->start = t;
		c->running = level;
		break;
	case 2:
	case 3:
		if (level && c->armed) {
			load(c, t);
		} else if (!level && c->loaded) {
			c->done = cur_elapsed(c, t);
			c->start = t;
			c->running = false;
			c->has_next = false;
		}
		break;
	default:
		if (level && c->armed)
			load(c, t);
		break;
	}
}

/* ---- Ports -------------------------------------------------------------- */

static bool is_pit_port(unsigned int port)
{
	return (port >= PIT_PORT_CH0 && port <= PIT_PORT_CMD) ||
	       port == PIT_PORT_SYS_B;
}

/*
 * Port 0x61: bits 3-0 read back as written, bit 4 flips on every read
 * (the DRAM refresh toggle, which firmware and Linux's delay loops watch),
 * bit 5 is counter 2's OUT; bits 7-6 (parity and channel check) read 0.
 */
static uint8_t read_sys_b(struct pit *pit, uint64_t t)
{
	uint8_t v = pit->sys_b;

	if (pit->refresh)
		v |= PIT_SYS_B_REFRESH;
	if (channel_out(&pit->ch[2], t))
		v |= PIT_SYS_B_OUT2;
	pit->refresh = !pit->refresh;
	return v;
}

static void write_sys_b(struct pit *pit, uint64_t t, uint8_t v)
{
	pit->sys_b = v & PIT_SYS_B_WRITABLE;
	set_gate(&pit->ch[2], t, v & PIT_SYS_B_GATE2);
}

static uint8_t pit_read(struct pit *pit, unsigned int port, uint64_t t)
{
	if (port == PIT_PORT_SYS_B)
		return read_sys_b(pit, t);
	if (port == PIT_PORT_CMD)
		return 0xff;		/* write-only */
	commit(&pit->ch[port - PIT_PORT_CH0], t);
	return read_data(&pit->ch[port - PIT_PORT_CH0], t);
}

static void pit_write(struct pit *pit, unsigned int port, uint64_t t,
		      uint8_t v)
{
	if (port == PIT_PORT_SYS_B) {
		write_sys_b(pit, t, v);
	} else if (port == PIT_PORT_CMD) {
		write_control(pit, t, v);
	} else {
		commit(&pit->ch[port - PIT_PORT_CH0], t);
		write_data(&pit->ch[port - PIT_PORT_CH0], t, v);
	}
}

/* A pit_pio() access: the PIT, and the tick it happens at. */
struct pit_access {
	struct pit *pit;
	uint64_t t;
};

/* pio_byte_fn: one byte of a pit_pio() access. */
static bool pit_byte(void *dev, unsigned int port, bool is_write, uint8_t *b)
{
	struct pit_access *a = dev;

	if (!is_pit_port(port))
		return false;
	if (is_write)
		pit_write(a->pit, port, a->t, *b);
	else
		*b = pit_read(a->pit, port, a->t);
	return true;
}

bool pit_pio(struct pit *pit, uint16_t port, unsigned int size,
	     bool is_write, uint32_t *val, uint64_t now_ns)
{
	struct pit_access a = { pit, ns_to_tick(now_ns) };

	if (!is_pit_port(port))
		return false;
	pio_bytes(&a, pit_byte, port, size, is_write, val);
	return true;
}

uint16_t pit_counter(const struct pit *pit, unsigned int ch, uint64_t now_ns)
{
	return ch < 3 ? channel_value(&pit->ch[ch], ns_to_tick(now_ns)) : 0;
}

bool pit_out(const struct pit *pit, unsigned int ch, uint64_t now_ns)
{
	return ch < 3 && channel_out(&pit->ch[ch], ns_to_tick(now_ns));
}

uint64_t pit_irq0_edges(const struct pit *pit, uint64_t from_ns,
			uint64_t to_ns)
{
	return channel_edges(&pit->ch[0], ns_to_tick(from_ns),
			     ns_to_tick(to_ns));
}

uint64_t pit_next_irq0_ns(const struct pit *pit, uint64_t now_ns)
{
	uint64_t k = channel_next_edge(&pit->ch[0], ns_to_tick(now_ns));

	return k == UINT64_MAX ? UINT64_MAX : tick_to_ns(k);
}
