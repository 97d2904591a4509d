/*
 * trace_find.c - from records to findings (preload/FORMAT.md, "The tool
 * pairs...").
 *
 * Every descriptor in a start record (beyond 0-2) crossed an exec into
 * that process.  It is paired with the latest exec record, logged before
 * it by the same pid (an exec in place) or by the parent (posix_spawn,
 * system, popen), that lists the same descriptor: same number and dev/ino,
 * else the same dev/ino under another number (a file action, or a move
 * no hook saw: the descriptor is then "moved", and what made the other
 * number inheritable does not class this one).  That
 * record tells who passed it on and, when the shim saw it being made, how
 * and where.  When it does not (the passer had itself received it), the
 * passer's own start record is looked up and the same question asked
 * there, back to where the descriptor was made: a file opened by make and
 * passed through sh to cc is one finding, made by make's open().  A passer
 * forked from a process that never logged (a shell's subshell) has no
 * start record of its own: the nearest start record holding the same file
 * stands in.  What leads back to CMD's own start record was handed to
 * CMD by trace's caller (--pass-fd, --map-fd): its crossing into CMD was
 * asked for and is not reported, but where CMD or its children pass it
 * on, each crossing is, of unknown origin, and passed on purpose as a
 * shell's redirection is (classify).
 *
 * Findings are grouped by (made_by, first frame's object and offset, kind
 * of descriptor, target): one leaky call site reached by 100 children is
 * one finding with 100 receipts, but two files opened there are two
 * findings, each named.  The target is the path for what has one, the
 * address for a socket the shim or /proc/net described; a pipe or other
 * anonymous object has no name but its inode, and groups by call site.
 * Descriptors of unknown origin are grouped by kind and dev/ino instead
 * (the same open file passed around).
 *
 * Start records may be the observer's (trec.kernel, trace_ptrace.c): then
 * every program is there, shim or not, with the program its pid ran
 * before (from_exe) and why that one had no shim (from_noshim), which a
 * receipt of unknown origin reports.  Each receipt is classed (classify):
 * passed on purpose or leaked; trace_allow turns leaks into allowed ones.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trace.h"

#define MAX_CHAIN 256	/* start -> exec -> start ... links followed */
#define MAX_FORKS 8	/* fork generations climbed to find a start */
#define NONE ((size_t)-1)

/* ------------------------------------------------------------------ */
/* pid -> the records it wrote, in log order                           */
/* ------------------------------------------------------------------ */

struct plist {
	long pid;
	size_t *ix;
	size_t n, cap;
};

struct pidmap {
	struct plist *slot;	/* open addressing; pid 0 marks a free slot */
	size_t cap;		/* a power of two */
};

static struct plist *
pm_find(const struct pidmap *m, long pid)
{
	size_t i = ((unsigned long)pid * 2654435761u) & (m->cap - 1);

	while (m->slot[i].pid != 0 && m->slot[i].pid != pid)
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

static int
pm_build(struct pidmap *m, const struct tlog *l)
{
	size_t i;
	struct plist *p;

	m->cap = 64;
	while (m->cap < l->n * 2)
		m->cap *= 2;
	m->slot = calloc(m->cap, sizeof *m->slot);
	if (m->slot == NULL)
		return -1;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].pid <= 0)
			continue;
		p = pm_find(m, l->v[i].pid);
		p->pid = l->v[i].pid;
		if (p->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 4;
			size_t *ix = realloc(p->ix, cap * sizeof *ix);

			if (ix == NULL)
				return -1;
			p->ix = ix;
			p->cap = cap;
		}
		p->ix[p->n++] = i;
	}
	return 0;
}

static void
pm_free(struct pidmap *m)
{
	size_t i;

	for (i = 0; m->slot != NULL && i < m->cap; i++)
		free(m->slot[i].ix);
	free(m->slot);
}

/* ------------------------------------------------------------------ */
/* Resolution                                                          */
/* ------------------------------------------------------------------ */

