// SPDX-License-Identifier: GPL-2.0
/*
 * xps-stream: a TCP stream from the guest to an echo server in dom0 that
 * checks itself across suspend cycles (guest side of the integration tier's
 * network checks).
 *
 *   xps-stream IPV4 PORT DIR
 *
 * Connects to IPV4:PORT and sends one 32-byte record every 100 ms, each
 * carrying its sequence number; the server sends every byte back, and each
 * record that comes back must be the next one expected.  The connection
 * must never break: a reset, an end of stream or a record out of order is
 * kept as the stream's error.
 *
 * Commands, one per line, from the FIFO DIR/in, each answered with one line
 * on the FIFO DIR/out (both made by the caller):
 *
 *   verify   wait (up to 20 s) for a record sent after the command to come
 *            back, then answer "ok sent=S echoed=E gap_ms=G retrans=R":
 *            G is the longest wait between two echoes since the last verify
 *            (the stream's stall across a cycle), R the segments TCP
 *            retransmitted since then (TCP_INFO); or "bad ...: <what>".
 *   quit     the same, then exit ("bye ..." or "bad ...").
 *
 * Setup errors go to stderr with exit status 1.  Built static
 * (scripts/build-guest-tool).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REC		32
#define PERIOD_MS	100
#define VERIFY_WAIT_MS	20000

static int sock;
static unsigned long long sent, echoed;		/* records */
static long long last_echo_ms, gap_ms;
static unsigned int retrans_base;
static char error[160];
static unsigned char inbuf[REC];
static size_t inlen;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xps-stream: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void record(unsigned char *r, unsigned long long seq)
{
	memset(r, '.', REC);
	snprintf((char *)r, REC, "xps-stream %llu", seq);
	r[REC - 1] = '\n';
}

static unsigned int retrans(void)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(sock, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return 0;
	return ti.tcpi_total_retrans;
}

static void send_next(void)
{
	unsigned char r[REC];
	ssize_t n;

	if (error[0])
		return;
	record(r, sent + 1);
	n = send(sock, r, REC, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n == REC) {
		sent++;
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;		/* the socket's buffer is full: later */
	snprintf(error, sizeof(error), "send of record %llu: %s", sent + 1,
		 n < 0 ? strerror(errno) : "short");
}

/* Take what has come back; every whole record must be the next one. */
static void receive(void)
{
	unsigned char want[REC];
	long long t;
	ssize_t n;

	if (error[0])
		return;
	n = recv(sock, inbuf + inlen, REC - inlen, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		snprintf(error, sizeof(error), "after %llu records echoed: %s",
			 echoed, n < 0 ? strerror(errno) : "the server ended the stream");
		return;
	}
	inlen += (size_t)n;
	if (inlen < REC)
		return;
	inlen = 0;
	record(want, echoed + 1);
	if (memcmp(want, inbuf, REC)) {
		snprintf(error, sizeof(error), "echo of record %llu is not it: %.20s",
			 echoed + 1, inbuf);
		return;
	}
	echoed++;
	t = now_ms();
	if (t - last_echo_ms > gap_ms)
		gap_ms = t - last_echo_ms;
	last_echo_ms = t;
}

static void step(int timeout_ms)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) > 0)
		receive();
}

static int verify(char *out, size_t size)
{
	unsigned long long target = sent + 1;
	long long end = now_ms() + VERIFY_WAIT_MS, next = now_ms();
	unsigned int r;

	while (!error[0] && echoed < target) {
		if (now_ms() >= end) {
			snprintf(out, size, "bad stream: no echo in %d s (sent %llu, echoed %llu)",
				 VERIFY_WAIT_MS / 1000, sent, echoed);
			return 1;
		}
		if (now_ms() >= next) {
			send_next();
			next = now_ms() + PERIOD_MS;
		}
		step(PERIOD_MS);
	}
	if (error[0]) {
		snprintf(out, size, "bad stream: %s", error);
		return 1;
	}
	r = retrans();
	snprintf(out, size, "ok sent=%llu echoed=%llu gap_ms=%lld retrans=%u",
		 sent, echoed, gap_ms, r - retrans_base);
	retrans_base = r;
	gap_ms = 0;
	return 0;
}

static void answer(const char *dir, const char *line)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/out", dir);
	f = fopen(path, "w");	/* blocks until the caller reads */
	if (!f)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "%s\n", line);
	fclose(f);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char path[4096], line[64], out[256], bye[sizeof(out) + 8];
	struct pollfd pfd[2];
	long long next;
	char *end;
	long port;
	ssize_t n;
	int in, bad;

	if (argc != 4)
		die("usage: xps-stream IPV4 PORT DIR");
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		die("'%s' is not an IPv4 address", argv[1]);
	port = strtol(argv[2], &end, 10);
	if (*end || port < 1 || port > 65535)
		die("'%s' is not a port", argv[2]);
	sa.sin_port = htons((uint16_t)port);
	sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		die("socket: %s", strerror(errno));
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)))
		die("connect to %s:%ld: %s", argv[1], port, strerror(errno));
	snprintf(path, sizeof(path), "%s/in", argv[3]);
	/* O_RDWR: the FIFO stays open between callers, and never reads EOF */
	in = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		die("%s: %s", path, strerror(errno));
	retrans_base = retrans();
	last_echo_ms = next = now_ms();
	pfd[0].fd = sock;
	pfd[0].events = POLLIN;
	pfd[1].fd = in;
	pfd[1].events = POLLIN;
	for (;;) {
		long long wait;

		if (now_ms() >= next) {
			send_next();
			next += PERIOD_MS;
			if (next < now_ms())
				next = now_ms() + PERIOD_MS;
		}
		wait = next - now_ms();
		/* a broken stream is not polled again: its error is kept */
		pfd[0].fd = error[0] ? -1 : sock;
		if (poll(pfd, 2, (int)(wait > 0 ? wait : 0)) <= 0)
			continue;
		if (pfd[0].revents)
			receive();
		if (!(pfd[1].revents & POLLIN))
			continue;
		n = read(in, line, sizeof(line) - 1);
		if (n <= 0)
			continue;
		line[n] = '\0';
		bad = verify(out, sizeof(out));
		if (!strncmp(line, "quit", 4)) {
			snprintf(bye, sizeof(bye), "%s%s", bad ? "" : "bye ", bad ? out : out + 3);
			answer(argv[3], bye);
			return bad;
		}
		answer(argv[3], out);
	}
}
