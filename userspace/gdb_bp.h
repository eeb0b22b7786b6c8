/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The breakpoints and watchpoints of 'vtxctl run --gdb': software ones,
 * an INT3 (0xCC) written over a byte of guest memory that memory reads
 * show restored, and the four debug-register slots (DR0-DR3 and the DR7
 * that enables them) of hardware breakpoints and watchpoints, with the
 * stop reason gdb gets from a #DB's DR6.  No ioctl: run_gdb.c hands the
 * debug registers to VTXHV_SET_GUEST_DEBUG.  Unit-tested on the host.
 */
#ifndef VTXCTL_GDB_BP_H
#define VTXCTL_GDB_BP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_mmu.h"

#define GDB_BP_MAX_SW	64
#define GDB_BP_NSLOTS	4	/* DR0-DR3 */
#define GDB_BP_INT3	0xcc

struct gdb_sw_bp {
	bool used;
	uint8_t orig;		/* the byte the INT3 replaced */
	uint64_t gva, gpa;	/* where, as inserted */
};

/* A debug-register slot: one aligned piece of one gdb Z request. */
struct gdb_hw_slot {
	bool used;
	int type;		/* GDB_BP_HW, GDB_WATCH_WRITE, _ACCESS */
	uint64_t addr;		/* the piece: aligned to its length */
	unsigned int len;	/* 1, 2, 4 or 8 */
	uint64_t req_addr;	/* the request it belongs to */
	int req_kind;
};

struct gdb_bps {
	struct gdb_sw_bp sw[GDB_BP_MAX_SW];
	struct gdb_hw_slot hw[GDB_BP_NSLOTS];
};

/*
 * Software breakpoints at guest-virtual @gva, translated with @m.  Insert:
 * 0, -EFAULT (unmapped), -ENOSPC (table full); inserting one that is
 * there already is a success.  Remove: the byte back (unless the guest
 * wrote over the INT3), or -ENOENT.
 */
int gdb_bp_sw_insert(struct gdb_bps *b, const struct guest_mmu *m,
		     uint64_t gva);
int gdb_bp_sw_remove(struct gdb_bps *b, const struct guest_mmu *m,
		     uint64_t gva);
/* Put every replaced byte back (RAM from @m), forget them all. */
void gdb_bp_sw_remove_all(struct gdb_bps *b, const struct guest_mmu *m);
/* Is there one of ours at guest-physical @gpa? */
bool gdb_bp_sw_at(const struct gdb_bps *b, uint64_t gpa);
bool gdb_bp_sw_any(const struct gdb_bps *b);

/*
 * Memory as gdb must see it: guest_mmu_read() with the bytes under our
 * INT3s restored; guest_mmu_write() that keeps our INT3s in memory and
 * takes the written byte as the one to restore.
 */
int gdb_bp_read(const struct gdb_bps *b, const struct guest_mmu *m,
		uint64_t gva, void *buf, size_t len);
int gdb_bp_write(struct gdb_bps *b, const struct guest_mmu *m, uint64_t gva,
		 const void *buf, size_t len);

/*
 * A hardware breakpoint (GDB_BP_HW, one slot) or a watchpoint of @kind
 * bytes (GDB_WATCH_WRITE or GDB_WATCH_ACCESS: split into aligned pieces of
 * 1, 2, 4 or 8 bytes, a slot each, as gdb's own x86 code does).  Insert:
 * 0, -ENOSPC (not enough free slots: nothing taken), -EINVAL (a length of
 * 0 or above 32, an address range that wraps), -EOPNOTSUPP (read
 * watchpoints: x86 has none).  Remove: frees every slot of the request,
 * or -ENOENT.
 */
int gdb_bp_hw_insert(struct gdb_bps *b, int type, uint64_t addr, int kind);
int gdb_bp_hw_remove(struct gdb_bps *b, int type, uint64_t addr, int kind);
/* Is a hardware breakpoint (execute) set at @addr? */
bool gdb_bp_hw_exec_at(const struct gdb_bps *b, uint64_t addr);
/* DR0-DR3 in dr[0..3], DR7 in dr[7], zero elsewhere; returns DR7. */
uint64_t gdb_bp_debugregs(const struct gdb_bps *b, uint64_t dr[8]);
/*
 * The stop reason of a debugger #DB with @dr6: "watch:ADDR" or
 * "awatch:ADDR" (the watched address gdb asked for) if B0-B3 name a
 * watchpoint slot, else "hwbreak:" if they name a breakpoint slot, else
 * the empty string (a single step).  Written into @buf.
 */
void gdb_bp_reason(const struct gdb_bps *b, uint64_t dr6, char *buf,
		   size_t size);

#endif /* VTXCTL_GDB_BP_H */
