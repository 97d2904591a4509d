/*
 * hooks_fd.c - descriptors that are not files nor sockets: pipe, dup,
 * fcntl(F_DUPFD) (and ioctl(FIONCLEX), for trace), the Linux event fds
 * (epoll, eventfd, signalfd, timerfd, inotify, memfd, fanotify),
 * open_by_handle_at, and the ptys.
 *
 * enforce adds each call's own close-on-exec flag; a call without one
 * becomes its sibling that has it (pipe -> pipe2, dup -> F_DUPFD_CLOEXEC,
 * epoll_create -> epoll_create1, inotify_init -> inotify_init1).  dup2 and
 * dup3 pass through unchanged: PEP 446's os.dup2() makes its target
 * inheritable, which is what a program redirecting a descriptor for its
 * child wants.  So does fcntl(F_SETFD) or ioctl(FIONCLEX) clearing the
 * flag, which always passes through.
 */
#include "shim.h"

#include <fcntl.h>
#include <pty.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <unistd.h>
#include <utmp.h>

#include "sys.h"

/* enforce: flags | cloexec; `ours` then says the shim added it.  (For
 * the open(2)-based calls only: open ignores the flags it does not know,
 * so there is no refusal to fall back from.) */
#define ADD_FLAG(m, flags, cloexec) \
	((m) == SHIM_ENFORCE ? (flags) | (cloexec) : (flags))
#define OURS(m, flags, cloexec) \
	((m) == SHIM_ENFORCE && ((flags) & (cloexec)) == 0)
#define ASKED(flags, cloexec) (((flags) & (cloexec)) != 0)

/*
 * CALL(args) with flags | cloexec when the shim adds it, falling back to
 * the program's own flags and then the flag set (fallback.c) when the
 * flagged form is refused; as given otherwise.
 */
#define FLAGGED(m, p, flags, cloexec, CALL) \
	(OURS(m, flags, cloexec) ? \
	    SHIM_CREATE(p, CALL((flags) | (cloexec)), CALL(flags)) : \
	    CALL(flags))

/* ------------------------------------------------------------------ */
/* pipe, dup, fcntl                                                    */
/* ------------------------------------------------------------------ */

/*
 * enforce: pipe2(flags | O_CLOEXEC); refused, the program's pipe2(flags)
 * (pipe() for flags 0, which pipe2 may be refused for as a whole), then
 * the flag on both ends.
 */
static int
pipe_cloexec(int fds[2], int flags)
{
	int (*p2)(int *, int) = (int (*)(int *, int))shim_real_fn(R_pipe2);
	int (*p1)(int *) = (int (*)(int *))shim_real_fn(R_pipe);
	int saved = errno, r = -1;
	bool fb = true;

	if (p2 != NULL && shim_probe_try(SHIM_P_PIPE2)) {
		r = p2(fds, flags | O_CLOEXEC);
		fb = shim_probe_fallback(SHIM_P_PIPE2, r);
	}
	if (!fb)
		return r;
	errno = saved;
	shim_fdlock_shared_enter();
	if (flags == 0 && p1 != NULL)
		r = p1(fds);
	else if (p2 != NULL)
		r = p2(fds, flags);
	else
		errno = ENOSYS;
	if (r == 0) {
		shim_set_cloexec(fds[0]);
		shim_set_cloexec(fds[1]);
		shim_probe_refused(SHIM_P_PIPE2);
	}
	shim_fdlock_shared_leave();
	return r;
}

HOOK int
pipe(int fds[2])
{
	int m = shim_mode(), r;

	if (m == SHIM_ENFORCE) {
		r = pipe_cloexec(fds, 0);
	} else {
		NEXT(pipe, -1);
		r = next(fds);
	}
	if (r == 0)
		shim_made2(m, fds, "pipe", true, false);
	return r;
}

HOOK int
pipe2(int fds[2], int flags)
{
	int m = shim_mode(), r;
	NEXT(pipe2, -1);

	r = OURS(m, flags, O_CLOEXEC) ? pipe_cloexec(fds, flags) :
	    next(fds, flags);
	if (r == 0)
		shim_made2(m, fds, "pipe2", OURS(m, flags, O_CLOEXEC),
		    ASKED(flags, O_CLOEXEC));
	return r;
}

