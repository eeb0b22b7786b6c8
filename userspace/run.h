/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtxctl run, shared by the files it is made of:
 *
 *   cmd_run.c      options, the image and the GDT page, the VM's life
 *   run_vcpu.c     a vCPU: its set-up, the run loop and the exit handlers
 *   run_threads.c  the threads: the vCPUs', the timer's and the input's,
 *                  the devices' clock, and how the run ends
 *   run_report.c   what a run prints: exit diagnostics and --stats
 *   run_gdb.c      --gdb: the gdb stub's target and the vCPUs' stops;
 *                  run_gdb_thread.c its thread (gdb_rsp.c the protocol)
 *   boot_regs.c    the registers a vCPU starts with, per boot mode
 *   cpuid.c        the CPUID a guest sees
 *   term.c         the console on stdin
 */
#ifndef VTXCTL_RUN_H
#define VTXCTL_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "acpi.h"
#include "boot_regs.h"
#include "dev_lock.h"
#include "devices.h"
#include "loader.h"
#include "vtxctl.h"
#include "x86.h"

/* Exit statuses of 'run' that tell how the guest ended (docs/vtxctl.8). */
#define RUN_HALTED		0	/* every vCPU: HLT with IF = 0 */
#define RUN_TRIPLE_FAULT	2
#define RUN_ENTRY_FAILED	4
#define RUN_INTERNAL_ERROR	6	/* or an exit vtxctl cannot handle */
#define RUN_GDB_KILL		8	/* gdb's kill command */
#define RUN_TIMEOUT		124
#define RUN_STOPPED		(-1)	/* stopped: another vCPU ended */
#define RUN_RESET		1000	/* 8042 reset, ACPI S5: all stop, 0 */

/* --ap-wakeup: how the APs of a bzImage start (cmd_run.c) */
enum ap_wakeup {
	AP_WAKEUP_SIPI,		/* INIT and SIPI, in real mode */
	AP_WAKEUP_MAILBOX,	/* the ACPI wake-up mailbox, in long mode */
};

struct run_opts {
	uint64_t mem;
	unsigned int cpus;
	enum guest_mode mode;
	uint64_t load, entry;
	bool has_load, has_entry, has_mem, stats;
	int paging;		/* VTXHV_PAGING_*, -1: EPT where offered */
	int irqchip;		/* 1 on, 0 off, -1: bzImage, or --cpus > 1
				 * with multiboot */
	int ap_wakeup;		/* enum ap_wakeup, -1: by the paging mode */
	const char *append, *initrd, *image;
	double timeout;		/* seconds, 0 = none */
	const char *gdb;	/* --gdb [HOST:]PORT, or NULL */
	bool gdb_wait;
};

struct vm;
struct gdb_stub;

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct vtxhv_run *run;
	pthread_t thread;
	bool started, done;
	uint64_t exits[VTXHV_EXIT_IRQ_WINDOW_OPEN + 2];	/* last: other */
	/* vCPU 0, which takes the PIC's interrupts; under vm->dev_lock. */
	bool kicked;		/* a kick is on its way: no second one */
	bool halted;		/* waiting in HLT for an interrupt */
	bool window;		/* request_interrupt_window is set */
	bool queued;		/* VTXHV_INTERRUPT since the last real exit */
	bool halted_off;	/* irqchip: in HLT with IF = 0 (vm->lock) */
	uint64_t injected;
};

struct vm {
	int dev, fd;
	int paging;		/* VTXHV_PAGING_* of the VM */
	/*
	 * The in-kernel local APICs and I/O APIC (VTXHV_VM_IRQCHIP), with
	 * firmware tables (fw): APs wait for INIT/SIPI, or with
	 * fw.mp_wakeup in the wake-up mailbox; device lines go to the I/O
	 * APIC as well as the PIC, HLT sleeps in the kernel.
	 */
	bool irqchip;
	uint64_t extensions;	/* the module's caps.extensions */
	struct fw_config fw;
	unsigned int halted_off;	/* irqchip: vCPUs in HLT with IF = 0 */
	uint8_t *ram;
	uint64_t ram_size;
	long run_size;
	struct load_result res;
	uint64_t gdt;

