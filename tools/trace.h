/*
 * trace.h - the parts of `noinherit trace` and `noinherit enforce`, and what
 * passes between them:
 *
 *   trace.c         arguments, the channel, running CMD, exit status
 *   trace_ptrace.c  the observer: CMD's tree under ptrace, every exec's
 *                   descriptor table as the kernel left it (kernel start
 *                   records), and the channel the shim sends records on
 *   shim.c          finding the shim, the environment, the checks on CMD
 *                   (statically linked, setuid), and `enforce`
 *   trace_log.c     the shim's log (preload/FORMAT.md) read into records
 *   trace_find.c    records paired into findings: which descriptor crossed
 *                   which exec, made where; by call site and target
 *   trace_symbols.c backtrace offsets to function, file and line
 *                   (elfutils' libdwfl)
 *   trace_report.c  the findings as text or JSON lines
 *   trace_sarif.c   the findings as SARIF 2.1.0
 *   jsonl.c         the JSON parser and escapers
 *
 * Internal to the command; everything not named here is static.
 */
#ifndef NI_TRACE_H
#define NI_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "jsonl.h"
#include "procinfo.h"

/* ---- the log (trace_log.c) ------------------------------------------- */

/* A function an inlined frame was inlined into, and the inlined call. */
struct inl {
	const char *func, *file;	/* or NULL */
	unsigned long line;		/* with file */
};

struct frame {
	const char *obj;		/* dladdr's dli_fname */
	unsigned long long off;		/* address - dli_fbase */
	const char *sym;		/* dladdr's dli_sname, or NULL */
	/* trace_symbols.c's: */
	bool looked_up;			/* the object was read: func is the
					 * answer, NULL meaning unknown */
	const char *func, *file;	/* the function holding the address
					 * (innermost inlined one), or NULL */
	unsigned long line;		/* with file */
	struct inl *inl;		/* what func was inlined into, */
	size_t ninl;			/* innermost first */
};

struct origin {
	const char *made_by;		/* the hooked call: "open", "socket"... */
	const char *inh_by;		/* "F_SETFD", "FIONCLEX": made
					 * inheritable explicitly, or NULL */
	long made_pid;			/* -1 if absent */
	struct frame *bt;		/* first: the hooked function's caller */
	size_t nbt;
};

struct tfd {
	int fd;
	unsigned long long dev, ino;
	const char *what;		/* readlink of /proc/self/fd/N */
	const char *sock;		/* "TCP 127.0.0.1:8080 LISTEN", or NULL */
	struct origin *origin;		/* exec records: as logged, or NULL */
	const char *named;		/* kernel start records: why the program
					 * was told this number (fdnames_scan:
					 * "argv: --jobserver-auth=3,4"), or NULL */
	bool in_parent;			/* kernel start records of a spawn's
					 * child: its maker held this file at
					 * this number, inheritable, at the
					 * exec (no file action's doing) */
};

enum ev { EV_START, EV_EXEC };

struct trec {
	enum ev ev;
	long pid, ppid;
	const char *exe;		/* the program, or "?" */
	const char *call, *target;	/* exec records: "execve", "/bin/true" */
	const char **argv;		/* argc strings */
	size_t argc;
	struct tfd *fds;
	size_t nfds;
	unsigned long long t;		/* CLOCK_MONOTONIC ns */
	unsigned part;			/* 2, 3...: more fds of the record before */
	size_t line;			/* in the log, from 1 */
	/* Start records made by the observer at PTRACE_EVENT_EXEC (kernel
	 * is true): the descriptor table as the kernel left it, whether or
	 * not a shim runs in the program. */
	bool kernel;
	bool spawned;			/* kernel: the process was made by the
					 * posix_spawn its maker logged last
					 * (this is that spawn's exec) */
	const char *noshim;		/* why no shim runs in this program
					 * ("statically linked", ...), or NULL */
	const char *from_exe;		/* the program this pid ran before the
					 * exec: the one that passed the fds on */
	const char *from_noshim;	/* why no shim ran in that one, or NULL */
};

struct tlog {
	struct trec *v;
	size_t n, cap;
	size_t lines, bad;		/* lines read; lines skipped */
	size_t first_bad;		/* line number of the first skipped */
	const char *first_why;		/* and why */
	struct jarena mem;		/* the records' strings and arrays */
	struct jarena scratch;		/* one line's parse */
	char *part;			/* an incomplete last line */
	size_t plen, pcap;
	bool skipping;			/* inside an overlong line */
	bool kernel_starts;		/* the observer makes the start records:
					 * the shim's own are dropped */
	long peer_pid;			/* > 0: the lines fed come from this
					 * process (SO_PEERCRED, in the tool's
					 * pid namespace): its records' pid and
					 * made_pid in its own namespace are
					 * replaced by it */
};

