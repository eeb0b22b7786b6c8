// SPDX-License-Identifier: GPL-2.0
/*
 * conformance: where vtxhv, not the CPU, decides what a guest sees, it
 * must be what the SDM says (issue 19):
 *  - the RFLAGS a fault pushes has RF set when vtxhv injects the fault
 *    (#GP from an MSR, #UD from a VMX instruction, and, in the shadow
 *    modes, every #PF), so that a handler's IRET back to an instruction
 *    with a breakpoint on it does not stop there again;
 *  - CPUID bits that mirror the guest's state follow it: OSXSAVE is
 *    CR4.OSXSAVE, leaf 0xD's EBX is the size XCR0 needs, APIC is
 *    IA32_APIC_BASE's enable bit;
 *  - RDTSCP and RDPID read IA32_TSC_AUX, kept per vCPU, and the host's
 *    TSC_AUX (its CPU number, for the vDSO's getcpu) is back after a run;
 *    a guest whose CPUID shows neither gets #UD from both, and #GP from
 *    the MSR, as on a CPU without them.
 * In the paging mode VTXHV_PAGING names.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cpuid.h"
#include "tvm.h"
#include "vtxhv_test.h"

#define NONE		0xff
#define RF		(1ULL << 16)
#define MSR_TSC_AUX	0xc0000103
#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EN	(1ULL << 11)
#define CR4_OSXSAVE	(1ULL << 18)
#define BAD_MSR		0x12345
/* A 2 MiB page of guest RAM nothing else uses (RAM is 64 MiB). */
#define HOLE		(32ULL << 20)
#define AUX(id)		(0x5a0U + (id))
#define EV_N		4	/* INT3, INT 0x30, ICEBP, INTO */
#define EV_NAMES	{ "int3", "int 0x30", "icebp", "into (#UD)" }

/* What the guest saw, read by the host from guest memory. */
struct results {
	uint64_t gp_vector, gp_rflags;
	uint64_t ud_vector, ud_rflags;
	uint64_t native_ud_rflags;
	uint64_t pf_plain_rflags;
	uint64_t db_count, pf_count, pf_rflags;
	uint64_t xsave, cr4_start, osxsave_start, osxsave_off, osxsave_on;
	uint64_t size_x87_sse, size_avx, want_avx;
	uint64_t apic_on, apic_off, apic_again;
	uint64_t rdtscp, rdpid;
	uint64_t aux_rdtscp[2], aux_rdpid[2], aux_gp_vector[2];
	uint64_t tsc_before[2], tsc_rdtscp[2];
	uint64_t hidden_rdtscp, hidden_rdpid, hidden_rdmsr, hidden_wrmsr;
	uint64_t hidden_cpuid;
	/* Events delivered through a cold shadow: vector, pushed RIP. */
	uint64_t ev_vector[EV_N], ev_rip[EV_N], ev_want[EV_N];
	uint64_t df_vector, df_error, df_pf;
};

static struct results res;
static volatile uint64_t resume_at, last_vector, last_rflags;
static uint64_t *hole_pde;

/* Resume after the faulting instruction (at resume_at). */
static void skip_handler(struct ex_regs *r)
{
	last_vector = r->vector;
	last_rflags = r->rflags;
	r->rip = resume_at;
}

/* Run @insn, a fault in it resumes after it: its vector and RFLAGS. */
#define FAULTING(insn, ...)						\
	do {								\
		last_vector = NONE;					\
		last_rflags = 0;					\
		__asm__ volatile("movq $1f, %0\n\t" insn "\n1:"	\
				 : "=m"(resume_at) : __VA_ARGS__ : "memory"); \
	} while (0)

/* The same for an instruction that writes registers: @... name them. */
#define FAULTING_CLOBBERS(insn, ...)					\
	do {								\
		last_vector = NONE;					\
		last_rflags = 0;					\
		__asm__ volatile("movq $1f, %0\n\t" insn "\n1:"	\
				 : "=m"(resume_at) : : __VA_ARGS__, "memory"); \
	} while (0)

