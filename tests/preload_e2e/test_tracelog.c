/*
 * test_tracelog.c - `noinherit trace`'s reading of the shim's log, without
 * the shim: hand-written logs (preload/FORMAT.md) fed to the parser and the
 * analysis (tools/trace_log.c, trace_find.c, trace_report.c, jsonl.c).
 *
 * What the end-to-end tests cannot provoke at will: malformed, truncated
 * and overlong lines, records split in parts, a log read in pieces of any
 * size, descriptors passed on through a process that had received them,
 * descriptors CMD itself received, and the JSON parser's corners.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonl.h"
#include "trace.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* An FD+ORIGIN entry made by `made_by` at leaky+off. */
#define ORIGIN(fd, ino, made_by, off) \
	"{\"fd\":" #fd ",\"dev\":9,\"ino\":" #ino ",\"what\":\"/tmp/f" #ino \
	"\",\"made_by\":\"" made_by "\",\"made_pid\":100,\"bt\":[" \
	"{\"obj\":\"/no/such/leaky\",\"off\":\"" off "\"}," \
	"{\"obj\":\"/no/such/libc.so.6\",\"off\":\"0x271ca\"," \
	"\"sym\":\"__libc_start_main\"}]}"
#define FD(fd, ino) \
	"{\"fd\":" #fd ",\"dev\":9,\"ino\":" #ino ",\"what\":\"/tmp/f" #ino "\"}"
#define START(pid, ppid, exe, fds) \
	"{\"ev\":\"start\",\"pid\":" #pid ",\"ppid\":" #ppid ",\"exe\":\"" \
	exe "\",\"t\":1,\"argv\":[\"" exe "\",\"x y\"],\"fds\":[" fds "]}\n"
#define EXEC(pid, exe, call, fds) \
	"{\"ev\":\"exec\",\"pid\":" #pid ",\"ppid\":1,\"exe\":\"" exe \
	"\",\"t\":2,\"call\":\"" call "\",\"target\":\"/bin/t\",\"argv\":[]," \
	"\"fds\":[" fds "]}\n"

struct run {
	struct tlog log;
	struct analysis a;
};

/* Feeds text in pieces of `piece` bytes (0: whole), then analyzes. */
static void
run_log(struct run *r, const char *text, size_t piece, long root)
{
	size_t len = strlen(text), off, n;

	memset(r, 0, sizeof *r);
	for (off = 0; off < len; off += n) {
		n = piece == 0 || len - off < piece ? len - off : piece;
		assert_true(trace_log_feed(&r->log, text + off, n) >= 0);
	}
	assert_true(trace_log_finish(&r->log) >= 0);
	assert_int_equal(trace_analyze(&r->log, root, &r->a), 0);
}

static void
run_free(struct run *r)
{
	trace_analysis_free(&r->a);
	trace_log_free(&r->log);
}

/* The report as text or JSON in a malloc'd string. */
static char *
report(const struct analysis *a, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		trace_report_json(f, a);
	else
		trace_report_text(f, a);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Pairing and grouping                                                */
/* ------------------------------------------------------------------ */

/* posix_spawn: the child's start pairs with its parent's exec record. */
static void
spawn_pairs_with_parent(void **state)
{
	static const char text[] =
	    START(100, 50, "/bin/leaky", "")
	    EXEC(100, "/bin/leaky", "posix_spawn", ORIGIN(3, 7, "open", "0x1234"))
	    START(101, 100, "/bin/child", FD(3, 7));
	struct run r;
	const struct finding *g;

	(void)state;
	run_log(&r, text, 0, 100);
	assert_int_equal(r.log.n, 3);
	assert_int_equal(r.log.bad, 0);
	assert_int_equal(r.a.programs, 2);
	assert_true(r.a.root_seen);
	assert_int_equal(r.a.n, 1);
	g = &r.a.f[0];
	assert_non_null(g->origin);
	assert_string_equal(g->origin->made_by, "open");
	assert_int_equal(g->origin->nbt, 2);
	assert_true(g->origin->bt[0].off == 0x1234);
	assert_string_equal(g->origin->bt[1].sym, "__libc_start_main");
	assert_string_equal(g->origin_exe, "/bin/leaky");
	assert_int_equal(g->kind, PI_FILE);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->r[0].to->pid, 101);
	assert_int_equal(g->r[0].fd->fd, 3);
	assert_non_null(g->r[0].by);
	assert_int_equal(g->r[0].by->pid, 100);
	assert_string_equal(g->r[0].by->call, "posix_spawn");
	run_free(&r);
}

