/*
 * bench_preload.c - what the preload shim costs: the same commands run
 * plain, under `noinherit enforce` and under `noinherit trace`, side by
 * side in one run (issue 5, "Tests and figures"; issues 11 and 12,
 * "Benchmark").
 *
 * Four workloads (rows), all by default, or those named by --rows:
 *   open  this program re-run as `bench_preload --loop-open N`: N times
 *         open("/dev/null") + close().  Every open goes through the
 *         shim's hook: enforce adds O_CLOEXEC, trace records the
 *         descriptor and its backtrace.  The child times its own loop
 *         too, so the per-call cost is printed beside the whole command's.
 *   make  `make -s -B -j2` of a generated tree of 50 C files (`cc -c`
 *         each), every file rebuilt each time: make, sh, cc, cc1, as, all
 *         under the shim.
 *   git   a generated sh script of a few hundred git commands in a fresh
 *         repository (init, add, commit, status, log, diff, branch,
 *         checkout, tag, show, rev-parse...), the repository made anew
 *         each run.
 *   true  a sh loop running /bin/true 2000 times: the cost per exec.
 * Each figure is the wall time of one whole command, from posix_spawn to
 * its reaping (trace: its report included, written to /dev/null).  Rounds
 * run the variants (the three, and the three floors below) in an order
 * rotated every round; the ratio to
 * plain is taken within each round and its median reported.
 *
 * Goals, per row: open (issue 5) enforce within 5% of plain, trace 30%;
 * make and git (issues 11, 12) enforce 3%, trace 10%; true (issue 11)
 * trace 50%.
 *
 * Usage: bench_preload [--quick] [--rows LIST] [--rounds N] [--ops N]
 *                      [--files N] [--tool PATH] [--cc CC]
 * Exit status: 0 once it has run (goals met or not), 2 on a setup error or
 * a failing command, 77 when the shim is not there (`noinherit trace`
 * cannot run).  The make rows are skipped, with a note, without make or cc.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchstat.h"
#include "../src/procfd.h"	/* the getdents64 record */

#ifndef NI_TOOL_PATH
#define NI_TOOL_PATH "noinherit"
#endif
/* The build tree's shim, or "" when it is not built (the smoke test is
 * then skipped); the tool finds it by itself. */
#ifndef NI_PRELOAD_PATH
#define NI_PRELOAD_PATH ""
#endif

#define MAXR 101

extern char **environ;

/*
 * Three floors run beside them: preload0, the command with an empty
 * library in LD_PRELOAD (what any preload costs each process: enforce's
 * floor); ptrace0, the command under this program re-run as a bare ptrace
 * observer that only resumes every stop (`--ptrace-floor`: what the stops
 * of the fork, exec and signal events cost, with no work at them); and
 * trace0, the least that trace's design does: the same observer, which at
 * each exec stop also reads what crossed, /proc/PID/exe and /proc/PID/fd
 * with a readlink of each descriptor above 2 (`--ptrace-floor-proc`), the
 * command with the empty library in LD_PRELOAD.  trace's own work (its
 * shim, its records, the rest of its snapshot) is what it costs above
 * trace0.
 */
enum { PLAIN, ENFORCE, TRACE, PRELOAD0, PTRACE0, TRACE0, NV };
static const char *const vname[NV] = { "plain", "enforce", "trace",
    "preload0", "ptrace0", "trace0" };

#ifndef NI_EMPTY_PRELOAD
#define NI_EMPTY_PRELOAD ""
#endif
static char **g_env0;		/* environ with LD_PRELOAD=NI_EMPTY_PRELOAD */

static struct {
	int rounds, files, gitloops, trues;
	long ops;
	bool quick;
	const char *tool, *cc, *rows;
} P = { 11, 50, 30, 2000, 200000, false, NI_TOOL_PATH, "cc",
    "open,make,git,true" };

static char g_self[PATH_MAX];
static char g_tmp[PATH_MAX];	/* the generated tree and scratch files */
static char g_errpath[PATH_MAX + 16];

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_preload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* ------------------------------------------------------------------ */
/* The open/close workload, run in a child                             */
/* ------------------------------------------------------------------ */

static int
loop_open(long n)
{
	double t0, t1;
	long i;
	int fd;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		fd = open("/dev/null", O_RDONLY);
		if (fd < 0) {
			perror("open /dev/null");
			return 2;
		}
		close(fd);
	}
	t1 = now_ns();
	printf("%.3f\n", (t1 - t0) / (double)n);
	return fflush(stdout) == 0 ? 0 : 2;
}

