/*
 * bench_create.c - what does non-inheritability cost?
 *
 * Measures, side by side in one run, each noinherit creation call against
 * the raw atomic system call it wraps and against the naive two-step
 * (create, then fcntl(F_SETFD, FD_CLOEXEC)), and ni_close_from(3) against
 * glibc closefrom(3) and a close() loop up to the soft RLIMIT_NOFILE, the
 * latter also as a function of that soft limit.
 *
 * Method (see bench/README.md): every variant of a row is a "cell".  A row
 * runs ROUNDS rounds; each round runs SLICES slices of every cell,
 * interleaved (A,B,C,A,B,C,... with the starting cell rotated each slice),
 * so drift hits all cells alike.  A cell's figure for a round is the sum of
 * its slices; the reported figure is the median over rounds, with the
 * 25th/75th percentiles.  Ratios are paired: the ratio of two cells is
 * computed within each round and the median of those is reported.
 *
 * Usage: bench_create [--quick] [--rounds N] [--loop ID N] [--list]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "benchstat.h"
#if defined(__GLIBC__)
#include <gnu/libc-version.h>
#endif

#include "noinherit.h"

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define HAVE_CLOSEFROM 1
#else
#define HAVE_CLOSEFROM 0
#endif

/* Goals of the issue, and the tolerances this program applies to them. */
#define GOAL_NI_VS_RAW 0.97        /* ni throughput >= 0.97 x raw atomic */
#define GOAL_NI_VS_NAIVE 1.00      /* ni faster than the naive two-step  */
#define GOAL_CF_VS_GLIBC 0.97      /* "no slower": within 3 % of glibc   */
#define GOAL_FLAT 1.10             /* cost at top soft limit <= 1.10 x cost at 1024 */
#define EXTRAP_LIMIT 1048576.0

/* ------------------------------------------------------------------ */
/* Utilities                                                          */
/* ------------------------------------------------------------------ */

static void die(const char *what)
{
    fprintf(stderr, "bench_create: %s: %s\n", what, strerror(errno));
    exit(2);
}


static double g_timer_ovh; /* ns of one now_ns() pair, subtracted from close-call timings */

static void measure_timer_overhead(void)
{
    double v[1001];
    for (int i = 0; i < 1001; i++) {
        double a = now_ns();
        double b = now_ns();
        v[i] = b - a;
    }
    g_timer_ovh = median(v, 1001);
}

static rlim_t g_cur_soft;
static rlim_t g_hard;

static rlim_t g_base_soft;

static int set_soft(rlim_t soft)
{
    if (soft == 0)
        soft = g_base_soft;
    if (soft == g_cur_soft)
        return 0;
    struct rlimit rl = {soft, g_hard};
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -1;
    g_cur_soft = soft;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Cells: one variant of one row.  fn performs n units of work and      */
/* returns the timed nanoseconds.                                       */
/* ------------------------------------------------------------------ */

typedef struct cell cell;
struct cell {
    const char *id;    /* for --loop, e.g. "open.ni" */
    const char *label; /* for the table */
    const char *kind;  /* "ni", "raw", "naive" */
    double (*fn)(const cell *c, long n);
    int nfds;     /* close cells: descriptors opened before each call */
    rlim_t soft;  /* close cells: soft RLIMIT_NOFILE to run under (0: as is) */
    long n;       /* units per slice, from calibration */
    double *ns;   /* per round: ns per unit */
};

static const char DEVNULL[] = "/dev/null";
static int g_dupsrc = -1; /* source of ni_dup and friends */

#define CHECK(x, what) do { if ((x) < 0) die(what); } while (0)

/* open + close */
static double f_open_ni(const cell *c, long n)
{
    (void)c;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = ni_open(DEVNULL, O_RDONLY);
        CHECK(fd, "ni_open");
        close(fd);
    }
    return now_ns() - t0;
}
static double f_open_raw(const cell *c, long n)
{
    (void)c;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = open(DEVNULL, O_RDONLY | O_CLOEXEC);
        CHECK(fd, "open");
        close(fd);
    }
    return now_ns() - t0;
}
static double f_open_naive(const cell *c, long n)
{
    (void)c;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = open(DEVNULL, O_RDONLY);
        CHECK(fd, "open");
        CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC), "fcntl");
        close(fd);
    }
    return now_ns() - t0;
}

