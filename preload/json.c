/*
 * json.c - JSON text into a fixed buffer (see json.h).
 *
 * Paths and arguments are bytes, JSON strings are Unicode: a valid UTF-8
 * sequence is copied as it is; any other byte >= 0x80 is written as
 * \u00XX, so a record is always valid JSON.  Since valid UTF-8 is never
 * escaped, the tool reads \u0080-\u00ff back as the bytes (FORMAT.md).
 * The UTF-8 check is the tool's (utf8.c includes tools/utf8.c).
 */
#include <string.h>

#include "json.h"
#include "procinfo.h"	/* pi_utf8_len */

void
jb_mem(struct jbuf *b, const char *s, size_t n)
{
	if (b->full)
		return;
	if (n > b->cap - b->len) {
		b->full = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void
jb_raw(struct jbuf *b, const char *s)
{
	jb_mem(b, s, strlen(s));
}

/* The JSON text for the character at s into out; returns the input bytes
 * it stands for and sets *outlen. */
static size_t
encode_one(const unsigned char *s, size_t n, char out[8], size_t *outlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = s[0];
	size_t u;

	switch (c) {
	case '"':  memcpy(out, "\\\"", 2); *outlen = 2; return 1;
	case '\\': memcpy(out, "\\\\", 2); *outlen = 2; return 1;
	case '\n': memcpy(out, "\\n", 2); *outlen = 2; return 1;
	case '\t': memcpy(out, "\\t", 2); *outlen = 2; return 1;
	case '\r': memcpy(out, "\\r", 2); *outlen = 2; return 1;
	default:
		break;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		*outlen = 1;
		return 1;
	}
	if (c >= 0x80 && (u = pi_utf8_len(s, n)) != 0) {
		memcpy(out, s, u);
		*outlen = u;
		return u;
	}
	memcpy(out, "\\u00", 4);
	out[4] = hex[c >> 4];
	out[5] = hex[c & 15];
	*outlen = 6;
	return 1;
}

void
jb_str(struct jbuf *b, const char *s, size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, written = 0;
	char out[8];

	jb_mem(b, "\"", 1);
	while (i < n && !b->full) {
		size_t outlen, used = encode_one(u + i, n - i, out, &outlen);

		if (written + outlen > max)
			break;			/* cut: the budget is spent */
		if (outlen + 1 > b->cap - b->len) {
			b->full = true;	/* no room for it and the quote */
			return;
		}
		jb_mem(b, out, outlen);
		written += outlen;
		i += used;
	}
	jb_mem(b, "\"", 1);
}

void
jb_cstr(struct jbuf *b, const char *s, size_t max)
{
	jb_str(b, s, strlen(s), max);
}

void
jb_u64(struct jbuf *b, unsigned long long v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	jb_mem(b, tmp + i, sizeof(tmp) - i);
}

void
jb_i64(struct jbuf *b, long long v)
{
	if (v < 0) {
		jb_mem(b, "-", 1);
		jb_u64(b, 0 - (unsigned long long)v);
	} else {
		jb_u64(b, (unsigned long long)v);
	}
}

void
jb_hex(struct jbuf *b, unsigned long long v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[24];
	size_t i = sizeof(tmp);

	tmp[--i] = '"';
	do {
		tmp[--i] = hex[v & 15];
		v >>= 4;
	} while (v != 0);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	tmp[--i] = '"';
	jb_mem(b, tmp + i, sizeof(tmp) - i);
}
