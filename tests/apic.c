// SPDX-License-Identifier: GPL-2.0
/*
 * apic: the in-kernel local APICs and INIT/SIPI of a VTXHV_VM_IRQCHIP VM,
 * with guest programs checked against the Intel SDM (Vol. 3A ch. 10):
 * registers, self-IPIs, the error status register, priorities (a lower
 * class waits for the EOI of a higher one, TPR holds it back), the timer in
 * one-shot, periodic and TSC-deadline modes measured against the TSC, the
 * start of every AP by INIT and SIPI in real mode at the SIPI vector, IPIs
 * between vCPUs in each destination mode and shorthand, lowest priority,
 * NMI IPIs, and the x2APIC MSRs' access rules (#GP where the SDM says).
 *
 * Every check is one SYNC from the guest, so that a failure does not stop
 * the others; a guest that waits longer than WAIT_MS for an interrupt
 * reports the check failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define NAP		3		/* APs: vCPUs 1..3 */
#define APIC		0xfee00000UL
#define SIPI_PAGE	0x8000		/* SIPI vector 8 */
#define SIPI_COUNT	0x9000		/* the stub's counter */
#define SIPI_PORT	0x11
#define WAIT_MS		2000

#define R_ID		0x20
#define R_LVR		0x30
#define R_TPR		0x80
#define R_PPR		0xa0
#define R_EOI		0xb0
#define R_LDR		0xd0
#define R_DFR		0xe0
#define R_SVR		0xf0
#define R_ISR		0x100
#define R_IRR		0x200
#define R_ESR		0x280
#define R_ICR		0x300
#define R_ICR2		0x310
#define R_LVTT		0x320
#define R_TMICT		0x380
#define R_TMCCT		0x390
#define R_TDCR		0x3e0

#define ICR_SELF	(1U << 18)
#define ICR_ALL		(2U << 18)
#define ICR_OTHERS	(3U << 18)
#define ICR_LOGICAL	(1U << 11)
#define ICR_LOWEST	(1U << 8)
#define ICR_NMI		(4U << 8)
#define ICR_INIT	(5U << 8)
#define ICR_SIPI	(6U << 8)
#define ICR_ASSERT	(1U << 14)
#define ICR_LEVEL	(1U << 15)

#define V_TIMER		0x21
#define V_LOW		0x28	/* priority class 2 */
#define V_HIGH		0x38	/* priority class 3 */
#define V_IPI		0x30
#define V_STOP		0x3f

/* The checks, in the order the guest reports them. */
enum {
	C_REGS = 1, C_SELF_IPI, C_ESR, C_SELF_NMI, C_PRIORITY, C_TPR,
	C_SW_DISABLE, C_ONESHOT, C_PERIODIC, C_DEADLINE, C_INIT_SIPI,
	C_PHYSICAL, C_LOGICAL, C_OTHERS, C_ALL, C_BROADCAST, C_LOWEST,
	C_NMI_IPI, C_X2APIC_RULES, C_X2APIC_SELF_IPI, C_COUNT
};

static const char *const names[C_COUNT] = {
	[C_REGS] = "lapic_registers_after_reset",
	[C_SELF_IPI] = "self_ipi_fixed",
	[C_ESR] = "esr_send_illegal_vector",
	[C_SELF_NMI] = "self_ipi_nmi",
	[C_PRIORITY] = "lower_class_waits_for_eoi",
	[C_TPR] = "tpr_holds_back_and_releases",
	[C_SW_DISABLE] = "software_disabled_apic_drops_fixed",
	[C_ONESHOT] = "timer_oneshot_divide_16",
	[C_PERIODIC] = "timer_periodic",
	[C_DEADLINE] = "timer_tsc_deadline",
	[C_INIT_SIPI] = "init_sipi_starts_every_ap_in_real_mode",
	[C_PHYSICAL] = "ipi_physical_to_each_ap",
	[C_LOGICAL] = "ipi_logical_flat",
	[C_OTHERS] = "ipi_shorthand_all_excluding_self",
	[C_ALL] = "ipi_shorthand_all_including_self",
	[C_BROADCAST] = "ipi_physical_broadcast",
	[C_LOWEST] = "ipi_lowest_priority",
	[C_NMI_IPI] = "ipi_nmi",
	[C_X2APIC_RULES] = "x2apic_msr_access_rules",
	[C_X2APIC_SELF_IPI] = "x2apic_self_ipi_msr",
};

