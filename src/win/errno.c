/*
 * errno.c - Windows error codes as errno values, and UTF-8 to UTF-16.
 */
#include <errno.h>
#include <stdlib.h>

#include "win.h"

int
ni__win_errno(DWORD err)
{
	switch (err) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_INVALID_DRIVE:
	case ERROR_BAD_NETPATH:
	case ERROR_BAD_NET_NAME:
	case ERROR_BAD_PATHNAME:
	case ERROR_INVALID_NAME:
		return ENOENT;
	case ERROR_ACCESS_DENIED:
	case ERROR_SHARING_VIOLATION:
	case ERROR_LOCK_VIOLATION:
	case ERROR_CURRENT_DIRECTORY:
		return EACCES;
	case ERROR_INVALID_HANDLE:
	case ERROR_INVALID_TARGET_HANDLE:
		return EBADF;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
	case ERROR_NO_SYSTEM_RESOURCES:
	case ERROR_COMMITMENT_LIMIT:
		return ENOMEM;
	case ERROR_TOO_MANY_OPEN_FILES:
		return EMFILE;
	case ERROR_BAD_EXE_FORMAT:
	case ERROR_BAD_FORMAT:
	case ERROR_EXE_MACHINE_TYPE_MISMATCH:
	case ERROR_EXE_MARKED_INVALID:
	case ERROR_INVALID_EXE_SIGNATURE:
		return ENOEXEC;
	case ERROR_DIRECTORY:
		return ENOTDIR;
	case ERROR_FILENAME_EXCED_RANGE:
		return ENAMETOOLONG;
	case ERROR_FILE_EXISTS:
	case ERROR_ALREADY_EXISTS:
		return EEXIST;
	case ERROR_BROKEN_PIPE:
	case ERROR_NO_DATA:
		return EPIPE;
	case ERROR_CALL_NOT_IMPLEMENTED:
	case ERROR_NOT_SUPPORTED:
		return ENOSYS;
	case ERROR_DISK_FULL:
		return ENOSPC;
	default:
		return EINVAL;
	}
}

int
ni__wsa_errno(int err)
{
	switch (err) {
	case WSAEINTR:			return EINTR;
	case WSAEBADF:			return EBADF;
	case WSAEACCES:			return EACCES;
	case WSAEFAULT:			return EFAULT;
	case WSAEINVAL:			return EINVAL;
	case WSAEMFILE:			return EMFILE;
	case WSAEWOULDBLOCK:		return EWOULDBLOCK;
	case WSAEINPROGRESS:		return EINPROGRESS;
	case WSAENOTSOCK:		return ENOTSOCK;
	case WSAEPROTOTYPE:		return EPROTOTYPE;
	case WSAENOPROTOOPT:		return ENOPROTOOPT;
	case WSAEPROTONOSUPPORT:	return EPROTONOSUPPORT;
	case WSAESOCKTNOSUPPORT:	return EPROTONOSUPPORT;
	case WSAEOPNOTSUPP:		return EOPNOTSUPP;
	case WSAEAFNOSUPPORT:		return EAFNOSUPPORT;
	case WSAEPFNOSUPPORT:		return EAFNOSUPPORT;
	case WSAEADDRINUSE:		return EADDRINUSE;
	case WSAEADDRNOTAVAIL:		return EADDRNOTAVAIL;
	case WSAENETDOWN:		return ENETDOWN;
	case WSAENETUNREACH:		return ENETUNREACH;
	case WSAECONNABORTED:		return ECONNABORTED;
	case WSAECONNRESET:		return ECONNRESET;
	case WSAENOBUFS:		return ENOBUFS;
	case WSAENOTCONN:		return ENOTCONN;
	case WSAETIMEDOUT:		return ETIMEDOUT;
	case WSAECONNREFUSED:		return ECONNREFUSED;
	case WSA_NOT_ENOUGH_MEMORY:	return ENOMEM;
	default:			return EIO;
	}
}

wchar_t *
ni__win_widen(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	if (n <= 0) {
		errno = EILSEQ;
		return NULL;
	}
	wchar_t *w = malloc((size_t)n * sizeof *w);
	if (w == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
		free(w);
		errno = EILSEQ;
		return NULL;
	}
	return w;
}
