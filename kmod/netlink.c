// SPDX-License-Identifier: GPL-2.0
/*
 * The "vtxhv" generic-netlink family (uapi/vtxhv_genl.h): module
 * information, the VM list, per-vCPU statistics, and the "events" group
 * that tells listeners about VMs coming and going and guests failing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/math64.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <asm/tsc.h>

#include "vtxhv.h"
#include "../uapi/vtxhv_genl.h"

static struct genl_family vtxhv_genl_family;

enum { VTXHV_MCGRP_EVENTS_IDX };

/*
 * Events name other users' VMs: listening is for administrators.
 * genetlink checks the flag on the process that joins the group (Linux
 * 6.7, and the 6.1 stable series; older headers lack the flag, and
 * without it anyone could listen).  It asks current only, not the
 * socket's opener as netlink_capable() does, but joining is a deliberate
 * setsockopt(), not a write a privileged program could be tricked into;
 * and a member that drops its privileges stays one, as an open file
 * keeps its mode.  Filtering each receiver at send time would need
 * netlink_broadcast_filtered(), which 6.1 no longer has.
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "the events group needs GENL_MCAST_CAP_NET_ADMIN (Linux 6.7, 6.1.y)"
#endif

static const struct genl_multicast_group vtxhv_mcgrps[] = {
	[VTXHV_MCGRP_EVENTS_IDX] = { .name = VTXHV_GENL_MCGRP_EVENTS,
				     .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static const struct nla_policy vtxhv_policy[VTXHV_A_MAX + 1] = {
	[VTXHV_A_VM_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static u64 tsc_to_ns(u64 tsc)
{
	return tsc_khz ? mul_u64_u32_div(tsc, NSEC_PER_MSEC, tsc_khz) : 0;
}

/*
 * Who asks, decided once per request from the socket that carried it.
 *
 * A netlink socket is a file: it can be inherited across a setuid exec,
 * passed over a Unix socket, or kept after its opener dropped privileges,
 * and a privileged program can be made to write a request to a socket it
 * did not open (its stdout, say).  So, as the kernel's own families do
 * with netlink_capable(), a request gets what both its sender and the
 * socket's opener may have, never more than either:
 *
 *  - administrators (CAP_NET_ADMIN or CAP_SYS_ADMIN) see every VM: the
 *    capability must be in the opener's credentials (the socket file's
 *    f_cred) and in the sender's (current).  netlink_capable() alone
 *    would not do: it skips the opener when the message was sent with
 *    an explicit address (NETLINK_SKB_DST: no unwitting write() then),
 *    which is right for an action but not here, where the answer goes
 *    to whoever reads the socket, the opener included;
 *  - others see the VMs of their real uid (vm->uid is the creator's real
 *    uid), when the opener's real uid is that uid too.  f_cred is the
 *    opener's, fixed at socket(): the socket inode's owner (sk_uid,
 *    sock_i_uid()) follows fchown(), and NETLINK_CB(skb).creds.uid is
 *    whichever of its real, effective or saved uids the sender claimed
 *    with SCM_CREDENTIALS.
 *
 * Both read current, so this runs only where current is the sender: in
 * a doit handler, and in a dump's .start (the rest of a dump may run in
 * whichever process reads the socket, so the dump keeps this answer in
 * cb->args).
 */
struct viewer {
	kuid_t uid;		/* INVALID_UID: nobody's VMs by uid */
	bool admin;
};

static struct viewer viewer_of(struct sk_buff *skb)
{
	struct sock *sk = NETLINK_CB(skb).sk;
	const struct file *file = sk && sk->sk_socket ?
				  sk->sk_socket->file : NULL;
	struct viewer v = { .uid = INVALID_UID };

	/* A kernel socket has no opener to ask: it sees nothing. */
	if (!file)
		return v;
	v.admin = (file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN) &&
		   netlink_capable(skb, CAP_NET_ADMIN)) ||
		  (file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) &&
		   netlink_capable(skb, CAP_SYS_ADMIN));
	if (uid_eq(file->f_cred->uid, current_uid()))
		v.uid = current_uid();
	return v;
}

/* May @v see @vm?  Its own user's VMs, or any for an administrator. */
static bool may_see(const struct viewer *v, const struct vtxhv_vm *vm)
{
	return v->admin ||
	       (uid_valid(v->uid) &&
		uid_eq(v->uid, make_kuid(&init_user_ns, vm->uid)));
}

