/*
 * spawnchild - the program the ni_spawn tests start: it reports what it
 * received across execve() and what it runs with, so that every check is
 * made on a really exec'd child.
 *
 *   spawnchild OUT [--write N]... [--echo] [--wait-stdin] [--env NAME]...
 *              [--exit N] [-- ARG...]
 *
 * It looks before it does anything that could change what it looks at:
 * first the open descriptors (fdscan, before any other descriptor exists),
 * then the signal dispositions (sigaction queries: it installs no handler
 * of its own, ever), its mask and pending set, and, where /proc can be
 * read, the kernel's own SigIgn/SigCgt/SigBlk lines as a cross-check.
 * Then it acts: --write N writes "to-N\n" into its fd N; --echo reads one
 * line from fd 0 and writes "echo:LINE" to fd 1; --wait-stdin reads fd 0
 * to end of file.  Last it creates OUT (O_EXCL: never a stale report) and
 * writes one "KEY VALUE" line per fact:
 *
 *	pid P / ppid P / pgid P / sid P / umask 0OOO / cwd PATH
 *	ign HEX / cgt HEX / blk HEX / pnd HEX   bit (S - 1) for signal S
 *	proc_ign HEX / proc_cgt HEX / proc_blk HEX   (only with /proc)
 *	argc N / argv I TEXT / envc N / env NAME=VALUE or env NAME (unset)
 *	fd N DEV INO CLOEXEC TEXT   one per descriptor received, ascending
 *	end
 *
 * TEXT of an fd is the first line of a regular file (pread at 0, at most
 * 63 bytes), or "-".  Every argument is reported (argv 0 .. argc-1),
 * options included; "--" only ends the options.  Exit status: N of --exit
 * (default 0), or 100 if anything failed.  Raw calls only, no stdio.
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

/* One formatted line into fd; sets *rc on failure. */
static void
say(int fd, int *rc, const char *fmt, ...)
{
	char line[PATH_MAX + 128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line ||
	    write_all(fd, line, (size_t)n) != 0)
		*rc = FAIL;
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

static void
report_fds(int out, const struct fdscan *l, int *rc)
{
	char text[64];
	struct stat st;
	size_t i;

	for (i = 0; i < l->n; i++) {
		int fd = l->v[i], fl = fcntl(fd, F_GETFD);

		if (fl == -1 || fstat(fd, &st) != 0) {
			*rc = FAIL;
			continue;
		}
		first_line(fd, &st, text);
		say(out, rc, "fd %d %llu %llu %d %s\n", fd,
		    (unsigned long long)st.st_dev,
		    (unsigned long long)st.st_ino, (fl & FD_CLOEXEC) != 0, text);
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

int
main(int argc, char **argv)
{
	struct fdscan l = { NULL, 0, 0 };
	struct sigs s;
	const char *envs[16];
	char cwd[PATH_MAX], buf[32];
	int i, out, nenv = 0, status = 0, rc = 0, envc = 0;
	mode_t mask;
	bool opts = true;

	/* Descriptors first: nothing else is open yet. */
	if (argc < 2 || fdscan(&l) != 0 || look_signals(&s) != 0)
		return FAIL;
	look_proc(&s);
	mask = umask(0);
	umask(mask);
	if (getcwd(cwd, sizeof cwd) == NULL)
		strcpy(cwd, "?");

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!opts)
			continue;
		if (strcmp(a, "--") == 0) {
			opts = false;
		} else if (strcmp(a, "--write") == 0 && i + 1 < argc) {
			int fd = atoi(argv[++i]);

			snprintf(buf, sizeof buf, "to-%d\n", fd);
			if (write_all(fd, buf, strlen(buf)) != 0)
				rc = FAIL;
		} else if (strcmp(a, "--echo") == 0) {
			if (echo() != 0)
				rc = FAIL;
		} else if (strcmp(a, "--wait-stdin") == 0) {
			if (wait_stdin() != 0)
				rc = FAIL;
		} else if (strcmp(a, "--env") == 0 && i + 1 < argc) {
			if (nenv < 16)
				envs[nenv++] = argv[++i];
		} else if (strcmp(a, "--exit") == 0 && i + 1 < argc) {
			status = atoi(argv[++i]);
		} else {
			rc = FAIL;
		}
	}

	out = open(argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0)
		return FAIL;
	say(out, &rc, "pid %ld\nppid %ld\npgid %ld\nsid %ld\n", (long)getpid(),
	    (long)getppid(), (long)getpgid(0), (long)getsid(0));
	say(out, &rc, "umask %04o\ncwd %s\n", (unsigned)mask, cwd);
	say(out, &rc, "ign %llx\ncgt %llx\nblk %llx\npnd %llx\n", s.ign, s.cgt,
	    s.blk, s.pnd);
	if (s.proc_ign[0] != '\0')
		say(out, &rc, "proc_ign %s\nproc_cgt %s\nproc_blk %s\n",
		    s.proc_ign, s.proc_cgt, s.proc_blk);
	say(out, &rc, "argc %d\n", argc);
	for (i = 0; i < argc; i++)
		say(out, &rc, "argv %d %s\n", i, argv[i]);
	while (environ != NULL && environ[envc] != NULL)
		envc++;
	say(out, &rc, "envc %d\n", envc);
	for (i = 0; i < nenv; i++) {
		const char *v = getenv(envs[i]);

		if (v != NULL)
			say(out, &rc, "env %s=%s\n", envs[i], v);
		else
			say(out, &rc, "env %s\n", envs[i]);
	}
	report_fds(out, &l, &rc);
	say(out, &rc, "end\n");
	if (close(out) != 0)
		rc = FAIL;
	fdscan_free(&l);
	return rc != 0 ? rc : status;
}
