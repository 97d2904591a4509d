/*
 * exec.c - `noinherit exec [--pass-fd N]... [--map-fd FROM:TO]... [--] CMD
 * [ARG...]`: become CMD (no fork) with the standard streams and the named
 * descriptors only.
 *
 * The mappings act as if made all at once, as ni_spawn's do: a swap (3:4
 * and 4:3), a rotation through 0, 1 and 2, a FROM that is another
 * mapping's TO, and one FROM onto several TOs all mean "TO gets what FROM
 * was when the command started".  The method, after every check has passed
 * and before anything changes:
 *
 *   1. copy each distinct FROM above the highest TO (ni_dupfd: the copies
 *      are close-on-exec), so no dup2 below can overwrite a source that is
 *      still needed;
 *   2. ni_cloexec_from(3): every other descriptor, whatever its flag and
 *      even above a lowered RLIMIT_NOFILE, will close at exec;
 *   3. dup2 each copy onto its TO, inheritable (ni_dup2(copy, to, true));
 *   4. make 0, 1 and 2 inheritable where open and not a TO;
 *   5. execvp.
 *
 * Exit status when CMD does not run: 2 for a usage error or a descriptor
 * that cannot be passed, 127 when CMD is not found, 126 when it is found
 * but cannot be executed, as sh(1) reports them.  Messages go to the
 * standard error this command was started with, even when --map-fd gives
 * fd 2 to something else (a close-on-exec copy of it is kept for that).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "noinherit.h"

struct mapping {
	int from;	/* the descriptor now */
	int to;		/* its number in CMD */
	int copy;	/* step 1's copy of from, or -1 */
};

struct plan {
	struct mapping *m;
	size_t n;
	char **cmd;	/* NULL-terminated, cmd[0] is CMD */
};

#define say(...) cli_say("exec", __VA_ARGS__)

static const char exec_help[] =
    "usage: noinherit exec [--pass-fd N]... [--map-fd FROM:TO]... "
    "[--] CMD [ARG...]\n"
    "\n"
    "Run CMD in place of this command with descriptors 0, 1 and 2 and\n"
    "the named ones only; every other descriptor is closed at exec.\n"
    "\n"
    "  --pass-fd N         CMD gets fd N as fd N (= --map-fd N:N)\n"
    "  --map-fd FROM:TO    CMD gets this command's fd FROM as fd TO;\n"
    "                      all mappings apply at once (swaps work)\n"
    "  -h, --help          print this help and exit\n"
    "\n"
    "Options end at the first argument that is not one, or at '--'.\n"
    "Exit status if CMD does not run: 2 usage error or bad fd,\n"
    "126 CMD cannot be executed, 127 CMD not found.\n";

/*
 * A descriptor number: decimal digits only (no sign, no blanks), at most
 * INT_MAX.  Returns 0, or -1 when s is anything else.
 */
static int
parse_fd(const char *s, int *fd)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return -1;
	}
	*fd = (int)v;
	return 0;
}

/* "N" for --pass-fd, "FROM:TO" for --map-fd. */
static int
parse_mapping(const char *opt, const char *val, struct mapping *m)
{
	char buf[64];
	char *colon;

	if (strcmp(opt, "--pass-fd") == 0) {
		if (parse_fd(val, &m->from) != 0) {
			say("%s: '%.64s' is not a descriptor number "
			    "(a non-negative integer)", opt, val);
			return -1;
		}
		m->to = m->from;
		return 0;
	}
	colon = strchr(val, ':');
	if (colon == NULL || (size_t)(colon - val) >= sizeof buf) {
		say("%s: '%.64s' is not FROM:TO (two descriptor numbers)",
		    opt, val);
		return -1;
	}
	memcpy(buf, val, (size_t)(colon - val));
	buf[colon - val] = '\0';
	if (parse_fd(buf, &m->from) != 0 || parse_fd(colon + 1, &m->to) != 0) {
		say("%s: '%.64s' is not FROM:TO (two non-negative "
		    "descriptor numbers)", opt, val);
		return -1;
	}
	return 0;
}

/* Fills p from argv; returns 0, 1 for --help, or -1 (said). */
static int
parse_args(int argc, char **argv, struct plan *p)
{
	static const struct option longopts[] = {
		{ "pass-fd", required_argument, NULL, 'P' },
		{ "map-fd", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "+:h", longopts)) != -1) {
		switch (c) {
		case 'h':
			return 1;
		case 'P':
		case 'M':
			if (parse_mapping(c == 'P' ? "--pass-fd" : "--map-fd",
			    optarg, &p->m[p->n]) != 0)
				return -1;
			p->m[p->n++].copy = -1;
			break;
		default:
			(void)cli_bad_option("exec", c, argv, "an argument");
			return -1;
		}
	}
	if (optind >= argc) {
		say("no command given (try --help)");
		return -1;
	}
	p->cmd = argv + optind;
	return 0;
}

/*
 * Every check that can be made before anything changes: each FROM is
 * open, no TO is claimed by two different mappings (the same mapping
 * twice is harmless), and each TO fits under the soft RLIMIT_NOFILE
 * (dup2 cannot make a descriptor above it).  Returns 0 or -1 (said).
 */
