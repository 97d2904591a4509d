/*
 * spawn_harness.h - what the test_spawn_*.c programs share: starting the
 * reporter (REPORTER_PATH) through ni_spawn, reading its
 * report, and the checks every spawn must pass whatever it tests: this
 * process's descriptor table (numbers and flags) is the same after the
 * call as before, and no child is left behind (waitpid(-1, WNOHANG|__WALL)
 * fails with ECHILD once the test has reaped what it started).
 *
 * The harness makes its own descriptors with the plain calls (pipe(),
 * socketpair(), then F_SETFD; open with O_CLOEXEC), every one of them
 * close-on-exec, so that the same programs run under ni_sandbox (which
 * refuses the atomic forms) and so that a child started with close_fds
 * false receives only what a test made inheritable on purpose.
 *
 * A program defines _GNU_SOURCE and includes this first.  Header-only,
 * static inline, for the reason asserts.h gives.
 */
#ifndef NI_SPAWN_HARNESS_H
#define NI_SPAWN_HARNESS_H

#include "asserts.h"
#include "fdscan.h"
#include "noinherit.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>

#ifndef REPORTER_PATH
#error "REPORTER_PATH must name tests/reporter"
#endif

/* What *pid holds before a call that must leave it untouched. */
#define SENTINEL_PID ((pid_t)-4242)

/* ------------------------------------------------------------------ */
/* Descriptors, made without the library, all close-on-exec            */
/* ------------------------------------------------------------------ */

static inline void
sp_cloexec(int fd, bool on)
{
	assert_int_equal(fcntl(fd, F_SETFD, on ? FD_CLOEXEC : 0), 0);
}

/*
 * Where the harness keeps what it makes: at SP_HIGH or above, out of the
 * way of the low numbers the tests place descriptors on (a pipe made at
 * 3 and 4 would otherwise be overwritten by a test's dup2 onto 3).
 */
#define SP_HIGH 200

/* fd moved to SP_HIGH or above, close-on-exec (plain F_DUPFD: the
 * sandbox refuses F_DUPFD_CLOEXEC). */
static inline int
sp_high(int fd)
{
	int h;

	assert_true(fd >= 0);
	h = fcntl(fd, F_DUPFD, SP_HIGH);
	assert_true(h >= SP_HIGH);
	sp_cloexec(h, true);
	close(fd);
	return h;
}

static inline void
sp_pipe(int p[2])
{
	assert_int_equal(pipe(p), 0);
	p[0] = sp_high(p[0]);
	p[1] = sp_high(p[1]);
}

static inline void
sp_socketpair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	sv[0] = sp_high(sv[0]);
	sv[1] = sp_high(sv[1]);
}

/* A fresh file holding text, open O_RDWR and close-on-exec. */
static inline int
sp_open_text(const char *prefix, const char *text)
{
	char path[PATH_MAX];

	return sp_high(open(tu_make_file(path, prefix, text),
	    O_RDWR | O_CLOEXEC));
}

/* fd copied onto exactly target, with the flag asked. */
static inline int
sp_dup_at(int fd, int target, bool cloexec)
{
	assert_int_equal(dup2(fd, target), target);
	sp_cloexec(target, cloexec);
	return target;
}

/* Reads what is in a pipe or socket up to a newline or end of file. */
static inline void
sp_drain(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		if (len >= size - 1)
			break;
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (buf[len - 1] == '\n')
			break;
	}
	buf[len] = '\0';
}

/* ------------------------------------------------------------------ */
/* This process: descriptor table, children                            */
/* ------------------------------------------------------------------ */

/* The open descriptors and their close-on-exec flags. */
struct fdtab {
	struct fdscan l;
	char *cloexec;
};

static inline void
fdtab_take(struct fdtab *t)
{
	size_t i;

	memset(t, 0, sizeof *t);
	assert_int_equal(fdscan(&t->l), 0);
	t->cloexec = calloc(t->l.n + 1, 1);
	assert_non_null(t->cloexec);
	for (i = 0; i < t->l.n; i++)
		t->cloexec[i] = (char)tu_is_cloexec(t->l.v[i]);
}

