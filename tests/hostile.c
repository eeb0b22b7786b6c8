// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: a battery of guests that try to hurt the host, each in a VM of
 * its own and each with a defined outcome: an exception injected into the
 * guest, a defined exit, or the guest carrying on.  Afterwards the module
 * holds no VM, vCPU or page (debugfs vtxhv/counts).
 */
#include <signal.h>
#include <stdio.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define MMIO	0xc0000000ULL
#define ROM	0xd0000000ULL	/* a read-only slot (rep_ins_into_rom) */

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

static void set_osxsave(void)
{
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1 << 18)));
}

static void xsetbv(uint64_t v)
{
	__asm__ volatile("xsetbv" : : "a"((uint32_t)v), "d"((uint32_t)(v >> 32)),
			 "c"(0));
}

/* Defect 2: XCR0 values the CPU would refuse at the next entry. */
static void g_xsetbv_avx512_partial(uint64_t a) { (void)a; set_osxsave(); xsetbv(0x27); }
static void g_xsetbv_avx512_no_avx(uint64_t a) { (void)a; set_osxsave(); xsetbv(0xe3); }
static void g_xsetbv_mpx_half(uint64_t a) { (void)a; set_osxsave(); xsetbv(0x0b); }
/* ... and one the guest's CPUID does not offer (leaf 0xD says x87+SSE). */
static void g_xsetbv_beyond_cpuid(uint64_t a) { (void)a; set_osxsave(); xsetbv(7); }

/*
 * Defect 3: the guest's XCR0 follows its CR4.OSXSAVE, however the guest
 * changes it: with XCR0 = x87|SSE, OSXSAVE cleared, an exit (CPUID), and
 * OSXSAVE set again, XGETBV reads the guest's 3, never the host's XCR0.
 */
static void g_xcr0_follows_osxsave(uint64_t a)
{
	uint32_t lo, hi, b, c, d;
	uint64_t cr4;

	(void)a;
	set_osxsave();
	xsetbv(3);
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~(1ULL << 18)));
	cpuid(0, 0, &lo, &b, &c, &d);
	set_osxsave();
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	GUEST_ASSERT_EQ(lo | (uint64_t)hi << 32, 3);
}

/* Defect 9: SFMASK bits 63:32 are reserved. */
static void g_sfmask(uint64_t a) { (void)a; wrmsr(0xc0000084, 1ULL << 32); }

/* Defect 6: string input into ROM must not write the memory behind it. */
static void g_ins_rom(uint64_t a)
{
	uint64_t di = ROM, cx = 16;

	(void)a;
	__asm__ volatile("rep insb" : "+D"(di), "+c"(cx) : "d"(0x99)
			 : "memory");
}

/*
 * Defect 1: in shadow mode, a page table reached through more walk paths
 * than the reverse map holds, written with XCHG (not emulated: the page
 * goes out of sync), then INVLPG: the resync resets every shadow, and the
 * guest must not run on the freed root.  The page touched last faults in
 * through a new root (before the fix, VTXHV_RUN failed with -EIO there).
 */
static uint64_t as_tables[4 * 512] __attribute__((aligned(4096)));
static uint64_t as_data[8][512] __attribute__((aligned(4096)));

static void g_shadow_reset_invlpg(uint64_t a)
{
	uint64_t cr3 = guest_make_as((uint64_t)as_tables, (uint64_t)as_data, 8);
	uint64_t *pd = as_tables + 1024, *pt = as_tables + 1536, v;
	int i;

	(void)a;
	as_data[5][0] = 0x5555;
	for (i = 1; i < 8; i++)
		pd[i] = pd[0];
	__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
	for (i = 0; i < 8; i++)
		(void)*(volatile uint64_t *)(GUEST_AS_VA + i * 0x200000ULL);
	v = pt[1];
	__asm__ volatile("xchg %0, %1" : "+r"(v), "+m"(pt[1]) : : "memory");
	__asm__ volatile("invlpg (%0)" : : "r"(GUEST_AS_VA + 4096) : "memory");
	GUEST_ASSERT_EQ(*(volatile uint64_t *)(GUEST_AS_VA + 0x200000 +
					      5 * 4096), 0x5555);
}

