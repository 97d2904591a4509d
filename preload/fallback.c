/*
 * fallback.c - enforce where the close-on-exec forms are refused (issue
 * #12): a seccomp profile or an old kernel answers pipe2(O_CLOEXEC),
 * socket(SOCK_CLOEXEC), F_DUPFD_CLOEXEC, epoll_create1(EPOLL_CLOEXEC)...
 * with ENOSYS, EINVAL, EPERM or EOPNOTSUPP.  The shim added that flag, so
 * the program's own call would have worked: the shim makes the plain call
 * and then sets the flag, as libnoinherit does (src/fdlock.c, probe.c).
 *
 * Between the two steps the new descriptor is inheritable: a fork in that
 * moment would pass it on.  So the same either-or lock as the library's:
 * fallback creators hold its shared side across create-then-set; the fork
 * hook, and posix_spawn, system and popen, hold the exclusive side across
 * the start of the child.  Until a fallback has run, spawners only count
 * themselves and creators never touch it (the Dekker pattern, sequentially
 * consistent atomics).  vfork cannot be hooked (a wrapper's frame would be
 * the child's), nor can a raw clone: a child started that way in that
 * moment still gets the descriptor.
 *
 * Each kind of call remembers its answer as the library's probes do: once
 * the flag has worked, its errors are real ones (no second call); once
 * the plain call has succeeded after a refusal, the flag is not tried again.
 */
#include "shim.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "sys.h"

static int active;	/* 1 once any fallback has run; never cleared */
static int readers;	/* creators inside create-then-set */
static int writer;	/* 1 while a spawn holds the lock */
static int lockless;	/* spawns under way that saw !active */

static unsigned char probes[SHIM_PROBE_COUNT];

enum { TOKEN_LOCKLESS = 1, TOKEN_LOCKED = 2 };

#define LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)

/*
 * The thread holding the exclusive side (a fork hook running the
 * program's pthread_atfork handlers, which may create descriptors) must
 * not wait for itself: no other thread can fork meanwhile anyway.
 */
static __thread int held_exclusive __attribute__((tls_model("initial-exec")));
static __thread int skipped __attribute__((tls_model("initial-exec")));

void
shim_fdlock_shared_enter(void)
{
	if (held_exclusive) {
		skipped++;
		return;
	}
	STORE(&active, 1);
	while (LOAD(&lockless) > 0)
		sched_yield();
	for (;;) {
		while (LOAD(&writer))
			sched_yield();
		ADD(&readers, 1);
		if (!LOAD(&writer))
			return;
		ADD(&readers, -1);
	}
}

void
shim_fdlock_shared_leave(void)
{
	if (skipped > 0) {
		skipped--;
		return;
	}
	ADD(&readers, -1);
}

int
shim_fdlock_exclusive_enter(void)
{
	int expected;

	ADD(&lockless, 1);
	if (!LOAD(&active))
		return TOKEN_LOCKLESS;
	ADD(&lockless, -1);
	for (;;) {
		expected = 0;
		if (__atomic_compare_exchange_n(&writer, &expected, 1, false,
		    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
		sched_yield();
	}
	while (LOAD(&readers) > 0)
		sched_yield();
	return TOKEN_LOCKED;
}

void
shim_fdlock_exclusive_leave(int token)
{
	if (token == TOKEN_LOCKLESS)
		ADD(&lockless, -1);
	else
		STORE(&writer, 0);
}

/* After fork only the calling thread exists: nobody holds anything. */
static void
fdlock_after_fork(void)
{
	STORE(&readers, 0);
	STORE(&writer, 0);
	STORE(&lockless, 0);
}

/* ------------------------------------------------------------------ */
/* probes                                                              */
/* ------------------------------------------------------------------ */

enum { PROBE_UNKNOWN = 0, PROBE_YES = 1, PROBE_NO = 2 };

bool
shim_probe_try(int p)
{
	return __atomic_load_n(&probes[p], __ATOMIC_RELAXED) != PROBE_NO;
}

/* After the flagged form returned r (errno as it left it): whether to
 * fall back to the plain form. */
bool
shim_probe_fallback(int p, int r)
{
	int e = errno;

	if (r >= 0) {
		if (__atomic_load_n(&probes[p], __ATOMIC_RELAXED) !=
		    PROBE_YES)
			__atomic_store_n(&probes[p], PROBE_YES,
			    __ATOMIC_RELAXED);
		return false;
	}
	if (__atomic_load_n(&probes[p], __ATOMIC_RELAXED) == PROBE_YES)
		return false;
	return e == ENOSYS || e == EINVAL || e == EPERM || e == EOPNOTSUPP;
}

/* The plain form succeeded after a refusal: the refusal is confirmed. */
void
shim_probe_refused(int p)
{
	__atomic_store_n(&probes[p], PROBE_NO, __ATOMIC_RELAXED);
}

void
shim_set_cloexec(int fd)
{
	int saved = errno;

	sys_fcntl(fd, F_SETFD, FD_CLOEXEC);
	errno = saved;
}

/*
 * glibc's freopen moves the new file onto the stream's number with
 * dup3(O_CLOEXEC) when the mode has "e", and a failure there closes the
 * stream for good: no retrying.  So whether dup3 takes the flag is asked
 * once, on two descriptors of the shim's own.
 */
bool
shim_dup3_cloexec_works(void)
{
	int st = __atomic_load_n(&probes[SHIM_P_DUP3], __ATOMIC_RELAXED);
	int saved = errno, a, b, r, e;

	if (st != PROBE_UNKNOWN)
		return st == PROBE_YES;
	a = sys_open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	b = sys_open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (a < 0 || b < 0) {
		st = PROBE_UNKNOWN;	/* cannot tell: try the flag */
	} else {
		r = (int)syscall(SYS_dup3, a, b, O_CLOEXEC);
		e = errno;
		st = r >= 0 || !(e == ENOSYS || e == EINVAL || e == EPERM ||
		    e == EOPNOTSUPP) ? PROBE_YES : PROBE_NO;
		__atomic_store_n(&probes[SHIM_P_DUP3], st, __ATOMIC_RELAXED);
	}
	if (a >= 0)
		sys_close(a);
	if (b >= 0)
		sys_close(b);
	errno = saved;
	return st != PROBE_NO;
}

/* ------------------------------------------------------------------ */
/* fork                                                                */
/* ------------------------------------------------------------------ */

HOOK pid_t
fork(void)
{
	int m = shim_mode(), token = 0;
	pid_t pid;
	NEXT(fork, -1);

	if (m != SHIM_ENFORCE)
		return next();
	token = shim_fdlock_exclusive_enter();
	held_exclusive = 1;
	pid = next();
	held_exclusive = 0;
	if (pid == 0) {
		int saved = errno;

		skipped = 0;
		fdlock_after_fork();
		shim_giveback_after_fork();
		errno = saved;
		return 0;
	}
	shim_fdlock_exclusive_leave(token);
	return pid;
}
