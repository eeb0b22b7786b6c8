// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the CPUID policy (userspace/cpuid.c), which vtxctl
 * run and the tests' guests share, on a made-up host CPU: what it hides,
 * what it sets, what it keeps, per vCPU and with or without host XSAVE.
 */
#include <stdint.h>
#include <string.h>

#include "cpuid.h"
#include "vtxhv_test.h"

#define EAX 0
#define EBX 1
#define ECX 2
#define EDX 3

/* CPUID.1:ECX */
#define SSE3		(1U << 0)
#define MONITOR		(1U << 3)
#define VMX		(1U << 5)
#define FMA		(1U << 12)
#define PCID		(1U << 17)
#define SSE42		(1U << 20)
#define X2APIC		(1U << 21)
#define TSC_DEADLINE	(1U << 24)
#define AES		(1U << 25)
#define XSAVE		(1U << 26)
#define OSXSAVE		(1U << 27)
#define AVX		(1U << 28)
#define F16C		(1U << 29)
#define HYPERVISOR	(1U << 31)
/* CPUID.1:EDX */
#define FPU		(1U << 0)
#define TSC		(1U << 4)
#define PAE		(1U << 6)
#define APIC		(1U << 9)
#define DS		(1U << 21)
#define ACPI		(1U << 22)
#define SSE2		(1U << 26)
#define TM		(1U << 29)
#define PBE		(1U << 31)
/* CPUID.7.0:EBX, ECX, EDX */
#define TSC_ADJUST	(1U << 1)
#define BMI1		(1U << 3)
#define AVX2		(1U << 5)
#define SMEP		(1U << 7)
#define INVPCID		(1U << 10)
#define AVX512F		(1U << 16)
#define PKU		(1U << 3)
#define LA57		(1U << 16)
#define RDPID		(1U << 22)
#define MD_CLEAR	(1U << 10)
#define ARCH_CAP	(1U << 29)
/* CPUID.80000001h:EDX */
#define SYSCALL		(1U << 11)
#define NX		(1U << 20)
#define RDTSCP		(1U << 27)
#define LM		(1U << 29)

#define HOST_APIC_ID	0x12
#define HOST_LEAF1_EBX	(HOST_APIC_ID << 24 | 0x10 << 16 | 0x0800)

struct leaf {
	uint32_t fn, sub, r[4];
};

/*
 * The host: basic leaves to 0xd, extended to 0x80000008, with what the
 * policy must hide and what it must keep.  Leaves not listed read zero.
 */
static const struct leaf intel[] = {
	{ 0, 0, { 0xd, 0x756e6547, 0x6c65746e, 0x49656e69 } },
	{ 1, 0, { 0x906ea, HOST_LEAF1_EBX,
		  SSE3 | MONITOR | VMX | FMA | PCID | SSE42 | X2APIC |
		  TSC_DEADLINE | AES | XSAVE | OSXSAVE | AVX | F16C,
		  FPU | TSC | PAE | APIC | DS | ACPI | SSE2 | TM | PBE } },
	{ 4, 0, { 0x121, 0x1c0003f, 0x3f, 0 } },
	{ 4, 1, { 0x122, 0x1c0003f, 0x3f, 0 } },
	{ 4, 2, { 0x143, 0x3c0003f, 0x3ff, 0 } },
	{ 4, 3, { 0x163, 0x3c0003f, 0x3fff, 0 } },
	{ 6, 0, { 0x4, 0, 0x1, 0 } },
	{ 7, 0, { 1, TSC_ADJUST | BMI1 | AVX2 | SMEP | INVPCID | AVX512F,
		  PKU | LA57 | RDPID, MD_CLEAR | ARCH_CAP } },
	{ 7, 1, { 0x10, 0, 0, 0 } },
	{ 0xa, 0, { 0x7300404, 0, 0, 0x603 } },
	{ 0xb, 0, { 1, 2, 0x100, HOST_APIC_ID } },
	{ 0xb, 1, { 4, 4, 0x201, HOST_APIC_ID } },
	{ 0xd, 0, { 0xe7, 0x440, 0xa88, 0 } },
	{ 0xd, 1, { 0xf, 0, 0, 0 } },
	{ 0xd, 2, { 0x100, 0x240, 0, 0 } },
	{ 0xd, 5, { 0x40, 0x440, 0, 0 } },
	{ 0xd, 6, { 0x200, 0x480, 0, 0 } },
	{ 0xd, 7, { 0x400, 0x680, 0, 0 } },
	{ 0x80000000, 0, { 0x80000008, 0, 0, 0 } },
	{ 0x80000001, 0, { 0, 0, 1, SYSCALL | NX | RDTSCP | LM } },
	{ 0x80000008, 0, { 0x3027, 0, 0, 0 } },
};

