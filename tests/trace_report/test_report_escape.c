/*
 * test_report_escape.c - names with any bytes, from the shim's record
 * writer (preload/json.c) through the tool's parser (tools/jsonl.c) to its
 * printers: every byte comes back as it was, so a name that is not UTF-8
 * is never shown as another, real name (0xff is not "ÿ").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "json.h"
#include "jsonl.h"

/* s (n bytes) written by the shim, then read back by the tool. */
static const char *
roundtrip(struct jarena *m, const char *s, size_t n)
{
	char mem[4096];
	struct jbuf b;
	const struct jv *v;
	const char *why;

	jb_init(&b, mem, sizeof mem);
	jb_str(&b, s, n, sizeof mem);
	assert_false(b.full);
	v = jv_parse(m, b.p, b.len, &why);
	assert_non_null(v);
	assert_int_equal(v->type, JV_STR);
	assert_int_equal(v->len, n);
	return v->s;
}

static void
every_byte_comes_back(void **state)
{
	struct jarena m = { NULL };
	char s[3];
	int c;

	(void)state;
	for (c = 1; c < 256; c++) {
		s[0] = 'a';
		s[1] = (char)c;
		s[2] = 'z';
		assert_memory_equal(roundtrip(&m, s, 3), s, 3);
		jarena_reset(&m);
	}
	jarena_free(&m);
}

static void
invalid_sequences_come_back(void **state)
{
	static const char *const cases[] = {
		"\xc3",			/* cut short */
		"\xe0\x80\x80",		/* overlong */
		"\xed\xa0\x80",		/* a surrogate, encoded */
		"\xed\xb3\xbf",		/* U+DCFF encoded: not ours */
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"ok \xc3\xbf \xff\xfe end",
		"\xe2\x82\xac\xf0\x9f\x98\x80",	/* valid: kept as is */
	};
	struct jarena m = { NULL };
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		n = strlen(cases[i]);
		assert_memory_equal(roundtrip(&m, cases[i], n), cases[i], n);
	}
	jarena_free(&m);
}

static void
escapes_mean_what_they_say(void **state)
{
	struct jarena m = { NULL };
	const struct jv *v;

	(void)state;
	/*
	 * The shim copies valid UTF-8 as it is, so its \u0080-\u00ff are
	 * bytes that were not UTF-8 (FORMAT.md): bytes again.  U+0100 and
	 * above are characters; a lone surrogate half is U+FFFD.
	 */
	v = jv_parse(&m, "\"\\u00ff|\\u0080|\\u0100|\\udcff\"", 29, NULL);
	assert_non_null(v);
	assert_string_equal(v->s, "\xff|\x80|\xc4\x80|\xef\xbf\xbd");
	jarena_free(&m);
}

/* What printer p makes of s. */
static char *
printed(void (*p)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	p(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
printers_escape_as_audit_does(void **state)
{
	char *t;

	(void)state;
	t = printed(cli_puts_text, "bad\xffname good\xc3\xbfname \\ \n");
	assert_string_equal(t, "bad\\xffname good\xc3\xbfname \\\\ \\x0a");
	free(t);
	t = printed(cli_puts_json, "bad\xffname good\xc3\xbfname");
	assert_string_equal(t, "\"bad\\ufffdname good\xc3\xbfname\"");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_byte_comes_back),
		cmocka_unit_test(invalid_sequences_come_back),
		cmocka_unit_test(escapes_mean_what_they_say),
		cmocka_unit_test(printers_escape_as_audit_does),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
