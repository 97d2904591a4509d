/*
 * init.c - the shim's constructor: the environment read once, every real
 * function resolved, and in trace mode the origin table, the log and the
 * `start` record (FORMAT.md).
 *
 * The constructor of a preloaded library runs after those of the libraries
 * the program links, so a hook may be called first (from another library's
 * constructor): shim_mode() then runs shim_init() on the spot, and the
 * constructor finds the work done.
 */
#include "shim.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "resolve.h"
#include "sys.h"

struct shim_state shim_g;
__thread int shim_busy __attribute__((tls_model("initial-exec")));
void *shim_real[R_COUNT];

static const char *const real_names[R_COUNT] = {
#define SHIM_NAME(n) #n,
	SHIM_REALS(SHIM_NAME)
#undef SHIM_NAME
};

void *
shim_resolve(int which)
{
	int busy = shim_busy, saved = errno;
	void *fn;

	shim_busy = 1;		/* dlsym may allocate: no hook meanwhile */
	fn = dlsym(RTLD_NEXT, real_names[which]);
	shim_busy = busy;
	errno = saved;
	if (fn != NULL)
		__atomic_store_n(&shim_real[which], fn, __ATOMIC_RELAXED);
	return fn;
}

/*
 * Every real function, before any hook needs one: resolve.c's walk finds
 * most in one pass, dlsym the rest.  A hook that ran first (another
 * library's constructor) may have resolved its own already: kept.
 */
_Static_assert(R_COUNT <= RESOLVE_MAX, "resolve.c takes RESOLVE_MAX names");

static void
resolve_all(void)
{
	void *fns[R_COUNT];

	shim_find_next((const void *)&resolve_all, real_names, fns, R_COUNT);
	for (int i = 0; i < R_COUNT; i++) {
		if (__atomic_load_n(&shim_real[i], __ATOMIC_RELAXED) != NULL)
			continue;
		if (fns[i] != NULL)
			__atomic_store_n(&shim_real[i], fns[i],
			    __ATOMIC_RELAXED);
		else
			shim_resolve(i);
	}
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * Whether one of the colon-separated entries of LIST names this program:
 * an entry with a '/' is compared with the path it was executed by
 * (AT_EXECFN) and with /proc/self/exe (read only then), one without
 * with the basenames.  The entry "-" matches nothing (it drops the
 * default list, see is_exempt).
 */
static bool
in_list(const char *list, const char *execfn, const char *arg0)
{
	char exe[1024];
	bool exe_read = false;

	while (*list != '\0') {
		const char *end = strchr(list, ':');
		size_t len = end != NULL ? (size_t)(end - list) : strlen(list);
		const char *names[3] = { NULL, NULL, NULL };

		if (memchr(list, '/', len) != NULL) {
			if (!exe_read) {
				ssize_t n = sys_readlink("/proc/self/exe", exe,
				    sizeof(exe) - 1);

				exe[n > 0 ? n : 0] = '\0';
				exe_read = true;
			}
			names[0] = execfn;
			names[1] = exe;
		} else {
			names[0] = execfn != NULL ? base_name(execfn) : NULL;
			names[1] = arg0;
		}
		for (int i = 0; i < 2; i++)
			if (names[i] != NULL && len > 0 &&
			    strlen(names[i]) == len &&
			    memcmp(list, names[i], len) == 0)
				return true;
		list += len;
		if (*list == ':')
			list++;
	}
	return false;
}

/* Whether LIST has the entry "-". */
static bool
drops_default(const char *list)
{
	while (*list != '\0') {
		size_t len = strcspn(list, ":");

		if (len == 1 && list[0] == '-')
			return true;
		list += len;
		if (*list == ':')
			list++;
	}
	return false;
}

/*
 * Enforce-mode exemptions, by program basename: the name it was executed
 * by (AT_EXECFN) or its argv[0], a login shell's "-" dropped.  Neither
 * costs a system call, which matters: this runs in every process.
 *
 * Shells are exempt by default.  `exec 3<file` makes bash open(2) the
 * file, which lands on fd 3 because it is the lowest free one -- there is
 * no dup2 to tell the shim that fd 3 is meant for the children, and adding
 * O_CLOEXEC to that open would break `exec 3<file; child reads fd 3`.  A
 * shell's own descriptors are its redirections: leaving the shell alone
 * keeps every one of them working, while the programs it runs (which
 * inherit the shim) are enforced.
 */
#define SHIM_EXEMPT_DEFAULT "sh:bash:dash:zsh:ksh:mksh:busybox"

/*
 * NOINHERIT_EXEMPT adds to the default list; its entry "-" drops the
 * default list (then only the other entries are exempt).
 */
static bool
is_exempt(void)
{
	const char *list = getenv("NOINHERIT_EXEMPT");
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *arg0 = program_invocation_name;

	if (arg0 != NULL) {
		arg0 = base_name(arg0);
		if (*arg0 == '-')
			arg0++;
	}
	if ((list == NULL || !drops_default(list)) &&
	    in_list(SHIM_EXEMPT_DEFAULT, execfn, arg0))
		return true;
	return list != NULL && in_list(list, execfn, arg0);
}

/* What every exec's environment must carry on (reinject.c). */
static void
save_env(const char *mode)
{
	static const struct {
		const char *name;
		char *buf;
		size_t size;
	} vars[] = {
		{ "NOINHERIT_LOG", shim_g.env_log, sizeof(shim_g.env_log) },
		{ "NOINHERIT_ROOT", shim_g.env_root, sizeof(shim_g.env_root) },
		{ "NOINHERIT_EXEMPT", shim_g.env_exempt,
		    sizeof(shim_g.env_exempt) },
		{ "NOINHERIT_NOTES", shim_g.env_notes,
		    sizeof(shim_g.env_notes) },
		{ "NOINHERIT_STARTS", shim_g.env_starts,
		    sizeof(shim_g.env_starts) },
	};
	Dl_info info;

	strcpy(shim_g.env_mode, mode);
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i].name);

		if (v != NULL && strlen(v) < vars[i].size)
			strcpy(vars[i].buf, v);
	}
	/* The loader's name for this library: the LD_PRELOAD entry. */
	if (dladdr((void *)&save_env, &info) != 0 && info.dli_fname != NULL &&
	    info.dli_fname[0] == '/' &&
	    strlen(info.dli_fname) < sizeof(shim_g.env_self) &&
	    strpbrk(info.dli_fname, " :") == NULL)
		strcpy(shim_g.env_self, info.dli_fname);
	shim_g.reinject = true;
}

