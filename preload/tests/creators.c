/*
 * creators.c - every creator the shim hooks, run under the shim, each
 * descriptor's flag read back with a raw fcntl(F_GETFD).
 *
 *   preload_creators enforce   every descriptor made close-on-exec
 *   preload_creators chain     the same, with another preload ahead
 *                              (tests/chain.c strips O_CLOEXEC from open)
 *   preload_creators behind    the same, with chain.c behind the shim:
 *                              the shim's open must call it
 *   preload_creators off       nothing added (no or unknown NOINHERIT_MODE,
 *                              or an exempt program)
 *   preload_creators trace     nothing added either
 *
 * In every mode: dup2/dup3 targets stay inheritable, fcntl(F_SETFD, 0) and
 * ioctl(FIONCLEX) win, a descriptor landing on 0-2 is inheritable unless
 * the program asked otherwise, one present at a program's start is left
 * alone, and errno is what the real call left.
 * CTest sets LD_PRELOAD and NOINHERIT_* (preload/tests/CMakeLists.txt).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* The fortified entries, called directly. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

static bool want_cloexec;	/* enforce, chain */
static bool chained;		/* chain.c strips the program's O_CLOEXEC */
static bool behind;		/* chain.c behind the shim, keeping flags */
static int checked;
static char dir[64] = "/tmp/ni-preload-XXXXXX";
static char file[128];

static void
check_fd(const char *what, int fd, int err)
{
	int c;

	CHECK(fd >= 0, "%s failed: %s", what, strerror(err));
	if (fd < 0)
		return;
	c = raw_cloexec(fd);
	CHECK(c == want_cloexec, "%s: fd %d close-on-exec %d, expected %d",
	    what, fd, c, want_cloexec);
	checked++;
}

#define FD_CASE(call) do { \
	int fd_ = (call); \
	check_fd(#call, fd_, errno); \
	if (fd_ >= 0) \
		close(fd_); \
} while (0)

#define PAIR_CASE(call, fds) do { \
	int r_ = (call); \
	check_fd(#call " [0]", r_ == 0 ? (fds)[0] : -1, errno); \
	check_fd(#call " [1]", r_ == 0 ? (fds)[1] : -1, errno); \
	if (r_ == 0) { \
		close((fds)[0]); \
		close((fds)[1]); \
	} \
} while (0)

#define STREAM_CASE(call, closer) do { \
	FILE *fp_ = (call); \
	check_fd(#call, fp_ != NULL ? fileno(fp_) : -1, errno); \
	if (fp_ != NULL) \
		closer(fp_); \
} while (0)

/* Creators that may be refused here (no privilege, no kernel support). */
static bool
refused(int fd)
{
	return fd < 0 && (errno == EPERM || errno == ENOSYS ||
	    errno == EOPNOTSUPP || errno == EINVAL || errno == ENOENT);
}

static void
files(void)
{
	char tmpl[160];

	FD_CASE(open(file, O_RDWR | O_CREAT, 0600));
	FD_CASE(open64(file, O_RDONLY));
	FD_CASE(openat(AT_FDCWD, file, O_RDONLY));
	FD_CASE(openat64(AT_FDCWD, file, O_RDONLY));
	FD_CASE(__open_2(file, O_RDONLY));
	FD_CASE(__open64_2(file, O_RDONLY));
	FD_CASE(__openat_2(AT_FDCWD, file, O_RDONLY));
	FD_CASE(__openat64_2(AT_FDCWD, file, O_RDONLY));
	FD_CASE(open(dir, O_RDWR | O_TMPFILE, 0600));
	FD_CASE(creat(file, 0600));
	FD_CASE(creat64(file, 0600));
#define TMPL(suffix) (snprintf(tmpl, sizeof(tmpl), "%s/mXXXXXX%s", dir, \
	suffix), tmpl)
	FD_CASE(mkstemp(TMPL("")));
	FD_CASE(mkstemp64(TMPL("")));
	FD_CASE(mkostemp(TMPL(""), 0));
	FD_CASE(mkostemp64(TMPL(""), O_APPEND));
	FD_CASE(mkstemps(TMPL(".c"), 2));
	FD_CASE(mkstemps64(TMPL(".c"), 2));
	FD_CASE(mkostemps(TMPL(".c"), 2, 0));
	FD_CASE(mkostemps64(TMPL(".c"), 2, 0));