/* pipe + close both ends */
static double f_pipe_ni(const cell *c, long n)
{
    (void)c;
    int p[2];
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        CHECK(ni_pipe(p), "ni_pipe");
        close(p[0]);
        close(p[1]);
    }
    return now_ns() - t0;
}
static double f_pipe_raw(const cell *c, long n)
{
    (void)c;
    int p[2];
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        CHECK(pipe2(p, O_CLOEXEC), "pipe2");
        close(p[0]);
        close(p[1]);
    }
    return now_ns() - t0;
}
static double f_pipe_naive(const cell *c, long n)
{
    (void)c;
    int p[2];
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        CHECK(pipe(p), "pipe");
        CHECK(fcntl(p[0], F_SETFD, FD_CLOEXEC), "fcntl");
        CHECK(fcntl(p[1], F_SETFD, FD_CLOEXEC), "fcntl");
        close(p[0]);
        close(p[1]);
    }
    return now_ns() - t0;
}

/* socket(AF_UNIX, SOCK_STREAM) + close */
static double f_sock_ni(const cell *c, long n)
{
    (void)c;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int s = ni_socket(AF_UNIX, SOCK_STREAM, 0);
        CHECK(s, "ni_socket");
        close(s);
    }
    return now_ns() - t0;
}
static double f_sock_raw(const cell *c, long n)
{
    (void)c;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CHECK(s, "socket");
        close(s);
    }
    return now_ns() - t0;
}
static double f_sock_naive(const cell *c, long n)
{
    (void)c;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        CHECK(s, "socket");
        CHECK(fcntl(s, F_SETFD, FD_CLOEXEC), "fcntl");
        close(s);
    }
    return now_ns() - t0;
}

/* dup + close */
static double f_dup_ni(const cell *c, long n)
{
    (void)c;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = ni_dup(g_dupsrc);
        CHECK(fd, "ni_dup");
        close(fd);
    }
    return now_ns() - t0;
}
static double f_dup_raw(const cell *c, long n)
{
    (void)c;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = fcntl(g_dupsrc, F_DUPFD_CLOEXEC, 0);
        CHECK(fd, "fcntl(F_DUPFD_CLOEXEC)");
        close(fd);
    }
    return now_ns() - t0;
}
static double f_dup_naive(const cell *c, long n)
{
    (void)c;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = dup(g_dupsrc);
        CHECK(fd, "dup");
        CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC), "fcntl");
        close(fd);
    }
    return now_ns() - t0;
}

/* close-from: before each timed call (untimed) dup2 fd 0 onto 3..nfds+2;
 * then time the single close call only.  One now_ns() pair of overhead is
 * subtracted per call. */
static void setup_fds(int nfds)
{
    for (int fd = 3; fd < 3 + nfds; fd++)
        if (dup2(0, fd) < 0)
            die("dup2 (setup)");
}

static void naive_close_loop(void)
{
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < max; fd++)
        close((int)fd);
}

enum { CF_NI, CF_GLIBC, CF_LOOP };

static inline void do_close(int which)
{
    switch (which) {
    case CF_NI:
        ni_close_from(3);
        break;
    case CF_GLIBC:
#if HAVE_CLOSEFROM
        closefrom(3);
#endif
        break;
    default:
        naive_close_loop();
        break;
    }
}

static double run_close(const cell *c, long n, int which)
{
    if (set_soft(c->soft) < 0)
        die("setrlimit");
    double tot = 0;
    for (long i = 0; i < n; i++) {
        setup_fds(c->nfds);
        double t0 = now_ns();
        do_close(which);
        double t1 = now_ns();
        tot += (t1 - t0) - g_timer_ovh;
    }
    return tot;
}
static double f_cf_ni(const cell *c, long n) { return run_close(c, n, CF_NI); }
static double f_cf_glibc(const cell *c, long n) { return run_close(c, n, CF_GLIBC); }
static double f_cf_loop(const cell *c, long n) { return run_close(c, n, CF_LOOP); }