static inline void
fdtab_free(struct fdtab *t)
{
	fdscan_free(&t->l);
	free(t->cloexec);
	t->cloexec = NULL;
}

/* Where b differs from a, in words into msg; false if it does not. */
static inline bool
fdtab_differs(const struct fdtab *a, const struct fdtab *b, char *msg,
    size_t size)
{
	size_t i;

	for (i = 0; i < a->l.n || i < b->l.n; i++) {
		if (i >= b->l.n || (i < a->l.n && a->l.v[i] < b->l.v[i])) {
			snprintf(msg, size, "fd %d was closed", a->l.v[i]);
			return true;
		}
		if (i >= a->l.n || b->l.v[i] < a->l.v[i]) {
			snprintf(msg, size, "fd %d appeared", b->l.v[i]);
			return true;
		}
		if (a->cloexec[i] != b->cloexec[i]) {
			snprintf(msg, size, "fd %d: close-on-exec %d, was %d",
			    a->l.v[i], b->cloexec[i], a->cloexec[i]);
			return true;
		}
	}
	return false;
}

/* The table now is *before, fd for fd and flag for flag; frees before. */
static inline void
assert_fdtab_same(struct fdtab *before)
{
	struct fdtab now;
	char msg[128];
	bool differs;

	fdtab_take(&now);
	differs = fdtab_differs(before, &now, msg, sizeof msg);
	fdtab_free(&now);
	fdtab_free(before);
	if (differs)
		fail_msg("our descriptor table changed: %s", msg);
}

