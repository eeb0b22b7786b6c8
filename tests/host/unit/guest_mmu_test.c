// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the guest page walk of vtxctl's gdb stub
 * (userspace/guest_mmu.c): page tables of each format built here by hand
 * in a small RAM buffer, and the translations the SDM gives for them (no
 * paging, 32-bit with 4 KiB and 4 MiB pages and PSE-36, PAE with 4 KiB and
 * 2 MiB pages, 4-level with 4 KiB, 2 MiB and 1 GiB pages), the faults
 * (not present, non-canonical, a table outside RAM, PS in a PML4E), and
 * reads and writes that cross pages, all or nothing.  TAP 13.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest_mmu.h"
#include "x86.h"
#include "vtxhv_test.h"

#define RAM_SIZE	(64 * 4096)
#define P		X86_PTE_P
#define RW		X86_PTE_RW
#define PS		X86_PTE_PS

static uint8_t ram[RAM_SIZE];
static struct guest_mmu mmu;

static void pte32(uint64_t gpa, uint32_t v)
{
	memcpy(ram + gpa, &v, 4);
}

static void pte64(uint64_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, 8);
}

/* Translate, expecting success: the gpa, or ~0 on a fault. */
static uint64_t tr(uint64_t gva, uint64_t *left)
{
	uint64_t gpa;

	if (guest_mmu_translate(&mmu, gva, &gpa, left))
		return ~0ULL;
	return gpa;
}

static void setup(void)
{
	memset(ram, 0, sizeof(ram));
	memset(&mmu, 0, sizeof(mmu));
	mmu.ram = ram;
	mmu.ram_size = RAM_SIZE;
}

static bool no_paging(void)
{
	uint64_t left;

	mmu.cr0 = X86_CR0_PE;
	CHECK_EQ(tr(0x12345, &left), 0x12345);
	CHECK_EQ(left, 0x1000 - 0x345);
	/* Linear addresses are 32 bits wide without paging. */
	CHECK_EQ(tr(0x100012345ULL, NULL), 0x12345);
	return true;
}

/* 32-bit: PD at 0x1000, PT at 0x2000; 0x00400000 a 4 MiB page. */
static bool paging_32bit(void)
{
	uint64_t left;

	mmu.cr0 = X86_CR0_PE | X86_CR0_PG;
	mmu.cr3 = 0x1000;
	pte32(0x1000 + 0 * 4, 0x2000 | P | RW);
	pte32(0x2000 + 5 * 4, 0x7000 | P);		/* 0x5000 -> 0x7000 */
	pte32(0x1000 + 1 * 4, 0x00800000 | P | PS);	/* 4 MiB */
	pte32(0x1000 + 2 * 4, 0x00c00000 | (0x12 << 13) | P | PS);
	CHECK_EQ(tr(0x5abc, &left), 0x7abc);
	CHECK_EQ(left, 0x1000 - 0xabc);
	CHECK_EQ(tr(0x6000, NULL), ~0ULL);		/* PTE not present */
	CHECK_EQ(tr(0x00c00000, NULL), ~0ULL);		/* PDE not present */
	/* Without CR4.PSE the PS bit is ignored: 0x800000 is a table. */
	CHECK_EQ(tr(0x00400000, NULL), ~0ULL);
	mmu.cr4 = X86_CR4_PSE;
	CHECK_EQ(tr(0x00412345, &left), 0x00812345);
	CHECK_EQ(left, 0x400000 - 0x12345);
	/* PSE-36: PDE bits 20:13 are physical bits 39:32. */
	CHECK_EQ(tr(0x00800010, NULL), 0x1200c00010ULL);
	/* The upper 32 bits of a gva are not looked at. */
	CHECK_EQ(tr(0xffffffff00005abcULL, NULL), 0x7abc);
	return true;
}

/* PAE: PDPT at 0x1020 (32-byte aligned), PD 0x2000, PT 0x3000. */
static bool paging_pae(void)
{
	mmu.cr0 = X86_CR0_PE | X86_CR0_PG;
	mmu.cr4 = X86_CR4_PAE;
	mmu.cr3 = 0x1020;
	pte64(0x1020 + 3 * 8, 0x2000 | P);		/* 3-4 GiB */
	pte64(0x2000 + 1 * 8, 0x3000 | P | RW);		/* 0xc0200000 */
	pte64(0x3000 + 2 * 8, 0x123456000ULL | P);	/* above 4 GiB */
	pte64(0x2000 + 2 * 8, 0x00600000 | P | PS);	/* 2 MiB */
	CHECK_EQ(tr(0xc0202010, NULL), 0x123456010ULL);
	CHECK_EQ(tr(0xc0412345, NULL), 0x612345);
	CHECK_EQ(tr(0x00202010, NULL), ~0ULL);		/* PDPTE 0 absent */
	CHECK_EQ(tr(0xc0203000, NULL), ~0ULL);
	return true;
}