/* Checks once that a close cell really closes what it should. */
static void verify_close_cell(const cell *c)
{
    if (set_soft(c->soft) < 0)
        die("setrlimit");
    setup_fds(c->nfds);
    if (fcntl(3 + c->nfds - 1, F_GETFD) < 0)
        die("verify: setup did not open the descriptors");
    do_close(c->fn == f_cf_ni ? CF_NI : c->fn == f_cf_glibc ? CF_GLIBC : CF_LOOP);
#if !HAVE_CLOSEFROM
    if (c->fn == f_cf_glibc)
        return;
#endif
    for (int fd = 3; fd < 3 + c->nfds; fd++)
        if (fcntl(fd, F_GETFD) >= 0) {
            fprintf(stderr, "bench_create: %s left fd %d open\n", c->label, fd);
            exit(2);
        }
}

/* ------------------------------------------------------------------ */
/* Running a row                                                      */
/* ------------------------------------------------------------------ */

typedef struct {
    int rounds;
    int slices;
    double slice_ns;    /* target wall time of one slice of a creation cell */
    double cf_slice_ns; /* same for close cells (wall, setup included) */
} params;

static params P;

static void calibrate(cell *c, double target)
{
    long n = 1;
    for (;;) {
        double t0 = now_ns();
        c->fn(c, n);
        double w = now_ns() - t0;
        if (w >= target / 4 || n >= (1L << 30)) {
            double per = w / (double)n;
            long k = (long)(target / (per > 1 ? per : 1));
            c->n = k < 1 ? 1 : k;
            return;
        }
        n *= 2;
    }
}

static void run_row(cell *cells, int k, double target)
{
    for (int i = 0; i < k; i++) {
        calibrate(&cells[i], target);
        cells[i].ns = calloc((size_t)P.rounds, sizeof(double));
        if (!cells[i].ns)
            die("calloc");
    }
    /* warm-up: one full slice of each, interleaved, untimed */
    for (int i = 0; i < k; i++)
        cells[i].fn(&cells[i], cells[i].n);

    double *acc = calloc((size_t)k, sizeof(double));
    if (!acc)
        die("calloc");
    for (int r = 0; r < P.rounds; r++) {
        memset(acc, 0, sizeof(double) * (size_t)k);
        for (int s = 0; s < P.slices; s++)
            for (int j = 0; j < k; j++) {
                int i = (j + r + s) % k;
                acc[i] += cells[i].fn(&cells[i], cells[i].n);
            }
        for (int i = 0; i < k; i++)
            cells[i].ns[r] = acc[i] / ((double)cells[i].n * P.slices);
    }
    free(acc);
}

/* Paired ratio a/b per round: median and quartiles. */
typedef struct {
    double med, p25, p75;
} ratio;

static ratio paired(const cell *num, const cell *den)
{
    double *v = malloc(sizeof(double) * (size_t)P.rounds);
    if (!v)
        die("malloc");
    for (int r = 0; r < P.rounds; r++)
        v[r] = num->ns[r] / den->ns[r];
    ratio q = {median(v, P.rounds), pct(v, P.rounds, 25), pct(v, P.rounds, 75)};
    free(v);
    return q;
}

/* ------------------------------------------------------------------ */
/* Goals                                                              */
/* ------------------------------------------------------------------ */

#define MAX_GOALS 32
static struct {
    char what[96];
    char value[40];
    int met;
} g_goals[MAX_GOALS];
static int g_ngoals;

static int goal(int met, const char *value, const char *fmt, ...)
{
    if (g_ngoals < MAX_GOALS) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g_goals[g_ngoals].what, sizeof g_goals[0].what, fmt, ap);
        va_end(ap);
        snprintf(g_goals[g_ngoals].value, sizeof g_goals[0].value, "%s", value);
        g_goals[g_ngoals].met = met;
        g_ngoals++;
    }
    return met;
}

static const char *metstr(int met) { return met ? "met" : "NOT met"; }

/* ------------------------------------------------------------------ */
/* Printing                                                           */
/* ------------------------------------------------------------------ */

static void fmt_rate(char *buf, size_t sz, double ns)
{
    double ops = 1e9 / ns;
    if (ops >= 1e6)
        snprintf(buf, sz, "%.3f M", ops / 1e6);
    else if (ops >= 1e3)
        snprintf(buf, sz, "%.2f k", ops / 1e3);
    else
        snprintf(buf, sz, "%.1f ", ops);
}

