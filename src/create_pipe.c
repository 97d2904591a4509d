/*
 * create_pipe.c - pipe and pipe2.
 */
#include <fcntl.h>
#include <unistd.h>

#include "compat.h"
#include "internal.h"

#ifndef O_DIRECT
#define O_DIRECT 0
#endif

#define PIPE2_FLAGS (O_NONBLOCK | O_DIRECT | O_CLOEXEC)

static int
pipe2_atomic(void *p, int fds[2])
{
	return sys_pipe2(fds, *(int *)p | O_CLOEXEC);
}

static int
pipe_plain(void *p, int fds[2])
{
	(void)p;
	return pipe(fds); /* NOLINT(android-cloexec-pipe): the fallback sets it */
}

/* pipe2: Linux 2.6.27; ENOSYS before. */
int
ni_pipe2(int fds[2], int flags)
{
	/* Checked here so that the fallback cannot accept what pipe2 would not. */
	if (flags & ~PIPE2_FLAGS) {
		errno = EINVAL;
		return -1;
	}
	return create_pair(P_PIPE2, pipe2_atomic, pipe_plain, &flags, fds,
	    flags & ~O_CLOEXEC, true);
}

int
ni_pipe(int fds[2])
{
	return ni_pipe2(fds, 0);
}
