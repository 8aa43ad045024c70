/* tb-send: replay a clip as RTP/H.264 over UDP (see send.h, --help). */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "send.h"
#include "tb/clock.h"
#include "tb/err.h"
#include "tb/rtp_build.h"

static void on_signal(int sig)
{
	(void)sig;
	send_stop = 1;
}

int main(int argc, char **argv)
{
	tb_set_progname("tb-send");
	struct send_opts o;
	send_parse_opts(argc, argv, &o);

	char err[512];
	struct send_dest dest;
	if (send_parse_dest(o.dest, &dest, err, sizeof err))
		tb_usage_die("%s", err);
	size_t max_packet = TB_RTP_DEFAULT_MAX_PACKET;
	if (o.max_packet)
		max_packet = (size_t)o.max_packet;
	if (o.mtu) {
		/* IP header (20 for IPv4 without options, 40 for IPv6) + UDP 8. */
		max_packet = (size_t)o.mtu - (dest.family == AF_INET6 ? 40 : 20) - 8;
		if (max_packet < TB_RTP_MIN_PACKET)
			tb_usage_die("--mtu %lld leaves %zu bytes per RTP packet; need %d", o.mtu, max_packet,
				     TB_RTP_MIN_PACKET);
	}

	struct tb_clip clip = {0};
	if (o.clip && tb_clip_load(o.clip, &clip, err, sizeof err))
		tb_die("%s", err);
	const char *source = o.clip ? clip.name : "gst";

	tb_store *db = o.db ? send_open_db(&o) : NULL;
	int sndbuf_eff = 0;
	int fd = send_open_socket(&dest, &o, &sndbuf_eff);

	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: a blocked send() returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* --start-at was checked when parsed; loading the clip or waiting for
	 * the database must not have made it stale since. */
	if (o.start_at_ns && send_start_at_problem(o.start_at_ns, tb_real_ns(), err, sizeof err))
		tb_die("%s (by the time the clip and the database were ready)", err);

	struct send_result r;
	if (o.gst)
		send_gst_run(fd, &o, max_packet, &r);
	else
		send_run(fd, &clip, &o, max_packet, &r);
	close(fd);

	long long run_id = 0;
	if (db)
		run_id = send_write_db(db, &o, source, sndbuf_eff, &r);

	if (!o.quiet) {
		int64_t blocked_max = 0, blocked_sum = 0, late_max = 0;
		size_t late = 0;
		for (size_t i = 0; i < r.count; i++) {
			const struct frame_rec *f = &r.recs[i];
			blocked_sum += f->blocked_ns;
			if (f->blocked_ns > blocked_max)
				blocked_max = f->blocked_ns;
			if (f->late_ns > late_max)
				late_max = f->late_ns;
			late += f->late_ns > TB_NS_PER_MSEC;
		}
		/* Achieved rates: over the wall time from the first due time to the
		 * end of the last send(), but at least the clip time covered (N
		 * frames span N frame intervals) unless flooding. Under backpressure
		 * the wall time is the longer one. */
		int64_t span = r.end_mono_ns - r.start_mono_ns;
		if (!o.flood && r.media_ns > span)
			span = r.media_ns;
		double secs = span > 0 ? (double)span / 1e9 : 0;
		printf("tb-send: clip=%s frames=%zu packets=%llu bytes=%llu seconds=%.6f bitrate_mbps=%.3f "
		       "pps=%.0f blocked_max_ms=%.3f blocked_mean_ms=%.4f late_frames=%zu late_max_ms=%.3f "
		       "send_errors=%llu eagain=%llu enobufs=%llu enetdown=%llu icmp_errors=%llu econnrefused=%llu resent=%llu "
		       "sndbuf=%d max_packet=%zu stream=%d ssrc=%u "
		       "run_id=%lld",
		       source, r.count, (unsigned long long)r.packets, (unsigned long long)r.wire_bytes, secs,
		       secs > 0 ? (double)r.wire_bytes * 8 / secs / 1e6 : 0, secs > 0 ? (double)r.packets / secs : 0,
		       tb_ns_to_ms(blocked_max), r.count ? tb_ns_to_ms(blocked_sum) / (double)r.count : 0, late,
		       tb_ns_to_ms(late_max), (unsigned long long)r.send_errors, (unsigned long long)r.eagain,
		       (unsigned long long)r.enobufs, (unsigned long long)r.enetdown,
		       (unsigned long long)r.icmp_errors, (unsigned long long)r.icmp_refused,
		       (unsigned long long)r.resent, sndbuf_eff, max_packet, o.stream, o.ssrc,
		       run_id);
		if (r.clock.have)
			printf(" echoes=%u clock_offset_ns=%lld clock_bound_ns=%lld", r.clock.echoes,
			       (long long)r.clock.offset_ns, (long long)r.clock.bound_ns);
		else
			printf(" echoes=0");
		if (o.start_at_ns) /* 0: asleep before the start, its frames due from then on */
			printf(" start_missed_us=%lld", (long long)(r.start_missed_ns / 1000));
		printf("%s\n", r.stopped_by_signal ? " stopped=signal" : "");
	}
	free(r.recs);
	if (o.clip)
		tb_clip_free(&clip);
	return 0;
}
