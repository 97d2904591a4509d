/*
 * trace_symbols.c - backtrace frames to function names and file:line,
 * with elfutils' libdwfl.
 *
 * The shim logs each frame as an object and an offset from where dladdr(3)
 * says the object starts (dli_fbase), plus dladdr's symbol, which only
 * exported functions have.  Each object is read here once, offline, as
 * perf and systemd-coredump read them: its .symtab, else its .dynsym,
 * each symbol with its size, and its DWARF (in the file, or found through
 * its build-id or .gnu_debuglink under /usr/lib/debug).  A frame is named
 * by the function whose range holds the address and by nothing else:
 *
 *   - DWARF first: the scopes holding the address give the innermost
 *     function, inlined or not, then each function it was inlined into
 *     with the line of the inlined call; the line table gives file:line;
 *   - else the symbol table: a symbol whose [value, value + size) holds
 *     the address (libdwfl's sizeless-label fallback is refused);
 *   - else the frame is unknown.  It never takes the nearest symbol below
 *     (addr2line(1) does, and so names a neighbour of a static function
 *     in a stripped library).
 *
 * Where the object cannot be read (gone, replaced, unreadable) the frame
 * keeps dladdr's symbol: glibc's and musl's dladdr check symbol sizes.
 *
 * dli_fbase is the lowest loaded page of the object (glibc: l_map_start),
 * which is the object's address 0 for a shared library or a PIE but
 * 0x400000, say, for a position-dependent program; the file's own
 * addresses are the offset plus the lowest PT_LOAD's p_vaddr rounded down
 * to a page.  The frames are return addresses: one byte back lands inside
 * the call, on its line.
 */
#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace.h"

#define SHOWN_FRAMES 16		/* trace_report.c shows no more */
#define MAX_INLINE 8		/* inlined-into levels kept per frame */

/* One object file, as libdwfl reported it. */
struct obj {
	const char *path;
	Dwfl_Module *mod;	/* NULL: it could not be read */
};

struct objs {
	struct obj *v;
	size_t n, cap;
};

/* ------------------------------------------------------------------ */
/* Objects                                                             */
/* ------------------------------------------------------------------ */

/* The file the frame's code lives in, as it can be opened, or NULL. */
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

/*
 * The module for path, reported on first use when report is true; NULL if
 * unreadable (or not reported).
 */
static Dwfl_Module *
module_for(Dwfl *dwfl, struct objs *o, const char *path, bool report)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->v[i].path, path) == 0)
			return o->v[i].mod;
	if (!report)
		return NULL;
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		struct obj *v = realloc(o->v, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n].path = path;
	/* -1: libdwfl opens the file itself, close-on-exec. */
	o->v[o->n].mod = dwfl_report_offline(dwfl, path, path, -1);
	return o->v[o->n++].mod;
}

/*
 * The address in libdwfl's terms of offset off from dli_fbase: the file's
 * own address (lowest PT_LOAD page plus off) plus the module's bias.
 * Returns false if the module has no ELF.
 */
static bool
module_address(Dwfl_Module *mod, unsigned long long off, GElf_Addr *out)
{
	GElf_Addr bias, lo = ~(GElf_Addr)0;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	GElf_Phdr ph;
	size_t i, n;
	long page = sysconf(_SC_PAGESIZE);

	if (elf == NULL || elf_getphdrnum(elf, &n) != 0)
		return false;
	for (i = 0; i < n; i++)
		if (gelf_getphdr(elf, (int)i, &ph) != NULL &&
		    ph.p_type == PT_LOAD && ph.p_vaddr < lo)
			lo = ph.p_vaddr;
	if (lo == ~(GElf_Addr)0)
		lo = 0;
	if (page > 0)
		lo &= ~((GElf_Addr)page - 1);
	*out = lo + off + bias;
	return true;
}

/* ------------------------------------------------------------------ */
/* DWARF                                                               */
/* ------------------------------------------------------------------ */

/* A DIE's name, through DW_AT_abstract_origin and DW_AT_specification. */
/*
 * C++ names, demangled as addr2line -C does, with libstdc++'s
 * __cxa_demangle when the system has it: loaded at the first mangled name
 * (the tool does not link libstdc++).  Anything else, or a name it
 * refuses, is returned as it is.
 */
