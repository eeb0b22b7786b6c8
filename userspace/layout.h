/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loader's placement planner: the one record of where each part of a
 * load goes in guest RAM (struct layout, in loader.h).  A format places its
 * parts through it, at the address the format dictates or in the first
 * free room of a window; plan_mode_parts() then adds what the guest's mode
 * needs.  Nothing is written before every part is placed.
 */
#ifndef VTXCTL_LAYOUT_H
#define VTXCTL_LAYOUT_H

#include "loader.h"

struct loader;

void layout_init(struct layout *l, uint64_t ram_size);

/* Is [lo, hi) clear of every part placed so far?  An empty range is. */
bool layout_is_free(const struct layout *l, uint64_t lo, uint64_t hi);

/*
 * Part p at [lo, hi), where the format puts it.  The caller has checked
 * that it lies in RAM and, where it has to be, that it is free.
 */
void layout_reserve(struct layout *l, enum layout_part p, uint64_t lo,
		    uint64_t hi);

/*
 * Part p at the first 4 KiB-aligned size bytes of [lo, hi) that lie in RAM
 * and are free.  Returns 0, or -1 if there are none; its start is then
 * l->part[p].lo.
 */
int layout_first_fit(struct layout *l, enum layout_part p, uint64_t size,
		     uint64_t lo, uint64_t hi);

/*
 * After the format's parts, what the guest's mode needs: long mode's page
 * tables (res->cr3), the stack (res->stack, where there is room) and the
 * GDT of protected and long mode (res->gdt).  Returns 0, or -1 with a
 * message.  write_mode_parts() writes the tables and the GDT.
 */
int plan_mode_parts(struct loader *ld);
void write_mode_parts(struct loader *ld);

#endif /* VTXCTL_LAYOUT_H */
