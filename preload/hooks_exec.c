/*
 * hooks_exec.c - every public way glibc starts a program: execve and the
 * exec family, fexecve, execveat, posix_spawn(p), system and popen.
 *
 * Both modes: the new program's environment gets back what the shim needs
 * when the program dropped it (reinject.c); exec*s that use environ
 * become their envp siblings then (execv -> execve, execvp -> execvpe).
 * enforce: the descriptors the program names to the new program, or that
 * carry its locks, cross if the shim made them close-on-exec (enforce.c):
 * exec* clears their flag just before the real call (set again if it
 * fails); posix_spawn, system and popen across the call, in the parent.
 * system's and popen's command is split into words for that (quotes
 * dropped), so `gpg --status-fd 5 ...` is read as it would be in argv.
 * trace writes the `exec` record (FORMAT.md) just before the
 * real call: for exec* in this process, whose image is about to change;
 * for posix_spawn, system and popen in the parent, since glibc reaches
 * the kernel through internal calls no hook sees.  An exec* hook may run
 * in a vfork child: shim_exec_record uses only the stack and raw system
 * calls, and leaves shim_busy clear before the real call.
 *
 * execl, execle and execlp gather their arguments on the stack, as glibc
 * does, and call the real execv, execve and execvp.
 */
#include "shim.h"

#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys.h"

extern char **environ;

/* The environment for the new program (reinject.c); never while the
 * shim itself is at work. */
static char *const *
exec_env(char *const envp[], char **vec, struct shim_envfix *b)
{
	char *const *r;
	int saved = errno;

	if (shim_busy)
		return envp;
	r = shim_env_fix(envp, vec, b);
	errno = saved;
	return r;
}

/*
 * Declares env_ (the environment to pass) and gb_ (enforce: what crosses,
 * its flags already cleared) in the hook's frame.  The copy of the
 * environment's pointers fits on the stack: the kernel takes at most a
 * quarter of the stack limit of arguments and environment together.
 */
#define EXEC_PREP(m, argv, envp) EXEC_PREP_FD(m, argv, envp, -1)
#define EXEC_PREP_FD(m, argv, envp, exec_fd) \
	char *env_vec_[shim_env_count(envp) + SHIM_ENV_EXTRA]; \
	struct shim_envfix env_buf_; \
	struct shim_giveback gb_; \
	char *const *env_ = exec_env(envp, env_vec_, &env_buf_); \
	gb_.n = 0; \
	if ((m) == SHIM_ENFORCE) { \
		int saved_ = errno; \
		shim_giveback_find(&gb_, argv, env_, sys_getpid()); \
		if ((exec_fd) >= 0) \
			shim_giveback_exec_fd(&gb_, exec_fd); \
		shim_giveback_exec(&gb_); \
		errno = saved_; \
	}

/* The exec returned: it failed; the flags go back. */
#define EXEC_FAILED() do { \
	if (gb_.n > 0) { \
		int e_ = errno; \
		shim_giveback_exec_failed(&gb_); \
		errno = e_; \
	} \
} while (0)

/* What a descriptor is, for fexecve's and execveat's target. */
static const char *
fd_target(int fd, char *buf, size_t size)
{
	char path[32];
	int saved = errno;
	ssize_t n;

	shim_proc_fd_path(path, fd);
	n = sys_readlink(path, buf, size - 1);
	errno = saved;
	if (n <= 0)
		return "";
	buf[n] = '\0';
	return buf;
}

HOOK int
execve(const char *path, char *const argv[], char *const envp[])
{
	int m = shim_mode();

	int r;
	NEXT(execve, -1);

	if (m == SHIM_TRACE)
		shim_exec_record("execve", path, argv);
	if (!shim_busy)
		shim_reach_check(path, false);
	EXEC_PREP(m, argv, envp);
	r = next(path, argv, env_);
	EXEC_FAILED();
	return r;
}

/* execv, execvp and the execl family use environ: when it lost what the
 * shim needs, the fixed copy goes through execve or execvpe instead. */
static int
exec_environ(int m, const char *path, char *const argv[], bool search)
{
	int r;

	if (!shim_busy)
		shim_reach_check(path, search);

	EXEC_PREP(m, argv, environ);
	if (env_ == environ) {
		if (search) {
			NEXT(execvp, -1);
			r = next(path, argv);
		} else {
			NEXT(execv, -1);
			r = next(path, argv);
		}
	} else if (search) {
		NEXT(execvpe, -1);
		r = next(path, argv, env_);
	} else {
		NEXT(execve, -1);
		r = next(path, argv, env_);
	}
	EXEC_FAILED();
	return r;
}

