/*
 * What Windows has no sense of (ENOSYS), ni_features and ni_version.
 */
#include "test_win_create.h"

static void
unsupported_enosys(void **state)
{
	(void)state;
#define ENOSYS_CASE(call) do {						\
	errno = 0;							\
	assert_int_equal((call), -1);					\
	assert_int_equal(errno, ENOSYS);				\
} while (0)
	ENOSYS_CASE(ni_recvmsg(0, NULL, 0));
	ENOSYS_CASE(ni_posix_openpt(0));
	ENOSYS_CASE(ni_epoll_create1(0));
	ENOSYS_CASE(ni_eventfd(0, 0));
	ENOSYS_CASE(ni_timerfd_create(0, 0));
	ENOSYS_CASE(ni_inotify_init1(0));
	ENOSYS_CASE(ni_memfd_create("x", 0));
	ENOSYS_CASE(ni_kqueue());
	ENOSYS_CASE(ni_close_from(3));
	ENOSYS_CASE(ni_cloexec_from(3));
#undef ENOSYS_CASE
}

static void
features_and_version(void **state)
{
	unsigned f = ni_features();
	unsigned never = NI_FEAT_ACCEPT4 | NI_FEAT_DUPFD_CLOEXEC | NI_FEAT_DUP3 |
	    NI_FEAT_CMSG_CLOEXEC | NI_FEAT_EPOLL_CLOEXEC |
	    NI_FEAT_FD_CLOEXEC_FLAGS | NI_FEAT_FIOCLEX | NI_FEAT_CLOSE_RANGE |
	    NI_FEAT_CLOSE_RANGE_CLOEXEC | NI_FEAT_PROC_FD;
	int saved;

	(void)state;
	assert_true(f & NI_FEAT_O_CLOEXEC);
	assert_true(f & NI_FEAT_PIPE2);
	assert_true(f & NI_FEAT_FOPEN_E);
	assert_true(f & NI_FEAT_SOCK_CLOEXEC);	/* Wine 8 and Windows 7 SP1+ */
	assert_int_equal(f & never, 0);
	errno = 1234;
	assert_int_equal(ni_features(), f);
	saved = errno;
	assert_int_equal(saved, 1234);
	assert_string_equal(ni_version(), NI_VERSION_STRING_TEST);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unsupported_enosys),
		cmocka_unit_test(features_and_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
