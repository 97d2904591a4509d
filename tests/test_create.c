/*
 * test_create.c - every creation function of noinherit.h, observed from
 * outside: (a) the new descriptor has FD_CLOEXEC (raw fcntl), (b) a child
 * that really execs (fdcheck) does not receive it, (c) the flags asked for
 * are kept, (d) errors return -1 with the errno of the call wrapped, leak no
 * descriptor and leave output parameters untouched.
 *
 * The same binary runs natively and under the fallback modes of
 * tests/fallback (seccomp, O_CLOEXEC ignored, /proc hidden): only
 * features_match_mode looks at which mechanism the library used.
 *
 * Usage: test_create [NAME-PATTERN]   (runs only the matching tests)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <ftw.h>

#include <cmocka.h>

#include "noinherit.h"
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static char tmpdir[PATH_MAX];     /* private directory for this run */
static struct rlimit orig_nofile; /* restored after every test */
static unsigned name_seq;

/* A fresh path in tmpdir (the buffer is the caller's). */
static char *
tpath(char buf[PATH_MAX], const char *name)
{
	assert_true(snprintf(buf, PATH_MAX, "%s/%s", tmpdir, name) < (int)(PATH_MAX));
	return buf;
}

static char *
tpath_unique(char buf[PATH_MAX], const char *prefix)
{
	assert_true(snprintf(buf, PATH_MAX, "%s/%s-%u", tmpdir, prefix, ++name_seq) < (int)(PATH_MAX));
	return buf;
}

/* Creates a file holding text, returns its path in buf. */
static char *
make_file(char buf[PATH_MAX], const char *prefix, const char *text)
{
	int fd;

	tpath_unique(buf, prefix);
	fd = open(buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return buf;
}

static int
getfl(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	assert_true(fl != -1);
	return fl;
}

static mode_t
fd_mode(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_mode & 07777;
}

static ino_t
fd_ino(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

/* The lowest descriptor that is not open. */
static int
lowest_free_fd(void)
{
	int fd = 0;

	while (fcntl(fd, F_GETFD) != -1)
		fd++;
	return fd;
}

/*
 * Lowers the soft RLIMIT_NOFILE to the current number of open descriptors
 * plus extra: with the table dense (checked), only extra more fit.
 */
static void
limit_fds(int extra)
{
	struct rlimit rl = orig_nofile;
	int n = tu_fd_count();

	assert_int_equal(lowest_free_fd(), n); /* no holes below */
	rl.rlim_cur = (rlim_t)(n + extra);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

static void
unlimit_fds(void)
{
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &orig_nofile), 0);
}


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

/*
 * For calls that must fail at once (ENOTSOCK, EBADF, EINVAL on a socket
 * that does not listen): a SIGALRM without SA_RESTART interrupts a call
 * that blocks instead, so the test fails with "blocked" instead of hanging.
 */
static void on_alarm(int sig) { (void)sig; }

static struct timespec guard_t0;
static struct sigaction guard_old;

static void
guard_start(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &guard_old), 0);
	clock_gettime(CLOCK_MONOTONIC, &guard_t0);
	alarm(2);
}

static double
guard_stop(void)
{
	struct timespec t1;

	alarm(0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sigaction(SIGALRM, &guard_old, NULL);
	return (double)(t1.tv_sec - guard_t0.tv_sec) +
	       (double)(t1.tv_nsec - guard_t0.tv_nsec) / 1e9;
}

#define assert_fails_at_once(call, e) do {                                   \
	int n0_ = tu_fd_count();                                             \
	guard_start();                                                       \
	errno = 0;                                                           \
	long r_ = (long)(call);                                              \
	int e_ = errno;                                                      \
	double dt_ = guard_stop();                                           \
	if (dt_ > 1.0)                                                       \
		print_message("%s blocked for %.1f s\n", #call, dt_);          \
	assert_true(dt_ <= 1.0);                                             \
	assert_int_equal(r_, -1);                                            \
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

#define assert_accmode(fd, m) assert_int_equal(getfl(fd) & O_ACCMODE, (m))
#define assert_has_flag(fd, f) assert_int_equal(getfl(fd) & (f), (f))
#define assert_lacks_flag(fd, f) assert_int_equal(getfl(fd) & (f), 0)

/* ------------------------------------------------------------------ */
/* Controls: the harness can see an inheritable descriptor             */
/* ------------------------------------------------------------------ */

static void
harness_control(void **state)
{
	bool seen[64] = { false };
	int p[2], d, fd;
	char path[PATH_MAX];

	(void)state;
	/* The child gets the standard streams. */
	assert_true(tu_child_fds(seen, 64) >= 3);
	assert_true(seen[0] && seen[1] && seen[2]);

	/* A plain pipe is inheritable: the child must see both ends. */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(tu_is_cloexec(p[0]), 0);
	assert_true(tu_child_has_fd(p[0]));
	assert_true(tu_child_has_fd(p[1]));
	/* ... until FD_CLOEXEC is set by hand. */
	assert_int_equal(fcntl(p[0], F_SETFD, FD_CLOEXEC), 0);
	assert_false(tu_child_has_fd(p[0]));
	assert_true(tu_child_has_fd(p[1]));
	close(p[0]);
	close(p[1]);

	/* A library fd made inheritable, and a plain dup of one, are seen. */
	fd = ni_open(make_file(path, "control", "x"), O_RDONLY);
	assert_noninheritable(fd);
	d = dup(fd);
	assert_true(d >= 0);
	assert_int_equal(tu_is_cloexec(d), 0);
	assert_true(tu_child_has_fd(d));
	close(d);
	assert_int_equal(ni_set_inheritable(fd, true), 0);
	assert_int_equal(tu_is_cloexec(fd), 0);
	assert_true(tu_child_has_fd(fd));
	assert_int_equal(ni_set_inheritable(fd, false), 0);
	assert_noninheritable(fd);
	close(fd);

	/* Not open: tu_is_cloexec says so. */
	assert_int_equal(tu_is_cloexec(fd), -1);
	assert_false(tu_child_has_fd(fd));
}

/* ------------------------------------------------------------------ */
/* open, openat, creat                                                 */
/* ------------------------------------------------------------------ */

static void
open_basic(void **state)
{
	char path[PATH_MAX];
	int n0, fd;

	(void)state;
	make_file(path, "open", "hello");
	n0 = tu_fd_count();
	fd = ni_open(path, O_RDONLY);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_accmode(fd, O_RDONLY);
	assert_lacks_flag(fd, O_APPEND | O_NONBLOCK);
	close(fd);

	fd = ni_open(path, O_RDWR | O_APPEND | O_NONBLOCK);
	assert_noninheritable(fd);
	assert_accmode(fd, O_RDWR);
	assert_has_flag(fd, O_APPEND | O_NONBLOCK);
	close(fd);

	fd = ni_open(path, O_WRONLY | O_CLOEXEC);
	assert_noninheritable(fd);
	assert_accmode(fd, O_WRONLY);
	close(fd);

	fd = ni_open(tmpdir, O_RDONLY | O_DIRECTORY);
	assert_noninheritable(fd);
	close(fd);

	fd = ni_open(path, O_PATH);
	assert_noninheritable(fd);
	assert_has_flag(fd, O_PATH);
	close(fd);
}

static void
open_create_mode(void **state)
{
	char path[PATH_MAX];
	int fd;

	(void)state;
	tpath_unique(path, "open-create");
	fd = ni_open(path, O_WRONLY | O_CREAT | O_EXCL, 0751);
	assert_noninheritable(fd);
	assert_int_equal(fd_mode(fd), 0751);
	assert_accmode(fd, O_WRONLY);
	close(fd);

	tpath_unique(path, "open-create");
	fd = ni_open(path, O_RDWR | O_CREAT, (mode_t)0604);
	assert_noninheritable(fd);
	assert_int_equal(fd_mode(fd), 0604);
	assert_accmode(fd, O_RDWR);
	close(fd);
}

/* The mode argument is read for O_TMPFILE too (which has no O_CREAT bit). */
static void
open_tmpfile_mode(void **state)
{
	int fd;

	(void)state;
	errno = 0;
	fd = ni_open(tmpdir, O_TMPFILE | O_RDWR, 0640);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {
		print_message("O_TMPFILE not supported in %s\n", tmpdir);
		skip();
	}
	assert_noninheritable(fd);
	assert_int_equal(fd_mode(fd), 0640);
	assert_accmode(fd, O_RDWR);
	close(fd);
}

static void
open_errors(void **state)
{
	char path[PATH_MAX], missing[PATH_MAX], sub[PATH_MAX];

	(void)state;
	make_file(path, "open-err", "keep");
	tpath(missing, "no-such-file");
	assert_fails(ni_open(missing, O_RDONLY), ENOENT);
	assert_fails(ni_open(path, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	assert_fails(ni_open(tmpdir, O_WRONLY), EISDIR);
	assert_fails(ni_open(path, O_RDONLY | O_DIRECTORY), ENOTDIR);
	assert_true(snprintf(sub, sizeof sub, "%s/x", path) < (int)(sizeof sub));
	assert_fails(ni_open(sub, O_RDONLY), ENOTDIR);
	assert_fails(ni_open("", O_RDONLY), ENOENT);
}

static void
openat_basic(void **state)
{
	char path[PATH_MAX], name[64];
	int dfd, fd, n0;

	(void)state;
	dfd = ni_open(tmpdir, O_RDONLY | O_DIRECTORY);
	assert_noninheritable(dfd);

	assert_true(snprintf(name, sizeof name, "openat-%u", ++name_seq) < (int)(sizeof name));
	n0 = tu_fd_count();
	fd = ni_openat(dfd, name, O_RDWR | O_CREAT | O_EXCL, 0642);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_int_equal(fd_mode(fd), 0642);
	assert_accmode(fd, O_RDWR);
	/* It was created in that directory. */
	assert_int_equal(access(tpath(path, name), F_OK), 0);
	close(fd);

	fd = ni_openat(dfd, name, O_RDONLY | O_NONBLOCK);
	assert_noninheritable(fd);
	assert_accmode(fd, O_RDONLY);
	assert_has_flag(fd, O_NONBLOCK);
	close(fd);

	fd = ni_openat(AT_FDCWD, path, O_WRONLY | O_APPEND);
	assert_noninheritable(fd);
	assert_accmode(fd, O_WRONLY);
	assert_has_flag(fd, O_APPEND);
	close(fd);

	/* An absolute path ignores dirfd, even a bad one, as openat(2). */
	fd = ni_openat(-2, path, O_RDONLY);
	assert_noninheritable(fd);
	close(fd);

	close(dfd);
}

static void
openat_errors(void **state)
{
	char path[PATH_MAX];
	int dfd, ffd, closed;

	(void)state;
	make_file(path, "openat-err", "x");
	dfd = ni_open(tmpdir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	ffd = open(path, O_RDONLY);
	assert_true(ffd >= 0);
	closed = dup(ffd);
	assert_true(closed >= 0);
	close(closed);

	assert_fails(ni_openat(dfd, "no-such", O_RDONLY), ENOENT);
	assert_fails(ni_openat(dfd, strrchr(path, '/') + 1,
			       O_WRONLY | O_CREAT | O_EXCL, 0600), EEXIST);
	assert_fails(ni_openat(closed, "x", O_RDONLY), EBADF);
	assert_fails(ni_openat(-2, "x", O_RDONLY), EBADF);
	assert_fails(ni_openat(1 << 20, "x", O_RDONLY), EBADF);
	assert_fails(ni_openat(ffd, "x", O_RDONLY), ENOTDIR);
	close(ffd);
	close(dfd);
}

static void
creat_basic(void **state)
{
	char path[PATH_MAX];
	int fd;

	(void)state;
	tpath_unique(path, "creat");
	fd = ni_creat(path, 0604);
	assert_noninheritable(fd);
	assert_int_equal(fd_mode(fd), 0604);
	assert_accmode(fd, O_WRONLY);
	close(fd);

	/* Existing file: truncated, mode unchanged. */
	make_file(path, "creat-trunc", "some content");
	fd = ni_creat(path, 0600);
	assert_noninheritable(fd);
	assert_accmode(fd, O_WRONLY);
	assert_int_equal(fd_mode(fd), 0644);
	assert_int_equal(lseek(fd, 0, SEEK_END), 0);
	close(fd);
}

static void
creat_errors(void **state)
{
	char path[PATH_MAX];

	(void)state;
	tpath(path, "missing-dir/file");
	assert_fails(ni_creat(path, 0600), ENOENT);
	assert_fails(ni_creat(tmpdir, 0600), EISDIR);
}

/* ------------------------------------------------------------------ */
/* fopen                                                               */
/* ------------------------------------------------------------------ */

static void
fopen_modes(void **state)
{
	static const struct {
		const char *mode;
		int acc, append;
		bool fresh; /* needs a path that does not exist ("x") */
	} ok[] = {
		{ "r", O_RDONLY, 0, false },   { "rb", O_RDONLY, 0, false },
		{ "re", O_RDONLY, 0, false },  { "rbe", O_RDONLY, 0, false },
		{ "rm", O_RDONLY, 0, false },  { "rc", O_RDONLY, 0, false },
		{ "r+", O_RDWR, 0, false },    { "r+b", O_RDWR, 0, false },
		{ "r+e", O_RDWR, 0, false },   { "w", O_WRONLY, 0, false },
		{ "wb", O_WRONLY, 0, false },  { "we", O_WRONLY, 0, false },
		{ "w+", O_RDWR, 0, false },    { "wx", O_WRONLY, 0, true },
		{ "w+x", O_RDWR, 0, true },    { "wxe", O_WRONLY, 0, true },
		{ "a", O_WRONLY, O_APPEND, false },
		{ "ab", O_WRONLY, O_APPEND, false },
		{ "a+", O_RDWR, O_APPEND, false },
		{ "a+e", O_RDWR, O_APPEND, false },
	};
	char path[PATH_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		FILE *f;
		int n0;

		if (ok[i].fresh)
			tpath_unique(path, "fopen-x");
		else
			make_file(path, "fopen", "data\n");
		print_message("mode \"%s\"\n", ok[i].mode);
		n0 = tu_fd_count();
		f = ni_fopen(path, ok[i].mode);
		assert_non_null(f);
		assert_int_equal(tu_fd_count(), n0 + 1);
		assert_noninheritable(fileno(f));
		assert_accmode(fileno(f), ok[i].acc);
		assert_int_equal(getfl(fileno(f)) & O_APPEND, ok[i].append);
		assert_int_equal(fclose(f), 0);
	}
}

/* C11 7.21.5.3 also lists "rb+", "wb+", "ab+" (b before +). */
static void
fopen_c11_b_plus(void **state)
{
	static const char *const modes[] = { "rb+", "wb+", "ab+" };
	char path[PATH_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		FILE *f;

		make_file(path, "fopen-bplus", "x");
		print_message("mode \"%s\"\n", modes[i]);
		f = ni_fopen(path, modes[i]);
		assert_non_null(f);
		assert_noninheritable(fileno(f));
		assert_accmode(fileno(f), O_RDWR);
		fclose(f);
	}
}

static void
fopen_rw_data(void **state)
{
	char path[PATH_MAX], buf[64];
	FILE *f;

	(void)state;
	tpath_unique(path, "fopen-data");
	f = ni_fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs("line one\n", f) >= 0);
	assert_int_equal(fclose(f), 0);

	f = ni_fopen(path, "a");
	assert_non_null(f);
	assert_true(fputs("line two\n", f) >= 0);
	assert_int_equal(fclose(f), 0);

	f = ni_fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof buf, f));
	assert_string_equal(buf, "line one\n");
	assert_non_null(fgets(buf, sizeof buf, f));
	assert_string_equal(buf, "line two\n");
	assert_int_equal(fclose(f), 0);
}

static void
fopen_bad_modes(void **state)
{
	static const char *const bad[] = {
		"z", "", "rw", "r+q", "+", "+r", "b", "e", "ra", "wr", "x",
		"wq", "aw", "rz", "R", " r",
	};
	char path[PATH_MAX], fresh[PATH_MAX];
	struct stat st;
	size_t i;

	(void)state;
	make_file(path, "fopen-bad", "unchanged");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		print_message("mode \"%s\"\n", bad[i]);
		assert_fails_null(ni_fopen(path, bad[i]), EINVAL);
		/* Not even a file is touched: no creation, no truncation. */
		tpath_unique(fresh, "fopen-bad-new");
		assert_fails_null(ni_fopen(fresh, bad[i]), EINVAL);
		assert_int_equal(stat(fresh, &st), -1);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_size, 9);
	}
}