/*
 * Feeds bytes read from the log; complete lines become records.  Returns
 * the number of records added, or -1 with errno ENOMEM.
 */
long trace_log_feed(struct tlog *l, const char *buf, size_t len);
/* The end of the log: a last line without its newline is parsed too. */
long trace_log_finish(struct tlog *l);
/*
 * Describes the sockets of records from index `from` on that the shim
 * left without "sock", from this network namespace's NETLINK_SOCK_DIAG
 * (sockdiag.h; the /proc/net text tables for a kind it cannot list, said
 * once on stderr) ("TCP 127.0.0.1:8080 LISTEN"): called as records
 * arrive, while the sockets still exist.
 */
void trace_log_resolve_sockets(struct tlog *l, size_t from);
/*
 * Appends a copy of r (its strings and arrays copied into the log's
 * memory).  Returns 0, or -1 with errno ENOMEM.
 */
int trace_log_add(struct tlog *l, const struct trec *r);
void trace_log_free(struct tlog *l);

/* ---- the observer and the channel (trace_ptrace.c) ------------------ */

struct pollfd;
struct observer;

/* A part of the tree that was not observed, and why. */
struct tgap {
	long pid;
	const char *exe;
	const char *why;
};

/*
 * Listens on a new channel (an abstract socket, FORMAT.md) for records
 * that go into log; shim is the path LD_PRELOAD carries.  NULL with errno.
 */
struct observer *trace_obs_new(struct tlog *log, const char *shim);
/* NOINHERIT_LOG's value: "@noinherit-trace.UID.PID.RANDOM". */
const char *trace_obs_channel(const struct observer *o);
/*
 * Traces pid (CMD, not yet exec'd) and all it starts.  Returns 0, or -1
 * when ptrace is refused (*why says why): the shim's records alone then,
 * and the whole tree is a gap.
 */
int trace_obs_seize(struct observer *o, pid_t pid, const char **why);
bool trace_obs_traced(const struct observer *o);
/* The descriptors to poll for records (at most max). */
size_t trace_obs_pollfds(const struct observer *o, struct pollfd *p, size_t max);
/* Reads the records that have arrived; whether anything could be taken
 * (a connection accepted, a record read, a connection's end). */
bool trace_obs_drain(struct observer *o);

/* The last component of a path (the whole path if it ends in '/'). */
static inline const char *
trace_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/* Whether an exec record's call is a posix_spawn (posix_spawnp too): the
 * calls whose file actions may place descriptors. */
static inline bool
trace_is_spawn(const char *call)
{
	return call != NULL && strncmp(call, "posix_spawn", 11) == 0;
}
/*
 * One waitpid() result of a traced task, handled and resumed.  Returns
 * true when it was CMD's end (*root_status set).
 */
bool trace_obs_event(struct observer *o, pid_t w, int status, int *root_status);
/* Lets go of the processes still traced; returns how many there were. */
size_t trace_obs_release(struct observer *o);
size_t trace_obs_gaps(const struct observer *o, const struct tgap **v);
size_t trace_obs_rejected(const struct observer *o);
bool trace_obs_nomem(const struct observer *o);
void trace_obs_free(struct observer *o);

/* ---- findings (trace_find.c) ----------------------------------------- */

/* Why a descriptor crossed: on purpose, or leaked (issue 11, point 3). */
enum tclass {
	TC_LEAKED,		/* born inheritable and never named */
	TC_PASSED,		/* made inheritable or named on purpose */
	TC_ALLOWED,		/* leaked, but --allow covers it */
};

struct receipt {
	const struct trec *to;		/* the start record of the receiver */
	const struct tfd *fd;		/* its descriptor */
	const struct trec *by;		/* the exec record that passed it on,
					 * or NULL when none was logged */
	const struct tfd *by_fd;	/* by's entry for it, or NULL */
	long from_pid;			/* who passed it on: by's pid, else */
	const char *from_exe;		/* the kernel's view (NULL: unknown) */
	enum tclass cls;
	const char *why;		/* TC_PASSED, TC_ALLOWED: the reason
					 * ("dup2 onto fd 3", "named in argv:
					 * --status-fd=5", "--allow PATTERN") */
	const char *unknown_why;	/* no origin: why ("the program that
					 * passed it on, X, had no shim: it is
					 * statically linked"), else NULL */
};

