// SPDX-License-Identifier: GPL-2.0
/*
 * ept_large: EPT maps 2 MiB at once where a slot covers an aligned 2 MiB
 * backed by a huge page (the first touch pins all 512 pages and needs no
 * page table), and 4 KiB pages where it does not.  Observed through the
 * module's accounting in debugfs vtxhv/counts.
 */
#include <sys/mman.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define SLOT_GPA	0x8000000ULL	/* 128 MiB */
#define SLOT_SIZE	(4ULL << 20)

static void guest_touch(uint64_t gpa)
{
	(void)*(volatile uint8_t *)(gpa + 0x1000);
	GUEST_SYNC(1);
	(void)*(volatile uint8_t *)(gpa + 0x100000);
	GUEST_SYNC(2);
}

/* Slot 1 at SLOT_GPA, @offset bytes past a 2 MiB boundary in our memory. */
static void run_touch(size_t offset, long *pinned, long *tables)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	uint8_t *raw = mmap(NULL, SLOT_SIZE + (4 << 20), PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *mem = (uint8_t *)(((uintptr_t)raw + (2 << 20) - 1) &
				   ~((2UL << 20) - 1)) + offset;
	struct vtxhv_memory_region r = {
		.slot = 1, .guest_phys_addr = SLOT_GPA, .size = SLOT_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	long p0, e0;

	TEST_ASSERT(raw != MAP_FAILED, "mmap");
	madvise(mem - offset, SLOT_SIZE + (2 << 20), MADV_HUGEPAGE);
	TEST_ASSERT(!ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &r), "slot 1");
	tvm_setup_long_mode(t, guest_touch, SLOT_GPA);
	tvm_expect_ucall(t, UCALL_SYNC, 1);	/* warm: code, stack */
	p0 = tvm_module_count("pinned_pages");
	e0 = tvm_module_count("ept_pages");
	tvm_expect_ucall(t, UCALL_SYNC, 2);	/* the second touch */
	*pinned = tvm_module_count("pinned_pages") - p0;
	*tables = tvm_module_count("ept_pages") - e0;
	tvm_destroy(t);
	munmap(raw, SLOT_SIZE + (4 << 20));
}

#define THP "/sys/kernel/mm/transparent_hugepage/enabled"

static void thp_write(const char *mode)
{
	FILE *f = fopen(THP, "w");

	if (f) {
		fputs(mode, f);
		fclose(f);
	}
}

int main(void)
{
	long pinned, tables;
	char thp[128] = "";
	int restore = 0;
	FILE *f = fopen(THP, "r");

	/*
	 * A kernel built without huge pages (Debian's PREEMPT_RT one) cannot
	 * back a slot with them: a skip even under VTXHV_REQUIRE, which is
	 * about what the test VM provides, not what the kernel is.
	 */
	if (!f || !fgets(thp, sizeof(thp), f)) {
		printf("TAP version 13\n1..0 # SKIP this kernel has no transparent huge pages\n");
		return KSFT_SKIP;
	}
	fclose(f);
	/* Huge pages on request (madvise) for this test only. */
	if (strstr(thp, "[never]")) {
		thp_write("madvise");
		restore = 1;
	}
	test_plan(2);

	/*
	 * The guest touches the slot at +4 KiB, then at +1 MiB: in the same
	 * 2 MiB.  After a 2 MiB mapping the second touch pins nothing and
	 * needs no table; after a 4 KiB one it pins one more page.
	 */
	run_touch(0, &pinned, &tables);
	printf("# aligned, huge page: second touch pinned %ld, tables %ld\n",
	       pinned, tables);
	test_result(TEST_CHECK(pinned == 0 && tables == 0,
			       "pinned %ld tables %ld", pinned, tables),
		    "aligned_slot_mapped_2mib_at_once");
	run_touch(4096, &pinned, &tables);
	printf("# misaligned by 4 KiB: second touch pinned %ld, tables %ld\n",
	       pinned, tables);
	test_result(TEST_CHECK(pinned == 1, "pinned %ld", pinned),
		    "misaligned_slot_mapped_4kib");
	if (restore)
		thp_write("never");
	test_finish();
}
