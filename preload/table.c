/*
 * table.c - trace mode's memory of where each descriptor was made.
 *
 * One slot per fd number below SHIM_TABLE_FDS, in an anonymous mapping made
 * once by the constructor: no allocation in the hooks, and a fork child
 * inherits its parent's table (an exec does not).  A creation hook fills
 * the slot with the hooked function's name, the pid, and the raw return
 * addresses of the stack (symbolized only at exec time, by log.c).
 *
 * A slot may go stale: the fd closed (close is not hooked) and its number
 * reused by a call the shim does not see (a raw syscall, libc-internal
 * code), or a vfork child writing into its parent's table.  So a
 * descriptor born inheritable is stamped with its dev/ino at creation, and
 * an exec record names an origin only when they still match.  One born
 * close-on-exec is not stamped (one fstat saved per creation in the common
 * case): it can leak only if the program clears the flag, with
 * fcntl(F_SETFD) or ioctl(FIONCLEX), whose hooks stamp it then.
 *
 * Slots are written under a sequence counter, so an exec record made while
 * another thread reuses the number reads a whole slot or none.
 *
 * Backtraces come from libgcc's unwinder, ~150 ns a frame, which would
 * more than double the cost of an open(2).  So on x86_64 a small cache
 * remembers, for each stack it unwound, where each return address was
 * found (the CFA of the frame it returns from, minus 8).  A creation whose
 * hook returns to the same address from the same stack slot is the same
 * call site at the same depth; its caller's return address is then stored
 * at the same place, and so on: when every remembered slot still holds its
 * return address, the stack is the one unwound before, and the cached
 * frames are used without unwinding.  Each slot read is in a live frame of
 * the current stack, since the one below it matched.
 *
 * The same holds from any frame up: an unwind that reaches a slot holding
 * the return address that a cached stack had there is in that stack's
 * frame, so it stops and takes the cached frames above, once every one of
 * their slots is checked.  Two call sites in one function, or two
 * functions called from one caller, then unwind only the frames that
 * differ.  A small index, by slot and address, says which cached stack
 * to try.
 */
#include "shim.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <string.h>
#include <sys/mman.h>
#include <unwind.h>

#include "sys.h"

struct slot {
	unsigned seq;		/* odd while written; 0 never written */
	struct shim_origin o;
};

static struct slot *table;

#if defined(__x86_64__)
#define BT_CACHE 64		/* entries, a power of two */
#endif

struct cached {
	unsigned seq;		/* as a slot's */
	int nframes;
	uintptr_t key;		/* where the hook's return address is */
	void *frames[SHIM_FRAMES];
	uintptr_t slots[SHIM_FRAMES];	/* where each one was found */
};

/* The cache lives just after the table, in the same mapping, and its
 * index (BT_INDEX hints: a cached stack holds this return address at this
 * slot, as its frame `at`) just after the cache. */
#define CACHE() ((struct cached *)(void *)((char *)table + \
	SHIM_TABLE_FDS * sizeof(struct slot)))
#define BT_INDEX 256		/* a power of two */

struct hint {
	uintptr_t slot;
	void *ra;
	unsigned short entry, at;
};

#define HINTS() ((struct hint *)(void *)(CACHE() + BT_CACHE))

/*
 * libgcc's unwinder.  Where the build could link it in (libgcc_eh, with
 * -static-libgcc, its names hidden: NI_SHIM_STATIC_UNWIND), it is part of
 * the shim: nothing is loaded at start-up.  Else the constructor loads
 * libgcc_s.so.1 (a dlopen, ~0.3 ms a process on a small VM), and glibc's
 * backtrace() stands in when it cannot.
 */
#ifdef NI_SHIM_STATIC_UNWIND
static _Unwind_Reason_Code (*const unwind_backtrace)(_Unwind_Trace_Fn,
    void *) = _Unwind_Backtrace;
static _Unwind_Ptr (*const unwind_get_ip)(struct _Unwind_Context *) =
    _Unwind_GetIP;
static _Unwind_Word (*const unwind_get_cfa)(struct _Unwind_Context *) =
    _Unwind_GetCFA;
#else
static _Unwind_Reason_Code (*unwind_backtrace)(_Unwind_Trace_Fn, void *);
static _Unwind_Ptr (*unwind_get_ip)(struct _Unwind_Context *);
static _Unwind_Word (*unwind_get_cfa)(struct _Unwind_Context *);
#endif

