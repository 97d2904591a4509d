/*
 * test_create_all.c - what concerns every creation function of noinherit.h
 * at once: a control that the harness sees an inheritable descriptor, every
 * creator in one table whose descriptors one exec'd child (tests/reporter) must not
 * receive (OpenBSD oclo style), EMFILE from each with no slot or half the
 * slots a pair needs, and ni_version.  The creators one by one are in the
 * other test_create_*.c.
 *
 * Usage: test_create_all [NAME-PATTERN]   (runs only the matching tests)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "noinherit.h"
#include "test_create.h"

/*
 * ni_features first called with the descriptor table full: it cannot make
 * its probe objects, and must not take that for a refusal, nor its answer
 * for final (issue 14).  Once there is room, the full answer.  First in the
 * program, before any creator settled a probe.
 */
static void
features_first_with_full_table(void **state)
{
	tu_limit_fds(0);
	(void)ni_features();
	tu_unlimit_fds();
	features_match_mode(state);
}

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
	fd = ni_open(tu_make_file(path, "control", "x"), O_RDONLY);
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

	fd[0] = ni_creat(tu_path_unique(p, "tbl"), 0600);
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

	tu_path(p, "tbl-XXXXXX");
	fd[0] = ni_mkstemp(p);
	return fd[0] < 0 ? -1 : 1;
}
static int
mk_mkostemp(int fd[2])
{
	char p[PATH_MAX];

	tu_path(p, "tbl-XXXXXX");
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
	tu_make_file(table_file, "tbl", "t");
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
	tu_make_file(table_file, "tbl", "t");
	for (c = 0; c < NCREATORS; c++) {
		if (!creators[c].emfile)
			continue;
		/* No slot; and for the pair makers one slot, half enough. */
		for (extra = 0; extra <= 1; extra++) {
			int fd[2] = { -7, -8 }, n0, k, e;

			tu_limit_fds(extra);
			n0 = tu_fd_count();
			table_fp = NULL;
			errno = 0;
			k = creators[c].make(fd);
			e = errno;
			tu_unlimit_fds();
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
/* Version                                                             */
/* ------------------------------------------------------------------ */

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

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(features_first_with_full_table), /* first */
		tu_unit_test(harness_control),
		tu_unit_test(all_creators_not_inherited),
		tu_unit_test(all_creators_emfile),
		tu_unit_test(version_matches_header),
		tu_unit_test(features_match_mode), /* last: see test_create.h */
	};

	return tu_run_tests("create.all", tests, argc, argv);
}
