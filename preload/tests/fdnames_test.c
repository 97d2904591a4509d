/*
 * fdnames_test.c - fdnames_scan(), the numbers a program names to its child
 * (preload/fdnames.h), case by case: each form of argument and variable,
 * numbers that overflow, are negative, junk or too small, duplicates, more
 * than max, NULLs; then random inputs against the invariants (sorted,
 * distinct, > 2, why is one of the input strings).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fdnames.h"

#define SELF 4242L
#define END ((const char *)NULL)

/* Builds a NULL-terminated vector from the variadic strings up to END. */
static char **
vec(char **v, size_t cap, va_list *ap)
{
	size_t n = 0;
	const char *s;

	while ((s = va_arg(*ap, const char *)) != NULL && n + 1 < cap)
		v[n++] = (char *)s;
	v[n] = NULL;
	return v;
}

/*
 * expect(line, self, argv..., END, envp..., END, want fds..., -1): scans and
 * checks the count and every stored fd (max 16).
 */
static void
expect(int line, long self, ...)
{
	char *argv[32], *envp[32];
	struct fdname out[16];
	int want[64], nwant = 0, fd;
	size_t got;
	va_list ap;

	va_start(ap, self);
	vec(argv, 32, &ap);
	vec(envp, 32, &ap);
	while ((fd = va_arg(ap, int)) >= 0)
		want[nwant++] = fd;
	va_end(ap);

	memset(out, 0xa5, sizeof(out));
	got = fdnames_scan(argv, envp, self, out, 16);
	CHECK(got == (size_t)nwant, "line %d: %zu fds named, expected %d",
	    line, got, nwant);
	for (int i = 0; i < nwant && i < (int)got && i < 16; i++)
		CHECK(out[i].fd == want[i], "line %d: fd[%d] %d, expected %d",
		    line, i, out[i].fd, want[i]);
}

#define X(...) expect(__LINE__, __VA_ARGS__, -1)

static void
test_argv_options(void)
{
	X(SELF, "dpkg", "--status-fd=5", END, END, 5);
	X(SELF, "dpkg", "--status-fd", "5", "-i", "x.deb", END, END, 5);
	X(SELF, "gpg", "--status-fd", "7", "--passphrase-fd", "8",
	    "--command-fd=9", "--logger-fd", "10", "--attribute-fd=11", END,
	    END, 7, 8, 9, 10, 11);
	X(SELF, "Xwayland", "-displayfd", "6", END, END, 6);
	X(SELF, "prog", "--fd=12", "--fds=13,15,14", END, END, 12, 13, 14, 15);
	X(SELF, "dbus-daemon", "--print-address=7", "--print-pid", "8", END,
	    END, 7, 8);
	/* The value is missing, empty, negative, signed, junk, too big. */
	X(SELF, "prog", "--status-fd", END, END);
	X(SELF, "prog", "--status-fd=", END, END);
	X(SELF, "prog", "--status-fd=-5", END, END);
	X(SELF, "prog", "--status-fd", "-5", END, END);
	X(SELF, "prog", "--status-fd=+5", END, END);
	X(SELF, "prog", "--status-fd= 5", END, END);
	X(SELF, "prog", "--status-fd=5x", END, END);
	X(SELF, "prog", "--status-fd=0x5", END, END);
	X(SELF, "prog", "--status-fd=99999999999999999999999", END, END);
	X(SELF, "prog", "--status-fd=2147483648", END, END);
	X(SELF, "prog", "--status-fd=2147483647", END, END, INT_MAX);
	X(SELF, "prog", "--status-fd=007", END, END, 7);
	X(SELF, "prog", "--fds=3,,4", END, END);
	X(SELF, "prog", "--fds=3,x", END, END);
	X(SELF, "prog", "--fds=,3", END, END);
	X(SELF, "prog", "--fds=3,4,", END, END, 3, 4);
	/* stdio is never reported. */
	X(SELF, "prog", "--status-fd=1", "--logger-fd", "2", "--fds=0,3",
	    END, END, 3);
	/* Not options naming fds. */
	X(SELF, "prog", "--status=5", "status-fd=5", "--fdx=5", "--", "5",
	    "-", "6", "--=7", END, END);
	X(SELF, "--status-fd=5", END, END);	/* argv[0] is no option */
	/* jobserver: numbers only with '='; the fifo form names none. */
	X(SELF, "make", "--jobserver-auth=3,4", END, END, 3, 4);
	X(SELF, "make", "--jobserver-fds=5,6", END, END, 5, 6);
	X(SELF, "make", "--jobserver-auth=fifo:/tmp/3,4", END, END);
	X(SELF, "make", "--jobserver-auth", "3,4", END, END);
	X(SELF, "make", "-j2", "--jobserver-auth=3", END, END, 3);
	/* fd:N */
	X(SELF, "openssl", "-passin", "fd:3", "FD:4", "fd:x", "fd:", "xfd:5",
	    END, END, 3, 4);
}

