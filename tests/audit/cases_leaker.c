/*
 * cases_leaker.c - the cases of test_audit that audit a live process and
 * check every row: the leaker (leaker.c) in text and JSON, with
 * --inherited, clean and with --std, the command itself (no -p), and
 * --all while processes come and go.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "leaker.h"

void
leaker_text(void)
{
	struct leaker l = start_leaker("leak");
	struct run r = audit("-p", pidstr(l.pid), NULL);
	char want[4200];

	status_is(&r, 1);
	snprintf(want, sizeof want, "%s (pid %d, %s): 18 descriptors would "
	    "leak into a child:\n", LK_COMM, (int)l.pid, leaker);
	if (strncmp(r.out, want, strlen(want)) != 0)
		fail("header is not \"%s\"", want);
	snprintf(want, sizeof want, "TCP 127.0.0.1:%d LISTEN  [LISTENING]",
	    l.port);
	row(&r, LK_TCP_LISTEN, "socket", want);
	snprintf(want, sizeof want, "UNIX %s/%s STREAM LISTEN  [LISTENING]",
	    dir, LK_SOCK_NAME);
	row(&r, LK_UNIX_LISTEN, "socket", want);
	row(&r, LK_PAIR, "socket", "UNIX (unnamed) STREAM");
	row(&r, LK_PAIR + 1, "socket", "UNIX (unnamed) STREAM");
	row(&r, LK_UDP, "socket", "UDP 127.0.0.1:");
	row(&r, LK_PIPE, "pipe", "pipe:[");
	row(&r, LK_PIPE + 1, "pipe", "pipe:[");
	snprintf(want, sizeof want, "%s/%s (deleted)\n", dir, LK_GONE_NAME);
	row(&r, LK_DELETED, "file", want);
	snprintf(want, sizeof want, "%s/%s\n", dir, LK_FIFO_NAME);
	row(&r, LK_FIFO, "fifo", want);
	snprintf(want, sizeof want, "%s\n", dir);
	row(&r, LK_DIR, "dir", want);
	/* Escaped for a terminal: \\ for the backslash, \xNN for the rest. */
	snprintf(want, sizeof want, "%s/we\"ird\\\\na\\x0ame\\xff\n", dir);
	row(&r, LK_ODD, "file", want);
	row(&r, LK_EVENTFD, "eventfd", "anon_inode:[eventfd]\n");
	row(&r, LK_MEMFD, "memfd", "memfd:leaky\n");
	row(&r, LK_EPOLL, "epoll", "anon_inode:[eventpoll]\n");
	row(&r, LK_TIMERFD, "timerfd", "anon_inode:[timerfd]\n");
	row(&r, LK_SIGNALFD, "signalfd", "anon_inode:[signalfd]\n");
	row(&r, LK_INOTIFY, "inotify", "anon_inode:inotify\n");
	snprintf(want, sizeof want, "pid %d\n", (int)l.pid);
	row(&r, LK_PIDFD, "pidfd", want);
	has(&r, "[LISTENING]: a listening socket in a child lets the child "
	    "accept the connections");
	has(&r, "(PEP 446)");
	lacks(&r, "[inherited]");	/* not asked for */
	/* Close-on-exec, or stdio: never reported. */
	no_row(&r, 0), no_row(&r, 1), no_row(&r, 2);
	no_row(&r, LK_CX_TCP), no_row(&r, LK_CX_FILE);
	no_row(&r, LK_CX_PIPE), no_row(&r, LK_CX_PIPE + 1);
	no_row(&r, LK_CX_EVENTFD);
	snprintf(want, sizeof want, "127.0.0.1:%d ", l.cxport);
	lacks(&r, want);
	lacks(&r, LK_CX_NAME);
	if (failures)
		show(&r);
	stop(l.pid);
}