static void fmt_ns(char *buf, size_t sz, double ns)
{
    if (ns >= 1e6)
        snprintf(buf, sz, "%.3f ms", ns / 1e6);
    else if (ns >= 1e4)
        snprintf(buf, sz, "%.2f us", ns / 1e3);
    else
        snprintf(buf, sz, "%.1f ns", ns);
}

static void fmt_ratio(char *buf, size_t sz, ratio q)
{
    if (q.med >= 100)
        snprintf(buf, sz, "%.0f [%.0f-%.0f]", q.med, q.p25, q.p75);
    else if (q.med >= 10)
        snprintf(buf, sz, "%.1f [%.1f-%.1f]", q.med, q.p25, q.p75);
    else
        snprintf(buf, sz, "%.3f [%.3f-%.3f]", q.med, q.p25, q.p75);
}

static void print_cell_line(const cell *c, const cell *ref, const char *goaltxt, double goal_min,
                            int strict, int *met_out)
{
    char med[32], q1[32], q3[32], rate[32], rat[48] = "", gl[64] = "";
    double m = median(c->ns, P.rounds);
    fmt_ns(med, sizeof med, m);
    fmt_ns(q1, sizeof q1, pct(c->ns, P.rounds, 25));
    fmt_ns(q3, sizeof q3, pct(c->ns, P.rounds, 75));
    fmt_rate(rate, sizeof rate, m);
    if (ref && ref != c) {
        ratio q = paired(c, ref); /* this ns / ni ns = ni throughput / this throughput */
        fmt_ratio(rat, sizeof rat, q);
        if (goaltxt) {
            int met = strict ? q.med > goal_min : q.med >= goal_min;
            snprintf(gl, sizeof gl, "%s %s", goaltxt, metstr(met));
            if (met_out)
                *met_out = met;
        }
    } else if (ref) {
        snprintf(rat, sizeof rat, "%s", "(reference)");
    }
    printf("  %-26s %11s  [%9s - %9s] %10s/s  %-21s %s\n", c->label, med, q1, q3, rate, rat, gl);
}

static void print_table_head(const char *unit)
{
    printf("  %-26s %11s  %-25s %12s  %-21s %s\n", "variant", unit, "  [p25 - p75]", "throughput",
           "ni/this [p25-p75]", "goal");
}

/* ------------------------------------------------------------------ */
/* The benchmark                                                      */
/* ------------------------------------------------------------------ */

#define NCREATE 4
static cell g_create[NCREATE][3] = {
    {{"open.ni", "ni_open", "ni", f_open_ni, 0, 0, 0, NULL},
     {"open.raw", "open(O_CLOEXEC)", "raw", f_open_raw, 0, 0, 0, NULL},
     {"open.naive", "open + fcntl(F_SETFD)", "naive", f_open_naive, 0, 0, 0, NULL}},
    {{"pipe.ni", "ni_pipe", "ni", f_pipe_ni, 0, 0, 0, NULL},
     {"pipe.raw", "pipe2(O_CLOEXEC)", "raw", f_pipe_raw, 0, 0, 0, NULL},
     {"pipe.naive", "pipe + 2 x fcntl(F_SETFD)", "naive", f_pipe_naive, 0, 0, 0, NULL}},
    {{"socket.ni", "ni_socket", "ni", f_sock_ni, 0, 0, 0, NULL},
     {"socket.raw", "socket(SOCK_CLOEXEC)", "raw", f_sock_raw, 0, 0, 0, NULL},
     {"socket.naive", "socket + fcntl(F_SETFD)", "naive", f_sock_naive, 0, 0, 0, NULL}},
    {{"dup.ni", "ni_dup", "ni", f_dup_ni, 0, 0, 0, NULL},
     {"dup.raw", "fcntl(F_DUPFD_CLOEXEC)", "raw", f_dup_raw, 0, 0, 0, NULL},
     {"dup.naive", "dup + fcntl(F_SETFD)", "naive", f_dup_naive, 0, 0, 0, NULL}},
};
static const char *g_create_title[NCREATE] = {
    "open(\"/dev/null\", O_RDONLY) + close",
    "pipe + close both ends",
    "socket(AF_UNIX, SOCK_STREAM, 0) + close",
    "dup of a /dev/null descriptor + close",
};

