// SPDX-License-Identifier: GPL-2.0
/*
 * vtxctl's client of the "vtxhv" generic-netlink family, over
 * libnl-genl-3.  The parsers (vtxhv_parse_*) work on one message and know
 * nothing of sockets; the rest sends requests, waits for their replies and
 * acknowledgements, and turns the kernel's extended acks into messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

struct vtxhv_nl {
	struct nl_sock *sk;
	int family;
};

/*
 * What vtxctl accepts in replies and events: the kernel's types, with
 * exact sizes, so that a message from a mismatched module is refused
 * rather than misread.
 */
#define U32	{ .type = NLA_U32, .maxlen = 4 }
#define U64	{ .type = NLA_U64, .maxlen = 8 }
#define NEST	{ .type = NLA_NESTED }
static const struct nla_policy policy[VTXHV_A_MAX + 1] = {
	[VTXHV_A_VERSION] = { .type = NLA_STRING, .maxlen = 64 },
	[VTXHV_A_API_VERSION] = U32,
	[VTXHV_A_GENL_VERSION] = U32,
	[VTXHV_A_PAGING_MODES] = U32,
	[VTXHV_A_CPUS_ONLINE] = U32,
	[VTXHV_A_CPUS_IN_VMX] = U32,
	[VTXHV_A_NR_VMS] = U32,
	[VTXHV_A_VM_ID] = U32,
	[VTXHV_A_VM_PID] = U32,
	[VTXHV_A_VM_UID] = U32,
	[VTXHV_A_VM_COMM] = { .type = NLA_STRING, .maxlen = VTXHV_COMM_LEN },
	[VTXHV_A_VM_NR_VCPUS] = U32,
	[VTXHV_A_VM_MEM_SIZE] = U64,
	[VTXHV_A_VM_PAGING] = U32,
	[VTXHV_A_VM_CREATED_NS] = U64,
	[VTXHV_A_VM_STATE] = U32,
	[VTXHV_A_VCPU] = NEST,
	[VTXHV_A_VCPU_ID] = U32,
	[VTXHV_A_VCPU_GUEST_NS] = U64,
	[VTXHV_A_VCPU_EXIT_NS] = U64,
	[VTXHV_A_VCPU_INJECTED] = U64,
	[VTXHV_A_VCPU_EPT_VIOLATIONS] = U64,
	[VTXHV_A_VCPU_EXITS] = NEST,
	[VTXHV_A_EXIT] = NEST,
	[VTXHV_A_EXIT_REASON] = U32,
	[VTXHV_A_EXIT_COUNT] = U64,
	[VTXHV_A_EVENT_TYPE] = U32,
	[VTXHV_A_GUEST_RIP] = U64,
	[VTXHV_A_VALUE] = U64,
	[VTXHV_A_VCPU_SHADOW] = NEST,
	[VTXHV_A_VM_SHADOW_PAGES] = U64,
};

static const char *const attr_names[VTXHV_A_MAX + 1] = {
	[VTXHV_A_PAD] = "PAD",
	[VTXHV_A_VERSION] = "VERSION",
	[VTXHV_A_API_VERSION] = "API_VERSION",
	[VTXHV_A_GENL_VERSION] = "GENL_VERSION",
	[VTXHV_A_PAGING_MODES] = "PAGING_MODES",
	[VTXHV_A_CPUS_ONLINE] = "CPUS_ONLINE",
	[VTXHV_A_CPUS_IN_VMX] = "CPUS_IN_VMX",
	[VTXHV_A_NR_VMS] = "NR_VMS",
	[VTXHV_A_VM_ID] = "VM_ID",
	[VTXHV_A_VM_PID] = "VM_PID",
	[VTXHV_A_VM_UID] = "VM_UID",
	[VTXHV_A_VM_COMM] = "VM_COMM",
	[VTXHV_A_VM_NR_VCPUS] = "VM_NR_VCPUS",
	[VTXHV_A_VM_MEM_SIZE] = "VM_MEM_SIZE",
	[VTXHV_A_VM_PAGING] = "VM_PAGING",
	[VTXHV_A_VM_CREATED_NS] = "VM_CREATED_NS",
	[VTXHV_A_VM_STATE] = "VM_STATE",
	[VTXHV_A_VCPU] = "VCPU",
	[VTXHV_A_VCPU_ID] = "VCPU_ID",
	[VTXHV_A_VCPU_GUEST_NS] = "VCPU_GUEST_NS",
	[VTXHV_A_VCPU_EXIT_NS] = "VCPU_EXIT_NS",
	[VTXHV_A_VCPU_INJECTED] = "VCPU_INJECTED",
	[VTXHV_A_VCPU_EPT_VIOLATIONS] = "VCPU_EPT_VIOLATIONS",
	[VTXHV_A_VCPU_EXITS] = "VCPU_EXITS",
	[VTXHV_A_EXIT] = "EXIT",
	[VTXHV_A_EXIT_REASON] = "EXIT_REASON",
	[VTXHV_A_EXIT_COUNT] = "EXIT_COUNT",
	[VTXHV_A_EVENT_TYPE] = "EVENT_TYPE",
	[VTXHV_A_GUEST_RIP] = "GUEST_RIP",
	[VTXHV_A_VALUE] = "VALUE",
	[VTXHV_A_VCPU_SHADOW] = "VCPU_SHADOW",
	[VTXHV_A_VM_SHADOW_PAGES] = "VM_SHADOW_PAGES",
};