/*
 * system(): sh receives fd 3 from leaky, then execs the command in place
 * (same pid) passing it on without knowing where it came from: both
 * receipts are one finding, made by leaky's open().
 */
static void
passed_on_through_a_shell(void **state)
{
	static const char text[] =
	    START(100, 50, "/bin/leaky", "")
	    EXEC(100, "/bin/leaky", "system", ORIGIN(3, 7, "open", "0x1234"))
	    START(101, 100, "/bin/dash", FD(3, 7))
	    EXEC(101, "/bin/dash", "execve", FD(3, 7))
	    START(101, 100, "/bin/reporter", FD(3, 7));
	struct run r;

	(void)state;
	run_log(&r, text, 0, 100);
	assert_int_equal(r.a.n, 1);
	assert_int_equal(r.a.f[0].n, 2);
	assert_int_equal(r.a.receipts, 2);
	assert_string_equal(r.a.f[0].origin->made_by, "open");
	assert_string_equal(r.a.f[0].r[0].to->exe, "/bin/dash");
	assert_string_equal(r.a.f[0].r[0].by->call, "system");
	assert_string_equal(r.a.f[0].r[1].to->exe, "/bin/reporter");
	assert_string_equal(r.a.f[0].r[1].by->exe, "/bin/dash");
	assert_string_equal(r.a.f[0].r[1].by->call, "execve");
	run_free(&r);
}

/*
 * bash's $(...) forks a subshell that never logs (no exec of its own),
 * whose child execs: the chain of pids breaks, and the nearest start
 * holding the same file stands in for the subshell.
 */
static void
passed_on_through_a_silent_fork(void **state)
{
	static const char text[] =
	    START(100, 50, "/bin/leaky", "")
	    EXEC(100, "/bin/leaky", "posix_spawn", ORIGIN(7, 9, "open", "0x77"))
	    START(200, 100, "/bin/bash", FD(7, 9))
	    EXEC(202, "/bin/bash", "execve", FD(7, 9))
	    START(202, 201, "/bin/readlink", FD(7, 9));
	struct run r;

	(void)state;
	run_log(&r, text, 0, 100);
	assert_int_equal(r.a.n, 1);
	assert_int_equal(r.a.f[0].n, 2);
	assert_non_null(r.a.f[0].origin);
	assert_string_equal(r.a.f[0].origin->made_by, "open");
	assert_string_equal(r.a.f[0].r[1].to->exe, "/bin/readlink");
	run_free(&r);
}

/*
 * What CMD itself received (--pass-fd, --map-fd) crossed into it on
 * request: not reported there, but where CMD passes it on it is, of
 * unknown origin, beside what CMD made.
 */
static void
root_inherited_not_blamed(void **state)
{
	static const char text[] =
	    START(100, 50, "/bin/make", FD(5, 70) "," FD(6, 71))
	    EXEC(100, "/bin/make", "posix_spawn", FD(5, 70) "," FD(6, 71) "," ORIGIN(7, 72, "pipe", "0x99"))
	    START(101, 100, "/bin/cc", FD(5, 70) "," FD(6, 71) "," FD(7, 72));
	struct run r;
	size_t i, made = 0, given = 0;

	(void)state;
	run_log(&r, text, 0, 100);
	assert_int_equal(r.a.n, 3);
	for (i = 0; i < r.a.n; i++) {
		assert_int_equal(r.a.f[i].n, 1);
		assert_string_equal(r.a.f[i].r[0].to->exe, "/bin/cc");
		if (r.a.f[i].origin != NULL) {
			assert_int_equal(r.a.f[i].r[0].fd->fd, 7);
			assert_string_equal(r.a.f[i].origin->made_by, "pipe");
			made++;
		} else {
			assert_in_range(r.a.f[i].r[0].fd->fd, 5, 6);
			given++;
		}
	}
	assert_int_equal(made, 1);
	assert_int_equal(given, 2);
	run_free(&r);
}

/* One call site reached by three children is one finding of three; a
 * second call site is a second finding. */
