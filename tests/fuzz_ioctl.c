// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_ioctl: a bounded, seeded ioctl fuzzer.  Four threads share a VM and
 * its vCPUs and call every vtxhv ioctl on every kind of fd (device, VM,
 * vCPU, closed, random) with random, boundary and malformed arguments: bad
 * pointers, huge and zero sizes, overlapping and unaligned slots, random
 * guest code, calls out of order.  The host must survive with a clean log
 * and the module must hold nothing afterwards.
 *
 *   fuzz_ioctl [CALLS [SEED]]     default 100000 calls, seed 1
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define THREADS		4
#define MEM		(1 << 20)

static int dev;
static _Atomic int vm = -1, vcpus[2] = { -1, -1 };
static struct vtxhv_run *_Atomic runs[2];
static uint8_t *mem;
static atomic_long calls, errors, runs_done;
static long limit;
static uint32_t max_slots;
static pthread_mutex_t swap_lock = PTHREAD_MUTEX_INITIALIZER;
/*
 * Run pages of replaced vCPUs stay mapped until the end: another thread
 * may still be writing immediate_exit into one (and a mapping keeps its
 * vCPU alive, so closing the fd alone frees nothing).
 */
#define MAX_OLD_RUNS	8192
static struct vtxhv_run *old_runs[MAX_OLD_RUNS];
static int nr_old_runs;

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const unsigned long cmds[] = {
	VTXHV_GET_API_VERSION, VTXHV_GET_CAPS, VTXHV_CREATE_VM,
	VTXHV_GET_RUN_SIZE, VTXHV_SET_MEMORY_REGION, VTXHV_CREATE_VCPU,
	VTXHV_RUN, VTXHV_GET_REGS, VTXHV_SET_REGS, VTXHV_GET_SREGS,
	VTXHV_SET_SREGS, VTXHV_SET_CPUID, VTXHV_GET_MSRS, VTXHV_SET_MSRS,
	VTXHV_IRQ_LINE, VTXHV_GET_MP_STATE, VTXHV_SET_MP_STATE,
	VTXHV_GET_LAPIC, VTXHV_SET_LAPIC, VTXHV_INTERRUPT, VTXHV_NMI,
};

/* A pointer argument: NULL, wild, kernel, unmapped, or a buffer of junk. */
static unsigned long bad_arg(uint64_t *s, uint8_t *buf, size_t len)
{
	unsigned int i;

	switch (next(s) % 8) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return 0xffff888000000000ULL + (next(s) & 0xfffff000);
	case 3:
		return 0x100000000000ULL;	/* unmapped */
	case 4:
		return (unsigned long)buf + len - 1; /* runs off the end */
	case 5:
		return next(s) % 4096;
	default:
		for (i = 0; i < len; i++)
			buf[i] = next(s);
		/* Keep counts small often enough to get past the checks. */
		if (next(s) & 1)
			((uint32_t *)buf)[0] %= 8;
		return (unsigned long)buf;
	}
}

static void region(uint64_t *s, struct vtxhv_memory_region *r)
{
	static const uint64_t sizes[] = { 0, 4096, 8192, MEM, MEM + 4096,
					  1ULL << 40, ~0ULL, 4095 };

	r->slot = next(s) % (max_slots + 2);
	r->flags = next(s) % 4 == 0 ? next(s) : next(s) & 1;
	r->guest_phys_addr = (next(s) % 64) << (next(s) % 2 ? 12 : 20);
	if (next(s) % 8 == 0)
		r->guest_phys_addr |= next(s) & 0xfff;
	r->size = sizes[next(s) % 8];
	r->userspace_addr = next(s) % 4 ? (uintptr_t)mem +
			    (next(s) % 16) * 4096 : next(s);
}

/* Occasionally throw the VM away and make a new one, closing old fds. */
static void reshuffle(uint64_t *s, int recreate)
{
	/* Every other VM has the in-kernel irqchip. */
	struct vtxhv_create_vm c = {
		.paging = VTXHV_PAGING_EPT,
		.flags = next(s) % 2 ? VTXHV_VM_IRQCHIP : 0,
	};
	int i, v;

	pthread_mutex_lock(&swap_lock);
	for (i = 0; i < 2; i++) {
		struct vtxhv_run *r = atomic_exchange(&runs[i], NULL);

		/* (Beyond MAX_OLD_RUNS a page would stay mapped, and the
		 * accounting check at the end would say so.)
		 */
		if (r && nr_old_runs < MAX_OLD_RUNS)
			old_runs[nr_old_runs++] = r;
		v = atomic_exchange(&vcpus[i], -1);
		if (v >= 0)
			close(v);
	}
	v = atomic_exchange(&vm, -1);
	if (v >= 0)
		close(v);
	if (recreate && next(s) % 8) {
		struct vtxhv_memory_region r = {
			.size = MEM, .userspace_addr = (uintptr_t)mem,
		};

		v = ioctl(dev, VTXHV_CREATE_VM, &c);
		if (v >= 0) {
			ioctl(v, VTXHV_SET_MEMORY_REGION, &r);
			for (i = 0; i < 2; i++) {
				int fd = ioctl(v, VTXHV_CREATE_VCPU, i);
				void *p;

				if (fd < 0)
					continue;
				p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					 MAP_SHARED, fd, 0);
				if (p != MAP_FAILED)
					atomic_store(&runs[i], p);
				atomic_store(&vcpus[i], fd);
			}
			atomic_store(&vm, v);
		}
	}
	pthread_mutex_unlock(&swap_lock);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static pthread_t fuzzers[THREADS];
