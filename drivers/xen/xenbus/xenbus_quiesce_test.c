// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the drain that xenbus frontends share before a suspend.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <xen/xenbus.h>

#include "xenbus.h"

#define NR_DEVS	3

struct quiesce_test {
	struct xenbus_quiesce q;
	atomic_t state[NR_DEVS];
	struct delayed_work drain;	/* drains device 0 later */
};

static int quiesce_test_init(struct kunit *test)
{
	struct quiesce_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	atomic_set(&t->q.draining, 0);
	init_waitqueue_head(&t->q.wq);
	for (i = 0; i < XENBUS_QUIESCE_NR_COUNTERS; i++)
		atomic_long_set(&t->q.counts[i], 0);
	for (i = 0; i < NR_DEVS; i++)
		atomic_set(&t->state[i], XENBUS_QUIESCE_RUNNING);
	test->priv = t;
	return 0;
}

#define STATE(t, i)	atomic_read(&(t)->state[i])
#define DRAINING(t)	atomic_read(&(t)->q.draining)

static void quiesce_start_drained_end(struct kunit *test)
{
	struct quiesce_test *t = test->priv;

	__xenbus_quiesce_start(&t->q, &t->state[0]);
	KUNIT_EXPECT_EQ(test, STATE(t, 0), XENBUS_QUIESCE_DRAINING);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 1);
	__xenbus_quiesce_drained(&t->q, &t->state[0]);
	KUNIT_EXPECT_EQ(test, STATE(t, 0), XENBUS_QUIESCE_QUIESCED);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 0);
	KUNIT_EXPECT_EQ(test, __xenbus_quiesce_end(&t->q, &t->state[0]),
			XENBUS_QUIESCE_QUIESCED);
	KUNIT_EXPECT_EQ(test, STATE(t, 0), XENBUS_QUIESCE_RUNNING);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 0);
}

/* A .suspend that failed half way, or a cancel before the drain ended. */
static void quiesce_end_while_draining(struct kunit *test)
{
	struct quiesce_test *t = test->priv;

	__xenbus_quiesce_start(&t->q, &t->state[0]);
	__xenbus_quiesce_start(&t->q, &t->state[1]);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 2);
	KUNIT_EXPECT_EQ(test, __xenbus_quiesce_end(&t->q, &t->state[0]),
			XENBUS_QUIESCE_DRAINING);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 1);
	/* a completion after the end changes nothing */
	__xenbus_quiesce_drained(&t->q, &t->state[0]);
	KUNIT_EXPECT_EQ(test, STATE(t, 0), XENBUS_QUIESCE_RUNNING);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 1);
	__xenbus_quiesce_drained(&t->q, &t->state[1]);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 0);
}

/* Every call out of order or repeated leaves the count right. */
static void quiesce_idempotent(struct kunit *test)
{
	struct quiesce_test *t = test->priv;

	/* drained and end on a running device */
	__xenbus_quiesce_drained(&t->q, &t->state[0]);
	KUNIT_EXPECT_EQ(test, STATE(t, 0), XENBUS_QUIESCE_RUNNING);
	KUNIT_EXPECT_EQ(test, __xenbus_quiesce_end(&t->q, &t->state[0]),
			XENBUS_QUIESCE_RUNNING);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 0);
	/* start twice counts once */
	__xenbus_quiesce_start(&t->q, &t->state[0]);
	__xenbus_quiesce_start(&t->q, &t->state[0]);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 1);
	/* drained twice uncounts once; start on a quiesced device: no change */
	__xenbus_quiesce_drained(&t->q, &t->state[0]);
	__xenbus_quiesce_drained(&t->q, &t->state[0]);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 0);
	__xenbus_quiesce_start(&t->q, &t->state[0]);
	KUNIT_EXPECT_EQ(test, STATE(t, 0), XENBUS_QUIESCE_QUIESCED);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 0);
	/* end twice: the second says running */
	KUNIT_EXPECT_EQ(test, __xenbus_quiesce_end(&t->q, &t->state[0]),
			XENBUS_QUIESCE_QUIESCED);
	KUNIT_EXPECT_EQ(test, __xenbus_quiesce_end(&t->q, &t->state[0]),
			XENBUS_QUIESCE_RUNNING);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 0);
	/* and the device can drain again in the next cycle */
	__xenbus_quiesce_start(&t->q, &t->state[0]);
	KUNIT_EXPECT_EQ(test, STATE(t, 0), XENBUS_QUIESCE_DRAINING);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 1);
}

