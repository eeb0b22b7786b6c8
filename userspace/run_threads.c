// SPDX-License-Identifier: GPL-2.0
/*
 * The threads of vtxctl run and the clock they share.  The timer thread
 * lets the PIT's IRQ 0 edges reach the PIC on time, the input thread
 * feeds stdin to the UART, and each kicks vCPU 0 out of the guest when
 * the PIC has an interrupt for it.  run_vcpus() starts a thread for each
 * vCPU (its loop is run_vcpu.c's), waits for the end or the timeout, and
 * stops and joins them all; the first vCPU to end with a status other
 * than a halt stops the others.
 */
#define _GNU_SOURCE		/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "term.h"

/* Nanoseconds of CLOCK_MONOTONIC since the run started: the PIT's time. */
uint64_t run_ns(const struct vm *vm)
{
	struct timespec ts;
	int64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (int64_t)(ts.tv_sec - vm->t0.tv_sec) * 1000000000 +
	     (ts.tv_nsec - vm->t0.tv_nsec);
	return ns > 0 ? ns : 0;
}

/* The absolute CLOCK_MONOTONIC time of run time ns, at most 1 s ahead. */
struct timespec abs_time(const struct vm *vm, uint64_t ns)
{
	uint64_t now = run_ns(vm), t = ns;
	struct timespec ts;

	if (t > now + 1000000000ULL)
		t = now + 1000000000ULL;
	ts.tv_sec = vm->t0.tv_sec + t / 1000000000ULL;
	ts.tv_nsec = vm->t0.tv_nsec + t % 1000000000ULL;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* Bring every clock of the devices to now.  Under dev_lock. */
void advance_locked(struct vm *vm)
{
	advance_clocks_locked(vm, DEV_CLOCK_NS | DEV_CLOCK_WALL);
}

/*
 * The PIC has an interrupt for vCPU 0: wake it if it halts, kick it out of
 * VTXHV_RUN if it runs (immediate_exit covers the moment before it enters,
 * the signal the time inside), unless it will exit anyway (a kick on its
 * way, or an interrupt window requested).  Under dev_lock.
 */
static void notify_vcpu0_locked(struct vm *vm)
{
	struct vcpu *v = &vm->vcpus[0];

	if (pic_pending_vector(&vm->devs.pic) < 0)
		return;
	if (v->halted) {
		dev_cond_broadcast(&vm->dev_cond);
		return;
	}
	if (v->kicked || v->window || !v->started || !v->run)
		return;
	v->kicked = true;
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, SIGUSR1);
}

/*
 * The timer thread: sleeps until the PIT's next IRQ 0 edge (or until the
 * guest reprograms the PIT), then lets the edge reach the PIC and vCPU 0.
 * It also pushes out what the guest wrote, so that output shows while
 * the guest runs.
 */
void *timer_thread(void *arg)
{
	struct vm *vm = arg;
	struct timespec ts;

	dev_lock(&vm->dev_lock);
	while (!vm->stopping) {
		advance_locked(vm);
		notify_vcpu0_locked(vm);
		fflush(stdout);
		ts = abs_time(vm, dev_next_deadline(&vm->devs));
		dev_cond_wait(&vm->dev_cond, &vm->dev_lock, &ts);
	}
	dev_unlock(&vm->dev_lock);
	return NULL;
}

/*
 * The input thread: bytes from stdin go to the UART's receive FIFO as it
 * has room.  It ends at end of file, at a read error, or with the run.
 */
void *input_thread(void *arg)
{
	struct vm *vm = arg;
	struct pollfd pfd[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = vm->wake[0], .events = POLLIN },
	};
	uint8_t buf[UART_RX_SIZE];
	ssize_t n, i;

	while (!vm->stopping) {
		/* Wait for room in the FIFO first. */
		dev_lock(&vm->dev_lock);
		while (!vm->stopping && !dev_uart_can_receive(&vm->devs))
			dev_cond_wait(&vm->dev_cond, &vm->dev_lock, NULL);
		n = UART_RX_SIZE - vm->devs.uart.rx_count;
		dev_unlock(&vm->dev_lock);
		if (vm->stopping)
			break;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;		/* the run ends */
		if (!pfd[0].revents)
			continue;
		n = read(STDIN_FILENO, buf, n);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;		/* end of file or error: no more input */
		dev_lock(&vm->dev_lock);
		advance_locked(vm);
		for (i = 0; i < n; i++)
			dev_uart_receive(&vm->devs, buf[i]);
		notify_vcpu0_locked(vm);
		dev_unlock(&vm->dev_lock);
	}
	return NULL;
}

/* ---- The vCPU threads, and ending the run ----------------------------- */

