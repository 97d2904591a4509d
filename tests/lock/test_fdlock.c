/*
 * test_fdlock.c - the either-or lock keeps half-made descriptors out of
 * children.
 *
 * Run under a seccomp filter that refuses the atomic flags, so every ni_
 * creator takes the create-then-set fallback.  Three threads create and
 * close descriptors as fast as they can while the main thread forks and
 * execs the reporter, which reports what it received.  With the exclusive side
 * of the lock held across fork, no child may receive anything beyond 0-2.
 * The control run forks without the lock and must see leaks: that shows the
 * test can fail.  Also: a fork while another thread holds the lock leaves
 * the child a usable lock; a fallback ni_accept asleep on a blocking
 * listener holds no lock; natively, spawns take the lockless path.
 *
 * Links the static library for the hidden fdlock_* functions that ni_spawn
 * will use.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "noinherit.h"

/* Hidden in the shared library; the static one still links them. */
int ni__fdlock_exclusive_enter(void);
void ni__fdlock_exclusive_leave(int token);
void ni__fdlock_shared_enter(void);
void ni__fdlock_shared_leave(void);

static atomic_int stop;

static void *
creator(void *arg)
{
	int kind = (int)(long)arg, p[2], fd;

	while (!atomic_load(&stop)) {
		switch (kind) {
		case 0:
			if (ni_pipe(p) == 0) {
				close(p[0]);
				close(p[1]);
			}
			break;
		case 1:
			fd = ni_socket(AF_UNIX, SOCK_STREAM, 0);
			if (fd >= 0)
				close(fd);
			break;
		default:
			fd = ni_dup(2);
			if (fd >= 0)
				close(fd);
			break;
		}
	}
	return NULL;
}

/* Fork and exec the reporter; returns how many fds beyond 0-2 it received
 * (its first line: "reporter -: fds 0 1 2 ..."). */
