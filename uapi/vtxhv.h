/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vtxhv ioctl ABI: /dev/vtxhv.
 *
 * Shared by the module, vtxctl and the tests (included through -I, never
 * copied).  Every structure has explicit sizes and padding; reserved fields
 * and unknown flags must be zero or the call fails with -EINVAL.
 * VTXHV_API_VERSION changes whenever this ABI changes.
 */
#ifndef _UAPI_VTXHV_H
#define _UAPI_VTXHV_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * From version 3 on a new version only adds: a program built for version
 * N works with any module of version N or later (check with >=).  What a
 * module of this version actually implements is in vtxhv_caps.extensions.
 */
#define VTXHV_API_VERSION	3

/* ioctl type 0xB8: unused in Documentation/userspace-api/ioctl. */
#define VTXHV_IO		0xB8

/* VM paging modes (struct vtxhv_caps.paging_modes is a mask of 1 << mode). */
#define VTXHV_PAGING_EPT	0	/* EPT: the CPU walks both levels */
#define VTXHV_PAGING_VTLB	1	/* shadow tables flushed on CR3 loads */
#define VTXHV_PAGING_SHADOW	2	/* shadow tables cached per guest CR3 */

/* struct vtxhv_caps.features: what the CPU offers (VMX capability MSRs). */
#define VTXHV_FEAT_EPT			(1U << 0)
#define VTXHV_FEAT_VPID			(1U << 1)
#define VTXHV_FEAT_UNRESTRICTED_GUEST	(1U << 2)
#define VTXHV_FEAT_EPT_2M		(1U << 3)
#define VTXHV_FEAT_EPT_1G		(1U << 4)
#define VTXHV_FEAT_EPT_AD		(1U << 5)
#define VTXHV_FEAT_PREEMPTION_TIMER	(1U << 6)
#define VTXHV_FEAT_MSR_BITMAP		(1U << 7)
#define VTXHV_FEAT_IO_BITMAP		(1U << 8)
#define VTXHV_FEAT_INVPCID		(1U << 9)
#define VTXHV_FEAT_XSAVES		(1U << 10)
#define VTXHV_FEAT_VIRTUAL_NMIS		(1U << 11)
#define VTXHV_FEAT_INVEPT_SINGLE	(1U << 12)
#define VTXHV_FEAT_INVVPID_SINGLE	(1U << 13)
#define VTXHV_FEAT_TSC_OFFSET		(1U << 14)
#define VTXHV_FEAT_SHADOW_VMCS		(1U << 15)
#define VTXHV_FEAT_PML			(1U << 16)

/**
 * struct vtxhv_caps - answer of VTXHV_GET_CAPS
 * @size:		sizeof(struct vtxhv_caps) as the module knows it
 * @api_version:	VTXHV_API_VERSION of the module
 * @features:		VTXHV_FEAT_* the CPU offers
 * @used_features:	VTXHV_FEAT_* the module uses
 * @paging_modes:	mask of 1 << VTXHV_PAGING_* this module can run
 * @max_vcpus:		vCPUs per VM
 * @max_mem_slots:	memory slots per VM
 * @cpus_online:	CPUs online
 * @cpus_in_vmx:	CPUs in VMX root operation now
 * @vmcs_revision:	VMCS revision identifier (IA32_VMX_BASIC[30:0])
 * @vmcs_size:		bytes of a VMCS region
 * @vmcs_memtype:	memory type of VMCS accesses (6 = write-back)
 * @vmx_basic ... @ept_vpid_cap: raw VMX capability MSRs (Intel SDM A.1-A.10);
 *			the control MSRs hold allowed-0 settings in bits 31:0
 *			and allowed-1 settings in bits 63:32
 */
struct vtxhv_caps {
	__u32 size;
	__u32 api_version;
	__u32 features;
	__u32 used_features;
	__u32 paging_modes;
	__u32 max_vcpus;
	__u32 max_mem_slots;
	__u32 cpus_online;
	__u32 cpus_in_vmx;
	__u32 vmcs_revision;
	__u32 vmcs_size;
	__u32 vmcs_memtype;
	__u64 vmx_basic;
	__u64 pinbased_ctls;
	__u64 procbased_ctls;
	__u64 procbased_ctls2;
	__u64 exit_ctls;
	__u64 entry_ctls;
	__u64 vmx_misc;
	__u64 cr0_fixed0;
	__u64 cr0_fixed1;
	__u64 cr4_fixed0;
	__u64 cr4_fixed1;
	__u64 ept_vpid_cap;
	__u64 extensions;
	__u64 reserved[7];
};

