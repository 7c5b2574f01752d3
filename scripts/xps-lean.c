// SPDX-License-Identifier: GPL-2.0
/*
 * xps-lean: lean "xl save" and "xl migrate" for Xen PV guests (dom0 helper).
 *
 * Before xl copies the guest's memory, ask the guest to give its free memory
 * back to Xen (control/shutdown = "prepare") and wait, on xenstore watches
 * and within a bound, until it reports data/xen-suspend/{state,result} =
 * prepared.  Then run xl as the user would have.  A stock guest, a busy
 * control/shutdown, a prepare the guest did not take: xl runs plainly all
 * the same.  Once the guest has taken "prepare", its memory may be changing
 * until it reports "prepared" (xl runs lean) or "idle" (plain xl): a failed
 * prepare is waited for until idle, a slow or overtaken one is aborted and
 * waited for until idle, and a guest that reports neither within the bound
 * is not copied at all (exit status 3).  control/xen-suspend-hold is
 * written before "prepare", so that the guest's own hold timeout never
 * lifts a hold xl may be copying, and removed on every way out.
 *
 * Rules (README, "dom0 helper"):
 *  - control/shutdown is written only when it is empty, and cleared only
 *    while it still holds our own command (read-compare-write in one
 *    transaction), so a pending "xl shutdown" is never lost;
 *  - nothing writes control/shutdown while xl runs;
 *  - guest-written values are read with a length bound, compared strictly,
 *    printed escaped, and decide how long to wait and, once the guest took
 *    "prepare", whether xl may run yet (may_run_xl()): never to run it while
 *    the guest's memory may still change;
 *  - every wait of the helper is bounded (xl's own run is xl's business).
 *
 * Build: make helper (gcc -O2 -Wall -Wextra -Werror ... -lxenstore).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#define PROG			"xps-lean"
#define VAL_MAX			64	/* bound of every value read from xenstore */
#define ESC_MAX			(4 * VAL_MAX + 8)
#define DOM_PATH_MAX		32	/* "/local/domain/<uint>" */
#define PATH_MAX_XS		80	/* DOM_PATH_MAX + "/" + the longest node */
#define DOMID_LIMIT		0x7ff0	/* DOMID_FIRST_RESERVED */
#define TIMEOUT_DEFAULT_S	120
#define TIMEOUT_MAX_S		86400
/*
 * For the guest to take "abort" and be whole again.  An aborted prepare
 * finishes its current frame list, then takes back everything it released
 * before it reports "idle": on the rig (QEMU TCG) 128k pages a second
 * batched, 25k with balloon_map_batch=0, so 60 s covers a 6 GiB release at
 * the slow rate.  The wait ends as soon as the guest is idle; a guest that
 * is not by then is not copied (exit 3), so a longer bound would only delay
 * that answer.
 */
#define ABORT_WAIT_S		60
#define RESTORE_GRACE_S		10	/* for a restored guest to report at all */
#define TXN_TRIES		8
#define HOLD_DEFAULT_S		300	/* asked of the guest per refresh */
#define XL_ARGS_MAX		16
#define WATCH_TOKEN		"xps-lean"
#define EXIT_UNSETTLED		3	/* took "prepare", neither prepared nor idle */

enum verb { VERB_NONE, VERB_SAVE, VERB_MIGRATE, VERB_RESTORE, VERB_SELF_TEST };

struct opts {
	bool verbose;
	bool help;
	int timeout_s;
	int hold_s;			/* -H: the hold asked per refresh */
	enum verb verb;
	const char *domain;		/* save, migrate: as given */
	int dom_arg;			/* its index in xl_argv */
	const char *no_wait;		/* restore -p or -e: do not wait */
	int xl_argc;
	const char *xl_argv[XL_ARGS_MAX + 2];	/* "xl", verb, ..., NULL */
};

/* A bounded copy of a xenstore value. */
struct xs_val {
	bool present;
	bool overlong;
	unsigned int len;
	char buf[VAL_MAX + 1];
};

/* What the wait for "prepared" has seen so far. */
struct progress {
	struct xs_val shutdown;
	struct xs_val state;
	struct xs_val result;
	struct xs_val result0;		/* result when "prepare" was written */
	bool acked;			/* control/shutdown left "prepare" */
	bool seen_preparing;		/* state "preparing" after the ack */
	bool gone;			/* the domain was destroyed */
};

enum verdict { V_WAIT, V_PREPARED, V_FAILED, V_OVERTAKEN, V_GONE };

/* May xl run, once the wait for "prepared" is over without it? */
enum run { RUN_WAIT, RUN_LEAN, RUN_PLAIN, RUN_NOT };

static bool verbose;
static volatile sig_atomic_t interrupted;

/* --- Pure logic: parsing, escaping, decisions (exercised by --self-test) --- */

static const char usage_text[] =
"usage: " PROG " [-v] [-t SECONDS] save [-c] [-p] [-D] DOMAIN FILE [CONFIG]\n"
"       " PROG " [-v] [-t SECONDS] migrate [-s SSHCMD] [-C CONFIG] [-e] [-p] [-D]\n"
"                                   [--debug] DOMAIN HOST\n"
"       " PROG " [-v] [-t SECONDS] restore [xl restore options] [CONFIG] FILE\n"
"\n"
"Lean xl save/migrate of a Xen PV guest: ask the guest to give its free\n"
"memory back to Xen first (control/shutdown = \"prepare\"), wait until it\n"
"reports data/xen-suspend/state = prepared, then run xl with the same\n"
"arguments.  A guest without data/xen-suspend/version = 1, a pending\n"
"control/shutdown command, a prepare the guest did not take: xl runs\n"
"plainly.  A prepare the guest took but did not finish within -t is\n"
"aborted (a failed one is not), and xl runs plainly once the guest reports\n"
"idle; if it does not within 60 s, xl is not run.  If xl fails and the\n"
"guest is still prepared, the helper writes \"abort\" so the guest takes\n"
"its memory back.  restore runs xl restore and waits for the guest to\n"
"report state idle.\n"
"\n"
"  -v          one line per step\n"
"  -t SECONDS  bound of the wait for the guest (default 120, 1-86400)\n"
"  -H SECONDS  while xl runs, keep the guest's prepare held this much longer,\n"
"              refreshed every third of it (default 300, 1-86400)\n"
"  -h          this text\n"
"\n"
"DOMAIN is a name or a domain id.  Exit status: xl's, 2 for a usage error\n"
"(nothing done), 3 when the guest took \"prepare\" but reported neither\n"
"prepared nor idle in time (xl not run: its memory may still change), 127\n"
"when xl cannot be run, 130 when interrupted before xl.\n";

/* Escape @len bytes of @in into @out: printable ASCII as is, others \xNN. */
static void escape(const char *in, size_t len, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (!size)
		return;
	for (i = 0; i < len; i++) {
		unsigned char c = in[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= size)
				break;
			out[o++] = c;
			continue;
		}
		if (o + 4 >= size)
			break;
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
}

/* A value for a log line: escaped, "(absent)", "..." when overlong. */
static const char *show(const struct xs_val *v, char *out, size_t size)
{
	size_t n;

	if (!v->present) {
		snprintf(out, size, "(absent)");
		return out;
	}
	escape(v->buf, v->len, out, size);
	n = strlen(out);
	if (v->overlong && n + 4 <= size)
		strcpy(out + n, "...");
	return out;
}

/* Fill @v from a raw xenstore value (NULL: absent); keeps VAL_MAX bytes. */
static void val_set(struct xs_val *v, const char *data, unsigned int len)
{
	memset(v, 0, sizeof(*v));
	if (!data)
		return;
	v->present = true;
	v->overlong = len > VAL_MAX;
	v->len = v->overlong ? VAL_MAX : len;
	memcpy(v->buf, data, v->len);
}

/* Exactly @s: same length, same bytes (an embedded NUL never matches). */
static bool val_is(const struct xs_val *v, const char *s)
{
	size_t n = strlen(s);

	return v->present && !v->overlong && v->len == n &&
	       !memcmp(v->buf, s, n);
}

