/*
 * trace.c - `noinherit trace [-o FILE] [--json] [--fail-on-leak]
 * [--allow PATTERN]... [--pass-fd N]... [--map-fd FROM:TO]... [--] CMD
 * [ARG...]`: run CMD and everything it starts, observed, then say which
 * descriptors crossed an exec, into which program, where they were made,
 * and whether they were passed on purpose or leaked.
 *
 * The run:
 *   1. the channel (trace_ptrace.c, FORMAT.md): an abstract socket only
 *      this process listens on; the shim, loaded into every dynamically
 *      linked program through LD_PRELOAD, sends its records there;
 *   2. CMD is forked from this process, seized with ptrace before it
 *      execs, given the standard streams plus the --pass-fd/--map-fd
 *      descriptors, and exec'd (PATH searched) with LD_PRELOAD and the
 *      NOINHERIT_ variables set;
 *   3. while it runs: every fork, clone and exec of the tree is a ptrace
 *      event (trace_ptrace.c makes the start records from what the kernel
 *      left at each exec), records are read as they come, and sockets
 *      described (sock_diag) while they exist.  SIGINT, SIGTERM, SIGHUP
 *      and SIGQUIT sent to this process alone are passed on to CMD (a
 *      terminal's reach CMD directly, through ptrace); this process stays
 *      to reap CMD and report;
 *   4. once CMD has exited: the rest of the records, the processes still
 *      running let go, the analysis (trace_find.c), symbols, the report.
 *
 * The report goes to the standard error by default, so that CMD's own
 * output on the standard output stays as it is; -o FILE writes it to FILE
 * instead ("-" for the standard output).
 *
 * Exit status: CMD's own (128+N when a signal N killed it); when CMD
 * exited 0 and --fail-on-leak is given, 1 if anything leaked (passed on
 * purpose and --allow'ed crossings do not count), else 3 if part of the
 * tree could not be observed; 2 for a usage error, a setup error or a
 * report that cannot be written; 126 and 127 when CMD cannot be run or
 * found, as sh(1) says.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "noinherit.h"
#include "trace.h"

#define EXIT_LEAK 1
#define EXIT_INCOMPLETE 3


struct topts {
	const char *out;	/* -o FILE, or NULL */
	const char *sarif;	/* --sarif FILE, or NULL */
	bool json, fail_on_leak;
	char **allow;		/* --allow patterns */
	size_t nallow;
	struct cli_fdmap *map;	/* --pass-fd, --map-fd */
	size_t nmap;
	struct ni_spawn_opts *plan;	/* made from map: CMD's descriptors */
	char **cmd;
};

#define say(...) cli_say("trace", __VA_ARGS__)

static const char trace_help[] =
    "usage: noinherit trace [-o FILE] [--json] [--fail-on-leak] "
    "[--sarif FILE]\n"
    "                       [--allow PATTERN]... [--pass-fd N]... "
    "[--map-fd FROM:TO]...\n"
    "                       [--] CMD [ARG...]\n"
    "\n"
    "Run CMD, observed with ptrace and libnoinherit-preload.so, and\n"
    "report every descriptor beyond 0-2 that crossed an exec into\n"
    "CMD's descendants: the program that received it, the one that\n"
    "passed it on, what it is, the backtrace of the call that made\n"
    "it, and whether it was passed on purpose or leaked.\n"
    "\n"
    "  -o, --output FILE  write the report to FILE ('-': standard\n"
    "                     output) instead of the standard error\n"
    "  --json             one JSON object per finding, one a line\n"
    "  --fail-on-leak     exit 1 if anything leaked, 3 if part of the\n"
    "                     tree could not be observed (CMD exited 0)\n"
    "  --allow PATTERN    a leak into a program, or of a target, that\n"
    "                     matches PATTERN (fnmatch: path or base name\n"
    "                     of the program, the target) is allowed\n"
    "  --pass-fd N        CMD gets fd N as fd N (= --map-fd N:N)\n"
    "  --map-fd FROM:TO   CMD gets this command's fd FROM as fd TO\n"
    "  --sarif FILE       also write the findings to FILE as SARIF 2.1.0\n"
    "  -h, --help         print this help and exit\n"
    "\n"
    "Options end at the first argument that is not one, or at '--'.\n"
    "Exit status: CMD's own (128+N if killed by signal N), or with\n"
    "--fail-on-leak 1 (leak) or 3 (incomplete); 2 usage or setup\n"
    "error, 126 CMD cannot be executed, 127 CMD not found.\n";