/* An instruction breakpoint's #DB: count it, and set RF, as an OS does. */
static void db_handler(struct ex_regs *r)
{
	res.db_count++;
	r->rflags |= RF;
}

/* The #PF of the hole: map it again and retry the same instruction. */
static void pf_handler(struct ex_regs *r)
{
	res.pf_count++;
	res.pf_rflags = r->rflags;
	*hole_pde |= 1;
	__asm__ volatile("invlpg (%0)" : : "r"(HOLE) : "memory");
}

static void unmap_hole(void)
{
	*hole_pde &= ~1ULL;
	__asm__ volatile("invlpg (%0)" : : "r"(HOLE) : "memory");
}

static uint64_t *pde_of(uint64_t va)
{
	uint64_t cr3, *pml4, *pdpt, *pd;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (uint64_t *)(cr3 & ~0xfffULL);
	pdpt = (uint64_t *)(pml4[(va >> 39) & 511] & 0xffffffffff000ULL);
	pd = (uint64_t *)(pdpt[(va >> 30) & 511] & 0xffffffffff000ULL);
	return &pd[(va >> 21) & 511];
}

static void rf_checks(void)
{
	guest_set_handler(13, skip_handler);
	guest_set_handler(6, skip_handler);
	FAULTING("wrmsr", "c"(BAD_MSR), "a"(0), "d"(0));
	res.gp_vector = last_vector;
	res.gp_rflags = last_rflags;
	FAULTING("vmxoff");
	res.ud_vector = last_vector;
	res.ud_rflags = last_rflags;
	FAULTING("ud2");
	res.native_ud_rflags = last_rflags;

	/* A load from a page that is not present: #PF, mapped, retried. */
	hole_pde = pde_of(HOLE);
	guest_set_handler(14, pf_handler);
	unmap_hole();
	__asm__ volatile("mov (%0), %%rax" : : "r"(HOLE) : "rax", "memory");
	res.pf_plain_rflags = res.pf_rflags;

	/*
	 * The same with a breakpoint on the load: #DB first (the handler sets
	 * RF), then #PF, whose handler IRETs back to the load.  Only with RF
	 * in the #PF's RFLAGS does the retry run without a second #DB.
	 */
	guest_set_handler(1, db_handler);
	unmap_hole();
	__asm__ volatile("movq $1f, %%rax\n\t"
			 "mov %%rax, %%dr0\n\t"
			 "mov %0, %%dr7\n\t"
			 "1: mov (%1), %%rax\n\t"
			 "mov %2, %%dr7"
			 : : "r"(0x401ULL), "r"(HOLE), "r"(0x400ULL)
			 : "rax", "memory");
}

static void cpuid_checks(void)
{
	uint32_t a, b, c, d, ecx1;
	uint64_t cr4;

	cpuid(1, 0, &a, &b, &ecx1, &d);
	res.xsave = !!(ecx1 & (1U << 26));
	if (!res.xsave)
		return;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	res.cr4_start = !!(cr4 & CR4_OSXSAVE);
	res.osxsave_start = !!(ecx1 & (1U << 27));
	cr4 &= ~CR4_OSXSAVE;
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	cpuid(1, 0, &a, &b, &c, &d);
	res.osxsave_off = !!(c & (1U << 27));
	cr4 |= CR4_OSXSAVE;
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	cpuid(1, 0, &a, &b, &c, &d);
	res.osxsave_on = !!(c & (1U << 27));

	__asm__ volatile("xsetbv" : : "a"(3), "d"(0), "c"(0));
	cpuid(0xd, 0, &a, &b, &c, &d);
	res.size_x87_sse = b;
	if (ecx1 & (1U << 28)) {	/* AVX: its state is component 2 */
		__asm__ volatile("xsetbv" : : "a"(7), "d"(0), "c"(0));
		cpuid(0xd, 0, &a, &b, &c, &d);
		res.size_avx = b;
		cpuid(0xd, 2, &a, &b, &c, &d);
		res.want_avx = a + b;
		__asm__ volatile("xsetbv" : : "a"(3), "d"(0), "c"(0));
	}
}

