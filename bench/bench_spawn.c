/*
 * bench_spawn.c - spawn-and-reap throughput: ni_spawn against its peers.
 *
 * Issue 3, "Benchmark".  One op is one spawn of a tiny static child
 * (spawn_child.c: execve, then exit_group) plus its reaping, for:
 *   ni_spawn (default options: close_fds), glibc posix_spawn with
 *   posix_spawn_file_actions_addclosefrom_np(3), GLib
 *   g_spawn_async_with_pipes_and_fds, libuv uv_spawn (reaped through its
 *   loop), fork + close_range(3, ~0U) + execve, fork + a close() loop up to
 *   the soft RLIMIT_NOFILE + execve, and the floor: a bare
 *   clone(CLONE_VM|CLONE_VFORK) + execve with no descriptor work.
 * Every descriptor the benchmark opens is close-on-exec, so the floor's
 * child inherits nothing either.
 *
 * Rows: 1 and 4 spawning threads x 10, 1000 and 10000 descriptors open x a
 * small parent or one with 2 GiB touched in 4 KiB pages x soft
 * RLIMIT_NOFILE 1024 and 20000 (capped at the hard limit; a row needs room
 * for its descriptors).  Each (threads, descriptors, heap) group runs in a
 * fresh process forked from a small driver, so no group inherits another's
 * descriptor table, heap or threads.  Within a group the cells (method x
 * soft limit) are interleaved round by round; a cell's figure for a round
 * is the wall time of one slice divided by the spawns made in it (by all
 * threads).  Reported: median over rounds with the 10th/90th percentiles,
 * and paired ratios (computed within each round, median reported).
 * See bench/README.md.
 *
 * Usage: bench_spawn [--quick] [--rounds N] [--heap-mib N] [--csv FILE]
 *                    [--plot DIR] [--only T:FDS:HEAP_MIB]... [--list]
 *                    [--loop ID N [--threads N] [--fds N] [--soft N]
 *                    [--heap-mib N]]
 * Exit status: 0 once it has run (goals met or not), 2 on a setup error or
 * a child that did not exit 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <uv.h>
#if defined(__GLIBC__)
#include <gnu/libc-version.h>
#endif

#include "benchstat.h"
#include "noinherit.h"

#ifndef NI_SPAWN_CHILD
#error "NI_SPAWN_CHILD (the path of spawn_child) must be defined by the build"
#endif
#ifndef NI_SPAWN_CHILD_LINK
#define NI_SPAWN_CHILD_LINK "?"
#endif
#ifndef NI_SPAWN_PLOT_SCRIPT
#define NI_SPAWN_PLOT_SCRIPT "spawn_plot.gp"
#endif

/* Goals of the issue, and the tolerances this program applies to them. */
#define GOAL_VS_PEER 0.97  /* fastest peer's time / ni's >= 0.97 ("no slower") */
#define GOAL_VS_FLOOR 1.10 /* ni's time / the floor's <= 1.10 */
#define GOAL_FLAT 0.10     /* |ratio - 1| <= 0.10 across soft limits and heaps */

/* The floor does the same work every time; when its p90/p10 over a group's
 * rounds exceeds BUSY_SPREAD, something else was using the machine, and the
 * group runs again (at most MAX_RERUNS times; the report says so). */
#define BUSY_SPREAD 3.0
#define MAX_RERUNS 2

#define SOFT_LOW 1024
#define SOFT_HIGH 20000
/* Descriptors a row must leave free under its soft limit for what the
 * methods open while they run: libuv needs about 7 per thread (its loop's
 * epoll and signal pipe, the spawn's exec pipe) plus its global lock pipe. */
#define HEADROOM(threads) (8 + 8 * (threads))
#define MAXR 101
#define MAXSOFT 2
#define MAXTHREADS 16
#define MAXGROUPS 16
#define FLOOR_STACK 65536

extern char **environ;

/* ------------------------------------------------------------------ */
/* Utilities                                                          */
/* ------------------------------------------------------------------ */

static void die(const char *fmt, ...)
{
    int e = errno;
    va_list ap;
    fprintf(stderr, "bench_spawn: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, e ? ": %s\n" : "\n", strerror(e));
    exit(2);
}

static const char *g_child = NI_SPAWN_CHILD;
static char *g_argv[4] = {"spawn_child", NULL, NULL, NULL};
static char **g_envp;
static posix_spawn_file_actions_t g_fa; /* addclosefrom_np(3), made once */

static struct {
    int rounds;
    double slice_ns; /* target wall time of one slice */
    int heap_mib;    /* the large parent heap */
    double settle_max_s;
    int quick;
} P;

/* ------------------------------------------------------------------ */
/* The methods.  Each makes one spawn and reaps it; a child that does   */
/* not exit 0 stops the run.                                            */
/* ------------------------------------------------------------------ */

typedef struct {
    pthread_t th;
    uv_loop_t loop;
    uv_process_t proc;
    int64_t uv_status;
    int uv_signal;
    _Alignas(16) char stack[FLOOR_STACK]; /* the floor child's */
} worker;

static void check_status(const char *who, int st)
{
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        errno = 0;
        die("%s: child exited with status 0x%x", who, st);
    }
}

static void reap(pid_t pid, const char *who)
{
    int st;
    pid_t r;
    do
        r = waitpid(pid, &st, 0);
    while (r < 0 && errno == EINTR);
    if (r != pid)
        die("%s: waitpid", who);
    check_status(who, st);
}

static void sp_ni(worker *w)
{
    pid_t pid;
    (void)w;
    if (ni_spawn(&pid, g_child, g_argv, g_envp, NULL) < 0)
        die("ni_spawn %s", g_child);
    reap(pid, "ni_spawn");
}

