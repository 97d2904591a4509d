/*
 * leaker.c - leaks descriptors into /bin/true for tests/trace_report:
 *
 *   leaker lib LIBRARY FILE   dlopen LIBRARY, leak_entry(FILE) opens it
 *                             (in a static function), then fork+execv
 *   leaker site FILE...       opens every FILE at one call site, then
 *                             fork+execv
 *   leaker forked FILE        a child opens FILE, forks a grandchild that
 *                             execs; the child itself never execs
 *   leaker inline FILE        FILE opened by a function inlined into
 *                             another, then fork+execv
 *
 * The receiver is /bin/true; what crossed is for trace to say.  Exits 0
 * when everything ran, 1 (with a message) otherwise.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* fork + execv /bin/true, waited for. */
static void
run_true(void)
{
	char *argv[] = { (char *)"true", NULL };
	pid_t pid = fork();
	int st;

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execv("/bin/true", argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		die("/bin/true");
}

__attribute__((noinline)) static int
open_one(const char *path)
{
	int fd = open(path, O_RDONLY);	/* the one call site */

	__asm__ volatile("" ::: "memory");	/* no tail call: a frame */
	return fd;
}

/*
 * Always inlined, even at -O0: its frame is inline_caller's.  O_NOCTTY
 * keeps the two from being folded into open_one (-fipa-icf).
 */
__attribute__((always_inline)) static inline int
inline_open(const char *path)
{
	return open(path, O_RDONLY | O_NOCTTY);	/* the inlined call */
}

__attribute__((noinline)) static int
inline_caller(const char *path)
{
	int fd = inline_open(path);	/* the inlining call */

	__asm__ volatile("" ::: "memory");
	return fd;
}

int
main(int argc, char **argv)
{
	int i, st;
	pid_t pid;

	if (argc >= 4 && strcmp(argv[1], "lib") == 0) {
		void *h = dlopen(argv[2], RTLD_NOW);
		int (*entry)(const char *);

		if (h == NULL) {
			fprintf(stderr, "leaker: %s\n", dlerror());
			return 1;
		}
		*(void **)&entry = dlsym(h, "leak_entry");
		if (entry == NULL || entry(argv[3]) < 0)
			die(argv[3]);
		run_true();
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "site") == 0) {
		for (i = 2; i < argc; i++)
			if (open_one(argv[i]) < 0)
				die(argv[i]);
		run_true();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "inline") == 0) {
		if (inline_caller(argv[2]) < 0)
			die(argv[2]);
		run_true();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "forked") == 0) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			if (open_one(argv[2]) < 0)
				die(argv[2]);
			run_true();
			_exit(0);	/* never execs itself */
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			return 1;
		return 0;
	}
	fprintf(stderr, "usage: leaker lib LIBRARY FILE | site FILE... | "
	    "forked FILE | inline FILE\n");
	return 2;
}
