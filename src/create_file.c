/*
 * create_file.c - files: open, openat, creat, fopen, mkstemp, mkostemp.
 *
 * O_CLOEXEC (Linux 2.6.23) is never refused, only ignored by older
 * kernels, so the first success is checked with F_GETFD
 * (create_fd_checked); after that the flag is trusted.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat.h"
#include "internal.h"

#ifndef O_TMPFILE
#define O_TMPFILE 0
#endif

struct open_args {
	int dirfd;
	const char *path;
	int flags;
	mode_t mode;
};

static int
open_atomic(void *p)
{
	struct open_args *a = p;

	return openat(a->dirfd, a->path, a->flags | O_CLOEXEC, a->mode);
}

static int
open_plain(void *p)
{
	struct open_args *a = p;

	return openat(a->dirfd, a->path, a->flags & ~O_CLOEXEC, a->mode);
}

static int
open_common(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_args a = { dirfd, path, flags, mode };

	return create_fd_checked(P_O_CLOEXEC, open_atomic, open_plain, &a);
}

/* The mode argument exists only with O_CREAT or O_TMPFILE (open(2)). */
static int
needs_mode(int flags)
{
	return (flags & O_CREAT) ||
	    (O_TMPFILE != 0 && (flags & O_TMPFILE) == O_TMPFILE);
}

/* The variadic mode, read as open(2) reads it: only when it exists. */
#define MODE_ARG(flags, mode) do {					\
	va_list ap_;							\
									\
	if (needs_mode(flags)) {					\
		va_start(ap_, flags);					\
		(mode) = (mode_t)va_arg(ap_, int);			\
		va_end(ap_);						\
	}								\
} while (0)

int
ni_open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return open_common(AT_FDCWD, path, flags, mode);
}

int
ni_openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return open_common(dirfd, path, flags, mode);
}

int
ni_creat(const char *path, mode_t mode)
{
	return open_common(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

/*
 * mkostemp(3) passes its flags to open(2), so O_CLOEXEC behaves as for
 * ni_open and shares its probe.
 */
struct mkstemp_args {
	char *tmpl;
	int flags;
};

static int
mkstemp_atomic(void *p)
{
	struct mkstemp_args *a = p;

	return sys_mkostemp(a->tmpl, a->flags | O_CLOEXEC);
}

static int
mkstemp_plain(void *p)
{
	struct mkstemp_args *a = p;

	return sys_mkostemp(a->tmpl, a->flags & ~O_CLOEXEC);
}

int
ni_mkostemp(char *tmpl, int flags)
{
	struct mkstemp_args a = { tmpl, flags };

#ifdef HAVE_MKOSTEMP
	return create_fd_checked(P_O_CLOEXEC, mkstemp_atomic, mkstemp_plain, &a);
#else
	/* No way to pass O_CLOEXEC: mkstemp, then the flag, under the lock. */
	(void)mkstemp_atomic;
	return create_fallback(mkstemp_plain, &a);
#endif
}

int
ni_mkstemp(char *tmpl)
{
	return ni_mkostemp(tmpl, 0);
}

/*
 * fopen: checks the mode itself, so that a mode the C library would treat
 * loosely (glibc ignores unknown letters) is refused the same everywhere,
 * then adds "e" (glibc 2.7, musl) right after the first letter.  The first success is checked; a C
 * library that ignores "e" gets the flag set after, under the lock.
 */
static bool
fopen_mode_ok(const char *mode)
{
	const char *m;

	if (mode == NULL || (mode[0] != 'r' && mode[0] != 'w' &&
	    mode[0] != 'a'))
		return false;
	m = mode + 1;
	if (*m == '+')
		m++;
	for (; *m; m++)
		if (strchr("bxemc+", *m) == NULL)
			return false;
	return true;
}

/* Sets the flag on the stream's descriptor, or closes the stream. */
static FILE *
stream_cloexec_or_close(FILE *f)
{
	int saved;

	if (f == NULL || fd_set_cloexec(fileno(f)) == 0)
		return f;
	saved = errno;
	(void)fclose(f);
	errno = saved;
	return NULL;
}

FILE *
ni_fopen(const char *path, const char *mode)
{
	char m[16];
	size_t len;
	FILE *f;
	int st = probe_get(P_FOPEN_E);

	if (!fopen_mode_ok(mode) || (len = strlen(mode)) + 2 > sizeof(m)) {
		errno = EINVAL;
		return NULL;
	}
	/*
	 * "e" second, not last: glibc reads only the first seven characters
	 * of a mode, and would ignore an "e" after them (issue 14).
	 */
	if (st != PROBE_NO) {
		m[0] = mode[0];
		m[1] = 'e';
		memcpy(m + 2, mode + 1, len);
	} else {
		memcpy(m, mode, len + 1);
		fdlock_shared_enter();
	}
	f = fopen(path, m);
	if (st == PROBE_NO) {
		f = stream_cloexec_or_close(f);
		fdlock_shared_leave();
		return f;
	}
	if (f == NULL || st == PROBE_YES)
		return f;
	if (ni_get_inheritable(fileno(f)) == 0) {
		probe_set(P_FOPEN_E, PROBE_YES);
		return f;
	}
	/* "e" was ignored: this stream was inheritable for a moment. */
	probe_set(P_FOPEN_E, PROBE_NO);
	fdlock_shared_enter();
	f = stream_cloexec_or_close(f);
	fdlock_shared_leave();
	return f;
}
