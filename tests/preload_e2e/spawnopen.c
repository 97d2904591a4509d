/*
 * spawnopen.c - a library preloaded after the shim, for trace.spawn-race
 * (tests/preload_e2e/e2e.sh): its posix_spawn opens $SPAWNOPEN_FILE
 * (inheritable, by a raw openat(2)) and then calls the real one.  So the
 * descriptor appears after the shim's record of the spawn and before the
 * clone, as one another thread opens at that moment would: the child
 * inherits it, and no file action put it there.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef int spawn_fn(pid_t *, const char *,
    const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
    char *const[], char *const[]);

int
posix_spawn(pid_t *pid, const char *path,
    const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	spawn_fn *next = (spawn_fn *)dlsym(RTLD_NEXT, "posix_spawn");
	const char *f = getenv("SPAWNOPEN_FILE");

	if (next == NULL)
		return ENOSYS;
	if (f != NULL)
		(void)syscall(SYS_openat, AT_FDCWD, f, O_RDONLY);
	return next(pid, path, fa, attr, argv, envp);
}
