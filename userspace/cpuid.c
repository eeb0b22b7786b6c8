// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUID policy: what a guest of vtxctl run, and a test's guest, sees.
 * The host's leaves, basic and extended, with the features vtxhv does not
 * give guests hidden, the hypervisor bit set, the vCPU's APIC ID, and the
 * TSC's rate in leaves 0x15 and 0x16.  The host is read only through
 * struct cpuid_host, so that a host test can choose the CPU.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "cpuid.h"

void cpuid_native(uint32_t fn, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(fn), "c"(sub));
}

/*
 * CPUID bits the guest must not see: features vtxhv does not give guests
 * (a guest that used them would get #UD or #GP).  The hypervisor bit is
 * set instead.
 */
/* CPUID.1:ECX: DTES64, MONITOR/MWAIT (#UD), DS-CPL, VMX, SMX, EST, TM2,
 * xTPR, PDCM (MSRs not emulated), PCID (CR4.PCIDE is the host's), x2APIC
 * and TSC-deadline (no APIC), OSXSAVE (CR4.OSXSAVE starts 0; the module
 * shows it from the guest's CR4 at each CPUID). */
#define CPUID1_ECX_HIDE		(1U << 2 | 1U << 3 | 1U << 4 | 1U << 5 | \
				 1U << 6 | 1U << 7 | 1U << 8 | 1U << 14 | \
				 1U << 15 | 1U << 17 | 1U << 21 | 1U << 24 | \
				 1U << 27)
#define CPUID1_ECX_HYPERVISOR	(1U << 31)
#define CPUID1_ECX_X2APIC	(1U << 21)
#define CPUID1_ECX_TSC_DEADLINE	(1U << 24)
#define CPUID1_EDX_APIC		(1U << 9)
/* CPUID.1:EDX: APIC (none yet), DS, ACPI thermal MSRs, TM, PBE. */
#define CPUID1_EDX_HIDE		(1U << 9 | 1U << 21 | 1U << 22 | 1U << 29 | \
				 1U << 31)
/* CPUID.7.0: TSC_ADJUST, INVPCID, RDT monitoring and allocation, MPX,
 * processor trace (EBX); WAITPKG, PKU, OSPKE, CET shadow stacks, LA57,
 * (ECX); MD_CLEAR, CET IBT, IBRS/IBPB, STIBP, L1D_FLUSH,
 * ARCH_CAPABILITIES, CORE_CAPABILITIES, SSBD (EDX): MSRs, CR4 bits or
 * controls guests lack. */
#define CPUID7_EBX_HIDE		(1U << 1 | 1U << 10 | 1U << 12 | 1U << 14 | \
				 1U << 15 | 1U << 25)
#define CPUID7_ECX_HIDE		(1U << 3 | 1U << 4 | 1U << 5 | 1U << 7 | \
				 1U << 16)
#define CPUID7_EDX_HIDE		(1U << 10 | 1U << 20 | 1U << 26 | 1U << 27 | \
				 1U << 28 | 1U << 29 | 1U << 30 | 1U << 31)
/*
 * Where the host kernel runs without XSAVE (CPUID.1:ECX.OSXSAVE clear),
 * vtxhv refuses a guest's CR4.OSXSAVE: XSAVE and what needs it go too
 * (FMA, AVX, F16C in leaf 1; AVX2 and AVX-512 in leaf 7).
 */
#define CPUID1_ECX_XSAVE_ONLY	(1U << 12 | 1U << 26 | 1U << 28 | 1U << 29)
#define CPUID7_EBX_XSAVE_ONLY	(1U << 5 | 1U << 16 | 1U << 17 | 1U << 21 | \
				 1U << 26 | 1U << 27 | 1U << 28 | 1U << 30 | \
				 1U << 31)

/* CPUID.80000001h:EDX: RDTSCP, and CPUID.7.0:ECX: RDPID, shown only
 * where the module runs them (VTXHV_EXT_RDTSCP); elsewhere they are #UD. */
#define CPUID81_EDX_RDTSCP	(1U << 27)
#define CPUID7_ECX_RDPID	(1U << 22)

/*
 * The guest's TSC runs at the host's rate (no TSC scaling).  Guests learn
 * that rate from CPUID 0x15 (TSC/crystal ratio and crystal clock) and
 * 0x16 (base frequency), as on recent Intel CPUs: Linux then needs no
 * calibration against the PIT, whose every read is an exit, and keeps the
 * TSC as its clock.  Measured once against CLOCK_MONOTONIC; 0 if that
 * failed, and the leaves are then left as the host has them.
 */
#define CPUID_TSC_LEAF		0x15
#define CPUID_FREQ_LEAF		0x16

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t cpuid_measure_tsc_hz(void)
{
	uint64_t t0 = mono_ns(), c0 = rdtsc(), t1, c1;

	do {
		t1 = mono_ns();
	} while (t1 - t0 < 20000000ULL);
	c1 = rdtsc();
	if (c1 <= c0)
		return 0;
	return (c1 - c0) * 1000000000ULL / (t1 - t0);
}

