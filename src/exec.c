/*
 * exec.c - ni_exec: this process becomes file, with ni_spawn's descriptor
 * plan (the standard streams and the mapped descriptors, nothing else) and
 * the options that mean something for an exec in place: cwd, PATH search,
 * umask, signal mask, setsid, process group.  macOS's posix_spawn has it
 * as POSIX_SPAWN_SETEXEC.  Caught signals need no reset: execve resets
 * them itself, and ignored ones stay ignored.
 *
 * A failed ni_exec leaves this process as it found it, as far as can be:
 * every check, allocation and copy is made before anything changes, and
 * every change is recorded so that a failed execve can undo it.  With
 * every signal blocked and the exclusive side of the either-or lock held
 * (no other thread's half-made descriptor can reach the program):
 *
 *   1. each descriptor a mapping overwrites is copied first (close-on-exec,
 *      above 2 and on no target): the copy is the source of the mappings
 *      that read it, and what a failure puts back;
 *   2. the umask, then the working directory (the old one kept as an
 *      O_PATH descriptor for fchdir);
 *   3. dup2 each source onto its target (inheritable), 0-2 made
 *      inheritable, every other inheritable descriptor marked
 *      close-on-exec (each one noted), by the applier of ni_spawn's
 *      children (fdapply.h) visiting the table;
 *   4. setsid or setpgid: the only steps that cannot be undone;
 *   5. the signal mask; execve each candidate path in turn.
 *
 * On failure the steps are undone in reverse: marks cleared, targets and
 * 0-2 given back their old file and flags (or closed if they were), the
 * directory and umask restored, the copies closed, the mask and lock
 * restored; -1 with the errno of what failed.  Other threads see the
 * table change meanwhile: ni_exec is for a process about to become
 * another program, as execve is.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spawn.h"

extern char **environ;

#ifndef O_PATH
#define O_PATH O_RDONLY
#endif

/* A kept descriptor (0-2 or a target) as it was before. */
struct saved_fd {
	int fd;
	int flags;	/* its FD_ flags, or -1 if it was not open */
	int copy;	/* its file, when a mapping overwrites it; else -1 */
};

struct exec_state {
	struct spawn_plan p;
	const char **paths;
	void *mem;
	int keep3[4];
	int cwdfd;		/* the old working directory, or -1 */
	bool umask_set;
	mode_t old_umask;
	sigset_t old_mask;
	int token;		/* of fdlock_exclusive_enter */
	struct saved_fd *saved;	/* one per kept descriptor */
	int *marked;		/* descriptors made close-on-exec here */
	size_t nmarked, capmarked;
};

/* True if a mapping writes another file onto fd. */
static bool
overwritten(const struct spawn_plan *p, int fd)
{
	size_t i;

	for (i = 0; i < p->fd.nmoves; i++)
		if (p->fd.moves[i].to == fd && p->fd.moves[i].from != fd)
			return true;
	return false;
}

/* A close-on-exec copy of fd on a descriptor >= 3 that is no target. */
static int
copy_fd(const struct spawn_plan *p, int fd)
{
	int start = 3, r;

	for (;;) {
		r = probe_get(P_DUPFD_CLOEXEC) == PROBE_NO ? -1 :
		    fcntl(fd, F_DUPFD_CLOEXEC, start);
		if (r < 0 && (probe_get(P_DUPFD_CLOEXEC) == PROBE_NO ||
		    probe_refused(errno))) {
			/* F_DUPFD_CLOEXEC unknown (Linux < 2.6.24) or refused
			 * by seccomp; the lock is held, so two steps are
			 * safe. */
			r = fcntl(fd, F_DUPFD, start);
			if (r >= 0)
				(void)fcntl(r, F_SETFD, FD_CLOEXEC);
		}
		if (r < 0 && errno == EINVAL)
			errno = EMFILE;	/* start at the soft limit */
		if (r < 0 || !fdkeep_has(p->fd.keep, p->fd.nkeep, r))
			return r;
		close_keep_errno(r);
		start = r + 1;
	}
}

