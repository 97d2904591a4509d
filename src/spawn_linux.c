/*
 * spawn_linux.c - the child of ni_spawn on Linux.
 *
 * The child is made with clone(CLONE_VM | CLONE_VFORK) on a stack carved
 * out of the parent's own frame: no page table is copied, so the cost does
 * not grow with the parent's memory, and the parent thread sleeps until
 * the child has called execve or exited, so the borrowed stack and the
 * plan stay valid.  Every signal is blocked in the parent across it, which
 * the child inherits; the child resets the handlers the parent catches
 * before it unblocks anything, so no parent handler runs in the child.
 *
 * The child makes raw system calls only (spawn_sys.h): no libc, no malloc,
 * no lock, no errno.  Why it failed goes back in the plan, which the
 * parent reads once it wakes.  Where seccomp refuses CLONE_VFORK, a raw
 * fork (clone with SIGCHLD only: no atfork handlers run) takes its place;
 * the failure then travels through a close-on-exec pipe, and a read of 0
 * bytes means the execve succeeded.
 *
 * In fallback creation mode the parent holds the exclusive side of the
 * either-or lock across the clone, so that no half-made descriptor of
 * another thread (created, not yet close-on-exec) is copied into the child.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "procfd.h"
#include "spawn.h"
#include "spawn_sys.h"

/* The child's stack, in the parent's frame: what the child needs (a
 * directory buffer and a few frames) with room to spare. */
#define CHILD_STACK (16 * 1024)
#define DIRBUF 2048
/* The last-resort close loop stops here when the hard limit is higher. */
#define CLOSE_LOOP_CAP (1 << 20)

/* Set once clone(CLONE_VFORK) has been refused: fork mode from then on. */
static atomic_bool vfork_refused;

/* Kernel sigset size: 64 signals. */
#define KSIGSET 8

static bool
refused(long r)
{
	return r == -ENOSYS || r == -EPERM || r == -EINVAL;
}

/*
 * Caught signals back to SIG_DFL.  The kernel's struct sigaction differs
 * by architecture after its first member, the handler: only that is read,
 * and SIG_DFL is written as an all-zero struct (handler, flags, mask 0).
 */
static void
reset_handlers(void)
{
	unsigned long old[8], dfl[8] = { 0 };
	int sig;

	for (sig = 1; sig < 65; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sys4(SYS_rt_sigaction, sig, 0, old, KSIGSET) != 0)
			continue;
		if (old[0] != (unsigned long)SIG_DFL &&
		    old[0] != (unsigned long)SIG_IGN)
			(void)sys4(SYS_rt_sigaction, sig, dfl, 0, KSIGSET);
	}
}

