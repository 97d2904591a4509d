/*
 * ni_sandbox - run a program where the atomic close-on-exec mechanisms are
 * refused, so that every fallback of the library runs on a modern kernel.
 *
 *   ni_sandbox [--seccomp=enosys|eperm] [--no-vfork] [--no-pidfd]
 *              [--no-sockdiag] [--no-ptrace] [--no-vm-read] [--hide-proc]
 *              [--strip-cloexec] [--kill-socket]
 *              -- PROG ARGS...
 *
 * --seccomp=enosys  installs a seccomp filter (inherited across fork and
 *                   exec) that refuses only the calls carrying a
 *                   close-on-exec flag, the way an old kernel would:
 *                   pipe2/dup3/accept4/epoll_create1 with their CLOEXEC bit
 *                   and close_range fail with ENOSYS; socket/socketpair with
 *                   SOCK_CLOEXEC, fcntl(F_DUPFD_CLOEXEC), eventfd2,
 *                   timerfd_create, signalfd4, inotify_init1 and
 *                   memfd_create with their CLOEXEC flag, and
 *                   recvmsg/recvmmsg with MSG_CMSG_CLOEXEC fail with EINVAL;
 *                   ioctl(FIOCLEX/FIONCLEX) fails with ENOTTY.  The plain
 *                   forms are left alone: libc needs them.
 * --seccomp=eperm   the same calls, all failing with EPERM, as container
 *                   seccomp profiles answer.
 *                   Both also refuse clone3 with ENOSYS, as Docker's
 *                   profile does (C libraries then fall back to clone).
 * --no-vfork        refuses clone with CLONE_VFORK and vfork with EPERM
 *                   (and clone3 with ENOSYS), so that ni_spawn takes its
 *                   fork fallback.  Leaves NI_TEST_MODE alone.
 * --no-pidfd        refuses pidfd_open and clone with CLONE_PIDFD with
 *                   EPERM (and clone3 with ENOSYS), as a seccomp profile
 *                   that predates pidfds answers.  Leaves NI_TEST_MODE
 *                   alone.
 * --no-sockdiag     refuses socket(AF_NETLINK, *, NETLINK_SOCK_DIAG) with
 *                   EPROTONOSUPPORT, as a kernel without sock_diag does, so
 *                   that `noinherit audit` and trace take the /proc/net
 *                   text fallback.
 * --no-ptrace       refuses ptrace(2) with EPERM, as Docker's default
 *                   profile does on older kernels and Yama's scope 3
 *                   does: `noinherit trace` then observes through the
 *                   shim alone and says the report is incomplete.
 * --no-vm-read      refuses process_vm_readv with EPERM, so that trace's
 *                   observer reads each new program's argv, environment
 *                   and auxv from /proc instead of from its stack.
 * --hide-proc       runs PROG in a private mount namespace with an empty
 *                   tmpfs over /proc, so /proc/self/fd cannot be walked.
 *                   Exits 77 (ctest's skip code) when that is not allowed.
 * --strip-cloexec   preloads the ni_stripcloexec shim, which drops O_CLOEXEC
 *                   from open() and friends and "e" from fopen() modes.
 * --kill-socket     kills the process that calls socket(2), whatever its
 *                   arguments (SECCOMP_RET_KILL_PROCESS), as a program that
 *                   filters its own calls would: the trace shim must then
 *                   not make one.
 *
 * NI_TEST_MODE is set for PROG (unless already set) to "seccomp",
 * "seccomp-eperm" or "ocloexec-ignored", so tests know what to expect.
 * Exit status: PROG's (exec replaces the sandbox), 77 when the sandbox
 * cannot be built here (no seccomp, no mount namespace), 127 when PROG
 * cannot be executed, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <linux/netlink.h>
#include <sched.h>
#include <unistd.h>

#ifdef NI_HAVE_SECCOMP
#include <seccomp.h>
#endif

#ifndef NI_STRIPCLOEXEC_PATH
#error "NI_STRIPCLOEXEC_PATH must name the ni_stripcloexec shared library"
#endif

#define SKIP_CODE 77

enum refusal { REFUSE_NONE, REFUSE_ENOSYS, REFUSE_EPERM };

static const char *prog = "ni_sandbox";

static void
usage(void)
{
	fprintf(stderr, "usage: %s [--seccomp=enosys|eperm] [--no-vfork] "
	    "[--no-pidfd] [--no-sockdiag] [--no-ptrace] [--no-vm-read] [--hide-proc] "
	    "[--strip-cloexec] [--kill-socket] -- PROG ARGS...\n", prog);
	exit(2);
}

/* What the seccomp filter refuses (install_seccomp). */
struct filter {
	enum refusal how;
	bool novfork, nopidfd, nosockdiag, noptrace, novmread;
	bool killsocket;
};

