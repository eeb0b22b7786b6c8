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
#include <linux/math64.h>
#include <net/genetlink.h>
#include <asm/tsc.h>

#include "vtxhv.h"
#include "../uapi/vtxhv_genl.h"

static struct genl_family vtxhv_genl_family;

enum { VTXHV_MCGRP_EVENTS_IDX };

static const struct genl_multicast_group vtxhv_mcgrps[] = {
	/* Events name other users' VMs: listening is for administrators. */
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

/* May the caller see @vm?  Its own user's VMs, or any with privilege. */
static bool may_see(struct vtxhv_vm *vm)
{
	return uid_eq(current_uid(), KUIDT_INIT(vm->uid)) ||
	       capable(CAP_NET_ADMIN) || capable(CAP_SYS_ADMIN);
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

static int fill_info(struct sk_buff *skb, void *unused)
{
	struct vtxhv_caps caps = { 0 };
	struct vtxhv_vm *vm;
	u32 n = 0;

	vtxhv_fill_caps(&caps);
	mutex_lock(&vtxhv_vms_lock);
	list_for_each_entry(vm, &vtxhv_vms, link)
		n += may_see(vm);
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
	return reply(info, VTXHV_CMD_GET_INFO, fill_info, NULL);
}

/* The VM named by VTXHV_A_VM_ID, visible to the caller, with a reference. */
static struct vtxhv_vm *lookup_vm(struct genl_info *info)
{
	struct vtxhv_vm *vm, *found = NULL;
	u32 id;

	if (GENL_REQ_ATTR_CHECK(info, VTXHV_A_VM_ID))
		return ERR_PTR(-EINVAL);
	id = nla_get_u32(info->attrs[VTXHV_A_VM_ID]);
	mutex_lock(&vtxhv_vms_lock);
	list_for_each_entry(vm, &vtxhv_vms, link) {
		/* A VM whose last reference is going is as good as gone. */
		if (vm->id == id && may_see(vm) &&
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

static int fill_vm(struct sk_buff *skb, void *arg)
{
	return put_vm(skb, arg);
}

static int vtxhv_nl_get_vm(struct sk_buff *skb, struct genl_info *info)
{
	struct vtxhv_vm *vm = lookup_vm(info);
	int ret;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	ret = reply(info, VTXHV_CMD_GET_VM, fill_vm, vm);
	vtxhv_vm_put(vm);
	return ret;
}

/*
 * The dump resumes after the cb->args[0] VMs already sent (ids are reused,
 * so they do not give the list an order to resume in).
 */
static int vtxhv_nl_dump_vms(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vtxhv_vm *vm;
	long idx = 0;
	void *hdr;

	mutex_lock(&vtxhv_vms_lock);
	list_for_each_entry(vm, &vtxhv_vms, link) {
		if (!may_see(vm) || idx++ < cb->args[0])
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
		cb->args[0] = idx;
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
	struct vtxhv_vm *vm = lookup_vm(info);
	int ret;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	ret = reply(info, VTXHV_CMD_GET_STATS, fill_stats, vm);
	vtxhv_vm_put(vm);
	return ret;
}

static const struct genl_ops vtxhv_genl_ops[] = {
	{
		.cmd = VTXHV_CMD_GET_INFO,
		.doit = vtxhv_nl_get_info,
	},
	{
		.cmd = VTXHV_CMD_GET_VM,
		.doit = vtxhv_nl_get_vm,
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
