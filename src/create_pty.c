/*
 * create_pty.c - posix_openpt and openpty.
 *
 * openpty(3) opens both ends without O_CLOEXEC and takes no flags, so
 * ni_openpty is built from posix_openpt(O_CLOEXEC) and an O_CLOEXEC open of
 * the slave: through TIOCGPTPEER (Linux 4.13), which needs no path and so
 * cannot be fooled by a renamed /dev/pts entry, else by ptsname.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "internal.h"

static int
openpt_atomic(void *p)
{
	return posix_openpt(*(int *)p | O_CLOEXEC);
}

static int
openpt_plain(void *p)
{
	return posix_openpt(*(int *)p & ~O_CLOEXEC);
}

/*
 * glibc and musl pass the flags to open(2) unchecked: O_CLOEXEC's probe
 * applies, and the check POSIX asks for (EINVAL) is made here.
 */
int
ni_posix_openpt(int flags)
{
	if (flags & ~(O_RDWR | O_NOCTTY | O_CLOEXEC)) {
		errno = EINVAL;
		return -1;
	}
	return create_fd_checked(P_O_CLOEXEC, openpt_atomic, openpt_plain,
	    &flags);
}

#ifdef HAVE_PTSNAME_R
#define pts_name ptsname_r
#else
/*
 * Systems without ptsname_r (FreeBSD before 13, older macOS): ptsname's
 * static buffer, copied under a lock of our own.  (Another thread calling
 * ptsname itself can still overwrite it; libc offers nothing better there.)
 */
static pthread_mutex_t pts_lock = PTHREAD_MUTEX_INITIALIZER;

static int
pts_name(int master, char *path, size_t size)
{
	const char *name;
	int r = -1;

	(void)pthread_mutex_lock(&pts_lock);
	name = ptsname(master);
	if (name != NULL && strlen(name) < size) {
		strcpy(path, name);
		r = 0;
	} else if (name != NULL) {
		errno = ERANGE;
	}
	(void)pthread_mutex_unlock(&pts_lock);
	return r;
}
#endif

static int
open_slave(int master, char *path, size_t size)
{
#ifdef TIOCGPTPEER
	/* Linux 4.13, which honours O_CLOEXEC like every kernel since 2.6.23. */
	int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0) {
		if (pts_name(master, path, size) == 0)
			return fd;
		close_keep_errno(fd);
		return -1;
	}
#endif
	if (pts_name(master, path, size) != 0)
		return -1;
	return ni_open(path, O_RDWR | O_NOCTTY);
}

int
ni_openpty(int *master, int *slave, char *name,
    const struct termios *termp, const struct winsize *winp)
{
	char path[128];
	int m, s;

	m = ni_posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0)
		return -1;
	if (grantpt(m) != 0 || unlockpt(m) != 0)
		goto fail_master;
	s = open_slave(m, path, sizeof(path));
	if (s < 0)
		goto fail_master;
	if ((termp != NULL && tcsetattr(s, TCSAFLUSH, termp) != 0) ||
	    (winp != NULL && ioctl(s, TIOCSWINSZ, winp) != 0)) {
		close_keep_errno(s);
		goto fail_master;
	}
	if (name != NULL)
		strcpy(name, path);
	*master = m;
	*slave = s;
	return 0;
fail_master:
	close_keep_errno(m);
	return -1;
}