static int put_vm(struct sk_buff *skb, struct vtxhv_vm *vm)
{
	u32 state = VTXHV_VM_STATE_IDLE;

	if (vm->shutdown)
		state = VTXHV_VM_STATE_SHUTDOWN;
	else if (atomic_read(&vm->running))
		state = VTXHV_VM_STATE_RUNNING;
	if (nla_put_u32(skb, VTXHV_A_VM_ID, vm->id) ||
	    nla_put_u32(skb, VTXHV_A_VM_PID, vm->pid) ||
	    nla_put_u32(skb, VTXHV_A_VM_UID, vm->uid) ||
	    nla_put_string(skb, VTXHV_A_VM_COMM, vm->comm) ||
	    nla_put_u32(skb, VTXHV_A_VM_NR_VCPUS, vtxhv_vm_nr_vcpus(vm)) ||
	    nla_put_u64_64bit(skb, VTXHV_A_VM_MEM_SIZE, vtxhv_vm_mem_size(vm),
			      VTXHV_A_PAD) ||
	    nla_put_u32(skb, VTXHV_A_VM_PAGING, vm->paging) ||
	    nla_put_u64_64bit(skb, VTXHV_A_VM_CREATED_NS, vm->created_ns,
			      VTXHV_A_PAD) ||
	    nla_put_u32(skb, VTXHV_A_VM_STATE, state))
		return -EMSGSIZE;
	return 0;
}

static int put_vcpu_stats(struct sk_buff *skb, struct vtxhv_vcpu *vcpu)
{
	struct nlattr *v, *exits, *e;
	int i;

	v = nla_nest_start(skb, VTXHV_A_VCPU);
	if (!v)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VTXHV_A_VCPU_ID, vcpu->id) ||
	    nla_put_u64_64bit(skb, VTXHV_A_VCPU_GUEST_NS,
			      tsc_to_ns(READ_ONCE(vcpu->guest_tsc)),
			      VTXHV_A_PAD) ||
	    nla_put_u64_64bit(skb, VTXHV_A_VCPU_EXIT_NS,
			      tsc_to_ns(READ_ONCE(vcpu->exit_tsc)),
			      VTXHV_A_PAD) ||
	    nla_put_u64_64bit(skb, VTXHV_A_VCPU_INJECTED,
			      READ_ONCE(vcpu->injected), VTXHV_A_PAD) ||
	    nla_put_u64_64bit(skb, VTXHV_A_VCPU_EPT_VIOLATIONS,
			      READ_ONCE(vcpu->ept_violations), VTXHV_A_PAD))
		return -EMSGSIZE;
	exits = nla_nest_start(skb, VTXHV_A_VCPU_EXITS);
	if (!exits)
		return -EMSGSIZE;
	for (i = 0; i < VTXHV_NR_EXIT_REASONS; i++) {
		u64 n = READ_ONCE(vcpu->exits[i]);

		if (!n)
			continue;
		e = nla_nest_start(skb, VTXHV_A_EXIT);
		if (!e || nla_put_u32(skb, VTXHV_A_EXIT_REASON, i) ||
		    nla_put_u64_64bit(skb, VTXHV_A_EXIT_COUNT, n, VTXHV_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, e);
	}
	nla_nest_end(skb, exits);
	if (vtxhv_shadowing(vcpu->vm)) {
		e = nla_nest_start(skb, VTXHV_A_VCPU_SHADOW);
		if (!e)
			return -EMSGSIZE;
		for (i = 0; i < VTXHV_SH_NR; i++)
			if (nla_put_u64_64bit(skb, i + 1,
					      READ_ONCE(vcpu->sh_stats[i]),
					      VTXHV_A_PAD))
				return -EMSGSIZE;
		nla_nest_end(skb, e);
	}
	nla_nest_end(skb, v);
	return 0;
}

/*
 * Room for the largest reply: statistics of every vCPU with every exit
 * reason counted (an attribute nest of about 32 bytes each).
 */
#define STATS_MSG_SIZE	(VTXHV_MAX_VCPUS * (VTXHV_NR_EXIT_REASONS * 32 + \
					    VTXHV_SH_NR * 16 + 256) + 256)

