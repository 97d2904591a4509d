/*
 * cases_hostile.c - the cases of test_audit that try to fool the audit
 * (issue 13): forged abstract UNIX socket names made by user nobody
 * against a root process's sockets, and a socket path holding a newline
 * (forged-unix; forged-unix-fallback with sock_diag refused by seccomp);
 * listeners in other network namespaces (netns); raw sockets (raw); a
 * process re-pointing a descriptor in a loop while it is audited many
 * times (repoint); a deleted file against one literally named
 * "x (deleted)" (deleted).
 *
 * Each victim is a child of this test, forked (no exec), that sets up its
 * descriptors at fixed numbers, says what it made on a pipe and waits (or
 * loops) until killed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* The numbers the victims put their descriptors at. */
#define V0 40

static int ready_fd = -1;

/* In a victim: says its line to the test. */
static void
tell(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (write(ready_fd, line, (size_t)n) != n)
		_exit(1);
	close(ready_fd);
}

/* In a victim: moves fd to number to, not close-on-exec. */
static void
put(int fd, int to)
{
	if (fd < 0 || dup2(fd, to) != to)
		_exit(SKIP);
	if (fd != to)
		close(fd);
}

/*
 * Forks a victim running setup(arg), which calls tell() once; returns its
 * pid and its line in line.  A victim that cannot set up exits SKIP: so
 * does this test.
 */
