// SPDX-License-Identifier: GPL-2.0
/*
 * VMCS contents: the execution controls chosen from the capability MSRs,
 * the host state Linux needs back after every exit, and the guest state
 * as userspace sets it through the special registers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/ratelimit.h>
#include <asm/apicdef.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>

#include "vtxhv.h"
#include "vmx_ops.h"

u32 vtxhv_preemption_timer;	/* 0: not used */
bool vtxhv_switch_perf_ctl;	/* guests run with PERF_GLOBAL_CTRL 0 */
static struct page *io_bitmap;		/* two pages, all ones */
static struct page *msr_bitmap;		/* one page, all ones */

void vmx_vmread_error(unsigned long field)
{
	WARN_ONCE(1, "vtxhv: VMREAD of field %#lx failed\n", field);
}

void vmx_vmwrite_error(unsigned long field, unsigned long value)
{
	WARN_ONCE(1, "vtxhv: VMWRITE of %#lx to field %#lx failed (error %u)\n",
		  value, field, vmcs_read32(VM_INSTRUCTION_ERROR));
}

int vtxhv_vmcs_global_init(void)
{
	/* Every port and every MSR exits: vtxhv lets the guest touch none. */
	io_bitmap = alloc_pages(GFP_KERNEL, 1);
	msr_bitmap = alloc_page(GFP_KERNEL);
	if (!io_bitmap || !msr_bitmap) {
		vtxhv_vmcs_global_exit();
		return -ENOMEM;
	}
	memset(page_address(io_bitmap), 0xff, 2 * PAGE_SIZE);
	memset(page_address(msr_bitmap), 0xff, PAGE_SIZE);
	vtxhv_fpu_init();
	/*
	 * The VMX preemption timer bounds how long a guest runs before the
	 * host looks at need_resched() and pending signals: 4 ms of TSC,
	 * counted in units of 2^rate TSC ticks (SDM 25.5.1).  External
	 * interrupts exit anyway; this is the backstop for CPUs (and
	 * emulators) that deliver them late to a guest running with IF=0.
	 */
	vtxhv_switch_perf_ctl = boot_cpu_has(X86_FEATURE_ARCH_PERFMON) &&
		vmx_ctl_allows(vmcs_config.entry,
			       VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL) &&
		vmx_ctl_allows(vmcs_config.exit,
			       VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL);
	if (vmx_ctl_allows(vmcs_config.pin, PIN_BASED_VMX_PREEMPTION_TIMER) &&
	    tsc_khz)
		vtxhv_preemption_timer = max_t(u64, 1, min_t(u64, U32_MAX,
			((u64)tsc_khz * 4) >>
			(vmcs_config.misc & VTXHV_VMX_MISC_TIMER_RATE_MASK)));
	return 0;
}

void vtxhv_vmcs_global_exit(void)
{
	if (io_bitmap)
		__free_pages(io_bitmap, 1);
	if (msr_bitmap)
		__free_page(msr_bitmap);
	io_bitmap = NULL;
	msr_bitmap = NULL;
}

/*
 * A control value: the bits we want, plus those the CPU forces to 1
 * (allowed-0 settings), all of which must be allowed to be 1 (SDM A.3).
 */
u64 vmx_adjust_ctl(u64 msr, u32 want, const char *what, bool *ok)
{
	u32 must = (u32)msr, may = msr >> 32;

	if ((want | must) & ~may) {
		pr_err_ratelimited("%s controls %#x not allowed (allowed-1 %#x)\n",
				   what, (want | must) & ~may, may);
		*ok = false;
	}
	return (want | must) & may;
}

/* The base of this CPU's TSS, from its descriptor in the GDT. */
static unsigned long host_tr_base(void)
{
	struct desc_ptr gdt;
	struct ldttss_desc *d;
	u16 tr;

	native_store_gdt(&gdt);
	asm volatile("str %0" : "=r"(tr));
	d = (struct ldttss_desc *)(gdt.address + (tr & ~7));
	return d->base0 | ((unsigned long)d->base1 << 16) |
	       ((unsigned long)d->base2 << 24) |
	       ((unsigned long)d->base3 << 32);
}

