/*
 * seccomp.c - whether the trace channel's system calls are safe in this
 * process, under the seccomp filters it may have installed (log.c asks
 * before each record).
 *
 * Like log.c, this runs in exec hooks, possibly in a vfork child: only the
 * stack and raw system calls.
 */
#include "shim.h"

#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "sys.h"

/*
 * Whether the channel's calls are safe here.  A program that filters its
 * own system calls with seccomp may kill itself on socket(2), connect(2),
 * getsockopt(2) or send(2) (SECCOMP_RET_KILL_PROCESS), none of which it
 * makes: the shim must not make them for it.  A filter that refuses them
 * (EPERM, as container profiles and man-db's do) only costs the records.
 * Which a filter does cannot be read (PTRACE_SECCOMP_GET_FILTER needs
 * CAP_SYS_ADMIN), so a child tries the calls first: killed, this process
 * sends no record (ptrace still sees its execs and what crossed them; the
 * origin is lost, and the report says so).  A filter cannot be removed,
 * only added, so the answer holds while the number of filters
 * ("Seccomp_filters:" in /proc/thread-self/status, Linux 5.9) stays the
 * same; where that number is not shown, each record asks again.  These
 * are plain words in memory that a vfork child may share with its parent:
 * it can only make the parent ask again, or send nothing.
 */
#define FILTERS_UNKNOWN (-1L)
static volatile long chan_safe_filters = -2;	/* none asked yet */
static volatile int chan_unsafe;

struct seccomp_state {
	int mode;		/* 0 none, 1 strict, 2 filter; -1 unknown */
	long filters;		/* or FILTERS_UNKNOWN */
};

static long
status_value(const char *line, const char *key)
{
	size_t n = strlen(key);
	const char *p;
	long v;

	if (strncmp(line, key, n) != 0)
		return -1;
	for (p = line + n; *p == ' ' || *p == '\t'; p++)
		;
	if (*p < '0' || *p > '9')
		return -1;
	for (v = 0; *p >= '0' && *p <= '9' && v < 100000000; p++)
		v = v * 10 + (*p - '0');
	return v;
}

/* The Seccomp lines of a status file; false if it cannot be read. */
static bool
status_seccomp(const char *path, struct seccomp_state *st)
{
	char buf[256], line[40];
	size_t len = 0;
	ssize_t n;
	int fd = sys_open(path, O_RDONLY | O_CLOEXEC, 0);

	st->mode = 0;		/* no such line: a kernel without seccomp */
	st->filters = FILTERS_UNKNOWN;
	if (fd < 0)
		return false;
	while ((n = sys_read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			long v;

			if (buf[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			len = 0;
			if ((v = status_value(line, "Seccomp:")) >= 0)
				st->mode = (int)v;
			else if ((v = status_value(line,
			    "Seccomp_filters:")) >= 0)
				st->filters = v;
		}
	}
	sys_close(fd);
	return n == 0;
}

static void
seccomp_state(struct seccomp_state *st)
{
	if (status_seccomp("/proc/thread-self/status", st) ||
	    status_seccomp("/proc/self/status", st))
		return;
	/* No /proc: prctl, which only strict mode kills for (and a
	 * filter may refuse: then there is one). */
	st->mode = (int)syscall(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0);
	if (st->mode < 0)
		st->mode = errno == EINVAL ? 0 : 2;
}

/*
 * The child: the channel's calls, in chan_connect's order, against an
 * address no one listens on (the tool is not to see it), then its end.
 * No core file if a filter kills it.
 */
static void __attribute__((noreturn))
probe_child(void)
{
	static const char name[] = "noinherit-probe";
	struct sockaddr_un a;
	struct rlimit no_core = { 0, 0 };
	struct ucred cr;
	unsigned len = sizeof(cr);
	int fd;

	syscall(SYS_prlimit64, 0, RLIMIT_CORE, &no_core, NULL);
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path + 1, name, sizeof(name) - 1);
	fd = sys_socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = sys_socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd >= 0) {
		sys_fcntl(fd, F_SETFD, FD_CLOEXEC);
		sys_connect(fd, &a, (unsigned)(offsetof(struct sockaddr_un,
		    sun_path) + sizeof(name)));
		sys_getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len);
		sys_send(fd, "", 0, MSG_NOSIGNAL);
		sys_close(fd);
	}
	syscall(SYS_exit_group, 0);
	for (;;)
		;
}

/*
 * Whether the child lived.  A raw clone, so that no atfork handler runs;
 * no exit signal, so that the program's SIGCHLD handler and wait(-1)
 * never see it (only __WALL does).  The clone itself is the one call
 * made here that the program may not make: a filter that kills on
 * clone(2) yet lets the program exec or spawn would still be tripped (a
 * known limit: no way to ask a filter without calling is known).
 */
static bool
probe_survives(void)
{
	long pid = syscall(SYS_clone, 0L, NULL, NULL, NULL, 0L);
	int st;

	if (pid == 0)
		probe_child();
	if (pid < 0)
		return false;
	while (syscall(SYS_wait4, pid, &st, __WALL, NULL) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

bool
shim_chan_safe(void)
{
	struct seccomp_state st;

	if (chan_unsafe)
		return false;
	seccomp_state(&st);
	if (st.mode == 0)
		return true;
	if (st.mode != 2) {		/* strict: read, write, exit */
		chan_unsafe = 1;
		return false;
	}
	if (st.filters != FILTERS_UNKNOWN && chan_safe_filters == st.filters)
		return true;
	if (!probe_survives()) {
		chan_unsafe = 1;
		return false;
	}
	chan_safe_filters = st.filters;
	return true;
}
