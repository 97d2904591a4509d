/*
 * noinherit.h - PEP 446 for C: file descriptors that are not inherited by
 * child processes unless the program asks for it.
 *
 * Every function below that creates a descriptor returns it with the
 * close-on-exec flag set (it is "non-inheritable").  Where the kernel and C
 * library offer an atomic flag (O_CLOEXEC, SOCK_CLOEXEC, pipe2, dup3,
 * accept4, F_DUPFD_CLOEXEC, MSG_CMSG_CLOEXEC, ...) the flag is passed to the
 * creating call, so no other thread can fork and exec between the creation
 * and the setting of the flag.  Where the atomic form is missing or refused
 * (ENOSYS, EINVAL or EPERM from an old kernel or a seccomp profile, or an
 * O_CLOEXEC silently ignored), the library falls back to creating the
 * descriptor and setting the flag afterwards, remembers that answer, and
 * holds a shared lock across the two steps so that a child started by
 * ni_spawn() never sees a half-made descriptor.
 *
 * Conventions: every function reports failure as the call it wraps does, by
 * returning -1 (or NULL) and setting errno.  On failure no descriptor is
 * leaked and output parameters are left untouched.  The library never
 * prints and never aborts.  All functions are thread-safe.  While the atomic
 * flags work (see ni_features()) the creation functions and
 * ni_get_inheritable()/ni_set_inheritable() take no lock and allocate
 * nothing, so they are async-signal-safe (ni_fopen() and ni_openpty() excepted,
 * as fopen() and openpty() are not).
 */
#ifndef NOINHERIT_H
#define NOINHERIT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>	/* socklen_t */
typedef SOCKET ni_socket_t;
#define NI_INVALID_SOCKET INVALID_SOCKET
struct msghdr;		/* no recvmsg on Windows: ni_recvmsg fails with ENOSYS */
#else
#include <signal.h>
#include <sys/select.h>	/* sigset_t, also in strict ISO C modes */
#include <sys/socket.h>
#include <termios.h>
#include <sys/ioctl.h>
typedef int ni_socket_t;
#define NI_INVALID_SOCKET (-1)
#endif

/*
 * Windows: noinherit.dll's users see dllimport; define NI_STATIC to link
 * libnoinherit.a (the CMake target noinherit::noinherit_static does).
 */
#if defined(_WIN32) && defined(NI_BUILDING)
#define NI_API __declspec(dllexport)
#elif defined(_WIN32) && defined(NI_STATIC)
#define NI_API
#elif defined(_WIN32)
#define NI_API __declspec(dllimport)
#elif defined(__GNUC__)
#define NI_API __attribute__((visibility("default")))
#else
#define NI_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define NI_VERSION_MAJOR 0
#define NI_VERSION_MINOR 1
#define NI_VERSION_PATCH 0

/* ------------------------------------------------------------------ */
/* The inheritable flag                                                */
/* ------------------------------------------------------------------ */

/*
 * Returns 1 if fd would be inherited by a child across execve() (its
 * close-on-exec flag is clear), 0 if it would not, or -1 with errno EBADF
 * if fd is not an open descriptor.
 */
NI_API int ni_get_inheritable(int fd);

/*
 * Makes fd inheritable (inheritable true: clears FD_CLOEXEC) or not (sets
 * it).  Uses ioctl(FIOCLEX/FIONCLEX), one system call, where the kernel
 * accepts it, else fcntl(), which skips the write when the flag is already
 * as asked.  Works on O_PATH descriptors.  Returns 0, or -1 with errno EBADF
 * if fd is not an open descriptor.
 */
NI_API int ni_set_inheritable(int fd, bool inheritable);

/* ------------------------------------------------------------------ */
/* Creation: each is the twin of the POSIX call of the same name, takes */
/* the same arguments, fails with the same errno, and returns a         */
/* non-inheritable descriptor.                                          */
/* ------------------------------------------------------------------ */

/*
 * open(2) / openat(2) / creat(2) with O_CLOEXEC added.  The mode argument
 * is read only when flags contain O_CREAT or O_TMPFILE.  Errors: those of
 * open(2) (ENOENT, EACCES, EEXIST, EISDIR, EMFILE, EBADF for a bad dirfd,
 * ...).
 */
