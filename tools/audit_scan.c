/*
 * audit_scan.c - `noinherit audit`: reading one process.  /proc/PID is
 * opened once and everything under it relative to that descriptor (see
 * audit.c for why); fdinfo/N says whether an fd is close-on-exec, and only
 * an fd that would leak is read further: its link, its inode, and for a
 * socket its address and state from the socket table of its network
 * namespace, loaded once per namespace.
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
#ifdef __linux__
#include <sys/xattr.h>
#endif
#include <unistd.h>

#include "audit.h"
#include "noinherit.h"
#include "procinfo.h"

static const char perm_reason[] =
    "permission denied: run as the process's owner or root";
static const char perm_reason_root[] =
    "permission denied, even to root: the process has privileges this one "
    "lacks (capabilities, another user namespace)";

/* One socket table per network namespace. */
struct netns {
	dev_t dev;
	ino_t ino;
	struct pi_socktab tab;
};
static struct netns *netns_v;
static size_t netns_n, netns_cap;

/* ------------------------------------------------------------------ */
/* Growable arrays and small readers                                   */
/* ------------------------------------------------------------------ */

int
audit_grow(void **v, size_t *cap, size_t need, size_t size)
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

	if (audit_grow((void **)&s->arena, &s->acap, s->alen + len, 1) < 0)
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
long
audit_parse_num(const char *s)
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

bool
audit_gone_errno(int e)
{
	return e == ENOENT || e == ESRCH;
}

/* ------------------------------------------------------------------ */
/* The process: stat, exe, its directories                             */
/* ------------------------------------------------------------------ */

/*
 * "PID (COMM) S PPID ...": comm may hold spaces, parens, anything but a
 * NUL, and is at most 16 bytes, so it ends at the last ')'.
 */
int
audit_parse_stat(const char *buf, struct proc *p)
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
	if (audit_gone_errno(e)) {
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
		if (audit_gone_errno(errno)) {
			p->outcome = P_GONE;
			p->error = "no such process";
		}
		return -1;
	}
	if (read_at(p->piddir, "stat", buf, sizeof buf) < 0) {
		set_error(p, errno);
		return -1;
	}
	if (audit_parse_stat(buf, p) < 0) {
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

void
audit_proc_close(struct proc *p)
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
		return audit_gone_errno(errno);
	memset(&tmp, 0, sizeof tmp);
	if (audit_parse_stat(buf, &tmp) < 0)
		return false;
	return tmp.state == 'Z' || tmp.state == 'X';
}

/* ------------------------------------------------------------------ */
/* Sockets: one table per network namespace                            */
/* ------------------------------------------------------------------ */

/*
 * Puts the sockets of one protocol (its "system.sockprotoname") of p's
 * namespace into t, unless they are there already: from /proc/self/net when
 * it is this command's own namespace (that source cannot vanish), else from
 * /proc/PID/net, and then only if p did not end meanwhile (a file read from
 * a dying process may be cut short, and would be kept for its namespace).
 * Returns 1 when they are in t, 0 for a protocol /proc/net does not list.
 */
static int
load_proto(struct proc *p, const struct stat *ns, struct pi_socktab *t,
    const char *proto)
{
	static struct stat self_ns;
	static bool have_self;
	int r;

	if (!have_self && stat("/proc/self/ns/net", &self_ns) == 0)
		have_self = true;
	if (ns != NULL && have_self && ns->st_dev == self_ns.st_dev &&
	    ns->st_ino == self_ns.st_ino)
		return pi_socktab_load_proto(t, 0, proto);
	r = pi_socktab_load_proto(t, p->pid, proto);
	if (r >= 0 && proc_ended(p)) {
		pi_socktab_free(t);
		errno = ESRCH;
		return -1;
	}
	return r;
}

/*
 * The socket table of p's network namespace: one per namespace, shared by
 * its processes, holding the protocols loaded so far (*ns is the
 * namespace, or NULL where it cannot be told: a table for p alone).  A
 * protocol is read once per audit, so a socket made after that, or one the
 * kernel does not list (a TCP socket never bound), is described by its
 * protocol alone.
 */
static struct pi_socktab *
ns_table(struct proc *p, struct pi_socktab *local, struct stat *st,
    const struct stat **ns)
{
	struct netns *e;
	size_t i;

	*ns = NULL;
	if (fstatat(p->piddir, "ns/net", st, 0) < 0)
		return local;
	*ns = st;
	for (i = 0; i < netns_n; i++)
		if (netns_v[i].dev == st->st_dev && netns_v[i].ino == st->st_ino)
			return &netns_v[i].tab;
	if (audit_grow((void **)&netns_v, &netns_cap, netns_n + 1,
	    sizeof *netns_v) < 0)
		return NULL;
	e = &netns_v[netns_n++];
	memset(e, 0, sizeof *e);
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	return &e->tab;
}

