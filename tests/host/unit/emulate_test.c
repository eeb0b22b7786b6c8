// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the instruction emulator (kmod/emulate.c): every ALU,
 * unary, shift, bit-test and exchange instruction on a memory operand
 * against the same instruction run by this CPU on registers, result and
 * defined flags, each flag seen both set and clear; then the string
 * instructions with REP and DF, string I/O (INS, OUTS), the exchanges, SETcc and CMOVcc, MOVBE,
 * the SSE moves, faults, and an access that waits for userspace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulate.h"
#include "vtxhv_test.h"



/*
 * The guest: RAM at RAM_LA, a device at MMIO_LA whose reads wait for
 * "userspace" (EMU_EXIT) until the harness answers them, as the module
 * does.  Accesses anywhere else fault (#PF, CR2 the address).
 */
#define RAM_LA		0x10000ULL
#define MMIO_LA		0xc0000000ULL
#define SPACE		0x2000

struct guest {
	u8 ram[SPACE];
	u8 dev[SPACE];
	u8 xmm[16][16];
	/* reads the device answered so far, in order, as the module keeps */
	u8 answers[8][16];
	unsigned int nanswers, used;
	unsigned int dev_reads, dev_writes, ram_writes;
	bool wrote;		/* in this pass */
	bool exit_after_write;	/* a device read came after a write */
	/* INS, OUTS: the port's data, and what the last run moved */
	u8 port_data[4096];
	bool pio_ready;		/* "userspace" answered the IN */
	unsigned int pio_exits, pio_n, pio_elems;
	u16 pio_port;
};

static u8 *locate(struct guest *g, u64 la, unsigned int size, bool *dev)
{
	if (la >= RAM_LA && la + size <= RAM_LA + SPACE) {
		*dev = false;
		return g->ram + (la - RAM_LA);
	}
	if (la >= MMIO_LA && la + size <= MMIO_LA + SPACE) {
		*dev = true;
		return g->dev + (la - MMIO_LA);
	}
	return NULL;
}

static int pf(struct emu *e, u64 la, bool write)
{
	e->fault = (struct emu_fault){ .vector = 14, .has_error = true,
				       .error = write ? 2 : 0, .addr = la };
	return EMU_FAULT;
}

static int g_read(struct emu *e, u64 la, void *buf, unsigned int size)
{
	struct guest *g = e->priv;
	bool dev;
	u8 *p = locate(g, la, size, &dev);

	if (!p)
		return pf(e, la, false);
	if (!dev) {
		memcpy(buf, p, size);
		return EMU_OK;
	}
	if (g->wrote)
		g->exit_after_write = true;
	if (g->used < g->nanswers) {
		memcpy(buf, g->answers[g->used++], size);
		return EMU_OK;
	}
	/* "userspace" answers now; the instruction runs again */
	memcpy(g->answers[g->nanswers++], p, size);
	g->dev_reads++;
	return EMU_EXIT;
}

static int g_write(struct emu *e, u64 la, const void *buf, unsigned int size)
{
	struct guest *g = e->priv;
	bool dev;
	u8 *p = locate(g, la, size, &dev);

	if (!p)
		return pf(e, la, true);
	memcpy(p, buf, size);
	if (dev)
		g->dev_writes++;
	else
		g->ram_writes++;
	g->wrote = true;
	return EMU_OK;
}

static int g_get_xmm(struct emu *e, unsigned int n, u8 *x)
{
	struct guest *g = e->priv;

	memcpy(x, g->xmm[n], 16);
	return EMU_OK;
}

static int g_set_xmm(struct emu *e, unsigned int n, const u8 *x)
{
	struct guest *g = e->priv;

	memcpy(g->xmm[n], x, 16);
	return EMU_OK;
}

/* Ports as the module has them: an IN waits for "userspace" once. */
static int g_pio(struct emu *e, u16 port, u8 *buf, unsigned int size,
		 unsigned int n, unsigned int i, bool in)
{
	struct guest *g = e->priv;

	g->pio_port = port;
	g->pio_n = n;
	if (in && !g->pio_ready) {
		g->pio_ready = true;
		g->pio_exits++;
		return EMU_EXIT;
	}
	if (in)
		memcpy(buf, g->port_data + i * size, size);
	else
		memcpy(g->port_data + i * size, buf, size);
	g->pio_elems++;
	return EMU_OK;
}

static const struct emu_ops g_ops = {
	.read = g_read,
	.write = g_write,
	.get_xmm = g_get_xmm,
	.set_xmm = g_set_xmm,
	.pio = g_pio,
};

static struct guest G;

/*
 * Run one instruction as the module does: each EMU_EXIT leaves the guest
 * state as it was, and the instruction runs again with the answers.
 */
static int emulate(struct emu *e)
{
	struct emu before = *e;
	int r, passes = 0;

	G.nanswers = 0;
	G.exit_after_write = false;
	e->ops = &g_ops;
	e->priv = &G;
	for (;;) {
		G.used = 0;
		G.wrote = false;
		r = emu_run(e);
		if (r != EMU_EXIT)
			break;
		if (memcmp(e->gpr, before.gpr, sizeof(e->gpr)) ||
		    e->rip != before.rip || e->rflags != before.rflags) {
			printf("# EMU_EXIT changed the guest\n");
			return -1;
		}
		if (G.wrote || ++passes > 4) {
			printf("# EMU_EXIT after a write, or too many\n");
			return -1;
		}
	}
	if (G.exit_after_write) {
		printf("# a device read after a write\n");
		return -1;
	}
	return r;
}

