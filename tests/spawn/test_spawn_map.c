/*
 * test_spawn_map - ni_spawn_opts_map_fd, observed in the exec'd
 * reporter: any source onto any target; mappings that act as one step
 * (swaps, rotations of 0/1/2 among themselves, a source that is another
 * mapping's target, one source onto several targets); a standard stream
 * that is closed here stays closed in the child unless mapped, and mapping
 * onto it works.  Each is checked by identity (device and inode of what
 * arrived) and by data: the child writes "to-N" into its fd N, or echoes a
 * line, and the text comes out where it should.  Our own flags never
 * change (the descriptor table is compared before and after).
 *
 * The tests that move our standard streams spawn without asserting and
 * put the streams back before checking anything, so that a failure is
 * still printed.
 *
 * Usage: test_spawn_map [NAME-PATTERN]
 */
#define _GNU_SOURCE
#include "spawn_harness.h"

static void
map(ni_spawn_opts *o, int from, int to)
{
	assert_int_equal(ni_spawn_opts_map_fd(o, from, to), 0);
}

static void
expect_line(int fd, const char *want)
{
	char got[128];

	sp_drain(fd, got, sizeof got);
	if (strcmp(got, want) != 0)
		fail_msg("read \"%s\" from pipe, expected \"%s\"", got, want);
}

/* ------------------------------------------------------------------ */
/* Moving our standard streams, without asserting meanwhile            */
/* ------------------------------------------------------------------ */

struct saved_stdio {
	int copy[3];
	int flags[3];	/* F_GETFD, or -1 if it was closed */
};

static void
save_stdio(struct saved_stdio *s)
{
	int k;

	for (k = 0; k < 3; k++) {
		s->flags[k] = fcntl(k, F_GETFD);
		s->copy[k] = fcntl(k, F_DUPFD, 700);
		assert_true(s->copy[k] >= 700);
		sp_cloexec(s->copy[k], true);
	}
}

static void
restore_stdio(struct saved_stdio *s)
{
	int k;

	for (k = 0; k < 3; k++) {
		(void)dup2(s->copy[k], k);
		(void)fcntl(k, F_SETFD, s->flags[k]);
		close(s->copy[k]);
	}
}

/* What a spawn did, collected while our stdio may be elsewhere. */
struct outcome {
	int rc, err, status;
	bool table_changed;
	char table_msg[128];
	char out[PATH_MAX];
};

/* ni_spawn(reporter OUT extra...) and wait, no assertion inside. */
static void
spawn_quietly(struct outcome *x, const ni_spawn_opts *o,
    const char *const *extra)
{
	char *argv[40];
	struct fdtab before, now;
	pid_t pid = SENTINEL_PID;
	int st, n = 0;

	tu_path_unique(x->out, "report");
	argv[n++] = (char *)REPORTER_PATH;
	argv[n++] = (char *)"--out";
	argv[n++] = x->out;
	while (extra != NULL && *extra != NULL && n < 38)
		argv[n++] = (char *)*extra++;
	argv[n] = NULL;
	fdtab_take(&before);
	errno = 0;
	x->rc = ni_spawn(&pid, REPORTER_PATH, argv, NULL, o);
	x->err = errno;
	fdtab_take(&now);
	x->table_changed = fdtab_differs(&before, &now, x->table_msg,
	    sizeof x->table_msg);
	fdtab_free(&before);
	fdtab_free(&now);
	x->status = -1;
	if (x->rc == 0 && pid > 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		x->status = WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
	}
}

