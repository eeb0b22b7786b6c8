// SPDX-License-Identifier: GPL-2.0
/*
 * guest_modes: guests start in 16-bit real mode, 32-bit protected mode
 * with paging off and on (32-bit paging, 4 MiB pages, a high alias), and
 * 64-bit long mode, as set through the special registers, and a 32-bit
 * guest that enters long mode itself and then uses the MSRs only 64-bit
 * mode reaches (SWAPGS, SYSCALL).  Under the shadow paging modes
 * (guest_modes:vtlb, guest_modes:shadow) the real-mode start must be
 * refused instead.
 */
#include "tvm.h"
#include "vtxhv_test.h"

/* Code snippets copied to guest-physical 0x1000. */
extern const uint8_t real_start[], real_end[], pm_start[], pm_end[];
extern const uint8_t lm_start[], lm_64[], lm_syscall[], lm_end[];

/* The numbers written out in lm_start's code below. */
#define LM_KGS		0x12345000	/* KERNEL_GS_BASE set in 32-bit mode */
#define LM_SEL_CODE64	0x18		/* after the boot GDT's code and data */
#define LM_TABLES	0x10000		/* 4-level identity map */
#define LM_GDT		0x2000
#define LM_AT(label)	"(0x1000 + " #label " - lm_start)"

__asm__(".pushsection .rodata\n"
	"real_start:\n .code16\n"
	" mov $0x1234, %ax\n out %ax, $0x10\n"
	" mov %cr0, %eax\n out %eax, $0x11\n"	/* PE must read 0 */
	" hlt\n"
	"real_end:\n"
	"pm_start:\n .code32\n"
	" mov $0x40001000, %ebx\n"		/* the high alias of 0x1000 */
	" mov (%ebx), %eax\n out %eax, $0x10\n"
	" mov %cr0, %eax\n out %eax, $0x11\n"
	" movl $0xcafef00d, 0x40003000\n"	/* write through the alias */
	" hlt\n"
	"pm_end:\n"
	/*
	 * 32-bit, paging off: KERNEL_GS_BASE, LSTAR and STAR (SYSCALL's CS
	 * is LM_SEL_CODE64), then PAE, CR3, EFER.LME and SCE, CR0.PG, and
	 * a far jump into 64-bit code; there SWAPGS must bring LM_KGS into
	 * GS_BASE, and SYSCALL must reach LSTAR.
	 */
	"lm_start:\n .code32\n"
	" mov $0xc0000102, %ecx\n mov $0x12345000, %eax\n"
	" xor %edx, %edx\n wrmsr\n"
	" mov $0xc0000082, %ecx\n mov $" LM_AT(lm_syscall) ", %eax\n"
	" wrmsr\n"
	" mov $0xc0000081, %ecx\n xor %eax, %eax\n"
	" mov $0x18, %edx\n wrmsr\n"
	" mov %cr4, %eax\n or $0x20, %eax\n mov %eax, %cr4\n"
	" mov $0x10000, %eax\n mov %eax, %cr3\n"
	" mov $0xc0000080, %ecx\n rdmsr\n or $0x101, %eax\n wrmsr\n"
	" mov %cr0, %eax\n or $0x80000000, %eax\n mov %eax, %cr0\n"
	" ljmp $0x18, $" LM_AT(lm_64) "\n"
	".code64\n"
	"lm_64:\n"
	" swapgs\n"
	" mov $0xc0000101, %ecx\n rdmsr\n out %eax, $0x10\n"
	" syscall\n"
	" hlt\n"
	"lm_syscall:\n"
	" mov $0xc0000102, %ecx\n rdmsr\n out %eax, $0x11\n"	/* 0 */
	" hlt\n"
	"lm_end:\n"
	".popsection\n");

static uint32_t io_value(struct tvm *t)
{
	uint32_t v = 0;

	memcpy(&v, (uint8_t *)t->run + t->run->io.data_offset, t->run->io.size);
	return v;
}

/*
 * Shadow paging has no unrestricted guest: a real-mode start is refused,
 * by VTXHV_SET_SREGS (EINVAL) and, from the reset state, by VTXHV_RUN.
 */
