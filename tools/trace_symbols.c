/*
 * trace_symbols.c - backtrace frames to function names and file:line.
 *
 * The shim logs each frame as an object and an offset from where dladdr(3)
 * says the object starts (dli_fbase), plus dladdr's symbol, which only
 * exported functions have: a program's own functions are not in its
 * dynamic symbol table unless it was linked with -rdynamic.  addr2line(1)
 * reads the full symbol table and, when present, the debug information:
 * it is run once per object with every offset of that object, without a
 * shell, through ni_spawn.  Where it is missing or knows nothing, the
 * frame keeps dladdr's symbol.
 *
 * dli_fbase is the lowest loaded page of the object (glibc: l_map_start),
 * which is the object's address 0 for a shared library or a PIE but
 * 0x400000, say, for a position-dependent program; addr2line wants the
 * address the object's own headers use, so the lowest PT_LOAD's p_vaddr,
 * rounded down to a page, is added back.  The frames are return addresses:
 * one byte back lands inside the call, on its line.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "noinherit.h"
#include "trace.h"

#define SHOWN_FRAMES 16		/* trace_report.c shows no more */
#define BATCH 256		/* addresses per addr2line run */

struct slot {
	const char *obj;	/* the file addr2line reads */
	unsigned long long off;
	struct frame *f;
};

/* ------------------------------------------------------------------ */
/* ELF: where offsets start                                            */
/* ------------------------------------------------------------------ */

/*
 * The lowest PT_LOAD's p_vaddr rounded down to a page, of the ELF file at
 * path; 0 if it cannot be read (a guess right for every PIE and library).
 */
static unsigned long long
load_base(const char *path)
{
	unsigned char id[EI_NIDENT];
	unsigned long long lo = ~0ULL, page = (unsigned long long)sysconf(_SC_PAGESIZE);
	int fd = ni_open(path, O_RDONLY);
	size_t i, n;

	if (fd < 0)
		return 0;
	if (pread(fd, id, sizeof id, 0) != (ssize_t)sizeof id ||
	    memcmp(id, ELFMAG, SELFMAG) != 0) {
		close(fd);
		return 0;
	}
	if (id[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;

		if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh)
			for (i = 0, n = eh.e_phnum; i < n && i < 256; i++)
				if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff +
				    i * eh.e_phentsize)) == (ssize_t)sizeof ph &&
				    ph.p_type == PT_LOAD && ph.p_vaddr < lo)
					lo = ph.p_vaddr;
	} else if (id[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;
		Elf32_Phdr ph;

		if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh)
			for (i = 0, n = eh.e_phnum; i < n && i < 256; i++)
				if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff +
				    i * eh.e_phentsize)) == (ssize_t)sizeof ph &&
				    ph.p_type == PT_LOAD && ph.p_vaddr < lo)
					lo = ph.p_vaddr;
	}
	close(fd);
	if (lo == ~0ULL || page == 0)
		return 0;
	return lo & ~(page - 1);
}

/* ------------------------------------------------------------------ */
/* addr2line                                                           */
/* ------------------------------------------------------------------ */

/*
 * Runs addr2line -f -C -e obj addr... with its output on a pipe; returns
 * the read end, or -1 (addr2line missing, or no resources).
 */
static int
run_addr2line(const char *tool, char **argv, pid_t *pid)
{
	ni_spawn_opts *o = ni_spawn_opts_new();
	int p[2] = { -1, -1 }, null = -1, rc = -1;

	if (o == NULL || ni_pipe(p) != 0)
		goto out;
	null = ni_open("/dev/null", O_RDWR);
	if (null < 0 || ni_spawn_opts_map_fd(o, null, 0) != 0 ||
	    ni_spawn_opts_map_fd(o, p[1], 1) != 0 ||
	    ni_spawn_opts_map_fd(o, null, 2) != 0 ||
	    ni_spawn_opts_set_search_path(o, true) != 0)
		goto out;
	if (ni_spawn(pid, tool, argv, NULL, o) == 0) {
		rc = p[0];
		p[0] = -1;
	}
out:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	if (null >= 0)
		close(null);
	ni_spawn_opts_free(o);
	return rc;
}

/* Reads all of fd into a NUL-terminated malloc'd buffer, or NULL. */
static char *
slurp(int fd)
{
	size_t len = 0, cap = 8192;
	char *buf = malloc(cap), *v;
	ssize_t r;

	while (buf != NULL) {
		if (cap - len < 4096) {
			v = realloc(buf, cap * 2);
			if (v == NULL)
				break;
			buf = v;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			buf[len] = '\0';
			return buf;
		}
		len += (size_t)r;
	}
	free(buf);
	return NULL;
}

