/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPUID a guest sees, the one policy for vtxctl run and the tests
 * (tests/Makefile links cpuid.c into every test with guests): the host's
 * leaves with what vtxhv does not give guests hidden.  cpuid.c says what
 * is hidden and why.
 */
#ifndef VTXCTL_CPUID_H
#define VTXCTL_CPUID_H

#include <stdbool.h>
#include <stdint.h>

#include "vtxhv.h"

/* What the policy reads of the host, so that a test can choose it. */
struct cpuid_host {
	/* The host's CPUID instruction: cpuid_native() outside tests. */
	void (*cpuid)(uint32_t fn, uint32_t sub, uint32_t r[4]);
	/* The TSC's rate in Hz, the guest's too; 0: unknown, and leaves
	 * 0x15 and 0x16 stay as the host has them. */
	uint64_t tsc_hz;
	/* The module's VTXHV_EXT_* (caps.extensions): RDTSCP and RDPID are
	 * shown only with VTXHV_EXT_RDTSCP. */
	uint64_t extensions;
};

void cpuid_native(uint32_t fn, uint32_t sub, uint32_t r[4]);
/* TSC ticks per second over 20 ms of CLOCK_MONOTONIC, or 0. */
uint64_t cpuid_measure_tsc_hz(void);

/*
 * The table of vCPU @vcpu on host @h in @tab (VTXHV_MAX_CPUID_ENTRIES
 * entries at most); returns the number of entries.
 */
unsigned int cpuid_policy(const struct cpuid_host *h, unsigned int vcpu,
			  struct vtxhv_cpuid_entry *tab);

/*
 * A VM with vtxhv's in-kernel irqchip: CPUID.1 shows the local APIC and
 * the TSC-deadline timer, and x2APIC if @x2apic, which cpuid_policy()
 * hides.  (The tests leave x2APIC out so that guests use the xAPIC page on
 * KVM too.)
 */
void cpuid_give_apic(struct vtxhv_cpuid_entry *tab, unsigned int n,
		     bool x2apic);

/*
 * cpuid_policy() on this host, its TSC measured once per process, for a
 * module with @extensions (caps.extensions).
 */
unsigned int build_cpuid(struct vtxhv_cpuid_entry *tab, unsigned int vcpu,
			 uint64_t extensions);

#endif /* VTXCTL_CPUID_H */
