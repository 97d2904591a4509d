/*
 * trace.c - `noinherit trace [-o FILE] [--json] [--fail-on-leak] [--] CMD
 * [ARG...]`: run CMD and everything it starts under the shim in trace mode,
 * then say which descriptors crossed an exec, into which program, and
 * where they were made.
 *
 * The run:
 *   1. a private log file, mkstemp(3) in $TMPDIR (else /tmp), mode 0600;
 *      the shim in every process appends records to it by name
 *      (preload/FORMAT.md), and it is unlinked once CMD has exited;
 *   2. CMD is started with ni_spawn: the standard streams only, PATH
 *      searched, LD_PRELOAD and the NOINHERIT_ variables set;
 *   3. while it runs, the log is read as it grows (inotify), so that the
 *      sockets it names can be described (sock_diag) while they still
 *      exist; SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to this process
 *      alone are passed on to CMD (a terminal's reach CMD directly), and
 *      this process stays to reap CMD and report;
 *   4. once CMD has exited: the rest of the log, the analysis
 *      (trace_find.c), symbols (trace_symbols.c), the report.
 *
 * The report goes to the standard error by default, so that CMD's own
 * output on the standard output stays as it is; -o FILE writes it to FILE
 * instead ("-" for the standard output).  Records that descendants still
 * running write after CMD has exited are not read.
 *
 * Exit status: CMD's own (128+N when a signal N killed it); when CMD
 * exited 0, 1 with --fail-on-leak if anything leaked; 2 for a usage error,
 * a setup error or a report that cannot be written; 126 and 127 when CMD
 * cannot be run or found, as sh(1) says.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "noinherit.h"
#include "trace.h"

#define EXIT_LEAK 1

struct topts {
	const char *out;	/* -o FILE, or NULL */
	bool json, fail_on_leak;
	char **cmd;
};

#define say(...) cli_say("trace", __VA_ARGS__)

static const char trace_help[] =
    "usage: noinherit trace [-o FILE] [--json] [--fail-on-leak] "
    "[--] CMD [ARG...]\n"
    "\n"
    "Run CMD under libnoinherit-preload.so and report every descriptor\n"
    "beyond 0-2 that crossed an exec into CMD's descendants: the\n"
    "program that received it, the one that passed it on, what it is\n"
    "and the backtrace of the call that made it.\n"
    "\n"
    "  -o, --output FILE  write the report to FILE ('-': standard\n"
    "                     output) instead of the standard error\n"
    "  --json             one JSON object per finding, one a line\n"
    "  --fail-on-leak     exit 1 if anything leaked (and CMD exited 0)\n"
    "  -h, --help         print this help and exit\n"
    "\n"
    "Options end at the first argument that is not one, or at '--'.\n"
    "Exit status: CMD's own (128+N if killed by signal N), or 1 with\n"
    "--fail-on-leak; 2 usage or setup error, 126 CMD cannot be\n"
    "executed, 127 CMD not found.\n";

/* Fills o; returns 0, 1 for --help, or -1 (said). */
static int
parse_args(int argc, char **argv, struct topts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "fail-on-leak", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "+:o:h", longopts)) != -1) {
		switch (c) {
		case 'h':
			return 1;
		case 'j':
			o->json = true;
			break;
		case 'f':
			o->fail_on_leak = true;
			break;
		case 'o':
			if (*optarg == '\0') {
				say("empty file name after '-o' (try --help)");
				return -1;
			}
			o->out = optarg;
			break;
		default:
			(void)cli_bad_option("trace", c, argv, "a file name");
			return -1;
		}
	}
	if (optind >= argc) {
		say("no command given (try --help)");
		return -1;
	}
	o->cmd = argv + optind;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Signals                                                             */
/* ------------------------------------------------------------------ */

static const int passed_on[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static volatile sig_atomic_t pending;	/* bit per signal to pass on */
static volatile sig_atomic_t child_pid;

static void
on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* A terminal's signal (SI_KERNEL) went to CMD's process group too;
	 * one that CMD sent itself needs no echo. */
	if (si->si_code <= 0 && si->si_pid != child_pid)
		pending |= 1 << sig;
}

static struct sigaction saved[sizeof passed_on / sizeof passed_on[0]];

/*
 * Catches the signals to pass on and blocks them (they are received in
 * ppoll only); *old gets the mask to restore and to give CMD.  A signal
 * this process ignores (nohup, a background job of a shell without job
 * control) stays ignored, for CMD too.
 */
static void
catch_signals(sigset_t *old)
{
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < sizeof passed_on / sizeof passed_on[0]; i++) {
		sigaction(passed_on[i], NULL, &saved[i]);
		if (saved[i].sa_handler == SIG_IGN)
			continue;
		sigaction(passed_on[i], &sa, NULL);
		sigaddset(&block, passed_on[i]);
	}
	sigprocmask(SIG_BLOCK, &block, old);
}

