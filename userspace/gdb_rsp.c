// SPDX-License-Identifier: GPL-2.0
/*
 * The gdb remote serial protocol, written from gdb's manual ("Remote
 * Protocol" and "Target Descriptions"), for 'vtxctl run --gdb'.
 *
 * Three parts, top to bottom: the register tables and the target.xml made
 * from them; the packet commands, each parsing its arguments with bounded,
 * overflow-checked helpers and answering into a reply buffer no bigger
 * than the PacketSize it advertises; and the framing, which checks
 * checksums, acks, resends and finds ^C between packets.
 *
 * Nothing here waits: a resume only calls ops->resume and returns, and
 * the stop reply gdb waits for is sent when the caller reports the stop
 * with gdb_rsp_stopped().
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gdb_rsp.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "registers are sent in host order, which must be gdb's");

/* A command handled, whose reply is sent already or never (c, s, k). */
#define NO_REPLY	1

/* ---- Register tables ---------------------------------------------------- */

#define REG(n, field, sz, t, grp, feat) {				\
	.name = n, .type = t, .group = grp,				\
	.offset = offsetof(struct gdb_x86_regs, field),			\
	.size = sz, .feature = GDB_FEAT_##feat }
#define GPR64(n, t)	REG(#n, n, 8, t, NULL, CORE)
#define SEG(n)		REG(#n, n, 4, "int32", NULL, CORE)
#define ST(i)		REG("st" #i, st[i], 10, "i387_ext", NULL, CORE)
#define FPU(n)		REG(#n, n, 4, "int32", "float", CORE)
#define XMM(i)		REG("xmm" #i, xmm[i], 16, "vec128", NULL, SSE)
#define CR(n, sz)	REG(#n, n, sz, sz == 8 ? "uint64" : "uint32",	\
			    "system", CONTROL)

/*
 * gdb's amd64 order (its default g packet, up to mxcsr), but with fs_base
 * and gs_base after gs: target.xml gives every register its number, so
 * the order of the features in it does not matter.
 */
static const struct gdb_reg_desc regs64[] = {
	GPR64(rax, "int64"), GPR64(rbx, "int64"),
	GPR64(rcx, "int64"), GPR64(rdx, "int64"),
	GPR64(rsi, "int64"), GPR64(rdi, "int64"),
	GPR64(rbp, "data_ptr"), GPR64(rsp, "data_ptr"),
	GPR64(r8, "int64"), GPR64(r9, "int64"),
	GPR64(r10, "int64"), GPR64(r11, "int64"),
	GPR64(r12, "int64"), GPR64(r13, "int64"),
	GPR64(r14, "int64"), GPR64(r15, "int64"),
	GPR64(rip, "code_ptr"),
	REG("eflags", eflags, 4, "i386_eflags", NULL, CORE),
	SEG(cs), SEG(ss), SEG(ds), SEG(es), SEG(fs), SEG(gs),
	REG("fs_base", fs_base, 8, "int64", NULL, SEGMENTS),
	REG("gs_base", gs_base, 8, "int64", NULL, SEGMENTS),
	ST(0), ST(1), ST(2), ST(3), ST(4), ST(5), ST(6), ST(7),
	FPU(fctrl), FPU(fstat), FPU(ftag), FPU(fiseg),
	FPU(fioff), FPU(foseg), FPU(fooff), FPU(fop),
	XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7),
	XMM(8), XMM(9), XMM(10), XMM(11), XMM(12), XMM(13), XMM(14), XMM(15),
	REG("mxcsr", mxcsr, 4, "i386_mxcsr", "vector", SSE),
	CR(cr0, 8), CR(cr2, 8), CR(cr3, 8), CR(cr4, 8), CR(cr8, 8),
	CR(efer, 8),
};

/*
 * gdb's i386 order, the hardware's for the general registers (eax, ecx,
 * edx, ebx, ...), on the low halves of the 64-bit fields.  No fs_base or
 * gs_base (gdb has none for i386), no cr8 (long mode only); efer is 64-bit.
 */
#define GPR32(n, f, t)	REG(#n, f, 4, t, NULL, CORE)
static const struct gdb_reg_desc regs32[] = {
	GPR32(eax, rax, "int32"), GPR32(ecx, rcx, "int32"),
	GPR32(edx, rdx, "int32"), GPR32(ebx, rbx, "int32"),
	GPR32(esp, rsp, "data_ptr"), GPR32(ebp, rbp, "data_ptr"),
	GPR32(esi, rsi, "int32"), GPR32(edi, rdi, "int32"),
	GPR32(eip, rip, "code_ptr"),
	REG("eflags", eflags, 4, "i386_eflags", NULL, CORE),
	SEG(cs), SEG(ss), SEG(ds), SEG(es), SEG(fs), SEG(gs),
	ST(0), ST(1), ST(2), ST(3), ST(4), ST(5), ST(6), ST(7),
	FPU(fctrl), FPU(fstat), FPU(ftag), FPU(fiseg),
	FPU(fioff), FPU(foseg), FPU(fooff), FPU(fop),
	XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7),
	REG("mxcsr", mxcsr, 4, "i386_mxcsr", "vector", SSE),
	CR(cr0, 4), CR(cr2, 4), CR(cr3, 4), CR(cr4, 4),
	CR(efer, 8),
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

const struct gdb_reg_desc *gdb_rsp_regs(bool long_mode, size_t *nregs)
{
	*nregs = long_mode ? ARRAY_SIZE(regs64) : ARRAY_SIZE(regs32);
	return long_mode ? regs64 : regs32;
}

size_t gdb_rsp_regs_size(bool long_mode)
{
	const struct gdb_reg_desc *r;
	size_t i, n, size = 0;

	r = gdb_rsp_regs(long_mode, &n);
	for (i = 0; i < n; i++)
		size += r[i].size;
	return size;
}

