// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the firmware tables of 'vtxctl run'
 * (userspace/acpi.c, userspace/mptable.c): each builds the tables into a
 * fake guest memory and reads them back as a guest does: the RSDP found by
 * scanning the BIOS area, every checksum, the RSDT and XSDT walked, the
 * FADT, the MADT, the DSDT's AML parsed to its end, the MP floating pointer
 * and configuration table.  iasl is not needed: the AML is checked
 * structurally.  TAP 13; exit 0 if every test passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtxhv_test.h"
#include "acpi.h"
#include "devices.h"

#define MEM_SIZE	0x100000	/* 1 MiB: the BIOS area ends it */
#define BIOS_LO		0xe0000
#define BIOS_HI		0x100000

static uint8_t *mem;
static struct fw_config cfg;

static uint8_t rd8(uint64_t a)
{
	return mem[a];
}

static uint16_t rd16(uint64_t a)
{
	return mem[a] | mem[a + 1] << 8;
}

static uint32_t rd32(uint64_t a)
{
	return rd16(a) | (uint32_t)rd16(a + 2) << 16;
}

static uint64_t rd64(uint64_t a)
{
	return rd32(a) | (uint64_t)rd32(a + 4) << 32;
}

static uint8_t sum(uint64_t a, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += mem[a++];
	return s;
}

/* Tables and their contents must lie in the firmware region. */
static bool in_fw(uint64_t a, uint64_t len)
{
	return a >= FW_BASE && len <= FW_SIZE && a - FW_BASE <= FW_SIZE - len;
}

static long build_wake(unsigned int ncpus, bool mp_wakeup)
{
	fw_config_default(&cfg, ncpus);
	cfg.mp_wakeup = mp_wakeup;
	memset(mem, 0, MEM_SIZE);
	return fw_build(&cfg, mem + FW_BASE, FW_SIZE);
}

static long build(unsigned int ncpus)
{
	return build_wake(ncpus, false);
}

/* ---- What a guest does --------------------------------------------------- */

/*
 * Linux's acpi_find_root_pointer() over 0xE0000-0xFFFFF: "RSD PTR " on a
 * 16-byte boundary whose first 20 bytes sum to 0.  Returns 0 if none.
 */
static uint64_t find_rsdp(void)
{
	uint64_t a;

	for (a = BIOS_LO; a < BIOS_HI; a += 16)
		if (!memcmp(mem + a, "RSD PTR ", 8) && !sum(a, 20))
			return a;
	return 0;
}

/* Linux's smp_scan_config(0xF0000, 0x10000). */
static uint64_t find_mpfp(void)
{
	uint64_t a;

	for (a = 0xf0000; a < BIOS_HI; a += 16)
		if (!memcmp(mem + a, "_MP_", 4) && rd8(a + 8) == 1 &&
		    !sum(a, 16))
			return a;
	return 0;
}

/* A system description table with signature sig, length and checksum. */
static bool sdt_ok(uint64_t a, const char *sig)
{
	uint32_t len;

	CHECK(in_fw(a, 36));
	CHECK(!memcmp(mem + a, sig, 4));
	len = rd32(a + 4);
	CHECK(len >= 36);
	CHECK(in_fw(a, len));
	if (sum(a, len)) {
		printf("# %s at %#llx: checksum is off by %u\n", sig,
		       (unsigned long long)a, sum(a, len));
		return false;
	}
	CHECK(!memcmp(mem + a + 10, "VTXHV ", 6));
	return true;
}

/* Everything the walk of the tables found. */
struct acpi_found {
	uint64_t rsdp, rsdt, xsdt, fadt, madt, dsdt, facs;
};

