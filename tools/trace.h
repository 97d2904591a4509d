/*
 * trace.h - the parts of `noinherit trace` and `noinherit enforce`, and what
 * passes between them:
 *
 *   trace.c         arguments, the log file, running CMD, exit status
 *   shim.c          finding the shim, the environment, the checks on CMD
 *                   (statically linked, setuid), and `enforce`
 *   trace_log.c     the shim's log (preload/FORMAT.md) read into records
 *   trace_find.c    records paired into findings: which descriptor crossed
 *                   which exec, made where; grouped by call site
 *   trace_symbols.c backtrace offsets to function, file and line
 *                   (addr2line)
 *   trace_report.c  the findings as text or JSON lines
 *   jsonl.c         the JSON parser and escapers
 *
 * Internal to the command; everything not named here is static.
 */
#ifndef NI_TRACE_H
#define NI_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "jsonl.h"
#include "procinfo.h"

/* ---- the log (trace_log.c) ------------------------------------------- */

struct frame {
	const char *obj;		/* dladdr's dli_fname */
	unsigned long long off;		/* address - dli_fbase */
	const char *sym;		/* dladdr's dli_sname, or NULL */
	const char *func, *file;	/* addr2line's, or NULL */
	unsigned long line;		/* with file */
};

struct origin {
	const char *made_by;		/* the hooked call: "open", "socket"... */
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
void trace_log_free(struct tlog *l);

/* ---- findings (trace_find.c) ----------------------------------------- */

struct receipt {
	const struct trec *to;		/* the start record of the receiver */
	const struct tfd *fd;		/* its descriptor */
	const struct trec *by;		/* the exec record that passed it on,
					 * or NULL when none was logged */
};

struct finding {
	struct origin *origin;		/* NULL: origin unknown */
	const char *origin_exe;		/* the program that made it, or NULL */
	enum pi_kind kind;
	const struct tfd *sample;	/* the first receipt's: what */
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
	size_t unreached;		/* execs that no start record followed */
	const char *unreached_target;	/* the first of them */
	struct jarena mem;		/* symbols */
};

/*
 * Pairs every start record but root's with the exec that passed each of
 * its descriptors, follows descriptors passed on from process to process
 * back to where they were made, drops those root itself received, and
 * groups the rest by call site.  root is CMD's pid.  Returns 0, or -1 with
 * errno ENOMEM.
 */
int trace_analyze(const struct tlog *l, long root, struct analysis *a);
void trace_analysis_free(struct analysis *a);

/* ---- symbols (trace_symbols.c) --------------------------------------- */

/*
 * Fills func, file and line of the frames the report will show, running
 * addr2line (found in PATH, or $NOINHERIT_ADDR2LINE) once per object.
 * Without addr2line, or for a stripped object, frames keep their sym.
 */
void trace_symbolize(struct analysis *a);

/* ---- output (trace_report.c) ----------------------------------------- */

/* The findings as text (for a person) or as JSON lines. */
void trace_report_text(FILE *f, const struct analysis *a);
void trace_report_json(FILE *f, const struct analysis *a);

/* ---- the shim and the command (shim.c) ------------------------------- */

/*
 * The shim's absolute path: $NOINHERIT_PRELOAD, the installed one beside
 * this executable, or the build tree's.  NULL (said) if none is found.
 */
const char *shim_path(const char *who);
/*
 * A copy of environ with LD_PRELOAD (shim first, once), NOINHERIT_MODE,
 * NOINHERIT_ROOT and, if log is not NULL, NOINHERIT_LOG set; NULL with
 * errno ENOMEM.  Free with env_free.
 */
char **shim_env(const char *shim, const char *mode, const char *log);
void shim_env_free(char **env);
/*
 * Says on stderr when the shim cannot reach cmd (looked up in PATH as
 * execvp does): statically linked, setuid or setgid, file capabilities,
 * another ELF class.  Never fails: a check that cannot be made is skipped.
 */
void shim_check_command(const char *who, const char *cmd);

#endif /* NI_TRACE_H */