/* Waits for pid (EINTR retried): its exit status, or 1000 + signal. */
static inline int
sp_wait(pid_t pid)
{
	int st;
	pid_t r;

	while ((r = waitpid(pid, &st, __WALL)) < 0 && errno == EINTR)
		;
	assert_int_equal(r, pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

/* No child of ours exists: none running, no zombie (__WALL: clone
 * children whose exit signal is not SIGCHLD too). */
static inline void
assert_no_children(void)
{
	int st, e;
	pid_t r;

	errno = 0;
	r = waitpid(-1, &st, WNOHANG | __WALL);
	e = errno;
	if (r > 0)
		fail_msg("child %ld was left as a zombie", (long)r);
	if (r == 0)
		fail_msg("a child is still running");
	assert_errno_is(e, ECHILD);
}

/* SIGCHLD arrivals, to tell "no child was ever made" from "made and
 * reaped". */
static volatile sig_atomic_t sp_chld_seen;
static struct sigaction sp_chld_old;

static inline void
sp_chld_handler(int sig)
{
	(void)sig;
	sp_chld_seen++;
}

static inline void
sp_chld_count_start(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sp_chld_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sp_chld_seen = 0;
	assert_int_equal(sigaction(SIGCHLD, &sa, &sp_chld_old), 0);
}

static inline int
sp_chld_count_stop(void)
{
	assert_int_equal(sigaction(SIGCHLD, &sp_chld_old, NULL), 0);
	return sp_chld_seen;
}

/* ------------------------------------------------------------------ */
/* The report                                                          */
/* ------------------------------------------------------------------ */

#define MAXREP 256

struct report {
	long pid, ppid, pgid, sid;
	unsigned umask;
	char cwd[PATH_MAX];
	unsigned long long ign, cgt, blk, pnd;
	bool proc;
	unsigned long long proc_ign, proc_cgt, proc_blk;
	int argc, envc, nenv, nfd;
	char argv[16][128];
	char env[8][256];
	int fd[MAXREP], cloexec[MAXREP];
	unsigned long long dev[MAXREP], ino[MAXREP];
	char text[MAXREP][64];
	char fds[512];		/* "0 1 2 5", "..." if cut short */
	bool end;
};

static inline void
parse_report_line(struct report *r, char *line, size_t *fdlen)
{
	char *sp = strchr(line, ' '), *v;
	int k;

	if (strcmp(line, "end") == 0) {
		r->end = true;
		return;
	}
	assert_non_null(sp);
	*sp = '\0';
	v = sp + 1;
	if (strcmp(line, "pid") == 0)
		r->pid = atol(v);
	else if (strcmp(line, "ppid") == 0)
		r->ppid = atol(v);
	else if (strcmp(line, "pgid") == 0)
		r->pgid = atol(v);
	else if (strcmp(line, "sid") == 0)
		r->sid = atol(v);
	else if (strcmp(line, "umask") == 0)
		r->umask = (unsigned)strtoul(v, NULL, 8);
	else if (strcmp(line, "cwd") == 0)
		snprintf(r->cwd, sizeof r->cwd, "%s", v);
	else if (strcmp(line, "ign") == 0)
		r->ign = strtoull(v, NULL, 16);
	else if (strcmp(line, "cgt") == 0)
		r->cgt = strtoull(v, NULL, 16);
	else if (strcmp(line, "blk") == 0)
		r->blk = strtoull(v, NULL, 16);
	else if (strcmp(line, "pnd") == 0)
		r->pnd = strtoull(v, NULL, 16);
	else if (strcmp(line, "proc_ign") == 0)
		r->proc = true, r->proc_ign = strtoull(v, NULL, 16);
	else if (strcmp(line, "proc_cgt") == 0)
		r->proc_cgt = strtoull(v, NULL, 16);
	else if (strcmp(line, "proc_blk") == 0)
		r->proc_blk = strtoull(v, NULL, 16);
	else if (strcmp(line, "argc") == 0)
		r->argc = atoi(v);
	else if (strcmp(line, "argv") == 0) {
		k = atoi(v);
		v = strchr(v, ' ');
		assert_non_null(v);
		if (k >= 0 && k < 16)
			snprintf(r->argv[k], sizeof r->argv[k], "%s", v + 1);
	} else if (strcmp(line, "envc") == 0)
		r->envc = atoi(v);
	else if (strcmp(line, "env") == 0) {
		if (r->nenv < 8)
			snprintf(r->env[r->nenv++], sizeof r->env[0], "%s", v);
	} else if (strcmp(line, "fd") == 0) {
		int fd;

		k = r->nfd++;
		fd = atoi(v);
		if (*fdlen < sizeof r->fds - 16)
			*fdlen += (size_t)snprintf(r->fds + *fdlen,
			    sizeof r->fds - *fdlen, k ? " %d" : "%d", fd);
		else if (strstr(r->fds, "...") == NULL)
			strcat(r->fds, " ...");
		if (k >= MAXREP)
			return;
		assert_int_equal(sscanf(v, "%d %llu %llu %d %63s", &r->fd[k],
		    &r->dev[k], &r->ino[k], &r->cloexec[k], r->text[k]), 5);
	}
}

static inline void
read_report(const char *path, struct report *r)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, cap = 0, fdlen = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		fail_msg("no report at %s: %s", path, strerror(errno));
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 16384;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = read(fd, buf + len, cap - len - 1);
		assert_true(n >= 0);
		len += (size_t)n;
	} while (n > 0);
	close(fd);
	buf[len] = '\0';
	memset(r, 0, sizeof *r);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		parse_report_line(r, line, &fdlen);
	free(buf);
	if (!r->end)
		fail_msg("report %s is cut short", path);
}

/* Where fd is in the report, or -1 if the child did not receive it. */
static inline int
report_index(const struct report *r, int fd)
{
	int k;

	for (k = 0; k < r->nfd && k < MAXREP; k++)
		if (r->fd[k] == fd)
			return k;
	return -1;
}

static inline int
report_must_have(const struct report *r, int fd)
{
	int k = report_index(r, fd);

	if (k < 0)
		fail_msg("fd %d did not arrive (got: %s)", fd, r->fds);
	return k;
}

