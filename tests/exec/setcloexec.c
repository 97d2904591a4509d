/*
 * setcloexec - an LD_PRELOAD module for the exec tests: before main(), sets
 * FD_CLOEXEC on each descriptor listed (decimal, blank-separated) in
 * NI_TEST_CLOEXEC_FDS, then removes that variable and LD_PRELOAD from the
 * environment, so the program's own children run without it.
 *
 * A test cannot hand `noinherit exec` a close-on-exec descriptor by
 * exec'ing it (the exec closes it); this makes one in its process, as a
 * program that had opened the descriptor itself would have it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>

__attribute__((constructor)) static void
set_cloexec_fds(void)
{
	const char *s = getenv("NI_TEST_CLOEXEC_FDS");
	char *end;
	long fd;

	if (s == NULL)
		return;
	for (;;) {
		fd = strtol(s, &end, 10);
		if (end == s)
			break;
		(void)fcntl((int)fd, F_SETFD, FD_CLOEXEC);
		s = end;
	}
	unsetenv("NI_TEST_CLOEXEC_FDS");
	unsetenv("LD_PRELOAD");
}
