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
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "spawn.h"
#include "spawn_sys.h"

#define ch_fcntl(fd, cmd, arg) sys3(SYS_fcntl, (fd), (cmd), (arg))
#define ch_dup2(fd, fd2) sys3(SYS_dup3, (fd), (fd2), 0)	/* fd != fd2 */
#define ch_close(fd) sys1(SYS_close, (fd))
#define ch_execve(path, argv, envp) sys3(SYS_execve, (path), (argv), (envp))
#define ch_setsid() sys0(SYS_setsid)
#define ch_setpgid(pgid) sys2(SYS_setpgid, 0, (pgid))
#define ch_umask(mask) sys1(SYS_umask, (mask))
#define ch_chdir(dir) sys1(SYS_chdir, (dir))
#define ch_setmask(mask) \
	sys4(SYS_rt_sigprocmask, SIG_SETMASK, (mask), 0, KSIGSET)

/* futex(2) values (linux/futex.h, which musl's headers lack). */
#define NI_FUTEX_WAIT 0
#define NI_FUTEX_WAKE 1
#define NI_FUTEX_WAITERS 0x80000000U
#define NI_FUTEX_OWNER_DIED 0x40000000U

/* Kernel sigset size: 64 signals. */
#define KSIGSET 8

#include "spawn_child.h"

/*
 * The child's stack, in the parent's frame: what the child needs (a
 * directory buffer and a few frames: by -fstack-usage on x86_64 the
 * deepest path, vfork_child, child, fdapply, fdos_walk, walk_once,
 * fdapply_one, fdkeep_has, is 1448 bytes at -O2 and 1624 at -O0) with
 * room to spare for sanitizer builds.  Small enough that a thread
 * with a PTHREAD_STACK_MIN stack can spawn, as with posix_spawn (16 KiB
 * here once made such a thread die of SIGSEGV: issue 14).
 */
#define CHILD_STACK (6 * 1024)

/*
 * Probes (internal.h): P_CLONE_VFORK refused means fork mode from then on;
 * P_CLONE3 refused (Linux < 5.5, seccomp) means clone; P_PIDFDS refused
 * means ni_spawn_pidfd fails with ENOSYS.
 */

/* The clone3 arguments up to tls (CLONE_ARGS_SIZE_VER0). */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls;
};

CHILD_CODE static bool
refused(long r)
{
	return r == -ENOSYS || r == -EPERM || r == -EINVAL;
}

/*
 * Caught signals back to SIG_DFL.  The kernel's struct sigaction differs
 * by architecture after its first member, the handler: only that is read,
 * and SIG_DFL is written as an all-zero struct (handler, flags, mask 0).
 */
CHILD_CODE static void
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

/* The parent thread's mask, saved by the parent for the vfork child. */
struct vfork_arg {
	struct spawn_plan *p;
	const sigset_t *mask;
};

CHILD_CODE static int
vfork_child(void *arg)
{
	struct vfork_arg *a = arg;

	a->p->child_ran = true;
	a->p->err = (int)-child(a->p, a->mask);
	(void)sys1(SYS_exit_group, 127);
	return 127;
}

/* The kernel's robust futex list head (set_robust_list(2)). */
struct robust_head {
	void *next;		/* the list: here one entry, pointing back */
	long futex_offset;	/* from an entry to its futex word */
	void *pending;
};

/*
 * A report page instead of the pipe: the word holds this child's tid and
 * is its one robust futex, so execve or exit marks it FUTEX_OWNER_DIED and
 * wakes the parent.  The head stays valid until then: it is in this frame,
 * and the kernel reads it before the old memory goes.
 */
CHILD_CODE static void
fork_child_robust(struct spawn_report_page *pg)
{
	struct robust_head head;
	void *entry[1];

	entry[0] = &head;
	head.next = entry;
	head.futex_offset = (long)((char *)&pg->word - (char *)entry);
	head.pending = 0;
	atomic_store(&pg->word, (unsigned int)sys0(SYS_gettid));
	if (sys2(SYS_set_robust_list, &head, sizeof head) != 0)
		pg->err = ENOSYS;	/* the parent's poll finds the exit */
	(void)sys6(SYS_futex, (long)&pg->word, NI_FUTEX_WAKE, 1, 0, 0, 0);
}

CHILD_CODE static void
fork_child(struct spawn_plan *p, const sigset_t *mask)
{
	int err;

	if (p->report_page != NULL) {
		fork_child_robust(p->report_page);
		if (p->report_page->err == 0)
			p->report_page->err = (int)-child(p, mask);
		(void)sys1(SYS_exit_group, 127);
	}
	err = (int)-child(p, mask);
	(void)sys3(SYS_write, p->report_fd, &err, sizeof err);
	(void)sys1(SYS_exit_group, 127);
}

