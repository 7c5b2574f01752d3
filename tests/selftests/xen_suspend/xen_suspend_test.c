// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of /sys/power/xen_suspend, the Xen PV guest's suspend control file,
 * and of what a suspend cycle reports: the uevent from
 * /devices/platform/xen_suspend, the debugfs files in xen/suspend/, and
 * xen-netfront's XEN_RESUMED uevent (only after a resume into a new domain).
 *
 * Run as root in a Xen PV guest; elsewhere every test is skipped (exit 4).
 * The "test" cycles freeze the guest's tasks and devices for a moment.
 * With XEN_SUSPEND_TEST_RESUME=SECONDS, cycles.resume_uevent prints
 * "resume_uevent: listening" and waits that long for the domain to be
 * restored or migrated (by dom0: xl save + xl restore); without it, it is
 * skipped.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"

#define XS_PATH		"/sys/power/xen_suspend"
#define XS_DEBUGFS	"/sys/kernel/debug/xen/suspend"
#define XS_DEVPATH	"DEVPATH=/devices/platform/xen_suspend"
/* How long a uevent may take to arrive after the write returned. */
#define UEVENT_TIMEOUT_MS	10000

/* Read a whole small file into buf (NUL-terminated); -errno on failure. */
static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	return n;
}

/* One write(2) of len bytes; the byte count or -errno. */
static ssize_t write_file(const char *path, const void *data, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	errno = 0;
	n = write(fd, data, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

static ssize_t xs_write(const char *s)
{
	return write_file(XS_PATH, s, strlen(s));
}

/*
 * The value of a "key: value" line of a file, or -1; leading blanks of the
 * value are skipped ("MemTotal:    123 kB" gives 123).
 */
static long long value_of(const char *path, const char *name)
{
	char buf[8192], key[64];
	const char *p;

	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	snprintf(key, sizeof(key), "%s: ", name);
	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, strlen(key)))
			return atoll(p + strlen(key));
	}
	return -1;
}

/* A named counter of debugfs xen/suspend/stats, or -1 without debugfs. */
static long long stat_of(const char *name)
{
	return value_of(XS_DEBUGFS "/stats", name);
}

/* A line of debugfs xen/suspend/lean, or -1 without debugfs. */
static long long lean_of(const char *name)
{
	return value_of(XS_DEBUGFS "/lean", name);
}

/* A /proc/meminfo value in kB ("MemTotal:    123 kB"), or -1. */
static long long meminfo_kb(const char *name)
{
	return value_of("/proc/meminfo", name);
}

static bool have_debugfs(void)
{
	return access(XS_DEBUGFS "/stats", R_OK) == 0;
}

/* A NETLINK_KOBJECT_UEVENT socket that sees kernel uevents. */
static int uevent_socket(void)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&nl, sizeof(nl))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Does the NUL-separated uevent buffer hold the KEY=value string s? */
static bool uevent_has(const char *buf, size_t len, const char *s)
{
	size_t off;

	for (off = 0; off < len; off += strlen(buf + off) + 1)
		if (!strcmp(buf + off, s))
			return true;
	return false;
}

/* XEN_RESUMED uevents that wait_uevent() read on its way. */
static int resumed_seen;

/*
 * Wait, bounded, for a change uevent of the xen_suspend device with
 * XEN_SUSPEND=result.  Copies its environment to env; returns its length,
 * 0 on timeout, -errno on error.
 */
static ssize_t wait_uevent(int fd, const char *result, char *env, size_t size)
{
	long long deadline = now_ms() + UEVENT_TIMEOUT_MS;
	char want[64];

	snprintf(want, sizeof(want), "XEN_SUSPEND=%s", result);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return -errno;
		n = recv(fd, env, size - 1, 0);
		if (n < 0) {
			/* ENOBUFS: others' uevents overflowed the socket; ours may follow. */
			if (errno == EAGAIN || errno == EINTR || errno == ENOBUFS)
				continue;
			return -errno;
		}
		env[n] = '\0';
		if (uevent_has(env, n, "XEN_RESUMED=1"))
			resumed_seen++;
		if (uevent_has(env, n, "ACTION=change") && uevent_has(env, n, XS_DEVPATH) &&
		    uevent_has(env, n, want))
			return n;
	}
}

