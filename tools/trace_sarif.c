/*
 * trace_sarif.c - the findings of `noinherit trace` as a SARIF 2.1.0 log
 * (OASIS "Static Analysis Results Interchange Format"), for code scanning
 * in CI: `noinherit trace --sarif FILE -- CMD`.
 *
 * One run; one rule, "fd-leak" (CWE-403: exposure of file descriptor to
 * unintended control sphere); one result per finding.  A result is
 * located at the creating call: the first backtrace frame with a source
 * line (frame #0 is the hooked call's caller; a frame in a library built
 * without debug information is skipped for the first one with a line).
 * A source path under the current directory is written relative to it
 * with uriBaseId %SRCROOT% (declared in originalUriBaseIds), which is what
 * code scanning resolves against the repository when trace runs at its
 * top; any other path is an absolute file: URI.  Without any source line
 * the result is located at the object and its offset.  The backtrace is
 * the result's stack.
 *
 * Names and paths may hold any byte but NUL: in messages they are escaped
 * as the text report escapes them (\xNN), then written as JSON (cli.h);
 * in URIs every byte outside RFC 3986's unreserved set and '/' is
 * percent-encoded, so a URI names the exact bytes.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "noinherit.h"
#include "trace.h"

#define SHOWN_FRAMES 16		/* as the other reports */
#define NAMED_RECEIVERS 3	/* receivers named in a message */

static const char rule_text[] =
    "A file descriptor crossed an exec into a program it was not passed "
    "to on purpose. The new program can read or write what it refers to "
    "(a secret file, a socket, a pipe), a listening socket lets it accept "
    "connections meant for its parent and keeps the address busy, and a "
    "pipe end held open keeps the other side from seeing EOF (PEP 446, "
    "CWE-403).";

static const char rule_help[] =
    "Create the descriptor close-on-exec (O_CLOEXEC, SOCK_CLOEXEC, "
    "pipe2(O_CLOEXEC), accept4(SOCK_CLOEXEC), F_DUPFD_CLOEXEC, fopen's "
    "\"e\" mode, or libnoinherit's ni_ functions), or start children with "
    "only what they need (ni_spawn, posix_spawn file actions). Pass a "
    "descriptor on purpose by clearing the flag in the child only.";

static const char *
base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/* ------------------------------------------------------------------ */
/* Strings                                                             */
/* ------------------------------------------------------------------ */

/* A message built as text (names escaped as the text report does). */
struct msg {
	char *buf;
	size_t len;
	FILE *f;
};

static bool
msg_open(struct msg *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f != NULL;
}

/* Writes the message as a JSON string and frees it. */
static void
msg_put(FILE *f, struct msg *m)
{
	if (m->f == NULL || fclose(m->f) != 0 || m->buf == NULL) {
		fputs("\"\"", f);
	} else {
		cli_puts_json(f, m->buf);
	}
	free(m->buf);
	m->f = NULL;
	m->buf = NULL;
}

/* Bytes of a path as a URI path: RFC 3986 unreserved and '/' kept. */
static void
put_uri_path(FILE *f, const char *p)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)p;

	for (; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~/", *s) != NULL)
			putc(*s, f);
		else
			fprintf(f, "%%%c%c", hex[*s >> 4], hex[*s & 15]);
	}
}

/* The current directory, or NULL: what relative URIs are relative to. */
static const char *
srcroot(void)
{
	static char cwd[PATH_MAX];

	if (getcwd(cwd, sizeof cwd) == NULL || cwd[0] != '/')
		return NULL;
	return cwd;
}

/* An artifactLocation for path: relative to root when under it. */
static void
put_artifact(FILE *f, const char *path, const char *root)
{
	size_t n = root != NULL ? strlen(root) : 0;

	fputs("{\"uri\":\"", f);
	if (root != NULL && path[0] == '/' && strncmp(path, root, n) == 0 &&
	    (root[n - 1] == '/' ? path[n] != '\0' : path[n] == '/')) {
		put_uri_path(f, path + n + (path[n] == '/'));
		fputs("\",\"uriBaseId\":\"%SRCROOT%\"}", f);
	} else if (path[0] == '/') {
		fputs("file://", f);
		put_uri_path(f, path);
		fputs("\"}", f);
	} else {
		put_uri_path(f, path);	/* relative to a build directory */
		fputs("\"}", f);
	}
}