static atomic_int fuzzing;

/*
 * Every millisecond, a signal to each fuzzing thread: a run of random
 * guest code that never exits returns EINTR.  (A process-wide timer's
 * signal could go to a thread that is not running a guest.)
 */
static void *kicker(void *arg)
{
	int i;

	(void)arg;
	while (atomic_load(&fuzzing)) {
		usleep(1000);
		for (i = 0; i < THREADS; i++)
			pthread_kill(fuzzers[i], SIGALRM);
	}
	return NULL;
}

static void *fuzz(void *arg)
{
	uint64_t s = (uintptr_t)arg;
	struct vtxhv_memory_region r;
	uint8_t *buf;
	long n;

	/* 8 KiB of argument space, then a page that faults: arguments that
	 * run off the end reach it, not this thread's stack.
	 */
	buf = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || mprotect(buf + 8192, 4096, PROT_NONE))
		return NULL;

	while ((n = atomic_fetch_add(&calls, 1)) < limit) {
		unsigned long cmd = cmds[next(&s) % (sizeof(cmds) / 8)];
		int fd, which = next(&s) % 16, ret, i;
		unsigned long a;

		if (which == 0 && next(&s) % 64 == 0) {
			reshuffle(&s, 1);
			continue;
		}
		if (next(&s) % 32 == 0)
			cmd = next(&s) & 0xffffffff;	/* any number */
		fd = which < 2 ? dev : which < 6 ? vm :
		     which < 14 ? vcpus[which & 1] :
		     which == 14 ? 1000 + (int)(next(&s) % 16) : -1;

		if (cmd == VTXHV_SET_MEMORY_REGION && next(&s) % 2) {
			region(&s, &r);
			a = (unsigned long)&r;
		} else if (cmd == VTXHV_CREATE_VCPU) {
			a = next(&s) % 4 ? next(&s) % 10 : next(&s);
		} else if (cmd == VTXHV_RUN) {
			struct vtxhv_run *run = runs[which & 1];

			/* Random guest code, stopped by immediate_exit or a
			 * 1 ms timer so no run lasts.
			 */
			for (i = 0; i < 64; i++)
				mem[0x1000 + next(&s) % 4096] = next(&s);
			if (run)
				run->immediate_exit = next(&s) % 2;
			a = next(&s) % 8 ? 0 : next(&s);
		} else if (cmd == VTXHV_GET_API_VERSION ||
			   cmd == VTXHV_GET_RUN_SIZE) {
			a = next(&s) % 2 ? 0 : next(&s);
		} else {
			a = bad_arg(&s, buf, 8192);
		}
		ret = ioctl(fd, cmd, a);
		if (ret < 0)
			atomic_fetch_add(&errors, 1);
		else if (cmd == VTXHV_RUN)
			atomic_fetch_add(&runs_done, 1);
		else if (cmd == VTXHV_CREATE_VM || cmd == VTXHV_CREATE_VCPU)
			close(ret);	/* fds we do not track */
	}
	munmap(buf, 3 * 4096);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	uint64_t s = seed;
	pthread_t kick;
	int i;

	limit = argc > 1 ? strtol(argv[1], NULL, 0) : 100000;
	dev = open("/dev/vtxhv", O_RDWR);
	if (dev < 0)
		test_skip_all("/dev/vtxhv missing: vtxhv is not loaded");
	{
		struct vtxhv_caps caps;

		TEST_ASSERT(!ioctl(dev, VTXHV_GET_CAPS, &caps), "GET_CAPS");
		max_slots = caps.max_mem_slots;
	}
	test_plan(2);
	mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	sigaction(SIGALRM, &sa, NULL);
	reshuffle(&s, 1);
	atomic_store(&fuzzing, 1);
	for (i = 0; i < THREADS; i++)
		pthread_create(&fuzzers[i], NULL, fuzz,
			       (void *)(uintptr_t)(seed * 7919 + i + 1));
	pthread_create(&kick, NULL, kicker, NULL);
	for (i = 0; i < THREADS; i++)
		pthread_join(fuzzers[i], NULL);
	atomic_store(&fuzzing, 0);
	pthread_join(kick, NULL);
	printf("# seed %lu: %ld calls, %ld errors, %ld guest runs\n",
	       (unsigned long)seed, limit, (long)errors, (long)runs_done);
	test_result(1, "fuzzed_%ld_calls_seed_%lu", limit,
		    (unsigned long)seed);
	reshuffle(&s, 0);		/* closes what is left */
	for (i = 0; i < nr_old_runs; i++)
		munmap(old_runs[i], 4096);
	close(dev);
	test_result(tvm_module_counts_zero(), "nothing_left_after_fuzzing");
	test_finish();
}
