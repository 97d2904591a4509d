/* create.c - placeholder until the Windows creators are written. */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <noinherit.h>
int ni_pipe(int fds[2]) { return _pipe(fds, 65536, _O_BINARY | _O_NOINHERIT); }