/*
 * The table, mapped at the first descriptor recorded: a process that makes
 * none (most short ones) pays no mmap.  Two threads may race to make it:
 * one mapping wins, the other is unmapped.  In a vfork child the mapping
 * lands in the parent's address space, as every table write there does.
 */
static bool
table_ready(void)
{
	size_t size = SHIM_TABLE_FDS * sizeof(struct slot);
	struct slot *expected = NULL;
	void *p;

	if (__atomic_load_n(&table, __ATOMIC_ACQUIRE) != NULL)
		return true;
#ifdef BT_CACHE
	size += BT_CACHE * sizeof(struct cached) + BT_INDEX * sizeof(struct hint);
#endif
	p = sys_mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return false;
	if (!__atomic_compare_exchange_n(&table, &expected, (struct slot *)p,
	    false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		sys_munmap(p, size);	/* another thread's won */
	return true;
}

static bool
in_self(void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	return a >= shim_g.self_lo && a < shim_g.self_hi;
}

static void
slot_write(struct slot *s, const struct shim_origin *o)
{
	unsigned seq = (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) + 1) | 1;

	__atomic_store_n(&s->seq, seq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(&s->o, o, sizeof(*o));
	__atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELEASE);
}

static bool
slot_read(struct slot *s, struct shim_origin *o)
{
	for (int tries = 0; tries < 8; tries++) {
		unsigned seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);

		if (seq == 0)
			return false;
		if (seq & 1)
			continue;
		memcpy(o, &s->o, sizeof(*o));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq)
			return true;
	}
	return false;
}

struct unwind {
	void **frames;
	uintptr_t *slots;
	int n;
	bool started;		/* past the shim's own frames */
};

static bool unwind_splice(struct unwind *u);

/*
 * One frame.  libgcc calls this once it has stepped out of the frame
 * below: the context's IP is this frame's return address, its CFA the
 * frame below's, so the return address was found at CFA - 8 (x86_64: the
 * call pushed it just under the callee's CFA).
 */
static _Unwind_Reason_Code
unwind_step(struct _Unwind_Context *ctx, void *arg)
{
	struct unwind *u = arg;
	uintptr_t ip = unwind_get_ip(ctx);
	uintptr_t slot = (uintptr_t)unwind_get_cfa(ctx) - sizeof(void *);

	if (ip == 0)
		return _URC_END_OF_STACK;
	if (!u->started) {
		if (in_self((void *)ip))
			return _URC_NO_REASON;
		u->started = true;
	}
	u->frames[u->n] = (void *)ip;
	u->slots[u->n] = slot;
	if (++u->n >= SHIM_FRAMES || unwind_splice(u))
		return _URC_END_OF_STACK;
	return _URC_NO_REASON;
}

/*
 * The constructor's part.  With the unwinder linked in there is none: its
 * first unwind takes no lock but the loader's (dl_iterate_phdr, as dladdr
 * does) and allocates nothing, so the first backtrace may as well pay for
 * it, in the processes that take one.  Else libgcc_s is loaded here, and
 * unwound once.
 */
void
shim_unwind_init(void)
{
#ifndef NI_SHIM_STATIC_UNWIND
	void *warm[2];
	void *lib = dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_LOCAL);

	if (lib != NULL) {
		unwind_get_ip = (__typeof__(unwind_get_ip))dlsym(lib,
		    "_Unwind_GetIP");
		unwind_get_cfa = (__typeof__(unwind_get_cfa))dlsym(lib,
		    "_Unwind_GetCFA");
		if (unwind_get_ip != NULL && unwind_get_cfa != NULL)
			unwind_backtrace = (__typeof__(unwind_backtrace))dlsym(
			    lib, "_Unwind_Backtrace");
	}
	/* The first unwind initializes libgcc's tables (pthread_once): here,
	 * not in a hook that may run in a vfork child.  backtrace() loads
	 * libgcc_s its own way on its first call. */
	if (unwind_backtrace != NULL) {
		void *frames[SHIM_FRAMES];
		uintptr_t slots[SHIM_FRAMES];
		struct unwind u = { frames, slots, 0, true };

		unwind_backtrace(unwind_step, &u);
	} else {
		backtrace(warm, 2);
	}
#endif
}

static unsigned
cache_index(uintptr_t key, void *ra)
{
	uint64_t h = ((uint64_t)key >> 3) ^ (uint64_t)(uintptr_t)ra;

	return (unsigned)((h * 0x9e3779b97f4a7c15ull) >> 58) & (BT_CACHE - 1);
}

