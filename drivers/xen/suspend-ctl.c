// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/power/xen_suspend: the state of the Xen suspend cycle and the result
 * of the last one, and the guest administrator's commands.
 *
 * Reading gives "<state> <result>".  Writing "test" runs a dry run of the
 * cycle up to, but without, the hypercall and returns when it is over;
 * "prepare" and "abort" are reserved.  Anything else is -EINVAL, a write
 * while another system transition runs is -EBUSY.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>

#include <xen/xen.h>

#include "suspend-ctl.h"

static DEFINE_SPINLOCK(xen_suspend_lock);
static enum xen_suspend_state xen_suspend_state = XEN_SUSPEND_IDLE;
static enum xen_suspend_result xen_suspend_result = XEN_SUSPEND_NONE;
static int xen_suspend_error;

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
	spin_lock(&xen_suspend_lock);
	xen_suspend_state = XEN_SUSPEND_IDLE;
	xen_suspend_result = xen_suspend_cycle_result(cycle);
	xen_suspend_error = cycle->error;
	spin_unlock(&xen_suspend_lock);
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
