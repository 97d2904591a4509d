/*
 * fdplan.h - the descriptor plan of ni_spawn and ni_exec: which descriptor
 * each target gets, in what order, and which descriptors are kept.
 *
 * The parent side (fdplan.c) checks the mappings and works out the moves
 * and the sorted keep list, allocating as it must, before any child exists
 * or anything changes.  The child side only follows it: spawn_child.h
 * (both spawn children) and exec.c (in place, recording what it changes),
 * each closing or marking what is not kept with the one applier,
 * fdapply.h.
 */
#ifndef NI_FDPLAN_H
#define NI_FDPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"
#include "spawn_opts.h"

#define fdplan_build ni__fdplan_build

/* One mapping, as the child carries it out. */
struct spawn_move {
	int from, to;
	int src;	/* index of the first move with this from */
	bool copy;	/* from is another move's target: copy it first */
	int tmp;	/* the copy (child only), or -1 */
};

struct fdplan {
	struct spawn_move *moves;
	size_t nmoves;
	int *keep;		/* sorted, distinct: 0, 1, 2 and each target; */
	size_t nkeep;		/* room for one more (the report pipe) */
	bool close_fds;
	bool try_close_range;	/* not known to be refused */
	bool try_cloexec_range;	/* close_range(CLOSE_RANGE_CLOEXEC), the same */
	bool try_walk;		/* the table can be listed (fdapply.h) */
	/* Written by whoever applies it (a vfork child: shared memory). */
	volatile bool close_range_refused;
	volatile bool cloexec_range_refused;
};

/*
 * The plan of c's mappings and close_fds, with the close_range probes.
 * EBADF for a source that is not open or a target at or above the soft
 * RLIMIT_NOFILE; ENOMEM.  The keep list is keep3 when there is no mapping;
 * else *mem (free() it, also on failure) holds the moves and the list.
 */
NI_HIDDEN int fdplan_build(struct fdplan *f, const struct spawn_common *c,
    int keep3[4], void **mem);

#endif /* NI_FDPLAN_H */
