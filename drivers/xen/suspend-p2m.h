/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CONFIG_XEN_SUSPEND_P2M_CHECK: check a Xen PV guest's P2M against the M2P
 * once a suspend cycle that reached the hypercall is over.
 */
#ifndef _XEN_SUSPEND_P2M_H
#define _XEN_SUSPEND_P2M_H

/* Only called under IS_ENABLED(CONFIG_XEN_SUSPEND_P2M_CHECK). */
void xen_suspend_p2m_check_queue(void);

#endif /* _XEN_SUSPEND_P2M_H */