/* Host fields that differ between CPUs: rewritten after each migration. */
void vtxhv_vmcs_set_host_percpu(void)
{
	struct desc_ptr dt;
	u64 v;

	native_store_gdt(&dt);
	vmcs_writel(HOST_GDTR_BASE, dt.address);
	store_idt(&dt);
	vmcs_writel(HOST_IDTR_BASE, dt.address);
	vmcs_writel(HOST_TR_BASE, host_tr_base());
	rdmsrl(MSR_GS_BASE, v);
	vmcs_writel(HOST_GS_BASE, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, v);
}

static void set_host_state(struct vtxhv_vcpu *vcpu)
{
	u64 v;

	vmcs_writel(HOST_CR0, read_cr0());
	vcpu->host_cr3 = __read_cr3();
	vmcs_writel(HOST_CR3, vcpu->host_cr3);
	/* HOST_CR4: vtxhv_vcpu_load() writes it, before every stay. */
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	/*
	 * DS, ES, FS and GS come back null; their bases come from the fields
	 * below and any user selector is reloaded on the way back to user
	 * mode (vcpu.c: switch_to_host).
	 */
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_writel(HOST_RIP, (unsigned long)__vtxhv_vmexit);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write32(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, v);
	rdmsrl(MSR_EFER, v);
	vmcs_write64(HOST_IA32_EFER, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcs_write64(HOST_IA32_PAT, v);
	vtxhv_vmcs_set_host_percpu();
}

/* Segment access rights <-> the uapi form (SDM 24.4.1, table 24-2). */
static u32 seg_to_ar(const struct vtxhv_segment *s)
{
	if (s->unusable)
		return VMX_AR_UNUSABLE_MASK;
	return (s->type & 15) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
	       (s->present & 1) << 7 | (s->avl & 1) << 12 | (s->l & 1) << 13 |
	       (s->db & 1) << 14 | (s->g & 1) << 15;
}

static void ar_to_seg(u32 ar, struct vtxhv_segment *s)
{
	s->type = ar & 15;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = (ar >> 7) & 1;
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
	s->unusable = (ar >> 16) & 1;
}

/* The VMCS fields of one segment register, laid out alike for each. */
struct seg_fields {
	u32 sel, base, limit, ar;
};

static const struct seg_fields segs[] = {
	{ GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES },
	{ GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES },
	{ GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES },
	{ GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES },
	{ GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES },
	{ GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES },
	{ GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT,
	  GUEST_LDTR_AR_BYTES },
	{ GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES },
};

static struct vtxhv_segment *sreg_seg(struct vtxhv_sregs *s, int i)
{
	struct vtxhv_segment *order[] = {
		&s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs, &s->ldt, &s->tr
	};

	return order[i];
}

static void write_seg(int i, const struct vtxhv_segment *s)
{
	__vmcs_writel(segs[i].sel, s->selector);
	__vmcs_writel(segs[i].base, s->base);
	__vmcs_writel(segs[i].limit, s->limit);
	__vmcs_writel(segs[i].ar, seg_to_ar(s));
}

static void read_seg(int i, struct vtxhv_segment *s)
{
	memset(s, 0, sizeof(*s));
	s->selector = __vmcs_readl(segs[i].sel);
	s->base = __vmcs_readl(segs[i].base);
	s->limit = __vmcs_readl(segs[i].limit);
	ar_to_seg(__vmcs_readl(segs[i].ar), s);
}

/* CR0 bits the guest may not own: NE is fixed to 1 in VMX operation. */
#define CR0_HOST_OWNED	X86_CR0_NE
/*
 * CR4 is an allow-list: the bits vtxhv virtualizes (SDM Vol. 3A 2.5).
 * The guest writes the others only through an exit, which refuses them
 * (VMXE, SMXE, PCIDE, PKE, LA57, CET, anything new); OSXSAVE exits too,
 * because XCR0 is switched by its value and must follow the host.
 */
#define CR4_GUEST_BITS	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
			 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
			 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
			 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_UMIP | \
			 X86_CR4_FSGSBASE | X86_CR4_OSXSAVE | X86_CR4_SMEP | \
			 X86_CR4_SMAP)