const char *vtxhv_attr_name(unsigned int type)
{
	return type <= VTXHV_A_MAX ? attr_names[type] : NULL;
}

/* ---- Parsing ------------------------------------------------------------ */

#define NEED(type)	(1ULL << (type))

/*
 * Every parser's start: clear @out (@size bytes), parse @nlh's attributes
 * into @tb, and refuse a message without each attribute in @need (a mask
 * of NEED()s).
 */
static int parse_attrs(struct nlmsghdr *nlh, struct nlattr **tb, void *out,
		       size_t size, uint64_t need)
{
	int type;

	memset(out, 0, size);
	if (!genlmsg_valid_hdr(nlh, 0) ||
	    genlmsg_parse(nlh, 0, tb, VTXHV_A_MAX, policy) < 0)
		return -EINVAL;
	for (type = 0; type <= VTXHV_A_MAX; type++)
		if ((need & NEED(type)) && !tb[type])
			return -ENODATA;
	return 0;
}

static uint32_t get_u32(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u32(tb[type]) : 0;
}

static uint64_t get_u64(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u64(tb[type]) : 0;
}

static void get_str(struct nlattr **tb, int type, char *buf, size_t len)
{
	buf[0] = '\0';
	if (tb[type])
		nla_strlcpy(buf, tb[type], len);
}

int vtxhv_parse_info(struct nlmsghdr *nlh, struct vtxhv_mod_info *out)
{
	struct nlattr *tb[VTXHV_A_MAX + 1];
	int ret = parse_attrs(nlh, tb, out, sizeof(*out), 0);

	if (ret)
		return ret;
	get_str(tb, VTXHV_A_VERSION, out->version, sizeof(out->version));
	out->api_version = get_u32(tb, VTXHV_A_API_VERSION);
	out->genl_version = get_u32(tb, VTXHV_A_GENL_VERSION);
	out->paging_modes = get_u32(tb, VTXHV_A_PAGING_MODES);
	out->cpus_online = get_u32(tb, VTXHV_A_CPUS_ONLINE);
	out->cpus_in_vmx = get_u32(tb, VTXHV_A_CPUS_IN_VMX);
	out->nr_vms = get_u32(tb, VTXHV_A_NR_VMS);
	return 0;
}

int vtxhv_parse_vm(struct nlmsghdr *nlh, struct vtxhv_vm_info *out)
{
	struct nlattr *tb[VTXHV_A_MAX + 1];
	int ret = parse_attrs(nlh, tb, out, sizeof(*out), NEED(VTXHV_A_VM_ID));

	if (ret)
		return ret;
	out->id = get_u32(tb, VTXHV_A_VM_ID);
	out->pid = get_u32(tb, VTXHV_A_VM_PID);
	out->uid = get_u32(tb, VTXHV_A_VM_UID);
	get_str(tb, VTXHV_A_VM_COMM, out->comm, sizeof(out->comm));
	out->nr_vcpus = get_u32(tb, VTXHV_A_VM_NR_VCPUS);
	out->mem_size = get_u64(tb, VTXHV_A_VM_MEM_SIZE);
	out->paging = get_u32(tb, VTXHV_A_VM_PAGING);
	out->created_ns = get_u64(tb, VTXHV_A_VM_CREATED_NS);
	out->state = get_u32(tb, VTXHV_A_VM_STATE);
	return 0;
}