static pid_t
victim(void (*setup)(void *), void *arg, char *line, size_t cap)
{
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	int p[2], st;

	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("pipe2");
		exit(1);
	}
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		ready_fd = p[1];
		setup(arg);
		for (;;)
			pause();
	}
	close(p[1]);
	while ((n = read(p[0], line + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	line[len] = '\0';
	close(p[0]);
	if (len == 0) {
		waitpid(pid, &st, 0);
		if (WIFEXITED(st) && WEXITSTATUS(st) == SKIP) {
			printf("skip: the victim could not be set up here\n");
			exit(SKIP);
		}
		fprintf(stderr, "victim did not start\n");
		exit(1);
	}
	return pid;
}

static int
unix_listener(const char *name, size_t len)
{
	struct sockaddr_un u = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	memcpy(u.sun_path, name, len);
	if (s < 0 || bind(s, (struct sockaddr *)&u,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0 ||
	    listen(s, 4) < 0)
		_exit(SKIP);
	return s;
}

static unsigned long
ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

/* A TCP listener on addr (v4), port chosen by the kernel; *port set. */
static int
tcp_listener(const char *addr, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, addr, &a.sin_addr);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(s, 4) < 0 || getsockname(s, (struct sockaddr *)&a, &len) < 0)
		_exit(SKIP);
	*port = ntohs(a.sin_port);
	return s;
}

/* ------------------------------------------------------------------ */
/* forged-unix                                                         */
/* ------------------------------------------------------------------ */

#define NL_NAME "new\nline.sock"

/* Root's sockets: a listener (V0), a socketpair (V0+1, V0+2), a listener
 * whose path holds a newline (V0+3). */
static void
unix_victim(void *arg)
{
	char path[200];
	int sv[2];

	(void)arg;
	snprintf(path, sizeof path, "%s/real.sock", dir);
	put(unix_listener(path, strlen(path)), V0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		_exit(SKIP);
	put(sv[0], V0 + 1);
	put(sv[1], V0 + 2);
	snprintf(path, sizeof path, "%s/%s", dir, NL_NAME);
	put(unix_listener(path, strlen(path)), V0 + 3);
	tell("%lu %lu\n", ino_of(V0), ino_of(V0 + 1));
}

struct forge { unsigned long listen_ino, pair_ino; };

/*
 * As nobody: a few hundred abstract sockets whose names hold a newline and
 * then a line in /proc/net/unix's format for root's sockets: the listener
 * as a connected unnamed socket, the socketpair end as a listener named
 * /run/evil.sock.
 */
static void
forger(void *arg)
{
	const struct forge *f = arg;
	char name[108];
	int i, n;

	if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
		_exit(SKIP);
	for (i = 0; i < 300; i++) {
		name[0] = '\0';
		if (i % 2 == 0)
			n = snprintf(name + 1, sizeof name - 1,
			    "f%03d\n0000000000000000: 00000002 00000000 "
			    "00000000 0001 03 %lu", i, f->listen_ino);
		else
			n = snprintf(name + 1, sizeof name - 1,
			    "f%03d\n0000000000000000: 00000002 00000000 "
			    "00010000 0001 01 %lu /run/evil.sock", i,
			    f->pair_ino);
		(void)unix_listener(name, (size_t)n + 1);
	}
	tell("forged\n");
}

static void
unix_rows(const struct run *r)
{
	char want[512];

	snprintf(want, sizeof want, "UNIX %s/real.sock STREAM LISTEN  "
	    "[LISTENING]\n", dir);
	row(r, V0, "socket", want);
	row(r, V0 + 1, "socket", "UNIX (unnamed) STREAM CONNECTED -> socket:[");
	row(r, V0 + 2, "socket", "UNIX (unnamed) STREAM CONNECTED -> socket:[");
	snprintf(want, sizeof want, "UNIX %s/new\\x0aline.sock STREAM LISTEN  "
	    "[LISTENING]\n", dir);
	row(r, V0 + 3, "socket", want);
	lacks(r, "evil");
	if (count(r->out, "  [LISTENING]\n") != 2)
		fail("not exactly 2 listening rows");
}

static void
remove_unix_files(void)
{
	char path[200];

	snprintf(path, sizeof path, "%s/real.sock", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/%s", dir, NL_NAME);
	unlink(path);
}

void
forged_unix(bool fallback)
{
	struct forge f;
	struct run r;
	char line[128], want[512];
	pid_t v, g;

	v = victim(unix_victim, NULL, line, sizeof line);
	if (sscanf(line, "%lu %lu", &f.listen_ino, &f.pair_ino) != 2) {
		fprintf(stderr, "victim said '%s'\n", line);
		exit(1);
	}
	g = victim(forger, &f, line, sizeof line);
	if (!fallback) {
		r = audit("-p", pidstr(v), NULL);
		status_is(&r, 1);
		unix_rows(&r);
		if (r.err[0] != '\0')
			fail("stderr not empty");
		if (failures)
			show(&r);
		r = audit("--json", "-p", pidstr(v), NULL);
		snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"socket\","
		    "\"target\":\"UNIX %s/new\\nline.sock STREAM LISTEN\","
		    "\"deleted\":false,\"listening\":true,", V0 + 3, dir);
		has(&r, want);
		snprintf(want, sizeof want, "{\"fd\":%d,\"kind\":\"socket\","
		    "\"target\":\"UNIX %s/real.sock STREAM LISTEN\","
		    "\"deleted\":false,\"listening\":true,", V0, dir);
		has(&r, want);
		lacks(&r, "evil");
		if (failures)
			show(&r);
	} else {
		/* sock_diag refused: the text tables, and it is said, once. */
		const char *sandbox = getenv("NI_SANDBOX");
		char *argv[] = { (char *)sandbox, "--no-sockdiag", "--",
		    (char *)cli, "audit", "-p", pidstr(v), NULL };

		if (sandbox == NULL) {
			printf("skip: NI_SANDBOX not set\n");
			stop(g), stop(v);
			remove_unix_files();
			exit(SKIP);
		}
		r = run_with(NULL, NULL, argv);
		if (r.status == SKIP) {
			printf("skip: %s", r.out);
			stop(g), stop(v);
			remove_unix_files();
			exit(SKIP);
		}
		status_is(&r, 1);
		if (count(r.err, "NETLINK_SOCK_DIAG cannot list UNIX sockets "
		    "here") != 1 || count(r.err, "can forge a line") != 1)
			fail("the fallback to /proc/net/unix is not said once");
		row(&r, V0 + 2, "socket", "UNIX (unnamed) STREAM");
		if (failures)
			show(&r);
	}
	stop(g);
	stop(v);
	remove_unix_files();
}

/* ------------------------------------------------------------------ */
/* netns                                                               */
/* ------------------------------------------------------------------ */

static void
lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		_exit(SKIP);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		_exit(SKIP);
	close(s);
}

/*
 * A listener made here (it stays in this test's namespace), one made in
 * a new namespace (with a listening abstract UNIX socket), and one in a
 * third, which the process is in when audited.
 */
static void
netns_victim(void *arg)
{
	char name[64];
	int pa, pb, pc;

	(void)arg;
	put(tcp_listener("127.0.0.1", &pa), V0);
	if (unshare(CLONE_NEWNET) < 0)
		_exit(SKIP);
	lo_up();
	put(tcp_listener("127.0.0.1", &pb), V0 + 1);
	snprintf(name, sizeof name, "%cni-audit-ns-%d", '\0', (int)getpid());
	put(unix_listener(name, strlen(name + 1) + 1), V0 + 2);
	if (unshare(CLONE_NEWNET) < 0)
		_exit(SKIP);
	put(tcp_listener("0.0.0.0", &pc), V0 + 3);
	tell("%d %d %d\n", pa, pb, pc);
}

void
netns(void)
{
	struct run r;
	char line[128], want[256];
	int pa, pb, pc;
	pid_t v;

	v = victim(netns_victim, NULL, line, sizeof line);
	if (sscanf(line, "%d %d %d", &pa, &pb, &pc) != 3)
		exit(1);
	r = audit("-p", pidstr(v), NULL);
	status_is(&r, 1);
	snprintf(want, sizeof want, "TCP 127.0.0.1:%d LISTEN  [LISTENING]\n",
	    pa);
	row(&r, V0, "socket", want);
	snprintf(want, sizeof want, "TCP 127.0.0.1:%d LISTEN  [LISTENING]\n",
	    pb);
	row(&r, V0 + 1, "socket", want);
	snprintf(want, sizeof want, "UNIX @ni-audit-ns-%d STREAM LISTEN  "
	    "[LISTENING]\n", (int)v);
	row(&r, V0 + 2, "socket", want);
	snprintf(want, sizeof want, "TCP 0.0.0.0:%d LISTEN  [LISTENING]\n",
	    pc);
	row(&r, V0 + 3, "socket", want);
	if (failures)
		show(&r);
	r = audit("--json", "-p", pidstr(v), NULL);
	if (count(r.out, "\"listening\":true") != 4)
		fail("JSON: not 4 listening sockets");
	if (failures)
		show(&r);
	stop(v);
}

/* ------------------------------------------------------------------ */
/* raw                                                                 */
/* ------------------------------------------------------------------ */

static void
raw_victim(void *arg)
{
	(void)arg;
	put(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), V0);
	put(socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), V0 + 1);
	put(socket(AF_INET, SOCK_RAW, IPPROTO_UDP), V0 + 2);
	tell("ok\n");
}

