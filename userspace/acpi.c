// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI tables of 'vtxctl run' and fw_build(), which lays out every
 * firmware table in the BIOS area (the MP table's own are in mptable.c).
 * Written from the ACPI Specification 6.5 (sections cited); where the
 * specification leaves a choice, QEMU's tables, which Linux is tested
 * against daily, decided it.
 *
 * The region at FW_BASE, each table on a 16-byte boundary:
 *
 *   +0x00  RSDP (36 bytes): revision 2, RSDT and XSDT addresses
 *   +0x30  MP floating pointer (16 bytes, mptable.c)
 *   +0x40  FACS (64 bytes, 64-byte aligned as 5.2.10 asks)
 *   +0x80  DSDT, FADT, MADT, RSDT, XSDT, MP configuration table
 */
#include <string.h>

#include "vtxhv.h"
#include "acpi.h"
#include "devices.h"

#define OEM_ID		"VTXHV "	/* 6 bytes */
#define OEM_TABLE_ID	"VTXHVPC "	/* 8 bytes */
#define CREATOR_ID	"VTXH"
#define OEM_REVISION	1
#define CREATOR_REV	1

/* System description table header (5.2.6): 36 bytes. */
#define SDT_HDR		36
#define SDT_LENGTH	4
#define SDT_CHECKSUM	9

#define RSDP_SIZE	36
#define RSDP_V1_SIZE	20	/* what the first checksum covers */
#define FACS_SIZE	64
#define FADT_SIZE	268	/* revision 5 (ACPI 5.0) */
#define FADT_REVISION	5
#define MADT_REVISION	3	/* ACPI 5.0 */
#define MADT_REVISION_MP_WAKEUP	5	/* ACPI 6.4: the wake-up structure */
#define DSDT_REVISION	2	/* 2: AML integers are 64 bits */

/* FADT fields (5.2.9, Table 5.9), by offset. */
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_SMI_CMD		48
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM_TMR_BLK		76
#define FADT_PM1_EVT_LEN	88
#define FADT_PM1_CNT_LEN	89
#define FADT_PM_TMR_LEN		91
#define FADT_P_LVL2_LAT		96
#define FADT_P_LVL3_LAT		98
#define FADT_CENTURY		108
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_X_FIRMWARE_CTRL	132
#define FADT_X_DSDT		140
#define FADT_X_PM1A_EVT_BLK	148
#define FADT_X_PM1A_CNT_BLK	172
#define FADT_X_PM_TMR_BLK	208

/* FADT flags (Table 5.10). */
#define FADT_WBINVD		(1U << 0)
#define FADT_PROC_C1		(1U << 2)
#define FADT_PWR_BUTTON		(1U << 4)	/* none as a fixed feature */
#define FADT_SLP_BUTTON		(1U << 5)
#define FADT_FIX_RTC		(1U << 6)	/* no RTC_STS in PM1 */
#define FADT_RESET_REG_SUP	(1U << 10)

/* IA-PC boot architecture flags (Table 5.11). */
#define BOOT_LEGACY_DEVICES	(1U << 0)
#define BOOT_8042		(1U << 1)
#define BOOT_NO_VGA		(1U << 2)
#define BOOT_MSI_NOT_SUPPORTED	(1U << 3)

/* Generic Address Structure (5.2.3.2): 12 bytes. */
#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_ANY		0	/* "undefined": as QEMU */
#define GAS_ACCESS_BYTE		1

/* MADT (5.2.12). */
#define MADT_LAPIC_ADDR		36
#define MADT_FLAGS		40
#define MADT_ENTRIES		44
#define MADT_PCAT_COMPAT	(1U << 0)	/* 8259As present */
#define MADT_TYPE_LAPIC		0
#define MADT_TYPE_IOAPIC	1
#define MADT_TYPE_ISO		2
#define MADT_TYPE_LAPIC_NMI	4
#define MADT_TYPE_MP_WAKEUP	0x10
#define MADT_LAPIC_LEN		8
#define MADT_IOAPIC_LEN		12
#define MADT_ISO_LEN		10
#define MADT_LAPIC_NMI_LEN	6
#define MADT_MP_WAKEUP_LEN	16
#define MADT_LAPIC_ENABLED	(1U << 0)
#define MADT_ALL_PROCESSORS	0xff
/* MPS INTI flags (Table 5.26): polarity bits 1:0, trigger mode 3:2. */
#define INTI_HIGH		0x1
#define INTI_LOW		0x3
#define INTI_EDGE		(0x1 << 2)
#define INTI_LEVEL		(0x3 << 2)

/* The 8042's reset command, also ACPI's reset register (devices.h). */
#define RESET_PORT		DEV_KBC_CMD
#define RESET_VALUE		DEV_KBC_RESET

/* The ISA IRQ of the 8254, which PCs wire to I/O APIC pin 2. */
#define ISA_TIMER_IRQ		0
#define TIMER_GSI		2

/* Where each table goes, as offsets from FW_BASE. */
struct fw_layout {
	size_t rsdp, mpfp, facs, dsdt, fadt, madt, rsdt, xsdt, mpc, end;
};

uint8_t fw_checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum += *p++;
	return -sum;
}

