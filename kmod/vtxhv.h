/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtxhv internals shared between the module's files: the VM and vCPU
 * structures, and each file's entry points.  What the CPU's VMX can do is
 * in caps.h.
 */
#ifndef VTXHV_H
#define VTXHV_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/types.h>
#include <asm/vmx.h>

#include "../uapi/vtxhv.h"
#include "../uapi/vtxhv_genl.h"
#include "caps.h"
#include "emulate.h"
#include "lapic.h"
#include "vmx_arch.h"
#include "vmx_ops.h"

#define VTXHV_VERSION		"0.1"
#define VTXHV_MAX_VCPUS		8
#define VTXHV_MAX_MEM_SLOTS	32

/*
 * The CPU's own CR4, not the kernel's per-CPU copy of it: the copy never
 * has CR4.VMXE, which vtxhv sets and clears itself (vmx_root.c).
 */
static inline unsigned long vtxhv_read_cr4(void)
{
	unsigned long cr4;

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	return cr4;
}

static inline void vtxhv_write_cr4(unsigned long cr4)
{
	asm volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
}

/* General registers in encoding order; RSP lives in the VMCS. */
enum {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI,
	GPR_RDI, GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13,
	GPR_R14, GPR_R15, NR_GPRS
};

/* What vmenter.S saves and restores: keep in sync with its offsets. */
struct vtxhv_gprs {
	u64 r[NR_GPRS];
	u64 cr2;
};

struct vtxhv_slot {
	u64 gpa;
	u64 size;		/* 0: unused */
	u64 uaddr;
	u32 flags;		/* VTXHV_MEM_* */
	struct page **pages;	/* pinned pages, one per 4 KiB (or NULL) */
};

/* Module-wide accounting, for the leak checks of the tests. */
struct vtxhv_counts {
	atomic_long_t vms;
	atomic_long_t vcpus;
	atomic_long_t ept_pages;
	atomic_long_t pinned_pages;
	atomic_long_t shadow_pages;
};

extern struct vtxhv_counts vtxhv_counts;

struct vtxhv_vcpu;

struct vtxhv_vm {
	struct kref ref;
	struct list_head link;	/* on vtxhv_vms, under vtxhv_vms_lock */
	struct mutex lock;	/* slots, EPT tables, vcpus[] */
	struct mm_struct *mm;	/* the creator's: slot addresses are there */
	u32 paging;		/* VTXHV_PAGING_* */
	int id;
	/*
	 * Written under lock and inside slots_seq; read under lock, or
	 * without it through vtxhv_slot_get() (exit paths that run while
	 * SET_MEMORY_REGION may change a slot).
	 */
	seqcount_mutex_t slots_seq;
	struct vtxhv_slot slots[VTXHV_MAX_MEM_SLOTS];
	unsigned int nr_slots;	/* highest slot in use + 1 */
	unsigned int last_slot;	/* vtxhv_find_slot()'s hint */
	struct vtxhv_vcpu *vcpus[VTXHV_MAX_VCPUS];
	u64 eptp;		/* 0 in the shadow paging modes */
	u64 *ept_root;
	struct vtxhv_mmu *mmu;	/* shadow paging (shadow.c), or NULL */
	struct list_head ept_pages;
	s64 tsc_offset;
	unsigned long pin_limit;	/* pages, ULONG_MAX: no limit */
	/* For operators (netlink): who made it, when, what it does now. */
	pid_t pid;
	uid_t uid;
	char comm[TASK_COMM_LEN];
	u64 created_ns;
	atomic_t running;	/* vCPUs inside VTXHV_RUN */
	bool shutdown;		/* a vCPU triple-faulted */
	/* VTXHV_VM_IRQCHIP: the I/O APIC (irqchip.c), else NULL. */
	struct ioapic *ioapic;
	raw_spinlock_t ioapic_lock;
};

/* vtxhv_vcpu.requests: set by other CPUs, then vtxhv_kick(). */
#define VTXHV_REQ_EVENT		0	/* look at the local APIC */
#define VTXHV_REQ_TLB_FLUSH	1	/* shadows changed: flush first */
/* vtxhv_vcpu.mode */
#define VTXHV_OUTSIDE_GUEST	0
#define VTXHV_IN_GUEST		1

