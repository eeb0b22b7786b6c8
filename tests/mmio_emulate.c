// SPDX-License-Identifier: GPL-2.0
/*
 * mmio_emulate: what drivers and compilers do to device memory beyond MOV
 * goes through vtxhv's instruction emulator (issue 19).  Each instruction
 * runs twice in the guest, on RAM and on MMIO that the host backs with a
 * buffer, from the same registers and flags; the memory, the registers
 * and the flags the SDM defines must come out the same:
 *  - read-modify-write with each ALU op (register, immediate, to a
 *    register) in 8, 16, 32 and 64 bits, INC DEC NEG NOT, the shifts and
 *    rotates by CL, BT BTS BTR BTC, XCHG, XADD, CMPXCHG (both outcomes),
 *    CMPXCHG8B and CMPXCHG16B;
 *  - MOVS, STOS, LODS, CMPS, SCAS with REP, forwards and with DF=1;
 *  - SSE moves (MOVDQU, MOVQ, MOVD), MOVBE, SETcc, CMOVcc, MOVNTI;
 *  - an instruction the emulator refuses is an internal error that
 *    carries its bytes.
 * In the paging mode VTXHV_PAGING names.
 */
#include <string.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define MMIO		0xc0000000ULL
#define DEV_SIZE	0x1000
#define RAM_BUF		(40ULL << 20)	/* guest RAM nothing else uses */
#define ARITH		0x8d5ULL	/* CF PF AF ZF SF OF */
#define LOGIC		(ARITH & ~0x10ULL)	/* AF undefined */
#define CF		0x1ULL
#define DF		0x400ULL

/* The device: MMIO reads and writes reach this buffer. */
static uint8_t dev[DEV_SIZE];

/*
 * One instruction on memory at @p: the register operand @b in and out
 * (XADD, XCHG, CMPXCHG give one back), RAX too (CMPXCHG), RFLAGS in and
 * out.
 */
struct op_regs {
	uint64_t b, rax, fl;
};

typedef void (*op_fn)(volatile void *p, struct op_regs *r);

#define FLAGS_IN	"push %[f]\n\tpopf\n\t"
#define FLAGS_OUT	"\n\tpushf\n\tpop %[f]"

/* op %reg,(p) */
#define DEF_RM(name, insn, sfx, type)					\
static void name##_##sfx(volatile void *p, struct op_regs *r)		\
{									\
	type y = r->b;							\
	uint64_t a = r->rax;						\
									\
	__asm__ volatile(FLAGS_IN insn #sfx " %[y], (%[p])" FLAGS_OUT	\
			 : [f] "+r"(r->fl), [y] "+r"(y), "+a"(a)	\
			 : [p] "r"(p) : "cc", "memory");		\
	r->b = y;							\
	r->rax = a;							\
}
/* op (p),%reg */
#define DEF_MR(name, insn, sfx, type)					\
static void name##_##sfx(volatile void *p, struct op_regs *r)		\
{									\
	type y = r->b;							\
									\
	__asm__ volatile(FLAGS_IN insn #sfx " (%[p]), %[y]" FLAGS_OUT	\
			 : [f] "+r"(r->fl), [y] "+r"(y)			\
			 : [p] "r"(p) : "cc", "memory");		\
	r->b = y;							\
}
/* op $imm,(p) */
#define DEF_IMM(name, insn, sfx, imm)					\
static void name##_##sfx(volatile void *p, struct op_regs *r)		\
{									\
	__asm__ volatile(FLAGS_IN insn #sfx " $" #imm ", (%[p])" FLAGS_OUT \
			 : [f] "+r"(r->fl) : [p] "r"(p) : "cc", "memory");\
}
/* op (p) */
#define DEF_UN(name, insn, sfx)						\
static void name##_##sfx(volatile void *p, struct op_regs *r)		\
{									\
	__asm__ volatile(FLAGS_IN insn #sfx " (%[p])" FLAGS_OUT	\
			 : [f] "+r"(r->fl) : [p] "r"(p) : "cc", "memory");\
}
/* op %cl,(p) */
#define DEF_CL(name, insn, sfx)						\
static void name##_##sfx(volatile void *p, struct op_regs *r)		\
{									\
	__asm__ volatile(FLAGS_IN insn #sfx " %%cl, (%[p])" FLAGS_OUT	\
			 : [f] "+r"(r->fl) : [p] "r"(p), "c"(r->b)	\
			 : "cc", "memory");				\
}