static void
fopen_errors(void **state)
{
	char path[PATH_MAX], missing[PATH_MAX];
	struct stat st;

	(void)state;
	make_file(path, "fopen-err", "keep me");
	tpath(missing, "fopen-missing");
	assert_fails_null(ni_fopen(missing, "r"), ENOENT);
	assert_fails_null(ni_fopen(missing, "r+"), ENOENT);
	assert_fails_null(ni_fopen(path, "wx"), EEXIST);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 7);
	assert_fails_null(ni_fopen(tmpdir, "w"), EISDIR);
}

/* ------------------------------------------------------------------ */
/* dup, dupfd, dup2                                                    */
/* ------------------------------------------------------------------ */

static void
dup_basic(void **state)
{
	char path[PATH_MAX];
	int src, d, n0, hole;

	(void)state;
	src = open(make_file(path, "dup", "0123456789"), O_RDWR | O_APPEND);
	assert_true(src >= 0);
	assert_int_equal(tu_is_cloexec(src), 0); /* inheritable source */

	n0 = tu_fd_count();
	d = ni_dup(src);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_true(d != src);
	assert_noninheritable(d);
	/* The source keeps its flag. */
	assert_int_equal(tu_is_cloexec(src), 0);
	assert_true(tu_child_has_fd(src));
	/* Same open file description: same file, shared offset and flags. */
	assert_int_equal(fd_ino(d), fd_ino(src));
	assert_int_equal(lseek(src, 4, SEEK_SET), 4);
	assert_int_equal(lseek(d, 0, SEEK_CUR), 4);
	assert_accmode(d, O_RDWR);
	assert_has_flag(d, O_APPEND);
	close(d);

	/* The lowest free number, as dup(2). */
	hole = dup(src);
	d = dup(src);
	assert_true(hole >= 0 && d > hole);
	close(hole);
	assert_int_equal(ni_dup(d), hole);
	assert_noninheritable(hole);
	close(hole);
	close(d);
	close(src);
}

static void
dup_errors(void **state)
{
	int closed = dup(0);

	(void)state;
	assert_true(closed >= 0);
	close(closed);
	assert_fails(ni_dup(-1), EBADF);
	assert_fails(ni_dup(closed), EBADF);
	assert_fails(ni_dup(1 << 20), EBADF);
	assert_fails(ni_dup(INT_MAX), EBADF);

	limit_fds(0);
	assert_fails(ni_dup(0), EMFILE);
	unlimit_fds();
}

static void
dupfd_basic(void **state)
{
	char path[PATH_MAX];
	int src, d, n0;

	(void)state;
	src = open(make_file(path, "dupfd", "abc"), O_RDONLY);
	assert_true(src >= 0);
	assert_int_equal(fcntl(100, F_GETFD), -1);

	n0 = tu_fd_count();
	d = ni_dupfd(src, 100);
	assert_int_equal(d, 100);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(d);
	assert_int_equal(tu_is_cloexec(src), 0);
	assert_int_equal(fd_ino(d), fd_ino(src));

	/* 100 and 101 taken: the next is 102. */
	assert_int_equal(dup2(src, 101), 101);
	d = ni_dupfd(src, 100);
	assert_int_equal(d, 102);
	assert_noninheritable(d);
	close(100);
	close(101);
	close(102);

	/* minfd 0: the lowest free. */
	n0 = lowest_free_fd();
	d = ni_dupfd(src, 0);
	assert_int_equal(d, n0);
	assert_noninheritable(d);
	close(d);
	close(src);
}

