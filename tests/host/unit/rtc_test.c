// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the CMOS RTC of 'vtxctl run' (userspace/rtc.c) through
 * ports 0x70/0x71 at chosen times: BCD and binary, 12- and 24-hour forms,
 * century, register C, setting the clock, CMOS RAM.  TAP 13 output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtxhv_test.h"

#include "rtc.h"

/* 2024-02-29 13:45:07 UTC, a Thursday (RTC weekday 5). */
#define T_LEAP		1709214307
/* 1999-12-31 23:59:59 UTC, a Friday. */
#define T_Y2K		946684799
/* 2024-02-29 00:05:00 and 12:00:00 UTC. */
#define T_MIDNIGHT	1709165100
#define T_NOON		1709208000
/* 2038-01-19 03:14:08 UTC, a Tuesday: past 32-bit time_t. */
#define T_2038		2147483648LL

static struct rtc rtc;

/* CMOS_READ/CMOS_WRITE: index to 0x70, data through 0x71. */
static uint8_t cmos_read(uint8_t reg, time_t now)
{
	uint32_t v = reg;

	rtc_pio(&rtc, RTC_PORT_INDEX, 1, true, &v, now);
	v = 0xdeadbeef;
	rtc_pio(&rtc, RTC_PORT_DATA, 1, false, &v, now);
	return v;
}

static void cmos_write(uint8_t val, uint8_t reg, time_t now)
{
	uint32_t v = reg;

	rtc_pio(&rtc, RTC_PORT_INDEX, 1, true, &v, now);
	v = val;
	rtc_pio(&rtc, RTC_PORT_DATA, 1, true, &v, now);
}

/*
 * The whole date and time as the guest reads it at @t, in the order of
 * clock_regs[]: seconds, minutes, hours, weekday, day, month, year and
 * century.
 */
static const uint8_t clock_regs[] = {
	RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_DAY_OF_WEEK,
	RTC_DAY_OF_MONTH, RTC_MONTH, RTC_YEAR, RTC_CENTURY,
};

static bool clock_reads(time_t t, const uint8_t want[sizeof(clock_regs)])
{
	unsigned int i;
	uint8_t got;

	for (i = 0; i < sizeof(clock_regs); i++) {
		got = cmos_read(clock_regs[i], t);
		if (got != want[i]) {
			printf("# CMOS register %#x at %lld is %#x, expected %#x\n",
			       clock_regs[i], (long long)t, got, want[i]);
			return false;
		}
	}
	return true;
}

#define CLOCK(...)	((const uint8_t[]){ __VA_ARGS__ })

/* The PC BIOS default: BCD, 24-hour. */
static bool bcd_24h(void)
{
	CHECK_EQ(cmos_read(RTC_REG_B, T_LEAP), RTC_B_24H);
	CHECK(clock_reads(T_LEAP,
			  CLOCK(0x07, 0x45, 0x13, 5, 0x29, 0x02, 0x24, 0x20)));
	/* the clock runs with the time passed in */
	CHECK_EQ(cmos_read(RTC_SECONDS, T_LEAP + 61), 0x08);
	CHECK_EQ(cmos_read(RTC_MINUTES, T_LEAP + 61), 0x46);
	CHECK_EQ(cmos_read(RTC_DAY_OF_MONTH, T_LEAP + 11 * 3600), 0x01);
	CHECK_EQ(cmos_read(RTC_MONTH, T_LEAP + 11 * 3600), 0x03);
	CHECK_EQ(cmos_read(RTC_DAY_OF_WEEK, T_LEAP + 11 * 3600), 6);
	return true;
}

static bool binary_24h(void)
{
	cmos_write(RTC_B_24H | RTC_B_DM_BINARY, RTC_REG_B, T_LEAP);
	CHECK(clock_reads(T_LEAP, CLOCK(7, 45, 13, 5, 29, 2, 24, 20)));
	CHECK_EQ(cmos_read(RTC_YEAR, (time_t)T_2038), 38);
	CHECK_EQ(cmos_read(RTC_HOURS, (time_t)T_2038), 3);
	CHECK_EQ(cmos_read(RTC_DAY_OF_WEEK, (time_t)T_2038), 3);
	return true;
}