static const char *
demangled(struct analysis *a, const char *name)
{
	static char *(*demangle)(const char *, char *, size_t *, int *);
	static bool tried;
	const char *r;
	char *d;
	int st = -1;

	if (name == NULL || strncmp(name, "_Z", 2) != 0)
		return name;
	if (!tried) {
		void *h = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);

		tried = true;
		if (h != NULL)
			demangle = (__typeof__(demangle))dlsym(h,
			    "__cxa_demangle");
	}
	if (demangle == NULL)
		return name;
	d = demangle(name, NULL, NULL, &st);
	if (d == NULL || st != 0) {
		free(d);
		return name;
	}
	r = jarena_strdup(&a->mem, d);
	free(d);
	return r != NULL ? r : name;
}

/* A function's name: its linkage name demangled (C++: qualified, with its
 * parameters), else DW_AT_name. */
static const char *
die_name(struct analysis *a, Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *link, *d;

	link = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name,
	    &attr));
	if (link == NULL)
		link = dwarf_formstring(dwarf_attr_integrate(die,
		    DW_AT_MIPS_linkage_name, &attr));
	if (link != NULL && (d = demangled(a, link)) != link)
		return d;
	return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
}

/* File number idx of the compilation unit cu, or NULL. */
static const char *
cu_file(Dwarf_Die *cu, Dwarf_Word idx)
{
	Dwarf_Files *files;
	size_t n;

	if (dwarf_getsrcfiles(cu, &files, &n) != 0 || idx >= n)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

static void
set_location(struct analysis *a, const char **file, unsigned long *line,
    const char *src, unsigned long ln)
{
	if (src == NULL || ln == 0)
		return;
	*file = jarena_strdup(&a->mem, src);
	if (*file != NULL)
		*line = ln;
}

/*
 * The compilation unit whose ranges hold addr, and its bias.  libdw 0.188
 * finds none through dwfl_module_addrdie in clang's DWARF 5 (no
 * .debug_aranges, ranges in DW_FORM_addrx): every unit is then asked.
 */
static Dwarf_Die *
unit_at(Dwfl_Module *mod, GElf_Addr addr, Dwarf_Addr *bias)
{
	Dwarf_Die *cu = dwfl_module_addrdie(mod, addr, bias);

	if (cu != NULL)
		return cu;
	while ((cu = dwfl_module_nextcu(mod, cu, bias)) != NULL)
		if (dwarf_haspc(cu, addr - *bias) == 1)
			return cu;
	return NULL;
}

/*
 * Names frame f at addr from the debug information: the innermost
 * function (inlined or not), its file:line, and the functions it was
 * inlined into.  Returns false if DWARF has no function there.
 */
static bool
from_dwarf(struct analysis *a, Dwfl_Module *mod, GElf_Addr addr,
    struct frame *f)
{
	Dwarf_Addr bias = 0;
	Dwarf_Die *cu = unit_at(mod, addr, &bias), *scopes = NULL;
	Dwarf_Die inner;
	Dwarf_Attribute attr;
	Dwarf_Word cfile = 0, cline = 0;
	Dwarf_Line *dl;
	const char *name, *src, *callfile = NULL;
	unsigned long callline = 0;
	int n, i, ln = 0;
	bool named = false;

	if (cu == NULL || (n = dwarf_getscopes(cu, addr - bias, &scopes)) <= 0)
		return false;
	/*
	 * dwarf_getscopes continues an inlined copy with its abstract
	 * definition's scopes (the unit), not with the function it was
	 * inlined into: the innermost scope's DIE parents give those.
	 */
	inner = scopes[0];
	free(scopes);
	scopes = NULL;
	if ((n = dwarf_getscopes_die(&inner, &scopes)) <= 0)
		return false;
	for (i = 0; i < n; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine)
			continue;
		name = die_name(a, &scopes[i]);
		if (!named) {
			f->func = name ? jarena_strdup(&a->mem, name) : NULL;
			named = true;
		} else if (f->ninl < MAX_INLINE && f->inl != NULL) {
			struct inl *in = &f->inl[f->ninl++];

			in->func = name ? jarena_strdup(&a->mem, name) : NULL;
			in->file = NULL;
			in->line = 0;
			set_location(a, &in->file, &in->line, callfile,
			    callline);
		}
		callfile = NULL;
		callline = 0;
		if (tag == DW_TAG_inlined_subroutine) {
			/* Where this copy was inlined: in the next scope. */
			if (dwarf_formudata(dwarf_attr(&scopes[i],
			    DW_AT_call_file, &attr), &cfile) == 0)
				callfile = cu_file(cu, cfile);
			if (dwarf_formudata(dwarf_attr(&scopes[i],
			    DW_AT_call_line, &attr), &cline) == 0)
				callline = (unsigned long)cline;
		} else {
			break;	/* the real function: nothing is outside it */
		}
	}
	free(scopes);
	if (!named)
		return false;
	/* The line: this unit's row for the address. */
	dl = dwarf_getsrc_die(cu, addr - bias);
	if (dl != NULL && dwarf_lineno(dl, &ln) == 0 && ln > 0 &&
	    (src = dwarf_linesrc(dl, NULL, NULL)) != NULL)
		set_location(a, &f->file, &f->line, src, (unsigned long)ln);
	return f->func != NULL;
}