static bool valid_status(const char *s)
{
	static const char * const states[] = { "idle ", "prepared ", "suspending ",
					       "resuming " };
	static const char * const results[] = { "none\n", "resumed\n", "cancelled\n" };
	const char *r = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(states); i++)
		if (!strncmp(s, states[i], strlen(states[i])))
			r = s + strlen(states[i]);
	if (!r)
		return false;
	for (i = 0; i < ARRAY_SIZE(results); i++)
		if (!strcmp(r, results[i]))
			return true;
	/* failed:<ENAME> or failed:<negative number> */
	if (strncmp(r, "failed:", 7))
		return false;
	r += 7;
	if (*r == '\n')
		return false;
	for (; *r != '\n'; r++)
		if (!(*r >= 'A' && *r <= 'Z') && !(*r >= '0' && *r <= '9') && *r != '-')
			return false;
	return r[1] == '\0';
}

/* The value of KEY in a NUL-separated uevent buffer, or NULL. */
static const char *uevent_get(const char *buf, size_t len, const char *key)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = buf; p < buf + len; p += strlen(p) + 1)
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return p + klen + 1;
	return NULL;
}

/* Reading gives one line, "<state> <result>\n", from the documented sets. */
TEST(read_format)
{
	char buf[128];
	int n;

	n = read_file(XS_PATH, buf, sizeof(buf));
	ASSERT_GT(n, 0);
	EXPECT_TRUE(valid_status(buf)) TH_LOG("status line: '%s'", buf);
	EXPECT_EQ(strchr(buf, '\n') - buf, n - 1);
	/* Nothing runs now: the state is idle. */
	EXPECT_EQ(0, strncmp(buf, "idle ", 5));
}

/*
 * Anything but one keyword with an optional newline is -EINVAL and changes
 * nothing: not the status line, not the counters.
 */
TEST(bad_input_is_einval)
{
	static const struct {
		const char *data;
		size_t len;
	} bad[] = {
		{ "\n", 1 }, { "\n\n", 2 }, { "foo", 3 }, { "test ", 5 },
		{ " test", 5 }, { "TEST", 4 }, { "tes", 3 }, { "testx", 5 },
		{ "test\n\n", 6 }, { "test\nabort", 10 }, { "prepare\r\n", 9 },
		{ "abort\tx", 7 }, { "te\0st", 5 }, { "test\0", 5 },
		{ "\xff\xfe\x00\x01", 4 },
	};
	char before[128], after[128], longbuf[4096];
	long long cycles;
	size_t i;

	ASSERT_GT(read_file(XS_PATH, before, sizeof(before)), 0);
	cycles = stat_of("cycles");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, write_file(XS_PATH, bad[i].data, bad[i].len))
			TH_LOG("input %zu", i);
		ASSERT_GT(read_file(XS_PATH, after, sizeof(after)), 0);
		EXPECT_STREQ(before, after) TH_LOG("input %zu", i);
	}

	/* Over-long: a page of "test". */
	for (i = 0; i < sizeof(longbuf); i++)
		longbuf[i] = "test"[i % 4];
	EXPECT_EQ(-EINVAL, write_file(XS_PATH, longbuf, sizeof(longbuf)));
	EXPECT_EQ(-EINVAL, write_file(XS_PATH, longbuf, 17));

	/* sysfs never passes an empty write to the file: 0 bytes, no effect. */
	EXPECT_EQ(0, write_file(XS_PATH, "", 0));

	ASSERT_GT(read_file(XS_PATH, after, sizeof(after)), 0);
	EXPECT_STREQ(before, after);
	EXPECT_EQ(cycles, stat_of("cycles"));
}

/* "abort" with nothing prepared is -EINVAL and changes nothing. */
TEST(abort_without_prepare)
{
	char before[128], after[128];

	ASSERT_GT(read_file(XS_PATH, before, sizeof(before)), 0);
	ASSERT_EQ(0, strncmp(before, "idle ", 5));
	EXPECT_EQ(-EINVAL, xs_write("abort"));
	EXPECT_EQ(-EINVAL, xs_write("abort\n"));
	ASSERT_GT(read_file(XS_PATH, after, sizeof(after)), 0);
	EXPECT_STREQ(before, after);
}

/*
 * The tests that run cycles: each cycle freezes the guest, which under an
 * emulated CPU takes seconds, so they get more than the default 30 s.
 */
#define CYCLE_TIMEOUT	300

FIXTURE(cycles) {
};

FIXTURE_SETUP(cycles)
{
}

