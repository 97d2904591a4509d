/*
 * spawn_opts_posix.c - the ni_spawn options only POSIX systems have:
 * setsid, process group, umask, signal mask.  The options of every system
 * are set in spawn_opts.c; Windows answers these with ENOSYS
 * (win/spawnopts.c).
 */
#include <errno.h>

#include "spawn.h"

/* The setters of one value: EINVAL for a NULL o. */
#define SET_OPTION(o, field, value)		\
	do {					\
		if ((o) == NULL) {		\
			errno = EINVAL;		\
			return -1;		\
		}				\
		(o)->field = (value);		\
		return 0;			\
	} while (0)

NI_API int
ni_spawn_opts_set_setsid(ni_spawn_opts *o, bool setsid)
{
	SET_OPTION(o, setsid, setsid);
}

NI_API int
ni_spawn_opts_set_pgroup(ni_spawn_opts *o, pid_t pgid)
{
	if (pgid < 0) {
		errno = EINVAL;
		return -1;
	}
	SET_OPTION(o, pgid, pgid);
}

NI_API int
ni_spawn_opts_set_umask(ni_spawn_opts *o, mode_t mask)
{
	if (o == NULL) {
		errno = EINVAL;
		return -1;
	}
	o->umask = mask & 0777;
	o->has_umask = true;
	return 0;
}

NI_API int
ni_spawn_opts_set_sigmask(ni_spawn_opts *o, const sigset_t *mask)
{
	if (o == NULL) {
		errno = EINVAL;
		return -1;
	}
	o->has_sigmask = mask != NULL;
	if (mask != NULL)
		o->sigmask = *mask;
	return 0;
}