static u64 rnd_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static u64 mask_of(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* Operands that reach the corners: 0, 1, the sign bit and its neighbours. */
static u64 operand(unsigned int i, unsigned int size)
{
	u64 sign = 1ULL << (8 * size - 1);
	static const int pick[] = { 0, 1, 2, 3, 4, 5, 6 };

	switch (i < 7 ? pick[i] : 7) {
	case 0: return 0;
	case 1: return 1;
	case 2: return sign;
	case 3: return sign - 1;
	case 4: return mask_of(size);
	case 5: return sign + 1;
	case 6: return 0x0f;
	default: break;
	}
	/* small values half the time, so that CF and AF vary */
	return (i & 1 ? rnd() & 0x1f : rnd()) & mask_of(size);
}

/*
 * The same operations run by this CPU on registers: @flags in and out
 * (the arithmetic flags only; popf leaves the others).  128 bytes below
 * RSP are the red zone, which push would overwrite.  @insn is the whole
 * instruction on x (and y, or the count in CL: the asm inputs that follow).
 */
#define HOST(name, sfx, type, insn, ...)				\
static u64 host_##name##_##sfx(u64 a, u64 b, u64 *fl)			\
{									\
	type x = a, y = b;						\
	u64 f = (*fl & EMU_ARITH) | 2;					\
	(void)y;							\
	__asm__ volatile("lea -128(%%rsp), %%rsp\n\t"			\
			 "push %[f]\n\tpopf\n\t"			\
			 insn "\n\t"					\
			 "pushf\n\tpop %[f]\n\t"			\
			 "lea 128(%%rsp), %%rsp"			\
			 : [x] "+r"(x), [f] "+r"(f) : __VA_ARGS__ : "cc");\
	*fl = f;							\
	return x;							\
}

/* Two operands; bit tests on a register take the offset modulo the size. */
#define HOST2(name, insn, sfx, type)					\
	HOST(name, sfx, type, insn " %[y], %[x]", [y] "r"(y))
/* Shifts by CL: the count in b. */
#define HOSTSH(name, insn, sfx, type)					\
	HOST(name, sfx, type, insn " %%cl, %[x]", "c"(b))
/* One-operand instructions. */
#define HOST1(name, insn, sfx, type)					\
	HOST(name, sfx, type, insn " %[x]", )

/* @gen for every operand size, or every size but bytes */
#define HOST_WIDE(gen, name, insn)					\
	gen(name, insn "w", 2, u16)					\
	gen(name, insn "l", 4, u32) gen(name, insn "q", 8, u64)
#define HOST_ALL(gen, name, insn)					\
	gen(name, insn "b", 1, u8) HOST_WIDE(gen, name, insn)

HOST_ALL(HOST2, add, "add")
HOST_ALL(HOST2, or, "or")
HOST_ALL(HOST2, adc, "adc")
HOST_ALL(HOST2, sbb, "sbb")
HOST_ALL(HOST2, and, "and")
HOST_ALL(HOST2, sub, "sub")
HOST_ALL(HOST2, xor, "xor")
HOST_ALL(HOST2, cmp, "cmp")
HOST_ALL(HOST2, test, "test")
HOST_ALL(HOST2, xadd, "xadd")

HOST_ALL(HOSTSH, rol, "rol")
HOST_ALL(HOSTSH, ror, "ror")
HOST_ALL(HOSTSH, rcl, "rcl")
HOST_ALL(HOSTSH, rcr, "rcr")
HOST_ALL(HOSTSH, shl, "shl")
HOST_ALL(HOSTSH, shr, "shr")
HOST_ALL(HOSTSH, sar, "sar")

HOST_ALL(HOST1, inc, "inc")
HOST_ALL(HOST1, dec, "dec")
HOST_ALL(HOST1, neg, "neg")
HOST_ALL(HOST1, not, "not")

HOST_WIDE(HOST2, bt, "bt")
HOST_WIDE(HOST2, bts, "bts")
HOST_WIDE(HOST2, btr, "btr")
HOST_WIDE(HOST2, btc, "btc")

typedef u64 (*host_fn)(u64, u64, u64 *);

/*
 * How to encode the memory form: the opcode for bytes and for the other
 * sizes (0 when there is none), the ModRM reg field (-1: the register
 * operand, RCX), an immediate of that many bytes instead of a register
 * (-1: the count in CL), and which flags the SDM defines.
 */
enum { DEF_ALL = EMU_ARITH, DEF_LOGIC = EMU_ARITH & ~EMU_AF };

struct op_case {
	const char *name;
	u16 op8, op;		/* 0x0f00 | xx for two-byte opcodes */
	int regfield;
	int imm;		/* 0: register source, n: imm bytes */
	bool toreg;		/* the register is the destination */
	bool writes;		/* memory changes */
	u32 defined;		/* flags the SDM defines */
	int kind;		/* K_* below */
	host_fn host[9];	/* by size */
};

enum { K_BIN, K_UNARY, K_SHIFT, K_BT, K_XADD };

#define H(n)	{ [1] = host_##n##_1, [2] = host_##n##_2, \
		  [4] = host_##n##_4, [8] = host_##n##_8 }
#define HW(n)	{ [2] = host_##n##_2, [4] = host_##n##_4, [8] = host_##n##_8 }

static const struct op_case op_cases[] = {
	{ "add", 0x00, 0x01, -1, 0, false, true, DEF_ALL, K_BIN, H(add) },
	{ "or", 0x08, 0x09, -1, 0, false, true, DEF_LOGIC, K_BIN, H(or) },
	{ "adc", 0x10, 0x11, -1, 0, false, true, DEF_ALL, K_BIN, H(adc) },
	{ "sbb", 0x18, 0x19, -1, 0, false, true, DEF_ALL, K_BIN, H(sbb) },
	{ "and", 0x20, 0x21, -1, 0, false, true, DEF_LOGIC, K_BIN, H(and) },
	{ "sub", 0x28, 0x29, -1, 0, false, true, DEF_ALL, K_BIN, H(sub) },
	{ "xor", 0x30, 0x31, -1, 0, false, true, DEF_LOGIC, K_BIN, H(xor) },
	{ "cmp", 0x38, 0x39, -1, 0, false, false, DEF_ALL, K_BIN, H(cmp) },
	{ "test", 0x84, 0x85, -1, 0, false, false, DEF_LOGIC, K_BIN,
	  H(test) },
	/* reg <- reg op mem */
	{ "add_to_reg", 0x02, 0x03, -1, 0, true, false, DEF_ALL, K_BIN,
	  H(add) },
	{ "sbb_to_reg", 0x1a, 0x1b, -1, 0, true, false, DEF_ALL, K_BIN,
	  H(sbb) },
	{ "xor_to_reg", 0x32, 0x33, -1, 0, true, false, DEF_LOGIC, K_BIN,
	  H(xor) },
	{ "cmp_reg_mem", 0x3a, 0x3b, -1, 0, true, false, DEF_ALL, K_BIN,
	  H(cmp) },
	/* group 1 with immediates: 80 /r ib, 81 /r iz, 83 /r ib */
	{ "add_imm", 0x80, 0x81, 0, 4, false, true, DEF_ALL, K_BIN, H(add) },
	{ "or_imm8", 0x80, 0x83, 1, 1, false, true, DEF_LOGIC, K_BIN,
	  H(or) },
	{ "adc_imm", 0x80, 0x81, 2, 4, false, true, DEF_ALL, K_BIN, H(adc) },
	{ "sbb_imm8", 0x80, 0x83, 3, 1, false, true, DEF_ALL, K_BIN,
	  H(sbb) },
	{ "and_imm", 0x80, 0x81, 4, 4, false, true, DEF_LOGIC, K_BIN,
	  H(and) },
	{ "sub_imm8", 0x80, 0x83, 5, 1, false, true, DEF_ALL, K_BIN,
	  H(sub) },
	{ "xor_imm", 0x80, 0x81, 6, 4, false, true, DEF_LOGIC, K_BIN,
	  H(xor) },
	{ "cmp_imm8", 0x80, 0x83, 7, 1, false, false, DEF_ALL, K_BIN,
	  H(cmp) },
	{ "test_imm", 0xf6, 0xf7, 0, 4, false, false, DEF_LOGIC, K_BIN,
	  H(test) },
	{ "not", 0xf6, 0xf7, 2, 0, false, true, 0, K_UNARY, H(not) },
	{ "neg", 0xf6, 0xf7, 3, 0, false, true, DEF_ALL, K_UNARY, H(neg) },
	{ "inc", 0xfe, 0xff, 0, 0, false, true, DEF_ALL, K_UNARY, H(inc) },
	{ "dec", 0xfe, 0xff, 1, 0, false, true, DEF_ALL, K_UNARY, H(dec) },
	{ "rol", 0xd2, 0xd3, 0, -1, false, true, EMU_CF | EMU_OF, K_SHIFT,
	  H(rol) },
	{ "ror", 0xd2, 0xd3, 1, -1, false, true, EMU_CF | EMU_OF, K_SHIFT,
	  H(ror) },
	{ "rcl", 0xd2, 0xd3, 2, -1, false, true, EMU_CF | EMU_OF, K_SHIFT,
	  H(rcl) },
	{ "rcr", 0xd2, 0xd3, 3, -1, false, true, EMU_CF | EMU_OF, K_SHIFT,
	  H(rcr) },
	{ "shl", 0xd2, 0xd3, 4, -1, false, true, DEF_LOGIC, K_SHIFT,
	  H(shl) },
	{ "shr", 0xd2, 0xd3, 5, -1, false, true, DEF_LOGIC, K_SHIFT,
	  H(shr) },
	{ "sar", 0xd2, 0xd3, 7, -1, false, true, DEF_LOGIC, K_SHIFT,
	  H(sar) },
	{ "bt", 0, 0x0fa3, -1, 0, false, false, EMU_CF, K_BT, HW(bt) },
	{ "bts", 0, 0x0fab, -1, 0, false, true, EMU_CF, K_BT, HW(bts) },
	{ "btr", 0, 0x0fb3, -1, 0, false, true, EMU_CF, K_BT, HW(btr) },
	{ "btc", 0, 0x0fbb, -1, 0, false, true, EMU_CF, K_BT, HW(btc) },
	{ "xadd", 0x0fc0, 0x0fc1, -1, 0, false, true, DEF_ALL, K_XADD,
	  H(xadd) },
};

static const char *const flag_names[] = {
	[0] = "CF", [2] = "PF", [4] = "AF", [6] = "ZF", [7] = "SF",
	[11] = "OF",
};

/* Encode "op reg/imm, (%rbx)" at MMIO (or its reverse) for @size. */
static unsigned int encode(const struct op_case *c, unsigned int size,
			   u64 imm, u8 *b)
{
	unsigned int n = 0, i, isz = c->imm > 0 ? (unsigned int)c->imm : 0;
	u16 op = size == 1 ? c->op8 : c->op;

	if (size == 2)
		b[n++] = 0x66;
	if (size == 8)
		b[n++] = 0x48;
	if (op >> 8)
		b[n++] = 0x0f;
	b[n++] = op;
	/* mod 00, reg RCX or the group's field, rm RBX */
	b[n++] = ((c->regfield < 0 ? 1 : c->regfield) << 3) | 3;
	if (size == 1 && isz)
		isz = 1;
	else if (size == 2 && isz == 4)
		isz = 2;
	for (i = 0; i < isz; i++)
		b[n++] = imm >> (8 * i);
	return n;
}

static bool check_op(const struct op_case *c, unsigned int size)
{
	u32 seen_set = 0, seen_clear = 0, want_seen;
	unsigned int i, n, bits = 8 * size;
	u8 bytes[16];
	bool ok = true;

	for (i = 0; i < 600 && ok; i++) {
		u64 a = operand(i % 37, size), b = operand(i / 37 % 13 ?
							    rnd() % 40 : i % 7,
							    size);
		u64 fl_in = (rnd() & EMU_ARITH) | 2, fl_host = fl_in, want;
		u64 imm = 0, mem = 0, got_v, defined = c->defined;
		struct emu e = { .mode = 64, .rip = 0x1000 };
		int r;

		if (c->kind == K_SHIFT)
			b = i % 3 ? rnd() % (2 * bits + 2) : i % 5;
		if (c->kind == K_BT)
			b &= bits - 1;
		if (c->imm > 0) {
			/* an immediate, sign-extended as the CPU does */
			imm = b;
			if (c->imm == 1 || size == 1)
				b = (u64)(s64)(s8)b;
			else if (size == 2)
				b = (u64)(s64)(s16)b;
			else
				b = (u64)(s64)(s32)b;
			b &= mask_of(size);
		}
		n = encode(c, size, imm, bytes);
		e.bytes = bytes;
		e.nbytes = n;
		e.gpr[3] = MMIO_LA;
		e.gpr[1] = c->toreg ? a : b;
		e.rflags = fl_in;
		mem = c->toreg ? b : a;
		memcpy(G.dev, &mem, 8);

		want = c->host[size](a, b, &fl_host);

		if (c->kind == K_SHIFT) {
			unsigned int cnt = b & (size == 8 ? 63 : 31);

			/* OF only for counts of 1, CF not beyond the size */
			if (cnt != 1)
				defined &= ~(u64)EMU_OF;
			if (cnt >= bits && c->regfield >= 4)
				defined &= ~(u64)EMU_CF;
			if (!cnt)
				defined = EMU_ARITH;	/* unchanged */
		}
		r = emulate(&e);
		if (r != EMU_OK) {
			printf("# %s%u: %s\n", c->name, size,
			       emu_result_name(r));
			return false;
		}
		got_v = 0;
		memcpy(&got_v, G.dev, size);
		if (c->toreg)
			got_v = e.gpr[1] & mask_of(size);
		if (c->kind == K_XADD && (e.gpr[1] & mask_of(size)) != a) {
			printf("# xadd: register %#llx, want %#llx\n",
			       (unsigned long long)e.gpr[1],
			       (unsigned long long)a);
			ok = false;
		}
		if (!c->writes && !c->toreg)
			want = a;
		if (c->name[0] == 'c' && c->name[1] == 'm' && c->toreg)
			want = a;	/* CMP: the register stays */
		if ((got_v & mask_of(size)) != (want & mask_of(size)) ||
		    ((e.rflags ^ fl_host) & defined) ||
		    ((e.rflags ^ fl_in) & ~(u64)EMU_ARITH)) {
			printf("# %s%u a %#llx b %#llx flags %#llx: got %#llx flags %#llx, want %#llx flags %#llx (defined %#llx)\n",
			       c->name, size, (unsigned long long)a,
			       (unsigned long long)b,
			       (unsigned long long)fl_in,
			       (unsigned long long)got_v,
			       (unsigned long long)e.rflags,
			       (unsigned long long)want,
			       (unsigned long long)fl_host,
			       (unsigned long long)defined);
			ok = false;
		}
		if (e.rip != 0x1000 + n) {
			printf("# rip %#llx\n", (unsigned long long)e.rip);
			ok = false;
		}
		if ((G.dev_writes != 0) != (c->writes && !c->toreg &&
					    (c->kind != K_SHIFT ||
					     (b & (size == 8 ? 63 : 31))))) {
			printf("# %s%u: %u device writes\n", c->name, size,
			       G.dev_writes);
			ok = false;
		}
		G.dev_writes = 0;
		if (c->kind != K_SHIFT || (b & (size == 8 ? 63 : 31))) {
			seen_set |= e.rflags & defined;
			seen_clear |= ~e.rflags & defined;
		}
	}
	/* every flag the instruction defines, seen both ways */
	want_seen = c->defined;
	/* AND, OR, XOR, TEST clear CF and OF; SAR clears OF */
	if (c->defined == DEF_LOGIC && c->kind == K_BIN)
		want_seen = EMU_ZF | EMU_SF | EMU_PF;
	if (c->kind == K_SHIFT)
		want_seen = EMU_CF | (c->regfield >= 4 ?
				      EMU_ZF | EMU_SF | EMU_PF : 0);
	/* SHR clears SF */
	if (c->kind == K_SHIFT && c->regfield == 5)
		want_seen &= ~(u64)EMU_SF;
	for (i = 0; i < 12; i++) {
		if (!(want_seen & (1u << i)))
			continue;
		if (!(seen_set & seen_clear & (1u << i))) {
			printf("# %s%u: %s never %s\n", c->name, size,
			       flag_names[i], seen_set & (1u << i) ?
			       "clear" : "set");
			ok = false;
		}
	}
	return ok;
}

/* One instruction, its state before, and what must hold after. */
struct emu_case {
	const char *text;
	int mode;
	u8 bytes[INSN_MAX_LEN];
	unsigned int nbytes;
	int (*setup)(struct emu *e);
	int (*check)(struct emu *e, int r);
};

#define B(...)	.bytes = { __VA_ARGS__ }, \
		.nbytes = sizeof((u8[]){ __VA_ARGS__ })

static void dev_put(unsigned int off, u64 v, unsigned int size)
{
	memcpy(G.dev + off, &v, size);
}

static u64 dev_get(unsigned int off, unsigned int size)
{
	u64 v = 0;

	memcpy(&v, G.dev + off, size);
	return v;
}

static u64 ram_get(unsigned int off, unsigned int size)
{
	u64 v = 0;

	memcpy(&v, G.ram + off, size);
	return v;
}

#define EXPECT(cond) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
		return 0;						\
	}								\
} while (0)

