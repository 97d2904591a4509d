/*
 * notes.c - enforce's marker directory (preload/reach.c: each program the
 * shim cannot reach is named once per run, by the process that makes its
 * marker there).
 *
 * The tool owns the directory: it makes it before CMD runs (mode 0700, an
 * unguessable name in $TMPDIR) and a watcher removes it once CMD's
 * process has exited, however it ends: the shim's destructor, which did
 * this before, never runs after _exit (dash ends so) or a signal.  CMD is
 * this process after execvp, so the watcher is not CMD's child (a double
 * fork, its own session, no descriptor of CMD's but a pidfd of this
 * process): CMD's wait(2) and its terminal's signals never see it.
 * Directories left anyway (the watcher killed, no pidfd and a reboot) are
 * swept by the next run once their first process is gone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "noinherit.h"
#include "trace.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434	/* the same number on every architecture */
#endif

/* The directory and its markers: nothing else is ever made there. */
static void
notes_remove(const char *dir)
{
	char sub[PATH_MAX + 256];
	struct dirent *f;
	DIR *m = opendir(dir);

	while (m != NULL && (f = readdir(m)) != NULL) {
		if (f->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof sub, "%s/%s", dir, f->d_name);
		unlink(sub);
	}
	if (m != NULL)
		closedir(m);
	rmdir(dir);
}

/* The marker directories of this user's earlier runs whose first process
 * is gone. */
static void
notes_sweep(const char *tmp)
{
	char prefix[64], path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(tmp);
	long pid;

	snprintf(prefix, sizeof prefix, "noinherit-notes-%ld-", (long)getuid());
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		pid = strtol(e->d_name + strlen(prefix), NULL, 10);
		if (pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof path, "%s/%s", tmp, e->d_name);
		if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid())
			continue;
		notes_remove(path);
	}
	if (d != NULL)
		closedir(d);
}

bool
shim_notes_make(char *buf, size_t cap)
{
	const char *tmp = getenv("TMPDIR");
	unsigned char r[8] = { 0 };
	int fd = ni_open("/dev/urandom", O_RDONLY);

	if (fd < 0)
		return false;
	if (read(fd, r, sizeof r) != (ssize_t)sizeof r) {
		close(fd);
		return false;
	}
	close(fd);
	if (tmp == NULL || tmp[0] != '/' || strlen(tmp) > 512)
		tmp = "/tmp";
	notes_sweep(tmp);
	snprintf(buf, cap, "%s/noinherit-notes-%ld-%ld-%02x%02x%02x%02x%02x"
	    "%02x%02x%02x", tmp, (long)getuid(), (long)getpid(), r[0], r[1],
	    r[2], r[3], r[4], r[5], r[6], r[7]);
	return mkdir(buf, 0700) == 0;
}

/* When pid started (field 22 of /proc/PID/stat), 0 if unknown. */
static unsigned long long
start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = ni_open(path, O_RDONLY)) < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	for (field = 2; *p != '\0' && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field == 22)
		t = strtoull(p, NULL, 10);
	return t;
}

/* Whether pid is still the process that started at start. */
static bool
alive(pid_t pid, unsigned long long start)
{
	if (kill(pid, 0) != 0 && errno != EPERM)
		return false;
	return start == 0 || start_time(pid) == start;
}

/* The watcher: waits for root, then removes dir. */
static void __attribute__((noreturn))
watch(const char *dir, pid_t root, int pfd, unsigned long long start)
{
	int null;

	setsid();
	if (chdir("/") != 0)
		_exit(1);
	/* Nothing of CMD's held open: a pipe it writes to must see its
	 * reader's EOF when CMD ends, not when this ends. */
	if (pfd >= 0 && pfd != 3 && dup2(pfd, 3) != 3)
		_exit(1);
	ni_close_from(pfd >= 0 ? 4 : 3);
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	if (pfd >= 0) {
		struct pollfd p = { 3, POLLIN, 0 };

		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
	} else {
		/* pidfd_open: Linux 5.3.  Before, a second's polling. */
		while (alive(root, start))
			sleep(1);
	}
	notes_remove(dir);
	_exit(0);
}

void
shim_notes_watch(const char *dir)
{
	pid_t root = getpid(), a;
	/* A pidfd is close-on-exec: CMD never holds it. */
	int pfd = (int)syscall(SYS_pidfd_open, root, 0);
	unsigned long long start = pfd < 0 ? start_time(root) : 0;

	a = fork();
	if (a == 0) {
		if (fork() != 0)
			_exit(0);
		watch(dir, root, pfd, start);
	}
	while (a > 0 && waitpid(a, NULL, 0) < 0 && errno == EINTR)
		;
	if (pfd >= 0)
		close(pfd);
}