HOOK int
dup(int fd)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE) {
		int (*f)(int, int, ...) =
		    (int (*)(int, int, ...))shim_real_fn(R_fcntl);
		NEXT(dup, -1);

		if (f == NULL)
			return shim_made(m, SHIM_CREATE(SHIM_P_DUPFD, -1,
			    next(fd)), "dup", true, false);
		return shim_made(m, SHIM_CREATE(SHIM_P_DUPFD,
		    f(fd, F_DUPFD_CLOEXEC, 0), next(fd)), "dup", true, false);
	}
	NEXT(dup, -1);
	return shim_made(m, next(fd), "dup", false, false);
}

/* The target stays inheritable: the program asked for that fd number. */
HOOK int
dup2(int fd, int fd2)
{
	int m = shim_mode(), r;
	NEXT(dup2, -1);

	r = next(fd, fd2);
	if (r >= 0 && fd != fd2 && m == SHIM_TRACE)
		shim_record(&r, 1, "dup2", false, SHIM_HOOK_FRAME());
	else if (r > 2 && fd != fd2 && m == SHIM_ENFORCE)
		shim_bits_forget((unsigned)r, (unsigned)r);
	return r;
}

HOOK int
dup3(int fd, int fd2, int flags)
{
	int m = shim_mode(), r;
	NEXT(dup3, -1);

	r = next(fd, fd2, flags);
	if (r >= 0 && m == SHIM_TRACE)
		shim_record(&r, 1, "dup3", ASKED(flags, O_CLOEXEC),
		    SHIM_HOOK_FRAME());
	else if (r > 2 && m == SHIM_ENFORCE)
		shim_bits_forget((unsigned)r, (unsigned)r);
	return r;
}

/*
 * fcntl is variadic: its third argument, when there is one, is an int or a
 * pointer, passed on as the pointer-sized value glibc's own fcntl reads.
 */
SHIM_INLINE int
fcntl_hook(int m, int (*next)(int, int, ...), const char *name, int fd,
    int cmd, void *arg)
{
	int r;

	switch (cmd) {
	case F_DUPFD:
		if (m == SHIM_ENFORCE)
			return shim_made(m, SHIM_CREATE(SHIM_P_DUPFD,
			    next(fd, F_DUPFD_CLOEXEC, arg),
			    next(fd, F_DUPFD, arg)), name, true, false);
		return shim_made(m, next(fd, cmd, arg), name, false, false);
	case F_DUPFD_CLOEXEC:
		return shim_made(m, next(fd, cmd, arg), name, false, true);
	case F_SETFD:
		r = next(fd, cmd, arg);
		if (r == 0 && m == SHIM_TRACE &&
		    ((int)(intptr_t)arg & FD_CLOEXEC) == 0)
			shim_stamp(fd, "F_SETFD", SHIM_HOOK_FRAME());
		else if (r == 0 && m == SHIM_ENFORCE)
			shim_note_flags_set(fd);
		return r;
	case F_SETLK:
	case F_SETLKW:
#ifdef F_OFD_SETLK
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
#endif
		r = next(fd, cmd, arg);
		if (r == 0 && m == SHIM_ENFORCE)
			shim_fcntl_lock(fd, cmd, arg);
		return r;
	default:
		return next(fd, cmd, arg);
	}
}

HOOK int
fcntl(int fd, int cmd, ...)
{
	int m = shim_mode();
	void *arg;
	va_list ap;
	NEXT(fcntl, -1);

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_hook(m, next, "fcntl", fd, cmd, arg);
}

#if __GLIBC_PREREQ(2, 28)	/* fcntl64 */
HOOK int
fcntl64(int fd, int cmd, ...)
{
	int m = shim_mode();
	void *arg;
	va_list ap;
	NEXT(fcntl64, -1);

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_hook(m, next, "fcntl64", fd, cmd, arg);
}
#endif

/*
 * ioctl(FIONCLEX) makes a descriptor inheritable (Python's
 * os.set_inheritable does it that way): it always wins, and trace stamps
 * the descriptor as for fcntl(F_SETFD).  Every other request, and every
 * mode but trace, passes straight through.
 */
HOOK int
ioctl(int fd, unsigned long request, ...)
{
	int m = shim_mode(), r;
	void *arg;
	va_list ap;
	NEXT(ioctl, -1);

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	r = next(fd, request, arg);
	if (r == 0 && request == FIONCLEX && m == SHIM_TRACE)
		shim_stamp(fd, "FIONCLEX", SHIM_HOOK_FRAME());
	else if (r == 0 && (request == FIONCLEX || request == FIOCLEX) &&
	    m == SHIM_ENFORCE)
		shim_note_flags_set(fd);
	return r;
}

