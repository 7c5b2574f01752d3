// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for busybox udhcpc in tests/tools/dhcp: it appends the name of
 * each SIGUSR1 (renew) and SIGUSR2 (release) it takes to FILE, in the order
 * its handlers run (udhcpc's handlers, with signal(2) semantics as here,
 * write to a pipe that its main loop reads in that order).  Its other
 * arguments (-i IFACE ...) are for /proc/PID/cmdline only.  It exits on
 * SIGTERM.
 *
 *   fake-udhcpc FILE ARG...
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int out = -1;

static void took(int sig)
{
	const char *s = sig == SIGUSR1 ? "USR1\n" : "USR2\n";

	if (write(out, s, strlen(s)) < 0)
		_exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (out < 0)
		return 1;
	signal(SIGUSR1, took);
	signal(SIGUSR2, took);
	for (;;)
		pause();
}
