/*
 * fdcheck - prints, on one line, the descriptors this process received
 * across execve(), e.g. "0 1 2 5".  The tests exec it to see what a child
 * really gets.  Reads /proc/self/fd (leaving out the directory's own fd);
 * where /proc is hidden it tries fcntl(F_GETFD) on every fd up to the hard
 * RLIMIT_NOFILE.  Exit status 0, or 1 if the answer could not be written.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct fdlist {
	int *v;
	size_t n, cap;
};

static void
add(struct fdlist *l, int fd)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		int *nv = realloc(l->v, cap * sizeof *nv);

		if (nv == NULL) {
			fputs("fdcheck: out of memory\n", stderr);
			exit(1);
		}
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = fd;
}

/* Returns false if /proc/self/fd cannot be read or is not a real procfs
 * listing (its own descriptor must appear in it). */
static bool
from_proc(struct fdlist *l)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	bool saw_self = false;
	int self;

	if (d == NULL)
		return false;
	self = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		char *end;
		long v;

		if (de->d_name[0] == '.')
			continue;
		errno = 0;
		v = strtol(de->d_name, &end, 10);
		if (errno != 0 || *end != '\0' || v < 0 || v > INT_MAX) {
			closedir(d);
			l->n = 0;
			return false;
		}
		if (v == self)
			saw_self = true;
		else
			add(l, (int)v);
	}
	closedir(d);
	if (!saw_self)
		l->n = 0;
	return saw_self;
}

static void
from_fcntl(struct fdlist *l)
{
	struct rlimit rl;
	int fd, limit = 1 << 20;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
	    rl.rlim_max < (rlim_t)limit)
		limit = (int)rl.rlim_max;
	for (fd = 0; fd < limit; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			add(l, fd);
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int
main(void)
{
	struct fdlist l = { NULL, 0, 0 };
	size_t i;

	/* Look before stdio or anything else opens a descriptor. */
	if (!from_proc(&l))
		from_fcntl(&l);
	qsort(l.v, l.n, sizeof *l.v, cmp_int);
	for (i = 0; i < l.n; i++)
		printf(i ? " %d" : "%d", l.v[i]);
	putchar('\n');
	free(l.v);
	return (fflush(stdout) == 0 && !ferror(stdout)) ? 0 : 1;
}