/* The frames of the stack whose hook returns through *key, if cached. */
static bool
cache_get(uintptr_t key, struct shim_origin *o)
{
#ifdef BT_CACHE
	void *ra = *(void **)key;
	struct cached *c = &CACHE()[cache_index(key, ra)], copy;
	unsigned seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);

	if (seq == 0 || (seq & 1))
		return false;
	memcpy(&copy, c, sizeof(copy));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&c->seq, __ATOMIC_RELAXED) != seq ||
	    copy.key != key || copy.nframes < 1 || copy.frames[0] != ra)
		return false;
	for (int i = 1; i < copy.nframes; i++)
		if (*(void **)copy.slots[i] != copy.frames[i])
			return false;
	o->nframes = copy.nframes;
	memcpy(o->frames, copy.frames, sizeof(copy.frames));
	return true;
#else
	(void)key;
	(void)o;
	return false;
#endif
}

static unsigned
hint_index(uintptr_t slot, void *ra)
{
	uint64_t h = ((uint64_t)slot >> 3) ^ (uint64_t)(uintptr_t)ra;

	return (unsigned)((h * 0x9e3779b97f4a7c15ull) >> 56) & (BT_INDEX - 1);
}

/*
 * u's last frame is one a cached stack had at the same slot: the frames
 * above it are that stack's, if each of their slots still holds its
 * return address.  Then they are appended (as many as fit) and the
 * unwind stops.  Called from unwind_step, past the shim's frames.
 */
static bool
unwind_splice(struct unwind *u)
{
#ifdef BT_CACHE
	uintptr_t slot = u->slots[u->n - 1];
	void *ra = u->frames[u->n - 1];
	struct hint h;
	struct cached copy, *c;
	unsigned seq;
	int k;

	if (table == NULL)
		return false;
	memcpy(&h, &HINTS()[hint_index(slot, ra)], sizeof(h));
	if (h.slot != slot || h.ra != ra || h.entry >= BT_CACHE)
		return false;
	c = &CACHE()[h.entry];
	seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
	if (seq == 0 || (seq & 1))
		return false;
	memcpy(&copy, c, sizeof(copy));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&c->seq, __ATOMIC_RELAXED) != seq ||
	    h.at >= copy.nframes || copy.nframes > SHIM_FRAMES ||
	    copy.slots[h.at] != slot || copy.frames[h.at] != ra)
		return false;
	/* A cached stack cut at SHIM_FRAMES gives the frames above only to
	 * an unwind as deep as it was there: a shallower one would be cut
	 * short. */
	if (copy.nframes == SHIM_FRAMES && u->n - 1 < h.at)
		return false;
	for (k = h.at + 1; k < copy.nframes; k++)
		if (*(void **)copy.slots[k] != copy.frames[k])
			return false;
	for (k = h.at + 1; k < copy.nframes && u->n < SHIM_FRAMES; k++) {
		u->frames[u->n] = copy.frames[k];
		u->slots[u->n] = copy.slots[k];
		u->n++;
	}
	return true;
#else
	(void)u;
	return false;
#endif
}

