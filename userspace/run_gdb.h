/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gdb stub of 'vtxctl run --gdb', shared by its two files: run_gdb.c
 * (the target operations, the vCPU threads' side) and run_gdb_thread.c
 * (the stub's thread).  run.h declares what the rest of vtxctl calls.
 */
#ifndef VTXCTL_RUN_GDB_H
#define VTXCTL_RUN_GDB_H

#include "gdb_bp.h"
#include "gdb_rsp.h"
#include "run.h"

/* What the stub knows of a vCPU; under g->lock. */
struct gdb_vcpu {
	bool parked;		/* waiting in park() */
	bool go;		/* released by a resume */
	bool done;		/* its thread has ended */
	enum gdb_resume_action action;
	/* A debug exit gdb has not been told of yet. */
	bool has_event;
	unsigned int seq;	/* which came first */
	uint32_t exception;
	uint64_t pc, dr6;
};

enum gdb_state {
	ST_RUNNING,		/* the vCPUs gdb resumed run */
	ST_STOPPING,		/* want_stop: waiting for all to park */
	ST_STOPPED,
};

struct gdb_stub {
	struct vm *vm;
	pthread_t thread;
	bool thread_started;
	int listen_fd, conn_fd;
	int wake[2];		/* wakes the stub's poll() */

	pthread_mutex_t lock;
	pthread_cond_t cond;	/* parked vCPUs wait here */
	volatile int want_stop;	/* read by the vCPU threads unlocked */
	enum gdb_state state;
	bool session;		/* gdb connected and stopped once */
	bool attaching;		/* connected: stop, then start the session */
	bool detaching;		/* gdb left: stop, clean up, let all run */
	bool interrupted;	/* ^C: report SIGINT */
	bool resume_pending;	/* gdb resumed: apply after its packet */
	bool kill_pending;	/* the k packet */
	bool ended;		/* the run is over */
	int end_status;
	unsigned int seq;
	struct gdb_bps bps;
	struct gdb_vcpu *cpu;
	struct gdb_rsp rsp;
};

extern const struct gdb_target_ops gdb_stub_ops;
/* Kick every running vCPU out of the guest to park; g->lock. */
void gdb_request_stop(struct gdb_stub *g);
/* Make the stub's thread look at the state again. */
void gdb_wake_stub(struct gdb_stub *g);

#endif /* VTXCTL_RUN_GDB_H */
