// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the emulator's decoder (kmod/emulate.c) on the MOV
 * forms: each in 16-, 32- and 64-bit modes, the rejects, and the register
 * side of the loads and stores.  emulate_test.c covers the other
 * instructions.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emulate.h"
#include "vtxhv_test.h"

/*
 * What the decoder tells of a MOV form, in the terms of the MOV-only
 * decoder this test was written for: the form, the length, the bytes
 * accessed, the register (with AH-BH as high8), the destination size of a
 * load, whether it writes, and a store's immediate.
 */
enum insn_kind {
	INSN_MOV_STORE,
	INSN_MOV_STORE_IMM,
	INSN_MOV_LOAD,
	INSN_MOV_LOAD_MOFFS,
	INSN_MOV_STORE_MOFFS,
	INSN_MOVZX,
	INSN_MOVSX,
	INSN_OTHER,
};

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

#define B(...)	.bytes = { __VA_ARGS__ }, \
		.nbytes = sizeof((u8[]){ __VA_ARGS__ })

#define ST	INSN_MOV_STORE
#define STI	INSN_MOV_STORE_IMM
#define LD	INSN_MOV_LOAD
#define LDM	INSN_MOV_LOAD_MOFFS
#define STM	INSN_MOV_STORE_MOFFS
#define ZX	INSN_MOVZX
#define SX	INSN_MOVSX

/*
 * An instruction that decodes, and everything the decoder says.
 *
 * The encodings were written by hand and checked against GNU as and objdump;
 * the text beside each is its AT&T form, with objdump's prefix names (cs,
 * data16, rex.W, ...) for the prefixes as would not emit.
 */
struct decode_case {
	int mode;
	const char *text;
	u8 bytes[INSN_MAX_LEN];
	unsigned int nbytes;
	/* kind, len, size, reg, high8, dst_size, write, imm */
	struct insn_mmio want;
};

