/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 instruction emulator for memory operands (emulate.c): decodes the
 * instruction a guest exited on and carries it out through callbacks that
 * reach memory, in plain C so that the module and the host unit test share
 * it.  docs/architecture.md lists what it covers and what it refuses.
 */
#ifndef VTXHV_EMULATE_H
#define VTXHV_EMULATE_H

#include "host_types.h"

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <string.h>

#ifndef fallthrough
#define fallthrough	__attribute__((__fallthrough__))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#endif

/* Longest legal instruction, prefixes included (Intel SDM Vol. 2, 2.3.11) */
#define INSN_MAX_LEN	15

/* What emu_run() and every callback return. */
enum emu_result {
	EMU_OK,		/* done: registers, RFLAGS and RIP updated */
	EMU_EXIT,	/* an access waits for userspace: run again later */
	EMU_FAULT,	/* an exception for the guest: emu.fault */
	EMU_UNHANDLED,	/* not an instruction or access emulated here */
	EMU_RETRY,	/* the callback needs a context that may sleep */
};

/* Segment registers, in the VMX (and ModRM sreg) order. */
enum emu_seg { EMU_ES, EMU_CS, EMU_SS, EMU_DS, EMU_FS, EMU_GS };

/* RFLAGS bits the emulator reads or writes (SDM Vol. 1, 3.4.3). */
#define EMU_CF		0x0001
#define EMU_PF		0x0004
#define EMU_AF		0x0010
#define EMU_ZF		0x0040
#define EMU_SF		0x0080
#define EMU_DF		0x0400
#define EMU_OF		0x0800
#define EMU_ARITH	(EMU_CF | EMU_PF | EMU_AF | EMU_ZF | EMU_SF | EMU_OF)

struct emu;

/**
 * struct emu_ops - how the emulator reaches the guest
 * @read:     read @size bytes (1 to 16) at linear address @la
 * @write:    write them; called only once every read of the instruction
 *            is done, so a write never happens twice
 * @get_xmm:  the 16 bytes of XMM register @n
 * @set_xmm:  write them
 * @pio:      INS and OUTS: element @i (of @n this run) of @size bytes
 *            from port @port into @buf (@in), or from @buf to it
 *
 * Each returns EMU_OK or another enum emu_result; EMU_FAULT with
 * emu.fault filled (a #PF of the page walk).  The XMM callbacks may be
 * NULL: SSE moves are then refused; so may @pio: INS and OUTS are.
 */
struct emu_ops {
	int (*read)(struct emu *e, u64 la, void *buf, unsigned int size);
	int (*write)(struct emu *e, u64 la, const void *buf,
		     unsigned int size);
	int (*get_xmm)(struct emu *e, unsigned int n, u8 *xmm);
	int (*set_xmm)(struct emu *e, unsigned int n, const u8 *xmm);
	int (*pio)(struct emu *e, u16 port, u8 *buf, unsigned int size,
		   unsigned int n, unsigned int i, bool in);
};

/* An exception the instruction raises (EMU_FAULT). */
struct emu_fault {
	u8 vector;
	bool has_error;
	u32 error;
	u64 addr;		/* #PF: CR2 */
};

/*
 * The decoded instruction (emu.insn), for callers that want to know
 * what it was: the access, its size, whether it writes.
 */
struct emu_insn {
	u8 len;			/* bytes, prefixes included */
	u8 op;			/* opcode byte; 0F xx: xx with @map 1 */
	u8 map;			/* 0: one byte, 1: 0F, 2: 0F 38 */
	u8 modrm;
	u8 rex;
	u8 op_size;		/* operand size: 1, 2, 4 or 8 (16: SSE) */
	u8 addr_size;		/* 2, 4 or 8 */
	u8 mem_size;		/* bytes of the memory operand */
	u8 rep;			/* 0, 0xf2 or 0xf3 */
	u8 seg;			/* enum emu_seg of the memory operand */
	bool lock, opsize_prefix;
	bool has_mem;		/* ModRM names memory (or moffs, string) */
	u64 ea;			/* the memory operand's offset */
	u64 imm;
	u16 desc;		/* which table entry: emulate.c */
	u8 reg;			/* ModRM reg with REX.R */
};

/**
 * struct emu - one instruction to emulate
 * @mode:     16, 32 or 64: the code size (real mode or a 16-bit code
 *            segment, 32-bit, long mode with CS.L=1)
 * @bytes, @nbytes: the instruction bytes fetched at CS:RIP
 * @gpr:      the 16 GPRs, RAX first, in ModRM order; RSP included
 * @rip, @rflags: as the guest has them
 * @seg_base: ES CS SS DS FS GS; in 64-bit mode only FS and GS count
 * @ops, @priv: the caller's callbacks and their data
 * @no_rep:   refuse REP string instructions (EMU_UNHANDLED)
 * @pio_max:  elements a REP INS or OUTS may do in one run (0 counts as 1)
 * @fault:    filled when emu_run() returns EMU_FAULT
 * @insn:     filled by the decoder
 *
 * emu_run() changes @gpr, @rip and @rflags only when it returns EMU_OK:
 * anything else leaves the guest as it was, so the same instruction can
 * be run again (after an access userspace completes, for instance).
 */
struct emu {
	int mode;
	const u8 *bytes;
	unsigned int nbytes;
	u64 gpr[16];
	u64 rip, rflags;
	u64 seg_base[6];
	const struct emu_ops *ops;
	void *priv;
	bool no_rep;
	unsigned int pio_max;
	struct emu_fault fault;
	struct emu_insn insn;
};

int emu_decode(struct emu *e);
int emu_run(struct emu *e);
int emu_exec(struct emu *e);	/* emu_run() after emu_decode() */
const char *emu_result_name(int r);
u64 emu_seg_base(const struct emu *e, unsigned int seg);
/* The linear address of @off in segment @seg, in the instruction's sizes */
u64 emu_linear(const struct emu *e, unsigned int seg, u64 off);
void emu_gpr_write(const struct emu *e, u64 *g, unsigned int reg,
		   unsigned int size, u64 v);

#endif /* VTXHV_EMULATE_H */