/*
 * Defect 6, the walk: in shadow mode, the guest's last-level page table
 * lies in a ROM slot (setup_rom_pt() wrote one entry, accessed bit clear).
 * Reading through it makes vtxhv walk that table and set the accessed
 * bit, which must not reach the memory behind the ROM (check_rom_pt()).
 */
static void g_rom_pt_walk(uint64_t a)
{
	uint64_t cr3 = guest_make_as((uint64_t)as_tables, (uint64_t)as_data, 1);
	uint64_t *pd = as_tables + 1024;

	(void)a;
	as_data[0][7] = 0x1234;
	pd[0] = ROM | 3;
	__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
	GUEST_ASSERT_EQ(*(volatile uint64_t *)(GUEST_AS_VA + 7 * 8), 0x1234);
}

/* #DB is intercepted: a guest's own single step and ICEBP still work. */
static void g_single_step(uint64_t a)
{
	(void)a;
	__asm__ volatile("pushf; orq $0x100, (%%rsp); popf; nop" : : : "memory");
}

static void g_icebp(uint64_t a) { (void)a; __asm__ volatile(".byte 0xf1"); }

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

static void g_mul_mmio(uint64_t a)
{
	(void)a;
	__asm__ volatile("mull (%0)" : : "r"(MMIO) : "rax", "rdx", "cc");
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

/* Host side of the cases that need more than the default VM. */
static uint8_t *rom;

static void setup_rom(struct tvm *t)
{
	struct vtxhv_memory_region r = {
		.slot = 1, .flags = VTXHV_MEM_READONLY,
		.guest_phys_addr = ROM, .size = 4096,
	};

	rom = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(rom != MAP_FAILED, "mmap");
	memset(rom, 0xaa, 4096);
	r.userspace_addr = (uintptr_t)rom;
	TEST_ASSERT(!ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &r), "ROM slot");
}

static int check_rom(struct tvm *t)
{
	int i, ok = 1;

	(void)t;
	for (i = 0; i < 4096; i++)
		ok &= rom[i] == 0xaa;
	munmap(rom, 4096);
	return TEST_CHECK(ok, "the ROM slot's memory was written");
}

/* The first byte past RAM, reached by string I/O: device memory. */
static int check_past_ram(struct tvm *t, int write)
{
	return TEST_CHECK(t->run->mmio.phys_addr == TVM_DEFAULT_MEM &&
			  t->run->mmio.len == 1 &&
			  t->run->mmio.is_write == write,
			  "MMIO exit at %#llx len %u write %u",
			  (unsigned long long)t->run->mmio.phys_addr,
			  t->run->mmio.len, t->run->mmio.is_write);
}

static int check_past_ram_read(struct tvm *t)
{
	return check_past_ram(t, 0);
}

static int check_past_ram_write(struct tvm *t)
{
	return check_past_ram(t, 1);
}

/* A page table in the ROM slot: entry 0 maps as_data[0], A and D clear. */
static void setup_rom_pt(struct tvm *t)
{
	setup_rom(t);
	memset(rom, 0, 4096);
	((uint64_t *)rom)[0] = (uintptr_t)as_data[0] | 3;
}

static int check_rom_pt(struct tvm *t)
{
	uint64_t e = ((uint64_t *)rom)[0];

	(void)t;
	munmap(rom, 4096);
	return TEST_CHECK(e == ((uintptr_t)as_data[0] | 3),
			  "the ROM page table's entry became %#llx",
			  (unsigned long long)e);
}

/* CPUID leaf 0xD offering x87 and SSE state only. */
static void setup_cpuid_sse(struct tvm *t)
{
	struct {
		struct vtxhv_cpuid c;
		struct vtxhv_cpuid_entry e[3];
	} tab = { .c = { .nent = 3 } };
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	tab.e[0] = (struct vtxhv_cpuid_entry){ .function = 0, .eax = 0xd };
	/* XSAVE as the host has it enabled (tvm_set_cpuid_host() does so). */
	if (c & 1U << 27)
		c |= 1U << 26;
	else
		c &= ~(1U << 26);
	tab.e[1] = (struct vtxhv_cpuid_entry){ .function = 1, .eax = a,
					       .ecx = c, .edx = d };
	tab.e[2] = (struct vtxhv_cpuid_entry){
		.function = 0xd, .flags = VTXHV_CPUID_SIGNIFICANT_INDEX,
		.eax = 3, .ebx = 576, .ecx = 576 };
	TEST_ASSERT(!ioctl(t->vcpu, VTXHV_SET_CPUID, &tab), "VTXHV_SET_CPUID");
}