HOOK int
execv(const char *path, char *const argv[])
{
	int m = shim_mode();

	if (m == SHIM_TRACE)
		shim_exec_record("execv", path, argv);
	return exec_environ(m, path, argv, false);
}

HOOK int
execvp(const char *file, char *const argv[])
{
	int m = shim_mode();

	if (m == SHIM_TRACE)
		shim_exec_record("execvp", file, argv);
	return exec_environ(m, file, argv, true);
}

HOOK int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	int m = shim_mode(), r;
	NEXT(execvpe, -1);

	if (m == SHIM_TRACE)
		shim_exec_record("execvpe", file, argv);
	if (!shim_busy)
		shim_reach_check(file, true);
	EXEC_PREP(m, argv, envp);
	r = next(file, argv, env_);
	EXEC_FAILED();
	return r;
}

HOOK int
fexecve(int fd, char *const argv[], char *const envp[])
{
	int m = shim_mode(), r;
	NEXT(fexecve, -1);

	if (m == SHIM_TRACE) {
		char buf[512];

		shim_exec_record("fexecve", fd_target(fd, buf, sizeof(buf)),
		    argv);
	}
	EXEC_PREP_FD(m, argv, envp, fd);
	r = next(fd, argv, env_);
	EXEC_FAILED();
	return r;
}

#if __GLIBC_PREREQ(2, 34)	/* execveat's wrapper */
HOOK int
execveat(int dirfd, const char *path, char *const argv[],
    char *const envp[], int flags)
{
	int m = shim_mode(), r;
	NEXT(execveat, -1);

	if (m == SHIM_TRACE) {
		char buf[512];

		shim_exec_record("execveat", path != NULL && path[0] != '\0' ?
		    path : fd_target(dirfd, buf, sizeof(buf)), argv);
	}
	EXEC_PREP_FD(m, argv, envp, (flags & AT_EMPTY_PATH) && path != NULL &&
	    path[0] == '\0' ? dirfd : -1);
	r = next(dirfd, path, argv, env_, flags);
	EXEC_FAILED();
	return r;
}
#endif

/* The number of arguments from arg to the terminating NULL. */
#define COUNT_ARGS(n, arg) do { \
	va_list ap_; \
	(n) = 0; \
	if ((arg) != NULL) { \
		(n) = 1; \
		va_start(ap_, arg); \
		while (va_arg(ap_, char *) != NULL) \
			(n)++; \
		va_end(ap_); \
	} \
} while (0)

/*
 * argv[0..n] from arg and the arguments after it (COUNT_ARGS gave n),
 * NULL-terminated; ap is left just past the terminating NULL, where
 * execle's envp is.
 */
#define FILL_ARGS(argv, n, arg, ap) do { \
	(argv)[0] = (char *)(arg); \
	for (size_t i_ = 1; i_ <= (n); i_++) \
		(argv)[i_] = va_arg(ap, char *); \
	(argv)[n] = NULL; \
} while (0)

HOOK int
execl(const char *path, const char *arg, ...)
{
	int m = shim_mode();
	size_t n;
	va_list ap;

	COUNT_ARGS(n, arg);
	char *argv[n + 1];

	va_start(ap, arg);
	FILL_ARGS(argv, n, arg, ap);
	va_end(ap);
	if (m == SHIM_TRACE)
		shim_exec_record("execl", path, argv);
	return exec_environ(m, path, argv, false);
}

HOOK int
execlp(const char *file, const char *arg, ...)
{
	int m = shim_mode();
	size_t n;
	va_list ap;

	COUNT_ARGS(n, arg);
	char *argv[n + 1];

	va_start(ap, arg);
	FILL_ARGS(argv, n, arg, ap);
	va_end(ap);
	if (m == SHIM_TRACE)
		shim_exec_record("execlp", file, argv);
	return exec_environ(m, file, argv, true);
}

/* execle: the environment follows the terminating NULL. */
HOOK int
execle(const char *path, const char *arg, ...)
{
	int m = shim_mode(), r;
	char **envp;
	size_t n;
	va_list ap;
	NEXT(execve, -1);

	COUNT_ARGS(n, arg);
	char *argv[n + 1];

	va_start(ap, arg);
	FILL_ARGS(argv, n, arg, ap);
	envp = va_arg(ap, char **);
	va_end(ap);
	if (m == SHIM_TRACE)
		shim_exec_record("execle", path, argv);
	if (!shim_busy)
		shim_reach_check(path, false);
	EXEC_PREP(m, argv, envp);
	r = next(path, argv, env_);
	EXEC_FAILED();
	return r;
}