/* One VTXHV_A_VCPU nest: its counters and its VTXHV_A_EXIT entries. */
static int parse_vcpu(struct nlattr *nest, struct vtxhv_vcpu_stats *v)
{
	struct nlattr *tb[VTXHV_A_MAX + 1], *et[VTXHV_A_MAX + 1], *e;
	uint32_t reason;
	int rem;

	memset(v, 0, sizeof(*v));
	if (nla_parse_nested(tb, VTXHV_A_MAX, nest, policy) < 0)
		return -EINVAL;
	if (!tb[VTXHV_A_VCPU_ID])
		return -ENODATA;
	v->id = get_u32(tb, VTXHV_A_VCPU_ID);
	v->guest_ns = get_u64(tb, VTXHV_A_VCPU_GUEST_NS);
	v->exit_ns = get_u64(tb, VTXHV_A_VCPU_EXIT_NS);
	v->injected = get_u64(tb, VTXHV_A_VCPU_INJECTED);
	v->ept_violations = get_u64(tb, VTXHV_A_VCPU_EPT_VIOLATIONS);
	if (tb[VTXHV_A_VCPU_SHADOW]) {
		v->has_shadow = 1;
		nla_for_each_nested(e, tb[VTXHV_A_VCPU_SHADOW], rem)
			if (nla_type(e) >= 1 && nla_type(e) <= VTXHV_SH_NR &&
			    nla_len(e) == 8)
				v->shadow[nla_type(e) - 1] = nla_get_u64(e);
	}
	if (!tb[VTXHV_A_VCPU_EXITS])
		return 0;
	nla_for_each_nested(e, tb[VTXHV_A_VCPU_EXITS], rem) {
		if (nla_type(e) != VTXHV_A_EXIT)
			continue;
		if (nla_parse_nested(et, VTXHV_A_MAX, e, policy) < 0)
			return -EINVAL;
		if (!et[VTXHV_A_EXIT_REASON] || !et[VTXHV_A_EXIT_COUNT])
			return -ENODATA;
		reason = nla_get_u32(et[VTXHV_A_EXIT_REASON]);
		/* A newer module may count reasons this vtxctl cannot name. */
		if (reason < VTXHV_NL_EXIT_REASONS)
			v->exits[reason] = nla_get_u64(et[VTXHV_A_EXIT_COUNT]);
	}
	return 0;
}

int vtxhv_parse_stats(struct nlmsghdr *nlh, struct vtxhv_vm_stats *out)
{
	struct nlattr *tb[VTXHV_A_MAX + 1], *a;
	struct vtxhv_vcpu_stats *v;
	struct genlmsghdr *g;
	int rem, ret;

	ret = parse_attrs(nlh, tb, out, sizeof(*out), NEED(VTXHV_A_VM_ID));
	if (ret)
		return ret;
	out->vm_id = get_u32(tb, VTXHV_A_VM_ID);
	out->shadow_pages = get_u64(tb, VTXHV_A_VM_SHADOW_PAGES);
	/* One VTXHV_A_VCPU per vCPU: walk them all, not the parsed table. */
	g = nlmsg_data(nlh);
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
			  rem) {
		if (nla_type(a) != VTXHV_A_VCPU)
			continue;
		v = realloc(out->vcpus, (out->nr_vcpus + 1) * sizeof(*v));
		if (!v) {
			ret = -ENOMEM;
			goto fail;
		}
		out->vcpus = v;
		ret = parse_vcpu(a, &out->vcpus[out->nr_vcpus]);
		if (ret)
			goto fail;
		out->nr_vcpus++;
	}
	return 0;
fail:
	vtxhv_vm_stats_free(out);
	return ret;
}

void vtxhv_vm_stats_free(struct vtxhv_vm_stats *s)
{
	free(s->vcpus);
	s->vcpus = NULL;
	s->nr_vcpus = 0;
}