/* Each vCPU: its own TSC_AUX, read back after the other set its own. */
static void aux_code(uint64_t id)
{
	uint32_t a, b, c, d;
	uint64_t lo, hi, aux, v;

	cpuid(0x80000001, 0, &a, &b, &c, &d);
	res.rdtscp = !!(d & (1U << 27));
	cpuid(7, 0, &a, &b, &c, &d);
	res.rdpid = !!(c & (1U << 22));
	if (res.rdtscp || res.rdpid) {
		guest_set_handler(13, skip_handler);
		FAULTING("wrmsr", "c"(MSR_TSC_AUX), "a"(0), "d"(1));
		res.aux_gp_vector[id] = last_vector;
		wrmsr(MSR_TSC_AUX, AUX(id));
	}
	GUEST_SYNC(4);
	res.tsc_before[id] = rdtsc();
	if (res.rdtscp) {
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
		res.aux_rdtscp[id] = aux;
		res.tsc_rdtscp[id] = (uint32_t)lo | hi << 32;
	}
	if (res.rdpid) {
		__asm__ volatile("rdpid %0" : "=r"(v));
		res.aux_rdpid[id] = v;
	}
	GUEST_DONE();
}

static void guest_code(uint64_t arg)
{
	(void)arg;
	rf_checks();
	GUEST_SYNC(1);
	cpuid_checks();
	GUEST_SYNC(2);
	aux_code(0);
}

/*
 * Events whose delivery finds the shadow cold: a CR3 load (vtlb drops
 * its whole shadow) and INVLPG of the IDT, GDT and stack pages (shadow
 * drops those), so that in the shadow modes the delivery exits with a
 * #PF and vtxhv delivers the event again from the IDT-vectoring
 * information, with its type and instruction length.  The pushed RIP
 * must be after INT3, INT n and ICEBP, and at INTO (#UD in 64-bit mode).
 */
#define COLD_EVENT(i, insn, at_insn)					\
	do {								\
		last_vector = NONE;					\
		__asm__ volatile("mov %%cr3, %%rax\n\t"			\
				 "mov %%rax, %%cr3\n\t"			\
				 "invlpg (%2)\n\t"				\
				 "invlpg (%3)\n\t"				\
				 "invlpg -64(%%rsp)\n\t"			\
				 "movq $1f, %0\n\t"				\
				 "movq $2f, %1\n"				\
				 "1: " insn "\n"				\
				 "2:"						\
				 : "=m"(ev_at), "=m"(ev_next)		\
				 : "r"(idtr.base), "r"(tvm_guest_gdt)		\
				 : "rax", "memory");				\
		res.ev_want[i] = (at_insn) ? ev_at : ev_next;		\
		res.ev_vector[i] = last_vector;				\
		res.ev_rip[i] = last_rip;				\
	} while (0)

extern uint64_t tvm_guest_gdt[4];
static volatile uint64_t last_rip, ev_at, ev_next;

/* Resume after the event's instruction; note where the frame said. */
static void event_handler(struct ex_regs *r)
{
	last_vector = r->vector;
	last_rip = r->rip;
	r->rip = ev_next;
}

static void event_code(uint64_t arg)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr;

	(void)arg;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	guest_set_handler(3, event_handler);
	guest_set_handler(0x30, event_handler);
	guest_set_handler(1, event_handler);
	guest_set_handler(6, event_handler);
	COLD_EVENT(0, "int3", 0);
	COLD_EVENT(1, "int $0x30", 0);
	COLD_EVENT(2, ".byte 0xf1", 0);
	COLD_EVENT(3, ".byte 0xce", 1);
	GUEST_DONE();
}

/*
 * An IDT copy at @base, and the address of its gate @vector.  Placed
 * against the hole (unmapped by the caller), the gates at and above
 * the hole make the delivery of their vectors fault.
 */