static bool val_has_prefix(const struct xs_val *v, const char *p)
{
	size_t n = strlen(p);

	return v->present && !v->overlong && v->len > n &&
	       !memcmp(v->buf, p, n) && !memchr(v->buf, '\0', v->len);
}

static bool val_equal(const struct xs_val *a, const struct xs_val *b)
{
	return a->present == b->present && a->overlong == b->overlong &&
	       a->len == b->len && !memcmp(a->buf, b->buf, a->len);
}

/* Only the exact string "1" is a guest that speaks this protocol. */
static bool version_ok(const struct xs_val *v)
{
	return val_is(v, "1");
}

/* A decimal domain id below DOMID_FIRST_RESERVED, nothing else. */
static bool parse_domid(const char *s, unsigned int *domid)
{
	unsigned long n = 0;
	const char *p;

	if (!*s || strlen(s) > 5)
		return false;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		n = n * 10 + (*p - '0');
	}
	if (n >= DOMID_LIMIT)
		return false;
	*domid = n;
	return true;
}

static bool parse_seconds(const char *s, int *out)
{
	unsigned int n;

	/* Same digit rules as a domain id, then the range. */
	if (!*s || strlen(s) > 5 || s[0] == '0')
		return false;
	for (n = 0; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		n = n * 10 + (*s - '0');
	}
	if (n < 1 || n > TIMEOUT_MAX_S)
		return false;
	*out = n;
	return true;
}

/*
 * Decide the wait for "prepared" from what was read.  A "failed:" result
 * counts only once the guest took our command and only if it is new: seen
 * after "preparing", or different from the result before our request (a
 * stale failure of an earlier prepare is not ours).  A stale value taken
 * for a new one costs nothing but the lean image: xl runs either way.
 */
static enum verdict prepare_verdict(const struct progress *p)
{
	if (p->gone || !p->shutdown.present)
		return V_GONE;
	if (!p->acked)
		return V_WAIT;
	if (!val_is(&p->shutdown, "") && !val_is(&p->shutdown, "prepare"))
		return V_OVERTAKEN;
	if (val_is(&p->state, "prepared") && val_is(&p->result, "prepared"))
		return V_PREPARED;
	if (val_is(&p->state, "preparing"))
		return V_WAIT;
	if (val_has_prefix(&p->result, "failed:") &&
	    (p->seen_preparing || !val_equal(&p->result, &p->result0)))
		return V_FAILED;
	return V_WAIT;
}

enum start { START_LEAN, START_PLAIN, START_WAIT };

/*
 * Once the guest has taken "prepare" and the wait ended without "prepared":
 * xl may copy it only when its memory no longer changes, that is when it
 * reports "prepared" (lean; not one reached after our "abort", which is
 * about to lift it) or "idle" (plain).  "idle" counts only once the guest's
 * report after our request is in ("preparing" seen, or a new result): the
 * state written before it reads "idle" too.  Anything else waits, and at
 * the bound (@expired) xl does not run.  A guest that never took "prepare"
 * or a domain that is gone: plain xl (which fails on its own for the latter).
 */
static enum run may_run_xl(const struct progress *p, bool abort_sent,
			   bool expired)
{
	if (!p->acked || p->gone || !p->shutdown.present)
		return RUN_PLAIN;
	if (val_is(&p->state, "idle") &&
	    (p->seen_preparing || !val_equal(&p->result, &p->result0)))
		return RUN_PLAIN;
	if (!abort_sent && val_is(&p->state, "prepared") &&
	    val_is(&p->result, "prepared"))
		return RUN_LEAN;
	return expired ? RUN_NOT : RUN_WAIT;
}

/*
 * Before the helper asks for anything: a guest whose state is neither "idle"
 * nor "prepared" is changing its reservation (a prepare of another helper,
 * of one that was killed, or an abort still taking memory back), so xl must
 * not start yet (START_WAIT).  Settled, with control/shutdown empty: ask for
 * a prepare (START_LEAN); with a request there that the helper did not
 * write: leave it alone and run plain xl (START_PLAIN).
 */
static enum start start_decision(const struct xs_val *state,
				 const struct xs_val *shutdown)
{
	if (!val_is(state, "idle") && !val_is(state, "prepared"))
		return START_WAIT;
	return val_is(shutdown, "") ? START_LEAN : START_PLAIN;
}

/*
 * Ask the guest to stop a prepare it took?  Not after a failure it reported
 * (it ends on its own); after the bound, a replaced command or a watch
 * error, yes (written only into an empty control/shutdown all the same).
 */
static bool abort_wanted(enum verdict v, int rc)
{
	return rc < 0 || v != V_FAILED;
}

/* Update the ack and "preparing" flags after a fresh read of the nodes. */
static void progress_note(struct progress *p)
{
	if (!p->acked && !val_is(&p->shutdown, "prepare"))
		p->acked = true;
	if (p->acked && val_is(&p->state, "preparing"))
		p->seen_preparing = true;
}

/* One line on stderr, prefixed with the program's name. */
static void vsay(const char *fmt, va_list ap)
{
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	fprintf(stderr, "(" PROG " -h for the usage)\n");
	return -1;
}

static bool opt_in(const char *a, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(a, *set))
			return true;
	return false;
}

static void xl_push(struct opts *o, const char *a)
{
	o->xl_argv[o->xl_argc++] = a;
	o->xl_argv[o->xl_argc] = NULL;
}

/* save/migrate: xl's own options, then DOMAIN and the rest. */
static int parse_xl_args(struct opts *o, int argc, char **argv, int i)
{
	static const char *const save_flags[] = { "-c", "-p", "-D", NULL };
	static const char *const mig_flags[] = { "-e", "-p", "-D", "--debug",
						 NULL };
	static const char *const mig_valued[] = { "-s", "-C", NULL };
	bool save = o->verb == VERB_SAVE;
	int rest;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (opt_in(argv[i], save ? save_flags : mig_flags)) {
			xl_push(o, argv[i]);
		} else if (!save && opt_in(argv[i], mig_valued)) {
			if (i + 1 >= argc)
				return usage_error("migrate: %s wants a value",
						   argv[i]);
			xl_push(o, argv[i]);
			xl_push(o, argv[++i]);
		} else {
			return usage_error("%s: unknown option '%s'",
					   o->xl_argv[1], argv[i]);
		}
	}
	rest = argc - i;
	if (save && (rest < 2 || rest > 3))
		return usage_error("save wants DOMAIN FILE [CONFIG]");
	if (!save && rest != 2)
		return usage_error("migrate wants DOMAIN HOST");
	if (!argv[i][0] || !argv[i + 1][0])
		return usage_error("%s: empty argument", o->xl_argv[1]);
	o->domain = argv[i];
	o->dom_arg = o->xl_argc;
	for (; i < argc; i++)
		xl_push(o, argv[i]);
	return 0;
}

static int parse_restore_args(struct opts *o, int argc, char **argv, int i)
{
	if (i >= argc)
		return usage_error("restore wants [options] [CONFIG] FILE");
	if (argc - i > XL_ARGS_MAX - 1)
		return usage_error("restore: too many arguments");
	for (; i < argc; i++) {
		/* -p: left paused; -e: xl returns when the domain is gone. */
		if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "-e"))
			o->no_wait = argv[i];
		xl_push(o, argv[i]);
	}
	return 0;
}

