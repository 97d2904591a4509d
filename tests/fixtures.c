/*
 * fixtures.c - see fixtures.h.  Like the rest of testutil it uses neither
 * libnoinherit nor cmocka: the fixtures return non-zero on failure, and
 * what may fail an assertion lives in fixtures.h.
 */
#define _GNU_SOURCE
#include "fixtures.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

char tu_tmpdir[PATH_MAX];
char tu_regfile[PATH_MAX];
struct rlimit tu_orig_nofile;

static const char *group_name = "test";
static unsigned name_seq;

int
tu_fixtures_init(const char *name)
{
	tu_close_inherited();
	umask(0);
	group_name = name;
	return getrlimit(RLIMIT_NOFILE, &tu_orig_nofile);
}

unsigned
tu_next_seq(void)
{
	return ++name_seq;
}

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

int
tu_group_setup(void **state)
{
	const char *base = getenv("TMPDIR");
	int fd;

	(void)state;
	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (snprintf(tu_tmpdir, sizeof tu_tmpdir, "%s/ni-test-%s-XXXXXX", base,
		     group_name) >= (int)sizeof tu_tmpdir)
		return -1;
	if (mkdtemp(tu_tmpdir) == NULL)
		return -1;
	if (snprintf(tu_regfile, sizeof tu_regfile, "%s/file", tu_tmpdir) >=
	    (int)sizeof tu_regfile)
		return -1;
	fd = open(tu_regfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "data", 4) != 4)
		return -1;
	return close(fd);
}

int
tu_group_teardown(void **state)
{
	(void)state;
	return nftw(tu_tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Which descriptors were open when the current test started, below
 * fds_scan. */
static bool *fds_at_start;
static int fds_scan;

int
tu_snapshot_fds(void **state)
{
	struct rlimit rl;
	int fd;

	(void)state;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	fds_scan = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (1u << 16))
		       ? 1 << 16 : (int)rl.rlim_max;
	free(fds_at_start);
	fds_at_start = calloc((size_t)fds_scan, sizeof *fds_at_start);
	if (fds_at_start == NULL)
		return -1;
	for (fd = 0; fd < fds_scan; fd++)
		fds_at_start[fd] = fcntl(fd, F_GETFD) != -1;
	return 0;
}

int
tu_restore_state(void **state)
{
	int fd, leaked = 0;

	(void)state;
	if (setrlimit(RLIMIT_NOFILE, &tu_orig_nofile) != 0)
		return -1;
	for (fd = 0; fd < fds_scan && fds_at_start != NULL; fd++) {
		if (!fds_at_start[fd] && fcntl(fd, F_GETFD) != -1) {
			close(fd);
			leaked++;
		}
	}
	/* printf, as cmocka's print_message: both write to stdout. */
	if (leaked > 0)
		printf("(teardown closed %d descriptor(s) left open)\n", leaked);
	return 0;
}
