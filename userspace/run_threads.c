// SPDX-License-Identifier: GPL-2.0
/*
 * The device threads of vtxctl run and the clock they share with the
 * vCPUs: the timer thread lets the PIT's IRQ 0 edges reach the PIC on
 * time, the input thread feeds stdin to the UART, and each kicks vCPU 0
 * out of the guest when the PIC has an interrupt for it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

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