static void idt_at(uint64_t base, void *saved)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr, *old = saved;

	volatile uint64_t *dst = (volatile uint64_t *)base;
	const uint64_t *src;
	unsigned int i;

	__asm__ volatile("sidt %0" : "=m"(*old));
	src = (const uint64_t *)old->base;
	for (i = 0; i < (old->limit + 1U) / 8; i++)
		dst[i] = src[i];
	idtr.limit = old->limit;
	idtr.base = base;
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

static uint8_t saved_idtr[10];

/* #DF: map the hole again, take the test's IDT back, resume. */
static void df_handler(struct ex_regs *r)
{
	res.df_vector = r->vector;
	res.df_error = r->error_code;
	*hole_pde |= 1;
	__asm__ volatile("invlpg (%0)" : : "r"(HOLE) : "memory");
	__asm__ volatile("lidt %0" : : "m"(saved_idtr));
	r->rip = resume_at;
}

static void count_pf(struct ex_regs *r)
{
	res.df_pf++;
	*hole_pde |= 1;
	__asm__ volatile("invlpg (%0)" : : "r"(HOLE) : "memory");
	r->rip = resume_at;
}

/*
 * A #PF whose delivery faults on its own gate, in the hole: #DF (SDM
 * Vol. 3, table 6-5), through gate 8 just below the hole.  With @triple
 * gate 8 is in the hole too: the #DF's delivery faults, and the guest
 * shuts down (a triple fault).
 */
static void double_fault_code(uint64_t triple)
{
	hole_pde = pde_of(HOLE);
	guest_set_handler(8, df_handler);
	guest_set_handler(14, count_pf);
	idt_at(HOLE - (triple ? 16 : 9 * 16), saved_idtr);
	unmap_hole();
	__asm__ volatile("movq $1f, %0\n\t"
			 "mov (%1), %%rax\n"
			 "1:"
			 : "=m"(resume_at) : "r"(HOLE + 0x1000) : "rax", "memory");
	GUEST_DONE();
}

/* A guest told it has neither RDTSCP nor RDPID: it must not have them. */
static void hidden_aux_code(uint64_t arg)
{
	uint32_t a, b, c, d;

	(void)arg;
	cpuid(0x80000001, 0, &a, &b, &c, &d);
	res.hidden_cpuid = d & (1U << 27);
	cpuid(7, 0, &a, &b, &c, &d);
	res.hidden_cpuid |= c & (1U << 22);
	guest_set_handler(6, skip_handler);
	guest_set_handler(13, skip_handler);
	FAULTING_CLOBBERS("rdtscp", "rax", "rcx", "rdx");
	res.hidden_rdtscp = last_vector;
	FAULTING_CLOBBERS("rdpid %%rax", "rax");
	res.hidden_rdpid = last_vector;
	FAULTING_CLOBBERS("mov $0xc0000103, %%ecx; rdmsr", "rax", "rcx",
			  "rdx");
	res.hidden_rdmsr = last_vector;
	FAULTING("wrmsr", "c"(MSR_TSC_AUX), "a"(1), "d"(0));
	res.hidden_wrmsr = last_vector;
	GUEST_DONE();
}

static void apic_code(uint64_t arg)
{
	uint32_t a, b, c, d;
	uint64_t base = rdmsr(MSR_APIC_BASE);

	(void)arg;
	cpuid(1, 0, &a, &b, &c, &d);
	res.apic_on = !!(d & (1U << 9));
	wrmsr(MSR_APIC_BASE, base & ~APIC_BASE_EN);
	cpuid(1, 0, &a, &b, &c, &d);
	res.apic_off = !!(d & (1U << 9));
	wrmsr(MSR_APIC_BASE, base);
	cpuid(1, 0, &a, &b, &c, &d);
	res.apic_again = !!(d & (1U << 9));
	GUEST_DONE();
}

static struct results *results(struct tvm *t)
{
	return (struct results *)(t->mem + (uintptr_t)&res);
}

