// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the Xen suspend step sequencer and command parser.
 */

#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "suspend-seq.h"

#define ENTER(i)	(100 + (i))
#define LEAVE(i)	(200 + (i))
#define TURN		300
#define MAX_EVENTS	(2 * XEN_SUSPEND_MAX_STEPS + 1)

/* What the fake steps did, in order, and how they should behave. */
struct seq_log {
	int events[MAX_EVENTS];
	unsigned int nr;
	unsigned int leaves;
	int fail_at;		/* index of the step whose enter fails, or -1 */
	int fail_err;
	int resume_at;		/* index of the step that clears ->cancelled, or -1 */
	bool leave_saw_cancelled[XEN_SUSPEND_MAX_STEPS];
};

static void seq_log_add(struct seq_log *log, int event)
{
	if (log->nr < MAX_EVENTS)
		log->events[log->nr++] = event;
}

static int seq_step_index(struct xen_suspend_cycle *cycle)
{
	/* The steps run in order: the next event slot tells which one. */
	struct seq_log *log = cycle->data;

	return log->nr;
}

static int fake_enter(struct xen_suspend_cycle *cycle)
{
	struct seq_log *log = cycle->data;
	int i = seq_step_index(cycle);

	seq_log_add(log, ENTER(i));
	if (i == log->fail_at)
		return log->fail_err;
	if (i == log->resume_at)
		cycle->cancelled = false;
	return 0;
}

static void fake_leave(struct xen_suspend_cycle *cycle)
{
	struct seq_log *log = cycle->data;
	/* Steps leave in reverse order: the first leave is the last entered. */
	int i = cycle->entered - 1 - log->leaves++;

	log->leave_saw_cancelled[i] = cycle->cancelled;
	seq_log_add(log, LEAVE(i));
}

static const struct xen_suspend_step fake_steps[] = {
	{ "freeze",	fake_enter, fake_leave },
	{ "devices",	fake_enter, fake_leave },
	{ "xenstore",	fake_enter, fake_leave },
	{ "late",	fake_enter, fake_leave },
	{ "hypercall",	fake_enter, fake_leave },
};

static void seq_setup(struct xen_suspend_cycle *cycle, struct seq_log *log,
		      unsigned int nr_steps)
{
	memset(log, 0, sizeof(*log));
	log->fail_at = -1;
	log->resume_at = -1;
	memset(cycle, 0, sizeof(*cycle));
	cycle->steps = fake_steps;
	cycle->nr_steps = nr_steps;
	cycle->data = log;
}

/* Every step is entered in order, then left in reverse order. */
static void seq_test_enter_then_leave_in_reverse(struct kunit *test)
{
	static const int want[] = {
		ENTER(0), ENTER(1), ENTER(2), ENTER(3), ENTER(4),
		LEAVE(4), LEAVE(3), LEAVE(2), LEAVE(1), LEAVE(0),
	};
	struct xen_suspend_cycle cycle;
	struct seq_log log;
	unsigned int i;

	seq_setup(&cycle, &log, ARRAY_SIZE(fake_steps));
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), 0);
	KUNIT_EXPECT_EQ(test, cycle.entered, 5U);
	KUNIT_EXPECT_EQ(test, cycle.failed_step, -1);
	KUNIT_ASSERT_EQ(test, log.nr, (unsigned int)ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_EQ_MSG(test, log.events[i], want[i], "event %u", i);
}

/* A failure at step k undoes exactly steps k-1..0, in that order. */
static void seq_test_failure_at_each_step_unwinds(struct kunit *test)
{
	struct xen_suspend_cycle cycle;
	struct seq_log log;
	int k, i;

	for (k = 0; k < ARRAY_SIZE(fake_steps); k++) {
		seq_setup(&cycle, &log, ARRAY_SIZE(fake_steps));
		log.fail_at = k;
		log.fail_err = -EBUSY;

		KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), -EBUSY);
		KUNIT_EXPECT_EQ(test, cycle.entered, (unsigned int)k);
		KUNIT_EXPECT_EQ(test, cycle.failed_step, k);
		KUNIT_EXPECT_EQ(test, cycle.error, -EBUSY);
		KUNIT_EXPECT_EQ(test, xen_suspend_cycle_result(&cycle), XEN_SUSPEND_FAILED);

		/* k + 1 enters (the last one failed), then k leaves. */
		KUNIT_ASSERT_EQ_MSG(test, log.nr, (unsigned int)(2 * k + 1), "fail at %d", k);
		for (i = 0; i <= k; i++)
			KUNIT_EXPECT_EQ(test, log.events[i], ENTER(i));
		for (i = 0; i < k; i++)
			KUNIT_EXPECT_EQ(test, log.events[k + 1 + i], LEAVE(k - 1 - i));
	}
}

