/*
 * bench_audit.c - `noinherit audit` against `lsof -n +fg`, side by side.
 *
 * Issue 4, "Speed": audit must be at least 5x faster than lsof over the same
 * processes, and linear in the number of descriptors M.
 *
 * For each configuration (N worker processes holding M descriptors each) the
 * driver forks the workers, waits until each has opened its descriptors, and
 * then times, interleaved round by round (the order alternates every round):
 *   (a) noinherit audit -p PID...            (the N workers)
 *   (b) lsof -n +fg -p PID,PID,...           (the same N workers)
 * and, machine-wide, with the workers still alive:
 *   (c) noinherit audit --all   against   lsof -n +fg
 * Each timing is the wall time of one whole command, from posix_spawn() to
 * its reaping, output to /dev/null.  Every exit status is checked: audit
 * must exit 1 (the workers leak), lsof 0.  Reported: medians, quartiles and
 * paired (per-round) lsof/audit ratios.  The N=1 rows (M = 10, 100, 1000, 15000)
 * test linearity in M.  For them the driver also times, in-process, one
 * plain pass over the worker's /proc/PID/fdinfo files: the floor of any
 * /proc-based audit, hence a ceiling on the ratio at large M.
 * See bench/README.md.
 *
 * Usage: bench_audit [--quick] [--rounds N] [--tool PATH] [--lsof PATH] [--json]
 * Exit status: 0 once it has run (goals met or not), 2 on a setup error or an
 * unexpected exit status of a timed command, 77 when lsof is missing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchstat.h"

#ifndef NI_TOOL_PATH
#define NI_TOOL_PATH "noinherit"
#endif

#define GOAL_SPEEDUP 5.0 /* lsof time / audit time, median of paired ratios */
#define GOAL_LINEAR 1.5  /* marginal us/fd of the top M step <= 1.5 x the bottom one */
#define GOAL13_LARGE 2.0 /* issue 13: lsof/audit at N=1 M=15000 */
#define GOAL13_SMALL 4.0 /* issue 13: lsof/audit on small processes (M=10) */
#define MAXW 64
#define MAXR 101
#define NFILES 8
#define READY_TIMEOUT_MS 60000

extern char **environ;

typedef struct {
    int n, m;
} config;

static const config full_cfg[] = {{20, 10}, {20, 100}, {20, 1000}, {1, 10}, {1, 100}, {1, 1000}, {1, 15000}};
static const config quick_cfg[] = {{20, 10}, {1, 10}, {1, 1000}, {1, 15000}};

typedef struct {
    int n, m;
    double a[MAXR], l[MAXR], r[MAXR]; /* audit -p, lsof -p (ns), lsof/audit */
    double aa[MAXR], la[MAXR], ra[MAXR]; /* machine-wide */
    double f[MAXR]; /* N=1 only: in-process fdinfo pass over the worker (ns) */
    long ntot, mtot;
} result;

static struct {
    int rounds, rounds_all, warmup, json;
    const char *tool, *lsof;
} P;

static pid_t g_workers[MAXW];
static int g_nworkers;
static pid_t g_parent;
static char g_tmpdir[64];
static char g_tmppath[NFILES + 1][96]; /* f0 .. f7, then stderr */
static int g_errfd = -1; /* stderr of the timed commands, shown on failure */

/* ------------------------------------------------------------------ */
/* Cleanup: every worker is killed and reaped, on every way out.       */
/* ------------------------------------------------------------------ */

/* Async-signal-safe: called from the signal handler too. */
static void kill_workers(void)
{
    for (int i = 0; i < g_nworkers; i++)
        kill(g_workers[i], SIGKILL);
    for (int i = 0; i < g_nworkers; i++)
        while (waitpid(g_workers[i], NULL, 0) < 0 && errno == EINTR)
            ;
    g_nworkers = 0;
}

/* Async-signal-safe too: the paths are made in make_tmp(). */
static void remove_tmp(void)
{
    if (!g_tmpdir[0])
        return;
    for (int i = 0; i <= NFILES; i++)
        unlink(g_tmppath[i]);
    rmdir(g_tmpdir);
    g_tmpdir[0] = 0;
}

