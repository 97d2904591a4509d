/*
 * refused.c - enforce where the close-on-exec forms are refused (issue
 * #12): run under the shim in enforce mode inside tests/fallback's
 * sandbox (--seccomp=enosys: ENOSYS/EINVAL, --seccomp=eperm: EPERM), every
 * call below -- none of which asks for close-on-exec itself, so each
 * works for the program without the shim -- must still succeed, keep its
 * other flags (NONBLOCK), and give a close-on-exec descriptor (also one
 * made by a pthread_atfork handler inside the fork hook, which must not
 * wait for its own lock); a child exec'd at the end must receive none.
 *
 *   preload_refused            the checks (exit 0, 1 on a failure)
 *   preload_refused list       the child: prints the fds beyond 2 it got
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static int kept[64], nkept;

static void
check_fd(const char *what, int fd, int err)
{
	CHECK(fd >= 0, "%s failed: %s", what, strerror(err));
	if (fd < 0)
		return;
	CHECK(raw_cloexec(fd) == 1, "%s: fd %d close-on-exec %d", what, fd,
	    raw_cloexec(fd));
	if (nkept < 64)
		kept[nkept++] = fd;
}

#define FD_CASE(call) do { \
	int fd_; \
	errno = ERANGE; \
	fd_ = (call); \
	check_fd(#call, fd_, errno); \
	CHECK(fd_ < 0 || errno == ERANGE, "%s: errno %d, not the program's", \
	    #call, errno); \
} while (0)

#define PAIR_CASE(call, v) do { \
	int r_ = (call); \
	check_fd(#call " [0]", r_ == 0 ? (v)[0] : -1, errno); \
	check_fd(#call " [1]", r_ == 0 ? (v)[1] : -1, errno); \
} while (0)

static int
nonblock(int fd)
{
	int fl = (int)syscall(SYS_fcntl, fd, F_GETFL);

	return fl >= 0 && (fl & O_NONBLOCK) != 0;
}

static int
received(struct msghdr *m)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(m);
	int fd = -1;

	if (c != NULL && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

static void
send_fd(int sock, int fd)
{
	char data = 'x', ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &data, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	CHECK(sendmsg(sock, &m, 0) == 1, "sendmsg: %s", strerror(errno));
}

static void
creators(const char *dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int p[2], sv[2], l, c, fd;
	sigset_t mask;
	FILE *fp;

	PAIR_CASE(pipe(p), p);
	PAIR_CASE(pipe2(p, 0), p);
	PAIR_CASE(pipe2(p, O_NONBLOCK), p);
	CHECK(nonblock(p[0]) && nonblock(p[1]), "pipe2: O_NONBLOCK lost");
	FD_CASE(socket(AF_UNIX, SOCK_STREAM, 0));
	FD_CASE(fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
	CHECK(nonblock(fd), "socket: SOCK_NONBLOCK lost");
	PAIR_CASE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), sv);
	FD_CASE(dup(0));
	FD_CASE(fcntl(0, F_DUPFD, 20));
	FD_CASE(epoll_create(1));
	FD_CASE(epoll_create1(0));
	FD_CASE(eventfd(0, 0));
	FD_CASE(fd = eventfd(0, EFD_NONBLOCK));
	CHECK(nonblock(fd), "eventfd: EFD_NONBLOCK lost");
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	FD_CASE(signalfd(-1, &mask, 0));
	FD_CASE(timerfd_create(CLOCK_MONOTONIC, 0));
	FD_CASE(inotify_init());
	FD_CASE(inotify_init1(0));
	FD_CASE(memfd_create("refused", 0));
	FD_CASE(open("/dev/null", O_RDONLY));

	/* A listening socket, accept and accept4. */
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0 && bind(l, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
	    listen(l, 4) == 0, "listen: %s", strerror(errno));
	for (int i = 0; i < 3; i++) {
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		CHECK(connect(c, (struct sockaddr *)&sun, sizeof(sun)) == 0,
		    "connect: %s", strerror(errno));
	}
	FD_CASE(accept(l, NULL, NULL));
	FD_CASE(accept4(l, NULL, NULL, 0));
	FD_CASE(fd = accept4(l, NULL, NULL, SOCK_NONBLOCK));
	CHECK(nonblock(fd), "accept4: SOCK_NONBLOCK lost");

	/* SCM_RIGHTS: recvmsg, recvmmsg. */
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0) {
		char data, ctl[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { &data, 1 };
		struct mmsghdr mm = { .msg_hdr = { .msg_iov = &iov,
		    .msg_iovlen = 1, .msg_control = ctl,
		    .msg_controllen = sizeof(ctl) } };

		send_fd(sv[0], 0);
		FD_CASE(recvmsg(sv[1], &mm.msg_hdr, 0) == 1 ?
		    received(&mm.msg_hdr) : -1);
		send_fd(sv[0], 0);
		mm.msg_hdr.msg_controllen = sizeof(ctl);
		FD_CASE(recvmmsg(sv[1], &mm, 1, 0, NULL) == 1 ?
		    received(&mm.msg_hdr) : -1);
	}

	/* freopen onto a number above 2 (glibc's dup3 with O_CLOEXEC is
	 * refused here: the shim must not ask for it). */
	fp = fopen("/dev/null", "r");
	CHECK(fp != NULL, "fopen: %s", strerror(errno));
	fp = fp != NULL ? freopen("/dev/zero", "r", fp) : NULL;
	CHECK(fp != NULL, "freopen: %s", strerror(errno));
	if (fp != NULL)
		check_fd("freopen", fileno(fp), errno);
}