/* The checks spawn_report makes, once our stdio is back. */
static void
check_outcome(const struct outcome *x, struct report *r)
{
	if (x->rc != 0)
		fail_msg("ni_spawn returned %d, errno %d (%s)", x->rc, x->err,
		    strerror(x->err));
	if (x->table_changed)
		fail_msg("our descriptor table changed: %s", x->table_msg);
	if (x->status != 0)
		fail_msg("reporter exited with status %d", x->status);
	read_report(x->out, r);
	assert_no_children();
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

/* Low to high, high to low, a non-inheritable source; an inheritable fd
 * not mapped stays out; data written on a target reaches its source. */
static void
any_to_any(void **state)
{
	int a = sp_open_text("a", "alpha"), b = sp_open_text("b", "bravo");
	int p[2];
	ni_spawn_opts *o = sp_opts();
	const char *extra[] = { "--write", "50", NULL };
	struct report r;

	(void)state;
	sp_pipe(p);
	sp_dup_at(a, 3, true);
	sp_dup_at(b, 900, true);
	sp_dup_at(p[1], 33, false);
	sp_dup_at(a, 6, false);	/* inheritable, not mapped */
	map(o, 33, 50);
	map(o, 900, 4);
	map(o, 3, 640);
	spawn_report(o, NULL, extra, &r);
	assert_fds(&r, "0 1 2 4 50 640");
	assert_same_file(&r, 4, b);
	assert_text(&r, 4, "bravo");
	assert_same_file(&r, 640, a);
	assert_same_file(&r, 50, p[1]);
	close(33);
	close(p[1]);
	expect_line(p[0], "to-50\n");
	ni_spawn_opts_free(o);
	close(p[0]);
	close(3);
	close(6);
	close(900);
	close(a);
	close(b);
}

/* 3 -> 4 and 4 -> 3 swap, by content and by data. */
static void
swap(void **state)
{
	int p3[2], p4[2];
	ni_spawn_opts *o = sp_opts();
	const char *extra[] = { "--write", "3", "--write", "4", NULL };
	struct report r;

	(void)state;
	sp_pipe(p3);
	sp_pipe(p4);
	sp_dup_at(p3[1], 3, false);
	sp_dup_at(p4[1], 4, true);
	map(o, 3, 4);
	map(o, 4, 3);
	spawn_report(o, NULL, extra, &r);
	assert_fds(&r, "0 1 2 3 4");
	assert_same_file(&r, 3, p4[1]);
	assert_same_file(&r, 4, p3[1]);
	close(3);
	close(4);
	close(p3[1]);
	close(p4[1]);
	expect_line(p3[0], "to-4\n");
	expect_line(p4[0], "to-3\n");
	ni_spawn_opts_free(o);
	close(p3[0]);
	close(p4[0]);
}

/* A source that is another mapping's target: 3 -> 4, 4 -> 5 gives 4 = A,
 * 5 = B (in sequence 5 would get A); and a cycle of three, 3 -> 4 ->
 * 5 -> 3. */
static void
chain_and_cycle(void **state)
{
	int a = sp_open_text("a", "alpha"), b = sp_open_text("b", "bravo");
	int c = sp_open_text("c", "charlie");
	ni_spawn_opts *o = sp_opts();
	struct report r;

	(void)state;
	sp_dup_at(a, 3, true);
	sp_dup_at(b, 4, true);
	sp_dup_at(c, 5, true);
	map(o, 3, 4);
	map(o, 4, 5);
	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 4 5");
	assert_text(&r, 4, "alpha");
	assert_text(&r, 5, "bravo");
	ni_spawn_opts_free(o);

	o = sp_opts();
	map(o, 3, 4);
	map(o, 4, 5);
	map(o, 5, 3);
	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 3 4 5");
	assert_text(&r, 3, "charlie");
	assert_text(&r, 4, "alpha");
	assert_text(&r, 5, "bravo");
	assert_same_file(&r, 3, c);
	ni_spawn_opts_free(o);
	close(3);
	close(4);
	close(5);
	close(a);
	close(b);
	close(c);
}

/* Rotations of our 0, 1, 2 among themselves, both ways, over three
 * pipes: what the child writes on its fd N comes out of the pipe we had
 * on the fd mapped to N. */
static void
check_rotation(const int to[3])
{
	int p[3][2], k;
	ni_spawn_opts *o = sp_opts();
	const char *extra[] = { "--write", "0", "--write", "1", "--write",
	    "2", NULL };
	struct saved_stdio s;
	struct outcome x;
	struct report r;
	char want[16];

	for (k = 0; k < 3; k++) {
		sp_pipe(p[k]);
		map(o, k, to[k]);
	}
	save_stdio(&s);
	for (k = 0; k < 3; k++)
		(void)dup2(p[k][1], k);
	spawn_quietly(&x, o, extra);
	restore_stdio(&s);
	check_outcome(&x, &r);
	assert_fds(&r, "0 1 2");
	for (k = 0; k < 3; k++) {
		assert_same_file(&r, to[k], p[k][1]);
		close(p[k][1]);
	}
	for (k = 0; k < 3; k++) {
		snprintf(want, sizeof want, "to-%d\n", to[k]);
		expect_line(p[k][0], want);
		close(p[k][0]);
	}
	ni_spawn_opts_free(o);
}

static void
rotate_stdio(void **state)
{
	static const int up[3] = { 1, 2, 0 }, down[3] = { 2, 0, 1 };
	static const int swap01[3] = { 1, 0, 2 };

	(void)state;
	check_rotation(up);
	check_rotation(down);
	check_rotation(swap01);
}

/* One socket end onto stdin, stdout and fd 7: the child echoes our line
 * back to us through its stdout; 2 is left alone. */
static void
one_source_many_targets(void **state)
{
	int sv[2];
	ni_spawn_opts *o = sp_opts();
	const char *extra[] = { "--echo", NULL };
	struct report r;

	(void)state;
	sp_socketpair(sv);
	map(o, sv[1], 0);
	map(o, sv[1], 1);
	map(o, sv[1], 7);
	assert_int_equal(write(sv[0], "ping\n", 5), 5);
	spawn_report(o, NULL, extra, &r);
	assert_fds(&r, "0 1 2 7");
	assert_same_file(&r, 0, sv[1]);
	assert_same_file(&r, 1, sv[1]);
	assert_same_file(&r, 7, sv[1]);
	assert_same_file(&r, 2, 2);
	expect_line(sv[0], "echo:ping\n");
	ni_spawn_opts_free(o);
	close(sv[0]);
	close(sv[1]);
}

/* A source passed and also mapped elsewhere: both arrive. */
static void
pass_and_map_same_source(void **state)
{
	int a = sp_open_text("a", "alpha");
	ni_spawn_opts *o = sp_opts();
	struct report r;

	(void)state;
	sp_dup_at(a, 3, true);
	assert_int_equal(ni_spawn_opts_pass_fd(o, 3), 0);
	map(o, 3, 4);
	map(o, 3, 9);
	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 3 4 9");
	assert_same_file(&r, 3, a);
	assert_same_file(&r, 4, a);
	assert_same_file(&r, 9, a);
	ni_spawn_opts_free(o);
	close(3);
	close(a);
}

/* A target that is one of our open fds not mapped (inheritable or not):
 * the child has the source there.  With close_fds false as well. */
static void
target_over_open_fd(void **state)
{
	int a = sp_open_text("a", "alpha"), b = sp_open_text("b", "bravo");
	ni_spawn_opts *o = sp_opts();
	struct report r;

	(void)state;
	sp_dup_at(b, 5, true);
	sp_dup_at(b, 8, false);
	map(o, a, 5);
	map(o, a, 8);
	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 5 8");
	assert_text(&r, 5, "alpha");
	assert_text(&r, 8, "alpha");
	assert_int_equal(ni_spawn_opts_set_close_fds(o, false), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 5 8");
	assert_text(&r, 8, "alpha");
	ni_spawn_opts_free(o);
	close(5);
	close(8);
	close(a);
	close(b);
}

/* Our fd k closed: the child has it closed too unless it is mapped, and
 * mapping a file onto it works; the others are ours.  Also two closed at
 * once, with only the higher one mapped. */
static void
check_closed_stdio(const int *closed, int nclosed, int mapped_to)
{
	int a = sp_open_text("a", "alpha"), k;
	ni_spawn_opts *o = sp_opts();
	struct saved_stdio s;
	struct outcome x;
	struct report r;
	char want[16] = "";
	size_t len = 0;
	bool shut[3] = { false, false, false };

	if (mapped_to >= 0)
		map(o, a, mapped_to);
	for (k = 0; k < nclosed; k++)
		shut[closed[k]] = true;
	for (k = 0; k < 3; k++)
		if (!shut[k] || k == mapped_to)
			len += (size_t)snprintf(want + len, sizeof want - len,
			    len ? " %d" : "%d", k);
	save_stdio(&s);
	for (k = 0; k < nclosed; k++)
		close(closed[k]);
	spawn_quietly(&x, o, NULL);
	restore_stdio(&s);
	check_outcome(&x, &r);
	assert_fds(&r, want);
	for (k = 0; k < 3; k++) {
		if (k == mapped_to) {
			assert_same_file(&r, k, a);
			assert_text(&r, k, "alpha");
		} else if (!shut[k]) {
			assert_same_file(&r, k, k);
		}
	}
	ni_spawn_opts_free(o);
	close(a);
}

static void
stdio_closed(void **state)
{
	static const int one[3][1] = { { 0 }, { 1 }, { 2 } };
	static const int two[] = { 0, 1 }, all[] = { 0, 1, 2 };
	int k;

	(void)state;
	for (k = 0; k < 3; k++) {
		check_closed_stdio(one[k], 1, -1);	/* stays closed */
		check_closed_stdio(one[k], 1, k);	/* mapped onto */
	}
	check_closed_stdio(two, 2, 1);
	check_closed_stdio(all, 3, 2);
	check_closed_stdio(all, 3, -1);
}

/* A hundred files on 3..102, mapped by a permutation of the same numbers
 * (k -> 37k mod 100): long cycles where every source is another
 * mapping's target.  Each target has the right file's text. */
#define NPERM 100

static void
many_mappings_permuted(void **state)
{
	ni_spawn_opts *o = sp_opts();
	char text[16], want[16];
	struct report r;
	int k, fd;

	(void)state;
	for (k = 0; k < NPERM; k++) {
		snprintf(text, sizeof text, "f%d", k);
		fd = sp_open_text("perm", text);
		sp_dup_at(fd, 3 + k, (k % 2) == 0);
		close(fd);
		map(o, 3 + k, 3 + (37 * k) % NPERM);
	}
	spawn_report(o, NULL, NULL, &r);
	assert_int_equal(r.nfd, NPERM + 3);
	for (k = 0; k < NPERM; k++) {
		snprintf(want, sizeof want, "f%d", k);
		assert_text(&r, 3 + (37 * k) % NPERM, want);
	}
	for (k = 0; k < NPERM; k++)
		close(3 + k);
	ni_spawn_opts_free(o);
}

/* Targets right below a lowered soft limit: a swap there and a chain
 * ending there work, though nothing can be parked above them. */
static void
swap_at_limit(void **state)
{
	int a = sp_open_text("a", "alpha"), b = sp_open_text("b", "bravo");
	ni_spawn_opts *o = sp_opts(), *chain = sp_opts();
	struct rlimit rl;
	struct report r;

	(void)state;
	sp_dup_at(a, 40, true);
	sp_dup_at(b, 63, true);
	map(o, 40, 63);
	map(o, 63, 40);
	map(chain, 40, 63);
	map(chain, 63, 62);
	close(a);
	close(b);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 40 63");
	assert_text(&r, 40, "bravo");
	assert_text(&r, 63, "alpha");
	spawn_report(chain, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 62 63");
	assert_text(&r, 62, "bravo");
	assert_text(&r, 63, "alpha");
	tu_unlimit_fds();
	ni_spawn_opts_free(o);
	ni_spawn_opts_free(chain);
	close(40);
	close(63);
}

/* The same mapping given twice is no conflict. */
static void
same_mapping_twice(void **state)
{
	int a = sp_open_text("a", "alpha");
	ni_spawn_opts *o = sp_opts();
	struct report r;

	(void)state;
	map(o, a, 5);
	map(o, a, 5);
	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 5");
	assert_same_file(&r, 5, a);
	ni_spawn_opts_free(o);
	close(a);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(any_to_any),
		tu_unit_test(swap),
		tu_unit_test(chain_and_cycle),
		tu_unit_test(rotate_stdio),
		tu_unit_test(one_source_many_targets),
		tu_unit_test(pass_and_map_same_source),
		tu_unit_test(target_over_open_fd),
		tu_unit_test(stdio_closed),
		tu_unit_test(many_mappings_permuted),
		tu_unit_test(swap_at_limit),
		tu_unit_test(same_mapping_twice),
	};

	return tu_run_tests("spawn.map", tests, argc, argv);
}
