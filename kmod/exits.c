// SPDX-License-Identifier: GPL-2.0
/*
 * VM exit handling: one handler per basic exit reason, in a table.
 *
 * The return contract of every handler: EXIT_TO_GUEST (1) resume the
 * guest; EXIT_TO_USER (0) the run structure is filled, return to
 * userspace; EXIT_SLEEPABLE (2) call again through
 * vtxhv_handle_exit_sleepable() once preemption is enabled; a negative
 * errno fails VTXHV_RUN.  Handlers run with the vCPU's VMCS current.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ratelimit.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "vtxhv.h"
#include "vmx_ops.h"
#include "trace.h"

#ifndef NMI_VECTOR
#define NMI_VECTOR	2
#endif

/* DR6 bits a #DB exit qualification reports (SDM 28.2.1, table 28-1). */
#define DR6_B0_3	0xfULL
#define DR6_BD		BIT_ULL(13)
#define DR6_BS		BIT_ULL(14)
#define DR6_FIXED_1	0xffff0ff0ULL
#define DR7_GD		BIT(13)
/* In vcpu->db_hits: check the data access vtxhv_data_access() noted. */
#define DB_CHECK_DATA	BIT_ULL(63)

/* CPUID bits that follow the guest's state (handle_cpuid()). */
#define CPUID1_ECX_XSAVE	BIT(26)
#define CPUID1_ECX_OSXSAVE	BIT(27)
#define CPUID1_EDX_APIC		BIT(9)
#define CPUID7_ECX_PKU		BIT(3)
#define CPUID7_ECX_OSPKE	BIT(4)

/* Set or clear interrupt- and NMI-window exiting (SDM 25.2). */
static void set_windows(struct vtxhv_vcpu *vcpu, u32 windows)
{
	const u32 mask = CPU_BASED_INTR_WINDOW_EXITING |
			 CPU_BASED_NMI_WINDOW_EXITING;

	if (windows == vcpu->windows)
		return;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
		     (vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~mask) | windows);
	vcpu->windows = windows;
}

static void inject_event(struct vtxhv_vcpu *vcpu, u32 info)
{
	vcpu->injected++;
	trace_vtxhv_inject(vcpu->vm->id, vcpu->id, info, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info | INTR_INFO_VALID_MASK);
}

/*
 * Userspace asks for an interrupt window (its PIC has an interrupt).  With
 * the in-kernel irqchip, only while the PIC's wire reaches the CPU: a
 * window for an interrupt VTXHV_INTERRUPT would refuse would open at every
 * entry.
 */
static bool user_window(struct vtxhv_vcpu *vcpu)
{
	return READ_ONCE(vcpu->run->request_interrupt_window) &&
	       (!vcpu->apic || vtxhv_lapic_takes_extint(vcpu));
}

/**
 * vtxhv_inject_pending - deliver what userspace queued, or wait for it
 * @vcpu: the vCPU, whose VMCS is current; interrupts are disabled
 *
 * Called before an entry only while vcpu->want_inject is set, so that
 * the common entry pays one test for all this.
 * An NMI goes in unless NMIs, MOV SS or STI block it; an external
 * interrupt when RFLAGS.IF is set and nothing blocks it (SDM 24.4.2).
 * Otherwise, and when userspace asked for a window, the matching
 * window exiting makes the CPU exit as soon as the guest can take it.
 * An event already in the VM-entry field (an exception, or one whose
 * delivery an exit interrupted) goes first.
 */
