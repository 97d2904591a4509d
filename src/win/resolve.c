/*
 * resolve.c - which program ni_spawn starts for its file argument.
 *
 * CreateProcessW given only a command line searches the application's
 * directory, the current directory, the system directories and then PATH,
 * appending ".exe".  ni_spawn resolves the file itself, execvp-style, and
 * hands CreateProcessW the full name, so nothing but PATH is searched:
 *   - file with '/', '\' or ':': that path, taken against the child's
 *     working directory when relative (POSIX ni_spawn changes directory
 *     before execve); if it is not an existing file and does not end in
 *     a PATHEXT extension, file + each PATHEXT extension in turn.
 *   - otherwise ENOENT, unless search is on: for each PATH entry, dir\file
 *     if file ends in a PATHEXT extension, else dir\file + each extension.
 * PATH and PATHEXT come from envp when given (names case-insensitive),
 * else from this process; PATHEXT defaults to .COM;.EXE;.BAT;.CMD.  The
 * first match wins.  A .bat or .cmd match fails with ENOEXEC:
 * CreateProcessW would run it through cmd.exe, whose quoting is not the
 * C runtime's (the "BatBadBut" injection), as POSIX ni_spawn runs no
 * shell for a script without "#!".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "win.h"

#define DEFAULT_PATHEXT L".COM;.EXE;.BAT;.CMD"

/* a, b and c joined (any may be NULL): a new string, or NULL (ENOMEM). */
static wchar_t *
join3(const wchar_t *a, size_t alen, const wchar_t *b, const wchar_t *c)
{
	size_t blen = b ? wcslen(b) : 0, clen = c ? wcslen(c) : 0;
	wchar_t *s = malloc((alen + blen + clen + 1) * sizeof *s);

	if (s == NULL)
		return NULL;
	wmemcpy(s, a, alen);
	wmemcpy(s + alen, b ? b : L"", blen);
	wmemcpy(s + alen + blen, c ? c : L"", clen);
	s[alen + blen + clen] = L'\0';
	return s;
}

/* "C:\x", "\x" and "/x" do not depend on the working directory; "C:x"
 * depends on drive C's, not ours: left to Windows as it is. */
static bool
is_relative(const wchar_t *p)
{
	return !(p[0] == L'\\' || p[0] == L'/' ||
	    (p[0] != L'\0' && p[1] == L':'));
}

