// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: the vCPU file descriptor, its run page, and the run loop that
 * enters the guest, keeps the VMCS on the CPU the thread runs on, and
 * switches the state VMX does not switch (some MSRs, XCR0, FPU).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apic.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/mce.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>

#include "vtxhv.h"
#include "vmx_ops.h"
#include "../uapi/vtxhv_genl.h"
#include "trace.h"

int __vtxhv_vmenter(struct vtxhv_gprs *regs, int launched,
		    unsigned long host_rsp_field);

static DEFINE_IDA(vpid_ida);
/* The VM whose guest ran last on each CPU (IBPB between VMs). */
static DEFINE_PER_CPU(struct vtxhv_vm *, last_vm);

/*
 * Speculation mitigations around the guest (docs/security.md): -1 follows
 * the host (off with mitigations=off), 0 off, 1 on where the CPU is
 * affected and has the means.
 */
static int mitigate = -1;
module_param(mitigate, int, 0444);
MODULE_PARM_DESC(mitigate,
		 "L1D flush / VERW / IBPB around guests: -1 as the host (default), 0 off, 1 on");

static bool mitigating(void)
{
	return mitigate > 0 || (mitigate < 0 && !cpu_mitigations_off());
}

/* VERW with a valid writable data selector clears the CPU buffers. */
static __always_inline void clear_cpu_buffers(void)
{
	static const u16 ds = __KERNEL_DS;

	asm volatile("verw %[ds]" : : [ds] "m"(ds) : "cc");
}

/* What vcpu_enter_exit() does before each entry (one test when none). */
#define ENTRY_L1D_FLUSH		BIT(0)
#define ENTRY_VERW		BIT(1)
#define ENTRY_IBPB		BIT(2)
#define ENTRY_PERF_CTL		BIT(3)
static u8 entry_work;

/* Decide once, at module load, which mitigations apply to this CPU. */
void vtxhv_mitigations_init(void)
{
	bool on = mitigating();

	entry_work = 0;
	if (on && boot_cpu_has_bug(X86_BUG_L1TF) &&
	    boot_cpu_has(X86_FEATURE_FLUSH_L1D))
		entry_work |= ENTRY_L1D_FLUSH;
	else if (on && boot_cpu_has(X86_FEATURE_MD_CLEAR) &&
		 (boot_cpu_has_bug(X86_BUG_MDS) ||
		  boot_cpu_has_bug(X86_BUG_TAA) ||
		  boot_cpu_has_bug(X86_BUG_MMIO_STALE_DATA) ||
		  boot_cpu_has_bug(X86_BUG_RFDS)))
		entry_work |= ENTRY_VERW;
	if (on && boot_cpu_has(X86_FEATURE_IBPB))
		entry_work |= ENTRY_IBPB;
	if (vtxhv_switch_perf_ctl)
		entry_work |= ENTRY_PERF_CTL;
	pr_info("mitigations: L1D flush %s, VERW %s, IBPB between VMs %s\n",
		entry_work & ENTRY_L1D_FLUSH ? "on" : "off",
		entry_work & ENTRY_VERW ? "on" : "off",
		entry_work & ENTRY_IBPB ? "on" : "off");
}

/* Right before an entry, with interrupts off (docs/security.md). */
static void entry_mitigations(struct vtxhv_vcpu *vcpu)
{
	u64 host;

	if ((entry_work & ENTRY_IBPB) && this_cpu_read(last_vm) != vcpu->vm) {
		wrmsrl(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
		this_cpu_write(last_vm, vcpu->vm);
	}
	/* No counter runs for the host inside the guest: PEBS would write. */
	if (entry_work & ENTRY_PERF_CTL) {
		rdmsrl(MSR_CORE_PERF_GLOBAL_CTRL, host);
		vmcs_write64(HOST_IA32_PERF_GLOBAL_CTRL, host);
	}
	/* Last, so that nothing refills what they clear. */
	if (entry_work & ENTRY_L1D_FLUSH)
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
	else if (entry_work & ENTRY_VERW)
		clear_cpu_buffers();
}

/*
 * What made the guest exit may be the host's: an NMI, raised again here
 * where the host's handler takes it, and a machine check during the guest
 * or the entry itself, handed to the host's handler as if it had arrived
 * here (SDM 27.1).  The NMI goes through the ICR with delivery mode NMI:
 * x2APIC's SELF IPI register sends fixed interrupts only (SDM 10.12.11),
 * so a self-IPI would lose it (defect 5).
 */
static void host_events(u32 reason)
{
	u32 intr = vmcs_read32(VM_EXIT_INTR_INFO);
	u32 type = intr & (INTR_INFO_VALID_MASK | INTR_INFO_INTR_TYPE_MASK);

	if ((reason & 0xffff) == EXIT_REASON_EXCEPTION_NMI &&
	    type == (INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR)) {
		apic->send_IPI_mask(cpumask_of(smp_processor_id()),
				    NMI_VECTOR);
		return;
	}
	if ((reason & 0xffff) == EXIT_REASON_MCE_DURING_VMENTRY ||
	    (type == (INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION) &&
	     (intr & INTR_INFO_VECTOR_MASK) == 18)) {
#ifdef CONFIG_X86_MCE
		struct pt_regs regs = { .cs = 3, .flags = X86_EFLAGS_IF };

		do_machine_check(&regs);
#endif
	}
}

static const u32 syscall_msrs[4] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK
};

/*
 * The host's syscall MSRs and TSC_AUX on each CPU.  The kernel writes
 * them when it brings the CPU up (syscall_init(), setup_getcpu()) and not
 * again, so they are read the first time a guest runs there, not at
 * every entry (KVM keeps its user-return MSRs' host values the same way).
 */
struct host_msrs {
	bool valid;
	u64 syscall[4];		/* in the order of syscall_msrs */
	u64 tsc_aux;		/* 0 where the CPU has none */
};
static DEFINE_PER_CPU(struct host_msrs, host_msrs);

