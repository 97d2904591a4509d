/*
 * hooks_exec.c - every public way glibc starts a program: execve and the
 * exec family, fexecve, execveat, posix_spawn(p), system and popen.
 *
 * enforce passes them through (the flags were set when each descriptor
 * was made).  trace writes the `exec` record (FORMAT.md) just before the
 * real call: for exec* in this process, whose image is about to change;
 * for posix_spawn, system and popen in the parent, since glibc reaches
 * the kernel through internal calls no hook sees.  An exec* hook may run
 * in a vfork child: shim_exec_record uses only the stack and raw system
 * calls, and leaves shim_busy clear before the real call.
 *
 * execl, execle and execlp gather their arguments on the stack, as glibc
 * does, and call the real execv, execve and execvp.
 */
#include "shim.h"

#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys.h"

/* What a descriptor is, for fexecve's and execveat's target. */
static const char *
fd_target(int fd, char *buf, size_t size)
{
	char path[32];
	int saved = errno;
	ssize_t n;

	shim_proc_fd_path(path, fd);
	n = sys_readlink(path, buf, size - 1);
	errno = saved;
	if (n <= 0)
		return "";
	buf[n] = '\0';
	return buf;
}

HOOK int
execve(const char *path, char *const argv[], char *const envp[])
{
	int m = shim_mode();
	NEXT(execve, -1);

	if (m == SHIM_TRACE)
		shim_exec_record("execve", path, argv);
	return next(path, argv, envp);
}

HOOK int
execv(const char *path, char *const argv[])
{
	int m = shim_mode();
	NEXT(execv, -1);

	if (m == SHIM_TRACE)
		shim_exec_record("execv", path, argv);
	return next(path, argv);
}

HOOK int
execvp(const char *file, char *const argv[])
{
	int m = shim_mode();
	NEXT(execvp, -1);

	if (m == SHIM_TRACE)
		shim_exec_record("execvp", file, argv);
	return next(file, argv);
}

HOOK int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	int m = shim_mode();
	NEXT(execvpe, -1);

	if (m == SHIM_TRACE)
		shim_exec_record("execvpe", file, argv);
	return next(file, argv, envp);
}

HOOK int
fexecve(int fd, char *const argv[], char *const envp[])
{
	int m = shim_mode();
	NEXT(fexecve, -1);

	if (m == SHIM_TRACE) {
		char buf[512];

		shim_exec_record("fexecve", fd_target(fd, buf, sizeof(buf)),
		    argv);
	}
	return next(fd, argv, envp);
}

#if __GLIBC_PREREQ(2, 34)	/* execveat's wrapper */
HOOK int
execveat(int dirfd, const char *path, char *const argv[],
    char *const envp[], int flags)
{
	int m = shim_mode();
	NEXT(execveat, -1);

	if (m == SHIM_TRACE) {
		char buf[512];

		shim_exec_record("execveat", path != NULL && path[0] != '\0' ?
		    path : fd_target(dirfd, buf, sizeof(buf)), argv);
	}
	return next(dirfd, path, argv, envp, flags);
}
#endif

/* The number of arguments from arg to the terminating NULL. */
#define COUNT_ARGS(n, arg) do { \
	va_list ap_; \
	(n) = 0; \
	if ((arg) != NULL) { \
		(n) = 1; \
		va_start(ap_, arg); \
		while (va_arg(ap_, char *) != NULL) \
			(n)++; \
		va_end(ap_); \
	} \
} while (0)

/*
 * argv[0..n] from arg and the arguments after it (COUNT_ARGS gave n),
 * NULL-terminated; ap is left just past the terminating NULL, where
 * execle's envp is.
 */
#define FILL_ARGS(argv, n, arg, ap) do { \
	(argv)[0] = (char *)(arg); \
	for (size_t i_ = 1; i_ <= (n); i_++) \
		(argv)[i_] = va_arg(ap, char *); \
	(argv)[n] = NULL; \
} while (0)

HOOK int
execl(const char *path, const char *arg, ...)
{
	int m = shim_mode();
	size_t n;
	va_list ap;
	NEXT(execv, -1);

	COUNT_ARGS(n, arg);
	char *argv[n + 1];

	va_start(ap, arg);
	FILL_ARGS(argv, n, arg, ap);
	va_end(ap);
	if (m == SHIM_TRACE)
		shim_exec_record("execl", path, argv);
	return next(path, argv);
}

HOOK int
execlp(const char *file, const char *arg, ...)
{
	int m = shim_mode();
	size_t n;
	va_list ap;
	NEXT(execvp, -1);

	COUNT_ARGS(n, arg);
	char *argv[n + 1];

	va_start(ap, arg);
	FILL_ARGS(argv, n, arg, ap);
	va_end(ap);
	if (m == SHIM_TRACE)
		shim_exec_record("execlp", file, argv);
	return next(file, argv);
}

/* execle: the environment follows the terminating NULL. */
HOOK int
execle(const char *path, const char *arg, ...)
{
	int m = shim_mode();
	char **envp;
	size_t n;
	va_list ap;
	NEXT(execve, -1);

	COUNT_ARGS(n, arg);
	char *argv[n + 1];

	va_start(ap, arg);
	FILL_ARGS(argv, n, arg, ap);
	envp = va_arg(ap, char **);
	va_end(ap);
	if (m == SHIM_TRACE)
		shim_exec_record("execle", path, argv);
	return next(path, argv, envp);
}

HOOK int
posix_spawn(pid_t *pid, const char *path,
    const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	int m = shim_mode();
	NEXT(posix_spawn, ENOSYS);

	if (m == SHIM_TRACE)
		shim_exec_record("posix_spawn", path, argv);
	return next(pid, path, actions, attr, argv, envp);
}

HOOK int
posix_spawnp(pid_t *pid, const char *file,
    const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	int m = shim_mode();
	NEXT(posix_spawnp, ENOSYS);

	if (m == SHIM_TRACE)
		shim_exec_record("posix_spawnp", file, argv);
	return next(pid, file, actions, attr, argv, envp);
}

/* system(NULL) asks whether there is a shell: glibc runs `exit 0`. */
HOOK int
system(const char *command)
{
	int m = shim_mode();
	NEXT(system, -1);

	if (m == SHIM_TRACE) {
		char *argv[] = { "sh", "-c",
		    (char *)(command != NULL ? command : "exit 0"), NULL };

		shim_exec_record("system", "/bin/sh", argv);
	}
	return next(command);
}

/*
 * popen is an exec and a creation: glibc's parent end is made inheritable
 * unless the type has "e", which enforce adds.
 */
HOOK FILE *
popen(const char *command, const char *type)
{
	int m = shim_mode();
	bool asked = shim_mode_has_e(type, 64);
	bool ours = m == SHIM_ENFORCE && !asked;
	char buf[16];
	NEXT(popen, NULL);

	if (ours && type != NULL && strlen(type) + 2 <= sizeof(buf)) {
		strcpy(buf, type);
		strcat(buf, "e");
		type = buf;
	}
	if (m == SHIM_TRACE) {
		char *argv[] = { "sh", "-c", (char *)command, NULL };

		shim_exec_record("popen", "/bin/sh", argv);
	}
	return shim_made_stream(m, next(command, type), "popen", ours, asked);
}
