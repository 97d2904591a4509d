/*
 * shim.h - what the parts of libnoinherit-preload.so share.
 *
 * The shim is loaded into other people's processes, so every rule below is
 * about not disturbing them:
 *   - Each hook forwards to the next definition of its symbol
 *     (dlsym(RTLD_NEXT)), resolved for every hook in the constructor, and on
 *     the spot for a hook called before it (from another library's
 *     constructor).  Another preload ahead of or behind this one still runs.
 *   - errno: a hook returns with the errno its real call left; the shim's
 *     own work saves and restores it (shim_busy_enter/leave).
 *   - Re-entry: shim_busy, per thread, is set while the shim does its own
 *     work (backtrace() may open files, dladdr may take the loader lock);
 *     a hook called meanwhile -- from inside the shim, or from a signal
 *     handler that interrupted it -- is a plain forwarder.  It is never set
 *     across a real call: an exec from a vfork child must leave it clear
 *     for the parent, which shares the child's memory.
 *   - Nothing on a hook's path allocates or locks, except backtrace() and
 *     dladdr() in trace mode (see README.md, "Limits").
 */
#ifndef NI_PRELOAD_SHIM_H
#define NI_PRELOAD_SHIM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* The hooks are definitions of the very functions these headers declare:
 * no fortify inlines, no open -> open64 redirection. */
#undef _FORTIFY_SOURCE
#undef _FILE_OFFSET_BITS
#undef _TIME_BITS

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The hooked symbols are the only ones the shim exports. */
#define HOOK __attribute__((visibility("default")))

/*
 * Helpers a hook expands in its own body, so that SHIM_HOOK_FRAME() is the
 * hook's frame: trace mode's backtrace cache (table.c) finds the hook's
 * return address just above it.
 */
#define SHIM_INLINE static inline __attribute__((always_inline))
#define SHIM_HOOK_FRAME() __builtin_frame_address(0)

enum shim_mode {
	SHIM_OFF = 0,		/* NOINHERIT_MODE unset or unknown; re-entry */
	SHIM_TRACE = 1,
	SHIM_ENFORCE = 2,
};

/*
 * Every function the shim forwards to.  REAL(name) is the next definition
 * after the shim, or NULL when there is none.
 */
#define SHIM_REALS(X) \
	X(open) X(open64) X(openat) X(openat64) \
	X(__open_2) X(__open64_2) X(__openat_2) X(__openat64_2) \
	X(creat) X(creat64) \
	X(fopen) X(fopen64) X(freopen) X(freopen64) X(tmpfile) X(tmpfile64) \
	X(mkstemp) X(mkstemp64) X(mkostemp) X(mkostemp64) \
	X(mkstemps) X(mkstemps64) X(mkostemps) X(mkostemps64) \
	X(socket) X(socketpair) X(accept) X(accept4) X(recvmsg) X(recvmmsg) \
	X(pipe) X(pipe2) X(dup) X(dup2) X(dup3) X(fcntl) X(fcntl64) X(ioctl) \
	X(epoll_create) X(epoll_create1) X(eventfd) X(signalfd) \
	X(timerfd_create) X(inotify_init) X(inotify_init1) X(memfd_create) \
	X(fanotify_init) X(open_by_handle_at) \
	X(posix_openpt) X(getpt) X(openpty) X(forkpty) \
	X(execve) X(execv) X(execvp) X(execvpe) X(fexecve) X(execveat) \
	X(posix_spawn) X(posix_spawnp) X(system) X(popen) \
	X(close) X(fclose) X(pclose) X(close_range) X(closefrom) \
	X(flock) X(lockf) X(lockf64) X(fork)

enum shim_real {
#define SHIM_ENUM(n) R_##n,
	SHIM_REALS(SHIM_ENUM)
#undef SHIM_ENUM
	R_COUNT
};

extern void *shim_real[R_COUNT];
void *shim_resolve(int which);
const char *shim_exe(void);

static inline void *
shim_real_fn(int which)
{
	void *fn = __atomic_load_n(&shim_real[which], __ATOMIC_RELAXED);

	return fn != NULL ? fn : shim_resolve(which);
}

