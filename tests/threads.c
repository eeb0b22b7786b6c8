// SPDX-License-Identifier: GPL-2.0
/*
 * threads: vCPUs as threads.  Two VMs and a second vCPU run at once on two
 * CPUs; a vCPU thread is migrated between CPUs thousands of times while its
 * guest counts; a signal stops a guest spinning with interrupts off, and
 * immediate_exit stops a vCPU before it enters.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define ROUNDS		200
#define MIGRATIONS	2000

/*
 * Count, and report every 1000 increments, with FPU state in use too;
 * ROUNDS reports, or without end when @seed is odd (the host stops it).
 */
static void guest_count(uint64_t seed)
{
	volatile double f = (double)seed;
	uint64_t i;

	for (i = 1; i <= ROUNDS * 1000ULL || (seed & 1); i++) {
		f += 1.0;
		if (i % 1000 == 0) {
			GUEST_ASSERT_EQ((uint64_t)f, seed + i);
			GUEST_SYNC(i / 1000);
		}
	}
}

static void guest_spin(uint64_t arg)
{
	(void)arg;
	__asm__ volatile("cli; 1: jmp 1b");
}

struct runner {
	struct tvm *t;
	int vcpu;
	struct vtxhv_run *run;
	uint64_t syncs;
	int failed;
	volatile int stop;	/* end at the next ucall */
};

/* Run a vCPU until GUEST_DONE, checking GUEST_SYNC(1), (2), ... */
static void *run_vcpu(void *arg)
{
	struct runner *r = arg;
	struct ucall uc;

	for (;;) {
		if (ioctl(r->vcpu, VTXHV_RUN, 0)) {
			if (errno == EINTR)
				continue;
			r->failed = 1;
			return NULL;
		}
		if (r->run->exit_reason != VTXHV_EXIT_IO ||
		    r->run->io.port != UCALL_PORT) {
			printf("# unexpected exit %s\n",
			       exit_reason_name(r->run->exit_reason));
			r->failed = 1;
			return NULL;
		}
		tvm_ucall_at(r->t, r->run, &uc);
		if (uc.cmd == UCALL_DONE || r->stop)
			return NULL;
		if (uc.cmd != UCALL_SYNC || uc.args[0] != r->syncs + 1) {
			printf("# ucall %lu arg %lu after %lu syncs\n",
			       (unsigned long)uc.cmd,
			       (unsigned long)uc.args[0],
			       (unsigned long)r->syncs);
			r->failed = 1;
			return NULL;
		}
		r->syncs++;
	}
}

static void start(struct runner *r, struct tvm *t, uint64_t seed)
{
	r->t = t;
	r->vcpu = t->vcpu;
	r->run = t->run;
	tvm_set_cpuid_host(t);
	tvm_setup_long_mode(t, guest_count, seed);
}

static void test_two_vms_two_vcpus(void)
{
	struct tvm *a = tvm_create(TVM_DEFAULT_MEM);
	struct tvm *b = tvm_create(TVM_DEFAULT_MEM);
	struct runner r[3] = { 0 };
	struct vtxhv_regs regs;
	struct vtxhv_sregs s;
	pthread_t th[3];
	int i, ok = 1;

	start(&r[0], a, 1000);
	start(&r[1], b, 2000);
	/* A second vCPU in VM a, on its own stack below the first's. */
	r[2] = r[0];
	r[2].vcpu = ioctl(a->vm, VTXHV_CREATE_VCPU, 1);
	TEST_ASSERT(r[2].vcpu >= 0, "CREATE_VCPU 1");
	r[2].run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			r[2].vcpu, 0);
	TEST_ASSERT(r[2].run != MAP_FAILED, "mmap run");
	TEST_ASSERT(!ioctl(a->vcpu, VTXHV_GET_SREGS, &s), "GET_SREGS");
	TEST_ASSERT(!ioctl(r[2].vcpu, VTXHV_SET_SREGS, &s), "SET_SREGS");
	TEST_ASSERT(!ioctl(a->vcpu, VTXHV_GET_REGS, &regs), "GET_REGS");
	regs.rsp -= 0x100000;
	regs.rsi = 3000;
	TEST_ASSERT(!ioctl(r[2].vcpu, VTXHV_SET_REGS, &regs), "SET_REGS");

	for (i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, run_vcpu, &r[i]);
	for (i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		ok &= TEST_CHECK(!r[i].failed && r[i].syncs == ROUNDS,
				 "runner %d: failed %d syncs %lu", i,
				 r[i].failed, (unsigned long)r[i].syncs);
	}
	test_result(ok, "two_vms_and_two_vcpus_at_once");
	close(r[2].vcpu);
	tvm_destroy(a);
	tvm_destroy(b);
}

