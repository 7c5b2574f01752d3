// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for busybox udhcpc in tests/tools/dhcp: it appends the name of
 * each SIGUSR1 (renew) and SIGUSR2 (release) it takes to FILE, in the order
 * its handlers run (udhcpc's handlers, with signal(2) semantics as here,
 * write to a pipe that its main loop reads in that order).  Its other
 * arguments (-i IFACE ...) are for /proc/PID/cmdline only.  It exits on
 * SIGTERM.  With FAKE_UDHCPC_USR2_MS=N its SIGUSR2 handler waits N ms
 * before it writes, as a handler preempted before its write() would: a
 * SIGUSR1 sent meanwhile runs its handler first (SIGUSR2 is blocked then,
 * SIGUSR1 is not).
 *
 *   fake-udhcpc FILE ARG...
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int out = -1;
static long usr2_ms;

static void took(int sig)
{
	const char *s = sig == SIGUSR1 ? "USR1\n" : "USR2\n";
	struct timespec t = { usr2_ms / 1000, (usr2_ms % 1000) * 1000000L };

	/* a signal that comes meanwhile ends the wait early: its handler ran */
	if (sig == SIGUSR2 && usr2_ms > 0)
		nanosleep(&t, NULL);
	if (write(out, s, strlen(s)) < 0)
		_exit(1);
}

int main(int argc, char **argv)
{
	const char *ms = getenv("FAKE_UDHCPC_USR2_MS");

	if (argc < 2)
		return 2;
	usr2_ms = ms ? atol(ms) : 0;
	out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (out < 0)
		return 1;
	signal(SIGUSR1, took);
	signal(SIGUSR2, took);
	for (;;)
		pause();
}
