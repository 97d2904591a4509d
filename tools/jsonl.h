/*
 * jsonl.h - the little JSON `noinherit trace` needs: a parser for one line
 * of the shim's log (preload/FORMAT.md) into a tree.  What the command
 * prints is escaped by cli.h's escapers.
 *
 * The parser takes any bytes whatever (not NUL-terminated, any length) and
 * never reads outside them.  It accepts RFC 8259 JSON with two leniencies
 * that cost nothing: bytes >= 0x80 in strings are copied as they are (the
 * printer, cli_puts_json, re-validates UTF-8), and \u0000 becomes U+FFFD
 * (a C string cannot hold it).  One reading is the log's own: \u0080 to
 * \u00ff stand for a byte that is not UTF-8 (preload/FORMAT.md), and
 * become that byte.  Nesting deeper than
 * JV_MAX_DEPTH is refused.
 */
#ifndef NI_JSONL_H
#define NI_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define JV_MAX_DEPTH 16

enum jv_type { JV_NULL, JV_FALSE, JV_TRUE, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

/*
 * A value.  Strings are unescaped and NUL-terminated; a number keeps its
 * text.  The members of an array or object are a list from `kids` through
 * `next`; an object member has its name in `key`.
 */
struct jv {
	enum jv_type type;
	const char *key;	/* object members only */
	const char *s;		/* JV_STR: the string; JV_NUM: its text */
	size_t len;
	struct jv *kids, *next;
};

/* The memory of one parse: reused line after line. */
struct jarena {
	struct jchunk *head;	/* the block in use first, then older ones */
};

/* n bytes aligned for any type, or NULL; lives until reset or free. */
void *jarena_alloc(struct jarena *a, size_t n);
/* A copy of s in a, or NULL. */
char *jarena_strdup(struct jarena *a, const char *s);
/* Frees all but the newest block, which is kept for reuse. */
void jarena_reset(struct jarena *a);
void jarena_free(struct jarena *a);

/*
 * Parses buf[0..len) as exactly one JSON value, surrounded by blanks at
 * most.  Returns the root, or NULL when the text is not JSON (or memory
 * ran out); *why then says what was wrong ("truncated", ...).  The tree
 * lives in a until the next jarena_reset.
 */
struct jv *jv_parse(struct jarena *a, const char *buf, size_t len,
    const char **why);

/* The member named key of an object, or NULL (also when o is not one). */
const struct jv *jv_get(const struct jv *o, const char *key);
/* The string of v, or NULL if v is absent or not a string. */
const char *jv_str(const struct jv *v);
/*
 * A non-negative integer of at most ~0ULL: digits only (no fraction, no
 * exponent, no sign).  Returns false if v is anything else.
 */
bool jv_uint(const struct jv *v, unsigned long long *out);

#endif /* NI_JSONL_H */
