/*
 * trace_ptrace.c - the observer of `noinherit trace`: CMD's whole tree
 * under ptrace, and the channel the shim sends its records on.
 *
 * The tree.  CMD is seized (PTRACE_SEIZE) before it execs, with
 * PTRACE_O_TRACEFORK, _TRACEVFORK, _TRACECLONE and _TRACEEXEC: every
 * process and thread it starts is traced from its first instruction, and
 * every successful execve in the tree stops at PTRACE_EVENT_EXEC.  There
 * the new program's descriptor table, /proc/PID/fd, is exactly what
 * crossed the exec (the kernel has closed the close-on-exec ones), and the
 * program has not run a single instruction yet.  The observer reads it,
 * with the program (/proc/PID/exe), its argv and environment, and makes
 * the start record of FORMAT.md itself (trec.kernel): whatever the
 * program is -- statically linked, started with a scrubbed environment,
 * set-user-ID, in a chroot or another mount namespace, run by a user who
 * dropped privileges -- and whether or not the shim is in it.  It says why
 * the shim is not (trec.noshim) and what the pid ran before
 * (trec.from_exe), so that a descriptor passed on by a program without the
 * shim is reported with what is known.  fdnames_scan() says which numbers
 * the program was told of in its argv and environment.  The shim is kept
 * for what only it can know: the call that made a descriptor and where.
 *
 * Signals reach the tracees as if nothing were there: every
 * signal-delivery-stop is resumed with its signal, group-stops with
 * PTRACE_LISTEN.  PTRACE_O_EXITKILL is not set: if the tool dies, the
 * kernel detaches the tree, which runs on.  When CMD has exited, the
 * processes still running are released (trace_obs_release).
 *
 * When ptrace is refused (seccomp, Yama, CMD already traced), the shim's
 * own start records stand instead, and the whole tree is named as a gap;
 * so is a process whose /proc entries cannot be read at its exec.
 *
 * The channel (FORMAT.md): an abstract AF_UNIX SOCK_SEQPACKET socket named
 * "noinherit-trace.UID.PID.RANDOM", on which the shim connects once per
 * record.  The shim checks with SO_PEERCRED that the listener is this
 * process; this process checks that the peer is one of the traced
 * processes (any other connection is closed unread).  Nothing is in the
 * file system, and nothing can reach anyone once this process has gone.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdnames.h"
#include "noinherit.h"
#include "trace.h"

#if defined(__has_include)
#if __has_include(<linux/kcmp.h>)
#include <linux/kcmp.h>
#endif
#endif
#ifndef KCMP_VM
#define KCMP_VM 1
#endif


#define MAX_ENV (1u << 20)	/* /proc/PID/environ read at most */
#define MAX_CMDLINE (1u << 18)
#define MAX_CONNS 256

struct task {
	long tid;		/* 0: a free slot */
	long tgid;
	long parent;		/* the process that made it (tgid), or 0 */
	bool alive;
	bool execd;		/* has exec'd since it was made */
	bool spawn_logged;	/* processes: logged a posix_spawn since it
				 * last made a process */
	bool spawn_known;	/* spawned is decided */
	bool spawned;		/* made by the posix_spawn its maker logged
				 * last (not by a fork, nor by a vfork
				 * that logged none) */
	const char *exe;	/* processes: the program now */
	const char *noshim;	/* ... why no shim runs in it, or NULL */
};

#define DYN_CACHE 64

struct dyncache {
	bool valid;
	int dyn;
	dev_t dev;
	ino_t ino;
	off_t size;
	time_t mtime;
	long mtime_ns;
};

struct observer {
	struct tlog *log;
	const char *shim;	/* the shim's path, as LD_PRELOAD holds it */
	pid_t root;
	bool traced;		/* ptrace works: kernel start records */
	int lsock;
	char name[108];		/* "@noinherit-trace.UID.PID.RANDOM" */
	int conns[MAX_CONNS];
	pid_t peers[MAX_CONNS];		/* each connection's process */
	size_t nconns;
	struct task *t;		/* open addressing on tid */
	size_t tcap, tn;
	struct tgap *gaps;
	size_t ngaps, gcap;
	size_t rejected;	/* connections from outside the tree */
	bool plain_recv;	/* MSG_CMSG_CLOEXEC is refused here */
	bool nomem;
	struct jarena mem;
	struct dyncache dyn[DYN_CACHE];	/* exe_dynamic's answers */
};

/* ------------------------------------------------------------------ */
/* Tasks                                                               */
/* ------------------------------------------------------------------ */

static struct task *
task_slot(struct observer *o, long tid)
{
	size_t i = ((unsigned long)tid * 2654435761u) & (o->tcap - 1);

	while (o->t[i].tid != 0 && o->t[i].tid != tid)
		i = (i + 1) & (o->tcap - 1);
	return &o->t[i];
}

static struct task *
task_find(struct observer *o, long tid)
{
	struct task *t = task_slot(o, tid);

	return t->tid == tid ? t : NULL;
}

static struct task *
task_add(struct observer *o, long tid)
{
	struct task *t;

	if ((o->tn + 1) * 2 > o->tcap) {
		size_t cap = o->tcap * 2, i, old = o->tcap;
		struct task *ot = o->t, *nt = calloc(cap, sizeof *nt);

		if (nt == NULL) {
			o->nomem = true;
			return NULL;
		}
		o->t = nt;
		o->tcap = cap;
		for (i = 0; i < old; i++)
			if (ot[i].tid != 0)
				*task_slot(o, ot[i].tid) = ot[i];
		free(ot);
	}
	t = task_slot(o, tid);
	if (t->tid == 0) {
		memset(t, 0, sizeof *t);
		t->tid = tid;
		t->tgid = tid;
		t->alive = true;
		o->tn++;
	}
	return t;
}

/* The process entry of a task (itself, or its thread group's leader). */
static struct task *
proc_of(struct observer *o, long tid)
{
	struct task *t = task_find(o, tid);

	if (t != NULL && t->tgid != t->tid)
		t = task_find(o, t->tgid);
	return t;
}

