// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: a battery of guests that try to hurt the host, each in a VM of
 * its own and each with a defined outcome: an exception injected into the
 * guest, a defined exit, or the guest carrying on.  Afterwards the module
 * holds no VM, vCPU or page (debugfs vtxhv/counts).
 */
#include <signal.h>
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define MMIO	0xc0000000ULL

/* The vector of the first exception is reported, then the guest ends. */
static void report_vector(struct ex_regs *r)
{
	ucall(UCALL_SYNC, 1000 + r->vector, 0, 0, 0);
	for (;;)
		GUEST_DONE();
}

static void g_triple(uint64_t a)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0, 0 };

	(void)a;
	__asm__ volatile("lidt %0; int3" : : "m"(idtr));
}

static uint8_t page[4096] __attribute__((aligned(4096)));

static void g_vmxon(uint64_t a) { (void)a; __asm__ volatile("vmxon %0" : : "m"(page)); }
static void g_vmxoff(uint64_t a) { (void)a; __asm__ volatile("vmxoff"); }
static void g_vmclear(uint64_t a) { (void)a; __asm__ volatile("vmclear %0" : : "m"(page)); }
static void g_vmptrld(uint64_t a) { (void)a; __asm__ volatile("vmptrld %0" : : "m"(page)); }
static void g_vmptrst(uint64_t a) { (void)a; __asm__ volatile("vmptrst %0" : "=m"(page)); }
static void g_vmread(uint64_t a) { uint64_t v = 0; (void)a; __asm__ volatile("vmread %1, %0" : "=r"(v) : "r"(0x6c00UL)); }
static void g_vmwrite(uint64_t a) { (void)a; __asm__ volatile("vmwrite %0, %1" : : "r"(0UL), "r"(0x6c00UL)); }
static void g_vmlaunch(uint64_t a) { (void)a; __asm__ volatile("vmlaunch"); }
static void g_vmresume(uint64_t a) { (void)a; __asm__ volatile("vmresume"); }
static void g_invept(uint64_t a) { (void)a; __asm__ volatile("invept %0, %1" : : "m"(page), "r"(1UL)); }
static void g_invvpid(uint64_t a) { (void)a; __asm__ volatile("invvpid %0, %1" : : "m"(page), "r"(1UL)); }

static void wrmsr(uint32_t idx, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(idx), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

static void g_cr4_vmxe(uint64_t a)
{
	uint64_t cr4;

	(void)a;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1 << 13)));
}

static void g_feat_ctl(uint64_t a) { (void)a; wrmsr(0x3a, 5); }
static void g_efer_rsvd(uint64_t a) { (void)a; wrmsr(0xc0000080, 0xd01 | (1ULL << 20)); }
static void g_lstar(uint64_t a) { (void)a; wrmsr(0xc0000082, 0x8000000000000000ULL); }
static void g_sysenter(uint64_t a) { (void)a; wrmsr(0x176, 0x0000900000000000ULL); }
static void g_debugctl(uint64_t a) { (void)a; wrmsr(0x1d9, 3); }
static void g_pat(uint64_t a) { (void)a; wrmsr(0x277, 0x0202020202020202ULL); }
static void g_apic_base(uint64_t a) { (void)a; wrmsr(0x1b, 0xfee00000ULL | (1 << 10)); }

static void g_rdmsr_unknown(uint64_t a)
{
	uint32_t lo, hi;

	(void)a;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x31337));
}

static void g_xsetbv(uint64_t a)
{
	uint64_t cr4;

	(void)a;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1 << 18)));
	__asm__ volatile("xsetbv" : : "a"(0), "d"(0), "c"(0));
}

static void g_bad_segment(uint64_t a)
{
	(void)a;
	__asm__ volatile("mov %0, %%ds" : : "r"(0x1238));
}

static void g_bad_iret(uint64_t a)
{
	(void)a;
	__asm__ volatile("push $0x10; push %%rsp; pushf; push $0x1238;"
			 " lea 1f(%%rip), %%rax; push %%rax; iretq; 1:"
			 : : : "rax", "memory");
}

static void g_stack_mmio(uint64_t a)
{
	(void)a;
	__asm__ volatile("mov %0, %%rsp; push %%rax" : : "r"(MMIO + 0x1000));
}

static void g_rep_outs_huge(uint64_t a)
{
	uint64_t si = TVM_DEFAULT_MEM - 3000, cx = 1ULL << 32;

	(void)a;
	__asm__ volatile("rep outsb" : "+S"(si), "+c"(cx) : "d"(0x99)
			 : "memory");
}

