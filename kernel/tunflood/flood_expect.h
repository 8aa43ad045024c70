/* What the kernel self-test demands of each flood, per kernel variant.
 * Pure: a row in, a verdict and the reason out; unit-tested. */
#ifndef TB_FLOOD_EXPECT_H
#define TB_FLOOD_EXPECT_H

#include <stddef.h>

struct flood_row {
	char variant[32];     /* stock | nodrop-v2 | nodrop-qdisc | ... */
	long long ring;       /* txqueuelen, packets */
	char qdisc[32];       /* kind reported by the kernel: noqueue, pfifo, ... */
	char qdisc_spec[64];  /* as requested: "pfifo limit 25000" */
	long long qdisc_limit;/* packets; -1 unknown */
	int blocking;
	int iff_backpressure; /* TUN created with IFF_BACKPRESSURE */
	long long rate_pps, burst, reader_rate_pps;
	long long sent, received, lost;
	long long ring_drops, dev_drops, qdisc_drops, socket_drops;
	long long stuck_in_qdisc, stuck_in_ring, unexplained;
	int hung;
};

/* A patched TUN with a qdisc still drops in the ring, rarely, under either
 * qdisc kind (see flood_expect.c). Measured from source under TCG, 20
 * floods of 2000 packets per point (selftest --repeats 20): at ring 1 one
 * flood in 20 dropped (nodrop-v2: 1 packet under pfifo_fast, 1 under
 * fq_codel; backpressure with IFF_BACKPRESSURE: 61 under fq_codel; the
 * module path once 81), none in 60 floods per variant at ring 25. The
 * self-test counts those drops and fails a flood only above this share of
 * the packets sent (the worst seen: 81 of 2000, 4 %). */
enum { FLOOD_RARE_RING_DROP_MAX_PCT = 10 };

/* 1 when the reader was paced slower than the sender (or the sender unpaced). */
int flood_reader_slower(const struct flood_row *r);

/* Check every expectation that applies to the row. Returns the number
 * violated (0 = pass); each is described, one line per violation naming the
 * expectation, appended to msg (NUL-terminated, truncated to len). */
int flood_expect_check(const struct flood_row *r, char *msg, size_t len);

#endif