static struct leaf host[sizeof(intel) / sizeof(intel[0])];
static bool every_leaf_nonzero;	/* a host whose every leaf is set */

static void fake_cpuid(uint32_t fn, uint32_t sub, uint32_t r[4])
{
	size_t i;

	memset(r, 0, 4 * sizeof(r[0]));
	if (every_leaf_nonzero) {
		r[EAX] = fn < 0x80000000U ? 0xff : 0x800000ff;
		r[EBX] = r[ECX] = r[EDX] = fn ^ sub ^ 0x5a5a5a5a;
		if (fn == 4 || fn == 0xb || fn == 0x1f)
			r[EAX] = r[ECX] = 0xffff;	/* never the last */
		return;
	}
	for (i = 0; i < NTESTS(host); i++)
		if (host[i].fn == fn && host[i].sub == sub)
			memcpy(r, host[i].r, sizeof(host[i].r));
}

static struct cpuid_host h = { .cpuid = fake_cpuid };
static struct vtxhv_cpuid_entry tab[VTXHV_MAX_CPUID_ENTRIES + 1];
static unsigned int n;

static void set_host(uint32_t fn, uint32_t sub, int reg, uint32_t set,
		     uint32_t clear)
{
	size_t i;

	for (i = 0; i < NTESTS(host); i++)
		if (host[i].fn == fn && host[i].sub == sub)
			host[i].r[reg] = (host[i].r[reg] | set) & ~clear;
}

/* The guest's entry for (fn, sub), as vtxhv looks it up; NULL if none. */
static const struct vtxhv_cpuid_entry *leaf(uint32_t fn, uint32_t sub)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (tab[i].function == fn &&
		    (!(tab[i].flags & VTXHV_CPUID_SIGNIFICANT_INDEX) ||
		     tab[i].index == sub))
			return &tab[i];
	return NULL;
}

static const struct vtxhv_cpuid_entry *build(unsigned int vcpu)
{
	n = cpuid_policy(&h, vcpu, tab);
	return leaf(1, 0);
}

/* The entry for (fn, sub) of vCPU 0's table. */
static const struct vtxhv_cpuid_entry *built(uint32_t fn, uint32_t sub)
{
	build(0);
	return leaf(fn, sub);
}

static bool hides_vmx_sets_hypervisor(void)
{
	const struct vtxhv_cpuid_entry *e = build(0);

	CHECK(e);
	CHECK(!(e->ecx & VMX));
	CHECK(e->ecx & HYPERVISOR);
	CHECK_EQ(e->ecx & (SSE3 | SSE42 | AES), SSE3 | SSE42 | AES);
	CHECK_EQ(e->eax, 0x906ea);
	return true;
}

static bool leaf1_hides_what_vtxhv_lacks(void)
{
	const struct vtxhv_cpuid_entry *e = build(0);

	CHECK(e);
	CHECK_EQ(e->ecx & (MONITOR | PCID | X2APIC | TSC_DEADLINE | OSXSAVE),
		 0);
	CHECK_EQ(e->edx & (APIC | DS | ACPI | TM | PBE), 0);
	CHECK_EQ(e->edx, FPU | TSC | PAE | SSE2);
	return true;
}

/* Leaf 1's initial APIC ID and the x2APIC IDs of leaf 0xB: the vCPU's. */
static bool apic_id_per_vcpu(void)
{
	const struct vtxhv_cpuid_entry *e;
	unsigned int vcpu;

	for (vcpu = 0; vcpu < 4; vcpu++) {
		e = build(vcpu);
		CHECK(e);
		CHECK_EQ(e->ebx >> 24, vcpu);
		CHECK_EQ(e->ebx & 0xffffff, HOST_LEAF1_EBX & 0xffffff);
		CHECK(leaf(0xb, 0) && leaf(0xb, 1));
		CHECK_EQ(leaf(0xb, 0)->edx, vcpu);
		CHECK_EQ(leaf(0xb, 1)->edx, vcpu);
	}
	return true;
}