NI_API int ni_open(const char *path, int flags, ... /* mode_t mode */);
NI_API int ni_openat(int dirfd, const char *path, int flags, ... /* mode_t mode */);
NI_API int ni_creat(const char *path, mode_t mode);

/*
 * fopen(3) whose underlying descriptor is non-inheritable (mode "e" added).
 * mode must start with "r", "w" or "a", followed by any of "+", "b" (ISO
 * C) and the glibc/musl extensions "x", "e", "m", "c"; anything else fails
 * with EINVAL before any file is touched.  Returns NULL with errno
 * as fopen(3) on other errors.
 */
NI_API FILE *ni_fopen(const char *path, const char *mode);

/*
 * ni_dup: dup(2), the new descriptor non-inheritable (F_DUPFD_CLOEXEC).
 * ni_dupfd: the lowest free descriptor >= minfd, as fcntl(F_DUPFD_CLOEXEC).
 * Errors: EBADF (fd not open), EINVAL (minfd negative or beyond
 * RLIMIT_NOFILE), EMFILE.
 */
NI_API int ni_dup(int fd);
NI_API int ni_dupfd(int fd, int minfd);

/*
 * PEP 446's os.dup2(): duplicates fd onto fd2, closing fd2 first if open.
 * fd2 is non-inheritable unless inheritable is true (dup3 with O_CLOEXEC,
 * or plain dup2).  When fd == fd2, only sets the flag of fd.  Returns fd2,
 * or -1 with errno EBADF (fd not open, or fd2 negative or beyond
 * RLIMIT_NOFILE), EBUSY, EINTR or EMFILE as dup2(2) does.
 */
NI_API int ni_dup2(int fd, int fd2, bool inheritable);

/*
 * pipe(2) and pipe2(2): both ends non-inheritable.  ni_pipe2 accepts
 * O_NONBLOCK and O_DIRECT (and O_CLOEXEC, which is implied); any other flag
 * fails with EINVAL.  Errors: EMFILE, ENFILE, EFAULT, EINVAL.
 */
NI_API int ni_pipe(int fds[2]);
NI_API int ni_pipe2(int fds[2], int flags);

/*
 * socket(2) and socketpair(2) with SOCK_CLOEXEC.  type may carry
 * SOCK_NONBLOCK (emulated with fcntl where SOCK_CLOEXEC is refused).
 * Errors: those of socket(2) (EAFNOSUPPORT, EINVAL, EPROTONOSUPPORT,
 * EACCES, EMFILE, ...).  On failure sv is untouched.
 */
NI_API ni_socket_t ni_socket(int domain, int type, int protocol);
NI_API int ni_socketpair(int domain, int type, int protocol, ni_socket_t sv[2]);

/*
 * accept(2) / accept4(2) with SOCK_CLOEXEC: the accepted socket is
 * non-inheritable whatever the listener's flag.  ni_accept4 accepts
 * SOCK_NONBLOCK (and SOCK_CLOEXEC, implied); any other flag fails with
 * EINVAL.  Errors: those of accept(2) (EAGAIN, EBADF, ENOTSOCK, EINVAL for
 * a socket that is not listening, EINTR, EMFILE, ...).
 */
NI_API ni_socket_t ni_accept(ni_socket_t s, struct sockaddr *addr, socklen_t *len);
NI_API ni_socket_t ni_accept4(ni_socket_t s, struct sockaddr *addr, socklen_t *len, int flags);

/*
 * recvmsg(2) with MSG_CMSG_CLOEXEC: every descriptor that arrives in an
 * SCM_RIGHTS control message is non-inheritable.  Returns the byte count, or
 * -1 with errno as recvmsg(2).
 */
NI_API ssize_t ni_recvmsg(int fd, struct msghdr *msg, int flags);

#ifndef _WIN32
/*
 * openpty(3) with both ends non-inheritable (the slave is opened through
 * TIOCGPTPEER where the kernel has it, else by name, with O_CLOEXEC).
 * name, termp and winp may be NULL; name, if given, must have room for the
 * slave's path (as openpty(3): use at least 64 bytes).  Errors: those of
 * posix_openpt(3), grantpt(3), unlockpt(3), open(2) and tcsetattr(3).
 */