/* What became of one descriptor of one start record. */
struct res {
	unsigned char state;		/* 0 not yet, 1 busy, 2 done */
	bool from_root;			/* CMD received it from the caller */
	bool moved;			/* it changed number on the way, where
					 * nothing logged the change */
	size_t by;			/* the exec record, or NONE */
	struct origin *origin;		/* NULL: unknown */
	size_t origin_at;		/* the exec record that logged it */
	const struct tfd *entry;	/* by's entry for the descriptor */
};

struct ctx {
	const struct tlog *l;
	struct pidmap pm;
	size_t root_start;		/* NONE if CMD never logged */
	size_t *memo_at;		/* start record -> first res */
	struct res *memo;
};

static bool
same_file(const struct tfd *a, const struct tfd *b)
{
	return (a->dev != 0 || a->ino != 0) && a->dev == b->dev &&
	    a->ino == b->ino;
}

/* The entry of r for f: same number and file, else same file. */
static const struct tfd *
match(const struct trec *r, const struct tfd *f)
{
	const struct tfd *loose = NULL;
	size_t k;

	for (k = 0; k < r->nfds; k++) {
		const struct tfd *e = &r->fds[k];

		if (e->fd == f->fd && (same_file(e, f) ||
		    (e->dev == 0 && e->ino == 0 && f->dev == 0 && f->ino == 0)))
			return e;
		if (loose == NULL && same_file(e, f))
			loose = e;
	}
	return loose;
}

/*
 * The latest record of pid before index `before` of type ev (or any type
 * when any), or NONE.
 */
static size_t
latest(const struct ctx *c, long pid, size_t before, bool any, enum ev ev)
{
	const struct plist *p;
	size_t k;

	if (pid <= 0)
		return NONE;
	p = pm_find(&c->pm, pid);
	for (k = p->n; k-- > 0;) {
		size_t i = p->ix[k];

		if (i < before && (any || c->l->v[i].ev == ev))
			return i;
	}
	return NONE;
}

/*
 * The start record holding what pid had at index `before`: its own, or,
 * for a forked child that never exec'd, its parent's (ppid as logged by
 * the child's latest record, or the hint), up to MAX_FORKS generations.
 */
static size_t
start_of(const struct ctx *c, long pid, long ppid_hint, size_t before)
{
	size_t i, any;
	int gen;

	for (gen = 0; gen < MAX_FORKS && pid > 0; gen++) {
		i = latest(c, pid, before, false, EV_START);
		if (i != NONE)
			return i;
		any = latest(c, pid, before + 1, true, EV_START);
		pid = any != NONE ? c->l->v[any].ppid : ppid_hint;
		ppid_hint = -1;
	}
	return NONE;
}

/*
 * The latest exec record of pid before index `before` that lists f: with
 * the same number if any, else the latest that has the same file under
 * another number.  NONE if none; stop, if not NONE, bounds the search
 * from below.
 */
static size_t
exec_listing(const struct ctx *c, long pid, size_t stop, size_t before,
    const struct tfd *f, const struct tfd **entry)
{
	const struct plist *p;
	const struct tfd *e;
	size_t k, i, loose = NONE;

	*entry = NULL;
	if (pid <= 0)
		return NONE;
	p = pm_find(&c->pm, pid);
	for (k = p->n; k-- > 0;) {
		i = p->ix[k];
		if (i >= before || c->l->v[i].ev != EV_EXEC)
			continue;
		if (stop != NONE && i <= stop)
			break;
		e = match(&c->l->v[i], f);
		if (e == NULL)
			continue;
		if (e->fd == f->fd) {
			*entry = e;
			return i;
		}
		if (loose == NONE) {
			loose = i;
			*entry = e;
		}
	}
	return loose;
}

/*
 * The exec record that passed f into the start record at index i, and
 * its entry.  An exec in place, by the same pid since its previous start,
 * comes first: a new program in an old pid came from its execve.  Else
 * the parent's (posix_spawn, system and popen make the child's exec
 * inside libc, logged by the caller).
 */
