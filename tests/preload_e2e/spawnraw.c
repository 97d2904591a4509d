/*
 * spawnraw.c - a posix_spawn, then a child that execs on its own through
 * a raw execve(2), for trace.fork-rawexec (tests/preload_e2e/e2e.sh).
 *
 *   spawnraw REPORTER FILE
 *
 * posix_spawns /bin/true and waits for it, then opens FILE with a raw
 * openat(2) (no hook sees it; inheritable, fd 3), then vforks a child that
 * execs REPORTER ("vforked") with a raw execve(2): no hook sees that
 * either.  The spawn's record does not list fd 3, yet no file action put
 * it in REPORTER: it leaked.
 *
 * Exit status: REPORTER's, or 2 if something could not be done.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int
main(int argc, char **argv)
{
	char *tv[] = { (char *)"true", NULL };
	char *rv[] = { argv[1], (char *)"vforked", NULL };
	pid_t pid;
	long fd;
	int st;

	if (argc != 3) {
		fputs("usage: spawnraw REPORTER FILE\n", stderr);
		return 2;
	}
	if (posix_spawn(&pid, "/bin/true", NULL, NULL, tv, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid)
		return 2;
	fd = syscall(SYS_openat, AT_FDCWD, argv[2], O_RDONLY);
	if (fd != 3)
		return 2;
	pid = vfork();
	if (pid == 0) {
		syscall(SYS_execve, argv[1], rv, environ);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 2;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}