static void g_rep_ins_huge(uint64_t a)
{
	uint64_t di = TVM_DEFAULT_MEM - 3000, cx = 1ULL << 32;

	(void)a;
	__asm__ volatile("rep insb" : "+D"(di), "+c"(cx) : "d"(0x99)
			 : "memory");
}

static void g_lock_mmio(uint64_t a)
{
	(void)a;
	__asm__ volatile("lock addl $1, (%0)" : : "r"(MMIO) : "memory");
}

static void g_movs_mmio(uint64_t a)
{
	uint64_t si = (uint64_t)page, di = MMIO;

	(void)a;
	__asm__ volatile("movsq" : "+S"(si), "+D"(di) : : "memory");
}

static void g_exec_mmio(uint64_t a)
{
	(void)a;
	((void (*)(void))MMIO)();
}

static uint8_t code_buf[64] __attribute__((aligned(64)));

static void g_self_modify(uint64_t a)
{
	/* mov $N, %eax; ret -- written, run, rewritten, run again. */
	uint8_t code[] = { 0xb8, 42, 0, 0, 0, 0xc3 };
	int (*fn)(void) = (int (*)(void))(uintptr_t)code_buf;

	(void)a;
	__builtin_memcpy(code_buf, code, sizeof(code));
	GUEST_ASSERT_EQ(fn(), 42);
	code_buf[1] = 43;
	GUEST_ASSERT_EQ(fn(), 43);
}

static void g_pt_outside(uint64_t a)
{
	uint64_t cr3;

	(void)a;
	/* PML4 slot 2 points at a "table" at 16 GiB: no RAM there. */
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	((volatile uint64_t *)cr3)[2] = 0x400000000ULL | 3;
	__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
	(void)*(volatile uint64_t *)(2ULL << 39);
}

static void g_spin_cli(uint64_t a)
{
	(void)a;
	__asm__ volatile("cli; 1: jmp 1b");
}

static void g_hlt_cli(uint64_t a)
{
	(void)a;
	__asm__ volatile("cli; hlt");
}

static void g_rdpmc(uint64_t a)
{
	uint32_t lo, hi;

	(void)a;
	__asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(0));
}

static void g_wbinvd(uint64_t a)
{
	(void)a;
	__asm__ volatile("invd; wbinvd");
}

enum outcome { EXC, EXIT, DONE, INTR };

