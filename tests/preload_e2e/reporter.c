/*
 * reporter.c - the child of the end-to-end tests: says what it received.
 *
 *   reporter TAG             prints "reporter TAG: fds 0 1 2 ..." (every
 *                            descriptor it inherited, from /proc/self/fd)
 *                            and, for each one beyond 2, "  N -> TARGET";
 *                            exits 0
 *   reporter --read-fd N     copies what can be read from descriptor N to
 *                            the standard output; exits 1 if it cannot
 *                            (EBADF: it was not inherited)
 *
 * It opens nothing before looking, so what it lists is what arrived
 * through the exec: every open descriptor whose close-on-exec flag is
 * clear.  (One that is set was made in this process, after the exec: the
 * directory being read, and under trace the shim's own log.)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int
list(const char *tag)
{
	int fds[1024], n = 0, i, fd, fl;
	char path[64], target[PATH_MAX];
	struct dirent *d;
	ssize_t len;
	DIR *dir = opendir("/proc/self/fd");

	if (dir == NULL) {
		perror("reporter: /proc/self/fd");
		return 2;
	}
	while ((d = readdir(dir)) != NULL && n < 1024) {
		if (d->d_name[0] == '.')
			continue;
		fd = atoi(d->d_name);
		fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC))
			fds[n++] = fd;
	}
	closedir(dir);
	qsort(fds, (size_t)n, sizeof fds[0], cmp_int);
	printf("reporter %s: fds", tag);
	for (i = 0; i < n; i++)
		printf(" %d", fds[i]);
	putchar('\n');
	for (i = 0; i < n; i++) {
		if (fds[i] <= 2)
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%d", fds[i]);
		len = readlink(path, target, sizeof target - 1);
		target[len > 0 ? len : 0] = '\0';
		printf("  %d -> %s\n", fds[i], target);
	}
	return fflush(stdout) == 0 ? 0 : 2;
}

static int
read_fd(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return 2;
	if (n < 0) {
		fprintf(stderr, "reporter: read fd %d: %s\n", fd,
		    strerror(errno));
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 2;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--read-fd") == 0)
		return read_fd(atoi(argv[2]));
	if (argc == 2)
		return list(argv[1]);
	fprintf(stderr, "usage: reporter TAG | reporter --read-fd N\n");
	return 2;
}
