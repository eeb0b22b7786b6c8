// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 instruction emulator for memory operands: what a guest does to
 * MMIO, or to a page table shadow paging write-protects, decoded through
 * opcode tables (Intel SDM Vol. 2, appendix A) and carried out with the
 * arithmetic flags the CPU computes.  Memory and the XMM registers are
 * reached through struct emu_ops; see emulate.h for the contract.
 */
#include "emulate.h"

/* What an opcode does: the executor, one of X_*. */
enum {
	X_NONE,		/* not emulated: refused */
	X_ALU,		/* 00-3B r/m forms: aux is the ALU op */
	X_GRP1,		/* 80, 81, 83: ALU op /r with an immediate */
	X_TEST,		/* 84, 85 */
	X_GRP3,		/* F6, F7: /0 /1 TEST imm, /2 NOT, /3 NEG */
	X_INCDEC,	/* FE, FF: /0 INC, /1 DEC */
	X_MOV_ST,	/* 88, 89, 0F C3 (MOVNTI) */
	X_MOV_LD,	/* 8A, 8B */
	X_MOV_IMM,	/* C6 /0, C7 /0 */
	X_MOFFS,	/* A0-A3: aux 1 for the stores */
	X_MOVX,		/* 0F B6 B7 BE BF, 63: aux 1 sign-extends */
	X_XCHG,		/* 86, 87 */
	X_CMPXCHG,	/* 0F B0, B1 */
	X_XADD,		/* 0F C0, C1 */
	X_GRP9,		/* 0F C7 /1: CMPXCHG8B, CMPXCHG16B */
	X_BT,		/* 0F A3 AB B3 BB: aux BT BTS BTR BTC */
	X_GRP8,		/* 0F BA /4-/7 with imm8 */
	X_SETCC,	/* 0F 90-9F */
	X_CMOV,		/* 0F 40-4F */
	X_MOVBE,	/* 0F 38 F0 (load), F1 (store) */
	X_STRING,	/* A4-A7, AA-AF: aux STR_* */
	X_SHIFT,	/* C0 C1 D0-D3: /0-/7 ROL ... SAR */
	X_SSE,		/* the SSE moves: sse_table */
};

/* struct opdesc.flags */
#define F_MODRM		0x001	/* a ModRM byte, which must name memory */
#define F_BYTE		0x002	/* byte operands (the opcode's bit 0 clear) */
#define F_TOREG		0x004	/* the register is the destination */
#define F_IMM8		0x008	/* imm8 */
#define F_IMMZ		0x010	/* imm16 or imm32 (sign-extended to 64) */
#define F_LOCK		0x020	/* LOCK allowed (its memory is written) */
#define F_NO64		0x040	/* invalid in 64-bit mode */
#define F_ONLY64	0x080	/* only in 64-bit mode */
#define F_ONE		0x100	/* shift count 1 */
#define F_CL		0x200	/* shift count CL */

struct opdesc {
	u8 exec;
	u8 aux;
	u16 flags;
};

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };
enum { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS, STR_INS, STR_OUTS };
enum { BT_BT, BT_BTS, BT_BTR, BT_BTC };
enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };

#define D(x, a, f)	{ X_##x, a, f }
#define ALU(op)								\
	[(op) * 8 + 0] = D(ALU, op, F_MODRM | F_BYTE | F_LOCK),		\
	[(op) * 8 + 1] = D(ALU, op, F_MODRM | F_LOCK),			\
	[(op) * 8 + 2] = D(ALU, op, F_MODRM | F_BYTE | F_TOREG),	\
	[(op) * 8 + 3] = D(ALU, op, F_MODRM | F_TOREG)

/* One-byte opcodes (SDM Vol. 2, table A-2). */
static const struct opdesc onebyte[256] = {
	ALU(ALU_ADD), ALU(ALU_OR), ALU(ALU_ADC), ALU(ALU_SBB),
	ALU(ALU_AND), ALU(ALU_SUB), ALU(ALU_XOR), ALU(ALU_CMP),
	[0x63] = D(MOVX, 2, F_MODRM | F_TOREG | F_ONLY64),
	[0x6c] = D(STRING, STR_INS, F_BYTE),
	[0x6d] = D(STRING, STR_INS, 0),
	[0x6e] = D(STRING, STR_OUTS, F_BYTE),
	[0x6f] = D(STRING, STR_OUTS, 0),
	[0x80] = D(GRP1, 0, F_MODRM | F_BYTE | F_IMM8 | F_LOCK),
	[0x81] = D(GRP1, 0, F_MODRM | F_IMMZ | F_LOCK),
	[0x82] = D(GRP1, 0, F_MODRM | F_BYTE | F_IMM8 | F_LOCK | F_NO64),
	[0x83] = D(GRP1, 0, F_MODRM | F_IMM8 | F_LOCK),
	[0x84] = D(TEST, 0, F_MODRM | F_BYTE),
	[0x85] = D(TEST, 0, F_MODRM),
	[0x86] = D(XCHG, 0, F_MODRM | F_BYTE | F_LOCK),
	[0x87] = D(XCHG, 0, F_MODRM | F_LOCK),
	[0x88] = D(MOV_ST, 0, F_MODRM | F_BYTE),
	[0x89] = D(MOV_ST, 0, F_MODRM),
	[0x8a] = D(MOV_LD, 0, F_MODRM | F_BYTE | F_TOREG),
	[0x8b] = D(MOV_LD, 0, F_MODRM | F_TOREG),
	[0xa0] = D(MOFFS, 0, F_BYTE),
	[0xa1] = D(MOFFS, 0, 0),
	[0xa2] = D(MOFFS, 1, F_BYTE),
	[0xa3] = D(MOFFS, 1, 0),
	[0xa4] = D(STRING, STR_MOVS, F_BYTE),
	[0xa5] = D(STRING, STR_MOVS, 0),
	[0xa6] = D(STRING, STR_CMPS, F_BYTE),
	[0xa7] = D(STRING, STR_CMPS, 0),
	[0xaa] = D(STRING, STR_STOS, F_BYTE),
	[0xab] = D(STRING, STR_STOS, 0),
	[0xac] = D(STRING, STR_LODS, F_BYTE),
	[0xad] = D(STRING, STR_LODS, 0),
	[0xae] = D(STRING, STR_SCAS, F_BYTE),
	[0xaf] = D(STRING, STR_SCAS, 0),
	[0xc0] = D(SHIFT, 0, F_MODRM | F_BYTE | F_IMM8),
	[0xc1] = D(SHIFT, 0, F_MODRM | F_IMM8),
	[0xc6] = D(MOV_IMM, 0, F_MODRM | F_BYTE | F_IMM8),
	[0xc7] = D(MOV_IMM, 0, F_MODRM | F_IMMZ),
	[0xd0] = D(SHIFT, 0, F_MODRM | F_BYTE | F_ONE),
	[0xd1] = D(SHIFT, 0, F_MODRM | F_ONE),
	[0xd2] = D(SHIFT, 0, F_MODRM | F_BYTE | F_CL),
	[0xd3] = D(SHIFT, 0, F_MODRM | F_CL),
	[0xf6] = D(GRP3, 0, F_MODRM | F_BYTE | F_LOCK),
	[0xf7] = D(GRP3, 0, F_MODRM | F_LOCK),
	[0xfe] = D(INCDEC, 0, F_MODRM | F_BYTE | F_LOCK),
	[0xff] = D(INCDEC, 0, F_MODRM | F_LOCK),
};