static int host_has_rdtscp(void)
{
	uint32_t r[4];

	cpuid_native(0x80000000, 0, r);
	if (r[0] < 0x80000001)
		return 0;
	cpuid_native(0x80000001, 0, r);
	return !!(r[3] & (1U << 27));
}

/* The host's TSC_AUX on this CPU: Linux keeps (node << 12) | cpu there. */
static uint32_t host_tsc_aux(void)
{
	uint32_t lo, hi, aux;

	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	(void)lo;
	(void)hi;
	return aux;
}

static void check_rf(struct results *r, uint32_t paging)
{
	int shadow = paging != VTXHV_PAGING_EPT;

	test_result(TEST_CHECK(r->gp_vector == 13 && (r->gp_rflags & RF),
			       "vector %llu rflags %#llx",
			       (unsigned long long)r->gp_vector,
			       (unsigned long long)r->gp_rflags),
		    "rf_in_injected_gp");
	test_result(TEST_CHECK(r->ud_vector == 6 && (r->ud_rflags & RF),
			       "vector %llu rflags %#llx",
			       (unsigned long long)r->ud_vector,
			       (unsigned long long)r->ud_rflags),
		    "rf_in_injected_ud");
	/* The CPU's own delivery, for comparison: not vtxhv's doing. */
	printf("# ud2, delivered by the CPU: RF %s\n",
	       r->native_ud_rflags & RF ? "set" : "clear");
	printf("# #PF (%s): RF %s; breakpoint then #PF: %llu #DB, %llu #PF\n",
	       shadow ? "injected by vtxhv" : "delivered by the CPU",
	       r->pf_plain_rflags & RF ? "set" : "clear",
	       (unsigned long long)r->db_count,
	       (unsigned long long)r->pf_count);
	if (!shadow) {
		test_skip_one("rf_in_injected_pf",
			      "EPT: the CPU delivers the guest's #PF");
		test_skip_one("breakpoint_once_across_injected_pf",
			      "EPT: the CPU delivers the guest's #PF");
		return;
	}
	test_result(TEST_CHECK(r->pf_plain_rflags & RF, "see above"),
		    "rf_in_injected_pf");
	test_result(TEST_CHECK(r->pf_count == 2 && r->db_count == 1,
			       "see above"),
		    "breakpoint_once_across_injected_pf");
}

static void check_cpuid(struct results *r)
{
	if (!r->xsave) {
		test_skip_one("cpuid_osxsave_follows_cr4",
			      "no XSAVE in the guest's CPUID");
		test_skip_one("cpuid_xsave_size_follows_xcr0",
			      "no XSAVE in the guest's CPUID");
		return;
	}
	test_result(TEST_CHECK(r->osxsave_start == r->cr4_start &&
			       r->osxsave_off == 0 && r->osxsave_on == 1,
			       "OSXSAVE %llu at start (CR4.OSXSAVE %llu), %llu without CR4.OSXSAVE, %llu with",
			       (unsigned long long)r->osxsave_start,
			       (unsigned long long)r->cr4_start,
			       (unsigned long long)r->osxsave_off,
			       (unsigned long long)r->osxsave_on),
		    "cpuid_osxsave_follows_cr4");
	printf("# CPUID.0xD.0:EBX %llu with XCR0=3, %llu with XCR0=7 (want %llu)\n",
	       (unsigned long long)r->size_x87_sse,
	       (unsigned long long)r->size_avx,
	       (unsigned long long)r->want_avx);
	test_result(TEST_CHECK(r->size_x87_sse == 576 &&
			       (!r->want_avx || r->size_avx == r->want_avx),
			       "sizes above"),
		    "cpuid_xsave_size_follows_xcr0");
}