/* CMD is gone: the signals act on this process again, as before. */
static void
release_signals(const sigset_t *old)
{
	size_t i;

	for (i = 0; i < sizeof passed_on / sizeof passed_on[0]; i++)
		sigaction(passed_on[i], &saved[i], NULL);
	sigprocmask(SIG_SETMASK, old, NULL);
}

static void
pass_on(pid_t pid)
{
	size_t i;
	int bits = pending;

	pending = 0;
	for (i = 0; i < sizeof passed_on / sizeof passed_on[0]; i++)
		if (bits & (1 << passed_on[i]))
			(void)kill(pid, passed_on[i]);
}

/* ------------------------------------------------------------------ */
/* The log                                                             */
/* ------------------------------------------------------------------ */

struct run {
	char path[PATH_MAX];
	int fd;			/* read end, our own offset */
	int ino;		/* inotify, or -1 */
	struct tlog log;
	bool nomem;
};

static int
make_log(struct run *r)
{
	const char *dir = getenv("TMPDIR");

	if (dir == NULL || dir[0] != '/')
		dir = "/tmp";
	if ((size_t)snprintf(r->path, sizeof r->path,
	    "%s/noinherit-trace.XXXXXX", dir) >= sizeof r->path) {
		r->path[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	r->fd = ni_mkstemp(r->path);
	if (r->fd < 0) {
		r->path[0] = '\0';	/* nothing to remove */
		return -1;
	}
	r->ino = ni_inotify_init1(IN_NONBLOCK);
	if (r->ino >= 0 && inotify_add_watch(r->ino, r->path, IN_MODIFY) < 0) {
		close(r->ino);
		r->ino = -1;
	}
	return 0;
}

/* Reads what the log has gained; new sockets are described at once. */
static void
drain(struct run *r)
{
	char buf[65536];
	size_t before = r->log.n;
	ssize_t n;

	for (;;) {
		n = read(r->fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (trace_log_feed(&r->log, buf, (size_t)n) < 0)
			r->nomem = true;
	}
	if (r->ino >= 0) {
		while (read(r->ino, buf, sizeof buf) > 0)
			;	/* the events only woke us */
	}
	if (r->log.n > before)
		trace_log_resolve_sockets(&r->log, before);
}

/* Waits for CMD, reading the log meanwhile; returns its wait status. */
static int
wait_cmd(struct run *r, pid_t pid, int pidfd, const sigset_t *mask)
{
	struct pollfd p[2];
	struct timespec tick = { 0, 100 * 1000 * 1000 }, *timeout;
	int status, np;
	pid_t w;

	for (;;) {
		if (pending)
			pass_on(pid);
		np = 0;
		if (pidfd >= 0)
			p[np++] = (struct pollfd){ pidfd, POLLIN, 0 };
		if (r->ino >= 0)
			p[np++] = (struct pollfd){ r->ino, POLLIN, 0 };
		/* Without a pidfd or inotify, look every 100 ms. */
		timeout = pidfd >= 0 && r->ino >= 0 ? NULL : &tick;
		(void)ppoll(p, (nfds_t)np, timeout, mask);
		drain(r);
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return 0;	/* ECHILD: cannot happen */
	}
}

/* ------------------------------------------------------------------ */
/* The report                                                          */
/* ------------------------------------------------------------------ */

/* Messages about the log itself, on stderr. */
static void
notes(const struct run *r, const struct analysis *a, const char *cmd)
{
	if (r->nomem)
		say("out of memory while reading the log: the report is "
		    "incomplete");
	if (r->log.bad > 0)
		say("skipped %zu malformed line%s of %zu in the log (the "
		    "first, line %zu: %s): the report may miss what they "
		    "held", r->log.bad, r->log.bad == 1 ? "" : "s",
		    r->log.lines, r->log.first_bad, r->log.first_why);
	if (!a->root_seen)
		say("%.256s never reported to the shim (statically linked, "
		    "setuid, or it failed before main): only programs it "
		    "started could be traced", cmd);
	if (a->unreached > 0)
		say("%zu exec%s passed descriptors to a program the shim "
		    "never saw start (statically linked or setuid, or the "
		    "exec failed), e.g. %.256s: what crossed those is not "
		    "reported", a->unreached, a->unreached == 1 ? "" : "s",
		    a->unreached_target);
}

/*
 * Where the report goes, opened before CMD runs so that a bad -o is known
 * at once: stderr, stdout for "-", or FILE.  NULL (said) on failure.
 */
static FILE *
open_report(const char *out)
{
	FILE *f;
	int fd;

	if (out == NULL)
		return stderr;
	if (strcmp(out, "-") == 0)
		return stdout;
	fd = ni_open(out, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		say("%.256s: %s", out, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	return f;
}

/* Writes the report and closes f; 0, or -1 if it failed (said). */
static int
report(FILE *f, const struct topts *o, struct analysis *a)
{
	int rc = 0;

	trace_symbolize(a);
	if (o->json)
		trace_report_json(f, a);
	else
		trace_report_text(f, a);
	if (fflush(f) != 0 || ferror(f)) {
		say("%.256s: write error: %s", o->out ? o->out : "stderr",
		    strerror(errno ? errno : EIO));
		rc = -1;
	}
	if (f != stderr && f != stdout && fclose(f) != 0 && rc == 0) {
		say("%.256s: %s", o->out, strerror(errno));
		rc = -1;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* The command                                                         */
/* ------------------------------------------------------------------ */

/* Starts CMD; returns 0, or the exit status for a CMD that did not run. */
static int
start(const struct topts *o, char **env, const sigset_t *mask, pid_t *pid,
    int *pidfd)
{
	ni_spawn_opts *so = ni_spawn_opts_new();
	int r, err;

	if (so == NULL || ni_spawn_opts_set_search_path(so, true) != 0 ||
	    ni_spawn_opts_set_sigmask(so, mask) != 0) {
		say("%s", strerror(errno));
		ni_spawn_opts_free(so);
		return EXIT_USAGE;
	}
	r = ni_spawn_pidfd(pidfd, pid, o->cmd[0], o->cmd, env, so);
	if (r != 0 && errno == ENOSYS) {
		*pidfd = -1;
		r = ni_spawn(pid, o->cmd[0], o->cmd, env, so);
	}
	err = errno;
	ni_spawn_opts_free(so);
	if (r == 0) {
		child_pid = *pid;
		return 0;
	}
	return cli_exec_failed("trace", o->cmd[0], err);
}

static int
exit_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_USAGE;
}

/*
 * CMD has exited with status: the rest of the log, the analysis, the
 * report (f is closed).  Returns the exit status of `trace`.
 */
static int
conclude(struct run *r, const struct topts *o, FILE *f, pid_t pid,
    int status)
{
	struct analysis a;
	int rc = exit_status(status);

	drain(r);
	if (trace_log_finish(&r->log) < 0)
		r->nomem = true;
	trace_log_resolve_sockets(&r->log, 0);	/* merged parts, survivors */
	(void)unlink(r->path);
	r->path[0] = '\0';
	if (trace_analyze(&r->log, (long)pid, &a) != 0) {
		say("out of memory");
		trace_analysis_free(&a);
		if (f != stderr && f != stdout)
			fclose(f);
		return EXIT_USAGE;
	}
	notes(r, &a, o->cmd[0]);
	if (report(f, o, &a) != 0)
		rc = EXIT_USAGE;
	else if (rc == 0 && o->fail_on_leak && a.n > 0)
		rc = EXIT_LEAK;
	trace_analysis_free(&a);
	return rc;
}

/* Everything before CMD runs; 0, or the exit status (said). */
static int
prepare(const struct topts *o, struct run *r, char ***env)
{
	const char *shim = shim_path("trace");

	if (shim == NULL)
		return EXIT_USAGE;
	shim_check_command("trace", o->cmd[0]);
	if (make_log(r) != 0) {
		say("cannot create the log file in %s: %s",
		    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		    strerror(errno));
		return EXIT_USAGE;
	}
	*env = shim_env(shim, "trace", r->path);
	if (*env == NULL) {
		say("%s", strerror(errno));
		return EXIT_USAGE;
	}
	return 0;
}

int
cmd_trace(int argc, char **argv)
{
	struct topts o = { NULL, false, false, NULL };
	struct run r = { .fd = -1, .ino = -1 };
	char **env = NULL;
	FILE *out;
	sigset_t mask;
	int rc, pidfd = -1;
	pid_t pid;

	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? cli_help("trace", trace_help) : EXIT_USAGE;
	out = open_report(o.out);
	if (out == NULL)
		return EXIT_USAGE;
	rc = prepare(&o, &r, &env);
	if (rc == 0) {
		catch_signals(&mask);
		fflush(NULL);
		rc = start(&o, env, &mask, &pid, &pidfd);
		if (rc == 0) {
			rc = wait_cmd(&r, pid, pidfd, &mask);
			release_signals(&mask);
			rc = conclude(&r, &o, out, pid, rc);
			out = NULL;
		} else {
			release_signals(&mask);
		}
	}
	if (out != NULL && out != stderr && out != stdout)
		fclose(out);
	if (r.path[0] != '\0')
		(void)unlink(r.path);
	if (r.fd >= 0)
		close(r.fd);
	if (r.ino >= 0)
		close(r.ino);
	if (pidfd >= 0)
		close(pidfd);
	trace_log_free(&r.log);
	shim_env_free(env);
	return rc;
}