/* Does the host kernel run with XSAVE (CR4.OSXSAVE, CPUID.1:ECX[27])? */
static int host_osxsave(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return (c >> 27) & 1;
}

/* Most cases leave the fields after @sub zero. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct hostile {
	const char *name;
	void (*fn)(uint64_t);
	enum outcome outcome;
	uint32_t value;		/* vector, or exit reason */
	uint32_t sub;		/* internal-error suberror */
	uint32_t paging;	/* VTXHV_PAGING_*, 0: the default */
	void (*setup)(struct tvm *t);
	int (*check)(struct tvm *t);	/* after the outcome */
	int xsave;		/* #GP instead where the host has no XSAVE */
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
	/* the RAM part in batches, then device memory: an MMIO exit */
	{ "rep_outs_huge_count_past_ram", g_rep_outs_huge, EXIT,
	  VTXHV_EXIT_MMIO, 0, .check = check_past_ram_read },
	{ "rep_ins_huge_count_past_ram", g_rep_ins_huge, EXIT,
	  VTXHV_EXIT_MMIO, 0, .check = check_past_ram_write },
	/* emulated: MMIO exits, then the guest goes on */
	{ "lock_add_to_mmio", g_lock_mmio, DONE, 0, 0 },
	{ "movs_to_mmio", g_movs_mmio, DONE, 0, 0 },
	{ "mul_from_mmio", g_mul_mmio, EXIT, VTXHV_EXIT_INTERNAL_ERROR,
	  VTXHV_INTERNAL_EMULATION },
	{ "execute_from_mmio", g_exec_mmio, EXIT, VTXHV_EXIT_INTERNAL_ERROR,
	  VTXHV_INTERNAL_GUEST_MEMORY },
	{ "page_tables_outside_ram", g_pt_outside, EXIT,
	  VTXHV_EXIT_INTERNAL_ERROR, VTXHV_INTERNAL_GUEST_MEMORY },
	{ "self_modifying_code", g_self_modify, DONE, 0, 0 },
	{ "invd_wbinvd", g_wbinvd, DONE, 0, 0 },
	{ "hlt_interrupts_off", g_hlt_cli, EXIT, VTXHV_EXIT_HLT, 0 },
	{ "xsetbv_avx512_partial", g_xsetbv_avx512_partial, EXC, 13, 0 },
	{ "xsetbv_avx512_without_avx", g_xsetbv_avx512_no_avx, EXC, 13, 0 },
	{ "xsetbv_mpx_half", g_xsetbv_mpx_half, EXC, 13, 0 },
	{ "xsetbv_beyond_guest_cpuid", g_xsetbv_beyond_cpuid, EXC, 13, 0,
	  .setup = setup_cpuid_sse },
	{ "xcr0_follows_osxsave", g_xcr0_follows_osxsave, DONE, 0, 0,
	  .xsave = 1 },
	{ "wrmsr_sfmask_reserved", g_sfmask, EXC, 13, 0 },
	/* its bytes go to userspace as MMIO writes, not into the slot */
	{ "rep_ins_into_rom", g_ins_rom, DONE, 0, 0, .setup = setup_rom,
	  .check = check_rom },
	{ "shadow_reset_by_invlpg", g_shadow_reset_invlpg, DONE, 0, 0,
	  .paging = VTXHV_PAGING_SHADOW },
	{ "pt_in_rom_shadow", g_rom_pt_walk, DONE, 0, 0,
	  .paging = VTXHV_PAGING_SHADOW, .setup = setup_rom_pt,
	  .check = check_rom_pt },
	{ "pt_in_rom_vtlb", g_rom_pt_walk, DONE, 0, 0,
	  .paging = VTXHV_PAGING_VTLB, .setup = setup_rom_pt,
	  .check = check_rom_pt },
	{ "single_step_reflected", g_single_step, EXC, 1, 0 },
	{ "icebp_reflected", g_icebp, EXC, 1, 0 },
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
	struct hostile hc = cases[i], *h = &hc;
	struct tvm *t = h->paging ? tvm_create_paging(TVM_DEFAULT_MEM, h->paging)
				  : tvm_create(TVM_DEFAULT_MEM);
	unsigned int io = 0;
	struct ucall uc;
	int ret, ok = 0;

	/* A host without XSAVE refuses CR4.OSXSAVE itself. */
	if (h->xsave && !host_osxsave()) {
		h->outcome = EXC;
		h->value = 13;
	}
	tvm_set_cpuid_host(t);
	if (h->setup)
		h->setup(t);
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
			tvm_ucall_at(t, t->run, &uc);
			if (uc.cmd == UCALL_SYNC && h->outcome == EXC) {
				ok = TEST_CHECK(uc.args[0] == 1000 + h->value,
						"%s: vector %lu", h->name,
						(unsigned long)uc.args[0] - 1000);
				break;
			}
			ok = TEST_CHECK(uc.cmd == UCALL_DONE &&
					h->outcome == DONE,
					"%s: ucall %lu (line %lu: %#lx, %#lx)",
					h->name, (unsigned long)uc.cmd,
					(unsigned long)uc.line,
					(unsigned long)uc.args[0],
					(unsigned long)uc.args[1]);
			break;
		}
		if (t->run->exit_reason == VTXHV_EXIT_IO ||
		    (t->run->exit_reason == VTXHV_EXIT_MMIO &&
		     (h->outcome == EXIT || h->outcome == DONE) &&
		     h->value != VTXHV_EXIT_MMIO)) {
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
	if (h->check)
		ok &= h->check(t);
	if (io)
		printf("# %s: %u I/O or MMIO exits before the outcome\n",
		       h->name, io);
	tvm_destroy(t);
	return ok;
}

