/*
 * fdscan.h - the list of this process's open descriptors, shared by the
 * reporter (what an exec'd child received) and testutil
 * (tu_fd_count, tu_close_inherited).  Raw system calls only.
 */
#ifndef NI_FDSCAN_H
#define NI_FDSCAN_H

#include <stddef.h>

struct fdscan {
	int *v;		/* the open descriptors, ascending */
	size_t n, cap;
};

/*
 * Where an fcntl(F_GETFD) loop stops: the hard RLIMIT_NOFILE, capped at
 * 2^20 when it is unlimited or higher (fs.nr_open's default ceiling).
 */
int fdscan_limit(void);

/*
 * Fills l (zero-initialised by the caller, freed with fdscan_free) with the
 * descriptors open in this process: the entries of /proc/self/fd less the
 * directory's own; where /proc is hidden, unreadable (EMFILE under a
 * lowered RLIMIT_NOFILE) or not a real procfs (its own descriptor must be
 * listed), fcntl(F_GETFD) on every fd below fdscan_limit().  Opens no
 * descriptor other than the directory's.  Returns 0, or -1 out of memory.
 */
int fdscan(struct fdscan *l);

void fdscan_free(struct fdscan *l);

#endif /* NI_FDSCAN_H */