void vtxhv_inject_pending(struct vtxhv_vcpu *vcpu)
{
	u32 windows = 0, intr;
	int apic_vec = -1;
	bool irq_ok;

	if (vcpu->apic) {
		if (vtxhv_lapic_take_nmi(vcpu))
			vcpu->pending_nmi = true;
		apic_vec = vtxhv_lapic_pending_vector(vcpu);
	}
	if (vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK) {
		if (vcpu->pending_irq >= 0 || apic_vec >= 0 ||
		    user_window(vcpu))
			windows |= CPU_BASED_INTR_WINDOW_EXITING;
		if (vcpu->pending_nmi && vcpu->vnmi)
			windows |= CPU_BASED_NMI_WINDOW_EXITING;
		goto out;
	}
	intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	if (vcpu->pending_nmi) {
		if (!(intr & (GUEST_INTR_STATE_NMI | GUEST_INTR_STATE_STI |
			      GUEST_INTR_STATE_MOV_SS))) {
			inject_event(vcpu, NMI_VECTOR | INTR_TYPE_NMI_INTR);
			vcpu->pending_nmi = false;
			if (vcpu->pending_irq >= 0 || apic_vec >= 0)
				windows |= CPU_BASED_INTR_WINDOW_EXITING;
			goto out;
		}
		if (vcpu->vnmi)
			windows |= CPU_BASED_NMI_WINDOW_EXITING;
	}
	irq_ok = (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
		 !(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	/* A PIC's ExtINT (VTXHV_INTERRUPT) first, then the local APIC. */
	if (vcpu->pending_irq >= 0 && irq_ok) {
		inject_event(vcpu, vcpu->pending_irq | INTR_TYPE_EXT_INTR);
		vcpu->pending_irq = -1;
		if (apic_vec >= 0)
			windows |= CPU_BASED_INTR_WINDOW_EXITING;
	} else if (apic_vec >= 0 && irq_ok) {
		vtxhv_lapic_ack(vcpu, apic_vec);
		inject_event(vcpu, apic_vec | INTR_TYPE_EXT_INTR);
		apic_vec = -1;
	} else if (vcpu->pending_irq >= 0 || apic_vec >= 0 ||
		   user_window(vcpu)) {
		/* With IF already set this exits right after entry. */
		windows |= CPU_BASED_INTR_WINDOW_EXITING;
	}
out:
	set_windows(vcpu, windows);
	vcpu->want_inject = vcpu->pending_irq >= 0 || vcpu->pending_nmi ||
			    vcpu->windows || apic_vec >= 0 ||
			    user_window(vcpu);
}

/* Before every return to userspace: can the guest take an interrupt? */
void vtxhv_report_interruptibility(struct vtxhv_vcpu *vcpu)
{
	bool if_flag = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF;
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	vcpu->run->if_flag = if_flag;
	vcpu->run->ready_for_interrupt_injection =
		if_flag && vcpu->pending_irq < 0 &&
		(!vcpu->apic || vtxhv_lapic_takes_extint(vcpu)) &&
		!(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) &&
		!(vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK);
}

static int handle_interrupt_window(struct vtxhv_vcpu *vcpu, u32 reason)
{
	set_windows(vcpu, vcpu->windows & ~CPU_BASED_INTR_WINDOW_EXITING);
	if (vcpu->pending_irq < 0 &&
	    user_window(vcpu)) {
		vcpu->run->exit_reason = VTXHV_EXIT_IRQ_WINDOW_OPEN;
		return EXIT_TO_USER;
	}
	return EXIT_TO_GUEST;	/* the next entry injects */
}

static int handle_nmi_window(struct vtxhv_vcpu *vcpu, u32 reason)
{
	set_windows(vcpu, vcpu->windows & ~CPU_BASED_NMI_WINDOW_EXITING);
	return EXIT_TO_GUEST;
}

/*
 * A fault pushes RFLAGS with RF set, so that the handler's IRET back to
 * the instruction does not stop again at an instruction breakpoint on it
 * (SDM Vol. 3, 17.3.1.1).  The CPU does so for the faults it delivers,
 * and saves RF so when an exit interrupts a delivery, but an exception
 * injected at VM entry pushes RFLAGS as the VMCS has it.  #DB, #BP and
 * #OF count as traps here (an instruction breakpoint's #DB leaves RF as
 * it was); #DF and #MC are aborts.
 */
static void set_rf_for_fault(u32 vector)
{
	if (vector >= 32 || vector == DB_VECTOR || vector == BP_VECTOR ||
	    vector == OF_VECTOR || vector == DF_VECTOR || vector == MC_VECTOR)
		return;
	vmcs_writel(GUEST_RFLAGS, vmcs_readl(GUEST_RFLAGS) | X86_EFLAGS_RF);
}

void vtxhv_inject_exception(struct vtxhv_vcpu *vcpu, int vector,
			    bool has_error, u32 error)
{
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	set_rf_for_fault(vector);
	vcpu->injected++;
	trace_vtxhv_inject(vcpu->vm->id, vcpu->id, info, error);
	if (has_error) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

static void inject_gp(struct vtxhv_vcpu *vcpu)
{
	vtxhv_inject_exception(vcpu, GP_VECTOR, true, 0);
}

void vtxhv_inject_pf(struct vtxhv_vcpu *vcpu, u64 addr, u32 error)
{
	vcpu->gprs.cr2 = addr;
	vtxhv_inject_exception(vcpu, PF_VECTOR, true, error);
}

/*
 * The #DB an instruction vtxhv emulated owes the guest once it is done
 * (SDM Vol. 3, 17.3.1.2 and 17.3.1.4): the single-step trap of RFLAGS.TF,
 * which the CPU never raises for an instruction it did not complete, the
 * I/O breakpoints it matched (vcpu->db_hits), and what a MOV SS or POP SS
 * just before it held back (the pending debug exceptions the exit saved
 * under MOV SS blocking, SDM 27.3.4; outside it the field is not trusted:
 * Bochs 2.7 leaves there the single step it had armed for the instruction
 * that exited, which an entry that injects drops).  The trap is injected
 * as a hardware exception, with the
 * DR6 the guest reads next (B0-B3 replaced, BS kept, SDM 17.2.3): an event
 * vtxhv would inject at the same entry waits for it (traps on the previous
 * instruction come before interrupts and NMIs, SDM 6.9).  With STI or MOV
 * SS blocking in @intr, the caller ends it.
 */
static u64 data_bp_hits(struct vtxhv_vcpu *vcpu);

/* Out of line: the exits that owe no trap do not pay for its frame. */
static noinline void debug_traps(struct vtxhv_vcpu *vcpu, u32 intr,
				 unsigned long rflags)
{
	u64 bits = vcpu->db_hits;

	vcpu->db_hits = 0;
	if (bits & DB_CHECK_DATA)
		bits = (bits & ~DB_CHECK_DATA) | data_bp_hits(vcpu);
	if (intr & GUEST_INTR_STATE_MOV_SS) {
		u64 held = vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS);

		bits |= held & (DR6_B0_3 | DR6_BS);
		if (held)
			vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	}
	if (rflags & X86_EFLAGS_TF)
		bits |= DR6_BS;
	if (!bits ||
	    (vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK))
		return;
	vcpu->dr6 = (vcpu->dr6 & ~DR6_B0_3) | bits | DR6_FIXED_1;
	inject_event(vcpu, DB_VECTOR | INTR_TYPE_HARD_EXCEPTION);
}

/*
 * Advance RIP past the instruction that exited; STI/MOV SS blocking ends,
 * and RF, which the CPU clears when an instruction completes; the #DB
 * traps the instruction raised follow (debug_traps).  A debugger
 * single-stepping the guest sees the instruction vtxhv completed as one
 * step: the monitor trap flag never fires for it, so the run loop reports
 * the stop before the next entry (vtxhv_debug_step_stop).
 */
void vtxhv_skip_insn_len(struct vtxhv_vcpu *vcpu, unsigned int len)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	unsigned long rflags = vmcs_readl(GUEST_RFLAGS);

	vmcs_writel(GUEST_RIP, vmcs_readl(GUEST_RIP) + len);
	if (rflags & X86_EFLAGS_RF)
		vmcs_writel(GUEST_RFLAGS, rflags & ~X86_EFLAGS_RF);
	if (unlikely((rflags & X86_EFLAGS_TF) || vcpu->db_hits ||
		     (intr & GUEST_INTR_STATE_MOV_SS)))
		debug_traps(vcpu, intr, rflags);
	if (intr & 3)
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, intr & ~3U);
	if (vcpu->dbg_control & VTXHV_GUESTDBG_SINGLESTEP)
		vcpu->dbg_step_done = true;
}

/*
 * One iteration of a REP INS/OUTS done, with more to go: RIP stays on the
 * instruction.  A single-step or I/O breakpoint trap comes after each
 * iteration, with RF set in the RFLAGS it pushes so that the instruction
 * resumes without an instruction breakpoint on it firing again (SDM Vol.
 * 3, 17.3.1.1).
 */
void vtxhv_rep_iteration_done(struct vtxhv_vcpu *vcpu)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	unsigned long rflags = vmcs_readl(GUEST_RFLAGS);

	if (!(rflags & X86_EFLAGS_TF) && !vcpu->db_hits &&
	    !(intr & GUEST_INTR_STATE_MOV_SS))
		return;
	vmcs_writel(GUEST_RFLAGS, rflags | X86_EFLAGS_RF);
	debug_traps(vcpu, intr, rflags);
	if (intr & 3)
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, intr & ~3U);
}