/* ------------------------------------------------------------------ */
/* Linux event descriptors                                             */
/* ------------------------------------------------------------------ */

HOOK int
epoll_create(int size)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE && size > 0) {	/* size <= 0: its EINVAL */
		int (*e1)(int) = (int (*)(int))shim_real_fn(R_epoll_create1);
		NEXT(epoll_create, -1);

		return shim_made(m, SHIM_CREATE(SHIM_P_EPOLL, e1 != NULL ?
		    e1(EPOLL_CLOEXEC) : (errno = ENOSYS, -1), next(size)),
		    "epoll_create", true, false);
	}
	NEXT(epoll_create, -1);
	return shim_made(m, next(size), "epoll_create", false, false);
}

HOOK int
epoll_create1(int flags)
{
	int m = shim_mode();
	NEXT(epoll_create1, -1);
#define CALL(f) next(f)
	return shim_made(m, FLAGGED(m, SHIM_P_EPOLL, flags, EPOLL_CLOEXEC,
	    CALL), "epoll_create1", OURS(m, flags, EPOLL_CLOEXEC),
	    ASKED(flags, EPOLL_CLOEXEC));
}

HOOK int
eventfd(unsigned int count, int flags)
{
	int m = shim_mode();
	NEXT(eventfd, -1);
#undef CALL
#define CALL(f) next(count, f)
	return shim_made(m, FLAGGED(m, SHIM_P_EVENTFD, flags, EFD_CLOEXEC,
	    CALL), "eventfd", OURS(m, flags, EFD_CLOEXEC), ASKED(flags, EFD_CLOEXEC));
}

/* signalfd(fd != -1) changes the mask of an existing one: nothing made. */
HOOK int
signalfd(int fd, const sigset_t *mask, int flags)
{
	int m = shim_mode(), r;
	NEXT(signalfd, -1);

	if (fd != -1)
		return next(fd, mask, flags);
#undef CALL
#define CALL(f) next(fd, mask, f)
	r = FLAGGED(m, SHIM_P_SIGNALFD, flags, SFD_CLOEXEC, CALL);
	return shim_made(m, r, "signalfd", OURS(m, flags, SFD_CLOEXEC),
	    ASKED(flags, SFD_CLOEXEC));
}

HOOK int
timerfd_create(int clockid, int flags)
{
	int m = shim_mode();
	NEXT(timerfd_create, -1);
#undef CALL
#define CALL(f) next(clockid, f)
	return shim_made(m, FLAGGED(m, SHIM_P_TIMERFD, flags, TFD_CLOEXEC,
	    CALL), "timerfd_create", OURS(m, flags, TFD_CLOEXEC),
	    ASKED(flags, TFD_CLOEXEC));
}

HOOK int
inotify_init(void)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE) {
		int (*i1)(int) = (int (*)(int))shim_real_fn(R_inotify_init1);
		NEXT(inotify_init, -1);

		return shim_made(m, SHIM_CREATE(SHIM_P_INOTIFY, i1 != NULL ?
		    i1(IN_CLOEXEC) : (errno = ENOSYS, -1), next()),
		    "inotify_init", true, false);
	}
	NEXT(inotify_init, -1);
	return shim_made(m, next(), "inotify_init", false, false);
}

HOOK int
inotify_init1(int flags)
{
	int m = shim_mode();
	NEXT(inotify_init1, -1);
#undef CALL
#define CALL(f) next(f)
	return shim_made(m, FLAGGED(m, SHIM_P_INOTIFY, flags, IN_CLOEXEC,
	    CALL), "inotify_init1", OURS(m, flags, IN_CLOEXEC),
	    ASKED(flags, IN_CLOEXEC));
}

HOOK int
memfd_create(const char *name, unsigned int flags)
{
	int m = shim_mode();
	NEXT(memfd_create, -1);
#undef CALL
#define CALL(f) next(name, f)
	return shim_made(m, FLAGGED(m, SHIM_P_MEMFD, flags, MFD_CLOEXEC,
	    CALL), "memfd_create", OURS(m, flags, MFD_CLOEXEC),
	    ASKED(flags, MFD_CLOEXEC));
}

HOOK int
fanotify_init(unsigned int flags, unsigned int event_f_flags)
{
	int m = shim_mode();
	NEXT(fanotify_init, -1);
#undef CALL
#define CALL(f) next(f, event_f_flags)
	return shim_made(m, FLAGGED(m, SHIM_P_FANOTIFY, flags, FAN_CLOEXEC,
	    CALL), "fanotify_init", OURS(m, flags, FAN_CLOEXEC),
	    ASKED(flags, FAN_CLOEXEC));
}