static size_t
passer(const struct ctx *c, size_t i, const struct tfd *f,
    const struct tfd **entry)
{
	const struct trec *s = &c->l->v[i];
	size_t by;

	by = exec_listing(c, s->pid, latest(c, s->pid, i, false, EV_START),
	    i, f, entry);
	if (by == NONE && s->ppid > 0 && s->ppid != s->pid)
		by = exec_listing(c, s->ppid, NONE, i, f, entry);
	return by;
}

static struct res resolve(struct ctx *c, size_t i, size_t k, int depth);

/*
 * When the process that passed f on cannot be traced to a start record
 * (it was forked from a process that never logged, such as a shell's
 * subshell), the nearest start record before index `before` that holds
 * the same file stands in: the same pipe or socket inode is the same
 * object, made once.
 */
static size_t
start_holding(const struct ctx *c, const struct tfd *f, size_t before)
{
	const struct trec *s;
	size_t i, k;

	if (f->dev == 0 && f->ino == 0)
		return NONE;
	for (i = before; i-- > 0;) {
		s = &c->l->v[i];
		if (s->ev != EV_START)
			continue;
		for (k = 0; k < s->nfds; k++)
			if (same_file(&s->fds[k], f))
				return i;
	}
	return NONE;
}

/*
 * What the process whose start record is at index si had as file f: the
 * same file under f's number, else under another (then moved: what
 * explained that number does not explain f's).  A pipe or socket inode
 * is one object, made once, so a moved one keeps its maker; a file under
 * another number may have been opened again (a static program's open(),
 * no hook sees), and its maker is then not known.
 */
static struct res
resolve_in(struct ctx *c, size_t si, const struct tfd *f, int depth)
{
	struct res none = { 2, false, false, NONE, NULL, NONE, NULL }, r;
	const struct trec *s;
	size_t k;

	if (si == NONE || depth >= MAX_CHAIN)
		return none;
	s = &c->l->v[si];
	for (k = 0; k < s->nfds; k++)
		if (s->fds[k].fd == f->fd && same_file(&s->fds[k], f))
			return resolve(c, si, k, depth + 1);
	for (k = 0; k < s->nfds; k++)
		if (same_file(&s->fds[k], f)) {
			r = resolve(c, si, k, depth + 1);
			r.moved = true;
			if (f->what[0] == '/') {
				r.origin = NULL;
				r.origin_at = NONE;
			}
			return r;
		}
	return none;
}

static struct res
resolve(struct ctx *c, size_t i, size_t k, int depth)
{
	struct res *m = &c->memo[c->memo_at[i] + k], r = { 2, false, false,
	    NONE, NULL, NONE, NULL };
	const struct trec *s = &c->l->v[i], *e;
	const struct tfd *f = &s->fds[k], *entry = NULL;
	struct res up;

	if (m->state == 2)
		return *m;
	if (m->state == 1)
		return r;	/* cannot happen: links go back in the log */
	m->state = 1;
	if (i == c->root_start) {
		r.from_root = true;
	} else if ((r.by = passer(c, i, f, &entry)) != NONE) {
		e = &c->l->v[r.by];
		r.entry = entry;
		if (entry->origin != NULL) {
			r.origin = entry->origin;
			r.origin_at = r.by;
		} else {
			/* The passer had received it: ask its start. */
			size_t si = start_of(c, e->pid, e->ppid, r.by);

			if (si == NONE)
				si = start_holding(c, entry, r.by);
			up = resolve_in(c, si, entry, depth);
			r.origin = up.origin;
			r.origin_at = up.origin_at;
			r.from_root = up.from_root;
			r.moved = up.moved;
		}
		/* Listed under another number: a spawn's file action
		 * (classify), else a move no hook saw. */
		if (entry->fd != f->fd)
			r.moved = true;
	} else {
		/* No exec logged it (an unhooked path, or a passer outside
		 * the shim): the same pid's earlier program, else the
		 * parent, may have received it. */
		size_t si = start_of(c, s->pid, -1, i);

		up = resolve_in(c, si, f, depth);
		if (up.origin == NULL && !up.from_root) {
			si = start_of(c, s->ppid, -1, i);
			if (si == NONE)
				si = start_holding(c, f, i);
			up = resolve_in(c, si, f, depth);
		}
		r.origin = up.origin;
		r.origin_at = up.origin_at;
		r.from_root = up.from_root;
		r.moved = up.moved;
	}
	*m = r;
	return r;
}

