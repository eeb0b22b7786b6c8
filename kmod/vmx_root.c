// SPDX-License-Identifier: GPL-2.0
/*
 * VMX root operation: the load-time checks, the capability configuration,
 * and VMXON/VMXOFF.
 *
 * A CPU is in VMX operation only while vtxhv uses it, with interrupts
 * disabled: vtxhv_vmx_get() sets CR4.VMXE and executes VMXON,
 * vtxhv_vmx_put() executes VMXOFF and clears CR4.VMXE.  The kernel keeps a
 * per-CPU copy of CR4 and rewrites CR4 from it (TLB flushes, perf, TSD on
 * context switch); the only means to update that copy are exported to
 * KVM alone on current kernels, so vtxhv never lets the kernel run with
 * a CR4.VMXE the copy lacks: with interrupts off and no sleeping, nothing
 * else runs on the CPU in between.
 *
 * Each online CPU gets its VMXON region, and is tried once (VMXON, VMXOFF),
 * through the kernel's cpuhp state machine; a failure on any CPU while
 * loading unwinds the CPUs already done.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <asm/cpufeature.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>

#include "vtxhv.h"
#include "vmx_ops.h"

struct vmcs_config vmcs_config;

struct vtxhv_cpu {
	struct page *vmxon_region;
	u32 *vmxon_id;		/* its revision identifier */
	u64 vmxon_pa;		/* its physical address, for VMXON */
	bool ready;		/* region allocated, VMXON tried */
	unsigned int depth;	/* vtxhv_vmx_get() nesting */
};

static DEFINE_PER_CPU(struct vtxhv_cpu, vtxhv_cpu);
static atomic_t cpus_in_vmx = ATOMIC_INIT(0);
static enum cpuhp_state vtxhv_hp_state;
static bool vtxhv_rebooting;

/*
 * The controls the module needs whatever the guest: a CPU lacking one is
 * refused at load time, naming it.  Optional features (EPT, VPID,
 * unrestricted guest) are reported through VTXHV_GET_CAPS instead.
 */
struct vmx_required {
	const char *name;
	int ctl;		/* which control MSR */
	u32 bits;
};

enum { VCTL_PIN, VCTL_PROC, VCTL_PROC2, VCTL_EXIT, VCTL_ENTRY };

static const struct vmx_required vmx_required[] = {
	{ "external-interrupt exiting", VCTL_PIN, PIN_BASED_EXT_INTR_MASK },
	{ "NMI exiting", VCTL_PIN, PIN_BASED_NMI_EXITING },
	{ "HLT exiting", VCTL_PROC, CPU_BASED_HLT_EXITING },
	{ "I/O bitmaps", VCTL_PROC, CPU_BASED_USE_IO_BITMAPS },
	{ "MSR bitmaps", VCTL_PROC, CPU_BASED_USE_MSR_BITMAPS },
	{ "CR3-load exiting", VCTL_PROC, CPU_BASED_CR3_LOAD_EXITING },
	{ "INVLPG exiting", VCTL_PROC, CPU_BASED_INVLPG_EXITING },
	{ "secondary controls", VCTL_PROC,
	  CPU_BASED_ACTIVATE_SECONDARY_CONTROLS },
	{ "64-bit host", VCTL_EXIT, VM_EXIT_HOST_ADDR_SPACE_SIZE },
	{ "load IA32_EFER on exit", VCTL_EXIT, VM_EXIT_LOAD_IA32_EFER },
	{ "save IA32_EFER on exit", VCTL_EXIT, VM_EXIT_SAVE_IA32_EFER },
	{ "load IA32_PAT on exit", VCTL_EXIT, VM_EXIT_LOAD_IA32_PAT },
	{ "IA-32e mode guest", VCTL_ENTRY, VM_ENTRY_IA32E_MODE },
	{ "load IA32_EFER on entry", VCTL_ENTRY, VM_ENTRY_LOAD_IA32_EFER },
	{ "load IA32_PAT on entry", VCTL_ENTRY, VM_ENTRY_LOAD_IA32_PAT },
};

static u64 vmx_ctl_msr(int ctl)
{
	switch (ctl) {
	case VCTL_PIN:
		return vmcs_config.pin;
	case VCTL_PROC:
		return vmcs_config.proc;
	case VCTL_PROC2:
		return vmcs_config.proc2;
	case VCTL_EXIT:
		return vmcs_config.exit;
	default:
		return vmcs_config.entry;
	}
}

