/*
 * resolve.h - dlsym(RTLD_NEXT) for many names at once (resolve.c).
 */
#ifndef NI_PRELOAD_RESOLVE_H
#define NI_PRELOAD_RESOLVE_H

#include <stdbool.h>

/*
 * For each of the N names, what dlsym(RTLD_NEXT, name) would return to
 * code in the object that contains SELF, in fns[i] -- or NULL where this
 * cannot tell without dlsym (the caller asks it then).  Returns how many
 * were found (0, all NULL, for more than RESOLVE_MAX names).  Reads the loader's data only: no lock, no allocation.
 */
#define RESOLVE_MAX 128	/* names at most in one call */

int shim_find_next(const void *self, const char *const names[], void *fns[],
    int n);

#endif