#define CC16(x)								\
	[(x) + 0] = D(CMOV, 0, F_MODRM | F_TOREG),			\
	[(x) + 1] = D(CMOV, 1, F_MODRM | F_TOREG),			\
	[(x) + 2] = D(CMOV, 2, F_MODRM | F_TOREG),			\
	[(x) + 3] = D(CMOV, 3, F_MODRM | F_TOREG),			\
	[(x) + 4] = D(CMOV, 4, F_MODRM | F_TOREG),			\
	[(x) + 5] = D(CMOV, 5, F_MODRM | F_TOREG),			\
	[(x) + 6] = D(CMOV, 6, F_MODRM | F_TOREG),			\
	[(x) + 7] = D(CMOV, 7, F_MODRM | F_TOREG),			\
	[(x) + 8] = D(CMOV, 8, F_MODRM | F_TOREG),			\
	[(x) + 9] = D(CMOV, 9, F_MODRM | F_TOREG),			\
	[(x) + 10] = D(CMOV, 10, F_MODRM | F_TOREG),			\
	[(x) + 11] = D(CMOV, 11, F_MODRM | F_TOREG),			\
	[(x) + 12] = D(CMOV, 12, F_MODRM | F_TOREG),			\
	[(x) + 13] = D(CMOV, 13, F_MODRM | F_TOREG),			\
	[(x) + 14] = D(CMOV, 14, F_MODRM | F_TOREG),			\
	[(x) + 15] = D(CMOV, 15, F_MODRM | F_TOREG)

#define SSE	D(SSE, 0, F_MODRM)

/* Two-byte opcodes, 0F xx (SDM Vol. 2, table A-3). */
static const struct opdesc twobyte[256] = {
	[0x10] = SSE, [0x11] = SSE, [0x12] = SSE, [0x13] = SSE,
	[0x16] = SSE, [0x17] = SSE, [0x28] = SSE, [0x29] = SSE,
	[0x2b] = SSE,
	CC16(0x40),
	[0x6e] = SSE, [0x6f] = SSE, [0x7e] = SSE, [0x7f] = SSE,
	[0xd6] = SSE, [0xe7] = SSE,
	[0x90] = D(SETCC, 0, F_MODRM | F_BYTE),
	[0x91] = D(SETCC, 1, F_MODRM | F_BYTE),
	[0x92] = D(SETCC, 2, F_MODRM | F_BYTE),
	[0x93] = D(SETCC, 3, F_MODRM | F_BYTE),
	[0x94] = D(SETCC, 4, F_MODRM | F_BYTE),
	[0x95] = D(SETCC, 5, F_MODRM | F_BYTE),
	[0x96] = D(SETCC, 6, F_MODRM | F_BYTE),
	[0x97] = D(SETCC, 7, F_MODRM | F_BYTE),
	[0x98] = D(SETCC, 8, F_MODRM | F_BYTE),
	[0x99] = D(SETCC, 9, F_MODRM | F_BYTE),
	[0x9a] = D(SETCC, 10, F_MODRM | F_BYTE),
	[0x9b] = D(SETCC, 11, F_MODRM | F_BYTE),
	[0x9c] = D(SETCC, 12, F_MODRM | F_BYTE),
	[0x9d] = D(SETCC, 13, F_MODRM | F_BYTE),
	[0x9e] = D(SETCC, 14, F_MODRM | F_BYTE),
	[0x9f] = D(SETCC, 15, F_MODRM | F_BYTE),
	[0xa3] = D(BT, BT_BT, F_MODRM),
	[0xab] = D(BT, BT_BTS, F_MODRM | F_LOCK),
	[0xb0] = D(CMPXCHG, 0, F_MODRM | F_BYTE | F_LOCK),
	[0xb1] = D(CMPXCHG, 0, F_MODRM | F_LOCK),
	[0xb3] = D(BT, BT_BTR, F_MODRM | F_LOCK),
	[0xb6] = D(MOVX, 0, F_MODRM | F_TOREG),
	[0xb7] = D(MOVX, 0, F_MODRM | F_TOREG),
	[0xba] = D(GRP8, 0, F_MODRM | F_IMM8 | F_LOCK),
	[0xbb] = D(BT, BT_BTC, F_MODRM | F_LOCK),
	[0xbe] = D(MOVX, 1, F_MODRM | F_TOREG),
	[0xbf] = D(MOVX, 1, F_MODRM | F_TOREG),
	[0xc0] = D(XADD, 0, F_MODRM | F_BYTE | F_LOCK),
	[0xc1] = D(XADD, 0, F_MODRM | F_LOCK),
	[0xc3] = D(MOV_ST, 0, F_MODRM),
	[0xc7] = D(GRP9, 0, F_MODRM | F_LOCK),
};

/* Three-byte opcodes, 0F 38 xx (SDM Vol. 2, table A-4). */
static const struct opdesc threebyte[256] = {
	[0x2a] = SSE,
	[0xf0] = D(MOVBE, 0, F_MODRM | F_TOREG),
	[0xf1] = D(MOVBE, 1, F_MODRM),
};

/*
 * The SSE moves with a memory operand, by opcode and mandatory prefix
 * (none, 66, F3, F2: F2 and F3 win over 66).  What each does with the
 * XMM register: a whole load, a load that zeroes the rest, a load into
 * the low or high quadword keeping the other, a store of the low bytes
 * or of the high quadword.
 */
enum {
	SSE_LOAD, SSE_LOAD_ZX, SSE_LOAD_LO, SSE_LOAD_HI, SSE_STORE,
	SSE_STORE_HI,
};

struct sse_desc {
	u8 map, op, pfx;
	u8 kind;
	u8 size;	/* 0: 4, or 8 with REX.W (MOVD/MOVQ) */
	bool align;	/* 16-byte aligned or #GP(0) */
	const char *name;
};

