/*
 * cases_lifecycle.c - the cases of test_audit where the process is not
 * simply there and ours: no such process, a zombie, a process that exits
 * in the middle of the scan (ptrace), and one that user nobody may not
 * read.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* A pid no process has; a leaking one beside it: 2 wins, both reported. */
void
no_such_process(void)
{
	struct leaker l = start_leaker("leak");
	struct run r;
	char want[64];

	r = audit("-p", "2147483647", NULL);
	status_is(&r, 2);
	err_has(&r, "noinherit: audit: pid 2147483647: no such process\n");
	r = audit("-p", "2147483647", "-p", pidstr(l.pid), NULL);
	status_is(&r, 2);
	snprintf(want, sizeof want, "(pid %d, ", (int)l.pid);
	has(&r, want);
	has(&r, "[LISTENING]");
	r = audit("--json", "-p", "2147483647", NULL);
	status_is(&r, 2);
	has(&r, "{\"pid\":2147483647,\"ppid\":null,\"comm\":null,\"exe\":null,"
	    "\"fds\":[],\"error\":\"no such process\"}\n");
	if (failures)
		show(&r);
	stop(l.pid);
}

/* A child that has exited, not yet reaped: reported, not an error. */
void
zombie(void)
{
	pid_t z = fork();
	struct run r;
	char path[64], buf[256] = "";
	ssize_t n;
	int i, fd;

	if (z == 0)
		_exit(0);
	snprintf(path, sizeof path, "/proc/%d/stat", (int)z);
	for (i = 0; i < 500 && strstr(buf, ") Z ") == NULL; i++) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, buf, sizeof buf - 1);
			buf[n > 0 ? n : 0] = '\0';
			close(fd);
		}
		usleep(10000);
	}
	r = audit("-p", pidstr(z), NULL);
	status_is(&r, 0);
	has(&r, "(pid ");
	has(&r, "exited (a zombie, not yet reaped)");
	r = audit("--json", "-p", pidstr(z), NULL);
	status_is(&r, 0);
	has(&r, "\"fds\":[],\"error\":\"exited (a zombie, not yet reaped)\"}");
	if (failures)
		show(&r);
	stop(z);
}

/*
 * A process that exits in the middle of the scan, made deterministic with
 * ptrace: the audit stops at the openat() of `trigger` ("fd": the fd
 * directory; "#": the first fdinfo/N), the leaker is killed and reaped
 * there, and the audit goes on.
 */
static void
traceme(void *arg)
{
	(void)arg;
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		_exit(SKIP);
	raise(SIGSTOP);
}

static bool
openat_of(pid_t a, const char *trigger)
{
	struct __ptrace_syscall_info info;
	char path[64] = "";
	struct iovec local = { path, sizeof path - 1 }, remote;
	size_t i;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, a, sizeof info, &info) <= 0 ||
	    info.op != PTRACE_SYSCALL_INFO_ENTRY || info.entry.nr != SYS_openat)
		return false;
	remote.iov_base = (void *)(uintptr_t)info.entry.args[1];
	remote.iov_len = sizeof path - 1;
	if (process_vm_readv(a, &local, 1, &remote, 1, 0) <= 0)
		return false;
	if (strcmp(trigger, "#") != 0)
		return strcmp(path, trigger) == 0;
	for (i = 0; path[i] >= '0' && path[i] <= '9'; i++)
		;
	return i > 0 && path[i] == '\0';
}

void
exited_mid_scan(const char *trigger)
{
	struct leaker l = start_leaker("leak");
	char *argv[] = { (char *)cli, "audit", "-p", pidstr(l.pid), NULL };
	bool hit = false;
	int o, e, st, sig = 0;
	pid_t a = spawn(argv, traceme, NULL, &o, &e);
	struct run r;

	if (waitpid(a, &st, 0) < 0 || !WIFSTOPPED(st)) {
		printf("SKIP: ptrace is not available here\n");
		exit(SKIP);
	}
	ptrace(PTRACE_SETOPTIONS, a, NULL, (void *)(long)(PTRACE_O_TRACESYSGOOD |
	    PTRACE_O_EXITKILL));
	while (!hit && ptrace(PTRACE_SYSCALL, a, NULL, (void *)(long)sig) == 0 &&
	    waitpid(a, &st, 0) == a && WIFSTOPPED(st)) {
		sig = 0;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80))
			hit = openat_of(a, trigger);
		else if (WSTOPSIG(st) != SIGTRAP)
			sig = WSTOPSIG(st);
	}
	if (hit) {
		stop(l.pid);		/* gone, and reaped, before the open */
		ptrace(PTRACE_DETACH, a, NULL, NULL);
	} else {
		fail("the audit never opened \"%s\"", trigger);
		stop(l.pid);
	}
	r = collect(a, o, e);
	status_is(&r, 0);
	has(&r, "leak) (er (pid ");
	has(&r, "): exited during the scan\n");
	lacks(&r, "TCP");
	if (failures)
		show(&r);
}

/* As user nobody, auditing a root process: permission denied. */
void
permission(void)
{
	struct leaker l;
	struct run r;
	char *argv[] = { (char *)cli, "audit", "-p", NULL, NULL };
	char *all[] = { (char *)cli, "audit", "--all", NULL };
	char want[128], cdir[64], copy[128];
	char *libdir = NULL;

	if (geteuid() != 0) {
		printf("SKIP: needs root, to become another user\n");
		exit(SKIP);
	}
	l = start_leaker("leak");
	argv[3] = pidstr(l.pid);
	r = run_with(become_nobody, NULL, argv);
	if (r.status == SKIP || r.status == 127) {
		/* The build tree is closed to nobody: run copies instead. */
		argv[0] = all[0] = (char *)cli_for_nobody(cdir, sizeof cdir, copy,
		    sizeof copy);
		if (argv[0] != NULL) {
			libdir = cdir;
			r = run_with(become_nobody, libdir, argv);
		}
		if (argv[0] == NULL || r.status == SKIP || r.status == 127) {
			printf("SKIP: user nobody cannot run %s\n", cli);
			if (libdir != NULL)
				remove_copies(cdir);
			stop(l.pid);
			exit(SKIP);
		}
	}
	status_is(&r, 2);
	snprintf(want, sizeof want, "noinherit: audit: pid %d: permission "
	    "denied: run as the process's owner or root\n", (int)l.pid);
	if (strcmp(r.err, want) != 0)
		fail("stderr is not \"%s\"", want);
	if (r.out[0] != '\0')
		fail("stdout is not empty");
	/* --all: what nobody may not read is skipped and counted. */
	r = run_with(become_nobody, libdir, all);
	if (r.status != 0 && r.status != 1)
		fail("--all as nobody: exit status %d", r.status);
	err_has(&r, "noinherit: audit: skipped ");
	err_has(&r, "this user may not read (pid ");
	err_has(&r, "run as root to audit them\n");
	has(&r, " processes audited, ");
	if (failures)
		show(&r);
	if (libdir != NULL)
		remove_copies(cdir);
	stop(l.pid);
}
