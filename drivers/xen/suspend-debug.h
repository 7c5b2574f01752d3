/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CONFIG_XEN_SUSPEND_DEBUG: fault injection for the Xen suspend cycle,
 * debugfs xen/suspend/fail_step.
 */
#ifndef _XEN_SUSPEND_DEBUG_H
#define _XEN_SUSPEND_DEBUG_H

#include "suspend-seq.h"

#ifdef CONFIG_XEN_SUSPEND_DEBUG
int xen_suspend_debug_fault(struct xen_suspend_cycle *cycle, unsigned int step);
void xen_suspend_debug_cycle_end(void);
#else
static inline int xen_suspend_debug_fault(struct xen_suspend_cycle *cycle,
					  unsigned int step)
{
	return 0;
}

static inline void xen_suspend_debug_cycle_end(void)
{
}
#endif

#endif /* _XEN_SUSPEND_DEBUG_H */