/* ---- target.xml --------------------------------------------------------- */

/* An snprintf that appends, counting what it could not write. */
struct sbuf {
	char *buf;
	size_t size, len;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	size_t room = b->len < b->size ? b->size - b->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? b->buf + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += n;
}

struct xml_bit {
	const char *name;
	unsigned int bit;
};

/* EFLAGS (SDM Vol. 1 3.4.3) and MXCSR (SDM Vol. 1 10.2.3), for display. */
static const struct xml_bit eflags_bits[] = {
	{ "CF", 0 }, { "PF", 2 }, { "AF", 4 }, { "ZF", 6 }, { "SF", 7 },
	{ "TF", 8 }, { "IF", 9 }, { "DF", 10 }, { "OF", 11 }, { "NT", 14 },
	{ "RF", 16 }, { "VM", 17 }, { "AC", 18 }, { "VIF", 19 },
	{ "VIP", 20 }, { "ID", 21 },
};

static const struct xml_bit mxcsr_bits[] = {
	{ "IE", 0 }, { "DE", 1 }, { "ZE", 2 }, { "OE", 3 }, { "UE", 4 },
	{ "PE", 5 }, { "DAZ", 6 }, { "IM", 7 }, { "DM", 8 }, { "ZM", 9 },
	{ "OM", 10 }, { "UM", 11 }, { "PM", 12 }, { "FZ", 15 },
};

static void xml_flags(struct sbuf *b, const char *id,
		      const struct xml_bit *bits, size_t n)
{
	size_t i;

	sb_printf(b, "<flags id=\"%s\" size=\"4\">\n", id);
	for (i = 0; i < n; i++)
		sb_printf(b, "<field name=\"%s\" start=\"%u\" end=\"%u\"/>\n",
			  bits[i].name, bits[i].bit, bits[i].bit);
	sb_printf(b, "</flags>\n");
}

/* The views of an xmm register, as gdb's print $xmm0 shows them. */
static const struct {
	const char *id, *field, *type;
	unsigned int count;
} vec128_views[] = {
	{ "v4f", "v4_float", "ieee_single", 4 },
	{ "v2d", "v2_double", "ieee_double", 2 },
	{ "v16i8", "v16_int8", "int8", 16 },
	{ "v8i16", "v8_int16", "int16", 8 },
	{ "v4i32", "v4_int32", "int32", 4 },
	{ "v2i64", "v2_int64", "int64", 2 },
};

static void xml_vec128(struct sbuf *b)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vec128_views); i++)
		sb_printf(b, "<vector id=\"%s\" type=\"%s\" count=\"%u\"/>\n",
			  vec128_views[i].id, vec128_views[i].type,
			  vec128_views[i].count);
	sb_printf(b, "<union id=\"vec128\">\n");
	for (i = 0; i < ARRAY_SIZE(vec128_views); i++)
		sb_printf(b, "<field name=\"%s\" type=\"%s\"/>\n",
			  vec128_views[i].field, vec128_views[i].id);
	sb_printf(b, "<field name=\"uint128\" type=\"uint128\"/>\n</union>\n");
}

static const char *const feature_names[GDB_FEAT_COUNT] = {
	[GDB_FEAT_CORE] = "org.gnu.gdb.i386.core",
	[GDB_FEAT_SSE] = "org.gnu.gdb.i386.sse",
	[GDB_FEAT_SEGMENTS] = "org.gnu.gdb.i386.segments",
	[GDB_FEAT_CONTROL] = "org.vtxhv.x86.control",
};

/*
 * The description, feature by feature, each register with its number
 * (its index in the table) and its size; the types gdb does not predefine
 * are defined in the feature that uses them.
 */
size_t gdb_rsp_target_xml(bool long_mode, char *buf, size_t size)
{
	struct sbuf b = { .buf = buf, .size = size };
	const struct gdb_reg_desc *r;
	size_t i, n;
	unsigned int f;

	if (size)
		buf[0] = '\0';
	r = gdb_rsp_regs(long_mode, &n);
	sb_printf(&b, "<?xml version=\"1.0\"?>\n"
		  "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
		  "<target version=\"1.0\">\n"
		  "<architecture>%s</architecture>\n",
		  long_mode ? "i386:x86-64" : "i386");
	for (f = 0; f < GDB_FEAT_COUNT; f++) {
		for (i = 0; i < n && r[i].feature != f; i++)
			;
		if (i == n)
			continue;
		sb_printf(&b, "<feature name=\"%s\">\n", feature_names[f]);
		if (f == GDB_FEAT_CORE)
			xml_flags(&b, "i386_eflags", eflags_bits,
				  ARRAY_SIZE(eflags_bits));
		if (f == GDB_FEAT_SSE) {
			xml_vec128(&b);
			xml_flags(&b, "i386_mxcsr", mxcsr_bits,
				  ARRAY_SIZE(mxcsr_bits));
		}
		for (; i < n; i++) {
			if (r[i].feature != f)
				continue;
			sb_printf(&b, "<reg name=\"%s\" bitsize=\"%u\"",
				  r[i].name, r[i].size * 8);
			sb_printf(&b, " type=\"%s\" regnum=\"%zu\"",
				  r[i].type, i);
			if (r[i].group)
				sb_printf(&b, " group=\"%s\"", r[i].group);
			sb_printf(&b, "/>\n");
		}
		sb_printf(&b, "</feature>\n");
	}
	sb_printf(&b, "</target>\n");
	return b.len;
}

/* ---- Replies ------------------------------------------------------------ */

static const char hexdigits[] = "0123456789abcdef";