/* RSDP, then the XSDT and the RSDT, which must list the same tables. */
static bool walk_root(struct acpi_found *f)
{
	unsigned int i, n;

	memset(f, 0, sizeof(*f));
	f->rsdp = find_rsdp();
	CHECK(f->rsdp);
	CHECK_EQ(f->rsdp % 16, 0);
	CHECK_EQ(f->rsdp, FW_RSDP_ADDR);
	CHECK_EQ(rd8(f->rsdp + 15), 2);			/* revision */
	CHECK_EQ(rd32(f->rsdp + 20), 36);		/* length */
	CHECK_EQ(sum(f->rsdp, 36), 0);			/* extended */
	f->rsdt = rd32(f->rsdp + 16);
	f->xsdt = rd64(f->rsdp + 24);
	CHECK(sdt_ok(f->rsdt, "RSDT"));
	CHECK(sdt_ok(f->xsdt, "XSDT"));

	n = (rd32(f->xsdt + 4) - 36) / 8;
	CHECK_EQ(rd32(f->xsdt + 4), 36 + 8 * n);
	CHECK_EQ(rd32(f->rsdt + 4), 36 + 4 * n);
	for (i = 0; i < n; i++) {
		uint64_t t = rd64(f->xsdt + 36 + 8 * i);

		CHECK_EQ(rd32(f->rsdt + 36 + 4 * i), t);
		CHECK(in_fw(t, 36));
		if (!memcmp(mem + t, "FACP", 4)) {
			CHECK(!f->fadt);
			f->fadt = t;
		} else if (!memcmp(mem + t, "APIC", 4)) {
			CHECK(!f->madt);
			f->madt = t;
		} else {
			printf("# unexpected table %.4s\n", (char *)mem + t);
			return false;
		}
	}
	CHECK(f->fadt && sdt_ok(f->fadt, "FACP"));
	CHECK(f->madt && sdt_ok(f->madt, "APIC"));
	return true;
}

/* A System I/O Generic Address Structure. */
static bool gas_io(uint64_t a, unsigned int bits, uint64_t port)
{
	if (!port) {
		CHECK_EQ(rd64(a + 4), 0);
		return true;
	}
	CHECK_EQ(rd8(a), 1);				/* System I/O */
	CHECK_EQ(rd8(a + 1), bits);
	CHECK_EQ(rd8(a + 2), 0);
	CHECK_EQ(rd64(a + 4), port);
	return true;
}

/* ---- AML, parsed structurally (ACPI 6.5, chapter 20) ------------------- */

struct aml_found {
	bool s5;
	uint64_t s5_elem[8];
	unsigned int s5_n;
	bool pci0;
	uint32_t pci0_hid;
	bool pci0_crs;
};

/* PkgLength: returns the end of the package, 0 if malformed. */
static uint64_t pkg_end(uint64_t *p, uint64_t end)
{
	uint64_t start = *p;
	uint8_t b0 = rd8(*p);
	unsigned int follow = b0 >> 6, i;
	uint64_t len;

	if (*p + 1 + follow > end)
		return 0;
	if (!follow) {
		len = b0 & 0x3f;
	} else {
		if (b0 & 0x30)
			return 0;		/* bits 5:4 must be 0 */
		len = b0 & 0x0f;
		for (i = 0; i < follow; i++)
			len |= (uint64_t)rd8(*p + 1 + i) << (4 + 8 * i);
	}
	*p += 1 + follow;
	if (start + len > end || start + len < *p)
		return 0;
	return start + len;
}

static bool name_char(uint8_t c, bool first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (!first && c >= '0' &&
							c <= '9');
}

/* A NameString with an optional root prefix and one NameSeg. */
static bool name_string(uint64_t *p, uint64_t end, char seg[5])
{
	unsigned int i;

	if (*p < end && rd8(*p) == '\\')
		(*p)++;
	CHECK(*p + 4 <= end);
	for (i = 0; i < 4; i++) {
		CHECK(name_char(rd8(*p + i), i == 0));
		seg[i] = rd8(*p + i);
	}
	seg[4] = '\0';
	*p += 4;
	return true;
}

