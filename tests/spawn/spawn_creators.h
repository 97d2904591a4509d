/*
 * spawn_creators.h - the descriptor makers of test_spawn_threads: every
 * ni_ creator of noinherit.h by kind (make_one makes one descriptor, or a
 * pair, and closes it at once), the naive open-then-fcntl creator of the
 * control, and each creating thread's private things (a directory fd, a
 * loopback TCP listener for accept, a socket pair for SCM_RIGHTS).
 *
 * Part of test_spawn_threads.c, which alone includes it; the assertions
 * (worker_setup, probe_creators) run in its main thread only.
 */
#ifndef NI_SPAWN_CREATORS_H
#define NI_SPAWN_CREATORS_H

#include "spawn_harness.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>

/* One creator thread's private things. */
struct worker {
	int id;
	int dirfd;		/* tu_tmpdir */
	int listener;		/* loopback TCP */
	struct sockaddr_in addr;
	int sv[2];		/* SCM_RIGHTS */
	char path[PATH_MAX];	/* for creat */
	bool naive;
	long made;
};

static int
closed(int fd)
{
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
closed2(int rc, const int fd[2])
{
	if (rc != 0)
		return -1;
	close(fd[0]);
	close(fd[1]);
	return 0;
}

/* A close that sends RST: no TIME_WAIT piles up over thousands. */
static void
close_rst(int fd)
{
	struct linger l = { 1, 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(fd);
}

static int
mk_accept(struct worker *w, bool four)
{
	int c = ni_socket(AF_INET, SOCK_STREAM, 0), s;

	if (c < 0)
		return -1;
	if (connect(c, (struct sockaddr *)&w->addr, sizeof w->addr) != 0) {
		close(c);
		return -1;
	}
	s = four ? ni_accept4(w->listener, NULL, NULL, SOCK_NONBLOCK) :
	    ni_accept(w->listener, NULL, NULL);
	if (s >= 0)
		close_rst(s);
	close_rst(c);
	return s < 0 ? -1 : 0;
}

static int
mk_recvmsg(struct worker *w)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cb;
	char byte = 'x';
	struct iovec iov = { &byte, 1 };
	struct msghdr m;
	struct cmsghdr *cm;
	int fd = 0;

	memset(&m, 0, sizeof m);
	memset(&cb, 0, sizeof cb);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cb.buf;
	m.msg_controllen = sizeof cb.buf;
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	if (sendmsg(w->sv[0], &m, 0) != 1)
		return -1;
	memset(&cb, 0, sizeof cb);
	m.msg_controllen = sizeof cb.buf;
	if (ni_recvmsg(w->sv[1], &m, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	if (cm == NULL || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof fd);
	return closed(fd);
}

static int
mk_fopen(struct worker *w)
{
	FILE *f = ni_fopen(tu_regfile, "r");

	(void)w;
	if (f == NULL)
		return -1;
	fclose(f);
	return 0;
}

static int
mk_openpty(struct worker *w)
{
	int m, s;

	(void)w;
	if (ni_openpty(&m, &s, NULL, NULL, NULL) != 0)
		return -1;
	close(m);
	close(s);
	return 0;
}

static int
mk_tmp(struct worker *w, bool o)
{
	char t[PATH_MAX];
	int fd;

	if (snprintf(t, sizeof t, "%s/tmp%d-XXXXXX", tu_tmpdir, w->id) >=
	    (int)sizeof t)
		return -1;
	fd = o ? ni_mkostemp(t, O_APPEND) : ni_mkstemp(t);
	if (fd < 0)
		return -1;
	unlink(t);
	close(fd);
	return 0;
}

static int
mk_signalfd(struct worker *w)
{
	sigset_t set;

	(void)w;
	sigemptyset(&set);
	sigaddset(&set, SIGURG);
	return closed(ni_signalfd(-1, &set, 0));
}


/* Every ni_ creator, by kind: make one (or two), close at once. */
enum kind {
	K_OPEN, K_OPENAT, K_CREAT, K_FOPEN, K_DUP, K_DUPFD, K_DUP2, K_PIPE,
	K_PIPE2, K_SOCKET, K_SOCKET_INET, K_SOCKETPAIR, K_ACCEPT, K_ACCEPT4,
	K_RECVMSG, K_OPENPTY, K_POSIX_OPENPT, K_MKSTEMP, K_MKOSTEMP, K_EPOLL,
	K_EVENTFD, K_TIMERFD, K_SIGNALFD, K_INOTIFY, K_MEMFD, K_KQUEUE, NKINDS
};

static const char *const kind_name[NKINDS] = {
	"open", "openat", "creat", "fopen", "dup", "dupfd", "dup2", "pipe",
	"pipe2", "socket", "socket(AF_INET)", "socketpair", "accept",
	"accept4", "recvmsg", "openpty", "posix_openpt", "mkstemp",
	"mkostemp", "epoll_create1", "eventfd", "timerfd_create", "signalfd",
	"inotify_init1", "memfd_create", "kqueue",
};

/* Kinds that failed when probed: not on this system. */
static bool kind_off[NKINDS];

/* One descriptor (or pair) of this kind, closed again: 0, or -1. */
static int
make_one(struct worker *w, enum kind k)
{
	int p[2];

	switch (k) {
	case K_OPEN: return closed(ni_open(tu_regfile, O_RDONLY));
	case K_OPENAT: return closed(ni_openat(w->dirfd, "file", O_RDONLY));
	case K_CREAT: return closed(ni_creat(w->path, 0600));
	case K_FOPEN: return mk_fopen(w);
	case K_DUP: return closed(ni_dup(0));
	case K_DUPFD: return closed(ni_dupfd(0, 10));
	case K_DUP2: return closed(ni_dup2(0, 1000 + w->id, false));
	case K_PIPE: return closed2(ni_pipe(p), p);
	case K_PIPE2: return closed2(ni_pipe2(p, O_NONBLOCK), p);
	case K_SOCKET: return closed(ni_socket(AF_UNIX, SOCK_STREAM, 0));
	case K_SOCKET_INET:
		return closed(ni_socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
	case K_SOCKETPAIR:
		return closed2(ni_socketpair(AF_UNIX, SOCK_STREAM, 0, p), p);
	case K_ACCEPT: return mk_accept(w, false);
	case K_ACCEPT4: return mk_accept(w, true);
	case K_RECVMSG: return mk_recvmsg(w);
	case K_OPENPTY: return mk_openpty(w);
	case K_POSIX_OPENPT: return closed(ni_posix_openpt(O_RDWR | O_NOCTTY));
	case K_MKSTEMP: return mk_tmp(w, false);
	case K_MKOSTEMP: return mk_tmp(w, true);
	case K_EPOLL: return closed(ni_epoll_create1(0));
	case K_EVENTFD: return closed(ni_eventfd(0, EFD_NONBLOCK));
	case K_TIMERFD: return closed(ni_timerfd_create(CLOCK_MONOTONIC, 0));
	case K_SIGNALFD: return mk_signalfd(w);
	case K_INOTIFY: return closed(ni_inotify_init1(0));
	case K_MEMFD: return closed(ni_memfd_create("ni-spawn", 0));
	case K_KQUEUE: return closed(ni_kqueue());
	default: return -1;
	}
}

/* The control's creator: the race every ni_ creator closes. */
static int
naive_open(struct worker *w)
{
	int fd = open(tu_regfile, O_RDONLY);

	(void)w;
	if (fd < 0)
		return -1;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	close(fd);
	return 0;
}


static void
worker_setup(struct worker *w, int id, bool naive)
{
	socklen_t len = sizeof w->addr;
	int one = 1;

	memset(w, 0, sizeof *w);
	w->id = id;
	w->naive = naive;
	w->dirfd = open(tu_tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(w->dirfd >= 0);
	assert_true(snprintf(w->path, sizeof w->path, "%s/creat%d", tu_tmpdir,
	    id) < (int)sizeof w->path);
	w->listener = ni_socket(AF_INET, SOCK_STREAM, 0);
	assert_true(w->listener >= 0);
	(void)setsockopt(w->listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	w->addr.sin_family = AF_INET;
	w->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(w->listener, (struct sockaddr *)&w->addr,
	    sizeof w->addr), 0);
	assert_int_equal(getsockname(w->listener, (struct sockaddr *)&w->addr,
	    &len), 0);
	assert_int_equal(listen(w->listener, 16), 0);
	assert_int_equal(ni_socketpair(AF_UNIX, SOCK_DGRAM, 0, w->sv), 0);
}

static void
worker_teardown(struct worker *w)
{
	close(w->dirfd);
	close(w->listener);
	close(w->sv[0]);
	close(w->sv[1]);
}

/* Each creator once, alone: those that fail here are not on this system
 * (openpty without devpts, kqueue off BSD) and are left out, said. */
static void
probe_creators(struct worker *w)
{
	int k, n0 = tu_fd_count();

	for (k = 0; k < NKINDS; k++) {
		kind_off[k] = make_one(w, (enum kind)k) != 0;
		if (kind_off[k])
			print_message("creator %s unavailable here: %s\n",
			    kind_name[k], strerror(errno));
		assert_int_equal(tu_fd_count(), n0);
	}
	assert_false(kind_off[K_OPEN] || kind_off[K_PIPE] ||
	    kind_off[K_SOCKET] || kind_off[K_ACCEPT]);
}

#endif /* NI_SPAWN_CREATORS_H */
