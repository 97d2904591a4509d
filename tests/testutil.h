/*
 * testutil.h - helpers shared by the noinherit tests.
 *
 * Nothing here uses libnoinherit: the tests observe the library from
 * outside, with raw fcntl() and a separate program (tests/reporter) that
 * a real execv() starts and that reports the descriptors it received.
 */
#ifndef NI_TESTUTIL_H
#define NI_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Closes every descriptor >= 3 (close_range(2), else a close() loop up to
 * the hard RLIMIT_NOFILE) and opens /dev/null on any of 0, 1, 2 that is
 * closed, so that what the harness left open cannot skew a test and no
 * descriptor a test creates lands on a standard stream.  Call it first in
 * main().
 */
void tu_close_inherited(void);

/*
 * The number of open descriptors in this process: a walk of /proc/self/fd,
 * else (/proc hidden or unreadable) an fcntl(F_GETFD) loop up to the hard
 * RLIMIT_NOFILE.
 */
int tu_fd_count(void);

/* 1 if fd has FD_CLOEXEC, 0 if not, -1 if fd is not open (raw fcntl). */
int tu_is_cloexec(int fd);

/*
 * Forks and execv()s tests/reporter (REPORTER_PATH, or $NI_REPORTER if
 * set) with its stdout on a pipe, reads the descriptors it reports having
 * received, and waits for it.  Sets seen[fd] = true for every reported fd
 * below max (entries for other fds are left as they are).  Returns the
 * number of descriptors reported, or -1 if the child could not be started,
 * failed or printed garbage.  The pipe is made with pipe() + fcntl(), not
 * with libnoinherit.
 */
int tu_child_fds(bool *seen, int max);

/*
 * The descriptor list of a reporter's report (its first line, "reporter
 * TAG: fds 0 1 2 5"), "0 1 2 5", into buf: 0, or -1 when report does not
 * start with that line or buf is too small.
 */
int tu_report_fds(const char *report, char *buf, size_t size);

/*
 * True if an exec'd reporter child receives fd.  Aborts the program (with a
 * message on stderr) if the child cannot be run, so that a broken harness
 * can never make a "not inherited" check pass.
 */
bool tu_child_has_fd(int fd);

/*
 * A pointer the kernel answers with EFAULT: a page mapped PROT_NONE, or
 * with `readable` PROT_READ (readable, not writable).  Aborts if mmap fails.
 */
int *tu_bad_pointer(bool readable);
void tu_free_bad_pointer(int *p);

/* getenv("NI_TEST_MODE"), or "native" when unset or empty. */
const char *tu_mode(void);

#endif /* NI_TESTUTIL_H */
