/*
 * ni_stripcloexec - an LD_PRELOAD shim that simulates a kernel or C library
 * silently ignoring O_CLOEXEC: the open family, mkostemp(s) and
 * posix_openpt lose O_CLOEXEC from their flags, fopen loses "e" from its
 * mode, and recvmsg loses MSG_CMSG_CLOEXEC (ignored before Linux 2.6.23).  Nothing else changes: every call is forwarded to the next
 * definition (dlsym(RTLD_NEXT)) with its other arguments as given.
 *
 * glibc's own internal opens (fopen, mkostemp and posix_openpt inside libc)
 * do not go through these symbols, which is why those functions are
 * wrapped too, at their entry points.
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#define SHIM __attribute__((visibility("default")))

/* Same as glibc's __OPEN_NEEDS_MODE. */
#ifdef O_TMPFILE
#define NEEDS_MODE(f) (((f) & O_CREAT) != 0 || ((f) & O_TMPFILE) == O_TMPFILE)
#else
#define NEEDS_MODE(f) (((f) & O_CREAT) != 0)
#endif

/* Looks up the next definition of NAME once; a racing second lookup stores
 * the same value.  errno is preserved: callers see only the real call's. */
static void *
next(void **cache, const char *name)
{
	void *fn = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

	if (fn == NULL) {
		int saved = errno;

		fn = dlsym(RTLD_NEXT, name);
		if (fn == NULL)
			abort();   /* a shim without its target cannot work */
		__atomic_store_n(cache, fn, __ATOMIC_RELEASE);
		errno = saved;
	}
	return fn;
}

#define NEXT(type, name) \
	static void *name##_cache; \
	type real = (type)next(&name##_cache, #name)

static mode_t
take_mode(int flags, va_list ap)
{
	return NEEDS_MODE(flags) ? (mode_t)va_arg(ap, int) : 0;
}

/* ------------------------------------------------------------------ */
/* open family                                                         */
/* ------------------------------------------------------------------ */

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*open2_fn)(const char *, int);
typedef int (*openat2_fn)(int, const char *, int);
typedef int (*creat_fn)(const char *, mode_t);
typedef int (*mkostemp_fn)(char *, int);
typedef int (*mkostemps_fn)(char *, int, int);
typedef int (*openpt_fn)(int);
typedef FILE *(*fopen_fn)(const char *, const char *);

SHIM int open(const char *path, int flags, ...);
SHIM int open64(const char *path, int flags, ...);
SHIM int openat(int dirfd, const char *path, int flags, ...);
SHIM int openat64(int dirfd, const char *path, int flags, ...);
SHIM int __open_2(const char *path, int flags);
SHIM int __open64_2(const char *path, int flags);
SHIM int __openat_2(int dirfd, const char *path, int flags);
SHIM int __openat64_2(int dirfd, const char *path, int flags);
SHIM int creat(const char *path, mode_t mode);
SHIM int creat64(const char *path, mode_t mode);

int
open(const char *path, int flags, ...)
{
	NEXT(open_fn, open);
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = take_mode(flags, ap);
	va_end(ap);
	return real(path, flags & ~O_CLOEXEC, mode);
}

