/*
 * ni__win_check_handle_list (src/win/handlelist.c): every list Windows
 * would refuse, refused here too, since Wine refuses none of them.
 */
#include <cmocka.h>

#include "win.h"
#include "winutil.h"

static HANDLE a, b, plain;	/* a, b inheritable; plain not */
static const HANDLE no_std[3] = { NULL, NULL, NULL };

static HANDLE
event(bool inheritable)
{
	SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, inheritable };
	HANDLE h = CreateEventW(&sa, FALSE, FALSE, NULL);
	assert_non_null(h);
	return h;
}

static int
make_handles(void **state)
{
	(void)state;
	a = event(true);
	b = event(true);
	plain = event(false);
	return 0;
}

static int
close_handles(void **state)
{
	(void)state;
	CloseHandle(a);
	CloseHandle(b);
	CloseHandle(plain);
	return 0;
}

#define VERDICT(want, std, ...) do {					\
	const HANDLE l_[] = { __VA_ARGS__ };				\
	assert_int_equal(ni__win_check_handle_list(l_,			\
	    sizeof l_ / sizeof *l_, std), want);			\
} while (0)

static void
valid(void **state)
{
	(void)state;
	VERDICT(NI_HL_OK, no_std, a);
	VERDICT(NI_HL_OK, no_std, a, b);
	const HANDLE std[3] = { a, b, a };
	VERDICT(NI_HL_OK, std, b, a);
	/* Console pseudo handles and "none" in STARTUPINFO need no entry. */
	const HANDLE con[3] = { (HANDLE)3, INVALID_HANDLE_VALUE, NULL };
	VERDICT(NI_HL_OK, con, a);
}

static void
empty(void **state)
{
	(void)state;
	assert_int_equal(ni__win_check_handle_list(NULL, 0, no_std),
	    NI_HL_EMPTY);
	assert_int_equal(ni__win_check_handle_list(&a, 0, no_std), NI_HL_EMPTY);
}

static void
pseudo_handles(void **state)
{
	(void)state;
	VERDICT(NI_HL_PSEUDO, no_std, NULL);
	VERDICT(NI_HL_PSEUDO, no_std, a, INVALID_HANDLE_VALUE);
	VERDICT(NI_HL_PSEUDO, no_std, GetCurrentProcess());
	VERDICT(NI_HL_PSEUDO, no_std, GetCurrentThread(), a);
	VERDICT(NI_HL_PSEUDO, no_std, (HANDLE)(intptr_t)-4);	/* token */
	VERDICT(NI_HL_CONSOLE, no_std, (HANDLE)3);
	VERDICT(NI_HL_CONSOLE, no_std, a, (HANDLE)7);
	VERDICT(NI_HL_CONSOLE, no_std, (HANDLE)((uintptr_t)a | 3));
}

static void
not_inheritable_or_closed(void **state)
{
	(void)state;
	VERDICT(NI_HL_NOT_INHERITABLE, no_std, plain);
	VERDICT(NI_HL_NOT_INHERITABLE, no_std, a, plain);
	HANDLE gone = event(true);
	CloseHandle(gone);
	VERDICT(NI_HL_BAD_HANDLE, no_std, gone);
}

static void
duplicates(void **state)
{
	(void)state;
	VERDICT(NI_HL_DUPLICATE, no_std, a, a);
	VERDICT(NI_HL_DUPLICATE, no_std, a, b, a);
	/* The kernel ignores the low tag bits: a|1 is a. */
	VERDICT(NI_HL_DUPLICATE, no_std, a, (HANDLE)((uintptr_t)a | 1));
}

static void
std_missing(void **state)
{
	(void)state;
	const HANDLE in[3] = { b, NULL, NULL };
	VERDICT(NI_HL_STD_MISSING, in, a);
	const HANDLE err[3] = { a, a, b };
	VERDICT(NI_HL_STD_MISSING, err, a);
	const HANDLE tagged[3] = { (HANDLE)((uintptr_t)b | 2), NULL, NULL };
	VERDICT(NI_HL_OK, tagged, b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid),
		cmocka_unit_test(empty),
		cmocka_unit_test(pseudo_handles),
		cmocka_unit_test(not_inheritable_or_closed),
		cmocka_unit_test(duplicates),
		cmocka_unit_test(std_missing),
	};
	return cmocka_run_group_tests(tests, make_handles, close_handles);
}