#define ALL4(def, name, insn)						\
	def(name, insn, b, uint8_t) def(name, insn, w, uint16_t)	\
	def(name, insn, l, uint32_t) def(name, insn, q, uint64_t)
#define WLQ(def, name, insn)						\
	def(name, insn, w, uint16_t) def(name, insn, l, uint32_t)	\
	def(name, insn, q, uint64_t)
#define ALL4I(name, insn, imm)						\
	DEF_IMM(name, insn, b, imm) DEF_IMM(name, insn, w, imm)		\
	DEF_IMM(name, insn, l, imm) DEF_IMM(name, insn, q, imm)
#define ALL4U(def, name, insn)						\
	def(name, insn, b) def(name, insn, w) def(name, insn, l)	\
	def(name, insn, q)

ALL4(DEF_RM, add, "add")
ALL4(DEF_RM, or, "or")
ALL4(DEF_RM, adc, "adc")
ALL4(DEF_RM, sbb, "sbb")
ALL4(DEF_RM, and, "and")
ALL4(DEF_RM, sub, "sub")
ALL4(DEF_RM, xor, "xor")
ALL4(DEF_RM, cmp, "cmp")
ALL4(DEF_RM, test, "test")
ALL4(DEF_MR, add_to_reg, "add")
ALL4(DEF_MR, sbb_to_reg, "sbb")
ALL4(DEF_MR, or_to_reg, "or")
ALL4(DEF_MR, cmp_to_reg, "cmp")
ALL4I(add_imm, "add", 0x7f)
ALL4I(sub_imm, "sub", -1)
ALL4I(and_imm, "and", 0x55)
ALL4I(or_imm, "or", -0x80)
ALL4I(xor_imm, "xor", 0x33)
ALL4I(adc_imm, "adc", 1)
ALL4I(sbb_imm, "sbb", 0x40)
ALL4I(cmp_imm, "cmp", 0x7f)
ALL4I(test_imm, "test", 0x71)
ALL4U(DEF_UN, inc, "inc")
ALL4U(DEF_UN, dec, "dec")
ALL4U(DEF_UN, neg, "neg")
ALL4U(DEF_UN, not, "not")
ALL4U(DEF_CL, shl, "shl")
ALL4U(DEF_CL, shr, "shr")
ALL4U(DEF_CL, sar, "sar")
ALL4U(DEF_CL, rol, "rol")
ALL4U(DEF_CL, rcr, "rcr")
WLQ(DEF_RM, bt, "bt")
WLQ(DEF_RM, bts, "bts")
WLQ(DEF_RM, btr, "btr")
WLQ(DEF_RM, btc, "btc")
ALL4(DEF_RM, xchg, "xchg")
ALL4(DEF_RM, xadd, "lock xadd")
ALL4(DEF_RM, cmpxchg, "lock cmpxchg")

struct op {
	const char *name;
	op_fn fn[4];		/* b w l q, NULL: no such size */
	uint64_t defined;	/* flags to compare */
	int kind;		/* K_* */
};

enum { K_PLAIN, K_SHIFT, K_BT, K_CMPXCHG };

#define F4(n)	{ n##_b, n##_w, n##_l, n##_q }
#define F3(n)	{ NULL, n##_w, n##_l, n##_q }

