/*
 * socket.c - sockets on Windows: socket, accept, accept4, and the Winsock
 * start-up they need.
 *
 * WSA_FLAG_NO_HANDLE_INHERIT (Windows 7 SP1, Server 2008 R2 SP1) makes
 * WSASocketW create the socket non-inheritable: atomic.  Older systems
 * refuse the flag (PEP 446 names WSAEPROTOTYPE; WSAEINVAL is seen too);
 * then the socket is made without it and its flag cleared after, and the
 * refusal is remembered.
 */
#include <errno.h>
#include <stdlib.h>

#include "noinherit.h"
#include "wincreate.h"

/* ---- Winsock start-up ---- */

static INIT_ONCE wsa_once = INIT_ONCE_STATIC_INIT;
static volatile LONG wsa_error;

/*
 * WSAStartup is counted: this one reference is never given back, so a
 * program's own WSAStartup/WSACleanup pairs neither need nor disturb it.
 * A failure is not cached: InitOnceExecuteOnce runs the function again
 * on the next call.
 */
static BOOL CALLBACK
wsa_start(PINIT_ONCE once, void *param, void **ctx)
{
	WSADATA wd;
	int r;

	(void)once;
	(void)param;
	(void)ctx;
	if ((r = WSAStartup(MAKEWORD(2, 2), &wd)) != 0) {
		InterlockedExchange(&wsa_error, r);
		return FALSE;
	}
	return TRUE;
}

int
ni__wsa_init(void)
{
	if (!InitOnceExecuteOnce(&wsa_once, wsa_start, NULL, NULL)) {
		errno = ni__wsa_errno((int)wsa_error);
		return -1;
	}
	return 0;
}

/* ---- the WSA_FLAG_NO_HANDLE_INHERIT probe ---- */

static volatile LONG sock_probe;	/* NI__PROBE_* */

int
ni__win_sock_probe(void)
{
	return (int)InterlockedCompareExchange(&sock_probe, 0, 0);
}

void
ni__win_sock_probe_force(int state)
{
	InterlockedExchange(&sock_probe, state);
}

/* s, or NI_INVALID_SOCKET with errno from WSAGetLastError(). */
static SOCKET
wsa_result(SOCKET s)
{
	if (s == INVALID_SOCKET)
		errno = ni__wsa_errno(WSAGetLastError());
	return s;
}

/* Clears s's flag, or closes s: s, or INVALID_SOCKET with errno. */
static SOCKET
socket_noinherit_or_close(SOCKET s)
{
	if (s == INVALID_SOCKET || ni__win_handle_noinherit((HANDLE)s) == 0)
		return s;
	ni__win_closesocket_keep_errno(s);
	return INVALID_SOCKET;
}

static SOCKET
socket_plain(int domain, int type, int protocol)
{
	return wsa_result(WSASocketW(domain, type, protocol, NULL, 0,
	    WSA_FLAG_OVERLAPPED));
}

/*
 * The first success is checked as well: a flag accepted but ignored (a
 * layered service provider that makes its own handle) counts as refused.
 */
static SOCKET
socket_first(SOCKET s)
{
	DWORD flags;

	if (GetHandleInformation((HANDLE)s, &flags) &&
	    !(flags & HANDLE_FLAG_INHERIT)) {
		ni__win_sock_probe_force(NI__PROBE_YES);
		return s;
	}
	ni__win_sock_probe_force(NI__PROBE_NO);
	return socket_noinherit_or_close(s);
}

/*
 * WSA_FLAG_OVERLAPPED as socket() sets it: the socket works with
 * overlapped I/O and with the blocking calls alike.  winsock2.h has no
 * SOCK_NONBLOCK or SOCK_CLOEXEC: type is passed on as it is.
 */
ni_socket_t
ni_socket(int domain, int type, int protocol)
{
	int st = ni__win_sock_probe(), err;
	SOCKET s;

	if (ni__wsa_init() != 0)
		return INVALID_SOCKET;
	if (st == NI__PROBE_NO)
		return socket_noinherit_or_close(socket_plain(domain, type,
		    protocol));
	s = WSASocketW(domain, type, protocol, NULL, 0,
	    WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
	if (s != INVALID_SOCKET)
		return st == NI__PROBE_YES ? s : socket_first(s);
	err = WSAGetLastError();
	if (st == NI__PROBE_YES || (err != WSAEINVAL && err != WSAEPROTOTYPE)) {
		errno = ni__wsa_errno(err);
		return INVALID_SOCKET;
	}
	/*
	 * Refused, or the arguments are bad: only a success without the
	 * flag tells the two apart, and only then is the refusal cached.
	 */
	if ((s = socket_plain(domain, type, protocol)) == INVALID_SOCKET)
		return INVALID_SOCKET;
	ni__win_sock_probe_force(NI__PROBE_NO);
	return socket_noinherit_or_close(s);
}

/*
 * An accepted socket's handle comes back inheritable whatever the
 * listener's flag, and accept has no flag to ask otherwise, so it is
 * cleared after: not atomic (AcceptEx into a socket made by ni_socket
 * would be, at the cost of overlapped I/O and of accept's blocking and
 * non-blocking behaviour, which it does not share).
 */
ni_socket_t
ni_accept4(ni_socket_t s, struct sockaddr *addr, socklen_t *len, int flags)
{
	if (flags != 0) {
		errno = EINVAL;
		return INVALID_SOCKET;
	}
	if (ni__wsa_init() != 0)
		return INVALID_SOCKET;
	return socket_noinherit_or_close(wsa_result(accept(s, addr, len)));
}

ni_socket_t
ni_accept(ni_socket_t s, struct sockaddr *addr, socklen_t *len)
{
	return ni_accept4(s, addr, len, 0);
}