#undef TMPL
}

static void
streams(void)
{
	FILE *fp;

	STREAM_CASE(fopen(file, "r"), fclose);
	STREAM_CASE(fopen64(file, "r+"), fclose);
	STREAM_CASE(fopen(file, "r,ccs=UTF-8"), fclose);
	fp = fopen("/dev/null", "r");
	STREAM_CASE(freopen(file, "r", fp), fclose);
	fp = fopen("/dev/null", "r");
	STREAM_CASE(freopen64(file, "r", fp), fclose);
	STREAM_CASE(tmpfile(), fclose);
	STREAM_CASE(tmpfile64(), fclose);
	STREAM_CASE(popen("exit 0", "r"), pclose);
	STREAM_CASE(popen("cat >/dev/null", "w"), pclose);
}

static int
send_fd(int sock, int fd)
{
	char data = 'x', ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &data, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/* The descriptor in the SCM_RIGHTS message msg brought, or -1. */
static int
fd_of(struct msghdr *msg)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(msg);
	int fd;

	if (c == NULL || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void
sockets(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int sv[2], l, c1, c2, c3, fl;

	FD_CASE(socket(AF_UNIX, SOCK_STREAM, 0));
	l = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	check_fd("socket(SOCK_NONBLOCK)", l, errno);
	fl = fcntl(l, F_GETFL);
	CHECK(fl >= 0 && (fl & O_NONBLOCK), "SOCK_NONBLOCK lost: %#x", fl);
	close(l);
	PAIR_CASE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), sv);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(bind(l, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
	    listen(l, 8) == 0, "bind/listen: %s", strerror(errno));
	c1 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c3 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(connect(c1, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
	    connect(c2, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
	    connect(c3, (struct sockaddr *)&sun, sizeof(sun)) == 0,
	    "connect: %s", strerror(errno));
	FD_CASE(accept(l, NULL, NULL));
	FD_CASE(accept4(l, NULL, NULL, 0));
	c1 = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	check_fd("accept4(SOCK_NONBLOCK)", c1, errno);
	fl = fcntl(c1, F_GETFL);
	CHECK(fl >= 0 && (fl & O_NONBLOCK), "SOCK_NONBLOCK lost: %#x", fl);
	close(c1);
	close(c2);
	close(c3);
	close(l);

	/* SCM_RIGHTS, through recvmsg and recvmmsg. */
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0) {
		char data, ctl[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { &data, 1 };
		struct mmsghdr mm = { .msg_hdr = { .msg_iov = &iov,
		    .msg_iovlen = 1, .msg_control = ctl,
		    .msg_controllen = sizeof(ctl) } };

		send_fd(sv[0], 0);
		FD_CASE(recvmsg(sv[1], &mm.msg_hdr, 0) == 1 ?
		    fd_of(&mm.msg_hdr) : -1);
		send_fd(sv[0], 0);
		mm.msg_hdr.msg_controllen = sizeof(ctl);
		FD_CASE(recvmmsg(sv[1], &mm, 1, 0, NULL) == 1 ?
		    fd_of(&mm.msg_hdr) : -1);
		close(sv[0]);
		close(sv[1]);
	}
}

static void
pipes_and_dups(void)
{
	int p[2], fd, fl;

	PAIR_CASE(pipe(p), p);
	PAIR_CASE(pipe2(p, 0), p);
	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe2: %s", strerror(errno));
	check_fd("pipe2(O_NONBLOCK)", p[0], 0);
	fl = fcntl(p[0], F_GETFL);
	CHECK(fl >= 0 && (fl & O_NONBLOCK), "O_NONBLOCK lost: %#x", fl);
	close(p[0]);
	close(p[1]);

	fd = open(file, O_RDONLY | O_CLOEXEC);
	FD_CASE(dup(fd));
	FD_CASE(fcntl(fd, F_DUPFD, 0));
	fl = fcntl(fd, F_DUPFD, 40);
	CHECK(fl >= 40, "fcntl(F_DUPFD, 40) gave %d", fl);
	check_fd("fcntl(F_DUPFD, 40)", fl, errno);
	close(fl);
	fl = fcntl64(fd, F_DUPFD, 41);
	CHECK(fl >= 41, "fcntl64(F_DUPFD, 41) gave %d", fl);
	check_fd("fcntl64(F_DUPFD, 41)", fl, errno);
	close(fl);
	close(fd);
}

static void
linux_fds(void)
{
	sigset_t mask;
	int fd;

	FD_CASE(epoll_create(1));
	FD_CASE(epoll_create1(0));
	FD_CASE(eventfd(0, 0));
	FD_CASE(eventfd(0, EFD_NONBLOCK));
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	FD_CASE(signalfd(-1, &mask, 0));
	FD_CASE(timerfd_create(CLOCK_MONOTONIC, 0));
	FD_CASE(inotify_init());
	FD_CASE(inotify_init1(0));
	FD_CASE(memfd_create("preload-test", 0));
	fd = fanotify_init(FAN_CLASS_NOTIF, O_RDONLY);
	if (!refused(fd))
		FD_CASE(fd);
	else
		printf("skipped: fanotify_init (%s)\n", strerror(errno));
}

static void
by_handle(void)
{
	struct {
		struct file_handle h;
		unsigned char bytes[MAX_HANDLE_SZ];
	} fh = { .h.handle_bytes = MAX_HANDLE_SZ };
	int mount_id, mfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;

	if (name_to_handle_at(AT_FDCWD, file, &fh.h, &mount_id, 0) != 0) {
		printf("skipped: open_by_handle_at (%s)\n", strerror(errno));
		close(mfd);
		return;
	}
	fd = open_by_handle_at(mfd, &fh.h, O_RDONLY);
	if (!refused(fd) && errno != ESTALE)
		FD_CASE(fd);
	else
		printf("skipped: open_by_handle_at (%s)\n", strerror(errno));
	close(mfd);
}

static void
ptys(void)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY), pt[2];
	pid_t pid;

	if (refused(fd)) {
		printf("skipped: ptys (%s)\n", strerror(errno));
		return;
	}
	FD_CASE(fd);
	FD_CASE(getpt());
	PAIR_CASE(openpty(&pt[0], &pt[1], NULL, NULL, NULL), pt);
	pid = forkpty(&fd, NULL, NULL, NULL);
	if (pid == 0)
		_exit(0);
	check_fd("forkpty", pid > 0 ? fd : -1, errno);
	if (pid > 0) {
		close(fd);
		waitpid(pid, NULL, 0);
	}
}

/* What passes through unchanged, in every mode. */
static void
program_wins(void)
{
	int fd = open(file, O_RDWR), p[2], c;
	struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	CHECK(dup2(fd, 50) == 50 && raw_cloexec(50) == 0,
	    "dup2 target: close-on-exec %d", raw_cloexec(50));
	CHECK(dup3(fd, 51, 0) == 51 && raw_cloexec(51) == 0,
	    "dup3(0) target: close-on-exec %d", raw_cloexec(51));
	CHECK(dup3(fd, 52, O_CLOEXEC) == 52 && raw_cloexec(52) == 1,
	    "dup3(O_CLOEXEC) target: close-on-exec %d", raw_cloexec(52));
	close(50);
	close(51);
	close(52);
	close(fd);

	fd = open(file, O_RDWR | O_CLOEXEC);
	CHECK(raw_cloexec(fd) == 1, "O_CLOEXEC asked: %d", raw_cloexec(fd));
	CHECK(fcntl(fd, F_SETFD, 0) == 0 && raw_cloexec(fd) == 0,
	    "F_SETFD 0 lost: %d", raw_cloexec(fd));
	CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && raw_cloexec(fd) == 1,
	    "F_SETFD FD_CLOEXEC lost: %d", raw_cloexec(fd));
	CHECK(ioctl(fd, FIONCLEX) == 0 && raw_cloexec(fd) == 0,
	    "FIONCLEX lost: %d", raw_cloexec(fd));
	/* The variadic argument as a pointer. */
	CHECK(fcntl(fd, F_SETLK, &lk) == 0, "F_SETLK: %s", strerror(errno));
	lk.l_type = F_RDLCK;
	CHECK(fcntl64(fd, F_GETLK, &lk) == 0 && lk.l_type == F_UNLCK,
	    "F_GETLK: %s, type %d", strerror(errno), lk.l_type);
	close(fd);
	CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
	CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0 &&
	    (fcntl(p[0], F_GETFL) & O_NONBLOCK), "F_SETFL lost");
	/* ioctl's variadic argument, a pointer. */
	c = -1;
	CHECK(write(p[1], "ab", 2) == 2 && ioctl(p[0], FIONREAD, &c) == 0 &&
	    c == 2, "FIONREAD: %d, %s", c, strerror(errno));
	close(p[0]);
	close(p[1]);

}