/*
 * The vfork child: clone3 with CLONE_CLEAR_SIGHAND where it works, so that
 * the kernel resets the caught handlers in one step (instead of a
 * rt_sigaction call per signal in the child: most of the cost of a spawn
 * above the bare clone + execve); else clone, and the child resets them.
 */
static long
clone_vfork(struct spawn_plan *p, struct vfork_arg *a, char *stack,
    size_t size, int *pidfd)
{
	unsigned long flags = CLONE_VM | CLONE_VFORK |
	    (pidfd != NULL ? CLONE_PIDFD : 0);
	long pid;

#if NI_SYS_INLINE
	if (probe_get(P_CLONE3) != PROBE_NO) {
		struct clone3_args ca = {
			.flags = flags | CLONE_CLEAR_SIGHAND,
			.pidfd = (uintptr_t)pidfd,
			.exit_signal = SIGCHLD,
			.stack = (uintptr_t)stack,
			.stack_size = size,
		};

		p->handlers_cleared = true;
		pid = clone3_run(&ca, sizeof ca, vfork_child, a);
		if (pid >= 0 && probe_get(P_CLONE3) == PROBE_UNKNOWN)
			probe_set(P_CLONE3, PROBE_YES);
		if (pid >= 0 || !refused(pid))
			return pid;
		probe_set(P_CLONE3, PROBE_NO);
	}
#endif
	p->handlers_cleared = false;
	pid = clone(vfork_child, stack + size, (int)flags | SIGCHLD, a, pidfd);
	return pid < 0 ? -errno : pid;
}

/*
 * The clone itself, every signal blocked and the lock held.  Returns the
 * pid, or -errno if no child was made.  In vfork mode the child is done
 * with the plan when this returns.
 */
static long
clone_child(struct spawn_plan *p, int *pidfd, bool vfork)
{
	sigset_t all, old;	/* the kernel reads the first KSIGSET bytes */
	char stack[CHILD_STACK] __attribute__((aligned(16)));
	struct vfork_arg a = { p, &old };
	int token, saved = errno;
	long pid;

	memset(&all, 0xff, sizeof all);
	memset(&old, 0, sizeof old);
	/* Raw: glibc's sigprocmask would leave its internal signals open. */
	(void)sys4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, KSIGSET);
	token = fdlock_exclusive_enter();
	if (vfork) {
		pid = clone_vfork(p, &a, stack, sizeof stack, pidfd);
	} else {
		pid = sys6(SYS_clone, SIGCHLD | (pidfd != NULL ? CLONE_PIDFD : 0),
		    0, (long)pidfd, 0, 0, 0);
		if (pid == 0)
			fork_child(p, &old);
	}
	fdlock_exclusive_leave(token);
	(void)sys4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, KSIGSET);
	errno = saved;
	return pid;
}

/*
 * The end of a spawn whose child exists: on failure (err) the child is
 * reaped (unless already) and its pidfd closed; on success the results.
 */