static void
dupfd_errors(void **state)
{
	int closed = dup(0);
	struct rlimit rl;

	(void)state;
	assert_true(closed >= 0);
	close(closed);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);

	assert_fails(ni_dupfd(-1, 10), EBADF);
	assert_fails(ni_dupfd(closed, 10), EBADF);
	assert_fails(ni_dupfd(0, -1), EINVAL);
	assert_fails(ni_dupfd(0, INT_MIN), EINVAL);
	assert_fails(ni_dupfd(0, (int)rl.rlim_cur), EINVAL);
	assert_fails(ni_dupfd(0, INT_MAX), EINVAL);

	limit_fds(0);
	assert_fails(ni_dupfd(0, 1), EMFILE);
	unlimit_fds();
}

static void
dup2_basic(void **state)
{
	char path[PATH_MAX], other[PATH_MAX];
	int src, o, n0;

	(void)state;
	src = open(make_file(path, "dup2", "src"), O_RDONLY);
	assert_true(src >= 0);
	/* 60 holds another, inheritable file: dup2 replaces it. */
	o = open(make_file(other, "dup2-other", "o"), O_RDONLY);
	assert_true(o >= 0);
	assert_int_equal(dup2(o, 60), 60);
	close(o);
	assert_true(fd_ino(60) != fd_ino(src));

	n0 = tu_fd_count();
	assert_int_equal(ni_dup2(src, 60, false), 60);
	assert_int_equal(tu_fd_count(), n0);
	assert_int_equal(fd_ino(60), fd_ino(src));
	assert_noninheritable(60);
	assert_int_equal(tu_is_cloexec(src), 0); /* source untouched */
	assert_true(tu_child_has_fd(src));

	/* inheritable: plain dup2, the child gets it. */
	assert_int_equal(fcntl(61, F_GETFD), -1);
	assert_int_equal(ni_dup2(src, 61, true), 61);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_int_equal(tu_is_cloexec(61), 0);
	assert_true(tu_child_has_fd(61));
	assert_int_equal(fd_ino(61), fd_ino(src));

	/* Onto a non-inheritable fd, inheritable=true clears the flag. */
	assert_int_equal(ni_dup2(src, 60, true), 60);
	assert_int_equal(tu_is_cloexec(60), 0);
	assert_true(tu_child_has_fd(60));
	/* And back. */
	assert_int_equal(ni_dup2(src, 61, false), 61);
	assert_noninheritable(61);
	assert_int_equal(tu_fd_count(), n0 + 1);
	close(60);
	close(61);
	close(src);
}

static void
dup2_same_fd(void **state)
{
	char path[PATH_MAX];
	int fd, n0;

	(void)state;
	fd = open(make_file(path, "dup2-same", "s"), O_RDONLY);
	assert_true(fd >= 0);
	n0 = tu_fd_count();

	/* fd == fd2: only the flag changes, fd stays open. */
	assert_int_equal(ni_dup2(fd, fd, false), fd);
	assert_int_equal(tu_fd_count(), n0);
	assert_noninheritable(fd);
	assert_int_equal(ni_dup2(fd, fd, false), fd); /* idempotent */
	assert_noninheritable(fd);
	assert_int_equal(ni_dup2(fd, fd, true), fd);
	assert_int_equal(tu_fd_count(), n0);
	assert_int_equal(tu_is_cloexec(fd), 0);
	assert_true(tu_child_has_fd(fd));
	assert_int_equal(ni_dup2(fd, fd, true), fd);
	assert_int_equal(tu_is_cloexec(fd), 0);
	close(fd);

	/* A closed fd onto itself: EBADF, whatever the flag. */
	assert_fails(ni_dup2(fd, fd, false), EBADF);
	assert_fails(ni_dup2(fd, fd, true), EBADF);
}

static void
dup2_errors(void **state)
{
	char path[PATH_MAX];
	struct rlimit rl;
	int src, target, closed;
	ino_t ino;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	src = open(make_file(path, "dup2-err", "e"), O_RDONLY);
	target = open(make_file(path, "dup2-err-target", "t"), O_RDONLY);
	assert_true(src >= 0 && target >= 0);
	ino = fd_ino(target);
	closed = dup(0);
	close(closed);

	assert_fails(ni_dup2(-1, target, false), EBADF);
	assert_fails(ni_dup2(closed, target, false), EBADF);
	assert_fails(ni_dup2(closed, target, true), EBADF);
	/* fd not open: fd2 is left open and unchanged. */
	assert_int_equal(fd_ino(target), ino);
	assert_int_equal(tu_is_cloexec(target), 0);

	assert_fails(ni_dup2(src, -1, false), EBADF);
	assert_fails(ni_dup2(src, -1, true), EBADF);
	assert_fails(ni_dup2(src, (int)rl.rlim_cur, false), EBADF);
	assert_fails(ni_dup2(src, (int)rl.rlim_cur, true), EBADF);
	assert_fails(ni_dup2(src, INT_MAX, false), EBADF);
	close(src);
	close(target);
}

/* ------------------------------------------------------------------ */
/* pipe, pipe2                                                         */
/* ------------------------------------------------------------------ */

static void
check_pipe_works(const int p[2])
{
	char buf[8];

	assert_int_equal(write(p[1], "ping", 4), 4);
	assert_int_equal(read(p[0], buf, sizeof buf), 4);
	assert_memory_equal(buf, "ping", 4);
	assert_accmode(p[0], O_RDONLY);
	assert_accmode(p[1], O_WRONLY);
}

static void
pipe_basic(void **state)
{
	int p[2] = { -7, -8 }, n0;

	(void)state;
	n0 = tu_fd_count();
	assert_int_equal(ni_pipe(p), 0);
	assert_int_equal(tu_fd_count(), n0 + 2);
	assert_noninheritable(p[0]);
	assert_noninheritable(p[1]);
	assert_lacks_flag(p[0], O_NONBLOCK);
	assert_lacks_flag(p[1], O_NONBLOCK);
	check_pipe_works(p);
	close(p[0]);
	close(p[1]);
}

static void
pipe_errors(void **state)
{
	int p[2] = { -7, -8 };

	(void)state;
	limit_fds(0);
	assert_fails(ni_pipe(p), EMFILE);
	unlimit_fds();
	assert_int_equal(p[0], -7);
	assert_int_equal(p[1], -8);

	/* Room for one end only: no half pipe is left behind. */
	limit_fds(1);
	assert_fails(ni_pipe(p), EMFILE);
	assert_fails(ni_pipe2(p, O_NONBLOCK), EMFILE);
	unlimit_fds();
	assert_int_equal(p[0], -7);
	assert_int_equal(p[1], -8);
}

static void
pipe_efault(void **state)
{
	(void)state;
	assert_fails(ni_pipe(NULL), EFAULT);
	assert_fails(ni_pipe2(NULL, 0), EFAULT);
}

