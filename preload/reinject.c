/*
 * reinject.c - the shim follows every exec (issue #12): a program that
 * starts another with an environment lacking LD_PRELOAD's shim entry or
 * the NOINHERIT_* variables (env -i, sudo-style allow-lists, a hand-built
 * envp) gets them put back, as fakeroot and pseudo do.  Both modes.
 *
 * The constructor saved what this process was started with (shim_g.env_*);
 * for each exec with an explicit environment, and each exec* that uses
 * environ after the program scrubbed it, shim_env_fix() returns the
 * environment to use: the program's own when nothing is missing (the
 * common case: one pass over it, no copy), else a copy of its pointers
 * with the missing entries added.  A variable that is present keeps the
 * program's value (NOINHERIT_MODE=off set on purpose stays off), except
 * LD_PRELOAD, which gets the shim put first when it lost it.
 *
 * Runs in exec hooks, possibly in a vfork child: the caller's stack and
 * the buffers in struct shim_envfix only.
 */
#include "shim.h"

#include <string.h>

/* Whether entry is NAME=... (name given with its '='). */
static bool
is_var(const char *entry, const char *name_eq, size_t len)
{
	return strncmp(entry, name_eq, len) == 0;
}

/* Whether LD_PRELOAD's value holds path as one of its entries. */
static bool
preload_has(const char *value, const char *path)
{
	size_t n = strlen(path);

	while (*value != '\0') {
		size_t len = strcspn(value, " :");

		if (len == n && memcmp(value, path, n) == 0)
			return true;
		value += len;
		value += strspn(value, " :");
	}
	return false;
}

static const struct {
	const char *name_eq;
	size_t off;		/* of the saved value in shim_g */
} saved_vars[] = {
	{ "NOINHERIT_MODE=", offsetof(struct shim_state, env_mode) },
	{ "NOINHERIT_LOG=", offsetof(struct shim_state, env_log) },
	{ "NOINHERIT_ROOT=", offsetof(struct shim_state, env_root) },
	{ "NOINHERIT_EXEMPT=", offsetof(struct shim_state, env_exempt) },
	{ "NOINHERIT_NOTES=", offsetof(struct shim_state, env_notes) },
	{ "NOINHERIT_STARTS=", offsetof(struct shim_state, env_starts) },
};
#define NSAVED (sizeof(saved_vars) / sizeof(saved_vars[0]))

static const char *
saved_value(size_t i)
{
	return (const char *)&shim_g + saved_vars[i].off;
}

size_t
shim_env_count(char *const envp[])
{
	size_t n = 0;

	while (envp != NULL && envp[n] != NULL)
		n++;
	return n;
}

/*
 * envp as the new program should get it.  vec has room for
 * shim_env_count(envp) + SHIM_ENV_EXTRA pointers.
 */
char *const *
shim_env_fix(char *const envp[], char **vec, struct shim_envfix *b)
{
	bool have[NSAVED] = { false };
	const char *preload = NULL;
	bool need = false;
	size_t n = 0, k = 0, at_preload = (size_t)-1;

	if (!shim_g.reinject)
		return envp;
	for (; envp != NULL && envp[n] != NULL; n++) {
		const char *e = envp[n];

		if (e[0] == 'L' && is_var(e, "LD_PRELOAD=", 11)) {
			if (preload == NULL) {
				preload = e + 11;
				at_preload = n;
			}
			continue;
		}
		if (e[0] != 'N' || !is_var(e, "NOINHERIT_", 10))
			continue;
		for (size_t i = 0; i < NSAVED; i++)
			if (is_var(e, saved_vars[i].name_eq,
			    strlen(saved_vars[i].name_eq)))
				have[i] = true;
	}
	for (size_t i = 0; i < NSAVED; i++)
		if (!have[i] && saved_value(i)[0] != '\0')
			need = true;
	if (shim_g.env_self[0] != '\0' &&
	    (preload == NULL || !preload_has(preload, shim_g.env_self)))
		need = true;
	if (!need)
		return envp;

	/* The copy: the program's entries, LD_PRELOAD replaced in place. */
	for (size_t i = 0; i < n; i++)
		vec[k++] = envp[i];
	if (shim_g.env_self[0] != '\0' &&
	    (preload == NULL || !preload_has(preload, shim_g.env_self))) {
		size_t len = preload != NULL ? strlen(preload) : 0;

		if (11 + strlen(shim_g.env_self) + 1 + len + 1 <=
		    sizeof(b->preload)) {
			strcpy(b->preload, "LD_PRELOAD=");
			strcat(b->preload, shim_g.env_self);
			if (len > 0) {
				strcat(b->preload, ":");
				strcat(b->preload, preload);
			}
			if (at_preload != (size_t)-1)
				vec[at_preload] = b->preload;
			else
				vec[k++] = b->preload;
		}
	}
	for (size_t i = 0; i < NSAVED; i++) {
		const char *v = saved_value(i);

		if (have[i] || v[0] == '\0')
			continue;
		if (strlen(saved_vars[i].name_eq) + strlen(v) + 1 >
		    sizeof(b->vars[i]))
			continue;
		strcpy(b->vars[i], saved_vars[i].name_eq);
		strcat(b->vars[i], v);
		vec[k++] = b->vars[i];
	}
	vec[k] = NULL;
	return vec;
}