/* Declares `next`, the real NAME; a missing one fails with ENOSYS. */
#define NEXT(name, fail) \
	__typeof__(&name) next = (__typeof__(&name))shim_real_fn(R_##name); \
	if (next == NULL) { \
		errno = ENOSYS; \
		return fail; \
	}

/*
 * What the constructor read once, and what trace mode keeps open.  What
 * every process writes at start-up comes first, so that it shares a page
 * with shim_real and .data (which the loader has written already): each
 * further page written costs a page fault per process.
 */
struct shim_state {
	int state;		/* 0 not started, 1 running, 2 done */
	int mode;		/* the process's mode: exempt enforce is OFF */
	bool exempt;		/* enforce asked for, this program exempt */
	pid_t pid;		/* trace: for made_pid; refreshed after fork */
	char **ctor_argv;	/* the constructor's argv (no /proc) */
	uintptr_t self_lo, self_hi;	/* the shim's own mapped code */
	uintptr_t main_base;		/* dli_fbase of the main program */
	/* What the shim needs in every exec's environment (reinject.c):
	 * empty when absent at the start. */
	bool reinject;			/* NOINHERIT_MODE trace or enforce */
	char env_mode[16];
	char env_starts[16];		/* trace: "kernel" under ptrace */
	char env_root[24];
	char env_self[1024];		/* this library's LD_PRELOAD entry */
	char env_notes[1024];		/* enforce: reach.c's markers */
	char env_log[1024];
	char log_path[1024];		/* NOINHERIT_LOG: "@NAME" */
	char env_exempt[1024];
	char exe[1024];			/* readlink /proc/self/exe */
	size_t cmdline_len;
	char cmdline[2048];		/* /proc/self/cmdline, cut */
};

extern struct shim_state shim_g;
extern __thread int shim_busy __attribute__((tls_model("initial-exec")));

void shim_init(void);

/* The mode for this call: OFF while the shim itself is at work. */
static inline int
shim_mode(void)
{
	if (__builtin_expect(
	    __atomic_load_n(&shim_g.state, __ATOMIC_ACQUIRE) != 2, 0))
		shim_init();
	if (shim_busy)
		return SHIM_OFF;
	return shim_g.mode;
}

/* Brackets the shim's own work in a hook: re-entry off, errno kept. */
static inline int
shim_busy_enter(void)
{
	shim_busy = 1;
	return errno;
}

static inline void
shim_busy_leave(int saved_errno)
{
	shim_busy = 0;
	errno = saved_errno;
}

/* table.c: where each descriptor was made (trace mode). */
#define SHIM_TABLE_FDS 65536
#define SHIM_FRAMES 12

struct shim_origin {
	const char *made_by;	/* a string literal of the shim */
	const char *inh_by;	/* "F_SETFD", "FIONCLEX": made inheritable
				 * explicitly after its creation, or NULL */
	pid_t made_pid;
	bool stamped;		/* dev/ino taken when it became inheritable */
	dev_t dev;
	ino_t ino;
	int nframes;
	void *frames[SHIM_FRAMES];
};

void shim_unwind_init(void);
void shim_record(const int *fds, int n, const char *made_by, bool cloexec,
    void *hook_frame);
void shim_stamp(int fd, const char *how, void *hook_frame);
bool shim_origin_get(int fd, const struct stat *st, struct shim_origin *o);

/*
 * enforce.c: per fd number, whether the shim made it close-on-exec
 * (forced) and whether the program locked a file through it (locked);
 * what an exec gives back (README.md, "Giving back at exec").  One byte
 * per number: the hot paths (every creation, every close) are plain byte
 * loads and stores, no read-modify-write shared with other numbers.
 */
#define SHIM_BITS_FDS 65536
#define SHIM_GIVEBACK_MAX 256
#define SHIM_F_FORCED 1
#define SHIM_F_LOCKED 2

extern unsigned char shim_fdflags[SHIM_BITS_FDS];
extern int shim_fd_hiwater;	/* above every number ever forced */

struct shim_giveback {
	int n;
	int fds[SHIM_GIVEBACK_MAX];
};

void shim_hiwater_raise(int fd);
void shim_bits_forget(unsigned lo, unsigned hi);
void shim_fcntl_lock(int fd, int cmd, const void *arg);
void shim_giveback_find(struct shim_giveback *g, char *const argv[],
    char *const envp[], long self);
void shim_giveback_exec_fd(struct shim_giveback *g, int fd);
void shim_giveback_exec(const struct shim_giveback *g);
void shim_giveback_exec_failed(const struct shim_giveback *g);
void shim_giveback_spawn_enter(const struct shim_giveback *g);
void shim_giveback_spawn_leave(const struct shim_giveback *g);
void shim_giveback_after_fork(void);

/* A descriptor made at fd: forced if ours; a new file, so not locked. */
SHIM_INLINE void
shim_note_made(int fd, bool ours)
{
	if (fd <= 2 || fd >= SHIM_BITS_FDS)
		return;
	if (ours) {
		__atomic_store_n(&shim_fdflags[fd], SHIM_F_FORCED,
		    __ATOMIC_RELAXED);
		if (fd >= __atomic_load_n(&shim_fd_hiwater, __ATOMIC_RELAXED))
			shim_hiwater_raise(fd);
	} else if (__atomic_load_n(&shim_fdflags[fd], __ATOMIC_RELAXED)) {
		__atomic_store_n(&shim_fdflags[fd], 0, __ATOMIC_RELAXED);
	}
}

/* The program set fd's flags itself: they are its own from now on. */
SHIM_INLINE void
shim_note_flags_set(int fd)
{
	if (fd <= 2 || fd >= SHIM_BITS_FDS)
		return;
	if (__atomic_load_n(&shim_fdflags[fd], __ATOMIC_RELAXED) &
	    SHIM_F_FORCED)
		__atomic_fetch_and(&shim_fdflags[fd],
		    (unsigned char)~SHIM_F_FORCED, __ATOMIC_RELAXED);
}

/*
 * fallback.c: where a close-on-exec form is refused, the plain call, then
 * the flag, under the either-or lock (the library's, src/fdlock.c).
 */
enum shim_probe {
	SHIM_P_PIPE2, SHIM_P_DUPFD, SHIM_P_SOCKET, SHIM_P_SOCKETPAIR,
	SHIM_P_ACCEPT4, SHIM_P_EPOLL, SHIM_P_EVENTFD, SHIM_P_SIGNALFD,
	SHIM_P_TIMERFD, SHIM_P_INOTIFY, SHIM_P_MEMFD, SHIM_P_FANOTIFY,
	SHIM_P_RECVMSG, SHIM_P_POPEN, SHIM_P_DUP3, SHIM_PROBE_COUNT
};

void shim_fdlock_shared_enter(void);
void shim_fdlock_shared_leave(void);
int shim_fdlock_exclusive_enter(void);
void shim_fdlock_exclusive_leave(int token);
bool shim_probe_try(int p);
bool shim_probe_fallback(int p, int r);
void shim_probe_refused(int p);
void shim_set_cloexec(int fd);
bool shim_dup3_cloexec_works(void);

/*
 * One fd from ATOMIC (the call with the shim's flag), else, when that is
 * refused, from PLAIN with the flag set after it, under the lock.  errno
 * is the program's on success.
 */
#define SHIM_CREATE(p, atomic, plain) __extension__ ({ \
	int fd_ = -1, saved_ = errno; \
	bool fb_ = true; \
	if (shim_probe_try(p)) { \
		fd_ = (atomic); \
		fb_ = shim_probe_fallback(p, fd_); \
	} \
	if (fb_) { \
		errno = saved_; \
		shim_fdlock_shared_enter(); \
		fd_ = (plain); \
		if (fd_ >= 0) { \
			shim_set_cloexec(fd_); \
			shim_probe_refused(p); \
		} \
		shim_fdlock_shared_leave(); \
	} \
	fd_; \
})