NI_API int ni_openpty(int *master, int *slave, char *name,
                      const struct termios *termp, const struct winsize *winp);
#endif

/*
 * posix_openpt(3) with O_CLOEXEC added to flags (O_RDWR, O_NOCTTY, and
 * O_CLOEXEC, implied).  Errors: EINVAL for any other flag (checked here:
 * glibc does not), and those of posix_openpt(3) (EMFILE, ENOSPC, ...).
 */
NI_API int ni_posix_openpt(int flags);

/*
 * mkstemp(3) / mkostemp(3) with O_CLOEXEC added.  tmpl must end in "XXXXXX"
 * and is rewritten in place, as mkstemp(3) does.  flags may carry O_APPEND,
 * O_SYNC, O_DSYNC and O_NOATIME (O_CLOEXEC is implied); they are passed on
 * to mkostemp(3) unchecked, as it passes them to open(2).  Errors: EINVAL
 * for a bad template, and those of open(2).
 */
NI_API int ni_mkstemp(char *tmpl);
NI_API int ni_mkostemp(char *tmpl, int flags);

/*
 * Linux.  epoll_create1(2), eventfd(2), timerfd_create(2), signalfd(2),
 * inotify_init1(2), memfd_create(2), each with its CLOEXEC flag added;
 * flags otherwise as the call takes them.  When the flag is refused (a
 * seccomp profile) the call is made without it and the flag set after.  ni_signalfd with fd == -1 creates
 * a new descriptor; with an existing signalfd it only changes its mask and
 * leaves its flag alone.  On other systems these fail with ENOSYS.
 */
NI_API int ni_epoll_create1(int flags);
NI_API int ni_eventfd(unsigned int initval, int flags);
NI_API int ni_timerfd_create(int clockid, int flags);
#ifndef _WIN32
NI_API int ni_signalfd(int fd, const sigset_t *mask, int flags);
#endif
NI_API int ni_inotify_init1(int flags);
NI_API int ni_memfd_create(const char *name, unsigned int flags);

/* BSD, macOS: kqueue(2), non-inheritable (kqueuex/kqueue1 where declared;
 * its probe is NI_FEAT_FD_CLOEXEC_FLAGS).  Fails with ENOSYS elsewhere. */
NI_API int ni_kqueue(void);

/* ------------------------------------------------------------------ */
/* Whole-table operations                                              */
/* ------------------------------------------------------------------ */

/*
 * ni_close_from closes every descriptor >= lowfd; ni_cloexec_from makes
 * every descriptor >= lowfd non-inheritable and closes nothing.  Both reach
 * descriptors above a lowered RLIMIT_NOFILE.  They use close_range(2)
 * where the kernel has it (one call), else a walk of /proc/self/fd (raw
 * getdents64 into a stack buffer; cost grows with the descriptors open, not
 * with RLIMIT_NOFILE), else, as a last resort, a scan of every possible
 * descriptor up to the hard RLIMIT_NOFILE (capped at 2^20 when it is
 * unlimited), whose cost does grow with the limit.  Neither
 * allocates or locks, so both may run in a forked child or a signal handler.
 * Returns 0, or -1 with errno EINVAL if lowfd is negative.
 */
NI_API int ni_close_from(int lowfd);
NI_API int ni_cloexec_from(int lowfd);

/* ------------------------------------------------------------------ */
/* Spawn                                                               */
/* ------------------------------------------------------------------ */

/*
 * ni_spawn starts a program with descriptors 0, 1 and 2 as this process has
 * them plus the ones mapped in its options, and nothing else: PEP 446's
 * subprocess with close_fds=True and pass_fds, generalised to any mapping.
 * Options live in an opaque ni_spawn_opts; a NULL one means the defaults.
 * Each setter returns 0, or -1 with errno (EINVAL for a NULL o, EBADF for a
 * negative descriptor, ENOMEM).  One ni_spawn_opts may serve many spawns,
 * in several threads at once, as long as none of them changes it meanwhile.
 */
typedef struct ni_spawn_opts ni_spawn_opts;

