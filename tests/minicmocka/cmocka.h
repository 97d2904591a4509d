/*
 * A small stand-in for the part of cmocka's API that noinherit's tests use,
 * for builds where Debian's libcmocka cannot be linked: the musl build
 * (libcmocka-dev is built against glibc).  Same names, same output shape
 * for failures (both operands), and a closing "N passed, N failed" line.
 * Header-only; each test program includes it once (see MC_EXTERN_STATE
 * for helper files).
 */
#ifndef NI_MINI_CMOCKA_H
#define NI_MINI_CMOCKA_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
	const char *name;
	CMUnitTestFunction test_func;
	CMFixtureFunction setup_func;
	CMFixtureFunction teardown_func;
	void *initial_state;
};

#define cmocka_unit_test(f) { #f, f, NULL, NULL, NULL }
#define cmocka_unit_test_setup(f, s) { #f, f, s, NULL, NULL }
#define cmocka_unit_test_teardown(f, t) { #f, f, NULL, t, NULL }
#define cmocka_unit_test_setup_teardown(f, s, t) { #f, f, s, t, NULL }
#define cmocka_unit_test_prestate(f, p) { #f, f, NULL, NULL, p }
#define cmocka_unit_test_prestate_setup_teardown(f, s, t, p) { #f, f, s, t, p }

/*
 * The run's state, shared by every file of one test program: the file with
 * main() defines it, helper files that fail tests too (tests/win/winutil.c)
 * define MC_EXTERN_STATE first to use it.  A static copy per file would
 * have a helper's failure longjmp to a jmp_buf no setjmp ever filled.
 */
#ifdef MC_EXTERN_STATE
extern jmp_buf mc_jmp;
extern int mc_skipped;
extern const char *mc_filter;
#else
jmp_buf mc_jmp;
int mc_skipped;
const char *mc_filter;
#endif

static inline void
cmocka_set_test_filter(const char *pattern)
{
	mc_filter = pattern;
}

static inline void
print_message(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static inline void
mc_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("[  ERROR   ] --- ");
	vprintf(fmt, ap);
	printf("\n[   LINE   ] --- %s:%d: error: Failure!\n", file, line);
	va_end(ap);
	fflush(stdout);
	longjmp(mc_jmp, 1);
}

static inline void
print_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

#define fail() mc_fail(__FILE__, __LINE__, "fail()")
#define fail_msg(...) mc_fail(__FILE__, __LINE__, __VA_ARGS__)
#define skip() do { mc_skipped = 1; longjmp(mc_jmp, 2); } while (0)
#define assert_true(c) do { if (!(c)) \
	mc_fail(__FILE__, __LINE__, "%s", #c); } while (0)
#define assert_false(c) do { if (c) \
	mc_fail(__FILE__, __LINE__, "!(%s)", #c); } while (0)
#define assert_non_null(p) do { if ((p) == NULL) \
	mc_fail(__FILE__, __LINE__, "%s is NULL", #p); } while (0)
#define assert_null(p) do { if ((p) != NULL) \
	mc_fail(__FILE__, __LINE__, "%s is not NULL", #p); } while (0)
#define assert_ptr_equal(a, b) do { const void *mc_a = (a), *mc_b = (b); \
	if (mc_a != mc_b) mc_fail(__FILE__, __LINE__, "%p != %p", mc_a, mc_b); } while (0)
#define assert_ptr_not_equal(a, b) do { const void *mc_a = (a), *mc_b = (b); \
	if (mc_a == mc_b) mc_fail(__FILE__, __LINE__, "%p == %p", mc_a, mc_b); } while (0)
#define assert_int_equal(a, b) do { intmax_t mc_a = (intmax_t)(a), mc_b = (intmax_t)(b); \
	if (mc_a != mc_b) mc_fail(__FILE__, __LINE__, "%jd != %jd", mc_a, mc_b); } while (0)
#define assert_int_not_equal(a, b) do { intmax_t mc_a = (intmax_t)(a), mc_b = (intmax_t)(b); \
	if (mc_a == mc_b) mc_fail(__FILE__, __LINE__, "%jd == %jd", mc_a, mc_b); } while (0)
#define assert_uint_equal(a, b) do { uintmax_t mc_a = (uintmax_t)(a), mc_b = (uintmax_t)(b); \
	if (mc_a != mc_b) mc_fail(__FILE__, __LINE__, "%#jx != %#jx", mc_a, mc_b); } while (0)