/*
 * Trace: this program's path, read at the first record that needs it (a
 * process that sends none never reads it).  Raw system calls only: this
 * may run in an exec hook of a vfork child, whose program is its
 * parent's, so the parent may keep what it wrote.
 */
const char *
shim_exe(void)
{
	ssize_t n;

	if (shim_g.exe[0] == '\0') {
		n = sys_readlink("/proc/self/exe", shim_g.exe,
		    sizeof(shim_g.exe) - 1);
		shim_g.exe[n > 0 ? n : 0] = '\0';
	}
	return shim_g.exe;
}

/* Trace without ptrace: the start record's cmdline, from /proc (else the
 * constructor's argv). */
static void
read_cmdline(void)
{
	ssize_t n;
	int fd;

	fd = sys_open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC, 0);
	if (fd >= 0) {
		size_t len = 0;

		while (len < sizeof(shim_g.cmdline) - 1) {
			n = sys_read(fd, shim_g.cmdline + len,
			    sizeof(shim_g.cmdline) - 1 - len);
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		sys_close(fd);
		shim_g.cmdline_len = len;
	} else if (shim_g.ctor_argv != NULL) {
		size_t len = 0;

		for (char **a = shim_g.ctor_argv; *a != NULL; a++) {
			size_t l = strlen(*a) + 1;

			if (len + l > sizeof(shim_g.cmdline) - 1)
				break;
			memcpy(shim_g.cmdline + len, *a, l);
			len += l;
		}
		shim_g.cmdline_len = len;
	}
	shim_g.cmdline[shim_g.cmdline_len] = '\0';
}

/*
 * The shim's own code range (its frames are dropped from backtraces) and
 * the main program's base (its dladdr name is argv[0], not a path), from
 * the program headers the loader has mapped: this library's, at
 * __ehdr_start, and the program's, at AT_PHDR.  No system call and no
 * lock; find_objects (dl_iterate_phdr) stands in where that fails.
 */
extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));