struct mover {
	pthread_t target;
	struct runner *r;
	long moves;
};

/*
 * Move the vCPU thread to the other CPU, wait until it is there (the
 * next ucall proves the guest ran on), and again, MIGRATIONS times.
 */
static void *migrate(void *arg)
{
	struct mover *m = arg;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	while (m->moves < MIGRATIONS && !m->r->failed) {
		uint64_t seen = m->r->syncs;

		CPU_ZERO(&set);
		CPU_SET(m->moves % ncpu, &set);
		if (pthread_setaffinity_np(m->target, sizeof(set), &set))
			break;
		m->moves++;
		while (m->r->syncs == seen && !m->r->failed)
			sched_yield();
	}
	m->r->stop = 1;
	return NULL;
}

static void test_migration(void)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	struct runner r = { 0 };
	struct mover m = { 0 };
	pthread_t th, mover;
	int ok;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		test_skip_one("migration_mid_run", "needs 2 CPUs");
		tvm_destroy(t);
		return;
	}
	start(&r, t, 5);
	pthread_create(&th, NULL, run_vcpu, &r);
	m.target = th;
	m.r = &r;
	pthread_create(&mover, NULL, migrate, &m);
	pthread_join(mover, NULL);
	pthread_join(th, NULL);
	printf("# %ld migrations while the guest counted to %lu000\n",
	       m.moves, (unsigned long)r.syncs);
	ok = TEST_CHECK(!r.failed && m.moves == MIGRATIONS &&
			r.syncs >= MIGRATIONS, "failed %d syncs %lu moves %ld",
			r.failed, (unsigned long)r.syncs, m.moves);
	test_result(ok, "migration_mid_run");
	tvm_destroy(t);
}

static void on_signal(int sig)
{
	(void)sig;
}

struct kicker {
	pthread_t target;
	int ms;
};

static void *kick(void *arg)
{
	struct kicker *k = arg;

	usleep(k->ms * 1000);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

static void test_signal(void)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	struct kicker k = { pthread_self(), 300 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec t0, t1;
	struct vtxhv_regs regs;
	pthread_t th;
	double secs;
	int ret, ok;

	sigaction(SIGUSR1, &sa, NULL);
	tvm_setup_long_mode(t, guest_spin, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_create(&th, NULL, kick, &k);
	ret = tvm_run(t);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(th, NULL);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	tvm_get_regs(t, &regs);
	printf("# run returned %d after %.2f s; guest IF %d\n", ret, secs,
	       !!(regs.rflags & 0x200));
	ok = TEST_CHECK(ret == -EINTR &&
			t->run->exit_reason == VTXHV_EXIT_INTR &&
			secs < 3 && !(regs.rflags & 0x200), "ret %d", ret);
	test_result(ok, "signal_stops_spinning_guest_with_interrupts_off");

	t->run->immediate_exit = 1;
	ret = tvm_run(t);
	ok = TEST_CHECK(ret == -EINTR &&
			t->run->exit_reason == VTXHV_EXIT_INTR, "ret %d", ret);
	test_result(ok, "immediate_exit");
	tvm_destroy(t);
}

int main(void)
{
	test_plan(4);
	test_two_vms_two_vcpus();
	test_migration();
	test_signal();
	test_finish();
}