static void check_apic(uint32_t paging)
{
	struct tvm *t = tvm_create_flags(TVM_DEFAULT_MEM, paging,
					 VTXHV_VM_IRQCHIP);
	struct results *r = results(t);

	tvm_set_cpuid_host(t);
	tvm_setup_long_mode(t, apic_code, 0);
	tvm_expect_ucall(t, UCALL_DONE, 0);
	test_result(TEST_CHECK(r->apic_on == 1 && r->apic_off == 0 &&
			       r->apic_again == 1,
			       "CPUID.1:EDX.APIC %llu, %llu disabled, %llu enabled again",
			       (unsigned long long)r->apic_on,
			       (unsigned long long)r->apic_off,
			       (unsigned long long)r->apic_again),
		    "cpuid_apic_follows_apic_base");
	tvm_destroy(t);
}

/* A VM in @paging mode whose guest runs @entry(@arg) in 64-bit mode. */
static struct tvm *guest_vm(uint32_t paging, void (*entry)(uint64_t),
			    uint64_t arg)
{
	struct tvm *t = tvm_create_paging(TVM_DEFAULT_MEM, paging);

	tvm_set_cpuid_host(t);
	tvm_setup_long_mode(t, entry, arg);
	return t;
}

static void check_events(uint32_t paging)
{
	static const char *const names[EV_N] = EV_NAMES;
	static const uint64_t vectors[EV_N] = { 3, 0x30, 1, 6 };
	struct tvm *t = guest_vm(paging, event_code, 0);
	struct results *r = results(t);
	int i, ok = 1;

	tvm_expect_ucall(t, UCALL_DONE, 0);
	for (i = 0; i < EV_N; i++)
		ok &= TEST_CHECK(r->ev_vector[i] == vectors[i] &&
				 r->ev_rip[i] == r->ev_want[i],
				 "%s: vector %llu, pushed RIP %#llx, want %#llx",
				 names[i], (unsigned long long)r->ev_vector[i],
				 (unsigned long long)r->ev_rip[i],
				 (unsigned long long)r->ev_want[i]);
	test_result(ok, "events_through_cold_shadow");
	tvm_destroy(t);

	t = guest_vm(paging, double_fault_code, 0);
	r = results(t);
	tvm_expect_ucall(t, UCALL_DONE, 0);
	test_result(TEST_CHECK(r->df_vector == 8 && r->df_error == 0 &&
			       r->df_pf == 0,
			       "vector %llu error %llu, %llu #PF handled",
			       (unsigned long long)r->df_vector,
			       (unsigned long long)r->df_error,
			       (unsigned long long)r->df_pf),
		    "pf_in_pf_delivery_is_df");
	tvm_destroy(t);

	t = guest_vm(paging, double_fault_code, 1);
	alarm(5);	/* a #DF/#PF loop would never end */
	i = tvm_run(t);
	alarm(0);
	test_result(TEST_CHECK(!i && t->run->exit_reason == VTXHV_EXIT_SHUTDOWN,
			       "run %d, exit %s", i,
			       i ? "-" : exit_reason_name(t->run->exit_reason)),
		    "pf_in_df_delivery_is_shutdown");
	tvm_destroy(t);
}

static void check_hidden_aux(uint32_t paging)
{
	struct tvm *t = tvm_create_flags(TVM_DEFAULT_MEM, paging, 0);
	struct results *r = results(t);

	tvm_set_cpuid_ext(t, tvm_extensions(t) & ~VTXHV_EXT_RDTSCP);
	tvm_setup_long_mode(t, hidden_aux_code, 0);
	tvm_expect_ucall(t, UCALL_DONE, 0);
	test_result(TEST_CHECK(!r->hidden_cpuid && r->hidden_rdtscp == 6 &&
			       r->hidden_rdpid == 6 &&
			       r->hidden_rdmsr == 13 && r->hidden_wrmsr == 13,
			       "CPUID bits %#llx; vectors: RDTSCP %llu RDPID %llu RDMSR %llu WRMSR %llu",
			       (unsigned long long)r->hidden_cpuid,
			       (unsigned long long)r->hidden_rdtscp,
			       (unsigned long long)r->hidden_rdpid,
			       (unsigned long long)r->hidden_rdmsr,
			       (unsigned long long)r->hidden_wrmsr),
		    "no_rdtscp_without_cpuid");
	tvm_destroy(t);
}

