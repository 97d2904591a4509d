/*
 * leakdemo - what leaks into a child, with and without noinherit.
 *
 * The parent opens a file, a pipe and a listening TCP socket twice: once
 * with the plain POSIX calls, once with their ni_ twins.  Then it runs a
 * program, as any program does: fork() and execv().  The child is this same
 * program with --child; it lists the descriptors it received, and the
 * parent reads that list through a pipe and compares.
 *
 * The plain descriptors reach the child: an open file it never asked for,
 * a pipe end that keeps the parent's reader from seeing EOF, a socket that
 * keeps the port busy after the parent is gone.  The ni_ ones do not.
 *
 * Exit status: 0 if no ni_ descriptor reached the child, 1 otherwise (or on
 * any error).
 */
#define _POSIX_C_SOURCE 200809L	/* dirfd(), readlink() */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "noinherit.h"

#define MAXFD 64		/* how far the child looks without /proc */

/* One descriptor the parent made, and whether the child saw it. */
struct probe {
	const char *what;
	int fd;
	bool plain;
	bool seen;
};

/* ------------------------------------------------------------------ */
/* The child: print "fd N target" for each descriptor it holds.        */
/* ------------------------------------------------------------------ */

static void
print_fd(int fd)
{
	char link[64], target[4096];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof target - 1);
	if (n < 0)
		strcpy(target, "?");
	else
		target[n] = '\0';
	printf("fd %d %s\n", fd, target);
}

static int
child(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int fd;

	if (d == NULL) {
		/* No /proc (not Linux): ask each descriptor in turn. */
		for (fd = 0; fd < MAXFD; fd++)
			if (fcntl(fd, F_GETFD) != -1)
				printf("fd %d\n", fd);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd != dirfd(d))
			print_fd(fd);
	}
	closedir(d);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The parent                                                           */
/* ------------------------------------------------------------------ */

/* Fills a loopback address with port 0: the kernel picks a free port. */
static struct sockaddr_in
loopback_any(void)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(0);
	/* 127.0.0.1: INADDR_LOOPBACK is not POSIX, and _POSIX_C_SOURCE hides it
	 * on the BSDs and macOS. */
	sin.sin_addr.s_addr = htonl(0x7f000001);
	return sin;
}

static int
listen_on(int s)
{
	struct sockaddr_in sin = loopback_any();

	if (s == -1 || bind(s, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(s, 1) == -1) {
		perror("leakdemo: listening socket");
		exit(1);
	}
	return s;
}

static int
check(int fd, const char *what)
{
	if (fd == -1) {
		fprintf(stderr, "leakdemo: %s: %s\n", what, strerror(errno));
		exit(1);
	}
	return fd;
}

/*
 * Runs `self --child` with its standard output on a pipe and marks each
 * probe whose descriptor number appears in what it prints.
 */
static bool
run_child(const char *self, struct probe *p, size_t np)
{
	char *argv[] = { (char *)self, "--child", NULL };
	char line[4200];
	int out[2], status, fd;
	pid_t pid;
	FILE *f;
	size_t i;

	/* Our end of the report pipe must not leak either. */
	check(ni_pipe(out), "ni_pipe()");
	pid = fork();
	if (pid == -1) {
		perror("leakdemo: fork");
		return false;
	}
	if (pid == 0) {
		/* dup2() leaves the copy inheritable: that one is meant. */
		if (dup2(out[1], STDOUT_FILENO) == -1)
			_exit(127);
		execvp(self, argv);	/* PATH lookup if run as "leakdemo" */
		_exit(127);
	}
	close(out[1]);

	f = fdopen(out[0], "r");
	if (f == NULL) {
		perror("leakdemo: fdopen");
		return false;
	}
	printf("the child received (its fd 1 is the pipe this list came "
	    "back on):\n");
	while (fgets(line, sizeof line, f) != NULL) {
		printf("    %s", line);
		if (sscanf(line, "fd %d", &fd) != 1)
			continue;
		for (i = 0; i < np; i++)
			if (p[i].fd == fd)
				p[i].seen = true;
	}
	fclose(f);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "leakdemo: the child failed\n");
		return false;
	}
	return true;
}

static struct probe probes[8];
static size_t nprobes;
static char plain_path[] = "/tmp/leakdemo-plain.XXXXXX";
static char ni_path[] = "/tmp/leakdemo-ni.XXXXXX";

static void
add(const char *what, int fd, bool plain)
{
	probes[nprobes++] = (struct probe){ what, check(fd, what), plain,
	    false };
}

static void
remove_files(void)
{
	unlink(plain_path);
	unlink(ni_path);
}

int
main(int argc, char **argv)
{
	int fds[2], plain_seen = 0, ni_seen = 0;
	size_t i;

	if (argc == 2 && strcmp(argv[1], "--child") == 0)
		return child();

	/* Start clean: whatever our own caller leaked to us goes. */
	ni_close_from(3);

	/* Two files to open, named so that the child's list tells them apart. */
	atexit(remove_files);
	close(check(mkstemp(plain_path), "mkstemp"));
	close(check(mkstemp(ni_path), "mkstemp"));

	/* The plain POSIX calls: every descriptor is inheritable. */
	add("open()", open(plain_path, O_RDONLY), true);
	check(pipe(fds), "pipe()");
	add("pipe() read end", fds[0], true);
	add("pipe() write end", fds[1], true);
	add("socket(), listening on 127.0.0.1",
	    listen_on(socket(AF_INET, SOCK_STREAM, 0)), true);

	/* Their ni_ twins: same arguments, non-inheritable descriptors. */
	add("ni_open()", ni_open(ni_path, O_RDONLY), false);
	check(ni_pipe(fds), "ni_pipe()");
	add("ni_pipe() read end", fds[0], false);
	add("ni_pipe() write end", fds[1], false);
	add("ni_socket(), listening on 127.0.0.1",
	    listen_on(ni_socket(AF_INET, SOCK_STREAM, 0)), false);

	printf("the parent opened:\n");
	for (i = 0; i < nprobes; i++)
		printf("    fd %-3d %s\n", probes[i].fd, probes[i].what);
	fflush(stdout);

	if (!run_child(argv[0], probes, nprobes))
		return 1;

	printf("\n");
	for (i = 0; i < nprobes; i++) {
		struct probe *p = &probes[i];

		if (p->seen && p->plain)
			plain_seen++;
		else if (p->seen)
			ni_seen++;
		printf("%-6s fd %-3d %-36s %s\n",
		    !p->seen ? "kept" : p->plain ? "LEAKED" : "BUG",
		    p->fd, p->what,
		    p->seen ? "reached the child" : "did not reach the child");
	}
	printf("\n%d of 4 plain descriptors leaked into the child; "
	    "%d of 4 ni_ descriptors did.\n", plain_seen, ni_seen);

	if (plain_seen == 0) {
		/* Then the child's list cannot be trusted either. */
		fprintf(stderr, "leakdemo: the child saw no plain descriptor; "
		    "cannot tell\n");
		return 1;
	}
	return ni_seen == 0 ? 0 : 1;
}
