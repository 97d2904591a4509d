/*
 * hooks_file.c - files: the open, openat and creat families (with their
 * 64 and _FORTIFY_SOURCE __*_2 twins), fopen and freopen, tmpfile, and
 * the mk*stemp* family.
 *
 * glibc's fopen, tmpfile and mkstemp reach open(2) through libc-internal
 * calls the open hooks never see, so each is hooked at its own entry.
 * enforce adds O_CLOEXEC (fopen: "e") to the call itself; functions
 * without a flags argument call their flag-taking sibling (mkstemp ->
 * mkostemp, creat -> open) or, for tmpfile, are rebuilt from O_TMPFILE.
 */
#include "shim.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys.h"

/* Not declared without _FORTIFY_SOURCE. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/* glibc's __OPEN_NEEDS_MODE: only then is there a third argument. */
#ifdef O_TMPFILE
#define NEEDS_MODE(f) (((f) & O_CREAT) != 0 || ((f) & O_TMPFILE) == O_TMPFILE)
#else
#define NEEDS_MODE(f) (((f) & O_CREAT) != 0)
#endif

#define TAKE_MODE(mode, flags) do { \
	if (NEEDS_MODE(flags)) { \
		va_list ap_; \
		va_start(ap_, flags); \
		(mode) = (mode_t)va_arg(ap_, int); \
		va_end(ap_); \
	} \
} while (0)

/* The flags enforce mode passes on. */
static inline int
with_cloexec(int m, int flags)
{
	return m == SHIM_ENFORCE ? flags | O_CLOEXEC : flags;
}

/* After an open-like call given `asked` by the program. */
static inline int
opened(int m, int fd, const char *made_by, int asked)
{
	bool cloexec = (asked & O_CLOEXEC) != 0;

	return shim_made(m, fd, made_by, m == SHIM_ENFORCE && !cloexec,
	    cloexec);
}

/* ------------------------------------------------------------------ */
/* open                                                                */
/* ------------------------------------------------------------------ */

HOOK int
open(const char *path, int flags, ...)
{
	int m = shim_mode();
	mode_t mode = 0;
	NEXT(open, -1);

	TAKE_MODE(mode, flags);
	return opened(m, next(path, with_cloexec(m, flags), mode), "open",
	    flags);
}

HOOK int
open64(const char *path, int flags, ...)
{
	int m = shim_mode();
	mode_t mode = 0;
	NEXT(open64, -1);

	TAKE_MODE(mode, flags);
	return opened(m, next(path, with_cloexec(m, flags), mode), "open64",
	    flags);
}

HOOK int
openat(int dirfd, const char *path, int flags, ...)
{
	int m = shim_mode();
	mode_t mode = 0;
	NEXT(openat, -1);

	TAKE_MODE(mode, flags);
	return opened(m, next(dirfd, path, with_cloexec(m, flags), mode),
	    "openat", flags);
}

HOOK int
openat64(int dirfd, const char *path, int flags, ...)
{
	int m = shim_mode();
	mode_t mode = 0;
	NEXT(openat64, -1);

	TAKE_MODE(mode, flags);
	return opened(m, next(dirfd, path, with_cloexec(m, flags), mode),
	    "openat64", flags);
}

/* The fortified entries: calls without a mode, checked by glibc. */
HOOK int
__open_2(const char *path, int flags)
{
	int m = shim_mode();
	NEXT(__open_2, -1);

	return opened(m, next(path, with_cloexec(m, flags)), "__open_2",
	    flags);
}

HOOK int
__open64_2(const char *path, int flags)
{
	int m = shim_mode();
	NEXT(__open64_2, -1);

	return opened(m, next(path, with_cloexec(m, flags)), "__open64_2",
	    flags);
}

HOOK int
__openat_2(int dirfd, const char *path, int flags)
{
	int m = shim_mode();
	NEXT(__openat_2, -1);

	return opened(m, next(dirfd, path, with_cloexec(m, flags)),
	    "__openat_2", flags);
}

HOOK int
__openat64_2(int dirfd, const char *path, int flags)
{
	int m = shim_mode();
	NEXT(__openat64_2, -1);

	return opened(m, next(dirfd, path, with_cloexec(m, flags)),
	    "__openat64_2", flags);
}

/* creat(2) is open(O_CREAT|O_WRONLY|O_TRUNC), which takes the flag. */
HOOK int
creat(const char *path, mode_t mode)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE) {
		NEXT(open, -1);
		return opened(m, next(path, O_CREAT | O_WRONLY | O_TRUNC |
		    O_CLOEXEC, mode), "creat", 0);
	}
	NEXT(creat, -1);
	return opened(m, next(path, mode), "creat", 0);
}

