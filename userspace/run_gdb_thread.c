// SPDX-License-Identifier: GPL-2.0
/*
 * The gdb stub's thread (run_gdb.c has the target it drives): it listens
 * for one gdb at a time, feeds gdb's bytes to the protocol, and does what
 * a stop or a resume needs once the packet that asked for it is handled:
 * report the stop once every vCPU has parked, program each vCPU's debug
 * state and release the vCPUs gdb resumed, stop everything for a gdb that
 * connects, clean up after one that leaves, end the run on a kill.
 */
#define _GNU_SOURCE		/* accept4, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "gdb_listen.h"
#include "run_gdb.h"

static bool all_parked(const struct gdb_stub *g)
{
	unsigned int i;

	for (i = 0; i < g->vm->ncpus; i++)
		if (!g->cpu[i].parked && !g->cpu[i].done)
			return false;
	return true;
}

/* Tell gdb of the first debug exit not reported yet, or of a ^C. */
static void report_stop(struct gdb_stub *g)
{
	struct gdb_vcpu *first = NULL;
	char reason[64] = "";
	unsigned int i;
	int thread = 0;

	for (i = 0; i < g->vm->ncpus; i++) {
		struct gdb_vcpu *c = &g->cpu[i];

		if (c->has_event && (!first || c->seq < first->seq)) {
			first = c;
			thread = i + 1;
		}
		if (!thread && !c->done)
			thread = i + 1;
	}
	if (first) {
		first->has_event = false;
		if (first->exception == 3)
			snprintf(reason, sizeof(reason), "swbreak:");
		else
			gdb_bp_reason(&g->bps, first->dr6, reason,
				      sizeof(reason));
	}
	gdb_rsp_stopped(&g->rsp, thread ? thread : 1,
			!first && g->interrupted ? GDB_SIGINT : GDB_SIGTRAP,
			reason[0] ? reason : NULL);
	g->interrupted = false;
}

/*
 * Each vCPU's VTXHV_SET_GUEST_DEBUG: INT3 stops while a software
 * breakpoint is in memory, the debug registers while a slot is used, a
 * single step for the vCPUs gdb steps; nothing at all (@detach, or none
 * of these) gives the guest its own #DB, #BP and DR7 back.
 */
static void program_debug(struct gdb_stub *g, bool detach)
{
	struct vtxhv_guest_debug d;
	unsigned int i, base = 0;
	uint64_t dr[8];

	memset(&d, 0, sizeof(d));
	if (gdb_bp_debugregs(&g->bps, dr))
		base |= VTXHV_GUESTDBG_USE_HW_BP;
	for (i = 0; i < 8; i++)
		d.debugreg[i] = dr[i];
	if (gdb_bp_sw_any(&g->bps))
		base |= VTXHV_GUESTDBG_USE_SW_BP;
	for (i = 0; i < g->vm->ncpus; i++) {
		d.control = base;
		if (g->cpu[i].action == GDB_RESUME_STEP)
			d.control |= VTXHV_GUESTDBG_SINGLESTEP;
		if (d.control && !detach)
			d.control |= VTXHV_GUESTDBG_ENABLE;
		else
			d.control = 0;
		if (!g->cpu[i].done &&
		    ioctl(g->vm->vcpus[i].fd, VTXHV_SET_GUEST_DEBUG, &d))
			fprintf(stderr, "%s run: gdb: vCPU %u: VTXHV_SET_GUEST_DEBUG %#x: %s\n",
				progname, i, d.control, strerror(errno));
	}
}

/* Let the vCPUs with an action run; under g->lock, all parked. */
static void release(struct gdb_stub *g)
{
	unsigned int i;

	g->state = ST_RUNNING;
	__atomic_store_n(&g->want_stop, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < g->vm->ncpus; i++) {
		if (g->cpu[i].action == GDB_RESUME_NONE)
			continue;
		g->cpu[i].go = true;
		/* Running from now: the next stop must wait for it. */
		g->cpu[i].parked = false;
	}
	pthread_cond_broadcast(&g->cond);
}

/*
 * gdb resumed.  A stop that happened while another was being reported
 * is reported now instead, unless it would not happen again anyway: an
 * INT3 is run again (and stops again if gdb left the breakpoint in), a
 * breakpoint gdb removed is gone.  Watchpoint and step stops, traps,
 * stay until told.
 */
