/*
 * audit_scan.c - `noinherit audit`: reading one process.  /proc/PID is
 * opened once and everything under it relative to that descriptor (see
 * audit.c for why); fdinfo/N says whether an fd is close-on-exec, and only
 * an fd that would leak is read further, all of one file though the
 * process may re-point the fd meanwhile (read_fd): its link, its inode,
 * and for a socket its address and state from NETLINK_SOCK_DIAG
 * (sockdiag.c) in the socket's network namespace, each protocol dumped
 * once per namespace.
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
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "noinherit.h"
#include "procinfo.h"
#include "sockdiag.h"
#include "sockdiag_abi.h"

static const char perm_reason[] =
    "permission denied: run as the process's owner or root";
static const char perm_reason_root[] =
    "permission denied, even to root: the process has privileges this one "
    "lacks (capabilities, another user namespace)";

/*
 * One socket table per network namespace, and a NETLINK_SOCK_DIAG socket
 * made in it (sockdiag.h); nl is -1 where none could be made, and the
 * table is then filled from the /proc/net text files.
 */
struct netns {
	dev_t dev;
	ino_t ino;
	int nl;
	int nl_err;		/* why there is no nl */
	bool self;		/* this command's own namespace */
	struct pi_socktab tab;
};
static struct netns **netns_v;	/* each allocated alone: pointers stay */
static size_t netns_n, netns_cap;
static struct netns *cur_ns;	/* the scanned process's, once known */
static unsigned said_fallback;	/* the protocols said so, a bit each */

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

/*
 * Reads a small /proc file relative to dirfd, NUL-terminated.  These are
 * seq_file files: a read that returns less than it asked for has reached
 * the end, so no second read(2) is made to see 0.
 */
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
		if ((size_t)r < cap - 1 - (len - (size_t)r))
			break;		/* short: the end */
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

/* Said once a protocol: where its socket facts come from when sock_diag
 * cannot serve. */
static void
say_fallback(int k, int err)
{
	if (said_fallback & (1u << k))
		return;
	said_fallback |= 1u << k;
	cli_say("audit", "NETLINK_SOCK_DIAG cannot list %s sockets here "
	    "(%s): they are described from the /proc/net text tables%s",
	    sd_kind_name((enum sd_kind)k), strerror(err), k == SD_UNIX ?
	    ", where a socket name holding a newline can forge a line" : "");
}

/* The namespace whose identity is st, its entry made if new.  nsfd (a
 * descriptor of it, or -1 for this command's own) serves to make the diag
 * socket, and is left to the caller to close. */
static struct netns *
ns_entry(const struct stat *st, int nsfd, bool self)
{
	struct netns *e;
	size_t i;

	for (i = 0; i < netns_n; i++)
		if (netns_v[i]->dev == st->st_dev &&
		    netns_v[i]->ino == st->st_ino)
			return netns_v[i];
	if (audit_grow((void **)&netns_v, &netns_cap, netns_n + 1,
	    sizeof *netns_v) < 0 || (e = calloc(1, sizeof *e)) == NULL)
		return NULL;
	netns_v[netns_n++] = e;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->self = self;
	e->nl = sd_open(self ? -1 : nsfd);
	e->nl_err = e->nl < 0 ? errno : 0;
	return e;
}

/* This command's own namespace, or NULL. */
static struct netns *
self_ns(void)
{
	static struct stat st;
	static bool have;

	if (!have) {
		if (stat("/proc/self/ns/net", &st) < 0)
			return NULL;
		have = true;
	}
	return ns_entry(&st, -1, true);
}

/*
 * The namespace p is in now: entered through a descriptor of
 * /proc/PID/ns/net, closed at once, whose identity is taken from the open
 * descriptor itself (so it is the namespace the diag socket is made in).
 * NULL where it cannot be opened (it can then be read only through
 * /proc/PID/net).
 */
static struct netns *
proc_ns(struct proc *p)
{
	struct netns *self = self_ns(), *e;
	struct stat st;
	int fd;

	/* Once a process: its sockets are asked for one after the other. */
	if (cur_ns != NULL)
		return cur_ns;
	fd = openat(p->piddir, "ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	if (self != NULL && self->dev == st.st_dev && self->ino == st.st_ino)
		e = self;
	else
		e = ns_entry(&st, fd, false);
	close(fd);
	cur_ns = e;
	return e;
}

/*
 * The namespace the socket itself is in, asked of the socket: a copy of
 * the descriptor (pidfd_getfd(2), Linux 5.6, as ptrace allows) and
 * SIOCGSKNS (Linux 4.9), whose namespace descriptor is closed at once.
 * NULL where that cannot be had.
 */
static struct netns *
sock_ns(struct proc *p, int fd)
{
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	struct netns *e = NULL;
	struct stat st;
	int sock, nsfd;

	if ((p->pidfd < 0 &&
	    (p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0)) < 0))
		return NULL;
	if ((sock = (int)syscall(SYS_pidfd_getfd, p->pidfd, (int)fd, 0)) < 0)
		return NULL;
	nsfd = ioctl(sock, SDA_SIOCGSKNS);
	close(sock);
	if (nsfd < 0)
		return NULL;
	if (fstat(nsfd, &st) == 0)
		e = ns_entry(&st, nsfd, false);
	close(nsfd);
	return e;
#else
	(void)p;
	(void)fd;
	return NULL;
#endif
}

