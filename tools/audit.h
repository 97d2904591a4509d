/*
 * audit.h - the parts of `noinherit audit` and what passes between them:
 *
 *   audit.c            arguments, the loop over processes, exit status
 *   audit_scan.c       reading one process: /proc/PID through a directory
 *                      descriptor, fdinfo, then each leak-prone fd's file
 *                      (checked to be fdinfo's), sockets from sock_diag
 *                      (sockdiag.c) per network namespace
 *   audit_inherited.c  --inherited: kcmp(2), or pidfd_getfd(2) and
 *                      F_DUPFD_QUERY
 *   audit_output.c     the table and the JSON lines, and their escaping
 *
 * Internal to the command; everything not named here is static.
 */
#ifndef NI_AUDIT_H
#define NI_AUDIT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "procinfo.h"

struct opts {
	bool all, std, inherited, json;
	pid_t *pids;
	size_t npids, pidcap;
};

/* Outcome of one process, in increasing order of weight for the exit status. */
enum outcome { P_CLEAN, P_EXITED, P_LEAKS, P_GONE, P_DENIED, P_FAILED };

struct fdrec {
	int fd;
	enum pi_kind kind;
	bool listening, cloexec, deleted;
	signed char inherited;	/* 1, 0, or -1: not asked or not known */
	dev_t dev;
	ino_t ino;
	size_t target;		/* offset in scan.arena */
};

struct proc {
	pid_t pid, ppid;
	char state;
	bool has_comm, has_exe;
	char comm[64];
	char exe[PATH_MAX];
	enum outcome outcome;
	const char *error;	/* why it could not be read, or NULL */
	int piddir, fddir, infodir;
	int pidfd, ppidfd;	/* --inherited without kcmp */
};

/* Storage reused from one process to the next. */
struct scan {
	int *fds;
	size_t nfds, fdcap;
	struct fdrec *v;
	size_t n, cap;
	char *arena;
	size_t alen, acap;
	struct pent { dev_t dev; ino_t ino; int fd; } *par;
	size_t npar, parcap;
	const int *only;	/* self mode: the fds recorded at start */
	size_t nonly;
	bool self;
};

/* audit_scan.c: small helpers shared by the other parts */

/* Grows *v (of *cap elements of size bytes) to hold need.  0, or -1. */
int audit_grow(void **v, size_t *cap, size_t need, size_t size);
/* A decimal number made of digits only, 0..INT_MAX; -1 otherwise. */
long audit_parse_num(const char *s);
/* Does errno e say that the process (or the fd) is gone? */
bool audit_gone_errno(int e);
/* Reads comm, state and ppid from the text of /proc/PID/stat.  0, or -1. */
int audit_parse_stat(const char *buf, struct proc *p);

/* audit_scan.c: one process */

/* Scans p->pid into s; sets p->outcome, and p->error if it failed. */
void audit_scan_proc(struct proc *p, struct scan *s, const struct opts *o);
/* Closes the descriptors scan_proc left open in p. */
void audit_proc_close(struct proc *p);
/* Frees s and the socket tables kept from one process to the next. */
void audit_scan_free(struct scan *s);

/* audit_inherited.c */

/*
 * 1 if the parent of p shares r's open file description, 0 if not, -1 if
 * unknown (said once on stderr).  *parent_loaded tells whether s->par
 * holds the parent's fds yet.
 */
int audit_inherited(struct proc *p, struct scan *s, bool *parent_loaded,
    const struct fdrec *r);

/* audit_output.c */

void audit_print_json(const struct proc *p, const struct scan *s);
/* The table of one process; caller is the name of its parent (self mode). */
void audit_print_text(const struct proc *p, const struct scan *s,
    const struct opts *o, const char *caller);

#endif /* NI_AUDIT_H */
