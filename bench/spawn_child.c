/*
 * spawn_child.c - the program bench_spawn starts: it exits 0 at once, so
 * that what is timed is the spawn and the reaping, not the child.
 *
 * Built static (no dynamic loader, no shared libraries to map).  Where the
 * toolchain links it with -nostartfiles (bench/CMakeLists.txt checks), there
 * is no C run-time start-up either: the child makes exactly two system
 * calls, execve and exit_group.  Otherwise it is a plain static main().
 */
#include <unistd.h>

#ifdef NI_CHILD_NOSTARTFILES
void _start(void) __attribute__((noreturn));

/* No C run-time was set up: _exit() is one raw exit_group system call. */
void _start(void)
{
    _exit(0);
}
#else
int main(void)
{
    return 0;
}
#endif