/* Read the capability MSRs once (Intel SDM Vol. 3D, A.1-A.10). */
static void vmx_read_config(void)
{
	struct vmcs_config *c = &vmcs_config;
	bool true_ctls;

	rdmsrl(MSR_IA32_VMX_BASIC, c->basic);
	c->revision_id = c->basic & VTXHV_VMX_BASIC_REVISION_MASK;
	c->vmcs_size = (c->basic & VTXHV_VMX_BASIC_VMCS_SIZE_MASK) >>
		       VTXHV_VMX_BASIC_VMCS_SIZE_SHIFT;
	c->vmcs_memtype = (c->basic & VTXHV_VMX_BASIC_MEM_TYPE_MASK) >>
			  VTXHV_VMX_BASIC_MEM_TYPE_SHIFT;
	true_ctls = c->basic & VTXHV_VMX_BASIC_TRUE_CTLS;

	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			   MSR_IA32_VMX_PINBASED_CTLS, c->pin);
	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			   MSR_IA32_VMX_PROCBASED_CTLS, c->proc);
	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			   MSR_IA32_VMX_EXIT_CTLS, c->exit);
	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			   MSR_IA32_VMX_ENTRY_CTLS, c->entry);
	rdmsrl(MSR_IA32_VMX_MISC, c->misc);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1);

	c->proc2 = 0;
	c->ept_vpid_cap = 0;
	/* The secondary and EPT/VPID MSRs exist only if advertised (A.3.3). */
	if (vmx_ctl_allows(c->proc, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)) {
		rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, c->proc2);
		if (vmx_ctl_allows(c->proc2, SECONDARY_EXEC_ENABLE_EPT) ||
		    vmx_ctl_allows(c->proc2, SECONDARY_EXEC_ENABLE_VPID))
			rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, c->ept_vpid_cap);
	}
}

static bool cpu_has_vmx_cpuid(void)
{
	/* CPUID.1:ECX.VMX[bit 5]; the kernel's own flag is cleared when
	 * firmware disabled VMX, and we want to tell the two cases apart.
	 */
	return cpuid_ecx(1) & BIT(5);
}

static bool vmx_disabled_by_firmware(u64 *feat)
{
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, feat))
		return true;
	return !(*feat & FEAT_CTL_LOCKED) ||
	       !(*feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX);
}

static void vmx_check_vmxe(void *busy)
{
	if (vtxhv_read_cr4() & X86_CR4_VMXE)
		cpumask_set_cpu(smp_processor_id(), busy);
}

static void vmx_busy_msg(int cpu)
{
	pr_err_ratelimited("VMX is in use by another hypervisor on CPU %d (CR4.VMXE is set): rmmod kvm_intel first\n",
			   cpu);
}

/**
 * vtxhv_vmx_get - enter VMX root operation on this CPU, or stay in it
 *
 * Called with interrupts disabled; nests.  Enters VMX operation as the
 * SDM requires (Vol. 3C 24.7, 24.8): CR4.VMXE set, then VMXON with a 4 KiB
 * region that starts with the VMCS revision identifier.
 *
 * Return: 0; -EBUSY when another hypervisor (kvm_intel) holds VMX on this
 * CPU; -ENODEV when the CPU was not prepared; -EIO when VMXON failed.
 */
int vtxhv_vmx_get(void)
{
	struct vtxhv_cpu *c = this_cpu_ptr(&vtxhv_cpu);
	unsigned long cr4;

	lockdep_assert_irqs_disabled();
	if (c->depth) {
		c->depth++;
		return 0;
	}
	if (!c->ready || READ_ONCE(vtxhv_rebooting))
		return -ENODEV;
	cr4 = vtxhv_read_cr4();
	if (cr4 & X86_CR4_VMXE) {
		vmx_busy_msg(smp_processor_id());
		return -EBUSY;
	}
	*c->vmxon_id = vmcs_config.revision_id;
	vtxhv_write_cr4(cr4 | X86_CR4_VMXE);
	if (vmx_vmxon(&c->vmxon_pa)) {
		vtxhv_write_cr4(cr4);
		pr_err_ratelimited("CPU %d: VMXON failed\n", smp_processor_id());
		return -EIO;
	}
	c->depth = 1;
	return 0;
}

