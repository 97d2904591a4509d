/*
 * reach.c - enforce says which programs of the tree it cannot reach
 * (issue #12): at each exec, a target the dynamic loader will not preload
 * into -- statically linked (no PT_INTERP), set-user-ID or set-group-ID to
 * someone else, or with file capabilities -- is named once per run on the
 * exec'ing process's standard error:
 *
 *   noinherit: enforce: /sbin/ldconfig is statically linked: not enforced
 *
 * "Once per run": the tool makes a directory and names it
 * (NOINHERIT_NOTES), and a note is written only by the process that
 * creates the program's marker file there (O_EXCL).  The tool removes the
 * directory once the run's first process has exited (tools/notes.c).  The
 * shim never makes one, nor removes anything: the variable may have been
 * set by anyone in the tree, so a directory is used only if it looks like
 * the tool's (named noinherit-notes-*, not a symbolic link, ours, mode
 * 0700).  Where none can be used (another user after a setuid, no
 * directory, a hostile one in its place) the note is written anyway.
 *
 * Runs in exec hooks, possibly in a vfork child: raw system calls and the
 * stack only.
 */
#include "shim.h"

#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys.h"

/* The last programs this process noted, by hash: no system call for a
 * repeat. */
static uint64_t seen[16];
static unsigned nseen;

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/*
 * Files found reachable by this process (make starts /bin/sh again and
 * again): one stat then, instead of an open and two reads.
 */
struct known {
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
};
static struct known known[8];
static unsigned nknown;

static bool
is_known(const struct stat *st)
{
	for (unsigned i = 0; i < nknown && i < 8; i++)
		if (known[i].dev == st->st_dev && known[i].ino == st->st_ino &&
		    known[i].mtime.tv_sec == st->st_mtim.tv_sec &&
		    known[i].mtime.tv_nsec == st->st_mtim.tv_nsec)
			return true;
	return false;
}

/* Why the loader will not preload into path, or NULL. */
static const char *
unreachable(const char *path, int depth)
{
	unsigned char buf[256];
	struct stat st;
	const char *why = NULL;
	int fd;
	ssize_t n;

	if (syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0) != 0 ||
	    is_known(&st))
		return NULL;
	fd = sys_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (sys_fstat(fd, &st) != 0)
		goto out;
	if (((st.st_mode & S_ISUID) && st.st_uid != getuid()) ||
	    ((st.st_mode & S_ISGID) && st.st_gid != getgid())) {
		why = "is set-user-ID or set-group-ID: the loader ignores "
		    "LD_PRELOAD for it";
		goto out;
	}
	if (syscall(SYS_fgetxattr, fd, "security.capability", NULL, 0) > 0) {
		why = "has file capabilities: the loader ignores LD_PRELOAD "
		    "for it";
		goto out;
	}
	n = syscall(SYS_pread64, fd, buf, sizeof(buf) - 1, 0);
	if (n >= 4 && buf[0] == '#' && buf[1] == '!' && depth < 2) {
		char interp[256];
		size_t i = 2, k = 0;

		buf[n] = '\0';
		while (buf[i] == ' ' || buf[i] == '\t')
			i++;
		while (buf[i] != '\0' && buf[i] != ' ' && buf[i] != '\t' &&
		    buf[i] != '\n' && k < sizeof(interp) - 1)
			interp[k++] = (char)buf[i++];
		interp[k] = '\0';
		sys_close(fd);
		return k > 0 ? unreachable(interp, depth + 1) : NULL;
	}
	if (n >= (ssize_t)sizeof(Elf64_Ehdr) &&
	    memcmp(buf, ELFMAG, SELFMAG) == 0 && buf[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;
		Elf64_Phdr ph[64];	/* all of them, in one read */
		bool interp = false, dynamic = false;
		ssize_t got;

		memcpy(&eh, buf, sizeof(eh));
		if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
		    eh.e_phnum > 64)
			goto out;	/* not one the loader would run */
		got = syscall(SYS_pread64, fd, ph,
		    eh.e_phnum * sizeof(Elf64_Phdr), (off_t)eh.e_phoff);
		for (unsigned i = 0; got > 0 &&
		    i < (size_t)got / sizeof(Elf64_Phdr); i++) {
			interp |= ph[i].p_type == PT_INTERP;
			dynamic |= ph[i].p_type == PT_DYNAMIC;
		}
		if (got != (ssize_t)(eh.e_phnum * sizeof(Elf64_Phdr)))
			goto out;
		/* No PT_INTERP: static (a static-pie has PT_DYNAMIC but is
		 * its own loader, which does not preload either). */
		if (!interp && eh.e_type == ET_EXEC)
			why = "is statically linked: the shim cannot reach it";
		else if (!interp && eh.e_type == ET_DYN && dynamic &&
		    eh.e_entry != 0)
			why = "is statically linked: the shim cannot reach it";
		if (why == NULL) {
			struct known *k = &known[nknown++ % 8];

			k->dev = st.st_dev;
			k->ino = st.st_ino;
			k->mtime = st.st_mtim;
		}
	}
