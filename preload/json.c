/*
 * json.c - JSON text into a fixed buffer (see json.h).
 *
 * Paths and arguments are bytes, JSON strings are Unicode: a valid UTF-8
 * sequence is copied as it is; any other byte >= 0x80 is written as the
 * lone low surrogate \udcXX (Python's "surrogateescape", PEP 383), which
 * no valid UTF-8 text can hold, so the reader gets the exact byte back:
 * \u00XX would be the character U+00XX, another real name (0xff is not
 * "\u00ff", which is "ÿ").
 */
#include <string.h>

#include "json.h"

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

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
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
	if (c >= 0x80 && (u = utf8_len(s, n)) != 0) {
		memcpy(out, s, u);
		*outlen = u;
		return u;
	}
	/* A control character is itself; a stray byte >= 0x80 is escaped. */
	memcpy(out, c >= 0x80 ? "\\udc" : "\\u00", 4);
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
