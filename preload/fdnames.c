/*
 * fdnames.c - which descriptor numbers a program names to the program it
 * execs (the rules are in fdnames.h).
 *
 * Runs in the shim just before an exec, possibly in a vfork child: it must
 * be async-signal-safe.  So no allocation and no library call (not even
 * strlen: the shim may be loaded ahead of an instrumented libc); the
 * helpers below are the few string operations it needs.
 *
 * Shape: walk() visits every source (a token or a variable naming one fd,
 * a comma list, or LISTEN_FDS's range) as an interval [lo, hi].
 * fdnames_scan() walks the strings once, keeping up to 32 sources on the
 * stack, then extracts the distinct fds in ascending order, one pass over
 * the sources per fd stored; past `max` it only counts, a run of
 * consecutive fds per pass (so LISTEN_FDS=1000000 costs a few passes, not
 * a million).  With more sources than that, each pass walks the strings.
 */
#include "fdnames.h"

#include <limits.h>
#include <stdbool.h>

typedef void visit_fn(void *ctx, long long lo, long long hi,
    const char *why);

struct walker {
	visit_fn *fn;
	void *ctx;
	long self;
};

/* ------------------------------------------------------------------ */
/* strings                                                             */
/* ------------------------------------------------------------------ */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A character that can continue a file or option name. */
static bool
is_name_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '-';
}

static size_t
str_len(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/* Whether [s, s+n) begins with the NUL-terminated prefix; its length in
 * *plen. */
static bool
has_prefix(const char *s, size_t n, const char *prefix, size_t *plen)
{
	size_t i;

	for (i = 0; prefix[i] != '\0'; i++)
		if (i >= n || s[i] != prefix[i])
			return false;
	if (plen != NULL)
		*plen = i;
	return true;
}

static bool
has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = str_len(suffix);

	if (k > n)
		return false;
	for (size_t i = 0; i < k; i++)
		if (s[n - k + i] != suffix[i])
			return false;
	return true;
}

static bool
equals(const char *s, size_t n, const char *word)
{
	size_t k;

	return has_prefix(s, n, word, &k) && k == n;
}

/* [s, end) as a decimal number: digits only, at most INT_MAX. */
static bool
parse_num(const char *s, const char *end, long long *v)
{
	long long x = 0;

	if (s >= end)
		return false;
	for (; s < end; s++) {
		if (!is_digit(*s))
			return false;
		x = x * 10 + (*s - '0');
		if (x > INT_MAX)
			return false;
	}
	*v = x;
	return true;
}

/* ------------------------------------------------------------------ */
/* sources                                                             */
/* ------------------------------------------------------------------ */

static void
emit(const struct walker *w, long long lo, long long hi, const char *why)
{
	if (hi <= 2)
		return;
	if (lo <= 2)
		lo = 3;
	w->fn(w->ctx, lo, hi, why);
}

/*
 * [s, end) as a list of numbers separated by SEP (one of its characters):
 * with strict, every element must be a number or nothing is named (and an
 * empty list names nothing); without, junk elements are skipped (nginx).
 * A trailing separator is allowed either way ("5;6;").
 */
static void
emit_list(const struct walker *w, const char *s, const char *end,
    const char *sep, bool strict, const char *why)
{
	for (int pass = strict ? 0 : 1; pass < 2; pass++) {
		const char *p = s;
		size_t count = 0;

		while (p < end) {
			const char *e = p;
			long long v;
			bool ok;

			while (e < end) {
				const char *q = sep;

				while (*q != '\0' && *q != *e)
					q++;
				if (*q != '\0')
					break;
				e++;
			}
			ok = parse_num(p, e, &v);
			if (!ok && strict)
				return;		/* junk, or an empty element */
			if (ok && pass == 1)
				emit(w, v, v, why);
			count += ok;
			p = e < end ? e + 1 : end;
		}
		if (count == 0)
			return;
	}
}

/*
 * /dev/fd/N and the /proc forms anywhere in a token, each not preceded by a
 * name character (so /x/dev/fd/3 is some other path) nor followed by one
 * (/dev/fd/3.txt is not fd 3).
 */
static void
scan_paths(const struct walker *w, const char *tok)
{
	size_t n = str_len(tok);

	for (size_t i = 0; i < n; i++) {
		const char *p = tok + i, *d, *e;
		size_t k, rest = n - i;
		long long v;

		if (*p != '/' || (i > 0 && is_name_char(tok[i - 1])))
			continue;
		if (has_prefix(p, rest, "/dev/fd/", &k) ||
		    has_prefix(p, rest, "/proc/self/fd/", &k) ||
		    has_prefix(p, rest, "/proc/thread-self/fd/", &k)) {
			d = p + k;
		} else if (has_prefix(p, rest, "/proc/", &k)) {
			const char *q = p + k;

			while (q < tok + n && is_digit(*q))
				q++;
			if (w->self <= 0 || !parse_num(p + k, q, &v) ||
			    v != w->self ||
			    !has_prefix(q, (size_t)(tok + n - q), "/fd/", &k))
				continue;
			d = q + k;
		} else {
			continue;
		}
		for (e = d; e < tok + n && is_digit(*e); e++)
			;
		if (e < tok + n && is_name_char(*e))
			continue;
		if (parse_num(d, e, &v))
			emit(w, v, v, tok);
	}
}

