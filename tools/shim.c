/*
 * shim.c - what `trace` and `enforce` share: finding libnoinherit-preload.so,
 * the environment that carries it into CMD and every program CMD starts
 * (preload/FORMAT.md), the checks that say when it cannot reach CMD; and
 * `noinherit enforce` itself.
 *
 * Where the shim is looked for, first found wins:
 *   1. $NOINHERIT_PRELOAD, an absolute path (tests, unusual layouts);
 *   2. the installed one, NI_PRELOAD_REL relative to the directory of this
 *      executable (<bindir>/../<libdir>/noinherit/libnoinherit-preload.so),
 *      so that an installed tree can be moved;
 *   3. the build tree's, NI_PRELOAD_BUILD, compiled in.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "noinherit.h"
#include "trace.h"

#ifndef NI_PRELOAD_REL
#define NI_PRELOAD_REL "../lib/noinherit/libnoinherit-preload.so"
#endif

extern char **environ;

/* ------------------------------------------------------------------ */
/* Finding the shim                                                    */
/* ------------------------------------------------------------------ */

static bool
usable(const char *path)
{
	struct stat st;

	return path[0] == '/' && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The installed shim beside this executable, canonical, into buf. */
static bool
installed(char *buf)
{
	char exe[PATH_MAX], cand[2 * PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return false;
	*slash = '\0';
	snprintf(cand, sizeof cand, "%s/%s", exe, NI_PRELOAD_REL);
	return usable(cand) && realpath(cand, buf) != NULL;
}

const char *
shim_path(const char *who)
{
	static char buf[PATH_MAX];
	const char *env = getenv("NOINHERIT_PRELOAD");
	const char *path = NULL;

	if (env != NULL && *env != '\0') {
		if (!usable(env)) {
			cli_say(who, "NOINHERIT_PRELOAD=%.256s: not an absolute "
			    "path to a file", env);
			return NULL;
		}
		path = env;
	} else if (installed(buf)) {
		path = buf;
	}
#ifdef NI_PRELOAD_BUILD
	else if (usable(NI_PRELOAD_BUILD)) {
		path = NI_PRELOAD_BUILD;
	}
#endif
	if (path == NULL) {
		cli_say(who, "cannot find libnoinherit-preload.so (looked for "
		    "<this program's directory>/%s; set NOINHERIT_PRELOAD)",
		    NI_PRELOAD_REL);
		return NULL;
	}
	/* LD_PRELOAD separates its entries with spaces and colons. */
	if (strpbrk(path, " :\t\n") != NULL) {
		cli_say(who, "%.256s: LD_PRELOAD cannot hold a path with a space "
		    "or a colon; install the shim elsewhere", path);
		return NULL;
	}
	return path;
}

/* ------------------------------------------------------------------ */
/* The environment                                                     */
/* ------------------------------------------------------------------ */

static bool
is_var(const char *entry, const char *name)
{
	size_t n = strlen(name);

	return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

/* "LD_PRELOAD=shim:old..." with shim once, first. */
static char *
preload_var(const char *shim)
{
	const char *old = getenv("LD_PRELOAD"), *p, *q;
	size_t n = strlen(shim), len = 11 + n + (old ? strlen(old) : 0) + 2;
	char *v = malloc(len), *o;

	if (v == NULL)
		return NULL;
	o = v + snprintf(v, len, "LD_PRELOAD=%s", shim);
	for (p = old; p != NULL && *p != '\0'; p = q) {
		p += strspn(p, " :");
		q = p + strcspn(p, " :");
		if (q == p || ((size_t)(q - p) == n && memcmp(p, shim, n) == 0))
			continue;
		*o++ = ':';
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
	}
	*o = '\0';
	return v;
}

static char *
var(const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 2;
	char *v = malloc(len);

	if (v != NULL)
		snprintf(v, len, "%s=%s", name, value);
	return v;
}

/* enforce: the marker directory made for this run, or "" (notes.c). */
static char enforce_notes[PATH_MAX];

char **
shim_env(const char *shim, const char *mode, const char *log)
{
	static const char *const ours[] = { "LD_PRELOAD", "NOINHERIT_MODE",
	    "NOINHERIT_LOG", "NOINHERIT_ROOT", "NOINHERIT_NOTES" };
	char pid[24], **env;
	size_t n = 0, k = 0, i, j;

	while (environ[n] != NULL)
		n++;
	env = calloc(n + 6, sizeof *env);
	if (env == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof ours / sizeof ours[0]; j++)
			if (is_var(environ[i], ours[j]))
				break;
		if (j < sizeof ours / sizeof ours[0])
			continue;
		if ((env[k++] = strdup(environ[i])) == NULL)
			goto nomem;
	}
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	if ((env[k++] = preload_var(shim)) == NULL ||
	    (env[k++] = var("NOINHERIT_MODE", mode)) == NULL ||
	    (env[k++] = var("NOINHERIT_ROOT", pid)) == NULL ||
	    (log != NULL && (env[k++] = var("NOINHERIT_LOG", log)) == NULL))
		goto nomem;
	/* No directory (an unwritable TMPDIR): each note is said, maybe
	 * more than once. */
	if (strcmp(mode, "enforce") == 0 && enforce_notes[0] == '\0' &&
	    !shim_notes_make(enforce_notes, sizeof enforce_notes))
		enforce_notes[0] = '\0';
	if (enforce_notes[0] != '\0' &&
	    (env[k++] = var("NOINHERIT_NOTES", enforce_notes)) == NULL)
		goto nomem;
	return env;
nomem:
	shim_env_free(env);
	errno = ENOMEM;
	return NULL;
}

void
shim_env_free(char **env)
{
	size_t i;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

/* ------------------------------------------------------------------ */
/* Can the shim reach CMD?                                             */
/* ------------------------------------------------------------------ */

/* cmd looked up as execvp(3) does, into buf; false if not found. */
static bool
find_command(const char *cmd, char *buf, size_t cap)
{
	const char *path = getenv("PATH"), *p, *q;
	struct stat st;

	if (strchr(cmd, '/') != NULL) {
		snprintf(buf, cap, "%s", cmd);
		return true;
	}
	if (path == NULL)
		path = "/bin:/usr/bin";
	for (p = path;; p = q + 1) {
		q = strchr(p, ':');
		if (q == NULL)
			q = p + strlen(p);
		if ((size_t)snprintf(buf, cap, "%.*s%s%s", (int)(q - p), p,
		    q == p ? "" : "/", cmd) < cap && stat(buf, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
			return true;
		if (*q == '\0')
			return false;
	}
}

/* What the ELF header says; false if the file is not ELF. */
struct elfinfo {
	unsigned char cls;
	unsigned machine;
	bool interp;		/* has a PT_INTERP: dynamically linked */
};

static bool
read_elf(int fd, struct elfinfo *e)
{
	unsigned char id[EI_NIDENT];
	size_t i;

	memset(e, 0, sizeof *e);
	if (pread(fd, id, sizeof id, 0) != (ssize_t)sizeof id ||
	    memcmp(id, ELFMAG, SELFMAG) != 0)
		return false;
	e->cls = id[EI_CLASS];
	if (e->cls == ELFCLASS64) {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;

		if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh)
			return false;
		e->machine = eh.e_machine;
		for (i = 0; i < eh.e_phnum && i < 256; i++)
			if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff +
			    i * eh.e_phentsize)) == (ssize_t)sizeof ph &&
			    ph.p_type == PT_INTERP)
				e->interp = true;
	} else if (e->cls == ELFCLASS32) {
		Elf32_Ehdr eh;
		Elf32_Phdr ph;

		if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh)
			return false;
		e->machine = eh.e_machine;
		for (i = 0; i < eh.e_phnum && i < 256; i++)
			if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff +
			    i * eh.e_phentsize)) == (ssize_t)sizeof ph &&
			    ph.p_type == PT_INTERP)
				e->interp = true;
	} else {
		return false;
	}
	return true;
}

