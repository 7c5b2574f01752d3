/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What each Xen suspend cycle leaves behind: debugfs xen/suspend/{last,stats}
 * and a uevent from /devices/platform/xen_suspend.
 */
#ifndef _XEN_SUSPEND_STATS_H
#define _XEN_SUSPEND_STATS_H

#include "suspend-ctl.h"

struct xen_p2m_check_result;

void xen_suspend_stats_record(const struct xen_suspend_cycle *cycle,
			      enum xen_suspend_trigger trigger, u64 begin_ns);
void xen_suspend_stats_quiesce(u64 ns, bool expired, const unsigned long *counts);
u64 xen_suspend_stats_p2m_begin(void);
void xen_suspend_stats_p2m_record(u64 cycle, const struct xen_p2m_check_result *res,
				  u64 ns);

#endif /* _XEN_SUSPEND_STATS_H */
