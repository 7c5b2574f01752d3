// SPDX-License-Identifier: GPL-2.0-only
/*
 * One bounded drain for all Xen frontends before a suspend.
 *
 * xenbus freezes its devices one after another.  A frontend whose .suspend
 * waited for its own in-flight work would make the suspend wait for the sum
 * of every device's drain; instead each frontend stops new work in .suspend,
 * marks itself draining (xenbus_quiesce_start()) and says when the last
 * request in flight has completed (xenbus_quiesce_drained(), from any
 * context).  Once every device is frozen the suspend waits once, within one
 * budget for all of them (xenbus_quiesce_wait()).  What has not completed
 * when the budget runs out stays in flight and is replayed on resume exactly
 * as without the drain: there is one model, the drain only makes the replay
 * rare.  .cancel and .resume end the drain (xenbus_quiesce_end()), whatever
 * state the device reached, so a .suspend that failed half way is undone
 * like one that finished.  The frontends count what they drained and what
 * they replay (xenbus_quiesce_count()); the suspend takes the counts once a
 * cycle is over (xenbus_quiesce_take_counts()).
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/export.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include <xen/xenbus.h>

#include "xenbus.h"

static struct xenbus_quiesce xenbus_quiesce = {
	.draining = ATOMIC_INIT(0),
	.wq = __WAIT_QUEUE_HEAD_INITIALIZER(xenbus_quiesce.wq),
};

/* The transitions, on a given drain (the KUnit tests use their own). */

void __xenbus_quiesce_start(struct xenbus_quiesce *q, atomic_t *state)
{
	/* Counted before the state says so: a drained() cannot go below 0. */
	atomic_inc(&q->draining);
	if (atomic_cmpxchg(state, XENBUS_QUIESCE_RUNNING,
			   XENBUS_QUIESCE_DRAINING) != XENBUS_QUIESCE_RUNNING)
		atomic_dec(&q->draining);
}

void __xenbus_quiesce_drained(struct xenbus_quiesce *q, atomic_t *state)
{
	if (atomic_cmpxchg(state, XENBUS_QUIESCE_DRAINING,
			   XENBUS_QUIESCE_QUIESCED) == XENBUS_QUIESCE_DRAINING &&
	    atomic_dec_and_test(&q->draining))
		wake_up_all(&q->wq);
}

enum xenbus_quiesce_state __xenbus_quiesce_end(struct xenbus_quiesce *q,
					       atomic_t *state)
{
	enum xenbus_quiesce_state old = atomic_xchg(state, XENBUS_QUIESCE_RUNNING);

	if (old == XENBUS_QUIESCE_DRAINING && atomic_dec_and_test(&q->draining))
		wake_up_all(&q->wq);
	return old;
}

void __xenbus_quiesce_take_counts(struct xenbus_quiesce *q, unsigned long *counts)
{
	unsigned int i;

	for (i = 0; i < XENBUS_QUIESCE_NR_COUNTERS; i++)
		counts[i] = atomic_long_xchg(&q->counts[i], 0);
}

long __xenbus_quiesce_wait(struct xenbus_quiesce *q, long timeout)
{
	if (!atomic_read(&q->draining))
		return timeout ?: 1;
	return wait_event_timeout(q->wq, !atomic_read(&q->draining), timeout);
}

/**
 * xenbus_quiesce_start() - a frontend has stopped new work and drains
 * @dev: the frontend, from its .suspend
 *
 * Call it once the device takes no new request, while requests may still be
 * in flight; then call xenbus_quiesce_drained() when none is (at once if
 * none was).  Does nothing unless the device is running.
 */
void xenbus_quiesce_start(struct xenbus_device *dev)
{
	__xenbus_quiesce_start(&xenbus_quiesce, &dev->quiesce_state);
}
EXPORT_SYMBOL_GPL(xenbus_quiesce_start);

/**
 * xenbus_quiesce_drained() - a draining frontend has nothing in flight
 * @dev: the frontend
 *
 * May be called from any context, also more than once and on a device that
 * does not drain (it does nothing then).
 */
void xenbus_quiesce_drained(struct xenbus_device *dev)
{
	__xenbus_quiesce_drained(&xenbus_quiesce, &dev->quiesce_state);
}
EXPORT_SYMBOL_GPL(xenbus_quiesce_drained);

/**
 * xenbus_quiesce_end() - the device runs again
 * @dev: the frontend, from its .cancel or .resume
 *
 * Return: the state the device was in, so that the caller restarts only what
 * its .suspend stopped; %XENBUS_QUIESCE_RUNNING when called again.
 */
enum xenbus_quiesce_state xenbus_quiesce_end(struct xenbus_device *dev)
{
	return __xenbus_quiesce_end(&xenbus_quiesce, &dev->quiesce_state);
}
EXPORT_SYMBOL_GPL(xenbus_quiesce_end);

/**
 * xenbus_quiesce_wait() - wait for every draining frontend, within a budget
 * @timeout: the budget, in jiffies, for all devices together
 *
 * Called once the devices are frozen, before their interrupts are disabled.
 *
 * Return: 0 if a device was still draining when the budget ran out (its
 * requests are replayed on resume), otherwise the jiffies left (at least 1).
 */
long xenbus_quiesce_wait(long timeout)
{
	return __xenbus_quiesce_wait(&xenbus_quiesce, timeout);
}

/**
 * xenbus_quiesce_count() - add to a counter of the cycle that runs
 * @counter: which
 * @n: how much
 *
 * From a frontend's .suspend, .cancel or .resume, or its completion path.
 */
void xenbus_quiesce_count(enum xenbus_quiesce_counter counter, unsigned long n)
{
	if (!WARN_ON_ONCE(counter >= XENBUS_QUIESCE_NR_COUNTERS))
		atomic_long_add(n, &xenbus_quiesce.counts[counter]);
}
EXPORT_SYMBOL_GPL(xenbus_quiesce_count);

/**
 * xenbus_quiesce_take_counts() - read the counters and set them to 0
 * @counts: where to put them
 *
 * Called at the start of a suspend cycle (to forget what came between two)
 * and once it is over.
 */
void xenbus_quiesce_take_counts(unsigned long counts[XENBUS_QUIESCE_NR_COUNTERS])
{
	__xenbus_quiesce_take_counts(&xenbus_quiesce, counts);
}
