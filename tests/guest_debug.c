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

/*
 * Phase 5 records each #DB: the RIP it returns to, DR6 (then reset, so
 * that each record shows only its own bits) and the RFLAGS it pushed.
 * A single step ends at the RIP in stop_at, or when the records are full.
 */
#define NREC		8
#define TF		0x100ULL
#define RF		0x10000ULL
#define DR6_CLEAR	0xffff0ff0ULL
static volatile uint64_t rec_rip[NREC], rec_dr6[NREC], rec_fl[NREC];
static volatile uint64_t nrec, stop_at;
static volatile int recording;

static inline void set_dr6(uint64_t v)
{
	__asm__ volatile("mov %0, %%dr6" : : "r"(v));
}

static void db_handler(struct ex_regs *r)
{
	uint64_t dr6;

	db_count++;
	db_rip = r->rip;
	if (!recording)
		return;
	__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
	if (nrec < NREC) {
		rec_rip[nrec] = r->rip;
		rec_dr6[nrec] = dr6;
		rec_fl[nrec] = r->rflags & (TF | RF);
	}
	set_dr6(DR6_CLEAR);
	nrec++;
	if (r->rip == stop_at || nrec >= NREC)
		r->rflags &= ~TF;
}

static void record(uint64_t stop)
{
	nrec = 0;
	stop_at = stop;
	set_dr6(DR6_CLEAR);
	recording = 1;
}

/*
 * Phase 5's checks do not stop the guest: the first mismatch of a check
 * (its line, what was seen, what the SDM wants) goes to the host with the
 * check's GUEST_SYNC (phase_done), so that each check passes or fails on
 * its own.
 */
static uint64_t fail_line, fail_got, fail_want;

#define SOFT_EQ(a, b)							\
	do {								\
		uint64_t __a = (a), __b = (b);				\
		if (__a != __b && !fail_line) {				\
			fail_line = __LINE__;				\
			fail_got = __a;					\
			fail_want = __b;				\
		}							\
	} while (0)

static void phase_done(uint64_t sync)
{
	ucall(UCALL_SYNC, sync, fail_line, fail_got, fail_want);
	fail_line = 0;
}

/* The records must be exactly these: RIP, DR6, pushed TF and RF. */
struct trap {
	const void *rip;
	uint64_t dr6, fl;
};

static void expect_traps(const struct trap *want, uint64_t n)
{
	uint64_t i;

	recording = 0;
	SOFT_EQ(nrec, n);
	for (i = 0; i < n && i < nrec; i++) {
		SOFT_EQ(rec_rip[i], (uint64_t)want[i].rip);
		SOFT_EQ(rec_dr6[i], want[i].dr6);
		SOFT_EQ(rec_fl[i], want[i].fl);
	}
}

#define TF_ON "pushfq; orq $0x100, (%%rsp); popfq\n"
#define BS_DR6	(DR6_CLEAR | 0x4000)

/*
 * Only single-step traps, one after each instruction: at each RIP of @at,
 * DR6.BS and TF pushed (SDM 17.3.1.4).
 */
static void expect_steps(char *const *at, uint64_t n)
{
	struct trap want[NREC];
	uint64_t i;

	recording = 0;		/* as expect_traps(), before the table is built */
	GUEST_ASSERT(n <= NREC);
	for (i = 0; i < n; i++)
		want[i] = (struct trap){ at[i], BS_DR6, TF };
	expect_traps(want, n);
}

extern char s1_1[], s1_2[], s1_3[], s1_4[], s1_end[];
extern char s2_1[], s2_3[], s2_5[], s2_7[], s2_end[];
extern char s3_1[], s3_2[], s3_end[];
extern char s4_1[], s4_3[], s4_4[], s4_5[], s4_7[], s4_rep[], s4_rep_end[];
extern char s5_1[], s5_4[], s5_5[], s6_1[];
static volatile uint32_t dvar[2] __attribute__((aligned(8)));
static const uint8_t obuf[3] = { 1, 2, 3 };

/*
 * RFLAGS.TF over instructions vtxhv emulates (CPUID, OUT, IN) and ones the
 * CPU runs: a trap after each, at the next RIP, DR6.BS (SDM 17.3.1.4).
 */