HOOK int
creat64(const char *path, mode_t mode)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE) {
		NEXT(open64, -1);
		return opened(m, next(path, O_CREAT | O_WRONLY | O_TRUNC |
		    O_CLOEXEC, mode), "creat64", 0);
	}
	NEXT(creat64, -1);
	return opened(m, next(path, mode), "creat64", 0);
}

/* ------------------------------------------------------------------ */
/* stdio                                                               */
/* ------------------------------------------------------------------ */

/* Whether a mode asks for close-on-exec: glibc's fopen reads the flag
 * characters in mode[1..6], up to a ',' (popen: the whole string). */
bool
shim_mode_has_e(const char *mode, size_t scan)
{
	if (mode == NULL || mode[0] == '\0')
		return false;
	for (size_t i = 1; i <= scan && mode[i] != '\0' && mode[i] != ','; i++)
		if (mode[i] == 'e')
			return true;
	return false;
}

/* mode with "e" right after its first character, where glibc reads it;
 * a mode too long for buf is passed as given. */
static const char *
mode_e(char buf[64], const char *mode)
{
	size_t n;

	if (mode == NULL || (n = strlen(mode)) == 0 || n + 2 > 64)
		return mode;
	buf[0] = mode[0];
	buf[1] = 'e';
	memcpy(buf + 2, mode + 1, n);	/* the rest and its NUL */
	return buf;
}

/*
 * A FILE opened with "e" keeps glibc's CLOEXEC mark, and a later freopen
 * of it asks dup3 for O_CLOEXEC: where dup3 refuses that (see freopen),
 * the program's own mode, then the flag, so that its freopen works as it
 * would without the shim.
 */
SHIM_INLINE FILE *
fopen_hook(int m, FILE *(*next)(const char *, const char *),
    const char *name, const char *path, const char *mode)
{
	bool asked = shim_mode_has_e(mode, 6);
	bool ours = m == SHIM_ENFORCE && !asked;
	char buf[64];
	FILE *fp;

	if (!ours || shim_dup3_cloexec_works())
		return shim_made_stream(m, next(path, ours ?
		    mode_e(buf, mode) : mode), name, ours, asked);
	shim_fdlock_shared_enter();
	fp = next(path, mode);
	if (fp != NULL)
		shim_set_cloexec(fileno(fp));
	shim_fdlock_shared_leave();
	return shim_made_stream(m, fp, name, true, false);
}

HOOK FILE *
fopen(const char *path, const char *mode)
{
	int m = shim_mode();
	NEXT(fopen, NULL);

	return fopen_hook(m, next, "fopen", path, mode);
}

HOOK FILE *
fopen64(const char *path, const char *mode)
{
	int m = shim_mode();
	NEXT(fopen64, NULL);

	return fopen_hook(m, next, "fopen64", path, mode);
}

/*
 * glibc's freopen opens the new file, then dup3()s it onto the stream's
 * old number with O_CLOEXEC if the mode has "e".  freopen(..., stdout)
 * redirects a standard stream, which must stay inheritable: "e" is added
 * only when the old number is above 2 (or there is none).  Where dup3
 * refuses O_CLOEXEC (fallback.c asks once), "e" would make freopen fail
 * and close the stream: the program's mode, then the flag, under the
 * either-or lock.
 */
static bool
freopen_ours(int m, const char *mode, FILE *stream)
{
	int saved, old;

	if (m != SHIM_ENFORCE || shim_mode_has_e(mode, 6) || stream == NULL)
		return false;
	saved = errno;
	old = fileno(stream);
	errno = saved;
	return old < 0 || old > 2;
}

SHIM_INLINE FILE *
freopen_hook(int m, FILE *(*next)(const char *, const char *, FILE *),
    const char *name, const char *path, const char *mode, FILE *stream)
{
	bool ours = freopen_ours(m, mode, stream);
	char buf[64];
	FILE *fp;

	if (!ours || shim_dup3_cloexec_works())
		return shim_made_stream(m, next(path, ours ?
		    mode_e(buf, mode) : mode, stream), name, ours,
		    shim_mode_has_e(mode, 6));
	shim_fdlock_shared_enter();
	fp = next(path, mode, stream);
	if (fp != NULL)
		shim_set_cloexec(fileno(fp));
	shim_fdlock_shared_leave();
	return shim_made_stream(m, fp, name, true, false);
}

HOOK FILE *
freopen(const char *path, const char *mode, FILE *stream)
{
	int m = shim_mode();
	NEXT(freopen, NULL);

	return freopen_hook(m, next, "freopen", path, mode, stream);
}