/* An I/O or MMIO instruction waiting for userspace to complete it. */
enum vtxhv_pending {
	PENDING_NONE,
	PENDING_IN,		/* IN: data to RAX */
	PENDING_EMU_READ,	/* MMIO read: run the instruction again */
	PENDING_EMU_PIO,	/* INS: run the instruction again */
	PENDING_MMIO_WRITES,	/* more MMIO writes of one instruction */
	PENDING_HYPERCALL,	/* VMCALL: ret to RAX */
};

#define VTXHV_NR_EXIT_REASONS	80

/*
 * An instruction emulated across exits to userspace (user_exit.c): the
 * MMIO reads userspace answered, in order, for the runs that follow; the
 * MMIO writes of the run that completed it, handed out one an exit.
 * Accesses of more than 8 bytes, or crossing a page, take several.
 */
#define VTXHV_EMU_ACCESSES	4

struct vtxhv_emu_write {
	u64 gpa;
	u8 len;
	u8 data[8];
};

/* What the emulator's callbacks work on (struct emu.priv). */
struct vtxhv_emu_priv {
	struct vtxhv_vcpu *vcpu;
	bool atomic;		/* page faults disabled, guest FPU loaded */
	unsigned int used;	/* answered MMIO reads consumed this run */
	/* The last access, for the guest's data breakpoints (exits.c). */
	u64 la;
	unsigned int size;
	bool write;
};

struct vtxhv_emu_state {
	u8 insn[INSN_MAX_LEN];
	u8 insn_len;		/* bytes fetched */
	u8 nreads;		/* answered by userspace */
	u8 read_len;		/* the read userspace answers now */
	u8 reads[VTXHV_EMU_ACCESSES][8];
	u8 nwrites, next_write;
	struct vtxhv_emu_write writes[VTXHV_EMU_ACCESSES];
	/* INS, OUTS: elements per run, and their data in the run page */
	unsigned int pio_max;
	bool pio_single;	/* DR7 enables a breakpoint: one a run */
	bool pio_wait;		/* an IN waits for userspace */
	bool pio_ready;		/* which has answered it */
	bool pio_out;		/* OUT data for userspace */
};

/*
 * The guest state an exit handler needs once preemption is enabled again
 * (guest memory is reached through user copies, which may sleep, while
 * the VMCS may be read only with preemption disabled): a snapshot.
 */
struct vtxhv_exit_ctx {
	u32 reason;
	u32 insn_info;
	u32 insn_len;
	u32 cs_ar, ss_ar;
	unsigned long qual;
	u64 gpa;
	/*
	 * The linear address the CPU translated to @gpa, when it did (an
	 * EPT violation with a valid one, a shadow-mode #PF): the emulator
	 * needs no page walk for that page.  @gla_acc: 0 none, else
	 * PFERR_W or not: whether the guest's tables allowed a write.
	 */
	u64 gla;
	u32 gla_acc;
	u64 cr0, cr3, cr4, efer;
	u64 rip, rsp, rflags;
	u64 seg_base[6];	/* ES CS SS DS FS GS, the VMX order */
	u32 intr_error;		/* exception exits: the error code */
};

/* Shadow paging: the shadow table formats (shadow.c). */
enum { SH_PHYS, SH_32, SH_PAE, SH_LM };
#define SH_MAX_ROOTS		16

/* What vtxhv_shadow_prepare() must do before the next entry. */
#define VTXHV_SH_RELOAD_ROOT	BIT(0)	/* switch to the root for CR3 */
#define VTXHV_SH_RELOAD_PDPTE	BIT(1)	/* read the PAE PDPTEs first */
#define VTXHV_SH_RELOAD_RESET	BIT(2)	/* drop every shadow */

/*
 * The guest's own view of its paging registers in the shadow modes, where
 * the CPU runs with other values (real CR3 is a shadow root; real CR0
 * has PE, PG and WP set; real CR4 has PAE; real EFER.LME follows LMA).
 */
