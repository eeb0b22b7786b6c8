/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gdb remote serial protocol server of 'vtxctl run --gdb', without its
 * transport: a state machine that is fed the bytes gdb sends, parses and
 * checks them, and answers through callbacks.  It opens no socket, starts
 * no thread and makes no vtxhv ioctl: the target operations (registers,
 * guest-virtual memory, breakpoints, resuming and stopping the vCPUs) are
 * the caller's, in struct gdb_target_ops, so the host unit test drives it
 * with a fake target.
 *
 * What gdb sees: an all-stop target of one thread per vCPU (gdb thread
 * ids 1..nthreads for vCPUs 0..nthreads-1), described by a target.xml
 * this file generates from its register table, 64-bit (i386:x86-64) or
 * 32-bit (i386) as struct gdb_rsp's long_mode says when gdb asks.
 *
 * Not done: non-stop mode, extended-remote (!, vRun, vAttach), the
 * multiprocess thread-id syntax, tracepoints, file I/O, qThreadExtraInfo,
 * range stepping (vCont;r), conditions and commands on breakpoints (Z
 * with ;X), run-length encoding of what it sends (binary replies are only
 * escaped), partial memory reads, and AVX and later state (no ymm/zmm).
 */
#ifndef VTXCTL_GDB_RSP_H
#define VTXCTL_GDB_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The PacketSize advertised in qSupported: the most data bytes (between
 * '$' and '#') a packet from gdb may hold; a longer one is answered with
 * GDB_RSP_E2BIG.  Replies hold at most as many.
 */
#define GDB_RSP_PACKET_SIZE	4096
/*
 * The most bytes of one m or M packet, whose data is hex (an m reply holds
 * twice as many characters); X, binary, may carry GDB_RSP_PACKET_SIZE.
 */
#define GDB_RSP_MAX_MEM		(GDB_RSP_PACKET_SIZE / 2)
/* The most threads (vCPUs) a server serves. */
#define GDB_RSP_MAX_THREADS	256
/* Room for the generated target.xml of either mode. */
#define GDB_RSP_XML_SIZE	12288

/*
 * The errors of "Enn" replies.  The target operations return 0 or -errno,
 * and so do the packet parsers; an errno becomes:
 *   EINVAL                              E01  malformed packet or argument
 *   EMSGSIZE, E2BIG, ERANGE, EOVERFLOW  E02  a number, a length or the
 *                                            packet itself too large
 *   EFAULT                              E03  guest memory not accessible
 *   ESRCH                               E04  no such thread
 *   ENOSPC                              E05  no free breakpoint slot
 *   any other                           E06
 * EOPNOTSUPP, or a NULL operation, gives the empty reply
 * instead: "not supported", which gdb takes as such (for a Z type, say).
 */
#define GDB_RSP_EINVAL		0x01
#define GDB_RSP_E2BIG		0x02
#define GDB_RSP_EFAULT		0x03
#define GDB_RSP_ESRCH		0x04
#define GDB_RSP_ENOSPC		0x05
#define GDB_RSP_EOTHER		0x06

/* The signals of stop replies: gdb's numbering, which is Linux's here. */
#define GDB_SIGINT		2
#define GDB_SIGTRAP		5

/* Z/z packet types, as set_bp gets them. */
#define GDB_BP_SW		0
#define GDB_BP_HW		1
#define GDB_WATCH_WRITE		2
#define GDB_WATCH_READ		3
#define GDB_WATCH_ACCESS	4

/*
 * A vCPU's registers as gdb sees them, for both descriptions: the 32-bit
 * one uses the low halves of the 64-bit fields (eax is rax's low 4 bytes)
 * and leaves the others alone.  Values are in host order, which is
 * little-endian, gdb's order for x86.
 */
