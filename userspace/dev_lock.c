// SPDX-License-Identifier: GPL-2.0
/* The slow paths of the device lock (dev_lock.h): futex waits and wakes. */
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dev_lock.h"

static void futex(void *addr, int op, unsigned int val,
		  const struct timespec *abs)
{
	/* EINTR, EAGAIN (the value moved) and ETIMEDOUT all mean: look again. */
	syscall(SYS_futex, addr, op | FUTEX_PRIVATE_FLAG, val, abs, NULL,
		FUTEX_BITSET_MATCH_ANY);
}

/* @state: what the fast path found, 1 or 2. */
void dev_lock_contended(struct dev_lock *l, int state)
{
	if (state != 2)
		state = __atomic_exchange_n(&l->state, 2, __ATOMIC_ACQUIRE);
	while (state) {
		futex(&l->state, FUTEX_WAIT_BITSET, 2, NULL);
		state = __atomic_exchange_n(&l->state, 2, __ATOMIC_ACQUIRE);
	}
}

void dev_unlock_wake(struct dev_lock *l)
{
	futex(&l->state, FUTEX_WAKE, 1, NULL);
}

void dev_cond_wait(struct dev_cond *c, struct dev_lock *l,
		   const struct timespec *abs)
{
	unsigned int seq = c->seq;

	c->waiters++;
	dev_unlock(l);
	/* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time. */
	futex(&c->seq, FUTEX_WAIT_BITSET, seq, abs);
	/* Other waiters may want the lock as well: take it as contended. */
	dev_lock_contended(l, 1);
	c->waiters--;
}

void dev_cond_broadcast(struct dev_cond *c)
{
	__atomic_store_n(&c->seq, c->seq + 1, __ATOMIC_RELEASE);
	if (c->waiters)
		futex(&c->seq, FUTEX_WAKE, INT_MAX, NULL);
}
