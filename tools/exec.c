/*
 * exec.c - `noinherit exec [--pass-fd N]... [--map-fd FROM:TO]... [--] CMD
 * [ARG...]`: become CMD (no fork) with the standard streams and the named
 * descriptors only.
 *
 * The mappings act as if made all at once, as ni_spawn's do: a swap (3:4
 * and 4:3), a rotation through 0, 1 and 2, a FROM that is another
 * mapping's TO, and one FROM onto several TOs all mean "TO gets what FROM
 * was when the command started".  This file checks the arguments and says
 * what is wrong in words; the plan itself is ni_exec's (src/exec.c), the
 * one ni_spawn follows: every other descriptor, whatever its flag and even
 * above a lowered RLIMIT_NOFILE, closes at exec, and a failed exec leaves
 * this process as it was.  CMD is looked up in PATH as execvp does, but a
 * file without #! is not handed to /bin/sh (ENOEXEC: 126).
 *
 * Exit status when CMD does not run: 2 for a usage error or a descriptor
 * that cannot be passed, 127 when CMD is not found, 126 when it is found
 * but cannot be executed, as sh(1) reports them.  Messages go to the
 * standard error this command was started with, even when --map-fd gives
 * fd 2 to something else (ni_exec gives fd 2 back when it fails).
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

/*
 * The plan as ni_exec takes it: the mappings, PATH search on (execvp's
 * lookup).  Returns the options, or NULL (said).
 */
static ni_spawn_opts *
make_opts(const struct plan *p)
{
	ni_spawn_opts *o = ni_spawn_opts_new();
	size_t i;

	if (o == NULL) {
		say("%s", strerror(errno));
		return NULL;
	}
	for (i = 0; i < p->n; i++) {
		if (ni_spawn_opts_map_fd(o, p->m[i].from, p->m[i].to) != 0) {
			say("fd %d to fd %d: %s", p->m[i].from, p->m[i].to,
			    strerror(errno));
			ni_spawn_opts_free(o);
			return NULL;
		}
	}
	(void)ni_spawn_opts_set_search_path(o, true);
	return o;
}

int
cmd_exec(int argc, char **argv)
{
	struct plan p = { NULL, 0, NULL };
	ni_spawn_opts *o;
	int r, err;

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
	if (check_plan(&p) != 0 || (o = make_opts(&p)) == NULL) {
		free(p.m);
		return EXIT_USAGE;
	}
	/* Returns only on failure, with this process as it was: fd 2 is
	 * still the stream this command was given. */
	(void)ni_exec(p.cmd[0], p.cmd, NULL, o);
	err = errno;
	ni_spawn_opts_free(o);
	if (err == EMFILE) {
		say("no free descriptor below RLIMIT_NOFILE to copy a "
		    "descriptor that a mapping overwrites");
		r = EXIT_USAGE;
	} else {
		r = cli_exec_failed("exec", p.cmd[0], err);
	}
	free(p.m);
	return r;
}