/* struct vtxhv_caps.extensions (API version 3) */
#define VTXHV_EXT_IRQCHIP	(1ULL << 0)	/* VTXHV_VM_IRQCHIP and its ioctls */
#define VTXHV_EXT_GUEST_DEBUG	(1ULL << 1)	/* VTXHV_SET_GUEST_DEBUG */
#define VTXHV_EXT_RDTSCP	(1ULL << 2)	/* RDTSCP, RDPID, IA32_TSC_AUX */
#define VTXHV_EXT_FPU		(1ULL << 3)	/* VTXHV_GET_FPU, VTXHV_SET_FPU */

/*
 * struct vtxhv_create_vm.flags: the VM has interrupt controllers in the
 * kernel (VTXHV_EXT_IRQCHIP): a local APIC per vCPU at IA32_APIC_BASE
 * (xAPIC MMIO and x2APIC MSRs), an I/O APIC with 24 pins at
 * VTXHV_IOAPIC_BASE, INIT/SIPI.  vCPU 0 starts runnable, the others wait
 * for a SIPI; HLT with interrupts enabled sleeps in the kernel, HLT with
 * them disabled exits (VTXHV_EXIT_HLT) and the next VTXHV_RUN sleeps until
 * an NMI or INIT.  Without it userspace emulates the
 * interrupt controllers (VTXHV_INTERRUPT) and the APIC page is MMIO.
 */
#define VTXHV_VM_IRQCHIP	(1U << 0)
#define VTXHV_IOAPIC_BASE	0xfec00000ULL
#define VTXHV_IOAPIC_PINS	24

/**
 * struct vtxhv_create_vm - argument of VTXHV_CREATE_VM
 * @paging:	VTXHV_PAGING_* (only modes in vtxhv_caps.paging_modes)
 * @flags:	VTXHV_VM_* (version 2: must be 0)
 */
struct vtxhv_create_vm {
	__u32 paging;
	__u32 flags;
	__u64 reserved[2];
};

#define VTXHV_MEM_READONLY	(1U << 0)	/* guest writes become MMIO */
/* The largest slot (E2BIG beyond); pinned pages count to RLIMIT_MEMLOCK. */
#define VTXHV_MAX_SLOT_SIZE	(64ULL << 30)

/**
 * struct vtxhv_memory_region - argument of VTXHV_SET_MEMORY_REGION
 * @slot:		0 .. max_mem_slots - 1
 * @flags:		VTXHV_MEM_*
 * @guest_phys_addr:	4 KiB aligned
 * @size:		4 KiB multiple, at most VTXHV_MAX_SLOT_SIZE; 0 deletes
 *			the slot
 * @userspace_addr:	4 KiB aligned address in the caller's memory
 *
 * Setting a slot that exists replaces it.  Slots may not overlap.
 */
struct vtxhv_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 size;
	__u64 userspace_addr;
};

/* General registers, in the CPU's encoding order (RAX=0 ... R15=15). */
struct vtxhv_regs {
	__u64 rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* A segment register as the VMCS holds it (Intel SDM Vol. 3C 24.4.1). */
struct vtxhv_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8 type;
	__u8 present, dpl, db, s, l, g, avl;
	__u8 unusable;
	__u8 padding;
};

struct vtxhv_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

/**
 * struct vtxhv_sregs - special registers (VTXHV_GET_SREGS/SET_SREGS)
 * @cr0, @cr4:		as the guest sees them (the read shadows)
 * @efer:		IA32_EFER; LMA must agree with LME and CR0.PG
 * @interruptibility:	guest interruptibility state (SDM 24.4.2:
 *			bit 0 blocking by STI, bit 1 by MOV SS)
 * @pending_event:	an event to inject at the next entry, in the
 *			VM-entry interruption-information format (SDM
 *			24.8.3; bit 31 valid), or 0
 * @pending_error_code:	its error code, if bit 11 of @pending_event
 */
struct vtxhv_sregs {
	struct vtxhv_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct vtxhv_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u32 interruptibility;
	__u32 pending_event;
	__u32 pending_error_code;
	__u32 padding;
	__u64 reserved[4];
};

