/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Xen suspend cycle as a table of steps, and the guest's suspend
 * commands.  Pure logic with no Xen calls, so that KUnit can drive it.
 */
#ifndef _XEN_SUSPEND_SEQ_H
#define _XEN_SUSPEND_SEQ_H

#include <linux/types.h>

/* The most steps one cycle may have; the timing arrays are this long. */
#define XEN_SUSPEND_MAX_STEPS	16

/* How the last cycle ended, as /sys/power/xen_suspend reports it. */
enum xen_suspend_result {
	XEN_SUSPEND_NONE,	/* no cycle yet */
	XEN_SUSPEND_RESUMED,	/* a new domain: restore or migration */
	XEN_SUSPEND_CANCELLED,	/* the same domain went on */
	XEN_SUSPEND_FAILED,	/* a step failed; the steps before it were undone */
};

/* Where the cycle machinery is, as /sys/power/xen_suspend reports it. */
enum xen_suspend_state {
	XEN_SUSPEND_IDLE,
	XEN_SUSPEND_PREPARED,
	XEN_SUSPEND_SUSPENDING,
	XEN_SUSPEND_RESUMING,
};

/* Keywords a guest administrator may write to /sys/power/xen_suspend. */
enum xen_suspend_cmd {
	XEN_SUSPEND_CMD_TEST,		/* freeze/devices-level dry run */
	XEN_SUSPEND_CMD_PREPARE,	/* lean suspend: give memory back */
	XEN_SUSPEND_CMD_ABORT,		/* undo a prepare */
};

struct xen_suspend_cycle;

/**
 * struct xen_suspend_step - one step of a suspend cycle and its undo
 * @name: short name for logs, debugfs and tracepoints
 * @enter: do the step; a negative errno stops the cycle.  May be NULL.
 * @leave: undo it; runs for every step whose @enter succeeded, in reverse
 *	order, after the innermost step or after a failure.  May be NULL.
 */
struct xen_suspend_step {
	const char *name;
	int (*enter)(struct xen_suspend_cycle *cycle);
	void (*leave)(struct xen_suspend_cycle *cycle);
};

/**
 * struct xen_suspend_cycle - one run of a step table
 * @steps: the table, outermost step first
 * @nr_steps: its length, at most %XEN_SUSPEND_MAX_STEPS
 * @data: the caller's context for the steps
 * @clock: time source in ns; NULL means ktime_get_boottime_ns(), which
 *	keeps counting across the hypercall (the monotonic clock stops)
 * @resuming: called once when the cycle turns, after the last @enter (or
 *	the one that failed) and before the first @leave.  May be NULL.
 * @fault: fault injection, for tests: called before each step's @enter
 *	with the step's index; a negative errno fails the step without
 *	calling its @enter.  May be NULL.
 * @cancelled: true until a step (the hypercall) clears it because the
 *	domain is new; every failure leaves it true, so the undo steps resume
 *	the domain that went in (PMSG_THAW, xs_suspend_cancel())
 * @entered: number of steps whose @enter succeeded
 * @failed_step: index of the step that failed, or -1
 * @error: the failed step's errno, or 0
 * @enter_ns: time each step's @enter took
 * @leave_ns: time each step's @leave took
 */
struct xen_suspend_cycle {
	const struct xen_suspend_step *steps;
	unsigned int nr_steps;
	void *data;
	u64 (*clock)(void);
	void (*resuming)(struct xen_suspend_cycle *cycle);
	int (*fault)(struct xen_suspend_cycle *cycle, unsigned int step);

	bool cancelled;
	unsigned int entered;
	int failed_step;
	int error;
	u64 enter_ns[XEN_SUSPEND_MAX_STEPS];
	u64 leave_ns[XEN_SUSPEND_MAX_STEPS];
};

int xen_suspend_cycle_run(struct xen_suspend_cycle *cycle);
enum xen_suspend_result xen_suspend_cycle_result(const struct xen_suspend_cycle *cycle);

int xen_suspend_parse_cmd(const char *buf, size_t count);
const char *xen_suspend_cmd_name(enum xen_suspend_cmd cmd);
const char *xen_suspend_result_name(enum xen_suspend_result result);
int xen_suspend_format_status(char *buf, size_t size, enum xen_suspend_state state,
			      enum xen_suspend_result result, int error);

/**
 * struct xen_suspend_hold - the hold of a prepare, and who keeps it
 * @held: a prepare holds the balloon
 * @dom0: dom0's control/xen-suspend-hold is there: no timeout
 * @secs: its last valid value, the timeout once it is removed
 * @expires: jiffies of the timeout, meaningful when @held and not @dom0
 *
 * The caller keeps it under a lock and arms its timeout work with the delay
 * that xen_suspend_hold_start() and xen_suspend_hold_node() return.
 */
struct xen_suspend_hold {
	bool held;
	bool dom0;
	unsigned int secs;
	unsigned long expires;
};

unsigned long xen_suspend_hold_start(struct xen_suspend_hold *hold,
				     unsigned long now, unsigned int timeout_s);
unsigned long xen_suspend_hold_node(struct xen_suspend_hold *hold, bool present,
				    unsigned int secs, unsigned long now);
void xen_suspend_hold_end(struct xen_suspend_hold *hold);
bool xen_suspend_hold_may_expire(const struct xen_suspend_hold *hold,
				 unsigned long now);

#endif /* _XEN_SUSPEND_SEQ_H */