static void sp_posix(worker *w)
{
    pid_t pid;
    (void)w;
    int e = posix_spawn(&pid, g_child, &g_fa, NULL, g_argv, g_envp);
    if (e) {
        errno = e;
        die("posix_spawn %s", g_child);
    }
    reap(pid, "posix_spawn");
}

static void sp_glib(worker *w)
{
    GError *err = NULL;
    GPid pid;
    (void)w;
    /* Default stdin is /dev/null in GLib; every other method inherits it. */
    if (!g_spawn_async_with_pipes_and_fds(NULL, (const gchar *const *)g_argv,
                                          (const gchar *const *)g_envp,
                                          G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CHILD_INHERITS_STDIN,
                                          NULL, NULL, -1, -1, -1, NULL, NULL, 0, &pid, NULL, NULL,
                                          NULL, &err)) {
        errno = 0;
        die("g_spawn_async_with_pipes_and_fds: %s", err ? err->message : "?");
    }
    reap(pid, "GLib");
}

static void on_uv_exit(uv_process_t *p, int64_t status, int sig)
{
    worker *w = p->data;
    w->uv_status = status;
    w->uv_signal = sig;
    uv_close((uv_handle_t *)p, NULL);
}

static void sp_uv(worker *w)
{
    uv_stdio_container_t io[3];
    uv_process_options_t o;
    memset(&o, 0, sizeof o);
    for (int i = 0; i < 3; i++) {
        io[i].flags = UV_INHERIT_FD; /* as the others: stdio inherited */
        io[i].data.fd = i;
    }
    o.exit_cb = on_uv_exit;
    o.file = g_child;
    o.args = g_argv;
    o.env = g_envp;
    o.stdio_count = 3;
    o.stdio = io;
    w->proc.data = w;
    w->uv_status = -1;
    int r = uv_spawn(&w->loop, &w->proc, &o);
    if (r) {
        errno = 0;
        die("uv_spawn: %s", uv_strerror(r));
    }
    /* The exit callback closes the handle; the loop then has nothing left. */
    uv_run(&w->loop, UV_RUN_DEFAULT);
    if (w->uv_status != 0 || w->uv_signal != 0) {
        errno = 0;
        die("uv_spawn: child exited with status %lld, signal %d", (long long)w->uv_status,
            w->uv_signal);
    }
}

/* Between fork and exec only raw system calls: other threads may hold locks. */
static void sp_fork_cr(worker *w)
{
    (void)w;
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
            _exit(126);
        execve(g_child, g_argv, g_envp);
        _exit(127);
    }
    reap(pid, "fork + close_range");
}

static void sp_fork_loop(worker *w)
{
    (void)w;
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        struct rlimit rl;
        long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (long)rl.rlim_cur : 1024;
        for (long fd = 3; fd < max; fd++)
            close((int)fd);
        execve(g_child, g_argv, g_envp);
        _exit(127);
    }
    reap(pid, "fork + close loop");
}

static int floor_child(void *arg)
{
    (void)arg;
    execve(g_child, g_argv, g_envp);
    _exit(127);
}

static void sp_floor(worker *w)
{
    pid_t pid = clone(floor_child, w->stack + sizeof w->stack, CLONE_VM | CLONE_VFORK | SIGCHLD,
                      NULL);
    if (pid < 0)
        die("clone");
    reap(pid, "clone(CLONE_VM|CLONE_VFORK)");
}

/* libuv: one loop per thread, made before a slice and closed after it
 * (untimed), so its SIGCHLD handler never outlives the libuv cells. */
static void uv_begin(worker *w)
{
    int r = uv_loop_init(&w->loop);
    if (r) {
        errno = 0;
        die("uv_loop_init: %s", uv_strerror(r));
    }
}

static void uv_end(worker *w)
{
    int r = uv_loop_close(&w->loop);
    if (r) {
        errno = 0;
        die("uv_loop_close: %s", uv_strerror(r));
    }
}

enum { M_NI, M_POSIX, M_GLIB, M_UV, M_FORK_CR, M_FORK_LOOP, M_FLOOR, NMETH };

static const struct method {
    const char *id;    /* --loop, CSV */
    const char *label; /* tables */
    const char *shortl; /* summary table */
    void (*spawn)(worker *w);
    void (*begin)(worker *w); /* before a slice, untimed */
    void (*end)(worker *w);   /* after it, untimed */
    int closes;               /* closes inheritable fds >= 3 (checked at start-up) */
} g_methods[NMETH] = {
    {"ni", "ni_spawn", "ni_spawn", sp_ni, NULL, NULL, 1},
    {"posix_spawn", "posix_spawn + addclosefrom_np", "posix", sp_posix, NULL, NULL, 1},
    {"glib", "GLib g_spawn_async_w_p_and_fds", "GLib", sp_glib, NULL, NULL, 1},
    {"libuv", "libuv uv_spawn + uv_run", "libuv", sp_uv, uv_begin, uv_end, 0},
    {"fork_close_range", "fork + close_range + execve", "fork+cr", sp_fork_cr, NULL, NULL, 1},
    {"fork_close_loop", "fork + close() loop + execve", "fork+loop", sp_fork_loop, NULL, NULL, 1},
    {"floor", "floor: clone(VM|VFORK)+execve", "floor", sp_floor, NULL, NULL, 0},
};

/* ------------------------------------------------------------------ */
/* Spawning threads.  With one thread the group process's only thread   */
/* spawns (glibc's fork() takes its multi-thread path only once a      */
/* second thread has existed); with T > 1, T workers spawn between     */
/* barriers while the main thread times.                               */
/* ------------------------------------------------------------------ */

static worker *g_workers;
static int g_nthreads;
static struct {
    pthread_barrier_t go, ready, done;
    int m;
    long n;
} g_job; /* the workers never return: the group process exits under them */

