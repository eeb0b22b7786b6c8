// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the gdb server of 'vtxctl run --gdb' (userspace/
 * gdb_rsp.c), as gdb would drive it, on a fake target: four vCPUs'
 * registers, a page of guest memory at 0x1000, a log of breakpoints and
 * resumes, and a capture of every byte the server sends.  The framing (acks,
 * checksums, splits, resends, no-ack mode), target.xml against register
 * lists written here independently of the server's tables, each command,
 * and lengths from gdb that must be refused.  TAP 13 output; exit 0 if
 * every test passes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb_rsp.h"
#include "vtxhv_test.h"

#define NTHREADS	4
#define MEM_BASE	0x1000
#define MEM_SIZE	0x1000
#define MAX_BPS		16

/* ---- The fake target ---------------------------------------------------- */

static struct {
	struct gdb_x86_regs regs[NTHREADS];
	uint8_t mem[MEM_SIZE];
	struct {
		int type;
		uint64_t addr;
		int kind;
		bool insert;
	} bp[MAX_BPS];
	int nbp;
	char resumes[8][NTHREADS + 1];	/* N, C, S per thread */
	int nresume;
	int interrupts, kills, calls;
	int last_thread;		/* of the last register/memory call */
	bool stop_on_resume;		/* report a stop from inside resume */

	char out[1 << 16];		/* what the server sent */
	size_t out_len, out_pos;
	bool out_wrap;			/* the fuzz test: keep only the end */
} fake;

static struct gdb_rsp rsp;

static int fake_thread(int thread)
{
	fake.calls++;
	fake.last_thread = thread;
	return thread >= 1 && thread <= NTHREADS ? 0 : -ESRCH;
}

static int fake_get_regs(void *ctx, int thread, struct gdb_x86_regs *r)
{
	(void)ctx;
	if (fake_thread(thread))
		return -ESRCH;
	*r = fake.regs[thread - 1];
	return 0;
}

static int fake_set_regs(void *ctx, int thread, const struct gdb_x86_regs *r)
{
	(void)ctx;
	if (fake_thread(thread))
		return -ESRCH;
	fake.regs[thread - 1] = *r;
	return 0;
}

static int fake_range(int thread, uint64_t gva, size_t len)
{
	if (fake_thread(thread))
		return -ESRCH;
	if (gva < MEM_BASE || gva - MEM_BASE > MEM_SIZE ||
	    len > MEM_SIZE - (gva - MEM_BASE))
		return -EFAULT;
	return 0;
}

static int fake_read_mem(void *ctx, int thread, uint64_t gva, void *buf,
			 size_t len)
{
	int ret = fake_range(thread, gva, len);

	(void)ctx;
	if (!ret)
		memcpy(buf, fake.mem + (gva - MEM_BASE), len);
	return ret;
}

static int fake_write_mem(void *ctx, int thread, uint64_t gva,
			  const void *buf, size_t len)
{
	int ret = fake_range(thread, gva, len);

	(void)ctx;
	if (!ret)
		memcpy(fake.mem + (gva - MEM_BASE), buf, len);
	return ret;
}

/* Address 0xdead has no slot left; type 1 (hardware) is unsupported. */
static int fake_set_bp(void *ctx, int type, uint64_t addr, int kind,
		       bool insert)
{
	(void)ctx;
	fake.calls++;
	if (type == GDB_BP_HW)
		return -EOPNOTSUPP;
	if (addr == 0xdead)
		return -ENOSPC;
	if (fake.nbp == MAX_BPS)
		return -ENOSPC;
	fake.bp[fake.nbp].type = type;
	fake.bp[fake.nbp].addr = addr;
	fake.bp[fake.nbp].kind = kind;
	fake.bp[fake.nbp].insert = insert;
	fake.nbp++;
	return 0;
}

static int fake_resume(void *ctx, const enum gdb_resume_action *action)
{
	static const char letter[] = { 'N', 'C', 'S' };
	int i;

	(void)ctx;
	fake.calls++;
	for (i = 0; i < NTHREADS && fake.nresume < 8; i++)
		fake.resumes[fake.nresume][i] = letter[action[i]];
	if (fake.nresume < 8)
		fake.nresume++;
	if (fake.stop_on_resume)
		gdb_rsp_stopped(&rsp, 2, GDB_SIGTRAP, NULL);
	return 0;
}

static int fake_interrupt(void *ctx)
{
	(void)ctx;
	fake.interrupts++;
	return 0;
}

static int fake_kill(void *ctx)
{
	(void)ctx;
	fake.kills++;
	return 0;
}

static void fake_send(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (fake.out_wrap && len > sizeof(fake.out) - fake.out_len)
		fake.out_len = fake.out_pos = 0;
	TEST_ASSERT(len <= sizeof(fake.out) - fake.out_len, "capture full");
	memcpy(fake.out + fake.out_len, buf, len);
	fake.out_len += len;
}

static const struct gdb_target_ops fake_ops = {
	.get_regs = fake_get_regs,
	.set_regs = fake_set_regs,
	.read_mem = fake_read_mem,
	.write_mem = fake_write_mem,
	.set_bp = fake_set_bp,
	.resume = fake_resume,
	.interrupt = fake_interrupt,
	.kill = fake_kill,
	.send = fake_send,
};

/* ---- gdb's side --------------------------------------------------------- */

static int feed(const void *buf, size_t len)
{
	return gdb_rsp_input(&rsp, buf, len);
}

/* $data#cc into @dst; return its length. */
static size_t frame(char *dst, const void *data, size_t len)
{
	const uint8_t *d = data;
	uint8_t sum = 0;
	size_t i;

	dst[0] = '$';
	for (i = 0; i < len; i++) {
		dst[i + 1] = d[i];
		sum += d[i];
	}
	sprintf(dst + len + 1, "#%02x", sum);
	return len + 4;
}

static char framed[2 * GDB_RSP_PACKET_SIZE];

static int send_bin(const void *data, size_t len)
{
	TEST_ASSERT(len + 4 < sizeof(framed), "packet too long for the test");
	return feed(framed, frame(framed, data, len));
}

static int send_pkt(const char *data)
{
	return send_bin(data, strlen(data));
}

static char reply_buf[2 * GDB_RSP_PACKET_SIZE];
static size_t reply_len;

/*
 * The next thing the server sent, one well-framed packet: its data,
 * NUL-terminated (and its length in reply_len); NULL, with a diagnostic,
 * if it is not that.
 */
