/*
 * Files on Windows: ni_open, ni_openat, ni_creat, ni_fopen, ni_mkstemp,
 * ni_mkostemp.  Each handle non-inheritable; errors; UTF-8 paths.
 */
#include <sys/stat.h>

#include "test_win_create.h"

/* "né-日本" in UTF-8: a name outside every ANSI code page at once. */
#define NONASCII "n\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac"

static void
remove_u8(const char *path)
{
	wchar_t w[MAX_PATH];

	assert_true(MultiByteToWideChar(CP_UTF8, 0, path, -1, w, MAX_PATH) > 0);
	DeleteFileW(w);
}

static void
open_creat(void **state)
{
	const char *path = scratch_path("open.txt");
	int fds[3];

	(void)state;
	fds[0] = ni_open(path, O_RDWR | O_CREAT | O_TRUNC | O_BINARY, 0600);
	assert_int_equal(_write(fds[0], "abc", 3), 3);
	fds[1] = ni_open(path, O_RDONLY);
	fds[2] = ni_creat(path, 0600);
	check_fds(fds, 3);
	_close(fds[0]);
	_close(fds[1]);
	_close(fds[2]);
	remove_u8(path);
}

static void
openat_cases(void **state)
{
	const char *path = scratch_path("openat.txt");
	wchar_t cwd[MAX_PATH], dirw[MAX_PATH];
	int fds[2], p[2];

	(void)state;
	/* Absolute: dirfd is ignored, even a bad one. */
	fds[0] = ni_openat(12345, path, O_RDWR | O_CREAT, 0600);
	/* Relative, from the current directory. */
	assert_true(GetCurrentDirectoryW(MAX_PATH, cwd) > 0);
	assert_true(MultiByteToWideChar(CP_UTF8, 0, scratch_dir(), -1, dirw,
	    MAX_PATH) > 0);
	assert_true(SetCurrentDirectoryW(dirw));
	fds[1] = ni_openat(NI_AT_FDCWD, "openat.txt", O_RDONLY);
	check_fds(fds, 2);
	_close(fds[0]);
	_close(fds[1]);
	/* Relative to a descriptor: EBADF if it is not open, else ENOSYS. */
	errno = 0;
	assert_int_equal(ni_openat(4000, "openat.txt", O_RDONLY), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(ni_pipe(p), 0);
	errno = 0;
	assert_int_equal(ni_openat(p[0], "openat.txt", O_RDONLY), -1);
	assert_int_equal(errno, ENOSYS);
	_close(p[0]);
	_close(p[1]);
	assert_true(SetCurrentDirectoryW(cwd));
	remove_u8(path);
}

static void
fopen_modes(void **state)
{
	static const char *good[] = { "w", "r", "a", "r+", "w+b", "rb+",
		"re", "rbe", "rt", "a+t", "rN", "wb" };
	const char *path = scratch_path("fopen.txt");
	FILE *f[sizeof good / sizeof good[0]];
	int fds[sizeof good / sizeof good[0]];
	size_t i;

	(void)state;
	/* All open at once, one child run for all; the CRT shares files. */
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		f[i] = ni_fopen(path, good[i]);
		if (f[i] == NULL)
			fail_msg("ni_fopen(\"%s\"): %s", good[i], strerror(errno));
		fds[i] = _fileno(f[i]);
	}
	check_fds(fds, sizeof fds / sizeof fds[0]);
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		fclose(f[i]);
	remove_u8(path);
}

/* A bad mode is EINVAL before any file is made. */
static void
fopen_bad_modes(void **state)
{
	static const char *bad[] = { "", "x", "rw", "wx", "r+c", "rbt", "wS",
		"w, ccs=UTF-8", "+r", "rD", "R" };
	const char *path = scratch_path("fopen-bad.txt");
	DWORD before = wu_handle_count();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		assert_null(ni_fopen(path, bad[i]));
		assert_int_equal(errno, EINVAL);
		assert_int_equal(_access(path, 0), -1);
	}
	errno = 0;
	assert_null(ni_fopen(path, NULL));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(wu_handle_count(), before);
}