static noinline void read_host_msrs(struct host_msrs *h)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(syscall_msrs); i++)
		rdmsrl(syscall_msrs[i], h->syscall[i]);
	if (rdmsrl_safe(MSR_TSC_AUX, &h->tsc_aux))
		h->tsc_aux = 0;
	h->valid = true;
}

/* This CPU's; preemption is disabled. */
static __always_inline struct host_msrs *host_msrs_here(void)
{
	struct host_msrs *h = this_cpu_ptr(&host_msrs);

	if (unlikely(!h->valid))
		read_host_msrs(h);
	return h;
}

/*
 * Make the vCPU's VMCS current on this CPU: interrupts are disabled and
 * the CPU is in VMX operation until vtxhv_vcpu_put() (vmx_root.c says
 * why).  On a CPU other than last time the per-CPU host fields are
 * rewritten.
 *
 * Return: 0, -EBUSY when another hypervisor holds VMX on this CPU, or
 * -EIO when VMXON or VMPTRLD fails (then nothing is loaded and
 * interrupts are as they were).  Callers pass the error on.
 */
int __vtxhv_vcpu_load(struct vtxhv_vcpu *vcpu)
{
	unsigned long flags, cr4;
	int cpu, ret;

	local_irq_save(flags);
	ret = vtxhv_vmx_get();
	if (ret) {
		local_irq_restore(flags);
		return ret == -EBUSY ? -EBUSY : -EIO;
	}
	if (vmx_vmptrld(&vcpu->vmcs_pa)) {
		vtxhv_vmx_put();
		local_irq_restore(flags);
		return -EIO;
	}
	cpu = smp_processor_id();
	if (vcpu->cpu != cpu) {
		vtxhv_vmcs_set_host_percpu();
		vcpu->cpu = cpu;
	}
	/*
	 * CR4 differs between tasks (TSD), and an IPI can change it (CR4.PCE)
	 * between two stays in VMX operation, never during one.
	 */
	cr4 = vtxhv_read_cr4();
	if (cr4 != vcpu->host_cr4) {
		vmcs_writel(HOST_CR4, cr4);
		vcpu->host_cr4 = cr4;
	}
	/*
	 * Between two stays in VMX operation, another hypervisor (kvm_intel)
	 * may have run guests here with the same VPID or EPTP values: the
	 * translations tagged with them are flushed before the next entry.
	 */
	vcpu->need_flush = true;
	vcpu->irq_flags = flags;
	vcpu->load_depth = 1;
	return 0;
}

/*
 * VMCLEAR writes the VMCS back to memory (SDM 24.11.1) before VMXOFF; the
 * next entry is a VMLAUNCH.
 */
void __vtxhv_vcpu_put(struct vtxhv_vcpu *vcpu)
{
	if (vmx_vmclear(&vcpu->vmcs_pa))
		pr_err_ratelimited("VM %d vCPU %d: VMCLEAR failed\n",
				   vcpu->vm->id, vcpu->id);
	vcpu->launched = false;
	vtxhv_vmx_put();
	local_irq_restore(vcpu->irq_flags);
}

/*
 * Put the guest's DR0-3 into the CPU when its DR7 enables a breakpoint
 * (after a MOV DR too), keeping the host's to restore in switch_to_host().
 * While a debugger owns the breakpoints (VTXHV_GUESTDBG_USE_HW_BP), DR7
 * in the VMCS and DR0-3 in the CPU are the debugger's.
 */
void vtxhv_sync_guest_drs(struct vtxhv_vcpu *vcpu)
{
	const u64 *dr = vcpu->dbg_control & VTXHV_GUESTDBG_USE_HW_BP ?
			vcpu->dbg_dr : vcpu->dr;

	if (!vcpu->guest_drs_loaded) {
		if (!(vmcs_readl(GUEST_DR7) & 0xff))
			return;
		get_debugreg(vcpu->host_dr[0], 0);
		get_debugreg(vcpu->host_dr[1], 1);
		get_debugreg(vcpu->host_dr[2], 2);
		get_debugreg(vcpu->host_dr[3], 3);
		vcpu->guest_drs_loaded = true;
	}
	set_debugreg(dr[0], 0);
	set_debugreg(dr[1], 1);
	set_debugreg(dr[2], 2);
	set_debugreg(dr[3], 3);
}

/*
 * Single steps where the CPU has no monitor trap flag: RFLAGS.TF is set
 * for each entry and taken away at the exit, so that the guest's RFLAGS
 * (GET_REGS, the exit handlers) stay its own; the #DB trap exits (#DB is
 * always intercepted) and stops (exits.c, handle_db).  VM entry wants a
 * pending BS with TF under STI or MOV SS blocking (SDM 26.3.1.5).
 */
static void dbg_tf_enter(struct vtxhv_vcpu *vcpu)
{
	unsigned long rflags = vmcs_readl(GUEST_RFLAGS);

	if (rflags & X86_EFLAGS_TF)
		return;
	vmcs_writel(GUEST_RFLAGS, rflags | X86_EFLAGS_TF);
	if (vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & 3)
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
			    vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) |
			    DR_STEP);
	vcpu->dbg_tf_added = true;
}

static void dbg_tf_exit(struct vtxhv_vcpu *vcpu)
{
	unsigned long pending = vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS);

	vcpu->dbg_tf_added = false;
	vmcs_writel(GUEST_RFLAGS, vmcs_readl(GUEST_RFLAGS) & ~X86_EFLAGS_TF);
	if (pending & DR_STEP)
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, pending & ~DR_STEP);
}

/*
 * The guest's KERNEL_GS_BASE while its EFER.LME is set, and its syscall
 * MSRs while LME and SCE are (vtxhv_load_guest_msrs() says why); none of
 * them is in the CPU yet.
 */
static __always_inline void load_guest_msrs(struct vtxhv_vcpu *vcpu)
{
	u64 efer = vcpu->sh.efer;
	const u64 *host;
	int i;

	if (!(efer & EFER_LME))
		return;
	rdmsrl(MSR_KERNEL_GS_BASE, vcpu->host_kernel_gs_base);
	if (vcpu->kernel_gs_base != vcpu->host_kernel_gs_base)
		wrmsrl(MSR_KERNEL_GS_BASE, vcpu->kernel_gs_base);
	vcpu->guest_msrs = VTXHV_GUEST_KGS;
	if (!(efer & EFER_SCE))
		return;
	host = host_msrs_here()->syscall;
	for (i = 0; i < ARRAY_SIZE(syscall_msrs); i++) {
		if (vcpu->guest_msr[i] != host[i])
			wrmsrl(syscall_msrs[i], vcpu->guest_msr[i]);
	}
	vcpu->guest_msrs |= VTXHV_GUEST_SYSCALL;
}