static void
grouped_by_call_site(void **state)
{
	static const char text[] =
	    START(100, 50, "/bin/leaky", "")
	    EXEC(100, "/bin/leaky", "posix_spawn", ORIGIN(3, 7, "open", "0x1234"))
	    START(101, 100, "/bin/child", FD(3, 7))
	    EXEC(100, "/bin/leaky", "posix_spawn", ORIGIN(3, 7, "open", "0x1234") "," ORIGIN(4, 8, "socket", "0x2000"))
	    START(102, 100, "/bin/child", FD(3, 7) "," FD(4, 8))
	    EXEC(100, "/bin/leaky", "posix_spawn", ORIGIN(3, 7, "open", "0x1234"))
	    START(103, 100, "/bin/child", FD(3, 7));
	struct run r;

	(void)state;
	run_log(&r, text, 0, 100);
	assert_int_equal(r.a.n, 2);
	assert_int_equal(r.a.receipts, 4);
	assert_string_equal(r.a.f[0].origin->made_by, "open");
	assert_int_equal(r.a.f[0].n, 3);
	assert_int_equal(r.a.f[0].r[2].to->pid, 103);
	assert_string_equal(r.a.f[1].origin->made_by, "socket");
	assert_int_equal(r.a.f[1].n, 1);
	run_free(&r);
}

/* No exec record names it: reported, origin unknown, parent by ppid. */
static void
origin_unknown(void **state)
{
	static const char text[] =
	    START(100, 50, "/bin/leaky", "")
	    START(101, 100, "/bin/child", FD(9, 5));
	struct run r;
	char *out;

	(void)state;
	run_log(&r, text, 0, 100);
	assert_int_equal(r.a.n, 1);
	assert_null(r.a.f[0].origin);
	assert_null(r.a.f[0].r[0].by);
	out = report(&r.a, false);
	assert_non_null(strstr(out, "origin unknown"));
	assert_non_null(strstr(out, "parent pid 100"));
	free(out);
	run_free(&r);
}

/* An exec in place, after which the pid never logged again. */
static void
unreached_exec(void **state)
{
	static const char text[] =
	    START(100, 50, "/bin/leaky", "")
	    EXEC(100, "/bin/leaky", "execve", ORIGIN(3, 7, "open", "0x1234"));
	struct run r;

	(void)state;
	run_log(&r, text, 0, 100);
	assert_int_equal(r.a.n, 0);
	assert_int_equal(r.a.unreached, 1);
	assert_string_equal(r.a.unreached_target, "/bin/t");
	run_free(&r);
}

/* ------------------------------------------------------------------ */
/* The log as it may be                                                */
/* ------------------------------------------------------------------ */

/* Bad lines are skipped and counted; good ones around them still count. */
static void
malformed_lines_skipped(void **state)
{
	static const char text[] =
	    START(100, 50, "/bin/leaky", "")
	    "{\"ev\":\"start\",\"pid\":\n"			/* truncated */
	    "not json at all\n"
	    "{\"ev\":\"start\",\"pid\":-4,\"fds\":[]}\n"	/* negative */
	    "{\"ev\":\"start\",\"pid\":\"7\",\"fds\":[]}\n"	/* a string */
	    "{\"ev\":\"start\",\"pid\":7,\"fds\":{}}\n"		/* not an array */
	    "{\"ev\":\"start\",\"pid\":7,\"fds\":[3]}\n"	/* not an object */
	    "{\"ev\":\"exec\",\"pid\":7,\"argv\":[1],\"fds\":[]}\n"
	    "{\"ev\":\"start\",\"pid\":7,\"fds\":[]} x\n"	/* trailing text */
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
	    "{\"ev\":\"future\",\"pid\":7}\n"		/* ignored, not bad */
	    "\n"
	    EXEC(100, "/bin/leaky", "posix_spawn", ORIGIN(3, 7, "open", "0x1234"))
	    START(101, 100, "/bin/child", FD(3, 7))
	    "{\"ev\":\"start\",\"pid\":102,\"ppid\":100,\"fds\":[{\"fd\":4";
	struct run r;

	(void)state;
	run_log(&r, text, 0, 100);
	assert_int_equal(r.log.n, 3);
	assert_int_equal(r.log.bad, 10);
	assert_int_equal(r.log.first_bad, 2);
	assert_non_null(r.log.first_why);
	assert_int_equal(r.a.n, 1);
	assert_int_equal(r.a.f[0].n, 1);
	run_free(&r);
}

