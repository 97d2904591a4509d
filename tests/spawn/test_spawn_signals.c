/*
 * test_spawn_signals - signals and the child of ni_spawn.  reporter
 * reads its dispositions (sigaction queries, and /proc/self/status where
 * /proc is visible) before it does anything: what we catch is default
 * there, what we ignore stays ignored, the mask is the spawning thread's
 * unless one is set.  "No parent handler ever runs in the child": a
 * thread sends SIGUSR1 without pause to a process group that every child
 * joins before its exec, while our SIGUSR1 handler counts, in memory
 * shared with every child, each run outside this process.  A naive
 * fork + setpgid + exec spawner must be caught that way (the control); the
 * children of ni_spawn never.  And a child's exit raises SIGCHLD here.
 *
 * Usage: test_spawn_signals [NAME-PATTERN]
 */
#define _GNU_SOURCE
#include "spawn_harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

/* glibc's internal signals 32 and 33 are left out of comparisons. */
#define GLIBC_INTERNAL ((1ull << 31) | (1ull << 32))

static unsigned long long
bit(int sig)
{
	return 1ull << (sig - 1);
}

/* Our dispositions, as reporter computes its own. */
static void
our_dispositions(unsigned long long *ign, unsigned long long *cgt)
{
	int sig;

	*ign = *cgt = 0;
	for (sig = 1; sig <= 64; sig++) {
		struct sigaction sa;

		if (sigaction(sig, NULL, &sa) != 0)
			continue;
		if (sa.sa_handler == SIG_IGN)
			*ign |= bit(sig);
		else if (sa.sa_handler != SIG_DFL)
			*cgt |= bit(sig);
	}
}

static unsigned long long
mask_bits(const sigset_t *s)
{
	unsigned long long m = 0;
	int sig;

	for (sig = 1; sig <= 64; sig++)
		if (sigismember(s, sig) == 1)
			m |= bit(sig);
	return m & ~GLIBC_INTERNAL;
}

#define assert_mask(got, want) do {                                          \
	unsigned long long g_ = (got) & ~GLIBC_INTERNAL, w_ = (want);        \
	if (g_ != w_)                                                        \
		fail_msg("%s is %#llx, expected %#llx", #got, g_, w_);       \
} while (0)

/* reporter through ni_spawn where SIGCHLD is ignored: the kernel reaps
 * it, so it is waited for by its report, not by waitpid. */
static void
spawn_report_reaped(struct report *r)
{
	char out[PATH_MAX];
	char *argv[] = { (char *)REPORTER_PATH, (char *)"--out",
	    tu_path_unique(out, "report"),
	    NULL };
	pid_t pid = SENTINEL_PID;
	int i, rc = ni_spawn(&pid, REPORTER_PATH, argv, NULL, NULL), e = errno;

	if (rc != 0)
		fail_msg("ni_spawn with SIGCHLD ignored: errno %d (%s)", e,
		    strerror(e));
	for (i = 0; i < 1000 && kill(pid, 0) == 0; i++)
		usleep(10000);
	read_report(out, r);
	assert_int_equal(r->pid, (long)pid);
}

static void
handler(int sig)
{
	(void)sig;
}

static void
info_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	(void)ctx;
}

static void
set_handler(int sig, void (*h)(int), struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(sig, &sa, old), 0);
}

/* ------------------------------------------------------------------ */
/* Dispositions and mask                                               */
/* ------------------------------------------------------------------ */

/* Caught: SIGUSR1, SIGTERM, SIGINT (plain), SIGUSR2 (SA_SIGINFO);
 * ignored: SIGPIPE, SIGHUP.  The child catches nothing and ignores
 * exactly what we ignore. */
static void
caught_default_ignored_kept(void **state)
{
	static const int caught[] = { SIGUSR1, SIGTERM, SIGINT };
	struct sigaction old[6], sa;
	unsigned long long ign, cgt;
	struct report r;
	int k;

	(void)state;
	for (k = 0; k < 3; k++)
		set_handler(caught[k], handler, &old[k]);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = info_handler;
	sa.sa_flags = SA_SIGINFO;
	assert_int_equal(sigaction(SIGUSR2, &sa, &old[3]), 0);
	set_handler(SIGPIPE, SIG_IGN, &old[4]);
	set_handler(SIGHUP, SIG_IGN, &old[5]);
	our_dispositions(&ign, &cgt);
	assert_true((ign & (bit(SIGPIPE) | bit(SIGHUP))) ==
	    (bit(SIGPIPE) | bit(SIGHUP)));
	assert_true((cgt & bit(SIGUSR2)) != 0);

	spawn_report(NULL, NULL, NULL, &r);
	assert_mask(r.cgt, 0);
	assert_mask(r.ign, ign & ~GLIBC_INTERNAL);
	if (r.proc) {	/* the kernel's view agrees */
		assert_mask(r.proc_cgt, 0);
		assert_mask(r.proc_ign, ign & ~GLIBC_INTERNAL);
	}
	for (k = 0; k < 3; k++)
		assert_int_equal(sigaction(caught[k], &old[k], NULL), 0);
	assert_int_equal(sigaction(SIGUSR2, &old[3], NULL), 0);
	assert_int_equal(sigaction(SIGPIPE, &old[4], NULL), 0);
	assert_int_equal(sigaction(SIGHUP, &old[5], NULL), 0);
}

