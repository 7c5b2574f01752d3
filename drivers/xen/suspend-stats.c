// SPDX-License-Identifier: GPL-2.0-only
/*
 * What each Xen suspend cycle leaves behind:
 *
 * - debugfs xen/suspend/last: the last cycle step by step, in microseconds
 *   of the boot clock, which goes on across the hypercall; xen/suspend/stats:
 *   totals since boot.
 * - a KOBJ_CHANGE uevent from /devices/platform/xen_suspend after each cycle,
 *   XEN_SUSPEND=resumed|cancelled|failed: /sys/power has no kset and cannot
 *   send uevents.  It goes out from a work item: do_suspend() runs in the
 *   xenwatch thread, and frontends reconnect through xenwatch callbacks that
 *   only run once it has returned.
 * - with CONFIG_XEN_SUSPEND_P2M_CHECK, what the P2M check after the cycle
 *   found, in both files.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/errname.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/workqueue.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

#include "p2m-check.h"
#include "suspend-stats.h"

/* Where the P2M check of the last cycle is (CONFIG_XEN_SUSPEND_P2M_CHECK). */
enum xen_suspend_p2m_state {
	XEN_SUSPEND_P2M_NONE,		/* the cycle has no check */
	XEN_SUSPEND_P2M_PENDING,	/* queued or running */
	XEN_SUSPEND_P2M_DONE,
};

static const char * const xen_suspend_p2m_state_names[] = {
	[XEN_SUSPEND_P2M_NONE]		= "none",
	[XEN_SUSPEND_P2M_PENDING]	= "pending",
	[XEN_SUSPEND_P2M_DONE]		= "done",
};

/* What the P2M check of the last cycle found. */
struct xen_suspend_last_p2m {
	enum xen_suspend_p2m_state state;
	unsigned long checked;
	unsigned long mismatched;
	unsigned long invalid;
	unsigned long identity;
	unsigned long foreign;
	u64 ns;
};

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
	struct xen_suspend_last_p2m p2m;
	u64 quiesce_ns;
	bool quiesce_expired;
	unsigned long quiesce_counts[XENBUS_QUIESCE_NR_COUNTERS];
};

/* Totals since boot, as debugfs xen/suspend/stats shows them. */
struct xen_suspend_totals {
	u64 cycles;
	u64 resumed;
	u64 cancelled;
	u64 failed;
	u64 toolstack;
	u64 tests;
	u64 p2m_checks;
	u64 p2m_mismatched;
	u64 quiesce_ns;
	u64 quiesce_expired;
	u64 quiesce_counts[XENBUS_QUIESCE_NR_COUNTERS];
};

/* Protects the two below; taken once a cycle is over, never during one. */
static DEFINE_MUTEX(xen_suspend_stats_mutex);
static struct xen_suspend_last xen_suspend_last = { .failed_step = -1 };
static struct xen_suspend_totals xen_suspend_totals;

static struct platform_device *xen_suspend_pdev;

static const char * const xen_suspend_trigger_names[] = {
	[XEN_SUSPEND_TRIGGER_TOOLSTACK]	= "toolstack",
	[XEN_SUSPEND_TRIGGER_TEST]	= "test",
};

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
	mutex_lock(&xen_suspend_stats_mutex);
	snprintf(result, sizeof(result), "XEN_SUSPEND=%s",
		 xen_suspend_result_name(xen_suspend_last.result));
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
	mutex_unlock(&xen_suspend_stats_mutex);

	kobject_uevent_env(&xen_suspend_pdev->dev.kobj, KOBJ_CHANGE, envp);
}

static DECLARE_WORK(xen_suspend_announce_work, xen_suspend_announce);

/**
 * xen_suspend_stats_record() - record a cycle that is over and announce it
 * @cycle: the cycle that xen_suspend_cycle_run() has run
 * @trigger: who asked for it
 * @begin_ns: ktime_get_boottime_ns() before the cycle ran
 *
 * Called under system_transition_mutex, after every task is thawed.  The
 * uevent goes out from a work item; when cycles follow each other faster
 * than it runs, one uevent tells about the last of them.
 */
void xen_suspend_stats_record(const struct xen_suspend_cycle *cycle,
			      enum xen_suspend_trigger trigger, u64 begin_ns)
{
	struct xen_suspend_last *last = &xen_suspend_last;
	struct xen_suspend_totals *totals = &xen_suspend_totals;
	unsigned int i, nr = min_t(unsigned int, cycle->nr_steps, XEN_SUSPEND_MAX_STEPS);

