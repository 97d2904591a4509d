/*
 * audit.c - `noinherit audit`: the descriptors that would leak into a child.
 *
 *   noinherit audit [--std] [--inherited] [--json]
 *       the descriptors this command itself inherited (its caller's leaks)
 *   noinherit audit -p PID... | --all [--std] [--inherited] [--json]
 *       every descriptor of those processes whose close-on-exec flag is clear
 *
 * Per process: one readdir of /proc/PID/fd, one read of fdinfo/N per fd
 * (the "flags:" line says O_CLOEXEC), and a readlink and a stat only for
 * the fds that would leak.  Everything under /proc/PID is opened relative
 * to a descriptor of that directory, which pins the process: if it exits
 * and its pid is reused mid-scan, the lookups fail instead of reading the
 * newcomer.  Socket tables are loaded once per network namespace.  The
 * records of a process go into arrays reused from one process to the next,
 * so the cost is linear in the number of fds, with no malloc per fd.
 *
 * Exit status: 2 if an argument is wrong or any process could not be read
 * (this wins over 1: an audit with holes is not a clean bill), else 1 if
 * anything would leak, else 0.  A process that exits during the scan is
 * reported and counts as clean: it leaks nothing any more.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/kcmp.h>
#endif

#include "commands.h"
#include "procinfo.h"

#define AUDIT "noinherit: audit: "

static const char perm_reason[] =
    "permission denied: run as the process's owner or root";
static const char perm_reason_root[] =
    "permission denied, even to root: the process has privileges this one "
    "lacks (capabilities, another user namespace)";
static const char listen_note[] =
    "a listening socket in a child lets the child accept the connections "
    "meant for this program, and keeps its address busy until the child "
    "exits, so the program cannot restart on it (PEP 446)";

struct opts {
	bool all, std, inherited, json;
	pid_t *pids;
	size_t npids, pidcap;
};

/* Outcome of one process, in increasing order of weight for the exit status. */
enum outcome { P_CLEAN, P_EXITED, P_LEAKS, P_GONE, P_DENIED, P_FAILED };

struct fdrec {
	int fd;
	enum pi_kind kind;
	bool listening, cloexec, deleted;
	signed char inherited;	/* 1, 0, or -1: not asked or not known */
	dev_t dev;
	ino_t ino;
	size_t target;		/* offset in scan.arena */
};

struct proc {
	pid_t pid, ppid;
	char state;
	bool has_comm, has_exe;
	char comm[64];
	char exe[PATH_MAX];
	enum outcome outcome;
	const char *error;	/* why it could not be read, or NULL */
	int piddir, fddir, infodir;
	int pidfd, ppidfd;	/* --inherited without kcmp */
};

/* Storage reused from one process to the next. */
struct scan {
	int *fds;
	size_t nfds, fdcap;
	struct fdrec *v;
	size_t n, cap;
	char *arena;
	size_t alen, acap;
	struct pent { dev_t dev; ino_t ino; int fd; } *par;
	size_t npar, parcap;
	const int *only;	/* self mode: the fds recorded at start */
	size_t nonly;
	bool self;
};

/* One socket table per network namespace. */
struct netns {
	dev_t dev;
	ino_t ino;
	unsigned long epoch;	/* the process scan it was loaded in */
	struct pi_socktab tab;
};
static unsigned long epoch;	/* counts the processes scanned */
static struct netns *netns_v;
static size_t netns_n, netns_cap;
/* How --inherited compares open file descriptions; falls back once. */
static enum { SAME_KCMP, SAME_PIDFD, SAME_NONE } same_method;
static bool same_refused;	/* said so once */

/* ------------------------------------------------------------------ */
/* Growable arrays and small readers                                   */
/* ------------------------------------------------------------------ */

static int
grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *nv;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	nv = realloc(*v, ncap * size);
	if (nv == NULL)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

static size_t
arena_add(struct scan *s, const char *str)
{
	size_t len = strlen(str) + 1, off = s->alen;

	if (grow((void **)&s->arena, &s->acap, s->alen + len, 1) < 0)
		return SIZE_MAX;
	memcpy(s->arena + off, str, len);
	s->alen += len;
	return off;
}

/* Reads a small /proc file relative to dirfd, NUL-terminated. */
static ssize_t
read_at(int dirfd, const char *name, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t r;
	int fd, e;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	while (len < cap - 1) {
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0) {
				e = errno;
				close(fd);
				errno = e;
				return -1;
			}
			break;
		}
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* A decimal number made of digits only, 0..INT_MAX; -1 otherwise. */
static long
parse_num(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return -1;
	}
	return v;
}

static bool
gone_errno(int e)
{
	return e == ENOENT || e == ESRCH;
}