static const char *next_packet(void)
{
	const char *p = fake.out + fake.out_pos, *end = fake.out + fake.out_len;
	const char *hash;
	unsigned int want;
	uint8_t sum = 0;

	if (p == end || *p != '$') {
		printf("# no packet at %zu\n", (size_t)(p - fake.out));
		return NULL;
	}
	p++;
	hash = memchr(p, '#', end - p);
	if (!hash || end - hash < 3 || sscanf(hash + 1, "%2x", &want) != 1) {
		printf("# unframed packet\n");
		return NULL;
	}
	reply_len = hash - p;
	memcpy(reply_buf, p, reply_len);
	reply_buf[reply_len] = '\0';
	for (; p < hash; p++)
		sum += (uint8_t)*p;
	if (sum != want) {
		printf("# checksum %02x, computed %02x\n", want, sum);
		return NULL;
	}
	fake.out_pos = hash + 3 - fake.out;
	return reply_buf;
}

/* The reply to a packet: '+' (unless in no-ack mode), then next_packet(). */
static const char *reply(void)
{
	if (!rsp.no_ack) {
		if (fake.out_pos == fake.out_len ||
		    fake.out[fake.out_pos] != '+') {
			printf("# no '+' at %zu\n", fake.out_pos);
			return NULL;
		}
		fake.out_pos++;
	}
	return next_packet();
}

/* Nothing more was sent. */
static bool quiet(void)
{
	if (fake.out_pos == fake.out_len)
		return true;
	printf("# unexpected output: %.*s\n",
	       (int)(fake.out_len - fake.out_pos), fake.out + fake.out_pos);
	return false;
}

/* Send a packet, and return its reply (and check nothing follows). */
static const char *cmd(const char *data)
{
	const char *r;

	send_pkt(data);
	r = reply();
	if (r && !quiet())
		return NULL;
	return r;
}

#define CHECK_REPLY(packet, want)					\
	do {								\
		const char *r_ = cmd(packet);				\
		if (!r_ || strcmp(r_, want)) {				\
			printf("# %s:%d: %s -> %s, expected %s\n",	\
			       __FILE__, __LINE__, packet,		\
			       r_ ? r_ : "(bad)", want);		\
			return false;					\
		}							\
	} while (0)

static void hex(char *dst, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(dst + 2 * i, "%02x", p[i]);
}

/* The index of register @name in the server's table, or -1. */
static int regno(bool long_mode, const char *name)
{
	const struct gdb_reg_desc *d = NULL;
	size_t i, n;

	d = gdb_rsp_regs(long_mode, &n);
	for (i = 0; i < n; i++)
		if (!strcmp(d[i].name, name))
			return i;
	return -1;
}

/* ---- The registers, as gdb's documentation lists them ------------------- */

struct reg {
	const char *name;
	unsigned int bits;
};

/*
 * What both layouts have alike: the selectors (a 32-bit register each),
 * then after the base registers the x87 registers and XMM0-7 of gdb's
 * "core" and "sse" features.
 */
#define SEG_REGS							\
	{ "cs", 32 }, { "ss", 32 }, { "ds", 32 }, { "es", 32 },		\
	{ "fs", 32 }, { "gs", 32 }
#define X87_SSE_REGS							\
	{ "st0", 80 }, { "st1", 80 }, { "st2", 80 }, { "st3", 80 },	\
	{ "st4", 80 }, { "st5", 80 }, { "st6", 80 }, { "st7", 80 },	\
	{ "fctrl", 32 }, { "fstat", 32 }, { "ftag", 32 }, { "fiseg", 32 }, \
	{ "fioff", 32 }, { "foseg", 32 }, { "fooff", 32 }, { "fop", 32 }, \
	{ "xmm0", 128 }, { "xmm1", 128 }, { "xmm2", 128 }, { "xmm3", 128 }, \
	{ "xmm4", 128 }, { "xmm5", 128 }, { "xmm6", 128 }, { "xmm7", 128 }

static const struct reg regs64[] = {
	{ "rax", 64 }, { "rbx", 64 }, { "rcx", 64 }, { "rdx", 64 },
	{ "rsi", 64 }, { "rdi", 64 }, { "rbp", 64 }, { "rsp", 64 },
	{ "r8", 64 }, { "r9", 64 }, { "r10", 64 }, { "r11", 64 },
	{ "r12", 64 }, { "r13", 64 }, { "r14", 64 }, { "r15", 64 },
	{ "rip", 64 }, { "eflags", 32 },
	SEG_REGS, { "fs_base", 64 }, { "gs_base", 64 },
	X87_SSE_REGS,
	{ "xmm8", 128 }, { "xmm9", 128 }, { "xmm10", 128 }, { "xmm11", 128 },
	{ "xmm12", 128 }, { "xmm13", 128 }, { "xmm14", 128 },
	{ "xmm15", 128 }, { "mxcsr", 32 },
	{ "cr0", 64 }, { "cr2", 64 }, { "cr3", 64 }, { "cr4", 64 },
	{ "cr8", 64 }, { "efer", 64 },
};

static const struct reg regs32[] = {
	{ "eax", 32 }, { "ecx", 32 }, { "edx", 32 }, { "ebx", 32 },
	{ "esp", 32 }, { "ebp", 32 }, { "esi", 32 }, { "edi", 32 },
	{ "eip", 32 }, { "eflags", 32 },
	SEG_REGS,
	X87_SSE_REGS,
	{ "mxcsr", 32 },
	{ "cr0", 32 }, { "cr2", 32 }, { "cr3", 32 }, { "cr4", 32 },
	{ "efer", 64 },
};

/* ---- Tests: framing ----------------------------------------------------- */

static bool checksums(void)
{
	CHECK_REPLY("?", "T05thread:01;");
	feed("$?#3F", 5);			/* upper case digits too */
	CHECK(reply() && !strcmp(reply_buf, "T05thread:01;") && quiet());
	feed("$?#3e", 5);
	CHECK(fake.out[fake.out_pos] == '-');
	fake.out_pos++;
	CHECK(quiet());
	feed("$?#x3", 5);			/* not hex */
	CHECK(fake.out[fake.out_pos] == '-');
	fake.out_pos++;
	CHECK(quiet());
	CHECK_REPLY("", "");			/* "$#00" is valid, and empty */
	return true;
}

static bool splits_and_batches(void)
{
	char two[64];
	size_t i, n;

	/* byte by byte */
	n = frame(framed, "qC", 2);
	for (i = 0; i < n; i++)
		feed(framed + i, 1);
	CHECK(reply() && !strcmp(reply_buf, "QC1") && quiet());
	/* split inside the checksum */
	n = frame(framed, "qAttached", 9);
	feed(framed, n - 1);
	CHECK(quiet());
	feed(framed + n - 1, 1);
	CHECK(reply() && !strcmp(reply_buf, "1") && quiet());
	/* two packets and an ack in one buffer */
	n = frame(two, "qC", 2);
	two[n++] = '+';
	n += frame(two + n, "qAttached", 9);
	feed(two, n);
	CHECK(reply() && !strcmp(reply_buf, "QC1"));
	CHECK(reply() && !strcmp(reply_buf, "1") && quiet());
	/* a '$' restarts a packet: the first is dropped */
	feed("$qAtt$qC#b4", 11);
	CHECK(reply() && !strcmp(reply_buf, "QC1") && quiet());
	/* noise between packets is ignored */
	feed("xyz\n", 4);
	CHECK(quiet());
	return true;
}

