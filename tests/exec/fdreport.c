/*
 * fdreport - what the descriptors this process received across execve()
 * are, not only their numbers, so that the exec tests can tell a swap from
 * no change.
 *
 *   fdreport OUT [--write] [--echo]
 *
 * First lists the open descriptors (fdscan, before anything else opens
 * one); then, with --write, writes "to-N\n" into each of 0, 1 and 2 that is
 * open, and with --echo, reads one line from fd 0 and writes "echo:LINE"
 * to fd 1.  Last, creates OUT and writes one line per descriptor received:
 *
 *	FD DEV INO CLOEXEC TEXT
 *
 * DEV and INO from fstat(), CLOEXEC 1 or 0 (F_GETFD), TEXT the first line (up to 63 bytes, read with
 * pread at offset 0) of a regular file, or "-" for anything else or an
 * empty file.  Exit status 0, or 1 if anything failed.  Raw calls only.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdscan.h"

/* The first line of a regular file, or "-". */
static void
first_line(int fd, const struct stat *st, char text[64])
{
	ssize_t n;
	char *nl;

	strcpy(text, "-");
	if (!S_ISREG(st->st_mode))
		return;
	n = pread(fd, text, 63, 0);
	if (n <= 0) {
		strcpy(text, "-");
		return;
	}
	text[n] = '\0';
	nl = strchr(text, '\n');
	if (nl != NULL)
		*nl = '\0';
	if (text[0] == '\0')
		strcpy(text, "-");
}

static int
write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* --echo: one line from fd 0, back on fd 1 as "echo:LINE". */
static int
echo(void)
{
	char line[128] = "echo:";
	size_t len = 5;

	while (len < sizeof line - 1) {
		if (read(0, line + len, 1) != 1)
			return -1;
		if (line[len++] == '\n')
			break;
	}
	return write_all(1, line, len);
}

static int
report(const struct fdscan *l, const char *out)
{
	char text[64], line[160];
	struct stat st;
	size_t i;
	int ofd, rc = 0;

	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (ofd < 0)
		return -1;
	for (i = 0; i < l->n; i++) {
		if (fstat(l->v[i], &st) != 0) {
			rc = -1;
			continue;
		}
		first_line(l->v[i], &st, text);
		snprintf(line, sizeof line, "%d %llu %llu %d %s\n", l->v[i],
		    (unsigned long long)st.st_dev,
		    (unsigned long long)st.st_ino,
		    (fcntl(l->v[i], F_GETFD) & FD_CLOEXEC) != 0, text);
		if (write_all(ofd, line, strlen(line)) != 0)
			rc = -1;
	}
	if (close(ofd) != 0)
		rc = -1;
	return rc;
}

int
main(int argc, char **argv)
{
	struct fdscan l = { NULL, 0, 0 };
	char buf[16];
	int i, fd, rc = 0;

	if (argc < 2 || fdscan(&l) != 0)
		return 1;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--write") == 0) {
			for (fd = 0; fd <= 2; fd++) {
				if (fcntl(fd, F_GETFD) == -1)
					continue;
				snprintf(buf, sizeof buf, "to-%d\n", fd);
				if (write_all(fd, buf, strlen(buf)) != 0)
					rc = 1;
			}
		} else if (strcmp(argv[i], "--echo") == 0) {
			if (echo() != 0)
				rc = 1;
		} else {
			return 1;
		}
	}
	if (report(&l, argv[1]) != 0)
		rc = 1;
	fdscan_free(&l);
	return rc;
}