static const char *
keep(struct observer *o, const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = jarena_strdup(&o->mem, s);
	if (d == NULL)
		o->nomem = true;
	return d;
}

static void
gap(struct observer *o, long pid, const char *exe, const char *why)
{
	if (o->ngaps == o->gcap) {
		size_t cap = o->gcap ? o->gcap * 2 : 8;
		struct tgap *v = realloc(o->gaps, cap * sizeof *v);

		if (v == NULL) {
			o->nomem = true;
			return;
		}
		o->gaps = v;
		o->gcap = cap;
	}
	o->gaps[o->ngaps].pid = pid;
	o->gaps[o->ngaps].exe = keep(o, exe ? exe : "?");
	o->gaps[o->ngaps].why = keep(o, why);
	o->ngaps++;
}

/* ------------------------------------------------------------------ */
/* The channel                                                         */
/* ------------------------------------------------------------------ */

static int
listen_channel(struct observer *o)
{
	struct sockaddr_un sa;
	unsigned long long r[2];
	int fd, tries;
	size_t n;

	fd = ni_socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -1;
	for (tries = 0; tries < 16; tries++) {
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
			close(fd);
			return -1;
		}
		snprintf(o->name, sizeof o->name,
		    "@noinherit-trace.%lu.%ld.%016llx%016llx",
		    (unsigned long)geteuid(), (long)getpid(), r[0], r[1]);
		memset(&sa, 0, sizeof sa);
		sa.sun_family = AF_UNIX;
		n = strlen(o->name + 1);
		memcpy(sa.sun_path + 1, o->name + 1, n);
		if (bind(fd, (struct sockaddr *)&sa,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
		    n)) == 0)
			break;
		if (errno != EADDRINUSE) {
			close(fd);
			return -1;
		}
	}
	if (tries == 16 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &(int){ 1 }, sizeof(int))
	    != 0 || listen(fd, 4096) != 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
		close(fd);
		return -1;
	}
	o->lsock = fd;
	return 0;
}

/*
 * Whether pid descends from this process, as /proc has it now (this
 * process is a subreaper, so orphans of the tree are reparented to it).
 * -1: pid is gone.
 */
static int
descends(pid_t pid)
{
	char path[64], buf[512], *p;
	long ppid;
	int depth;

	for (depth = 0; depth < 256 && pid > 1; depth++) {
		if (pid == getpid())
			return 1;
		snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
		if (pi_read_file(path, buf, sizeof buf) < 0)
			return depth == 0 && errno == ENOENT ? -1 : 0;
		p = strrchr(buf, ')');
		if (p == NULL || sscanf(p + 1, " %*c %ld", &ppid) != 1)
			return 0;
		pid = (pid_t)ppid;
	}
	return 0;
}

/*
 * A process of the tree that ptrace does not see: made by a clone with
 * CLONE_UNTRACED, the one way a tracee's child escapes the automatic
 * attach.  Found when it (or what it runs) writes to the channel, or when
 * it is reparented to this process and exits; named once as a gap.
 */
static void
escaped(struct observer *o, pid_t pid)
{
	char link[64], exe[PATH_MAX];
	ssize_t n;
	size_t i;

	for (i = 0; i < o->ngaps; i++)
		if (o->gaps[i].pid == pid)
			return;
	snprintf(link, sizeof link, "/proc/%ld/exe", (long)pid);
	n = readlink(link, exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = '\0';
	gap(o, pid, n > 0 ? exe : NULL, "it escaped ptrace (a clone with "
	    "CLONE_UNTRACED): what it and its children exec is not observed");
}

/*
 * The children of this process that ptrace never saw: orphans of the tree
 * reparented here (a subreaper) that escaped it, still running as CMD
 * ends.  Read from each thread's children list.
 */
static void
orphans(struct observer *o)
{
	char path[64], buf[4096], *p, *end;
	struct dirent *d;
	DIR *dir;
	long pid;

	dir = opendir("/proc/self/task");
	if (dir == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%.20s/children",
		    d->d_name);
		if (pi_read_file(path, buf, sizeof buf) < 0)
			continue;
		for (p = buf; *p != '\0'; p = end) {
			pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 0 && task_find(o, pid) == NULL)
				escaped(o, (pid_t)pid);
		}
	}
	closedir(dir);
}

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* Whether the process at the other end of connection fd has been reaped
 * (its pid free for another); false where that cannot be told. */
static bool
peer_gone(int fd)
{
	socklen_t len = sizeof(int);
	int pfd, r, e;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pfd, &len) != 0)
		return false;
	r = (int)syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0);
	e = errno;
	close(pfd);
	return r != 0 && e == ESRCH;
}

/*
 * Whether a connection's peer belongs to the traced tree: with ptrace,
 * every task of the tree is known from before it could run.
 */
static bool
in_tree(struct observer *o, int fd, const struct ucred *cr)
{
	pid_t pid = cr->pid;
	int d;

	/* A task that has exited no longer holds its pid: whoever has it
	 * now is not the tree.  (Its records are read at its exit, before
	 * it is marked so: trace_obs_event.)  Its pid cannot be taken while
	 * it is a zombie, and a traced zombie waits for the observer. */
	if (o->traced) {
		const struct task *t = task_find(o, pid);

		if (t != NULL && t->alive)
			return true;
		/* Not a task: refused, and if it is the tree's all the
		 * same, the report says what was not observed. */
		if (t == NULL && descends(pid) == 1)
			escaped(o, pid);
		return false;
	}
	/* Without ptrace: the ancestry.  A peer that has already exited
	 * cannot be placed: taken if it ran as this user (the report is
	 * incomplete anyway, and says so).  Once it is gone its pid may be
	 * another process's, whose ancestry says nothing of the peer: the
	 * peer's own pidfd tells (SO_PEERPIDFD, Linux 6.5). */
	d = peer_gone(fd) ? -1 : descends(pid);
	return d == 1 || (d < 0 && cr->uid == geteuid());
}

/*
 * Reads what connection fd (from process peer) has; closes it at its
 * end.  false: closed.
 */
