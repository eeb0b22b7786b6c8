// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the breakpoints of vtxctl's gdb stub (userspace/
 * gdb_bp.c): INT3 bytes written and restored, hidden from memory reads
 * and kept under memory writes; debug-register slots, unaligned
 * watchpoints split as gdb's x86 code does, DR7 as the SDM encodes it,
 * and the stop reasons a DR6 gives.  Guest memory is identity-mapped
 * without paging.  TAP 13.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gdb_bp.h"
#include "gdb_rsp.h"
#include "x86.h"
#include "vtxhv_test.h"

#define RAM_SIZE	0x4000

static uint8_t ram[RAM_SIZE];
static struct guest_mmu mmu;
static struct gdb_bps bps;

static void setup(void)
{
	int i;

	for (i = 0; i < RAM_SIZE; i++)
		ram[i] = i & 0xff;
	memset(&bps, 0, sizeof(bps));
	memset(&mmu, 0, sizeof(mmu));
	mmu.cr0 = X86_CR0_PE;
	mmu.ram = ram;
	mmu.ram_size = RAM_SIZE;
}

static bool sw_insert_remove(void)
{
	CHECK_EQ(gdb_bp_sw_insert(&bps, &mmu, 0x1234), 0);
	CHECK_EQ(ram[0x1234], GDB_BP_INT3);
	CHECK(gdb_bp_sw_at(&bps, 0x1234));
	CHECK(gdb_bp_sw_any(&bps));
	/* Twice is once: removing it once restores the byte. */
	CHECK_EQ(gdb_bp_sw_insert(&bps, &mmu, 0x1234), 0);
	CHECK_EQ(gdb_bp_sw_remove(&bps, &mmu, 0x1234), 0);
	CHECK_EQ(ram[0x1234], 0x34);
	CHECK(!gdb_bp_sw_any(&bps));
	CHECK_EQ(gdb_bp_sw_remove(&bps, &mmu, 0x1234), -ENOENT);
	CHECK_EQ(gdb_bp_sw_insert(&bps, &mmu, RAM_SIZE), -EFAULT);
	/* The guest wrote over the INT3: its byte stays. */
	CHECK_EQ(gdb_bp_sw_insert(&bps, &mmu, 0x100), 0);
	ram[0x100] = 0x90;
	CHECK_EQ(gdb_bp_sw_remove(&bps, &mmu, 0x100), 0);
	CHECK_EQ(ram[0x100], 0x90);
	return true;
}

static bool sw_table_full(void)
{
	int i;

	for (i = 0; i < GDB_BP_MAX_SW; i++)
		CHECK_EQ(gdb_bp_sw_insert(&bps, &mmu, 0x2000 + i), 0);
	CHECK_EQ(gdb_bp_sw_insert(&bps, &mmu, 0x3000), -ENOSPC);
	gdb_bp_sw_remove_all(&bps, &mmu);
	for (i = 0; i < GDB_BP_MAX_SW; i++)
		CHECK_EQ(ram[0x2000 + i], i & 0xff);
	CHECK(!gdb_bp_sw_any(&bps));
	return true;
}

static bool reads_hide_int3(void)
{
	uint8_t buf[8];

	CHECK_EQ(gdb_bp_sw_insert(&bps, &mmu, 0x1002), 0);
	CHECK_EQ(gdb_bp_sw_insert(&bps, &mmu, 0x1007), 0);
	CHECK_EQ(gdb_bp_read(&bps, &mmu, 0x1000, buf, 8), 0);
	CHECK_EQ(buf[2], 0x02);
	CHECK_EQ(buf[7], 0x07);
	CHECK_EQ(ram[0x1002], GDB_BP_INT3);
	return true;
}

static bool writes_keep_int3(void)
{
	uint8_t buf[4] = { 0xa0, 0xa1, 0xa2, 0xa3 }, back[4];

	CHECK_EQ(gdb_bp_sw_insert(&bps, &mmu, 0x1001), 0);
	CHECK_EQ(gdb_bp_write(&bps, &mmu, 0x1000, buf, 4), 0);
	CHECK_EQ(ram[0x1000], 0xa0);
	CHECK_EQ(ram[0x1001], GDB_BP_INT3);
	CHECK_EQ(ram[0x1002], 0xa2);
	CHECK_EQ(gdb_bp_read(&bps, &mmu, 0x1000, back, 4), 0);
	CHECK(!memcmp(back, buf, 4));
	CHECK_EQ(gdb_bp_sw_remove(&bps, &mmu, 0x1001), 0);
	CHECK_EQ(ram[0x1001], 0xa1);
	return true;
}