static void cleanup(void)
{
    if (getpid() != g_parent)
        return;
    kill_workers();
    remove_tmp();
}

static void on_signal(int sig)
{
    kill_workers();
    remove_tmp();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "bench_audit: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2); /* atexit: cleanup() */
}

/* ------------------------------------------------------------------ */
/* Statistics                                                          */
/* ------------------------------------------------------------------ */


/* ------------------------------------------------------------------ */
/* Workers                                                             */
/* ------------------------------------------------------------------ */

static int g_made, g_err;

/* Counts a new descriptor; every second one gets its close-on-exec flag
 * cleared, so half of each worker's descriptors would leak into a child. */
static int keep(int fd)
{
    if (fd < 0) {
        if (!g_err)
            g_err = errno;
        return -1;
    }
    if (g_made++ % 2 == 1 && fcntl(fd, F_SETFD, 0) < 0 && !g_err)
        g_err = errno;
    return 0;
}

static int inet_socket(int type, int listening)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || (listening && listen(fd, 1) < 0)) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* One slot of the cycle; kinds that make two descriptors only when both fit. */
static void open_slot(int slot, int room)
{
    int p[2];
    switch (slot % 10) {
    case 1:
        if (room >= 2) {
            if (keep(pipe2(p, O_CLOEXEC) < 0 ? -1 : p[0]) == 0)
                keep(p[1]);
            return;
        }
        break;
    case 2:
        if (room >= 2) {
            if (keep(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0 ? -1 : p[0]) == 0)
                keep(p[1]);
            return;
        }
        break;
    case 3: keep(open(g_tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)); return;
    case 4: keep(eventfd(0, EFD_CLOEXEC)); return;
    case 5: keep(open("/dev/null", O_RDWR | O_CLOEXEC)); return;
    case 6: keep(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)); return;
    case 7: keep(inet_socket(SOCK_DGRAM, 0)); return;
    case 8: keep(epoll_create1(EPOLL_CLOEXEC)); return;
    case 9: keep(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)); return;
    default: break;
    }
    keep(open(g_tmppath[slot % NFILES], O_RDONLY | O_CLOEXEC));
}

/* Closes every descriptor >= 3 but keep: close_range() (Linux 5.9), else
 * a loop to the soft RLIMIT_NOFILE. */
static void close_others(int keepfd)
{
#ifdef SYS_close_range
    if ((keepfd <= 3 || syscall(SYS_close_range, 3U, (unsigned)keepfd - 1, 0U) == 0) &&
        syscall(SYS_close_range, (unsigned)keepfd + 1, ~0U, 0U) == 0)
        return;
#endif
    for (long fd = 3, max = sysconf(_SC_OPEN_MAX); fd < max; fd++)
        if (fd != keepfd)
            close((int)fd);
}

/* The child: stdio on /dev/null, nothing else inherited, then exactly m
 * descriptors (the first a listening TCP socket), report, and wait. */
static void worker(int m, int wfd)
{
    struct {
        char st;
        int err;
    } msg = {'R', 0};
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != g_parent)
        _exit(0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    int nul = open("/dev/null", O_RDWR);
    for (int fd = 0; fd <= 2; fd++)
        if (nul >= 0 && nul != fd)
            dup2(nul, fd);
    close_others(wfd);

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)m + 64) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    g_made = 0;
    g_err = 0;
    if (m > 0)
        keep(inet_socket(SOCK_STREAM, 1));
    for (int slot = 0; !g_err && g_made < m; slot++)
        open_slot(slot, m - g_made);
    if (g_err) {
        msg.st = 'E';
        msg.err = g_err;
    }
    if (write(wfd, &msg, sizeof msg) != (ssize_t)sizeof msg)
        _exit(1);
    close(wfd);
    for (;;)
        pause();
}