static bool xsave_kept_with_host_osxsave(void)
{
	const struct vtxhv_cpuid_entry *e = build(0);

	CHECK(e);
	CHECK_EQ(e->ecx & (XSAVE | AVX | FMA | F16C), XSAVE | AVX | FMA | F16C);
	CHECK(leaf(7, 0));
	CHECK_EQ(leaf(7, 0)->ebx & (AVX2 | AVX512F), AVX2 | AVX512F);
	CHECK(leaf(0xd, 0) && leaf(0xd, 0)->eax == 0xe7);
	return true;
}

/*
 * A host kernel without XSAVE (CR4.OSXSAVE clear, as Debian's on the test
 * VM's Skylake-X): vtxhv refuses the guest's CR4.OSXSAVE, so XSAVE and
 * everything that needs it are hidden (ba7eeb8, 5c6c8c0).
 */
static bool xsave_hidden_without_host_osxsave(void)
{
	const struct vtxhv_cpuid_entry *e;

	set_host(1, 0, ECX, 0, OSXSAVE);
	e = build(0);
	CHECK(e);
	CHECK_EQ(e->ecx & (XSAVE | AVX | FMA | F16C | OSXSAVE), 0);
	CHECK_EQ(e->ecx & (SSE3 | SSE42 | AES), SSE3 | SSE42 | AES);
	CHECK(leaf(7, 0));
	/* AVX2 and AVX-512 go; BMI1 and SMEP stay. */
	CHECK_EQ(leaf(7, 0)->ebx & (AVX2 | AVX512F | BMI1 | SMEP), BMI1 | SMEP);
	return true;
}

static bool leaf7_hides_what_vtxhv_lacks(void)
{
	const struct vtxhv_cpuid_entry *e = built(7, 0);

	CHECK(e && e->eax == 1);
	CHECK_EQ(e->ebx & (TSC_ADJUST | INVPCID), 0);
	CHECK_EQ(e->ecx & (PKU | LA57 | RDPID), 0);
	CHECK_EQ(e->edx & (MD_CLEAR | ARCH_CAP), 0);
	CHECK(leaf(7, 1) && leaf(7, 1)->eax == 0x10);
	return true;
}

static bool rdtscp_hidden_long_mode_kept(void)
{
	const struct vtxhv_cpuid_entry *e = built(0x80000001, 0);

	CHECK(e);
	CHECK_EQ(e->edx, SYSCALL | NX | LM);
	CHECK(leaf(0x80000008, 0) && leaf(0x80000008, 0)->eax == 0x3027);
	return true;
}

/* A module that runs RDTSCP and RDPID for guests shows what the host has. */
static bool rdtscp_rdpid_with_the_extension(void)
{
	set_host(7, 0, ECX, RDPID, 0);
	h.extensions = VTXHV_EXT_RDTSCP;
	CHECK(built(0x80000001, 0));
	CHECK_EQ(leaf(0x80000001, 0)->edx, SYSCALL | NX | RDTSCP | LM);
	CHECK(leaf(7, 0));
	CHECK_EQ(leaf(7, 0)->ecx & (PKU | RDPID), RDPID);
	/* Only what the host has: no RDTSCP there, none for the guest. */
	set_host(0x80000001, 0, EDX, 0, RDTSCP);
	CHECK(built(0x80000001, 0));
	CHECK_EQ(leaf(0x80000001, 0)->edx, SYSCALL | NX | LM);
	return true;
}

static bool thermal_and_pmu_leaves_zero(void)
{
	build(0);
	CHECK(leaf(6, 0) && leaf(0xa, 0));
	CHECK_EQ(leaf(6, 0)->eax | leaf(6, 0)->ecx, 0);
	CHECK_EQ(leaf(0xa, 0)->eax | leaf(0xa, 0)->edx, 0);
	return true;
}