#define CR4_HOST_OWNED	(~(unsigned long)(CR4_GUEST_BITS & ~X86_CR4_OSXSAVE))
/*
 * Shadow paging owns the paging bits as well: the CPU runs with paging
 * and write protection on, PAE tables, whatever the guest chose.
 */
#define CR0_SHADOW_OWNED (CR0_HOST_OWNED | X86_CR0_PE | X86_CR0_PG | \
			  X86_CR0_WP)
#define CR4_SHADOW_OWNED (CR4_HOST_OWNED | X86_CR4_PAE | X86_CR4_PSE | \
			  X86_CR4_PGE | X86_CR4_SMEP | X86_CR4_SMAP)

#define EFER_ALLOWED	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

static bool cr0_valid(u64 cr0)
{
	if (cr0 >> 32)
		return false;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return false;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return false;
	return true;
}

static bool cr4_valid(u64 cr4)
{
	if (cr4 & ~(vmcs_config.cr4_fixed1 & CR4_GUEST_BITS))
		return false;
	/* No XSAVE for guests where the host runs without it. */
	return !(cr4 & X86_CR4_OSXSAVE) || vtxhv_host_has_xsave();
}

/* What the CPU runs with for a guest value of CR0/CR4/EFER. */
static unsigned long real_cr0(struct vtxhv_vcpu *vcpu, u64 cr0)
{
	if (vtxhv_shadowing(vcpu->vm))
		return (cr0 | vmcs_config.cr0_fixed0 | X86_CR0_PE |
			X86_CR0_PG | X86_CR0_WP) & vmcs_config.cr0_fixed1;
	/* Unrestricted guest relaxes PE and PG (SDM 26.3.1.1). */
	return (cr0 | (vmcs_config.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG))) &
	       vmcs_config.cr0_fixed1;
}

static unsigned long real_cr4(struct vtxhv_vcpu *vcpu, u64 cr4)
{
	/* Shadow tables are PAE or 4-level, and hold no global entries. */
	if (vtxhv_shadowing(vcpu->vm))
		cr4 = (cr4 | X86_CR4_PAE) & ~(X86_CR4_PGE | X86_CR4_PSE);
	return (cr4 | vmcs_config.cr4_fixed0) & vmcs_config.cr4_fixed1;
}

/* With paging off, LME must be 0 in the CPU (it runs with paging on). */
static u64 real_efer(struct vtxhv_vcpu *vcpu, u64 efer)
{
	if (vtxhv_shadowing(vcpu->vm) && !(efer & EFER_LMA))
		efer &= ~EFER_LME;
	return efer;
}

static void set_ia32e(bool lma)
{
	u32 entry = vmcs_read32(VM_ENTRY_CONTROLS);

	if (lma)
		entry |= VM_ENTRY_IA32E_MODE;
	else
		entry &= ~VM_ENTRY_IA32E_MODE;
	vmcs_write32(VM_ENTRY_CONTROLS, entry);
}

/**
 * vtxhv_set_cr0 - the guest writes CR0 (MOV to CR0)
 * @vcpu:	the vCPU, loaded
 * @val:	the value
 *
 * Return: 0, or 1 when the guest must get #GP.  In the shadow modes a
 * change of PE, PG or WP asks vtxhv_shadow_prepare() for a new root, and
 * PG with EFER.LME set enters or leaves IA-32e mode (SDM 9.8.5).
 */
