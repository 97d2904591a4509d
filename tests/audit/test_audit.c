/*
 * test_audit.c - `noinherit audit` watched from outside: real processes
 * holding real descriptors, audited by the real command.
 *
 *   test_audit NOINHERIT LEAKER CASE
 *
 * One ctest entry per CASE (tests/audit/CMakeLists.txt).  Exit 0 on
 * success, 1 on failure, 77 when the case cannot be set up here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "leaker.h"

#define SKIP 77

static const char *cli, *leaker;
static char dir[] = "/tmp/ni-audit-XXXXXX";
static int failures;
static char *last_out, *last_err;	/* of the latest run, freed by the next */

/* ------------------------------------------------------------------ */
/* Checks                                                              */
/* ------------------------------------------------------------------ */

static void
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

struct run {
	int status;		/* exit status, or 128 + signal */
	char *out, *err;
};

static void
has(const struct run *r, const char *needle)
{
	if (strstr(r->out, needle) == NULL)
		fail("stdout lacks \"%s\"", needle);
}

static void
lacks(const struct run *r, const char *needle)
{
	if (strstr(r->out, needle) != NULL)
		fail("stdout has \"%s\"", needle);
}

static void
err_has(const struct run *r, const char *needle)
{
	if (strstr(r->err, needle) == NULL)
		fail("stderr lacks \"%s\"", needle);
}

static void
status_is(const struct run *r, int want)
{
	if (r->status != want)
		fail("exit status %d, expected %d", r->status, want);
}

/* The text row of fd: "     10  socket    TARGET...". */
static void
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

static void
no_row(const struct run *r, int fd)
{
	char want[32];

	snprintf(want, sizeof want, "\n%7d  ", fd);
	if (strstr(r->out, want) != NULL)
		fail("a row for fd %d", fd);
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && strcmp(s + n - k, tail) == 0;
}

static int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static void
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
static struct run
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
static pid_t
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

static struct run
run_with(void (*before)(void *), void *arg, char *const argv[])
{
	int o, e;
	pid_t pid = spawn(argv, before, arg, &o, &e);

	return collect(pid, o, e);
}

/* noinherit audit ARGS..., NULL-terminated. */
static struct run
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

struct leaker {
	pid_t pid;
	int port, cxport;
};

/* Starts the leaker and waits for its line on the ready pipe. */
static struct leaker
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

