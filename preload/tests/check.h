/*
 * check.h - the preload tests' assertions: count failures, print both
 * sides, keep going (one run reports every creator that is wrong).
 */
#ifndef NI_PRELOAD_CHECK_H
#define NI_PRELOAD_CHECK_H

#include <errno.h>
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

#endif