/* ------------------------------------------------------------------ */
/* Grouping                                                            */
/* ------------------------------------------------------------------ */

static enum pi_kind
kind_of(const struct tfd *f)
{
	struct stat st;
	mode_t mode = 0;

	if (f->sock != NULL)
		return PI_SOCKET;
	/* The file may be gone, or another by now: trust only the same. */
	if (f->what[0] == '/' && stat(f->what, &st) == 0 &&
	    (unsigned long long)st.st_dev == f->dev &&
	    (unsigned long long)st.st_ino == f->ino)
		mode = st.st_mode;
	return pi_kind_from_link(f->what, mode);
}

static bool
same_site(const struct origin *a, const struct origin *b)
{
	if (strcmp(a->made_by, b->made_by) != 0 ||
	    (a->nbt == 0) != (b->nbt == 0))
		return false;
	return a->nbt == 0 || (a->bt[0].off == b->bt[0].off &&
	    strcmp(a->bt[0].obj, b->bt[0].obj) == 0);
}

/* Whether f, described as sock (or NULL), is g's target (see above). */
static bool
same_target(const struct finding *g, const struct tfd *f, const char *sock)
{
	if (f->what[0] == '/' || g->sample->what[0] == '/')
		return strcmp(f->what, g->sample->what) == 0;
	return sock == NULL || g->sock == NULL || strcmp(sock, g->sock) == 0;
}

