// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lean suspend, the control side.  "prepare" syncs, then has the balloon
 * give free and reclaimable memory back to Xen so that a save or migration
 * copies only what the guest uses, and hold it: no reservation change of any
 * kind until the cycle ends (a live migration may be copying).  The end of
 * the suspend cycle, an "abort" or the hold timeout lift the hold, and the
 * balloon thread takes new frames from Xen up to the target again, after
 * thaw and, after a resume, once the frontends have reconnected (bounded),
 * never in the way of device reconnection.
 *
 * The hold timeout ends a prepare that no suspend follows, when no dom0
 * helper looks after it.  A helper writes control/xen-suspend-hold before
 * its "prepare" and keeps it while xl runs: while the node is there, the
 * hold never times out (a live migration may be copying); once it is
 * removed, the timeout restarts with the seconds it held.  A helper killed
 * outright leaves the guest held until "abort" or the end of a cycle.
 *
 * debugfs xen/suspend/lean shows what the last prepare and lift did,
 * xen/suspend/hold_timeout_s the hold timeout in seconds and
 * xen/suspend/lift_wait_ms how long a lift waits for the frontends at most.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/seq_file.h>
#include <linux/suspend.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include <xen/balloon.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "suspend-debug.h"
#include "suspend-lean.h"
#include "suspend-seq.h"

/* Long enough for a save or migration of a big guest on a slow host. */
#define XEN_SUSPEND_HOLD_TIMEOUT_S	600
#define XEN_SUSPEND_HOLD_TIMEOUT_MAX_S	(24 * 3600)

static u32 hold_timeout_s = XEN_SUSPEND_HOLD_TIMEOUT_S;

/* After a resume the lift waits for the frontends, this long at most. */
#define XEN_SUSPEND_LIFT_WAIT_MS	10000
#define XEN_SUSPEND_LIFT_WAIT_MAX_MS	60000
#define XEN_SUSPEND_LIFT_POLL_MS	20

static u32 lift_wait_ms = XEN_SUSPEND_LIFT_WAIT_MS;

/* Set by xen_suspend_lean_end() before it queues the lift. */
static bool lift_after_resume;
/* How long the last lift waited for the frontends. */
static u64 lift_wait_us;

/* Written by the xenstore watch only (the xenwatch thread). */
static u64 hold_refreshes, hold_rejected;

/*
 * The hold of a prepare, under hold_lock: the xenstore watch cannot take
 * system_transition_mutex.  The timeout work lifts the hold only if, under
 * the lock, it finds it held, no node from dom0 and its deadline passed, so
 * that a renewal or a node written while the work already runs wins
 * (xen_suspend_hold_may_expire(), suspend-seq.c).
 */
static DEFINE_SPINLOCK(hold_lock);
static struct xen_suspend_hold hold;

/* Under system_transition_mutex, like the prepared state. */
static struct {
	unsigned long reserve;
	unsigned long released;
	u64 release_us;
	u64 prepares;
	u64 aborts;
	u64 stopped;
	u64 timeouts;
	int error;
} lean;

static void xen_suspend_hold_timeout_fn(struct work_struct *work)
{
	xen_suspend_hold_expired();
}

static DECLARE_DELAYED_WORK(xen_suspend_hold_work, xen_suspend_hold_timeout_fn);

/*
 * The frontend bus may be a module (XEN_XENBUS_FRONTEND=m, with every
 * frontend a module) or absent: no frontend bus, no frontend connecting.
 */
static bool xen_suspend_frontends_connecting(void)
{
	typeof(xenbus_frontends_connecting) *connecting =
		symbol_get(xenbus_frontends_connecting);
	bool ret = false;

	if (connecting) {
		ret = connecting();
		symbol_put(xenbus_frontends_connecting);
	}
	return ret;
}

/*
 * The balloon takes its mutex: not from the xenwatch thread.  After a resume
 * the frontends reconnect to new backends from the xenwatch thread: taking
 * frames from Xen meanwhile would compete with them, so wait until they are
 * connected, polling, for lift_wait_ms at most.
 */
static void xen_suspend_lift_fn(struct work_struct *work)
{
	u64 t0 = ktime_get_boottime_ns();
	bool fault = xen_suspend_debug_lift_fault();
	unsigned int wait_ms = READ_ONCE(lift_wait_ms);
	unsigned long end = jiffies + msecs_to_jiffies(wait_ms);
	bool connecting = false;

	if (READ_ONCE(lift_after_resume)) {
		while ((connecting = fault || xen_suspend_frontends_connecting()) &&
		       time_before(jiffies, end))
			msleep(XEN_SUSPEND_LIFT_POLL_MS);
		if (connecting)
			pr_warn("Frontends still connecting %u ms after the resume: taking memory back from Xen anyway\n",
				wait_ms);
	}
	WRITE_ONCE(lift_wait_us, div_u64(ktime_get_boottime_ns() - t0, NSEC_PER_USEC));
	xen_balloon_lean_lift();
}