static int
finish(long child_pid, int err, bool reaped, int fd, pid_t *pid, int *pidfd)
{
	if (err != 0) {
		if (!reaped)
			spawn_reap((pid_t)child_pid);
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

/* True once pid has exited (or was reaped already: SIGCHLD ignored). */
static bool
exited(pid_t pid)
{
	siginfo_t si;

	si.si_pid = 0;
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0 ||
	    si.si_pid == pid;
}

/*
 * Waits on the report page until the child's execve or exit has marked
 * its word FUTEX_OWNER_DIED, then reads its errno as spawn_wait_report
 * does the pipe.  Every 50 ms it also looks whether the child has gone
 * without a word (killed before it listed its futex): then as the pipe's
 * end of file, success.
 */
static int
wait_report_page(struct spawn_report_page *pg, pid_t pid)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int saved = errno, err;

	for (;;) {
		unsigned int v = atomic_load(&pg->word);

		if (v & NI_FUTEX_OWNER_DIED)
			break;
		if (v != 0 && !(v & NI_FUTEX_WAITERS) &&
		    !atomic_compare_exchange_strong(&pg->word, &v,
		    v | NI_FUTEX_WAITERS))
			continue;
		if (v != 0)
			v |= NI_FUTEX_WAITERS;
		if (syscall(SYS_futex, &pg->word, NI_FUTEX_WAIT, v, &ts, NULL, 0) != 0 &&
		    errno == ETIMEDOUT && exited(pid))
			break;
	}
	err = pg->err;
	(void)munmap(pg, sizeof *pg);
	errno = saved;
	if (err == 0)
		return 0;
	spawn_reap(pid);
	errno = err > 0 ? err : EIO;
	return -1;
}

/*
 * Fork mode: the child's report travels through a close-on-exec pipe, or
 * where no descriptor is free for one, through a shared page (struct
 * spawn_report_page): the vfork child needs none, and this one must not
 * either.
 */
static int
spawn_forked(struct spawn_plan *p, pid_t *pid, int *pidfd)
{
	int fds[2] = { -1, -1 }, fd = -1;
	long child_pid;

	if (ni_pipe(fds) != 0) {
		void *pg;

		if (errno != EMFILE && errno != ENFILE)
			return -1;
		pg = mmap(NULL, sizeof *p->report_page, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (pg == MAP_FAILED) {
			errno = EMFILE;
			return -1;
		}
		p->report_page = pg;
	}
	p->report_fd = fds[1];
	p->report_rfd = fds[0];
	child_pid = clone_child(p, pidfd != NULL ? &fd : NULL, false);
	if (fds[1] >= 0)
		close_keep_errno(fds[1]);
	if (child_pid < 0) {
		if (p->report_page != NULL)
			(void)munmap(p->report_page, sizeof *p->report_page);
		else
			close_keep_errno(fds[0]);
		errno = (int)-child_pid;
		if (pidfd != NULL && refused(child_pid)) {
			/* Only CLONE_PIDFD is left to refuse. */
			probe_set(P_PIDFDS, PROBE_NO);
			errno = ENOSYS;
		}
		return -1;
	}
	if ((p->report_page != NULL ?
	    wait_report_page(p->report_page, (pid_t)child_pid) :
	    spawn_wait_report(fds[0], (pid_t)child_pid)) != 0)
		return finish(child_pid, errno, true, fd, pid, pidfd);
	return finish(child_pid, 0, true, fd, pid, pidfd);
}

/*
 * Settles P_PIDFDS with pidfd_open (Linux 5.3): refused (ENOSYS, or EPERM
 * from a seccomp profile older than pidfds) means no pidfds.  Any other
 * error (EMFILE) settles nothing.  Then -1 with ENOSYS if there are none.
 */
int
spawn_pidfd_supported(void)
{
	int s = probe_get(P_PIDFDS);

	if (s == PROBE_UNKNOWN) {
		long fd = sys2(__NR_pidfd_open, getpid(), 0);

		if (fd >= 0) {
			(void)sys1(SYS_close, fd);
			probe_set(P_PIDFDS, s = PROBE_YES);
		} else if (refused(fd)) {
			probe_set(P_PIDFDS, s = PROBE_NO);
		}
	}
	if (s == PROBE_NO) {
		errno = ENOSYS;
		return -1;
	}
	return 0;
}

/*
 * Fork mode where clone(CLONE_VFORK | CLONE_PIDFD) was refused: either
 * flag may be the one refused.  The fork's clone with CLONE_PIDFD tells:
 * refused too, it is CLONE_PIDFD (ENOSYS, and the vfork child stays);
 * else it was CLONE_VFORK.
 */
static int
spawn_after_refusal(struct spawn_plan *p, pid_t *pid, int *pidfd)
{
	int r = spawn_forked(p, pid, pidfd);

	if (pidfd == NULL || probe_get(P_PIDFDS) != PROBE_NO)
		probe_set(P_CLONE_VFORK, PROBE_NO);
	return r;
}

int
spawn_os(struct spawn_plan *p, pid_t *pid, int *pidfd)
{
	int fd = -1;
	long child_pid;

	if (pidfd != NULL && spawn_pidfd_supported() != 0)
		return -1;
	if (probe_get(P_CLONE_VFORK) == PROBE_NO)
		return spawn_forked(p, pid, pidfd);
	p->err = 0;
	p->child_ran = false;
	child_pid = clone_child(p, pidfd != NULL ? &fd : NULL, true);
	if (child_pid < 0) {
		if (!refused(child_pid)) {
			errno = (int)-child_pid;
			return -1;
		}
		return spawn_after_refusal(p, pid, pidfd);
	}
	/*
	 * The child shares this memory and has run to its execve or exit by
	 * now, so it has said so.  Where it has not, the clone made a copy
	 * (valgrind runs CLONE_VM children as forks): its error, if any, is
	 * lost, and from now on the fork path with its pipe reports them.
	 */
	if (!p->child_ran)
		probe_set(P_CLONE_VFORK, PROBE_NO);
	else if (probe_get(P_CLONE_VFORK) == PROBE_UNKNOWN)
		probe_set(P_CLONE_VFORK, PROBE_YES);
	if (pidfd != NULL && probe_get(P_PIDFDS) == PROBE_UNKNOWN)
		probe_set(P_PIDFDS, PROBE_YES);
	return finish(child_pid, p->err, false, fd, pid, pidfd);
}