HOOK FILE *
freopen64(const char *path, const char *mode, FILE *stream)
{
	int m = shim_mode();
	NEXT(freopen64, NULL);

	return freopen_hook(m, next, "freopen64", path, mode, stream);
}

/*
 * tmpfile(3) takes no flags: enforce rebuilds it as glibc does -- an
 * O_TMPFILE file in P_tmpdir, else a mkostemp file there, unlinked -- with
 * O_CLOEXEC in the call, then fdopen(fd, "w+").
 */
static FILE *
tmpfile_cloexec(int which_open, int which_mkostemp)
{
	int (*open_fn)(const char *, int, ...) = shim_real_fn(which_open);
	int (*mkostemp_fn)(char *, int) = shim_real_fn(which_mkostemp);
	int saved = errno, fd = -1;
	FILE *fp;

	if (open_fn != NULL)
		fd = open_fn(P_tmpdir, O_RDWR | O_TMPFILE | O_EXCL | O_CLOEXEC,
		    S_IRUSR | S_IWUSR);
	if (fd < 0 && mkostemp_fn != NULL) {
		char tmpl[] = P_tmpdir "/tmpfXXXXXX";

		fd = mkostemp_fn(tmpl, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmpl);
	}
	if (fd < 0)
		return NULL;
	fp = fdopen(fd, "w+");
	if (fp == NULL) {
		saved = errno;
		sys_close(fd);
	}
	errno = saved;
	return fp;
}

HOOK FILE *
tmpfile(void)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE)
		return shim_made_stream(m, tmpfile_cloexec(R_open, R_mkostemp),
		    "tmpfile", true, false);
	NEXT(tmpfile, NULL);
	return shim_made_stream(m, next(), "tmpfile", false, false);
}

HOOK FILE *
tmpfile64(void)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE)
		return shim_made_stream(m, tmpfile_cloexec(R_open64,
		    R_mkostemp64), "tmpfile64", true, false);
	NEXT(tmpfile64, NULL);
	return shim_made_stream(m, next(), "tmpfile64", false, false);
}

/* ------------------------------------------------------------------ */
/* mkstemp                                                             */
/* ------------------------------------------------------------------ */

HOOK int
mkstemp(char *tmpl)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE) {
		NEXT(mkostemp, -1);
		return opened(m, next(tmpl, O_CLOEXEC), "mkstemp", 0);
	}
	NEXT(mkstemp, -1);
	return opened(m, next(tmpl), "mkstemp", 0);
}

HOOK int
mkstemp64(char *tmpl)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE) {
		NEXT(mkostemp64, -1);
		return opened(m, next(tmpl, O_CLOEXEC), "mkstemp64", 0);
	}
	NEXT(mkstemp64, -1);
	return opened(m, next(tmpl), "mkstemp64", 0);
}

HOOK int
mkostemp(char *tmpl, int flags)
{
	int m = shim_mode();
	NEXT(mkostemp, -1);

	return opened(m, next(tmpl, with_cloexec(m, flags)), "mkostemp", flags);
}

HOOK int
mkostemp64(char *tmpl, int flags)
{
	int m = shim_mode();
	NEXT(mkostemp64, -1);

	return opened(m, next(tmpl, with_cloexec(m, flags)), "mkostemp64",
	    flags);
}

HOOK int
mkstemps(char *tmpl, int suffixlen)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE) {
		NEXT(mkostemps, -1);
		return opened(m, next(tmpl, suffixlen, O_CLOEXEC), "mkstemps",
		    0);
	}
	NEXT(mkstemps, -1);
	return opened(m, next(tmpl, suffixlen), "mkstemps", 0);
}

HOOK int
mkstemps64(char *tmpl, int suffixlen)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE) {
		NEXT(mkostemps64, -1);
		return opened(m, next(tmpl, suffixlen, O_CLOEXEC),
		    "mkstemps64", 0);
	}
	NEXT(mkstemps64, -1);
	return opened(m, next(tmpl, suffixlen), "mkstemps64", 0);
}

HOOK int
mkostemps(char *tmpl, int suffixlen, int flags)
{
	int m = shim_mode();
	NEXT(mkostemps, -1);

	return opened(m, next(tmpl, suffixlen, with_cloexec(m, flags)),
	    "mkostemps", flags);
}

HOOK int
mkostemps64(char *tmpl, int suffixlen, int flags)
{
	int m = shim_mode();
	NEXT(mkostemps64, -1);

	return opened(m, next(tmpl, suffixlen, with_cloexec(m, flags)),
	    "mkostemps64", flags);
}