static void start_workers(int n, int m)
{
    struct {
        char st;
        int err;
    } msg;
    int p[2];
    if (n > MAXW)
        die("at most %d workers", MAXW);
    if (pipe2(p, O_CLOEXEC) < 0)
        die("pipe2: %s", strerror(errno));
    fflush(NULL);
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            close(p[0]);
            close(p[1]);
            die("fork: %s", strerror(errno));
        }
        if (pid == 0) {
            close(p[0]);
            worker(m, p[1]);
        }
        g_workers[g_nworkers++] = pid;
    }
    close(p[1]);
    for (int got = 0; got < n; got++) {
        struct pollfd pf = {.fd = p[0], .events = POLLIN};
        int r = poll(&pf, 1, READY_TIMEOUT_MS);
        if (r < 0 && errno == EINTR) {
            got--;
            continue;
        }
        if (r <= 0)
            die("workers not ready after %d s", READY_TIMEOUT_MS / 1000);
        ssize_t k = read(p[0], &msg, sizeof msg);
        if (k != (ssize_t)sizeof msg)
            die("a worker died before it was ready");
        if (msg.st != 'R')
            die("a worker could not open %d descriptors: %s", m, strerror(msg.err));
    }
    close(p[0]);
}

/* ------------------------------------------------------------------ */
/* Timed commands                                                      */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *name;
    char **argv;
    int expect;
} cmd;

static void show_stderr(void)
{
    char buf[2048];
    ssize_t k = pread(g_errfd, buf, sizeof buf - 1, 0);
    if (k > 0) {
        buf[k] = 0;
        fprintf(stderr, "bench_audit: its stderr began with:\n%s%s", buf,
                buf[k - 1] == '\n' ? "" : "\n");
    }
}

/* Wall time of one run, spawn to reaping; any other exit status than the
 * expected one is fatal (the figure would not be of the work meant). */
static double run_cmd(const cmd *c)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st = 0, e;
    if (ftruncate(g_errfd, 0) < 0)
        die("ftruncate: %s", strerror(errno));
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, g_errfd, 2);
    double t0 = now_ns();
    e = posix_spawn(&pid, c->argv[0], &fa, NULL, c->argv, environ);
    if (e == 0)
        while (waitpid(pid, &st, 0) < 0)
            if (errno != EINTR)
                die("waitpid: %s", strerror(errno));
    double t = now_ns() - t0;
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0)
        die("cannot run %s: %s", c->argv[0], strerror(e));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != c->expect) {
        if (WIFEXITED(st))
            fprintf(stderr, "bench_audit: `%s` exited %d, expected %d\n", c->name,
                    WEXITSTATUS(st), c->expect);
        else
            fprintf(stderr, "bench_audit: `%s` killed by signal %d\n", c->name, WTERMSIG(st));
        show_stderr();
        die("giving up: the timings would not be of the work meant");
    }
    return t;
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        die("out of memory");
    return p;
}

/* Builds both -p commands for the current workers. */
static void build_p_cmds(cmd *a, cmd *l)
{
    static char *av[MAXW + 8], *lv[8];
    static char alist[MAXW * 12], llist[MAXW * 12];
    int k = 0;
    size_t off = 0;
    av[k++] = (char *)P.tool;
    av[k++] = "audit";
    if (P.json)
        av[k++] = "--json";
    av[k++] = "-p";
    for (int i = 0; i < g_nworkers; i++) {
        char pid[16];
        snprintf(pid, sizeof pid, "%d", (int)g_workers[i]);
        av[k++] = xstrdup(pid);
        off += (size_t)snprintf(llist + off, sizeof llist - off, "%s%s", i ? "," : "", pid);
    }
    av[k] = NULL;
    lv[0] = (char *)P.lsof;
    lv[1] = "-n";
    lv[2] = "+fg";
    lv[3] = "-p";
    lv[4] = llist;
    lv[5] = NULL;
    snprintf(alist, sizeof alist, "noinherit audit%s -p <%d pids>", P.json ? " --json" : "",
             g_nworkers);
    *a = (cmd){alist, av, 1};
    *l = (cmd){"lsof -n +fg -p <pids>", lv, 0};
}

