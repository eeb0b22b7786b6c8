/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding of the guest instruction behind an MMIO exit (size, direction,
 * register), in plain C so that the module and the host unit test share it.
 */
#ifndef VTXHV_INSN_DECODE_H
#define VTXHV_INSN_DECODE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

/* Longest legal instruction, prefixes included (Intel SDM Vol. 2, 2.3.11) */
#define INSN_MAX_LEN	15

/**
 * enum insn_kind - the instruction forms that can access MMIO
 * @INSN_MOV_STORE:       MOV r/m, reg (88, 89)
 * @INSN_MOV_STORE_IMM:   MOV r/m, imm (C6 /0, C7 /0)
 * @INSN_MOV_LOAD:        MOV reg, r/m (8A, 8B)
 * @INSN_MOV_LOAD_MOFFS:  MOV AL/AX/EAX/RAX, moffs (A0, A1)
 * @INSN_MOV_STORE_MOFFS: MOV moffs, AL/AX/EAX/RAX (A2, A3)
 * @INSN_MOVZX:           MOVZX reg, r/m8 or r/m16 (0F B6, 0F B7)
 * @INSN_MOVSX:           MOVSX reg, r/m8 or r/m16 (0F BE, 0F BF), and
 *                        MOVSXD reg, r/m32 (63) in 64-bit mode
 */
enum insn_kind {
	INSN_MOV_STORE,
	INSN_MOV_STORE_IMM,
	INSN_MOV_LOAD,
	INSN_MOV_LOAD_MOFFS,
	INSN_MOV_STORE_MOFFS,
	INSN_MOVZX,
	INSN_MOVSX,
};

/**
 * struct insn_mmio - a decoded instruction that accesses memory
 * @kind:     which form it is
 * @len:      total instruction length in bytes, prefixes included; the
 *            guest's RIP advances by this much once the access is emulated
 * @size:     bytes accessed in memory: 1, 2, 4 or 8
 * @reg:      GPR number 0-15 (Intel order: AX CX DX BX SP BP SI DI R8-R15)
 *            of the register operand; 0 (the accumulator) for the moffs
 *            forms; 0 and unused for INSN_MOV_STORE_IMM
 * @high8:    @reg names AH/CH/DH/BH, i.e. bits 15:8 of GPR @reg (an 8-bit
 *            register operand 4-7 without any REX prefix)
 * @dst_size: for loads, bytes of the destination register (for MOVZX and
 *            MOVSX the operand size, larger than @size); 0 for stores
 * @write:    the memory operand is written (a store)
 * @imm:      for INSN_MOV_STORE_IMM, the immediate extended to @size bytes
 *            as the CPU does (C7 with REX.W: imm32 sign-extended to 64
 *            bits); bits above @size are zero.  0 otherwise
 */
struct insn_mmio {
	enum insn_kind kind;
	u8 len;
	u8 size;
	u8 reg;
	bool high8;
	u8 dst_size;
	bool write;
	u64 imm;
};

int insn_decode_mmio(const u8 *bytes, unsigned int nbytes, int cpu_mode,
		     struct insn_mmio *out);
u64 insn_mmio_store_value(const struct insn_mmio *insn, const u64 *regs);
void insn_mmio_complete_load(const struct insn_mmio *insn, u64 *regs,
			     u64 value, int cpu_mode);

#endif /* VTXHV_INSN_DECODE_H */