static DECLARE_WORK(xen_suspend_lift_work, xen_suspend_lift_fn);

/* (Re)arm the timeout work, @delay jiffies from now, if not 0. */
static void xen_suspend_arm_hold_timeout(unsigned long delay)
{
	if (delay)
		mod_delayed_work(system_wq, &xen_suspend_hold_work, delay);
}

/* Held: (re)start the timeout, unless a dom0 helper keeps the hold. */
static void xen_suspend_hold_begin(void)
{
	spin_lock(&hold_lock);
	xen_suspend_arm_hold_timeout(xen_suspend_hold_start(&hold, jiffies,
							    READ_ONCE(hold_timeout_s)));
	spin_unlock(&hold_lock);
}

/* Stop (a newer request from dom0 is an abort) between two frame lists. */
static bool xen_suspend_release_stop(void)
{
	xen_suspend_debug_release_delay();
	return xen_suspend_abort_pending();
}

/**
 * xen_suspend_lean_expired() - may the hold timeout end the prepare now?
 *
 * Return: true when a prepare is held, no dom0 helper keeps it and its
 * timeout has passed.
 */
bool xen_suspend_lean_expired(void)
{
	bool expired;

	spin_lock(&hold_lock);
	expired = xen_suspend_hold_may_expire(&hold, jiffies);
	spin_unlock(&hold_lock);
	return expired;
}

/**
 * xen_suspend_lean_prepare() - give memory back to Xen and hold the balloon
 *
 * Called under system_transition_mutex with nothing prepared.
 *
 * Return: 0 when the balloon is held (what was released is in debugfs
 * xen/suspend/lean), or the balloon's negative errno.
 */
int xen_suspend_lean_prepare(void)
{
	unsigned long released;
	u64 t0 = ktime_get_boottime_ns();
	int err;

	lockdep_assert_held(&system_transition_mutex);

	/* A lift still waiting for the frontends goes first. */
	flush_work(&xen_suspend_lift_work);
	lean.reserve = xen_balloon_lean_reserve();
	err = xen_balloon_lean_release(lean.reserve,
				       xen_suspend_debug_release_below(),
				       xen_suspend_release_stop, &released);
	lean.error = err;
	lean.released = released;
	lean.release_us = div_u64(ktime_get_boottime_ns() - t0, NSEC_PER_USEC);
	if (err == -ECANCELED)
		lean.stopped++;
	if (err == -EINTR)
		err = 0;	/* held with what was released */
	if (err)
		return err;

	lean.prepares++;
	xen_suspend_hold_begin();
	return 0;
}

/**
 * xen_suspend_lean_refresh() - restart the hold timeout
 */
void xen_suspend_lean_refresh(void)
{
	xen_suspend_hold_begin();
}

/**
 * xen_suspend_lean_end() - lift the hold: the cycle ended, or it was aborted
 * @aborted: by "abort" or the timeout rather than a suspend cycle
 * @resumed: the cycle resumed in a new domain: the lift waits for the
 *	frontends to reconnect
 *
 * Called under system_transition_mutex.  The timeout work may be waiting for
 * that mutex: it finds nothing prepared and does nothing.
 */
void xen_suspend_lean_end(bool aborted, bool resumed)
{
	lockdep_assert_held(&system_transition_mutex);

	spin_lock(&hold_lock);
	xen_suspend_hold_end(&hold);
	spin_unlock(&hold_lock);
	cancel_delayed_work(&xen_suspend_hold_work);
	if (aborted)
		lean.aborts++;
	WRITE_ONCE(lift_after_resume, resumed);
	queue_work(system_unbound_wq, &xen_suspend_lift_work);
}

/* Counted here, reported by suspend-ctl.c's xen_suspend_hold_expired(). */
void xen_suspend_lean_timed_out(void)
{
	lean.timeouts++;
}

static int xen_suspend_lean_show(struct seq_file *m, void *unused)
{
	struct xen_balloon_lean_stats st;
	unsigned int flags;

	xen_balloon_lean_get(&st);
	flags = lock_system_sleep();
	seq_printf(m, "held: %d\n", st.held);
	seq_printf(m, "reserve: %lu\n", lean.reserve);
	seq_printf(m, "released: %lu\n", lean.released);
	seq_printf(m, "release_us: %llu\n", lean.release_us);
	seq_printf(m, "release_error: %d\n", lean.error);
	seq_printf(m, "repopulated: %lu\n", st.repopulated);
	seq_printf(m, "refused: %lu\n", st.refused);
	seq_printf(m, "unmapped: %lu\n", st.unmapped);
	seq_printf(m, "kept: %lu\n", st.kept);
	seq_printf(m, "missing: %lu\n", st.missing);
	seq_printf(m, "lift_wait_us: %llu\n", READ_ONCE(lift_wait_us));
	seq_printf(m, "whole_us: %llu\n", st.whole_us);
	seq_printf(m, "prepares: %llu\n", lean.prepares);
	seq_printf(m, "aborts: %llu\n", lean.aborts);
	seq_printf(m, "stopped: %llu\n", lean.stopped);
	seq_printf(m, "timeouts: %llu\n", lean.timeouts);
	seq_printf(m, "hold_refreshes: %llu\n", READ_ONCE(hold_refreshes));
	seq_printf(m, "hold_rejected: %llu\n", READ_ONCE(hold_rejected));
	unlock_system_sleep(flags);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xen_suspend_lean);