/* A standard stream stays inheritable (close(0); open(...)), unless the
 * program asked otherwise. */
static void
std_slots(void)
{
	int saved = fcntl(0, F_DUPFD_CLOEXEC, 10), fd, c, p[2];

	close(0);
	fd = open("/dev/null", O_RDONLY);
	c = raw_cloexec(0);
	CHECK(fd == 0 && c == 0, "open into slot 0: fd %d, close-on-exec %d",
	    fd, c);
	close(0);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(fd == 0 && raw_cloexec(0) == !chained,
	    "open(O_CLOEXEC) into slot 0: fd %d, close-on-exec %d", fd,
	    raw_cloexec(0));
	close(0);
	fd = dup(saved);
	CHECK(fd == 0 && raw_cloexec(0) == 0, "dup into slot 0: %d, %d", fd,
	    raw_cloexec(0));
	close(0);
	CHECK(pipe(p) == 0 && p[0] == 0 && raw_cloexec(0) == 0 &&
	    raw_cloexec(p[1]) == want_cloexec,
	    "pipe into slot 0: [%d %d], close-on-exec %d %d", p[0], p[1],
	    raw_cloexec(p[0]), raw_cloexec(p[1]));
	close(p[0]);
	close(p[1]);
	dup2(saved, 0);
	close(saved);
	/* freopen on a standard stream redirects it: it stays inheritable. */
	CHECK(freopen(file, "r", stdin) != NULL && raw_cloexec(0) == 0,
	    "freopen(stdin): close-on-exec %d", raw_cloexec(0));
}

