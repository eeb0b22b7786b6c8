// SPDX-License-Identifier: GPL-2.0
/*
 * nl_abuse: the "vtxhv" generic-netlink family refuses what it must,
 * cleanly.  Malformed requests (GET_STATS without VTXHV_A_VM_ID, with one
 * of the wrong size or out of range, with attributes the policy does not
 * accept), unknown commands, and 64 KiB messages full of junk each get an
 * error with the errno the attribute policy implies and, where the kernel
 * has one, an extended-ack message; the module still answers afterwards.
 * Then, as uid 65534 (fork + setuid): the VM list shows only that user's
 * own VM, GET_VM and GET_STATS of root's VM fail with ENOENT, joining the
 * "events" group fails with EPERM, and 'vtxctl events' exits 77.
 * A netlink socket carries its opener's rights, not more: one opened by
 * root and kept after setuid(65534) shows root's VM no more (nor may it
 * join "events"), and one opened by uid 65534 and passed to root (over a
 * Unix socket) shows root nothing its opener could not see.
 *
 * Linked with libnl and with userspace/nl.c (the extended-ack parser
 * vtxctl uses), not with the static guest library.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "nl.h"
#include "vtxhv.h"
#include "vtxhv_genl.h"
#include "vtxhv_test.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#define NOBODY		65534
#define JUNK_SIZE	(64 * 1024)
#define RECV_SIZE	(256 * 1024)	/* an uncapped ack echoes 64 KiB */

const char *progname = "nl_abuse";

struct conn {
	struct nl_sock *sk;
	int family;
	uint32_t seq;
};

/* How the kernel answered one request. */
struct answer {
	int error;			/* positive errno, 0: acked/done */
	struct vtxhv_nl_error ext;	/* the extended ack */
	unsigned int replies;		/* messages before the end */
	struct vtxhv_vm_info vms[16];	/* GET_VM replies, parsed */
	unsigned int nvms;
	struct vtxhv_mod_info info;	/* a GET_INFO reply, parsed */
	bool has_info;
};

static uint8_t rbuf[RECV_SIZE];

static bool connect_genl(struct conn *c)
{
	struct timeval tv = { .tv_sec = 20 };
	int one = 1;

	memset(c, 0, sizeof(*c));
	c->sk = nl_socket_alloc();
	if (!c->sk || genl_connect(c->sk))
		return false;
	/*
	 * libnl sets 32 KiB socket buffers: too small to send the 64 KiB
	 * requests, or to receive their echo in an uncapped ack.
	 */
	nl_socket_set_buffer_size(c->sk, 1 << 20, 1 << 20);
	setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(c->sk), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	c->family = genl_ctrl_resolve(c->sk, VTXHV_GENL_NAME);
	return c->family > 0;
}

static struct nl_msg *request(struct conn *c, uint8_t cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc_size(2 * JUNK_SIZE);

	TEST_ASSERT(m && genlmsg_put(m, 0, 0, c->family, 0, flags, cmd,
				     VTXHV_GENL_VERSION), "message");
	return m;
}

/*
 * Send @m (consumed) and read until its ack, error or NLMSG_DONE; false
 * if nothing came back (a hang would be a bug too).
 */
static bool transact(struct conn *c, struct nl_msg *m, struct answer *a)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	int fd = nl_socket_get_fd(c->sk);
	struct genlmsghdr *g;
	ssize_t n;
	int len;

	memset(a, 0, sizeof(*a));
	nlh->nlmsg_seq = ++c->seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST;
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	n = sendto(fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel));
	nlmsg_free(m);
	if (n < 0) {
		printf("# sendto: %s\n", strerror(errno));
		return false;
	}
	for (;;) {
		n = recv(fd, rbuf, sizeof(rbuf), MSG_TRUNC);
		if (n < 0) {
			printf("# recv: %s\n", strerror(errno));
			return false;
		}
		if (n > (ssize_t)sizeof(rbuf)) {
			printf("# a %zd-byte answer\n", n);
			return false;
		}
		len = n;
		for (nlh = (struct nlmsghdr *)rbuf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != c->seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				vtxhv_parse_nlmsgerr(nlh, &a->ext);
				a->error = a->ext.error;
				return true;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					a->error = -*(int *)NLMSG_DATA(nlh);
				return true;
			}
			a->replies++;
			g = NLMSG_DATA(nlh);
			if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				continue;
			if (g->cmd == VTXHV_CMD_GET_INFO)
				a->has_info = !vtxhv_parse_info(nlh, &a->info);
			if (g->cmd == VTXHV_CMD_GET_VM && a->nvms < 16 &&
			    !vtxhv_parse_vm(nlh, &a->vms[a->nvms]))
				a->nvms++;
		}
	}
}