static void
cache_put(uintptr_t key, const struct unwind *u)
{
#ifdef BT_CACHE
	struct cached *c;
	unsigned seq;

	/* Only a stack whose first slot is where the hook says. */
	if (u->n < 1 || u->slots[0] != key)
		return;
	c = &CACHE()[cache_index(key, u->frames[0])];
	seq = (__atomic_load_n(&c->seq, __ATOMIC_RELAXED) + 1) | 1;
	__atomic_store_n(&c->seq, seq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	c->key = key;
	c->nframes = u->n;
	memcpy(c->frames, u->frames, sizeof(c->frames));
	memcpy(c->slots, u->slots, sizeof(c->slots));
	__atomic_store_n(&c->seq, seq + 1, __ATOMIC_RELEASE);
	/* Hints to each of its frames but the last (a splice there would
	 * add nothing). */
	for (int i = 0; i + 1 < u->n; i++) {
		struct hint *h = &HINTS()[hint_index(u->slots[i],
		    u->frames[i])];

		h->slot = u->slots[i];
		h->ra = u->frames[i];
		h->entry = (unsigned short)(c - CACHE());
		h->at = (unsigned short)i;
	}
#else
	(void)key;
	(void)u;
#endif
}

/* The stack above the hook whose frame is hook_frame. */
static void
capture(struct shim_origin *o, void *hook_frame)
{
	/* The return address sits just above the saved frame pointer. */
	uintptr_t key = (uintptr_t)hook_frame + sizeof(void *);
	uintptr_t slots[SHIM_FRAMES];
	struct unwind u = { o->frames, slots, 0, false };
	void *raw[SHIM_FRAMES + 4];
	int got, skip = 0;

	if (table != NULL && cache_get(key, o))
		return;
	if (unwind_backtrace != NULL) {
		unwind_backtrace(unwind_step, &u);
		o->nframes = u.n;
		if (table != NULL)
			cache_put(key, &u);
		return;
	}
	got = backtrace(raw, SHIM_FRAMES + 4);
	while (skip < got && in_self(raw[skip]))
		skip++;
	o->nframes = got - skip < SHIM_FRAMES ? got - skip : SHIM_FRAMES;
	memcpy(o->frames, raw + skip, (size_t)o->nframes * sizeof(void *));
}

/*
 * fds[0..n) were just made by made_by; cloexec: they were made
 * close-on-exec at the program's request.  One backtrace for all of them.
 */
void
shim_record(const int *fds, int n, const char *made_by, bool cloexec,
    void *hook_frame)
{
	struct shim_origin o;
	int saved;

	saved = shim_busy_enter();
	if (!table_ready()) {
		shim_busy_leave(saved);
		return;
	}
	o.made_by = made_by;
	o.inh_by = NULL;
	o.made_pid = shim_g.pid;
	/* Born close-on-exec, it cannot cross an exec until the program
	 * clears the flag: no backtrace now (most descriptors), the stamp
	 * takes one then. */
	if (cloexec)
		o.nframes = 0;
	else
		capture(&o, hook_frame);
	for (int i = 0; i < n; i++) {
		struct stat st;

		if (fds[i] < 0 || fds[i] >= SHIM_TABLE_FDS)
			continue;
		o.stamped = !cloexec && sys_fstat(fds[i], &st) == 0;
		o.dev = o.stamped ? st.st_dev : 0;
		o.ino = o.stamped ? st.st_ino : 0;
		slot_write(&table[fds[i]], &o);
	}
	shim_busy_leave(saved);
}

/*
 * fcntl(F_SETFD) or ioctl(FIONCLEX) (how) cleared the flag: fd may now
 * cross an exec, as the program asked.  A descriptor the table does not
 * know (made by a call the shim does not see) gets a slot of its own,
 * made_by the call that made it inheritable.  One that has no backtrace
 * (born close-on-exec, or unknown) gets this call's.
 */
void
shim_stamp(int fd, const char *how, void *hook_frame)
{
	struct shim_origin o;
	struct stat st;
	int saved;

	if (fd < 0 || fd >= SHIM_TABLE_FDS)
		return;
	saved = shim_busy_enter();
	if (!table_ready()) {
		shim_busy_leave(saved);
		return;
	}
	if (sys_fstat(fd, &st) == 0) {
		if (!slot_read(&table[fd], &o) || (o.stamped &&
		    (o.dev != st.st_dev || o.ino != st.st_ino))) {
			memset(&o, 0, sizeof(o));
			o.made_by = how[0] == 'F' && how[1] == '_' ? "fcntl" :
			    "ioctl";
			o.made_pid = shim_g.pid;
		}
		if (o.nframes == 0)
			capture(&o, hook_frame);
		o.inh_by = how;
		o.stamped = true;
		o.dev = st.st_dev;
		o.ino = st.st_ino;
		slot_write(&table[fd], &o);
	}
	shim_busy_leave(saved);
}

/* The origin of fd, which is st now, if the table knows it. */
bool
shim_origin_get(int fd, const struct stat *st, struct shim_origin *o)
{
	if (table == NULL || fd < 0 || fd >= SHIM_TABLE_FDS)
		return false;
	if (!slot_read(&table[fd], o) || !o->stamped)
		return false;
	return o->dev == st->st_dev && o->ino == st->st_ino;
}

/* enforce: a descriptor the shim made close-on-exec landed on 0, 1 or 2.
 * A standard stream is inheritable in PEP 446 (`close(1); open(...)` and
 * the daemon's `open("/dev/null"); dup(0); dup(0)` rely on it). */
void
shim_std_inheritable(int fd)
{
	int saved = errno;

	sys_fcntl(fd, F_SETFD, 0);
	errno = saved;
}