	mutex_lock(&xen_suspend_stats_mutex);
	last->trigger = trigger;
	last->result = xen_suspend_cycle_result(cycle);
	last->error = cycle->error;
	last->failed_step = cycle->failed_step;
	last->nr_steps = nr;
	last->entered = cycle->entered;
	last->total_ns = ktime_get_boottime_ns() - begin_ns;
	for (i = 0; i < nr; i++) {
		last->names[i] = cycle->steps[i].name;
		last->enter_ns[i] = cycle->enter_ns[i];
		last->leave_ns[i] = cycle->leave_ns[i];
	}
	memset(&last->p2m, 0, sizeof(last->p2m));

	totals->cycles++;
	switch (last->result) {
	case XEN_SUSPEND_RESUMED:
		totals->resumed++;
		break;
	case XEN_SUSPEND_CANCELLED:
		totals->cancelled++;
		break;
	default:
		totals->failed++;
		break;
	}
	if (trigger == XEN_SUSPEND_TRIGGER_TEST)
		totals->tests++;
	else
		totals->toolstack++;
	mutex_unlock(&xen_suspend_stats_mutex);

	queue_work(system_unbound_wq, &xen_suspend_announce_work);
}

/* The names of enum xenbus_quiesce_counter in debugfs. */
static const char * const xen_suspend_quiesce_names[XENBUS_QUIESCE_NR_COUNTERS] = {
	[XENBUS_QUIESCE_BLKFRONT_DRAINED]		= "blkfront_drained",
	[XENBUS_QUIESCE_BLKFRONT_REPLAYED_REQUESTS]	= "blkfront_replayed_requests",
	[XENBUS_QUIESCE_BLKFRONT_REPLAYED_BIOS]		= "blkfront_replayed_bios",
	[XENBUS_QUIESCE_NETFRONT_TX_DRAINED]		= "netfront_tx_drained",
	[XENBUS_QUIESCE_NETFRONT_TX_DROPPED]		= "netfront_tx_dropped",
};

/**
 * xen_suspend_stats_quiesce() - record the frontends' drain of a cycle
 * @ns: how long the quiesce step waited (0 if the cycle did not reach it)
 * @expired: the budget ran out with a frontend still draining
 * @counts: what the frontends counted (enum xenbus_quiesce_counter)
 *
 * Called once the cycle is over, before xen_suspend_stats_record() of it.
 */
void xen_suspend_stats_quiesce(u64 ns, bool expired, const unsigned long *counts)
{
	unsigned int i;

	mutex_lock(&xen_suspend_stats_mutex);
	xen_suspend_last.quiesce_ns = ns;
	xen_suspend_last.quiesce_expired = expired;
	xen_suspend_totals.quiesce_ns += ns;
	xen_suspend_totals.quiesce_expired += expired;
	for (i = 0; i < XENBUS_QUIESCE_NR_COUNTERS; i++) {
		xen_suspend_last.quiesce_counts[i] = counts[i];
		xen_suspend_totals.quiesce_counts[i] += counts[i];
	}
	mutex_unlock(&xen_suspend_stats_mutex);
}

/**
 * xen_suspend_stats_p2m_begin() - a P2M check of the last cycle is queued
 *
 * Called under system_transition_mutex, after xen_suspend_stats_record()
 * of the cycle.  debugfs xen/suspend/last says "p2m_check: pending" until
 * xen_suspend_stats_p2m_record() of the same cycle.
 *
 * Return: the cycle's number, for xen_suspend_stats_p2m_record().
 */
u64 xen_suspend_stats_p2m_begin(void)
{
	u64 cycle;

	mutex_lock(&xen_suspend_stats_mutex);
	xen_suspend_last.p2m.state = XEN_SUSPEND_P2M_PENDING;
	cycle = xen_suspend_totals.cycles;
	mutex_unlock(&xen_suspend_stats_mutex);
	return cycle;
}

/**
 * xen_suspend_stats_p2m_record() - record what a P2M check found
 * @cycle: what xen_suspend_stats_p2m_begin() returned for the check
 * @res: the check's result
 * @ns: how long the check took
 *
 * Always adds to the totals; shows in debugfs xen/suspend/last only while
 * that still describes @cycle, not a cycle that came after it.
 */
