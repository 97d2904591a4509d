/*
 * test_exec - `noinherit exec`, observed from outside: each test runs the
 * real command (NOINHERIT_PATH) with a descriptor table built for it, and
 * the command it execs reports what it received: fdcheck the numbers,
 * fdreport (this directory) also what each one is (inode, and the first
 * line of a file), so that a swap is told from no change by content.
 *
 * A descriptor can only reach noinherit inheritable (its exec closes the
 * others); a slot marked cloexec is made close-on-exec inside noinherit,
 * before its main(), by the ni_setcloexec preload (setcloexec.c).
 *
 * The harness itself uses only the plain calls (fcntl(F_DUPFD) then
 * F_SETFD, pipe() then F_SETFD, dup2) so that the same tests run under
 * ni_sandbox, where the atomic close-on-exec forms are refused.  Every
 * descriptor this program opens is close-on-exec: noinherit gets 0, 1, 2
 * and the `slots` of its test, nothing else.
 *
 * `test_exec NAME` runs one test (one ctest entry each, exec.NAME).
 */
#define _GNU_SOURCE
#include "asserts.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>

#ifndef NOINHERIT_PATH
#error "NOINHERIT_PATH must name the noinherit command"
#endif
#ifndef FDREPORT_PATH
#error "FDREPORT_PATH must name the fdreport helper"
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
	char out[4096];			/* its fd 1 and 2 unless a slot moves them */
	char err[4096];
	int status;			/* exit status, or 1000 + signal */
};

/* ------------------------------------------------------------------ */
/* Harness                                                             */
/* ------------------------------------------------------------------ */

static void
set_cloexec(int fd)
{
	assert_int_equal(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
}

/* A close-on-exec copy of fd at PARK or above. */
static int
park(int fd)
{
	int p = fcntl(fd, F_DUPFD, PARK);

	assert_true(p >= PARK);
	set_cloexec(p);
	return p;
}

static int
open_cloexec(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	set_cloexec(fd);	/* O_CLOEXEC may be stripped by the sandbox */
	return fd;
}

/* path, opened at PARK or above. */
static int
park_open(const char *path, int flags)
{
	int fd = open_cloexec(path, flags), p = park(fd);

	close(fd);
	return p;
}

/* A file holding text, open read-only and close-on-exec. */
static int
open_text(const char *prefix, const char *text)
{
	char path[PATH_MAX];

	return open_cloexec(tu_make_file(path, prefix, text), O_RDONLY);
}

static void
make_pipe(int fds[2])
{
	assert_int_equal(pipe(fds), 0);
	set_cloexec(fds[0]);
	set_cloexec(fds[1]);
}

static void
read_file(const char *path, char *buf, size_t size)
{
	int fd = open_cloexec(path, O_RDONLY);
	ssize_t n = read(fd, buf, size - 1);

	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

/* In the forked child: builds noinherit's table and execs it. */
static void
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
static void
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

/* What fdreport wrote: one line per descriptor it received. */
struct report {
	int n;
	int fd[64];
	unsigned long long dev[64], ino[64];
	int cloexec[64];
	char text[64][64];
	char fds[256];	/* "0 1 2 5" */
};

static void
read_report(const char *path, struct report *rep)
{
	char buf[4096], *line, *save = NULL;
	size_t len = 0;

	read_file(path, buf, sizeof buf);
	memset(rep, 0, sizeof *rep);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		int k = rep->n++;

		assert_true(k < 64);
		assert_int_equal(sscanf(line, "%d %llu %llu %d %63s",
		    &rep->fd[k], &rep->dev[k], &rep->ino[k], &rep->cloexec[k],
		    rep->text[k]), 5);
		len += (size_t)snprintf(rep->fds + len, sizeof rep->fds - len,
		    k ? " %d" : "%d", rep->fd[k]);
	}
}

static int
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
static void
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
static void
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

/* ------------------------------------------------------------------ */
/* What arrives                                                        */
/* ------------------------------------------------------------------ */

/* Only 0, 1, 2 arrive, however many inheritable descriptors noinherit
 * has, one of them above its (lowered) soft RLIMIT_NOFILE. */
static void
default_stdio_only(void **state)
{
	struct slot slots[32];
	struct run r = { 0 };
	int fd = open_text("default", "data"), i, n = 0;
	const char *args[] = { "exec", "--", FDCHECK_PATH, NULL };

	(void)state;
	for (i = 3; i < 23; i++)
		slots[n++] = (struct slot){ fd, i, false };
	slots[n++] = (struct slot){ fd, HIGH_FD, false };
	slots[n] = (struct slot)SLOTS_END;
	r.slots = slots;
	r.nofile = 64;
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "0 1 2\n");
}

