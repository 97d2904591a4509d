/*
 * Sockets on Windows: ni_socket (atomic, and its fallback forced),
 * ni_accept, ni_accept4, ni_socketpair.
 */
#include "test_win_create.h"
#include "wincreate.h"

/* A listener on 127.0.0.1, a client connected to it; returns the listener. */
static SOCKET
listen_and_connect(SOCKET *client)
{
	struct sockaddr_in sa = { 0 };
	int len = sizeof sa;
	SOCKET l = ni_socket(AF_INET, SOCK_STREAM, 0);

	assert_true(l != NI_INVALID_SOCKET);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(l, 4), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	*client = ni_socket(AF_INET, SOCK_STREAM, 0);
	assert_true(*client != NI_INVALID_SOCKET);
	assert_int_equal(connect(*client, (struct sockaddr *)&sa, sizeof sa), 0);
	return l;
}

static void
socket_atomic(void **state)
{
	HANDLE hs[3];
	SOCKET s[3];
	size_t i, n = 3;

	(void)state;
	/* No WSAStartup here: the library makes its own. */
	s[0] = ni_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	assert_true(s[0] != NI_INVALID_SOCKET);
	assert_int_equal(ni__win_sock_probe(), NI__PROBE_YES);
	assert_true(ni_features() & NI_FEAT_SOCK_CLOEXEC);
	s[1] = ni_socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s[1] != NI_INVALID_SOCKET);
	s[2] = ni_socket(AF_INET6, SOCK_STREAM, 0);
	if (s[2] == NI_INVALID_SOCKET) {
		print_message("no IPv6 here: %s\n", strerror(errno));
		n = 2;
	}
	for (i = 0; i < n; i++)
		hs[i] = (HANDLE)s[i];
	check_handles(hs, n);
	for (i = 0; i < n; i++)
		closesocket(s[i]);
}

/* The library believes WSA_FLAG_NO_HANDLE_INHERIT refused: create-then-clear. */
static void
socket_fallback_forced(void **state)
{
	SOCKET s, l, c, a, sv[2];
	HANDLE hs[6];

	(void)state;
	ni__win_sock_probe_force(NI__PROBE_NO);
	assert_false(ni_features() & NI_FEAT_SOCK_CLOEXEC);
	s = ni_socket(AF_INET, SOCK_STREAM, 0);
	l = listen_and_connect(&c);
	a = ni_accept(l, NULL, NULL);
	assert_true(s != NI_INVALID_SOCKET && a != NI_INVALID_SOCKET);
	assert_int_equal(ni_socketpair(AF_INET, SOCK_STREAM, 0, sv), 0);
	hs[0] = (HANDLE)s;
	hs[1] = (HANDLE)l;
	hs[2] = (HANDLE)c;
	hs[3] = (HANDLE)a;
	hs[4] = (HANDLE)sv[0];
	hs[5] = (HANDLE)sv[1];
	check_handles(hs, 6);
	closesocket(s);
	closesocket(a);
	closesocket(c);
	closesocket(l);
	closesocket(sv[0]);
	closesocket(sv[1]);
	errno = 0;
	assert_true(ni_socket(AF_INET, 12345, 0) == NI_INVALID_SOCKET);
	assert_int_not_equal(errno, 0);
	assert_int_equal(ni__win_sock_probe(), NI__PROBE_NO);
	ni__win_sock_probe_force(NI__PROBE_UNKNOWN);
}

static void
socket_errors(void **state)
{
	DWORD before = wu_handle_count();

	(void)state;
	errno = 0;
	assert_true(ni_socket(12345, SOCK_STREAM, 0) == NI_INVALID_SOCKET);
	assert_int_equal(errno, EAFNOSUPPORT);
	errno = 0;
	assert_true(ni_socket(AF_INET, SOCK_STREAM, IPPROTO_UDP) ==
	    NI_INVALID_SOCKET);
	assert_true(errno == EPROTONOSUPPORT || errno == EPROTOTYPE);
	/* An error with the flag is not a refusal of the flag. */
	assert_int_not_equal(ni__win_sock_probe(), NI__PROBE_NO);
	assert_int_equal(wu_handle_count(), before);
}

