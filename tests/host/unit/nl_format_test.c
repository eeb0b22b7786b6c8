// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for vtxctl's telemetry (userspace/nl.c, nl_format.c):
 * netlink messages built in memory with libnl are parsed into structs,
 * extended acks into messages; list, stats and events lines and JSON are
 * compared byte for byte; exit-reason names, JSON escaping of odd command
 * names, and top's rates and ordering.  Also vtxctl's command lines:
 * usage errors and the "module not loaded" message, from the vtxctl given
 * as argument or else the tree's (VTXCTL, from tests/host/Makefile).
 * TAP 13; exit 0 if every test passes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "vtxhv_test.h"
#include "nl.h"
#include "nl_format.h"
#include "vtxhv.h"
#include "x86.h"

const char *progname = "vtxctl";

#define FAMILY	0x1c	/* any id: nothing here talks to the kernel */

static const char *vtxctl;	/* for the command-line tests */

#define CHECK_STR(got, want)						\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		if (strcmp(g_, w_)) {					\
			printf("# %s:%d: %s differs\n", __FILE__,	\
			       __LINE__, #got);				\
			show("got ", g_);				\
			show("want", w_);				\
			return false;					\
		}							\
	} while (0)

/* A string as TAP diagnostics, line by line, control bytes in hex. */
static void show(const char *what, const char *s)
{
	printf("#   %s: ", what);
	for (; *s; s++) {
		if (*s == '\n')
			printf("\\n\n#         ");
		else if ((unsigned char)*s < 0x20 ||
			 (unsigned char)*s >= 0x7f)
			printf("\\x%02x", (unsigned char)*s);
		else
			putchar(*s);
	}
	printf("\n");
}

/* ---- output capture ----------------------------------------------------- */

static char *out;
static size_t out_len;

static FILE *capture(void)
{
	free(out);
	out = NULL;
	return open_memstream(&out, &out_len);
}

static const char *captured(FILE *f)
{
	fclose(f);
	return out;
}

/* ---- messages ----------------------------------------------------------- */

static struct nl_msg *genl_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, 7, FAMILY, 0, 0, cmd,
				VTXHV_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void put_vm(struct nl_msg *msg, uint32_t id, const char *comm)
{
	nla_put_u32(msg, VTXHV_A_VM_ID, id);
	nla_put_u32(msg, VTXHV_A_VM_PID, 4242);
	nla_put_u32(msg, VTXHV_A_VM_UID, 1000);
	nla_put_string(msg, VTXHV_A_VM_COMM, comm);
	nla_put_u32(msg, VTXHV_A_VM_NR_VCPUS, 2);
	nla_put_u64(msg, VTXHV_A_VM_MEM_SIZE, 64 << 20);
	nla_put_u32(msg, VTXHV_A_VM_PAGING, VTXHV_PAGING_EPT);
	nla_put_u64(msg, VTXHV_A_VM_CREATED_NS, 1700000000123456789ULL);
	nla_put_u32(msg, VTXHV_A_VM_STATE, VTXHV_VM_STATE_RUNNING);
}

/* One vCPU nest as the kernel builds it (NLA_F_NESTED on every nest). */
static void put_vcpu(struct nl_msg *msg, uint32_t id, const uint32_t *reasons,
		     const uint64_t *counts, int n)
{
	struct nlattr *v, *exits, *e;
	int i;

	v = nla_nest_start(msg, VTXHV_A_VCPU | NLA_F_NESTED);
	nla_put_u32(msg, VTXHV_A_VCPU_ID, id);
	nla_put_u64(msg, VTXHV_A_VCPU_GUEST_NS, 1500000000ULL + id);
	nla_put_u64(msg, VTXHV_A_VCPU_EXIT_NS, 2500000ULL);
	nla_put_u64(msg, VTXHV_A_VCPU_INJECTED, 3);
	nla_put_u64(msg, VTXHV_A_VCPU_EPT_VIOLATIONS, 12 + id);
	exits = nla_nest_start(msg, VTXHV_A_VCPU_EXITS | NLA_F_NESTED);
	for (i = 0; i < n; i++) {
		e = nla_nest_start(msg, VTXHV_A_EXIT | NLA_F_NESTED);
		nla_put_u32(msg, VTXHV_A_EXIT_REASON, reasons[i]);
		nla_put_u64(msg, VTXHV_A_EXIT_COUNT, counts[i]);
		nla_nest_end(msg, e);
	}
	nla_nest_end(msg, exits);
	nla_nest_end(msg, v);
}

/* ---- parsing ------------------------------------------------------------ */

static bool parse_info(void)
{
	struct nl_msg *msg = genl_msg(VTXHV_CMD_GET_INFO);
	struct vtxhv_mod_info info;

	CHECK(msg);
	nla_put_string(msg, VTXHV_A_VERSION, "0.1");
	nla_put_u32(msg, VTXHV_A_API_VERSION, 1);
	nla_put_u32(msg, VTXHV_A_GENL_VERSION, VTXHV_GENL_VERSION);
	nla_put_u32(msg, VTXHV_A_PAGING_MODES, 1 << VTXHV_PAGING_EPT);
	nla_put_u32(msg, VTXHV_A_CPUS_ONLINE, 4);
	nla_put_u32(msg, VTXHV_A_CPUS_IN_VMX, 3);
	nla_put_u32(msg, VTXHV_A_NR_VMS, 2);
	CHECK_EQ(vtxhv_parse_info(nlmsg_hdr(msg), &info), 0);
	nlmsg_free(msg);
	CHECK_STR(info.version, "0.1");
	CHECK_EQ(info.api_version, 1);
	CHECK_EQ(info.genl_version, VTXHV_GENL_VERSION);
	CHECK_EQ(info.paging_modes, 1);
	CHECK_EQ(info.cpus_online, 4);
	CHECK_EQ(info.cpus_in_vmx, 3);
	CHECK_EQ(info.nr_vms, 2);
	return true;
}