/*
 * Puts the sockets of protocol proto (a "system.sockprotoname") of
 * namespace e into its table: from sock_diag, else from the text files,
 * /proc/self/net for this command's namespace, /proc/PID/net for p's (and
 * then only if p did not end meanwhile: a file read from a dying process
 * may be cut short, and would be kept for its namespace).
 */
static void
load_proto(struct proc *p, struct netns *e, struct pi_socktab *t,
    const char *proto)
{
	int k = sd_kind_of(proto);

	if (e != NULL && e->nl >= 0 && k >= 0) {
		if (sd_load(e->nl, t, (enum sd_kind)k) == 0)
			return;
		if (errno == ENOMEM)
			return;
		say_fallback(k, errno);
	} else if (k >= 0) {
		say_fallback(k, e != NULL ? e->nl_err : EACCES);
	}
	if (e != NULL && e->self) {
		(void)pi_socktab_load_proto(t, 0, proto);
	} else if (pi_socktab_load_proto(t, p->pid, proto) >= 0 &&
	    proc_ended(p)) {
		pi_socktab_free(t);
	}
}

/*
 * The socket that a link "socket:[N]" names, from the tables of the
 * namespace p is in, else this command's (a socket made before its
 * process moved to another namespace stays in the old one), else the one
 * the socket itself names.  Socket inode
 * numbers are unique across namespaces: a match is the socket.  A
 * protocol is read once per namespace and audit, so a socket made after
 * that, or one the kernel does not list (a TCP socket never bound), is
 * described by its protocol alone.
 */