static void send_raw(struct gdb_rsp *s, const char *buf, size_t len)
{
	s->ops->send(s->ctx, buf, len);
}

/* Frame @len bytes as $data#cc, keep the frame for a resend, send it. */
static void send_packet(struct gdb_rsp *s, const char *data, size_t len)
{
	uint8_t sum = 0;
	size_t i;

	if (len > GDB_RSP_PACKET_SIZE) {	/* never, but never overflow */
		data = "E02";
		len = 3;
	}
	s->last[0] = '$';
	for (i = 0; i < len; i++) {
		s->last[i + 1] = data[i];
		sum += (uint8_t)data[i];
	}
	s->last[len + 1] = '#';
	s->last[len + 2] = hexdigits[sum >> 4];
	s->last[len + 3] = hexdigits[sum & 0xf];
	s->last_len = len + 4;
	send_raw(s, s->last, s->last_len);
}

/* The reply buffer: a write that does not fit marks it overflowed. */
static bool reply_room(struct gdb_rsp *s, size_t n)
{
	if (n > sizeof(s->reply) - s->reply_len) {
		s->reply_overflow = true;
		return false;
	}
	return true;
}

static void put_str(struct gdb_rsp *s, const char *str)
{
	size_t n = strlen(str);

	if (!reply_room(s, n))
		return;
	memcpy(s->reply + s->reply_len, str, n);
	s->reply_len += n;
}

static void put_fmt(struct gdb_rsp *s, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		s->reply_overflow = true;
	else
		put_str(s, tmp);
}

/* Bytes as hex, in memory order. */
static void put_hex(struct gdb_rsp *s, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	size_t i;

	if (!reply_room(s, 2 * n))
		return;
	for (i = 0; i < n; i++) {
		s->reply[s->reply_len++] = hexdigits[p[i] >> 4];
		s->reply[s->reply_len++] = hexdigits[p[i] & 0xf];
	}
}

static bool must_escape(uint8_t c)
{
	return c == '#' || c == '$' || c == '}' || c == '*';
}

/*
 * Binary data, '#', '$', '}' and '*' escaped as '}' and the byte ^ 0x20:
 * as many bytes as fit; return how many.
 */
static size_t put_bin(struct gdb_rsp *s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t need = must_escape(p[i]) ? 2 : 1;

		if (need > sizeof(s->reply) - s->reply_len)
			break;
		if (need == 2) {
			s->reply[s->reply_len++] = '}';
			s->reply[s->reply_len++] = p[i] ^ 0x20;
		} else {
			s->reply[s->reply_len++] = p[i];
		}
	}
	return i;
}

static int err_code(int err)
{
	switch (err) {
	case -EINVAL:
		return GDB_RSP_EINVAL;
	case -EMSGSIZE:
	case -E2BIG:
	case -ERANGE:
	case -EOVERFLOW:
		return GDB_RSP_E2BIG;
	case -EFAULT:
		return GDB_RSP_EFAULT;
	case -ESRCH:
		return GDB_RSP_ESRCH;
	case -ENOSPC:
		return GDB_RSP_ENOSPC;
	default:
		return GDB_RSP_EOTHER;
	}
}

/* ---- Parsing ------------------------------------------------------------ */

/*
 * Each parser takes the cursor *pp and the packet's end, moves the cursor
 * past what it took, and returns 0 or -errno; nothing reads past @end.
 */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One or more hex digits: -EINVAL if none, -ERANGE past 64 bits. */
static int parse_hex(const char **pp, const char *end, uint64_t *val)
{
	const char *p = *pp;
	uint64_t v = 0;
	int d;

	if (p == end || hexval(*p) < 0)
		return -EINVAL;
	for (; p < end && (d = hexval(*p)) >= 0; p++) {
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | d;
	}
	*pp = p;
	*val = v;
	return 0;
}

static int parse_char(const char **pp, const char *end, char c)
{
	if (*pp == end || **pp != c)
		return -EINVAL;
	(*pp)++;
	return 0;
}

/* "addr,len" then @sep, or the end if @sep is 0. */
static int parse_addr_len(const char **pp, const char *end, uint64_t *addr,
			  uint64_t *len, char sep)
{
	int ret;

	ret = parse_hex(pp, end, addr);
	if (!ret)
		ret = parse_char(pp, end, ',');
	if (!ret)
		ret = parse_hex(pp, end, len);
	if (!ret && sep)
		ret = parse_char(pp, end, sep);
	if (!ret && !sep && *pp != end)
		ret = -EINVAL;
	return ret;
}

/* Exactly 2 * @n hex digits up to @end, into @out. */
static int parse_hex_bytes(const char *p, const char *end, void *out,
			   size_t n)
{
	uint8_t *o = out;
	size_t i;

	if ((size_t)(end - p) != 2 * n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		o[i] = hi << 4 | lo;
	}
	return 0;
}

/* A thread id: hex, or -1 for all threads; 0 is "any". */
static int parse_thread(const char **pp, const char *end, int *thread)
{
	uint64_t v;
	int ret;

	if (end - *pp >= 2 && (*pp)[0] == '-' && (*pp)[1] == '1') {
		*pp += 2;
		*thread = -1;
		return 0;
	}
	ret = parse_hex(pp, end, &v);
	if (ret)
		return ret;
	if (v > INT_MAX)
		return -ERANGE;
	*thread = v;
	return 0;
}

static bool thread_ok(const struct gdb_rsp *s, int thread)
{
	return thread >= 1 && thread <= s->nthreads;
}

/* Is the packet @word, or @word followed by @sep (if not 0) and more? */
static bool is_cmd(const char *p, const char *end, const char *word, char sep)
{
	size_t n = strlen(word);

	if ((size_t)(end - p) < n || memcmp(p, word, n))
		return false;
	return p + n == end || (sep && p[n] == sep);
}

