/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal MC146818 real-time clock and CMOS RAM at ports 0x70/0x71 for
 * 'vtxctl run': the time comes from the caller (a time_t, UTC), so the
 * model reads no clock and the host unit test can drive it.
 */
#ifndef VTXCTL_RTC_H
#define VTXCTL_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define RTC_PORT_INDEX		0x70	/* bit 7: NMI mask (ignored) */
#define RTC_PORT_DATA		0x71

/* Registers (MC146818A datasheet; 0x32 is the PC/AT century byte). */
#define RTC_SECONDS		0x00
#define RTC_SECONDS_ALARM	0x01
#define RTC_MINUTES		0x02
#define RTC_MINUTES_ALARM	0x03
#define RTC_HOURS		0x04
#define RTC_HOURS_ALARM		0x05
#define RTC_DAY_OF_WEEK		0x06	/* 1-7, Sunday is 1 */
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09	/* 0-99 */
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define RTC_CENTURY		0x32
#define RTC_NREGS		128

#define RTC_A_UIP		0x80	/* update in progress: never set */
#define RTC_B_SET		0x80	/* updates stopped while set */
#define RTC_B_UIE		0x10	/* update-ended interrupt enable */
#define RTC_B_DM_BINARY		0x04	/* time in binary, else BCD */
#define RTC_B_24H		0x02	/* 24-hour, else 12-hour with PM bit */
#define RTC_C_IRQF		0x80
#define RTC_C_UF		0x10	/* update ended */
#define RTC_D_VRT		0x80	/* valid RAM and time */
#define RTC_HOUR_PM		0x80	/* 12-hour mode: the hour's bit 7 */

/* The power-on values a PC BIOS leaves (32.768 kHz, 1024 Hz; BCD, 24h). */
#define RTC_REG_A_DEFAULT	0x26
#define RTC_REG_B_DEFAULT	RTC_B_24H

struct rtc {
	uint8_t index;		/* selected register, 0-127 */
	uint8_t ram[RTC_NREGS];	/* A, B, the alarms and the CMOS RAM */
	int64_t offset;		/* guest time - host time, seconds */
	bool frozen;		/* register B SET: the time is held ... */
	int64_t held;		/* ... at this guest time */
	uint8_t reg_c;		/* interrupt flags, cleared by reading C */
	int64_t last_update;	/* guest second when C was last read */
};

/*
 * Registers A and B at their PC defaults, the rest of the RAM zero, the
 * guest's clock at the host's; now is the time of the start.
 */
void rtc_init(struct rtc *rtc, time_t now);

/*
 * One port access at host time now, in the style of the devices.c handlers
 * (absolute port; bytes of a wider access go to consecutive ports; ports
 * past the device read 0xff).  Returns false, touching nothing, if port is
 * not 0x70 or 0x71.
 *
 * Registers 0x00-0x09 and 0x32 read the guest's time: the host's time now
 * plus what the guest set by writing them (UTC, no daylight saving), in
 * BCD or binary per register B bit 2 and in 12- or 24-hour form per bit 1.
 * Register A reads back what was written with UIP clear; C holds UF (the
 * clock ticked since C was last read; IRQF too with UIE) and reading it
 * clears it; D reads VRT.  Every other register is RAM.  No interrupt is
 * raised.
 */
bool rtc_pio(struct rtc *rtc, uint16_t port, unsigned int size,
	     bool is_write, uint32_t *val, time_t now);

/* Register reg (0-127) as a guest read would see it at host time now. */
uint8_t rtc_read(struct rtc *rtc, unsigned int reg, time_t now);

/* A guest write of v to register reg (0-127) at host time now. */
void rtc_write(struct rtc *rtc, unsigned int reg, uint8_t v, time_t now);

#endif /* VTXCTL_RTC_H */