void fw_config_default(struct fw_config *c, unsigned int ncpus)
{
	memset(c, 0, sizeof(*c));
	c->ncpus = ncpus;
	c->lapic_addr = DEV_APIC_BASE;
	c->ioapic_addr = VTXHV_IOAPIC_BASE;
	c->ioapic_id = ncpus;
	c->pm1a_evt_port = DEV_PM1A_EVT;
	c->pm1a_cnt_port = DEV_PM1A_CNT;
	c->pm_tmr_port = DEV_PM_TMR;
	c->sci_irq = DEV_SCI_IRQ;
}

/* ---- Helpers ------------------------------------------------------------ */

static void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	fw_put32(t + SDT_LENGTH, len);
	t[8] = rev;
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	fw_put32(t + 24, OEM_REVISION);
	memcpy(t + 28, CREATOR_ID, 4);
	fw_put32(t + 32, CREATOR_REV);
}

/* The checksum of a table whose header holds its length: last. */
static void sdt_finish(uint8_t *t)
{
	uint32_t len = t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;

	t[SDT_CHECKSUM] = 0;
	t[SDT_CHECKSUM] = fw_checksum(t, len);
}

static void gas(uint8_t *p, uint8_t bit_width, uint8_t access, uint64_t addr)
{
	p[0] = GAS_SYSTEM_IO;
	p[1] = bit_width;
	p[2] = 0;			/* bit offset */
	p[3] = access;
	fw_put64(p + 4, addr);
}

/* ---- DSDT: hand-assembled AML (ACPI 6.5, chapter 20) ------------------- */

#define AML_ZERO	0x00
#define AML_ONE		0x01
#define AML_NAME	0x08
#define AML_BYTE	0x0a
#define AML_WORD	0x0b
#define AML_DWORD	0x0c
#define AML_SCOPE	0x10
#define AML_BUFFER	0x11
#define AML_PACKAGE	0x12
#define AML_EXT		0x5b	/* ExtOpPrefix */
#define AML_DEVICE	0x82	/* after AML_EXT */
#define AML_ROOT	0x5c	/* '\' */

#define AML_MAX		256	/* the DSDT's body is far smaller */

struct aml {
	uint8_t b[AML_MAX];
	size_t n;
};

static void aml_byte(struct aml *a, uint8_t v)
{
	if (a->n < AML_MAX)
		a->b[a->n] = v;
	a->n++;
}

static void aml_bytes(struct aml *a, const void *p, size_t len)
{
	const uint8_t *s = p;

	while (len--)
		aml_byte(a, *s++);
}

/* An integer in its shortest encoding (20.2.3, ComputationalData). */
static void aml_int(struct aml *a, uint32_t v)
{
	if (v <= 1) {
		aml_byte(a, v ? AML_ONE : AML_ZERO);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE);
		aml_byte(a, v);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD);
		aml_bytes(a, (uint8_t[]){ v, v >> 8 }, 2);
	} else {
		aml_byte(a, AML_DWORD);
		aml_bytes(a, (uint8_t[]){ v, v >> 8, v >> 16, v >> 24 }, 4);
	}
}

/*
 * PkgLength (20.2.4): the length of what follows the opcode, the PkgLength
 * itself included.  aml_pkg_begin() leaves one byte; aml_pkg_end() fills
 * it in, making it two when the contents need (up to 4095 bytes).
 */
static size_t aml_pkg_begin(struct aml *a)
{
	aml_byte(a, 0);
	return a->n - 1;
}