static bool nack_resends(void)
{
	char first[64];
	size_t n;

	send_pkt("qC");
	n = fake.out_len - fake.out_pos - 1;	/* without the '+' */
	memcpy(first, fake.out + fake.out_pos + 1, n);
	CHECK(reply() && !strcmp(reply_buf, "QC1"));
	feed("-", 1);
	CHECK_EQ(fake.out_len - fake.out_pos, n);
	CHECK(!memcmp(fake.out + fake.out_pos, first, n));
	fake.out_pos += n;
	feed("--", 2);				/* as often as asked */
	CHECK_EQ(fake.out_len - fake.out_pos, 2 * n);
	fake.out_pos = fake.out_len;
	feed("+", 1);
	CHECK(quiet());
	return true;
}

static bool no_ack_mode(void)
{
	CHECK(!rsp.no_ack);
	send_pkt("QStartNoAckMode");		/* acked, then no more */
	CHECK(fake.out[fake.out_pos++] == '+');
	CHECK(next_packet() && !strcmp(reply_buf, "OK") && quiet());
	CHECK(rsp.no_ack);
	feed("+", 1);				/* gdb's ack of the OK */
	CHECK(quiet());
	CHECK_REPLY("qC", "QC1");		/* no '+' before it */
	feed("$qC#00", 6);			/* bad: dropped, no '-' */
	CHECK(quiet());
	feed("-", 1);				/* nothing resent */
	CHECK(quiet());
	gdb_rsp_reset(&rsp);			/* a new connection acks */
	CHECK_REPLY("qC", "QC1");
	CHECK(!rsp.no_ack);
	return true;
}

/* Raw '*' is data, never run-length encoding; the checksum counts it. */
static bool star_is_data(void)
{
	CHECK_REPLY("qRcmd,2a*2a", "");
	CHECK_REPLY("X1000,3:a*b", "OK");
	CHECK(!memcmp(fake.mem, "a*b", 3));
	CHECK_REPLY("M1000,1:2*", "E01");
	return true;
}

static bool oversized_packet(void)
{
	static char big[GDB_RSP_PACKET_SIZE + 100];

	memset(big, 'q', sizeof(big));
	CHECK_EQ(send_bin(big, GDB_RSP_PACKET_SIZE), 0);
	CHECK(reply() && !strcmp(reply_buf, "") && quiet());
	CHECK_EQ(send_bin(big, GDB_RSP_PACKET_SIZE + 1), 0);
	CHECK(reply() && !strcmp(reply_buf, "E02") && quiet());
	CHECK_EQ(send_bin(big, sizeof(big)), 0);
	CHECK(reply() && !strcmp(reply_buf, "E02") && quiet());
	/* and the server is still in step */
	CHECK_REPLY("qC", "QC1");
	CHECK_EQ(fake.calls, 0);
	return true;
}

/* ---- Tests: queries and target.xml -------------------------------------- */

static bool qsupported(void)
{
	static const char want[] = "PacketSize=1000;qXfer:features:read+;"
		"QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+";

	CHECK_REPLY("qSupported", want);
	CHECK(!rsp.gdb_swbreak && !rsp.gdb_hwbreak);
	CHECK_REPLY("qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;"
		    "fork-events+;xmlRegisters=i386", want);
	CHECK(rsp.gdb_swbreak && rsp.gdb_hwbreak);
	CHECK_REPLY("qSupported:swbreak-;hwbreak+", want);
	CHECK(!rsp.gdb_swbreak && rsp.gdb_hwbreak);
	CHECK_EQ(GDB_RSP_PACKET_SIZE, 0x1000);
	return true;
}

static char xml_whole[GDB_RSP_XML_SIZE], xml_read[GDB_RSP_XML_SIZE];

/* Read target.xml @chunk bytes at a time, as gdb does; its length or 0. */
static size_t read_xml(size_t chunk)
{
	char q[80];
	size_t len = 0, i;

	for (;;) {
		const char *r;

		snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,%zx",
			 len, chunk);
		r = cmd(q);
		if (!r || (r[0] != 'm' && r[0] != 'l')) {
			printf("# %s -> %s\n", q, r ? r : "(bad)");
			return 0;
		}
		for (i = 1; i < reply_len; i++) {
			char c = r[i];

			if (c == '}')
				c = r[++i] ^ 0x20;
			if (len == sizeof(xml_read) - 1)
				return 0;
			xml_read[len++] = c;
		}
		if (r[0] == 'l')
			break;
		if (reply_len == 1) {
			printf("# 'm' and no data\n");
			return 0;
		}
	}
	xml_read[len] = '\0';
	return len;
}

static const char *attr(const char *tag, const char *tag_end,
			const char *name, char *val, size_t size)
{
	char key[32];
	const char *p, *q;

	snprintf(key, sizeof(key), " %s=\"", name);
	p = strstr(tag, key);
	if (!p || p > tag_end)
		return NULL;
	p += strlen(key);
	q = strchr(p, '"');
	if (!q || q > tag_end || (size_t)(q - p) >= size)
		return NULL;
	memcpy(val, p, q - p);
	val[q - p] = '\0';
	return val;
}

/*
 * Every <reg> of @xml: numbered as @want lists it, with its size, each
 * once; within a feature in increasing number.
 */
static bool check_xml_regs(const char *xml, const struct reg *want, size_t n)
{
	bool seen[80] = { false };
	const char *p = xml;
	long last = -1;
	char name[32], bits[16], num[16], type[32];
	size_t found = 0;

	CHECK(n <= 80);
	while ((p = strstr(p, "<")) != NULL) {
		const char *end = strchr(p, '>');
		long k;

		CHECK(end);
		if (!strncmp(p, "<feature ", 9)) {
			last = -1;
		} else if (!strncmp(p, "<reg ", 5)) {
			CHECK(attr(p, end, "name", name, sizeof(name)));
			CHECK(attr(p, end, "bitsize", bits, sizeof(bits)));
			CHECK(attr(p, end, "regnum", num, sizeof(num)));
			CHECK(attr(p, end, "type", type, sizeof(type)));
			k = strtol(num, NULL, 10);
			if (k < 0 || (size_t)k >= n || seen[k] ||
			    strcmp(want[k].name, name) ||
			    strtoul(bits, NULL, 10) != want[k].bits) {
				printf("# <reg %s %s %s> unexpected\n", name,
				       bits, num);
				return false;
			}
			CHECK(k > last);
			last = k;
			seen[k] = true;
			found++;
		}
		p = end;
	}
	CHECK_EQ(found, n);
	return true;
}

