/*
 * resolve.c - the real functions, found where dlsym(RTLD_NEXT) finds them
 * but without calling it for each.
 *
 * Every process the shim is loaded into resolves all of SHIM_REALS at
 * start-up (init.c: eagerly, so that no hook ever resolves in a vfork
 * child or a signal handler).  Through dlsym that is some 60,000
 * instructions per process, most of them spent finding the caller's object
 * and taking the loader's lock again for each name.  Here the objects
 * loaded after this one are walked once, in the loader's order (the order
 * RTLD_NEXT searches), and each name is looked up in their GNU hash
 * tables: a few hundred instructions per name, no lock, no allocation.
 *
 * The rules are the loader's for an unversioned dlsym: the first object
 * that defines the name wins; a definition must have a value and an
 * allowed type; of a versioned name only the default version counts (not
 * the hidden ones, name@VERSION).  Whatever this cannot settle exactly is
 * left NULL for dlsym to answer: an object without a GNU hash table,
 * an IFUNC or GNU_UNIQUE definition, a name no object defines, or a
 * system without _dl_find_object.
 *
 * The walk follows the loader's list of objects, which is the order
 * RTLD_NEXT searches for everything loaded at start-up; the shim resolves
 * in its constructor, at start-up.  An object that another library's
 * constructor dlopen'ed with RTLD_LOCAL before then would be on the list
 * but outside RTLD_NEXT's scope: it would also have to define one of
 * these libc names to change an answer.
 */
#include "resolve.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

struct dso {
	uintptr_t base;
	const ElfW(Sym) *sym;
	const char *str;
	const ElfW(Half) *versym;
	const uint32_t *gnu;
};

static uint32_t
gnu_hash(const char *s)
{
	uint32_t h = 5381;

	for (; *s != '\0'; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

/* The loader relocates the d_ptr entries of a writable dynamic section in
 * place and leaves a read-only one (the vDSO's) as offsets. */
static uintptr_t
dyn_ptr(const struct link_map *l, ElfW(Addr) v)
{
	return v < l->l_addr ? l->l_addr + v : v;
}

static bool
dso_open(const struct link_map *l, struct dso *d)
{
	memset(d, 0, sizeof(*d));
	if (l->l_ld == NULL)
		return false;
	d->base = l->l_addr;
	for (const ElfW(Dyn) *dyn = l->l_ld; dyn->d_tag != DT_NULL; dyn++) {
		switch (dyn->d_tag) {
		case DT_SYMTAB:
			d->sym = (const void *)dyn_ptr(l, dyn->d_un.d_ptr);
			break;
		case DT_STRTAB:
			d->str = (const void *)dyn_ptr(l, dyn->d_un.d_ptr);
			break;
		case DT_VERSYM:
			d->versym = (const void *)dyn_ptr(l, dyn->d_un.d_ptr);
			break;
		case DT_GNU_HASH:
			d->gnu = (const void *)dyn_ptr(l, dyn->d_un.d_ptr);
			break;
		}
	}
	return d->sym != NULL && d->str != NULL && d->gnu != NULL &&
	    d->gnu[0] != 0 && d->gnu[2] != 0;
}

enum { MISS, FOUND, ASK };	/* ASK: dlsym must decide */

static int
dso_find(const struct dso *d, const char *name, uint32_t h, void **out)
{
	const unsigned bits = sizeof(ElfW(Addr)) * 8;
	uint32_t nbuckets = d->gnu[0], symoffset = d->gnu[1];
	uint32_t nbloom = d->gnu[2], shift = d->gnu[3];
	const ElfW(Addr) *bloom = (const void *)&d->gnu[4];
	const uint32_t *buckets = (const void *)&bloom[nbloom];
	const uint32_t *chain = &buckets[nbuckets];
	ElfW(Addr) word = bloom[(h / bits) % nbloom];
	ElfW(Addr) mask = ((ElfW(Addr))1 << (h % bits)) |
	    ((ElfW(Addr))1 << ((h >> shift) % bits));
	uint32_t i;

	if ((word & mask) != mask)
		return MISS;
	i = buckets[h % nbuckets];
	if (i < symoffset)
		return MISS;
	for (;; i++) {
		uint32_t ch = chain[i - symoffset];
		const ElfW(Sym) *s = &d->sym[i];

		if ((ch | 1) == (h | 1) &&
		    strcmp(d->str + s->st_name, name) == 0 &&
		    s->st_shndx != SHN_UNDEF && s->st_value != 0 &&
		    (d->versym == NULL || (d->versym[i] & 0x8000) == 0)) {
			int type = ELF64_ST_TYPE(s->st_info);
			int bind = ELF64_ST_BIND(s->st_info);

			if (bind == STB_GNU_UNIQUE || type == STT_GNU_IFUNC)
				return ASK;
			if ((bind == STB_GLOBAL || bind == STB_WEAK) &&
			    (type == STT_FUNC || type == STT_OBJECT ||
			    type == STT_NOTYPE)) {
				*out = (void *)(d->base + s->st_value);
				return FOUND;
			}
		}
		if (ch & 1)
			return MISS;
	}
}

/* The loader's record of the object that contains SELF: _dl_find_object
 * (glibc 2.35) takes no lock; without it, dlsym answers everything. */
static const struct link_map *
self_map(const void *self)
{
#ifdef DLFO_EH_SEGMENT_TYPE
	struct dl_find_object dlfo;

	if (_dl_find_object((void *)(uintptr_t)self, &dlfo) == 0)
		return dlfo.dlfo_link_map;
#else
	(void)self;
#endif
	return NULL;
}

int
shim_find_next(const void *self, const char *const names[], void *fns[],
    int n)
{
	uint32_t hash[RESOLVE_MAX];
	bool settled[RESOLVE_MAX];
	const struct link_map *l;
	int left = n, found = 0, objects = 0;

	for (int i = 0; i < n; i++)
		fns[i] = NULL;
	if (n <= 0 || n > RESOLVE_MAX)
		return 0;
	for (int i = 0; i < n; i++) {
		hash[i] = gnu_hash(names[i]);
		settled[i] = false;
	}
	l = self_map(self);
	if (l == NULL)
		return 0;
	for (l = l->l_next; l != NULL && left > 0 && objects < 4096;
	    l = l->l_next, objects++) {
		struct dso d;

		if (!dso_open(l, &d)) {
			/* Without its table this object may define any of
			 * them: what it could hide is dlsym's to find. */
			break;
		}
		for (int i = 0; i < n; i++) {
			if (settled[i])
				continue;
			switch (dso_find(&d, names[i], hash[i], &fns[i])) {
			case FOUND:
				found++;
				/* FALLTHROUGH */
			case ASK:
				settled[i] = true;
				left--;
				break;
			}
		}
	}
	return found;
}
