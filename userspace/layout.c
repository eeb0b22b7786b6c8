// SPDX-License-Identifier: GPL-2.0
/*
 * The loader's placement planner: every range a load puts in guest RAM is
 * a part of one struct layout, placed here before anything is written, so
 * that no part has to work out where another went.  The parts of the
 * guest's mode (the identity map, the stack, the GDT) are planned and
 * written here too.
 */
#include <string.h>

#include "loader_int.h"

#define LARGE_PAGE	(2 * MiB)
#define MAX_IDENTITY	(512 * GiB)	/* what one PDPT covers */

/* Paging-structure entry bits (Intel SDM Vol. 3A, 4.5). */
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)	/* in a PDE: maps a 2 MiB page */

/* Descriptors: base 0, limit 4 GiB, present, accessed (SDM Vol. 3A 3.4.5). */
#define GDT_CODE32	0x00cf9b000000ffffULL	/* execute/read, D */
#define GDT_CODE64	0x00af9b000000ffffULL	/* execute/read, L */
#define GDT_DATA	0x00cf93000000ffffULL	/* read/write, B */
#define GDT_TSS_BUSY	0x8bULL			/* P, type 11: busy TSS */

void layout_init(struct layout *l, uint64_t ram_size)
{
	memset(l, 0, sizeof(*l));
	l->ram_size = ram_size;
}

/* The part [lo, hi) overlaps, or NULL; empty ranges overlap nothing. */
static const struct guest_range *layout_overlap(const struct layout *l,
						uint64_t lo, uint64_t hi)
{
	const struct guest_range *r;

	if (lo >= hi)
		return NULL;
	for (r = l->part; r < l->part + LAYOUT_NR; r++)
		if (r->lo < r->hi && lo < r->hi && r->lo < hi)
			return r;
	return NULL;
}

bool layout_is_free(const struct layout *l, uint64_t lo, uint64_t hi)
{
	return !layout_overlap(l, lo, hi);
}

void layout_reserve(struct layout *l, enum layout_part p, uint64_t lo,
		    uint64_t hi)
{
	l->part[p].lo = lo;
	l->part[p].hi = hi;
}

/*
 * Each collision moves the candidate past the part it hit, so the search
 * ends after at most one step per part.
 */
int layout_first_fit(struct layout *l, enum layout_part p, uint64_t size,
		     uint64_t lo, uint64_t hi)
{
	const struct guest_range *r;
	uint64_t a = align_up(lo, PAGE_SIZE);

	hi = min_u64(hi, l->ram_size);
	while (fits(a, size, hi)) {
		r = layout_overlap(l, a, a + size);
		if (!r) {
			layout_reserve(l, p, a, a + size);
			return 0;
		}
		a = align_up(r->hi, PAGE_SIZE);
	}
	return -1;
}

/* ---- The parts of the guest's mode -------------------------------------- */

/* Long mode needs paging: an identity map of RAM below 4 GiB. */
static int plan_tables(struct loader *ld)
{
	struct layout *l = &ld->res->layout;
	const struct guest_range *image = &l->part[LAYOUT_IMAGE];
	uint64_t size = identity_map_bytes(min_u64(ld->ram_size, 4 * GiB));

	if (ld->res->mode != MODE_LONG)
		return 0;
	if (layout_first_fit(l, LAYOUT_TABLES, size, LOADER_LOW_BASE,
			     4 * GiB))
		return fail(ld, "no room in guest RAM (%s) for the %s of long-mode page tables next to the image at 0x%llx-0x%llx",
			    size_str(ld->ram_size).s, size_str(size).s,
			    (unsigned long long)image->lo,
			    (unsigned long long)image->hi);
	ld->res->cr3 = l->part[LAYOUT_TABLES].lo;
	return 0;
}

static void plan_stack(struct loader *ld)
{
	struct layout *l = &ld->res->layout;
	uint64_t top, size;

	if (ld->res->mode == MODE_REAL) {
		top = LOADER_STACK_REAL;
		size = LOADER_STACK_SIZE_REAL;
	} else {
		top = min_u64(ld->ram_size, 4 * GiB) & ~15ULL;
		size = LOADER_STACK_SIZE;
	}
	if (top < size || top > ld->ram_size ||
	    !layout_is_free(l, top - size, top))
		return;
	layout_reserve(l, LAYOUT_STACK, top - size, top);
	ld->res->stack = top;
}

/* A page for the GDT and TSS that no other part uses (see loader.h). */
static int plan_gdt(struct loader *ld)
{
	struct layout *l = &ld->res->layout;

	if (ld->res->mode == MODE_REAL)
		return 0;
	if (layout_first_fit(l, LAYOUT_GDT, PAGE_SIZE, LOADER_LOW_END,
			     4 * GiB) &&
	    layout_first_fit(l, LAYOUT_GDT, PAGE_SIZE, PAGE_SIZE, 4 * GiB))
		return fail(ld, "no free 4 KiB page in guest RAM for the GDT: give more memory");
	ld->res->gdt = l->part[LAYOUT_GDT].lo;
	return 0;
}

int plan_mode_parts(struct loader *ld)
{
	if (plan_tables(ld))
		return -1;
	plan_stack(ld);
	return plan_gdt(ld);
}

static void write_gdt(struct loader *ld)
{
	uint64_t gdt = ld->res->gdt;
	uint64_t tss = gdt + GDT_TSS_OFFSET;
	uint8_t *p = ld->ram + gdt;

	memset(p, 0, PAGE_SIZE);
	put64(p + SEL_CODE, ld->res->mode == MODE_LONG ? GDT_CODE64 :
							GDT_CODE32);
	put64(p + SEL_DATA, GDT_DATA);
	/* System descriptor (SDM Vol. 3A 7.2.2); 64-bit: base 63:32 after. */
	put64(p + SEL_TSS, TSS_LIMIT | (tss & 0xffffff) << 16 |
			   GDT_TSS_BUSY << 40 | (tss >> 24 & 0xff) << 56);
	put64(p + SEL_TSS + 8, tss >> 32);
}

void write_mode_parts(struct loader *ld)
{
	const struct load_result *res = ld->res;

	if (res->cr3)
		build_identity_map(ld->ram, ld->ram_size, res->cr3,
				   min_u64(ld->ram_size, 4 * GiB));
	if (res->gdt)
		write_gdt(ld);
}

/* ---- The long-mode identity map ----------------------------------------- */

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

	if (!bytes || table_addr % PAGE_SIZE ||
	    !fits(table_addr, bytes, ram_size))
		return -1;
	memset(ram + table_addr, 0, bytes);

	put64(ram + table_addr, pdpt | PTE_P | PTE_RW);
	npd = bytes / PAGE_SIZE - 2;
	for (i = 0; i < npd; i++)
		put64(ram + pdpt + i * 8,
		      (pd + i * PAGE_SIZE) | PTE_P | PTE_RW);
	/* The page directories are contiguous: one array of 2 MiB entries. */
	npages = (map_size + LARGE_PAGE - 1) / LARGE_PAGE;
	for (i = 0; i < npages; i++)
		put64(ram + pd + i * 8,
		      i * LARGE_PAGE | PTE_P | PTE_RW | PTE_PS);
	return bytes;
}