/*
 * A test that failed half-way must not leave the guest prepared, nor the
 * lift's knobs changed (absent files: nothing to do).
 */
FIXTURE_TEARDOWN(cycles)
{
	xs_write("abort");
	write_file(XS_DEBUGFS "/fail_lift_wait", "0", 1);
	write_file(XS_DEBUGFS "/lift_wait_ms", "10000", 5);
}

/*
 * Across a real resume (dom0 restores or migrates the domain while this
 * waits): each xen-netfront device sends one change uevent with
 * XEN_RESUMED=1 and the cycle's number, which debugfs's "cycles" gives once
 * the cycle is recorded (its own XEN_SUSPEND=resumed uevent, after thaw).
 */
TEST_F_TIMEOUT(cycles, resume_uevent, 600)
{
	const char *wait = getenv("XEN_SUSPEND_TEST_RESUME");
	const char *iface, *cycle;
	long long deadline, cycles = -1;
	char buf[2048], ev[2048], path[64];
	ssize_t n, evn = 0;
	int fd, got = 0;

	if (!wait || atoi(wait) <= 0)
		SKIP(return, "XEN_SUSPEND_TEST_RESUME=SECONDS is not set");
	fd = uevent_socket();
	ASSERT_GE(fd, 0) TH_LOG("uevent socket: %s", strerror(-fd));
	if (have_debugfs())
		cycles = stat_of("cycles");
	printf("# resume_uevent: listening\n");
	fflush(stdout);
	deadline = now_ms() + atoi(wait) * 1000LL;
	/* the netdev's uevent and the cycle's own, in either order */
	while (now_ms() < deadline && (!evn || !got)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, deadline - now_ms()) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (uevent_has(buf, n, "XEN_RESUMED=1")) {
			EXPECT_EQ(0, evn) TH_LOG("a second XEN_RESUMED uevent");
			memcpy(ev, buf, n + 1);
			evn = n;
		}
		if (uevent_has(buf, n, XS_DEVPATH) && uevent_has(buf, n, "XEN_SUSPEND=resumed"))
			got = 1;
	}
	close(fd);
	ASSERT_TRUE(got) TH_LOG("no XEN_SUSPEND=resumed uevent within %s s", wait);
	ASSERT_GT(evn, 0) TH_LOG("no XEN_RESUMED uevent from a network device after the resume");
	EXPECT_TRUE(uevent_has(ev, evn, "ACTION=change"));
	EXPECT_TRUE(uevent_has(ev, evn, "SUBSYSTEM=net"));
	iface = uevent_get(ev, evn, "INTERFACE");
	ASSERT_NE(NULL, iface);
	snprintf(path, sizeof(path), "/sys/class/net/%.16s/carrier", iface);
	ASSERT_GT(read_file(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ("1\n", buf) TH_LOG("%s's carrier is not on", iface);
	cycle = uevent_get(ev, evn, "XEN_SUSPEND_CYCLE");
	ASSERT_NE(NULL, cycle);
	if (cycles >= 0)
		EXPECT_EQ(cycles + 1, atoll(cycle)) TH_LOG("XEN_SUSPEND_CYCLE=%s", cycle);
}

/*
 * "test" runs a cancelled cycle: the write returns its length when the cycle
 * is over, the state is idle again, the result "cancelled", a change uevent
 * says so, no network device says XEN_RESUMED (it would come before that
 * uevent, which is sent after thaw), and the counters moved by exactly one
 * cycle.
 */
TEST_F_TIMEOUT(cycles, test_cycle, CYCLE_TIMEOUT)
{
	long long cycles, cancelled, tests;
	char buf[2048];
	ssize_t n;
	int fd;

	fd = uevent_socket();
	ASSERT_GE(fd, 0) TH_LOG("uevent socket: %s", strerror(-fd));
	cycles = stat_of("cycles");
	cancelled = stat_of("cancelled");
	tests = stat_of("tests");

	EXPECT_EQ(5, xs_write("test\n"));
	ASSERT_GT(read_file(XS_PATH, buf, sizeof(buf)), 0);
	EXPECT_STREQ("idle cancelled\n", buf);

	resumed_seen = 0;
	n = wait_uevent(fd, "cancelled", buf, sizeof(buf));
	ASSERT_GT(n, 0) TH_LOG("no XEN_SUSPEND=cancelled uevent in %d ms", UEVENT_TIMEOUT_MS);
	EXPECT_TRUE(uevent_has(buf, n, "XEN_SUSPEND_TRIGGER=test"));
	EXPECT_EQ(0, resumed_seen) TH_LOG("a test cycle made a device send XEN_RESUMED");
	close(fd);

	if (!have_debugfs()) {
		ksft_print_msg("debugfs not mounted: counters not checked\n");
		return;
	}
	EXPECT_EQ(cycles + 1, stat_of("cycles"));
	EXPECT_EQ(cancelled + 1, stat_of("cancelled"));
	EXPECT_EQ(tests + 1, stat_of("tests"));
	ASSERT_GT(read_file(XS_DEBUGFS "/last", buf, sizeof(buf)), 0);
	EXPECT_NE(NULL, strstr(buf, "result: cancelled\n")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "trigger: test\n")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "failed_step: -1\n")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "\n0 freeze ")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "\n2 quiesce ")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "\nquiesce_expired: 0\n")) TH_LOG("%s", buf);
}

