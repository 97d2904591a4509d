/* spawn.c - placeholder until ni_spawn for Windows is written. */
#include <errno.h>
#include <noinherit.h>
ni_spawn_opts *ni_spawn_opts_new(void) { errno = ENOSYS; return NULL; }
void ni_spawn_opts_free(ni_spawn_opts *o) { (void)o; }
int ni_spawn_opts_map_fd(ni_spawn_opts *o, int a, int b) { (void)o; (void)a; (void)b; errno = ENOSYS; return -1; }
int ni_spawn(pid_t *pid, const char *file, char *const argv[], char *const envp[], const ni_spawn_opts *o)
{ (void)pid; (void)file; (void)argv; (void)envp; (void)o; errno = ENOSYS; return -1; }
