/*
 * leaky.c - a program that leaks, run under the shim by trace_check.c.
 *
 *   preload_leaky parent   opens a file, a listening TCP socket and a pipe,
 *                          none close-on-exec, then starts a child through
 *                          fork+execv, posix_spawn, system, popen and
 *                          vfork+execv; then leaks five more files (two of
 *                          them made close-on-exec, then inheritable by
 *                          fcntl(F_SETFD) and ioctl(FIONCLEX)) and starts
 *                          a last child with fork+execv.  Prints "parent
 *                          PID", then "TAG STATUS" for each child.
 *   preload_leaky many     opens 100 files 20 frames down, then starts a
 *                          child: records longer than 4 KiB are split.
 *   preload_leaky child TAG
 *                          exits with the number of inheritable
 *                          descriptors beyond 0-2 it has, which is what
 *                          it received (so 0 under enforce).
 *
 * Linked with exported symbols (-rdynamic): the trace log's backtraces name
 * leak_open, leak_socket, leak_pipe, leak_again, leak_common (under via_a,
 * then via_b), leak_setfd and leak_fionclex, each the caller of its
 * creator (noinline, and no tail call, which would hide the frame).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *self;

static void
die(const char *what)
{
	perror(what);
	exit(100);
}

__attribute__((noinline)) int
leak_open(void)
{
	int fd = open(self, O_RDONLY);

	if (fd < 0)
		die("open");
	return fd;
}

__attribute__((noinline)) int
leak_socket(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(fd, 1) != 0)
		die("bind/listen");
	return fd;
}

__attribute__((noinline)) int
leak_pipe(int p[2])
{
	if (pipe(p) != 0)
		die("pipe");
	return p[0];
}

__attribute__((noinline)) int
leak_again(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0)
		die("open");
	return fd;
}

/* Made close-on-exec, then inheritable: the origin is still known. */
__attribute__((noinline)) int
leak_setfd(void)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fcntl(fd, F_SETFD, 0) != 0)
		die("open/F_SETFD");
	return fd;
}

__attribute__((noinline)) int
leak_fionclex(void)
{
	int fd = open("/dev/full", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, FIONCLEX) != 0)
		die("open/FIONCLEX");
	return fd;
}

/* The same call site, reached through two callers from one place in
 * main at the same depth: their backtraces differ in the second frame,
 * which the shim's backtrace cache must see. */
static volatile int sink;

__attribute__((noinline)) int
leak_common(void)
{
	int fd = open("/dev/zero", O_RDONLY);

	if (fd < 0)
		die("open");
	return fd;
}

__attribute__((noinline)) int
via_a(void)
{
	int fd = leak_common();

	sink = fd;
	return fd;
}

__attribute__((noinline)) int
via_b(void)
{
	int fd = leak_common();

	sink = fd + 1;
	return fd;
}

/* Opens n more files from `depth` frames down: long exec records. */
__attribute__((noinline)) int
leak_deep(int depth, int n)
{
	int r;

	if (depth > 0) {
		r = leak_deep(depth - 1, n);
		sink = r;	/* no recursion turned into a loop */
	} else {
		for (r = 0; r < n; r++)
			if (open("/dev/null", O_RDONLY) < 0)
				die("open");
	}
	return r + sink;
}

static int
child(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 99;
	/* Inherited ones are inheritable; the shim's own log fd is not. */
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && atoi(e->d_name) > 2 &&
		    (fcntl(atoi(e->d_name), F_GETFD) & FD_CLOEXEC) == 0)
			n++;
	closedir(d);
	return n;
}

static int
status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
report(const char *tag, int st)
{
	printf("%s %d\n", tag, status_of(st));
	fflush(stdout);
}

static void
by_fork_execv(const char *tag)
{
	char *argv[] = { (char *)self, "child", (char *)tag, NULL };
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execv(self, argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	report(tag, st);
}

static void
by_vfork_execv(void)
{
	char *argv[] = { (char *)self, "child", "vfork", NULL };
	pid_t pid = vfork();
	int st;

	if (pid == 0) {
		execv(self, argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	report("vfork", st);
}

static void
by_spawn(void)
{
	char *argv[] = { (char *)self, "child", "spawn", NULL };
	pid_t pid;
	int st;

	if (posix_spawn(&pid, self, NULL, NULL, argv, environ) != 0)
		die("posix_spawn");
	waitpid(pid, &st, 0);
	report("spawn", st);
}

static void
by_system(void)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "%s child system", self);
	report("system", system(cmd));
}

static void
by_popen(void)
{
	char cmd[4200], buf[64];
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "%s child popen", self);
	fp = popen(cmd, "r");
	if (fp == NULL)
		die("popen");
	while (fread(buf, 1, sizeof(buf), fp) > 0)
		;
	report("popen", pclose(fp));
}

int
main(int argc, char **argv)
{
	int p[2];

	self = argv[0];
	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return child();
	if (argc < 2 || (strcmp(argv[1], "parent") != 0 &&
	    strcmp(argv[1], "many") != 0)) {
		fprintf(stderr, "usage: %s parent | many | child TAG\n",
		    argv[0]);
		return 2;
	}
	/* Nothing the harness leaked into us is counted against us. */
	if (syscall(SYS_close_range, 3, ~0u, 0) != 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	printf("parent %d\n", (int)getpid());
	fflush(stdout);
	if (strcmp(argv[1], "many") == 0) {
		leak_deep(20, 100);
		by_fork_execv("many");
		return 0;
	}
	leak_open();
	leak_socket();
	leak_pipe(p);
	by_fork_execv("execv");
	by_spawn();
	by_system();
	by_popen();
	by_vfork_execv();
	leak_again();
	for (int i = 0; i < 2; i++)
		(i == 0 ? via_a : via_b)();
	leak_setfd();
	leak_fionclex();
	by_fork_execv("again");
	return 0;
}