#define QUIESCE_BUDGET	"/sys/module/xen/parameters/quiesce_budget_ms"

/*
 * The drain's budget: bad values are -EINVAL and change nothing; 0 (no
 * drain) and the maximum are taken, and a cycle with either goes through.
 */
TEST_F_TIMEOUT(cycles, quiesce_budget, CYCLE_TIMEOUT)
{
	char buf[2048], old[32];

	ASSERT_GT(read_file(QUIESCE_BUDGET, old, sizeof(old)), 0)
		TH_LOG("no %s", QUIESCE_BUDGET);
	EXPECT_EQ(-EINVAL, write_file(QUIESCE_BUDGET, "10001", 5));
	EXPECT_EQ(-EINVAL, write_file(QUIESCE_BUDGET, "-1", 2));
	EXPECT_EQ(-EINVAL, write_file(QUIESCE_BUDGET, "1x", 2));
	ASSERT_GT(read_file(QUIESCE_BUDGET, buf, sizeof(buf)), 0);
	EXPECT_STREQ(old, buf);

	ASSERT_EQ(1, write_file(QUIESCE_BUDGET, "0", 1));
	EXPECT_EQ(4, xs_write("test"));
	ASSERT_EQ(5, write_file(QUIESCE_BUDGET, "10000", 5));
	EXPECT_EQ(4, xs_write("test"));
	ASSERT_GT(read_file(XS_PATH, buf, sizeof(buf)), 0);
	EXPECT_STREQ("idle cancelled\n", buf);
	if (have_debugfs()) {
		ASSERT_GT(read_file(XS_DEBUGFS "/last", buf, sizeof(buf)), 0);
		EXPECT_NE(NULL, strstr(buf, "\nquiesce_expired: 0\n")) TH_LOG("%s", buf);
	}
	EXPECT_EQ((ssize_t)strlen(old), write_file(QUIESCE_BUDGET, old, strlen(old)));
}

#define WRITERS 3

/*
 * Writers at once: each either runs its cycle or gets -EBUSY; at least one
 * runs, and the state machine ends idle with a cancelled result and one
 * counted cycle per successful writer.
 */
TEST_F_TIMEOUT(cycles, concurrent_writers, CYCLE_TIMEOUT)
{
	int go[2], i, status, ok = 0, busy = 0, other = 0;
	long long cycles;
	char buf[128];
	pid_t pid[WRITERS];

	cycles = stat_of("cycles");
	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < WRITERS; i++) {
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (pid[i] == 0) {
			char c;
			ssize_t n;

			close(go[1]);
			/* Start together: the parent closes the pipe. */
			if (read(go[0], &c, 1) < 0)
				_exit(3);
			n = xs_write("test");
			_exit(n == 4 ? 0 : n == -EBUSY ? 1 : 2);
		}
	}
	close(go[0]);
	close(go[1]);
	for (i = 0; i < WRITERS; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		switch (WEXITSTATUS(status)) {
		case 0:
			ok++;
			break;
		case 1:
			busy++;
			break;
		default:
			other++;
			break;
		}
	}
	TH_LOG("%d cycles ran, %d writers got EBUSY", ok, busy);
	EXPECT_EQ(0, other);
	EXPECT_GE(ok, 1);
	ASSERT_GT(read_file(XS_PATH, buf, sizeof(buf)), 0);
	EXPECT_STREQ("idle cancelled\n", buf);
	if (have_debugfs())
		EXPECT_EQ(cycles + ok, stat_of("cycles"));
}