/* A failure leaves ->cancelled true, so the undo resumes the same domain. */
static void seq_test_failure_resumes_as_cancelled(struct kunit *test)
{
	struct xen_suspend_cycle cycle;
	struct seq_log log;
	int i;

	seq_setup(&cycle, &log, ARRAY_SIZE(fake_steps));
	log.fail_at = 3;
	log.fail_err = -EIO;
	xen_suspend_cycle_run(&cycle);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, log.leave_saw_cancelled[i]);
	KUNIT_EXPECT_TRUE(test, cycle.cancelled);
}

/* The hypercall step clearing ->cancelled makes the result "resumed". */
static void seq_test_new_domain_is_resumed(struct kunit *test)
{
	struct xen_suspend_cycle cycle;
	struct seq_log log;
	int i;

	seq_setup(&cycle, &log, ARRAY_SIZE(fake_steps));
	log.resume_at = 4;
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), 0);
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_result(&cycle), XEN_SUSPEND_RESUMED);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_FALSE(test, log.leave_saw_cancelled[i]);
}

/* Without a step clearing it, the same domain went on: "cancelled". */
static void seq_test_same_domain_is_cancelled(struct kunit *test)
{
	struct xen_suspend_cycle cycle;
	struct seq_log log;

	seq_setup(&cycle, &log, ARRAY_SIZE(fake_steps));
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), 0);
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_result(&cycle), XEN_SUSPEND_CANCELLED);
}

static void fake_resuming(struct xen_suspend_cycle *cycle)
{
	seq_log_add(cycle->data, TURN);
}

/* @resuming runs once, between the last enter and the first leave. */
static void seq_test_resuming_between_enter_and_leave(struct kunit *test)
{
	static const int want_ok[] = {
		ENTER(0), ENTER(1), ENTER(2), TURN, LEAVE(2), LEAVE(1), LEAVE(0),
	};
	static const int want_fail[] = { ENTER(0), ENTER(1), TURN, LEAVE(0) };
	struct xen_suspend_cycle cycle;
	struct seq_log log;
	unsigned int i;

	seq_setup(&cycle, &log, 3);
	cycle.resuming = fake_resuming;
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), 0);
	KUNIT_ASSERT_EQ(test, log.nr, (unsigned int)ARRAY_SIZE(want_ok));
	for (i = 0; i < ARRAY_SIZE(want_ok); i++)
		KUNIT_EXPECT_EQ_MSG(test, log.events[i], want_ok[i], "event %u", i);

	seq_setup(&cycle, &log, 3);
	cycle.resuming = fake_resuming;
	log.fail_at = 1;
	log.fail_err = -EIO;
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), -EIO);
	KUNIT_ASSERT_EQ(test, log.nr, (unsigned int)ARRAY_SIZE(want_fail));
	for (i = 0; i < ARRAY_SIZE(want_fail); i++)
		KUNIT_EXPECT_EQ_MSG(test, log.events[i], want_fail[i], "event %u", i);
}

static int fail_third_step(struct xen_suspend_cycle *cycle, unsigned int step)
{
	return step == 2 ? -EIO : 0;
}

/* An injected fault fails its step without entering it, and unwinds. */
static void seq_test_injected_fault_skips_enter(struct kunit *test)
{
	static const int want[] = { ENTER(0), ENTER(1), LEAVE(1), LEAVE(0) };
	struct xen_suspend_cycle cycle;
	struct seq_log log;
	unsigned int i;

	seq_setup(&cycle, &log, ARRAY_SIZE(fake_steps));
	cycle.fault = fail_third_step;
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), -EIO);
	KUNIT_EXPECT_EQ(test, cycle.failed_step, 2);
	KUNIT_EXPECT_EQ(test, cycle.entered, 2U);
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_result(&cycle), XEN_SUSPEND_FAILED);
	KUNIT_ASSERT_EQ(test, log.nr, (unsigned int)ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_EQ_MSG(test, log.events[i], want[i], "event %u", i);
}