static const struct sse_desc sse_table[] = {
	{ 1, 0x10, 0x00, SSE_LOAD, 16, false, "movups" },
	{ 1, 0x10, 0x66, SSE_LOAD, 16, false, "movupd" },
	{ 1, 0x10, 0xf3, SSE_LOAD_ZX, 4, false, "movss" },
	{ 1, 0x10, 0xf2, SSE_LOAD_ZX, 8, false, "movsd" },
	{ 1, 0x11, 0x00, SSE_STORE, 16, false, "movups" },
	{ 1, 0x11, 0x66, SSE_STORE, 16, false, "movupd" },
	{ 1, 0x11, 0xf3, SSE_STORE, 4, false, "movss" },
	{ 1, 0x11, 0xf2, SSE_STORE, 8, false, "movsd" },
	{ 1, 0x12, 0x00, SSE_LOAD_LO, 8, false, "movlps" },
	{ 1, 0x12, 0x66, SSE_LOAD_LO, 8, false, "movlpd" },
	{ 1, 0x13, 0x00, SSE_STORE, 8, false, "movlps" },
	{ 1, 0x13, 0x66, SSE_STORE, 8, false, "movlpd" },
	{ 1, 0x16, 0x00, SSE_LOAD_HI, 8, false, "movhps" },
	{ 1, 0x16, 0x66, SSE_LOAD_HI, 8, false, "movhpd" },
	{ 1, 0x17, 0x00, SSE_STORE_HI, 8, false, "movhps" },
	{ 1, 0x17, 0x66, SSE_STORE_HI, 8, false, "movhpd" },
	{ 1, 0x28, 0x00, SSE_LOAD, 16, true, "movaps" },
	{ 1, 0x28, 0x66, SSE_LOAD, 16, true, "movapd" },
	{ 1, 0x29, 0x00, SSE_STORE, 16, true, "movaps" },
	{ 1, 0x29, 0x66, SSE_STORE, 16, true, "movapd" },
	{ 1, 0x2b, 0x00, SSE_STORE, 16, true, "movntps" },
	{ 1, 0x2b, 0x66, SSE_STORE, 16, true, "movntpd" },
	{ 1, 0x6e, 0x66, SSE_LOAD_ZX, 0, false, "movd/movq" },
	{ 1, 0x6f, 0x66, SSE_LOAD, 16, true, "movdqa" },
	{ 1, 0x6f, 0xf3, SSE_LOAD, 16, false, "movdqu" },
	{ 1, 0x7e, 0x66, SSE_STORE, 0, false, "movd/movq" },
	{ 1, 0x7e, 0xf3, SSE_LOAD_ZX, 8, false, "movq" },
	{ 1, 0x7f, 0x66, SSE_STORE, 16, true, "movdqa" },
	{ 1, 0x7f, 0xf3, SSE_STORE, 16, false, "movdqu" },
	{ 1, 0xd6, 0x66, SSE_STORE, 8, false, "movq" },
	{ 1, 0xe7, 0x66, SSE_STORE, 16, true, "movntdq" },
	{ 2, 0x2a, 0x66, SSE_LOAD, 16, true, "movntdqa" },
};

/* GPR numbers in ModRM order. */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

/* A read position in the fetched instruction bytes. */
struct cursor {
	const u8 *bytes;
	unsigned int pos;
	unsigned int limit;	/* bytes available, at most INSN_MAX_LEN */
};

/*
 * Consume @n bytes as a little-endian value into @val.  Fails when the
 * bytes run out, which is also how an instruction longer than 15 bytes is
 * refused: the CPU raises #GP for it (SDM Vol. 2, 2.3.11).
 */
static bool get(struct cursor *c, unsigned int n, u64 *val)
{
	u64 v = 0;
	unsigned int i;

	if (n > c->limit - c->pos)
		return false;
	for (i = 0; i < n; i++)
		v |= (u64)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	*val = v;
	return true;
}

static u64 mask_of(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* Sign-extend the low @size bytes of @v to 64 bits. */
static u64 sext(u64 v, unsigned int size)
{
	u64 sign;

	if (size >= 8)
		return v;
	sign = 1ULL << (8 * size - 1);
	return ((v & mask_of(size)) ^ sign) - sign;
}

/*
 * The offset of a ModRM memory operand (SDM Vol. 2, 2.1.5, tables 2-1 to
 * 2-3; 64-bit forms: 2.2.1) and its default segment: SS with a BP or SP
 * base, DS otherwise.  RIP-relative offsets are finished by the caller
 * once the length is known (*riprel).
 */
static bool modrm_ea(struct emu *e, struct cursor *c, u8 modrm, u8 rex,
		     bool *riprel)
{
	struct emu_insn *in = &e->insn;
	u8 mod = modrm >> 6, rm = modrm & 7;
	u64 ea = 0, disp, sib;
	unsigned int dsize = 0;

	in->seg = EMU_DS;
	if (in->addr_size == 2) {
		static const s8 base16[8] = { RBX, RBX, RBP, RBP, -1, -1,
					      RBP, RBX };
		static const s8 index16[8] = { RSI, RDI, RSI, RDI, RSI, RDI,
					       -1, -1 };

		if (mod == 0 && rm == 6) {
			dsize = 2;
		} else {
			if (base16[rm] >= 0)
				ea += e->gpr[base16[rm]];
			if (index16[rm] >= 0)
				ea += e->gpr[index16[rm]];
			if (base16[rm] == RBP)
				in->seg = EMU_SS;
			dsize = mod == 1 ? 1 : mod == 2 ? 2 : 0;
		}
		if (!get(c, dsize, &disp))
			return false;
		in->ea = (ea + sext(disp, dsize)) & 0xffff;
		return true;
	}

	if (rm == 4) {
		unsigned int base, index;

		if (!get(c, 1, &sib))
			return false;
		base = (sib & 7) | ((rex & 1) << 3);
		index = ((sib >> 3) & 7) | ((rex & 2) << 2);
		/* index 100 without REX.X: none */
		if (index != 4)
			ea += e->gpr[index] << (sib >> 6);
		if (mod == 0 && (sib & 7) == 5) {
			dsize = 4;	/* no base, disp32 */
		} else {
			ea += e->gpr[base];
			if (base == RSP || base == RBP)
				in->seg = EMU_SS;
		}
	} else if (mod == 0 && rm == 5) {
		dsize = 4;
		*riprel = e->mode == 64;
	} else {
		unsigned int base = rm | ((rex & 1) << 3);

		ea += e->gpr[base];
		if (base == RBP)
			in->seg = EMU_SS;
	}
	if (mod == 1)
		dsize = 1;
	else if (mod == 2)
		dsize = 4;
	if (!get(c, dsize, &disp))
		return false;
	in->ea = (ea + sext(disp, dsize)) & mask_of(in->addr_size);
	return true;
}

static const struct sse_desc *sse_find(const struct emu_insn *in, u8 pfx)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sse_table); i++) {
		if (sse_table[i].map == in->map && sse_table[i].op == in->op &&
		    sse_table[i].pfx == pfx)
			return &sse_table[i];
	}
	return NULL;
}

