/*
 * audit_inherited.c - `noinherit audit --inherited`: does the parent hold
 * the same open file description as the process?  kcmp(2) answers; without
 * it (a kernel built without CONFIG_KCMP), pidfd_getfd(2) and
 * F_DUPFD_QUERY; without those, the fds are not marked, and that is said
 * once.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#include <unistd.h>

/* From <linux/kcmp.h>, which C libraries other than glibc may not ship. */
#if defined(__linux__) && !defined(KCMP_FILE)
#define KCMP_FILE 0
#endif

#include "audit.h"
#include "cli.h"

/* How --inherited compares open file descriptions; falls back once. */
static enum { SAME_KCMP, SAME_PIDFD, SAME_NONE } same_method;
static bool same_refused;	/* said so once */

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
		if ((fd = audit_parse_num(d->d_name)) < 0 ||
		    fstatat(dirfd(dir), d->d_name, &st, 0) < 0 ||
		    audit_grow((void **)&s->par, &s->parcap, s->npar + 1,
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
		cli_say("audit", "--inherited: not available here (needs "
		    "kcmp(2), or pidfd_getfd(2) and F_DUPFD_QUERY of Linux "
		    "6.10): descriptors are not marked");
	else
		cli_say("audit", "--inherited: kcmp(2) is not permitted "
		    "(%s): some descriptors are not marked; run as root",
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
int
audit_inherited(struct proc *p, struct scan *s, bool *parent_loaded,
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
		if (!audit_gone_errno(errno))
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
