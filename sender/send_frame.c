/* tb-send's per-frame work, the same for a clip and a live source: packetize
 * one access unit, send its packets (back to back or spread over --pace of
 * the frame interval), time every send() (blocked_ns), and keep the frame's
 * record. Every send() call is timed: blocked_ns is the total time spent
 * inside send() for the frame, which on a blocking socket is where the
 * NODROP kernel's backpressure shows (a send() that does not block costs a
 * few microseconds). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "send.h"
#include "tb/clock.h"
#include "tb/err.h"
#include "tb/rtp_build.h"

volatile sig_atomic_t send_stop;

/* A datagram is sent again at most this often when ICMP reports about
 * earlier ones refuse it (each refusal consumes one pending report). */
#define MAX_RESENDS 8

/* Send one packet; returns 0 if sent, else the errno that refused it.
 * A refusal explained by an ICMP report on the error queue (same errno) is
 * not this datagram's fault: it is counted there and the datagram is sent
 * again. EAGAIN, ENOBUFS and ENETDOWN are this datagram's own fate. */
static int send_packet(int fd, const uint8_t *data, size_t len, struct send_result *r, struct frame_rec *rec)
{
	int resends = 0;
	for (;;) {
		int64_t t0 = tb_mono_ns();
		ssize_t n = send(fd, data, len, 0);
		rec->blocked_ns += tb_mono_ns() - t0;
		if (n >= 0)
			return 0;
		int e = errno;
		if (e == EINTR && !send_stop)
			continue;
		if (e != EINTR && e != EAGAIN && e != EWOULDBLOCK && e != ENOBUFS && e != ENETDOWN &&
		    resends < MAX_RESENDS && send_errq_drain(fd, r, rec, e) > 0) {
			resends++;
			r->resent++;
			continue;
		}
		if (e == EMSGSIZE)
			tb_die("send: packet of %zu bytes too large for the path (lower --max-packet)", len);
		return e;
	}
}

/* After the last datagram: the ICMP reports still on their way (a receiver
 * answers within microseconds on a LAN, a few RTTs on a WAN). Only when the
 * run saw any, so that a normal run does not wait. */
static void drain_last_reports(int fd, struct send_result *r)
{
	send_errq_drain(fd, r, NULL, 0);
	if (!r->icmp_errors)
		return;
	for (int i = 0; i < 10; i++) {
		tb_sleep_until_mono_ns(tb_mono_ns() + 20 * TB_NS_PER_MSEC);
		send_errq_drain(fd, r, NULL, 0);
	}
}

static void grow_recs(struct send_result *r, size_t *cap)
{
	if (r->count < *cap)
		return;
	*cap = *cap ? *cap * 2 : 1024;
	struct frame_rec *n = realloc(r->recs, *cap * sizeof *n);
	if (!n)
		tb_die("out of memory for %zu frame records", *cap);
	r->recs = n;
}

/* Packet buffers for an access unit of len bytes (grown, never shrunk). */
static void grow_bufs(struct sender *s, size_t len)
{
	size_t pk = tb_packetize_max_pkts(len, s->max_packet), by = tb_packetize_max_bytes(len, s->max_packet);
	if (pk > s->max_pkts) {
		free(s->pkts);
		s->max_pkts = pk;
		s->pkts = malloc(pk * sizeof *s->pkts);
	}
	if (by > s->max_bytes) {
		free(s->buf);
		s->max_bytes = by;
		s->buf = malloc(by);
	}
	if (!s->pkts || !s->buf)
		tb_die("out of memory for packet buffers");
}

void sender_init(struct sender *s, int fd, const struct send_opts *o, size_t max_packet, struct send_result *r)
{
	memset(r, 0, sizeof *r);
	*s = (struct sender){.fd = fd, .o = o, .r = r, .max_packet = max_packet};
	tb_packetizer_init(&s->pz, o->ssrc, o->first_seq, max_packet);
}

void sender_frame(struct sender *s, const uint8_t *au, size_t len, const struct frame_rec *info, int64_t due,
		  int64_t interval_ns)
{
	const struct send_opts *o = s->o;
	struct send_result *r = s->r;
	grow_bufs(s, len);
	struct tb_frame_ext ext = {.frame_no = info->frame_no, .capture_ns = info->capture_ns};
	uint16_t first_seq = s->pz.next_seq;
	int n = tb_packetize_frame(&s->pz, au, len, info->rtp_ts, o->no_ext ? NULL : &ext, s->pkts, s->max_pkts,
				   s->buf, s->max_bytes);
	if (n < 0)
		tb_die_errno("frame %u cannot be packetized", info->frame_no);

	grow_recs(r, &s->rec_cap);
	struct frame_rec *rec = &r->recs[r->count++];
	*rec = *info;
	rec->size_bytes = (uint32_t)len;
	rec->packets = (uint32_t)n;
	rec->first_seq = first_seq;
	rec->wire_bytes = rec->send_errors = rec->icmp_errors = 0;
	rec->blocked_ns = 0;
	int64_t start_mono = tb_mono_ns();
	rec->late_ns = o->flood ? 0 : start_mono - due; /* flood: no schedule to be late for */
	rec->send_start_ns = tb_real_ns();
	uint32_t sent_ok = 0;
	for (int i = 0; i < n && !send_stop; i++) {
		if (o->pace > 0 && i > 0)
			tb_sleep_until_mono_ns(due + (int64_t)(o->pace * (double)interval_ns * i / n));
		tb_rtp_stamp_send_ns(s->pkts[i].data, tb_real_ns());
		int e = send_packet(s->fd, s->pkts[i].data, s->pkts[i].len, r, rec);
		if (e == 0) {
			sent_ok++;
			rec->wire_bytes += (uint32_t)s->pkts[i].len;
			continue;
		}
		rec->send_errors++;
		if (e == EAGAIN || e == EWOULDBLOCK)
			r->eagain++;
		else if (e == ENOBUFS)
			r->enobufs++;
		else if (e == ENETDOWN)
			r->enetdown++; /* a stopped queue with no qdisc: the core dropped it */
		else if (e != EINTR && r->other_errors++ == 0)
			tb_warn("send: %s (counted in send_errors; reported once)", strerror(e));
	}
	rec->send_end_ns = tb_real_ns();
	send_errq_drain(s->fd, r, rec, 0); /* reports that refused no send() */
	send_clock_poll(s, 0);
	r->end_mono_ns = tb_mono_ns();
	r->packets += sent_ok; /* fewer than n if refused, or stopped by a signal mid-frame */
	r->wire_bytes += rec->wire_bytes;
	r->send_errors += rec->send_errors;
}

void sender_finish(struct sender *s)
{
	drain_last_reports(s->fd, s->r);
	send_clock_poll(s, 1);
	s->r->stopped_by_signal = send_stop != 0;
	free(s->pkts);
	free(s->buf);
	s->pkts = NULL;
	s->buf = NULL;
}
