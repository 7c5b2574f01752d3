/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Check a Xen PV guest's P2M (pfn to mfn) against Xen's M2P (mfn to pfn).
 * Pure logic: both tables are read through callbacks, so that KUnit can
 * drive it with fake tables.
 */
#ifndef _XEN_P2M_CHECK_H
#define _XEN_P2M_CHECK_H

#include <linux/types.h>

/* How many mismatches a check remembers, first ones first. */
#define XEN_P2M_CHECK_MAX_REPORTED	8

/* What a P2M entry holds; only normal entries have an M2P entry to match. */
enum xen_p2m_entry_kind {
	XEN_P2M_ENTRY_NORMAL,
	XEN_P2M_ENTRY_INVALID,		/* INVALID_P2M_ENTRY: no frame */
	XEN_P2M_ENTRY_IDENTITY,		/* IDENTITY_FRAME(): 1:1, not RAM */
	XEN_P2M_ENTRY_FOREIGN,		/* FOREIGN_FRAME(): another domain's */
};

/**
 * struct xen_p2m_check_ops - how the checker reads the two tables
 * @p2m: the P2M entry of a pfn, as __pfn_to_mfn() returns it
 * @m2p: the M2P entry of an mfn, as mfn_to_pfn_no_overrides() returns it:
 *	~0 when the mfn has none
 * @skip: may be NULL.  Called at each pfn the checker is about to read;
 *	returns how many entries from @pfn on (0 to @end - @pfn) hold no
 *	normal frame and are all of one kind, stored in *@kind, so that they
 *	are counted without being read one by one.  0 means "read @pfn".
 */
struct xen_p2m_check_ops {
	unsigned long (*p2m)(void *data, unsigned long pfn);
	unsigned long (*m2p)(void *data, unsigned long mfn);
	unsigned long (*skip)(void *data, unsigned long pfn, unsigned long end,
			      enum xen_p2m_entry_kind *kind);
};

/**
 * struct xen_p2m_mismatch - a normal P2M entry that the M2P disagrees with
 * @pfn: the pfn
 * @mfn: its P2M entry
 * @m2p: the M2P entry of @mfn, which is not @pfn
 */
struct xen_p2m_mismatch {
	unsigned long pfn;
	unsigned long mfn;
	unsigned long m2p;
};

/**
 * struct xen_p2m_check_result - what one check found
 * @checked: normal entries compared with the M2P, mismatches included
 * @mismatched: normal entries whose M2P entry is not their pfn
 * @invalid: INVALID_P2M_ENTRY entries, not compared
 * @identity: identity entries, not compared
 * @foreign: foreign entries, not compared
 * @nr_reported: how many of @reported are filled in
 * @reported: the first mismatches, lowest pfn first
 */
struct xen_p2m_check_result {
	unsigned long checked;
	unsigned long mismatched;
	unsigned long invalid;
	unsigned long identity;
	unsigned long foreign;
	unsigned int nr_reported;
	struct xen_p2m_mismatch reported[XEN_P2M_CHECK_MAX_REPORTED];
};

enum xen_p2m_entry_kind xen_p2m_entry_kind(unsigned long mfn);
void xen_p2m_check(const struct xen_p2m_check_ops *ops, void *data,
		   unsigned long size, struct xen_p2m_check_result *res);

#endif /* _XEN_P2M_CHECK_H */