/* The answer was @error; print what came with it. */
static bool refused(const char *what, struct answer *a, int error,
		    bool need_text)
{
	char text[512];

	printf("# %s: %s\n", what, a->error ?
	       vtxhv_nl_strerror(&a->ext, text, sizeof(text)) : "accepted");
	if (a->error != error) {
		printf("# %s: errno %d, expected %d (%s)\n", what, a->error,
		       error, strerror(error));
		return false;
	}
	if (need_text && !a->ext.msg[0] && !a->ext.miss_type) {
		printf("# %s: no extended-ack message\n", what);
		return false;
	}
	return true;
}

static bool get_stats_raw(struct conn *c, const void *id, int idlen,
			  int error, const char *what)
{
	struct nl_msg *m = request(c, VTXHV_CMD_GET_STATS, 0);
	struct answer a;

	if (idlen)
		nla_put(m, VTXHV_A_VM_ID, idlen, id);
	return transact(c, m, &a) && refused(what, &a, error, true);
}

/* ---- malformed and oversized ------------------------------------------- */

static bool stats_without_vm_id(struct conn *c)
{
	struct nl_msg *m = request(c, VTXHV_CMD_GET_STATS, 0);
	struct answer a;

	if (!transact(c, m, &a) ||
	    !refused("GET_STATS without VM_ID", &a, EINVAL, true))
		return false;
	/* GENL_REQ_ATTR_CHECK names the missing attribute. */
	return TEST_CHECK(a.ext.miss_type == VTXHV_A_VM_ID, "missing %u",
			  a.ext.miss_type);
}

static bool vm_id_wrong_size(struct conn *c)
{
	uint16_t u16 = 1;
	uint64_t u64 = 1;
	uint8_t u8 = 1;

	return get_stats_raw(c, &u16, 2, EINVAL, "VM_ID of 2 bytes") &
	       get_stats_raw(c, &u64, 8, EINVAL, "VM_ID of 8 bytes") &
	       get_stats_raw(c, &u8, 1, EINVAL, "VM_ID of 1 byte");
}

static bool vm_id_out_of_range(struct conn *c)
{
	uint32_t zero = 0;

	/* NLA_POLICY_MIN(NLA_U32, 1) */
	return get_stats_raw(c, &zero, 4, ERANGE, "VM_ID 0");
}

static bool unknown_vm(struct conn *c)
{
	uint32_t id = UINT32_MAX;
	struct nl_msg *m = request(c, VTXHV_CMD_GET_STATS, 0);
	struct answer a;

	nla_put_u32(m, VTXHV_A_VM_ID, id);
	return transact(c, m, &a) &&
	       refused("GET_STATS of VM 4294967295", &a, ENOENT, true) &&
	       TEST_CHECK(!strcmp(a.ext.msg, "no such VM"), "'%s'",
			  a.ext.msg) &&
	       TEST_CHECK(a.ext.has_offset, "the attribute's offset");
}