out:
	sys_close(fd);
	return why;
}

/* Whether dir is a marker directory the tool made for this user. */
static bool
notes_dir(const char *dir)
{
	static const char prefix[] = "noinherit-notes-";
	const char *base = strrchr(dir, '/');
	struct stat st;

	if (dir[0] != '/' || base == NULL ||
	    strncmp(base + 1, prefix, sizeof(prefix) - 1) != 0)
		return false;
	return syscall(SYS_newfstatat, AT_FDCWD, dir, &st,
	    AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid() && (st.st_mode & 0777) == 0700;
}

static void
note(const char *path, const char *why)
{
	const char *dir = shim_g.env_notes;
	uint64_t h = hash(path);
	char marker[1200], line[1400];
	size_t len;

	for (unsigned i = 0; i < nseen && i < 16; i++)
		if (seen[i] == h)
			return;
	seen[nseen++ % 16] = h;
	if (dir[0] != '\0' && strlen(dir) + 20 < sizeof(marker) &&
	    notes_dir(dir)) {
		static const char hex[] = "0123456789abcdef";
		size_t k = strlen(dir);
		int fd;

		memcpy(marker, dir, k);
		marker[k++] = '/';
		for (int i = 60; i >= 0; i -= 4)
			marker[k++] = hex[(h >> i) & 15];
		marker[k] = '\0';
		fd = sys_open(marker, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd < 0)
			return;		/* noted before in this run */
		sys_close(fd);
	}
	/* No stdio here (a vfork child): the line by hand. */
	len = 0;
#define PUT(s_, n_) do { \
	size_t m_ = (n_); \
	if (m_ > sizeof(line) - 1 - len) \
		m_ = sizeof(line) - 1 - len; \
	memcpy(line + len, (s_), m_); \
	len += m_; \
} while (0)
	PUT("noinherit: enforce: ", 20);
	for (size_t i = 0; path[i] != '\0' && i < 1024; i++) {
		/* A control byte in a name cannot start a line of its own. */
		char c = (unsigned char)path[i] < 0x20 || path[i] == 0x7f ?
		    '?' : path[i];

		PUT(&c, 1);
	}
	PUT(" ", 1);
	PUT(why, strlen(why));
	PUT("; not enforced\n", 15);
#undef PUT
	(void)sys_write(2, line, len);
}

/* Before an exec of path (searched in PATH when search and it has no
 * '/'): the note, if the shim cannot follow. */
void
shim_reach_check(const char *path, bool search)
{
	int saved = errno;
	const char *why;

	if (path == NULL || path[0] == '\0' || !shim_g.reinject ||
	    strcmp(shim_g.env_mode, "enforce") != 0)
		return;
	if (search && strchr(path, '/') == NULL) {
		const char *p = getenv("PATH");
		char cand[1024];

		if (p == NULL)
			p = "/bin:/usr/bin";
		for (;;) {
			size_t len = strcspn(p, ":"), n = strlen(path);

			if (len + n + 2 < sizeof(cand)) {
				memcpy(cand, p, len);
				cand[len] = '/';
				memcpy(cand + len + 1, path, n + 1);
				if (len == 0)
					memmove(cand, cand + 1, n + 1);
				if (syscall(SYS_faccessat, AT_FDCWD, cand,
				    X_OK, 0) == 0) {
					why = unreachable(cand, 0);
					if (why != NULL)
						note(cand, why);
					break;
				}
			}
			if (p[len] == '\0')
				break;
			p += len + 1;
		}
	} else if ((why = unreachable(path, 0)) != NULL) {
		note(path, why);
	}
	errno = saved;
}