struct gdb_x86_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip;
	uint32_t eflags;
	uint32_t cs, ss, ds, es, fs, gs;	/* selectors */
	uint64_t fs_base, gs_base;
	uint8_t st[8][10];			/* x87 80-bit, ST(i) order */
	uint32_t fctrl, fstat, ftag;		/* ftag: the full 16-bit tags */
	uint32_t fiseg, fioff, foseg, fooff, fop;
	uint8_t xmm[16][16];
	uint32_t mxcsr;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
};

/* The features of target.xml, in the order it lists them. */
enum gdb_reg_feature {
	GDB_FEAT_CORE,		/* org.gnu.gdb.i386.core */
	GDB_FEAT_SSE,		/* org.gnu.gdb.i386.sse */
	GDB_FEAT_SEGMENTS,	/* org.gnu.gdb.i386.segments (64-bit) */
	GDB_FEAT_CONTROL,	/* org.vtxhv.x86.control */
	GDB_FEAT_COUNT
};

/*
 * One register of a description: gdb's register number is its index in
 * the table, which is also its order in g and G packets.
 */
struct gdb_reg_desc {
	const char *name;
	const char *type;		/* gdb's, or target.xml's own */
	const char *group;		/* its reggroup, or NULL */
	uint16_t offset;		/* in struct gdb_x86_regs */
	uint8_t size;			/* bytes */
	uint8_t feature;		/* enum gdb_reg_feature */
};

/*
 * The x87 and SSE registers of @r from, or into, a 64-bit FXSAVE image
 * (512 bytes, SDM Vol. 1, table 10-2).  gdb's full tag word is computed
 * from the abridged one and the registers' contents, and folded back; its
 * fiseg/foseg are the high halves of the 64-bit FPU IP and DP.
 */
void gdb_rsp_fpu_from_fxsave(struct gdb_x86_regs *r, const uint8_t *fx);
void gdb_rsp_fpu_to_fxsave(const struct gdb_x86_regs *r, uint8_t *fx);

/* The register table of a mode, and its size in bytes (a g reply's / 2). */
const struct gdb_reg_desc *gdb_rsp_regs(bool long_mode, size_t *nregs);
size_t gdb_rsp_regs_size(bool long_mode);

/*
 * Write the target.xml of a mode into @buf, NUL-terminated and truncated
 * to @size like snprintf; return its full length.
 */
size_t gdb_rsp_target_xml(bool long_mode, char *buf, size_t size);

/* What a resume asks of each thread. */
enum gdb_resume_action {
	GDB_RESUME_NONE,	/* stays stopped */
	GDB_RESUME_CONTINUE,
	GDB_RESUME_STEP,	/* one instruction, then a stop */
};

/*
 * The target, implemented by vtxctl (and by a fake in the unit test).
 * Every operation but send may be NULL: the packets that need it then get
 * the empty reply.  They return 0 or -errno (see the error table above);
 * they may call gdb_rsp_stopped() and gdb_rsp_exited(), never
 * gdb_rsp_input().  @thread is a gdb thread id, 1..nthreads.
 *
 * @resume:	start the threads, @action[t - 1] saying what thread t does
 *		(nthreads entries); the server then waits for
 *		gdb_rsp_stopped().  Called for c, C, s, S, vCont and D.
 * @interrupt:	gdb typed ^C: stop the running threads, then report with
 *		gdb_rsp_stopped(.., GDB_SIGINT, NULL).
 * @kill:	the k packet: end the guest.  No reply is sent.
 * @send:	bytes for gdb; all of them (the caller buffers).
 */
struct gdb_target_ops {
	int (*get_regs)(void *ctx, int thread, struct gdb_x86_regs *r);
	int (*set_regs)(void *ctx, int thread, const struct gdb_x86_regs *r);
	int (*read_mem)(void *ctx, int thread, uint64_t gva, void *buf,
			size_t len);
	int (*write_mem)(void *ctx, int thread, uint64_t gva, const void *buf,
			 size_t len);
	int (*set_bp)(void *ctx, int type, uint64_t addr, int kind,
		      bool insert);
	int (*resume)(void *ctx, const enum gdb_resume_action *action);
	int (*interrupt)(void *ctx);
	int (*kill)(void *ctx);
	void (*send)(void *ctx, const char *buf, size_t len);
};

