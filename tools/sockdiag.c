/*
 * sockdiag.c - socket facts from NETLINK_SOCK_DIAG; see sockdiag.h.
 *
 * Facts used (the kernel's uapi headers linux/sock_diag.h, inet_diag.h,
 * unix_diag.h, netlink_diag.h, packet_diag.h): one dump request a kind,
 * answered by a stream of netlink messages, each a fixed header followed
 * by attributes, ended by NLMSG_DONE.  A raw socket's dump asks for
 * protocol IPPROTO_RAW with sdiag_raw_protocol (the "pad" byte) IPPROTO_RAW,
 * which lists raw sockets of every protocol; a raw socket's local "port"
 * is its protocol.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "noinherit.h"
#include "sockdiag.h"
#include "sockdiag_abi.h"

/* Where the kernel's headers are at hand, the layouts written out in
 * sockdiag_abi.h are checked against them. */
#if defined(__has_include)
#if __has_include(<linux/inet_diag.h>) && __has_include(<linux/unix_diag.h>)
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#define SAME(a, b) _Static_assert((a) == (b), #a " != " #b)
SAME(sizeof(struct sda_nlmsghdr), sizeof(struct nlmsghdr));
SAME(SDA_NLMSG_HDRLEN, NLMSG_HDRLEN);
SAME(SDA_NLA_HDRLEN, NLA_HDRLEN);
SAME(sizeof(struct sda_sockaddr_nl), sizeof(struct sockaddr_nl));
SAME(SDA_NETLINK_SOCK_DIAG, NETLINK_SOCK_DIAG);
SAME(SDA_SOCK_DIAG_BY_FAMILY, SOCK_DIAG_BY_FAMILY);
SAME(SDA_NLMSG_DONE, NLMSG_DONE);
SAME(SDA_NLMSG_ERROR, NLMSG_ERROR);
SAME(SDA_NLMSG_NOOP, NLMSG_NOOP);
SAME(SDA_NLM_F_DUMP, NLM_F_DUMP);
SAME(SDA_TYPE_MASK, (uint16_t)NLA_TYPE_MASK);
SAME(sizeof(struct sda_inet_req), sizeof(struct inet_diag_req_v2));
SAME(sizeof(struct sda_inet_msg), sizeof(struct inet_diag_msg));
SAME(offsetof(struct sda_inet_msg, inode),
    offsetof(struct inet_diag_msg, idiag_inode));
SAME(offsetof(struct sda_inet_msg, id.src),
    offsetof(struct inet_diag_msg, id.idiag_src));
SAME(SDA_INET_DIAG_PROTOCOL, INET_DIAG_PROTOCOL);
SAME(sizeof(struct sda_unix_req), sizeof(struct unix_diag_req));
SAME(offsetof(struct sda_unix_req, show),
    offsetof(struct unix_diag_req, udiag_show));
SAME(sizeof(struct sda_unix_msg), sizeof(struct unix_diag_msg));
SAME(SDA_UDIAG_SHOW_NAME, UDIAG_SHOW_NAME);
SAME(SDA_UDIAG_SHOW_PEER, UDIAG_SHOW_PEER);
SAME(SDA_UNIX_DIAG_NAME, UNIX_DIAG_NAME);
SAME(SDA_UNIX_DIAG_PEER, UNIX_DIAG_PEER);
SAME(sizeof(struct sda_netlink_req), sizeof(struct netlink_diag_req));
SAME(sizeof(struct sda_netlink_msg), sizeof(struct netlink_diag_msg));
SAME(offsetof(struct sda_netlink_msg, ino),
    offsetof(struct netlink_diag_msg, ndiag_ino));
