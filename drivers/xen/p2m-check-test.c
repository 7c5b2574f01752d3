// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the Xen P2M checker, on fake P2M and M2P tables.
 */

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include <asm/xen/page.h>

#include "p2m-check.h"

#define FAKE_P2M_SIZE	16
#define FAKE_M2P_SIZE	32
/* In the consistent tables, pfn N is backed by mfn MFN_OF(N). */
#define MFN_OF(pfn)	(10 + (pfn))
#define NO_PFN		(~0UL)

struct fake_run {
	unsigned long pfn;
	unsigned long nr;
	enum xen_p2m_entry_kind kind;
};

/* Two small tables, and what the checker asked of them. */
struct fake_tables {
	unsigned long p2m[FAKE_P2M_SIZE];
	unsigned long m2p[FAKE_M2P_SIZE];
	/* The P2M entry of changed_pfn reads as changed_to after its first read. */
	unsigned long changed_pfn;
	unsigned long changed_to;
	bool changed_read;
	/* What the skip callback answers, by starting pfn; nr == 0 ends the list. */
	struct fake_run runs[4];
	unsigned int p2m_reads;
	unsigned int m2p_reads;
};

static unsigned long fake_p2m(void *data, unsigned long pfn)
{
	struct fake_tables *t = data;

	t->p2m_reads++;
	if (pfn == t->changed_pfn) {
		if (t->changed_read)
			return t->changed_to;
		t->changed_read = true;
	}
	return t->p2m[pfn];
}

/* Like mfn_to_pfn_no_overrides(): ~0 for an mfn beyond the M2P. */
static unsigned long fake_m2p(void *data, unsigned long mfn)
{
	struct fake_tables *t = data;

	t->m2p_reads++;
	return mfn < FAKE_M2P_SIZE ? t->m2p[mfn] : NO_PFN;
}

static unsigned long fake_skip(void *data, unsigned long pfn, unsigned long end,
			       enum xen_p2m_entry_kind *kind)
{
	struct fake_tables *t = data;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t->runs) && t->runs[i].nr; i++) {
		if (t->runs[i].pfn == pfn) {
			*kind = t->runs[i].kind;
			return t->runs[i].nr;
		}
	}
	return 0;
}

static const struct xen_p2m_check_ops fake_ops = {
	.p2m = fake_p2m,
	.m2p = fake_m2p,
};

static const struct xen_p2m_check_ops fake_ops_skip = {
	.p2m = fake_p2m,
	.m2p = fake_m2p,
	.skip = fake_skip,
};

/* Every pfn backed by its own frame, and the M2P says so. */
static void fake_tables_init(struct fake_tables *t)
{
	unsigned long pfn, mfn;

	memset(t, 0, sizeof(*t));
	t->changed_pfn = NO_PFN;
	for (mfn = 0; mfn < FAKE_M2P_SIZE; mfn++)
		t->m2p[mfn] = NO_PFN;
	for (pfn = 0; pfn < FAKE_P2M_SIZE; pfn++) {
		t->p2m[pfn] = MFN_OF(pfn);
		t->m2p[MFN_OF(pfn)] = pfn;
	}
}

/* Consistent tables: every entry compared, nothing reported. */
static void p2m_test_all_consistent(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;

	fake_tables_init(&t);
	xen_p2m_check(&fake_ops, &t, FAKE_P2M_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.checked, 16UL);
	KUNIT_EXPECT_EQ(test, res.mismatched, 0UL);
	KUNIT_EXPECT_EQ(test, res.invalid, 0UL);
	KUNIT_EXPECT_EQ(test, res.identity, 0UL);
	KUNIT_EXPECT_EQ(test, res.foreign, 0UL);
	KUNIT_EXPECT_EQ(test, res.nr_reported, 0U);
	KUNIT_EXPECT_EQ(test, t.p2m_reads, 16U);
	KUNIT_EXPECT_EQ(test, t.m2p_reads, 16U);
}

/* A frame the M2P does not know is one mismatch, reported with its values. */
static void p2m_test_one_mismatch(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;

	fake_tables_init(&t);
	t.m2p[MFN_OF(5)] = NO_PFN;
	xen_p2m_check(&fake_ops, &t, FAKE_P2M_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.checked, 16UL);
	KUNIT_EXPECT_EQ(test, res.mismatched, 1UL);
	KUNIT_ASSERT_EQ(test, res.nr_reported, 1U);
	KUNIT_EXPECT_EQ(test, res.reported[0].pfn, 5UL);
	KUNIT_EXPECT_EQ(test, res.reported[0].mfn, 15UL);
	KUNIT_EXPECT_EQ(test, res.reported[0].m2p, NO_PFN);
}

/* The M2P giving a frame to another pfn is a mismatch of this pfn only. */
static void p2m_test_m2p_points_elsewhere(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;

	fake_tables_init(&t);
	t.m2p[MFN_OF(3)] = 7;
	xen_p2m_check(&fake_ops, &t, FAKE_P2M_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.checked, 16UL);
	KUNIT_EXPECT_EQ(test, res.mismatched, 1UL);
	KUNIT_ASSERT_EQ(test, res.nr_reported, 1U);
	KUNIT_EXPECT_EQ(test, res.reported[0].pfn, 3UL);
	KUNIT_EXPECT_EQ(test, res.reported[0].mfn, 13UL);
	KUNIT_EXPECT_EQ(test, res.reported[0].m2p, 7UL);
}