/* The interpreter of a "#!" script, into buf; false if not a script. */
static bool
read_shebang(int fd, char *buf, size_t cap)
{
	char line[256];
	ssize_t n = pread(fd, line, sizeof line - 1, 0);
	char *p, *end;

	if (n < 3 || line[0] != '#' || line[1] != '!')
		return false;
	line[n] = '\0';
	p = line + 2;
	p += strspn(p, " \t");
	end = p + strcspn(p, " \t\n");
	if (end == p || (size_t)(end - p) >= cap)
		return false;
	memcpy(buf, p, (size_t)(end - p));
	buf[end - p] = '\0';
	return true;
}

/* Tells why the shim cannot reach the program at path; depth: #! hops. */
static void
check_file(const char *who, const char *cmd, const char *path, int depth)
{
	const char *then = strcmp(who, "trace") == 0 ?
	    "what crosses its execs is still observed (ptrace), but not "
	    "where it made it" :
	    "it runs without enforcement";
	struct elfinfo e, self;
	char interp[256];
	struct stat st;
	int fd, sfd;

	fd = ni_open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0)
		goto out;
	if ((st.st_mode & S_ISUID && st.st_uid != getuid()) ||
	    (st.st_mode & S_ISGID && st.st_gid != getgid()))
		cli_say(who, "%.256s is set-user-ID or set-group-ID: the dynamic "
		    "loader ignores LD_PRELOAD for it; %s", cmd, then);
	else if (getxattr(path, "security.capability", NULL, 0) > 0)
		cli_say(who, "%.256s has file capabilities: the dynamic loader "
		    "ignores LD_PRELOAD for it; %s", cmd, then);
	if (read_shebang(fd, interp, sizeof interp)) {
		if (depth < 4)
			check_file(who, interp, interp, depth + 1);
		goto out;
	}
	if (!read_elf(fd, &e))
		goto out;
	if (!e.interp) {
		cli_say(who, "%.256s is statically linked: the shim cannot reach "
		    "it; %s (dynamically linked programs it starts are "
		    "reached)", cmd, then);
		goto out;
	}
	sfd = ni_open("/proc/self/exe", O_RDONLY);
	if (sfd >= 0 && read_elf(sfd, &self) &&
	    (self.cls != e.cls || self.machine != e.machine))
		cli_say(who, "%.256s is built for another architecture than the "
		    "shim (ELF class %d, machine %u): the dynamic loader will "
		    "not load it; %s", cmd, e.cls, e.machine, then);
	if (sfd >= 0)
		close(sfd);
