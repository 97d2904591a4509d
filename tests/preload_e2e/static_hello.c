/*
 * static_hello.c - linked with -static: no PT_INTERP, so no dynamic loader
 * and no LD_PRELOAD.  `noinherit trace` and `enforce` must say so.
 *
 *   static_hello                        prints "static hello"
 *   static_hello --leak FILE PROG ARG...
 *                                       opens FILE inheritable (a leak
 *                                       no shim can see being made) and
 *                                       execs PROG: trace must still see
 *                                       FILE cross, from a static program
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "--leak") == 0) {
		if (open(argv[2], O_RDONLY) < 0) {
			perror(argv[2]);
			return 2;
		}
		execv(argv[3], argv + 3);
		perror(argv[3]);
		return 127;
	}
	puts("static hello");
	return 0;
}
