/*
 * exec_harness.h - what the test_exec_*.c programs share: running the real
 * `noinherit exec` (NOINHERIT_PATH) with a descriptor table built for each
 * test, collecting its output and status, and reading what the command it
 * execs (tests/reporter) reports: the numbers, and what each one is
 * (inode, and the first line of a file), so that a swap is told from no
 * change by content.
 *
 * A descriptor can only reach noinherit inheritable (its exec closes the
 * others); a slot marked cloexec is made close-on-exec inside noinherit,
 * before its main(), by the ni_setcloexec preload (setcloexec.c).
 *
 * The harness itself uses only the plain calls (fcntl(F_DUPFD) then
 * F_SETFD, pipe() then F_SETFD, dup2) so that the same tests run under
 * ni_sandbox, where the atomic close-on-exec forms are refused.  Every
 * descriptor a test program opens is close-on-exec: noinherit gets 0, 1, 2
 * and the `slots` of its test, nothing else.
 *
 * A program defines _GNU_SOURCE and includes this first.
 *
 * Header-only, and the helpers are static inline, for the reason asserts.h
 * gives: each assertion must be compiled into the program that runs it.
 */
#ifndef NI_EXEC_HARNESS_H
#define NI_EXEC_HARNESS_H

#include "asserts.h"

#include <stdlib.h>
#include <sys/wait.h>

#ifndef NOINHERIT_PATH
#error "NOINHERIT_PATH must name the noinherit command"
#endif
#ifndef REPORTER_PATH
#error "REPORTER_PATH must name tests/reporter"
#endif
#ifndef SETCLOEXEC_PATH
#error "SETCLOEXEC_PATH must name the ni_setcloexec preload module"
#endif

/* Where the harness parks its own descriptors while it sets up the child:
 * above every slot number a test uses, below a hard limit of 1024. */
#define PARK 512
#define HIGH_FD 400	/* a slot above the lowered soft RLIMIT_NOFILE */

/* noinherit's descriptor dst gets the test's src (or is closed). */
struct slot {
	int src;
	int dst;
	bool cloexec;	/* noinherit has dst close-on-exec (the preload) */
};
#define CLOSED (-2)
#define SLOTS_END { -1, -1, false }

struct run {
	const char *prog;		/* NULL: noinherit */
	const struct slot *slots;	/* SLOTS_END-terminated, or NULL */
	rlim_t nofile;			/* noinherit's soft RLIMIT_NOFILE, 0: as is */
	char out[16384];			/* its fd 1 and 2 unless a slot moves them */
	char err[4096];
	int status;			/* exit status, or 1000 + signal */
};

/* ------------------------------------------------------------------ */
/* Harness                                                             */
/* ------------------------------------------------------------------ */

