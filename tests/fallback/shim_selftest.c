/*
 * shim_selftest - checks the ni_stripcloexec shim itself, so that the
 * "ocloexec-ignored" runs cannot pass because the shim quietly stopped
 * working.  Every entry point the shim wraps is called with its
 * close-on-exec request; with NI_TEST_MODE=ocloexec-ignored (as ni_sandbox
 * --strip-cloexec sets it) each descriptor must come back inheritable,
 * otherwise close-on-exec.  Either way the calls must behave as usual
 * otherwise: the file mode of O_CREAT, errno on failure, fopen's stream.
 * Exit 0 on success, 1 with a message per mismatch.
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE
#undef _FILE_OFFSET_BITS
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* glibc's _FORTIFY_SOURCE entry points, not declared without it. */
extern int __open_2(const char *path, int flags);
extern int __open64_2(const char *path, int flags);
extern int __openat_2(int dirfd, const char *path, int flags);
extern int __openat64_2(int dirfd, const char *path, int flags);

static int failures;
static bool stripped;

static void
check_flag(const char *what, int fd)
{
	int fl;

	fl = fcntl(fd, F_GETFD);
	if (fl == -1 || !!(fl & FD_CLOEXEC) == stripped) {
		printf("FAIL %s: fd %d is %s, expected %s\n", what, fd,
		    fl == -1 ? "closed" :
		    (fl & FD_CLOEXEC) ? "close-on-exec" : "inheritable",
		    stripped ? "inheritable" : "close-on-exec");
		failures++;
	} else {
		printf("ok   %s\n", what);
	}
}

/* Checks the descriptor a call returned, then closes it. */
static void
check(const char *what, int fd)
{
	if (fd < 0) {
		printf("FAIL %s: %s\n", what, strerror(errno));
		failures++;
		return;
	}
	check_flag(what, fd);
	close(fd);
}

static void
check_file(const char *what, FILE *f)
{
	if (f == NULL) {
		printf("FAIL %s: %s\n", what, strerror(errno));
		failures++;
		return;
	}
	check_flag(what, fileno(f));
	fclose(f);
}

/* Sends /dev/null over a socket pair; returns the fd recvmsg received. */
static int
recv_one_fd(void)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cb;
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr m;
	struct cmsghdr *c;
	int sv[2], fd = -1, got = -1;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 ||
	    (fd = open("/dev/null", O_RDONLY)) < 0)
		return -1;
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cb.buf;
	m.msg_controllen = sizeof cb.buf;
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sv[0], &m, 0) == 1) {
		m.msg_controllen = sizeof cb.buf;
		if (recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC) == 1 &&
		    (c = CMSG_FIRSTHDR(&m)) != NULL && c->cmsg_type == SCM_RIGHTS)
			memcpy(&got, CMSG_DATA(c), sizeof(int));
	}
	close(fd);
	close(sv[0]);
	close(sv[1]);
	return got;
}

int
main(void)
{
	const char *mode = getenv("NI_TEST_MODE");
	char dir[] = "/tmp/ni_shimXXXXXX";
	char path[64], tmpl[64];
	struct stat st;
	int fd;

	stripped = mode != NULL && strcmp(mode, "ocloexec-ignored") == 0;
	printf("expecting O_CLOEXEC %s\n", stripped ? "stripped" : "honoured");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}

	check("open", open("/dev/null", O_RDONLY | O_CLOEXEC));
	check("open64", open64("/dev/null", O_RDONLY | O_CLOEXEC));
	check("openat", openat(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC));
	check("openat64", openat64(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC));
	check("__open_2", __open_2("/dev/null", O_RDONLY | O_CLOEXEC));
	check("__open64_2", __open64_2("/dev/null", O_RDONLY | O_CLOEXEC));
	check("__openat_2", __openat_2(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC));
	check("__openat64_2",
	    __openat64_2(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC));
	check("posix_openpt", posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));

	snprintf(tmpl, sizeof tmpl, "%s/aXXXXXX", dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	check("mkostemp", fd);
	unlink(tmpl);
	snprintf(tmpl, sizeof tmpl, "%s/bXXXXXX.sfx", dir);
	fd = mkostemps(tmpl, 4, O_CLOEXEC);
	check("mkostemps", fd);
	if (fd >= 0 && strcmp(tmpl + strlen(tmpl) - 4, ".sfx") != 0) {
		printf("FAIL mkostemps: suffix lost: %s\n", tmpl);
		failures++;
	}
	unlink(tmpl);

	check_file("fopen \"re\"", fopen("/dev/null", "re"));
	check_file("fopen64 \"re\"", fopen64("/dev/null", "re"));
	check_file("fopen \"rbe\"", fopen("/dev/null", "rbe"));

	/* The rest of each call is untouched: O_CREAT's mode, O_EXCL, errno,
	 * creat(), an fopen mode without "e". */
	snprintf(path, sizeof path, "%s/created", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0604);
	check("open O_CREAT", fd);
	if (stat(path, &st) != 0 || (st.st_mode & 0777) != (0604 & ~umask(022))) {
		printf("FAIL open O_CREAT: mode %o\n", (unsigned)(st.st_mode & 0777));
		failures++;
	}
	errno = 0;
	if (open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) != -1 ||
	    errno != EEXIST) {
		printf("FAIL open O_EXCL: errno %d, expected EEXIST\n", errno);
		failures++;
	}
	errno = 0;
	if (openat(AT_FDCWD, "/nonexistent/x", O_RDONLY | O_CLOEXEC) != -1 ||
	    errno != ENOENT) {
		printf("FAIL openat: errno %d, expected ENOENT\n", errno);
		failures++;
	}
	unlink(path);
	fd = creat(path, 0600);
	if (fd < 0 || (fcntl(fd, F_GETFD) & FD_CLOEXEC)) {
		printf("FAIL creat: %s\n", fd < 0 ? strerror(errno) : "cloexec");
		failures++;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	{
		FILE *f = fopen("/dev/null", "r");

		if (f == NULL || (fcntl(fileno(f), F_GETFD) & FD_CLOEXEC)) {
			printf("FAIL fopen \"r\"\n");
			failures++;
		}
		if (f != NULL)
			fclose(f);
	}
	check("recvmsg MSG_CMSG_CLOEXEC", recv_one_fd());
	rmdir(dir);
	printf("%d failure(s)\n", failures);
	return failures == 0 ? 0 : 1;
}
