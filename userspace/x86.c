// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 helpers vtxctl and the tests share (x86.h): segments of the boot
 * GDT, the identity map of long mode, and names for vtxhv's values.
 */
#include <string.h>

#include "x86.h"

#define PAGE_SIZE	4096ULL
#define LARGE_PAGE	(2ULL << 20)
#define GiB		(1ULL << 30)
#define MAX_IDENTITY	(512 * GiB)	/* what one PDPT covers */

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));	/* x86 host and guest: little endian */
}

struct vtxhv_segment x86_seg_flat(uint16_t sel, uint8_t type, bool code64)
{
	struct vtxhv_segment s = {
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .s = 1, .g = 1, .db = !code64, .l = code64,
	};
	return s;
}

struct vtxhv_segment x86_seg_real(uint16_t sel, uint8_t type)
{
	struct vtxhv_segment s = {
		.base = (uint64_t)sel << 4, .limit = 0xffff, .selector = sel,
		.type = type, .present = 1, .s = 1,
	};
	return s;
}

void x86_sregs_flat(struct vtxhv_sregs *s, bool code64, uint64_t gdt_base,
		    uint16_t gdt_limit, uint64_t tss_base)
{
	s->cs = x86_seg_flat(SEL_CODE, SEG_TYPE_CODE, code64);
	s->ds = s->es = s->fs = s->gs = s->ss =
		x86_seg_flat(SEL_DATA, SEG_TYPE_DATA, false);
	s->tr = (struct vtxhv_segment){
		.base = tss_base, .limit = TSS_LIMIT, .selector = SEL_TSS,
		.type = SEG_TYPE_TSS, .present = 1,
	};
	s->ldt = (struct vtxhv_segment){ .unusable = 1 };
	s->gdt = (struct vtxhv_dtable){ .base = gdt_base, .limit = gdt_limit };
	s->idt = (struct vtxhv_dtable){ .base = 0, .limit = 0 };
}

void x86_write_boot_gdt(uint8_t *p, uint64_t base, bool code64)
{
	uint64_t tss = base + GDT_TSS_OFFSET;

	memset(p, 0, GDT_TSS_OFFSET + TSS_LIMIT + 1);
	put64(p + SEL_CODE, code64 ? GDT_CODE64 : GDT_CODE32);
	put64(p + SEL_DATA, GDT_DATA);
	put64(p + SEL_TSS, GDT_TSS(tss));
	put64(p + SEL_TSS + 8, tss >> 32);	/* long mode: base 63:32 */
}

uint64_t identity_map_bytes(uint64_t map_size)
{
	if (!map_size || map_size > MAX_IDENTITY)
		return 0;
	/* PML4, PDPT, and one page directory per GiB */
	return (2 + (map_size + GiB - 1) / GiB) * PAGE_SIZE;
}

long build_identity_map(uint8_t *ram, size_t ram_size, uint64_t table_addr,
			uint64_t map_size)
{
	uint64_t bytes = identity_map_bytes(map_size);
	uint64_t pdpt = table_addr + PAGE_SIZE;
	uint64_t pd = table_addr + 2 * PAGE_SIZE;
	uint64_t npd, npages, i;

	/* [table_addr, + bytes) inside RAM, safe against wrap-around */
	if (!bytes || table_addr % PAGE_SIZE || bytes > ram_size ||
	    table_addr > ram_size - bytes)
		return -1;
	memset(ram + table_addr, 0, bytes);

	put64(ram + table_addr, pdpt | X86_PTE_P | X86_PTE_RW);
	npd = bytes / PAGE_SIZE - 2;
	for (i = 0; i < npd; i++)
		put64(ram + pdpt + i * 8,
		      (pd + i * PAGE_SIZE) | X86_PTE_P | X86_PTE_RW);
	/* The page directories are contiguous: one array of 2 MiB entries. */
	npages = (map_size + LARGE_PAGE - 1) / LARGE_PAGE;
	for (i = 0; i < npages; i++)
		put64(ram + pd + i * 8,
		      i * LARGE_PAGE | X86_PTE_P | X86_PTE_RW | X86_PTE_PS);
	return bytes;
}

/* names[v], or "?" past the table or where it has none. */
static const char *name_of(const char *const *names, size_t n, uint32_t v)
{
	return v < n && names[v] ? names[v] : "?";
}

const char *exit_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		[VTXHV_EXIT_UNKNOWN] = "UNKNOWN",
		[VTXHV_EXIT_IO] = "IO",
		[VTXHV_EXIT_MMIO] = "MMIO",
		[VTXHV_EXIT_HLT] = "HLT",
		[VTXHV_EXIT_HYPERCALL] = "HYPERCALL",
		[VTXHV_EXIT_SHUTDOWN] = "SHUTDOWN",
		[VTXHV_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[VTXHV_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[VTXHV_EXIT_INTR] = "INTR",
		[VTXHV_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	};

	return name_of(names, sizeof(names) / sizeof(names[0]), reason);
}

const char *paging_name(uint32_t paging)
{
	static const char *const names[] = {
		[VTXHV_PAGING_EPT] = "ept",
		[VTXHV_PAGING_VTLB] = "vtlb",
		[VTXHV_PAGING_SHADOW] = "shadow",
	};

	return name_of(names, sizeof(names) / sizeof(names[0]), paging);
}
