/* See clock_est.h. */
#include "clock_est.h"

int clock_est_add(struct clock_est *e, int64_t t1, int64_t t2, int64_t t3, int64_t t4)
{
	int64_t rtt = (t4 - t1) - (t3 - t2);
	if (rtt < 0) {
		e->rejected++;
		return 0;
	}
	e->echoes++;
	if (e->have && rtt >= e->rtt_ns)
		return 0;
	e->have = 1;
	e->rtt_ns = rtt;
	e->bound_ns = (rtt + 1) / 2;
	/* Halve each difference first: no overflow for times near 2^63. */
	int64_t a = t2 - t1, b = t3 - t4;
	e->offset_ns = a / 2 + b / 2 + (a % 2 + b % 2) / 2;
	return 1;
}
