/*
 * enforce.c - what enforce gives back at exec (issue #12), and what it
 * needs to know for that.
 *
 * enforce makes every descriptor close-on-exec when it is made.  Some of
 * them a program means for its child: it names them in the child's
 * arguments or environment (dpkg --status-fd 5, LISTEN_FDS, NGINX=5;6;,
 * make's --jobserver-auth=3,4: fdnames.c), or they carry a lock the
 * program holds (flock --no-fork: the lock must outlive the exec).  At
 * exec, exactly those cross as they would without the shim -- and only if
 * the shim itself made them close-on-exec: the rule can only give back the
 * unmodified program's behaviour, never more inheritance.
 *
 * So the shim remembers, per fd number below SHIM_BITS_FDS, two flags in
 * a byte:
 *   forced  the shim added close-on-exec to the call that made it;
 *   locked  the program took a lock through it (flock, lockf, fcntl).
 * Both are cleared when the number is closed (close, fclose, pclose,
 * close_range, closefrom), replaced (dup2, dup3) or made again by a call
 * that did not need the shim's flag; forced is cleared when the program
 * sets the flags itself (fcntl(F_SETFD), ioctl(FIOCLEX/FIONCLEX)).  Plain
 * byte stores in a static array: nothing read from /proc, no system call,
 * no locked instruction on any creation or close.  A fork child inherits
 * the array with the descriptors; an exec starts with an empty one, like
 * the descriptors
 * present at a program's start, which the shim never touches.
 *
 * Giving back:
 *   - exec* (this process becomes the new program, possibly a vfork
 *     child, whose descriptor table is its own): the flag is cleared just
 *     before the real call and set again if it fails;
 *   - posix_spawn, system, popen (glibc starts the child through internal
 *     calls no hook sees, and no public file action can go first): cleared
 *     in the parent across the call and set again after.  Another thread's
 *     fork meanwhile gets these descriptors too -- exactly what it would
 *     have got without the shim, where they were inheritable all along.
 *     Concurrent spawns count their users per fd, under a short spin lock
 *     taken only for the flag changes; the last one sets the flag back.
 */
#include "shim.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fdnames.h"
#include "sys.h"

unsigned char shim_fdflags[SHIM_BITS_FDS];
int shim_fd_hiwater;