/* Invalid, identity and foreign entries are counted apart, never compared. */
static void p2m_test_special_entries_not_compared(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;

	fake_tables_init(&t);
	t.p2m[1] = INVALID_P2M_ENTRY;
	t.p2m[2] = IDENTITY_FRAME(2);
	t.p2m[4] = IDENTITY_FRAME(4);
	/* Mfn 20 has no M2P entry: comparing it would be a mismatch. */
	t.p2m[9] = FOREIGN_FRAME(20);
	xen_p2m_check(&fake_ops, &t, FAKE_P2M_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.invalid, 1UL);
	KUNIT_EXPECT_EQ(test, res.identity, 2UL);
	KUNIT_EXPECT_EQ(test, res.foreign, 1UL);
	KUNIT_EXPECT_EQ(test, res.checked, 12UL);
	KUNIT_EXPECT_EQ(test, res.mismatched, 0UL);
	KUNIT_EXPECT_EQ(test, t.m2p_reads, 12U);
}

/* An empty range reads nothing and clears what the result held. */
static void p2m_test_empty_range(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;

	fake_tables_init(&t);
	memset(&res, 0x5a, sizeof(res));
	xen_p2m_check(&fake_ops, &t, 0, &res);
	KUNIT_EXPECT_EQ(test, res.checked, 0UL);
	KUNIT_EXPECT_EQ(test, res.mismatched, 0UL);
	KUNIT_EXPECT_EQ(test, res.invalid, 0UL);
	KUNIT_EXPECT_EQ(test, res.identity, 0UL);
	KUNIT_EXPECT_EQ(test, res.foreign, 0UL);
	KUNIT_EXPECT_EQ(test, res.nr_reported, 0U);
	KUNIT_EXPECT_EQ(test, t.p2m_reads, 0U);
	KUNIT_EXPECT_EQ(test, t.m2p_reads, 0U);
}

/* An mfn beyond the M2P (which reads as ~0) is a mismatch. */
static void p2m_test_mfn_beyond_m2p(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;

	fake_tables_init(&t);
	t.p2m[6] = 1000;
	xen_p2m_check(&fake_ops, &t, FAKE_P2M_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.checked, 16UL);
	KUNIT_EXPECT_EQ(test, res.mismatched, 1UL);
	KUNIT_ASSERT_EQ(test, res.nr_reported, 1U);
	KUNIT_EXPECT_EQ(test, res.reported[0].pfn, 6UL);
	KUNIT_EXPECT_EQ(test, res.reported[0].mfn, 1000UL);
	KUNIT_EXPECT_EQ(test, res.reported[0].m2p, NO_PFN);
}

/* Every mismatch is counted; only the first few are kept, in pfn order. */
static void p2m_test_report_cap(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;
	unsigned int i;

	fake_tables_init(&t);
	for (i = 0; i < FAKE_M2P_SIZE; i++)
		t.m2p[i] = NO_PFN;
	xen_p2m_check(&fake_ops, &t, FAKE_P2M_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.checked, 16UL);
	KUNIT_EXPECT_EQ(test, res.mismatched, 16UL);
	KUNIT_ASSERT_EQ(test, res.nr_reported, (unsigned int)XEN_P2M_CHECK_MAX_REPORTED);
	for (i = 0; i < XEN_P2M_CHECK_MAX_REPORTED; i++) {
		KUNIT_EXPECT_EQ(test, res.reported[i].pfn, (unsigned long)i);
		KUNIT_EXPECT_EQ(test, res.reported[i].mfn, (unsigned long)MFN_OF(i));
	}
}

/* Runs the skip callback vouches for are counted by kind and never read. */
static void p2m_test_skip_counts_runs(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;
	unsigned int i;

	fake_tables_init(&t);
	/* Were these read, they would all be mismatches. */
	for (i = 0; i < 12; i++)
		t.p2m[i] = 1000;
	t.runs[0] = (struct fake_run){ 0, 8, XEN_P2M_ENTRY_INVALID };
	t.runs[1] = (struct fake_run){ 8, 4, XEN_P2M_ENTRY_IDENTITY };
	xen_p2m_check(&fake_ops_skip, &t, FAKE_P2M_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.invalid, 8UL);
	KUNIT_EXPECT_EQ(test, res.identity, 4UL);
	KUNIT_EXPECT_EQ(test, res.checked, 4UL);
	KUNIT_EXPECT_EQ(test, res.mismatched, 0UL);
	KUNIT_EXPECT_EQ(test, t.p2m_reads, 4U);
}

