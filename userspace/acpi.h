/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The firmware tables 'vtxctl run' gives a guest in place of a BIOS: ACPI
 * (RSDP, RSDT, XSDT, FADT, FACS, MADT and a DSDT in hand-assembled AML)
 * and an Intel MultiProcessor Specification 1.4 table, built for one
 * configuration into the BIOS area.  Pure logic, host unit-tested
 * (tests/host/unit/acpi_test.c); docs/guest-boot.md, "Firmware tables".
 */
#ifndef VTXCTL_ACPI_H
#define VTXCTL_ACPI_H

#include <stddef.h>
#include <stdint.h>

/*
 * Where the tables go: the 64 KiB BIOS area below 1 MiB, where Linux scans
 * for both the ACPI RSDP (0xE0000-0xFFFFF, 16-byte boundaries; ACPI 6.5,
 * 5.2.5.1) and the MP floating pointer (0xF0000-0xFFFFF; MP spec 1.4,
 * 4.0).  The loader reserves it (LAYOUT_FIRMWARE) and the bzImage e820 map
 * already marks it reserved, as a PC's BIOS ROM.
 */
#define FW_BASE		0xf0000ULL
#define FW_SIZE		0x10000ULL
#define FW_RSDP_ADDR	FW_BASE		/* the RSDP is the region's first */

/* The local APIC version register the MP table reports (integrated). */
#define FW_LAPIC_VERSION	0x14
#define FW_IOAPIC_VERSION	0x20

/*
 * xAPIC IDs are 0 .. 254 (0xFF is the broadcast ID), and the default I/O
 * APIC ID (fw_config_default()) is one that no CPU has.
 */
#define FW_MAX_CPUS	254

struct fw_config {
	unsigned int ncpus;	/* vCPUs, APIC ID = ACPI UID = index */
	uint32_t lapic_addr;	/* local APICs' MMIO base */
	uint32_t ioapic_addr;	/* the I/O APIC's MMIO base, GSI base 0 */
	uint8_t ioapic_id;	/* as its ID register reads; not 0xFF */
	uint16_t pm1a_evt_port;	/* PM1a status (2 bytes), enable (2) */
	uint16_t pm1a_cnt_port;	/* PM1a control (2 bytes) */
	uint16_t pm_tmr_port;	/* PM timer (4 bytes), 0 = none */
	uint8_t sci_irq;	/* ISA IRQ = GSI of the SCI */
};

/*
 * The configuration of vtxctl's PC with ncpus vCPUs: the APICs where
 * uapi/vtxhv.h puts them, the I/O APIC's ID ncpus (after the CPUs', as
 * SeaBIOS numbers it: the MP spec wants APIC IDs unique, though Linux
 * and QEMU live with an I/O APIC ID 0 beside CPU 0's), the PM device's
 * ports (devices.h), SCI on IRQ 9.
 */
void fw_config_default(struct fw_config *c, unsigned int ncpus);

/*
 * The bytes the tables for c take from FW_BASE, or -1 if c is invalid (no
 * CPU or more than FW_MAX_CPUS, an I/O APIC ID of 0xFF, no PM1
 * ports, an SCI that is not ISA IRQ 1 or 3-15).
 */
long fw_size(const struct fw_config *c);

/*
 * Build every table into mem, which is guest RAM from FW_BASE on, room
 * bytes of it (FW_SIZE in a load); table addresses are guest-physical,
 * from FW_BASE.  mem is zeroed first.  Returns fw_size(c), or -1 if c is
 * invalid or the tables do not fit in room (mem is then untouched).
 */
long fw_build(const struct fw_config *c, uint8_t *mem, size_t room);

/* ---- Inside the firmware: what acpi.c and mptable.c share -------------- */

/* Byte writers: the tables are little endian, mem is unaligned. */
static inline void fw_put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static inline void fw_put32(uint8_t *p, uint32_t v)
{
	fw_put16(p, v);
	fw_put16(p + 2, v >> 16);
}

static inline void fw_put64(uint8_t *p, uint64_t v)
{
	fw_put32(p, v);
	fw_put32(p + 4, v >> 32);
}

/* The byte that makes the n bytes at p sum to zero (mod 256). */
uint8_t fw_checksum(const uint8_t *p, size_t n);

/* mptable.c: bytes the MP configuration table needs for c. */
size_t mptable_config_size(const struct fw_config *c);

/*
 * The floating pointer at fp (16 bytes), pointing at the configuration
 * table, which goes at cfg (mptable_config_size() bytes) and is at guest
 * address cfg_addr.
 */
void mptable_build(const struct fw_config *c, uint8_t *fp, uint8_t *cfg,
		   uint32_t cfg_addr);

#endif /* VTXCTL_ACPI_H */
