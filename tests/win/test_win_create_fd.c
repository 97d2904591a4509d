/*
 * Descriptors from descriptors on Windows: ni_dup, ni_dupfd, ni_dup2,
 * ni_pipe, ni_pipe2.
 */
#include "test_win_create.h"

static void
pipe_ends(void **state)
{
	char buf[8];
	int p[6];
	size_t i;

	(void)state;
	assert_int_equal(ni_pipe(p), 0);
	assert_int_equal(ni_pipe2(p + 2, O_TEXT), 0);
	assert_int_equal(ni_pipe2(p + 4, O_BINARY | O_NOINHERIT), 0);
	check_fds(p, 6);
	/* Binary: "\n" is one byte. */
	assert_int_equal(_write(p[1], "a\n", 2), 2);
	assert_int_equal(_read(p[0], buf, sizeof buf), 2);
	/* Text, as asked: "\n" is written "\r\n". */
	assert_int_equal(_write(p[3], "a\n", 2), 2);
	assert_int_equal(_setmode(p[2], O_BINARY), O_TEXT);
	assert_int_equal(_read(p[2], buf, sizeof buf), 3);
	for (i = 0; i < 6; i++)
		_close(p[i]);
}

static void
pipe2_bad_flags(void **state)
{
	int flags[] = { O_APPEND, O_CREAT, O_TEXT | O_BINARY, 0x40000000, -1 };
	int p[2] = { -7, -7 };
	DWORD before = wu_handle_count();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		errno = 0;
		assert_int_equal(ni_pipe2(p, flags[i]), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(p[0], -7);
		assert_int_equal(p[1], -7);
	}
	assert_int_equal(wu_handle_count(), before);
}

static void
dup_and_dupfd(void **state)
{
	int p[2], d, e, both[2];

	(void)state;
	assert_int_equal(ni_pipe(p), 0);
	/* The control the library answers: _dup alone is inheritable. */
	d = _dup(p[0]);
	assert_int_equal(ni_get_inheritable(d), 1);
	_close(d);
	d = ni_dup(p[1]);
	assert_int_equal(_write(d, "z", 1), 1);
	e = ni_dupfd(p[0], 40);
	assert_true(e >= 40);
	both[0] = d;
	both[1] = e;
	check_fds(both, 2);
	{
		char c;
		assert_int_equal(_read(e, &c, 1), 1);
		assert_int_equal(c, 'z');
	}
	/* The holes below 40 filled on the way are free again. */
	d = _dup(p[0]);
	assert_true(d < 40);
	_close(d);
	_close(e);
	_close(d);
	_close(p[0]);
	_close(p[1]);
}

/*
 * ni_dup keeps the CRT's state of the descriptor: text mode and append,
 * which a DuplicateHandle + _open_osfhandle copy would lose.
 */
static void
dup_keeps_crt_state(void **state)
{
	const char *path = scratch_path("dupstate.txt");
	char buf[16];
	int fd, d;

	(void)state;
	fd = ni_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_TEXT, 0600);
	assert_true(fd >= 0);
	d = ni_dup(fd);
	check_fd(d);
	assert_int_equal(_write(d, "a\n", 2), 2);
	_close(d);
	_close(fd);
	fd = ni_open(path, O_WRONLY | O_APPEND | O_BINARY);
	assert_true(fd >= 0);
	d = ni_dupfd(fd, 10);
	assert_int_equal(_lseek(d, 0, SEEK_SET), 0);
	assert_int_equal(_write(d, "b", 1), 1);
	_close(d);
	_close(fd);
	fd = ni_open(path, O_RDONLY | O_BINARY);
	assert_int_equal(_read(fd, buf, sizeof buf), 4);
	assert_memory_equal(buf, "a\r\nb", 4);
	_close(fd);
	DeleteFileA(path);
	{
		wchar_t w[MAX_PATH];
		MultiByteToWideChar(CP_UTF8, 0, scratch_dir(), -1, w, MAX_PATH);
		RemoveDirectoryW(w);
	}
}

static void
dup2_cases(void **state)
{
	int p[2], q[2];
	char c;

	(void)state;
	assert_int_equal(ni_pipe(p), 0);
	assert_int_equal(ni_pipe(q), 0);
	/* Onto an open descriptor: q[0] now reads p's pipe. */
	assert_int_equal(ni_dup2(p[0], q[0], false), q[0]);
	assert_int_equal(_write(p[1], "y", 1), 1);
	assert_int_equal(_read(q[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	/* Onto a free number, inheritable as asked. */
	assert_int_equal(ni_dup2(p[0], 50, true), 50);
	assert_int_equal(ni_get_inheritable(50), 1);
	assert_true(plain_child_has((HANDLE)_get_osfhandle(50)));
	assert_int_equal(ni_dup2(p[0], 50, false), 50);
	{
		int both[2] = { q[0], 50 };
		check_fds(both, 2);
	}
	/* fd == fd2: only the flag. */
	assert_int_equal(ni_dup2(50, 50, true), 50);
	assert_int_equal(ni_get_inheritable(50), 1);
	assert_int_equal(ni_dup2(50, 50, false), 50);
	assert_int_equal(ni_get_inheritable(50), 0);
	_close(50);
	_close(p[0]);
	_close(p[1]);
	_close(q[0]);
	_close(q[1]);
}

static void
dup_errors(void **state)
{
	int p[2], closed, bad[] = { -1, 3000, 1 << 30, 0 };
	DWORD before;
	size_t i;

	(void)state;
	assert_int_equal(ni_pipe(p), 0);
	closed = p[1];
	_close(p[1]);
	bad[3] = closed;
	before = wu_handle_count();
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		assert_int_equal(ni_dup(bad[i]), -1);
		assert_int_equal(errno, EBADF);
		errno = 0;
		assert_int_equal(ni_dupfd(bad[i], 5), -1);
		assert_int_equal(errno, EBADF);
		errno = 0;
		assert_int_equal(ni_dup2(bad[i], 60, false), -1);
		assert_int_equal(errno, EBADF);
		errno = 0;
		assert_int_equal(ni_dup2(bad[i], bad[i], false), -1);
		assert_int_equal(errno, EBADF);
	}
	errno = 0;
	assert_int_equal(ni_dup2(p[0], -1, false), -1);
	assert_int_equal(errno, EBADF);
	errno = 0;
	assert_int_equal(ni_dup2(p[0], 1 << 20, false), -1);
	assert_int_equal(errno, EBADF);
	errno = 0;
	assert_int_equal(ni_dupfd(p[0], -1), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(ni_dupfd(p[0], 1 << 20), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ni_get_inheritable(60), -1);
	assert_int_equal(wu_handle_count(), before);
	_close(p[0]);
}

static void
create_close_loop(void **state)
{
	DWORD before;
	int i, p[2];

	(void)state;
	assert_int_equal(ni_pipe(p), 0);
	before = wu_handle_count();
	for (i = 0; i < 100; i++) {
		int q[2];

		_close(ni_dup(p[0]));
		_close(ni_dupfd(p[0], 20));
		_close(ni_dup2(p[0], 30, false));
		assert_int_equal(ni_pipe(q), 0);
		_close(q[0]);
		_close(q[1]);
	}
	assert_int_equal(wu_handle_count(), before);
	_close(p[0]);
	_close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pipe_ends),
		cmocka_unit_test(pipe2_bad_flags),
		cmocka_unit_test(dup_and_dupfd),
		cmocka_unit_test(dup_keeps_crt_state),
		cmocka_unit_test(dup2_cases),
		cmocka_unit_test(dup_errors),
		cmocka_unit_test(create_close_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
