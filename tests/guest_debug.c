// SPDX-License-Identifier: GPL-2.0
/*
 * guest_debug: VTXHV_SET_GUEST_DEBUG, a debugger's view of a 64-bit guest:
 * single steps with the exact RIP of each stop (over a CPUID the module
 * emulates and an OUT userspace finishes), INT3 stops and the resume past
 * them, an execute breakpoint and a write watchpoint of the debugger's
 * while the guest's own DR0/DR7 keep their values, the guest's own #DB and
 * #BP once the debugger detached (with DR7.GD and DR4 under CR4.DE), a
 * second vCPU stopped by its own debugger while the first is not, and the
 * arguments refused.  In the
 * paging mode of VTXHV_PAGING (run_tests.sh: guest_debug:shadow ...).
 */
#include "tvm.h"
#include "vtxhv_test.h"

#define PORT		0x10
#define GUEST_DR0	0x123456789000ULL
#define GUEST_DR7	0x401ULL	/* L0, an execute breakpoint */

/* Labels in the guest code below, at their link addresses. */
extern char step_seq[], step_1[], step_cpuid[], step_3[], step_out[],
	step_5[], step_jmp[], step_8[], step_end[];
extern char bp_insn[], bp_after[], hw_exec[], watch_insn[], watch_after[];
extern char own_bp[], own_int3_after[], ap_int3[], gd_mov[];

static volatile uint32_t watch_var;
static volatile uint64_t db_count, db_rip, bp_count, bp_rip, ud_count;

static void db_handler(struct ex_regs *r)
{
	db_count++;
	db_rip = r->rip;
}

static void bp_handler(struct ex_regs *r)
{
	bp_count++;
	bp_rip = r->rip;
}

/* MOV RAX, DR4 (0f 21 e0) with CR4.DE: #UD, skipped. */
static void ud_handler(struct ex_regs *r)
{
	ud_count++;
	r->rip += 3;
}

static inline uint64_t get_dr(int n)
{
	uint64_t v = 0;

	if (n == 0)
		__asm__ volatile("mov %%dr0, %0" : "=r"(v));
	else if (n == 6)
		__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	else
		__asm__ volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

static void __attribute__((noinline)) guest_code(uint64_t arg)
{
	uint32_t a, b, c, d;
	uint64_t v, cr4;

	(void)arg;
	guest_set_handler(1, db_handler);
	guest_set_handler(3, bp_handler);
	guest_set_handler(6, ud_handler);

	/* 1: the host single-steps this sequence. */
	GUEST_SYNC(1);
	__asm__ volatile(".globl step_seq, step_1, step_cpuid, step_3\n\t"
			 ".globl step_out, step_5, step_jmp, step_8, step_end\n"
			 "step_seq: nop\n"
			 "step_1: mov $0, %%eax\n"
			 "step_cpuid: cpuid\n"
			 "step_3: mov $0x99, %%al\n"
			 "step_out: outb %%al, $0x10\n"
			 "step_5: nop\n"
			 "step_jmp: jmp step_8\n"
			 "ud2\n"
			 "step_8: nop\n"
			 "step_end:"
			 : : : "rax", "rbx", "rcx", "rdx", "memory");

	/* 2: INT3 stops for the debugger; the guest's handler never runs. */
	GUEST_SYNC(2);
	__asm__ volatile(".globl bp_insn, bp_after\n"
			 "bp_insn: int3\n"
			 "bp_after: nop" : : : "memory");
	GUEST_ASSERT_EQ(bp_count, 0);

	/* 3: the guest's own DR0/DR7, then the debugger's breakpoints. */
	__asm__ volatile("mov %0, %%dr0" : : "r"(GUEST_DR0));
	__asm__ volatile("mov %0, %%dr7" : : "r"(GUEST_DR7));
	GUEST_SYNC(3);
	__asm__ volatile(".globl hw_exec, watch_insn, watch_after\n"
			 "hw_exec: nop\n"
			 "watch_insn: movl $1, %0\n"
			 "watch_after: nop" : "=m"(watch_var) : : "memory");
	GUEST_ASSERT_EQ(get_dr(0), GUEST_DR0);
	GUEST_ASSERT_EQ(get_dr(7), GUEST_DR7);
	GUEST_ASSERT_EQ(db_count, 0);
	GUEST_ASSERT_EQ(watch_var, 1);
	cpuid(0, 0, &a, &b, &c, &d);

	/* 4: detached: the guest's own breakpoint and INT3 are its own. */
	GUEST_SYNC(4);
	__asm__ volatile("mov %0, %%dr0" : : "r"((uint64_t)own_bp));
	__asm__ volatile("mov %0, %%dr7" : : "r"(GUEST_DR7));
	__asm__ volatile(".globl own_bp, own_int3_after\n"
			 "own_bp: nop\n"
			 "int3\n"
			 "own_int3_after: nop" : : : "memory");
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x400ULL));
	GUEST_ASSERT_EQ(db_count, 1);
	GUEST_ASSERT_EQ(db_rip, (uint64_t)own_bp);
	GUEST_ASSERT_EQ(get_dr(6) & 0x400f, 1);		/* B0, not BS */
	GUEST_ASSERT_EQ(bp_count, 1);
	GUEST_ASSERT_EQ(bp_rip, (uint64_t)own_int3_after);

	/* DR7.GD: the next MOV DR is a #DB fault, DR6.BD, GD cleared. */
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x2400ULL));
	__asm__ volatile(".globl gd_mov\n"
			 "gd_mov: mov %%dr0, %0" : "=r"(v));
	GUEST_ASSERT_EQ(v, (uint64_t)own_bp);
	GUEST_ASSERT_EQ(db_count, 2);
	GUEST_ASSERT_EQ(db_rip, (uint64_t)gd_mov);
	GUEST_ASSERT_EQ(get_dr(6) & 0x600f, 0x2000);
	GUEST_ASSERT_EQ(get_dr(7), 0x400);

	/* DR4 is DR6 without CR4.DE, #UD with it. */
	GUEST_ASSERT_EQ(({ __asm__ volatile("mov %%dr4, %0" : "=a"(v)); v; }),
			get_dr(6));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 8));
	__asm__ volatile("mov %%dr4, %0" : "=a"(v));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	GUEST_ASSERT_EQ(ud_count, 1);
	GUEST_DONE();
}