/* A u32 in debugfs that takes only values from min to max. */
struct xen_suspend_knob {
	u32 *val;
	u32 min;
	u32 max;
};

static struct xen_suspend_knob hold_timeout_knob = {
	.val = &hold_timeout_s, .min = 1, .max = XEN_SUSPEND_HOLD_TIMEOUT_MAX_S,
};

static struct xen_suspend_knob lift_wait_knob = {
	.val = &lift_wait_ms, .min = 0, .max = XEN_SUSPEND_LIFT_WAIT_MAX_MS,
};

static int xen_suspend_knob_get(void *data, u64 *val)
{
	const struct xen_suspend_knob *knob = data;

	*val = READ_ONCE(*knob->val);
	return 0;
}

static int xen_suspend_knob_set(void *data, u64 val)
{
	const struct xen_suspend_knob *knob = data;

	if (val < knob->min || val > knob->max)
		return -EINVAL;
	WRITE_ONCE(*knob->val, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(xen_suspend_knob_fops, xen_suspend_knob_get,
			 xen_suspend_knob_set, "%llu\n");

/*
 * control/xen-suspend-hold, written by dom0's helper before its "prepare"
 * and kept while xl runs: while it holds 1 to 86400 (seconds), a prepare's
 * hold never times out; when it is removed, the timeout restarts with those
 * seconds.  Anything else is ignored and counted.  Never blocks the
 * xenwatch thread.
 */
static void xen_suspend_hold_changed(struct xenbus_watch *watch,
				     const char *path, const char *token)
{
	unsigned int secs;
	char *val;

	val = xenbus_read(XBT_NIL, "control", "xen-suspend-hold", NULL);
	if (IS_ERR(val)) {
		/* removed, or absent at the watch's first event */
		spin_lock(&hold_lock);
		xen_suspend_arm_hold_timeout(xen_suspend_hold_node(&hold, false, 0,
								   jiffies));
		spin_unlock(&hold_lock);
		return;
	}
	if (kstrtouint(val, 10, &secs) || !secs ||
	    secs > XEN_SUSPEND_HOLD_TIMEOUT_MAX_S) {
		WRITE_ONCE(hold_rejected, hold_rejected + 1);
		pr_warn_ratelimited("control/xen-suspend-hold \"%*pE\" is not 1 to %u seconds: ignored\n",
				    (int)strnlen(val, 32), val,
				    XEN_SUSPEND_HOLD_TIMEOUT_MAX_S);
		kfree(val);
		return;
	}
	kfree(val);
	spin_lock(&hold_lock);
	xen_suspend_hold_node(&hold, true, secs, jiffies);
	spin_unlock(&hold_lock);
	WRITE_ONCE(hold_refreshes, hold_refreshes + 1);
}

static struct xenbus_watch xen_suspend_hold_watch = {
	.node = "control/xen-suspend-hold",
	.callback = xen_suspend_hold_changed,
};

static int xen_suspend_hold_xenstore_ready(struct notifier_block *nb,
					   unsigned long event, void *data)
{
	int err = register_xenbus_watch(&xen_suspend_hold_watch);

	if (err)
		pr_err("cannot watch control/xen-suspend-hold (%d): only the hold timeout ends an unfinished prepare\n",
		       err);
	return NOTIFY_DONE;
}

static struct notifier_block xen_suspend_hold_nb = {
	.notifier_call = xen_suspend_hold_xenstore_ready,
};

/* After suspend-stats.c's initcall (link order), which makes xen/suspend/. */
static int __init xen_suspend_lean_init(void)
{
	struct dentry *xen, *dir;

	if (!xen_pv_domain())
		return 0;
	register_xenstore_notifier(&xen_suspend_hold_nb);
	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		return 0;

	xen = debugfs_lookup("xen", NULL);
	if (!xen)
		return -ENOENT;
	dir = debugfs_lookup("suspend", xen);
	dput(xen);
	if (!dir)
		return -ENOENT;
	debugfs_create_file("lean", 0400, dir, NULL, &xen_suspend_lean_fops);
	debugfs_create_file_unsafe("hold_timeout_s", 0600, dir,
				   &hold_timeout_knob, &xen_suspend_knob_fops);
	debugfs_create_file_unsafe("lift_wait_ms", 0600, dir,
				   &lift_wait_knob, &xen_suspend_knob_fops);
	dput(dir);
	return 0;
}
late_initcall(xen_suspend_lean_init);
