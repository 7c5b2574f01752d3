// SPDX-License-Identifier: GPL-2.0-only
/*
 * CONFIG_XEN_SUSPEND_P2M_CHECK: after a suspend cycle that reached the
 * hypercall (a restore, a migration, or "xl save -c"), compare every P2M
 * entry below xen_p2m_size with Xen's M2P.  The toolstack rewrites the P2M
 * of a restored PV guest; a wrong entry would otherwise only show as memory
 * corruption, long after the resume.
 *
 * The check runs from a work item: do_suspend() runs in the xenwatch
 * thread, and frontends reconnect through xenwatch callbacks only once it
 * has returned.  The workqueue is freezable, so that the next cycle's
 * freeze waits for a check in progress and no check reads the P2M while
 * another hypercall rewrites it.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <xen/xen.h>
#include <xen/page.h>

#include "p2m-check.h"
#include "suspend-p2m.h"
#include "suspend-stats.h"

/* The cycle the queued check is for, as xen_suspend_stats_p2m_begin() said. */
static u64 xen_suspend_p2m_cycle;

static unsigned long xen_suspend_p2m_entry(void *data, unsigned long pfn)
{
	return __pfn_to_mfn(pfn);
}

static unsigned long xen_suspend_m2p_entry(void *data, unsigned long mfn)
{
	return mfn_to_pfn_no_overrides(mfn);
}

/*
 * Most of a P2M sized for memory hotplug is leaves without a frame.  When
 * every raw entry of a leaf is INVALID_P2M_ENTRY, the leaf is the shared
 * "missing" leaf, the shared identity leaf or a ballooned-out one, and
 * __pfn_to_mfn() of its first pfn (a page table lookup) tells which for the
 * whole leaf; reading it entry by entry would make that lookup for each.
 */
static unsigned long xen_suspend_p2m_skip(void *data, unsigned long pfn,
					  unsigned long end,
					  enum xen_p2m_entry_kind *kind)
{
	unsigned long nr = min_t(unsigned long, end - pfn, P2M_PER_PAGE);

	if (pfn % P2M_PER_PAGE || end > xen_p2m_size)
		return 0;
	if (memchr_inv(xen_p2m_addr + pfn, 0xff, nr * sizeof(*xen_p2m_addr)))
		return 0;
	*kind = xen_p2m_entry_kind(__pfn_to_mfn(pfn));
	return nr;
}

static const struct xen_p2m_check_ops xen_suspend_p2m_ops = {
	.p2m = xen_suspend_p2m_entry,
	.m2p = xen_suspend_m2p_entry,
	.skip = xen_suspend_p2m_skip,
};

static void xen_suspend_p2m_check_fn(struct work_struct *work)
{
	struct xen_p2m_check_result res;
	const struct xen_p2m_mismatch *bad;
	u64 begin_ns, ns;
	unsigned int i;

	begin_ns = ktime_get_boottime_ns();
	xen_p2m_check(&xen_suspend_p2m_ops, NULL, xen_p2m_size, &res);
	ns = ktime_get_boottime_ns() - begin_ns;
	xen_suspend_stats_p2m_record(READ_ONCE(xen_suspend_p2m_cycle), &res, ns);

	pr_info("P2M check: %lu entries checked, %lu mismatched, %lu invalid, %lu identity, %lu foreign in %llu us\n",
		res.checked, res.mismatched, res.invalid, res.identity,
		res.foreign, div_u64(ns, NSEC_PER_USEC));
	if (!res.mismatched)
		return;
	for (i = 0; i < res.nr_reported; i++) {
		bad = &res.reported[i];
		pr_err_ratelimited("P2M mismatch: pfn %#lx -> mfn %#lx, but M2P says pfn %#lx\n",
				   bad->pfn, bad->mfn, bad->m2p);
	}
	pr_err("P2M check: %lu of %lu entries do not match the M2P\n",
	       res.mismatched, res.checked);
}

static DECLARE_WORK(xen_suspend_p2m_work, xen_suspend_p2m_check_fn);

/**
 * xen_suspend_p2m_check_queue() - check the P2M once the cycle is over
 *
 * Called under system_transition_mutex once a cycle that reached the
 * hypercall is over and recorded (xen_suspend_stats_record()).  Marks the
 * check pending in debugfs xen/suspend/last and queues it; it runs after
 * this returns, on a freezable workqueue.  Nothing on HVM guests, which
 * have no P2M of their own.
 */
void xen_suspend_p2m_check_queue(void)
{
	if (!xen_pv_domain())
		return;

	WRITE_ONCE(xen_suspend_p2m_cycle, xen_suspend_stats_p2m_begin());
	queue_work(system_freezable_wq, &xen_suspend_p2m_work);
}