out:
	if (fd >= 0)
		close(fd);
}

void
shim_check_command(const char *who, const char *cmd)
{
	char path[PATH_MAX];

	if (find_command(cmd, path, sizeof path))
		check_file(who, cmd, path, 0);
}

/* ------------------------------------------------------------------ */
/* enforce                                                             */
/* ------------------------------------------------------------------ */

static const char enforce_help[] =
    "usage: noinherit enforce [--] CMD [ARG...]\n"
    "\n"
    "Run CMD in place of this command with libnoinherit-preload.so in\n"
    "enforce mode: every descriptor CMD and the programs it starts\n"
    "create is close-on-exec unless the program asks for inheritance\n"
    "(dup2, fcntl(F_SETFD), ioctl(FIONCLEX)).  At each exec, what the\n"
    "new program's arguments or environment name (--status-fd 5,\n"
    "LISTEN_FDS, /dev/fd/5...) or what carries a lock crosses as it\n"
    "would without enforce.  Shells are left alone (NOINHERIT_EXEMPT\n"
    "adds names, see noinherit(1)).\n"
    "\n"
    "  -h, --help   print this help and exit\n"
    "\n"
    "Options end at the first argument that is not one, or at '--'.\n"
    "Exit status: CMD's own; 2 usage error, 126 CMD cannot be\n"
    "executed, 127 CMD not found.\n";

int
cmd_enforce(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *shim;
	char **env, **cmd;
	int c, err;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "+:h", longopts)) != -1) {
		if (c == 'h')
			return cli_help("enforce", enforce_help);
		return cli_bad_option("enforce", c, argv, "an argument");
	}
	if (optind >= argc) {
		cli_say("enforce", "no command given (try --help)");
		return EXIT_USAGE;
	}
	cmd = argv + optind;
	shim = shim_path("enforce");
	if (shim == NULL)
		return EXIT_USAGE;
	shim_check_command("enforce", cmd[0]);
	env = shim_env(shim, "enforce", NULL);
	if (env == NULL) {
		cli_say("enforce", "%s", strerror(errno));
		return EXIT_USAGE;
	}
	fflush(NULL);
	if (enforce_notes[0] != '\0')
		shim_notes_watch(enforce_notes);
	(void)execvpe(cmd[0], cmd, env);
	err = errno;
	shim_env_free(env);
	return cli_exec_failed("enforce", cmd[0], err);
}