/* ------------------------------------------------------------------ */
/* Escaping: JSON strings, and text safe for a terminal                */
/* ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len, i;
	unsigned lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;		/* overlong */
	else if (c == 0xed)
		hi = 0x9f;		/* surrogates */
	else if (c == 0xf0)
		lo = 0x90;		/* overlong */
	else if (c == 0xf4)
		hi = 0x8f;		/* past U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * A JSON string: quotes, backslash and control characters escaped; valid
 * UTF-8 copied; each byte that is not valid UTF-8 becomes U+FFFD, so the
 * output is always valid UTF-8 (RFC 8259).
 */
static void
json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), k;

	putchar('"');
	while (n > 0) {
		if (*s == '"' || *s == '\\') {
			printf("\\%c", *s);
		} else if (*s == '\n') {
			fputs("\\n", stdout);
		} else if (*s == '\t') {
			fputs("\\t", stdout);
		} else if (*s == '\r') {
			fputs("\\r", stdout);
		} else if (*s < 0x20 || *s == 0x7f) {
			printf("\\u%04x", *s);
		} else if ((k = utf8_len(s, n)) > 0) {
			fwrite(s, 1, k, stdout);
			s += k;
			n -= k;
			continue;
		} else {
			fputs("\\ufffd", stdout);
		}
		s++;
		n--;
	}
	putchar('"');
}

static void
json_str_or_null(bool has, const char *str)
{
	if (has)
		json_str(str);
	else
		fputs("null", stdout);
}

/* Text for a terminal: control bytes, backslash and bad UTF-8 as \xNN. */
static void
text_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), k;

	while (n > 0) {
		if (*s == '\\') {
			fputs("\\\\", stdout);
			k = 1;
		} else if (*s < 0x20 || *s == 0x7f ||
		    (k = utf8_len(s, n)) == 0) {
			printf("\\x%02x", *s);
			k = 1;
		} else {
			fwrite(s, 1, k, stdout);
		}
		s += k;
		n -= k;
	}
}

/* ------------------------------------------------------------------ */
/* The process: stat, exe, its directories                             */
/* ------------------------------------------------------------------ */

/*
 * "PID (COMM) S PPID ...": comm may hold spaces, parens, anything but a
 * NUL, and is at most 16 bytes, so it ends at the last ')'.
 */
static int
parse_stat(const char *buf, struct proc *p)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	size_t len;
	long v;
	char *end;

	if (open == NULL || close == NULL || close < open)
		return -1;
	len = (size_t)(close - open - 1);
	if (len >= sizeof p->comm)
		len = sizeof p->comm - 1;
	memcpy(p->comm, open + 1, len);
	p->comm[len] = '\0';
	p->has_comm = true;
	if (close[1] != ' ' || close[2] == '\0' || close[3] != ' ')
		return -1;
	p->state = close[2];
	errno = 0;
	v = strtol(close + 4, &end, 10);
	if (errno || end == close + 4 || v < 0 || v > INT_MAX)
		return -1;
	p->ppid = (pid_t)v;
	return 0;
}

static void
set_error(struct proc *p, int e)
{
	if (gone_errno(e)) {
		p->outcome = P_EXITED;
		p->error = "exited during the scan";
	} else if (e == EACCES || e == EPERM) {
		p->outcome = P_DENIED;
		p->error = geteuid() == 0 ? perm_reason_root : perm_reason;
	} else {
		p->outcome = P_FAILED;
		p->error = strerror(e);
	}
}

/* Opens /proc/PID and reads stat and exe.  0, or -1 with p->error set. */
static int
proc_open(struct proc *p)
{
	char path[32], buf[1024];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d", (int)p->pid);
	p->piddir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->piddir < 0) {
		set_error(p, errno);
		if (gone_errno(errno)) {
			p->outcome = P_GONE;
			p->error = "no such process";
		}
		return -1;
	}
	if (read_at(p->piddir, "stat", buf, sizeof buf) < 0) {
		set_error(p, errno);
		return -1;
	}
	if (parse_stat(buf, p) < 0) {
		p->outcome = P_FAILED;
		p->error = "unreadable /proc/PID/stat";
		return -1;
	}
	n = readlinkat(p->piddir, "exe", p->exe, sizeof p->exe - 1);
	if (n >= 0) {
		p->exe[n] = '\0';
		p->has_exe = true;
	}
	if (p->state == 'Z' || p->state == 'X') {
		/* Its descriptors are closed already: nothing to leak. */
		p->outcome = P_EXITED;
		p->error = "exited (a zombie, not yet reaped)";
		return -1;
	}
	return 0;
}

static void
proc_close(struct proc *p)
{
	if (p->infodir >= 0)
		close(p->infodir);
	if (p->fddir >= 0)
		close(p->fddir);
	if (p->piddir >= 0)
		close(p->piddir);
	if (p->pidfd >= 0)
		close(p->pidfd);
	if (p->ppidfd >= 0)
		close(p->ppidfd);
	p->piddir = p->fddir = p->infodir = p->pidfd = p->ppidfd = -1;
}