static void tf_emulated(void)
{
	char *const at[] = { s1_1, s1_2, s1_3, s1_4, s1_end };

	record((uint64_t)s1_end);
	__asm__ volatile(TF_ON
			 ".globl s1_1, s1_2, s1_3, s1_4, s1_end\n"
			 "nop\n"
			 "s1_1: cpuid\n"
			 "s1_2: outb %%al, $0x10\n"
			 "s1_3: inb $0x11, %%al\n"
			 "s1_4: nop\n"
			 "s1_end:"
			 : : "a"(0), "c"(0) : "rbx", "rdx", "memory");
	expect_steps(at, 5);
}

/*
 * MOV SS holds the single-step trap back past the next instruction, which
 * then takes one #DB for both (SDM 6.8.3), whether the CPU runs it or
 * vtxhv emulates it.  (POP SS is #UD in 64-bit mode.)
 */
static void tf_mov_ss(void)
{
	char *const at[] = { s2_1, s2_3, s2_5, s2_7, s2_end };

	record((uint64_t)s2_end);
	__asm__ volatile("mov %%ss, %%si\n"
			 TF_ON
			 ".globl s2_1, s2_3, s2_5, s2_7, s2_end\n"
			 "nop\n"
			 "s2_1: mov %%si, %%ss\n"
			 "nop\n"
			 "s2_3: mov %%si, %%ss\n"
			 "cpuid\n"
			 "s2_5: mov %%si, %%ss\n"
			 "outb %%al, $0x10\n"
			 "s2_7: nop\n"
			 "s2_end:"
			 : : "a"(0), "c"(0)
			 : "rbx", "rdx", "rsi", "memory");
	expect_steps(at, 5);
}

/*
 * TF over a first write to a page, which exits (EPT violation, shadow #PF)
 * before the instruction runs again: still one trap, after it.
 */
extern char s8_1[], s8_2[], s8_end[];
static uint8_t fresh[2][4096] __attribute__((aligned(4096)));

static void tf_fault_exit(void)
{
	char *const at[] = { s8_1, s8_2, s8_end };

	record((uint64_t)s8_end);
	__asm__ volatile(TF_ON
			 ".globl s8_1, s8_2, s8_end\n"
			 "nop\n"
			 "s8_1: movb $1, %0\n"
			 "s8_2: movb $2, 4096+%0\n"
			 "s8_end:"
			 : "=m"(fresh[0][0]) : : "memory");
	expect_steps(at, 3);
	SOFT_EQ(fresh[1][0], 2);
}

/* STI holds interrupts back, not the single-step trap after it. */
static void tf_sti(void)
{
	char *const at[] = { s3_1, s3_2, s3_end };

	record((uint64_t)s3_end);
	__asm__ volatile("cli\n"
			 TF_ON
			 ".globl s3_1, s3_2, s3_end\n"
			 "sti\n"
			 "s3_1: cpuid\n"
			 "s3_2: cli\n"
			 "s3_end:"
			 : : "a"(0), "c"(0) : "rbx", "rdx", "memory");
	expect_steps(at, 3);
}

/*
 * I/O breakpoints with CR4.DE (SDM 17.2.4-5) on ports vtxhv emulates:
 * DR0 port 0x10, one byte; DR1 ports 0x12-0x13.  A trap after the
 * instruction with the B bits it matched; with TF, BS too; a REP OUTSB
 * traps after each iteration, with RF pushed but after the last.
 */
static void io_breakpoints(void)
{
	const struct trap want[] = {
		{ s4_1, DR6_CLEAR | 1, 0 }, { s4_3, DR6_CLEAR | 2, 0 },
		{ s4_4, DR6_CLEAR | 1, 0 }, { s4_5, DR6_CLEAR | 3, 0 },
		{ s4_7, BS_DR6 | 1, TF },
	};
	const struct trap rep[] = {
		{ s4_rep, DR6_CLEAR | 1, RF }, { s4_rep, DR6_CLEAR | 1, RF },
		{ s4_rep_end, DR6_CLEAR | 1, 0 },
	};
	uint64_t cr4, src = (uint64_t)obuf, count = sizeof(obuf);

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 8));
	__asm__ volatile("mov %0, %%dr0" : : "r"(0x10ULL));
	__asm__ volatile("mov %0, %%dr1" : : "r"(0x12ULL));
	/* L0, L1; R/W0 10b LEN0 00b; R/W1 10b LEN1 01b */
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x620405ULL));
	record((uint64_t)s4_7);
	__asm__ volatile(".globl s4_1, s4_3, s4_4, s4_5, s4_7\n"
			 "outb %%al, $0x10\n"
			 "s4_1: outb %%al, $0x11\n"
			 "inb $0x13, %%al\n"
			 "s4_3: outw %%ax, $0x0f\n"
			 "s4_4: outl %%eax, $0x10\n"
			 "s4_5: " TF_ON
			 "outb %%al, $0x10\n"
			 "s4_7:"
			 : : "a"(0) : "memory");
	expect_traps(want, 5);
	record(0);
	__asm__ volatile(".globl s4_rep, s4_rep_end\n"
			 "s4_rep: rep outsb\n"
			 "s4_rep_end:"
			 : "+S"(src), "+c"(count) : "d"(0x10) : "memory");
	expect_traps(rep, 3);
	SOFT_EQ(count, 0);
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x400ULL));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~8ULL));
}

