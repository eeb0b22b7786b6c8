// SPDX-License-Identifier: GPL-2.0
/*
 * x86 instruction decoder for MMIO emulation: the MOV forms a guest uses to
 * reach device memory, with their prefixes, ModRM, SIB, displacement and
 * immediate (Intel SDM Vol. 2, chapter 2), and the register side of the access.
 */
#include "insn_decode.h"

/* A read position in the fetched instruction bytes. */
struct insn_cursor {
	const u8 *bytes;
	unsigned int pos;
	unsigned int limit;	/* bytes available, at most INSN_MAX_LEN */
};

/*
 * Consume @n bytes as a little-endian value into @val (if not NULL).  Fails
 * when the bytes run out, which is also how an instruction longer than 15
 * bytes is refused: the CPU raises #GP for it (SDM Vol. 2, 2.3.11).
 */
static bool insn_get(struct insn_cursor *c, unsigned int n, u64 *val)
{
	u64 v = 0;
	unsigned int i;

	if (n > c->limit - c->pos)
		return false;
	for (i = 0; i < n; i++)
		v |= (u64)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	if (val)
		*val = v;
	return true;
}

static u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* Sign-extend the low @size bytes of @v to 64 bits. */
static u64 sign_extend(u64 v, unsigned int size)
{
	u64 sign;

	if (size >= 8)
		return v;
	sign = 1ULL << (8 * size - 1);
	return ((v & size_mask(size)) ^ sign) - sign;
}

/*
 * Skip the SIB byte and displacement that follow ModRM (SDM Vol. 2, 2.1.5,
 * tables 2-1 to 2-3; RIP-relative: 2.2.1.6).  REX.X and REX.B pick other
 * registers but never change the length: rm 100 still means SIB and mod 00
 * rm 101 still means disp32 when REX.B is set (SDM Vol. 2, table 2-5).
 */
static bool insn_skip_modrm_operand(struct insn_cursor *c, u8 modrm,
				    unsigned int addr_size)
{
	u8 mod = modrm >> 6;
	u8 rm = modrm & 7;
	unsigned int disp = 0;
	u64 sib;

	if (addr_size == 2) {
		/* 16-bit forms: no SIB; mod 00 rm 110 is a bare disp16 */
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || (mod == 0 && rm == 6))
			disp = 2;
		return insn_get(c, disp, NULL);
	}

	if (rm == 4) {
		if (!insn_get(c, 1, &sib))
			return false;
		/* SIB base 101 with mod 00: no base, disp32 */
		if (mod == 0 && (sib & 7) == 5)
			disp = 4;
	} else if (mod == 0 && rm == 5) {
		/* disp32; RIP-relative in 64-bit mode, absolute otherwise */
		disp = 4;
	}
	if (mod == 1)
		disp = 1;
	else if (mod == 2)
		disp = 4;
	return insn_get(c, disp, NULL);
}

/**
 * insn_decode_mmio() - decode an instruction that accessed MMIO
 * @bytes:    the instruction bytes fetched at the guest's RIP
 * @nbytes:   how many bytes @bytes holds; more than 15 are never looked at
 * @cpu_mode: 16 (real mode or a 16-bit code segment), 32, or 64 (long mode
 *            with CS.L=1); it sets the default operand and address sizes
 * @out:      the decoded instruction
 *
 * Only the MOV, MOVZX, MOVSX and MOVSXD forms with a memory operand are
 * known.  Legacy prefixes may come in any order and repeat; a REX prefix
 * counts only right before the opcode (SDM Vol. 2, 2.2.1).  Segment
 * overrides and F2/F3 are accepted and ignored: the EPT violation already
 * gives the physical address.
 *
 * Return: 0, or -1 when the bytes cannot be decoded: an unknown opcode, a
 * register-only ModRM (mod 11, which cannot access memory), a LOCK prefix
 * (#UD with MOV), an invalid @cpu_mode, or bytes that run out before the
 * instruction ends or go beyond 15.
 */