static const char *cf_label(int which)
{
    return which == CF_NI ? "ni_close_from(3)" : which == CF_GLIBC ? "closefrom(3) (glibc)"
                                                                   : "close() loop to soft limit";
}

/* tag: "" (fd-count series), "grown" (10 fds after the table grew) or the
 * soft limit (RLIMIT series); soft 0 means the process's own soft limit */
static void make_cf_cell(cell *c, int which, int nfds, rlim_t soft, const char *tag)
{
    static const char *ids[] = {"ni", "glibc", "loop"};
    static const char *kinds[] = {"ni", "raw", "naive"};
    static double (*fns[])(const cell *, long) = {f_cf_ni, f_cf_glibc, f_cf_loop};
    char *id = malloc(48);
    if (!id)
        die("malloc");
    snprintf(id, 48, "closefrom%d%s%s.%s", nfds, *tag ? "." : "", tag, ids[which]);
    c->id = id;
    c->label = cf_label(which);
    c->kind = kinds[which];
    c->fn = fns[which];
    c->nfds = nfds;
    c->soft = soft;
    c->n = 0;
    c->ns = NULL;
}

/* The close-from cells, built at run time (they depend on the limits). */
#define NCFCOUNT 4
/* the last row repeats 10 fds after the 10000-fd row has grown the kernel's
 * descriptor table: close_range() walks every slot of that table */
static const int g_cf_counts[NCFCOUNT] = {10, 1000, 10000, 10};
static cell g_cf[NCFCOUNT][3];
static int g_cf_ok[NCFCOUNT];
#define MAXSOFT 4
static rlim_t g_softs[MAXSOFT];
static int g_nsofts;
static cell g_rl[MAXSOFT][3]; /* [soft][variant], 10 fds */

static void build_cf_cells(void)
{
    for (int i = 0; i < NCFCOUNT; i++) {
        g_cf_ok[i] = (rlim_t)(g_cf_counts[i] + 3) <= g_base_soft;
        for (int w = 0; w < 3; w++)
            make_cf_cell(&g_cf[i][w], w, g_cf_counts[i], 0, i == NCFCOUNT - 1 ? "grown" : "");
    }
    static const rlim_t want[] = {1024, 4096, 20000};
    g_nsofts = 0;
    for (int i = 0; i < 3; i++) {
        rlim_t s = want[i];
        if (g_hard != RLIM_INFINITY && s > g_hard)
            s = g_hard;
        if (g_nsofts && g_softs[g_nsofts - 1] >= s)
            continue;
        g_softs[g_nsofts++] = s;
    }
    for (int i = 0; i < g_nsofts; i++) {
        char tag[24];
        snprintf(tag, sizeof tag, "soft%lu", (unsigned long)g_softs[i]);
        for (int w = 0; w < 3; w++)
            make_cf_cell(&g_rl[i][w], w, 10, g_softs[i], tag);
    }
}

static cell *find_cell(const char *id)
{
    for (int i = 0; i < NCREATE; i++)
        for (int w = 0; w < 3; w++)
            if (!strcmp(g_create[i][w].id, id))
                return &g_create[i][w];
    for (int i = 0; i < NCFCOUNT; i++)
        for (int w = 0; w < 3; w++)
            if (!strcmp(g_cf[i][w].id, id))
                return &g_cf[i][w];
    for (int i = 0; i < g_nsofts; i++)
        for (int w = 0; w < 3; w++)
            if (!strcmp(g_rl[i][w].id, id))
                return &g_rl[i][w];
    return NULL;
}

static void list_cells(void)
{
    for (int i = 0; i < NCREATE; i++)
        for (int w = 0; w < 3; w++)
            printf("%-28s %s\n", g_create[i][w].id, g_create[i][w].label);
    for (int i = 0; i < NCFCOUNT; i++)
        for (int w = 0; w < 3; w++)
            printf("%-28s %s, %d fds\n", g_cf[i][w].id, g_cf[i][w].label, g_cf[i][w].nfds);
    for (int i = 0; i < g_nsofts; i++)
        for (int w = 0; w < 3; w++)
            printf("%-28s %s, 10 fds, soft limit %lu\n", g_rl[i][w].id, g_rl[i][w].label,
                   (unsigned long)g_rl[i][w].soft);
}

