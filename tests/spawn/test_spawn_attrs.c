/*
 * test_spawn_attrs - what the child of ni_spawn runs with, as the exec'd
 * reporter reports it: working directory (set_cwd, copied), program
 * lookup (no PATH search by default; with it, PATH from envp, else from
 * this process, else /bin:/usr/bin; a non-executable candidate skipped),
 * environment (explicit envp only, or ours with NULL), argv as given,
 * setsid, process group (leader, or an existing group), umask.  None of it
 * may change in this process: cwd, umask, session and group are compared
 * after each spawn.
 *
 * Usage: test_spawn_attrs [NAME-PATTERN]
 */
#define _GNU_SOURCE
#include "spawn_harness.h"

#include <libgen.h>

extern char **environ;

static char bindir[PATH_MAX];	/* where reporter is */

static void
find_bindir(void)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof tmp, "%s", REPORTER_PATH);
	snprintf(bindir, sizeof bindir, "%s", dirname(tmp));
}

static char *
make_dir(char buf[PATH_MAX], const char *prefix)
{
	tu_path_unique(buf, prefix);
	assert_int_equal(mkdir(buf, 0755), 0);
	return buf;
}

/* Our PATH, kept across a test that changes it. */
static char *saved_path;
static bool had_path;

static void
save_path(void)
{
	const char *p = getenv("PATH");

	had_path = p != NULL;
	saved_path = p != NULL ? strdup(p) : NULL;
}

static void
restore_path(void)
{
	if (had_path)
		setenv("PATH", saved_path, 1);
	else
		unsetenv("PATH");
	free(saved_path);
	saved_path = NULL;
}

/* ------------------------------------------------------------------ */
/* cwd                                                                 */
/* ------------------------------------------------------------------ */

/* The child starts in the directory set; the string was copied; NULL is
 * ours; ours did not change. */