static bool check_xml(bool long_mode)
{
	const struct reg *want = long_mode ? regs64 : regs32;
	size_t n = long_mode ? NTESTS(regs64) : NTESTS(regs32);
	static const size_t chunks[] = { 0x3f, 0x100, 0xffb, 0x7fffffff };
	size_t len, i;

	rsp.long_mode = long_mode;
	len = gdb_rsp_target_xml(long_mode, xml_whole, sizeof(xml_whole));
	CHECK(len > 0 && len < sizeof(xml_whole));
	CHECK_EQ(strlen(xml_whole), len);
	CHECK_EQ(gdb_rsp_target_xml(long_mode, NULL, 0), len);
	for (i = 0; i < NTESTS(chunks); i++) {
		CHECK_EQ(read_xml(chunks[i]), len);
		CHECK(!strcmp(xml_read, xml_whole));
	}
	CHECK(strstr(xml_whole, long_mode ?
		     "<architecture>i386:x86-64</architecture>" :
		     "<architecture>i386</architecture>"));
	CHECK(strstr(xml_whole, "<feature name=\"org.gnu.gdb.i386.core\">"));
	CHECK(strstr(xml_whole, "<feature name=\"org.gnu.gdb.i386.sse\">"));
	CHECK(strstr(xml_whole, "<feature name=\"org.vtxhv.x86.control\">"));
	CHECK(!strstr(xml_whole, "org.gnu.gdb.i386.linux"));
	CHECK(!strstr(xml_whole, "orig_rax"));
	CHECK(!!strstr(xml_whole, "org.gnu.gdb.i386.segments") == long_mode);
	CHECK(!strchr(xml_whole, '*') && !strchr(xml_whole, '#'));
	CHECK(check_xml_regs(xml_whole, want, n));
	/* the server's table agrees, and g is its size */
	for (i = 0; i < n; i++)
		CHECK_EQ(regno(long_mode, want[i].name), i);
	return true;
}

static bool target_xml_64(void)
{
	return check_xml(true);
}

static bool target_xml_32(void)
{
	return check_xml(false);
}

static bool target_xml_errors(void)
{
	char q[80];
	size_t len;

	len = gdb_rsp_target_xml(true, xml_whole, sizeof(xml_whole));
	CHECK_REPLY("qXfer:features:read:other.xml:0,100", "E01");
	CHECK_REPLY("qXfer:features:read:target.xml:0,0", "E01");
	CHECK_REPLY("qXfer:features:read:target.xml:0", "E01");
	CHECK_REPLY("qXfer:features:read:target.xml", "E01");
	CHECK_REPLY("qXfer:features:read:target.xml:0,10000000000000000",
		    "E02");
	snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,10", len);
	CHECK_REPLY(q, "l");
	snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,10",
		 len + 1);
	CHECK_REPLY(q, "E01");
	CHECK_REPLY("qXfer:memory-map:read::0,100", "");
	return true;
}

static bool threads(void)
{
	CHECK_REPLY("qfThreadInfo", "m1,2,3,4");
	CHECK_REPLY("qsThreadInfo", "l");
	CHECK_REPLY("qC", "QC1");
	CHECK_REPLY("qAttached", "1");
	CHECK_REPLY("qAttached:1", "1");
	CHECK_REPLY("T1", "OK");
	CHECK_REPLY("T4", "OK");
	CHECK_REPLY("T5", "E04");
	CHECK_REPLY("T0", "E04");
	CHECK_REPLY("Tzz", "E01");
	CHECK_REPLY("Hg3", "OK");
	fake.regs[2].rax = 0x33;
	CHECK_REPLY("p0", "3300000000000000");
	CHECK_EQ(fake.last_thread, 3);
	CHECK_REPLY("Hg9", "E04");
	CHECK_REPLY("Hg100000000", "E02");
	CHECK_REPLY("Hg0", "OK");		/* any: the last stop's */
	CHECK_REPLY("p0", "0000000000000000");
	CHECK_EQ(fake.last_thread, 1);
	CHECK_REPLY("Hc-1", "OK");
	CHECK_REPLY("Hx1", "");
	/* two vCPUs */
	CHECK(!gdb_rsp_init(&rsp, &fake_ops, NULL, 2, true));
	CHECK_REPLY("qfThreadInfo", "m1,2");
	CHECK_REPLY("qsThreadInfo", "l");
	CHECK(gdb_rsp_init(&rsp, &fake_ops, NULL, 0, true) == -EINVAL);
	CHECK(gdb_rsp_init(&rsp, &fake_ops, NULL, GDB_RSP_MAX_THREADS + 1,
			   true) == -EINVAL);
	return true;
}

static bool unknown_packets(void)
{
	CHECK_REPLY("qFoo", "");
	CHECK_REPLY("vMustReplyEmpty", "");
	CHECK_REPLY("!", "");
	CHECK_REPLY("vKill;1", "");
	CHECK_REPLY("qCRC:0,1", "");
	CHECK_REPLY("vContX", "");
	CHECK_REPLY("QNonStop:1", "");
	/* the empty reply is exactly $#00 */
	send_pkt("qFoo");
	CHECK_EQ(fake.out_len - fake.out_pos, 5);
	CHECK(!memcmp(fake.out + fake.out_pos, "+$#00", 5));
	fake.out_pos = fake.out_len;
	CHECK_EQ(fake.calls, 0);
	return true;
}

/* ---- Tests: registers --------------------------------------------------- */

static bool g_is_the_table(void)
{
	CHECK_EQ(gdb_rsp_regs_size(true), 600);
	CHECK_EQ(gdb_rsp_regs_size(false), 332);
	fake.regs[0].rax = 0x1122334455667788ULL;
	fake.regs[0].rbx = 0x99;
	CHECK(cmd("g"));
	CHECK_EQ(reply_len, 2 * gdb_rsp_regs_size(true));
	CHECK(!strncmp(reply_buf, "88776655443322119900000000000000", 32));
	rsp.long_mode = false;
	fake.regs[0].rip = 0xffffffff81000000ULL;
	CHECK(cmd("g"));
	CHECK_EQ(reply_len, 2 * gdb_rsp_regs_size(false));
	/* eax, ecx, edx, ebx: the low halves */
	CHECK(!strncmp(reply_buf, "88776655000000000000000099000000", 32));
	CHECK_REPLY("p8", "00000081");		/* eip */
	CHECK_REPLY("g1", "E01");
	return true;
}