/* The table entry of a decoded instruction. */
static const struct opdesc *desc_of(const struct emu_insn *in)
{
	const struct opdesc *t = in->map == 0 ? onebyte :
				 in->map == 1 ? twobyte : threebyte;

	return &t[in->op];
}

/**
 * emu_decode() - decode the instruction at e->bytes into e->insn
 * @e: mode, bytes, nbytes and the GPRs (for the effective address) set
 *
 * Legacy prefixes may come in any order and repeat; a REX prefix counts
 * only right before the opcode (SDM Vol. 2, 2.2.1).  The last segment
 * override wins; ES, CS, SS and DS ones mean nothing in 64-bit mode.
 *
 * Return: EMU_OK, or EMU_UNHANDLED for an opcode not in the tables, one
 * without a memory operand, a LOCK where the CPU raises #UD, VEX or EVEX
 * forms, and bytes that run out before the instruction ends or go beyond
 * 15.
 */
int emu_decode(struct emu *e)
{
	struct emu_insn *in = &e->insn;
	struct cursor c = {
		.bytes = e->bytes,
		.limit = e->nbytes < INSN_MAX_LEN ? e->nbytes : INSN_MAX_LEN,
	};
	const struct opdesc *d;
	bool addrsize_prefix = false, riprel = false;
	int seg_override = -1;
	u8 sse_pfx = 0;
	u64 op, modrm, imm;
	unsigned int imm_size = 0;

	if (e->mode != 16 && e->mode != 32 && e->mode != 64)
		return EMU_UNHANDLED;
	memset(in, 0, sizeof(*in));

	for (;;) {
		if (!get(&c, 1, &op))
			return EMU_UNHANDLED;
		switch (op) {
		case 0x66:
			in->opsize_prefix = true;
			break;
		case 0x67:
			addrsize_prefix = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			seg_override = (op >> 3) & 3;	/* ES CS SS DS */
			break;
		case 0x64: case 0x65:
			seg_override = op - 0x64 + EMU_FS;
			break;
		case 0xf2: case 0xf3:
			in->rep = op;
			break;
		case 0xf0:
			in->lock = true;
			break;
		case 0x40 ... 0x4f:
			if (e->mode == 64) {
				in->rex = op;
				continue;
			}
			/* INC/DEC outside 64-bit mode */
			return EMU_UNHANDLED;
		default:
			goto opcode;
		}
		/* a REX followed by a legacy prefix is ignored (SDM 2.2.1) */
		in->rex = 0;
	}

opcode:
	/* SDM Vol. 1, 3.6.1 and table 3-4; REX.W wins over 66 */
	if (e->mode == 64) {
		in->op_size = (in->rex & 8) ? 8 : in->opsize_prefix ? 2 : 4;
		in->addr_size = addrsize_prefix ? 4 : 8;
	} else if (e->mode == 32) {
		in->op_size = in->opsize_prefix ? 2 : 4;
		in->addr_size = addrsize_prefix ? 2 : 4;
	} else {
		in->op_size = in->opsize_prefix ? 4 : 2;
		in->addr_size = addrsize_prefix ? 4 : 2;
	}

	in->op = op;
	if (op == 0x0f) {
		in->map = 1;
		if (!get(&c, 1, &op))
			return EMU_UNHANDLED;
		in->op = op;
		if (op == 0x38) {
			in->map = 2;
			if (!get(&c, 1, &op))
				return EMU_UNHANDLED;
			in->op = op;
		}
	}
	in->desc = (in->map << 8) | in->op;
	d = desc_of(in);
	if (d->exec == X_NONE)
		return EMU_UNHANDLED;	/* VEX (C4, C5) and EVEX (62) too */
	if (((d->flags & F_NO64) && e->mode == 64) ||
	    ((d->flags & F_ONLY64) && e->mode != 64))
		return EMU_UNHANDLED;
	if (d->flags & F_BYTE)
		in->op_size = 1;
	if (d->exec == X_SSE) {
		const struct sse_desc *s;

		sse_pfx = in->rep ? in->rep : in->opsize_prefix ? 0x66 : 0;
		s = sse_find(in, sse_pfx);
		if (!s)
			return EMU_UNHANDLED;
		in->mem_size = s->size ? s->size : (in->rex & 8) ? 8 : 4;
		in->op_size = 16;
	} else {
		in->mem_size = in->op_size;
	}
	/* F2 with 0F 38 F0/F1 is CRC32; F3 there is undefined. */
	if (d->exec == X_MOVBE && in->rep)
		return EMU_UNHANDLED;
	if (in->lock && !(d->flags & F_LOCK))
		return EMU_UNHANDLED;

	if (d->flags & F_MODRM) {
		if (!get(&c, 1, &modrm))
			return EMU_UNHANDLED;
		in->modrm = modrm;
		in->reg = ((modrm >> 3) & 7) | ((in->rex & 4) << 1);
		if ((modrm >> 6) == 3)
			return EMU_UNHANDLED;	/* registers only */
		if (!modrm_ea(e, &c, modrm, in->rex, &riprel))
			return EMU_UNHANDLED;
		in->has_mem = true;
	}
	if (d->flags & F_IMM8)
		imm_size = 1;
	else if (d->flags & F_IMMZ)
		imm_size = in->op_size == 2 ? 2 : 4;

	switch (d->exec) {
	case X_GRP3:
		if ((in->reg & 7) >= 4)
			return EMU_UNHANDLED;	/* MUL IMUL DIV IDIV */
		if ((in->reg & 7) < 2) {
			if (in->lock)
				return EMU_UNHANDLED;	/* TEST */
			imm_size = in->op_size == 1 ? 1 :
				   in->op_size == 2 ? 2 : 4;
		}
		break;
	case X_INCDEC:
		if ((in->reg & 7) >= 2)
			return EMU_UNHANDLED;	/* CALL JMP PUSH: not data */
		break;
	case X_MOV_IMM:
		/* C6 and C7 are MOV only with /0 (C6 F8, C7 F8 are XABORT,
		 * XBEGIN, register forms refused above)
		 */
		if (in->reg & 7)
			return EMU_UNHANDLED;
		break;
	case X_GRP1:
		if ((in->reg & 7) == ALU_CMP && in->lock)
			return EMU_UNHANDLED;
		break;
	case X_ALU:
		if (d->aux == ALU_CMP && in->lock)
			return EMU_UNHANDLED;
		break;
	case X_GRP8:
		if ((in->reg & 7) < 4)
			return EMU_UNHANDLED;
		if ((in->reg & 7) == 4 && in->lock)
			return EMU_UNHANDLED;	/* BT */
		break;
	case X_GRP9:
		if ((in->reg & 7) != 1)
			return EMU_UNHANDLED;	/* RDRAND etc. are mod 11 */
		in->mem_size = (in->rex & 8) ? 16 : 8;
		break;
	case X_SHIFT:
		if (in->lock)
			return EMU_UNHANDLED;
		break;
	case X_MOVX:
		/* 0F B6/BE: byte source; B7/BF: word; 63: dword (REX.W) */
		if (in->map == 0)
			in->mem_size = in->op_size == 8 ? 4 : in->op_size;
		else
			in->mem_size = (in->op & 1) ? 2 : 1;
		break;
	case X_MOV_ST:
		/* MOVNTI: 32 or 64 bits only */
		if (in->map == 1 && in->opsize_prefix)
			return EMU_UNHANDLED;
		break;
	case X_MOVBE:
		if (in->op_size == 1)
			return EMU_UNHANDLED;
		break;
	case X_MOFFS: {
		u64 off;

		/* the offset is address-sized, no ModRM (SDM Vol. 2, MOV) */
		if (!get(&c, in->addr_size, &off))
			return EMU_UNHANDLED;
		in->ea = off;
		in->seg = EMU_DS;
		in->has_mem = true;
		break;
	}
	case X_STRING:
		in->has_mem = true;
		in->seg = EMU_DS;
		/* INSD, OUTSD: REX.W does not make them 64-bit */
		if (d->aux >= STR_INS && in->op_size == 8)
			in->op_size = in->mem_size = 4;
		break;
	}
	if (seg_override >= 0)
		in->seg = seg_override;

	if (imm_size) {
		if (!get(&c, imm_size, &imm))
			return EMU_UNHANDLED;
		/* imm32 with a 64-bit operand: sign-extended */
		in->imm = sext(imm, imm_size);
	}
	in->len = c.pos;
	if (riprel)
		in->ea = e->rip + in->len + in->ea;
	return EMU_OK;
}