/* vCPU 1: an INT3 its debugger stops at, then done. */
static void __attribute__((noinline)) ap_code(uint64_t arg)
{
	(void)arg;
	__asm__ volatile(".globl ap_int3\n"
			 "ap_int3: int3" : : : "memory");
	GUEST_DONE();
}

static int set_debug(struct tvm *t, uint32_t control, const uint64_t *dr)
{
	struct vtxhv_guest_debug g = { .control = control };

	if (dr) {
		memcpy(g.debugreg, dr, 4 * sizeof(*dr));
		g.debugreg[7] = dr[4];
	}
	return ioctl(t->vcpu, VTXHV_SET_GUEST_DEBUG, &g) ? -errno : 0;
}

static void dbg(struct tvm *t, uint32_t control, const uint64_t *dr)
{
	int ret = set_debug(t, control, dr);

	TEST_ASSERT(!ret, "VTXHV_SET_GUEST_DEBUG %#x: %s", control,
		    strerror(-ret));
}

static uint64_t rip_of(struct tvm *t)
{
	struct vtxhv_regs r;

	tvm_get_regs(t, &r);
	return r.rip;
}

/* Run; true if it stopped for the debugger with @exc at @pc. */
static int expect_stop(struct tvm *t, uint32_t exc, const void *pc,
		       uint64_t dr6)
{
	tvm_run_ok(t);
	return TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_DEBUG &&
			  t->run->debug.exception == exc &&
			  t->run->debug.pc == (uint64_t)pc &&
			  t->run->debug.pc == rip_of(t) &&
			  (t->run->debug.dr6 & 0x600f) == dr6,
			  "exit %s exception %u pc %#llx (want %#lx) dr6 %#llx",
			  exit_reason_name(t->run->exit_reason),
			  t->run->debug.exception,
			  (unsigned long long)t->run->debug.pc,
			  (unsigned long)pc,
			  (unsigned long long)t->run->debug.dr6);
}

#define DR6_BS	0x4000

static int check_single_step(struct tvm *t)
{
	int ok = 1, n;

	tvm_expect_ucall(t, UCALL_SYNC, 1);
	dbg(t, VTXHV_GUESTDBG_ENABLE | VTXHV_GUESTDBG_SINGLESTEP, NULL);
	/* From the ucall's OUT back to the sequence, one step at a time. */
	for (n = 0; n < 1000; n++) {
		tvm_run_ok(t);
		if (!TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_DEBUG &&
				t->run->debug.exception == 1 &&
				(t->run->debug.dr6 & DR6_BS),
				"step %d: exit %s", n,
				exit_reason_name(t->run->exit_reason)))
			return 0;
		if (t->run->debug.pc == (uint64_t)step_seq)
			break;
	}
	printf("# %d steps from the ucall to the sequence\n", n + 1);
	ok &= expect_stop(t, 1, step_1, DR6_BS);
	ok &= expect_stop(t, 1, step_cpuid, DR6_BS);
	ok &= expect_stop(t, 1, step_3, DR6_BS);	/* CPUID emulated */
	ok &= expect_stop(t, 1, step_out, DR6_BS);
	tvm_run_ok(t);
	ok &= TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_IO &&
			 t->run->io.port == PORT, "exit %s, not the OUT",
			 exit_reason_name(t->run->exit_reason));
	ok &= expect_stop(t, 1, step_5, DR6_BS);	/* OUT completed */
	ok &= expect_stop(t, 1, step_jmp, DR6_BS);
	ok &= expect_stop(t, 1, step_8, DR6_BS);
	ok &= expect_stop(t, 1, step_end, DR6_BS);
	dbg(t, 0, NULL);
	return ok;
}