/*
 * The guest's own breakpoints of R/W type @rw (or @rw2) that [@addr, @addr
 * + @size) overlaps, enabled in @dr7, LEN-aligned (SDM Vol. 3, 17.2.5):
 * their B0-B3 bits.
 */
static noinline u64 bp_hits(struct vtxhv_vcpu *vcpu, unsigned long dr7,
			    unsigned int rw, unsigned int rw2, u64 addr,
			    unsigned int size)
{
	static const u8 len[4] = { 1, 2, 8, 4 };
	u64 hits = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned int ctl = dr7 >> (16 + 4 * i), n = len[(ctl >> 2) & 3];
		u64 start = vcpu->dr[i] & ~(u64)(n - 1);

		if (((dr7 >> (2 * i)) & 3) &&
		    ((ctl & 3) == rw || (ctl & 3) == rw2) &&
		    addr <= start + n - 1 && addr + size - 1 >= start)
			hits |= BIT(i);
	}
	return hits;
}

/*
 * I/O breakpoints (SDM Vol. 3, 17.2.4): with CR4.DE, R/W 10b.  vtxhv
 * emulates every IN and OUT, so the CPU never checks them.
 */
static noinline u64 io_bp_hits(struct vtxhv_vcpu *vcpu, unsigned long dr7,
				u16 port, unsigned int size)
{
	if (!(vtxhv_guest_cr4() & X86_CR4_DE))
		return 0;
	return bp_hits(vcpu, dr7, 2, 2, port, size);
}

u64 vtxhv_io_bp_hits(struct vtxhv_vcpu *vcpu, u16 port, unsigned int size)
{
	unsigned long dr7 = vtxhv_guest_dr7(vcpu);

	if (likely(!(dr7 & 0xff)))
		return 0;
	return io_bp_hits(vcpu, dr7, port, size);
}

/*
 * A data access vtxhv makes for the guest (an MMIO instruction it
 * emulates), which the CPU's breakpoints never see: the guest's own data
 * breakpoints (R/W 01b for a write, 11b for either) trap once the
 * instruction is done.  Noted here, checked by debug_traps().  Where the
 * VMCS is loaded (the MMIO exits finished in the exit handler) a DR7
 * that enables no breakpoint settles it at once.
 */
void vtxhv_data_access(struct vtxhv_vcpu *vcpu, u64 gla, unsigned int size,
		       bool write)
{
	if (vcpu->load_depth && !(vtxhv_guest_dr7(vcpu) & 0xff))
		return;
	vcpu->db_gla = gla;
	vcpu->db_size = size;
	vcpu->db_write = write;
	vcpu->db_hits |= DB_CHECK_DATA;
}

static u64 data_bp_hits(struct vtxhv_vcpu *vcpu)
{
	unsigned long dr7 = vtxhv_guest_dr7(vcpu);

	if (!(dr7 & 0xff))
		return 0;
	return bp_hits(vcpu, dr7, 3, vcpu->db_write ? 1 : 3, vcpu->db_gla,
		       vcpu->db_size);
}

/*
 * The two above from a handler that runs outside a stay in VMX operation
 * (where it may sleep): load the VMCS, do it, put it back.  Return 0 or
 * the error of vtxhv_vcpu_load().
 */
int vtxhv_skip_insn_unloaded(struct vtxhv_vcpu *vcpu, unsigned int len)
{
	int ret = vtxhv_vcpu_load(vcpu);

	if (ret)
		return ret;
	vtxhv_skip_insn_len(vcpu, len);
	vtxhv_vcpu_put(vcpu);
	return 0;
}

int vtxhv_inject_pf_unloaded(struct vtxhv_vcpu *vcpu, u64 addr, u32 error)
{
	int ret = vtxhv_vcpu_load(vcpu);

	if (ret)
		return ret;
	vtxhv_inject_pf(vcpu, addr, error);
	vtxhv_vcpu_put(vcpu);
	return 0;
}

