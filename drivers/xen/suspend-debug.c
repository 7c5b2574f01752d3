// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection for the Xen suspend cycle (CONFIG_XEN_SUSPEND_DEBUG).
 *
 * debugfs xen/suspend/fail_step takes a step index N, or -1 to disarm: step
 * N of the next cycle fails with -EIO before it does anything, so that the
 * undo of the steps before it runs.  A cycle disarms the knob when it ends,
 * whether it reached step N or not, so that a test can never leave it armed
 * for a later toolstack suspend.
 *
 * debugfs xen/suspend/fail_lift_wait, when 1, makes the next lean lift
 * (suspend-lean.c) take the frontends for still connecting: after a resume
 * it waits its whole bound, then warns and takes memory back from Xen
 * anyway.  That lift disarms the knob, whether it followed a resume or not.
 *
 * debugfs xen/suspend/fail_release_delay_ms (0 to 10000) makes every frame
 * list of a lean release wait that long first, so that a release outlasts
 * dom0's wait for it; 0 disarms it.  fail_release_below takes a number of
 * pages that the next release goes below its reserve, so that its take-back
 * from Xen has that much to do; that release disarms it.
 *
 * debugfs xen/suspend/fail_request_gate, when 1, keeps the work that serves
 * dom0's "prepare" and "abort" waiting before it reads the latest request
 * (they are still acknowledged), so that a test can queue several; 0 opens
 * the gate, and it opens by itself after 30 s.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/debugfs.h>
#include <linux/errno.h>
#include <linux/init.h>
#include <linux/sizes.h>
#include <linux/wait.h>

#include <xen/xen.h>

#include "suspend-debug.h"

static atomic_t xen_suspend_fail_step = ATOMIC_INIT(-1);
static atomic_t xen_suspend_fail_lift_wait = ATOMIC_INIT(0);
static atomic_t xen_suspend_fail_release_delay_ms = ATOMIC_INIT(0);
static atomic_long_t xen_suspend_fail_release_below = ATOMIC_LONG_INIT(0);
static atomic_t xen_suspend_fail_request_gate = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(xen_suspend_request_gate_wq);

#define XEN_SUSPEND_RELEASE_DELAY_MAX_MS	10000
/* 1 GiB of pages */
#define XEN_SUSPEND_RELEASE_BELOW_MAX		(SZ_1G >> PAGE_SHIFT)
#define XEN_SUSPEND_REQUEST_GATE_MAX_S		30

/**
 * xen_suspend_debug_fault() - the cycle's fault hook
 * @cycle: the running cycle
 * @step: the index of the step about to be entered
 *
 * Return: -EIO when @step is the armed one (which disarms it), else 0.
 */
int xen_suspend_debug_fault(struct xen_suspend_cycle *cycle, unsigned int step)
{
	if (atomic_cmpxchg(&xen_suspend_fail_step, step, -1) != step)
		return 0;
	pr_info("fail_step: failing step %u (%s) with -EIO\n", step,
		cycle->steps[step].name);
	return -EIO;
}

/**
 * xen_suspend_debug_cycle_end() - disarm the knob once a cycle is over
 */
void xen_suspend_debug_cycle_end(void)
{
	atomic_set(&xen_suspend_fail_step, -1);
}

/**
 * xen_suspend_debug_lift_fault() - the lean lift's fault hook
 *
 * Return: true when fail_lift_wait is armed (which disarms it): the lift
 * takes the frontends for still connecting.
 */
bool xen_suspend_debug_lift_fault(void)
{
	if (!atomic_xchg(&xen_suspend_fail_lift_wait, 0))
		return false;
	pr_info("fail_lift_wait: the lift takes the frontends for connecting\n");
	return true;
}

/**
 * xen_suspend_debug_release_delay() - the lean release's delay hook
 *
 * Called before every frame list of a release: sleeps for
 * fail_release_delay_ms.
 */
void xen_suspend_debug_release_delay(void)
{
	unsigned int ms = atomic_read(&xen_suspend_fail_release_delay_ms);

	if (ms)
		msleep(ms);
}

/**
 * xen_suspend_debug_release_below() - the lean release's take-back hook
 *
 * Return: the pages that this release goes below its reserve, from
 * fail_release_below (which this disarms), usually 0.
 */
unsigned long xen_suspend_debug_release_below(void)
{
	unsigned long below = atomic_long_xchg(&xen_suspend_fail_release_below, 0);

	if (below)
		pr_info("fail_release_below: releasing %lu pages below the reserve\n",
			below);
	return below;
}

/**
 * xen_suspend_debug_request_gate() - the gate of dom0's request work
 *
 * Called by the work that serves dom0's requests before it reads the
 * latest: waits while fail_request_gate is 1, for 30 s at most, after
 * which it opens the gate.
 */