/* After the scan: did the process end meanwhile? */
static bool
proc_ended(struct proc *p)
{
	char buf[1024];
	struct proc tmp;

	if (read_at(p->piddir, "stat", buf, sizeof buf) < 0)
		return gone_errno(errno);
	memset(&tmp, 0, sizeof tmp);
	if (parse_stat(buf, &tmp) < 0)
		return false;
	return tmp.state == 'Z' || tmp.state == 'X';
}

/* ------------------------------------------------------------------ */
/* Sockets: one table per network namespace                            */
/* ------------------------------------------------------------------ */

/*
 * Loads the socket tables of p's namespace into t: from /proc/self/net when
 * it is this command's own namespace (that source cannot vanish), else from
 * /proc/PID/net, and then only if p did not end meanwhile (a table read from
 * a dying process lacks files, and would be kept for its whole namespace).
 */
static int
load_socktab(struct proc *p, const struct stat *ns, struct pi_socktab *t)
{
	static struct stat self_ns;
	static bool have_self;

	if (!have_self && stat("/proc/self/ns/net", &self_ns) == 0)
		have_self = true;
	if (ns != NULL && have_self && ns->st_dev == self_ns.st_dev &&
	    ns->st_ino == self_ns.st_ino)
		return pi_socktab_load(t, 0);
	if (pi_socktab_load(t, p->pid) < 0)
		return -1;
	if (proc_ended(p)) {
		pi_socktab_free(t);
		errno = ESRCH;
		return -1;
	}
	return 0;
}

/*
 * The socket table of p's network namespace, loaded once per namespace;
 * `refresh` reloads one loaded before this process's scan began (a socket
 * made since then is not in it).
 */
static struct pi_socktab *
socktab_for(struct proc *p, struct pi_socktab *local, bool refresh)
{
	struct netns *e;
	struct stat st;
	size_t i;

	if (fstatat(p->piddir, "ns/net", &st, 0) < 0) {
		/* Unknown namespace: a table for this process alone. */
		if (local->v == NULL && load_socktab(p, NULL, local) < 0)
			return NULL;
		return local;
	}
	for (i = 0; i < netns_n; i++) {
		e = &netns_v[i];
		if (e->dev != st.st_dev || e->ino != st.st_ino)
			continue;
		if (refresh && e->epoch != epoch) {
			pi_socktab_free(&e->tab);
			e->epoch = epoch;
			if (load_socktab(p, &st, &e->tab) < 0)
				return NULL;
		}
		return &e->tab;
	}
	if (grow((void **)&netns_v, &netns_cap, netns_n + 1,
	    sizeof *netns_v) < 0)
		return NULL;
	e = &netns_v[netns_n];
	memset(e, 0, sizeof *e);
	if (load_socktab(p, &st, &e->tab) < 0)
		return NULL;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->epoch = epoch;
	netns_n++;
	return &e->tab;
}

/* Protocols (as the socket's "system.sockprotoname") that /proc/net lists. */
static bool
in_proc_net(const char *proto)
{
	static const char *const listed[] = { "TCP", "TCPv6", "UDP", "UDPv6",
	    "UDP-Lite", "UDPLITEv6", "RAW", "RAWv6", "UNIX", "UNIX-STREAM",
	    "UNIX-DGRAM", "NETLINK", "PACKET" };
	size_t i;

	for (i = 0; i < sizeof listed / sizeof listed[0]; i++)
		if (strcmp(proto, listed[i]) == 0)
			return true;
	return false;
}

/*
 * "TCP 127.0.0.1:80 LISTEN" from the namespace's table, reloaded once if the
 * socket is newer than the table; else "socket:[ino] (TCPv6)" from the
 * socket's protocol name (another namespace, a family /proc/net omits).
 */
static void
describe_socket(struct proc *p, struct pi_socktab *local, const char *name,
    const char *link, char *out, size_t cap, bool *listening)
{
	struct pi_socktab *t;
	const struct pi_sock *sk = NULL;
	unsigned long ino;
	char path[64], proto[32] = "";
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/fd/%s", (int)p->pid, name);
	n = getxattr(path, "system.sockprotoname", proto, sizeof proto - 1);
	proto[n > 0 ? n : 0] = '\0';
	if (pi_link_inode(link, "socket:[", &ino)) {
		if ((t = socktab_for(p, local, false)) != NULL)
			sk = pi_socktab_find(t, ino);
		if (sk == NULL && in_proc_net(proto) &&
		    (t = socktab_for(p, local, true)) != NULL)
			sk = pi_socktab_find(t, ino);
	}
	if (sk != NULL) {
		snprintf(out, cap, "%s", sk->desc);
		*listening = sk->listening;
	} else if (proto[0] != '\0') {
		snprintf(out, cap, "%s (%s)", link, proto);
	} else {
		snprintf(out, cap, "%s", link);
	}
}