static const struct hostile {
	const char *name;
	void (*fn)(uint64_t);
	enum outcome outcome;
	uint32_t value;		/* vector, or exit reason */
	uint32_t sub;		/* internal-error suberror */
} cases[] = {
	{ "triple_fault", g_triple, EXIT, VTXHV_EXIT_SHUTDOWN, 0 },
	{ "vmxon", g_vmxon, EXC, 6, 0 },
	{ "vmxoff", g_vmxoff, EXC, 6, 0 },
	{ "vmclear", g_vmclear, EXC, 6, 0 },
	{ "vmptrld", g_vmptrld, EXC, 6, 0 },
	{ "vmptrst", g_vmptrst, EXC, 6, 0 },
	{ "vmread", g_vmread, EXC, 6, 0 },
	{ "vmwrite", g_vmwrite, EXC, 6, 0 },
	{ "vmlaunch", g_vmlaunch, EXC, 6, 0 },
	{ "vmresume", g_vmresume, EXC, 6, 0 },
	{ "invept", g_invept, EXC, 6, 0 },
	{ "invvpid", g_invvpid, EXC, 6, 0 },
	{ "cr4_vmxe", g_cr4_vmxe, EXC, 13, 0 },
	{ "wrmsr_feature_control", g_feat_ctl, EXC, 13, 0 },
	{ "wrmsr_efer_reserved", g_efer_rsvd, EXC, 13, 0 },
	{ "wrmsr_lstar_noncanonical", g_lstar, EXC, 13, 0 },
	{ "wrmsr_sysenter_eip_noncanonical", g_sysenter, EXC, 13, 0 },
	{ "wrmsr_debugctl", g_debugctl, EXC, 13, 0 },
	{ "wrmsr_pat_invalid", g_pat, EXC, 13, 0 },
	{ "wrmsr_apic_base_reserved", g_apic_base, EXC, 13, 0 },
	{ "rdmsr_unknown", g_rdmsr_unknown, EXC, 13, 0 },
	{ "xsetbv_without_x87", g_xsetbv, EXC, 13, 0 },
	{ "rdpmc", g_rdpmc, EXC, 13, 0 },
	{ "invalid_segment_load", g_bad_segment, EXC, 13, 0 },
	{ "iret_to_bad_cs", g_bad_iret, EXC, 13, 0 },
	{ "stack_in_mmio", g_stack_mmio, EXIT, VTXHV_EXIT_INTERNAL_ERROR,
	  VTXHV_INTERNAL_EMULATION },
	{ "rep_outs_huge_count_past_ram", g_rep_outs_huge, EXIT,
	  VTXHV_EXIT_INTERNAL_ERROR, VTXHV_INTERNAL_GUEST_MEMORY },
	{ "rep_ins_huge_count_past_ram", g_rep_ins_huge, EXIT,
	  VTXHV_EXIT_INTERNAL_ERROR, VTXHV_INTERNAL_GUEST_MEMORY },
	{ "lock_add_to_mmio", g_lock_mmio, EXIT, VTXHV_EXIT_INTERNAL_ERROR,
	  VTXHV_INTERNAL_EMULATION },
	{ "movs_to_mmio", g_movs_mmio, EXIT, VTXHV_EXIT_INTERNAL_ERROR,
	  VTXHV_INTERNAL_EMULATION },
	{ "execute_from_mmio", g_exec_mmio, EXIT, VTXHV_EXIT_INTERNAL_ERROR,
	  VTXHV_INTERNAL_GUEST_MEMORY },
	{ "page_tables_outside_ram", g_pt_outside, EXIT,
	  VTXHV_EXIT_INTERNAL_ERROR, VTXHV_INTERNAL_GUEST_MEMORY },
	{ "self_modifying_code", g_self_modify, DONE, 0, 0 },
	{ "invd_wbinvd", g_wbinvd, DONE, 0, 0 },
	{ "hlt_interrupts_off", g_hlt_cli, EXIT, VTXHV_EXIT_HLT, 0 },
	{ "spin_interrupts_off_killable", g_spin_cli, INTR, 0, 0 },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void guest_entry(uint64_t idx)
{
	int i;

	for (i = 0; i < 32; i++)
		guest_set_handler(i, report_vector);
	cases[idx].fn(idx);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Run until a terminal exit, answering I/O and MMIO the guest makes. */
static int run_case(unsigned int i)
{
	const struct hostile *h = &cases[i];
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	unsigned int io = 0;
	struct ucall uc;
	uint32_t gpa;
	int ret, ok = 0;

	tvm_set_cpuid_host(t);
	tvm_setup_long_mode(t, guest_entry, i);
	if (h->outcome == INTR)
		alarm(1);
	for (;;) {
		ret = tvm_run(t);
		if (ret) {
			ok = TEST_CHECK(h->outcome == INTR && ret == -EINTR,
					"%s: run returned %d", h->name, ret);
			break;
		}
		if (t->run->exit_reason == VTXHV_EXIT_IO &&
		    t->run->io.port == UCALL_PORT) {
			memcpy(&gpa, (uint8_t *)t->run + t->run->io.data_offset,
			       4);
			memcpy(&uc, t->mem + gpa, sizeof(uc));
			if (uc.cmd == UCALL_SYNC && h->outcome == EXC) {
				ok = TEST_CHECK(uc.args[0] == 1000 + h->value,
						"%s: vector %lu", h->name,
						(unsigned long)uc.args[0] - 1000);
				break;
			}
			ok = TEST_CHECK(uc.cmd == UCALL_DONE &&
					h->outcome == DONE, "%s: ucall %lu",
					h->name, (unsigned long)uc.cmd);
			break;
		}
		if (t->run->exit_reason == VTXHV_EXIT_IO ||
		    (t->run->exit_reason == VTXHV_EXIT_MMIO &&
		     h->outcome == EXIT)) {
			memset((uint8_t *)t->run + sizeof(*t->run), 0, 2048);
			io++;
			continue;
		}
		ok = TEST_CHECK(h->outcome == EXIT &&
				t->run->exit_reason == h->value &&
				(h->value != VTXHV_EXIT_INTERNAL_ERROR ||
				 t->run->internal.suberror == h->sub),
				"%s: exit %s suberror %u", h->name,
				exit_reason_name(t->run->exit_reason),
				t->run->internal.suberror);
		break;
	}
	alarm(0);
	if (io)
		printf("# %s: %u I/O or MMIO exits before the outcome\n",
		       h->name, io);
	tvm_destroy(t);
	return ok;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	unsigned int i;

	sigaction(SIGALRM, &sa, NULL);
	test_plan(NCASES + 1);
	for (i = 0; i < NCASES; i++)
		test_result(run_case(i), "%s", cases[i].name);
	test_result(tvm_module_counts_zero(), "nothing_left_after_%u_hostile_guests",
		    (unsigned int)NCASES);
	test_finish();
}
