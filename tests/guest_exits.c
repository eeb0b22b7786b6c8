// SPDX-License-Identifier: GPL-2.0
/*
 * guest_exits: every exit vtxhv handles, from a 64-bit guest: CPUID from
 * the table, HLT, port I/O of each size, string I/O with REP across pages
 * and chunks, VMCALL, the emulated MSRs and #GP for the rest, XSETBV, CR
 * and DR accesses, INVD/WBINVD, #UD for VMX instructions, RDPMC, triple
 * fault, a failed VM entry and an internal error.
 */
#include "tvm.h"
#include "vtxhv_test.h"

#define PORT	0x10
/* Device memory for string I/O operands (no slot there). */
#define MMIO_STR	0xc0000100ULL
#define NONE	0xff

/* The vector raised by the instruction at the label, or NONE. */
static void skip_handler(struct ex_regs *r)
{
	guest_last_vector = r->vector;
	guest_last_error = r->error_code;
	r->rip = *(uint64_t *)(uintptr_t)0x9000;	/* resume address */
}

/* Run @insn; on a fault resume after it and report the vector. */
#define FAULTS(insn, ...)						\
	({								\
		guest_last_vector = NONE;				\
		__asm__ volatile("movq $1f, 0x9000\n\t"			\
				 insn "\n\t1:" : : __VA_ARGS__ : "memory"); \
		guest_last_vector;					\
	})

static int wrmsr_vector(uint32_t idx, uint64_t v)
{
	return FAULTS("wrmsr", "c"(idx), "a"((uint32_t)v),
		      "d"((uint32_t)(v >> 32)));
}

/* An instruction writing EDX:EAX (RDMSR, RDPMC) with ECX = @idx. */
#define FAULTS_EDX_EAX(insn, idx)					\
	({								\
		uint32_t __lo, __hi;					\
		guest_last_vector = NONE;				\
		__asm__ volatile("movq $1f, 0x9000\n\t"		\
				 insn "\n\t1:"				\
				 : "=a"(__lo), "=d"(__hi) : "c"(idx)	\
				 : "memory");				\
		(void)__lo;						\
		(void)__hi;						\
		guest_last_vector;					\
	})

static int rdmsr_vector(uint32_t idx)
{
	return FAULTS_EDX_EAX("rdmsr", idx);
}

static uint8_t buf[3 * 4096] __attribute__((aligned(4096)));