static void
load_range(const ElfW(Phdr) *ph, int n, uintptr_t bias, uintptr_t *lo,
    uintptr_t *hi)
{
	*lo = UINTPTR_MAX;
	*hi = 0;
	for (int i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (bias + ph[i].p_vaddr < *lo)
			*lo = bias + ph[i].p_vaddr;
		if (bias + ph[i].p_vaddr + ph[i].p_memsz > *hi)
			*hi = bias + ph[i].p_vaddr + ph[i].p_memsz;
	}
}

static bool
objects_from_headers(void)
{
	const ElfW(Ehdr) *eh = &__ehdr_start;
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(const void *)
	    ((const char *)eh + eh->e_phoff);
	const ElfW(Phdr) *mph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	size_t mn = getauxval(AT_PHNUM);
	uintptr_t bias = 0, lo, hi;
	bool found = false;

	/* This library: its first PT_LOAD maps offset 0, the ELF header. */
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
			bias = (uintptr_t)eh - ph[i].p_vaddr;
			found = true;
			break;
		}
	if (!found || mph == NULL || mn == 0)
		return false;
	load_range(ph, eh->e_phnum, bias, &shim_g.self_lo, &shim_g.self_hi);
	/* The program: PT_PHDR says where its headers are in its image. */
	for (size_t i = 0; i < mn; i++)
		if (mph[i].p_type == PT_PHDR) {
			load_range(mph, (int)mn, (uintptr_t)mph - mph[i].p_vaddr,
			    &lo, &hi);
			shim_g.main_base = lo & ~(uintptr_t)4095;
			return lo < hi;
		}
	return false;
}

static int
find_objects(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0, self = (uintptr_t)arg;
	bool first = shim_g.main_base == 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (info->dlpi_addr + ph->p_vaddr < lo)
			lo = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
			hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	if (first)
		shim_g.main_base = lo & ~(uintptr_t)4095;
	if (self >= lo && self < hi) {
		shim_g.self_lo = lo;
		shim_g.self_hi = hi;
	}
	return 0;
}

static void
after_fork_child(void)
{
	shim_g.pid = sys_getpid();
}

/*
 * kernel: the tool watches the tree with ptrace and makes the start
 * records itself (NOINHERIT_STARTS=kernel).  It is there, then, and no
 * connection is made to ask (each record still checks who listens).
 */
static int
trace_init(bool kernel)
{
	if (shim_g.log_path[0] == '\0' || shim_log_open(!kernel) != 0)
		return SHIM_OFF;	/* nowhere to report: do nothing */
	/* made_pid without a getpid() per creation (pthread_atfork costs a
	 * first malloc: trace mode only). */
	pthread_atfork(NULL, NULL, after_fork_child);
	shim_g.pid = sys_getpid();
	if (!objects_from_headers()) {
		shim_g.main_base = 0;
		dl_iterate_phdr(find_objects, (void *)&trace_init);
	}
	shim_unwind_init();	/* here, not in a hook (see table.c) */
	if (!kernel) {
		shim_exe();
		read_cmdline();
		shim_start_record();
	}
	return SHIM_TRACE;
}

void
shim_init(void)
{
	int expected = 0, busy = shim_busy, saved = errno, mode = SHIM_OFF;
	const char *env;

	if (!__atomic_compare_exchange_n(&shim_g.state, &expected, 1, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;		/* done, or under way (OFF until it is) */
	shim_busy = 1;
	resolve_all();
	env = getenv("NOINHERIT_MODE");
	if (env != NULL && strcmp(env, "trace") == 0) {
		const char *log = getenv("NOINHERIT_LOG");
		const char *starts = getenv("NOINHERIT_STARTS");
		bool kernel = starts != NULL && strcmp(starts, "kernel") == 0;

		if (log != NULL && strlen(log) < sizeof(shim_g.log_path))
			strcpy(shim_g.log_path, log);
		save_env("trace");
		mode = trace_init(kernel);
	} else if (env != NULL && strcmp(env, "enforce") == 0) {
		save_env("enforce");
		shim_g.exempt = is_exempt();
		mode = shim_g.exempt ? SHIM_OFF : SHIM_ENFORCE;
	}
	shim_g.mode = mode;
	__atomic_store_n(&shim_g.state, 2, __ATOMIC_RELEASE);
	shim_busy = busy;
	errno = saved;
}

/* glibc passes main's arguments to ELF constructors. */
__attribute__((constructor)) static void
shim_ctor(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)envp;
	shim_g.ctor_argv = argv;
	shim_init();
}
