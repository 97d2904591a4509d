/*
 * test_fdlock.c - the either-or lock keeps half-made descriptors out of
 * children.
 *
 * Run under a seccomp filter that refuses the atomic flags, so every ni_
 * creator takes the create-then-set fallback.  Three threads create and
 * close descriptors as fast as they can while the main thread forks and
 * execs fdcheck, which reports what it received.  With the exclusive side
 * of the lock held across fork, no child may receive anything beyond 0-2.
 * The control run forks without the lock and must see leaks: that shows the
 * test can fail.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "noinherit.h"

/* Hidden in the shared library; the static one still links them. */
int ni__fdlock_exclusive_enter(void);
void ni__fdlock_exclusive_leave(int token);

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

/* Fork and exec fdcheck; returns how many fds beyond 0-2 it received. */
static int
spawn_check(bool locked)
{
	char buf[4096], *s, *end;
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
		execl(FDCHECK_PATH, "fdcheck", (char *)NULL);
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
		fprintf(stderr, "fdcheck failed (status %#x)\n", status);
		exit(2);
	}
	for (s = buf;; s = end) {
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

int
main(void)
{
	unsigned feat;
	int forks, leaks, failed = 0;

	if (close_range(3, ~0U, 0) != 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	feat = ni_features();
	if (feat & (NI_FEAT_PIPE2 | NI_FEAT_SOCK_CLOEXEC | NI_FEAT_DUPFD_CLOEXEC)) {
		printf("features %#x: the atomic flags work here, so there is "
		    "no fallback to lock; run under ni_sandbox --seccomp\n", feat);
		return 77;
	}

	leaks = run(true, 1500, 20.0, false, &forks);
	printf("locked:   %d forks, %d fds leaked into children\n", forks, leaks);
	if (leaks != 0)
		failed++;

	leaks = run(false, 5000, 20.0, true, &forks);
	printf("unlocked: %d forks until the first leak (%d leaked)\n", forks,
	    leaks);
	if (leaks == 0) {
		printf("control saw no leak: this harness could not have caught one\n");
		failed++;
	}
	printf("%d passed, %d failed\n", 2 - failed, failed);
	return failed ? 1 : 0;
}
