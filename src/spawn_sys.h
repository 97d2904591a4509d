/*
 * spawn_sys.h - raw system calls for the spawn child.
 *
 * A child made with CLONE_VM shares the parent's memory, errno included
 * (errno lives in the parent thread's TLS, which the child reuses).  So
 * the child never goes through libc: each call here traps straight into
 * the kernel and returns the result, or -errno, without writing memory.
 * Where no inline form exists for the architecture, syscall(2) stands in;
 * it writes errno, which the parent then saves and restores around the
 * clone (spawn_linux.c), the parent thread being suspended meanwhile.
 */
#ifndef NI_SPAWN_SYS_H
#define NI_SPAWN_SYS_H

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NI_SYS_INLINE 1
static inline long
sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile ("syscall"
	    : "=a"(ret)
	    : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define NI_SYS_INLINE 1
static inline long
sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile ("svc 0"
	    : "+r"(x0)
	    : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
	    : "memory", "cc");
	return x0;
}
#else
#define NI_SYS_INLINE 0
static inline long
sys6(long n, long a, long b, long c, long d, long e, long f)
{
	long r = syscall(n, a, b, c, d, e, f);

	return r == -1 ? -errno : r;
}
#endif

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

/*
 * clone3 with a new stack, for CLONE_VM children: the child starts on
 * args->stack, so it cannot return into C code; it calls fn(arg) at once
 * and exits with its result.  Returns the child's pid, or -errno, in the
 * parent.  Only where an inline form exists (NI_SYS_INLINE).
 */
#if defined(__x86_64__)
static inline long
clone3_run(void *args, unsigned long size, int (*fn)(void *), void *arg)
{
	register void *r8 __asm__("r8") = (void *)fn;
	register void *r9 __asm__("r9") = arg;
	long ret;

	__asm__ volatile (
	    "syscall\n\t"
	    "test %%rax, %%rax\n\t"
	    "jnz 1f\n\t"
	    /* The child, on the new stack (16-byte aligned at its top). */
	    "xor %%ebp, %%ebp\n\t"
	    "mov %%r9, %%rdi\n\t"
	    "call *%%r8\n\t"
	    "mov %%eax, %%edi\n\t"
	    "mov %[exit], %%eax\n\t"
	    "syscall\n\t"
	    "hlt\n"
	    "1:"
	    : "=a"(ret)
	    : "a"((long)SYS_clone3), "D"(args), "S"(size), "r"(r8), "r"(r9),
	      [exit] "i"(SYS_exit)
	    : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
static inline long
clone3_run(void *args, unsigned long size, int (*fn)(void *), void *arg)
{
	register long x8 __asm__("x8") = SYS_clone3;
	register long x0 __asm__("x0") = (long)args;
	register long x1 __asm__("x1") = (long)size;
	register long x9 __asm__("x9") = (long)fn;
	register long x10 __asm__("x10") = (long)arg;

	__asm__ volatile (
	    "svc 0\n\t"
	    "cbnz x0, 1f\n\t"
	    /* The child, on the new stack. */
	    "mov x29, xzr\n\t"
	    "mov x0, x10\n\t"
	    "blr x9\n\t"
	    "mov x8, %[exit]\n\t"
	    "svc 0\n\t"
	    "brk #0\n"
	    "1:"
	    : "+r"(x0)
	    : "r"(x8), "r"(x1), "r"(x9), "r"(x10), [exit] "i"(SYS_exit)
	    : "memory", "cc", "x30");
	return x0;
}
#endif

#define sys0(n) sys6((n), 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) \
	sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

#endif /* NI_SPAWN_SYS_H */