int vtxhv_set_cr0(struct vtxhv_vcpu *vcpu, u64 val)
{
	struct vtxhv_shadow_state *sh = &vcpu->sh;
	u64 old = sh->cr0, changed = val ^ old;

	if (!cr0_valid(val))
		return 1;
	if (vtxhv_shadowing(vcpu->vm)) {
		if ((changed & X86_CR0_PG) && (sh->efer & EFER_LME)) {
			if ((val & X86_CR0_PG) && !(sh->cr4 & X86_CR4_PAE))
				return 1;
			if (val & X86_CR0_PG)
				sh->efer |= EFER_LMA;
			else
				sh->efer &= ~EFER_LMA;
			set_ia32e(sh->efer & EFER_LMA);
			vmcs_write64(GUEST_IA32_EFER, real_efer(vcpu, sh->efer));
		}
		if (changed & (X86_CR0_PG | X86_CR0_PE))
			sh->reload |= VTXHV_SH_RELOAD_ROOT |
				      VTXHV_SH_RELOAD_PDPTE;
		if (changed & X86_CR0_WP)
			sh->reload |= VTXHV_SH_RELOAD_ROOT |
				      VTXHV_SH_RELOAD_RESET;
	}
	sh->cr0 = val;
	vmcs_writel(CR0_READ_SHADOW, val);
	vmcs_writel(GUEST_CR0, real_cr0(vcpu, val));
	return 0;
}

/* The guest writes CR4: 0, or 1 for #GP (like vtxhv_set_cr0()). */
int vtxhv_set_cr4(struct vtxhv_vcpu *vcpu, u64 val)
{
	struct vtxhv_shadow_state *sh = &vcpu->sh;

	if (!cr4_valid(val))
		return 1;
	if ((vtxhv_get_efer(vcpu) & EFER_LMA) && !(val & X86_CR4_PAE))
		return 1;
	/*
	 * PAE and PSE change what the shadows were built from; PGE, SMEP
	 * and SMAP only how the TLB and the CPU treat them: a new root
	 * (vtlb: an empty one) is flush enough.
	 */
	if (vtxhv_shadowing(vcpu->vm) &&
	    ((val ^ sh->cr4) & (X86_CR4_PAE | X86_CR4_PSE)))
		sh->reload |= VTXHV_SH_RELOAD_ROOT | VTXHV_SH_RELOAD_PDPTE |
			      VTXHV_SH_RELOAD_RESET;
	else if (vtxhv_shadowing(vcpu->vm) &&
		 ((val ^ sh->cr4) & (CR4_SHADOW_OWNED & ~CR4_HOST_OWNED)))
		sh->reload |= VTXHV_SH_RELOAD_ROOT;
	sh->cr4 = val;
	vmcs_writel(CR4_READ_SHADOW, val);
	vmcs_writel(GUEST_CR4, real_cr4(vcpu, val));
	return 0;
}

/* The guest writes EFER (checked by the caller). */
void vtxhv_set_efer(struct vtxhv_vcpu *vcpu, u64 efer)
{
	if (vtxhv_shadowing(vcpu->vm) && ((efer ^ vcpu->sh.efer) & EFER_NX))
		vcpu->sh.reload |= VTXHV_SH_RELOAD_ROOT | VTXHV_SH_RELOAD_RESET;
	vcpu->sh.efer = efer;
	vmcs_write64(GUEST_IA32_EFER, real_efer(vcpu, efer));
}

/*
 * CR0 and CR4 as the guest reads them: the bits it owns from the CPU, the
 * bits vtxhv owns (the guest/host mask) from the read shadow.
 */
unsigned long vtxhv_guest_cr0(void)
{
	unsigned long mask = vmcs_readl(CR0_GUEST_HOST_MASK);

	return (vmcs_readl(GUEST_CR0) & ~mask) |
	       (vmcs_readl(CR0_READ_SHADOW) & mask);
}

unsigned long vtxhv_guest_cr4(void)
{
	unsigned long mask = vmcs_readl(CR4_GUEST_HOST_MASK);

	return (vmcs_readl(GUEST_CR4) & ~mask) |
	       (vmcs_readl(CR4_READ_SHADOW) & mask);
}

/* The guest's EFER, as it reads it. */
u64 vtxhv_get_efer(struct vtxhv_vcpu *vcpu)
{
	if (vtxhv_shadowing(vcpu->vm))
		return vcpu->sh.efer;
	return vmcs_read64(GUEST_IA32_EFER);
}

