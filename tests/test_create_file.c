/*
 * test_create_file.c - the creators that open a path: ni_open, ni_openat,
 * ni_creat, ni_fopen, ni_mkstemp, ni_mkostemp.  Each new descriptor is
 * close-on-exec (raw fcntl) and not received by a child that really execs
 * (tests/reporter); the access mode, status flags and file mode asked for are
 * kept; errors return -1 (or NULL) with the errno of the call wrapped, leak
 * no descriptor and touch no file they should not.
 *
 * Usage: test_create_file [NAME-PATTERN]   (runs only the matching tests)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "noinherit.h"
#include "test_create.h"

/* ------------------------------------------------------------------ */
/* open, openat, creat                                                 */
/* ------------------------------------------------------------------ */

static void
open_basic(void **state)
{
	char path[PATH_MAX];
	int n0, fd;

	(void)state;
	tu_make_file(path, "open", "hello");
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

	fd = ni_open(tu_tmpdir, O_RDONLY | O_DIRECTORY);
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
	tu_path_unique(path, "open-create");
	fd = ni_open(path, O_WRONLY | O_CREAT | O_EXCL, 0751);
	assert_noninheritable(fd);
	assert_int_equal(tu_fd_mode(fd), 0751);
	assert_accmode(fd, O_WRONLY);
	close(fd);

	tu_path_unique(path, "open-create");
	fd = ni_open(path, O_RDWR | O_CREAT, (mode_t)0604);
	assert_noninheritable(fd);
	assert_int_equal(tu_fd_mode(fd), 0604);
	assert_accmode(fd, O_RDWR);
	close(fd);
}

/* The mode argument is read for O_TMPFILE too (which has no O_CREAT bit). */
static void
open_tmpfile_mode(void **state)
{
	int fd;

	(void)state;
#ifndef O_TMPFILE
	(void)fd;
	print_message("O_TMPFILE: Linux only\n");
	skip();
#else
	errno = 0;
	fd = ni_open(tu_tmpdir, O_TMPFILE | O_RDWR, 0640);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {
		print_message("O_TMPFILE not supported in %s\n", tu_tmpdir);
		skip();
	}
	assert_noninheritable(fd);
	assert_int_equal(tu_fd_mode(fd), 0640);
	assert_accmode(fd, O_RDWR);
	close(fd);
#endif
}