/* The host's values back, the guest's KERNEL_GS_BASE kept (SWAPGS). */
static void put_guest_msrs(struct vtxhv_vcpu *vcpu)
{
	const u64 *host = this_cpu_ptr(&host_msrs)->syscall;
	int i;

	if (vcpu->guest_msrs & VTXHV_GUEST_SYSCALL) {
		for (i = 0; i < ARRAY_SIZE(syscall_msrs); i++)
			if (vcpu->guest_msr[i] != host[i])
				wrmsrl(syscall_msrs[i], host[i]);
	}
	if (vcpu->guest_msrs & VTXHV_GUEST_KGS) {
		rdmsrl(MSR_KERNEL_GS_BASE, vcpu->kernel_gs_base);
		if (vcpu->kernel_gs_base != vcpu->host_kernel_gs_base)
			wrmsrl(MSR_KERNEL_GS_BASE, vcpu->host_kernel_gs_base);
	}
	vcpu->guest_msrs = 0;
}

/**
 * vtxhv_load_guest_msrs - put the guest's syscall MSRs into the CPU
 * @vcpu: the vCPU, between switch_to_guest() and switch_to_host()
 *
 * KERNEL_GS_BASE, STAR, LSTAR, CSTAR and SFMASK, which VMX leaves alone,
 * reach a guest only through SWAPGS, SYSCALL and SYSRET: those exist in
 * 64-bit mode alone, and SYSCALL and SYSRET only with EFER.SCE set (#UD
 * otherwise, SDM Vol. 2B); RDMSR and WRMSR always exit.  A guest reaches
 * 64-bit mode only with EFER.LME set, and it changes LME and SCE only
 * through an exit (WRMSR, SET_SREGS, SET_MSRS).  So KERNEL_GS_BASE is the
 * guest's in the CPU only while LME is set, the other four only while
 * LME and SCE are, and a guest that cannot use them pays no MSR access
 * for them on its way in and out.  switch_to_guest() loads them; this is
 * for the WRMSR that changes EFER in between: what is in the CPU goes
 * back, and what the new EFER allows comes in.
 */
void vtxhv_load_guest_msrs(struct vtxhv_vcpu *vcpu)
{
	if (vcpu->guest_msrs)
		put_guest_msrs(vcpu);
	load_guest_msrs(vcpu);
}

/*
 * Load the guest's values of the state VMX leaves alone: the syscall MSRs
 * and KERNEL_GS_BASE (which SWAPGS in the guest exchanges) while the
 * guest may use them, and save the host's, with its DS/ES/FS/GS
 * selectors, which VM exits leave null.
 */
static void switch_to_guest(struct vtxhv_vcpu *vcpu)
{
	unsigned long fs_base;

	savesegment(ds, vcpu->host_ds);
	savesegment(es, vcpu->host_es);
	savesegment(fs, vcpu->host_fs);
	savesegment(gs, vcpu->host_gs);
	/* The kernel does not use FS: its base is the task's. */
	fs_base = x86_fsbase_read_cpu();
	if (fs_base != vcpu->host_fs_base) {
		vmcs_writel(HOST_FS_BASE, fs_base);
		vcpu->host_fs_base = fs_base;
	}
	/*
	 * The host's TSC_AUX is its CPU and node for the vDSO's getcpu;
	 * the kernel itself does not read it (its entry code stopped using
	 * RDPID so that hypervisors may load a guest's), and it is back
	 * before this CPU returns to userspace.
	 */
	if (vcpu->rdtscp && vcpu->tsc_aux != host_msrs_here()->tsc_aux)
		wrmsrl(MSR_TSC_AUX, vcpu->tsc_aux);
	vcpu->switched = true;
	load_guest_msrs(vcpu);
	rdmsrl(MSR_IA32_DEBUGCTLMSR, vcpu->host_debugctl);
	/*
	 * Debug registers: VM entry loads the guest's DR7 and every exit sets
	 * DR7 to 0x400; DR0-3 are not switched by the CPU, so the guest's go
	 * in only while its DR7 enables a breakpoint.  The host's DR7 is what
	 * its breakpoint code last wrote there (cpu_dr7, as KVM reads it).
	 */
	vcpu->host_dr7 = __this_cpu_read(cpu_dr7);
	vtxhv_sync_guest_drs(vcpu);
}

static void switch_to_host(struct vtxhv_vcpu *vcpu)
{
	if (vcpu->guest_msrs)
		put_guest_msrs(vcpu);
	vcpu->switched = false;
	if (vcpu->rdtscp) {
		u64 host = this_cpu_ptr(&host_msrs)->tsc_aux;

		if (vcpu->tsc_aux != host)
			wrmsrl(MSR_TSC_AUX, host);
	}
	if (vcpu->host_ds)
		loadsegment(ds, vcpu->host_ds);
	if (vcpu->host_es)
		loadsegment(es, vcpu->host_es);
	if (vcpu->host_fs) {
		loadsegment(fs, vcpu->host_fs);
		wrmsrl(MSR_FS_BASE, vcpu->host_fs_base);
	}
	if (vcpu->host_gs) {
		unsigned long kgs;

		/* It loads the inactive GS base, the host's KERNEL_GS_BASE. */
		rdmsrl(MSR_KERNEL_GS_BASE, kgs);
		load_gs_index(vcpu->host_gs);
		wrmsrl(MSR_KERNEL_GS_BASE, kgs);
	}
	/* VM exits clear DEBUGCTL and DR7 (SDM 28.5.1). */
	if (vcpu->host_debugctl)
		update_debugctlmsr(vcpu->host_debugctl);
	if (vcpu->guest_drs_loaded) {
		set_debugreg(vcpu->host_dr[0], 0);
		set_debugreg(vcpu->host_dr[1], 1);
		set_debugreg(vcpu->host_dr[2], 2);
		set_debugreg(vcpu->host_dr[3], 3);
		vcpu->guest_drs_loaded = false;
	}
	if (vcpu->host_dr7 & 0xff)
		set_debugreg(vcpu->host_dr7, 7);
	/*
	 * VM exits also set the GDT limit to 0xffff and the TR limit to 0x67
	 * (SDM 28.5.2): harmless inside the kernel, but user space may look
	 * at the GDT limit and the I/O bitmap needs the real TSS limit.
	 */
	load_fixmap_gdt(smp_processor_id());
	invalidate_tss_limit();
}