static void free_p_cmd(cmd *a)
{
    for (int i = P.json ? 4 : 3; a->argv[i]; i++)
        free(a->argv[i]);
}

/* Processes and descriptors on the machine, from /proc. */
static void count_machine(long *np, long *nf)
{
    DIR *d = opendir("/proc"), *fd;
    struct dirent *e, *f;
    char path[300];
    *np = *nf = 0;
    if (!d)
        die("opendir /proc: %s", strerror(errno));
    while ((e = readdir(d)))
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9') {
            ++*np;
            snprintf(path, sizeof path, "/proc/%s/fd", e->d_name);
            if ((fd = opendir(path))) {
                while ((f = readdir(fd)))
                    if (f->d_name[0] != '.')
                        ++*nf;
                closedir(fd);
            }
        }
    closedir(d);
}

/* Runs two commands `rounds` times, interleaved, the order alternating. */
static void pair_rounds(const cmd *a, const cmd *l, int rounds, double *ta, double *tl, double *r)
{
    for (int i = 0; i < rounds; i++) {
        if (i % 2 == 0) {
            ta[i] = run_cmd(a);
            tl[i] = run_cmd(l);
        } else {
            tl[i] = run_cmd(l);
            ta[i] = run_cmd(a);
        }
        r[i] = tl[i] / ta[i];
    }
}

/* The floor of any /proc-based audit: list /proc/PID/fd and read every
 * /proc/PID/fdinfo/N once (open, one read, close) -- what it takes just to
 * learn each close-on-exec flag -- in this process, no spawn, no parsing. */
static double fdinfo_pass(pid_t pid)
{
    char path[64], buf[4096];
    double t0 = now_ns();
    snprintf(path, sizeof path, "/proc/%d/fdinfo", (int)pid);
    int info = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    struct dirent *e;
    if (info < 0 || !d)
        die("%s: %s", path, strerror(errno));
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        int fd = openat(info, e->d_name, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, buf, sizeof buf) <= 0)
            die("fdinfo of pid %d fd %s: %s", (int)pid, e->d_name, strerror(errno));
        close(fd);
    }
    closedir(d);
    close(info);
    return now_ns() - t0;
}

static void run_config(result *res, int n, int m)
{
    cmd a, l;
    static char *allv[5], *lallv[4];
    int k = 0;
    allv[k++] = (char *)P.tool;
    allv[k++] = "audit";
    if (P.json)
        allv[k++] = "--json";
    allv[k++] = "--all";
    allv[k] = NULL;
    lallv[0] = (char *)P.lsof;
    lallv[1] = "-n";
    lallv[2] = "+fg";
    lallv[3] = NULL;
    cmd aall = {P.json ? "noinherit audit --json --all" : "noinherit audit --all", allv, 1};
    cmd lall = {"lsof -n +fg", lallv, 0};

    res->n = n;
    res->m = m;
    start_workers(n, m);
    build_p_cmds(&a, &l);
    if (P.warmup) {
        run_cmd(&a);
        run_cmd(&l);
    }
    pair_rounds(&a, &l, P.rounds, res->a, res->l, res->r);
    for (int i = 0; n == 1 && i < P.rounds; i++)
        res->f[i] = fdinfo_pass(g_workers[0]);
    count_machine(&res->ntot, &res->mtot);
    if (P.warmup) {
        run_cmd(&aall);
        run_cmd(&lall);
    }
    pair_rounds(&aall, &lall, P.rounds_all, res->aa, res->la, res->ra);
    free_p_cmd(&a);
    kill_workers();
}

/* ------------------------------------------------------------------ */
/* Report                                                              */
/* ------------------------------------------------------------------ */

static const char *metstr(int met) { return met ? "met" : "NOT met"; }

