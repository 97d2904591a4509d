/*
 * testutil.c - see testutil.h.  Raw system calls only: nothing here may
 * depend on the library under test.
 */
#define _GNU_SOURCE
#include "testutil.h"
#include "fdscan.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef REPORTER_PATH
#error "REPORTER_PATH must be defined (the path of tests/reporter)"
#endif

void
tu_close_inherited(void)
{
	int fd, limit;

#ifdef SYS_close_range
	/* close_range: Linux 5.9.  ENOSYS before, or a seccomp filter may
	 * refuse it (the fallback runs do); then close one by one. */
	if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
		goto stdio;
#endif
	limit = fdscan_limit();
	for (fd = 3; fd < limit; fd++)
		(void)close(fd);
#ifdef SYS_close_range
stdio:
#endif
	/* A closed standard stream would let the next descriptor a test
	 * creates take its number, and the reporter's stdout replaces fd 1. */
	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
			int nfd = open("/dev/null", O_RDWR);

			if (nfd >= 0 && nfd != fd) {
				(void)dup2(nfd, fd);
				(void)close(nfd);
			}
		}
	}
}

int
tu_fd_count(void)
{
	struct fdscan l = { NULL, 0, 0 };
	int n;

	if (fdscan(&l) != 0)
		return -1;
	n = (int)l.n;
	fdscan_free(&l);
	return n;
}

int
tu_is_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl == -1)
		return -1;
	return (fl & FD_CLOEXEC) ? 1 : 0;
}

const char *
tu_mode(void)
{
	const char *m = getenv("NI_TEST_MODE");

	return (m != NULL && *m != '\0') ? m : "native";
}

static const char *
reporter_path(void)
{
	const char *p = getenv("NI_REPORTER");

	return (p != NULL && *p != '\0') ? p : REPORTER_PATH;
}

/* Reads fd to EOF into a NUL-terminated malloc'd buffer, or NULL. */
static char *
read_all(int fd)
{
	size_t len = 0, cap = 256;
	char *buf = malloc(cap);

	if (buf == NULL)
		return NULL;
	for (;;) {
		ssize_t r;

		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);

			if (nb == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	return buf;
}

int
tu_report_fds(const char *report, char *buf, size_t size)
{
	const char *p = strstr(report, ": fds"), *nl = strchr(report, '\n');
	size_t n;

	if (strncmp(report, "reporter ", 9) != 0 || p == NULL || nl == NULL ||
	    p > nl)
		return -1;
	p += 5;
	if (*p == ' ')
		p++;
	n = (size_t)(nl - p);
	if (n + 1 > size)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/* Parses "0 1 2 5\n": returns the count, or -1 on anything else. */
static int
parse_fds(const char *s, bool *seen, int max)
{
	int n = 0;

	if (*s == '\0' || s[strlen(s) - 1] != '\n')
		return -1;
	for (;;) {
		char *end;
		long v;

		while (*s == ' ' || *s == '\n')
			s++;
		if (*s == '\0')
			return n;
		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno != 0 || v > INT_MAX)
			return -1;
		if (v < max && seen != NULL)
			seen[v] = true;
		n++;
		s = end;
	}
}

int
tu_child_fds(bool *seen, int max)
{
	const char *path = reporter_path();
	char *const argv[] = { (char *)path, NULL };
	int p[2], status, n;
	char *out;
	pid_t pid;

	/* Plain pipe() + fcntl(): the fallback runs refuse pipe2(O_CLOEXEC),
	 * and this harness must not depend on the library it checks.  Both
	 * ends are close-on-exec so the child does not report them. */
	if (pipe(p) != 0)
		return -1;
	if (fcntl(p[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(p[1], F_SETFD, FD_CLOEXEC) != 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		/* Async-signal-safe calls only between fork and exec. */
		if (p[1] == STDOUT_FILENO) {
			if (fcntl(STDOUT_FILENO, F_SETFD, 0) != 0)
				_exit(126);
		} else if (dup2(p[1], STDOUT_FILENO) != STDOUT_FILENO) {
			_exit(126);
		}
		execv(path, argv);
		_exit(127);
	}
	close(p[1]);
	out = read_all(p[0]);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			free(out);
			return -1;
		}
	}
	if (out == NULL)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "testutil: %s failed (status %#x)\n", path, status);
		free(out);
		return -1;
	}
	{
		size_t size = strlen(out) + 2;
		char *list = malloc(size);

		n = -1;
		if (list != NULL && tu_report_fds(out, list, size) == 0) {
			strcat(list, "\n");
			n = parse_fds(list, seen, max);
		}
		free(list);
	}
	if (n < 0)
		fprintf(stderr, "testutil: bad output from %s: \"%s\"\n", path, out);
	free(out);
	return n;
}

bool
tu_child_has_fd(int fd)
{
	bool *seen, r;

	if (fd < 0)
		return false;
	seen = calloc((size_t)fd + 1, sizeof *seen);
	if (seen == NULL) {
		fprintf(stderr, "testutil: out of memory\n");
		abort();
	}
	if (tu_child_fds(seen, fd + 1) < 0) {
		fprintf(stderr, "testutil: cannot run the reporter child (%s)\n",
			reporter_path());
		free(seen);
		abort();
	}
	r = seen[fd];
	free(seen);
	return r;
}

int *
tu_bad_pointer(bool readable)
{
	void *p = mmap(NULL, 4096, readable ? PROT_READ : PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("testutil: mmap");
		abort();
	}
	return p;
}

void
tu_free_bad_pointer(int *p)
{
	(void)munmap(p, 4096);
}
