/*
 * fdnames.h - which descriptor numbers a program names to the program it
 * execs (issue #12).
 *
 * Inheritance protocols tell the child which inherited descriptors to use
 * by number, in its arguments or its environment: `dpkg --status-fd 5`,
 * `make --jobserver-auth=3,4`, `LISTEN_FDS=2` with `LISTEN_PID`,
 * `NGINX=5;6;`, `/dev/fd/63`...  fdnames_scan() finds those numbers.  The
 * shim (enforce) lets the named descriptors it made close-on-exec cross the
 * exec as they would without it; `noinherit trace` calls a descriptor
 * named this way "passed on purpose" (a jobserver's only when its two
 * numbers hold one pipe: tools/trace_ptrace.c, name_stands).
 *
 * The rules are general (forms of arguments and variables), not a list of
 * programs:
 *
 * argv (every token, argv[0] included, for the paths; options from argv[1]):
 *   - `/dev/fd/N`, `/proc/self/fd/N`, `/proc/thread-self/fd/N` and
 *     `/proc/SELF/fd/N` (SELF the pid given) anywhere in a token, not
 *     preceded by a letter, digit, `_`, `.` or `-` (`--file=/dev/fd/5`,
 *     `sh -c 'cat </dev/fd/5'`);
 *   - an option (`-` or `--`) whose name ends in `fd` or `fds`
 *     (`--status-fd`, `--passphrase-fd`, `-displayfd`, `--fd`), or is
 *     `print-address` / `print-pid` (dbus-daemon), with its value after
 *     `=` or in the next token: one number or a comma-separated list of
 *     numbers (anything else in the value: nothing);
 *   - `--jobserver-auth=R,W` and `--jobserver-fds=R,W` (the `fifo:PATH`
 *     form names no descriptor);
 *   - a token `fd:N` (`openssl -passin fd:3`, socat's `FD:3`).
 * envp (the first definition of each name only, as getenv reads it):
 *   - `LISTEN_FDS=n` when `LISTEN_PID` is the pid given: 3 .. 3+n-1;
 *   - `NGINX=5;6;` (`;` or `:` separated; junk elements skipped, as nginx
 *     does);
 *   - `--jobserver-auth=R,W` / `--jobserver-fds=R,W` inside `MAKEFLAGS`,
 *     `MFLAGS` or any variable whose name ends in `MAKEFLAGS`;
 *   - a variable whose name ends in `FD`, `PIPE` or `SOCKET` and whose value
 *     is one number (`WAYLAND_SOCKET=5`, `APT_HOOK_INFO_FD=5`,
 *     `BASH_XTRACEFD=7`, runc's `_LIBCONTAINER_INITPIPE=3`);
 *   - `GIT_TRACE*` set to 3 .. 9 (git writes its traces to that fd).
 *
 * A number is decimal digits only (no sign, no space), at most INT_MAX;
 * only descriptors above 2 are reported.
 *
 * Async-signal-safe and usable in a vfork child: no allocation, no locale,
 * no stdio, no library call at all.  The cost is one pass over argv and
 * envp, plus one per descriptor found.
 */
#ifndef NI_FDNAMES_H
#define NI_FDNAMES_H

#include <stddef.h>

struct fdname {
	int fd;			/* > 2 */
	const char *why;	/* the argv or envp string that names it
				 * (not copied) */
};

/*
 * Scans argv and envp (either may be NULL); self is the pid that will run
 * the new image (LISTEN_PID must match it; pass 0 when it is not known, as
 * for posix_spawn: then LISTEN_FDS names nothing).  Stores up to max entries
 * in out, one per distinct fd, sorted by fd; returns how many distinct fds
 * were named (may exceed max).
 */
size_t fdnames_scan(char *const argv[], char *const envp[], long self,
    struct fdname *out, size_t max);

#endif