#define assert_fds(r, s) do {                                                \
	if (strcmp((r)->fds, (s)) != 0)                                      \
		fail_msg("child received fds \"%s\", expected \"%s\"",        \
		    (r)->fds, (s));                                          \
} while (0)

/* fd arrived, inheritable, and is the same file (device, inode) as ours. */
static inline void
assert_same_file(const struct report *r, int fd, int ours)
{
	struct stat st;
	int k = report_must_have(r, fd);

	assert_int_equal(fstat(ours, &st), 0);
	if (r->dev[k] != (unsigned long long)st.st_dev ||
	    r->ino[k] != (unsigned long long)st.st_ino)
		fail_msg("child fd %d is inode %llu, expected %llu (our fd %d)",
		    fd, r->ino[k], (unsigned long long)st.st_ino, ours);
	if (r->cloexec[k] != 0)
		fail_msg("child fd %d arrived close-on-exec", fd);
}

#define assert_text(r, fd, s) \
	assert_string_equal((r)->text[report_must_have((r), (fd))], (s))

/* ------------------------------------------------------------------ */
/* Spawning the reporter                                               */
/* ------------------------------------------------------------------ */

/* argv for reporter: { file-name, "--out", out, extra..., NULL } in v[]. */
static inline char **
sp_argv(char *v[], int room, const char *argv0, const char *out,
    const char *const *extra)
{
	int n = 0;

	v[n++] = (char *)argv0;
	v[n++] = (char *)"--out";
	v[n++] = (char *)out;
	while (extra != NULL && *extra != NULL) {
		assert_true(n < room - 1);
		v[n++] = (char *)*extra++;
	}
	v[n] = NULL;
	return v;
}

/*
 * ni_spawn(reporter OUT extra...) with o and envp, which must succeed
 * without touching this process's descriptor table; the child must exit 0
 * and leave no trace.  Fills *r; returns the child's pid.
 */
static inline pid_t
spawn_report(const ni_spawn_opts *o, char *const envp[],
    const char *const *extra, struct report *r)
{
	char out[PATH_MAX], *argv[40];
	struct fdtab before;
	pid_t pid = SENTINEL_PID;
	int rc, e, st;

	tu_path_unique(out, "report");
	sp_argv(argv, 40, REPORTER_PATH, out, extra);
	fdtab_take(&before);
	errno = 0;
	rc = ni_spawn(&pid, REPORTER_PATH, argv, envp, o);
	e = errno;
	if (rc != 0)
		fail_msg("ni_spawn returned %d, errno %d (%s)", rc, e,
		    strerror(e));
	assert_true(pid > 0);
	assert_fdtab_same(&before);
	st = sp_wait(pid);
	if (st != 0)
		fail_msg("reporter exited with status %d", st);
	read_report(out, r);
	assert_int_equal(r->pid, (long)pid);
	assert_no_children();
	return pid;
}

/*
 * call must fail with e: -1, *pid still SENTINEL_PID (pidp names it),
 * this process's descriptor table unchanged, no child left.
 */
#define assert_spawn_fails(call, pidp, e) do {                               \
	struct fdtab before_;                                                \
	int rc_, e_;                                                         \
	*(pidp) = SENTINEL_PID;                                              \
	fdtab_take(&before_);                                                \
	errno = 0;                                                           \
	rc_ = (call);                                                        \
	e_ = errno;                                                          \
	assert_int_equal(rc_, -1);                                           \
	assert_errno_is(e_, e);                                              \
	assert_int_equal(*(pidp), SENTINEL_PID);                             \
	assert_fdtab_same(&before_);                                         \
	assert_no_children();                                                \
} while (0)

/* New options, or fail. */
static inline ni_spawn_opts *
sp_opts(void)
{
	ni_spawn_opts *o = ni_spawn_opts_new();

	assert_non_null(o);
	return o;
}

#endif /* NI_SPAWN_HARNESS_H */
