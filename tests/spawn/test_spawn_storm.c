/*
 * test_spawn_storm - ni_spawn under a storm of signals: SIGALRM from a
 * 1 kHz interval timer and SIGCHLD from every child, both caught by
 * handlers installed without SA_RESTART so that every slow call in
 * ni_spawn meets EINTR.  No EINTR may escape: 1000 spawns of the reporter
 * (stdout on a pipe) each succeed and report exactly 0 1 2, every child
 * exits 0 and is reaped by us; failing spawns fail with their own errno;
 * the timer really fired throughout; our table is unchanged at the end.
 *
 * Usage: test_spawn_storm [NAME-PATTERN]
 */
#define _GNU_SOURCE
#include "spawn_harness.h"

#include <poll.h>
#include <sys/time.h>

#define SPAWNS 1000

static volatile sig_atomic_t ticks, chlds;
static struct sigaction old_alrm, old_chld;

static void
on_alrm(int sig)
{
	(void)sig;
	ticks++;
}

static void
on_chld(int sig)
{
	(void)sig;
	chlds++;
}

/* Handlers without SA_RESTART, and the 1 kHz timer. */
static void
storm_start(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alrm;
	assert_int_equal(sigaction(SIGALRM, &sa, &old_alrm), 0);
	sa.sa_handler = on_chld;
	assert_int_equal(sigaction(SIGCHLD, &sa, &old_chld), 0);
	ticks = chlds = 0;
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void
storm_stop(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	assert_int_equal(sigaction(SIGALRM, &old_alrm, NULL), 0);
	assert_int_equal(sigaction(SIGCHLD, &old_chld, NULL), 0);
}

/* A line from fd, EINTR retried, within 10 s; "" if none. */
static void
read_line(int fd, char *buf, size_t size)
{
	struct pollfd p = { fd, POLLIN, 0 };
	size_t len = 0;

	while (len < size - 1) {
		ssize_t n;
		int r = poll(&p, 1, 10000);

		if (r < 0 && errno == EINTR)
			continue;
		if (r != 1)
			break;
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (buf[len - 1] == '\n')
			break;
	}
	buf[len] = '\0';
}

struct tally {
	int eintr, failed, wrong, bad_exit;
	char first[160];
};

static void
note(struct tally *t, int i, const char *fmt, const char *what)
{
	if (t->first[0] == '\0')
		snprintf(t->first, sizeof t->first, "spawn %d: %s %.100s", i, fmt,
		    what);
}

/* SPAWNS spawns of the reporter, alternating ni_spawn and ni_spawn_pidfd. */
static void
thousand_spawns_in_storm(void **state)
{
	char *argv[] = { (char *)REPORTER_PATH, NULL }, line[8192], fds[1024];
	ni_spawn_opts *o = sp_opts();
	struct tally t = { 0, 0, 0, 0, "" };
	struct fdtab before;
	int p[2], i, st, pidfd, rc, e, pidfds = 1;
	pid_t pid, r;

	(void)state;
	sp_pipe(p);
	assert_int_equal(ni_spawn_opts_map_fd(o, p[1], 1), 0);
	fdtab_take(&before);
	storm_start();
	for (i = 0; i < SPAWNS && t.failed + t.wrong + t.bad_exit < 20; i++) {
		bool with_pidfd = pidfds && i % 2 == 1;

		pid = SENTINEL_PID;
		pidfd = -1;
		errno = 0;
		rc = with_pidfd ?
		    ni_spawn_pidfd(&pidfd, &pid, REPORTER_PATH, argv, NULL, o) :
		    ni_spawn(&pid, REPORTER_PATH, argv, NULL, o);
		e = errno;
		if (rc != 0 && with_pidfd && e == ENOSYS) {
			pidfds = 0;	/* no pidfds here */
			continue;
		}
		if (rc != 0) {
			if (e == EINTR)
				t.eintr++;
			t.failed++;
			note(&t, i, "failed:", strerror(e));
			continue;
		}
		read_line(p[0], line, sizeof line);
		if (tu_report_fds(line, fds, sizeof fds) != 0 ||
		    strcmp(fds, "0 1 2") != 0) {
			t.wrong++;
			note(&t, i, "child reported", line);
		}
		while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
			;
		if (r != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			t.bad_exit++;
			note(&t, i, "child", "did not exit 0");
		}
		if (pidfd >= 0)
			close(pidfd);
	}
	storm_stop();
	print_message("%d spawns, %d timer ticks, %d SIGCHLD\n", i,
	    (int)ticks, (int)chlds);
	if (t.failed || t.wrong || t.bad_exit)
		fail_msg("%d failed (%d with EINTR), %d wrong reports, %d bad "
		    "exits; first: %s", t.failed, t.eintr, t.wrong, t.bad_exit,
		    t.first);
	assert_true(ticks >= 100);
	assert_true(chlds >= 1);
	assert_fdtab_same(&before);
	assert_no_children();
	close(p[0]);
	close(p[1]);
	ni_spawn_opts_free(o);
}

/* Failing spawns in the storm: their own errno, never EINTR. */
static void
failures_in_storm(void **state)
{
	char *argv[] = { (char *)"x", NULL }, missing[PATH_MAX];
	ni_spawn_opts *cwd = sp_opts();
	struct fdtab before;
	int i, bad = 0, rc, e;
	pid_t pid;

	(void)state;
	assert_int_equal(ni_spawn_opts_set_cwd(cwd, tu_path_unique(missing,
	    "missing")), 0);
	fdtab_take(&before);
	storm_start();
	for (i = 0; (i < 300 || ticks < 50) && i < 20000; i++) {
		pid = SENTINEL_PID;
		errno = 0;
		rc = i % 2 ? ni_spawn(&pid, "/nonexistent-ni/prog", argv, NULL,
		    NULL) : ni_spawn(&pid, REPORTER_PATH, argv, NULL, cwd);
		e = errno;
		if ((rc != -1 || e != ENOENT || pid != SENTINEL_PID) &&
		    bad++ < 5)
			print_message("spawn %d: rc %d, errno %d (%s)\n", i, rc,
			    e, strerror(e));
	}
	storm_stop();
	assert_int_equal(bad, 0);
	assert_true(ticks >= 50);
	assert_fdtab_same(&before);
	assert_no_children();
	ni_spawn_opts_free(cwd);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(thousand_spawns_in_storm),
		tu_unit_test(failures_in_storm),
	};

	return tu_run_tests("spawn.storm", tests, argc, argv);
}