/* New options with the defaults; NULL with errno ENOMEM. */
NI_API ni_spawn_opts *ni_spawn_opts_new(void);
/* Frees o; NULL is allowed. */
NI_API void ni_spawn_opts_free(ni_spawn_opts *o);
/*
 * The child gets this process's parent_fd as child_fd, inheritable there.
 * All mappings act as if made at once: swaps, rotations through 0/1/2, a
 * source that is another mapping's target and one source onto several
 * targets all work.  Mapping the same child_fd twice from different
 * sources fails with EINVAL.  parent_fd is checked to be open by ni_spawn.
 * This process's own flags never change.
 */
NI_API int ni_spawn_opts_map_fd(ni_spawn_opts *o, int parent_fd, int child_fd);
/* ni_spawn_opts_map_fd(o, fd, fd). */
NI_API int ni_spawn_opts_pass_fd(ni_spawn_opts *o, int fd);
/*
 * true (the default): every descriptor but 0-2 and the mapped ones is
 * closed in the child, whatever its flag, even above a lowered
 * RLIMIT_NOFILE.  false: inheritable descriptors are inherited too.
 */
NI_API int ni_spawn_opts_set_close_fds(ni_spawn_opts *o, bool close_fds);
/* The child's working directory (copied); NULL: this process's. */
NI_API int ni_spawn_opts_set_cwd(ni_spawn_opts *o, const char *dir);
/*
 * true: a file without '/' is looked up in PATH, as execvp(3) does (PATH
 * taken from envp when given, else from this process; "/bin:/usr/bin" when
 * unset).  false (the default): such a file fails with ENOENT.
 */
NI_API int ni_spawn_opts_set_search_path(ni_spawn_opts *o, bool search);
/* true: the child calls setsid(2); ni_spawn_opts_set_pgroup is then not
 * used. */
NI_API int ni_spawn_opts_set_setsid(ni_spawn_opts *o, bool setsid);
/* The child calls setpgid(0, pgid): 0 makes it a group leader.  EINVAL if
 * pgid is negative. */
NI_API int ni_spawn_opts_set_pgroup(ni_spawn_opts *o, pid_t pgid);
/* The child's umask (only the permission bits are kept). */
NI_API int ni_spawn_opts_set_umask(ni_spawn_opts *o, mode_t mask);
#ifndef _WIN32
/* The child's signal mask; NULL: this thread's (the default). */
NI_API int ni_spawn_opts_set_sigmask(ni_spawn_opts *o, const sigset_t *mask);
#endif

/*
 * Starts file with argv and envp (NULL: environ) and stores the child's pid
 * in *pid.  Signals this process catches are reset to SIG_DFL in the child,
 * ignored ones stay ignored; the child's mask is this thread's unless set.
 * Returns 0, or -1 with errno.  Before any child exists: EINVAL (NULL pid,
 * file or argv), ENOENT (a file without '/' and no PATH search), EBADF (a
 * mapped source not open, a target at or above the soft RLIMIT_NOFILE),
 * ENOMEM, EAGAIN (no process could be made).  Otherwise the error of
 * whatever failed in the child before its execve succeeded: ENOENT,
 * EACCES, ENOEXEC, ENOTDIR... from execve, a chdir error, EPERM from
 * setsid/setpgid, EMFILE when no descriptor was free to copy a mapped
 * source above the highest target.  On failure *pid is untouched, the child
 * has been reaped and nothing of this process has changed.  Thread-safe,
 * not async-signal-safe (it allocates).
 */
NI_API int ni_spawn(pid_t *pid, const char *file, char *const argv[],
    char *const envp[], const ni_spawn_opts *o);
/*
 * ni_spawn, plus a pidfd for the child in *pidfd (non-inheritable) for
 * race-free waiting (poll, waitid(P_PIDFD)).  EINVAL for a NULL pidfd;
 * ENOSYS, before any child exists, where the kernel has no pidfds (Linux
 * before 5.3, other systems).
 */
NI_API int ni_spawn_pidfd(int *pidfd, pid_t *pid, const char *file,
    char *const argv[], char *const envp[], const ni_spawn_opts *o);
