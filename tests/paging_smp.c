// SPDX-License-Identifier: GPL-2.0
/*
 * paging_smp: a guest mini-kernel (guests/paging_smp_guest.c) on N vCPUs
 * at once, one host thread each, in each paging mode of the module (ept,
 * vtlb, shadow) and each paging format (32-bit, PAE, 4-level).  No
 * interrupt controller: every vCPU starts in protected or long mode where
 * the host puts it, and the vCPUs coordinate through a shared page
 * (barriers, and TLB shootdowns in software: the initiator changes an
 * entry and bumps a generation; each other vCPU flushes and
 * acknowledges; only then is the old page reused).  The checks, one TAP
 * result each per mode and format:
 *
 *   shared_address_space  all vCPUs on one CR3 see each other's writes
 *                         through two mappings of a page; each loads CR3
 *                         PS_SWITCHES times among four spaces while the
 *                         others do, and every count lands where it must;
 *   remap_under_reader    a PTE pointed at a new page under readers: old
 *                         or new before a reader's ack, new after, never
 *                         the poison written into the old page after all
 *                         acks;
 *   protect_under_reader  a page made read-only, not present, writable
 *                         again under vCPUs probing it: after the
 *                         shootdown their writes and reads fault with the
 *                         right error code and CR2, and no write lands;
 *   pt_write_while_running  PTEs (plain stores, XCHG, REP MOVSD) and the
 *                         PDE of an address space other vCPUs run on,
 *                         the PDE also to a page table just written as
 *                         data, whose writer then edits it: shot down
 *                         round after round (the shadow mode's
 *                         write-protection, out-of-sync and root-cache
 *                         paths);
 *   slot_replace_while_running  while the vCPUs read memory slot 1 the
 *                         host gives it other memory twice, then deletes
 *                         it: after each change they read the new pattern
 *                         only, after the delete MMIO exits at the
 *                         slot's addresses (an ioctl refused while the
 *                         vCPUs run, EBUSY, fails the check).
 *
 * The results, and a digest of every value the vCPUs compared whose
 * outcome is fixed, must be identical across modes for each format
 * (results_identical_across_modes); the module must hold nothing after
 * the VMs are gone.  Figure: shootdown_MODE[_FORMAT], the median of the
 * initiator's RDTSC ticks from its PTE change to the last ack of
 * remap_under_reader.
 *
 *   paging_smp [--kvm] [MODE...] [FORMAT...]
 *
 * MODE: ept, vtlb, shadow (default: VTXHV_PAGING's, else all three);
 * FORMAT: 32bit, pae, 4level (default all); the others are skips.
 * --kvm runs the same guest on Linux's KVM instead, for the reference
 * figure beside the module's (scripts/bench-shootdown): its mode is
 * kvm-ept0 or kvm-ept1 after kvm_intel's 'ept' parameter (ept=0 is KVM's
 * own shadow paging), figure shootdown_kvm_ept0[_FORMAT]; its waiting
 * vCPUs always yield (see run_format()), and with PAGING_SMP_YIELD=1
 * on vtxhv too.  KVM cannot give a slot other memory in place, so there
 * a replacement is a delete and a create, between which the slot's
 * reads are MMIO exits answered with the new pattern.
 * VTXHV_CPUS=N runs N vCPUs (1 to 8, default 2; with 1 there is nobody
 * to shoot down; with more vCPUs than CPUs, a waiting vCPU makes its
 * thread yield now and then).  A wait in the guest gives up after about
 * two seconds and fails its check on every vCPU; a format gets
 * FORMAT_TIMEOUT seconds in all, after which its vCPUs are stopped and
 * the checks without a result fail (the test VM's clock is emulated: 7
 * to 15 wall-clock seconds to one of its seconds).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "paging_host.h"
#include "guests/paging_smp_guest.h"

PG_GUEST_IMAGE(psmp32, PAGING_SMP_GUESTS "/paging_smp32.bin");
PG_GUEST_IMAGE(psmp64, PAGING_SMP_GUESTS "/paging_smp64.bin");

/*
 * Seconds a format may take, on the clock of the machine that runs the
 * test.  In the test VM that clock is emulated: one of its seconds takes
 * 7 to 15 of the wall clock's, and a format needs about one at most (the
 * guest's own waits give up after about two).
 */