static void fmt_ms(char *buf, size_t sz, const double *v, int n)
{
    snprintf(buf, sz, "%8.2f [%.2f-%.2f]", median(v, n) / 1e6, pct(v, n, 25) / 1e6,
             pct(v, n, 75) / 1e6);
}

static void fmt_ratio(char *buf, size_t sz, const double *v, int n)
{
    snprintf(buf, sz, "%6.1fx [%.1f-%.1f]", median(v, n), pct(v, n, 25), pct(v, n, 75));
}

static double g_base_tool, g_base_lsof;

/* Start-up cost alone: the same binaries doing (almost) nothing. */
static void measure_baseline(void)
{
    char *tv[] = {(char *)P.tool, "--version", NULL};
    char *lv[] = {(char *)P.lsof, "-v", NULL};
    cmd t = {"noinherit --version", tv, 0}, l = {"lsof -v", lv, 0};
    double a[MAXR], b[MAXR], r[MAXR];
    run_cmd(&t);
    run_cmd(&l);
    pair_rounds(&t, &l, P.rounds, a, b, r);
    g_base_tool = median(a, P.rounds);
    g_base_lsof = median(b, P.rounds);
}

static void print_header(int quick, int ncfg)
{
    struct utsname u;
    struct rlimit rl;
    char cpu[128] = "?", line[256];
    FILE *f = fopen("/proc/cpuinfo", "re");
    if (f) {
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "model name", 10)) {
                char *p = strchr(line, ':');
                if (p) {
                    p += 1 + strspn(p + 1, " \t");
                    p[strcspn(p, "\n")] = 0;
                    snprintf(cpu, sizeof cpu, "%s", p);
                }
                break;
            }
        fclose(f);
    }
    if (uname(&u) < 0)
        die("uname: %s", strerror(errno));
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("noinherit bench_audit -- `noinherit audit` vs `lsof -n +fg`\n");
    printf("machine: %s %s %s, cpu \"%s\", nproc %ld\n", u.sysname, u.release, u.machine, cpu,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("tool: %s\nlsof: %s\n", P.tool, P.lsof);
    printf("RLIMIT_NOFILE of the timed commands: soft %lu, hard %lu\n", (unsigned long)rl.rlim_cur,
           (unsigned long)rl.rlim_max);
    printf("method: %s; %d configurations; per configuration: 1 untimed warm-up each%s, then %d "
           "interleaved rounds of (audit -p, lsof -p), order alternating, then %d of "
           "(audit --all, lsof -n +fg); wall time of each whole command (posix_spawn to reaping), "
           "output to /dev/null; median [p25-p75]; lsof/audit = median of the per-round ratios\n",
           quick ? "QUICK (smoke run, figures are rough)" : "full run", ncfg,
           P.warmup ? "" : " SKIPPED", P.rounds, P.rounds_all);
    printf("workers: each holds fds 0-2 on /dev/null plus M descriptors: a listening TCP socket, "
           "then a cycle of regular file, pipe (2), UNIX socketpair (2), directory, eventfd, "
           "/dev/null, unbound TCP, bound UDP, epoll, timerfd; close-on-exec clear on every "
           "second one\n");
    printf("spawn baseline (same timing, median of %d): `noinherit --version` %.2f ms, "
           "`lsof -v` %.2f ms -- the part of every figure below that is process start-up\n",
           P.rounds, g_base_tool / 1e6, g_base_lsof / 1e6);
}

/* Least squares t = a + b*M through (m[i], t[i]); returns R^2. */
static double fit(const double *m, const double *t, int n, double *a, double *b)
{
    double sm = 0, st = 0, smm = 0, smt = 0, ss = 0, sr = 0;
    for (int i = 0; i < n; i++) {
        sm += m[i];
        st += t[i];
        smm += m[i] * m[i];
        smt += m[i] * t[i];
    }
    *b = (n * smt - sm * st) / (n * smm - sm * sm);
    *a = (st - *b * sm) / n;
    for (int i = 0; i < n; i++) {
        double d = t[i] - st / n, r = t[i] - (*a + *b * m[i]);
        ss += d * d;
        sr += r * r;
    }
    return ss > 0 ? 1.0 - sr / ss : 1.0;
}