/* A skip longer than what is left stops at the end of the range. */
static void p2m_test_skip_stops_at_end(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;

	fake_tables_init(&t);
	t.runs[0] = (struct fake_run){ 12, 100, XEN_P2M_ENTRY_FOREIGN };
	xen_p2m_check(&fake_ops_skip, &t, FAKE_P2M_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.foreign, 4UL);
	KUNIT_EXPECT_EQ(test, res.checked, 12UL);
}

/* A skip that claims normal entries is ignored: they are read and compared. */
static void p2m_test_skip_of_normal_entries_reads_them(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;

	fake_tables_init(&t);
	t.m2p[MFN_OF(2)] = NO_PFN;
	t.runs[0] = (struct fake_run){ 0, 8, XEN_P2M_ENTRY_NORMAL };
	xen_p2m_check(&fake_ops_skip, &t, FAKE_P2M_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.checked, 16UL);
	KUNIT_EXPECT_EQ(test, res.mismatched, 1UL);
	KUNIT_EXPECT_EQ(test, t.p2m_reads, 17U);
}

/* An entry that changes under the check is judged by its new value. */
static void p2m_test_changed_entry_judged_by_new_value(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;

	fake_tables_init(&t);
	/* First read: a frame the M2P does not give to pfn 5. */
	t.changed_pfn = 5;
	t.p2m[5] = 30;
	t.changed_to = MFN_OF(5);
	xen_p2m_check(&fake_ops, &t, FAKE_P2M_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.checked, 16UL);
	KUNIT_EXPECT_EQ(test, res.mismatched, 0UL);
	KUNIT_EXPECT_EQ(test, t.p2m_reads, 17U);
}

/* An entry that became invalid under the check is counted as invalid. */
static void p2m_test_changed_to_invalid_not_compared(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;

	fake_tables_init(&t);
	t.changed_pfn = 5;
	t.m2p[MFN_OF(5)] = NO_PFN;
	t.changed_to = INVALID_P2M_ENTRY;
	xen_p2m_check(&fake_ops, &t, FAKE_P2M_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.checked, 15UL);
	KUNIT_EXPECT_EQ(test, res.invalid, 1UL);
	KUNIT_EXPECT_EQ(test, res.mismatched, 0UL);
	KUNIT_EXPECT_EQ(test, t.m2p_reads, 16U);
}

/* A mismatch that reads the same twice stays a mismatch. */
static void p2m_test_stable_mismatch_counted_once(struct kunit *test)
{
	struct xen_p2m_check_result res;
	struct fake_tables t;

	fake_tables_init(&t);
	t.m2p[MFN_OF(9)] = 2;
	xen_p2m_check(&fake_ops, &t, FAKE_P2M_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.mismatched, 1UL);
	KUNIT_EXPECT_EQ(test, res.checked, 16UL);
	/* One more P2M read for the mismatch, and no second M2P read. */
	KUNIT_EXPECT_EQ(test, t.p2m_reads, 17U);
	KUNIT_EXPECT_EQ(test, t.m2p_reads, 16U);
}

/* INVALID_P2M_ENTRY has every bit set: it is invalid, not identity or foreign. */
static void p2m_test_entry_kind(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xen_p2m_entry_kind(INVALID_P2M_ENTRY), XEN_P2M_ENTRY_INVALID);
	KUNIT_EXPECT_EQ(test, xen_p2m_entry_kind(IDENTITY_FRAME(5)), XEN_P2M_ENTRY_IDENTITY);
	KUNIT_EXPECT_EQ(test, xen_p2m_entry_kind(FOREIGN_FRAME(5)), XEN_P2M_ENTRY_FOREIGN);
	KUNIT_EXPECT_EQ(test, xen_p2m_entry_kind(5), XEN_P2M_ENTRY_NORMAL);
	KUNIT_EXPECT_EQ(test, xen_p2m_entry_kind(0), XEN_P2M_ENTRY_NORMAL);
}

static struct kunit_case xen_p2m_check_cases[] = {
	KUNIT_CASE(p2m_test_all_consistent),
	KUNIT_CASE(p2m_test_one_mismatch),
	KUNIT_CASE(p2m_test_m2p_points_elsewhere),
	KUNIT_CASE(p2m_test_special_entries_not_compared),
	KUNIT_CASE(p2m_test_empty_range),
	KUNIT_CASE(p2m_test_mfn_beyond_m2p),
	KUNIT_CASE(p2m_test_report_cap),
	KUNIT_CASE(p2m_test_skip_counts_runs),
	KUNIT_CASE(p2m_test_skip_stops_at_end),
	KUNIT_CASE(p2m_test_skip_of_normal_entries_reads_them),
	KUNIT_CASE(p2m_test_changed_entry_judged_by_new_value),
	KUNIT_CASE(p2m_test_changed_to_invalid_not_compared),
	KUNIT_CASE(p2m_test_stable_mismatch_counted_once),
	KUNIT_CASE(p2m_test_entry_kind),
	{}
};

static struct kunit_suite xen_p2m_check_suite = {
	.name = "xen-p2m-check",
	.test_cases = xen_p2m_check_cases,
};

kunit_test_suite(xen_p2m_check_suite);

MODULE_DESCRIPTION("KUnit tests for the Xen P2M checker");
MODULE_LICENSE("GPL");
