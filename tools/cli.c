/*
 * cli.c - messages, help, exit statuses and option parsing of `noinherit`
 * (cli.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "procinfo.h"		/* pi_utf8_len */

int cli_msg_fd = STDERR_FILENO;

/*
 * Messages name programs and files, whose names may hold any byte: the
 * line is escaped as the reports escape names (cli_put_text), so that a
 * name cannot add a line, move the cursor or pass for another.  No
 * message's own text has a control character or a backslash.
 */
void
cli_say(const char *cmd, const char *fmt, ...)
{
	char raw[1024], line[4 * sizeof raw + 2];
	const unsigned char *s = (const unsigned char *)raw;
	size_t n, k, len = 0;
	va_list ap;
	int m;

	if (cli_msg_fd < 0)
		return;
	m = snprintf(raw, sizeof raw, "noinherit: %s%s", cmd ? cmd : "",
	    cmd ? ": " : "");
	if (m < 0 || (size_t)m >= sizeof raw - 1)
		m = 0;
	va_start(ap, fmt);
	(void)vsnprintf(raw + m, sizeof raw - (size_t)m, fmt, ap);
	va_end(ap);
	for (n = strlen(raw); n > 0; s += k, n -= k) {
		k = 1;
		if (*s == '\\') {
			line[len++] = '\\';
			line[len++] = '\\';
		} else if (*s < 0x20 || *s == 0x7f ||
		    (k = pi_utf8_len(s, n)) == 0) {
			len += (size_t)snprintf(line + len, 5, "\\x%02x", *s);
			k = 1;
		} else {
			memcpy(line + len, s, k);
			len += k;
		}
	}
	line[len++] = '\n';
	if (write(cli_msg_fd, line, len) < 0)
		return;		/* nowhere left to say it */
}

int
cli_finish(const char *cmd, int status)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	cli_say(cmd, "write error: %s", strerror(errno ? errno : EIO));
	return EXIT_USAGE;
}

int
cli_help(const char *cmd, const char *help)
{
	fputs(help, stdout);
	return cli_finish(cmd, 0);
}

int
cli_exec_failed(const char *cmd, const char *prog, int err)
{
	struct stat st;
	bool path = strchr(prog, '/') != NULL;

	if (err == ENOENT) {
		if (path)
			cli_say(cmd, "%.256s: %s", prog, strerror(err));
		else
			cli_say(cmd, "%.256s: command not found", prog);
		return EXIT_NOT_FOUND;
	}
	if (err == EACCES && path && stat(prog, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		cli_say(cmd, "%.256s: is a directory", prog);
	else
		cli_say(cmd, "%.256s: %s", prog, strerror(err));
	return EXIT_CANNOT_EXEC;
}

/* The index of the word cli_getopt last looked at. */
static int cli_word;

int
cli_getopt(int argc, char **argv, const char *optstring,
    const struct option *longopts)
{
	/*
	 * In '+' and '-' order nothing is permuted, and getopt_long moves
	 * optind past a word only once it is done with it: argv[optind] is
	 * the word it is about to read ("-xh" while inside it).
	 */
	cli_word = optind > 0 ? optind : 1;
	opterr = 0;
	return getopt_long(argc, argv, optstring, longopts, NULL);
}

const char *
cli_optword(char **argv)
{
	static char word[3];
	const char *w = argv[cli_word];

	/* A long option is named as written; a short one alone ("-x" of
	 * "-hx"). */
	if (w[0] == '-' && w[1] == '-')
		return w;
	word[0] = '-';
	word[1] = (char)optopt;
	word[2] = '\0';
	return word;
}

int
cli_bad_option(const char *cmd, int c, char **argv, const char *needs)
{
	if (c == ':')
		cli_say(cmd, "option '%.64s' needs %s (try --help)",
		    cli_optword(argv), needs);
	else
		cli_say(cmd, "unknown option '%.64s' (try --help)",
		    cli_optword(argv));
	return EXIT_USAGE;
}