/* Returns 0, or -1 after a message (exit status 2, nothing done). */
static int parse_args(struct opts *o, int argc, char **argv)
{
	int i = 1;

	memset(o, 0, sizeof(*o));
	o->timeout_s = TIMEOUT_DEFAULT_S;
	o->hold_s = HOLD_DEFAULT_S;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v")) {
			o->verbose = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			o->help = true;
			return 0;
		} else if (!strcmp(argv[i], "--self-test")) {
			o->verb = VERB_SELF_TEST;
			return 0;
		} else if (!strcmp(argv[i], "-t")) {
			if (i + 1 >= argc)
				return usage_error("-t wants a number of seconds");
			if (!parse_seconds(argv[++i], &o->timeout_s))
				return usage_error("-t wants seconds from 1 to %d, not '%s'",
						   TIMEOUT_MAX_S, argv[i]);
		} else if (!strcmp(argv[i], "-H")) {
			if (i + 1 >= argc)
				return usage_error("-H wants a number of seconds");
			if (!parse_seconds(argv[++i], &o->hold_s))
				return usage_error("-H wants seconds from 1 to %d, not '%s'",
						   TIMEOUT_MAX_S, argv[i]);
		} else {
			return usage_error("unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc)
		return usage_error("no command (save, migrate or restore)");
	if (argc - i > XL_ARGS_MAX)
		return usage_error("too many arguments");
	xl_push(o, "xl");
	xl_push(o, argv[i]);
	if (!strcmp(argv[i], "save"))
		o->verb = VERB_SAVE;
	else if (!strcmp(argv[i], "migrate"))
		o->verb = VERB_MIGRATE;
	else if (!strcmp(argv[i], "restore"))
		o->verb = VERB_RESTORE;
	else
		return usage_error("unknown command '%s' (save, migrate or restore)",
				   argv[i]);
	if (o->verb == VERB_RESTORE)
		return parse_restore_args(o, argc, argv, i + 1);
	return parse_xl_args(o, argc, argv, i + 1);
}

/* --- Self test of the pure logic on fixed inputs (no xenstore, no xl) --- */

static int st_pass, st_fail;

static void st_check(bool ok, const char *what)
{
	if (ok) {
		st_pass++;
		printf("ok %d %s\n", st_pass + st_fail, what);
	} else {
		st_fail++;
		printf("not ok %d %s\n", st_pass + st_fail, what);
	}
}

static void st_set(struct xs_val *v, const char *s)
{
	val_set(v, s, s ? strlen(s) : 0);
}

static void self_test_values(void)
{
	char big[VAL_MAX + 10], out[ESC_MAX];
	struct xs_val v;
	unsigned int d = 0;

	st_set(&v, "1");
	st_check(version_ok(&v), "version \"1\" is supported");
	st_set(&v, "1\n");
	st_check(!version_ok(&v), "version \"1\\n\" is not");
	st_set(&v, "01");
	st_check(!version_ok(&v), "version \"01\" is not");
	st_set(&v, "2");
	st_check(!version_ok(&v), "version \"2\" is not");
	st_set(&v, NULL);
	st_check(!version_ok(&v), "an absent version is not");
	val_set(&v, "1\0", 2);
	st_check(!version_ok(&v), "version \"1\\0\" is not");
	memset(big, '1', sizeof(big));
	val_set(&v, big, sizeof(big));
	st_check(v.overlong && v.len == VAL_MAX && !version_ok(&v),
		 "an overlong value is cut at 64 bytes and matches nothing");
	escape("a\x01\\\xff" "b", 5, out, sizeof(out));
	st_check(!strcmp(out, "a\\x01\\x5c\\xffb"),
		 "escape: control, backslash and high bytes as \\xNN");
	escape("failed:\x1b[2J", 11, out, sizeof(out));
	st_check(!strcmp(out, "failed:\\x1b[2J"), "escape: no raw ESC");
	escape("abcdef", 6, out, 4);
	st_check(!strcmp(out, "abc"), "escape: bounded by the buffer");
	show(&v, out, sizeof(out));
	st_check(strlen(out) == VAL_MAX + 3 && !strcmp(out + VAL_MAX, "..."),
		 "show: an overlong value ends with ...");
	st_set(&v, NULL);
	st_check(!strcmp(show(&v, out, sizeof(out)), "(absent)"),
		 "show: absent");
	st_check(parse_domid("0", &d) && d == 0 && parse_domid("32751", &d) &&
		 d == 32751, "domid: 0 and 32751");
	st_check(!parse_domid("32752", &d) && !parse_domid("-1", &d) &&
		 !parse_domid("1x", &d) && !parse_domid("", &d) &&
		 !parse_domid("999999", &d), "domid: reserved, signs, junk");
	st_set(&v, "failed:ENOMEM");
	st_check(val_has_prefix(&v, "failed:"), "failed:ENOMEM is a failure");
	st_set(&v, "failed:");
	st_check(!val_has_prefix(&v, "failed:"), "failed: without a name is not");
}

/* What the wait would have read: for the verdict and run self-tests. */
static void st_progress(struct progress *p, const char *sd, const char *state,
			const char *result, const char *result0, bool acked,
			bool seen_preparing)
{
	memset(p, 0, sizeof(*p));
	st_set(&p->shutdown, sd);
	st_set(&p->state, state);
	st_set(&p->result, result);
	st_set(&p->result0, result0);
	p->acked = acked;
	p->seen_preparing = seen_preparing;
}

static enum verdict st_verdict(const char *sd, const char *state,
			       const char *result, const char *result0,
			       bool acked, bool seen_preparing)
{
	struct progress p;

	st_progress(&p, sd, state, result, result0, acked, seen_preparing);
	return prepare_verdict(&p);
}

static void self_test_verdicts(void)
{
	struct progress p;

	st_check(st_verdict("", "prepared", "prepared", "resumed", true, true) ==
		 V_PREPARED, "prepared + prepared after the ack: prepared");
	st_check(st_verdict("prepare", "prepared", "prepared", "prepared",
			    false, false) == V_WAIT,
		 "prepared before the ack: wait (no command left for xl)");
	st_check(st_verdict("", "prepared", "resumed", "resumed", true, true) ==
		 V_WAIT, "state written before result: wait");
	st_check(st_verdict("", "prepared", "prepared\n", "x", true, true) ==
		 V_WAIT, "result \"prepared\\n\": not prepared");
	st_check(st_verdict("", "idle", "failed:ENOMEM", "resumed", true,
			    false) == V_FAILED, "a new failed:ENOMEM: failed");
	st_check(st_verdict("", "idle", "failed:EIO", "failed:EIO", true,
			    false) == V_WAIT,
		 "the same failure as before, no preparing seen: wait");
	st_check(st_verdict("", "idle", "failed:EIO", "failed:EIO", true,
			    true) == V_FAILED,
		 "the same failure after preparing: failed");
	st_check(st_verdict("", "preparing", "failed:EIO", "resumed", true,
			    true) == V_WAIT, "failed while preparing: wait");
	st_check(st_verdict("prepare", "idle", "failed:EIO", "resumed", false,
			    false) == V_WAIT, "failed before the ack: wait");
	st_check(st_verdict("poweroff", "idle", "resumed", "resumed", true,
			    false) == V_OVERTAKEN,
		 "another command replaced ours: overtaken");
	st_check(st_verdict(NULL, "idle", "resumed", "resumed", true, false) ==
		 V_GONE, "control/shutdown gone: domain gone");
	memset(&p, 0, sizeof(p));
	st_set(&p.shutdown, "prepare");
	st_set(&p.state, "preparing");
	progress_note(&p);
	st_check(!p.acked && !p.seen_preparing,
		 "preparing before the ack is not counted");
	st_set(&p.shutdown, "");
	progress_note(&p);
	st_check(p.acked && p.seen_preparing, "the ack, then preparing");
}

static enum run st_run(const char *sd, const char *state, const char *result,
		       const char *result0, bool acked, bool seen_preparing,
		       bool abort_sent, bool expired)
{
	struct progress p;

	st_progress(&p, sd, state, result, result0, acked, seen_preparing);
	return may_run_xl(&p, abort_sent, expired);
}

/* Whether xl may run once the wait for "prepared" ended without it. */
static void self_test_run(void)
{
	st_check(st_run("prepare", "idle", "resumed", "resumed", false, false,
			false, true) == RUN_PLAIN,
		 "run: prepare not taken (withdrawn): plain xl");
	st_check(st_run("", "preparing", "resumed", "resumed", true, true,
			true, true) == RUN_NOT,
		 "run: taken, still preparing at the bound: xl must not run");
	st_check(st_run("", "preparing", "resumed", "resumed", true, true,
			true, false) == RUN_WAIT,
		 "run: taken, preparing before the bound: wait");
	st_check(st_run("", "idle", "failed:ECANCELED", "resumed", true, true,
			true, false) == RUN_PLAIN,
		 "run: aborted, idle with failed:ECANCELED: plain xl");
	st_check(st_run("", "idle", "failed:ENOMEM", "resumed", true, false,
			false, false) == RUN_PLAIN,
		 "run: failed, idle with a new result: plain xl");
	st_check(st_run("abort", "idle", "failed:ENOMEM", "failed:ENOMEM", true,
			true, true, false) == RUN_PLAIN,
		 "run: idle after preparing, our abort still pending: plain xl");
	st_check(st_run("", "idle", "resumed", "resumed", true, false, true,
			false) == RUN_WAIT,
		 "run: idle, but the guest's report after the ack not in: wait");
	st_check(st_run("", "idle", "resumed", "resumed", true, false, true,
			true) == RUN_NOT,
		 "run: ... and still so at the bound: xl must not run");
	st_check(st_run("", "idle\n", "failed:EIO", "resumed", true, true,
			true, true) == RUN_NOT,
		 "run: state \"idle\\n\" is not idle");
	st_check(st_run("poweroff", "prepared", "prepared", "resumed", true,
			true, false, false) == RUN_LEAN,
		 "run: overtaken, then prepared (no abort sent): lean xl");
	st_check(st_run("poweroff", "prepared", "prepared", "prepared", true,
			false, false, true) == RUN_LEAN,
		 "run: ... prepared at the bound too: lean xl");
	st_check(st_run("prepare", "preparing", "resumed", "resumed", false,
			false, false, true) == RUN_PLAIN,
		 "run: not taken, whatever the state: plain xl");
	st_check(st_run("", "prepared", "resumed", "resumed", true, true,
			false, false) == RUN_WAIT,
		 "run: state prepared before its result: wait");
	st_check(st_run("abort", "prepared", "prepared", "resumed", true, true,
			true, false) == RUN_WAIT,
		 "run: prepared after our abort: wait for idle");
	st_check(st_run("abort", "prepared", "prepared", "resumed", true, true,
			true, true) == RUN_NOT,
		 "run: ... and still prepared at the bound: xl must not run");
	st_check(st_run("", "suspending", "resumed", "resumed", true, true,
			true, true) == RUN_NOT,
		 "run: taken, suspending at the bound: xl must not run");
	st_check(st_run("", NULL, NULL, NULL, true, true, true, true) ==
		 RUN_NOT, "run: taken, state absent at the bound: xl must not run");
	st_check(st_run(NULL, "preparing", "resumed", "resumed", true, true,
			true, false) == RUN_PLAIN,
		 "run: control/shutdown gone (domain gone): xl, which fails");
	st_check(!abort_wanted(V_FAILED, 0) && abort_wanted(V_WAIT, 0) &&
		 abort_wanted(V_OVERTAKEN, 0) && abort_wanted(V_WAIT, -EIO),
		 "abort after the bound, a replaced command, a watch error; not after a failure");
}

static enum start st_start(const char *state, const char *sd)
{
	struct progress p;

	st_progress(&p, sd, state, NULL, NULL, false, false);
	return start_decision(&p.state, &p.shutdown);
}

/* Before any request: wait for a guest that is not settled. */
static void self_test_start(void)
{
	st_check(st_start("idle", "") == START_LEAN, "start: idle: prepare");
	st_check(st_start("prepared", "") == START_LEAN,
		 "start: prepared (a killed helper's hold): prepare");
	st_check(st_start("preparing", "") == START_WAIT,
		 "start: preparing (another prepare runs): wait");
	st_check(st_start("preparing", "prepare") == START_WAIT,
		 "start: preparing, a prepare pending: wait, no plain xl");
	st_check(st_start("idle", "abort") == START_PLAIN,
		 "start: idle, a request pending: left alone, plain xl");
	st_check(st_start("prepared", "poweroff") == START_PLAIN,
		 "start: prepared, a request pending: plain xl");
	st_check(st_start(NULL, "") == START_WAIT,
		 "start: no state node: wait");
	st_check(st_start("idle\n", "") == START_WAIT,
		 "start: state \"idle\\n\" is not idle: wait");
}

static void self_test_args(void)
{
	char *a1[] = { PROG, "-v", "-t", "30", "save", "domu", "/f", NULL };
	char *a2[] = { PROG, "migrate", "-s", "", "domu", "xl migrate-receive",
		       NULL };
	char *a3[] = { PROG, "restore", "-p", "/f", NULL };
	char *a4[] = { PROG, "save", "-x", "domu", "/f", NULL };
	char *a5[] = { PROG, "-t", "0", "save", "domu", "/f", NULL };
	char *a6[] = { PROG, "migrate", "domu", NULL };
	char *a7[] = { PROG, "-H", "6", "save", "-c", "domu", "/f", NULL };
	char *a8[] = { PROG, "-H", "86401", "save", "domu", "/f", NULL };
	struct opts o;
	int rc;

	rc = parse_args(&o, 7, a1);
	st_check(!rc && o.verbose && o.timeout_s == 30 && o.verb == VERB_SAVE &&
		 !strcmp(o.domain, "domu") && o.xl_argc == 4 &&
		 !strcmp(o.xl_argv[3], "/f"), "args: -v -t 30 save domu /f");
	rc = parse_args(&o, 6, a2);
	st_check(!rc && o.xl_argc == 6 && !strcmp(o.xl_argv[3], "") &&
		 o.dom_arg == 4 && !strcmp(o.domain, "domu"),
		 "args: migrate -s \"\" domu HOST");
	rc = parse_args(&o, 4, a3);
	st_check(!rc && o.verb == VERB_RESTORE && o.no_wait && o.xl_argc == 4,
		 "args: restore -p FILE");
	rc = parse_args(&o, 7, a7);
	st_check(!rc && o.hold_s == 6 && o.timeout_s == TIMEOUT_DEFAULT_S &&
		 o.xl_argc == 5, "args: -H 6 save -c domu /f");
	rc = parse_args(&o, 7, a1);
	st_check(!rc && o.hold_s == HOLD_DEFAULT_S, "args: -H defaults to 300");
	fprintf(stderr, "(self-test: four usage errors follow)\n");
	st_check(parse_args(&o, 5, a4) < 0, "args: unknown save option");
	st_check(parse_args(&o, 6, a5) < 0, "args: -t 0");
	st_check(parse_args(&o, 3, a6) < 0, "args: migrate without HOST");
	st_check(parse_args(&o, 6, a8) < 0, "args: -H 86401");
}

static int self_test(void)
{
	self_test_values();
	self_test_verdicts();
	self_test_run();
	self_test_start();
	self_test_args();
	printf("self-test: %d passed, %d failed\n", st_pass, st_fail);
	return st_fail ? 1 : 0;
}

/* --- Logging and time --- */

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

#define step(...)	do { if (verbose) say(__VA_ARGS__); } while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
	interrupted = sig;
}