static const struct op ops[] = {
	{ "add", F4(add), ARITH, K_PLAIN },
	{ "or", F4(or), LOGIC, K_PLAIN },
	{ "adc", F4(adc), ARITH, K_PLAIN },
	{ "sbb", F4(sbb), ARITH, K_PLAIN },
	{ "and", F4(and), LOGIC, K_PLAIN },
	{ "sub", F4(sub), ARITH, K_PLAIN },
	{ "xor", F4(xor), LOGIC, K_PLAIN },
	{ "cmp", F4(cmp), ARITH, K_PLAIN },
	{ "test", F4(test), LOGIC, K_PLAIN },
	{ "add_to_reg", F4(add_to_reg), ARITH, K_PLAIN },
	{ "sbb_to_reg", F4(sbb_to_reg), ARITH, K_PLAIN },
	{ "or_to_reg", F4(or_to_reg), LOGIC, K_PLAIN },
	{ "cmp_to_reg", F4(cmp_to_reg), ARITH, K_PLAIN },
	{ "add_imm", F4(add_imm), ARITH, K_PLAIN },
	{ "sub_imm", F4(sub_imm), ARITH, K_PLAIN },
	{ "and_imm", F4(and_imm), LOGIC, K_PLAIN },
	{ "or_imm", F4(or_imm), LOGIC, K_PLAIN },
	{ "xor_imm", F4(xor_imm), LOGIC, K_PLAIN },
	{ "adc_imm", F4(adc_imm), ARITH, K_PLAIN },
	{ "sbb_imm", F4(sbb_imm), ARITH, K_PLAIN },
	{ "cmp_imm", F4(cmp_imm), ARITH, K_PLAIN },
	{ "test_imm", F4(test_imm), LOGIC, K_PLAIN },
	{ "inc", F4(inc), ARITH, K_PLAIN },
	{ "dec", F4(dec), ARITH, K_PLAIN },
	{ "neg", F4(neg), ARITH, K_PLAIN },
	{ "not", F4(not), ARITH, K_PLAIN },
	{ "shl", F4(shl), LOGIC, K_SHIFT },
	{ "shr", F4(shr), LOGIC, K_SHIFT },
	{ "sar", F4(sar), LOGIC, K_SHIFT },
	{ "rol", F4(rol), CF, K_SHIFT },
	{ "rcr", F4(rcr), CF, K_SHIFT },
	{ "bt", F3(bt), CF, K_BT },
	{ "bts", F3(bts), CF, K_BT },
	{ "btr", F3(btr), CF, K_BT },
	{ "btc", F3(btc), CF, K_BT },
	{ "xchg", F4(xchg), ARITH, K_PLAIN },
	{ "lock_xadd", F4(xadd), ARITH, K_PLAIN },
	{ "lock_cmpxchg", F4(cmpxchg), ARITH, K_CMPXCHG },
};

#define NOPS	(sizeof(ops) / sizeof(ops[0]))
#define NVALS	6

/* Operands that make CF, OF, ZF, SF, AF and PF go both ways. */
static const uint64_t vals_a[NVALS] = {
	0x7fffffffffffffffULL, 0, 0x5a5a5a5a5a5a5a5aULL, ~0ULL,
	0x8000000000000001ULL, 0x0f0f0f0f0f0f0f0fULL,
};
static const uint64_t vals_b[NVALS] = {
	1, 1, 0x5a5a5a5a5a5a5a5aULL, 0x8000000000000000ULL,
	0x8000000000000001ULL, 0x0101010101010107ULL,
};

/* What the guest found, for the host to report. */
struct results {
	uint32_t cases[NOPS], bad[NOPS];
	uint64_t first_bad[NOPS][6];	/* size, a, b, fl: ram, mmio */
	uint32_t str_bad, str_cases;
	uint64_t str_first_bad;
	uint32_t misc_bad;
	uint64_t misc_first_bad;
	uint32_t wide_bad;
};

static struct results res;

static const unsigned int sizes[4] = { 1, 2, 4, 8 };

