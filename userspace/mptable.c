// SPDX-License-Identifier: GPL-2.0
/*
 * The Intel MultiProcessor Specification 1.4 table of 'vtxctl run', for
 * guests that look for one instead of ACPI's MADT (Linux with acpi=off):
 * the floating pointer and the configuration table, the same machine as
 * the MADT (acpi.c) describes.  Sections cited are the MP spec's.
 */
#include <string.h>

#include "acpi.h"

#define MPFP_SIZE	16
#define MPC_HDR		44
#define MP_SPEC_REV	4		/* 1.4 */

/* Configuration table entries (4.3), in the order the spec sorts them. */
#define MPC_PROCESSOR	0
#define MPC_BUS		1
#define MPC_IOAPIC	2
#define MPC_IOINT	3
#define MPC_LOCALINT	4
#define MPC_PROCESSOR_LEN	20
#define MPC_ENTRY_LEN		8	/* every other type */

#define CPU_ENABLED	(1U << 0)
#define CPU_BSP		(1U << 1)
#define IOAPIC_ENABLED	(1U << 0)

/* Interrupt types (Table 4-8). */
#define MP_INT		0
#define MP_NMI		1
#define MP_EXTINT	3
/* Polarity and trigger "conform to the bus": edge, active high on ISA. */
#define MP_IRQ_DEFAULT	0

#define ISA_BUS_ID	0
#define ISA_IRQS	16
#define ISA_CASCADE_IRQ	2
#define TIMER_PIN	2	/* I/O APIC pin of ISA IRQ 0 */
#define MP_ALL_LAPICS	0xff

/*
 * A family 6 processor with an FPU and a local APIC: the entry wants a
 * CPUID signature, which only matters to readers that print it.
 */
#define CPU_SIGNATURE	0x600
#define CPU_FEATURES	((1U << 0) | (1U << 9))	/* FPU, APIC */

/* IRQ 0's pin is 2, and nothing raises ISA IRQ 2, the cascade. */
#define NR_IOINTS	(ISA_IRQS - 1)

size_t mptable_config_size(const struct fw_config *c)
{
	return MPC_HDR + c->ncpus * MPC_PROCESSOR_LEN +
	       (1 + 1 + NR_IOINTS + 2) * MPC_ENTRY_LEN;
}

static uint8_t *mpc_int(uint8_t *e, uint8_t type, uint8_t irqtype,
			uint8_t src_irq, uint8_t dst_id, uint8_t dst_pin)
{
	e[0] = type;
	e[1] = irqtype;
	fw_put16(e + 2, MP_IRQ_DEFAULT);
	e[4] = ISA_BUS_ID;
	e[5] = src_irq;
	e[6] = dst_id;
	e[7] = dst_pin;
	return e + MPC_ENTRY_LEN;
}

/*
 * The configuration table (4.2, 4.3): one processor entry per vCPU (vCPU
 * 0 the bootstrap processor), the ISA bus, the I/O APIC, ISA IRQs on the
 * I/O APIC pins of the same number but IRQ 0 on pin 2 (as the MADT's
 * override says), and the local interrupts: ExtINT on LINT0 of the BSP
 * only (the 8259As' INTR reaches vCPU 0: uapi/vtxhv.h, VTXHV_INTERRUPT),
 * NMI on LINT1 of every processor.
 */
static void build_config(const struct fw_config *c, uint8_t *t)
{
	size_t len = mptable_config_size(c);
	uint8_t *e = t + MPC_HDR;
	unsigned int i, n = 0;

	memset(t, 0, len);
	memcpy(t, "PCMP", 4);
	fw_put16(t + 4, len);
	t[6] = MP_SPEC_REV;
	memcpy(t + 8, "VTXHV   ", 8);		/* OEM ID */
	memcpy(t + 16, "VTXHV PC    ", 12);	/* product ID */
	fw_put32(t + 36, c->lapic_addr);

	for (i = 0; i < c->ncpus; i++, n++, e += MPC_PROCESSOR_LEN) {
		e[0] = MPC_PROCESSOR;
		e[1] = i;				/* local APIC ID */
		e[2] = FW_LAPIC_VERSION;
		e[3] = CPU_ENABLED | (i == 0 ? CPU_BSP : 0);
		fw_put32(e + 4, CPU_SIGNATURE);
		fw_put32(e + 8, CPU_FEATURES);
	}

	e[0] = MPC_BUS;
	e[1] = ISA_BUS_ID;
	memcpy(e + 2, "ISA   ", 6);
	e += MPC_ENTRY_LEN;
	n++;

	e[0] = MPC_IOAPIC;
	e[1] = c->ioapic_id;
	e[2] = FW_IOAPIC_VERSION;
	e[3] = IOAPIC_ENABLED;
	fw_put32(e + 4, c->ioapic_addr);
	e += MPC_ENTRY_LEN;
	n++;

	for (i = 0; i < ISA_IRQS; i++) {
		if (i == ISA_CASCADE_IRQ)
			continue;
		e = mpc_int(e, MPC_IOINT, MP_INT, i, c->ioapic_id,
			    i == 0 ? TIMER_PIN : i);
		n++;
	}

	e = mpc_int(e, MPC_LOCALINT, MP_EXTINT, 0, 0, 0);
	e = mpc_int(e, MPC_LOCALINT, MP_NMI, 0, MP_ALL_LAPICS, 1);
	n += 2;

	fw_put16(t + 34, n);			/* entry count */
	t[7] = fw_checksum(t, len);
}

/*
 * The floating pointer (4.1): the configuration table's address, no
 * default configuration, and IMCRP clear: virtual wire mode, there being
 * no IMCR at ports 0x22/0x23 to switch.
 */
void mptable_build(const struct fw_config *c, uint8_t *fp, uint8_t *cfg,
		   uint32_t cfg_addr)
{
	memset(fp, 0, MPFP_SIZE);
	memcpy(fp, "_MP_", 4);
	fw_put32(fp + 4, cfg_addr);
	fp[8] = MPFP_SIZE / 16;			/* length in 16-byte units */
	fp[9] = MP_SPEC_REV;
	fp[11] = 0;				/* a configuration table */
	fp[12] = 0;				/* IMCRP clear */
	fp[10] = fw_checksum(fp, MPFP_SIZE);
	build_config(c, cfg);
}
