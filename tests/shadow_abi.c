// SPDX-License-Identifier: GPL-2.0
/*
 * shadow_abi: what the shadow paging modes (vtlb, shadow) promise beyond
 * running guests: the capability query offers them; a second vCPU runs
 * the same code in the same VM; a guest that clears CR0.PE gets a defined
 * exit (internal error VTXHV_INTERNAL_REAL_MODE); a memory slot can be
 * deleted while the vCPU runs, which goes on running; the
 * shadow tables stay within shadow_max_pages while a guest cycles through
 * more address spaces than fit, and the guest still sees its own data;
 * nothing is left in the module after the VMs are gone.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"

extern const uint8_t clear_pe_start[], clear_pe_end[];
extern const uint8_t spin_start[], spin_end[];
extern const uint8_t count_start[], count_end[];

__asm__(".pushsection .rodata\n .code32\n"
	"clear_pe_start:\n"
	" mov %cr0, %eax\n and $~1, %eax\n mov %eax, %cr0\n hlt\n"
	"clear_pe_end:\n"
	"spin_start:\n"
	"1: movl $1, 0x2000\n jmp 1b\n"
	"spin_end:\n"
	"count_start:\n"
	" lock incl 0x2000\n hlt\n"
	"count_end:\n .code64\n"
	".popsection\n");

/* A VM in @mode running @code at 0x1000, 32-bit protected, paging off. */
static struct tvm *pm_guest(uint32_t mode, const uint8_t *code, size_t len)
{
	struct tvm *t;

	setenv("VTXHV_PAGING", paging_name(mode), 1);
	t = tvm_create(TVM_DEFAULT_MEM);
	memcpy(t->mem + 0x1000, code, len);
	tvm_start_pm32(t, NULL, 0x1000);
	return t;
}

static void test_caps(void)
{
	struct vtxhv_caps caps = { .size = sizeof(caps) };
	int dev = open("/dev/vtxhv", O_RDWR | O_CLOEXEC);

	if (dev < 0 && errno == ENOENT)
		test_skip_all("/dev/vtxhv missing: vtxhv is not loaded");
	TEST_ASSERT(dev >= 0, "open /dev/vtxhv");
	TEST_ASSERT(!ioctl(dev, VTXHV_GET_CAPS, &caps), "GET_CAPS");
	close(dev);
	test_result(TEST_CHECK((caps.paging_modes & 6) == 6,
			       "paging modes %#x", caps.paging_modes),
		    "vtlb_and_shadow_offered");
}

/* Both vCPUs of a VM run the same code (SMP: docs/shadow-paging.md). */
static void test_two_vcpus(uint32_t mode)
{
	struct tvm *t = pm_guest(mode, count_start, count_end - count_start);
	struct tvm *ap = tvm_add_vcpu(t, 1);
	struct vtxhv_sregs s;
	struct vtxhv_regs r;
	int ok;

	tvm_get_sregs(t, &s);
	tvm_get_regs(t, &r);
	tvm_set_sregs(ap, &s);
	tvm_set_regs(ap, &r);
	tvm_run_ok(t);
	ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_HLT,
			"vCPU 0 exit %u", t->run->exit_reason);
	tvm_run_ok(ap);
	ok &= TEST_CHECK(ap->run->exit_reason == VTXHV_EXIT_HLT,
			 "vCPU 1 exit %u", ap->run->exit_reason);
	ok &= TEST_CHECK(*(volatile uint32_t *)(t->mem + 0x2000) == 2,
			 "count %u", *(volatile uint32_t *)(t->mem + 0x2000));
	test_result(ok, "%s_second_vcpu_runs", paging_name(mode));
	tvm_destroy(ap);
	tvm_destroy(t);
}

static void test_clear_pe(uint32_t mode)
{
	struct tvm *t = pm_guest(mode, clear_pe_start,
				 clear_pe_end - clear_pe_start);

	tvm_run_ok(t);
	test_result(TEST_CHECK(t->run->exit_reason ==
			       VTXHV_EXIT_INTERNAL_ERROR &&
			       t->run->internal.suberror ==
			       VTXHV_INTERNAL_REAL_MODE,
			       "exit %u suberror %u", t->run->exit_reason,
			       t->run->internal.suberror),
		    "%s_guest_clearing_pe_stops", paging_name(mode));
	tvm_destroy(t);
}

struct spinner {
	struct tvm *t;
	int ret, err;
};

