/*
 * fixtures.h - the cmocka fixtures every test program of this directory
 * runs under, part of testutil (no libnoinherit, no cmocka inside):
 *
 *   group      a private directory tu_tmpdir, holding a small regular file
 *              tu_regfile ("data"), removed with everything in it at the end
 *   per test   the descriptor table and RLIMIT_NOFILE as they were: the
 *              teardown closes what a test left open (a failed assertion
 *              skips its own close() calls) and restores the limit, so one
 *              failure does not cascade into the next tests' counts
 *
 * A program's main() is then
 *
 *	const struct CMUnitTest tests[] = { tu_unit_test(a), ... };
 *	return tu_run_tests("name", tests, argc, argv);
 *
 * and `program PATTERN` runs only the tests whose name matches.
 */
#ifndef NI_FIXTURES_H
#define NI_FIXTURES_H

#include <limits.h>
#include <stdbool.h>
#include <sys/resource.h>

extern char tu_tmpdir[PATH_MAX];	/* made by tu_group_setup */
extern char tu_regfile[PATH_MAX];	/* tu_tmpdir/file, holding "data" */
extern struct rlimit tu_orig_nofile;	/* restored after every test */

/*
 * Closes the inherited descriptors (tu_close_inherited), sets the umask to
 * 0 (the tests check the exact modes they ask for), names the group (the
 * name goes into tu_tmpdir) and records RLIMIT_NOFILE.  Returns 0 or -1.
 */
int tu_fixtures_init(const char *name);

/* 1, 2, 3...: for names that must not repeat within a run. */
unsigned tu_next_seq(void);

int tu_group_setup(void **state);
int tu_group_teardown(void **state);
int tu_snapshot_fds(void **state);
int tu_restore_state(void **state);

#define tu_unit_test(f) \
	cmocka_unit_test_setup_teardown(f, tu_snapshot_fds, tu_restore_state)

/* The filter is set here, in the test program: minicmocka keeps it per
 * translation unit. */
#define tu_run_tests(name, tests, argc, argv)                                \
	(tu_fixtures_init(name) != 0 ? 2 :                                   \
	 (((argc) > 1 ? cmocka_set_test_filter((argv)[1]) : (void)0),        \
	  cmocka_run_group_tests_name(name, tests, tu_group_setup,           \
				      tu_group_teardown)))

#endif /* NI_FIXTURES_H */
