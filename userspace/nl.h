/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtxctl's client of the "vtxhv" generic-netlink family
 * (uapi/vtxhv_genl.h), over libnl-genl-3: connecting, the requests, the
 * events group, and the parsing of replies and events into plain structs.
 * The parsers take a message, not a socket, so that the host unit tests
 * can feed them messages built in memory.
 */
#ifndef VTXCTL_NL_H
#define VTXCTL_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "vtxhv_genl.h"

/* Basic exit reasons the module counts (VTXHV_NR_EXIT_REASONS in kmod/). */
#define VTXHV_NL_EXIT_REASONS	80
/* A creator's command name, as the kernel's TASK_COMM_LEN (with the NUL). */
#define VTXHV_COMM_LEN		16

/* GET_INFO */
struct vtxhv_mod_info {
	char version[64];
	uint32_t api_version;
	uint32_t genl_version;
	uint32_t paging_modes;		/* 1 << VTXHV_PAGING_* */
	uint32_t cpus_online;
	uint32_t cpus_in_vmx;
	uint32_t nr_vms;		/* every VM, visible or not */
};

/* GET_VM: one VM */
struct vtxhv_vm_info {
	uint32_t id;
	uint32_t pid;
	uint32_t uid;
	char comm[VTXHV_COMM_LEN];
	uint32_t nr_vcpus;
	uint64_t mem_size;		/* bytes */
	uint32_t paging;		/* VTXHV_PAGING_* */
	uint64_t created_ns;		/* CLOCK_REALTIME */
	uint32_t state;			/* enum vtxhv_vm_state */
};

/* GET_STATS: one vCPU */
struct vtxhv_vcpu_stats {
	uint32_t id;
	uint64_t guest_ns;		/* time in the guest */
	uint64_t exit_ns;		/* time handling exits */
	uint64_t injected;		/* events injected */
	uint64_t ept_violations;
	uint64_t exits[VTXHV_NL_EXIT_REASONS];	/* by basic exit reason */
	int has_shadow;			/* a shadow paging mode's VM */
	uint64_t shadow[VTXHV_SH_NR];	/* enum vtxhv_shadow_stat */
};

/* GET_STATS: the VM */
struct vtxhv_vm_stats {
	uint32_t vm_id;
	unsigned int nr_vcpus;
	struct vtxhv_vcpu_stats *vcpus;	/* malloc'ed; vtxhv_vm_stats_free */
	uint64_t shadow_pages;		/* shadow modes: tables in use */
};

/* EVENT; the has_* flags tell which optional attributes came. */
struct vtxhv_event {
	uint32_t type;			/* enum vtxhv_event_type */
	uint32_t vm_id;
	uint32_t pid;
	char comm[VTXHV_COMM_LEN];
	bool has_vcpu, has_reason, has_rip;
	uint32_t vcpu;
	uint32_t reason;		/* VMX exit reason */
	uint64_t rip;
	uint64_t value;			/* event-specific */
};

/* A refused request: the errno and what the extended ack said. */
struct vtxhv_nl_error {
	int error;			/* positive errno, 0 if none */
	char msg[256];			/* NLMSGERR_ATTR_MSG, or "" */
	uint32_t miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, or 0 */
	bool has_offset;
	uint32_t offset;		/* NLMSGERR_ATTR_OFFS */
};

/*
 * Parsers: 0, or a negative errno for a malformed message (-EINVAL), a
 * missing required attribute (-ENODATA: VM_ID, EVENT_TYPE), or no memory.
 */
int vtxhv_parse_info(struct nlmsghdr *nlh, struct vtxhv_mod_info *out);
int vtxhv_parse_vm(struct nlmsghdr *nlh, struct vtxhv_vm_info *out);
int vtxhv_parse_stats(struct nlmsghdr *nlh, struct vtxhv_vm_stats *out);
void vtxhv_vm_stats_free(struct vtxhv_vm_stats *s);
int vtxhv_parse_event(struct nlmsghdr *nlh, struct vtxhv_event *out);
/* An NLMSG_ERROR message (with NETLINK_EXT_ACK's TLVs, capped or not). */
void vtxhv_parse_nlmsgerr(const struct nlmsghdr *nlh,
			  struct vtxhv_nl_error *err);
/* "VM_ID" for VTXHV_A_VM_ID, or NULL. */
const char *vtxhv_attr_name(unsigned int type);
/* "no such VM (No such file or directory)" and the like, into @buf. */
const char *vtxhv_nl_strerror(const struct vtxhv_nl_error *err, char *buf,
			      size_t len);

/* A connection to the family. */
struct vtxhv_nl;

/*
 * Connect and resolve the family: 0 with *@nl, or a negative libnl error
 * (-NLE_OBJ_NOTFOUND: no family, the module is not loaded), which
 * vtxhv_nl_errno() turns into an errno.  Prints nothing.
 */
int vtxhv_nl_connect(struct vtxhv_nl **nl);
int vtxhv_nl_errno(int nlerr);
/*
 * vtxctl's (nl_cli.c): connect, or print why not and exit: 69 when the
 * module (or its family) is missing, 77 when permission is denied, 1
 * otherwise.
 */
struct vtxhv_nl *vtxhv_nl_open(void);
void vtxhv_nl_close(struct vtxhv_nl *nl);

/* Requests: 0, or a negative errno with @err filled. */
int vtxhv_nl_get_info(struct vtxhv_nl *nl, struct vtxhv_mod_info *out,
		      struct vtxhv_nl_error *err);
/* Every VM the caller may see, in id order; free(*vms) afterwards. */
int vtxhv_nl_list_vms(struct vtxhv_nl *nl, struct vtxhv_vm_info **vms,
		      size_t *n, struct vtxhv_nl_error *err);
int vtxhv_nl_get_vm(struct vtxhv_nl *nl, uint32_t id,
		    struct vtxhv_vm_info *out, struct vtxhv_nl_error *err);
int vtxhv_nl_get_stats(struct vtxhv_nl *nl, uint32_t id,
		       struct vtxhv_vm_stats *out, struct vtxhv_nl_error *err);

/* Join the "events" group (needs CAP_NET_ADMIN): 0 or a negative errno. */
int vtxhv_nl_subscribe(struct vtxhv_nl *nl, struct vtxhv_nl_error *err);
/*
 * Wait for events and hand each to @fn until @fn returns non-zero (then
 * 0 is returned) or receiving fails (a negative errno; -ENOBUFS means
 * events were lost because the socket's buffer overflowed: call again).
 */
int vtxhv_nl_recv_events(struct vtxhv_nl *nl,
			 int (*fn)(const struct vtxhv_event *ev, void *arg),
			 void *arg);

/*
 * nl_cli.c: print "vtxctl: WHAT: the kernel's message (strerror)" and return the
 * exit status for it: 77 for EPERM and EACCES, 1 otherwise.
 */
int vtxhv_nl_report(const char *what, const struct vtxhv_nl_error *err);

#endif /* VTXCTL_NL_H */