/*
 * One VM entry and exit, with interrupts disabled.  Returns the exit
 * reason, or -EIO when VMLAUNCH/VMRESUME failed.
 */
static long vcpu_enter_exit(struct vtxhv_vcpu *vcpu)
{
	unsigned long cr3 = __read_cr3();
	bool xcr0_switch = false;
	u32 reason;
	u64 t0;
	int fail;

	/*
	 * IN_GUEST before the requests are read, so that a request after
	 * this point kicks the guest out (irqchip.c, vtxhv_vcpu_flush_remote).
	 */
	/* Pairs with smp_mb__after_atomic() in vtxhv_kick() and there. */
	smp_store_mb(vcpu->mode, VTXHV_IN_GUEST);
	if (vcpu->requests) {
		if (test_and_clear_bit(VTXHV_REQ_EVENT, &vcpu->requests))
			vcpu->want_inject = true;
		if (test_and_clear_bit(VTXHV_REQ_TLB_FLUSH, &vcpu->requests))
			vcpu->need_flush = true;
	}
	/* Single steps by TF hold interrupts and NMIs back (docs/api.md). */
	if (vcpu->want_inject && !vcpu->dbg_step_tf)
		vtxhv_inject_pending(vcpu);
	if (cr3 != vcpu->host_cr3) {
		vmcs_writel(HOST_CR3, cr3);
		vcpu->host_cr3 = cr3;
	}
	if (vcpu->need_flush) {
		/* A guest must never run on stale translations (defect 8). */
		if (vtxhv_flush_vpid(vcpu->vpid) ||
		    (vcpu->vm->eptp && vtxhv_flush_ept(vcpu->vm->eptp))) {
			WRITE_ONCE(vcpu->mode, VTXHV_OUTSIDE_GUEST);
			return -EIO;
		}
		vcpu->need_flush = false;
	}
	/*
	 * CR4.OSXSAVE is host-owned, so sh.cr4 has the guest's value, and
	 * vcpu->xcr0 passed vtxhv_fpu_xcr0_valid(): this XSETBV cannot fault.
	 */
	if ((vcpu->sh.cr4 & X86_CR4_OSXSAVE) &&
	    vcpu->xcr0 != vtxhv_host_xcr0) {
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
		xcr0_switch = true;
	}
	if (unlikely(entry_work))
		entry_mitigations(vcpu);

	if (trace_vtxhv_entry_enabled())
		trace_vtxhv_entry(vcpu->vm->id, vcpu->id, vmcs_readl(GUEST_RIP));
	t0 = rdtsc();
	vcpu->exit_tsc += t0 - vcpu->last_exit_tsc;
	fail = __vtxhv_vmenter(&vcpu->gprs, vcpu->launched, HOST_RSP);
	vcpu->last_exit_tsc = rdtsc();
	WRITE_ONCE(vcpu->mode, VTXHV_OUTSIDE_GUEST);
	vcpu->guest_tsc += vcpu->last_exit_tsc - t0;

	if (xcr0_switch)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vtxhv_host_xcr0);
	if (fail)
		return -EIO;
	vcpu->launched = true;

	reason = vmcs_read32(VM_EXIT_REASON);
	if (unlikely((reason & 0xffff) == EXIT_REASON_EXCEPTION_NMI ||
		     (reason & 0xffff) == EXIT_REASON_MCE_DURING_VMENTRY))
		host_events(reason);
	if (trace_vtxhv_exit_enabled())
		trace_vtxhv_exit(vcpu->vm->id, vcpu->id, reason,
				 vmcs_readl(EXIT_QUALIFICATION),
				 vmcs_readl(GUEST_RIP));
	return reason;
}

static int fail_entry(struct vtxhv_vcpu *vcpu, u32 reason)
{
	struct vtxhv_run *run = vcpu->run;

	run->exit_reason = VTXHV_EXIT_FAIL_ENTRY;
	run->fail_entry.exit_reason = reason;
	run->fail_entry.vm_instruction_error =
		vmcs_read32(VM_INSTRUCTION_ERROR);
	run->fail_entry.qualification = vmcs_readl(EXIT_QUALIFICATION);
	vtxhv_vmcs_dump(vcpu);
	return EXIT_TO_USER;
}

/* Exits an operator wants to hear about, on the netlink "events" group. */
static void report_exit(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_run *run = vcpu->run;

	switch (run->exit_reason) {
	case VTXHV_EXIT_SHUTDOWN:
		vcpu->vm->shutdown = true;
		vtxhv_genl_event(vcpu->vm, vcpu->id, VTXHV_EVENT_SHUTDOWN,
				 EXIT_REASON_TRIPLE_FAULT, run->stop.rip, 0);
		break;
	case VTXHV_EXIT_FAIL_ENTRY:
		vtxhv_genl_event(vcpu->vm, vcpu->id, VTXHV_EVENT_FAIL_ENTRY,
				 run->fail_entry.exit_reason, 0,
				 run->fail_entry.vm_instruction_error);
		break;
	case VTXHV_EXIT_INTERNAL_ERROR:
		vtxhv_genl_event(vcpu->vm, vcpu->id,
				 VTXHV_EVENT_INTERNAL_ERROR,
				 run->internal.exit_reason, run->internal.rip,
				 run->internal.suberror);
		break;
	}
}

