/*
 * closefd.c - close_keep_errno: close a descriptor on an error path
 * without losing the errno being reported.
 */
#include <unistd.h>

#include "internal.h"

void
close_keep_errno(int fd)
{
	int saved = errno;

	/* Linux frees the descriptor even when close() fails with EINTR. */
	(void)close(fd);
	errno = saved;
}