static void
accept_cases(void **state)
{
	struct sockaddr_in peer, mine;
	int plen = sizeof peer, mlen = sizeof mine;
	SOCKET l, c, a;

	(void)state;
	l = listen_and_connect(&c);
	a = ni_accept4(l, (struct sockaddr *)&peer, &plen, 0);
	check_socket(a);
	assert_int_equal(getsockname(c, (struct sockaddr *)&mine, &mlen), 0);
	assert_int_equal(peer.sin_port, mine.sin_port);
	assert_int_equal(send(c, "hi", 2, 0), 2);
	{
		char buf[4];
		assert_int_equal(recv(a, buf, sizeof buf, 0), 2);
	}
	closesocket(a);
	closesocket(c);
	errno = 0;
	assert_true(ni_accept4(l, NULL, NULL, 1) == NI_INVALID_SOCKET);
	assert_int_equal(errno, EINVAL);
	closesocket(l);
	errno = 0;
	assert_true(ni_accept(l, NULL, NULL) == NI_INVALID_SOCKET);
	assert_int_equal(errno, ENOTSOCK);
}

/*
 * Plain accept, the case the library answers: the accepted socket of a
 * non-inheritable listener is inheritable (on real Windows; Wine may
 * differ, which is printed).
 */
static void
accept_plain_control(void **state)
{
	SOCKET l, c, a;

	(void)state;
	l = listen_and_connect(&c);
	a = accept(l, NULL, NULL);
	assert_true(a != INVALID_SOCKET);
	print_message("plain accept() from a non-inheritable listener: %s\n",
	    ni_get_handle_inheritable((HANDLE)a) == 1 ? "inheritable" :
	    "not inheritable");
	closesocket(a);
	closesocket(c);
	closesocket(l);
}

static void
pair_talks(SOCKET sv[2])
{
	char buf[8];

	assert_int_equal(send(sv[0], "ping", 4, 0), 4);
	assert_int_equal(recv(sv[1], buf, sizeof buf, 0), 4);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(send(sv[1], "pong!", 5, 0), 5);
	assert_int_equal(recv(sv[0], buf, sizeof buf, 0), 5);
	assert_memory_equal(buf, "pong!", 5);
}

static void
socketpair_cases(void **state)
{
	int domains[] = { AF_INET, AF_UNIX, AF_INET6 };
	DWORD before;
	SOCKET sv[2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof domains / sizeof domains[0]; i++) {
		before = wu_handle_count();
		if (ni_socketpair(domains[i], SOCK_STREAM, 0, sv) != 0) {
			assert_int_equal(domains[i], AF_INET6);
			print_message("no IPv6 pair here: %s\n", strerror(errno));
			continue;
		}
		{
			HANDLE hs[2] = { (HANDLE)sv[0], (HANDLE)sv[1] };
			check_handles(hs, 2);
		}
		pair_talks(sv);
		/* Two sockets more, the listener gone. */
		assert_int_equal(wu_handle_count(), before + 2);
		closesocket(sv[0]);
		closesocket(sv[1]);
		assert_int_equal(wu_handle_count(), before);
	}
}

/* Strangers that connect to ni_socketpair's listener before its client. */
static SOCKET strangers[8];
static int n_strangers, want_strangers;

static void
connect_strangers(const struct sockaddr *sa, int len)
{
	for (; n_strangers < want_strangers; n_strangers++) {
		SOCKET s = socket(sa->sa_family, SOCK_STREAM, 0);

		assert_true(s != INVALID_SOCKET);
		assert_int_equal(connect(s, sa, len), 0);
		strangers[n_strangers] = s;
	}
}