struct vtxhv_shadow_state {
	u64 cr0, cr3, cr4, efer;
	u64 pdpte[4];		/* PAE: the PDPTE registers */
	u32 reload;		/* VTXHV_SH_RELOAD_* */
	int root;		/* the shadow root it runs on, or -1 */
};

/* vcpu->guest_msrs: the guest's values in the CPU (vcpu.c) */
#define VTXHV_GUEST_KGS		BIT(0)	/* KERNEL_GS_BASE */
#define VTXHV_GUEST_SYSCALL	BIT(1)	/* STAR, LSTAR, CSTAR, SFMASK */

struct vtxhv_vcpu {
	struct vtxhv_vm *vm;
	int id;
	struct mutex mutex;	/* one ioctl at a time */
	struct vtxhv_run *run;
	struct page *vmcs;
	u64 vmcs_pa;		/* its physical address */
	u16 vpid;
	int cpu;		/* where it was loaded last, or -1 */
	bool launched;		/* VMRESUME, not VMLAUNCH */
	bool need_flush;	/* INVEPT/INVVPID before the next entry */
	unsigned long irq_flags;	/* while loaded: vtxhv_vcpu_load() */
	unsigned int load_depth;	/* nested vtxhv_vcpu_load()s */
	struct vtxhv_gprs gprs;

	/*
	 * Host state saved from switch_to_guest() to switch_to_host()
	 * (switched); KERNEL_GS_BASE and the syscall MSRs only while the
	 * guest's are in the CPU (guest_msrs: VTXHV_GUEST_*).
	 */
	bool switched;
	u8 guest_msrs;
	u16 host_ds, host_es, host_fs, host_gs;
	unsigned long host_fs_base;	/* as in the VMCS */
	unsigned long host_kernel_gs_base;
	unsigned long host_cr3, host_cr4;
	u64 host_debugctl;
	unsigned long host_dr7, host_dr[4];
	bool guest_drs_loaded;	/* DR0-3 hold the guest's */

	/* Guest state the VMCS does not hold. */
	u64 guest_msr[4];	/* STAR, LSTAR, CSTAR, SFMASK */
	u64 kernel_gs_base;
	u64 tsc_aux;		/* RDTSCP's ECX, RDPID's result */
	/*
	 * The guest's CPUID shows RDTSCP or RDPID (vcpu_set_cpuid()): the
	 * two run ("enable RDTSCP") and TSC_AUX is the guest's while it
	 * runs; without, they are #UD and TSC_AUX does not exist, as on a
	 * CPU that lacks them.
	 */
	bool rdtscp;
	u64 apic_base, misc_enable, mtrr_def_type;
	u64 xcr0;
	u64 dr[4], dr6;
	u64 cr8;

	/*
	 * VTXHV_SET_GUEST_DEBUG: what the debugger asked for.  While it owns
	 * the breakpoints (USE_HW_BP), GUEST_DR7 and DR0-3 in the CPU are
	 * its own, and the guest's DR7 waits in guest_dr7.
	 */
	u32 dbg_control;	/* VTXHV_GUESTDBG_*, 0 when detached */
	u64 dbg_dr[4];
	unsigned long dbg_dr7, guest_dr7;
	bool dbg_step_done;	/* an emulated insn completed: stop */
	bool dbg_step_tf;	/* single steps by RFLAGS.TF, not MTF */
	bool dbg_tf_added;	/* TF set for this entry only */
	/*
	 * DR6 B0-B3 of the guest's own I/O breakpoints that the port I/O
	 * instruction being emulated matched: its #DB trap comes once the
	 * instruction (or one iteration of it) is done.
	 */
	u64 db_hits;
	/* A data access vtxhv emulates, for the guest's data breakpoints. */
	u64 db_gla;
	u8 db_size;
	bool db_write;
	void *fpu;		/* XSAVE (or FXSAVE) area: fpu.c */

	struct vtxhv_cpuid_entry *cpuid;
	u32 cpuid_nent;

