// SPDX-License-Identifier: GPL-2.0
/*
 * apic_bench: what the in-kernel local APIC costs a guest, measured with
 * RDTSC inside it (in the Bochs test VM RDTSC counts emulated instructions,
 * so the figures repeat), on an irqchip VM with two vCPUs:
 *
 *   ipi_round_trip   vCPU 0 sends a fixed IPI (xAPIC ICR, physical
 *                    destination 1) to vCPU 1, whose handler sends one
 *                    back; vCPU 0 waits for it spinning with IF=1 (no HLT,
 *                    no PAUSE, so that neither a wake-up nor KVM's
 *                    pause-loop exiting is in the figure; vCPU 1 spins the
 *                    same way).  Ticks per round trip on vCPU 0.
 *   timer_to_halted  vCPU 0 arms the TSC-deadline timer TIMER_AHEAD_US
 *                    ahead and HLTs with IF=1; ticks from the deadline to
 *                    the RDTSC at the top of the handler (after two pushes).
 *                    The distance is longer than KVM's default halt
 *                    polling (200 us), so the vCPU really sleeps on both.
 *   eoi              ticks of one EOI write (xAPIC MMIO) in the handler
 *                    of a self-IPI.
 *
 * Each figure is the median over its iterations, after WARMUP iterations
 * that are not counted.  The APs start through SET_MP_STATE (runnable) and
 * registers set here, not INIT/SIPI, on both hypervisors.  With --kvm the
 * same guest runs on Linux's KVM with its in-kernel irqchip (make bench).
 * Prints the figures; fails only if an interrupt goes wrong.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define APIC		0xfee00000UL
#define R_EOI		0xb0
#define R_SVR		0xf0
#define R_ICR		0x300
#define R_ICR2		0x310
#define R_LVTT		0x320
#define ICR_SELF	(1U << 18)
#define LVT_MASKED	(1U << 16)
#define LVTT_DEADLINE	(2U << 17)
#define MSR_TSC_DEADLINE 0x6e0

#define V_PING		0x30	/* vCPU 0 -> vCPU 1 */
#define V_PONG		0x31	/* vCPU 1 -> vCPU 0 */
#define V_TIMER		0x32	/* its IDT gate is bench_timer_isr */
#define V_EOI		0x33	/* self-IPI whose handler times its EOI */

#define WARMUP		10
#define IPI_LOOPS	500
#define TIMER_LOOPS	100
#define TIMER_AHEAD_US	1000
#define EOI_LOOPS	1000
#define MAX_SAMPLES	(WARMUP + EOI_LOOPS)

#define AP_STACK(t)	((t)->mem_size - 0x20000 - 8)

enum { P_IPI = 1, P_TIMER, P_EOI };

/* --- guest ------------------------------------------------------------- */

static volatile uint32_t ap_ready, ap_stop, pongs, eois;
static volatile int64_t samples[MAX_SAMPLES];
/* Written by bench_timer_isr (below), hence "used". */
static volatile uint64_t timer_stamp __attribute__((used));
static volatile uint32_t timer_hits __attribute__((used));

static void apic_wr(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(APIC + off) = v;
}

/*
 * The timer's handler, straight from the IDT (not through the library's
 * dispatch): the TSC first, then the count, then the EOI.
 */
void bench_timer_isr(void);
__asm__(".text\n"
	"bench_timer_isr:\n"
	" push %rax\n"
	" push %rdx\n"
	" rdtsc\n"
	" shl $32, %rdx\n"
	" or %rdx, %rax\n"
	" mov %rax, timer_stamp\n"
	" incl timer_hits\n"
	" mov $0xfee000b0, %eax\n"	/* EOI */
	" movl $0, (%rax)\n"
	" pop %rdx\n"
	" pop %rax\n"
	" iretq\n");

/* Point IDT gate @vec (the library's IDT, 16-byte gates) at @isr. */
static void set_gate(int vec, void (*isr)(void))
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr;
	uint64_t a = (uintptr_t)isr;
	uint16_t *g;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	g = (uint16_t *)(idtr.base + vec * 16);
	g[0] = a;
	g[3] = a >> 16;
	*(uint32_t *)&g[4] = a >> 32;
}

