/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device lock of 'vtxctl run' (run.h) and its condition variable, on
 * futexes.  Every port and MMIO exit takes the lock once, almost never
 * contended: here that costs a compare-and-exchange and an exchange,
 * where glibc's mutex costs about 60 instructions more per exit (make
 * bench measures the exit path).
 *
 * The mutex is the one of Drepper's "Futexes Are Tricky" (mutex 3):
 * state 0 free, 1 locked, 2 locked and maybe waited for.  The condition
 * variable is a sequence number the waiters sleep on; it is waited for
 * and signalled with the lock held only.
 */
#ifndef VTXCTL_DEV_LOCK_H
#define VTXCTL_DEV_LOCK_H

#include <stdbool.h>
#include <time.h>

struct dev_lock {
	int state;
};

struct dev_cond {
	unsigned int seq;
	unsigned int waiters;	/* under the lock */
};

void dev_lock_contended(struct dev_lock *l, int state);
void dev_unlock_wake(struct dev_lock *l);

static inline void dev_lock(struct dev_lock *l)
{
	int state = 0;

	if (!__atomic_compare_exchange_n(&l->state, &state, 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		dev_lock_contended(l, state);
}

static inline void dev_unlock(struct dev_lock *l)
{
	if (__atomic_exchange_n(&l->state, 0, __ATOMIC_RELEASE) == 2)
		dev_unlock_wake(l);
}

/*
 * Sleep until dev_cond_broadcast() or the CLOCK_MONOTONIC time @abs
 * (NULL: no limit), with @l held on entry and on return.  It may also
 * return early (a signal): callers test their condition again.
 */
void dev_cond_wait(struct dev_cond *c, struct dev_lock *l,
		   const struct timespec *abs);
/* Wake every waiter; @l held. */
void dev_cond_broadcast(struct dev_cond *c);

#endif /* VTXCTL_DEV_LOCK_H */