/* The state an instruction changes, committed only when it completes. */
struct state {
	struct emu *e;
	u64 g[16];
	u64 fl;
	bool rip_stays;		/* a REP string instruction with more to do */
};

u64 emu_seg_base(const struct emu *e, unsigned int seg)
{
	/* 64-bit mode: ES CS SS DS have base 0 (SDM Vol. 1, 3.4.2.1) */
	if (e->mode == 64 && seg < EMU_FS)
		return 0;
	return e->seg_base[seg];
}

u64 emu_linear(const struct emu *e, unsigned int seg, u64 off)
{
	u64 la = emu_seg_base(e, seg) + (off & mask_of(e->insn.addr_size));

	return e->mode == 64 ? la : la & 0xffffffff;
}

static int mem_read(struct state *s, unsigned int seg, u64 off, void *buf,
		    unsigned int size)
{
	struct emu *e = s->e;

	return e->ops->read(e, emu_linear(e, seg, off), buf, size);
}

static int mem_write(struct state *s, unsigned int seg, u64 off,
		     const void *buf, unsigned int size)
{
	struct emu *e = s->e;

	return e->ops->write(e, emu_linear(e, seg, off), buf, size);
}

/* The memory operand as a number (1, 2, 4 or 8 bytes, little-endian). */
static int read_op(struct state *s, u64 off, unsigned int size, u64 *v)
{
	u8 b[8] = { 0 };
	unsigned int i;
	int r = mem_read(s, s->e->insn.seg, off, b, size);

	*v = 0;
	for (i = 0; i < size; i++)
		*v |= (u64)b[i] << (8 * i);
	return r;
}

static int write_op(struct state *s, u64 off, unsigned int size, u64 v)
{
	u8 b[8];
	unsigned int i;

	for (i = 0; i < size; i++)
		b[i] = v >> (8 * i);
	return mem_write(s, s->e->insn.seg, off, b, size);
}

/*
 * A register operand of @size bytes.  Byte registers 4-7 are AH, CH, DH,
 * BH without REX, and SPL, BPL, SIL, DIL with any REX (SDM Vol. 2,
 * 2.2.1.2).
 */
static u64 reg_get(const struct state *s, unsigned int reg, unsigned int size)
{
	if (size == 1 && !s->e->insn.rex && reg >= 4 && reg < 8)
		return (s->g[reg - 4] >> 8) & 0xff;
	return s->g[reg] & mask_of(size);
}

/*
 * Write a register as the CPU does (SDM Vol. 1, 3.4.1.1): an 8- or 16-bit
 * destination keeps the other bits; a 32-bit one zero-extends into all 64
 * in 64-bit mode, and leaves the upper half elsewhere, where the guest
 * cannot see it.
 */
void emu_gpr_write(const struct emu *e, u64 *g, unsigned int reg,
		   unsigned int size, u64 v)
{
	u64 *r;

	if (size == 1 && !e->insn.rex && reg >= 4 && reg < 8) {
		r = &g[reg - 4];
		*r = (*r & ~0xff00ULL) | ((v & 0xff) << 8);
		return;
	}
	r = &g[reg];
	if (size == 8 || (size == 4 && e->mode == 64))
		*r = v & mask_of(size);
	else
		*r = (*r & ~mask_of(size)) | (v & mask_of(size));
}

static void reg_set(struct state *s, unsigned int reg, unsigned int size,
		    u64 v)
{
	emu_gpr_write(s->e, s->g, reg, size, v);
}

/* ZF, SF and PF of a result (PF: even parity of the low byte). */
static u64 szp(u64 r, unsigned int size)
{
	u64 f = 0;
	u8 b = r;

	r &= mask_of(size);
	if (!r)
		f |= EMU_ZF;
	if (r >> (8 * size - 1))
		f |= EMU_SF;
	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	if (!(b & 1))
		f |= EMU_PF;
	return f;
}

/*
 * The eight ALU operations with the flags the CPU computes (SDM Vol. 2,
 * each instruction's "Flags Affected"; AF, undefined for AND, OR, XOR,
 * cleared as Intel CPUs do).
 */
static u64 alu(unsigned int op, u64 a, u64 b, unsigned int size, u64 *fl)
{
	unsigned int bits = 8 * size;
	u64 m = mask_of(size), sign = 1ULL << (bits - 1);
	u64 c = 0, r, f = 0;
	bool cf = false, of = false;

	a &= m;
	b &= m;
	switch (op) {
	case ALU_ADC:
		c = *fl & EMU_CF;
		fallthrough;
	case ALU_ADD:
		r = (a + b + c) & m;
		cf = size == 8 ? r < a || (c && r == a) :
				 ((a + b + c) >> bits) & 1;
		of = (a ^ r) & (b ^ r) & sign;
		f = (a ^ b ^ r) & EMU_AF;
		break;
	case ALU_SBB:
		c = *fl & EMU_CF;
		fallthrough;
	case ALU_SUB:
	case ALU_CMP:
		r = (a - b - c) & m;
		cf = size == 8 ? a < b || (c && a == b) :
				 ((a - b - c) >> bits) & 1;
		of = (a ^ b) & (a ^ r) & sign;
		f = (a ^ b ^ r) & EMU_AF;
		break;
	case ALU_OR:
		r = a | b;
		break;
	case ALU_AND:
		r = a & b;
		break;
	default:
		r = a ^ b;
		break;
	}
	f |= szp(r, size);
	if (cf)
		f |= EMU_CF;
	if (of)
		f |= EMU_OF;
	*fl = (*fl & ~(u64)EMU_ARITH) | f;
	return r;
}