static void
pipe2_flags(void **state)
{
	int p[2], n0;
	char buf[16];

	(void)state;
	n0 = tu_fd_count();
	assert_int_equal(ni_pipe2(p, 0), 0);
	assert_int_equal(tu_fd_count(), n0 + 2);
	assert_noninheritable(p[0]);
	assert_noninheritable(p[1]);
	assert_lacks_flag(p[0], O_NONBLOCK);
	check_pipe_works(p);
	close(p[0]);
	close(p[1]);

	assert_int_equal(ni_pipe2(p, O_NONBLOCK), 0);
	assert_noninheritable(p[0]);
	assert_noninheritable(p[1]);
	assert_has_flag(p[0], O_NONBLOCK);
	assert_has_flag(p[1], O_NONBLOCK);
	errno = 0;
	assert_int_equal(read(p[0], buf, 1), -1);
	assert_errno_is(errno, EAGAIN);
	check_pipe_works(p);
	close(p[0]);
	close(p[1]);

	assert_int_equal(ni_pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	assert_noninheritable(p[0]);
	assert_noninheritable(p[1]);
	assert_has_flag(p[1], O_NONBLOCK);
	close(p[0]);
	close(p[1]);

	/* O_DIRECT: packet mode, each write one read (Linux shows the flag
	 * on the write end only). */
	assert_int_equal(ni_pipe2(p, O_DIRECT), 0);
	assert_noninheritable(p[0]);
	assert_noninheritable(p[1]);
	assert_has_flag(p[1], O_DIRECT);
	assert_lacks_flag(p[0], O_NONBLOCK);
	assert_int_equal(write(p[1], "ab", 2), 2);
	assert_int_equal(write(p[1], "cd", 2), 2);
	assert_int_equal(read(p[0], buf, sizeof buf), 2);
	assert_int_equal(read(p[0], buf, sizeof buf), 2);
	close(p[0]);
	close(p[1]);
}

static void
pipe2_errors(void **state)
{
	int p[2] = { -7, -8 };

	(void)state;
	assert_fails(ni_pipe2(p, O_APPEND), EINVAL);
	assert_fails(ni_pipe2(p, O_TRUNC | O_NONBLOCK), EINVAL);
	assert_fails(ni_pipe2(p, O_RDWR), EINVAL);
	assert_fails(ni_pipe2(p, 1 << 30), EINVAL);
	assert_int_equal(p[0], -7);
	assert_int_equal(p[1], -8);
	limit_fds(0);
	assert_fails(ni_pipe2(p, 0), EMFILE);
	unlimit_fds();
	assert_int_equal(p[0], -7);
	assert_int_equal(p[1], -8);
}

/* ------------------------------------------------------------------ */
/* socket, socketpair                                                  */
/* ------------------------------------------------------------------ */

static int
so_type(int s)
{
	int t = -1;
	socklen_t len = sizeof t;

	assert_int_equal(getsockopt(s, SOL_SOCKET, SO_TYPE, &t, &len), 0);
	return t;
}

static void
socket_basic(void **state)
{
	int s, n0;

	(void)state;
	n0 = tu_fd_count();
	s = ni_socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(s);
	assert_lacks_flag(s, O_NONBLOCK);
	assert_int_equal(so_type(s), SOCK_STREAM);
	close(s);

	s = ni_socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_noninheritable(s);
	assert_has_flag(s, O_NONBLOCK);
	assert_int_equal(so_type(s), SOCK_STREAM);
	close(s);

	s = ni_socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_noninheritable(s);
	assert_lacks_flag(s, O_NONBLOCK);
	assert_int_equal(so_type(s), SOCK_DGRAM);
	close(s);

	s = ni_socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_noninheritable(s);
	assert_has_flag(s, O_NONBLOCK);
	assert_int_equal(so_type(s), SOCK_DGRAM);
	close(s);

	s = ni_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	assert_noninheritable(s);
	assert_int_equal(so_type(s), SOCK_STREAM);
	close(s);
}

static void
socket_errors(void **state)
{
	(void)state;
	assert_fails(ni_socket(4242, SOCK_STREAM, 0), EAFNOSUPPORT);
	assert_fails(ni_socket(4242, SOCK_STREAM | SOCK_NONBLOCK, 0), EAFNOSUPPORT);
	assert_fails(ni_socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	/* An unknown flag bit in type. */
	assert_fails(ni_socket(AF_UNIX, SOCK_STREAM | 0x100, 0), EINVAL);
	limit_fds(0);
	assert_fails(ni_socket(AF_UNIX, SOCK_STREAM, 0), EMFILE);
	assert_fails(ni_socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), EMFILE);
	unlimit_fds();
}

static void
socketpair_basic(void **state)
{
	int sv[2] = { -7, -8 }, n0;
	char buf[8];

	(void)state;
	n0 = tu_fd_count();
	assert_int_equal(ni_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(tu_fd_count(), n0 + 2);
	assert_noninheritable(sv[0]);
	assert_noninheritable(sv[1]);
	assert_lacks_flag(sv[0], O_NONBLOCK);
	assert_int_equal(so_type(sv[0]), SOCK_STREAM);
	assert_int_equal(write(sv[0], "hi", 2), 2);
	assert_int_equal(read(sv[1], buf, sizeof buf), 2);
	assert_int_equal(write(sv[1], "yo", 2), 2);
	assert_int_equal(read(sv[0], buf, sizeof buf), 2);
	close(sv[0]);
	close(sv[1]);

	assert_int_equal(ni_socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	assert_noninheritable(sv[0]);
	assert_noninheritable(sv[1]);
	assert_has_flag(sv[0], O_NONBLOCK);
	assert_has_flag(sv[1], O_NONBLOCK);
	assert_int_equal(so_type(sv[1]), SOCK_DGRAM);
	close(sv[0]);
	close(sv[1]);

	assert_int_equal(ni_socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_noninheritable(sv[0]);
	assert_noninheritable(sv[1]);
	assert_int_equal(so_type(sv[0]), SOCK_SEQPACKET);
	close(sv[0]);
	close(sv[1]);
}

static void
socketpair_errors(void **state)
{
	int sv[2] = { -7, -8 };

	(void)state;
	assert_fails(ni_socketpair(4242, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
	assert_fails(ni_socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	assert_fails(ni_socketpair(AF_UNIX, SOCK_STREAM | 0x100, 0, sv), EINVAL);
	assert_int_equal(sv[0], -7);
	assert_int_equal(sv[1], -8);
	limit_fds(0);
	assert_fails(ni_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), EMFILE);
	unlimit_fds();
	limit_fds(1);
	assert_fails(ni_socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), EMFILE);
	unlimit_fds();
	assert_int_equal(sv[0], -7);
	assert_int_equal(sv[1], -8);
}

/* ------------------------------------------------------------------ */
/* accept, accept4                                                     */
/* ------------------------------------------------------------------ */

/* An abstract AF_UNIX listener (no file system path to clean up). */
static int
unix_listener(int type_flags, struct sockaddr_un *addr, socklen_t *alen)
{
	int l = ni_socket(AF_UNIX, SOCK_STREAM | type_flags, 0);

	assert_true(l >= 0);
	memset(addr, 0, sizeof *addr);
	addr->sun_family = AF_UNIX;
	snprintf(addr->sun_path + 1, sizeof addr->sun_path - 1,
		 "noinherit-test-%ld-%u", (long)getpid(), ++name_seq);
	*alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			    strlen(addr->sun_path + 1));
	assert_int_equal(bind(l, (struct sockaddr *)addr, *alen), 0);
	assert_int_equal(listen(l, 8), 0);
	return l;
}

static int
unix_connect(const struct sockaddr_un *addr, socklen_t alen)
{
	int c = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(c >= 0);
	assert_int_equal(connect(c, (const struct sockaddr *)addr, alen), 0);
	return c;
}

static void
accept_unix(void **state)
{
	struct sockaddr_un a, peer;
	socklen_t alen, plen;
	int l, c, s, n0;
	char buf[8];

	(void)state;
	l = unix_listener(0, &a, &alen);
	c = unix_connect(&a, alen);
	n0 = tu_fd_count();
	plen = sizeof peer;
	s = ni_accept(l, (struct sockaddr *)&peer, &plen);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(s);
	assert_lacks_flag(s, O_NONBLOCK);
	assert_int_equal(plen, sizeof(sa_family_t)); /* unnamed client */
	assert_int_equal(peer.sun_family, AF_UNIX);
	assert_int_equal(write(c, "abc", 3), 3);
	assert_int_equal(read(s, buf, sizeof buf), 3);
	close(s);
	close(c);

	/* An inheritable listener still yields a non-inheritable socket. */
	assert_int_equal(fcntl(l, F_SETFD, 0), 0);
	c = unix_connect(&a, alen);
	s = ni_accept(l, NULL, NULL);
	assert_noninheritable(s);
	close(s);
	close(c);

	c = unix_connect(&a, alen);
	s = ni_accept4(l, NULL, NULL, 0);
	assert_noninheritable(s);
	assert_lacks_flag(s, O_NONBLOCK);
	close(s);
	close(c);

	c = unix_connect(&a, alen);
	s = ni_accept4(l, NULL, NULL, SOCK_NONBLOCK);
	assert_noninheritable(s);
	assert_has_flag(s, O_NONBLOCK);
	close(s);
	close(c);

	c = unix_connect(&a, alen);
	s = ni_accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	assert_noninheritable(s);
	assert_has_flag(s, O_NONBLOCK);
	close(s);
	close(c);
	close(l);
}

static void
accept_nonblocking_listener(void **state)
{
	struct sockaddr_un a;
	socklen_t alen;
	int l, c, s;

	(void)state;
	l = unix_listener(SOCK_NONBLOCK, &a, &alen);
	assert_fails(ni_accept(l, NULL, NULL), EAGAIN);
	assert_fails(ni_accept4(l, NULL, NULL, SOCK_NONBLOCK), EAGAIN);
	/* The accepted socket does not take O_NONBLOCK from the listener
	 * (Linux accept(2)), unless asked. */
	c = unix_connect(&a, alen);
	s = ni_accept(l, NULL, NULL);
	assert_noninheritable(s);
	assert_lacks_flag(s, O_NONBLOCK);
	close(s);
	close(c);
	close(l);
}

static void
accept4_tcp_loopback(void **state)
{
	struct sockaddr_in a, peer, local;
	socklen_t alen = sizeof a, plen = sizeof peer, llen = sizeof local;
	int l, c, s, n0;
	char buf[8];

	(void)state;
	l = ni_socket(AF_INET, SOCK_STREAM, 0);
	assert_noninheritable(l);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (struct sockaddr *)&a, sizeof a) != 0) {
		print_message("no loopback: %s\n", strerror(errno));
		close(l);
		skip();
	}
	assert_int_equal(listen(l, 8), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c >= 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(c, (struct sockaddr *)&local, &llen), 0);

	n0 = tu_fd_count();
	s = ni_accept4(l, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(s);
	assert_has_flag(s, O_NONBLOCK);
	assert_int_equal(plen, sizeof peer);
	assert_int_equal(peer.sin_family, AF_INET);
	assert_int_equal(peer.sin_port, local.sin_port);
	assert_int_equal(write(c, "tcp", 3), 3);
	assert_int_equal(shutdown(c, SHUT_WR), 0);
	{
		/* Nonblocking: poll by retrying until the data is there. */
		ssize_t r;
		int tries = 0;

		while ((r = read(s, buf, sizeof buf)) < 0 && errno == EAGAIN &&
		       tries++ < 1000)
			usleep(1000);
		assert_int_equal(r, 3);
	}
	close(s);
	close(c);

	c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof a), 0);
	s = ni_accept(l, NULL, NULL);
	assert_noninheritable(s);
	assert_lacks_flag(s, O_NONBLOCK);
	close(s);
	close(c);
	close(l);
}

static void
accept_errors(void **state)
{
	int p[2], unl, closed;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_fails_at_once(ni_accept(p[0], NULL, NULL), ENOTSOCK);
	assert_fails_at_once(ni_accept4(p[0], NULL, NULL, 0), ENOTSOCK);
	closed = p[1];
	close(p[0]);
	close(p[1]);
	assert_fails_at_once(ni_accept(-1, NULL, NULL), EBADF);
	assert_fails_at_once(ni_accept(closed, NULL, NULL), EBADF);
	assert_fails_at_once(ni_accept4(closed, NULL, NULL, SOCK_NONBLOCK), EBADF);

	/* Not listening. */
	unl = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(unl >= 0);
	assert_fails_at_once(ni_accept(unl, NULL, NULL), EINVAL);
	close(unl);
}

/* Unknown accept4 flags: EINVAL, and the pending connection is not
 * consumed; no descriptor slot: EMFILE, and the connection still waits. */
static void
accept_flags_emfile(void **state)
{
	struct sockaddr_un a;
	socklen_t alen;
	int l, c, s;

	(void)state;
	l = unix_listener(SOCK_NONBLOCK, &a, &alen);
	c = unix_connect(&a, alen);
	assert_fails(ni_accept4(l, NULL, NULL, O_APPEND), EINVAL);
	assert_fails(ni_accept4(l, NULL, NULL, 0x40000000), EINVAL);
	assert_fails(ni_accept4(l, NULL, NULL, SOCK_NONBLOCK | 0x1), EINVAL);

	limit_fds(0);
	assert_fails(ni_accept(l, NULL, NULL), EMFILE);
	assert_fails(ni_accept4(l, NULL, NULL, SOCK_NONBLOCK), EMFILE);
	unlimit_fds();
	s = ni_accept(l, NULL, NULL);
	assert_noninheritable(s);
	close(s);
	/* And now nothing waits. */
	assert_fails(ni_accept(l, NULL, NULL), EAGAIN);
	close(c);
	close(l);
}

/* ------------------------------------------------------------------ */
/* recvmsg with SCM_RIGHTS                                             */
/* ------------------------------------------------------------------ */

#define MAXPASS 8

union cmsgbuf {
	struct cmsghdr h;
	char buf[CMSG_SPACE(sizeof(int) * MAXPASS)];
};

static void
send_fds(int sock, const int *fds, int n)
{
	union cmsgbuf cb;
	struct msghdr m;
	struct iovec iov = { (void *)"x", 1 };
	struct cmsghdr *cm;

	memset(&m, 0, sizeof m);
	memset(&cb, 0, sizeof cb);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (n > 0) {
		m.msg_control = cb.buf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)n);
	}
	assert_int_equal(sendmsg(sock, &m, 0), 1);
}

