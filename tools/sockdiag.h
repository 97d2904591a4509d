/*
 * sockdiag.h - socket facts from the kernel's NETLINK_SOCK_DIAG (unix,
 * inet/inet6 for tcp, udp, udplite and raw, packet, netlink), the source
 * of every socket description of `noinherit audit` and `noinherit trace`.
 * The /proc/net text tables (procinfo.h) remain only as the fallback where
 * sock_diag is missing or refused: a name printed there may hold a newline
 * and forge lines, which the binary replies here cannot.
 *
 * A diag socket answers for the network namespace it was made in:
 * sd_open() makes one in the namespace of a namespace descriptor, from a
 * short-lived thread that enters it, so that the caller never leaves its
 * own.
 */
#ifndef NI_SOCKDIAG_H
#define NI_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "procinfo.h"

/* The kinds of socket sock_diag lists, one bit each in pi_socktab.diag. */
enum sd_kind {
	SD_TCP, SD_TCP6, SD_UDP, SD_UDP6, SD_UDPLITE, SD_UDPLITE6,
	SD_RAW, SD_RAW6, SD_UNIX, SD_NETLINK, SD_PACKET, SD_NKINDS
};

/*
 * The kind for a socket's "system.sockprotoname" ("TCP", "UDPv6", "UNIX",
 * "NETLINK" ...), or -1 for a protocol sock_diag does not list.
 */
int sd_kind_of(const char *protoname);

/*
 * Parses len bytes of NETLINK_SOCK_DIAG replies to a dump of kind k (any
 * bytes whatever: never reads outside them) and appends each socket to t.
 * Returns 1 once NLMSG_DONE is seen, 0 when more is to come, -1 with errno
 * ENOMEM, the error an NLMSG_ERROR carries, or EBADMSG for a reply that is
 * not a dump's.
 */
int sd_parse(struct pi_socktab *t, const void *buf, size_t len,
    enum sd_kind k);

/*
 * A NETLINK_SOCK_DIAG socket, close-on-exec, in the network namespace of
 * nsfd (a /proc/PID/ns/net descriptor), or in this thread's when nsfd is
 * -1.  Entering another namespace needs CAP_SYS_ADMIN over it (EPERM).
 * nsfd is not closed.  Returns the socket, or -1 with errno.
 */
int sd_open(int nsfd);

/*
 * Dumps the sockets of kind k through nl into t (once: a kind already in
 * t->diag is not asked again).  Returns 0, or -1 with errno: ENOENT or
 * EPROTONOSUPPORT when the kernel lacks that family's diag module,
 * ENOMEM, or what recv(2) failed with.
 */
int sd_load(int nl, struct pi_socktab *t, enum sd_kind k);

/* Every kind; kinds that fail are skipped.  0 if any loaded, else -1. */
int sd_load_all(int nl, struct pi_socktab *t);

/* The first "system.sockprotoname" of kind k ("TCP", "UNIX" ...). */
const char *sd_kind_name(enum sd_kind k);

/*
 * Every kind of this thread's namespace into t: through sock_diag where it
 * answers, else from /proc/self/net's text for that kind; *text gets a bit
 * (1 << kind) for each kind read from text, and each socket read from
 * text has its "text" field set to 1 + its kind.  0 if anything was loaded,
 * else -1.
 */
int sd_load_self(struct pi_socktab *t, unsigned *text);

#endif /* NI_SOCKDIAG_H */