/* Prints the linearity analysis of rows with N == n; returns the marginal
 * cost ratio of the top step to the bottom step (0 when under 3 sizes). */
static double linearity(const result *res, int nres, int n, int audit, const char *label,
                        double *top)
{
    double m[8], t[8], a, b, marg[8];
    int k = 0;
    for (int i = 0; i < nres && k < 8; i++)
        if (res[i].n == n) {
            m[k] = (double)n * res[i].m;
            t[k] = median(audit == 1 ? res[i].a : audit == 2 ? res[i].f : res[i].l, P.rounds);
            k++;
        }
    if (k < 2)
        return 0;
    printf("  %s, N=%d:\n", label, n);
    printf("    %8s  %10s  %12s  %28s\n", "fds N*M", "median ms", "us/fd (t/M)",
           "marginal us/fd (step from)");
    for (int i = 0; i < k; i++) {
        if (i > 0) {
            marg[i] = (t[i] - t[i - 1]) / (m[i] - m[i - 1]) / 1e3;
            printf("    %8.0f  %10.3f  %12.3f  %20.3f (%.0f)\n", m[i], t[i] / 1e6, t[i] / m[i] / 1e3,
                   marg[i], m[i - 1]);
        } else
            printf("    %8.0f  %10.3f  %12.3f  %20s\n", m[i], t[i] / 1e6, t[i] / m[i] / 1e3, "-");
    }
    double r2 = fit(m, t, k, &a, &b);
    printf("    least squares t = a + b*fds: a = %.3f ms, b = %.3f us/fd, R^2 = %.4f\n", a / 1e6,
           b / 1e3, r2);
    if (top)
        *top = marg[k - 1];
    if (k < 3)
        return 0;
    /* The last two steps: a step from 10 fds is all fixed cost and noise. */
    double q = marg[k - 1] / marg[k - 2];
    printf("    marginal cost ratio, top step / the step below = %.2f  (1.00 = linear)\n", q);
    return q;
}