/*
 * With CONFIG_XEN_SUSPEND_DEBUG, debugfs xen/suspend/fail_step makes step N
 * of the next cycle fail with -EIO: the write fails with EIO, the result
 * reads failed:EIO, the uevent says failed, the steps before N were undone
 * (the next cycle runs clean), and a bad step number is -EINVAL.
 */
TEST_F_TIMEOUT(cycles, injected_failure_at_each_step, CYCLE_TIMEOUT)
{
	const char *knob = XS_DEBUGFS "/fail_step";
	char buf[2048], num[16];
	long long failed;
	ssize_t n;
	int fd, step;

	if (access(knob, W_OK))
		SKIP(return, "%s absent: no CONFIG_XEN_SUSPEND_DEBUG or no debugfs", knob);

	EXPECT_EQ(-EINVAL, write_file(knob, "99", 2));
	EXPECT_EQ(-EINVAL, write_file(knob, "-2", 2));
	EXPECT_EQ(-EINVAL, write_file(knob, "x", 1));

	fd = uevent_socket();
	ASSERT_GE(fd, 0);
	/*
	 * The test cycle has five steps: freeze, devices, quiesce, xenstore,
	 * devices_late.
	 */
	for (step = 0; step < 5; step++) {
		failed = stat_of("failed");
		snprintf(num, sizeof(num), "%d", step);
		ASSERT_EQ((ssize_t)strlen(num), write_file(knob, num, strlen(num)));
		EXPECT_EQ(-EIO, xs_write("test\n")) TH_LOG("step %d", step);
		ASSERT_GT(read_file(XS_PATH, buf, sizeof(buf)), 0);
		EXPECT_STREQ("idle failed:EIO\n", buf) TH_LOG("step %d", step);
		EXPECT_EQ(failed + 1, stat_of("failed"));

		n = wait_uevent(fd, "failed", buf, sizeof(buf));
		ASSERT_GT(n, 0) TH_LOG("no XEN_SUSPEND=failed uevent at step %d", step);
		EXPECT_TRUE(uevent_has(buf, n, "XEN_SUSPEND_ERROR=EIO"));

		ASSERT_GT(read_file(XS_DEBUGFS "/last", buf, sizeof(buf)), 0);
		snprintf(num, sizeof(num), "failed_step: %d\n", step);
		EXPECT_NE(NULL, strstr(buf, num)) TH_LOG("%s", buf);
		snprintf(num, sizeof(num), "entered: %d\n", step);
		EXPECT_NE(NULL, strstr(buf, num)) TH_LOG("%s", buf);

		/* One shot: disarmed after the cycle. */
		ASSERT_GT(read_file(knob, buf, sizeof(buf)), 0);
		EXPECT_STREQ("-1\n", buf);
	}

	/* Everything was undone: a clean cycle goes through. */
	EXPECT_EQ(4, xs_write("test"));
	ASSERT_GT(read_file(XS_PATH, buf, sizeof(buf)), 0);
	EXPECT_STREQ("idle cancelled\n", buf);
	close(fd);
}

/* Poll, bounded, until the status line starts with prefix; true if it did. */
static bool wait_status(const char *prefix, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	struct timespec tick = { .tv_nsec = 50 * 1000 * 1000 };
	char buf[128];

	for (;;) {
		if (read_file(XS_PATH, buf, sizeof(buf)) > 0 &&
		    !strncmp(buf, prefix, strlen(prefix)))
			return true;
		if (now_ms() > deadline)
			return false;
		nanosleep(&tick, NULL);
	}
}

/* Poll, bounded, until MemTotal is back to kb; true if it was. */
static bool wait_memtotal(long long kb, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	struct timespec tick = { .tv_nsec = 50 * 1000 * 1000 };

	for (;;) {
		if (meminfo_kb("MemTotal") >= kb)
			return true;
		if (now_ms() > deadline)
			return false;
		nanosleep(&tick, NULL);
	}
}

/* How long the balloon may take to get memory back from Xen. */
#define REPOPULATE_TIMEOUT_MS	60000

/*
 * "prepare" hands memory to Xen and holds the balloon: the state reads
 * "prepared", MemTotal is lower by exactly the pages released, a "test"
 * cycle leaves it prepared, "prepare" again only refreshes it, and "abort"
 * lifts it: the state is idle and the memory comes back.
 */