#define FORMAT_TIMEOUT	10

#define SLOT_BYTES	(PS_SLOT_PAGES * 4096UL)

static const char *const chk_names[SC_NR] = {
	[SC_SHARED_AS] = "shared_address_space",
	[SC_REMAP] = "remap_under_reader",
	[SC_PROTECT] = "protect_under_reader",
	[SC_PT_WRITE] = "pt_write_while_running",
	[SC_SLOT] = "slot_replace_while_running",
};

/* Shootdowns each check makes (and samples). */
static const unsigned int chk_shootdowns[SC_NR] = {
	[SC_REMAP] = PS_REMAP_ROUNDS,
	[SC_PROTECT] = 3 * PS_PROT_ROUNDS,
	[SC_PT_WRITE] = PS_PTW_ROUNDS,
};

_Static_assert(SC_NR <= PG_CHECKS_MAX, "struct pg_outcome too small");

struct fmt_run {
	struct pg_outcome o;
	char host_why[SC_NR][160];	/* the host's own reason to fail */
	/* Of the shootdown samples: median, least, most. */
	uint32_t median[SC_NR], min[SC_NR], max[SC_NR];
};

static struct fmt_run runs[MODES + 1][FMT_NR];
static unsigned int ncpu = 2;
static int force_yield;		/* PAGING_SMP_YIELD=1 */

/* kvm_intel's paging: "kvm-ept0" (shadow paging) or "kvm-ept1". */
static char kvm_name[16] = "kvm";

static void kvm_name_init(void)
{
	FILE *f = fopen("/sys/module/kvm_intel/parameters/ept", "r");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	if (c == 'Y' || c == 'y' || c == '1')
		snprintf(kvm_name, sizeof(kvm_name), "kvm-ept1");
	else if (c == 'N' || c == 'n' || c == '0')
		snprintf(kvm_name, sizeof(kvm_name), "kvm-ept0");
	kvm_mode_name = kvm_name;
}

struct vcpu_ctx {
	struct tvm *t;
	unsigned int id;
	pthread_t thread;
	int res[SC_NR];
	unsigned int check;		/* the first without a result */
	int done;
	uint64_t digest;
	char stop[200];			/* why it stopped before the end */
	unsigned long exits, mmio, yields;
	int finished;
};

/* The format under way: its VM, vCPU threads and slot steps. */
static struct {
	struct tvm *t;
	struct vcpu_ctx v[PS_MAX_CPUS];
	struct fmt_run *fr;
	char tag[32];
	int stop;
	pthread_mutex_t lock;		/* fr->host_why */
	/* SC_SLOT: the memory of each step, the steps done. */
	uint8_t *slot_mem[PS_SLOT_STEPS];
	unsigned int step;
	int deleting;
	/*
	 * KVM: the step a replacement installs, while the slot is gone
	 * between its delete and its create (0: none).
	 */
	unsigned int replacing;
	int all_seen;
	struct timespec seen_at;
} cur = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct ps_shared *shared(void)
{
	return (struct ps_shared *)(cur.t->mem + PS_SHARED);
}

static void __attribute__((format(printf, 2, 3)))
host_fail(unsigned int check, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	if (check >= SC_NR)
		check = SC_NR - 1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("# %s %s: %s\n", cur.tag, chk_names[check], why);
	pthread_mutex_lock(&cur.lock);
	if (!cur.fr->host_why[check][0])
		snprintf(cur.fr->host_why[check], sizeof(cur.fr->host_why[0]),
			 "%s", why);
	pthread_mutex_unlock(&cur.lock);
}

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* --- the vCPUs -------------------------------------------------------- */