/* ------------------------------------------------------------------ */
/* The ptrace floor, run in a child                                    */
/* ------------------------------------------------------------------ */

/*
 * What a process that has just exec'd received, as trace's observer first
 * reads it: the link of /proc/PID/exe, the names in /proc/PID/fd and the
 * link of each above 2.  Only the cost counts: nothing is kept.
 */
static void
read_crossed(pid_t pid)
{
	char path[64], fdpath[96], link[PATH_MAX];
	char buf[4096] __attribute__((aligned(8)));
	long got;
	int dir;

	snprintf(path, sizeof path, "/proc/%ld/exe", (long)pid);
	(void)readlink(path, link, sizeof link);
	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return;
	while ((got = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
		for (long off = 0; off < got;) {
			const struct ni_dirent64 *d = (const void *)(buf + off);

			off += d->d_reclen;
			if (procfd_parse(d->d_name) <= 2)
				continue;
			snprintf(fdpath, sizeof fdpath, "%s/%s", path,
			    d->d_name);
			(void)readlink(fdpath, link, sizeof link);
		}
	}
	close(dir);
}

/*
 * cmd and all it starts under ptrace, as `noinherit trace` observes them
 * (PTRACE_SEIZE with the fork, vfork, clone and exec events), doing
 * nothing at each stop but resume it (and, with proc, read what crossed
 * at each exec: read_crossed), blocked in waitpid in between.
 * Returns cmd's exit status.
 */
static int
ptrace_floor(char **cmd, bool proc)
{
	int st, ev, sig, rc = 2;
	pid_t c, w;

	c = fork();
	if (c < 0)
		return 2;
	if (c == 0) {
		raise(SIGSTOP);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (waitpid(c, &st, WUNTRACED) != c || ptrace(PTRACE_SEIZE, c, 0,
	    (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
	    PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC)) != 0) {
		perror("bench_preload --ptrace-floor: PTRACE_SEIZE");
		kill(c, SIGKILL);
		return 2;
	}
	kill(c, SIGCONT);
	for (;;) {
		w = waitpid(-1, &st, __WALL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (w == c) {
				rc = WIFEXITED(st) ? WEXITSTATUS(st) : 2;
				break;
			}
			continue;
		}
		ev = (st >> 16) & 0xff;
		sig = WSTOPSIG(st);
		if (proc && ev == PTRACE_EVENT_EXEC)
			read_crossed(w);
		if (ev == PTRACE_EVENT_STOP && (sig == SIGSTOP ||
		    sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU))
			(void)ptrace(PTRACE_LISTEN, w, 0, 0);
		else
			(void)ptrace(PTRACE_CONT, w, 0,
			    (void *)(long)(ev == 0 ? sig : 0));
	}
	return rc;
}

/* environ, its LD_PRELOAD replaced by the empty library. */
static char **
env_with_empty_preload(void)
{
	size_t n = 0, k = 0, i;
	char **v;

	while (environ[n] != NULL)
		n++;
	v = calloc(n + 2, sizeof *v);
	if (v == NULL)
		die("out of memory");
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
			v[k++] = environ[i];
	if (asprintf(&v[k++], "LD_PRELOAD=%s", NI_EMPTY_PRELOAD) < 0)
		die("out of memory");
	return v;
}

/* ------------------------------------------------------------------ */
/* Running one command                                                 */
/* ------------------------------------------------------------------ */

/*
 * Runs cmd under variant v: stdout into out (if not NULL) else /dev/null,
 * stderr into a scratch file shown if it fails.  Returns the wall time in
 * ns; a failure stops the benchmark (its figures would not be of the
 * work meant).
 */
static double
run(int v, char **cmd, char *out, size_t outcap)
{
	char *argv[64];
	posix_spawn_file_actions_t fa;
	int p[2] = { -1, -1 }, st, k = 0, i;
	double t0, t1;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	if (v == ENFORCE) {
		argv[k++] = (char *)P.tool;
		argv[k++] = (char *)"enforce";
		argv[k++] = (char *)"--";
	} else if (v == TRACE) {
		argv[k++] = (char *)P.tool;
		argv[k++] = (char *)"trace";
		argv[k++] = (char *)"-o";
		argv[k++] = (char *)"/dev/null";
		argv[k++] = (char *)"--";
	} else if (v == PTRACE0 || v == TRACE0) {
		argv[k++] = g_self;
		argv[k++] = (char *)(v == PTRACE0 ? "--ptrace-floor" :
		    "--ptrace-floor-proc");
	}
	for (i = 0; cmd[i] != NULL && k < 63; i++)
		argv[k++] = cmd[i];
	argv[k] = NULL;
	if (out != NULL && pipe2(p, O_CLOEXEC) != 0)
		die("pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out != NULL)
		posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, g_errpath,
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	t0 = now_ns();
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv,
	    v == PRELOAD0 || v == TRACE0 ? g_env0 : environ) != 0)
		die("cannot run %s", argv[0]);
	if (out != NULL) {
		close(p[1]);
		while (len + 1 < outcap &&
		    (n = read(p[0], out + len, outcap - len - 1)) > 0)
			len += (size_t)n;
		out[len] = '\0';
		close(p[0]);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	t1 = now_ns();
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char buf[4096];
		int fd = open(g_errpath, O_RDONLY | O_CLOEXEC);

		fprintf(stderr, "bench_preload: %s: %s %d; its stderr:\n",
		    vname[v], argv[0], WIFEXITED(st) ? WEXITSTATUS(st) :
		    -WTERMSIG(st));
		while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
			fwrite(buf, 1, (size_t)n, stderr);
		exit(WIFEXITED(st) && WEXITSTATUS(st) == 77 ? 77 : 2);
	}
	return t1 - t0;
}

/* ------------------------------------------------------------------ */
/* The make workload: a generated tree                                 */
/* ------------------------------------------------------------------ */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

/* n C files of a few dozen lines, each including <stdio.h> and
 * <string.h>, and a Makefile compiling each with `$(CC) -O1 -c`. */
static void
make_tree(int n)
{
	char path[PATH_MAX + 32], text[4096];
	int i, len;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/f%02d.c", g_tmp, i);
		snprintf(text, sizeof text,
		    "#include <stdio.h>\n#include <string.h>\n"
		    "static int tab%d[64];\n"
		    "int f%02d(const char *s)\n{\n"
		    "\tint h = %d;\n\tsize_t k;\n"
		    "\tfor (k = 0; k < strlen(s); k++)\n"
		    "\t\th = h * 31 + s[k] + tab%d[k & 63];\n"
		    "\tif (h %% 7 == 0)\n\t\tprintf(\"%%d\\n\", h);\n"
		    "\treturn h;\n}\n", i, i, i, i);
		write_file(path, text);
	}
	len = snprintf(text, sizeof text, "OBJS =");
	for (i = 0; i < n; i++)
		len += snprintf(text + len, sizeof text - (size_t)len,
		    " f%02d.o", i);
	snprintf(text + len, sizeof text - (size_t)len,
	    "\nall: $(OBJS)\n%%.o: %%.c\n\t$(CC) -O1 -c $< -o $@\n");
	snprintf(path, sizeof path, "%s/Makefile", g_tmp);
	write_file(path, text);
}