static int set_sregs(struct vtxhv_vcpu *vcpu, const struct vtxhv_sregs *s)
{
	struct vtxhv_sregs tmp = *s;
	bool lma = s->efer & EFER_LMA;
	int i;

	if (s->padding || s->reserved[0] || s->reserved[1] ||
	    s->reserved[2] || s->reserved[3])
		return -EINVAL;
	if (!cr0_valid(s->cr0) || !cr4_valid(s->cr4) ||
	    (s->efer & ~EFER_ALLOWED) || s->cr8 > 15)
		return -EINVAL;
	/* IA-32e mode: LMA = LME && PG, with PAE (SDM 9.8.5). */
	if (lma != ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) ||
	    (lma && !(s->cr4 & X86_CR4_PAE)))
		return -EINVAL;
	if (s->interruptibility & ~3U)
		return -EINVAL;
	if ((s->pending_event & INTR_INFO_VALID_MASK) &&
	    (s->pending_event & 0x7ffff000))
		return -EINVAL;

	for (i = 0; i < ARRAY_SIZE(segs); i++)
		write_seg(i, sreg_seg(&tmp, i));
	vmcs_writel(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, s->idt.limit);

	vcpu->sh.cr0 = s->cr0;
	vcpu->sh.cr3 = s->cr3;
	vcpu->sh.cr4 = s->cr4;
	vcpu->sh.efer = s->efer;
	vmcs_writel(CR0_READ_SHADOW, s->cr0);
	vmcs_writel(GUEST_CR0, real_cr0(vcpu, s->cr0));
	vmcs_writel(CR4_READ_SHADOW, s->cr4);
	vmcs_writel(GUEST_CR4, real_cr4(vcpu, s->cr4));
	/* Shadow modes: the root comes from vtxhv_shadow_prepare(). */
	if (vtxhv_shadowing(vcpu->vm))
		vcpu->sh.reload = VTXHV_SH_RELOAD_ROOT | VTXHV_SH_RELOAD_PDPTE |
				  VTXHV_SH_RELOAD_RESET;
	else
		vmcs_writel(GUEST_CR3, s->cr3);
	vcpu->gprs.cr2 = s->cr2;
	vcpu->cr8 = s->cr8;
	vmcs_write64(GUEST_IA32_EFER, real_efer(vcpu, s->efer));
	set_ia32e(lma);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, s->interruptibility);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, s->pending_event);
	vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, s->pending_error_code);
	return 0;
}

int vtxhv_set_sregs(struct vtxhv_vcpu *vcpu, const struct vtxhv_sregs *s)
{
	/* Without unrestricted guest (no EPT) there is no real mode. */
	if (vtxhv_shadowing(vcpu->vm) && !(s->cr0 & X86_CR0_PE))
		return -EINVAL;
	return set_sregs(vcpu, s);
}

void vtxhv_get_sregs(struct vtxhv_vcpu *vcpu, struct vtxhv_sregs *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		read_seg(i, sreg_seg(s, i));
	s->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	s->cr0 = vtxhv_guest_cr0();
	s->cr4 = vtxhv_guest_cr4();
	s->cr3 = vtxhv_shadowing(vcpu->vm) ? vcpu->sh.cr3 :
		 vmcs_readl(GUEST_CR3);
	s->cr2 = vcpu->gprs.cr2;
	s->cr8 = vcpu->cr8;
	s->efer = vtxhv_get_efer(vcpu);
	s->interruptibility = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & 3;
	s->pending_event = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD);
	s->pending_error_code = vmcs_read32(VM_ENTRY_EXCEPTION_ERROR_CODE);
}

/*
 * The x86 reset state (SDM Vol. 3A 9.1.1, table 9-1), which INIT also
 * gives (vtxhv_vcpu_init_state()), IA32_APIC_BASE aside.
 */