	/* Events userspace queued (VTXHV_INTERRUPT, VTXHV_NMI). */
	int pending_irq;	/* vector, or -1 */
	bool pending_nmi;
	bool vnmi;		/* virtual NMIs: NMI blocking is tracked */
	u32 windows;		/* interrupt/NMI-window exiting bits set */
	bool want_inject;	/* any of the above, or a window request */

	/* VTXHV_VM_IRQCHIP (lapic.h, irqchip.c); apic is NULL otherwise. */
	struct vtxhv_lapic *apic;
	u32 mp_state;		/* VTXHV_MP_STATE_* */
	bool halt_if;		/* RFLAGS.IF at the last HLT */
	int mode;		/* VTXHV_IN_GUEST, VTXHV_OUTSIDE_GUEST */
	unsigned long requests;	/* VTXHV_REQ_* bits */
	struct rcuwait wait;	/* HLT, wait-for-SIPI */
	u64 halts, sipis;

	/* Instruction completion after a return to userspace. */
	enum vtxhv_pending pending;
	u8 pending_size;
	struct vtxhv_emu_state emu;

	struct vtxhv_exit_ctx ctx;
	/* Statistics, read unlocked by netlink (single writer: this vCPU). */
	u64 exits[VTXHV_NR_EXIT_REASONS];
	u64 guest_tsc, exit_tsc;	/* TSC ticks in the guest, in exits */
	u64 last_exit_tsc;
	u64 injected;
	u64 ept_violations;
	u64 sh_stats[VTXHV_SH_NR];	/* enum vtxhv_shadow_stat */

	struct vtxhv_shadow_state sh;
};

/* Return values of exit handlers (the contract of exits.c). */
#define EXIT_TO_GUEST	1	/* resume the guest */
#define EXIT_TO_USER	0	/* run structure filled: back to userspace */
#define EXIT_SLEEPABLE	2	/* redo in a context that may sleep */

/* True when the VM uses shadow page tables instead of EPT. */
static inline bool vtxhv_shadowing(const struct vtxhv_vm *vm)
{
	return vm->mmu;
}

/* vmx_root.c */
int vtxhv_vmx_check(void);
int vtxhv_vmx_root_init(void);
void vtxhv_vmx_root_exit(void);
unsigned int vtxhv_cpus_in_vmx(void);
bool vtxhv_vmx_usable(void);
int vtxhv_vmx_get(void);
void vtxhv_vmx_put(void);
void vtxhv_fill_caps(struct vtxhv_caps *caps);
u64 vmx_adjust_ctl(u64 msr, u32 want, const char *what, bool *ok);

/* vm.c */
extern struct list_head vtxhv_vms;
extern struct mutex vtxhv_vms_lock;
extern const struct file_operations vtxhv_vm_fops;
u64 vtxhv_vm_mem_size(struct vtxhv_vm *vm);
unsigned int vtxhv_vm_nr_vcpus(struct vtxhv_vm *vm);
long vtxhv_create_vm(const struct vtxhv_create_vm __user *arg);
struct vtxhv_slot *vtxhv_find_slot(struct vtxhv_vm *vm, u64 gpa);
bool vtxhv_slot_get(struct vtxhv_vm *vm, u64 gpa, struct vtxhv_slot *copy);
int vtxhv_read_guest(struct vtxhv_vm *vm, u64 gpa, void *buf, size_t len);
int vtxhv_write_guest(struct vtxhv_vm *vm, u64 gpa, const void *buf,
		      size_t len);
void vtxhv_vm_put(struct vtxhv_vm *vm);

/* ept.c */
int vtxhv_ept_init(struct vtxhv_vm *vm);
void vtxhv_ept_destroy(struct vtxhv_vm *vm);
int vtxhv_ept_fault(struct vtxhv_vm *vm, u64 gpa, bool write, bool exec);
int vtxhv_ept_unmap_slot(struct vtxhv_vm *vm, struct vtxhv_slot *slot);
int vtxhv_flush_ept_global(u64 eptp);
int vtxhv_flush_vpid_global(u16 vpid);