static void aml_pkg_end(struct aml *a, size_t at)
{
	size_t len = a->n - at;

	if (a->n > AML_MAX)
		return;		/* fw_build() refuses it */
	if (len <= 0x3f) {
		a->b[at] = len;
		return;
	}
	aml_byte(a, 0);
	memmove(a->b + at + 2, a->b + at + 1, a->n - at - 2);
	len++;
	a->b[at] = 0x40 | (len & 0xf);	/* bits 7:6 = 1 byte follows */
	a->b[at + 1] = len >> 4;
}

/* Name(seg, ...): the value follows. */
static void aml_name(struct aml *a, const char *seg)
{
	aml_byte(a, AML_NAME);
	aml_bytes(a, seg, 4);
}

/*
 * EISAID("PNP0A03"): three letters in 5 bits each, then four hex digits,
 * stored big-endian (19.6.35).
 */
static uint32_t eisa_id(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	uint16_t vendor = (s[0] - '@') << 10 | (s[1] - '@') << 5 | (s[2] - '@');
	uint16_t product = 0;
	unsigned int i;

	for (i = 3; i < 7; i++)
		product = product << 4 | (strchr(hex, s[i]) - hex);
	return (vendor >> 8) | (vendor & 0xff) << 8 |
	       (uint32_t)(product >> 8) << 16 | (uint32_t)(product & 0xff) << 24;
}

/*
 * The DSDT's body:
 *
 *   Name (_S5, Package () { PM1_SLP_TYP_S5, PM1_SLP_TYP_S5, 0, 0 })
 *   Scope (\_SB) {
 *       Device (PCI0) {
 *           Name (_HID, EisaId ("PNP0A03"))
 *           Name (_UID, 0)
 *           Name (_CRS, ResourceTemplate () {
 *               WordBusNumber (ResourceProducer, MinFixed, MaxFixed,
 *                              PosDecode, 0, 0, 0xFF, 0, 0x100)
 *           })
 *       }
 *   }
 *
 * \_S5 is what Linux's poweroff needs (16.1.5: PM1a and PM1b SLP_TYP, two
 * reserved).  PCI0 is the host bridge at 00:00.0 (pci.c): without a
 * PNP0A03 device Linux under ACPI scans no PCI bus; its _CRS gives the bus
 * range, which Linux otherwise calls a firmware bug, and no I/O or memory
 * window, there being no device with a BAR behind it.
 */
static void build_dsdt_body(struct aml *a)
{
	static const uint8_t bus_range[] = {
		0x88, 13, 0,		/* Word Address Space (6.4.3.5.3) */
		2,			/* resource type: bus number range */
		0x0c,			/* MinFixed, MaxFixed, producer */
		0,			/* type-specific flags */
		0, 0,			/* granularity */
		0, 0,			/* minimum: bus 0 */
		0xff, 0,		/* maximum: bus 255 */
		0, 0,			/* translation offset */
		0x00, 0x01,		/* length: 256 buses */
		0x79, 0,		/* End Tag, checksum 0 = none */
	};
	size_t pkg, scope, dev, buf;

	aml_name(a, "_S5_");
	aml_byte(a, AML_PACKAGE);
	pkg = aml_pkg_begin(a);
	aml_byte(a, 4);				/* NumElements */
	aml_int(a, PM1_SLP_TYP_S5);
	aml_int(a, PM1_SLP_TYP_S5);
	aml_int(a, 0);
	aml_int(a, 0);
	aml_pkg_end(a, pkg);

	aml_byte(a, AML_SCOPE);
	scope = aml_pkg_begin(a);
	aml_byte(a, AML_ROOT);
	aml_bytes(a, "_SB_", 4);
	aml_byte(a, AML_EXT);
	aml_byte(a, AML_DEVICE);
	dev = aml_pkg_begin(a);
	aml_bytes(a, "PCI0", 4);
	aml_name(a, "_HID");
	aml_int(a, eisa_id("PNP0A03"));		/* a DWordConst */
	aml_name(a, "_UID");
	aml_int(a, 0);
	aml_name(a, "_CRS");
	aml_byte(a, AML_BUFFER);
	buf = aml_pkg_begin(a);
	aml_int(a, sizeof(bus_range));		/* BufferSize */
	aml_bytes(a, bus_range, sizeof(bus_range));
	aml_pkg_end(a, buf);
	aml_pkg_end(a, dev);
	aml_pkg_end(a, scope);
}

/* ---- The tables --------------------------------------------------------- */

