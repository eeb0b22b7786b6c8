/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vtxhv generic-netlink family: management and telemetry for operators
 * (the ioctl ABI in vtxhv.h stays the fast path of the process that owns a
 * VM).  Shared by the module and vtxctl; VTXHV_GENL_VERSION changes with
 * this interface.
 */
#ifndef _UAPI_VTXHV_GENL_H
#define _UAPI_VTXHV_GENL_H

#define VTXHV_GENL_NAME		"vtxhv"
#define VTXHV_GENL_VERSION	1
#define VTXHV_GENL_MCGRP_EVENTS	"events"

/*
 * Commands.  GET_INFO: module information (doit).  GET_VM: one VM by
 * VTXHV_A_VM_ID (doit) or every VM (dumpit); a caller without
 * CAP_NET_ADMIN or CAP_SYS_ADMIN sees only VMs its own user created.
 * GET_STATS: one VM's counters, per vCPU.  EVENT: what the "events"
 * multicast group carries.
 */
enum vtxhv_genl_cmd {
	VTXHV_CMD_UNSPEC,
	VTXHV_CMD_GET_INFO,
	VTXHV_CMD_GET_VM,
	VTXHV_CMD_GET_STATS,
	VTXHV_CMD_EVENT,
	__VTXHV_CMD_MAX,
};
#define VTXHV_CMD_MAX (__VTXHV_CMD_MAX - 1)

/* VTXHV_A_VM_STATE */
enum vtxhv_vm_state {
	VTXHV_VM_STATE_IDLE,		/* no vCPU in VTXHV_RUN */
	VTXHV_VM_STATE_RUNNING,		/* a vCPU is in VTXHV_RUN */
	VTXHV_VM_STATE_SHUTDOWN,	/* a vCPU triple-faulted */
};

/* VTXHV_A_EVENT_TYPE */
enum vtxhv_event_type {
	VTXHV_EVENT_VM_CREATED = 1,
	VTXHV_EVENT_VM_DESTROYED,
	VTXHV_EVENT_SHUTDOWN,		/* triple fault: VCPU_ID, GUEST_RIP */
	VTXHV_EVENT_FAIL_ENTRY,		/* EXIT_REASON, VALUE = VM-instr. error */
	VTXHV_EVENT_INTERNAL_ERROR,	/* VALUE = suberror, EXIT_REASON, RIP */
};

/*
 * Shadow paging counters of a vCPU (VTXHV_A_VCPU_SHADOW holds one u64
 * attribute per counter, its type the counter's index + 1).
 */
enum vtxhv_shadow_stat {
	VTXHV_SH_FAULTS_FIXED,		/* #PF fixed by filling a shadow */
	VTXHV_SH_FAULTS_REFLECTED,	/* #PF the guest's tables refuse */
	VTXHV_SH_CR3_LOADS,		/* guest CR3 loads (and mode changes) */
	VTXHV_SH_ROOT_HITS,		/* ... finding a cached shadow root */
	VTXHV_SH_ROOT_MISSES,		/* ... building a new one */
	VTXHV_SH_WP_TRAPS,		/* writes to guest page tables emulated */
	VTXHV_SH_RESYNCED,		/* shadow entries dropped for them */
	VTXHV_SH_INVLPG,		/* INVLPG exits */
	VTXHV_SH_UNSYNCED,		/* page tables let out of sync */
	VTXHV_SH_REMOTE_FLUSHES,	/* other vCPUs made to flush (SMP) */
	VTXHV_SH_NR,
};

enum vtxhv_genl_attr {
	VTXHV_A_UNSPEC,
	VTXHV_A_PAD,
	/* GET_INFO */
	VTXHV_A_VERSION,		/* string: module version */
	VTXHV_A_API_VERSION,		/* u32: VTXHV_API_VERSION */
	VTXHV_A_GENL_VERSION,		/* u32: VTXHV_GENL_VERSION */
	VTXHV_A_PAGING_MODES,		/* u32: mask of 1 << VTXHV_PAGING_* */
	VTXHV_A_CPUS_ONLINE,		/* u32 */
	VTXHV_A_CPUS_IN_VMX,		/* u32 */
	VTXHV_A_NR_VMS,			/* u32 */
	/* GET_VM */
	VTXHV_A_VM_ID,			/* u32 */
	VTXHV_A_VM_PID,			/* u32: creator's thread-group id */
	VTXHV_A_VM_UID,			/* u32: creator's user */
	VTXHV_A_VM_COMM,		/* string: creator's command name */
	VTXHV_A_VM_NR_VCPUS,		/* u32 */
	VTXHV_A_VM_MEM_SIZE,		/* u64: bytes in memory slots */
	VTXHV_A_VM_PAGING,		/* u32: VTXHV_PAGING_* */
	VTXHV_A_VM_CREATED_NS,		/* u64: CLOCK_REALTIME at creation */
	VTXHV_A_VM_STATE,		/* u32: enum vtxhv_vm_state */
	/* GET_STATS */
	VTXHV_A_VCPU,			/* nested, one per vCPU: */
	VTXHV_A_VCPU_ID,		/*   u32 */
	VTXHV_A_VCPU_GUEST_NS,		/*   u64: time in the guest */
	VTXHV_A_VCPU_EXIT_NS,		/*   u64: time handling exits */
	VTXHV_A_VCPU_INJECTED,		/*   u64: events injected */
	VTXHV_A_VCPU_EPT_VIOLATIONS,	/*   u64 */
	VTXHV_A_VCPU_EXITS,		/*   nested: VTXHV_A_EXIT entries */
	VTXHV_A_EXIT,			/*     nested: */
	VTXHV_A_EXIT_REASON,		/*       u32: basic VMX exit reason */
	VTXHV_A_EXIT_COUNT,		/*       u64 */
	/* EVENT */
	VTXHV_A_EVENT_TYPE,		/* u32: enum vtxhv_event_type */
	VTXHV_A_GUEST_RIP,		/* u64 */
	VTXHV_A_VALUE,			/* u64: event-specific */
	/* GET_STATS, in VTXHV_A_VCPU (shadow paging modes only) */
	VTXHV_A_VCPU_SHADOW,		/*   nested: enum vtxhv_shadow_stat */
	VTXHV_A_VM_SHADOW_PAGES,	/* u64: shadow table pages in use */
	__VTXHV_A_MAX,
};
#define VTXHV_A_MAX (__VTXHV_A_MAX - 1)

#endif /* _UAPI_VTXHV_GENL_H */