/**
 * vtxhv_flush_ept - forget the guest-physical translations of one EPTP
 * @eptp:	the EPT pointer
 *
 * Inline, as every stay in VMX operation starts with it.  Return: 0, or
 * -EIO when the CPU refused both INVEPT types; the caller must then not
 * let the guest run nor free what the translations point at.
 */
static inline int vtxhv_flush_ept(u64 eptp)
{
	if ((vmcs_config.ept_vpid_cap & VMX_EPT_EXTENT_CONTEXT_BIT) &&
	    !vmx_invept(VMX_EPT_EXTENT_CONTEXT, eptp))
		return 0;
	return vtxhv_flush_ept_global(eptp);
}

/* The same for the linear translations tagged with @vpid (0: none). */
static inline int vtxhv_flush_vpid(u16 vpid)
{
	if (!vpid)
		return 0;
	if ((vmcs_config.ept_vpid_cap &
	     (u64)VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT << 32) &&
	    !vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vpid, 0))
		return 0;
	return vtxhv_flush_vpid_global(vpid);
}
void vtxhv_unpin_slot(struct vtxhv_vm *vm, struct vtxhv_slot *slot);
struct page *vtxhv_pin_gpa(struct vtxhv_vm *vm, struct vtxhv_slot *s,
			   u64 gpa);

/* shadow.c */
void vtxhv_vcpu_flush_remote(struct vtxhv_vcpu *vcpu);
int vtxhv_shadow_init(struct vtxhv_vm *vm);
void vtxhv_shadow_destroy(struct vtxhv_vm *vm);
void vtxhv_shadow_unmap_all(struct vtxhv_vm *vm);
int vtxhv_shadow_fmt(u64 cr0, u64 cr4, u64 efer);
int vtxhv_shadow_page_fault(struct vtxhv_vcpu *vcpu);
int vtxhv_shadow_invlpg(struct vtxhv_vcpu *vcpu, u64 gva);
void vtxhv_shadow_wrote(struct vtxhv_vcpu *vcpu, u64 gpa, unsigned int len);
int vtxhv_shadow_set_cr3(struct vtxhv_vcpu *vcpu, u64 val);
int vtxhv_shadow_prepare(struct vtxhv_vcpu *vcpu);
unsigned int vtxhv_shadow_pages(struct vtxhv_vm *vm);
extern bool vtxhv_force_shadow;

/* vcpu.c */
int vtxhv_create_vcpu(struct vtxhv_vm *vm, unsigned long id);
int __must_check __vtxhv_vcpu_load(struct vtxhv_vcpu *vcpu);
void __vtxhv_vcpu_put(struct vtxhv_vcpu *vcpu);

/*
 * Make the vCPU's VMCS current (vcpu.c); exit handlers shared with
 * sleepable paths load it again while it is loaded, and only count.
 */
static inline int __must_check vtxhv_vcpu_load(struct vtxhv_vcpu *vcpu)
{
	if (vcpu->load_depth) {
		vcpu->load_depth++;
		return 0;
	}
	return __vtxhv_vcpu_load(vcpu);
}

static inline void vtxhv_vcpu_put(struct vtxhv_vcpu *vcpu)
{
	if (!--vcpu->load_depth)
		__vtxhv_vcpu_put(vcpu);
}
void vtxhv_mitigations_init(void);
void vtxhv_sync_guest_drs(struct vtxhv_vcpu *vcpu);
void vtxhv_load_guest_msrs(struct vtxhv_vcpu *vcpu);

/* vmenter.S: VM exits land here (HOST_RIP). */
extern const char __vtxhv_vmexit[];