static int
remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* The scratch directory and everything in it (the trees, the repo). */
static void
remove_tree(void)
{
	if (g_tmp[0] == '\0')
		return;
	(void)nftw(g_tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	g_tmp[0] = '\0';
}

/*
 * The git workload: a script that makes a repository anew under DIR and
 * runs git in it, 10 commands a loop (add, commit, status, log, show,
 * branch, rev-parse, tag, checkout twice), N loops, and a few at the end.
 * Git reads no configuration but the script's environment.
 */
static void
make_git_script(void)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof path, "%s/git.sh", g_tmp);
	write_file(path,
	    "set -e\n"
	    "d=$1/repo n=$2\n"
	    "export HOME=$1 GIT_CONFIG_NOSYSTEM=1 GIT_PAGER=cat PAGER=cat\n"
	    "export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid\n"
	    "export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid\n"
	    "unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n"
	    "rm -rf \"$d\"\n"
	    "git init -q -b main \"$d\"\n"
	    "cd \"$d\"\n"
	    "i=0\n"
	    "while [ $i -lt \"$n\" ]; do\n"
	    "\techo \"line $i\" >>\"file$((i % 5)).txt\"\n"
	    "\tgit add -A\n"
	    "\tgit commit -q -m \"commit $i\"\n"
	    "\tgit status --short >/dev/null\n"
	    "\tgit log --oneline -5 >/dev/null\n"
	    "\tgit show --stat HEAD >/dev/null\n"
	    "\tgit branch \"b$i\"\n"
	    "\tgit rev-parse HEAD >/dev/null\n"
	    "\tgit tag \"t$i\"\n"
	    "\tgit checkout -q \"b$i\"\n"
	    "\tgit checkout -q main\n"
	    "\ti=$((i + 1))\n"
	    "done\n"
	    "git log --all --oneline >/dev/null\n"
	    "git branch --list >/dev/null\n"
	    "git tag --list >/dev/null\n"
	    "git count-objects -v >/dev/null\n");
}

