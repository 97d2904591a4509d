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

int cli_msg_fd = STDERR_FILENO;

void
cli_say(const char *cmd, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (cli_msg_fd < 0)
		return;
	n = snprintf(line, sizeof line, "noinherit: %s%s", cmd ? cmd : "",
	    cmd ? ": " : "");
	if (n < 0 || (size_t)n >= sizeof line - 1)
		n = 0;
	va_start(ap, fmt);
	(void)vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	if (write(cli_msg_fd, line, (size_t)n) < 0)
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