TEST_F_TIMEOUT(cycles, prepare_abort, CYCLE_TIMEOUT)
{
	long long total, prepares, aborts, released;
	char buf[128];

	total = meminfo_kb("MemTotal");
	ASSERT_GT(total, 0);
	prepares = lean_of("prepares");
	aborts = lean_of("aborts");

	ASSERT_EQ(8, xs_write("prepare\n"));
	ASSERT_GT(read_file(XS_PATH, buf, sizeof(buf)), 0);
	EXPECT_EQ(0, strncmp(buf, "prepared ", 9)) TH_LOG("status: %s", buf);
	if (have_debugfs()) {
		released = lean_of("released");
		EXPECT_EQ(1, lean_of("held"));
		EXPECT_EQ(prepares + 1, lean_of("prepares"));
		EXPECT_GT(released, 0);
		EXPECT_EQ(total - released * (getpagesize() / 1024),
			  meminfo_kb("MemTotal"));
	} else {
		EXPECT_LT(meminfo_kb("MemTotal"), total);
	}

	/* Again: refreshes the hold, releases nothing more. */
	EXPECT_EQ(7, xs_write("prepare"));
	if (have_debugfs())
		EXPECT_EQ(prepares + 1, lean_of("prepares"));

	/* A test cycle leaves the prepare in place. */
	EXPECT_EQ(4, xs_write("test"));
	ASSERT_GT(read_file(XS_PATH, buf, sizeof(buf)), 0);
	EXPECT_STREQ("prepared cancelled\n", buf);

	EXPECT_EQ(5, xs_write("abort"));
	ASSERT_GT(read_file(XS_PATH, buf, sizeof(buf)), 0);
	EXPECT_STREQ("idle cancelled\n", buf);
	EXPECT_EQ(-EINVAL, xs_write("abort"));
	if (have_debugfs())
		EXPECT_EQ(aborts + 1, lean_of("aborts"));
	EXPECT_TRUE(wait_memtotal(total, REPOPULATE_TIMEOUT_MS))
		TH_LOG("MemTotal %lld kB, %lld kB before the prepare",
		       meminfo_kb("MemTotal"), total);
	if (have_debugfs())
		EXPECT_EQ(0, lean_of("missing"));
}

/*
 * With CONFIG_FAIL_XENMEM_MAP, debugfs fail_xenmem_unmap makes the batched
 * unmapping of a release map pages again, as if Xen had refused: the guest
 * keeps them ("kept" counts them), MemTotal drops by the released pages
 * only, and after "abort" the memory is whole again.
 */
