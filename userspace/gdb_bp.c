// SPDX-License-Identifier: GPL-2.0
/*
 * The gdb stub's breakpoints (gdb_bp.h): INT3 bytes in guest memory, and
 * DR0-DR3/DR7 as the Intel SDM Vol. 3B 18.2 lays them out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gdb_bp.h"
#include "gdb_rsp.h"

/* ---- Software breakpoints ------------------------------------------------ */

static struct gdb_sw_bp *sw_find(struct gdb_bps *b, uint64_t gpa)
{
	int i;

	for (i = 0; i < GDB_BP_MAX_SW; i++)
		if (b->sw[i].used && b->sw[i].gpa == gpa)
			return &b->sw[i];
	return NULL;
}

int gdb_bp_sw_insert(struct gdb_bps *b, const struct guest_mmu *m,
		     uint64_t gva)
{
	struct gdb_sw_bp *bp;
	uint64_t gpa;
	int i;

	if (guest_mmu_translate(m, gva, &gpa, NULL) || gpa >= m->ram_size)
		return -EFAULT;
	if (sw_find(b, gpa))
		return 0;
	for (i = 0; i < GDB_BP_MAX_SW && b->sw[i].used; i++)
		;
	if (i == GDB_BP_MAX_SW)
		return -ENOSPC;
	bp = &b->sw[i];
	bp->used = true;
	bp->gva = gva;
	bp->gpa = gpa;
	bp->orig = m->ram[gpa];
	m->ram[gpa] = GDB_BP_INT3;
	return 0;
}

/*
 * The byte back, unless the guest wrote over our INT3 meanwhile (Linux
 * patches its own text): its write wins.
 */
static void restore(const struct gdb_sw_bp *bp, const struct guest_mmu *m)
{
	if (m->ram[bp->gpa] == GDB_BP_INT3)
		m->ram[bp->gpa] = bp->orig;
}

int gdb_bp_sw_remove(struct gdb_bps *b, const struct guest_mmu *m,
		     uint64_t gva)
{
	struct gdb_sw_bp *bp = NULL;
	uint64_t gpa;
	int i;

	if (!guest_mmu_translate(m, gva, &gpa, NULL))
		bp = sw_find(b, gpa);
	/* Its mapping went away: the one inserted at that address. */
	for (i = 0; !bp && i < GDB_BP_MAX_SW; i++)
		if (b->sw[i].used && b->sw[i].gva == gva)
			bp = &b->sw[i];
	if (!bp)
		return -ENOENT;
	restore(bp, m);
	bp->used = false;
	return 0;
}

void gdb_bp_sw_remove_all(struct gdb_bps *b, const struct guest_mmu *m)
{
	int i;

	for (i = 0; i < GDB_BP_MAX_SW; i++) {
		if (b->sw[i].used)
			restore(&b->sw[i], m);
		b->sw[i].used = false;
	}
}

bool gdb_bp_sw_at(const struct gdb_bps *b, uint64_t gpa)
{
	return sw_find((struct gdb_bps *)b, gpa);
}

bool gdb_bp_sw_any(const struct gdb_bps *b)
{
	int i;

	for (i = 0; i < GDB_BP_MAX_SW; i++)
		if (b->sw[i].used)
			return true;
	return false;
}

/*
 * The breakpoint at @bp, if it lies in [gva, gva + len) and that address
 * still maps its byte: its offset in the range, else -1.
 */
static long sw_in_range(const struct gdb_sw_bp *bp, const struct guest_mmu *m,
			uint64_t gva, size_t len)
{
	uint64_t gpa;

	if (!bp->used || bp->gva - gva >= len ||
	    guest_mmu_translate(m, bp->gva, &gpa, NULL) || gpa != bp->gpa)
		return -1;
	return bp->gva - gva;
}

int gdb_bp_read(const struct gdb_bps *b, const struct guest_mmu *m,
		uint64_t gva, void *buf, size_t len)
{
	int i, ret;
	long off;

	ret = guest_mmu_read(m, gva, buf, len);
	for (i = 0; !ret && i < GDB_BP_MAX_SW; i++) {
		off = sw_in_range(&b->sw[i], m, gva, len);
		if (off >= 0)
			((uint8_t *)buf)[off] = b->sw[i].orig;
	}
	return ret;
}

int gdb_bp_write(struct gdb_bps *b, const struct guest_mmu *m, uint64_t gva,
		 const void *buf, size_t len)
{
	int i, ret;
	long off;

	ret = guest_mmu_write(m, gva, buf, len);
	for (i = 0; !ret && i < GDB_BP_MAX_SW; i++) {
		off = sw_in_range(&b->sw[i], m, gva, len);
		if (off < 0)
			continue;
		b->sw[i].orig = ((const uint8_t *)buf)[off];
		m->ram[b->sw[i].gpa] = GDB_BP_INT3;
	}
	return ret;
}