static void check_aux(struct tvm *t, struct tvm *ap, uint32_t host_aux)
{
	struct results *r = results(t);
	uint32_t now = host_tsc_aux();
	int i, ok = 1;

	if (!r->rdtscp) {
		test_skip_one("rdtscp_tsc_aux_per_vcpu",
			      "no RDTSCP in the guest's CPUID");
		test_skip_one("tsc_aux_reserved_bits_gp",
			      "no RDTSCP in the guest's CPUID");
	} else {
		for (i = 0; i < 2; i++)
			ok &= TEST_CHECK(r->aux_rdtscp[i] == AUX(i) &&
					 r->tsc_rdtscp[i] >= r->tsc_before[i],
					 "vCPU %d: RDTSCP ECX %#llx, TSC %llu after %llu",
					 i, (unsigned long long)r->aux_rdtscp[i],
					 (unsigned long long)r->tsc_rdtscp[i],
					 (unsigned long long)r->tsc_before[i]);
		test_result(ok, "rdtscp_tsc_aux_per_vcpu");
		test_result(TEST_CHECK(r->aux_gp_vector[0] == 13 &&
				       r->aux_gp_vector[1] == 13,
				       "vectors %llu %llu",
				       (unsigned long long)r->aux_gp_vector[0],
				       (unsigned long long)r->aux_gp_vector[1]),
			    "tsc_aux_reserved_bits_gp");
	}
	if (!r->rdpid) {
		test_skip_one("rdpid_per_vcpu", "no RDPID in the guest's CPUID (the CPU lacks it)");
	} else {
		test_result(TEST_CHECK(r->aux_rdpid[0] == AUX(0) &&
				       r->aux_rdpid[1] == AUX(1),
				       "RDPID %#llx %#llx",
				       (unsigned long long)r->aux_rdpid[0],
				       (unsigned long long)r->aux_rdpid[1]),
			    "rdpid_per_vcpu");
	}
	if (!host_has_rdtscp())
		test_skip_one("host_tsc_aux_restored", "the host has no RDTSCP");
	else
		test_result(TEST_CHECK(now == host_aux,
				       "host TSC_AUX %#x before the guests ran, %#x after",
				       host_aux, now),
			    "host_tsc_aux_restored");
	(void)ap;
}

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	uint32_t paging = tvm_paging_mode();
	struct tvm *t, *ap;
	uint32_t host_aux = 0;
	cpu_set_t cpus;

	sigaction(SIGALRM, &sa, NULL);
	test_plan(16);
	printf("# paging %s\n", paging_name(paging));
	/* One CPU, so that both vCPUs and the host share its TSC_AUX. */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(cpus), &cpus),
		    "sched_setaffinity");
	if (host_has_rdtscp())
		host_aux = host_tsc_aux();

	t = tvm_create(TVM_DEFAULT_MEM);
	tvm_set_cpuid_host(t);
	tvm_setup_long_mode(t, guest_code, 0);
	tvm_expect_ucall(t, UCALL_SYNC, 1);
	check_rf(results(t), paging);
	tvm_expect_ucall(t, UCALL_SYNC, 2);
	check_cpuid(results(t));

	ap = tvm_add_vcpu(t, 1);
	tvm_set_cpuid_host(ap);
	tvm_start_long_mode(ap, aux_code, 1, t->mem_size - 0x20000 - 8);
	tvm_expect_ucall(t, UCALL_SYNC, 4);
	tvm_expect_ucall(ap, UCALL_SYNC, 4);
	tvm_expect_ucall(t, UCALL_DONE, 0);
	tvm_expect_ucall(ap, UCALL_DONE, 0);
	check_aux(t, ap, host_aux);
	tvm_destroy(ap);
	tvm_destroy(t);

	check_apic(paging);
	check_hidden_aux(paging);
	check_events(paging);
	test_result(tvm_module_counts_zero(), "nothing_left_in_module");
	test_finish();
}