struct finding {
	struct origin *origin;		/* NULL: origin unknown */
	const char *origin_exe;		/* the program that made it, or NULL */
	enum pi_kind kind;
	const struct tfd *sample;	/* the first receipt's: what */
	size_t leaked;			/* receipts of class TC_LEAKED */
	const char *sock;		/* the first socket description known */
	bool listening;
	struct receipt *r;
	size_t n, cap;
};

struct analysis {
	struct finding *f;
	size_t n, cap;
	size_t programs;		/* start records: processes traced */
	size_t receipts;		/* descriptors that crossed, in all */
	bool root_seen;			/* a start record came from CMD */
	size_t leaked;			/* receipts of class TC_LEAKED, in all */
	size_t passed, allowed;		/* ... TC_PASSED, TC_ALLOWED */
	size_t unreached;		/* execs that no start record followed */
	const char *unreached_target;	/* the first of them */
	struct jarena mem;		/* symbols */
};

/*
 * Pairs every start record but root's with the exec that passed each of
 * its descriptors, follows descriptors passed on from process to process
 * back to where they were made, drops those root itself received, and
 * groups the rest by call site and target.  root is CMD's pid.  Returns
 * 0, or -1 with errno ENOMEM.
 */
int trace_analyze(const struct tlog *l, long root, struct analysis *a);
/*
 * Turns the leaked receipts whose receiving program (path or base name)
 * or target (what, or the socket's description) matches one of the
 * fnmatch(3) patterns into TC_ALLOWED; recounts.
 */
void trace_allow(struct analysis *a, char *const *pats, size_t n);
/* The class as a word: "leaked", "passed", "allowed". */
const char *trace_class_name(enum tclass c);
void trace_analysis_free(struct analysis *a);

/* ---- symbols (trace_symbols.c) --------------------------------------- */

/*
 * Fills func, file, line and inl of the frames the report will show,
 * reading each object once with libdwfl (symbol tables with sizes, DWARF,
 * separate debug files).  A frame is named by the function whose range
 * holds its address, or left unknown (looked_up, func NULL); a frame
 * whose object cannot be read keeps dladdr's sym (looked_up false).
 */
void trace_symbolize(struct analysis *a);

/* ---- output (trace_report.c) ----------------------------------------- */

/* The findings as text (for a person) or as JSON lines. */
void trace_report_text(FILE *f, const struct analysis *a);
void trace_report_json(FILE *f, const struct analysis *a);
/*
 * A frame's function: trace_symbolize's answer when it read the object
 * (NULL: unknown), else dladdr's symbol (NULL: none).
 */
const char *trace_frame_func(const struct frame *fr);

/* ---- SARIF (trace_sarif.c) ------------------------------------------- */

/*
 * The findings as one SARIF 2.1.0 log: a result per finding (rule
 * "fd-leak", CWE-403), located at the first frame with a source line,
 * file paths under the current directory relative to it (uriBaseId
 * %SRCROOT%), others as file: URIs.  cmd is CMD's argv, for the
 * invocation.
 */
/* complete: every process of the tree was observed (executionSuccessful). */
void trace_report_sarif(FILE *f, const struct analysis *a, char *const *cmd,
    bool complete);

/* ---- the shim and the command (shim.c) ------------------------------- */

/*
 * The shim's absolute path: $NOINHERIT_PRELOAD, the installed one beside
 * this executable, or the build tree's.  NULL (said) if none is found.
 */
const char *shim_path(const char *who);
/*
 * A copy of environ with LD_PRELOAD (shim first, once), NOINHERIT_MODE,
 * NOINHERIT_ROOT, if log is not NULL, NOINHERIT_LOG and, for enforce,
 * NOINHERIT_NOTES (a directory made by shim_notes_make) set; NULL with
 * errno ENOMEM.  Free with env_free.
 */
char **shim_env(const char *shim, const char *mode, const char *log);
void shim_env_free(char **env);
/*
 * enforce's marker directory (notes.c): shim_notes_make makes one for
 * this run in $TMPDIR (mode 0700) into buf, after removing those of
 * earlier runs whose first process is gone; false if it cannot.
 * shim_notes_watch starts the watcher that removes dir once this process
 * has exited.
 */
bool shim_notes_make(char *buf, size_t cap);
void shim_notes_watch(const char *dir);
/*
 * Says on stderr when the shim cannot reach cmd (looked up in PATH as
 * execvp does): statically linked, setuid or setgid, file capabilities,
 * another ELF class.  Never fails: a check that cannot be made is skipped.
 */
void shim_check_command(const char *who, const char *cmd);

#endif /* NI_TRACE_H */