static void on_stop_signal(int sig)
{
	(void)sig;	/* only to make VTXHV_RUN return -EINTR */
}

/*
 * Make every vCPU still running leave the guest: immediate_exit stops the
 * next VTXHV_RUN before it enters, the signal interrupts the current one
 * (a guest spinning with interrupts off included).  Called under vm->lock.
 */
static void stop_all(struct vm *vm)
{
	unsigned int i;

	vm->stopping = 1;
	for (i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->run)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (v->started && !v->done &&
		    !pthread_equal(v->thread, pthread_self()))
			pthread_kill(v->thread, SIGUSR1);
	}
	/* A halted vCPU 0, the timer and the input thread wait here. */
	dev_lock(&vm->dev_lock);
	dev_cond_broadcast(&vm->dev_cond);
	dev_unlock(&vm->dev_lock);
	if (vm->wake[1] >= 0 && write(vm->wake[1], "", 1) < 0) {
		/* Full: a wake-up is pending anyway. */
	}
	gdb_wake_parked(vm);
}

void end_run(struct vm *vm, int status)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->status < 0)
		vm->status = status;
	stop_all(vm);
	pthread_mutex_unlock(&vm->lock);
}

/* The first vCPU to end with anything but a halt decides the status. */
static void vcpu_finished(struct vcpu *v, int status)
{
	struct vm *vm = v->vm;

	pthread_mutex_lock(&vm->lock);
	v->done = true;
	vm->ndone++;
	gdb_vcpu_done(v);
	if (status != RUN_HALTED && status != RUN_STOPPED && vm->status < 0) {
		vm->status = status == RUN_RESET ? RUN_HALTED : status;
		stop_all(vm);
	}
	pthread_cond_signal(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	vcpu_finished(v, vcpu_loop(v));
	return NULL;
}

int run_vcpus(struct vm *vm, const struct run_opts *o)
{
	struct sigaction sa;
	struct timespec deadline;
	pthread_condattr_t ca;
	bool timed = o->timeout > 0;
	unsigned int i;
	int err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/*
	 * SA_RESTART: a kick must not fail the output a vCPU thread is
	 * writing; VTXHV_RUN returns EINTR all the same (it is never
	 * restarted), which is what the kick is for.
	 */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &ca);
	pthread_condattr_destroy(&ca);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	if (timed) {
		double whole = (double)(time_t)o->timeout;

		deadline.tv_sec += (time_t)o->timeout;
		deadline.tv_nsec += (long)((o->timeout - whole) * 1e9);
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}

	if (pipe2(vm->wake, O_NONBLOCK | O_CLOEXEC))
		vm->wake[0] = vm->wake[1] = -1;
	clock_gettime(CLOCK_MONOTONIC, &vm->t0);

	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		/* The device threads take vCPU 0's fields under dev_lock. */
		dev_lock(&vm->dev_lock);
		err = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (!err)
			v->started = true;
		dev_unlock(&vm->dev_lock);
		if (err) {
			setup_error(err, "creating the thread of vCPU %u", i);
			vm->status = EXIT_SETUP;
			vm->ndone += vm->ncpus - i;
			stop_all(vm);
			break;
		}
	}
	if (vm->status < 0) {
		vm->timer_started = !pthread_create(&vm->timer, NULL,
						    timer_thread, vm);
		/* Input only where it can come from (see term.h). */
		if (vm->wake[0] >= 0 && term_stdin_usable())
			vm->input_started = !pthread_create(&vm->input, NULL,
							    input_thread, vm);
	}
	while (vm->ndone < vm->ncpus) {
		if (!timed) {
			pthread_cond_wait(&vm->cond, &vm->lock);
			continue;
		}
		err = pthread_cond_timedwait(&vm->cond, &vm->lock, &deadline);
		if (err == ETIMEDOUT && vm->ndone < vm->ncpus) {
			if (vm->status < 0)
				vm->status = RUN_TIMEOUT;
			stop_all(vm);
			timed = false;
		}
	}
	/* Every vCPU is done: end the device threads, then join all. */
	stop_all(vm);
	pthread_mutex_unlock(&vm->lock);

	vm->wall_ns = run_ns(vm);
	if (vm->timer_started)
		pthread_join(vm->timer, NULL);
	if (vm->input_started)
		pthread_join(vm->input, NULL);
	for (i = 0; i < vm->ncpus; i++)
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
	if (vm->status == RUN_TIMEOUT)
		fprintf(stderr, "%s run: timeout: stopped after %g seconds\n",
			progname, o->timeout);
	return vm->status < 0 ? RUN_HALTED : vm->status;
}