/* The same log read a byte at a time, or in odd pieces, reads the same. */
static void
fed_in_pieces(void **state)
{
	static const char text[] =
	    START(100, 50, "/bin/leaky", "")
	    EXEC(100, "/bin/leaky", "system", ORIGIN(3, 7, "open", "0x1234"))
	    START(101, 100, "/bin/dash", FD(3, 7))
	    "garbage\n"
	    EXEC(101, "/bin/dash", "execve", FD(3, 7))
	    START(101, 100, "/bin/reporter", FD(3, 7));
	size_t pieces[] = { 1, 2, 3, 7, 64, 4096 };
	struct run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
		run_log(&r, text, pieces[i], 100);
		assert_int_equal(r.log.n, 5);
		assert_int_equal(r.log.bad, 1);
		assert_int_equal(r.a.n, 1);
		assert_int_equal(r.a.f[0].n, 2);
		run_free(&r);
	}
}

/* A line beyond 1 MiB is dropped whole, and the next one is read. */
static void
overlong_line(void **state)
{
	static const char first[] = START(100, 50, "/x", "");
	static const char last[] = START(101, 100, "/y", "");
	size_t big = (1u << 20) + 100, len = strlen(first);
	char *text = malloc(len + big + 1 + sizeof last);
	struct run r;

	(void)state;
	assert_non_null(text);
	memcpy(text, first, len);
	memset(text + len, 'a', big);
	text[len + big] = '\n';
	memcpy(text + len + big + 1, last, sizeof last);
	run_log(&r, text, 65536, 100);
	assert_int_equal(r.log.n, 2);
	assert_int_equal(r.log.bad, 1);
	assert_string_equal(r.log.first_why, "line too long");
	run_free(&r);
	free(text);
}