int insn_decode_mmio(const u8 *bytes, unsigned int nbytes, int cpu_mode,
		     struct insn_mmio *out)
{
	struct insn_cursor c = {
		.bytes = bytes,
		.limit = nbytes < INSN_MAX_LEN ? nbytes : INSN_MAX_LEN,
	};
	bool opsize_prefix = false, addrsize_prefix = false;
	bool reg_is_8bit = false;
	unsigned int op_size, addr_size, imm_size = 0;
	u8 rex = 0;	/* the REX byte itself, 0 when there is none */
	u64 op, modrm, imm;

	if (cpu_mode != 16 && cpu_mode != 32 && cpu_mode != 64)
		return -1;
	memset(out, 0, sizeof(*out));

	for (;;) {
		if (!insn_get(&c, 1, &op))
			return -1;
		switch (op) {
		case 0x66:
			opsize_prefix = true;
			break;
		case 0x67:
			addrsize_prefix = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
		case 0x64: case 0x65:
		case 0xf2: case 0xf3:
			break;
		case 0xf0:
			return -1;
		case 0x40 ... 0x4f:
			if (cpu_mode == 64) {
				rex = op;
				continue;
			}
			/* INC/DEC outside 64-bit mode */
			return -1;
		default:
			goto opcode;
		}
		/* a REX followed by a legacy prefix is ignored (SDM 2.2.1) */
		rex = 0;
	}

opcode:
	/* SDM Vol. 1, 3.6.1 and table 3-4; REX.W wins over 66 */
	if (cpu_mode == 64) {
		op_size = (rex & 0x08) ? 8 : opsize_prefix ? 2 : 4;
		addr_size = addrsize_prefix ? 4 : 8;
	} else if (cpu_mode == 32) {
		op_size = opsize_prefix ? 2 : 4;
		addr_size = addrsize_prefix ? 2 : 4;
	} else {
		op_size = opsize_prefix ? 4 : 2;
		addr_size = addrsize_prefix ? 4 : 2;
	}

	switch (op) {
	case 0x88:
	case 0x89:
		out->kind = INSN_MOV_STORE;
		out->write = true;
		out->size = (op & 1) ? op_size : 1;
		reg_is_8bit = !(op & 1);
		break;
	case 0x8a:
	case 0x8b:
		out->kind = INSN_MOV_LOAD;
		out->size = (op & 1) ? op_size : 1;
		out->dst_size = out->size;
		reg_is_8bit = !(op & 1);
		break;
	case 0xc6:
	case 0xc7:
		out->kind = INSN_MOV_STORE_IMM;
		out->write = true;
		out->size = (op & 1) ? op_size : 1;
		imm_size = out->size < 4 ? out->size : 4;
		break;
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3:
		/* the offset is address-sized, no ModRM (SDM Vol. 2, MOV) */
		out->kind = (op & 2) ? INSN_MOV_STORE_MOFFS :
				       INSN_MOV_LOAD_MOFFS;
		out->write = op & 2;
		out->size = (op & 1) ? op_size : 1;
		if (!out->write)
			out->dst_size = out->size;
		if (!insn_get(&c, addr_size, NULL))
			return -1;
		out->len = c.pos;
		return 0;
	case 0x63:
		/* ARPL outside 64-bit mode, never an MMIO access we emulate */
		if (cpu_mode != 64)
			return -1;
		/* MOVSXD: r64 <- r/m32 with REX.W; else r/m16 or r/m32 as-is */
		out->kind = INSN_MOVSX;
		out->size = op_size == 8 ? 4 : op_size;
		out->dst_size = op_size;
		break;
	case 0x0f:
		if (!insn_get(&c, 1, &op))
			return -1;
		switch (op) {
		case 0xb6:
		case 0xb7:
			out->kind = INSN_MOVZX;
			break;
		case 0xbe:
		case 0xbf:
			out->kind = INSN_MOVSX;
			break;
		default:
			return -1;
		}
		out->size = (op & 1) ? 2 : 1;
		out->dst_size = op_size;
		break;
	default:
		return -1;
	}

