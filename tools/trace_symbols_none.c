/*
 * trace_symbols_none.c - trace_symbolize where the tool was built without
 * elfutils' libdw (-DNI_WITH_LIBDW=OFF, e.g. with musl-gcc, which cannot
 * link Debian's glibc build of it): frames keep the object, the offset and
 * dladdr's symbol, which glibc and musl give only to an address inside the
 * symbol's size.  Nothing is guessed.
 */
#include "trace.h"

void
trace_symbolize(struct analysis *a)
{
	(void)a;
}