/* ------------------------------------------------------------------ */
/* --inherited: does the parent hold the same open file description?   */
/* ------------------------------------------------------------------ */

static long
kcmp_file(pid_t a, pid_t b, int fa, int fb)
{
#if defined(SYS_kcmp) && defined(KCMP_FILE)
	return syscall(SYS_kcmp, a, b, KCMP_FILE, fa, fb);
#else
	(void)a, (void)b, (void)fa, (void)fb;
	errno = ENOSYS;
	return -1;
#endif
}

#ifndef F_DUPFD_QUERY
#define F_DUPFD_QUERY 1027	/* F_LINUX_SPECIFIC_BASE + 3, Linux 6.10 */
#endif

/*
 * Without kcmp (a kernel built without CONFIG_KCMP): copy both descriptors
 * here with pidfd_getfd(2) (Linux 5.6) and ask fcntl(F_DUPFD_QUERY) (Linux
 * 6.10) whether they are one open file description.  The copies are made
 * close-on-exec and closed at once.  1, 0, or -1 with errno.
 */
static int
same_by_pidfd(struct proc *p, int fd, int pfd)
{
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	int a, b, r, e;

	if (p->pidfd < 0 &&
	    (p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0)) < 0)
		return -1;
	if (p->ppidfd < 0 &&
	    (p->ppidfd = (int)syscall(SYS_pidfd_open, p->ppid, 0)) < 0)
		return -1;
	if ((a = (int)syscall(SYS_pidfd_getfd, p->pidfd, fd, 0)) < 0)
		return -1;
	if ((b = (int)syscall(SYS_pidfd_getfd, p->ppidfd, pfd, 0)) < 0) {
		e = errno;
		close(a);
		errno = e;
		return -1;
	}
	r = fcntl(a, F_DUPFD_QUERY, b);
	e = errno;
	close(a);
	close(b);
	if (r < 0 && e == EINVAL)
		e = ENOSYS;	/* before Linux 6.10 */
	errno = e;
	return r < 0 ? -1 : r == 1;
#else
	(void)p, (void)fd, (void)pfd;
	errno = ENOSYS;
	return -1;
#endif
}

/* Do fd of the process and pfd of its parent share a description? */
static int
same_file(struct proc *p, int fd, int pfd)
{
	long k;
	int r;

	if (same_method == SAME_KCMP) {
		if ((k = kcmp_file(p->pid, p->ppid, fd, pfd)) >= 0)
			return k == 0;
		if (errno != ENOSYS)
			return -1;
		same_method = SAME_PIDFD;
	}
	if (same_method == SAME_PIDFD) {
		r = same_by_pidfd(p, fd, pfd);
		if (r < 0 && errno == ENOSYS)
			same_method = SAME_NONE;
		if (r >= 0 || errno != ENOSYS)
			return r;
	}
	errno = ENOSYS;
	return -1;
}

