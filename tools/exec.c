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

struct plan {
	struct cli_fdmap *m;
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
			if (cli_parse_fdmap("exec", c == 'P', optarg,
			    &p->m[p->n++]) != 0)
				return -1;
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
	if ((o = cli_fdmap_opts("exec", p.m, p.n)) == NULL) {
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
