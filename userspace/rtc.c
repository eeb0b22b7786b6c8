// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal MC146818 RTC, written from the MC146818A datasheet: the time
 * and date registers computed from the caller's time_t, registers A-D, and
 * the rest of the 128 bytes as CMOS RAM.
 */
#define _DEFAULT_SOURCE		/* timegm() */
#include <string.h>

#include "pio_bytes.h"
#include "rtc.h"

void rtc_init(struct rtc *rtc, time_t now)
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->ram[RTC_REG_A] = RTC_REG_A_DEFAULT;
	rtc->ram[RTC_REG_B] = RTC_REG_B_DEFAULT;
	rtc->last_update = now;
}

/* While register B's SET bit is on, the clock stands still. */
static int64_t guest_time(const struct rtc *rtc, time_t now)
{
	return rtc->frozen ? rtc->held : (int64_t)now + rtc->offset;
}

static void set_guest_time(struct rtc *rtc, int64_t t, time_t now)
{
	if (rtc->frozen)
		rtc->held = t;
	else
		rtc->offset = t - now;
}

static bool binary(const struct rtc *rtc)
{
	return rtc->ram[RTC_REG_B] & RTC_B_DM_BINARY;
}

static uint8_t encode(const struct rtc *rtc, unsigned int v)
{
	return binary(rtc) ? v : (v / 10 % 10) << 4 | v % 10;
}

static unsigned int decode(const struct rtc *rtc, uint8_t v)
{
	return binary(rtc) ? v : (v >> 4) * 10 + (v & 0xf);
}

/* Hours: 0-23, or in 12-hour mode 1-12 with bit 7 set after noon. */
static uint8_t encode_hour(const struct rtc *rtc, unsigned int h)
{
	if (rtc->ram[RTC_REG_B] & RTC_B_24H)
		return encode(rtc, h);
	return encode(rtc, (h + 11) % 12 + 1) | (h >= 12 ? RTC_HOUR_PM : 0);
}

static unsigned int decode_hour(const struct rtc *rtc, uint8_t v)
{
	unsigned int h;

	if (rtc->ram[RTC_REG_B] & RTC_B_24H)
		return decode(rtc, v);
	h = decode(rtc, v & ~RTC_HOUR_PM) % 12;
	return v & RTC_HOUR_PM ? h + 12 : h;
}

/* The registers that show the clock rather than RAM. */
static bool is_clock(unsigned int reg)
{
	switch (reg) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH:
	case RTC_MONTH:
	case RTC_YEAR:
	case RTC_CENTURY:
		return true;
	}
	return false;
}

static bool guest_tm(const struct rtc *rtc, time_t now, struct tm *tm)
{
	time_t t = guest_time(rtc, now);

	return gmtime_r(&t, tm);
}

static uint8_t read_clock(const struct rtc *rtc, unsigned int reg,
			  time_t now)
{
	struct tm tm;
	unsigned int year;

	if (!guest_tm(rtc, now, &tm))
		return 0;
	year = tm.tm_year + 1900;
	switch (reg) {
	case RTC_SECONDS:
		return encode(rtc, tm.tm_sec);
	case RTC_MINUTES:
		return encode(rtc, tm.tm_min);
	case RTC_HOURS:
		return encode_hour(rtc, tm.tm_hour);
	case RTC_DAY_OF_WEEK:
		return encode(rtc, tm.tm_wday + 1);
	case RTC_DAY_OF_MONTH:
		return encode(rtc, tm.tm_mday);
	case RTC_MONTH:
		return encode(rtc, tm.tm_mon + 1);
	case RTC_YEAR:
		return encode(rtc, year % 100);
	default:
		return encode(rtc, year / 100);
	}
}

/*
 * Setting one field sets the guest's clock: the other fields keep their
 * values, and the weekday follows from the date (writes to it are
 * ignored).  Out-of-range values roll over as timegm() normalises them.
 */