/* "part":2 continues the record before it with the same pid, ev and t. */
static void
parts_merged(void **state)
{
	static const char text[] =
	    START(100, 50, "/bin/make", FD(5, 70))
	    "{\"ev\":\"start\",\"pid\":100,\"ppid\":50,\"exe\":\"/bin/make\","
	    "\"t\":1,\"argv\":[],\"part\":2,\"fds\":[" FD(6, 71) "]}\n"
	    EXEC(100, "/bin/make", "posix_spawn", FD(6, 71))
	    START(101, 100, "/bin/cc", FD(6, 71));
	struct run r;

	(void)state;
	run_log(&r, text, 0, 100);
	assert_int_equal(r.log.n, 3);
	assert_int_equal(r.log.v[0].nfds, 2);
	/* fd 6 came with make's start (from trace's caller): its crossing
	 * into cc is the one reported. */
	assert_int_equal(r.a.n, 1);
	assert_int_equal(r.a.f[0].n, 1);
	assert_int_equal(r.a.f[0].r[0].fd->fd, 6);
	assert_string_equal(r.a.f[0].r[0].to->exe, "/bin/cc");
	run_free(&r);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

/* The JSON report: one valid object a line, with what the text shows. */
static void
json_report_parses(void **state)
{
	static const char text[] =
	    START(100, 50, "/bin/le\\\"aky\xc3\xa9\\ud83d\\ude00", "")
	    EXEC(100, "/bin/le\\\"aky\xc3\xa9\\ud83d\\ude00", "posix_spawn", ORIGIN(3, 7, "open", "0x1234") "," ORIGIN(4, 8, "socket", "0x99"))
	    START(101, 100, "/bin/child", FD(3, 7) "," FD(4, 8));
	struct jarena mem = { NULL };
	const struct jv *v;
	struct run r;
	char *out, *line, *nl;
	int lines = 0;

	(void)state;
	run_log(&r, text, 0, 100);
	out = report(&r.a, true);
	for (line = out; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		v = jv_parse(&mem, line, (size_t)(nl - line), NULL);
		assert_non_null(v);
		assert_non_null(jv_str(jv_get(v, "made_by")));
		assert_string_equal(jv_str(jv_get(v, "made_exe")),
		    "/bin/le\"aky\xc3\xa9\xf0\x9f\x98\x80");
		assert_non_null(jv_get(v, "receivers"));
		lines++;
	}
	assert_int_equal(lines, 2);
	free(out);
	out = report(&r.a, false);
	assert_non_null(strstr(out, "2 leaks: 2 descriptors crossed"));
	assert_non_null(strstr(out, "made by open() in le\"aky"));
	assert_non_null(strstr(out, "'x y'"));
	free(out);
	jarena_free(&mem);
	run_free(&r);
}

/* ------------------------------------------------------------------ */
/* The JSON parser                                                     */
/* ------------------------------------------------------------------ */

static const struct jv *
parse(struct jarena *m, const char *s)
{
	return jv_parse(m, s, strlen(s), NULL);
}

static void
json_parser_corners(void **state)
{
	struct jarena m = { NULL };
	unsigned long long n;
	const struct jv *v;
	const char *why;
	char deep[64];

	(void)state;
	v = parse(&m, " {\"a\":\"\\u0041\\n\\/\\\\\",\"b\":[1,-2.5e3,true,"
	    "false,null],\"c\":{}} ");
	assert_non_null(v);
	assert_string_equal(jv_str(jv_get(v, "a")), "A\n/\\");
	assert_int_equal(jv_get(v, "b")->kids->next->type, JV_NUM);
	assert_false(jv_uint(jv_get(v, "b")->kids->next, &n));
	assert_true(jv_uint(jv_get(v, "b")->kids, &n));
	assert_true(n == 1);
	/* \u0000 and a lone surrogate become U+FFFD. */
	v = parse(&m, "\"\\u0000\\ud800x\"");
	assert_non_null(v);
	assert_string_equal(jv_str(v), "\xef\xbf\xbd\xef\xbf\xbdx");
	/* The shim's bytes that are not UTF-8, \u0080-\u00ff, come back as
	 * bytes; valid UTF-8 as it is; U+0100 as UTF-8. */
	v = parse(&m, "\"\\u00ff\\u0080\xc3\xa9\\u0100\"");
	assert_non_null(v);
	assert_string_equal(jv_str(v), "\xff\x80\xc3\xa9\xc4\x80");
	/* 2^64 - 1 fits, 2^64 does not. */
	assert_true(jv_uint(parse(&m, "18446744073709551615"), &n));
	assert_true(n == ~0ULL);
	assert_false(jv_uint(parse(&m, "18446744073709551616"), &n));
	/* Refused. */
	assert_null(jv_parse(&m, "{\"a\":1", 6, &why));
	assert_string_equal(why, "truncated");
	assert_null(parse(&m, "\"tab\there\""));
	assert_null(parse(&m, "01"));
	assert_null(parse(&m, "[1,]"));
	assert_null(parse(&m, "{\"a\" 1}"));
	assert_null(parse(&m, "\"\\x\""));
	assert_null(parse(&m, "tru"));
	assert_null(parse(&m, "1 2"));
	assert_null(parse(&m, ""));
	memset(deep, '[', sizeof deep);
	assert_null(jv_parse(&m, deep, sizeof deep, &why));
	assert_string_equal(why, "nested too deep");
	/* A NUL inside the buffer is just a bad character. */
	assert_null(jv_parse(&m, "\"a\0b\"", 5, NULL));
	jarena_free(&m);
}


/* A start record as the observer makes it (trace_ptrace.c). */
static void
kernel_start(struct tlog *l, long pid, long ppid, const char *exe,
    const char *from, const char *from_noshim, struct tfd *fds, size_t n)
{
	const char *argv[] = { exe };
	struct trec r;

	memset(&r, 0, sizeof r);
	r.ev = EV_START;
	r.kernel = true;
	r.pid = pid;
	r.ppid = ppid;
	r.exe = exe;
	r.argv = argv;
	r.argc = 1;
	r.fds = fds;
	r.nfds = n;
	r.from_exe = from;
	r.from_noshim = from_noshim;
	assert_int_equal(trace_log_add(l, &r), 0);
}

static const struct receipt *
receipt_fd(const struct analysis *a, int fd)
{
	size_t i, k;

	for (i = 0; i < a->n; i++)
		for (k = 0; k < a->f[i].n; k++)
			if (a->f[i].r[k].fd->fd == fd)
				return &a->f[i].r[k];
	return NULL;
}

/*
 * Passed on purpose or leaked (issue 11): dup2 onto the number, F_SETFD,
 * a number named in argv are on purpose; a plain open is a leak; a
 * descriptor from a static program is a leak of unknown origin, and the
 * report says why.  The shim's own start records give way to the
 * observer's.
 */
static void
classes_from_kernel_starts(void **state)
{
	struct tlog l;
	struct analysis a;
	const struct receipt *r;
	struct tfd root_fds[1] = { { 0 } };
	struct tfd fds[4] = {
		{ 3, 9, 3, "/tmp/f3", NULL, NULL, NULL, false },
		{ 4, 9, 4, "/tmp/f4", NULL, NULL, NULL, false },
		{ 5, 9, 5, "/tmp/f5", NULL, NULL, NULL, false },
		{ 6, 9, 6, "/tmp/f6", NULL, NULL, "argv: --status-fd=6", false },
	};
	struct tfd sfd[1] = { { 8, 9, 8, "/tmp/f8", NULL, NULL, NULL, false } };
	const char *exec200 =
	    "{\"ev\":\"start\",\"pid\":200,\"exe\":\"/bin/p\",\"fds\":[]}\n"
	    EXEC(200, "/bin/p", "execve",
		ORIGIN(3, 3, "open", "0x10") ","
		ORIGIN(4, 4, "dup2", "0x20") ","
		"{\"fd\":5,\"dev\":9,\"ino\":5,\"what\":\"/tmp/f5\","
		"\"made_by\":\"open\",\"made_pid\":200,"
		"\"inheritable_by\":\"F_SETFD\",\"bt\":[]},"
		ORIGIN(6, 6, "open", "0x30"));
	char *text;

	(void)state;
	memset(&l, 0, sizeof l);
	l.kernel_starts = true;
	kernel_start(&l, 100, 1, "/bin/root", "/usr/bin/noinherit", NULL,
	    root_fds, 0);
	kernel_start(&l, 200, 100, "/bin/p", "/bin/root", NULL, NULL, 0);
	assert_true(trace_log_feed(&l, exec200, strlen(exec200)) >= 0);
	kernel_start(&l, 200, 100, "/bin/q", "/bin/p", NULL, fds, 4);
	kernel_start(&l, 300, 200, "/bin/r", "/bin/static",
	    "it is statically linked", sfd, 1);
	assert_true(trace_log_finish(&l) >= 0);
	assert_int_equal(l.n, 5);	/* the shim's start was dropped */
	assert_int_equal(trace_analyze(&l, 100, &a), 0);

	r = receipt_fd(&a, 3);
	assert_non_null(r);
	assert_int_equal(r->cls, TC_LEAKED);
	assert_null(r->why);
	r = receipt_fd(&a, 4);
	assert_non_null(r);
	assert_int_equal(r->cls, TC_PASSED);
	assert_string_equal(r->why, "dup2() onto fd 4");
	r = receipt_fd(&a, 5);
	assert_non_null(r);
	assert_int_equal(r->cls, TC_PASSED);
	assert_string_equal(r->why, "made inheritable with F_SETFD");
	r = receipt_fd(&a, 6);
	assert_non_null(r);
	assert_int_equal(r->cls, TC_PASSED);
	assert_string_equal(r->why, "named to the program: argv: --status-fd=6");
	r = receipt_fd(&a, 8);
	assert_non_null(r);
	assert_int_equal(r->cls, TC_LEAKED);
	assert_string_equal(r->from_exe, "/bin/static");
	assert_int_equal(r->from_pid, 300);
	assert_non_null(strstr(r->unknown_why, "statically linked"));
	assert_int_equal(a.leaked, 2);
	assert_int_equal(a.passed, 3);

	/* --allow by base name of the receiver, then by target. */
	trace_allow(&a, (char *[]){ "r" }, 1);
	assert_int_equal(a.leaked, 1);
	assert_int_equal(a.allowed, 1);
	assert_int_equal(receipt_fd(&a, 8)->cls, TC_ALLOWED);
	trace_allow(&a, (char *[]){ "/tmp/f[0-9]" }, 1);
	assert_int_equal(a.leaked, 0);
	assert_int_equal(a.allowed, 2);

	text = report(&a, false);
	assert_non_null(strstr(text, " [passed: dup2() onto fd 4]\n"));
	assert_non_null(strstr(text, " [allowed: --allow r]\n"));
	assert_non_null(strstr(text, "from static (pid 300) by exec, "
	    "unlogged"));
	free(text);
	text = report(&a, true);
	assert_non_null(strstr(text, "\"class\":\"passed\",\"why\":"
	    "\"made inheritable with F_SETFD\""));
	free(text);
	trace_analysis_free(&a);
	trace_log_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spawn_pairs_with_parent),
		cmocka_unit_test(passed_on_through_a_shell),
		cmocka_unit_test(passed_on_through_a_silent_fork),
		cmocka_unit_test(root_inherited_not_blamed),
		cmocka_unit_test(grouped_by_call_site),
		cmocka_unit_test(origin_unknown),
		cmocka_unit_test(unreached_exec),
		cmocka_unit_test(malformed_lines_skipped),
		cmocka_unit_test(fed_in_pieces),
		cmocka_unit_test(overlong_line),
		cmocka_unit_test(parts_merged),
		cmocka_unit_test(json_report_parses),
		cmocka_unit_test(json_parser_corners),
		cmocka_unit_test(classes_from_kernel_starts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