static void *spin(void *arg)
{
	struct spinner *s = arg;

	s->ret = ioctl(s->t->vcpu, VTXHV_RUN, 0);
	s->err = errno;
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void test_slot_change_running(uint32_t mode)
{
	struct tvm *t = pm_guest(mode, spin_start, spin_end - spin_start);
	struct spinner s = { .t = t };
	struct vtxhv_memory_region r = {
		.slot = 1, .guest_phys_addr = 0x10000000, .size = 0x10000,
		.userspace_addr = (uintptr_t)t->mem,
	};
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pthread_t th;
	int ok, i, ret;

	signal(SIGUSR1, on_usr1);
	/* Adding, replacing and deleting slots: all while the guest runs. */
	TEST_ASSERT(!ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &r), "slot 1");
	r.size = 0;
	pthread_create(&th, NULL, spin, &s);
	/* The guest runs once it wrote its flag. */
	for (i = 0; i < 1000 && !*(volatile uint32_t *)(t->mem + 0x2000); i++)
		nanosleep(&tick, NULL);
	ret = ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &r);
	ok = TEST_CHECK(!ret, "slot delete while running: %d %s", ret,
			strerror(errno));
	/* The guest goes on: it writes its flag again. */
	*(volatile uint32_t *)(t->mem + 0x2000) = 0;
	for (i = 0; i < 1000 && !*(volatile uint32_t *)(t->mem + 0x2000); i++)
		nanosleep(&tick, NULL);
	ok &= TEST_CHECK(*(volatile uint32_t *)(t->mem + 0x2000),
			 "the guest stopped after the slot change");
	pthread_kill(th, SIGUSR1);
	pthread_join(th, NULL);
	ok &= TEST_CHECK(s.ret == -1 && s.err == EINTR, "RUN: %d %s", s.ret,
			 strerror(s.err));
	test_result(ok, "%s_slots_change_while_running", paging_name(mode));
	tvm_destroy(t);
}

/*
 * More address spaces than the shadow page budget holds: eight, each
 * mapping 16 pages of its own at AS_VA (tables at AS_BASE + n * 16 KiB,
 * data at 8 MiB + n * 64 KiB), visited round robin.  Every visit must see
 * its own data while vtxhv reclaims roots to stay within the budget.
 */
#define AS_BASE		0x100000ULL
#define AS_NR		8
#define AS_VA		GUEST_AS_VA
#define BUDGET		24

static uint64_t make_as(int n)
{
	uint64_t i, data = 0x800000 + n * 0x10000;

	for (i = 0; i < 16; i++)
		*(uint64_t *)(data + i * 4096) = n * 100 + i;
	return guest_make_as(AS_BASE + n * 0x4000, data, 16);
}

static void budget_guest(uint64_t arg)
{
	uint64_t as[AS_NR], boot_cr3, i, p, n;

	(void)arg;
	__asm__ volatile("mov %%cr3, %0" : "=r"(boot_cr3));
	for (n = 0; n < AS_NR; n++)
		as[n] = make_as(n);
	for (i = 0; i < 20 * AS_NR; i++) {
		n = i % AS_NR;
		__asm__ volatile("mov %0, %%cr3" : : "r"(as[n]) : "memory");
		for (p = 0; p < 16; p++)
			GUEST_ASSERT_EQ(*(volatile uint64_t *)(AS_VA + p * 4096),
					n * 100 + p);
		if (i % AS_NR == AS_NR - 1)
			GUEST_SYNC(i);
	}
	__asm__ volatile("mov %0, %%cr3" : : "r"(boot_cr3) : "memory");
}

static void test_budget(uint32_t mode)
{
	const char *param = "/sys/module/vtxhv/parameters/shadow_max_pages";
	struct ucall uc;
	long most = 0, now;
	char old[32] = "";
	struct tvm *t;
	FILE *f;
	int ok = 1;

	f = fopen(param, "r");
	TEST_ASSERT(f && fgets(old, sizeof(old), f), "read %s", param);
	fclose(f);
	f = fopen(param, "w");
	TEST_ASSERT(f && fprintf(f, "%d\n", BUDGET) > 0 && !fclose(f),
		    "write %s", param);
	setenv("VTXHV_PAGING", paging_name(mode), 1);
	t = tvm_create(TVM_DEFAULT_MEM);
	tvm_setup_long_mode(t, budget_guest, 0);
	while (tvm_get_ucall(t, &uc) == UCALL_SYNC) {
		now = tvm_module_count("shadow_pages");
		most = now > most ? now : most;
	}
	ok &= TEST_CHECK(uc.cmd == UCALL_DONE, "guest ended with ucall %lu",
			 (unsigned long)uc.cmd);
	ok &= TEST_CHECK(most > 0 && most <= BUDGET,
			 "%ld shadow pages at most, budget %d", most, BUDGET);
	printf("# %s: at most %ld shadow pages for %d address spaces\n",
	       paging_name(mode), most, AS_NR);
	tvm_destroy(t);
	f = fopen(param, "w");
	TEST_ASSERT(f && fputs(old, f) >= 0 && !fclose(f), "restore %s",
		    param);
	test_result(ok, "%s_shadow_memory_bounded", paging_name(mode));
}

int main(void)
{
	uint32_t mode;

	test_plan(1 + 2 * 4);
	test_caps();
	for (mode = VTXHV_PAGING_VTLB; mode <= VTXHV_PAGING_SHADOW; mode++) {
		test_two_vcpus(mode);
		test_clear_pe(mode);
		test_slot_change_running(mode);
		test_budget(mode);
	}
	TEST_ASSERT(tvm_module_counts_zero(), "module counts not zero");
	test_finish();
}