static int check_sw_bp(struct tvm *t)
{
	struct vtxhv_regs r;
	int ok;

	tvm_expect_ucall(t, UCALL_SYNC, 2);
	dbg(t, VTXHV_GUESTDBG_ENABLE | VTXHV_GUESTDBG_USE_SW_BP, NULL);
	ok = expect_stop(t, 3, bp_insn, 0);
	/* The debugger resumes past the INT3 it "replaced". */
	tvm_get_regs(t, &r);
	r.rip = (uint64_t)bp_after;
	tvm_set_regs(t, &r);
	tvm_expect_ucall(t, UCALL_SYNC, 3);	/* bp_count == 0 asserted */
	return ok;
}

static int check_hw_bp(struct tvm *t)
{
	/* DR0: execute hw_exec; DR1: 4-byte write of watch_var. */
	const uint64_t dr[5] = {
		(uint64_t)hw_exec, (uint64_t)&watch_var, 0, 0,
		0x1 | 0x4 | (0x1 << 20) | (0x3 << 22),
	};
	int ok;

	dbg(t, VTXHV_GUESTDBG_ENABLE | VTXHV_GUESTDBG_USE_HW_BP, dr);
	ok = expect_stop(t, 1, hw_exec, 0x1);
	ok &= TEST_CHECK(t->run->debug.dr7 & 0x5, "dr7 %#llx",
			 (unsigned long long)t->run->debug.dr7);
	ok &= expect_stop(t, 1, watch_after, 0x2);
	/* The guest's DR0/DR7 read back as it set them (asserted there). */
	tvm_expect_ucall(t, UCALL_SYNC, 4);
	dbg(t, 0, NULL);
	return ok;
}

/*
 * Per-vCPU state: vCPU 1 stops at its INT3 for its debugger while vCPU 0,
 * detached, takes its own INT3 and breakpoint (phase 4 of guest_code).
 */
static int check_two_vcpus(struct tvm *t)
{
	struct tvm *ap = tvm_add_vcpu(t, 1);
	struct vtxhv_regs r;
	int ok;

	tvm_set_cpuid_host(ap);
	tvm_start_long_mode(ap, ap_code, 0, t->mem_size - 0x20000 - 8);
	dbg(ap, VTXHV_GUESTDBG_ENABLE | VTXHV_GUESTDBG_USE_SW_BP, NULL);
	ok = expect_stop(ap, 3, ap_int3, 0);
	tvm_expect_ucall(t, UCALL_DONE, 0);	/* vCPU 0's own #DB, #BP */
	tvm_get_regs(ap, &r);
	r.rip = (uint64_t)ap_int3 + 1;
	tvm_set_regs(ap, &r);
	tvm_expect_ucall(ap, UCALL_DONE, 0);
	tvm_destroy(ap);
	return ok;
}

static int check_einval(struct tvm *t)
{
	const uint32_t en = VTXHV_GUESTDBG_ENABLE;
	struct vtxhv_guest_debug g;
	int ok = 1, i;

	ok &= TEST_CHECK(set_debug(t, en | (1U << 4), NULL) == -EINVAL,
			 "unknown control bit");
	ok &= TEST_CHECK(set_debug(t, VTXHV_GUESTDBG_USE_SW_BP, NULL) ==
			 -EINVAL, "control without ENABLE");
	for (i = 0; i < 6; i++) {
		memset(&g, 0, sizeof(g));
		g.control = en | VTXHV_GUESTDBG_USE_HW_BP;
		if (i == 0)
			g.padding = 1;
		else if (i == 1)
			g.debugreg[7] = 1ULL << 32;
		else if (i < 5)
			g.debugreg[2 + i] = 1;	/* debugreg[4..6] */
		else
			g.reserved[3] = 1;
		errno = 0;
		ok &= TEST_CHECK(ioctl(t->vcpu, VTXHV_SET_GUEST_DEBUG, &g) &&
				 errno == EINVAL, "case %d: errno %d", i,
				 errno);
	}
	return ok;
}

int main(void)
{
	struct vtxhv_caps caps = { 0 };
	struct tvm *t;

	t = tvm_create(TVM_DEFAULT_MEM);
	if (ioctl(t->dev, VTXHV_GET_CAPS, &caps) ||
	    !(caps.extensions & VTXHV_EXT_GUEST_DEBUG))
		test_skip_all("no VTXHV_EXT_GUEST_DEBUG");

	test_plan(6);
	printf("# paging mode %s\n", paging_name(tvm_paging_mode()));
	tvm_set_cpuid_host(t);
	tvm_setup_long_mode(t, guest_code, 0);
	test_result(check_einval(t), "bad_arguments_einval");
	test_result(check_single_step(t), "single_step_exact_rips");
	test_result(check_sw_bp(t), "int3_stops_and_resumes");
	test_result(check_hw_bp(t), "hw_breakpoint_and_watchpoint");
	/* 4: detached, the guest's own #DB and #BP (asserted there). */
	test_result(check_two_vcpus(t), "second_vcpu_stops_first_does_not");
	test_result(1, "guest_own_db_bp_gd_and_dr4_ud");
	tvm_destroy(t);
	test_finish();
}