/*
 * posix_spawn, system, popen: the child's pid is not known yet (so
 * LISTEN_PID names nothing), and the flags are cleared in the parent
 * across the call (enforce.c).  The either-or lock's exclusive side is
 * held across posix_spawn and popen (fallback.c), not across system,
 * which waits for the command.
 */
struct spawn_prep {
	struct shim_giveback g;
	int token;
};

static void
spawn_enter(int m, struct spawn_prep *s, char *const argv[],
    char *const envp[], bool lock)
{
	int saved = errno;

	s->g.n = 0;
	s->token = 0;
	if (m != SHIM_ENFORCE)
		return;
	shim_giveback_find(&s->g, argv, envp, 0);
	shim_giveback_spawn_enter(&s->g);
	if (lock)
		s->token = shim_fdlock_exclusive_enter();
	errno = saved;
}

static void
spawn_leave(struct spawn_prep *s)
{
	int saved = errno;

	if (s->token != 0)
		shim_fdlock_exclusive_leave(s->token);
	s->token = 0;
	shim_giveback_spawn_leave(&s->g);
	errno = saved;
}

/*
 * system and popen take no environment: when the program removed what the
 * shim needs from environ, their command exports it first (the shell
 * itself then runs without the shim; what it starts has it).
 */
static bool
is_ours(const char *e, const struct shim_envfix *b)
{
	return (const char *)e >= (const char *)b &&
	    (const char *)e < (const char *)(b + 1);
}

static size_t
export_len(char *const *fixed, const struct shim_envfix *b,
    const char *cmd)
{
	size_t n = sizeof("export ; ") + strlen(cmd);

	for (size_t i = 0; fixed[i] != NULL; i++)
		if (is_ours(fixed[i], b))
			n += 4 * strlen(fixed[i]) + 3;
	return n;
}

static const char *
export_cmd(char *out, char *const *fixed, const struct shim_envfix *b,
    const char *cmd)
{
	char *o = out;

	o = stpcpy(o, "export");
	for (size_t i = 0; fixed[i] != NULL; i++) {
		const char *e = fixed[i], *eq;

		if (!is_ours(e, b) || (eq = strchr(e, '=')) == NULL)
			continue;
		*o++ = ' ';
		memcpy(o, e, (size_t)(eq - e + 1));
		o += eq - e + 1;
		*o++ = '\'';
		for (const char *v = eq + 1; *v != '\0'; v++) {
			if (*v == '\'') {
				o = stpcpy(o, "'\\''");
				continue;
			}
			*o++ = *v;
		}
		*o++ = '\'';
	}
	o = stpcpy(o, "; ");
	strcpy(o, cmd);
	return out;
}

/* Declares cmd_, the command to pass (see export_cmd). */
#define SHELL_PREP(command) \
	char *sh_vec_[shim_env_count(environ) + SHIM_ENV_EXTRA]; \
	struct shim_envfix sh_buf_; \
	char *const *sh_env_ = (command) != NULL ? \
	    exec_env(environ, sh_vec_, &sh_buf_) : environ; \
	char sh_cmd_[sh_env_ != environ ? \
	    export_len(sh_env_, &sh_buf_, (command)) : 1]; \
	const char *cmd_ = sh_env_ != environ ? \
	    export_cmd(sh_cmd_, sh_env_, &sh_buf_, (command)) : (command);

/* A shell command's words, for fdnames (quotes dropped): argv in vec. */
#define WORDS_MAX 256
static void
command_words(const char *cmd, char *buf, size_t size, char **vec)
{
	size_t n = 0, k = 0;

	vec[n++] = "sh";
	while (cmd != NULL && *cmd != '\0' && n < WORDS_MAX - 1 &&
	    k < size - 1) {
		while (*cmd == ' ' || *cmd == '\t' || *cmd == '\n')
			cmd++;
		if (*cmd == '\0')
			break;
		vec[n++] = buf + k;
		while (*cmd != '\0' && *cmd != ' ' && *cmd != '\t' &&
		    *cmd != '\n' && k < size - 1) {
			if (*cmd != '\'' && *cmd != '"')
				buf[k++] = *cmd;
			cmd++;
		}
		buf[k++] = '\0';
	}
	vec[n] = NULL;
}

/*
 * trace: the spawn's record went out before the call; when the call fails
 * a second record says so, since there may be no child to which the first
 * applies (log.c, shim_spawn_failed_record).
 */
static void
spawn_failed(const char *call)
{
	int saved = errno;

	shim_spawn_failed_record(call);
	errno = saved;
}