static void apply_resume(struct gdb_stub *g)
{
	unsigned int i;

	g->resume_pending = false;
	for (i = 0; i < g->vm->ncpus; i++) {
		struct gdb_vcpu *c = &g->cpu[i];
		char reason[64];

		if (!c->has_event || c->action == GDB_RESUME_NONE)
			continue;
		gdb_bp_reason(&g->bps, c->dr6, reason, sizeof(reason));
		if (c->exception == 3 || (!strcmp(reason, "hwbreak:") &&
					  !gdb_bp_hw_exec_at(&g->bps, c->pc)))
			c->has_event = false;
	}
	for (i = 0; i < g->vm->ncpus; i++) {
		if (g->cpu[i].has_event &&
		    g->cpu[i].action != GDB_RESUME_NONE) {
			g->state = ST_STOPPED;
			report_stop(g);
			return;
		}
	}
	program_debug(g, false);
	release(g);
	if (g->interrupted)
		gdb_request_stop(g);	/* ^C came with the resume */
}

/* gdb left (D, or the connection closed): everything as before it came. */
static void detach(struct gdb_stub *g)
{
	struct guest_mmu m = {
		.ram = g->vm->ram, .ram_size = g->vm->ram_size,
	};
	unsigned int i;

	g->detaching = false;
	g->session = false;
	g->interrupted = false;
	gdb_bp_sw_remove_all(&g->bps, &m);
	memset(&g->bps, 0, sizeof(g->bps));
	for (i = 0; i < g->vm->ncpus; i++) {
		g->cpu[i].has_event = false;
		g->cpu[i].action = GDB_RESUME_CONTINUE;
	}
	program_debug(g, true);
	release(g);
}

/*
 * The connection closed.  A gdb that had the guest stopped, or was
 * stopping it, leaves as D would; one whose session never began leaves
 * nothing behind.
 */
static void disconnect(struct gdb_stub *g)
{
	if (g->conn_fd >= 0)
		close(g->conn_fd);
	g->conn_fd = -1;
	g->attaching = false;
	if (g->state == ST_RUNNING && !g->session)
		return;
	g->detaching = true;
	if (g->state == ST_STOPPED)
		detach(g);
	else if (g->state == ST_RUNNING)
		gdb_request_stop(g);
}

/* Every vCPU parked: gdb's new session, its first stop, or a clean-up. */
static void on_stopped(struct gdb_stub *g)
{
	struct vtxhv_sregs s;
	bool lm = g->vm->res.mode == MODE_LONG;

	g->state = ST_STOPPED;
	if (g->detaching) {
		detach(g);
		/* A new gdb came meanwhile: stop again for it. */
		if (g->attaching)
			gdb_request_stop(g);
	} else if (g->attaching) {
		g->attaching = false;
		/* 64-bit registers for a guest in long mode or entered so. */
		if (!ioctl(g->vm->vcpus[0].fd, VTXHV_GET_SREGS, &s) &&
		    (s.efer & EFER_LMA))
			lm = true;
		gdb_rsp_init(&g->rsp, &gdb_stub_ops, g, g->vm->ncpus, lm);
		g->session = true;
	} else if (g->session && g->rsp.running) {
		report_stop(g);
	}
}

static void handle_input(struct gdb_stub *g, const char *buf, size_t n)
{
	struct vm *vm = g->vm;
	int ret = gdb_rsp_input(&g->rsp, buf, n);

	if (g->kill_pending) {
		/* The run ends with RUN_GDB_KILL; gdb_stub_end() the rest. */
		g->kill_pending = false;
		close(g->conn_fd);
		g->conn_fd = -1;
		g->session = false;
		pthread_mutex_unlock(&g->lock);
		end_run(vm, RUN_GDB_KILL);
		pthread_mutex_lock(&g->lock);
	} else if (ret == GDB_RSP_END) {
		g->resume_pending = false;
		disconnect(g);
	} else if (g->resume_pending) {
		apply_resume(g);
	}
}