static int counted_enters;

static int count_enter(struct xen_suspend_cycle *cycle)
{
	counted_enters++;
	return 0;
}

/* Steps without @enter or @leave count as done and are skipped. */
static void seq_test_missing_callbacks_are_skipped(struct kunit *test)
{
	static const struct xen_suspend_step steps[] = {
		{ "no-enter", NULL, NULL },
		{ "counted", count_enter, NULL },
		{ "no-enter-either", NULL, NULL },
	};
	struct xen_suspend_cycle cycle = { .steps = steps, .nr_steps = ARRAY_SIZE(steps) };

	counted_enters = 0;
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), 0);
	KUNIT_EXPECT_EQ(test, cycle.entered, 3U);
	KUNIT_EXPECT_EQ(test, counted_enters, 1);
}

/* An empty, missing or over-long table runs nothing and says -EINVAL. */
static void seq_test_bad_table_runs_nothing(struct kunit *test)
{
	struct xen_suspend_cycle cycle;
	struct seq_log log;

	seq_setup(&cycle, &log, 0);
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), -EINVAL);
	KUNIT_EXPECT_EQ(test, log.nr, 0U);

	seq_setup(&cycle, &log, XEN_SUSPEND_MAX_STEPS + 1);
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), -EINVAL);
	KUNIT_EXPECT_EQ(test, log.nr, 0U);

	seq_setup(&cycle, &log, 3);
	cycle.steps = NULL;
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), -EINVAL);
	KUNIT_EXPECT_EQ(test, log.nr, 0U);
}

/* A second run starts from clean outputs, not the first run's. */
static void seq_test_rerun_resets_outputs(struct kunit *test)
{
	struct xen_suspend_cycle cycle;
	struct seq_log log;

	seq_setup(&cycle, &log, ARRAY_SIZE(fake_steps));
	log.fail_at = 2;
	log.fail_err = -ENOMEM;
	log.resume_at = 1;
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), -ENOMEM);
	KUNIT_EXPECT_FALSE(test, cycle.cancelled);

	log.nr = 0;
	log.leaves = 0;
	log.fail_at = -1;
	log.resume_at = -1;
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), 0);
	KUNIT_EXPECT_EQ(test, cycle.failed_step, -1);
	KUNIT_EXPECT_EQ(test, cycle.error, 0);
	KUNIT_EXPECT_TRUE(test, cycle.cancelled);
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_result(&cycle), XEN_SUSPEND_CANCELLED);
}

static u64 fake_now;

/* Every reading of the fake clock moves it by 1 us. */
static u64 fake_clock(void)
{
	fake_now += 1000;
	return fake_now;
}

static int slow_enter(struct xen_suspend_cycle *cycle)
{
	fake_now += 50000;
	return 0;
}

static void slow_leave(struct xen_suspend_cycle *cycle)
{
	fake_now += 7000;
}

/* Each step's enter and leave times are measured on the cycle's clock. */
static void seq_test_steps_are_timed(struct kunit *test)
{
	static const struct xen_suspend_step steps[] = {
		{ "quick", NULL, NULL },
		{ "slow", slow_enter, slow_leave },
	};
	struct xen_suspend_cycle cycle = {
		.steps = steps, .nr_steps = ARRAY_SIZE(steps), .clock = fake_clock,
	};

	fake_now = 0;
	KUNIT_EXPECT_EQ(test, xen_suspend_cycle_run(&cycle), 0);
	KUNIT_EXPECT_EQ(test, cycle.enter_ns[0], 1000ULL);
	KUNIT_EXPECT_EQ(test, cycle.enter_ns[1], 51000ULL);
	KUNIT_EXPECT_EQ(test, cycle.leave_ns[1], 8000ULL);
	KUNIT_EXPECT_EQ(test, cycle.leave_ns[0], 1000ULL);
	KUNIT_EXPECT_EQ(test, cycle.enter_ns[2], 0ULL);
}