/* 12-hour mode: 1-12, bit 7 set from noon on. */
static bool twelve_hour(void)
{
	cmos_write(0, RTC_REG_B, T_LEAP);			/* BCD, 12h */
	CHECK_EQ(cmos_read(RTC_HOURS, T_LEAP), 0x81);		/* 1 PM */
	CHECK_EQ(cmos_read(RTC_HOURS, T_MIDNIGHT), 0x12);	/* 12 AM */
	CHECK_EQ(cmos_read(RTC_HOURS, T_NOON), 0x92);		/* 12 PM */
	CHECK_EQ(cmos_read(RTC_HOURS, T_NOON - 3600), 0x11);	/* 11 AM */
	CHECK_EQ(cmos_read(RTC_HOURS, T_MIDNIGHT + 23 * 3600), 0x91);
	cmos_write(RTC_B_DM_BINARY, RTC_REG_B, T_LEAP);	/* binary, 12h */
	CHECK_EQ(cmos_read(RTC_HOURS, T_LEAP), 0x81);
	CHECK_EQ(cmos_read(RTC_HOURS, T_MIDNIGHT + 23 * 3600), 0x8b);
	CHECK_EQ(cmos_read(RTC_HOURS, T_MIDNIGHT), 12);
	return true;
}

static bool century(void)
{
	/* Friday 1999-12-31 23:59:59, then Saturday 2000-01-01 */
	CHECK(clock_reads(T_Y2K,
			  CLOCK(0x59, 0x59, 0x23, 6, 0x31, 0x12, 0x99, 0x19)));
	CHECK(clock_reads(T_Y2K + 1,
			  CLOCK(0x00, 0x00, 0x00, 7, 0x01, 0x01, 0x00, 0x20)));
	return true;
}

/* Register C: UF once the clock has ticked; reading clears it. */
static bool register_c_clears(void)
{
	CHECK_EQ(cmos_read(RTC_REG_C, T_LEAP), 0);	/* the init's second */
	CHECK_EQ(cmos_read(RTC_REG_C, T_LEAP + 1), RTC_C_UF);
	CHECK_EQ(cmos_read(RTC_REG_C, T_LEAP + 1), 0);
	CHECK_EQ(cmos_read(RTC_REG_C, T_LEAP + 5), RTC_C_UF);
	/* with the update interrupt enabled, IRQF is set too */
	cmos_write(RTC_B_24H | RTC_B_UIE, RTC_REG_B, T_LEAP + 5);
	CHECK_EQ(cmos_read(RTC_REG_C, T_LEAP + 6), RTC_C_IRQF | RTC_C_UF);
	CHECK_EQ(cmos_read(RTC_REG_C, T_LEAP + 6), 0);
	/* C is read-only */
	cmos_write(0xff, RTC_REG_C, T_LEAP + 6);
	CHECK_EQ(cmos_read(RTC_REG_C, T_LEAP + 6), 0);
	return true;
}

static bool registers_a_and_d(void)
{
	CHECK_EQ(cmos_read(RTC_REG_A, T_LEAP), RTC_REG_A_DEFAULT);
	cmos_write(0xa6, RTC_REG_A, T_LEAP);	/* UIP is read-only */
	CHECK_EQ(cmos_read(RTC_REG_A, T_LEAP), 0x26);
	cmos_write(0x2f, RTC_REG_A, T_LEAP);	/* rate select kept */
	CHECK_EQ(cmos_read(RTC_REG_A, T_LEAP), 0x2f);
	CHECK_EQ(cmos_read(RTC_REG_D, T_LEAP), RTC_D_VRT);
	cmos_write(0, RTC_REG_D, T_LEAP);
	CHECK_EQ(cmos_read(RTC_REG_D, T_LEAP), RTC_D_VRT);
	return true;
}

