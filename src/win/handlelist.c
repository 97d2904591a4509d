/*
 * handlelist.c - checking a PROC_THREAD_ATTRIBUTE_HANDLE_LIST ourselves.
 *
 * Windows wants inheritable handles and no pseudo handles in the list (as
 * its documentation of the attribute says, and refuses a bad list with
 * ERROR_INVALID_PARAMETER, as reported; not checked here) but Wine takes
 * anything, and an empty list makes Wine pass every inheritable handle:
 * the one mistake this library exists to prevent.  So ni_spawn checks its
 * list with Windows' rules before every CreateProcessW, and a mistake
 * shows up under Wine as clearly as on Windows.
 */
#include <stdint.h>

#include "win.h"

bool
ni__win_is_console_pseudo(HANDLE h)
{
	return ((uintptr_t)h & 3) == 3;
}

/*
 * NULL and the negative values: INVALID_HANDLE_VALUE (= GetCurrentProcess()),
 * GetCurrentThread(), the token pseudo handles (-4 to -6).  No real handle
 * of a user-mode process is negative.
 */
static bool
is_pseudo(HANDLE h)
{
	return (intptr_t)h <= 0;
}

/* The kernel ignores a handle's two low "tag" bits: 0x44 and 0x45 are the
 * same handle, so compare without them. */
static uintptr_t
handle_key(HANDLE h)
{
	return (uintptr_t)h & ~(uintptr_t)3;
}

static bool
listed(const HANDLE *list, size_t n, HANDLE h)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (handle_key(list[i]) == handle_key(h))
			return true;
	return false;
}

static enum ni_hl_verdict
check_one(const HANDLE *list, size_t i)
{
	HANDLE h = list[i];
	DWORD flags;

	if (is_pseudo(h))
		return NI_HL_PSEUDO;
	if (ni__win_is_console_pseudo(h))
		return NI_HL_CONSOLE;
	if (!GetHandleInformation(h, &flags))
		return NI_HL_BAD_HANDLE;
	if (!(flags & HANDLE_FLAG_INHERIT))
		return NI_HL_NOT_INHERITABLE;
	if (listed(list, i, h))
		return NI_HL_DUPLICATE;
	return NI_HL_OK;
}

/* n is at most a few thousand (one per child fd): the quadratic duplicate
 * search costs less than the CreateProcessW it guards, and allocates
 * nothing. */
enum ni_hl_verdict
ni__win_check_handle_list(const HANDLE *list, size_t n, const HANDLE std[3])
{
	enum ni_hl_verdict v;
	size_t i;

	if (n == 0)
		return NI_HL_EMPTY;
	for (i = 0; i < n; i++)
		if ((v = check_one(list, i)) != NI_HL_OK)
			return v;
	for (i = 0; i < 3; i++) {
		HANDLE h = std[i];

		if (h == NULL || h == INVALID_HANDLE_VALUE ||
		    ni__win_is_console_pseudo(h))
			continue;
		if (!listed(list, n, h))
			return NI_HL_STD_MISSING;
	}
	return NI_HL_OK;
}