void
leaker_json(void)
{
	struct leaker l = start_leaker("leak");
	struct run r = audit("--json", "-p", pidstr(l.pid), NULL);
	char want[4200];

	status_is(&r, 1);
	snprintf(want, sizeof want, "{\"pid\":%d,\"ppid\":%d,\"comm\":"
	    "\"leak) (er\",\"exe\":\"%s\",\"fds\":[", (int)l.pid,
	    (int)getpid(), leaker);
	if (strncmp(r.out, want, strlen(want)) != 0)
		fail("object does not start with %s", want);
	if (!ends_with(r.out, "],\"error\":null}\n") ||
	    strchr(r.out, '\n') != r.out + strlen(r.out) - 1)
		fail("not one line ending in ],\"error\":null}");
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"socket\","
	    "\"target\":\"TCP 127.0.0.1:%d LISTEN\",\"deleted\":false,"
	    "\"listening\":true,\"inherited\":null,\"cloexec\":false}",
	    LK_TCP_LISTEN, l.port);
	has(&r, want);
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"socket\","
	    "\"target\":\"UNIX %s/%s STREAM LISTEN\",\"deleted\":false,"
	    "\"listening\":true,", LK_UNIX_LISTEN, dir, LK_SOCK_NAME);
	has(&r, want);
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"file\","
	    "\"target\":\"%s/%s\",\"deleted\":true,"
	    "\"listening\":false,", LK_DELETED, dir, LK_GONE_NAME);
	has(&r, want);
	/* JSON escapes; the byte 0xff becomes U+FFFD. */
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"file\","
	    "\"target\":\"%s/we\\\"ird\\\\na\\nme\\ufffd\",\"deleted\":false,",
	    LK_ODD, dir);
	has(&r, want);
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"memfd\","
	    "\"target\":\"memfd:leaky\",", LK_MEMFD);
	has(&r, want);
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"pipe\","
	    "\"target\":\"pipe:[", LK_PIPE);
	has(&r, want);
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"eventfd\",",
	    LK_EVENTFD);
	has(&r, want);
	snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"epoll\",",
	    LK_EPOLL);
	has(&r, want);
	snprintf(want, sizeof want, "\"fd\":%d,", LK_CX_TCP);
	lacks(&r, want);
	snprintf(want, sizeof want, "\"fd\":%d,", LK_CX_FILE);
	lacks(&r, want);
	lacks(&r, "\"cloexec\":true");
	if (failures)
		show(&r);
	stop(l.pid);
}

/* The test's own file at LK_PASSED crosses into the leaker. */
void
inherited(void)
{
	struct leaker l;
	struct run r;
	char path[4200];
	int fd;

	snprintf(path, sizeof path, "%s/passed", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || dup3(fd, LK_PASSED, O_CLOEXEC) < 0) {
		perror("passed");
		exit(1);
	}
	close(fd);
	l = start_leaker("leak");
	r = audit("--inherited", "-p", pidstr(l.pid), NULL);
	if (strstr(r.err, "--inherited: not available") != NULL) {
		printf("SKIP: %s", r.err);
		stop(l.pid);
		exit(SKIP);
	}
	status_is(&r, 1);
	snprintf(path, sizeof path, "%s/passed  [inherited]\n", dir);
	row(&r, LK_PASSED, "file", path);	/* the same number */
	row(&r, LK_PASSED_DUP, "file", path);	/* found by its inode */
	snprintf(path, sizeof path, "%s/%s (deleted)\n", dir, LK_GONE_NAME);
	row(&r, LK_DELETED, "file", path);	/* made by the leaker */
	row(&r, LK_EVENTFD, "eventfd", "anon_inode:[eventfd]\n");
	if (count(r.out, "[inherited]") != 2)
		fail("[inherited] on more than fds %d and %d", LK_PASSED,
		    LK_PASSED_DUP);
	r = audit("--inherited", "--json", "-p", pidstr(l.pid), NULL);
	snprintf(path, sizeof path, "{\"fd\":%d,\"kind\":\"file\",\"target\":"
	    "\"%s/passed\",\"deleted\":false,\"listening\":false,"
	    "\"inherited\":true,\"cloexec\":false}", LK_PASSED, dir);
	has(&r, path);
	snprintf(path, sizeof path, "{\"fd\":%d,\"kind\":\"eventfd\","
	    "\"target\":\"anon_inode:[eventfd]\",\"deleted\":false,"
	    "\"listening\":false,\"inherited\":false,", LK_EVENTFD);
	has(&r, path);
	if (failures)
		show(&r);
	stop(l.pid);
}

