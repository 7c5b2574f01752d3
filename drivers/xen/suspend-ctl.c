// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the Xen suspend cycle tells the world, and the guest administrator's
 * commands:
 *
 * - /sys/power/xen_suspend: reading gives "<state> <result>"; writing "test"
 *   runs a dry run of the cycle up to, but without, the hypercall and returns
 *   when it is over; "prepare" and "abort" are reserved.  Anything else is
 *   -EINVAL, a write while another system transition runs is -EBUSY.
 * - debugfs xen/suspend/last and stats: the last cycle step by step, in
 *   microseconds of the boot clock, and totals since boot.
 * - with CONFIG_XEN_SUSPEND_DEBUG, debugfs xen/suspend/fail_step: fail a
 *   step of the next cycle, to test the undo paths.
 * - a KOBJ_CHANGE uevent from /devices/platform/xen_suspend after each cycle,
 *   XEN_SUSPEND=resumed|cancelled|failed, sent from a work item: nothing
 *   slow runs in the xenwatch thread, which frontends need to reconnect.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/errname.h>
#include <linux/errno.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include <xen/xen.h>

#include "suspend-ctl.h"

/* The last cycle, as debugfs xen/suspend/last shows it. */
struct xen_suspend_last {
	enum xen_suspend_trigger trigger;
	enum xen_suspend_result result;
	int error;
	int failed_step;
	unsigned int nr_steps;
	unsigned int entered;
	u64 total_ns;
	const char *names[XEN_SUSPEND_MAX_STEPS];
	u64 enter_ns[XEN_SUSPEND_MAX_STEPS];
	u64 leave_ns[XEN_SUSPEND_MAX_STEPS];
};

/* Totals since boot, as debugfs xen/suspend/stats shows them. */
struct xen_suspend_stats {
	u64 cycles;
	u64 resumed;
	u64 cancelled;
	u64 failed;
	u64 toolstack;
	u64 tests;
};

/* Protects everything below; never held across a step. */
static DEFINE_MUTEX(xen_suspend_mutex);
static enum xen_suspend_state xen_suspend_state = XEN_SUSPEND_IDLE;
static struct xen_suspend_last xen_suspend_last = { .failed_step = -1 };
static struct xen_suspend_stats xen_suspend_stats;
static u64 xen_suspend_begin_ns;

static struct platform_device *xen_suspend_pdev;

/* CONFIG_XEN_SUSPEND_DEBUG: the step the next cycle fails, or -1. */
static atomic_t xen_suspend_fail_step = ATOMIC_INIT(-1);

static const char * const xen_suspend_trigger_names[] = {
	[XEN_SUSPEND_TRIGGER_TOOLSTACK]	= "toolstack",
	[XEN_SUSPEND_TRIGGER_TEST]	= "test",
};

static const char * const xen_suspend_uevent_results[] = {
	[XEN_SUSPEND_NONE]		= "none",
	[XEN_SUSPEND_RESUMED]		= "resumed",
	[XEN_SUSPEND_CANCELLED]		= "cancelled",
	[XEN_SUSPEND_FAILED]		= "failed",
};

static void xen_suspend_set_state(enum xen_suspend_state state)
{
	mutex_lock(&xen_suspend_mutex);
	xen_suspend_state = state;
	mutex_unlock(&xen_suspend_mutex);
}

static void xen_suspend_resuming(struct xen_suspend_cycle *cycle)
{
	xen_suspend_set_state(XEN_SUSPEND_RESUMING);
}