static bool parse_vm(void)
{
	struct nl_msg *msg = genl_msg(VTXHV_CMD_GET_VM);
	struct vtxhv_vm_info vm;

	CHECK(msg);
	put_vm(msg, 3, "qemu-ish");
	CHECK_EQ(vtxhv_parse_vm(nlmsg_hdr(msg), &vm), 0);
	nlmsg_free(msg);
	CHECK_EQ(vm.id, 3);
	CHECK_EQ(vm.pid, 4242);
	CHECK_EQ(vm.uid, 1000);
	CHECK_STR(vm.comm, "qemu-ish");
	CHECK_EQ(vm.nr_vcpus, 2);
	CHECK_EQ(vm.mem_size, 64 << 20);
	CHECK_EQ(vm.paging, VTXHV_PAGING_EPT);
	CHECK_EQ(vm.created_ns, 1700000000123456789ULL);
	CHECK_EQ(vm.state, VTXHV_VM_STATE_RUNNING);
	return true;
}

/* Replies vtxctl must refuse rather than misread. */
static bool parse_vm_malformed(void)
{
	static const char long_comm[] = "0123456789abcdefXYZ";
	struct vtxhv_vm_info vm;
	struct nl_msg *msg;
	uint16_t u16 = 3;
	uint64_t u64 = 3;

	/* no VM_ID */
	msg = genl_msg(VTXHV_CMD_GET_VM);
	CHECK(msg);
	nla_put_u32(msg, VTXHV_A_VM_PID, 1);
	CHECK_EQ(vtxhv_parse_vm(nlmsg_hdr(msg), &vm), -ENODATA);
	nlmsg_free(msg);
	/* VM_ID of 2 and of 8 bytes */
	msg = genl_msg(VTXHV_CMD_GET_VM);
	nla_put(msg, VTXHV_A_VM_ID, sizeof(u16), &u16);
	CHECK_EQ(vtxhv_parse_vm(nlmsg_hdr(msg), &vm), -EINVAL);
	nlmsg_free(msg);
	msg = genl_msg(VTXHV_CMD_GET_VM);
	nla_put(msg, VTXHV_A_VM_ID, sizeof(u64), &u64);
	CHECK_EQ(vtxhv_parse_vm(nlmsg_hdr(msg), &vm), -EINVAL);
	nlmsg_free(msg);
	/* a command name longer than TASK_COMM_LEN, or without its NUL */
	msg = genl_msg(VTXHV_CMD_GET_VM);
	nla_put_u32(msg, VTXHV_A_VM_ID, 1);
	nla_put_string(msg, VTXHV_A_VM_COMM, long_comm);
	CHECK_EQ(vtxhv_parse_vm(nlmsg_hdr(msg), &vm), -EINVAL);
	nlmsg_free(msg);
	msg = genl_msg(VTXHV_CMD_GET_VM);
	nla_put_u32(msg, VTXHV_A_VM_ID, 1);
	nla_put(msg, VTXHV_A_VM_COMM, 4, "abcd");
	CHECK_EQ(vtxhv_parse_vm(nlmsg_hdr(msg), &vm), -EINVAL);
	nlmsg_free(msg);
	/* a message too short for the genetlink header */
	msg = nlmsg_alloc();
	nlmsg_put(msg, 0, 1, FAMILY, 0, 0);
	CHECK_EQ(vtxhv_parse_vm(nlmsg_hdr(msg), &vm), -EINVAL);
	nlmsg_free(msg);
	/* unknown attributes (a newer module) are ignored */
	msg = genl_msg(VTXHV_CMD_GET_VM);
	nla_put_u32(msg, VTXHV_A_VM_ID, 9);
	nla_put_u64(msg, VTXHV_A_MAX + 5, 1);
	CHECK_EQ(vtxhv_parse_vm(nlmsg_hdr(msg), &vm), 0);
	CHECK_EQ(vm.id, 9);
	nlmsg_free(msg);
	return true;
}

static bool parse_stats(void)
{
	static const uint32_t r0[] = { 10, 30, 48, 1 }, r1[] = { 12, 99 };
	static const uint64_t c0[] = { 37, 25, 11, 5 }, c1[] = { 1, 7 };
	struct nl_msg *msg = genl_msg(VTXHV_CMD_GET_STATS);
	struct vtxhv_vm_stats s;
	unsigned int r;
	uint64_t sum = 0;

	CHECK(msg);
	nla_put_u32(msg, VTXHV_A_VM_ID, 5);
	put_vcpu(msg, 0, r0, c0, 4);
	put_vcpu(msg, 1, r1, c1, 2);
	CHECK_EQ(vtxhv_parse_stats(nlmsg_hdr(msg), &s), 0);
	nlmsg_free(msg);
	CHECK_EQ(s.vm_id, 5);
	CHECK_EQ(s.nr_vcpus, 2);
	CHECK_EQ(s.vcpus[0].id, 0);
	CHECK_EQ(s.vcpus[0].guest_ns, 1500000000ULL);
	CHECK_EQ(s.vcpus[0].exit_ns, 2500000ULL);
	CHECK_EQ(s.vcpus[0].injected, 3);
	CHECK_EQ(s.vcpus[0].ept_violations, 12);
	CHECK_EQ(s.vcpus[0].exits[10], 37);
	CHECK_EQ(s.vcpus[0].exits[30], 25);
	CHECK_EQ(s.vcpus[0].exits[48], 11);
	CHECK_EQ(s.vcpus[0].exits[1], 5);
	for (r = 0; r < VTXHV_NL_EXIT_REASONS; r++)
		sum += s.vcpus[0].exits[r];
	CHECK_EQ(sum, 37 + 25 + 11 + 5);
	CHECK_EQ(s.vcpus[1].id, 1);
	CHECK_EQ(s.vcpus[1].ept_violations, 13);
	CHECK_EQ(s.vcpus[1].exits[12], 1);	/* reason 99: not counted */
	vtxhv_vm_stats_free(&s);

	/* A VM without vCPUs. */
	msg = genl_msg(VTXHV_CMD_GET_STATS);
	nla_put_u32(msg, VTXHV_A_VM_ID, 6);
	CHECK_EQ(vtxhv_parse_stats(nlmsg_hdr(msg), &s), 0);
	CHECK_EQ(s.nr_vcpus, 0);
	nlmsg_free(msg);
	return true;
}

