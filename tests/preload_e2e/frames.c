/*
 * frames.c - descriptors made from many call chains that share frames,
 * for trace.shared-frames: the shim unwinds only the frames that differ
 * from a stack it has unwound before and takes the rest from its cache
 * (preload/table.c), so each backtrace must still be the real chain.
 *
 *   frames DIR PROG ARG...   opens DIR/CHAIN.N (inheritable) from each
 *                            chain, then execs PROG: every file crosses
 *
 * CHAIN names the functions from the one that calls open(2) outwards, as
 * the backtrace must show them ("op.o2.b.c.a.main"): each function passes
 * its callees the chain so far.  Built -O0 (no inlining, no tail calls);
 * c() allocates on the stack with alloca, rec() recurses past the shim's
 * 12 frames.
 */
#include <alloca.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static const char *dir;
static int made;

static void
with(char *out, size_t cap, const char *name, const char *chain)
{
	snprintf(out, cap, "%s.%s", name, chain);
}

NOINLINE void
op(const char *chain)
{
	char path[4096], c[2048];

	with(c, sizeof(c), "op", chain);
	snprintf(path, sizeof(path), "%s/%s.%d", dir, c, made++);
	if (open(path, O_RDONLY | O_CREAT, 0600) < 0)
		perror(path);
}

NOINLINE void
o1(const char *chain)
{
	char c[2048];

	with(c, sizeof(c), "o1", chain);
	op(c);
}

NOINLINE void
o2(const char *chain)
{
	char c[2048];

	with(c, sizeof(c), "o2", chain);
	op(c);
	op(c);
}

NOINLINE void
b(int k, const char *chain)
{
	char c[2048];

	with(c, sizeof(c), "b", chain);
	if (k)
		o1(c);
	else
		o2(c);
}

NOINLINE void
c(int n, const char *chain)
{
	char *p = alloca((size_t)n), cc[2048];

	memset(p, 1, (size_t)n);
	with(cc, sizeof(cc), "c", chain);
	b(n & 1, cc);
}

NOINLINE void
rec(int depth, const char *chain)
{
	char cc[2048];

	with(cc, sizeof(cc), "rec", chain);
	if (depth > 0) {
		rec(depth - 1, cc);
		return;
	}
	b(1, cc);
	b(0, cc);
	c(40, cc);
	/* Fewer frames under the same caller's slot than the chains above:
	 * a stack cut at 12 frames must not lend it a short tail. */
	op(cc);
}

NOINLINE void
a(const char *chain)
{
	char cc[2048];

	with(cc, sizeof(cc), "a", chain);
	b(1, cc);
	b(0, cc);
	c(8, cc);
	c(9, cc);
	c(200, cc);
	c(201, cc);
}

NOINLINE void
d(const char *chain)
{
	char cc[2048];

	with(cc, sizeof(cc), "d", chain);
	b(1, cc);
	a(cc);
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: frames DIR PROG ARG...\n");
		return 2;
	}
	dir = argv[1];
	a("main");
	d("main");
	a("main");
	for (int i = 0; i < 14; i++)
		rec(i, "main");
	execv(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