static void print_header(int quick)
{
    struct utsname u;
    char cpu[128] = "?";
    FILE *f = fopen("/proc/cpuinfo", "re");
    if (f) {
        char line[256];
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
        die("uname");
    printf("noinherit bench_create -- libnoinherit %s, features 0x%x\n", ni_version(), ni_features());
    printf("machine: %s %s %s, cpu \"%s\", nproc %ld, libc %s %s\n", u.sysname, u.release, u.machine,
           cpu, sysconf(_SC_NPROCESSORS_ONLN),
#if defined(__GLIBC__)
           "glibc", gnu_get_libc_version()
#else
           "libc", "(not glibc)"
#endif
    );
    printf("RLIMIT_NOFILE: soft %lu, hard %lu%s\n", (unsigned long)g_base_soft,
           g_hard == RLIM_INFINITY ? 0UL : (unsigned long)g_hard,
           g_hard == RLIM_INFINITY ? " (unlimited)" : "");
    printf("method: %s; median of %d rounds, each round = %d interleaved slices of every variant "
           "(A,B,C,A,B,C.., start rotated); no pinning; warm-up + calibration first; timer overhead %.1f ns\n",
           quick ? "QUICK (smoke run, figures are rough)" : "full run", P.rounds, P.slices,
           g_timer_ovh);
    printf("ni/this = ni throughput / this variant's throughput (= this ns / ni ns), median of "
           "per-round paired ratios [p25-p75]\n");
}

static void bench_create_rows(void)
{
    printf("\n== Creation: create + close, ns per op (one op = one create call + closing what it made) ==\n");
    for (int i = 0; i < NCREATE; i++) {
        cell *row = g_create[i];
        run_row(row, 3, P.slice_ns);
        printf("\n%s\n", g_create_title[i]);
        print_table_head("ns/op");
        int met_raw = 0, met_naive = 0;
        print_cell_line(&row[0], &row[0], NULL, 0, 0, NULL);
        print_cell_line(&row[1], &row[0], ">=0.97", GOAL_NI_VS_RAW, 0, &met_raw);
        print_cell_line(&row[2], &row[0], ">1.00", GOAL_NI_VS_NAIVE, 1, &met_naive);
        char v[40];
        ratio q = paired(&row[1], &row[0]);
        snprintf(v, sizeof v, "%.3f [%.3f-%.3f]", q.med, q.p25, q.p75);
        goal(met_raw, v, "%s throughput >= 0.97 x %s", row[0].label, row[1].label);
        q = paired(&row[2], &row[0]);
        snprintf(v, sizeof v, "%.3f [%.3f-%.3f]", q.med, q.p25, q.p75);
        goal(met_naive, v, "%s faster than %s", row[0].label, row[2].label);
        fflush(stdout);
    }
}

static void bench_close_rows(void)
{
    printf("\n== ni_close_from(3): time of the close call only (dup2 of fd 0 onto 3..N+2 before each "
           "call, untimed), soft RLIMIT_NOFILE %lu ==\n",
           (unsigned long)g_base_soft);
#if !HAVE_CLOSEFROM
    printf("  (this C library has no closefrom(3): its row times an empty call)\n");
#endif
    for (int i = 0; i < NCFCOUNT; i++) {
        cell *row = g_cf[i];
        if (!g_cf_ok[i]) {
            printf("\n%d descriptors open: skipped (soft limit %lu too low)\n", g_cf_counts[i],
                   (unsigned long)g_base_soft);
            continue;
        }
        for (int w = 0; w < 3; w++)
            verify_close_cell(&row[w]);
        run_row(row, 3, P.cf_slice_ns);
        if (i == NCFCOUNT - 1)
            printf("\n%d descriptors open again, AFTER the 10000-fd row: the kernel's descriptor table keeps\n"
                   "its grown size (>= 10003 slots) and close_range() walks every slot of it\n",
                   g_cf_counts[i]);
        else
            printf("\n%d descriptors open (fds 3..%d)\n", g_cf_counts[i], g_cf_counts[i] + 2);
        print_table_head("ns/call");
        int met = 0;
        print_cell_line(&row[0], &row[0], NULL, 0, 0, NULL);
        print_cell_line(&row[1], &row[0], ">=0.97", GOAL_CF_VS_GLIBC, 0, &met);
        print_cell_line(&row[2], &row[0], NULL, 0, 0, NULL);
        char v[40];
        ratio q = paired(&row[1], &row[0]);
        snprintf(v, sizeof v, "%.3f [%.3f-%.3f]", q.med, q.p25, q.p75);
#if HAVE_CLOSEFROM
        goal(met, v, "ni_close_from no slower than closefrom (>=0.97x), %d fds%s", g_cf_counts[i],
             i == NCFCOUNT - 1 ? ", grown table" : "");
#endif
        fflush(stdout);
    }
}

static void bench_rlimit_rows(void)
{
    int k = g_nsofts * 3;
    cell *flat = malloc(sizeof(cell) * (size_t)k);
    if (!flat)
        die("malloc");
    for (int i = 0; i < g_nsofts; i++)
        for (int w = 0; w < 3; w++) {
            verify_close_cell(&g_rl[i][w]);
            flat[i * 3 + w] = g_rl[i][w];
        }
    /* all soft limits and variants interleaved in one row */
    run_row(flat, k, P.cf_slice_ns);
    for (int i = 0; i < g_nsofts; i++)
        for (int w = 0; w < 3; w++)
            g_rl[i][w] = flat[i * 3 + w];
    free(flat);
    set_soft(g_base_soft);

    int top = g_nsofts - 1;
    printf("\n== Cost against the soft RLIMIT_NOFILE: 10 descriptors open, close call only, median ns/call ==\n"
           "   (run before the rows below, while the kernel's descriptor table is small; soft limits and\n"
           "   variants interleaved in the same rounds)\n");
    printf("  %-26s", "variant");
    for (int i = 0; i < g_nsofts; i++) {
        char h[24];
        snprintf(h, sizeof h, "soft=%lu", (unsigned long)g_softs[i]);
        printf(" %12s", h);
    }
    printf("   %-22s %s\n", "growth (paired)", "goal");
    int flat_met = 0;
    for (int w = 0; w < 3; w++) {
        printf("  %-26s", cf_label(w));
        for (int i = 0; i < g_nsofts; i++) {
            char b[32];
            fmt_ns(b, sizeof b, median(g_rl[i][w].ns, P.rounds));
            printf(" %12s", b);
        }
        char gr[40] = "", gl[64] = "";
        if (g_nsofts > 1) {
            ratio q = paired(&g_rl[top][w], &g_rl[0][w]);
            snprintf(gr, sizeof gr, "%.2fx [%.2f-%.2f]", q.med, q.p25, q.p75);
            if (w == CF_NI) {
                flat_met = q.med <= GOAL_FLAT;
                snprintf(gl, sizeof gl, "flat (<=%.2fx) %s", GOAL_FLAT, metstr(flat_met));
                goal(flat_met, gr, "ni_close_from flat: cost at soft %lu <= %.2fx cost at %lu",
                     (unsigned long)g_softs[top], GOAL_FLAT, (unsigned long)g_softs[0]);
            } else if (w == CF_LOOP) {
                snprintf(gl, sizeof gl, "(limits ratio %.2fx)", (double)g_softs[top] / (double)g_softs[0]);
            }
        }
        printf("   %-22s %s\n", gr, gl);
    }
    printf("  %-26s", "ni/closefrom (paired)");
    for (int i = 0; i < g_nsofts; i++) {
        ratio q = paired(&g_rl[i][CF_GLIBC], &g_rl[i][CF_NI]);
        printf(" %12.3f", q.med);
    }
    printf("\n  %-26s", "ni/loop (paired)");
    for (int i = 0; i < g_nsofts; i++) {
        ratio q = paired(&g_rl[i][CF_LOOP], &g_rl[i][CF_NI]);
        printf(" %12.1f", q.med);
    }
    printf("\n");

    /* least-squares line through (soft, median ns) for each variant */
    if (g_nsofts >= 2) {
        printf("\n  Least-squares line ns = a + b x soft_limit through the points above; the loop's line\n"
               "  extrapolated to soft = %.0f is COMPUTED, not measured (the hard limit here is %lu):\n",
               EXTRAP_LIMIT, g_hard == RLIM_INFINITY ? 0UL : (unsigned long)g_hard);
        for (int w = 0; w < 3; w++) {
            double sx = 0, sy = 0, sxx = 0, sxy = 0;
            int n = g_nsofts;
            for (int i = 0; i < n; i++) {
                double x = (double)g_softs[i], y = median(g_rl[i][w].ns, P.rounds);
                sx += x;
                sy += y;
                sxx += x * x;
                sxy += x * y;
            }
            double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
            double a = (sy - b * sx) / n;
            char at[32];
            if (w == CF_LOOP) {
                fmt_ns(at, sizeof at, a + b * EXTRAP_LIMIT);
                printf("    %-26s b = %9.3f ns per slot  -> %s per call at soft %.0f\n", cf_label(w), b,
                       at, EXTRAP_LIMIT);
            } else {
                double d = b * (EXTRAP_LIMIT - (double)g_softs[0]);
                fmt_ns(at, sizeof at, fabs(d));
                printf("    %-26s b = %9.4f ns per slot  (b x (%.0f - %lu) = %s%s)\n", cf_label(w), b,
                       EXTRAP_LIMIT, (unsigned long)g_softs[0], d < 0 ? "-" : "+", at);
            }
        }
    }
    fflush(stdout);
}

static void print_goals(void)
{
    printf("\n== Goals (from the issue) ==\n");
    int all = 1;
    for (int i = 0; i < g_ngoals; i++) {
        printf("  %-72s %-22s %s\n", g_goals[i].what, g_goals[i].value, metstr(g_goals[i].met));
        all &= g_goals[i].met;
    }
    printf("  => %s\n", all ? "all goals met" : "some goals NOT met");
}

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_create [--quick] [--rounds N] [--list] [--loop ID N]\n"
               "  --quick       short smoke run (a few seconds; rough figures)\n"
               "  --rounds N    rounds per row (default 31, quick 7)\n"
               "  --list        list the variant IDs\n"
               "  --loop ID N   just run variant ID for N ops, untimed (for strace -c, perf, ltrace)\n");
}