static bool unaccepted_attributes(struct conn *c)
{
	struct nl_msg *m = request(c, VTXHV_CMD_GET_STATS, 0);
	struct answer a;
	bool ok;

	/* An attribute of the family that requests may not carry. */
	nla_put_u32(m, VTXHV_A_VM_ID, 1);
	nla_put_u32(m, VTXHV_A_VM_PID, 1);
	ok = transact(c, m, &a) &&
	     refused("GET_STATS with VM_PID", &a, EINVAL, true);
	/* Type 0 and a type beyond VTXHV_A_MAX. */
	m = request(c, VTXHV_CMD_GET_INFO, 0);
	nla_put_u32(m, 0, 1);
	ok &= transact(c, m, &a) &&
	      refused("GET_INFO with attribute 0", &a, EINVAL, true);
	m = request(c, VTXHV_CMD_GET_INFO, 0);
	nla_put_u32(m, VTXHV_A_MAX + 1, 1);
	ok &= transact(c, m, &a) &&
	      refused("GET_INFO with attribute MAX+1", &a, EINVAL, true);
	return ok;
}

static bool unknown_commands(struct conn *c)
{
	static const uint8_t cmds[] = { VTXHV_CMD_UNSPEC, VTXHV_CMD_EVENT,
					VTXHV_CMD_MAX + 1, 200, 255 };
	struct answer a;
	char what[64];
	unsigned int i;
	bool ok = true;

	for (i = 0; i < sizeof(cmds); i++) {
		snprintf(what, sizeof(what), "command %u", cmds[i]);
		ok &= transact(c, request(c, cmds[i], 0), &a) &&
		      refused(what, &a, EOPNOTSUPP, false);
	}
	return ok;
}

/* 64 KiB of attributes with types the family does not have. */
static bool junk_attributes(struct conn *c, bool dump)
{
	struct nl_msg *m = request(c, dump ? VTXHV_CMD_GET_VM :
					     VTXHV_CMD_GET_STATS,
				   dump ? NLM_F_DUMP : 0);
	uint8_t data[16] = { 0 };
	struct answer a;

	srand(1);
	while (nlmsg_hdr(m)->nlmsg_len < JUNK_SIZE)
		nla_put(m, VTXHV_A_MAX + 1 + rand() % 1000, rand() % 16,
			data);
	printf("# %u bytes of unknown attributes%s\n",
	       nlmsg_hdr(m)->nlmsg_len, dump ? ", as a dump" : "");
	return transact(c, m, &a) &&
	       refused("unknown attributes", &a, EINVAL, true);
}

/* 64 KiB of random bytes where the attributes should be. */
static bool junk_bytes(struct conn *c)
{
	static uint8_t junk[JUNK_SIZE];
	struct nl_msg *m = request(c, VTXHV_CMD_GET_STATS, 0);
	struct answer a;
	unsigned int i;

	srand(2);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = rand();
	nlmsg_append(m, junk, sizeof(junk), NLMSG_ALIGNTO);
	if (!transact(c, m, &a))
		return false;
	/* Whatever the first bogus header says, a clean refusal. */
	return refused("random bytes", &a, a.error, false) &&
	       TEST_CHECK(a.error > 0, "accepted");
}

/* One attribute of 65535 bytes, the largest an nla_len can say. */
static bool huge_attribute(struct conn *c)
{
	static uint8_t big[65535 - NLA_HDRLEN];
	struct nl_msg *m = request(c, VTXHV_CMD_GET_STATS, 0);
	struct answer a;

	nla_put_u32(m, VTXHV_A_VM_ID, 1);
	nla_put(m, VTXHV_A_VM_COMM, sizeof(big), big);
	return transact(c, m, &a) &&
	       refused("a 64 KiB VM_COMM", &a, EINVAL, true);
}

/* Thousands of valid VM_IDs: the last counts, and names no VM. */
static bool repeated_vm_id(struct conn *c)
{
	struct nl_msg *m = request(c, VTXHV_CMD_GET_STATS, 0);
	struct answer a;

	while (nlmsg_hdr(m)->nlmsg_len < JUNK_SIZE)
		nla_put_u32(m, VTXHV_A_VM_ID, UINT32_MAX);
	return transact(c, m, &a) &&
	       refused("8 K VM_IDs", &a, ENOENT, true);
}