/* A close-on-exec fd named by --pass-fd arrives, same number and file;
 * an inheritable one not named does not.  Both spellings of the option. */
static void
check_pass_fd(const char *opt, const char *val)
{
	char outpath[PATH_MAX];
	int a = open_text("pass", "alpha"), b = open_text("other", "bravo");
	struct slot slots[] = { { a, 5, true }, { b, 6, false }, SLOTS_END };
	struct run r = { .slots = slots };
	const char *args[8];
	struct report rep;
	int n = 0;

	args[n++] = "exec";
	args[n++] = opt;
	if (val != NULL)
		args[n++] = val;
	args[n++] = "--";
	args[n++] = FDREPORT_PATH;
	args[n++] = tu_path_unique(outpath, "report");
	args[n] = NULL;
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2 5");
	assert_text(&rep, 5, "alpha");
	assert_same_file(&rep, 5, a);
	close(a);
	close(b);
}

static void
pass_fd_cloexec(void **state)
{
	(void)state;
	check_pass_fd("--pass-fd", "5");
	check_pass_fd("--pass-fd=5", NULL);
}

/* 3:4 and 4:3 swap: fd 3 shows B's content, fd 4 A's. */
static void
swap(void **state)
{
	char outpath[PATH_MAX];
	int a = open_text("a", "alpha"), b = open_text("b", "bravo");
	struct slot slots[] = { { a, 3, false }, { b, 4, true }, SLOTS_END };
	struct run r = { .slots = slots };
	const char *args[] = { "exec", "--map-fd", "3:4", "--map-fd", "4:3",
	    "--", FDREPORT_PATH, tu_path_unique(outpath, "report"), NULL };
	struct report rep;

	(void)state;
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2 3 4");
	assert_text(&rep, 3, "bravo");
	assert_text(&rep, 4, "alpha");
	assert_same_file(&rep, 3, b);
	assert_same_file(&rep, 4, a);
}

/* A FROM that is another mapping's TO: 3:4 and 4:5 give 4 = A, 5 = B
 * (in sequence, 5 would get A too). */
static void
from_is_other_to(void **state)
{
	char outpath[PATH_MAX];
	int a = open_text("a", "alpha"), b = open_text("b", "bravo");
	struct slot slots[] = { { a, 3, true }, { b, 4, true }, SLOTS_END };
	struct run r = { .slots = slots };
	const char *args[] = { "exec", "--map-fd=3:4", "--map-fd=4:5", "--",
	    FDREPORT_PATH, tu_path_unique(outpath, "report"), NULL };
	struct report rep;

	(void)state;
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2 4 5");
	assert_text(&rep, 4, "alpha");
	assert_text(&rep, 5, "bravo");
}

/* 0 -> 1 -> 2 -> 0 over three pipes: what the child writes on its fd N
 * comes out of the pipe that noinherit had on the fd mapped to N. */
static void
rotate_stdio(void **state)
{
	char outpath[PATH_MAX], got[64];
	int p[3][2], k;
	struct slot slots[4];
	struct run r = { 0 };
	const char *args[] = { "exec", "--map-fd", "0:1", "--map-fd", "1:2",
	    "--map-fd", "2:0", "--", FDREPORT_PATH,
	    tu_path_unique(outpath, "report"), "--write", NULL };
	static const char *const expect[3] = { "to-1\n", "to-2\n", "to-0\n" };
	struct report rep;

	(void)state;
	for (k = 0; k < 3; k++) {
		make_pipe(p[k]);
		slots[k] = (struct slot){ p[k][1], k, false };
	}
	slots[3] = (struct slot)SLOTS_END;
	r.slots = slots;
	run_cli(&r, args);
	for (k = 0; k < 3; k++)
		close(p[k][1]);
	for (k = 0; k < 3; k++) {
		drain(p[k][0], got, sizeof got);
		if (strcmp(got, expect[k]) != 0)
			fail_msg("pipe on noinherit's fd %d: got '%s', "
			    "expected '%s' (status %d)", k, got, expect[k],
			    r.status);
	}
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2");
}