#define VTXHV_CPUID_SIGNIFICANT_INDEX	(1U << 0)
#define VTXHV_MAX_CPUID_ENTRIES		128

struct vtxhv_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;		/* VTXHV_CPUID_* */
	__u32 eax, ebx, ecx, edx;
	__u32 padding;
};

/* CPUID leaves absent from the table read as zeros. */
struct vtxhv_cpuid {
	__u32 nent;		/* at most VTXHV_MAX_CPUID_ENTRIES */
	__u32 padding;
	struct vtxhv_cpuid_entry entries[];
};

#define VTXHV_MAX_MSR_ENTRIES		64

struct vtxhv_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

/*
 * VTXHV_GET_MSRS/SET_MSRS process entries in order and return how many
 * succeeded; they stop at the first MSR that is not in the list
 * docs/api.md documents, or at a value the MSR refuses.
 */
struct vtxhv_msrs {
	__u32 nmsrs;		/* at most VTXHV_MAX_MSR_ENTRIES */
	__u32 padding;
	struct vtxhv_msr_entry entries[];
};

/* struct vtxhv_run.exit_reason */
#define VTXHV_EXIT_UNKNOWN		0
#define VTXHV_EXIT_IO			1	/* port I/O for userspace */
#define VTXHV_EXIT_MMIO			2	/* access outside RAM */
#define VTXHV_EXIT_HLT			3	/* the guest executed HLT */
#define VTXHV_EXIT_HYPERCALL		4	/* the guest executed VMCALL */
#define VTXHV_EXIT_SHUTDOWN		5	/* triple fault */
#define VTXHV_EXIT_FAIL_ENTRY		6	/* VM entry failed */
#define VTXHV_EXIT_INTERNAL_ERROR	7	/* see internal.suberror */
#define VTXHV_EXIT_INTR			8	/* signal or immediate exit */
#define VTXHV_EXIT_IRQ_WINDOW_OPEN	9	/* request_interrupt_window */
#define VTXHV_EXIT_DEBUG		10	/* a debugger's stop (v3) */

#define VTXHV_IO_IN			0
#define VTXHV_IO_OUT			1

/* struct vtxhv_run.internal.suberror */
#define VTXHV_INTERNAL_UNHANDLED_EXIT	1	/* exit reason vtxhv lacks */
#define VTXHV_INTERNAL_EMULATION	2	/* instruction not decoded */
#define VTXHV_INTERNAL_EPT_MISCONFIG	3
#define VTXHV_INTERNAL_GUEST_MEMORY	4	/* instruction unreadable */
#define VTXHV_INTERNAL_REAL_MODE	5	/* CR0.PE=0 needs EPT paging */
#define VTXHV_INTERNAL_SHADOW		6	/* shadow paging inconsistency */

/* Bytes of vtxhv_run that I/O data may use, from io.data_offset on. */
#define VTXHV_RUN_IO_DATA_MAX		2048

/**
 * struct vtxhv_run - the page shared with userspace (mmap of a vCPU fd)
 * @immediate_exit:	set by userspace: VTXHV_RUN returns -EINTR with
 *			exit reason VTXHV_EXIT_INTR before entering
 * @request_interrupt_window: set by userspace: exit with
 *			VTXHV_EXIT_IRQ_WINDOW_OPEN as soon as the guest can
 *			take an external interrupt
 * @ready_for_interrupt_injection: set by vtxhv on every return: the
 *			guest can take an interrupt now (VTXHV_INTERRUPT
 *			would be delivered at the next entry)
 * @if_flag:		set by vtxhv on every return: the guest's RFLAGS.IF
 * @exit_reason:	VTXHV_EXIT_*, valid when VTXHV_RUN returned 0
 *
 * After an I/O or MMIO exit userspace fills in the data of an IN or a read
 * (in the run page) and calls VTXHV_RUN again, which completes the
 * instruction; after a hypercall, hypercall.ret lands in RAX.
 */