static bool has_prefix(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - p) >= n && !memcmp(p, prefix, n);
}

/* ---- Commands ----------------------------------------------------------- */

/* The thread of g, G, p, P and memory: Hg's, or the last stop's. */
static int reg_thread(const struct gdb_rsp *s)
{
	return s->g_thread > 0 ? s->g_thread : s->stop_thread;
}

static int get_regs(struct gdb_rsp *s, int thread, struct gdb_x86_regs *r)
{
	memset(r, 0, sizeof(*r));
	if (!s->ops->get_regs)
		return -EOPNOTSUPP;
	return s->ops->get_regs(s->ctx, thread, r);
}

static int set_regs(struct gdb_rsp *s, int thread,
		    const struct gdb_x86_regs *r)
{
	if (!s->ops->set_regs)
		return -EOPNOTSUPP;
	return s->ops->set_regs(s->ctx, thread, r);
}

static void put_stop_reply(struct gdb_rsp *s)
{
	put_fmt(s, "T%02xthread:%02x;", s->stop_signal, s->stop_thread);
}

static int cmd_stop_reason(struct gdb_rsp *s, const char *p, const char *end)
{
	if (p != end)
		return -EINVAL;
	put_stop_reply(s);
	return 0;
}

static int cmd_read_regs(struct gdb_rsp *s, const char *p, const char *end)
{
	const struct gdb_reg_desc *d;
	struct gdb_x86_regs r;
	size_t i, n;
	int ret;

	if (p != end)
		return -EINVAL;
	ret = get_regs(s, reg_thread(s), &r);
	if (ret)
		return ret;
	d = gdb_rsp_regs(s->long_mode, &n);
	for (i = 0; i < n; i++)
		put_hex(s, (uint8_t *)&r + d[i].offset, d[i].size);
	return 0;
}

/* G: every register of the table, in its order; the others are kept. */
static int cmd_write_regs(struct gdb_rsp *s, const char *p, const char *end)
{
	const struct gdb_reg_desc *d;
	struct gdb_x86_regs r;
	size_t i, n;
	int ret;

	if ((size_t)(end - p) != 2 * gdb_rsp_regs_size(s->long_mode))
		return -EINVAL;
	ret = get_regs(s, reg_thread(s), &r);
	if (ret)
		return ret;
	d = gdb_rsp_regs(s->long_mode, &n);
	for (i = 0; i < n; i++) {
		ret = parse_hex_bytes(p, p + 2 * d[i].size,
				      (uint8_t *)&r + d[i].offset, d[i].size);
		if (ret)
			return ret;
		p += 2 * d[i].size;
	}
	ret = set_regs(s, reg_thread(s), &r);
	if (!ret)
		put_str(s, "OK");
	return ret;
}

static int parse_regno(struct gdb_rsp *s, const char **pp, const char *end,
		       const struct gdb_reg_desc **desc)
{
	const struct gdb_reg_desc *d;
	uint64_t regno;
	size_t n;
	int ret;

	ret = parse_hex(pp, end, &regno);
	if (ret)
		return ret;
	d = gdb_rsp_regs(s->long_mode, &n);
	if (regno >= n)
		return -EINVAL;
	*desc = &d[regno];
	return 0;
}

static int cmd_read_reg(struct gdb_rsp *s, const char *p, const char *end)
{
	const struct gdb_reg_desc *d;
	struct gdb_x86_regs r;
	int ret;

	ret = parse_regno(s, &p, end, &d);
	if (!ret && p != end)
		ret = -EINVAL;
	if (!ret)
		ret = get_regs(s, reg_thread(s), &r);
	if (!ret)
		put_hex(s, (uint8_t *)&r + d->offset, d->size);
	return ret;
}

static int cmd_write_reg(struct gdb_rsp *s, const char *p, const char *end)
{
	const struct gdb_reg_desc *d;
	struct gdb_x86_regs r;
	int ret;

	ret = parse_regno(s, &p, end, &d);
	if (!ret)
		ret = parse_char(&p, end, '=');
	if (!ret)
		ret = get_regs(s, reg_thread(s), &r);
	if (!ret)
		ret = parse_hex_bytes(p, end, (uint8_t *)&r + d->offset,
				      d->size);
	if (!ret)
		ret = set_regs(s, reg_thread(s), &r);
	if (!ret)
		put_str(s, "OK");
	return ret;
}

/* A range of @len bytes at @addr that does not wrap past 2^64. */
static int check_range(uint64_t addr, uint64_t len, uint64_t max)
{
	if (len > max)
		return -EMSGSIZE;
	if (len && addr + (len - 1) < addr)
		return -ERANGE;
	return 0;
}

/* m: all the bytes or an error; a length of 0 is an error too. */
static int cmd_read_mem(struct gdb_rsp *s, const char *p, const char *end)
{
	uint64_t addr, len;
	int ret;

	ret = parse_addr_len(&p, end, &addr, &len, 0);
	if (!ret)
		ret = check_range(addr, len, GDB_RSP_MAX_MEM);
	if (!ret && !len)
		ret = -EINVAL;
	if (!ret && !s->ops->read_mem)
		ret = -EOPNOTSUPP;
	if (!ret)
		ret = s->ops->read_mem(s->ctx, reg_thread(s), addr, s->mem,
				       len);
	if (!ret)
		put_hex(s, s->mem, len);
	return ret;
}

static int write_mem(struct gdb_rsp *s, uint64_t addr, size_t len)
{
	int ret = 0;

	if (!s->ops->write_mem)
		return -EOPNOTSUPP;
	if (len)
		ret = s->ops->write_mem(s->ctx, reg_thread(s), addr, s->mem,
					len);
	if (!ret)
		put_str(s, "OK");
	return ret;
}