static struct finding *
finding_for(struct analysis *a, struct origin *o, enum pi_kind kind,
    const struct tfd *f, const char *sock)
{
	struct finding *g;
	size_t i;

	for (i = 0; i < a->n; i++) {
		g = &a->f[i];
		if (g->kind != kind || (g->origin == NULL) != (o == NULL))
			continue;
		if (o != NULL ? same_site(g->origin, o) &&
		    same_target(g, f, sock) : same_file(g->sample, f))
			return g;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct finding *v = realloc(a->f, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		a->f = v;
		a->cap = cap;
	}
	g = &a->f[a->n++];
	memset(g, 0, sizeof *g);
	g->origin = o;		/* the log's: symbols go into it */
	g->kind = kind;
	g->sample = f;
	return g;
}

/* The shells, whose descriptors are their redirections (as enforce's
 * default NOINHERIT_EXEMPT). */
static bool
is_shell(const char *exe)
{
	static const char *const shells[] = { "sh", "bash", "dash", "zsh",
	    "ksh", "mksh", "busybox" };
	const char *b;
	size_t i;

	if (exe == NULL)
		return false;
	b = strrchr(exe, '/');
	b = b != NULL ? b + 1 : exe;
	for (i = 0; i < sizeof shells / sizeof shells[0]; i++)
		if (strcmp(b, shells[i]) == 0)
			return true;
	return false;
}

/*
 * Whether a descriptor that exe made was a shell's redirection: exe is a
 * shell, and busybox only when it ran as one (each applet is busybox:
 * `busybox tar` opens its archive, no redirection).  Its argv[0], or the
 * applet named after "busybox", from the start record of the process
 * that logged the origin (at index at); not known: not a shell.
 */
static bool
made_by_shell(const struct ctx *c, size_t at, const char *exe)
{
	static const char *const sh[] = { "sh", "ash", "hush", "bash" };
	const struct trec *s;
	const char *applet;
	size_t si, i;

	if (!is_shell(exe))
		return false;
	if (strcmp(trace_base(exe), "busybox") != 0)
		return true;
	if (at == NONE)
		return false;
	si = start_of(c, c->l->v[at].pid, -1, at + 1);
	if (si == NONE || (s = &c->l->v[si])->argc == 0)
		return false;
	applet = trace_base(s->argv[0]);
	if (strcmp(applet, "busybox") == 0)
		applet = s->argc > 1 ? s->argv[1] : "";
	for (i = 0; i < sizeof sh / sizeof sh[0]; i++)
		if (strcmp(applet, sh[i]) == 0)
			return true;
	return false;
}

/* A reason in the analysis' memory: "prefix" + detail. */
static const char *
reason(struct analysis *a, const char *prefix, const char *detail)
{
	size_t n = strlen(prefix) + (detail ? strlen(detail) : 0) + 1;
	char *p = jarena_alloc(&a->mem, n);

	if (p == NULL)
		return prefix;
	snprintf(p, n, "%s%s", prefix, detail ? detail : "");
	return p;
}

/*
 * Passed on purpose or leaked (issue 11, point 3): on purpose when the
 * program named the number to the receiver (argv, environment), or made
 * the descriptor inheritable explicitly -- dup2/dup3 onto that number,
 * F_SETFD or FIONCLEX clearing the flag, a posix_spawn file action, a
 * shell's redirection; leaked when it was born inheritable and never
 * named.
 *
 * Each of those acts on one number.  A descriptor found by its file
 * under another number (r->moved: a raw dup, a static program's, no hook
 * saw) is another descriptor: what made that number inheritable says
 * nothing of this one, so only a name or a file action can excuse it.
 */
static void
classify(struct ctx *c, struct analysis *a, size_t i, const struct res *r,
    const char *origin_exe, struct receipt *rc)
{
	const struct trec *s = &c->l->v[i];
	const struct tfd *f = rc->fd, *e = r->entry;
	const struct origin *direct = e != NULL ? e->origin : NULL;
	const struct origin *o = r->origin;
	char num[48];
	size_t sp;

	rc->cls = TC_PASSED;
	if (f->named != NULL) {
		rc->why = reason(a, "named to the program: ", f->named);
		return;
	}
	if (r->moved) {
		direct = NULL;
		o = NULL;
	}
	/* Given to CMD on request: as a shell's redirection, it was meant
	 * for CMD and what CMD starts. */
	if (r->from_root && !r->moved) {
		rc->why = "given to CMD by trace's caller (--pass-fd, "
		    "--map-fd), then passed on";
		return;
	}
	if (direct != NULL && direct->inh_by != NULL) {
		rc->why = reason(a, "made inheritable with ", direct->inh_by);
		return;
	}
	if (direct != NULL && (strcmp(direct->made_by, "dup2") == 0 ||
	    strcmp(direct->made_by, "dup3") == 0)) {
		snprintf(num, sizeof num, "() onto fd %d", e->fd);
		rc->why = reason(a, direct->made_by, num);
		return;
	}
	if (o != NULL && o->inh_by != NULL) {
		rc->why = reason(a, "made inheritable with ", o->inh_by);
		return;
	}
	if (o != NULL && (strcmp(o->made_by, "dup2") == 0 ||
	    strcmp(o->made_by, "dup3") == 0)) {
		rc->why = reason(a, o->made_by, "() onto its number, then "
		    "passed on");
		return;
	}
	/* A spawn's file action put it there: the spawning call's record
	 * does not list it under this number.  Under ptrace, only in a
	 * process the observer saw made by that spawn: a fork's child, or a
	 * vfork's that logged none, execs on its own (through a raw execve
	 * no hook sees), whatever its parent spawned before. */
	sp = latest(c, s->ppid, i, false, EV_EXEC);
	if ((e == NULL || e->fd != f->fd) && sp != NONE && !f->in_parent &&
	    trace_is_spawn(c->l->v[sp].call) && (!s->kernel || s->spawned) &&
	    latest(c, s->pid, i, false, EV_START) == NONE) {
		rc->why = reason(a, "placed by a file action of ",
		    c->l->v[sp].call);
		return;
	}
	/* A redirection (`exec 3<file`, `3>&1`) is an open, a dup or a
	 * fcntl(F_DUPFD); a pipe or socket a shell made is not one. */
	if (o != NULL && made_by_shell(c, r->origin_at, origin_exe) &&
	    (strncmp(o->made_by, "open", 4) == 0 ||
	    strncmp(o->made_by, "__open", 6) == 0 ||
	    strncmp(o->made_by, "dup", 3) == 0 ||
	    strncmp(o->made_by, "fcntl", 5) == 0)) {
		rc->why = reason(a, "a redirection of the shell ", origin_exe);
		return;
	}
	rc->cls = TC_LEAKED;
	rc->why = NULL;
}

/* Origin unknown: why, from what the observer knows of the passer. */
static const char *
unknown_why(struct analysis *a, const struct trec *s, const struct res *r)
{
	if (r->origin != NULL)
		return NULL;
	if (r->from_root)
		return "the caller of noinherit trace gave it to CMD "
		    "(--pass-fd, --map-fd)";
	if (s->kernel && s->from_noshim != NULL)
		return reason(a, "the program that passed it on had no shim: ",
		    s->from_noshim);
	if (r->by == NONE && s->kernel)
		return "the program that passed it on logged no exec (it "
		    "execs through a path the shim does not hook, or its "
		    "records could not reach the tool)";
	return "made before the shim was loaded, or by a call it does not "
	    "hook";
}

static int
add_receipt(struct ctx *c, struct analysis *a, size_t i, size_t k,
    const struct res *r)
{
	const struct tfd *f = &c->l->v[i].fds[k];
	const struct trec *s = &c->l->v[i];
	const char *sock = f->sock ? f->sock : r->entry ? r->entry->sock : NULL;
	struct finding *g = finding_for(a, r->origin, kind_of(f), f, sock);
	struct receipt *rc;
	const char *oexe = NULL;
	size_t pi;

	if (g == NULL)
		return -1;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4;
		struct receipt *v = realloc(g->r, cap * sizeof *v);

		if (v == NULL)
			return -1;
		g->r = v;
		g->cap = cap;
	}
	rc = &g->r[g->n];
	memset(rc, 0, sizeof *rc);
	rc->to = s;
	rc->fd = f;
	rc->by = r->by != NONE ? &c->l->v[r->by] : NULL;
	rc->by_fd = r->entry;
	if (rc->by != NULL) {
		rc->from_pid = rc->by->pid;
		rc->from_exe = rc->by->exe;
	} else {
		/* The kernel's view: what this pid ran before its exec. */
		rc->from_pid = s->kernel ? s->pid : s->ppid;
		rc->from_exe = s->kernel ? s->from_exe : NULL;
	}
	g->n++;
	if (g->sock == NULL) {
		g->sock = sock;
		g->listening = g->sock != NULL &&
		    strstr(g->sock, "LISTEN") != NULL;
	}
	if (r->origin != NULL && r->origin->made_pid > 0) {
		/*
		 * The origin table survives fork but not exec, so whoever
		 * logged the origin runs the maker's program, even when the
		 * maker forked and never exec'd (it then logged nothing).
		 */
		oexe = c->l->v[r->origin_at].exe;
		if (strcmp(oexe, "?") == 0) {
			pi = start_of(c, r->origin->made_pid, -1,
			    r->origin_at + 1);
			oexe = pi != NONE ? c->l->v[pi].exe : NULL;
		}
	}
	if (g->origin_exe == NULL)
		g->origin_exe = oexe;
	classify(c, a, i, r, oexe, rc);
	rc->unknown_why = unknown_why(a, s, r);
	if (rc->cls == TC_LEAKED) {
		g->leaked++;
		a->leaked++;
	} else {
		a->passed++;
	}
	a->receipts++;
	return 0;
}