/*
 * Data breakpoints (SDM 17.2.5, 17.3.1.2): DR2 on dvar[0], 4 bytes; write
 * only, then read/write.  A trap after the access, DR6.B2; a read does
 * not match a write breakpoint, nor an access beside the range.
 */
static void data_breakpoints(void)
{
	const struct trap want[] = {
		{ s5_1, DR6_CLEAR | 4, 0 }, { s5_4, DR6_CLEAR | 4, 0 },
		{ s5_5, DR6_CLEAR | 4, 0 },
	};
	uint32_t v;

	dvar[0] = 0;			/* mapped and dirty beforehand */
	dvar[1] = 0;
	__asm__ volatile("mov %0, %%dr2" : : "r"((uint64_t)&dvar[0]));
	/* L2; R/W2 01b, LEN2 11b */
	__asm__ volatile("mov %0, %%dr7" : : "r"(0xd000410ULL));
	record(0);
	__asm__ volatile(".globl s5_1\n"
			 "movl $1, %1\n"
			 "s5_1: movl %1, %0\n"
			 : "=r"(v) : "m"(dvar[0]) : "memory");
	/* R/W2 11b */
	__asm__ volatile("mov %0, %%dr7" : : "r"(0xf000410ULL));
	__asm__ volatile(".globl s5_4, s5_5\n"
			 "movl %1, %0\n"
			 "s5_4: movb $2, 3+%1\n"
			 "s5_5: movl 4+%1, %0\n"
			 : "=r"(v) : "m"(dvar[0]) : "memory");
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x400ULL));
	expect_traps(want, 3);
	SOFT_EQ(dvar[0], 0x02000001);
}

/*
 * Data breakpoints on MMIO (DR3, 4 bytes at MMIO_BP, outside RAM), whose
 * accesses vtxhv emulates: write only, then read/write, as above.
 */
#define MMIO_BP		0xc0000010ULL
extern char s7_1[], s7_3[], s7_5[], s7_6[];

static volatile uint8_t io_buf[2];

static void mmio_breakpoints(void)
{
	const struct trap want[] = {
		{ s7_1, DR6_CLEAR | 8, 0 }, { s7_3, DR6_CLEAR | 8, 0 },
		{ s7_5, DR6_CLEAR | 8, 0 }, { s7_6, DR6_CLEAR | 8, 0 },
	};
	uint64_t si = (uint64_t)&io_buf[0], di = (uint64_t)&io_buf[1];
	uint32_t v;

	__asm__ volatile("mov %0, %%dr3" : : "r"(MMIO_BP));
	/* L3; R/W3 01b, LEN3 11b */
	__asm__ volatile("mov %0, %%dr7" : : "r"(0xd0000440ULL));
	record(0);
	__asm__ volatile(".globl s7_1\n"
			 "movl $5, (%1)\n"
			 "s7_1: movl (%1), %0\n"
			 : "=r"(v) : "r"(MMIO_BP) : "memory");
	/* R/W3 11b */
	__asm__ volatile("mov %0, %%dr7" : : "r"(0xf0000440ULL));
	__asm__ volatile(".globl s7_3\n"
			 "movl (%1), %0\n"
			 "s7_3: movl 4(%1), %0\n"
			 : "=r"(v) : "r"(MMIO_BP) : "memory");
	/*
	 * The memory operand of OUTS and INS, which vtxhv reads and writes
	 * for the guest: DR3 on a byte of RAM; R/W3 11b, LEN3 00b for the
	 * read of OUTSB, then R/W3 01b for the write of INSB next to it.
	 */
	__asm__ volatile("mov %0, %%dr3" : : "r"(si));
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x30000440ULL));
	__asm__ volatile(".globl s7_5\n"
			 "outsb\n"
			 "s7_5:" : "+S"(si) : "d"(PORT) : "memory");
	__asm__ volatile("mov %0, %%dr3" : : "r"(di));
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x10000440ULL));
	__asm__ volatile(".globl s7_6\n"
			 "insb\n"
			 "s7_6:" : "+D"(di) : "d"(PORT) : "memory");
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x400ULL));
	expect_traps(want, 4);
}

