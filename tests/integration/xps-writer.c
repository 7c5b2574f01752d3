// SPDX-License-Identifier: GPL-2.0
/*
 * xps-writer: a steady O_DIRECT write load that checks itself across suspend
 * cycles (guest side of the integration tier's disk checks).
 *
 *   xps-writer FILE DIR
 *
 * Writes one 4 KiB block every 100 ms through Linux AIO (io_submit, at most
 * DEPTH in flight), so that a write's completion does not wait for the task,
 * which the freezer stops; one in eight is a FUA write (RWF_DSYNC), and after
 * every 64 completions an AIO fdatasync (IOCB_CMD_FDSYNC) sends a flush.  The
 * task never sleeps in the block layer itself: the freezer stops it at once,
 * with its writes (and perhaps a flush) still in flight, for the frontends'
 * drain to wait for or for blkfront to replay.  The rate is low on
 * purpose: the tier runs it in every scenario, and its load slows the cycles.
 * Block N of FILE (N < SLOTS) takes writes with sequence numbers N, N +
 * SLOTS, N + 2 * SLOTS ...; each block carries its slot, its sequence number,
 * a payload made from the sequence number and a checksum.
 *
 * Commands, one per line, from the FIFO DIR/in, each answered with one line
 * on the FIFO DIR/out (both made by the caller):
 *
 *   verify   stop submitting, wait for what is in flight, read every block
 *            back with O_DIRECT and check it: intact (magic, slot, checksum,
 *            payload), not older than the last write acknowledged for it
 *            (nothing older overwrote it) and not newer than the last one
 *            issued.  "ok writes=W fua=F flushes=X" or "bad ...: <what>";
 *            then go on writing.
 *   quit     the same check, then exit ("bye ..." or "bad ...").
 *   where    where FILE lies on its device (FIEMAP): "extents S+N ...", in
 *            512-byte sectors, for a test that slows only these writes down.
 *
 * FILE is written whole (zeros) and synced before the first write, so that
 * the writes overwrite allocated blocks: no allocation, no extent to convert,
 * nothing for the journal but timestamps.
 * A write that fails or is short is reported by the next verify.  Setup
 * errors go to stderr with exit status 1.  Built static (scripts/build-guest-tool).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BLK		4096
#define SLOTS		64
#define DEPTH		8
#define FUA_EVERY	8
#define FLUSH_EVERY	64
#define PERIOD_NS	100000000LL
#define MAGIC		0x57535058u	/* "XPSW" */

struct hdr {
	uint32_t magic;
	uint32_t slot;
	uint64_t seq;
	uint32_t csum;
	uint32_t zero;
};

