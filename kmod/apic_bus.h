/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A message on the APIC bus: what an I/O APIC pin, an ICR write or an LVT
 * entry asks the local APICs to take (Intel SDM Vol. 3A 10.6.1, 10.8.1;
 * the 82093AA I/O APIC datasheet 3.2.4).  Plain C, so that the module and
 * the host unit tests share it.
 */
#ifndef VTXHV_APIC_BUS_H
#define VTXHV_APIC_BUS_H

#include "host_types.h"

/* Delivery modes, as in bits 10:8 of the ICR and of a redirection entry. */
enum apic_msg_dm {
	APIC_MSG_FIXED = 0,
	APIC_MSG_LOWEST = 1,
	APIC_MSG_SMI = 2,
	APIC_MSG_NMI = 4,
	APIC_MSG_INIT = 5,
	APIC_MSG_SIPI = 6,
	APIC_MSG_EXTINT = 7,
};

/* Destination shorthands, as in bits 19:18 of the ICR. */
enum apic_shorthand {
	APIC_SH_NONE = 0,
	APIC_SH_SELF = 1,
	APIC_SH_ALL = 2,		/* all including self */
	APIC_SH_OTHERS = 3,		/* all excluding self */
};

/**
 * struct apic_irq - one interrupt message
 * @dest:	destination: an APIC ID (physical), or a logical destination
 *		(xAPIC: 8 bits against LDR/DFR; x2APIC: 32 bits, cluster in
 *		bits 31:16); 0xff (xAPIC) or 0xffffffff (x2APIC) broadcasts
 * @vector:	vector (fixed, lowest priority; SIPI: the start page)
 * @dm:		enum apic_msg_dm
 * @shorthand:	enum apic_shorthand (ICR only; 0 from an I/O APIC)
 * @logical:	@dest is logical
 * @level:	level-triggered: the local APIC sets TMR and broadcasts
 *		its EOI to the I/O APIC
 * @assert:	INIT level assert (1) or de-assert (0); 1 otherwise
 */
struct apic_irq {
	u32 dest;
	u8 vector;
	u8 dm;
	u8 shorthand;
	bool logical;
	bool level;
	bool assert;
};

#endif /* VTXHV_APIC_BUS_H */