static void accept_gdb(struct gdb_stub *g)
{
	int fd, one = 1;

	fd = accept4(g->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	g->conn_fd = fd;
	g->attaching = true;
	if (g->state == ST_STOPPED)
		on_stopped(g);
	else if (g->state == ST_RUNNING)
		gdb_request_stop(g);
}

static void *stub_thread(void *arg)
{
	struct gdb_stub *g = arg;
	char buf[4096], drain[64];
	struct pollfd pfd[2];
	bool hangup;
	ssize_t n;

	pthread_mutex_lock(&g->lock);
	while (!g->ended) {
		if (g->state == ST_STOPPING && all_parked(g))
			on_stopped(g);
		pfd[0] = (struct pollfd){ .fd = g->wake[0], .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = -1, .events = POLLIN };
		if (g->conn_fd < 0)
			pfd[1].fd = g->listen_fd;
		else if (g->session)
			pfd[1].fd = g->conn_fd;	/* not while attaching */
		pthread_mutex_unlock(&g->lock);
		if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
			pthread_mutex_lock(&g->lock);
			break;
		}
		if (pfd[0].revents)
			while (read(g->wake[0], drain, sizeof(drain)) > 0)
				;
		n = 0;
		hangup = false;
		if (pfd[1].revents && pfd[1].fd == g->conn_fd) {
			n = read(g->conn_fd, buf, sizeof(buf));
			hangup = !n || (n < 0 && errno != EINTR &&
					errno != EAGAIN);
		}
		pthread_mutex_lock(&g->lock);
		if (g->ended)
			break;
		if (pfd[1].revents && pfd[1].fd == g->listen_fd)
			accept_gdb(g);
		else if (n > 0)
			handle_input(g, buf, n);
		else if (hangup)
			disconnect(g);
	}
	/* The run is over: a gdb waiting for a stop hears how it ended. */
	if (g->conn_fd >= 0 && g->session && g->rsp.running)
		gdb_rsp_exited(&g->rsp, g->end_status);
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int gdb_stub_start(struct vm *vm, const struct run_opts *o)
{
	struct gdb_stub *g;
	char host[256], err[300];
	unsigned int port, bound;

	if (!o->gdb)
		return 0;
	if (vm->ncpus > GDB_RSP_MAX_THREADS) {
		fprintf(stderr, "%s run: --gdb: gdb is served at most %u vCPUs\n",
			progname, GDB_RSP_MAX_THREADS);
		return EXIT_USAGE;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return setup_error(errno, "--gdb");
	vm->gdb = g;
	g->vm = vm;
	g->listen_fd = g->conn_fd = g->wake[0] = g->wake[1] = -1;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->cpu = calloc(vm->ncpus, sizeof(*g->cpu));
	if (!g->cpu || pipe2(g->wake, O_NONBLOCK | O_CLOEXEC))
		return setup_error(errno, "--gdb");
	gdb_parse_addr(o->gdb, host, sizeof(host), &port);
	g->listen_fd = gdb_listen(host, port, &bound, err, sizeof(err));
	if (g->listen_fd < 0) {
		fprintf(stderr, "%s run: --gdb %s: cannot listen on %s\n",
			progname, o->gdb, err);
		return EXIT_SETUP;
	}
	/* --gdb-wait: each vCPU parks before its first VTXHV_RUN enters. */
	if (o->gdb_wait) {
		g->state = ST_STOPPING;
		g->want_stop = 1;
	}
	fprintf(stderr, "%s run: gdb: listening on %s%s%s:%u%s\n", progname,
		strchr(host, ':') ? "[" : "", host,
		strchr(host, ':') ? "]" : "", bound,
		o->gdb_wait ? ", the guest waits for gdb to continue" : "");
	if (pthread_create(&g->thread, NULL, stub_thread, g))
		return setup_error(errno, "creating the gdb thread");
	g->thread_started = true;
	return 0;
}

void gdb_stub_end(struct vm *vm, int status)
{
	struct gdb_stub *g = vm->gdb;

	if (!g)
		return;
	if (g->thread_started) {
		pthread_mutex_lock(&g->lock);
		g->ended = true;
		g->end_status = status;
		gdb_wake_stub(g);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->thread, NULL);
	}
	if (g->conn_fd >= 0)
		close(g->conn_fd);
	if (g->listen_fd >= 0)
		close(g->listen_fd);
	if (g->wake[0] >= 0) {
		close(g->wake[0]);
		close(g->wake[1]);
	}
	free(g->cpu);
	free(g);
	vm->gdb = NULL;
}