void vtxhv_skip_insn(struct vtxhv_vcpu *vcpu)
{
	vtxhv_skip_insn_len(vcpu, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

/* 16, 32 or 64: the code size at the exit, from the snapshot. */
int vtxhv_cpu_mode(const struct vtxhv_exit_ctx *c)
{
	if ((c->efer & EFER_LMA) && (c->cs_ar & VMX_AR_L_MASK))
		return 64;
	if (!(c->cr0 & X86_CR0_PE))
		return 16;
	return c->cs_ar & VMX_AR_DB_MASK ? 32 : 16;
}

void vtxhv_fill_ctx(struct vtxhv_vcpu *vcpu, u32 reason)
{
	static const u32 bases[] = {
		GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE, GUEST_DS_BASE,
		GUEST_FS_BASE, GUEST_GS_BASE,
	};
	struct vtxhv_exit_ctx *c = &vcpu->ctx;
	int i;

	c->reason = reason;
	c->qual = vmcs_readl(EXIT_QUALIFICATION);
	/* Each field is valid for some exits only (SDM 28.2.1-28.2.5). */
	c->gla_acc = 0;
	if (reason == EXIT_REASON_EPT_VIOLATION ||
	    reason == EXIT_REASON_EPT_MISCONFIG) {
		c->gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
		/* bits 7 and 8: a linear address, translated (SDM 28.2.1) */
		if (reason == EXIT_REASON_EPT_VIOLATION &&
		    (c->qual & BIT(7)) && (c->qual & BIT(8))) {
			c->gla = vmcs_readl(GUEST_LINEAR_ADDRESS);
			c->gla_acc = PFERR_P | ((c->qual & EPT_VIOLATION_ACC_WRITE) ?
						PFERR_W : 0);
		}
	} else {
		c->gpa = 0;
		c->insn_info = vmcs_read32(VMX_INSTRUCTION_INFO);
		c->insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	}
	c->cs_ar = vmcs_read32(GUEST_CS_AR_BYTES);
	c->ss_ar = vmcs_read32(GUEST_SS_AR_BYTES);
	if (vtxhv_shadowing(vcpu->vm)) {
		/* The guest's view, not the shadow paging the CPU runs. */
		c->cr0 = vcpu->sh.cr0;
		c->cr3 = vcpu->sh.cr3;
		c->cr4 = vcpu->sh.cr4;
		c->efer = vcpu->sh.efer;
	} else {
		c->cr0 = vmcs_readl(GUEST_CR0);
		c->cr3 = vmcs_readl(GUEST_CR3);
		c->cr4 = vmcs_readl(GUEST_CR4);
		c->efer = vmcs_read64(GUEST_IA32_EFER);
	}
	c->rip = vmcs_readl(GUEST_RIP);
	/* The instruction emulator and string I/O need every segment. */
	c->rsp = vmcs_readl(GUEST_RSP);
	c->rflags = vmcs_readl(GUEST_RFLAGS);
	for (i = 0; i < ARRAY_SIZE(bases); i++)
		c->seg_base[i] = __vmcs_readl(bases[i]);
}

/* An exit userspace must hear about; the VMCS need not be current. */
int vtxhv_internal_error_ctx(struct vtxhv_vcpu *vcpu, u32 suberror)
{
	struct vtxhv_run *run = vcpu->run;

	run->exit_reason = VTXHV_EXIT_INTERNAL_ERROR;
	memset(&run->internal, 0, sizeof(run->internal));
	run->internal.suberror = suberror;
	run->internal.exit_reason = vcpu->ctx.reason;
	run->internal.qualification = vcpu->ctx.qual;
	run->internal.gpa = vcpu->ctx.gpa;
	run->internal.rip = vcpu->ctx.rip;
	return EXIT_TO_USER;
}

static int internal_error(struct vtxhv_vcpu *vcpu, u32 suberror, u32 reason)
{
	vtxhv_fill_ctx(vcpu, reason);
	return vtxhv_internal_error_ctx(vcpu, suberror);
}

static int handle_unknown(struct vtxhv_vcpu *vcpu, u32 reason)
{
	pr_info_ratelimited("VM %d vCPU %d: unhandled exit reason %u at %#lx\n",
			    vcpu->vm->id, vcpu->id, reason,
			    vmcs_readl(GUEST_RIP));
	return internal_error(vcpu, VTXHV_INTERNAL_UNHANDLED_EXIT, reason);
}

/* Do the debugger's DR0-3 and DR7 replace the guest's in the CPU? */
static bool dbg_owns_drs(const struct vtxhv_vcpu *vcpu)
{
	return vcpu->dbg_control & VTXHV_GUESTDBG_USE_HW_BP;
}

/* The guest's own DR7, which MOV DR reads and writes. */
unsigned long vtxhv_guest_dr7(struct vtxhv_vcpu *vcpu)
{
	return dbg_owns_drs(vcpu) ? vcpu->guest_dr7 : vmcs_readl(GUEST_DR7);
}

void vtxhv_set_guest_dr7(struct vtxhv_vcpu *vcpu, unsigned long dr7)
{
	if (dbg_owns_drs(vcpu))
		vcpu->guest_dr7 = dr7;
	else
		vmcs_writel(GUEST_DR7, dr7);
}

/*
 * A debugger's stop (VTXHV_SET_GUEST_DEBUG): VTXHV_EXIT_DEBUG with the
 * RIP the guest resumes at and the DR7 it ran with.
 */
static int debug_stop(struct vtxhv_vcpu *vcpu, u32 exception, u64 dr6)
{
	struct vtxhv_run *run = vcpu->run;

	run->exit_reason = VTXHV_EXIT_DEBUG;
	memset(&run->debug, 0, sizeof(run->debug));
	run->debug.exception = exception;
	run->debug.pc = vmcs_readl(GUEST_RIP);
	run->debug.dr6 = dr6;
	run->debug.dr7 = vmcs_readl(GUEST_DR7);
	return EXIT_TO_USER;
}

/*
 * Single-stepping: an instruction vtxhv emulated (vtxhv_skip_insn_len)
 * counts as one step, reported before the next entry instead of letting
 * the monitor trap flag stop after one more instruction.
 */
int vtxhv_debug_step_stop(struct vtxhv_vcpu *vcpu)
{
	vcpu->dbg_step_done = false;
	return debug_stop(vcpu, DB_VECTOR, DR6_FIXED_1 | DR6_BS);
}

/* Monitor trap flag (SDM 26.5.2): one instruction or event delivery. */
static int handle_mtf(struct vtxhv_vcpu *vcpu, u32 reason)
{
	if (!(vcpu->dbg_control & VTXHV_GUESTDBG_SINGLESTEP))
		return EXIT_TO_GUEST;
	vcpu->dbg_step_done = false;
	return debug_stop(vcpu, DB_VECTOR, DR6_FIXED_1 | DR6_BS);
}

/*
 * A #DB the guest caused: it is the guest's, so deliver it, with the DR6
 * it would have seen.  #DB is intercepted so that a guest cannot hold the
 * CPU in an endless #DB delivery loop (CVE-2015-8104); ICEBP (INT1) goes
 * back as the privileged software exception it was, with its length.
 */
static int reflect_db(struct vtxhv_vcpu *vcpu, u32 info, unsigned long q)
{
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;
	unsigned long dr7 = vmcs_readl(GUEST_DR7);
	u32 inj = DB_VECTOR;
	int i;

	vcpu->dr6 = (vcpu->dr6 & ~DR6_B0_3) | (q & (DR6_B0_3 | DR6_BD | DR6_BS)) |
		    DR6_FIXED_1;
	if (type == INTR_TYPE_PRIV_SW_EXCEPTION) {
		inj |= INTR_TYPE_PRIV_SW_EXCEPTION;
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN,
			     vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	} else {
		inj |= INTR_TYPE_HARD_EXCEPTION;
	}
	/* An instruction breakpoint is a fault: RF lets the IRET go on. */
	for (i = 0; i < 4; i++)
		if ((q & BIT(i)) && !((dr7 >> (16 + 4 * i)) & 3))
			vmcs_writel(GUEST_RFLAGS,
				    vmcs_readl(GUEST_RFLAGS) | X86_EFLAGS_RF);
	/* The CPU clears DR7.GD when it delivers #DB (SDM 17.2.4). */
	if (q & DR6_BD)
		vmcs_writel(GUEST_DR7, dr7 & ~BIT(13));
	/*
	 * A #DB exit saves no pending debug exceptions, but an entry with TF
	 * under STI or MOV SS blocking wants BS there (SDM 26.3.1.5); the
	 * injected #DB makes the CPU drop it again (SDM 27.7.3).
	 */
	if ((vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_TF) &&
	    (vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & 3))
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, DR6_BS);
	inject_event(vcpu, inj);
	return EXIT_TO_GUEST;
}

/*
 * A #DB while a debugger owns the breakpoint registers: its breakpoints
 * (the B0-B3 bits its DR7 enables) stop; any other #DB (the guest's TF,
 * ICEBP) is the guest's, without B0-B3, which name the debugger's
 * registers, not the guest's.  Single-stepping by RFLAGS.TF (no monitor
 * trap flag), every single-step trap is the debugger's.  A stop on an instruction breakpoint sets
 * RFLAGS.RF, so that the guest resumed at the same RIP executes the
 * instruction instead of faulting again (SDM 17.3.1.1).
 */
static int handle_db(struct vtxhv_vcpu *vcpu, u32 info)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	unsigned long dr7 = vcpu->dbg_dr7;
	bool step = vcpu->dbg_step_tf && (q & DR6_BS);
	u64 hits = 0;
	int i;

	if (dbg_owns_drs(vcpu)) {
		for (i = 0; i < 4; i++)
			if ((q & BIT(i)) && ((dr7 >> (2 * i)) & 3))
				hits |= BIT(i);
		q &= ~DR6_B0_3;
	}
	if (!hits && !step)
		return reflect_db(vcpu, info, q);
	for (i = 0; i < 4; i++)
		if ((hits & BIT(i)) && !((dr7 >> (16 + 4 * i)) & 3))
			vmcs_writel(GUEST_RFLAGS,
				    vmcs_readl(GUEST_RFLAGS) | X86_EFLAGS_RF);
	return debug_stop(vcpu, DB_VECTOR,
			  DR6_FIXED_1 | hits | (q & DR6_BS));
}