static void guest_code(uint64_t arg)
{
	uint32_t a, b, c, d;
	uint64_t v, cr4, cr0;
	int i;

	(void)arg;
	for (i = 0; i < 32; i++)
		guest_set_handler(i, skip_handler);

	/* CPUID from the table: a leaf set by the host, indexed, absent. */
	cpuid(0x40000000, 0, &a, &b, &c, &d);
	GUEST_ASSERT_EQ(a, 0x40000001);
	GUEST_ASSERT_EQ(b, 0x68787476);		/* "vtxh" */
	cpuid(0x40000001, 3, &a, &b, &c, &d);
	GUEST_ASSERT_EQ(a, 3);
	cpuid(0x40000001, 5, &a, &b, &c, &d);
	GUEST_ASSERT_EQ(a, 0);
	cpuid(0x4fffffff, 0, &a, &b, &c, &d);
	GUEST_ASSERT(!a && !b && !c && !d);
	GUEST_SYNC(1);

	/* Port I/O in every size; IN results come from the host. */
	outb(PORT, 0x11);
	__asm__ volatile("outw %0, %1" : : "a"((uint16_t)0x2233), "Nd"(PORT));
	outl(PORT, 0x44556677);
	v = 0xffffffffffffff00ULL;
	__asm__ volatile("inb %1, %b0" : "+a"(v) : "Nd"(PORT));
	GUEST_ASSERT_EQ(v, 0xffffffffffffffa1ULL);	/* AL merged */
	v = 0xffffffffffff0000ULL;
	__asm__ volatile("inw %1, %w0" : "+a"(v) : "Nd"(PORT));
	GUEST_ASSERT_EQ(v, 0xffffffffffffb2a2ULL);	/* AX merged */
	v = 0xffffffff00000000ULL;
	__asm__ volatile("inl %1, %k0" : "+a"(v) : "Nd"(PORT));
	GUEST_ASSERT_EQ(v, 0xc3b3a3a3ULL);		/* EAX zero-extends */
	GUEST_SYNC(2);

	/* REP OUTSB across two page boundaries and several chunks. */
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = i * 7;
	{
		uint64_t si = (uint64_t)(buf + 100), cx = 9000;

		__asm__ volatile("rep outsb" : "+S"(si), "+c"(cx)
				 : "d"(PORT) : "memory");
		GUEST_ASSERT_EQ(cx, 0);
		GUEST_ASSERT_EQ(si, (uint64_t)(buf + 9100));
	}
	/* REP INSW, data from the host, and a zero count. */
	{
		uint64_t di = (uint64_t)(buf + 2), cx = 3000;

		__asm__ volatile("rep insw" : "+D"(di), "+c"(cx)
				 : "d"(PORT) : "memory");
		GUEST_ASSERT_EQ(cx, 0);
		for (i = 0; i < 3000; i++)
			GUEST_ASSERT_EQ(((uint16_t *)(buf + 2))[i],
					(uint16_t)(i ^ 0x5a5a));
		cx = 0;
		__asm__ volatile("rep insw" : "+D"(di), "+c"(cx)
				 : "d"(PORT) : "memory");
	}
	/* Downwards (DF=1), and with the memory operand in device memory. */
	{
		uint64_t di = (uint64_t)(buf + 19), cx = 4, si = MMIO_STR;

		__asm__ volatile("std; rep insb; cld" : "+D"(di), "+c"(cx)
				 : "d"(PORT) : "memory");
		GUEST_ASSERT_EQ(di, (uint64_t)(buf + 15));
		for (i = 0; i < 4; i++)
			GUEST_ASSERT_EQ(buf[19 - i], 0x10 + i);
		__asm__ volatile("outsw" : "+S"(si) : "d"(PORT) : "memory");
		GUEST_ASSERT_EQ(si, MMIO_STR + 2);
		di = MMIO_STR + 0x10;
		__asm__ volatile("insb" : "+D"(di) : "d"(PORT) : "memory");
		GUEST_ASSERT_EQ(di, MMIO_STR + 0x11);
	}
	GUEST_SYNC(3);

	/* VMCALL: a hypercall exit; the answer lands in RAX. */
	v = 77;
	__asm__ volatile("vmcall" : "+a"(v) : "b"(1), "c"(2), "d"(3), "S"(4),
			 "D"(5) : "memory");
	GUEST_ASSERT_EQ(v, 0x1234abcd);
	GUEST_SYNC(4);

	/* MSRs vtxhv emulates, and #GP for the rest. */
	GUEST_ASSERT_EQ(wrmsr_vector(0xc0000082, 0xffffffff81000000ULL), NONE);
	GUEST_ASSERT_EQ(rdmsr(0xc0000082), 0xffffffff81000000ULL);
	GUEST_ASSERT_EQ(wrmsr_vector(0xc0000081, 0x0023001000000000ULL), NONE);
	GUEST_ASSERT_EQ(rdmsr(0xc0000081), 0x0023001000000000ULL);
	GUEST_ASSERT_EQ(wrmsr_vector(0xc0000084, 0x47700), NONE);
	GUEST_ASSERT_EQ(rdmsr(0xc0000084), 0x47700);
	GUEST_ASSERT_EQ(wrmsr_vector(0xc0000102, 0x12345000), NONE);
	GUEST_ASSERT_EQ(rdmsr(0xc0000102), 0x12345000);
	__asm__ volatile("swapgs; swapgs");
	GUEST_ASSERT_EQ(rdmsr(0xc0000102), 0x12345000);
	GUEST_ASSERT_EQ(wrmsr_vector(0x277, 0x0007040600070406ULL), NONE);
	GUEST_ASSERT_EQ(wrmsr_vector(0x277, 0x0007040600070402ULL), 13);
	GUEST_ASSERT_EQ(wrmsr_vector(0xc0000082, 0x0000800000000000ULL), 13);
	GUEST_ASSERT_EQ(wrmsr_vector(0xc0000080, 0xd01 | (1 << 12)), 13);
	GUEST_ASSERT_EQ(wrmsr_vector(0x1d9, 1), 13);		/* DEBUGCTL */
	GUEST_ASSERT_EQ(wrmsr_vector(0x3a, 5), 13);		/* FEAT_CTL */
	GUEST_ASSERT_EQ(rdmsr(0x3a), 1);			/* locked */
	GUEST_ASSERT_EQ(rdmsr_vector(0x12345678), 13);
	GUEST_ASSERT_EQ(wrmsr_vector(0x12345678, 0), 13);
	GUEST_ASSERT_EQ(rdmsr_vector(0x48), 13);		/* SPEC_CTRL */
	v = rdmsr(0x10);
	GUEST_ASSERT(v < 100000000000ULL);		/* TSC starts near 0 */
	GUEST_ASSERT_EQ(wrmsr_vector(0x10, 1ULL << 40), NONE);
	GUEST_ASSERT(rdmsr(0x10) >= 1ULL << 40);
	GUEST_ASSERT(rdtsc() >= 1ULL << 40);
	GUEST_SYNC(5);

	/* XSETBV: x87 must stay, AVX needs SSE, only XCR0 exists. */
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1 << 18)));
	GUEST_ASSERT_EQ(FAULTS("xsetbv", "a"(2), "d"(0), "c"(0)), 13);
	GUEST_ASSERT_EQ(FAULTS("xsetbv", "a"(5), "d"(0), "c"(0)), 13);
	GUEST_ASSERT_EQ(FAULTS("xsetbv", "a"(1), "d"(0), "c"(1)), 13);
	GUEST_ASSERT_EQ(FAULTS("xsetbv", "a"(3), "d"(0), "c"(0)), NONE);
	GUEST_SYNC(6);

	/* CR4: the guest sees its own value, VMXE is refused. */
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	GUEST_ASSERT(!(cr4 & (1 << 13)));
	GUEST_ASSERT_EQ(FAULTS("mov %0, %%cr4", "r"(cr4 | (1 << 13))), 13);
	/* CR0: NW without CD is #GP. */
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	GUEST_ASSERT_EQ(FAULTS("mov %0, %%cr0", "r"((v | (1 << 29)) &
						     ~(1ULL << 30))), 13);
	/*
	 * Paging goes off only from compatibility mode: in 64-bit code,
	 * clearing CR0.PG is #GP and paging stays on (in shadow modes vtxhv
	 * owns CR0.PG; it once let the guest drop into 16-bit code here).
	 */
	GUEST_ASSERT_EQ(FAULTS("mov %0, %%cr0", "r"(v & ~(1ULL << 31))), 13);
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	GUEST_ASSERT_EQ(cr0, v);
	/* CR8 and DR0 are kept for the guest. */
	__asm__ volatile("mov %0, %%cr8" : : "r"(9ULL));
	__asm__ volatile("mov %%cr8, %0" : "=r"(v));
	GUEST_ASSERT_EQ(v, 9);
	__asm__ volatile("mov %0, %%dr0" : : "r"(0x5555000ULL));
	__asm__ volatile("mov %%dr0, %0" : "=r"(v));
	GUEST_ASSERT_EQ(v, 0x5555000);
	__asm__ volatile("invd; wbinvd");
	GUEST_SYNC(7);

	/* VMX instructions: #UD; RDPMC: #GP. */
	GUEST_ASSERT_EQ(FAULTS("vmxon (%0)", "r"(buf)), 6);
	GUEST_ASSERT_EQ(FAULTS("vmptrld (%0)", "r"(buf)), 6);
	GUEST_ASSERT_EQ(FAULTS("vmclear (%0)", "r"(buf)), 6);
	GUEST_ASSERT_EQ(FAULTS("vmread %0, %1", "r"(0UL), "r"(0UL)), 6);
	GUEST_ASSERT_EQ(FAULTS("vmwrite %0, %0", "r"(0UL)), 6);
	GUEST_ASSERT_EQ(FAULTS("vmlaunch", "i"(0)), 6);
	GUEST_ASSERT_EQ(FAULTS("vmresume", "i"(0)), 6);
	GUEST_ASSERT_EQ(FAULTS("vmxoff", "i"(0)), 6);
	GUEST_ASSERT_EQ(FAULTS("invept (%0), %1", "r"(buf), "r"(1UL)), 6);
	GUEST_ASSERT_EQ(FAULTS("invvpid (%0), %1", "r"(buf), "r"(1UL)), 6);
	GUEST_ASSERT_EQ(FAULTS_EDX_EAX("rdpmc", 0), 13);
	GUEST_SYNC(8);

	/* HLT with interrupts off. */
	__asm__ volatile("cli; hlt");
	GUEST_SYNC(9);

	/* An MMIO access vtxhv does not emulate (MUL): an internal error. */
	__asm__ volatile("mull (%%rbx)" : : "b"(0xc0000000ULL)
			 : "rax", "rdx", "cc", "memory");
	GUEST_SYNC(10);

	/* Triple fault: no IDT, then a fault. */
	{
		struct {
			uint16_t limit;
			uint64_t base;
		} __attribute__((packed)) idtr = { 0, 0 };

		__asm__ volatile("lidt %0; int3" : : "m"(idtr));
	}
}