/* ---- Debug registers ------------------------------------------------------ */

/* The largest aligned piece at @addr of at most @len bytes. */
static unsigned int piece_len(uint64_t addr, uint64_t len)
{
	unsigned int n = 8;

	while (n > 1 && ((addr & (n - 1)) || n > len))
		n /= 2;
	return n;
}

int gdb_bp_hw_insert(struct gdb_bps *b, int type, uint64_t addr, int kind)
{
	int pieces = 0, free = 0, i;
	uint64_t a, end, len = type == GDB_BP_HW ? 1 : (uint64_t)kind;

	if (type == GDB_WATCH_READ)
		return -EOPNOTSUPP;
	if (type != GDB_BP_HW && type != GDB_WATCH_WRITE &&
	    type != GDB_WATCH_ACCESS)
		return -EINVAL;
	if (!len || len > 32 || addr + len - 1 < addr)
		return -EINVAL;
	end = addr + len;
	for (a = addr; a < end; a += piece_len(a, end - a))
		pieces++;
	for (i = 0; i < GDB_BP_NSLOTS; i++)
		free += !b->hw[i].used;
	if (pieces > free)
		return -ENOSPC;
	for (a = addr, i = 0; a < end; i++) {
		struct gdb_hw_slot *s = &b->hw[i];

		if (s->used)
			continue;
		s->used = true;
		s->type = type;
		s->addr = a;
		s->len = piece_len(a, end - a);
		s->req_addr = addr;
		s->req_kind = kind;
		a += s->len;
	}
	return 0;
}

int gdb_bp_hw_remove(struct gdb_bps *b, int type, uint64_t addr, int kind)
{
	bool found = false;
	int i;

	for (i = 0; i < GDB_BP_NSLOTS; i++) {
		struct gdb_hw_slot *s = &b->hw[i];

		if (s->used && s->type == type && s->req_addr == addr &&
		    (type == GDB_BP_HW || s->req_kind == kind)) {
			s->used = false;
			found = true;
		}
	}
	return found ? 0 : -ENOENT;
}

bool gdb_bp_hw_exec_at(const struct gdb_bps *b, uint64_t addr)
{
	int i;

	for (i = 0; i < GDB_BP_NSLOTS; i++)
		if (b->hw[i].used && b->hw[i].type == GDB_BP_HW &&
		    b->hw[i].addr == addr)
			return true;
	return false;
}

/*
 * DR7 (SDM Vol. 3B 18.2.4): G0-G3 enable each slot for every task; R/Wn
 * 00 execute, 01 write, 11 read or write; LENn 00 one byte, 01 two, 11
 * four, 10 eight.  GE asks for exact data breakpoints, which older CPUs
 * needed and newer ones ignore.
 */
uint64_t gdb_bp_debugregs(const struct gdb_bps *b, uint64_t dr[8])
{
	static const unsigned int len_bits[9] = {
		[1] = 0, [2] = 1, [4] = 3, [8] = 2,
	};
	uint64_t dr7 = 0;
	int i;

	memset(dr, 0, 8 * sizeof(dr[0]));
	for (i = 0; i < GDB_BP_NSLOTS; i++) {
		const struct gdb_hw_slot *s = &b->hw[i];
		unsigned int rw;

		if (!s->used)
			continue;
		rw = s->type == GDB_BP_HW ? 0 :
		     s->type == GDB_WATCH_WRITE ? 1 : 3;
		dr[i] = s->addr;
		dr7 |= 2ULL << (2 * i);
		dr7 |= (uint64_t)(rw | (s->type == GDB_BP_HW ? 0 :
					len_bits[s->len]) << 2) << (16 + 4 * i);
		if (rw)
			dr7 |= 1ULL << 9;	/* GE */
	}
	dr[7] = dr7;
	return dr7;
}

void gdb_bp_reason(const struct gdb_bps *b, uint64_t dr6, char *buf,
		   size_t size)
{
	const struct gdb_hw_slot *exec = NULL;
	int i;

	for (i = 0; i < GDB_BP_NSLOTS; i++) {
		const struct gdb_hw_slot *s = &b->hw[i];

		if (!(dr6 & (1ULL << i)) || !s->used)
			continue;
		if (s->type == GDB_BP_HW) {
			exec = s;
			continue;
		}
		snprintf(buf, size, "%s:%" PRIx64,
			 s->type == GDB_WATCH_WRITE ? "watch" : "awatch",
			 s->req_addr);
		return;
	}
	snprintf(buf, size, "%s", exec ? "hwbreak:" : "");
}