struct vtxhv_run {
	__u8 immediate_exit;
	__u8 request_interrupt_window;
	__u8 ready_for_interrupt_injection;
	__u8 if_flag;
	__u8 padding1[4];
	__u32 exit_reason;
	__u32 padding2;
	union {
		/* VTXHV_EXIT_IO: data at (char *)run + data_offset */
		struct {
			__u8 direction;		/* VTXHV_IO_IN/OUT */
			__u8 size;		/* 1, 2 or 4 */
			__u16 port;
			__u32 count;		/* string I/O: elements */
			__u64 data_offset;
		} io;
		/* VTXHV_EXIT_MMIO */
		struct {
			__u64 phys_addr;
			__u8 data[8];
			__u32 len;		/* 1, 2, 4 or 8 */
			__u8 is_write;
			__u8 padding[3];
		} mmio;
		/* VTXHV_EXIT_HYPERCALL: RAX, then RBX RCX RDX RSI RDI */
		struct {
			__u64 nr;
			__u64 args[5];
			__u64 ret;
		} hypercall;
		/* VTXHV_EXIT_FAIL_ENTRY */
		struct {
			__u32 exit_reason;	/* with bit 31 set */
			__u32 vm_instruction_error;
			__u64 qualification;
		} fail_entry;
		/* VTXHV_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;		/* VTXHV_INTERNAL_* */
			__u32 exit_reason;	/* basic VMX exit reason */
			__u64 qualification;
			__u64 gpa;
			__u64 rip;
			__u8 insn_len;
			__u8 insn[15];
		} internal;
		/* VTXHV_EXIT_SHUTDOWN, VTXHV_EXIT_HLT */
		struct {
			__u64 rip;
		} stop;
		/* VTXHV_EXIT_DEBUG: #DB (1) or #BP (3), where, and why */
		struct {
			__u32 exception;
			__u32 padding;
			__u64 pc;
			__u64 dr6;
			__u64 dr7;
		} debug;
		__u8 padding3[256];
	};
};

/**
 * struct vtxhv_interrupt - argument of VTXHV_INTERRUPT
 * @vector:	16-255: an external interrupt, delivered through the guest's
 *		IDT as soon as its RFLAGS.IF and interruptibility allow.
 *		In a VTXHV_VM_IRQCHIP VM: an ExtINT from a PIC userspace
 *		emulates, which the local APIC takes while its LINT0 is an
 *		unmasked ExtINT entry or the APIC is disabled (as on a PC,
 *		the 8259A's wire to the boot CPU)
 * @flags:	must be 0
 */
struct vtxhv_interrupt {
	__u32 vector;
	__u32 flags;
};

/**
 * struct vtxhv_irq_level - argument of VTXHV_IRQ_LINE (VTXHV_VM_IRQCHIP)
 * @irq:	I/O APIC pin (GSI), 0 .. VTXHV_IOAPIC_PINS - 1
 * @level:	1 raises the line, 0 lowers it; an edge-triggered pin
 *		delivers on a raise, a level-triggered one while raised
 */
struct vtxhv_irq_level {
	__u32 irq;
	__u32 level;
};

/* struct vtxhv_mp_state.mp_state (VTXHV_VM_IRQCHIP) */
#define VTXHV_MP_STATE_RUNNABLE		0
#define VTXHV_MP_STATE_UNINITIALIZED	1	/* waits for INIT, then SIPI */
#define VTXHV_MP_STATE_INIT_RECEIVED	2	/* waits for SIPI */
#define VTXHV_MP_STATE_HALTED		3	/* HLT: waits for an event */

struct vtxhv_mp_state {
	__u32 mp_state;
	__u32 padding;
};

/*
 * The local APIC's registers as the xAPIC page lays them out: register
 * at offset R in regs[R] (ID in bits 31:24 of offset 0x20 as in xAPIC
 * mode, whatever the mode).  VTXHV_GET_LAPIC/SET_LAPIC.
 */
#define VTXHV_LAPIC_REGS_SIZE	0x400
struct vtxhv_lapic_state {
	__u8 regs[VTXHV_LAPIC_REGS_SIZE];
};

/* struct vtxhv_guest_debug.control (VTXHV_EXT_GUEST_DEBUG) */
#define VTXHV_GUESTDBG_ENABLE		(1U << 0)
#define VTXHV_GUESTDBG_SINGLESTEP	(1U << 1)	/* stop after each insn */
#define VTXHV_GUESTDBG_USE_SW_BP	(1U << 2)	/* INT3 stops */
#define VTXHV_GUESTDBG_USE_HW_BP	(1U << 3)	/* debugreg[] is used */

/**
 * struct vtxhv_guest_debug - argument of VTXHV_SET_GUEST_DEBUG
 * @control:	VTXHV_GUESTDBG_*; 0 detaches the debugger
 * @debugreg:	DR0-DR3 and DR7 (index 7) of the debugger's breakpoints,
 *		which the guest does not see
 */
