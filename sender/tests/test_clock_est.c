/* The clock offset estimator (sender/clock_est.c) and the clock messages'
 * layout (tb/rtp.h). Echoes are made here from a chosen true offset and
 * chosen one-way delays, so the expected estimate and bound are known. */
#include "clock_est.h"
#include "tb/check.h"
#include "tb/rtp.h"

#include <stdint.h>
#include <stdlib.h>

/* An echo of a packet sent at t1 (sender clock) with delays there/back,
 * the receiver's clock theta ahead and a reply dwell of `hold`. */
static int echo(struct clock_est *e, int64_t theta, int64_t t1, int64_t there, int64_t hold, int64_t back)
{
	int64_t t2 = t1 + there + theta, t3 = t2 + hold, t4 = t3 - theta + back;
	return clock_est_add(e, t1, t2, t3, t4);
}

static void test_symmetric_exact(void)
{
	struct clock_est e = {0};
	CHECK(echo(&e, 250000000, 1000000000000, 5000000, 300000, 5000000) == 1);
	CHECK_EQ_I64(e.offset_ns, 250000000);
	CHECK_EQ_I64(e.rtt_ns, 10000000);
	CHECK_EQ_I64(e.bound_ns, 5000000);
	CHECK_EQ_I64(e.echoes, 1);
}

/* The smallest round trip wins; asymmetry moves the estimate by half of it,
 * never beyond the bound. */
static void test_min_rtt_and_bound(void)
{
	struct clock_est e = {0};
	const int64_t theta = -40000000;
	srand(7);
	int64_t best = INT64_MAX;
	for (int i = 0; i < 1000; i++) {
		int64_t there = 1000000 + rand() % 50000000, back = 1000000 + rand() % 20000000;
		int64_t hold = rand() % 1000000;
		echo(&e, theta, 1700000000000000000LL + i * 100000000LL, there, hold, back);
		if (there + back < best)
			best = there + back;
		CHECK(llabs(e.offset_ns - theta) <= e.bound_ns);
	}
	CHECK_EQ_I64(e.rtt_ns, best);
	CHECK_EQ_I64(e.bound_ns, (best + 1) / 2);
	CHECK_EQ_I64(e.echoes, 1000);
	/* A longer round trip does not replace the estimate. */
	struct clock_est before = e;
	CHECK(echo(&e, theta, 1800000000000000000LL, best, 0, best) == 0);
	CHECK_EQ_I64(e.offset_ns, before.offset_ns);
	/* Asymmetric delays: estimate off by (there - back) / 2. */
	struct clock_est a = {0};
	echo(&a, 0, 1000, 30000000, 0, 10000000);
	CHECK_EQ_I64(a.offset_ns, 10000000);
	CHECK_EQ_I64(a.bound_ns, 20000000);
}

/* A clock stepped between t1 and t4 can make a round trip negative: such an
 * echo is not used. Times near 2^62 do not overflow. */
static void test_rejected_and_large(void)
{
	struct clock_est n = {0};
	CHECK(clock_est_add(&n, 1000, 5000, 9000, 2000) == 0); /* rtt = 1000 - 4000 < 0 */
	CHECK_EQ_I64(n.rejected, 1);
	CHECK_EQ_I64(n.have, 0);
	struct clock_est big = {0};
	int64_t t1 = INT64_C(4000000000000000000);
	CHECK(echo(&big, INT64_C(3000000000000000000), t1, 7, 2, 3) == 1);
	CHECK_EQ_I64(big.offset_ns, INT64_C(3000000000000000000) + 2);
	CHECK_EQ_I64(big.bound_ns, 5);
}

static void test_message_layout(void)
{
	uint8_t m[TB_CLOCK_MSG_LEN];
	tb_clock_msg_init(m, 0x54420001, TB_CLOCK_ECHO_NAME);
	tb_put_be64(m + TB_CLOCK_OFF_A, (uint64_t)-40000000);
	/* RTCP APP: V=2, PT 204, length 8 words, SSRC, name. */
	CHECK_EQ_I64(m[0], 0x80);
	CHECK_EQ_I64(m[1], 204);
	CHECK_EQ_I64(m[2] << 8 | m[3], TB_CLOCK_MSG_LEN / 4 - 1);
	CHECK_EQ_I64(m[4], 0x54);
	CHECK_EQ_I64(m[7], 0x01);
	CHECK(m[8] == 'T' && m[9] == 'B' && m[10] == 'C' && m[11] == 'E');
	CHECK_EQ_I64((int64_t)tb_get_be64(m + TB_CLOCK_OFF_A), -40000000);
	CHECK_EQ_I64(m[TB_CLOCK_OFF_A + 7], 0x00);
	CHECK_EQ_I64(m[TB_CLOCK_OFF_A], 0xff);
	CHECK(tb_clock_msg_is(m, sizeof m, TB_CLOCK_ECHO_NAME));
	CHECK(!tb_clock_msg_is(m, sizeof m, TB_CLOCK_OFFSET_NAME));
	CHECK(!tb_clock_msg_is(m, sizeof m - 4, TB_CLOCK_ECHO_NAME));
	m[0] = 0x90; /* version 2 with padding: not ours */
	CHECK(!tb_clock_msg_is(m, sizeof m, TB_CLOCK_ECHO_NAME));
}

int main(void)
{
	test_symmetric_exact();
	test_min_rtt_and_bound();
	test_rejected_and_large();
	test_message_layout();
	return TB_CHECK_SUMMARY();
}
