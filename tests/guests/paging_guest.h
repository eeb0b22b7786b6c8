/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The paging test's guest mini-kernel (paging_guest.c, built as a 32-bit
 * and a 64-bit flat image) and its host (tests/paging.c) share this: the
 * guest-physical layout, the checks and the port-I/O report protocol.
 */
#ifndef VTXHV_PAGING_GUEST_H
#define VTXHV_PAGING_GUEST_H

#include <stdint.h>

/* Paging formats, passed to the guest in EDI/RDI. */
enum { FMT_32BIT, FMT_PAE, FMT_4LEVEL, FMT_NR };

/* The checks, one TAP result each per mode and format. */
enum {
	CHK_AS_SWITCH,		/* 1: address spaces, thousands of CR3 loads */
	CHK_REMAP_INVLPG,	/* 2: PTE changed, INVLPG */
	CHK_REMAP_CR3,		/* 2: PTE and PDE changed, CR3 reloaded */
	CHK_PAE_PDPTE,		/* 2: PAE's PDPTEs load only with CR3 */
	CHK_PF_CODES,		/* 3: #PF error codes and CR2 */
	CHK_PF_RSVD,		/* 3: a reserved bit set: RSVD in the code */
	CHK_PF_NX,		/* 3: instruction fetch from an NX page */
	CHK_CR0_WP,		/* 3: CR0.WP=0 and 1 */
	CHK_LARGE,		/* 4: 4 MiB or 2 MiB pages */
	CHK_LARGE_1G,		/* 4: 1 GiB pages */
	CHK_AD_BITS,		/* 5: accessed and dirty bits */
	CHK_MMIO,		/* 6: beyond RAM through a mapping */
	CHK_PT_REUSE,		/* 7: a page-table page freed, reused as data */
	CHK_PAGING_OFF,		/* CR0.PG off and on again (not 4-level) */
	CHK_CTXSW,		/* 8: context-switch cost */
	CHK_NR
};

/* Guest-physical layout (RAM is PG_RAM bytes at 0). */
#define PG_RAM		(64ULL << 20)
#define PG_GDT		0x8000ULL	/* by the host: null, code, data, TSS */
#define PG_BOOT_PML4	0x10000ULL	/* host-written 64-bit boot tables */
#define PG_IMAGE	0x100000ULL	/* the guest image, linked here */
#define PG_STACK_TOP	0x1f0000ULL
#define PG_PT_POOL	0x200000ULL	/* page-table pages */
#define PG_PT_POOL_END	0x600000ULL
#define PG_DATA_POOL	0x600000ULL	/* data pages for test mappings */
#define PG_DATA_POOL_END 0xc00000ULL
#define PG_LARGE_PA	0x1000000ULL	/* 4 MiB-aligned patterned region */
#define PG_LARGE_SIZE	0x800000ULL	/* two 4 MiB pages' worth */
#define PG_IDENT_END	0x2000000ULL	/* identity-mapped: 0 - 32 MiB */

/* Guest-virtual layout (all below 4 GiB but the 1 GiB page). */
#define VA_TEST		0x40000000UL	/* 16 pages per address space */
#define VA_SCRATCH	0x40800000UL	/* remap, #PF, A/D pages (AS 0) */
#define VA_REUSE	0x44000000UL	/* the page table freed in check 7 */
#define VA_LARGE	0x48000000UL
#define VA_MMIO		0x50000000UL
#define VA_1G		0x8000000000ULL	/* 4-level: PML4 slot 1 */

/* Beyond RAM: the guest's accesses there must reach the host. */
#define PG_MMIO_GPA	0xc0005000ULL
#define PG_MMIO_ROFF	0x10		/* 4-byte read here */
#define PG_MMIO_WOFF	0x24		/* 4-byte write of PG_MMIO_WVAL */
#define PG_MMIO_WVAL	0x5afec0deU
#define PG_MMIO_OFF_ROFF 0x30		/* the same with paging off */
#define PG_MMIO_OFF_WOFF 0x34
/* What the host answers to a read of @gpa. */
#define PG_MMIO_RVAL(gpa)	((uint32_t)(gpa) * 2654435761U ^ 0x0badf00dU)

#define PG_TEST_PAGES	16
#define PG_AS_NR	6	/* address spaces of check 1 */
#define PG_SWITCHES	4000
#define PG_CTXSW_AS	4	/* check 8 cycles over the first four */
#define PG_CTXSW_ITERS	1000

/* Report protocol: the guest writes (OUT, 4 bytes) the guest-physical
 * address of a struct pg_msg to PG_PORT.
 */
#define PG_PORT		0xe8

enum {
	PG_NOTE,	/* a failed detail: line, expr (a string), a, b */
	PG_RESULT,	/* check: ok (1) or not (0) */
	PG_SKIP,	/* check skipped: expr says why */
	PG_FIGURE,	/* check CHK_CTXSW: a = ticks, b = iterations */
	PG_DONE,	/* a = digest of every value the checks observed */
};

struct pg_msg {
	uint32_t cmd;
	uint32_t check;
	uint32_t ok;
	uint32_t line;
	uint64_t expr;	/* guest address of a string, or 0 */
	uint64_t a, b;
};

#endif