static int cmd_write_mem_hex(struct gdb_rsp *s, const char *p,
			     const char *end)
{
	uint64_t addr, len;
	int ret;

	ret = parse_addr_len(&p, end, &addr, &len, ':');
	if (!ret)
		ret = check_range(addr, len, GDB_RSP_MAX_MEM);
	if (!ret)
		ret = parse_hex_bytes(p, end, s->mem, len);
	if (!ret)
		ret = write_mem(s, addr, len);
	return ret;
}

/*
 * X: the data is binary, '}' escaping the next byte (^ 0x20), and must
 * decode to exactly len bytes.  "X addr,0:" is gdb's probe for X.
 */
static int cmd_write_mem_bin(struct gdb_rsp *s, const char *p,
			     const char *end)
{
	uint64_t addr, len;
	size_t n = 0;
	int ret;

	ret = parse_addr_len(&p, end, &addr, &len, ':');
	if (!ret)
		ret = check_range(addr, len, sizeof(s->mem));
	if (ret)
		return ret;
	while (p < end) {
		uint8_t c = *p++;

		if (c == '}') {
			if (p == end)
				return -EINVAL;
			c = *p++ ^ 0x20;
		}
		if (n == len)
			return -EINVAL;
		s->mem[n++] = c;
	}
	if (n != len)
		return -EINVAL;
	return write_mem(s, addr, len);
}

/* Z and z: types 0-4 reach set_bp, others are not supported. */
static int cmd_breakpoint(struct gdb_rsp *s, const char *p, const char *end,
			  bool insert)
{
	uint64_t type, addr, kind;
	int ret;

	ret = parse_hex(&p, end, &type);
	if (ret)
		return ret;
	if (type > GDB_WATCH_ACCESS || !s->ops->set_bp)
		return -EOPNOTSUPP;
	ret = parse_char(&p, end, ',');
	if (!ret)
		ret = parse_addr_len(&p, end, &addr, &kind, 0);
	if (!ret && kind > INT_MAX)
		ret = -ERANGE;
	if (!ret)
		ret = s->ops->set_bp(s->ctx, type, addr, kind, insert);
	if (!ret)
		put_str(s, "OK");
	return ret;
}

/* Resume with s->action[], and wait for gdb_rsp_stopped(). */
static int resume(struct gdb_rsp *s)
{
	int ret;

	if (!s->ops->resume)
		return -EOPNOTSUPP;
	s->running = true;	/* before: resume may report the stop */
	ret = s->ops->resume(s->ctx, s->action);
	if (ret) {
		s->running = false;
		return ret;
	}
	return NO_REPLY;
}

static void set_actions(struct gdb_rsp *s, enum gdb_resume_action a)
{
	int i;

	for (i = 0; i < s->nthreads; i++)
		s->action[i] = a;
}

/*
 * c [addr], C sig[;addr], s [addr], S sig[;addr]; the signal is ignored
 * (a guest has none to deliver).  c continues every thread, or only Hc's
 * if Hc named one; s steps Hc's thread, or the last stop's, and the others
 * stay stopped.  An address is first written to that thread's rip (Hc's
 * or the last stop's for c).
 */
static int cmd_resume(struct gdb_rsp *s, const char *p, const char *end,
		      char cmd)
{
	int thread = s->c_thread > 0 ? s->c_thread : s->stop_thread;
	bool step = cmd == 's' || cmd == 'S';
	struct gdb_x86_regs r;
	uint64_t v;
	int ret;

	if (cmd == 'C' || cmd == 'S') {
		ret = parse_hex(&p, end, &v);
		if (ret)
			return ret;
		if (p != end) {
			ret = parse_char(&p, end, ';');
			if (!ret && p == end)
				ret = -EINVAL;	/* ';' and no address */
			if (ret)
				return ret;
		}
	}
	if (p != end) {
		ret = parse_hex(&p, end, &v);
		if (!ret && p != end)
			ret = -EINVAL;
		if (!ret)
			ret = get_regs(s, thread, &r);
		if (!ret) {
			r.rip = v;
			ret = set_regs(s, thread, &r);
		}
		if (ret)
			return ret;
	}
	if (step) {
		set_actions(s, GDB_RESUME_NONE);
		s->action[thread - 1] = GDB_RESUME_STEP;
	} else if (s->c_thread > 0) {
		set_actions(s, GDB_RESUME_NONE);
		s->action[thread - 1] = GDB_RESUME_CONTINUE;
	} else {
		set_actions(s, GDB_RESUME_CONTINUE);
	}
	return resume(s);
}

/*
 * vCont;ACTION[:THREAD]...: c, C, s, S (signals ignored), for THREAD or
 * -1 (all), or without a thread for every thread no earlier action named;
 * the leftmost action naming a thread wins, and a thread no action names
 * stays stopped.  So vCont;s:2;c steps thread 2 while the others run, and
 * vCont;s:2 steps it alone.  All checked before anything is resumed.
 */