/* 4-level: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
static void build_4level(void)
{
	mmu.cr0 = X86_CR0_PE | X86_CR0_PG;
	mmu.cr4 = X86_CR4_PAE;
	mmu.efer = EFER_LME | EFER_LMA;
	mmu.cr3 = 0x1000;
	pte64(0x1000 + 511 * 8, 0x2000 | P | RW);	/* the top 512 GiB */
	pte64(0x2000 + 510 * 8, 0x3000 | P | RW);	/* 0xffffffff80000000 */
	pte64(0x3000 + 0 * 8, 0x4000 | P | RW);
	pte64(0x4000 + 1 * 8, 0x9000 | P | RW);
	pte64(0x4000 + 2 * 8, 0xa000 | P | RW);
	pte64(0x3000 + 1 * 8, 0x00200000 | P | RW | PS);	/* 2 MiB */
	pte64(0x2000 + 0 * 8, 0x40000000 | P | RW | PS);	/* 1 GiB */
	pte64(0x1000 + 0 * 8, 0x5000 | P | RW | PS);	/* PS: reserved */
}

static bool paging_4level(void)
{
	uint64_t left;

	build_4level();
	CHECK_EQ(tr(0xffffffff80001008ULL, &left), 0x9008);
	CHECK_EQ(left, 0xff8);
	CHECK_EQ(tr(0xffffffff80234567ULL, &left), 0x234567);
	CHECK_EQ(left, 0x200000 - 0x34567);
	CHECK_EQ(tr(0xffffff8012345678ULL, &left), 0x52345678);
	CHECK_EQ(left, 0x40000000 - 0x12345678);
	CHECK_EQ(tr(0xffffffff80003000ULL, NULL), ~0ULL);	/* no PTE */
	CHECK_EQ(tr(0x0000000000001000ULL, NULL), ~0ULL);	/* PS in PML4E */
	CHECK_EQ(tr(0x0000800000000000ULL, NULL), ~0ULL);	/* canonical? */
	CHECK_EQ(tr(0x7fff80001000ULL, NULL), ~0ULL);		/* PML4E 255 */
	return true;
}

static bool table_outside_ram(void)
{
	build_4level();
	pte64(0x4000 + 3 * 8, 0x9000 | P);
	pte64(0x3000 + 2 * 8, (uint64_t)RAM_SIZE | P);	/* PT beyond RAM */
	CHECK_EQ(tr(0xffffffff80003000ULL, NULL), 0x9000);
	CHECK_EQ(tr(0xffffffff80400000ULL, NULL), ~0ULL);
	mmu.cr3 = RAM_SIZE;
	CHECK_EQ(tr(0xffffffff80003000ULL, NULL), ~0ULL);
	return true;
}

/* Reads and writes across two pages that are not contiguous. */
static bool read_write_across_pages(void)
{
	uint8_t buf[16], want[16];
	int i;

	build_4level();
	for (i = 0; i < 16; i++)
		want[i] = 0xa0 + i;
	CHECK_EQ(guest_mmu_write(&mmu, 0xffffffff80001ff8ULL, want, 16), 0);
	CHECK(!memcmp(ram + 0x9ff8, want, 8));
	CHECK(!memcmp(ram + 0xa000, want + 8, 8));
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(guest_mmu_read(&mmu, 0xffffffff80001ff8ULL, buf, 16), 0);
	CHECK(!memcmp(buf, want, 16));
	/* Into the unmapped page after 0xa000's: nothing is written. */
	memset(want, 0x55, sizeof(want));
	CHECK_EQ(guest_mmu_write(&mmu, 0xffffffff80002ff8ULL, want, 16),
		 -EFAULT);
	CHECK_EQ(ram[0xaff8], 0);
	CHECK_EQ(guest_mmu_read(&mmu, 0xffffffff80002ff8ULL, buf, 16),
		 -EFAULT);
	/* A mapping whose page is partly beyond RAM. */
	pte64(0x4000 + 4 * 8, (RAM_SIZE - 0x1000) | P);
	pte64(0x4000 + 5 * 8, (uint64_t)RAM_SIZE | P);
	CHECK_EQ(guest_mmu_read(&mmu, 0xffffffff80004ff8ULL, buf, 8), 0);
	CHECK_EQ(guest_mmu_read(&mmu, 0xffffffff80004ff8ULL, buf, 9),
		 -EFAULT);
	CHECK_EQ(guest_mmu_read(&mmu, 0xffffffff80001000ULL, buf, 0), 0);
	return true;
}

static const struct test_case tests[] = {
	TEST(no_paging),
	TEST(paging_32bit),
	TEST(paging_pae),
	TEST(paging_4level),
	TEST(table_outside_ram),
	TEST(read_write_across_pages),
};

int main(void)
{
	return run_test_cases(tests, NTESTS(tests), setup);
}
