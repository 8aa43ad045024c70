#include "flood_account.h"

void flood_account_compute(const struct flood_observed *o, struct flood_account *a)
{
	a->lost = o->sent - o->received;
	/* ENETDOWN comes from __dev_queue_xmit dropping at a stopped queue with
	 * no qdisc; it counts that drop in tx_dropped too. */
	a->dev_drops = o->err_enetdown;
	a->ring_drops = o->d_tx_dropped - a->dev_drops;
	a->qdisc_drops = o->d_qdisc_drops;
	a->send_errors = o->err_eagain + o->err_enobufs + o->err_enetdown + o->err_other;
	a->socket_drops = o->err_eagain + o->err_enobufs + o->err_other;
	a->stuck_in_qdisc = o->qdisc_backlog_end;
	a->stuck_in_ring = o->ring_left_end;
	a->xmit_drops_reported = o->accepted - o->d_out_datagrams;
	a->unexplained = a->lost - (a->ring_drops + a->dev_drops + a->qdisc_drops + a->socket_drops +
				   a->stuck_in_qdisc + a->stuck_in_ring);
}