static void
stop(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static char *
pidstr(pid_t pid)
{
	static char buf[4][16];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%d", (int)pid);
	return buf[i];
}

/* ------------------------------------------------------------------ */
/* Cases                                                               */
/* ------------------------------------------------------------------ */

static void
leaker_text(void)
{
	struct leaker l = start_leaker("leak");
	struct run r = audit("-p", pidstr(l.pid), NULL);
	char want[4200];

	status_is(&r, 1);
	snprintf(want, sizeof want, "%s (pid %d, %s): 18 descriptors would "
	    "leak into a child:\n", LK_COMM, (int)l.pid, leaker);
	if (strncmp(r.out, want, strlen(want)) != 0)
		fail("header is not \"%s\"", want);
	snprintf(want, sizeof want, "TCP 127.0.0.1:%d LISTEN  [LISTENING]",
	    l.port);
	row(&r, LK_TCP_LISTEN, "socket", want);
	snprintf(want, sizeof want, "UNIX %s/%s STREAM LISTEN  [LISTENING]",
	    dir, LK_SOCK_NAME);
	row(&r, LK_UNIX_LISTEN, "socket", want);
	row(&r, LK_PAIR, "socket", "UNIX (unnamed) STREAM");
	row(&r, LK_PAIR + 1, "socket", "UNIX (unnamed) STREAM");
	row(&r, LK_UDP, "socket", "UDP 127.0.0.1:");
	row(&r, LK_PIPE, "pipe", "pipe:[");
	row(&r, LK_PIPE + 1, "pipe", "pipe:[");
	snprintf(want, sizeof want, "%s/%s (deleted)\n", dir, LK_GONE_NAME);
	row(&r, LK_DELETED, "file", want);
	snprintf(want, sizeof want, "%s/%s\n", dir, LK_FIFO_NAME);
	row(&r, LK_FIFO, "fifo", want);
	snprintf(want, sizeof want, "%s\n", dir);
	row(&r, LK_DIR, "dir", want);
	/* Escaped for a terminal: \\ for the backslash, \xNN for the rest. */
	snprintf(want, sizeof want, "%s/we\"ird\\\\na\\x0ame\\xff\n", dir);
	row(&r, LK_ODD, "file", want);
	row(&r, LK_EVENTFD, "eventfd", "anon_inode:[eventfd]\n");
	row(&r, LK_MEMFD, "memfd", "memfd:leaky\n");
	row(&r, LK_EPOLL, "epoll", "anon_inode:[eventpoll]\n");
	row(&r, LK_TIMERFD, "timerfd", "anon_inode:[timerfd]\n");
	row(&r, LK_SIGNALFD, "signalfd", "anon_inode:[signalfd]\n");
	row(&r, LK_INOTIFY, "inotify", "anon_inode:inotify\n");
	snprintf(want, sizeof want, "pid %d\n", (int)l.pid);
	row(&r, LK_PIDFD, "pidfd", want);
	has(&r, "[LISTENING]: a listening socket in a child lets the child "
	    "accept the connections");
	has(&r, "(PEP 446)");
	lacks(&r, "[inherited]");	/* not asked for */
	/* Close-on-exec, or stdio: never reported. */
	no_row(&r, 0), no_row(&r, 1), no_row(&r, 2);
	no_row(&r, LK_CX_TCP), no_row(&r, LK_CX_FILE);
	no_row(&r, LK_CX_PIPE), no_row(&r, LK_CX_PIPE + 1);
	no_row(&r, LK_CX_EVENTFD);
	snprintf(want, sizeof want, "127.0.0.1:%d ", l.cxport);
	lacks(&r, want);
	lacks(&r, LK_CX_NAME);
	if (failures)
		show(&r);
	stop(l.pid);
}

static void
leaker_json(void)
{
	struct leaker l = start_leaker("leak");
	struct run r = audit("--json", "-p", pidstr(l.pid), NULL);
	char want[4200];

	status_is(&r, 1);
	snprintf(want, sizeof want, "{\"pid\":%d,\"ppid\":%d,\"comm\":"
	    "\"leak) (er\",\"exe\":\"%s\",\"fds\":[", (int)l.pid,
	    (int)getpid(), leaker);
	if (strncmp(r.out, want, strlen(want)) != 0)
		fail("object does not start with %s", want);
	if (!ends_with(r.out, "],\"error\":null}\n") ||
	    strchr(r.out, '\n') != r.out + strlen(r.out) - 1)
		fail("not one line ending in ],\"error\":null}");
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"socket\","
	    "\"target\":\"TCP 127.0.0.1:%d LISTEN\",\"deleted\":false,"
	    "\"listening\":true,\"inherited\":null,\"cloexec\":false}",
	    LK_TCP_LISTEN, l.port);
	has(&r, want);
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"socket\","
	    "\"target\":\"UNIX %s/%s STREAM LISTEN\",\"deleted\":false,"
	    "\"listening\":true,", LK_UNIX_LISTEN, dir, LK_SOCK_NAME);
	has(&r, want);
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"file\","
	    "\"target\":\"%s/%s (deleted)\",\"deleted\":true,"
	    "\"listening\":false,", LK_DELETED, dir, LK_GONE_NAME);
	has(&r, want);
	/* JSON escapes; the byte 0xff becomes U+FFFD. */
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"file\","
	    "\"target\":\"%s/we\\\"ird\\\\na\\nme\\ufffd\",\"deleted\":false,",
	    LK_ODD, dir);
	has(&r, want);
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"memfd\","
	    "\"target\":\"memfd:leaky\",", LK_MEMFD);
	has(&r, want);
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"pipe\","
	    "\"target\":\"pipe:[", LK_PIPE);
	has(&r, want);
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"eventfd\",",
	    LK_EVENTFD);
	has(&r, want);
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"epoll\",",
	    LK_EPOLL);
	has(&r, want);
	snprintf(want, sizeof want, "\"fd\":%d,", LK_CX_TCP);
	lacks(&r, want);
	snprintf(want, sizeof want, "\"fd\":%d,", LK_CX_FILE);
	lacks(&r, want);
	lacks(&r, "\"cloexec\":true");
	if (failures)
		show(&r);
	stop(l.pid);
}

