/* tb-send's clip loop: for each frame, wait for its due time (the clip's
 * pts on CLOCK_MONOTONIC) and send it (send_frame.c). */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "send.h"
#include "tb/clock.h"

void send_run(int fd, const struct tb_clip *clip, const struct send_opts *o, size_t max_packet,
	      struct send_result *r)
{
	struct sender snd;
	sender_init(&snd, fd, o, max_packet, r);
	const int64_t interval = (int64_t)(1e9 * clip->fps_den / clip->fps_num / o->speed);
	/* Stop at --duration (wall time) or --frames, whichever comes first;
	 * with neither, after one pass of the clip. */
	const int64_t limit_ns = o->duration_s > 0 ? (int64_t)(o->duration_s * 1e9) : INT64_MAX;
	const uint64_t max_frames = o->frames ? (uint64_t)o->frames
				    : o->duration_s > 0 ? UINT64_MAX : clip->frame_count;
	/* The run clock: frame due times are offsets from mono0, and capture_ns
	 * maps them onto CLOCK_REALTIME through real0 (read right after). */
	const int64_t lead = o->flood ? 0 : TB_NS_PER_MSEC; /* the first frame is due 1 ms from now */
	int64_t mono0 = tb_mono_ns() + lead, real0 = tb_real_ns() + lead;
	if (o->start_at_ns) {
		/* The first frame is due at --start-at itself: senders given the
		 * same time have the same capture times, frame for frame, whenever
		 * each woke. Sleep on CLOCK_REALTIME (the clock they share), then
		 * place that instant on CLOCK_MONOTONIC; a start already past
		 * sends the frames due by now at once (late_ns says by how much). */
		struct timespec at = tb_ns_to_timespec(o->start_at_ns);
		int64_t ready = tb_real_ns();
		r->start_missed_ns = ready > o->start_at_ns ? ready - o->start_at_ns : 0;
		while (!send_stop && clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL) == EINTR)
			;
		int64_t real_now = tb_real_ns();
		mono0 = tb_mono_ns() - (real_now - o->start_at_ns);
		real0 = o->start_at_ns;
	}
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
		struct frame_rec info = {.frame_no = (uint32_t)g, .clip_frame = (uint32_t)k, .type = f->type,
					 .idr = f->idr, .capture_ns = capture,
					 .rtp_ts = (uint32_t)((uint64_t)media_ns * 9 / 100000)}; /* 90 kHz */
		sender_frame(&snd, tb_clip_frame_data(clip, k), f->size, &info, due, interval);
	}
	sender_finish(&snd);
	r->media_ns = (int64_t)r->count * interval;
}
