/*
 * trace_report.c - the findings of `noinherit trace`, as text for a person
 * or as JSON lines (one object per finding).  Names, paths and command
 * lines come from the traced programs and may hold any byte but NUL: the
 * text escapes what would disturb a terminal, the JSON is always valid
 * UTF-8 (cli.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "trace.h"

#define SHOWN_FRAMES 16		/* frames per finding */
#define SHOWN_TEXT 10		/* receipts listed per finding, as text */
#define SHOWN_JSON 1000		/* and as JSON */

static const char listen_note[] =
    "a listening socket in a child lets the child accept the connections "
    "meant for its parent, and keeps the address busy until the child "
    "exits (PEP 446)";

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

/* An argument as a shell would need it: bare if plain, else quoted. */
static void
put_arg(FILE *f, const char *s)
{
	const char *p;
	bool plain = *s != '\0';

	for (p = s; *p != '\0' && plain; p++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-_./=:,+@%", *p) != NULL;
	if (plain) {
		cli_puts_text(f, s);
		return;
	}
	putc('\'', f);
	while ((p = strchr(s, '\'')) != NULL) {
		cli_put_text(f, s, (size_t)(p - s), 0);
		fputs("'\\''", f);
		s = p + 1;
	}
	cli_puts_text(f, s);
	putc('\'', f);
}

static void
put_cmdline(FILE *f, const struct trec *r)
{
	size_t i;

	for (i = 0; i < r->argc; i++) {
		if (i > 0)
			putc(' ', f);
		put_arg(f, r->argv[i]);
	}
}

/* What the descriptor is: "socket TCP 127.0.0.1:8080 LISTEN", "file /x". */
static void
put_what(FILE *f, const struct finding *g)
{
	fprintf(f, "%s ", pi_kind_name(g->kind));
	cli_puts_text(f, g->sock ? g->sock : g->sample->what);
	if (g->listening)
		fputs(" [LISTENING]", f);
}

const char *
trace_frame_func(const struct frame *fr)
{
	if (fr->func != NULL || fr->looked_up)
		return fr->func;
	return fr->sym;
}

static void
put_location(FILE *f, const char *file, unsigned long line)
{
	if (file == NULL)
		return;
	fputs(" at ", f);
	cli_puts_text(f, file);
	fprintf(f, ":%lu", line);
}

static void
put_frame(FILE *f, size_t k, const struct frame *fr)
{
	const char *func = trace_frame_func(fr);
	size_t i;

	fprintf(f, "    #%zu ", k);
	if (func != NULL)
		cli_puts_text(f, func);
	else
		fputs("?? (unknown function)", f);
	put_location(f, fr->file, fr->line);
	fputs(" (", f);
	cli_puts_text(f, trace_base(fr->obj));
	fprintf(f, "+0x%llx)\n", fr->off);
	for (i = 0; i < fr->ninl; i++) {
		fputs("       inlined into ", f);
		if (fr->inl[i].func != NULL)
			cli_puts_text(f, fr->inl[i].func);
		else
			fputs("??", f);
		put_location(f, fr->inl[i].file, fr->inl[i].line);
		putc('\n', f);
	}
}

static void
put_receipt(FILE *f, const struct receipt *r)
{
	fprintf(f, "    fd %d into ", r->fd->fd);
	cli_puts_text(f, trace_base(r->to->exe));
	fprintf(f, " (pid %ld", r->to->pid);
	if (r->by != NULL) {
		fputs(") from ", f);
		cli_puts_text(f, trace_base(r->by->exe));
		fprintf(f, " (pid %ld) by ", r->by->pid);
		cli_puts_text(f, r->by->call);
	} else if (r->from_exe != NULL) {
		fputs(") from ", f);
		cli_puts_text(f, trace_base(r->from_exe));
		fprintf(f, " (pid %ld) by exec, unlogged", r->from_pid);
	} else {
		fprintf(f, ", parent pid %ld; no exec of it was logged",
		    r->to->ppid);
	}
	fputs(": ", f);
	put_cmdline(f, r->to);
	fprintf(f, " [%s", trace_class_name(r->cls));
	if (r->why != NULL) {
		fputs(": ", f);
		cli_puts_text(f, r->why);
	}
	fputs("]\n", f);
}

static void
put_finding(FILE *f, size_t i, const struct finding *g)
{
	const struct origin *o = g->origin;
	size_t k;

	fprintf(f, "\n%s %zu: ", g->leaked > 0 ? "leak" : "passed", i + 1);
	put_what(f, g);
	fputs("\n  made by ", f);
	if (o != NULL) {
		cli_puts_text(f, o->made_by);
		fputs("()", f);
		if (g->origin_exe != NULL) {
			fputs(" in ", f);
			cli_puts_text(f, trace_base(g->origin_exe));
		}
		if (o->made_pid > 0)
			fprintf(f, " (pid %ld)", o->made_pid);
		fputs(o->nbt ? ", at:\n" : "; no backtrace was logged\n", f);
		for (k = 0; k < o->nbt && k < SHOWN_FRAMES; k++)
			put_frame(f, k, &o->bt[k]);
		if (o->nbt > SHOWN_FRAMES)
			fprintf(f, "    ... %zu more frames\n",
			    o->nbt - SHOWN_FRAMES);
	} else {
		fputs("? (origin unknown: ", f);
		cli_puts_text(f, g->n > 0 && g->r[0].unknown_why != NULL ?
		    g->r[0].unknown_why : "made before the shim was loaded, "
		    "or by a call it does not hook");
		fputs(")\n", f);
		if (g->n > 0 && g->r[0].from_exe != NULL) {
			fputs("  passed on by ", f);
			cli_puts_text(f, g->r[0].from_exe);
			fprintf(f, " (pid %ld)\n", g->r[0].from_pid);
		}
	}
	fprintf(f, "  crossed an exec %zu time%s:\n", g->n, g->n == 1 ? "" : "s");
	for (k = 0; k < g->n && k < SHOWN_TEXT; k++)
		put_receipt(f, &g->r[k]);
	if (g->n > SHOWN_TEXT)
		fprintf(f, "    ... and %zu more (--json lists them)\n",
		    g->n - SHOWN_TEXT);
	if (g->listening)
		fprintf(f, "  [LISTENING]: %s\n", listen_note);
}

void
trace_report_text(FILE *f, const struct analysis *a)
{
	size_t i;

	size_t leaks = 0;

	if (a->n == 0) {
		fprintf(f, "noinherit: trace: no descriptor crossed an exec "
		    "(%zu program%s traced)\n", a->programs,
		    a->programs == 1 ? "" : "s");
		return;
	}
	for (i = 0; i < a->n; i++)
		leaks += a->f[i].leaked > 0;
	if (leaks == 0)
		fprintf(f, "noinherit: trace: no leak: %zu descriptor%s "
		    "crossed an exec, each passed on purpose or allowed "
		    "(%zu program%s traced)\n", a->receipts,
		    a->receipts == 1 ? "" : "s", a->programs,
		    a->programs == 1 ? "" : "s");
	else
		fprintf(f, "noinherit: trace: %zu leak%s: %zu descriptor%s "
		    "crossed an exec (%zu program%s traced)\n", leaks,
		    leaks == 1 ? "" : "s", a->receipts,
		    a->receipts == 1 ? "" : "s", a->programs,
		    a->programs == 1 ? "" : "s");
	fprintf(f, "noinherit: trace: crossings: %zu leaked, %zu passed on "
	    "purpose, %zu allowed\n", a->leaked, a->passed, a->allowed);
	for (i = 0; i < a->n; i++)
		put_finding(f, i, &a->f[i]);
}

/* ------------------------------------------------------------------ */
/* JSON lines                                                          */
/* ------------------------------------------------------------------ */

static void
json_frame(FILE *f, const struct frame *fr)
{
	size_t i;

	fputs("{\"obj\":", f);
	cli_puts_json(f, fr->obj);
	fprintf(f, ",\"off\":\"0x%llx\",\"sym\":", fr->off);
	cli_puts_json(f, fr->sym);
	fputs(",\"func\":", f);
	cli_puts_json(f, trace_frame_func(fr));
	fputs(",\"file\":", f);
	cli_puts_json(f, fr->file);
	if (fr->file != NULL)
		fprintf(f, ",\"line\":%lu", fr->line);
	else
		fputs(",\"line\":null", f);
	fputs(",\"inlined_into\":[", f);
	for (i = 0; i < fr->ninl; i++) {
		fputs(i > 0 ? ",{\"func\":" : "{\"func\":", f);
		cli_puts_json(f, fr->inl[i].func);
		fputs(",\"file\":", f);
		cli_puts_json(f, fr->inl[i].file);
		if (fr->inl[i].file != NULL)
			fprintf(f, ",\"line\":%lu}", fr->inl[i].line);
		else
			fputs(",\"line\":null}", f);
	}
	fputs("]}", f);
}

static void
json_receipt(FILE *f, const struct receipt *r)
{
	size_t i;

	fprintf(f, "{\"fd\":%d,\"pid\":%ld,\"exe\":", r->fd->fd, r->to->pid);
	cli_puts_json(f, r->to->exe);
	fputs(",\"argv\":[", f);
	for (i = 0; i < r->to->argc; i++) {
		if (i > 0)
			putc(',', f);
		cli_puts_json(f, r->to->argv[i]);
	}
	fputs("],\"parent_pid\":", f);
	fprintf(f, "%ld,\"parent_exe\":", r->by ? r->by->pid : r->to->ppid);
	cli_puts_json(f, r->by ? r->by->exe : NULL);
	fputs(",\"call\":", f);
	cli_puts_json(f, r->by ? r->by->call : NULL);
	fputs(",\"from_exe\":", f);
	cli_puts_json(f, r->from_exe);
	fprintf(f, ",\"class\":\"%s\",\"why\":", trace_class_name(r->cls));
	cli_puts_json(f, r->why);
	fputs(",\"origin_unknown\":", f);
	cli_puts_json(f, r->unknown_why);
	putc('}', f);
}

static void
json_finding(FILE *f, const struct finding *g)
{
	const struct origin *o = g->origin;
	size_t k;

	fprintf(f, "{\"kind\":\"%s\",\"what\":", pi_kind_name(g->kind));
	cli_puts_json(f, g->sample->what);
	fputs(",\"sock\":", f);
	cli_puts_json(f, g->sock);
	fprintf(f, ",\"listening\":%s,\"made_by\":",
	    g->listening ? "true" : "false");
	cli_puts_json(f, o ? o->made_by : NULL);
	if (o != NULL && o->made_pid > 0)
		fprintf(f, ",\"made_pid\":%ld", o->made_pid);
	else
		fputs(",\"made_pid\":null", f);
	fputs(",\"made_exe\":", f);
	cli_puts_json(f, g->origin_exe);
	fputs(",\"bt\":[", f);
	for (k = 0; o != NULL && k < o->nbt && k < SHOWN_FRAMES; k++) {
		if (k > 0)
			putc(',', f);
		json_frame(f, &o->bt[k]);
	}
	fprintf(f, "],\"class\":\"%s\",\"leaked\":%zu", g->leaked > 0 ?
	    "leaked" : "passed", g->leaked);
	fprintf(f, ",\"count\":%zu,\"receivers\":[", g->n);
	for (k = 0; k < g->n && k < SHOWN_JSON; k++) {
		if (k > 0)
			putc(',', f);
		json_receipt(f, &g->r[k]);
	}
	fprintf(f, "],\"receivers_omitted\":%zu}\n",
	    g->n > SHOWN_JSON ? g->n - SHOWN_JSON : 0);
}

void
trace_report_json(FILE *f, const struct analysis *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		json_finding(f, &a->f[i]);
}