static bool parse_stats_malformed(void)
{
	struct vtxhv_vm_stats s;
	struct nlattr *v, *x, *e;
	struct nl_msg *msg;

	/* an exit without its count */
	msg = genl_msg(VTXHV_CMD_GET_STATS);
	nla_put_u32(msg, VTXHV_A_VM_ID, 5);
	v = nla_nest_start(msg, VTXHV_A_VCPU);
	nla_put_u32(msg, VTXHV_A_VCPU_ID, 0);
	x = nla_nest_start(msg, VTXHV_A_VCPU_EXITS);
	e = nla_nest_start(msg, VTXHV_A_EXIT);
	nla_put_u32(msg, VTXHV_A_EXIT_REASON, 10);
	nla_nest_end(msg, e);
	nla_nest_end(msg, x);
	nla_nest_end(msg, v);
	CHECK_EQ(vtxhv_parse_stats(nlmsg_hdr(msg), &s), -ENODATA);
	CHECK(!s.vcpus && !s.nr_vcpus);
	nlmsg_free(msg);
	/* a vCPU without its id */
	msg = genl_msg(VTXHV_CMD_GET_STATS);
	nla_put_u32(msg, VTXHV_A_VM_ID, 5);
	v = nla_nest_start(msg, VTXHV_A_VCPU);
	nla_put_u64(msg, VTXHV_A_VCPU_INJECTED, 1);
	nla_nest_end(msg, v);
	CHECK_EQ(vtxhv_parse_stats(nlmsg_hdr(msg), &s), -ENODATA);
	nlmsg_free(msg);
	/* a count of the wrong size */
	msg = genl_msg(VTXHV_CMD_GET_STATS);
	nla_put_u32(msg, VTXHV_A_VM_ID, 5);
	v = nla_nest_start(msg, VTXHV_A_VCPU);
	nla_put_u32(msg, VTXHV_A_VCPU_ID, 0);
	nla_put_u32(msg, VTXHV_A_VCPU_GUEST_NS, 1);
	nla_nest_end(msg, v);
	CHECK_EQ(vtxhv_parse_stats(nlmsg_hdr(msg), &s), -EINVAL);
	nlmsg_free(msg);
	return true;
}

static bool parse_event(void)
{
	struct nl_msg *msg = genl_msg(VTXHV_CMD_EVENT);
	struct vtxhv_event ev;

	CHECK(msg);
	nla_put_u32(msg, VTXHV_A_EVENT_TYPE, VTXHV_EVENT_SHUTDOWN);
	nla_put_u32(msg, VTXHV_A_VM_ID, 4);
	nla_put_u32(msg, VTXHV_A_VM_PID, 77);
	nla_put_string(msg, VTXHV_A_VM_COMM, "hold_vm");
	nla_put_u32(msg, VTXHV_A_VCPU_ID, 0);
	nla_put_u32(msg, VTXHV_A_EXIT_REASON, 2);
	nla_put_u64(msg, VTXHV_A_GUEST_RIP, 0x401a2bULL);
	nla_put_u64(msg, VTXHV_A_VALUE, 0);
	CHECK_EQ(vtxhv_parse_event(nlmsg_hdr(msg), &ev), 0);
	nlmsg_free(msg);
	CHECK_EQ(ev.type, VTXHV_EVENT_SHUTDOWN);
	CHECK_EQ(ev.vm_id, 4);
	CHECK_EQ(ev.pid, 77);
	CHECK_STR(ev.comm, "hold_vm");
	CHECK(ev.has_vcpu && ev.has_reason && ev.has_rip);
	CHECK_EQ(ev.vcpu, 0);
	CHECK_EQ(ev.reason, 2);
	CHECK_EQ(ev.rip, 0x401a2b);

	/* VM created: no vCPU, reason or RIP */
	msg = genl_msg(VTXHV_CMD_EVENT);
	nla_put_u32(msg, VTXHV_A_EVENT_TYPE, VTXHV_EVENT_VM_CREATED);
	nla_put_u32(msg, VTXHV_A_VM_ID, 4);
	nla_put_u64(msg, VTXHV_A_VALUE, 0);
	CHECK_EQ(vtxhv_parse_event(nlmsg_hdr(msg), &ev), 0);
	CHECK(!ev.has_vcpu && !ev.has_reason && !ev.has_rip);
	nlmsg_free(msg);

	/* no type */
	msg = genl_msg(VTXHV_CMD_EVENT);
	nla_put_u32(msg, VTXHV_A_VM_ID, 4);
	CHECK_EQ(vtxhv_parse_event(nlmsg_hdr(msg), &ev), -ENODATA);
	nlmsg_free(msg);
	return true;
}

