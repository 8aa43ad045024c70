/* Clock offset between tb-send's host and tb-recv's from timestamp echoes,
 * as NTP computes it (RFC 5905 8): t1 sender send, t2 receiver receive,
 * t3 receiver reply, t4 sender receive (t1, t4 on the sender's clock, t2,
 * t3 on the receiver's). With true offset theta (receiver minus sender) and
 * one-way delays d1 (there) and d2 (back), both >= 0:
 *   offset = ((t2 - t1) + (t3 - t4)) / 2 = theta + (d1 - d2) / 2
 *   rtt    = (t4 - t1) - (t3 - t2)       = d1 + d2
 * so |offset - theta| <= rtt / 2 whatever the asymmetry: rtt / 2 is a hard
 * bound, and the echo with the smallest round trip gives the tightest one
 * (queueing, a send() blocked by backpressure, a late reply all only make a
 * round trip longer). The estimate is that echo's, over the whole run (a
 * minimum over everything seen; runs are minutes, over which two hosts'
 * disciplined clocks drift by far less than a LAN's round trip). */
#ifndef TB_CLOCK_EST_H
#define TB_CLOCK_EST_H

#include <stdint.h>

struct clock_est {
	int have;           /* at least one usable echo */
	int64_t offset_ns;  /* receiver clock minus sender clock */
	int64_t bound_ns;   /* |error| <= bound_ns: half the best round trip (rounded up) */
	int64_t rtt_ns;     /* that round trip */
	uint32_t echoes;    /* usable echoes seen */
	uint32_t rejected;  /* echoes with a negative round trip (a clock stepped meanwhile) */
};

/* Add one echo; returns 1 when it became the estimate (smallest round trip so far). */
int clock_est_add(struct clock_est *e, int64_t t1, int64_t t2, int64_t t3, int64_t t4);

#endif
