// SPDX-License-Identifier: GPL-2.0
/*
 * xps-hog MIB: the bench's live anonymous memory.  Maps MIB MiB of private
 * anonymous memory, stamps every page with its index and a generation, then
 * keeps it live: each second it checks every page and restamps 1 MiB of them
 * round-robin (a small dirty rate, as a running program has).  A page that
 * does not read back as written ends it with status 3 and a message naming
 * the page, so a lost or corrupted frame after a save, restore or migration
 * is seen.  It runs until killed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096UL

struct stamp {
	uint64_t index;
	uint64_t gen;
};

int main(int argc, char **argv)
{
	unsigned long mib, pages, i, next = 0, per_round;
	struct stamp *st;
	uint64_t *gen;
	char *mem, *end;

	if (argc != 2) {
		fprintf(stderr, "usage: xps-hog MIB\n");
		return 2;
	}
	errno = 0;
	mib = strtoul(argv[1], &end, 10);
	if (errno || *end || !mib || mib > 65536) {
		fprintf(stderr, "xps-hog: MIB must be a number from 1 to 65536, not '%s'\n", argv[1]);
		return 2;
	}
	pages = mib * (1UL << 20) / PAGE;
	per_round = (1UL << 20) / PAGE;
	mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gen = calloc(pages, sizeof(*gen));
	if (mem == MAP_FAILED || !gen) {
		fprintf(stderr, "xps-hog: cannot allocate %lu MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	for (i = 0; i < pages; i++) {
		st = (struct stamp *)(mem + i * PAGE);
		st->index = i;
		st->gen = gen[i] = 1;
		/* the rest of the page: not zero, so that it is a real page */
		memset(mem + i * PAGE + sizeof(*st), (int)(i & 0xff) | 1, PAGE - sizeof(*st));
	}
	printf("xps-hog: %lu MiB stamped\n", mib);
	fflush(stdout);
	for (;;) {
		for (i = 0; i < pages; i++) {
			st = (struct stamp *)(mem + i * PAGE);
			if (st->index != i || st->gen != gen[i] ||
			    (unsigned char)mem[i * PAGE + PAGE - 1] != ((i & 0xff) | 1)) {
				fprintf(stderr, "xps-hog: page %lu of %lu does not read back as written\n",
					i, pages);
				return 3;
			}
		}
		for (i = 0; i < per_round; i++, next = (next + 1) % pages) {
			st = (struct stamp *)(mem + next * PAGE);
			st->gen = ++gen[next];
		}
		sleep(1);
	}
}