static void *worker_main(void *arg)
{
    worker *w = arg;
    for (;;) {
        pthread_barrier_wait(&g_job.go);
        const struct method *m = &g_methods[g_job.m];
        if (m->begin)
            m->begin(w);
        pthread_barrier_wait(&g_job.ready);
        for (long i = 0; i < g_job.n; i++)
            m->spawn(w);
        pthread_barrier_wait(&g_job.done);
        if (m->end)
            m->end(w);
    }
    return NULL; /* not reached */
}

static void start_threads(int n)
{
    g_nthreads = n;
    g_workers = calloc((size_t)n, sizeof(worker));
    if (!g_workers)
        die("calloc");
    if (n == 1)
        return;
    if (pthread_barrier_init(&g_job.go, NULL, (unsigned)n + 1) ||
        pthread_barrier_init(&g_job.ready, NULL, (unsigned)n + 1) ||
        pthread_barrier_init(&g_job.done, NULL, (unsigned)n + 1))
        die("pthread_barrier_init");
    for (int i = 0; i < n; i++) {
        int e = pthread_create(&g_workers[i].th, NULL, worker_main, &g_workers[i]);
        if (e) {
            errno = e;
            die("pthread_create");
        }
    }
}

/* One slice: n spawns of method m in each thread; returns the wall ns. */
static double run_slice(int m, long n)
{
    const struct method *me = &g_methods[m];
    double t0, t;
    if (g_nthreads == 1) {
        worker *w = &g_workers[0];
        if (me->begin)
            me->begin(w);
        t0 = now_ns();
        for (long i = 0; i < n; i++)
            me->spawn(w);
        t = now_ns() - t0;
        if (me->end)
            me->end(w);
        return t;
    }
    g_job.m = m;
    g_job.n = n;
    pthread_barrier_wait(&g_job.go);
    pthread_barrier_wait(&g_job.ready);
    t0 = now_ns();
    pthread_barrier_wait(&g_job.done);
    return now_ns() - t0;
}

/* ------------------------------------------------------------------ */
/* A group's process: its descriptors, its heap, its threads; then the  */
/* interleaved rounds.  Results go to memory shared with the driver.   */
/* ------------------------------------------------------------------ */

typedef struct {
    int threads, nfds, heap_mib;
    int nsoft;
    long soft[MAXSOFT];
    long n[MAXSOFT][NMETH];             /* spawns per thread per slice */
    double ns[MAXSOFT][NMETH][MAXR];    /* ns per spawn, per round */
    double touch_s, settle_s, wall_s;
    int settled;
    int reruns; /* times the group was run again, the machine being busy */
} group;

static group *g_groups; /* MAP_SHARED: written by the group processes */
static int g_ngroups;
static long g_hard, g_top_soft;
static long g_softs[MAXSOFT]; /* the soft limits measured, ascending */
static int g_nsofts;

static void set_soft(long soft)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("getrlimit");
    if ((long)rl.rlim_cur == soft)
        return;
    rl.rlim_cur = (rlim_t)soft;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("setrlimit(RLIMIT_NOFILE, soft %ld)", soft);
}

/* Descriptors 0 .. nfds-1 open; everything >= 3 is /dev/null, close-on-exec. */
static void open_fds(int nfds)
{
    int src = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (src != 3)
        die("expected /dev/null on fd 3, got %d", src);
    for (int fd = 4; fd < nfds; fd++)
        if (fcntl(src, F_DUPFD_CLOEXEC, fd) != fd)
            die("F_DUPFD_CLOEXEC onto %d", fd);
}

/* mib MiB of anonymous memory, 4 KiB pages (no THP), every page touched.
 * Never unmapped: the group process exits after its rounds. */
static double touch_heap(int mib)
{
    if (mib <= 0)
        return 0;
    double t0 = now_ns();
    size_t len = (size_t)mib << 20;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap %d MiB", mib);
    if (madvise(p, len, MADV_NOHUGEPAGE) < 0)
        die("madvise(MADV_NOHUGEPAGE)");
    long pg = sysconf(_SC_PAGESIZE);
    for (size_t off = 0; off < len; off += (size_t)pg)
        p[off] = 1;
    return (now_ns() - t0) / 1e9;
}

/* Mean ns of floor spawns over about ms milliseconds, in this thread. */
static double floor_batch(worker *w, double ms)
{
    long n = 0;
    double t0 = now_ns(), t;
    do {
        sp_floor(w);
        n++;
    } while ((t = now_ns() - t0) < ms * 1e6);
    return t / (double)n;
}

/*
 * Right after 2 GiB have been faulted in, every spawn on the benchmark
 * machine, the floor's too, runs ~2-3x slower for a few seconds (kernel
 * work after the faults; it passes without any spawning, see
 * bench/README.md).  What is measured here is the steady cost of spawning
 * from a large parent, so the rounds wait until the floor is back within
 * SETTLE_TOL of its cost before the touch (two 100 ms batches in a row), at
 * most P.settle_max_s seconds.
 */
#define SETTLE_TOL 1.25

static void touch_and_settle(group *g)
{
    static worker w; /* only its stack is used */
    double base = floor_batch(&w, 100);
    double b2 = floor_batch(&w, 100);
    if (b2 < base)
        base = b2;
    g->touch_s = touch_heap(g->heap_mib);
    double t0 = now_ns();
    int ok = 0;
    while (ok < 2 && now_ns() - t0 < P.settle_max_s * 1e9)
        ok = floor_batch(&w, 100) <= SETTLE_TOL * base ? ok + 1 : 0;
    g->settle_s = (now_ns() - t0) / 1e9;
    g->settled = ok >= 2;
}

