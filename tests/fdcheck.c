/*
 * fdcheck - prints, on one line, the descriptors this process received
 * across execve(), e.g. "0 1 2 5".  The tests exec it to see what a child
 * really gets.  Reads /proc/self/fd (leaving out the directory's own fd);
 * where /proc is hidden it tries fcntl(F_GETFD) on every fd up to the hard
 * RLIMIT_NOFILE (fdscan.c, shared with testutil).  Exit status 0, or 1 if
 * the answer could not be found or written.
 */
#include <stdio.h>

#include "fdscan.h"

int
main(void)
{
	struct fdscan l = { NULL, 0, 0 };
	size_t i;

	/* Look before stdio or anything else opens a descriptor. */
	if (fdscan(&l) != 0) {
		fputs("fdcheck: out of memory\n", stderr);
		return 1;
	}
	for (i = 0; i < l.n; i++)
		printf(i ? " %d" : "%d", l.v[i]);
	putchar('\n');
	fdscan_free(&l);
	return (fflush(stdout) == 0 && !ferror(stdout)) ? 0 : 1;
}