/* An integer constant; returns false for anything else. */
static bool aml_integer(uint64_t *p, uint64_t end, uint64_t *v)
{
	static const unsigned int size[] = { [0x0a] = 1, [0x0b] = 2,
					     [0x0c] = 4, [0x0e] = 8 };
	uint8_t op;
	unsigned int i, n;

	CHECK(*p < end);
	op = rd8(*p);
	if (op == 0x00 || op == 0x01 || op == 0xff) {
		*v = op == 0xff ? ~0ULL : op;
		(*p)++;
		return true;
	}
	if (op >= sizeof(size) / sizeof(size[0]) || !size[op])
		return false;
	n = size[op];
	CHECK(*p + 1 + n <= end);
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)rd8(*p + 1 + i) << (8 * i);
	*p += 1 + n;
	return true;
}

/* A DataRefObject: an integer, a Package of integers, or a Buffer. */
static bool aml_data(uint64_t *p, uint64_t end, const char *name,
		     struct aml_found *f, const char *scope)
{
	uint64_t v, e, size;
	unsigned int n, count = 0;

	if (aml_integer(p, end, &v)) {
		if (!strcmp(scope, "PCI0") && !strcmp(name, "_HID"))
			f->pci0_hid = v;
		return true;
	}
	CHECK(*p < end);
	if (rd8(*p) == 0x12) {				/* PackageOp */
		(*p)++;
		e = pkg_end(p, end);
		CHECK(e);
		CHECK(*p < e);
		n = rd8((*p)++);			/* NumElements */
		while (*p < e) {
			CHECK(aml_integer(p, e, &v));
			if (!strcmp(name, "_S5_") && count < 8)
				f->s5_elem[count] = v;
			count++;
		}
		CHECK_EQ(*p, e);
		CHECK_EQ(count, n);
		if (!strcmp(name, "_S5_") && !strcmp(scope, "\\")) {
			f->s5 = true;
			f->s5_n = n;
		}
		return true;
	}
	if (rd8(*p) == 0x11) {				/* BufferOp */
		(*p)++;
		e = pkg_end(p, end);
		CHECK(e);
		CHECK(aml_integer(p, e, &size));
		CHECK_EQ(size, e - *p);
		/* a resource template ends with an End Tag */
		if (!strcmp(name, "_CRS")) {
			CHECK(size >= 2);
			CHECK_EQ(rd8(e - 2), 0x79);
			f->pci0_crs = !strcmp(scope, "PCI0");
		}
		*p = e;
		return true;
	}
	printf("# unexpected data opcode %#x\n", rd8(*p));
	return false;
}

/* A TermList of Name, Scope and Device: all the DSDT should hold. */
static bool aml_terms(uint64_t p, uint64_t end, struct aml_found *f,
		      const char *scope)
{
	char name[5];
	uint64_t e;

	while (p < end) {
		uint8_t op = rd8(p);

		if (op == 0x08) {				/* NameOp */
			p++;
			CHECK(name_string(&p, end, name));
			CHECK(aml_data(&p, end, name, f, scope));
		} else if (op == 0x10) {			/* ScopeOp */
			p++;
			e = pkg_end(&p, end);
			CHECK(e);
			CHECK(name_string(&p, e, name));
			CHECK(aml_terms(p, e, f, name));
			p = e;
		} else if (op == 0x5b && p + 1 < end &&
			   rd8(p + 1) == 0x82) {		/* DeviceOp */
			p += 2;
			e = pkg_end(&p, end);
			CHECK(e);
			CHECK(name_string(&p, e, name));
			if (!strcmp(name, "PCI0") && !strcmp(scope, "_SB_"))
				f->pci0 = true;
			CHECK(aml_terms(p, e, f, name));
			p = e;
		} else {
			printf("# unexpected AML opcode %#x at %#llx\n", op,
			       (unsigned long long)p);
			return false;
		}
	}
	CHECK_EQ(p, end);
	return true;
}

/* ---- MP table ----------------------------------------------------------- */

