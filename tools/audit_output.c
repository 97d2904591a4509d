/*
 * audit_output.c - `noinherit audit`: what it prints of one process, as a
 * table for a terminal or as one JSON object a line (--json).  Names and
 * paths come from other processes and may hold any byte but NUL: both
 * forms escape them (cli.h).
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "procinfo.h"

static const char listen_note[] =
    "a listening socket in a child lets the child accept the connections "
    "meant for this program, and keeps its address busy until the child "
    "exits, so the program cannot restart on it (PEP 446)";

/* A name, or null when it could not be read. */
static void
json_str_or_null(bool has, const char *str)
{
	cli_puts_json(stdout, has ? str : NULL);
}

/*
 * A target for the table: escaped, then " (deleted)" when the file is.  A
 * name that itself ends in " (deleted)" shows that space as \x20, so no
 * name can imitate the mark.
 */
static void
text_target(const char *str, bool deleted)
{
	static const char suffix[] = " (deleted)";
	size_t len = strlen(str), slen = sizeof suffix - 1;
	char *head;

	if (len >= slen && strcmp(str + len - slen, suffix) == 0 &&
	    (head = strndup(str, len - slen)) != NULL) {
		cli_puts_text(stdout, head);
		free(head);
		fputs("\\x20(deleted)", stdout);
	} else {
		cli_puts_text(stdout, str);
	}
	if (deleted)
		fputs(suffix, stdout);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

void
audit_print_json(const struct proc *p, const struct scan *s)
{
	size_t i;

	printf("{\"pid\":%d,\"ppid\":", (int)p->pid);
	if (p->has_comm)
		printf("%d", (int)p->ppid);
	else
		fputs("null", stdout);
	fputs(",\"comm\":", stdout);
	json_str_or_null(p->has_comm, p->comm);
	fputs(",\"exe\":", stdout);
	json_str_or_null(p->has_exe, p->exe);
	fputs(",\"fds\":[", stdout);
	for (i = 0; i < s->n; i++) {
		const struct fdrec *r = &s->v[i];

		printf("%s{\"fd\":%d,\"kind\":\"%s\",\"target\":", i ? "," : "",
		    r->fd, pi_kind_name(r->kind));
		cli_puts_json(stdout, s->arena + r->target);
		printf(",\"deleted\":%s,\"listening\":%s,\"inherited\":%s,"
		    "\"cloexec\":%s}", r->deleted ? "true" : "false",
		    r->listening ? "true" : "false", r->inherited < 0 ? "null" :
		    r->inherited ? "true" : "false",
		    r->cloexec ? "true" : "false");
	}
	fputs("],\"error\":", stdout);
	json_str_or_null(p->error != NULL, p->error);
	fputs("}\n", stdout);
}

static void
print_header(const struct proc *p)
{
	cli_puts_text(stdout, p->has_comm ? p->comm : "?");
	printf(" (pid %d", (int)p->pid);
	if (p->has_exe) {
		fputs(", ", stdout);
		cli_puts_text(stdout, p->exe);
	}
	putchar(')');
}

void
audit_print_text(const struct proc *p, const struct scan *s, const struct opts *o,
    const char *caller)
{
	size_t i, nlisten = 0;

	if (s->self) {
		if (s->n == 0)
			printf("this command inherited no descriptor%s",
			    o->std ? "" : " beyond 0-2");
		else
			printf("this command inherited %zu descriptor%s",
			    s->n, s->n == 1 ? "" : "s");
		fputs(" (parent: ", stdout);
		cli_puts_text(stdout, caller);
		printf(", pid %d)%s\n", (int)p->ppid, s->n ? ":" : "");
	} else {
		print_header(p);
		if (p->outcome == P_EXITED)
			printf(": %s\n", p->error);
		else if (s->n == 0)
			puts(": clean, no descriptor would leak into a child");
		else
			printf(": %zu descriptor%s would leak into a child:\n",
			    s->n, s->n == 1 ? "" : "s");
	}
	if (s->n > 0)
		printf("%7s  %-9s %s\n", "FD", "KIND", "TARGET");
	for (i = 0; i < s->n; i++) {
		const struct fdrec *r = &s->v[i];

		printf("%7d  %-9s ", r->fd, pi_kind_name(r->kind));
		text_target(s->arena + r->target, r->deleted);
		if (r->listening)
			fputs("  [LISTENING]", stdout);
		if (r->inherited > 0)
			fputs("  [inherited]", stdout);
		putchar('\n');
		nlisten += r->listening;
	}
	if (nlisten > 0)
		printf("  [LISTENING]: %s\n", listen_note);
}