static bool G_then_g(void)
{
	static char g[2 * 600 + 3];
	uint8_t bytes[600];
	size_t i;

	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = i * 7 + 3;
	g[0] = 'G';
	hex(g + 1, bytes, sizeof(bytes));
	CHECK_REPLY(g, "OK");
	CHECK(cmd("g"));
	CHECK(!strcmp(reply_buf, g + 1));
	/* where gdb's numbering puts each register in the packet */
	CHECK(!memcmp(&fake.regs[0].rax, bytes, 8));
	CHECK(!memcmp(&fake.regs[0].rip, bytes + 128, 8));
	CHECK(!memcmp(&fake.regs[0].eflags, bytes + 136, 4));
	CHECK(!memcmp(&fake.regs[0].fs_base, bytes + 164, 8));
	CHECK(!memcmp(fake.regs[0].st[0], bytes + 180, 10));
	CHECK(!memcmp(&fake.regs[0].fctrl, bytes + 260, 4));
	CHECK(!memcmp(fake.regs[0].xmm[0], bytes + 292, 16));
	CHECK(!memcmp(fake.regs[0].xmm[15], bytes + 532, 16));
	CHECK(!memcmp(&fake.regs[0].mxcsr, bytes + 548, 4));
	CHECK(!memcmp(&fake.regs[0].cr0, bytes + 552, 8));
	CHECK(!memcmp(&fake.regs[0].efer, bytes + 592, 8));
	/* a long, short or bad G changes nothing */
	g[1] = 'f';
	strcpy(g + 2 * 600 + 1, "0");
	CHECK_REPLY(g, "E01");
	g[2 * 600] = '\0';
	CHECK_REPLY(g, "E01");
	strcpy(g + 2 * 600 - 1, "0g");
	CHECK_REPLY(g, "E01");
	CHECK_REPLY("G", "E01");
	CHECK(!memcmp(&fake.regs[0].rax, bytes, 8));
	return true;
}

static bool p_and_P(void)
{
	static const uint8_t x15[16] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};

	CHECK_EQ(regno(true, "rip"), 0x10);
	CHECK_EQ(regno(true, "xmm15"), 0x39);
	CHECK_EQ(regno(true, "cr3"), 0x3d);
	fake.regs[0].rip = 0xffffffff81000123ULL;
	CHECK_REPLY("p10", "23010081ffffffff");
	CHECK_REPLY("P10=efbeadde00000000", "OK");
	CHECK_EQ(fake.regs[0].rip, 0xdeadbeef);
	memcpy(fake.regs[0].xmm[15], x15, 16);
	CHECK_REPLY("p39", "00112233445566778899aabbccddeeff");
	CHECK_REPLY("P39=ffeeddccbbaa99887766554433221100", "OK");
	CHECK_EQ(fake.regs[0].xmm[15][0], 0xff);
	CHECK_EQ(fake.regs[0].xmm[15][15], 0x00);
	CHECK_EQ(fake.regs[0].xmm[14][0], 0);
	fake.regs[0].cr3 = 0x1234000;
	CHECK_REPLY("p3d", "0040230100000000");
	CHECK_REPLY("P3d=00f0000000000000", "OK");
	CHECK_EQ(fake.regs[0].cr3, 0xf000);
	fake.regs[0].mxcsr = 0x1f80;
	CHECK_REPLY("p3a", "801f0000");
	/* errors */
	CHECK_REPLY("p41", "E01");		/* one past efer */
	CHECK_REPLY("p", "E01");
	CHECK_REPLY("p10x", "E01");
	CHECK_REPLY("p100000000000000010", "E02");
	CHECK_REPLY("P10=efbeadde", "E01");	/* short */
	CHECK_REPLY("P10=efbeadde0000000000", "E01");	/* long */
	CHECK_REPLY("P10=efbeadde0000000g", "E01");
	CHECK_REPLY("P10", "E01");
	CHECK_REPLY("P41=00", "E01");
	CHECK_EQ(fake.regs[0].rip, 0xdeadbeef);
	/* 32-bit: eip is rip's low half, the high half kept */
	rsp.long_mode = false;
	CHECK_EQ(regno(false, "eip"), 8);
	CHECK_EQ(regno(false, "xmm7"), 0x27);
	fake.regs[0].rip = 0x1111111122222222ULL;
	CHECK_REPLY("P8=44332211", "OK");
	CHECK_EQ(fake.regs[0].rip, 0x1111111111223344ULL);
	fake.regs[0].efer = 0xd01;
	CHECK_REPLY("p2d", "010d000000000000");	/* efer, the last */
	CHECK_REPLY("p2e", "E01");
	return true;
}

/* ---- Tests: memory ------------------------------------------------------ */

static bool m_and_M(void)
{
	static char q[2 * GDB_RSP_MAX_MEM + 32];
	size_t i;

	CHECK_REPLY("M1000,4:deadbeef", "OK");
	CHECK(!memcmp(fake.mem, "\xde\xad\xbe\xef", 4));
	CHECK_REPLY("m1000,4", "deadbeef");
	CHECK_REPLY("m1002,2", "beef");
	CHECK_REPLY("M1ffe,2:0102", "OK");	/* the last two bytes */
	CHECK_REPLY("m1ffe,2", "0102");
	CHECK_REPLY("m1fff,2", "E03");		/* one past */
	CHECK_REPLY("M0,1:00", "E03");
	CHECK_REPLY("M1000,0:", "OK");
	/* the largest read and write */
	for (i = 0; i < GDB_RSP_MAX_MEM; i++)
		fake.mem[i] = i;
	snprintf(q, sizeof(q), "m1000,%x", GDB_RSP_MAX_MEM);
	CHECK(cmd(q));
	CHECK_EQ(reply_len, 2 * GDB_RSP_MAX_MEM);
	CHECK(!strncmp(reply_buf, "000102", 6));
	/* gdb's largest M, the PacketSize less its header */
	i = snprintf(q, sizeof(q), "M1800,7f0:");
	memset(q + i, 'a', 2 * 0x7f0);
	q[i + 2 * 0x7f0] = '\0';
	CHECK_REPLY(q, "OK");
	CHECK_EQ(fake.mem[0x800], 0xaa);
	CHECK_EQ(fake.mem[0xfef], 0xaa);
	CHECK_EQ(fake.mem[0xff0], 0);
	/* malformed */
	CHECK_REPLY("m1000", "E01");
	CHECK_REPLY("m1000,", "E01");
	CHECK_REPLY("m,4", "E01");
	CHECK_REPLY("m1000,4,", "E01");
	CHECK_REPLY("m1000,0", "E01");
	CHECK_REPLY("M1000,2:abc", "E01");
	CHECK_REPLY("M1000,2:abcdef", "E01");
	CHECK_REPLY("M1000,2:abcg", "E01");
	CHECK_REPLY("M1000,2", "E01");
	/* the thread is Hg's */
	CHECK_REPLY("Hg4", "OK");
	CHECK_REPLY("m1001,1", "01");
	CHECK_EQ(fake.last_thread, 4);
	return true;
}