static bool hw_slots_and_dr7(void)
{
	uint64_t dr[8];

	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_BP_HW, 0x1000, 1), 0);
	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_WATCH_WRITE, 0x2008, 8), 0);
	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_WATCH_ACCESS, 0x3002, 2), 0);
	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_WATCH_WRITE, 0x4004, 4), 0);
	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_BP_HW, 0x5000, 1), -ENOSPC);
	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_WATCH_READ, 0x5000, 4),
		 -EOPNOTSUPP);
	/*
	 * G0-G3 (bits 1, 3, 5, 7), GE (bit 9); slot 0 execute (0000), 1
	 * write 8 bytes (10 01), 2 access 2 bytes (01 11), 3 write 4
	 * bytes (11 01).
	 */
	CHECK_EQ(gdb_bp_debugregs(&bps, dr), 0xd79000aaULL | 1ULL << 9);
	CHECK_EQ(dr[0], 0x1000);
	CHECK_EQ(dr[1], 0x2008);
	CHECK_EQ(dr[2], 0x3002);
	CHECK_EQ(dr[3], 0x4004);
	CHECK(gdb_bp_hw_exec_at(&bps, 0x1000));
	CHECK(!gdb_bp_hw_exec_at(&bps, 0x2008));
	CHECK_EQ(gdb_bp_hw_remove(&bps, GDB_WATCH_WRITE, 0x2008, 8), 0);
	CHECK_EQ(gdb_bp_hw_remove(&bps, GDB_WATCH_WRITE, 0x2008, 8), -ENOENT);
	CHECK_EQ(gdb_bp_debugregs(&bps, dr) & 0xf0000f, 0x000002);
	CHECK_EQ(dr[1], 0);
	return true;
}

/* 7 bytes at 0x1003: 1 at 0x1003, 4 at 0x1004, and no third slot left. */
static bool hw_unaligned_split(void)
{
	uint64_t dr[8];

	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_BP_HW, 0x10, 1), 0);
	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_BP_HW, 0x20, 1), 0);
	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_WATCH_WRITE, 0x1003, 7), -ENOSPC);
	CHECK_EQ(gdb_bp_hw_remove(&bps, GDB_BP_HW, 0x20, 1), 0);
	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_WATCH_WRITE, 0x1003, 5), 0);
	gdb_bp_debugregs(&bps, dr);
	CHECK_EQ(dr[1], 0x1003);
	CHECK_EQ(dr[2], 0x1004);
	CHECK_EQ((dr[7] >> 20) & 0xff, 0xd1);	/* 1 byte, then 4 */
	/* Removing the request frees both pieces. */
	CHECK_EQ(gdb_bp_hw_remove(&bps, GDB_WATCH_WRITE, 0x1003, 5), 0);
	CHECK_EQ(gdb_bp_debugregs(&bps, dr), 2);
	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_WATCH_WRITE, 0x1000, 0), -EINVAL);
	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_WATCH_WRITE, ~0ULL, 2), -EINVAL);
	return true;
}

static bool stop_reasons(void)
{
	char r[64];

	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_BP_HW, 0x1000, 1), 0);
	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_WATCH_WRITE, 0x2001, 2), 0);
	CHECK_EQ(gdb_bp_hw_insert(&bps, GDB_WATCH_ACCESS, 0x3000, 4), 0);
	gdb_bp_reason(&bps, 1ULL << 14, r, sizeof(r));
	CHECK(!strcmp(r, ""));
	gdb_bp_reason(&bps, 0xffff0ff1, r, sizeof(r));
	CHECK(!strcmp(r, "hwbreak:"));
	/* The second piece of 0x2001's request: gdb's own address. */
	gdb_bp_reason(&bps, 0xffff0ff4, r, sizeof(r));
	CHECK(!strcmp(r, "watch:2001"));
	/* A watchpoint wins over a breakpoint in the same #DB. */
	gdb_bp_reason(&bps, 0xffff0ff9, r, sizeof(r));
	CHECK(!strcmp(r, "awatch:3000"));
	return true;
}

static const struct test_case tests[] = {
	TEST(sw_insert_remove),
	TEST(sw_table_full),
	TEST(reads_hide_int3),
	TEST(writes_keep_int3),
	TEST(hw_slots_and_dr7),
	TEST(hw_unaligned_split),
	TEST(stop_reasons),
};

int main(void)
{
	return run_test_cases(tests, NTESTS(tests), setup);
}