static void set_init_state(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_segment data = {
		.limit = 0xffff, .type = 3, .s = 1, .present = 1,
	};
	struct vtxhv_sregs s = {
		.cs = { .base = 0xffff0000, .limit = 0xffff, .selector = 0xf000,
			.type = 11, .s = 1, .present = 1 },
		.ds = data, .es = data, .fs = data, .gs = data, .ss = data,
		.tr = { .limit = 0xffff, .type = 11, .present = 1 },
		.ldt = { .limit = 0xffff, .type = 2, .present = 1 },
		.gdt = { .limit = 0xffff }, .idt = { .limit = 0xffff },
		.cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW,
	};

	WARN_ON_ONCE(set_sregs(vcpu, &s));
	vmcs_writel(GUEST_RIP, 0xfff0);
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vcpu->gprs.r[GPR_RDX] = 0x600;
	vmcs_writel(GUEST_DR7, 0x400);
	vmcs_write64(GUEST_IA32_PAT, 0x0007040600070406ULL);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vcpu->misc_enable = MSR_IA32_MISC_ENABLE_FAST_STRING;
}

/* INIT (irqchip.c): the reset state; the VMCS is current. */
void vtxhv_vcpu_init_state(struct vtxhv_vcpu *vcpu)
{
	int i;

	set_init_state(vcpu);
	/* A debugger's breakpoints stay in the CPU across the guest's INIT. */
	if (vcpu->dbg_control & VTXHV_GUESTDBG_USE_HW_BP) {
		vcpu->guest_dr7 = 0x400;
		vmcs_writel(GUEST_DR7, vcpu->dbg_dr7);
	}
	for (i = 0; i < NR_GPRS; i++)
		vcpu->gprs.r[i] = 0;
	vcpu->gprs.r[GPR_RDX] = 0x600;
	vcpu->gprs.cr2 = 0;
}

static void set_reset_state(struct vtxhv_vcpu *vcpu)
{
	set_init_state(vcpu);
	/*
	 * The local APIC is enabled at power-up (SDM 10.4.4), where there is
	 * one: without the in-kernel irqchip the guest has none.
	 */
	vcpu->apic_base = APIC_DEFAULT_PHYS_BASE |
			  (vcpu->vm->ioapic ? MSR_IA32_APICBASE_ENABLE : 0) |
			  (vcpu->id ? 0 : MSR_IA32_APICBASE_BSP);
}

/*
 * Shadow paging sees every #PF (error-code mask and match 0).  #DB and #AC
 * always exit: delivering either can otherwise loop forever inside the CPU
 * (CVE-2015-8104, CVE-2015-5307); #MC is the host's; #BP only while a
 * debugger stops on INT3.
 */
static u32 exception_bitmap(struct vtxhv_vcpu *vcpu)
{
	u32 eb = BIT(1) | BIT(17) | BIT(18);

	if (vtxhv_shadowing(vcpu->vm))
		eb |= BIT(14);
	if (vcpu->dbg_control & VTXHV_GUESTDBG_USE_SW_BP)
		eb |= BIT(3);
	return eb;
}

/* Can VTXHV_GUESTDBG_SINGLESTEP use the monitor trap flag (SDM 25.5.2)? */
bool vtxhv_has_mtf(void)
{
	return vmx_ctl_allows(vmcs_config.proc, CPU_BASED_MONITOR_TRAP_FLAG);
}

/*
 * After VTXHV_SET_GUEST_DEBUG (the VMCS is current): the #BP intercept,
 * the monitor trap flag, and whose DR7 the CPU loads at entry.
 */
void vtxhv_vmcs_update_debug(struct vtxhv_vcpu *vcpu)
{
	u32 proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);

	vmcs_write32(EXCEPTION_BITMAP, exception_bitmap(vcpu));
	if ((vcpu->dbg_control & VTXHV_GUESTDBG_SINGLESTEP) &&
	    !vcpu->dbg_step_tf)
		proc |= CPU_BASED_MONITOR_TRAP_FLAG;
	else
		proc &= ~CPU_BASED_MONITOR_TRAP_FLAG;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
}

/**
 * vtxhv_vmcs_setup - fill the current VMCS for a new vCPU
 * @vcpu: the vCPU, whose VMCS is current on this CPU
 *
 * Return: 0, or -EIO when the CPU refuses a control value vtxhv needs.
 */