static void report(const result *res, int nres)
{
    char ta[64], tl[64], tr[64];
    double worst_p = 1e30, worst_all = 1e30;
    int wp = 0, wa = 0;

    printf("\n== -p: the N worker processes only; ms of wall time per command ==\n");
    printf("  %3s %6s %7s  %-26s %-26s %-22s %9s  %s\n", "N", "M", "N*M", "audit -p ms [p25-p75]",
           "lsof -p ms [p25-p75]", "lsof/audit [p25-p75]", "audit/fd", "goal >=5x");
    for (int i = 0; i < nres; i++) {
        const result *r = &res[i];
        double q = median(r->r, P.rounds);
        fmt_ms(ta, sizeof ta, r->a, P.rounds);
        fmt_ms(tl, sizeof tl, r->l, P.rounds);
        fmt_ratio(tr, sizeof tr, r->r, P.rounds);
        printf("  %3d %6d %7d  %-26s %-26s %-22s %6.2f us  %s\n", r->n, r->m, r->n * r->m, ta, tl,
               tr, median(r->a, P.rounds) / (r->n * r->m) / 1e3, metstr(q >= GOAL_SPEEDUP));
        if (q < worst_p) {
            worst_p = q;
            wp = i;
        }
    }

    printf("\n== machine-wide: `audit --all` vs `lsof -n +fg`, all processes, with the "
           "configuration's workers alive; ms ==\n");
    printf("  %-12s %7s %8s  %-26s %-26s %-22s %s\n", "workers", "N_total", "M_total",
           "audit --all ms [p25-p75]", "lsof ms [p25-p75]", "lsof/audit [p25-p75]", "goal >=5x");
    for (int i = 0; i < nres; i++) {
        const result *r = &res[i];
        char w[32];
        double q = median(r->ra, P.rounds_all);
        snprintf(w, sizeof w, "N=%d M=%d", r->n, r->m);
        fmt_ms(ta, sizeof ta, r->aa, P.rounds_all);
        fmt_ms(tl, sizeof tl, r->la, P.rounds_all);
        fmt_ratio(tr, sizeof tr, r->ra, P.rounds_all);
        printf("  %-12s %7ld %8ld  %-26s %-26s %-22s %s\n", w, r->ntot, r->mtot, ta, tl, tr,
               metstr(q >= GOAL_SPEEDUP));
        if (q < worst_all) {
            worst_all = q;
            wa = i;
        }
    }
    printf("  (N_total, M_total: processes and descriptors in /proc just before these rounds)\n");

    printf("\n== linear in M ==\n");
    double top_a = 0, top_l = 0, top_f = 0;
    double qa = linearity(res, nres, 1, 1, "noinherit audit -p", &top_a);
    linearity(res, nres, 1, 0, "lsof -p (for comparison)", &top_l);
    linearity(res, nres, 1, 2, "floor: in-process open+read+close of every /proc/PID/fdinfo/N",
              &top_f);
    linearity(res, nres, 20, 1, "noinherit audit -p (information)", NULL);
    if (top_f > 0)
        printf("\n  At large M the ratio tends to lsof's marginal cost over audit's: %.2f / %.2f us/fd"
               " = %.1fx.\n  Any audit that reads each fd's fdinfo (the only place another "
               "process's close-on-exec\n  flag can be read) can reach at most %.2f / %.2f = "
               "%.1fx here.\n",
               top_l, top_a, top_l / top_a, top_l, top_f, top_l / top_f);

    printf("\n== Goals (issue 4, \"Speed\") ==\n");
    printf("  %-66s %6.1fx (N=%d M=%d)  %s\n", "audit -p at least 5x faster than lsof -p, every row",
           worst_p, res[wp].n, res[wp].m, metstr(worst_p >= GOAL_SPEEDUP));
    printf("  %-66s %6.1fx (N=%d M=%d)  %s\n",
           "audit --all at least 5x faster than lsof -n +fg, every row", worst_all, res[wa].n,
           res[wa].m, metstr(worst_all >= GOAL_SPEEDUP));
    if (qa > 0)
        printf("  %-66s %6.2f  %s\n",
               "audit linear in M: N=1 marginal us/fd, top step <= 1.5x bottom step", qa,
               metstr(qa <= GOAL_LINEAR));
    else
        printf("  %-66s %s\n", "audit linear in M", "not judged (needs 3 sizes with N=1)");
    printf("  => %s\n", worst_p >= GOAL_SPEEDUP && worst_all >= GOAL_SPEEDUP && qa > 0 &&
                                qa <= GOAL_LINEAR
                            ? "all goals met"
                            : "NOT all goals met");

    /* Issue 13: sock_diag, the re-read of every leaking fd, no slower
     * than before: the median of the paired ratios of each row. */
    printf("\n== Goals (issue 13: sock_diag, one open file per row) ==\n");
    int met13 = 1, seen_large = 0, seen_small = 0;
    for (int i = 0; i < nres; i++) {
        const result *r = &res[i];
        double q = median(r->r, P.rounds), qm = median(r->ra, P.rounds_all);
        if (r->n == 1 && r->m == 15000) {
            seen_large = 1;
            printf("  %-66s %6.1fx  %s\n", "audit -p >= 2x lsof -p at N=1 M=15000", q,
                   metstr(q >= GOAL13_LARGE));
            met13 &= q >= GOAL13_LARGE;
        }
        if (r->m == 10) {
            char what[96];
            seen_small = 1;
            snprintf(what, sizeof what, "audit -p >= 4x lsof -p on small processes, N=%d M=10", r->n);
            printf("  %-66s %6.1fx  %s\n", what, q, metstr(q >= GOAL13_SMALL));
            met13 &= q >= GOAL13_SMALL;
        }
        if (r->n == 1 && (r->m == 10 || r->m == 1000 || r->m == 15000))
            printf("  %-66s %6.1fx  (information)\n",
                   r->m == 10 ? "machine-wide, N=1 M=10 alive: lsof/audit --all"
                   : r->m == 1000 ? "machine-wide, N=1 M=1000 alive: lsof/audit --all"
                                  : "machine-wide, N=1 M=15000 alive: lsof/audit --all",
                   qm);
    }
    printf("  => %s\n", !seen_large || !seen_small ? "not judged (needs N=1 M=15000 and M=10 rows)"
                         : met13 ? "issue 13 goals met"
                                 : "NOT all issue 13 goals met");
}