/*
 * ni_recvmsg with room for room fds; stores what arrived in got[], returns
 * their number.  *mflags gets msg_flags.
 */
static int
recv_fds(int sock, int flags, size_t room, int *got, int *mflags)
{
	union cmsgbuf cb;
	struct msghdr m;
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	struct cmsghdr *cm;
	int n = 0;

	memset(&m, 0, sizeof m);
	memset(&cb, 0, sizeof cb);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cb.buf;
	m.msg_controllen = room;
	assert_int_equal(ni_recvmsg(sock, &m, flags), 1);
	assert_int_equal(byte, 'x');
	for (cm = CMSG_FIRSTHDR(&m); cm != NULL; cm = CMSG_NXTHDR(&m, cm)) {
		size_t k;

		assert_int_equal(cm->cmsg_level, SOL_SOCKET);
		assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(got + n, CMSG_DATA(cm), k * sizeof(int));
		n += (int)k;
	}
	if (mflags != NULL)
		*mflags = m.msg_flags;
	return n;
}

static void
recvmsg_one_fd(void **state)
{
	int sv[2], p[2], got[MAXPASS], n0, mf;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0); /* inheritable */
	send_fds(sv[0], &p[1], 1);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, &mf), 1);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_int_equal(mf & MSG_CTRUNC, 0);
	assert_noninheritable(got[0]);
	assert_int_equal(fd_ino(got[0]), fd_ino(p[1]));
	assert_accmode(got[0], O_WRONLY);
	/* The sender's copy keeps its flag. */
	assert_int_equal(tu_is_cloexec(p[1]), 0);
	assert_true(tu_child_has_fd(p[1]));
	close(got[0]);

	/* MSG_CMSG_CLOEXEC given explicitly is fine too. */
	send_fds(sv[0], &p[0], 1);
	assert_int_equal(recv_fds(sv[1], MSG_CMSG_CLOEXEC, sizeof(union cmsgbuf),
				  got, NULL), 1);
	assert_noninheritable(got[0]);
	assert_accmode(got[0], O_RDONLY);
	close(got[0]);

	/* No control data: the byte count, no descriptor. */
	send_fds(sv[0], NULL, 0);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, NULL), 0);
	assert_int_equal(tu_fd_count(), n0);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
recvmsg_many_fds(void **state)
{
	int sv[2], p[2], sent[4], got[MAXPASS], n0, i;
	char path[PATH_MAX];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	sent[0] = p[0];
	sent[1] = p[1];
	sent[2] = open(make_file(path, "recvmsg", "r"), O_RDONLY);
	sent[3] = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(sent[2] >= 0 && sent[3] >= 0);

	send_fds(sv[0], sent, 2);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, NULL), 2);
	assert_int_equal(tu_fd_count(), n0 + 2);
	for (i = 0; i < 2; i++) {
		assert_noninheritable(got[i]);
		assert_int_equal(fd_ino(got[i]), fd_ino(sent[i]));
		close(got[i]);
	}

	send_fds(sv[0], sent, 4);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, NULL), 4);
	assert_int_equal(tu_fd_count(), n0 + 4);
	for (i = 0; i < 4; i++) {
		assert_noninheritable(got[i]);
		assert_int_equal(fd_ino(got[i]), fd_ino(sent[i]));
		assert_int_equal(tu_is_cloexec(sent[i]), 0);
		close(got[i]);
	}
	for (i = 0; i < 4; i++)
		close(sent[i]);
	close(sv[0]);
	close(sv[1]);
}

/* Peeking installs descriptors too (Linux): they must be cloexec as well. */
static void
recvmsg_peek(void **state)
{
	int sv[2], p[2], got[MAXPASS], n0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	send_fds(sv[0], p, 2);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], MSG_PEEK, sizeof(union cmsgbuf), got, NULL), 2);
	assert_int_equal(tu_fd_count(), n0 + 2);
	assert_noninheritable(got[0]);
	assert_noninheritable(got[1]);
	close(got[0]);
	close(got[1]);
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, NULL), 2);
	assert_noninheritable(got[0]);
	assert_noninheritable(got[1]);
	close(got[0]);
	close(got[1]);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

/* A control buffer too small: the kernel keeps what fits (MSG_CTRUNC). */
static void
recvmsg_ctrunc(void **state)
{
	int sv[2], p[2], sent[MAXPASS], got[MAXPASS], n0, mf, i, fit;
	size_t room = CMSG_SPACE(sizeof(int));

	(void)state;
	fit = (int)((room - CMSG_LEN(0)) / sizeof(int));
	assert_true(fit >= 1 && fit < MAXPASS);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	for (i = 0; i < MAXPASS; i++)
		sent[i] = p[i % 2];
	send_fds(sv[0], sent, fit + 2);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], 0, room, got, &mf), fit);
	assert_true(mf & MSG_CTRUNC);
	assert_int_equal(tu_fd_count(), n0 + fit);
	for (i = 0; i < fit; i++) {
		assert_noninheritable(got[i]);
		close(got[i]);
	}

	/* No descriptor slot free: the data arrives, the fds are dropped. */
	send_fds(sv[0], sent, 2);
	limit_fds(0);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, &mf), 0);
	unlimit_fds();
	assert_true(mf & MSG_CTRUNC);
	assert_int_equal(tu_fd_count(), n0);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