/*
 * An NLMSG_ERROR as the kernel's netlink_ack() builds it: the nlmsgerr,
 * the refused request's payload unless capped, then the ack TLVs.
 */
static struct nl_msg *error_msg(int error, bool capped, const char *text,
				uint32_t miss_type, bool offs)
{
	struct nl_msg *req = genl_msg(VTXHV_CMD_GET_STATS), *msg;
	struct nlmsghdr *rh, *nlh;
	struct nlmsgerr *e;
	int flags = NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0);

	nla_put_u32(req, VTXHV_A_VM_ID, 42);
	nla_put_u16(req, VTXHV_A_VM_PID, 1);	/* an odd length */
	rh = nlmsg_hdr(req);
	msg = nlmsg_alloc();
	nlh = nlmsg_put(msg, 0, rh->nlmsg_seq, NLMSG_ERROR, sizeof(*e), flags);
	e = nlmsg_data(nlh);
	e->error = -error;
	e->msg = *rh;
	if (!capped)
		nlmsg_append(msg, nlmsg_data(rh), nlmsg_datalen(rh),
			     NLMSG_ALIGNTO);
	if (text)
		nla_put_string(msg, NLMSGERR_ATTR_MSG, text);
	if (offs)
		nla_put_u32(msg, NLMSGERR_ATTR_OFFS, 20);
	if (miss_type)
		nla_put_u32(msg, NLMSGERR_ATTR_MISS_TYPE, miss_type);
	nlmsg_free(req);
	return msg;
}

static bool extack_messages(void)
{
	struct vtxhv_nl_error err;
	struct nl_msg *msg;
	char buf[256];

	msg = error_msg(ENOENT, false, "no such VM", 0, true);
	vtxhv_parse_nlmsgerr(nlmsg_hdr(msg), &err);
	nlmsg_free(msg);
	CHECK_EQ(err.error, ENOENT);
	CHECK_STR(err.msg, "no such VM");
	CHECK(err.has_offset);
	CHECK_EQ(err.offset, 20);
	CHECK_STR(vtxhv_nl_strerror(&err, buf, sizeof(buf)),
		  "no such VM (No such file or directory)");

	msg = error_msg(ENOENT, true, "no such VM", 0, false);
	vtxhv_parse_nlmsgerr(nlmsg_hdr(msg), &err);
	nlmsg_free(msg);
	CHECK_STR(err.msg, "no such VM");
	CHECK(!err.has_offset);

	/* GENL_REQ_ATTR_CHECK: a missing attribute, no text */
	msg = error_msg(EINVAL, true, NULL, VTXHV_A_VM_ID, false);
	vtxhv_parse_nlmsgerr(nlmsg_hdr(msg), &err);
	nlmsg_free(msg);
	CHECK_EQ(err.miss_type, VTXHV_A_VM_ID);
	CHECK_STR(vtxhv_nl_strerror(&err, buf, sizeof(buf)),
		  "missing attribute VM_ID (Invalid argument)");

	/* no TLVs at all */
	msg = nlmsg_alloc();
	{
		struct nlmsghdr *nlh = nlmsg_put(msg, 0, 1, NLMSG_ERROR,
						 sizeof(struct nlmsgerr), 0);
		struct nlmsgerr *e = nlmsg_data(nlh);

		e->error = -EPERM;
		e->msg.nlmsg_len = NLMSG_HDRLEN;
	}
	vtxhv_parse_nlmsgerr(nlmsg_hdr(msg), &err);
	nlmsg_free(msg);
	CHECK_EQ(err.error, EPERM);
	CHECK_STR(err.msg, "");
	CHECK_STR(vtxhv_nl_strerror(&err, buf, sizeof(buf)),
		  "Operation not permitted");
	return true;
}

/* ---- names and values --------------------------------------------------- */

static bool exit_reason_names(void)
{
	static const struct {
		unsigned int reason;
		const char *name;
	} known[] = {
		{ 0, "EXCEPTION_NMI" }, { 1, "EXTERNAL_INTERRUPT" },
		{ 2, "TRIPLE_FAULT" }, { 10, "CPUID" }, { 11, "GETSEC" },
		{ 12, "HLT" }, { 18, "VMCALL" }, { 28, "CR_ACCESS" },
		{ 30, "IO_INSTRUCTION" }, { 31, "MSR_READ" },
		{ 33, "INVALID_STATE" }, { 48, "EPT_VIOLATION" },
		{ 49, "EPT_MISCONFIG" }, { 52, "PREEMPTION_TIMER" },
		{ 55, "XSETBV" }, { 74, "BUS_LOCK" }, { 79, "WRMSRLIST" },
	};
	unsigned int i, j, named = 0;
	char buf[48];

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const char *n = vmx_exit_reason_name(known[i].reason);

		CHECK(n);
		CHECK_STR(n, known[i].name);
	}
	/* Every name once; the SDM's reserved numbers have none. */
	for (i = 0; i < VTXHV_NL_EXIT_REASONS; i++) {
		const char *a = vmx_exit_reason_name(i);

		if (!a)
			continue;
		named++;
		for (j = i + 1; j < VTXHV_NL_EXIT_REASONS; j++) {
			const char *b = vmx_exit_reason_name(j);

			CHECK(!b || strcmp(a, b));
		}
	}
	CHECK_EQ(named, 75);
	CHECK(!vmx_exit_reason_name(35) && !vmx_exit_reason_name(38) &&
	      !vmx_exit_reason_name(42) && !vmx_exit_reason_name(65) &&
	      !vmx_exit_reason_name(71) && !vmx_exit_reason_name(80));
	CHECK_STR(exit_reason_str(10, buf, sizeof(buf)), "CPUID");
	CHECK_STR(exit_reason_str(35, buf, sizeof(buf)), "REASON_35");
	CHECK_STR(exit_reason_str(0x80000021, buf, sizeof(buf)),
		  "INVALID_STATE(0x80000021)");
	CHECK_STR(paging_name(VTXHV_PAGING_EPT), "ept");
	CHECK_STR(paging_name(VTXHV_PAGING_SHADOW), "shadow");
	CHECK_STR(paging_name(7), "?");
	CHECK_STR(vm_state_name(VTXHV_VM_STATE_SHUTDOWN), "shutdown");
	CHECK_STR(event_type_name(VTXHV_EVENT_SHUTDOWN), "shutdown");
	CHECK_STR(event_type_name(VTXHV_EVENT_INTERNAL_ERROR),
		  "internal-error");
	CHECK_STR(event_type_name(99), "unknown");
	return true;
}