static void
open_errors(void **state)
{
	char path[PATH_MAX], missing[PATH_MAX], sub[PATH_MAX];

	(void)state;
	tu_make_file(path, "open-err", "keep");
	tu_path(missing, "no-such-file");
	assert_fails(ni_open(missing, O_RDONLY), ENOENT);
	assert_fails(ni_open(path, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	assert_fails(ni_open(tu_tmpdir, O_WRONLY), EISDIR);
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
	dfd = ni_open(tu_tmpdir, O_RDONLY | O_DIRECTORY);
	assert_noninheritable(dfd);

	assert_true(snprintf(name, sizeof name, "openat-%u", tu_next_seq()) < (int)(sizeof name));
	n0 = tu_fd_count();
	fd = ni_openat(dfd, name, O_RDWR | O_CREAT | O_EXCL, 0642);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_int_equal(tu_fd_mode(fd), 0642);
	assert_accmode(fd, O_RDWR);
	/* It was created in that directory. */
	assert_int_equal(access(tu_path(path, name), F_OK), 0);
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
	tu_make_file(path, "openat-err", "x");
	dfd = ni_open(tu_tmpdir, O_RDONLY | O_DIRECTORY);
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
	tu_path_unique(path, "creat");
	fd = ni_creat(path, 0604);
	assert_noninheritable(fd);
	assert_int_equal(tu_fd_mode(fd), 0604);
	assert_accmode(fd, O_WRONLY);
	close(fd);

	/* Existing file: truncated, mode unchanged. */
	tu_make_file(path, "creat-trunc", "some content");
	fd = ni_creat(path, 0600);
	assert_noninheritable(fd);
	assert_accmode(fd, O_WRONLY);
	assert_int_equal(tu_fd_mode(fd), 0644);
	assert_int_equal(lseek(fd, 0, SEEK_END), 0);
	close(fd);
}

static void
creat_errors(void **state)
{
	char path[PATH_MAX];

	(void)state;
	tu_path(path, "missing-dir/file");
	assert_fails(ni_creat(path, 0600), ENOENT);
	assert_fails(ni_creat(tu_tmpdir, 0600), EISDIR);
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
			tu_path_unique(path, "fopen-x");
		else
			tu_make_file(path, "fopen", "data\n");
		print_message("mode \"%s\"\n", ok[i].mode);
		n0 = tu_fd_count();
		f = ni_fopen(path, ok[i].mode);
		assert_non_null(f);
		assert_int_equal(tu_fd_count(), n0 + 1);
		assert_noninheritable(fileno(f));
		assert_accmode(fileno(f), ok[i].acc);
		assert_int_equal(tu_getfl(fileno(f)) & O_APPEND, ok[i].append);
		assert_int_equal(fclose(f), 0);
	}
}

/*
 * Modes of seven characters or more: glibc reads only the first seven, so an
 * "e" appended last was ignored and the stream inheritable, and the first
 * such call marked fopen's "e" unsupported for good.  First in the program,
 * so that its ni_fopen is the process's first (issue 14).
 */
static void
fopen_long_modes_once(void)
{
	static const char *const modes[] = { "rbbbbbb", "r+bbbbbbbbb", "r+bmcbbb" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		FILE *f;

		tu_make_file(path, "fopen-long", "data\n");
		print_message("mode \"%s\"\n", modes[i]);
		f = ni_fopen(path, modes[i]);
		assert_non_null(f);
		assert_noninheritable(fileno(f));
		assert_false(tu_child_has_fd(fileno(f)));
		assert_accmode(fileno(f), modes[i][1] == '+' ? O_RDWR : O_RDONLY);
		assert_int_equal(fclose(f), 0);
	}
}

static void
fopen_long_modes(void **state)
{
	(void)state;
	fopen_long_modes_once();
	/* Natively "e" works: the long modes must not have said otherwise. */
	if (strcmp(tu_mode(), "native") == 0)
		assert_int_equal(ni_features() & NI_FEAT_FOPEN_E, NI_FEAT_FOPEN_E);
	/* Again, with the probe settled ("e" trusted, where it works). */
	fopen_long_modes_once();
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

		tu_make_file(path, "fopen-bplus", "x");
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
	tu_path_unique(path, "fopen-data");
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
	tu_make_file(path, "fopen-bad", "unchanged");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		print_message("mode \"%s\"\n", bad[i]);
		assert_fails_null(ni_fopen(path, bad[i]), EINVAL);
		/* Not even a file is touched: no creation, no truncation. */
		tu_path_unique(fresh, "fopen-bad-new");
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
	tu_make_file(path, "fopen-err", "keep me");
	tu_path(missing, "fopen-missing");
	assert_fails_null(ni_fopen(missing, "r"), ENOENT);
	assert_fails_null(ni_fopen(missing, "r+"), ENOENT);
	assert_fails_null(ni_fopen(path, "wx"), EEXIST);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 7);
	assert_fails_null(ni_fopen(tu_tmpdir, "w"), EISDIR);
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
	assert_int_equal(st.st_ino, tu_fd_ino(fd));
	assert_int_equal(tu_fd_mode(fd), 0600);
	assert_accmode(fd, O_RDWR);
}

static void
mkstemp_basic(void **state)
{
	char tmpl[PATH_MAX], prefix[PATH_MAX];
	int fd, n0;

	(void)state;
	tu_path(prefix, "mkstemp-");
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
		tu_path(tmpl, bad[i]);
		strcpy(copy, tmpl);
		print_message("template %s\n", tmpl);
		assert_fails(ni_mkstemp(tmpl), EINVAL);
		assert_string_equal(tmpl, copy); /* untouched */
		assert_fails(ni_mkostemp(tmpl, O_APPEND), EINVAL);
		assert_string_equal(tmpl, copy);
	}
	strcpy(tmpl, "XXXXX");
	assert_fails(ni_mkstemp(tmpl), EINVAL);
	tu_path(tmpl, "missing-dir/mkstemp-XXXXXX");
	assert_fails(ni_mkstemp(tmpl), ENOENT);
	tu_path(tmpl, "mkstemp-XXXXXX");
	tu_limit_fds(0);
	assert_fails(ni_mkstemp(tmpl), EMFILE);
	tu_unlimit_fds();
}

static void
mkostemp_flags(void **state)
{
	char tmpl[PATH_MAX], prefix[PATH_MAX];
	int fd;

	(void)state;
	tu_path(prefix, "mkostemp-");
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

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(open_basic),
		tu_unit_test(open_create_mode),
		tu_unit_test(open_tmpfile_mode),
		tu_unit_test(open_errors),
		tu_unit_test(openat_basic),
		tu_unit_test(openat_errors),
		tu_unit_test(creat_basic),
		tu_unit_test(creat_errors),
		tu_unit_test(fopen_long_modes), /* the first ni_fopen */
		tu_unit_test(fopen_modes),
		tu_unit_test(fopen_c11_b_plus),
		tu_unit_test(fopen_rw_data),
		tu_unit_test(fopen_bad_modes),
		tu_unit_test(fopen_errors),
		tu_unit_test(mkstemp_basic),
		tu_unit_test(mkstemp_errors),
		tu_unit_test(mkostemp_flags),
		tu_unit_test(features_match_mode), /* last: see test_create.h */
	};

	return tu_run_tests("create.file", tests, argc, argv);
}
