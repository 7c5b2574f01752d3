// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/power/xen_suspend: the state of the Xen suspend cycle and the result
 * of the last one, and the guest administrator's commands.
 *
 * Reading gives "<state> <result>".  Writing "test" runs a dry run of the
 * cycle up to, but without, the hypercall and returns when it is over.
 * "prepare" gives free and reclaimable memory back to Xen and holds the
 * balloon until the next suspend cycle ends (suspend-lean.c); written again
 * while prepared it restarts the hold timeout.  "abort" lifts the hold.
 * Anything else is -EINVAL; a write while another system transition runs,
 * or while a toolstack request waits for one to end, is -EBUSY.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/errname.h>
#include <linux/errno.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/spinlock.h>
#include <linux/suspend.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

#include "suspend-ctl.h"
#include "suspend-debug.h"
#include "suspend-lean.h"

/* The layout of data/xen-suspend/, for the dom0 helper. */
#define XEN_SUSPEND_XS_VERSION	1

static DEFINE_SPINLOCK(xen_suspend_lock);
static enum xen_suspend_state xen_suspend_state = XEN_SUSPEND_IDLE;
static enum xen_suspend_result xen_suspend_result = XEN_SUSPEND_NONE;
static int xen_suspend_error;
/* Prepared: the balloon is held.  Under system_transition_mutex. */
static bool xen_suspend_lean_held;

/*
 * What data/xen-suspend/ tells the dom0 helper (under xen_suspend_lock): a
 * prepare it asked for runs, and whether its last request was a prepare
 * (result "prepared" or "failed:<ENAME>") or a suspend cycle (the cycle's
 * result, as /sys/power/xen_suspend reads it).
 */
static bool xen_suspend_xs_preparing;
static bool xen_suspend_xs_last_prepare;
static int xen_suspend_xs_prepare_error;

/*
 * dom0's prepare and abort requests (under xen_suspend_lock), served by one
 * work item, so in the order they came: each request bumps the generation,
 * and the work serves the latest one.  A prepare whose release is still
 * running stops at the next frame list when an abort came after it.
 */
static struct {
	unsigned int gen;	/* of the latest request */
	unsigned int served;	/* the generation the work serves */
	int cmd;		/* the latest: XEN_SUSPEND_CMD_PREPARE or _ABORT */
	bool running;		/* the work serves a prepare */
} xen_suspend_req;

static void xen_suspend_xs_report(void);
static int xen_suspend_abort(bool wait);

static void xen_suspend_set_state(enum xen_suspend_state state)
{
	spin_lock(&xen_suspend_lock);
	xen_suspend_state = state;
	spin_unlock(&xen_suspend_lock);
}

static void xen_suspend_resuming(struct xen_suspend_cycle *cycle)
{
	xen_suspend_set_state(XEN_SUSPEND_RESUMING);
}

/**
 * xen_suspend_cycle_begin() - report that a cycle starts
 * @cycle: the cycle about to run; gets the hook that reports its resume
 * @trigger: who asked for it
 *
 * Called under system_transition_mutex, before xen_suspend_cycle_run().
 */
void xen_suspend_cycle_begin(struct xen_suspend_cycle *cycle,
			     enum xen_suspend_trigger trigger)
{
	cycle->resuming = xen_suspend_resuming;
	xen_suspend_set_state(XEN_SUSPEND_SUSPENDING);
}

/* End a prepare: the balloon lifts its hold.  Under system_transition_mutex. */
static void xen_suspend_unhold(bool aborted, bool resumed)
{
	xen_suspend_lean_end(aborted, resumed);
	xen_suspend_lean_held = false;
}

/**
 * xen_suspend_cycle_end() - report how a cycle ended
 * @cycle: the cycle that xen_suspend_cycle_run() has run
 * @trigger: who asked for it
 *
 * Called under system_transition_mutex, after every task is thawed.
 */
void xen_suspend_cycle_end(const struct xen_suspend_cycle *cycle,
			   enum xen_suspend_trigger trigger)
{
	enum xen_suspend_state state = XEN_SUSPEND_IDLE;

