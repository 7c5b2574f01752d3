// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run the Xen suspend cycle as a table of steps, each with its undo, and
 * parse the guest's suspend commands.
 *
 * A cycle enters its steps in order until one fails or all succeeded,
 * then leaves the entered ones in reverse order.  The innermost step is
 * the hypercall: "leaving" the steps after it is the resume path, and
 * leaving them after a failure is the cancel path, so both are the same
 * code and a new step brings its undo with it.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/errname.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/string.h>

#include "suspend-seq.h"

#define CREATE_TRACE_POINTS
#include "suspend_trace.h"

static u64 xen_suspend_clock(const struct xen_suspend_cycle *cycle)
{
	return cycle->clock ? cycle->clock() : ktime_get_boottime_ns();
}

/**
 * xen_suspend_cycle_run() - enter the steps of a cycle, then leave them
 * @cycle: the cycle; @steps, @nr_steps, @data, @clock, @resuming and
 *	@fault are inputs, the other fields are reset and then filled in
 *
 * Calls each step's @enter in table order until one returns an error,
 * then @resuming, then each entered step's @leave in reverse order,
 * timing the enters and leaves.  Each boundary is a tracepoint
 * (xen_suspend:xen_suspend_step_enter and _leave, between
 * xen_suspend_cycle_begin and xen_suspend_cycle_end).
 * @cycle->cancelled starts true and only a step clears it.
 *
 * Return: 0 when every step was entered, the failing step's negative
 * errno otherwise, or -EINVAL for an empty or over-long table (then no
 * step runs).
 */
int xen_suspend_cycle_run(struct xen_suspend_cycle *cycle)
{
	const struct xen_suspend_step *step;
	unsigned int i;
	u64 start;
	int err;

	cycle->cancelled = true;
	cycle->entered = 0;
	cycle->failed_step = -1;
	cycle->error = 0;
	memset(cycle->enter_ns, 0, sizeof(cycle->enter_ns));
	memset(cycle->leave_ns, 0, sizeof(cycle->leave_ns));

	if (!cycle->steps || !cycle->nr_steps ||
	    cycle->nr_steps > XEN_SUSPEND_MAX_STEPS)
		return -EINVAL;

	trace_xen_suspend_cycle_begin(cycle->nr_steps);

	for (i = 0; i < cycle->nr_steps; i++) {
		step = &cycle->steps[i];
		start = xen_suspend_clock(cycle);
		err = cycle->fault ? cycle->fault(cycle, i) : 0;
		if (!err && step->enter)
			err = step->enter(cycle);
		cycle->enter_ns[i] = xen_suspend_clock(cycle) - start;
		trace_xen_suspend_step_enter(step->name, i, err, cycle->enter_ns[i]);
		if (err) {
			pr_err("suspend step %s failed: %d\n", step->name, err);
			cycle->failed_step = i;
			cycle->error = err;
			break;
		}
		cycle->entered++;
	}

	if (cycle->resuming)
		cycle->resuming(cycle);

	for (i = cycle->entered; i-- > 0;) {
		step = &cycle->steps[i];
		start = xen_suspend_clock(cycle);
		if (step->leave)
			step->leave(cycle);
		cycle->leave_ns[i] = xen_suspend_clock(cycle) - start;
		trace_xen_suspend_step_leave(step->name, i, cycle->cancelled,
					     cycle->leave_ns[i]);
	}

	trace_xen_suspend_cycle_end(cycle->entered, cycle->failed_step, cycle->error,
				    cycle->cancelled);
	return cycle->error;
}

/**
 * xen_suspend_cycle_result() - how a cycle that has run ended
 * @cycle: a cycle passed to xen_suspend_cycle_run()
 *
 * Return: %XEN_SUSPEND_FAILED when a step failed, else
 * %XEN_SUSPEND_CANCELLED when the same domain went on, else
 * %XEN_SUSPEND_RESUMED.
 */
enum xen_suspend_result xen_suspend_cycle_result(const struct xen_suspend_cycle *cycle)
{
	if (cycle->error)
		return XEN_SUSPEND_FAILED;
	return cycle->cancelled ? XEN_SUSPEND_CANCELLED : XEN_SUSPEND_RESUMED;
}

static const char * const xen_suspend_cmd_names[] = {
	[XEN_SUSPEND_CMD_TEST]		= "test",
	[XEN_SUSPEND_CMD_PREPARE]	= "prepare",
	[XEN_SUSPEND_CMD_ABORT]		= "abort",
};

/* Longer than any keyword plus its newline: rejected without a look. */
#define XEN_SUSPEND_CMD_MAX	16

/**
 * xen_suspend_parse_cmd() - parse a write to /sys/power/xen_suspend
 * @buf: the bytes written (sysfs terminates them with a NUL)
 * @count: how many bytes were written
 *
 * Accepts exactly one keyword, optionally followed by one newline, as
 * echo writes it.  No other white space, no NUL byte, nothing else.
 *
 * Return: the &enum xen_suspend_cmd, or -EINVAL.
 */
int xen_suspend_parse_cmd(const char *buf, size_t count)
{
	size_t len;
	int i;

	if (!count || count > XEN_SUSPEND_CMD_MAX)
		return -EINVAL;
	len = count;
	if (buf[len - 1] == '\n')
		len--;
	if (!len || memchr(buf, '\0', len))
		return -EINVAL;

	for (i = 0; i < ARRAY_SIZE(xen_suspend_cmd_names); i++) {
		if (strlen(xen_suspend_cmd_names[i]) == len &&
		    !memcmp(buf, xen_suspend_cmd_names[i], len))
			return i;
	}
	return -EINVAL;
}

