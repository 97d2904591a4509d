/*
 * envblock.c - a child's environment: envp as the UTF-16 block that
 * CreateProcessW takes with CREATE_UNICODE_ENVIRONMENT, and one variable
 * looked up the way Windows names them (case-insensitively).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "win.h"

/* UTF-16 units of s, its NUL included; 0 with errno EILSEQ. */
static size_t
wide_len(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1,
	    NULL, 0);

	if (n <= 0)
		errno = EILSEQ;
	return n > 0 ? (size_t)n : 0;
}

/*
 * "NAME=value": the '=' must come after the first character, since the
 * drive variables Windows keeps ("=C:=C:\dir") start with one.
 */
static bool
valid_entry(const char *s)
{
	return s[0] != '\0' && strchr(s + 1, '=') != NULL;
}

/* The block: each entry and its NUL, then one more NUL (two for none). */
wchar_t *
ni__win_envblock(char *const envp[])
{
	size_t total = 1, i, n;
	wchar_t *block, *d;

	for (i = 0; envp[i] != NULL; i++) {
		if (!valid_entry(envp[i])) {
			errno = EINVAL;
			return NULL;
		}
		if ((n = wide_len(envp[i])) == 0)
			return NULL;
		if (total > SIZE_MAX / sizeof *block - n - 1) {
			errno = ENOMEM;
			return NULL;
		}
		total += n;
	}
	if (total == 1)
		total = 2;
	if ((block = malloc(total * sizeof *block)) == NULL)
		return NULL;
	d = block;
	for (i = 0; envp[i] != NULL; i++)
		d += MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS,
		    envp[i], -1, d, (int)(total - (size_t)(d - block)));
	d[0] = L'\0';
	if (d == block)
		d[1] = L'\0';
	return block;
}

/* From envp: the value of name (ASCII, case-insensitive), or NULL. */
static const char *
envp_lookup(char *const envp[], const char *name)
{
	size_t len = strlen(name);

	for (; *envp != NULL; envp++)
		if (_strnicmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

/* From this process's Win32 environment (not the CRT's copy: envp NULL
 * hands CreateProcessW that one). */
static wchar_t *
process_lookup(const char *name)
{
	wchar_t *wname = ni__win_widen(name), *v = NULL;
	DWORD n, got;

	if (wname == NULL)
		return NULL;
	errno = 0;
	n = GetEnvironmentVariableW(wname, NULL, 0);
	/* Loop: the variable may grow between the two calls. */
	while (n > 0) {
		free(v);
		if ((v = malloc(n * sizeof *v)) == NULL)
			break;
		got = GetEnvironmentVariableW(wname, v, n);
		if (got == 0) {		/* unset meanwhile */
			free(v);
			v = NULL;
		}
		if (got < n)
			break;
		n = got;
	}
	free(wname);
	return v;
}

wchar_t *
ni__win_getenv(char *const envp[], const char *name)
{
	const char *v;

	if (envp == NULL)
		return process_lookup(name);
	errno = 0;
	v = envp_lookup(envp, name);
	return v != NULL ? ni__win_widen(v) : NULL;
}
