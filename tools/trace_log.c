/*
 * trace_log.c - the shim's log read into records (preload/FORMAT.md).
 *
 * The log is fed as it is read, in pieces of any size, while CMD runs and
 * once more after it has exited.  Each complete line is parsed on its own
 * (jsonl.c) and checked against the two record shapes, "start" and
 * "exec"; what passes is copied into the log's memory, what does not is
 * counted and skipped: a process killed in the middle of a write, a full
 * disk, or a line that is not ours cannot stop the report.  Members not
 * named in FORMAT.md are ignored (a newer shim may add some), and so are
 * records of an unknown "ev".
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockdiag.h"
#include "trace.h"

/* No record comes near this (the shim keeps them under 4 KiB). */
#define MAX_LINE (1u << 20)

/* ------------------------------------------------------------------ */
/* Members                                                             */
/* ------------------------------------------------------------------ */

/* Why a line was refused; the first is kept for the message. */
struct shape {
	const char *why;
};

static bool
bad(struct shape *s, const char *why)
{
	if (s->why == NULL)
		s->why = why;
	return false;
}

/* A copy of a string member, or dflt when it is absent or null. */
static bool
copy_str(struct tlog *l, struct shape *s, const struct jv *o,
    const char *key, const char *dflt, const char **out)
{
	const struct jv *v = jv_get(o, key);

	if (v == NULL || v->type == JV_NULL) {
		*out = dflt;
		return true;
	}
	if (v->type != JV_STR)
		return bad(s, "a member has the wrong type");
	*out = jarena_strdup(&l->mem, v->s);
	return *out != NULL || bad(s, "out of memory");
}

/* A non-negative integer member up to max; dflt when absent. */
static bool
get_uint(struct shape *s, const struct jv *o, const char *key,
    unsigned long long max, long long dflt, unsigned long long *out)
{
	const struct jv *v = jv_get(o, key);

	if (v == NULL && dflt >= 0) {
		*out = (unsigned long long)dflt;
		return true;
	}
	if (!jv_uint(v, out) || *out > max)
		return bad(s, v == NULL ? "a member is missing" :
		    "a number is out of range");
	return true;
}

static size_t
count(const struct jv *arr)
{
	const struct jv *k;
	size_t n = 0;

	for (k = arr->kids; k != NULL; k = k->next)
		n++;
	return n;
}

/* An array member (absent: empty); NULL-safe for the caller's loop. */
static bool
get_array(struct shape *s, const struct jv *o, const char *key,
    const struct jv **out)
{
	const struct jv *v = jv_get(o, key);

	if (v == NULL || v->type == JV_NULL) {
		*out = NULL;
		return true;
	}
	if (v->type != JV_ARR)
		return bad(s, "a member has the wrong type");
	*out = v;
	return true;
}

/* "0x1234" (as FORMAT.md writes it) or a plain number. */
static bool
get_offset(const struct jv *v, unsigned long long *out)
{
	const char *p;
	unsigned long long n = 0;
	int d;

	if (v != NULL && v->type == JV_NUM)
		return jv_uint(v, out);
	if (v == NULL || v->type != JV_STR || strncmp(v->s, "0x", 2) != 0 ||
	    v->s[2] == '\0' || v->len > 18)
		return false;
	for (p = v->s + 2; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return false;
		n = n << 4 | (unsigned)d;
	}
	*out = n;
	return true;
}

/* ------------------------------------------------------------------ */
/* Record shapes                                                       */
/* ------------------------------------------------------------------ */

/* "bt": frames without obj or a readable off are dropped, not fatal. */
static bool
read_bt(struct tlog *l, struct shape *s, const struct jv *arr,
    struct origin *o)
{
	const struct jv *k;
	struct frame *f;

	if (arr == NULL)
		return true;
	o->bt = jarena_alloc(&l->mem, count(arr) * sizeof *o->bt + 1);
	if (o->bt == NULL)
		return bad(s, "out of memory");
	for (k = arr->kids; k != NULL; k = k->next) {
		f = &o->bt[o->nbt];
		memset(f, 0, sizeof *f);
		if (k->type != JV_OBJ || jv_str(jv_get(k, "obj")) == NULL ||
		    !get_offset(jv_get(k, "off"), &f->off))
			continue;
		if (!copy_str(l, s, k, "obj", NULL, &f->obj) ||
		    !copy_str(l, s, k, "sym", NULL, &f->sym))
			return false;
		o->nbt++;
	}
	return true;
}