static void
describe_socket(struct proc *p, struct pi_socktab *local, int pathfd,
    const char *name, int fd, const char *link, char *out, size_t cap,
    bool *listening)
{
	struct netns *e[2];
	struct pi_socktab *t[2];
	const struct pi_sock *sk = NULL;
	unsigned long ino;
	char path[64], proto[32] = "", again[64];
	ssize_t n;
	int i, k, own;

	if (!pi_link_inode(link, "socket:[", &ino)) {
		snprintf(out, cap, "%s", link);
		return;
	}
	e[0] = proc_ns(p);
	e[1] = self_ns();
	t[0] = e[0] != NULL ? &e[0]->tab : local;
	t[1] = e[1] != NULL && e[1] != e[0] ? &e[1]->tab : NULL;
	/* Most sockets are in a protocol loaded already: no more calls. */
	for (i = 0; i < 2 && sk == NULL; i++)
		if (t[i] != NULL)
			sk = pi_socktab_find(t[i], ino);
	if (sk == NULL) {
		/* The socket's protocol says which table to read: asked of
		 * this command's own descriptor of it, checked to be that
		 * socket (the process may re-point its fd meanwhile). */
		for (i = 0; i < 3 && proto[0] == '\0'; i++) {
			own = pathfd >= 0 ? pathfd :
			    openat(p->fddir, name, O_PATH | O_CLOEXEC);
			if (own < 0)
				break;
			snprintf(path, sizeof path, "/proc/self/fd/%d", own);
			n = readlink(path, again, sizeof again - 1);
			if (n >= 0 && (size_t)n == strlen(link) &&
			    memcmp(again, link, (size_t)n) == 0) {
				n = getxattr(path, "system.sockprotoname",
				    proto, sizeof proto - 1);
				proto[n > 0 ? n : 0] = '\0';
				i = 3;	/* that socket's answer, whatever */
			}
			if (own != pathfd)
				close(own);
		}
		/* Re-pointed under every try: every table, then. */
		for (i = 0; i < 2 && proto[0] == '\0' && sk == NULL; i++) {
			if (t[i] == NULL)
				continue;
			for (k = 0; k < SD_NKINDS; k++)
				load_proto(p, i == 0 ? e[0] : e[1], t[i],
				    sd_kind_name((enum sd_kind)k));
			sk = pi_socktab_find(t[i], ino);
		}
		for (i = 0; i < 2 && sk == NULL && proto[0] != '\0'; i++) {
			if (t[i] == NULL)
				continue;
			load_proto(p, i == 0 ? e[0] : e[1], t[i], proto);
			sk = pi_socktab_find(t[i], ino);
		}
		/* A third namespace: the one the socket says it is in. */
		if (sk == NULL && proto[0] != '\0' &&
		    (e[0] = sock_ns(p, fd)) != NULL && e[0] != e[1] &&
		    e[0]->nl >= 0 && sd_kind_of(proto) >= 0) {
			load_proto(p, e[0], &e[0]->tab, proto);
			sk = pi_socktab_find(&e[0]->tab, ino);
		}
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
describe(struct proc *p, struct pi_socktab *local, int pathfd,
    const char *name, const char *link, const char *info, struct fdrec *r,
    char *out, size_t cap)
{
	const char *pidline;
	size_t len;

	switch (r->kind) {
	case PI_SOCKET:
		describe_socket(p, local, pathfd, name, r->fd, link, out, cap,
		    &r->listening);
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

static const char deleted_suffix[] = " (deleted)";
#define DELETED_LEN (sizeof deleted_suffix - 1)

/*
 * Whether the file behind a path link is deleted, decided from the file
 * (st, through the descriptor), not from the text: no link left
 * (st_nlink 0), or the kernel's " (deleted)" suffix on a name that does
 * not lead to this same file (a file literally named "x (deleted)" does).
 * When it is, the kernel's suffix is cut from link.
 */
static bool
path_deleted(struct proc *p, char *link, const struct stat *st)
{
	size_t len = strlen(link);
	bool suffix = len > DELETED_LEN &&
	    strcmp(link + len - DELETED_LEN, deleted_suffix) == 0;
	char path[PATH_MAX + 8];
	struct stat here;
	bool del;

	if (st->st_mode == 0 || link[0] != '/')
		return false;
	if (st->st_nlink == 0) {
		del = true;
	} else if (!suffix) {
		return false;
	} else {
		/* The name as it reads, in the process's root. */
		snprintf(path, sizeof path, "root%s", link);
		del = !(fstatat(p->piddir, path, &here, 0) == 0 &&
		    here.st_dev == st->st_dev && here.st_ino == st->st_ino);
	}
	if (del && suffix)
		link[len - DELETED_LEN] = '\0';
	return del;
}

/*
 * Does fdinfo (info) have what a file of this anon_inode link shows?  Two
 * anonymous files share one inode, so the kind must come from the same
 * file as the flags: an eventfd's fdinfo has its count, a timerfd's its
 * clock, a signalfd's its mask, a pidfd's its pid.
 */
static bool
anon_matches(const char *link, const char *info)
{
	static const struct { const char *link, *line; } sig[] = {
		{ "anon_inode:[eventfd]", "\neventfd-count:" },
		{ "anon_inode:[timerfd]", "\nclockid:" },
		{ "anon_inode:[signalfd]", "\nsigmask:" },
		{ "anon_inode:[pidfd]", "\nPid:" },
	};
	size_t i;

	for (i = 0; i < sizeof sig / sizeof sig[0]; i++)
		if (strcmp(link, sig[i].link) == 0)
			return strstr(info, sig[i].line) != NULL;
	return true;
}

/*
 * Reads what fd is, all of one open file, though the process may re-point
 * the descriptor (dup2) while it is read.  fdinfo first: the flags, and
 * the file's inode (Linux 5.14+) and mount.  Then:
 *   - a link that names its inode ("socket:[N]", "pipe:[N]") must name
 *     fdinfo's; an anon_inode link must be the kind fdinfo shows;
 *   - anything else (a path, a memfd, or any file on a kernel whose
 *     fdinfo has no inode) is opened once through /proc/PID/fd/N (O_PATH:
 *     nothing of it runs) and its link and status read through this
 *     command's own descriptor *pathfd, which cannot change; its inode
 *     and mount (statx, Linux 5.8+) must be fdinfo's.
 * st is filled for the second kind only (st_mode 0 otherwise).  Returns 1
 * when it all agrees, 0 when it did not (nothing left open), -1 when the
 * fd is gone or could not be read (errno).
 */
static int
read_fd(struct proc *p, const char *name, char *info, size_t icap,
    struct pi_fdinfo *fi, char *link, size_t lcap, struct stat *st,
    bool need_stat, bool need_link, bool *skip, int *pathfd)
{
	char self[32];
	unsigned long lino;
	ssize_t n;
	int fd, e;

	*skip = false;
	*pathfd = -1;
	memset(st, 0, sizeof *st);
	if ((n = read_at(p->infodir, name, info, icap)) < 0)
		return -1;
	if (pi_fdinfo_parse(info, (size_t)n, fi) < 0 || !fi->has_flags) {
		*skip = true;
		return 1;
	}
	if (!need_link && (fi->flags & O_CLOEXEC)) {
		*skip = true;	/* nothing more is read of it */
		return 1;
	}
	if (fi->ino != 0 && !need_stat) {
		if ((n = readlinkat(p->fddir, name, link, lcap - 1)) < 0)
			return -1;
		link[n] = '\0';
		if (pi_link_inode(link, "socket:[", &lino) ||
		    pi_link_inode(link, "pipe:[", &lino))
			return lino == fi->ino;
		if (strncmp(link, "anon_inode:", 11) == 0 ||
		    strncmp(link, "pidfd:", 6) == 0)
			return anon_matches(link, info);
		/* A path: read again through one open file. */
	}
	if ((fd = openat(p->fddir, name, O_PATH | O_CLOEXEC)) < 0)
		return -1;
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	if ((n = readlink(self, link, lcap - 1)) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	link[n] = '\0';
#ifdef STATX_MNT_ID
	{
		struct statx sx;

		if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS |
		    STATX_MNT_ID, &sx) == 0) {
			st->st_mode = sx.stx_mode;
			st->st_ino = (ino_t)sx.stx_ino;
			st->st_nlink = sx.stx_nlink;
			st->st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
			if (fi->mnt_id >= 0 && (sx.stx_mask & STATX_MNT_ID) &&
			    sx.stx_mnt_id != (unsigned long long)fi->mnt_id) {
				close(fd);
				return 0;
			}
		} else if (fstat(fd, st) < 0) {
			memset(st, 0, sizeof *st);
		}
	}
#else
	if (fstat(fd, st) < 0)
		memset(st, 0, sizeof *st);
#endif
	if (st->st_mode != 0 && fi->ino != 0 && fi->ino != st->st_ino) {
		close(fd);
		return 0;
	}
	if (strncmp(link, "anon_inode:", 11) == 0 && !anon_matches(link, info)) {
		close(fd);
		return 0;
	}
	*pathfd = fd;
	return 1;
}

#define READ_TRIES 4

/* Looks at one fd: 0 (recorded or skipped), or -1 with errno. */
static int
scan_fd(struct proc *p, struct scan *s, const struct opts *o, int fd,
    struct pi_socktab *local, bool *parent_loaded)
{
	char name[16], info[4096], link[PATH_MAX], target[PATH_MAX + 64];
	struct pi_fdinfo fi;
	struct fdrec r;
	struct stat st;
	bool skip;
	int tries, ok = 0, pathfd = -1;

	snprintf(name, sizeof name, "%d", fd);
	for (tries = 0; tries < READ_TRIES && ok == 0; tries++) {
		ok = read_fd(p, name, info, sizeof info, &fi, link, sizeof link,
		    &st, o->inherited, s->self, &skip, &pathfd);
		if (ok < 0)
			return audit_gone_errno(errno) ? 0 : -1;  /* closed meanwhile */
		if (skip)
			return 0;
	}
	memset(&r, 0, sizeof r);
	r.fd = fd;
	r.cloexec = (fi.flags & O_CLOEXEC) != 0;
	r.inherited = -1;
	if (ok == 0) {
		/* Re-pointed under every read: no one file to describe. */
		r.kind = PI_UNKNOWN;
		snprintf(target, sizeof target, "(changed during scan)");
	} else {
		/*
		 * The file's mode tells a path's kind (file, dir, fifo,
		 * device) and its link count a deleted one; --inherited
		 * matches by device and inode.
		 */
		r.dev = st.st_dev;
		r.ino = st.st_ino;
		r.kind = pi_kind_from_link(link, st.st_mode);
		r.deleted = (r.kind == PI_FILE || r.kind == PI_DIR ||
		    r.kind == PI_FIFO) && path_deleted(p, link, &st);
		describe(p, local, pathfd, name, link, info, &r, target,
		    sizeof target);
		if (pathfd >= 0)
			close(pathfd);
		if (o->inherited)
			r.inherited = (signed char)audit_inherited(p, s,
			    parent_loaded, &r);
	}
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
	cur_ns = NULL;
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
	for (i = 0; i < netns_n; i++) {
		pi_socktab_free(&netns_v[i]->tab);
		if (netns_v[i]->nl >= 0)
			close(netns_v[i]->nl);
		free(netns_v[i]);
	}
	free(netns_v);
	netns_v = NULL;
	cur_ns = NULL;
	netns_n = netns_cap = 0;
}
