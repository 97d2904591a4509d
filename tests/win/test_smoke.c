/* Scaffolding check: child.exe runs under plain CreateProcess and reports. */
#include <cmocka.h>
#include "winutil.h"

static void
child_reports(void **state)
{
	(void)state;
	DWORD st;
	char *out = wu_run_plain(L"report", &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "end\n"));
	print_message("%s", out);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(child_reports) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