/* The condition codes of Jcc, SETcc and CMOVcc (SDM Vol. 1, B.1). */
static bool cond(u64 fl, unsigned int cc)
{
	bool cf = fl & EMU_CF, zf = fl & EMU_ZF, sf = fl & EMU_SF;
	bool of = fl & EMU_OF, pf = fl & EMU_PF, t;

	switch (cc >> 1) {
	case 0:
		t = of;
		break;
	case 1:
		t = cf;
		break;
	case 2:
		t = zf;
		break;
	case 3:
		t = cf || zf;
		break;
	case 4:
		t = sf;
		break;
	case 5:
		t = pf;
		break;
	case 6:
		t = sf != of;
		break;
	default:
		t = zf || sf != of;
		break;
	}
	return (cc & 1) ? !t : t;
}

/*
 * Shifts and rotates of a memory operand (SDM Vol. 2, SAL/SAR/SHL/SHR,
 * RCL/RCR/ROL/ROR).  The count is masked to 5 bits, 6 with 64-bit
 * operands; a zero count changes nothing.  Flags the SDM leaves
 * undefined are computed as Bochs and Intel CPUs do for a count of 1:
 * OF from the result, AF cleared.
 */
static u64 shift(unsigned int op, u64 a, unsigned int cnt, unsigned int size,
		 u64 *fl)
{
	unsigned int bits = 8 * size, i;
	u64 m = mask_of(size), sign = 1ULL << (bits - 1);
	u64 r = a & m, f, cf = *fl & EMU_CF, of;

	cnt &= size == 8 ? 63 : 31;
	if (!cnt)
		return r;
	a &= m;
	switch (op) {
	case SH_ROL:
	case SH_ROR:
		i = cnt % bits;
		if (op == SH_ROL) {
			r = i ? ((a << i) | (a >> (bits - i))) & m : a;
			cf = r & 1;
			of = !!(r & sign) ^ cf;
		} else {
			r = i ? ((a >> i) | (a << (bits - i))) & m : a;
			cf = !!(r & sign);
			of = cf ^ !!(r & (sign >> 1));
		}
		*fl = (*fl & ~(u64)(EMU_CF | EMU_OF)) | (cf ? EMU_CF : 0) |
		      (of ? EMU_OF : 0);
		return r;
	case SH_RCL:
	case SH_RCR:
		if (size < 4)
			cnt %= bits + 1;
		for (i = 0; i < cnt; i++) {
			u64 out;

			if (op == SH_RCL) {
				out = !!(r & sign);
				r = ((r << 1) | cf) & m;
			} else {
				out = r & 1;
				r = (r >> 1) | (cf ? sign : 0);
			}
			cf = out;
		}
		if (op == SH_RCL)
			of = !!(r & sign) ^ cf;
		else
			of = !!(r & sign) ^ !!(r & (sign >> 1));
		*fl = (*fl & ~(u64)(EMU_CF | EMU_OF)) | (cf ? EMU_CF : 0) |
		      (of ? EMU_OF : 0);
		return r;
	case SH_SHL:
	case SH_SAL:
		r = cnt < bits ? (a << cnt) & m : 0;
		cf = cnt <= bits ? (a >> (bits - cnt)) & 1 : 0;
		of = !!(r & sign) ^ cf;
		break;
	case SH_SHR:
		r = cnt < bits ? a >> cnt : 0;
		cf = cnt <= bits ? (a >> (cnt - 1)) & 1 : 0;
		of = !!(((r << 1) ^ r) & sign);
		break;
	default: {	/* SAR */
		u64 sa = sext(a, size);
		unsigned int n = cnt < bits ? cnt : bits - 1;

		r = (u64)((s64)sa >> n) & m;
		cf = (u64)((s64)sa >> (cnt <= bits ? cnt - 1 : bits - 1)) & 1;
		of = 0;
		break;
	}
	}
	f = szp(r, size) | (cf ? EMU_CF : 0) | (of ? EMU_OF : 0);
	*fl = (*fl & ~(u64)EMU_ARITH) | f;
	return r;
}

/* Advance a string register by @delta within the address size. */
static void str_advance(struct state *s, unsigned int reg, s64 delta)
{
	reg_set(s, reg, s->e->insn.addr_size, s->g[reg] + delta);
}

/*
 * INS, OUTS (SDM Vol. 2): the port is DX; INS stores at ES:rDI (no
 * override), OUTS reads DS:rSI (overridable).  A REP runs up to
 * e->pio_max elements at once, all in the page of the first, so that a
 * page fault can only be the first element's, before any port access
 * of the run: the port data passes through ops->pio, element @i of @n.
 */
static int exec_pio(struct state *s, bool is_in)
{
	struct emu *e = s->e;
	struct emu_insn *in = &e->insn;
	unsigned int size = in->op_size, reg = is_in ? RDI : RSI;
	unsigned int seg = is_in ? EMU_ES : in->seg;
	s64 step = (s->fl & EMU_DF) ? -(s64)size : size;
	u64 cnt = 1, n = 1, i, off;
	u16 port = s->g[RDX];
	u8 buf[4];
	int r;

	if (!e->ops->pio)
		return EMU_UNHANDLED;
	if (in->rep) {
		if (e->no_rep)
			return EMU_UNHANDLED;
		cnt = s->g[RCX] & mask_of(in->addr_size);
		if (!cnt)
			return EMU_OK;
		off = emu_linear(e, seg, s->g[reg]) & 4095;
		if (off + size <= 4096)
			n = step > 0 ? (4096 - off) / size : off / size + 1;
		if (n > cnt)
			n = cnt;
		if (n > e->pio_max)
			n = e->pio_max ? e->pio_max : 1;
	}
	for (i = 0; i < n; i++) {
		if (is_in) {
			r = e->ops->pio(e, port, buf, size, n, i, true);
			if (!r)
				r = mem_write(s, seg, s->g[reg], buf, size);
		} else {
			r = mem_read(s, seg, s->g[reg], buf, size);
			if (!r)
				r = e->ops->pio(e, port, buf, size, n, i, false);
		}
		if (r)
			return r;
		str_advance(s, reg, step);
	}
	if (in->rep) {
		reg_set(s, RCX, in->addr_size, cnt - n);
		s->rip_stays = cnt != n;
	}
	return EMU_OK;
}