/* ------------------------------------------------------------------ */
/* Locations                                                           */
/* ------------------------------------------------------------------ */

/* The frame a result is located at: the first with a source line. */
static const struct frame *
located_frame(const struct origin *o)
{
	size_t k;

	for (k = 0; o != NULL && k < o->nbt && k < SHOWN_FRAMES; k++)
		if (o->bt[k].file != NULL)
			return &o->bt[k];
	return NULL;
}

/* A location object for frame fr. */
static void
put_location(FILE *f, const struct frame *fr, const char *root)
{
	const char *func = trace_frame_func(fr);
	struct msg m;

	fputs("{\"physicalLocation\":{", f);
	if (fr->file != NULL) {
		fputs("\"artifactLocation\":", f);
		put_artifact(f, fr->file, root);
		fprintf(f, ",\"region\":{\"startLine\":%lu}}", fr->line);
	} else {
		/* No line: the object, and the offset of the return address. */
		fputs("\"artifactLocation\":", f);
		put_artifact(f, fr->obj, NULL);
		fprintf(f, ",\"address\":{\"relativeAddress\":%llu,"
		    "\"kind\":\"instruction\"}}", fr->off);
	}
	if (func != NULL) {
		fputs(",\"logicalLocations\":[{\"name\":", f);
		cli_puts_json(f, func);
		fputs(",\"kind\":\"function\"}]", f);
	}
	if (msg_open(&m)) {
		cli_puts_text(m.f, func != NULL ? func : "?? (unknown function)");
		fputs(" (", m.f);
		cli_puts_text(m.f, base(fr->obj));
		fprintf(m.f, "+0x%llx)", fr->off);
		fputs(",\"message\":{\"text\":", f);
		msg_put(f, &m);
		putc('}', f);
	}
	putc('}', f);
}

static void
put_stack(FILE *f, const struct origin *o, const char *root)
{
	size_t k;

	fputs(",\"stacks\":[{\"message\":{\"text\":\"where the descriptor "
	    "was made\"},\"frames\":[", f);
	for (k = 0; k < o->nbt && k < SHOWN_FRAMES; k++) {
		fputs(k > 0 ? ",{\"location\":" : "{\"location\":", f);
		put_location(f, &o->bt[k], root);
		fputs(",\"module\":", f);
		cli_puts_json(f, o->bt[k].obj);
		putc('}', f);
	}
	fputs("]}]", f);
}

/* ------------------------------------------------------------------ */
/* Results                                                             */
/* ------------------------------------------------------------------ */

/* "fd 3 (file /x) made by open() in leaky (pid 9) leaked into ..." */
static void
put_message(FILE *f, const struct finding *g)
{
	const struct origin *o = g->origin;
	const struct receipt *r;
	struct msg m;
	size_t k;

	if (!msg_open(&m)) {
		fputs("{\"text\":\"a descriptor leaked across exec\"}", f);
		return;
	}
	fprintf(m.f, "fd %d (%s ", g->r[0].fd->fd, pi_kind_name(g->kind));
	cli_puts_text(m.f, g->sock ? g->sock : g->sample->what);
	fputs(") made by ", m.f);
	if (o != NULL) {
		cli_puts_text(m.f, o->made_by);
		fputs("()", m.f);
		if (g->origin_exe != NULL) {
			fputs(" in ", m.f);
			cli_puts_text(m.f, base(g->origin_exe));
		}
		if (o->made_pid > 0)
			fprintf(m.f, " (pid %ld)", o->made_pid);
	} else {
		fputs("an unknown call (origin unknown)", m.f);
	}
	fputs(" leaked into ", m.f);
	for (k = 0; k < g->n && k < NAMED_RECEIVERS; k++) {
		r = &g->r[k];
		if (k > 0)
			fputs(", ", m.f);
		cli_puts_text(m.f, base(r->to->exe));
		fprintf(m.f, " (pid %ld, as fd %d", r->to->pid, r->fd->fd);
		if (r->by != NULL) {
			fputs(", from ", m.f);
			cli_puts_text(m.f, base(r->by->exe));
			fputs(" by ", m.f);
			cli_puts_text(m.f, r->by->call);
		}
		putc(')', m.f);
	}
	if (g->n > NAMED_RECEIVERS)
		fprintf(m.f, " and %zu more", g->n - NAMED_RECEIVERS);
	fprintf(m.f, "; it crossed an exec %zu time%s.", g->n,
	    g->n == 1 ? "" : "s");
	fputs("{\"text\":", f);
	msg_put(f, &m);
	putc('}', f);
}