static bool json_escaping(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "", "\"\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "t\tn\nr\rb\bf\f", "\"t\\tn\\nr\\rb\\bf\\f\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },		/* UTF-8 kept */
		{ "\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xe2\x82\xac\xf0\x9f\x98\x80\"" },
		{ "bad\xff", "\"bad\\ufffd\"" },
		{ "cut\xc3", "\"cut\\ufffd\"" },		/* truncated */
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },		/* overlong */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" }, /* surrogate */
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		{ "</script>", "\"</script>\"" },
	};
	unsigned int i;
	FILE *f;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = capture();
		json_string(f, cases[i].in);
		CHECK_STR(captured(f), cases[i].want);
	}
	return true;
}

static bool comm_for_terminal(void)
{
	char buf[64], small[4];

	CHECK_STR(format_comm("hold_vm", buf, sizeof(buf)), "hold_vm");
	CHECK_STR(format_comm("a\x1b[2Jb", buf, sizeof(buf)), "a?[2Jb");
	CHECK_STR(format_comm("x\ty\x7f", buf, sizeof(buf)), "x?y?");
	CHECK_STR(format_comm("caf\xc3\xa9", buf, sizeof(buf)),
		  "caf\xc3\xa9");
	CHECK_STR(format_comm("bad\xff\xc3", buf, sizeof(buf)), "bad??");
	CHECK_STR(format_comm("with space", buf, sizeof(buf)), "with space");
	/* a sequence that does not fit is not cut in half */
	CHECK_STR(format_comm("ab\xc3\xa9", small, sizeof(small)), "ab?");
	CHECK_STR(format_comm("abcdef", small, sizeof(small)), "abc");
	return true;
}

static bool sizes_and_times(void)
{
	char buf[64];

	CHECK_STR(format_size(64ULL << 20, buf, sizeof(buf)), "64M");
	CHECK_STR(format_size(1ULL << 30, buf, sizeof(buf)), "1G");
	CHECK_STR(format_size(1536ULL << 10, buf, sizeof(buf)), "1536K");
	CHECK_STR(format_size((3ULL << 30) + 4096, buf, sizeof(buf)),
		  "3145732K");
	CHECK_STR(format_size(12345, buf, sizeof(buf)), "12345");
	CHECK_STR(format_size(0, buf, sizeof(buf)), "0");
	CHECK_STR(format_time(0, 0, buf, sizeof(buf)),
		  "1970-01-01T00:00:00Z");
	CHECK_STR(format_time(1700000000123456789ULL, 0, buf, sizeof(buf)),
		  "2023-11-14T22:13:20Z");
	CHECK_STR(format_time(1700000000123456789ULL, 1, buf, sizeof(buf)),
		  "2023-11-14T22:13:20.123Z");
	return true;
}

/* ---- list, stats, events ------------------------------------------------ */

static struct vtxhv_vm_info vm_a = {
	.id = 3, .pid = 4242, .uid = 0, .comm = "hold_vm", .nr_vcpus = 1,
	.mem_size = 64 << 20, .paging = VTXHV_PAGING_EPT,
	.created_ns = 1700000000123456789ULL,
	.state = VTXHV_VM_STATE_RUNNING,
};

static struct vtxhv_vm_info vm_b = {
	.id = 12, .pid = 7, .uid = 1000, .comm = "say \"hi\"\\\n",
	.nr_vcpus = 2, .mem_size = 1536 << 10, .paging = VTXHV_PAGING_EPT,
	.created_ns = 0, .state = VTXHV_VM_STATE_SHUTDOWN,
};

static bool list_lines(void)
{
	FILE *f = capture();

	list_print_header(f);
	list_print_vm(f, &vm_a);
	list_print_vm(f, &vm_b);
	CHECK_STR(captured(f),
		  "  ID     PID  COMM             VCPUS  MEMORY  PAGING STATE     CREATED\n"
		  "   3    4242  hold_vm              1     64M  ept    running   2023-11-14T22:13:20Z\n"
		  "  12       7  say \"hi\"\\?           2   1536K  ept    shutdown  1970-01-01T00:00:00Z\n");
	return true;
}