/* ICEBP (INT1): a trap-like #DB after it, no DR6 bit of its own. */
static void icebp(void)
{
	const struct trap want[] = { { s6_1, DR6_CLEAR, 0 } };

	record(0);
	__asm__ volatile(".globl s6_1\n"
			 ".byte 0xf1\n"
			 "s6_1:" : : : "memory");
	expect_traps(want, 1);
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

	/* 5: the guest's own debug exceptions, against the SDM. */
	GUEST_SYNC(5);
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x400ULL));
	tf_emulated();
	phase_done(6);
	tf_mov_ss();
	phase_done(7);
	tf_sti();
	phase_done(8);
	io_breakpoints();
	phase_done(9);
	data_breakpoints();
	phase_done(10);
	icebp();
	phase_done(11);
	mmio_breakpoints();
	phase_done(12);
	tf_fault_exit();
	phase_done(13);
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
	tvm_expect_ucall(t, UCALL_SYNC, 5);	/* vCPU 0's own #DB, #BP */
	tvm_get_regs(ap, &r);
	r.rip = (uint64_t)ap_int3 + 1;
	tvm_set_regs(ap, &r);
	tvm_expect_ucall(ap, UCALL_DONE, 0);
	tvm_destroy(ap);
	return ok;
}

/*
 * Run vCPU 0 to its next ucall, answering its OUTs and INs on other ports
 * and its MMIO (0x5a bytes for a read); true if that ucall is
 * phase_done(@arg) with no mismatch.
 */
static int guest_phase(struct tvm *t, uint64_t arg)
{
	const uint64_t want = UCALL_SYNC;
	struct ucall uc;
	int n;

	for (n = 0; n < 1000; n++) {
		struct vtxhv_run *run = t->run;

		tvm_run_ok(t);
		if (run->exit_reason == VTXHV_EXIT_MMIO) {
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0x5a, run->mmio.len);
			continue;
		}
		if (run->exit_reason != VTXHV_EXIT_IO)
			break;
		if (run->io.port == UCALL_PORT) {
			tvm_ucall_at(t, run, &uc);
			if (uc.cmd == UCALL_ABORT)
				printf("# guest assertion failed at line %lu: %s (%#lx, %#lx)\n",
				       (unsigned long)uc.line, uc.expr,
				       (unsigned long)uc.args[0],
				       (unsigned long)uc.args[1]);
			if (!TEST_CHECK(uc.cmd == want && uc.args[0] == arg,
					"ucall %lu (%lu), want %lu (%lu)",
					(unsigned long)uc.cmd,
					(unsigned long)uc.args[0],
					(unsigned long)want,
					(unsigned long)arg))
				return 0;
			return TEST_CHECK(!uc.args[1],
					  "guest_debug.c:%lu: %#lx, the SDM says %#lx",
					  (unsigned long)uc.args[1],
					  (unsigned long)uc.args[2],
					  (unsigned long)uc.args[3]);
		}
		if (run->io.direction == VTXHV_IO_IN)
			memset((char *)run + run->io.data_offset, 0x5a,
			       run->io.size * run->io.count);
	}
	return TEST_CHECK(0, "exit %s after %d port exits",
			  exit_reason_name(t->run->exit_reason), n);
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

	test_plan(14);
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
	/* 5: the guest's own traps, each checked in the guest. */
	test_result(guest_phase(t, 6), "guest_tf_over_emulated_cpuid_out_in");
	test_result(guest_phase(t, 7),
		    "guest_tf_held_by_mov_ss_then_one_trap");
	test_result(guest_phase(t, 8), "guest_tf_after_sti");
	test_result(guest_phase(t, 9),
		    "guest_io_breakpoints_emulated_ports_and_rep_outs");
	test_result(guest_phase(t, 10), "guest_data_write_and_rw_breakpoints");
	test_result(guest_phase(t, 11), "guest_icebp_int1");
	test_result(guest_phase(t, 12),
		    "guest_data_breakpoints_on_emulated_mmio");
	test_result(guest_phase(t, 13),
		    "guest_tf_over_a_first_access_that_exits");
	tvm_expect_ucall(t, UCALL_DONE, 0);
	tvm_destroy(t);
	test_finish();
}
