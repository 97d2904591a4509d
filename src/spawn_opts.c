/*
 * spawn_opts.c - the ni_spawn options every system has (struct
 * spawn_common, spawn_opts.h): the descriptor mappings, close_fds, PATH
 * search and the working directory, with the same checks everywhere.  Each
 * system's struct ni_spawn_opts (spawn.h; win/win.h) embeds them as `c`,
 * and each defines ni__spawn_defaults; the options only one system has are
 * set in its own file (spawn_opts_posix.c; win/spawnopts.c).
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
	free(o->c.from);
	free(o->c.to);
	free(o->c.cwd);
	free(o);
}

/* Room for one more mapping. */
static int
grow(ni_spawn_opts *o)
{
	size_t cap = o->c.cap ? 2 * o->c.cap : 8;
	int *from, *to;

	if (cap > SIZE_MAX / sizeof(int)) {
		errno = ENOMEM;
		return -1;
	}
	if ((from = realloc(o->c.from, cap * sizeof(int))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	o->c.from = from;
	if ((to = realloc(o->c.to, cap * sizeof(int))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	o->c.to = to;
	o->c.cap = cap;
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
	for (i = 0; i < o->c.nmaps; i++) {
		if (o->c.to[i] != child_fd)
			continue;
		if (o->c.from[i] == parent_fd)
			return 0;	/* the same mapping again */
		errno = EINVAL;		/* two sources for one target */
		return -1;
	}
	if (o->c.nmaps == o->c.cap && grow(o) != 0)
		return -1;
	o->c.from[o->c.nmaps] = parent_fd;
	o->c.to[o->c.nmaps] = child_fd;
	o->c.nmaps++;
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
	o->c.close_fds = close_fds;
	return 0;
}

NI_API int
ni_spawn_opts_set_search_path(ni_spawn_opts *o, bool search)
{
	if (o == NULL) {
		errno = EINVAL;
		return -1;
	}
	o->c.search = search;
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
	free(o->c.cwd);
	o->c.cwd = copy;
	return 0;
}