/* No mask set: the child's is ours, exactly (not all blocked, not
 * none). */
static void
mask_inherited(void **state)
{
	sigset_t set, old;
	struct report r;

	(void)state;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGRTMIN + 3);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &set, &old), 0);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, NULL, &set), 0);
	spawn_report(NULL, NULL, NULL, &r);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
	assert_true(mask_bits(&set) != 0);
	assert_mask(r.blk, mask_bits(&set));
	if (r.proc)
		assert_mask(r.proc_blk, mask_bits(&set));
	spawn_report(NULL, NULL, NULL, &r);
	assert_mask(r.blk, mask_bits(&old));
}

/* The mask set in the options, copied when set; SIGKILL in it is
 * dropped, not an error; an empty one unblocks what we block; NULL goes
 * back to ours.  Our own mask never changes. */
static void
mask_set(void **state)
{
	ni_spawn_opts *o = sp_opts();
	sigset_t set, ours, old, now;
	struct report r;

	(void)state;
	sigemptyset(&ours);
	sigaddset(&ours, SIGUSR2);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &ours, &old), 0);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, NULL, &ours), 0);

	sigemptyset(&set);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTTOU);
	sigaddset(&set, SIGKILL);
	assert_int_equal(ni_spawn_opts_set_sigmask(o, &set), 0);
	sigaddset(&set, SIGALRM);	/* after: not seen */
	spawn_report(o, NULL, NULL, &r);
	assert_mask(r.blk, bit(SIGQUIT) | bit(SIGTTOU));

	sigemptyset(&set);
	assert_int_equal(ni_spawn_opts_set_sigmask(o, &set), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_mask(r.blk, 0);

	assert_int_equal(ni_spawn_opts_set_sigmask(o, NULL), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_mask(r.blk, mask_bits(&ours));

	assert_int_equal(pthread_sigmask(SIG_SETMASK, NULL, &now), 0);
	assert_int_equal(mask_bits(&now), mask_bits(&ours));
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
	ni_spawn_opts_free(o);
}

/* The mask of the thread that calls ni_spawn, not the main thread's. */
struct thread_spawn {
	char out[PATH_MAX];
	int rc, err;
	pid_t pid;
};

static void *
spawn_from_thread(void *arg)
{
	struct thread_spawn *t = arg;
	char *argv[] = { (char *)REPORTER_PATH, (char *)"--out", t->out,
	    NULL };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTTIN);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	t->pid = SENTINEL_PID;
	errno = 0;
	t->rc = ni_spawn(&t->pid, REPORTER_PATH, argv, NULL, NULL);
	t->err = errno;
	return NULL;
}

static void
mask_of_calling_thread(void **state)
{
	struct thread_spawn t;
	sigset_t set, old;
	pthread_t th;
	struct report r;

	(void)state;
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &set, &old), 0);
	tu_path_unique(t.out, "report");
	assert_int_equal(pthread_create(&th, NULL, spawn_from_thread, &t), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
	if (t.rc != 0)
		fail_msg("ni_spawn: errno %d (%s)", t.err, strerror(t.err));
	assert_int_equal(sp_wait(t.pid), 0);
	read_report(t.out, &r);
	assert_mask(r.blk, bit(SIGTTIN));
	assert_no_children();
}

/* SIGCHLD ignored here (children reaped by the kernel): spawns still
 * succeed and fail as they should, and the child ignores SIGCHLD too. */
static void
sigchld_ignored(void **state)
{
	char *argv[] = { (char *)"x", NULL };
	struct sigaction old;
	struct report r;
	pid_t pid = SENTINEL_PID;
	int rc, e;

	(void)state;
	set_handler(SIGCHLD, SIG_IGN, &old);
	spawn_report_reaped(&r);
	errno = 0;
	rc = ni_spawn(&pid, "/nonexistent-ni/prog", argv, NULL, NULL);
	e = errno;
	assert_int_equal(sigaction(SIGCHLD, &old, NULL), 0);
	assert_int_equal(rc, -1);
	assert_errno_is(e, ENOENT);
	assert_int_equal(pid, SENTINEL_PID);
	assert_true((r.ign & bit(SIGCHLD)) != 0);
	assert_no_children();
}

/* A child's exit is signalled to us with SIGCHLD, as for any child. */
static void
sigchld_on_exit(void **state)
{
	struct report r;

	(void)state;
	sp_chld_count_start();
	spawn_report(NULL, NULL, NULL, &r);
	assert_true(sp_chld_count_stop() >= 1);
}

/* ------------------------------------------------------------------ */
/* No parent handler ever runs in a child                              */
/* ------------------------------------------------------------------ */

struct shared {
	atomic_int in_child;	/* our handler ran in another process */
	atomic_int in_parent;
	atomic_long child_pid;
};

static struct shared *sh;
static pid_t parent_pid;
static atomic_int storm_stop;
static atomic_long storm_sent;

