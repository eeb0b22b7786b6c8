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

#include <stdbool.h>
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

/*
 * The ACPI multiprocessor wake-up mailbox (ACPI 6.4, 5.2.12.19), with
 * fw_config.mp_wakeup: the MADT gets a wake-up structure pointing at
 * FW_MAILBOX, and the BIOS area's upper half (reserved in the e820 map)
 * holds what the APs run until the OS wakes them (fw_write_mp_wakeup()):
 *
 *   FW_MAILBOX    the mailbox: Command (u16, 1 = wake up), ApicId (u32 at
 *                 4), WakeupVector (u64 at 8), 2032 bytes for the OS;
 *                 then the firmware's 2048 bytes, which hold
 *   FW_AP_LOOP      the loop every AP runs, in long mode
 *   FW_AP_GDT       the APs' GDT (x86_write_boot_gdt(), 64-bit code)
 *   FW_AP_TABLES  4-level tables identity-mapping the low 4 GiB with 2 MiB
 *                 pages: the PML4, the PDPT, 4 page directories
 *
 * The tables of fw_build() then fit below FW_MAILBOX.
 */
#define FW_MAILBOX		(FW_BASE + 0x8000)
#define FW_AP_LOOP		(FW_MAILBOX + 0x800)
#define FW_AP_GDT		(FW_MAILBOX + 0xc00)
#define FW_AP_TABLES		(FW_MAILBOX + 0x1000)
#define FW_AP_MAP		0x100000000ULL	/* what they map: 4 GiB */
#define FW_AP_TABLES_SIZE	(6 * 0x1000ULL)
#define FW_MAILBOX_WAKEUP	1		/* Command */

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
	bool mp_wakeup;		/* APs wait in the wake-up mailbox (above) */
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
 * ports, an SCI that is not ISA IRQ 1 or 3-15).  With c->mp_wakeup they
 * end below FW_MAILBOX.
 */
long fw_size(const struct fw_config *c);

/*
 * Build every table into mem, which is guest RAM from FW_BASE on, room
 * bytes of it (FW_SIZE in a load); table addresses are guest-physical,
 * from FW_BASE.  mem is zeroed first.  Returns fw_size(c), or -1 if c is
 * invalid or the tables do not fit in room (mem is then untouched).
 */
long fw_build(const struct fw_config *c, uint8_t *mem, size_t room);

/*
 * mp_wakeup.c: with c->mp_wakeup, after fw_build(), the mailbox (zero: no
 * request), the APs' loop, GDT and page tables, into guest RAM @ram from
 * address 0 (at least 1 MiB of it).  The registers each AP starts with
 * are boot_regs.c's mp_wakeup_regs().
 */
void fw_write_mp_wakeup(uint8_t *ram);

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