	/*
	 * Devices are used by every vCPU thread, the timer thread and the
	 * input thread: dev_lock serialises them.  dev_cond wakes the timer
	 * thread (the PIT was programmed), a halted vCPU 0 (an interrupt
	 * came) and the input thread (the UART has room).  Lock order:
	 * vm->lock, then dev_lock.  Both start zeroed (dev_lock.h).
	 */
	struct dev_lock dev_lock;
	struct dev_cond dev_cond;
	struct devices devs;
	struct timespec t0;	/* CLOCK_MONOTONIC at the start: time 0 */
	uint64_t wall_ns;	/* from t0 to the end of the run */
	bool warned_vector, warned_irq_line;
	pthread_t timer, input;
	bool timer_started, input_started;
	int wake[2];		/* self-pipe: wakes the input thread's poll */

	/* How the run ends: under lock, cond signalled as vCPUs finish. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int ndone;
	int status;		/* -1 until a vCPU or the timeout decides */
	volatile int stopping;

	unsigned int ncpus;
	struct vcpu *vcpus;
	struct gdb_stub *gdb;	/* --gdb (run_gdb.c), or NULL */
};

#define NEXITS		(VTXHV_EXIT_IRQ_WINDOW_OPEN + 2)
#define EXIT_OTHER	(NEXITS - 1)

/* cmd_run.c: a message for a failed set-up step; returns EXIT_SETUP. */
__attribute__((format(printf, 2, 3)))
int setup_error(int err, const char *fmt, ...);

/* run_vcpu.c */
int setup_vcpu(struct vm *vm, struct vcpu *v);
/* Run one vCPU until it halts or the run ends; returns its status. */
int vcpu_loop(struct vcpu *v);

/*
 * run_gdb.c, run_gdb_thread.c: --gdb.  gdb_stub_start() listens and starts
 * the stub's thread before the vCPUs start; gdb_stub_end() tells a gdb
 * waiting for a stop how the run ended, and ends the thread.  The vCPU
 * loop calls gdb_vcpu_entry() before each VTXHV_RUN (only with --gdb:
 * it is on every exit's path), gdb_vcpu_intr() after an EINTR (a stop
 * for gdb parks the vCPU there), gdb_vcpu_debug() at VTXHV_EXIT_DEBUG,
 * gdb_vcpu_done() as the vCPU ends; stop_all() wakes the parked vCPUs
 * with gdb_wake_parked().  All return at once without --gdb.
 */
int gdb_stub_start(struct vm *vm, const struct run_opts *o);
void gdb_stub_end(struct vm *vm, int status);
void gdb_vcpu_entry(struct vcpu *v);
void gdb_vcpu_intr(struct vcpu *v);
void gdb_vcpu_debug(struct vcpu *v);
void gdb_vcpu_done(struct vcpu *v);
void gdb_wake_parked(struct vm *vm);
/* A stop for gdb is wanted: a vCPU waiting in HLT returns. */
bool gdb_stop_wanted(const struct vm *vm);

/* run_threads.c: start every vCPU thread, wait for the end or the timeout. */
int run_vcpus(struct vm *vm, const struct run_opts *o);
/* End the run with @status unless it ended already: every vCPU stops. */
void end_run(struct vm *vm, int status);
uint64_t run_ns(const struct vm *vm);
struct timespec abs_time(const struct vm *vm, uint64_t ns);

/*
 * Bring the devices' clocks named in @clocks (DEV_CLOCK_*) to now, each
 * read once, the others not at all: PIT edges reach the PIC.  dev_lock.
 * Inline, as most port exits name none and need no call.
 */
static inline void advance_clocks_locked(struct vm *vm, unsigned int clocks)
{
	struct devices *d = &vm->devs;

	if (clocks)
		dev_advance(d, clocks & DEV_CLOCK_NS ? run_ns(vm) : d->now_ns,
			    clocks & DEV_CLOCK_WALL ? time(NULL) : d->now);
}

void advance_locked(struct vm *vm);
void *timer_thread(void *arg);
void *input_thread(void *arg);

/* run_report.c */
void dump_registers(const struct vcpu *v);
void report_internal_error(const struct vcpu *v);
void report_fail_entry(const struct vcpu *v);
void print_stats(const struct vm *vm);

#endif /* VTXCTL_RUN_H */