int vtxhv_parse_event(struct nlmsghdr *nlh, struct vtxhv_event *out)
{
	struct nlattr *tb[VTXHV_A_MAX + 1];
	int ret = parse_attrs(nlh, tb, out, sizeof(*out),
			      NEED(VTXHV_A_EVENT_TYPE) | NEED(VTXHV_A_VM_ID));

	if (ret)
		return ret;
	out->type = get_u32(tb, VTXHV_A_EVENT_TYPE);
	out->vm_id = get_u32(tb, VTXHV_A_VM_ID);
	out->pid = get_u32(tb, VTXHV_A_VM_PID);
	get_str(tb, VTXHV_A_VM_COMM, out->comm, sizeof(out->comm));
	out->has_vcpu = tb[VTXHV_A_VCPU_ID];
	out->vcpu = get_u32(tb, VTXHV_A_VCPU_ID);
	out->has_reason = tb[VTXHV_A_EXIT_REASON];
	out->reason = get_u32(tb, VTXHV_A_EXIT_REASON);
	out->has_rip = tb[VTXHV_A_GUEST_RIP];
	out->rip = get_u64(tb, VTXHV_A_GUEST_RIP);
	out->value = get_u64(tb, VTXHV_A_VALUE);
	return 0;
}

/*
 * NLMSG_ERROR: struct nlmsgerr, then (unless NLM_F_CAPPED) the rest of
 * the request, then with NLM_F_ACK_TLVS the extended-ack attributes.
 */
void vtxhv_parse_nlmsgerr(const struct nlmsghdr *nlh,
			  struct vtxhv_nl_error *err)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *e;
	size_t len, off;

	memset(err, 0, sizeof(*err));
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e)) {
		err->error = EPROTO;
		return;
	}
	e = NLMSG_DATA(nlh);
	err->error = -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	len = nlh->nlmsg_len - NLMSG_HDRLEN;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return;
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (off >= len ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)e + off), len - off, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG]) {
		nla_strlcpy(err->msg, tb[NLMSGERR_ATTR_MSG], sizeof(err->msg));
		/* The kernel's messages end without a newline; be sure. */
		err->msg[strcspn(err->msg, "\n")] = '\0';
	}
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4)
		err->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	if (tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) >= 4) {
		err->has_offset = true;
		err->offset = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	}
}

const char *vtxhv_nl_strerror(const struct vtxhv_nl_error *err, char *buf,
			      size_t len)
{
	const char *name = vtxhv_attr_name(err->miss_type);

	if (err->msg[0])
		snprintf(buf, len, "%s (%s)", err->msg, strerror(err->error));
	else if (err->miss_type && name)
		snprintf(buf, len, "missing attribute %s (%s)", name,
			 strerror(err->error));
	else if (err->miss_type)
		snprintf(buf, len, "missing attribute %u (%s)", err->miss_type,
			 strerror(err->error));
	else
		snprintf(buf, len, "%s", strerror(err->error));
	return buf;
}

/* ---- The socket --------------------------------------------------------- */

/* libnl's error codes lose the errno; get back the ones we act on. */
static int nlerr_to_errno(int nlerr, int saved_errno)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM:
		return saved_errno == ENOBUFS ? ENOBUFS : ENOMEM;
	case NLE_PERM:
		return EPERM;
	case NLE_NOACCESS:
		return EACCES;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	case NLE_OPNOTSUPP:
		return EOPNOTSUPP;
	case NLE_INVAL:
		return EINVAL;
	case NLE_RANGE:
		return ERANGE;
	case NLE_MSGSIZE:
		return EMSGSIZE;
	case NLE_AGAIN:
		return EAGAIN;
	case NLE_INTR:
		return EINTR;
	case NLE_BUSY:
		return EBUSY;
	case NLE_PROTO_MISMATCH:
		return EPROTONOSUPPORT;
	default:
		return EPROTO;
	}
}