/*
 * "TCP 127.0.0.1:80 LISTEN" from the namespace's table; else
 * "socket:[ino] (TCPv6)" from the socket's protocol name (a family
 * /proc/net omits, a socket it does not list).
 */
static void
describe_socket(struct proc *p, struct pi_socktab *local, const char *name,
    const char *link, char *out, size_t cap, bool *listening)
{
	struct pi_socktab *t;
	const struct pi_sock *sk = NULL;
	const struct stat *ns;
	struct stat st;
	unsigned long ino;
	char path[64], proto[32] = "";
	ssize_t n;

	if (!pi_link_inode(link, "socket:[", &ino)) {
		snprintf(out, cap, "%s", link);
		return;
	}
	/* Most sockets are in a protocol loaded already: no more calls. */
	t = ns_table(p, local, &st, &ns);
	if (t != NULL)
		sk = pi_socktab_find(t, ino);
	if (sk == NULL) {
		snprintf(path, sizeof path, "/proc/%d/fd/%s", (int)p->pid, name);
#ifdef __linux__
		n = getxattr(path, "system.sockprotoname", proto,
		    sizeof proto - 1);
#else
		n = -1;
#endif
		proto[n > 0 ? n : 0] = '\0';
		if (proto[0] != '\0' && t != NULL &&
		    load_proto(p, ns, t, proto) > 0)
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
		if (audit_grow((void **)&s->fds, &s->fdcap, s->nonly + 3,
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
	if ((dfd = ni_dup(p->fddir)) < 0)	/* fdopendir takes it over */
		return -1;
	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	errno = 0;
	while ((d = readdir(dir)) != NULL) {
		if ((fd = audit_parse_num(d->d_name)) < 0 || (fd < 3 && !o->std))
			continue;
		if (audit_grow((void **)&s->fds, &s->fdcap, s->nfds + 1,
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
		return audit_gone_errno(errno) ? 0 : -1;	/* closed meanwhile */
	if (pi_fdinfo_parse(info, (size_t)n, &fi) < 0 || !fi.has_flags)
		return 0;
	memset(&r, 0, sizeof r);
	r.fd = fd;
	r.cloexec = (fi.flags & O_CLOEXEC) != 0;
	r.inherited = -1;
	if (r.cloexec && !s->self)
		return 0;
	if ((n = readlinkat(p->fddir, name, link, sizeof link - 1)) < 0)
		return audit_gone_errno(errno) ? 0 : -1;
	link[n] = '\0';
	/*
	 * The file's mode tells a path's kind (file, dir, fifo, device) and
	 * its link count a deleted one; --inherited matches by device and
	 * inode.  "socket:[", "pipe:[" and anon_inode links say it all.
	 */
	if ((link[0] != '/' && !o->inherited) ||
	    fstatat(p->fddir, name, &st, 0) < 0)
		memset(&st, 0, sizeof st);
	r.dev = st.st_dev;
	r.ino = st.st_ino;
	r.kind = pi_kind_from_link(link, st.st_mode);
	r.deleted = (r.kind == PI_FILE || r.kind == PI_DIR ||
	    r.kind == PI_FIFO) && st.st_mode != 0 && st.st_nlink == 0;
	describe(p, local, name, link, info, &r, target, sizeof target);
	if (o->inherited)
		r.inherited = (signed char)audit_inherited(p, s, parent_loaded, &r);
	if ((r.target = arena_add(s, target)) == SIZE_MAX ||
	    audit_grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v) < 0) {
		errno = ENOMEM;
		return -1;
	}
	s->v[s->n++] = r;
	return 0;
}

void
audit_scan_proc(struct proc *p, struct scan *s, const struct opts *o)
{
	struct pi_socktab local = { 0 };
	bool parent_loaded = false;
	size_t i;

	s->n = s->alen = 0;
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

void
audit_scan_free(struct scan *s)
{
	size_t i;

	free((void *)s->only);
	free(s->fds);
	free(s->v);
	free(s->arena);
	free(s->par);
	for (i = 0; i < netns_n; i++)
		pi_socktab_free(&netns_v[i].tab);
	free(netns_v);
	netns_v = NULL;
	netns_n = netns_cap = 0;
}