static bool still_alive(struct conn *c, int dev)
{
	struct nl_msg *m = request(c, VTXHV_CMD_GET_INFO, 0);
	struct vtxhv_mod_info *info;
	struct answer a;

	if (!transact(c, m, &a) || a.error || a.replies != 1 || !a.has_info) {
		printf("# GET_INFO: error %d, %u replies\n", a.error,
		       a.replies);
		return false;
	}
	info = &a.info;
	printf("# module %s, API %u, genl %u, %u CPUs in VMX, %u VMs\n",
	       info->version, info->api_version, info->genl_version,
	       info->cpus_in_vmx, info->nr_vms);
	return TEST_CHECK(info->api_version == VTXHV_API_VERSION, "API") &&
	       TEST_CHECK(info->genl_version == VTXHV_GENL_VERSION, "genl") &&
	       TEST_CHECK(info->cpus_in_vmx > 0, "CPUs") &&
	       TEST_CHECK(ioctl(dev, VTXHV_GET_API_VERSION, 0) ==
			  VTXHV_API_VERSION, "ioctl");
}

/* ---- as another user ---------------------------------------------------- */

/* The VMs a dump shows this caller. */
static bool list_vms(struct conn *c, struct answer *a)
{
	return transact(c, request(c, VTXHV_CMD_GET_VM, NLM_F_DUMP), a) &&
	       TEST_CHECK(a->error == 0, "dump: errno %d", a->error);
}

static const struct vtxhv_vm_info *find_vm(const struct answer *a,
					   uint32_t id)
{
	unsigned int i;

	for (i = 0; i < a->nvms; i++)
		if (a->vms[i].id == id)
			return &a->vms[i];
	return NULL;
}