HOOK int
posix_spawn(pid_t *pid, const char *path,
    const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	int m = shim_mode(), r;
	struct spawn_prep s;
	NEXT(posix_spawn, ENOSYS);

	if (m == SHIM_TRACE)
		shim_exec_record("posix_spawn", path, argv);
	if (!shim_busy)
		shim_reach_check(path, false);
	char *vec[shim_env_count(envp) + SHIM_ENV_EXTRA];
	struct shim_envfix b;
	char *const *env = exec_env(envp, vec, &b);

	spawn_enter(m, &s, argv, env, true);
	r = next(pid, path, actions, attr, argv, env);
	spawn_leave(&s);
	if (r != 0 && m == SHIM_TRACE)
		spawn_failed("posix_spawn");
	return r;
}

HOOK int
posix_spawnp(pid_t *pid, const char *file,
    const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	int m = shim_mode(), r;
	struct spawn_prep s;
	NEXT(posix_spawnp, ENOSYS);

	if (m == SHIM_TRACE)
		shim_exec_record("posix_spawnp", file, argv);
	if (!shim_busy)
		shim_reach_check(file, true);
	char *vec[shim_env_count(envp) + SHIM_ENV_EXTRA];
	struct shim_envfix b;
	char *const *env = exec_env(envp, vec, &b);

	spawn_enter(m, &s, argv, env, true);
	r = next(pid, file, actions, attr, argv, env);
	spawn_leave(&s);
	if (r != 0 && m == SHIM_TRACE)
		spawn_failed("posix_spawnp");
	return r;
}

/* system(NULL) asks whether there is a shell: glibc runs `exit 0`. */
HOOK int
system(const char *command)
{
	int m = shim_mode(), r;
	struct spawn_prep s;
	NEXT(system, -1);

	if (m == SHIM_TRACE) {
		char *argv[] = { "sh", "-c",
		    (char *)(command != NULL ? command : "exit 0"), NULL };

		shim_exec_record("system", "/bin/sh", argv);
	}
	if (m == SHIM_ENFORCE && command != NULL) {
		char buf[4096], *words[WORDS_MAX];

		command_words(command, buf, sizeof(buf), words);
		spawn_enter(m, &s, words, environ, false);
	} else {
		s.g.n = 0;
		s.token = 0;
	}
	SHELL_PREP(command);
	r = next(cmd_);
	spawn_leave(&s);
	return r;
}

/*
 * popen is an exec and a creation: glibc's parent end is made inheritable
 * unless the type has "e", which enforce adds.
 */
HOOK FILE *
popen(const char *command, const char *type)
{
	int m = shim_mode();
	bool asked = shim_mode_has_e(type, 64);
	bool ours = m == SHIM_ENFORCE && !asked;
	struct spawn_prep s;
	char buf[16];
	FILE *fp = NULL;
	NEXT(popen, NULL);

	if (m == SHIM_TRACE) {
		char *argv[] = { "sh", "-c", (char *)command, NULL };

		shim_exec_record("popen", "/bin/sh", argv);
	}
	if (m == SHIM_ENFORCE && command != NULL) {
		char cbuf[4096], *words[WORDS_MAX];

		command_words(command, cbuf, sizeof(cbuf), words);
		spawn_enter(m, &s, words, environ, true);
	} else {
		s.g.n = 0;
		s.token = 0;
	}
	SHELL_PREP(command);
	if (ours && type != NULL && strlen(type) + 2 <= sizeof(buf)) {
		int saved = errno;

		strcpy(buf, type);
		strcat(buf, "e");
		if (shim_probe_try(SHIM_P_POPEN)) {
			fp = next(cmd_, buf);
			if (!shim_probe_fallback(SHIM_P_POPEN,
			    fp != NULL ? 0 : -1))
				goto done;
		}
		/* pipe2(O_CLOEXEC) refused inside glibc: the program's own
		 * popen, then the flag (fallback.c), the lock's shared side
		 * instead of the exclusive one. */
		errno = saved;
		if (s.token != 0)
			shim_fdlock_exclusive_leave(s.token);
		s.token = 0;
		shim_fdlock_shared_enter();
		fp = next(cmd_, type);
		if (fp != NULL) {
			shim_set_cloexec(fileno(fp));
			shim_probe_refused(SHIM_P_POPEN);
		}
		shim_fdlock_shared_leave();
	} else {
		fp = next(cmd_, type);
	}
done:
	spawn_leave(&s);
	return shim_made_stream(m, fp, "popen", ours, asked);
}
