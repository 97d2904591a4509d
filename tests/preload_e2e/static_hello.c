/*
 * static_hello.c - linked with -static: no PT_INTERP, so no dynamic loader
 * and no LD_PRELOAD.  `noinherit trace` and `enforce` must say so.
 */
#include <stdio.h>

int
main(void)
{
	puts("static hello");
	return 0;
}