/*
 * The sender of a message, as the kernel stamped it (SCM_CREDENTIALS,
 * SO_PASSCRED on the listening socket and so on each connection), or -1.
 */
static pid_t
sender(struct msghdr *m)
{
	struct cmsghdr *c;
	struct ucred cr;
	pid_t pid = -1;
	size_t i, n;
	int fd;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len >= CMSG_LEN(sizeof cr)) {
			memcpy(&cr, CMSG_DATA(c), sizeof cr);
			pid = cr.pid;
		} else if (c->cmsg_type == SCM_RIGHTS) {
			/* Descriptors no shim sends: not kept. */
			n = (c->cmsg_len - CMSG_LEN(0)) / sizeof fd;
			for (i = 0; i < n; i++) {
				memcpy(&fd, CMSG_DATA(c) + i * sizeof fd,
				    sizeof fd);
				close(fd);
			}
			pid = -1;
		}
	}
	return pid;
}

/*
 * Reads what connection fd (from process peer) has; closes it at its
 * end.  false: closed.  Each message counts only if peer sent it: a
 * connection is checked when it is made, and a process that took it
 * since (pidfd_getfd(2), allowed to its uid's other processes) must not
 * speak for peer.
 */
static bool
read_conn(struct observer *o, int fd, pid_t peer)
{
	char buf[65536];
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct iovec iov;
	struct msghdr m;
	ssize_t n;

	for (;;) {
		iov.iov_base = buf;
		iov.iov_len = sizeof buf - 1;
		memset(&m, 0, sizeof m);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = ctl.b;
		m.msg_controllen = sizeof ctl.b;
		/* (MSG_CMSG_CLOEXEC refused, as a seccomp profile may:
		 * without it, and a descriptor sent is closed at once.) */
		n = recvmsg(fd, &m, MSG_DONTWAIT |
		    (o->plain_recv ? 0 : MSG_CMSG_CLOEXEC));
		if (n < 0 && !o->plain_recv &&
		    (errno == EINVAL || errno == EPERM)) {
			o->plain_recv = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0)
			break;
		if (sender(&m) != peer) {
			o->rejected++;
			break;
		}
		/* One message is one record: a cut one ends here too. */
		if (buf[n - 1] != '\n')
			buf[n++] = '\n';
		o->log->peer_pid = peer;
		if (trace_log_feed(o->log, buf, (size_t)n) < 0)
			o->nomem = true;
		o->log->peer_pid = 0;
	}
	close(fd);
	return false;
}

/* Whether a connection waits on the listening socket fd. */
static bool
pending(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	while (poll(&p, 1, 0) < 0)
		if (errno != EINTR)
			return true;	/* let accept4 say */
	return (p.revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) != 0;
}

bool
trace_obs_drain(struct observer *o)
{
	struct ucred cr;
	socklen_t len;
	size_t before = o->log->n, conns = o->nconns, i;
	bool accepted = false;
	int fd;

	for (i = 0; i < o->nconns;) {
		if (read_conn(o, o->conns[i], o->peers[i])) {
			i++;
		} else {
			o->nconns--;
			o->conns[i] = o->conns[o->nconns];
			o->peers[i] = o->peers[o->nconns];
		}
	}
	/* accept4 on an empty queue still makes (and frees) a socket: ask
	 * poll first, which costs far less at each of the many stops when
	 * nothing has connected. */
	while (o->lsock >= 0 && pending(o->lsock)) {
		fd = ni_accept4(o->lsock, NULL, NULL, SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		accepted = true;
		len = sizeof cr;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 ||
		    !in_tree(o, fd, &cr)) {
			o->rejected++;
			close(fd);
			continue;
		}
		if (read_conn(o, fd, cr.pid)) {
			if (o->nconns < MAX_CONNS) {
				o->peers[o->nconns] = cr.pid;
				o->conns[o->nconns++] = fd;
			} else {
				/* The shim sends at once and closes: only a
				 * process holding its connections open gets
				 * here, and what it sends is lost. */
				close(fd);
				gap(o, cr.pid, NULL, "too many connections "
				    "to the channel at once: records dropped");
			}
		}
	}
	if (o->log->n > before)
		trace_log_resolve_sockets(o->log, before);
	/* A process's latest exec record says what its next child is: a
	 * posix_spawn's, or not (system, popen, an exec in place; a spawn
	 * that failed, perhaps before its clone, is followed by the shim's
	 * "failed-posix_spawn" record). */
	for (i = before; i < o->log->n; i++) {
		const struct trec *r = &o->log->v[i];
		struct task *t;

		if (r->ev == EV_EXEC && (t = task_find(o, r->pid)) != NULL)
			t->spawn_logged = trace_is_spawn(r->call);
	}
	return accepted || o->log->n != before || o->nconns != conns;
}

/*
 * Whether the process p has logged a posix_spawn since it last made a
 * process: the one it makes now is that spawn's.  The channel is read
 * first, since a spawn's record is sent before its clone.
 */
static bool
spawn_made(struct observer *o, struct task *p)
{
	trace_obs_drain(o);
	return p->spawn_logged;
}

size_t
trace_obs_pollfds(const struct observer *o, struct pollfd *p, size_t max)
{
	size_t n = 0, i;

	if (o->lsock >= 0 && n < max)
		p[n++] = (struct pollfd){ o->lsock, POLLIN, 0 };
	for (i = 0; i < o->nconns && n < max; i++)
		p[n++] = (struct pollfd){ o->conns[i], POLLIN, 0 };
	return n;
}

/* ------------------------------------------------------------------ */
/* What an exec left                                                   */
/* ------------------------------------------------------------------ */