static bool list_json(void)
{
	struct vtxhv_vm_info vms[2] = { vm_a, vm_b };
	FILE *f = capture();

	list_print_json(f, vms, 0);
	CHECK_STR(captured(f), "[]\n");
	f = capture();
	list_print_json(f, vms, 2);
	CHECK_STR(captured(f),
		  "[{\"id\":3,\"pid\":4242,\"uid\":0,\"comm\":\"hold_vm\",\"vcpus\":1,"
		  "\"mem_bytes\":67108864,\"paging\":\"ept\",\"state\":\"running\","
		  "\"created\":\"2023-11-14T22:13:20Z\",\"created_ns\":1700000000123456789},"
		  "{\"id\":12,\"pid\":7,\"uid\":1000,\"comm\":\"say \\\"hi\\\"\\\\\\n\","
		  "\"vcpus\":2,\"mem_bytes\":1572864,\"paging\":\"ept\","
		  "\"state\":\"shutdown\",\"created\":\"1970-01-01T00:00:00Z\","
		  "\"created_ns\":0}]\n");
	return true;
}

static struct vtxhv_vcpu_stats vcpus[2];

static struct vtxhv_vm_stats two_vcpus(void)
{
	memset(vcpus, 0, sizeof(vcpus));
	vcpus[0].id = 0;
	vcpus[0].guest_ns = 1500000000ULL;
	vcpus[0].exit_ns = 2500000ULL;
	vcpus[0].injected = 3;
	vcpus[0].ept_violations = 11;
	vcpus[0].exits[10] = 37;
	vcpus[0].exits[30] = 25;
	vcpus[0].exits[48] = 11;
	vcpus[1].id = 1;
	vcpus[1].guest_ns = 500000000ULL;
	vcpus[1].exit_ns = 1000;
	vcpus[1].exits[10] = 3;
	vcpus[1].exits[71] = 1;
	return (struct vtxhv_vm_stats){ .vm_id = 3, .nr_vcpus = 2,
					.vcpus = vcpus };
}

/* What @print writes for vm_a with two_vcpus(). */
static const char *stats_output(void (*print)(FILE *f,
					      const struct vtxhv_vm_info *vm,
					      const struct vtxhv_vm_stats *s))
{
	struct vtxhv_vm_stats s = two_vcpus();
	struct vtxhv_vm_info vm = vm_a;
	FILE *f = capture();

	vm.nr_vcpus = 2;
	print(f, &vm, &s);
	return captured(f);
}

static bool stats_text(void)
{
	CHECK_STR(stats_output(stats_print),
		  "VM 3: pid 4242 (hold_vm), 2 vCPUs, 64M, ept, running, created 2023-11-14T22:13:20Z\n"
		  "\n"
		  "vCPU 0: guest 1.500000 s, exit handling 0.002500 s, 3 injected, 11 EPT violations, 73 exits\n"
		  "   10 CPUID                                37\n"
		  "   30 IO_INSTRUCTION                       25\n"
		  "   48 EPT_VIOLATION                        11\n"
		  "\n"
		  "vCPU 1: guest 0.500000 s, exit handling 0.000001 s, 0 injected, 0 EPT violations, 4 exits\n"
		  "   10 CPUID                                 3\n"
		  "   71 REASON_71                             1\n"
		  "\n"
		  "total: guest 2.000000 s, exit handling 0.002501 s, 3 injected, 11 EPT violations, 77 exits\n"
		  "   10 CPUID                                40\n"
		  "   30 IO_INSTRUCTION                       25\n"
		  "   48 EPT_VIOLATION                        11\n"
		  "   71 REASON_71                             1\n");
	return true;
}

static bool stats_json(void)
{
	CHECK_STR(stats_output(stats_print_json),
		  "{\"id\":3,\"pid\":4242,\"uid\":0,\"comm\":\"hold_vm\",\"vcpus\":2,"
		  "\"mem_bytes\":67108864,\"paging\":\"ept\",\"state\":\"running\","
		  "\"created\":\"2023-11-14T22:13:20Z\",\"created_ns\":1700000000123456789,"
		  "\"per_vcpu\":["
		  "{\"id\":0,\"guest_ns\":1500000000,\"exit_ns\":2500000,\"injected\":3,"
		  "\"ept_violations\":11,\"exits_total\":73,"
		  "\"exits\":{\"CPUID\":37,\"IO_INSTRUCTION\":25,\"EPT_VIOLATION\":11}},"
		  "{\"id\":1,\"guest_ns\":500000000,\"exit_ns\":1000,\"injected\":0,"
		  "\"ept_violations\":0,\"exits_total\":4,"
		  "\"exits\":{\"CPUID\":3,\"REASON_71\":1}}],"
		  "\"total\":{\"guest_ns\":2000000000,\"exit_ns\":2501000,\"injected\":3,"
		  "\"ept_violations\":11,\"exits_total\":77,"
		  "\"exits\":{\"CPUID\":40,\"IO_INSTRUCTION\":25,\"EPT_VIOLATION\":11,"
		  "\"REASON_71\":1}}}\n");
	return true;
}

