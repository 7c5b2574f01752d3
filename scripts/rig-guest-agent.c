// SPDX-License-Identifier: GPL-2.0
/*
 * rig-guest-agent: the rig's guest agent (scripts/rig-images puts it in both
 * guests, static).  It listens on TCP PORT and serves each connection in a
 * child of its own, one request per connection, the protocol of dom0's
 * rig-agent (run_guest):
 *
 *   request  "<base64 command>\n<timeout s>\n<stdin length>\n" + stdin bytes
 *   reply    "<status>\n" + the command's stdout and stderr together
 *
 * The command runs as "sh FILE" in /, its stdin the request's bytes, in a
 * process group of its own; a request not whole within 30 s is given up;
 * after the timeout (a bad one: 60 s) the group
 * gets SIGTERM, 5 s later SIGKILL, and the status is 124.  A command killed by
 * a signal has status 128 + the signal, as the shell says.  The output is
 * collected in a file and sent once the command has exited, so that a
 * daemon it starts in the background does not hold the reply.
 *
 * It replaces busybox nc -e and a shell handler (base64, head, timeout, sh,
 * cat and rm: seven process starts per request, about 45 ms each under TCG
 * with the debug kernel); here one fork for the connection and one for sh.
 *
 *   usage: rig-guest-agent PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMD (1 << 20)	/* base64 command line */
#define MAX_IN (64 << 20)	/* stdin bytes */

static int rd_byte(int fd, char *c)
{
	for (;;) {
		ssize_t n = read(fd, c, 1);

		if (n == 1)
			return 0;
		if (n == 0 || errno != EINTR)
			return -1;
	}
}

/* A line without its '\n' into a malloc'd buffer; NULL on EOF or overflow. */
static char *rd_line(int fd, size_t max)
{
	size_t len = 0, cap = 256;
	char *buf = malloc(cap), c;

	while (buf) {
		if (rd_byte(fd, &c))
			break;
		if (c == '\n') {
			buf[len] = '\0';
			return buf;
		}
		if (len + 2 > cap) {
			char *nb;

			if (cap >= max)
				break;
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		buf[len++] = c;
	}
	free(buf);
	return NULL;
}

/* A decimal number of at most 9 digits, else def. */
static long number(const char *s, long def)
{
	long v = 0;
	int n = 0;

	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n >= 9)
			return def;
		v = v * 10 + (*s - '0');
	}
	return n ? v : def;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode base64 in place; its length, or -1 if it is not base64. */
static long b64decode(char *s)
{
	unsigned int acc = 0;
	int bits = 0;
	long out = 0;
	char *p;

	for (p = s; *p && *p != '='; p++) {
		int v = b64val(*p);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			s[out++] = (char)((acc >> bits) & 0xff);
		}
	}
	for (; *p; p++)
		if (*p != '=')
			return -1;
	return out;
}

static int wr_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int file_of(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	if (wr_all(fd, buf, len)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Wait for pid until the deadline; 0 and its status, or -1 at the deadline.
 * Polled, 1 ms at first and 20 ms at most: most commands take tens of ms.
 */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int wait_until(pid_t pid, int *status, long long deadline)
{
	useconds_t nap = 1000;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR) {
			*status = 127 << 8;
			return 0;
		}
		if (now_ms() >= deadline)
			return -1;
		usleep(nap);
		if (nap < 20000)
			nap *= 2;
	}
}

/* The status line, then the file out's bytes, or a message (out NULL). */
static void reply(int fd, int rc, const char *out, const char *msg)
{
	char head[16];
	char buf[1 << 16];
	int o;
	ssize_t n;

	snprintf(head, sizeof(head), "%d\n", rc);
	if (wr_all(fd, head, strlen(head)))
		return;
	if (!out) {
		wr_all(fd, msg, strlen(msg));
		return;
	}
	o = open(out, O_RDONLY | O_CLOEXEC);
	if (o < 0)
		return;
	while ((n = read(o, buf, sizeof(buf))) > 0)
		if (wr_all(fd, buf, (size_t)n))
			break;
	close(o);
}

