/*
 * benchstat.h - the clock and the order statistics both benchmarks use.
 */
#ifndef NI_BENCHSTAT_H
#define NI_BENCHSTAT_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Percentile p (0..100) of v[0..n-1] by linear interpolation between the
 * sorted samples; v is left as it was.  abort()s if no memory is left.
 */
static inline double
pct(const double *v, int n, double p)
{
	double *s = malloc(sizeof(double) * (size_t)n), x, r;
	int i;

	if (s == NULL)
		abort();
	memcpy(s, v, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	x = p / 100.0 * (n - 1);
	i = (int)x;
	r = i >= n - 1 ? s[n - 1] : s[i] + (x - i) * (s[i + 1] - s[i]);
	free(s);
	return r;
}

static inline double
median(const double *v, int n)
{
	return pct(v, n, 50.0);
}

#endif /* NI_BENCHSTAT_H */