/* The instruction from the issue: or %eax,0x1000(%r12) on MMIO. */
static int or_r12_setup(struct emu *e)
{
	e->gpr[12] = MMIO_LA;
	e->gpr[0] = 0x80000001;
	dev_put(0x1000, 0x00000100, 4);
	return 0;
}

static int or_r12_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK);
	EXPECT(dev_get(0x1000, 4) == 0x80000101);
	EXPECT(G.dev_reads == 1 && G.dev_writes == 1);
	EXPECT((e->rflags & EMU_ARITH) == (EMU_SF));
	EXPECT(e->rip == 0x1000 + 8);
	return 1;
}

/* lock cmpxchg %ecx,(%rbx): equal, then not equal. */
static int cmpxchg_setup(struct emu *e)
{
	e->gpr[3] = MMIO_LA;
	e->gpr[0] = 0xffffffff00000005ULL;
	e->gpr[1] = 0x77;
	dev_put(0, 5, 4);
	return 0;
}

static int cmpxchg_eq_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK);
	EXPECT(dev_get(0, 4) == 0x77);
	EXPECT(e->rflags & EMU_ZF);
	/* equal: RAX not written, not even zero-extended */
	EXPECT(e->gpr[0] == 0xffffffff00000005ULL);
	return 1;
}

