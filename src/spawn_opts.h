/*
 * spawn_opts.h - the ni_spawn options every system has, as one type.
 *
 * Each system's struct ni_spawn_opts (spawn.h; win/win.h) embeds this as
 * its first member `c`; spawn_opts.c sets and frees it for both, and each
 * system sets the options only it has in its own file (spawn_opts_posix.c;
 * win/spawnopts.c).
 */
#ifndef NI_SPAWN_OPTS_H
#define NI_SPAWN_OPTS_H

#include <stdbool.h>
#include <stddef.h>

struct spawn_common {
	int *from, *to;		/* mappings: the child's to[i] is from[i] */
	size_t nmaps, cap;
	char *cwd;		/* NULL: the parent's (UTF-8 on Windows) */
	bool close_fds;
	bool search;
};

#endif /* NI_SPAWN_OPTS_H */
