/*
 * chain.c - another preload, loaded ahead of the shim by the
 * preload.chain test: its open family drops O_CLOEXEC and forwards to the
 * next definition, which is the shim's.  Enforcement surviving it shows
 * the shim chains through dlsym(RTLD_NEXT) like any other preload.
 *
 * Loaded behind the shim (preload.chain-behind, and -sysv with a SysV
 * hash table only, which the shim's own lookup leaves to dlsym), with
 * PRELOAD_CHAIN_KEEP set: it keeps the flags and counts the calls, so the
 * shim's real open must be this one, as dlsym(RTLD_NEXT) would give it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>

#define EXPORT __attribute__((visibility("default")))

static int calls;

EXPORT int
preload_chain_calls(void)
{
	return __atomic_load_n(&calls, __ATOMIC_RELAXED);
}

#define CHAIN_OPEN(name, ...) \
EXPORT int \
name(const char *path, int flags, ...) \
{ \
	static int (*next)(const char *, int, ...); \
	va_list ap; \
	mode_t mode; \
	\
	if (next == NULL) \
		next = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, \
		    #name); \
	if (next == NULL) \
		abort(); \
	va_start(ap, flags); \
	mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? \
	    (mode_t)va_arg(ap, int) : 0; \
	va_end(ap); \
	__atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED); \
	if (getenv("PRELOAD_CHAIN_KEEP") == NULL) \
		flags &= ~O_CLOEXEC; \
	return next(path, flags, mode); \
}

CHAIN_OPEN(open)
CHAIN_OPEN(open64)
