/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lean suspend, the control side: the balloon gives memory back to Xen on
 * "prepare" and is held until the cycle ends, an "abort", or the hold
 * times out.
 */
#ifndef _XEN_SUSPEND_LEAN_H
#define _XEN_SUSPEND_LEAN_H

int xen_suspend_lean_prepare(void);
void xen_suspend_lean_refresh(void);
void xen_suspend_lean_end(bool aborted, bool resumed);
void xen_suspend_lean_timed_out(void);
bool xen_suspend_lean_expired(void);

/* suspend-ctl.c: the hold timed out; is an abort from dom0 pending? */
void xen_suspend_hold_expired(void);
bool xen_suspend_abort_pending(void);

#endif /* _XEN_SUSPEND_LEAN_H */