/*
 * MOVS, CMPS, STOS, LODS, SCAS: one element per call.  With a REP prefix
 * and elements left, RIP stays on the instruction and the guest runs it
 * again (the CPU may stop a REP string at any element: SDM Vol. 2, REP).
 * The source is DS:rSI (overridable), the destination ES:rDI.
 */
static int exec_string(struct state *s, unsigned int op)
{
	struct emu_insn *in = &s->e->insn;
	unsigned int size = in->op_size, seg = in->seg;
	s64 step = (s->fl & EMU_DF) ? -(s64)size : size;
	u64 amask = mask_of(in->addr_size), cnt = 0, a = 0, b = 0;
	u8 buf[8] = { 0 };
	unsigned int i;
	int r = EMU_OK;

	if (op == STR_INS || op == STR_OUTS)
		return exec_pio(s, op == STR_INS);
	if (in->rep) {
		if (s->e->no_rep)
			return EMU_UNHANDLED;
		cnt = s->g[RCX] & amask;
		if (!cnt)
			return EMU_OK;
	}
	switch (op) {
	case STR_MOVS:
		r = mem_read(s, seg, s->g[RSI], buf, size);
		if (!r)
			r = mem_write(s, EMU_ES, s->g[RDI], buf, size);
		break;
	case STR_STOS:
		a = reg_get(s, RAX, size);
		for (i = 0; i < size; i++)
			buf[i] = a >> (8 * i);
		r = mem_write(s, EMU_ES, s->g[RDI], buf, size);
		break;
	case STR_LODS:
		r = mem_read(s, seg, s->g[RSI], buf, size);
		break;
	case STR_CMPS:
		r = mem_read(s, seg, s->g[RSI], buf, size);
		for (i = 0; i < size; i++)
			a |= (u64)buf[i] << (8 * i);
		if (!r)
			r = mem_read(s, EMU_ES, s->g[RDI], buf, size);
		break;
	case STR_SCAS:
		a = reg_get(s, RAX, size);
		r = mem_read(s, EMU_ES, s->g[RDI], buf, size);
		break;
	}
	if (r)
		return r;
	for (i = 0; i < size; i++)
		b |= (u64)buf[i] << (8 * i);
	if (op == STR_LODS)
		reg_set(s, RAX, size, b);
	if (op == STR_CMPS || op == STR_SCAS)
		alu(ALU_CMP, a, b, size, &s->fl);
	if (op == STR_MOVS || op == STR_LODS || op == STR_CMPS)
		str_advance(s, RSI, step);
	if (op != STR_LODS)
		str_advance(s, RDI, step);
	if (in->rep) {
		bool more = --cnt != 0;

		/* REPE/REPNE of CMPS and SCAS also end on ZF */
		if (op == STR_CMPS || op == STR_SCAS)
			more = more && !!(s->fl & EMU_ZF) == (in->rep == 0xf3);
		reg_set(s, RCX, in->addr_size, cnt);
		s->rip_stays = more;
	}
	return EMU_OK;
}

/* CMPXCHG8B, CMPXCHG16B (SDM Vol. 2): ZF alone changes. */
static int exec_cmpxchg_wide(struct state *s)
{
	struct emu_insn *in = &s->e->insn;
	unsigned int half = in->mem_size / 2, i;
	u64 m = mask_of(half), lo, hi;
	u8 buf[16];
	int r;

	if (half == 8 && (emu_linear(s->e, in->seg, in->ea) & 15)) {
		s->e->fault = (struct emu_fault){ .vector = 13,
						  .has_error = true };
		return EMU_FAULT;
	}
	r = mem_read(s, in->seg, in->ea, buf, in->mem_size);
	if (r)
		return r;
	lo = hi = 0;
	for (i = 0; i < half; i++) {
		lo |= (u64)buf[i] << (8 * i);
		hi |= (u64)buf[half + i] << (8 * i);
	}
	if (lo == (s->g[RAX] & m) && hi == (s->g[RDX] & m)) {
		s->fl |= EMU_ZF;
		for (i = 0; i < half; i++) {
			buf[i] = s->g[RBX] >> (8 * i);
			buf[half + i] = s->g[RCX] >> (8 * i);
		}
	} else {
		/* the old value goes to rDX:rAX and back to memory */
		s->fl &= ~(u64)EMU_ZF;
		reg_set(s, RAX, half, lo);
		reg_set(s, RDX, half, hi);
	}
	return mem_write(s, in->seg, in->ea, buf, in->mem_size);
}

static int exec_sse(struct state *s)
{
	struct emu *e = s->e;
	struct emu_insn *in = &e->insn;
	const struct sse_desc *d;
	unsigned int n = in->reg, size = in->mem_size;
	u8 x[16], m[16];
	int r;

	d = sse_find(in, in->rep ? in->rep :
			 in->opsize_prefix ? 0x66 : 0);
	if (!d || !e->ops->get_xmm || !e->ops->set_xmm)
		return EMU_UNHANDLED;
	if (e->mode != 64)
		n &= 7;
	if (d->align && (emu_linear(e, in->seg, in->ea) & 15)) {
		e->fault = (struct emu_fault){ .vector = 13,
					       .has_error = true };
		return EMU_FAULT;
	}
	r = e->ops->get_xmm(e, n, x);
	if (r)
		return r;
	switch (d->kind) {
	case SSE_STORE:
		return mem_write(s, in->seg, in->ea, x, size);
	case SSE_STORE_HI:
		return mem_write(s, in->seg, in->ea, x + 8, 8);
	}
	r = mem_read(s, in->seg, in->ea, m, size);
	if (r)
		return r;
	switch (d->kind) {
	case SSE_LOAD:
		memcpy(x, m, 16);
		break;
	case SSE_LOAD_ZX:
		memset(x, 0, 16);
		memcpy(x, m, size);
		break;
	case SSE_LOAD_LO:
		memcpy(x, m, 8);
		break;
	default:
		memcpy(x + 8, m, 8);
		break;
	}
	return e->ops->set_xmm(e, n, x);
}

/*
 * Bit tests (SDM Vol. 2, BT): with a register offset the operand is a bit
 * string starting at the effective address, the offset signed; with an
 * immediate the offset is taken modulo the operand size.  CF is the bit;
 * ZF stays, the other flags (undefined) too, as on Intel CPUs.
 */
