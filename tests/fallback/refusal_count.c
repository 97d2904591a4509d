/*
 * refusal_count - calls each creation function whose atomic form ni_sandbox
 * refuses many times, so that a trace of it shows whether the library
 * remembers a refusal (one refused call, then only fallbacks) or retries
 * the refused call every time.  check_refused_once.sh runs it under strace
 * and ni_sandbox --seccomp=enosys and counts.
 *
 * It also checks that every descriptor it gets is valid and close-on-exec,
 * so a library that "remembers" by giving up fails here instead.  Exit
 * status 0 when all calls succeeded, 1 otherwise (with a message).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "noinherit.h"

#define ROUNDS 50
/* ni_close_from's start: above everything this program opens. */
#define HIGH 1000
/* ni_dup2's target. */
#define TARGET 900

static int failures;

static void
check_fd(const char *what, int fd)
{
	int fl;

	if (fd < 0) {
		fprintf(stderr, "refusal_count: %s failed: %s\n", what,
		    strerror(errno));
		failures++;
		return;
	}
	fl = fcntl(fd, F_GETFD);
	if (fl == -1 || !(fl & FD_CLOEXEC)) {
		fprintf(stderr, "refusal_count: %s: fd %d %s\n", what, fd,
		    fl == -1 ? "not open" : "is inheritable");
		failures++;
	}
}

int
main(void)
{
	int i;

	for (i = 0; i < ROUNDS; i++) {
		int p[2] = { -1, -1 };
		int fd, d;

		if (ni_pipe(p) != 0) {
			check_fd("ni_pipe", -1);
		} else {
			check_fd("ni_pipe[0]", p[0]);
			check_fd("ni_pipe[1]", p[1]);
		}

		fd = ni_socket(AF_UNIX, SOCK_STREAM, 0);
		check_fd("ni_socket", fd);
		if (fd >= 0)
			close(fd);

		d = ni_dup(p[0] >= 0 ? p[0] : 0);
		check_fd("ni_dup", d);
		if (d >= 0)
			close(d);

		d = ni_dup2(p[1] >= 0 ? p[1] : 0, TARGET, false);
		check_fd("ni_dup2", d);
		if (d >= 0 && d != TARGET) {
			fprintf(stderr, "refusal_count: ni_dup2 returned %d, "
			    "not %d\n", d, TARGET);
			failures++;
		}
		if (d >= 0)
			close(d);

		fd = ni_epoll_create1(0);
		check_fd("ni_epoll_create1", fd);
		if (fd >= 0)
			close(fd);

		if (p[0] >= 0)
			close(p[0]);
		if (p[1] >= 0)
			close(p[1]);

		/* Something above HIGH for ni_close_from to find. */
		if (dup2(0, HIGH + 5) != HIGH + 5) {
			perror("refusal_count: dup2");
			failures++;
		}
		if (ni_close_from(HIGH) != 0) {
			fprintf(stderr, "refusal_count: ni_close_from: %s\n",
			    strerror(errno));
			failures++;
		} else if (fcntl(HIGH + 5, F_GETFD) != -1) {
			fprintf(stderr, "refusal_count: ni_close_from left "
			    "fd %d open\n", HIGH + 5);
			failures++;
		}
	}
	if (failures > 0) {
		fprintf(stderr, "refusal_count: %d failure(s)\n", failures);
		return 1;
	}
	return 0;
}