/*
 * Defect 4, the delivery loop (CVE-2015-5307): a 32-bit guest at CPL 3
 * with CR0.AM and EFLAGS.AC set, a misaligned stack, and an #AC gate to
 * CPL-3 code, so that pushing the frame of #AC raises #AC again.  On
 * hardware that loops inside the CPU with interrupts never taken; with
 * #AC intercepted every round is an exit, and a signal ends VTXHV_RUN.
 * (Bochs, not intercepting, stops at its third nested exception with a
 * triple fault: VTXHV_EXIT_SHUTDOWN.)
 */
extern const uint8_t ac_start[], ac_end[];

__asm__(".pushsection .rodata\n"
	"ac_start:\n .code32\n"
	"1: movl 0x5001, %eax\n"	/* misaligned: #AC */
	" jmp 1b\n"
	" .code64\n"
	"ac_end:\n"
	".popsection\n");

static struct vtxhv_segment seg32(uint16_t sel, uint8_t type, uint8_t dpl)
{
	struct vtxhv_segment s = {
		.limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .s = 1, .db = 1, .g = 1, .dpl = dpl,
	};
	return s;
}

static int ac_loop_killable(void)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	uint64_t *gdt = (uint64_t *)(t->mem + 0x2000);
	uint32_t *idt = (uint32_t *)(t->mem + 0x2800);
	struct itimerval soon = { .it_value = { .tv_usec = 10000 } };
	struct vtxhv_sregs s;
	struct vtxhv_regs r;
	int ret, ok;

	memcpy(t->mem + 0x1000, ac_start, ac_end - ac_start);
	gdt[3] = 0x00cffb000000ffffULL;	/* 0x18: 32-bit code, DPL 3 */
	gdt[4] = 0x00cff3000000ffffULL;	/* 0x20: data, DPL 3 */
	/* Vector 17: 32-bit interrupt gate, DPL 3, to 0x1b:0x1000. */
	idt[17 * 2] = 0x1b << 16 | 0x1000;
	idt[17 * 2 + 1] = 0xee00;
	tvm_get_sregs(t, &s);
	s.cs = seg32(0x1b, 11, 3);
	s.ds = s.es = s.fs = s.gs = s.ss = seg32(0x23, 3, 3);
	s.gdt.base = 0x2000;
	s.gdt.limit = 5 * 8 - 1;
	s.idt.base = 0x2800;
	s.idt.limit = 32 * 8 - 1;
	s.cr0 = 0x40031;		/* PE ET NE AM */
	s.cr4 = 0;
	s.efer = 0;
	tvm_set_sregs(t, &s);
	memset(&r, 0, sizeof(r));
	r.rip = 0x1000;
	r.rsp = 0x8001;
	r.rflags = 0x40002;		/* AC */
	tvm_set_regs(t, &r);
	/*
	 * 10 ms: Bochs logs every #AC, and the test VM's kernel can take
	 * long to fire a timer (on the skylake model, without the TSC
	 * deadline timer, 0.1 s was 880,000 rounds and 6 minutes of Bochs).
	 */
	setitimer(ITIMER_REAL, &soon, NULL);
	ret = tvm_run(t);
	alarm(0);
	ok = TEST_CHECK(ret == -EINTR, "run returned %d, exit %s", ret,
			ret ? "-" : exit_reason_name(t->run->exit_reason));
	tvm_get_regs(t, &r);
	ok &= TEST_CHECK(r.rip == 0x1000, "RIP %#llx",
			 (unsigned long long)r.rip);
	tvm_destroy(t);
	return ok;
}

