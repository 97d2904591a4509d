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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "commands.h"
#include "procinfo.h"

/* ------------------------------------------------------------------ */
/* Arguments                                                           */
/* ------------------------------------------------------------------ */

static void
audit_usage(FILE *f)
{
	fputs("usage: noinherit audit [--std] [--inherited] [--json]\n"
	    "       noinherit audit -p PID[,PID]... [PID]... [--std] "
	    "[--inherited] [--json]\n"
	    "       noinherit audit --all [--std] [--inherited] [--json]\n",
	    f);
}

static int
usage_error(const char *what, const char *arg)
{
	fprintf(stderr, AUDIT "%s '%s' (try --help)\n", what, arg);
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
			v = parse_num(num);
		}
		if (v <= 0)
			return usage_error("invalid pid", arg);
		if (grow((void **)&o->pids, &o->pidcap, o->npids + 1,
		    sizeof *o->pids) < 0)
			return usage_error("out of memory at", arg);
		o->pids[o->npids++] = (pid_t)v;
		p = comma + 1;
	} while (comma != NULL);
	return 0;
}

/* True if a is the option name and no "--" came before it. */
static bool
is_opt(const char *a, const char *name, bool dashdash)
{
	return !dashdash && strcmp(a, name) == 0;
}

static int
parse_args(int argc, char **argv, struct opts *o, bool *help)
{
	bool pmode = false, dd = false;
	const char *pids;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		pids = NULL;
		if (is_opt(a, "--", dd))
			dd = true;
		else if (is_opt(a, "-p", dd) || is_opt(a, "--pid", dd)) {
			if (i + 1 >= argc)
				return usage_error("missing pid after", a);
			pids = argv[++i];	/* even "-1": said invalid */
		} else if (!dd && strncmp(a, "--pid=", 6) == 0)
			pids = a + 6;
		else if (!dd && strncmp(a, "-p", 2) == 0)
			pids = a + 2;
		else if (is_opt(a, "--all", dd))
			o->all = true;
		else if (is_opt(a, "--std", dd))
			o->std = true;
		else if (is_opt(a, "--inherited", dd))
			o->inherited = true;
		else if (is_opt(a, "--json", dd))
			o->json = true;
		else if (is_opt(a, "-h", dd) || is_opt(a, "--help", dd))
			*help = true;
		else if (!dd && a[0] == '-' && a[1] != '\0')
			return usage_error("unknown option", a);
		else if (pmode)
			pids = a;
		else
			return usage_error("unexpected argument", a);
		if (pids != NULL) {
			pmode = true;
			if (add_pids(o, pids) < 0)
				return -1;
		}
	}
	if (o->all && pmode) {
		fprintf(stderr, AUDIT "-p and --all cannot be used together "
		    "(try --help)\n");
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
		(void)parse_stat(buf, &parent);
	print_text(p, s, o, parent.comm);
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
	scan_proc(&p, s, o);
	proc_close(&p);
	if (p.outcome == P_GONE && o->all)
		return;
	t->scanned++;
	if (o->json)
		print_json(&p, s);
	if (p.outcome == P_DENIED && o->all) {
		if (t->denied++ == 0)
			t->first_denied = pid;
		return;
	}
	if (p.outcome >= P_GONE) {
		raise_status(t, EXIT_USAGE);
		fprintf(stderr, AUDIT "pid %d: %s\n", (int)pid, p.error);
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
		fprintf(stderr, AUDIT "/proc: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	while ((d = readdir(dir)) != NULL)
		if ((pid = parse_num(d->d_name)) > 0)
			audit_one((pid_t)pid, s, o, t);
	closedir(dir);
	if (t->denied > 0)
		fprintf(stderr, AUDIT "skipped %zu process%s this user may "
		    "not read (pid %d ...)%s\n", t->denied,
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
		fd = parse_num(d->d_name);
		if (fd < 3 || fd == dirfd(dir))
			continue;
		if (grow((void **)fds, &cap, *n + 1, sizeof **fds) < 0) {
			closedir(dir);
			errno = ENOMEM;
			return -1;
		}
		(*fds)[(*n)++] = (int)fd;
	}
	closedir(dir);
	return 0;
}

static int
finish(int status)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	fprintf(stderr, AUDIT "write error: %s\n", strerror(errno ? errno :
	    EIO));
	return EXIT_USAGE;
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
		audit_usage(stdout);
		status = finish(0);
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
		fprintf(stderr, AUDIT "cannot list this command's descriptors: "
		    "/proc/self/fd: %s\n", strerror(rec_errno));
		status = EXIT_USAGE;
	} else {
		s.self = true;
		audit_one(getpid(), &s, &o, &t);
		status = t.status;
	}
	status = finish(status);
out:
	scan_free(&s);
	free(o.pids);
	return status;
}
