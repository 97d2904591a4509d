/*
 * spawnopts.c - ni_spawn's options on Windows.  The same checks as the
 * POSIX ones (src/spawn.c), so a program behaves alike on both; what
 * Windows has no sense of (sessions, process groups, umask) fails with
 * ENOSYS.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <noinherit.h>

#include "win.h"

NI_API ni_spawn_opts *
ni_spawn_opts_new(void)
{
	ni_spawn_opts *o = calloc(1, sizeof *o);

	if (o == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	o->close_fds = true;
	return o;
}

NI_API void
ni_spawn_opts_free(ni_spawn_opts *o)
{
	if (o == NULL)
		return;
	free(o->from);
	free(o->to);
	free(o->cwd);
	free(o);
}

static int
grow(ni_spawn_opts *o)
{
	size_t cap = o->cap ? 2 * o->cap : 8;
	int *from, *to;

	if (cap > SIZE_MAX / sizeof(int)) {
		errno = ENOMEM;
		return -1;
	}
	if ((from = realloc(o->from, cap * sizeof(int))) == NULL)
		return -1;
	o->from = from;
	if ((to = realloc(o->to, cap * sizeof(int))) == NULL)
		return -1;
	o->to = to;
	o->cap = cap;
	return 0;
}

NI_API int
ni_spawn_opts_map_fd(ni_spawn_opts *o, int parent_fd, int child_fd)
{
	size_t i;

	if (o == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (parent_fd < 0 || child_fd < 0) {
		errno = EBADF;
		return -1;
	}
	for (i = 0; i < o->nmaps; i++) {
		if (o->to[i] != child_fd)
			continue;
		if (o->from[i] == parent_fd)
			return 0;	/* the same mapping again */
		errno = EINVAL;		/* two sources for one target */
		return -1;
	}
	if (o->nmaps == o->cap && grow(o) != 0)
		return -1;
	o->from[o->nmaps] = parent_fd;
	o->to[o->nmaps] = child_fd;
	o->nmaps++;
	return 0;
}

NI_API int
ni_spawn_opts_pass_fd(ni_spawn_opts *o, int fd)
{
	return ni_spawn_opts_map_fd(o, fd, fd);
}

NI_API int
ni_spawn_opts_set_close_fds(ni_spawn_opts *o, bool close_fds)
{
	if (o == NULL) {
		errno = EINVAL;
		return -1;
	}
	o->close_fds = close_fds;
	return 0;
}

NI_API int
ni_spawn_opts_set_search_path(ni_spawn_opts *o, bool search)
{
	if (o == NULL) {
		errno = EINVAL;
		return -1;
	}
	o->search = search;
	return 0;
}

NI_API int
ni_spawn_opts_set_cwd(ni_spawn_opts *o, const char *dir)
{
	char *copy = NULL;

	if (o == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (dir != NULL && (copy = _strdup(dir)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	free(o->cwd);
	o->cwd = copy;
	return 0;
}

/* No sessions, process groups in the POSIX sense, or umask on Windows. */
static int
unsupported(const ni_spawn_opts *o)
{
	errno = o == NULL ? EINVAL : ENOSYS;
	return -1;
}

NI_API int
ni_spawn_opts_set_setsid(ni_spawn_opts *o, bool setsid)
{
	(void)setsid;
	return unsupported(o);
}

NI_API int
ni_spawn_opts_set_pgroup(ni_spawn_opts *o, pid_t pgid)
{
	if (o != NULL && pgid < 0) {
		errno = EINVAL;		/* as on POSIX */
		return -1;
	}
	return unsupported(o);
}

NI_API int
ni_spawn_opts_set_umask(ni_spawn_opts *o, mode_t mask)
{
	(void)mask;
	return unsupported(o);
}
