/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CONFIG_XEN_SUSPEND_DEBUG: fault injection for the Xen suspend cycle,
 * debugfs xen/suspend/fail_step and xen/suspend/fail_lift_wait.
 */
#ifndef _XEN_SUSPEND_DEBUG_H
#define _XEN_SUSPEND_DEBUG_H

#include "suspend-seq.h"

#ifdef CONFIG_XEN_SUSPEND_DEBUG
int xen_suspend_debug_fault(struct xen_suspend_cycle *cycle, unsigned int step);
void xen_suspend_debug_cycle_end(void);
bool xen_suspend_debug_lift_fault(void);
#else
static inline int xen_suspend_debug_fault(struct xen_suspend_cycle *cycle,
					  unsigned int step)
{
	return 0;
}

static inline void xen_suspend_debug_cycle_end(void)
{
}

static inline bool xen_suspend_debug_lift_fault(void)
{
	return false;
}
#endif

#endif /* _XEN_SUSPEND_DEBUG_H */