/* An atfork handler that creates descriptors while the fork hook holds
 * the either-or lock's exclusive side: it must not wait for itself. */
static int atfork_fds[2] = { -1, -1 };

static void
atfork_prepare(void)
{
	if (atfork_fds[0] < 0 && pipe(atfork_fds) != 0)
		atfork_fds[0] = -2;
}

static void
fork_with_handler(void)
{
	pid_t pid;
	int st;

	pthread_atfork(atfork_prepare, NULL, NULL);
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && st == 0,
	    "fork with an atfork handler: %s", strerror(errno));
	check_fd("pipe() in an atfork handler [0]", atfork_fds[0], errno);
	check_fd("pipe() in an atfork handler [1]", atfork_fds[1], errno);
}

static int
list(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	printf("received:");
	while (d != NULL && (e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd > 2 && raw_cloexec(fd) == 0)
			printf(" %d", fd);
	}
	printf("\n");
	return 0;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/ni-refused-XXXXXX", path[64], out[256] = "";
	int p[2], st;
	ssize_t n;
	pid_t pid;

	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return list();
	/* What the harness leaked (close_range is refused in the sandbox). */
	for (int fd = 3; fd < 1024; fd++)
		syscall(SYS_close, fd);
	if (getenv("NI_TEST_MODE") == NULL ||
	    strncmp(getenv("NI_TEST_MODE"), "seccomp", 7) != 0)
		fprintf(stderr, "refused: not in the seccomp sandbox "
		    "(NI_TEST_MODE unset): the atomic forms work here\n");
	if (mkdtemp(dir) == NULL)
		return 2;
	creators(dir);
	fork_with_handler();

	/* What a child receives: nothing of the above. */
	if (syscall(SYS_pipe2, p, 0) != 0)
		return 2;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl("/proc/self/exe", "refused", "list", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	waitpid(pid, &st, 0);
	CHECK(strcmp(out, "received:\n") == 0, "the child got: %s", out);
	printf("%d descriptors checked in mode %s\n", nkept,
	    getenv("NI_TEST_MODE") != NULL ? getenv("NI_TEST_MODE") : "-");
	snprintf(path, sizeof(path), "%s/sock", dir);
	unlink(path);
	rmdir(dir);
	return check_failures != 0;
}
