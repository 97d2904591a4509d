/*
 * The command line ni_spawn builds (src/win/cmdline.c): exact strings for
 * the rules, the length limit, and a round trip of tricky arguments
 * through a real child's C runtime (child.exe argv).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "win.h"
#include "winutil.h"

static void
check_line(int line, char *const argv[], const wchar_t *want)
{
	wchar_t *got = ni__win_cmdline(argv);
	if (got == NULL)
		fail_msg("line %d: ni__win_cmdline: errno %d", line, errno);
	if (wcscmp(got, want) != 0)
		fail_msg("line %d: got [%ls], want [%ls]", line, got, want);
	free(got);
}
#define CHECK(want, ...) \
	check_line(__LINE__, (char *[]){ __VA_ARGS__, NULL }, want)

static void
exact_strings(void **state)
{
	(void)state;
	CHECK(L"p a b", "p", "a", "b");
	CHECK(L"p \"a b\" \"\"", "p", "a b", "");
	CHECK(L"p \"a\tb\" \"a\nb\" \"a\vb\"", "p", "a\tb", "a\nb", "a\vb");
	CHECK(L"p a\\b a\\\\b \\\\server\\x", "p", "a\\b", "a\\\\b",
	    "\\\\server\\x");
	CHECK(L"p \"a\\\"b\"", "p", "a\"b");		/* a"b */
	CHECK(L"p \"a\\\\\\\"b\"", "p", "a\\\"b");	/* a\"b */
	CHECK(L"p tail\\", "p", "tail\\");		/* unquoted: literal */
	CHECK(L"p \"t l\\\\\"", "p", "t l\\");	/* doubled before the quote */
	CHECK(L"p \"\\\"\"", "p", "\"");
	CHECK(L"\"C:\\Program Files\\x.exe\" y",
	    "C:\\Program Files\\x.exe", "y");
	CHECK(L"C:\\dir\\ y", "C:\\dir\\", "y");	/* argv[0]: no escapes */
	CHECK(L"\"\" y", "", "y");
	CHECK(L"p \u00e9\u20ac", "p", "\xc3\xa9\xe2\x82\xac");
	CHECK(L"", (char *)NULL);			/* empty argv */
}

static void
refusals_and_limit(void **state)
{
	(void)state;
	char *q[] = { "a\"b", NULL };
	assert_null(ni__win_cmdline(q));
	assert_int_equal(errno, EINVAL);
	char *bad[] = { "p", "\xe2\x82", NULL };
	assert_null(ni__win_cmdline(bad));
	assert_int_equal(errno, EILSEQ);

	/* "p " + arg: 32766 units fit (the NUL makes 32767), 32767 do not. */
	char *arg = malloc(32766);
	assert_non_null(arg);
	memset(arg, 'x', 32764);
	arg[32764] = 0;
	char *argv[] = { "p", arg, NULL };
	wchar_t *w = ni__win_cmdline(argv);
	assert_non_null(w);
	assert_int_equal(wcslen(w), 32766);
	free(w);
	arg[32764] = 'x';
	arg[32765] = 0;
	assert_null(ni__win_cmdline(argv));
	assert_int_equal(errno, E2BIG);
	free(arg);
}

static const char *const tricky[] = {
	"", " ", "  ", "\t", "a b", "a\tb", "a\nb", "a\vb",
	"\"", "\"\"", "\"\"\"", "a\"b", "\"a b\"", "\" \"",
	"\\", "\\\\", "\\\\\\", "a\\", "a\\\\", "a b\\", "a b\\\\", "a b\\\\\\",
	"\\\"", "\\\\\"", "\\\\\\\"", "\\\\\\\\\"", "a\\\"b", "a\\\\\"b",
	"a\\\\\\\"b", "\\\"\\", "\"\\\"", "\\ \\", "\\\\ \\\\",
	"C:\\Program Files\\", "C:\\dir\\", "\\\\server\\share\\",
	"\xc3\xa9", "na\xc3\xafve caf\xc3\xa9", "\xe2\x82\xac \"\xe2\x82\xac\"",
	"\xf0\x9f\x98\x80", "\xe4\xb8\xad\xe6\x96\x87\\", "x", "-",
	"%PATH%", "^&|<>()", "a=b c", "'single quotes'", "\\\\\\\\\\ \"",
	"\" \\ \"", "end\\\\\\\\",
};

/* The child's C runtime splits our command line back into the same
 * arguments. */
static void
round_trip(void **state)
{
	(void)state;
	size_t n = sizeof tricky / sizeof *tricky;
	assert_true(n >= 40);
	char *argv[64] = { (char *)wu_child(), "argv" };
	for (size_t i = 0; i < n; i++)
		argv[2 + i] = (char *)tricky[i];
	argv[2 + n] = NULL;
	DWORD st;
	char *out = wu_spawn_argv(wu_child(), argv, NULL, NULL, NULL, &st);
	assert_non_null(out);
	assert_int_equal(st, 0);
	const char *p = out;
	for (size_t i = 0; i < n; i++) {
		char *hex = wu_hex(tricky[i]);
		if (strncmp(p, "arg ", 4) != 0 ||
		    strncmp(p + 4, hex, strlen(hex)) != 0 ||
		    p[4 + strlen(hex)] != '\n')
			fail_msg("argument %zu [%s]: want arg %s, got:\n%s", i,
			    tricky[i], hex, p);
		free(hex);
		p = strchr(p, '\n') + 1;
	}
	assert_string_equal(p, "end\n");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_strings),
		cmocka_unit_test(refusals_and_limit),
		cmocka_unit_test(round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