void
clean(void)
{
	struct leaker l = start_leaker("clean");
	struct run r = audit("-p", pidstr(l.pid), NULL);
	char want[4200];

	status_is(&r, 0);
	snprintf(want, sizeof want, "leaker (pid %d, %s): clean, no "
	    "descriptor would leak into a child\n", (int)l.pid, leaker);
	if (strcmp(r.out, want) != 0)
		fail("stdout is not \"%s\"", want);
	/* --std: stdio counts (whatever the harness made it). */
	r = audit("--std", "-p", pidstr(l.pid), NULL);
	status_is(&r, 1);
	row(&r, 0, "", ""), row(&r, 1, "", ""), row(&r, 2, "", "");
	/* The same pid three times is audited once. */
	r = audit("-p", pidstr(l.pid), pidstr(l.pid), "-p",
	    pidstr(l.pid), NULL);
	status_is(&r, 0);
	if (strcmp(r.out, want) != 0)
		fail("a repeated pid is not audited once");
	if (failures)
		show(&r);
	stop(l.pid);
}

/* No -p: what the command itself inherited, from a shell. */
void
self(void)
{
	char *leak[] = { "/bin/sh", "-c",
	    "exec 7</etc/hostname; exec \"$0\" audit", (char *)cli, NULL };
	char *json[] = { "/bin/sh", "-c",
	    "exec 7</etc/hostname 9<&7; exec \"$0\" audit --json", (char *)cli,
	    NULL };
	char *none[] = { "/bin/sh", "-c", "exec \"$0\" audit", (char *)cli,
	    NULL };
	struct run r;
	char want[256];

	r = run_with(NULL, NULL, leak);
	status_is(&r, 1);
	snprintf(want, sizeof want, "this command inherited 1 descriptor "
	    "(parent: test_audit, pid %d):\n%7s  %-9s %s\n%7d  %-9s %s\n",
	    (int)getpid(), "FD", "KIND", "TARGET", 7, "file", "/etc/hostname");
	if (strcmp(r.out, want) != 0)
		fail("stdout is not \"%s\"", want);
	if (failures)
		show(&r);
	r = run_with(NULL, NULL, json);
	status_is(&r, 1);
	has(&r, "\"comm\":\"noinherit\",");
	has(&r, "\"fds\":[{\"fd\":7,\"kind\":\"file\",\"target\":"
	    "\"/etc/hostname\",\"deleted\":false,\"listening\":false,"
	    "\"inherited\":null,\"cloexec\":false},{\"fd\":9,\"kind\":\"file\","
	    "\"target\":\"/etc/hostname\",");
	has(&r, "}],\"error\":null}\n");
	if (failures)
		show(&r);
	r = run_with(NULL, NULL, none);
	status_is(&r, 0);
	snprintf(want, sizeof want, "this command inherited no descriptor "
	    "beyond 0-2 (parent: test_audit, pid %d)\n", (int)getpid());
	if (strcmp(r.out, want) != 0)
		fail("stdout is not \"%s\"", want);
	if (failures)
		show(&r);
}

/* --all while processes come and go: never 2 because one vanished. */
void
all(void)
{
	struct leaker l = start_leaker("leak");
	pid_t churn = fork();
	struct run r;
	char want[128], *line, *end;
	int i;

	if (churn == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			pid_t c = fork();

			if (c == 0)
				_exit(0);
			if (c > 0)
				waitpid(c, NULL, 0);
		}
	}
	for (i = 0; i < 5 && !failures; i++) {
		r = audit("--all", NULL);
		status_is(&r, 1);
		snprintf(want, sizeof want, "TCP 127.0.0.1:%d LISTEN", l.port);
		has(&r, want);
		has(&r, " processes audited, ");
		if (r.err[0] != '\0' && (count(r.err, "\n") != 1 ||
		    strstr(r.err, "noinherit: audit: skipped ") != r.err))
			fail("stderr is not empty or one \"skipped\" line");
		if (failures)
			show(&r);
	}
	r = audit("--all", "--json", NULL);
	status_is(&r, 1);
	snprintf(want, sizeof want, "{\"pid\":%d,", (int)l.pid);
	has(&r, want);
	for (line = r.out; *line; line = end + 1) {
		end = strchr(line, '\n');
		if (end == NULL || strncmp(line, "{\"pid\":", 7) != 0 ||
		    end[-1] != '}') {
			fail("not JSON Lines at \"%.40s\"", line);
			break;
		}
	}
	stop(churn);
	stop(l.pid);
}
