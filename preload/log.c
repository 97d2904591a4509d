/*
 * log.c - trace mode's records (FORMAT.md): `start`, written by the
 * constructor, and `exec`, written by the exec and spawn hooks just before
 * the real call.
 *
 * This runs in exec hooks, so possibly in a vfork child sharing its
 * parent's memory: everything is on the stack, every system call raw, and
 * nothing here writes to shim_g (the channel's address is read once, by
 * the constructor).  A record is one line, sent as one message on its own
 * connection to the tool, and less than 4 KiB (REC_MAX): long strings are cut
 * (CUT_*), backtraces lose their last frames when an entry would not fit,
 * and the fds of one start or exec that do not fit in one record go on in
 * more records with the same common fields and "part":2, 3...
 */
#include "shim.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "json.h"
#include "sys.h"

#define REC_MAX 4096		/* a record, its newline included */
#define REC_TAIL 3		/* "]}\n" */

/* Budgets, in output bytes, of the strings that are cut. */
#define CUT_EXE 384
#define CUT_TARGET 384
#define CUT_ARG 256
#define CUT_ARGV 1024		/* the "argv" array as a whole */
#define CUT_WHAT 320
#define CUT_OBJ 240
#define CUT_SYM 160

struct rec {
	struct jbuf b;
	size_t head;		/* the common part, up to "fds" */
	int part;
	int count;		/* fds in this part */
	bool exec;		/* only inheritable fds, with their origin */
	char mem[REC_MAX];
};

/* ------------------------------------------------------------------ */
/* the channel                                                         */
/* ------------------------------------------------------------------ */

/*
 * NOINHERIT_LOG is "@NAME": an abstract AF_UNIX SOCK_SEQPACKET socket that
 * the tool listens on, NAME = "noinherit-trace.UID.PID.RANDOM" (FORMAT.md).
 * Each record is one connection: connect, check with SO_PEERCRED that the
 * listener is process PID of user UID (the tool itself, which cannot be
 * anyone else while it lives), one send, close.  Nothing is created in the
 * file system, nothing can be read by others, and once the tool has exited
 * a name bound by anyone else fails the check: nothing is sent.
 */
static struct sockaddr_un chan_addr;
static unsigned chan_len;
static long chan_uid = -1, chan_pid = -1;