void xen_suspend_debug_request_gate(void)
{
	if (!atomic_read(&xen_suspend_fail_request_gate))
		return;
	pr_info("fail_request_gate: dom0's requests wait for the gate\n");
	if (!wait_event_timeout(xen_suspend_request_gate_wq,
				!atomic_read(&xen_suspend_fail_request_gate),
				XEN_SUSPEND_REQUEST_GATE_MAX_S * HZ)) {
		atomic_set(&xen_suspend_fail_request_gate, 0);
		pr_warn("fail_request_gate: still shut after %d s, opening it\n",
			XEN_SUSPEND_REQUEST_GATE_MAX_S);
	}
}

static int xen_suspend_fail_step_get(void *data, u64 *val)
{
	*val = (s64)atomic_read(&xen_suspend_fail_step);
	return 0;
}

static int xen_suspend_fail_step_set(void *data, u64 val)
{
	s64 step = (s64)val;

	if (step < -1 || step >= XEN_SUSPEND_MAX_STEPS)
		return -EINVAL;
	atomic_set(&xen_suspend_fail_step, step);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE_SIGNED(xen_suspend_fail_step_fops, xen_suspend_fail_step_get,
				xen_suspend_fail_step_set, "%lld\n");

static int xen_suspend_fail_lift_wait_get(void *data, u64 *val)
{
	*val = atomic_read(&xen_suspend_fail_lift_wait);
	return 0;
}

static int xen_suspend_fail_lift_wait_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	atomic_set(&xen_suspend_fail_lift_wait, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(xen_suspend_fail_lift_wait_fops, xen_suspend_fail_lift_wait_get,
			 xen_suspend_fail_lift_wait_set, "%llu\n");

static int xen_suspend_fail_release_delay_get(void *data, u64 *val)
{
	*val = atomic_read(&xen_suspend_fail_release_delay_ms);
	return 0;
}

static int xen_suspend_fail_release_delay_set(void *data, u64 val)
{
	if (val > XEN_SUSPEND_RELEASE_DELAY_MAX_MS)
		return -EINVAL;
	atomic_set(&xen_suspend_fail_release_delay_ms, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(xen_suspend_fail_release_delay_fops,
			 xen_suspend_fail_release_delay_get,
			 xen_suspend_fail_release_delay_set, "%llu\n");

static int xen_suspend_fail_release_below_get(void *data, u64 *val)
{
	*val = atomic_long_read(&xen_suspend_fail_release_below);
	return 0;
}

static int xen_suspend_fail_release_below_set(void *data, u64 val)
{
	if (val > XEN_SUSPEND_RELEASE_BELOW_MAX)
		return -EINVAL;
	atomic_long_set(&xen_suspend_fail_release_below, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(xen_suspend_fail_release_below_fops,
			 xen_suspend_fail_release_below_get,
			 xen_suspend_fail_release_below_set, "%llu\n");

static int xen_suspend_fail_request_gate_get(void *data, u64 *val)
{
	*val = atomic_read(&xen_suspend_fail_request_gate);
	return 0;
}

static int xen_suspend_fail_request_gate_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	atomic_set(&xen_suspend_fail_request_gate, val);
	if (!val)
		wake_up_all(&xen_suspend_request_gate_wq);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(xen_suspend_fail_request_gate_fops,
			 xen_suspend_fail_request_gate_get,
			 xen_suspend_fail_request_gate_set, "%llu\n");

/* After suspend-stats.c's initcall (link order), which makes xen/suspend/. */
static int __init xen_suspend_debug_init(void)
{
	struct dentry *xen, *dir;

	if (!xen_pv_domain())
		return 0;

	xen = debugfs_lookup("xen", NULL);
	if (!xen)
		return -ENOENT;
	dir = debugfs_lookup("suspend", xen);
	dput(xen);
	if (!dir)
		return -ENOENT;
	debugfs_create_file_unsafe("fail_step", 0600, dir, NULL,
				   &xen_suspend_fail_step_fops);
	debugfs_create_file_unsafe("fail_lift_wait", 0600, dir, NULL,
				   &xen_suspend_fail_lift_wait_fops);
	debugfs_create_file_unsafe("fail_release_delay_ms", 0600, dir, NULL,
				   &xen_suspend_fail_release_delay_fops);
	debugfs_create_file_unsafe("fail_release_below", 0600, dir, NULL,
				   &xen_suspend_fail_release_below_fops);
	debugfs_create_file_unsafe("fail_request_gate", 0600, dir, NULL,
				   &xen_suspend_fail_request_gate_fops);
	dput(dir);
	return 0;
}
late_initcall(xen_suspend_debug_init);