int vtxhv_vmcs_setup(struct vtxhv_vcpu *vcpu)
{
	const struct vmcs_config *c = &vmcs_config;
	bool shadow = vtxhv_shadowing(vcpu->vm);
	u32 proc2_want = shadow ? 0 : SECONDARY_EXEC_ENABLE_EPT |
				      SECONDARY_EXEC_UNRESTRICTED_GUEST;
	const u32 mmu_exits = CPU_BASED_CR3_LOAD_EXITING |
			      CPU_BASED_CR3_STORE_EXITING |
			      CPU_BASED_INVLPG_EXITING;
	u32 pin, proc, proc2, exit, entry;
	bool ok = true;

	if (vcpu->vpid)
		proc2_want |= SECONDARY_EXEC_ENABLE_VPID;
	/*
	 * Virtual NMIs make the CPU track NMI blocking for the guest (until
	 * its IRET), which NMI-window exiting needs (SDM 25.3).
	 */
	vcpu->vnmi = vmx_ctl_allows(c->pin, PIN_BASED_VIRTUAL_NMIS) &&
		     vmx_ctl_allows(c->proc, CPU_BASED_NMI_WINDOW_EXITING);
	pin = vmx_adjust_ctl(c->pin, PIN_BASED_EXT_INTR_MASK |
			     PIN_BASED_NMI_EXITING |
			     (vcpu->vnmi ? PIN_BASED_VIRTUAL_NMIS : 0) |
			     (vtxhv_preemption_timer ?
			      PIN_BASED_VMX_PREEMPTION_TIMER : 0),
			     "pin-based", &ok);
	proc = vmx_adjust_ctl(c->proc, CPU_BASED_HLT_EXITING |
			      CPU_BASED_USE_IO_BITMAPS |
			      CPU_BASED_USE_MSR_BITMAPS |
			      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
			      CPU_BASED_CR8_LOAD_EXITING |
			      CPU_BASED_CR8_STORE_EXITING |
			      CPU_BASED_MOV_DR_EXITING |
			      CPU_BASED_RDPMC_EXITING |
			      CPU_BASED_MWAIT_EXITING |
			      CPU_BASED_MONITOR_EXITING |
			      CPU_BASED_USE_TSC_OFFSETTING, "processor-based",
			      &ok);
	/* WBINVD flushes every cache of the host: not the guest's to do. */
	if (cpu_has_proc2(SECONDARY_EXEC_WBINVD_EXITING))
		proc2_want |= SECONDARY_EXEC_WBINVD_EXITING;
	/*
	 * EPT needs no CR3 or INVLPG exits (the defaults may have them set);
	 * shadow paging needs them all.
	 */
	proc &= ~mmu_exits;
	proc |= (u32)c->proc & mmu_exits;
	if (shadow) {
		if (!vmx_ctl_allows(c->proc, mmu_exits))
			return -EIO;
		proc |= mmu_exits;
	}
	proc2 = vmx_adjust_ctl(c->proc2, proc2_want, "secondary", &ok);
	/*
	 * The guest's DR7 and DEBUGCTL are loaded at entry and saved at exit
	 * (the host's are put back by vcpu.c); where the CPU can, the host's
	 * performance counters stop for the guest (PERF_GLOBAL_CTRL 0).
	 */
	exit = vmx_adjust_ctl(c->exit, VM_EXIT_HOST_ADDR_SPACE_SIZE |
			      VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_EFER |
			      VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_IA32_PAT |
			      VM_EXIT_SAVE_DEBUG_CONTROLS |
			      (vtxhv_switch_perf_ctl ?
			       VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL : 0),
			      "VM-exit", &ok);
	entry = vmx_adjust_ctl(c->entry, VM_ENTRY_LOAD_IA32_EFER |
			       VM_ENTRY_LOAD_IA32_PAT |
			       VM_ENTRY_LOAD_DEBUG_CONTROLS |
			       (vtxhv_switch_perf_ctl ?
				VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL : 0),
			       "VM-entry", &ok);
	if (!ok)
		return -EIO;

	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, pin);
	/*
	 * Every entry starts the timer from this field, and exits leave it
	 * as it is (no "save VMX-preemption timer value"): written once.
	 */
	if (vtxhv_preemption_timer)
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE,
			     vtxhv_preemption_timer);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, proc2);
	vmcs_write32(VM_EXIT_CONTROLS, exit);
	vmcs_write32(VM_ENTRY_CONTROLS, entry);
	vmcs_write32(EXCEPTION_BITMAP, exception_bitmap(vcpu));
	if (vtxhv_switch_perf_ctl)
		vmcs_write64(GUEST_IA32_PERF_GLOBAL_CTRL, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write64(IO_BITMAP_A, page_to_phys(io_bitmap));
	vmcs_write64(IO_BITMAP_B, page_to_phys(io_bitmap) + PAGE_SIZE);
	vmcs_write64(MSR_BITMAP, page_to_phys(msr_bitmap));
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write64(TSC_OFFSET, vcpu->vm->tsc_offset);
	if (!shadow)
		vmcs_write64(EPT_POINTER, vcpu->vm->eptp);
	if (vcpu->vpid)
		vmcs_write16(VIRTUAL_PROCESSOR_ID, vcpu->vpid);
	vmcs_writel(CR0_GUEST_HOST_MASK,
		    shadow ? CR0_SHADOW_OWNED : CR0_HOST_OWNED);
	vmcs_writel(CR4_GUEST_HOST_MASK,
		    shadow ? CR4_SHADOW_OWNED : CR4_HOST_OWNED);

	set_host_state(vcpu);
	set_reset_state(vcpu);
	return 0;
}

