/*
 * leaky.c - a program with the classic leaks, for `noinherit trace` and
 * `noinherit enforce` (tests/preload_e2e/e2e.sh).
 *
 *   leaky REPORTER FILE [N]
 *
 * make_leaks() opens FILE, a TCP socket listening on 127.0.0.1 (any port)
 * and a pipe, all without close-on-exec.  Then REPORTER (reporter.c) is
 * started N times (default 1) in each of four ways: system(), popen(),
 * posix_spawn() and fork() + execv().  Each reporter prints the
 * descriptors it received; popen's output is copied through.  Under trace
 * every one of the three leaks reaches every child; under enforce, none.
 * It then waits 200 ms before exiting: `trace` describes a socket from
 * /proc/net while it still exists, and the report's socket line should
 * not depend on how fast the machine schedules the tracer.
 *
 * Exit status: 0, or 2 if something could not be done.  Built with -g and
 * without -rdynamic: make_leaks is not in the dynamic symbol table, so
 * only the symbol table or DWARF (tools/trace_symbols.c) can name it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct leaks {
	int file, sock, pipe[2];
};

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

/* The three leaks.  noinline: the backtrace must show this function. */
__attribute__((noinline)) static void
make_leaks(const char *path, struct leaks *l)
{
	struct sockaddr_in sin;

	l->file = open(path, O_RDONLY);
	if (l->file < 0)
		die(path);
	l->sock = socket(AF_INET, SOCK_STREAM, 0);
	if (l->sock < 0)
		die("socket");
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l->sock, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(l->sock, 4) != 0)
		die("bind/listen");
	if (pipe(l->pipe) != 0)
		die("pipe");
}

static void
by_system(const char *reporter)
{
	char cmd[4096];
	int st;

	snprintf(cmd, sizeof cmd, "'%s' system", reporter);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("system");
}

static void
by_popen(const char *reporter)
{
	char cmd[4096], line[4096];
	FILE *f;

	snprintf(cmd, sizeof cmd, "'%s' popen", reporter);
	f = popen(cmd, "r");
	if (f == NULL)
		die("popen");
	while (fgets(line, sizeof line, f) != NULL)
		fputs(line, stdout);
	if (pclose(f) != 0)
		die("pclose");
}

static void
by_posix_spawn(const char *reporter)
{
	char *argv[] = { (char *)reporter, (char *)"posix_spawn", NULL };
	pid_t pid;
	int st;

	if (posix_spawn(&pid, reporter, NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid || st != 0)
		die("posix_spawn");
}

static void
by_fork_execv(const char *reporter)
{
	char *argv[] = { (char *)reporter, (char *)"fork-execv", NULL };
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execv(reporter, argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || st != 0)
		die("fork+execv");
}

int
main(int argc, char **argv)
{
	struct leaks l;
	int i, n = argc > 3 ? atoi(argv[3]) : 1;

	if (argc < 3) {
		fprintf(stderr, "usage: leaky REPORTER FILE [N]\n");
		return 2;
	}
	make_leaks(argv[2], &l);
	/* The children write to the same stdout: nothing may wait in ours. */
	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 0; i < n; i++) {
		by_popen(argv[1]);
		by_system(argv[1]);
		by_posix_spawn(argv[1]);
		by_fork_execv(argv[1]);
	}
	nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
	return 0;
}
