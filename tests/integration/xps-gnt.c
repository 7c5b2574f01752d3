// SPDX-License-Identifier: GPL-2.0
/*
 * xps-gnt: a gntdev mapping that lives across suspend cycles (guest side of
 * the integration scenario "lean-gntdev").
 *
 *   xps-gnt DOMID DIR
 *
 * Grants one page of its own (gntalloc) to domain DOMID, normally the guest
 * itself, and maps that grant through gntdev, so the mapping sits on a page
 * that gntdev took from the balloon (xen_alloc_ballooned_pages()).  Then it
 * serves commands, one per line, from the FIFO DIR/in and answers each with
 * one line on the FIFO DIR/out (both made by the caller beforehand):
 *
 *   check N   write a pattern seeded with N through one side, read it through
 *             the other, then the same the other way round: "ok N" or
 *             "bad N: <what>"
 *   quit      unmap the grant (munmap, IOCTL_GNTDEV_UNMAP_GRANT_REF), give the
 *             page back (IOCTL_GNTALLOC_DEALLOC_GREF): "bye", exit 0, or
 *             "bad quit: <what>", exit 1
 *
 * Before that it drives gntdev's error path for a map whose index cannot be
 * copied back, twice.  First the request sits in a read-only page: EFAULT,
 * and nothing left behind.  Then the request sits in a page that userfaultfd
 * write-protects, so that the copy-out waits; meanwhile a second thread
 * unmaps index 0 and maps a new grant there (the freed map's memory is free
 * for the new one), then makes the page read-only and lets the copy-out fail.
 * The failed ioctl must take away nothing but its own map: the second
 * thread's map is still at index 0 and unmaps.  The real map then gets index
 * 0.  The guest kernel needs CONFIG_USERFAULTFD.
 *
 * Setup errors go to stderr with exit status 1.  Built static on the host
 * against libxen-dev's copies of the Linux ioctl ABI.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#include <xen/sys/gntalloc.h>
#include <xen/sys/gntdev.h>

#define PAGE		4096
#define WORDS		(PAGE / sizeof(uint64_t))
#define LINE_MAX_XPS	64

static volatile uint64_t *own;		/* the granted page, through gntalloc */
static volatile uint64_t *mapped;	/* the same page, through gntdev */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xps-gnt: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t pattern(unsigned long seed, size_t i)
{
	return (seed << 32) ^ (i * 0x9e3779b97f4a7c15ULL);
}

/* Write through @w, read through @r: NULL if equal, else what differs. */
static const char *pass(volatile uint64_t *w, volatile uint64_t *r,
			unsigned long seed, char *why, size_t len)
{
	size_t i;

	for (i = 0; i < WORDS; i++)
		w[i] = pattern(seed, i);
	for (i = 0; i < WORDS; i++) {
		if (r[i] != pattern(seed, i)) {
			snprintf(why, len, "word %zu reads %#llx, wrote %#llx", i,
				 (unsigned long long)r[i],
				 (unsigned long long)pattern(seed, i));
			return why;
		}
	}
	return NULL;
}

/* The second thread of the copy-out race (see the head of this file). */
struct racer {
	int fd;					/* gntdev */
	int uffd;
	void *page;				/* the request, write-protected */
	struct ioctl_gntdev_map_grant_ref req;	/* its own map's request */
	char err[160];				/* empty when all went well */
};