/*
 * An exit for an instruction that will run again (an EPT violation, a
 * shadow #PF) saves its pending debug exceptions as clear outside MOV SS
 * blocking (SDM Vol. 3, 27.3.4).  Bochs 2.7 saves there the single step
 * it had armed for that instruction, which the next entry would deliver
 * before the instruction runs: one #DB too many for a guest with TF.
 */
static void drop_stale_pending_dbg(void)
{
	if (unlikely(vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS)) &&
	    !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
	      GUEST_INTR_STATE_MOV_SS))
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

static int handle_exception_nmi(struct vtxhv_vcpu *vcpu, u32 reason)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);
	u32 vector = info & INTR_INFO_VECTOR_MASK;

	/* NMIs and machine checks went to the host already (vcpu.c). */
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR ||
	    vector == MC_VECTOR)
		return EXIT_TO_GUEST;
	/*
	 * #AC is intercepted so that a guest with CR0.AM cannot hold the
	 * CPU in an endless #AC delivery loop (CVE-2015-5307); it is the
	 * guest's own, and goes back with its error code (always 0).
	 */
	if (vector == AC_VECTOR) {
		vtxhv_inject_exception(vcpu, AC_VECTOR, true, 0);
		return EXIT_TO_GUEST;
	}
	if (vector == DB_VECTOR)
		return handle_db(vcpu, info);
	if (vector == BP_VECTOR &&
	    (vcpu->dbg_control & VTXHV_GUESTDBG_USE_SW_BP))
		return debug_stop(vcpu, BP_VECTOR, 0);
	/*
	 * Shadow paging: the walk of the guest's tables may sleep.  A #PF
	 * exit saves RF as the #PF would have pushed it, 1 (SDM Vol. 3,
	 * 28.3.3), which Bochs does not: the instruction it restarts (the
	 * fault fixed) has had its breakpoint check, and one it completes
	 * (emulated) clears RF again in vtxhv_skip_insn_len().
	 */
	if ((info & INTR_INFO_VECTOR_MASK) == PF_VECTOR &&
	    vtxhv_shadowing(vcpu->vm)) {
		drop_stale_pending_dbg();
		vmcs_writel(GUEST_RFLAGS,
			    vmcs_readl(GUEST_RFLAGS) | X86_EFLAGS_RF);
		vtxhv_fill_ctx(vcpu, reason);
		vcpu->ctx.intr_error = vmcs_read32(VM_EXIT_INTR_ERROR_CODE);
		return EXIT_SLEEPABLE;
	}
	return handle_unknown(vcpu, reason);
}

static int handle_external_interrupt(struct vtxhv_vcpu *vcpu, u32 reason)
{
	/* The host took the interrupt when interrupts were enabled again. */
	return EXIT_TO_GUEST;
}

static int handle_triple_fault(struct vtxhv_vcpu *vcpu, u32 reason)
{
	vcpu->run->exit_reason = VTXHV_EXIT_SHUTDOWN;
	vcpu->run->stop.rip = vmcs_readl(GUEST_RIP);
	return EXIT_TO_USER;
}

static const struct vtxhv_cpuid_entry *find_cpuid(struct vtxhv_vcpu *vcpu,
						  u32 fn, u32 index)
{
	u32 i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct vtxhv_cpuid_entry *e = &vcpu->cpuid[i];

		if (e->function == fn &&
		    (!(e->flags & VTXHV_CPUID_SIGNIFICANT_INDEX) ||
		     e->index == index))
			return e;
	}
	return NULL;
}

/* The XSAVE area the guest's XCR0 needs: CPUID.(EAX=0xD,ECX=0):EBX. */
static u32 xsave_size(struct vtxhv_vcpu *vcpu)
{
	u32 size = 512 + 64, i;	/* legacy area, XSAVE header */

	for (i = 2; i < 64; i++) {
		const struct vtxhv_cpuid_entry *c;

		if (!(vcpu->xcr0 & BIT_ULL(i)))
			continue;
		c = find_cpuid(vcpu, 0xd, i);
		if (c)
			size = max(size, c->ebx + c->eax);
	}
	return size;
}

/*
 * CPUID from the table userspace gave (VTXHV_SET_CPUID), but the bits
 * that mirror the guest's own state follow it, as on hardware:
 * CPUID.1:ECX.OSXSAVE is CR4.OSXSAVE, CPUID.7:ECX.OSPKE is CR4.PKE, each
 * where the table has the feature; CPUID.1:EDX.APIC goes with
 * IA32_APIC_BASE's enable bit; leaf 0xD's EBX is the size XCR0 needs.
 */
