/*
 * procinfo.h - what /proc says about a process's descriptors: the parsers
 * (pure functions over a buffer, fuzzed by tests/fuzz/) and the loaders that
 * feed them.  Used by `noinherit audit`.
 *
 * Every parser takes any bytes whatever (not NUL-terminated, any length)
 * and never reads outside them; a malformed line is skipped, not fatal.
 */
#ifndef NI_PROCINFO_H
#define NI_PROCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- /proc/PID/fdinfo/N ---------------------------------------------- */

struct pi_fdinfo {
	bool has_flags;		/* a "flags:" line was found */
	unsigned flags;		/* open flags, octal in the file; O_CLOEXEC
				 * set means close-on-exec */
	long long pos;		/* "pos:", -1 if absent */
	int mnt_id;		/* "mnt_id:", -1 if absent */
	unsigned long ino;	/* "ino:" (Linux 5.14+), 0 if absent */
};

/* Parses one fdinfo file.  Returns 0, or -1 if it has no valid flags line. */
int pi_fdinfo_parse(const char *buf, size_t len, struct pi_fdinfo *out);

/* ---- sockets, from /proc/PID/net/ ------------------------------------ */

struct pi_sock {
	unsigned long inode;
	unsigned long peer;	/* a UNIX socket's peer (sock_diag), or 0 */
	bool listening;		/* TCP LISTEN, or a listening UNIX socket */
	unsigned char text;	/* sd_load_self: 1 + its kind when read from
				 * the /proc/net text, else 0 */
	char desc[256];		/* raw text, not escaped (a UNIX name may hold
				 * any byte; a NUL inside an abstract name is
				 * shown as '@', as ss(8) does):
				 * "TCP 127.0.0.1:8080 LISTEN",
				 * "TCP6 [::1]:22 -> [::1]:5555 ESTABLISHED",
				 * "UDP 0.0.0.0:68", "UNIX /run/x.sock LISTEN",
				 * "UNIX @abstract", "UNIX (unnamed) STREAM",
				 * "NETLINK ROUTE", "RAW icmp" ... */
};

struct pi_socktab {
	struct pi_sock *v;
	size_t n, cap;
	bool sorted;
	unsigned loaded;	/* the /proc/net files read into it, a bit each */
	unsigned diag;		/* the sock_diag kinds dumped into it (sockdiag.h) */
};

/*
 * Append the sockets of one /proc/net file to t.  proto is the label
 * ("TCP", "UDP", "RAW", "UDPLITE"); v6 tells the address format.  Return
 * the number of sockets added, or -1 with errno ENOMEM.
 */
int pi_socktab_parse_inet(struct pi_socktab *t, const char *buf, size_t len,
    const char *proto, bool v6);
int pi_socktab_parse_unix(struct pi_socktab *t, const char *buf, size_t len);
int pi_socktab_parse_netlink(struct pi_socktab *t, const char *buf, size_t len);
int pi_socktab_parse_packet(struct pi_socktab *t, const char *buf, size_t len);

/*
 * Loads every socket table of pid's network namespace (/proc/PID/net/tcp,
 * tcp6, udp, udp6, udplite, udplite6, raw, raw6, unix, netlink, packet;
 * pid 0: this process).  Files that are missing or unreadable are skipped.
 * Returns 0, or -1 with errno ENOMEM, or ESRCH if the process is gone (also
 * when it died during the load: the table may then hold part of its
 * sockets, and should be freed).
 */
int pi_socktab_load(struct pi_socktab *t, pid_t pid);
/*
 * Loads, unless it is there already, only the file that lists sockets of
 * one protocol, named as the socket's "system.sockprotoname" extended
 * attribute says ("TCP", "TCPv6", "UDP", "UNIX", "NETLINK", ...): a read of
 * /proc/net/tcp walks the kernel's whole TCP hash table, so an audit reads
 * only what it needs.  Returns 1 when the protocol's file is (now) in t, 0
 * for a protocol /proc/net does not list, -1 with errno as pi_socktab_load.
 */
int pi_socktab_load_proto(struct pi_socktab *t, pid_t pid, const char *name);
const struct pi_sock *pi_socktab_find(struct pi_socktab *t, unsigned long inode);
void pi_socktab_free(struct pi_socktab *t);
/* A new zeroed entry for inode at the table's end (unsorted); NULL on ENOMEM.
 * The /proc/net parsers and sockdiag.c fill the table through it. */
struct pi_sock *pi_socktab_add(struct pi_socktab *t, unsigned long inode);
/* The TCP state's name as /proc/net/tcp and ss spell it ("LISTEN"), or "". */
const char *pi_tcp_state(unsigned st);

/* The name of IP protocol p as /etc/protocols has it ("icmp",
 * "ipv6-icmp"), or NULL. */
const char *pi_ip_proto_name(unsigned p);

/* ---- what a descriptor is -------------------------------------------- */

enum pi_kind {
	PI_UNKNOWN = 0,
	PI_FILE,		/* regular file */
	PI_DIR,
	PI_PIPE,		/* anonymous pipe: pipe:[ino] */
	PI_FIFO,		/* named pipe */
	PI_SOCKET,
	PI_TTY,			/* a terminal: /dev/pts/N, /dev/ttyN, /dev/tty, /dev/console */
	PI_CHARDEV,		/* any other character device (/dev/null ...) */
	PI_BLOCKDEV,
	PI_EVENTFD,
	PI_EPOLL,
	PI_TIMERFD,
	PI_SIGNALFD,
	PI_INOTIFY,
	PI_FANOTIFY,
	PI_MEMFD,
	PI_PIDFD,
	PI_ANON,		/* another anon_inode:[...] */
};

/* A short lower-case name: "file", "dir", "pipe", "socket", "eventfd" ... */
const char *pi_kind_name(enum pi_kind k);

/*
 * Classifies a descriptor from its /proc/PID/fd/N link text and, when it
 * could be had, the st_mode of the file it points at (0 if unknown).
 */
enum pi_kind pi_kind_from_link(const char *link, mode_t mode);

/*
 * If link is prefix, a decimal number and "]" - prefix "socket:[" for
 * "socket:[123]", "pipe:[" for "pipe:[123]" - stores the number and returns
 * true.
 */
bool pi_link_inode(const char *link, const char *prefix, unsigned long *ino);

/* Reads a whole small file (at most cap-1 bytes, NUL-terminated) into buf.
 * Returns its length, or -1 with errno. */
ssize_t pi_read_file(const char *path, char *buf, size_t cap);

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0: what the
 * JSON and terminal-safe output of audit and trace pass through. */
size_t pi_utf8_len(const unsigned char *s, size_t n);

#endif /* NI_PROCINFO_H */
