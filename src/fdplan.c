/*
 * fdplan.c - the parent's side of the descriptor plan (fdplan.h): checks,
 * the moves, the keep list.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "fdplan.h"

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * Every source must be open and every target below the soft
 * RLIMIT_NOFILE (dup2 could not make it): EBADF otherwise.  The moves and
 * the keep list share one allocation, *mem.
 */
int
fdplan_build(struct fdplan *f, const struct spawn_common *c, int keep3[4],
    void **mem)
{
	size_t n = c->nmaps, i, j, k;
	struct rlimit rl;

	f->close_fds = c->close_fds;
	f->try_close_range = probe_get(P_CLOSE_RANGE) != PROBE_NO;
	f->try_cloexec_range = f->try_close_range &&
	    probe_get(P_CLOSE_RANGE_CLOEXEC) != PROBE_NO;
	f->try_walk = probe_get(P_PROC_FD) != PROBE_NO;
	f->keep = keep3;
	f->nkeep = 3;
	keep3[0] = 0;
	keep3[1] = 1;
	keep3[2] = 2;
	*mem = NULL;
	if (n == 0)
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		rl.rlim_cur = RLIM_INFINITY;
	for (i = 0; i < n; i++) {
		if (fcntl(c->from[i], F_GETFD) < 0 ||
		    (rl.rlim_cur != RLIM_INFINITY &&
		    (rlim_t)c->to[i] >= rl.rlim_cur)) {
			errno = EBADF;
			return -1;
		}
	}
	if (n > (SIZE_MAX / 2 - 4) / (sizeof(struct spawn_move) + sizeof(int))) {
		errno = ENOMEM;
		return -1;
	}
	*mem = malloc(n * sizeof(struct spawn_move) + (n + 4) * sizeof(int));
	if (*mem == NULL)
		return -1;
	f->moves = *mem;
	f->nmoves = n;
	f->keep = (int *)(f->moves + n);
	for (i = 0; i < n; i++) {
		struct spawn_move *m = &f->moves[i];

		m->from = c->from[i];
		m->to = c->to[i];
		m->tmp = -1;
		m->copy = false;
		for (m->src = 0; c->from[m->src] != m->from; m->src++)
			continue;
		/* Overwritten before use if it is another mapping's target. */
		for (j = 0; j < n; j++)
			if (c->to[j] == m->from && c->from[j] != m->from)
				m->copy = true;
	}
	/* 0, 1, 2 and the targets, sorted, each once. */
	for (i = 0; i < 3; i++)
		f->keep[i] = (int)i;
	for (i = 0; i < n; i++)
		f->keep[3 + i] = c->to[i];
	qsort(f->keep, n + 3, sizeof(int), cmp_int);
	for (i = 1, k = 1; i < n + 3; i++)
		if (f->keep[i] != f->keep[k - 1])
			f->keep[k++] = f->keep[i];
	f->nkeep = k;
	return 0;
}