/* "vtxctl events --count 1" from PATH: its status and output. */
static int run_vtxctl_events(char *out, size_t len)
{
	int p[2], st;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		/* If it may listen, it waits for an event: not forever. */
		alarm(10);
		execlp("vtxctl", "vtxctl", "events", "--count", "1",
		       (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < (ssize_t)len &&
	       (n = read(p[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(p[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Pass @fd over the Unix socket @via (SCM_RIGHTS). */
static bool send_fd(int via, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char ch = 'f';
	struct iovec iov = { .iov_base = &ch, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	memset(&u, 0, sizeof(u));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(via, &mh, 0) == 1;
}

/* The fd sent by send_fd(), or -1. */
static int recv_fd(int via)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char ch;
	struct iovec iov = { .iov_base = &ch, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(via, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET &&
	    cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

enum {
	NB_SETUID, NB_OWN_VM, NB_LIST, NB_GET_VM, NB_STATS, NB_OWN_STATS,
	NB_EVENTS, NB_VTXCTL, NB_RS_LIST, NB_RS_GET_VM, NB_RS_STATS,
	NB_RS_EVENTS, NB_N
};

static const char *const nb_names[NB_N] = {
	"nobody_setuid", "nobody_creates_own_vm",
	"nobody_lists_only_own_vm", "nobody_get_vm_of_root_enoent",
	"nobody_stats_of_root_enoent", "nobody_stats_of_own_vm",
	"nobody_join_events_eperm", "nobody_vtxctl_events_77",
	"root_socket_after_setuid_lists_no_root_vm",
	"root_socket_after_setuid_get_vm_of_root_enoent",
	"root_socket_after_setuid_stats_of_root_enoent",
	"root_socket_after_setuid_join_events_eperm",
};

/*
 * What a dump shows on @c: none of root's VM @root_id, and no VM of
 * another user than @uid.
 */
static bool shows_only(struct conn *c, uint32_t root_id, uint32_t uid,
		       const char *who)
{
	struct answer a;
	unsigned int i;
	bool ok;

	if (!list_vms(c, &a))
		return false;
	printf("# %s: %u VMs listed\n", who, a.nvms);
	ok = TEST_CHECK(!find_vm(&a, root_id), "%s: root's VM %u listed",
			who, root_id);
	for (i = 0; i < a.nvms; i++)
		ok &= TEST_CHECK(a.vms[i].uid == uid, "%s: VM %u of uid %u",
				 who, a.vms[i].id, a.vms[i].uid);
	return ok;
}

/* GET_VM or GET_STATS of root's VM on @c: ENOENT. */
static bool root_vm_enoent(struct conn *c, uint8_t cmd, uint32_t root_id,
			   const char *what)
{
	struct nl_msg *m = request(c, cmd, 0);
	struct answer a;

	nla_put_u32(m, VTXHV_A_VM_ID, root_id);
	return transact(c, m, &a) && refused(what, &a, ENOENT, true);
}

struct nb_result {
	uint32_t own_id;
	int8_t ok[NB_N];	/* 1 pass, 0 fail, -1 skipped */
};

/* The child's half: runs as uid 65534; results through @res. */
static void __attribute__((noreturn)) as_nobody(int dev, uint32_t root_id,
						int res, int go, int pass)
{
	struct conn rootc;
	bool have_rootc;
	struct vtxhv_create_vm cv = { .paging = VTXHV_PAGING_EPT };
	struct nb_result r;
	struct answer a;
	struct nl_msg *m;
	struct conn c;
	char out[1024];
	int vm, grp, st, err;
	char ch;

	memset(&r, 0, sizeof(r));
	memset(r.ok, -1, sizeof(r.ok));
	/* Opened while still root, used after the setuid below. */
	have_rootc = connect_genl(&rootc);
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ||
	    getuid() != NOBODY || geteuid() != NOBODY) {
		printf("# setuid(%d): %s\n", NOBODY, strerror(errno));
		r.ok[NB_SETUID] = 0;
		goto out;
	}
	r.ok[NB_SETUID] = 1;
	/* /dev/vtxhv, opened by root, is inherited: a VM of this user. */
	vm = ioctl(dev, VTXHV_CREATE_VM, &cv);
	r.ok[NB_OWN_VM] = TEST_CHECK(vm >= 0, "VTXHV_CREATE_VM: %s",
				     strerror(errno));
	if (!connect_genl(&c)) {
		printf("# as nobody: cannot resolve the family\n");
		goto out;
	}
	if (list_vms(&c, &a)) {
		r.ok[NB_LIST] = TEST_CHECK(a.nvms == 1, "%u VMs visible",
					   a.nvms) &&
				TEST_CHECK(!find_vm(&a, root_id),
					   "root's VM %u visible", root_id) &&
				TEST_CHECK(a.vms[0].uid == NOBODY &&
					   a.vms[0].pid == (uint32_t)getpid(),
					   "uid %u pid %u", a.vms[0].uid,
					   a.vms[0].pid);
		r.own_id = a.nvms ? a.vms[0].id : 0;
	} else {
		r.ok[NB_LIST] = 0;
	}
	m = request(&c, VTXHV_CMD_GET_VM, 0);
	nla_put_u32(m, VTXHV_A_VM_ID, root_id);
	r.ok[NB_GET_VM] = transact(&c, m, &a) &&
			  refused("nobody: GET_VM of root's VM", &a, ENOENT,
				  true);
	m = request(&c, VTXHV_CMD_GET_STATS, 0);
	nla_put_u32(m, VTXHV_A_VM_ID, root_id);
	r.ok[NB_STATS] = transact(&c, m, &a) &&
			 refused("nobody: GET_STATS of root's VM", &a, ENOENT,
				 true);
	if (r.own_id) {
		m = request(&c, VTXHV_CMD_GET_STATS, 0);
		nla_put_u32(m, VTXHV_A_VM_ID, r.own_id);
		r.ok[NB_OWN_STATS] = transact(&c, m, &a) &&
				     TEST_CHECK(!a.error && a.replies == 1,
						"errno %d", a.error);
	}
	grp = genl_ctrl_resolve_grp(c.sk, VTXHV_GENL_NAME,
				    VTXHV_GENL_MCGRP_EVENTS);
	st = grp > 0 ? setsockopt(nl_socket_get_fd(c.sk), SOL_NETLINK,
				  NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) : 0;
	err = errno;
	r.ok[NB_EVENTS] = TEST_CHECK(grp > 0, "group: %d", grp) &&
			  TEST_CHECK(st < 0 && err == EPERM,
				     "joining: %d, %s", st, strerror(err));
	if (!st)
		printf("# uid %d joined '%s': in Linux 6.1 a multicast group is restricted by GENL_MCAST_CAP_NET_ADMIN in its .flags (GENL_UNS_ADMIN_PERM is an operation flag)\n",
		       NOBODY, VTXHV_GENL_MCGRP_EVENTS);
	st = run_vtxctl_events(out, sizeof(out));
	printf("# nobody: vtxctl events: status %d: %s%s", st, out,
	       st < 0 ? " (killed after 10 s)\n" : "");
	if (st == 127)
		printf("# vtxctl is not on PATH\n");
	else
		r.ok[NB_VTXCTL] = st == 77 && strstr(out, "CAP_NET_ADMIN");

	/* Root's socket in this unprivileged process: root's rights stay. */
	if (have_rootc) {
		r.ok[NB_RS_LIST] = shows_only(&rootc, root_id, NOBODY,
					      "root's socket as nobody");
		r.ok[NB_RS_GET_VM] = root_vm_enoent(&rootc, VTXHV_CMD_GET_VM,
			root_id, "root's socket as nobody: GET_VM of root's");
		r.ok[NB_RS_STATS] = root_vm_enoent(&rootc,
			VTXHV_CMD_GET_STATS, root_id,
			"root's socket as nobody: GET_STATS of root's");
		st = setsockopt(nl_socket_get_fd(rootc.sk), SOL_NETLINK,
				NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp));
		err = errno;
		r.ok[NB_RS_EVENTS] = TEST_CHECK(grp > 0 && st < 0 &&
						err == EPERM,
						"joining: %d, %s", st,
						strerror(err));
	}
	/* And this user's socket, for root to use (nobody_socket_in_root). */
	if (!send_fd(pass, nl_socket_get_fd(c.sk)))
		printf("# passing the socket: %s\n", strerror(errno));
out:
	fflush(stdout);
	if (write(res, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	/* Keep the VM until root has looked. */
	if (read(go, &ch, 1) < 0)
		_exit(1);
	_exit(0);
}

int main(void)
{
	struct vtxhv_create_vm cv = { .paging = VTXHV_PAGING_EPT };
	int dev, vm, res[2], go[2], pass[2], st, i, grp, fd;
	const struct vtxhv_vm_info *v;
	struct nb_result r;
	struct answer a;
	uint32_t root_id = 0;
	struct conn c, nbc;
	pid_t pid;

	if (getuid() != 0)
		test_skip_all("must run as root");
	dev = open("/dev/vtxhv", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		test_skip_all("/dev/vtxhv missing: vtxhv is not loaded");
	if (!connect_genl(&c))
		test_skip_all("no generic-netlink family 'vtxhv'");
	test_plan(13 + NB_N + 4);

	test_result(stats_without_vm_id(&c), "stats_without_vm_id_einval");
	test_result(vm_id_wrong_size(&c), "vm_id_wrong_size_einval");
	test_result(vm_id_out_of_range(&c), "vm_id_zero_erange");
	test_result(unknown_vm(&c), "unknown_vm_enoent");
	test_result(unaccepted_attributes(&c), "unaccepted_attributes_einval");
	test_result(unknown_commands(&c), "unknown_commands_eopnotsupp");
	test_result(junk_attributes(&c, false), "64k_unknown_attributes");
	test_result(junk_attributes(&c, true), "64k_unknown_attributes_dump");
	test_result(junk_bytes(&c), "64k_random_bytes");
	test_result(huge_attribute(&c), "64k_attribute");
	test_result(repeated_vm_id(&c), "64k_repeated_vm_id");
	test_result(still_alive(&c, dev), "module_still_answers");

	/* Root's VM, and root may follow events. */
	vm = ioctl(dev, VTXHV_CREATE_VM, &cv);
	TEST_ASSERT(vm >= 0, "VTXHV_CREATE_VM");
	if (list_vms(&c, &a))
		for (i = 0; i < (int)a.nvms; i++)
			if (a.vms[i].pid == (uint32_t)getpid())
				root_id = a.vms[i].id;
	TEST_ASSERT(root_id, "root's VM is not listed");
	grp = genl_ctrl_resolve_grp(c.sk, VTXHV_GENL_NAME,
				    VTXHV_GENL_MCGRP_EVENTS);
	st = setsockopt(nl_socket_get_fd(c.sk), SOL_NETLINK,
			NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp));
	test_result(TEST_CHECK(grp > 0 && !st, "group %d: %s", grp,
			       strerror(errno)), "root_joins_events");
	setsockopt(nl_socket_get_fd(c.sk), SOL_NETLINK,
		   NETLINK_DROP_MEMBERSHIP, &grp, sizeof(grp));

	TEST_ASSERT(!pipe(res) && !pipe(go) &&
		    !socketpair(AF_UNIX, SOCK_STREAM, 0, pass), "pipe");
	fflush(stdout);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		close(res[0]);
		close(go[1]);
		close(pass[0]);
		as_nobody(dev, root_id, res[1], go[0], pass[1]);
	}
	close(res[1]);
	close(go[0]);
	close(pass[1]);
	if (read(res[0], &r, sizeof(r)) != sizeof(r)) {
		memset(&r, 0, sizeof(r));
		printf("# the unprivileged child said nothing\n");
	}
	for (i = 0; i < NB_N; i++) {
		if (r.ok[i] < 0)
			test_skip_one(nb_names[i], "see above");
		else
			test_result(r.ok[i], "%s", nb_names[i]);
	}
	/* Root sees both VMs, the other user's with its uid. */
	v = NULL;
	if (list_vms(&c, &a))
		v = find_vm(&a, r.own_id);
	test_result(find_vm(&a, root_id) && v && v->uid == NOBODY,
		    "root_sees_every_vm");

	/*
	 * The unprivileged user's socket in root's hands: a request root
	 * writes to it gets no more than that user's own requests would.
	 */
	fd = r.ok[NB_SETUID] == 1 ? recv_fd(pass[0]) : -1;
	memset(&nbc, 0, sizeof(nbc));
	nbc.family = c.family;
	nbc.sk = nl_socket_alloc();
	if (fd < 0 || !nbc.sk ||
	    nl_socket_set_fd(nbc.sk, NETLINK_GENERIC, fd)) {
		printf("# no socket from the unprivileged child\n");
		for (i = 0; i < 3; i++)
			test_result(0, "nobody_socket_in_root_%s",
				    i == 0 ? "lists_no_root_vm" :
				    i == 1 ? "get_vm_of_root_enoent" :
				    "stats_of_root_enoent");
	} else {
		test_result(shows_only(&nbc, root_id, NOBODY,
				       "nobody's socket as root"),
			    "nobody_socket_in_root_lists_no_root_vm");
		test_result(root_vm_enoent(&nbc, VTXHV_CMD_GET_VM, root_id,
				"nobody's socket as root: GET_VM of root's"),
			    "nobody_socket_in_root_get_vm_of_root_enoent");
		test_result(root_vm_enoent(&nbc, VTXHV_CMD_GET_STATS,
				root_id,
				"nobody's socket as root: GET_STATS of root's"),
			    "nobody_socket_in_root_stats_of_root_enoent");
	}
	if (nbc.sk)
		nl_socket_free(nbc.sk);
	if (write(go[1], "x", 1) != 1 || waitpid(pid, &st, 0) != pid)
		printf("# the child did not finish\n");
	close(vm);
	close(dev);
	nl_socket_free(c.sk);
	test_finish();
}
