#include "flood_threads.h"

#include "flood_packet.h"

#include "tb/clock.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A send() lasting longer than this counts as blocked time. */
#define BLOCKED_THRESHOLD_NS (1 * TB_NS_PER_MSEC)
/* The paced reader may catch up at most this much after an idle spell: a
 * slow link does not bank capacity while idle. */
#define READER_CREDIT_NS (10 * TB_NS_PER_MSEC)

void *flood_sender_main(void *arg)
{
	struct flood_sender *s = arg;
	const struct flood_opts *o = s->o;
	unsigned char buf[FLOOD_MAX_PAYLOAD];
	flood_payload_init(buf, sizeof buf, s->run_id);
	s->start_ns = tb_mono_ns();
	int64_t end_by = o->duration_ns ? s->start_ns + o->duration_ns : 0;
	for (long long i = 0; !atomic_load(&s->stop); i++) {
		if (o->count && i == o->count)
			break;
		if (o->rate_pps && i % o->burst == 0) {
			/* Bursts start on a fixed grid; a late burst is not made up for
			 * by shortening later gaps beyond the grid. */
			int64_t at = s->start_ns + (int64_t)((double)i * 1e9 / (double)o->rate_pps);
			tb_sleep_until_mono_ns(at);
		}
		int64_t t0 = tb_mono_ns();
		if (end_by && t0 >= end_by)
			break;
		flood_payload_stamp(buf, (uint64_t)i, t0);
		ssize_t n;
		do {
			n = send(s->fd, buf, (size_t)o->size_bytes, 0);
		} while (n < 0 && errno == EINTR);
		int e = errno;
		int64_t dt = tb_mono_ns() - t0;
		s->in_send_ns += dt;
		if (dt >= BLOCKED_THRESHOLD_NS)
			s->blocked_ns += dt;
		if (dt > s->max_send_ns)
			s->max_send_ns = dt;
		s->sent++;
		if (n >= 0) {
			s->accepted++;
			continue;
		}
		if (e == EAGAIN || e == EWOULDBLOCK) {
			s->eagain++;
			if (o->blocking) { /* SO_SNDTIMEO expired: no progress */
				s->timed_out = 1;
				break;
			}
		} else if (e == ENOBUFS) {
			s->enobufs++;
		} else if (e == ENETDOWN) {
			s->enetdown++;
		} else {
			if (!s->other)
				s->first_other_errno = e;
			s->other++;
		}
	}
	s->end_ns = tb_mono_ns();
	atomic_store(&s->done, 1);
	return NULL;
}

void *flood_reader_main(void *arg)
{
	struct flood_reader *r = arg;
	const struct flood_opts *o = r->o;
	static unsigned char buf[65536]; /* one reader thread per process */
	int64_t interval = o->reader_rate_pps ? (int64_t)(1e9 / (double)o->reader_rate_pps) : 0;
	int64_t next = tb_mono_ns();
	while (!atomic_load(&r->stop)) {
		if (o->reader_stall_after && atomic_load(&r->packets) >= o->reader_stall_after) {
			tb_sleep_until_mono_ns(tb_mono_ns() + 5 * TB_NS_PER_MSEC);
			continue;
		}
		if (interval && !atomic_load(&r->unpaced)) {
			int64_t now = tb_mono_ns();
			if (next < now - READER_CREDIT_NS)
				next = now - READER_CREDIT_NS;
			tb_sleep_until_mono_ns(next);
			next += interval;
		}
		if (o->reader == FLOOD_READER_POLL) {
			struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
			int pr = poll(&pfd, 1, 50);
			if (pr <= 0)
				continue;
		}
		ssize_t n = read(r->fd, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			r->failed_errno = errno;
			break;
		}
		int64_t now = tb_mono_ns();
		uint64_t seq;
		int64_t send_ns;
		if (flood_packet_parse(buf, (size_t)n, (unsigned)o->port, r->run_id, &seq, &send_ns)) {
			if (seqtrack_add(&r->seq, seq))
				r->track_failed = 1;
			int64_t lat = now - send_ns;
			r->lat_sum_ns += lat;
			r->lat_n++;
			if (lat > r->lat_max_ns)
				r->lat_max_ns = lat;
		} else {
			r->foreign++;
		}
		atomic_store(&r->last_rx_ns, now);
		atomic_fetch_add(&r->packets, 1);
	}
	return NULL;
}