void
trace_allow(struct analysis *a, char *const *pats, size_t n)
{
	struct receipt *rc;
	const char *exe, *b, *what;
	size_t i, k, p;

	for (i = 0; i < a->n; i++) {
		for (k = 0; k < a->f[i].n; k++) {
			rc = &a->f[i].r[k];
			if (rc->cls != TC_LEAKED)
				continue;
			exe = rc->to->exe;
			b = strrchr(exe, '/');
			b = b != NULL ? b + 1 : exe;
			what = a->f[i].sock ? a->f[i].sock : rc->fd->what;
			for (p = 0; p < n; p++) {
				if (fnmatch(pats[p], exe, 0) == 0 ||
				    fnmatch(pats[p], b, 0) == 0 ||
				    fnmatch(pats[p], rc->fd->what, 0) == 0 ||
				    fnmatch(pats[p], what, 0) == 0)
					break;
			}
			if (p == n)
				continue;
			rc->cls = TC_ALLOWED;
			rc->why = reason(a, "--allow ", pats[p]);
			a->f[i].leaked--;
			a->leaked--;
			a->allowed++;
		}
	}
}

const char *
trace_class_name(enum tclass c)
{
	switch (c) {
	case TC_PASSED:
		return "passed";
	case TC_ALLOWED:
		return "allowed";
	default:
		return "leaked";
	}
}