static int cmd_vcont(struct gdb_rsp *s, const char *p, const char *end)
{
	bool set[GDB_RSP_MAX_THREADS] = { false };
	enum gdb_resume_action a;
	bool any = false;
	int i, thread;
	uint64_t sig;
	int ret;

	while (p < end) {
		ret = parse_char(&p, end, ';');
		if (ret || p == end)
			return -EINVAL;
		switch (*p++) {
		case 'c':
			a = GDB_RESUME_CONTINUE;
			break;
		case 's':
			a = GDB_RESUME_STEP;
			break;
		case 'C':
		case 'S':
			a = p[-1] == 'S' ? GDB_RESUME_STEP :
					   GDB_RESUME_CONTINUE;
			ret = parse_hex(&p, end, &sig);
			if (ret)
				return ret;
			break;
		default:
			return -EINVAL;
		}
		thread = -1;
		if (p < end && *p == ':') {
			p++;
			ret = parse_thread(&p, end, &thread);
			if (ret)
				return ret;
			if (thread != -1 && !thread_ok(s, thread))
				return thread ? -ESRCH : -EINVAL;
		}
		for (i = 0; i < s->nthreads; i++) {
			if (set[i] || (thread != -1 && thread != i + 1))
				continue;
			set[i] = true;
			s->action[i] = a;
			any = true;
		}
	}
	if (!any)
		return -EINVAL;
	for (i = 0; i < s->nthreads; i++)
		if (!set[i])
			s->action[i] = GDB_RESUME_NONE;
	return resume(s);
}

/* Hg and Hc: a thread, 0 (any) or -1 (all). */
static int cmd_set_thread(struct gdb_rsp *s, const char *p, const char *end)
{
	char which;
	int thread;
	int ret;

	if (p == end)
		return -EINVAL;
	which = *p++;
	if (which != 'g' && which != 'c')
		return 0;	/* unknown: the empty reply */
	ret = parse_thread(&p, end, &thread);
	if (!ret && p != end)
		ret = -EINVAL;
	if (!ret && thread > 0 && !thread_ok(s, thread))
		ret = -ESRCH;
	if (ret)
		return ret;
	if (which == 'g')
		s->g_thread = thread;
	else
		s->c_thread = thread;
	put_str(s, "OK");
	return 0;
}

static int cmd_thread_alive(struct gdb_rsp *s, const char *p, const char *end)
{
	int thread;
	int ret;

	ret = parse_thread(&p, end, &thread);
	if (!ret && p != end)
		ret = -EINVAL;
	if (!ret && !thread_ok(s, thread))
		ret = -ESRCH;
	if (!ret)
		put_str(s, "OK");
	return ret;
}

/* D: let every thread run, the debugger gone. */
static int cmd_detach(struct gdb_rsp *s)
{
	int ret = 0;

	if (s->ops->resume) {
		set_actions(s, GDB_RESUME_CONTINUE);
		s->running = true;
		ret = s->ops->resume(s->ctx, s->action);
	}
	if (ret) {
		s->running = false;
		return ret;
	}
	put_str(s, "OK");
	s->ended = true;
	return 0;
}

static int cmd_kill(struct gdb_rsp *s)
{
	if (s->ops->kill)
		s->ops->kill(s->ctx);
	s->ended = true;
	return NO_REPLY;
}

/* qSupported[:gdb's features]: note the stop reasons gdb knows. */
static int cmd_supported(struct gdb_rsp *s, const char *p, const char *end)
{
	s->gdb_swbreak = false;
	s->gdb_hwbreak = false;
	while (p < end) {
		const char *q = p + 1;	/* past ':' or ';' */

		for (p = q; p < end && *p != ';'; p++)
			;
		if (is_cmd(q, p, "swbreak+", 0))
			s->gdb_swbreak = true;
		if (is_cmd(q, p, "hwbreak+", 0))
			s->gdb_hwbreak = true;
	}
	put_fmt(s, "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;",
		GDB_RSP_PACKET_SIZE);
	put_str(s, "swbreak+;hwbreak+;vContSupported+");
	return 0;
}

static int cmd_thread_list(struct gdb_rsp *s)
{
	int i;

	for (i = 1; i <= s->nthreads; i++)
		put_fmt(s, "%c%x", i == 1 ? 'm' : ',', i);
	return 0;
}

/*
 * qXfer:features:read:target.xml:OFF,LEN: 'm' and up to LEN bytes (as
 * many as fit escaped in a packet), or 'l' and the last ones.
 */
static int cmd_read_features(struct gdb_rsp *s, const char *p,
			     const char *end)
{
	const char *annex = p;
	uint64_t off, len;
	size_t size, n;
	int ret;

	while (p < end && *p != ':')
		p++;
	if (!is_cmd(annex, p, "target.xml", 0))
		return -EINVAL;
	ret = parse_char(&p, end, ':');
	if (!ret)
		ret = parse_addr_len(&p, end, &off, &len, 0);
	if (ret)
		return ret;
	size = gdb_rsp_target_xml(s->long_mode, s->xml, sizeof(s->xml));
	if (size >= sizeof(s->xml))
		return -EOVERFLOW;
	if (off > size || !len)
		return -EINVAL;
	n = size - off < len ? size - off : len;
	put_str(s, "m");
	n = put_bin(s, (uint8_t *)s->xml + off, n);
	if (off + n == size)
		s->reply[0] = 'l';
	return 0;
}

static int cmd_query(struct gdb_rsp *s, const char *p, const char *end)
{
	static const char xfer[] = "qXfer:features:read:";

	if (is_cmd(p, end, "qSupported", ':'))
		return cmd_supported(s, p + strlen("qSupported"), end);
	if (is_cmd(p, end, "qfThreadInfo", 0))
		return cmd_thread_list(s);
	if (is_cmd(p, end, "qsThreadInfo", 0)) {
		put_str(s, "l");
		return 0;
	}
	if (is_cmd(p, end, "qC", 0)) {
		put_fmt(s, "QC%x", s->stop_thread);
		return 0;
	}
	if (is_cmd(p, end, "qAttached", ':')) {
		put_str(s, "1");
		return 0;
	}
	if (has_prefix(p, end, xfer))
		return cmd_read_features(s, p + strlen(xfer), end);
	return 0;
}

static int cmd_v(struct gdb_rsp *s, const char *p, const char *end)
{
	if (is_cmd(p, end, "vCont?", 0)) {
		put_str(s, "vCont;c;C;s;S");
		return 0;
	}
	if (is_cmd(p, end, "vCont", ';'))
		return cmd_vcont(s, p + strlen("vCont"), end);
	return 0;
}