HOOK int
open_by_handle_at(int mount_fd, struct file_handle *handle, int flags)
{
	int m = shim_mode();
	NEXT(open_by_handle_at, -1);
#undef CALL
	return shim_made(m, next(mount_fd, handle,
	    ADD_FLAG(m, flags, O_CLOEXEC)), "open_by_handle_at",
	    OURS(m, flags, O_CLOEXEC), ASKED(flags, O_CLOEXEC));
}

/* ------------------------------------------------------------------ */
/* ptys                                                                */
/* ------------------------------------------------------------------ */

/* glibc passes posix_openpt's flags to open(2): O_CLOEXEC works. */
HOOK int
posix_openpt(int flags)
{
	int m = shim_mode();
	NEXT(posix_openpt, -1);

	return shim_made(m, next(ADD_FLAG(m, flags, O_CLOEXEC)),
	    "posix_openpt", OURS(m, flags, O_CLOEXEC), ASKED(flags, O_CLOEXEC));
}

/* getpt() is glibc's posix_openpt(O_RDWR). */
HOOK int
getpt(void)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE) {
		NEXT(posix_openpt, -1);
		return shim_made(m, next(O_RDWR | O_CLOEXEC), "getpt", true,
		    false);
	}
	NEXT(getpt, -1);
	return shim_made(m, next(), "getpt", false, false);
}

/*
 * openpty(3) takes no flags: enforce builds it as glibc does, from
 * posix_openpt(O_CLOEXEC) and a slave opened with O_CLOEXEC through
 * TIOCGPTPEER (Linux 4.13), else by its name.  Like glibc, the termios
 * and window size are applied without checking.
 */
static int
openpty_cloexec(int *amaster, int *aslave, char *name,
    const struct termios *termp, const struct winsize *winp)
{
	int (*openpt)(int) = shim_real_fn(R_posix_openpt);
	int (*open_fn)(const char *, int, ...) = shim_real_fn(R_open);
	int saved = errno, master, slave = -1, e;
	char path[128];

	if (openpt == NULL || open_fn == NULL) {
		errno = ENOSYS;
		return -1;
	}
	master = openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -1;
	if (grantpt(master) != 0 || unlockpt(master) != 0 ||
	    ptsname_r(master, path, sizeof(path)) != 0)
		goto fail;
#ifdef TIOCGPTPEER
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
#endif
	if (slave < 0)
		slave = open_fn(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		goto fail;
	if (termp != NULL)
		tcsetattr(slave, TCSAFLUSH, termp);
	if (winp != NULL)
		ioctl(slave, TIOCSWINSZ, winp);
	if (name != NULL)
		strcpy(name, path);
	*amaster = master;
	*aslave = slave;
	errno = saved;
	return 0;
fail:
	e = errno;
	sys_close(master);
	errno = e;
	return -1;
}

HOOK int
openpty(int *amaster, int *aslave, char *name, const struct termios *termp,
    const struct winsize *winp)
{
	int m = shim_mode(), fds[2], r;

	if (m == SHIM_ENFORCE) {
		r = openpty_cloexec(&fds[0], &fds[1], name, termp, winp);
	} else {
		NEXT(openpty, -1);
		r = next(&fds[0], &fds[1], name, termp, winp);
	}
	if (r != 0)
		return r;
	shim_made2(m, fds, "openpty", true, false);
	*amaster = fds[0];
	*aslave = fds[1];
	return 0;
}

/* forkpty() is openpty(), fork() and login_tty() in the child, as in
 * glibc; the master stays in the parent, close-on-exec under enforce. */
HOOK pid_t
forkpty(int *amaster, char *name, const struct termios *termp,
    const struct winsize *winp)
{
	int m = shim_mode(), master, slave;
	pid_t pid;

	if (m != SHIM_ENFORCE) {
		NEXT(forkpty, -1);
		pid = next(&master, name, termp, winp);
		if (pid > 0) {
			shim_made(m, master, "forkpty", false, false);
			*amaster = master;
		}
		return pid;
	}
	if (openpty_cloexec(&master, &slave, name, termp, winp) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		int e = errno;

		sys_close(master);
		sys_close(slave);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		sys_close(master);
		if (login_tty(slave) != 0)
			_exit(1);
		return 0;
	}
	sys_close(slave);
	shim_made(m, master, "forkpty", true, false);
	*amaster = master;
	return pid;
}