static void quiesce_wait_none(struct kunit *test)
{
	struct quiesce_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, __xenbus_quiesce_wait(&t->q, 5), 5L);
	/* a zero budget with nothing draining has not expired */
	KUNIT_EXPECT_GT(test, __xenbus_quiesce_wait(&t->q, 0), 0L);
	__xenbus_quiesce_start(&t->q, &t->state[0]);
	__xenbus_quiesce_drained(&t->q, &t->state[0]);
	KUNIT_EXPECT_GT(test, __xenbus_quiesce_wait(&t->q, 5), 0L);
}

/* One device still draining: the budget runs out, once for all. */
static void quiesce_wait_expires(struct kunit *test)
{
	struct quiesce_test *t = test->priv;
	unsigned long t0 = jiffies;

	__xenbus_quiesce_start(&t->q, &t->state[0]);
	__xenbus_quiesce_start(&t->q, &t->state[1]);
	__xenbus_quiesce_drained(&t->q, &t->state[1]);
	KUNIT_EXPECT_EQ(test, __xenbus_quiesce_wait(&t->q, 2), 0L);
	KUNIT_EXPECT_GE(test, jiffies - t0, 2UL);
	KUNIT_EXPECT_EQ(test, STATE(t, 0), XENBUS_QUIESCE_DRAINING);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 1);
}

static void quiesce_drain_later(struct work_struct *work)
{
	struct quiesce_test *t = container_of(to_delayed_work(work),
					      struct quiesce_test, drain);

	__xenbus_quiesce_drained(&t->q, &t->state[0]);
}

/* The last device to drain, from another context, ends the wait early. */
static void quiesce_wait_woken(struct kunit *test)
{
	struct quiesce_test *t = test->priv;
	long left;

	INIT_DELAYED_WORK(&t->drain, quiesce_drain_later);
	__xenbus_quiesce_start(&t->q, &t->state[0]);
	__xenbus_quiesce_start(&t->q, &t->state[2]);
	__xenbus_quiesce_drained(&t->q, &t->state[2]);
	schedule_delayed_work(&t->drain, 1);
	left = __xenbus_quiesce_wait(&t->q, 60 * HZ);
	flush_delayed_work(&t->drain);
	KUNIT_EXPECT_GT(test, left, 0L);
	KUNIT_EXPECT_GT(test, left, 50L * HZ);
	KUNIT_EXPECT_EQ(test, STATE(t, 0), XENBUS_QUIESCE_QUIESCED);
	KUNIT_EXPECT_EQ(test, DRAINING(t), 0);
}

/* The counters are read and cleared in one go. */
static void quiesce_take_counts(struct kunit *test)
{
	struct quiesce_test *t = test->priv;
	unsigned long counts[XENBUS_QUIESCE_NR_COUNTERS];

	atomic_long_add(3, &t->q.counts[XENBUS_QUIESCE_BLKFRONT_DRAINED]);
	atomic_long_add(2, &t->q.counts[XENBUS_QUIESCE_NETFRONT_TX_DROPPED]);
	__xenbus_quiesce_take_counts(&t->q, counts);
	KUNIT_EXPECT_EQ(test, counts[XENBUS_QUIESCE_BLKFRONT_DRAINED], 3UL);
	KUNIT_EXPECT_EQ(test, counts[XENBUS_QUIESCE_BLKFRONT_REPLAYED_BIOS], 0UL);
	KUNIT_EXPECT_EQ(test, counts[XENBUS_QUIESCE_NETFRONT_TX_DROPPED], 2UL);
	__xenbus_quiesce_take_counts(&t->q, counts);
	KUNIT_EXPECT_EQ(test, counts[XENBUS_QUIESCE_BLKFRONT_DRAINED], 0UL);
	KUNIT_EXPECT_EQ(test, counts[XENBUS_QUIESCE_NETFRONT_TX_DROPPED], 0UL);
}

static struct kunit_case xenbus_quiesce_cases[] = {
	KUNIT_CASE(quiesce_start_drained_end),
	KUNIT_CASE(quiesce_end_while_draining),
	KUNIT_CASE(quiesce_idempotent),
	KUNIT_CASE(quiesce_wait_none),
	KUNIT_CASE(quiesce_wait_expires),
	KUNIT_CASE(quiesce_wait_woken),
	KUNIT_CASE(quiesce_take_counts),
	{}
};

static struct kunit_suite xenbus_quiesce_suite = {
	.name = "xenbus_quiesce",
	.init = quiesce_test_init,
	.test_cases = xenbus_quiesce_cases,
};

kunit_test_suite(xenbus_quiesce_suite);

MODULE_DESCRIPTION("KUnit tests for the xenbus frontends' drain before a suspend");
MODULE_LICENSE("GPL");
