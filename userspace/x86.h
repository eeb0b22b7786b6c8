/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 facts that vtxctl and the tests both write into a guest, said
 * once: control-register bits, the flat boot GDT and its segments, an
 * identity map, and the names of vtxhv's exit reasons and paging modes.
 * x86.c is linked into vtxctl and into every test with guests
 * (tests/Makefile); it reads no clock and makes no ioctl.
 */
#ifndef VTXCTL_X86_H
#define VTXCTL_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* X86_CR0_*, X86_CR4_*, X86_EFLAGS_*: the kernel's own, from its uapi. */
#include <asm/processor-flags.h>

#include "vtxhv.h"

/* IA32_EFER (Intel SDM Vol. 3A 2.2.1), which no uapi header has. */
#define EFER_SCE	(1ULL << 0)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

/*
 * The boot GDT of protected and long mode, vtxctl's and the tests': null,
 * flat code at 0x08 (32- or 64-bit), flat data at 0x10, a busy TSS at 0x18
 * (16 bytes in long mode).  Code and data: base 0, limit 4 GiB, present,
 * accessed (SDM Vol. 3A 3.4.5).
 */
#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18
#define GDT_CODE32	0x00cf9b000000ffffULL	/* execute/read, D */
#define GDT_CODE64	0x00af9b000000ffffULL	/* execute/read, L */
#define GDT_DATA	0x00cf93000000ffffULL	/* read/write, B */
#define TSS_LIMIT	0x67		/* 104 bytes, no I/O bitmap */
/* The TSS's system descriptor: type 11 (busy), P = 1 (SDM Vol. 3A 7.2.2);
 * in long mode base 63:32 follow in the next 8 bytes. */
#define GDT_TSS(base)	(TSS_LIMIT | ((base) & 0xffffffULL) << 16 | \
			 0x8bULL << 40 | ((base) >> 24 & 0xffULL) << 56)
/* The TSS's 104 bytes follow the descriptors, in the same page. */
#define GDT_TSS_OFFSET	0x80
#define SEG_TYPE_CODE	11	/* execute/read, accessed */
#define SEG_TYPE_DATA	3	/* read/write, accessed */
#define SEG_TYPE_TSS	11	/* busy 32- or 64-bit TSS */

/*
 * Write the boot GDT at @p, whose guest address is @base: the descriptors
 * above (64-bit code if @code64) and, at GDT_TSS_OFFSET, the TSS's 104
 * zero bytes.  @p must hold GDT_TSS_OFFSET + TSS_LIMIT + 1 bytes.
 */
void x86_write_boot_gdt(uint8_t *p, uint64_t base, bool code64);

/* A flat segment: base 0, limit 4 GiB, 32-bit, or 64-bit code (@code64). */
struct vtxhv_segment x86_seg_flat(uint16_t sel, uint8_t type, bool code64);
/* A real-mode segment: base @sel * 16, limit 64 KiB. */
struct vtxhv_segment x86_seg_real(uint16_t sel, uint8_t type);
/*
 * The segment registers of the boot GDT at @gdt_base (its limit
 * @gdt_limit) with the TSS at @tss_base: CS (64-bit if @code64), DS, ES,
 * FS, GS, SS, TR, no LDT, and an empty IDT (any exception is then a
 * triple fault until the guest loads its own).
 */
void x86_sregs_flat(struct vtxhv_sregs *s, bool code64, uint64_t gdt_base,
		    uint16_t gdt_limit, uint64_t tss_base);

/* Paging-structure entry bits (SDM Vol. 3A 4.5). */
#define X86_PTE_P	(1ULL << 0)
#define X86_PTE_RW	(1ULL << 1)
#define X86_PTE_PS	(1ULL << 7)	/* in a PDE: maps a 2 MiB page */

/*
 * Identity-map [0, map_size) with 2 MiB pages, present and writable, in
 * 4-level page tables at table_addr (4 KiB aligned): the PML4, then the
 * PDPT, then one PD per GiB.  map_size is rounded up to 2 MiB and must be
 * 1 byte to 512 GiB.  identity_map_bytes() is the space the tables take (0
 * for an invalid map_size).  build_identity_map() returns that many bytes,
 * or -1 if the arguments are invalid or the tables do not fit in RAM.
 */
uint64_t identity_map_bytes(uint64_t map_size);
long build_identity_map(uint8_t *ram, size_t ram_size, uint64_t table_addr,
			uint64_t map_size);

/* A VTXHV_EXIT_* reason's name ("IO", "IRQ_WINDOW_OPEN"), or "?". */
const char *exit_reason_name(uint32_t reason);
/* A VTXHV_PAGING_* mode's name ("ept", "vtlb", "shadow"), or "?". */
const char *paging_name(uint32_t paging);

#endif /* VTXCTL_X86_H */
