/*
 * escape.c - the escaping of names in the output of `noinherit` (cli.h):
 * one for text, one for JSON, shared by audit, trace and the Windows
 * command.  Its own file, without getopt and messages, so that tools/win
 * links it alone.
 */
#include <string.h>

#include "cli.h"
#include "procinfo.h"		/* pi_utf8_len */

void
cli_put_text(FILE *f, const char *str, size_t n, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t k;

	while (n > 0) {
		k = 1;
		if (*s == '\\' && !(flags & CLI_TEXT_KEEP_BACKSLASH))
			fputs("\\\\", f);
		else if (*s < 0x20 || *s == 0x7f ||
		    (k = pi_utf8_len(s, n)) == 0) {
			fprintf(f, "\\x%02x", *s);
			k = 1;
		} else
			fwrite(s, 1, k, f);
		s += k;
		n -= k;
	}
}

void
cli_puts_text(FILE *f, const char *s)
{
	cli_put_text(f, s, strlen(s), 0);
}

void
cli_puts_json(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n, k;

	if (str == NULL) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	for (n = strlen(str); n > 0; s += k, n -= k) {
		k = 1;
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\r')
			fputs("\\r", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\u%04x", *s);
		else if ((k = pi_utf8_len(s, n)) == 0) {
			fputs("\\ufffd", f);
			k = 1;
		} else
			fwrite(s, 1, k, f);
	}
	putc('"', f);
}