static void serve(int fd)
{
	char cmdf[64], inf[64], outf[64], *cmd, *tl, *nl, *in = NULL;
	long tmo, n, len, got = 0;
	int status = 0, rc;
	pid_t pid;

	cmd = rd_line(fd, MAX_CMD);
	tl = cmd ? rd_line(fd, 64) : NULL;
	nl = tl ? rd_line(fd, 64) : NULL;
	if (!nl) {
		reply(fd, 2, NULL, "rig-guest-agent: the request has no three header lines\n");
		goto out;
	}
	tmo = number(tl, 60);
	n = number(nl, 0);
	if (n > MAX_IN) {
		reply(fd, 2, NULL, "rig-guest-agent: stdin larger than 64 MiB\n");
		goto out;
	}
	in = malloc((size_t)n + 1);
	while (in && got < n) {
		ssize_t r = read(fd, in + got, (size_t)(n - got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	len = b64decode(cmd);
	if (!in || got < n || len < 0) {
		reply(fd, 2, NULL, len < 0 ? "rig-guest-agent: the command is not base64\n"
					 : "rig-guest-agent: short stdin\n");
		goto out;
	}
	snprintf(cmdf, sizeof(cmdf), "/tmp/rga.%d.cmd", (int)getpid());
	snprintf(inf, sizeof(inf), "/tmp/rga.%d.in", (int)getpid());
	snprintf(outf, sizeof(outf), "/tmp/rga.%d.out", (int)getpid());
	if (file_of(cmdf, cmd, (size_t)len) || file_of(inf, in, (size_t)n) ||
	    file_of(outf, "", 0)) {
		reply(fd, 2, NULL, "rig-guest-agent: cannot write its files in /tmp\n");
		goto unlink;
	}
	pid = fork();
	if (pid == 0) {
		int i = open(inf, O_RDONLY), o = open(outf, O_WRONLY | O_APPEND);

		if (i < 0 || o < 0 || dup2(i, 0) < 0 || dup2(o, 1) < 0 || dup2(o, 2) < 0)
			_exit(127);
		close(i);
		close(o);
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if (chdir("/") == 0)
			execl("/bin/sh", "sh", cmdf, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		reply(fd, 2, NULL, "rig-guest-agent: cannot fork\n");
		goto unlink;
	}
	setpgid(pid, pid);
	if (wait_until(pid, &status, now_ms() + tmo * 1000)) {
		kill(-pid, SIGTERM);
		if (wait_until(pid, &status, now_ms() + 5000)) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		rc = 124;
	} else if (WIFEXITED(status)) {
		rc = WEXITSTATUS(status);
	} else {
		rc = 128 + WTERMSIG(status);
	}
	reply(fd, rc, outf, NULL);
unlink:
	unlink(cmdf);
	unlink(inf);
	unlink(outf);
out:
	free(in);
	free(nl);
	free(tl);
	free(cmd);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	int one = 1, ls;
	long port = argc == 2 ? number(argv[1], -1) : -1;

	if (port < 1 || port > 65535) {
		fprintf(stderr, "usage: rig-guest-agent PORT (1 to 65535)\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);	/* the connections' children reap themselves */
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) {
		perror("rig-guest-agent: socket");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 16)) {
		perror("rig-guest-agent: bind/listen");
		return 1;
	}
	for (;;) {
		int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		pid_t pid;

		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				usleep(100000);
			continue;
		}
		pid = fork();
		if (pid == 0) {
			/* a request that stops coming is given up */
			struct timeval tv = { .tv_sec = 30 };

			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			close(ls);
			signal(SIGCHLD, SIG_DFL);
			serve(fd);
			close(fd);
			_exit(0);
		}
		close(fd);
	}
}