static void
test_argv_paths(void)
{
	X(SELF, "diff", "/dev/fd/63", "/dev/fd/62", END, END, 62, 63);
	X(SELF, "sh", "-c", "cat </dev/fd/5 >/proc/self/fd/6; x", END, END,
	    5, 6);
	X(SELF, "prog", "--file=/dev/fd/7", "if=/proc/thread-self/fd/8",
	    END, END, 7, 8);
	X(SELF, "prog", "/proc/4242/fd/9", "/proc/4243/fd/10",
	    "/proc/x/fd/11", END, END, 9);
	X(0, "prog", "/proc/4242/fd/9", "/proc/0/fd/9", END, END);
	X(SELF, "/dev/fd/9", END, END, 9);		/* argv[0] too */
	X(SELF, "prog", "//dev/fd/3", "/dev/fd/3/", "(/dev/fd/4)", END, END,
	    3, 4);
	/* Other paths. */
	X(SELF, "prog", "/x/dev/fd/3", "a/dev/fd/4", "/dev/fd/5.txt",
	    "/dev/fd/6x", "/dev/fd/", "/dev/fd/-7", "/dev/fdx/8", "/dev/fd7",
	    "/proc/self/fd", "/proc/self/fdinfo/9", END, END);
	X(SELF, "prog", "/dev/fd/99999999999", "/dev/fd/2", END, END);
}

