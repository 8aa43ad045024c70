#include "paired_bootstrap.h"

#include <math.h>
#include <stdlib.h>

/* xorshift64*: small, fast, and the same on every machine. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

static double change(double sum_a, double sum_b)
{
	return 100.0 * (sum_b / sum_a - 1.0);
}

int paired_bootstrap(const double *a, const double *b, size_t n, size_t resamples, double level,
		     uint64_t seed, struct paired_ci *out)
{
	double sa = 0, sb = 0;
	for (size_t i = 0; i < n; i++)
		sa += a[i], sb += b[i];
	if (n == 0 || !(sa > 0) || resamples == 0)
		return -1;
	double *stat = malloc(resamples * sizeof *stat);
	if (!stat)
		return -1;
	uint64_t s = seed ? seed : 0x9E3779B97F4A7C15ULL;
	size_t kept = 0;
	for (size_t r = 0; r < resamples; r++) {
		double ra = 0, rb = 0;
		for (size_t i = 0; i < n; i++) {
			size_t k = (size_t)(next(&s) % n);
			ra += a[k], rb += b[k];
		}
		if (ra > 0)
			stat[kept++] = change(ra, rb);
	}
	qsort(stat, kept, sizeof *stat, cmp_double);
	double tail = (1.0 - level) / 2.0;
	/* nearest-rank percentiles: the smallest value with at least that share at or below it */
	size_t lo = (size_t)ceil(tail * (double)kept), hi = (size_t)ceil((1.0 - tail) * (double)kept);
	out->change_pct = change(sa, sb);
	out->lo_pct = stat[lo ? lo - 1 : 0];
	out->hi_pct = stat[hi ? hi - 1 : 0];
	out->pairs = n;
	out->resamples = kept;
	free(stat);
	return 0;
}