/* A number above every one marked so far: scans stop there. */
void
shim_hiwater_raise(int fd)
{
	int cur = __atomic_load_n(&shim_fd_hiwater, __ATOMIC_RELAXED);

	while (fd >= cur && !__atomic_compare_exchange_n(&shim_fd_hiwater,
	    &cur, fd + 1, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* ------------------------------------------------------------------ */
/* which descriptors to give back                                      */
/* ------------------------------------------------------------------ */

static bool
flag_get(int fd, int flag)
{
	return fd >= 0 && fd < SHIM_BITS_FDS &&
	    (__atomic_load_n(&shim_fdflags[fd], __ATOMIC_RELAXED) & flag) != 0;
}

static bool
is_cloexec(int fd)
{
	int fl = sys_fcntl(fd, F_GETFD, 0);

	return fl >= 0 && (fl & FD_CLOEXEC) != 0;
}

static void
add_fd(struct shim_giveback *g, int fd)
{
	for (int i = 0; i < g->n; i++)
		if (g->fds[i] == fd)
			return;
	if (g->n < SHIM_GIVEBACK_MAX)
		g->fds[g->n++] = fd;
}

/*
 * The descriptors this exec should pass on: named by argv/envp, or
 * carrying a lock, that the shim made close-on-exec and still are.
 * Async-signal-safe (vfork child): the stack, the bitmaps, raw fcntl.
 */
void
shim_giveback_find(struct shim_giveback *g, char *const argv[],
    char *const envp[], long self)
{
	struct fdname names[SHIM_GIVEBACK_MAX];
	size_t n;
	int i, hi = __atomic_load_n(&shim_fd_hiwater, __ATOMIC_RELAXED);

	g->n = 0;
	for (i = 3; i < hi && i < SHIM_BITS_FDS; i++)
		if (__atomic_load_n(&shim_fdflags[i], __ATOMIC_RELAXED) &
		    SHIM_F_FORCED)
			break;
	if (i >= hi || i >= SHIM_BITS_FDS)
		return;		/* nothing forced now: nothing to look for */
	n = fdnames_scan(argv, envp, self, names, SHIM_GIVEBACK_MAX);
	if (n > SHIM_GIVEBACK_MAX)
		n = SHIM_GIVEBACK_MAX;
	for (size_t i = 0; i < n; i++)
		if (flag_get(names[i].fd, SHIM_F_FORCED))
			add_fd(g, names[i].fd);
	for (int fd = 3; fd < hi && fd < SHIM_BITS_FDS; fd++)
		if (__atomic_load_n(&shim_fdflags[fd], __ATOMIC_RELAXED) ==
		    (SHIM_F_FORCED | SHIM_F_LOCKED))
			add_fd(g, fd);
	/* Only those still close-on-exec: the rest cross anyway. */
	for (int i = 0; i < g->n; i++)
		if (!is_cloexec(g->fds[i]))
			g->fds[i--] = g->fds[--g->n];
}

/*
 * fexecve, and execveat with AT_EMPTY_PATH, of a script: the kernel hands
 * the interpreter /dev/fd/N, which must then cross (without the shim it
 * would).  An ELF image needs no descriptor and gets none.
 */
void
shim_giveback_exec_fd(struct shim_giveback *g, int fd)
{
	char head[2];

	if (flag_get(fd, SHIM_F_FORCED) && is_cloexec(fd) &&
	    syscall(SYS_pread64, fd, head, 2, 0) == 2 && head[0] == '#' &&
	    head[1] == '!')
		add_fd(g, fd);
}

/* exec* in this process: clear now, set again if the exec fails. */
void
shim_giveback_exec(const struct shim_giveback *g)
{
	for (int i = 0; i < g->n; i++)
		sys_fcntl(g->fds[i], F_SETFD, 0);
}

void
shim_giveback_exec_failed(const struct shim_giveback *g)
{
	for (int i = 0; i < g->n; i++)
		if (flag_get(g->fds[i], SHIM_F_FORCED))
			sys_fcntl(g->fds[i], F_SETFD, FD_CLOEXEC);
}

/* ------------------------------------------------------------------ */
/* spawns: cleared in the parent across the call                       */
/* ------------------------------------------------------------------ */

static int spin;			/* the flag changes below */
static unsigned short users[SHIM_BITS_FDS];	/* spawns giving it back */
static uint64_t cleared[SHIM_BITS_FDS / 64];	/* ... and we cleared it */
static int users_any;

static void
spin_lock(void)
{
	int expected = 0;

	while (!__atomic_compare_exchange_n(&spin, &expected, 1, false,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		expected = 0;
		sched_yield();
	}
}

static void
spin_unlock(void)
{
	__atomic_store_n(&spin, 0, __ATOMIC_RELEASE);
}

void
shim_giveback_spawn_enter(const struct shim_giveback *g)
{
	if (g->n == 0)
		return;
	spin_lock();
	users_any++;
	for (int i = 0; i < g->n; i++) {
		int fd = g->fds[i];

		if (users[fd]++ == 0 && is_cloexec(fd) &&
		    sys_fcntl(fd, F_SETFD, 0) == 0)
			cleared[fd / 64] |= UINT64_C(1) << (fd % 64);
	}
	spin_unlock();
}

void
shim_giveback_spawn_leave(const struct shim_giveback *g)
{
	if (g->n == 0)
		return;
	spin_lock();
	users_any--;
	for (int i = 0; i < g->n; i++) {
		int fd = g->fds[i];
		uint64_t bit = UINT64_C(1) << (fd % 64);

		if (--users[fd] != 0 || !(cleared[fd / 64] & bit))
			continue;
		cleared[fd / 64] &= ~bit;
		/* Not if the program set the flags meanwhile, or closed it. */
		if (flag_get(fd, SHIM_F_FORCED))
			sys_fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	spin_unlock();
}

/*
 * In a fork child: only the forking thread exists, so no spawn is under
 * way here.  What another thread had given back for its spawn is taken
 * back in this child (its spawn is the parent's business).
 */
void
shim_giveback_after_fork(void)
{
	__atomic_store_n(&spin, 0, __ATOMIC_RELAXED);
	if (users_any == 0)
		return;
	for (int w = 0; w < SHIM_BITS_FDS / 64; w++) {
		uint64_t bits = cleared[w];

		while (bits != 0) {
			int b = __builtin_ctzll(bits);

			bits &= bits - 1;
			if (flag_get(w * 64 + b, SHIM_F_FORCED))
				sys_fcntl(w * 64 + b, F_SETFD, FD_CLOEXEC);
		}
		cleared[w] = 0;
	}
	memset(users, 0, sizeof(users));
	users_any = 0;
}

/* ------------------------------------------------------------------ */
/* closes and locks                                                    */
/* ------------------------------------------------------------------ */

/* [lo, hi] closed or replaced: neither flag holds any more.  A load
 * first: most numbers have none. */
void
shim_bits_forget(unsigned lo, unsigned hi)
{
	unsigned top = (unsigned)__atomic_load_n(&shim_fd_hiwater,
	    __ATOMIC_RELAXED);

	if (hi >= top)
		hi = top - 1;		/* nothing marked above */
	if (top == 0 || lo > hi)
		return;
	for (unsigned fd = lo; fd <= hi; fd++)
		if (__atomic_load_n(&shim_fdflags[fd], __ATOMIC_RELAXED))
			__atomic_store_n(&shim_fdflags[fd], 0,
			    __ATOMIC_RELAXED);
}

HOOK int
close(int fd)
{
	int m = shim_mode();
	NEXT(close, -1);

	if (m == SHIM_ENFORCE && fd > 2)
		shim_bits_forget((unsigned)fd, (unsigned)fd);
	return next(fd);
}

HOOK int
fclose(FILE *fp)
{
	int m = shim_mode();
	NEXT(fclose, EOF);

	if (m == SHIM_ENFORCE && fp != NULL) {
		int saved = errno, fd = fileno(fp);

		errno = saved;
		if (fd > 2)
			shim_bits_forget((unsigned)fd, (unsigned)fd);
	}
	return next(fp);
}

HOOK int
pclose(FILE *fp)
{
	int m = shim_mode();
	NEXT(pclose, -1);

	if (m == SHIM_ENFORCE && fp != NULL) {
		int saved = errno, fd = fileno(fp);

		errno = saved;
		if (fd > 2)
			shim_bits_forget((unsigned)fd, (unsigned)fd);
	}
	return next(fp);
}

#if __GLIBC_PREREQ(2, 34)	/* close_range's and closefrom's wrappers */
HOOK int
close_range(unsigned lo, unsigned hi, int flags)
{
	int m = shim_mode(), r;
	NEXT(close_range, -1);

	r = next(lo, hi, flags);
	/* Closed, or (CLOSE_RANGE_CLOEXEC) flagged by the program itself. */
	if (r == 0 && m == SHIM_ENFORCE && hi >= 3)
		shim_bits_forget(lo < 3 ? 3 : lo, hi);
	return r;
}

HOOK void
closefrom(int lo)
{
	int m = shim_mode();
	void (*next)(int) = (void (*)(int))shim_real_fn(R_closefrom);

	if (m == SHIM_ENFORCE && lo >= 0)
		shim_bits_forget(lo < 3 ? 3 : (unsigned)lo, ~0u);
	if (next != NULL)
		next(lo);
}
#endif

static void
locked_set(int fd, bool on)
{
	if (fd < 0 || fd >= SHIM_BITS_FDS)
		return;
	if (on)
		__atomic_fetch_or(&shim_fdflags[fd], SHIM_F_LOCKED,
		    __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&shim_fdflags[fd],
		    (unsigned char)~SHIM_F_LOCKED, __ATOMIC_RELAXED);
}

HOOK int
flock(int fd, int op)
{
	int m = shim_mode(), r;
	NEXT(flock, -1);

	r = next(fd, op);
	if (r == 0 && m == SHIM_ENFORCE)
		locked_set(fd, (op & LOCK_UN) == 0);
	return r;
}

/* lockf's F_ULOCK may leave other ranges locked: the bit stays. */
HOOK int
lockf(int fd, int cmd, off_t len)
{
	int m = shim_mode(), r;
	NEXT(lockf, -1);

	r = next(fd, cmd, len);
	if (r == 0 && m == SHIM_ENFORCE && (cmd == F_LOCK || cmd == F_TLOCK))
		locked_set(fd, true);
	return r;
}

HOOK int
lockf64(int fd, int cmd, off64_t len)
{
	int m = shim_mode(), r;
	NEXT(lockf64, -1);

	r = next(fd, cmd, len);
	if (r == 0 && m == SHIM_ENFORCE && (cmd == F_LOCK || cmd == F_TLOCK))
		locked_set(fd, true);
	return r;
}

/*
 * fcntl's record locks (POSIX and OFD): a lock taken sets the bit; only an
 * unlock of the whole file clears it (a partial one may leave some).
 */
void
shim_fcntl_lock(int fd, int cmd, const void *arg)
{
	const struct flock *fl = arg;

	if (fl == NULL)
		return;
	switch (cmd) {
	case F_SETLK:
	case F_SETLKW:
#ifdef F_OFD_SETLK
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
#endif
		if (fl->l_type != F_UNLCK)
			locked_set(fd, true);
		else if (fl->l_whence == SEEK_SET && fl->l_start == 0 &&
		    fl->l_len == 0)
			locked_set(fd, false);
		break;
	default:
		break;
	}
}