/* --- guest ------------------------------------------------------------- */

static volatile uint32_t hits[NAP + 1][64];
static volatile uint32_t nmis[NAP + 1];
static volatile uint32_t aps_ready, aps_stopped, ap_stop[NAP + 1];
static volatile uint32_t gp_count, no_eoi;
static volatile uint32_t prio_ok;
static uint64_t tsc_per_ms;

static uint32_t apic_rd(uint32_t off)
{
	return *(volatile uint32_t *)(APIC + off);
}

static void apic_wr(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(APIC + off) = v;
}

/* Did RDMSR/WRMSR raise #GP?  (on_gp skips the 2-byte instruction) */
static int rdmsr_gp(uint32_t idx)
{
	uint32_t before = gp_count;

	rdmsr(idx);
	return gp_count != before;
}

static int wrmsr_gp(uint32_t idx, uint64_t v)
{
	uint32_t before = gp_count;

	wrmsr(idx, v);
	return gp_count != before;
}

static void on_gp(struct ex_regs *r)
{
	gp_count++;
	r->rip += 2;
}

/* This vCPU's APIC mode: IA32_APIC_BASE.EXTD (each vCPU has its own). */
static int x2apic_on(void)
{
	return rdmsr(0x1b) & 0x400;
}

static uint32_t cpu_id(void)
{
	return x2apic_on() ? rdmsr(0x802) : apic_rd(R_ID) >> 24;
}

static void eoi(void)
{
	if (x2apic_on())
		wrmsr(0x80b, 0);
	else
		apic_wr(R_EOI, 0);
}

static void on_irq(struct ex_regs *r)
{
	uint32_t id = cpu_id() & NAP;

	hits[id][r->vector]++;
	if (r->vector == V_STOP) {
		ap_stop[id] = 1;
		__atomic_add_fetch(&aps_stopped, 1, __ATOMIC_SEQ_CST);
	}
	if (!no_eoi)
		eoi();
}

static void on_nmi(struct ex_regs *r)
{
	(void)r;
	nmis[cpu_id() & NAP]++;
}

/* In the handler of V_HIGH, interrupts on: V_LOW must wait for the EOI. */
static void on_high(struct ex_regs *r)
{
	int i;

	hits[0][r->vector]++;
	__asm__ volatile("sti");
	apic_wr(R_ICR, ICR_SELF | V_LOW);
	for (i = 0; i < 100; i++)
		__asm__ volatile("nop");
	prio_ok = hits[0][V_LOW] == 0 &&
		  (apic_rd(R_IRR + (V_LOW >> 5) * 0x10) & (1U << (V_LOW & 31)));
	eoi();
	for (i = 0; i < 100 && !hits[0][V_LOW]; i++)
		__asm__ volatile("nop");
	prio_ok = prio_ok && hits[0][V_LOW] == 1;
	__asm__ volatile("cli");
}

static void report(uint64_t check, int ok, uint64_t a, uint64_t b)
{
	ucall(UCALL_SYNC, check, ok, a, b);
}

/* Wait, interrupts on, until *p >= n or WAIT_MS pass. */
static int wait_for(volatile uint32_t *p, uint32_t n)
{
	uint64_t end = rdtsc() + WAIT_MS * tsc_per_ms;

	while (*p < n && rdtsc() < end)
		__asm__ volatile("sti; nop; cli");
	return *p >= n;
}

/* Spin for @ms milliseconds with interrupts on. */
static void spin_ms(uint64_t ms)
{
	uint64_t end = rdtsc() + ms * tsc_per_ms;

	while (rdtsc() < end)
		__asm__ volatile("sti; nop; cli");
}

static void ipi(uint32_t dest, uint32_t icr)
{
	apic_wr(R_ICR2, dest << 24);
	apic_wr(R_ICR, icr);
}