/* SIGINT/SIGTERM/SIGHUP set a flag and interrupt poll() (no SA_RESTART). */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* --- xenstore --- */

struct dom {
	struct xs_handle *xsh;
	unsigned int domid;
	char label[ESC_MAX];		/* the name as given, escaped */
	char path[DOM_PATH_MAX];	/* /local/domain/<id> */
	int hold_s;			/* -H */
	bool hold_set;			/* control/xen-suspend-hold is ours */
};

static void dom_path(const struct dom *d, const char *rel, char *out)
{
	snprintf(out, PATH_MAX_XS, "%s/%s", d->path, rel);
}

/* Read @rel of the domain into @v (absent on any error); errno kept. */
static void read_val(const struct dom *d, xs_transaction_t t, const char *rel,
		     struct xs_val *v)
{
	char path[PATH_MAX_XS];
	unsigned int len = 0;
	char *data;

	dom_path(d, rel, path);
	data = xs_read(d->xsh, t, path, &len);
	val_set(v, data, len);
	free(data);
}

/* The id of a domain named @name (exactly), from /local/domain/<id>/name. */
static int find_by_name(struct xs_handle *xsh, const char *name,
			unsigned int *domid)
{
	char path[PATH_MAX_XS], **ents;
	unsigned int n = 0, i, id, len, found = 0;
	struct xs_val v;
	char *data;

	ents = xs_directory(xsh, XBT_NULL, "/local/domain", &n);
	if (!ents)
		return -errno;
	for (i = 0; i < n; i++) {
		if (!parse_domid(ents[i], &id))
			continue;
		snprintf(path, sizeof(path), "/local/domain/%u/name", id);
		data = xs_read(xsh, XBT_NULL, path, &len);
		val_set(&v, data, len);
		free(data);
		if (val_is(&v, name)) {
			*domid = id;
			found++;
		}
	}
	free(ents);
	if (found != 1)
		return found ? -EEXIST : -ENOENT;
	return 0;
}