static int exec_bt(struct state *s, unsigned int op, u64 offset, bool imm)
{
	struct emu_insn *in = &s->e->insn;
	unsigned int size = in->op_size, bits = 8 * size;
	u64 ea = in->ea, v, bit;
	int r;

	if (imm) {
		bit = offset & (bits - 1);
	} else {
		s64 off = (s64)sext(offset, size);

		bit = (u64)off & (bits - 1);
		/* arithmetic shift: a negative offset reaches below */
		ea += (u64)((off >> (size == 2 ? 4 : size == 4 ? 5 : 6)) *
			    (s64)size);
	}
	r = read_op(s, ea, size, &v);
	if (r)
		return r;
	s->fl = (s->fl & ~(u64)EMU_CF) | ((v >> bit) & 1);
	switch (op) {
	case BT_BT:
		return EMU_OK;
	case BT_BTS:
		v |= 1ULL << bit;
		break;
	case BT_BTR:
		v &= ~(1ULL << bit);
		break;
	default:
		v ^= 1ULL << bit;
		break;
	}
	return write_op(s, ea, size, v);
}

static u64 bswap(u64 v, unsigned int size)
{
	u64 r = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		r |= ((v >> (8 * i)) & 0xff) << (8 * (size - 1 - i));
	return r;
}

static int exec(struct state *s)
{
	struct emu_insn *in = &s->e->insn;
	const struct opdesc *d = desc_of(in);
	unsigned int size = in->op_size, sub = in->reg & 7;
	u64 ea = in->ea, v, src, res;
	int r;

	switch (d->exec) {
	case X_STRING:
		return exec_string(s, d->aux);
	case X_SSE:
		return exec_sse(s);
	case X_GRP9:
		return exec_cmpxchg_wide(s);
	case X_BT:
		return exec_bt(s, d->aux, reg_get(s, in->reg, size), false);
	case X_GRP8:
		return exec_bt(s, sub - 4, in->imm, true);
	case X_MOV_ST:
		return write_op(s, ea, size, reg_get(s, in->reg, size));
	case X_MOV_IMM:
		return write_op(s, ea, size, in->imm);
	case X_MOFFS:
		if (d->aux)
			return write_op(s, ea, size, reg_get(s, RAX, size));
		r = read_op(s, ea, size, &v);
		if (!r)
			reg_set(s, RAX, size, v);
		return r;
	case X_SETCC:
		return write_op(s, ea, 1, cond(s->fl, d->aux));
	case X_MOVBE:
		if (d->aux)
			return write_op(s, ea, size,
					bswap(reg_get(s, in->reg, size), size));
		break;
	}

	/* Everything else reads its memory operand first. */
	r = read_op(s, ea, in->mem_size, &v);
	if (r)
		return r;

	switch (d->exec) {
	case X_MOV_LD:
		reg_set(s, in->reg, size, v);
		return EMU_OK;
	case X_MOVBE:
		reg_set(s, in->reg, size, bswap(v, size));
		return EMU_OK;
	case X_MOVX:
		if (d->aux)
			v = sext(v, in->mem_size);
		reg_set(s, in->reg, size, v);
		return EMU_OK;
	case X_CMOV:
		/* the load happens, and a 32-bit register is zero-extended
		 * in 64-bit mode, whether or not the condition holds
		 */
		reg_set(s, in->reg, size,
			cond(s->fl, d->aux) ? v : s->g[in->reg]);
		return EMU_OK;
	case X_ALU:
		src = reg_get(s, in->reg, size);
		if (d->flags & F_TOREG) {
			res = alu(d->aux, src, v, size, &s->fl);
			if (d->aux != ALU_CMP)
				reg_set(s, in->reg, size, res);
			return EMU_OK;
		}
		res = alu(d->aux, v, src, size, &s->fl);
		if (d->aux == ALU_CMP)
			return EMU_OK;
		break;
	case X_GRP1:
		res = alu(sub, v, in->imm, size, &s->fl);
		if (sub == ALU_CMP)
			return EMU_OK;
		break;
	case X_TEST:
		alu(ALU_AND, v, reg_get(s, in->reg, size), size, &s->fl);
		return EMU_OK;
	case X_GRP3:
		if (sub < 2) {
			alu(ALU_AND, v, in->imm, size, &s->fl);
			return EMU_OK;
		}
		if (sub == 2)
			res = ~v;	/* NOT: no flags */
		else
			res = alu(ALU_SUB, 0, v, size, &s->fl);
		break;
	case X_INCDEC: {
		u64 cf = s->fl & EMU_CF;

		res = alu(sub ? ALU_SUB : ALU_ADD, v, 1, size, &s->fl);
		s->fl = (s->fl & ~(u64)EMU_CF) | cf;
		break;
	}
	case X_SHIFT: {
		unsigned int cnt = (d->flags & F_ONE) ? 1 :
				   (d->flags & F_CL) ? s->g[RCX] & 0xff :
				   in->imm & 0xff;

		if (!(cnt & (size == 8 ? 63 : 31)))
			return EMU_OK;
		res = shift(sub, v, cnt, size, &s->fl);
		break;
	}
	case X_XCHG:
		res = reg_get(s, in->reg, size);
		reg_set(s, in->reg, size, v);
		break;
	case X_XADD:
		src = reg_get(s, in->reg, size);
		res = alu(ALU_ADD, v, src, size, &s->fl);
		reg_set(s, in->reg, size, v);
		break;
	case X_CMPXCHG:
		alu(ALU_CMP, reg_get(s, RAX, size), v, size, &s->fl);
		if (s->fl & EMU_ZF) {
			res = reg_get(s, in->reg, size);
		} else {
			/* the CPU writes the old value back (SDM Vol. 2) */
			reg_set(s, RAX, size, v);
			res = v;
		}
		break;
	default:
		return EMU_UNHANDLED;
	}
	return write_op(s, ea, size, res);
}

/**
 * emu_run() - decode and carry out one instruction
 * @e: the instruction and the guest state; see struct emu
 *
 * Reads come first and the one write last, so an instruction stopped by
 * an access userspace must complete (EMU_EXIT) has changed nothing and
 * runs again from the start once it has.
 *
 * Return: an enum emu_result.
 */
int emu_run(struct emu *e)
{
	int r = emu_decode(e);

	return r ? r : emu_exec(e);
}

int emu_exec(struct emu *e)
{
	struct state s = { .e = e, .fl = e->rflags };
	u64 rip;
	int r;

	memcpy(s.g, e->gpr, sizeof(s.g));
	r = exec(&s);
	if (r)
		return r;
	memcpy(e->gpr, s.g, sizeof(s.g));
	e->rflags = s.fl;
	if (!s.rip_stays) {
		rip = e->rip + e->insn.len;
		e->rip = e->mode == 64 ? rip : e->mode == 32 ?
			 rip & 0xffffffff : rip & 0xffff;
	}
	return EMU_OK;
}

const char *emu_result_name(int r)
{
	static const char *const names[] = {
		"ok", "exit", "fault", "unhandled", "retry",
	};

	return r >= 0 && r <= EMU_RETRY ? names[r] : "?";
}