/* vmcs.c */
int vtxhv_vmcs_setup(struct vtxhv_vcpu *vcpu);
void vtxhv_vcpu_init_state(struct vtxhv_vcpu *vcpu);
void vtxhv_vmcs_set_host_percpu(void);
int vtxhv_set_sregs(struct vtxhv_vcpu *vcpu, const struct vtxhv_sregs *s);
void vtxhv_get_sregs(struct vtxhv_vcpu *vcpu, struct vtxhv_sregs *s);
int vtxhv_set_cr0(struct vtxhv_vcpu *vcpu, u64 val);
int vtxhv_set_cr4(struct vtxhv_vcpu *vcpu, u64 val);
void vtxhv_set_efer(struct vtxhv_vcpu *vcpu, u64 efer);
u64 vtxhv_get_efer(struct vtxhv_vcpu *vcpu);
unsigned long vtxhv_guest_cr0(void);
unsigned long vtxhv_guest_cr4(void);
void vtxhv_vmcs_dump(struct vtxhv_vcpu *vcpu);
void vtxhv_vmcs_update_debug(struct vtxhv_vcpu *vcpu);
bool vtxhv_has_mtf(void);
int vtxhv_vmcs_global_init(void);
void vtxhv_vmcs_global_exit(void);

/* fpu.c */
extern u64 vtxhv_host_xcr0;
void vtxhv_fpu_init(void);
bool vtxhv_host_has_xsave(void);
void *vtxhv_fpu_alloc(void);
bool vtxhv_fpu_xcr0_valid(u64 xcr0, u64 cpuid_ok);
void vtxhv_fpu_load(void *area);
void vtxhv_fpu_get(const void *area, struct vtxhv_fpu *f);
int vtxhv_fpu_set(void *area, const struct vtxhv_fpu *f);
void vtxhv_fpu_put(void *area);
void vtxhv_fpu_xmm(void *area, unsigned int n, u8 *xmm, bool write);
extern u32 vtxhv_preemption_timer;
extern bool vtxhv_switch_perf_ctl;

/* exits.c */
int vtxhv_handle_exit(struct vtxhv_vcpu *vcpu, u32 reason);
int vtxhv_handle_exit_sleepable(struct vtxhv_vcpu *vcpu);
void vtxhv_inject_exception(struct vtxhv_vcpu *vcpu, int vector,
			    bool has_error, u32 error);
int vtxhv_get_msr(struct vtxhv_vcpu *vcpu, u32 index, u64 *data);
void vtxhv_inject_pending(struct vtxhv_vcpu *vcpu);
void vtxhv_report_interruptibility(struct vtxhv_vcpu *vcpu);
int vtxhv_internal_error_ctx(struct vtxhv_vcpu *vcpu, u32 suberror);
void vtxhv_inject_pf(struct vtxhv_vcpu *vcpu, u64 addr, u32 error);
int vtxhv_cpu_mode(const struct vtxhv_exit_ctx *c);
void vtxhv_skip_insn_len(struct vtxhv_vcpu *vcpu, unsigned int len);
void vtxhv_rep_iteration_done(struct vtxhv_vcpu *vcpu);
u64 vtxhv_io_bp_hits(struct vtxhv_vcpu *vcpu, u16 port, unsigned int size);
void vtxhv_data_access(struct vtxhv_vcpu *vcpu, u64 gla, unsigned int size,
		       bool write);
int vtxhv_skip_insn_unloaded(struct vtxhv_vcpu *vcpu, unsigned int len);
int vtxhv_inject_pf_unloaded(struct vtxhv_vcpu *vcpu, u64 addr, u32 error);
int vtxhv_set_msr(struct vtxhv_vcpu *vcpu, u32 index, u64 data);

void vtxhv_skip_insn(struct vtxhv_vcpu *vcpu);
int vtxhv_debug_step_stop(struct vtxhv_vcpu *vcpu);
void vtxhv_set_guest_dr7(struct vtxhv_vcpu *vcpu, unsigned long dr7);
unsigned long vtxhv_guest_dr7(struct vtxhv_vcpu *vcpu);
void vtxhv_fill_ctx(struct vtxhv_vcpu *vcpu, u32 reason);