/* ------------------------------------------------------------------ */
/* Setup                                                               */
/* ------------------------------------------------------------------ */

static const char *find_in_path(const char *name)
{
    static char buf[4096];
    const char *path = getenv("PATH");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s:/usr/sbin:/sbin:/usr/bin:/bin", path ? path : "");
    for (char *save, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(buf, sizeof buf, "%s/%s", *d ? d : ".", name);
        if (access(buf, X_OK) == 0)
            return buf;
    }
    return NULL;
}

static void make_tmp(void)
{
    snprintf(g_tmpdir, sizeof g_tmpdir, "/tmp/bench_audit.XXXXXX");
    if (!mkdtemp(g_tmpdir)) {
        g_tmpdir[0] = 0;
        die("mkdtemp: %s", strerror(errno));
    }
    for (int i = 0; i < NFILES; i++)
        snprintf(g_tmppath[i], sizeof g_tmppath[i], "%s/f%d", g_tmpdir, i);
    snprintf(g_tmppath[NFILES], sizeof g_tmppath[NFILES], "%s/stderr", g_tmpdir);
    for (int i = 0; i < NFILES; i++) {
        int fd = open(g_tmppath[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, "x\n", 2) != 2)
            die("%s: %s", g_tmppath[i], strerror(errno));
        close(fd);
    }
    g_errfd = open(g_tmppath[NFILES], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (g_errfd < 0)
        die("%s: %s", g_tmppath[NFILES], strerror(errno));
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_audit [--quick] [--rounds N] [--tool PATH] [--lsof PATH] "
                    "[--json]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int quick = 0, rounds = 0;
    const char *tool = NI_TOOL_PATH, *lsof = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--json"))
            P.json = 1;
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--tool") && i + 1 < argc)
            tool = argv[++i];
        else if (!strcmp(argv[i], "--lsof") && i + 1 < argc)
            lsof = argv[++i];
        else
            usage();
    }
    if (rounds < 0 || rounds > MAXR)
        usage();
    if (!lsof && !(lsof = find_in_path("lsof"))) {
        printf("bench_audit: lsof not found: skipped (Debian: apt-get install lsof)\n");
        return 77;
    }
    P.lsof = xstrdup(lsof);
    P.tool = tool;
    if (access(P.tool, X_OK) != 0)
        die("%s: %s (give the noinherit command with --tool PATH)", P.tool, strerror(errno));
    P.rounds = quick ? 3 : 11;
    P.rounds_all = quick ? 1 : 5;
    P.warmup = !quick;
    if (rounds > 0)
        P.rounds = rounds;
    const config *cfg = quick ? quick_cfg : full_cfg;
    int ncfg = quick ? (int)(sizeof quick_cfg / sizeof *quick_cfg)
                     : (int)(sizeof full_cfg / sizeof *full_cfg);

    g_parent = getpid();
    atexit(cleanup);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    make_tmp();

    result *res = calloc((size_t)ncfg, sizeof *res);
    if (!res)
        die("out of memory");
    double t0 = now_ns();
    measure_baseline();
    print_header(quick, ncfg);
    for (int i = 0; i < ncfg; i++) {
        fprintf(stderr, "bench_audit: N=%d M=%d ...\n", cfg[i].n, cfg[i].m);
        run_config(&res[i], cfg[i].n, cfg[i].m);
    }
    report(res, ncfg);
    printf("\ntotal wall time %.1f s\n", (now_ns() - t0) / 1e9);
    free(res);
    return 0;
}
