/*
 * trace_check.c - runs programs under the shim and checks what came out.
 *
 *   preload_trace_check trace SHIM LEAKY LOG
 *       leaky.c under trace: every child's `start` record lists the file,
 *       the socket and the two pipe ends; every `exec` record (execv in
 *       the fork and vfork children, posix_spawn, system and popen in the
 *       parent) names each one's maker (open, socket, pipe) with a first
 *       frame in the leaky program's leak_* function; the log's own fd
 *       reaches no child; nothing is written to the program's stdout.
 *   preload_trace_check many SHIM LEAKY LOG
 *       100 leaked fds with 20-frame stacks: the start and exec records
 *       are split into parts under 4 KiB, and no fd is lost.
 *   preload_trace_check wrap SHIM LOG CMD...
 *       CMD under the shim in trace mode, listening on the channel as the
 *       tool does and appending the records to LOG as they come.
 *   preload_trace_check enforce SHIM LEAKY
 *       leaky.c under enforce: every child receives exactly 0, 1, 2, but
 *       for the two fds the last one is given on purpose (F_SETFD, FIONCLEX).
 *   preload_trace_check shell SHIM
 *       `exec 3<file; sh -c 'cat <&3'` in sh and bash under enforce: works
 *       (the shells are exempt, NOINHERIT_EXEMPT=nothing adds to them),
 *       and fails once they are not (NOINHERIT_EXEMPT=-) -- the reason for
 *       the exemption; `exec 3<file; cat /proc/self/fd/3` works even then,
 *       fd 3 being named in cat's argv.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static const char *shim;

struct run {
	char out[8192];
	int status;
};

/* argv under the shim in MODE, with the extra environment "K=V" EXTRA. */
static void
run(struct run *r, const char *mode, const char *log, const char *extra,
    char *const argv[])
{
	int p[2];
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		exit(2);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		setenv("LD_PRELOAD", shim, 1);
		setenv("NOINHERIT_MODE", mode, 1);
		if (log != NULL)
			setenv("NOINHERIT_LOG", log, 1);
		if (extra != NULL)
			putenv((char *)extra);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while (len < sizeof(r->out) - 1 &&
	    (n = read(p[0], r->out + len, sizeof(r->out) - 1 - len)) > 0)
		len += (size_t)n;
	r->out[len] = '\0';
	close(p[0]);
	waitpid(pid, &r->status, 0);
}

/* The status leaky printed for TAG, or -1. */
static int
tag_status(const char *out, const char *tag)
{
	char key[32];
	const char *at;

	snprintf(key, sizeof(key), "\n%s ", tag);
	at = strstr(out, key);
	return at != NULL ? atoi(at + strlen(key)) : -1;
}

/* The channel the shim sends to, and the file its records go into. */
static int chan = -1;
static char chan_spec[108];
static ino_t chan_ino;

static void
new_log(const char *log)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0) {
		perror(log);
		exit(2);
	}
	close(fd);
	if (chan < 0) {
		struct stat st;

		chan = chan_listen(chan_spec, sizeof(chan_spec));
		if (fstat(chan, &st) == 0)
			chan_ino = st.st_ino;
	}
}

/*
 * wrap SHIM LOG CMD...: CMD under the shim in trace mode, its records
 * collected into LOG as they come (CMD may read them back); CMD's status.
 */