/* exec-family records after which their pid never logged again. */
static void
count_unreached(const struct ctx *c, struct analysis *a)
{
	const struct trec *e;
	size_t i;

	for (i = 0; i < c->l->n; i++) {
		e = &c->l->v[i];
		if (e->ev != EV_EXEC || e->nfds == 0 ||
		    (strncmp(e->call, "exec", 4) != 0 &&
		    strcmp(e->call, "fexecve") != 0))
			continue;
		if (latest(c, e->pid, c->l->n, true, EV_START) != i)
			continue;
		if (a->unreached++ == 0)
			a->unreached_target = e->target ? e->target : e->exe;
	}
}

static int
setup(struct ctx *c, const struct tlog *l, long root, struct analysis *a)
{
	size_t i, total = 0;

	memset(c, 0, sizeof *c);
	c->l = l;
	c->root_start = NONE;
	if (pm_build(&c->pm, l) != 0)
		return -1;
	c->memo_at = malloc((l->n + 1) * sizeof *c->memo_at);
	if (c->memo_at == NULL)
		return -1;
	for (i = 0; i < l->n; i++) {
		c->memo_at[i] = total;
		total += l->v[i].nfds;
		if (l->v[i].ev != EV_START)
			continue;
		a->programs++;
		if (l->v[i].pid == root && c->root_start == NONE)
			c->root_start = i;
	}
	c->memo = calloc(total + 1, sizeof *c->memo);
	if (c->memo == NULL)
		return -1;
	a->root_seen = c->root_start != NONE;
	return 0;
}

int
trace_analyze(const struct tlog *l, long root, struct analysis *a)
{
	struct ctx c;
	struct res r;
	size_t i, k;
	int rc = -1;

	memset(a, 0, sizeof *a);
	if (setup(&c, l, root, a) != 0)
		goto out;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].ev != EV_START || i == c.root_start)
			continue;
		for (k = 0; k < l->v[i].nfds; k++) {
			if (l->v[i].fds[k].fd <= 2)
				continue;
			r = resolve(&c, i, k, 0);
			if (add_receipt(&c, a, i, k, &r) != 0)
				goto out;
		}
	}
	if (!l->kernel_starts)
		count_unreached(&c, a);
	rc = 0;
out:
	if (rc != 0)
		errno = ENOMEM;
	pm_free(&c.pm);
	free(c.memo_at);
	free(c.memo);
	return rc;
}

void
trace_analysis_free(struct analysis *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->f[i].r);
	free(a->f);
	jarena_free(&a->mem);
	memset(a, 0, sizeof *a);
}