/* Framing states of the input parser. */
enum gdb_rsp_rx {
	GDB_RX_IDLE,		/* between packets: acks, ^C */
	GDB_RX_DATA,		/* after '$' */
	GDB_RX_CSUM1,		/* after '#' */
	GDB_RX_CSUM2,
};

/*
 * A gdb server.  The caller sets it up with gdb_rsp_init() and may change
 * long_mode later (gdb reads target.xml once, at connection: a mode change
 * takes a reconnection to be seen).  The rest is the server's.
 */
struct gdb_rsp {
	const struct gdb_target_ops *ops;
	void *ctx;
	int nthreads;			/* vCPUs: gdb threads 1..nthreads */
	bool long_mode;			/* the 64-bit description, or i386 */

	/* Framing. */
	enum gdb_rsp_rx rx;
	size_t in_len;
	bool in_overflow;		/* the packet outgrew in[] */
	uint8_t in_sum, in_csum;	/* computed, received */
	bool in_csum_ok;		/* its first digit was hex */
	bool no_ack;			/* after QStartNoAckMode */
	bool ended;			/* after D or k */

	/* Session. */
	bool gdb_swbreak, gdb_hwbreak;	/* stop reasons gdb announced */
	bool running;			/* resumed, no stop reported yet */
	int g_thread;			/* Hg: registers, memory; 0 = any */
	int c_thread;			/* Hc: c and s; -1 = all, 0 = any */
	int stop_thread, stop_signal;	/* the last stop */

	size_t reply_len;
	bool reply_overflow;
	size_t last_len;		/* the framed packet '-' resends */
	enum gdb_resume_action action[GDB_RSP_MAX_THREADS];

	char in[GDB_RSP_PACKET_SIZE + 1];
	char reply[GDB_RSP_PACKET_SIZE];
	char last[GDB_RSP_PACKET_SIZE + 4];
	uint8_t mem[GDB_RSP_PACKET_SIZE];	/* m, M, X data */
	char xml[GDB_RSP_XML_SIZE];
};

/* gdb_rsp_input()'s return: gdb detached or killed; close the connection. */
#define GDB_RSP_END	1

/*
 * Set up @s for a new connection, stopped on thread 1 with SIGTRAP.
 * -EINVAL if @nthreads is not 1..GDB_RSP_MAX_THREADS or ops->send is NULL.
 */
int gdb_rsp_init(struct gdb_rsp *s, const struct gdb_target_ops *ops,
		 void *ctx, int nthreads, bool long_mode);
/*
 * Forget the connection (acks back on, thread selections reset) but not
 * the last stop: for the next gdb to connect.
 */
void gdb_rsp_reset(struct gdb_rsp *s);

/*
 * Consume @len bytes from gdb: any split, several packets, acks and ^C
 * mixed.  Return 0, or GDB_RSP_END once a D or k was handled (the bytes
 * after it are dropped; gdb_rsp_reset() before the next connection).
 */
int gdb_rsp_input(struct gdb_rsp *s, const char *buf, size_t len);

/*
 * Report a stop of @thread (1..nthreads) with @signal (GDB_SIGTRAP after
 * a step or breakpoint, GDB_SIGINT after an interrupt): the reply gdb has
 * waited for since it resumed, "T05thread:01;" and @reason if not NULL,
 * e.g. "swbreak:", "hwbreak:", "watch:ADDR", "rwatch:ADDR", "awatch:ADDR"
 * (hex ADDR).  swbreak and hwbreak are dropped unless gdb announced them
 * in qSupported; a reason that could break the framing is dropped too.
 */
void gdb_rsp_stopped(struct gdb_rsp *s, int thread, int signal,
		     const char *reason);
/* Report that the guest ended (powered off, reset): "Wxx". */
void gdb_rsp_exited(struct gdb_rsp *s, int status);

#endif /* VTXCTL_GDB_RSP_H */