/* Resolve the DOMAIN argument: a domain id, else an exact name. */
static int resolve_domain(struct dom *d, const char *arg)
{
	int err = 0;

	escape(arg, strlen(arg), d->label, sizeof(d->label));
	if (strlen(arg) > VAL_MAX)
		err = -ENOENT;
	else if (!parse_domid(arg, &d->domid))
		err = find_by_name(d->xsh, arg, &d->domid);
	if (!err && !xs_is_domain_introduced(d->xsh, d->domid))
		err = -ENOENT;
	if (err) {
		say("%s: %s in xenstore", d->label,
		    err == -EEXIST ? "more than one domain has that name" :
		    err == -ENOENT ? "no such domain" : strerror(-err));
		return err;
	}
	if (!d->domid) {
		say("%s: domain 0 is not a guest", d->label);
		return -EINVAL;
	}
	snprintf(d->path, sizeof(d->path), "/local/domain/%u", d->domid);
	step("%s: domain id %u", d->label, d->domid);
	return 0;
}

/*
 * In one transaction: if control/shutdown holds exactly @expect, write
 * @value.  Returns 1 when written, 0 when it held something else (@seen),
 * or -errno.
 */
static int shutdown_cas(const struct dom *d, const char *expect,
			const char *value, struct xs_val *seen)
{
	char path[PATH_MAX_XS];
	xs_transaction_t t;
	int tries, err = -EAGAIN;

	dom_path(d, "control/shutdown", path);
	for (tries = 0; tries < TXN_TRIES && err == -EAGAIN; tries++) {
		t = xs_transaction_start(d->xsh);
		if (t == XBT_NULL)
			return -errno;
		read_val(d, t, "control/shutdown", seen);
		if (!val_is(seen, expect)) {
			xs_transaction_end(d->xsh, t, true);
			return 0;
		}
		if (!xs_write(d->xsh, t, path, value, strlen(value))) {
			err = -errno;
			xs_transaction_end(d->xsh, t, true);
			return err;
		}
		err = xs_transaction_end(d->xsh, t, false) ? 1 : -errno;
	}
	return err;
}

static const char *const watched[] = {
	"data/xen-suspend/version", "data/xen-suspend/state",
	"data/xen-suspend/result", "control/shutdown", NULL
};

static int watch_all(const struct dom *d, bool on)
{
	char path[PATH_MAX_XS];
	int i;

	for (i = 0; watched[i]; i++) {
		dom_path(d, watched[i], path);
		if (on && !xs_watch(d->xsh, path, WATCH_TOKEN))
			return -errno;
		if (!on)
			xs_unwatch(d->xsh, path, WATCH_TOKEN);
	}
	if (on && !xs_watch(d->xsh, "@releaseDomain", WATCH_TOKEN))
		return -errno;
	if (!on)
		xs_unwatch(d->xsh, "@releaseDomain", WATCH_TOKEN);
	return 0;
}

/*
 * Wait until a watch fires or @deadline passes.  Returns 1 (fired),
 * 0 (deadline), -EINTR (signal) or -errno.
 */
static int wait_event(const struct dom *d, double deadline)
{
	struct pollfd pfd = { .fd = xs_fileno(d->xsh), .events = POLLIN };
	double left = deadline - now_s();
	char **ev;
	int rc;

	if (interrupted)
		return -EINTR;
	if (left <= 0)
		return 0;
	rc = poll(&pfd, 1, (int)(left * 1000) + 1);
	if (rc < 0)
		return -errno;
	if (interrupted)
		return -EINTR;
	if (!rc)
		return 0;
	/* Drain: several writes may be behind one wake-up. */
	while ((ev = xs_check_watch(d->xsh)))
		free(ev);
	if (errno != EAGAIN)
		return -errno;
	return 1;
}

/*
 * Wait for the next change of the watched nodes, or @deadline.  Without
 * watches (@watching false, or a watch error): read again in 200 ms.
 * Returns -EINTR on a signal, else 0.
 */
static int wait_change(const struct dom *d, double deadline, bool watching)
{
	int err = watching ? wait_event(d, deadline) : -1;

	if (err == -EINTR)
		return err;
	if (err < 0)
		poll(NULL, 0, 200);
	return 0;
}

static void progress_read(const struct dom *d, struct progress *p)
{
	read_val(d, XBT_NULL, "control/shutdown", &p->shutdown);
	read_val(d, XBT_NULL, "data/xen-suspend/state", &p->state);
	read_val(d, XBT_NULL, "data/xen-suspend/result", &p->result);
	p->gone = !xs_is_domain_introduced(d->xsh, d->domid);
}

static void progress_log(const struct dom *d, const struct progress *p,
			 double t0)
{
	char s[ESC_MAX], r[ESC_MAX], c[ESC_MAX];

	step("%s: +%.1f s: control/shutdown %s, state %s, result %s", d->label,
	     now_s() - t0, show(&p->shutdown, c, sizeof(c)),
	     show(&p->state, s, sizeof(s)), show(&p->result, r, sizeof(r)));
}

/* Watch the guest until a verdict or the deadline; -EINTR, -errno. */
static int wait_prepared(const struct dom *d, struct progress *p, double t0,
			 double deadline, enum verdict *v)
{
	struct progress last;
	int rc;

	memset(&last, 0xff, sizeof(last));
	for (;;) {
		progress_read(d, p);
		progress_note(p);
		/* One line per change, not per watch event. */
		if (!val_equal(&p->shutdown, &last.shutdown) ||
		    !val_equal(&p->state, &last.state) ||
		    !val_equal(&p->result, &last.result))
			progress_log(d, p, t0);
		last = *p;
		*v = prepare_verdict(p);
		if (*v != V_WAIT)
			return 0;
		rc = wait_event(d, deadline);
		if (rc <= 0)
			return rc;
	}
}

/*
 * Take our "prepare" back if the guest has not.  Returns true when it was
 * still ours (the guest never took it); false when the guest took it, if
 * only just now, or when that cannot be told (a xenstore error): the
 * caller then treats it as taken.
 */
static bool withdraw_prepare(const struct dom *d)
{
	struct xs_val seen;
	char c[ESC_MAX];
	int rc;

	rc = shutdown_cas(d, "prepare", "", &seen);
	if (rc == 1)
		step("%s: cleared our unanswered \"prepare\"", d->label);
	else if (rc < 0)
		say("%s: could not clear control/shutdown (%s): check it with 'xenstore-read %s/control/shutdown'",
		    d->label, strerror(-rc), d->path);
	else if (!val_is(&seen, ""))
		step("%s: control/shutdown holds %s, not ours: left alone",
		     d->label, show(&seen, c, sizeof(c)));
	return rc == 1;
}

