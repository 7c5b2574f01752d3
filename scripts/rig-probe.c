// SPDX-License-Identifier: GPL-2.0
/*
 * rig-probe IPV4 LOG: the downtime probe of `scripts/rig probe`, run in dom0.
 *
 * Sends an ICMP echo request to IPV4 every 20 ms and appends one line per
 * reply to LOG: the reply's arrival, in seconds of CLOCK_MONOTONIC with
 * millisecond digits.  The longest gap between two lines is the downtime
 * dom0 sees.  Runs until killed (SIGTERM or SIGINT: exit status 0).
 *
 * It replaces a Python probe that cost 1.6 s of interpreter start in the
 * rig's dom0 and, with its timed recv() loop, took enough of dom0's CPU to
 * slow the toolstack cycles it watched: this one sleeps in poll() between
 * a send and the next.
 *
 * Build: scripts/build-helper rig-probe (gcc -O2 -Wall -Wextra -Werror).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG		"rig-probe"
#define PERIOD_NS	20000000LL	/* one echo request every 20 ms */
#define IDENT		4242
#define PAYLOAD		"xps-probe!"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint16_t csum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static void send_request(int s, const struct sockaddr_in *dst, uint16_t seq)
{
	struct {
		struct icmphdr h;
		char data[sizeof(PAYLOAD) - 1];
	} req;

	memset(&req, 0, sizeof(req));
	req.h.type = ICMP_ECHO;
	req.h.un.echo.id = htons(IDENT);
	req.h.un.echo.sequence = htons(seq);
	memcpy(req.data, PAYLOAD, sizeof(req.data));
	req.h.checksum = csum(&req, sizeof(req));
	/* fails while the guest's address has no neighbour entry: try again */
	(void)sendto(s, &req, sizeof(req), 0, (const struct sockaddr *)dst,
		     sizeof(*dst));
}

/* Drain the socket; log each echo reply of ours.  Returns -1 on a log error. */
static int take_replies(int s, int log)
{
	unsigned char buf[256];
	char line[32];
	ssize_t n;
	size_t ihl;
	const struct icmphdr *h;
	long long t;
	int len;

	while ((n = recv(s, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if ((size_t)n < sizeof(struct iphdr))
			continue;
		ihl = (size_t)(buf[0] & 0x0f) * 4;
		if ((size_t)n < ihl + sizeof(*h))
			continue;
		h = (const struct icmphdr *)(buf + ihl);
		if (h->type != ICMP_ECHOREPLY || ntohs(h->un.echo.id) != IDENT)
			continue;
		t = now_ns();
		len = snprintf(line, sizeof(line), "%lld.%03lld\n",
			       t / 1000000000LL, t / 1000000LL % 1000);
		if (write(log, line, len) != len)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd;
	long long next, t;
	uint16_t seq = 0;
	int s, log;

	if (argc != 3) {
		fprintf(stderr, "usage: " PROG " IPV4 LOG\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, PROG ": '%s' is not an IPv4 address\n", argv[1]);
		return 2;
	}
	log = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log < 0) {
		fprintf(stderr, PROG ": %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (s < 0) {
		fprintf(stderr, PROG ": raw ICMP socket: %s\n", strerror(errno));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	pfd.fd = s;
	pfd.events = POLLIN;
	next = now_ns();
	while (!stop) {
		t = now_ns();
		if (t >= next) {
			send_request(s, &dst, ++seq);
			/* a late wake-up does not bunch the requests that follow */
			next = next + PERIOD_NS > t ? next + PERIOD_NS : t + PERIOD_NS;
		}
		if (poll(&pfd, 1, (int)((next - t + 999999) / 1000000)) < 0 &&
		    errno != EINTR) {
			fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
			return 1;
		}
		if (take_replies(s, log) < 0) {
			fprintf(stderr, PROG ": %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
	}
	return 0;
}