static void *racer_fn(void *arg)
{
	struct ioctl_gntdev_unmap_grant_ref unmap = { .index = 0, .count = 1 };
	struct racer *r = arg;
	struct uffdio_range range = {
		.start = (unsigned long)r->page, .len = PAGE,
	};
	struct pollfd pfd = { .fd = r->uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, 10000) != 1) {
		snprintf(r->err, sizeof(r->err),
			 "the copy-out of the index did not fault within 10 s");
		return NULL;
	}
	if (read(r->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT ||
	    !(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP))
		snprintf(r->err, sizeof(r->err),
			 "userfaultfd did not report the copy-out's write fault");
	else if (ioctl(r->fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap))
		snprintf(r->err, sizeof(r->err),
			 "unmapping index 0 while its copy-out waits: %s", strerror(errno));
	else if (ioctl(r->fd, IOCTL_GNTDEV_MAP_GRANT_REF, &r->req) || r->req.index)
		snprintf(r->err, sizeof(r->err),
			 "a map while the copy-out waits: %s, offset %llu",
			 strerror(errno), (unsigned long long)r->req.index);
	/* Whatever happened: the copy-out now fails instead of waiting. */
	if (mprotect(r->page, PAGE, PROT_READ) ||
	    ioctl(r->uffd, UFFDIO_WAKE, &range))
		die("cannot let the copy-out go on: %s", strerror(errno));
	return NULL;
}

/* The copy-out race (see the head of this file) with the request @req. */
static void race_copy_out(int fd, const struct ioctl_gntdev_map_grant_ref *req)
{
	struct ioctl_gntdev_unmap_grant_ref unmap = { .index = 0, .count = 1 };
	struct uffdio_api api = {
		.api = UFFD_API, .features = UFFD_FEATURE_PAGEFAULT_FLAG_WP,
	};
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_WP };
	struct uffdio_writeprotect wp = { .mode = UFFDIO_WRITEPROTECT_MODE_WP };
	struct racer r = { .fd = fd, .req = *req };
	pthread_t t;
	int rc, err;

	r.uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (r.uffd < 0)
		die("userfaultfd: %s (the guest kernel needs CONFIG_USERFAULTFD)",
		    strerror(errno));
	if (ioctl(r.uffd, UFFDIO_API, &api))
		die("UFFDIO_API with write-protect faults: %s", strerror(errno));
	r.page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r.page == MAP_FAILED)
		die("cannot mmap a scratch page: %s", strerror(errno));
	memcpy(r.page, req, sizeof(*req));
	reg.range.start = wp.range.start = (unsigned long)r.page;
	reg.range.len = wp.range.len = PAGE;
	if (ioctl(r.uffd, UFFDIO_REGISTER, &reg) ||
	    ioctl(r.uffd, UFFDIO_WRITEPROTECT, &wp))
		die("cannot write-protect the request's page: %s", strerror(errno));
	rc = pthread_create(&t, NULL, racer_fn, &r);
	if (rc)
		die("pthread_create: %s", strerror(rc));
	errno = 0;
	rc = ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, r.page);
	err = errno;
	pthread_join(t, NULL);
	if (r.err[0])
		die("copy-out race: %s", r.err);
	if (rc != -1 || err != EFAULT)
		die("IOCTL_GNTDEV_MAP_GRANT_REF whose copy-out fails after a wait: %s, not EFAULT",
		    err ? strerror(err) : "success");
	if (ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap))
		die("the failed map took away the map another thread made at index 0 while its copy-out waited (unmapping it: %s)",
		    strerror(errno));
	munmap(r.page, PAGE);
	close(r.uffd);
}