static int reply(struct genl_info *info, u8 cmd,
		 int (*fill)(struct sk_buff *skb, void *arg), void *arg)
{
	struct sk_buff *msg = genlmsg_new(cmd == VTXHV_CMD_GET_STATS ?
					  STATS_MSG_SIZE : NLMSG_GOODSIZE,
					  GFP_KERNEL);
	void *hdr;
	int ret;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &vtxhv_genl_family, 0, cmd);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = fill(msg, arg);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int fill_info(struct sk_buff *skb, void *arg)
{
	const struct viewer *v = arg;
	struct vtxhv_caps caps = { 0 };
	struct vtxhv_vm *vm;
	u32 n = 0;

	vtxhv_fill_caps(&caps);
	mutex_lock(&vtxhv_vms_lock);
	list_for_each_entry(vm, &vtxhv_vms, link)
		n += may_see(v, vm);
	mutex_unlock(&vtxhv_vms_lock);
	if (nla_put_string(skb, VTXHV_A_VERSION, VTXHV_VERSION) ||
	    nla_put_u32(skb, VTXHV_A_API_VERSION, VTXHV_API_VERSION) ||
	    nla_put_u32(skb, VTXHV_A_GENL_VERSION, VTXHV_GENL_VERSION) ||
	    nla_put_u32(skb, VTXHV_A_PAGING_MODES, caps.paging_modes) ||
	    nla_put_u32(skb, VTXHV_A_CPUS_ONLINE, caps.cpus_online) ||
	    nla_put_u32(skb, VTXHV_A_CPUS_IN_VMX, caps.cpus_in_vmx) ||
	    nla_put_u32(skb, VTXHV_A_NR_VMS, n))
		return -EMSGSIZE;
	return 0;
}

static int vtxhv_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct viewer v = viewer_of(skb);

	return reply(info, VTXHV_CMD_GET_INFO, fill_info, &v);
}

/* The VM named by VTXHV_A_VM_ID, visible to the caller, with a reference. */
static struct vtxhv_vm *lookup_vm(struct sk_buff *skb,
				  struct genl_info *info)
{
	struct viewer v = viewer_of(skb);
	struct vtxhv_vm *vm, *found = NULL;
	u32 id;

	if (GENL_REQ_ATTR_CHECK(info, VTXHV_A_VM_ID))
		return ERR_PTR(-EINVAL);
	id = nla_get_u32(info->attrs[VTXHV_A_VM_ID]);
	mutex_lock(&vtxhv_vms_lock);
	list_for_each_entry(vm, &vtxhv_vms, link) {
		/* A VM whose last reference is going is as good as gone. */
		if (vm->id == id && may_see(&v, vm) &&
		    kref_get_unless_zero(&vm->ref)) {
			found = vm;
			break;
		}
	}
	mutex_unlock(&vtxhv_vms_lock);
	if (!found) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VTXHV_A_VM_ID],
				    "no such VM");
		return ERR_PTR(-ENOENT);
	}
	return found;
}

/* GET_VM and GET_STATS: the VM the request names, in one reply. */
static int reply_vm(struct sk_buff *skb, struct genl_info *info, u8 cmd,
		    int (*fill)(struct sk_buff *skb, void *arg))
{
	struct vtxhv_vm *vm = lookup_vm(skb, info);
	int ret;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	ret = reply(info, cmd, fill, vm);
	vtxhv_vm_put(vm);
	return ret;
}

static int fill_vm(struct sk_buff *skb, void *arg)
{
	return put_vm(skb, arg);
}

static int vtxhv_nl_get_vm(struct sk_buff *skb, struct genl_info *info)
{
	return reply_vm(skb, info, VTXHV_CMD_GET_VM, fill_vm);
}

/* The dump's cb->args: VMs sent so far, and the viewer of its request. */
enum { DUMP_SENT, DUMP_ADMIN, DUMP_UID };

/* Runs in the requester's context (netlink_dump_start()): see viewer_of. */
static int vtxhv_nl_dump_vms_start(struct netlink_callback *cb)
{
	struct viewer v = viewer_of(cb->skb);

	cb->args[DUMP_ADMIN] = v.admin;
	cb->args[DUMP_UID] = uid_valid(v.uid) ?
			     from_kuid(&init_user_ns, v.uid) : -1;
	return 0;
}

/*
 * The dump resumes after the cb->args[DUMP_SENT] VMs already sent (ids are
 * reused, so they do not give the list an order to resume in).
 */
static int vtxhv_nl_dump_vms(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct viewer v = {
		.admin = cb->args[DUMP_ADMIN],
		.uid = cb->args[DUMP_UID] < 0 ? INVALID_UID :
		       make_kuid(&init_user_ns, cb->args[DUMP_UID]),
	};
	struct vtxhv_vm *vm;
	long idx = 0;
	void *hdr;

	mutex_lock(&vtxhv_vms_lock);
	list_for_each_entry(vm, &vtxhv_vms, link) {
		if (!may_see(&v, vm) || idx++ < cb->args[DUMP_SENT])
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &vtxhv_genl_family,
				  NLM_F_MULTI, VTXHV_CMD_GET_VM);
		if (!hdr)
			break;
		if (put_vm(skb, vm)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[DUMP_SENT] = idx;
	}
	mutex_unlock(&vtxhv_vms_lock);
	return skb->len;
}