static int handle_cpuid(struct vtxhv_vcpu *vcpu, u32 reason)
{
	u64 *r = vcpu->gprs.r;
	u32 fn = r[GPR_RAX], index = r[GPR_RCX];
	const struct vtxhv_cpuid_entry *e = find_cpuid(vcpu, fn, index);
	u32 eax = e ? e->eax : 0, ebx = e ? e->ebx : 0;
	u32 ecx = e ? e->ecx : 0, edx = e ? e->edx : 0;

	if (e && fn == 1) {
		ecx &= ~CPUID1_ECX_OSXSAVE;
		if ((ecx & CPUID1_ECX_XSAVE) &&
		    (vtxhv_guest_cr4() & X86_CR4_OSXSAVE))
			ecx |= CPUID1_ECX_OSXSAVE;
		if (!(vcpu->apic_base & MSR_IA32_APICBASE_ENABLE))
			edx &= ~CPUID1_EDX_APIC;
	} else if (e && fn == 7 && index == 0) {
		ecx &= ~CPUID7_ECX_OSPKE;
		if ((ecx & CPUID7_ECX_PKU) && (vtxhv_guest_cr4() & X86_CR4_PKE))
			ecx |= CPUID7_ECX_OSPKE;
	} else if (e && fn == 0xd && index == 0) {
		ebx = xsave_size(vcpu);
	}
	r[GPR_RAX] = eax;
	r[GPR_RBX] = ebx;
	r[GPR_RCX] = ecx;
	r[GPR_RDX] = edx;
	vtxhv_skip_insn(vcpu);
	return EXIT_TO_GUEST;
}

/*
 * HLT: with the in-kernel irqchip the vCPU sleeps in the kernel until an
 * event can wake it (irqchip.c).  With interrupts disabled only an NMI or
 * INIT can: userspace hears of it once (it may want to end the run), and
 * the next VTXHV_RUN sleeps.  Without the irqchip userspace decides.
 */
static int handle_hlt(struct vtxhv_vcpu *vcpu, u32 reason)
{
	vtxhv_skip_insn(vcpu);
	if (vcpu->apic) {
		vcpu->halt_if = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF;
		if (vtxhv_vcpu_has_event(vcpu))
			return EXIT_TO_GUEST;
		vcpu->mp_state = VTXHV_MP_STATE_HALTED;
		if (vcpu->halt_if) {
			vcpu->ctx.reason = EXIT_REASON_HLT;
			return EXIT_SLEEPABLE;
		}
	}
	vcpu->run->exit_reason = VTXHV_EXIT_HLT;
	vcpu->run->stop.rip = vmcs_readl(GUEST_RIP);
	return EXIT_TO_USER;
}

static int handle_nop(struct vtxhv_vcpu *vcpu, u32 reason)
{
	/* INVD, WBINVD: guest memory is write-back RAM, nothing to do. */
	vtxhv_skip_insn(vcpu);
	return EXIT_TO_GUEST;
}

static int handle_ud(struct vtxhv_vcpu *vcpu, u32 reason)
{
	/* VMX instructions, RDPMC's #GP aside: the guest has no VMX. */
	vtxhv_inject_exception(vcpu, UD_VECTOR, false, 0);
	return EXIT_TO_GUEST;
}

static int handle_rdpmc(struct vtxhv_vcpu *vcpu, u32 reason)
{
	inject_gp(vcpu);
	return EXIT_TO_GUEST;
}

/* MOV to/from CR (exit qualification: SDM Vol. 3C table 28-3). */
static int handle_cr(struct vtxhv_vcpu *vcpu, u32 reason)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	u64 *r = vcpu->gprs.r;
	u64 val = reg == GPR_RSP ? vmcs_readl(GUEST_RSP) : r[reg];

	vtxhv_fill_ctx(vcpu, reason);
	if (vtxhv_cpu_mode(&vcpu->ctx) != 64)
		val = (u32)val;
	if (type == 0 && cr == 0) {
		/*
		 * Paging goes off only from compatibility mode (SDM Vol. 3A
		 * 10.8.5.4): in 64-bit code, clearing CR0.PG is #GP.
		 */
		if (!(val & X86_CR0_PG) && vtxhv_cpu_mode(&vcpu->ctx) == 64) {
			inject_gp(vcpu);
			return EXIT_TO_GUEST;
		}
		if (vtxhv_set_cr0(vcpu, val)) {
			inject_gp(vcpu);
			return EXIT_TO_GUEST;
		}
	} else if (type == 0 && cr == 4) {
		if (vtxhv_set_cr4(vcpu, val)) {
			inject_gp(vcpu);
			return EXIT_TO_GUEST;
		}
	} else if (type == 0 && cr == 3 && vtxhv_shadowing(vcpu->vm)) {
		/* Reading the PAE PDPTEs may sleep. */
		return EXIT_SLEEPABLE;
	} else if (type == 1 && cr == 3 && vtxhv_shadowing(vcpu->vm)) {
		if (reg == GPR_RSP)
			vmcs_writel(GUEST_RSP, vcpu->sh.cr3);
		else
			r[reg] = vcpu->sh.cr3;
	} else if (type == 0 && cr == 8) {
		if (val > 15) {
			inject_gp(vcpu);
			return EXIT_TO_GUEST;
		}
		vcpu->cr8 = val;
		/* CR8 is the local APIC's TPR[7:4] (SDM 10.8.6.1). */
		if (vcpu->apic)
			vtxhv_lapic_set_cr8(vcpu, val);
	} else if (type == 1 && cr == 8) {
		if (vcpu->apic)
			vcpu->cr8 = vtxhv_lapic_get_cr8(vcpu);
		if (reg == GPR_RSP)
			vmcs_writel(GUEST_RSP, vcpu->cr8);
		else
			r[reg] = vcpu->cr8;
	} else {
		return handle_unknown(vcpu, reason);
	}
	vtxhv_skip_insn(vcpu);
	return EXIT_TO_GUEST;
}

/*
 * MOV DR: DR0-3 and DR6 are kept for the guest, DR7 is in the VMCS (or in
 * vcpu->guest_dr7 while a debugger owns the registers).  The VM exit takes
 * precedence over the #DB of general detect (DR7.GD, SDM 17.2.4), which
 * is therefore delivered here: a fault, with DR6.BD, GD cleared.
 */
