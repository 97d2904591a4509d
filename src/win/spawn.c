/*
 * spawn.c - ni_spawn over CreateProcessW.
 *
 * A Windows child inherits handles, not descriptors: with bInheritHandles
 * TRUE it gets every inheritable handle of the parent, whichever thread
 * made it inheritable and for whichever child (libuv #1490).  So ni_spawn
 * makes, for each handle the child is to get, an inheritable duplicate
 * that lives only for the one CreateProcessW call, and names exactly those
 * in a PROC_THREAD_ATTRIBUTE_HANDLE_LIST: two calls in two threads never
 * see each other's duplicates, and the parent's own handles keep their
 * flags.  The child's C runtime learns which descriptor each handle is
 * from the inheritance block it reads from STARTUPINFO's lpReserved2:
 *   int count; unsigned char flags[count]; HANDLE handles[count];
 * (packed), so a mapped descriptor keeps its number in a C child.
 */
#include <errno.h>
#include <io.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <noinherit.h>

#include "win.h"
#include "wincreate.h"

/* The C runtime's per-descriptor flags in the block (its ioinfo bits). */
#define CRT_FOPEN	0x01
#define CRT_FPIPE	0x08
#define CRT_FDEV	0x40
#define CRT_FTEXT	0x80

/* One child descriptor: the handle it gets (a duplicate, a console pseudo
 * handle, or NULL for none) and its flags in the block. */
struct slot {
	HANDLE h;
	unsigned char flags;
};

/* Everything one ni_spawn call makes; finish() undoes all of it. */
struct call {
	const ni_spawn_opts *o;
	wchar_t *app, *cmd, *env, *cwd;
	struct slot *slots;
	size_t nslots;
	HANDLE *dups;		/* the inheritable duplicates: the handle list */
	size_t ndups;
	unsigned char *crt;	/* the inheritance block, or NULL */
	size_t ncrt;
	LPPROC_THREAD_ATTRIBUTE_LIST attrs;
};

/* The handle behind a CRT descriptor, or NULL when it is not open (one
 * of 0-2 with no stream, as a GUI program has, included). */
static HANDLE
fd_handle(int fd)
{
	HANDLE h = ni__win_fd_handle(fd);	/* spares the CRT's handler */

	return h == INVALID_HANDLE_VALUE ? NULL : h;
}

/*
 * Which handle goes to which child descriptor: 0-2 as this process has
 * them unless mapped, then each mapping.  Sources are read from this
 * process's table, which nothing changes, so all mappings act at once.
 */
static int
plan_slots(struct call *c)
{
	const ni_spawn_opts *o = c->o;
	size_t n = 3, i;

	for (i = 0; i < o->c.nmaps; i++) {
		if (o->c.to[i] >= NI_WIN_SPAWN_FD_MAX || fd_handle(o->c.from[i]) == NULL) {
			errno = EBADF;
			return -1;
		}
		if ((size_t)o->c.to[i] >= n)
			n = (size_t)o->c.to[i] + 1;
	}
	c->slots = calloc(n, sizeof *c->slots);
	c->dups = calloc(n, sizeof *c->dups);
	if (c->slots == NULL || c->dups == NULL) {
		errno = ENOMEM;
		return -1;
	}
	c->nslots = n;
	for (i = 0; i < 3; i++)
		c->slots[i].h = fd_handle((int)i);
	for (i = 0; i < o->c.nmaps; i++)
		c->slots[o->c.to[i]].h = fd_handle(o->c.from[i]);
	return 0;
}

/*
 * 0-2 are text, as the child's runtime makes them from STARTUPINFO when
 * there is no block, so passing a block changes nothing for them; the
 * others binary, so bytes cross a mapped pipe or file unchanged, as on
 * POSIX.  FPIPE and FDEV as the runtime itself would set them.
 */
static unsigned char
crt_flags(HANDLE h, size_t fd)
{
	unsigned char f = CRT_FOPEN;

	switch (GetFileType(h)) {
	case FILE_TYPE_PIPE:
		f |= CRT_FPIPE;
		break;
	case FILE_TYPE_CHAR:
		f |= CRT_FDEV;
		break;
	}
	return fd < 3 ? f | CRT_FTEXT : f;
}