/* One socket onto both stdin and stdout: the child's echo of our line
 * comes back on the other end. */
static void
one_source_two_targets(void **state)
{
	char outpath[PATH_MAX], got[64];
	int sv[2];
	struct slot slots[2];
	struct run r = { 0 };
	const char *args[] = { "exec", "--map-fd", "5:0", "--map-fd", "5:1",
	    "--", FDREPORT_PATH, tu_path_unique(outpath, "report"), "--echo",
	    NULL };
	struct report rep;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	set_cloexec(sv[0]);
	set_cloexec(sv[1]);
	slots[0] = (struct slot){ sv[1], 5, true };
	slots[1] = (struct slot)SLOTS_END;
	r.slots = slots;
	assert_int_equal(write(sv[0], "ping\n", 5), 5);
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	drain(sv[0], got, sizeof got);
	assert_string_equal(got, "echo:ping\n");
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2");
	assert_same_file(&rep, 0, sv[1]);
	assert_same_file(&rep, 1, sv[1]);
}

/* A closed standard stream stays closed (nothing lands on it). */
static void
stdin_closed(void **state)
{
	struct slot slots[] = { { CLOSED, 0, false }, SLOTS_END };
	struct run r = { .slots = slots };
	const char *args[] = { "exec", FDCHECK_PATH, NULL };

	(void)state;
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "1 2\n");
}

/* 0, 1 and 2 close-on-exec in noinherit: made inheritable, they arrive. */
static void
stdio_cloexec(void **state)
{
	int a = open_text("a", "alpha");
	struct slot slots[] = { { a, 0, true }, { a, 1, true }, { a, 2, true },
	    SLOTS_END };
	char outpath[PATH_MAX];
	struct run r = { .slots = slots };
	const char *args[] = { "exec", FDREPORT_PATH,
	    tu_path_unique(outpath, "report"), NULL };
	struct report rep;

	(void)state;
	run_cli(&r, args);
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2");
	assert_text(&rep, 0, "alpha");
	assert_text(&rep, 2, "alpha");
}

/* The harness's own check: the preload does mark a slot close-on-exec
 * (seen in fdreport itself, run without noinherit), and leaves the
 * others alone; else the cloexec tests would pass for nothing. */
static void
harness_preload(void **state)
{
	char outpath[PATH_MAX];
	int a = open_text("a", "alpha");
	struct slot slots[] = { { a, 5, true }, { a, 6, false }, SLOTS_END };
	struct run r = { .prog = FDREPORT_PATH, .slots = slots };
	const char *args[] = { tu_path_unique(outpath, "report"), NULL };
	struct report rep;

	(void)state;
	run_cli(&r, args);
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2 5 6");
	assert_int_equal(rep.cloexec[report_index(&rep, 5)], 1);
	assert_int_equal(rep.cloexec[report_index(&rep, 6)], 0);
	assert_int_equal(rep.cloexec[report_index(&rep, 1)], 0);
}

/* --map-fd N:2: the child's fd 2 is the file, no saved copy of the old
 * stderr leaks; when the exec fails, the message goes to the stderr
 * noinherit was started with, not into the file. */
static void
stderr_remapped(void **state)
{
	char outpath[PATH_MAX], logpath[PATH_MAX];
	int log = open_cloexec(tu_path_unique(logpath, "log"),
	    O_RDWR | O_CREAT | O_TRUNC);
	struct slot slots[] = { { log, 5, true }, SLOTS_END };
	struct run r = { .slots = slots };
	const char *ok[] = { "exec", "--map-fd", "5:2", FDREPORT_PATH,
	    tu_path_unique(outpath, "report"), NULL };
	const char *missing[] = { "exec", "--map-fd", "5:2",
	    "ni-no-such-command-4f1c", NULL };
	struct report rep;

	(void)state;
	run_cli(&r, ok);
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2");
	assert_same_file(&rep, 2, log);

	run_cli(&r, missing);
	assert_int_equal(r.status, 127);
	assert_string_equal(r.err, "noinherit: exec: ni-no-such-command-4f1c: "
	    "command not found\n");
	assert_int_equal(lseek(log, 0, SEEK_END), 0);
}