/* A /proc file of pid, whole (up to cap), NUL-terminated; length or -1. */
static ssize_t
read_proc(long pid, const char *what, char *buf, size_t cap)
{
	char path[64];
	size_t len = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/%s", pid, what);
	fd = ni_open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while (len < cap - 1) {
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/*
 * The new program's argv and environment strings and its AT_SECURE, read
 * from its initial stack at its exec stop, before it has run an
 * instruction: two process_vm_readv calls instead of opening, reading and
 * closing /proc/PID/cmdline, environ and auxv (each open of a /proc file
 * costs a path walk and a look at the task; together they were a third of
 * the observer's work at an exec).
 *
 * At that stop the stack pointer is at argc; above it the argv pointers,
 * NULL, the environment pointers, NULL, and the auxiliary vector.  The
 * kernel copied the strings to the top of the stack in this order, upwards:
 * argv's, the environment's, then the program's path, where AT_EXECFN
 * points.  Anything that does not fit that picture (another architecture,
 * a 32-bit program, a vector larger than the first read) returns false,
 * and the caller reads /proc as before.
 *
 * *strs gets one allocation: argv's strings (*alen bytes, NUL-separated),
 * then the environment's (*elen bytes), each as /proc would give them.
 * *dynamic: whether the program has a dynamic loader (AT_BASE, where the
 * kernel mapped the interpreter, is 0 without one: static, static-pie).
 *
 * The first read usually holds the strings too (a small environment): then
 * it is the only one.
 */
#define STACK_HEAD 16384	/* bytes read at the stack pointer */

static bool
initial_stack(long pid, char **strs, size_t *alen, size_t *elen,
    int *secure, int *dynamic)
{
	unsigned long w[STACK_HEAD / sizeof(unsigned long)], sp, argc, i, k;
	unsigned long start = 0, envs = 0, end = 0;
	struct iovec local, remote;
	ssize_t n;
	size_t nw;
	char *buf;

#if defined(__x86_64__) || defined(__aarch64__)
#if defined(__x86_64__)
	struct user_regs_struct regs;
#define STACK_POINTER(r) ((r).rsp)
#else
	struct user_pt_regs regs;
#define STACK_POINTER(r) ((r).sp)
#endif
	struct iovec io = { &regs, sizeof regs };

	/* A 32-bit program's registers are a smaller set. */
	if (ptrace(PTRACE_GETREGSET, (pid_t)pid, (void *)NT_PRSTATUS, &io) != 0 ||
	    io.iov_len != sizeof regs)
		return false;
	sp = STACK_POINTER(regs);
#undef STACK_POINTER
#else
	(void)pid; (void)strs; (void)alen; (void)elen; (void)secure;
	(void)dynamic;
	return false;
#endif
	local = (struct iovec){ w, sizeof w };
	remote = (struct iovec){ (void *)sp, sizeof w };
	n = process_vm_readv((pid_t)pid, &local, 1, &remote, 1, 0);
	if (n < (ssize_t)sizeof w[0])
		return false;
	nw = (size_t)n / sizeof w[0];
	argc = w[0];
	if (argc > nw)
		return false;
	i = 1;
	if (argc > 0)
		start = w[1];
	for (k = 0; k < argc; k++, i++)
		if (i >= nw || w[i] == 0 || w[i] < start)
			return false;
	if (i >= nw || w[i++] != 0)
		return false;
	if (i < nw && w[i] != 0) {
		envs = w[i];
		if (start == 0)
			start = envs;
	}
	for (; i < nw && w[i] != 0; i++)
		if (w[i] < envs)
			return false;
	if (i++ >= nw)
		return false;
	*secure = -1;
	*dynamic = 0;
	for (; i + 1 < nw && w[i] != AT_NULL; i += 2) {
		if (w[i] == AT_SECURE)
			*secure = w[i + 1] != 0;
		else if (w[i] == AT_EXECFN)
			end = w[i + 1];
		else if (w[i] == AT_BASE)
			*dynamic = w[i + 1] != 0;
	}
	if (i + 1 >= nw || end == 0 || *secure < 0)
		return false;
	if (start == 0)
		start = end;	/* no argv, no environment */
	if (envs == 0)
		envs = end;
	if (start > envs || envs > end || end - envs > MAX_ENV ||
	    envs - start > MAX_CMDLINE)
		return false;
	buf = malloc(end - start + 1);
	if (buf == NULL)
		return false;
	if (start >= sp && end <= sp + (size_t)n) {
		memcpy(buf, (char *)w + (start - sp), end - start);
	} else {
		local = (struct iovec){ buf, end - start };
		remote = (struct iovec){ (void *)start, end - start };
		if (end > start && process_vm_readv((pid_t)pid, &local, 1,
		    &remote, 1, 0) != (ssize_t)(end - start)) {
			free(buf);
			return false;
		}
	}
	buf[end - start] = '\0';
	*strs = buf;
	*alen = envs - start;
	*elen = end - envs;
	return true;
}

/* NUL-separated strings into a NULL-terminated vector (pointing in buf). */
static char **
split(char *buf, size_t len, size_t *count)
{
	size_t n = 0, i, k = 0;
	char **v;

	for (i = 0; i < len; i++)
		if (buf[i] == '\0')
			n++;
	if (len > 0 && buf[len - 1] != '\0')
		n++;
	v = calloc(n + 1, sizeof *v);
	if (v == NULL)
		return NULL;
	for (i = 0; i < len && k < n; i += strlen(buf + i) + 1)
		v[k++] = buf + i;
	*count = k;
	return v;
}

/* Whether the ELF file fd has a PT_INTERP (is dynamically linked). */
static int
elf_dynamic(int fd)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	Elf32_Ehdr eh32;
	Elf32_Phdr ph32;
	size_t i;

	if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return -1;
	if (eh.e_ident[EI_CLASS] == ELFCLASS64) {
		for (i = 0; i < eh.e_phnum && i < 256; i++)
			if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff +
			    i * eh.e_phentsize)) == (ssize_t)sizeof ph &&
			    ph.p_type == PT_INTERP)
				return 1;
		return 0;
	}
	if (pread(fd, &eh32, sizeof eh32, 0) != (ssize_t)sizeof eh32)
		return -1;
	for (i = 0; i < eh32.e_phnum && i < 256; i++)
		if (pread(fd, &ph32, sizeof ph32, (off_t)(eh32.e_phoff +
		    i * eh32.e_phentsize)) == (ssize_t)sizeof ph32 &&
		    ph32.p_type == PT_INTERP)
			return 1;
	return 0;
}

