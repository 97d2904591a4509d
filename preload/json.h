/*
 * json.h - JSON text into a fixed buffer, for the log records.
 *
 * No allocation, no stdio, no locale: usable in a vfork child.  A buffer
 * that runs out of room turns `full` and ignores later appends; a caller
 * that wants all-or-nothing saves `len`, appends, and on `full` puts `len`
 * back (jb_rollback).  Strings are cut at a byte budget of their own, never
 * inside a UTF-8 sequence or an escape.
 */
#ifndef NI_PRELOAD_JSON_H
#define NI_PRELOAD_JSON_H

#include <stdbool.h>
#include <stddef.h>

struct jbuf {
	char *p;
	size_t len;
	size_t cap;
	bool full;
};

static inline void
jb_init(struct jbuf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->full = false;
}

static inline void
jb_rollback(struct jbuf *b, size_t len)
{
	b->len = len;
	b->full = false;
}

void jb_mem(struct jbuf *b, const char *s, size_t n);
void jb_raw(struct jbuf *b, const char *s);
void jb_str(struct jbuf *b, const char *s, size_t n, size_t max);
void jb_cstr(struct jbuf *b, const char *s, size_t max);
void jb_u64(struct jbuf *b, unsigned long long v);
void jb_i64(struct jbuf *b, long long v);
void jb_hex(struct jbuf *b, unsigned long long v);

#endif