	/* A toolstack cycle ends a prepare; a test leaves it prepared. */
	if (xen_suspend_lean_held && trigger == XEN_SUSPEND_TRIGGER_TOOLSTACK)
		xen_suspend_unhold(false, xen_suspend_cycle_result(cycle) ==
					  XEN_SUSPEND_RESUMED);
	if (xen_suspend_lean_held)
		state = XEN_SUSPEND_PREPARED;

	spin_lock(&xen_suspend_lock);
	xen_suspend_state = state;
	xen_suspend_result = xen_suspend_cycle_result(cycle);
	xen_suspend_error = cycle->error;
	if (trigger == XEN_SUSPEND_TRIGGER_TOOLSTACK)
		xen_suspend_xs_last_prepare = false;
	spin_unlock(&xen_suspend_lock);
	xen_suspend_xs_report();
}

static ssize_t xen_suspend_show(struct kobject *kobj, struct kobj_attribute *attr,
				char *buf)
{
	enum xen_suspend_state state;
	enum xen_suspend_result result;
	int error;

	spin_lock(&xen_suspend_lock);
	state = xen_suspend_state;
	result = xen_suspend_result;
	error = xen_suspend_error;
	spin_unlock(&xen_suspend_lock);

	return xen_suspend_format_status(buf, PAGE_SIZE, state, result, error);
}

/*
 * Take system_transition_mutex for a prepare or an abort: from sysfs (@wait
 * false), -EBUSY at once while a system transition runs; for dom0, wait.
 */
static int xen_suspend_ctl_lock(bool wait, unsigned int *flags)
{
	if (wait) {
		*flags = lock_system_sleep();
		return 0;
	}
	return mutex_trylock(&system_transition_mutex) ? 0 : -EBUSY;
}

static void xen_suspend_ctl_unlock(bool wait, unsigned int flags)
{
	if (wait)
		unlock_system_sleep(flags);
	else
		mutex_unlock(&system_transition_mutex);
}

/* From sysfs (@wait false: -EBUSY when a cycle runs) or for dom0 (wait). */
static int xen_suspend_prepare(bool wait)
{
	unsigned int flags = 0;
	int err = 0;

	/* Dirty page cache cannot be given back: write it out first. */
	ksys_sync_helper();

	err = xen_suspend_ctl_lock(wait, &flags);
	if (err)
		return err;
	if (xen_suspend_lean_held) {
		xen_suspend_lean_refresh();
	} else {
		err = xen_suspend_lean_prepare();
		if (!err) {
			xen_suspend_lean_held = true;
			xen_suspend_set_state(XEN_SUSPEND_PREPARED);
		}
	}
	xen_suspend_ctl_unlock(wait, flags);
	xen_suspend_xs_report();
	return err;
}

/* dom0's latest request, in the order they came (see xen_suspend_req). */
static void xen_suspend_dom0_fn(struct work_struct *work)
{
	unsigned int gen;
	int cmd, err;

	xen_suspend_debug_request_gate();
	spin_lock(&xen_suspend_lock);
	cmd = xen_suspend_req.cmd;
	gen = xen_suspend_req.gen;
	xen_suspend_req.served = gen;
	xen_suspend_req.running = cmd == XEN_SUSPEND_CMD_PREPARE;
	if (cmd != XEN_SUSPEND_CMD_PREPARE)
		xen_suspend_xs_preparing = false;
	spin_unlock(&xen_suspend_lock);

	if (cmd != XEN_SUSPEND_CMD_PREPARE) {
		/* Nothing prepared is not an error for dom0. */
		xen_suspend_abort(true);
		return;
	}

	err = xen_suspend_prepare(true);
	if (err)
		pr_warn("Prepare asked for by dom0 failed: %d\n", err);
	spin_lock(&xen_suspend_lock);
	xen_suspend_req.running = false;
	/* A newer prepare keeps "preparing"; the work runs again for it. */
	xen_suspend_xs_preparing = xen_suspend_req.gen != gen &&
				   xen_suspend_req.cmd == XEN_SUSPEND_CMD_PREPARE;
	xen_suspend_xs_last_prepare = true;
	xen_suspend_xs_prepare_error = err;
	spin_unlock(&xen_suspend_lock);
	xen_suspend_xs_report();
}