static int
wrap(const char *log, char **argv)
{
	int status;
	pid_t pid, w;

	new_log(log);
	pid = fork();
	if (pid == 0) {
		setenv("LD_PRELOAD", shim, 1);
		setenv("NOINHERIT_MODE", "trace", 1);
		setenv("NOINHERIT_LOG", chan_spec, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	for (;;) {
		struct pollfd p = { chan, POLLIN, 0 };

		(void)poll(&p, 1, 20);
		chan_collect(chan, log);
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
	}
	chan_collect(chan, log);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static const char *tags[] = { "execv", "spawn", "system", "popen", "vfork",
    "again" };

/* ------------------------------------------------------------------ */
/* the log                                                             */
/* ------------------------------------------------------------------ */

static char *log_text;

static void
read_log(const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t cap = 1 << 20, len = 0, n;

	log_text = calloc(1, cap + 1);
	if (fp == NULL || log_text == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	while ((n = fread(log_text + len, 1, cap - len, fp)) > 0)
		len += n;
	fclose(fp);
}

/* Every line holding every needle (NULL-terminated): the parts of one
 * record, say.  A fresh string, lines separated by newlines, or NULL. */
static char *
find_line(const char *const needles[])
{
	char *found = NULL;
	size_t flen = 0;

	for (char *line = log_text; *line != '\0';) {
		char *end = strchr(line, '\n');
		size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
		char *copy = strndup(line, len);
		bool all = true;

		for (int i = 0; needles[i] != NULL && all; i++)
			all = strstr(copy, needles[i]) != NULL;
		if (all) {
			found = realloc(found, flen + len + 2);
			memcpy(found + flen, copy, len);
			flen += len;
			found[flen++] = '\n';
			found[flen] = '\0';
		}
		free(copy);
		line += len + (end != NULL);
	}
	return found;
}

/* The FD entry of line whose "what" starts with WHAT (the n-th such). */
static char *
entry(const char *line, const char *what, int nth)
{
	char key[4200];
	const char *at = line, *start, *end;

	snprintf(key, sizeof(key), "\"what\":\"%s", what);
	for (int i = 0; i <= nth; i++) {
		at = strstr(at, key);
		if (at == NULL)
			return NULL;
		at++;
	}
	for (start = at; start > line && strncmp(start, "{\"fd\":", 6) != 0;)
		start--;
	end = at + strcspn(at, "\n");
	if (strstr(at, "{\"fd\":") != NULL && strstr(at, "{\"fd\":") < end)
		end = strstr(at, "{\"fd\":");
	return strndup(start, (size_t)(end - start));
}

/* The sym of entry e's frame number i, or "". */
static void
frame_sym(const char *e, int i, char *out, size_t size)
{
	const char *f = strstr(e, "\"bt\":[{"), *sym, *end;

	*out = '\0';
	for (int k = 0; f != NULL && k < i; k++)
		f = strstr(f + 1, "},{");
	if (f == NULL)
		return;
	end = strchr(f + 7, '}');
	sym = strstr(f, "\"sym\":\"");
	if (sym == NULL || end == NULL || sym > end)
		return;
	snprintf(out, size, "%.*s", (int)strcspn(sym + 7, "\""), sym + 7);
}

/* An exec entry: made by MADE_BY in pid, first frame in SYM of leaky. */
static void
check_origin(const char *tag, const char *line, const char *what, int nth,
    const char *made_by, const char *sym, const char *leaky, int pid)
{
	char want[4200], *e = entry(line, what, nth);
	const char *bt, *close;

	CHECK(e != NULL, "%s: no %s entry in %s", tag, what, line);
	if (e == NULL)
		return;
	snprintf(want, sizeof(want), "\"made_by\":\"%s\",\"made_pid\":%d,",
	    made_by, pid);
	CHECK(strstr(e, want) != NULL, "%s: want %s in %s", tag, want, e);
	bt = strstr(e, "\"bt\":[{");
	CHECK(bt != NULL, "%s: no backtrace in %s", tag, e);
	if (bt != NULL) {
		char frame[1024];

		close = strchr(bt, '}');
		snprintf(frame, sizeof(frame), "%.*s", (int)(close - bt), bt);
		snprintf(want, sizeof(want), "\"obj\":\"%s\"", leaky);
		CHECK(strstr(frame, want) != NULL,
		    "%s: first frame %s, want %s", tag, frame, want);
		snprintf(want, sizeof(want), "\"sym\":\"%s\"", sym);
		CHECK(strstr(frame, want) != NULL,
		    "%s: first frame %s, want %s", tag, frame, want);
	}
	free(e);
}

static void
check_exec(const char *tag, const char *call, const char *leaky, int pid)
{
	char c[64], argv_end[64];
	const char *needles[] = { "\"ev\":\"exec\"", c, argv_end, NULL };
	char *line;

	snprintf(c, sizeof(c), "\"call\":\"%s\"", call);
	if (strcmp(call, "system") == 0 || strcmp(call, "popen") == 0)
		snprintf(argv_end, sizeof(argv_end), " child %s\"]", tag);
	else
		snprintf(argv_end, sizeof(argv_end), "\"child\",\"%s\"]", tag);
	line = find_line(needles);
	CHECK(line != NULL, "%s: no exec record with %s and %s", tag, c,
	    argv_end);
	if (line == NULL)
		return;
	check_origin(tag, line, leaky, 0, "open", "leak_open", leaky, pid);
	check_origin(tag, line, "socket:[", 0, "socket", "leak_socket", leaky,
	    pid);
	check_origin(tag, line, "pipe:[", 0, "pipe", "leak_pipe", leaky, pid);
	check_origin(tag, line, "pipe:[", 1, "pipe", "leak_pipe", leaky, pid);
	if (strcmp(tag, "again") == 0) {
		char sym[128], *e;

		check_origin(tag, line, "/dev/null", 0, "open", "leak_again",
		    leaky, pid);
		check_origin(tag, line, "/dev/zero", 0, "open", "leak_common",
		    leaky, pid);
		check_origin(tag, line, "/dev/zero", 1, "open", "leak_common",
		    leaky, pid);
		check_origin(tag, line, "/dev/urandom", 0, "open",
		    "leak_setfd", leaky, pid);
		check_origin(tag, line, "/dev/full", 0, "open",
		    "leak_fionclex", leaky, pid);
		for (int i = 0; i < 2; i++) {
			e = entry(line, "/dev/zero", i);
			frame_sym(e != NULL ? e : "", 1, sym, sizeof(sym));
			CHECK(strcmp(sym, i == 0 ? "via_a" : "via_b") == 0,
			    "/dev/zero #%d: second frame '%s'", i, sym);
			free(e);
		}
	}
	free(line);
}

static void
check_start(const char *tag, const char *leaky)
{
	char argv_end[64], what[4200];
	const char *needles[] = { "\"ev\":\"start\"", argv_end, NULL };
	char *line;

	snprintf(argv_end, sizeof(argv_end), "\"child\",\"%s\"]", tag);
	line = find_line(needles);
	CHECK(line != NULL, "%s: no start record", tag);
	if (line == NULL)
		return;
	snprintf(what, sizeof(what), "\"what\":\"%s\"", leaky);
	CHECK(strstr(line, what) != NULL, "%s: start lacks %s: %s", tag, what,
	    line);
	CHECK(strstr(line, "\"what\":\"socket:[") != NULL,
	    "%s: start lacks the socket: %s", tag, line);
	CHECK(strstr(line, "\"what\":\"pipe:[") != NULL &&
	    strstr(strstr(line, "\"what\":\"pipe:[") + 1, "\"what\":\"pipe:[")
	    != NULL, "%s: start lacks a pipe end: %s", tag, line);
	snprintf(what, sizeof(what), "\"what\":\"socket:[%lu]\"",
	    (unsigned long)chan_ino);
	CHECK(strstr(line, what) == NULL, "%s: the channel leaked: %s", tag,
	    line);
	free(line);
}

/* Every line a JSON object under 4 KiB. */
static void
check_lines(int min)
{
	int n = 0;

	for (char *line = log_text; *line != '\0'; n++) {
		char *end = strchr(line, '\n');

		CHECK(end != NULL, "line %d not terminated", n + 1);
		if (end == NULL)
			return;
		CHECK(end - line < 4095, "line %d: %d bytes", n + 1,
		    (int)(end - line));
		CHECK(strncmp(line, "{\"ev\":\"", 7) == 0 && end[-1] == '}',
		    "line %d: %.80s...", n + 1, line);
		line = end + 1;
	}
	CHECK(n >= min, "only %d records", n);
}

static void
trace(const char *leaky, const char *log)
{
	char *argv[] = { (char *)leaky, "parent", NULL };
	struct run r;
	int pid;

	new_log(log);
	run(&r, "trace", chan_spec, NULL, argv);
	chan_collect(chan, log);
	CHECK(r.status == 0, "leaky exited with %#x", r.status);
	CHECK(sscanf(r.out, "parent %d\n", &pid) == 1, "stdout: %s", r.out);
	/* Only leaky's own lines: the shim wrote nothing to stdout. */
	CHECK(strspn(r.out, "abcdefghijklmnopqrstuvwxyz0123456789 \n") ==
	    strlen(r.out), "stdout: %s", r.out);
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		int want = strcmp(tags[i], "again") == 0 ? 9 : 4;

		CHECK(tag_status(r.out, tags[i]) == want,
		    "%s child received %d fds, expected %d", tags[i],
		    tag_status(r.out, tags[i]), want);
	}
	read_log(log);
	check_lines(12);
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		check_start(tags[i], leaky);
	check_exec("execv", "execv", leaky, pid);
	check_exec("vfork", "execv", leaky, pid);
	check_exec("again", "execv", leaky, pid);
	check_exec("spawn", "posix_spawn", leaky, pid);
	check_exec("system", "system", leaky, pid);
	check_exec("popen", "popen", leaky, pid);
}

/* The fds (entries "{"fd":N,") of every line holding all needles. */
static int
count_fds(const char *const needles[], bool seen[1024], int *parts)
{
	int n = 0;

	*parts = 0;
	for (char *line = log_text; *line != '\0';) {
		char *end = strchr(line, '\n');
		size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
		char *copy = strndup(line, len);
		bool all = true;

		for (int i = 0; needles[i] != NULL && all; i++)
			all = strstr(copy, needles[i]) != NULL;
		for (char *at = copy; all && (at = strstr(at, "{\"fd\":"));) {
			int fd = atoi(at + 6);

			at++;
			if (fd > 2 && fd < 1024 && !seen[fd]) {
				seen[fd] = true;
				n++;
			}
		}
		*parts += all;
		free(copy);
		line += len + (end != NULL);
	}
	return n;
}

/* 100 leaked fds with deep backtraces: split records, none lost. */
static void
many(const char *leaky, const char *log)
{
	char *argv[] = { (char *)leaky, "many", NULL };
	const char *exec_rec[] = { "\"ev\":\"exec\"", "\"child\",\"many\"]",
	    NULL };
	const char *start_rec[] = { "\"ev\":\"start\"",
	    "\"child\",\"many\"]", NULL };
	bool seen[1024] = { false };
	struct run r;
	int n, parts;

	new_log(log);
	run(&r, "trace", chan_spec, NULL, argv);
	chan_collect(chan, log);
	CHECK(tag_status(r.out, "many") == 100, "many child received %d fds",
	    tag_status(r.out, "many"));
	read_log(log);
	check_lines(3);
	n = count_fds(exec_rec, seen, &parts);
	CHECK(n == 100 && parts > 1, "exec records: %d fds in %d parts", n,
	    parts);
	memset(seen, 0, sizeof(seen));
	n = count_fds(start_rec, seen, &parts);
	CHECK(n == 100 && parts > 1, "start records: %d fds in %d parts", n,
	    parts);
	/* Backtraces are cut, not dropped: the first frame is always there. */
	{
		const char *needles[] = { "\"ev\":\"exec\"", "\"part\":2,",
		    "\"child\",\"many\"]", NULL };
		char *line = find_line(needles);

		CHECK(line != NULL && strstr(line, "\"sym\":\"leak_deep\"") !=
		    NULL, "part 2: %s", line != NULL ? line : "(none)");
		free(line);
	}
}

static void
enforce(const char *leaky)
{
	char *argv[] = { (char *)leaky, "parent", NULL };
	struct run r;

	run(&r, "enforce", NULL, NULL, argv);
	CHECK(r.status == 0, "leaky exited with %#x", r.status);
	/* "again" gets the two fds leaky made inheritable on purpose. */
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		int want = strcmp(tags[i], "again") == 0 ? 2 : 0;

		CHECK(tag_status(r.out, tags[i]) == want,
		    "%s child received %d fds beyond 0-2, expected %d (stdout: "
		    "%s)", tags[i], tag_status(r.out, tags[i]), want, r.out);
	}
}

static void
shell(void)
{
	static const char content[] = "noinherit-shell-test\n";
	static const char *shells[] = { "/bin/sh", "/bin/bash" };
	char file[] = "/tmp/ni-preload-shell-XXXXXX", unnamed[128], named[128];
	int fd = mkstemp(file);

	if (fd < 0 || write(fd, content, strlen(content)) < 0)
		exit(2);
	close(fd);
	/* The child reads fd 3 without naming it in its argv... */
	snprintf(unnamed, sizeof(unnamed), "exec 3<%s; /bin/sh -c 'cat <&3'",
	    file);
	/* ... or names it: then it crosses even from an enforced shell. */
	snprintf(named, sizeof(named), "exec 3<%s; cat /proc/self/fd/3", file);
	for (size_t i = 0; i < 2; i++) {
		char *argv[] = { (char *)shells[i], "-c", unnamed, NULL };
		struct run r;

		if (access(shells[i], X_OK) != 0)
			continue;
		run(&r, "enforce", NULL, NULL, argv);
		CHECK(r.status == 0 && strcmp(r.out, content) == 0,
		    "%s, exempt: status %#x, output '%s'", shells[i], r.status,
		    r.out);
		/* "-" drops the default list: the shell is enforced. */
		run(&r, "enforce", NULL, "NOINHERIT_EXEMPT=-", argv);
		CHECK(r.status != 0 && strcmp(r.out, content) != 0,
		    "%s, not exempt: status %#x, output '%s' (the exemption "
		    "would be useless)", shells[i], r.status, r.out);
		/* Adding a name keeps the default list. */
		run(&r, "enforce", NULL, "NOINHERIT_EXEMPT=nothing", argv);
		CHECK(r.status == 0 && strcmp(r.out, content) == 0,
		    "%s, NOINHERIT_EXEMPT=nothing: status %#x, output '%s'",
		    shells[i], r.status, r.out);
		argv[2] = named;
		run(&r, "enforce", NULL, "NOINHERIT_EXEMPT=-", argv);
		CHECK(r.status == 0 && strcmp(r.out, content) == 0,
		    "%s, not exempt, fd named: status %#x, output '%s'",
		    shells[i], r.status, r.out);
	}
	unlink(file);
}

int
main(int argc, char **argv)
{
	/* What the harness leaked into us would shift the shells' fds. */
	if (syscall(SYS_close_range, 3, ~0u, 0) != 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	if (argc >= 3)
		shim = argv[2];
	if (argc >= 5 && strcmp(argv[1], "wrap") == 0)
		return wrap(argv[3], argv + 4);
	if (argc == 5 && strcmp(argv[1], "trace") == 0)
		trace(argv[3], argv[4]);
	else if (argc == 5 && strcmp(argv[1], "many") == 0)
		many(argv[3], argv[4]);
	else if (argc == 4 && strcmp(argv[1], "enforce") == 0)
		enforce(argv[3]);
	else if (argc == 3 && strcmp(argv[1], "shell") == 0)
		shell();
	else {
		fprintf(stderr, "usage: %s trace SHIM LEAKY LOG | enforce SHIM "
		    "LEAKY | shell SHIM\n", argv[0]);
		return 2;
	}
	if (check_failures == 0)
		printf("ok\n");
	return check_failures != 0;
}