/* Wait (bounded) for the guest to take "abort"; say how it went. */
static void wait_abort(const struct dom *d, const char *why)
{
	double t0 = now_s(), deadline = t0 + ABORT_WAIT_S;
	struct xs_val sd, state, seen;
	char s[ESC_MAX];
	int rc = -1;

	memset(&state, 0, sizeof(state));
	if (!watch_all(d, true)) {
		for (;;) {
			read_val(d, XBT_NULL, "control/shutdown", &sd);
			read_val(d, XBT_NULL, "data/xen-suspend/state", &state);
			if (!val_is(&sd, "abort") && !val_is(&state, "prepared") &&
			    !val_is(&state, "preparing")) {
				say("%s: %s; the guest took \"abort\" in %.1f s and takes its memory back",
				    d->label, why, now_s() - t0);
				watch_all(d, false);
				return;
			}
			rc = wait_event(d, deadline);
			if (rc <= 0)
				break;
		}
	}
	watch_all(d, false);
	if (shutdown_cas(d, "abort", "", &seen) == 1)
		say("%s: %s; the guest did not take \"abort\" within %d s (withdrawn): it lifts the hold by itself %d s after control/xen-suspend-hold is removed",
		    d->label, why, ABORT_WAIT_S, d->hold_s);
	else
		say("%s: %s; \"abort\" was taken but the guest still reports %s after %d s: see its kernel log",
		    d->label, why, show(&state, s, sizeof(s)), ABORT_WAIT_S);
}

/* Ask the guest to lift its prepare: only into an empty control/shutdown. */
static void send_abort(const struct dom *d, const char *why)
{
	struct xs_val seen;
	char c[ESC_MAX];
	int rc;

	rc = shutdown_cas(d, "", "abort", &seen);
	if (rc == 1) {
		step("%s: wrote control/shutdown = \"abort\"", d->label);
		wait_abort(d, why);
	} else if (rc == 0) {
		say("%s: %s and the guest is prepared, but control/shutdown holds %s: left alone; the guest lifts the hold by itself %d s after control/xen-suspend-hold is removed",
		    d->label, why, show(&seen, c, sizeof(c)), d->hold_s);
	} else {
		say("%s: %s and the guest is prepared; cannot write \"abort\" (%s): write it to %s/control/shutdown by hand",
		    d->label, why, strerror(-rc), d->path);
	}
}

/* --- save / migrate --- */

enum prep {
	PREP_NONE,		/* nothing asked of the guest: plain xl */
	PREP_REQUESTED,		/* asked, but nothing is held: plain xl */
	PREP_DONE,		/* prepared: lean xl, the hold renewed */
	PREP_STOP,		/* interrupted: no xl, exit 130 */
	PREP_UNSETTLED,		/* taken, neither prepared nor idle: no xl */
};

#define WHY_MAX			(2 * ESC_MAX + 128)

/*
 * The guest speaks the protocol and control/shutdown is free?  Returns 1
 * (lean: ask for a prepare), 0 (plain xl), -ETIMEDOUT (the guest did not
 * settle within ABORT_WAIT_S: no xl at all) or -EINTR.  A guest that is
 * not settled (start_decision()) is waited for first, whatever
 * control/shutdown holds: a retry after exit 3, or after a helper that was
 * killed, must not copy a guest that is still releasing memory.
 */
static int lean_possible(const struct dom *d, const char *what)
{
	double deadline = now_s() + ABORT_WAIT_S;
	struct xs_val v, sd;
	enum start start;
	char c[ESC_MAX];
	bool said = false, expired;
	int rc;

	read_val(d, XBT_NULL, "data/xen-suspend/version", &v);
	if (!version_ok(&v)) {
		say("%s: no lean suspend support, plain xl %s", d->label, what);
		step("%s: data/xen-suspend/version is %s", d->label,
		     show(&v, c, sizeof(c)));
		return 0;
	}
	rc = watch_all(d, true);
	for (;;) {
		expired = now_s() >= deadline;
		read_val(d, XBT_NULL, "data/xen-suspend/state", &v);
		read_val(d, XBT_NULL, "control/shutdown", &sd);
		start = start_decision(&v, &sd);
		if (start != START_WAIT)
			break;
		if (!said) {
			say("%s: the guest's state is %s: waiting up to %d s for idle or prepared before xl %s",
			    d->label, show(&v, c, sizeof(c)), ABORT_WAIT_S,
			    what);
			said = true;
		}
		if (expired) {
			say("%s: the guest is still %s after %d s: xl %s not run",
			    d->label, show(&v, c, sizeof(c)), ABORT_WAIT_S,
			    what);
			watch_all(d, false);
			return -ETIMEDOUT;
		}
		if (wait_change(d, deadline, !rc) == -EINTR) {
			watch_all(d, false);
			return -EINTR;
		}
	}
	watch_all(d, false);
	if (start == START_PLAIN) {
		say("%s: control/shutdown holds %s (a pending request?): left alone, plain xl %s",
		    d->label, show(&sd, c, sizeof(c)), what);
		return 0;
	}
	return 1;
}

/* Why the wait ended without "prepared", for the line that says what next. */
static void why_not(const struct progress *p, enum verdict v, int rc,
		    int timeout_s, char *out, size_t size)
{
	char c[ESC_MAX], s[ESC_MAX];

	show(&p->result, c, sizeof(c));
	show(&p->state, s, sizeof(s));
	if (rc < 0)
		snprintf(out, size, "xenstore watch failed (%s)",
			 strerror(-rc));
	else if (v == V_FAILED)
		snprintf(out, size, "prepare failed (%s; see the guest's kernel log)",
			 c);
	else if (v == V_OVERTAKEN)
		snprintf(out, size, "control/shutdown was replaced by %s",
			 show(&p->shutdown, c, sizeof(c)));
	else if (v == V_GONE)
		snprintf(out, size, "the domain went away while preparing");
	else
		snprintf(out, size, "not prepared within %d s (%s, state %s, result %s; a larger -t may help)",
			 timeout_s,
			 p->acked ? "request taken" : "request not taken", s,
			 c);
}

/*
 * Write control/xen-suspend-hold = @secs (@secs 0: remove it), in a
 * transaction that first checks that the domain's control/ still exists, so
 * that nothing is written into the path of a domain that is gone.  Returns
 * 0, 1 when the domain is gone, or -errno.
 */
static int hold_write(const struct dom *d, int secs)
{
	char path[PATH_MAX_XS], val[16], *dir;
	xs_transaction_t t;
	int tries, err = -EAGAIN;

	snprintf(val, sizeof(val), "%d", secs);
	for (tries = 0; tries < TXN_TRIES && err == -EAGAIN; tries++) {
		t = xs_transaction_start(d->xsh);
		if (t == XBT_NULL)
			return -errno;
		dom_path(d, "control", path);
		dir = xs_read(d->xsh, t, path, NULL);
		if (!dir) {
			xs_transaction_end(d->xsh, t, true);
			return 1;
		}
		free(dir);
		dom_path(d, "control/xen-suspend-hold", path);
		if (secs ? !xs_write(d->xsh, t, path, val, strlen(val)) :
			   !xs_rm(d->xsh, t, path) && errno != ENOENT) {
			err = -errno;
			xs_transaction_end(d->xsh, t, true);
			return err;
		}
		err = xs_transaction_end(d->xsh, t, false) ? 0 : -errno;
	}
	return err;
}

/*
 * Remove control/xen-suspend-hold if we wrote it, on every way out: while
 * it exists the guest never ends a prepare on its own hold timeout (once it
 * is removed, that timeout restarts with its last value, -H seconds).
 */
static void hold_drop(struct dom *d)
{
	int rc;

	if (!d->hold_set)
		return;
	d->hold_set = false;
	rc = hold_write(d, 0);
	if (rc < 0)
		say("%s: cannot remove control/xen-suspend-hold (%s): remove it with 'xenstore-rm %s/control/xen-suspend-hold', or a prepare of the guest stays held",
		    d->label, strerror(-rc), d->path);
	else
		step("%s: control/xen-suspend-hold %s", d->label,
		     rc ? "went with the domain" : "removed");
}

/*
 * The guest took "prepare" and the wait ended without "prepared" (@v, @rc):
 * find out, within ABORT_WAIT_S, whether xl may run (may_run_xl()).  Unless
 * the guest reported a failure of its own, ask it to stop first: "abort",
 * only into an empty control/shutdown (another command there is left
 * alone).  The guest takes it even while its release runs, gives back what
 * it released and reports "idle" once its memory is whole.  An "abort" the
 * guest has not taken by the end is withdrawn, so that it cannot lift a
 * later prepare.  Returns 0 with *@run (RUN_LEAN, RUN_PLAIN or RUN_NOT),
 * or -EINTR; *@aborted: our "abort" was written and not withdrawn.
 */
