/* Where did each packet of a flood go? Turns what the sender, the reader and
 * the kernel counted into one account (all counts are packets):
 *
 *   lost        = sent - received
 *   dev_drops   = sends that failed with ENETDOWN: __dev_queue_xmit found
 *                 the queue of a device without qdisc (noqueue) stopped and
 *                 dropped the packet (counted in the device's tx_dropped)
 *   ring_drops  = tun tx_dropped delta - dev_drops: the TUN's full-ring drops
 *   qdisc_drops = root qdisc "drops" delta (enqueue overflow, CoDel drops)
 *   socket_drops= sends that failed and never reached the device
 *                 (EAGAIN: send buffer full; ENOBUFS; other errors)
 *   stuck_in_qdisc = packets still queued in the qdisc when draining gave up
 *   stuck_in_ring  = packets of the flood still in the TUN's ring when the
 *                 reader had stopped (read back afterwards, not received)
 *   unexplained = lost - (ring_drops + dev_drops + qdisc_drops + socket_drops
 *                        + stuck_in_qdisc + stuck_in_ring)
 *
 * UdpSndbufErrors is NOT added: when a device or qdisc drop is reported back
 * to UDP (NET_XMIT_DROP -> -ENOBUFS) udp_send_skb counts it in SndbufErrors
 * and returns success, so the same packet is in ring/qdisc drops already.
 * Those echoes are reported as xmit_drops_reported = accepted sends minus
 * UDP OutDatagrams. Pure; unit-tested. */
#ifndef TB_FLOOD_ACCOUNT_H
#define TB_FLOOD_ACCOUNT_H

struct flood_observed {
	long long sent;              /* packets the sender tried (one seq each) */
	long long accepted;          /* send() returned success */
	long long err_eagain, err_enobufs, err_enetdown, err_other;
	long long received;          /* distinct seqs < sent seen by the reader */
	long long d_tx_dropped;      /* deltas of kernel counters */
	long long d_qdisc_drops;
	long long d_out_datagrams;
	long long qdisc_backlog_end;
	long long ring_left_end;     /* this flood's packets read from the ring after the reader stopped */
};

struct flood_account {
	long long lost;
	long long ring_drops, dev_drops, qdisc_drops, socket_drops;
	long long stuck_in_qdisc, stuck_in_ring;
	long long send_errors;
	long long xmit_drops_reported;
	long long unexplained;
};

void flood_account_compute(const struct flood_observed *o, struct flood_account *a);

#endif