/* ------------------------------------------------------------------ */
/* One frame                                                           */
/* ------------------------------------------------------------------ */

/*
 * The symbol whose range holds addr, or NULL.  libdwfl falls back to the
 * nearest sizeless symbol below when no sized one holds it: refused.
 */
static const char *
from_symtab(Dwfl_Module *mod, GElf_Addr addr)
{
	GElf_Off offset;
	GElf_Sym sym;
	const char *name;

	name = dwfl_module_addrinfo(mod, addr, &offset, &sym, NULL, NULL,
	    NULL);
	if (name == NULL || *name == '\0' || sym.st_size == 0 ||
	    offset >= sym.st_size)
		return NULL;
	return name;
}

static void
symbolize_frame(struct analysis *a, Dwfl_Module *mod, struct frame *f)
{
	GElf_Addr addr;
	const char *name;

	if (!module_address(mod, f->off, &addr))
		return;
	if (addr > 0)
		addr--;		/* a return address: back into the call */
	f->looked_up = true;
	f->inl = jarena_alloc(&a->mem, MAX_INLINE * sizeof *f->inl);
	if (from_dwarf(a, mod, addr, f))
		return;
	/*
	 * No function in DWARF: the symbol table's, and no line (libdwfl's
	 * line lookup answers with the nearest row of another unit, such as
	 * main's line for _start).
	 */
	f->ninl = 0;
	f->file = NULL;
	name = demangled(a, from_symtab(mod, addr));
	f->func = name != NULL ? jarena_strdup(&a->mem, name) : NULL;
}

/*
 * Calls fn(a, mod, frame) for each shown frame whose object can be read:
 * with report, every object is reported to libdwfl first (queries wait
 * for dwfl_report_end).
 */
static void
each_frame(struct analysis *a, Dwfl *dwfl, struct objs *o, bool report)
{
	struct finding *g;
	struct frame *f;
	const char *path;
	Dwfl_Module *mod;
	size_t i, k;

	for (i = 0; i < a->n; i++) {
		g = &a->f[i];
		for (k = 0; g->origin != NULL && k < g->origin->nbt &&
		    k < SHOWN_FRAMES; k++) {
			f = &g->origin->bt[k];
			path = object_file(g, f);
			mod = path != NULL ? module_for(dwfl, o, path, report) :
			    NULL;
			/* Findings may share an origin: once is enough. */
			if (!report && mod != NULL && !f->looked_up)
				symbolize_frame(a, mod, f);
		}
	}
}

void
trace_symbolize(struct analysis *a)
{
	static char *debuginfo_path;	/* NULL: libdwfl's default */
	static const Dwfl_Callbacks cb = {
		.find_elf = dwfl_build_id_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.section_address = dwfl_offline_section_address,
		.debuginfo_path = &debuginfo_path,
	};
	struct objs o = { NULL, 0, 0 };
	Dwfl *dwfl = dwfl_begin(&cb);

	if (dwfl == NULL)
		return;
	dwfl_report_begin(dwfl);
	each_frame(a, dwfl, &o, true);
	if (dwfl_report_end(dwfl, NULL, NULL) == 0)
		each_frame(a, dwfl, &o, false);
	dwfl_end(dwfl);
	free(o.v);
}