static uint8_t *io_data(struct tvm *t)
{
	return (uint8_t *)t->run + t->run->io.data_offset;
}

/* Expect an I/O exit on PORT; returns its first data value. */
static uint32_t expect_io(struct tvm *t, int dir, int size)
{
	uint32_t v = 0;

	tvm_run_ok(t);
	TEST_ASSERT(t->run->exit_reason == VTXHV_EXIT_IO &&
		    t->run->io.port == PORT && t->run->io.direction == dir &&
		    t->run->io.size == size, "exit %s port %#x dir %u size %u",
		    exit_reason_name(t->run->exit_reason), t->run->io.port,
		    t->run->io.direction, t->run->io.size);
	memcpy(&v, io_data(t), size);
	return v;
}

static void set_cpuid(struct tvm *t)
{
	struct {
		struct vtxhv_cpuid c;
		struct vtxhv_cpuid_entry e[3];
	} tab = {
		.c.nent = 3,
		.e = {
			{ .function = 0x40000000, .eax = 0x40000001,
			  .ebx = 0x68787476 },
			{ .function = 0x40000001, .index = 3,
			  .flags = VTXHV_CPUID_SIGNIFICANT_INDEX, .eax = 3 },
			{ .function = 1, .ecx = 1U << 31 },
		},
	};

	TEST_ASSERT(!ioctl(t->vcpu, VTXHV_SET_CPUID, &tab), "SET_CPUID");
}