struct vtxhv_guest_debug {
	__u32 control;
	__u32 padding;
	__u64 debugreg[8];
	__u64 reserved[4];
};

/**
 * struct vtxhv_fpu - argument of VTXHV_GET_FPU/SET_FPU (VTXHV_EXT_FPU)
 * @fxsave:	the guest's x87 and SSE registers in the 64-bit FXSAVE
 *		layout (SDM Vol. 1, table 10-2): FCW at 0, FSW 2, abridged
 *		FTW 4, FOP 6, FPU IP 8, DP 16, MXCSR 24, ST0-7 from 32
 *		(16 bytes each), XMM0-15 from 160.  GET_FPU zeroes
 *		MXCSR_MASK (28) and bytes 464-511; SET_FPU ignores them, and
 *		refuses (EINVAL) an MXCSR with bits the CPU reserves.
 *		AVX and later state is neither read nor written.
 */
struct vtxhv_fpu {
	__u8 fxsave[512];
};

/* /dev/vtxhv */
#define VTXHV_GET_API_VERSION	_IO(VTXHV_IO, 0x00)	/* returns the version */
#define VTXHV_GET_CAPS		_IOR(VTXHV_IO, 0x01, struct vtxhv_caps)
#define VTXHV_CREATE_VM		_IOW(VTXHV_IO, 0x02, struct vtxhv_create_vm)
#define VTXHV_GET_RUN_SIZE	_IO(VTXHV_IO, 0x03)	/* mmap size */

/* VM fd */
#define VTXHV_SET_MEMORY_REGION	_IOW(VTXHV_IO, 0x10, \
				     struct vtxhv_memory_region)
#define VTXHV_CREATE_VCPU	_IO(VTXHV_IO, 0x11)	/* arg: vCPU id */
#define VTXHV_IRQ_LINE		_IOW(VTXHV_IO, 0x12, struct vtxhv_irq_level)

/* vCPU fd */
#define VTXHV_RUN		_IO(VTXHV_IO, 0x20)
#define VTXHV_GET_REGS		_IOR(VTXHV_IO, 0x21, struct vtxhv_regs)
#define VTXHV_SET_REGS		_IOW(VTXHV_IO, 0x22, struct vtxhv_regs)
#define VTXHV_GET_SREGS		_IOR(VTXHV_IO, 0x23, struct vtxhv_sregs)
#define VTXHV_SET_SREGS		_IOW(VTXHV_IO, 0x24, struct vtxhv_sregs)
#define VTXHV_SET_CPUID		_IOW(VTXHV_IO, 0x25, struct vtxhv_cpuid)
#define VTXHV_GET_MSRS		_IOWR(VTXHV_IO, 0x26, struct vtxhv_msrs)
#define VTXHV_SET_MSRS		_IOW(VTXHV_IO, 0x27, struct vtxhv_msrs)
/* Queue one external interrupt or one NMI: -EBUSY while one waits. */
#define VTXHV_INTERRUPT		_IOW(VTXHV_IO, 0x28, struct vtxhv_interrupt)
#define VTXHV_NMI		_IO(VTXHV_IO, 0x29)
/* Version 3: VTXHV_VM_IRQCHIP VMs (ENXIO on others). */
#define VTXHV_GET_MP_STATE	_IOR(VTXHV_IO, 0x2a, struct vtxhv_mp_state)
#define VTXHV_SET_MP_STATE	_IOW(VTXHV_IO, 0x2b, struct vtxhv_mp_state)
#define VTXHV_GET_LAPIC		_IOR(VTXHV_IO, 0x2c, struct vtxhv_lapic_state)
#define VTXHV_SET_LAPIC		_IOW(VTXHV_IO, 0x2d, struct vtxhv_lapic_state)
/* Version 3: VTXHV_EXT_GUEST_DEBUG. */
#define VTXHV_SET_GUEST_DEBUG	_IOW(VTXHV_IO, 0x2e, struct vtxhv_guest_debug)
/* Version 3: VTXHV_EXT_FPU. */
#define VTXHV_GET_FPU		_IOR(VTXHV_IO, 0x2f, struct vtxhv_fpu)
#define VTXHV_SET_FPU		_IOW(VTXHV_IO, 0x30, struct vtxhv_fpu)

#endif /* _UAPI_VTXHV_H */