static void
close_strangers(void)
{
	while (n_strangers > 0)
		closesocket(strangers[--n_strangers]);
	ni__win_socketpair_listening = NULL;
}

/* A peer that is not the pair's own client is dropped, not paired. */
static void
socketpair_drops_strangers(void **state)
{
	SOCKET sv[2] = { 7, 7 };
	DWORD before;
	char c;

	(void)state;
	ni__win_socketpair_listening = connect_strangers;
	want_strangers = 2;
	assert_int_equal(ni_socketpair(AF_INET, SOCK_STREAM, 0, sv), 0);
	pair_talks(sv);
	/* Each stranger's connection was accepted and closed: EOF. */
	assert_int_equal(n_strangers, 2);
	assert_true(recv(strangers[0], &c, 1, 0) <= 0);
	assert_true(recv(strangers[1], &c, 1, 0) <= 0);
	closesocket(sv[0]);
	closesocket(sv[1]);
	close_strangers();

	/* More strangers than the call drops: ECONNABORTED, nothing leaked. */
	before = wu_handle_count();
	sv[0] = sv[1] = 7;
	ni__win_socketpair_listening = connect_strangers;
	want_strangers = 5;
	errno = 0;
	assert_int_equal(ni_socketpair(AF_INET, SOCK_STREAM, 0, sv), -1);
	assert_int_equal(errno, ECONNABORTED);
	assert_true(sv[0] == 7 && sv[1] == 7);
	assert_int_equal(wu_handle_count(), before + 5);
	close_strangers();
	assert_int_equal(wu_handle_count(), before);
}

static int
reset_hooks(void **state)
{
	(void)state;
	close_strangers();
	ni__win_sock_probe_force(NI__PROBE_UNKNOWN);
	return 0;
}

static void
socketpair_errors(void **state)
{
	SOCKET sv[2] = { 7, 7 };
	DWORD before = wu_handle_count();

	(void)state;
	errno = 0;
	assert_int_equal(ni_socketpair(AF_INET, SOCK_DGRAM, 0, sv), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	errno = 0;
	assert_int_equal(ni_socketpair(AF_INET, SOCK_STREAM, IPPROTO_UDP, sv), -1);
	assert_int_equal(errno, EPROTONOSUPPORT);
	errno = 0;
	assert_int_equal(ni_socketpair(12345, SOCK_STREAM, 0, sv), -1);
	assert_int_equal(errno, EAFNOSUPPORT);
	errno = 0;
	assert_int_equal(ni_socketpair(AF_INET, SOCK_STREAM, 0, NULL), -1);
	assert_int_equal(errno, EFAULT);
	assert_true(sv[0] == 7 && sv[1] == 7);
	assert_int_equal(wu_handle_count(), before);
}

static void
create_close_loop(void **state)
{
	DWORD before;
	SOCKET sv[2];
	int i;

	(void)state;
	/* Winsock makes its own handles on first use: warm it first. */
	assert_int_equal(ni_socketpair(AF_INET, SOCK_STREAM, 0, sv), 0);
	closesocket(sv[0]);
	closesocket(sv[1]);
	before = wu_handle_count();
	for (i = 0; i < 30; i++) {
		closesocket(ni_socket(AF_INET, SOCK_STREAM, 0));
		assert_int_equal(ni_socketpair(AF_INET, SOCK_STREAM, 0, sv), 0);
		closesocket(sv[0]);
		closesocket(sv[1]);
	}
	assert_int_equal(wu_handle_count(), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(socket_atomic),
		cmocka_unit_test_teardown(socket_fallback_forced, reset_hooks),
		cmocka_unit_test(socket_errors),
		cmocka_unit_test(accept_cases),
		cmocka_unit_test(accept_plain_control),
		cmocka_unit_test(socketpair_cases),
		cmocka_unit_test_teardown(socketpair_drops_strangers, reset_hooks),
		cmocka_unit_test(socketpair_errors),
		cmocka_unit_test(create_close_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
