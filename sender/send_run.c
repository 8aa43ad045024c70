/* tb-send's loop: for each frame, wait for its due time (the clip's pts on
 * CLOCK_MONOTONIC), packetize it, and send its packets back to back (or
 * spread over --pace of the frame interval). Every send() call is timed:
 * blocked_ns is the total time spent inside send() for the frame, which on a
 * blocking socket is where the NODROP kernel's backpressure shows (a send()
 * that does not block costs a few microseconds). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "send.h"
#include "tb/clock.h"
#include "tb/err.h"
#include "tb/rtp_build.h"

volatile sig_atomic_t send_stop;

static void grow(struct send_result *r, size_t *cap)
{
	if (r->count < *cap)
		return;
	*cap = *cap ? *cap * 2 : 1024;
	struct frame_rec *n = realloc(r->recs, *cap * sizeof *n);
	if (!n)
		tb_die("out of memory for %zu frame records", *cap);
	r->recs = n;
}

/* Send one packet; returns 0 if sent, else the errno that refused it. */
static int send_packet(int fd, const uint8_t *data, size_t len, int64_t *blocked)
{
	for (;;) {
		int64_t t0 = tb_mono_ns();
		ssize_t n = send(fd, data, len, 0);
		*blocked += tb_mono_ns() - t0;
		if (n >= 0)
			return 0;
		if (errno == EINTR && !send_stop)
			continue;
		if (errno == EMSGSIZE)
			tb_die("send: packet of %zu bytes too large for the path (lower --max-packet)", len);
		return errno;
	}
}

void send_run(int fd, const struct tb_clip *clip, const struct send_opts *o, size_t max_packet,
	      struct send_result *r)
{
	memset(r, 0, sizeof *r);
	size_t biggest = 0, cap = 0;
	for (size_t i = 0; i < clip->frame_count; i++)
		if (clip->frames[i].size > biggest)
			biggest = clip->frames[i].size;
	size_t max_pkts = tb_packetize_max_pkts(biggest, max_packet);
	size_t max_bytes = tb_packetize_max_bytes(biggest, max_packet);
	struct tb_rtp_out *pkts = malloc(max_pkts * sizeof *pkts);
	uint8_t *buf = malloc(max_bytes);
	if (!pkts || !buf)
		tb_die("out of memory for packet buffers");

	struct tb_packetizer pz;
	tb_packetizer_init(&pz, o->ssrc, o->first_seq, max_packet);
	const int64_t interval = (int64_t)(1e9 * clip->fps_den / clip->fps_num / o->speed);
	/* Stop at --duration (wall time) or --frames, whichever comes first;
	 * with neither, after one pass of the clip. */
	const int64_t limit_ns = o->duration_s > 0 ? (int64_t)(o->duration_s * 1e9) : INT64_MAX;
	const uint64_t max_frames = o->frames ? (uint64_t)o->frames
				    : o->duration_s > 0 ? UINT64_MAX : clip->frame_count;
	/* The run clock: frame due times are offsets from mono0, and capture_ns
	 * maps them onto CLOCK_REALTIME through real0 (read right after). */
	const int64_t lead = o->flood ? 0 : TB_NS_PER_MSEC; /* the first frame is due 1 ms from now */
	const int64_t mono0 = tb_mono_ns() + lead, real0 = tb_real_ns() + lead;
	r->start_mono_ns = mono0;
	r->end_mono_ns = mono0;

	for (uint64_t g = 0; !send_stop; g++) {
		if (g >= max_frames)
			break;
		size_t k = (size_t)(g % clip->frame_count);
		uint64_t loop = g / clip->frame_count;
		const struct tb_clip_frame *f = &clip->frames[k];
		int64_t media_ns = (int64_t)loop * clip->duration_ns + f->pts_ns; /* unscaled clip time */
		int64_t due_off = (int64_t)((double)media_ns / o->speed);
		int64_t due, capture;
		if (o->flood) {
			due = tb_mono_ns();
			if (due - mono0 >= limit_ns)
				break;
			capture = tb_real_ns();
		} else {
			if (due_off >= limit_ns)
				break;
			due = mono0 + due_off;
			tb_sleep_until_mono_ns(due);
			capture = real0 + due_off;
		}
		if (send_stop)
			break;

		struct tb_frame_ext ext = {.frame_no = (uint32_t)g, .capture_ns = capture};
		uint32_t rtp_ts = (uint32_t)((uint64_t)media_ns * 9 / 100000); /* 90 kHz */
		uint16_t first_seq = pz.next_seq;
		int n = tb_packetize_frame(&pz, tb_clip_frame_data(clip, k), f->size, rtp_ts,
					   o->no_ext ? NULL : &ext, pkts, max_pkts, buf, max_bytes);
		if (n < 0)
			tb_die_errno("clip frame %zu cannot be packetized", k);

		grow(r, &cap);
		struct frame_rec *rec = &r->recs[r->count++];
		*rec = (struct frame_rec){.frame_no = (uint32_t)g, .clip_frame = (uint32_t)k, .type = f->type,
					  .idr = f->idr, .size_bytes = (uint32_t)f->size, .packets = (uint32_t)n,
					  .first_seq = first_seq, .rtp_ts = rtp_ts, .capture_ns = capture};
		int64_t start_mono = tb_mono_ns();
		rec->late_ns = o->flood ? 0 : start_mono - due; /* flood: no schedule to be late for */
		rec->send_start_ns = tb_real_ns();
		uint32_t sent_ok = 0;
		for (int i = 0; i < n && !send_stop; i++) {
			if (o->pace > 0 && i > 0)
				tb_sleep_until_mono_ns(due + (int64_t)(o->pace * (double)interval * i / n));
			tb_rtp_stamp_send_ns(pkts[i].data, tb_real_ns());
			int e = send_packet(fd, pkts[i].data, pkts[i].len, &rec->blocked_ns);
			if (e == 0) {
				sent_ok++;
				rec->wire_bytes += (uint32_t)pkts[i].len;
				continue;
			}
			rec->send_errors++;
			if (e == EAGAIN || e == EWOULDBLOCK)
				r->eagain++;
			else if (e == ENOBUFS)
				r->enobufs++;
			else if (e == ECONNREFUSED)
				r->econnrefused++; /* an ICMP port unreachable from an earlier packet */
			else if (e == ENETDOWN)
				r->enetdown++; /* a stopped queue with no qdisc: the core dropped it */
			else if (e != EINTR && r->other_errors++ == 0)
				tb_warn("send: %s (counted in send_errors; reported once)", strerror(e));
		}
		rec->send_end_ns = tb_real_ns();
		r->end_mono_ns = tb_mono_ns();
		r->packets += sent_ok; /* fewer than n if refused, or stopped by a signal mid-frame */
		r->wire_bytes += rec->wire_bytes;
		r->send_errors += rec->send_errors;
	}
	r->stopped_by_signal = send_stop != 0;
	r->media_ns = (int64_t)r->count * interval;
	free(pkts);
	free(buf);
}
