/* The drop account and the self-test expectations, on the situations the
 * kernels produce (numbers shaped like real floods). */
#include "flood_account.h"
#include "flood_expect.h"
#include "tb/check.h"

#include <string.h>

static void test_account_stock_noqueue(void)
{
	/* Tail drop without qdisc: send() succeeds, the drop is echoed to UDP. */
	struct flood_observed o = {.sent = 2000, .accepted = 2000, .received = 216,
				   .d_tx_dropped = 1784, .d_out_datagrams = 216};
	struct flood_account a;
	flood_account_compute(&o, &a);
	CHECK_EQ_I64(a.lost, 1784);
	CHECK_EQ_I64(a.ring_drops, 1784);
	CHECK_EQ_I64(a.dev_drops, 0);
	CHECK_EQ_I64(a.socket_drops, 0);
	CHECK_EQ_I64(a.xmit_drops_reported, 1784);
	CHECK_EQ_I64(a.unexplained, 0);
}

static void test_account_stopped_noqueue_and_socket(void)
{
	/* A stopped queue without qdisc: ENETDOWN, counted in tx_dropped; plus
	 * 5 EAGAIN (send buffer full, nonblocking) that never left the socket,
	 * 3 packets still in a qdisc, 10 qdisc drops and 2 nobody explains. */
	struct flood_observed o = {.sent = 1000, .accepted = 900, .err_enetdown = 95,
				   .err_eagain = 5, .received = 780, .d_tx_dropped = 100,
				   .d_qdisc_drops = 10, .d_out_datagrams = 890,
				   .qdisc_backlog_end = 3};
	struct flood_account a;
	flood_account_compute(&o, &a);
	CHECK_EQ_I64(a.lost, 220);
	CHECK_EQ_I64(a.dev_drops, 95);
	CHECK_EQ_I64(a.ring_drops, 5);
	CHECK_EQ_I64(a.qdisc_drops, 10);
	CHECK_EQ_I64(a.socket_drops, 5);
	CHECK_EQ_I64(a.send_errors, 100);
	CHECK_EQ_I64(a.stuck_in_qdisc, 3);
	CHECK_EQ_I64(a.stuck_in_ring, 0);
	CHECK_EQ_I64(a.xmit_drops_reported, 10);
	CHECK_EQ_I64(a.unexplained, 220 - (5 + 95 + 10 + 5 + 3));
}

static void test_account_left_in_ring(void)
{
	/* nodrop-v2's lost wakeup (ring 1, pfifo_fast): the drain gave up with
	 * one packet in the qdisc, which later moved into the ring where no
	 * reader took it; read back, it is stuck in the ring, not unexplained. */
	struct flood_observed o = {.sent = 2000, .accepted = 2000, .received = 1999,
				   .d_out_datagrams = 2000, .qdisc_backlog_end = 0,
				   .ring_left_end = 1};
	struct flood_account a;
	flood_account_compute(&o, &a);
	CHECK_EQ_I64(a.lost, 1);
	CHECK_EQ_I64(a.stuck_in_qdisc, 0);
	CHECK_EQ_I64(a.stuck_in_ring, 1);
	CHECK_EQ_I64(a.unexplained, 0);
	/* without the read-back the same flood leaves one packet nobody explains */
	o.ring_left_end = 0;
	flood_account_compute(&o, &a);
	CHECK_EQ_I64(a.unexplained, 1);
	/* a stalled reader on a full ring of 25 (stock): the ring's 25 stay, the rest drop */
	struct flood_observed s = {.sent = 2000, .accepted = 2000, .received = 100,
				   .d_tx_dropped = 1875, .d_out_datagrams = 2000,
				   .ring_left_end = 25};
	flood_account_compute(&s, &a);
	CHECK_EQ_I64(a.lost, 1900);
	CHECK_EQ_I64(a.ring_drops, 1875);
	CHECK_EQ_I64(a.stuck_in_ring, 25);
	CHECK_EQ_I64(a.unexplained, 0);
}

static struct flood_row row(const char *variant, long long ring, const char *qdisc, long long limit)
{
	struct flood_row r;
	memset(&r, 0, sizeof r);
	snprintf(r.variant, sizeof r.variant, "%s", variant);
	snprintf(r.qdisc, sizeof r.qdisc, "%s", qdisc);
	r.ring = ring;
	r.qdisc_limit = limit;
	r.blocking = 1;
	r.rate_pps = 10000;
	r.burst = 100;
	r.reader_rate_pps = 1000;
	r.sent = 2000;
	r.received = 2000;
	return r;
}