static void
on_signal(int sig)
{
	remove_tree();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Is prog found in PATH (or a path that is executable)? */
static bool
have(const char *prog)
{
	const char *path = getenv("PATH"), *p, *q;
	char buf[PATH_MAX];

	if (strchr(prog, '/') != NULL)
		return access(prog, X_OK) == 0;
	for (p = path ? path : "/bin:/usr/bin";; p = q + 1) {
		q = strchr(p, ':');
		if (q == NULL)
			q = p + strlen(p);
		snprintf(buf, sizeof buf, "%.*s/%s", (int)(q - p), p, prog);
		if (access(buf, X_OK) == 0)
			return true;
		if (*q == '\0')
			return false;
	}
}

/* ------------------------------------------------------------------ */
/* Measuring and reporting                                             */
/* ------------------------------------------------------------------ */

struct row {
	const char *name;
	double goal[NV];		/* ratio to plain; 0: none */
	double wall[NV][MAXR], inner[NV][MAXR], ratio[NV][MAXR];
	bool has_inner;
};

/* Rounds of the variants, order rotated each round. */
static void
measure(struct row *r, char **cmd, bool inner)
{
	char out[256];
	int i, k, v;

	r->has_inner = inner;
	for (v = 0; v < NV; v++)	/* untimed warm-up: caches, page cache */
		(void)run(v, cmd, inner ? out : NULL, sizeof out);
	for (i = 0; i < P.rounds; i++) {
		for (k = 0; k < NV; k++) {
			v = (i + k) % NV;
			r->wall[v][i] = run(v, cmd, inner ? out : NULL,
			    sizeof out);
			if (inner)
				r->inner[v][i] = strtod(out, NULL);
		}
		for (v = 0; v < NV; v++)
			r->ratio[v][i] = r->wall[v][i] / r->wall[PLAIN][i];
	}
}

static void
print_row(const struct row *r)
{
	int v, n = P.rounds;

	printf("\n%s\n", r->name);
	printf("  %-8s %24s", "variant", "wall ms [p25 - p75]");
	if (r->has_inner)
		printf(" %26s", "ns/op in loop [p25 - p75]");
	printf("   %-24s %s\n", "/plain [p25-p75]", "goal");
	for (v = 0; v < NV; v++) {
		printf("  %-8s %8.1f [%6.1f - %6.1f]", vname[v],
		    median(r->wall[v], n) / 1e6, pct(r->wall[v], n, 25) / 1e6,
		    pct(r->wall[v], n, 75) / 1e6);
		if (r->has_inner)
			printf("   %7.1f [%6.1f - %6.1f]", median(r->inner[v], n),
			    pct(r->inner[v], n, 25), pct(r->inner[v], n, 75));
		if (v == PLAIN) {
			printf("   %-24s\n", "(reference)");
			continue;
		}
		printf("   %5.3f [%5.3f-%5.3f]", median(r->ratio[v], n),
		    pct(r->ratio[v], n, 25), pct(r->ratio[v], n, 75));
		if (r->goal[v] > 0)
			printf("      <=%.2f %s\n", r->goal[v],
			    median(r->ratio[v], n) <= r->goal[v] ? "met" :
			    "NOT met");
		else
			printf("      (no goal)\n");
	}
}

static void
print_goals(const struct row *rows, int nrows)
{
	int i, v, met = 1;
	double m;

	printf("\n== Goals (from the issue): whole command, median of the "
	    "per-round ratios to plain ==\n");
	for (i = 0; i < nrows; i++) {
		for (v = ENFORCE; v < NV; v++) {
			if (rows[i].goal[v] <= 0)
				continue;
			m = median(rows[i].ratio[v], P.rounds);
			printf("  %-7s within %2.0f%% of plain, %-28s %.3f  %s\n",
			    vname[v], (rows[i].goal[v] - 1) * 100 + 0.001,
			    rows[i].name, m, m <= rows[i].goal[v] ? "met" :
			    "NOT met");
			met &= m <= rows[i].goal[v];
		}
	}
	printf("  => %s\n", met ? "all goals met" : "some goals NOT met");
}

static void
header(void)
{
	struct utsname u;
	char cpu[128] = "?", line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
			snprintf(cpu, sizeof cpu, "%s", strchr(line, ':') + 2);
			cpu[strcspn(cpu, "\n")] = '\0';
			break;
		}
	if (f != NULL)
		fclose(f);
	if (uname(&u) != 0)
		die("uname: %s", strerror(errno));
	printf("noinherit bench_preload -- the preload shim: plain vs "
	    "`noinherit enforce` vs `noinherit trace`, beside three floors: "
	    "preload0 (an empty LD_PRELOAD library), ptrace0 (a bare "
	    "ptrace observer) and trace0 (that observer reading /proc/PID/fd "
	    "at each exec, under the empty library)\n");
	printf("machine: %s %s %s, cpu \"%s\", nproc %ld\n", u.sysname,
	    u.release, u.machine, cpu, sysconf(_SC_NPROCESSORS_ONLN));
	printf("tool: %s\n", P.tool);
	printf("method: %s; 1 untimed warm-up of each variant, then %d rounds "
	    "of the six, order rotated every round; wall time of each whole "
	    "command (posix_spawn to reaping; trace: report to /dev/null "
	    "included); median [p25-p75]; /plain = median of the per-round "
	    "ratios\n", P.quick ? "QUICK (smoke run, figures are rough)" :
	    "full run", P.rounds);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_preload [--quick] [--rows LIST] "
	    "[--rounds N] [--ops N] [--files N] [--tool PATH] [--cc CC]\n"
	    "  LIST: comma-separated, of open, make, git, true (default: "
	    "all)\n");
	exit(2);
}