static DECLARE_WORK(xen_suspend_dom0_work, xen_suspend_dom0_fn);

static void xen_suspend_request(int cmd)
{
	spin_lock(&xen_suspend_lock);
	xen_suspend_req.gen++;
	xen_suspend_req.cmd = cmd;
	if (cmd == XEN_SUSPEND_CMD_PREPARE)
		xen_suspend_xs_preparing = true;
	spin_unlock(&xen_suspend_lock);
	xen_suspend_xs_report();
	queue_work(system_unbound_wq, &xen_suspend_dom0_work);
}

/**
 * xen_suspend_abort_pending() - did dom0 abort the prepare being served?
 *
 * Called by a running release between two frame lists.
 *
 * Return: true when dom0's latest request is an abort that came after the
 * prepare that the work serves.
 */
bool xen_suspend_abort_pending(void)
{
	bool pending;

	spin_lock(&xen_suspend_lock);
	pending = xen_suspend_req.running &&
		  xen_suspend_req.gen != xen_suspend_req.served &&
		  xen_suspend_req.cmd == XEN_SUSPEND_CMD_ABORT;
	spin_unlock(&xen_suspend_lock);
	return pending;
}

/**
 * xen_suspend_prepare_busy() - may "prepare" from control/shutdown be taken?
 *
 * Called by the xenwatch thread before it acknowledges the command.
 *
 * Return: true while a suspend cycle, a test, a prepare or another system
 * transition holds system_transition_mutex; the command is then left for
 * later.
 */
bool xen_suspend_prepare_busy(void)
{
	return mutex_is_locked(&system_transition_mutex);
}

/**
 * xen_suspend_abort_busy() - may "abort" from control/shutdown be taken?
 *
 * Called by the xenwatch thread before it acknowledges the command.
 *
 * Return: as xen_suspend_prepare_busy(), except while the mutex is held for
 * dom0's own prepare: then the abort is taken and stops its release.
 */
bool xen_suspend_abort_busy(void)
{
	bool running;

	spin_lock(&xen_suspend_lock);
	running = xen_suspend_req.running;
	spin_unlock(&xen_suspend_lock);
	return !running && xen_suspend_prepare_busy();
}

/**
 * xen_suspend_request_prepare() - run "prepare" for dom0
 *
 * Called by the xenwatch thread once the command is acknowledged; the work
 * runs on a workqueue.  data/xen-suspend/state reads "preparing" until it
 * is done, then "prepared", or "idle" with result "failed:<ENAME>".
 */
void xen_suspend_request_prepare(void)
{
	xen_suspend_request(XEN_SUSPEND_CMD_PREPARE);
}

/**
 * xen_suspend_request_abort() - run "abort" for dom0
 *
 * Called by the xenwatch thread once the command is acknowledged: a
 * prepare still releasing stops at its next frame list and takes back what
 * it gave (result "failed:ECANCELED"), a held one is lifted, and
 * data/xen-suspend/state reads "idle" again.  Nothing prepared: nothing
 * happens.
 */
void xen_suspend_request_abort(void)
{
	xen_suspend_request(XEN_SUSPEND_CMD_ABORT);
}

/*
 * data/xen-suspend/{version,state,result}, overwritten as things change.
 * Written from a freezable work item: it cannot run between xs_suspend()
 * and the thaw, when xenstore must not be touched.
 */