/*
 * An option token: `--NAME=VALUE` or `-NAME=VALUE`, or `--NAME` with the
 * value in NEXT (which may be NULL).
 */
static void
scan_option(const struct walker *w, const char *tok, const char *next)
{
	const char *name = tok + 1, *eq, *end;
	size_t len;

	if (*name == '-')
		name++;
	for (eq = name; *eq != '\0' && *eq != '='; eq++)
		;
	len = (size_t)(eq - name);
	if (len == 0)
		return;
	if (equals(name, len, "jobserver-auth") ||
	    equals(name, len, "jobserver-fds")) {
		if (*eq == '=')
			emit_list(w, eq + 1, eq + 1 + str_len(eq + 1), ",",
			    true, tok);
		return;
	}
	if (!has_suffix(name, len, "fd") && !has_suffix(name, len, "fds") &&
	    !equals(name, len, "print-address") &&
	    !equals(name, len, "print-pid"))
		return;
	if (*eq == '=') {
		end = eq + 1 + str_len(eq + 1);
		emit_list(w, eq + 1, end, ",", true, tok);
	} else if (next != NULL) {
		emit_list(w, next, next + str_len(next), ",", true, tok);
	}
}

static void
scan_argv(const struct walker *w, char *const argv[])
{
	for (size_t i = 0; argv[i] != NULL; i++) {
		const char *tok = argv[i];
		size_t n = str_len(tok);
		long long v;

		scan_paths(w, tok);
		if (i == 0)
			continue;
		if (tok[0] == '-')
			scan_option(w, tok, argv[i + 1]);
		else if (n > 3 && (tok[0] == 'f' || tok[0] == 'F') &&
		    (tok[1] == 'd' || tok[1] == 'D') && tok[2] == ':' &&
		    parse_num(tok + 3, tok + n, &v))
			emit(w, v, v, tok);
	}
}

/* The length of the variable's name (up to '='), or 0 without one. */
static size_t
var_name_len(const char *var)
{
	size_t n = 0;

	while (var[n] != '\0' && var[n] != '=')
		n++;
	return var[n] == '=' ? n : 0;
}

/* Whether envp[i] is the first definition of its name (getenv's). */
static bool
first_def(char *const envp[], size_t i, size_t len)
{
	for (size_t j = 0; j < i; j++) {
		const char *a = envp[j], *b = envp[i];
		size_t k = 0;

		while (k < len && a[k] == b[k])
			k++;
		if (k == len && a[k] == '=')
			return false;
	}
	return true;
}

/* The value of NAME's first definition, or NULL. */
static const char *
env_get(char *const envp[], const char *name)
{
	for (size_t i = 0; envp[i] != NULL; i++) {
		size_t len = var_name_len(envp[i]);

		if (len > 0 && equals(envp[i], len, name))
			return envp[i] + len + 1;
	}
	return NULL;
}

/* --jobserver-auth=R,W inside MAKEFLAGS: words separated by spaces. */
static void
scan_makeflags(const struct walker *w, const char *val, const char *why)
{
	const char *p = val;

	while (*p != '\0') {
		const char *e = p;
		size_t k;

		while (*e != '\0' && *e != ' ')
			e++;
		if (has_prefix(p, (size_t)(e - p), "--jobserver-auth=", &k) ||
		    has_prefix(p, (size_t)(e - p), "--jobserver-fds=", &k))
			emit_list(w, p + k, e, ",", true, why);
		p = *e == ' ' ? e + 1 : e;
	}
}

static void
scan_listen(const struct walker *w, char *const envp[], const char *val,
    const char *why)
{
	const char *pid = env_get(envp, "LISTEN_PID");
	long long n, p;

	if (w->self <= 0 || pid == NULL ||
	    !parse_num(pid, pid + str_len(pid), &p) || p != w->self)
		return;
	if (!parse_num(val, val + str_len(val), &n) || n == 0 ||
	    n > (long long)INT_MAX - 2)
		return;
	emit(w, 3, 2 + n, why);
}

/* Whether the name [var, var+len) ends with the NUL-terminated suffix of
 * length k (given, so that the common miss costs a byte compare). */
static bool
ends(const char *var, size_t len, const char *suffix, size_t k)
{
	return len >= k && var[len - 1] == suffix[k - 1] &&
	    has_suffix(var, len, suffix);
}

