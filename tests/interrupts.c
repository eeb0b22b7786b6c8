// SPDX-License-Identifier: GPL-2.0
/*
 * interrupts: events userspace queues for a guest.  External interrupts
 * (VTXHV_INTERRUPT) reach the guest's IDT when it halts with interrupts
 * on, wait while it runs with them off and arrive right after its STI;
 * request_interrupt_window exits as soon as the guest can take one; the
 * run page says whether it can; NMIs (VTXHV_NMI) arrive, and a second
 * waits until the guest's handler returns (IRET).
 */
#include "tvm.h"
#include "vtxhv_test.h"

#define PORT		0x10
#define IRQS		50
#define VEC_BASE	0x30

static volatile uint64_t last_vector, irq_count, nmi_count;
static volatile uint64_t nmi_nested;

static void on_irq(struct ex_regs *r)
{
	last_vector = r->vector;
	irq_count++;
}

static void on_nmi(struct ex_regs *r)
{
	(void)r;
	nmi_count++;
	/* Another NMI queued now must wait for this handler's IRET. */
	outb(PORT, 0x4e);
	nmi_nested = nmi_count;
}

static void guest_code(uint64_t arg)
{
	uint64_t i;

	(void)arg;
	for (i = VEC_BASE; i < VEC_BASE + 16; i++)
		guest_set_handler(i, on_irq);
	guest_set_handler(2, on_nmi);

	/* 1: halt with interrupts on, IRQS times; each wakes a handler. */
	for (i = 0; i < IRQS; i++) {
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		GUEST_ASSERT_EQ(irq_count, i + 1);
		GUEST_ASSERT_EQ(last_vector, VEC_BASE + i % 16);
	}
	GUEST_SYNC(1);

	/* 2: interrupts off: the queued one waits until STI. */
	outb(PORT, 1);			/* the host queues while IF=0 */
	GUEST_ASSERT_EQ(irq_count, IRQS);
	outb(PORT, 2);
	GUEST_ASSERT_EQ(irq_count, IRQS);
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_ASSERT_EQ(irq_count, IRQS + 1);
	GUEST_SYNC(2);

	/* 3: the host asks for a window; STI opens it. */
	outb(PORT, 3);
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	GUEST_SYNC(3);

	/* 4: NMIs, the second one queued inside the first's handler. */
	outb(PORT, 4);
	GUEST_ASSERT_EQ(nmi_count, 2);
	GUEST_ASSERT_EQ(nmi_nested, 2);
	GUEST_SYNC(4);
}

static void queue_irq(struct tvm *t, uint32_t vector)
{
	struct vtxhv_interrupt irq = { .vector = vector };

	TEST_ASSERT(!ioctl(t->vcpu, VTXHV_INTERRUPT, &irq),
		    "VTXHV_INTERRUPT %u", vector);
}

/* Run to the next exit that is not a ucall; it must be a port write. */
static uint8_t expect_out(struct tvm *t)
{
	tvm_run_ok(t);
	TEST_ASSERT(t->run->exit_reason == VTXHV_EXIT_IO &&
		    t->run->io.port == PORT, "exit %s port %#x",
		    exit_reason_name(t->run->exit_reason), t->run->io.port);
	return ((uint8_t *)t->run)[t->run->io.data_offset];
}

int main(void)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	struct vtxhv_interrupt bad = { .vector = 14 };
	int i, ok, ready_ok = 1;

	test_plan(6);
	tvm_setup_long_mode(t, guest_code, 0);

	for (i = 0; i < IRQS; i++) {
		tvm_run_ok(t);
		if (t->run->exit_reason != VTXHV_EXIT_HLT)
			break;
		ready_ok &= t->run->if_flag &&
			    t->run->ready_for_interrupt_injection;
		queue_irq(t, VEC_BASE + i % 16);
	}
	ok = TEST_CHECK(i == IRQS, "interrupt %d: exit %s", i,
			exit_reason_name(t->run->exit_reason));
	tvm_expect_ucall(t, UCALL_SYNC, 1);
	test_result(ok, "interrupt_wakes_halted_guest_%d_times", IRQS);
	test_result(TEST_CHECK(ready_ok, "run page said not ready at HLT"),
		    "ready_for_injection_while_halted_with_if");

	/* 2: queued while IF=0: not ready, delivered after the guest's STI. */
	ok = TEST_CHECK(expect_out(t) == 1, "");
	ok &= TEST_CHECK(!t->run->if_flag &&
			 !t->run->ready_for_interrupt_injection,
			 "if %u ready %u", t->run->if_flag,
			 t->run->ready_for_interrupt_injection);
	queue_irq(t, VEC_BASE);
	ok &= TEST_CHECK(ioctl(t->vcpu, VTXHV_INTERRUPT,
			       &(struct vtxhv_interrupt){ .vector = 0x31 }) ==
			 -1 && errno == EBUSY, "second queued: errno %d", errno);
	ok &= TEST_CHECK(expect_out(t) == 2, "");
	tvm_expect_ucall(t, UCALL_SYNC, 2);
	test_result(ok, "interrupt_waits_for_sti");
	test_result(TEST_CHECK(ioctl(t->vcpu, VTXHV_INTERRUPT, &bad) == -1 &&
			       errno == EINVAL, "vector 14: errno %d", errno),
		    "exception_vector_refused");

	/* 3: request_interrupt_window: an exit as soon as STI opens it. */
	ok = TEST_CHECK(expect_out(t) == 3, "");
	t->run->request_interrupt_window = 1;
	tvm_run_ok(t);
	ok &= TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_IRQ_WINDOW_OPEN &&
			 t->run->if_flag &&
			 t->run->ready_for_interrupt_injection, "exit %s",
			 exit_reason_name(t->run->exit_reason));
	t->run->request_interrupt_window = 0;
	tvm_expect_ucall(t, UCALL_SYNC, 3);
	test_result(ok, "interrupt_window_exit");

	/* 4: an NMI, and a second queued from inside its handler. */
	ok = TEST_CHECK(expect_out(t) == 4, "");
	ok &= TEST_CHECK(!ioctl(t->vcpu, VTXHV_NMI, 0), "VTXHV_NMI");
	ok &= TEST_CHECK(ioctl(t->vcpu, VTXHV_NMI, 0) == -1 && errno == EBUSY,
			 "second NMI: errno %d", errno);
	ok &= TEST_CHECK(expect_out(t) == 0x4e, "first handler");
	ok &= TEST_CHECK(!ioctl(t->vcpu, VTXHV_NMI, 0), "VTXHV_NMI");
	ok &= TEST_CHECK(expect_out(t) == 0x4e, "second handler");
	tvm_expect_ucall(t, UCALL_SYNC, 4);
	test_result(ok, "nmi_and_nmi_blocked_until_iret");
	tvm_destroy(t);
	test_finish();
}