/* Is row name in the comma-separated list? */
static bool
wanted(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; p != NULL; p = strchr(p, ',') ? strchr(p, ',') + 1 :
	    NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Every name of the list is a row. */
static bool
rows_valid(const char *list)
{
	static const char *const known[] = { "open", "make", "git", "true" };
	const char *p = list;
	size_t i, n;

	while (*p != '\0') {
		n = strcspn(p, ",");
		for (i = 0; i < 4; i++)
			if (n == strlen(known[i]) && strncmp(p, known[i], n) == 0)
				break;
		if (i == 4)
			return false;
		p += n + (p[n] == ',');
	}
	return *list != '\0';
}

static void
parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			P.quick = true;
			P.rounds = 2;
			P.ops = 2000;
			P.files = 4;
			P.gitloops = 1;
			P.trues = 20;
		} else if (i + 1 < argc && strcmp(argv[i], "--rows") == 0) {
			P.rows = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "--rounds") == 0) {
			P.rounds = atoi(argv[++i]);
		} else if (i + 1 < argc && strcmp(argv[i], "--ops") == 0) {
			P.ops = atol(argv[++i]);
		} else if (i + 1 < argc && strcmp(argv[i], "--files") == 0) {
			P.files = atoi(argv[++i]);
		} else if (i + 1 < argc && strcmp(argv[i], "--tool") == 0) {
			P.tool = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "--cc") == 0) {
			P.cc = argv[++i];
		} else {
			usage();
		}
	}
	if (P.rounds < 1 || P.rounds > MAXR || P.ops < 1 || P.files < 1 ||
	    P.files > 99 || !rows_valid(P.rows))
		usage();
}

/* Adds a row named name with the goals, measures cmd under it. */
static void
add_row(struct row *rows, int *nrows, const char *name, double enforce,
    double trace, char **cmd, bool inner)
{
	struct row *r = &rows[(*nrows)++];

	r->name = name;
	r->goal[ENFORCE] = enforce;
	r->goal[TRACE] = trace;
	fflush(stdout);
	measure(r, cmd, inner);
}

