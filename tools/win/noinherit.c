/*
 * noinherit.c - the noinherit command on Windows: `audit` lists the handles
 * that would leak into a child (HANDLE_FLAG_INHERIT set), in this command
 * (what its caller leaked into it) or in running processes.
 *
 * Exit status: 2 if an argument is wrong or any process could not be read,
 * else 1 if a handle would leak, else 0 (as on POSIX: tools/audit.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <noinherit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handles.h"
#include "cli.h"

#define EXIT_USAGE 2

struct opts {
	bool json, std;
	DWORD *pids;
	size_t npids;
};

static void
usage(FILE *f)
{
	fputs("usage: noinherit audit [-p PID...] [--std] [--json]\n"
	    "       noinherit -h | --help\n"
	    "       noinherit -V | --version\n"
	    "\n"
	    "audit         handles that would leak into a child: this command's\n"
	    "              own inherited ones (its caller's leaks), or with -p\n"
	    "              those of running processes\n"
	    "  -p PID...   the processes to read\n"
	    "  --std       count the standard handles too\n"
	    "  --json      one JSON object a process\n", f);
}

static const char *
why(DWORD err)
{
	switch (err) {
	case ERROR_INVALID_PARAMETER:	return "no such process";
	case ERROR_ACCESS_DENIED:	return "access denied";
	case ERROR_NOT_ENOUGH_MEMORY:	return "out of memory";
	default:			return "cannot be read";
	}
}

/*
 * Text for a terminal (cli.h).  Unlike the POSIX command's, a backslash
 * stays one: it is the path separator here.
 */
static void
put_text(const char *str)
{
	cli_put_text(stdout, str, strlen(str), CLI_TEXT_KEEP_BACKSLASH);
}

static bool
leaks(const struct opts *o, const struct wa_handle *h)
{
	return o->std || !h->std;
}

static void
print_json(const struct opts *o, const struct wa_proc *p)
{
	printf("{\"pid\":%lu,\"exe\":", p->pid);
	cli_puts_json(stdout, p->exe);
	fputs(",\"handles\":[", stdout);
	bool first = true;
	for (size_t i = 0; i < p->n; i++) {
		const struct wa_handle *h = &p->h[i];
		if (!leaks(o, h))
			continue;
		printf("%s{\"handle\":%llu,\"type\":", first ? "" : ",",
		    (unsigned long long)h->value);
		cli_puts_json(stdout, h->type);
		fputs(",\"kind\":", stdout);
		cli_puts_json(stdout, h->kind);
		fputs(",\"name\":", stdout);
		cli_puts_json(stdout, h->name);
		printf(",\"std\":%s}", h->std ? "true" : "false");
		first = false;
	}
	fputs("],\"error\":", stdout);
	cli_puts_json(stdout, p->error ? why(p->error) : NULL);
	fputs("}\n", stdout);
}

/* How many of p's handles would leak. */
static size_t
count_leaks(const struct opts *o, const struct wa_proc *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += leaks(o, &p->h[i]);
	return n;
}

/* Prints p, whose n handles would leak. */
static void
print_text(const struct opts *o, const struct wa_proc *p, size_t n, bool self)
{
	if (self) {
		printf("this command inherited %zu handle%s%s", n,
		    n == 1 ? "" : "s", o->std ? "" : " beyond the standard ones");
	} else {
		printf("pid %lu (", p->pid);
		put_text(p->exe ? p->exe : "?");
		printf("): %zu handle%s would leak into a child", n,
		    n == 1 ? "" : "s");
	}
	if (n == 0) {
		puts("");
		return;
	}
	puts(":\n      HANDLE  TYPE                  KIND  NAME");
	for (size_t i = 0; i < p->n; i++) {
		const struct wa_handle *h = &p->h[i];
		if (!leaks(o, h))
			continue;
		printf("  %10llx  %-20s  %-4s  ", (unsigned long long)h->value,
		    h->type, h->kind ? h->kind : "-");
		put_text(h->name ? h->name : "-");
		putchar('\n');
	}
}

static int
audit(const struct opts *o)
{
	void *snap = wa_snapshot();
	if (snap == NULL) {
		fprintf(stderr, "noinherit: audit: the handle table cannot be "
		    "read (error %lu)\n", GetLastError());
		return EXIT_USAGE;
	}
	bool self = o->npids == 0;
	DWORD me = GetCurrentProcessId();
	const DWORD *pids = self ? &me : o->pids;
	size_t npids = self ? 1 : o->npids;
	int status = 0;
	for (size_t i = 0; i < npids; i++) {
		struct wa_proc p;
		bool ok = wa_read(snap, pids[i], &p);
		if (!ok) {
			fprintf(stderr, "noinherit: audit: pid %lu: %s\n",
			    pids[i], why(p.error));
			status = EXIT_USAGE;
		}
		size_t n = count_leaks(o, &p);
		if (o->json)
			print_json(o, &p);
		else if (ok)
			print_text(o, &p, n, self);
		if (n > 0 && status == 0)
			status = 1;
		wa_free(&p);
	}
	free(snap);
	return status;
}

static int
parse_pid(const char *s, DWORD *pid)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != 0 || errno != 0 || v == 0 ||
	    v > 0xffffffffUL)
		return -1;
	*pid = (DWORD)v;
	return 0;
}

int
main(int argc, char **argv)
{
	_setmode(1, _O_BINARY);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("noinherit %s\n", ni_version());
		return 0;
	}
	if (strcmp(argv[1], "audit") != 0) {
		fprintf(stderr, "noinherit: unknown command '%s' (on Windows: "
		    "audit)\n", argv[1]);
		return EXIT_USAGE;
	}
	struct opts o = { 0 };
	o.pids = calloc((size_t)argc, sizeof *o.pids);
	if (o.pids == NULL) {
		fputs("noinherit: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	bool in_pids = false;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			o.json = true;
			in_pids = false;
		} else if (strcmp(argv[i], "--std") == 0) {
			o.std = true;
			in_pids = false;
		} else if (strcmp(argv[i], "-p") == 0) {
			in_pids = true;
		} else if (in_pids && parse_pid(argv[i], &o.pids[o.npids]) == 0) {
			o.npids++;
		} else {
			fprintf(stderr, "noinherit: audit: bad argument '%s'\n",
			    argv[i]);
			free(o.pids);
			return EXIT_USAGE;
		}
	}
	if (in_pids && o.npids == 0) {
		fputs("noinherit: audit: -p needs a process id\n", stderr);
		free(o.pids);
		return EXIT_USAGE;
	}
	int status = audit(&o);
	free(o.pids);
	return status;
}