/* QStartNoAckMode: acked, answered, and then no more acks either way. */
static int cmd_set(struct gdb_rsp *s, const char *p, const char *end)
{
	if (!is_cmd(p, end, "QStartNoAckMode", 0))
		return 0;
	send_packet(s, "OK", 2);
	s->no_ack = true;
	s->last_len = 0;
	return NO_REPLY;
}

static int dispatch(struct gdb_rsp *s, const char *p, const char *end)
{
	char cmd = *p++;

	switch (cmd) {
	case '?':
		return cmd_stop_reason(s, p, end);
	case 'g':
		return cmd_read_regs(s, p, end);
	case 'G':
		return cmd_write_regs(s, p, end);
	case 'p':
		return cmd_read_reg(s, p, end);
	case 'P':
		return cmd_write_reg(s, p, end);
	case 'm':
		return cmd_read_mem(s, p, end);
	case 'M':
		return cmd_write_mem_hex(s, p, end);
	case 'X':
		return cmd_write_mem_bin(s, p, end);
	case 'Z':
	case 'z':
		return cmd_breakpoint(s, p, end, cmd == 'Z');
	case 'c':
	case 'C':
	case 's':
	case 'S':
		return cmd_resume(s, p, end, cmd);
	case 'H':
		return cmd_set_thread(s, p, end);
	case 'T':
		return cmd_thread_alive(s, p, end);
	case 'D':
		return cmd_detach(s);
	case 'k':
		return cmd_kill(s);
	case 'q':
		return cmd_query(s, p - 1, end);
	case 'Q':
		return cmd_set(s, p - 1, end);
	case 'v':
		return cmd_v(s, p - 1, end);
	default:
		return 0;	/* unknown: the empty reply */
	}
}

/* A packet whose checksum was good: run it, send its reply. */
static void handle_packet(struct gdb_rsp *s)
{
	int ret = 0;

	s->reply_len = 0;
	s->reply_overflow = false;
	if (s->in_overflow)
		ret = -EMSGSIZE;
	else if (s->in_len)
		ret = dispatch(s, s->in, s->in + s->in_len);
	if (ret == NO_REPLY)
		return;
	if (ret == -EOPNOTSUPP) {
		s->reply_len = 0;
	} else if (ret < 0 || s->reply_overflow) {
		s->reply_len = 0;
		s->reply_overflow = false;
		put_fmt(s, "E%02x", ret < 0 ? err_code(ret) : GDB_RSP_E2BIG);
	}
	send_packet(s, s->reply, s->reply_len);
}

/* ---- Framing ------------------------------------------------------------ */

static void start_packet(struct gdb_rsp *s)
{
	s->rx = GDB_RX_DATA;
	s->in_len = 0;
	s->in_overflow = false;
	s->in_sum = 0;
	s->in_csum = 0;
	s->in_csum_ok = false;
}

/*
 * A bad checksum is answered '-' and the packet dropped; in no-ack mode
 * it is only dropped (gdb resends nothing then).
 */
static void end_packet(struct gdb_rsp *s, bool csum_ok)
{
	s->rx = GDB_RX_IDLE;
	if (!csum_ok || s->in_csum != s->in_sum) {
		if (!s->no_ack)
			send_raw(s, "-", 1);
		return;
	}
	if (!s->no_ack)
		send_raw(s, "+", 1);
	s->in[s->in_len] = '\0';
	handle_packet(s);
}

/*
 * The packet's data is kept as sent, escapes and all ('*' included, which
 * gdb never sends as run-length encoding): only X decodes it.  A '$'
 * inside a packet starts a new one (gdb escapes it in binary data).
 */
int gdb_rsp_input(struct gdb_rsp *s, const char *buf, size_t len)
{
	size_t i;
	int d;

	for (i = 0; i < len && !s->ended; i++) {
		uint8_t c = buf[i];

		switch (s->rx) {
		case GDB_RX_IDLE:
			if (c == '$')
				start_packet(s);
			else if (c == '-' && !s->no_ack && s->last_len)
				send_raw(s, s->last, s->last_len);
			else if (c == 0x03 && s->ops->interrupt)
				s->ops->interrupt(s->ctx);
			break;	/* '+' and noise: nothing to do */
		case GDB_RX_DATA:
			if (c == '$') {
				start_packet(s);
			} else if (c == '#') {
				s->rx = GDB_RX_CSUM1;
			} else {
				s->in_sum += c;
				if (s->in_len < GDB_RSP_PACKET_SIZE)
					s->in[s->in_len++] = c;
				else
					s->in_overflow = true;
			}
			break;
		case GDB_RX_CSUM1:
			d = hexval(c);
			s->in_csum_ok = d >= 0;
			s->in_csum = (d & 0xf) << 4;
			s->rx = GDB_RX_CSUM2;
			break;
		case GDB_RX_CSUM2:
			d = hexval(c);
			s->in_csum |= d & 0xf;
			end_packet(s, s->in_csum_ok && d >= 0);
			break;
		}
	}
	return s->ended ? GDB_RSP_END : 0;
}

/* ---- Stops and setup ---------------------------------------------------- */

/* A reason that keeps the reply well-framed, and that gdb asked for. */
static bool reason_ok(const struct gdb_rsp *s, const char *reason)
{
	size_t i, n = strnlen(reason, 65);

	if (!n || n > 64)
		return false;
	for (i = 0; i < n; i++) {
		char c = reason[i];

		if (c < 0x20 || c > 0x7e || strchr("$#}*;", c))
			return false;
	}
	if (!strncmp(reason, "swbreak", 7) && !s->gdb_swbreak)
		return false;
	if (!strncmp(reason, "hwbreak", 7) && !s->gdb_hwbreak)
		return false;
	return true;
}

