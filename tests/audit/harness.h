/*
 * harness.h - what the cases of test_audit share: the checks on a run's
 * output, running `noinherit audit` and collecting what it printed, the
 * leaker process (leaker.c), and the copies that user nobody can run.
 *
 * harness.c holds these; the cases live in cases_leaker.c (what a live
 * process holds) and cases_lifecycle.c (processes that are missing, dying
 * or not ours); test_audit.c picks one from the command line.
 */
#ifndef NI_AUDIT_HARNESS_H
#define NI_AUDIT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The exit status of a case that cannot be set up here (ctest: skipped). */
#define SKIP 77

extern const char *cli, *leaker;	/* the command and the leaker */
extern char dir[];	/* the leaker's files, removed at exit */
extern int failures;	/* checks failed so far */

/*
 * Closes what the harness left open, makes dir, arranges its removal at
 * exit (after exit(SKIP) too) and names this process test_audit.
 */
void harness_init(const char *cli_path, const char *leaker_path);

/* ------------------------------------------------------------------ */
/* Checks: each failure is printed and counted in failures             */
/* ------------------------------------------------------------------ */

struct run {
	int status;		/* exit status, or 128 + signal */
	char *out, *err;	/* valid until the next run */
};

void fail(const char *fmt, ...);
void has(const struct run *r, const char *needle);	/* in stdout */
void lacks(const struct run *r, const char *needle);
void err_has(const struct run *r, const char *needle);	/* in stderr */
void status_is(const struct run *r, int want);
/* The text row of fd: "     10  socket    TARGET..."; kind "": any kind. */
void row(const struct run *r, int fd, const char *kind, const char *target);
void no_row(const struct run *r, int fd);
bool ends_with(const char *s, const char *tail);
int count(const char *s, const char *needle);
void show(const struct run *r);	/* the whole run, on stderr */

/* ------------------------------------------------------------------ */
/* Processes                                                           */
/* ------------------------------------------------------------------ */

/*
 * Forks; the child runs before() (if any) and execs argv with stdout on a
 * pipe (*o) and stderr on an unlinked temp file (*e).
 */
pid_t spawn(char *const argv[], void (*before)(void *), void *arg, int *o,
    int *e);
/* Collects the output of child pid (stdout on o, stderr on e) and waits. */
struct run collect(pid_t pid, int o, int e);
struct run run_with(void (*before)(void *), void *arg, char *const argv[]);
/* noinherit audit ARGS..., NULL-terminated. */
struct run audit(const char *first, ...);

struct leaker {
	pid_t pid;
	int port, cxport;
};

/* Starts the leaker in mode "leak" or "clean", once it is ready. */
struct leaker start_leaker(const char *mode);
void stop(pid_t pid);		/* kills and reaps */
char *pidstr(pid_t pid);	/* the last four stay valid */

/* ------------------------------------------------------------------ */
/* User nobody                                                         */
/* ------------------------------------------------------------------ */

/* A before() for spawn: becomes nobody; LD_LIBRARY_PATH=libdir if given. */
void become_nobody(void *libdir);
/*
 * Copies of the command and the library (NI_LIBNOINHERIT) in a directory
 * nobody can read, cdir; returns the command's copy, or NULL.
 */
const char *cli_for_nobody(char *cdir, size_t dcap, char *copy, size_t ccap);
void remove_copies(const char *cdir);

/* ------------------------------------------------------------------ */
/* Cases, by the name test_audit takes                                 */
/* ------------------------------------------------------------------ */

/* cases_leaker.c */
void leaker_text(void);			/* leaker-text */
void leaker_json(void);			/* leaker-json */
void inherited(void);			/* inherited */
void clean(void);			/* clean */
void self(void);			/* self */
void all(void);				/* all */
/* cases_lifecycle.c */
void no_such_process(void);		/* no-such-process */
void zombie(void);			/* zombie */
void exited_mid_scan(const char *trigger); /* exited-mid-scan, -fdinfo */
void permission(void);			/* permission */
/* cases_hostile.c */
void forged_unix(bool fallback);	/* forged-unix, forged-unix-fallback */
void netns(void);			/* netns */
void raw(void);				/* raw */
void repoint(void);			/* repoint */
void deleted(void);			/* deleted */

#endif /* NI_AUDIT_HARNESS_H */