static int cmpxchg_ne_setup(struct emu *e)
{
	cmpxchg_setup(e);
	dev_put(0, 9, 4);
	return 0;
}

static int cmpxchg_ne_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK);
	/* the old value written back, and loaded into EAX */
	EXPECT(dev_get(0, 4) == 9 && G.dev_writes == 1);
	EXPECT(!(e->rflags & EMU_ZF) && (e->rflags & EMU_CF));
	EXPECT(e->gpr[0] == 9);
	return 1;
}

/* cmpxchg8b (%rbx) and cmpxchg16b (%rbx) */
static int cx8_setup(struct emu *e)
{
	e->gpr[3] = MMIO_LA + 0x10;
	e->gpr[0] = 0x11111111;
	e->gpr[2] = 0x22222222;
	e->gpr[3] = MMIO_LA + 0x10;
	e->gpr[1] = 0x44444444;
	dev_put(0x10, 0x2222222211111111ULL, 8);
	e->rflags = 2 | EMU_CF;
	return 0;
}

static int cx8_eq_check(struct emu *e, int r)
{
	/* ECX:EBX, and EBX is the address here */
	EXPECT(r == EMU_OK);
	EXPECT(dev_get(0x10, 8) ==
	       ((0x44444444ULL << 32) | (u32)(MMIO_LA + 0x10)));
	EXPECT((e->rflags & EMU_ARITH) == (EMU_ZF | EMU_CF));
	return 1;
}

static int cx8_ne_setup(struct emu *e)
{
	cx8_setup(e);
	dev_put(0x10, 0x0123456789abcdefULL, 8);
	e->gpr[0] = ~0ULL;
	return 0;
}

static int cx8_ne_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK);
	EXPECT(dev_get(0x10, 8) == 0x0123456789abcdefULL);
	EXPECT(e->gpr[0] == 0x89abcdef && e->gpr[2] == 0x01234567);
	EXPECT(!(e->rflags & EMU_ZF));
	return 1;
}

static int cx16_setup(struct emu *e)
{
	e->gpr[3] = 0xa;		/* RBX: low half of the new value */
	e->gpr[1] = 0xb;
	e->gpr[0] = 1;
	e->gpr[2] = 2;
	e->gpr[6] = MMIO_LA + 0x20;
	dev_put(0x20, 1, 8);
	dev_put(0x28, 2, 8);
	return 0;
}

