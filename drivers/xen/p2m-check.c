// SPDX-License-Identifier: GPL-2.0-only
/*
 * Check a Xen PV guest's P2M against Xen's M2P: every pfn whose P2M entry
 * is a normal frame must be what the M2P says that frame belongs to.  After
 * a restore or a migration the toolstack has rewritten every P2M entry; a
 * frame it got wrong corrupts memory silently, long after the resume.
 */

#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/string.h>

#include <asm/xen/page.h>

#include "p2m-check.h"

/* Entries (or skipped runs) between two chances to reschedule. */
#define XEN_P2M_CHECK_BATCH	256

/**
 * xen_p2m_entry_kind() - what a P2M entry holds
 * @mfn: the entry, as __pfn_to_mfn() returns it
 *
 * INVALID_P2M_ENTRY has every bit set, the identity and foreign bits
 * included, so it is told apart first.
 *
 * Return: the kind of entry; only %XEN_P2M_ENTRY_NORMAL has an M2P entry.
 */
enum xen_p2m_entry_kind xen_p2m_entry_kind(unsigned long mfn)
{
	if (mfn == INVALID_P2M_ENTRY)
		return XEN_P2M_ENTRY_INVALID;
	if (mfn & FOREIGN_FRAME_BIT)
		return XEN_P2M_ENTRY_FOREIGN;
	if (mfn & IDENTITY_FRAME_BIT)
		return XEN_P2M_ENTRY_IDENTITY;
	return XEN_P2M_ENTRY_NORMAL;
}

/* Count @nr entries of a kind that is never compared; false for normal ones. */
static bool xen_p2m_count_special(struct xen_p2m_check_result *res,
				  enum xen_p2m_entry_kind kind, unsigned long nr)
{
	switch (kind) {
	case XEN_P2M_ENTRY_INVALID:
		res->invalid += nr;
		return true;
	case XEN_P2M_ENTRY_IDENTITY:
		res->identity += nr;
		return true;
	case XEN_P2M_ENTRY_FOREIGN:
		res->foreign += nr;
		return true;
	default:
		return false;
	}
}

static void xen_p2m_check_pfn(const struct xen_p2m_check_ops *ops, void *data,
			      unsigned long pfn, struct xen_p2m_check_result *res)
{
	struct xen_p2m_mismatch *bad;
	unsigned long mfn, m2p, again;

	mfn = ops->p2m(data, pfn);
	if (xen_p2m_count_special(res, xen_p2m_entry_kind(mfn), 1))
		return;
	m2p = ops->m2p(data, mfn);
	if (m2p != pfn) {
		/*
		 * The balloon may have changed the entry between the two reads
		 * (it clears the P2M entry before it hands the frame back): an
		 * entry that moved is judged by its new value, once.
		 */
		again = ops->p2m(data, pfn);
		if (again != mfn) {
			mfn = again;
			if (xen_p2m_count_special(res, xen_p2m_entry_kind(mfn), 1))
				return;
			m2p = ops->m2p(data, mfn);
		}
	}

	res->checked++;
	if (m2p == pfn)
		return;
	res->mismatched++;
	if (res->nr_reported < XEN_P2M_CHECK_MAX_REPORTED) {
		bad = &res->reported[res->nr_reported++];
		bad->pfn = pfn;
		bad->mfn = mfn;
		bad->m2p = m2p;
	}
}

/**
 * xen_p2m_check() - compare the P2M with the M2P for pfns [0, @size)
 * @ops: how to read the two tables
 * @data: passed to @ops
 * @size: number of P2M entries to check
 * @res: filled in with the counts and the first mismatches
 *
 * Normal entries are compared: the M2P entry of the frame must be the pfn.
 * Invalid, identity and foreign entries are only counted.  Reschedules
 * every few hundred entries, so @size may be the whole P2M; must be called
 * where sleeping is allowed.
 */
void xen_p2m_check(const struct xen_p2m_check_ops *ops, void *data,
		   unsigned long size, struct xen_p2m_check_result *res)
{
	enum xen_p2m_entry_kind kind;
	unsigned long pfn = 0, nr;
	unsigned int batch = 0;

	memset(res, 0, sizeof(*res));
	while (pfn < size) {
		nr = ops->skip ? ops->skip(data, pfn, size, &kind) : 0;
		/* A skip never goes past the end, nor over normal entries. */
		nr = min(nr, size - pfn);
		if (nr && xen_p2m_count_special(res, kind, nr)) {
			pfn += nr;
		} else {
			xen_p2m_check_pfn(ops, data, pfn, res);
			pfn++;
		}
		if (++batch == XEN_P2M_CHECK_BATCH) {
			batch = 0;
			cond_resched();
		}
	}
}