void vtxhv_nl_close(struct vtxhv_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

int vtxhv_nl_errno(int nlerr)
{
	return nlerr_to_errno(nlerr, errno);
}

int vtxhv_nl_connect(struct vtxhv_nl **out)
{
	struct vtxhv_nl *nl = calloc(1, sizeof(*nl));
	int one = 1, ret;

	if (!nl)
		return -NLE_NOMEM;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		return -NLE_NOMEM;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0)
		goto fail;
	/*
	 * Extended acks carry the kernel's reason for a refusal ("no such
	 * VM"); capped acks do not echo a whole refused request back.
	 */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	/* Acks are asked for explicitly, and matched by sequence number. */
	nl_socket_disable_auto_ack(nl->sk);
	nl->family = genl_ctrl_resolve(nl->sk, VTXHV_GENL_NAME);
	if (nl->family < 0) {
		ret = nl->family;
		goto fail;
	}
	*out = nl;
	return 0;
fail:
	vtxhv_nl_close(nl);
	return ret;
}

/* One request in flight: what answers it, and how it ended. */
struct request {
	uint8_t cmd;
	uint32_t seq;
	int (*parse)(struct nlmsghdr *nlh, void *arg);
	void *arg;
	int parse_error;	/* the first reply vtxctl could not parse */
	bool done;
	struct vtxhv_nl_error *err;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *g = nlmsg_data(nlh);
	int ret;

	if (nlh->nlmsg_seq != r->seq || !genlmsg_valid_hdr(nlh, 0) ||
	    g->cmd != r->cmd)
		return NL_SKIP;
	ret = r->parse(nlh, r->arg);
	if (ret && !r->parse_error)
		r->parse_error = ret;
	return NL_OK;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;

	if (nlmsg_hdr(msg)->nlmsg_seq != r->seq)
		return NL_SKIP;
	r->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct request *r = arg;

	(void)who;
	if (e->msg.nlmsg_seq != r->seq)
		return NL_SKIP;
	/* libnl hands over the payload: step back to the header. */
	vtxhv_parse_nlmsgerr((struct nlmsghdr *)((char *)e - NLMSG_HDRLEN),
			     r->err);
	r->done = true;
	return NL_STOP;
}

/*
 * Send @cmd (a dump if @dump) with VTXHV_A_VM_ID = @vm_id unless it is 0,
 * and hand every reply to @parse until the kernel's ack, NLMSG_DONE or
 * error.
 */
static int request(struct vtxhv_nl *nl, uint8_t cmd, bool dump,
		   uint32_t vm_id, int (*parse)(struct nlmsghdr *, void *),
		   void *arg, struct vtxhv_nl_error *err)
{
	struct request r = { .cmd = cmd, .parse = parse, .arg = arg,
			     .err = err };
	struct nl_msg *msg;
	struct nl_cb *cb;
	int ret;

	memset(err, 0, sizeof(*err));
	msg = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		ret = -NLE_NOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 dump ? NLM_F_DUMP : NLM_F_ACK, cmd,
			 VTXHV_GENL_VERSION) ||
	    (vm_id && nla_put_u32(msg, VTXHV_A_VM_ID, vm_id) < 0)) {
		ret = -NLE_NOMEM;
		goto out;
	}
	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0)
		goto out;
	r.seq = nlmsg_hdr(msg)->nlmsg_seq;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);
	ret = 0;
	while (!r.done) {
		ret = nl_recvmsgs(nl->sk, cb);
		/* A refusal: on_error has the kernel's errno and message. */
		if (err->error)
			break;
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	if (ret < 0 && !err->error)
		err->error = nlerr_to_errno(ret, errno);
	if (!err->error && r.parse_error) {
		err->error = -r.parse_error;
		snprintf(err->msg, sizeof(err->msg),
			 "vtxctl cannot parse the module's reply: rebuild vtxctl and the module together");
	}
	nlmsg_free(msg);
	nl_cb_put(cb);
	return -err->error;
}

static int parse_info_cb(struct nlmsghdr *nlh, void *arg)
{
	return vtxhv_parse_info(nlh, arg);
}

int vtxhv_nl_get_info(struct vtxhv_nl *nl, struct vtxhv_mod_info *out,
		      struct vtxhv_nl_error *err)
{
	memset(out, 0, sizeof(*out));
	return request(nl, VTXHV_CMD_GET_INFO, false, 0, parse_info_cb, out,
		       err);
}

struct vm_list {
	struct vtxhv_vm_info *vms;
	size_t n;
};

