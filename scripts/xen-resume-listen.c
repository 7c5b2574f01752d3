// SPDX-License-Identifier: GPL-2.0
/*
 * xen-resume-listen: run a hook when a Xen network frontend works again after
 * a restore or a migration, on guests without udevd (busybox, mdev).
 *
 *   xen-resume-listen [-1] [-v] HOOK
 *
 * Listens to the kernel's uevents (NETLINK_KOBJECT_UEVENT) and, for each
 * "change" of a net device with XEN_RESUMED=1 (Documentation/ABI/testing/
 * xen-netfront-uevent), runs HOOK INTERFACE CYCLE with the uevent's variables
 * in its environment, without waiting for it (so one slow client delays no
 * other interface).  Only messages from the kernel count; an interface name
 * or a cycle number that is not one is logged and ignored.  One line on
 * stderr per uevent acted on.  -1: exit after the first hook has run, with
 * its exit status (for tests and one-shot use).  -v: also one line for each
 * uevent ignored, with the reason.
 *
 * With udevd, the udev rule 90-xen-resume-dhcp.rules does the same.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "xen-resume-listen"
#define MSG_MAX 8192
#define IFNAME_MAX 15
#define VARS_MAX 64

static void die(const char *what)
{
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The value of KEY in a uevent's NUL-separated KEY=VALUE list, or NULL. */
static const char *var(char **vars, int n, const char *key)
{
	size_t len = strlen(key);
	int i;

	for (i = 0; i < n; i++)
		if (!strncmp(vars[i], key, len) && vars[i][len] == '=')
			return vars[i] + len + 1;
	return NULL;
}

static int valid_ifname(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("_.:@-", s[i])))
			return 0;
	return 1;
}

static int valid_number(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > 20)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Printable, for a log line: at most 64 characters, others as '?'. */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size && i < 64; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* Run HOOK IFACE CYCLE with the uevent's variables; its pid, or -1. */
static pid_t run_hook(const char *hook, const char *ifname, const char *cycle,
		      char **vars, int n)
{
	pid_t pid = fork();
	int i;

	if (pid)
		return pid;
	signal(SIGCHLD, SIG_DFL);	/* the hook waits for its own children */
	for (i = 0; i < n; i++)
		putenv(vars[i]);
	execl(hook, hook, ifname, cycle, (char *)NULL);
	fprintf(stderr, PROG ": cannot run %s: %s\n", hook, strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	static char msg[MSG_MAX + 1];
	int once = 0, verbose = 0, fd, size = 1 << 20;
	const char *hook;

	while (argc > 1 && (!strcmp(argv[1], "-1") || !strcmp(argv[1], "-v"))) {
		if (argv[1][1] == '1')
			once = 1;
		else
			verbose = 1;
		argv++;
		argc--;
	}
	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: " PROG " [-1] [-v] /PATH/TO/HOOK\n");
		return 2;
	}
	hook = argv[1];
	if (access(hook, X_OK))
		die(hook);
	if (!once)
		signal(SIGCHLD, SIG_IGN);	/* no zombies; nothing waits */

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		die("netlink socket");
	/* Uevents queued while tasks were frozen must not be dropped. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("netlink bind");
	fprintf(stderr, PROG ": listening; hook %s\n", hook);

	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { msg, MSG_MAX };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
				     .msg_iov = &iov, .msg_iovlen = 1 };
		char *vars[VARS_MAX], *p, buf[80], buf2[80];
		const char *ifname, *cycle, *action, *subsystem, *resumed;
		ssize_t len;
		int n = 0, status;
		pid_t pid;

		len = recvmsg(fd, &mh, 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				fprintf(stderr, PROG ": uevents were lost (ENOBUFS)\n");
				continue;
			}
			die("netlink receive");
		}
		msg[len] = '\0';
		/* Only the kernel's messages: userspace may send to this group. */
		if (mh.msg_namelen != sizeof(from) || from.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC)) {
			if (verbose)
				fprintf(stderr, PROG ": ignored %s: not from the kernel\n",
					shown(msg, buf, sizeof(buf)));
			continue;
		}
		/* "ACTION@DEVPATH\0KEY=VALUE\0...": the variables after the header */
		for (p = msg + strlen(msg) + 1; p < msg + len && n < VARS_MAX; p += strlen(p) + 1)
			if (strchr(p, '='))
				vars[n++] = p;
		action = var(vars, n, "ACTION");
		subsystem = var(vars, n, "SUBSYSTEM");
		resumed = var(vars, n, "XEN_RESUMED");
		if (!action || strcmp(action, "change") || !subsystem || strcmp(subsystem, "net") ||
		    !resumed || strcmp(resumed, "1")) {
			if (verbose)
				fprintf(stderr, PROG ": ignored %s: not a resume\n",
					shown(msg, buf, sizeof(buf)));
			continue;
		}
		ifname = var(vars, n, "INTERFACE");
		cycle = var(vars, n, "XEN_SUSPEND_CYCLE");
		if (!ifname || !valid_ifname(ifname) || !cycle || !valid_number(cycle)) {
			fprintf(stderr, PROG ": ignored a uevent with INTERFACE '%s', XEN_SUSPEND_CYCLE '%s'\n",
				ifname ? shown(ifname, buf, sizeof(buf)) : "",
				cycle ? shown(cycle, buf2, sizeof(buf2)) : "");
			continue;
		}
		fprintf(stderr, PROG ": %s: resumed (cycle %s): running %s\n", ifname, cycle, hook);
		pid = run_hook(hook, ifname, cycle, vars, n);
		if (pid < 0)
			fprintf(stderr, PROG ": cannot fork for %s: %s\n", hook, strerror(errno));
		if (!once)
			continue;
		if (pid < 0 || waitpid(pid, &status, 0) < 0)
			return 1;
		return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
}