void xen_suspend_stats_p2m_record(u64 cycle, const struct xen_p2m_check_result *res,
				  u64 ns)
{
	struct xen_suspend_last_p2m *p2m = &xen_suspend_last.p2m;

	mutex_lock(&xen_suspend_stats_mutex);
	xen_suspend_totals.p2m_checks++;
	xen_suspend_totals.p2m_mismatched += res->mismatched;
	if (cycle == xen_suspend_totals.cycles) {
		p2m->state = XEN_SUSPEND_P2M_DONE;
		p2m->checked = res->checked;
		p2m->mismatched = res->mismatched;
		p2m->invalid = res->invalid;
		p2m->identity = res->identity;
		p2m->foreign = res->foreign;
		p2m->ns = ns;
	}
	mutex_unlock(&xen_suspend_stats_mutex);
}

/* Lines after the step rows: existing readers see the same lines first. */
static void xen_suspend_last_p2m_show(struct seq_file *m,
				      const struct xen_suspend_last_p2m *p2m)
{
	seq_printf(m, "p2m_check: %s\n", xen_suspend_p2m_state_names[p2m->state]);
	seq_printf(m, "p2m_checked: %lu\n", p2m->checked);
	seq_printf(m, "p2m_mismatched: %lu\n", p2m->mismatched);
	seq_printf(m, "p2m_invalid: %lu\n", p2m->invalid);
	seq_printf(m, "p2m_identity: %lu\n", p2m->identity);
	seq_printf(m, "p2m_foreign: %lu\n", p2m->foreign);
	seq_printf(m, "p2m_check_us: %llu\n", div_u64(p2m->ns, NSEC_PER_USEC));
}

static int xen_suspend_last_show(struct seq_file *m, void *v)
{
	const struct xen_suspend_last *last = &xen_suspend_last;
	unsigned int i, rows;

	mutex_lock(&xen_suspend_stats_mutex);
	seq_printf(m, "result: %s\n", xen_suspend_result_name(last->result));
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
	if (IS_ENABLED(CONFIG_XEN_SUSPEND_P2M_CHECK))
		xen_suspend_last_p2m_show(m, &last->p2m);
	seq_printf(m, "quiesce_us: %llu\n", div_u64(last->quiesce_ns, NSEC_PER_USEC));
	seq_printf(m, "quiesce_expired: %d\n", last->quiesce_expired);
	for (i = 0; i < XENBUS_QUIESCE_NR_COUNTERS; i++)
		seq_printf(m, "%s: %lu\n", xen_suspend_quiesce_names[i],
			   last->quiesce_counts[i]);
out:
	mutex_unlock(&xen_suspend_stats_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xen_suspend_last);

static int xen_suspend_stats_show(struct seq_file *m, void *v)
{
	const struct xen_suspend_totals *totals = &xen_suspend_totals;
	unsigned int i;

	mutex_lock(&xen_suspend_stats_mutex);
	seq_printf(m, "cycles: %llu\n", totals->cycles);
	seq_printf(m, "resumed: %llu\n", totals->resumed);
	seq_printf(m, "cancelled: %llu\n", totals->cancelled);
	seq_printf(m, "failed: %llu\n", totals->failed);
	seq_printf(m, "toolstack: %llu\n", totals->toolstack);
	seq_printf(m, "tests: %llu\n", totals->tests);
	if (IS_ENABLED(CONFIG_XEN_SUSPEND_P2M_CHECK)) {
		seq_printf(m, "p2m_checks: %llu\n", totals->p2m_checks);
		seq_printf(m, "p2m_mismatched: %llu\n", totals->p2m_mismatched);
	}
	seq_printf(m, "quiesce_us: %llu\n", div_u64(totals->quiesce_ns, NSEC_PER_USEC));
	seq_printf(m, "quiesce_expired: %llu\n", totals->quiesce_expired);
	for (i = 0; i < XENBUS_QUIESCE_NR_COUNTERS; i++)
		seq_printf(m, "%s: %llu\n", xen_suspend_quiesce_names[i],
			   totals->quiesce_counts[i]);
	mutex_unlock(&xen_suspend_stats_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xen_suspend_stats);

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

static int __init xen_suspend_stats_init(void)
{
	struct platform_device *pdev;
	struct dentry *dir;

	if (!xen_pv_domain())
		return 0;

	pdev = platform_device_register_simple("xen_suspend", PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(pdev)) {
		pr_err("cannot register the xen_suspend device: %ld\n", PTR_ERR(pdev));
		return PTR_ERR(pdev);
	}
	xen_suspend_pdev = pdev;

	if (IS_ENABLED(CONFIG_DEBUG_FS)) {
		dir = xen_suspend_debugfs_dir();
		debugfs_create_file("last", 0400, dir, NULL, &xen_suspend_last_fops);
		debugfs_create_file("stats", 0400, dir, NULL, &xen_suspend_stats_fops);
	}
	return 0;
}
late_initcall(xen_suspend_stats_init);