/* AT_SECURE of pid's auxiliary vector: 1, 0, or -1 if unreadable. */
static int
at_secure(long pid)
{
	unsigned long v[512];
	char path[64];
	ssize_t n;
	size_t i;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/auxv", pid);
	fd = ni_open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, v, sizeof v);
	close(fd);
	for (i = 0; n > 0 && i + 1 < (size_t)n / sizeof v[0]; i += 2)
		if (v[i] == AT_SECURE)
			return v[i + 1] != 0;
	return -1;
}

static const char *
env_get(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* Whether LD_PRELOAD's list holds the shim. */
static bool
preloads_shim(const char *list, const char *shim)
{
	size_t n = strlen(shim), k;
	const char *p;

	for (p = list; p != NULL && *p != '\0'; p += k) {
		p += strspn(p, " :");
		k = strcspn(p, " :");
		if (k == n && memcmp(p, shim, n) == 0)
			return true;
	}
	return false;
}

/*
 * Whether the program pid runs is dynamically linked (1, 0, -1 unknown).
 * The answer is the file's: remembered by device and inode (and size and
 * mtime, should the file be rewritten in place), so that the ELF headers of
 * a program exec'd again and again (sh, cc1, git) are read once.
 */
static int
exe_dynamic(struct observer *o, long pid)
{
	char path[64];
	struct stat st;
	struct dyncache *c;
	int fd, dyn = -1;

	snprintf(path, sizeof path, "/proc/%ld/exe", pid);
	/* A hit costs one stat; the file is opened only to be read. */
	if (stat(path, &st) == 0) {
		c = &o->dyn[(st.st_ino ^ st.st_dev) % DYN_CACHE];
		if (c->valid && c->dev == st.st_dev && c->ino == st.st_ino &&
		    c->size == st.st_size && c->mtime == st.st_mtim.tv_sec &&
		    c->mtime_ns == st.st_mtim.tv_nsec)
			return c->dyn;
	}
	fd = ni_open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0) {
		c = &o->dyn[(st.st_ino ^ st.st_dev) % DYN_CACHE];
		dyn = elf_dynamic(fd);
		if (dyn >= 0)
			*c = (struct dyncache){ true, dyn, st.st_dev,
			    st.st_ino, st.st_size, st.st_mtim.tv_sec,
			    st.st_mtim.tv_nsec };
	}
	close(fd);
	return dyn;
}

/* Why the shim will not run in the program that has just been exec'd with
 * envp, or NULL (secure: its AT_SECURE; dynamic: whether it has a dynamic
 * loader; each -1 unknown). */
static const char *
why_no_shim(char **envp, const char *shim, const char *name, int secure,
    int dynamic)
{
	if (dynamic == 0)
		return "it is statically linked (LD_PRELOAD does not apply)";
	if (secure == 1)
		return "it runs set-user-ID, set-group-ID or with file "
		    "capabilities (AT_SECURE): the dynamic loader ignores "
		    "LD_PRELOAD";
	if (!preloads_shim(env_get(envp, "LD_PRELOAD"), shim))
		return "its environment has no LD_PRELOAD with the shim "
		    "(scrubbed: env -i, or an execve with another "
		    "environment)";
	if (env_get(envp, "NOINHERIT_MODE") == NULL ||
	    strcmp(env_get(envp, "NOINHERIT_MODE"), "trace") != 0 ||
	    env_get(envp, "NOINHERIT_LOG") == NULL ||
	    strcmp(env_get(envp, "NOINHERIT_LOG"), name) != 0)
		return "its environment does not carry this trace's "
		    "NOINHERIT_MODE and NOINHERIT_LOG";
	return NULL;
}

