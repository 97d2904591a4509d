/*
 * audit.c - `noinherit audit`: the descriptors that would leak into a child.
 *
 *   noinherit audit [--std] [--inherited] [--json]
 *       the descriptors this command itself inherited (its caller's leaks)
 *   noinherit audit -p PID... | --all [--std] [--inherited] [--json]
 *       every descriptor of those processes whose close-on-exec flag is clear
 *
 * Per process: one readdir of /proc/PID/fd, one read of fdinfo/N per fd
 * (the "flags:" line says O_CLOEXEC), and a readlink and a stat only for
 * the fds that would leak.  Everything under /proc/PID is opened relative
 * to a descriptor of that directory, which pins the process: if it exits
 * and its pid is reused mid-scan, the lookups fail instead of reading the
 * newcomer.  Socket tables are loaded once per network namespace.  The
 * records of a process go into arrays reused from one process to the next,
 * so the cost is linear in the number of fds, with no malloc per fd.
 *
 * Exit status: 2 if an argument is wrong or any process could not be read
 * (this wins over 1: an audit with holes is not a clean bill), else 1 if
 * anything would leak, else 0.  A process that exits during the scan is
 * reported and counts as clean: it leaks nothing any more.
 *
 * This file holds the arguments and the loop over processes; audit.h names
 * the other parts.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "commands.h"
#include "procinfo.h"

/* ------------------------------------------------------------------ */
/* Arguments                                                           */
/* ------------------------------------------------------------------ */

static const char audit_help[] =
    "usage: noinherit audit [--std] [--inherited] [--json]\n"
    "       noinherit audit -p PID[,PID]... [PID]... [--std] "
    "[--inherited] [--json]\n"
    "       noinherit audit --all [--std] [--inherited] [--json]\n";

static int
usage_error(const char *what, const char *arg)
{
	cli_say("audit", "%s '%.64s' (try --help)", what, arg);
	return -1;
}

/* "12" or "12,34,56": each a pid from 1 to INT_MAX. */
static int
add_pids(struct opts *o, const char *arg)
{
	char num[24];
	const char *p = arg, *comma;
	size_t len;
	long v;

	do {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		v = -1;
		if (len < sizeof num) {
			memcpy(num, p, len);
			num[len] = '\0';
			v = audit_parse_num(num);
		}
		if (v <= 0)
			return usage_error("invalid pid", arg);
		if (audit_grow((void **)&o->pids, &o->pidcap, o->npids + 1,
		    sizeof *o->pids) < 0)
			return usage_error("out of memory at", arg);
		o->pids[o->npids++] = (pid_t)v;
		p = comma + 1;
	} while (comma != NULL);
	return 0;
}

/*
 * Options and operands in the order given ('-' in the optstring): an
 * operand is a pid once -p has come, an error before.  After "--" every
 * word is an operand.  Returns 0, or -1 (said).
 */
static int
parse_args(int argc, char **argv, struct opts *o, bool *help)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "std", no_argument, NULL, 's' },
		{ "inherited", no_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool pmode = false;
	int c;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "-:p:h", longopts)) != -1) {
		switch (c) {
		case 'p':	/* even "-1": said invalid */
			pmode = true;
			if (add_pids(o, optarg) < 0)
				return -1;
			break;
		case 1:
			if (!pmode)
				return usage_error("unexpected argument",
				    optarg);
			if (add_pids(o, optarg) < 0)
				return -1;
			break;
		case 'a': o->all = true; break;
		case 's': o->std = true; break;
		case 'i': o->inherited = true; break;
		case 'j': o->json = true; break;
		case 'h': *help = true; break;
		case ':':
			return usage_error("missing pid after",
			    cli_optword(argv));
		default:
			(void)cli_bad_option("audit", c, argv, NULL);
			return -1;
		}
	}
	for (; optind < argc; optind++) {	/* after "--" */
		if (!pmode)
			return usage_error("unexpected argument",
			    argv[optind]);
		if (add_pids(o, argv[optind]) < 0)
			return -1;
	}
	if (o->all && pmode) {
		cli_say("audit", "-p and --all cannot be used together "
		    "(try --help)");
		return -1;
	}
	return 0;
}

/* Keeps the first of each pid, in the order given. */
static void
dedup_pids(struct opts *o)
{
	size_t i, j, n = 0;

	/* Quadratic only in the pids named on the command line. */
	for (i = 0; i < o->npids; i++) {
		for (j = 0; j < n && o->pids[j] != o->pids[i]; j++)
			;
		if (j == n)
			o->pids[n++] = o->pids[i];
	}
	o->npids = n;
}

/* ------------------------------------------------------------------ */
/* Running                                                             */
/* ------------------------------------------------------------------ */

struct tally {
	size_t scanned, leaking, denied;
	pid_t first_denied;
	int status;
	bool printed;
};

static void
raise_status(struct tally *t, int status)
{
	if (status > t->status)
		t->status = status;
}