static void
open_errors(void **state)
{
	const char *missing = scratch_path("no-such-dir\\f");
	DWORD before = wu_handle_count();
	char tmpl[64];
	FILE *f;

	(void)state;
	errno = 0;
	assert_int_equal(ni_open(missing, O_RDONLY), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(ni_fopen(missing, "r"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(ni_open("bad-\xff\xfe-utf8", O_RDONLY), -1);
	assert_int_equal(errno, EILSEQ);
	errno = 0;
	assert_null(ni_fopen("bad-\xc3", "r"));
	assert_int_equal(errno, EILSEQ);
	errno = 0;
	assert_int_equal(ni_creat("\xe6\x97", 0600), -1);
	assert_int_equal(errno, EILSEQ);
	errno = 0;
	assert_int_equal(ni_open(NULL, O_RDONLY), -1);
	assert_int_equal(errno, EFAULT);
	/* O_EXCL on a file that exists. */
	f = ni_fopen(scratch_path("excl"), "w");
	assert_non_null(f);
	fclose(f);
	errno = 0;
	assert_int_equal(ni_open(scratch_path("excl"), O_RDWR | O_CREAT | O_EXCL,
	    0600), -1);
	assert_int_equal(errno, EEXIST);
	remove_u8(scratch_path("excl"));
	snprintf(tmpl, sizeof tmpl, "%s", scratch_path("no-such-dir\\tXXXXXX"));
	errno = 0;
	assert_int_equal(ni_mkstemp(tmpl), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(tmpl, "tXXXXXX"));
	assert_int_equal(wu_handle_count(), before);
}

static void
nonascii_paths(void **state)
{
	char path[MAX_PATH * 3], tmpl[MAX_PATH * 3];
	wchar_t w[MAX_PATH];
	FILE *f;
	int fd, fds[3];

	(void)state;
	snprintf(path, sizeof path, "%s", scratch_path(NONASCII ".txt"));
	fd = ni_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_BINARY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(_write(fd, "xyz", 3), 3);
	/* The name on disk is the UTF-16 of the UTF-8 given. */
	assert_true(MultiByteToWideChar(CP_UTF8, 0, path, -1, w, MAX_PATH) > 0);
	assert_true(wcsstr(w, L"n\u00e9-\u65e5\u672c.txt") != NULL);
	assert_true(GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES);
	f = ni_fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fgetc(f), 'x');
	snprintf(tmpl, sizeof tmpl, "%s", scratch_path(NONASCII "-XXXXXX"));
	fds[0] = fd;
	fds[1] = _fileno(f);
	fds[2] = ni_mkstemp(tmpl);
	assert_null(strstr(tmpl, "XXXXXX"));
	assert_non_null(strstr(tmpl, NONASCII "-"));
	check_fds(fds, 3);
	_close(fd);
	fclose(f);
	_close(fds[2]);
	remove_u8(path);
	remove_u8(tmpl);
}

static void
mkstemp_cases(void **state)
{
	char a[MAX_PATH * 3], b[MAX_PATH * 3];
	struct _stat st;
	int fa, fb, fds[2];

	(void)state;
	snprintf(a, sizeof a, "%s", scratch_path("mk-XXXXXX"));
	snprintf(b, sizeof b, "%s", a);
	fa = ni_mkstemp(a);
	fb = ni_mkostemp(b, O_APPEND);
	fds[0] = fa;
	fds[1] = fb;
	check_fds(fds, 2);
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(a), strlen(scratch_path("mk-XXXXXX")));
	/* Binary, read-write, empty. */
	assert_int_equal(_write(fa, "\n", 1), 1);
	assert_int_equal(_fstat(fa, &st), 0);
	assert_int_equal(st.st_size, 1);
	_close(fa);
	_close(fb);
	remove_u8(a);
	remove_u8(b);
}

static void
mkstemp_bad(void **state)
{
	static const char *bad[] = { "", "XXXXX", "abcXXXXXy", "XXXXXXa" };
	DWORD before = wu_handle_count();
	char t[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(t, sizeof t, "%s", bad[i]);
		errno = 0;
		assert_int_equal(ni_mkstemp(t), -1);
		assert_int_equal(errno, EINVAL);
		assert_string_equal(t, bad[i]);
	}
	snprintf(t, sizeof t, "%s", "fXXXXXX");
	errno = 0;
	assert_int_equal(ni_mkostemp(t, O_TRUNC), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(ni_mkostemp(t, O_TEXT | O_BINARY), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(t, "fXXXXXX");
	errno = 0;
	assert_int_equal(ni_mkstemp(NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(wu_handle_count(), before);
}

/* Making and closing leaves the handle count where it was. */
static void
create_close_loop(void **state)
{
	const char *path = scratch_path("loop.txt");
	char t[MAX_PATH * 3];
	DWORD before;
	FILE *f;
	int i;

	(void)state;
	f = ni_fopen(path, "w");	/* the CRT's first stream, made early */
	assert_non_null(f);
	fclose(f);
	before = wu_handle_count();
	for (i = 0; i < 50; i++) {
		_close(ni_open(path, O_RDONLY));
		fclose(ni_fopen(path, "r"));
		snprintf(t, sizeof t, "%s", scratch_path("l-XXXXXX"));
		_close(ni_mkstemp(t));
		remove_u8(t);
	}
	assert_int_equal(wu_handle_count(), before);
	remove_u8(path);
}

static int
cleanup(void **state)
{
	wchar_t w[MAX_PATH];

	(void)state;
	if (MultiByteToWideChar(CP_UTF8, 0, scratch_dir(), -1, w, MAX_PATH) > 0)
		RemoveDirectoryW(w);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_creat),
		cmocka_unit_test(openat_cases),
		cmocka_unit_test(fopen_modes),
		cmocka_unit_test(fopen_bad_modes),
		cmocka_unit_test(open_errors),
		cmocka_unit_test(nonascii_paths),
		cmocka_unit_test(mkstemp_cases),
		cmocka_unit_test(mkstemp_bad),
		cmocka_unit_test(create_close_loop),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