/* After a successful creation of fd by made_by, in mode m. */
void shim_std_inheritable(int fd);

SHIM_INLINE int
shim_made(int m, int fd, const char *made_by, bool ours, bool asked)
{
	if (fd < 0)
		return fd;
	if (m == SHIM_ENFORCE) {
		if (ours && fd <= 2)
			shim_std_inheritable(fd);
		else
			shim_note_made(fd, ours);
	} else if (m == SHIM_TRACE) {
		shim_record(&fd, 1, made_by, asked, SHIM_HOOK_FRAME());
	}
	return fd;
}

SHIM_INLINE void
shim_made2(int m, const int fds[2], const char *made_by, bool ours,
    bool asked)
{
	if (m == SHIM_ENFORCE) {
		for (int i = 0; i < 2; i++) {
			if (ours && fds[i] <= 2)
				shim_std_inheritable(fds[i]);
			else
				shim_note_made(fds[i], ours);
		}
	} else if (m == SHIM_TRACE) {
		shim_record(fds, 2, made_by, asked, SHIM_HOOK_FRAME());
	}
}

/* Same for a stdio stream. */
SHIM_INLINE FILE *
shim_made_stream(int m, FILE *fp, const char *made_by, bool ours, bool asked)
{
	int saved, fd;

	if (fp == NULL || m == SHIM_OFF)
		return fp;
	saved = errno;
	fd = fileno(fp);
	errno = saved;
	shim_made(m, fd, made_by, ours, asked);
	return fp;
}

/* Whether a fopen/popen mode string asks for close-on-exec ("e"). */
bool shim_mode_has_e(const char *mode, size_t scan);

/* reinject.c: the environment an exec passes on, the shim put back. */
/* The NOINHERIT_ variables put back (reinject.c's saved_vars), and the
 * room a fixed environment needs beyond the program's: LD_PRELOAD, each
 * variable, the terminating NULL. */
#define SHIM_ENV_NVARS 6
#define SHIM_ENV_EXTRA (SHIM_ENV_NVARS + 2)

struct shim_envfix {
	char preload[4096];
	char vars[SHIM_ENV_NVARS][1100];
};

size_t shim_env_count(char *const envp[]);
char *const *shim_env_fix(char *const envp[], char **vec,
    struct shim_envfix *b);

/* reach.c: a note for a target the shim cannot follow (enforce). */
void shim_reach_check(const char *path, bool search);

/* log.c: the records of FORMAT.md. */
int shim_log_open(bool probe);
void shim_start_record(void);
void shim_exec_record(const char *call, const char *target,
    char *const argv[]);
void shim_spawn_failed_record(const char *call);
void shim_proc_fd_path(char out[32], int fd);	/* "/proc/self/fd/N" */

/* seccomp.c: whether the channel's calls cannot kill this process. */
bool shim_chan_safe(void);

#endif
