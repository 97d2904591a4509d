/*
 * spawn_child.h - the child's part of ni_spawn, the same on every POSIX
 * system: descriptor moves, attributes, the execve of each path.  Included
 * by spawn_linux.c, whose calls are raw system calls (spawn_sys.h), and by
 * spawn_posix.c, whose calls are libc's async-signal-safe ones.  The
 * includer defines, before including:
 *
 *   ch_fcntl(fd, cmd, arg), ch_dup2(fd, fd2), ch_close(fd),
 *   ch_execve(path, argv, envp), ch_setsid(), ch_setpgid(pgid),
 *   ch_umask(mask), ch_chdir(dir), ch_setmask(mask)
 *
 * each returning the call's result or -errno, and after it
 * reset_handlers(), the one per-OS step.  Closing what is not kept is
 * the applier's (fdapply.h), the same in both children.
 */
#ifndef NI_SPAWN_CHILD_H
#define NI_SPAWN_CHILD_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>

#include "spawn.h"

/* Caught signals back to SIG_DFL (the child shares or copies the
 * parent's handlers). */
CHILD_CODE static void reset_handlers(void);

/* True if fd is in the sorted keep list. */
CHILD_CODE static bool
kept(const struct spawn_plan *p, int fd)
{
	return fdkeep_has(p->fd.keep, p->fd.nkeep, fd);
}

/*
 * Every descriptor but p->fd.keep goes, by the applier (fdapply.h): with
 * CLOSE_RANGE_CLOEXEC the gaps are only marked, and execve closes them:
 * closing them here first cost ~90 us more per spawn with 10000 open
 * (bench/README.md), the same files being released twice over.  What was
 * refused goes back in the plan, for the parent to cache (spawn.c).
 */
CHILD_CODE static void
close_unkept(struct spawn_plan *p)
{
	struct fdapply a;

	a.keep = p->fd.keep;
	a.nkeep = p->fd.nkeep;
	a.lowfd = 0;
	a.how = FDA_EXEC;
	a.alone = true;
	a.try_close_range = p->fd.try_close_range;
	a.try_cloexec_range = p->fd.try_cloexec_range;
	a.try_walk = p->fd.try_walk;
	a.visit = 0;
	a.ctx = 0;
	a.close_range_refused = a.close_range_worked = false;
	a.cloexec_range_refused = a.cloexec_range_worked = false;
	a.walk_refused = a.walked = false;
	a.stopped = false;
	(void)fdapply(&a);
	if (a.close_range_refused)
		p->fd.close_range_refused = true;
	if (a.cloexec_range_refused)
		p->fd.cloexec_range_refused = true;
}

/* Adds fd to the sorted keep list (which has room for one more). */
CHILD_CODE static void
keep_insert(struct spawn_plan *p, int fd)
{
	size_t i = p->fd.nkeep;

	while (i > 0 && p->fd.keep[i - 1] > fd) {
		p->fd.keep[i] = p->fd.keep[i - 1];
		i--;
	}
	p->fd.keep[i] = fd;
	p->fd.nkeep++;
}

/*
 * A copy of fd on the lowest free descriptor >= 3 that is no target, so
 * that no dup2 below overwrites it: F_DUPFD from 3, and while the result
 * is a target (free now, filled later), again from just above it.
 * Close-on-exec if asked (F_DUPFD_CLOEXEC may be refused; nothing else
 * runs in this process, so two steps are safe).  No room below the soft
 * RLIMIT_NOFILE: -EMFILE (F_DUPFD says EINVAL once start reaches it).
 */
CHILD_CODE static long
dup_free(const struct spawn_plan *p, int fd, bool cloexec)
{
	long r;
	int start = 3;

	for (;;) {
		r = ch_fcntl(fd, F_DUPFD, start);
		if (r < 0)
			return r == -EINVAL ? -EMFILE : r;
		if (!kept(p, (int)r))
			break;
		(void)ch_close((int)r);
		start = (int)r + 1;
	}
	if (cloexec)
		(void)ch_fcntl((int)r, F_SETFD, FD_CLOEXEC);
	return r;
}

/* The descriptor table the program is to get; 0 or -errno. */
CHILD_CODE static long
set_up_fds(struct spawn_plan *p)
{
	size_t i;
	long r;
	int fd;

	/* The parent's end of the report pipe: it might sit on 0-2. */
	if (p->report_rfd >= 0)
		(void)ch_close(p->report_rfd);
	/* The child's end must not sit on a target nor on 0-2. */
	if (p->report_fd >= 0 && kept(p, p->report_fd)) {
		r = dup_free(p, p->report_fd, true);
		if (r < 0)
			return r;
		(void)ch_close(p->report_fd);
		p->report_fd = (int)r;
	}
	if (p->report_fd >= 0)
		keep_insert(p, p->report_fd);
	/* Copy every source that a target would overwrite, once. */
	for (i = 0; i < p->fd.nmoves; i++) {
		struct spawn_move *m = &p->fd.moves[i];

		if (!m->copy || m->src != (int)i)
			continue;
		r = dup_free(p, m->from, false);
		if (r < 0)
			return r;
		m->tmp = (int)r;
	}
	for (i = 0; i < p->fd.nmoves; i++) {
		struct spawn_move *m = &p->fd.moves[i];
		int src = m->copy ? p->fd.moves[m->src].tmp : m->from;

		if (src == m->to)
			r = ch_fcntl(src, F_SETFD, 0);
		else
			r = ch_dup2(src, m->to);
		if (r < 0)
			return r;
	}
	for (i = 0; i < p->fd.nmoves; i++)
		if (p->fd.moves[i].tmp >= 0)
			(void)ch_close(p->fd.moves[i].tmp);
	/* 0, 1 and 2 as the parent has them, but inheritable. */
	for (fd = 0; fd < 3; fd++) {
		bool target = false;

		for (i = 0; i < p->fd.nmoves; i++)
			target = target || p->fd.moves[i].to == fd;
		if (!target && ch_fcntl(fd, F_GETFD, 0) > 0)
			(void)ch_fcntl(fd, F_SETFD, 0);
	}
	if (p->fd.close_fds)
		close_unkept(p);
	return 0;
}

/* execve each path in turn, as execvp does; returns -errno. */
CHILD_CODE static long
exec_paths(const struct spawn_plan *p)
{
	bool eacces = false;
	long r = -ENOENT;
	size_t i;

	for (i = 0; i < p->npaths; i++) {
		r = ch_execve(p->paths[i], p->argv, p->envp);
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
CHILD_CODE static long
child(struct spawn_plan *p, const sigset_t *mask)
{
	long r;

	if (!p->handlers_cleared)
		reset_handlers();
	if (p->setsid && (r = ch_setsid()) < 0)
		return r;
	if (p->pgid >= 0 && (r = ch_setpgid(p->pgid)) < 0)
		return r;
	if (p->has_umask)
		(void)ch_umask(p->umask);
	if (p->cwd != NULL && (r = ch_chdir(p->cwd)) < 0)
		return r;
	if ((r = set_up_fds(p)) < 0)
		return r;
	if ((r = ch_setmask(p->has_mask ? &p->mask : mask)) < 0)
		return r;
	return exec_paths(p);
}

#endif /* NI_SPAWN_CHILD_H */