/* RSDP (5.2.5.3): revision 2, both checksums. */
static void build_rsdp(uint8_t *p, const struct fw_layout *l)
{
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, OEM_ID, 6);
	p[15] = 2;				/* ACPI 2.0 and later */
	fw_put32(p + 16, FW_BASE + l->rsdt);
	fw_put32(p + 20, RSDP_SIZE);
	fw_put64(p + 24, FW_BASE + l->xsdt);
	p[8] = fw_checksum(p, RSDP_V1_SIZE);
	p[32] = fw_checksum(p, RSDP_SIZE);
}

/*
 * FACS (5.2.10): required when the hardware is not reduced; no one ever
 * wakes from S3 here, so it holds no waking vector, and no global lock is
 * taken by AML we do not ship.  No checksum.
 */
static void build_facs(uint8_t *p)
{
	memcpy(p, "FACS", 4);
	fw_put32(p + 4, FACS_SIZE);
	p[32] = 2;				/* version (ACPI 4.0 and later) */
}

/*
 * FADT (5.2.9), revision 5, for a PC that is not hardware-reduced:
 * - SMI_CMD = 0: the machine is always in ACPI mode, and PM1a_CNT.SCI_EN
 *   reads 1 (16.3), so OSPM never tries the ACPI_ENABLE handshake.
 * - PM1a event block 4 bytes (status, enable), control block 2 bytes, PM
 *   timer 4 bytes (24 bits: TMR_VAL_EXT clear) when there is one; no PM1b,
 *   PM2 or GPE blocks.  Both the 32-bit and the X_ (GAS) fields hold them,
 *   with equal values, which ACPICA checks.
 * - P_LVL2_LAT, P_LVL3_LAT above 100 and 1000 us: no C2 or C3 (as QEMU).
 * - Flags: WBINVD works, C1 (HLT) on every CPU, no fixed power or sleep
 *   button, no RTC wake status, and a reset register: the 8042's reset
 *   command (0xFE to port 0x64, devices.c), so that Linux's ACPI reboot,
 *   its first choice, ends the run as its keyboard-controller reboot does.
 * - IAPC_BOOT_ARCH: legacy ISA devices (UART, PIC, PIT, RTC at their
 *   ports), an 8042 (vtxctl answers ports 0x60/0x64, whose status tells
 *   Linux's i8042 driver at once there is no keyboard), no VGA, no MSI;
 *   the CMOS RTC is there (no NO_CMOS_RTC), with its century at 0x32.
 */
static void build_fadt(uint8_t *t, const struct fw_config *c,
		       const struct fw_layout *l)
{
	sdt_header(t, "FACP", FADT_SIZE, FADT_REVISION);
	fw_put32(t + FADT_FIRMWARE_CTRL, FW_BASE + l->facs);
	fw_put32(t + FADT_DSDT, FW_BASE + l->dsdt);
	fw_put16(t + FADT_SCI_INT, c->sci_irq);
	fw_put32(t + FADT_SMI_CMD, 0);
	fw_put32(t + FADT_PM1A_EVT_BLK, c->pm1a_evt_port);
	fw_put32(t + FADT_PM1A_CNT_BLK, c->pm1a_cnt_port);
	fw_put32(t + FADT_PM_TMR_BLK, c->pm_tmr_port);
	t[FADT_PM1_EVT_LEN] = 4;
	t[FADT_PM1_CNT_LEN] = 2;
	t[FADT_PM_TMR_LEN] = c->pm_tmr_port ? 4 : 0;
	fw_put16(t + FADT_P_LVL2_LAT, 0xfff);
	fw_put16(t + FADT_P_LVL3_LAT, 0xfff);
	t[FADT_CENTURY] = RTC_CENTURY;
	fw_put16(t + FADT_IAPC_BOOT_ARCH, BOOT_LEGACY_DEVICES | BOOT_8042 |
		 BOOT_NO_VGA | BOOT_MSI_NOT_SUPPORTED);
	fw_put32(t + FADT_FLAGS, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON |
		 FADT_SLP_BUTTON | FADT_FIX_RTC | FADT_RESET_REG_SUP);
	gas(t + FADT_RESET_REG, 8, GAS_ACCESS_BYTE, RESET_PORT);
	t[FADT_RESET_VALUE] = RESET_VALUE;
	fw_put64(t + FADT_X_FIRMWARE_CTRL, FW_BASE + l->facs);
	fw_put64(t + FADT_X_DSDT, FW_BASE + l->dsdt);
	gas(t + FADT_X_PM1A_EVT_BLK, 32, GAS_ACCESS_ANY, c->pm1a_evt_port);
	gas(t + FADT_X_PM1A_CNT_BLK, 16, GAS_ACCESS_ANY, c->pm1a_cnt_port);
	if (c->pm_tmr_port)
		gas(t + FADT_X_PM_TMR_BLK, 32, GAS_ACCESS_ANY, c->pm_tmr_port);
	sdt_finish(t);
}