static void
scan_var(const struct walker *w, char *const envp[], size_t i)
{
	const char *var = envp[i], *val;
	size_t len = var_name_len(var);
	long long v;
	enum { NONE, LISTEN, NGINX, MAKE, ONE, TRACE } kind = NONE;

	if (len == 0)
		return;
	/* Most variables name nothing: out after a byte or two. */
	switch (var[len - 1]) {
	case 'S':
		if (equals(var, len, "LISTEN_FDS"))
			kind = LISTEN;
		else if (ends(var, len, "MAKEFLAGS", 9) ||
		    equals(var, len, "MFLAGS"))
			kind = MAKE;
		break;
	case 'X':
		if (equals(var, len, "NGINX"))
			kind = NGINX;
		break;
	case 'D':
		if (ends(var, len, "FD", 2))
			kind = ONE;
		break;
	case 'E':
		if (ends(var, len, "PIPE", 4))
			kind = ONE;
		break;
	case 'T':
		if (ends(var, len, "SOCKET", 6))
			kind = ONE;
		break;
	default:
		break;
	}
	if (kind == NONE && var[0] == 'G' &&
	    has_prefix(var, len, "GIT_TRACE", NULL))
		kind = TRACE;
	if (kind == NONE || !first_def(envp, i, len))
		return;
	val = var + len + 1;
	switch (kind) {
	case LISTEN:
		scan_listen(w, envp, val, var);
		break;
	case NGINX:
		emit_list(w, val, val + str_len(val), ";:", false, var);
		break;
	case MAKE:
		scan_makeflags(w, val, var);
		break;
	case ONE:
		if (parse_num(val, val + str_len(val), &v))
			emit(w, v, v, var);
		break;
	case TRACE:
		if (parse_num(val, val + str_len(val), &v) && v >= 3 && v <= 9)
			emit(w, v, v, var);
		break;
	default:
		break;
	}
}

static void
walk(const struct walker *w, char *const argv[], char *const envp[])
{
	if (argv != NULL)
		scan_argv(w, argv);
	if (envp != NULL)
		for (size_t i = 0; envp[i] != NULL; i++)
			scan_var(w, envp, i);
}

/*
 * The sources of one walk, kept (on the caller's stack) so that the
 * extraction below walks them again instead of argv and envp: one pass
 * over the strings in the common case.  More than CACHE_MAX sources:
 * the extraction walks the strings each time.
 */
#define CACHE_MAX 32

struct source {
	long long lo, hi;
	const char *why;
};

struct cache {
	size_t n;
	bool full;
	struct source s[CACHE_MAX];
};

static void
visit_cache(void *ctx, long long lo, long long hi, const char *why)
{
	struct cache *c = ctx;

	if (c->n < CACHE_MAX) {
		c->s[c->n].lo = lo;
		c->s[c->n].hi = hi;
		c->s[c->n].why = why;
		c->n++;
	} else {
		c->full = true;
	}
}

static void
rewalk(const struct walker *w, const struct cache *c, char *const argv[],
    char *const envp[])
{
	if (c->full) {
		walk(w, argv, envp);
		return;
	}
	for (size_t i = 0; i < c->n; i++)
		w->fn(w->ctx, c->s[i].lo, c->s[i].hi, c->s[i].why);
}

/* ------------------------------------------------------------------ */
/* the distinct fds, in order                                          */
/* ------------------------------------------------------------------ */

/* The smallest fd above cur, and the first source naming it. */
struct next_above {
	long long cur, best;
	const char *why;
};

static void
visit_next(void *ctx, long long lo, long long hi, const char *why)
{
	struct next_above *x = ctx;
	long long v = lo > x->cur ? lo : hi > x->cur ? x->cur + 1 : -1;

	if (v >= 0 && (x->best < 0 || v < x->best)) {
		x->best = v;
		x->why = why;
	}
}

/* Grows a run of named fds ending at end. */
struct run {
	long long end;
	bool grew;
};

static void
visit_run(void *ctx, long long lo, long long hi, const char *why)
{
	struct run *r = ctx;

	(void)why;
	if (lo <= r->end + 1 && hi > r->end) {
		r->end = hi;
		r->grew = true;
	}
}

size_t
fdnames_scan(char *const argv[], char *const envp[], long self,
    struct fdname *out, size_t max)
{
	long long cur = 2;
	size_t n = 0;
	struct cache c = { 0, false, { { 0, 0, NULL } } };
	struct walker cw = { visit_cache, &c, self };

	walk(&cw, argv, envp);
	if (c.n == 0 && !c.full)
		return 0;
	for (;;) {
		struct next_above x = { cur, -1, NULL };
		struct walker w = { visit_next, &x, self };
		struct run r;

		rewalk(&w, &c, argv, envp);
		if (x.best < 0)
			return n;
		if (n < max) {
			out[n].fd = (int)x.best;
			out[n].why = x.why;
			n++;
			cur = x.best;
			continue;
		}
		r.end = x.best;
		w.fn = visit_run;
		w.ctx = &r;
		do {
			r.grew = false;
			rewalk(&w, &c, argv, envp);
		} while (r.grew);
		n += (size_t)(r.end - x.best + 1);
		cur = r.end;
	}
}