/* vCPU 1: answer at once. */
static void on_ping(struct ex_regs *r)
{
	(void)r;
	apic_wr(R_ICR2, 0);
	apic_wr(R_ICR, V_PONG);
	apic_wr(R_EOI, 0);
}

static void on_pong(struct ex_regs *r)
{
	(void)r;
	pongs++;
	apic_wr(R_EOI, 0);
}

static void on_eoi(struct ex_regs *r)
{
	uint64_t t0, t1;

	(void)r;
	t0 = rdtsc();
	apic_wr(R_EOI, 0);
	t1 = rdtsc();
	samples[eois] = t1 - t0;
	eois++;
}

static void bench_ipi(void)
{
	uint64_t t0, t1;
	uint32_t i;

	__asm__ volatile("sti");
	for (i = 0; i < WARMUP + IPI_LOOPS; i++) {
		t0 = rdtsc();
		apic_wr(R_ICR2, 1U << 24);
		apic_wr(R_ICR, V_PING);
		while (pongs != i + 1)
			;
		t1 = rdtsc();
		samples[i] = t1 - t0;
	}
	__asm__ volatile("cli");
	ap_stop = 1;	/* before the SYNC: the host joins vCPU 1's thread */
	GUEST_SYNC(P_IPI);
}

static void bench_timer(uint64_t ahead)
{
	uint64_t deadline;
	uint32_t i;

	set_gate(V_TIMER, bench_timer_isr);
	apic_wr(R_LVTT, V_TIMER | LVTT_DEADLINE);
	for (i = 0; i < WARMUP + TIMER_LOOPS; i++) {
		deadline = rdtsc() + ahead;
		wrmsr(MSR_TSC_DEADLINE, deadline);
		while (timer_hits != i + 1)
			__asm__ volatile("sti; hlt; cli");
		samples[i] = (int64_t)(timer_stamp - deadline);
	}
	apic_wr(R_LVTT, LVT_MASKED);
	GUEST_SYNC(P_TIMER);
}

static void bench_eoi(void)
{
	uint32_t i;

	__asm__ volatile("sti");
	for (i = 0; i < WARMUP + EOI_LOOPS; i++) {
		apic_wr(R_ICR, ICR_SELF | V_EOI);
		while (eois != i + 1)
			;
	}
	__asm__ volatile("cli");
	GUEST_SYNC(P_EOI);
}

static void guest_main(uint64_t timer_ahead)
{
	apic_wr(R_SVR, 0x1ff);
	guest_set_handler(V_PONG, on_pong);
	guest_set_handler(V_EOI, on_eoi);
	while (!ap_ready)
		;
	bench_ipi();
	bench_timer(timer_ahead);
	bench_eoi();
	GUEST_DONE();
}

static void ap_main(uint64_t arg)
{
	(void)arg;
	apic_wr(R_SVR, 0x1ff);
	guest_set_handler(V_PING, on_ping);
	__atomic_store_n(&ap_ready, 1, __ATOMIC_SEQ_CST);
	__asm__ volatile("sti");
	while (!ap_stop)
		;
	__asm__ volatile("cli");
	GUEST_DONE();
}

/* --- host -------------------------------------------------------------- */

struct ap {
	struct tvm *v;
	pthread_t thread;
	int done;
	char why[160];
};

static void *ap_thread(void *arg)
{
	struct ap *ap = arg;

	ap->done = tvm_run_to_done(ap->v, ap->why, sizeof(ap->why));
	return NULL;
}

static struct tvm *the_vm;

static uint32_t guest_u32(const volatile uint32_t *p)
{
	return *(uint32_t *)(the_vm->mem + (uintptr_t)p);
}