/* Defect 7: a slot's size is bounded (its page array is kernel memory). */
static int slot_too_large(void)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	struct vtxhv_memory_region r = {
		.slot = 2, .guest_phys_addr = 1ULL << 40,
		.size = VTXHV_MAX_SLOT_SIZE + 4096,
		.userspace_addr = 1ULL << 40,
	};
	int ret = ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &r), err = errno;

	tvm_destroy(t);
	return TEST_CHECK(ret == -1 && err == E2BIG,
			  "a slot of 64 GiB + 4 KiB: %d (%s)", ret, strerror(err));
}

/* The guest of memlock_limit: one write to each page of 2 MiB. */
static void g_touch_2m(uint64_t a)
{
	uint64_t p;

	(void)a;
	for (p = 16 << 20; p < 18 << 20; p += 4096)
		*(volatile uint8_t *)p = 1;
}

/* VmPin of /proc/self/status, in KiB (the pages charged to pinned_vm). */
static long vm_pin_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/*
 * Defect 7: pinned guest pages count against RLIMIT_MEMLOCK for a VMM
 * without CAP_IPC_LOCK.  In a child that dropped the capability and has a
 * 256 KiB limit, a guest touching 2 MiB must be stopped with an error.
 */
static void memlock_child(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	struct rlimit rl = { 256 << 10, 256 << 10 };
	struct tvm *t;
	int ret, ok;
	long pinned;

	if (syscall(SYS_capget, &h, d) ||
	    (d[0].effective &= ~(1U << CAP_IPC_LOCK),
	     syscall(SYS_capset, &h, d)) || setrlimit(RLIMIT_MEMLOCK, &rl))
		_exit(2);
	t = tvm_create(TVM_DEFAULT_MEM);
	tvm_set_cpuid_host(t);
	tvm_setup_long_mode(t, g_touch_2m, 0);
	do {
		ret = tvm_run(t);
	} while (!ret && t->run->exit_reason == VTXHV_EXIT_IO &&
		 t->run->io.port != UCALL_PORT);
	pinned = vm_pin_kb();
	printf("# memlock: run %d, exit %s, VmPin %ld kB\n", ret,
	       ret ? "-" : exit_reason_name(t->run->exit_reason), pinned);
	ok = (ret == -EFAULT || ret == -ENOMEM ||
	      (!ret && t->run->exit_reason == VTXHV_EXIT_INTERNAL_ERROR)) &&
	     pinned > 0 && pinned <= 256;
	tvm_destroy(t);
	ok &= vm_pin_kb() == 0;
	_exit(ok ? 0 : 1);
}

static int memlock_limit(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0)
		memlock_child();
	waitpid(pid, &status, 0);
	return TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "memlock child: status %#x", status);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	unsigned int i;

	sigaction(SIGALRM, &sa, NULL);
	test_plan(NCASES + 4);
	for (i = 0; i < NCASES; i++)
		test_result(run_case(i), "%s", cases[i].name);
	test_result(ac_loop_killable(), "ac_delivery_loop_killable");
	test_result(slot_too_large(), "slot_larger_than_64g_refused");
	test_result(memlock_limit(), "pins_charged_to_rlimit_memlock");
	test_result(tvm_module_counts_zero(), "nothing_left_after_%u_hostile_guests",
		    (unsigned int)NCASES);
	test_finish();
}
