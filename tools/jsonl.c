/*
 * jsonl.c - a small, bounded JSON parser for the shim's log lines.  See
 * jsonl.h; the escapers of the output are cli.h's.
 *
 * The log is written by the shim, but a process killed mid-way, a full
 * disk or a foreign writer can leave anything in it: every read here is
 * checked against the end of the line, and a line that is not exactly one
 * JSON value is refused whole (the caller counts it and says so).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

/* ------------------------------------------------------------------ */
/* Arena                                                               */
/* ------------------------------------------------------------------ */

struct jchunk {
	struct jchunk *next;
	size_t used, cap;
	max_align_t data[];
};

#define JCHUNK_MIN 16384

void *
jarena_alloc(struct jarena *a, size_t n)
{
	struct jchunk *c = a->head;
	size_t align = sizeof(max_align_t);
	void *p;

	n = (n + align - 1) / align * align;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > JCHUNK_MIN ? n : JCHUNK_MIN;

		c = malloc(sizeof *c + cap);
		if (c == NULL)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

char *
jarena_strdup(struct jarena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = jarena_alloc(a, n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* Keeps the newest block (a line's worth, usually) and frees the others. */
void
jarena_reset(struct jarena *a)
{
	struct jchunk *c, *next;

	if (a->head == NULL)
		return;
	for (c = a->head->next; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head->next = NULL;
	a->head->used = 0;
}

void
jarena_free(struct jarena *a)
{
	jarena_reset(a);
	free(a->head);
	a->head = NULL;
}

/* ------------------------------------------------------------------ */
/* Parser                                                              */
/* ------------------------------------------------------------------ */

struct jp {
	const char *p, *end;
	struct jarena *a;
	const char *why;
};

static bool
fail(struct jp *j, const char *why)
{
	if (j->why == NULL)
		j->why = why;
	return false;
}

static void
skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static struct jv *
new_value(struct jp *j, enum jv_type type)
{
	struct jv *v = jarena_alloc(j->a, sizeof *v);

	if (v == NULL) {
		fail(j, "out of memory");
		return NULL;
	}
	memset(v, 0, sizeof *v);
	v->type = type;
	return v;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits after "\u". */
static bool
read_hex4(struct jp *j, unsigned *out)
{
	unsigned v = 0;
	int i, d;

	if (j->end - j->p < 4)
		return fail(j, "truncated");
	for (i = 0; i < 4; i++) {
		d = hexval(j->p[i]);
		if (d < 0)
			return fail(j, "bad \\u escape");
		v = v << 4 | (unsigned)d;
	}
	j->p += 4;
	*out = v;
	return true;
}

static char *
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/*
 * After "\u": one code point, a surrogate pair joined, a lone half U+FFFD.
 * \u0080 to \u00ff are the shim's bytes that are not UTF-8 (it copies
 * valid UTF-8 as it is, so it never escapes those characters): each
 * becomes that byte again, for the output to show as \xNN (FORMAT.md).
 */
static bool
read_uescape(struct jp *j, char **o)
{
	unsigned cp, lo;

	if (!read_hex4(j, &cp))
		return false;
	if (cp >= 0xd800 && cp <= 0xdbff && j->end - j->p >= 6 &&
	    j->p[0] == '\\' && j->p[1] == 'u') {
		const char *save = j->p;

		j->p += 2;
		if (!read_hex4(j, &lo))
			return false;
		if (lo >= 0xdc00 && lo <= 0xdfff)
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		else
			j->p = save;	/* the second escape stands alone */
	}
	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp >= 0x80 && cp <= 0xff)
		*(*o)++ = (char)cp;
	else
		*o = put_utf8(*o, cp);
	return true;
}

/*
 * A string, the opening quote consumed.  The unescaped text is never
 * longer than the escaped one (a \u escape of 6 bytes gives at most 3, a
 * surrogate pair of 12 gives 4), so the raw length bounds the allocation.
 */
static bool
read_string(struct jp *j, const char **s, size_t *len)
{
	const char *q;
	char *buf, *o;

	for (q = j->p; q < j->end && *q != '"'; q++)
		if (*q == '\\' && q + 1 < j->end)
			q++;
	if (q >= j->end)
		return fail(j, "truncated");
	buf = jarena_alloc(j->a, (size_t)(q - j->p) + 1);
	if (buf == NULL)
		return fail(j, "out of memory");
	o = buf;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;

		if (c < 0x20)
			return fail(j, "control character in a string");
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		if (j->p >= j->end)
			return fail(j, "truncated");
		switch (*j->p++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (!read_uescape(j, &o))
				return false;
			break;
		default:
			return fail(j, "bad escape");
		}
	}
	if (j->p >= j->end)
		return fail(j, "truncated");
	j->p++;		/* the closing quote */
	*o = '\0';
	*s = buf;
	*len = (size_t)(o - buf);
	return true;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
read_number(struct jp *j, struct jv *v)
{
	const char *start = j->p;
	char *text;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || !is_digit(*j->p))
		return fail(j, j->p >= j->end ? "truncated" : "bad number");
	if (*j->p == '0')
		j->p++;
	else
		while (j->p < j->end && is_digit(*j->p))
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || !is_digit(*j->p))
			return fail(j, "bad number");
		while (j->p < j->end && is_digit(*j->p))
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || !is_digit(*j->p))
			return fail(j, "bad number");
		while (j->p < j->end && is_digit(*j->p))
			j->p++;
	}
	text = jarena_alloc(j->a, (size_t)(j->p - start) + 1);
	if (text == NULL)
		return fail(j, "out of memory");
	memcpy(text, start, (size_t)(j->p - start));
	text[j->p - start] = '\0';
	v->s = text;
	v->len = (size_t)(j->p - start);
	return true;
}

static bool
read_word(struct jp *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n)
		return fail(j, "truncated");
	if (memcmp(j->p, word, n) != 0)
		return fail(j, "unexpected character");
	j->p += n;
	return true;
}