static size_t madt_size(const struct fw_config *c)
{
	return MADT_ENTRIES + c->ncpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN +
	       2 * MADT_ISO_LEN + MADT_LAPIC_NMI_LEN +
	       (c->mp_wakeup ? MADT_MP_WAKEUP_LEN : 0);
}

static uint8_t *madt_iso(uint8_t *e, uint8_t irq, uint32_t gsi,
			 uint16_t flags)
{
	e[0] = MADT_TYPE_ISO;
	e[1] = MADT_ISO_LEN;
	e[2] = 0;				/* bus: ISA */
	e[3] = irq;
	fw_put32(e + 4, gsi);
	fw_put16(e + 8, flags);
	return e + MADT_ISO_LEN;
}

/*
 * MADT (5.2.12): the local APICs (ACPI processor UID = APIC ID = vCPU
 * index, all enabled), the I/O APIC with GSIs from 0, the 8259As present
 * (PCAT_COMPAT), and, as on every PC:
 * - ISA IRQ 0 -> GSI 2, edge, active high: the 8254 is on I/O APIC pin 2
 *   (pin 0 would be the 8259A's INTR); other ISA IRQs are identity-mapped.
 * - The SCI, ISA IRQ sci_irq -> the same GSI, level-triggered (as 5.2.9
 *   requires of the SCI), active high.  Active high because
 *   VTXHV_IRQ_LINE's level 1 is a raised, i.e. high, pin, so an asserted
 *   SCI is a 1 with no inversion anywhere, and because it is what QEMU
 *   tells Linux for its SCI on IRQ 9.  Without this entry Linux would
 *   take the SCI as level, active low (its default for the SCI) and, were
 *   the pin modelled literally, see an idle low line as asserted.
 * - Local APIC NMI on LINT1 of every processor, edge, active high.
 * - With c->mp_wakeup, the multiprocessor wake-up structure (5.2.12.19,
 *   mailbox version 0) with the mailbox at FW_MAILBOX (acpi.h): Linux
 *   (5.16 and later) then wakes each AP through it, never by INIT/SIPI.
 */
static void build_madt(uint8_t *t, const struct fw_config *c)
{
	uint8_t *e = t + MADT_ENTRIES;
	unsigned int i;

	sdt_header(t, "APIC", madt_size(c), c->mp_wakeup ?
		   MADT_REVISION_MP_WAKEUP : MADT_REVISION);
	fw_put32(t + MADT_LAPIC_ADDR, c->lapic_addr);
	fw_put32(t + MADT_FLAGS, MADT_PCAT_COMPAT);
	for (i = 0; i < c->ncpus; i++, e += MADT_LAPIC_LEN) {
		e[0] = MADT_TYPE_LAPIC;
		e[1] = MADT_LAPIC_LEN;
		e[2] = i;			/* ACPI processor UID */
		e[3] = i;			/* APIC ID */
		fw_put32(e + 4, MADT_LAPIC_ENABLED);
	}
	e[0] = MADT_TYPE_IOAPIC;
	e[1] = MADT_IOAPIC_LEN;
	e[2] = c->ioapic_id;
	e[3] = 0;
	fw_put32(e + 4, c->ioapic_addr);
	fw_put32(e + 8, 0);			/* GSI base */
	e += MADT_IOAPIC_LEN;
	e = madt_iso(e, ISA_TIMER_IRQ, TIMER_GSI, INTI_EDGE | INTI_HIGH);
	e = madt_iso(e, c->sci_irq, c->sci_irq, INTI_LEVEL | INTI_HIGH);
	e[0] = MADT_TYPE_LAPIC_NMI;
	e[1] = MADT_LAPIC_NMI_LEN;
	e[2] = MADT_ALL_PROCESSORS;
	fw_put16(e + 3, INTI_EDGE | INTI_HIGH);
	e[5] = 1;				/* LINT1 */
	e += MADT_LAPIC_NMI_LEN;
	if (c->mp_wakeup) {
		e[0] = MADT_TYPE_MP_WAKEUP;
		e[1] = MADT_MP_WAKEUP_LEN;	/* version 0, reserved 0 */
		fw_put64(e + 8, FW_MAILBOX);
	}
	sdt_finish(t);
}