/* Spawns per thread that make a slice last about P.slice_ns: doubling
 * until a slice takes a quarter of that, then once more at that count (the
 * faster of the two counts, so that one disturbed slice does not shrink
 * the cell's slices for good). */
static void calibrate(group *g, int s, int m)
{
    set_soft(g->soft[s]);
    for (long n = 1;; n *= 2) {
        double w = run_slice(m, n);
        if (w >= P.slice_ns / 4 || n >= (1L << 20)) {
            double w2 = run_slice(m, n);
            long k = (long)(P.slice_ns / ((w2 < w ? w2 : w) / (double)n));
            g->n[s][m] = k < 1 ? 1 : k;
            return;
        }
    }
}

static void run_group(group *g)
{
    double t0 = now_ns();
    set_soft(g->soft[g->nsoft - 1]);
    open_fds(g->nfds);
    if (g->heap_mib > 0)
        touch_and_settle(g);
    start_threads(g->threads);
    int k = g->nsoft * NMETH;
    for (int c = 0; c < k; c++)
        calibrate(g, c / NMETH, c % NMETH);
    for (int c = 0; c < k; c++) { /* warm-up: one slice of each, untimed */
        set_soft(g->soft[c / NMETH]);
        run_slice(c % NMETH, g->n[c / NMETH][c % NMETH]);
    }
    /* The starting cell rotates every round and the direction alternates,
     * so no cell always runs first or always after the same other cell. */
    for (int r = 0; r < P.rounds; r++)
        for (int j = 0; j < k; j++) {
            int c = r % 2 ? (k - 1 - j + r) % k : (j + r) % k;
            int s = c / NMETH, m = c % NMETH;
            set_soft(g->soft[s]);
            long n = g->n[s][m];
            g->ns[s][m][r] = run_slice(m, n) / ((double)n * g->threads);
        }
    g->wall_s = (now_ns() - t0) / 1e9;
}

/* Runs fn(arg) in a forked copy of this (small, single-threaded) process. */
static void in_child(void (*fn)(void *), void *arg, const char *what)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        fn(arg);
        fflush(NULL);
        _exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        errno = 0;
        die("%s failed (status 0x%x)", what, st);
    }
}

static void run_group_v(void *arg) { run_group(arg); }

static double floor_spread(const group *g)
{
    double worst = 0;
    for (int s = 0; s < g->nsoft; s++) {
        double r = pct(g->ns[s][M_FLOOR], P.rounds, 90) / pct(g->ns[s][M_FLOOR], P.rounds, 10);
        if (r > worst)
            worst = r;
    }
    return worst;
}

static void run_group_guarded(group *g)
{
    for (int tries = 0;; tries++) {
        in_child(run_group_v, g, "group");
        g->reruns = tries;
        double sp = floor_spread(g);
        if (sp <= BUSY_SPREAD || tries == MAX_RERUNS)
            return;
        fprintf(stderr, "bench_spawn: %d thread(s), %d fds, heap %d MiB: the floor's p90/p10 was "
                        "%.1f (> %.1f): the machine was busy; running the group again\n",
                g->threads, g->nfds, g->heap_mib, sp, BUSY_SPREAD);
    }
}

/* ------------------------------------------------------------------ */
/* Start-up check: every method's child gets fds 0-2; the closing      */
/* methods close an inheritable descriptor.  The child is this program */
/* with --child-check FD (exit 0: as expected).                         */
/* ------------------------------------------------------------------ */

static int child_check(const char *fdarg)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0)
            return 1;
    if (strcmp(fdarg, "-") != 0 && (fcntl(atoi(fdarg), F_GETFD) >= 0 || errno != EBADF))
        return 1;
    return 0;
}

static void verify_methods(void *arg)
{
    static char self[PATH_MAX];
    (void)arg;
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        die("readlink /proc/self/exe");
    self[len] = 0;
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || dup2(fd, 50) != 50) /* dup2: fd 50 is inheritable */
        die("dup2 onto 50");
    start_threads(1);
    g_child = self;
    g_argv[0] = self;
    g_argv[1] = "--child-check";
    for (int m = 0; m < NMETH; m++) {
        g_argv[2] = g_methods[m].closes ? "50" : "-";
        run_slice(m, 1);
    }
}

/* ------------------------------------------------------------------ */
/* Reporting                                                           */
/* ------------------------------------------------------------------ */

typedef struct {
    double med, lo, hi;
} stat3;

static stat3 stats(const double *v, int n)
{
    stat3 q = {median(v, n), pct(v, n, 10), pct(v, n, 90)};
    return q;
}

/* Paired ratio a/b, per round: median and 10th/90th percentiles. */
static stat3 paired(const double *a, const double *b, int n)
{
    double v[MAXR];
    for (int r = 0; r < n; r++)
        v[r] = a[r] / b[r];
    return stats(v, n);
}

static void fmt_us(char *buf, size_t sz, double ns)
{
    if (ns >= 1e7)
        snprintf(buf, sz, "%.2f ms", ns / 1e6);
    else if (ns >= 1e5)
        snprintf(buf, sz, "%.0f us", ns / 1e3);
    else
        snprintf(buf, sz, "%.1f us", ns / 1e3);
}

static void fmt_rate(char *buf, size_t sz, double ns)
{
    double ops = 1e9 / ns;
    if (ops >= 1e3)
        snprintf(buf, sz, "%.2f k", ops / 1e3);
    else
        snprintf(buf, sz, "%.1f ", ops);
}

static const char *metstr(int met) { return met ? "met" : "NOT met"; }

static void heap_name(char *buf, size_t sz, int mib)
{
    if (mib == 0)
        snprintf(buf, sz, "small");
    else if (mib % 1024 == 0)
        snprintf(buf, sz, "%d GiB", mib / 1024);
    else
        snprintf(buf, sz, "%d MiB", mib);
}