/* Without "--", options end at the command: its own options are its. */
static void
no_dashdash(void **state)
{
	char outpath[PATH_MAX];
	struct run r = { 0 };
	const char *args[] = { "exec", FDREPORT_PATH,
	    tu_path_unique(outpath, "report"), "--write", NULL };

	(void)state;
	run_cli(&r, args);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "to-1\n");
	assert_string_equal(r.err, "to-2\n");
}

/* A bare name is looked up in PATH, and the arguments follow it. */
static void
path_search(void **state)
{
	char dir[PATH_MAX], link[PATH_MAX], outpath[PATH_MAX];
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	struct run r = { 0 };
	const char *args[] = { "exec", "--", "ni-fdreport",
	    tu_path_unique(outpath, "report"), NULL };
	struct report rep;

	(void)state;
	assert_int_equal(mkdir(tu_path_unique(dir, "bin"), 0755), 0);
	assert_true(snprintf(link, sizeof link, "%s/ni-fdreport", dir) <
	    (int)sizeof link);
	assert_int_equal(symlink(FDREPORT_PATH, link), 0);
	assert_int_equal(setenv("PATH", dir, 1), 0);
	run_cli(&r, args);
	if (old != NULL)
		setenv("PATH", old, 1);
	else
		unsetenv("PATH");
	free(old);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2");
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* Runs args expecting status and stderr exactly err_expect, and that the
 * command (fdcheck, which would print) did not run. */
static void
expect_failure(const struct slot *slots, const char *const args[],
	       int status, const char *err_expect)
{
	struct run r = { .slots = slots };

	run_cli(&r, args);
	if (r.status != status || strcmp(r.err, err_expect) != 0)
		fail_msg("noinherit %s %s ...: status %d, stderr '%s'; "
		    "expected %d, '%s'", args[0], args[1] ? args[1] : "",
		    r.status, r.err, status, err_expect);
	assert_string_equal(r.out, "");
}

static void
closed_from(void **state)
{
	const char *pass[] = { "exec", "--pass-fd", "7", "--", FDCHECK_PATH,
	    NULL };
	const char *map[] = { "exec", "--map-fd", "7:3", "--", FDCHECK_PATH,
	    NULL };

	(void)state;
	expect_failure(NULL, pass, 2, "noinherit: exec: fd 7 is not open\n");
	expect_failure(NULL, map, 2, "noinherit: exec: fd 7 is not open\n");
}

/* Each malformed command line: status 2, its reason, and nothing run. */
static void
bad_syntax(void **state)
{
	static const struct {
		const char *args[6];
		const char *err;
	} cases[] = {
#define P "noinherit: exec: "
	{ { "exec", "--pass-fd", "x", FDCHECK_PATH },
	  P "--pass-fd: 'x' is not a descriptor number (a non-negative "
	    "integer)\n" },
	{ { "exec", "--pass-fd=-1", FDCHECK_PATH },
	  P "--pass-fd: '-1' is not a descriptor number (a non-negative "
	    "integer)\n" },
	{ { "exec", "--pass-fd", " 1", FDCHECK_PATH },
	  P "--pass-fd: ' 1' is not a descriptor number (a non-negative "
	    "integer)\n" },
	{ { "exec", "--pass-fd", "99999999999", FDCHECK_PATH },
	  P "--pass-fd: '99999999999' is not a descriptor number (a "
	    "non-negative integer)\n" },
	{ { "exec", "--pass-fd=", FDCHECK_PATH },
	  P "--pass-fd: '' is not a descriptor number (a non-negative "
	    "integer)\n" },
	{ { "exec", "--map-fd", "3", FDCHECK_PATH },
	  P "--map-fd: '3' is not FROM:TO (two descriptor numbers)\n" },
	{ { "exec", "--map-fd", "1:", FDCHECK_PATH },
	  P "--map-fd: '1:' is not FROM:TO (two non-negative descriptor "
	    "numbers)\n" },
	{ { "exec", "--map-fd=1:-3", FDCHECK_PATH },
	  P "--map-fd: '1:-3' is not FROM:TO (two non-negative descriptor "
	    "numbers)\n" },
	{ { "exec", "--map-fd", "1:2:3", FDCHECK_PATH },
	  P "--map-fd: '1:2:3' is not FROM:TO (two non-negative descriptor "
	    "numbers)\n" },
	{ { "exec", "--pass-fd" },
	  P "option '--pass-fd' needs an argument (try --help)\n" },
	{ { "exec", "--map-fd" },
	  P "option '--map-fd' needs an argument (try --help)\n" },
	{ { "exec", "--pass-fdx", FDCHECK_PATH },
	  P "unknown option '--pass-fdx' (try --help)\n" },
	{ { "exec", "-x", FDCHECK_PATH },
	  P "unknown option '-x' (try --help)\n" },
	{ { "exec" }, P "no command given (try --help)\n" },
	{ { "exec", "--pass-fd", "1", "--" },
	  P "no command given (try --help)\n" },
	{ { "exec", "--map-fd", "1:4", "--map-fd", "2:4", FDCHECK_PATH },
	  P "fd 4 is the target of two mappings (1:4 and 2:4)\n" },
	{ { "exec", "--map-fd", "1:99999", "--", FDCHECK_PATH },
	  P "fd 99999 is beyond the descriptor limit (RLIMIT_NOFILE 1024)\n" },
	{ { "exec", "--map-fd", "1:1023", "--", FDCHECK_PATH },
	  P "cannot copy fd 1 above fd 1023: no free descriptor below "
	    "RLIMIT_NOFILE\n" },
#undef P
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct run r = { 0 };

		r.nofile = 1024;	/* the limit of the last two cases */
		run_cli(&r, cases[i].args);
		if (r.status != 2 || strcmp(r.err, cases[i].err) != 0)
			fail_msg("case %zu: status %d, stderr '%s'; "
			    "expected 2, '%s'", i, r.status, r.err,
			    cases[i].err);
		assert_string_equal(r.out, "");
	}
}

/* The same mapping twice is no conflict. */
static void
same_mapping_twice(void **state)
{
	int a = open_text("a", "alpha");
	struct slot slots[] = { { a, 3, true }, SLOTS_END };
	struct run r = { .slots = slots };
	const char *args[] = { "exec", "--pass-fd", "3", "--map-fd", "3:3",
	    FDCHECK_PATH, NULL };

	(void)state;
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "0 1 2 3\n");
}

