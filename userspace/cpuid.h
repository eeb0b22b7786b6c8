/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPUID a guest of vtxctl run sees: the host's, with what vtxhv does
 * not give guests hidden (cpuid.c).
 */
#ifndef VTXCTL_CPUID_H
#define VTXCTL_CPUID_H

#include "vtxhv.h"

/*
 * The table for vCPU @vcpu in @tab (VTXHV_MAX_CPUID_ENTRIES entries at
 * most); returns the number of entries.
 */
unsigned int build_cpuid(struct vtxhv_cpuid_entry *tab, unsigned int vcpu);

#endif /* VTXCTL_CPUID_H */