static void basics(void)
{
	uint32_t lvr = apic_rd(R_LVR), esr;
	int ok;

	report(C_REGS, apic_rd(R_ID) == 0 && (lvr & 0xff) == 0x14 &&
	       ((lvr >> 16) & 0xff) >= 4 && apic_rd(R_SVR) == 0xff &&
	       apic_rd(R_DFR) == 0xffffffff &&
	       (apic_rd(R_LVTT) & (1U << 16)) &&
	       (rdmsr(0x1b) & 0xfffff900ULL) == 0xfee00900ULL,
	       lvr, rdmsr(0x1b));

	apic_wr(R_SVR, 0x1ff);
	apic_wr(R_LDR, 1U << 24);
	apic_wr(R_ICR, ICR_SELF | 0x24);
	__asm__ volatile("sti; nop; cli");
	report(C_SELF_IPI, hits[0][0x24] == 1 && apic_rd(R_PPR) == 0 &&
	       !apic_rd(R_ISR + 0x10), hits[0][0x24], apic_rd(R_PPR));

	apic_wr(R_ICR, ICR_SELF | 5);
	apic_wr(R_ESR, 0);
	esr = apic_rd(R_ESR);
	apic_wr(R_ESR, 0);
	report(C_ESR, (esr & 0x20) && !apic_rd(R_ESR) && !hits[0][5], esr, 0);

	apic_wr(R_ICR, ICR_SELF | ICR_NMI);
	__asm__ volatile("nop");
	report(C_SELF_NMI, nmis[0] == 1, nmis[0], 0);

	guest_set_handler(V_HIGH, on_high);
	apic_wr(R_ICR, ICR_SELF | V_HIGH);
	__asm__ volatile("sti; nop; cli");
	report(C_PRIORITY, prio_ok && hits[0][V_HIGH] == 1, prio_ok,
	       hits[0][V_LOW]);
	guest_set_handler(V_HIGH, on_irq);

	apic_wr(R_TPR, 0x30);
	apic_wr(R_ICR, ICR_SELF | V_LOW);
	__asm__ volatile("sti; nop; nop; cli");
	ok = hits[0][V_LOW] == 1 && apic_rd(R_PPR) == 0x30;
	apic_wr(R_TPR, 0);
	__asm__ volatile("sti; nop; cli");
	report(C_TPR, ok && hits[0][V_LOW] == 2, ok, hits[0][V_LOW]);

	apic_wr(R_SVR, 0xff);
	apic_wr(R_ICR, ICR_SELF | 0x25);
	__asm__ volatile("sti; nop; cli");
	ok = !hits[0][0x25] && (apic_rd(R_LVTT) & (1U << 16));
	apic_wr(R_SVR, 0x1ff);
	report(C_SW_DISABLE, ok, hits[0][0x25], 0);
}

static void timers(void)
{
	uint64_t t0, t1, deadline;
	uint32_t c1, c2, n;

	/* One-shot, divide by 16: 125000 counts of 16 ns = 2 ms. */
	apic_wr(R_TDCR, 0x3);
	apic_wr(R_LVTT, V_TIMER);
	t0 = rdtsc();
	apic_wr(R_TMICT, 125000);
	c1 = apic_rd(R_TMCCT);
	c2 = apic_rd(R_TMCCT);
	while (!hits[0][V_TIMER] && rdtsc() - t0 < WAIT_MS * tsc_per_ms)
		__asm__ volatile("sti; hlt; cli");
	t1 = rdtsc();
	spin_ms(6);
	report(C_ONESHOT, hits[0][V_TIMER] == 1 && c1 <= 125000 && c2 < c1 &&
	       apic_rd(R_TMCCT) == 0, t1 - t0, (uint64_t)c1 << 32 | c2);

	/* Periodic, divide by 1: 1 ms; five periods, then TMICT = 0 stops. */
	apic_wr(R_TDCR, 0xb);
	apic_wr(R_LVTT, (V_TIMER + 1) | 1U << 17);
	t0 = rdtsc();
	apic_wr(R_TMICT, 1000000);
	while (hits[0][V_TIMER + 1] < 5 &&
	       rdtsc() - t0 < WAIT_MS * tsc_per_ms)
		__asm__ volatile("sti; hlt; cli");
	t1 = rdtsc();
	apic_wr(R_TMICT, 0);
	n = hits[0][V_TIMER + 1];
	spin_ms(4);
	report(C_PERIODIC, n >= 5 && hits[0][V_TIMER + 1] == n, t1 - t0, n);

	/* TSC deadline 2 ms ahead; then one in the past fires at once. */
	apic_wr(R_LVTT, (V_TIMER + 2) | 2U << 17);
	apic_wr(R_TMICT, 1000);		/* ignored in this mode */
	t0 = rdtsc();
	deadline = t0 + 2 * tsc_per_ms;
	wrmsr(0x6e0, deadline);
	while (!hits[0][V_TIMER + 2] && rdtsc() - t0 < WAIT_MS * tsc_per_ms)
		__asm__ volatile("sti; hlt; cli");
	t1 = rdtsc();
	c1 = rdmsr(0x6e0) == 0;
	wrmsr(0x6e0, 1);
	c2 = wait_for(&hits[0][V_TIMER + 2], 2);
	report(C_DEADLINE, hits[0][V_TIMER + 2] == 2 && t1 >= deadline &&
	       c1 && c2, t1 - t0, (uint64_t)c1 << 32 | c2);
	apic_wr(R_LVTT, 1U << 16);
}

