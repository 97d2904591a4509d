/*
 * create.c - files on Windows: open, openat, creat, fopen, mkstemp,
 * mkostemp.
 *
 * Paths are UTF-8, made UTF-16 for the CRT's wide calls, so that every
 * name the file system holds can be reached (the narrow calls go through
 * the ANSI code page).  _O_NOINHERIT, and fopen's "N", make the CRT call
 * CreateFileW with bInheritHandle FALSE: the handle is never inheritable,
 * not even for an instant, and the CRT's own FNOINHERIT bit is set too.
 */
#define _CRT_RAND_S	/* rand_s, from <stdlib.h> */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "noinherit.h"
#include "wincreate.h"

/* _wopen with _O_NOINHERIT; mode is read by the CRT only with _O_CREAT. */
static int
open_wide(const char *path, int flags, int mode)
{
	wchar_t *w;
	int fd, saved;

	if (path == NULL) {
		errno = EFAULT;
		return -1;
	}
	if ((w = ni__win_widen(path)) == NULL)
		return -1;
	NI_IPH_BEGIN
	fd = _wopen(w, flags | _O_NOINHERIT, mode);
	NI_IPH_END
	saved = errno;
	free(w);
	errno = saved;
	return fd;
}

/* The variadic mode, read as open(2) reads it: only when it exists. */
#define MODE_ARG(flags, mode) do {					\
	va_list ap_;							\
									\
	if ((flags) & _O_CREAT) {					\
		va_start(ap_, flags);					\
		(mode) = va_arg(ap_, int);				\
		va_end(ap_);						\
	}								\
} while (0)

int
ni_open(const char *path, int flags, ...)
{
	int mode = 0;

	MODE_ARG(flags, mode);
	return open_wide(path, flags, mode);
}

/*
 * Rooted ("\x", "/x", "\\server\share", "\\?\...") or with a drive and
 * a root ("C:\x", "C:/x").  "C:x" is relative to drive C's own current
 * directory, so it is not absolute.
 */
static bool
path_absolute(const char *p)
{
	if (p[0] == '/' || p[0] == '\\')
		return true;
	return ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')) &&
	    p[1] == ':' && (p[2] == '/' || p[2] == '\\');
}

/*
 * Windows has no openat, and a CRT descriptor names no directory (msvcrt
 * refuses to open one).  As openat(2) does, an absolute path ignores
 * dirfd; a relative one is opened from the current directory when dirfd
 * is NI_AT_FDCWD.  Any other dirfd: EBADF if it is not open, ENOSYS if it
 * is, since nothing here could resolve a path against it.
 */
int
ni_openat(int dirfd, const char *path, int flags, ...)
{
	int mode = 0;

	MODE_ARG(flags, mode);
	if (path == NULL) {
		errno = EFAULT;
		return -1;
	}
	if (!path_absolute(path) && dirfd != NI_AT_FDCWD) {
		if (ni__win_fd_handle(dirfd) != INVALID_HANDLE_VALUE)
			errno = ENOSYS;
		return -1;
	}
	return open_wide(path, flags, mode);
}

int
ni_creat(const char *path, mode_t mode)
{
	return open_wide(path, _O_WRONLY | _O_CREAT | _O_TRUNC, mode);
}

/*
 * The mode as msvcrt's _wfopen takes it, from one checked here: "r", "w"
 * or "a", then any of "+", "b" or "t" (not both) and "e" (glibc's
 * close-on-exec letter) or "N" (msvcrt's no-inherit letter), both implied.
 * msvcrt takes more letters ("c", "n", "S", "R", "T", "D", ccs=) and
 * ignores some it does not know; they are refused here so that a mode
 * means the same on every system.
 */
static bool
fopen_mode(const char *mode, wchar_t out[6])
{
	bool plus = false;
	char kind = 0;
	const char *m;
	int n = 0;

	if (mode == NULL || (mode[0] != 'r' && mode[0] != 'w' &&
	    mode[0] != 'a'))
		return false;
	for (m = mode + 1; *m; m++) {
		switch (*m) {
		case '+':
			plus = true;
			break;
		case 'b':
		case 't':
			if (kind != 0 && kind != *m)
				return false;
			kind = *m;
			break;
		case 'e':
		case 'N':
			break;
		default:
			return false;
		}
	}
	out[n++] = (wchar_t)mode[0];
	if (plus)
		out[n++] = L'+';
	if (kind != 0)
		out[n++] = (wchar_t)kind;
	out[n++] = L'N';
	out[n] = 0;
	return true;
}

FILE *
ni_fopen(const char *path, const char *mode)
{
	wchar_t wmode[6], *w;
	FILE *f;
	int saved;

	if (!fopen_mode(mode, wmode)) {
		errno = EINVAL;
		return NULL;
	}
	if (path == NULL) {
		errno = EFAULT;
		return NULL;
	}
	if ((w = ni__win_widen(path)) == NULL)
		return NULL;
	NI_IPH_BEGIN
	f = _wfopen(w, wmode);
	NI_IPH_END
	saved = errno;
	free(w);
	errno = saved;
	return f;
}

/*
 * mkstemp: the six X become letters and digits from rand_s (RtlGenRandom),
 * lower case only since Windows file names ignore case.  A name taken
 * (EEXIST) is tried again with new letters, up to MKSTEMP_TRIES times;
 * any other error ends the search.  On failure the template reads "XXXXXX"
 * again.
 */
#define MKSTEMP_TRIES 100
#define MKSTEMP_FLAGS (_O_APPEND | _O_BINARY | _O_TEXT | _O_NOINHERIT | \
	_O_TEMPORARY | _O_SHORT_LIVED | _O_SEQUENTIAL | _O_RANDOM)

static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";

/* Fills the last six characters of tmpl and of w alike. */
static int
mkstemp_name(char *x, wchar_t *wx)
{
	unsigned int r;
	errno_t e;
	int i;

	for (i = 0; i < 6; i++) {
		if ((e = rand_s(&r)) != 0) {
			errno = e;
			return -1;
		}
		x[i] = letters[r % (sizeof letters - 1)];
		wx[i] = (wchar_t)x[i];
	}
	return 0;
}

int
ni_mkostemp(char *tmpl, int flags)
{
	size_t len, wlen;
	wchar_t *w;
	int fd = -1, i, saved;

	if (tmpl == NULL || (len = strlen(tmpl)) < 6 ||
	    strcmp(tmpl + len - 6, "XXXXXX") != 0 ||
	    (flags & ~MKSTEMP_FLAGS) != 0 ||
	    (flags & (_O_BINARY | _O_TEXT)) == (_O_BINARY | _O_TEXT)) {
		errno = EINVAL;
		return -1;
	}
	/* Binary unless asked: mkstemp's file holds bytes, as on POSIX. */
	if (!(flags & _O_TEXT))
		flags |= _O_BINARY;
	if ((w = ni__win_widen(tmpl)) == NULL)
		return -1;
	/* The X are ASCII: the last six UTF-16 units too. */
	wlen = wcslen(w);
	for (i = 0; i < MKSTEMP_TRIES; i++) {
		if (mkstemp_name(tmpl + len - 6, w + wlen - 6) != 0)
			break;
		fd = _wopen(w, flags | _O_CREAT | _O_EXCL | _O_RDWR |
		    _O_NOINHERIT, _S_IREAD | _S_IWRITE);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	saved = errno;
	free(w);
	if (fd < 0) {
		memcpy(tmpl + len - 6, "XXXXXX", 6);
		errno = saved;
	}
	return fd;
}

int
ni_mkstemp(char *tmpl)
{
	return ni_mkostemp(tmpl, 0);
}