static bool
is_file(const wchar_t *p)
{
	DWORD a = GetFileAttributesW(p);

	return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

/* Does p end in one of the extensions of the ';'-separated list? */
static bool
has_ext_of(const wchar_t *p, const wchar_t *exts)
{
	size_t plen = wcslen(p), n;

	for (; *exts != L'\0'; exts += n + (exts[n] == L';')) {
		n = wcscspn(exts, L";");
		if (n > 0 && n <= plen && _wcsnicmp(p + plen - n, exts, n) == 0)
			return true;
	}
	return false;
}

/*
 * base as it is (if bare, or if it ends in a listed extension) or else
 * base + each extension: the first existing file, or NULL with errno.
 */
static wchar_t *
try_exts(const wchar_t *base, const wchar_t *exts, bool bare)
{
	wchar_t *c, ext[64];
	size_t n;

	if ((bare || has_ext_of(base, exts)) && is_file(base))
		return join3(base, wcslen(base), NULL, NULL);
	if (has_ext_of(base, exts)) {
		errno = ENOENT;
		return NULL;
	}
	for (; *exts != L'\0'; exts += n + (exts[n] == L';')) {
		n = wcscspn(exts, L";");
		if (n == 0 || n >= sizeof ext / sizeof *ext)
			continue;
		wmemcpy(ext, exts, n);
		ext[n] = L'\0';
		if ((c = join3(base, wcslen(base), ext, NULL)) == NULL)
			return NULL;
		if (is_file(c))
			return c;
		free(c);
	}
	errno = ENOENT;
	return NULL;
}

/* name in dir (n units), with a '\' between them when dir lacks one. */
static wchar_t *
path_join(const wchar_t *dir, size_t n, const wchar_t *name)
{
	bool sep = n > 0 && dir[n - 1] != L'\\' && dir[n - 1] != L'/';

	return join3(dir, n, sep ? L"\\" : NULL, name);
}

/* name in dir (n units), dir taken against cwd when relative. */
static wchar_t *
in_dir(const wchar_t *dir, size_t n, const wchar_t *name, const wchar_t *cwd)
{
	wchar_t *d, *full;

	if (cwd == NULL || !is_relative(dir))
		return path_join(dir, n, name);
	if ((d = join3(dir, n, NULL, NULL)) == NULL)
		return NULL;
	full = path_join(cwd, wcslen(cwd), d);
	free(d);
	if (full == NULL)
		return NULL;
	d = path_join(full, wcslen(full), name);
	free(full);
	return d;
}

/*
 * Would CreateProcessW hand p to cmd.exe?  It goes by the extension of
 * the last component, and the file system ignores trailing dots and
 * spaces ("x.bat. " is x.bat) and a stream suffix ("x.bat::$DATA").
 */
static bool
is_batch(const wchar_t *p)
{
	const wchar_t *c = p, *s;
	size_t n;

	for (s = p; *s != L'\0'; s++)
		if (*s == L'\\' || *s == L'/')
			c = s + 1;
	if (c == p && c[0] != L'\0' && c[1] == L':')
		c += 2;				/* "C:x.bat" */
	n = wcscspn(c, L":");
	while (n > 0 && (c[n - 1] == L'.' || c[n - 1] == L' '))
		n--;
	return n >= 4 && (_wcsnicmp(c + n - 4, L".bat", 4) == 0 ||
	    _wcsnicmp(c + n - 4, L".cmd", 4) == 0);
}

/* A file named with a path: ENOENT, or EACCES for a directory. */
static wchar_t *
resolve_path(const wchar_t *file, const wchar_t *exts, const wchar_t *cwd)
{
	wchar_t *full, *r;
	DWORD a;

	if (cwd != NULL && is_relative(file))
		full = path_join(cwd, wcslen(cwd), file);
	else
		full = join3(file, wcslen(file), NULL, NULL);
	if (full == NULL)
		return NULL;
	r = try_exts(full, exts, true);
	if (r == NULL && errno == ENOENT) {
		a = GetFileAttributesW(full);
		if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY))
			errno = EACCES;		/* as execve(2) says */
	}
	free(full);
	return r;
}

/* Each PATH entry in turn (empty ones skipped, quoted ones unquoted). */
static wchar_t *
search_path(const wchar_t *file, const wchar_t *exts, char *const envp[],
    const wchar_t *cwd)
{
	wchar_t *path, *c, *r = NULL;
	const wchar_t *p, *dir;
	size_t n, len;

	if ((path = ni__win_getenv(envp, "PATH")) == NULL) {
		if (errno == 0)
			errno = ENOENT;
		return NULL;
	}
	errno = ENOENT;
	for (p = path;; p += n + 1) {
		n = wcscspn(p, L";");
		dir = p;
		len = n;
		if (len >= 2 && dir[0] == L'"' && dir[len - 1] == L'"') {
			dir++;
			len -= 2;
		}
		if (len > 0) {
			if ((c = in_dir(dir, len, file, cwd)) == NULL)
				break;
			r = try_exts(c, exts, false);
			free(c);
			if (r != NULL || errno != ENOENT)
				break;
		}
		if (p[n] == L'\0')
			break;
	}
	free(path);
	return r;
}

static wchar_t *
pathext(char *const envp[])
{
	wchar_t *v = ni__win_getenv(envp, "PATHEXT");

	if (v != NULL && v[0] != L'\0')
		return v;
	if (v != NULL)
		free(v);		/* empty: as unset */
	else if (errno != 0)
		return NULL;
	return join3(DEFAULT_PATHEXT, wcslen(DEFAULT_PATHEXT), NULL, NULL);
}

wchar_t *
ni__win_resolve(const char *file, bool search, char *const envp[],
    const wchar_t *cwd)
{
	wchar_t *wfile, *exts, *r = NULL;

	if (*file == '\0' || (!search && strpbrk(file, "/\\:") == NULL)) {
		errno = ENOENT;
		return NULL;
	}
	if ((wfile = ni__win_widen(file)) == NULL)
		return NULL;
	if ((exts = pathext(envp)) != NULL) {
		if (wcspbrk(wfile, L"/\\:") != NULL)
			r = resolve_path(wfile, exts, cwd);
		else
			r = search_path(wfile, exts, envp, cwd);
		free(exts);
	}
	free(wfile);
	if (r != NULL && is_batch(r)) {
		free(r);
		errno = ENOEXEC;
		return NULL;
	}
	return r;
}