int main(void)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	uint8_t expect[9000];
	struct vtxhv_sregs s;
	struct vtxhv_regs r;
	uint32_t got = 0, exits = 0, i;
	int ok;

	test_plan(13);
	set_cpuid(t);
	tvm_setup_long_mode(t, guest_code, 0);
	tvm_expect_ucall(t, UCALL_SYNC, 1);
	test_result(1, "cpuid_from_table");

	ok = TEST_CHECK(expect_io(t, VTXHV_IO_OUT, 1) == 0x11, "outb");
	ok &= TEST_CHECK(expect_io(t, VTXHV_IO_OUT, 2) == 0x2233, "outw");
	ok &= TEST_CHECK(expect_io(t, VTXHV_IO_OUT, 4) == 0x44556677, "outl");
	expect_io(t, VTXHV_IO_IN, 1);
	io_data(t)[0] = 0xa1;
	expect_io(t, VTXHV_IO_IN, 2);
	memcpy(io_data(t), "\xa2\xb2", 2);
	expect_io(t, VTXHV_IO_IN, 4);
	memcpy(io_data(t), "\xa3\xa3\xb3\xc3", 4);
	tvm_expect_ucall(t, UCALL_SYNC, 2);
	test_result(ok, "port_io_in_out_all_sizes");

	/* OUTSB: 9000 bytes arrive in order, in chunks of the run page. */
	while (got < 9000) {
		expect_io(t, VTXHV_IO_OUT, 1);
		TEST_ASSERT(t->run->io.count >= 1 &&
			    got + t->run->io.count <= 9000, "count %u",
			    t->run->io.count);
		memcpy(expect + got, io_data(t), t->run->io.count);
		got += t->run->io.count;
		exits++;
	}
	ok = 1;
	for (i = 0; i < 9000; i++)
		ok &= (uint8_t)((i + 100) * 7) == expect[i];
	printf("# rep outsb: 9000 bytes in %u exits\n", exits);
	ok = TEST_CHECK(ok && exits >= 5, "data or chunking wrong");
	/* INSW: 3000 words, provided per exit. */
	got = 0;
	while (got < 3000) {
		uint32_t n;

		expect_io(t, VTXHV_IO_IN, 2);
		n = t->run->io.count;
		for (i = 0; i < n; i++) {
			uint16_t w = (got + i) ^ 0x5a5a;

			memcpy(io_data(t) + 2 * i, &w, 2);
		}
		got += n;
	}
	test_result(ok, "string_io_rep_across_pages_and_chunks");

	/* std; rep insb: the bytes land downwards. */
	got = 0;
	while (got < 4) {
		expect_io(t, VTXHV_IO_IN, 1);
		for (i = 0; i < t->run->io.count && got < 4; i++)
			io_data(t)[i] = 0x10 + got++;
	}
	/* outsw from device memory: its MMIO read, then the port. */
	tvm_run_ok(t);
	ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_MMIO &&
			t->run->mmio.phys_addr == MMIO_STR &&
			t->run->mmio.len == 2 && !t->run->mmio.is_write,
			"outsw: exit %s", exit_reason_name(t->run->exit_reason));
	memcpy(t->run->mmio.data, "\xef\xbe", 2);
	ok &= TEST_CHECK(expect_io(t, VTXHV_IO_OUT, 2) == 0xbeef &&
			 t->run->io.count == 1, "outsw data");
	/* insb into device memory: the port, then its MMIO write. */
	expect_io(t, VTXHV_IO_IN, 1);
	io_data(t)[0] = 0x77;
	tvm_run_ok(t);
	ok &= TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_MMIO &&
			 t->run->mmio.phys_addr == MMIO_STR + 0x10 &&
			 t->run->mmio.len == 1 && t->run->mmio.is_write &&
			 t->run->mmio.data[0] == 0x77, "insb: exit %s",
			 exit_reason_name(t->run->exit_reason));
	tvm_expect_ucall(t, UCALL_SYNC, 3);
	test_result(ok, "string_io_df_and_device_memory");

	tvm_run_ok(t);
	ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_HYPERCALL &&
			t->run->hypercall.nr == 77 &&
			t->run->hypercall.args[0] == 1 &&
			t->run->hypercall.args[4] == 5, "exit %s nr %llu",
			exit_reason_name(t->run->exit_reason),
			(unsigned long long)t->run->hypercall.nr);
	t->run->hypercall.ret = 0x1234abcd;
	tvm_expect_ucall(t, UCALL_SYNC, 4);
	test_result(ok, "vmcall_hypercall");

	tvm_expect_ucall(t, UCALL_SYNC, 5);
	test_result(1, "msrs_emulated_and_gp");
	tvm_expect_ucall(t, UCALL_SYNC, 6);
	test_result(1, "xsetbv");
	tvm_expect_ucall(t, UCALL_SYNC, 7);
	test_result(1, "cr_dr_invd_wbinvd");
	tvm_expect_ucall(t, UCALL_SYNC, 8);
	test_result(1, "vmx_instructions_ud_rdpmc_gp");

	tvm_run_ok(t);
	tvm_get_regs(t, &r);
	ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_HLT &&
			t->run->stop.rip == r.rip && !(r.rflags & 0x200),
			"exit %s", exit_reason_name(t->run->exit_reason));
	tvm_expect_ucall(t, UCALL_SYNC, 9);
	test_result(ok, "hlt");

	tvm_run_ok(t);
	ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_INTERNAL_ERROR &&
			t->run->internal.suberror == VTXHV_INTERNAL_EMULATION &&
			t->run->internal.gpa == 0xc0000000 &&
			t->run->internal.insn_len >= 2 &&
			t->run->internal.insn[0] == 0xf7 &&
			t->run->internal.insn[1] == 0x23, "exit %s sub %u",
			exit_reason_name(t->run->exit_reason),
			t->run->internal.suberror);
	test_result(ok, "internal_error_carries_instruction");
	/* Skip the instruction (F7 /4, ModRM 23: 2 bytes). */
	tvm_get_regs(t, &r);
	r.rip += 2;
	tvm_set_regs(t, &r);
	tvm_expect_ucall(t, UCALL_SYNC, 10);

	tvm_run_ok(t);
	test_result(TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_SHUTDOWN,
			       "exit %s",
			       exit_reason_name(t->run->exit_reason)),
		    "triple_fault_shutdown");

	/* A guest state the CPU refuses: TR not present (SDM 26.3.1.2). */
	tvm_get_sregs(t, &s);
	s.tr.present = 0;
	tvm_set_sregs(t, &s);
	tvm_run_ok(t);
	ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_FAIL_ENTRY &&
			t->run->fail_entry.exit_reason == 0x80000021,
			"exit %s reason %#x",
			exit_reason_name(t->run->exit_reason),
			t->run->fail_entry.exit_reason);
	test_result(ok, "vm_entry_failure");
	tvm_destroy(t);
	test_finish();
}