static int
cmp_fd(const void *a, const void *b)
{
	const struct tfd *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* What getdents64 writes, one entry (the kernel's linux_dirent64). */
struct kdirent {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* The descriptors beyond 0-2 of pid, sorted; NULL with *n 0 if none.
 * getdents64 straight into a stack buffer: no DIR (its fstat and its
 * 32 KiB allocation) at each of the many execs. */
static struct tfd *
read_fds(long pid, size_t *n, int *err)
{
	char path[64], lpath[96], link[PATH_MAX];
	char dbuf[4096] __attribute__((aligned(8)));
	struct tfd *v = NULL, *nv;
	size_t cap = 0;
	struct stat st;
	ssize_t ln, got;
	char *end;
	long fd;
	int dir;

	*n = 0;
	snprintf(path, sizeof path, "/proc/%ld/fd", pid);
	dir = ni_open(path, O_RDONLY | O_DIRECTORY);
	if (dir < 0) {
		*err = errno;
		return NULL;
	}
	*err = 0;
	while ((got = syscall(SYS_getdents64, dir, dbuf, sizeof dbuf)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			*err = errno;	/* what was listed stands */
			break;
		}
		for (ssize_t off = 0; off < got;) {
			struct kdirent *d = (struct kdirent *)(void *)
			    (dbuf + off);

			off += d->d_reclen;
			fd = strtol(d->d_name, &end, 10);
			if (*end != '\0' || end == d->d_name || fd <= 2)
				continue;
			snprintf(lpath, sizeof lpath, "%s/%ld", path, fd);
			ln = readlink(lpath, link, sizeof link - 1);
			if (ln < 0)
				continue;	/* closed meanwhile: cannot
						 * be, it is stopped */
			link[ln] = '\0';
			if (*n == cap) {
				cap = cap ? cap * 2 : 16;
				nv = realloc(v, cap * sizeof *v);
				if (nv == NULL)
					goto out;
				v = nv;
			}
			memset(&v[*n], 0, sizeof v[*n]);
			v[*n].fd = (int)fd;
			v[*n].what = strdup(link);
			if (stat(lpath, &st) == 0) {
				v[*n].dev = (unsigned long long)st.st_dev;
				v[*n].ino = (unsigned long long)st.st_ino;
			}
			if (v[*n].what != NULL)
				(*n)++;
		}
	}
out:
	close(dir);
	if (*n > 1)
		qsort(v, *n, sizeof *v, cmp_fd);
	return v;
}

static const struct tfd *
fd_at(const struct tfd *fds, size_t n, long fd)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fds[i].fd == fd)
			return &fds[i];
	return NULL;
}

/* A pipe, or a FIFO still at its path: what a jobserver is made of. */
static bool
is_pipe(const struct tfd *f)
{
	struct stat st;

	if (strncmp(f->what, "pipe:[", 6) == 0)
		return true;
	return f->what[0] == '/' && stat(f->what, &st) == 0 &&
	    S_ISFIFO(st.st_mode) &&
	    (unsigned long long)st.st_dev == f->dev &&
	    (unsigned long long)st.st_ino == f->ino;
}

/*
 * Whether a name from why stands.  make exports MAKEFLAGS, with its
 * --jobserver-auth=R,W, to every recipe, so every descendant of a make
 * is told of R and W, whatever it holds there: a file some program
 * leaked onto 3 would pass for the jobserver.  A jobserver is one pipe's
 * two ends (or a FIFO opened twice): R and W must both have crossed, as
 * the same pipe.  The other names stand as they are: an argument is said
 * to this program alone, LISTEN_FDS counts only with LISTEN_PID its pid;
 * a variable such as APT_HOOK_INFO_FD is inherited as MAKEFLAGS is, but
 * says nothing of what its descriptor must be, so there is nothing to
 * check it against.
 */
static bool
name_stands(const char *why, const struct tfd *fds, size_t n)
{
	const char *p;
	const struct tfd *r, *w;
	char *end;
	long rfd, wfd;

	if ((p = strstr(why, "jobserver-auth=")) == NULL &&
	    (p = strstr(why, "jobserver-fds=")) == NULL)
		return true;
	p = strchr(p, '=') + 1;
	rfd = strtol(p, &end, 10);
	if (end == p || *end != ',')
		return false;
	p = end + 1;
	wfd = strtol(p, &end, 10);
	if (end == p || rfd == wfd)
		return false;
	r = fd_at(fds, n, rfd);
	w = fd_at(fds, n, wfd);
	return r != NULL && w != NULL && is_pipe(r) && is_pipe(w) &&
	    r->dev == w->dev && r->ino == w->ino;
}

/*
 * Whether a name is a variable of trace's own caller, passed down the tree
 * unchanged (BASH_XTRACEFD=3 in the user's shell, say): no program of the
 * tree said it, and CMD got no descriptor from the caller but 0-2 and
 * what --pass-fd/--map-fd gave, so whatever a descendant holds at that
 * number is not what the name speaks of.  make's jobserver is checked on
 * its own (name_stands), so that a traced sub-make keeps it.
 */
static bool
from_caller(const char *why, char **argv)
{
	extern char **environ;
	char **e;

	if (strstr(why, "jobserver-") != NULL)
		return false;
	for (e = argv; e != NULL && *e != NULL; e++)
		if (*e == why)
			return false;
	for (e = environ; e != NULL && *e != NULL; e++)
		if (strcmp(*e, why) == 0)
			return true;
	return false;
}

/* Names the fds the program was told of (fdnames_scan), where the name
 * stands. */
static void
name_fds(struct observer *o, struct tfd *fds, size_t n, char **argv,
    char **envp, long pid)
{
	struct fdname names[64];
	size_t k, i, got;

	if (n == 0)
		return;		/* nothing crossed: nothing to name */
	got = fdnames_scan(argv, envp, pid, names, 64);
	for (k = 0; k < got && k < 64; k++)
		for (i = 0; i < n; i++)
			if (fds[i].fd == names[k].fd && fds[i].named == NULL &&
			    name_stands(names[k].why, fds, n) &&
			    !from_caller(names[k].why, argv))
				fds[i].named = keep(o, names[k].why);
}

/*
 * For the child of a posix_spawn: which of the descriptors it got its
 * maker ppid holds too, at the same number, the same file, inheritable.
 * The spawn's record lists what was inheritable before the call; one
 * that another thread made while the call ran (after the record, before
 * the clone) is not listed, and would pass for a file action's.
 */
static void
mark_in_parent(long ppid, struct tfd *fds, size_t n)
{
	char path[64], buf[512], *p;
	unsigned long flags;
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "/proc/%ld/fd/%d", ppid,
		    fds[i].fd);
		if (stat(path, &st) != 0 ||
		    (unsigned long long)st.st_dev != fds[i].dev ||
		    (unsigned long long)st.st_ino != fds[i].ino)
			continue;
		snprintf(path, sizeof path, "/proc/%ld/fdinfo/%d", ppid,
		    fds[i].fd);
		if (pi_read_file(path, buf, sizeof buf) < 0 ||
		    (p = strstr(buf, "flags:")) == NULL)
			continue;
		flags = strtoul(p + 6, NULL, 8);
		fds[i].in_parent = (flags & O_CLOEXEC) == 0;
	}
}