SAME(SDA_NDIAG_PROTO_ALL, NDIAG_PROTO_ALL);
SAME(sizeof(struct sda_packet_req), sizeof(struct packet_diag_req));
SAME(sizeof(struct sda_packet_msg), sizeof(struct packet_diag_msg));
SAME(sizeof(struct sda_packet_info), sizeof(struct packet_diag_info));
SAME(SDA_PACKET_SHOW_INFO, PACKET_SHOW_INFO);
SAME(SDA_PACKET_DIAG_INFO, PACKET_DIAG_INFO);
#undef SAME
#endif
#endif

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

static const struct {
	const char *names[3];	/* its "system.sockprotoname" values */
	int family, proto;
	const char *label;
} kinds[SD_NKINDS] = {
	[SD_TCP] = { { "TCP" }, AF_INET, IPPROTO_TCP, "TCP" },
	[SD_TCP6] = { { "TCPv6" }, AF_INET6, IPPROTO_TCP, "TCP6" },
	[SD_UDP] = { { "UDP" }, AF_INET, IPPROTO_UDP, "UDP" },
	[SD_UDP6] = { { "UDPv6" }, AF_INET6, IPPROTO_UDP, "UDP6" },
	[SD_UDPLITE] = { { "UDP-Lite", "UDPLITE" }, AF_INET, IPPROTO_UDPLITE,
	    "UDPLITE" },
	[SD_UDPLITE6] = { { "UDPLITEv6" }, AF_INET6, IPPROTO_UDPLITE,
	    "UDPLITE6" },
	[SD_RAW] = { { "RAW" }, AF_INET, IPPROTO_RAW, "RAW" },
	[SD_RAW6] = { { "RAWv6" }, AF_INET6, IPPROTO_RAW, "RAW6" },
	[SD_UNIX] = { { "UNIX", "UNIX-STREAM", "UNIX-DGRAM" }, AF_UNIX, 0,
	    "UNIX" },
	[SD_NETLINK] = { { "NETLINK" }, AF_NETLINK, SDA_NDIAG_PROTO_ALL,
	    "NETLINK" },
	[SD_PACKET] = { { "PACKET" }, AF_PACKET, 0, "PACKET" },
};