static int handle_dr(struct vtxhv_vcpu *vcpu, u32 reason)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	unsigned int dr = q & 7, reg = (q >> 8) & 15;
	bool from_dr = q & BIT(4);
	u64 *r = vcpu->gprs.r;
	u64 *slot = NULL, dr7;

	if (VMX_AR_DPL(vmcs_read32(GUEST_SS_AR_BYTES)) != 0) {
		inject_gp(vcpu);
		return EXIT_TO_GUEST;
	}
	/*
	 * DR4 and DR5 with CR4.DE are #UD (SDM Vol. 2, MOV DR); the guest's
	 * CR4.DE is in the read shadow only where vtxhv owns the bit.
	 */
	if ((dr == 4 || dr == 5) && (vtxhv_guest_cr4() & X86_CR4_DE)) {
		vtxhv_inject_exception(vcpu, UD_VECTOR, false, 0);
		return EXIT_TO_GUEST;
	}
	dr7 = vtxhv_guest_dr7(vcpu);
	if (dr7 & DR7_GD) {
		vcpu->dr6 = (vcpu->dr6 & ~DR6_B0_3) | DR6_BD |
			    DR6_FIXED_1;
		vtxhv_set_guest_dr7(vcpu, dr7 & ~DR7_GD);
		vtxhv_inject_exception(vcpu, DB_VECTOR, false, 0);
		return EXIT_TO_GUEST;
	}
	if (dr < 4)
		slot = &vcpu->dr[dr];
	else if (dr == 4 || dr == 6)
		slot = &vcpu->dr6;
	if (from_dr) {
		u64 v = slot ? *slot : vtxhv_guest_dr7(vcpu);

		if (reg == GPR_RSP)
			vmcs_writel(GUEST_RSP, v);
		else
			r[reg] = v;
	} else {
		u64 v = reg == GPR_RSP ? vmcs_readl(GUEST_RSP) : r[reg];

		if (slot) {
			*slot = v;
		} else {
			dr7 = v;
			if (dr7 >> 32) {
				inject_gp(vcpu);
				return EXIT_TO_GUEST;
			}
			vtxhv_set_guest_dr7(vcpu, (dr7 & ~0xd800ULL) | 0x400);
		}
		vtxhv_sync_guest_drs(vcpu);
	}
	vtxhv_skip_insn(vcpu);
	return EXIT_TO_GUEST;
}

static int handle_rdmsr(struct vtxhv_vcpu *vcpu, u32 reason)
{
	u64 *r = vcpu->gprs.r;
	u64 data;

	if (vtxhv_get_msr(vcpu, r[GPR_RCX], &data)) {
		inject_gp(vcpu);
		return EXIT_TO_GUEST;
	}
	r[GPR_RAX] = (u32)data;
	r[GPR_RDX] = data >> 32;
	vtxhv_skip_insn(vcpu);
	return EXIT_TO_GUEST;
}

static int handle_wrmsr(struct vtxhv_vcpu *vcpu, u32 reason)
{
	u64 *r = vcpu->gprs.r;
	u64 data = (u32)r[GPR_RAX] | ((u64)(u32)r[GPR_RDX] << 32);

	if (vtxhv_set_msr(vcpu, r[GPR_RCX], data)) {
		inject_gp(vcpu);
		return EXIT_TO_GUEST;
	}
	vtxhv_skip_insn(vcpu);
	return EXIT_TO_GUEST;
}

/*
 * XSETBV (SDM Vol. 2 XSETBV: #UD and #GP conditions).  The value is loaded
 * into the CPU at every entry, so it must be one this CPU accepts: only
 * features the host enabled, vtxhv supports and the guest's CPUID leaf
 * 0xD reports, in combinations the CPU allows (defect 2).
 */
static int handle_xsetbv(struct vtxhv_vcpu *vcpu, u32 reason)
{
	const struct vtxhv_cpuid_entry *e = find_cpuid(vcpu, 0xd, 0);
	u64 *r = vcpu->gprs.r;
	u64 v = (u32)r[GPR_RAX] | ((u64)(u32)r[GPR_RDX] << 32);
	u64 cpuid_ok = e ? e->eax | (u64)e->edx << 32 : ~0ULL;

	if (!(vcpu->sh.cr4 & X86_CR4_OSXSAVE) || !vtxhv_host_has_xsave()) {
		vtxhv_inject_exception(vcpu, UD_VECTOR, false, 0);
		return EXIT_TO_GUEST;
	}
	if ((u32)r[GPR_RCX] != 0 || !vtxhv_fpu_xcr0_valid(v, cpuid_ok) ||
	    VMX_AR_DPL(vmcs_read32(GUEST_SS_AR_BYTES)) != 0) {
		inject_gp(vcpu);
		return EXIT_TO_GUEST;
	}
	vcpu->xcr0 = v;
	vtxhv_skip_insn(vcpu);
	return EXIT_TO_GUEST;
}

static int handle_ept_violation(struct vtxhv_vcpu *vcpu, u32 reason)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;
	struct vtxhv_slot slot;
	int ret;

	vcpu->ept_violations++;
	drop_stale_pending_dbg();
	vtxhv_fill_ctx(vcpu, reason);
	/*
	 * The common MMIO case, a data access outside every slot, is
	 * finished right here, reading the instruction with page faults
	 * disabled.  Mapping RAM pins pages, which may sleep: that, and
	 * every odd case, is done once preemption is enabled again.
	 */
	if (!vtxhv_slot_get(vcpu->vm, c->gpa, &slot) &&
	    !(c->qual & EPT_VIOLATION_ACC_INSTR) &&
	    !((c->qual & BIT(7)) && !(c->qual & BIT(8)))) {
		trace_vtxhv_ept_violation(vcpu->vm->id, c->gpa, c->qual, -ENOENT);
		pagefault_disable();
		ret = vtxhv_handle_mmio(vcpu, c->gpa, true);
		pagefault_enable();
		return ret;
	}
	return EXIT_SLEEPABLE;
}

static int handle_ept_misconfig(struct vtxhv_vcpu *vcpu, u32 reason)
{
	return internal_error(vcpu, VTXHV_INTERNAL_EPT_MISCONFIG, reason);
}

static int handle_preemption_timer(struct vtxhv_vcpu *vcpu, u32 reason)
{
	return EXIT_TO_GUEST;
}

/* INVLPG: shadow paging drops the page's shadow (which may sleep). */
static int handle_invlpg(struct vtxhv_vcpu *vcpu, u32 reason)
{
	if (!vtxhv_shadowing(vcpu->vm)) {
		vtxhv_skip_insn(vcpu);
		return EXIT_TO_GUEST;
	}
	vtxhv_fill_ctx(vcpu, reason);
	return EXIT_SLEEPABLE;
}

/* MOV to CR3 in a shadow mode, where sleeping is allowed. */
static int shadow_mov_cr3(struct vtxhv_vcpu *vcpu)
{
	unsigned int reg = (vcpu->ctx.qual >> 8) & 15;
	u64 val;
	int ret, bad;

	ret = vtxhv_vcpu_load(vcpu);
	if (ret)
		return ret;
	val = reg == GPR_RSP ? vmcs_readl(GUEST_RSP) : vcpu->gprs.r[reg];
	vtxhv_vcpu_put(vcpu);
	if (vtxhv_cpu_mode(&vcpu->ctx) != 64)
		val = (u32)val;
	mutex_lock(&vcpu->vm->lock);
	bad = vtxhv_shadow_set_cr3(vcpu, val);
	mutex_unlock(&vcpu->vm->lock);
	ret = vtxhv_vcpu_load(vcpu);
	if (ret)
		return ret;
	if (bad)
		inject_gp(vcpu);
	else
		vtxhv_skip_insn_len(vcpu, vcpu->ctx.insn_len);
	vtxhv_vcpu_put(vcpu);
	return EXIT_TO_GUEST;
}

