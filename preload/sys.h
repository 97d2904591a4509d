/*
 * sys.h - the shim's own system calls.
 *
 * The shim's I/O (the log, /proc, fstat) never goes through the symbols a
 * program or another preload may have interposed: every call here is a raw
 * syscall(2).  All of them are async-signal-safe and usable in a vfork
 * child: no locks, no malloc.  They report errors as -1 and errno, which the
 * callers save and restore around their work (shim_busy_enter/leave).
 */
#ifndef NI_PRELOAD_SYS_H
#define NI_PRELOAD_SYS_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static inline int
sys_open(const char *path, int flags, mode_t mode)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

static inline int
sys_close(int fd)
{
	return (int)syscall(SYS_close, fd);
}

static inline ssize_t
sys_read(int fd, void *buf, size_t n)
{
	return syscall(SYS_read, fd, buf, n);
}

static inline ssize_t
sys_write(int fd, const void *buf, size_t n)
{
	return syscall(SYS_write, fd, buf, n);
}

static inline int
sys_fcntl(int fd, int cmd, long arg)
{
	return (int)syscall(SYS_fcntl, fd, cmd, arg);
}

static inline int
sys_fstat(int fd, struct stat *st)
{
	return (int)syscall(SYS_newfstatat, fd, "", st, AT_EMPTY_PATH);
}

static inline ssize_t
sys_readlink(const char *path, char *buf, size_t n)
{
	return syscall(SYS_readlinkat, AT_FDCWD, path, buf, n);
}

static inline long
sys_getdents64(int fd, void *buf, size_t n)
{
	return syscall(SYS_getdents64, fd, buf, n);
}

static inline int
sys_socket(int domain, int type, int proto)
{
	return (int)syscall(SYS_socket, domain, type, proto);
}

static inline int
sys_connect(int fd, const void *addr, unsigned len)
{
	return (int)syscall(SYS_connect, fd, addr, len);
}

static inline int
sys_getsockopt(int fd, int level, int name, void *val, unsigned *len)
{
	return (int)syscall(SYS_getsockopt, fd, level, name, val, len);
}

static inline ssize_t
sys_send(int fd, const void *buf, size_t n, int flags)
{
	return syscall(SYS_sendto, fd, buf, n, flags, NULL, 0);
}

static inline pid_t
sys_getpid(void)
{
	return (pid_t)syscall(SYS_getpid);
}

static inline pid_t
sys_getppid(void)
{
	return (pid_t)syscall(SYS_getppid);
}

/* Where the system has mmap2 (32-bit: i386's SYS_mmap takes its
 * arguments in a block), the offset is in 4096-byte units. */
static inline void *
sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
#ifdef SYS_mmap2
	return (void *)syscall(SYS_mmap2, addr, len, prot, flags, fd,
	    (long)(off / 4096));
#else
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
#endif
}

static inline int
sys_munmap(void *addr, size_t len)
{
	return (int)syscall(SYS_munmap, addr, len);
}

#endif