/* pid has just exec'd (stopped at PTRACE_EVENT_EXEC): its start record. */
static void
snapshot(struct observer *o, long pid)
{
	struct task *p = proc_of(o, pid);
	char exe[PATH_MAX], link[64], *cmdline = NULL, *env = NULL,
	    *strs = NULL, **argv = NULL, **envp = NULL;
	ssize_t clen = -1, elen = -1, n;
	struct trec r;
	size_t i, envc = 0, alen = 0, slen = 0;
	int err = 0, secure = -1, dynamic = -1;
	bool want_argv;

	memset(&r, 0, sizeof r);
	r.ev = EV_START;
	r.kernel = true;
	r.pid = pid;
	r.ppid = p != NULL ? p->parent : 0;
	if (p != NULL) {
		r.from_exe = p->exe;
		r.from_noshim = p->noshim;
		r.spawned = p->spawned && !p->execd;
	}
	snprintf(link, sizeof link, "/proc/%ld/exe", pid);
	n = readlink(link, exe, sizeof exe - 1);
	if (n > 0)
		exe[n] = '\0';
	else
		strcpy(exe, "?");
	r.exe = exe;
	r.fds = read_fds(pid, &r.nfds, &err);
	if (r.spawned && r.ppid > 0 && r.nfds > 0)
		mark_in_parent(r.ppid, r.fds, r.nfds);
	/* argv is for the findings of a receiver: only one that received
	 * something needs it -- and busybox, whose applet (a shell, or
	 * tar...) says whether what it makes is a redirection. */
	want_argv = r.nfds > 0 || strcmp(trace_base(exe), "busybox") == 0;
	if (initial_stack(pid, &strs, &alen, &slen, &secure, &dynamic)) {
		if (want_argv)
			argv = split(strs, alen, &r.argc);
		envp = split(strs + alen, slen, &envc);
		elen = (ssize_t)slen;
	} else {
		if (want_argv && (cmdline = malloc(MAX_CMDLINE)) != NULL)
			clen = read_proc(pid, "cmdline", cmdline,
			    MAX_CMDLINE);
		if ((env = malloc(MAX_ENV)) != NULL)
			elen = read_proc(pid, "environ", env, MAX_ENV);
		if (clen >= 0)
			argv = split(cmdline, (size_t)clen, &r.argc);
		if (elen >= 0)
			envp = split(env, (size_t)elen, &envc);
		secure = at_secure(pid);
		dynamic = exe_dynamic(o, pid);
	}
	r.argv = (const char **)argv;
	if (err != 0 || elen < 0) {
		char why[160];

		snprintf(why, sizeof why, "its descriptors or environment "
		    "could not be read at its exec (/proc/%ld: %s)", pid,
		    strerror(err ? err : errno));
		gap(o, pid, exe, why);
	}
	r.noshim = why_no_shim(envp, o->shim, o->name, secure, dynamic);
	name_fds(o, r.fds, r.nfds, argv, envp, pid);
	if (trace_log_add(o->log, &r) != 0)
		o->nomem = true;
	if (p != NULL) {
		p->exe = keep(o, exe);
		p->noshim = keep(o, r.noshim);
		p->execd = true;
		p->spawn_logged = false;	/* a new program */
	}
	for (i = 0; i < r.nfds; i++)
		free((char *)r.fds[i].what);
	free(r.fds);
	free(argv);
	free(envp);
	free(cmdline);
	free(env);
	free(strs);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

static void
resume(long tid, int sig)
{
	(void)ptrace(PTRACE_CONT, (pid_t)tid, 0, (void *)(long)sig);
}

/* A field of /proc/TID/status ("Tgid", "PPid"), or dflt. */
static long
status_field(long tid, const char *name, long dflt)
{
	char path[64], buf[2048], key[16], *p;

	snprintf(path, sizeof path, "/proc/%ld/status", tid);
	snprintf(key, sizeof key, "\n%s:", name);
	if (pi_read_file(path, buf, sizeof buf) < 0 ||
	    (p = strstr(buf, key)) == NULL)
		return dflt;
	return strtol(p + strlen(key), NULL, 10);
}

/* tid's thread group, from /proc (a clone may make a thread). */
static long
tgid_of(long tid)
{
	return status_field(tid, "Tgid", tid);
}

/*
 * A task whose first stop came before its creator's fork or clone event
 * (waitpid's order is not the kernel's): its thread group and parent as
 * /proc has them, and the parent's program.
 */
static void
first_sight(struct observer *o, long tid)
{
	struct task *t = task_add(o, tid), *p;
	long same_vm;

	if (t == NULL)
		return;
	t->tgid = tgid_of(tid);
	if (t->tgid != tid)
		return;
	t->parent = status_field(tid, "PPid", 0);
	p = proc_of(o, t->parent);
	/* Stopped before it ran: it still shares its maker's memory if it
	 * was made so (vfork, posix_spawn), and it is that spawn's if its
	 * maker logged one.  Its maker's event, later, leaves this be --
	 * or decides, where kcmp cannot say (a kernel without it). */
	same_vm = t->parent > 0 ? syscall(SYS_kcmp, (pid_t)t->parent,
	    (pid_t)tid, KCMP_VM, 0, 0) : -1;
	if (same_vm >= 0) {
		t->spawn_known = true;
		t->spawned = same_vm == 0 && p != NULL && spawn_made(o, p);
		if (p != NULL)
			p->spawn_logged = false;	/* it made one */
	}
	if (p != NULL) {
		t->exe = p->exe;
		t->noshim = p->noshim;
	}
}

static void
on_new(struct observer *o, long tid, int ev)
{
	unsigned long msg = 0;
	struct task *child, *parent;
	long ptgid;

	if (ptrace(PTRACE_GETEVENTMSG, (pid_t)tid, 0, &msg) != 0 || msg == 0)
		return;
	parent = task_find(o, tid);
	ptgid = parent != NULL ? parent->tgid : tid;
	child = task_add(o, (long)msg);
	if (child == NULL)
		return;
	if (ev == PTRACE_EVENT_CLONE)
		child->tgid = tgid_of((long)msg);
	if (child->tgid == child->tid) {
		parent = task_find(o, ptgid);
		child->parent = ptgid;
		/* glibc's and musl's posix_spawn make the child with
		 * CLONE_VM|CLONE_VFORK: a fork is never one. */
		if (!child->spawn_known)
			child->spawned = ev != PTRACE_EVENT_FORK &&
			    parent != NULL && spawn_made(o, parent);
		child->spawn_known = true;
		if (parent != NULL)
			parent->spawn_logged = false;
		if (parent != NULL && !child->execd) {
			child->exe = parent->exe;
			child->noshim = parent->noshim;
		}
	}
}

static void
on_exec(struct observer *o, long pid)
{
	unsigned long old = 0;
	struct task *t;

	if (ptrace(PTRACE_GETEVENTMSG, (pid_t)pid, 0, &old) == 0 &&
	    (long)old != pid && (t = task_find(o, (long)old)) != NULL)
		t->alive = false;	/* a thread exec'd: it is pid now */
	t = task_add(o, pid);
	if (t != NULL)
		t->tgid = pid;
	/* The shim's exec record was sent before the execve: read it first,
	 * so that it precedes the start record in the log. */
	trace_obs_drain(o);
	snapshot(o, pid);
}

bool
trace_obs_event(struct observer *o, pid_t w, int status, int *root_status)
{
	struct task *t;
	int ev, sig;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		t = task_find(o, w);
		/* What it sent before it exited is queued: taken while its
		 * pid still counts as the tree's (in_tree). */
		if (t != NULL && t->alive && t->tgid == t->tid)
			trace_obs_drain(o);
		if (t != NULL)
			t->alive = false;
		else if (w != o->root)
			escaped(o, w);	/* an orphan, reparented here */
		if (w == o->root) {
			*root_status = status;
			return true;
		}
		return false;
	}
	if (!WIFSTOPPED(status))
		return false;
	if (task_find(o, w) == NULL)
		first_sight(o, w);	/* its fork event comes later */
	ev = (status >> 16) & 0xff;
	sig = WSTOPSIG(status);
	switch (ev) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		on_new(o, w, ev);
		resume(w, 0);
		break;
	case PTRACE_EVENT_EXEC:
		on_exec(o, w);
		resume(w, 0);
		break;
	case PTRACE_EVENT_STOP:
		/* A group-stop: stopped until SIGCONT, still traced. */
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
		    sig == SIGTTOU)
			(void)ptrace(PTRACE_LISTEN, w, 0, 0);
		else
			resume(w, 0);
		break;
	case 0:
		/* A signal-delivery-stop: the signal is delivered. */
		resume(w, sig);
		break;
	default:
		resume(w, 0);
		break;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */
/* ------------------------------------------------------------------ */

struct observer *
trace_obs_new(struct tlog *log, const char *shim)
{
	struct observer *o = calloc(1, sizeof *o);

	if (o == NULL)
		return NULL;
	o->log = log;
	o->shim = shim;
	o->lsock = -1;
	o->tcap = 256;
	o->t = calloc(o->tcap, sizeof *o->t);
	if (o->t == NULL || listen_channel(o) != 0) {
		int err = errno;

		trace_obs_free(o);
		errno = err;
		return NULL;
	}
	return o;
}

const char *
trace_obs_channel(const struct observer *o)
{
	return o->name;
}

int
trace_obs_seize(struct observer *o, pid_t pid, const char **why)
{
	struct task *t;
	char exe[PATH_MAX];
	ssize_t n;

	o->root = pid;
	*why = NULL;
	/* Orphans of the tree come to this process: the ancestry check
	 * holds for them, and one that escaped ptrace is reaped here. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (ptrace(PTRACE_SEIZE, pid, 0, (void *)(long)(PTRACE_O_TRACEFORK |
	    PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
	    PTRACE_O_TRACEEXEC)) == 0) {
		o->traced = true;
		o->log->kernel_starts = true;
		t = task_add(o, pid);
		n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = '\0';
		if (t != NULL)
			t->exe = keep(o, exe);
		return 0;
	}
	*why = strerror(errno);
	{
		char buf[256];

		snprintf(buf, sizeof buf, "ptrace refused (%s): execs are "
		    "seen only where the shim runs", *why);
		gap(o, pid, "the whole tree", buf);
	}
	return -1;
}

bool
trace_obs_traced(const struct observer *o)
{
	return o->traced;
}

/*
 * CMD has exited: the processes still traced are let go.  Each is
 * interrupted, waited for and detached, with the signal it was about to
 * get.  Returns how many were still running.
 */
size_t
trace_obs_release(struct observer *o)
{
	struct timespec t0, now;
	size_t i, n = 0, left = 0;
	int status, sig, ev;
	struct task *t;
	pid_t w;

	if (!o->traced)
		return 0;
	orphans(o);
	/*
	 * Every task still alive is asked to stop (PTRACE_INTERRUPT), then
	 * each stop that comes, whichever task it is from, is let go: never
	 * a wait for one task in particular, which could wait forever (a
	 * vfork parent does not stop before its child, itself held in a
	 * stop not yet seen, has exec'd).  A task made meanwhile (its first
	 * stop) is let go too.  What has not stopped within a second is let
	 * go by the kernel when this process exits.
	 */
	for (i = 0; i < o->tcap; i++) {
		t = &o->t[i];
		if (t->tid == 0 || !t->alive || t->tid == o->root)
			continue;
		if (ptrace(PTRACE_INTERRUPT, (pid_t)t->tid, 0, 0) != 0) {
			t->alive = false;
			continue;
		}
		if (t->tgid == t->tid)
			n++;
		left++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (left > 0) {
		w = waitpid(-1, &status, __WALL | WNOHANG);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;		/* no tracee left at all */
		if (w == 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((now.tv_sec - t0.tv_sec) * 1000 +
			    (now.tv_nsec - t0.tv_nsec) / 1000000 >= 1000)
				break;
			(void)poll(NULL, 0, 1);
			continue;
		}
		t = task_find(o, w);
		if (t != NULL && t->alive) {
			t->alive = false;
			left--;
		}
		if (!WIFSTOPPED(status))
			continue;	/* gone */
		ev = (status >> 16) & 0xff;
		sig = ev == 0 ? WSTOPSIG(status) : 0;
		(void)ptrace(PTRACE_DETACH, w, 0, (void *)(long)sig);
	}
	return n;
}

size_t
trace_obs_gaps(const struct observer *o, const struct tgap **v)
{
	*v = o->gaps;
	return o->ngaps;
}

size_t
trace_obs_rejected(const struct observer *o)
{
	return o->rejected;
}

bool
trace_obs_nomem(const struct observer *o)
{
	return o->nomem;
}

void
trace_obs_free(struct observer *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nconns; i++)
		close(o->conns[i]);
	if (o->lsock >= 0)
		close(o->lsock);
	free(o->t);
	free(o->gaps);
	jarena_free(&o->mem);
	free(o);
}