typedef int (*exit_handler_t)(struct vtxhv_vcpu *vcpu, u32 reason);

static const exit_handler_t exit_handlers[] = {
	[EXIT_REASON_EXCEPTION_NMI] = handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = handle_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_REASON_INTERRUPT_WINDOW] = handle_interrupt_window,
	[EXIT_REASON_NMI_WINDOW] = handle_nmi_window,
	[EXIT_REASON_CPUID] = handle_cpuid,
	[EXIT_REASON_HLT] = handle_hlt,
	[EXIT_REASON_INVD] = handle_nop,
	[EXIT_REASON_WBINVD] = handle_nop,
	[EXIT_REASON_RDPMC] = handle_rdpmc,
	[EXIT_REASON_VMCALL] = vtxhv_handle_vmcall,
	[EXIT_REASON_VMCLEAR] = handle_ud,
	[EXIT_REASON_VMLAUNCH] = handle_ud,
	[EXIT_REASON_VMPTRLD] = handle_ud,
	[EXIT_REASON_VMPTRST] = handle_ud,
	[EXIT_REASON_VMREAD] = handle_ud,
	[EXIT_REASON_VMRESUME] = handle_ud,
	[EXIT_REASON_VMWRITE] = handle_ud,
	[EXIT_REASON_VMOFF] = handle_ud,
	[EXIT_REASON_VMON] = handle_ud,
	[EXIT_REASON_INVEPT] = handle_ud,
	[EXIT_REASON_INVVPID] = handle_ud,
	[EXIT_REASON_VMFUNC] = handle_ud,
	[EXIT_REASON_MWAIT_INSTRUCTION] = handle_ud,
	[EXIT_REASON_MONITOR_INSTRUCTION] = handle_ud,
	[EXIT_REASON_MONITOR_TRAP_FLAG] = handle_mtf,
	[EXIT_REASON_CR_ACCESS] = handle_cr,
	[EXIT_REASON_DR_ACCESS] = handle_dr,
	[EXIT_REASON_IO_INSTRUCTION] = vtxhv_handle_io,
	[EXIT_REASON_MSR_READ] = handle_rdmsr,
	[EXIT_REASON_MSR_WRITE] = handle_wrmsr,
	[EXIT_REASON_XSETBV] = handle_xsetbv,
	[EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = handle_ept_misconfig,
	[EXIT_REASON_PREEMPTION_TIMER] = handle_preemption_timer,
	[EXIT_REASON_INVLPG] = handle_invlpg,
};

/*
 * An exit that interrupted the delivery of an event (IDT-vectoring
 * information, SDM 27.2.4) must deliver it again at the next entry.
 */
static void requeue_vectoring_event(u32 info)
{
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION)
		set_rf_for_fault(info & INTR_INFO_VECTOR_MASK);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info & ~BIT(12));
	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(IDT_VECTORING_ERROR_CODE));
	vmcs_write32(VM_ENTRY_INSTRUCTION_LEN,
		     vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

int vtxhv_handle_exit(struct vtxhv_vcpu *vcpu, u32 reason)
{
	u32 basic = reason & 0xffff;

	u32 vectoring = vmcs_read32(IDT_VECTORING_INFO_FIELD);

	if (basic < VTXHV_NR_EXIT_REASONS)
		vcpu->exits[basic]++;
	if (unlikely(vectoring & VECTORING_INFO_VALID_MASK))
		requeue_vectoring_event(vectoring);
	if (basic < ARRAY_SIZE(exit_handlers) && exit_handlers[basic])
		return exit_handlers[basic](vcpu, basic);
	return handle_unknown(vcpu, basic);
}

/*
 * EPT violation (qualification: SDM table 28-7), with preemption enabled:
 * map guest RAM, or turn an access outside it into an MMIO exit.
 */
static int ept_violation(struct vtxhv_vcpu *vcpu)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;
	struct vtxhv_vm *vm = vcpu->vm;
	int ret;

	mutex_lock(&vm->lock);
	ret = vtxhv_ept_fault(vm, c->gpa, c->qual & EPT_VIOLATION_ACC_WRITE,
			      c->qual & EPT_VIOLATION_ACC_INSTR);
	mutex_unlock(&vm->lock);
	trace_vtxhv_ept_violation(vm->id, c->gpa, c->qual, ret);
	if (!ret)
		return EXIT_TO_GUEST;
	if (ret == -ENOENT || ret == -EACCES) {
		/*
		 * Code cannot run from MMIO, and the guest's page tables
		 * must be in RAM: bit 7 set and bit 8 clear in the
		 * qualification mean the CPU was walking them (SDM 28.2.1).
		 */
		if ((c->qual & EPT_VIOLATION_ACC_INSTR) ||
		    ((c->qual & BIT(7)) && !(c->qual & BIT(8))))
			return vtxhv_internal_error_ctx(vcpu,
						  VTXHV_INTERNAL_GUEST_MEMORY);
		return vtxhv_handle_mmio(vcpu, c->gpa, false);
	}
	pr_info_ratelimited("VM %d: guest page %#llx: cannot pin its memory (%d)\n",
			    vm->id, c->gpa, ret);
	return ret;
}

/* The second half of an exit that returned EXIT_SLEEPABLE. */
int vtxhv_handle_exit_sleepable(struct vtxhv_vcpu *vcpu)
{
	switch (vcpu->ctx.reason) {
	case EXIT_REASON_EPT_VIOLATION:
		return ept_violation(vcpu);
	case EXIT_REASON_IO_INSTRUCTION:
		return vtxhv_io_string(vcpu);
	case EXIT_REASON_EXCEPTION_NMI:
		return vtxhv_shadow_page_fault(vcpu);
	case EXIT_REASON_CR_ACCESS:
		return shadow_mov_cr3(vcpu);
	case EXIT_REASON_INVLPG:
		vtxhv_shadow_invlpg(vcpu, vcpu->ctx.qual);
		return vtxhv_skip_insn_unloaded(vcpu, vcpu->ctx.insn_len) ?:
		       EXIT_TO_GUEST;
	case EXIT_REASON_HLT:
		return vtxhv_vcpu_block(vcpu);
	default:
		WARN_ON_ONCE(1);
		return -EIO;
	}
}