static void reply(const char *dir, const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/out", dir);
	f = fopen(path, "w");	/* blocks until the caller reads */
	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	if (fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	struct ioctl_gntdev_unmap_grant_ref unmap = { .count = 1 };
	struct ioctl_gntalloc_dealloc_gref dealloc = { .count = 1 };
	struct ioctl_gntdev_map_grant_ref map = { .count = 1 };
	struct ioctl_gntalloc_alloc_gref alloc = {
		.flags = GNTALLOC_FLAG_WRITABLE, .count = 1,
	};
	char line[LINE_MAX_XPS], why[160], path[4096], *end;
	unsigned long domid, seed;
	void *ro;
	int fa, fd;
	FILE *in;

	if (argc != 3)
		die("usage: xps-gnt DOMID DIR");
	errno = 0;
	domid = strtoul(argv[1], &end, 10);
	if (errno || end == argv[1] || *end || domid >= 0x7ff0)
		die("DOMID must be a domain id below 32752, not '%s'", argv[1]);

	fa = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	if (fa < 0)
		die("cannot open /dev/xen/gntalloc: %s", strerror(errno));
	alloc.domid = domid;
	if (ioctl(fa, IOCTL_GNTALLOC_ALLOC_GREF, &alloc))
		die("IOCTL_GNTALLOC_ALLOC_GREF for domain %lu: %s", domid, strerror(errno));
	own = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fa, alloc.index);
	if (own == MAP_FAILED)
		die("cannot mmap the granted page: %s", strerror(errno));

	fd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("cannot open /dev/xen/gntdev: %s", strerror(errno));
	map.refs[0].domid = domid;
	map.refs[0].ref = alloc.gref_ids[0];

	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		die("cannot mmap a scratch page: %s", strerror(errno));
	memcpy(ro, &map, sizeof(map));
	if (mprotect(ro, PAGE, PROT_READ))
		die("cannot make the scratch page read-only: %s", strerror(errno));
	errno = 0;
	if (ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, ro) != -1 || errno != EFAULT)
		die("IOCTL_GNTDEV_MAP_GRANT_REF with a read-only request: %s, not EFAULT",
		    errno ? strerror(errno) : "success");
	munmap(ro, PAGE);
	race_copy_out(fd, &map);

	if (ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, &map))
		die("IOCTL_GNTDEV_MAP_GRANT_REF of grant %u: %s", alloc.gref_ids[0], strerror(errno));
	if (map.index)
		die("the map whose index could not be copied back was left behind (the next one has offset %llu)",
		    (unsigned long long)map.index);
	mapped = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, map.index);
	if (mapped == MAP_FAILED)
		die("cannot mmap grant %u of domain %lu through gntdev: %s",
		    alloc.gref_ids[0], domid, strerror(errno));
	if (pass(own, mapped, 0, why, sizeof(why)) || pass(mapped, own, 1, why, sizeof(why)))
		die("the fresh mapping does not show the granted page: %s", why);
	printf("grant %u of domain %lu mapped through gntdev (two failed copy-outs, one raced by another thread's unmap and map, left nothing behind and took nothing away)\n",
	       alloc.gref_ids[0], domid);
	fflush(stdout);

	snprintf(path, sizeof(path), "%s/in", argv[2]);
	for (;;) {
		in = fopen(path, "r");	/* blocks until a caller writes */
		if (!in)
			die("cannot open %s: %s", path, strerror(errno));
		while (fgets(line, sizeof(line), in)) {
			line[strcspn(line, "\n")] = '\0';
			if (!strcmp(line, "quit")) {
				if (munmap((void *)mapped, PAGE) ||
				    (unmap.index = map.index,
				     ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap))) {
					reply(argv[2], "bad quit: unmapping the grant: %s", strerror(errno));
					return 1;
				}
				dealloc.index = alloc.index;
				if (munmap((void *)own, PAGE) ||
				    ioctl(fa, IOCTL_GNTALLOC_DEALLOC_GREF, &dealloc)) {
					reply(argv[2], "bad quit: giving the page back: %s", strerror(errno));
					return 1;
				}
				close(fd);
				close(fa);
				reply(argv[2], "bye");
				return 0;
			}
			errno = 0;
			if (strncmp(line, "check ", 6) ||
			    (seed = strtoul(line + 6, &end, 10), errno || *end || seed > 0xffffffUL)) {
				reply(argv[2], "bad command '%.40s' (check N | quit)", line);
				continue;
			}
			if (pass(own, mapped, 2 * seed, why, sizeof(why)) ||
			    pass(mapped, own, 2 * seed + 1, why, sizeof(why)))
				reply(argv[2], "bad %lu: %s", seed, why);
			else
				reply(argv[2], "ok %lu", seed);
		}
		fclose(in);
	}
}