int
sd_kind_of(const char *protoname)
{
	int k, j;

	for (k = 0; k < SD_NKINDS; k++)
		for (j = 0; j < 3 && kinds[k].names[j] != NULL; j++)
			if (strcmp(protoname, kinds[k].names[j]) == 0)
				return k;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Parsing the replies                                                 */
/* ------------------------------------------------------------------ */

/* Finds attribute type in [p, p+len): its payload and length, or NULL. */
static const unsigned char *
find_attr(const unsigned char *p, size_t len, unsigned type, size_t *plen)
{
	struct sda_nlattr a;

	while (len >= SDA_NLA_HDRLEN) {
		memcpy(&a, p, sizeof(a));
		if (a.len < SDA_NLA_HDRLEN || a.len > len)
			return NULL;
		if ((a.type & SDA_TYPE_MASK) == type) {
			*plen = a.len - SDA_NLA_HDRLEN;
			return p + SDA_NLA_HDRLEN;
		}
		if (SDA_ALIGN4(a.len) >= len)
			break;
		len -= SDA_ALIGN4(a.len);
		p += SDA_ALIGN4(a.len);
	}
	return NULL;
}

/* "127.0.0.1:80" or "[::1]:80" (port < 0: the address alone). */
static void
fmt_addr(char *out, size_t cap, int family, const uint32_t *a, long port)
{
	char text[INET6_ADDRSTRLEN];

	if (inet_ntop(family, a, text, sizeof(text)) == NULL)
		snprintf(text, sizeof(text), "?");
	if (port < 0)
		snprintf(out, cap, "%s", text);
	else
		snprintf(out, cap, family == AF_INET6 ? "[%s]:%ld" : "%s:%ld",
		    text, port);
}

static bool
addr_zero(const uint32_t *a, int family)
{
	return a[0] == 0 && (family == AF_INET ||
	    (a[1] == 0 && a[2] == 0 && a[3] == 0));
}

static int
parse_inet(struct pi_socktab *t, const unsigned char *p, size_t len,
    enum sd_kind k)
{
	struct sda_inet_msg m;
	const unsigned char *at;
	char local[64], remote[64];
	struct pi_sock *s;
	bool tcp = kinds[k].proto == IPPROTO_TCP;
	bool raw = kinds[k].proto == IPPROTO_RAW;
	int family = kinds[k].family;
	const char *pname;
	unsigned proto;
	size_t alen;

	if (len < sizeof(m))
		return 0;
	memcpy(&m, p, sizeof(m));
	if (m.inode == 0)		/* TIME_WAIT, SYN_RECV: no socket */
		return 0;
	if (m.family != AF_INET && m.family != AF_INET6)
		return 0;
	family = m.family;
	if ((s = pi_socktab_add(t, m.inode)) == NULL)
		return -1;
	if (raw) {
		/* Its protocol: the attribute, else the local "port". */
		proto = ntohs(m.id.sport);
		at = find_attr(p + SDA_ALIGN4(sizeof(m)),
		    len > SDA_ALIGN4(sizeof(m)) ? len - SDA_ALIGN4(sizeof(m)) :
		    0, SDA_INET_DIAG_PROTOCOL, &alen);
		if (at != NULL && alen >= 1)
			proto = at[0];
		pname = pi_ip_proto_name(proto);
		if (pname != NULL)
			snprintf(local, sizeof(local), "%s", pname);
		else
			snprintf(local, sizeof(local), "protocol %u", proto);
		snprintf(s->desc, sizeof(s->desc), "%s %s", kinds[k].label,
		    local);
		if (!addr_zero(m.id.src, family)) {
			fmt_addr(local, sizeof(local), family, m.id.src,
			    -1);
			snprintf(s->desc + strlen(s->desc),
			    sizeof(s->desc) - strlen(s->desc), " %s", local);
		}
		if (!addr_zero(m.id.dst, family)) {
			fmt_addr(remote, sizeof(remote), family,
			    m.id.dst, -1);
			snprintf(s->desc + strlen(s->desc),
			    sizeof(s->desc) - strlen(s->desc), " -> %s",
			    remote);
		}
		return 1;
	}
	fmt_addr(local, sizeof(local), family, m.id.src,
	    ntohs(m.id.sport));
	s->listening = tcp && m.state == 10;
	if (addr_zero(m.id.dst, family) && m.id.dport == 0) {
		snprintf(s->desc, sizeof(s->desc), "%s %s%s%s", kinds[k].label,
		    local, tcp ? " " : "", tcp ? pi_tcp_state(m.state) : "");
	} else {
		fmt_addr(remote, sizeof(remote), family, m.id.dst,
		    ntohs(m.id.dport));
		snprintf(s->desc, sizeof(s->desc), "%s %s -> %s%s%s",
		    kinds[k].label, local, remote, tcp ? " " : "",
		    tcp ? pi_tcp_state(m.state) : "");
	}
	return 1;
}

static const char *
unix_type(unsigned type)
{
	switch (type) {
	case 1: return "STREAM";
	case 2: return "DGRAM";
	case 5: return "SEQPACKET";
	default: return "?";
	}
}

static int
parse_unix(struct pi_socktab *t, const unsigned char *p, size_t len)
{
	struct sda_unix_msg m;
	const unsigned char *at, *attrs = p + SDA_ALIGN4(sizeof(m));
	char name[112];
	struct pi_sock *s;
	size_t alen, i, n, rest;
	uint32_t peer = 0;

	if (len < sizeof(m))
		return 0;
	memcpy(&m, p, sizeof(m));
	if (m.ino == 0)
		return 0;
	rest = len > SDA_ALIGN4(sizeof(m)) ? len - SDA_ALIGN4(sizeof(m)) : 0;
	/* The name whole: a path up to its NUL, an abstract name (first
	 * byte NUL) to its length, shown "@name" with any NUL as '@'. */
	name[0] = '\0';
	at = find_attr(attrs, rest, SDA_UNIX_DIAG_NAME, &alen);
	if (at != NULL && alen > 0) {
		n = 0;
		if (at[0] == '\0') {
			for (i = 0; i < alen && n + 1 < sizeof(name); i++)
				name[n++] = at[i] ? (char)at[i] : '@';
		} else {
			for (i = 0; i < alen && at[i] && n + 1 < sizeof(name);
			    i++)
				name[n++] = (char)at[i];
		}
		name[n] = '\0';
	}
	at = find_attr(attrs, rest, SDA_UNIX_DIAG_PEER, &alen);
	if (at != NULL && alen >= 4)
		memcpy(&peer, at, 4);
	if ((s = pi_socktab_add(t, m.ino)) == NULL)
		return -1;
	s->peer = peer;
	s->listening = m.state == 10;
	snprintf(s->desc, sizeof(s->desc), "UNIX %s %s%s", name[0] ? name :
	    "(unnamed)", unix_type(m.type), s->listening ? " LISTEN" :
	    m.state == 1 ? " CONNECTED" : "");
	if (peer != 0)
		snprintf(s->desc + strlen(s->desc), sizeof(s->desc) -
		    strlen(s->desc), " -> socket:[%u]", (unsigned)peer);
	return 1;
}

static const char *
netlink_proto(unsigned p)
{
	static const char *const names[] = {
		"ROUTE", "UNUSED", "USERSOCK", "FIREWALL", "SOCK_DIAG",
		"NFLOG", "XFRM", "SELINUX", "ISCSI", "AUDIT", "FIB_LOOKUP",
		"CONNECTOR", "NETFILTER", "IP6_FW", "DNRTMSG",
		"KOBJECT_UEVENT", "GENERIC", "", "SCSITRANSPORT", "ECRYPTFS",
		"RDMA", "CRYPTO", "SMC",
	};

	return p < sizeof(names) / sizeof(names[0]) ? names[p] : "";
}

static int
parse_netlink(struct pi_socktab *t, const unsigned char *p, size_t len)
{
	struct sda_netlink_msg m;
	struct pi_sock *s;

	if (len < sizeof(m))
		return 0;
	memcpy(&m, p, sizeof(m));
	if (m.ino == 0)
		return 0;
	if ((s = pi_socktab_add(t, m.ino)) == NULL)
		return -1;
	if (netlink_proto(m.protocol)[0] != '\0')
		snprintf(s->desc, sizeof(s->desc), "NETLINK %s portid %u",
		    netlink_proto(m.protocol), (unsigned)m.portid);
	else
		snprintf(s->desc, sizeof(s->desc),
		    "NETLINK protocol %u portid %u", (unsigned)m.protocol,
		    (unsigned)m.portid);
	return 1;
}

static int
parse_packet(struct pi_socktab *t, const unsigned char *p, size_t len)
{
	struct sda_packet_msg m;
	struct sda_packet_info info;
	const unsigned char *at;
	struct pi_sock *s;
	size_t alen, rest;

	if (len < sizeof(m))
		return 0;
	memcpy(&m, p, sizeof(m));
	if (m.ino == 0)
		return 0;
	memset(&info, 0, sizeof(info));
	rest = len > SDA_ALIGN4(sizeof(m)) ? len - SDA_ALIGN4(sizeof(m)) : 0;
	at = find_attr(p + SDA_ALIGN4(sizeof(m)), rest, SDA_PACKET_DIAG_INFO,
	    &alen);
	if (at != NULL && alen >= sizeof(info))
		memcpy(&info, at, sizeof(info));
	if ((s = pi_socktab_add(t, m.ino)) == NULL)
		return -1;
	snprintf(s->desc, sizeof(s->desc),
	    "PACKET %s protocol 0x%04x ifindex %u",
	    m.type == 3 ? "RAW" : m.type == 2 ? "DGRAM" : "?",
	    (unsigned)m.num, (unsigned)info.index);
	return 1;
}

int
sd_parse(struct pi_socktab *t, const void *buf, size_t len, enum sd_kind k)
{
	const unsigned char *p = buf;
	struct sda_nlmsghdr h;
	int err;
	size_t body;
	int r;

	if ((unsigned)k >= SD_NKINDS) {
		errno = EINVAL;
		return -1;
	}
	while (len >= sizeof(h)) {
		memcpy(&h, p, sizeof(h));
		if (h.len < sizeof(h) || h.len > len) {
			errno = EBADMSG;
			return -1;
		}
		body = h.len - SDA_NLMSG_HDRLEN;
		switch (h.type) {
		case SDA_NLMSG_DONE:
			/* A dump that failed says why here (a kind whose
			 * diag module is missing: ENOENT). */
			if (body >= sizeof(int)) {
				int err;

				memcpy(&err, p + SDA_NLMSG_HDRLEN, sizeof(err));
				if (err < 0) {
					/* A kernel errno is 1..4095; anything
					 * else (INT_MIN...) is a bad reply. */
					errno = err > -4096 ? -err : EBADMSG;
					return -1;
				}
			}
			return 1;
		case SDA_NLMSG_ERROR:
			/* struct nlmsgerr: the error first. */
			err = 0;
			memcpy(&err, p + SDA_NLMSG_HDRLEN, body < sizeof(err) ?
			    body : sizeof(err));
			errno = err < 0 && err > -4096 ? -err : EBADMSG;
			if (err == 0)	/* an ack: nothing more */
				return 1;
			return -1;
		case SDA_NLMSG_NOOP:
			r = 0;
			break;
		case SDA_SOCK_DIAG_BY_FAMILY:
			if (k == SD_UNIX)
				r = parse_unix(t, p + SDA_NLMSG_HDRLEN, body);
			else if (k == SD_NETLINK)
				r = parse_netlink(t, p + SDA_NLMSG_HDRLEN, body);
			else if (k == SD_PACKET)
				r = parse_packet(t, p + SDA_NLMSG_HDRLEN, body);
			else
				r = parse_inet(t, p + SDA_NLMSG_HDRLEN, body, k);
			if (r < 0) {
				errno = ENOMEM;
				return -1;
			}
			break;
		default:
			errno = EBADMSG;
			return -1;
		}
		if (SDA_ALIGN4(h.len) >= len)
			break;
		len -= SDA_ALIGN4(h.len);
		p += SDA_ALIGN4(h.len);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The diag socket, in a namespace                                     */
/* ------------------------------------------------------------------ */

struct enter {
	int nsfd, sock, err;
};

/*
 * Runs in a thread of its own: enters the namespace (setns(2) with
 * CLONE_NEWNET changes this thread alone), makes the socket there, and
 * ends, and the namespace with it; the socket stays in its namespace.
 */
static void *
enter_and_open(void *arg)
{
	struct enter *e = arg;

	if (setns(e->nsfd, CLONE_NEWNET) != 0) {
		e->err = errno;
		return NULL;
	}
	e->sock = ni_socket(AF_NETLINK, SOCK_RAW, SDA_NETLINK_SOCK_DIAG);
	if (e->sock < 0)
		e->err = errno;
	return NULL;
}

int
sd_open(int nsfd)
{
	struct enter e = { nsfd, -1, 0 };
	pthread_t th;
	int r;

	if (nsfd < 0)
		return ni_socket(AF_NETLINK, SOCK_RAW, SDA_NETLINK_SOCK_DIAG);
	if ((r = pthread_create(&th, NULL, enter_and_open, &e)) != 0) {
		errno = r;
		return -1;
	}
	(void)pthread_join(th, NULL);
	if (e.sock < 0)
		errno = e.err;
	return e.sock;
}

static int
send_request(int nl, enum sd_kind k)
{
	struct {
		struct sda_nlmsghdr h;
		union {
			struct sda_inet_req inet;
			struct sda_unix_req un;
			struct sda_netlink_req nl;
			struct sda_packet_req pk;
		} r;
	} req;
	struct sda_sockaddr_nl to = { .family = AF_NETLINK };
	size_t rlen;
	ssize_t n;

	memset(&req, 0, sizeof(req));
	switch (k) {
	case SD_UNIX:
		req.r.un.family = AF_UNIX;
		req.r.un.states = ~0u;
		req.r.un.show = SDA_UDIAG_SHOW_NAME | SDA_UDIAG_SHOW_PEER;
		rlen = sizeof(req.r.un);
		break;
	case SD_NETLINK:
		req.r.nl.family = AF_NETLINK;
		req.r.nl.protocol = SDA_NDIAG_PROTO_ALL;
		rlen = sizeof(req.r.nl);
		break;
	case SD_PACKET:
		req.r.pk.family = AF_PACKET;
		req.r.pk.show = SDA_PACKET_SHOW_INFO;
		rlen = sizeof(req.r.pk);
		break;
	default:
		req.r.inet.family = (unsigned char)kinds[k].family;
		req.r.inet.protocol = (unsigned char)kinds[k].proto;
		req.r.inet.states = ~0u;
		if (kinds[k].proto == IPPROTO_RAW)
			req.r.inet.raw_protocol = IPPROTO_RAW;	/* every protocol */
		rlen = sizeof(req.r.inet);
		break;
	}
	req.h.len = (unsigned)(SDA_NLMSG_HDRLEN + rlen);
	req.h.type = SDA_SOCK_DIAG_BY_FAMILY;
	req.h.flags = SDA_NLM_F_REQUEST | SDA_NLM_F_DUMP;
	do
		n = sendto(nl, &req, req.h.len, 0,
		    (struct sockaddr *)&to, sizeof(to));
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

int
sd_load(int nl, struct pi_socktab *t, enum sd_kind k)
{
	static unsigned char buf[65536] __attribute__((aligned(8)));
	ssize_t n;
	int r;

	if ((unsigned)k >= SD_NKINDS) {
		errno = EINVAL;
		return -1;
	}
	if (t->diag & (1u << k))
		return 0;
	if (send_request(nl, k) < 0)
		return -1;
	for (;;) {
		n = recv(nl, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EBADMSG;
			return -1;
		}
		r = sd_parse(t, buf, (size_t)n, k);
		if (r < 0) {
			/* Drain what the kernel still sends for this dump. */
			int e = errno;

			while (recv(nl, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
			errno = e;
			return -1;
		}
		if (r > 0)
			break;
	}
	t->diag |= 1u << k;
	return 0;
}

int
sd_load_all(int nl, struct pi_socktab *t)
{
	int k, ok = 0;

	for (k = 0; k < SD_NKINDS; k++) {
		if (sd_load(nl, t, (enum sd_kind)k) == 0)
			ok = 1;
		else if (errno == ENOMEM)
			return -1;
	}
	if (!ok)
		errno = ENOENT;
	return ok ? 0 : -1;
}

const char *
sd_kind_name(enum sd_kind k)
{
	return (unsigned)k < SD_NKINDS ? kinds[k].names[0] : "";
}

int
sd_load_self(struct pi_socktab *t, unsigned *text)
{
	int nl = sd_open(-1), k, any = 0;
	size_t n0;

	*text = 0;
	for (k = 0; k < SD_NKINDS; k++) {
		if (nl >= 0 && sd_load(nl, t, (enum sd_kind)k) == 0) {
			any = 1;
			continue;
		}
		if (nl >= 0 && errno == ENOMEM)
			break;
		*text |= 1u << k;
		n0 = t->n;
		if (pi_socktab_load_proto(t, 0, kinds[k].names[0]) > 0)
			any = 1;
		for (; n0 < t->n; n0++)
			t->v[n0].text = (unsigned char)(1 + k);
	}
	if (nl >= 0)
		close(nl);
	return any ? 0 : -1;
}