/* The peer (not ni, not the floor) with the lowest paired peer/ni ratio. */
static int fastest_peer(const group *g, int s, stat3 *q)
{
    int best = -1;
    for (int m = M_POSIX; m < M_FLOOR; m++) {
        stat3 r = paired(g->ns[s][m], g->ns[s][M_NI], P.rounds);
        if (best < 0 || r.med < q->med) {
            best = m;
            *q = r;
        }
    }
    return best;
}

static void print_row(const group *g, int s)
{
    char hp[16];
    heap_name(hp, sizeof hp, g->heap_mib);
    printf("\n%d thread%s, %d fds open (0-%d), parent heap %s, soft RLIMIT_NOFILE %ld\n", g->threads,
           g->threads > 1 ? "s" : "", g->nfds, g->nfds - 1, hp, g->soft[s]);
    printf("  %-31s %10s  %-21s %10s  %-8s %s\n", "method", "per spawn", "  [p10 - p90]",
           "spawns/s", "n/slice", "this/ni [p10-p90]");
    for (int m = 0; m < NMETH; m++) {
        stat3 t = stats(g->ns[s][m], P.rounds);
        char a[24], b[24], c[24], rate[24], rat[40];
        fmt_us(a, sizeof a, t.med);
        fmt_us(b, sizeof b, t.lo);
        fmt_us(c, sizeof c, t.hi);
        fmt_rate(rate, sizeof rate, t.med);
        if (m == M_NI)
            snprintf(rat, sizeof rat, "(reference)");
        else {
            stat3 q = paired(g->ns[s][m], g->ns[s][M_NI], P.rounds);
            snprintf(rat, sizeof rat, "%.3f [%.3f-%.3f]", q.med, q.lo, q.hi);
        }
        printf("  %-31s %10s  [%8s - %8s] %8s/s  %-8ld %s\n", g_methods[m].label, a, b, c, rate,
               g->n[s][m] * g->threads, rat);
    }
    stat3 q, f = paired(g->ns[s][M_NI], g->ns[s][M_FLOOR], P.rounds);
    int best = fastest_peer(g, s, &q);
    printf("  fastest peer %s: peer/ni %.3f (goal >= %.2f %s); ni/floor %.3f [%.3f-%.3f] "
           "(goal <= %.2f %s)\n",
           g_methods[best].shortl, q.med, GOAL_VS_PEER, metstr(q.med >= GOAL_VS_PEER), f.med, f.lo,
           f.hi, GOAL_VS_FLOOR, metstr(f.med <= GOAL_VS_FLOOR));
}

static const group *heap_twin(const group *g);

static double med_ratio(const group *a, const group *b, int s, int m)
{
    return median(a->ns[s][m], P.rounds) / median(b->ns[s][m], P.rounds);
}

static void print_group(const group *g)
{
    for (int s = 0; s < g->nsoft; s++)
        print_row(g, s);
    for (int s = 0; s < g_nsofts - g->nsoft; s++) /* the low ones are skipped */
        printf("\n(soft RLIMIT_NOFILE %ld not measured here: %d fds + %d for the methods' own "
               "descriptors do not fit under it)\n",
               g_softs[s], g->nfds, HEADROOM(g->threads));
    if (g->nsoft == 2) {
        stat3 q = paired(g->ns[1][M_NI], g->ns[0][M_NI], P.rounds);
        printf("  ni_spawn at soft %ld / at soft %ld (paired): %.3f [%.3f-%.3f] (flat: %s)\n",
               g->soft[1], g->soft[0], q.med, q.lo, q.hi,
               metstr(q.med >= 1 - GOAL_FLAT && q.med <= 1 + GOAL_FLAT));
    }
    const group *small = g->heap_mib ? heap_twin(g) : NULL;
    for (int s = 0; small && s < g->nsoft; s++)
        printf("  soft %ld, this heap / small heap (ratio of medians, separate runs): ni_spawn %.3f "
               "(flat: %s), floor %.3f\n",
               g->soft[s], med_ratio(g, small, s, M_NI),
               metstr(fabs(med_ratio(g, small, s, M_NI) - 1) <= GOAL_FLAT),
               med_ratio(g, small, s, M_FLOOR));
    if (g->heap_mib)
        printf("  (%d MiB touched in %.2f s; then %.1f s until the floor was back within %.0f%% of "
               "its cost before the touch%s)\n",
               g->heap_mib, g->touch_s, g->settle_s, (SETTLE_TOL - 1) * 100,
               g->settled ? "" : ": NOT settled, gave up");
    printf("  group wall time %.1f s", g->wall_s);
    if (g->reruns)
        printf(" (its last run of %d: the floor's p90/p10 exceeded %.1f before, the machine being "
               "busy)", g->reruns + 1, BUSY_SPREAD);
    printf("; floor p90/p10 %.2f\n", floor_spread(g));
    fflush(stdout);
}

static void fmt_cell(char *buf, size_t sz, double ns)
{
    if (ns >= 1e7)
        snprintf(buf, sz, "%.1fms", ns / 1e6);
    else
        snprintf(buf, sz, "%.0f", ns / 1e3);
}