static void test_real_refused(void)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	struct vtxhv_sregs s;
	int ok;

	tvm_get_sregs(t, &s);
	ok = TEST_CHECK(!(s.cr0 & 1), "reset state CR0 %#llx",
			(unsigned long long)s.cr0);
	ok &= TEST_CHECK(ioctl(t->vcpu, VTXHV_SET_SREGS, &s) == -1 &&
			 errno == EINVAL, "SET_SREGS with PE=0: %s",
			 strerror(errno));
	tvm_run_ok(t);
	ok &= TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_INTERNAL_ERROR &&
			 t->run->internal.suberror == VTXHV_INTERNAL_REAL_MODE,
			 "exit %u suberror %u", t->run->exit_reason,
			 t->run->internal.suberror);
	test_result(ok, "real_mode_refused");
	tvm_destroy(t);
}

static void test_real(void)
{
	struct tvm *t;
	struct vtxhv_sregs s;
	int ok;

	if (tvm_paging_mode() != VTXHV_PAGING_EPT) {
		test_real_refused();
		return;
	}
	t = tvm_create(TVM_DEFAULT_MEM);
	tvm_setup_real_mode(t, real_start, real_end - real_start);
	tvm_run_ok(t);
	ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_IO &&
			t->run->io.port == 0x10 && t->run->io.size == 2 &&
			io_value(t) == 0x1234, "exit %u port %#x value %#x",
			t->run->exit_reason, t->run->io.port, io_value(t));
	tvm_run_ok(t);
	ok &= TEST_CHECK(t->run->io.port == 0x11 && !(io_value(t) & 1),
			 "CR0 %#x", io_value(t));
	tvm_run_ok(t);
	ok &= TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_HLT, "exit %u",
			 t->run->exit_reason);
	tvm_get_sregs(t, &s);
	ok &= TEST_CHECK(!(s.cr0 & 1) && !(s.efer & 0x400), "cr0 %#llx",
			 (unsigned long long)s.cr0);
	test_result(ok, "real_mode");
	tvm_destroy(t);
}

static void test_protected(int paging)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	uint32_t *pd = (uint32_t *)(t->mem + 0x10000);
	struct vtxhv_sregs s;
	struct vtxhv_regs r;
	int ok;

	memcpy(t->mem + 0x1000, pm_start, pm_end - pm_start);
	/* 4 MiB pages: 0 -> 0 and 0x40000000 -> 0 (SDM 4.3). */
	pd[0] = 0x83;
	pd[0x40000000 >> 22] = 0x83;
	tvm_get_sregs(t, &s);
	s.cs = x86_seg_flat(SEL_CODE, SEG_TYPE_CODE, false);
	s.ds = s.es = s.fs = s.gs = s.ss =
		x86_seg_flat(SEL_DATA, SEG_TYPE_DATA, false);
	s.cr0 = X86_CR0_ET | X86_CR0_PE | (paging ? X86_CR0_PG : 0);
	s.cr3 = 0x10000;
	s.cr4 = paging ? X86_CR4_PSE : 0;
	s.efer = 0;
	tvm_set_sregs(t, &s);
	memset(&r, 0, sizeof(r));
	r.rip = paging ? 0x40001000 : 0x1000;
	r.rflags = X86_EFLAGS_FIXED;
	tvm_set_regs(t, &r);
	if (!paging) {
		/* Without paging the alias is plain guest-physical memory
		 * above RAM: the first access is an MMIO read.
		 */
		tvm_run_ok(t);
		ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_MMIO &&
				t->run->mmio.phys_addr == 0x40001000 &&
				t->run->mmio.len == 4 && !t->run->mmio.is_write,
				"exit %u addr %#llx", t->run->exit_reason,
				(unsigned long long)t->run->mmio.phys_addr);
		memcpy(t->run->mmio.data, "\x78\x56\x34\x12", 4);
		tvm_run_ok(t);
		ok &= TEST_CHECK(io_value(t) == 0x12345678, "%#x",
				 io_value(t));
	} else {
		tvm_run_ok(t);
		/* Through the alias the guest reads its own first bytes. */
		ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_IO &&
				io_value(t) == *(uint32_t *)pm_start, "%#x",
				io_value(t));
	}
	tvm_run_ok(t);
	ok &= TEST_CHECK(t->run->io.port == 0x11 &&
			 (io_value(t) & 0x80000001) ==
			 (paging ? 0x80000001U : 1U), "CR0 %#x", io_value(t));
	tvm_run_ok(t);
	if (!paging) {
		ok &= TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_MMIO &&
				 t->run->mmio.is_write &&
				 t->run->mmio.phys_addr == 0x40003000,
				 "exit %u", t->run->exit_reason);
		tvm_run_ok(t);
	} else {
		ok &= TEST_CHECK(*(uint32_t *)(t->mem + 0x3000) == 0xcafef00d,
				 "write through the alias not in RAM");
	}
	ok &= TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_HLT, "exit %u",
			 t->run->exit_reason);
	test_result(ok, paging ? "protected_mode_paging" :
		    "protected_mode_no_paging");
	tvm_destroy(t);
}

