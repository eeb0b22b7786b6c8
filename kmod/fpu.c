// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's x87/SSE/AVX registers, kept with means any module may use.
 *
 * The run loop owns the FPU between kernel_fpu_begin() and
 * kernel_fpu_end(): the first saves the VMM thread's own registers into
 * its task (they come back on the way to user mode) and keeps interrupts
 * and softirqs off the FPU on this CPU (irq_fpu_usable() is false).  In
 * between, the guest's registers are loaded from a buffer of ours with
 * XRSTOR (FXRSTOR where the host runs without XSAVE) and saved back with
 * XSAVE before the FPU is given back.
 *
 * What a guest may put in XCR0 follows what the host enabled: on a host
 * without XSAVE the guest gets none (CR4.OSXSAVE is refused), and a guest
 * XCR0 is always a valid XCR0 for this CPU, so the XSETBV of the world
 * switch cannot fault.  PKRU and AMX state are never the guest's: PKRU
 * stays the VMM thread's (it governs the kernel's own user accesses), and
 * AMX needs the XFD machinery that only KVM may use.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/slab.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>

#include "vtxhv.h"

/* XCR0 bits (SDM Vol. 1, 13.3) that vtxhv lets a guest enable. */
#define XCR0_FP		BIT_ULL(0)
#define XCR0_SSE	BIT_ULL(1)
#define XCR0_YMM	BIT_ULL(2)
#define XCR0_BNDREGS	BIT_ULL(3)
#define XCR0_BNDCSR	BIT_ULL(4)
#define XCR0_AVX512	(BIT_ULL(5) | BIT_ULL(6) | BIT_ULL(7))
#define XCR0_PKRU	BIT_ULL(9)
#define XCR0_XTILE	(BIT_ULL(17) | BIT_ULL(18))
#define XCR0_GUEST	(XCR0_FP | XCR0_SSE | XCR0_YMM | XCR0_AVX512)

/* The legacy area: FCW at 0, MXCSR at 24 (SDM Vol. 1, table 10-2). */
#define FX_FCW		0
#define FX_MXCSR	24
#define FX_MXCSR_MASK	28
#define FX_USED		464	/* bytes 464-511 are software's */
#define FX_XMM		160	/* XMM0-15, 16 bytes each */
#define XSTATE_BV	512	/* in the XSAVE header */

u64 vtxhv_host_xcr0;		/* 0: the host runs without XSAVE */
static u64 guest_xcr0_ok;	/* bits XSETBV may set in a guest */
static u64 switch_mask;		/* components saved and restored */
static unsigned int area_size;
static u32 mxcsr_mask;		/* MXCSR bits FXRSTOR/XRSTOR accept */

/* The CPU's MXCSR_MASK, from an FXSAVE (0 there: 0xffbf, SDM 11.6.6). */
static void read_mxcsr_mask(void)
{
	static u8 fx[512] __aligned(16);

	kernel_fpu_begin();
	asm volatile("fxsave64 %0" : "=m"(fx));
	kernel_fpu_end();
	mxcsr_mask = *(u32 *)(fx + FX_MXCSR_MASK) ?: 0xffbf;
}

void vtxhv_fpu_init(void)
{
	u32 eax, ebx, ecx, edx;

	/* The kernel may run without XSAVE on a CPU that has it. */
	if (boot_cpu_has(X86_FEATURE_XSAVE) &&
	    (vtxhv_read_cr4() & X86_CR4_OSXSAVE)) {
		vtxhv_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		guest_xcr0_ok = vtxhv_host_xcr0 & XCR0_GUEST;
		switch_mask = vtxhv_host_xcr0 & ~(XCR0_PKRU | XCR0_XTILE);
		/* EBX: the size for the features XCR0 enables now. */
		cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx);
		area_size = ebx;
	} else {
		area_size = 512;
	}
	/* kzalloc() aligns a power-of-two size to itself: 64 is needed. */
	area_size = roundup_pow_of_two(max(area_size, 576U));
	read_mxcsr_mask();
}

/*
 * VTXHV_GET_FPU/SET_FPU, with the vCPU's mutex held and its registers in
 * @area (the run loop holds them only inside a VTXHV_RUN).  XSAVE writes
 * the x87 and SSE components whatever their state, so the legacy area is
 * always the guest's; a set marks both in use, so that XRSTOR takes them
 * rather than their reset values.
 */
void vtxhv_fpu_get(const void *area, struct vtxhv_fpu *f)
{
	memcpy(f->fxsave, area, FX_USED);
	memset(f->fxsave + FX_USED, 0, sizeof(f->fxsave) - FX_USED);
	*(u32 *)(f->fxsave + FX_MXCSR_MASK) = 0;
}