struct mp_found {
	unsigned int cpus, bsp, buses, ioapics, ioints, localints;
	int pin_of_irq[16];
	bool extint_lint0, nmi_lint1;
};

static bool walk_mp(struct mp_found *m)
{
	uint64_t fp = find_mpfp(), t, e, end;
	unsigned int i, n, last_type = 0;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 16; i++)
		m->pin_of_irq[i] = -1;
	CHECK(fp);
	CHECK(in_fw(fp, 16));
	CHECK_EQ(rd8(fp + 9), 4);			/* MP spec 1.4 */
	CHECK_EQ(rd8(fp + 11), 0);			/* a table, no default */
	CHECK_EQ(rd8(fp + 12) & 0x80, 0);		/* no IMCR */
	t = rd32(fp + 4);
	CHECK(in_fw(t, 44));
	CHECK(!memcmp(mem + t, "PCMP", 4));
	CHECK(in_fw(t, rd16(t + 4)));
	CHECK_EQ(sum(t, rd16(t + 4)), 0);
	CHECK_EQ(rd8(t + 6), 4);
	CHECK_EQ(rd32(t + 36), cfg.lapic_addr);
	CHECK_EQ(rd16(t + 40), 0);			/* no extended table */
	n = rd16(t + 34);
	end = t + rd16(t + 4);
	for (e = t + 44, i = 0; i < n; i++) {
		uint8_t type = rd8(e);
		unsigned int len = type == 0 ? 20 : 8;

		CHECK(e + len <= end);
		CHECK(type <= 4);
		CHECK(type >= last_type);		/* sorted by type */
		last_type = type;
		switch (type) {
		case 0:
			CHECK_EQ(rd8(e + 1), m->cpus);	/* APIC ID = index */
			CHECK_EQ(rd8(e + 3) & 1, 1);	/* enabled */
			if (rd8(e + 3) & 2)
				m->bsp++;
			CHECK_EQ(!!(rd8(e + 3) & 2), m->cpus == 0);
			m->cpus++;
			break;
		case 1:
			CHECK(!memcmp(mem + e + 2, "ISA   ", 6));
			CHECK_EQ(rd8(e + 1), 0);
			m->buses++;
			break;
		case 2:
			CHECK_EQ(rd8(e + 1), cfg.ioapic_id);
			CHECK_EQ(rd8(e + 3) & 1, 1);
			CHECK_EQ(rd32(e + 4), cfg.ioapic_addr);
			m->ioapics++;
			break;
		case 3:
			CHECK_EQ(rd8(e + 1), 0);	/* INT */
			CHECK_EQ(rd8(e + 4), 0);	/* the ISA bus */
			CHECK(rd8(e + 5) < 16);
			CHECK_EQ(rd8(e + 6), cfg.ioapic_id);
			CHECK_EQ(m->pin_of_irq[rd8(e + 5)], -1);
			m->pin_of_irq[rd8(e + 5)] = rd8(e + 7);
			m->ioints++;
			break;
		case 4:
			if (rd8(e + 1) == 3 && rd8(e + 7) == 0 &&
			    rd8(e + 6) == 0)
				m->extint_lint0 = true;
			if (rd8(e + 1) == 1 && rd8(e + 7) == 1 &&
			    rd8(e + 6) == 0xff)
				m->nmi_lint1 = true;
			m->localints++;
			break;
		}
		e += len;
	}
	CHECK_EQ(e, end);
	return true;
}

/* ---- The cases ----------------------------------------------------------- */

static const unsigned int cpu_counts[] = { 1, 2, 4, 16, FW_MAX_CPUS };

static bool rsdp_found_by_scan(void)
{
	struct acpi_found f;
	long n = build(1);

	CHECK(n > 0);
	CHECK((uint64_t)n <= FW_SIZE);
	CHECK(walk_root(&f));
	/* nothing before the BIOS area, nothing past the tables */
	CHECK(mem[FW_BASE + n - 1] || mem[FW_BASE + n - 2] ||
	      mem[FW_BASE + n - 4]);
	return true;
}