static bool event_lines(void)
{
	struct vtxhv_event shut = {
		.type = VTXHV_EVENT_SHUTDOWN, .vm_id = 4, .pid = 77,
		.comm = "hold_vm", .has_vcpu = true, .vcpu = 0,
		.has_reason = true, .reason = 2, .has_rip = true,
		.rip = 0x401a2b, .value = 0,
	};
	struct vtxhv_event created = {
		.type = VTXHV_EVENT_VM_CREATED, .vm_id = 5, .pid = 78,
		.comm = "odd \"one\"\x01",
	};
	struct vtxhv_event fail = {
		.type = VTXHV_EVENT_FAIL_ENTRY, .vm_id = 6, .pid = 79,
		.comm = "t", .has_vcpu = true, .vcpu = 1, .has_reason = true,
		.reason = 0x80000021, .value = 7,
	};
	const uint64_t t = 1700000000123456789ULL;
	FILE *f = capture();

	event_print(f, &shut, t);
	event_print(f, &created, t);
	event_print(f, &fail, t);
	CHECK_STR(captured(f),
		  "2023-11-14T22:13:20.123Z shutdown vm=4 pid=77 vcpu=0 reason=TRIPLE_FAULT rip=0x401a2b value=0 comm=hold_vm\n"
		  "2023-11-14T22:13:20.123Z vm-created vm=5 pid=78 value=0 comm=odd \"one\"?\n"
		  "2023-11-14T22:13:20.123Z fail-entry vm=6 pid=79 vcpu=1 reason=INVALID_STATE(0x80000021) value=7 comm=t\n");
	f = capture();
	event_print_json(f, &shut, t);
	event_print_json(f, &created, t);
	CHECK_STR(captured(f),
		  "{\"time\":\"2023-11-14T22:13:20.123Z\",\"type\":\"shutdown\",\"vm\":4,"
		  "\"pid\":77,\"comm\":\"hold_vm\",\"vcpu\":0,\"reason\":2,"
		  "\"reason_name\":\"TRIPLE_FAULT\",\"rip\":\"0x401a2b\",\"value\":0}\n"
		  "{\"time\":\"2023-11-14T22:13:20.123Z\",\"type\":\"vm-created\",\"vm\":5,"
		  "\"pid\":78,\"comm\":\"odd \\\"one\\\"\\u0001\",\"value\":0}\n");
	return true;
}

/* ---- top ---------------------------------------------------------------- */

static struct top_vm tvm(uint32_t id, uint64_t created, uint64_t cpuid,
			 uint64_t io, uint64_t ept)
{
	struct top_vm v;

	memset(&v, 0, sizeof(v));
	v.id = id;
	v.pid = 100 + id;
	v.created_ns = created;
	snprintf(v.comm, sizeof(v.comm), "vm%u", id);
	v.exits[10] = cpuid;
	v.exits[30] = io;
	v.exits[48] = ept;
	return v;
}

static bool top_rates(void)
{
	struct top_vm prev[3] = {
		tvm(1, 10, 100, 100, 5),
		tvm(2, 20, 1000, 0, 0),
		tvm(3, 30, 50, 50, 50),		/* destroyed, id reused below */
	};
	struct top_vm cur[4] = {
		tvm(1, 10, 300, 150, 5),	/* +200 CPUID, +50 IO */
		tvm(2, 20, 1400, 0, 0),		/* +400 CPUID */
		tvm(3, 31, 20, 0, 10),		/* new VM with id 3: from 0 */
		tvm(4, 40, 0, 0, 0),		/* new, idle */
	};
	struct top_view v;

	CHECK_EQ(top_compute(prev, 3, cur, 4, 2.0, &v), 0);
	CHECK_EQ(v.nvms, 4);
	/* VMs by rate: 2 (400), 1 (250), 3 (30), 4 (0) */
	CHECK_EQ(v.vms[0].vm, 2);
	CHECK_EQ(v.vms[0].delta, 400);
	CHECK(v.vms[0].rate == 200.0);
	CHECK_EQ(v.vms[0].count, 1400);
	CHECK_EQ(v.vms[0].reason, TOP_ALL_REASONS);
	CHECK_EQ(v.vms[1].vm, 1);
	CHECK_EQ(v.vms[1].delta, 250);
	CHECK_EQ(v.vms[1].count, 455);
	CHECK_EQ(v.vms[2].vm, 3);
	CHECK_EQ(v.vms[2].delta, 30);
	CHECK_EQ(v.vms[3].vm, 4);
	CHECK_EQ(v.vms[3].delta, 0);
	CHECK(v.vms[3].rate == 0.0);
	CHECK_EQ(v.total_delta, 680);
	CHECK(v.total_rate == 340.0);
	CHECK_EQ(v.total_count, 1400 + 455 + 30);
	/* (VM, reason) rows with exits in the interval, by rate */
	CHECK_EQ(v.nreasons, 5);
	CHECK(v.reasons[0].vm == 2 && v.reasons[0].reason == 10);
	CHECK(v.reasons[1].vm == 1 && v.reasons[1].reason == 10);
	CHECK(v.reasons[2].vm == 1 && v.reasons[2].reason == 30);
	CHECK(v.reasons[2].rate == 25.0);
	CHECK(v.reasons[3].vm == 3 && v.reasons[3].reason == 10);
	CHECK(v.reasons[4].vm == 3 && v.reasons[4].reason == 48);
	CHECK_EQ(v.reasons[4].count, 10);
	CHECK_STR(v.reasons[4].comm, "vm3");
	top_view_free(&v);

	/* Ties: by VM id, then reason. */
	cur[0] = tvm(9, 1, 10, 10, 0);
	cur[1] = tvm(8, 1, 10, 10, 0);
	CHECK_EQ(top_compute(NULL, 0, cur, 2, 1.0, &v), 0);
	CHECK(v.vms[0].vm == 8 && v.vms[1].vm == 9);
	CHECK(v.reasons[0].vm == 8 && v.reasons[0].reason == 10);
	CHECK(v.reasons[1].vm == 8 && v.reasons[1].reason == 30);
	CHECK(v.reasons[2].vm == 9 && v.reasons[2].reason == 10);
	top_view_free(&v);

	/* No VMs at all. */
	CHECK_EQ(top_compute(prev, 3, NULL, 0, 1.0, &v), 0);
	CHECK_EQ(v.nvms, 0);
	CHECK_EQ(v.nreasons, 0);
	top_view_free(&v);
	return true;
}