static void print_summary(void)
{
    printf("\n== Summary: median us per spawn + reap (ms where marked); this/ni = paired ratios ==\n");
    printf("  %3s %6s %6s %6s |", "thr", "fds", "heap", "soft");
    for (int m = 0; m < NMETH; m++)
        printf(" %9s", g_methods[m].shortl);
    printf(" | %-16s %s\n", "fastest peer/ni", "ni/floor");
    for (int i = 0; i < g_ngroups; i++) {
        const group *g = &g_groups[i];
        char hp[16];
        heap_name(hp, sizeof hp, g->heap_mib);
        for (int s = 0; s < g->nsoft; s++) {
            printf("  %3d %6d %6s %6ld |", g->threads, g->nfds, hp, g->soft[s]);
            for (int m = 0; m < NMETH; m++) {
                char b[24];
                fmt_cell(b, sizeof b, median(g->ns[s][m], P.rounds));
                printf(" %9s", b);
            }
            stat3 q, f = paired(g->ns[s][M_NI], g->ns[s][M_FLOOR], P.rounds);
            int best = fastest_peer(g, s, &q);
            char pb[32];
            snprintf(pb, sizeof pb, "%.2f (%s)", q.med, g_methods[best].shortl);
            printf(" | %-16s %.3f\n", pb, f.med);
        }
    }
}

/* The row of the other heap with the same threads, descriptors and soft limit. */
static const group *heap_twin(const group *g)
{
    for (int i = 0; i < g_ngroups; i++) {
        const group *h = &g_groups[i];
        if (h != g && h->threads == g->threads && h->nfds == g->nfds && h->heap_mib == 0 &&
            h->nsoft == g->nsoft)
            return h;
    }
    return NULL;
}

static void print_goals(void)
{
    double worst_peer = 1e9, worst_floor = 0, worst_rl = 0, worst_heap = 0;
    double v_rl = 1, v_heap = 1, v_heap_floor = 1;
    char w1[128] = "", w2[128] = "", w3[128] = "", w4[128] = "";
    for (int i = 0; i < g_ngroups; i++) {
        const group *g = &g_groups[i];
        const group *small = g->heap_mib ? heap_twin(g) : NULL;
        for (int s = 0; s < g->nsoft; s++) {
            char where[80];
            snprintf(where, sizeof where, "%dT %dfds %dMiB soft %ld", g->threads, g->nfds,
                     g->heap_mib, g->soft[s]);
            stat3 q, f = paired(g->ns[s][M_NI], g->ns[s][M_FLOOR], P.rounds);
            int best = fastest_peer(g, s, &q);
            if (q.med < worst_peer) {
                worst_peer = q.med;
                snprintf(w1, sizeof w1, "%s, %s", where, g_methods[best].shortl);
            }
            if (f.med > worst_floor) {
                worst_floor = f.med;
                snprintf(w2, sizeof w2, "%s", where);
            }
            if (small) {
                double r = med_ratio(g, small, s, M_NI);
                if (fabs(r - 1) >= worst_heap) {
                    worst_heap = fabs(r - 1);
                    v_heap = r;
                    v_heap_floor = med_ratio(g, small, s, M_FLOOR);
                    snprintf(w4, sizeof w4, "%s", where);
                }
            }
        }
        if (g->nsoft == 2) {
            stat3 q = paired(g->ns[1][M_NI], g->ns[0][M_NI], P.rounds);
            if (fabs(q.med - 1) >= worst_rl) {
                worst_rl = fabs(q.med - 1);
                v_rl = q.med;
                snprintf(w3, sizeof w3, "%dT %dfds %dMiB", g->threads, g->nfds, g->heap_mib);
            }
        }
    }
    printf("\n== Goals (issue 3); each line gives the worst row ==\n");
    int m1 = worst_peer >= GOAL_VS_PEER, m2 = worst_floor <= GOAL_VS_FLOOR;
    int m3 = worst_rl <= GOAL_FLAT, m4 = worst_heap <= GOAL_FLAT;
    printf("  %-62s %6.3f  %-7s (%s)\n", "ni_spawn as fast as the fastest peer: peer/ni >= 0.97",
           worst_peer, metstr(m1), w1);
    printf("  %-62s %6.3f  %-7s (%s)\n", "ni_spawn within 10% of the floor: ni/floor <= 1.10",
           worst_floor, metstr(m2), w2);
    printf("  %-62s %6.3f  %-7s (%s)\n", "flat in RLIMIT_NOFILE: ni at top soft / ni at 1024, paired",
           v_rl, metstr(m3), w3);
    printf("  %-62s %6.3f  %-7s (%s; floor %.3f)\n",
           "flat in parent memory: ni large heap / ni small, medians", v_heap, metstr(m4), w4,
           v_heap_floor);
    printf("  => %s\n", m1 && m2 && m3 && m4 ? "all goals met" : "some goals NOT met");
}

static void write_csv(const char *path)
{
    FILE *f = fopen(path, "we");
    if (!f)
        die("%s", path);
    fprintf(f, "threads,fds,heap_mib,soft,method,median_us,p10_us,p90_us,"
               "vs_ni,vs_ni_p10,vs_ni_p90,spawns_per_slice,rounds\n");
    for (int i = 0; i < g_ngroups; i++) {
        const group *g = &g_groups[i];
        for (int s = 0; s < g->nsoft; s++)
            for (int m = 0; m < NMETH; m++) {
                stat3 t = stats(g->ns[s][m], P.rounds);
                stat3 q = paired(g->ns[s][m], g->ns[s][M_NI], P.rounds);
                fprintf(f, "%d,%d,%d,%ld,%s,%.3f,%.3f,%.3f,%.4f,%.4f,%.4f,%ld,%d\n", g->threads,
                        g->nfds, g->heap_mib, g->soft[s], g_methods[m].id, t.med / 1e3, t.lo / 1e3,
                        t.hi / 1e3, q.med, q.lo, q.hi, g->n[s][m] * g->threads, P.rounds);
            }
    }
    if (fclose(f) != 0)
        die("%s", path);
}

