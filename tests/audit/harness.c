/*
 * harness.c - the shared part of test_audit (harness.h): checks on what a
 * run printed, `noinherit audit` spawned with its output collected, the
 * leaker started and stopped, copies of the command for user nobody, and
 * the temporary directory, removed at exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "leaker.h"

const char *cli, *leaker;
char dir[] = "/tmp/ni-audit-XXXXXX";
int failures;
static char *last_out, *last_err;	/* of the latest run, freed by the next */

/* ------------------------------------------------------------------ */
/* Checks                                                              */
/* ------------------------------------------------------------------ */

void
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FAIL: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	failures++;
}

void
has(const struct run *r, const char *needle)
{
	if (strstr(r->out, needle) == NULL)
		fail("stdout lacks \"%s\"", needle);
}

void
lacks(const struct run *r, const char *needle)
{
	if (strstr(r->out, needle) != NULL)
		fail("stdout has \"%s\"", needle);
}

void
err_has(const struct run *r, const char *needle)
{
	if (strstr(r->err, needle) == NULL)
		fail("stderr lacks \"%s\"", needle);
}

void
status_is(const struct run *r, int want)
{
	if (r->status != want)
		fail("exit status %d, expected %d", r->status, want);
}

/* The text row of fd: "     10  socket    TARGET...". */
void
row(const struct run *r, int fd, const char *kind, const char *target)
{
	char want[4200];

	if (*kind == '\0')
		snprintf(want, sizeof want, "\n%7d  ", fd);	/* any kind */
	else
		snprintf(want, sizeof want, "\n%7d  %-9s %s", fd, kind,
		    target);
	if (strstr(r->out, want) == NULL)
		fail("no row \"%s\"", want + 1);
}

void
no_row(const struct run *r, int fd)
{
	char want[32];

	snprintf(want, sizeof want, "\n%7d  ", fd);
	if (strstr(r->out, want) != NULL)
		fail("a row for fd %d", fd);
}

bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && strcmp(s + n - k, tail) == 0;
}

int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

void
show(const struct run *r)
{
	fprintf(stderr, "--- status %d\n--- stdout\n%s--- stderr\n%s---\n",
	    r->status, r->out, r->err);
}

/* ------------------------------------------------------------------ */
/* Processes                                                           */
/* ------------------------------------------------------------------ */