/*
 * The crystal is 1 GHz, the bus clock of vtxhv's local APIC timer: Linux
 * takes the APIC timer's rate from ECX, so the two must agree.
 */
#define CPUID_CRYSTAL_KHZ	1000000U

static double distance(double x, uint64_t p, uint64_t q)
{
	double d = x - (double)p / q;

	return d < 0 ? -d : d;
}

/*
 * Leaf 0x15's TSC/crystal ratio EBX/EAX: the fraction nearest to
 * @khz / CPUID_CRYSTAL_KHZ whose numerator keeps CPUID_CRYSTAL_KHZ * EBX
 * within 32 bits, because Linux computes the TSC's kHz as that product
 * over EAX in unsigned int arithmetic (native_calibrate_tsc()); a
 * larger EBX wraps, and the guest's clock runs many times too fast.
 * Continued fractions: the last convergent within the bound, or the best
 * semiconvergent beyond it if that is nearer.
 */
static void cpuid_tsc_ratio(uint64_t khz, uint32_t *ebx, uint32_t *eax)
{
	const uint64_t max_num = 0xffffffffU / CPUID_CRYSTAL_KHZ;
	uint64_t num = khz, den = CPUID_CRYSTAL_KHZ;
	uint64_t h0 = 0, h1 = 1, k0 = 1, k1 = 0, a, r, t;
	double x = (double)khz / CPUID_CRYSTAL_KHZ;

	while (den) {
		a = num / den;
		if (a * h1 + h0 > max_num) {
			t = (max_num - h0) / h1;
			if (t && distance(x, t * h1 + h0, t * k1 + k0) <
				 distance(x, h1, k1)) {
				h1 = t * h1 + h0;
				k1 = t * k1 + k0;
			}
			break;
		}
		t = a * h1 + h0;
		h0 = h1;
		h1 = t;
		t = a * k1 + k0;
		k0 = k1;
		k1 = t;
		r = num % den;
		num = den;
		den = r;
	}
	*ebx = h1;
	*eax = k1;
}

static void cpuid_tsc_leaves(struct vtxhv_cpuid_entry *e, uint64_t hz)
{
	memset(&e->eax, 0, 4 * sizeof(e->eax));
	if (e->function == CPUID_TSC_LEAF) {
		/* TSC = crystal * EBX / EAX; ECX = crystal Hz. */
		cpuid_tsc_ratio((hz + 500) / 1000, &e->ebx, &e->eax);
		e->ecx = CPUID_CRYSTAL_KHZ * 1000;
	} else {
		/* Base and maximum MHz, bus (reference) MHz. */
		e->eax = e->ebx = hz / 1000000;
		e->ecx = 100;
	}
}

/* Subleaves of @fn up to the first whose register @reg has @mask clear. */
static uint32_t subleaves_until(const struct cpuid_host *h, uint32_t fn,
				unsigned int reg, uint32_t mask)
{
	uint32_t r[4], n;

	for (n = 1; n < 64; n++) {
		h->cpuid(fn, n, r);
		if (!(r[reg] & mask))
			break;
	}
	return n;
}

/* The number of subleaves of an indexed leaf to copy (all, up to 64). */
static uint32_t cpuid_subleaves(const struct cpuid_host *h, uint32_t fn,
				const uint32_t r0[4])
{
	switch (fn) {
	case 4:
	case 0x8000001d:
		/* Cache parameters: until the type field (EAX 4:0) is 0. */
		return subleaves_until(h, fn, 0, 0x1f);
	case 0xb:
	case 0x1f:
		/* Topology: until the level type (ECX 15:8) is 0. */
		return subleaves_until(h, fn, 2, 0xff00);
	case 0xd:
		return 64;	/* XSAVE components: sparse, zeros dropped */
	case 7:
	case 0x14:
	case 0x17:
	case 0x18:
	case 0x1d:
	case 0x20:
		/* EAX of subleaf 0 is the last subleaf. */
		return r0[0] < 63 ? r0[0] + 1 : 64;
	case 0xf:
	case 0x10:
	case 0x12:
		return 4;
	default:
		return 0;	/* not indexed */
	}
}

