/*
 * test_audit.c - `noinherit audit` watched from outside: real processes
 * holding real descriptors, audited by the real command.
 *
 *   test_audit NOINHERIT LEAKER CASE
 *
 * One ctest entry per CASE (tests/audit/CMakeLists.txt).  Exit 0 on
 * success, 1 on failure, 77 when the case cannot be set up here.  The
 * cases are in cases_leaker.c, cases_lifecycle.c and cases_hostile.c,
 * what they share in
 * harness.c.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

int
main(int argc, char **argv)
{
	const char *c;

	if (argc != 4) {
		fprintf(stderr, "usage: test_audit NOINHERIT LEAKER CASE\n");
		return 2;
	}
	c = argv[3];
	harness_init(argv[1], argv[2]);
	if (strcmp(c, "leaker-text") == 0)
		leaker_text();
	else if (strcmp(c, "leaker-json") == 0)
		leaker_json();
	else if (strcmp(c, "inherited") == 0)
		inherited();
	else if (strcmp(c, "clean") == 0)
		clean();
	else if (strcmp(c, "no-such-process") == 0)
		no_such_process();
	else if (strcmp(c, "zombie") == 0)
		zombie();
	else if (strcmp(c, "exited-mid-scan") == 0)
		exited_mid_scan("fd");
	else if (strcmp(c, "exited-mid-fdinfo") == 0)
		exited_mid_scan("#");
	else if (strcmp(c, "permission") == 0)
		permission();
	else if (strcmp(c, "self") == 0)
		self();
	else if (strcmp(c, "all") == 0)
		all();
	else if (strcmp(c, "forged-unix") == 0)
		forged_unix(false);
	else if (strcmp(c, "forged-unix-fallback") == 0)
		forged_unix(true);
	else if (strcmp(c, "netns") == 0)
		netns();
	else if (strcmp(c, "raw") == 0)
		raw();
	else if (strcmp(c, "repoint") == 0)
		repoint();
	else if (strcmp(c, "deleted") == 0)
		deleted();
	else {
		fprintf(stderr, "test_audit: unknown case '%s'\n", c);
		return 2;
	}
	if (failures) {
		fprintf(stderr, "%s: %d check%s failed\n", c, failures,
		    failures == 1 ? "" : "s");
		return 1;
	}
	printf("%s: ok\n", c);
	return 0;
}