/* As Linux's mc146818_set_time(): SET, write the fields, clear SET. */
static bool setting_the_clock(void)
{
	time_t now = T_LEAP;

	cmos_write(RTC_B_24H | RTC_B_SET, RTC_REG_B, now);
	cmos_write(0x23, RTC_YEAR, now);
	cmos_write(0x07, RTC_MONTH, now);
	cmos_write(0x04, RTC_DAY_OF_MONTH, now);
	cmos_write(0x09, RTC_HOURS, now);
	cmos_write(0x08, RTC_MINUTES, now);
	cmos_write(0x07, RTC_SECONDS, now);
	/* held while SET is on */
	CHECK_EQ(cmos_read(RTC_SECONDS, now + 100), 0x07);
	CHECK_EQ(cmos_read(RTC_REG_C, now + 100), 0);
	cmos_write(RTC_B_24H, RTC_REG_B, now + 100);
	/* then runs from there: 2023-07-04 09:08:07, a Tuesday */
	CHECK_EQ(cmos_read(RTC_SECONDS, now + 103), 0x10);
	CHECK_EQ(cmos_read(RTC_MINUTES, now + 103), 0x08);
	CHECK_EQ(cmos_read(RTC_HOURS, now + 103), 0x09);
	CHECK_EQ(cmos_read(RTC_DAY_OF_MONTH, now + 103), 0x04);
	CHECK_EQ(cmos_read(RTC_MONTH, now + 103), 0x07);
	CHECK_EQ(cmos_read(RTC_YEAR, now + 103), 0x23);
	CHECK_EQ(cmos_read(RTC_DAY_OF_WEEK, now + 103), 3);
	CHECK_EQ(rtc.offset, 1688461687LL - (T_LEAP + 100));

	/* a write without SET takes effect too; in 12-hour BCD form */
	cmos_write(0x00, RTC_REG_B, now + 200);
	cmos_write(0x85, RTC_HOURS, now + 200);		/* 5 PM */
	cmos_write(RTC_B_24H, RTC_REG_B, now + 200);
	CHECK_EQ(cmos_read(RTC_HOURS, now + 200), 0x17);
	/* the century register sets the century */
	cmos_write(0x21, RTC_CENTURY, now + 200);
	CHECK_EQ(cmos_read(RTC_YEAR, now + 200), 0x23);
	CHECK_EQ(cmos_read(RTC_CENTURY, now + 200), 0x21);
	/* the weekday follows the date; writes to it are ignored */
	cmos_write(0x04, RTC_DAY_OF_WEEK, now + 200);
	CHECK_EQ(cmos_read(RTC_DAY_OF_WEEK, now + 200), 1);	/* a Sunday */
	return true;
}

/* Everything else is RAM; the index ignores the NMI mask bit. */
static bool cmos_ram(void)
{
	uint32_t v;
	unsigned int r;

	for (r = 0x0e; r < RTC_NREGS; r++)
		if (r != RTC_CENTURY)
			cmos_write(r ^ 0x5a, r, T_LEAP);
	for (r = 0x0e; r < RTC_NREGS; r++)
		if (r != RTC_CENTURY)
			CHECK_EQ(cmos_read(r, T_LEAP), r ^ 0x5a);
	/* the alarm registers are plain storage */
	cmos_write(0x30, RTC_SECONDS_ALARM, T_LEAP);
	cmos_write(0xc0, RTC_MINUTES_ALARM, T_LEAP);
	cmos_write(0x12, RTC_HOURS_ALARM, T_LEAP);
	CHECK_EQ(cmos_read(RTC_SECONDS_ALARM, T_LEAP), 0x30);
	CHECK_EQ(cmos_read(RTC_MINUTES_ALARM, T_LEAP), 0xc0);
	CHECK_EQ(cmos_read(RTC_HOURS_ALARM, T_LEAP), 0x12);
	/* NMI mask in bit 7 of the index: 0x8f selects 0x0f */
	CHECK_EQ(cmos_read(0x8f, T_LEAP), 0x0f ^ 0x5a);
	CHECK_EQ(cmos_read(0x80 | RTC_SECONDS, T_LEAP), 0x07);
	/* port 0x70 is write-only; a word read covers 0x70 and 0x71 */
	v = RTC_HOURS;
	rtc_pio(&rtc, RTC_PORT_INDEX, 1, true, &v, T_LEAP);
	CHECK(rtc_pio(&rtc, RTC_PORT_INDEX, 2, false, &v, T_LEAP));
	CHECK_EQ(v, 0x13ff);
	CHECK(rtc_pio(&rtc, RTC_PORT_DATA, 2, false, &v, T_LEAP));
	CHECK_EQ(v, 0xff13);
	CHECK(!rtc_pio(&rtc, 0x72, 1, false, &v, T_LEAP));
	CHECK(!rtc_pio(&rtc, 0x6f, 1, true, &v, T_LEAP));
	CHECK_EQ(v, 0xff13);
	return true;
}

static const struct test_case tests[] = {
	TEST(bcd_24h),
	TEST(binary_24h),
	TEST(twelve_hour),
	TEST(century),
	TEST(register_c_clears),
	TEST(registers_a_and_d),
	TEST(setting_the_clock),
	TEST(cmos_ram),
};

static void setup(void)
{
	rtc_init(&rtc, T_LEAP);
}

int main(void)
{
	return run_test_cases(tests, NTESTS(tests), setup);
}
