/*
 * spawnserver - a TCP server that hands each connection to a new program,
 * in the manner of inetd, with ni_spawn().
 *
 *   spawnserver [PORT] [-- PROGRAM [ARG...]]   serve on 127.0.0.1:PORT
 *   spawnserver --selftest                     one round trip, checked
 *   spawnserver --handler                      what is run per connection
 *
 * Per connection, the server starts PROGRAM (by default this program with
 * --handler) with the connection as its standard input and output, and
 * nothing else: not the listening socket, which would keep the port busy
 * after the server exits and let the child accept connections meant for
 * the server; not the other connections; not a descriptor some library
 * left inheritable.  ni_spawn() closes all of those in the child, whatever
 * their flag, and the server's own descriptors are never touched.
 *
 * The handler lists the descriptors it received beyond 0-2, reads one line
 * and answers "ok LINE" if there were none, "LEAK fd N ..." otherwise.
 *
 * --selftest plays both sides in one thread: it connects to its own
 * listening socket and sends a line (the connection waits in the backlog),
 * accepts and spawns the handler, then reads the answer.  It also holds an
 * inheritable dup() of the listening socket, as careless code would, to
 * show that ni_spawn() keeps even that one out.  Exit status 0 only if the
 * answer is "ok hello" and the handler exited 0.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
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

#define MAXFD 65536		/* how far the handler looks for leaks */

static void
die(const char *what)
{
	fprintf(stderr, "spawnserver: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ------------------------------------------------------------------ */
/* The handler: run per connection, on it as stdin and stdout.         */
/* ------------------------------------------------------------------ */

static int
handler(void)
{
	char line[512], leaks[512] = "";
	long max = sysconf(_SC_OPEN_MAX);
	size_t len = 0;
	int fd;

	/* 0 and 1 are the connection, 2 the server's stderr; nothing else. */
	if (max < 0 || max > MAXFD)
		max = MAXFD;
	for (fd = 3; fd < max; fd++)
		if (fcntl(fd, F_GETFD) != -1 && len < sizeof leaks - 16)
			len += (size_t)sprintf(leaks + len, " fd %d", fd);

	if (fgets(line, sizeof line, stdin) == NULL)
		return 1;
	if (len == 0)
		printf("ok %s", line);
	else
		printf("LEAK%s\n", leaks);
	return len == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* The server                                                           */
/* ------------------------------------------------------------------ */

/* A non-inheritable TCP socket listening on 127.0.0.1:port (0: any). */
static int
listen_loopback(int port)
{
	struct sockaddr_in sin;
	int s, on = 1;

	if ((s = ni_socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("ni_socket");
	(void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	/* 127.0.0.1: INADDR_LOOPBACK is not POSIX, and _POSIX_C_SOURCE hides it
	 * on the BSDs and macOS. */
	sin.sin_addr.s_addr = htonl(0x7f000001);
	if (bind(s, (struct sockaddr *)&sin, sizeof sin) == -1)
		die("bind");
	if (listen(s, 16) == -1)
		die("listen");
	return s;
}

static struct sockaddr_in
address_of(int s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;

	if (getsockname(s, (struct sockaddr *)&sin, &len) == -1)
		die("getsockname");
	return sin;
}

/*
 * Accepts one connection and starts argv on it, the connection as the
 * child's stdin and stdout.  Returns the child's pid, or -1.
 */
static pid_t
serve_one(int listener, char *const argv[])
{
	ni_spawn_opts *o;
	pid_t pid = -1;
	int conn;

	if ((conn = ni_accept(listener, NULL, NULL)) == -1) {
		perror("spawnserver: ni_accept");
		return -1;
	}
	/*
	 * The connection onto two descriptors of the child; everything else
	 * is closed there.  PATH is searched, so PROGRAM may be "cat".
	 */
	if ((o = ni_spawn_opts_new()) == NULL ||
	    ni_spawn_opts_map_fd(o, conn, STDIN_FILENO) == -1 ||
	    ni_spawn_opts_map_fd(o, conn, STDOUT_FILENO) == -1 ||
	    ni_spawn_opts_set_search_path(o, true) == -1 ||
	    ni_spawn(&pid, argv[0], argv, NULL, o) == -1) {
		fprintf(stderr, "spawnserver: %s: %s\n", argv[0],
		    strerror(errno));
		pid = -1;
	}
	ni_spawn_opts_free(o);
	/* The child has its own copy; the client sees EOF when it exits. */
	close(conn);
	return pid;
}

/* Serves forever. */
static void
serve(int port, char *const argv[])
{
	int s = listen_loopback(port);

	printf("spawnserver: listening on 127.0.0.1:%d, running %s "
	    "per connection\n", ntohs(address_of(s).sin_port), argv[0]);
	fflush(stdout);
	for (;;) {
		/*
		 * Reap the handlers that have finished (a handler that ends
		 * now waits as a zombie until the next connection).  Not
		 * SIGCHLD set to SIG_IGN: ignored signals stay ignored in the
		 * children.
		 */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			continue;
		(void)serve_one(s, argv);
	}
}

static int
selftest(const char *self)
{
	char *argv[] = { (char *)self, "--handler", NULL };
	const char hello[] = "hello\n";
	char answer[512];
	struct sockaddr_in sin;
	size_t got = 0;
	ssize_t n;
	int s, c, status;
	pid_t pid;

	alarm(30);		/* a hang is a failure too */
	ni_close_from(3);	/* whatever our own caller leaked goes */
	s = listen_loopback(0);
	if (dup(s) == -1)	/* inheritable, left open on purpose */
		die("dup");

	/* The client side: connect and send before the server accepts. */
	sin = address_of(s);
	if ((c = ni_socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("ni_socket");
	if (connect(c, (struct sockaddr *)&sin, sizeof sin) == -1)
		die("connect");
	if (write(c, hello, sizeof hello - 1) != (ssize_t)sizeof hello - 1)
		die("write");

	if ((pid = serve_one(s, argv)) == -1)
		return 1;

	/* Read to EOF: the handler's copies are the last ones open. */
	while ((n = read(c, answer + got, sizeof answer - 1 - got)) > 0)
		got += (size_t)n;
	if (n == -1)
		die("read");
	answer[got] = '\0';
	if (waitpid(pid, &status, 0) == -1)
		die("waitpid");

	printf("the handler answered: %s", got ? answer : "(nothing)\n");
	if (strcmp(answer, "ok hello\n") != 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		printf("FAIL: expected \"ok hello\" and exit status 0\n");
		return 1;
	}
	printf("PASS: the handler received its connection as 0 and 1, "
	    "and nothing else\n");
	return 0;
}

int
main(int argc, char **argv)
{
	char *handler_argv[] = { argv[0], "--handler", NULL };
	char **program = handler_argv;
	long port = 0;		/* 0: the kernel picks a free port */
	char *end;
	int i;

	if (argc == 2 && strcmp(argv[1], "--handler") == 0)
		return handler();
	if (argc == 2 && strcmp(argv[1], "--selftest") == 0)
		return selftest(argv[0]);

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 && i + 1 < argc) {
			program = argv + i + 1;
			break;
		}
		port = strtol(argv[i], &end, 10);
		if (i > 1 || *argv[i] == '\0' || *end != '\0' || port < 0 ||
		    port > 65535) {
			fprintf(stderr, "usage: spawnserver [PORT] "
			    "[-- PROGRAM [ARG...]]\n"
			    "       spawnserver --selftest | --handler\n");
			return 2;
		}
	}
	serve((int)port, program);
	return 1;
}