/*
 * The guest enters long mode by itself (tests/guest_modes.c above): the
 * MSRs it set while 64-bit mode was out of reach, and which vtxhv keeps
 * out of the CPU until then, must be there once it is in reach.
 */
static void test_long_switch(void)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	uint64_t *gdt = (uint64_t *)(t->mem + LM_GDT);
	const struct vtxhv_dtable gdtr = {
		.base = LM_GDT, .limit = LM_SEL_CODE64 + 7,
	};
	struct vtxhv_sregs s;
	int ok;

	tvm_set_cpuid_host(t);
	memcpy(t->mem + 0x1000, lm_start, lm_end - lm_start);
	gdt[SEL_CODE / 8] = GDT_CODE32;
	gdt[SEL_DATA / 8] = GDT_DATA;
	gdt[LM_SEL_CODE64 / 8] = GDT_CODE64;
	TEST_ASSERT(build_identity_map(t->mem, t->mem_size, LM_TABLES,
				       4 << 20) > 0, "identity map");
	tvm_start_pm32(t, &gdtr, 0x1000);
	tvm_run_ok(t);
	ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_IO &&
			t->run->io.port == 0x10 && io_value(t) == LM_KGS,
			"after SWAPGS: exit %s port %#x GS base %#x",
			exit_reason_name(t->run->exit_reason),
			t->run->io.port, io_value(t));
	tvm_run_ok(t);
	ok &= TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_IO &&
			 t->run->io.port == 0x11 && io_value(t) == 0,
			 "after SYSCALL: exit %s port %#x KERNEL_GS_BASE %#x",
			 exit_reason_name(t->run->exit_reason),
			 t->run->io.port, io_value(t));
	tvm_run_ok(t);
	ok &= TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_HLT, "exit %s",
			 exit_reason_name(t->run->exit_reason));
	tvm_get_sregs(t, &s);
	ok &= TEST_CHECK((s.efer & (EFER_LMA | EFER_SCE)) ==
			 (EFER_LMA | EFER_SCE), "EFER %#llx",
			 (unsigned long long)s.efer);
	test_result(ok, "long_mode_by_the_guest");
	tvm_destroy(t);
}

static void guest_long(uint64_t arg)
{
	uint64_t cr0, efer_lo, efer_hi;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("rdmsr" : "=a"(efer_lo), "=d"(efer_hi)
			 : "c"(0xc0000080));
	GUEST_ASSERT(cr0 & (1ULL << 31));
	GUEST_ASSERT(efer_lo & 0x400);	/* LMA */
	GUEST_SYNC(arg * 2);
}

static void test_long(void)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);

	tvm_set_cpuid_host(t);
	tvm_setup_long_mode(t, guest_long, 21);
	tvm_expect_ucall(t, UCALL_SYNC, 42);
	tvm_expect_ucall(t, UCALL_DONE, 0);
	test_result(1, "long_mode");
	tvm_destroy(t);
}

int main(void)
{
	test_plan(5);
	test_real();
	test_protected(0);
	test_protected(1);
	test_long();
	test_long_switch();
	test_finish();
}