/*
 * VTXHV_RUN.  The inner loop runs with preemption disabled, so that the
 * guest's MSRs never reach another task; it leaves at every exit that
 * needs userspace or a sleepable context, and whenever the scheduler or a
 * signal wants the CPU (any host interrupt makes the guest exit).
 */
/* Lightweight exits handled in one stay in VMX operation, at most. */
#define VTXHV_STAY_EXITS	64

static int vcpu_run(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_run *run = vcpu->run;
	unsigned int stay_exits;
	bool loaded;
	long reason;
	int r;

	if (!vtxhv_vmx_usable())
		return -ESHUTDOWN;
	if (current->mm != vcpu->vm->mm)
		return -EIO;
	if (vcpu->pending) {
		r = vtxhv_complete_pending(vcpu);
		if (r)
			return r < 0 ? r : 0;
	}
	if (READ_ONCE(run->immediate_exit) || signal_pending(current)) {
		run->exit_reason = VTXHV_EXIT_INTR;
		return -EINTR;
	}

	if (READ_ONCE(run->request_interrupt_window))
		vcpu->want_inject = true;
	atomic_inc(&vcpu->vm->running);	/* for operators (netlink) */
	vcpu->last_exit_tsc = rdtsc();
	for (;;) {
		/* INIT, SIPI, HLT of the in-kernel irqchip (irqchip.c). */
		if (vcpu->apic) {
			r = vtxhv_mp_state_prepare(vcpu);
			if (r != EXIT_TO_GUEST)
				break;
		}
		/* Shadow paging: a new root, after a CR3 or mode change. */
		if (vcpu->sh.reload) {
			r = vtxhv_shadow_prepare(vcpu);
			if (r != EXIT_TO_GUEST)
				break;
		}
		/*
		 * Preemption is off from here (the FPU holds the guest's
		 * registers), interrupts while the CPU is in VMX operation.
		 */
		vtxhv_fpu_load(vcpu->fpu);
		r = vtxhv_vcpu_load(vcpu);
		if (r) {
			vtxhv_fpu_put(vcpu->fpu);
			break;
		}
		loaded = true;
		switch_to_guest(vcpu);
		stay_exits = 0;
		for (;;) {
			if (need_resched() || signal_pending(current) ||
			    (vcpu->apic && READ_ONCE(vcpu->apic->init))) {
				r = EXIT_TO_GUEST;
				break;
			}
			/* A debugger's step over an emulated instruction. */
			if (unlikely(vcpu->dbg_step_done)) {
				r = vtxhv_debug_step_stop(vcpu);
				break;
			}
			if (unlikely(vcpu->dbg_step_tf))
				dbg_tf_enter(vcpu);
			reason = vcpu_enter_exit(vcpu);
			if (unlikely(vcpu->dbg_tf_added))
				dbg_tf_exit(vcpu);
			if (reason < 0)
				r = fail_entry(vcpu, 0);
			else if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
				r = fail_entry(vcpu, reason);
			else
				r = vtxhv_handle_exit(vcpu, reason);
			if (r != EXIT_TO_GUEST || vcpu->sh.reload)
				break;
			/*
			 * A host interrupt made the guest exit: leave VMX
			 * operation, so that it is taken, and come back.
			 * Lightweight exits (CPUID, MSRs, ...) stay inside,
			 * but only VTXHV_STAY_EXITS in a row: a guest whose
			 * every entry faults at once (an #AC or #DB delivery
			 * loop) never reaches an instruction boundary, where
			 * a host interrupt would make it exit.
			 */
			if ((reason & 0xffff) == EXIT_REASON_EXTERNAL_INTERRUPT ||
			    (reason & 0xffff) == EXIT_REASON_PREEMPTION_TIMER ||
			    ++stay_exits >= VTXHV_STAY_EXITS) {
				stay_exits = 0;
				vtxhv_vcpu_put(vcpu);
				r = vtxhv_vcpu_load(vcpu);
				if (r) {
					loaded = false;
					break;
				}
			}
		}
		/* What userspace needs to queue an interrupt, while the VMCS
		 * is still current.
		 */
		if (loaded)
			vtxhv_report_interruptibility(vcpu);
		switch_to_host(vcpu);
		if (loaded)
			vtxhv_vcpu_put(vcpu);
		vtxhv_fpu_put(vcpu->fpu);
		if (r == EXIT_SLEEPABLE) {
			r = vtxhv_handle_exit_sleepable(vcpu);
			if (r == EXIT_TO_USER) {
				r = vtxhv_vcpu_load(vcpu);
				if (!r) {
					vtxhv_report_interruptibility(vcpu);
					vtxhv_vcpu_put(vcpu);
				}
			}
		}
		if (r != EXIT_TO_GUEST)
			break;
		if (signal_pending(current)) {
			run->exit_reason = VTXHV_EXIT_INTR;
			r = -EINTR;
			break;
		}
		cond_resched();
	}
	atomic_dec(&vcpu->vm->running);
	if (!r)
		report_exit(vcpu);
	return r < 0 ? r : 0;
}

static long vcpu_get_regs(struct vtxhv_vcpu *vcpu, void __user *argp)
{
	struct vtxhv_regs regs;
	int i, ret;

	for (i = 0; i < NR_GPRS; i++)
		((__u64 *)&regs)[i] = vcpu->gprs.r[i];
	ret = vtxhv_vcpu_load(vcpu);
	if (ret)
		return ret;
	regs.rsp = vmcs_readl(GUEST_RSP);
	regs.rip = vmcs_readl(GUEST_RIP);
	regs.rflags = vmcs_readl(GUEST_RFLAGS);
	vtxhv_vcpu_put(vcpu);
	return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
}

