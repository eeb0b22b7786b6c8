/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The registers a guest starts with for the image the loader placed
 * (boot_regs.c says which, per mode): vtxctl run's and libvtxhv's.
 */
#ifndef VTXCTL_BOOT_REGS_H
#define VTXCTL_BOOT_REGS_H

#include <stdint.h>

#include "loader.h"
#include "vtxhv.h"

/*
 * boot_regs.c: the special and general registers vCPU @id of @ncpus starts
 * with, for the image the loader placed (@r) and the GDT page at @gdt.
 * boot_sregs() sets the fields it owns and leaves the others (the
 * interruptibility state, APIC base) as VTXHV_GET_SREGS gave them.
 */
void boot_sregs(struct vtxhv_sregs *s, const struct load_result *r,
		uint64_t gdt);
void boot_regs(struct vtxhv_regs *regs, const struct load_result *r,
	       unsigned int id, unsigned int ncpus);
/*
 * The registers of an AP that waits in the ACPI wake-up mailbox's loop
 * for the OS to wake it (acpi.h), with its APIC ID in EDI; the same
 * fields as boot_sregs() and boot_regs().
 */
void mp_wakeup_regs(struct vtxhv_sregs *s, struct vtxhv_regs *regs,
		    uint32_t apic_id);

#endif /* VTXCTL_BOOT_REGS_H */