static void test_expectations(void)
{
	char msg[1024];
	struct flood_row r = row("stock", 25, "pfifo", 25000);
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 1); /* no ring drop on stock */
	CHECK(strstr(msg, "stock loses packets in the ring") != NULL);
	r.received = 216, r.lost = 1784, r.ring_drops = 1784;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);
	r.reader_rate_pps = 0; /* reader not slower: no expectation on stock */
	r.ring_drops = 0, r.unexplained = 1784;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 1);
	CHECK(strstr(msg, "accounting") != NULL && strstr(msg, "unexplained 1784") != NULL);
	r.stuck_in_ring = 3;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 1);
	CHECK(strstr(msg, "stuck in ring 3, unexplained 1784") != NULL);
	r.stuck_in_ring = 0;

	r = row("nodrop-v2", 1, "pfifo", 25000);
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);
	r.received = 1990, r.lost = 10, r.qdisc_drops = 10;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 1);
	CHECK(strstr(msg, "loses no packet but the rare ring drops (lost 10, ring drops 0)") != NULL);
	r.qdisc_drops = 0, r.ring_drops = 10; /* the rare ring drop, and nothing else */
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);
	r.qdisc_drops = 10, r.ring_drops = 0;
	r.blocking = 0; /* a nonblocking sender may lose in the socket */
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);

	r = row("nodrop-v2", 1, "pfifo_fast", 1); /* pfifo_fast limit = txqueuelen = 1 */
	r.received = 1500, r.lost = 500, r.qdisc_drops = 500;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);
	/* a patched ring with a qdisc may drop rarely: up to 10 % of the packets */
	r.qdisc_drops = 494, r.ring_drops = 6;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);
	r.qdisc_drops = 300, r.ring_drops = 200; /* 200 of 2000 = 10 %: still within */
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);
	r.qdisc_drops = 299, r.ring_drops = 201; /* 201 of 2000 > 10 % */
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 1);
	CHECK(strstr(msg, "drops in the ring only rarely") != NULL && strstr(msg, "201 of 2000") != NULL);
	r.qdisc_drops = 500, r.ring_drops = 0;
	r.hung = 1; /* nodrop-v2's lost wakeup under a lockless qdisc: shown, not failed */
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);
	r = row("nodrop-qdisc", 1, "pfifo_fast", 1);
	r.received = 1500, r.lost = 500, r.qdisc_drops = 500, r.hung = 1;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 1);
	CHECK(strstr(msg, "nodrop-qdisc never hangs") != NULL);
	r = row("nodrop-v2", 1, "pfifo", 25000);
	r.hung = 1; /* a locked qdisc: a hang is a failure */
	CHECK(flood_expect_check(&r, msg, sizeof msg) >= 1);
	CHECK(strstr(msg, "nodrop-v2 never hangs") != NULL);
	/* a locked qdisc too: rare drops within the bound (seen: 61 of 2000) */
	r = row("backpressure", 1, "fq_codel", 10240);
	r.iff_backpressure = 1;
	r.received = 1863, r.lost = 137, r.qdisc_drops = 76, r.ring_drops = 61;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);
	r.received = 1600, r.lost = 400, r.qdisc_drops = 76, r.ring_drops = 324;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 1);
	CHECK(strstr(msg, "backpressure with IFF_BACKPRESSURE with a qdisc drops in the ring only rarely") != NULL);

	r = row("nodrop-v2", 25, "noqueue", -1); /* v2 stops even without qdisc */
	r.received = 1800, r.lost = 200, r.dev_drops = 200;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);

	r = row("nodrop-qdisc", 25, "noqueue", -1);
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 1);
	CHECK(strstr(msg, "keeps the tail drop") != NULL);
	r.received = 216, r.lost = 1784, r.ring_drops = 1784;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);

	/* backpressure: stock unless the TUN opted in with IFF_BACKPRESSURE. */
	r = row("backpressure", 25, "pfifo", 25000);
	r.received = 216, r.lost = 1784, r.ring_drops = 1784;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);
	r.iff_backpressure = 1; /* 1784 ring drops: far beyond the rare drop */
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 1);
	CHECK(strstr(msg, "backpressure with IFF_BACKPRESSURE with a qdisc drops in the ring only rarely") != NULL);
	r.received = 1990, r.lost = 10, r.ring_drops = 0, r.qdisc_drops = 10;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 1);
	CHECK(strstr(msg, "backpressure with IFF_BACKPRESSURE with pfifo limit >= 25000") != NULL);
	r = row("backpressure", 25, "noqueue", -1);
	r.iff_backpressure = 1;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 1);
	CHECK(strstr(msg, "with noqueue keeps the tail drop") != NULL);
	r.iff_backpressure = 0;
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 1);
	CHECK(strstr(msg, "backpressure without IFF_BACKPRESSURE loses packets in the ring") != NULL);

	r = row("nodrop-qdisc", 500, "fq_codel", 10240);
	r.received = 1700, r.lost = 300, r.qdisc_drops = 300; /* CoDel drops are allowed */
	CHECK_EQ_I64(flood_expect_check(&r, msg, sizeof msg), 0);
}

int main(void)
{
	test_account_stock_noqueue();
	test_account_stopped_noqueue_and_socket();
	test_account_left_in_ring();
	test_expectations();
	return TB_CHECK_SUMMARY();
}
