/*
 * giveback.c - what enforce lets cross an exec, and that it follows every
 * exec (issue #12), seen by real exec'd children: this program re-executed
 * as `giveback_test child REPORT TAG ARGS...`, which appends to REPORT the
 * descriptors beyond 2 it received, whether LD_PRELOAD carries the shim,
 * its NOINHERIT_MODE, and whether a pipe() it makes is close-on-exec.
 *
 *   giveback_test run      (run under the shim in enforce mode)
 *
 * Checked: a descriptor the shim made close-on-exec crosses when the new
 * program's argv names it (execv, posix_spawn, system, popen, vfork+execve)
 * and not otherwise; never one the program made close-on-exec itself
 * (O_CLOEXEC, F_SETFD), nor a number closed and reused; one carrying a
 * flock/fcntl lock crosses unnamed, until unlocked; the parent's flag is
 * back after a spawn and after a failed exec (errno kept); fexecve of a
 * script (whose interpreter opens /dev/fd/N) works; an exec with an
 * empty or scrubbed environment still runs the child under the shim
 * (execve, posix_spawn, vfork; execv, system and popen after the program
 * scrubbed environ), but a NOINHERIT_MODE set on purpose stays.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

#define SHIM_NAME "libnoinherit-preload.so"

static const char *self, *report;

/* ------------------------------------------------------------------ */
/* the child                                                           */
/* ------------------------------------------------------------------ */

static int
child(const char *path, const char *tag)
{
	char line[1024];
	size_t len;
	int fds[64], n = 0, p[2], fd;
	const char *pre = getenv("LD_PRELOAD"), *mode = getenv("NOINHERIT_MODE");
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL && n < 64) {
		int f = atoi(e->d_name);

		if (e->d_name[0] != '.' && f > 2 && raw_cloexec(f) == 0)
			fds[n++] = f;
	}
	if (d != NULL)
		closedir(d);
	len = (size_t)snprintf(line, sizeof(line), "%s fds", tag);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %d",
		    fds[i]);
	if (pipe(p) != 0)
		return 2;
	len += (size_t)snprintf(line + len, sizeof(line) - len,
	    " | shim %s | mode %s | pipe-cloexec %d\n",
	    pre == NULL ? "no" : strcspn(pre, ":") == strlen(SHIM_NAME) ?
	    (strncmp(pre, SHIM_NAME, strlen(SHIM_NAME)) == 0 ? "first" :
	    "other") : strcspn(pre, ":") > strlen(SHIM_NAME) &&
	    strncmp(pre + strcspn(pre, ":") - strlen(SHIM_NAME) - 1,
	    "/" SHIM_NAME, strlen(SHIM_NAME) + 1) == 0 ? "first" : "other",
	    mode != NULL ? mode : "-", raw_cloexec(p[0]));
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || write(fd, line, len) != (ssize_t)len)
		return 2;
	return 0;
}

/* ------------------------------------------------------------------ */
/* the parent                                                          */
/* ------------------------------------------------------------------ */

/* The REPORT line for TAG, or "" (into a static buffer). */
static const char *
line_of(const char *tag)
{
	static char out[1024];
	char buf[65536], key[64];
	int fd = open(report, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	const char *at;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	snprintf(key, sizeof(key), "%s fds", tag);
	out[0] = '\0';
	for (at = buf; (at = strstr(at, key)) != NULL; at++) {
		if (at != buf && at[-1] != '\n')
			continue;
		snprintf(out, sizeof(out), "%.*s", (int)strcspn(at, "\n"), at);
		break;
	}
	return out;
}

/* The report line of TAG starts with "TAG fds" + WANT_FDS + " |" and
 * holds WANT_REST. */
static void
expect(int line, const char *tag, const char *want_fds, const char *want_rest)
{
	char head[256];
	const char *got = line_of(tag);

	snprintf(head, sizeof(head), "%s fds%s |", tag, want_fds);
	CHECK(strncmp(got, head, strlen(head)) == 0 &&
	    strstr(got, want_rest) != NULL,
	    "line %d: got '%s', expected '%s ...%s'", line, got, head,
	    want_rest);
}

#define ENFORCED "| shim first | mode enforce | pipe-cloexec 1"

static void
wait_ok(pid_t pid)
{
	int st;

	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "child status %#x", st);
}

/* fork + execv of `self child REPORT TAG [extra...]`. */
static void
fork_exec(const char *tag, char *const extra[], char *const envp[])
{
	char *argv[16] = { (char *)self, "child", (char *)report, (char *)tag };
	int n = 4;
	pid_t pid;

	for (int i = 0; extra != NULL && extra[i] != NULL && n < 15; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		if (envp != NULL)
			execve(self, argv, envp);
		else
			execv(self, argv);
		_exit(127);
	}
	wait_ok(pid);
}

static const char *
num(int fd)
{
	static char buf[8][16];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%d", fd);
	return buf[k];
}