static const struct decode_case decode_cases[] = {
	/* 64-bit mode, 88/89 stores: byte registers with and without REX */
	{ 64, "mov %al,(%rax)", B(0x88, 0x00),
	  { ST, 2, 1, 0, false, 0, true, 0 } },
	{ 64, "mov %cl,(%rbx)", B(0x88, 0x0b),
	  { ST, 2, 1, 1, false, 0, true, 0 } },
	{ 64, "mov %ah,(%rax)", B(0x88, 0x20),
	  { ST, 2, 1, 0, true, 0, true, 0 } },
	{ 64, "mov %bh,(%rdi)", B(0x88, 0x3f),
	  { ST, 2, 1, 3, true, 0, true, 0 } },
	{ 64, "mov %spl,(%rax)", B(0x40, 0x88, 0x20),
	  { ST, 3, 1, 4, false, 0, true, 0 } },
	{ 64, "mov %dil,(%rsi)", B(0x40, 0x88, 0x3e),
	  { ST, 3, 1, 7, false, 0, true, 0 } },
	{ 64, "mov %r9b,(%rax)", B(0x44, 0x88, 0x08),
	  { ST, 3, 1, 9, false, 0, true, 0 } },
	/* operand sizes: 66, none, REX.W, REX.W+R */
	{ 64, "mov %ax,(%rax)", B(0x66, 0x89, 0x00),
	  { ST, 3, 2, 0, false, 0, true, 0 } },
	{ 64, "mov %eax,(%rax)", B(0x89, 0x00),
	  { ST, 2, 4, 0, false, 0, true, 0 } },
	{ 64, "mov %rax,(%rax)", B(0x48, 0x89, 0x00),
	  { ST, 3, 8, 0, false, 0, true, 0 } },
	{ 64, "mov %r15,(%rax)", B(0x4c, 0x89, 0x38),
	  { ST, 3, 8, 15, false, 0, true, 0 } },
	/* addressing forms */
	{ 64, "mov %r10d,0x10(%rbx)", B(0x44, 0x89, 0x53, 0x10),
	  { ST, 4, 4, 10, false, 0, true, 0 } },
	{ 64, "mov %edx,0x12345678(%rcx)",
	  B(0x89, 0x91, 0x78, 0x56, 0x34, 0x12),
	  { ST, 6, 4, 2, false, 0, true, 0 } },
	{ 64, "mov %esi,(%rax,%rcx,4)", B(0x89, 0x34, 0x88),
	  { ST, 3, 4, 6, false, 0, true, 0 } },
	{ 64, "mov %eax,0x10(%rsp)", B(0x89, 0x44, 0x24, 0x10),
	  { ST, 4, 4, 0, false, 0, true, 0 } },
	{ 64, "mov %ecx,-0x80(%rsi,%rdi,2)", B(0x89, 0x4c, 0x7e, 0x80),
	  { ST, 4, 4, 1, false, 0, true, 0 } },
	{ 64, "mov %eax,0x12345678(%rbx,%rdx,1)",
	  B(0x89, 0x84, 0x13, 0x78, 0x56, 0x34, 0x12),
	  { ST, 7, 4, 0, false, 0, true, 0 } },
	{ 64, "mov %eax,0x12345678(,%rcx,8)",
	  B(0x89, 0x04, 0xcd, 0x78, 0x56, 0x34, 0x12),
	  { ST, 7, 4, 0, false, 0, true, 0 } },
	{ 64, "mov %ebp,0x1000(%rip)",
	  B(0x89, 0x2d, 0x00, 0x10, 0x00, 0x00),
	  { ST, 6, 4, 5, false, 0, true, 0 } },
	/* REX.B/X: r12 still needs a SIB, r13 still cannot be mod 00 */
	{ 64, "mov %eax,(%r12)", B(0x41, 0x89, 0x04, 0x24),
	  { ST, 4, 4, 0, false, 0, true, 0 } },
	{ 64, "mov %eax,0x0(%r13)", B(0x41, 0x89, 0x45, 0x00),
	  { ST, 4, 4, 0, false, 0, true, 0 } },
	{ 64, "mov %eax,(%r8,%r9,2)", B(0x43, 0x89, 0x04, 0x48),
	  { ST, 4, 4, 0, false, 0, true, 0 } },
	{ 64, "mov %r11,0x7f(%r14,%r15,1)",
	  B(0x4f, 0x89, 0x5c, 0x3e, 0x7f),
	  { ST, 5, 8, 11, false, 0, true, 0 } },
	{ 64, "mov %eax,0x12345678(,%r13,1)",
	  B(0x42, 0x89, 0x04, 0x2d, 0x78, 0x56, 0x34, 0x12),
	  { ST, 8, 4, 0, false, 0, true, 0 } },
	/* 67: 32-bit addressing in 64-bit mode */
	{ 64, "mov %eax,(%ebx)", B(0x67, 0x89, 0x03),
	  { ST, 3, 4, 0, false, 0, true, 0 } },
	{ 64, "mov %eax,0x12345678(%ebx,%esi,2)",
	  B(0x67, 0x89, 0x84, 0x73, 0x78, 0x56, 0x34, 0x12),
	  { ST, 8, 4, 0, false, 0, true, 0 } },
	{ 64, "mov %ax,(%eax)", B(0x67, 0x66, 0x89, 0x00),
	  { ST, 4, 2, 0, false, 0, true, 0 } },
	{ 64, "addr32 mov %edi,0x10(%eip)",
	  B(0x67, 0x89, 0x3d, 0x10, 0x00, 0x00, 0x00),
	  { ST, 7, 4, 7, false, 0, true, 0 } },
	/* segment overrides, repeated and mixed legacy prefixes */
	{ 64, "mov %eax,%fs:(%rax)", B(0x64, 0x89, 0x00),
	  { ST, 3, 4, 0, false, 0, true, 0 } },
	{ 64, "mov %rax,%gs:0x8(%rbx)", B(0x65, 0x48, 0x89, 0x43, 0x08),
	  { ST, 5, 8, 0, false, 0, true, 0 } },
	{ 64, "cs ds data16 data16 mov %ax,(%rax)",
	  B(0x2e, 0x3e, 0x66, 0x66, 0x89, 0x00),
	  { ST, 6, 2, 0, false, 0, true, 0 } },
	{ 64, "es ss repz repnz mov %eax,(%rax)",
	  B(0x26, 0x36, 0xf3, 0xf2, 0x89, 0x00),
	  { ST, 6, 4, 0, false, 0, true, 0 } },
	/* REX.W wins over 66; a REX before a legacy prefix is ignored */
	{ 64, "data16 mov %rax,(%rax)", B(0x66, 0x48, 0x89, 0x00),
	  { ST, 4, 8, 0, false, 0, true, 0 } },
	{ 64, "rex.W data16 mov %ax,(%rax)", B(0x48, 0x66, 0x89, 0x00),
	  { ST, 4, 2, 0, false, 0, true, 0 } },
	{ 64, "rex data16 mov %ah,(%rax)", B(0x40, 0x66, 0x88, 0x20),
	  { ST, 4, 1, 0, true, 0, true, 0 } },
	{ 64, "rex.R rex.W mov %rax,(%rax)", B(0x44, 0x48, 0x89, 0x00),
	  { ST, 4, 8, 0, false, 0, true, 0 } },

	/* 64-bit mode, 8A/8B loads */
	{ 64, "mov (%rax),%al", B(0x8a, 0x00),
	  { LD, 2, 1, 0, false, 1, false, 0 } },
	{ 64, "mov (%rbx),%ch", B(0x8a, 0x2b),
	  { LD, 2, 1, 1, true, 1, false, 0 } },
	{ 64, "mov (%rbx),%bpl", B(0x40, 0x8a, 0x2b),
	  { LD, 3, 1, 5, false, 1, false, 0 } },
	{ 64, "mov (%rax),%r8b", B(0x44, 0x8a, 0x00),
	  { LD, 3, 1, 8, false, 1, false, 0 } },
	{ 64, "mov (%rax),%dx", B(0x66, 0x8b, 0x10),
	  { LD, 3, 2, 2, false, 2, false, 0 } },
	{ 64, "mov (%rax),%ebx", B(0x8b, 0x18),
	  { LD, 2, 4, 3, false, 4, false, 0 } },
	{ 64, "mov (%rax),%rcx", B(0x48, 0x8b, 0x08),
	  { LD, 3, 8, 1, false, 8, false, 0 } },
	{ 64, "mov 0x8(%rbp),%r12", B(0x4c, 0x8b, 0x65, 0x08),
	  { LD, 4, 8, 12, false, 8, false, 0 } },
	{ 64, "mov -0x10(%rip),%esi", B(0x8b, 0x35, 0xf0, 0xff, 0xff, 0xff),
	  { LD, 6, 4, 6, false, 4, false, 0 } },
	{ 64, "mov (%r12,%rax,8),%r13d", B(0x45, 0x8b, 0x2c, 0xc4),
	  { LD, 4, 4, 13, false, 4, false, 0 } },

	/* 64-bit mode, C6/C7 immediate stores */
	{ 64, "movb $0x12,(%rax)", B(0xc6, 0x00, 0x12),
	  { STI, 3, 1, 0, false, 0, true, 0x12 } },
	{ 64, "movb $0x80,0x10(%rbx)", B(0xc6, 0x43, 0x10, 0x80),
	  { STI, 4, 1, 0, false, 0, true, 0x80 } },
	{ 64, "rex movb $0x1,(%rsp)", B(0x40, 0xc6, 0x04, 0x24, 0x01),
	  { STI, 5, 1, 0, false, 0, true, 0x01 } },
	{ 64, "movw $0x1234,(%rax)", B(0x66, 0xc7, 0x00, 0x34, 0x12),
	  { STI, 5, 2, 0, false, 0, true, 0x1234 } },
	{ 64, "movw $0xfffe,0x4(%rcx)",
	  B(0x66, 0xc7, 0x41, 0x04, 0xfe, 0xff),
	  { STI, 6, 2, 0, false, 0, true, 0xfffe } },
	{ 64, "movl $0x12345678,(%rax)",
	  B(0xc7, 0x00, 0x78, 0x56, 0x34, 0x12),
	  { STI, 6, 4, 0, false, 0, true, 0x12345678 } },
	{ 64, "movl $0x80000000,(%rax)",
	  B(0xc7, 0x00, 0x00, 0x00, 0x00, 0x80),
	  { STI, 6, 4, 0, false, 0, true, 0x80000000 } },
	{ 64, "movq $0xffffffffffffffff,(%rax)",
	  B(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff),
	  { STI, 7, 8, 0, false, 0, true, 0xffffffffffffffffULL } },
	{ 64, "movq $0x7fffffff,(%rax)",
	  B(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f),
	  { STI, 7, 8, 0, false, 0, true, 0x7fffffff } },
	{ 64, "movq $0xffffffff80000000,0x12345678(%rip)",
	  B(0x48, 0xc7, 0x05, 0x78, 0x56, 0x34, 0x12,
	    0x00, 0x00, 0x00, 0x80),
	  { STI, 11, 8, 0, false, 0, true, 0xffffffff80000000ULL } },
	{ 64, "movq $0x1,%fs:0x12345678(%r8,%r9,4)",
	  B(0x64, 0x4b, 0xc7, 0x84, 0x88, 0x78, 0x56, 0x34, 0x12,
	    0x01, 0x00, 0x00, 0x00),
	  { STI, 13, 8, 0, false, 0, true, 1 } },
	/* 15 bytes: the longest an instruction may be */
	{ 64, "cs cs movq $0x1,%fs:0x12345678(%r8,%r9,4)",
	  B(0x2e, 0x2e, 0x64, 0x4b, 0xc7, 0x84, 0x88, 0x78, 0x56, 0x34,
	    0x12, 0x01, 0x00, 0x00, 0x00),
	  { STI, 15, 8, 0, false, 0, true, 1 } },
	{ 64, "ds (x13) mov %eax,(%rax)",
	  B(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
	    0x3e, 0x3e, 0x3e, 0x89, 0x00),
	  { ST, 15, 4, 0, false, 0, true, 0 } },

	/* 64-bit mode, moffs: 8-byte offset, 4 with 67 */
	{ 64, "movabs 0x1122334455667788,%al",
	  B(0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  { LDM, 9, 1, 0, false, 1, false, 0 } },
	{ 64, "movabs 0x1122334455667788,%ax",
	  B(0x66, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  { LDM, 10, 2, 0, false, 2, false, 0 } },
	{ 64, "movabs 0x1122334455667788,%eax",
	  B(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  { LDM, 9, 4, 0, false, 4, false, 0 } },
	{ 64, "movabs 0x1122334455667788,%rax",
	  B(0x48, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  { LDM, 10, 8, 0, false, 8, false, 0 } },
	{ 64, "movabs %al,0x1122334455667788",
	  B(0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  { STM, 9, 1, 0, false, 0, true, 0 } },
	{ 64, "movabs %rax,0x1122334455667788",
	  B(0x48, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  { STM, 10, 8, 0, false, 0, true, 0 } },
	{ 64, "movabs %gs:0x1122334455667788,%eax",
	  B(0x65, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  { LDM, 10, 4, 0, false, 4, false, 0 } },
	{ 64, "addr32 mov 0x12345678,%eax",
	  B(0x67, 0xa1, 0x78, 0x56, 0x34, 0x12),
	  { LDM, 6, 4, 0, false, 4, false, 0 } },
	{ 64, "addr32 mov %rax,0x12345678",
	  B(0x67, 0x48, 0xa3, 0x78, 0x56, 0x34, 0x12),
	  { STM, 7, 8, 0, false, 0, true, 0 } },

	/* 64-bit mode, MOVZX/MOVSX/MOVSXD */
	{ 64, "movzbl (%rax),%eax", B(0x0f, 0xb6, 0x00),
	  { ZX, 3, 1, 0, false, 4, false, 0 } },
	{ 64, "movzbw (%rax),%ax", B(0x66, 0x0f, 0xb6, 0x00),
	  { ZX, 4, 1, 0, false, 2, false, 0 } },
	{ 64, "movzbq (%rax),%rax", B(0x48, 0x0f, 0xb6, 0x00),
	  { ZX, 4, 1, 0, false, 8, false, 0 } },
	{ 64, "movzbl (%rax),%esp", B(0x0f, 0xb6, 0x20),
	  { ZX, 3, 1, 4, false, 4, false, 0 } },
	{ 64, "movzwl (%rax),%ecx", B(0x0f, 0xb7, 0x08),
	  { ZX, 3, 2, 1, false, 4, false, 0 } },
	{ 64, "movzwq 0x10(%rsi),%r9", B(0x4c, 0x0f, 0xb7, 0x4e, 0x10),
	  { ZX, 5, 2, 9, false, 8, false, 0 } },
	{ 64, "movsbl (%rax),%edx", B(0x0f, 0xbe, 0x10),
	  { SX, 3, 1, 2, false, 4, false, 0 } },
	{ 64, "movsbw (%rax),%ax", B(0x66, 0x0f, 0xbe, 0x00),
	  { SX, 4, 1, 0, false, 2, false, 0 } },
	{ 64, "movsbq (%rax),%rax", B(0x48, 0x0f, 0xbe, 0x00),
	  { SX, 4, 1, 0, false, 8, false, 0 } },
	{ 64, "movswl (%rax),%eax", B(0x0f, 0xbf, 0x00),
	  { SX, 3, 2, 0, false, 4, false, 0 } },
	{ 64, "movswq (%rax),%rbx", B(0x48, 0x0f, 0xbf, 0x18),
	  { SX, 4, 2, 3, false, 8, false, 0 } },
	{ 64, "movslq (%rax),%rax", B(0x48, 0x63, 0x00),
	  { SX, 3, 4, 0, false, 8, false, 0 } },
	{ 64, "movslq 0x1234(%rip),%r8",
	  B(0x4c, 0x63, 0x05, 0x34, 0x12, 0x00, 0x00),
	  { SX, 7, 4, 8, false, 8, false, 0 } },
	/* MOVSXD without REX.W reads and writes the operand size as is */
	{ 64, "movsxd (%rax),%eax", B(0x63, 0x00),
	  { SX, 2, 4, 0, false, 4, false, 0 } },
	{ 64, "movsxd (%rax),%ax", B(0x66, 0x63, 0x00),
	  { SX, 3, 2, 0, false, 2, false, 0 } },

	/* 32-bit mode */
	{ 32, "mov %al,(%eax)", B(0x88, 0x00),
	  { ST, 2, 1, 0, false, 0, true, 0 } },
	{ 32, "mov %ah,(%eax)", B(0x88, 0x20),
	  { ST, 2, 1, 0, true, 0, true, 0 } },
	{ 32, "mov %eax,(%ebx)", B(0x89, 0x03),
	  { ST, 2, 4, 0, false, 0, true, 0 } },
	{ 32, "mov %ax,(%ebx)", B(0x66, 0x89, 0x03),
	  { ST, 3, 2, 0, false, 0, true, 0 } },
	{ 32, "mov 0x12345678,%ecx", B(0x8b, 0x0d, 0x78, 0x56, 0x34, 0x12),
	  { LD, 6, 4, 1, false, 4, false, 0 } },
	{ 32, "mov %edx,0x10(%esp)", B(0x89, 0x54, 0x24, 0x10),
	  { ST, 4, 4, 2, false, 0, true, 0 } },
	{ 32, "mov %edi,0x12345678(,%eax,4)",
	  B(0x89, 0x3c, 0x85, 0x78, 0x56, 0x34, 0x12),
	  { ST, 7, 4, 7, false, 0, true, 0 } },
	{ 32, "mov %eax,(%bx,%si)", B(0x67, 0x89, 0x00),
	  { ST, 3, 4, 0, false, 0, true, 0 } },
	{ 32, "addr16 mov %ecx,0x1234", B(0x67, 0x89, 0x0e, 0x34, 0x12),
	  { ST, 5, 4, 1, false, 0, true, 0 } },
	{ 32, "mov %es:0x10(%ebp),%dx", B(0x26, 0x66, 0x8b, 0x55, 0x10),
	  { LD, 5, 2, 2, false, 2, false, 0 } },
	{ 32, "mov 0x12345678,%eax", B(0xa1, 0x78, 0x56, 0x34, 0x12),
	  { LDM, 5, 4, 0, false, 4, false, 0 } },
	{ 32, "mov 0x12345678,%ax", B(0x66, 0xa1, 0x78, 0x56, 0x34, 0x12),
	  { LDM, 6, 2, 0, false, 2, false, 0 } },
	{ 32, "mov %al,0x12345678", B(0xa2, 0x78, 0x56, 0x34, 0x12),
	  { STM, 5, 1, 0, false, 0, true, 0 } },
	{ 32, "addr16 mov 0x1234,%eax", B(0x67, 0xa1, 0x34, 0x12),
	  { LDM, 4, 4, 0, false, 4, false, 0 } },
	{ 32, "movl $0x12345678,0x8(%ebp)",
	  B(0xc7, 0x45, 0x08, 0x78, 0x56, 0x34, 0x12),
	  { STI, 7, 4, 0, false, 0, true, 0x12345678 } },
	{ 32, "movw $0x1234,(%eax)", B(0x66, 0xc7, 0x00, 0x34, 0x12),
	  { STI, 5, 2, 0, false, 0, true, 0x1234 } },
	{ 32, "movzbl (%eax),%eax", B(0x0f, 0xb6, 0x00),
	  { ZX, 3, 1, 0, false, 4, false, 0 } },
	{ 32, "movswl (%ecx),%edx", B(0x0f, 0xbf, 0x11),
	  { SX, 3, 2, 2, false, 4, false, 0 } },

	/* 16-bit mode: 16-bit ModRM forms, 66 for 32-bit operands */
	{ 16, "mov %al,(%bx,%si)", B(0x88, 0x00),
	  { ST, 2, 1, 0, false, 0, true, 0 } },
	{ 16, "mov %ax,(%bx,%di)", B(0x89, 0x01),
	  { ST, 2, 2, 0, false, 0, true, 0 } },
	{ 16, "mov %eax,(%bx)", B(0x66, 0x89, 0x07),
	  { ST, 3, 4, 0, false, 0, true, 0 } },
	{ 16, "mov %cx,0x10(%bp,%di)", B(0x89, 0x4b, 0x10),
	  { ST, 3, 2, 1, false, 0, true, 0 } },
	{ 16, "mov 0x1234,%dx", B(0x8b, 0x16, 0x34, 0x12),
	  { LD, 4, 2, 2, false, 2, false, 0 } },
	{ 16, "mov 0x1234(%si),%bx", B(0x8b, 0x9c, 0x34, 0x12),
	  { LD, 4, 2, 3, false, 2, false, 0 } },
	{ 16, "mov 0x0(%bp),%ah", B(0x8a, 0x66, 0x00),
	  { LD, 3, 1, 0, true, 1, false, 0 } },
	{ 16, "mov %fs:-0x2(%bp,%si),%eax", B(0x64, 0x66, 0x8b, 0x42, 0xfe),
	  { LD, 5, 4, 0, false, 4, false, 0 } },
	{ 16, "mov %ax,(%eax,%ecx,4)", B(0x67, 0x89, 0x04, 0x88),
	  { ST, 4, 2, 0, false, 0, true, 0 } },
	{ 16, "mov 0x12345678(%eax),%ax",
	  B(0x67, 0x8b, 0x80, 0x78, 0x56, 0x34, 0x12),
	  { LD, 7, 2, 0, false, 2, false, 0 } },
	{ 16, "mov 0x1234,%al", B(0xa0, 0x34, 0x12),
	  { LDM, 3, 1, 0, false, 1, false, 0 } },
	{ 16, "mov %ax,0x1234", B(0xa3, 0x34, 0x12),
	  { STM, 3, 2, 0, false, 0, true, 0 } },
	{ 16, "mov %eax,0x1234", B(0x66, 0xa3, 0x34, 0x12),
	  { STM, 4, 4, 0, false, 0, true, 0 } },
	{ 16, "addr32 mov 0x12345678,%ax",
	  B(0x67, 0xa1, 0x78, 0x56, 0x34, 0x12),
	  { LDM, 6, 2, 0, false, 2, false, 0 } },
	{ 16, "movw $0x1234,(%bx)", B(0xc7, 0x07, 0x34, 0x12),
	  { STI, 4, 2, 0, false, 0, true, 0x1234 } },
	{ 16, "movl $0x12345678,(%bx)",
	  B(0x66, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12),
	  { STI, 7, 4, 0, false, 0, true, 0x12345678 } },
	{ 16, "movb $0x5,%es:0x10(%bx,%si)", B(0x26, 0xc6, 0x40, 0x10, 0x05),
	  { STI, 5, 1, 0, false, 0, true, 0x05 } },
	{ 16, "movzbw (%si),%ax", B(0x0f, 0xb6, 0x04),
	  { ZX, 3, 1, 0, false, 2, false, 0 } },
	{ 16, "movzbl (%si),%eax", B(0x66, 0x0f, 0xb6, 0x04),
	  { ZX, 4, 1, 0, false, 4, false, 0 } },
	{ 16, "movswl 0x1234,%ecx", B(0x66, 0x0f, 0xbf, 0x0e, 0x34, 0x12),
	  { SX, 6, 2, 1, false, 4, false, 0 } },
};

/*
 * Bytes the decoder must refuse: not an instruction, no memory operand,
 * a LOCK the CPU refuses, too long, or an instruction not emulated.
 */
struct reject_case {
	int mode;
	const char *name;
	u8 bytes[20];
	unsigned int nbytes;
};

static const struct reject_case reject_cases[] = {
	{ 64, "empty", .nbytes = 0 },
	{ 64, "nop", B(0x90) },
	{ 64, "syscall", B(0x0f, 0x05) },
	{ 64, "0f_only", B(0x0f) },
	{ 64, "0f38_only", B(0x0f, 0x38) },
	{ 64, "mov_to_sreg", B(0x8e, 0x18) },
	{ 64, "lea", B(0x48, 0x8d, 0x00) },
	{ 64, "prefixes_only", B(0x66, 0x67, 0x2e) },
	{ 64, "rex_only", B(0x48) },
	{ 64, "mod3_mov_store", B(0x89, 0xc1) },
	{ 64, "mod3_mov_load", B(0x8b, 0xc8) },
	{ 64, "mod3_mov_byte", B(0x88, 0xe0) },
	{ 64, "mod3_mov_imm", B(0xc6, 0xc0, 0x12) },
	{ 64, "mod3_movzx", B(0x0f, 0xb6, 0xc0) },
	{ 64, "mod3_movsxd", B(0x48, 0x63, 0xc0) },
	{ 64, "mod3_add", B(0x01, 0xc0) },
	{ 64, "mod3_movdqu", B(0xf3, 0x0f, 0x6f, 0xc1) },
	{ 64, "xabort", B(0xc6, 0xf8, 0x00) },
	{ 64, "xbegin", B(0xc7, 0xf8, 0x00, 0x00, 0x00, 0x00) },
	{ 64, "c7_reg1", B(0xc7, 0x08, 0x00, 0x00, 0x00, 0x00) },
	{ 64, "lock_mov", B(0xf0, 0x89, 0x00) },
	{ 64, "prefix_lock_mov", B(0x66, 0xf0, 0x89, 0x00) },
	{ 32, "lock_mov_32", B(0xf0, 0x89, 0x00) },
	{ 64, "lock_cmp", B(0xf0, 0x39, 0x00) },
	{ 64, "lock_test_imm", B(0xf0, 0xf6, 0x00, 0x01) },
	{ 64, "lock_bt", B(0xf0, 0x0f, 0xa3, 0x00) },
	{ 64, "lock_movdqu", B(0xf0, 0xf3, 0x0f, 0x6f, 0x00) },
	{ 64, "lock_shl", B(0xf0, 0xd1, 0x20) },
	{ 64, "mul", B(0xf7, 0x20) },
	{ 64, "imul", B(0xf7, 0x28) },
	{ 64, "div", B(0xf7, 0x30) },
	{ 64, "idiv", B(0xf6, 0x38) },
	{ 64, "imul_r_rm", B(0x0f, 0xaf, 0x00) },
	{ 64, "call_indirect", B(0xff, 0x10) },
	{ 64, "push_mem", B(0xff, 0x30) },
	{ 64, "pop_mem", B(0x8f, 0x00) },
	{ 64, "grp8_reserved", B(0x0f, 0xba, 0x00, 0x01) },
	{ 64, "cmpxchg8b_reg0", B(0x0f, 0xc7, 0x00) },
	{ 64, "vex2_vmovdqu", B(0xc5, 0xfa, 0x6f, 0x00) },
	{ 64, "vex3_vmovdqu", B(0xc4, 0xe1, 0x7a, 0x6f, 0x00) },
	{ 64, "evex", B(0x62, 0xf1, 0x7e, 0x48, 0x6f, 0x00) },
	{ 64, "mmx_movq", B(0x0f, 0x6f, 0x00) },
	{ 64, "movddup", B(0xf2, 0x0f, 0x12, 0x00) },
	{ 64, "crc32", B(0xf2, 0x0f, 0x38, 0xf0, 0x00) },
	{ 64, "mod3_movbe", B(0x0f, 0x38, 0xf0, 0xc0) },
	{ 64, "movnti_66", B(0x66, 0x0f, 0xc3, 0x00) },
	{ 64, "82_in_64", B(0x82, 0x00, 0x01) },
	{ 64, "16_bytes_imm",
	  B(0x2e, 0x2e, 0x2e, 0x64, 0x4b, 0xc7, 0x84, 0x88, 0x78, 0x56,
	    0x34, 0x12, 0x01, 0x00, 0x00, 0x00) },
	{ 64, "14_prefixes_mov",
	  B(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
	    0x3e, 0x3e, 0x3e, 0x3e, 0x89, 0x00) },
	{ 64, "15_prefixes",
	  B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	    0x66, 0x66, 0x66, 0x66, 0x66, 0x89, 0x00) },
	{ 32, "arpl_32", B(0x63, 0x00) },
	{ 16, "arpl_16", B(0x63, 0x00) },
	{ 32, "inc_not_rex_32", B(0x40, 0x89, 0x00) },
	{ 16, "dec_not_rex_16", B(0x48, 0x89, 0x00) },
	{ 32, "les", B(0xc4, 0x00) },
	{ 8, "bad_mode", B(0x89, 0x00) },
};

/* GPR contents for the store and load tests: every byte 0-1 and 7 differs */
#define REG_FILL(i)	(0xf0e1d2c3b4a59687ULL + (i) * 0x0100000000000101ULL)

/* A store and the value it writes, from registers REG_FILL. */
struct store_case {
	int mode;
	const char *text;
	u8 bytes[INSN_MAX_LEN];
	unsigned int nbytes;
	u64 value;
};

static const struct store_case store_cases[] = {
	{ 64, "mov %al,(%rax)", B(0x88, 0x00), 0x87 },
	{ 64, "mov %ah,(%rax)", B(0x88, 0x20), 0x96 },
	{ 64, "mov %bh,(%rdi)", B(0x88, 0x3f), 0x99 },
	{ 64, "mov %spl,(%rax)", B(0x40, 0x88, 0x20), 0x8b },
	{ 64, "mov %dil,(%rsi)", B(0x40, 0x88, 0x3e), 0x8e },
	{ 64, "mov %ax,(%rax)", B(0x66, 0x89, 0x00), 0x9687 },
	{ 64, "mov %eax,(%rax)", B(0x89, 0x00), 0xb4a59687 },
	{ 64, "mov %rax,(%rax)", B(0x48, 0x89, 0x00), 0xf0e1d2c3b4a59687ULL },
	{ 64, "mov %r15,(%rax)", B(0x4c, 0x89, 0x38), 0xffe1d2c3b4a5a596ULL },
	{ 64, "mov %r9b,(%rax)", B(0x44, 0x88, 0x08), 0x90 },
	{ 64, "movabs %al,0x1122334455667788",
	  B(0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), 0x87 },
	{ 64, "movabs %rax,0x1122334455667788",
	  B(0x48, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  0xf0e1d2c3b4a59687ULL },
	{ 64, "movb $0x80,0x10(%rbx)", B(0xc6, 0x43, 0x10, 0x80), 0x80 },
	{ 64, "movw $0xfffe,0x4(%rcx)",
	  B(0x66, 0xc7, 0x41, 0x04, 0xfe, 0xff), 0xfffe },
	{ 64, "movl $0x80000000,(%rax)",
	  B(0xc7, 0x00, 0x00, 0x00, 0x00, 0x80), 0x80000000 },
	{ 64, "movq $0xffffffffffffffff,(%rax)",
	  B(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff), ~0ULL },
	{ 64, "movq $0xffffffff80000000,0x12345678(%rip)",
	  B(0x48, 0xc7, 0x05, 0x78, 0x56, 0x34, 0x12,
	    0x00, 0x00, 0x00, 0x80), 0xffffffff80000000ULL },
	{ 32, "mov %edx,0x10(%esp)", B(0x89, 0x54, 0x24, 0x10), 0xb4a59889 },
	{ 32, "mov %ch,(%eax)", B(0x88, 0x28), 0x97 },
	{ 16, "mov %ax,(%bx,%di)", B(0x89, 0x01), 0x9687 },
	{ 16, "mov %eax,(%bx)", B(0x66, 0x89, 0x07), 0xb4a59687 },
	/* a load has no store value */
	{ 64, "mov (%rax),%rcx", B(0x48, 0x8b, 0x08), 0 },
};

/*
 * A decoded load, the bytes the device returns (with junk above the access
 * size where it tests that the junk is dropped), and the register's value
 * before and after the load.
 */
struct load_case {
	int mode;
	const char *text;
	u8 bytes[INSN_MAX_LEN];
	unsigned int nbytes;
	u8 reg;
	u64 value;
	u64 before;
	u64 after;
};

#define OLD	0x1122334455667788ULL

static const struct load_case load_cases[] = {
	{ 64, "mov (%rax),%al", B(0x8a, 0x00), 0,
	  0xab, OLD, 0x11223344556677abULL },
	{ 64, "mov (%rax),%al junk", B(0x8a, 0x00), 0,
	  0xffffffffffffff12ULL, OLD, 0x1122334455667712ULL },
	{ 64, "mov (%rbx),%ch", B(0x8a, 0x2b), 1,
	  0xab, OLD, 0x112233445566ab88ULL },
	{ 64, "mov (%rbx),%bpl", B(0x40, 0x8a, 0x2b), 5,
	  0xab, OLD, 0x11223344556677abULL },
	{ 64, "mov (%rax),%r8b", B(0x44, 0x8a, 0x00), 8,
	  0x01, OLD, 0x1122334455667701ULL },
	{ 64, "mov (%rax),%dx", B(0x66, 0x8b, 0x10), 2,
	  0xbeef, OLD, 0x112233445566beefULL },
	{ 64, "mov (%rax),%ebx", B(0x8b, 0x18), 3,
	  0xdeadbeef, OLD, 0xdeadbeefULL },
	{ 64, "mov (%rax),%ebx junk", B(0x8b, 0x18), 3,
	  0x12345678deadbeefULL, OLD, 0xdeadbeefULL },
	{ 64, "mov (%rax),%rcx", B(0x48, 0x8b, 0x08), 1,
	  0x8877665544332211ULL, OLD, 0x8877665544332211ULL },
	{ 64, "mov 0x8(%rbp),%r12", B(0x4c, 0x8b, 0x65, 0x08), 12,
	  0xfedcba9876543210ULL, OLD, 0xfedcba9876543210ULL },
	{ 64, "movabs 0x1122334455667788,%al",
	  B(0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), 0,
	  0x5a, OLD, 0x112233445566775aULL },
	{ 64, "movabs 0x1122334455667788,%eax",
	  B(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), 0,
	  0x80000000, OLD, 0x80000000ULL },
	{ 64, "movzbl (%rax),%eax", B(0x0f, 0xb6, 0x00), 0,
	  0x80, OLD, 0x80 },
	{ 64, "movzbw (%rax),%ax", B(0x66, 0x0f, 0xb6, 0x00), 0,
	  0x80, OLD, 0x1122334455660080ULL },
	{ 64, "movzbq (%rax),%rax", B(0x48, 0x0f, 0xb6, 0x00), 0,
	  0xff, OLD, 0xff },
	{ 64, "movzwq 0x10(%rsi),%r9", B(0x4c, 0x0f, 0xb7, 0x4e, 0x10), 9,
	  0xffff8001ULL, OLD, 0x8001 },
	{ 64, "movsbl (%rax),%edx", B(0x0f, 0xbe, 0x10), 2,
	  0x80, OLD, 0xffffff80ULL },
	{ 64, "movsbw (%rax),%ax", B(0x66, 0x0f, 0xbe, 0x00), 0,
	  0x80, OLD, 0x112233445566ff80ULL },
	{ 64, "movsbq (%rax),%rax", B(0x48, 0x0f, 0xbe, 0x00), 0,
	  0x80, OLD, 0xffffffffffffff80ULL },
	{ 64, "movsbq (%rax),%rax positive", B(0x48, 0x0f, 0xbe, 0x00), 0,
	  0x7f, OLD, 0x7f },
	{ 64, "movswl (%rax),%eax", B(0x0f, 0xbf, 0x00), 0,
	  0x8000, OLD, 0xffff8000ULL },
	{ 64, "movswq (%rax),%rbx", B(0x48, 0x0f, 0xbf, 0x18), 3,
	  0x8001, OLD, 0xffffffffffff8001ULL },
	{ 64, "movslq (%rax),%rax", B(0x48, 0x63, 0x00), 0,
	  0x80000000, OLD, 0xffffffff80000000ULL },
	{ 64, "movslq (%rax),%rax positive", B(0x48, 0x63, 0x00), 0,
	  0x7fffffff, OLD, 0x7fffffff },
	{ 64, "movsxd (%rax),%eax", B(0x63, 0x00), 0,
	  0x80000000, OLD, 0x80000000ULL },
	/* outside 64-bit mode a 32-bit load leaves bits 63:32 of the slot */
	{ 32, "mov (%eax),%ebx", B(0x8b, 0x18), 3,
	  0xdeadbeef, OLD, 0x11223344deadbeefULL },
	{ 32, "mov (%eax),%dh", B(0x8a, 0x30), 2,
	  0xab, OLD, 0x112233445566ab88ULL },
	{ 32, "movzwl (%eax),%ecx", B(0x0f, 0xb7, 0x08), 1,
	  0x8000, OLD, 0x1122334400008000ULL },
	{ 32, "movsbl (%eax),%edx", B(0x0f, 0xbe, 0x10), 2,
	  0xfe, OLD, 0x11223344fffffffeULL },
	{ 16, "mov 0x1234,%dx", B(0x8b, 0x16, 0x34, 0x12), 2,
	  0xbeef, OLD, 0x112233445566beefULL },
	{ 16, "mov 0x0(%bp),%ah", B(0x8a, 0x66, 0x00), 0,
	  0xab, OLD, 0x112233445566ab88ULL },
	{ 16, "mov %fs:-0x2(%bp,%si),%eax", B(0x64, 0x66, 0x8b, 0x42, 0xfe),
	  0, 0xcafef00d, OLD, 0x11223344cafef00dULL },
	{ 16, "movzbw (%si),%ax", B(0x0f, 0xb6, 0x04), 0,
	  0xf0, OLD, 0x11223344556600f0ULL },
	/* a store leaves the registers alone */
	{ 64, "mov %rax,(%rax)", B(0x48, 0x89, 0x00), 0,
	  0x5555, OLD, OLD },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static u8 *guard_end;	/* the first byte of an inaccessible page */

/*
 * Decode @n bytes copied so that they end right at the guard page: any
 * read beyond them faults.
 */
static int decode(const u8 *bytes, unsigned int n, int mode,
		  struct insn_mmio *out)
{
	u8 *p = guard_end - n;
	struct emu e = { .mode = mode, .bytes = p, .nbytes = n };
	const struct emu_insn *in = &e.insn;
	u8 op = 0;

	memcpy(p, bytes, n);
	memset(out, 0, sizeof(*out));
	if (emu_decode(&e))
		return -1;
	if (in->map == 0)
		op = in->op;
	else if (in->map == 1)
		op = in->op;
	out->kind = INSN_OTHER;
	switch (in->map == 0 ? op : 0x100 | op) {
	case 0x88: case 0x89:
		out->kind = INSN_MOV_STORE;
		break;
	case 0xc6: case 0xc7:
		out->kind = INSN_MOV_STORE_IMM;
		break;
	case 0x8a: case 0x8b:
		out->kind = INSN_MOV_LOAD;
		break;
	case 0xa0: case 0xa1:
		out->kind = INSN_MOV_LOAD_MOFFS;
		break;
	case 0xa2: case 0xa3:
		out->kind = INSN_MOV_STORE_MOFFS;
		break;
	case 0x1b6: case 0x1b7:
		out->kind = INSN_MOVZX;
		break;
	case 0x1be: case 0x1bf: case 0x63:
		out->kind = INSN_MOVSX;
		break;
	}
	out->len = in->len;
	out->size = in->mem_size;
	out->write = out->kind == INSN_MOV_STORE ||
		     out->kind == INSN_MOV_STORE_IMM ||
		     out->kind == INSN_MOV_STORE_MOFFS;
	if (out->kind == INSN_MOV_STORE || out->kind == INSN_MOV_LOAD ||
	    out->kind == INSN_MOVZX || out->kind == INSN_MOVSX) {
		out->reg = in->reg;
		if (in->op_size == 1 && !in->rex && in->reg >= 4) {
			out->reg -= 4;
			out->high8 = true;
		}
	}
	if (!out->write)
		out->dst_size = in->op_size;
	if (out->kind == INSN_MOV_STORE_IMM)
		out->imm = in->imm & (in->mem_size == 8 ? ~0ULL :
				      (1ULL << (8 * in->mem_size)) - 1);
	return 0;
}

static void print_insn(const char *what, const struct insn_mmio *i)
{
	printf("#   %s: kind %d len %u size %u reg %u high8 %d", what,
	       i->kind, i->len, i->size, i->reg, i->high8);
	printf(" dst_size %u write %d imm %#llx\n", i->dst_size, i->write,
	       (unsigned long long)i->imm);
}

static bool insn_equal(const struct insn_mmio *a, const struct insn_mmio *b)
{
	return a->kind == b->kind && a->len == b->len &&
	       a->size == b->size && a->reg == b->reg &&
	       a->high8 == b->high8 && a->dst_size == b->dst_size &&
	       a->write == b->write && a->imm == b->imm;
}

/*
 * One decode case: the full bytes decode as expected, the same bytes with
 * more after them decode the same (the length does not depend on what
 * follows), and every proper prefix of them is refused as truncated.
 */
static bool check_decode(const struct decode_case *c)
{
	struct insn_mmio got;
	u8 longer[32];
	unsigned int n;
	bool ok = true;

	if (decode(c->bytes, c->nbytes, c->mode, &got)) {
		printf("# decode failed\n");
		return false;
	}
	if (!insn_equal(&got, &c->want)) {
		print_insn("want", &c->want);
		print_insn("got ", &got);
		ok = false;
	}
	if (c->want.len != c->nbytes) {
		printf("# table error: %u bytes given, length %u\n",
		       c->nbytes, c->want.len);
		ok = false;
	}

	memset(longer, 0x90, sizeof(longer));
	memcpy(longer, c->bytes, c->nbytes);
	if (decode(longer, sizeof(longer), c->mode, &got) ||
	    !insn_equal(&got, &c->want)) {
		printf("# decode with trailing bytes differs\n");
		ok = false;
	}

	for (n = 0; n < c->nbytes; n++) {
		if (decode(c->bytes, n, c->mode, &got) != -1) {
			printf("# truncated to %u bytes: not refused\n", n);
			ok = false;
		}
	}
	return ok;
}

static bool check_reject(const struct reject_case *c)
{
	struct insn_mmio got;

	if (decode(c->bytes, c->nbytes, c->mode, &got) != -1) {
		print_insn("accepted", &got);
		return false;
	}
	return true;
}

static void fill_regs(u64 *regs)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		regs[i] = REG_FILL(i);
}

/* The memory of check_store() and check_load(): one access, logged. */
struct mem {
	u64 value;		/* what a read returns */
	u64 written;
	unsigned int reads, writes, size;
};

static int mem_read(struct emu *e, u64 la, void *buf, unsigned int size)
{
	struct mem *m = e->priv;

	(void)la;
	memcpy(buf, &m->value, size > 8 ? 8 : size);
	m->reads++;
	m->size = size;
	return EMU_OK;
}

static int mem_write(struct emu *e, u64 la, const void *buf,
		     unsigned int size)
{
	struct mem *m = e->priv;

	(void)la;
	m->written = 0;
	memcpy(&m->written, buf, size > 8 ? 8 : size);
	m->writes++;
	m->size = size;
	return EMU_OK;
}

static const struct emu_ops mem_ops = {
	.read = mem_read,
	.write = mem_write,
};

static int run(const u8 *bytes, unsigned int n, int mode, u64 *regs,
	       struct mem *m)
{
	struct emu e = {
		.mode = mode, .bytes = bytes, .nbytes = n,
		.ops = &mem_ops, .priv = m, .rflags = 2,
	};
	int r;

	memcpy(e.gpr, regs, sizeof(e.gpr));
	r = emu_run(&e);
	if (r)
		printf("# emu_run: %s\n", emu_result_name(r));
	else
		memcpy(regs, e.gpr, sizeof(e.gpr));
	return r;
}

static bool check_store(const struct store_case *c)
{
	struct mem m = { 0 };
	u64 regs[16];

	fill_regs(regs);
	if (run(c->bytes, c->nbytes, c->mode, regs, &m))
		return false;
	if (m.written != c->value || m.writes != (c->value ? 1 : 0)) {
		printf("# want %#llx got %#llx (%u writes)\n",
		       (unsigned long long)c->value,
		       (unsigned long long)m.written, m.writes);
		return false;
	}
	return true;
}

static bool check_load(const struct load_case *c)
{
	struct mem m = { .value = c->value };
	u64 regs[16], want[16];
	bool ok = true;
	unsigned int i;

	fill_regs(regs);
	regs[c->reg] = c->before;
	memcpy(want, regs, sizeof(want));
	want[c->reg] = c->after;

	if (run(c->bytes, c->nbytes, c->mode, regs, &m))
		return false;
	for (i = 0; i < 16; i++) {
		if (regs[i] != want[i]) {
			printf("# reg %u: want %#llx got %#llx\n", i,
			       (unsigned long long)want[i],
			       (unsigned long long)regs[i]);
			ok = false;
		}
	}
	return ok;
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned int i;
	u8 *map;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || mprotect(map + page, page, PROT_NONE)) {
		perror("mmap");
		return 1;
	}
	guard_end = map + page;

	test_plan(ARRAY_SIZE(decode_cases) + ARRAY_SIZE(reject_cases) +
		  ARRAY_SIZE(store_cases) + ARRAY_SIZE(load_cases));

	for (i = 0; i < ARRAY_SIZE(decode_cases); i++)
		test_result(check_decode(&decode_cases[i]), "decode%d: %s",
			    decode_cases[i].mode, decode_cases[i].text);
	for (i = 0; i < ARRAY_SIZE(reject_cases); i++)
		test_result(check_reject(&reject_cases[i]), "reject%d: %s",
			    reject_cases[i].mode, reject_cases[i].name);
	for (i = 0; i < ARRAY_SIZE(store_cases); i++)
		test_result(check_store(&store_cases[i]), "store%d: %s",
			    store_cases[i].mode, store_cases[i].text);
	for (i = 0; i < ARRAY_SIZE(load_cases); i++)
		test_result(check_load(&load_cases[i]), "load%d: %s",
			    load_cases[i].mode, load_cases[i].text);

	munmap(map, 2 * page);
	return test_totals();
}