static void
cwd(void **state)
{
	char dir[PATH_MAX], real[PATH_MAX], ours[PATH_MAX], now[PATH_MAX];
	ni_spawn_opts *o = sp_opts();
	struct report r;

	(void)state;
	assert_non_null(getcwd(ours, sizeof ours));
	make_dir(dir, "cwd");
	assert_non_null(realpath(dir, real));
	assert_int_equal(ni_spawn_opts_set_cwd(o, dir), 0);
	memset(dir, 'x', strlen(dir));	/* copied, not kept */
	spawn_report(o, NULL, NULL, &r);
	assert_string_equal(r.cwd, real);
	assert_non_null(getcwd(now, sizeof now));
	assert_string_equal(now, ours);

	assert_int_equal(ni_spawn_opts_set_cwd(o, NULL), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_string_equal(r.cwd, ours);

	/* Relative: to our working directory. */
	make_dir(dir, "rel");
	assert_non_null(realpath(dir, real));
	assert_int_equal(chdir(tu_tmpdir), 0);
	assert_int_equal(ni_spawn_opts_set_cwd(o, strrchr(dir, '/') + 1), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_int_equal(chdir(ours), 0);
	assert_string_equal(r.cwd, real);
	ni_spawn_opts_free(o);
}

/* ------------------------------------------------------------------ */
/* PATH search                                                         */
/* ------------------------------------------------------------------ */

/* ni_spawn of a bare name, reporting into a fresh file. */
static int
spawn_name(pid_t *pid, const char *name, char *const envp[],
    const ni_spawn_opts *o, char out[PATH_MAX])
{
	char *argv[] = { (char *)name, (char *)"--out",
	    tu_path_unique(out, "report"), NULL };

	*pid = SENTINEL_PID;
	return ni_spawn(pid, name, argv, envp, o);
}

/* Without search a bare name fails with ENOENT, though PATH (ours and
 * envp's) names its directory and it is in our working directory. */
static void
no_search_by_default(void **state)
{
	char ours[PATH_MAX], out[PATH_MAX], envpath[PATH_MAX + 8];
	char *envp[] = { envpath, NULL };
	ni_spawn_opts *o = sp_opts();
	pid_t pid;

	(void)state;
	save_path();
	setenv("PATH", bindir, 1);
	snprintf(envpath, sizeof envpath, "PATH=%s", bindir);
	assert_non_null(getcwd(ours, sizeof ours));
	assert_int_equal(chdir(bindir), 0);
	assert_spawn_fails(spawn_name(&pid, "reporter", NULL, NULL, out),
	    &pid, ENOENT);
	assert_spawn_fails(spawn_name(&pid, "reporter", envp, o, out),
	    &pid, ENOENT);
	assert_int_equal(ni_spawn_opts_set_search_path(o, false), 0);
	assert_spawn_fails(spawn_name(&pid, "reporter", NULL, o, out),
	    &pid, ENOENT);
	/* A name with a slash is a path, no search needed. */
	assert_int_equal(spawn_name(&pid, "./reporter", NULL, NULL, out), 0);
	assert_int_equal(sp_wait(pid), 0);
	assert_int_equal(chdir(ours), 0);
	restore_path();
	ni_spawn_opts_free(o);
	assert_no_children();
}

/* With search: PATH from envp when given (ours names nothing useful, and
 * the other way round envp's PATH wins and fails); from our environment
 * with envp NULL. */
static void
search_path(void **state)
{
	char out[PATH_MAX], envpath[PATH_MAX + 32];
	char *envp[] = { envpath, (char *)"NI_SPAWN_X=1", NULL };
	char *bad_envp[] = { (char *)"PATH=/nonexistent-ni", NULL };
	char other[PATH_MAX + 32];
	ni_spawn_opts *o = sp_opts();
	struct report r;
	pid_t pid;

	(void)state;
	save_path();
	assert_int_equal(ni_spawn_opts_set_search_path(o, true), 0);
	snprintf(envpath, sizeof envpath, "PATH=/nonexistent-ni:%s", bindir);

	setenv("PATH", "/nonexistent-parent", 1);
	assert_int_equal(spawn_name(&pid, "reporter", envp, o, out), 0);
	assert_int_equal(sp_wait(pid), 0);
	read_report(out, &r);
	assert_int_equal(r.pid, (long)pid);
	assert_string_equal(r.argv[0], "reporter");

	setenv("PATH", bindir, 1);
	assert_spawn_fails(spawn_name(&pid, "reporter", bad_envp, o, out),
	    &pid, ENOENT);

	snprintf(other, sizeof other, "/nonexistent-ni:%s:/bin", bindir);
	setenv("PATH", other, 1);
	assert_int_equal(spawn_name(&pid, "reporter", NULL, o, out), 0);
	assert_int_equal(sp_wait(pid), 0);
	read_report(out, &r);
	assert_int_equal(r.pid, (long)pid);

	restore_path();
	ni_spawn_opts_free(o);
	assert_no_children();
}

/* PATH unset everywhere: /bin:/usr/bin, where "true" is and reporter
 * is not. */
static void
search_default_path(void **state)
{
	char out[PATH_MAX];
	char *argv[] = { (char *)"true", NULL };
	ni_spawn_opts *o = sp_opts();
	pid_t pid = SENTINEL_PID;

	(void)state;
	if (access("/bin/true", X_OK) != 0 && access("/usr/bin/true", X_OK) != 0)
		skip();
	save_path();
	unsetenv("PATH");
	assert_int_equal(ni_spawn_opts_set_search_path(o, true), 0);
	assert_int_equal(ni_spawn(&pid, "true", argv, NULL, o), 0);
	assert_true(pid > 0);
	assert_int_equal(sp_wait(pid), 0);
	assert_spawn_fails(spawn_name(&pid, "reporter", NULL, o, out),
	    &pid, ENOENT);
	restore_path();
	ni_spawn_opts_free(o);
	assert_no_children();
}

/* A candidate that is not executable is passed over, as execvp does;
 * when it is the only one, the answer is EACCES. */
static void
search_skips_eacces(void **state)
{
	char dir[PATH_MAX], file[PATH_MAX], out[PATH_MAX];
	char envpath[2 * PATH_MAX + 8], only[PATH_MAX + 8];
	char *envp[] = { envpath, NULL }, *only_envp[] = { only, NULL };
	ni_spawn_opts *o = sp_opts();
	struct report r;
	pid_t pid;
	int fd;

	(void)state;
	make_dir(dir, "noexec");
	assert_true(snprintf(file, sizeof file, "%s/reporter", dir) <
	    (int)sizeof file);
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	snprintf(envpath, sizeof envpath, "PATH=%s:%s", dir, bindir);
	snprintf(only, sizeof only, "PATH=%s", dir);
	assert_int_equal(ni_spawn_opts_set_search_path(o, true), 0);
	assert_int_equal(spawn_name(&pid, "reporter", envp, o, out), 0);
	assert_int_equal(sp_wait(pid), 0);
	read_report(out, &r);
	assert_int_equal(r.pid, (long)pid);
	assert_spawn_fails(spawn_name(&pid, "reporter", only_envp, o, out),
	    &pid, EACCES);
	ni_spawn_opts_free(o);
}

/* ------------------------------------------------------------------ */
/* Environment and arguments                                           */
/* ------------------------------------------------------------------ */

/* An explicit envp is all the child gets; an empty one is empty. */
static void
envp_explicit(void **state)
{
	char *envp[] = { (char *)"NI_SPAWN_A=1", (char *)"NI_SPAWN_B=two words",
	    NULL };
	char *empty[] = { NULL };
	const char *extra[] = { "--env", "NI_SPAWN_A", "--env", "NI_SPAWN_B",
	    "--env", "NI_SPAWN_PARENT", NULL };
	struct report r;

	(void)state;
	assert_int_equal(setenv("NI_SPAWN_PARENT", "ours", 1), 0);
	spawn_report(NULL, envp, extra, &r);
	assert_int_equal(r.envc, 2);
	assert_string_equal(r.env[0], "NI_SPAWN_A=1");
	assert_string_equal(r.env[1], "NI_SPAWN_B=two words");
	assert_string_equal(r.env[2], "NI_SPAWN_PARENT");	/* unset */
	spawn_report(NULL, empty, extra, &r);
	assert_int_equal(r.envc, 0);
	assert_string_equal(r.env[0], "NI_SPAWN_A");
	unsetenv("NI_SPAWN_PARENT");
}

/* envp NULL: environ as it is now (a variable set just before). */
static void
envp_null_is_environ(void **state)
{
	const char *extra[] = { "--env", "NI_SPAWN_MARK", NULL };
	struct report r;
	int n = 0;

	(void)state;
	assert_int_equal(setenv("NI_SPAWN_MARK", "xyz", 1), 0);
	while (environ[n] != NULL)
		n++;
	spawn_report(NULL, NULL, extra, &r);
	assert_string_equal(r.env[0], "NI_SPAWN_MARK=xyz");
	assert_int_equal(r.envc, n);
	unsetenv("NI_SPAWN_MARK");
	spawn_report(NULL, NULL, extra, &r);
	assert_string_equal(r.env[0], "NI_SPAWN_MARK");
}

/* argv as given: argv[0] need not be the file; empty and spaced words. */
static void
argv_passed(void **state)
{
	char out[PATH_MAX];
	char *argv[] = { (char *)"some-name", (char *)"--out",
	    tu_path_unique(out, "report"),
	    (char *)"--", (char *)"", (char *)"two words", (char *)"-x", NULL };
	struct report r;
	pid_t pid = SENTINEL_PID;

	(void)state;
	assert_int_equal(ni_spawn(&pid, REPORTER_PATH, argv, NULL, NULL), 0);
	assert_int_equal(sp_wait(pid), 0);
	read_report(out, &r);
	assert_int_equal(r.argc, 7);
	assert_string_equal(r.argv[0], "some-name");
	assert_string_equal(r.argv[3], "--");
	assert_string_equal(r.argv[4], "");
	assert_string_equal(r.argv[5], "two words");
	assert_string_equal(r.argv[6], "-x");
	assert_no_children();
}

/* ------------------------------------------------------------------ */
/* Session, process group, umask                                       */
/* ------------------------------------------------------------------ */

static void
defaults_are_ours(void **state)
{
	struct report r;

	(void)state;
	umask(022);
	spawn_report(NULL, NULL, NULL, &r);
	umask(0);
	assert_int_equal(r.umask, 022);
	assert_int_equal(r.sid, (long)getsid(0));
	assert_int_equal(r.pgid, (long)getpgid(0));
	assert_int_equal(r.ppid, (long)getpid());
}

static void
setsid_new_session(void **state)
{
	ni_spawn_opts *o = sp_opts();
	pid_t sid = getsid(0), pgid = getpgid(0);
	struct report r;

	(void)state;
	assert_int_equal(ni_spawn_opts_set_setsid(o, true), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_int_equal(r.sid, r.pid);
	assert_int_equal(r.pgid, r.pid);
	/* setsid wins over a process group. */
	assert_int_equal(ni_spawn_opts_set_pgroup(o, pgid), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_int_equal(r.sid, r.pid);
	assert_int_equal(r.pgid, r.pid);
	assert_int_equal(getsid(0), sid);
	assert_int_equal(getpgid(0), pgid);
	assert_int_equal(ni_spawn_opts_set_setsid(o, false), 0);
	assert_int_equal(ni_spawn_opts_set_pgroup(o, 0), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_int_equal(r.sid, (long)sid);
	ni_spawn_opts_free(o);
}

/* pgroup 0: the child leads a new group; an existing group (a leader we
 * fork): the child joins it. */
static void
process_group(void **state)
{
	ni_spawn_opts *o = sp_opts();
	pid_t leader, pgid = getpgid(0);
	struct report r;

	(void)state;
	assert_int_equal(ni_spawn_opts_set_pgroup(o, 0), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_int_equal(r.pgid, r.pid);
	assert_int_equal(r.sid, (long)getsid(0));

	leader = fork();
	assert_true(leader >= 0);
	if (leader == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	(void)setpgid(leader, leader);	/* whoever comes first */
	assert_int_equal(getpgid(leader), leader);
	assert_int_equal(ni_spawn_opts_set_pgroup(o, leader), 0);
	{
		char out[PATH_MAX];
		char *argv[] = { (char *)REPORTER_PATH, (char *)"--out",
		    tu_path_unique(out, "report"), NULL };
		pid_t pid = SENTINEL_PID;
		int rc = ni_spawn(&pid, REPORTER_PATH, argv, NULL, o);
		int e = errno, st = rc == 0 ? sp_wait(pid) : -1;

		kill(leader, SIGKILL);
		assert_int_equal(sp_wait(leader), 1000 + SIGKILL);
		if (rc != 0)
			fail_msg("ni_spawn into group %ld: errno %d (%s)",
			    (long)leader, e, strerror(e));
		assert_int_equal(st, 0);
		read_report(out, &r);
		assert_int_equal(r.pgid, (long)leader);
	}
	assert_int_equal(getpgid(0), pgid);
	ni_spawn_opts_free(o);
	assert_no_children();
}

/* The umask set, permission bits only; ours unchanged. */
static void
umask_set(void **state)
{
	ni_spawn_opts *o = sp_opts();
	struct report r;
	mode_t ours;

	(void)state;
	assert_int_equal(ni_spawn_opts_set_umask(o, 027), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_int_equal(r.umask, 027);
	assert_int_equal(ni_spawn_opts_set_umask(o, 07777), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_int_equal(r.umask, 0777);
	ours = umask(0);
	assert_int_equal(ours, 0);	/* the fixtures' */
	ni_spawn_opts_free(o);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(cwd),
		tu_unit_test(no_search_by_default),
		tu_unit_test(search_path),
		tu_unit_test(search_default_path),
		tu_unit_test(search_skips_eacces),
		tu_unit_test(envp_explicit),
		tu_unit_test(envp_null_is_environ),
		tu_unit_test(argv_passed),
		tu_unit_test(defaults_are_ours),
		tu_unit_test(setsid_new_session),
		tu_unit_test(process_group),
		tu_unit_test(umask_set),
	};

	find_bindir();
	return tu_run_tests("spawn.attrs", tests, argc, argv);
}
