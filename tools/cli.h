/*
 * cli.h - the one layer every subcommand of `noinherit` speaks through:
 * its messages, its help text, its exit statuses, its option parsing
 * (getopt_long) and the escaping of names in its output.
 *
 * Messages are one line on the standard error, "noinherit: CMD: what\n",
 * written in one write(2).  Names in output come from other processes and
 * may hold any byte but NUL: text escapes what would disturb a terminal,
 * JSON is always valid UTF-8 (noinherit(1), "Strings are escaped ...").
 */
#ifndef NI_CLI_H
#define NI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define EXIT_USAGE 2		/* usage error, setup error, write error */
#define EXIT_CANNOT_EXEC 126	/* CMD found, but cannot be executed */
#define EXIT_NOT_FOUND 127	/* CMD not found */

/* Where cli_say writes: 2, or exec's saved copy of it; -1: nowhere. */
extern int cli_msg_fd;

/*
 * Says "noinherit: CMD: " and the formatted text as one line (CMD NULL:
 * "noinherit: " alone).  Truncated past 1 KiB; never fails the caller.
 */
void cli_say(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Flushes the standard output.  Returns status, or EXIT_USAGE (said as
 * "write error: ...") when something could not be written.
 */
int cli_finish(const char *cmd, int status);
/* Prints help on the standard output; 0, or EXIT_USAGE on a write error. */
int cli_help(const char *cmd, const char *help);

/*
 * CMD could not be executed, errno err: says why as sh(1) does ("command
 * not found", "is a directory", strerror) and returns 127 or 126.
 */
int cli_exec_failed(const char *cmd, const char *prog, int err);

/*
 * getopt_long, silent: optstring must start with '+' (options end at the
 * first operand: what follows CMD is CMD's) or '-' (operands come back in
 * order as 1), then ':'.  Set optind to 0 before the first call: that
 * resets getopt's state for a new argv.
 */
struct option;
int cli_getopt(int argc, char **argv, const char *optstring,
    const struct option *longopts);
/*
 * After cli_getopt returned '?' or ':': says "unknown option 'WORD' (try
 * --help)", or for ':' "option 'WORD' needs NEEDS (try --help)" (NEEDS:
 * "an argument", "a file name").  Returns EXIT_USAGE.
 */
int cli_bad_option(const char *cmd, int c, char **argv, const char *needs);
/*
 * The option cli_getopt just returned '?' or ':' for: a long one as
 * written ("--frob=1"), a short one alone ("-x" of "-hx").
 */
const char *cli_optword(char **argv);

/* ---- descriptors for CMD (fdmap.c) ------------------------------------ */

/* --pass-fd N is FROM = TO = N; --map-fd FROM:TO. */
struct cli_fdmap {
	int from;	/* the descriptor now */
	int to;		/* its number in CMD */
};
/*
 * Parses the value of --pass-fd (pass) or --map-fd into m; 0, or -1
 * (said, for subcommand cmd).
 */
int cli_parse_fdmap(const char *cmd, bool pass, const char *val,
    struct cli_fdmap *m);
/*
 * Checks the n mappings (each FROM open, each TO under the soft
 * RLIMIT_NOFILE, no TO claimed twice) and makes the ni_spawn options that
 * give CMD exactly them (all at once, PATH searched), for ni_exec or
 * ni_spawn.  NULL when something is wrong (said).
 */
struct ni_spawn_opts;
struct ni_spawn_opts *cli_fdmap_opts(const char *cmd,
    const struct cli_fdmap *m, size_t n);

/* ---- escaping (escape.c) --------------------------------------------- */

#define CLI_TEXT_KEEP_BACKSLASH 1u	/* Windows: it is the path separator */

/*
 * n bytes for a terminal: control characters (0x00-0x1f, 0x7f) and each
 * byte that is not part of valid UTF-8 as \xNN, a backslash as two (unless
 * CLI_TEXT_KEEP_BACKSLASH); valid UTF-8 is copied.
 */
void cli_put_text(FILE *f, const char *s, size_t n, unsigned flags);
/* The same for a string. */
void cli_puts_text(FILE *f, const char *s);
/*
 * A JSON string (RFC 8259): quote and backslash escaped, \n \r \t, other
 * control characters as \u00NN, valid UTF-8 copied, each byte that is not
 * valid UTF-8 as \ufffd.  NULL prints null.
 */
void cli_puts_json(FILE *f, const char *s);

#endif /* NI_CLI_H */
