/* The self-test's repeated floods (selftest --repeats): how often a patched
 * kernel's ring still dropped, or its queue hung, over identical floods. */
#ifndef FLOOD_REPEATS_H
#define FLOOD_REPEATS_H

#include "tb/store.h"

#include <stdio.h>

/* The 95 % Wilson score interval of a proportion k/n (n > 0), in [0, 1].
 * Unlike k/n +- 1.96 sd it stays inside [0, 1] and is not empty at k = 0,
 * which is the usual count here. */
void flood_wilson95(long long k, long long n, double *lo, double *hi);

/* Prints the campaign's repeated floods (runs whose env_json says
 * series = 'repeat') grouped by variant, IFF_BACKPRESSURE, ring and qdisc.
 * Returns the number of groups printed (0: none stored), -1 on an error. */
int flood_repeats_print(tb_store *st, const char *campaign, FILE *out);

#endif
