/*
 * noinherit - the command-line face of libnoinherit.
 *
 * main() only dispatches: the top-level options (--help, --version) and a
 * table of subcommands, one function each.  A new subcommand (audit, exec,
 * trace, enforce) is one function and one row of `commands`.
 *
 * Exit status: 0 on success, 2 on a usage error or when the output cannot
 * be written.  Messages are one line on stderr, prefixed "noinherit: ".
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "noinherit.h"

/* ------------------------------------------------------------------ */
/* Help                                                                */
/* ------------------------------------------------------------------ */

static const char usage_text[] =
    "usage: noinherit command [argument ...]\n"
    "       noinherit -h | --help\n"
    "       noinherit -V | --version\n"
    "\n"
    "commands:\n"
#ifdef __linux__
    "  audit [-p PID... | --all] [--std] [--inherited] [--json]\n"
    "               descriptors that would leak into a child: this\n"
    "               command's own inherited ones (its caller's leaks), or\n"
    "               those of running processes\n"
#endif
    "  exec [--pass-fd N]... [--map-fd FROM:TO]... -- CMD [ARG...]\n"
    "               run CMD with stdio and the named descriptors only\n"
#ifdef __linux__
    "  trace [-o FILE] [--json] [--fail-on-leak] -- CMD [ARG...]\n"
    "               run CMD under the preload shim and report every\n"
    "               descriptor that crossed an exec into a program it\n"
    "               started, with the backtrace that made it\n"
    "  enforce -- CMD [ARG...]\n"
    "               run CMD under the preload shim: every descriptor\n"
    "               it creates is close-on-exec unless it asks otherwise\n"
#endif
    "  features     how this system makes descriptors non-inheritable:\n"
    "               each atomic mechanism, and the fallback used where\n"
    "               it is missing\n"
    "\n"
    "options:\n"
    "  -h, --help     print this help and exit\n"
    "  -V, --version  print the library version and exit\n";

static const char features_help[] =
    "usage: noinherit features\n"
    "\n"
    "How this system makes descriptors non-inheritable: each atomic\n"
    "mechanism, and the fallback the library uses where it is missing.\n"
    "\n"
    "  -h, --help   print this help and exit\n";

/* ------------------------------------------------------------------ */
/* features                                                            */
/* ------------------------------------------------------------------ */

/*
 * One row per NI_FEAT_* bit: the mechanism in words and, when it is
 * missing, what the library does instead.  Rows with a NULL fallback
 * compute it (the close_range rows depend on NI_FEAT_PROC_FD).
 */
struct feature {
	unsigned bit;
	const char *mechanism;
	const char *fallback;
	int linux_only;		/* the ni_ call fails with ENOSYS elsewhere */
};

