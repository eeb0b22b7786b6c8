// SPDX-License-Identifier: GPL-2.0
/*
 * exit_costs: what an exit costs, measured with RDTSC inside the guest (in
 * the Bochs test VM RDTSC counts emulated instructions, so the figures
 * repeat): a CPUID round trip handled in the kernel, a port write and an
 * MMIO write handled here in userspace, and the first touch of a fresh
 * page, a memory-bound loop with no exits, and a guest context switch (a
 * CR3 load, then touching 16 pages of the new address space).  Prints the
 * figures; fails only if an exit goes wrong.  With --kvm the same guest
 * runs on Linux's KVM instead (make bench).
 */
#include "tvm.h"
#include "vtxhv_test.h"

#define LOOPS		1000
#define BENCH_PORT	0xe5
#define FRESH		0x2000000ULL	/* 32 MiB: never touched before */
#define FRESH_PAGES	256
#define LOOP_BUF	0x1000000ULL	/* 16 MiB: the exit-free loop's data */
#define LOOP_BYTES	(256ULL << 10)
#define LOOP_ROUNDS	8
#define AS_BASE		0x100000ULL	/* four address spaces, 4 pages each */
#define AS_NR		4
#define AS_VA		GUEST_AS_VA
#define SWITCHES	1000

/*
 * Address space @n: 16 pages at AS_VA, tables at AS_BASE + n * 16 KiB,
 * data at 8 MiB + n * 64 KiB.
 */
static uint64_t make_address_space(int n)
{
	return guest_make_as(AS_BASE + n * 0x4000, 0x800000 + n * 0x10000, 16);
}

static void guest_code(uint64_t arg)
{
	uint32_t a, b, c, d;
	uint64_t t0, t1, i;

	(void)arg;
	cpuid(0, 0, &a, &b, &c, &d);	/* warm up */
	t0 = rdtsc();
	for (i = 0; i < LOOPS; i++)
		cpuid(0, 0, &a, &b, &c, &d);
	t1 = rdtsc();
	GUEST_SYNC(t1 - t0);

	outb(BENCH_PORT, 0);
	t0 = rdtsc();
	for (i = 0; i < LOOPS; i++)
		outb(BENCH_PORT, i);
	t1 = rdtsc();
	GUEST_SYNC(t1 - t0);

	*(volatile uint32_t *)0xc0000000ULL = 0;
	t0 = rdtsc();
	for (i = 0; i < LOOPS; i++)
		*(volatile uint32_t *)0xc0000000ULL = i;
	t1 = rdtsc();
	GUEST_SYNC(t1 - t0);

	t0 = rdtsc();
	for (i = 0; i < FRESH_PAGES; i++)
		*(volatile uint64_t *)(FRESH + i * 4096) = i;
	t1 = rdtsc();
	GUEST_SYNC(t1 - t0);

	{
		volatile uint64_t *buf = (volatile uint64_t *)LOOP_BUF;
		uint64_t sum = 0, r;

		for (i = 0; i < LOOP_BYTES / 8; i++)	/* fault it in */
			buf[i] = i;
		t0 = rdtsc();
		for (r = 0; r < LOOP_ROUNDS; r++)
			for (i = 0; i < LOOP_BYTES / 8; i++)
				sum += buf[i];
		t1 = rdtsc();
		GUEST_ASSERT_EQ(sum, LOOP_ROUNDS * ((LOOP_BYTES / 8) *
						    (LOOP_BYTES / 8 - 1) / 2));
		GUEST_SYNC(t1 - t0);
	}

	{
		uint64_t as[AS_NR], boot_cr3, n, p;

		__asm__ volatile("mov %%cr3, %0" : "=r"(boot_cr3));
		for (n = 0; n < AS_NR; n++) {
			as[n] = make_address_space(n);
			__asm__ volatile("mov %0, %%cr3" : : "r"(as[n]));
			for (p = 0; p < 16; p++)	/* fault in, tag */
				*(volatile uint64_t *)(AS_VA + p * 4096) = n;
		}
		t0 = rdtsc();
		for (i = 0; i < SWITCHES; i++) {
			n = i % AS_NR;
			__asm__ volatile("mov %0, %%cr3" : : "r"(as[n])
					 : "memory");
			for (p = 0; p < 16; p++)
				GUEST_ASSERT_EQ(*(volatile uint64_t *)
						(AS_VA + p * 4096), n);
		}
		t1 = rdtsc();
		__asm__ volatile("mov %0, %%cr3" : : "r"(boot_cr3));
		GUEST_SYNC(t1 - t0);
	}
}

/* Run to the next ucall, answering port and MMIO exits at once. */
static uint64_t next_figure(struct tvm *t, unsigned int *exits)
{
	struct ucall uc;

	*exits = 0;
	for (;;) {
		tvm_run_ok(t);
		if (t->run->exit_reason == VTXHV_EXIT_MMIO ||
		    (t->run->exit_reason == VTXHV_EXIT_IO &&
		     t->run->io.port == BENCH_PORT)) {
			(*exits)++;
			continue;
		}
		TEST_ASSERT(t->run->exit_reason == VTXHV_EXIT_IO &&
			    t->run->io.port == UCALL_PORT, "exit %s",
			    exit_reason_name(t->run->exit_reason));
		tvm_ucall_at(t, t->run, &uc);
		TEST_ASSERT(uc.cmd == UCALL_SYNC, "ucall %lu",
			    (unsigned long)uc.cmd);
		return uc.args[0];
	}
}

int main(int argc, char **argv)
{
	struct tvm *t;
	unsigned int exits;
	uint64_t ticks;

	tvm_use_kvm = argc > 1 && !strcmp(argv[1], "--kvm");
	t = tvm_create(TVM_DEFAULT_MEM);
	test_plan(6);
	tvm_set_cpuid_host(t);
	tvm_setup_long_mode(t, guest_code, 0);

	ticks = next_figure(t, &exits);
	printf("# figure cpuid_round_trip_ticks %lu\n",
	       (unsigned long)(ticks / LOOPS));
	test_result(exits == 0, "cpuid_in_kernel");

	ticks = next_figure(t, &exits);
	printf("# figure port_write_round_trip_ticks %lu\n",
	       (unsigned long)(ticks / LOOPS));
	test_result(TEST_CHECK(exits == LOOPS + 1, "%u exits", exits),
		    "port_write_to_userspace");

	ticks = next_figure(t, &exits);
	printf("# figure mmio_write_round_trip_ticks %lu\n",
	       (unsigned long)(ticks / LOOPS));
	test_result(TEST_CHECK(exits == LOOPS + 1, "%u exits", exits),
		    "mmio_write_to_userspace");

	ticks = next_figure(t, &exits);
	printf("# figure first_touch_ticks_per_page %lu\n",
	       (unsigned long)(ticks / FRESH_PAGES));
	test_result(exits == 0, "first_touch");

	ticks = next_figure(t, &exits);
	printf("# figure exit_free_loop_ticks %lu\n", (unsigned long)ticks);
	test_result(exits == 0, "exit_free_loop");

	ticks = next_figure(t, &exits);
	printf("# figure context_switch_ticks %lu\n",
	       (unsigned long)(ticks / SWITCHES));
	test_result(exits == 0, "context_switch");
	/* What the shadow modes hold for the five address spaces. */
	if (tvm_paging_mode() != VTXHV_PAGING_EPT)
		printf("# figure shadow_pages %ld (4 KiB each)\n",
		       tvm_module_count("shadow_pages"));
	tvm_destroy(t);
	test_finish();
}