static long
parse_num(const char **p)
{
	long v = 0;

	if (**p < '0' || **p > '9')
		return -1;
	while (**p >= '0' && **p <= '9') {
		if (v > 100000000000L)
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	return v;
}

/* Reads "@noinherit-trace.UID.PID.RANDOM" into the address; 0 or -1. */
static int
chan_parse(const char *spec)
{
	static const char prefix[] = "noinherit-trace.";
	const char *p;
	size_t n;

	if (spec[0] != '@')
		return -1;
	spec++;
	n = strlen(spec);
	if (n == 0 || n >= sizeof(chan_addr.sun_path) ||
	    strncmp(spec, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	p = spec + sizeof(prefix) - 1;
	chan_uid = parse_num(&p);
	if (chan_uid < 0 || *p++ != '.')
		return -1;
	chan_pid = parse_num(&p);
	if (chan_pid <= 0 || *p != '.')
		return -1;
	memset(&chan_addr, 0, sizeof(chan_addr));
	chan_addr.sun_family = AF_UNIX;
	memcpy(chan_addr.sun_path + 1, spec, n);	/* sun_path[0] = 0 */
	chan_len = (unsigned)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	return 0;
}

/*
 * A connection to the tool, close-on-exec, checked; -1 if there is none.
 * SOCK_CLOEXEC refused (an old kernel, a seccomp profile): the plain
 * socket, then the flag.
 */
static int
chan_connect(void)
{
	struct ucred cr;
	unsigned len = sizeof(cr);
	int fd;

	if (chan_len == 0 || !shim_chan_safe())
		return -1;
	fd = sys_socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 && (errno == EINVAL || errno == EPERM || errno == EACCES)) {
		fd = sys_socket(AF_UNIX, SOCK_SEQPACKET, 0);
		if (fd >= 0 && sys_fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
			sys_close(fd);
			return -1;
		}
	}
	if (fd < 0)
		return -1;
	while (sys_connect(fd, &chan_addr, chan_len) != 0) {
		if (errno != EINTR) {
			sys_close(fd);
			return -1;
		}
	}
	/* Only the tool's own pid, never 0.  0 is any listener outside this
	 * process's pid namespace: the tool when the tree runs under
	 * `unshare -p`, but also whoever binds the name once the tool has
	 * exited (the name is in every survivor's environment), and its uid
	 * says little where the user namespace differs.  Such a tree sends
	 * no record: ptrace still sees its execs and what crossed them. */
	if (sys_getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 ||
	    (long)cr.pid != chan_pid || (long)cr.uid != chan_uid) {
		sys_close(fd);
		return -1;
	}
	return fd;
}

/* Whether the channel's name is well-formed and, if probe, the tool is
 * there to receive records (the constructor asks). */
int
shim_log_open(bool probe)
{
	int fd;

	if (chan_parse(shim_g.log_path) != 0)
		return -1;
	if (!probe)
		return 0;
	fd = chan_connect();
	if (fd < 0)
		return -1;
	sys_close(fd);
	return 0;
}

/* One record: one connection, one message (no descriptor is kept). */
static void
log_write(const char *buf, size_t len)
{
	int fd = chan_connect();

	if (fd < 0)
		return;
	while (sys_send(fd, buf, len, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
	sys_close(fd);
}

/* ------------------------------------------------------------------ */
/* descriptors                                                         */
/* ------------------------------------------------------------------ */

struct dirent64_raw {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

typedef void fd_fn(int fd, struct rec *r);

static int
parse_fd(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return (int)v;
}

/* Calls fn for every open fd, in increasing order. */
static void
each_fd(fd_fn *fn, struct rec *r)
{
	char buf[1024];
	int dir = sys_open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC,
	    0);
	long n;

	if (dir < 0) {
		/* No /proc: ask every number up to the limit (capped). */
		struct rlimit rl;
		long max = SHIM_TABLE_FDS;

		if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) == 0 &&
		    rl.rlim_cur < (rlim_t)max)
			max = (long)rl.rlim_cur;
		for (int fd = 0; fd < max; fd++)
			if (sys_fcntl(fd, F_GETFD, 0) >= 0)
				fn(fd, r);
		return;
	}
	while ((n = sys_getdents64(dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64_raw *d = (void *)(buf + off);
			int fd = parse_fd(d->d_name);

			off += d->d_reclen;
			if (fd >= 0 && fd != dir)
				fn(fd, r);
		}
	}
	sys_close(dir);
}

void
shim_proc_fd_path(char out[32], int fd)
{
	char digits[12];
	int i = 0;

	memcpy(out, "/proc/self/fd/", 14);
	do {
		digits[i++] = (char)('0' + fd % 10);
		fd /= 10;
	} while (fd != 0);
	for (int j = 0; j < i; j++)
		out[14 + j] = digits[i - 1 - j];
	out[14 + i] = '\0';
}

/* ------------------------------------------------------------------ */
/* records                                                             */
/* ------------------------------------------------------------------ */

static void
rec_common(struct rec *r, const char *ev)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	jb_init(&r->b, r->mem, REC_MAX);
	jb_raw(&r->b, "{\"ev\":\"");
	jb_raw(&r->b, ev);
	jb_raw(&r->b, "\",\"pid\":");
	jb_i64(&r->b, sys_getpid());
	jb_raw(&r->b, ",\"ppid\":");
	jb_i64(&r->b, sys_getppid());
	jb_raw(&r->b, ",\"exe\":");
	jb_cstr(&r->b, shim_exe(), CUT_EXE);
	jb_raw(&r->b, ",\"t\":");
	jb_u64(&r->b, (unsigned long long)ts.tv_sec * 1000000000ull +
	    (unsigned long long)ts.tv_nsec);
}

/* One argument more, unless the array's budget is spent. */
static bool
rec_arg(struct rec *r, size_t start, int i, const char *s, size_t n)
{
	size_t mark = r->b.len;

	if (i > 0)
		jb_raw(&r->b, ",");
	jb_str(&r->b, s, n, CUT_ARG);
	if (r->b.full || r->b.len - start > CUT_ARGV) {
		jb_rollback(&r->b, mark);
		return false;
	}
	return true;
}

static void
rec_argv(struct rec *r, char *const argv[])
{
	size_t start;

	jb_raw(&r->b, ",\"argv\":[");
	start = r->b.len;
	for (int i = 0; argv != NULL && argv[i] != NULL; i++)
		if (!rec_arg(r, start, i, argv[i], strlen(argv[i])))
			break;
	jb_raw(&r->b, "],");
}

static void
rec_cmdline(struct rec *r)
{
	const char *p = shim_g.cmdline, *end = p + shim_g.cmdline_len;
	size_t start;

	jb_raw(&r->b, ",\"argv\":[");
	start = r->b.len;
	for (int i = 0; p < end; i++) {
		size_t n = strnlen(p, (size_t)(end - p));

		if (!rec_arg(r, start, i, p, n))
			break;
		p += n + 1;
	}
	jb_raw(&r->b, "],");
}

static void
rec_part(struct rec *r)
{
	jb_rollback(&r->b, r->head);
	if (r->part > 1) {
		jb_raw(&r->b, "\"part\":");
		jb_i64(&r->b, r->part);
		jb_raw(&r->b, ",");
	}
	jb_raw(&r->b, "\"fds\":[");
	r->count = 0;
}

static void
rec_begin(struct rec *r)
{
	r->head = r->b.len;
	r->part = 1;
	rec_part(r);
}

static void
rec_flush(struct rec *r)
{
	r->b.cap = REC_MAX;	/* the tail was kept free */
	jb_raw(&r->b, "]}\n");
	log_write(r->b.p, r->b.len);
}

static void
rec_add(struct rec *r, const char *entry, size_t len)
{
	r->b.cap = REC_MAX - REC_TAIL;
	if (len + 1 > r->b.cap - r->b.len && r->count > 0) {
		rec_flush(r);
		r->part++;
		rec_part(r);
		r->b.cap = REC_MAX - REC_TAIL;
	}
	if (len + 1 > r->b.cap - r->b.len)
		return;		/* cannot happen: entries are sized to fit */
	if (r->count++ > 0)
		jb_raw(&r->b, ",");
	jb_mem(&r->b, entry, len);
}

/* ------------------------------------------------------------------ */
/* one descriptor                                                      */
/* ------------------------------------------------------------------ */

static void
frame_json(struct jbuf *e, void *addr)
{
	uintptr_t a = (uintptr_t)addr, base = 0;
	const char *obj = "";
	Dl_info di;

	/* addr is a return address: the call is the byte before it. */
	if (dladdr((char *)addr - 1, &di) != 0 && di.dli_fname != NULL) {
		base = (uintptr_t)di.dli_fbase;
		obj = di.dli_fname;
		if (base == shim_g.main_base || obj[0] == '\0')
			obj = shim_exe();	/* dladdr says argv[0] */
	} else {
		di.dli_sname = NULL;
	}
	jb_raw(e, "{\"obj\":");
	jb_cstr(e, obj, CUT_OBJ);
	jb_raw(e, ",\"off\":");
	jb_hex(e, a - base);
	if (di.dli_sname != NULL) {
		jb_raw(e, ",\"sym\":");
		jb_cstr(e, di.dli_sname, CUT_SYM);
	}
	jb_raw(e, "}");
}

static void
origin_json(struct jbuf *e, struct shim_origin *o)
{
	jb_raw(e, ",\"made_by\":\"");
	jb_raw(e, o->made_by);
	jb_raw(e, "\",\"made_pid\":");
	jb_i64(e, o->made_pid);
	if (o->inh_by != NULL) {
		jb_raw(e, ",\"inheritable_by\":\"");
		jb_raw(e, o->inh_by);
		jb_raw(e, "\"");
	}
	jb_raw(e, ",\"bt\":[");
	for (int i = 0; i < o->nframes && !e->full; i++) {
		size_t mark = e->len;

		if (i > 0)
			jb_raw(e, ",");
		frame_json(e, o->frames[i]);
		if (e->full)
			jb_rollback(e, mark);	/* and stop: no room */
		if (e->len == mark)
			break;
	}
}

/* The FD object of fd (FD+ORIGIN in an exec record); 0 if fd is gone. */
static size_t
fd_entry(char *mem, size_t cap, int fd, bool exec)
{
	char path[32], what[CUT_WHAT + 64];
	struct shim_origin o;
	struct jbuf e;
	struct stat st;
	ssize_t n;
	size_t mark;

	if (sys_fstat(fd, &st) != 0)
		return 0;
	shim_proc_fd_path(path, fd);
	n = sys_readlink(path, what, sizeof(what));
	jb_init(&e, mem, cap - 1);	/* the closing brace always fits */
	jb_raw(&e, "{\"fd\":");
	jb_i64(&e, fd);
	jb_raw(&e, ",\"dev\":");
	jb_u64(&e, (unsigned long long)st.st_dev);
	jb_raw(&e, ",\"ino\":");
	jb_u64(&e, (unsigned long long)st.st_ino);
	jb_raw(&e, ",\"what\":");
	jb_str(&e, what, n > 0 ? (size_t)n : 0, CUT_WHAT);
	if (e.full)
		return 0;
	mark = e.len;
	if (exec && shim_origin_get(fd, &st, &o)) {
		e.cap = cap - 2;	/* the bt array's bracket fits too */
		origin_json(&e, &o);
		e.cap = cap - 1;
		if (e.full)
			jb_rollback(&e, mark);	/* not even made_by fits */
		else
			jb_raw(&e, "]");
	}
	e.cap = cap;
	jb_raw(&e, "}");
	return e.len;
}

static void
add_fd(int fd, struct rec *r)
{
	char entry[REC_MAX];
	/* What a part leaves after its head, "part":N, "fds":[ and a comma. */
	size_t cap = REC_MAX - REC_TAIL - r->head - 32;
	size_t len;

	if (fd <= 2)
		return;
	if (r->exec) {
		int fl = sys_fcntl(fd, F_GETFD, 0);

		if (fl < 0 || (fl & FD_CLOEXEC))
			return;		/* this exec does not pass it on */
	}
	len = fd_entry(entry, cap, fd, r->exec);
	if (len > 0)
		rec_add(r, entry, len);
}

/* ------------------------------------------------------------------ */
/* the two records                                                     */
/* ------------------------------------------------------------------ */

/* What arrived: every fd beyond 0-2, whatever its flag (the constructor
 * runs before the program has made any). */
void
shim_start_record(void)
{
	struct rec r;

	rec_common(&r, "start");
	rec_cmdline(&r);
	rec_begin(&r);
	r.exec = false;
	each_fd(add_fd, &r);
	rec_flush(&r);
}

static bool
exec_in_place(const char *call)
{
	return (call[0] == 'e' && call[1] == 'x' && call[2] == 'e' &&
	    call[3] == 'c') || strcmp(call, "fexecve") == 0;
}

void
shim_exec_record(const char *call, const char *target, char *const argv[])
{
	int saved = shim_busy_enter();
	struct rec r;

	rec_common(&r, "exec");
	jb_raw(&r.b, ",\"call\":\"");
	jb_raw(&r.b, call);
	jb_raw(&r.b, "\",\"target\":");
	jb_cstr(&r.b, target != NULL ? target : "", CUT_TARGET);
	rec_argv(&r, argv);
	rec_begin(&r);
	r.exec = true;
	each_fd(add_fd, &r);
	/* An exec in place that passes nothing on has nothing to pair (the
	 * tool knows the new program from its own start record): one
	 * connection saved per exec.  A spawn's record is kept: a file action
	 * may put a descriptor in the child that this one does not list. */
	if (r.part > 1 || r.count > 0 || !exec_in_place(call))
		rec_flush(&r);
	shim_busy_leave(saved);
}

/*
 * A posix_spawn whose record was sent returned an error: the record said
 * the process's next child would be that spawn's, and there may be no such
 * child (glibc fails before its clone when the child's stack cannot be
 * mapped).  An exec record of call "failed-" and the spawn's name, with no
 * fds, is then the latest: the tool no longer takes a later vfork child
 * that execs on its own for the spawn's, whose file actions would excuse
 * what crossed (tools/trace_ptrace.c, spawn_made).  The name must not
 * start with "posix_spawn" (trace_is_spawn).
 */
void
shim_spawn_failed_record(const char *call)
{
	int saved = shim_busy_enter();
	struct rec r;

	rec_common(&r, "exec");
	jb_raw(&r.b, ",\"call\":\"failed-");
	jb_raw(&r.b, call);
	jb_raw(&r.b, "\",\"target\":\"\"");
	rec_argv(&r, NULL);
	rec_begin(&r);
	rec_flush(&r);
	shim_busy_leave(saved);
}