static int settle_guest(const struct dom *d, struct progress *p,
			enum verdict v, int rc, double t0, bool *aborted,
			enum run *run)
{
	double deadline = now_s() + ABORT_WAIT_S;
	struct progress last;
	struct xs_val seen;
	char c[ESC_MAX];
	bool expired;
	int err;

	if (abort_wanted(v, rc)) {
		err = shutdown_cas(d, "", "abort", &seen);
		if (err == 1) {
			*aborted = true;
			step("%s: wrote control/shutdown = \"abort\"", d->label);
		} else if (err < 0) {
			say("%s: cannot write \"abort\" (%s)", d->label,
			    strerror(-err));
		} else {
			step("%s: control/shutdown holds %s: no \"abort\"",
			     d->label, show(&seen, c, sizeof(c)));
		}
	}
	step("%s: waiting up to %d s for the guest to report idle or prepared",
	     d->label, ABORT_WAIT_S);
	memset(&last, 0xff, sizeof(last));
	for (;;) {
		/* Taken before the read: the last read after the bound counts. */
		expired = now_s() >= deadline;
		progress_read(d, p);
		progress_note(p);
		if (!val_equal(&p->shutdown, &last.shutdown) ||
		    !val_equal(&p->state, &last.state) ||
		    !val_equal(&p->result, &last.result))
			progress_log(d, p, t0);
		last = *p;
		*run = may_run_xl(p, *aborted, expired);
		if (*run != RUN_WAIT)
			break;
		if (wait_change(d, deadline, true) == -EINTR)
			return -EINTR;
	}
	if (*aborted && shutdown_cas(d, "abort", "", &seen) == 1) {
		*aborted = false;
		step("%s: withdrew our \"abort\", not taken", d->label);
	}
	return 0;
}

/*
 * Ask for a prepare and wait for it.  *@aborted: "abort" was written after
 * it (for an interrupt: wait for it rather than write another).
 */
static enum prep prepare_guest(struct dom *d, int timeout_s, const char *what,
			       bool *aborted)
{
	char c[ESC_MAX], why[WHY_MAX];
	enum prep ret = PREP_NONE;
	enum verdict v = V_WAIT;
	double t0 = now_s();
	struct progress p;
	struct xs_val seen;
	enum run run;
	int rc;

	*aborted = false;
	memset(&p, 0, sizeof(p));
	read_val(d, XBT_NULL, "data/xen-suspend/result", &p.result0);
	rc = watch_all(d, true);
	if (rc) {
		say("%s: cannot watch xenstore (%s): plain xl %s", d->label,
		    strerror(-rc), what);
		goto out;
	}
	/*
	 * The hold before the request: from the moment the guest takes it, its
	 * own hold timeout cannot lift a prepare that xl may be copying.
	 */
	rc = hold_write(d, d->hold_s);
	if (rc) {
		say("%s: cannot write control/xen-suspend-hold (%s): plain xl %s",
		    d->label, rc < 0 ? strerror(-rc) : "the domain is gone",
		    what);
		goto out;
	}
	d->hold_set = true;
	rc = shutdown_cas(d, "", "prepare", &seen);
	if (rc <= 0) {
		say("%s: cannot write \"prepare\" (%s): plain xl %s", d->label,
		    rc ? strerror(-rc) : show(&seen, c, sizeof(c)), what);
		goto out;
	}
	ret = PREP_REQUESTED;
	step("%s: wrote control/xen-suspend-hold = %d, control/shutdown = \"prepare\", waiting up to %d s",
	     d->label, d->hold_s, timeout_s);
	rc = wait_prepared(d, &p, t0, t0 + timeout_s, &v);
	if (!rc && v == V_PREPARED) {
		say("%s: prepared in %.1f s, xl %s follows", d->label,
		    now_s() - t0, what);
		ret = PREP_DONE;
		goto out;
	}
	why_not(&p, v, rc, timeout_s, why, sizeof(why));
	if (!p.acked && withdraw_prepare(d)) {
		/* Never taken: nothing of ours runs in the guest. */
		if (rc == -EINTR)
			ret = PREP_STOP;
		else
			say("%s: %s: plain xl %s", d->label, why, what);
		goto out;
	}
	p.acked = true;		/* if only just now */
	if (rc == -EINTR) {
		ret = PREP_STOP;
		goto out;
	}
	if (!rc && v == V_GONE) {
		say("%s: %s: xl %s follows", d->label, why, what);
		goto out;
	}
	/* Taken: xl may copy the guest only once its memory is still. */
	if (settle_guest(d, &p, v, rc, t0, aborted, &run)) {
		ret = PREP_STOP;
		goto out;
	}
	if (run == RUN_LEAN) {
		say("%s: %s; then prepared, %.1f s after the request: xl %s follows",
		    d->label, why, now_s() - t0, what);
		ret = PREP_DONE;
	} else if (run == RUN_NOT) {
		say("%s: %s; the guest took \"prepare\" and still reports state %s after %.0f s: xl %s not run, as its memory may still be changing; see the guest's kernel log, then try again",
		    d->label, why, show(&p.state, c, sizeof(c)),
		    now_s() - t0, what);
		ret = PREP_UNSETTLED;
	} else if (p.gone || !p.shutdown.present) {
		say("%s: %s; then the domain went away: xl %s follows",
		    d->label, why, what);
	} else {
		say("%s: %s; the guest %s idle again %.1f s after the request: plain xl %s",
		    d->label, why,
		    *aborted ? "took \"abort\" and is" : "is", now_s() - t0,
		    what);
	}
out:
	watch_all(d, false);
	return ret;
}

/*
 * Run xl; returns its exit status (128+N for signal N, 127: not run).
 * @xsh (or NULL): our xenstore connection, which xl does not inherit.
 * @hold (or NULL): a guest that holds a prepare; while xl runs, its hold
 * is renewed for o->hold_s seconds every third of that (the caller removes
 * the node when xl exits: hold_drop()).
 */