/* A corrupt byte anywhere in a table is caught by its checksum. */
static bool checksums_catch_corruption(void)
{
	struct acpi_found f;

	CHECK(build(2) > 0);
	CHECK(walk_root(&f));
	mem[f.madt + 50] ^= 1;
	printf("# expect a checksum complaint:\n");
	CHECK(!sdt_ok(f.madt, "APIC"));
	mem[f.madt + 50] ^= 1;
	mem[f.rsdp + 20] ^= 1;			/* length: extended sum only */
	CHECK(find_rsdp());
	CHECK(sum(f.rsdp, 36));
	return true;
}

static bool fadt_fields(void)
{
	struct acpi_found f;
	uint64_t t;
	uint32_t flags;

	CHECK(build(2) > 0);
	CHECK(walk_root(&f));
	t = f.fadt;
	CHECK(rd8(t + 8) >= 3);				/* revision */
	CHECK_EQ(rd32(t + 4), 268);
	/* DSDT and FACS, 32- and 64-bit fields agreeing */
	f.dsdt = rd32(t + 40);
	CHECK_EQ(rd64(t + 140), f.dsdt);
	CHECK(sdt_ok(f.dsdt, "DSDT"));
	CHECK(rd8(f.dsdt + 8) >= 2);			/* 64-bit integers */
	f.facs = rd32(t + 36);
	CHECK_EQ(rd64(t + 132), f.facs);
	CHECK(in_fw(f.facs, 64));
	CHECK_EQ(f.facs % 64, 0);
	CHECK(!memcmp(mem + f.facs, "FACS", 4));
	CHECK_EQ(rd32(f.facs + 4), 64);
	/* the SCI, ACPI mode always, the PM blocks */
	CHECK_EQ(rd16(t + 46), DEV_SCI_IRQ);
	CHECK_EQ(rd32(t + 48), 0);			/* SMI_CMD */
	CHECK_EQ(rd32(t + 56), DEV_PM1A_EVT);
	CHECK_EQ(rd32(t + 60), 0);			/* no PM1b */
	CHECK_EQ(rd32(t + 64), DEV_PM1A_CNT);
	CHECK_EQ(rd32(t + 68), 0);
	CHECK_EQ(rd32(t + 72), 0);			/* no PM2 */
	CHECK_EQ(rd32(t + 76), DEV_PM_TMR);
	CHECK_EQ(rd32(t + 80), 0);			/* no GPE0 */
	CHECK_EQ(rd8(t + 88), 4);
	CHECK_EQ(rd8(t + 89), 2);
	CHECK_EQ(rd8(t + 91), 4);
	CHECK(gas_io(t + 148, 32, DEV_PM1A_EVT));
	CHECK(gas_io(t + 172, 16, DEV_PM1A_CNT));
	CHECK(gas_io(t + 208, 32, DEV_PM_TMR));
	CHECK_EQ(rd8(t + 108), 0x32);			/* CMOS century */
	/* WBINVD, not hardware-reduced, 24-bit timer, reset register */
	flags = rd32(t + 112);
	CHECK(flags & (1U << 0));
	CHECK(!(flags & (1U << 20)));
	CHECK(!(flags & (1U << 8)));
	CHECK(flags & (1U << 10));
	CHECK(gas_io(t + 116, 8, DEV_KBC_CMD));
	CHECK_EQ(rd8(t + 128), DEV_KBC_RESET);
	/* IAPC_BOOT_ARCH: legacy devices, the 8042, the CMOS RTC */
	CHECK(rd16(t + 109) & (1U << 0));
	CHECK(rd16(t + 109) & (1U << 1));
	CHECK(!(rd16(t + 109) & (1U << 5)));
	return true;
}

