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


/* Paging-structure entry bits (Intel SDM Vol. 3A, 4.5). */

/* Descriptors: base 0, limit 4 GiB, present, accessed (SDM Vol. 3A 3.4.5). */

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

	memset(ld->ram + gdt, 0, PAGE_SIZE);
	x86_write_boot_gdt(ld->ram + gdt, gdt, ld->res->mode == MODE_LONG);
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