static int
check_plan(const struct plan *p)
{
	struct rlimit rl;
	size_t i, j;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		rl.rlim_cur = RLIM_INFINITY;
	for (i = 0; i < p->n; i++) {
		const struct mapping *m = &p->m[i];

		if (ni_get_inheritable(m->from) < 0) {
			say("fd %d is not open", m->from);
			return -1;
		}
		if (rl.rlim_cur != RLIM_INFINITY &&
		    (rlim_t)m->to >= rl.rlim_cur) {
			say("fd %d is beyond the descriptor limit "
			    "(RLIMIT_NOFILE %llu)", m->to,
			    (unsigned long long)rl.rlim_cur);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (p->m[j].to == m->to && p->m[j].from != m->from) {
				say("fd %d is the target of two mappings "
				    "(%d:%d and %d:%d)", m->to, p->m[j].from,
				    p->m[j].to, m->from, m->to);
				return -1;
			}
		}
	}
	return 0;
}

/* True if fd is the TO of some mapping. */
static bool
is_target(const struct plan *p, int fd)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->m[i].to == fd)
			return true;
	return false;
}

/* ni_dupfd's EINVAL (minfd at the limit) and EMFILE, in words. */
static void
copy_failed(int fd, int minfd, int err)
{
	if (err == EINVAL || err == EMFILE)
		say("cannot copy fd %d above fd %d: no free descriptor "
		    "below RLIMIT_NOFILE", fd, minfd - 1);
	else
		say("cannot copy fd %d above fd %d: %s", fd, minfd - 1,
		    strerror(err));
}

/*
 * Step 1: one close-on-exec copy of each distinct FROM at minfd or above,
 * shared by the mappings with that FROM.  Also moves msg_fd to a copy of
 * fd 2 when fd 2 is a TO, so that exec's failure can still be reported to
 * the stream this command was given.  Returns 0 or -1 (said).
 */
static int
copy_sources(struct plan *p, int minfd)
{
	size_t i, j;

	if (is_target(p, STDERR_FILENO)) {
		int saved = -1;	/* fd 2 closed: no messages, as before */

		if (ni_get_inheritable(STDERR_FILENO) >= 0) {
			saved = ni_dupfd(STDERR_FILENO, minfd);
			if (saved < 0) {
				copy_failed(STDERR_FILENO, minfd, errno);
				return -1;
			}
		}
		cli_msg_fd = saved;
	}
	for (i = 0; i < p->n; i++) {
		struct mapping *m = &p->m[i];

		for (j = 0; j < i; j++)
			if (p->m[j].from == m->from)
				m->copy = p->m[j].copy;
		if (m->copy >= 0)
			continue;
		m->copy = ni_dupfd(m->from, minfd);
		if (m->copy < 0) {
			copy_failed(m->from, minfd, errno);
			return -1;
		}
	}
	return 0;
}

/* Closes copy once, however many mappings share it. */
static void
close_copy(struct plan *p, int copy)
{
	size_t i;

	if (copy < 0)
		return;
	for (i = 0; i < p->n; i++)
		if (p->m[i].copy == copy)
			p->m[i].copy = -1;
	(void)close(copy);
}

/* Steps 1 to 4: the descriptor table CMD is to get.  Returns 0 or -1. */
static int
apply_plan(struct plan *p)
{
	int fd, minfd = 3;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->m[i].to >= minfd)
			minfd = p->m[i].to + 1;
	if (copy_sources(p, minfd) != 0)
		return -1;
	(void)ni_cloexec_from(3);	/* fails only for a negative lowfd */
	for (i = 0; i < p->n; i++) {
		if (ni_dup2(p->m[i].copy, p->m[i].to, true) < 0) {
			say("cannot move fd %d to fd %d: %s", p->m[i].from,
			    p->m[i].to, strerror(errno));
			return -1;
		}
	}
	/* The copies are close-on-exec; closing them is only tidiness. */
	for (i = 0; i < p->n; i++)
		close_copy(p, p->m[i].copy);
	for (fd = 0; fd <= 2; fd++)
		if (!is_target(p, fd) && ni_get_inheritable(fd) >= 0)
			(void)ni_set_inheritable(fd, true);
	return 0;
}

int
cmd_exec(int argc, char **argv)
{
	struct plan p = { NULL, 0, NULL };
	int r;

	/* At most one mapping per argument. */
	p.m = calloc((size_t)argc, sizeof *p.m);
	if (p.m == NULL) {
		say("%s", strerror(errno));
		return EXIT_USAGE;
	}
	r = parse_args(argc, argv, &p);
	if (r != 0) {
		free(p.m);
		return r > 0 ? cli_help("exec", exec_help) : EXIT_USAGE;
	}
	if (check_plan(&p) != 0 || apply_plan(&p) != 0) {
		free(p.m);
		return EXIT_USAGE;
	}
	(void)execvp(p.cmd[0], p.cmd);
	r = cli_exec_failed("exec", p.cmd[0], errno);
	free(p.m);
	return r;
}