/* Step 1: the state of each kept descriptor, and the copies. */
static int
save_kept(struct exec_state *s)
{
	struct spawn_plan *p = &s->p;
	size_t i;

	s->saved = malloc(p->fd.nkeep * sizeof *s->saved);
	if (s->saved == NULL)
		return -1;
	for (i = 0; i < p->fd.nkeep; i++) {
		s->saved[i].fd = p->fd.keep[i];
		s->saved[i].copy = -1;
		s->saved[i].flags = fcntl(p->fd.keep[i], F_GETFD);
	}
	for (i = 0; i < p->fd.nkeep; i++) {
		struct saved_fd *k = &s->saved[i];

		if (k->flags >= 0 && overwritten(p, k->fd) &&
		    (k->copy = copy_fd(p, k->fd)) < 0)
			return -1;
	}
	return 0;
}

/* The copy of fd made by save_kept, or -1. */
static int
copy_of(const struct exec_state *s, int fd)
{
	size_t i;

	for (i = 0; i < s->p.fd.nkeep; i++)
		if (s->saved[i].fd == fd)
			return s->saved[i].copy;
	return -1;
}

static int
note_marked(struct exec_state *s, int fd)
{
	if (s->nmarked == s->capmarked) {
		size_t cap = s->capmarked ? 2 * s->capmarked : 64;
		int *m = realloc(s->marked, cap * sizeof *m);

		if (m == NULL)
			return -1;
		s->marked = m;
		s->capmarked = cap;
	}
	s->marked[s->nmarked++] = fd;
	return 0;
}

/*
 * The applier's visitor (fdapply.h): marks fd close-on-exec if it is
 * open and inheritable, noting it for restore_fds.  The applier has left
 * out 0-2 and the kept descriptors.
 */
static int
mark_one(void *ctx, int fd)
{
	struct exec_state *s = ctx;
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0 || (fl & FD_CLOEXEC))
		return 0;
	if (note_marked(s, fd) != 0)
		return -1;
	return fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0 ? -1 : 0;
}

/*
 * Every inheritable descriptor that is not kept becomes close-on-exec,
 * each one noted: the applier visits the ones the table walk lists, else
 * every number up to the hard RLIMIT_NOFILE (above a lowered soft one).
 * No close_range here: it could not be undone.
 */
static int
mark_unkept(struct exec_state *s)
{
	struct fdapply a = { 0 };

	a.keep = s->p.fd.keep;
	a.nkeep = s->p.fd.nkeep;
	a.lowfd = 3;
	a.how = FDA_VISIT;
	a.try_walk = s->p.fd.try_walk;
	a.visit = mark_one;
	a.ctx = s;
	return fdapply(&a);
}

/* Step 3: the descriptor table the program is to get. */
static int
set_up_fds(struct exec_state *s)
{
	struct spawn_plan *p = &s->p;
	size_t i;

	for (i = 0; i < p->fd.nmoves; i++) {
		const struct spawn_move *m = &p->fd.moves[i];
		int src = m->copy ? copy_of(s, m->from) : m->from;

		if (src == m->to ? fcntl(src, F_SETFD, 0) < 0 :
		    dup2(src, m->to) < 0)
			return -1;
	}
	for (i = 0; i < 3; i++) {
		const struct saved_fd *k = &s->saved[i];

		/* 0-2 come first in the keep list. */
		if (k->flags > 0 && !overwritten(p, k->fd) &&
		    fcntl(k->fd, F_SETFD, 0) < 0)
			return -1;
	}
	return p->fd.close_fds ? mark_unkept(s) : 0;
}

/* Undoes set_up_fds, as far as it went, and closes the copies. */
static void
restore_fds(struct exec_state *s)
{
	size_t i;

	for (i = s->nmarked; i > 0; i--)
		(void)fcntl(s->marked[i - 1], F_SETFD, 0);
	for (i = 0; s->saved != NULL && i < s->p.fd.nkeep; i++) {
		const struct saved_fd *k = &s->saved[i];

		if (k->copy >= 0) {
			(void)dup2(k->copy, k->fd);
			(void)fcntl(k->fd, F_SETFD, k->flags);
			close_keep_errno(k->copy);
		} else if (k->flags < 0) {
			close_keep_errno(k->fd);	/* a target made here */
		} else {
			(void)fcntl(k->fd, F_SETFD, k->flags);
		}
	}
}