/* Each keyword parses, bare or with the newline echo adds. */
static void cmd_test_keywords(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xen_suspend_parse_cmd("test", 4), XEN_SUSPEND_CMD_TEST);
	KUNIT_EXPECT_EQ(test, xen_suspend_parse_cmd("test\n", 5), XEN_SUSPEND_CMD_TEST);
	KUNIT_EXPECT_EQ(test, xen_suspend_parse_cmd("prepare\n", 8), XEN_SUSPEND_CMD_PREPARE);
	KUNIT_EXPECT_EQ(test, xen_suspend_parse_cmd("abort", 5), XEN_SUSPEND_CMD_ABORT);
	KUNIT_EXPECT_STREQ(test, xen_suspend_cmd_name(XEN_SUSPEND_CMD_PREPARE), "prepare");
	KUNIT_EXPECT_STREQ(test, xen_suspend_cmd_name(99), "?");
}

/* Each result has its word; a value out of range gets "?". */
static void result_test_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, xen_suspend_result_name(XEN_SUSPEND_NONE), "none");
	KUNIT_EXPECT_STREQ(test, xen_suspend_result_name(XEN_SUSPEND_CANCELLED), "cancelled");
	KUNIT_EXPECT_STREQ(test, xen_suspend_result_name(XEN_SUSPEND_FAILED), "failed");
	KUNIT_EXPECT_STREQ(test, xen_suspend_result_name(99), "?");
}