/* True if fd is in the sorted keep list. */
static bool
kept(const struct spawn_plan *p, int fd)
{
	size_t lo = 0, hi = p->nkeep;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->keep[mid] == fd)
			return true;
		if (p->keep[mid] < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Adds fd to the sorted keep list (which has room for one more). */
static void
keep_insert(struct spawn_plan *p, int fd)
{
	size_t i = p->nkeep;

	while (i > 0 && p->keep[i - 1] > fd) {
		p->keep[i] = p->keep[i - 1];
		i--;
	}
	p->keep[i] = fd;
	p->nkeep++;
}

/* close_range over each gap between kept descriptors; 0 or -errno. */
static long
close_gaps(const struct spawn_plan *p)
{
	unsigned int lo = 0;
	size_t i;
	long r;

	for (i = 0; i < p->nkeep; i++) {
		unsigned int k = (unsigned int)p->keep[i];

		if (k > lo) {
			r = sys3(__NR_close_range, lo, k - 1, 0);
			if (r != 0)
				return r;
		}
		lo = k + 1;
	}
	return sys3(__NR_close_range, lo, ~0U, 0);
}

/* Closes every unkept fd listed in /proc/self/fd; 0, or -1 if unusable. */
static int
close_listed(const struct spawn_plan *p)
{
	char buf[DIRBUF] __attribute__((aligned(8)));
	struct statfs sf;
	long dir, n, off;

	dir = sys4(SYS_openat, AT_FDCWD, "/proc/self/fd",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dir < 0)
		return -1;
	if (sys2(SYS_fstatfs, dir, &sf) != 0 || sf.f_type != PROC_SUPER_MAGIC) {
		(void)sys1(SYS_close, dir);
		return -1;
	}
	while ((n = sys3(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
		for (off = 0; off < n;) {
			struct ni_dirent64 *d =
			    (struct ni_dirent64 *)(buf + off);
			int fd = procfd_parse(d->d_name);

			off += d->d_reclen;
			if (fd > 2 && fd != dir && !kept(p, fd))
				(void)sys1(SYS_close, fd);
		}
	}
	(void)sys1(SYS_close, dir);
	return n < 0 ? -1 : 0;
}

/* Every descriptor but the kept ones: the fastest way that works here. */
static void
close_unkept(struct spawn_plan *p)
{
	struct rlimit rl;
	unsigned long fd, end;

	if (p->try_close_range) {
		long r = close_gaps(p);

		if (r == 0 || !refused(r))
			return;
		p->close_range_refused = true;
	}
	if (close_listed(p) == 0)
		return;
	end = CLOSE_LOOP_CAP;
	if (sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, &rl) == 0 &&
	    rl.rlim_max != RLIM_INFINITY && rl.rlim_max < end)
		end = rl.rlim_max;
	for (fd = 3; fd < end; fd++)
		if (!kept(p, (int)fd))
			(void)sys1(SYS_close, fd);
}

/* A close-on-exec copy of fd at minfd or above (F_DUPFD_CLOEXEC may be
 * refused; nothing else runs in this process, so two steps are safe). */
static long
dup_above(int fd, int minfd, bool cloexec)
{
	long r = sys3(SYS_fcntl, fd, F_DUPFD, minfd);

	if (r >= 0 && cloexec)
		(void)sys3(SYS_fcntl, r, F_SETFD, FD_CLOEXEC);
	return r;
}

/* The descriptor table the program is to get; 0 or -errno. */
static long
set_up_fds(struct spawn_plan *p)
{
	size_t i;
	long r;
	int fd;

	/* The report pipe must not sit on a target nor on 0-2. */
	if (p->report_fd >= 0 && p->report_fd < p->minfd) {
		r = dup_above(p->report_fd, p->minfd, true);
		if (r < 0)
			return r;
		(void)sys1(SYS_close, p->report_fd);
		p->report_fd = (int)r;
	}
	if (p->report_fd >= 0)
		keep_insert(p, p->report_fd);
	/* Copy every source that a target would overwrite, once. */
	for (i = 0; i < p->nmoves; i++) {
		struct spawn_move *m = &p->moves[i];

		if (!m->copy || m->src != (int)i)
			continue;
		r = dup_above(m->from, p->minfd, false);
		if (r < 0)
			return r;
		m->tmp = (int)r;
	}
	for (i = 0; i < p->nmoves; i++) {
		struct spawn_move *m = &p->moves[i];
		int src = m->copy ? p->moves[m->src].tmp : m->from;

		if (src == m->to)
			r = sys3(SYS_fcntl, src, F_SETFD, 0);
		else
			r = sys3(SYS_dup3, src, m->to, 0);
		if (r < 0)
			return r;
	}
	for (i = 0; i < p->nmoves; i++)
		if (p->moves[i].tmp >= 0)
			(void)sys1(SYS_close, p->moves[i].tmp);
	/* 0, 1 and 2 as the parent has them, but inheritable. */
	for (fd = 0; fd < 3; fd++) {
		bool target = false;

		for (i = 0; i < p->nmoves; i++)
			target = target || p->moves[i].to == fd;
		if (!target && sys3(SYS_fcntl, fd, F_GETFD, 0) > 0)
			(void)sys3(SYS_fcntl, fd, F_SETFD, 0);
	}
	if (p->close_fds)
		close_unkept(p);
	return 0;
}

/* execve each path in turn, as execvp does; returns -errno. */
static long
exec_paths(const struct spawn_plan *p)
{
	bool eacces = false;
	long r = -ENOENT;
	size_t i;

	for (i = 0; i < p->npaths; i++) {
		r = sys3(SYS_execve, p->paths[i], p->argv, p->envp);
		switch (r) {
		case -EACCES:
			eacces = true;
			/* FALLTHROUGH */
		case -ENOENT:
		case -ENOTDIR:
		case -ESTALE:
		case -ENODEV:
		case -ETIMEDOUT:
		case -ENAMETOOLONG:
			continue;
		default:
			return r;
		}
	}
	return eacces ? -EACCES : r;
}

/* Everything between the clone and the execve; returns -errno. */
static long
child(struct spawn_plan *p, const unsigned long *mask)
{
	long r;

	reset_handlers();
	if (p->setsid && (r = sys0(SYS_setsid)) < 0)
		return r;
	if (p->pgid >= 0 && (r = sys2(SYS_setpgid, 0, p->pgid)) < 0)
		return r;
	if (p->has_umask)
		(void)sys1(SYS_umask, p->umask);
	if (p->cwd != NULL && (r = sys1(SYS_chdir, p->cwd)) < 0)
		return r;
	if ((r = set_up_fds(p)) < 0)
		return r;
	if ((r = sys4(SYS_rt_sigprocmask, SIG_SETMASK,
	    p->has_mask ? p->mask : mask, 0, KSIGSET)) < 0)
		return r;
	return exec_paths(p);
}

/* The parent thread's mask, saved by the parent for the vfork child. */
struct vfork_arg {
	struct spawn_plan *p;
	const unsigned long *mask;
};

static int
vfork_child(void *arg)
{
	struct vfork_arg *a = arg;

	a->p->err = (int)-child(a->p, a->mask);
	(void)sys1(SYS_exit_group, 127);
	return 127;
}

static void
fork_child(struct spawn_plan *p, const unsigned long *mask)
{
	int err = (int)-child(p, mask);

	(void)sys3(SYS_write, p->report_fd, &err, sizeof err);
	(void)sys1(SYS_exit_group, 127);
}

/* Reaps a child that failed before execve; any error is ignored (with
 * SIGCHLD ignored the kernel has reaped it already). */
static void
reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		continue;
}

/*
 * The clone itself, every signal blocked and the lock held.  Returns the
 * pid, or -errno if no child was made.  In vfork mode the child is done
 * with the plan when this returns.
 */
static long
clone_child(struct spawn_plan *p, int *pidfd, bool vfork)
{
	unsigned long all[KSIGSET / sizeof(unsigned long)];
	unsigned long old[KSIGSET / sizeof(unsigned long)];
	char stack[CHILD_STACK] __attribute__((aligned(16)));
	struct vfork_arg a = { p, old };
	int flags = SIGCHLD | (pidfd != NULL ? CLONE_PIDFD : 0);
	int token, saved = errno;
	long pid;

	memset(all, 0xff, sizeof all);
	/* Raw: glibc's sigprocmask would leave its internal signals open. */
	(void)sys4(SYS_rt_sigprocmask, SIG_SETMASK, all, old, KSIGSET);
	token = fdlock_exclusive_enter();
	if (vfork) {
		pid = clone(vfork_child, stack + sizeof stack,
		    flags | CLONE_VM | CLONE_VFORK, &a, pidfd);
		pid = pid < 0 ? -errno : pid;
	} else {
		pid = sys6(SYS_clone, flags, 0, (long)pidfd, 0, 0, 0);
		if (pid == 0)
			fork_child(p, old);
	}
	fdlock_exclusive_leave(token);
	(void)sys4(SYS_rt_sigprocmask, SIG_SETMASK, old, 0, KSIGSET);
	errno = saved;
	return pid;
}

/* Fork mode: the child's report travels through a close-on-exec pipe. */
static int
spawn_forked(struct spawn_plan *p, pid_t *pid, int *pidfd)
{
	int fds[2], err = 0, fd = -1;
	long child_pid;
	ssize_t n;

	if (ni_pipe(fds) != 0)
		return -1;
	p->report_fd = fds[1];
	child_pid = clone_child(p, pidfd != NULL ? &fd : NULL, false);
	close_keep_errno(fds[1]);
	if (child_pid < 0) {
		close_keep_errno(fds[0]);
		errno = (int)-child_pid;
		return -1;
	}
	while ((n = read(fds[0], &err, sizeof err)) < 0 && errno == EINTR)
		continue;
	close_keep_errno(fds[0]);
	if (n != 0) {
		if (n != (ssize_t)sizeof err)
			err = n < 0 ? errno : EIO;
		reap((pid_t)child_pid);
		if (fd >= 0)
			close_keep_errno(fd);
		errno = err;
		return -1;
	}
	*pid = (pid_t)child_pid;
	if (pidfd != NULL)
		*pidfd = fd;
	return 0;
}

/* ENOSYS if this kernel has no pidfds (checked once); else 0. */
static int
pidfd_supported(void)
{
	static atomic_int state;	/* 0 unknown, 1 yes, 2 no */
	int s = atomic_load_explicit(&state, memory_order_relaxed);

	if (s == 0) {
		long fd = sys2(__NR_pidfd_open, getpid(), 0);

		s = fd >= 0 ? 1 : (fd == -ENOSYS ? 2 : 0);
		if (fd >= 0)
			(void)sys1(SYS_close, fd);
		if (s != 0)
			atomic_store_explicit(&state, s,
			    memory_order_relaxed);
	}
	if (s == 2) {
		errno = ENOSYS;
		return -1;
	}
	return 0;
}

int
spawn_os(struct spawn_plan *p, pid_t *pid, int *pidfd)
{
	int fd = -1;
	long child_pid;

	if (pidfd != NULL && pidfd_supported() != 0)
		return -1;
	if (atomic_load_explicit(&vfork_refused, memory_order_relaxed))
		return spawn_forked(p, pid, pidfd);
	p->err = 0;
	child_pid = clone_child(p, pidfd != NULL ? &fd : NULL, true);
	if (child_pid < 0) {
		if (!refused(child_pid)) {
			errno = (int)-child_pid;
			return -1;
		}
		atomic_store_explicit(&vfork_refused, true,
		    memory_order_relaxed);
		return spawn_forked(p, pid, pidfd);
	}
	if (p->err != 0) {
		int err = p->err;

		reap((pid_t)child_pid);
		if (fd >= 0)
			close_keep_errno(fd);
		errno = err;
		return -1;
	}
	*pid = (pid_t)child_pid;
	if (pidfd != NULL)
		*pidfd = fd;
	return 0;
}