/* Text mode: the block of one process, a blank line between blocks. */
static void
report_text(const struct proc *p, const struct scan *s, const struct opts *o,
    struct tally *t)
{
	struct proc parent;
	char buf[1024];

	if (t->printed)
		putchar('\n');
	t->printed = true;
	memset(&parent, 0, sizeof parent);
	strcpy(parent.comm, "?");
	snprintf(buf, sizeof buf, "/proc/%d/stat", (int)p->ppid);
	if (s->self && pi_read_file(buf, buf, sizeof buf) >= 0)
		(void)audit_parse_stat(buf, &parent);
	audit_print_text(p, s, o, parent.comm);
}

/*
 * Scans and reports one process.  With --all, a process gone before it
 * could be opened is skipped, and one this user may not read is counted
 * (and given in --json) but is not an error: --all means "all I can see".
 */
static void
audit_one(pid_t pid, struct scan *s, const struct opts *o, struct tally *t)
{
	struct proc p;

	memset(&p, 0, sizeof p);
	p.pid = pid;
	p.piddir = p.fddir = p.infodir = p.pidfd = p.ppidfd = -1;
	audit_scan_proc(&p, s, o);
	audit_proc_close(&p);
	if (p.outcome == P_GONE && o->all)
		return;
	t->scanned++;
	if (o->json)
		audit_print_json(&p, s);
	if (p.outcome == P_DENIED && o->all) {
		if (t->denied++ == 0)
			t->first_denied = pid;
		return;
	}
	if (p.outcome >= P_GONE) {
		raise_status(t, EXIT_USAGE);
		cli_say("audit", "pid %d: %s", (int)pid, p.error);
		return;
	}
	if (p.outcome == P_LEAKS) {
		t->leaking++;
		raise_status(t, 1);
	}
	if (!o->json && (!o->all || p.outcome == P_LEAKS))
		report_text(&p, s, o, t);
}

static int
audit_all(struct scan *s, const struct opts *o, struct tally *t)
{
	struct dirent *d;
	DIR *dir;
	long pid;

	dir = opendir("/proc");
	if (dir == NULL) {
		cli_say("audit", "/proc: %s", strerror(errno));
		return EXIT_USAGE;
	}
	while ((d = readdir(dir)) != NULL)
		if ((pid = audit_parse_num(d->d_name)) > 0)
			audit_one((pid_t)pid, s, o, t);
	closedir(dir);
	if (t->denied > 0)
		cli_say("audit", "skipped %zu process%s this user may "
		    "not read (pid %d ...)%s", t->denied,
		    t->denied == 1 ? "" : "es", (int)t->first_denied,
		    geteuid() == 0 ? "" : ": run as root to audit them");
	if (!o->json)
		printf("%s%zu processes audited, %zu would leak descriptors "
		    "into a child\n", t->printed ? "\n" : "",
		    t->scanned - t->denied, t->leaking);
	return t->status;
}

/*
 * The fds >= 3 open when this command started: its caller's leaks.  Runs
 * first, before anything is opened; the directory's own fd is left out.
 */
static int
record_inherited(int **fds, size_t *n)
{
	size_t cap = 0;
	struct dirent *d;
	DIR *dir;
	long fd;

	*n = 0;
	dir = opendir("/proc/self/fd");	/* glibc opens it O_CLOEXEC */
	if (dir == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		fd = audit_parse_num(d->d_name);
		if (fd < 3 || fd == dirfd(dir))
			continue;
		if (audit_grow((void **)fds, &cap, *n + 1, sizeof **fds) < 0) {
			closedir(dir);
			errno = ENOMEM;
			return -1;
		}
		(*fds)[(*n)++] = (int)fd;
	}
	closedir(dir);
	return 0;
}

int
cmd_audit(int argc, char **argv)
{
	struct opts o = { 0 };
	struct scan s = { 0 };
	struct tally t = { 0 };
	bool help = false;
	int rec_errno, status;
	size_t i;

	rec_errno = record_inherited(&s.fds, &s.nfds) < 0 ? errno : 0;
	s.only = s.fds;		/* moved out of s.fds below */
	s.nonly = s.nfds;
	s.fds = NULL;
	s.nfds = 0;
	if (parse_args(argc, argv, &o, &help) < 0) {
		status = EXIT_USAGE;
		goto out;
	}
	if (help) {
		status = cli_help("audit", audit_help);
		goto out;
	}
	dedup_pids(&o);
	if (o.all) {
		status = audit_all(&s, &o, &t);
	} else if (o.npids > 0) {
		for (i = 0; i < o.npids; i++)
			audit_one(o.pids[i], &s, &o, &t);
		status = t.status;
	} else if (rec_errno != 0) {
		cli_say("audit", "cannot list this command's descriptors: "
		    "/proc/self/fd: %s", strerror(rec_errno));
		status = EXIT_USAGE;
	} else {
		s.self = true;
		audit_one(getpid(), &s, &o, &t);
		status = t.status;
	}
	status = cli_finish("audit", status);
out:
	audit_scan_free(&s);
	free(o.pids);
	return status;
}