static int
spawn_check(bool locked)
{
	char buf[65536], *s, *end, *nl;
	int p[2], token = 0, leaks = 0, status;
	ssize_t n, len = 0;
	pid_t pid;
	long fd;

	if (locked)
		token = ni__fdlock_exclusive_enter();
	/* Only this thread forks, so a plain pipe here leaks into no one. */
	if (pipe(p) != 0 || fcntl(p[0], F_SETFD, FD_CLOEXEC) != 0) {
		perror("pipe");
		exit(2);
	}
	pid = fork();
	if (pid == 0) {
		if (p[1] != 1) {
			dup2(p[1], 1);
			close(p[1]);
		}
		execl(REPORTER_PATH, "reporter", (char *)NULL);
		_exit(127);
	}
	if (locked)
		ni__fdlock_exclusive_leave(token);
	close(p[1]);
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	while ((n = read(p[0], buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	buf[len] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "reporter failed (status %#x)\n", status);
		exit(2);
	}
	s = strstr(buf, ": fds");
	nl = strchr(buf, '\n');
	if (strncmp(buf, "reporter ", 9) != 0 || s == NULL || nl == NULL ||
	    s > nl) {
		fprintf(stderr, "reporter: no descriptor list in \"%.100s\"\n",
		    buf);
		exit(2);
	}
	*nl = '\0';
	for (s += 5;; s = end) {
		fd = strtol(s, &end, 10);
		if (end == s)
			break;
		if (fd > 2)
			leaks++;
	}
	return leaks;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs forks until `max` or `seconds`; with stop_at_leak, stops at one. */
static int
run(bool locked, int max, double seconds, bool stop_at_leak, int *forks)
{
	pthread_t t[3];
	int i, leaks = 0;
	double t0 = now();

	atomic_store(&stop, 0);
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, creator, (void *)(long)i);
	for (*forks = 0; *forks < max && now() - t0 < seconds; (*forks)++) {
		leaks += spawn_check(locked);
		if (stop_at_leak && leaks > 0) {
			(*forks)++;
			break;
		}
	}
	atomic_store(&stop, 1);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return leaks;
}

/* Forks under the lock with creators running; fallback mode only. */
static int
test_locked_spawns_see_nothing(void)
{
	int forks, leaks = run(true, 1500, 20.0, false, &forks);

	printf("locked:   %d forks, %d fds leaked into children\n", forks, leaks);
	return leaks == 0;
}

/* The control: the same without the lock must leak, or the harness is blind. */
static int
test_unlocked_control_leaks(void)
{
	int forks, leaks = run(false, 5000, 20.0, true, &forks);

	printf("unlocked: %d forks until the first leak (%d leaked)\n", forks,
	    leaks);
	return leaks > 0;
}

/*
 * With the atomic flags working, spawns take the lockless path: nothing
 * waits, and children still receive nothing, since no creator ever leaves a
 * descriptor half-made.
 */
static int
test_native_lockless(void)
{
	int forks, leaks = run(true, 300, 10.0, false, &forks);

	printf("native:   %d forks (lockless), %d fds leaked\n", forks, leaks);
	return leaks == 0;
}

static atomic_int holding;

static void *
hold_shared(void *arg)
{
	(void)arg;
	ni__fdlock_shared_enter();
	atomic_store(&holding, 1);
	while (atomic_load(&holding) == 1)
		usleep(1000);
	ni__fdlock_shared_leave();
	return NULL;
}

/*
 * fork() while another thread holds the shared side: in the child that
 * thread does not exist, so the child's own spawn must get the lock (the
 * atfork handler resets it) instead of waiting for ever.
 */
static int
test_fork_resets_lock(void)
{
	pthread_t t;
	int status;
	pid_t pid;

	atomic_store(&holding, 0);
	pthread_create(&t, NULL, hold_shared, NULL);
	while (atomic_load(&holding) == 0)
		usleep(1000);
	pid = fork();
	if (pid == 0) {
		alarm(5);	/* a deadlock ends as SIGALRM, a failure */
		ni__fdlock_exclusive_leave(ni__fdlock_exclusive_enter());
		_exit(0);
	}
	waitpid(pid, &status, 0);
	atomic_store(&holding, 2);
	pthread_join(t, NULL);
	printf("fork:     child of a fork with the shared side held %s\n",
	    WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "took the lock" :
	    "deadlocked");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void *
blocking_accept(void *arg)
{
	int s = ni_accept(*(int *)arg, NULL, NULL);

	if (s >= 0)
		close(s);
	return NULL;
}

/*
 * A fallback ni_accept that sleeps on a blocking listener must not hold the
 * shared side while it sleeps, or every spawn would wait for a connection.
 */
static int
test_blocked_accept_holds_no_lock(void)
{
	struct sockaddr_un a;
	socklen_t alen = sizeof(sa_family_t);
	struct timespec t0, t1;
	pthread_t t;
	double dt;
	int l, c, token;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, alen) != 0 ||
	    listen(l, 1) != 0)
		return 0;
	alen = sizeof(a);
	getsockname(l, (struct sockaddr *)&a, &alen);
	pthread_create(&t, NULL, blocking_accept, &l);
	usleep(200 * 1000);	/* let it block */
	alarm(10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	token = ni__fdlock_exclusive_enter();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ni__fdlock_exclusive_leave(token);
	alarm(0);
	dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&a, alen);
	pthread_join(t, NULL);
	close(c);
	close(l);
	printf("accept:   a spawn waited %.3f s for a blocked fallback ni_accept\n",
	    dt);
	return dt < 1.0;
}

int
main(void)
{
	unsigned feat;
	int passed = 0, failed = 0;
	bool fallback;

	if (close_range(3, ~0U, 0) != 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	feat = ni_features();
	fallback = !(feat & (NI_FEAT_PIPE2 | NI_FEAT_SOCK_CLOEXEC |
	    NI_FEAT_DUPFD_CLOEXEC | NI_FEAT_ACCEPT4));
	printf("features %#x: %s mode\n", feat, fallback ? "fallback" : "atomic");

#define RUN(t) (t() ? passed++ : (printf("FAILED %s\n", #t), failed++))
	if (fallback) {
		RUN(test_locked_spawns_see_nothing);
		RUN(test_unlocked_control_leaks);
		RUN(test_blocked_accept_holds_no_lock);
	} else {
		RUN(test_native_lockless);
	}
	RUN(test_fork_resets_lock);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