static void
test_env(void)
{
	X(SELF, "svc", END, "LISTEN_FDS=2", "LISTEN_PID=4242", END, 3, 4);
	X(SELF, "svc", END, "LISTEN_PID=4242", "LISTEN_FDS=1", END, 3);
	X(SELF, "svc", END, "LISTEN_FDS=2", "LISTEN_PID=4243", END);
	X(SELF, "svc", END, "LISTEN_FDS=2", END);
	X(0, "svc", END, "LISTEN_FDS=2", "LISTEN_PID=0", END);
	X(SELF, "svc", END, "LISTEN_FDS=0", "LISTEN_PID=4242", END);
	X(SELF, "svc", END, "LISTEN_FDS=-1", "LISTEN_PID=4242", END);
	X(SELF, "svc", END, "LISTEN_FDS=2", "LISTEN_PID=4242x", END);
	X(SELF, "svc", END, "LISTEN_FDS=2147483646", "LISTEN_PID=4242", END);
	/* The first definition wins, as getenv's. */
	X(SELF, "svc", END, "LISTEN_FDS=1", "LISTEN_PID=4242", "LISTEN_FDS=3",
	    END, 3);
	X(SELF, "svc", END, "LISTEN_PID=1", "LISTEN_FDS=1", "LISTEN_PID=4242",
	    END);
	X(SELF, "nginx", END, "NGINX=5;6;", END, 5, 6);
	X(SELF, "nginx", END, "NGINX=5:x;7;;-8;2;99999999999", END, 5, 7);
	X(SELF, "nginx", END, "NGINX=", "NGINX=9", END);
	X(SELF, "make", END, "MAKEFLAGS= -j2 --jobserver-auth=3,4", END, 3, 4);
	X(SELF, "make", END, "MAKEFLAGS=j --jobserver-fds=5,6 -- V=1", END,
	    5, 6);
	X(SELF, "make", END, "MFLAGS=-j --jobserver-auth=7,8", END, 7, 8);
	X(SELF, "cargo", END, "CARGO_MAKEFLAGS=-j --jobserver-auth=9,10", END,
	    9, 10);
	X(SELF, "make", END, "MAKEFLAGS=-j --jobserver-auth=fifo:/tmp/x", END);
	X(SELF, "make", END, "MAKEFLAGS=x--jobserver-auth=3,4", END);
	X(SELF, "make", END, "MAKEFLAGS=--jobserver-auth=3,x", END);
	X(SELF, "make", END, "NOTMAKEFLAGSX=--jobserver-auth=3,4", END);
	X(SELF, "weston", END, "WAYLAND_SOCKET=5", "WAYLAND_DISPLAY=6", END,
	    5);
	X(SELF, "app", END, "WAYLAND_SOCKET=wayland-0", END);
	X(SELF, "hook", END, "APT_HOOK_INFO_FD=6", "BASH_XTRACEFD=7",
	    "_LIBCONTAINER_INITPIPE=8", "EMPTY_FD=", "NEG_FD=-9", "X_FD=2",
	    END, 6, 7, 8);
	X(SELF, "hook", END, "APT_HOOK_INFO_FD=6", "APT_HOOK_INFO_FD=7", END,
	    6);
	X(SELF, "git", END, "GIT_TRACE=3", "GIT_TRACE_PACKET=9",
	    "GIT_TRACE2=10", "GIT_TRACE_SETUP=1", "GIT_TRACE_CURL=/tmp/5",
	    "GIT_TRACE_PERFORMANCE=true", END, 3, 9);
	/* Entries without '=', empty names, a bare name. */
	X(SELF, "x", END, "NGINX", "=5", "LISTEN_FDS", "MAKEFLAGS", END);
}

static void
test_edges(void)
{
	char *argv[] = { "prog", "--a-fd=9", "/dev/fd/4", "--b-fd", "7",
	    "/dev/fd/9", "--c-fd=4", NULL };
	char *envp[] = { "NGINX=7;", "LISTEN_FDS=1000000", "LISTEN_PID=4242",
	    "WAYLAND_SOCKET=2000000", NULL };
	char *small[] = { "p", "/dev/fd/10", "/dev/fd/8", "/dev/fd/12",
	    "/dev/fd/3", "/dev/fd/5", NULL };
	struct fdname out[8];
	size_t n;

	CHECK(fdnames_scan(NULL, NULL, SELF, NULL, 0) == 0, "NULLs");
	CHECK(fdnames_scan(NULL, NULL, SELF, out, 8) == 0, "NULLs");

	/* Duplicates: one entry per fd, sorted, why the first source. */
	n = fdnames_scan(argv, NULL, SELF, out, 8);
	CHECK(n == 3, "%zu", n);
	CHECK(out[0].fd == 4 && out[0].why == argv[2], "%d %s", out[0].fd,
	    out[0].why);
	CHECK(out[1].fd == 7 && out[1].why == argv[3], "%d %s", out[1].fd,
	    out[1].why);
	CHECK(out[2].fd == 9 && out[2].why == argv[1], "%d %s", out[2].fd,
	    out[2].why);
	/* argv ahead of envp. */
	{
		char *a[] = { "p", "/dev/fd/7", NULL };

		n = fdnames_scan(a, envp, 1, out, 8);
		CHECK(n == 2 && out[0].fd == 7 && out[0].why == a[1] &&
		    out[1].fd == 2000000 && out[1].why == envp[3],
		    "%zu %d", n, out[0].fd);
	}

	/* More than max: the smallest max stored, all counted. */
	n = fdnames_scan(small, NULL, SELF, out, 3);
	CHECK(n == 5, "%zu", n);
	CHECK(out[0].fd == 3 && out[1].fd == 5 && out[2].fd == 8,
	    "%d %d %d", out[0].fd, out[1].fd, out[2].fd);
	out[0].fd = -1;
	CHECK(fdnames_scan(small, NULL, SELF, out, 0) == 5, "max 0");
	CHECK(out[0].fd == -1, "max 0 wrote %d", out[0].fd);
	CHECK(fdnames_scan(small, NULL, SELF, NULL, 0) == 5, "NULL out");

	/* A range: 3..1000002, and 2000000, 7 and 4 and 9 within it. */
	n = fdnames_scan(argv, envp, SELF, out, 8);
	CHECK(n == 1000001, "%zu", n);
	for (int i = 0; i < 8; i++)
		CHECK(out[i].fd == 3 + i, "out[%d] %d", i, out[i].fd);
	CHECK(out[0].why == envp[1] && out[1].why == argv[2],
	    "%s %s", out[0].why, out[1].why);

	/* Runs that touch: 3..7 and 8 and 10 counted past max. */
	{
		char *a[] = { "p", "/dev/fd/10", "/dev/fd/8", "--x-fd=5", NULL };
		char *e[] = { "LISTEN_FDS=5", "LISTEN_PID=7", NULL };

		CHECK(fdnames_scan(a, e, 7, out, 1) == 7, "runs");
		CHECK(fdnames_scan(a, e, 7, out, 0) == 7, "runs");
		CHECK(fdnames_scan(a, e, 7, out, 8) == 7, "runs");
		CHECK(out[5].fd == 8 && out[6].fd == 10, "%d %d", out[5].fd,
		    out[6].fd);
	}
	/* The biggest range. */
	{
		char *e[] = { "LISTEN_FDS=2147483645", "LISTEN_PID=7", NULL };

		n = fdnames_scan(NULL, e, 7, out, 2);
		CHECK(n == 2147483645u, "%zu", n);
	}
}