recvmsg_errors(void **state)
{
	int p[2], sv[2], closed;
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr m;

	(void)state;
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	assert_int_equal(pipe(p), 0);
	assert_fails_at_once(ni_recvmsg(p[0], &m, 0), ENOTSOCK);
	closed = p[0];
	close(p[0]);
	close(p[1]);
	assert_fails_at_once(ni_recvmsg(-1, &m, 0), EBADF);
	assert_fails_at_once(ni_recvmsg(closed, &m, 0), EBADF);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_fails(ni_recvmsg(sv[1], &m, MSG_DONTWAIT), EAGAIN);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* ptys                                                                */
/* ------------------------------------------------------------------ */

static void
openpty_basic(void **state)
{
	int m = -7, s = -8, n0;
	char name[128], pname[128];
	struct stat st1, st2;

	(void)state;
	memset(name, 0, sizeof name);
	n0 = tu_fd_count();
	assert_int_equal(ni_openpty(&m, &s, name, NULL, NULL), 0);
	assert_int_equal(tu_fd_count(), n0 + 2);
	assert_noninheritable(m);
	assert_noninheritable(s);
	assert_accmode(m, O_RDWR);
	assert_accmode(s, O_RDWR);
	assert_true(isatty(s));
	assert_int_equal(strncmp(name, "/dev/pts/", 9), 0);
	assert_int_equal(ptsname_r(m, pname, sizeof pname), 0);
	assert_string_equal(name, pname);
	assert_int_equal(stat(name, &st1), 0);
	assert_int_equal(fstat(s, &st2), 0);
	assert_int_equal(st1.st_rdev, st2.st_rdev);
	/* Master and slave are connected. */
	{
		struct termios t;
		char buf[8];

		assert_int_equal(tcgetattr(s, &t), 0);
		cfmakeraw(&t);
		assert_int_equal(tcsetattr(s, TCSANOW, &t), 0);
		assert_int_equal(write(m, "pty", 3), 3);
		assert_int_equal(read(s, buf, sizeof buf), 3);
	}
	close(m);
	close(s);

	/* name may be NULL. */
	assert_int_equal(ni_openpty(&m, &s, NULL, NULL, NULL), 0);
	assert_noninheritable(m);
	assert_noninheritable(s);
	close(m);
	close(s);
}

static void
openpty_termios_winsize(void **state)
{
	struct termios t, got;
	struct winsize w = { .ws_row = 33, .ws_col = 77 }, gw;
	int m, s;

	(void)state;
	/* A default termios with ECHO off. */
	assert_int_equal(ni_openpty(&m, &s, NULL, NULL, NULL), 0);
	assert_int_equal(tcgetattr(s, &t), 0);
	close(m);
	close(s);
	t.c_lflag &= ~(tcflag_t)(ECHO | ICANON);

	assert_int_equal(ni_openpty(&m, &s, NULL, &t, &w), 0);
	assert_noninheritable(m);
	assert_noninheritable(s);
	assert_int_equal(tcgetattr(s, &got), 0);
	assert_int_equal(got.c_lflag & (ECHO | ICANON), 0);
	assert_int_equal(ioctl(s, TIOCGWINSZ, &gw), 0);
	assert_int_equal(gw.ws_row, 33);
	assert_int_equal(gw.ws_col, 77);
	close(m);
	close(s);
}

static void
openpty_errors(void **state)
{
	int m = -7, s = -8;
	char name[128] = "untouched";

	(void)state;
	limit_fds(0);
	assert_fails(ni_openpty(&m, &s, name, NULL, NULL), EMFILE);
	unlimit_fds();
	/* Room for the master only: it must not be left open. */
	limit_fds(1);
	assert_fails(ni_openpty(&m, &s, name, NULL, NULL), EMFILE);
	unlimit_fds();
	assert_int_equal(m, -7);
	assert_int_equal(s, -8);
	assert_string_equal(name, "untouched");
}

static void
posix_openpt_basic(void **state)
{
	int m, n0, s;
	char name[128];

	(void)state;
	n0 = tu_fd_count();
	m = ni_posix_openpt(O_RDWR | O_NOCTTY);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(m);
	assert_accmode(m, O_RDWR);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	assert_int_equal(ptsname_r(m, name, sizeof name), 0);
	s = open(name, O_RDWR | O_NOCTTY);
	assert_true(s >= 0);
	assert_true(isatty(s));
	close(s);
	close(m);

	m = ni_posix_openpt(O_RDWR);
	assert_noninheritable(m);
	close(m);
}

static void
posix_openpt_errors(void **state)
{
	(void)state;
	assert_fails(ni_posix_openpt(O_RDWR | O_APPEND), EINVAL);
	assert_fails(ni_posix_openpt(O_RDWR | O_CREAT), EINVAL);
	limit_fds(0);
	assert_fails(ni_posix_openpt(O_RDWR | O_NOCTTY), EMFILE);
	unlimit_fds();
}

/* ------------------------------------------------------------------ */
/* mkstemp, mkostemp                                                   */
/* ------------------------------------------------------------------ */

static void
check_tmpfile(int fd, const char *tmpl, const char *prefix)
{
	struct stat st;
	size_t len = strlen(tmpl);

	assert_noninheritable(fd);
	assert_int_equal(strncmp(tmpl, prefix, strlen(prefix)), 0);
	assert_int_equal(len, strlen(prefix) + 6);
	assert_string_not_equal(tmpl + len - 6, "XXXXXX");
	assert_int_equal(stat(tmpl, &st), 0);
	assert_int_equal(st.st_ino, fd_ino(fd));
	assert_int_equal(fd_mode(fd), 0600);
	assert_accmode(fd, O_RDWR);
}

static void
mkstemp_basic(void **state)
{
	char tmpl[PATH_MAX], prefix[PATH_MAX];
	int fd, n0;

	(void)state;
	tpath(prefix, "mkstemp-");
	assert_true(snprintf(tmpl, sizeof tmpl, "%sXXXXXX", prefix) < (int)(sizeof tmpl));
	n0 = tu_fd_count();
	fd = ni_mkstemp(tmpl);
	assert_int_equal(tu_fd_count(), n0 + 1);
	check_tmpfile(fd, tmpl, prefix);
	assert_lacks_flag(fd, O_APPEND);
	close(fd);
}

static void
mkstemp_errors(void **state)
{
	static const char *const bad[] = {
		"mkstemp-bad", "mkstemp-XXXXX", "mkstemp-XXXXXXy", "XXXXX",
		"mkstemp-xxxxxx",
	};
	char tmpl[PATH_MAX], copy[PATH_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		tpath(tmpl, bad[i]);
		strcpy(copy, tmpl);
		print_message("template %s\n", tmpl);
		assert_fails(ni_mkstemp(tmpl), EINVAL);
		assert_string_equal(tmpl, copy); /* untouched */
		assert_fails(ni_mkostemp(tmpl, O_APPEND), EINVAL);
		assert_string_equal(tmpl, copy);
	}
	strcpy(tmpl, "XXXXX");
	assert_fails(ni_mkstemp(tmpl), EINVAL);
	tpath(tmpl, "missing-dir/mkstemp-XXXXXX");
	assert_fails(ni_mkstemp(tmpl), ENOENT);
	tpath(tmpl, "mkstemp-XXXXXX");
	limit_fds(0);
	assert_fails(ni_mkstemp(tmpl), EMFILE);
	unlimit_fds();
}

static void
mkostemp_flags(void **state)
{
	char tmpl[PATH_MAX], prefix[PATH_MAX];
	int fd;

	(void)state;
	tpath(prefix, "mkostemp-");
	assert_true(snprintf(tmpl, sizeof tmpl, "%sXXXXXX", prefix) < (int)(sizeof tmpl));
	fd = ni_mkostemp(tmpl, 0);
	check_tmpfile(fd, tmpl, prefix);
	assert_lacks_flag(fd, O_APPEND);
	close(fd);

	assert_true(snprintf(tmpl, sizeof tmpl, "%sXXXXXX", prefix) < (int)(sizeof tmpl));
	fd = ni_mkostemp(tmpl, O_APPEND);
	check_tmpfile(fd, tmpl, prefix);
	assert_has_flag(fd, O_APPEND);
	close(fd);

	assert_true(snprintf(tmpl, sizeof tmpl, "%sXXXXXX", prefix) < (int)(sizeof tmpl));
	fd = ni_mkostemp(tmpl, O_SYNC | O_CLOEXEC);
	check_tmpfile(fd, tmpl, prefix);
	assert_has_flag(fd, O_SYNC);
	close(fd);

	assert_true(snprintf(tmpl, sizeof tmpl, "%sXXXXXX", prefix) < (int)(sizeof tmpl));
	fd = ni_mkostemp(tmpl, O_DSYNC | O_APPEND);
	check_tmpfile(fd, tmpl, prefix);
	assert_has_flag(fd, O_DSYNC | O_APPEND);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Linux descriptors                                                   */
/* ------------------------------------------------------------------ */

static void
epoll_create1_basic(void **state)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep, p[2], n0;

	(void)state;
	n0 = tu_fd_count();
	ep = ni_epoll_create1(0);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(ep);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
	assert_int_equal(write(p[1], "e", 1), 1);
	assert_int_equal(epoll_wait(ep, &out, 1, 1000), 1);
	close(p[0]);
	close(p[1]);
	close(ep);

	ep = ni_epoll_create1(EPOLL_CLOEXEC);
	assert_noninheritable(ep);
	close(ep);

	assert_fails(ni_epoll_create1(1), EINVAL);
	assert_fails(ni_epoll_create1(O_NONBLOCK), EINVAL);
	limit_fds(0);
	assert_fails(ni_epoll_create1(0), EMFILE);
	unlimit_fds();
}

static void
eventfd_basic(void **state)
{
	uint64_t v;
	int fd, n0;

	(void)state;
	n0 = tu_fd_count();
	fd = ni_eventfd(5, 0);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_lacks_flag(fd, O_NONBLOCK);
	assert_int_equal(read(fd, &v, sizeof v), sizeof v);
	assert_int_equal(v, 5);
	close(fd);

	fd = ni_eventfd(0, EFD_NONBLOCK);
	assert_noninheritable(fd);
	assert_has_flag(fd, O_NONBLOCK);
	errno = 0;
	assert_int_equal(read(fd, &v, sizeof v), -1);
	assert_errno_is(errno, EAGAIN);
	close(fd);

	fd = ni_eventfd(3, EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK);
	assert_noninheritable(fd);
	assert_has_flag(fd, O_NONBLOCK);
	assert_int_equal(read(fd, &v, sizeof v), sizeof v);
	assert_int_equal(v, 1); /* semaphore semantics */
	close(fd);

	assert_fails(ni_eventfd(0, 16), EINVAL);
	assert_fails(ni_eventfd(0, EFD_NONBLOCK | 0x10000000), EINVAL);
	limit_fds(0);
	assert_fails(ni_eventfd(0, 0), EMFILE);
	unlimit_fds();
}

static void
timerfd_basic(void **state)
{
	struct itimerspec its;
	uint64_t v;
	int fd, n0;

	(void)state;
	n0 = tu_fd_count();
	fd = ni_timerfd_create(CLOCK_MONOTONIC, 0);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_lacks_flag(fd, O_NONBLOCK);
	assert_int_equal(timerfd_gettime(fd, &its), 0);
	close(fd);

	fd = ni_timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	assert_noninheritable(fd);
	assert_has_flag(fd, O_NONBLOCK);
	errno = 0;
	assert_int_equal(read(fd, &v, sizeof v), -1);
	assert_errno_is(errno, EAGAIN);
	close(fd);

	assert_fails(ni_timerfd_create(4242, 0), EINVAL);
	assert_fails(ni_timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
	limit_fds(0);
	assert_fails(ni_timerfd_create(CLOCK_MONOTONIC, 0), EMFILE);
	unlimit_fds();
}

static void
signalfd_new(void **state)
{
	sigset_t mask, old;
	struct signalfd_siginfo si;
	int fd, n0;

	(void)state;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &mask, &old), 0);

	n0 = tu_fd_count();
	fd = ni_signalfd(-1, &mask, SFD_NONBLOCK);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_has_flag(fd, O_NONBLOCK);
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(read(fd, &si, sizeof si), sizeof si);
	assert_int_equal(si.ssi_signo, SIGUSR1);
	close(fd);

	fd = ni_signalfd(-1, &mask, 0);
	assert_noninheritable(fd);
	assert_lacks_flag(fd, O_NONBLOCK);
	close(fd);
	fd = ni_signalfd(-1, &mask, SFD_CLOEXEC);
	assert_noninheritable(fd);
	close(fd);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}