/* Leave VMX operation on this CPU when the outermost user is done. */
void vtxhv_vmx_put(void)
{
	struct vtxhv_cpu *c = this_cpu_ptr(&vtxhv_cpu);

	lockdep_assert_irqs_disabled();
	if (WARN_ON_ONCE(!c->depth) || --c->depth)
		return;
	/* Every VMCS used here was cleared by vtxhv_vcpu_put() already. */
	if (vmx_vmxoff())
		pr_err_ratelimited("CPU %d: VMXOFF failed\n",
				   smp_processor_id());
	vtxhv_write_cr4(vtxhv_read_cr4() & ~X86_CR4_VMXE);
}

/**
 * vtxhv_vmx_check - may this machine run vtxhv?
 *
 * Return: 0, or the errno documented in README.md with one line in the
 * kernel log: -ENODEV no VMX, -EPERM disabled in firmware, -EOPNOTSUPP a
 * required capability is missing, -EBUSY another hypervisor holds VMX.
 */
int vtxhv_vmx_check(void)
{
	cpumask_var_t busy;
	unsigned int i;
	u64 feat;
	int cpu;

	/* require: VMX in CPUID */
	if (!cpu_has_vmx_cpuid()) {
		pr_err("this CPU has no VMX (Intel VT-x): cannot load\n");
		return -ENODEV;
	}
	/* require: IA32_FEATURE_CONTROL locked with VMX outside SMX enabled */
	if (vmx_disabled_by_firmware(&feat)) {
		pr_err("VT-x is disabled in firmware (IA32_FEATURE_CONTROL=%#llx): enable it in the BIOS setup\n",
		       feat);
		return -EPERM;
	}

	vmx_read_config();
	/* require: VMCS in write-back memory, no larger than a page (A.1) */
	if (vmcs_config.vmcs_memtype != VTXHV_VMX_BASIC_MEM_TYPE_WB ||
	    vmcs_config.vmcs_size > PAGE_SIZE ||
	    (vmcs_config.basic & VTXHV_VMX_BASIC_32BIT_ADDR)) {
		pr_err("required VMX capability missing: write-back VMCS of at most 4 KiB with 64-bit addresses (IA32_VMX_BASIC=%#llx)\n",
		       vmcs_config.basic);
		return -EOPNOTSUPP;
	}
	for (i = 0; i < ARRAY_SIZE(vmx_required); i++) {
		const struct vmx_required *r = &vmx_required[i];

		if (!vmx_ctl_allows(vmx_ctl_msr(r->ctl), r->bits)) {
			pr_err("required VMX capability missing: %s\n",
			       r->name);
			return -EOPNOTSUPP;
		}
	}

	/* require: no other hypervisor in VMX operation on any CPU */
	if (!zalloc_cpumask_var(&busy, GFP_KERNEL))
		return -ENOMEM;
	on_each_cpu(vmx_check_vmxe, busy, 1);
	cpu = cpumask_first(busy);
	free_cpumask_var(busy);
	if (cpu < nr_cpu_ids) {
		pr_err("VMX is in use by another hypervisor on CPU %d (CR4.VMXE is set): rmmod kvm_intel first\n",
		       cpu);
		return -EBUSY;
	}
	return 0;
}

/*
 * Make this CPU ready for VMX: the firmware allows it, CR0 satisfies the
 * fixed-bit MSRs, and VMXON works (tried once, and left again).
 */
static int vmx_cpu_enable(struct vtxhv_cpu *c)
{
	int cpu = smp_processor_id();
	unsigned long cr0 = read_cr0();
	u64 feat;
	int ret;

	if (vtxhv_read_cr4() & X86_CR4_VMXE) {
		pr_err("VMX is in use by another hypervisor on CPU %d (CR4.VMXE is set): rmmod kvm_intel first\n",
		       cpu);
		return -EBUSY;
	}
	if (vmx_disabled_by_firmware(&feat)) {
		pr_err("VT-x is disabled in firmware on CPU %d (IA32_FEATURE_CONTROL=%#llx)\n",
		       cpu, feat);
		return -EPERM;
	}
	if ((cr0 & vmcs_config.cr0_fixed0) != vmcs_config.cr0_fixed0 ||
	    (cr0 & ~vmcs_config.cr0_fixed1)) {
		pr_err("CPU %d: CR0 %#lx does not satisfy the VMX fixed bits\n",
		       cpu, cr0);
		return -EIO;
	}

	c->ready = true;
	ret = vtxhv_vmx_get();
	if (ret) {
		c->ready = false;
		pr_err("CPU %d: VMXON failed (%d)\n", cpu, ret);
		return ret;
	}
	vtxhv_vmx_put();
	atomic_inc(&cpus_in_vmx);
	return 0;
}