/* gnuplot -e "csv='...'; outdir='...'; ..." spawn_plot.gp */
static int run_gnuplot(const char *csv, const char *dir, int version_only)
{
    char expr[PATH_MAX * 2 + 128];
    snprintf(expr, sizeof expr, "csv='%s'; outdir='%s'; topsoft=%ld; bigheap=%d", csv, dir,
             g_top_soft, P.heap_mib);
    char *av_plot[] = {"gnuplot", "-e", expr, (char *)NI_SPAWN_PLOT_SCRIPT, NULL};
    char *av_ver[] = {"gnuplot", "--version", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (version_only)
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int e = posix_spawnp(&pid, "gnuplot", &fa, NULL, version_only ? av_ver : av_plot, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e)
        return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */
/* ------------------------------------------------------------------ */

static void pick_softs(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("getrlimit");
    g_hard = rl.rlim_max == RLIM_INFINITY ? LONG_MAX : (long)rl.rlim_max;
    long lo = g_hard < SOFT_LOW ? g_hard : SOFT_LOW;
    g_top_soft = g_hard < SOFT_HIGH ? g_hard : SOFT_HIGH;
    g_softs[g_nsofts++] = lo;
    if (g_top_soft > lo)
        g_softs[g_nsofts++] = g_top_soft;
}

/* --only T:FDS:HEAP_MIB (repeatable): run just those groups. */
static struct {
    int threads, nfds, heap_mib;
} g_only[MAXGROUPS];
static int g_nonly;

static int selected(const group *g)
{
    for (int i = 0; i < g_nonly; i++)
        if (g_only[i].threads == g->threads && g_only[i].nfds == g->nfds &&
            g_only[i].heap_mib == g->heap_mib)
            return 1;
    return g_nonly == 0;
}

static void build_groups(void)
{
    static const int threads[] = {1, 4};
    static const int fds_full[] = {10, 1000, 10000};
    int nfd = P.quick ? 2 : 3;
    size_t sz = sizeof(group) * MAXGROUPS;
    g_groups = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (g_groups == MAP_FAILED)
        die("mmap");
    for (int t = 0; t < 2; t++)
        for (int h = 0; h < 2; h++)
            for (int f = 0; f < nfd; f++) {
                group *g = &g_groups[g_ngroups];
                g->threads = threads[t];
                g->heap_mib = h ? P.heap_mib : 0;
                g->nfds = fds_full[f];
                for (int s = 0; s < g_nsofts; s++)
                    if (g->nfds + HEADROOM(g->threads) <= g_softs[s])
                        g->soft[g->nsoft++] = g_softs[s];
                if (g->nsoft > 0 && selected(g))
                    g_ngroups++;
                else
                    memset(g, 0, sizeof *g);
            }
}

static void cpu_name(char *cpu, size_t sz)
{
    snprintf(cpu, sz, "?");
    FILE *f = fopen("/proc/cpuinfo", "re");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            char *p = strchr(line, ':');
            if (p) {
                p += 1 + strspn(p + 1, " \t");
                p[strcspn(p, "\n")] = 0;
                snprintf(cpu, sz, "%s", p);
            }
            break;
        }
    fclose(f);
}

static void print_header(void)
{
    struct utsname u;
    char cpu[128];
    cpu_name(cpu, sizeof cpu);
    if (uname(&u) < 0)
        die("uname");
    printf("noinherit bench_spawn -- libnoinherit %s, GLib %u.%u.%u, libuv %s\n", ni_version(),
           glib_major_version, glib_minor_version, glib_micro_version, uv_version_string());
    printf("machine: %s %s %s, cpu \"%s\", nproc %ld, libc %s %s\n", u.sysname, u.release, u.machine,
           cpu, sysconf(_SC_NPROCESSORS_ONLN),
#if defined(__GLIBC__)
           "glibc", gnu_get_libc_version()
#else
           "libc", "(not glibc)"
#endif
    );
    printf("RLIMIT_NOFILE hard %ld; soft limits measured:", g_hard == LONG_MAX ? -1 : g_hard);
    for (int s = 0; s < g_nsofts; s++)
        printf(" %ld", g_softs[s]);
    printf("\nchild: %s (%s), exits 0 at once\n", g_child, NI_SPAWN_CHILD_LINK);
    printf("method: %s; %d groups (threads x fds x heap), each in a fresh process; per group the "
           "cells (method x soft limit) interleave over %d rounds, one slice of ~%.0f ms each per "
           "round (at least 1 spawn per thread); figure = slice wall time / spawns; median "
           "[p10-p90] over rounds; this/ni = median of per-round paired ratios\n",
           P.quick ? "QUICK (smoke run, figures are rough)" : "full run", g_ngroups, P.rounds,
           P.slice_ns / 1e6);
    fflush(stdout);
}

static void normalise_fds(void)
{
    ni_close_from(3); /* what the harness left open must not skew anything */
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0) {
            int n = open("/dev/null", O_RDWR);
            if (n < 0 || (n != fd && (dup2(n, fd) < 0 || close(n) < 0)))
                die("/dev/null onto %d", fd);
        }
}

/* ------------------------------------------------------------------ */
/* --loop: one method, N spawns per thread, untimed set-up, one figure. */
/* For strace -f -c, perf, ltrace.                                     */
/* ------------------------------------------------------------------ */