static int only(uint32_t vec, uint32_t mask)
{
	int i;

	for (i = 0; i <= NAP; i++)
		if (hits[i][vec] != !!(mask & (1U << i)))
			return 0;
	return 1;
}

static uint32_t hitmask(uint32_t vec)
{
	uint32_t m = 0;
	int i;

	for (i = 0; i <= NAP; i++)
		m |= (hits[i][vec] ? 1U : 0) << i;
	return m;
}

static void smp(void)
{
	volatile uint16_t *count = (volatile uint16_t *)SIPI_COUNT;
	uint32_t i;

	for (i = 1; i <= NAP; i++) {
		ipi(i, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
		ipi(i, ICR_INIT | ICR_LEVEL);		/* de-assert */
		ipi(i, ICR_SIPI | (SIPI_PAGE >> 12));
		ipi(i, ICR_SIPI | (SIPI_PAGE >> 12));	/* as Linux does */
	}
	wait_for(&aps_ready, NAP);
	report(C_INIT_SIPI, *count == NAP && aps_ready == NAP, *count,
	       aps_ready);

	for (i = 1; i <= NAP; i++) {
		ipi(i, V_IPI);
		wait_for(&hits[i][V_IPI], 1);
	}
	spin_ms(2);
	report(C_PHYSICAL, only(V_IPI, 0xe), hitmask(V_IPI), 0);

	ipi(0x0a, ICR_LOGICAL | (V_IPI + 1));	/* LDR bits of APs 1, 3 */
	wait_for(&hits[1][V_IPI + 1], 1);
	wait_for(&hits[3][V_IPI + 1], 1);
	spin_ms(2);
	report(C_LOGICAL, only(V_IPI + 1, 0xa), hitmask(V_IPI + 1), 0);

	apic_wr(R_ICR, ICR_OTHERS | (V_IPI + 2));
	for (i = 1; i <= NAP; i++)
		wait_for(&hits[i][V_IPI + 2], 1);
	spin_ms(2);
	report(C_OTHERS, only(V_IPI + 2, 0xe), hitmask(V_IPI + 2), 0);

	apic_wr(R_ICR, ICR_ALL | (V_IPI + 3));
	for (i = 0; i <= NAP; i++)
		wait_for(&hits[i][V_IPI + 3], 1);
	spin_ms(2);
	report(C_ALL, only(V_IPI + 3, 0xf), hitmask(V_IPI + 3), 0);

	ipi(0xff, V_IPI + 4);
	for (i = 0; i <= NAP; i++)
		wait_for(&hits[i][V_IPI + 4], 1);
	spin_ms(2);
	report(C_BROADCAST, only(V_IPI + 4, 0xf), hitmask(V_IPI + 4), 0);

	/* APs 1, 2, 3 run with TPR 0x20, 0x00, 0x10: AP 2 is lowest. */
	ipi(0x0e, ICR_LOGICAL | ICR_LOWEST | (V_IPI + 5));
	wait_for(&hits[2][V_IPI + 5], 1);
	spin_ms(2);
	report(C_LOWEST, only(V_IPI + 5, 0x4), hitmask(V_IPI + 5), 0);

	ipi(1, ICR_NMI);
	wait_for(&nmis[1], 1);
	spin_ms(2);
	report(C_NMI_IPI, nmis[1] == 1 && !nmis[2] && !nmis[3], nmis[1],
	       nmis[2] + nmis[3]);

	/* The APs end before the BSP's x2APIC checks count #GPs. */
	apic_wr(R_ICR, ICR_OTHERS | V_STOP);
	wait_for(&aps_stopped, NAP);
}

static void x2apic(void)
{
	int ok, gp_before_enable;
	uint64_t lvr;

	gp_before_enable = rdmsr_gp(0x802);
	wrmsr(0x1b, 0xfee00000ULL | 0x900 | 0x400);
	lvr = rdmsr(0x803);
	ok = gp_before_enable && !rdmsr_gp(0x802) && rdmsr(0x802) == 0 &&
	     (lvr & 0xff) == 0x14 && rdmsr(0x80d) == 1 &&
	     wrmsr_gp(0x802, 5) && rdmsr_gp(0x80b) && wrmsr_gp(0x80b, 1) &&
	     rdmsr_gp(0x831) && wrmsr_gp(0x808, 0x100) &&
	     !wrmsr_gp(0x808, 0x10) && rdmsr(0x808) == 0x10 &&
	     wrmsr_gp(0x1b, 0xfee00000ULL | 0x900);
	wrmsr(0x808, 0);
	report(C_X2APIC_RULES, ok, gp_count, lvr);

	wrmsr(0x83f, 0x26);
	__asm__ volatile("sti; nop; cli");
	report(C_X2APIC_SELF_IPI, hits[0][0x26] == 1 &&
	       rdmsr_gp(0x83f), hits[0][0x26], 0);
}

static void guest_main(uint64_t arg)
{
	int v;

	tsc_per_ms = arg;
	for (v = 0x20; v < 0x40; v++)
		guest_set_handler(v, on_irq);
	guest_set_handler(2, on_nmi);
	guest_set_handler(13, on_gp);
	basics();
	timers();
	smp();
	x2apic();
	GUEST_DONE();
}

static void ap_main(uint64_t id)
{
	static const uint32_t tpr[NAP + 1] = { 0, 0x20, 0x00, 0x10 };

	apic_wr(R_SVR, 0x1ff);
	apic_wr(R_TPR, tpr[id]);
	apic_wr(R_DFR, 0xffffffff);
	apic_wr(R_LDR, 1U << (24 + id));
	__atomic_add_fetch(&aps_ready, 1, __ATOMIC_SEQ_CST);
	while (!ap_stop[id])
		__asm__ volatile("sti; hlt; cli");
	GUEST_DONE();
}

/* --- host -------------------------------------------------------------- */

/* Real mode at SIPI_PAGE: count, tell the host, halt. */
static const uint8_t sipi_stub[] = {
	0xfa,				/* cli */
	0xf0, 0xff, 0x06, 0x00, 0x90,	/* lock incw 0x9000 */
	0xe6, SIPI_PORT,		/* out %al, $0x11 */
	0xf4,				/* hlt */
	0xeb, 0xfd,			/* jmp .-3 */
};

struct ap {
	struct tvm *v;
	unsigned int id;
	pthread_t thread;
	int sipi_ok;
	int done;
	char why[160];
};

static void *ap_thread(void *arg)
{
	struct ap *ap = arg;
	struct vtxhv_sregs s;
	int r;

	r = tvm_run(ap->v);
	if (r || ap->v->run->exit_reason != VTXHV_EXIT_IO ||
	    ap->v->run->io.port != SIPI_PORT) {
		snprintf(ap->why, sizeof(ap->why), "first run %d exit %s", r,
			 exit_reason_name(ap->v->run->exit_reason));
		return NULL;
	}
	tvm_get_sregs(ap->v, &s);
	ap->sipi_ok = s.cs.base == SIPI_PAGE &&
		      s.cs.selector == SIPI_PAGE >> 4 && !(s.cr0 & 1);
	if (!ap->sipi_ok)
		snprintf(ap->why, sizeof(ap->why), "cs %#x base %#llx cr0 %#llx",
			 s.cs.selector, (unsigned long long)s.cs.base,
			 (unsigned long long)s.cr0);
	tvm_start_long_mode(ap->v, ap_main, ap->id,
			    ap->v->mem_size - 0x10000 * (ap->id + 1) - 8);
	ap->done = tvm_run_to_done(ap->v, ap->why, sizeof(ap->why));
	return NULL;
}

/* A guest that hangs: say where everyone is, and fail. */
static struct tvm *the_vm;

static void on_alarm(int sig)
{
	struct tvm *t = the_vm;
	int i;

	(void)sig;
	printf("# timed out: aps_ready %u\n",
	       *(uint32_t *)(t->mem + (uintptr_t)&aps_ready));
	for (i = 0; i <= NAP; i++)
		printf("# cpu %d: stop %u hits[V_STOP] %u nmis %u\n", i,
		       *(uint32_t *)(t->mem + (uintptr_t)&ap_stop[i]),
		       *(uint32_t *)(t->mem + (uintptr_t)&hits[i][V_STOP]),
		       *(uint32_t *)(t->mem + (uintptr_t)&nmis[i]));
	fflush(stdout);
	_exit(1);
}

#define EXPECT_ERRNO(call, e) ((call) == -1 && errno == (e))

/*
 * The irqchip's ioctls refuse what they must: ENXIO on a VM without the
 * irqchip, EINVAL for a pin or level or state out of range; the state of a
 * new VM's APICs is the reset state, with the vCPU's ID.
 */
static int irqchip_ioctls_ok(struct tvm *t, struct tvm *ap1)
{
	struct tvm *plain = tvm_create_paging(TVM_DEFAULT_MEM, VTXHV_PAGING_EPT);
	struct vtxhv_irq_level l = { .irq = 2, .level = 1 };
	struct vtxhv_mp_state mp = { .mp_state = 9 };
	struct vtxhv_lapic_state ls;
	uint32_t *regs = (uint32_t *)ls.regs;
	int ok;

	ok = TEST_CHECK(EXPECT_ERRNO(ioctl(plain->vm, VTXHV_IRQ_LINE, &l),
				     ENXIO), "IRQ_LINE without irqchip");
	ok &= TEST_CHECK(EXPECT_ERRNO(ioctl(plain->vcpu, VTXHV_GET_MP_STATE,
					    &mp), ENXIO), "MP_STATE");
	ok &= TEST_CHECK(EXPECT_ERRNO(ioctl(plain->vcpu, VTXHV_GET_LAPIC, &ls),
				      ENXIO), "GET_LAPIC");
	tvm_destroy(plain);

	ok &= TEST_CHECK(!ioctl(t->vm, VTXHV_IRQ_LINE, &l), "raise pin 2");
	l.level = 0;
	ok &= TEST_CHECK(!ioctl(t->vm, VTXHV_IRQ_LINE, &l), "lower pin 2");
	l.level = 2;
	ok &= TEST_CHECK(EXPECT_ERRNO(ioctl(t->vm, VTXHV_IRQ_LINE, &l),
				      EINVAL), "level 2");
	l = (struct vtxhv_irq_level){ .irq = VTXHV_IOAPIC_PINS, .level = 1 };
	ok &= TEST_CHECK(EXPECT_ERRNO(ioctl(t->vm, VTXHV_IRQ_LINE, &l),
				      EINVAL), "pin 24");
	ok &= TEST_CHECK(EXPECT_ERRNO(ioctl(t->vcpu, VTXHV_SET_MP_STATE, &mp),
				      EINVAL), "mp_state 9");
	ok &= TEST_CHECK(!ioctl(ap1->vcpu, VTXHV_GET_LAPIC, &ls) &&
			 regs[R_ID / 4] == 1U << 24 &&
			 (regs[R_LVR / 4] & 0xff) == 0x14 &&
			 regs[R_SVR / 4] == 0xff &&
			 regs[R_DFR / 4] == 0xffffffff, "AP 1's reset state");
	return ok;
}

/* A timer period in TSC ticks: never early, at most 50 ms late. */
static int period_ok(uint64_t ticks, uint64_t ms, uint64_t per_ms)
{
	return ticks >= ms * per_ms * 95 / 100 && ticks <= (ms + 50) * per_ms;
}

int main(void)
{
	struct vtxhv_mp_state mp;
	struct ap aps[NAP + 1];
	struct vtxhv_caps caps;
	uint64_t per_ms, check;
	struct ucall uc;
	struct tvm *t;
	int i, ok, fd;

	fd = open("/dev/vtxhv", O_RDWR);
	if (fd < 0)
		test_skip_all("/dev/vtxhv missing: vtxhv is not loaded");
	caps.size = sizeof(caps);
	TEST_ASSERT(!ioctl(fd, VTXHV_GET_CAPS, &caps), "VTXHV_GET_CAPS");
	close(fd);
	if (!(caps.extensions & VTXHV_EXT_IRQCHIP))
		test_skip_all("the module has no in-kernel irqchip");
	if (tvm_paging_mode() != VTXHV_PAGING_EPT)
		test_skip_all("APs start in real mode: EPT only");

	test_plan(C_COUNT - 1 + 3);
	per_ms = tvm_host_tsc_per_ms();
	printf("# TSC: %llu ticks per ms\n", (unsigned long long)per_ms);

	t = tvm_create_flags(TVM_DEFAULT_MEM, VTXHV_PAGING_EPT,
			     VTXHV_VM_IRQCHIP);
	ok = !ioctl(t->vcpu, VTXHV_GET_MP_STATE, &mp) &&
	     mp.mp_state == VTXHV_MP_STATE_RUNNABLE;
	for (i = 1; i <= NAP; i++) {
		aps[i] = (struct ap){ .id = i };
		aps[i].v = tvm_add_vcpu(t, i);
		ok &= !ioctl(aps[i].v->vcpu, VTXHV_GET_MP_STATE, &mp) &&
		      mp.mp_state == VTXHV_MP_STATE_UNINITIALIZED;
	}
	test_result(ok, "mp_state_bsp_runnable_aps_wait_for_sipi");
	test_result(irqchip_ioctls_ok(t, aps[1].v), "irqchip_ioctls_validated");

	the_vm = t;
	signal(SIGALRM, on_alarm);
	alarm(600);	/* emulated seconds: in Bochs a few wall seconds each */
	tvm_setup_long_mode(t, guest_main, per_ms);
	memcpy(t->mem + SIPI_PAGE, sipi_stub, sizeof(sipi_stub));
	memset(t->mem + SIPI_COUNT, 0, 2);
	for (i = 1; i <= NAP; i++)
		TEST_ASSERT(!pthread_create(&aps[i].thread, NULL, ap_thread,
					    &aps[i]), "pthread_create");

	for (check = 1; check < C_COUNT; check++) {
		uint64_t cmd = tvm_get_ucall(t, &uc);

		TEST_ASSERT(cmd == UCALL_SYNC && uc.args[0] == check,
			    "expected check %llu (%s), got ucall %llu arg %llu",
			    (unsigned long long)check, names[check],
			    (unsigned long long)cmd,
			    (unsigned long long)uc.args[0]);
		ok = uc.args[1];
		if (check == C_ONESHOT || check == C_DEADLINE)
			ok = ok && period_ok(uc.args[2], 2, per_ms);
		if (check == C_PERIODIC)
			ok = ok && uc.args[2] >= 5 * per_ms * 95 / 100 &&
			     uc.args[2] <= (5 + 50) * per_ms;
		if (check == C_INIT_SIPI)
			for (i = 1; i <= NAP; i++)
				ok = ok && aps[i].sipi_ok;
		test_result(TEST_CHECK(ok, "details %#llx %#llx",
				       (unsigned long long)uc.args[2],
				       (unsigned long long)uc.args[3]),
			    "%s", names[check]);
	}
	tvm_expect_ucall(t, UCALL_DONE, 0);

	ok = 1;
	for (i = 1; i <= NAP; i++) {
		pthread_join(aps[i].thread, NULL);
		ok &= TEST_CHECK(aps[i].done, "AP %d: %s", i, aps[i].why);
		tvm_destroy(aps[i].v);
	}
	test_result(ok, "every_ap_stopped_by_ipi");
	tvm_destroy(t);
	test_finish();
}
