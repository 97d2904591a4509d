/*
 * reporter - the one child every test execs to see what a program really
 * receives across execve() (the library's tests, `noinherit exec`'s,
 * ni_spawn's and ni_exec's, the shim's end-to-end tests), and what it runs
 * with.
 *
 *   reporter [TAG] [--out FILE] [--write N]... [--write-std] [--echo]
 *            [--wait-stdin] [--read-fd N] [--env NAME]... [--exit N]
 *            [-- ARG...]
 *
 * It looks before it does anything that could change what it looks at:
 * first the open descriptors (fdscan, before any other descriptor exists),
 * then the signal dispositions (sigaction queries: it installs no handler
 * of its own, ever), its mask and pending set, and, where /proc can be
 * read, the kernel's own SigIgn/SigCgt/SigBlk lines as a cross-check.
 * Then it acts, in the order given: --write N writes "to-N\n" into its fd
 * N; --write-std the same into each of 0, 1 and 2 that is open; --echo
 * reads one line from fd 0 and writes "echo:LINE" to fd 1; --wait-stdin
 * reads fd 0 to end of file; --read-fd N copies what can be read from fd N
 * to fd 1 (status 1 if it cannot: not received).  Last it writes its
 * report, in one write, to stdout or to FILE (created O_EXCL: never a
 * stale report).  One format, one fact per line:
 *
 *	reporter TAG: fds 0 1 2 5   the descriptors received (open, and
 *	                            inheritable: a close-on-exec one was made
 *	                            here after the exec, as by a preloaded
 *	                            shim), ascending; TAG "-" when none given
 *	fd N DEV INO CLOEXEC TEXT TARGET   one per open descriptor, ascending
 *	pid P / ppid P / pgid P / sid P / umask 0OOO / cwd PATH
 *	ign HEX / cgt HEX / blk HEX / pnd HEX   bit (S - 1) for signal S
 *	proc_ign HEX / proc_cgt HEX / proc_blk HEX   (only with /proc)
 *	argc N / argv I TEXT / envc N / env NAME=VALUE or env NAME (unset)
 *	end
 *
 * TEXT of an fd is the first line of a regular file (pread at 0, at most
 * 63 bytes, no space), or "-"; TARGET what /proc/self/fd/N links to
 * (socket:[INO], pipe:[INO], a path), or "-" without /proc.  Every
 * argument is reported (argv 0 .. argc-1), options included; "--" only
 * ends the options.  Exit status: N of --exit (default 0), 1 when
 * --read-fd could not read, or 100 if anything else failed.  No stdio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdscan.h"

#define FAIL 100
#define NOREAD 1	/* --read-fd: not received */

extern char **environ;

static unsigned long long
bit(int sig)
{
	return 1ull << (sig - 1);
}

struct sigs {
	unsigned long long ign, cgt, blk, pnd;
	char proc_ign[32], proc_cgt[32], proc_blk[32];
};

/* Dispositions by query only: installing nothing keeps what we saw. */
static int
look_signals(struct sigs *s)
{
	sigset_t blk, pnd;
	int sig;

	memset(s, 0, sizeof *s);
	if (sigprocmask(SIG_BLOCK, NULL, &blk) != 0 || sigpending(&pnd) != 0)
		return -1;
	for (sig = 1; sig <= 64; sig++) {
		struct sigaction sa;

		/* glibc refuses its two internal signals (32, 33): EINVAL. */
		if (sigaction(sig, NULL, &sa) == 0) {
			if (sa.sa_handler == SIG_IGN)
				s->ign |= bit(sig);
			else if (sa.sa_handler != SIG_DFL)
				s->cgt |= bit(sig);
		}
		if (sigismember(&blk, sig) == 1)
			s->blk |= bit(sig);
		if (sigismember(&pnd, sig) == 1)
			s->pnd |= bit(sig);
	}
	return 0;
}