static void
put_result(FILE *f, const struct finding *g, const char *root)
{
	const struct origin *o = g->origin;
	const struct frame *at = located_frame(o);

	fputs("{\"ruleId\":\"fd-leak\",\"ruleIndex\":0,\"level\":\"error\","
	    "\"message\":", f);
	put_message(f, g);
	fputs(",\"locations\":[", f);
	if (at != NULL)
		put_location(f, at, root);
	else if (o != NULL && o->nbt > 0)
		put_location(f, &o->bt[0], root);
	putc(']', f);
	if (o != NULL && o->nbt > 0)
		put_stack(f, o, root);
	fprintf(f, ",\"occurrenceCount\":%zu", g->n);
	fprintf(f, ",\"properties\":{\"kind\":\"%s\",\"target\":",
	    pi_kind_name(g->kind));
	cli_puts_json(f, g->sample->what);
	fputs(",\"socket\":", f);
	cli_puts_json(f, g->sock);
	fprintf(f, ",\"listening\":%s,\"madeBy\":",
	    g->listening ? "true" : "false");
	cli_puts_json(f, o != NULL ? o->made_by : NULL);
	fputs(",\"madeIn\":", f);
	cli_puts_json(f, g->origin_exe);
	fputs("}}", f);
}

static void
put_driver(FILE *f)
{
	fputs("{\"driver\":{\"name\":\"noinherit trace\",\"version\":", f);
	cli_puts_json(f, ni_version());
	fputs(",\"rules\":[{\"id\":\"fd-leak\",\"name\":\"FdLeakedAcrossExec\","
	    "\"shortDescription\":{\"text\":\"A file descriptor leaked "
	    "across exec\"},\"fullDescription\":{\"text\":", f);
	cli_puts_json(f, rule_text);
	fputs("},\"help\":{\"text\":", f);
	cli_puts_json(f, rule_help);
	fputs("},\"defaultConfiguration\":{\"level\":\"error\"},"
	    "\"properties\":{\"cwe\":\"CWE-403\",\"tags\":[\"security\","
	    "\"external/cwe/cwe-403\"],\"precision\":\"high\"}}]}}", f);
}

void
trace_report_sarif(FILE *f, const struct analysis *a, char *const *cmd,
    bool complete)
{
	const char *root = srcroot();
	size_t i, n;

	fputs("{\"$schema\":\"https://docs.oasis-open.org/sarif/sarif/v2.1.0/"
	    "errata01/os/schemas/sarif-schema-2.1.0.json\",\"version\":"
	    "\"2.1.0\",\"runs\":[{\"tool\":", f);
	put_driver(f);
	fprintf(f, ",\"invocations\":[{\"executionSuccessful\":%s,"
	    "\"arguments\":[", complete ? "true" : "false");
	for (i = 0; cmd != NULL && cmd[i] != NULL; i++) {
		if (i > 0)
			putc(',', f);
		cli_puts_json(f, cmd[i]);
	}
	fputs("]}]", f);
	if (root != NULL) {
		fputs(",\"originalUriBaseIds\":{\"%SRCROOT%\":{\"uri\":\"file://",
		    f);
		put_uri_path(f, root);
		fputs(root[1] != '\0' ? "/\"}}" : "\"}}", f);
	}
	fputs(",\"results\":[", f);
	/* Leaks only: what was passed on purpose or allowed is no result. */
	for (i = 0, n = 0; i < a->n; i++) {
		if (a->f[i].leaked == 0)
			continue;
		if (n++ > 0)
			putc(',', f);
		put_result(f, &a->f[i], root);
	}
	fputs("]}]}\n", f);
}