static struct jv *read_value(struct jp *j, int depth);

/* The members of an array or object, the opening bracket consumed. */
static bool
read_members(struct jp *j, struct jv *v, int depth)
{
	char close = v->type == JV_OBJ ? '}' : ']';
	struct jv **tail = &v->kids, *kid;
	const char *key = NULL;
	size_t klen;

	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		skip_ws(j);
		if (v->type == JV_OBJ) {
			if (j->p >= j->end)
				return fail(j, "truncated");
			if (*j->p++ != '"' || !read_string(j, &key, &klen))
				return fail(j, "bad object key");
			skip_ws(j);
			if (j->p >= j->end)
				return fail(j, "truncated");
			if (*j->p++ != ':')
				return fail(j, "':' expected");
		}
		kid = read_value(j, depth + 1);
		if (kid == NULL)
			return false;
		kid->key = key;
		*tail = kid;
		tail = &kid->next;
		skip_ws(j);
		if (j->p >= j->end)
			return fail(j, "truncated");
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ == close)
			return true;
		return fail(j, "',' expected");
	}
}

static struct jv *
read_value(struct jp *j, int depth)
{
	struct jv *v;
	char c;
	bool ok;

	if (depth > JV_MAX_DEPTH) {
		fail(j, "nested too deep");
		return NULL;
	}
	skip_ws(j);
	if (j->p >= j->end) {
		fail(j, "truncated");
		return NULL;
	}
	c = *j->p;
	switch (c) {
	case '{':
	case '[':
		j->p++;
		v = new_value(j, c == '{' ? JV_OBJ : JV_ARR);
		ok = v != NULL && read_members(j, v, depth);
		break;
	case '"':
		j->p++;
		v = new_value(j, JV_STR);
		ok = v != NULL && read_string(j, &v->s, &v->len);
		break;
	case 't':
		v = new_value(j, JV_TRUE);
		ok = v != NULL && read_word(j, "true");
		break;
	case 'f':
		v = new_value(j, JV_FALSE);
		ok = v != NULL && read_word(j, "false");
		break;
	case 'n':
		v = new_value(j, JV_NULL);
		ok = v != NULL && read_word(j, "null");
		break;
	default:
		v = new_value(j, JV_NUM);
		ok = v != NULL && read_number(j, v);
		break;
	}
	return ok ? v : NULL;
}

struct jv *
jv_parse(struct jarena *a, const char *buf, size_t len, const char **why)
{
	struct jp j = { buf, buf + len, a, NULL };
	struct jv *v;

	v = read_value(&j, 0);
	if (v != NULL) {
		skip_ws(&j);
		if (j.p != j.end) {
			fail(&j, "text after the value");
			v = NULL;
		}
	}
	if (why != NULL)
		*why = j.why;
	return v;
}

const struct jv *
jv_get(const struct jv *o, const char *key)
{
	const struct jv *k;

	if (o == NULL || o->type != JV_OBJ)
		return NULL;
	for (k = o->kids; k != NULL; k = k->next)
		if (strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

const char *
jv_str(const struct jv *v)
{
	return v != NULL && v->type == JV_STR ? v->s : NULL;
}

bool
jv_uint(const struct jv *v, unsigned long long *out)
{
	unsigned long long n = 0;
	const char *s;

	if (v == NULL || v->type != JV_NUM || v->len == 0)
		return false;
	for (s = v->s; *s != '\0'; s++) {
		if (!is_digit(*s))
			return false;
		if (n > (~0ULL - (unsigned)(*s - '0')) / 10)
			return false;
		n = n * 10 + (unsigned)(*s - '0');
	}
	*out = n;
	return true;
}