static int cx16_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK);
	EXPECT(dev_get(0x20, 8) == 0xa && dev_get(0x28, 8) == 0xb);
	EXPECT(e->rflags & EMU_ZF);
	EXPECT(G.dev_reads == 1);
	return 1;
}

static int cx16_misaligned_setup(struct emu *e)
{
	cx16_setup(e);
	e->gpr[6] = MMIO_LA + 0x28;
	return 0;
}

static int gp_check(struct emu *e, int r)
{
	EXPECT(r == EMU_FAULT && e->fault.vector == 13 &&
	       e->fault.has_error && !e->fault.error);
	EXPECT(e->rip == 0x1000);
	return 1;
}

/* xchg %dh,(%rbx): a byte register that is bits 15:8 */
static int xchg_setup(struct emu *e)
{
	e->gpr[3] = MMIO_LA;
	e->gpr[2] = 0x1234;
	dev_put(0, 0x56, 1);
	return 0;
}

static int xchg_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK);
	EXPECT(e->gpr[2] == 0x5634 && dev_get(0, 1) == 0x12);
	return 1;
}

/* bts %rax,(%rbx) with offsets beyond and below the operand */
static int bt_far_setup(struct emu *e)
{
	e->gpr[3] = MMIO_LA + 0x100;
	e->gpr[0] = 64 * 3 + 5;		/* qword 3, bit 5 */
	return 0;
}

static int bt_far_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK);
	EXPECT(dev_get(0x118, 8) == 0x20 && !(e->rflags & EMU_CF));
	return 1;
}

static int bt_neg_setup(struct emu *e)
{
	e->gpr[3] = MMIO_LA + 0x100;
	e->gpr[0] = (u64)-1;		/* the top bit of the qword below */
	dev_put(0xf8, 0x8000000000000000ULL, 8);
	return 0;
}

static int bt_neg_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK);
	EXPECT(dev_get(0xf8, 8) == 0 && (e->rflags & EMU_CF));
	return 1;
}

/* btsl $35,(%rbx): an immediate offset is taken modulo 32 */
static int bt_imm_setup(struct emu *e)
{
	e->gpr[3] = MMIO_LA;
	dev_put(0, 0, 8);
	return 0;
}

static int bt_imm_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK);
	EXPECT(dev_get(0, 8) == 8);
	return 1;
}

/* sete (%rbx), cmovne (%rbx),%eax (false: RAX still zero-extended) */
static int setcc_setup(struct emu *e)
{
	e->gpr[3] = MMIO_LA;
	e->rflags = 2 | EMU_ZF;
	dev_put(0, 0xff, 1);
	e->gpr[0] = 0xffffffff12345678ULL;
	dev_put(8, 0xabcdef, 4);
	return 0;
}

static int setcc_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && dev_get(0, 1) == 1);
	return 1;
}

static int cmov_false_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && e->gpr[0] == 0x12345678);
	EXPECT(G.dev_reads == 1);
	return 1;
}

static int cmov_true_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && e->gpr[0] == 0xabcdef);
	return 1;
}

/* movbe: big-endian loads and stores */
static int movbe_setup(struct emu *e)
{
	e->gpr[3] = MMIO_LA;
	e->gpr[1] = 0x1122334455667788ULL;
	dev_put(0, 0x12345678, 4);
	return 0;
}

static int movbe_load_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && e->gpr[1] == 0x78563412);
	return 1;
}

static int movbe_store_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && dev_get(0, 8) == 0x8877665544332211ULL);
	return 1;
}

static int movnti_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && dev_get(0, 8) == 0x1122334455667788ULL);
	return 1;
}

/* shlw $4,(%rbx) */
static int shl_imm_setup(struct emu *e)
{
	e->gpr[3] = MMIO_LA;
	dev_put(0, 0x1234, 2);
	return 0;
}

static int shl_imm_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && dev_get(0, 2) == 0x2340);
	EXPECT(e->rflags & EMU_CF);
	return 1;
}

/*
 * String instructions: RAM at RAM_LA, the device at MMIO_LA.  One element
 * per run; with REP and elements left RIP stays.
 */
static int rep_movsl_setup(struct emu *e)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		G.ram[i] = i;
	e->gpr[6] = RAM_LA;		/* RSI */
	e->gpr[7] = MMIO_LA + 0x40;	/* RDI */
	e->gpr[1] = 3;
	return 0;
}

static int rep_movsl_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK);
	EXPECT(dev_get(0x40, 4) == 0x03020100);
	EXPECT(e->gpr[6] == RAM_LA + 4 && e->gpr[7] == MMIO_LA + 0x44);
	EXPECT(e->gpr[1] == 2 && e->rip == 0x1000);
	return 1;
}

static int rep_movsl_last_setup(struct emu *e)
{
	rep_movsl_setup(e);
	e->gpr[1] = 1;
	return 0;
}

static int rep_movsl_last_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && e->gpr[1] == 0 && e->rip == 0x1002);
	return 1;
}

static int rep_zero_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && e->rip == 0x1003 && !G.dev_writes &&
	       !G.ram_writes && e->gpr[6] == RAM_LA);
	return 1;
}

static int rep_zero_setup(struct emu *e)
{
	rep_movsl_setup(e);
	e->gpr[1] = 0xffffffff00000000ULL;	/* ECX 0 with addr32 */
	return 0;
}

/* std; rep movsb from the device to RAM: backwards */
static int movsb_df_setup(struct emu *e)
{
	e->rflags = 2 | EMU_DF;
	e->gpr[6] = MMIO_LA + 0x7;
	e->gpr[7] = RAM_LA + 0x107;
	e->gpr[1] = 8;
	dev_put(0, 0x8877665544332211ULL, 8);
	return 0;
}

static int movsb_df_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK);
	EXPECT(G.ram[0x107] == 0x88 && G.dev_reads == 1);
	EXPECT(e->gpr[6] == MMIO_LA + 6 && e->gpr[7] == RAM_LA + 0x106);
	EXPECT(e->gpr[1] == 7 && e->rip == 0x1000);
	return 1;
}

/* rep stosq to the device, 16-bit addressing wraps within 64 KiB */
static int stos_setup(struct emu *e)
{
	e->gpr[0] = 0x0102030405060708ULL;
	e->gpr[7] = MMIO_LA + 0x80;
	e->gpr[1] = 2;
	return 0;
}

static int stos_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK);
	EXPECT(dev_get(0x80, 8) == 0x0102030405060708ULL);
	EXPECT(e->gpr[7] == MMIO_LA + 0x88 && e->gpr[1] == 1);
	return 1;
}

