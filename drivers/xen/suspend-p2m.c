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
 * has returned.  Its workqueue is freezable, so that the next cycle's
 * freeze waits for a check in progress and no check reads the P2M while
 * another hypercall rewrites it.
 *
 * The workqueue is the check's own, unbound, at the lowest priority: the
 * check reads every entry, seconds of CPU on a small guest with a P2M sized
 * for memory hotplug, just when the frontends reconnect and user space asks
 * for a new DHCP lease; it takes the time nothing else wants.  (A freeze
 * stops user space first, so a check in progress then has the CPU.)  Its
 * nice value is in /sys/devices/virtual/workqueue/xen_p2m_check/.
 */

#define pr_fmt(fmt) "xen:" KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/fault-inject.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/pgtable.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <xen/xen.h>
#include <xen/page.h>

#include "p2m-check.h"
#include "suspend-p2m.h"
#include "suspend-stats.h"

/* The cycle the queued check is for, as xen_suspend_stats_p2m_begin() said. */
static u64 xen_suspend_p2m_cycle;

/* The check's own workqueue; system_freezable_wq if it could not be made. */
static struct workqueue_struct *xen_suspend_p2m_wq;

static unsigned long xen_suspend_p2m_entry(void *data, unsigned long pfn)
{
	return __pfn_to_mfn(pfn);
}

static unsigned long xen_suspend_m2p_entry(void *data, unsigned long mfn)
{
	return mfn_to_pfn_no_overrides(mfn);
}

/*
 * Most of a P2M sized for memory hotplug is leaves without a frame: the
 * shared "missing" leaf and the shared identity leaf, each mapped again and
 * again in xen_p2m_addr, and ballooned-out leaves.  When every raw entry of
 * a leaf is INVALID_P2M_ENTRY, __pfn_to_mfn() of its first pfn (a page
 * table lookup) tells the kind for the whole leaf.  A leaf that maps the
 * same page as one already found so is of the same kind, and is counted
 * without reading its entries again: the shared leaves are never written
 * (a pfn gets a frame in a leaf of its own), and the debug kernel's P2M of
 * 512 GiB has some 262,000 of them.
 */
struct xen_suspend_p2m_leaves {
	unsigned long page[2];	/* pfns of leaves found without a frame */
	enum xen_p2m_entry_kind kind[2];
	unsigned int next;	/* the slot the next such leaf takes */
};

static unsigned long xen_suspend_p2m_skip(void *data, unsigned long pfn,
					  unsigned long end,
					  enum xen_p2m_entry_kind *kind)
{
	struct xen_suspend_p2m_leaves *seen = data;
	unsigned long nr = min_t(unsigned long, end - pfn, P2M_PER_PAGE);
	unsigned long page;
	unsigned int level, i;
	pte_t *ptep;

	if (pfn % P2M_PER_PAGE || end > xen_p2m_size)
		return 0;
	ptep = lookup_address((unsigned long)(xen_p2m_addr + pfn), &level);
	if (!ptep || level != PG_LEVEL_4K)
		return 0;
	page = pte_pfn(*ptep);
	for (i = 0; i < ARRAY_SIZE(seen->page); i++) {
		if (seen->page[i] == page) {
			*kind = seen->kind[i];
			return nr;
		}
	}
	if (memchr_inv(xen_p2m_addr + pfn, 0xff, nr * sizeof(*xen_p2m_addr)))
		return 0;
	*kind = xen_p2m_entry_kind(__pfn_to_mfn(pfn));
	i = seen->next++ % ARRAY_SIZE(seen->page);
	seen->page[i] = page;
	seen->kind[i] = *kind;
	return nr;
}

static const struct xen_p2m_check_ops xen_suspend_p2m_ops = {
	.p2m = xen_suspend_p2m_entry,
	.m2p = xen_suspend_m2p_entry,
	.skip = xen_suspend_p2m_skip,
};

static void xen_suspend_p2m_check_fn(struct work_struct *work)
{
	struct xen_suspend_p2m_leaves seen = {
		.page = { ULONG_MAX, ULONG_MAX },
	};
	struct xen_p2m_check_result res;
	const struct xen_p2m_mismatch *bad;
	u64 begin_ns, ns;
	unsigned int i;

	begin_ns = ktime_get_boottime_ns();
	xen_p2m_check(&xen_suspend_p2m_ops, &seen, xen_p2m_size, &res);
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

#ifdef CONFIG_FAIL_XEN_P2M_QUEUE
/*
 * fail_xen_p2m_queue=<interval>,<probability>,<space>,<times> on the
 * command line fails the making of the check's workqueue at boot.
 */
static DECLARE_FAULT_ATTR(fail_xen_p2m_queue);

static int __init fail_xen_p2m_queue_setup(char *str)
{
	int ret = setup_fault_attr(&fail_xen_p2m_queue, str);

	/* The message, without the stack of an initcall. */
	fail_xen_p2m_queue.verbose = 1;
	return ret;
}
__setup("fail_xen_p2m_queue=", fail_xen_p2m_queue_setup);

static bool xen_suspend_p2m_queue_should_fail(void)
{
	return should_fail(&fail_xen_p2m_queue, 1);
}
#else
static inline bool xen_suspend_p2m_queue_should_fail(void)
{
	return false;
}
#endif

static struct workqueue_struct *xen_suspend_p2m_alloc_wq(void)
{
	struct workqueue_attrs *attrs;
	struct workqueue_struct *wq;
	int err;

	if (xen_suspend_p2m_queue_should_fail())
		return ERR_PTR(-ENOMEM);

	wq = alloc_workqueue("xen_p2m_check",
			     WQ_UNBOUND | WQ_FREEZABLE | WQ_SYSFS, 1);
	if (!wq)
		return ERR_PTR(-ENOMEM);

	attrs = alloc_workqueue_attrs();
	if (!attrs) {
		err = -ENOMEM;
		goto err_wq;
	}
	attrs->nice = MAX_NICE;
	cpus_read_lock();
	err = apply_workqueue_attrs(wq, attrs);
	cpus_read_unlock();
	free_workqueue_attrs(attrs);
	if (err)
		goto err_wq;
	return wq;

err_wq:
	destroy_workqueue(wq);
	return ERR_PTR(err);
}

static int __init xen_suspend_p2m_init(void)
{
	struct workqueue_struct *wq;

	if (!xen_pv_domain())
		return 0;

	wq = xen_suspend_p2m_alloc_wq();
	if (IS_ERR(wq)) {
		/* The check still runs, at the priority of any work item. */
		pr_warn("P2M check: no workqueue of its own (%pe): it runs on system_freezable_wq, at normal priority\n",
			wq);
		wq = system_freezable_wq;
	}
	xen_suspend_p2m_wq = wq;
	return 0;
}
device_initcall(xen_suspend_p2m_init);

/**
 * xen_suspend_p2m_check_queue() - check the P2M once the cycle is over
 *
 * Called under system_transition_mutex once a cycle that reached the
 * hypercall is over and recorded (xen_suspend_stats_record()).  Marks the
 * check pending in debugfs xen/suspend/last and queues it; it runs after
 * this returns, on its own freezable workqueue at the lowest priority.
 * Nothing on HVM guests, which have no P2M of their own.
 */
void xen_suspend_p2m_check_queue(void)
{
	/* NULL until init, and on HVM guests */
	if (!xen_suspend_p2m_wq)
		return;

	WRITE_ONCE(xen_suspend_p2m_cycle, xen_suspend_stats_p2m_begin());
	queue_work(xen_suspend_p2m_wq, &xen_suspend_p2m_work);
}