static void
counting_handler(int sig)
{
	(void)sig;
	if ((pid_t)syscall(SYS_getpid) != parent_pid) {
		atomic_fetch_add(&sh->in_child, 1);
		atomic_store(&sh->child_pid, (long)syscall(SYS_getpid));
	} else {
		atomic_fetch_add(&sh->in_parent, 1);
	}
}

static void *
storm(void *arg)
{
	pid_t pg = *(pid_t *)arg;

	while (!atomic_load(&storm_stop)) {
		(void)kill(-pg, SIGUSR1);
		atomic_fetch_add(&storm_sent, 1);
	}
	return NULL;
}

/* A group leader that ignores SIGUSR1 and waits; returns its pid once it
 * leads its group. */
static pid_t
start_leader(void)
{
	int p[2];
	char c;
	pid_t pid;

	sp_pipe(p);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGUSR1, SIG_IGN);
		setpgid(0, 0);
		(void)write(p[1], "x", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	assert_int_equal(getpgid(pid), pid);
	return pid;
}

/* fork, join the group, a naive close loop, exec: the window where a
 * group signal runs our handler in the child. */
static pid_t
naive_spawn(pid_t pg, char *const argv[], int devnull)
{
	pid_t pid = fork();
	int fd;

	if (pid == 0) {
		setpgid(0, pg);
		dup2(devnull, 1);
		for (fd = 3; fd < 4096; fd++)
			(void)close(fd);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs up to max spawns (or 6 s) into the storm; stops at the first
 * handler run in a child if stop_at_first.  Returns the spawns made;
 * *killed counts children that SIGUSR1 killed (the storm reached them). */
static int
spawn_into_storm(bool naive, int max, bool stop_at_first, int *killed,
    int *failed)
{
	char *argv[] = { (char *)REPORTER_PATH, NULL };
	ni_spawn_opts *o = sp_opts();
	struct sigaction old;
	pthread_t th;
	pid_t leader = start_leader(), pid;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC), n, st;
	double t0 = now_s();

	assert_true(devnull >= 0);
	sp_cloexec(devnull, true);
	assert_int_equal(ni_spawn_opts_set_pgroup(o, leader), 0);
	assert_int_equal(ni_spawn_opts_map_fd(o, devnull, 1), 0);
	memset(sh, 0, sizeof *sh);
	parent_pid = getpid();
	set_handler(SIGUSR1, counting_handler, &old);
	atomic_store(&storm_stop, 0);
	atomic_store(&storm_sent, 0);
	assert_int_equal(pthread_create(&th, NULL, storm, &leader), 0);
	*killed = *failed = 0;
	for (n = 0; n < max && now_s() - t0 < 6.0; n++) {
		if (stop_at_first && atomic_load(&sh->in_child) > 0)
			break;
		if (naive) {
			pid = naive_spawn(leader, argv, devnull);
		} else if (ni_spawn(&pid, REPORTER_PATH, argv, NULL, o) != 0) {
			(*failed)++;
			continue;
		}
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1)
			(*killed)++;
	}
	atomic_store(&storm_stop, 1);
	pthread_join(th, NULL);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	kill(leader, SIGKILL);
	assert_int_equal(sp_wait(leader), 1000 + SIGKILL);
	close(devnull);
	ni_spawn_opts_free(o);
	assert_no_children();
	return n;
}

static void
no_parent_handler_in_child(void **state)
{
	int n, killed, failed, runs;

	(void)state;
	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(sh != MAP_FAILED);

	/* Control: the storm does run our handler in a naive child. */
	n = spawn_into_storm(true, 3000, true, &killed, &failed);
	runs = atomic_load(&sh->in_child);
	print_message("naive: %d spawns, handler ran %d time(s) in a child "
	    "(%ld signals sent)\n", n, runs, atomic_load(&storm_sent));
	if (runs == 0)
		fail_msg("control: no handler run in %d naive children; the "
		    "storm cannot show anything", n);

	n = spawn_into_storm(false, 400, false, &killed, &failed);
	runs = atomic_load(&sh->in_child);
	print_message("ni_spawn: %d spawns, %d killed by the storm, handler "
	    "ran %d time(s) in a child (%ld signals sent)\n", n, killed,
	    runs, atomic_load(&storm_sent));
	assert_int_equal(failed, 0);
	if (runs != 0)
		fail_msg("our SIGUSR1 handler ran %d time(s) in a child of "
		    "ni_spawn (pid %ld)", runs, atomic_load(&sh->child_pid));
	assert_int_equal(atomic_load(&sh->in_parent), 0);
	if (killed == 0)
		fail_msg("the storm reached none of %d children", n);
	munmap(sh, sizeof *sh);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(caught_default_ignored_kept),
		tu_unit_test(mask_inherited),
		tu_unit_test(mask_set),
		tu_unit_test(mask_of_calling_thread),
		tu_unit_test(sigchld_ignored),
		tu_unit_test(sigchld_on_exit),
		tu_unit_test(no_parent_handler_in_child),
	};

	return tu_run_tests("spawn.signals", tests, argc, argv);
}
