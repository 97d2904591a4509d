/*
 * fdmap.c - `--pass-fd N` and `--map-fd FROM:TO`, as `noinherit exec` and
 * `noinherit trace` take them: parsed and checked here, in words, then
 * handed to the library as ni_spawn options (ni_exec and ni_spawn make
 * the descriptor table from them: src/fdplan.c).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "noinherit.h"

/*
 * A descriptor number: decimal digits only (no sign, no blanks), at most
 * INT_MAX.  Returns 0, or -1 when s is anything else.
 */
static int
parse_fd(const char *s, int *fd)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return -1;
	}
	*fd = (int)v;
	return 0;
}

int
cli_parse_fdmap(const char *cmd, bool pass, const char *val,
    struct cli_fdmap *m)
{
	const char *opt = pass ? "--pass-fd" : "--map-fd";
	const char *colon;
	char buf[64];

	if (pass) {
		if (parse_fd(val, &m->from) != 0) {
			cli_say(cmd, "%s: '%.64s' is not a descriptor number "
			    "(a non-negative integer)", opt, val);
			return -1;
		}
		m->to = m->from;
		return 0;
	}
	colon = strchr(val, ':');
	if (colon == NULL || (size_t)(colon - val) >= sizeof buf) {
		cli_say(cmd, "%s: '%.64s' is not FROM:TO (two descriptor "
		    "numbers)", opt, val);
		return -1;
	}
	memcpy(buf, val, (size_t)(colon - val));
	buf[colon - val] = '\0';
	if (parse_fd(buf, &m->from) != 0 || parse_fd(colon + 1, &m->to) != 0) {
		cli_say(cmd, "%s: '%.64s' is not FROM:TO (two non-negative "
		    "descriptor numbers)", opt, val);
		return -1;
	}
	return 0;
}

/*
 * Every check that can be made before anything changes: each FROM is
 * open, no TO is claimed by two different mappings (the same mapping
 * twice is harmless), and each TO fits under the soft RLIMIT_NOFILE
 * (dup2 cannot make a descriptor above it).  Returns 0 or -1 (said).
 */
static int
check(const char *cmd, const struct cli_fdmap *m, size_t n)
{
	struct rlimit rl;
	size_t i, j;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		rl.rlim_cur = RLIM_INFINITY;
	for (i = 0; i < n; i++) {
		if (ni_get_inheritable(m[i].from) < 0) {
			cli_say(cmd, "fd %d is not open", m[i].from);
			return -1;
		}
		if (rl.rlim_cur != RLIM_INFINITY &&
		    (rlim_t)m[i].to >= rl.rlim_cur) {
			cli_say(cmd, "fd %d is beyond the descriptor limit "
			    "(RLIMIT_NOFILE %llu)", m[i].to,
			    (unsigned long long)rl.rlim_cur);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (m[j].to == m[i].to && m[j].from != m[i].from) {
				cli_say(cmd, "fd %d is the target of two "
				    "mappings (%d:%d and %d:%d)", m[i].to,
				    m[j].from, m[j].to, m[i].from, m[i].to);
				return -1;
			}
		}
	}
	return 0;
}

ni_spawn_opts *
cli_fdmap_opts(const char *cmd, const struct cli_fdmap *m, size_t n)
{
	ni_spawn_opts *o;
	size_t i;

	if (check(cmd, m, n) != 0)
		return NULL;
	if ((o = ni_spawn_opts_new()) == NULL) {
		cli_say(cmd, "%s", strerror(errno));
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (ni_spawn_opts_map_fd(o, m[i].from, m[i].to) != 0) {
			cli_say(cmd, "fd %d to fd %d: %s", m[i].from, m[i].to,
			    strerror(errno));
			ni_spawn_opts_free(o);
			return NULL;
		}
	}
	(void)ni_spawn_opts_set_search_path(o, true);
	return o;
}