/* Without a PM timer the FADT says so in both fields. */
static bool fadt_without_pm_timer(void)
{
	struct acpi_found f;

	fw_config_default(&cfg, 1);
	cfg.pm_tmr_port = 0;
	memset(mem, 0, MEM_SIZE);
	CHECK(fw_build(&cfg, mem + FW_BASE, FW_SIZE) > 0);
	CHECK(walk_root(&f));
	CHECK_EQ(rd32(f.fadt + 76), 0);
	CHECK_EQ(rd8(f.fadt + 91), 0);
	CHECK_EQ(rd64(f.fadt + 208 + 4), 0);
	return true;
}

/*
 * MADT for ncpus: local APICs 0..n-1, the I/O APIC, overrides, NMI, and
 * with mp_wakeup the wake-up structure (ACPI 6.4, 5.2.12.19).
 */
static bool madt_ok(unsigned int ncpus, bool mp_wakeup)
{
	struct acpi_found f;
	uint64_t e, end;
	unsigned int lapics = 0, ioapics = 0, nmis = 0, wakeups = 0;
	bool irq0 = false, sci = false;

	CHECK(build_wake(ncpus, mp_wakeup) > 0);
	CHECK(walk_root(&f));
	CHECK_EQ(rd8(f.madt + 8), mp_wakeup ? 5 : 3);	/* revision */
	CHECK_EQ(rd32(f.madt + 36), 0xfee00000);
	CHECK_EQ(rd32(f.madt + 40) & 1, 1);		/* PCAT_COMPAT */
	end = f.madt + rd32(f.madt + 4);
	for (e = f.madt + 44; e < end; e += rd8(e + 1)) {
		CHECK(rd8(e + 1) >= 2 && e + rd8(e + 1) <= end);
		switch (rd8(e)) {
		case 0:
			CHECK_EQ(rd8(e + 1), 8);
			CHECK_EQ(rd8(e + 3), lapics);	/* APIC ID */
			CHECK_EQ(rd8(e + 2), lapics);	/* ACPI UID */
			CHECK_EQ(rd32(e + 4) & 1, 1);	/* enabled */
			lapics++;
			break;
		case 1:
			CHECK_EQ(rd8(e + 1), 12);
			CHECK_EQ(rd8(e + 2), ncpus);	/* after the CPUs */
			CHECK_EQ(rd32(e + 4), 0xfec00000);
			CHECK_EQ(rd32(e + 8), 0);	/* GSI base */
			ioapics++;
			break;
		case 2:
			CHECK_EQ(rd8(e + 1), 10);
			CHECK_EQ(rd8(e + 2), 0);	/* ISA */
			if (rd8(e + 3) == 0) {
				CHECK_EQ(rd32(e + 4), 2);
				CHECK_EQ(rd16(e + 8), 0x5);	/* edge, high */
				irq0 = true;
			} else {
				CHECK_EQ(rd8(e + 3), DEV_SCI_IRQ);
				CHECK_EQ(rd32(e + 4), DEV_SCI_IRQ);
				CHECK_EQ(rd16(e + 8), 0xd);	/* level, high */
				sci = true;
			}
			break;
		case 4:
			CHECK_EQ(rd8(e + 1), 6);
			CHECK_EQ(rd8(e + 2), 0xff);	/* every processor */
			CHECK_EQ(rd8(e + 5), 1);	/* LINT1 */
			nmis++;
			break;
		case 0x10:
			CHECK_EQ(rd8(e + 1), 16);
			CHECK_EQ(rd16(e + 2), 0);	/* mailbox version */
			CHECK_EQ(rd32(e + 4), 0);	/* reserved */
			CHECK_EQ(rd64(e + 8), FW_MAILBOX);
			CHECK_EQ(rd64(e + 8) % 4096, 0);
			wakeups++;
			break;
		default:
			printf("# unexpected MADT entry type %u\n", rd8(e));
			return false;
		}
	}
	CHECK_EQ(e, end);
	CHECK_EQ(lapics, ncpus);
	CHECK_EQ(ioapics, 1);
	CHECK(irq0 && sci);
	CHECK_EQ(nmis, 1);
	CHECK_EQ(wakeups, mp_wakeup);
	return true;
}