static uint64_t mask_of(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static uint64_t load(volatile void *p, unsigned int size)
{
	switch (size) {
	case 1: return *(volatile uint8_t *)p;
	case 2: return *(volatile uint16_t *)p;
	case 4: return *(volatile uint32_t *)p;
	default: return *(volatile uint64_t *)p;
	}
}

static void store(volatile void *p, unsigned int size, uint64_t v)
{
	switch (size) {
	case 1: *(volatile uint8_t *)p = v; break;
	case 2: *(volatile uint16_t *)p = v; break;
	case 4: *(volatile uint32_t *)p = v; break;
	default: *(volatile uint64_t *)p = v; break;
	}
}

static void run_ops(void)
{
	volatile void *ram = (volatile void *)RAM_BUF;
	volatile void *mmio = (volatile void *)(MMIO + 0x100);
	unsigned int i, s, v, c;

	for (i = 0; i < NOPS; i++) {
		for (s = 0; s < 4; s++) {
			unsigned int size = sizes[s];

			if (!ops[i].fn[s])
				continue;
			for (v = 0; v < NVALS * 2; v++) {
				uint64_t a = vals_a[v % NVALS] & mask_of(size);
				uint64_t b = vals_b[(v + v / NVALS) % NVALS];
				struct op_regs rr, rm;
				uint64_t defined = ops[i].defined;
				uint64_t mr, mm;

				c = v / NVALS;	/* CF in */
				if (ops[i].kind == K_SHIFT) {
					unsigned int cnt;

					b = (v * 7 + 1) % (size * 8 + 3);
					cnt = b & (size == 8 ? 63 : 31);
					if (cnt != 1)
						defined &= ~0x800ULL;	/* OF */
					if (cnt >= size * 8)
						defined &= ~CF;
					if (!cnt)
						defined = ARITH;
				}
				if (ops[i].kind == K_BT)
					b &= size * 8 - 1;
				rr.b = rm.b = b;
				rr.rax = rm.rax = ops[i].kind == K_CMPXCHG &&
						  (v & 1) ? a : b;
				rr.fl = rm.fl = 0x2 | c | (v & 2 ? 0x40 : 0);
				store(ram, 8, 0x1111111111111111ULL);
				store(mmio, 8, 0x1111111111111111ULL);
				store(ram, size, a);
				store(mmio, size, a);
				ops[i].fn[s](ram, &rr);
				ops[i].fn[s](mmio, &rm);
				mr = load(ram, 8);
				mm = load(mmio, 8);
				res.cases[i]++;
				if (mr != mm || (rr.b & mask_of(size)) !=
						(rm.b & mask_of(size)) ||
				    rr.rax != rm.rax ||
				    ((rr.fl ^ rm.fl) & defined)) {
					if (!res.bad[i]++) {
						uint64_t *f = res.first_bad[i];

						f[0] = size;
						f[1] = a;
						f[2] = b;
						f[3] = rr.fl;
						f[4] = rm.fl;
						f[5] = mm ^ mr;
					}
				}
			}
		}
	}
}

/*
 * A string instruction from the same registers on RAM and on MMIO: the
 * registers, the flags and the memory after it.
 */
struct str_regs {
	uint64_t rsi, rdi, rcx, rax, fl;
};

#define DEF_STR(name, insn)						\
static void name(struct str_regs *r)					\
{									\
	__asm__ volatile(FLAGS_IN insn FLAGS_OUT "\n\tcld"		\
			 : [f] "+r"(r->fl), "+S"(r->rsi), "+D"(r->rdi),	\
			   "+c"(r->rcx), "+a"(r->rax)			\
			 : : "cc", "memory");				\
}

DEF_STR(rep_movsb, "rep movsb")
DEF_STR(rep_movsl, "rep movsl")
DEF_STR(rep_movsq, "rep movsq")
DEF_STR(rep_stosb, "rep stosb")
DEF_STR(rep_stosw, "rep stosw")
DEF_STR(rep_stosq, "rep stosq")
DEF_STR(rep_lodsl, "rep lodsl")
DEF_STR(repe_cmpsb, "repe cmpsb")
DEF_STR(repne_cmpsw, "repne cmpsw")
DEF_STR(repne_scasb, "repne scasb")
DEF_STR(repe_scasl, "repe scasl")
DEF_STR(movsw, "movsw")
DEF_STR(lodsq, "lodsq")

struct str_case {
	void (*fn)(struct str_regs *r);
	unsigned int size;
	bool src_dev, dst_dev;	/* which operands are MMIO on the MMIO run */
	uint64_t count, rax;
};

static const struct str_case str_cases[] = {
	{ rep_movsb, 1, false, true, 9, 0 },
	{ rep_movsl, 4, false, true, 5, 0 },
	{ rep_movsq, 8, true, false, 4, 0 },
	{ rep_movsb, 1, true, true, 7, 0 },
	{ rep_stosb, 1, false, true, 6, 0x5c },
	{ rep_stosw, 2, false, true, 5, 0x1234 },
	{ rep_stosq, 8, false, true, 3, 0x0102030405060708ULL },
	{ rep_lodsl, 4, true, false, 4, 0 },
	{ repe_cmpsb, 1, true, false, 16, 0 },
	{ repne_cmpsw, 2, false, true, 16, 0 },
	{ repne_scasb, 1, false, true, 32, 0x09 },
	{ repe_scasl, 4, false, true, 8, 0x03020100 },
	{ movsw, 2, true, false, 0, 0 },
	{ lodsq, 8, true, false, 0, 0 },
};

#define NSTR	(sizeof(str_cases) / sizeof(str_cases[0]))

/* Fill a buffer: byte i is i, from 0x13 on with bit 7 set too */
static void str_fill(volatile uint8_t *p)
{
	unsigned int i;

	for (i = 0; i < 0x40; i++)
		p[i] = i < 0x13 ? i : i ^ 0x80;
}

static void run_strings(void)
{
	volatile uint8_t *ram_src = (volatile uint8_t *)(RAM_BUF + 0x1000);
	volatile uint8_t *ram_dst = (volatile uint8_t *)(RAM_BUF + 0x2000);
	volatile uint8_t *ram_src2 = (volatile uint8_t *)(RAM_BUF + 0x3000);
	volatile uint8_t *ram_dst2 = (volatile uint8_t *)(RAM_BUF + 0x4000);
	volatile uint8_t *dev_src = (volatile uint8_t *)(MMIO + 0x400);
	volatile uint8_t *dev_dst = (volatile uint8_t *)(MMIO + 0x800);
	unsigned int i, k, df;

	for (i = 0; i < NSTR; i++) {
		for (df = 0; df < 2; df++) {
			const struct str_case *c = &str_cases[i];
			volatile uint8_t *s1 = ram_src, *d1 = ram_dst;
			volatile uint8_t *s2 = c->src_dev ? dev_src : ram_src2;
			volatile uint8_t *d2 = c->dst_dev ? dev_dst : ram_dst2;
			/* DF=1 starts at the top and goes down */
			uint64_t off = df ? 0x30 : 0;
			struct str_regs a = {
				.rsi = (uint64_t)s1 + off,
				.rdi = (uint64_t)d1 + off,
				.rcx = c->count, .rax = c->rax,
				.fl = 2 | (df ? DF : 0),
			};
			struct str_regs b = a;
			bool bad;

			b.rsi = (uint64_t)s2 + off;
			b.rdi = (uint64_t)d2 + off;
			str_fill(s1);
			str_fill(s2);
			/* CMPS finds a difference either way */
			str_fill(d1);
			str_fill(d2);
			d1[0x0b] = d2[0x0b] = 0x55;
			d1[0x2a] = d2[0x2a] = 0x55;
			c->fn(&a);
			c->fn(&b);
			bad = a.rcx != b.rcx || a.rax != b.rax ||
			      ((a.fl ^ b.fl) & (ARITH | DF)) ||
			      a.rsi - (uint64_t)s1 != b.rsi - (uint64_t)s2 ||
			      a.rdi - (uint64_t)d1 != b.rdi - (uint64_t)d2;
			for (k = 0; k < 0x40; k++)
				bad |= d1[k] != d2[k];
			res.str_cases++;
			if (bad && !res.str_bad++)
				res.str_first_bad = i * 2 + df;
		}
	}
}

#define MISC(cond, n)							\
	do {								\
		if (!(cond) && !res.misc_bad++)				\
			res.misc_first_bad = (n);			\
	} while (0)

/* SSE moves, MOVBE, SETcc, CMOVcc, MOVNTI, CMPXCHG8B/16B on MMIO. */
static void run_misc(void)
{
	volatile uint64_t *m = (volatile uint64_t *)(MMIO + 0xc00);
	uint64_t lo, hi, v, a, d;
	uint8_t z;

	m[0] = 0x0706050403020100ULL;
	m[1] = 0x0f0e0d0c0b0a0908ULL;
	__asm__ volatile("movdqu (%2), %%xmm3\n\tmovq %%xmm3, %0\n\t"
			 "pextrq $1, %%xmm3, %1"
			 : "=r"(lo), "=r"(hi) : "r"(m) : "xmm3", "memory");
	MISC(lo == 0x0706050403020100ULL && hi == 0x0f0e0d0c0b0a0908ULL, 1);
	__asm__ volatile("movdqu %%xmm3, 16(%0)" : : "r"(m) : "memory");
	MISC(m[2] == lo && m[3] == hi, 2);
	__asm__ volatile("movq (%1), %%xmm4\n\tmovq %%xmm4, %0"
			 : "=r"(v) : "r"(m) : "xmm4", "memory");
	MISC(v == lo, 3);
	__asm__ volatile("movd %%xmm3, 32(%0)" : : "r"(m) : "memory");
	MISC((uint32_t)m[4] == 0x03020100, 4);
	m[5] = 0x1122334455667788ULL;
	__asm__ volatile("movbe 40(%1), %0" : "=r"(v) : "r"(m) : "memory");
	MISC(v == 0x8877665544332211ULL, 5);
	__asm__ volatile("xor %%eax, %%eax\n\tsete 48(%0)" : : "r"(m)
			 : "rax", "cc", "memory");
	MISC((uint8_t)m[6] == 1, 6);
	v = ~0ULL;
	__asm__ volatile("cmp %%eax, %%eax\n\tcmovnel 40(%1), %k0"
			 : "+r"(v) : "r"(m) : "cc", "memory");
	MISC(v == 0xffffffffULL, 7);
	__asm__ volatile("movnti %1, 56(%0)" : : "r"(m), "r"(v) : "memory");
	MISC(m[7] == 0xffffffffULL, 8);

	/* CMPXCHG8B and CMPXCHG16B, equal and not */
	m[8] = 0x2222222211111111ULL;
	a = 0x11111111;
	d = 0x22222222;
	__asm__ volatile("lock cmpxchg8b 64(%[m])\n\tsetz %[z]"
			 : "+a"(a), "+d"(d), [z] "=r"(z)
			 : [m] "r"(m), "b"(0x33333333), "c"(0x44444444)
			 : "cc", "memory");
	if (!z || m[8] != 0x4444444433333333ULL)
		res.wide_bad |= 1;
	__asm__ volatile("lock cmpxchg8b 64(%[m])\n\tsetz %[z]"
			 : "+a"(a), "+d"(d), [z] "=r"(z)
			 : [m] "r"(m), "b"(0), "c"(0) : "cc", "memory");
	if (z || a != 0x33333333 || d != 0x44444444)
		res.wide_bad |= 2;
	m[10] = 1;
	m[11] = 2;
	a = 1;
	d = 2;
	__asm__ volatile("lock cmpxchg16b 80(%[m])\n\tsetz %[z]"
			 : "+a"(a), "+d"(d), [z] "=r"(z)
			 : [m] "r"(m), "b"(5ULL), "c"(6ULL) : "cc", "memory");
	if (!z || m[10] != 5 || m[11] != 6)
		res.wide_bad |= 4;
}

static void guest_code(uint64_t arg)
{
	(void)arg;
	run_ops();
	GUEST_SYNC(1);
	run_strings();
	GUEST_SYNC(2);
	run_misc();
	GUEST_SYNC(3);
	/* An instruction the emulator refuses: MUL on MMIO. */
	__asm__ volatile("mull (%%rbx)" : : "b"(MMIO) : "rax", "rdx", "cc");
	GUEST_SYNC(4);
}

/* Serve MMIO from dev[] until an exit that is not MMIO. */
static unsigned int serve(struct tvm *t)
{
	unsigned int n = 0;
	struct vtxhv_run *run = t->run;

	for (;;) {
		uint64_t off;

		tvm_run_ok(t);
		if (run->exit_reason != VTXHV_EXIT_MMIO)
			return n;
		n++;
		off = run->mmio.phys_addr - MMIO;
		TEST_ASSERT(off < DEV_SIZE && off + run->mmio.len <= DEV_SIZE &&
			    (run->mmio.len == 1 || run->mmio.len == 2 ||
			     run->mmio.len == 4 || run->mmio.len == 8),
			    "MMIO at %#llx len %u",
			    (unsigned long long)run->mmio.phys_addr,
			    run->mmio.len);
		if (run->mmio.is_write)
			memcpy(dev + off, run->mmio.data, run->mmio.len);
		else
			memcpy(run->mmio.data, dev + off, run->mmio.len);
	}
}

static void expect_sync(struct tvm *t, uint64_t n)
{
	struct vtxhv_run *run = t->run;
	struct ucall uc = { 0 };

	if (run->exit_reason == VTXHV_EXIT_IO && run->io.port == UCALL_PORT)
		tvm_ucall_at(t, run, &uc);
	if (run->exit_reason == VTXHV_EXIT_INTERNAL_ERROR)
		printf("# suberror %u rip %#llx insn %02x %02x %02x %02x\n",
		       run->internal.suberror,
		       (unsigned long long)run->internal.rip,
		       run->internal.insn[0], run->internal.insn[1],
		       run->internal.insn[2], run->internal.insn[3]);
	TEST_ASSERT(uc.cmd == UCALL_SYNC && uc.args[0] == n,
		    "ucall %llu (%llu), want SYNC %llu; exit %s",
		    (unsigned long long)uc.cmd, (unsigned long long)uc.args[0],
		    (unsigned long long)n, exit_reason_name(run->exit_reason));
}

int main(void)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	const struct results *r;
	unsigned int i, n;
	const uint8_t mul[] = { 0xf7, 0x23 };	/* mull (%rbx) */
	bool ok;

	test_plan(NOPS + 4);
	printf("# paging %s\n", paging_name(tvm_paging_mode()));
	tvm_set_cpuid_host(t);
	tvm_setup_long_mode(t, guest_code, 0);
	r = (const struct results *)(t->mem + (uintptr_t)&res);

	n = serve(t);
	expect_sync(t, 1);
	printf("# %u MMIO exits for the read-modify-writes\n", n);
	for (i = 0; i < NOPS; i++) {
		const uint64_t *f = r->first_bad[i];

		ok = r->cases[i] && !r->bad[i];
		if (!ok)
			printf("# %s: %u of %u differ; first: size %llu a %#llx b %#llx flags ram %#llx mmio %#llx, memory xor %#llx\n",
			       ops[i].name, r->bad[i], r->cases[i],
			       (unsigned long long)f[0],
			       (unsigned long long)f[1],
			       (unsigned long long)f[2],
			       (unsigned long long)f[3],
			       (unsigned long long)f[4],
			       (unsigned long long)f[5]);
		test_result(ok, "rmw_%s: %u cases, as on RAM", ops[i].name,
			    r->cases[i]);
	}

	n = serve(t);
	expect_sync(t, 2);
	printf("# %u MMIO exits for the string instructions\n", n);
	ok = r->str_cases == NSTR * 2 && !r->str_bad;
	if (!ok)
		printf("# %u of %u differ, first: case %llu (DF=%llu)\n",
		       r->str_bad, r->str_cases,
		       (unsigned long long)r->str_first_bad / 2,
		       (unsigned long long)r->str_first_bad % 2);
	test_result(ok, "string_rep_and_df: %u cases, as on RAM",
		    r->str_cases);

	serve(t);
	expect_sync(t, 3);
	ok = !r->misc_bad && !r->wide_bad;
	if (!ok)
		printf("# misc: %u bad (first %llu), cmpxchg8b/16b %#x\n",
		       r->misc_bad, (unsigned long long)r->misc_first_bad,
		       r->wide_bad);
	test_result(ok, "sse_movbe_setcc_cmov_movnti_cmpxchg16b");

	serve(t);
	ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_INTERNAL_ERROR &&
			t->run->internal.suberror == VTXHV_INTERNAL_EMULATION &&
			t->run->internal.insn_len >= sizeof(mul) &&
			!memcmp(t->run->internal.insn, mul, sizeof(mul)),
			"exit %s suberror %u",
			exit_reason_name(t->run->exit_reason),
			t->run->internal.suberror);
	test_result(ok, "refused_instruction_bytes_reported");
	tvm_destroy(t);
	test_result(tvm_module_counts_zero(), "nothing_left_in_module");
	test_finish();
}