/* The test's own file at LK_PASSED crosses into the leaker. */
static void
inherited(void)
{
	struct leaker l;
	struct run r;
	char path[4200];
	int fd;

	snprintf(path, sizeof path, "%s/passed", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || dup3(fd, LK_PASSED, O_CLOEXEC) < 0) {
		perror("passed");
		exit(1);
	}
	close(fd);
	l = start_leaker("leak");
	r = audit("--inherited", "-p", pidstr(l.pid), NULL);
	if (strstr(r.err, "--inherited: not available") != NULL) {
		printf("SKIP: %s", r.err);
		stop(l.pid);
		exit(SKIP);
	}
	status_is(&r, 1);
	snprintf(path, sizeof path, "%s/passed  [inherited]\n", dir);
	row(&r, LK_PASSED, "file", path);	/* the same number */
	row(&r, LK_PASSED_DUP, "file", path);	/* found by its inode */
	snprintf(path, sizeof path, "%s/%s (deleted)\n", dir, LK_GONE_NAME);
	row(&r, LK_DELETED, "file", path);	/* made by the leaker */
	row(&r, LK_EVENTFD, "eventfd", "anon_inode:[eventfd]\n");
	if (count(r.out, "[inherited]") != 2)
		fail("[inherited] on more than fds %d and %d", LK_PASSED,
		    LK_PASSED_DUP);
	r = audit("--inherited", "--json", "-p", pidstr(l.pid), NULL);
	snprintf(path, sizeof path, "{\"fd\":%d,\"kind\":\"file\",\"target\":"
	    "\"%s/passed\",\"deleted\":false,\"listening\":false,"
	    "\"inherited\":true,\"cloexec\":false}", LK_PASSED, dir);
	has(&r, path);
	snprintf(path, sizeof path, "{\"fd\":%d,\"kind\":\"eventfd\","
	    "\"target\":\"anon_inode:[eventfd]\",\"deleted\":false,"
	    "\"listening\":false,\"inherited\":false,", LK_EVENTFD);
	has(&r, path);
	if (failures)
		show(&r);
	stop(l.pid);
}

static void
clean(void)
{
	struct leaker l = start_leaker("clean");
	struct run r = audit("-p", pidstr(l.pid), NULL);
	char want[4200];

	status_is(&r, 0);
	snprintf(want, sizeof want, "leaker (pid %d, %s): clean, no "
	    "descriptor would leak into a child\n", (int)l.pid, leaker);
	if (strcmp(r.out, want) != 0)
		fail("stdout is not \"%s\"", want);
	/* --std: stdio counts (whatever the harness made it). */
	r = audit("--std", "-p", pidstr(l.pid), NULL);
	status_is(&r, 1);
	row(&r, 0, "", ""), row(&r, 1, "", ""), row(&r, 2, "", "");
	/* The same pid three times is audited once. */
	r = audit("-p", pidstr(l.pid), pidstr(l.pid), "-p",
	    pidstr(l.pid), NULL);
	status_is(&r, 0);
	if (strcmp(r.out, want) != 0)
		fail("a repeated pid is not audited once");
	if (failures)
		show(&r);
	stop(l.pid);
}

