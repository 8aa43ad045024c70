/* A paired bootstrap of the relative change between two conditions, e.g.
 * the patched kernel's TCP throughput against the stock kernel's, run in
 * pairs. The statistic is the change of the means, 100 * (mean(b) /
 * mean(a) - 1) %, over pairs resampled with replacement; the interval is
 * the percentile interval of the resampled statistic. */
#ifndef PAIRED_BOOTSTRAP_H
#define PAIRED_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

struct paired_ci {
	double change_pct; /* of the data as measured */
	double lo_pct, hi_pct;
	size_t pairs, resamples;
};

/* 0 on success; -1 when there is no pair or mean(a) is not positive in the
 * data. level: e.g. 0.95. A resample whose mean(a) is 0 is skipped (never
 * with throughputs > 0). The seed makes the interval reproducible. */
int paired_bootstrap(const double *a, const double *b, size_t n, size_t resamples, double level,
		     uint64_t seed, struct paired_ci *out);

#endif