static long vcpu_set_regs(struct vtxhv_vcpu *vcpu, void __user *argp)
{
	struct vtxhv_regs regs;
	int i, ret;

	if (copy_from_user(&regs, argp, sizeof(regs)))
		return -EFAULT;
	/* RFLAGS: reserved bits 1 (set), 3, 5, 15 and 22-63 (clear). */
	if (!(regs.rflags & X86_EFLAGS_FIXED) ||
	    (regs.rflags & (BIT(3) | BIT(5) | BIT(15) | GENMASK_ULL(63, 22))))
		return -EINVAL;
	ret = vtxhv_vcpu_load(vcpu);
	if (ret)
		return ret;
	for (i = 0; i < NR_GPRS; i++)
		vcpu->gprs.r[i] = ((__u64 *)&regs)[i];
	vmcs_writel(GUEST_RSP, regs.rsp);
	vmcs_writel(GUEST_RIP, regs.rip);
	vmcs_writel(GUEST_RFLAGS, regs.rflags);
	vtxhv_vcpu_put(vcpu);
	vcpu->pending = PENDING_NONE;
	vcpu->db_hits = 0;	/* the traps of the dropped completion */
	vcpu->dbg_step_done = false;
	return 0;
}

static long vcpu_get_sregs(struct vtxhv_vcpu *vcpu, void __user *argp)
{
	struct vtxhv_sregs s;
	int ret = vtxhv_vcpu_load(vcpu);

	if (ret)
		return ret;
	vtxhv_get_sregs(vcpu, &s);
	vtxhv_vcpu_put(vcpu);
	return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
}

static long vcpu_set_sregs(struct vtxhv_vcpu *vcpu, void __user *argp)
{
	struct vtxhv_sregs s;
	int ret;

	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	ret = vtxhv_vcpu_load(vcpu);
	if (ret)
		return ret;
	ret = vtxhv_set_sregs(vcpu, &s);
	vtxhv_vcpu_put(vcpu);
	return ret;
}

/* Does the guest's CPUID table show @function.0:@reg bit @bit? */
static bool cpuid_has(const struct vtxhv_vcpu *vcpu, u32 function,
		      int reg, unsigned int bit)
{
	const struct vtxhv_cpuid_entry *e;
	u32 i, v;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		e = &vcpu->cpuid[i];
		if (e->function != function || e->index)
			continue;
		v = reg == CPUID_ECX ? e->ecx : e->edx;
		return v & BIT(bit);
	}
	return false;
}

/*
 * RDTSCP and RDPID for a guest whose CPUID shows either (CPUID.80000001H:
 * EDX[27], CPUID.7.0:ECX[22]), and only then: a guest told it has neither
 * gets #UD from both and #GP from TSC_AUX, as on such a CPU, and its runs
 * do not switch TSC_AUX.  With the VMCS loaded.
 */
static void vcpu_set_rdtscp(struct vtxhv_vcpu *vcpu)
{
	u32 proc2 = vmcs_read32(SECONDARY_VM_EXEC_CONTROL);

	vcpu->rdtscp = cpu_has_vmx_rdtscp() &&
		       (cpuid_has(vcpu, 0x80000001, CPUID_EDX, 27) ||
			cpuid_has(vcpu, 7, CPUID_ECX, 22));
	if (vcpu->rdtscp)
		proc2 |= SECONDARY_EXEC_ENABLE_RDTSCP;
	else
		proc2 &= ~SECONDARY_EXEC_ENABLE_RDTSCP;
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, proc2);
}

static long vcpu_set_cpuid(struct vtxhv_vcpu *vcpu,
			   struct vtxhv_cpuid __user *argp)
{
	struct vtxhv_cpuid_entry *e;
	u32 nent, i;
	int ret;

	if (get_user(nent, &argp->nent))
		return -EFAULT;
	if (nent > VTXHV_MAX_CPUID_ENTRIES)
		return -E2BIG;
	e = memdup_user(argp->entries, nent * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < nent; i++) {
		if ((e[i].flags & ~VTXHV_CPUID_SIGNIFICANT_INDEX) ||
		    e[i].padding) {
			kfree(e);
			return -EINVAL;
		}
	}
	ret = vtxhv_vcpu_load(vcpu);
	if (ret) {
		kfree(e);
		return ret;
	}
	kfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->cpuid_nent = nent;
	vcpu_set_rdtscp(vcpu);
	vtxhv_vcpu_put(vcpu);
	return 0;
}

static long vcpu_msrs(struct vtxhv_vcpu *vcpu, struct vtxhv_msrs __user *argp,
		      bool set)
{
	struct vtxhv_msr_entry *e;
	u32 n, i;
	int ret = 0;

	if (get_user(n, &argp->nmsrs))
		return -EFAULT;
	if (n > VTXHV_MAX_MSR_ENTRIES)
		return -E2BIG;
	e = memdup_user(argp->entries, n * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	ret = vtxhv_vcpu_load(vcpu);
	if (ret) {
		kfree(e);
		return ret;
	}
	for (i = 0; i < n; i++) {
		if (e[i].reserved)
			break;
		if (set ? vtxhv_set_msr(vcpu, e[i].index, e[i].data) :
			  vtxhv_get_msr(vcpu, e[i].index, &e[i].data))
			break;
	}
	vtxhv_vcpu_put(vcpu);
	if (!set && copy_to_user(argp->entries, e, i * sizeof(*e)))
		ret = -EFAULT;
	kfree(e);
	return ret ? ret : i;
}

static long vcpu_queue_interrupt(struct vtxhv_vcpu *vcpu, void __user *argp)
{
	struct vtxhv_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	/* Vectors 0-15 are exceptions, which SET_SREGS can inject. */
	if (irq.flags || irq.vector < 16 || irq.vector > 255)
		return -EINVAL;
	if (vcpu->pending_irq >= 0)
		return -EBUSY;
	/* In-kernel irqchip: the PIC's wire must reach the CPU (lapic.c). */
	if (vcpu->apic && !vtxhv_lapic_takes_extint(vcpu))
		return -ENXIO;
	vcpu->pending_irq = irq.vector;
	vcpu->want_inject = true;
	return 0;
}

#define GUESTDBG_VALID	(VTXHV_GUESTDBG_ENABLE | VTXHV_GUESTDBG_SINGLESTEP | \
			 VTXHV_GUESTDBG_USE_SW_BP | VTXHV_GUESTDBG_USE_HW_BP)

