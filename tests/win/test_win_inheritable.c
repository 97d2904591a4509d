/*
 * The flag on Windows: ni_get/set_handle_inheritable and
 * ni_get/set_inheritable, bad handles and descriptors, the CRT's
 * invalid-parameter path, and what a child sees.
 */
#include "test_win_create.h"

static int iph_calls;

static void
count_iph(const wchar_t *e, const wchar_t *f, const wchar_t *file,
    unsigned int line, uintptr_t r)
{
	(void)e;
	(void)f;
	(void)file;
	(void)line;
	(void)r;
	iph_calls++;
}

static void
handle_round_trip(void **state)
{
	HANDLE ev = CreateEventW(NULL, TRUE, FALSE, NULL);

	(void)state;
	assert_non_null(ev);
	assert_int_equal(ni_get_handle_inheritable(ev), 0);
	assert_int_equal(ni_set_handle_inheritable(ev, true), 0);
	assert_int_equal(ni_get_handle_inheritable(ev), 1);
	assert_true(plain_child_has(ev));
	assert_int_equal(ni_set_handle_inheritable(ev, false), 0);
	assert_int_equal(ni_get_handle_inheritable(ev), 0);
	check_handle(ev);
	CloseHandle(ev);
}

static void
bad_handles(void **state)
{
	HANDLE ev = CreateEventW(NULL, TRUE, FALSE, NULL);
	void *bad[] = { NULL, INVALID_HANDLE_VALUE, ev, (void *)(uintptr_t)0x7ffc };
	size_t i;

	(void)state;
	CloseHandle(ev);	/* ev is now a closed handle value */
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		assert_int_equal(ni_get_handle_inheritable(bad[i]), -1);
		assert_int_equal(errno, EBADF);
		errno = 0;
		assert_int_equal(ni_set_handle_inheritable(bad[i], false), -1);
		assert_int_equal(errno, EBADF);
	}
}

static void
fd_round_trip(void **state)
{
	int p[2];

	(void)state;
	assert_int_equal(ni_pipe(p), 0);
	assert_int_equal(ni_get_inheritable(p[0]), 0);
	assert_int_equal(ni_set_inheritable(p[0], true), 0);
	assert_int_equal(ni_get_inheritable(p[0]), 1);
	assert_int_equal(ni_get_handle_inheritable((HANDLE)_get_osfhandle(p[0])), 1);
	assert_int_equal(ni_set_inheritable(p[0], false), 0);
	assert_int_equal(ni_get_inheritable(p[0]), 0);
	_close(p[0]);
	_close(p[1]);
}

/*
 * Every kind of bad descriptor is EBADF, and the CRT's invalid-parameter
 * handler never runs for it (this program installs a counting one: under
 * msvcrt.dll it is mingw-w64's emulation, which msvcrt.dll may not call;
 * under the UCRT it would be called unless the library silences it).
 */
static void
bad_fds(void **state)
{
	int p[2], closed, fds[] = { -1, -2, 2047, 2048, 5000, 1 << 30, 0 };
	size_t i;
	_invalid_parameter_handler old = _set_invalid_parameter_handler(count_iph);

	(void)state;
	assert_int_equal(ni_pipe(p), 0);
	closed = p[1];
	_close(p[1]);
	fds[sizeof fds / sizeof fds[0] - 1] = closed;
	iph_calls = 0;
	for (i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		errno = 0;
		assert_int_equal(ni_get_inheritable(fds[i]), -1);
		assert_int_equal(errno, EBADF);
		errno = 0;
		assert_int_equal(ni_set_inheritable(fds[i], true), -1);
		assert_int_equal(errno, EBADF);
	}
	assert_int_equal(iph_calls, 0);
	/* What the CRT itself does with a closed descriptor, for the record. */
	errno = 0;
	assert_int_equal(_get_osfhandle(closed), -1);
	print_message("_get_osfhandle(closed %d): errno %d, handler calls %d\n",
	    closed, errno, iph_calls);
	_set_invalid_parameter_handler(old);
	_close(p[0]);
}

static void
handle_count_steady(void **state)
{
	DWORD before;
	int i, p[2];

	(void)state;
	assert_int_equal(ni_pipe(p), 0);
	before = wu_handle_count();
	for (i = 0; i < 100; i++) {
		assert_int_equal(ni_set_inheritable(p[0], i & 1), 0);
		assert_int_equal(ni_get_inheritable(p[0]), i & 1);
		assert_int_equal(ni_get_inheritable(-1), -1);
	}
	assert_int_equal(wu_handle_count(), before);
	_close(p[0]);
	_close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handle_round_trip),
		cmocka_unit_test(bad_handles),
		cmocka_unit_test(fd_round_trip),
		cmocka_unit_test(bad_fds),
		cmocka_unit_test(handle_count_steady),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