#ifdef NI_HAVE_SECCOMP
/*
 * One rule: syscall NAME fails with ERR when (arg ARGNO & MASK) == MASK
 * (or == VALUE for commands).  Returns false if the rule could not be added;
 * a syscall this architecture lacks is skipped silently.
 */
static bool
add_rule(scmp_filter_ctx ctx, int err, const char *name, unsigned argno,
    scmp_datum_t mask, scmp_datum_t value)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr == __NR_SCMP_ERROR || nr < 0)
		return true;   /* not a syscall here (e.g. fcntl64 on x86_64) */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 1,
	    SCMP_CMP(argno, SCMP_CMP_MASKED_EQ, mask, value));
	if (rc < 0) {
		fprintf(stderr, "%s: seccomp rule for %s: %s\n", prog, name,
		    strerror(-rc));
		return false;
	}
	return true;
}

/* The whole syscall fails with ERR, whatever its arguments. */
static bool
add_rule_all(scmp_filter_ctx ctx, int err, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr == __NR_SCMP_ERROR || nr < 0)
		return true;
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
	if (rc < 0) {
		fprintf(stderr, "%s: seccomp rule for %s: %s\n", prog, name,
		    strerror(-rc));
		return false;
	}
	return true;
}

/* A flag bit: refused when the bit is set. */
#define FLAG(name, argno, bit, err) \
	ok = add_rule(ctx, (err), (name), (argno), (bit), (bit)) && ok
/* A 32-bit command value: refused when equal (upper half ignored). */
#define CMD(name, argno, value, err) \
	ok = add_rule(ctx, (err), (name), (argno), 0xffffffffu, (value)) && ok

static void
install_seccomp(const struct filter *f)
{
	scmp_filter_ctx ctx;
	enum refusal how = f->how;
	bool eperm = how == REFUSE_EPERM;
	int nosys = eperm ? EPERM : ENOSYS;
	int inval = eperm ? EPERM : EINVAL;
	int notty = eperm ? EPERM : ENOTTY;
	bool ok = true;
	int rc;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		fprintf(stderr, "%s: seccomp_init failed\n", prog);
		exit(1);
	}

	/* glibc falls back to clone only on ENOSYS, whatever the mode. */
	ok = add_rule_all(ctx, ENOSYS, "clone3") && ok;
	if (f->novfork) {
		FLAG("clone", 0, CLONE_VFORK, EPERM);
		ok = add_rule_all(ctx, EPERM, "vfork") && ok;
	}
	if (f->noptrace)
		ok = add_rule_all(ctx, EPERM, "ptrace") && ok;
	if (f->novmread)
		ok = add_rule_all(ctx, EPERM, "process_vm_readv") && ok;
	if (f->nopidfd) {
		FLAG("clone", 0, CLONE_PIDFD, EPERM);
		ok = add_rule_all(ctx, EPERM, "pidfd_open") && ok;
	}
	if (f->killsocket) {
		int nr = seccomp_syscall_resolve_name("socket");

		if (seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, nr, 0) < 0) {
			fprintf(stderr, "%s: seccomp rule for socket\n", prog);
			ok = false;
		}
	} else if (f->nosockdiag) {
		int nr = seccomp_syscall_resolve_name("socket");

		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPROTONOSUPPORT), nr,
		    2, SCMP_A0(SCMP_CMP_EQ, AF_NETLINK, 0),
		    SCMP_A2(SCMP_CMP_EQ, NETLINK_SOCK_DIAG, 0)) < 0) {
			fprintf(stderr, "%s: seccomp rule for socket\n", prog);
			ok = false;
		}
	}
	if (how == REFUSE_NONE)
		goto load;

	/* Missing on an old kernel: ENOSYS. */
	FLAG("pipe2", 1, O_CLOEXEC, nosys);
	FLAG("dup3", 2, O_CLOEXEC, nosys);
	FLAG("accept4", 3, SOCK_CLOEXEC, nosys);
	FLAG("epoll_create1", 0, EPOLL_CLOEXEC, nosys);
	ok = add_rule_all(ctx, nosys, "close_range") && ok;

	/* Unknown flag or command on an old kernel: EINVAL. */
	FLAG("socket", 1, SOCK_CLOEXEC, inval);
	FLAG("socketpair", 1, SOCK_CLOEXEC, inval);
	CMD("fcntl", 1, F_DUPFD_CLOEXEC, inval);
	CMD("fcntl64", 1, F_DUPFD_CLOEXEC, inval);
	FLAG("eventfd2", 1, EFD_CLOEXEC, inval);
	FLAG("timerfd_create", 1, TFD_CLOEXEC, inval);
	FLAG("signalfd4", 3, SFD_CLOEXEC, inval);
	FLAG("inotify_init1", 0, IN_CLOEXEC, inval);
	FLAG("memfd_create", 1, MFD_CLOEXEC, inval);
	FLAG("recvmsg", 2, MSG_CMSG_CLOEXEC, inval);
	FLAG("recvmmsg", 3, MSG_CMSG_CLOEXEC, inval);
	FLAG("recvmmsg_time64", 3, MSG_CMSG_CLOEXEC, inval);

	/* Unknown ioctl: ENOTTY. */
	CMD("ioctl", 1, FIOCLEX, notty);
	CMD("ioctl", 1, FIONCLEX, notty);