/* execve each path in turn, as execvp does; returns with errno. */
static void
exec_paths(const struct spawn_plan *p)
{
	bool eacces = false;
	int err = ENOENT;
	size_t i;

	for (i = 0; i < p->npaths; i++) {
		(void)execve(p->paths[i], (char *const *)p->argv,
		    (char *const *)p->envp);
		err = errno;
		switch (err) {
		case EACCES:
			eacces = true;
			/* FALLTHROUGH */
		case ENOENT:
		case ENOTDIR:
		case ESTALE:
		case ENODEV:
		case ETIMEDOUT:
		case ENAMETOOLONG:
			continue;
		default:
			errno = err;
			return;
		}
	}
	errno = eacces ? EACCES : err;
}

/* Everything that can fail before a change: 0, or -1 with errno. */
static int
prepare(struct exec_state *s, const char *file, char *const argv[],
    char *const envp[], const ni_spawn_opts *o)
{
	struct spawn_plan *p = &s->p;

	if (file == NULL || argv == NULL) {
		errno = EINVAL;
		return -1;
	}
	p->argv = argv;
	p->envp = envp != NULL ? envp : environ;
	s->paths = spawn_paths(file, o->c.search, p->envp, envp == NULL,
	    &p->npaths);
	if (s->paths == NULL)
		return -1;
	p->paths = s->paths;
	if (fdplan_build(&p->fd, &o->c, s->keep3, &s->mem) != 0)
		return -1;
	if (o->c.cwd != NULL) {
		s->cwdfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (s->cwdfd < 0)
			return -1;
	}
	return 0;
}

/* Steps 1-5; returns only on failure, with what it changed undone. */
static void
change_and_exec(struct exec_state *s, const ni_spawn_opts *o)
{
	sigset_t all;
	int err;

	if (save_kept(s) != 0)
		return;
	if (o->has_umask) {
		s->old_umask = umask(o->umask);
		s->umask_set = true;
	}
	if (o->c.cwd != NULL && chdir(o->c.cwd) != 0)
		return;
	if (set_up_fds(s) != 0)
		return;
	if (o->setsid ? setsid() < 0 :
	    o->pgid >= 0 && setpgid(0, o->pgid) != 0)
		return;
	(void)pthread_sigmask(SIG_SETMASK,
	    o->has_sigmask ? &o->sigmask : &s->old_mask, NULL);
	exec_paths(&s->p);
	err = errno;
	sigfillset(&all);
	(void)pthread_sigmask(SIG_SETMASK, &all, NULL);
	errno = err;
}

NI_API int
ni_exec(const char *file, char *const argv[], char *const envp[],
    const ni_spawn_opts *o)
{
	struct exec_state s;
	sigset_t all;
	int err;

	if (o == NULL)
		o = &ni__spawn_defaults;
	memset(&s, 0, sizeof s);
	s.cwdfd = -1;
	if (prepare(&s, file, argv, envp, o) == 0) {
		sigfillset(&all);
		(void)pthread_sigmask(SIG_SETMASK, &all, &s.old_mask);
		s.token = fdlock_exclusive_enter();
		change_and_exec(&s, o);
		err = errno;
		restore_fds(&s);
		if (s.cwdfd >= 0 && o->c.cwd != NULL)
			(void)fchdir(s.cwdfd);
		if (s.umask_set)
			(void)umask(s.old_umask);
		fdlock_exclusive_leave(s.token);
		(void)pthread_sigmask(SIG_SETMASK, &s.old_mask, NULL);
	} else {
		err = errno;
	}
	if (s.cwdfd >= 0)
		close_keep_errno(s.cwdfd);
	free(s.saved);
	free(s.marked);
	free(s.mem);
	free(s.paths);
	errno = err;
	return -1;
}