/* An exec record's ORIGIN, when the entry has one (made_by present). */
static bool
read_origin(struct tlog *l, struct shape *s, const struct jv *e,
    struct tfd *fd)
{
	const struct jv *bt;
	unsigned long long pid;
	struct origin *o;

	if (jv_get(e, "made_by") == NULL)
		return true;
	o = jarena_alloc(&l->mem, sizeof *o);
	if (o == NULL)
		return bad(s, "out of memory");
	memset(o, 0, sizeof *o);
	if (!copy_str(l, s, e, "made_by", NULL, &o->made_by) ||
	    !copy_str(l, s, e, "inheritable_by", NULL, &o->inh_by) ||
	    !get_uint(s, e, "made_pid", LONG_MAX, -1, &pid) ||
	    !get_array(s, e, "bt", &bt) || !read_bt(l, s, bt, o))
		return false;
	if (o->made_by == NULL)
		return true;	/* "made_by":null: unknown after all */
	o->made_pid = jv_get(e, "made_pid") ? (long)pid : -1;
	fd->origin = o;
	return true;
}

static bool
read_fds(struct tlog *l, struct shape *s, const struct jv *arr,
    struct trec *r)
{
	const struct jv *k;
	unsigned long long n;
	struct tfd *fd;

	if (arr == NULL)
		return true;
	r->fds = jarena_alloc(&l->mem, count(arr) * sizeof *r->fds + 1);
	if (r->fds == NULL)
		return bad(s, "out of memory");
	for (k = arr->kids; k != NULL; k = k->next) {
		fd = &r->fds[r->nfds];
		memset(fd, 0, sizeof *fd);
		if (k->type != JV_OBJ)
			return bad(s, "a descriptor is not an object");
		if (!get_uint(s, k, "fd", INT_MAX, -1, &n))
			return false;
		fd->fd = (int)n;
		if (!get_uint(s, k, "dev", ~0ULL, 0, &fd->dev) ||
		    !get_uint(s, k, "ino", ~0ULL, 0, &fd->ino) ||
		    !copy_str(l, s, k, "what", "?", &fd->what) ||
		    !copy_str(l, s, k, "sock", NULL, &fd->sock))
			return false;
		if (r->ev == EV_EXEC && !read_origin(l, s, k, fd))
			return false;
		r->nfds++;
	}
	return true;
}

static bool
read_argv(struct tlog *l, struct shape *s, const struct jv *arr,
    struct trec *r)
{
	const struct jv *k;

	if (arr == NULL)
		return true;
	r->argv = jarena_alloc(&l->mem, count(arr) * sizeof *r->argv + 1);
	if (r->argv == NULL)
		return bad(s, "out of memory");
	for (k = arr->kids; k != NULL; k = k->next) {
		if (k->type != JV_STR)
			return bad(s, "an argument is not a string");
		r->argv[r->argc] = jarena_strdup(&l->mem, k->s);
		if (r->argv[r->argc++] == NULL)
			return bad(s, "out of memory");
	}
	return true;
}

/*
 * One parsed line into r.  Returns 1 for a record, 0 for a well-formed
 * line of an unknown event (ignored), -1 for a line of the wrong shape.
 */
static int
read_record(struct tlog *l, struct shape *s, const struct jv *o,
    struct trec *r)
{
	const char *ev = jv_str(jv_get(o, "ev"));
	const struct jv *argv, *fds;
	unsigned long long pid, ppid, part;