#define assert_in_range(v, lo, hi) do { intmax_t mc_v = (intmax_t)(v), \
	mc_lo = (intmax_t)(lo), mc_hi = (intmax_t)(hi); \
	if (mc_v < mc_lo || mc_v > mc_hi) mc_fail(__FILE__, __LINE__, \
	    "%jd is not within the range %jd-%jd", mc_v, mc_lo, mc_hi); } while (0)
#define assert_not_in_range(v, lo, hi) do { intmax_t mc_v = (intmax_t)(v), \
	mc_lo = (intmax_t)(lo), mc_hi = (intmax_t)(hi); \
	if (mc_v >= mc_lo && mc_v <= mc_hi) mc_fail(__FILE__, __LINE__, \
	    "%jd is within the range %jd-%jd", mc_v, mc_lo, mc_hi); } while (0)
#define assert_string_equal(a, b) do { const char *mc_a = (a), *mc_b = (b); \
	if (strcmp(mc_a, mc_b) != 0) mc_fail(__FILE__, __LINE__, \
	    "\"%s\" != \"%s\"", mc_a, mc_b); } while (0)
#define assert_string_not_equal(a, b) do { const char *mc_a = (a), *mc_b = (b); \
	if (strcmp(mc_a, mc_b) == 0) mc_fail(__FILE__, __LINE__, \
	    "\"%s\" == \"%s\"", mc_a, mc_b); } while (0)
#define assert_memory_equal(a, b, n) do { if (memcmp((a), (b), (n)) != 0) \
	mc_fail(__FILE__, __LINE__, "%s and %s differ", #a, #b); } while (0)
#define assert_return_code(rc, err) do { intmax_t mc_rc = (intmax_t)(rc); \
	if (mc_rc < 0) mc_fail(__FILE__, __LINE__, "%s < 0, errno(%d): %s", \
	    #rc, (int)(err), strerror((int)(err))); } while (0)

static inline int
mc_run(const char *group, const struct CMUnitTest *t, size_t n,
    CMFixtureFunction gsetup, CMFixtureFunction gteardown)
{
	/* volatile: live across the setjmp below (gcc -O2 -Wclobbered). */
	volatile size_t i, passed = 0, failed = 0, skipped = 0;
	void *gstate = NULL;

	printf("[==========] %s: Running %zu test(s).\n", group, n);
	if (gsetup != NULL && gsetup(&gstate) != 0) {
		printf("[  FAILED  ] %s: group setup\n", group);
		return 1;
	}
	for (i = 0; i < n; i++) {
		void *volatile state = t[i].initial_state;
		volatile int set_up = 0;
		int r;

		if (mc_filter != NULL && strstr(t[i].name, mc_filter) == NULL)
			continue;
		if (state == NULL)
			state = gstate;
		printf("[ RUN      ] %s\n", t[i].name);
		fflush(stdout);
		mc_skipped = 0;
		r = setjmp(mc_jmp);
		if (r == 0) {
			if (t[i].setup_func != NULL &&
			    t[i].setup_func((void **)&state) != 0)
				mc_fail(__FILE__, __LINE__, "setup failed");
			set_up = 1;
			t[i].test_func((void **)&state);
		}
		/* As cmocka: the teardown runs after a failed test too. */
		if (set_up && t[i].teardown_func != NULL && setjmp(mc_jmp) == 0)
			t[i].teardown_func((void **)&state);
		if (r == 2 || mc_skipped) {
			skipped++;
			printf("[  SKIPPED ] %s\n", t[i].name);
		} else if (r == 0) {
			passed++;
			printf("[       OK ] %s\n", t[i].name);
		} else {
			failed++;
			printf("[  FAILED  ] %s\n", t[i].name);
		}
	}
	if (gteardown != NULL)
		gteardown(&gstate);
	printf("[==========] %s: %zu test(s) run.\n", group, passed + failed);
	printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
	fflush(stdout);
	return (int)failed;
}

#define cmocka_run_group_tests(t, s, td) \
	mc_run(#t, t, sizeof(t) / sizeof((t)[0]), s, td)
#define cmocka_run_group_tests_name(name, t, s, td) \
	mc_run(name, t, sizeof(t) / sizeof((t)[0]), s, td)

#endif /* NI_MINI_CMOCKA_H */
