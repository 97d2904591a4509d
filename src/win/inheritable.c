/*
 * inheritable.c - get and set HANDLE_FLAG_INHERIT, of a HANDLE or of the
 * handle behind a C runtime descriptor.
 *
 * On Windows a handle is inherited by a child when its HANDLE_FLAG_INHERIT
 * is set and the parent calls CreateProcess with bInheritHandles TRUE (PEP
 * 446, "Inheritance of File Descriptors on Windows").  A CRT descriptor is
 * only a number for a handle, so its flag is the handle's.  The CRT keeps
 * its own per-descriptor no-inherit bit too (FNOINHERIT, set by
 * _O_NOINHERIT), which only the _spawn* functions read, to decide which
 * descriptor numbers to pass on; no public CRT call changes it after
 * creation, so ni_set_inheritable changes the handle's flag only.
 */
#include <errno.h>
#include <io.h>

#include "noinherit.h"
#include "wincreate.h"

#ifdef _UCRT
void
ni__win_iph_quiet(const wchar_t *expr, const wchar_t *func,
    const wchar_t *file, unsigned int line, uintptr_t reserved)
{
	(void)expr;
	(void)func;
	(void)file;
	(void)line;
	(void)reserved;
}
#endif

HANDLE
ni__win_fd_handle(int fd)
{
	intptr_t h;

	/* Out of the table: the CRT would call its handler; spare it. */
	if (fd < 0 || fd >= NI_WIN_FD_MAX) {
		errno = EBADF;
		return INVALID_HANDLE_VALUE;
	}
	NI_IPH_BEGIN
	h = _get_osfhandle(fd);
	NI_IPH_END
	/* -2: descriptor 0, 1 or 2 of a process without that stream. */
	if (h == -1 || h == -2) {
		errno = EBADF;
		return INVALID_HANDLE_VALUE;
	}
	return (HANDLE)h;
}

int
ni__win_handle_noinherit(HANDLE h)
{
	if (!SetHandleInformation(h, HANDLE_FLAG_INHERIT, 0)) {
		errno = ni__win_errno(GetLastError());
		return -1;
	}
	return 0;
}

void
ni__win_close_keep_errno(int fd)
{
	int saved = errno;
	DWORD err = GetLastError();

	(void)_close(fd);
	SetLastError(err);
	errno = saved;
}

void
ni__win_closesocket_keep_errno(SOCKET s)
{
	int saved = errno;
	DWORD err = GetLastError();

	(void)closesocket(s);
	SetLastError(err);
	errno = saved;
}

/*
 * NULL and INVALID_HANDLE_VALUE are refused here: the second is also the
 * pseudo-handle of the current process, which GetHandleInformation would
 * answer for.
 */
static bool
handle_bad(void *handle)
{
	if (handle == NULL || handle == INVALID_HANDLE_VALUE) {
		errno = EBADF;
		return true;
	}
	return false;
}

int
ni_get_handle_inheritable(void *handle)
{
	DWORD flags;

	if (handle_bad(handle))
		return -1;
	if (!GetHandleInformation(handle, &flags)) {
		errno = ni__win_errno(GetLastError());
		return -1;
	}
	return (flags & HANDLE_FLAG_INHERIT) != 0;
}

int
ni_set_handle_inheritable(void *handle, bool inheritable)
{
	if (handle_bad(handle))
		return -1;
	if (!SetHandleInformation(handle, HANDLE_FLAG_INHERIT,
	    inheritable ? HANDLE_FLAG_INHERIT : 0)) {
		errno = ni__win_errno(GetLastError());
		return -1;
	}
	return 0;
}

int
ni_get_inheritable(int fd)
{
	HANDLE h = ni__win_fd_handle(fd);

	if (h == INVALID_HANDLE_VALUE)
		return -1;
	return ni_get_handle_inheritable(h);
}

int
ni_set_inheritable(int fd, bool inheritable)
{
	HANDLE h = ni__win_fd_handle(fd);

	if (h == INVALID_HANDLE_VALUE)
		return -1;
	return ni_set_handle_inheritable(h, inheritable);
}