void
raw(void)
{
	struct run r;
	char line[32];
	pid_t v = victim(raw_victim, NULL, line, sizeof line);

	r = audit("-p", pidstr(v), NULL);
	status_is(&r, 1);
	row(&r, V0, "socket", "RAW icmp\n");
	row(&r, V0 + 1, "socket", "RAW6 ipv6-icmp\n");
	row(&r, V0 + 2, "socket", "RAW udp\n");
	lacks(&r, "0.0.0.0:1");
	lacks(&r, "[::]:58");
	if (failures)
		show(&r);
	stop(v);
}

/* ------------------------------------------------------------------ */
/* repoint                                                             */
/* ------------------------------------------------------------------ */

/*
 * Re-points V0 in a loop between a file (close-on-exec there: it never
 * leaks on V0), a pipe and a TCP listener, and V0+1 between the same file
 * (inheritable) and the pipe's write end.
 */
static void
repoint_victim(void *arg)
{
	char path[200];
	int f, p[2], s, port;

	(void)arg;
	snprintf(path, sizeof path, "%s/repointed", dir);
	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (f < 0 || pipe2(p, O_CLOEXEC) < 0)
		_exit(SKIP);
	s = tcp_listener("127.0.0.1", &port);
	fcntl(s, F_SETFD, FD_CLOEXEC);
	tell("%d %lu\n", port, ino_of(p[0]));
	for (;;) {
		dup3(f, V0, O_CLOEXEC);
		dup2(f, V0 + 1);
		dup2(p[0], V0);
		dup2(p[1], V0 + 1);
		dup2(s, V0);
	}
}

/* The row of fd in r's table, up to its newline, or "" if none. */
static const char *
row_of(const struct run *r, int fd, char *buf, size_t cap)
{
	char key[32];
	const char *at, *end;

	snprintf(key, sizeof key, "\n%7d  ", fd);
	if ((at = strstr(r->out, key)) == NULL)
		return "";
	at += strlen(key);
	end = strchr(at, '\n');
	snprintf(buf, cap, "%.*s", (int)(end ? end - at : (long)strlen(at)),
	    at);
	return buf;
}