/*
 * Replaces this process with file (as execve), with the descriptor plan of
 * ni_spawn: descriptors 0-2 and each mapped target, inheritable, and with
 * close_fds (the default) every other one close-on-exec.  Of the options,
 * cwd, search_path, umask, sigmask, setsid and pgroup apply; caught signals
 * are reset by execve itself.  Returns only on failure: -1 with errno, the
 * errors of ni_spawn (EINVAL, ENOENT, EBADF, ENOMEM, what chdir, setsid,
 * setpgid or execve said; EMFILE when no descriptor is free for the copy
 * of one that a mapping overwrites, or, with cwd set, for the old working
 * directory), and this process as it was: its descriptors (each one's file
 * and flag), working directory, umask and signal mask -- except that a
 * setsid or setpgid that succeeded before execve failed is not undone.
 * Other threads see the descriptor table change while it runs.  Windows:
 * ENOSYS.
 */
NI_API int ni_exec(const char *file, char *const argv[], char *const envp[],
    const ni_spawn_opts *o);

/*
 * Windows: ni_spawn calls CreateProcessW.  *pid receives the child's
 * process HANDLE, not its number (pid_t is 64 bits wide there; the CRT's
 * _spawnv(_P_NOWAIT) returns a handle the same way): wait with
 * WaitForSingleObject((HANDLE)(intptr_t)pid, ...), read the status with
 * GetExitCodeProcess, the number with GetProcessId, and CloseHandle it
 * when done.  The handle is not inheritable.  The child gets, for each of
 * its descriptors 0-2 and each mapped one, an inheritable duplicate of the
 * source's handle made for this call alone and named in a
 * PROC_THREAD_ATTRIBUTE_HANDLE_LIST, so no other handle reaches it, not
 * even one another thread made inheritable meanwhile (other threads that
 * call CreateProcess with bInheritHandles TRUE and no list can still
 * receive those duplicates while ni_spawn runs).  Descriptors are CRT
 * descriptors; a C child (msvcrt or UCRT) finds each mapped one under
 * its number through the runtime's inheritance block (lpReserved2),
 * 0-2 in text mode as usual, the others in binary mode.  A child
 * descriptor above 2047 fails with EBADF.  With close_fds false every
 * inheritable handle of this process is inherited as well.
 * argv is quoted so the Microsoft C runtime splits it back unchanged;
 * argv[0] cannot hold a '"' (EINVAL); the command line is limited to
 * 32767 UTF-16 units (E2BIG).  All strings are UTF-8 (EILSEQ otherwise).
 * envp entries need a '=' after their first character (EINVAL).  A file
 * with '/', '\\' or ':' is taken as a path (against the cwd option when
 * relative), with the PATHEXT extensions tried when it is not an existing
 * file and has none of them; a bare name is searched in PATH only, with
 * search_path on, never in the current or system directories.  A .bat or
 * .cmd program fails with ENOEXEC (CreateProcess would run it through
 * cmd.exe, whose quoting rules differ).  A working directory that does not
 * exist fails with ENOENT, one that is not a directory with ENOTDIR.
 * ni_spawn_opts_set_setsid, _set_pgroup and _set_umask, and
 * ni_spawn_pidfd, fail with ENOSYS.
 */

/* ------------------------------------------------------------------ */
/* What works here                                                     */
/* ------------------------------------------------------------------ */