static void
not_found(void **state)
{
	const char *bare[] = { "exec", "--", "ni-no-such-command-4f1c", NULL };
	const char *path[] = { "exec", "/nonexistent-4f1c/cmd", NULL };

	(void)state;
	expect_failure(NULL, bare, 127,
	    "noinherit: exec: ni-no-such-command-4f1c: command not found\n");
	expect_failure(NULL, path, 127,
	    "noinherit: exec: /nonexistent-4f1c/cmd: No such file or "
	    "directory\n");
}

static void
not_executable(void **state)
{
	char file[PATH_MAX], want[PATH_MAX + 64];
	const char *args[] = { "exec", "--",
	    tu_make_file(file, "plain", "#!/bin/sh\necho ran\n"), NULL };

	(void)state;
	assert_int_equal(chmod(file, 0644), 0);
	snprintf(want, sizeof want, "noinherit: exec: %s: Permission denied\n",
	    file);
	expect_failure(NULL, args, 126, want);
}

static void
directory(void **state)
{
	char want[PATH_MAX + 64];
	const char *args[] = { "exec", tu_tmpdir, NULL };

	(void)state;
	snprintf(want, sizeof want, "noinherit: exec: %s: is a directory\n",
	    tu_tmpdir);
	expect_failure(NULL, args, 126, want);
}

static void
help(void **state)
{
	struct run r = { 0 };
	const char *args[] = { "exec", "--help", NULL };

	(void)state;
	run_cli(&r, args);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_true(strncmp(r.out, "usage: noinherit exec ", 22) == 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(default_stdio_only),
		tu_unit_test(pass_fd_cloexec),
		tu_unit_test(swap),
		tu_unit_test(from_is_other_to),
		tu_unit_test(rotate_stdio),
		tu_unit_test(one_source_two_targets),
		tu_unit_test(stdin_closed),
		tu_unit_test(stdio_cloexec),
		tu_unit_test(harness_preload),
		tu_unit_test(stderr_remapped),
		tu_unit_test(no_dashdash),
		tu_unit_test(path_search),
		tu_unit_test(closed_from),
		tu_unit_test(bad_syntax),
		tu_unit_test(same_mapping_twice),
		tu_unit_test(not_found),
		tu_unit_test(not_executable),
		tu_unit_test(directory),
		tu_unit_test(help),
	};

	return tu_run_tests("exec", tests, argc, argv);
}