/* VTXHV_GET_FPU/SET_FPU: the guest's x87 and SSE registers (fpu.c). */
static long vcpu_fpu_ioctl(struct vtxhv_vcpu *vcpu, unsigned int cmd,
			   void __user *argp)
{
	struct vtxhv_fpu *f = kmalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	long ret = 0;

	if (!f)
		return -ENOMEM;
	if (cmd == VTXHV_GET_FPU) {
		vtxhv_fpu_get(vcpu->fpu, f);
		if (copy_to_user(argp, f, sizeof(*f)))
			ret = -EFAULT;
	} else if (copy_from_user(f, argp, sizeof(*f))) {
		ret = -EFAULT;
	} else {
		ret = vtxhv_fpu_set(vcpu->fpu, f);
	}
	kfree(f);
	return ret;
}

/*
 * VTXHV_SET_GUEST_DEBUG: attach a debugger to this vCPU (single step with
 * the monitor trap flag, INT3 stops, breakpoints in DR0-3/DR7 the guest
 * does not see), change what it wants, or detach (control 0).  The
 * guest's own DR7 moves between the VMCS and vcpu->guest_dr7 as the
 * debugger takes and gives back the breakpoint registers.
 */
static long vcpu_set_guest_debug(struct vtxhv_vcpu *vcpu, void __user *argp)
{
	struct vtxhv_guest_debug d;
	bool had_hw, hw;
	int i, ret;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if ((d.control & ~GUESTDBG_VALID) || d.padding ||
	    (d.control && !(d.control & VTXHV_GUESTDBG_ENABLE)) ||
	    d.debugreg[4] || d.debugreg[5] || d.debugreg[6] ||
	    (d.debugreg[7] >> 32))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(d.reserved); i++)
		if (d.reserved[i])
			return -EINVAL;
	ret = vtxhv_vcpu_load(vcpu);
	if (ret)
		return ret;
	had_hw = vcpu->dbg_control & VTXHV_GUESTDBG_USE_HW_BP;
	hw = d.control & VTXHV_GUESTDBG_USE_HW_BP;
	if (!had_hw && hw)
		vcpu->guest_dr7 = vmcs_readl(GUEST_DR7);
	else if (had_hw && !hw)
		vmcs_writel(GUEST_DR7, vcpu->guest_dr7);
	vcpu->dbg_control = d.control;
	vcpu->dbg_step_tf = (d.control & VTXHV_GUESTDBG_SINGLESTEP) &&
			    !vtxhv_has_mtf();
	if (hw) {
		for (i = 0; i < 4; i++)
			vcpu->dbg_dr[i] = d.debugreg[i];
		/* DR7.GD would fault on the guest's MOV DR: not offered. */
		vcpu->dbg_dr7 = (d.debugreg[7] & ~0xf800ULL) | 0x400;
		vmcs_writel(GUEST_DR7, vcpu->dbg_dr7);
	} else {
		memset(vcpu->dbg_dr, 0, sizeof(vcpu->dbg_dr));
		vcpu->dbg_dr7 = 0;
	}
	vcpu->dbg_step_done = false;
	vtxhv_vmcs_update_debug(vcpu);
	vtxhv_vcpu_put(vcpu);
	return 0;
}

/* The vCPU ioctls of the in-kernel irqchip: ENXIO without it. */
static long vcpu_irqchip_ioctl(struct vtxhv_vcpu *vcpu, unsigned int cmd,
			       void __user *argp)
{
	if (!vcpu->apic)
		return -ENXIO;
	switch (cmd) {
	case VTXHV_GET_MP_STATE:
		return vtxhv_get_mp_state(vcpu, argp);
	case VTXHV_SET_MP_STATE:
		return vtxhv_set_mp_state(vcpu, argp);
	case VTXHV_GET_LAPIC:
		return vtxhv_lapic_get_state(vcpu, argp);
	default:
		return vtxhv_lapic_set_state(vcpu, argp);
	}
}

static long vtxhv_vcpu_ioctl(struct file *filp, unsigned int cmd,
			     unsigned long arg)
{
	struct vtxhv_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long ret;

	if (current->mm != vcpu->vm->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	switch (cmd) {
	case VTXHV_RUN:
		ret = arg ? -EINVAL : vcpu_run(vcpu);
		break;
	case VTXHV_GET_REGS:
		ret = vcpu_get_regs(vcpu, argp);
		break;
	case VTXHV_SET_REGS:
		ret = vcpu_set_regs(vcpu, argp);
		break;
	case VTXHV_GET_SREGS:
		ret = vcpu_get_sregs(vcpu, argp);
		break;
	case VTXHV_SET_SREGS:
		ret = vcpu_set_sregs(vcpu, argp);
		break;
	case VTXHV_SET_CPUID:
		ret = vcpu_set_cpuid(vcpu, argp);
		break;
	case VTXHV_GET_MSRS:
		ret = vcpu_msrs(vcpu, argp, false);
		break;
	case VTXHV_SET_MSRS:
		ret = vcpu_msrs(vcpu, argp, true);
		break;
	case VTXHV_INTERRUPT:
		ret = vcpu_queue_interrupt(vcpu, argp);
		break;
	case VTXHV_NMI:
		ret = arg ? -EINVAL : vcpu->pending_nmi ? -EBUSY : 0;
		if (!ret)
			vcpu->pending_nmi = vcpu->want_inject = true;
		break;
	case VTXHV_SET_GUEST_DEBUG:
		ret = vcpu_set_guest_debug(vcpu, argp);
		break;
	case VTXHV_GET_FPU:
	case VTXHV_SET_FPU:
		ret = vcpu_fpu_ioctl(vcpu, cmd, argp);
		break;
	case VTXHV_GET_MP_STATE:
	case VTXHV_SET_MP_STATE:
	case VTXHV_GET_LAPIC:
	case VTXHV_SET_LAPIC:
		ret = vcpu_irqchip_ioctl(vcpu, cmd, argp);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&vcpu->mutex);
	return ret;
}

static vm_fault_t vtxhv_vcpu_fault(struct vm_fault *vmf)
{
	struct vtxhv_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(vcpu->run);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct vtxhv_vcpu_vm_ops = {
	.fault = vtxhv_vcpu_fault,
};

static int vtxhv_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma_pages(vma) != 1)
		return -EINVAL;
	vma->vm_ops = &vtxhv_vcpu_vm_ops;
	return 0;
}