/* user_exit.c: the exits userspace finishes */
int vtxhv_handle_io(struct vtxhv_vcpu *vcpu, u32 reason);
int vtxhv_io_string(struct vtxhv_vcpu *vcpu);
int vtxhv_handle_vmcall(struct vtxhv_vcpu *vcpu, u32 reason);
int vtxhv_handle_mmio(struct vtxhv_vcpu *vcpu, u64 gpa, bool atomic);
int vtxhv_mmio_exit(struct vtxhv_vcpu *vcpu, u64 gpa);
int vtxhv_fetch_insn(struct vtxhv_vcpu *vcpu, u8 *bytes, bool atomic);
void vtxhv_emu_init(struct vtxhv_vcpu *vcpu, struct emu *e,
		    const u8 *bytes, unsigned int n);
int vtxhv_emu_translate(struct emu *e, struct vtxhv_vcpu *vcpu, u64 la,
			bool write, u64 *gpa, bool atomic);
int vtxhv_emu_commit(struct vtxhv_vcpu *vcpu, const struct emu *e);
int vtxhv_emu_fault(struct vtxhv_vcpu *vcpu, const struct emu_fault *f);
int vtxhv_emu_get_xmm(struct emu *e, unsigned int n, u8 *xmm);
int vtxhv_emu_set_xmm(struct emu *e, unsigned int n, const u8 *xmm);
int vtxhv_emu_unhandled(struct vtxhv_vcpu *vcpu, const u8 *bytes,
			unsigned int n);
int vtxhv_complete_pending(struct vtxhv_vcpu *vcpu);

/* netlink.c */
int vtxhv_genl_init(void);
void vtxhv_genl_exit(void);
void vtxhv_genl_event(struct vtxhv_vm *vm, int vcpu, u32 type, u32 reason,
		      u64 rip, u64 value);

/* Exception vectors (SDM Vol. 3A, table 6-1); NMI: <asm/irq_vectors.h> */
#define DB_VECTOR	1
#define BP_VECTOR	3
#define OF_VECTOR	4
#define UD_VECTOR	6
#define DF_VECTOR	8
#define GP_VECTOR	13
#define PF_VECTOR	14
#define AC_VECTOR	17
#define MC_VECTOR	18

/* Guest page-table entries and #PF error codes (SDM Vol. 3A 4.7). */
#define PTE_P		BIT_ULL(0)
#define PTE_W		BIT_ULL(1)
#define PTE_U		BIT_ULL(2)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_PS		BIT_ULL(7)
#define PTE_NX		BIT_ULL(63)
#define PTE_ADDR	GENMASK_ULL(51, 12)

#define PFERR_P		BIT(0)
#define PFERR_W		BIT(1)
#define PFERR_U		BIT(2)
#define PFERR_RSVD	BIT(3)
#define PFERR_I		BIT(4)

/* One walk of the guest's page tables (vtxhv_guest_walk()). */
struct vtxhv_gwalk {
	u64 gpa;			/* the translation */
	int n;				/* entries read, top first */
	u64 ent[4];			/* ... their values */
	u64 ent_gpa[4];			/* ... where they are */
	u8 ent_level[4];		/* ... their level, 1: PTE */
	bool w, u, nx;			/* effective rights of the path */
	u32 error;			/* #PF error code when it faults */
	unsigned int leaf_shift;	/* page size of the leaf: 12, 21, 22, 30 */
};

/* gwalk.c: translations use vcpu->ctx, filled by the exit handler */
int vtxhv_gpte_access(struct vtxhv_vm *vm, u64 gpa, int size, u64 *v,
		      bool write);
int vtxhv_gpte_cmpxchg(struct vtxhv_vm *vm, u64 gpa, int size, u64 old,
		       u64 new);
int vtxhv_guest_walk(struct vtxhv_vcpu *vcpu, u64 gva, u32 acc,
		     struct vtxhv_gwalk *w);
int vtxhv_gva_to_gpa(struct vtxhv_vcpu *vcpu, u64 gva, bool write,
		     u64 *gpa, u32 *pf_error);
int vtxhv_read_gva(struct vtxhv_vcpu *vcpu, u64 gva, void *buf,
		   unsigned int len, u32 *pf_error, u64 *pf_addr);
int vtxhv_write_gva(struct vtxhv_vcpu *vcpu, u64 gva, const void *buf,
		    unsigned int len, u32 *pf_error, u64 *pf_addr);

#endif /* VTXHV_H */