static int fd;
static aio_context_t ctx;
static struct iocb cbs[DEPTH];
static struct iocb sync_cb;		/* the one flush that may be in flight */
static int sync_busy;
static unsigned char *bufs;		/* DEPTH blocks, for the writes */
static unsigned char *rbuf;		/* every slot, for verify */
static int busy[DEPTH];
static unsigned int inflight;
static uint64_t next_seq = 1;
static uint64_t acked[SLOTS], issued[SLOTS];
static unsigned long writes, fuas, flushes, completions;
static char error[160];		/* the first write error, for the next verify */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xps-writer: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint32_t fnv(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* Block contents for sequence number seq. */
static void fill(unsigned char *b, uint64_t seq)
{
	struct hdr *h = (struct hdr *)b;
	uint64_t x = seq * 0x9e3779b97f4a7c15ull;
	size_t i;

	for (i = sizeof(*h); i < BLK; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b[i] = (unsigned char)x;
	}
	h->magic = MAGIC;
	h->slot = seq % SLOTS;
	h->seq = seq;
	h->zero = 0;
	h->csum = 0;
	h->csum = fnv(b, BLK);
}

static void submit(void)
{
	struct iocb *cb;
	unsigned int i;
	uint64_t seq = next_seq;

	for (i = 0; i < DEPTH && busy[i]; i++)
		;
	if (i == DEPTH)
		return;
	fill(bufs + (size_t)i * BLK, seq);
	cb = &cbs[i];
	memset(cb, 0, sizeof(*cb));
	cb->aio_data = seq;
	cb->aio_lio_opcode = IOCB_CMD_PWRITE;
	cb->aio_fildes = fd;
	cb->aio_buf = (uintptr_t)(bufs + (size_t)i * BLK);
	cb->aio_nbytes = BLK;
	cb->aio_offset = (int64_t)(seq % SLOTS) * BLK;
	if (seq % FUA_EVERY == 0)
		cb->aio_rw_flags = RWF_DSYNC;
	if (syscall(SYS_io_submit, ctx, 1L, &cb) != 1) {
		if (!error[0])
			snprintf(error, sizeof(error), "io_submit of seq %llu: %s",
				 (unsigned long long)seq, strerror(errno));
		return;
	}
	busy[i] = 1;
	inflight++;
	issued[seq % SLOTS] = seq;
	next_seq++;
	writes++;
	fuas += seq % FUA_EVERY == 0;
}

/* An fdatasync through AIO: a flush, in flight like the writes. */
static void submit_sync(void)
{
	struct iocb *cb = &sync_cb;

	memset(cb, 0, sizeof(*cb));
	cb->aio_lio_opcode = IOCB_CMD_FDSYNC;
	cb->aio_fildes = fd;
	if (syscall(SYS_io_submit, ctx, 1L, &cb) != 1) {
		if (!error[0])
			snprintf(error, sizeof(error), "io_submit of fdatasync: %s", strerror(errno));
		return;
	}
	sync_busy = 1;
}

/* Take completions: at least min, waiting up to timeout_ns for the first. */
static void reap(long min, long long timeout_ns)
{
	struct io_event ev[DEPTH + 1];
	struct timespec ts = { timeout_ns / 1000000000LL, timeout_ns % 1000000000LL };
	long n, k;
	uint64_t seq;
	unsigned int i;

	n = syscall(SYS_io_getevents, ctx, min, (long)DEPTH + 1, ev, &ts);
	if (n < 0 && errno != EINTR)
		die("io_getevents: %s", strerror(errno));
	for (k = 0; k < n; k++) {
		if ((struct iocb *)(uintptr_t)ev[k].obj == &sync_cb) {
			sync_busy = 0;
			flushes++;
			if (ev[k].res && !error[0])
				snprintf(error, sizeof(error), "fdatasync: %s",
					 strerror((int)-ev[k].res));
			continue;
		}
		seq = ev[k].data;
		i = (unsigned int)(((struct iocb *)(uintptr_t)ev[k].obj) - cbs);
		busy[i] = 0;
		inflight--;
		completions++;
		if (ev[k].res != BLK) {
			if (!error[0])
				snprintf(error, sizeof(error), "write of seq %llu: %lld",
					 (unsigned long long)seq, (long long)ev[k].res);
			continue;
		}
		if (seq > acked[seq % SLOTS])
			acked[seq % SLOTS] = seq;
		if (completions % FLUSH_EVERY == 0 && !sync_busy)
			submit_sync();
	}
}

/* Everything in flight completes, then every block is read back and checked. */
static int verify(char *out, size_t size)
{
	unsigned char want[BLK] __attribute__((aligned(8)));
	const struct hdr *h;
	uint32_t csum;
	unsigned int s;
	ssize_t n;

	while (inflight || sync_busy)
		reap(1, 60 * 1000000000LL);
	if (error[0]) {
		snprintf(out, size, "bad write: %s", error);
		return 1;
	}
	/* one read of the whole file: a few requests, not one per slot */
	n = pread(fd, rbuf, (size_t)SLOTS * BLK, 0);
	if (n < 0) {
		snprintf(out, size, "bad read: %s", strerror(errno));
		return 1;
	}
	for (s = 0; s < SLOTS; s++) {
		if (!issued[s])
			continue;
		if (n < (ssize_t)(s + 1) * BLK) {
			snprintf(out, size, "bad slot %u: the file ends at %zd", s, n);
			return 1;
		}
		h = (const struct hdr *)(rbuf + (size_t)s * BLK);
		csum = h->csum;
		if (h->magic != MAGIC || h->slot != s) {
			snprintf(out, size, "bad slot %u: magic %#x slot %u (acked seq %llu)",
				 s, h->magic, h->slot, (unsigned long long)acked[s]);
			return 1;
		}
		if (h->seq < acked[s] || h->seq > issued[s]) {
			snprintf(out, size, "bad slot %u: seq %llu, acked %llu, issued %llu",
				 s, (unsigned long long)h->seq, (unsigned long long)acked[s],
				 (unsigned long long)issued[s]);
			return 1;
		}
		fill(want, h->seq);
		if (memcmp(want, h, BLK)) {
			snprintf(out, size, "bad slot %u: seq %llu does not read back intact (csum %#x)",
				 s, (unsigned long long)h->seq, csum);
			return 1;
		}
	}
	snprintf(out, size, "ok writes=%lu fua=%lu flushes=%lu", writes, fuas, flushes);
	return 0;
}

/* FILE's extents on its device, in 512-byte sectors. */
static void where(char *out, size_t size)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent ext[16];
	} f;
	size_t len;
	unsigned int i;

	memset(&f, 0, sizeof(f));
	f.fm.fm_length = (uint64_t)SLOTS * BLK;
	f.fm.fm_flags = FIEMAP_FLAG_SYNC;
	f.fm.fm_extent_count = 16;
	if (ioctl(fd, FS_IOC_FIEMAP, &f.fm)) {
		snprintf(out, size, "bad where: FIEMAP: %s", strerror(errno));
		return;
	}
	len = (size_t)snprintf(out, size, "extents");
	for (i = 0; i < f.fm.fm_mapped_extents && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, " %llu+%llu",
					(unsigned long long)f.ext[i].fe_physical / 512,
					(unsigned long long)f.ext[i].fe_length / 512);
	if (!f.fm.fm_mapped_extents)
		snprintf(out, size, "bad where: no extent");
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
	char path[4096], line[64], out[256];
	struct pollfd pfd;
	long long next;
	ssize_t n;
	int in, bad;

	if (argc != 3)
		die("usage: xps-writer FILE DIR");
	fd = open(argv[1], O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0600);
	if (fd < 0)
		die("%s: %s", argv[1], strerror(errno));
	if (posix_memalign((void **)&bufs, BLK, (size_t)DEPTH * BLK) ||
	    posix_memalign((void **)&rbuf, BLK, (size_t)SLOTS * BLK))
		die("no memory");
	if (syscall(SYS_io_setup, (long)DEPTH + 1, &ctx))
		die("io_setup: %s", strerror(errno));
	/* every block allocated and written before the first write */
	memset(rbuf, 0, (size_t)SLOTS * BLK);
	if (pwrite(fd, rbuf, (size_t)SLOTS * BLK, 0) != (ssize_t)SLOTS * BLK || fdatasync(fd))
		die("%s: cannot write it whole: %s", argv[1], strerror(errno));
	snprintf(path, sizeof(path), "%s/in", argv[2]);
	/* O_RDWR: the FIFO stays open between callers, and never reads EOF */
	in = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		die("%s: %s", path, strerror(errno));
	pfd.fd = in;
	pfd.events = POLLIN;
	next = now_ns();
	for (;;) {
		long long t = now_ns(), wait;

		if (inflight < DEPTH && t >= next) {
			submit();
			next = next + PERIOD_NS > t ? next + PERIOD_NS : t + PERIOD_NS;
		}
		/* until the next write is due, or a completion, or a command */
		wait = inflight < DEPTH ? next - now_ns() : PERIOD_NS;
		if (wait < 0)
			wait = 0;
		if (inflight || sync_busy)
			reap(1, wait);
		else if (poll(&pfd, 1, (int)(wait / 1000000)) <= 0)
			continue;
		if (poll(&pfd, 1, 0) <= 0)
			continue;
		n = read(in, line, sizeof(line) - 1);
		if (n <= 0)
			continue;
		line[n] = '\0';
		if (!strncmp(line, "where", 5)) {
			where(out, sizeof(out));
			answer(argv[2], out);
			continue;
		}
		bad = verify(out, sizeof(out));
		if (!strncmp(line, "quit", 4)) {
			char bye[sizeof(out) + 8];

			/* "ok writes=..." becomes "bye writes=..." */
			snprintf(bye, sizeof(bye), "%s%s", bad ? "" : "bye ", bad ? out : out + 3);
			answer(argv[2], bye);
			return bad;
		}
		answer(argv[2], out);
	}
}