/* The hex value after "KEY:\t" in /proc/self/status, or "" if absent. */
static void
status_field(const char *status, const char *key, char out[32])
{
	const char *p = strstr(status, key);
	size_t n = 0;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(key);
	while (*p == '\t' || *p == ' ')
		p++;
	while (n < 31 && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
		out[n++] = *p++;
	out[n] = '\0';
}

static void
look_proc(struct sigs *s)
{
	char buf[8192];
	ssize_t n, len = 0;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;	/* /proc hidden: the syscall view only */
	while (len < (ssize_t)sizeof buf - 1 &&
	    (n = read(fd, buf + len, sizeof buf - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	status_field(buf, "\nSigIgn:", s->proc_ign);
	status_field(buf, "\nSigCgt:", s->proc_cgt);
	status_field(buf, "\nSigBlk:", s->proc_blk);
}

static int
write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The report, built in memory and written at once: children that share
 * a stdout (a shell's, a pipe's) never interleave their lines. */
static struct {
	char *buf;
	size_t len, cap;
} rep;

/* One formatted line into the report; sets *rc on failure. */
static void
say(int *rc, const char *fmt, ...)
{
	char line[PATH_MAX + 256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line) {
		*rc = FAIL;
		return;
	}
	if (rep.len + (size_t)n > rep.cap) {
		size_t cap = rep.cap ? 2 * rep.cap : 8192;
		char *b;

		while (cap < rep.len + (size_t)n)
			cap *= 2;
		if ((b = realloc(rep.buf, cap)) == NULL) {
			*rc = FAIL;
			return;
		}
		rep.buf = b;
		rep.cap = cap;
	}
	memcpy(rep.buf + rep.len, line, (size_t)n);
	rep.len += (size_t)n;
}

static void
first_line(int fd, const struct stat *st, char text[64])
{
	ssize_t n;
	char *nl;

	strcpy(text, "-");
	if (!S_ISREG(st->st_mode) || (n = pread(fd, text, 63, 0)) <= 0) {
		strcpy(text, "-");
		return;
	}
	text[n] = '\0';
	if ((nl = strchr(text, '\n')) != NULL)
		*nl = '\0';
	if (text[0] == '\0' || strchr(text, ' ') != NULL)
		strcpy(text, "-");
}

/* The summary line: the received descriptors (open, inheritable). */
static void
report_received(const char *tag, const struct fdscan *l, const int *flags,
    int *rc)
{
	size_t i;

	say(rc, "reporter %s: fds", tag);
	for (i = 0; i < l->n; i++)
		if (flags[i] >= 0 && !(flags[i] & FD_CLOEXEC))
			say(rc, " %d", l->v[i]);
	say(rc, "\n");
}

static void
report_fds(const struct fdscan *l, const int *flags, int *rc)
{
	char text[64], path[64], target[PATH_MAX];
	struct stat st;
	ssize_t len;
	size_t i;

	for (i = 0; i < l->n; i++) {
		int fd = l->v[i];

		if (flags[i] == -1 || fstat(fd, &st) != 0) {
			*rc = FAIL;
			continue;
		}
		first_line(fd, &st, text);
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof target - 1);
		if (len <= 0)
			strcpy(target, "-");
		else
			target[len] = '\0';
		say(rc, "fd %d %llu %llu %d %s %s\n", fd,
		    (unsigned long long)st.st_dev,
		    (unsigned long long)st.st_ino, (flags[i] & FD_CLOEXEC) != 0,
		    text, target);
	}
}

static int
echo(void)
{
	char line[256] = "echo:";
	size_t len = 5;

	while (len < sizeof line - 1) {
		ssize_t n = read(0, line + len, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1)
			return -1;
		if (line[len++] == '\n')
			break;
	}
	return write_all(1, line, len);
}

static int
wait_stdin(void)
{
	char buf[256];
	ssize_t n;

	while ((n = read(0, buf, sizeof buf)) != 0)
		if (n < 0 && errno != EINTR)
			return -1;
	return 0;
}

/* --read-fd: fd's contents to fd 1; 0, NOREAD if fd cannot be read. */
static int
read_fd(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NOREAD;
		if (write_all(1, buf, (size_t)n) != 0)
			return FAIL;
	}
	return 0;
}

/* "to-N\n" into fd. */
static int
write_to(int fd)
{
	char buf[32];

	snprintf(buf, sizeof buf, "to-%d\n", fd);
	return write_all(fd, buf, strlen(buf));
}

int
main(int argc, char **argv)
{
	struct fdscan l = { NULL, 0, 0 };
	struct sigs s;
	const char *envs[16], *tag = "-", *outpath = NULL;
	char cwd[PATH_MAX];
	int i, out = 1, nenv = 0, status = 0, rc = 0, envc = 0, *flags;
	mode_t mask;
	bool opts = true;
	size_t k;

	/* Descriptors first: nothing else is open yet. */
	if (fdscan(&l) != 0)
		return FAIL;
	flags = malloc((l.n + 1) * sizeof *flags);
	if (flags == NULL || look_signals(&s) != 0)
		return FAIL;
	for (k = 0; k < l.n; k++)
		flags[k] = fcntl(l.v[k], F_GETFD);
	look_proc(&s);
	mask = umask(0);
	umask(mask);
	if (getcwd(cwd, sizeof cwd) == NULL)
		strcpy(cwd, "?");

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = 0;

		if (!opts)
			continue;
		if (strcmp(a, "--") == 0) {
			opts = false;
		} else if (i == 1 && strncmp(a, "--", 2) != 0) {
			tag = a;
		} else if (strcmp(a, "--out") == 0 && i + 1 < argc) {
			outpath = argv[++i];
		} else if (strcmp(a, "--write") == 0 && i + 1 < argc) {
			if (write_to(atoi(argv[++i])) != 0)
				rc = FAIL;
		} else if (strcmp(a, "--write-std") == 0) {
			int fd;

			for (fd = 0; fd <= 2; fd++)
				if (fcntl(fd, F_GETFD) != -1 && write_to(fd) != 0)
					rc = FAIL;
		} else if (strcmp(a, "--echo") == 0) {
			if (echo() != 0)
				rc = FAIL;
		} else if (strcmp(a, "--wait-stdin") == 0) {
			if (wait_stdin() != 0)
				rc = FAIL;
		} else if (strcmp(a, "--read-fd") == 0 && i + 1 < argc) {
			if ((r = read_fd(atoi(argv[++i]))) != 0 && rc == 0)
				rc = r;
		} else if (strcmp(a, "--env") == 0 && i + 1 < argc) {
			if (nenv < 16)
				envs[nenv++] = argv[++i];
		} else if (strcmp(a, "--exit") == 0 && i + 1 < argc) {
			status = atoi(argv[++i]);
		} else {
			rc = FAIL;
		}
	}

	report_received(tag, &l, flags, &rc);
	report_fds(&l, flags, &rc);
	say(&rc, "pid %ld\nppid %ld\npgid %ld\nsid %ld\n", (long)getpid(),
	    (long)getppid(), (long)getpgid(0), (long)getsid(0));
	say(&rc, "umask %04o\ncwd %s\n", (unsigned)mask, cwd);
	say(&rc, "ign %llx\ncgt %llx\nblk %llx\npnd %llx\n", s.ign, s.cgt,
	    s.blk, s.pnd);
	if (s.proc_ign[0] != '\0')
		say(&rc, "proc_ign %s\nproc_cgt %s\nproc_blk %s\n",
		    s.proc_ign, s.proc_cgt, s.proc_blk);
	say(&rc, "argc %d\n", argc);
	for (i = 0; i < argc; i++)
		say(&rc, "argv %d %s\n", i, argv[i]);
	while (environ != NULL && environ[envc] != NULL)
		envc++;
	say(&rc, "envc %d\n", envc);
	for (i = 0; i < nenv; i++) {
		const char *v = getenv(envs[i]);

		if (v != NULL)
			say(&rc, "env %s=%s\n", envs[i], v);
		else
			say(&rc, "env %s\n", envs[i]);
	}
	say(&rc, "end\n");
	if (outpath != NULL) {
		out = open(outpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
		if (out < 0)
			return FAIL;
	}
	if (write_all(out, rep.buf, rep.len) != 0 ||
	    (outpath != NULL && close(out) != 0))
		rc = FAIL;
	free(rep.buf);
	free(flags);
	fdscan_free(&l);
	return rc != 0 ? rc : status;
}