static bool madt_cpus(void)
{
	unsigned int i;

	for (i = 0; i < NTESTS(cpu_counts); i++)
		if (!madt_ok(cpu_counts[i], false)) {
			printf("# with %u CPUs\n", cpu_counts[i]);
			return false;
		}
	return true;
}

/*
 * With mp_wakeup, and only then, the MADT has the wake-up structure
 * pointing at the mailbox, its checksum still right (sdt_ok()), and the
 * tables end below the mailbox, for the largest machine too; the mailbox
 * page itself is mp_wakeup.c's (loader_test).
 */
static bool madt_mp_wakeup(void)
{
	unsigned int i;

	for (i = 0; i < NTESTS(cpu_counts); i++)
		if (!madt_ok(cpu_counts[i], true)) {
			printf("# with %u CPUs and the wake-up mailbox\n",
			       cpu_counts[i]);
			return false;
		}
	CHECK(build_wake(FW_MAX_CPUS, true) > 0);
	CHECK((uint64_t)fw_size(&cfg) <= FW_MAILBOX - FW_BASE);
	/* fw_build() leaves the mailbox's half of the area zero */
	for (i = FW_MAILBOX; i < FW_BASE + FW_SIZE; i++)
		CHECK_EQ(mem[i], 0);
	return true;
}

/* The DSDT parses to its end; \_S5 is {5, 5, 0, 0}; PCI0 is a PNP0A03. */
static bool dsdt_s5_and_pci0(void)
{
	struct acpi_found f;
	struct aml_found a = { .s5 = false };

	CHECK(build(1) > 0);
	CHECK(walk_root(&f));
	f.dsdt = rd64(f.fadt + 140);
	CHECK(sdt_ok(f.dsdt, "DSDT"));
	CHECK(aml_terms(f.dsdt + 36, f.dsdt + rd32(f.dsdt + 4), &a, "\\"));
	CHECK(a.s5);
	CHECK_EQ(a.s5_n, 4);
	CHECK_EQ(a.s5_elem[0], PM1_SLP_TYP_S5);
	CHECK_EQ(a.s5_elem[1], PM1_SLP_TYP_S5);
	CHECK_EQ(a.s5_elem[2], 0);
	CHECK_EQ(a.s5_elem[3], 0);
	CHECK(a.pci0);
	CHECK_EQ(a.pci0_hid, 0x030ad041);		/* EISAID("PNP0A03") */
	CHECK(a.pci0_crs);
	/* the parser is strict: \_S5 with a wrong NumElements is refused */
	CHECK_EQ(rd8(f.dsdt + 36 + 5), 0x12);		/* PackageOp */
	mem[f.dsdt + 36 + 7] = 3;
	printf("# expect an AML complaint:\n");
	CHECK(!aml_terms(f.dsdt + 36, f.dsdt + rd32(f.dsdt + 4), &a, "\\"));
	return true;
}

static bool mp_table_ok(unsigned int ncpus)
{
	struct mp_found m;
	unsigned int irq;

	CHECK(build(ncpus) > 0);
	CHECK(walk_mp(&m));
	CHECK_EQ(m.cpus, ncpus);
	CHECK_EQ(m.bsp, 1);
	CHECK_EQ(m.buses, 1);
	CHECK_EQ(m.ioapics, 1);
	CHECK_EQ(m.ioints, 15);
	CHECK_EQ(m.localints, 2);
	CHECK(m.extint_lint0 && m.nmi_lint1);
	CHECK_EQ(m.pin_of_irq[0], 2);
	CHECK_EQ(m.pin_of_irq[2], -1);			/* the cascade */
	for (irq = 1; irq < 16; irq++)
		if (irq != 2)
			CHECK_EQ(m.pin_of_irq[irq], irq);
	return true;
}