load:
	if (!ok)
		exit(1);
	/* Keeps SCMP_FLTATR_CTL_NNP's default: no_new_privs, so that the
	 * filter can be loaded without CAP_SYS_ADMIN too. */
	rc = seccomp_load(ctx);
	if (rc < 0) {
		/* No seccomp in this kernel: an environment limit. */
		printf("skip: cannot install seccomp filter: %s\n",
		    strerror(-rc));
		exit(SKIP_CODE);
	}
	seccomp_release(ctx);
}
#else
static void
install_seccomp(const struct filter *f)
{
	(void)f;
	printf("skip: ni_sandbox was built without libseccomp\n");
	exit(SKIP_CODE);
}
#endif /* NI_HAVE_SECCOMP */

static void __attribute__((noreturn))
skip(const char *what, int err)
{
	printf("skip: cannot hide /proc: %s: %s\n", what, strerror(err));
	fflush(stdout);
	exit(SKIP_CODE);
}

static void
hide_proc(void)
{
	if (unshare(CLONE_NEWNS) != 0)
		skip("unshare(CLONE_NEWNS)", errno);
	/*
	 * Keep our tmpfs from propagating back to the host's namespace.  In a
	 * chroot "/" is no mount point (EINVAL): /proc itself then suffices.
	 */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 &&
	    mount(NULL, "/proc", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		skip("make /proc private", errno);
	if (mount("ni_sandbox", "/proc", "tmpfs",
	    MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555") != 0)
		skip("mount tmpfs on /proc", errno);
	if (access("/proc/self/fd", F_OK) == 0) {
		printf("skip: cannot hide /proc: /proc/self/fd still visible\n");
		exit(SKIP_CODE);
	}
}

static void
strip_cloexec(void)
{
	const char *old = getenv("LD_PRELOAD");
	char *val;

	if (old != NULL && *old != '\0') {
		if (asprintf(&val, "%s:%s", NI_STRIPCLOEXEC_PATH, old) < 0) {
			perror("asprintf");
			exit(1);
		}
	} else {
		val = (char *)NI_STRIPCLOEXEC_PATH;
	}
	if (setenv("LD_PRELOAD", val, 1) != 0) {
		perror("setenv");
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct filter f = { REFUSE_NONE, false, false, false, false, false,
	    false };
	bool hideproc = false, strip = false;
	const char *mode = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (strcmp(a, "--seccomp=enosys") == 0) {
			f.how = REFUSE_ENOSYS;
		} else if (strcmp(a, "--seccomp=eperm") == 0) {
			f.how = REFUSE_EPERM;
		} else if (strcmp(a, "--no-vfork") == 0) {
			f.novfork = true;
		} else if (strcmp(a, "--no-ptrace") == 0) {
			f.noptrace = true;
		} else if (strcmp(a, "--no-vm-read") == 0) {
			f.novmread = true;
		} else if (strcmp(a, "--no-pidfd") == 0) {
			f.nopidfd = true;
		} else if (strcmp(a, "--no-sockdiag") == 0) {
			f.nosockdiag = true;
		} else if (strcmp(a, "--hide-proc") == 0) {
			hideproc = true;
		} else if (strcmp(a, "--strip-cloexec") == 0) {
			strip = true;
		} else if (strcmp(a, "--kill-socket") == 0) {
			f.killsocket = true;
		} else {
			fprintf(stderr, "%s: unknown option %s\n", prog, a);
			usage();
		}
	}
	if (i >= argc)
		usage();

	if (f.how == REFUSE_ENOSYS)
		mode = "seccomp";
	else if (f.how == REFUSE_EPERM)
		mode = "seccomp-eperm";
	else if (strip)
		mode = "ocloexec-ignored";
	if (mode != NULL && setenv("NI_TEST_MODE", mode, 0) != 0) {
		perror("setenv");
		return 1;
	}

	/* Mounts first: the seccomp filter does not refuse them, but it is
	 * the last thing set up before exec. */
	if (hideproc)
		hide_proc();
	if (strip)
		strip_cloexec();
	if (f.how != REFUSE_NONE || f.novfork || f.nopidfd || f.nosockdiag ||
	    f.noptrace || f.novmread || f.killsocket)
		install_seccomp(&f);

	fflush(NULL);
	execvp(argv[i], argv + i);
	fprintf(stderr, "%s: cannot exec %s: %s\n", prog, argv[i],
	    strerror(errno));
	return 127;
}
