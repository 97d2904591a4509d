/*
 * spawnopts.c - ni_spawn's options on Windows.  Those of every system
 * are in src/spawn_opts.c; what Windows has no sense of (sessions,
 * process groups, umask) fails with ENOSYS here.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <noinherit.h>

#include "win.h"

const ni_spawn_opts ni__spawn_defaults = { .c = { .close_fds = true } };

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