TEST_F_TIMEOUT(cycles, prepare_unmap_failure, CYCLE_TIMEOUT)
{
	static const char * const arm[][2] = {
		{ "verbose", "0" }, { "probability", "100" }, { "interval", "1" },
		{ "times", "3" },
	};
	const char *fa = "/sys/kernel/debug/fail_xenmem_unmap";
	long long total, released;
	char path[128], buf[32];
	size_t i;

	if (access(fa, F_OK))
		SKIP(return, "%s absent: no CONFIG_FAIL_XENMEM_MAP or no debugfs", fa);
	for (i = 0; i < ARRAY_SIZE(arm); i++) {
		snprintf(path, sizeof(path), "%s/%s", fa, arm[i][0]);
		ASSERT_EQ((ssize_t)strlen(arm[i][1]),
			  write_file(path, arm[i][1], strlen(arm[i][1]))) TH_LOG("%s", path);
	}

	total = meminfo_kb("MemTotal");
	ASSERT_GT(total, 0);
	ASSERT_EQ(7, xs_write("prepare"));
	released = lean_of("released");
	EXPECT_EQ(3, lean_of("kept"));
	EXPECT_GT(released, 0);
	EXPECT_EQ(total - released * (getpagesize() / 1024), meminfo_kb("MemTotal"));
	snprintf(path, sizeof(path), "%s/times", fa);
	ASSERT_GT(read_file(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ("0\n", buf) TH_LOG("fault injections left after the prepare");

	ASSERT_EQ(5, xs_write("abort"));
	EXPECT_TRUE(wait_memtotal(total, REPOPULATE_TIMEOUT_MS))
		TH_LOG("MemTotal %lld kB, %lld kB before the prepare",
		       meminfo_kb("MemTotal"), total);
	EXPECT_EQ(0, lean_of("missing"));
	EXPECT_EQ(0, lean_of("unmapped"));
}

/*
 * With no suspend after it, a prepare ends by itself after
 * xen/suspend/hold_timeout_s; bad timeouts are -EINVAL.
 */
TEST_F_TIMEOUT(cycles, prepare_timeout, CYCLE_TIMEOUT)
{
	const char *knob = XS_DEBUGFS "/hold_timeout_s";
	long long total, timeouts, old;
	char buf[32];

	if (access(knob, W_OK))
		SKIP(return, "%s absent: no debugfs", knob);
	EXPECT_EQ(-EINVAL, write_file(knob, "0", 1));
	EXPECT_EQ(-EINVAL, write_file(knob, "86401", 5));
	EXPECT_EQ(-EINVAL, write_file(knob, "x", 1));
	ASSERT_GT(read_file(knob, buf, sizeof(buf)), 0);
	old = atoll(buf);
	EXPECT_EQ(600, old);

	total = meminfo_kb("MemTotal");
	timeouts = lean_of("timeouts");
	ASSERT_EQ(1, write_file(knob, "2", 1));
	ASSERT_EQ(7, xs_write("prepare"));
	EXPECT_TRUE(wait_status("prepared ", 0));
	EXPECT_TRUE(wait_status("idle ", 30000));
	EXPECT_EQ(timeouts + 1, lean_of("timeouts"));
	EXPECT_EQ(0, lean_of("held"));
	ASSERT_EQ(3, write_file(knob, "600", 3));
	EXPECT_TRUE(wait_memtotal(total, REPOPULATE_TIMEOUT_MS));
}

/*
 * debugfs xen/suspend/lift_wait_ms bounds the lift's wait for the frontends
 * (0 to 60000 ms) and fail_lift_wait (CONFIG_XEN_SUSPEND_DEBUG) takes 0 or
 * 1: other values are -EINVAL and change nothing.  An armed fail_lift_wait
 * is used up by the next lift even when it follows an abort, which does
 * not wait for the frontends.
 */
TEST_F_TIMEOUT(cycles, lift_knobs, CYCLE_TIMEOUT)
{
	const char *bound = XS_DEBUGFS "/lift_wait_ms";
	const char *fault = XS_DEBUGFS "/fail_lift_wait";
	long long total;
	char buf[32];

	if (access(bound, W_OK) || access(fault, W_OK))
		SKIP(return, "%s or %s absent: no debugfs or no CONFIG_XEN_SUSPEND_DEBUG",
		     bound, fault);
	EXPECT_EQ(-EINVAL, write_file(bound, "60001", 5));
	EXPECT_EQ(-EINVAL, write_file(bound, "-1", 2));
	EXPECT_EQ(-EINVAL, write_file(bound, "x", 1));
	ASSERT_GT(read_file(bound, buf, sizeof(buf)), 0);
	EXPECT_EQ(10000, atoll(buf));
	EXPECT_EQ(-EINVAL, write_file(fault, "2", 1));
	EXPECT_EQ(-EINVAL, write_file(fault, "x", 1));
	ASSERT_GT(read_file(fault, buf, sizeof(buf)), 0);
	EXPECT_EQ(0, atoll(buf));

	total = meminfo_kb("MemTotal");
	ASSERT_EQ(4, write_file(bound, "5000", 4));
	ASSERT_EQ(1, write_file(fault, "1", 1));
	ASSERT_EQ(7, xs_write("prepare"));
	ASSERT_EQ(5, xs_write("abort"));
	EXPECT_TRUE(wait_memtotal(total, REPOPULATE_TIMEOUT_MS));
	ASSERT_GT(read_file(fault, buf, sizeof(buf)), 0);
	EXPECT_EQ(0, atoll(buf)) TH_LOG("the lift did not use up fail_lift_wait");
	EXPECT_LT(lean_of("lift_wait_us"), 1000000);
	EXPECT_EQ(5, write_file(bound, "10000", 5));
}

/* What TEST_HARNESS_MAIN expands to, plus a clean skip outside Xen PV. */
static void __attribute__((constructor)) __constructor_order_last(void)
{
	if (!__constructor_order)
		__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;
}

int main(int argc, char **argv)
{
	if (access(XS_PATH, F_OK)) {
		ksft_print_header();
		ksft_exit_skip("%s is absent: not a Xen PV guest with the suspend control\n",
			       XS_PATH);
	}
	return test_harness_run(argc, argv);
}
