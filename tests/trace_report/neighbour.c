/*
 * neighbour.c - a shared library whose leaking call is in a static
 * function laid out right after an exported one:
 *
 *   neighbour_before   exported, in .dynsym
 *   make_leak          static: in .symtab only, gone once stripped
 *   leak_entry         exported: calls make_leak
 *
 * (gcc, with -fno-toplevel-reorder; clang puts make_leak after
 * leak_entry).  Stripped (.symtab and DWARF gone, .dynsym kept), the
 * nearest dynamic symbol below make_leak's call is an exported neighbour
 * whose size ends before it: a symbolizer that takes the nearest symbol
 * names the wrong function (addr2line did).  The right answers are
 * make_leak (with .symtab, or DWARF through a debuglink) or "unknown".
 */
#include <fcntl.h>

int neighbour_before(int x);
int leak_entry(const char *path);

int
neighbour_before(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) static int
make_leak(const char *path)
{
	/* No O_CLOEXEC: the leak under test. */
	int fd = open(path, O_RDONLY);

	__asm__ volatile("" ::: "memory");	/* a frame after the call */
	return fd;
}

int
leak_entry(const char *path)
{
	int fd = make_leak(path);

	__asm__ volatile("" ::: "memory");
	return fd < 0 ? -1 : fd;
}