static int fill_stats(struct sk_buff *skb, void *arg)
{
	struct vtxhv_vm *vm = arg;
	int i, ret = 0;

	if (nla_put_u32(skb, VTXHV_A_VM_ID, vm->id))
		return -EMSGSIZE;
	if (vtxhv_shadowing(vm) &&
	    nla_put_u64_64bit(skb, VTXHV_A_VM_SHADOW_PAGES,
			      vtxhv_shadow_pages(vm), VTXHV_A_PAD))
		return -EMSGSIZE;
	mutex_lock(&vm->lock);
	for (i = 0; i < VTXHV_MAX_VCPUS && !ret; i++)
		if (vm->vcpus[i])
			ret = put_vcpu_stats(skb, vm->vcpus[i]);
	mutex_unlock(&vm->lock);
	return ret;
}

static int vtxhv_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	return reply_vm(skb, info, VTXHV_CMD_GET_STATS, fill_stats);
}

static const struct genl_ops vtxhv_genl_ops[] = {
	{
		.cmd = VTXHV_CMD_GET_INFO,
		.doit = vtxhv_nl_get_info,
	},
	{
		.cmd = VTXHV_CMD_GET_VM,
		.doit = vtxhv_nl_get_vm,
		.start = vtxhv_nl_dump_vms_start,
		.dumpit = vtxhv_nl_dump_vms,
	},
	{
		.cmd = VTXHV_CMD_GET_STATS,
		.doit = vtxhv_nl_get_stats,
	},
};

static struct genl_family vtxhv_genl_family __ro_after_init = {
	.name = VTXHV_GENL_NAME,
	.version = VTXHV_GENL_VERSION,
	.maxattr = VTXHV_A_MAX,
	.policy = vtxhv_policy,
	.module = THIS_MODULE,
	.ops = vtxhv_genl_ops,
	.n_ops = ARRAY_SIZE(vtxhv_genl_ops),
	.mcgrps = vtxhv_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vtxhv_mcgrps),
};

/**
 * vtxhv_genl_event - tell the "events" group about @vm
 * @vm:		the VM
 * @vcpu:	the vCPU concerned, or -1
 * @type:	enum vtxhv_event_type
 * @reason:	VMX exit reason (shutdown, failed entry, internal error)
 * @rip:	guest RIP (shutdown, internal error)
 * @value:	event-specific (VM-instruction error, internal suberror)
 *
 * Called in process context.  Nobody listening costs almost nothing.
 */
void vtxhv_genl_event(struct vtxhv_vm *vm, int vcpu, u32 type, u32 reason,
		      u64 rip, u64 value)
{
	/* Which events have an exit reason and a RIP (even if 0). */
	bool has_reason = type == VTXHV_EVENT_SHUTDOWN ||
			  type == VTXHV_EVENT_FAIL_ENTRY ||
			  type == VTXHV_EVENT_INTERNAL_ERROR;
	bool has_rip = type == VTXHV_EVENT_SHUTDOWN ||
		       type == VTXHV_EVENT_INTERNAL_ERROR;
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&vtxhv_genl_family, &init_net,
				VTXHV_MCGRP_EVENTS_IDX))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &vtxhv_genl_family, 0, VTXHV_CMD_EVENT);
	if (!hdr)
		goto fail;
	if (nla_put_u32(msg, VTXHV_A_EVENT_TYPE, type) ||
	    nla_put_u32(msg, VTXHV_A_VM_ID, vm->id) ||
	    nla_put_u32(msg, VTXHV_A_VM_PID, vm->pid) ||
	    nla_put_string(msg, VTXHV_A_VM_COMM, vm->comm) ||
	    (vcpu >= 0 && nla_put_u32(msg, VTXHV_A_VCPU_ID, vcpu)) ||
	    (has_reason && nla_put_u32(msg, VTXHV_A_EXIT_REASON, reason)) ||
	    (has_rip && nla_put_u64_64bit(msg, VTXHV_A_GUEST_RIP, rip,
					  VTXHV_A_PAD)) ||
	    nla_put_u64_64bit(msg, VTXHV_A_VALUE, value, VTXHV_A_PAD))
		goto fail;
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&vtxhv_genl_family, msg, 0, VTXHV_MCGRP_EVENTS_IDX,
			  GFP_KERNEL);
	return;
fail:
	nlmsg_free(msg);
}

int vtxhv_genl_init(void)
{
	return genl_register_family(&vtxhv_genl_family);
}

void vtxhv_genl_exit(void)
{
	genl_unregister_family(&vtxhv_genl_family);
}