static bool X_escapes(void)
{
	static const uint8_t data[] = {
		'#', '$', '}', '*', 0x03, 0x00, 'a', 0xff, 0x7d ^ 0x20,
	};
	char pkt[64];
	size_t n, i;

	n = sprintf(pkt, "X1010,%zx:", sizeof(data));
	for (i = 0; i < sizeof(data); i++) {
		if (data[i] == '#' || data[i] == '$' || data[i] == '}' ||
		    data[i] == '*') {
			pkt[n++] = '}';
			pkt[n++] = data[i] ^ 0x20;
		} else {
			pkt[n++] = data[i];
		}
	}
	send_bin(pkt, n);
	CHECK(reply() && !strcmp(reply_buf, "OK") && quiet());
	CHECK(!memcmp(fake.mem + 0x10, data, sizeof(data)));
	CHECK_EQ(fake.interrupts, 0);		/* 0x03 inside: data */
	CHECK_REPLY("m1010,9", "23247d2a030061ff5d");
	/* gdb's probe */
	CHECK_REPLY("X1000,0:", "OK");
	/* lengths that do not match the data */
	CHECK_REPLY("X1000,2:a", "E01");
	CHECK_REPLY("X1000,1:ab", "E01");
	CHECK_REPLY("X1000,0:a", "E01");
	CHECK_REPLY("X1000,2:a}", "E01");	/* escape of nothing */
	CHECK_REPLY("X1000,1}", "E01");
	CHECK_REPLY("X1000,1", "E01");
	CHECK_REPLY("X0,1:a", "E03");
	return true;
}

/* Every length from gdb is checked before use: E02, and no access. */
static bool lengths_rejected(void)
{
	static char q[GDB_RSP_PACKET_SIZE];
	size_t n;

	snprintf(q, sizeof(q), "m1000,%x", GDB_RSP_MAX_MEM + 1);
	CHECK_REPLY(q, "E02");
	CHECK_REPLY("m1000,ffffffffffffffff", "E02");
	CHECK_REPLY("m1000,10000000000000000", "E02");
	CHECK_REPLY("m10000000000000000,4", "E02");
	CHECK_REPLY("mffffffffffffffff,2", "E02");	/* wraps */
	CHECK_REPLY("M1000,ffffffffffffffff:00", "E02");
	snprintf(q, sizeof(q), "M1000,%x:00", GDB_RSP_MAX_MEM + 1);
	CHECK_REPLY(q, "E02");
	snprintf(q, sizeof(q), "X1000,%x:", GDB_RSP_PACKET_SIZE + 1);
	CHECK_REPLY(q, "E02");
	CHECK_REPLY("X1000,80000000:", "E02");
	CHECK_REPLY("Xfffffffffffffff0,20:", "E02");
	CHECK_REPLY("Z0,10000000000000000,1", "E02");
	CHECK_REPLY("Z0,1000,80000000", "E02");
	CHECK_REPLY("Z10000000000000000,1000,1", "E02");
	CHECK_REPLY("P10000000000000000=00", "E02");
	CHECK_EQ(fake.calls, 0);
	/* an X as long as a packet can be is accepted */
	n = snprintf(q, sizeof(q), "X1000,%x:", GDB_RSP_PACKET_SIZE - 10);
	CHECK_EQ(n, 10);
	memset(q + n, 'z', sizeof(q) - n);
	CHECK_EQ(send_bin(q, sizeof(q)), 0);
	CHECK(reply() && !strcmp(reply_buf, "OK") && quiet());
	CHECK_EQ(fake.calls, 1);
	CHECK_EQ(fake.mem[0], 'z');
	CHECK_EQ(fake.mem[GDB_RSP_PACKET_SIZE - 11], 'z');
	CHECK_EQ(fake.mem[GDB_RSP_PACKET_SIZE - 10], 0);
	return true;
}

/* ---- Tests: breakpoints, resuming, stops -------------------------------- */

static bool breakpoints(void)
{
	CHECK_REPLY("Z0,ffffffff81000000,1", "OK");
	CHECK_EQ(fake.nbp, 1);
	CHECK_EQ(fake.bp[0].type, GDB_BP_SW);
	CHECK_EQ(fake.bp[0].addr, 0xffffffff81000000ULL);
	CHECK_EQ(fake.bp[0].kind, 1);
	CHECK(fake.bp[0].insert);
	CHECK_REPLY("z0,ffffffff81000000,1", "OK");
	CHECK_EQ(fake.bp[1].type, GDB_BP_SW);
	CHECK(!fake.bp[1].insert);
	CHECK_REPLY("Z2,2000,4", "OK");
	CHECK_EQ(fake.bp[2].type, GDB_WATCH_WRITE);
	CHECK_EQ(fake.bp[2].kind, 4);
	CHECK_REPLY("Z3,2000,8", "OK");
	CHECK_REPLY("z4,2000,2", "OK");
	CHECK_EQ(fake.bp[4].type, GDB_WATCH_ACCESS);
	CHECK_REPLY("Z1,1000,1", "");		/* the target's EOPNOTSUPP */
	CHECK_REPLY("Z0,dead,1", "E05");	/* ENOSPC */
	CHECK_EQ(fake.nbp, 5);
	CHECK_REPLY("Z5,1000,1", "");		/* no such type */
	CHECK_REPLY("Z0,1000", "E01");
	CHECK_REPLY("Z0,1000,1,", "E01");
	CHECK_REPLY("Z0,1000,1;X2,0a", "E01");	/* no conditions */
	CHECK_REPLY("Z", "E01");
	CHECK_EQ(fake.nbp, 5);
	return true;
}

/* A resume: the '+' and nothing else; the actions logged. */
static bool resumed(const char *packet, const char *actions)
{
	int n = fake.nresume;

	send_pkt(packet);
	CHECK(fake.out[fake.out_pos] == '+');
	fake.out_pos++;
	CHECK(quiet());
	CHECK_EQ(fake.nresume, n + 1);
	if (strcmp(fake.resumes[n], actions)) {
		printf("# %s: %s, expected %s\n", packet, fake.resumes[n],
		       actions);
		return false;
	}
	CHECK(rsp.running);
	return true;
}

static bool stopped(int thread, int sig, const char *reason, const char *want)
{
	gdb_rsp_stopped(&rsp, thread, sig, reason);
	CHECK(!rsp.running);
	CHECK(next_packet() && quiet());
	if (strcmp(reply_buf, want)) {
		printf("# stop reply %s, expected %s\n", reply_buf, want);
		return false;
	}
	return true;
}