static void write_clock(struct rtc *rtc, unsigned int reg, uint8_t v,
			time_t now)
{
	struct tm tm;
	int year;

	if (reg == RTC_DAY_OF_WEEK || !guest_tm(rtc, now, &tm))
		return;
	year = tm.tm_year + 1900;
	switch (reg) {
	case RTC_SECONDS:
		tm.tm_sec = decode(rtc, v);
		break;
	case RTC_MINUTES:
		tm.tm_min = decode(rtc, v);
		break;
	case RTC_HOURS:
		tm.tm_hour = decode_hour(rtc, v);
		break;
	case RTC_DAY_OF_MONTH:
		tm.tm_mday = decode(rtc, v);
		break;
	case RTC_MONTH:
		tm.tm_mon = (int)decode(rtc, v) - 1;
		break;
	case RTC_YEAR:
		year = year / 100 * 100 + decode(rtc, v);
		break;
	default:
		year = decode(rtc, v) * 100 + year % 100;
		break;
	}
	tm.tm_year = year - 1900;
	set_guest_time(rtc, timegm(&tm), now);
}

/*
 * Register C: UF is set when an update cycle ends, once a second while
 * the clock runs; IRQF goes with it when UIE enables the interrupt.  The
 * flags are computed when C is read, which clears them.
 */
static uint8_t read_reg_c(struct rtc *rtc, time_t now)
{
	int64_t t = guest_time(rtc, now);
	uint8_t v;

	if (!rtc->frozen && t != rtc->last_update) {
		rtc->reg_c |= RTC_C_UF;
		if (rtc->ram[RTC_REG_B] & RTC_B_UIE)
			rtc->reg_c |= RTC_C_IRQF;
	}
	rtc->last_update = t;
	v = rtc->reg_c;
	rtc->reg_c = 0;
	return v;
}

/* SET stops the clock where it is; clearing it restarts it from there. */
static void write_reg_b(struct rtc *rtc, uint8_t v, time_t now)
{
	bool set = v & RTC_B_SET;

	if (set && !rtc->frozen) {
		rtc->held = guest_time(rtc, now);
		rtc->frozen = true;
	} else if (!set && rtc->frozen) {
		rtc->frozen = false;
		rtc->offset = rtc->held - now;
	}
	rtc->ram[RTC_REG_B] = v;
}

uint8_t rtc_read(struct rtc *rtc, unsigned int reg, time_t now)
{
	reg %= RTC_NREGS;
	switch (reg) {
	case RTC_REG_A:
		return rtc->ram[reg] & ~RTC_A_UIP;
	case RTC_REG_C:
		return read_reg_c(rtc, now);
	case RTC_REG_D:
		return RTC_D_VRT;
	}
	if (is_clock(reg))
		return read_clock(rtc, reg, now);
	return rtc->ram[reg];
}

void rtc_write(struct rtc *rtc, unsigned int reg, uint8_t v, time_t now)
{
	reg %= RTC_NREGS;
	switch (reg) {
	case RTC_REG_A:
		rtc->ram[reg] = v & ~RTC_A_UIP;	/* UIP is read-only */
		return;
	case RTC_REG_B:
		write_reg_b(rtc, v, now);
		return;
	case RTC_REG_C:
	case RTC_REG_D:
		return;				/* read-only */
	}
	if (is_clock(reg))
		write_clock(rtc, reg, v, now);
	else
		rtc->ram[reg] = v;
}

/* An rtc_pio() access: the RTC, and the host time it happens at. */
struct rtc_access {
	struct rtc *rtc;
	time_t now;
};

/*
 * Port 0x70 selects a register (bit 7 masks NMI on a PC, which has no
 * meaning here); it is write-only and reads 0xff.  Port 0x71 is the
 * selected register.  One byte of an rtc_pio() access (pio_byte_fn).
 */
static bool rtc_byte(void *dev, unsigned int port, bool is_write, uint8_t *b)
{
	struct rtc_access *a = dev;

	if (port == RTC_PORT_DATA) {
		if (is_write)
			rtc_write(a->rtc, a->rtc->index, *b, a->now);
		else
			*b = rtc_read(a->rtc, a->rtc->index, a->now);
		return true;
	}
	if (port == RTC_PORT_INDEX && is_write) {
		a->rtc->index = *b & 0x7f;
		return true;
	}
	return false;
}

bool rtc_pio(struct rtc *rtc, uint16_t port, unsigned int size,
	     bool is_write, uint32_t *val, time_t now)
{
	struct rtc_access a = { rtc, now };

	if (port != RTC_PORT_INDEX && port != RTC_PORT_DATA)
		return false;
	pio_bytes(&a, rtc_byte, port, size, is_write, val);
	return true;
}
