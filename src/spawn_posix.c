/*
 * spawn_posix.c - the child of ni_spawn on POSIX systems other than Linux
 * (and on Linux with -DNI_SPAWN_PORTABLE=ON, so that it is tested): fork,
 * then the plan (spawn_child.h) with libc's async-signal-safe calls, and
 * the failure, if any, back through a close-on-exec pipe.  fork copies the
 * page tables, so unlike the vfork child of spawn_linux.c its cost grows
 * with the parent's memory; and fork runs the program's pthread_atfork
 * handlers.  Every signal is blocked across the fork, and the exclusive
 * side of the either-or lock is held.  No pidfds here: ni_spawn_pidfd
 * fails with ENOSYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spawn.h"

CHILD_CODE static long
ret(long r)
{
	return r < 0 ? -errno : r;
}

#define ch_fcntl(fd, cmd, arg) ret(fcntl((fd), (cmd), (arg)))
#define ch_dup2(fd, fd2) ret(dup2((fd), (fd2)))
#define ch_close(fd) ret(close(fd))
#define ch_execve(path, argv, envp) ret(execve((path), (argv), (envp)))
#define ch_setsid() ret(setsid())
#define ch_setpgid(pgid) ret(setpgid(0, (pgid)))
#define ch_umask(mask) ((long)umask(mask))
#define ch_chdir(dir) ret(chdir(dir))
#define ch_setmask(mask) ret(sigprocmask(SIG_SETMASK, (mask), NULL))

#include "spawn_child.h"

CHILD_CODE static void
reset_handlers(void)
{
	struct sigaction sa;
	int sig;

	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP ||
		    sigaction(sig, NULL, &sa) != 0)
			continue;
		if (sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN)
			continue;
		sa.sa_handler = SIG_DFL;
		sa.sa_flags = 0;
		sigemptyset(&sa.sa_mask);
		(void)sigaction(sig, &sa, NULL);
	}
}

/* No pidfds with a forked child here. */
int
spawn_pidfd_supported(void)
{
	probe_set(P_PIDFDS, PROBE_NO);
	errno = ENOSYS;
	return -1;
}

int
spawn_os(struct spawn_plan *p, pid_t *pid, int *pidfd)
{
	sigset_t all, old;
	int fds[2], token, err;
	pid_t child_pid;

	if (pidfd != NULL)
		return spawn_pidfd_supported();
	if (ni_pipe(fds) != 0)
		return -1;
	p->report_fd = fds[1];
	p->report_rfd = fds[0];
	sigfillset(&all);
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	token = fdlock_exclusive_enter();
	child_pid = fork();
	if (child_pid == 0) {
		err = (int)-child(p, &old);
		(void)write(p->report_fd, &err, sizeof err);
		_exit(127);
	}
	err = errno;
	fdlock_exclusive_leave(token);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	close_keep_errno(fds[1]);
	if (child_pid < 0) {
		close_keep_errno(fds[0]);
		errno = err;
		return -1;
	}
	if (spawn_wait_report(fds[0], child_pid) != 0)
		return -1;
	*pid = child_pid;
	return 0;
}