void
repoint(void)
{
	char line[64], pipe_row[64], sock_row[128], file_row[256], b0[512],
	    b1[512], path[200];
	const char *r0, *r1;
	unsigned long pino;
	int port, i, runs = 300, seen[5] = { 0 };
	struct run r;
	pid_t v;

	v = victim(repoint_victim, NULL, line, sizeof line);
	if (sscanf(line, "%d %lu", &port, &pino) != 2)
		exit(1);
	snprintf(pipe_row, sizeof pipe_row, "pipe      pipe:[%lu]", pino);
	snprintf(sock_row, sizeof sock_row, "socket    TCP 127.0.0.1:%d "
	    "LISTEN  [LISTENING]", port);
	snprintf(file_row, sizeof file_row, "file      %s/repointed", dir);
	for (i = 0; i < runs && failures < 5; i++) {
		r = audit("-p", pidstr(v), NULL);
		if (r.status != 1 && r.status != 0)
			fail("run %d: exit status %d", i, r.status);
		r0 = row_of(&r, V0, b0, sizeof b0);
		r1 = row_of(&r, V0 + 1, b1, sizeof b1);
		/* V0: a pipe, the listener, absent (the close-on-exec
		 * file), or said to have changed; never the file. */
		if (strcmp(r0, pipe_row) == 0)
			seen[0]++;
		else if (strcmp(r0, sock_row) == 0)
			seen[1]++;
		else if (strcmp(r0, "unknown   (changed during scan)") == 0)
			seen[4]++;
		else if (r0[0] != '\0')
			fail("run %d: fd %d is \"%s\"", i, V0, r0);
		/* V0+1: the file or the pipe (write end), or changed. */
		if (strcmp(r1, file_row) == 0)
			seen[2]++;
		else if (strcmp(r1, pipe_row) == 0)
			seen[3]++;
		else if (strcmp(r1, "unknown   (changed during scan)") == 0)
			seen[4]++;
		else if (r1[0] != '\0')
			fail("run %d: fd %d is \"%s\"", i, V0 + 1, r1);
		if (failures)
			show(&r);
	}
	printf("repoint: %d runs: fd %d pipe %d, listener %d; fd %d file %d, "
	    "pipe %d; changed during scan %d\n", i, V0, seen[0], seen[1],
	    V0 + 1, seen[2], seen[3], seen[4]);
	stop(v);
	snprintf(path, sizeof path, "%s/repointed", dir);
	unlink(path);
}

/* ------------------------------------------------------------------ */
/* deleted                                                             */
/* ------------------------------------------------------------------ */

static void
deleted_victim(void *arg)
{
	char a[200], b[200];

	(void)arg;
	snprintf(a, sizeof a, "%s/x (deleted)", dir);	/* there */
	put(open(a, O_RDWR | O_CREAT, 0600), V0);
	snprintf(a, sizeof a, "%s/x", dir);		/* deleted */
	put(open(a, O_RDWR | O_CREAT, 0600), V0 + 1);
	unlink(a);
	snprintf(a, sizeof a, "%s/y (deleted)", dir);	/* both */
	put(open(a, O_RDWR | O_CREAT, 0600), V0 + 2);
	unlink(a);
	snprintf(a, sizeof a, "%s/z", dir);	/* unlinked, linked elsewhere */
	snprintf(b, sizeof b, "%s/z2", dir);
	put(open(a, O_RDWR | O_CREAT, 0600), V0 + 3);
	if (link(a, b) < 0)
		_exit(SKIP);
	unlink(a);
	tell("ok\n");
}

void
deleted(void)
{
	struct run r;
	char line[32], want[512];
	pid_t v = victim(deleted_victim, NULL, line, sizeof line);

	r = audit("-p", pidstr(v), NULL);
	status_is(&r, 1);
	snprintf(want, sizeof want, "%s/x\\x20(deleted)\n", dir);
	row(&r, V0, "file", want);
	snprintf(want, sizeof want, "%s/x (deleted)\n", dir);
	row(&r, V0 + 1, "file", want);
	snprintf(want, sizeof want, "%s/y\\x20(deleted) (deleted)\n", dir);
	row(&r, V0 + 2, "file", want);
	snprintf(want, sizeof want, "%s/z (deleted)\n", dir);
	row(&r, V0 + 3, "file", want);
	if (failures)
		show(&r);
	r = audit("--json", "-p", pidstr(v), NULL);
	snprintf(want, sizeof want, "\"fd\":%d,\"kind\":\"file\",\"target\":"
	    "\"%s/x (deleted)\",\"deleted\":false,", V0, dir);
	has(&r, want);
	snprintf(want, sizeof want, "\"fd\":%d,\"kind\":\"file\",\"target\":"
	    "\"%s/x\",\"deleted\":true,", V0 + 1, dir);
	has(&r, want);
	snprintf(want, sizeof want, "\"fd\":%d,\"kind\":\"file\",\"target\":"
	    "\"%s/y (deleted)\",\"deleted\":true,", V0 + 2, dir);
	has(&r, want);
	snprintf(want, sizeof want, "\"fd\":%d,\"kind\":\"file\",\"target\":"
	    "\"%s/z\",\"deleted\":true,", V0 + 3, dir);
	has(&r, want);
	if (failures)
		show(&r);
	stop(v);
	snprintf(want, sizeof want, "%s/x (deleted)", dir);
	unlink(want);
	snprintf(want, sizeof want, "%s/z2", dir);
	unlink(want);
}
