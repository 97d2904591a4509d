/*
 * create_fd.c - descriptors from descriptors on Windows: dup, dupfd, dup2,
 * and pipes.
 *
 * The CRT has no atomic dup.  DuplicateHandle(bInheritHandle FALSE) and
 * _open_osfhandle(_O_NOINHERIT) would make a non-inheritable descriptor
 * atomically, but a new one: the CRT's per-descriptor state (text mode,
 * the emulated _O_APPEND) cannot be read through any public call, so it
 * would be lost, and a dup of a text-mode or append descriptor would
 * write differently from its source.  So these are _dup/_dup2, which copy
 * that state, then the flag cleared: not atomic.  A CreateProcess with
 * bInheritHandles TRUE in another thread between the two steps can pass
 * the new handle on; ni_spawn cannot, since it names the handles it passes
 * (PROC_THREAD_ATTRIBUTE_HANDLE_LIST).  This is what CPython's os.dup does
 * on Windows.  _dup/_dup2 also clear the CRT's FNOINHERIT bit, which only
 * the CRT's _spawn* functions read (they would pass the number, not the
 * handle).
 */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdlib.h>

#include "noinherit.h"
#include "wincreate.h"

/* Linux's default pipe capacity; the CRT's default is 4096 bytes. */
#define PIPE_SIZE 65536

/* _dup, then the flag; fd is known to be open. */
static int
dup_noinherit(int fd)
{
	int nfd;

	NI_IPH_BEGIN
	nfd = _dup(fd);
	NI_IPH_END
	if (nfd < 0)
		return -1;
	if (ni_set_inheritable(nfd, false) != 0) {
		ni__win_close_keep_errno(nfd);
		return -1;
	}
	return nfd;
}

int
ni_dup(int fd)
{
	if (ni__win_fd_handle(fd) == INVALID_HANDLE_VALUE)
		return -1;
	return dup_noinherit(fd);
}

/*
 * The CRT has no F_DUPFD, and _dup2 onto a number found free would close
 * whatever another thread opened there meanwhile.  _dup takes the lowest
 * free number, so: dup until the copy lands at or above minfd, holding the
 * copies below it (each already non-inheritable) to fill the holes, then
 * close those.  Cost grows with the free numbers below minfd.
 */
int
ni_dupfd(int fd, int minfd)
{
	unsigned char *low = NULL;
	int nfd, i;

	if (ni__win_fd_handle(fd) == INVALID_HANDLE_VALUE)
		return -1;
	if (minfd < 0 || minfd >= NI_WIN_FD_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		if ((nfd = dup_noinherit(fd)) < 0 || nfd >= minfd)
			break;
		if (low == NULL && (low = calloc((size_t)minfd / 8 + 1, 1)) == NULL) {
			ni__win_close_keep_errno(nfd);
			errno = ENOMEM;
			nfd = -1;
			break;
		}
		low[nfd / 8] |= (unsigned char)(1u << (nfd % 8));
	}
	if (low != NULL) {
		for (i = 0; i < minfd; i++)
			if (low[i / 8] & (1u << (i % 8)))
				ni__win_close_keep_errno(i);
		free(low);
	}
	return nfd;
}

/*
 * PEP 446's os.dup2(fd, fd2, inheritable).  fd2 beyond the CRT's table is
 * EBADF, as dup2(2) says for fd2 beyond RLIMIT_NOFILE.  If the flag cannot
 * be set, fd2 is closed (it was already replaced): dup2(2) too may leave
 * fd2 closed on failure.
 */
int
ni_dup2(int fd, int fd2, bool inheritable)
{
	int r;

	if (ni__win_fd_handle(fd) == INVALID_HANDLE_VALUE)
		return -1;
	if (fd2 < 0 || fd2 >= NI_WIN_FD_MAX) {
		errno = EBADF;
		return -1;
	}
	if (fd == fd2)
		return ni_set_inheritable(fd, inheritable) == 0 ? fd2 : -1;
	NI_IPH_BEGIN
	r = _dup2(fd, fd2);	/* 0 on success, not fd2 */
	NI_IPH_END
	if (r != 0)
		return -1;
	if (ni_set_inheritable(fd2, inheritable) != 0) {
		ni__win_close_keep_errno(fd2);
		return -1;
	}
	return fd2;
}

/*
 * _pipe with _O_NOINHERIT creates both handles non-inheritable (CreatePipe
 * with bInheritHandle FALSE): atomic.  Binary unless _O_TEXT is asked, as
 * a POSIX pipe carries bytes.
 */
int
ni_pipe2(int fds[2], int flags)
{
	int p[2];

	if (fds == NULL) {
		errno = EFAULT;
		return -1;
	}
	if ((flags & ~(_O_BINARY | _O_TEXT | _O_NOINHERIT)) != 0 ||
	    (flags & (_O_BINARY | _O_TEXT)) == (_O_BINARY | _O_TEXT)) {
		errno = EINVAL;
		return -1;
	}
	if (!(flags & _O_TEXT))
		flags |= _O_BINARY;
	if (_pipe(p, PIPE_SIZE, flags | _O_NOINHERIT) != 0)
		return -1;
	fds[0] = p[0];
	fds[1] = p[1];
	return 0;
}

int
ni_pipe(int fds[2])
{
	return ni_pipe2(fds, 0);
}