static void xen_suspend_xs_report_fn(struct work_struct *work)
{
	char line[48], result[32];
	const char *state, *ename;
	char *sp;
	int err;

	spin_lock(&xen_suspend_lock);
	xen_suspend_format_status(line, sizeof(line), xen_suspend_state,
				  xen_suspend_result, xen_suspend_error);
	if (xen_suspend_xs_last_prepare) {
		ename = errname(xen_suspend_xs_prepare_error);
		if (!xen_suspend_xs_prepare_error)
			strscpy(result, "prepared", sizeof(result));
		else if (ename && ename[0] == '-')
			snprintf(result, sizeof(result), "failed:%s", ename + 1);
		else
			snprintf(result, sizeof(result), "failed:%d",
				 xen_suspend_xs_prepare_error);
	} else {
		sp = strchr(line, ' ');
		strscpy(result, sp ? sp + 1 : "none", sizeof(result));
		result[strcspn(result, "\n")] = '\0';
	}
	state = xen_suspend_xs_preparing ? "preparing" : line;
	spin_unlock(&xen_suspend_lock);

	sp = strchr(line, ' ');
	if (sp)
		*sp = '\0';

	err = xenbus_printf(XBT_NIL, "data/xen-suspend", "version", "%u",
			    XEN_SUSPEND_XS_VERSION);
	if (!err)
		err = xenbus_write(XBT_NIL, "data/xen-suspend", "state", state);
	if (!err)
		err = xenbus_write(XBT_NIL, "data/xen-suspend", "result", result);
	if (err)
		pr_warn_ratelimited("cannot write data/xen-suspend: %d\n", err);
}

static DECLARE_WORK(xen_suspend_xs_report_work, xen_suspend_xs_report_fn);

static void xen_suspend_xs_report(void)
{
	if (xen_pv_domain())
		queue_work(system_freezable_wq, &xen_suspend_xs_report_work);
}

/**
 * xen_suspend_xs_announce() - advertise "prepare" to dom0
 *
 * Called once xenstore is up: writes data/xen-suspend/{version,state,result}.
 * A guest without the node is a stock guest to the dom0 helper.
 */
void xen_suspend_xs_announce(void)
{
	xen_suspend_xs_report();
}

static int xen_suspend_abort(bool wait)
{
	unsigned int flags = 0;
	int err = 0;

	err = xen_suspend_ctl_lock(wait, &flags);
	if (err)
		return err;
	if (xen_suspend_lean_held) {
		xen_suspend_unhold(true, false);
		xen_suspend_set_state(XEN_SUSPEND_IDLE);
	} else {
		err = -EINVAL;	/* nothing prepared */
	}
	xen_suspend_ctl_unlock(wait, flags);
	xen_suspend_xs_report();
	return err;
}

/**
 * xen_suspend_hold_expired() - end a prepare that no suspend followed
 *
 * Runs from suspend-lean.c's timeout work.  A cycle that ended meanwhile has
 * lifted the hold already.
 */
void xen_suspend_hold_expired(void)
{
	unsigned int flags;

	flags = lock_system_sleep();
	if (xen_suspend_lean_held && xen_suspend_lean_expired()) {
		pr_warn("Prepared, but no suspend came before the hold timeout: memory goes back to the guest\n");
		xen_suspend_lean_timed_out();
		xen_suspend_unhold(false, false);
		xen_suspend_set_state(XEN_SUSPEND_IDLE);
	}
	unlock_system_sleep(flags);
	xen_suspend_xs_report();
}

static ssize_t xen_suspend_store(struct kobject *kobj, struct kobj_attribute *attr,
				 const char *buf, size_t n)
{
	int cmd, err;

	cmd = xen_suspend_parse_cmd(buf, n);
	if (cmd < 0)
		return cmd;

	switch (cmd) {
	case XEN_SUSPEND_CMD_TEST:
		err = xen_suspend_test();
		break;
	case XEN_SUSPEND_CMD_PREPARE:
		err = xen_suspend_prepare(false);
		break;
	case XEN_SUSPEND_CMD_ABORT:
		err = xen_suspend_abort(false);
		break;
	default:
		err = -EINVAL;
		break;
	}
	return err ? err : n;
}

static struct kobj_attribute xen_suspend_attr = __ATTR_RW(xen_suspend);

static int __init xen_suspend_ctl_init(void)
{
	int err;

	if (!xen_pv_domain())
		return 0;

	err = sysfs_create_file(power_kobj, &xen_suspend_attr.attr);
	if (err)
		pr_err("cannot create /sys/power/xen_suspend: %d\n", err);
	return err;
}
late_initcall(xen_suspend_ctl_init);