static inline void
set_cloexec(int fd)
{
	assert_int_equal(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
}

/* A close-on-exec copy of fd at PARK or above. */
static inline int
park(int fd)
{
	int p = fcntl(fd, F_DUPFD, PARK);

	assert_true(p >= PARK);
	set_cloexec(p);
	return p;
}

static inline int
open_cloexec(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	set_cloexec(fd);	/* O_CLOEXEC may be stripped by the sandbox */
	return fd;
}

/* path, opened at PARK or above. */
static inline int
park_open(const char *path, int flags)
{
	int fd = open_cloexec(path, flags), p = park(fd);

	close(fd);
	return p;
}

/* A file holding text, open read-only and close-on-exec. */
static inline int
open_text(const char *prefix, const char *text)
{
	char path[PATH_MAX];

	return open_cloexec(tu_make_file(path, prefix, text), O_RDONLY);
}

static inline void
make_pipe(int fds[2])
{
	assert_int_equal(pipe(fds), 0);
	set_cloexec(fds[0]);
	set_cloexec(fds[1]);
}

static inline void
read_file(const char *path, char *buf, size_t size)
{
	int fd = open_cloexec(path, O_RDONLY);
	ssize_t n = read(fd, buf, size - 1);

	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

/* In the forked child: builds noinherit's table and execs it. */
static inline void
child(const struct run *r, const int *parked, int null, int out, int err,
      char **argv)
{
	struct rlimit rl;
	char list[256] = "";
	size_t len = 0;
	int i;

	if (dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(99);
	for (i = 0; r->slots != NULL && r->slots[i].dst >= 0; i++) {
		const struct slot *s = &r->slots[i];

		if (s->src == CLOSED) {
			(void)close(s->dst);
			continue;
		}
		if (dup2(parked[i], s->dst) < 0)
			_exit(99);
		if (s->cloexec && len < sizeof list)
			len += (size_t)snprintf(list + len, sizeof list - len,
			    " %d", s->dst);
	}
	if (len > 0 && (len >= sizeof list ||
	    setenv("NI_TEST_CLOEXEC_FDS", list, 1) != 0 ||
	    setenv("LD_PRELOAD", SETCLOEXEC_PATH, 1) != 0))
		_exit(99);
	if (r->nofile != 0) {
		if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
			_exit(99);
		rl.rlim_cur = r->nofile;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			_exit(99);
	}
	execv(argv[0], argv);
	_exit(98);
}

/* Runs `noinherit ARGS...` as r describes; fills r->out, err, status. */
static inline void
run_cli(struct run *r, const char *const args[])
{
	char outpath[PATH_MAX], errpath[PATH_MAX];
	char *argv[64];
	int parked[32], null, out, err, st, i, n = 0;
	pid_t pid;

	argv[n++] = (char *)(r->prog != NULL ? r->prog : NOINHERIT_PATH);
	for (i = 0; args[i] != NULL; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	for (i = 0; r->slots != NULL && r->slots[i].dst >= 0; i++)
		parked[i] = r->slots[i].src == CLOSED ? -1 :
		    park(r->slots[i].src);
	null = park_open("/dev/null", O_RDWR);
	out = park_open(tu_path_unique(outpath, "out"),
	    O_WRONLY | O_CREAT | O_TRUNC);
	err = park_open(tu_path_unique(errpath, "err"),
	    O_WRONLY | O_CREAT | O_TRUNC);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(r, parked, null, out, err, argv);
	while (i-- > 0)
		if (parked[i] >= 0)
			close(parked[i]);
	close(null);
	close(out);
	close(err);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
	read_file(outpath, r->out, sizeof r->out);
	read_file(errpath, r->err, sizeof r->err);
	if (r->status == 98 || r->status == 99)
		fail_msg("the harness could not start %s", argv[0]);
}

/* The reporter's first line, the descriptors it received, is want. */
static inline void
assert_received(const char *out, const char *want)
{
	char fds[1024];

	if (tu_report_fds(out, fds, sizeof fds) != 0)
		fail_msg("no report from the reporter: \"%.200s\"", out);
	assert_string_equal(fds, want);
}

/* What the reporter wrote: its "fd" lines, one per descriptor open. */
struct report {
	int n;
	int fd[64];
	unsigned long long dev[64], ino[64];
	int cloexec[64];
	char text[64][64];
	char fds[256];	/* "0 1 2 5" */
};

static inline void
read_report(const char *path, struct report *rep)
{
	char buf[16384], *line, *save = NULL;
	size_t len = 0;

	read_file(path, buf, sizeof buf);
	memset(rep, 0, sizeof *rep);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		int k;

		if (strncmp(line, "fd ", 3) != 0)
			continue;
		k = rep->n++;
		assert_true(k < 64);
		assert_int_equal(sscanf(line + 3, "%d %llu %llu %d %63s",
		    &rep->fd[k], &rep->dev[k], &rep->ino[k], &rep->cloexec[k],
		    rep->text[k]), 5);
		len += (size_t)snprintf(rep->fds + len, sizeof rep->fds - len,
		    k ? " %d" : "%d", rep->fd[k]);
	}
}

static inline int
report_index(const struct report *rep, int fd)
{
	int k;

	for (k = 0; k < rep->n; k++)
		if (rep->fd[k] == fd)
			return k;
	fail_msg("fd %d did not arrive (got: %s)", fd, rep->fds);
	return -1;
}

/* fd arrived, and is the same file (device and inode) as ours. */
static inline void
assert_same_file(const struct report *rep, int fd, int ours)
{
	struct stat st;
	int k = report_index(rep, fd);

	assert_int_equal(fstat(ours, &st), 0);
	if (rep->dev[k] != (unsigned long long)st.st_dev ||
	    rep->ino[k] != (unsigned long long)st.st_ino)
		fail_msg("fd %d is inode %llu, expected %llu", fd, rep->ino[k],
		    (unsigned long long)st.st_ino);
}

#define assert_text(rep, fd, s) \
	assert_string_equal((rep)->text[report_index((rep), (fd))], (s))

/* Reads what is in a pipe or socket now (the writers are gone or done). */
static inline void
drain(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0) {
		len += (size_t)n;
		if (buf[len - 1] == '\n')
			break;
	}
	buf[len] = '\0';
}

#endif /* NI_EXEC_HARNESS_H */
