/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control side of the Xen suspend cycle: /sys/power/xen_suspend and what
 * the cycles report.  manage.c runs the cycles; suspend-ctl.c tells the world.
 */
#ifndef _XEN_SUSPEND_CTL_H
#define _XEN_SUSPEND_CTL_H

#include "suspend-seq.h"

/* Who started a cycle. */
enum xen_suspend_trigger {
	XEN_SUSPEND_TRIGGER_TOOLSTACK,	/* "suspend" in control/shutdown */
	XEN_SUSPEND_TRIGGER_TEST,	/* "test" in /sys/power/xen_suspend */
};

void xen_suspend_cycle_begin(struct xen_suspend_cycle *cycle,
			     enum xen_suspend_trigger trigger);
void xen_suspend_cycle_end(const struct xen_suspend_cycle *cycle,
			   enum xen_suspend_trigger trigger);

int xen_suspend_test(void);

bool xen_suspend_prepare_busy(void);
bool xen_suspend_abort_busy(void);
void xen_suspend_request_prepare(void);
void xen_suspend_request_abort(void);
void xen_suspend_xs_announce(void);

#endif /* _XEN_SUSPEND_CTL_H */