/*
 * An inheritable duplicate for each slot.  Legacy console pseudo handles
 * (Windows 7) cannot be listed and reach the child through its console:
 * they go to STARTUPINFO as they are.
 */
static int
dup_slots(struct call *c)
{
	HANDLE self = GetCurrentProcess(), d;
	size_t i;

	for (i = 0; i < c->nslots; i++) {
		struct slot *s = &c->slots[i];

		if (s->h == NULL)
			continue;
		s->flags = crt_flags(s->h, i);
		if (ni__win_is_console_pseudo(s->h))
			continue;
		if (!DuplicateHandle(self, s->h, self, &d, 0, TRUE,
		    DUPLICATE_SAME_ACCESS)) {
			errno = ni__win_errno(GetLastError());
			return -1;
		}
		s->h = d;
		c->dups[c->ndups++] = d;
	}
	return 0;
}

/* The inheritance block, only when a descriptor above 2 is mapped: the
 * child's runtime takes 0-2 from STARTUPINFO otherwise. */
static int
crt_block(struct call *c)
{
	size_t n = c->nslots, i;
	int count = (int)n;
	unsigned char *b;
	HANDLE h;

	if (n <= 3)
		return 0;
	/* At most 4 + NI_WIN_SPAWN_FD_MAX * 9 bytes: cbReserved2 is a WORD. */
	c->ncrt = sizeof count + n * (1 + sizeof h);
	if ((b = malloc(c->ncrt)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(b, &count, sizeof count);
	for (i = 0; i < n; i++) {
		h = c->slots[i].h != NULL ? c->slots[i].h : INVALID_HANDLE_VALUE;
		b[sizeof count + i] = c->slots[i].h != NULL ? c->slots[i].flags : 0;
		memcpy(b + sizeof count + n + i * sizeof h, &h, sizeof h);
	}
	c->crt = b;
	return 0;
}

/*
 * The handle list, checked by us first (Wine checks nothing, and takes an
 * empty list as "inherit everything").  None at all when there is nothing
 * to pass (bInheritHandles FALSE then), nor with close_fds false.
 */
static int
make_attrs(struct call *c)
{
	HANDLE std[3] = { c->slots[0].h, c->slots[1].h, c->slots[2].h };
	SIZE_T size = 0;

	if (!c->o->c.close_fds || c->ndups == 0)
		return 0;
	if (ni__win_check_handle_list(c->dups, c->ndups, std) != NI_HL_OK) {
		errno = EINVAL;		/* cannot happen: a bug here */
		return -1;
	}
	InitializeProcThreadAttributeList(NULL, 1, 0, &size);
	if ((c->attrs = malloc(size)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (!InitializeProcThreadAttributeList(c->attrs, 1, 0, &size)) {
		errno = ni__win_errno(GetLastError());
		free(c->attrs);
		c->attrs = NULL;
		return -1;
	}
	if (!UpdateProcThreadAttribute(c->attrs, 0,
	    PROC_THREAD_ATTRIBUTE_HANDLE_LIST, c->dups,
	    c->ndups * sizeof(HANDLE), NULL, NULL)) {
		errno = ni__win_errno(GetLastError());
		return -1;
	}
	return 0;
}

/*
 * Wine 8 fails CreateProcessW now and then with ERROR_INTERNAL_ERROR while
 * other processes are being started, by other threads or other programs
 * (about once in 3000 spawns in test_win_threads): no process could be
 * made this time, so EAGAIN, as fork(2) says it.
 */
static int
create_errno(DWORD err)
{
	return err == ERROR_INTERNAL_ERROR ? EAGAIN : ni__win_errno(err);
}

static int
launch(struct call *c, pid_t *pid)
{
	STARTUPINFOEXW si;
	PROCESS_INFORMATION pi;
	DWORD flags = 0;
	BOOL inherit = c->attrs != NULL || !c->o->c.close_fds;

	memset(&si, 0, sizeof si);
	si.StartupInfo.cb = c->attrs != NULL ? sizeof si : sizeof si.StartupInfo;
	si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
	si.StartupInfo.hStdInput = c->slots[0].h;
	si.StartupInfo.hStdOutput = c->slots[1].h;
	si.StartupInfo.hStdError = c->slots[2].h;
	si.StartupInfo.cbReserved2 = (WORD)c->ncrt;
	si.StartupInfo.lpReserved2 = c->crt;
	si.lpAttributeList = c->attrs;
	if (c->attrs != NULL)
		flags |= EXTENDED_STARTUPINFO_PRESENT;
	if (c->env != NULL)
		flags |= CREATE_UNICODE_ENVIRONMENT;
	if (!CreateProcessW(c->app, c->cmd, NULL, NULL, inherit, flags, c->env,
	    c->cwd, &si.StartupInfo, &pi)) {
		errno = create_errno(GetLastError());
		return -1;
	}
	CloseHandle(pi.hThread);
	*pid = (pid_t)(intptr_t)pi.hProcess;
	return 0;
}

/* A bad working directory fails as chdir(2) would, whatever CreateProcessW
 * and Wine would say (ERROR_DIRECTORY for both cases on Windows). */
static int
check_cwd(const wchar_t *cwd)
{
	DWORD a = GetFileAttributesW(cwd);

	if (a == INVALID_FILE_ATTRIBUTES) {
		errno = ni__win_errno(GetLastError());
		return -1;
	}
	if (!(a & FILE_ATTRIBUTE_DIRECTORY)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* Everything that can fail before a handle is duplicated. */
static int
prepare(struct call *c, const char *file, char *const argv[],
    char *const envp[])
{
	if ((c->cmd = ni__win_cmdline(argv)) == NULL)
		return -1;
	if (envp != NULL && (c->env = ni__win_envblock(envp)) == NULL)
		return -1;
	if (plan_slots(c) != 0)
		return -1;
	if (c->o->c.cwd != NULL && ((c->cwd = ni__win_widen(c->o->c.cwd)) == NULL ||
	    check_cwd(c->cwd) != 0))
		return -1;
	c->app = ni__win_resolve(file, c->o->c.search, envp, c->cwd);
	return c->app != NULL ? 0 : -1;
}

/* The duplicates exist from here to finish(): as briefly as can be. */
static int
start(struct call *c, pid_t *pid)
{
	if (dup_slots(c) != 0 || crt_block(c) != 0 || make_attrs(c) != 0)
		return -1;
	return launch(c, pid);
}

static void
finish(struct call *c)
{
	int err = errno;
	size_t i;

	for (i = 0; i < c->ndups; i++)
		CloseHandle(c->dups[i]);
	if (c->attrs != NULL) {
		DeleteProcThreadAttributeList(c->attrs);
		free(c->attrs);
	}
	free(c->crt);
	free(c->dups);
	free(c->slots);
	free(c->app);
	free(c->cmd);
	free(c->env);
	free(c->cwd);
	errno = err;
}

NI_API int
ni_spawn(pid_t *pid, const char *file, char *const argv[], char *const envp[],
    const ni_spawn_opts *o)
{
	struct call c;
	int r, saved = errno;

	if (pid == NULL || file == NULL || argv == NULL) {
		errno = EINVAL;
		return -1;
	}
	memset(&c, 0, sizeof c);
	c.o = o != NULL ? o : &ni__spawn_defaults;
	r = prepare(&c, file, argv, envp);
	if (r == 0)
		r = start(&c, pid);
	finish(&c);
	if (r == 0)
		errno = saved;
	return r;
}

/* No pidfds on Windows: the handle ni_spawn returns serves instead. */
NI_API int
ni_spawn_pidfd(int *pidfd, pid_t *pid, const char *file, char *const argv[],
    char *const envp[], const ni_spawn_opts *o)
{
	(void)pid;
	(void)file;
	(void)argv;
	(void)envp;
	(void)o;
	errno = pidfd == NULL ? EINVAL : ENOSYS;
	return -1;
}