/* A pid no process has; a leaking one beside it: 2 wins, both reported. */
static void
no_such_process(void)
{
	struct leaker l = start_leaker("leak");
	struct run r;
	char want[64];

	r = audit("-p", "2147483647", NULL);
	status_is(&r, 2);
	err_has(&r, "noinherit: audit: pid 2147483647: no such process\n");
	r = audit("-p", "2147483647", "-p", pidstr(l.pid), NULL);
	status_is(&r, 2);
	snprintf(want, sizeof want, "(pid %d, ", (int)l.pid);
	has(&r, want);
	has(&r, "[LISTENING]");
	r = audit("--json", "-p", "2147483647", NULL);
	status_is(&r, 2);
	has(&r, "{\"pid\":2147483647,\"ppid\":null,\"comm\":null,\"exe\":null,"
	    "\"fds\":[],\"error\":\"no such process\"}\n");
	if (failures)
		show(&r);
	stop(l.pid);
}

/* A child that has exited, not yet reaped: reported, not an error. */
static void
zombie(void)
{
	pid_t z = fork();
	struct run r;
	char path[64], buf[256] = "";
	ssize_t n;
	int i, fd;

	if (z == 0)
		_exit(0);
	snprintf(path, sizeof path, "/proc/%d/stat", (int)z);
	for (i = 0; i < 500 && strstr(buf, ") Z ") == NULL; i++) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, buf, sizeof buf - 1);
			buf[n > 0 ? n : 0] = '\0';
			close(fd);
		}
		usleep(10000);
	}
	r = audit("-p", pidstr(z), NULL);
	status_is(&r, 0);
	has(&r, "(pid ");
	has(&r, "exited (a zombie, not yet reaped)");
	r = audit("--json", "-p", pidstr(z), NULL);
	status_is(&r, 0);
	has(&r, "\"fds\":[],\"error\":\"exited (a zombie, not yet reaped)\"}");
	if (failures)
		show(&r);
	stop(z);
}

/*
 * A process that exits in the middle of the scan, made deterministic with
 * ptrace: the audit stops at the openat() of `trigger` ("fd": the fd
 * directory; "#": the first fdinfo/N), the leaker is killed and reaped
 * there, and the audit goes on.
 */
static void
traceme(void *arg)
{
	(void)arg;
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		_exit(SKIP);
	raise(SIGSTOP);
}

static bool
openat_of(pid_t a, const char *trigger)
{
	struct __ptrace_syscall_info info;
	char path[64] = "";
	struct iovec local = { path, sizeof path - 1 }, remote;
	size_t i;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, a, sizeof info, &info) <= 0 ||
	    info.op != PTRACE_SYSCALL_INFO_ENTRY || info.entry.nr != SYS_openat)
		return false;
	remote.iov_base = (void *)(uintptr_t)info.entry.args[1];
	remote.iov_len = sizeof path - 1;
	if (process_vm_readv(a, &local, 1, &remote, 1, 0) <= 0)
		return false;
	if (strcmp(trigger, "#") != 0)
		return strcmp(path, trigger) == 0;
	for (i = 0; path[i] >= '0' && path[i] <= '9'; i++)
		;
	return i > 0 && path[i] == '\0';
}

static void
exited_mid_scan(const char *trigger)
{
	struct leaker l = start_leaker("leak");
	char *argv[] = { (char *)cli, "audit", "-p", pidstr(l.pid), NULL };
	bool hit = false;
	int o, e, st, sig = 0;
	pid_t a = spawn(argv, traceme, NULL, &o, &e);
	struct run r;

	if (waitpid(a, &st, 0) < 0 || !WIFSTOPPED(st)) {
		printf("SKIP: ptrace is not available here\n");
		exit(SKIP);
	}
	ptrace(PTRACE_SETOPTIONS, a, NULL, (void *)(long)(PTRACE_O_TRACESYSGOOD |
	    PTRACE_O_EXITKILL));
	while (!hit && ptrace(PTRACE_SYSCALL, a, NULL, (void *)(long)sig) == 0 &&
	    waitpid(a, &st, 0) == a && WIFSTOPPED(st)) {
		sig = 0;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80))
			hit = openat_of(a, trigger);
		else if (WSTOPSIG(st) != SIGTRAP)
			sig = WSTOPSIG(st);
	}
	if (hit) {
		stop(l.pid);		/* gone, and reaped, before the open */
		ptrace(PTRACE_DETACH, a, NULL, NULL);
	} else {
		fail("the audit never opened \"%s\"", trigger);
		stop(l.pid);
	}
	r = collect(a, o, e);
	status_is(&r, 0);
	has(&r, "leak) (er (pid ");
	has(&r, "): exited during the scan\n");
	lacks(&r, "TCP");
	if (failures)
		show(&r);
}