#define NI_FEAT_O_CLOEXEC           (1u << 0)  /* open() honours O_CLOEXEC */
#define NI_FEAT_SOCK_CLOEXEC        (1u << 1)  /* socket()/socketpair() take SOCK_CLOEXEC */
#define NI_FEAT_ACCEPT4             (1u << 2)  /* accept4() with SOCK_CLOEXEC */
#define NI_FEAT_DUPFD_CLOEXEC       (1u << 3)  /* fcntl(F_DUPFD_CLOEXEC) */
#define NI_FEAT_DUP3                (1u << 4)  /* dup3(O_CLOEXEC) */
#define NI_FEAT_PIPE2               (1u << 5)  /* pipe2(O_CLOEXEC) */
#define NI_FEAT_CMSG_CLOEXEC        (1u << 6)  /* recvmsg(MSG_CMSG_CLOEXEC) */
#define NI_FEAT_EPOLL_CLOEXEC       (1u << 7)  /* epoll_create1(EPOLL_CLOEXEC) */
#define NI_FEAT_FD_CLOEXEC_FLAGS    (1u << 8)  /* eventfd/timerfd/signalfd/inotify/memfd CLOEXEC flags */
#define NI_FEAT_FOPEN_E             (1u << 9)  /* fopen() honours mode "e" */
#define NI_FEAT_FIOCLEX             (1u << 10) /* ioctl(FIOCLEX/FIONCLEX) */
#define NI_FEAT_CLOSE_RANGE         (1u << 11) /* close_range(2) */
#define NI_FEAT_CLOSE_RANGE_CLOEXEC (1u << 12) /* close_range(CLOSE_RANGE_CLOEXEC) */
#define NI_FEAT_PROC_FD             (1u << 13) /* /proc/self/fd can be walked */
#define NI_FEAT_CLONE_VFORK         (1u << 14) /* ni_spawn's clone(CLONE_VM|CLONE_VFORK) child (known after the first spawn) */
#define NI_FEAT_CLONE3              (1u << 15) /* clone3(CLONE_CLEAR_SIGHAND) for it (the same) */
#define NI_FEAT_PIDFD               (1u << 16) /* pidfds: ni_spawn_pidfd works */

/*
 * Probes (once; later calls read the cache) which atomic mechanisms work in
 * this process and returns the NI_FEAT_* bits of those that do.  A bit is
 * clear when the mechanism is missing at build time or was refused at run
 * time; the library then uses the fallback described in the README.
 * Probing creates and closes a few descriptors; it never fails.
 */
NI_API unsigned ni_features(void);

/* The library's version, "MAJOR.MINOR.PATCH". */
NI_API const char *ni_version(void);

#ifdef _WIN32
/* ------------------------------------------------------------------ */
/* Windows                                                             */
/* ------------------------------------------------------------------ */