/* Anything but one keyword and an optional newline is -EINVAL. */
static void cmd_test_rejects_bad_input(struct kunit *test)
{
	static const char overlong[] = "test\n            ";
	static const char * const bad[] = {
		"", "\n", "\n\n", "test\n\n", " test", "test ", "TEST", "tes",
		"testx", "prepare\r\n", "abort\tx", "test\nabort",
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, xen_suspend_parse_cmd(bad[i], strlen(bad[i])),
				    -EINVAL, "input %d", i);

	/* NUL bytes inside the write: binary junk. */
	KUNIT_EXPECT_EQ(test, xen_suspend_parse_cmd("test\0", 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_suspend_parse_cmd("te\0st", 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_suspend_parse_cmd("\xff\xfe", 2), -EINVAL);
	/* Over-long writes are rejected before any comparison. */
	KUNIT_EXPECT_EQ(test, xen_suspend_parse_cmd(overlong, sizeof(overlong) - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_suspend_parse_cmd("test", 0), -EINVAL);
}

/* The status line is "<state> <result>", with the errno name on failure. */
static void status_test_format(struct kunit *test)
{
	char buf[64];

	KUNIT_EXPECT_EQ(test, xen_suspend_format_status(buf, sizeof(buf), XEN_SUSPEND_IDLE,
							XEN_SUSPEND_NONE, 0), 10);
	KUNIT_EXPECT_STREQ(test, buf, "idle none\n");

	xen_suspend_format_status(buf, sizeof(buf), XEN_SUSPEND_RESUMING,
				  XEN_SUSPEND_RESUMED, 0);
	KUNIT_EXPECT_STREQ(test, buf, "resuming resumed\n");

	xen_suspend_format_status(buf, sizeof(buf), XEN_SUSPEND_PREPARED,
				  XEN_SUSPEND_CANCELLED, 0);
	KUNIT_EXPECT_STREQ(test, buf, "prepared cancelled\n");

	xen_suspend_format_status(buf, sizeof(buf), XEN_SUSPEND_IDLE,
				  XEN_SUSPEND_FAILED, -EBUSY);
	if (IS_ENABLED(CONFIG_SYMBOLIC_ERRNAME))
		KUNIT_EXPECT_STREQ(test, buf, "idle failed:EBUSY\n");
	else
		KUNIT_EXPECT_STREQ(test, buf, "idle failed:-16\n");

	/* An errno the kernel has no name for is printed as a number. */
	xen_suspend_format_status(buf, sizeof(buf), XEN_SUSPEND_SUSPENDING,
				  XEN_SUSPEND_FAILED, -4000);
	KUNIT_EXPECT_STREQ(test, buf, "suspending failed:-4000\n");
}

/* Out-of-range values are refused; a short buffer truncates safely. */
static void status_test_bad_values(struct kunit *test)
{
	char buf[8];

	KUNIT_EXPECT_EQ(test, xen_suspend_format_status(buf, sizeof(buf), 7,
							XEN_SUSPEND_NONE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_suspend_format_status(buf, sizeof(buf), XEN_SUSPEND_IDLE,
							9, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_suspend_format_status(buf, sizeof(buf), XEN_SUSPEND_IDLE,
							XEN_SUSPEND_CANCELLED, 0), 7);
	KUNIT_EXPECT_STREQ(test, buf, "idle ca");
}

/* A hold with no helper times out, and only once its timeout has passed. */
static void hold_test_timeout_alone(struct kunit *test)
{
	struct xen_suspend_hold h = {};
	unsigned long now = 1000, delay;

	delay = xen_suspend_hold_start(&h, now, 2);
	KUNIT_EXPECT_EQ(test, delay, 2UL * HZ);
	KUNIT_EXPECT_FALSE(test, xen_suspend_hold_may_expire(&h, now + delay - 1));
	KUNIT_EXPECT_TRUE(test, xen_suspend_hold_may_expire(&h, now + delay));
	xen_suspend_hold_end(&h);
	KUNIT_EXPECT_FALSE(test, xen_suspend_hold_may_expire(&h, now + 10 * delay));
}

/*
 * dom0's node, written before the prepare, keeps the hold for as long as it
 * is there (a helper killed outright leaves it held); its removal restarts
 * the timeout with its seconds.
 */
static void hold_test_node_keeps_it(struct kunit *test)
{
	struct xen_suspend_hold h = {};
	unsigned long now = 5000;

	KUNIT_EXPECT_EQ(test, xen_suspend_hold_node(&h, true, 6, now), 0UL);
	KUNIT_EXPECT_EQ(test, xen_suspend_hold_start(&h, now, 1), 0UL);
	KUNIT_EXPECT_FALSE(test, xen_suspend_hold_may_expire(&h, now + 100000UL * HZ));
	now += 3600UL * HZ;
	KUNIT_EXPECT_EQ(test, xen_suspend_hold_node(&h, false, 0, now), 6UL * HZ);
	KUNIT_EXPECT_FALSE(test, xen_suspend_hold_may_expire(&h, now + 6 * HZ - 1));
	KUNIT_EXPECT_TRUE(test, xen_suspend_hold_may_expire(&h, now + 6 * HZ));
	/* removed again, or never there: nothing to arm */
	KUNIT_EXPECT_EQ(test, xen_suspend_hold_node(&h, false, 0, now), 0UL);
}

/*
 * The timeout work runs late: a node written, or a renewal made, after the
 * deadline but before the work looks wins.
 */
static void hold_test_work_runs_late(struct kunit *test)
{
	struct xen_suspend_hold h = {};
	unsigned long now = 0, delay;

	delay = xen_suspend_hold_start(&h, now, 1);
	xen_suspend_hold_node(&h, true, 300, now + delay + 1);
	KUNIT_EXPECT_FALSE(test, xen_suspend_hold_may_expire(&h, now + delay + 2));

	h = (struct xen_suspend_hold){};
	delay = xen_suspend_hold_start(&h, now, 1);
	KUNIT_EXPECT_EQ(test, xen_suspend_hold_start(&h, now + delay + 1, 1), delay);
	KUNIT_EXPECT_FALSE(test, xen_suspend_hold_may_expire(&h, now + delay + 2));
	KUNIT_EXPECT_TRUE(test, xen_suspend_hold_may_expire(&h, now + 2 * delay + 1));
}

/* No node, nothing held: nothing to arm, nothing to end. */
static void hold_test_nothing_held(struct kunit *test)
{
	struct xen_suspend_hold h = {};

	KUNIT_EXPECT_FALSE(test, xen_suspend_hold_may_expire(&h, 12345));
	xen_suspend_hold_node(&h, true, 10, 0);
	KUNIT_EXPECT_EQ(test, xen_suspend_hold_node(&h, false, 0, 0), 0UL);
	KUNIT_EXPECT_FALSE(test, xen_suspend_hold_may_expire(&h, 1000UL * HZ));
}

/*
 * Many interleavings of prepares, renewals, node writes and removals, ends
 * and late timeout work, around jiffies wrapping: the work may end the hold
 * only while it is held, no node is there, and the last timeout armed (its
 * delay as returned) has passed.
 */
static void hold_test_interleavings(struct kunit *test)
{
	struct xen_suspend_hold h = {};
	unsigned long now = -(30UL * HZ), deadline = 0, delay = 0;
	bool held = false, node = false;
	u32 seed = 0x2545f491;
	unsigned int i, secs = 0, expired = 0;

	for (i = 0; i < 20000; i++) {
		seed = seed * 1664525 + 1013904223;
		now += (seed >> 8) % (2 * HZ);
		switch ((seed >> 24) % 6) {
		case 0:		/* a prepare, or a prepare again */
			delay = xen_suspend_hold_start(&h, now, 1 + (seed >> 4) % 3);
			held = true;
			KUNIT_ASSERT_TRUE(test, !delay == node);
			break;
		case 1:		/* dom0 writes the node */
			secs = 1 + (seed >> 4) % 5;
			KUNIT_ASSERT_EQ(test, xen_suspend_hold_node(&h, true, secs, now), 0UL);
			node = true;
			delay = 0;
			break;
		case 2:		/* dom0 removes it */
			delay = xen_suspend_hold_node(&h, false, 0, now);
			KUNIT_ASSERT_EQ(test, delay, node && held ? (unsigned long)secs * HZ : 0UL);
			node = false;
			break;
		case 3:		/* the cycle or an abort ends the hold */
			xen_suspend_hold_end(&h);
			held = false;
			delay = 0;
			break;
		default:	/* the timeout work looks, maybe late */
			if (xen_suspend_hold_may_expire(&h, now)) {
				KUNIT_ASSERT_TRUE(test, held && !node);
				KUNIT_ASSERT_TRUE(test, time_after_eq(now, deadline));
				xen_suspend_hold_end(&h);
				held = false;
				expired++;
			} else {
				KUNIT_ASSERT_FALSE(test, held && !node &&
						   time_after_eq(now, deadline));
			}
			delay = 0;
			break;
		}
		if (delay)
			deadline = now + delay;
	}
	/* Both outcomes happened, so the property was not vacuous. */
	KUNIT_EXPECT_GT(test, expired, 0U);
}

static struct kunit_case xen_suspend_seq_cases[] = {
	KUNIT_CASE(seq_test_enter_then_leave_in_reverse),
	KUNIT_CASE(seq_test_failure_at_each_step_unwinds),
	KUNIT_CASE(seq_test_failure_resumes_as_cancelled),
	KUNIT_CASE(seq_test_new_domain_is_resumed),
	KUNIT_CASE(seq_test_same_domain_is_cancelled),
	KUNIT_CASE(seq_test_resuming_between_enter_and_leave),
	KUNIT_CASE(seq_test_injected_fault_skips_enter),
	KUNIT_CASE(seq_test_missing_callbacks_are_skipped),
	KUNIT_CASE(seq_test_bad_table_runs_nothing),
	KUNIT_CASE(seq_test_rerun_resets_outputs),
	KUNIT_CASE(seq_test_steps_are_timed),
	KUNIT_CASE(cmd_test_keywords),
	KUNIT_CASE(cmd_test_rejects_bad_input),
	KUNIT_CASE(result_test_names),
	KUNIT_CASE(status_test_format),
	KUNIT_CASE(status_test_bad_values),
	KUNIT_CASE(hold_test_timeout_alone),
	KUNIT_CASE(hold_test_node_keeps_it),
	KUNIT_CASE(hold_test_work_runs_late),
	KUNIT_CASE(hold_test_nothing_held),
	KUNIT_CASE(hold_test_interleavings),
	{}
};

static struct kunit_suite xen_suspend_seq_suite = {
	.name = "xen-suspend-seq",
	.test_cases = xen_suspend_seq_cases,
};

kunit_test_suite(xen_suspend_seq_suite);

MODULE_DESCRIPTION("KUnit tests for the Xen suspend sequencer");
MODULE_LICENSE("GPL");