/**
 * xen_suspend_cmd_name() - the keyword of a command
 * @cmd: the command
 *
 * Return: its keyword, or "?" for a value out of range.
 */
const char *xen_suspend_cmd_name(enum xen_suspend_cmd cmd)
{
	if ((unsigned int)cmd >= ARRAY_SIZE(xen_suspend_cmd_names))
		return "?";
	return xen_suspend_cmd_names[cmd];
}

static const char * const xen_suspend_state_names[] = {
	[XEN_SUSPEND_IDLE]		= "idle",
	[XEN_SUSPEND_PREPARED]		= "prepared",
	[XEN_SUSPEND_SUSPENDING]	= "suspending",
	[XEN_SUSPEND_RESUMING]		= "resuming",
};

static const char * const xen_suspend_result_names[] = {
	[XEN_SUSPEND_NONE]		= "none",
	[XEN_SUSPEND_RESUMED]		= "resumed",
	[XEN_SUSPEND_CANCELLED]		= "cancelled",
	[XEN_SUSPEND_FAILED]		= "failed",
};

/**
 * xen_suspend_result_name() - the word for how a cycle ended
 * @result: the result
 *
 * Return: "none", "resumed", "cancelled" or "failed", or "?" for a value
 * out of range.
 */
const char *xen_suspend_result_name(enum xen_suspend_result result)
{
	if ((unsigned int)result >= ARRAY_SIZE(xen_suspend_result_names))
		return "?";
	return xen_suspend_result_names[result];
}

/**
 * xen_suspend_format_status() - the line /sys/power/xen_suspend reads
 * @buf: where to write it
 * @size: size of @buf
 * @state: the current state
 * @result: how the last cycle ended
 * @error: its negative errno when @result is %XEN_SUSPEND_FAILED
 *
 * Writes "<state> <result>\n", where a failure reads "failed:<ENAME>"
 * (the symbolic errno name, or its number when the kernel has no name
 * for it).
 *
 * Return: the number of characters written, or -EINVAL when @state or
 * @result is out of range.
 */
int xen_suspend_format_status(char *buf, size_t size, enum xen_suspend_state state,
			      enum xen_suspend_result result, int error)
{
	const char *ename;

	if ((unsigned int)state >= ARRAY_SIZE(xen_suspend_state_names) ||
	    (unsigned int)result >= ARRAY_SIZE(xen_suspend_result_names))
		return -EINVAL;

	if (result != XEN_SUSPEND_FAILED)
		return scnprintf(buf, size, "%s %s\n", xen_suspend_state_names[state],
				 xen_suspend_result_names[result]);

	ename = errname(error);
	if (ename && ename[0] == '-')
		return scnprintf(buf, size, "%s failed:%s\n",
				 xen_suspend_state_names[state], ename + 1);
	return scnprintf(buf, size, "%s failed:%d\n", xen_suspend_state_names[state], error);
}

/* Arm the timeout @secs from @now; returns its delay in jiffies (never 0). */
static unsigned long xen_suspend_hold_arm(struct xen_suspend_hold *hold,
					  unsigned long now, unsigned int secs)
{
	unsigned long delay = (unsigned long)max(secs, 1U) * HZ;

	hold->expires = now + delay;
	return delay;
}

/**
 * xen_suspend_hold_start() - a prepare holds, or is written again
 * @hold: the hold
 * @now: jiffies
 * @timeout_s: the hold timeout, in seconds
 *
 * Return: the delay to arm the timeout work with, or 0 when dom0 keeps the
 * hold (no timeout).
 */
unsigned long xen_suspend_hold_start(struct xen_suspend_hold *hold,
				     unsigned long now, unsigned int timeout_s)
{
	hold->held = true;
	return hold->dom0 ? 0 : xen_suspend_hold_arm(hold, now, timeout_s);
}

/**
 * xen_suspend_hold_node() - dom0's control/xen-suspend-hold changed
 * @hold: the hold
 * @present: the node holds a valid value, @secs (else it was removed)
 * @secs: that value, in seconds
 * @now: jiffies
 *
 * While the node is there the hold never times out; once it is removed,
 * the timeout restarts with its last value.
 *
 * Return: the delay to arm the timeout work with, or 0 for none.
 */
unsigned long xen_suspend_hold_node(struct xen_suspend_hold *hold, bool present,
				    unsigned int secs, unsigned long now)
{
	if (present) {
		hold->dom0 = true;
		hold->secs = secs;
		return 0;
	}
	if (!hold->dom0)
		return 0;
	hold->dom0 = false;
	return hold->held ? xen_suspend_hold_arm(hold, now, hold->secs) : 0;
}

/**
 * xen_suspend_hold_end() - the hold ended (a cycle, an abort, the timeout)
 * @hold: the hold
 */
void xen_suspend_hold_end(struct xen_suspend_hold *hold)
{
	hold->held = false;
}

/**
 * xen_suspend_hold_may_expire() - may the timeout work end the hold now?
 * @hold: the hold
 * @now: jiffies
 *
 * The timeout work may run late, or after a renewal or dom0's node moved
 * the timeout: it ends the hold only when this says so.
 *
 * Return: true when a prepare is held, dom0 does not keep it and its
 * timeout has passed.
 */
bool xen_suspend_hold_may_expire(const struct xen_suspend_hold *hold,
				 unsigned long now)
{
	return hold->held && !hold->dom0 && time_after_eq(now, hold->expires);
}