/*
 * On Windows a child started by CreateProcess with bInheritHandles TRUE
 * gets every handle whose HANDLE_FLAG_INHERIT is set; descriptors are the
 * C runtime's numbers for handles (msvcrt.dll, or the UCRT).  "Not
 * inheritable" here means the flag is clear.  Paths are UTF-8 (EILSEQ if
 * not), opened through the CRT's wide calls.  Errors are errno values, as
 * the CRT and the mapping of Winsock codes give them.
 *
 * ni_get_handle_inheritable / ni_set_handle_inheritable: the flag of a
 * HANDLE (or SOCKET, cast), by Get/SetHandleInformation.  1, 0 or -1 /
 * 0 or -1, with errno EBADF for NULL, INVALID_HANDLE_VALUE or a closed
 * handle.
 *
 * ni_get_inheritable / ni_set_inheritable: the same on the handle behind
 * a CRT descriptor (_get_osfhandle); EBADF for a descriptor that is
 * negative, beyond the CRT's table or not open.  A bad descriptor never
 * reaches the CRT's invalid-parameter handler: numbers out of the table
 * are refused before, and under the UCRT, whose default handler ends the
 * process, a do-nothing handler is set for the calling thread around each
 * CRT call (msvcrt.dll's default handler just returns).  Only the handle's
 * flag changes: the CRT's own no-inherit bit, which its _spawn* functions
 * read, is fixed when the descriptor is made.
 *
 * Atomic (the handle is never inheritable):
 *   ni_open, ni_creat   _wopen with _O_NOINHERIT; flags are the CRT's
 *                       (_O_BINARY, _O_TEXT... as _wopen takes them).
 *   ni_openat           as ni_open when path is absolute ("C:\x", "\x",
 *                       "\\server\x") or dirfd is NI_AT_FDCWD; Windows
 *                       has no openat, so any other dirfd fails with
 *                       EBADF if not open, else ENOSYS.
 *   ni_fopen            _wfopen with "N" added.  mode: "r", "w" or "a",
 *                       then any of "+", "b" or "t" (not both), and "e"
 *                       or "N" (implied); anything else is EINVAL before
 *                       any file is touched.
 *   ni_mkstemp,         _wopen(_O_CREAT | _O_EXCL | _O_RDWR | _O_NOINHERIT,
 *   ni_mkostemp         read-write) on names from rand_s, retried while
 *                       taken; binary unless flags say _O_TEXT.  flags may
 *                       be _O_APPEND, _O_BINARY, _O_TEXT, _O_TEMPORARY,
 *                       _O_SHORT_LIVED, _O_SEQUENTIAL, _O_RANDOM; others
 *                       and a template not ending in "XXXXXX" are EINVAL.
 *   ni_pipe, ni_pipe2   _pipe with _O_NOINHERIT, 64 KiB, binary.  ni_pipe2
 *                       takes 0, _O_BINARY or _O_TEXT; others are EINVAL.
 *   ni_socket           WSASocketW with WSA_FLAG_OVERLAPPED (as socket()
 *                       sets it) and WSA_FLAG_NO_HANDLE_INHERIT (Windows 7
 *                       SP1).  Where that flag is refused, the socket is
 *                       made without it and its flag cleared after (not
 *                       atomic), and the refusal is remembered
 *                       (NI_FEAT_SOCK_CLOEXEC clear).  Returns
 *                       NI_INVALID_SOCKET with errno on failure.
 * Not atomic (made inheritable by Windows, cleared at once after; a
 * CreateProcess with bInheritHandles TRUE in another thread in between
 * may pass the handle on; ni_spawn never does, since it lists the handles
 * it passes):
 *   ni_dup, ni_dupfd    _dup, then the flag: the CRT's state of the
 *                       descriptor (text mode, _O_APPEND) is kept, which
 *                       DuplicateHandle and _open_osfhandle would lose.
 *                       ni_dupfd dups until a number >= minfd comes,
 *                       closing the lower ones (EINVAL for minfd < 0 or
 *                       beyond the CRT's table).
 *   ni_dup2             _dup2, then the flag as asked; fd == fd2 only sets
 *                       the flag.  EBADF for a bad fd or fd2.
 *   ni_accept,          accept, then the flag.  ni_accept4 takes flags 0
 *   ni_accept4          only (Windows has no SOCK_NONBLOCK): else EINVAL.
 *   ni_socketpair       emulated over loopback TCP, as CPython does:
 *                       AF_INET, AF_INET6, or AF_UNIX (an AF_INET pair);
 *                       SOCK_STREAM only (EOPNOTSUPP), protocol 0 or
 *                       IPPROTO_TCP (EPROTONOSUPPORT).  Its three sockets
 *                       come from ni_socket and ni_accept; an accepted
 *                       peer that is not the pair's own client is dropped.
 *                       EAFNOSUPPORT for other domains.
 * ENOSYS: ni_recvmsg, ni_posix_openpt, ni_epoll_create1, ni_eventfd,
 * ni_timerfd_create, ni_inotify_init1, ni_memfd_create, ni_kqueue,
 * ni_close_from and ni_cloexec_from (what a child inherits is every
 * inheritable handle, not the CRT's table; ni_spawn lists its handles).
 * ni_signalfd, ni_openpty and ni_spawn_opts_set_sigmask are not declared.
 *
 * Sockets: the first socket call starts Winsock (WSAStartup 2.2, once per
 * process, never undone), so callers need not; their own WSAStartup and
 * WSACleanup pairs do not disturb it.
 *
 * Thread-safe as everywhere.  The functions that take a path allocate its
 * UTF-16 copy, and ni_dupfd a bitmap, so unlike on POSIX they are not
 * free of malloc.
 *
 * ni_features: NI_FEAT_O_CLOEXEC (_O_NOINHERIT), NI_FEAT_PIPE2,
 * NI_FEAT_FOPEN_E ("N") always; NI_FEAT_SOCK_CLOEXEC when
 * WSA_FLAG_NO_HANDLE_INHERIT is honoured.  No other bit.
 */
#define NI_AT_FDCWD (-100)	/* ni_openat: relative to the current directory */
NI_API int ni_get_handle_inheritable(void *handle);
NI_API int ni_set_handle_inheritable(void *handle, bool inheritable);
#endif

#ifdef __cplusplus
}
#endif

#endif /* NOINHERIT_H */