static bool top_output(void)
{
	struct top_vm prev[1] = { tvm(1, 10, 100, 100, 5) };
	struct top_vm cur[2] = { tvm(1, 10, 300, 150, 5),
				 tvm(2, 20, 0, 0, 0) };
	struct top_view v;
	FILE *f;

	CHECK_EQ(top_compute(prev, 1, cur, 2, 2.0, &v), 0);
	f = capture();
	top_print(f, &v, 1700000000123456789ULL);
	top_view_free(&v);
	CHECK_STR(captured(f),
		  "vtxhv top  2023-11-14T22:13:20Z  interval 2.00 s  2 VMs  125.0 exits/s\n"
		  "\n"
		  "  VM     PID  COMM                  EXITS/s          TOTAL\n"
		  "   1     101  vm1                     125.0            455\n"
		  "   2     102  vm2                       0.0              0\n"
		  " all                                  125.0            455\n"
		  "\n"
		  "  VM REASON                          EXITS/s          TOTAL\n"
		  "   1 CPUID                             100.0            300\n"
		  "   1 IO_INSTRUCTION                     25.0            150\n");
	return true;
}

/* ---- the command line --------------------------------------------------- */

/* Run "vtxctl ARGS" through sh; its status, and its output in @out. */
static int run_vtxctl(const char *args)
{
	char cmd[512];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", vtxctl, args);
	free(out);
	out = calloc(1, 8192);
	p = popen(cmd, "r");
	if (!p || !out)
		return -1;
	n = fread(out, 1, 8191, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool cli_usage_errors(void)
{
	static const char *const bad[] = {
		"list extra", "list --bogus", "stats", "stats abc", "stats 0",
		"stats 4294967296", "stats 1 2", "stats --json", "top --interval 0",
		"top --interval x", "top --interval 4000", "top --iterations 0",
		"top --iterations", "top extra", "events --count 0",
		"events --count -1", "events --count", "events extra",
	};
	unsigned int i;
	int st;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st = run_vtxctl(bad[i]);
		if (st != 64) {
			printf("# vtxctl %s: status %d, expected 64\n", bad[i],
			       st);
			show("output", out);
			return false;
		}
		CHECK(strstr(out, "vtxctl"));
	}
	return true;
}

static bool cli_help(void)
{
	static const struct {
		const char *cmd, *has;
	} help[] = {
		{ "list", "--json" }, { "stats", "--json" },
		{ "top", "--interval" }, { "top", "--iterations" },
		{ "events", "--count" }, { "events", "CAP_NET_ADMIN" },
	};
	char args[64];
	unsigned int i;

	CHECK_EQ(run_vtxctl("--help"), 0);
	CHECK(strstr(out, "\n  list ") && strstr(out, "\n  stats ") &&
	      strstr(out, "\n  top ") && strstr(out, "\n  events "));
	for (i = 0; i < sizeof(help) / sizeof(help[0]); i++) {
		snprintf(args, sizeof(args), "%s --help", help[i].cmd);
		CHECK_EQ(run_vtxctl(args), 0);
		CHECK(!strncmp(out, "usage: vtxctl ", 14));
		CHECK(strstr(out, help[i].has));
	}
	return true;
}

static bool cli_without_module(void)
{
	static const char *const cmds[] = {
		"list", "list --json", "stats 1", "top --iterations 1",
		"events --count 1",
	};
	unsigned int i;
	int st;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		st = run_vtxctl(cmds[i]);
		if (st != 69 ||
		    !strstr(out, "the vtxhv module is not loaded (generic-netlink family 'vtxhv' not found): load it with 'insmod kmod/vtxhv.ko'")) {
			printf("# vtxctl %s: status %d, expected 69\n", cmds[i],
			       st);
			show("output", out);
			return false;
		}
	}
	return true;
}

/* Cases that need the vtxctl binary say so in their third field. */
#define CASE(fn)	{ #fn, fn, false }
#define CLI_TEST(fn)	{ #fn, fn, true }

static const struct {
	const char *name;
	bool (*fn)(void);
	bool cli;
} tests[] = {
	CASE(parse_info),
	CASE(parse_vm),
	CASE(parse_vm_malformed),
	CASE(parse_stats),
	CASE(parse_stats_malformed),
	CASE(parse_event),
	CASE(extack_messages),
	CASE(exit_reason_names),
	CASE(json_escaping),
	CASE(comm_for_terminal),
	CASE(sizes_and_times),
	CASE(list_lines),
	CASE(list_json),
	CASE(stats_text),
	CASE(stats_json),
	CASE(event_lines),
	CASE(top_rates),
	CASE(top_output),
	CLI_TEST(cli_usage_errors),
	CLI_TEST(cli_help),
	CLI_TEST(cli_without_module),
};

#define NCASES (sizeof(tests) / sizeof(tests[0]))

int main(int argc, char **argv)
{
	struct stat st;
	size_t i;
	int status;

	vtxctl = argc > 1 ? argv[1] : VTXCTL;
	test_plan(NCASES);
	for (i = 0; i < NCASES; i++) {
		if (tests[i].cli && (!vtxctl || access(vtxctl, X_OK)))
			test_skip_one(tests[i].name, "vtxctl is not built");
		else if (tests[i].fn == cli_without_module &&
			 !stat("/sys/module/vtxhv", &st))
			test_skip_one(tests[i].name, "vtxhv is loaded here");
		else
			test_result(tests[i].fn(), "%s", tests[i].name);
	}
	status = test_totals();
	free(out);
	return status;
}
