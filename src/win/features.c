/*
 * features.c - ni_features and ni_version on Windows.
 *
 * What each NI_FEAT_* bit means here:
 *   NI_FEAT_O_CLOEXEC     _O_NOINHERIT (ni_open, ni_openat, ni_creat,
 *                         ni_mkstemp): always, the CRT has had it forever.
 *   NI_FEAT_PIPE2         _pipe with _O_NOINHERIT (ni_pipe, ni_pipe2):
 *                         always.
 *   NI_FEAT_FOPEN_E       _wfopen's "N" (ni_fopen): always.
 *   NI_FEAT_SOCK_CLOEXEC  WSA_FLAG_NO_HANDLE_INHERIT (ni_socket,
 *                         ni_socketpair) was accepted and honoured; probed
 *                         by one socket if no ni_socket has run yet.
 * Every other bit stays clear: dup, dup2 and accept clear the flag after
 * the fact (create_fd.c, socket.c say why), and the rest does not exist.
 */
#include <errno.h>

#include "noinherit.h"
#include "wincreate.h"

#ifndef NI_VERSION_STRING
#define NI_VERSION_STRING "0.0.0"
#endif

unsigned
ni_features(void)
{
	unsigned bits = NI_FEAT_O_CLOEXEC | NI_FEAT_PIPE2 | NI_FEAT_FOPEN_E;
	int saved = errno;
	DWORD err = GetLastError();
	SOCKET s;

	if (ni__win_sock_probe() == NI__PROBE_UNKNOWN) {
		s = ni_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
		if (s != NI_INVALID_SOCKET)
			(void)closesocket(s);
	}
	if (ni__win_sock_probe() == NI__PROBE_YES)
		bits |= NI_FEAT_SOCK_CLOEXEC;
	SetLastError(err);
	errno = saved;
	return bits;
}

const char *
ni_version(void)
{
	return NI_VERSION_STRING;
}