static int loop_mode(const char *id, long n, int threads, int nfds, long soft)
{
    int m = 0;
    while (m < NMETH && strcmp(g_methods[m].id, id) != 0)
        m++;
    if (m == NMETH) {
        fprintf(stderr, "bench_spawn: no method \"%s\" (see --list)\n", id);
        return 2;
    }
    if (threads < 1 || threads > MAXTHREADS || nfds < 3 || n < 1) {
        fprintf(stderr, "bench_spawn: bad --loop arguments\n");
        return 2;
    }
    long need = nfds + HEADROOM(threads);
    set_soft(g_top_soft > need ? g_top_soft : need);
    open_fds(nfds);
    double touch = touch_heap(P.heap_mib);
    start_threads(threads);
    set_soft(soft > 0 ? soft : g_top_soft);
    double t = run_slice(m, n);
    fprintf(stderr, "%s: %ld spawns x %d thread(s), %d fds, heap %d MiB (touched in %.2f s), "
                    "soft %ld: %.1f us per spawn\n",
            id, n, threads, nfds, P.heap_mib, touch, soft > 0 ? soft : g_top_soft,
            t / ((double)n * threads) / 1e3);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench_spawn [--quick] [--rounds N] [--heap-mib N] [--csv FILE] [--plot DIR]\n"
            "                   [--only T:FDS:HEAP_MIB]...\n"
            "       bench_spawn --list\n"
            "       bench_spawn --loop ID N [--threads T] [--fds N] [--soft N] [--heap-mib N]\n"
            "  --quick       smoke run: 3 rounds, fds 10 and 1000, a 256 MiB heap (rough figures)\n"
            "  --rounds N    rounds per group (default 31, quick 3, at most %d)\n"
            "  --heap-mib N  the large parent heap, MiB (default 2048; --loop: 0)\n"
            "  --csv FILE    write every row and method as CSV\n"
            "  --plot DIR    write DIR/bench_spawn.csv (unless --csv) and, with gnuplot,\n"
            "                DIR/spawn_fds.png and DIR/spawn_rlimit.png\n"
            "  --only T:FDS:HEAP_MIB  run only this group (repeatable; HEAP_MIB 0: small)\n"
            "  --list        list the method IDs\n"
            "  --loop ID N   only N spawns per thread of method ID, untimed set-up (strace, perf)\n",
            MAXR);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--child-check"))
        return child_check(argv[2]);
    const char *csv = NULL, *plot = NULL, *loop_id = NULL;
    long loop_n = 0, loop_soft = 0;
    int rounds = 0, heap = -1, list = 0, loop_threads = 1, loop_fds = 10;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--quick"))
            P.quick = 1;
        else if (!strcmp(a, "--rounds") && more)
            rounds = atoi(argv[++i]);
        else if (!strcmp(a, "--heap-mib") && more)
            heap = atoi(argv[++i]);
        else if (!strcmp(a, "--csv") && more)
            csv = argv[++i];
        else if (!strcmp(a, "--plot") && more)
            plot = argv[++i];
        else if (!strcmp(a, "--list"))
            list = 1;
        else if (!strcmp(a, "--loop") && i + 2 < argc) {
            loop_id = argv[++i];
            loop_n = atol(argv[++i]);
        } else if (!strcmp(a, "--only") && more && g_nonly < MAXGROUPS) {
            if (sscanf(argv[++i], "%d:%d:%d", &g_only[g_nonly].threads, &g_only[g_nonly].nfds,
                       &g_only[g_nonly].heap_mib) != 3) {
                usage(stderr);
                return 2;
            }
            g_nonly++;
        } else if (!strcmp(a, "--threads") && more)
            loop_threads = atoi(argv[++i]);
        else if (!strcmp(a, "--fds") && more)
            loop_fds = atoi(argv[++i]);
        else if (!strcmp(a, "--soft") && more)
            loop_soft = atol(argv[++i]);
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (list) {
        for (int m = 0; m < NMETH; m++)
            printf("%-18s %s\n", g_methods[m].id, g_methods[m].label);
        return 0;
    }
    P.rounds = rounds > 0 ? rounds : P.quick ? 3 : 31;
    if (P.rounds > MAXR)
        P.rounds = MAXR;
    P.slice_ns = P.quick ? 2e6 : 20e6;
    P.settle_max_s = P.quick ? 2 : 30;
    P.heap_mib = heap >= 0 ? heap : loop_id ? 0 : P.quick ? 256 : 2048;

    normalise_fds();
    g_envp = environ;
    g_argv[0] = (char *)g_child;
    if (access(g_child, X_OK) < 0)
        die("child %s", g_child);
    if (posix_spawn_file_actions_init(&g_fa) || posix_spawn_file_actions_addclosefrom_np(&g_fa, 3))
        die("posix_spawn_file_actions_addclosefrom_np");
    pick_softs();
    if (loop_id)
        return loop_mode(loop_id, loop_n, loop_threads, loop_fds, loop_soft);
    if (plot && run_gnuplot("", "", 1) < 0) {
        errno = 0;
        die("--plot needs gnuplot in PATH (apt-get install gnuplot-nox)");
    }
    if (plot && mkdir(plot, 0777) < 0 && errno != EEXIST)
        die("mkdir %s", plot);
    build_groups();
    print_header();
    in_child(verify_methods, NULL, "start-up check");
    printf("start-up check: every child had fds 0-2; every closing method closed an "
           "inheritable fd 50: ok\n");
    double t0 = now_ns();
    for (int i = 0; i < g_ngroups; i++) {
        run_group_guarded(&g_groups[i]);
        print_group(&g_groups[i]);
    }
    print_summary();
    print_goals();
    char path[PATH_MAX];
    if (!csv && plot) {
        snprintf(path, sizeof path, "%s/bench_spawn.csv", plot);
        csv = path;
    }
    if (csv) {
        write_csv(csv);
        printf("\nCSV: %s\n", csv);
    }
    if (plot) {
        if (run_gnuplot(csv, plot, 0) < 0) {
            errno = 0;
            die("gnuplot %s failed", NI_SPAWN_PLOT_SCRIPT);
        }
        printf("plots: %s/spawn_fds.png %s/spawn_rlimit.png\n", plot, plot);
    }
    printf("\ntotal wall time %.1f s\n", (now_ns() - t0) / 1e9);
    return 0;
}