static char *
slurp(int fd)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t k;

	while (buf != NULL && (k = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)k;
		if (n + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (buf == NULL) {
		perror("slurp");
		exit(1);
	}
	buf[n] = '\0';
	return buf;
}

/* Collects the output of child pid (stdout on o, stderr on e) and waits. */
struct run
collect(pid_t pid, int o, int e)
{
	struct run r;
	int st;

	/* A case looks at one run at a time: the previous one is done. */
	free(last_out);
	free(last_err);
	/* stderr is small: drain stdout first, then stderr (a temp file). */
	r.out = last_out = slurp(o);
	lseek(e, 0, SEEK_SET);
	r.err = last_err = slurp(e);
	close(o);
	close(e);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return r;
}

/*
 * Forks; the child runs before() (if any) and execs argv with stdout on a
 * pipe and stderr on an unlinked temp file.  Everything the test opens is
 * close-on-exec, so the command inherits only what before() leaves.
 */
pid_t
spawn(char *const argv[], void (*before)(void *), void *arg, int *o, int *e)
{
	int p[2];
	pid_t pid;

	*e = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
	if (*e < 0 || pipe2(p, O_CLOEXEC) < 0) {
		perror("spawn");
		exit(1);
	}
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(*e, 2);
		if (before)
			before(arg);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*o = p[0];
	return pid;
}

struct run
run_with(void (*before)(void *), void *arg, char *const argv[])
{
	int o, e;
	pid_t pid = spawn(argv, before, arg, &o, &e);

	return collect(pid, o, e);
}

/* noinherit audit ARGS..., NULL-terminated. */
struct run
audit(const char *first, ...)
{
	char *argv[32];
	const char *a;
	va_list ap;
	int n = 0;

	argv[n++] = (char *)cli;
	argv[n++] = "audit";
	va_start(ap, first);
	for (a = first; a != NULL && n < 31; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	return run_with(NULL, NULL, argv);
}

/* Starts the leaker and waits for its line on the ready pipe. */
struct leaker
start_leaker(const char *mode)
{
	struct leaker l;
	char fdarg[16], line[64] = "";
	size_t len = 0;
	int p[2];
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("pipe2");
		exit(1);
	}
	l.pid = fork();
	if (l.pid == 0) {
		fcntl(p[1], F_SETFD, 0);	/* this one is meant to cross */
		fcntl(LK_PASSED, F_SETFD, 0);
		snprintf(fdarg, sizeof fdarg, "%d", p[1]);
		execl(leaker, leaker, dir, fdarg, mode, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	/* To EOF: the leaker has closed its end, so it holds only its own. */
	while ((n = read(p[0], line + len, sizeof line - 1 - len)) > 0)
		len += (size_t)n;
	line[len] = '\0';
	close(p[0]);
	if (n < 0 || sscanf(line, "%d %d", &l.port, &l.cxport) != 2) {
		fprintf(stderr, "leaker did not start\n");
		exit(1);
	}
	return l;
}

void
stop(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

char *
pidstr(pid_t pid)
{
	static char buf[4][16];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%d", (int)pid);
	return buf[i];
}

/* ------------------------------------------------------------------ */
/* User nobody                                                         */
/* ------------------------------------------------------------------ */

void
become_nobody(void *libdir)
{
	if (libdir != NULL && setenv("LD_LIBRARY_PATH", libdir, 1) < 0)
		_exit(SKIP);
	if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
		_exit(SKIP);
}

/* Copies file `from` to dir/name with mode 0755; false on any failure. */
static bool
copy_to(const char *from, const char *todir, const char *name, char *out,
    size_t cap)
{
	char buf[65536];
	ssize_t n;
	bool ok = true;
	int in, o;

	snprintf(out, cap, "%s/%s", todir, name);
	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	while (o >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		ok = ok && write(o, buf, (size_t)n) == n;
	close(in);
	if (o < 0 || close(o) < 0 || !ok)
		return false;
	return chmod(out, 0755) == 0;
}

/*
 * Where nobody cannot reach the command (a build tree under /root), copies
 * it and the library (NI_LIBNOINHERIT) into a directory nobody can read.
 * Returns the command's copy, or NULL; cdir is the directory.
 */
const char *
cli_for_nobody(char *cdir, size_t dcap, char *copy, size_t ccap)
{
	const char *lib = getenv("NI_LIBNOINHERIT");
	char libcopy[4096];

	snprintf(cdir, dcap, "/tmp/ni-audit-nobody-XXXXXX");
	if (lib == NULL || mkdtemp(cdir) == NULL || chmod(cdir, 0755) < 0)
		return NULL;
	if (!copy_to(cli, cdir, "noinherit", copy, ccap) ||
	    !copy_to(lib, cdir, "libnoinherit.so.0", libcopy, sizeof libcopy))
		return NULL;
	return copy;
}

void
remove_copies(const char *cdir)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/noinherit", cdir);
	unlink(path);
	snprintf(path, sizeof path, "%s/libnoinherit.so.0", cdir);
	unlink(path);
	rmdir(cdir);
}

/* ------------------------------------------------------------------ */
/* Setup and cleanup                                                   */
/* ------------------------------------------------------------------ */

/* The files the leaker makes (LK_GONE_NAME is unlinked already). */
static void
cleanup(void)
{
	static const char *const names[] = { LK_SOCK_NAME, LK_FIFO_NAME,
	    LK_CX_NAME, LK_ODD_NAME, "passed" };
	char path[4200];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	free(last_out);
	free(last_err);
	last_out = last_err = NULL;
}

void
harness_init(const char *cli_path, const char *leaker_path)
{
	cli = cli_path;
	leaker = leaker_path;
	/* What the harness left open must not show up in the audits. */
	syscall(SYS_close_range, 3, ~0U, 0);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	chmod(dir, 0755);
	atexit(cleanup);	/* also after exit(SKIP) */
	prctl(PR_SET_NAME, "test_audit");
}