/* A failed VM entry: what vtxhv set, for the kernel log (rate-limited). */
void vtxhv_vmcs_dump(struct vtxhv_vcpu *vcpu)
{
	static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 1);

	if (!__ratelimit(&rs))
		return;
	pr_err("VM %d vCPU %d: VM entry failed: reason %#x error %u qual %#lx\n",
	       vcpu->vm->id, vcpu->id, vmcs_read32(VM_EXIT_REASON),
	       vmcs_read32(VM_INSTRUCTION_ERROR),
	       vmcs_readl(EXIT_QUALIFICATION));
	pr_err("  controls pin %#x proc %#x proc2 %#x entry %#x exit %#x\n",
	       vmcs_read32(PIN_BASED_VM_EXEC_CONTROL),
	       vmcs_read32(CPU_BASED_VM_EXEC_CONTROL),
	       vmcs_read32(SECONDARY_VM_EXEC_CONTROL),
	       vmcs_read32(VM_ENTRY_CONTROLS), vmcs_read32(VM_EXIT_CONTROLS));
	pr_err("  guest RIP %#lx RSP %#lx RFLAGS %#lx CR0 %#lx CR3 %#lx CR4 %#lx EFER %#llx\n",
	       vmcs_readl(GUEST_RIP), vmcs_readl(GUEST_RSP),
	       vmcs_readl(GUEST_RFLAGS), vmcs_readl(GUEST_CR0),
	       vmcs_readl(GUEST_CR3), vmcs_readl(GUEST_CR4),
	       vmcs_read64(GUEST_IA32_EFER));
	pr_err("  CS %#x base %#lx limit %#x ar %#x  SS %#x ar %#x  TR %#x ar %#x  LDTR ar %#x\n",
	       vmcs_read16(GUEST_CS_SELECTOR), vmcs_readl(GUEST_CS_BASE),
	       vmcs_read32(GUEST_CS_LIMIT), vmcs_read32(GUEST_CS_AR_BYTES),
	       vmcs_read16(GUEST_SS_SELECTOR), vmcs_read32(GUEST_SS_AR_BYTES),
	       vmcs_read16(GUEST_TR_SELECTOR), vmcs_read32(GUEST_TR_AR_BYTES),
	       vmcs_read32(GUEST_LDTR_AR_BYTES));
	pr_err("  interruptibility %#x activity %u entry event %#x\n",
	       vmcs_read32(GUEST_INTERRUPTIBILITY_INFO),
	       vmcs_read32(GUEST_ACTIVITY_STATE),
	       vmcs_read32(VM_ENTRY_INTR_INFO_FIELD));
}