int main(int argc, char **argv)
{
    int quick = 0, rounds = 0;
    const char *loop_id = NULL;
    long loop_n = 0;
    int list = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--list"))
            list = 1;
        else if (!strcmp(argv[i], "--loop") && i + 2 < argc) {
            loop_id = argv[++i];
            loop_n = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (quick) {
        P.rounds = 7;
        P.slices = 2;
        P.slice_ns = 1e6;
        P.cf_slice_ns = 0.5e6;
    } else {
        P.rounds = 31;
        P.slices = 4;
        P.slice_ns = 20e6;
        P.cf_slice_ns = 4e6;
    }
    if (rounds > 0)
        P.rounds = rounds;

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("getrlimit");
    g_base_soft = g_cur_soft = rl.rlim_cur;
    g_hard = rl.rlim_max;

    /* fd 0 becomes /dev/null: it is the dup2 source of the close-from rows */
    int nul = open(DEVNULL, O_RDONLY | O_CLOEXEC);
    if (nul < 0)
        die("open /dev/null");
    if (nul != 0) {
        if (dup2(nul, 0) < 0)
            die("dup2");
        close(nul);
    }
    for (int fd = 1; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && dup2(0, fd) < 0)
            die("dup2");
    g_dupsrc = ni_open(DEVNULL, O_RDONLY);
    if (g_dupsrc < 0)
        die("ni_open /dev/null");

    build_cf_cells();
    if (list) {
        list_cells();
        return 0;
    }
    if (loop_id) {
        cell *c = find_cell(loop_id);
        if (!c) {
            fprintf(stderr, "bench_create: no variant \"%s\" (see --list)\n", loop_id);
            return 2;
        }
        c->fn(c, loop_n);
        return 0;
    }

    measure_timer_overhead();
    double t0 = now_ns();
    print_header(quick);
    fflush(stdout);
    bench_create_rows();
    /* from here on, everything >= 3 gets closed */
    close(g_dupsrc);
    bench_rlimit_rows(); /* first: while the kernel's descriptor table is small */
    bench_close_rows();
    print_goals();
    printf("\ntotal wall time %.1f s\n", (now_ns() - t0) / 1e9);
    return 0;
}