/* Tell userspace how the last cycle ended, from a real device. */
static void xen_suspend_announce(struct work_struct *work)
{
	char result[32], trigger[32], error[48];
	char *envp[4];
	const char *ename;

	if (!xen_suspend_pdev)
		return;

	envp[0] = result;
	envp[1] = trigger;
	envp[2] = NULL;
	envp[3] = NULL;
	mutex_lock(&xen_suspend_mutex);
	snprintf(result, sizeof(result), "XEN_SUSPEND=%s",
		 xen_suspend_uevent_results[xen_suspend_last.result]);
	snprintf(trigger, sizeof(trigger), "XEN_SUSPEND_TRIGGER=%s",
		 xen_suspend_trigger_names[xen_suspend_last.trigger]);
	if (xen_suspend_last.result == XEN_SUSPEND_FAILED) {
		ename = errname(xen_suspend_last.error);
		if (ename && ename[0] == '-')
			snprintf(error, sizeof(error), "XEN_SUSPEND_ERROR=%s", ename + 1);
		else
			snprintf(error, sizeof(error), "XEN_SUSPEND_ERROR=%d",
				 xen_suspend_last.error);
		envp[2] = error;
	}
	mutex_unlock(&xen_suspend_mutex);

	kobject_uevent_env(&xen_suspend_pdev->dev.kobj, KOBJ_CHANGE, envp);
}

static DECLARE_WORK(xen_suspend_announce_work, xen_suspend_announce);

static int xen_suspend_fault(struct xen_suspend_cycle *cycle, unsigned int step)
{
	if (atomic_cmpxchg(&xen_suspend_fail_step, step, -1) != step)
		return 0;
	pr_info("fail_step: failing step %u (%s) with -EIO\n", step,
		cycle->steps[step].name);
	return -EIO;
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
	if (IS_ENABLED(CONFIG_XEN_SUSPEND_DEBUG))
		cycle->fault = xen_suspend_fault;

	mutex_lock(&xen_suspend_mutex);
	xen_suspend_state = XEN_SUSPEND_SUSPENDING;
	xen_suspend_begin_ns = ktime_get_boottime_ns();
	mutex_unlock(&xen_suspend_mutex);
}

/**
 * xen_suspend_cycle_end() - record how a cycle ended and announce it
 * @cycle: the cycle that xen_suspend_cycle_run() has run
 * @trigger: who asked for it
 *
 * Called under system_transition_mutex, after every task is thawed.  The
 * uevent goes out from a work item.
 */
void xen_suspend_cycle_end(const struct xen_suspend_cycle *cycle,
			   enum xen_suspend_trigger trigger)
{
	struct xen_suspend_last *last = &xen_suspend_last;
	struct xen_suspend_stats *stats = &xen_suspend_stats;
	unsigned int i, nr = min_t(unsigned int, cycle->nr_steps, XEN_SUSPEND_MAX_STEPS);

	mutex_lock(&xen_suspend_mutex);
	xen_suspend_state = XEN_SUSPEND_IDLE;

	last->trigger = trigger;
	last->result = xen_suspend_cycle_result(cycle);
	last->error = cycle->error;
	last->failed_step = cycle->failed_step;
	last->nr_steps = nr;
	last->entered = cycle->entered;
	last->total_ns = ktime_get_boottime_ns() - xen_suspend_begin_ns;
	for (i = 0; i < nr; i++) {
		last->names[i] = cycle->steps[i].name;
		last->enter_ns[i] = cycle->enter_ns[i];
		last->leave_ns[i] = cycle->leave_ns[i];
	}

	stats->cycles++;
	switch (last->result) {
	case XEN_SUSPEND_RESUMED:
		stats->resumed++;
		break;
	case XEN_SUSPEND_CANCELLED:
		stats->cancelled++;
		break;
	default:
		stats->failed++;
		break;
	}
	if (trigger == XEN_SUSPEND_TRIGGER_TEST)
		stats->tests++;
	else
		stats->toolstack++;
	mutex_unlock(&xen_suspend_mutex);

	/* A fault applies to the next cycle only. */
	atomic_set(&xen_suspend_fail_step, -1);
	queue_work(system_unbound_wq, &xen_suspend_announce_work);
}

static ssize_t xen_suspend_show(struct kobject *kobj, struct kobj_attribute *attr,
				char *buf)
{
	enum xen_suspend_state state;
	enum xen_suspend_result result;
	int error;

	mutex_lock(&xen_suspend_mutex);
	state = xen_suspend_state;
	result = xen_suspend_last.result;
	error = xen_suspend_last.error;
	mutex_unlock(&xen_suspend_mutex);

	return xen_suspend_format_status(buf, PAGE_SIZE, state, result, error);
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
	default:
		/* Reserved for the lean suspend. */
		err = -EOPNOTSUPP;
		break;
	}
	return err ? err : n;
}

