/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CONFIG_XEN_SUSPEND_DEBUG: fault injection for the Xen suspend cycle,
 * debugfs xen/suspend/fail_step, fail_lift_wait, fail_release_delay_ms,
 * fail_release_below and fail_request_gate.
 */
#ifndef _XEN_SUSPEND_DEBUG_H
#define _XEN_SUSPEND_DEBUG_H

#include "suspend-seq.h"

#ifdef CONFIG_XEN_SUSPEND_DEBUG
int xen_suspend_debug_fault(struct xen_suspend_cycle *cycle, unsigned int step);
void xen_suspend_debug_cycle_end(void);
bool xen_suspend_debug_lift_fault(void);
void xen_suspend_debug_release_delay(void);
unsigned long xen_suspend_debug_release_below(void);
void xen_suspend_debug_request_gate(void);
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

static inline void xen_suspend_debug_release_delay(void)
{
}

static inline unsigned long xen_suspend_debug_release_below(void)
{
	return 0;
}

static inline void xen_suspend_debug_request_gate(void)
{
}
#endif

#endif /* _XEN_SUSPEND_DEBUG_H */
