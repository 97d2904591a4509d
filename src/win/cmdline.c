/*
 * cmdline.c - argv as one command line that the child's C runtime splits
 * back into the same argv.
 *
 * Windows passes a program one string; each C runtime splits it again.
 * The Microsoft runtime (msvcrt since 2008, the UCRT) reads, inside or
 * outside quotes:
 *   2n backslashes + '"'    n backslashes, and the quote opens or closes
 *   2n+1 backslashes + '"'  n backslashes and a literal '"'
 *   n backslashes otherwise n backslashes, as they are
 * and splits on spaces and tabs outside quotes.  The program name
 * (argv[0]) is read by simpler rules: up to the next '"' if it starts with
 * one, else up to a space or tab; backslashes are never escapes there.
 * The writer below never emits "" inside quotes, the one sequence the
 * runtimes before 2008 read differently, so both generations agree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "win.h"

/* CreateProcessW's limit, the terminating NUL included. */
#define CMDLINE_MAX 32767

/* Does this argument need quotes: empty, or holding a separator (space,
 * tab; newline and vertical tab to be safe with other parsers) or a '"'? */
static bool
needs_quotes(const char *s)
{
	return *s == '\0' || strpbrk(s, " \t\n\v\"") != NULL;
}

static char *
put_backslashes(char *d, size_t n)
{
	memset(d, '\\', n);
	return d + n;
}

/* The program name: quoted when needed, never escaped. */
static char *
put_program(char *d, const char *s)
{
	bool q = needs_quotes(s);
	size_t n = strlen(s);

	if (q)
		*d++ = '"';
	memcpy(d, s, n);
	d += n;
	if (q)
		*d++ = '"';
	return d;
}

static char *
put_arg(char *d, const char *s)
{
	bool q = needs_quotes(s);
	size_t n;

	if (q)
		*d++ = '"';
	while (*s != '\0') {
		for (n = 0; s[n] == '\\'; n++)
			continue;
		if (s[n] == '"') {
			/* Each backslash doubled, then one to escape the quote. */
			d = put_backslashes(d, 2 * n + 1);
			*d++ = '"';
			s += n + 1;
		} else if (s[n] == '\0') {
			/* Before our closing quote they would escape it. */
			d = put_backslashes(d, q ? 2 * n : n);
			s += n;
		} else {
			d = put_backslashes(d, n);
			*d++ = s[n];
			s += n + 1;
		}
	}
	if (q)
		*d++ = '"';
	return d;
}

/*
 * The UTF-8 command line's worst-case size: every byte doubled, plus
 * quotes and a space per argument.  0 when the text alone is too long:
 * a UTF-16 unit comes from at most 3 bytes of UTF-8, so more than
 * 3 * CMDLINE_MAX bytes cannot fit whatever they hold.
 */
static size_t
worst_size(char *const argv[])
{
	size_t raw = 0, i;

	for (i = 0; argv[i] != NULL; i++) {
		raw += strlen(argv[i]) + 1;
		if (raw > 3 * (size_t)CMDLINE_MAX)
			return 0;
	}
	return 2 * raw + 2 * i + 1;
}

wchar_t *
ni__win_cmdline(char *const argv[])
{
	size_t size = worst_size(argv), i;
	wchar_t *w;
	char *s, *d;

	if (size == 0) {
		errno = E2BIG;
		return NULL;
	}
	if (argv[0] != NULL && strchr(argv[0], '"') != NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((s = malloc(size)) == NULL)
		return NULL;
	d = s;
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			*d++ = ' ';
		d = i == 0 ? put_program(d, argv[i]) : put_arg(d, argv[i]);
	}
	*d = '\0';
	w = ni__win_widen(s);
	free(s);
	if (w != NULL && wcslen(w) >= CMDLINE_MAX) {
		free(w);
		errno = E2BIG;
		return NULL;
	}
	return w;
}