static void flush_ack(void *unused)
{
}

/**
 * vtxhv_vcpu_flush_remote - make another vCPU flush before it runs again
 * @vcpu: the vCPU, of the caller's VM; not the caller's own
 *
 * Its shadow tables changed (shadow.c): it flushes its TLB before its next
 * entry, and if it runs guest code now, it is made to exit and this waits
 * until it has, so that the caller may free what the CPU walked.  The IPI
 * is taken only with interrupts on, after the VM exit: its completion
 * means the vCPU has left guest mode, and it reads the request again
 * (after setting IN_GUEST) before it enters.  May not be called with
 * interrupts off.
 */
void vtxhv_vcpu_flush_remote(struct vtxhv_vcpu *vcpu)
{
	int cpu;

	set_bit(VTXHV_REQ_TLB_FLUSH, &vcpu->requests);
	/* Pairs with smp_store_mb() of mode in vcpu_enter_exit(). */
	smp_mb__after_atomic();
	if (READ_ONCE(vcpu->mode) != VTXHV_IN_GUEST)
		return;
	cpu = READ_ONCE(vcpu->cpu);
	if (cpu >= 0)
		smp_call_function_single(cpu, flush_ack, NULL, 1);
}

static void vcpu_free(struct vtxhv_vcpu *vcpu)
{
	vtxhv_lapic_free(vcpu);
	kfree(vcpu->fpu);
	if (vcpu->vpid)
		ida_free(&vpid_ida, vcpu->vpid);
	__free_page(vcpu->vmcs);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu->cpuid);
	kfree(vcpu);
	atomic_long_dec(&vtxhv_counts.vcpus);
}

static int vtxhv_vcpu_release(struct inode *inode, struct file *filp)
{
	struct vtxhv_vcpu *vcpu = filp->private_data;
	struct vtxhv_vm *vm = vcpu->vm;

	mutex_lock(&vm->lock);
	WRITE_ONCE(vm->vcpus[vcpu->id], NULL);
	mutex_unlock(&vm->lock);
	/* Other vCPUs find it under RCU to send it interrupts (lapic.c). */
	if (vcpu->apic)
		synchronize_rcu();
	vcpu_free(vcpu);
	vtxhv_vm_put(vm);
	return 0;
}

static const struct file_operations vtxhv_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = vtxhv_vcpu_release,
	.unlocked_ioctl = vtxhv_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vtxhv_vcpu_mmap,
	.llseek = noop_llseek,
};

/* VMCLEAR a new VMCS region once, in VMX operation, before any VMPTRLD. */
static int vmcs_init(struct vtxhv_vcpu *vcpu)
{
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	ret = vtxhv_vmx_get();
	if (!ret) {
		if (vmx_vmclear(&vcpu->vmcs_pa))
			ret = -EIO;
		vtxhv_vmx_put();
	}
	local_irq_restore(flags);
	return ret;
}

int vtxhv_create_vcpu(struct vtxhv_vm *vm, unsigned long id)
{
	struct vtxhv_vcpu *vcpu;
	int ret, fd;

	if (id >= VTXHV_MAX_VCPUS)
		return -EINVAL;
	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	vcpu->pending_irq = -1;
	vcpu->sh.root = -1;
	mutex_init(&vcpu->mutex);
	rcuwait_init(&vcpu->wait);
	/* With the in-kernel irqchip, APs wait for INIT and SIPI. */
	vcpu->mp_state = id && vm->ioapic ? VTXHV_MP_STATE_UNINITIALIZED :
					    VTXHV_MP_STATE_RUNNABLE;
	ret = -ENOMEM;
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run)
		goto out_free;
	vcpu->vmcs = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vcpu->vmcs)
		goto out_run;
	*(u32 *)page_address(vcpu->vmcs) = vmcs_config.revision_id;
	vcpu->vmcs_pa = page_to_phys(vcpu->vmcs);
	/* Not a base (not canonical): the first entry writes HOST_FS_BASE. */
	vcpu->host_fs_base = ~0UL;
	vcpu->fpu = vtxhv_fpu_alloc();
	if (!vcpu->fpu)
		goto out_vmcs;
	if (vm->ioapic && vtxhv_lapic_create(vcpu))
		goto out_fpu;
	if (cpu_has_vmx_vpid()) {
		ret = ida_alloc_range(&vpid_ida, 1, 0xffff, GFP_KERNEL);
		vcpu->vpid = ret < 0 ? 0 : ret;
	}

	/* VMCLEAR initialises the launch state (SDM 24.11.3). */
	ret = vmcs_init(vcpu);
	if (ret)
		goto out_vpid;
	ret = vtxhv_vcpu_load(vcpu);
	if (ret)
		goto out_vpid;
	ret = vtxhv_vmcs_setup(vcpu);
	vtxhv_vcpu_put(vcpu);
	if (ret)
		goto out_vpid;

	mutex_lock(&vm->lock);
	if (vm->vcpus[id]) {
		mutex_unlock(&vm->lock);
		ret = -EEXIST;
		goto out_vpid;
	}
	WRITE_ONCE(vm->vcpus[id], vcpu);
	kref_get(&vm->ref);
	mutex_unlock(&vm->lock);
	atomic_long_inc(&vtxhv_counts.vcpus);

	fd = anon_inode_getfd("vtxhv-vcpu", &vtxhv_vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		mutex_lock(&vm->lock);
		WRITE_ONCE(vm->vcpus[id], NULL);
		mutex_unlock(&vm->lock);
		vcpu_free(vcpu);
		vtxhv_vm_put(vm);
	}
	return fd;

out_vpid:
	if (vcpu->vpid)
		ida_free(&vpid_ida, vcpu->vpid);
	vtxhv_lapic_free(vcpu);
out_fpu:
	kfree(vcpu->fpu);
out_vmcs:
	__free_page(vcpu->vmcs);
out_run:
	free_page((unsigned long)vcpu->run);
out_free:
	kfree(vcpu);
	return ret;
}
