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

int
cli_getopt(int argc, char **argv, const char *optstring,
    const struct option *longopts)
{
	opterr = 0;
	return getopt_long(argc, argv, optstring, longopts, NULL);
}

const char *
cli_optword(char **argv)
{
	/* An option missing its argument has just been stepped over. */
	return argv[optind - 1];
}

int
cli_bad_option(const char *cmd, int c, char **argv, const char *needs)
{
	char word[3] = { '-', (char)optopt, '\0' };

	if (c == ':') {
		cli_say(cmd, "option '%.64s' needs %s (try --help)",
		    cli_optword(argv), needs);
		return EXIT_USAGE;
	}
	/*
	 * An unknown long option (optopt 0) has been stepped over, and
	 * argv[optind - 1] is its word; an unknown short one may sit inside
	 * a cluster ("-hx"): it is named alone.
	 */
	cli_say(cmd, "unknown option '%.64s' (try --help)",
	    optopt == 0 ? argv[optind - 1] : word);
	return EXIT_USAGE;
}