static void cpuid_fixup(const struct cpuid_host *h,
			struct vtxhv_cpuid_entry *e, unsigned int vcpu)
{
	if (h->tsc_hz && (e->function == CPUID_TSC_LEAF ||
			  e->function == CPUID_FREQ_LEAF)) {
		cpuid_tsc_leaves(e, h->tsc_hz);
	} else if (e->function == 0 && h->tsc_hz &&
		   e->eax < CPUID_FREQ_LEAF) {
		e->eax = CPUID_FREQ_LEAF;	/* see cpuid_policy() */
	} else if (e->function == 1) {
		if (!(e->ecx & 1U << 27))
			e->ecx &= ~CPUID1_ECX_XSAVE_ONLY;
		e->ecx &= ~CPUID1_ECX_HIDE;
		e->ecx |= CPUID1_ECX_HYPERVISOR;
		e->edx &= ~CPUID1_EDX_HIDE;
		/* EBX 31:24: initial APIC ID. */
		e->ebx = (e->ebx & 0x00ffffff) | (vcpu & 0xff) << 24;
	} else if (e->function == 7 && e->index == 0) {
		uint32_t r1[4];

		h->cpuid(1, 0, r1);
		if (!(r1[2] & 1U << 27))
			e->ebx &= ~CPUID7_EBX_XSAVE_ONLY;
		e->ebx &= ~CPUID7_EBX_HIDE;
		e->ecx &= ~CPUID7_ECX_HIDE;
		if (!(h->extensions & VTXHV_EXT_RDTSCP))
			e->ecx &= ~CPUID7_ECX_RDPID;
		e->edx &= ~CPUID7_EDX_HIDE;
	} else if (e->function == 0xb || e->function == 0x1f) {
		e->edx = vcpu;	/* x2APIC ID */
	} else if (e->function == 6 || e->function == 0xa) {
		/* Thermal and power management, performance monitoring:
		 * their MSRs are not emulated. */
		e->eax = e->ebx = e->ecx = e->edx = 0;
	} else if (e->function == 0x80000001) {
		if (!(h->extensions & VTXHV_EXT_RDTSCP))
			e->edx &= ~CPUID81_EDX_RDTSCP;
	}
}

/*
 * The host's CPUID, basic and extended leaves, with the fix-ups above.
 * Leaves beyond VTXHV_MAX_CPUID_ENTRIES are dropped (they read as zero).
 */
unsigned int cpuid_policy(const struct cpuid_host *h, unsigned int vcpu,
			  struct vtxhv_cpuid_entry *tab)
{
	static const uint32_t bases[] = { 0, 0x80000000U };
	uint32_t base, max, host_max, fn, sub, nsub, r0[4], r[4];
	unsigned int n = 0, b;

	for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		base = bases[b];
		h->cpuid(base, 0, r);
		max = host_max = r[0];
		if (max < base || max - base > 0xff)
			max = host_max = base;	/* no such range, or nonsense */
		/* The TSC leaves are given even where the host lacks them. */
		if (!base && h->tsc_hz && max < CPUID_FREQ_LEAF)
			max = CPUID_FREQ_LEAF;
		for (fn = base; fn <= max; fn++) {
			if (fn > host_max) {
				/* Only the TSC leaves: the others past the
				 * host's last read as zero anyway. */
				if (fn != CPUID_TSC_LEAF &&
				    fn != CPUID_FREQ_LEAF)
					continue;
				memset(r0, 0, sizeof(r0));
				nsub = 0;
			} else {
				h->cpuid(fn, 0, r0);
				nsub = cpuid_subleaves(h, fn, r0);
			}
			for (sub = 0; sub < (nsub ? nsub : 1); sub++) {
				struct vtxhv_cpuid_entry *e = &tab[n];

				if (n == VTXHV_MAX_CPUID_ENTRIES)
					return n;
				if (sub)
					h->cpuid(fn, sub, r);
				else
					memcpy(r, r0, sizeof(r));
				/* Zero subleaves read as zero anyway. */
				if (sub && !(r[0] | r[1] | r[2] | r[3]))
					continue;
				memset(e, 0, sizeof(*e));
				e->function = fn;
				e->index = sub;
				if (nsub)
					e->flags = VTXHV_CPUID_SIGNIFICANT_INDEX;
				e->eax = r[0];
				e->ebx = r[1];
				e->ecx = r[2];
				e->edx = r[3];
				cpuid_fixup(h, e, vcpu);
				n++;
			}
		}
	}
	return n;
}

void cpuid_give_apic(struct vtxhv_cpuid_entry *tab, unsigned int n,
		     bool x2apic)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (tab[i].function != 1)
			continue;
		tab[i].edx |= CPUID1_EDX_APIC;
		tab[i].ecx |= CPUID1_ECX_TSC_DEADLINE;
		if (x2apic)
			tab[i].ecx |= CPUID1_ECX_X2APIC;
	}
}

unsigned int build_cpuid(struct vtxhv_cpuid_entry *tab, unsigned int vcpu,
			 uint64_t extensions)
{
	static struct cpuid_host host = { .cpuid = cpuid_native };

	if (!host.tsc_hz)
		host.tsc_hz = cpuid_measure_tsc_hz();
	host.extensions = extensions;
	return cpuid_policy(&host, vcpu, tab);
}