static bool continue_and_step(void)
{
	CHECK(resumed("c", "CCCC"));
	CHECK(stopped(3, GDB_SIGTRAP, NULL, "T05thread:03;"));
	CHECK(resumed("s", "NNSN"));		/* the last stop's thread */
	CHECK(stopped(3, GDB_SIGTRAP, NULL, "T05thread:03;"));
	CHECK_REPLY("Hc2", "OK");
	CHECK(resumed("s", "NSNN"));
	CHECK(resumed("c", "NCNN"));		/* scheduler locking */
	CHECK_REPLY("Hc-1", "OK");
	CHECK(resumed("C05", "CCCC"));
	CHECK(resumed("S05", "NNSN"));
	/* with an address: the thread's rip first */
	CHECK(resumed("cffffffff81000010", "CCCC"));
	CHECK_EQ(fake.regs[2].rip, 0xffffffff81000010ULL);
	CHECK(resumed("S02;2000", "NNSN"));
	CHECK_EQ(fake.regs[2].rip, 0x2000);
	CHECK_REPLY("cxyz", "E01");
	CHECK_REPLY("C", "E01");
	CHECK_REPLY("C05;", "E01");
	CHECK_REPLY("c10000000000000000", "E02");
	CHECK_EQ(fake.nresume, 8);
	/* a stop reported from inside resume comes after the ack */
	fake.stop_on_resume = true;
	send_pkt("c");
	CHECK(reply() && !strcmp(reply_buf, "T05thread:02;") && quiet());
	CHECK(!rsp.running);
	return true;
}

static bool vcont(void)
{
	CHECK_REPLY("vCont?", "vCont;c;C;s;S");
	CHECK(resumed("vCont;s:2;c", "CSCC"));
	CHECK(resumed("vCont;s:2", "NSNN"));
	CHECK(resumed("vCont;c", "CCCC"));
	CHECK(resumed("vCont;c:-1", "CCCC"));
	CHECK(resumed("vCont;s:4;s:1;c", "SCCS"));
	CHECK(resumed("vCont;C05:1;S05:3", "CNSN"));
	fake.nresume = 0;
	CHECK(resumed("vCont;c:3;s:3;s", "SSCS"));	/* leftmost wins */
	CHECK(resumed("vCont;C05", "CCCC"));
	CHECK_REPLY("vCont;s:5;c", "E04");
	CHECK_REPLY("vCont;s:0;c", "E01");
	CHECK_REPLY("vCont;t", "E01");
	CHECK_REPLY("vCont;r1000,2000:1", "E01");
	CHECK_REPLY("vCont;", "E01");
	CHECK_REPLY("vCont;c:", "E01");
	CHECK_REPLY("vCont;C", "E01");
	CHECK_REPLY("vCont;c:p1.1", "E01");
	CHECK_REPLY("vCont;s:1;", "E01");
	CHECK_REPLY("vCont;s:100000000", "E02");
	CHECK_EQ(fake.nresume, 2);		/* no partial resume */
	return true;
}

static bool stop_replies(void)
{
	CHECK(stopped(1, GDB_SIGTRAP, NULL, "T05thread:01;"));
	/* gdb did not ask for swbreak: it is left out */
	CHECK(stopped(1, GDB_SIGTRAP, "swbreak:", "T05thread:01;"));
	CHECK_REPLY("qSupported:swbreak+;hwbreak+", "PacketSize=1000;"
		    "qXfer:features:read+;QStartNoAckMode+;swbreak+;"
		    "hwbreak+;vContSupported+");
	CHECK(stopped(1, GDB_SIGTRAP, "swbreak:", "T05thread:01;swbreak:;"));
	CHECK(stopped(2, GDB_SIGTRAP, "hwbreak:", "T05thread:02;hwbreak:;"));
	CHECK(stopped(4, GDB_SIGTRAP, "watch:2000",
		      "T05thread:04;watch:2000;"));
	CHECK(stopped(2, GDB_SIGINT, NULL, "T02thread:02;"));
	/* what would break the framing is left out */
	CHECK(stopped(2, GDB_SIGTRAP, "watch:#00", "T05thread:02;"));
	CHECK(stopped(2, GDB_SIGTRAP, "a;b", "T05thread:02;"));
	CHECK(stopped(2, GDB_SIGTRAP, "", "T05thread:02;"));
	/* ? repeats the last; registers now are that thread's */
	CHECK_REPLY("?", "T05thread:02;");
	CHECK_REPLY("qC", "QC2");
	fake.regs[1].rbx = 0x42;
	CHECK_REPLY("p1", "4200000000000000");
	CHECK_EQ(fake.last_thread, 2);
	gdb_rsp_exited(&rsp, 0);
	CHECK(next_packet() && !strcmp(reply_buf, "W00") && quiet());
	return true;
}

static bool ctrl_c(void)
{
	CHECK(resumed("c", "CCCC"));
	feed("\x03", 1);
	CHECK_EQ(fake.interrupts, 1);
	CHECK(quiet());
	CHECK(stopped(1, GDB_SIGINT, NULL, "T02thread:01;"));
	/* between packets, in one buffer with them */
	send_pkt("qC");
	feed("\x03", 1);
	CHECK_EQ(fake.interrupts, 2);
	CHECK(reply() && !strcmp(reply_buf, "QC1") && quiet());
	return true;
}

static bool kill_and_detach(void)
{
	char buf[32];
	size_t n;

	n = frame(buf, "k", 1);
	n += frame(buf + n, "qC", 2);
	CHECK_EQ(feed(buf, n), GDB_RSP_END);
	CHECK_EQ(fake.kills, 1);
	CHECK(fake.out[fake.out_pos] == '+');	/* no reply, the rest dropped */
	fake.out_pos++;
	CHECK(quiet());
	CHECK_EQ(send_pkt("qC"), GDB_RSP_END);
	CHECK(quiet());
	gdb_rsp_reset(&rsp);
	CHECK_REPLY("qC", "QC1");
	/* D: everything runs, OK */
	CHECK_EQ(send_pkt("D"), GDB_RSP_END);
	CHECK(reply() && !strcmp(reply_buf, "OK") && quiet());
	CHECK_EQ(fake.nresume, 1);
	CHECK(!strcmp(fake.resumes[0], "CCCC"));
	gdb_rsp_reset(&rsp);
	CHECK_EQ(send_pkt("D;1"), GDB_RSP_END);
	CHECK(reply() && !strcmp(reply_buf, "OK") && quiet());
	return true;
}