/* This CPU goes offline or the module away: no more VMX here. */
static void vmx_cpu_disable(struct vtxhv_cpu *c)
{
	if (!c->ready)
		return;
	c->ready = false;
	atomic_dec(&cpus_in_vmx);
}

/* cpuhp startup callback: runs on @cpu itself, for each CPU coming online. */
static int vtxhv_cpu_online(unsigned int cpu)
{
	struct vtxhv_cpu *c = per_cpu_ptr(&vtxhv_cpu, cpu);
	unsigned long flags;
	int ret;

	if (READ_ONCE(vtxhv_rebooting))
		return 0;
	if (!c->vmxon_region) {
		c->vmxon_region = alloc_pages_node(cpu_to_node(cpu),
						   GFP_KERNEL | __GFP_ZERO, 0);
		if (!c->vmxon_region)
			return -ENOMEM;
		c->vmxon_id = page_address(c->vmxon_region);
		c->vmxon_pa = page_to_phys(c->vmxon_region);
	}
	local_irq_save(flags);
	ret = vmx_cpu_enable(c);
	local_irq_restore(flags);
	if (ret) {
		__free_page(c->vmxon_region);
		c->vmxon_region = NULL;
	}
	return ret;
}

/* cpuhp teardown callback: runs on @cpu before it goes offline. */
static int vtxhv_cpu_offline(unsigned int cpu)
{
	struct vtxhv_cpu *c = per_cpu_ptr(&vtxhv_cpu, cpu);
	unsigned long flags;

	local_irq_save(flags);
	vmx_cpu_disable(c);
	local_irq_restore(flags);
	if (c->vmxon_region) {
		__free_page(c->vmxon_region);
		c->vmxon_region = NULL;
	}
	return 0;
}

/*
 * VMX operation blocks INIT (Intel SDM Vol. 3C 24.8), which a reboot may use
 * to reset the other CPUs: enter it no more once the kernel goes down.
 * (A CPU is in VMX operation only with interrupts off, so the IPIs of the
 * shutdown find every CPU outside it.)
 */
static int vtxhv_reboot(struct notifier_block *nb, unsigned long code,
			void *unused)
{
	WRITE_ONCE(vtxhv_rebooting, true);
	return NOTIFY_OK;
}

static struct notifier_block vtxhv_reboot_nb = {
	.notifier_call = vtxhv_reboot,
};

unsigned int vtxhv_cpus_in_vmx(void)
{
	return atomic_read(&cpus_in_vmx);
}

bool vtxhv_vmx_usable(void)
{
	return !READ_ONCE(vtxhv_rebooting);
}

/**
 * vtxhv_vmx_root_init - enter VMX root operation on every online CPU
 *
 * Return: 0, or the first CPU's error, with every CPU left out of VMX.
 */
int vtxhv_vmx_root_init(void)
{
	int ret;

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "vtxhv:online",
				vtxhv_cpu_online, vtxhv_cpu_offline);
	if (ret < 0)
		return ret;
	vtxhv_hp_state = ret;
	register_reboot_notifier(&vtxhv_reboot_nb);
	pr_info("VMX ready on %u CPUs (VMCS revision %#x)\n",
		vtxhv_cpus_in_vmx(), vmcs_config.revision_id);
	return 0;
}

void vtxhv_vmx_root_exit(void)
{
	unregister_reboot_notifier(&vtxhv_reboot_nb);
	cpuhp_remove_state(vtxhv_hp_state);
	WARN_ON_ONCE(vtxhv_cpus_in_vmx());
}