	if (!insn_get(&c, 1, &modrm))
		return -1;
	if ((modrm >> 6) == 3)
		return -1;
	/* C6 and C7 are MOV only with /0 (C6 F8, C7 F8 are XABORT, XBEGIN) */
	if (out->kind == INSN_MOV_STORE_IMM && ((modrm >> 3) & 7))
		return -1;
	if (!insn_skip_modrm_operand(&c, modrm, addr_size))
		return -1;

	if (imm_size) {
		if (!insn_get(&c, imm_size, &imm))
			return -1;
		/* C7 with REX.W: imm32 sign-extended to 64 bits */
		out->imm = sign_extend(imm, imm_size) & size_mask(out->size);
	} else {
		out->reg = ((modrm >> 3) & 7) | ((rex & 0x04) << 1);
		/*
		 * Byte registers 4-7 are AH, CH, DH, BH without REX, and
		 * SPL, BPL, SIL, DIL with any REX (SDM Vol. 2, 2.2.1.2).
		 */
		if (reg_is_8bit && !rex && out->reg >= 4) {
			out->reg -= 4;
			out->high8 = true;
		}
	}

	out->len = c.pos;
	return 0;
}

/**
 * insn_mmio_store_value() - the value a decoded store writes to memory
 * @insn: a store decoded by insn_decode_mmio()
 * @regs: the guest's 16 GPRs, RAX first, in ModRM order
 *
 * Return: the low @insn->size bytes of the source register (bits 15:8 for
 * AH/CH/DH/BH) or of the immediate, zero-extended; 0 if @insn is a load.
 */
u64 insn_mmio_store_value(const struct insn_mmio *insn, const u64 *regs)
{
	u64 v;

	if (!insn->write)
		return 0;
	if (insn->kind == INSN_MOV_STORE_IMM)
		v = insn->imm;
	else if (insn->high8)
		v = regs[insn->reg] >> 8;
	else
		v = regs[insn->reg];
	return v & size_mask(insn->size);
}

/**
 * insn_mmio_complete_load() - put the value a decoded load read into the GPR
 * @insn:     a load decoded by insn_decode_mmio()
 * @regs:     the guest's 16 GPRs, RAX first, in ModRM order
 * @value:    the @insn->size bytes read from the device, in the low bits;
 *            higher bits are ignored
 * @cpu_mode: 16, 32 or 64, as given to insn_decode_mmio()
 *
 * Follows the CPU (SDM Vol. 1, 3.4.1.1): an 8- or 16-bit destination keeps
 * the register's other bits, and AH/CH/DH/BH replace bits 15:8 only.  A
 * 32-bit destination zero-extends into all 64 bits in 64-bit mode; in 16-
 * and 32-bit modes the upper half of the 64-bit slot is left as it was, the
 * CPU having no way to see it there.  MOVZX zero-extends and MOVSX sign-
 * extends the value to @insn->dst_size first.  A store is left alone.
 */
void insn_mmio_complete_load(const struct insn_mmio *insn, u64 *regs,
			     u64 value, int cpu_mode)
{
	u64 *r = &regs[insn->reg];
	u64 keep;

	if (insn->write)
		return;
	value &= size_mask(insn->size);
	if (insn->kind == INSN_MOVSX)
		value = sign_extend(value, insn->size);
	value &= size_mask(insn->dst_size);

	if (insn->high8) {
		*r = (*r & ~0xff00ULL) | (value << 8);
		return;
	}
	if (insn->dst_size < 4 || (insn->dst_size == 4 && cpu_mode != 64))
		keep = ~size_mask(insn->dst_size);
	else
		keep = 0;
	*r = (*r & keep) | value;
}
