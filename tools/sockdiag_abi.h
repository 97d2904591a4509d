/*
 * sockdiag_abi.h - the parts of the kernel's netlink and sock_diag ABI
 * that sockdiag.c uses, written out from the uapi headers'
 * documented layouts (linux/netlink.h, sock_diag.h, inet_diag.h,
 * unix_diag.h, netlink_diag.h, packet_diag.h, sockios.h), so that the
 * tool builds where the kernel headers are not on the compiler's path
 * (musl-gcc).  Where they are, sockdiag.c checks every layout against
 * them at compile time.
 */
#ifndef NI_SOCKDIAG_ABI_H
#define NI_SOCKDIAG_ABI_H

#include <stdint.h>

/* linux/netlink.h */
#define SDA_NETLINK_SOCK_DIAG 4
#define SDA_NLMSG_NOOP 1
#define SDA_NLMSG_ERROR 2
#define SDA_NLMSG_DONE 3
#define SDA_NLM_F_REQUEST 0x01
#define SDA_NLM_F_DUMP 0x300		/* NLM_F_ROOT | NLM_F_MATCH */
#define SDA_ALIGN4(n) (((size_t)(n) + 3) & ~(size_t)3)
#define SDA_TYPE_MASK 0x3fff		/* without NESTED, NET_BYTEORDER */

struct sda_nlmsghdr {
	uint32_t len;
	uint16_t type, flags;
	uint32_t seq, pid;
};
#define SDA_NLMSG_HDRLEN SDA_ALIGN4(sizeof(struct sda_nlmsghdr))

struct sda_nlattr {
	uint16_t len, type;
};
#define SDA_NLA_HDRLEN SDA_ALIGN4(sizeof(struct sda_nlattr))

struct sda_sockaddr_nl {
	unsigned short family, pad;
	uint32_t pid, groups;
};

/* linux/sock_diag.h */
#define SDA_SOCK_DIAG_BY_FAMILY 20

/* linux/inet_diag.h */
struct sda_inet_sockid {
	uint16_t sport, dport;		/* network order */
	uint32_t src[4], dst[4];	/* network order */
	uint32_t ifindex;
	uint32_t cookie[2];
};

struct sda_inet_req {			/* struct inet_diag_req_v2 */
	uint8_t family, protocol, ext;
	uint8_t raw_protocol;		/* "pad", sdiag_raw_protocol */
	uint32_t states;
	struct sda_inet_sockid id;
};

struct sda_inet_msg {			/* struct inet_diag_msg */
	uint8_t family, state, timer, retrans;
	struct sda_inet_sockid id;
	uint32_t expires, rqueue, wqueue, uid, inode;
};
#define SDA_INET_DIAG_PROTOCOL 10	/* u8 attribute */

/* linux/unix_diag.h */
struct sda_unix_req {
	uint8_t family, protocol;
	uint16_t pad;
	uint32_t states, ino, show;
	uint32_t cookie[2];
};
#define SDA_UDIAG_SHOW_NAME 0x01
#define SDA_UDIAG_SHOW_PEER 0x04

struct sda_unix_msg {
	uint8_t family, type, state, pad;
	uint32_t ino;
	uint32_t cookie[2];
};
#define SDA_UNIX_DIAG_NAME 0
#define SDA_UNIX_DIAG_PEER 2

/* linux/netlink_diag.h */
struct sda_netlink_req {
	uint8_t family, protocol;
	uint16_t pad;
	uint32_t ino, show;
	uint32_t cookie[2];
};
#define SDA_NDIAG_PROTO_ALL 255

struct sda_netlink_msg {
	uint8_t family, type, protocol, state;
	uint32_t portid, dst_portid, dst_group, ino;
	uint32_t cookie[2];
};

/* linux/packet_diag.h */
struct sda_packet_req {
	uint8_t family, protocol;
	uint16_t pad;
	uint32_t ino, show;
	uint32_t cookie[2];
};
#define SDA_PACKET_SHOW_INFO 0x01

struct sda_packet_msg {
	uint8_t family, type;
	uint16_t num;
	uint32_t ino;
	uint32_t cookie[2];
};
#define SDA_PACKET_DIAG_INFO 0

struct sda_packet_info {
	uint32_t index, version, reserve, copy_thresh, tstamp, flags;
};

/* linux/sockios.h */
#define SDA_SIOCGSKNS 0x894C

#endif /* NI_SOCKDIAG_ABI_H */
