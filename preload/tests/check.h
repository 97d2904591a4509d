/*
 * check.h - the preload tests' assertions: count failures, print both
 * sides, keep going (one run reports every creator that is wrong).
 */
#ifndef NI_PRELOAD_CHECK_H
#define NI_PRELOAD_CHECK_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int check_failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		check_failures++; \
		fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, \
		    #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

#define CHECK_ERRNO(got, want, what) \
	CHECK((got) == (want), "%s: errno %d (%s), expected %d (%s)", what, \
	    got, strerror(got), want, strerror(want))

/* The flags of fd, asked without going through any hook: 1 close-on-exec,
 * 0 inheritable, -1 not open. */
static inline int
raw_cloexec(int fd)
{
	long fl = syscall(SYS_fcntl, fd, F_GETFD);

	return fl < 0 ? -1 : (fl & FD_CLOEXEC) != 0;
}

/*
 * The tool's side of the channel (FORMAT.md), for tests that run the shim
 * without the tool: an abstract SOCK_SEQPACKET listener named
 * "noinherit-trace.UID.PID.RANDOM" after this process; spec gets
 * NOINHERIT_LOG's value ("@name").  Returns the listener, or exits 2.
 */
static inline int
chan_listen(char *spec, size_t cap)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	size_t n;

	snprintf(spec, cap, "@noinherit-trace.%u.%d.test%d", (unsigned)geteuid(),
	    (int)getpid(), (int)getpid());
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	n = strlen(spec + 1);
	memcpy(sa.sun_path + 1, spec + 1, n);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) != 0 ||
	    listen(fd, 4096) != 0) {
		perror("chan_listen");
		exit(2);
	}
	return fd;
}

/* Appends every record that has arrived on lfd to the file log. */
static inline void
chan_collect(int lfd, const char *log)
{
	char buf[65536];
	int fd, out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	ssize_t n;

	if (out < 0) {
		perror(log);
		exit(2);
	}
	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
			if (write(out, buf, (size_t)n) != n)
				exit(2);
		close(fd);
	}
	close(out);
}

#endif