void vtxhv_fill_caps(struct vtxhv_caps *caps)
{
	const struct vmcs_config *c = &vmcs_config;
	u64 ev = c->ept_vpid_cap;
	u32 f = 0;

	if (cpu_has_vmx_ept())
		f |= VTXHV_FEAT_EPT;
	if (cpu_has_vmx_vpid())
		f |= VTXHV_FEAT_VPID;
	if (cpu_has_vmx_unrestricted_guest())
		f |= VTXHV_FEAT_UNRESTRICTED_GUEST;
	if (cpu_has_vmx_ept() && (ev & VMX_EPT_2MB_PAGE_BIT))
		f |= VTXHV_FEAT_EPT_2M;
	if (cpu_has_vmx_ept() && (ev & VMX_EPT_1GB_PAGE_BIT))
		f |= VTXHV_FEAT_EPT_1G;
	if (cpu_has_vmx_ept() && (ev & VMX_EPT_AD_BIT))
		f |= VTXHV_FEAT_EPT_AD;
	if (vmx_ctl_allows(c->pin, PIN_BASED_VMX_PREEMPTION_TIMER))
		f |= VTXHV_FEAT_PREEMPTION_TIMER;
	if (vmx_ctl_allows(c->proc, CPU_BASED_USE_MSR_BITMAPS))
		f |= VTXHV_FEAT_MSR_BITMAP;
	if (vmx_ctl_allows(c->proc, CPU_BASED_USE_IO_BITMAPS))
		f |= VTXHV_FEAT_IO_BITMAP;
	if (cpu_has_proc2(SECONDARY_EXEC_ENABLE_INVPCID))
		f |= VTXHV_FEAT_INVPCID;
	if (cpu_has_proc2(VTXHV_SECONDARY_EXEC_XSAVES))
		f |= VTXHV_FEAT_XSAVES;
	if (vmx_ctl_allows(c->pin, PIN_BASED_VIRTUAL_NMIS))
		f |= VTXHV_FEAT_VIRTUAL_NMIS;
	if (cpu_has_vmx_ept() && (ev & VMX_EPT_EXTENT_CONTEXT_BIT))
		f |= VTXHV_FEAT_INVEPT_SINGLE;
	if (cpu_has_vmx_vpid() &&
	    (ev & (VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT << 32)))
		f |= VTXHV_FEAT_INVVPID_SINGLE;
	if (vmx_ctl_allows(c->proc, CPU_BASED_USE_TSC_OFFSETTING))
		f |= VTXHV_FEAT_TSC_OFFSET;
	if (cpu_has_proc2(SECONDARY_EXEC_SHADOW_VMCS))
		f |= VTXHV_FEAT_SHADOW_VMCS;
	if (cpu_has_proc2(SECONDARY_EXEC_ENABLE_PML))
		f |= VTXHV_FEAT_PML;

	caps->features = f;
	caps->used_features = f & (VTXHV_FEAT_MSR_BITMAP | VTXHV_FEAT_IO_BITMAP |
				   VTXHV_FEAT_EPT | VTXHV_FEAT_EPT_2M |
				   VTXHV_FEAT_VPID | VTXHV_FEAT_TSC_OFFSET |
				   VTXHV_FEAT_UNRESTRICTED_GUEST |
				   VTXHV_FEAT_INVEPT_SINGLE |
				   VTXHV_FEAT_INVVPID_SINGLE);
	/* Shadow paging needs nothing beyond what loading required. */
	caps->paging_modes = 1U << VTXHV_PAGING_VTLB |
			     1U << VTXHV_PAGING_SHADOW;
	if (cpu_has_vmx_ept() && cpu_has_vmx_unrestricted_guest() &&
	    !vtxhv_force_shadow)
		caps->paging_modes |= 1U << VTXHV_PAGING_EPT;
	caps->cpus_online = num_online_cpus();
	caps->cpus_in_vmx = vtxhv_cpus_in_vmx();
	caps->vmcs_revision = c->revision_id;
	caps->vmcs_size = c->vmcs_size;
	caps->vmcs_memtype = c->vmcs_memtype;
	caps->vmx_basic = c->basic;
	caps->pinbased_ctls = c->pin;
	caps->procbased_ctls = c->proc;
	caps->procbased_ctls2 = c->proc2;
	caps->exit_ctls = c->exit;
	caps->entry_ctls = c->entry;
	caps->vmx_misc = c->misc;
	caps->cr0_fixed0 = c->cr0_fixed0;
	caps->cr0_fixed1 = c->cr0_fixed1;
	caps->cr4_fixed0 = c->cr4_fixed0;
	caps->cr4_fixed1 = c->cr4_fixed1;
	caps->ept_vpid_cap = ev;
	caps->extensions = VTXHV_EXT_IRQCHIP | VTXHV_EXT_GUEST_DEBUG |
			   VTXHV_EXT_FPU;
	if (cpu_has_vmx_rdtscp())
		caps->extensions |= VTXHV_EXT_RDTSCP;
}