/* An existing signalfd: only the mask changes, not its flag, no new fd. */
static void
signalfd_update(void **state)
{
	sigset_t m1, m2, both, old;
	struct signalfd_siginfo si;
	int raw, fd, n0;

	(void)state;
	sigemptyset(&m1);
	sigaddset(&m1, SIGUSR1);
	sigemptyset(&m2);
	sigaddset(&m2, SIGUSR2);
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	assert_int_equal(sigprocmask(SIG_BLOCK, &both, &old), 0);

	raw = signalfd(-1, &m1, SFD_NONBLOCK); /* inheritable */
	assert_true(raw >= 0);
	assert_int_equal(tu_is_cloexec(raw), 0);
	n0 = tu_fd_count();
	assert_int_equal(ni_signalfd(raw, &m2, SFD_NONBLOCK), raw);
	assert_int_equal(tu_fd_count(), n0);
	assert_int_equal(tu_is_cloexec(raw), 0); /* flag left alone */
	assert_true(tu_child_has_fd(raw));
	/* The mask is now SIGUSR2 only. */
	assert_int_equal(raise(SIGUSR1), 0);
	errno = 0;
	assert_int_equal(read(raw, &si, sizeof si), -1);
	assert_errno_is(errno, EAGAIN);
	assert_int_equal(raise(SIGUSR2), 0);
	assert_int_equal(read(raw, &si, sizeof si), sizeof si);
	assert_int_equal(si.ssi_signo, SIGUSR2);
	close(raw);

	/* A non-inheritable one stays non-inheritable. */
	fd = ni_signalfd(-1, &m2, SFD_NONBLOCK);
	assert_noninheritable(fd);
	n0 = tu_fd_count();
	assert_int_equal(ni_signalfd(fd, &m1, 0), fd);
	assert_int_equal(tu_fd_count(), n0);
	assert_noninheritable(fd);
	/* The pending SIGUSR1 is now readable through it. */
	assert_int_equal(read(fd, &si, sizeof si), sizeof si);
	assert_int_equal(si.ssi_signo, SIGUSR1);
	close(fd);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}

static void
signalfd_errors(void **state)
{
	sigset_t mask;
	int p[2], closed;

	(void)state;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	assert_int_equal(pipe(p), 0);
	assert_fails(ni_signalfd(p[0], &mask, 0), EINVAL); /* not a signalfd */
	closed = p[0];
	close(p[0]);
	close(p[1]);
	assert_fails(ni_signalfd(closed, &mask, 0), EBADF);
	assert_fails(ni_signalfd(-1, &mask, 1), EINVAL);
	limit_fds(0);
	assert_fails(ni_signalfd(-1, &mask, 0), EMFILE);
	unlimit_fds();
}

static void
inotify_init1_basic(void **state)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	char path[PATH_MAX];
	int fd, n0;

	(void)state;
	n0 = tu_fd_count();
	fd = ni_inotify_init1(0);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_lacks_flag(fd, O_NONBLOCK);
	close(fd);

	fd = ni_inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_noninheritable(fd);
	assert_has_flag(fd, O_NONBLOCK);
	errno = 0;
	assert_int_equal(read(fd, buf, sizeof buf), -1);
	assert_errno_is(errno, EAGAIN);
	assert_true(inotify_add_watch(fd, tmpdir, IN_CREATE) >= 0);
	make_file(path, "inotify", "i");
	assert_true(read(fd, buf, sizeof buf) > 0);
	close(fd);

	assert_fails(ni_inotify_init1(1), EINVAL);
	limit_fds(0);
	assert_fails(ni_inotify_init1(0), EMFILE);
	unlimit_fds();
}

