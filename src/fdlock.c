/*
 * fdlock.c - the either-or lock between fallback creation and spawn.
 *
 * Fallback creation (create, then set FD_CLOEXEC) leaves a moment in which
 * the new descriptor is inheritable.  A fork in that moment leaks it.  So
 * creators in fallback mode share this lock and ni_spawn takes it
 * exclusively across its fork, as Go's syscall.ForkLock and libuv's
 * cloexec_lock do.
 *
 * While no fallback has ever run, spawners only announce themselves in a
 * counter and never wait, and creators never touch the lock at all.  The
 * first fallback creator raises `active` and then waits until every spawner
 * that did not see it has finished: sequentially consistent atomics make
 * one of the two see the other (the Dekker pattern).
 *
 * Built on atomics and sched_yield() alone, so it allocates nothing, can be
 * used in any context the fallback paths run in, and is reset in the child
 * of a fork() (other threads' holds do not exist there).
 */
#include <pthread.h>
#include <sched.h>

#include "internal.h"

static atomic_int active;	/* 1 once any fallback has run; never cleared */
static atomic_int readers;	/* creators inside create-then-set */
static atomic_int writer;	/* 1 while a spawn holds the lock */
static atomic_int lockless;	/* spawns under way that saw !active */

enum { TOKEN_LOCKLESS = 1, TOKEN_LOCKED = 2 };

void
fdlock_shared_enter(void)
{
	atomic_store(&active, 1);
	while (atomic_load(&lockless) > 0)
		sched_yield();
	for (;;) {
		while (atomic_load(&writer))
			sched_yield();
		atomic_fetch_add(&readers, 1);
		if (!atomic_load(&writer))
			return;
		atomic_fetch_sub(&readers, 1);
	}
}

void
fdlock_shared_leave(void)
{
	atomic_fetch_sub(&readers, 1);
}

int
fdlock_exclusive_enter(void)
{
	int expected;

	atomic_fetch_add(&lockless, 1);
	if (!atomic_load(&active))
		return TOKEN_LOCKLESS;
	atomic_fetch_sub(&lockless, 1);

	for (;;) {
		expected = 0;
		if (atomic_compare_exchange_weak(&writer, &expected, 1))
			break;
		sched_yield();
	}
	while (atomic_load(&readers) > 0)
		sched_yield();
	return TOKEN_LOCKED;
}

void
fdlock_exclusive_leave(int token)
{
	if (token == TOKEN_LOCKLESS)
		atomic_fetch_sub(&lockless, 1);
	else
		atomic_store(&writer, 0);
}

/* After fork() only the calling thread exists: nobody holds anything. */
static void
fdlock_atfork_child(void)
{
	atomic_store(&readers, 0);
	atomic_store(&writer, 0);
	atomic_store(&lockless, 0);
}

__attribute__((constructor)) static void
fdlock_init(void)
{
	(void)pthread_atfork(NULL, NULL, fdlock_atfork_child);
}