	if (o->type != JV_OBJ)
		return bad(s, "not an object"), -1;
	if (ev == NULL)
		return bad(s, "no \"ev\""), -1;
	memset(r, 0, sizeof *r);
	if (strcmp(ev, "start") == 0)
		r->ev = EV_START;
	else if (strcmp(ev, "exec") == 0)
		r->ev = EV_EXEC;
	else
		return 0;
	if (!get_uint(s, o, "pid", INT_MAX, -1, &pid) ||
	    !get_uint(s, o, "ppid", INT_MAX, 0, &ppid) ||
	    !get_uint(s, o, "t", ~0ULL, 0, &r->t) ||
	    !get_uint(s, o, "part", 1000000, 1, &part) ||
	    !copy_str(l, s, o, "exe", "?", &r->exe) ||
	    !get_array(s, o, "argv", &argv) || !get_array(s, o, "fds", &fds))
		return -1;
	r->pid = (long)pid;
	r->ppid = jv_get(o, "ppid") ? (long)ppid : -1;
	r->part = (unsigned)part;
	if (r->ev == EV_EXEC &&
	    (!copy_str(l, s, o, "call", "exec", &r->call) ||
	    !copy_str(l, s, o, "target", NULL, &r->target)))
		return -1;
	if (!read_argv(l, s, argv, r) || !read_fds(l, s, fds, r))
		return -1;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Lines                                                               */
/* ------------------------------------------------------------------ */

static void
count_bad(struct tlog *l, const char *why)
{
	if (l->bad++ == 0) {
		l->first_bad = l->lines;
		l->first_why = why;
	}
}

/*
 * A record too big for one line goes on in lines with "part" 2, 3... and
 * the same pid, ev and t: their descriptors join the first part's.
 * Returns true if r was merged so.
 */
static bool
merge_part(struct tlog *l, const struct trec *r)
{
	struct trec *p;
	struct tfd *fds;
	size_t i, stop = l->n > 256 ? l->n - 256 : 0;

	if (r->part < 2)
		return false;
	for (i = l->n; i-- > stop;) {
		p = &l->v[i];
		if (p->pid != r->pid || p->ev != r->ev || p->t != r->t)
			continue;
		fds = jarena_alloc(&l->mem, (p->nfds + r->nfds) * sizeof *fds + 1);
		if (fds == NULL)
			return false;
		memcpy(fds, p->fds, p->nfds * sizeof *fds);
		memcpy(fds + p->nfds, r->fds, r->nfds * sizeof *fds);
		p->fds = fds;
		p->nfds += r->nfds;
		return true;
	}
	return false;	/* the first part is lost: keep this one alone */
}

/*
 * A record from a process in another pid namespace (unshare -p, a
 * container) carries the pids it sees: the sender's own becomes its pid
 * here, as SO_PEERCRED gave it.  Other pids (ppid, a maker that is an
 * ancestor) cannot be translated and stay as they are.
 */
static void
own_pids(struct trec *r, long peer)
{
	size_t k;

	for (k = 0; k < r->nfds; k++)
		if (r->fds[k].origin != NULL &&
		    r->fds[k].origin->made_pid == r->pid)
			r->fds[k].origin->made_pid = peer;
	r->pid = peer;
}

static int
grow(struct tlog *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct trec *v = realloc(l->v, cap * sizeof *v);

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	return 0;
}

/* One complete line (without its newline).  1, 0 (blank, ignored) or -1. */
static int
take_line(struct tlog *l, const char *p, size_t len)
{
	struct shape s = { NULL };
	struct jv *root;
	struct trec r;
	const char *why;
	size_t i;
	int got;

	l->lines++;
	for (i = 0; i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r');)
		i++;
	if (i == len)
		return 0;
	jarena_reset(&l->scratch);
	root = jv_parse(&l->scratch, p, len, &why);
	if (root == NULL) {
		count_bad(l, why ? why : "not JSON");
		return 0;
	}
	got = read_record(l, &s, root, &r);
	if (got < 0) {
		count_bad(l, s.why);
		return 0;
	}
	if (got > 0 && l->peer_pid > 0 && r.pid != l->peer_pid)
		own_pids(&r, l->peer_pid);
	if (got == 0 || (l->kernel_starts && r.ev == EV_START) ||
	    merge_part(l, &r))
		return 0;	/* the observer's own start records stand */
	if (grow(l) != 0)
		return -1;
	r.line = l->lines;
	l->v[l->n++] = r;
	return 1;
}

/* Appends to the incomplete line; an overlong one is dropped. */
static int
keep_part(struct tlog *l, const char *p, size_t len)
{
	if (l->plen + len > MAX_LINE) {
		l->plen = 0;
		l->skipping = true;
		return 0;
	}
	if (l->plen + len > l->pcap) {
		size_t cap = l->pcap ? l->pcap : 4096;
		char *v;

		while (cap < l->plen + len)
			cap *= 2;
		v = realloc(l->part, cap);
		if (v == NULL)
			return -1;
		l->part = v;
		l->pcap = cap;
	}
	memcpy(l->part + l->plen, p, len);
	l->plen += len;
	return 0;
}

long
trace_log_feed(struct tlog *l, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	long added = 0;
	int r;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			if (!l->skipping && keep_part(l, p, (size_t)(end - p)))
				goto nomem;
			break;
		}
		if (l->skipping) {
			l->skipping = false;
			l->lines++;
			count_bad(l, "line too long");
		} else if (l->plen > 0) {
			if (keep_part(l, p, (size_t)(nl - p)))
				goto nomem;
			if (l->skipping) {
				l->skipping = false;
				l->lines++;
				count_bad(l, "line too long");
			} else {
				r = take_line(l, l->part, l->plen);
				l->plen = 0;
				if (r < 0)
					goto nomem;
				added += r;
			}
		} else {
			r = take_line(l, p, (size_t)(nl - p));
			if (r < 0)
				goto nomem;
			added += r;
		}
		p = nl + 1;
	}
	return added;
nomem:
	errno = ENOMEM;
	return -1;
}