static void
named(const char *data)
{
	int fd = open(data, O_RDONLY), own, set, p[2];
	char want[32], devfd[32];

	snprintf(want, sizeof(want), " %d", fd);
	snprintf(devfd, sizeof(devfd), "/dev/fd/%d", fd);
	CHECK(raw_cloexec(fd) == 1, "open: cloexec %d", raw_cloexec(fd));
	fork_exec("unnamed", NULL, NULL);
	expect(__LINE__, "unnamed", "", ENFORCED);
	fork_exec("option", (char *[]){ "--data-fd", (char *)num(fd), NULL },
	    NULL);
	expect(__LINE__, "option", want, ENFORCED);
	fork_exec("path", (char *[]){ devfd, NULL }, NULL);
	expect(__LINE__, "path", want, ENFORCED);
	CHECK(raw_cloexec(fd) == 1, "after fork+exec: cloexec %d",
	    raw_cloexec(fd));

	/* The program's own flags are never undone. */
	own = open(data, O_RDONLY | O_CLOEXEC);
	fork_exec("own", (char *[]){ "--x-fd", (char *)num(own), NULL }, NULL);
	expect(__LINE__, "own", "", ENFORCED);
	set = open(data, O_RDONLY);
	fcntl(set, F_SETFD, FD_CLOEXEC);
	fork_exec("setfd", (char *[]){ "--x-fd", (char *)num(set), NULL },
	    NULL);
	expect(__LINE__, "setfd", "", ENFORCED);
	CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	fork_exec("pipe2", (char *[]){ "--fds", (char *)num(p[0]), NULL },
	    NULL);
	expect(__LINE__, "pipe2", "", ENFORCED);
	/* A number closed and made again with O_CLOEXEC by the program. */
	{
		int n1 = open(data, O_RDONLY), n2;

		close(n1);
		n2 = open(data, O_RDONLY | O_CLOEXEC);
		CHECK(n2 == n1, "reuse: %d, %d", n1, n2);
		fork_exec("reused", (char *[]){ "--x-fd", (char *)num(n2),
		    NULL }, NULL);
		expect(__LINE__, "reused", "", ENFORCED);
		close(n2);
	}
	close(own);
	close(set);
	close(p[0]);
	close(p[1]);
	close(fd);
}

static void
spawns(const char *data)
{
	int fd = open(data, O_RDONLY), st, e;
	char want[32], cmd[1024], *argv[8];
	pid_t pid;
	FILE *fp;

	snprintf(want, sizeof(want), " %d", fd);
	argv[0] = (char *)self;
	argv[1] = "child";
	argv[2] = (char *)report;
	argv[3] = "spawn";
	argv[4] = "--in-fd";
	argv[5] = (char *)num(fd);
	argv[6] = NULL;
	e = posix_spawn(&pid, self, NULL, NULL, argv, environ);
	CHECK(e == 0, "posix_spawn: %s", strerror(e));
	wait_ok(pid);
	expect(__LINE__, "spawn", want, ENFORCED);
	CHECK(raw_cloexec(fd) == 1, "after posix_spawn: cloexec %d",
	    raw_cloexec(fd));
	argv[3] = "spawn-unnamed";
	argv[4] = NULL;
	e = posix_spawn(&pid, self, NULL, NULL, argv, environ);
	wait_ok(pid);
	expect(__LINE__, "spawn-unnamed", "", ENFORCED);

	snprintf(cmd, sizeof(cmd), "'%s' child '%s' system /dev/fd/%d", self,
	    report, fd);
	st = system(cmd);
	CHECK(st == 0, "system: %#x", st);
	expect(__LINE__, "system", want, ENFORCED);
	CHECK(raw_cloexec(fd) == 1, "after system: cloexec %d",
	    raw_cloexec(fd));

	snprintf(cmd, sizeof(cmd), "'%s' child '%s' popen --in-fd=%d", self,
	    report, fd);
	fp = popen(cmd, "r");
	CHECK(fp != NULL && pclose(fp) == 0, "popen");
	expect(__LINE__, "popen", want, ENFORCED);
	CHECK(raw_cloexec(fd) == 1, "after popen: cloexec %d",
	    raw_cloexec(fd));

	argv[3] = "vfork";
	argv[4] = "--in-fd";
	argv[5] = (char *)num(fd);
	pid = vfork();
	if (pid == 0) {
		execv(self, argv);
		_exit(127);
	}
	wait_ok(pid);
	expect(__LINE__, "vfork", want, ENFORCED);
	CHECK(raw_cloexec(fd) == 1, "after vfork: cloexec %d",
	    raw_cloexec(fd));

	/* A failed exec: the flag back, errno the exec's. */
	errno = 0;
	CHECK(execv("/nonexistent/prog", argv) == -1 && errno == ENOENT,
	    "failed execv: errno %d", errno);
	CHECK(raw_cloexec(fd) == 1, "after a failed exec: cloexec %d",
	    raw_cloexec(fd));
	close(fd);
}