/* RSDT (5.2.7) and XSDT (5.2.8): the FADT, then the MADT. */
#define SDT_NR_ENTRIES	2

static void build_rsdt(uint8_t *t, const struct fw_layout *l)
{
	sdt_header(t, "RSDT", SDT_HDR + 4 * SDT_NR_ENTRIES, 1);
	fw_put32(t + SDT_HDR, FW_BASE + l->fadt);
	fw_put32(t + SDT_HDR + 4, FW_BASE + l->madt);
	sdt_finish(t);
}

static void build_xsdt(uint8_t *t, const struct fw_layout *l)
{
	sdt_header(t, "XSDT", SDT_HDR + 8 * SDT_NR_ENTRIES, 1);
	fw_put64(t + SDT_HDR, FW_BASE + l->fadt);
	fw_put64(t + SDT_HDR + 8, FW_BASE + l->madt);
	sdt_finish(t);
}

/* ---- fw_build ----------------------------------------------------------- */

static size_t align16(size_t x)
{
	return (x + 15) & ~(size_t)15;
}

static void plan(const struct fw_config *c, size_t dsdt_size,
		 struct fw_layout *l)
{
	l->rsdp = 0;
	l->mpfp = align16(l->rsdp + RSDP_SIZE);
	l->facs = (l->mpfp + 16 + 63) & ~(size_t)63;
	l->dsdt = l->facs + FACS_SIZE;
	l->fadt = align16(l->dsdt + dsdt_size);
	l->madt = align16(l->fadt + FADT_SIZE);
	l->rsdt = align16(l->madt + madt_size(c));
	l->xsdt = align16(l->rsdt + SDT_HDR + 4 * SDT_NR_ENTRIES);
	l->mpc = align16(l->xsdt + SDT_HDR + 8 * SDT_NR_ENTRIES);
	l->end = l->mpc + mptable_config_size(c);
}

static bool config_ok(const struct fw_config *c)
{
	return c->ncpus >= 1 && c->ncpus <= FW_MAX_CPUS &&
	       c->ioapic_id != 0xff &&
	       c->pm1a_evt_port && c->pm1a_cnt_port &&
	       c->sci_irq < 16 && c->sci_irq != ISA_TIMER_IRQ &&
	       c->sci_irq != TIMER_GSI;
}

/* The DSDT and where each table goes; false if c cannot be built. */
static bool prepare(const struct fw_config *c, struct aml *dsdt,
		    struct fw_layout *l)
{
	if (!config_ok(c))
		return false;
	dsdt->n = 0;
	build_dsdt_body(dsdt);
	if (dsdt->n > AML_MAX)
		return false;
	plan(c, SDT_HDR + dsdt->n, l);
	return l->end <= (c->mp_wakeup ? FW_MAILBOX - FW_BASE : FW_SIZE);
}

long fw_size(const struct fw_config *c)
{
	struct fw_layout l;
	struct aml dsdt;

	return prepare(c, &dsdt, &l) ? (long)l.end : -1;
}

long fw_build(const struct fw_config *c, uint8_t *mem, size_t room)
{
	struct fw_layout l;
	struct aml dsdt;

	if (!prepare(c, &dsdt, &l) || l.end > room)
		return -1;
	memset(mem, 0, room);
	build_rsdp(mem + l.rsdp, &l);
	mptable_build(c, mem + l.mpfp, mem + l.mpc, FW_BASE + l.mpc);
	build_facs(mem + l.facs);
	sdt_header(mem + l.dsdt, "DSDT", SDT_HDR + dsdt.n, DSDT_REVISION);
	memcpy(mem + l.dsdt + SDT_HDR, dsdt.b, dsdt.n);
	sdt_finish(mem + l.dsdt);
	build_fadt(mem + l.fadt, c, &l);
	build_madt(mem + l.madt, c);
	build_rsdt(mem + l.rsdt, &l);
	build_xsdt(mem + l.xsdt, &l);
	return l.end;
}