long
trace_log_finish(struct tlog *l)
{
	long r = 0;

	if (l->skipping) {
		l->lines++;
		count_bad(l, "line too long");
	} else if (l->plen > 0) {
		/* A record is written with its newline in one write(2): a
		 * last line without one was cut short, unless it parses. */
		r = take_line(l, l->part, l->plen);
		if (r < 0)
			errno = ENOMEM;
	}
	l->plen = 0;
	l->skipping = false;
	return r;
}

static const char *
dup_or_null(struct tlog *l, const char *s, bool *bad)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = jarena_strdup(&l->mem, s);
	if (d == NULL)
		*bad = true;
	return d;
}

int
trace_log_add(struct tlog *l, const struct trec *r)
{
	struct trec c = *r;
	bool bad = false;
	size_t i;

	c.exe = dup_or_null(l, r->exe ? r->exe : "?", &bad);
	c.call = dup_or_null(l, r->call, &bad);
	c.target = dup_or_null(l, r->target, &bad);
	c.noshim = dup_or_null(l, r->noshim, &bad);
	c.from_exe = dup_or_null(l, r->from_exe, &bad);
	c.from_noshim = dup_or_null(l, r->from_noshim, &bad);
	c.argv = jarena_alloc(&l->mem, (r->argc + 1) * sizeof *c.argv);
	c.fds = jarena_alloc(&l->mem, (r->nfds + 1) * sizeof *c.fds);
	if (c.argv == NULL || c.fds == NULL || bad)
		goto nomem;
	for (i = 0; i < r->argc; i++)
		c.argv[i] = dup_or_null(l, r->argv[i], &bad);
	for (i = 0; i < r->nfds; i++) {
		c.fds[i] = r->fds[i];
		c.fds[i].what = dup_or_null(l, r->fds[i].what ?
		    r->fds[i].what : "?", &bad);
		c.fds[i].sock = dup_or_null(l, r->fds[i].sock, &bad);
		c.fds[i].named = dup_or_null(l, r->fds[i].named, &bad);
		c.fds[i].origin = NULL;
	}
	if (bad || grow(l) != 0)
		goto nomem;
	c.line = 0;
	l->v[l->n++] = c;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

void
trace_log_free(struct tlog *l)
{
	free(l->v);
	free(l->part);
	jarena_free(&l->mem);
	jarena_free(&l->scratch);
	memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------------ */
/* Sockets                                                             */
/* ------------------------------------------------------------------ */

static bool
unresolved(const struct tfd *f, unsigned long *ino)
{
	return f->sock == NULL && pi_link_inode(f->what, "socket:[", ino);
}

/* Said once a run: the kinds that sock_diag could not list. */
static void
say_text(unsigned text)
{
	static unsigned said;
	int k;

	for (k = 0; k < SD_NKINDS; k++) {
		if (!(text & ~said & (1u << k)))
			continue;
		said |= 1u << k;
		fprintf(stderr, "noinherit: trace: NETLINK_SOCK_DIAG cannot "
		    "list %s sockets here: they are described from the "
		    "/proc/net text tables%s\n", sd_kind_name((enum sd_kind)k),
		    k == SD_UNIX ? ", where a socket name holding a newline "
		    "can forge a line" : "");
	}
}

void
trace_log_resolve_sockets(struct tlog *l, size_t from)
{
	struct pi_socktab t = { 0 };
	const struct pi_sock *s;
	unsigned long ino;
	unsigned text = 0;
	bool loaded = false;
	size_t i, k;

	for (i = from; i < l->n; i++) {
		for (k = 0; k < l->v[i].nfds; k++) {
			struct tfd *f = &l->v[i].fds[k];

			if (!unresolved(f, &ino))
				continue;
			/* Read the tables once, and only if needed. */
			if (!loaded) {
				loaded = true;
				if (sd_load_self(&t, &text) != 0 && t.n == 0)
					goto out;
			}
			s = pi_socktab_find(&t, ino);
			if (s != NULL && s->text)
				say_text(1u << (s->text - 1));
			if (s != NULL)
				f->sock = jarena_strdup(&l->mem, s->desc);
		}
	}
out:
	pi_socktab_free(&t);
}