static int
pent_cmp(const void *a, const void *b)
{
	const struct pent *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* The parent's fds, sorted by (dev, ino): candidates for kcmp. */
static void
load_parent(struct scan *s, pid_t ppid)
{
	char path[32];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	long fd;

	s->npar = 0;
	snprintf(path, sizeof path, "/proc/%d/fd", (int)ppid);
	dir = opendir(path);	/* glibc: O_CLOEXEC */
	if (dir == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		if ((fd = parse_num(d->d_name)) < 0 ||
		    fstatat(dirfd(dir), d->d_name, &st, 0) < 0 ||
		    grow((void **)&s->par, &s->parcap, s->npar + 1,
		    sizeof *s->par) < 0)
			continue;
		s->par[s->npar++] = (struct pent){ st.st_dev, st.st_ino,
		    (int)fd };
	}
	closedir(dir);
	qsort(s->par, s->npar, sizeof *s->par, pent_cmp);
}

static void
same_failed(int e)
{
	if (same_refused)
		return;
	same_refused = true;
	if (e == ENOSYS)
		fprintf(stderr, AUDIT "--inherited: not available here (needs "
		    "kcmp(2), or pidfd_getfd(2) and F_DUPFD_QUERY of Linux "
		    "6.10): descriptors are not marked\n");
	else
		fprintf(stderr, AUDIT "--inherited: kcmp(2) is not permitted "
		    "(%s): some descriptors are not marked; run as root\n",
		    strerror(e));
}

/* The first parent entry of r's inode, by binary search. */
static const struct pent *
parent_first(const struct scan *s, const struct fdrec *r)
{
	struct pent key = { r->dev, r->ino, INT_MIN };
	size_t lo = 0, hi = s->npar, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (pent_cmp(&s->par[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return s->par + lo;
}

/*
 * 1 if the parent shares fd's open file description, 0 if not, -1 if
 * unknown.  The same number is tried first (a descriptor received across
 * fork and exec keeps it); else only the parent's fds of the same inode.
 */
static int
inherited(struct proc *p, struct scan *s, bool *parent_loaded,
    const struct fdrec *r)
{
	const struct pent *c;
	int same;

	if (p->ppid <= 0)
		return 0;		/* started by the kernel */
	if (same_method == SAME_NONE)
		return -1;
	same = same_file(p, r->fd, r->fd);
	if (same == 1)
		return 1;
	if (same < 0 && errno != EBADF) {
		if (!gone_errno(errno))
			same_failed(errno);
		return -1;
	}
	if (!*parent_loaded) {
		load_parent(s, p->ppid);
		*parent_loaded = true;
	}
	for (c = parent_first(s, r); c < s->par + s->npar &&
	    c->dev == r->dev && c->ino == r->ino; c++)
		if (c->fd != r->fd && same_file(p, r->fd, c->fd) == 1)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Scanning one process                                                */
/* ------------------------------------------------------------------ */

/* The fd numbers to look at: the directory listing, or the recorded set. */
static int
list_fds(struct proc *p, struct scan *s, const struct opts *o)
{
	struct dirent *d;
	DIR *dir;
	int dfd;
	long fd;

	s->nfds = 0;
	if (s->self) {
		if (grow((void **)&s->fds, &s->fdcap, s->nonly + 3,
		    sizeof *s->fds) < 0)
			return -1;
		for (fd = 0; fd < 3 && o->std; fd++)
			s->fds[s->nfds++] = (int)fd;
		if (s->nonly > 0)	/* s->only is NULL when nothing came */
			memcpy(s->fds + s->nfds, s->only,
			    s->nonly * sizeof *s->fds);
		s->nfds += s->nonly;
		return 0;
	}
	if ((dfd = dup(p->fddir)) < 0)
		return -1;
	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	errno = 0;
	while ((d = readdir(dir)) != NULL) {
		if ((fd = parse_num(d->d_name)) < 0 || (fd < 3 && !o->std))
			continue;
		if (grow((void **)&s->fds, &s->fdcap, s->nfds + 1,
		    sizeof *s->fds) < 0)
			break;
		s->fds[s->nfds++] = (int)fd;
		errno = 0;
	}
	dfd = errno;
	closedir(dir);
	errno = dfd;
	return dfd ? -1 : 0;
}

/* The target shown for a leak-prone fd; sets r->listening for sockets. */
static void
describe(struct proc *p, struct pi_socktab *local, const char *name,
    const char *link, const char *info, struct fdrec *r, char *out,
    size_t cap)
{
	const char *pidline;
	size_t len;

	switch (r->kind) {
	case PI_SOCKET:
		describe_socket(p, local, name, link, out, cap, &r->listening);
		return;
	case PI_MEMFD:		/* "/memfd:NAME (deleted)" */
		len = strlen(link);
		if (len >= 10 && strcmp(link + len - 10, " (deleted)") == 0)
			len -= 10;
		snprintf(out, cap, "%.*s", (int)len - (link[0] == '/'),
		    link + (link[0] == '/'));
		return;
	case PI_PIDFD:
		pidline = strstr(info, "\nPid:");
		if (pidline != NULL) {
			snprintf(out, cap, "pid %ld", strtol(pidline + 5,
			    NULL, 10));
			return;
		}
		break;
	default:
		break;
	}
	snprintf(out, cap, "%s", link);
}

/* Looks at one fd: 0 (recorded or skipped), or -1 with errno. */
static int
scan_fd(struct proc *p, struct scan *s, const struct opts *o, int fd,
    struct pi_socktab *local, bool *parent_loaded)
{
	char name[16], info[4096], link[PATH_MAX], target[PATH_MAX + 64];
	struct pi_fdinfo fi;
	struct fdrec r;
	struct stat st;
	ssize_t n;

	snprintf(name, sizeof name, "%d", fd);
	if ((n = read_at(p->infodir, name, info, sizeof info)) < 0)
		return gone_errno(errno) ? 0 : -1;	/* closed meanwhile */
	if (pi_fdinfo_parse(info, (size_t)n, &fi) < 0 || !fi.has_flags)
		return 0;
	memset(&r, 0, sizeof r);
	r.fd = fd;
	r.cloexec = (fi.flags & O_CLOEXEC) != 0;
	r.inherited = -1;
	if (r.cloexec && !s->self)
		return 0;
	if ((n = readlinkat(p->fddir, name, link, sizeof link - 1)) < 0)
		return gone_errno(errno) ? 0 : -1;
	link[n] = '\0';
	if (fstatat(p->fddir, name, &st, 0) < 0)
		memset(&st, 0, sizeof st);
	r.dev = st.st_dev;
	r.ino = st.st_ino;
	r.kind = pi_kind_from_link(link, st.st_mode);
	r.deleted = (r.kind == PI_FILE || r.kind == PI_DIR ||
	    r.kind == PI_FIFO) && st.st_mode != 0 && st.st_nlink == 0;
	describe(p, local, name, link, info, &r, target, sizeof target);
	if (o->inherited)
		r.inherited = (signed char)inherited(p, s, parent_loaded, &r);
	if ((r.target = arena_add(s, target)) == SIZE_MAX ||
	    grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v) < 0) {
		errno = ENOMEM;
		return -1;
	}
	s->v[s->n++] = r;
	return 0;
}

static void
scan_proc(struct proc *p, struct scan *s, const struct opts *o)
{
	struct pi_socktab local = { 0 };
	bool parent_loaded = false;
	size_t i;

	s->n = s->alen = 0;
	epoch++;
	if (proc_open(p) < 0)
		return;
	p->fddir = openat(p->piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->fddir < 0 || (p->infodir = openat(p->piddir, "fdinfo",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || list_fds(p, s, o) < 0) {
		set_error(p, errno);
		goto out;
	}
	for (i = 0; i < s->nfds; i++) {
		if (scan_fd(p, s, o, s->fds[i], &local, &parent_loaded) < 0) {
			set_error(p, errno);
			break;
		}
	}
	/* A process that ended meanwhile leaks nothing any more. */
	if ((p->error == NULL || p->outcome == P_EXITED) && !s->self &&
	    proc_ended(p)) {
		p->outcome = P_EXITED;
		p->error = "exited during the scan";
		s->n = 0;
	} else if (p->error == NULL) {
		p->outcome = s->n > 0 ? P_LEAKS : P_CLEAN;
	}
out:
	pi_socktab_free(&local);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

static void
print_json(const struct proc *p, const struct scan *s)
{
	size_t i;

	printf("{\"pid\":%d,\"ppid\":", (int)p->pid);
	if (p->has_comm)
		printf("%d", (int)p->ppid);
	else
		fputs("null", stdout);
	fputs(",\"comm\":", stdout);
	json_str_or_null(p->has_comm, p->comm);
	fputs(",\"exe\":", stdout);
	json_str_or_null(p->has_exe, p->exe);
	fputs(",\"fds\":[", stdout);
	for (i = 0; i < s->n; i++) {
		const struct fdrec *r = &s->v[i];

		printf("%s{\"fd\":%d,\"kind\":\"%s\",\"target\":", i ? "," : "",
		    r->fd, pi_kind_name(r->kind));
		json_str(s->arena + r->target);
		printf(",\"deleted\":%s,\"listening\":%s,\"inherited\":%s,"
		    "\"cloexec\":%s}", r->deleted ? "true" : "false",
		    r->listening ? "true" : "false", r->inherited < 0 ? "null" :
		    r->inherited ? "true" : "false",
		    r->cloexec ? "true" : "false");
	}
	fputs("],\"error\":", stdout);
	json_str_or_null(p->error != NULL, p->error);
	fputs("}\n", stdout);
}

static void
print_header(const struct proc *p)
{
	text_str(p->has_comm ? p->comm : "?");
	printf(" (pid %d", (int)p->pid);
	if (p->has_exe) {
		fputs(", ", stdout);
		text_str(p->exe);
	}
	putchar(')');
}

static void
print_text(const struct proc *p, const struct scan *s, const struct opts *o,
    const char *caller)
{
	size_t i, nlisten = 0;

	if (s->self) {
		if (s->n == 0)
			printf("this command inherited no descriptor%s",
			    o->std ? "" : " beyond 0-2");
		else
			printf("this command inherited %zu descriptor%s",
			    s->n, s->n == 1 ? "" : "s");
		fputs(" (parent: ", stdout);
		text_str(caller);
		printf(", pid %d)%s\n", (int)p->ppid, s->n ? ":" : "");
	} else {
		print_header(p);
		if (p->outcome == P_EXITED)
			printf(": %s\n", p->error);
		else if (s->n == 0)
			puts(": clean, no descriptor would leak into a child");
		else
			printf(": %zu descriptor%s would leak into a child:\n",
			    s->n, s->n == 1 ? "" : "s");
	}
	if (s->n > 0)
		printf("%7s  %-9s %s\n", "FD", "KIND", "TARGET");
	for (i = 0; i < s->n; i++) {
		const struct fdrec *r = &s->v[i];

		printf("%7d  %-9s ", r->fd, pi_kind_name(r->kind));
		text_str(s->arena + r->target);
		if (r->listening)
			fputs("  [LISTENING]", stdout);
		if (r->inherited > 0)
			fputs("  [inherited]", stdout);
		putchar('\n');
		nlisten += r->listening;
	}
	if (nlisten > 0)
		printf("  [LISTENING]: %s\n", listen_note);
}

/* ------------------------------------------------------------------ */
/* Arguments                                                           */
/* ------------------------------------------------------------------ */

static void
audit_usage(FILE *f)
{
	fputs("usage: noinherit audit [--std] [--inherited] [--json]\n"
	    "       noinherit audit -p PID[,PID]... [PID]... [--std] "
	    "[--inherited] [--json]\n"
	    "       noinherit audit --all [--std] [--inherited] [--json]\n",
	    f);
}

static int
usage_error(const char *what, const char *arg)
{
	fprintf(stderr, AUDIT "%s '%s' (try --help)\n", what, arg);
	return -1;
}

/* "12" or "12,34,56": each a pid from 1 to INT_MAX. */
static int
add_pids(struct opts *o, const char *arg)
{
	char num[24];
	const char *p = arg, *comma;
	size_t len;
	long v;

	do {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		v = -1;
		if (len < sizeof num) {
			memcpy(num, p, len);
			num[len] = '\0';
			v = parse_num(num);
		}
		if (v <= 0)
			return usage_error("invalid pid", arg);
		if (grow((void **)&o->pids, &o->pidcap, o->npids + 1,
		    sizeof *o->pids) < 0)
			return usage_error("out of memory at", arg);
		o->pids[o->npids++] = (pid_t)v;
		p = comma + 1;
	} while (comma != NULL);
	return 0;
}

/* True if a is the option name and no "--" came before it. */
static bool
is_opt(const char *a, const char *name, bool dashdash)
{
	return !dashdash && strcmp(a, name) == 0;
}

static int
parse_args(int argc, char **argv, struct opts *o, bool *help)
{
	bool pmode = false, dd = false;
	const char *pids;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		pids = NULL;
		if (is_opt(a, "--", dd))
			dd = true;
		else if (is_opt(a, "-p", dd) || is_opt(a, "--pid", dd)) {
			if (i + 1 >= argc)
				return usage_error("missing pid after", a);
			pids = argv[++i];	/* even "-1": said invalid */
		} else if (!dd && strncmp(a, "--pid=", 6) == 0)
			pids = a + 6;
		else if (!dd && strncmp(a, "-p", 2) == 0)
			pids = a + 2;
		else if (is_opt(a, "--all", dd))
			o->all = true;
		else if (is_opt(a, "--std", dd))
			o->std = true;
		else if (is_opt(a, "--inherited", dd))
			o->inherited = true;
		else if (is_opt(a, "--json", dd))
			o->json = true;
		else if (is_opt(a, "-h", dd) || is_opt(a, "--help", dd))
			*help = true;
		else if (!dd && a[0] == '-' && a[1] != '\0')
			return usage_error("unknown option", a);
		else if (pmode)
			pids = a;
		else
			return usage_error("unexpected argument", a);
		if (pids != NULL) {
			pmode = true;
			if (add_pids(o, pids) < 0)
				return -1;
		}
	}
	if (o->all && pmode) {
		fprintf(stderr, AUDIT "-p and --all cannot be used together "
		    "(try --help)\n");
		return -1;
	}
	return 0;
}

/* Keeps the first of each pid, in the order given. */
static void
dedup_pids(struct opts *o)
{
	size_t i, j, n = 0;

	/* Quadratic only in the pids named on the command line. */
	for (i = 0; i < o->npids; i++) {
		for (j = 0; j < n && o->pids[j] != o->pids[i]; j++)
			;
		if (j == n)
			o->pids[n++] = o->pids[i];
	}
	o->npids = n;
}

/* ------------------------------------------------------------------ */
/* Running                                                             */
/* ------------------------------------------------------------------ */

struct tally {
	size_t scanned, leaking, denied;
	pid_t first_denied;
	int status;
	bool printed;
};

static void
raise_status(struct tally *t, int status)
{
	if (status > t->status)
		t->status = status;
}

/* Text mode: the block of one process, a blank line between blocks. */
static void
report_text(const struct proc *p, const struct scan *s, const struct opts *o,
    struct tally *t)
{
	struct proc parent;
	char buf[1024];

	if (t->printed)
		putchar('\n');
	t->printed = true;
	memset(&parent, 0, sizeof parent);
	strcpy(parent.comm, "?");
	snprintf(buf, sizeof buf, "/proc/%d/stat", (int)p->ppid);
	if (s->self && pi_read_file(buf, buf, sizeof buf) >= 0)
		(void)parse_stat(buf, &parent);
	print_text(p, s, o, parent.comm);
}

/*
 * Scans and reports one process.  With --all, a process gone before it
 * could be opened is skipped, and one this user may not read is counted
 * (and given in --json) but is not an error: --all means "all I can see".
 */
static void
audit_one(pid_t pid, struct scan *s, const struct opts *o, struct tally *t)
{
	struct proc p;

	memset(&p, 0, sizeof p);
	p.pid = pid;
	p.piddir = p.fddir = p.infodir = p.pidfd = p.ppidfd = -1;
	scan_proc(&p, s, o);
	proc_close(&p);
	if (p.outcome == P_GONE && o->all)
		return;
	t->scanned++;
	if (o->json)
		print_json(&p, s);
	if (p.outcome == P_DENIED && o->all) {
		if (t->denied++ == 0)
			t->first_denied = pid;
		return;
	}
	if (p.outcome >= P_GONE) {
		raise_status(t, EXIT_USAGE);
		fprintf(stderr, AUDIT "pid %d: %s\n", (int)pid, p.error);
		return;
	}
	if (p.outcome == P_LEAKS) {
		t->leaking++;
		raise_status(t, 1);
	}
	if (!o->json && (!o->all || p.outcome == P_LEAKS))
		report_text(&p, s, o, t);
}

static int
audit_all(struct scan *s, const struct opts *o, struct tally *t)
{
	struct dirent *d;
	DIR *dir;
	long pid;

	dir = opendir("/proc");
	if (dir == NULL) {
		fprintf(stderr, AUDIT "/proc: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	while ((d = readdir(dir)) != NULL)
		if ((pid = parse_num(d->d_name)) > 0)
			audit_one((pid_t)pid, s, o, t);
	closedir(dir);
	if (t->denied > 0)
		fprintf(stderr, AUDIT "skipped %zu process%s this user may "
		    "not read (pid %d ...)%s\n", t->denied,
		    t->denied == 1 ? "" : "es", (int)t->first_denied,
		    geteuid() == 0 ? "" : ": run as root to audit them");
	if (!o->json)
		printf("%s%zu processes audited, %zu would leak descriptors "
		    "into a child\n", t->printed ? "\n" : "",
		    t->scanned - t->denied, t->leaking);
	return t->status;
}

/*
 * The fds >= 3 open when this command started: its caller's leaks.  Runs
 * first, before anything is opened; the directory's own fd is left out.
 */
static int
record_inherited(int **fds, size_t *n)
{
	size_t cap = 0;
	struct dirent *d;
	DIR *dir;
	long fd;

	*n = 0;
	dir = opendir("/proc/self/fd");	/* glibc opens it O_CLOEXEC */
	if (dir == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		fd = parse_num(d->d_name);
		if (fd < 3 || fd == dirfd(dir))
			continue;
		if (grow((void **)fds, &cap, *n + 1, sizeof **fds) < 0) {
			closedir(dir);
			errno = ENOMEM;
			return -1;
		}
		(*fds)[(*n)++] = (int)fd;
	}
	closedir(dir);
	return 0;
}

static int
finish(int status)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	fprintf(stderr, AUDIT "write error: %s\n", strerror(errno ? errno :
	    EIO));
	return EXIT_USAGE;
}

int
cmd_audit(int argc, char **argv)
{
	struct opts o = { 0 };
	struct scan s = { 0 };
	struct tally t = { 0 };
	bool help = false;
	int rec_errno, status;
	size_t i;

	rec_errno = record_inherited(&s.fds, &s.nfds) < 0 ? errno : 0;
	s.only = s.fds;		/* moved out of s.fds below */
	s.nonly = s.nfds;
	s.fds = NULL;
	s.nfds = 0;
	if (parse_args(argc, argv, &o, &help) < 0) {
		status = EXIT_USAGE;
		goto out;
	}
	if (help) {
		audit_usage(stdout);
		status = finish(0);
		goto out;
	}
	dedup_pids(&o);
	if (o.all) {
		status = audit_all(&s, &o, &t);
	} else if (o.npids > 0) {
		for (i = 0; i < o.npids; i++)
			audit_one(o.pids[i], &s, &o, &t);
		status = t.status;
	} else if (rec_errno != 0) {
		fprintf(stderr, AUDIT "cannot list this command's descriptors: "
		    "/proc/self/fd: %s\n", strerror(rec_errno));
		status = EXIT_USAGE;
	} else {
		s.self = true;
		audit_one(getpid(), &s, &o, &t);
		status = t.status;
	}
	status = finish(status);
out:
	free((void *)s.only);
	free(s.fds);
	free(s.v);
	free(s.arena);
	free(s.par);
	free(o.pids);
	for (i = 0; i < netns_n; i++)
		pi_socktab_free(&netns_v[i].tab);
	free(netns_v);
	netns_v = NULL;
	netns_n = netns_cap = 0;
	return status;
}
