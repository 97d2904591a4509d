/*
 * resolve_test.c - resolve.c's walk against dlsym(RTLD_NEXT) itself, for
 * every name the shim resolves and a few it does not (string functions,
 * which are IFUNCs; a versioned name; names nobody defines).  Run plainly
 * and with preload_chain loaded (preload.resolve-chain), whose open family
 * must then be what both find: the walk must stop at the first definer.
 *
 * Prints how many names the walk settled; fails on any name whose answer
 * differs from dlsym's (a name the walk leaves to dlsym is not a
 * difference: init.c asks dlsym then).
 */
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"
#include "resolve.h"

static const char *const names[] = {
#define SHIM_NAME(n) #n,
	SHIM_REALS(SHIM_NAME)
#undef SHIM_NAME
	"strlen", "memcpy", "pthread_cond_wait", "realpath",
	"environ", "stdout", "no_such_function_anywhere", "_nonexistent_",
};
#define N ((int)(sizeof(names) / sizeof(names[0])))

int
main(int argc, char **argv)
{
	void *fns[N];
	int found, wrong = 0, asked = 0;
	/* argv: a name the walk must find, in an object whose path has
	 * argv[2] in it */
	const char *must = argc > 1 ? argv[1] : NULL;
	const char *where = argc > 2 ? argv[2] : NULL;

	found = shim_find_next((const void *)&main, names, fns, N);
	for (int i = 0; i < N; i++) {
		void *want = dlsym(RTLD_NEXT, names[i]);

		if (fns[i] == NULL) {
			asked++;
			if (must != NULL && strcmp(must, names[i]) == 0) {
				printf("%s: left to dlsym, must be found\n",
				    names[i]);
				wrong++;
			}
			continue;
		}
		if (must != NULL && strcmp(must, names[i]) == 0 &&
		    where != NULL) {
			Dl_info a;

			if (!dladdr(fns[i], &a) || a.dli_fname == NULL ||
			    strstr(a.dli_fname, where) == NULL) {
				printf("%s: found in %s, not in *%s*\n",
				    names[i], a.dli_fname, where);
				wrong++;
			}
		}
		if (fns[i] != want) {
			Dl_info a, b;

			printf("%s: walk %p (%s), dlsym %p (%s)\n", names[i],
			    fns[i], dladdr(fns[i], &a) ? a.dli_fname : "?",
			    want, want && dladdr(want, &b) ? b.dli_fname : "?");
			wrong++;
		}
	}
	printf("resolve: %d of %d found by the walk, %d left to dlsym, "
	    "%d wrong\n", found, N, asked, wrong);
	if (found < N / 2) {
		printf("resolve: the walk found too few\n");
		return 1;
	}
	return wrong != 0;
}
