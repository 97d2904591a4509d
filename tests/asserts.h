/*
 * asserts.h - assertions and asserting helpers shared by the test programs.
 * No libnoinherit: everything is observed with raw calls and testutil.
 *
 * Header-only, and the helpers are static inline: minicmocka (the musl
 * build's stand-in for cmocka) keeps the jump target of a failed assertion
 * per translation unit, so an assertion must be compiled into the test
 * program that runs it.
 */
#ifndef NI_ASSERTS_H
#define NI_ASSERTS_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixtures.h"
#include "testutil.h"

/* errno must be e; prints both names when it is not. */
#define assert_errno_is(got, e) do {                                         \
	int got_ = (got);                                                    \
	if (got_ != (e))                                                     \
		print_message("errno %d (%s), expected %s (%s)\n", got_,        \
			    strerror(got_), #e, strerror(e));                \
	assert_int_equal(got_, (e));                                         \
} while (0)

/* call must return -1 with errno e, and no descriptor may appear. */
#define assert_fails(call, e) do {                                           \
	int n0_ = tu_fd_count();                                             \
	errno = 0;                                                           \
	long r_ = (long)(call);                                              \
	int e_ = errno;                                                      \
	assert_int_equal(r_, -1);                                            \
	assert_errno_is(e_, e);                                              \
	assert_int_equal(tu_fd_count(), n0_);                                \
} while (0)

/* Same for calls returning a pointer (NULL on failure). */
#define assert_fails_null(call, e) do {                                      \
	int n0_ = tu_fd_count();                                             \
	errno = 0;                                                           \
	const void *p_ = (call);                                             \
	int e_ = errno;                                                      \
	assert_null(p_);                                                     \
	assert_errno_is(e_, e);                                              \
	assert_int_equal(tu_fd_count(), n0_);                                \
} while (0)

/* fd is open, close-on-exec, and an exec'd child does not receive it. */
#define assert_noninheritable(fd) do {                                       \
	int fd_ = (fd);                                                      \
	assert_true(fd_ >= 0);                                               \
	assert_int_equal(tu_is_cloexec(fd_), 1);                             \
	assert_false(tu_child_has_fd(fd_));                                  \
} while (0)

#define assert_accmode(fd, m) assert_int_equal(tu_getfl(fd) & O_ACCMODE, (m))
#define assert_has_flag(fd, f) assert_int_equal(tu_getfl(fd) & (f), (f))
#define assert_lacks_flag(fd, f) assert_int_equal(tu_getfl(fd) & (f), 0)

/* A path in tu_tmpdir (the buffer is the caller's). */
static inline char *
tu_path(char buf[PATH_MAX], const char *name)
{
	assert_true(snprintf(buf, PATH_MAX, "%s/%s", tu_tmpdir, name) < (int)(PATH_MAX));
	return buf;
}

/* A fresh path in tu_tmpdir: prefix-N, N never the same twice. */
static inline char *
tu_path_unique(char buf[PATH_MAX], const char *prefix)
{
	assert_true(snprintf(buf, PATH_MAX, "%s/%s-%u", tu_tmpdir, prefix,
			     tu_next_seq()) < (int)(PATH_MAX));
	return buf;
}

/* Creates a fresh file (mode 0644) holding text, returns its path in buf. */
static inline char *
tu_make_file(char buf[PATH_MAX], const char *prefix, const char *text)
{
	int fd;

	tu_path_unique(buf, prefix);
	fd = open(buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return buf;
}

/* The file status flags (F_GETFL) of an open fd. */
static inline int
tu_getfl(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	assert_true(fl != -1);
	return fl;
}

static inline mode_t
tu_fd_mode(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_mode & 07777;
}

static inline ino_t
tu_fd_ino(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

/* The lowest descriptor that is not open. */
static inline int
tu_lowest_free_fd(void)
{
	int fd = 0;

	while (fcntl(fd, F_GETFD) != -1)
		fd++;
	return fd;
}

/*
 * Lowers the soft RLIMIT_NOFILE to the current number of open descriptors
 * plus extra: with the table dense (checked), only extra more fit.
 * tu_unlimit_fds (or the per-test teardown) restores it.
 */
static inline void
tu_limit_fds(int extra)
{
	struct rlimit rl = tu_orig_nofile;
	int n = tu_fd_count();

	assert_int_equal(tu_lowest_free_fd(), n); /* no holes below */
	rl.rlim_cur = (rlim_t)(n + extra);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

static inline void
tu_unlimit_fds(void)
{
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &tu_orig_nofile), 0);
}

#endif /* NI_ASSERTS_H */