/* Random tokens from pieces: the invariants hold, nothing crashes. */
static void
test_random(void)
{
	static const char *pieces[] = { "--", "-", "fd", "fds", "=", ",", ";",
	    ":", "3", "4", "17", "2", "0", "-1", "99999999999", "/dev/fd/",
	    "/proc/self/fd/", "/proc/7/fd/", "x", "LISTEN_FDS=", "LISTEN_PID=",
	    "7", "NGINX=", "MAKEFLAGS=", "--jobserver-auth=", "fifo:", " ",
	    "WAYLAND_SOCKET=", "_FD=", "GIT_TRACE=", "fd:", "print-address",
	    "" };
	static char buf[2][16][64];
	unsigned seed = 12345;

	for (int round = 0; round < 20000; round++) {
		char *v[2][17];
		struct fdname out[6];
		size_t n;

		for (int k = 0; k < 2; k++) {
			int count = (int)(rand_r(&seed) % 16);

			for (int i = 0; i < count; i++) {
				char *b = buf[k][i];
				int parts = (int)(rand_r(&seed) % 5);

				b[0] = '\0';
				for (int p = 0; p < parts; p++)
					strcat(b, pieces[rand_r(&seed) %
					    (sizeof(pieces) / sizeof(*pieces))]);
				v[k][i] = b;
			}
			v[k][count] = NULL;
		}
		n = fdnames_scan(v[0], v[1], 7, out, 6);
		for (size_t i = 0; i < n && i < 6; i++) {
			bool found = false;

			CHECK(out[i].fd > 2, "round %d: fd %d", round,
			    out[i].fd);
			CHECK(i == 0 || out[i].fd > out[i - 1].fd,
			    "round %d: not sorted", round);
			for (int k = 0; k < 2; k++)
				for (int j = 0; v[k][j] != NULL; j++)
					found |= out[i].why == v[k][j];
			CHECK(found, "round %d: why not an input", round);
		}
		/* max does not change the count. */
		CHECK(fdnames_scan(v[0], v[1], 7, NULL, 0) == n, "round %d",
		    round);
	}
}

int
main(void)
{
	test_argv_options();
	test_argv_paths();
	test_env();
	test_edges();
	test_random();
	if (check_failures != 0) {
		fprintf(stderr, "%d failures\n", check_failures);
		return 1;
	}
	printf("fdnames: ok\n");
	return 0;
}