/* A successful call leaves errno alone; a failing one sets its own. */
static void
errno_kept(void)
{
	char tmpl[160], *argv[] = { "none", NULL };
	int fd, p[2];
	FILE *fp;

#define KEPT(call, closer) do { \
	errno = ERANGE; \
	fd = (call); \
	CHECK_ERRNO(errno, ERANGE, #call); \
	if (fd >= 0) \
		closer; \
} while (0)
	KEPT(open("/dev/null", O_RDONLY), close(fd));
	KEPT(openat(AT_FDCWD, "/dev/null", O_RDONLY), close(fd));
	KEPT(socket(AF_UNIX, SOCK_DGRAM, 0), close(fd));
	KEPT(pipe(p), (close(p[0]), close(p[1])));
	KEPT(dup(2), close(fd));
	KEPT(fcntl(2, F_DUPFD, 0), close(fd));
	KEPT(epoll_create(1), close(fd));
	KEPT((fp = fopen("/dev/null", "r")) != NULL ? 0 : -1, fclose(fp));
	KEPT((fp = tmpfile()) != NULL ? 0 : -1, fclose(fp));
	snprintf(tmpl, sizeof(tmpl), "%s/eXXXXXX", dir);
	KEPT(mkstemp(tmpl), close(fd));
#undef KEPT

#define FAILS(call, e) do { \
	errno = 0; \
	CHECK((call) == -1, "%s did not fail", #call); \
	CHECK_ERRNO(errno, e, #call); \
} while (0)
	FAILS(open("/nonexistent/x", O_RDONLY), ENOENT);
	FAILS(__open_2("/nonexistent/x", O_RDONLY), ENOENT);
	FAILS(creat("/nonexistent/x", 0600), ENOENT);
	FAILS(fopen("/nonexistent/x", "r") != NULL ? 0 : -1, ENOENT);
	FAILS(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
	FAILS(dup(-1), EBADF);
	FAILS(fcntl(-1, F_DUPFD, 0), EBADF);
	FAILS(pipe2(p, -1), EINVAL);
	FAILS(epoll_create(0), EINVAL);
	FAILS(inotify_init1(-1), EINVAL);
	FAILS(accept(-1, NULL, NULL), EBADF);
	FAILS(mkstemp(strcpy(tmpl, "bad")), EINVAL);
	FAILS(execv("/nonexistent/x", argv), ENOENT);
	FAILS(execl("/nonexistent/x", "x", (char *)NULL), ENOENT);
	FAILS(execlp("/nonexistent/x", "x", (char *)NULL), ENOENT);
#undef FAILS
}

/* trace: the shim did write this process's records. */
static void
check_log(void)
{
	const char *log = getenv("NI_TEST_LOG");
	char line[4096], start[64], exec[64];
	bool saw_start = false, saw_exec = false;
	FILE *fp;

	snprintf(start, sizeof(start), "{\"ev\":\"start\",\"pid\":%d,",
	    (int)getpid());
	snprintf(exec, sizeof(exec), "{\"ev\":\"exec\",\"pid\":%d,",
	    (int)getpid());
	/* The wrapper collects the records as they come: a few tries. */
	for (int tries = 0; tries < 250 && !(saw_start && saw_exec); tries++) {
		fp = log != NULL ? fopen(log, "re") : NULL;
		CHECK(fp != NULL, "cannot read NI_TEST_LOG %s", log ? log : "");
		if (fp == NULL)
			return;
		while (fgets(line, sizeof(line), fp) != NULL) {
			saw_start |= strncmp(line, start, strlen(start)) == 0;
			saw_exec |= strncmp(line, exec, strlen(exec)) == 0;
		}
		fclose(fp);
		if (!(saw_start && saw_exec))
			usleep(20000);
	}
	CHECK(saw_start && saw_exec, "log: start %d, exec %d", saw_start,
	    saw_exec);
}

static bool
shim_loaded(void)
{
	char line[512];
	bool found = false;
	FILE *maps = fopen("/proc/self/maps", "re");

	while (maps != NULL && fgets(line, sizeof(line), maps) != NULL)
		if (strstr(line, "libnoinherit-preload.so") != NULL)
			found = true;
	if (maps != NULL)
		fclose(maps);
	return found;
}

/* Descriptors present at a program's start are left alone: one passed
 * on purpose is still inheritable in the child, shim and all. */
static void
inherited(const char *self)
{
	int fd = open(file, O_RDONLY), st = -1;
	char num[16], *argv[] = { (char *)self, "inherited", num, NULL };
	pid_t pid;

	fcntl(fd, F_SETFD, 0);
	snprintf(num, sizeof(num), "%d", fd);
	pid = fork();
	if (pid == 0) {
		execv(self, argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "fd %d in the child: status %#x", fd, st);
	close(fd);
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (argc == 3 && strcmp(mode, "inherited") == 0)
		return raw_cloexec(atoi(argv[2])) != 0;

	chained = strcmp(mode, "chain") == 0;
	behind = strcmp(mode, "behind") == 0;
	if (strcmp(mode, "enforce") == 0 || chained || behind)
		want_cloexec = true;
	else if (strcmp(mode, "off") != 0 && strcmp(mode, "trace") != 0) {
		fprintf(stderr, "usage: %s enforce|chain|behind|off|trace\n",
		    argv[0]);
		return 2;
	}
	/* Start from 0, 1 and 2 alone, whatever the harness leaked. */
	if (syscall(SYS_close_range, 3, ~0u, 0) != 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	CHECK(shim_loaded(), "libnoinherit-preload.so is not loaded");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(file, sizeof(file), "%s/file", dir);

	files();
	streams();
	sockets();
	pipes_and_dups();
	linux_fds();
	by_handle();
	ptys();
	program_wins();
	std_slots();
	inherited(argv[0]);
	errno_kept();
	if (strcmp(mode, "trace") == 0)
		check_log();
	if (chained || behind) {
		int (*calls)(void) = (int (*)(void))dlsym(RTLD_DEFAULT,
		    "preload_chain_calls");

		CHECK(calls != NULL && calls() > 0,
		    "the other preload was not called");
	}

	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	printf("%d descriptors checked, %d failures\n", checked,
	    check_failures);
	return check_failures != 0;
}
