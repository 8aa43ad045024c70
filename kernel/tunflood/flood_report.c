#include "flood_report.h"

#include "json_out.h"

#include <string.h>
#include <sys/utsname.h>

static void counter_pair(struct json_out *j, const char *key, long long before, long long after)
{
	json_obj_begin(j, key);
	json_int(j, "before", before);
	json_int(j, "after", after);
	json_obj_end(j);
}

/* Raw kernel counters, keyed PLACE.NAME (the results store's counters table). */
static void write_counters(struct json_out *j, const struct flood_counters *b, const struct flood_counters *a)
{
	json_obj_begin(j, "counters");
	counter_pair(j, "ring.tx_dropped", b->tx_dropped, a->tx_dropped);
	counter_pair(j, "ring.tx_packets", b->tx_packets, a->tx_packets);
	counter_pair(j, "qdisc.drops", b->q.drops, a->q.drops);
	counter_pair(j, "qdisc.backlog_packets", b->q.backlog_packets, a->q.backlog_packets);
	counter_pair(j, "qdisc.requeues", b->q.requeues, a->q.requeues);
	counter_pair(j, "qdisc.overlimits", b->q.overlimits, a->q.overlimits);
	counter_pair(j, "socket.UdpSndbufErrors", b->sndbuf_errors, a->sndbuf_errors);
	counter_pair(j, "socket.UdpOutDatagrams", b->out_datagrams, a->out_datagrams);
	counter_pair(j, "socket.UdpInErrors", b->in_errors, a->in_errors);
	counter_pair(j, "socket.IpOutDiscards", b->ip_out_discards, a->ip_out_discards);
	json_obj_end(j);
}

void flood_report_json(FILE *f, const struct flood_report *r)
{
	const struct flood_opts *o = r->o;
	const struct flood_sender *sd = r->sd;
	const struct flood_reader *rd = r->rd;
	const struct flood_observed *ob = r->ob;
	const struct flood_account *ac = r->ac;
	struct utsname un;
	uname(&un);
	struct json_out j;
	json_begin(&j, f);
	json_obj_begin(&j, "start");
	json_str(&j, "tool", "tb-tunflood");
	json_str(&j, "kernel_release", un.release);
	json_int(&j, "timestamp_ns", r->wall_start_ns);
	json_str(&j, "dev", r->dev);
	json_obj_begin(&j, "knobs");
	json_int(&j, "ring_packets", o->ring);
	json_str(&j, "qdisc_spec", o->qdisc);
	json_int(&j, "rate_pps", o->rate_pps);
	json_int(&j, "burst_packets", o->burst);
	json_int(&j, "count_packets", o->count);
	json_int(&j, "duration_ns", o->duration_ns);
	json_int(&j, "size_bytes", o->size_bytes);
	json_bool(&j, "blocking", o->blocking);
	json_int(&j, "sndbuf_requested_bytes", o->sndbuf_bytes);
	json_int(&j, "reader_rate_pps", o->reader_rate_pps);
	json_str(&j, "reader", flood_reader_name(o->reader));
	json_int(&j, "reader_stall_after_packets", o->reader_stall_after);
	json_int(&j, "port", o->port);
	json_int(&j, "send_timeout_ns", o->send_timeout_ns);
	json_int(&j, "drain_idle_ns", o->drain_idle_ns);
	json_int(&j, "drain_timeout_ns", o->drain_timeout_ns);
	json_bool(&j, "new_netns", o->new_netns);
	json_bool(&j, "iff_backpressure", o->iff_backpressure);
	json_obj_end(&j);
	json_obj_begin(&j, "device");
	json_int(&j, "txqueuelen_packets", r->before->txqueuelen);
	json_str(&j, "qdisc_kind", r->before->q.kind);
	/* pfifo_fast's per-band limit is txqueuelen */
	long long qlimit = strcmp(r->before->q.kind, "pfifo_fast") ? r->before->q.limit
								   : r->before->txqueuelen;
	if (qlimit >= 0)
		json_int(&j, "qdisc_limit_packets", qlimit);
	else
		json_null(&j, "qdisc_limit_packets");
	json_int(&j, "sndbuf_bytes", r->sndbuf_bytes);
	json_obj_end(&j);
	json_obj_end(&j);

	json_obj_begin(&j, "end");
	json_int(&j, "sent", ob->sent);
	json_int(&j, "accepted", ob->accepted);
	json_int(&j, "received", ob->received);
	json_int(&j, "lost", ac->lost);
	json_int(&j, "ring_drops", ac->ring_drops);
	json_int(&j, "dev_drops", ac->dev_drops);
	json_int(&j, "qdisc_drops", ac->qdisc_drops);
	json_int(&j, "socket_drops", ac->socket_drops);
	json_int(&j, "stuck_in_qdisc", ac->stuck_in_qdisc);
	json_int(&j, "stuck_in_ring", ac->stuck_in_ring);
	json_int(&j, "unexplained", ac->unexplained);
	json_int(&j, "send_errors", ac->send_errors);
	json_int(&j, "send_errors_eagain", ob->err_eagain);
	json_int(&j, "send_errors_enobufs", ob->err_enobufs);
	json_int(&j, "send_errors_enetdown", ob->err_enetdown);
	json_int(&j, "send_errors_other", ob->err_other);
	json_str(&j, "send_errors_other_first", sd->other ? strerror(sd->first_other_errno) : "");
	json_int(&j, "sndbuf_errors", r->after->sndbuf_errors - r->before->sndbuf_errors);
	json_int(&j, "udp_in_errors", r->after->in_errors - r->before->in_errors);
	json_int(&j, "udp_out_datagrams", ob->d_out_datagrams);
	json_int(&j, "ip_out_discards", r->after->ip_out_discards - r->before->ip_out_discards);
	json_int(&j, "xmit_drops_reported", ac->xmit_drops_reported);
	json_int(&j, "tun_tx_packets", r->after->tx_packets - r->before->tx_packets);
	json_int(&j, "qdisc_requeues", r->after->q.requeues - r->before->q.requeues);
	json_int(&j, "qdisc_overlimits", r->after->q.overlimits - r->before->q.overlimits);
	json_int(&j, "duplicates", (long long)rd->seq.duplicates);
	json_int(&j, "reordered", (long long)rd->seq.reordered);
	json_int(&j, "gaps", (long long)seqtrack_gaps(&rd->seq, (uint64_t)sd->sent));
	json_int(&j, "foreign", rd->foreign + (long long)seqtrack_beyond(&rd->seq, (uint64_t)sd->sent));
	json_int(&j, "in_send_ns", sd->in_send_ns);
	json_int(&j, "blocked_ns", sd->blocked_ns);
	json_int(&j, "max_send_ns", sd->max_send_ns);
	json_int(&j, "send_duration_ns", r->send_duration_ns);
	json_int(&j, "drain_ns", r->drain_ns);
	json_int(&j, "duration_ns", r->duration_ns);
	if (rd->lat_n)
		json_int(&j, "latency_mean_ns", rd->lat_sum_ns / rd->lat_n);
	else
		json_null(&j, "latency_mean_ns");
	json_int(&j, "latency_max_ns", rd->lat_max_ns);
	json_int(&j, "hung", r->hung);
	json_str(&j, "hung_reason", r->hung_reason);
	write_counters(&j, r->before, r->after);
	json_obj_end(&j);
	json_end(&j);
}
