/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The paging_smp test's guest mini-kernel (paging_smp_guest.c, built as a
 * 32-bit and a 64-bit flat image) and its host (tests/paging_smp.c) share
 * this: the checks, the guest-physical and guest-virtual layout, and the
 * shared page through which the vCPUs (and the host) coordinate.  The
 * formats, the low layout and the report protocol are paging's
 * (paging_guest.h): struct pg_msg through PG_PORT, one vCPU's messages
 * reaching that vCPU's host thread.
 */
#ifndef VTXHV_PAGING_SMP_GUEST_H
#define VTXHV_PAGING_SMP_GUEST_H

#include <stdint.h>

#include "paging_guest.h"

/* The checks, one TAP result each per mode and format. */
enum {
	SC_SHARED_AS,		/* one CR3 shared; thousands of CR3 loads */
	SC_REMAP,		/* a PTE remapped under readers */
	SC_PROTECT,		/* read-only, then not present, under probes */
	SC_PT_WRITE,		/* PTEs and a PDE of a live address space */
	SC_SLOT,		/* the host replaces, then deletes, a slot */
	SC_NR
};

#define PS_MAX_CPUS	8	/* VTXHV_MAX_VCPUS */
#define PS_MAX_ROUNDS	64	/* shootdown samples kept per check */

/*
 * Guest-physical: paging's layout (image at PG_IMAGE, page-table and
 * data pools, identity map of the low 32 MiB), with the shared page at
 * PS_SHARED and a stack per vCPU below the page-table pool.
 */
#define PS_SHARED	0x40000ULL	/* struct ps_shared */
#define PS_STACKS	0x1c0000ULL
#define PS_STACK_SIZE	0x8000ULL	/* PS_MAX_CPUS of them to 2 MiB */
#define PS_IMAGE_MAX	(PS_STACKS - PG_IMAGE - 0x10000)	/* and .bss */

/* Memory slot 1, which the host replaces and deletes (SC_SLOT). */
#define PS_SLOT_ID	1
#define PS_SLOT_GPA	0x10000000ULL
#define PS_SLOT_PAGES	4

/* Guest-virtual, all in the second GiB (a page directory per space). */
#define VA_AS_TEST	0x40000000UL	/* PS_AS_PAGES per address space */
#define VA_SH_A		0x40400000UL	/* one page, mapped twice */
#define VA_SH_B		0x40401000UL
#define VA_REMAP	0x40800000UL
#define VA_PROT		0x40c00000UL
#define VA_PTW		0x41000000UL	/* a PDE of its own, in space PTW */
#define VA_SLOT		0x41400000UL

#define PS_AS_NR	4	/* address spaces of SC_SHARED_AS */
#define PS_AS_PAGES	8
#define PS_PTW_PAGES	8

/*
 * The loop counts (the test VM runs 1-5 M guest instructions a second,
 * and the shadow modes exit on every CR3 load, INVLPG and, in vtlb, on
 * every first touch after one).
 */
#define PS_SHARE_ROUNDS	128	/* SC_SHARED_AS: write, barrier, read all */
#define PS_SWITCHES	2000	/* SC_SHARED_AS: CR3 loads per vCPU */
#define PS_REMAP_ROUNDS	64
#define PS_PROT_ROUNDS	16	/* three shootdowns each */
#define PS_PTW_ROUNDS	64
#define PS_STRICT_READS	4	/* after an ack, each must see the new */

/*
 * SC_SLOT: the host's steps.  ps_shared.slot_phase holds the last step
 * done: 0 the slot as created (pattern 0), 1 and 2 its memory replaced
 * (patterns 1 and 2), 3 deleted: a read there is an MMIO exit the host
 * answers with pattern 3.  Then PS_SLOT_END, or PS_SLOT_ABORT when an
 * ioctl failed.
 */
#define PS_SLOT_STEPS	3
#define PS_SLOT_END	4
#define PS_SLOT_ABORT	0xff

/* The word at @gpa of the slot after step @k (or its MMIO answer). */
static inline uint32_t slot_pat(uint32_t k, uint64_t gpa)
{
	return ((uint32_t)gpa * 2654435761U) ^ (0x13572468U + k * 0x01010101U);
}

/* What the host writes into memory the slot no longer uses. */
#define PS_SLOT_POISON	0xdead51a7U

/*
 * Per check: a barrier, a shootdown (the initiator publishes @gen; each
 * other vCPU flushes and writes it to @ack, later to @post once it
 * checked what it reads after the freed page was poisoned), an abort
 * flag every wait looks at, and @done, counting the vCPUs past the
 * check.  A check never reuses another's, so an aborted one leaves
 * nothing behind.
 */
struct ps_sync {
	uint32_t bar_count, bar_gen;
	uint32_t gen, poisoned, aborted, done;
	uint32_t ack[PS_MAX_CPUS];
	uint32_t post[PS_MAX_CPUS];
};

/*
 * A waiting vCPU writes (OUT, 4 bytes) to this port now and then when
 * ps_shared.yield says that the vCPUs outnumber the host's CPUs: its
 * host thread then yields the CPU to the vCPU it waits for, which would
 * otherwise get it only at the scheduler's next tick.
 */
#define PS_YIELD_PORT	0xea

struct ps_shared {
	/* By the host, before the vCPUs start. */
	uint32_t ncpu, fmt, yield;
	/* vCPU 0: the tables and the IDT are ready. */
	uint32_t go;
	uint32_t pad;
	/* SC_SLOT: the host's last step; each vCPU's checked step + 1. */
	uint32_t slot_phase;
	uint32_t slot_seen[PS_MAX_CPUS];
	struct ps_sync sync[SC_NR];
	/* Initiator's RDTSC ticks from its PTE change to the last ack. */
	uint32_t samples[SC_NR][PS_MAX_ROUNDS];
};

#endif