/* lodsw from the device: AX merges */
static int lods_setup(struct emu *e)
{
	e->gpr[0] = 0xffffffffffffffffULL;
	e->gpr[6] = MMIO_LA;
	dev_put(0, 0xbeef, 2);
	return 0;
}

static int lods_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && e->gpr[0] == 0xffffffffffffbeefULL);
	EXPECT(e->gpr[6] == MMIO_LA + 2 && e->rip == 0x1002);
	return 1;
}

/* repe cmpsb: device against RAM, stops at the first difference */
static int cmps_setup(struct emu *e)
{
	e->gpr[6] = MMIO_LA;
	e->gpr[7] = RAM_LA;
	e->gpr[1] = 10;
	dev_put(0, 0x41, 1);
	G.ram[0] = 0x42;
	return 0;
}

static int cmps_check(struct emu *e, int r)
{
	/* 0x41 - 0x42: CF SF AF, ZF clear: the REPE ends */
	EXPECT(r == EMU_OK && e->gpr[1] == 9 && e->rip == 0x1002);
	EXPECT((e->rflags & EMU_ARITH) == (EMU_CF | EMU_SF | EMU_AF |
					   EMU_PF));
	return 1;
}

static int cmps_eq_setup(struct emu *e)
{
	cmps_setup(e);
	G.ram[0] = 0x41;
	return 0;
}

static int cmps_eq_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && e->gpr[1] == 9 && e->rip == 0x1000);
	EXPECT(e->rflags & EMU_ZF);
	EXPECT(G.dev_reads == 1);
	return 1;
}

/* cmpsb with both operands on the device: two reads, answered in turn */
static int cmps_dev_setup(struct emu *e)
{
	e->gpr[6] = MMIO_LA;
	e->gpr[7] = MMIO_LA + 1;
	dev_put(0, 0x0505, 2);
	return 0;
}

static int cmps_dev_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && G.dev_reads == 2 && (e->rflags & EMU_ZF));
	return 1;
}

/* repne scasl: stops when found */
static int scas_setup(struct emu *e)
{
	e->gpr[0] = 0xcafe;
	e->gpr[7] = MMIO_LA;
	e->gpr[1] = 5;
	dev_put(0, 0xcafe, 4);
	return 0;
}

static int scas_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && e->gpr[1] == 4 && e->rip == 0x1002);
	EXPECT(e->gpr[7] == MMIO_LA + 4 && (e->rflags & EMU_ZF));
	return 1;
}

/* movsw with %fs: the source segment overridden, ES for the destination */
static int movs_seg_setup(struct emu *e)
{
	e->seg_base[EMU_FS] = MMIO_LA;
	e->seg_base[EMU_ES] = RAM_LA;
	e->seg_base[EMU_DS] = 0x5000000;
	e->gpr[6] = 0x10;
	e->gpr[7] = 0x20;
	dev_put(0x10, 0xabcd, 2);
	return 0;
}

static int movs_seg_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && ram_get(0x20, 2) == 0xabcd);
	EXPECT(e->gpr[6] == 0x12 && e->gpr[7] == 0x22);
	return 1;
}

/* 16-bit: [bp+si] defaults to SS; the offset wraps at 64 KiB */
static int real_setup(struct emu *e)
{
	e->seg_base[EMU_SS] = MMIO_LA;
	e->seg_base[EMU_DS] = RAM_LA;
	e->gpr[5] = 0xfff0;
	e->gpr[6] = 0x0014;		/* BP+SI = 0x10004 -> 0x0004 */
	e->gpr[0] = 0x0f0f;
	dev_put(4, 0xf0f0, 2);
	return 0;
}

static int real_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && dev_get(4, 2) == 0xffff);
	EXPECT(e->rip == 0x1002);
	return 1;
}

/* SSE: movdqu, movaps misaligned, movq, movd, movhps, movss */
static int sse_setup(struct emu *e)
{
	unsigned int i;

	e->gpr[3] = MMIO_LA + 0x200;
	for (i = 0; i < 16; i++) {
		G.dev[0x200 + i] = 0xa0 + i;
		G.xmm[1][i] = 0x10 + i;
		G.xmm[9][i] = 0x90 + i;
	}
	return 0;
}

static int movdqu_load_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && G.xmm[1][0] == 0xa0 && G.xmm[1][15] == 0xaf);
	EXPECT(G.dev_reads == 1 && e->rip == 0x1004);
	return 1;
}

static int movdqu_store_r9_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && G.dev[0x200] == 0x90 && G.dev[0x20f] == 0x9f);
	return 1;
}

static int movaps_misaligned_setup(struct emu *e)
{
	sse_setup(e);
	e->gpr[3] += 8;
	return 0;
}

static int movq_load_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && G.xmm[1][7] == 0xa7 && G.xmm[1][8] == 0);
	return 1;
}

static int movd_store_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && dev_get(0x200, 8) == 0xa7a6a5a413121110ULL);
	return 1;
}

static int movhps_load_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && G.xmm[1][0] == 0x10 && G.xmm[1][8] == 0xa0);
	return 1;
}

static int movss_load_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && G.xmm[1][3] == 0xa3 && G.xmm[1][4] == 0);
	return 1;
}

/* A page fault on an access outside the guest's memory */
static int pf_setup(struct emu *e)
{
	e->gpr[3] = 0x7000000;
	return 0;
}

static int pf_check(struct emu *e, int r)
{
	EXPECT(r == EMU_FAULT && e->fault.vector == 14 &&
	       e->fault.addr == 0x7000000 && e->fault.error == 2);
	EXPECT(e->rip == 0x1000 && e->gpr[3] == 0x7000000);
	return 1;
}

/* 32-bit mode: a data segment base, and only ESI of RSI counts */
static int mode32_setup(struct emu *e)
{
	e->seg_base[EMU_DS] = MMIO_LA - 0x100;
	e->gpr[6] = 0xffffffff00000000ULL;	/* ESI 0 */
	e->gpr[0] = 0x5555555512345678ULL;
	dev_put(0, 0x1, 4);
	return 0;
}

static int mode32_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && dev_get(0, 4) == 0x12345679);
	EXPECT(e->gpr[0] == 0x5555555512345678ULL);
	return 1;
}

/* RIP-relative: the offset from the end of the instruction */
static int riprel_setup(struct emu *e)
{
	e->rip = MMIO_LA + 0x300 - 6 - 0x10;
	dev_put(0x300, 0x40, 1);
	return 0;
}

static int riprel_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && dev_get(0x300, 1) == 0x41);
	return 1;
}

static int mmio_setup(struct emu *e)
{
	e->gpr[3] = MMIO_LA;
	return 0;
}