static const struct feature features[] = {
	{ NI_FEAT_O_CLOEXEC, "open(O_CLOEXEC)",
	  "open(), then fcntl(FD_CLOEXEC)", 0 },
	{ NI_FEAT_SOCK_CLOEXEC, "socket(SOCK_CLOEXEC)",
	  "socket(), then fcntl(FD_CLOEXEC)", 0 },
	{ NI_FEAT_ACCEPT4, "accept4(SOCK_CLOEXEC)",
	  "accept(), then fcntl(FD_CLOEXEC)", 0 },
	{ NI_FEAT_DUPFD_CLOEXEC, "fcntl(F_DUPFD_CLOEXEC)",
	  "fcntl(F_DUPFD), then fcntl(FD_CLOEXEC)", 0 },
	{ NI_FEAT_DUP3, "dup3(O_CLOEXEC)",
	  "dup2(), then fcntl(FD_CLOEXEC)", 0 },
	{ NI_FEAT_PIPE2, "pipe2(O_CLOEXEC)",
	  "pipe(), then fcntl(FD_CLOEXEC)", 0 },
	{ NI_FEAT_CMSG_CLOEXEC, "recvmsg(MSG_CMSG_CLOEXEC)",
	  "recvmsg(), then fcntl(FD_CLOEXEC) on each received fd", 0 },
	{ NI_FEAT_EPOLL_CLOEXEC, "epoll_create1(EPOLL_CLOEXEC)",
	  "epoll_create1(0), then fcntl(FD_CLOEXEC)", 1 },
#ifdef __linux__
	{ NI_FEAT_FD_CLOEXEC_FLAGS, "EFD_/TFD_/SFD_/IN_/MFD_CLOEXEC",
	  "create without the flag, then fcntl(FD_CLOEXEC)", 0 },
#else
	/* The same bit stands for kqueue's flag on the BSDs. */
	{ NI_FEAT_FD_CLOEXEC_FLAGS, "kqueue1(O_CLOEXEC)/kqueuex()",
	  "kqueue(), then fcntl(FD_CLOEXEC)", 0 },
#endif
	{ NI_FEAT_FOPEN_E, "fopen(mode \"e\")",
	  "fopen(), then fcntl(FD_CLOEXEC)", 0 },
	{ NI_FEAT_FIOCLEX, "ioctl(FIOCLEX/FIONCLEX)",
	  "fcntl(F_GETFD/F_SETFD)", 0 },
#if defined(__linux__) || defined(__APPLE__)
	{ NI_FEAT_CLOSE_RANGE, "close_range()", NULL, 0 },
#else
	/* The same bit: one call closes the rest (src/closefds_bsd.c). */
	{ NI_FEAT_CLOSE_RANGE, "close_range()/closefrom()/F_CLOSEM", NULL, 0 },
#endif
	{ NI_FEAT_CLOSE_RANGE_CLOEXEC, "close_range(CLOSE_RANGE_CLOEXEC)",
	  NULL, 0 },
#ifdef __APPLE__
	/* The same bit: the table listed by the kernel (closefds_macos.c). */
	{ NI_FEAT_PROC_FD, "proc_pidinfo(PROC_PIDLISTFDS) walk",
	  "scan every fd up to the hard RLIMIT_NOFILE", 0 },
#else
	{ NI_FEAT_PROC_FD, "/proc/self/fd walk",
	  "scan every fd up to the hard RLIMIT_NOFILE", 0 },
#endif
	{ NI_FEAT_CLONE_VFORK, "spawn: clone(CLONE_VM|CLONE_VFORK)",
	  "fork (or not known before the first spawn)", 1 },
	{ NI_FEAT_CLONE3, "spawn: clone3(CLONE_CLEAR_SIGHAND)",
	  "clone, handlers reset one by one (or not known yet)", 1 },
	{ NI_FEAT_PIDFD, "pidfds (ni_spawn_pidfd)",
	  "none: ni_spawn_pidfd fails with ENOSYS", 1 },
};

static int
cmd_features(int argc, char **argv)
{
	unsigned have;
	size_t i;
	const char *fallback, *scan;

	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "+:h", longopts)) != -1) {
		if (c == 'h')
			return cli_help("features", features_help);
		return cli_bad_option("features", c, argv, "an argument");
	}
	if (optind < argc) {
		cli_say("features", "unexpected argument '%.64s' "
		    "(try --help)", argv[optind]);
		return EXIT_USAGE;
	}

	have = ni_features();
#ifdef __APPLE__
	scan = (have & NI_FEAT_PROC_FD) ? "walk proc_pidinfo's list" :
#else
	scan = (have & NI_FEAT_PROC_FD) ? "walk /proc/self/fd" :
#endif
	    "scan every fd up to the hard RLIMIT_NOFILE";

	printf("%-34s %s\n", "libnoinherit", ni_version());
	for (i = 0; i < sizeof features / sizeof features[0]; i++) {
		const struct feature *f = &features[i];

		if (have & f->bit) {
			printf("%-34s yes\n", f->mechanism);
			continue;
		}
#ifndef __linux__
		if (f->linux_only) {
			printf("%-34s no \u2014 not on this system "
			    "(the ni_ calls fail with ENOSYS)\n",
			    f->mechanism);
			continue;
		}
#endif
		fallback = f->fallback ? f->fallback : scan;
		printf("%-34s no \u2014 fallback: %s\n", f->mechanism,
		    fallback);
	}
	return cli_finish("features", 0);
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */
/* ------------------------------------------------------------------ */

/*
 * Each subcommand gets argv from its own name on (argv[0] is "features"),
 * prints its own messages and returns the exit status.
 */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
#ifdef __linux__
	{ "audit", cmd_audit },		/* it reads /proc */
	{ "enforce", cmd_enforce },	/* the shim is Linux-only */
#endif
	{ "exec", cmd_exec },
	{ "features", cmd_features },
#ifdef __linux__
	{ "trace", cmd_trace },
#endif
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *arg;
	size_t i;
	int c;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "+:hV", longopts)) != -1) {
		switch (c) {
		case 'h':
			return cli_help(NULL, usage_text);
		case 'V':
			printf("noinherit %s\n", ni_version());
			return cli_finish(NULL, 0);
		default:	/* an option here is a command mistyped */
			cli_say(NULL, "unknown command '%.64s' (try --help)",
			    cli_optword(argv));
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	arg = argv[optind];
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(arg, commands[i].name) == 0)
			return commands[i].run(argc - optind, argv + optind);

	cli_say(NULL, "unknown command '%.64s' (try --help)", arg);
	return EXIT_USAGE;
}
