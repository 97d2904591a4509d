/*
 * procinfo.c - parsers for /proc/PID/fdinfo and /proc/PID/net/ files, and the
 * classification of a descriptor from its /proc/PID/fd link.
 *
 * The parsers work on (buffer, length) with explicit bounds: the buffer need
 * not end in a NUL and may hold anything (tests/fuzz feeds them garbage).
 * Formats: Documentation/filesystems/proc.rst (fdinfo), net/ipv4/tcp_ipv4.c
 * get_tcp4_sock(), net/ipv6/tcp_ipv6.c get_tcp6_sock(), net/unix/af_unix.c
 * unix_seq_show(), net/netlink/af_netlink.c netlink_seq_show(),
 * net/packet/af_packet.c packet_seq_show().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>	/* AF_INET, AF_INET6: not from <netinet/in.h> on the BSDs */
#include <sys/stat.h>
#include <unistd.h>

#include "procinfo.h"

/* ---- bounded scanning ------------------------------------------------- */

/* A cursor over [p, end). */
struct cur {
	const char *p, *end;
};

static bool
at_end(const struct cur *c)
{
	return c->p >= c->end;
}

static void
skip_blanks(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

/* Moves past the end of the current line. */
static void
next_line(struct cur *c)
{
	while (c->p < c->end && *c->p != '\n')
		c->p++;
	if (c->p < c->end)
		c->p++;
}

static int
digit_value(char ch, int base)
{
	int v;

	if (ch >= '0' && ch <= '9')
		v = ch - '0';
	else if (ch >= 'a' && ch <= 'f')
		v = ch - 'a' + 10;
	else if (ch >= 'A' && ch <= 'F')
		v = ch - 'A' + 10;
	else
		return -1;
	return v < base ? v : -1;
}

/*
 * Reads an unsigned number in `base` after blanks; at most `maxdigits`
 * digits (0: any).  Returns false if there is none or it overflows.
 */
static bool
read_num(struct cur *c, int base, int maxdigits, unsigned long long *out)
{
	unsigned long long v = 0;
	int n = 0, d;

	skip_blanks(c);
	while (c->p < c->end && (d = digit_value(*c->p, base)) >= 0) {
		if (v > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
			return false;
		v = v * (unsigned)base + (unsigned)d;
		c->p++;
		if (++n == maxdigits)
			break;
	}
	*out = v;
	return n > 0;
}

/* Consumes the character ch, if it is next. */
static bool
take(struct cur *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

/* Skips one blank-separated field. */
static bool
skip_field(struct cur *c)
{
	const char *start;

	skip_blanks(c);
	start = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != '\t' && *c->p != '\n')
		c->p++;
	return c->p > start;
}

/* Does the line at c start with the text `key`? (Consumes it if so.) */
static bool
take_word(struct cur *c, const char *key)
{
	size_t n = strlen(key);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, key, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* ---- fdinfo ----------------------------------------------------------- */

int
pi_fdinfo_parse(const char *buf, size_t len, struct pi_fdinfo *out)
{
	struct cur c = { buf, buf + len };
	unsigned long long v;
	bool neg;

	memset(out, 0, sizeof(*out));
	out->pos = -1;
	out->mnt_id = -1;
	while (!at_end(&c)) {
		if (take_word(&c, "flags:")) {
			if (read_num(&c, 8, 0, &v) && v <= UINT_MAX) {
				out->flags = (unsigned)v;
				out->has_flags = true;
			}
		} else if (take_word(&c, "pos:")) {
			if (read_num(&c, 10, 0, &v) && v <= LLONG_MAX)
				out->pos = (long long)v;
		} else if (take_word(&c, "mnt_id:")) {
			skip_blanks(&c);
			neg = take(&c, '-');
			if (!neg && read_num(&c, 10, 0, &v) && v <= INT_MAX)
				out->mnt_id = (int)v;
		} else if (take_word(&c, "ino:")) {
			if (read_num(&c, 10, 0, &v) && v <= ULONG_MAX)
				out->ino = (unsigned long)v;
		}
		next_line(&c);
	}
	return out->has_flags ? 0 : -1;
}

/* ---- the socket table ------------------------------------------------- */

struct pi_sock *
pi_socktab_add(struct pi_socktab *t, unsigned long inode)
{
	struct pi_sock *s;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct pi_sock *v = realloc(t->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	s = &t->v[t->n++];
	memset(s, 0, sizeof(*s));
	s->inode = inode;
	t->sorted = false;
	return s;
}

const char *
pi_tcp_state(unsigned st)
{
	static const char *const names[] = {
		"", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
		"FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
		"LISTEN", "CLOSING", "NEW_SYN_RECV",
	};

	return st < sizeof(names) / sizeof(names[0]) ? names[st] : "";
}

/*
 * An address as the kernel prints it: the raw 32-bit words of the
 * network-order address, each as %08X in host order.
 */
static bool
read_addr(struct cur *c, bool v6, char *out, size_t size)
{
	unsigned char raw[16];
	unsigned long long w, port;
	int i, words = v6 ? 4 : 1;
	char text[INET6_ADDRSTRLEN];

	skip_blanks(c);
	for (i = 0; i < words; i++) {
		uint32_t u;

		if (!read_num(c, 16, 8, &w))
			return false;
		u = (uint32_t)w;
		memcpy(raw + 4 * i, &u, 4);
	}
	if (!take(c, ':') || !read_num(c, 16, 4, &port))
		return false;
	if (inet_ntop(v6 ? AF_INET6 : AF_INET, raw, text, sizeof(text)) == NULL)
		return false;
	snprintf(out, size, v6 ? "[%s]:%llu" : "%s:%llu", text, port);
	return true;
}

const char *
pi_ip_proto_name(unsigned p)
{
	/* /etc/protocols' names, so the output does not depend on it. */
	switch (p) {
	case 0: return "ip";
	case 1: return "icmp";
	case 2: return "igmp";
	case 4: return "ipencap";
	case 6: return "tcp";
	case 17: return "udp";
	case 41: return "ipv6";
	case 47: return "gre";
	case 50: return "esp";
	case 51: return "ah";
	case 58: return "ipv6-icmp";
	case 89: return "ospf";
	case 103: return "pim";
	case 112: return "vrrp";
	case 132: return "sctp";
	case 136: return "udplite";
	case 255: return "raw";
	default: return NULL;
	}
}

static bool
addr_is_zero(const char *a)
{
	return strcmp(a, "0.0.0.0:0") == 0 || strcmp(a, "[::]:0") == 0;
}

/*
 * "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when
 *  retrnsmt   uid  timeout inode ..."
 */
int
pi_socktab_parse_inet(struct pi_socktab *t, const char *buf, size_t len,
    const char *proto, bool v6)
{
	struct cur c = { buf, buf + len };
	char local[64], remote[64];
	unsigned long long st, inode;
	struct pi_sock *s;
	bool tcp = strncmp(proto, "TCP", 3) == 0;
	int i, added = 0;

	next_line(&c);		/* the header */
	for (; !at_end(&c); next_line(&c)) {
		if (!read_num(&c, 10, 0, &st) || !take(&c, ':') ||
		    !read_addr(&c, v6, local, sizeof(local)) ||
		    !read_addr(&c, v6, remote, sizeof(remote)) ||
		    !read_num(&c, 16, 2, &st))
			continue;
		/* tx:rx, tr:when, retrnsmt, uid, timeout */
		for (i = 0; i < 5; i++)
			if (!skip_field(&c))
				break;
		if (i < 5 || !read_num(&c, 10, 0, &inode) || inode == 0 ||
		    inode > ULONG_MAX)
			continue;
		if ((s = pi_socktab_add(t, (unsigned long)inode)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		s->listening = tcp && st == 0x0A;
		if (strcmp(proto, "RAW") == 0) {
			/* A raw socket's "port" is its protocol. */
			const char *colon = strrchr(local, ':');
			unsigned long pn = colon ? strtoul(colon + 1, NULL, 10) : 0;
			const char *pname = pi_ip_proto_name((unsigned)pn);

			if (pname != NULL)
				snprintf(s->desc, sizeof(s->desc), "RAW%s %s",
				    v6 ? "6" : "", pname);
			else
				snprintf(s->desc, sizeof(s->desc),
				    "RAW%s protocol %lu", v6 ? "6" : "", pn);
		} else if (addr_is_zero(remote))
			snprintf(s->desc, sizeof(s->desc), "%s%s %s%s%s", proto,
			    v6 ? "6" : "", local, tcp ? " " : "",
			    tcp ? pi_tcp_state((unsigned)st) : "");
		else
			snprintf(s->desc, sizeof(s->desc), "%s%s %s -> %s%s%s",
			    proto, v6 ? "6" : "", local, remote, tcp ? " " : "",
			    tcp ? pi_tcp_state((unsigned)st) : "");
		added++;
	}
	return added;
}

static const char *
unix_type(unsigned long long type)
{
	switch (type) {
	case 1: return "STREAM";
	case 2: return "DGRAM";
	case 5: return "SEQPACKET";
	default: return "";
	}
}

/*
 * Copies the rest of the line, the path, as it is (truncated to fit): the
 * printers escape what needs escaping for their output.
 */
static void
copy_path(struct cur *c, char *out, size_t size)
{
	size_t n = 0;

	skip_blanks(c);
	while (c->p < c->end && *c->p != '\n' && n + 1 < size)
		out[n++] = *c->p++;
	out[n] = '\0';
}

#define UNIX_ACCEPTCON 0x10000	/* __SO_ACCEPTCON: the socket listens */

/* "Num RefCount Protocol Flags Type St Inode Path" */
int
pi_socktab_parse_unix(struct pi_socktab *t, const char *buf, size_t len)
{
	struct cur c = { buf, buf + len };
	unsigned long long num, ref, proto, flags, type, st, inode;
	char path[128];
	struct pi_sock *s;
	int added = 0;

	next_line(&c);
	for (; !at_end(&c); next_line(&c)) {
		if (!read_num(&c, 16, 0, &num) || !take(&c, ':') ||
		    !read_num(&c, 16, 0, &ref) || !read_num(&c, 16, 0, &proto) ||
		    !read_num(&c, 16, 0, &flags) || !read_num(&c, 16, 0, &type) ||
		    !read_num(&c, 16, 0, &st) || !read_num(&c, 10, 0, &inode) ||
		    inode == 0 || inode > ULONG_MAX)
			continue;
		copy_path(&c, path, sizeof(path));
		if ((s = pi_socktab_add(t, (unsigned long)inode)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		s->listening = (flags & UNIX_ACCEPTCON) != 0;
		snprintf(s->desc, sizeof(s->desc), "UNIX %s %s%s",
		    path[0] ? path : "(unnamed)", unix_type(type),
		    s->listening ? " LISTEN" : st == 3 ? " CONNECTED" : "");
		added++;
	}
	return added;
}

static const char *
netlink_proto(unsigned long long p)
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

/* "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode" */
int
pi_socktab_parse_netlink(struct pi_socktab *t, const char *buf, size_t len)
{
	struct cur c = { buf, buf + len };
	unsigned long long proto, portid, inode;
	struct pi_sock *s;
	int i, added = 0;

	next_line(&c);
	for (; !at_end(&c); next_line(&c)) {
		if (!skip_field(&c) || !read_num(&c, 10, 0, &proto) ||
		    !read_num(&c, 10, 0, &portid))
			continue;
		/* Groups Rmem Wmem Dump Locks Drops */
		for (i = 0; i < 6; i++)
			if (!skip_field(&c))
				break;
		if (i < 6 || !read_num(&c, 10, 0, &inode) || inode == 0 ||
		    inode > ULONG_MAX)
			continue;
		if ((s = pi_socktab_add(t, (unsigned long)inode)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		if (netlink_proto(proto)[0] != '\0')
			snprintf(s->desc, sizeof(s->desc), "NETLINK %s portid %llu",
			    netlink_proto(proto), portid);
		else
			snprintf(s->desc, sizeof(s->desc),
			    "NETLINK protocol %llu portid %llu", proto, portid);
		added++;
	}
	return added;
}

/* "sk RefCnt Type Proto Iface R Rmem User Inode" */
int
pi_socktab_parse_packet(struct pi_socktab *t, const char *buf, size_t len)
{
	struct cur c = { buf, buf + len };
	unsigned long long ref, type, proto, iface, r, rmem, user, inode;
	struct pi_sock *s;
	int added = 0;

	next_line(&c);
	for (; !at_end(&c); next_line(&c)) {
		if (!skip_field(&c) || !read_num(&c, 10, 0, &ref) ||
		    !read_num(&c, 10, 0, &type) || !read_num(&c, 16, 0, &proto) ||
		    !read_num(&c, 10, 0, &iface) || !read_num(&c, 10, 0, &r) ||
		    !read_num(&c, 10, 0, &rmem) || !read_num(&c, 10, 0, &user) ||
		    !read_num(&c, 10, 0, &inode) || inode == 0 ||
		    inode > ULONG_MAX)
			continue;
		if ((s = pi_socktab_add(t, (unsigned long)inode)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		snprintf(s->desc, sizeof(s->desc),
		    "PACKET %s protocol 0x%04llx ifindex %llu",
		    type == 3 ? "RAW" : type == 2 ? "DGRAM" : "?", proto, iface);
		added++;
	}
	return added;
}

/* Reads a whole file of any size into a malloc'ed buffer. */
static char *
read_all(const char *path, size_t *len)
{
	size_t cap = 16384, n = 0;
	char *buf = malloc(cap), *nb;
	ssize_t r;
	int fd, saved;

	if (buf == NULL)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		free(buf);
		errno = saved;
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			if ((nb = realloc(buf, cap * 2)) == NULL) {
				r = -1;
				errno = ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	saved = errno;
	(void)close(fd);
	if (r < 0) {
		free(buf);
		errno = saved;
		return NULL;
	}
	*len = n;
	return buf;
}

/* The /proc/net files, and the "system.sockprotoname" of their sockets. */
static const struct netfile {
	const char *file, *proto;
	bool v6;
	int kind;		/* 0 inet, 1 unix, 2 netlink, 3 packet */
	const char *names[3];	/* sockprotoname values it lists */
} netfiles[] = {
	{ "tcp", "TCP", false, 0, { "TCP" } },
	{ "tcp6", "TCP", true, 0, { "TCPv6" } },
	{ "udp", "UDP", false, 0, { "UDP" } },
	{ "udp6", "UDP", true, 0, { "UDPv6" } },
	{ "udplite", "UDPLITE", false, 0, { "UDP-Lite" } },
	{ "udplite6", "UDPLITE", true, 0, { "UDPLITEv6" } },
	{ "raw", "RAW", false, 0, { "RAW" } },
	{ "raw6", "RAW", true, 0, { "RAWv6" } },
	{ "unix", NULL, false, 1, { "UNIX", "UNIX-STREAM", "UNIX-DGRAM" } },
	{ "netlink", NULL, false, 2, { "NETLINK" } },
	{ "packet", NULL, false, 3, { "PACKET" } },
};
#define NETFILES (sizeof(netfiles) / sizeof(netfiles[0]))

static int
load_file(struct pi_socktab *t, pid_t pid, size_t i)
{
	const struct netfile *f = &netfiles[i];
	char path[64];
	size_t len;
	char *buf;
	int r;

	t->loaded |= 1u << i;
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, f->file);
	else
		snprintf(path, sizeof(path), "/proc/self/net/%s", f->file);
	buf = read_all(path, &len);
	if (buf == NULL)
		return errno == ENOMEM ? -1 : 0;  /* protocol not configured */
	switch (f->kind) {
	case 0:
		r = pi_socktab_parse_inet(t, buf, len, f->proto, f->v6);
		break;
	case 1:
		r = pi_socktab_parse_unix(t, buf, len);
		break;
	case 2:
		r = pi_socktab_parse_netlink(t, buf, len);
		break;
	default:
		r = pi_socktab_parse_packet(t, buf, len);
		break;
	}
	free(buf);
	return r < 0 ? -1 : 0;
}

/* ESRCH unless /proc/PID/net is there (pid 0: this process, always). */
static int
check_alive(pid_t pid)
{
	char path[64];

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/net", (int)pid);
	if (access(path, F_OK) == 0)
		return 0;
	errno = ESRCH;
	return -1;
}

int
pi_socktab_load(struct pi_socktab *t, pid_t pid)
{
	size_t i;

	if (check_alive(pid) < 0)
		return -1;
	for (i = 0; i < NETFILES; i++)
		if (!(t->loaded & (1u << i)) && load_file(t, pid, i) < 0)
			return -1;
	/* A process that died meanwhile left only part of its tables. */
	return check_alive(pid);
}

int
pi_socktab_load_proto(struct pi_socktab *t, pid_t pid, const char *name)
{
	size_t i, j;

	for (i = 0; i < NETFILES; i++)
		for (j = 0; j < 3 && netfiles[i].names[j] != NULL; j++)
			if (strcmp(name, netfiles[i].names[j]) == 0)
				goto found;
	return 0;	/* a family /proc/net does not list */
found:
	if (t->loaded & (1u << i))
		return 1;
	if (check_alive(pid) < 0 || load_file(t, pid, i) < 0)
		return -1;
	if (check_alive(pid) < 0)
		return -1;
	return 1;
}

static int
cmp_sock(const void *a, const void *b)
{
	unsigned long x = ((const struct pi_sock *)a)->inode;
	unsigned long y = ((const struct pi_sock *)b)->inode;

	return x < y ? -1 : x > y;
}

const struct pi_sock *
pi_socktab_find(struct pi_socktab *t, unsigned long inode)
{
	struct pi_sock key;

	if (t->n == 0)
		return NULL;
	if (!t->sorted) {
		qsort(t->v, t->n, sizeof(*t->v), cmp_sock);
		t->sorted = true;
	}
	key.inode = inode;
	return bsearch(&key, t->v, t->n, sizeof(*t->v), cmp_sock);
}

void
pi_socktab_free(struct pi_socktab *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
	t->sorted = false;
	t->loaded = 0;
	t->diag = 0;
}

/* ---- kinds ------------------------------------------------------------ */

const char *
pi_kind_name(enum pi_kind k)
{
	static const char *const names[] = {
		[PI_UNKNOWN] = "unknown", [PI_FILE] = "file", [PI_DIR] = "dir",
		[PI_PIPE] = "pipe", [PI_FIFO] = "fifo", [PI_SOCKET] = "socket",
		[PI_TTY] = "tty", [PI_CHARDEV] = "chardev",
		[PI_BLOCKDEV] = "blockdev", [PI_EVENTFD] = "eventfd",
		[PI_EPOLL] = "epoll", [PI_TIMERFD] = "timerfd",
		[PI_SIGNALFD] = "signalfd", [PI_INOTIFY] = "inotify",
		[PI_FANOTIFY] = "fanotify", [PI_MEMFD] = "memfd",
		[PI_PIDFD] = "pidfd", [PI_ANON] = "anon_inode",
	};

	if ((unsigned)k < sizeof(names) / sizeof(names[0]) && names[k])
		return names[k];
	return "unknown";
}

static bool
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool
is_tty_path(const char *p)
{
	return starts(p, "/dev/pts/") || starts(p, "/dev/tty") ||
	    strcmp(p, "/dev/console") == 0 || starts(p, "/dev/ptmx");
}

enum pi_kind
pi_kind_from_link(const char *link, mode_t mode)
{
	static const struct {
		const char *prefix;
		enum pi_kind kind;
	} anon[] = {
		{ "anon_inode:[eventfd]", PI_EVENTFD },
		{ "anon_inode:[eventpoll]", PI_EPOLL },
		{ "anon_inode:[timerfd]", PI_TIMERFD },
		{ "anon_inode:[signalfd]", PI_SIGNALFD },
		{ "anon_inode:inotify", PI_INOTIFY },
		{ "anon_inode:[fanotify]", PI_FANOTIFY },
		{ "anon_inode:[pidfd]", PI_PIDFD },
		{ "pidfd:", PI_PIDFD },		/* pidfs, Linux 6.9 */
		{ "anon_inode:", PI_ANON },
		{ "socket:[", PI_SOCKET },
		{ "pipe:[", PI_PIPE },
		{ "/memfd:", PI_MEMFD },
	};
	size_t i;

	for (i = 0; i < sizeof(anon) / sizeof(anon[0]); i++)
		if (starts(link, anon[i].prefix))
			return anon[i].kind;
	if (mode != 0) {
		if (S_ISDIR(mode))
			return PI_DIR;
		if (S_ISFIFO(mode))
			return PI_FIFO;
		if (S_ISSOCK(mode))
			return PI_SOCKET;
		if (S_ISCHR(mode))
			return is_tty_path(link) ? PI_TTY : PI_CHARDEV;
		if (S_ISBLK(mode))
			return PI_BLOCKDEV;
		if (S_ISREG(mode))
			return PI_FILE;
		return PI_UNKNOWN;
	}
	if (is_tty_path(link))
		return PI_TTY;
	return link[0] == '/' ? PI_FILE : PI_UNKNOWN;
}

bool
pi_link_inode(const char *link, const char *prefix, unsigned long *ino)
{
	size_t n = strlen(prefix);
	struct cur c;
	unsigned long long v;

	if (strncmp(link, prefix, n) != 0)
		return false;
	c.p = link + n;
	c.end = link + strlen(link);
	if (!read_num(&c, 10, 0, &v) || !take(&c, ']') || !at_end(&c) ||
	    v > ULONG_MAX)
		return false;
	*ino = (unsigned long)v;
	return true;
}

ssize_t
pi_read_file(const char *path, char *buf, size_t cap)
{
	ssize_t r, n = 0;
	int fd, saved;

	if (cap == 0) {
		errno = EINVAL;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)n < cap - 1) {
		r = read(fd, buf + n, cap - 1 - (size_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			saved = errno;
			(void)close(fd);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		n += r;
	}
	(void)close(fd);
	buf[n] = '\0';
	return n;
}