/* Fills o; returns 0, 1 for --help, or -1 (said). */
static int
parse_args(int argc, char **argv, struct topts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "fail-on-leak", no_argument, NULL, 'f' },
		{ "allow", required_argument, NULL, 'A' },
		{ "pass-fd", required_argument, NULL, 'P' },
		{ "map-fd", required_argument, NULL, 'M' },
		{ "sarif", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->allow = calloc((size_t)argc, sizeof *o->allow);
	o->map = calloc((size_t)argc, sizeof *o->map);
	if (o->allow == NULL || o->map == NULL) {
		say("%s", strerror(errno));
		return -1;
	}
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
		case 'A':
			o->allow[o->nallow++] = optarg;
			break;
		case 'P':
		case 'M':
			if (cli_parse_fdmap("trace", c == 'P', optarg,
			    &o->map[o->nmap++]) != 0)
				return -1;
			break;
		case 's':
			if (*optarg == '\0') {
				say("empty file name after '--sarif' (try "
				    "--help)");
				return -1;
			}
			o->sarif = optarg;
			break;
		default:
			(void)cli_bad_option("trace", c, argv,
			    cli_optword(argv)[1] == 'o' ||
			    strncmp(cli_optword(argv), "--o", 3) == 0 ||
			    strncmp(cli_optword(argv), "--s", 3) == 0 ?
			    "a file name" : "an argument");
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

/*
 * Blocks SIGCHLD and the signals to pass on (a signal this process
 * ignores -- nohup, a background job -- stays ignored, for CMD too) and
 * returns a signalfd for the latter; *old gets the mask to give CMD.  -1
 * (said).  SIGCHLD stays blocked and unread: the stops are waited for in
 * waitpid, and a pending SIGCHLD only stays pending.
 */
static int
catch_signals(sigset_t *old)
{
	struct sigaction sa;
	sigset_t block, pass;
	size_t i;
	int fd;

	sigemptyset(&pass);
	for (i = 0; i < sizeof passed_on / sizeof passed_on[0]; i++) {
		sigaction(passed_on[i], NULL, &sa);
		if (sa.sa_handler != SIG_IGN)
			sigaddset(&pass, passed_on[i]);
	}
	block = pass;
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, old);
	fd = ni_signalfd(-1, &pass, SFD_NONBLOCK);
	if (fd < 0) {
		say("signalfd: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, old, NULL);
	}
	return fd;
}

/* ------------------------------------------------------------------ */
/* The command                                                         */
/* ------------------------------------------------------------------ */

/*
 * In the child: CMD with the standard streams and the mappings only, as
 * `noinherit exec` makes it (ni_exec).  Returns the errno of what failed,
 * with the descriptor table as it was (errfd still there).
 */
static int
child_exec(const struct topts *o, char **env)
{
	(void)ni_exec(o->cmd[0], o->cmd, env, o->plan);
	return errno;
}

/*
 * NOINHERIT_STARTS=kernel added to env (any older one dropped): the
 * observer makes the start records, the shim need not send its own.  The
 * child takes it out again when ptrace was refused.  0, or -1 (ENOMEM).
 */
static int
add_starts_var(char ***env)
{
	size_t n = 0, k = 0, i;
	char **v = *env;

	for (i = 0; v[i] != NULL; i++) {
		if (strncmp(v[i], "NOINHERIT_STARTS=", 17) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	}
	n = k;
	v[n] = NULL;
	v = realloc(v, (n + 2) * sizeof *v);
	if (v == NULL)
		return -1;
	*env = v;
	if ((v[n] = strdup("NOINHERIT_STARTS=kernel")) == NULL)
		return -1;
	v[n + 1] = NULL;
	return 0;
}

static void
drop_starts_var(char **env)
{
	size_t i, k = 0;

	for (i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], "NOINHERIT_STARTS=", 17) != 0)
			env[k++] = env[i];
	env[k] = NULL;		/* in the child: nothing freed */
}

/*
 * Forks CMD and seizes it before it execs.  *errfd: the read end of a
 * pipe on which the child reports an exec that failed.  0, or -1 (said).
 */