/*
 * The 32-bit image: protected mode, paging off, flat segments.  The
 * 64-bit one: long mode on an identity map of the low 1 GiB with 2 MiB
 * pages at PG_BOOT_PML4.  Both: the GDT at PG_GDT, no IDT (vCPU 0 builds
 * one), the vCPU's own stack, EDI/RDI the format, ESI/RSI the vCPU.
 */
static void setup_vcpu(struct tvm *t, int fmt, unsigned int id)
{
	pg_setup_vcpu(t, fmt, PS_STACKS + (id + 1) * PS_STACK_SIZE, id);
}

/*
 * vCPU @id as tvm_add_vcpu() makes it, but a refusal is an answer (the
 * shadow modes took one vCPU until SMP shadow paging), not the end.
 */
static struct tvm *add_vcpu(struct tvm *t, unsigned int id, int *err)
{
	struct tvm *v;

	if (t->kvm)
		return tvm_add_vcpu(t, id);
	v = malloc(sizeof(*v));
	TEST_ASSERT(v, "malloc");
	*v = *t;
	v->parent = t;
	v->vcpu_id = id;
	v->vcpu = ioctl(t->vm, VTXHV_CREATE_VCPU, id);
	if (v->vcpu < 0) {
		*err = errno;
		free(v);
		return NULL;
	}
	v->run = mmap(NULL, ioctl(t->dev, VTXHV_GET_RUN_SIZE, 0),
		      PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	TEST_ASSERT(v->run != MAP_FAILED, "mmap run page");
	return v;
}

/*
 * An MMIO exit is right only at the slot's addresses once its delete has
 * begun: a 4-byte read, answered with pattern PS_SLOT_STEPS.
 */
static void handle_mmio(struct vcpu_ctx *v)
{
	struct vtxhv_run *run = v->t->run;
	uint64_t gpa = run->mmio.phys_addr;
	uint32_t val = 0xffffffff;
	unsigned int k = __atomic_load_n(&cur.replacing, __ATOMIC_ACQUIRE);

	v->mmio++;
	if (__atomic_load_n(&cur.deleting, __ATOMIC_ACQUIRE))
		k = PS_SLOT_STEPS;
	if (gpa >= PS_SLOT_GPA && gpa + run->mmio.len <= PS_SLOT_GPA +
	    SLOT_BYTES && run->mmio.len == 4 && !run->mmio.is_write && k)
		val = slot_pat(k, gpa);
	else
		host_fail(v->check, "vCPU %u: an MMIO %s of %u bytes at %#llx%s",
			  v->id, run->mmio.is_write ? "write" : "read",
			  run->mmio.len, (unsigned long long)gpa,
			  __atomic_load_n(&cur.deleting, __ATOMIC_ACQUIRE) ?
			  "" : " before any slot was deleted");
	if (!run->mmio.is_write)
		memcpy(run->mmio.data, &val, sizeof(val));
}

/*
 * A message of the guest: 0 to go on, 1 at its end or when it is wrong,
 * -1 when the exit is no message.
 */
static int handle_msg(struct vcpu_ctx *v)
{
	struct pg_msg m;
	int got = pg_get_msg(v->t, &m, v->stop, sizeof(v->stop));

	if (got <= 0)
		return got ? 1 : -1;
	switch (m.cmd) {
	case PG_NOTE:
		printf("# %s %s vCPU %u: line %u: %s: got %#llx, expected %#llx\n",
		       cur.tag, chk_names[m.check], v->id, m.line,
		       pg_guest_str(cur.t, m.expr), (unsigned long long)m.a,
		       (unsigned long long)m.b);
		return 0;
	case PG_RESULT:
		v->res[m.check] = m.ok ? R_PASS : R_FAIL;
		v->check = m.check + 1;
		return 0;
	case PG_DONE:
		v->done = 1;
		v->digest = m.a;
		return 1;
	}
	snprintf(v->stop, sizeof(v->stop), "bad message: cmd %u", m.cmd);
	return 1;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu_ctx *v = arg;

	for (;; v->exits++) {
		struct vtxhv_run *run = v->t->run;
		int ret = pg_vcpu_run(v->t, v->stop, sizeof(v->stop));

		if (ret == -EINTR) {
			if (__atomic_load_n(&cur.stop, __ATOMIC_ACQUIRE)) {
				snprintf(v->stop, sizeof(v->stop),
					 "stopped by the host");
				break;
			}
			continue;
		}
		if (ret)
			break;
		if (run->exit_reason == VTXHV_EXIT_MMIO) {
			handle_mmio(v);
			continue;
		}
		if (run->exit_reason == VTXHV_EXIT_IO &&
		    run->io.port == PS_YIELD_PORT) {
			v->yields++;
			sched_yield();
			continue;
		}
		ret = handle_msg(v);
		if (!ret)
			continue;
		if (ret < 0)
			pg_describe_exit(run, v->stop, sizeof(v->stop));
		break;
	}
	__atomic_store_n(&v->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* SIGUSR1 only interrupts VTXHV_RUN (no SA_RESTART). */
static void on_signal(int sig)
{
	(void)sig;
}

/* Stop every vCPU thread still running, and wait for them. */
static void stop_all(void)
{
	unsigned int i, left;

	__atomic_store_n(&cur.stop, 1, __ATOMIC_RELEASE);
	do {
		left = 0;
		for (i = 0; i < ncpu; i++) {
			if (__atomic_load_n(&cur.v[i].finished,
					    __ATOMIC_ACQUIRE))
				continue;
			left++;
			cur.v[i].t->run->immediate_exit = 1;
			pthread_kill(cur.v[i].thread, SIGUSR1);
		}
		if (left)
			usleep(10000);
	} while (left);
}

/* --- the slot (SC_SLOT) ----------------------------------------------- */

static void slot_fill(uint8_t *mem, uint32_t k)
{
	uint32_t off;

	for (off = 0; off < SLOT_BYTES; off += 4) {
		uint32_t v = k == PS_SLOT_STEPS ? PS_SLOT_POISON :
			     slot_pat(k, PS_SLOT_GPA + off);

		memcpy(mem + off, &v, 4);
	}
}

/*
 * KVM_SET_USER_MEMORY_REGION refuses another userspace address for a
 * slot (EINVAL): a replacement there deletes the slot, then creates it
 * again; in between, the slot's reads are MMIO exits answered with the
 * new pattern (handle_mmio), which a vCPU may see before the step is
 * published, as it may see the new memory.
 */
static int kvm_slot_set(uint32_t k)
{
	struct kvm_userspace_memory_region r = {
		.slot = PS_SLOT_ID, .guest_phys_addr = PS_SLOT_GPA,
	};

	if (k) {
		__atomic_store_n(&cur.replacing, k, __ATOMIC_RELEASE);
		if (ioctl(cur.t->vm, KVM_SET_USER_MEMORY_REGION, &r))
			return -errno;
	}
	if (k < PS_SLOT_STEPS) {
		r.memory_size = SLOT_BYTES;
		r.userspace_addr = (uintptr_t)cur.slot_mem[k];
		if (ioctl(cur.t->vm, KVM_SET_USER_MEMORY_REGION, &r))
			return -errno;
	}
	return 0;
}

static int slot_set(uint32_t k)
{
	struct vtxhv_memory_region r = {
		.slot = PS_SLOT_ID, .guest_phys_addr = PS_SLOT_GPA,
		.size = k < PS_SLOT_STEPS ? SLOT_BYTES : 0,
		.userspace_addr = k < PS_SLOT_STEPS ?
				  (uintptr_t)cur.slot_mem[k] : 0,
	};

	if (cur.t->kvm)
		return kvm_slot_set(k);
	return ioctl(cur.t->vm, VTXHV_SET_MEMORY_REGION, &r) ? -errno : 0;
}

/*
 * The host's half of SC_SLOT, polled while the vCPUs run: once every
 * vCPU has checked step @cur.step and read on for a few milliseconds,
 * the next step (replace, replace, delete), the memory given up
 * poisoned, and the step published.
 */
static void slot_poll(void)
{
	struct ps_shared *s = shared();
	static const char *const what[] = { "", "replace", "replace",
					    "delete" };
	unsigned int c, next = cur.step + 1;
	int ret;

	if (cur.step > PS_SLOT_STEPS)
		return;
	for (c = 0; c < ncpu; c++)
		if (__atomic_load_n(&s->slot_seen[c], __ATOMIC_ACQUIRE) !=
		    cur.step + 1)
			return;
	if (!cur.all_seen) {
		cur.all_seen = 1;
		clock_gettime(CLOCK_MONOTONIC, &cur.seen_at);
		return;
	}
	if (since(&cur.seen_at) < 0.005)
		return;
	cur.all_seen = 0;
	if (cur.step == PS_SLOT_STEPS) {
		__atomic_store_n(&s->slot_phase, PS_SLOT_END, __ATOMIC_RELEASE);
		cur.step = PS_SLOT_END;
		return;
	}
	if (next == PS_SLOT_STEPS)
		__atomic_store_n(&cur.deleting, 1, __ATOMIC_RELEASE);
	ret = slot_set(next);
	if (ret) {
		host_fail(SC_SLOT, "step %u (%s slot %u while %u vCPUs run): VTXHV_SET_MEMORY_REGION: %s",
			  next, what[next], PS_SLOT_ID, ncpu, strerror(-ret));
		__atomic_store_n(&s->slot_phase, PS_SLOT_ABORT,
				 __ATOMIC_RELEASE);
		cur.step = PS_SLOT_END;
		return;
	}
	/* No vCPU may reach the memory given up: make it unmistakable. */
	slot_fill(cur.slot_mem[cur.step], PS_SLOT_STEPS);
	__atomic_store_n(&s->slot_phase, next, __ATOMIC_RELEASE);
	cur.step = next;
}

/* --- one format ------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Results, digest and figures of the vCPUs, once they stopped. */
static void collect(struct fmt_run *fr)
{
	struct ps_shared *s = shared();
	uint32_t samples[PS_MAX_ROUNDS];
	unsigned int i, c, n;

	fr->o.done = 1;
	fr->o.digest = 0xcbf29ce484222325ULL;
	for (i = 0; i < ncpu; i++) {
		struct vcpu_ctx *v = &cur.v[i];

		if (!v->done) {
			printf("# %s: vCPU %u stopped before the end: %s\n",
			       cur.tag, i, v->stop[0] ? v->stop : "?");
			fr->o.done = 0;
		}
		fr->o.digest = (fr->o.digest ^ v->digest) * 0x100000001b3ULL;
		printf("# %s: vCPU %u: %lu exits to userspace (%lu MMIO, %lu yields), digest %#llx\n",
		       cur.tag, i, v->exits, v->mmio, v->yields,
		       (unsigned long long)v->digest);
	}
	for (c = 0; c < SC_NR; c++) {
		int res = R_PASS;

		for (i = 0; i < ncpu; i++) {
			if (cur.v[i].res[c] == R_NONE) {
				printf("# %s %s: no result from vCPU %u\n",
				       cur.tag, chk_names[c], i);
				res = R_FAIL;
			}
			if (cur.v[i].res[c] == R_FAIL)
				res = R_FAIL;
		}
		if (fr->host_why[c][0])
			res = R_FAIL;
		fr->o.res[c] = res;
		n = chk_shootdowns[c];
		if (res != R_PASS || !n || n > PS_MAX_ROUNDS)
			continue;
		memcpy(samples, s->samples[c], n * sizeof(samples[0]));
		qsort(samples, n, sizeof(samples[0]), cmp_u32);
		fr->median[c] = samples[n / 2];
		fr->min[c] = samples[0];
		fr->max[c] = samples[n - 1];
	}
	if (!fr->o.done)
		fr->o.digest = 0;
}

static void report_format(int mode, int fmt, struct fmt_run *fr)
{
	const char *m = mode_name(mode), *f = fmt_names[fmt];
	char name[80], fig[32], *p;
	int c;

	/* Figure names are identifiers: kvm_ept0, not kvm-ept0. */
	snprintf(fig, sizeof(fig), "%s", m);
	for (p = fig; *p; p++)
		if (*p == '-')
			*p = '_';

	for (c = 0; c < SC_NR; c++) {
		snprintf(name, sizeof(name), "%s_%s_%s", m, f, chk_names[c]);
		if (fr->host_why[c][0])
			printf("# %s: %s\n", name, fr->host_why[c]);
		test_result(fr->o.res[c] == R_PASS, "%s", name);
	}
	if (fr->median[SC_REMAP]) {
		if (fmt == FMT_4LEVEL)
			printf("# figure shootdown_%s %u ticks (median of %u, %u vCPUs)\n",
			       fig, fr->median[SC_REMAP], PS_REMAP_ROUNDS,
			       ncpu);
		else
			printf("# figure shootdown_%s_%s %u ticks (median of %u, %u vCPUs)\n",
			       fig, f, fr->median[SC_REMAP], PS_REMAP_ROUNDS,
			       ncpu);
	}
	for (c = 0; c < SC_NR; c++)
		if (fr->median[c])
			printf("# %s/%s %s: shootdown ticks: median %u, least %u, most %u (%u)\n",
			       m, f, chk_names[c], fr->median[c], fr->min[c],
			       fr->max[c], chk_shootdowns[c]);
}

static void run_format(int mode, int fmt)
{
	struct fmt_run *fr = &runs[mode][fmt];
	const uint8_t *img = fmt == FMT_4LEVEL ? psmp64_img : psmp32_img;
	size_t len = fmt == FMT_4LEVEL ? psmp64_end - psmp64_img :
					 psmp32_end - psmp32_img;
	struct timespec t0;
	struct ps_shared *s;
	unsigned int i, k, made;
	int err = 0;

	memset(&cur.v, 0, sizeof(cur.v));
	cur.fr = fr;
	cur.stop = 0;
	cur.step = 0;
	cur.deleting = 0;
	cur.replacing = 0;
	cur.all_seen = 0;
	snprintf(cur.tag, sizeof(cur.tag), "%s/%s", mode_name(mode),
		 fmt_names[fmt]);
	cur.t = tvm_create_paging(PG_RAM, mode);

	TEST_ASSERT(len <= PS_IMAGE_MAX, "guest image of %zu bytes too big",
		    len);
	pg_load_image(cur.t, fmt, img, len);
	s = shared();
	s->ncpu = ncpu;
	s->fmt = fmt;
	/*
	 * On KVM the waits yield always: in the test VM a vCPU that spins
	 * with IF=0, as these do, leaves guest mode for the host's
	 * interrupts only at a VMX-preemption-timer expiry (Bochs), and KVM
	 * arms that timer only for an in-kernel LAPIC timer.  A spinning
	 * waiter there kept its CPU from the vCPU it waited for for seconds
	 * (2 vCPUs, ept=0: samples of 8-134 M ticks, waits timed out); vtxhv
	 * arms the timer while a vCPU runs.  PAGING_SMP_YIELD=1 makes the
	 * waits yield on vtxhv too, for figures like KVM's.
	 */
	s->yield = ncpu > (unsigned int)sysconf(_SC_NPROCESSORS_ONLN) ||
		   cur.t->kvm || force_yield;

	for (k = 0; k < PS_SLOT_STEPS; k++) {
		cur.slot_mem[k] = mmap(NULL, SLOT_BYTES, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		TEST_ASSERT(cur.slot_mem[k] != MAP_FAILED, "mmap slot memory");
		slot_fill(cur.slot_mem[k], k);
	}
	TEST_ASSERT(!slot_set(0), "VTXHV_SET_MEMORY_REGION slot %u",
		    PS_SLOT_ID);

	cur.v[0].t = cur.t;
	for (made = 0; made < ncpu; made++) {
		cur.v[made].id = made;
		if (made && !(cur.v[made].t = add_vcpu(cur.t, made, &err)))
			break;
		setup_vcpu(cur.v[made].t, fmt, made);
	}
	if (made < ncpu) {
		/* The module takes fewer vCPUs: every check fails. */
		printf("# %s: VTXHV_CREATE_VCPU %u: %s\n", cur.tag, made,
		       strerror(err));
		for (k = 0; k < SC_NR; k++) {
			snprintf(fr->host_why[k], sizeof(fr->host_why[0]),
				 "no vCPU %u: VTXHV_CREATE_VCPU: %s", made,
				 strerror(err));
			fr->o.res[k] = R_FAIL;
		}
		goto out;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < ncpu; i++)
		TEST_ASSERT(!pthread_create(&cur.v[i].thread, NULL, vcpu_thread,
					    &cur.v[i]), "pthread_create");
	for (;;) {
		unsigned int finished = 0, early = 0;

		for (i = 0; i < ncpu; i++) {
			if (!__atomic_load_n(&cur.v[i].finished,
					     __ATOMIC_ACQUIRE))
				continue;
			finished++;
			early += !cur.v[i].done;
		}
		if (finished == ncpu)
			break;
		if (early) {
			/* The others would wait for it until they time out. */
			printf("# %s: a vCPU stopped early: stopping the others\n",
			       cur.tag);
			stop_all();
			break;
		}
		if (since(&t0) > FORMAT_TIMEOUT) {
			printf("# %s: no end after %d s: stopping the vCPUs\n",
			       cur.tag, FORMAT_TIMEOUT);
			stop_all();
			break;
		}
		slot_poll();
		usleep(1000);
	}
	for (i = 0; i < ncpu; i++)
		pthread_join(cur.v[i].thread, NULL);
	printf("# %s: %u vCPUs, %.2f s\n", cur.tag, ncpu, since(&t0));
	collect(fr);
out:
	printf("# %s: digest %#llx\n", cur.tag, (unsigned long long)fr->o.digest);
	for (i = made; i-- > 1;)
		tvm_destroy(cur.v[i].t);
	tvm_destroy(cur.t);
	for (k = 0; k < PS_SLOT_STEPS; k++)
		munmap(cur.slot_mem[k], SLOT_BYTES);
	report_format(mode, fmt, fr);
}

static struct pg_outcome *outcome(int mode, int fmt)
{
	return &runs[mode][fmt].o;
}

int main(int argc, char **argv)
{
	const char *env = getenv("VTXHV_CPUS"), *pm = getenv("VTXHV_PAGING");
	const char *fy = getenv("PAGING_SMP_YIELD");
	int want[MODES] = { 0 }, any;
	uint32_t offered;

	pg_init(chk_names, SC_NR);
	any = pg_parse_args(argc, argv, want);
	if (!any && pm && *pm) {
		want[tvm_paging_mode()] = 1;
		any = 1;
	}
	if (env && *env) {
		char *end;
		unsigned long n = strtoul(env, &end, 10);

		if (*end || n < 1 || n > PS_MAX_CPUS) {
			fprintf(stderr, "%s: VTXHV_CPUS=%s: 1 to %d\n", argv[0],
				env, PS_MAX_CPUS);
			return 2;
		}
		ncpu = n;
	}

	force_yield = fy && !strcmp(fy, "1");
	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = on_signal },
		  NULL);
	if (tvm_use_kvm) {
		/* The mode arguments do not apply: KVM's is kvm_intel's. */
		kvm_name_init();
		test_plan(FMT_NR * SC_NR);
		printf("# %u vCPUs on KVM, paging %s\n", ncpu, kvm_name);
		pg_run_mode(KVM_MODE, run_format);
		test_finish();
	}
	offered = pg_paging_modes();
	test_plan(MODES * FMT_NR * SC_NR + 2);
	printf("# %u vCPUs; paging modes offered by the module: %#x\n", ncpu,
	       offered);
	pg_run_modes(offered, want, any, run_format);
	pg_check_identical(outcome, 1);
	test_result(tvm_module_counts_zero(), "nothing_left_in_module");
	test_finish();
}