void gdb_rsp_stopped(struct gdb_rsp *s, int thread, int signal,
		     const char *reason)
{
	char buf[128];
	int n;

	if (!thread_ok(s, thread))
		thread = 1;
	s->running = false;
	s->stop_thread = thread;
	s->stop_signal = signal & 0xff;
	s->g_thread = thread;	/* as gdb assumes after a stop reply */
	n = snprintf(buf, sizeof(buf), "T%02xthread:%02x;", s->stop_signal,
		     thread);
	if (reason && reason_ok(s, reason))
		n += snprintf(buf + n, sizeof(buf) - n, "%s;", reason);
	send_packet(s, buf, n);
}

void gdb_rsp_exited(struct gdb_rsp *s, int status)
{
	char buf[8];
	int n;

	s->running = false;
	n = snprintf(buf, sizeof(buf), "W%02x", status & 0xff);
	send_packet(s, buf, n);
}

void gdb_rsp_reset(struct gdb_rsp *s)
{
	s->rx = GDB_RX_IDLE;
	s->in_len = 0;
	s->in_overflow = false;
	s->no_ack = false;
	s->ended = false;
	s->gdb_swbreak = false;
	s->gdb_hwbreak = false;
	s->g_thread = 0;
	s->c_thread = -1;
	s->last_len = 0;
}

int gdb_rsp_init(struct gdb_rsp *s, const struct gdb_target_ops *ops,
		 void *ctx, int nthreads, bool long_mode)
{
	if (!ops || !ops->send || nthreads < 1 ||
	    nthreads > GDB_RSP_MAX_THREADS)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->ctx = ctx;
	s->nthreads = nthreads;
	s->long_mode = long_mode;
	s->stop_thread = 1;
	s->stop_signal = GDB_SIGTRAP;
	gdb_rsp_reset(s);
	return 0;
}

/* Offsets in the FXSAVE image (SDM Vol. 1, table 10-2, 64-bit form). */
#define FX_FCW		0
#define FX_FSW		2
#define FX_FTW		4
#define FX_FOP		6
#define FX_FIP		8
#define FX_FDP		16
#define FX_MXCSR	24
#define FX_ST		32
#define FX_XMM		160

static uint64_t fx_get(const uint8_t *fx, size_t off, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, fx + off, n);	/* little-endian, as x86 */
	return v;
}

static void fx_put(uint8_t *fx, size_t off, uint64_t v, size_t n)
{
	memcpy(fx + off, &v, n);
}

/* The full tag of a non-empty register (SDM Vol. 1, 8.1.7). */
static unsigned int x87_tag(const uint8_t *st)
{
	unsigned int exp = (st[9] & 0x7f) << 8 | st[8];
	uint64_t mant;

	memcpy(&mant, st, 8);
	if (exp == 0x7fff)
		return 2;			/* special: NaN, infinity */
	if (exp == 0)
		return mant ? 2 : 1;		/* denormal : zero */
	return mant >> 63 ? 0 : 2;		/* valid : unnormal */
}

void gdb_rsp_fpu_from_fxsave(struct gdb_x86_regs *r, const uint8_t *fx)
{
	unsigned int fsw = fx_get(fx, FX_FSW, 2), top = (fsw >> 11) & 7;
	unsigned int ftw = fx[FX_FTW], tags = 0, phys, i;
	uint64_t fip = fx_get(fx, FX_FIP, 8), fdp = fx_get(fx, FX_FDP, 8);

	for (i = 0; i < 8; i++)
		memcpy(r->st[i], fx + FX_ST + 16 * i, 10);
	/* Physical register p is ST((p - TOP) mod 8). */
	for (phys = 0; phys < 8; phys++) {
		unsigned int tag = 3;

		if (ftw & (1U << phys))
			tag = x87_tag(r->st[(phys - top) & 7]);
		tags |= tag << (2 * phys);
	}
	r->fctrl = fx_get(fx, FX_FCW, 2);
	r->fstat = fsw;
	r->ftag = tags;
	r->fop = fx_get(fx, FX_FOP, 2) & 0x7ff;
	r->fioff = (uint32_t)fip;
	r->fiseg = fip >> 32;
	r->fooff = (uint32_t)fdp;
	r->foseg = fdp >> 32;
	r->mxcsr = fx_get(fx, FX_MXCSR, 4);
	memcpy(r->xmm, fx + FX_XMM, sizeof(r->xmm));
}

void gdb_rsp_fpu_to_fxsave(const struct gdb_x86_regs *r, uint8_t *fx)
{
	unsigned int ftw = 0, i;

	for (i = 0; i < 8; i++) {
		memcpy(fx + FX_ST + 16 * i, r->st[i], 10);
		memset(fx + FX_ST + 16 * i + 10, 0, 6);
		if (((r->ftag >> (2 * i)) & 3) != 3)
			ftw |= 1U << i;
	}
	fx_put(fx, FX_FCW, r->fctrl, 2);
	fx_put(fx, FX_FSW, r->fstat, 2);
	fx[FX_FTW] = ftw;
	fx[FX_FTW + 1] = 0;
	fx_put(fx, FX_FOP, r->fop & 0x7ff, 2);
	fx_put(fx, FX_FIP, (uint64_t)r->fiseg << 32 | r->fioff, 8);
	fx_put(fx, FX_FDP, (uint64_t)r->foseg << 32 | r->fooff, 8);
	fx_put(fx, FX_MXCSR, r->mxcsr, 4);
	memcpy(fx + FX_XMM, r->xmm, sizeof(r->xmm));
}