static int
start(struct topts *o, char **env, const sigset_t *mask, struct observer *obs,
    pid_t *pid, int *errfd)
{
	int sync[2], err[2], e;
	const char *why;
	char c;
	pid_t p;

	if (ni_pipe(sync) != 0 || ni_pipe(err) != 0) {
		say("pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	p = fork();
	if (p < 0) {
		say("fork: %s", strerror(errno));
		return -1;
	}
	if (p == 0) {
		close(sync[1]);
		close(err[0]);
		/* Wait until the parent has seized this process. */
		c = 0;
		while (read(sync[0], &c, 1) < 0 && errno == EINTR)
			;
		close(sync[0]);
		if (c != 'k')
			drop_starts_var(env);
		sigprocmask(SIG_SETMASK, mask, NULL);
		e = child_exec(o, env);
		(void)!write(err[1], &e, sizeof e);
		_exit(EXIT_NOT_FOUND);
	}
	close(sync[0]);
	close(err[1]);
	c = 'k';
	if (trace_obs_seize(obs, p, &why) != 0) {
		say("cannot trace with ptrace (%s): only programs the shim "
		    "reaches are observed, and the report is incomplete", why);
		c = 'n';
	}
	(void)!write(sync[1], &c, 1);
	close(sync[1]);
	*pid = p;
	*errfd = err[0];
	return 0;
}

/*
 * The channel has a thread of its own, the reader, so that the main
 * thread can wait for the tree's stops in a blocking waitpid, woken by
 * each stop and by nothing else.  (With one thread, every stop cost a
 * poll, a read of SIGCHLD from a signalfd and an empty waitpid besides,
 * and a wake-up for a SIGCHLD whose stop was already handled.)  The
 * reader also passes on the signals sent to this process.
 *
 * The observer and the log are one lock's: the reader holds it while it
 * reads records, the main thread while it handles a stop.  An exec stop
 * reads the channel itself first, under the lock, so a record sent
 * before an execve still comes before the new program's start record.
 */
struct reader {
	struct observer *obs;
	pthread_mutex_t lock;
	pthread_t tid;
	int sfd;		/* the signals to pass on */
	int ctl[2];		/* 'g': CMD is pid, serve; EOF: exit */
	pid_t pid;
};

/* All the signals pending in sfd, passed on to pid. */
static void
pass_signals(int sfd, pid_t pid)
{
	struct signalfd_siginfo si[8];
	ssize_t got;
	size_t i;

	do {
		got = read(sfd, si, sizeof si);
		for (i = 0; got > 0 && i < (size_t)got / sizeof si[0]; i++) {
			if (si[i].ssi_signo == SIGCHLD)
				continue;
			/* A terminal's signal (SI_KERNEL) went to CMD's
			 * process group too; one CMD sent needs no echo. */
			if (si[i].ssi_code <= 0 && (pid_t)si[i].ssi_pid != pid)
				(void)kill(pid, (int)si[i].ssi_signo);
		}
	} while (got == (ssize_t)sizeof si || (got < 0 && errno == EINTR));
}

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	struct pollfd p[2 + 260];
	bool go = false, talk, moved;
	pid_t pid = 0;
	size_t n, i;
	ssize_t k;
	char c;

	for (;;) {
		n = 0;
		p[n++] = (struct pollfd){ r->ctl[0], POLLIN, 0 };
		if (go) {
			p[n++] = (struct pollfd){ r->sfd, POLLIN, 0 };
			pthread_mutex_lock(&r->lock);
			n += trace_obs_pollfds(r->obs, p + n, 260);
			pthread_mutex_unlock(&r->lock);
		}
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;	/* the exec stops and the end read the rest */
		}
		if (p[0].revents != 0) {
			k = read(r->ctl[0], &c, 1);
			if (k < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (k != 1)
				break;
			pthread_mutex_lock(&r->lock);
			pid = r->pid;
			pthread_mutex_unlock(&r->lock);
			go = true;
			continue;
		}
		if (p[1].revents != 0)
			pass_signals(r->sfd, pid);
		for (talk = false, i = 2; i < n; i++)
			if (p[i].revents != 0)
				talk = true;
		if (talk) {
			pthread_mutex_lock(&r->lock);
			moved = trace_obs_drain(r->obs);
			pthread_mutex_unlock(&r->lock);
			/* Readable, and nothing could be taken (accept4 out of
			 * descriptors): not a busy loop; the exec stops still
			 * read the channel themselves. */
			if (!moved)
				(void)poll(p, 1, 10);
		}
	}
	return NULL;
}

/* Starts the reader (waiting for 'g').  0, or -1 (said). */
static int
reader_start(struct reader *r, struct observer *obs, int sfd)
{
	int e;

	r->obs = obs;
	r->sfd = sfd;
	r->pid = 0;
	if (ni_pipe(r->ctl) != 0) {
		say("pipe: %s", strerror(errno));
		return -1;
	}
	pthread_mutex_init(&r->lock, NULL);
	e = pthread_create(&r->tid, NULL, reader_main, r);
	if (e != 0) {
		say("cannot start a thread: %s", strerror(e));
		close(r->ctl[0]);
		close(r->ctl[1]);
		pthread_mutex_destroy(&r->lock);
		return -1;
	}
	return 0;
}

/* Tells the reader that CMD is pid: it serves from now on. */
static void
reader_go(struct reader *r, pid_t pid)
{
	pthread_mutex_lock(&r->lock);
	r->pid = pid;
	pthread_mutex_unlock(&r->lock);
	while (write(r->ctl[1], "g", 1) < 0 && errno == EINTR)
		;
}

/* Stops the reader and waits for it: the observer is this thread's. */
static void
reader_stop(struct reader *r)
{
	close(r->ctl[1]);
	pthread_join(r->tid, NULL);
	close(r->ctl[0]);
	pthread_mutex_destroy(&r->lock);
}

/* Waits for CMD, observing; returns its wait status. */
static int
wait_cmd(struct reader *r, pid_t pid)
{
	int status = 0, st;
	bool done = false;
	pid_t w;

	/* Until CMD has exited; then what is already there, and no more
	 * waiting (the survivors are let go). */
	for (;;) {
		w = waitpid(-1, &st, __WALL | (done ? WNOHANG : 0));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		pthread_mutex_lock(&r->lock);
		if (trace_obs_traced(r->obs)) {
			if (trace_obs_event(r->obs, w, st, &status))
				done = true;
		} else if (w == pid) {
			status = st;
			done = true;
		}
		pthread_mutex_unlock(&r->lock);
	}
	return status;
}

/* ------------------------------------------------------------------ */
/* The report                                                          */
/* ------------------------------------------------------------------ */

/* Messages about the run itself, on stderr. */
static void
notes(const struct tlog *l, const struct observer *obs,
    const struct analysis *a, const char *cmd, size_t survivors)
{
	const struct tgap *g;
	size_t i, n = trace_obs_gaps(obs, &g);

	if (trace_obs_nomem(obs))
		say("out of memory while observing: the report is "
		    "incomplete");
	if (l->bad > 0)
		say("skipped %zu malformed record%s of %zu (the first, "
		    "record %zu: %s): the report may miss what they held",
		    l->bad, l->bad == 1 ? "" : "s", l->lines, l->first_bad,
		    l->first_why);
	if (trace_obs_rejected(obs) > 0)
		say("refused %zu connection%s to the channel from processes "
		    "outside the traced tree", trace_obs_rejected(obs),
		    trace_obs_rejected(obs) == 1 ? "" : "s");
	if (!trace_obs_traced(obs) && !a->root_seen)
		say("%.256s never reported to the shim (statically linked, "
		    "setuid, or it failed before main): only programs it "
		    "started could be traced", cmd);
	if (a->unreached > 0)
		say("%zu exec%s passed descriptors to a program the shim "
		    "never saw start (statically linked or setuid, or the "
		    "exec failed), e.g. %.256s: what crossed those is not "
		    "reported", a->unreached, a->unreached == 1 ? "" : "s",
		    a->unreached_target);
	for (i = 0; i < n; i++)
		say("incomplete: %.256s (pid %ld) was not observed: %s",
		    g[i].exe, g[i].pid, g[i].why);
	if (survivors > 0)
		say("%zu process%s still ran when %.256s exited: what %s "
		    "later is not observed", survivors,
		    survivors == 1 ? "" : "es", cmd,
		    survivors == 1 ? "it execs" : "they exec");
}

/*
 * Whether the directory of path is shared: sticky and writable by all, as
 * /tmp is, where another user may have put a file, a symbolic link or a
 * FIFO at that name before us (the kernel's fs.protected_* guards are not
 * always on).
 */
static bool
shared_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	size_t n;

	if (slash == NULL) {
		strcpy(dir, ".");
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof dir)
			return true;	/* cannot tell: be careful */
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (stat(dir, &st) != 0)
		return false;		/* the open will say why */
	return (st.st_mode & S_ISVTX) && (st.st_mode & S_IWOTH);
}