static int parse_vm_list_cb(struct nlmsghdr *nlh, void *arg)
{
	struct vm_list *l = arg;
	struct vtxhv_vm_info vm, *p;
	int ret = vtxhv_parse_vm(nlh, &vm);

	if (ret)
		return ret;
	p = realloc(l->vms, (l->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	l->vms = p;
	l->vms[l->n++] = vm;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct vtxhv_vm_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int vtxhv_nl_list_vms(struct vtxhv_nl *nl, struct vtxhv_vm_info **vms,
		      size_t *n, struct vtxhv_nl_error *err)
{
	struct vm_list l = { NULL, 0 };
	int ret;

	ret = request(nl, VTXHV_CMD_GET_VM, true, 0, parse_vm_list_cb, &l,
		      err);
	if (ret) {
		free(l.vms);
		l.vms = NULL;
		l.n = 0;
	}
	if (l.n)
		qsort(l.vms, l.n, sizeof(*l.vms), by_id);
	*vms = l.vms;
	*n = l.n;
	return ret;
}

static int parse_vm_cb(struct nlmsghdr *nlh, void *arg)
{
	return vtxhv_parse_vm(nlh, arg);
}

int vtxhv_nl_get_vm(struct vtxhv_nl *nl, uint32_t id,
		    struct vtxhv_vm_info *out, struct vtxhv_nl_error *err)
{
	memset(out, 0, sizeof(*out));
	return request(nl, VTXHV_CMD_GET_VM, false, id, parse_vm_cb, out, err);
}

static int parse_stats_cb(struct nlmsghdr *nlh, void *arg)
{
	struct vtxhv_vm_stats *s = arg;

	vtxhv_vm_stats_free(s);
	return vtxhv_parse_stats(nlh, s);
}

int vtxhv_nl_get_stats(struct vtxhv_nl *nl, uint32_t id,
		       struct vtxhv_vm_stats *out, struct vtxhv_nl_error *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = request(nl, VTXHV_CMD_GET_STATS, false, id, parse_stats_cb, out,
		      err);
	if (ret)
		vtxhv_vm_stats_free(out);
	return ret;
}

int vtxhv_nl_subscribe(struct vtxhv_nl *nl, struct vtxhv_nl_error *err)
{
	int grp, ret;

	memset(err, 0, sizeof(*err));
	grp = genl_ctrl_resolve_grp(nl->sk, VTXHV_GENL_NAME,
				    VTXHV_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		err->error = nlerr_to_errno(grp, errno);
		snprintf(err->msg, sizeof(err->msg),
			 "the module has no multicast group '%s'",
			 VTXHV_GENL_MCGRP_EVENTS);
		return -err->error;
	}
	ret = nl_socket_add_membership(nl->sk, grp);
	if (ret < 0) {
		err->error = nlerr_to_errno(ret, errno);
		if (err->error == EPERM || err->error == EACCES)
			snprintf(err->msg, sizeof(err->msg),
				 "joining the '%s' group needs CAP_NET_ADMIN: run as root",
				 VTXHV_GENL_MCGRP_EVENTS);
		return -err->error;
	}
	/* Room for bursts (many VMs created at once) before events drop. */
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 0);
	return 0;
}

struct event_ctx {
	int (*fn)(const struct vtxhv_event *ev, void *arg);
	void *arg;
	bool stop;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct event_ctx *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct vtxhv_event ev;

	if (!genlmsg_valid_hdr(nlh, 0) || g->cmd != VTXHV_CMD_EVENT ||
	    vtxhv_parse_event(nlh, &ev))
		return NL_SKIP;
	if (c->fn(&ev, c->arg)) {
		c->stop = true;
		return NL_STOP;
	}
	return NL_OK;
}

int vtxhv_nl_recv_events(struct vtxhv_nl *nl,
			 int (*fn)(const struct vtxhv_event *ev, void *arg),
			 void *arg)
{
	struct event_ctx c = { fn, arg, false };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret = 0;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &c);
	while (!c.stop) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0) {
			ret = -nlerr_to_errno(ret, errno);
			break;
		}
		ret = 0;
	}
	nl_cb_put(cb);
	return ret;
}