/* rep outsb from RAM: all five elements in one run */
static int outsb_setup(struct emu *e)
{
	e->gpr[2] = 0x3f8;
	e->gpr[6] = RAM_LA + 0x10;
	e->gpr[1] = 5;
	e->pio_max = 2048;
	memcpy(G.ram + 0x10, "hello", 5);
	return 0;
}

static int outsb_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && G.pio_port == 0x3f8 && G.pio_n == 5);
	EXPECT(!memcmp(G.port_data, "hello", 5) && G.pio_elems == 5);
	EXPECT(e->gpr[6] == RAM_LA + 0x15 && e->gpr[1] == 0);
	EXPECT(e->rip == 0x1002 && !G.ram_writes);
	return 1;
}

/* rep outsw stops where the page of its first element ends */
static int outsw_page_setup(struct emu *e)
{
	outsb_setup(e);
	e->gpr[6] = RAM_LA + 0xffa;
	e->gpr[1] = 10;
	return 0;
}

static int outsw_page_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && G.pio_n == 3);
	EXPECT(e->gpr[6] == RAM_LA + 0x1000 && e->gpr[1] == 7);
	EXPECT(e->rip == 0x1000);	/* elements left: RIP stays */
	return 1;
}

/* std; rep insl: one exit for the data, then three stores downwards */
static int insl_df_setup(struct emu *e)
{
	e->rflags = 2 | EMU_DF;
	e->gpr[2] = 0x1234;
	e->gpr[7] = RAM_LA + 0x108;
	e->gpr[1] = 3;
	e->pio_max = 512;
	memcpy(G.port_data, "aaaabbbbcccc", 12);
	return 0;
}

static int insl_df_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && G.pio_exits == 1 && G.pio_n == 3);
	EXPECT(!memcmp(G.ram + 0x108, "aaaa", 4));
	EXPECT(!memcmp(G.ram + 0x104, "bbbb", 4));
	EXPECT(!memcmp(G.ram + 0x100, "cccc", 4));
	EXPECT(e->gpr[7] == RAM_LA + 0xfc && e->gpr[1] == 0);
	EXPECT(e->rip == 0x1002);
	return 1;
}

/* rep insb where each element must trap: one per run */
static int insb_one_setup(struct emu *e)
{
	insl_df_setup(e);
	e->rflags = 2;
	e->gpr[1] = 4;
	e->pio_max = 0;
	return 0;
}

static int insb_one_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && G.pio_n == 1 && G.ram[0x108] == 'a');
	EXPECT(e->gpr[7] == RAM_LA + 0x109 && e->gpr[1] == 3);
	EXPECT(e->rip == 0x1000);
	return 1;
}

/* outsl from device memory: the device read, then the port */
static int outsl_dev_setup(struct emu *e)
{
	e->gpr[2] = 0x80;
	e->gpr[6] = MMIO_LA + 0x20;
	dev_put(0x20, 0xcafef00d, 4);
	return 0;
}

static int outsl_dev_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && G.dev_reads == 1 && G.pio_n == 1);
	EXPECT(!memcmp(G.port_data, "\x0d\xf0\xfe\xca", 4));
	EXPECT(e->gpr[6] == MMIO_LA + 0x24 && e->rip == 0x1001);
	return 1;
}

/* REX.W insd is still 32-bit (SDM Vol. 2, INS); no REP: one element */
static int insd_rexw_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && e->insn.op_size == 4);
	EXPECT(!memcmp(G.ram + 0x108, "aaaa", 4) && G.ram[0x10c] == 0);
	EXPECT(e->gpr[7] == RAM_LA + 0x104 && e->rip == 0x1002);
	return 1;
}

/* outsb %fs:(%esi) in 32-bit code: the override and its base */
static int outs_fs_setup(struct emu *e)
{
	e->gpr[2] = 0x61;
	e->gpr[6] = 0x10;
	e->seg_base[EMU_FS] = RAM_LA;
	G.ram[0x10] = 0x5a;
	return 0;
}

static int outs_fs_check(struct emu *e, int r)
{
	EXPECT(r == EMU_OK && G.port_data[0] == 0x5a && G.pio_port == 0x61);
	EXPECT(e->gpr[6] == 0x11 && e->rip == 0x1002);
	return 1;
}

/* insw into memory that is not there: the port read, then #PF */
static int insw_pf_setup(struct emu *e)
{
	e->gpr[7] = 0x500000;
	return 0;
}

static int insw_pf_check(struct emu *e, int r)
{
	EXPECT(r == EMU_FAULT && e->fault.vector == 14);
	EXPECT(e->fault.addr == 0x500000 && (e->fault.error & 2));
	EXPECT(e->gpr[7] == 0x500000 && e->rip == 0x1000);
	return 1;
}