/* Optional operations: missing ones give the empty reply. */
static bool missing_ops(void)
{
	static const struct gdb_target_ops bare = { .send = fake_send };

	CHECK(!gdb_rsp_init(&rsp, &bare, NULL, 1, true));
	CHECK_REPLY("g", "");
	CHECK_REPLY("m1000,4", "");
	CHECK_REPLY("M1000,1:00", "");
	CHECK_REPLY("Z0,1000,1", "");
	CHECK_REPLY("c", "");
	CHECK_REPLY("vCont;c", "");
	feed("\x03", 1);
	CHECK(quiet());
	CHECK_EQ(send_pkt("k"), GDB_RSP_END);
	CHECK(gdb_rsp_init(&rsp, NULL, NULL, 1, true) == -EINVAL);
	return true;
}

/*
 * Random bytes, and mutated packets, in random splits: whatever comes
 * out, nothing is read or written out of bounds (run under
 * -fsanitize=address,undefined to see it).
 */
static bool fuzz(void)
{
	static const char *const seeds[] = {
		"m1000,10", "M1000,2:abcd", "X1000,3:a}]b", "p39",
		"P10=0011223344556677", "g", "vCont;s:2;c", "Z2,1000,4",
		"qXfer:features:read:target.xml:100,200", "qSupported:swbreak+",
		"Hg2", "c", "s", "?", "qfThreadInfo", "T3",
	};
	static char buf[2 * GDB_RSP_PACKET_SIZE];
	unsigned int i, j;
	size_t n;

	srand(1);
	fake.out_wrap = true;
	for (i = 0; i < 20000; i++) {
		const char *sd = seeds[rand() % NTESTS(seeds)];
		char pkt[128];

		n = strlen(sd);
		memcpy(pkt, sd, n);
		for (j = 0; j < 3; j++)
			if (rand() % 2)
				pkt[rand() % n] = rand();
		if (rand() % 8 == 0) {
			n = rand() % sizeof(buf);
			for (j = 0; j < n; j++)
				buf[j] = rand();
		} else {
			n = frame(buf, pkt, n);
		}
		for (j = 0; j < n;) {
			size_t k = 1 + rand() % (n - j);

			if (feed(buf + j, k) == GDB_RSP_END)
				gdb_rsp_reset(&rsp);
			j += k;
		}
		if (rand() % 4 == 0)
			gdb_rsp_stopped(&rsp, 1 + rand() % NTHREADS,
					GDB_SIGTRAP, "swbreak:");
		rsp.long_mode = rand() % 2;
	}
	fake.out_wrap = false;
	/* still in step after a clean start */
	gdb_rsp_reset(&rsp);
	fake.out_len = fake.out_pos = 0;
	CHECK_REPLY("qAttached", "1");
	return true;
}

/*
 * x87 and SSE from an FXSAVE image and back: TOP 6, ST(0) 1.0 in physical
 * register 6 (valid), ST(1) 0.0 in 7 (zero), ST(2) a NaN in 0 (special),
 * the rest empty; FPU IP and DP 64-bit, split as gdb shows them.
 */
static bool fpu_fxsave_round_trip(void)
{
	static const uint8_t one[10] = { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f };
	static const uint8_t nan[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0x7f };
	uint8_t fx[512], back[512];
	struct gdb_x86_regs r;

	memset(fx, 0, sizeof(fx));
	fx[0] = 0x7f, fx[1] = 0x03;			/* FCW 0x37f */
	fx[2] = 0x00, fx[3] = 6 << 3;			/* FSW: TOP 6 */
	fx[4] = 1U << 6 | 1U << 7 | 1U << 0;		/* abridged FTW */
	fx[6] = 0xdd, fx[7] = 0x07;			/* FOP 0x7dd */
	memcpy(fx + 8, "\x44\x33\x22\x11\x88\x77\x66\x55", 8);
	memcpy(fx + 16, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	fx[24] = 0x80, fx[25] = 0x1f;			/* MXCSR 0x1f80 */
	memcpy(fx + 32, one, 10);			/* ST(0) */
	memcpy(fx + 64, nan, 10);			/* ST(2) */
	fx[160] = 0xab, fx[160 + 16 * 15 + 15] = 0xcd;	/* XMM0, XMM15 */

	memset(&r, 0, sizeof(r));
	gdb_rsp_fpu_from_fxsave(&r, fx);
	CHECK_EQ(r.fctrl, 0x37f);
	CHECK_EQ(r.fstat, 6U << 11);
	/* Physical 0: special, 6: valid, 7: zero, the others empty. */
	CHECK_EQ(r.ftag, 2U | 3U << 2 | 3U << 4 | 3U << 6 | 3U << 8 |
		 3U << 10 | 0U << 12 | 1U << 14);
	CHECK_EQ(r.fop, 0x7dd);
	CHECK_EQ(r.fioff, 0x11223344);
	CHECK_EQ(r.fiseg, 0x55667788);
	CHECK_EQ(r.fooff, 0x04030201);
	CHECK_EQ(r.foseg, 0x08070605);
	CHECK_EQ(r.mxcsr, 0x1f80);
	CHECK(!memcmp(r.st[0], one, 10) && !memcmp(r.st[2], nan, 10));
	CHECK(r.xmm[0][0] == 0xab && r.xmm[15][15] == 0xcd);

	memset(back, 0x5a, sizeof(back));
	gdb_rsp_fpu_to_fxsave(&r, back);
	/* All but MXCSR_MASK (28-31), which is the CPU's, not gdb's. */
	CHECK(!memcmp(back, fx, 28));
	CHECK(!memcmp(back + 32, fx + 32, 160 + 256 - 32));
	return true;
}

static const struct test_case tests[] = {
	TEST(checksums),
	TEST(splits_and_batches),
	TEST(nack_resends),
	TEST(no_ack_mode),
	TEST(star_is_data),
	TEST(oversized_packet),
	TEST(qsupported),
	TEST(target_xml_64),
	TEST(target_xml_32),
	TEST(target_xml_errors),
	TEST(threads),
	TEST(unknown_packets),
	TEST(g_is_the_table),
	TEST(G_then_g),
	TEST(p_and_P),
	TEST(m_and_M),
	TEST(X_escapes),
	TEST(lengths_rejected),
	TEST(breakpoints),
	TEST(continue_and_step),
	TEST(vcont),
	TEST(stop_replies),
	TEST(ctrl_c),
	TEST(kill_and_detach),
	TEST(missing_ops),
	TEST(fuzz),
	TEST(fpu_fxsave_round_trip),
};

static void setup(void)
{
	memset(&fake, 0, sizeof(fake));
	TEST_ASSERT(!gdb_rsp_init(&rsp, &fake_ops, NULL, NTHREADS, true),
		    "gdb_rsp_init");
}

int main(void)
{
	return run_test_cases(tests, NTESTS(tests), setup);
}