static struct kobj_attribute xen_suspend_attr = __ATTR_RW(xen_suspend);

static int xen_suspend_last_show(struct seq_file *m, void *v)
{
	const struct xen_suspend_last *last = &xen_suspend_last;
	unsigned int i, rows;

	mutex_lock(&xen_suspend_mutex);
	seq_printf(m, "result: %s\n", xen_suspend_uevent_results[last->result]);
	if (last->result == XEN_SUSPEND_NONE)
		goto out;
	seq_printf(m, "trigger: %s\n", xen_suspend_trigger_names[last->trigger]);
	seq_printf(m, "error: %d\n", last->error);
	seq_printf(m, "failed_step: %d\n", last->failed_step);
	seq_printf(m, "steps: %u\n", last->nr_steps);
	seq_printf(m, "entered: %u\n", last->entered);
	seq_printf(m, "total_us: %llu\n", div_u64(last->total_ns, NSEC_PER_USEC));
	seq_puts(m, "step name enter_us leave_us\n");
	/* The entered steps, and the one that failed. */
	rows = last->entered + (last->failed_step >= 0);
	for (i = 0; i < rows && i < last->nr_steps; i++)
		seq_printf(m, "%u %s %llu %llu\n", i, last->names[i],
			   div_u64(last->enter_ns[i], NSEC_PER_USEC),
			   div_u64(last->leave_ns[i], NSEC_PER_USEC));
out:
	mutex_unlock(&xen_suspend_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xen_suspend_last);

static int xen_suspend_stats_show(struct seq_file *m, void *v)
{
	const struct xen_suspend_stats *stats = &xen_suspend_stats;

	mutex_lock(&xen_suspend_mutex);
	seq_printf(m, "cycles: %llu\n", stats->cycles);
	seq_printf(m, "resumed: %llu\n", stats->resumed);
	seq_printf(m, "cancelled: %llu\n", stats->cancelled);
	seq_printf(m, "failed: %llu\n", stats->failed);
	seq_printf(m, "toolstack: %llu\n", stats->toolstack);
	seq_printf(m, "tests: %llu\n", stats->tests);
	mutex_unlock(&xen_suspend_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xen_suspend_stats);

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

/* xen/ exists when arch/x86/xen made its own files there (fs_initcall). */
static struct dentry * __init xen_suspend_debugfs_dir(void)
{
	struct dentry *xen, *dir;

	xen = debugfs_lookup("xen", NULL);
	if (!xen)
		return debugfs_create_dir("suspend", debugfs_create_dir("xen", NULL));
	dir = debugfs_create_dir("suspend", xen);
	dput(xen);
	return dir;
}

static void __init xen_suspend_debugfs_init(void)
{
	struct dentry *dir;

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		return;

	dir = xen_suspend_debugfs_dir();
	debugfs_create_file("last", 0400, dir, NULL, &xen_suspend_last_fops);
	debugfs_create_file("stats", 0400, dir, NULL, &xen_suspend_stats_fops);
	if (IS_ENABLED(CONFIG_XEN_SUSPEND_DEBUG))
		debugfs_create_file_unsafe("fail_step", 0600, dir, NULL,
					   &xen_suspend_fail_step_fops);
}

static int __init xen_suspend_ctl_init(void)
{
	struct platform_device *pdev;
	int err;

	if (!xen_pv_domain())
		return 0;

	pdev = platform_device_register_simple("xen_suspend", PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(pdev)) {
		err = PTR_ERR(pdev);
		pr_err("cannot register the xen_suspend device: %d\n", err);
		return err;
	}

	err = sysfs_create_file(power_kobj, &xen_suspend_attr.attr);
	if (err) {
		pr_err("cannot create /sys/power/xen_suspend: %d\n", err);
		goto err_unregister;
	}

	xen_suspend_pdev = pdev;
	xen_suspend_debugfs_init();
	return 0;

err_unregister:
	platform_device_unregister(pdev);
	return err;
}
late_initcall(xen_suspend_ctl_init);