static const struct emu_case emu_cases[] = {
	{ "or %eax,0x1000(%r12)", 64,
	  B(0x41, 0x09, 0x84, 0x24, 0x00, 0x10, 0x00, 0x00),
	  or_r12_setup, or_r12_check },
	{ "lock cmpxchg %ecx,(%rbx) equal", 64, B(0xf0, 0x0f, 0xb1, 0x0b),
	  cmpxchg_setup, cmpxchg_eq_check },
	{ "lock cmpxchg %ecx,(%rbx) not equal", 64,
	  B(0xf0, 0x0f, 0xb1, 0x0b), cmpxchg_ne_setup, cmpxchg_ne_check },
	{ "lock cmpxchg8b 0(%rbx) equal", 64, B(0xf0, 0x0f, 0xc7, 0x0b),
	  cx8_setup, cx8_eq_check },
	{ "lock cmpxchg8b 0(%rbx) not equal", 64, B(0xf0, 0x0f, 0xc7, 0x0b),
	  cx8_ne_setup, cx8_ne_check },
	{ "lock cmpxchg16b (%rsi)", 64, B(0xf0, 0x48, 0x0f, 0xc7, 0x0e),
	  cx16_setup, cx16_check },
	{ "cmpxchg16b misaligned: #GP(0)", 64, B(0x48, 0x0f, 0xc7, 0x0e),
	  cx16_misaligned_setup, gp_check },
	{ "xchg %dh,(%rbx)", 64, B(0x86, 0x33), xchg_setup, xchg_check },
	{ "bts %rax,(%rbx) beyond", 64, B(0x48, 0x0f, 0xab, 0x03),
	  bt_far_setup, bt_far_check },
	{ "btr %rax,(%rbx) below", 64, B(0x48, 0x0f, 0xb3, 0x03),
	  bt_neg_setup, bt_neg_check },
	{ "btsl $35,(%rbx)", 64, B(0x0f, 0xba, 0x2b, 0x23),
	  bt_imm_setup, bt_imm_check },
	{ "sete (%rbx)", 64, B(0x0f, 0x94, 0x03), setcc_setup, setcc_check },
	{ "cmovne 8(%rbx),%eax false", 64, B(0x0f, 0x45, 0x43, 0x08),
	  setcc_setup, cmov_false_check },
	{ "cmove 8(%rbx),%eax true", 64, B(0x0f, 0x44, 0x43, 0x08),
	  setcc_setup, cmov_true_check },
	{ "movbe (%rbx),%ecx", 64, B(0x0f, 0x38, 0xf0, 0x0b),
	  movbe_setup, movbe_load_check },
	{ "movbe %rcx,(%rbx)", 64, B(0x48, 0x0f, 0x38, 0xf1, 0x0b),
	  movbe_setup, movbe_store_check },
	{ "movnti %rcx,(%rbx)", 64, B(0x48, 0x0f, 0xc3, 0x0b),
	  movbe_setup, movnti_check },
	{ "shlw $4,(%rbx)", 64, B(0x66, 0xc1, 0x23, 0x04),
	  shl_imm_setup, shl_imm_check },
	{ "rep movsl RAM to device", 64, B(0xf3, 0xa5),
	  rep_movsl_setup, rep_movsl_check },
	{ "rep movsl, the last element", 64, B(0xf3, 0xa5),
	  rep_movsl_last_setup, rep_movsl_last_check },
	{ "rep movsl addr32, ECX 0", 64, B(0x67, 0xf3, 0xa5),
	  rep_zero_setup, rep_zero_check },
	{ "std; rep movsb device to RAM", 64, B(0xf3, 0xa4),
	  movsb_df_setup, movsb_df_check },
	{ "rep stosq to the device", 64, B(0xf3, 0x48, 0xab),
	  stos_setup, stos_check },
	{ "lodsw from the device", 64, B(0x66, 0xad), lods_setup, lods_check },
	{ "repe cmpsb differs", 64, B(0xf3, 0xa6), cmps_setup, cmps_check },
	{ "repe cmpsb equal", 64, B(0xf3, 0xa6), cmps_eq_setup,
	  cmps_eq_check },
	{ "cmpsb device against device", 64, B(0xa6), cmps_dev_setup,
	  cmps_dev_check },
	{ "repne scasl found", 64, B(0xf2, 0xaf), scas_setup, scas_check },
	{ "movsw %fs:(%si),%es:(%di) 32-bit", 32, B(0x66, 0x64, 0xa5),
	  movs_seg_setup, movs_seg_check },
	{ "or %ax,(%bp,%si) real mode", 16, B(0x09, 0x02), real_setup,
	  real_check },
	{ "add %eax,0x100(%esi) 32-bit", 32,
	  B(0x01, 0x86, 0x00, 0x01, 0x00, 0x00),
	  mode32_setup, mode32_check },
	{ "incb 0x10(%rip)", 64, B(0xfe, 0x05, 0x10, 0x00, 0x00, 0x00),
	  riprel_setup, riprel_check },
	{ "movdqu (%rbx),%xmm1", 64, B(0xf3, 0x0f, 0x6f, 0x0b),
	  sse_setup, movdqu_load_check },
	{ "movdqu %xmm9,(%rbx)", 64, B(0xf3, 0x44, 0x0f, 0x7f, 0x0b),
	  sse_setup, movdqu_store_r9_check },
	{ "movaps 8(%rbx) misaligned: #GP(0)", 64, B(0x0f, 0x28, 0x0b),
	  movaps_misaligned_setup, gp_check },
	{ "movq (%rbx),%xmm1", 64, B(0xf3, 0x0f, 0x7e, 0x0b),
	  sse_setup, movq_load_check },
	{ "movd %xmm1,(%rbx)", 64, B(0x66, 0x0f, 0x7e, 0x0b),
	  sse_setup, movd_store_check },
	{ "movhps (%rbx),%xmm1", 64, B(0x0f, 0x16, 0x0b),
	  sse_setup, movhps_load_check },
	{ "movss (%rbx),%xmm1", 64, B(0xf3, 0x0f, 0x10, 0x0b),
	  sse_setup, movss_load_check },
	{ "movl $0,(%rbx) outside memory: #PF", 64,
	  B(0xc7, 0x03, 0, 0, 0, 0), pf_setup, pf_check },
	{ "mov %eax,(%rbx) device", 64, B(0x89, 0x03), mmio_setup, NULL },
	{ "rep outsb from RAM, one run", 64, B(0xf3, 0x6e),
	  outsb_setup, outsb_check },
	{ "rep outsw to the page's end", 64, B(0xf3, 0x66, 0x6f),
	  outsw_page_setup, outsw_page_check },
	{ "std; rep insl", 64, B(0xf3, 0x6d), insl_df_setup, insl_df_check },
	{ "rep insb, one element a run", 64, B(0xf3, 0x6c),
	  insb_one_setup, insb_one_check },
	{ "outsl from device memory", 64, B(0x6f), outsl_dev_setup,
	  outsl_dev_check },
	{ "rex.w insd is 32-bit", 64, B(0x48, 0x6d), insl_df_setup,
	  insd_rexw_check },
	{ "outsb %fs:(%esi) 32-bit", 32, B(0x64, 0x6e), outs_fs_setup,
	  outs_fs_check },
	{ "insw to no memory: #PF", 64, B(0x66, 0x6d), insw_pf_setup,
	  insw_pf_check },
};

static bool check_case(const struct emu_case *c)
{
	struct emu e = {
		.mode = c->mode, .bytes = c->bytes, .nbytes = c->nbytes,
		.rip = 0x1000, .rflags = 2,
	};
	int r;

	memset(&G, 0, sizeof(G));
	c->setup(&e);
	r = emulate(&e);
	if (r < 0)
		return false;
	if (!c->check)
		return r == EMU_OK;
	return c->check(&e, r);
}

int main(void)
{
	unsigned int i, sizes[] = { 1, 2, 4, 8 }, s, n = 0;

	for (i = 0; i < ARRAY_SIZE(op_cases); i++)
		for (s = 0; s < 4; s++)
			n += !!op_cases[i].host[sizes[s]];
	test_plan(n + ARRAY_SIZE(emu_cases));
	for (i = 0; i < ARRAY_SIZE(op_cases); i++) {
		for (s = 0; s < 4; s++) {
			if (!op_cases[i].host[sizes[s]])
				continue;
			memset(&G, 0, sizeof(G));
			test_result(check_op(&op_cases[i], sizes[s]),
				    "%s%u: result and flags as this CPU",
				    op_cases[i].name, 8 * sizes[s]);
		}
	}
	for (i = 0; i < ARRAY_SIZE(emu_cases); i++)
		test_result(check_case(&emu_cases[i]), "%s",
			    emu_cases[i].text);
	return test_totals();
}
