/*
 * fuzz_procinfo.c - libFuzzer targets for the /proc parsers of
 * tools/procinfo.c.  Built once per target with -DFUZZ_<NAME>; each feeds
 * arbitrary bytes to one parser, which must never read outside them, crash
 * or leak (AddressSanitizer and LeakSanitizer watch).
 *
 *   fuzz_fdinfo   pi_fdinfo_parse
 *   fuzz_inet     pi_socktab_parse_inet (first byte: v6, protocol) + lookups
 *   fuzz_unix     pi_socktab_parse_unix
 *   fuzz_netlink  pi_socktab_parse_netlink
 *   fuzz_packet   pi_socktab_parse_packet
 *   fuzz_link     pi_kind_from_link, pi_link_inode
 *   fuzz_sockdiag sd_parse (tools/sockdiag.c), NETLINK_SOCK_DIAG replies
 *                 (first byte: the kind of dump) + lookups
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "procinfo.h"
#ifdef FUZZ_SOCKDIAG
#include "sockdiag.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Looks up every socket found, and one that is not there. */
static void
exercise(struct pi_socktab *t)
{
	size_t i, n = t->n;

	for (i = 0; i < n; i++) {
		const struct pi_sock *s = pi_socktab_find(t, t->v[i].inode);

		if (s == NULL || strlen(s->desc) >= sizeof(s->desc))
			abort();
	}
	(void)pi_socktab_find(t, 0);
	pi_socktab_free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
#if defined(FUZZ_FDINFO)
	struct pi_fdinfo fi;

	(void)pi_fdinfo_parse(buf, size, &fi);
#elif defined(FUZZ_INET)
	static const char *const protos[] = { "TCP", "UDP", "RAW", "UDPLITE" };
	struct pi_socktab t = { 0 };

	if (size == 0)
		return 0;
	(void)pi_socktab_parse_inet(&t, buf + 1, size - 1, protos[data[0] & 3],
	    data[0] & 4);
	exercise(&t);
#elif defined(FUZZ_UNIX)
	struct pi_socktab t = { 0 };

	(void)pi_socktab_parse_unix(&t, buf, size);
	exercise(&t);
#elif defined(FUZZ_NETLINK)
	struct pi_socktab t = { 0 };

	(void)pi_socktab_parse_netlink(&t, buf, size);
	exercise(&t);
#elif defined(FUZZ_PACKET)
	struct pi_socktab t = { 0 };

	(void)pi_socktab_parse_packet(&t, buf, size);
	exercise(&t);
#elif defined(FUZZ_LINK)
	static const mode_t modes[] = { 0, S_IFREG, S_IFDIR, S_IFCHR, S_IFBLK,
	    S_IFIFO, S_IFSOCK, S_IFLNK };
	unsigned long ino;
	char *s;

	if (size == 0)
		return 0;
	s = malloc(size);	/* the links are C strings: NUL-terminate */
	if (s == NULL)
		return 0;
	memcpy(s, buf + 1, size - 1);
	s[size - 1] = '\0';
	(void)pi_kind_name(pi_kind_from_link(s, modes[data[0] & 7]));
	(void)pi_link_inode(s, "socket:[", &ino);
	(void)pi_link_inode(s, "pipe:[", &ino);
	free(s);
#elif defined(FUZZ_SOCKDIAG)
	struct pi_socktab t = { 0 };
	void *copy;

	if (size == 0)
		return 0;
	/* A copy of exactly the reply's bytes: ASan sees any overread. */
	if ((copy = malloc(size - 1 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	(void)sd_parse(&t, copy, size - 1,
	    (enum sd_kind)(data[0] % SD_NKINDS));
	free(copy);
	exercise(&t);
#else
#error "define one FUZZ_<NAME>"
#endif
	return 0;
}