int
main(int argc, char **argv)
{
	static struct row rows[4];
	char ops[32], ccvar[PATH_MAX + 8], loops[16], script[PATH_MAX + 16],
	    trueloop[128];
	char *open_cmd[] = { g_self, (char *)"--loop-open", ops, NULL };
	char *make_cmd[] = { (char *)"make", (char *)"-s", (char *)"-B",
	    (char *)"-j2", (char *)"-C", g_tmp, ccvar, NULL };
	char *git_cmd[] = { (char *)"sh", script, g_tmp, loops, NULL };
	char *true_cmd[] = { (char *)"sh", (char *)"-c", trueloop, NULL };
	struct stat st;
	const char *tmpdir = getenv("TMPDIR");
	ssize_t n;
	int nrows = 0, i;
	double t0 = now_ns();

	if (argc == 3 && strcmp(argv[1], "--loop-open") == 0)
		return loop_open(atol(argv[2]));
	if (argc >= 3 && strcmp(argv[1], "--ptrace-floor") == 0)
		return ptrace_floor(argv + 2, false);
	if (argc >= 3 && strcmp(argv[1], "--ptrace-floor-proc") == 0)
		return ptrace_floor(argv + 2, true);
	parse_args(argc, argv);
	if (strcmp(P.tool, NI_TOOL_PATH) == 0 && getenv("NOINHERIT_PRELOAD") ==
	    NULL && stat(NI_PRELOAD_PATH, &st) != 0) {
		printf("bench_preload: the shim is not built here: skipped\n");
		return 77;
	}
	n = readlink("/proc/self/exe", g_self, sizeof g_self - 1);
	if (n <= 0)
		die("readlink /proc/self/exe: %s", strerror(errno));
	g_self[n] = '\0';
	if (NI_EMPTY_PRELOAD[0] == '\0' || stat(NI_EMPTY_PRELOAD, &st) != 0)
		die("the empty preload library is not built (%s)",
		    NI_EMPTY_PRELOAD);
	g_env0 = env_with_empty_preload();
	snprintf(g_tmp, sizeof g_tmp, "%s/bench_preload.XXXXXX",
	    tmpdir && tmpdir[0] == '/' ? tmpdir : "/tmp");
	if (mkdtemp(g_tmp) == NULL)
		die("mkdtemp: %s", strerror(errno));
	snprintf(g_errpath, sizeof g_errpath, "%s/stderr", g_tmp);
	atexit(remove_tree);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	snprintf(ops, sizeof ops, "%ld", P.ops);
	snprintf(ccvar, sizeof ccvar, "CC=%s", P.cc);
	snprintf(loops, sizeof loops, "%d", P.gitloops);
	snprintf(script, sizeof script, "%s/git.sh", g_tmp);
	snprintf(trueloop, sizeof trueloop, "i=0; while [ $i -lt %d ]; do "
	    "/bin/true; i=$((i + 1)); done", P.trues);

	header();
	fflush(stdout);

	if (wanted(P.rows, "open")) {
		printf("\nbench_preload: open(\"/dev/null\") + close, %ld ops "
		    "a run ...\n", P.ops);
		add_row(rows, &nrows, "open/close loop", 1.05, 1.30, open_cmd,
		    true);
	}
	if (wanted(P.rows, "make") && have("make") && have(P.cc)) {
		make_tree(P.files);
		printf("bench_preload: make -s -B -j2 of %d C files "
		    "(%s -O1 -c each) ...\n", P.files, P.cc);
		add_row(rows, &nrows, "make -j2", 1.03, 1.10, make_cmd, false);
	} else if (wanted(P.rows, "make")) {
		printf("bench_preload: make or %s not found: make rows "
		    "skipped\n", P.cc);
	}
	if (wanted(P.rows, "git") && have("git")) {
		make_git_script();
		printf("bench_preload: git, %d commands in a new repository "
		    "...\n", P.gitloops * 10 + 5);
		add_row(rows, &nrows, "git workload", 1.03, 1.10, git_cmd,
		    false);
	} else if (wanted(P.rows, "git")) {
		printf("bench_preload: git not found: git rows skipped\n");
	}
	if (wanted(P.rows, "true")) {
		printf("bench_preload: sh loop of %d /bin/true ...\n",
		    P.trues);
		add_row(rows, &nrows, "/bin/true loop", 0, 1.50, true_cmd,
		    false);
	}

	printf("\n== Whole command, wall time; the open rows also give the "
	    "loop's own time per open+close ==\n");
	for (i = 0; i < nrows; i++)
		print_row(&rows[i]);
	print_goals(rows, nrows);
	printf("\ntotal wall time %.1f s\n", (now_ns() - t0) / 1e9);
	return 0;
}