/*
 * Where the report goes, opened before CMD runs so that a bad -o is known
 * at once: stderr, stdout for "-", or FILE.  NULL (said) on failure.
 * The report holds command lines: FILE is made 0600.  In a shared
 * directory only a regular file of this user is written, never one a
 * link leads to; nowhere does a FIFO without a reader block the open.
 */
static FILE *
open_report(const char *out)
{
	struct stat st;
	FILE *f;
	int fd, flags = O_WRONLY | O_CREAT | O_NOCTTY | O_NONBLOCK;
	bool shared;

	if (out == NULL)
		return stderr;
	if (strcmp(out, "-") == 0)
		return stdout;
	shared = shared_dir(out);
	if (shared)
		flags |= O_NOFOLLOW;
	/* (lstat first: some kernels answer EACCES rather than ELOOP; the
	 * flag still holds if a link appears in between.) */
	if (shared && lstat(out, &st) == 0 && S_ISLNK(st.st_mode)) {
		errno = ELOOP;
		fd = -1;
	} else {
		fd = ni_open(out, flags, 0600);
	}
	if (fd < 0) {
		if (shared && errno == ELOOP)
			say("%.256s: a symbolic link in a directory others "
			    "can write to: not followed", out);
		else
			say("%.256s: %s", out, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		say("%.256s: %s", out, strerror(errno));
		close(fd);
		return NULL;
	}
	if (shared && (!S_ISREG(st.st_mode) || st.st_uid != geteuid())) {
		say("%.256s: not a regular file of this user, in a directory "
		    "others can write to: not written", out);
		close(fd);
		return NULL;
	}
	if ((S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		say("%.256s: %s", out, strerror(errno));
		close(fd);
		return NULL;
	}
	return f;
}

/* --sarif FILE, opened with the report (trace_sarif.c writes it). */
static FILE *sarif_out;

/* Writes the SARIF log and closes it; 0, or -1 if it failed (said). */
static int
write_sarif(const struct topts *o, const struct analysis *a, bool complete)
{
	FILE *f = sarif_out;
	int rc = 0;

	sarif_out = NULL;
	trace_report_sarif(f, a, o->cmd, complete);
	if (fflush(f) != 0 || ferror(f)) {
		say("%.256s: write error: %s", o->sarif,
		    strerror(errno ? errno : EIO));
		rc = -1;
	}
	if (f != stdout && fclose(f) != 0 && rc == 0) {
		say("%.256s: %s", o->sarif, strerror(errno));
		rc = -1;
	}
	return rc;
}

/* Writes the report and closes f; 0, or -1 if it failed (said). */
static int
report(FILE *f, const struct topts *o, struct analysis *a, bool complete)
{
	int rc = 0;

	trace_symbolize(a);
	if (sarif_out != NULL && write_sarif(o, a, complete) != 0)
		rc = -1;
	if (o->json)
		trace_report_json(f, a);
	else
		trace_report_text(f, a);
	/* The file may be read without the notes on stderr: "no descriptor
	 * crossed" must not stand there alone as a clean result. */
	if (!o->json && !complete)
		fprintf(f, "noinherit: trace: the report is incomplete: "
		    "part of the tree was not observed\n");
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

static int
exit_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_USAGE;
}

/* An exec that failed in the child, as sh(1) reports it; 0 if none. */
static int
exec_failed(const struct topts *o, int errfd)
{
	int e = 0;

	if (read(errfd, &e, sizeof e) != (ssize_t)sizeof e)
		return 0;
	return cli_exec_failed("trace", o->cmd[0], e);
}

/*
 * CMD has exited with status: the rest of the records, the analysis, the
 * report (f is closed).  Returns the exit status of `trace`.
 */
static int
conclude(struct tlog *log, struct observer *obs, const struct topts *o,
    FILE *f, pid_t pid, int status)
{
	struct analysis a;
	const struct tgap *g;
	size_t survivors;
	bool complete;
	int rc = exit_status(status);

	trace_obs_drain(obs);
	survivors = trace_obs_release(obs);
	trace_obs_drain(obs);
	if (trace_log_finish(log) < 0)
		say("out of memory");
	trace_log_resolve_sockets(log, 0);	/* merged parts, survivors */
	if (trace_analyze(log, (long)pid, &a) != 0) {
		say("out of memory");
		trace_analysis_free(&a);
		if (f != stderr && f != stdout)
			fclose(f);
		return EXIT_USAGE;
	}
	trace_allow(&a, o->allow, o->nallow);
	notes(log, obs, &a, o->cmd[0], survivors);
	/* Survivors are let go unobserved: what they exec later is not
	 * seen, so the run is as incomplete as one with a gap. */
	complete = trace_obs_gaps(obs, &g) == 0 && survivors == 0;
	if (report(f, o, &a, complete) != 0)
		rc = EXIT_USAGE;
	else if (rc == 0 && o->fail_on_leak && a.leaked > 0)
		rc = EXIT_LEAK;
	else if (rc == 0 && o->fail_on_leak && !complete)
		rc = EXIT_INCOMPLETE;
	trace_analysis_free(&a);
	return rc;
}

int
cmd_trace(int argc, char **argv)
{
	struct topts o;
	struct tlog log;
	struct observer *obs = NULL;
	struct reader rd;
	const char *shim;
	char **env = NULL;
	FILE *out = NULL;
	sigset_t mask;
	int rc, sfd = -1, errfd = -1, status, failed;
	pid_t pid;

	memset(&o, 0, sizeof o);
	memset(&log, 0, sizeof log);
	rc = parse_args(argc, argv, &o);
	if (rc != 0) {
		rc = rc > 0 ? cli_help("trace", trace_help) : EXIT_USAGE;
		goto done;
	}
	rc = EXIT_USAGE;
	if ((o.plan = cli_fdmap_opts("trace", o.map, o.nmap)) == NULL ||
	    (out = open_report(o.out)) == NULL)
		goto done;
	if (o.sarif != NULL && (sarif_out = open_report(o.sarif)) == NULL)
		goto done;
	if ((shim = shim_path("trace")) == NULL)
		goto done;
	shim_check_command("trace", o.cmd[0]);
	obs = trace_obs_new(&log, shim);
	if (obs == NULL) {
		say("cannot make the channel: %s", strerror(errno));
		goto done;
	}
	env = shim_env(shim, "trace", trace_obs_channel(obs));
	if (env == NULL || add_starts_var(&env) != 0) {
		say("%s", strerror(errno));
		goto done;
	}
	if ((sfd = catch_signals(&mask)) < 0)
		goto done;
	if (reader_start(&rd, obs, sfd) != 0) {
		sigprocmask(SIG_SETMASK, &mask, NULL);
		goto done;
	}
	if (start(&o, env, &mask, obs, &pid, &errfd) != 0) {
		reader_stop(&rd);
		sigprocmask(SIG_SETMASK, &mask, NULL);
		goto done;
	}
	reader_go(&rd, pid);
	status = wait_cmd(&rd, pid);
	reader_stop(&rd);
	if ((failed = exec_failed(&o, errfd)) != 0) {
		trace_obs_release(obs);
		rc = failed;
	} else {
		rc = conclude(&log, obs, &o, out, pid, status);
		out = NULL;
	}
	sigprocmask(SIG_SETMASK, &mask, NULL);
done:
	if (out != NULL && out != stderr && out != stdout)
		fclose(out);
	if (sarif_out != NULL && sarif_out != stdout)
		fclose(sarif_out);
	sarif_out = NULL;
	if (sfd >= 0)
		close(sfd);
	if (errfd >= 0)
		close(errfd);
	trace_obs_free(obs);
	trace_log_free(&log);
	shim_env_free(env);
	free(o.allow);
	free(o.map);
	ni_spawn_opts_free(o.plan);
	return rc;
}