/* fexecve of a script: the interpreter gets /dev/fd/N. */
static void
script(const char *dir)
{
	char path[128], body[1024];
	int fd, wfd;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/script", dir);
	snprintf(body, sizeof(body), "#!/bin/sh\nexec '%s' child '%s' script\n",
	    self, report);
	wfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
	CHECK(wfd >= 0 && write(wfd, body, strlen(body)) ==
	    (ssize_t)strlen(body), "script: %s", strerror(errno));
	close(wfd);
	fd = open(path, O_RDONLY);
	CHECK(raw_cloexec(fd) == 1, "script fd: cloexec %d", raw_cloexec(fd));
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "script", NULL };

		fexecve(fd, argv, environ);
		_exit(127);
	}
	wait_ok(pid);
	/* Given back for the interpreter, it crosses on as without the
	 * shim. */
	snprintf(body, sizeof(body), " %d", fd);
	expect(__LINE__, "script", body, ENFORCED);
	close(fd);
	unlink(path);
}

static void
locks(const char *path)
{
	int fd = open(path, O_RDWR), rec;
	char want[32];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	snprintf(want, sizeof(want), " %d", fd);
	CHECK(flock(fd, LOCK_EX) == 0, "flock");
	fork_exec("flocked", NULL, NULL);
	expect(__LINE__, "flocked", want, ENFORCED);
	flock(fd, LOCK_UN);
	fork_exec("unlocked", NULL, NULL);
	expect(__LINE__, "unlocked", "", ENFORCED);
	rec = open(path, O_RDWR);
	snprintf(want, sizeof(want), " %d", rec);
	CHECK(fcntl(rec, F_SETLK, &fl) == 0, "F_SETLK");
	fork_exec("setlk", NULL, NULL);
	expect(__LINE__, "setlk", want, ENFORCED);
	close(rec);
	close(fd);
}

static void
environments(void)
{
	char *empty[] = { NULL };
	char *scrubbed[] = { "FOO=1", "LD_PRELOAD=", NULL };
	char *off[] = { "NOINHERIT_MODE=off", NULL };
	char *argv[] = { (char *)self, "child", (char *)report, "spawn-env",
	    NULL };
	pid_t pid;
	int e;

	fork_exec("execve-empty", NULL, empty);
	expect(__LINE__, "execve-empty", "", ENFORCED);
	fork_exec("execve-scrubbed", NULL, scrubbed);
	expect(__LINE__, "execve-scrubbed", "", ENFORCED);
	/* Set on purpose: kept. */
	fork_exec("execve-off", NULL, off);
	expect(__LINE__, "execve-off", "", "| shim first | mode off | "
	    "pipe-cloexec 0");
	e = posix_spawn(&pid, self, NULL, NULL, argv, empty);
	CHECK(e == 0, "posix_spawn: %s", strerror(e));
	wait_ok(pid);
	expect(__LINE__, "spawn-env", "", ENFORCED);
	argv[3] = "vfork-env";
	pid = vfork();
	if (pid == 0) {
		execve(self, argv, scrubbed);
		_exit(127);
	}
	wait_ok(pid);
	expect(__LINE__, "vfork-env", "", ENFORCED);
	/* The parent's own environment is untouched. */
	CHECK(getenv("LD_PRELOAD") != NULL, "LD_PRELOAD gone in the parent");

	/* The program scrubs environ itself: execv, system, popen. */
	{
		char *pre = strdup(getenv("LD_PRELOAD")), cmd[1024];
		FILE *fp;
		int st;

		unsetenv("LD_PRELOAD");
		unsetenv("NOINHERIT_MODE");
		fork_exec("execv-environ", NULL, NULL);
		expect(__LINE__, "execv-environ", "", ENFORCED);
		snprintf(cmd, sizeof(cmd), "'%s' child '%s' system-environ",
		    self, report);
		st = system(cmd);
		CHECK(st == 0, "system: %#x", st);
		expect(__LINE__, "system-environ", "", ENFORCED);
		snprintf(cmd, sizeof(cmd), "'%s' child '%s' popen-environ",
		    self, report);
		fp = popen(cmd, "r");
		CHECK(fp != NULL && pclose(fp) == 0, "popen");
		expect(__LINE__, "popen-environ", "", ENFORCED);
		CHECK(getenv("LD_PRELOAD") == NULL, "environ changed");
		setenv("LD_PRELOAD", pre, 1);
		setenv("NOINHERIT_MODE", "enforce", 1);
		free(pre);
	}
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/ni-giveback-XXXXXX", data[64], rep[64];
	int fd;

	if (argc >= 4 && strcmp(argv[1], "child") == 0)
		return child(argv[2], argv[3]);
	if (argc != 2 || strcmp(argv[1], "run") != 0) {
		fprintf(stderr, "usage: giveback_test run\n");
		return 2;
	}
	/* What the harness leaked into us would be in every report. */
	syscall(SYS_close_range, 3, ~0u, 0);
	self = "/proc/self/exe";
	{
		static char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		exe[n > 0 ? n : 0] = '\0';
		self = exe;
	}
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(rep, sizeof(rep), "%s/report", dir);
	report = rep;
	fd = open(data, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	close(fd);
	fd = open(rep, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	close(fd);

	named(data);
	spawns(data);
	locks(data);
	script(dir);
	environments();

	unlink(data);
	unlink(rep);
	rmdir(dir);
	if (check_failures != 0) {
		fprintf(stderr, "%d failures\n", check_failures);
		return 1;
	}
	printf("giveback: ok\n");
	return 0;
}
