/*
 * leaker.c - a process for `noinherit audit` to look at.
 *
 *   leaker DIR READYFD leak     descriptors of every kind, most of them
 *                               without close-on-exec, at fixed numbers
 *   leaker DIR READYFD clean    nothing beyond 0-2
 *
 * Once ready it writes one line on READYFD, "PORT CLOEXEC_PORT\n" (the
 * ports of its two TCP listeners), closes it and sleeps until killed; it
 * also dies with its parent.  It uses raw calls, not libnoinherit, so that
 * it can make the leaks the audit must find.  The numbers are in leaker.h.
 * Any fd it inherited is closed first, except LK_PASSED (the test's own
 * file, for --inherited) and READYFD.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "leaker.h"

static const char *dir;

static void
die(const char *what)
{
	fprintf(stderr, "leaker: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Moves fd to number `to`: dup2 clears close-on-exec, dup3 sets it. */
static void
place(int fd, int to, int cloexec, const char *what)
{
	if (fd < 0)
		die(what);
	if (fd == to)
		die("placed on its own number");
	if ((cloexec ? dup3(fd, to, O_CLOEXEC) : dup2(fd, to)) < 0)
		die(what);
	close(fd);
}

static char *
in_dir(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

/* A TCP listener on 127.0.0.1, any port; returns the port. */
static int
tcp_listener(int to, int cloexec)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0)
		die("socket");
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 4) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0)
		die("tcp listener");
	place(s, to, cloexec, "tcp");
	return ntohs(a.sin_port);
}

static void
sockets(void)
{
	struct sockaddr_un u;
	struct sockaddr_in a;
	int s, sv[2];

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&u, 0, sizeof u);
	u.sun_family = AF_UNIX;
	if (strlen(in_dir(LK_SOCK_NAME)) >= sizeof u.sun_path)
		die("socket path too long");
	memcpy(u.sun_path, in_dir(LK_SOCK_NAME), strlen(in_dir(LK_SOCK_NAME)));
	if (s < 0 || bind(s, (struct sockaddr *)&u, sizeof u) < 0 ||
	    listen(s, 4) < 0)
		die("unix listener");
	place(s, LK_UNIX_LISTEN, 0, "unix");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair");
	place(sv[0], LK_PAIR, 0, "pair");
	place(sv[1], LK_PAIR + 1, 0, "pair");
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0)
		die("udp");
	place(s, LK_UDP, 0, "udp");
}

static void
files(void)
{
	int fd, p[2];
	sigset_t mask;

	if (pipe(p) < 0)
		die("pipe");
	place(p[0], LK_PIPE, 0, "pipe");
	place(p[1], LK_PIPE + 1, 0, "pipe");
	fd = open(in_dir(LK_GONE_NAME), O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || unlink(in_dir(LK_GONE_NAME)) < 0)
		die("deleted file");
	place(fd, LK_DELETED, 0, "deleted");
	if (mkfifo(in_dir(LK_FIFO_NAME), 0600) < 0)
		die("mkfifo");
	place(open(in_dir(LK_FIFO_NAME), O_RDWR), LK_FIFO, 0, "fifo");
	place(open(dir, O_RDONLY | O_DIRECTORY), LK_DIR, 0, "dir");
	place(open(in_dir(LK_ODD_NAME), O_RDWR | O_CREAT, 0600), LK_ODD, 0,
	    "odd name");
	place(eventfd(0, 0), LK_EVENTFD, 0, "eventfd");
	place((int)syscall(SYS_memfd_create, "leaky", 0), LK_MEMFD, 0,
	    "memfd");
	place(epoll_create1(0), LK_EPOLL, 0, "epoll");
	place(timerfd_create(CLOCK_MONOTONIC, 0), LK_TIMERFD, 0, "timerfd");
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	place(signalfd(-1, &mask, 0), LK_SIGNALFD, 0, "signalfd");
	place(inotify_init1(0), LK_INOTIFY, 0, "inotify");
	/* pidfd_open sets close-on-exec itself; dup2 clears it. */
	place((int)syscall(SYS_pidfd_open, getpid(), 0), LK_PIDFD, 0, "pidfd");
	/* A second description-sharing copy of the passed fd, elsewhere. */
	if (fcntl(LK_PASSED, F_GETFD) >= 0 && dup2(LK_PASSED, LK_PASSED_DUP) < 0)
		die("dup2 passed");
}

/* What must not be reported: the same kinds, close-on-exec. */
static int
cloexec_ones(void)
{
	int p[2], port;

	port = tcp_listener(LK_CX_TCP, 1);
	place(open(in_dir(LK_CX_NAME), O_RDWR | O_CREAT, 0600), LK_CX_FILE,
	    1, "cloexec file");
	if (pipe(p) < 0)
		die("pipe");
	place(p[0], LK_CX_PIPE, 1, "cloexec pipe");
	place(p[1], LK_CX_PIPE + 1, 1, "cloexec pipe");
	place(eventfd(0, 0), LK_CX_EVENTFD, 1, "cloexec eventfd");
	return port;
}

int
main(int argc, char **argv)
{
	int ready, port = 0, cxport = 0, fd;
	char line[64];

	if (argc != 4)
		return 2;
	dir = argv[1];
	ready = atoi(argv[2]);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (fd = 3; fd < 1024; fd++)
		if (fd != ready && fd != LK_PASSED)
			close(fd);
	if (strcmp(argv[3], "leak") == 0) {
		/* An odd name: the audit must cut comm at the last ')'. */
		prctl(PR_SET_NAME, LK_COMM);
		port = tcp_listener(LK_TCP_LISTEN, 0);
		sockets();
		files();
		cxport = cloexec_ones();
	} else if (fcntl(LK_PASSED, F_GETFD) >= 0) {
		close(LK_PASSED);
	}
	snprintf(line, sizeof line, "%d %d\n", port, cxport);
	if (write(ready, line, strlen(line)) < 0)
		die("ready");
	close(ready);
	for (;;)
		pause();
}