/* A guest that hangs: say how far it got, and fail. */
static void on_alarm(int sig)
{
	(void)sig;
	printf("# timed out: ap_ready %u pongs %u timer_hits %u eois %u\n",
	       guest_u32(&ap_ready), guest_u32(&pongs),
	       guest_u32(&timer_hits), guest_u32(&eois));
	fflush(stdout);
	_exit(KSFT_FAIL);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * The guest's samples after the warm-up: print the median as the figure
 * (exit_costs's format, which scripts/bench reads) and the spread as a
 * comment.  Returns the smallest sample.
 */
static int64_t figure(const char *name, unsigned int n)
{
	int64_t s[MAX_SAMPLES], sum = 0;
	unsigned int i;

	memcpy(s, the_vm->mem + (uintptr_t)&samples[WARMUP], n * sizeof(s[0]));
	qsort(s, n, sizeof(s[0]), cmp_i64);
	for (i = 0; i < n; i++)
		sum += s[i];
	printf("# figure %s %lld\n", name, (long long)s[n / 2]);
	printf("# %s: n %u min %lld median %lld mean %lld max %lld\n", name, n,
	       (long long)s[0], (long long)s[n / 2], (long long)(sum / n),
	       (long long)s[n - 1]);
	return s[0];
}

static void expect_phase(struct tvm *t, uint64_t phase)
{
	struct ucall uc;
	uint64_t cmd = tvm_get_ucall(t, &uc);

	TEST_ASSERT(cmd == UCALL_SYNC && uc.args[0] == phase,
		    "expected phase %llu, got ucall %llu arg %llu",
		    (unsigned long long)phase, (unsigned long long)cmd,
		    (unsigned long long)uc.args[0]);
}

static void need_irqchip(void)
{
	struct vtxhv_caps caps = { .size = sizeof(caps) };
	int fd = open("/dev/vtxhv", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		test_skip_all("/dev/vtxhv missing: vtxhv is not loaded");
	TEST_ASSERT(!ioctl(fd, VTXHV_GET_CAPS, &caps), "VTXHV_GET_CAPS");
	close(fd);
	/* require the in-kernel irqchip */
	if (!(caps.extensions & VTXHV_EXT_IRQCHIP))
		test_skip_all("the module has no in-kernel irqchip");
}

int main(int argc, char **argv)
{
	uint64_t per_ms;
	struct ap ap = { 0 };
	struct tvm *t;

	tvm_use_kvm = argc > 1 && !strcmp(argv[1], "--kvm");
	if (!tvm_use_kvm)
		need_irqchip();
	per_ms = tvm_host_tsc_per_ms();
	t = tvm_create_flags(TVM_DEFAULT_MEM, tvm_paging_mode(),
			     VTXHV_VM_IRQCHIP);
	ap.v = tvm_add_vcpu(t, 1);
	test_plan(4);
	printf("# TSC: %llu ticks per ms; timer %u us ahead\n",
	       (unsigned long long)per_ms, TIMER_AHEAD_US);

	tvm_set_cpuid_host(t);
	tvm_set_cpuid_host(ap.v);
	tvm_setup_long_mode(t, guest_main, per_ms * TIMER_AHEAD_US / 1000);
	tvm_set_runnable(ap.v);
	tvm_start_long_mode(ap.v, ap_main, 1, AP_STACK(t));

	the_vm = t;
	signal(SIGALRM, on_alarm);
	/* Under a second of guest time in all; in Bochs, emulated seconds
	 * of about 7 wall seconds each. */
	alarm(30);
	TEST_ASSERT(!pthread_create(&ap.thread, NULL, ap_thread, &ap),
		    "pthread_create");

	expect_phase(t, P_IPI);
	figure("ipi_round_trip_ticks", IPI_LOOPS);
	test_result(1, "ipi_round_trip");
	pthread_join(ap.thread, NULL);
	test_result(TEST_CHECK(ap.done, "vCPU 1: %s", ap.why),
		    "second_vcpu_done");

	expect_phase(t, P_TIMER);
	test_result(TEST_CHECK(figure("timer_to_halted_ticks",
				      TIMER_LOOPS) >= 0,
			       "the handler ran before the deadline"),
		    "timer_to_halted_never_early");

	expect_phase(t, P_EOI);
	figure("eoi_ticks", EOI_LOOPS);
	test_result(1, "eoi");
	tvm_expect_ucall(t, UCALL_DONE, 0);
	alarm(0);
	tvm_destroy(ap.v);
	tvm_destroy(t);
	test_finish();
}
