/*
 * fdscan.c - see fdscan.h.  Compiled into both the reporter and testutil.
 */
#define _GNU_SOURCE
#include "fdscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>

int
fdscan_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max == RLIM_INFINITY ||
	    rl.rlim_max > (1u << 20))
		return 1 << 20;
	return (int)rl.rlim_max;
}

static int
add(struct fdscan *l, int fd)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		int *nv = realloc(l->v, cap * sizeof *nv);

		if (nv == NULL)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = fd;
	return 0;
}

/* 1 if l holds the listing of /proc/self/fd, 0 if /proc cannot be used
 * (l is left empty), -1 out of memory. */
static int
from_proc(struct fdscan *l)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	bool saw_self = false;
	int self;

	if (d == NULL)
		return 0;
	self = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		char *end;
		long v;

		if (de->d_name[0] == '.')
			continue;
		errno = 0;
		v = strtol(de->d_name, &end, 10);
		if (errno != 0 || *end != '\0' || v < 0 || v > INT_MAX)
			break;
		if (v == self)
			saw_self = true;
		else if (add(l, (int)v) != 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	if (de != NULL || !saw_self) {
		l->n = 0;
		return 0;
	}
	return 1;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int
fdscan(struct fdscan *l)
{
	int r = from_proc(l), fd, limit;

	if (r < 0)
		return -1;
	if (r == 0) {
		limit = fdscan_limit();
		for (fd = 0; fd < limit; fd++)
			if (fcntl(fd, F_GETFD) != -1 && add(l, fd) != 0)
				return -1;
	}
	if (l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, cmp_int);
	return 0;
}

void
fdscan_free(struct fdscan *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
