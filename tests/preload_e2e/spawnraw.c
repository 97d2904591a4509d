/*
 * spawnraw.c - a posix_spawn, then a child that execs on its own through
 * a raw execve(2), for trace.fork-rawexec (tests/preload_e2e/e2e.sh).
 *
 *   spawnraw REPORTER FILE [fail]
 *
 * posix_spawns /bin/true and waits for it, then opens FILE with a raw
 * openat(2) (no hook sees it; inheritable, fd 3), then vforks a child that
 * execs REPORTER ("vforked") with a raw execve(2): no hook sees that
 * either.  The spawn's record does not list fd 3, yet no file action put
 * it in REPORTER: it leaked.
 *
 * With "fail", a second posix_spawn comes after the first and fails before
 * it makes a process (spawn_fail): its record, sent before the call, is
 * then the latest one, and still no file action put fd 3 anywhere.
 *
 * Exit status: REPORTER's, 3 if the spawn meant to fail did not, or 2 if
 * something else could not be done.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* glibc's posix_spawn maps a stack for its child of 8 bytes per argument
 * and 512 more before it clones: 8 MiB for these. */
#define FAIL_ARGS (1L << 20)
static char *fail_argv[FAIL_ARGS + 1];

/* The address space in use now, in bytes (VmSize); 0 if unknown. */
static unsigned long
vm_size(void)
{
	char line[256];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmSize: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/*
 * A posix_spawn that fails before its clone: the address space is held to
 * 1 MiB more than is in use across the call, so that the child's stack
 * cannot be mapped (ENOMEM).  Whether it failed.
 */
static int
spawn_fail(void)
{
	struct rlimit old, low;
	unsigned long vm;
	pid_t pid;
	int r;

	for (long i = 0; i < FAIL_ARGS; i++)
		fail_argv[i] = (char *)"true";
	if (getrlimit(RLIMIT_AS, &old) != 0 || (vm = vm_size()) == 0)
		return 0;
	low = old;
	low.rlim_cur = vm + (1UL << 20);
	if (old.rlim_cur != RLIM_INFINITY && old.rlim_cur < low.rlim_cur)
		low.rlim_cur = old.rlim_cur;
	if (setrlimit(RLIMIT_AS, &low) != 0)
		return 0;
	r = posix_spawn(&pid, "/bin/true", NULL, NULL, fail_argv, environ);
	if (setrlimit(RLIMIT_AS, &old) != 0)
		return 0;
	if (r == 0) {
		waitpid(pid, NULL, 0);
		return 0;
	}
	return 1;
}

int
main(int argc, char **argv)
{
	char *tv[] = { (char *)"true", NULL };
	char *rv[] = { argv[1], (char *)"vforked", NULL };
	pid_t pid;
	long fd;
	int st;

	if (argc != 3 && (argc != 4 || strcmp(argv[3], "fail") != 0)) {
		fputs("usage: spawnraw REPORTER FILE [fail]\n", stderr);
		return 2;
	}
	if (posix_spawn(&pid, "/bin/true", NULL, NULL, tv, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid)
		return 2;
	if (argc == 4 && !spawn_fail())
		return 3;
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