/* The next line of *p (cut in place), or NULL at the end. */
static char *
next_line(char **p)
{
	char *line = *p, *nl;

	if (line == NULL || *line == '\0')
		return NULL;
	nl = strchr(line, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = line + strlen(line);
	}
	return line;
}

/* "file:line" or "file:line (discriminator 2)" into frame f. */
static void
take_location(struct analysis *a, struct frame *f, char *loc)
{
	char *colon, *end, *paren = strstr(loc, " (discriminator");
	unsigned long line;

	if (paren != NULL)
		*paren = '\0';
	colon = strrchr(loc, ':');
	if (colon == NULL || colon == loc || strncmp(loc, "??", 2) == 0)
		return;
	*colon = '\0';
	line = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || line == 0)
		return;
	f->file = jarena_strdup(&a->mem, loc);
	f->line = line;
}

/* Symbolizes v[0..n), all of one object, in one addr2line run. */
static void
symbolize_batch(struct analysis *a, const char *tool, struct slot *v,
    size_t n)
{
	char **argv = calloc(n + 6, sizeof *argv), *out, *cur, *func, *loc;
	unsigned long long base = load_base(v[0].obj), addr;
	size_t i, k, nargs = 0;
	int fd, status;
	pid_t pid;

	if (argv == NULL)
		return;
	argv[nargs++] = (char *)"addr2line";
	argv[nargs++] = (char *)"-f";
	argv[nargs++] = (char *)"-C";
	argv[nargs++] = (char *)"-e";
	argv[nargs++] = (char *)v[0].obj;
	for (i = 0; i < n; i++) {
		addr = v[i].off + base;
		argv[nargs] = malloc(24);
		if (argv[nargs] == NULL)
			goto out;
		snprintf(argv[nargs++], 24, "0x%llx", addr ? addr - 1 : 0);
	}
	fd = run_addr2line(tool, argv, &pid);
	if (fd < 0)
		goto out;
	out = slurp(fd);
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	cur = out;
	for (i = 0; out != NULL && i < n; i++) {
		func = next_line(&cur);
		loc = next_line(&cur);
		if (func == NULL || loc == NULL)
			break;
		if (strcmp(func, "??") != 0)
			v[i].f->func = jarena_strdup(&a->mem, func);
		take_location(a, v[i].f, loc);
	}
	free(out);
out:
	for (k = 5; k < nargs; k++)
		free(argv[k]);
	free(argv);
}

static int
cmp_slot(const void *x, const void *y)
{
	const struct slot *a = x, *b = y;
	int c = strcmp(a->obj, b->obj);

	if (c != 0)
		return c;
	return (a->off > b->off) - (a->off < b->off);
}

/* The file the frame's code lives in, as addr2line can open it. */
static const char *
object_file(const struct finding *g, const struct frame *f)
{
	struct stat st;
	const char *obj = f->obj;

	/* glibc's dladdr names the main program by its argv[0]. */
	if (obj[0] != '/' && g->origin_exe != NULL)
		obj = g->origin_exe;
	if (obj[0] != '/' || stat(obj, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	return obj;
}

void
trace_symbolize(struct analysis *a)
{
	const char *tool = getenv("NOINHERIT_ADDR2LINE");
	struct slot *v;
	size_t n = 0, cap = 0, i, j, k;
	struct finding *g;

	if (tool == NULL || *tool == '\0')
		tool = "addr2line";
	for (i = 0; i < a->n; i++)
		if (a->f[i].origin != NULL)
			cap += a->f[i].origin->nbt < SHOWN_FRAMES ?
			    a->f[i].origin->nbt : SHOWN_FRAMES;
	v = malloc((cap + 1) * sizeof *v);
	if (v == NULL)
		return;
	for (i = 0; i < a->n; i++) {
		g = &a->f[i];
		for (k = 0; g->origin != NULL && k < g->origin->nbt &&
		    k < SHOWN_FRAMES; k++) {
			v[n].obj = object_file(g, &g->origin->bt[k]);
			v[n].off = g->origin->bt[k].off;
			v[n].f = &g->origin->bt[k];
			if (v[n].obj != NULL)
				n++;
		}
	}
	qsort(v, n, sizeof *v, cmp_slot);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && j - i < BATCH &&
		    strcmp(v[j].obj, v[i].obj) == 0; j++)
			;
		symbolize_batch(a, tool, v + i, j - i);
	}
	free(v);
}