/* TSC = crystal * EBX / EAX (leaf 0x15); MHz in leaf 0x16. */
static bool tsc_rate_in_leaves_15_16(void)
{
	static const uint64_t rates[] = {
		2100000000ULL, 5000000000ULL, 199999000ULL, 3392143000ULL,
		1234567000ULL,
	};
	const struct vtxhv_cpuid_entry *e;
	unsigned int i;
	uint64_t khz;

	for (i = 0; i < NTESTS(rates); i++) {
		h.tsc_hz = rates[i];
		build(0);
		CHECK(leaf(0, 0));
		CHECK_EQ(leaf(0, 0)->eax, 0x16);
		e = leaf(0x15, 0);
		CHECK(e && e->eax);
		/* The crystal is the local APIC timer's 1 GHz bus clock. */
		CHECK_EQ(e->ecx, 1000000000);
		/*
		 * Linux's kHz, crystal kHz * EBX / EAX, in 32 bits: no
		 * wrap, and within 50 ppm of the rate (the nearest ratio
		 * with so small an EBX).
		 */
		CHECK((uint64_t)(e->ecx / 1000) * e->ebx <= 0xffffffffULL);
		khz = (uint32_t)(e->ecx / 1000 * e->ebx) / e->eax;
		CHECK(khz * 1000 * 1000000 <= rates[i] * 1000050 &&
		      khz * 1000 * 1000000 >= rates[i] * 999950);
		e = leaf(0x16, 0);
		CHECK(e);
		CHECK_EQ(e->eax, rates[i] / 1000000);
		CHECK_EQ(e->ebx, rates[i] / 1000000);
		CHECK_EQ(e->ecx, 100);
	}
	return true;
}

static bool tsc_rate_unknown_leaves_as_host(void)
{
	build(0);
	CHECK_EQ(leaf(0, 0)->eax, 0xd);
	CHECK(!leaf(0x15, 0) && !leaf(0x16, 0));
	return true;
}

/*
 * Indexed leaves: all their subleaves, flagged so, zero ones dropped;
 * each (leaf, subleaf) once; both ranges, and nothing past them.
 */
static bool subleaves_each_once(void)
{
	unsigned int i, j, sub;

	build(0);
	for (sub = 0; sub < 4; sub++)
		CHECK(leaf(4, sub) && leaf(4, sub)->index == sub);
	CHECK(!leaf(4, 4));
	CHECK(leaf(0xd, 2) && leaf(0xd, 2)->ebx == 0x240);
	CHECK(!leaf(0xd, 3) && !leaf(0xd, 4));
	CHECK(leaf(0xd, 7) && leaf(0xd, 7)->ebx == 0x680);
	CHECK(!leaf(0xb, 2));
	CHECK(leaf(0xd, 5)->flags & VTXHV_CPUID_SIGNIFICANT_INDEX);
	CHECK(!(leaf(1, 0)->flags & VTXHV_CPUID_SIGNIFICANT_INDEX));
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			CHECK(tab[i].function != tab[j].function ||
			      tab[i].index != tab[j].index);
	CHECK(leaf(0x80000000, 0) && leaf(0x80000008, 0));
	CHECK(!leaf(0xe, 0) && !leaf(0x80000009, 0));
	return true;
}

static bool nonsense_extended_range_ignored(void)
{
	set_host(0x80000000, 0, EAX, 0x12345678, ~0x12345678U);
	build(0);
	CHECK(leaf(0x80000000, 0));
	CHECK(!leaf(0x80000001, 0));
	return true;
}

/* A host with more leaves than fit: the table stops at its size. */
static bool table_bounded(void)
{
	every_leaf_nonzero = true;
	tab[VTXHV_MAX_CPUID_ENTRIES].function = 0xdeadbeef;
	build(0);
	CHECK_EQ(n, VTXHV_MAX_CPUID_ENTRIES);
	CHECK_EQ(tab[VTXHV_MAX_CPUID_ENTRIES].function, 0xdeadbeef);
	return true;
}

/* Before each case: the made-up host as above, TSC rate unknown. */
static void reset(void)
{
	memcpy(host, intel, sizeof(host));
	every_leaf_nonzero = false;
	h.tsc_hz = 0;
	h.extensions = 0;
	memset(tab, 0, sizeof(tab));
	n = 0;
}

static const struct test_case tests[] = {
	TEST(hides_vmx_sets_hypervisor),
	TEST(leaf1_hides_what_vtxhv_lacks),
	TEST(apic_id_per_vcpu),
	TEST(xsave_kept_with_host_osxsave),
	TEST(xsave_hidden_without_host_osxsave),
	TEST(leaf7_hides_what_vtxhv_lacks),
	TEST(rdtscp_hidden_long_mode_kept),
	TEST(rdtscp_rdpid_with_the_extension),
	TEST(thermal_and_pmu_leaves_zero),
	TEST(tsc_rate_in_leaves_15_16),
	TEST(tsc_rate_unknown_leaves_as_host),
	TEST(subleaves_each_once),
	TEST(nonsense_extended_range_ignored),
	TEST(table_bounded),
};

int main(void)
{
	return run_test_cases(tests, NTESTS(tests), reset);
}