static void
memfd_create_basic(void **state)
{
	char name[300], buf[8];
	int fd, n0;

	(void)state;
	n0 = tu_fd_count();
	fd = ni_memfd_create("ni-test", 0);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_accmode(fd, O_RDWR);
	assert_int_equal(write(fd, "memfd", 5), 5);
	assert_int_equal(pread(fd, buf, sizeof buf, 0), 5);
	/* No MFD_ALLOW_SEALING: sealed against sealing. */
	assert_int_equal(fcntl(fd, F_GET_SEALS) & F_SEAL_SEAL, F_SEAL_SEAL);
	close(fd);

	fd = ni_memfd_create("ni-test-seal", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	assert_noninheritable(fd);
	assert_int_equal(fcntl(fd, F_GET_SEALS) & F_SEAL_SEAL, 0);
	close(fd);

	assert_fails(ni_memfd_create("ni-test", 0x1000), EINVAL);
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	assert_fails(ni_memfd_create(name, 0), EINVAL);
	limit_fds(0);
	assert_fails(ni_memfd_create("ni-test", 0), EMFILE);
	unlimit_fds();
}

static void
kqueue_enosys(void **state)
{
	(void)state;
	assert_fails(ni_kqueue(), ENOSYS);
}

/* ------------------------------------------------------------------ */
/* Every creator at once (OpenBSD oclo style), and EMFILE for each     */
/* ------------------------------------------------------------------ */

static FILE *table_fp;
static char table_file[PATH_MAX]; /* made before the limit is lowered */

/* Each makes one or two descriptors, returns their number or -1. */
static int one(int fd[2], int r) { fd[0] = r; return r < 0 ? -1 : 1; }
static int two(int r) { return r < 0 ? -1 : 2; }

static int mk_open(int fd[2]) { return one(fd, ni_open(table_file, O_RDONLY)); }
static int
mk_openat(int fd[2])
{
	return one(fd, ni_openat(AT_FDCWD, table_file, O_RDWR));
}
static int
mk_creat(int fd[2])
{
	char p[PATH_MAX];

	fd[0] = ni_creat(tpath_unique(p, "tbl"), 0600);
	return fd[0] < 0 ? -1 : 1;
}
static int
mk_fopen(int fd[2])
{
	table_fp = ni_fopen(table_file, "r");
	if (table_fp == NULL)
		return -1;
	fd[0] = fileno(table_fp);
	return 1;
}
static int mk_dup(int fd[2]) { return one(fd, ni_dup(0)); }
static int mk_dupfd(int fd[2]) { return one(fd, ni_dupfd(0, 1)); }
static int mk_dup2(int fd[2]) { return one(fd, ni_dup2(0, 77, false)); }
static int mk_pipe(int fd[2]) { return two(ni_pipe(fd)); }
static int mk_pipe2(int fd[2]) { return two(ni_pipe2(fd, O_NONBLOCK)); }
static int
mk_socket(int fd[2])
{
	return one(fd, ni_socket(AF_UNIX, SOCK_STREAM, 0));
}
static int
mk_socket_nb(int fd[2])
{
	return one(fd, ni_socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
}
static int
mk_socketpair(int fd[2])
{
	return two(ni_socketpair(AF_UNIX, SOCK_STREAM, 0, fd));
}
static int
mk_openpty(int fd[2])
{
	return two(ni_openpty(&fd[0], &fd[1], NULL, NULL, NULL));
}
static int
mk_posix_openpt(int fd[2])
{
	return one(fd, ni_posix_openpt(O_RDWR | O_NOCTTY));
}
static int
mk_mkstemp(int fd[2])
{
	char p[PATH_MAX];

	tpath(p, "tbl-XXXXXX");
	fd[0] = ni_mkstemp(p);
	return fd[0] < 0 ? -1 : 1;
}
static int
mk_mkostemp(int fd[2])
{
	char p[PATH_MAX];

	tpath(p, "tbl-XXXXXX");
	fd[0] = ni_mkostemp(p, O_APPEND);
	return fd[0] < 0 ? -1 : 1;
}
static int mk_epoll(int fd[2]) { return one(fd, ni_epoll_create1(0)); }
static int
mk_eventfd(int fd[2])
{
	return one(fd, ni_eventfd(0, EFD_NONBLOCK));
}
static int
mk_timerfd(int fd[2])
{
	return one(fd, ni_timerfd_create(CLOCK_MONOTONIC, 0));
}
static int
mk_signalfd(int fd[2])
{
	sigset_t m;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	fd[0] = ni_signalfd(-1, &m, 0);
	return fd[0] < 0 ? -1 : 1;
}
static int mk_inotify(int fd[2]) { return one(fd, ni_inotify_init1(0)); }
static int mk_memfd(int fd[2]) { return one(fd, ni_memfd_create("tbl", 0)); }

/* accept and recvmsg need peers; those are closed again, only the new
 * descriptor stays. */
static int
mk_accept(int fd[2])
{
	struct sockaddr_un a;
	socklen_t alen;
	int l = unix_listener(0, &a, &alen), c = unix_connect(&a, alen);

	fd[0] = ni_accept4(l, NULL, NULL, 0);
	close(c);
	close(l);
	return fd[0] < 0 ? -1 : 1;
}

static int
mk_recvmsg(int fd[2])
{
	int sv[2], p[2], n;

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	send_fds(sv[0], p, 2);
	n = recv_fds(sv[1], 0, sizeof(union cmsgbuf), fd, NULL);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	return n == 2 ? 2 : -1;
}

static const struct creator {
	const char *name;
	int (*make)(int fd[2]);
	bool emfile; /* fails with EMFILE when the table is full */
} creators[] = {
	{ "ni_open", mk_open, true },
	{ "ni_openat", mk_openat, true },
	{ "ni_creat", mk_creat, true },
	{ "ni_fopen", mk_fopen, true },
	{ "ni_dup", mk_dup, true },
	{ "ni_dupfd", mk_dupfd, true },
	{ "ni_dup2", mk_dup2, false },
	{ "ni_pipe", mk_pipe, true },
	{ "ni_pipe2", mk_pipe2, true },
	{ "ni_socket", mk_socket, true },
	{ "ni_socket(SOCK_NONBLOCK)", mk_socket_nb, true },
	{ "ni_socketpair", mk_socketpair, true },
	{ "ni_accept4", mk_accept, false },
	{ "ni_recvmsg", mk_recvmsg, false },
	{ "ni_openpty", mk_openpty, true },
	{ "ni_posix_openpt", mk_posix_openpt, true },
	{ "ni_mkstemp", mk_mkstemp, true },
	{ "ni_mkostemp", mk_mkostemp, true },
	{ "ni_epoll_create1", mk_epoll, true },
	{ "ni_eventfd", mk_eventfd, true },
	{ "ni_timerfd_create", mk_timerfd, true },
	{ "ni_signalfd", mk_signalfd, true },
	{ "ni_inotify_init1", mk_inotify, true },
	{ "ni_memfd_create", mk_memfd, true },
};
#define NCREATORS (sizeof creators / sizeof creators[0])

static void
all_creators_not_inherited(void **state)
{
	int fds[2 * NCREATORS];
	FILE *fp = NULL;
	bool *seen;
	int nfds = 0, maxfd = 0, i;
	size_t c;

	(void)state;
	make_file(table_file, "tbl", "t");
	for (c = 0; c < NCREATORS; c++) {
		int fd[2] = { -1, -1 }, n0 = tu_fd_count(), k, j;

		print_message("%s\n", creators[c].name);
		table_fp = NULL;
		k = creators[c].make(fd);
		if (table_fp != NULL)
			fp = table_fp;
		assert_true(k > 0);
		assert_int_equal(tu_fd_count(), n0 + k);
		for (j = 0; j < k; j++) {
			assert_int_equal(tu_is_cloexec(fd[j]), 1);
			fds[nfds++] = fd[j];
			if (fd[j] > maxfd)
				maxfd = fd[j];
		}
	}
	/* One exec'd child must see none of them. */
	seen = calloc((size_t)maxfd + 1, sizeof *seen);
	assert_non_null(seen);
	assert_true(tu_child_fds(seen, maxfd + 1) >= 3);
	for (i = 0; i < nfds; i++) {
		if (seen[fds[i]])
			print_message("fd %d was inherited\n", fds[i]);
		assert_false(seen[fds[i]]);
	}
	free(seen);
	for (i = 0; i < nfds; i++)
		if (fp == NULL || fds[i] != fileno(fp))
			close(fds[i]);
	if (fp != NULL)
		fclose(fp);
}

static void
all_creators_emfile(void **state)
{
	size_t c;
	int extra;

	(void)state;
	make_file(table_file, "tbl", "t");
	for (c = 0; c < NCREATORS; c++) {
		if (!creators[c].emfile)
			continue;
		/* No slot; and for the pair makers one slot, half enough. */
		for (extra = 0; extra <= 1; extra++) {
			int fd[2] = { -7, -8 }, n0, k, e;

			limit_fds(extra);
			n0 = tu_fd_count();
			table_fp = NULL;
			errno = 0;
			k = creators[c].make(fd);
			e = errno;
			unlimit_fds();
			if (extra == 1 && k == 1) {
				/* One-fd maker: it fits. */
				if (table_fp != NULL)
					fclose(table_fp);
				else
					close(fd[0]);
				continue;
			}
			print_message("%s, %d free\n", creators[c].name, extra);
			assert_int_equal(k, -1);
			assert_errno_is(e, EMFILE);
			assert_int_equal(tu_fd_count(), n0);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Features                                                            */
/* ------------------------------------------------------------------ */

static const struct {
	unsigned bit;
	const char *name;
} feat_names[] = {
	{ NI_FEAT_O_CLOEXEC, "O_CLOEXEC" },
	{ NI_FEAT_SOCK_CLOEXEC, "SOCK_CLOEXEC" },
	{ NI_FEAT_ACCEPT4, "ACCEPT4" },
	{ NI_FEAT_DUPFD_CLOEXEC, "DUPFD_CLOEXEC" },
	{ NI_FEAT_DUP3, "DUP3" },
	{ NI_FEAT_PIPE2, "PIPE2" },
	{ NI_FEAT_CMSG_CLOEXEC, "CMSG_CLOEXEC" },
	{ NI_FEAT_EPOLL_CLOEXEC, "EPOLL_CLOEXEC" },
	{ NI_FEAT_FD_CLOEXEC_FLAGS, "FD_CLOEXEC_FLAGS" },
	{ NI_FEAT_FOPEN_E, "FOPEN_E" },
	{ NI_FEAT_FIOCLEX, "FIOCLEX" },
	{ NI_FEAT_CLOSE_RANGE, "CLOSE_RANGE" },
	{ NI_FEAT_CLOSE_RANGE_CLOEXEC, "CLOSE_RANGE_CLOEXEC" },
	{ NI_FEAT_PROC_FD, "PROC_FD" },
};

static void
print_features(const char *what, unsigned bits)
{
	size_t i;

	print_message("%s:", what);
	for (i = 0; i < sizeof feat_names / sizeof feat_names[0]; i++)
		if (bits & feat_names[i].bit)
			print_message(" %s", feat_names[i].name);
	print_message("\n");
}

/*
 * Runs last on purpose: after every error case above, a library that took
 * a genuine EINVAL (bad flags) for "atomic flag refused" and cached it
 * would have lost the bit by now.
 */
static void
features_match_mode(void **state)
{
	const char *mode = tu_mode();
	unsigned f = ni_features(), want_set = 0, want_clear = 0;

	(void)state;
	assert_int_equal(ni_features(), f); /* cached, stable */
	print_message("mode %s\n", mode);
	print_features("features", f);
	if (strcmp(mode, "native") == 0) {
		want_set = NI_FEAT_O_CLOEXEC | NI_FEAT_SOCK_CLOEXEC |
			   NI_FEAT_ACCEPT4 | NI_FEAT_DUPFD_CLOEXEC |
			   NI_FEAT_DUP3 | NI_FEAT_PIPE2 |
			   NI_FEAT_EPOLL_CLOEXEC | NI_FEAT_FIOCLEX |
			   NI_FEAT_CLOSE_RANGE | NI_FEAT_PROC_FD;
	} else if (strcmp(mode, "seccomp") == 0 ||
		   strcmp(mode, "seccomp-eperm") == 0) {
		want_clear = NI_FEAT_SOCK_CLOEXEC | NI_FEAT_ACCEPT4 |
			     NI_FEAT_DUPFD_CLOEXEC | NI_FEAT_DUP3 |
			     NI_FEAT_PIPE2 | NI_FEAT_EPOLL_CLOEXEC |
			     NI_FEAT_CMSG_CLOEXEC | NI_FEAT_FD_CLOEXEC_FLAGS |
			     NI_FEAT_FIOCLEX | NI_FEAT_CLOSE_RANGE;
	} else if (strcmp(mode, "ocloexec-ignored") == 0) {
		want_clear = NI_FEAT_O_CLOEXEC;
	} else {
		print_message("no expectation for mode %s\n", mode);
	}
	print_features("missing", want_set & ~f);
	print_features("unexpectedly set", want_clear & f);
	assert_int_equal(f & want_set, want_set);
	assert_int_equal(f & want_clear, 0);
}

static void
version_matches_header(void **state)
{
	char want[32];

	(void)state;
	assert_true(snprintf(want, sizeof want, "%d.%d.%d", NI_VERSION_MAJOR,
		 NI_VERSION_MINOR, NI_VERSION_PATCH) < (int)(sizeof want));
	assert_non_null(ni_version());
	assert_string_equal(ni_version(), want);
}

/* ------------------------------------------------------------------ */

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int
group_setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (snprintf(tmpdir, sizeof tmpdir, "%s/ni-test-create-XXXXXX", base) >= (int)sizeof tmpdir)
		return -1;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Each test starts from the same descriptor table: the setup notes which
 * descriptors are open, the teardown closes any the test left open (a
 * failed assertion skips a test's own close() calls) so that one failure
 * does not cascade into the next tests' counts.
 */
static bool *fds_at_start;
static int fds_scan;

static int
snapshot_fds(void **state)
{
	struct rlimit rl;
	int fd;

	(void)state;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	fds_scan = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (1u << 16))
		       ? 1 << 16 : (int)rl.rlim_max;
	free(fds_at_start);
	fds_at_start = calloc((size_t)fds_scan, sizeof *fds_at_start);
	if (fds_at_start == NULL)
		return -1;
	for (fd = 0; fd < fds_scan; fd++)
		fds_at_start[fd] = fcntl(fd, F_GETFD) != -1;
	return 0;
}

static int
restore_state(void **state)
{
	int fd, leaked = 0;

	(void)state;
	if (setrlimit(RLIMIT_NOFILE, &orig_nofile) != 0)
		return -1;
	for (fd = 0; fd < fds_scan && fds_at_start != NULL; fd++) {
		if (!fds_at_start[fd] && fcntl(fd, F_GETFD) != -1) {
			close(fd);
			leaked++;
		}
	}
	if (leaked > 0)
		print_message("(teardown closed %d descriptor(s) left open)\n",
			      leaked);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, snapshot_fds, restore_state)

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(harness_control),
		T(open_basic),
		T(open_create_mode),
		T(open_tmpfile_mode),
		T(open_errors),
		T(openat_basic),
		T(openat_errors),
		T(creat_basic),
		T(creat_errors),
		T(fopen_modes),
		T(fopen_c11_b_plus),
		T(fopen_rw_data),
		T(fopen_bad_modes),
		T(fopen_errors),
		T(dup_basic),
		T(dup_errors),
		T(dupfd_basic),
		T(dupfd_errors),
		T(dup2_basic),
		T(dup2_same_fd),
		T(dup2_errors),
		T(pipe_basic),
		T(pipe_errors),
		T(pipe_efault),
		T(pipe2_flags),
		T(pipe2_errors),
		T(socket_basic),
		T(socket_errors),
		T(socketpair_basic),
		T(socketpair_errors),
		T(accept_unix),
		T(accept_nonblocking_listener),
		T(accept4_tcp_loopback),
		T(accept_errors),
		T(accept_flags_emfile),
		T(recvmsg_one_fd),
		T(recvmsg_many_fds),
		T(recvmsg_peek),
		T(recvmsg_ctrunc),
		T(recvmsg_errors),
		T(openpty_basic),
		T(openpty_termios_winsize),
		T(openpty_errors),
		T(posix_openpt_basic),
		T(posix_openpt_errors),
		T(mkstemp_basic),
		T(mkstemp_errors),
		T(mkostemp_flags),
		T(epoll_create1_basic),
		T(eventfd_basic),
		T(timerfd_basic),
		T(signalfd_new),
		T(signalfd_update),
		T(signalfd_errors),
		T(inotify_init1_basic),
		T(memfd_create_basic),
		T(kqueue_enosys),
		T(all_creators_not_inherited),
		T(all_creators_emfile),
		T(version_matches_header),
		T(features_match_mode), /* last: see its comment */
	};

	tu_close_inherited();
	umask(0);
	if (getrlimit(RLIMIT_NOFILE, &orig_nofile) != 0)
		return 2;
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("create", tests, group_setup,
					   group_teardown);
}