/* As user nobody, auditing a root process: permission denied. */
static void
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
 * Returns the command's copy, or NULL; *dir is the directory.
 */
static const char *
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

static void
remove_copies(const char *cdir)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/noinherit", cdir);
	unlink(path);
	snprintf(path, sizeof path, "%s/libnoinherit.so.0", cdir);
	unlink(path);
	rmdir(cdir);
}

static void
permission(void)
{
	struct leaker l;
	struct run r;
	char *argv[] = { (char *)cli, "audit", "-p", NULL, NULL };
	char *all[] = { (char *)cli, "audit", "--all", NULL };
	char want[128], cdir[64], copy[128];
	char *libdir = NULL;

	if (geteuid() != 0) {
		printf("SKIP: needs root, to become another user\n");
		exit(SKIP);
	}
	l = start_leaker("leak");
	argv[3] = pidstr(l.pid);
	r = run_with(become_nobody, NULL, argv);
	if (r.status == SKIP || r.status == 127) {
		/* The build tree is closed to nobody: run copies instead. */
		argv[0] = all[0] = (char *)cli_for_nobody(cdir, sizeof cdir, copy,
		    sizeof copy);
		if (argv[0] != NULL) {
			libdir = cdir;
			r = run_with(become_nobody, libdir, argv);
		}
		if (argv[0] == NULL || r.status == SKIP || r.status == 127) {
			printf("SKIP: user nobody cannot run %s\n", cli);
			if (libdir != NULL)
				remove_copies(cdir);
			stop(l.pid);
			exit(SKIP);
		}
	}
	status_is(&r, 2);
	snprintf(want, sizeof want, "noinherit: audit: pid %d: permission "
	    "denied: run as the process's owner or root\n", (int)l.pid);
	if (strcmp(r.err, want) != 0)
		fail("stderr is not \"%s\"", want);
	if (r.out[0] != '\0')
		fail("stdout is not empty");
	/* --all: what nobody may not read is skipped and counted. */
	r = run_with(become_nobody, libdir, all);
	if (r.status != 0 && r.status != 1)
		fail("--all as nobody: exit status %d", r.status);
	err_has(&r, "noinherit: audit: skipped ");
	err_has(&r, "this user may not read (pid ");
	err_has(&r, "run as root to audit them\n");
	has(&r, " processes audited, ");
	if (failures)
		show(&r);
	if (libdir != NULL)
		remove_copies(cdir);
	stop(l.pid);
}

/* No -p: what the command itself inherited, from a shell. */
static void
self(void)
{
	char *leak[] = { "/bin/sh", "-c",
	    "exec 7</etc/hostname; exec \"$0\" audit", (char *)cli, NULL };
	char *json[] = { "/bin/sh", "-c",
	    "exec 7</etc/hostname 9<&7; exec \"$0\" audit --json", (char *)cli,
	    NULL };
	char *none[] = { "/bin/sh", "-c", "exec \"$0\" audit", (char *)cli,
	    NULL };
	struct run r;
	char want[256];

	r = run_with(NULL, NULL, leak);
	status_is(&r, 1);
	snprintf(want, sizeof want, "this command inherited 1 descriptor "
	    "(parent: test_audit, pid %d):\n%7s  %-9s %s\n%7d  %-9s %s\n",
	    (int)getpid(), "FD", "KIND", "TARGET", 7, "file", "/etc/hostname");
	if (strcmp(r.out, want) != 0)
		fail("stdout is not \"%s\"", want);
	if (failures)
		show(&r);
	r = run_with(NULL, NULL, json);
	status_is(&r, 1);
	has(&r, "\"comm\":\"noinherit\",");
	has(&r, "\"fds\":[{\"fd\":7,\"kind\":\"file\",\"target\":"
	    "\"/etc/hostname\",\"deleted\":false,\"listening\":false,"
	    "\"inherited\":null,\"cloexec\":false},{\"fd\":9,\"kind\":\"file\","
	    "\"target\":\"/etc/hostname\",");
	has(&r, "}],\"error\":null}\n");
	if (failures)
		show(&r);
	r = run_with(NULL, NULL, none);
	status_is(&r, 0);
	snprintf(want, sizeof want, "this command inherited no descriptor "
	    "beyond 0-2 (parent: test_audit, pid %d)\n", (int)getpid());
	if (strcmp(r.out, want) != 0)
		fail("stdout is not \"%s\"", want);
	if (failures)
		show(&r);
}

