/*
 * spawn_opts.c - the ni_spawn options every system has: the descriptor
 * mappings, close_fds, PATH search and the working directory, with the
 * same checks everywhere.  Each system's struct ni_spawn_opts (spawn.h;
 * win/win.h) starts with these fields, and each defines
 * ni__spawn_defaults; the options only one system has are set in its own
 * files (spawn.c; win/spawnopts.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include "win/win.h"
#else
#include "spawn.h"
#endif

NI_API ni_spawn_opts *
ni_spawn_opts_new(void)
{
	ni_spawn_opts *o = malloc(sizeof *o);

	if (o == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	*o = ni__spawn_defaults;
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

/* Room for one more mapping. */
static int
grow(ni_spawn_opts *o)
{
	size_t cap = o->cap ? 2 * o->cap : 8;
	int *from, *to;

	if (cap > SIZE_MAX / sizeof(int)) {
		errno = ENOMEM;
		return -1;
	}
	if ((from = realloc(o->from, cap * sizeof(int))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	o->from = from;
	if ((to = realloc(o->to, cap * sizeof(int))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
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
	if (dir != NULL) {
		size_t n = strlen(dir) + 1;

		if ((copy = malloc(n)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		memcpy(copy, dir, n);
	}
	free(o->cwd);
	o->cwd = copy;
	return 0;
}