static bool mp_table(void)
{
	unsigned int i;

	for (i = 0; i < NTESTS(cpu_counts); i++)
		if (!mp_table_ok(cpu_counts[i])) {
			printf("# with %u CPUs\n", cpu_counts[i]);
			return false;
		}
	/* a corrupt entry fails the configuration table's checksum */
	CHECK(build(2) > 0);
	mem[rd32(find_mpfp() + 4) + 50] ^= 0x10;
	CHECK(!walk_mp(&(struct mp_found){ .cpus = 0 }));
	return true;
}

/* Invalid configurations and too little room: -1, memory untouched. */
static bool refused(void)
{
	static uint8_t guard[FW_SIZE];
	struct fw_config c;
	unsigned int i;

	for (i = 0; i < 9; i++) {
		fw_config_default(&c, 4);
		switch (i) {
		case 0: c.ncpus = 0; break;
		case 1: c.ncpus = FW_MAX_CPUS + 1; c.ioapic_id = 0xfe; break;
		case 2: c.ncpus = 1000; break;
		case 3: c.ioapic_id = 0xff; break;
		case 4: c.sci_irq = 0; break;
		case 5: c.sci_irq = 2; break;
		case 6: c.sci_irq = 16; break;
		case 7: c.pm1a_evt_port = 0; break;
		case 8: c.pm1a_cnt_port = 0; break;
		}
		memset(guard, 0xa5, sizeof(guard));
		if (fw_build(&c, guard, sizeof(guard)) != -1 ||
		    fw_size(&c) != -1) {
			printf("# configuration %u accepted\n", i);
			return false;
		}
		CHECK_EQ(guard[0], 0xa5);
		CHECK_EQ(guard[sizeof(guard) - 1], 0xa5);
	}
	fw_config_default(&c, 4);
	CHECK(fw_size(&c) > 0);
	memset(guard, 0xa5, sizeof(guard));
	CHECK_EQ(fw_build(&c, guard, fw_size(&c) - 1), -1);
	CHECK_EQ(guard[0], 0xa5);
	CHECK_EQ(fw_build(&c, guard, fw_size(&c)), fw_size(&c));
	/* an I/O APIC ID a CPU has too is the caller's choice (QEMU's) */
	fw_config_default(&c, 4);
	c.ioapic_id = 0;
	CHECK(fw_build(&c, guard, sizeof(guard)) > 0);
	/* the largest machine fits the region */
	fw_config_default(&c, FW_MAX_CPUS);
	CHECK(fw_size(&c) > 0 && (uint64_t)fw_size(&c) <= FW_SIZE);
	return true;
}

static bool default_config(void)
{
	fw_config_default(&cfg, 3);
	CHECK_EQ(cfg.ncpus, 3);
	CHECK_EQ(cfg.lapic_addr, DEV_APIC_BASE);
	CHECK_EQ(cfg.ioapic_addr, 0xfec00000);
	CHECK_EQ(cfg.ioapic_id, 3);
	CHECK_EQ(cfg.pm1a_evt_port, 0x600);
	CHECK_EQ(cfg.pm1a_cnt_port, 0x604);
	CHECK_EQ(cfg.pm_tmr_port, 0x608);
	CHECK_EQ(cfg.sci_irq, 9);
	return true;
}

static const struct test_case tests[] = {
	TEST(default_config),
	TEST(rsdp_found_by_scan),
	TEST(checksums_catch_corruption),
	TEST(fadt_fields),
	TEST(fadt_without_pm_timer),
	TEST(madt_cpus),
	TEST(madt_mp_wakeup),
	TEST(dsdt_s5_and_pci0),
	TEST(mp_table),
	TEST(refused),
};

int main(void)
{
	int ret;

	mem = calloc(1, MEM_SIZE);
	if (!mem) {
		printf("Bail out! cannot allocate the fake guest memory\n");
		return 1;
	}
	ret = run_test_cases(tests, NTESTS(tests), NULL);
	free(mem);
	return ret;
}