/* --all while processes come and go: never 2 because one vanished. */
static void
all(void)
{
	struct leaker l = start_leaker("leak");
	pid_t churn = fork();
	struct run r;
	char want[128], *line, *end;
	int i;

	if (churn == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			pid_t c = fork();

			if (c == 0)
				_exit(0);
			if (c > 0)
				waitpid(c, NULL, 0);
		}
	}
	for (i = 0; i < 5 && !failures; i++) {
		r = audit("--all", NULL);
		status_is(&r, 1);
		snprintf(want, sizeof want, "TCP 127.0.0.1:%d LISTEN", l.port);
		has(&r, want);
		has(&r, " processes audited, ");
		if (r.err[0] != '\0' && (count(r.err, "\n") != 1 ||
		    strstr(r.err, "noinherit: audit: skipped ") != r.err))
			fail("stderr is not empty or one \"skipped\" line");
		if (failures)
			show(&r);
	}
	r = audit("--all", "--json", NULL);
	status_is(&r, 1);
	snprintf(want, sizeof want, "{\"pid\":%d,", (int)l.pid);
	has(&r, want);
	for (line = r.out; *line; line = end + 1) {
		end = strchr(line, '\n');
		if (end == NULL || strncmp(line, "{\"pid\":", 7) != 0 ||
		    end[-1] != '}') {
			fail("not JSON Lines at \"%.40s\"", line);
			break;
		}
	}
	stop(churn);
	stop(l.pid);
}

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

int
main(int argc, char **argv)
{
	const char *c;

	if (argc != 4) {
		fprintf(stderr, "usage: test_audit NOINHERIT LEAKER CASE\n");
		return 2;
	}
	cli = argv[1];
	leaker = argv[2];
	c = argv[3];
	/* What the harness left open must not show up in the audits. */
	syscall(SYS_close_range, 3, ~0U, 0);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	chmod(dir, 0755);
	atexit(cleanup);	/* also after exit(SKIP) */
	prctl(PR_SET_NAME, "test_audit");
	if (strcmp(c, "leaker-text") == 0)
		leaker_text();
	else if (strcmp(c, "leaker-json") == 0)
		leaker_json();
	else if (strcmp(c, "inherited") == 0)
		inherited();
	else if (strcmp(c, "clean") == 0)
		clean();
	else if (strcmp(c, "no-such-process") == 0)
		no_such_process();
	else if (strcmp(c, "zombie") == 0)
		zombie();
	else if (strcmp(c, "exited-mid-scan") == 0)
		exited_mid_scan("fd");
	else if (strcmp(c, "exited-mid-fdinfo") == 0)
		exited_mid_scan("#");
	else if (strcmp(c, "permission") == 0)
		permission();
	else if (strcmp(c, "self") == 0)
		self();
	else if (strcmp(c, "all") == 0)
		all();
	else {
		fprintf(stderr, "test_audit: unknown case '%s'\n", c);
		return 2;
	}
	if (failures) {
		fprintf(stderr, "%s: %d check%s failed\n", c, failures,
		    failures == 1 ? "" : "s");
		return 1;
	}
	printf("%s: ok\n", c);
	return 0;
}