int
open64(const char *path, int flags, ...)
{
	NEXT(open_fn, open64);
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = take_mode(flags, ap);
	va_end(ap);
	return real(path, flags & ~O_CLOEXEC, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	NEXT(openat_fn, openat);
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = take_mode(flags, ap);
	va_end(ap);
	return real(dirfd, path, flags & ~O_CLOEXEC, mode);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	NEXT(openat_fn, openat64);
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = take_mode(flags, ap);
	va_end(ap);
	return real(dirfd, path, flags & ~O_CLOEXEC, mode);
}

/* The _FORTIFY_SOURCE entry points (no mode: they abort on O_CREAT). */
int
__open_2(const char *path, int flags)
{
	NEXT(open2_fn, __open_2);
	return real(path, flags & ~O_CLOEXEC);
}

int
__open64_2(const char *path, int flags)
{
	NEXT(open2_fn, __open64_2);
	return real(path, flags & ~O_CLOEXEC);
}

int
__openat_2(int dirfd, const char *path, int flags)
{
	NEXT(openat2_fn, __openat_2);
	return real(dirfd, path, flags & ~O_CLOEXEC);
}

int
__openat64_2(int dirfd, const char *path, int flags)
{
	NEXT(openat2_fn, __openat64_2);
	return real(dirfd, path, flags & ~O_CLOEXEC);
}

/* creat() takes no flags and never sets O_CLOEXEC; it is forwarded as is,
 * only so that every way into open() goes through the shim. */
int
creat(const char *path, mode_t mode)
{
	NEXT(creat_fn, creat);
	return real(path, mode);
}

int
creat64(const char *path, mode_t mode)
{
	NEXT(creat_fn, creat64);
	return real(path, mode);
}

/* ------------------------------------------------------------------ */
/* mkostemp, posix_openpt                                              */
/* ------------------------------------------------------------------ */

SHIM int mkostemp(char *tmpl, int flags);
SHIM int mkostemp64(char *tmpl, int flags);
SHIM int mkostemps(char *tmpl, int suffixlen, int flags);
SHIM int mkostemps64(char *tmpl, int suffixlen, int flags);
SHIM int posix_openpt(int flags);

int
mkostemp(char *tmpl, int flags)
{
	NEXT(mkostemp_fn, mkostemp);
	return real(tmpl, flags & ~O_CLOEXEC);
}

int
mkostemp64(char *tmpl, int flags)
{
	NEXT(mkostemp_fn, mkostemp64);
	return real(tmpl, flags & ~O_CLOEXEC);
}

int
mkostemps(char *tmpl, int suffixlen, int flags)
{
	NEXT(mkostemps_fn, mkostemps);
	return real(tmpl, suffixlen, flags & ~O_CLOEXEC);
}

int
mkostemps64(char *tmpl, int suffixlen, int flags)
{
	NEXT(mkostemps_fn, mkostemps64);
	return real(tmpl, suffixlen, flags & ~O_CLOEXEC);
}

int
posix_openpt(int flags)
{
	NEXT(openpt_fn, posix_openpt);
	return real(flags & ~O_CLOEXEC);
}

/* ------------------------------------------------------------------ */
/* fopen                                                               */
/* ------------------------------------------------------------------ */

SHIM FILE *fopen(const char *path, const char *mode);
SHIM FILE *fopen64(const char *path, const char *mode);

/*
 * Copies MODE without its "e" flags.  Only the flag letters are filtered:
 * anything from the first ',' on (glibc's ",ccs=CHARSET") is kept as is.
 * Returns MODE itself if it does not fit in BUF.
 */
static const char *
strip_e(const char *mode, char *buf, size_t size)
{
	size_t n = 0;
	const char *p = mode;

	if (mode == NULL)
		return mode;
	for (; *p != '\0' && *p != ','; p++) {
		if (*p == 'e')
			continue;
		if (n + 1 >= size)
			return mode;
		buf[n++] = *p;
	}
	if (n + strlen(p) + 1 > size)
		return mode;
	strcpy(buf + n, p);
	return buf;
}

FILE *
fopen(const char *path, const char *mode)
{
	NEXT(fopen_fn, fopen);
	char buf[256];

	return real(path, strip_e(mode, buf, sizeof(buf)));
}

FILE *
fopen64(const char *path, const char *mode)
{
	NEXT(fopen_fn, fopen64);
	char buf[256];

	return real(path, strip_e(mode, buf, sizeof(buf)));
}

typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);

SHIM ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	NEXT(recvmsg_fn, recvmsg);

	return real(fd, msg, flags & ~MSG_CMSG_CLOEXEC);
}