static int run_xl(const struct opts *o, struct xs_handle *xsh,
		  const struct dom *hold)
{
	int status, i, refreshes = 0, period;
	sigset_t chld, old;
	double next = 0;
	pid_t pid, r;

	if (verbose) {
		fprintf(stderr, PROG ": running");
		for (i = 0; o->xl_argv[i]; i++)
			fprintf(stderr, " '%s'", o->xl_argv[i]);
		fputc('\n', stderr);
	}
	period = o->hold_s / 3 > 0 ? o->hold_s / 3 : 1;
	/* SIGCHLD stays pending until sigtimedwait() takes it. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		say("cannot fork for xl: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 127;
	}
	if (!pid) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (xsh)
			xs_daemon_destroy_postfork(xsh);
		execvp("xl", (char *const *)o->xl_argv);
		fprintf(stderr, PROG ": cannot run xl: %s (xen-utils installed? /usr/lib/xen-4.17/bin in PATH?)\n",
			strerror(errno));
		_exit(127);
	}
	/* Ctrl-C reaches xl too; this process stays to clean up after it. */
	for (;;) {
		struct timespec ts = { .tv_sec = 3600 };

		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			say("cannot wait for xl: %s", strerror(errno));
			sigprocmask(SIG_SETMASK, &old, NULL);
			return 127;
		}
		if (hold) {
			double t = now_s();

			if (t >= next) {
				int rc = hold_write(hold, o->hold_s);

				if (rc < 0)
					say("%s: cannot write control/xen-suspend-hold (%s): the guest's own hold timeout applies",
					    hold->label, strerror(-rc));
				else if (!rc && !refreshes++)
					step("%s: control/xen-suspend-hold = %d, again every %d s while xl runs",
					     hold->label, o->hold_s, period);
				next = t + period;
			}
			ts.tv_sec = (time_t)(next - t);
			ts.tv_nsec = (long)((next - t - ts.tv_sec) * 1e9);
		}
		sigtimedwait(&chld, NULL, &ts);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	interrupted = 0;
	if (hold && refreshes)
		step("%s: renewed the hold %d time%s while xl ran", hold->label,
		     refreshes, refreshes == 1 ? "" : "s");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Is a prepare running or done in the guest (state preparing/prepared)? */
static bool guest_holds(const struct dom *d)
{
	struct xs_val state;

	read_val(d, XBT_NULL, "data/xen-suspend/state", &state);
	return val_is(&state, "prepared") || val_is(&state, "preparing");
}

/* After a failed xl: give the guest its memory back if it is still held. */
static void abort_if_prepared(const struct dom *d, const char *what)
{
	struct xs_val state;
	char c[ESC_MAX], why[32];

	if (!xs_is_domain_introduced(d->xsh, d->domid))
		return;
	read_val(d, XBT_NULL, "data/xen-suspend/state", &state);
	if (!val_is(&state, "prepared")) {
		step("%s: state %s after xl: nothing to abort", d->label,
		     show(&state, c, sizeof(c)));
		return;
	}
	snprintf(why, sizeof(why), "xl %s failed", what);
	send_abort(d, why);
}

static int lean_cycle(const struct opts *o)
{
	const char *what = o->xl_argv[1];
	enum prep prep = PREP_NONE;
	bool aborted = false;
	struct opts xo = *o;
	char idbuf[16];
	struct dom d;
	int rc, lean;

	memset(&d, 0, sizeof(d));
	d.hold_s = o->hold_s;
	d.xsh = xs_open(0);
	if (!d.xsh) {
		say("cannot open xenstore (%s): plain xl %s", strerror(errno),
		    what);
		return run_xl(o, NULL, NULL);
	}
	if (resolve_domain(&d, o->domain)) {
		say("%s: plain xl %s", d.label, what);
		rc = run_xl(o, d.xsh, NULL);
		goto out;
	}
	/* xl acts on the domain that was prepared, whatever its name. */
	snprintf(idbuf, sizeof(idbuf), "%u", d.domid);
	xo.xl_argv[o->dom_arg] = idbuf;
	lean = lean_possible(&d, what);
	if (lean == -EINTR) {
		interrupted = 0;
		say("%s: interrupted: xl %s not run", d.label, what);
		rc = 130;
		goto out;
	}
	if (lean < 0) {
		rc = EXIT_UNSETTLED;
		goto out;
	}
	if (lean)
		prep = prepare_guest(&d, o->timeout_s, what, &aborted);
	if (interrupted && (prep == PREP_REQUESTED || prep == PREP_DONE))
		prep = PREP_STOP;
	if (prep == PREP_STOP) {
		interrupted = 0;
		say("%s: interrupted: xl %s not run", d.label, what);
		if (aborted)
			wait_abort(&d, "interrupted");
		else if (guest_holds(&d))
			send_abort(&d, "interrupted");
		rc = 130;
		goto out;
	}
	if (prep == PREP_UNSETTLED) {
		rc = EXIT_UNSETTLED;
		goto out;
	}
	/* Plain xl: no prepare is held, so no hold to keep either. */
	if (prep != PREP_DONE)
		hold_drop(&d);
	rc = run_xl(&xo, d.xsh, prep == PREP_DONE ? &d : NULL);
	step("%s: xl %s exited with status %d", d.label, what, rc);
	hold_drop(&d);
	if (rc && prep == PREP_DONE)
		abort_if_prepared(&d, what);
out:
	hold_drop(&d);
	xs_close(d.xsh);
	return rc;
}

/* --- restore --- */

/* Mark the domain ids present in xenstore; -errno on failure. */
static int domids(struct xs_handle *xsh, unsigned char *seen)
{
	unsigned int n = 0, i, id;
	char **ents;

	memset(seen, 0, DOMID_LIMIT);
	ents = xs_directory(xsh, XBT_NULL, "/local/domain", &n);
	if (!ents)
		return -errno;
	for (i = 0; i < n; i++)
		if (parse_domid(ents[i], &id))
			seen[id] = 1;
	free(ents);
	return 0;
}

/* The one domain that appeared since @before, or -1. */
static int new_domain(struct xs_handle *xsh, const unsigned char *before)
{
	static unsigned char after[DOMID_LIMIT];
	int id, found = -1, n = 0;

	if (domids(xsh, after))
		return -1;
	for (id = 1; id < DOMID_LIMIT; id++)
		if (after[id] && !before[id]) {
			found = id;
			n++;
		}
	return n == 1 ? found : -1;
}

/* Wait (bounded) for the restored guest to report state idle. */
static void wait_resumed(struct dom *d, int timeout_s)
{
	double t0 = now_s(), grace = t0 + RESTORE_GRACE_S;
	double deadline = t0 + timeout_s;
	struct xs_val ver, state, result, name;
	char s[ESC_MAX], r[ESC_MAX];
	int rc;

	read_val(d, XBT_NULL, "name", &name);
	show(&name, d->label, sizeof(d->label));
	if (watch_all(d, true)) {
		say("%s: cannot watch xenstore: not waiting for the guest",
		    d->label);
		goto out;
	}
	for (;;) {
		read_val(d, XBT_NULL, "data/xen-suspend/version", &ver);
		read_val(d, XBT_NULL, "data/xen-suspend/state", &state);
		read_val(d, XBT_NULL, "data/xen-suspend/result", &result);
		step("%s: +%.1f s: version %s, state %s", d->label, now_s() - t0,
		     show(&ver, r, sizeof(r)), show(&state, s, sizeof(s)));
		/* result is written after state: wait for it too. */
		if (version_ok(&ver) && val_is(&state, "idle") &&
		    result.present) {
			say("%s: guest idle %.1f s after xl restore, result %s",
			    d->label, now_s() - t0,
			    show(&result, r, sizeof(r)));
			goto out;
		}
		if (ver.present && !version_ok(&ver)) {
			say("%s: no lean suspend support, not waiting",
			    d->label);
			goto out;
		}
		rc = wait_event(d, ver.present ? deadline :
				(grace < deadline ? grace : deadline));
		if (rc < 0) {
			say("%s: %s: not waiting for the guest any more",
			    d->label, rc == -EINTR ? "interrupted" :
			    strerror(-rc));
			goto out;
		}
		if (!xs_is_domain_introduced(d->xsh, d->domid)) {
			say("%s: the domain went away", d->label);
			goto out;
		}
		if (rc)
			continue;
		if (!ver.present)
			say("%s: no data/xen-suspend from the guest within %.0f s (a stock guest?)",
			    d->label, now_s() - t0);
		else
			say("%s: guest state still %s after %d s: check its console (xl console %u)",
			    d->label, show(&state, s, sizeof(s)), timeout_s,
			    d->domid);
		goto out;
	}
out:
	watch_all(d, false);
}

static int lean_restore(const struct opts *o)
{
	static unsigned char before[DOMID_LIMIT];
	struct dom d;
	int rc, id;

	memset(&d, 0, sizeof(d));
	d.xsh = xs_open(0);
	if (!d.xsh) {
		say("cannot open xenstore (%s): plain xl restore, not waiting for the guest",
		    strerror(errno));
		return run_xl(o, NULL, NULL);
	}
	if (domids(d.xsh, before)) {
		say("cannot list domains in xenstore: not waiting for the guest");
		xs_close(d.xsh);
		d.xsh = NULL;
	}
	rc = run_xl(o, d.xsh, NULL);
	if (rc || !d.xsh)
		goto out;
	if (o->no_wait) {
		say("xl restore %s: not waiting for the guest", o->no_wait);
		goto out;
	}
	id = new_domain(d.xsh, before);
	if (id < 0) {
		say("cannot tell which domain xl restore made: not waiting for the guest");
		goto out;
	}
	d.domid = id;
	snprintf(d.path, sizeof(d.path), "/local/domain/%d", id);
	wait_resumed(&d, o->timeout_s);
out:
	xs_close(d.xsh);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;

	if (parse_args(&o, argc, argv))
		return 2;
	if (o.help) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (o.verb == VERB_SELF_TEST)
		return self_test();
	verbose = o.verbose;
	catch_signals();
	if (o.verb == VERB_RESTORE)
		return lean_restore(&o);
	return lean_cycle(&o);
}
