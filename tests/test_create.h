/*
 * test_create.h - what the test_create_*.c programs share beyond asserts.h:
 * the AF_UNIX and SCM_RIGHTS helpers (ni_socket and ni_recvmsg make their
 * descriptors, so they cannot live in testutil, which must not use the
 * library), and features_match_mode, which every program runs last.
 *
 * The programs run natively and under the fallback modes of tests/fallback
 * (seccomp, O_CLOEXEC ignored): only features_match_mode looks at which
 * mechanism the library used.  Static inline for the reason asserts.h
 * gives.
 */
#ifndef NI_TEST_CREATE_H
#define NI_TEST_CREATE_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "asserts.h"
#include "noinherit.h"

/* ------------------------------------------------------------------ */
/* Peers for accept and recvmsg                                        */
/* ------------------------------------------------------------------ */

/* An abstract AF_UNIX listener (no file system path to clean up). */
static inline int
unix_listener(int type_flags, struct sockaddr_un *addr, socklen_t *alen)
{
	int l = ni_socket(AF_UNIX, SOCK_STREAM | type_flags, 0);

	assert_true(l >= 0);
	memset(addr, 0, sizeof *addr);
	addr->sun_family = AF_UNIX;
	snprintf(addr->sun_path + 1, sizeof addr->sun_path - 1,
		 "noinherit-test-%ld-%u", (long)getpid(), tu_next_seq());
	*alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			    strlen(addr->sun_path + 1));
	assert_int_equal(bind(l, (struct sockaddr *)addr, *alen), 0);
	assert_int_equal(listen(l, 8), 0);
	return l;
}

static inline int
unix_connect(const struct sockaddr_un *addr, socklen_t alen)
{
	int c = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(c >= 0);
	assert_int_equal(connect(c, (const struct sockaddr *)addr, alen), 0);
	return c;
}

/* At most MAXPASS descriptors in one SCM_RIGHTS message. */
#define MAXPASS 8

union cmsgbuf {
	struct cmsghdr h;
	char buf[CMSG_SPACE(sizeof(int) * MAXPASS)];
};

static inline void
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
static inline int
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

static inline void
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
 * The mechanism bits ni_features() reports are the ones NI_TEST_MODE (set
 * by ni_sandbox) implies.  Every test_create_* program runs it last on
 * purpose: after every error case of that program, a library that took a
 * genuine EINVAL (bad flags) for "atomic flag refused" and cached it would
 * have lost the bit by now.  (The probes are per process: one program's
 * error cases cannot reach another's features.)
 */
static inline void
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
		want_clear = NI_FEAT_O_CLOEXEC | NI_FEAT_CMSG_CLOEXEC;
	} else {
		print_message("no expectation for mode %s\n", mode);
	}
	print_features("missing", want_set & ~f);
	print_features("unexpectedly set", want_clear & f);
	assert_int_equal(f & want_set, want_set);
	assert_int_equal(f & want_clear, 0);
}

#endif /* NI_TEST_CREATE_H */