int vtxhv_fpu_set(void *area, const struct vtxhv_fpu *f)
{
	u32 mxcsr = *(const u32 *)(f->fxsave + FX_MXCSR);

	/* A reserved bit would make the XRSTOR of the next entry fault. */
	if (mxcsr & ~mxcsr_mask)
		return -EINVAL;
	memcpy(area, f->fxsave, FX_MXCSR_MASK);
	memcpy(area + FX_MXCSR_MASK + 4, f->fxsave + FX_MXCSR_MASK + 4,
	       FX_USED - FX_MXCSR_MASK - 4);
	if (switch_mask)
		*(u64 *)(area + XSTATE_BV) |= XCR0_FP | XCR0_SSE;
	return 0;
}

bool vtxhv_host_has_xsave(void)
{
	return vtxhv_host_xcr0;
}

/* The reset state: x87 and SSE control words as after FNINIT/reset. */
void *vtxhv_fpu_alloc(void)
{
	u8 *area = kzalloc(area_size, GFP_KERNEL_ACCOUNT);

	if (area) {
		*(u16 *)(area + FX_FCW) = 0x37f;
		*(u32 *)(area + FX_MXCSR) = 0x1f80;
	}
	return area;
}

/**
 * vtxhv_fpu_xcr0_valid - may a guest's XSETBV set this XCR0?
 * @xcr0:	the value
 * @cpuid_ok:	the bits the guest's CPUID leaf 0xD reports (all if none)
 *
 * The #GP conditions of XSETBV (SDM Vol. 2B), applied to the features
 * both the host and vtxhv support.
 */
bool vtxhv_fpu_xcr0_valid(u64 xcr0, u64 cpuid_ok)
{
	if (xcr0 & ~(guest_xcr0_ok & cpuid_ok))
		return false;
	if (!(xcr0 & XCR0_FP))
		return false;
	if ((xcr0 & XCR0_YMM) && !(xcr0 & XCR0_SSE))
		return false;
	if ((xcr0 & XCR0_AVX512) &&
	    ((xcr0 & XCR0_AVX512) != XCR0_AVX512 || !(xcr0 & XCR0_YMM)))
		return false;
	if (!(xcr0 & XCR0_BNDREGS) != !(xcr0 & XCR0_BNDCSR))
		return false;
	return true;
}

/*
 * Take the FPU and load the guest's registers; preemption is disabled.
 * XCR0 is the host's here, a superset of any guest's, so XRSTOR reaches
 * every component the guest may have touched.
 */
/*
 * The XSAVE-family instruction @xinsn on @area for the components of
 * switch_mask, or its FXSAVE-family twin @fxinsn without XSAVE.
 */
#define fpu_area(xinsn, fxinsn, area)					\
	do {								\
		if (switch_mask)					\
			asm volatile(xinsn " (%0)"			\
				     : : "r"(area), "a"((u32)switch_mask), \
				       "d"((u32)(switch_mask >> 32))	\
				     : "memory");			\
		else							\
			asm volatile(fxinsn " (%0)"			\
				     : : "r"(area) : "memory");		\
	} while (0)

void vtxhv_fpu_load(void *area)
{
	/* No MXCSR or x87 reset first: the XRSTOR replaces them. */
	kernel_fpu_begin_mask(0);
	fpu_area("xrstor64", "fxrstor64", area);
}

/* Save the guest's registers and give the FPU back to the kernel. */
void vtxhv_fpu_put(void *area)
{
	fpu_area("xsave64", "fxsave64", area);
	kernel_fpu_end();
}

/*
 * XMM register @n of a saved guest FPU state, for the instruction
 * emulator.  With XSAVE, SSE state in its initial configuration
 * (XSTATE_BV bit 1 clear) reads as zeroes: the area may hold anything
 * there (SDM Vol. 1, 13.7).  A write puts it in use.
 */
void vtxhv_fpu_xmm(void *area, unsigned int n, u8 *xmm, bool write)
{
	u8 *a = area;
	u64 *bv = (u64 *)(a + XSTATE_BV);
	bool init = switch_mask && !(*bv & XCR0_SSE);

	if (!write) {
		if (init)
			memset(xmm, 0, 16);
		else
			memcpy(xmm, a + FX_XMM + 16 * n, 16);
		return;
	}
	if (init) {
		memset(a + FX_XMM, 0, 16 * 16);
		*bv |= XCR0_SSE;
	}
	memcpy(a + FX_XMM + 16 * n, xmm, 16);
}
