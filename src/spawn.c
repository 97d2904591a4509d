/*
 * spawn.c - the parent's half of a POSIX spawn: every
 * check, every allocation and the whole plan, before any child exists.
 * The child itself is per-OS (spawn_linux.c, spawn_posix.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

extern char **environ;

/* PATH when neither envp nor this process has one (as confstr _CS_PATH). */
#define DEFAULT_PATH "/bin:/usr/bin"

const ni_spawn_opts ni__spawn_defaults = {
	.c = { .close_fds = true },
	.pgid = -1,
};

/* PATH=... from envp, else NULL. */
static const char *
env_path(char *const envp[])
{
	for (; *envp != NULL; envp++)
		if (strncmp(*envp, "PATH=", 5) == 0)
			return *envp + 5;
	return NULL;
}

/*
 * The paths to try, in one allocation: the pointers, then the strings.
 * A file with a '/' is the only one; otherwise each PATH entry joined
 * with file ("" meaning the working directory, as execvp takes it).
 * Returns the array (free() it), or NULL with errno.
 */
const char **
spawn_paths(const char *file, bool search, char *const envp[],
    bool own_env, size_t *n)
{
	const char *path, *dir, *end;
	size_t flen = strlen(file), count = 1, size, i = 0;
	const char **v;
	char *s;

	if (strchr(file, '/') != NULL || flen == 0 || !search) {
		if (flen == 0 || (strchr(file, '/') == NULL && !search)) {
			errno = ENOENT;
			return NULL;
		}
		v = malloc(sizeof *v);
		if (v == NULL)
			return NULL;
		v[0] = file;
		*n = 1;
		return v;
	}
	path = own_env ? getenv("PATH") : env_path(envp);
	if (path == NULL)
		path = DEFAULT_PATH;
	for (dir = path; *dir != '\0'; dir++)
		count += *dir == ':';
	/* Each entry gets "dir/file\0": the whole of PATH, plus per entry
	 * a '/', file and a NUL. */
	size = strlen(path) + count * (flen + 2);
	if (count > (SIZE_MAX - size) / sizeof *v - 1) {
		errno = ENOMEM;
		return NULL;
	}
	v = malloc(count * sizeof *v + size);
	if (v == NULL)
		return NULL;
	s = (char *)(v + count);
	for (dir = path;; dir = end + 1) {
		end = strchr(dir, ':');
		if (end == NULL)
			end = dir + strlen(dir);
		v[i++] = s;
		if (end > dir) {
			memcpy(s, dir, (size_t)(end - dir));
			s += end - dir;
			*s++ = '/';
		}
		memcpy(s, file, flen + 1);
		s += flen + 1;
		if (*end == '\0')
			break;
	}
	*n = i;
	return v;
}

void
spawn_reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		continue;
}

int
spawn_wait_report(int rfd, pid_t pid)
{
	int err = 0;
	ssize_t n;

	while ((n = read(rfd, &err, sizeof err)) < 0 && errno == EINTR)
		continue;
	if (n < 0)
		err = errno;
	close_keep_errno(rfd);
	if (n == 0)
		return 0;
	if (n > 0 && (n != (ssize_t)sizeof err || err <= 0))
		err = EIO;	/* cannot happen: one write of an int */
	spawn_reap(pid);
	errno = err;
	return -1;
}

/* The whole plan, then the per-OS spawn. */
static int
spawn(int *pidfd, pid_t *pid, const char *file, char *const argv[],
    char *const envp[], const ni_spawn_opts *o)
{
	struct spawn_plan p;
	const char **paths;
	void *mem;
	int keep3[4], r, err, saved = errno;

	if (pid == NULL || file == NULL || argv == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (o == NULL)
		o = &ni__spawn_defaults;
	memset(&p, 0, sizeof p);
	p.argv = argv;
	p.envp = envp != NULL ? envp : environ;
	paths = spawn_paths(file, o->c.search, p.envp, envp == NULL, &p.npaths);
	if (paths == NULL)
		return -1;
	p.paths = paths;
	if (fdplan_build(&p.fd, &o->c, keep3, &mem) != 0) {
		free(paths);
		return -1;
	}
	p.setsid = o->setsid;
	p.pgid = o->setsid ? -1 : o->pgid;
	p.has_umask = o->has_umask;
	p.umask = o->umask;
	p.cwd = o->c.cwd;
	p.has_mask = o->has_sigmask;
	if (o->has_sigmask)
		p.mask = o->sigmask;
	p.report_fd = -1;
	p.report_rfd = -1;

	r = spawn_os(&p, pid, pidfd);
	err = errno;
	if (p.fd.close_range_refused)
		probe_set(P_CLOSE_RANGE, PROBE_NO);
	if (p.fd.cloexec_range_refused)
		probe_set(P_CLOSE_RANGE_CLOEXEC, PROBE_NO);
	free(mem);
	free(paths);
	errno = r == 0 ? saved : err;
	return r;
}

NI_API int
ni_spawn(pid_t *pid, const char *file, char *const argv[], char *const envp[],
    const ni_spawn_opts *o)
{
	return spawn(NULL, pid, file, argv, envp, o);
}

NI_API int
ni_spawn_pidfd(int *pidfd, pid_t *pid, const char *file, char *const argv[],
    char *const envp[], const ni_spawn_opts *o)
{
	if (pidfd == NULL) {
		errno = EINVAL;
		return -1;
	}
	return spawn(pidfd, pid, file, argv, envp, o);
}
