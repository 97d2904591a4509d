/*
 * socketpair.c - socketpair on Windows, which has none: a TCP connection
 * over the loopback interface, made as CPython's socket.socketpair makes
 * it there.  A listener on 127.0.0.1 (or ::1) port 0, a client that
 * connects to it, the accepted end; then the listener is closed.
 *
 * Another local program could connect to the listener in the meantime.
 * The listener binds with SO_EXCLUSIVEADDRUSE so that nobody can share its
 * port, and every accepted peer whose address is not the client's own is
 * dropped; after MAX_STRANGERS of those the call fails with ECONNABORTED.
 * The wait before each accept is bounded (ACCEPT_WAIT_MS, ETIMEDOUT), so a
 * connection stolen from the backlog cannot block the call for ever.
 */
#include <errno.h>
#include <string.h>

#include "noinherit.h"
#include "wincreate.h"

#define MAX_STRANGERS 4
#define ACCEPT_WAIT_MS 10000

void (*ni__win_socketpair_listening)(const struct sockaddr *, int);

/* Same family, port and address (the scope of an IPv6 one aside). */
static bool
same_endpoint(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof a6->sin6_addr) == 0;
}

static int
loopback(int af, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (void *)ss;
	struct sockaddr_in6 *s6 = (void *)ss;

	memset(ss, 0, sizeof *ss);
	if (af == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return (int)sizeof *s4;
	}
	/* ::1 by hand: in6addr_loopback is data imported from ws2_32.dll,
	 * which would put a .refptr symbol in the static library. */
	s6->sin6_family = AF_INET6;
	s6->sin6_addr.s6_addr[15] = 1;
	return (int)sizeof *s6;
}

/* 0 when l has a connection to accept, else -1 with errno. */
static int
wait_acceptable(SOCKET l)
{
	struct timeval tv = { ACCEPT_WAIT_MS / 1000, 0 };
	fd_set rd;
	int r;

	FD_ZERO(&rd);
	FD_SET(l, &rd);
	if ((r = select(0, &rd, NULL, NULL, &tv)) > 0)
		return 0;
	errno = r == 0 ? ETIMEDOUT : ni__wsa_errno(WSAGetLastError());
	return -1;
}

/* The accepted end whose peer is `want`, or INVALID_SOCKET with errno. */
static SOCKET
accept_peer(SOCKET l, const struct sockaddr_storage *want)
{
	struct sockaddr_storage peer;
	socklen_t plen;
	SOCKET a;
	int i;

	for (i = 0; i <= MAX_STRANGERS; i++) {
		if (wait_acceptable(l) != 0)
			return INVALID_SOCKET;
		plen = (socklen_t)sizeof peer;
		a = ni_accept(l, (struct sockaddr *)&peer, &plen);
		if (a == INVALID_SOCKET || same_endpoint(&peer, want))
			return a;
		ni__win_closesocket_keep_errno(a);
	}
	errno = ECONNABORTED;
	return INVALID_SOCKET;
}

/* Closes what is open; errno is kept. */
static int
fail3(SOCKET l, SOCKET c, SOCKET a)
{
	if (l != INVALID_SOCKET)
		ni__win_closesocket_keep_errno(l);
	if (c != INVALID_SOCKET)
		ni__win_closesocket_keep_errno(c);
	if (a != INVALID_SOCKET)
		ni__win_closesocket_keep_errno(a);
	return -1;
}

static int
pair_over_loopback(int af, ni_socket_t sv[2])
{
	SOCKET l, c = INVALID_SOCKET, a = INVALID_SOCKET;
	struct sockaddr_storage la, ca;
	socklen_t llen, clen = (socklen_t)sizeof ca;
	BOOL one = TRUE;

	llen = loopback(af, &la);
	if ((l = ni_socket(af, SOCK_STREAM, IPPROTO_TCP)) == INVALID_SOCKET)
		return -1;
	/* Best effort: Windows before NT 4 SP4 has no such option. */
	(void)setsockopt(l, SOL_SOCKET, SO_EXCLUSIVEADDRUSE,
	    (const char *)&one, sizeof one);
	/* Room in the backlog for the client behind a few strangers. */
	if (bind(l, (struct sockaddr *)&la, llen) != 0 ||
	    listen(l, MAX_STRANGERS + 2) != 0 ||
	    getsockname(l, (struct sockaddr *)&la, &llen) != 0)
		goto wsa_fail;
	if (ni__win_socketpair_listening != NULL)
		ni__win_socketpair_listening((struct sockaddr *)&la, llen);
	if ((c = ni_socket(af, SOCK_STREAM, IPPROTO_TCP)) == INVALID_SOCKET)
		return fail3(l, c, a);
	if (connect(c, (struct sockaddr *)&la, llen) != 0 ||
	    getsockname(c, (struct sockaddr *)&ca, &clen) != 0)
		goto wsa_fail;
	if ((a = accept_peer(l, &ca)) == INVALID_SOCKET)
		return fail3(l, c, a);
	(void)closesocket(l);
	sv[0] = c;
	sv[1] = a;
	return 0;
wsa_fail:
	errno = ni__wsa_errno(WSAGetLastError());
	return fail3(l, c, a);
}

/*
 * AF_UNIX asks for a local pair: it gets an AF_INET one (Windows 10's
 * AF_UNIX sockets have no socketpair either).  Stream sockets only, as
 * socketpair(2) on Linux gives EOPNOTSUPP for AF_INET.
 */
int
ni_socketpair(int domain, int type, int protocol, ni_socket_t sv[2])
{
	if (sv == NULL) {
		errno = EFAULT;
		return -1;
	}
	if (domain == AF_UNIX)
		domain = AF_INET;
	if (domain != AF_INET && domain != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (type != SOCK_STREAM) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (protocol != 0 && protocol != IPPROTO_TCP) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	if (ni__wsa_init() != 0)
		return -1;
	return pair_over_loopback(domain, sv);
}
