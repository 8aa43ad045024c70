/* tb-send's live source (--gst): a GStreamer pipeline that ends in an H.264
 * encoder, parsed into access units and pulled from an appsink; each access
 * unit is sent like a clip frame (send_frame.c) as soon as it comes out, and
 * kept in --record FILE (Annex-B, with the FILE's .idx index beside it, so
 * that --clip FILE replays it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "send.h"
#include "tb/clock.h"
#include "tb/err.h"

#if defined(__SANITIZE_ADDRESS__)
/* Under LeakSanitizer (the ASan build): GLib allocates in its library
 * constructor, before main, and never frees it; not ours to fix. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libglib-2.0.so\n"; }
#endif

/* What tb-send appends to the user's pipeline: h264parse makes one buffer
 * per access unit in Annex-B (the format the packetizer and clip files use)
 * and puts SPS/PPS before every IDR, so a receiver that starts late, and a
 * recording cut anywhere at an IDR, can decode. sync=false: buffers come out
 * as soon as they are encoded (a live source already paces them);
 * max-buffers=0: while send() blocks, encoded frames wait, none is dropped. */
#define TB_GST_TAIL                                                                         \
	" ! h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au" \
	" ! appsink name=tb_send_sink sync=false max-buffers=0 drop=false"

struct recording {
	FILE *f;
	const char *path;
	struct tb_clip_frame *frames;
	size_t count, cap, bytes;
};

static void record_frame(struct recording *rec, const uint8_t *au, size_t len, char type, int idr)
{
	if (!rec->f)
		return;
	if (fwrite(au, 1, len, rec->f) != len)
		tb_die_errno("--record %s: write", rec->path);
	if (rec->count == rec->cap) {
		rec->cap = rec->cap ? rec->cap * 2 : 1024;
		rec->frames = realloc(rec->frames, rec->cap * sizeof *rec->frames);
		if (!rec->frames)
			tb_die("out of memory for the recording's index");
	}
	rec->frames[rec->count] = (struct tb_clip_frame){.number = (uint32_t)rec->count, .type = type,
							 .idr = (uint8_t)idr, .offset = rec->bytes, .size = len};
	rec->count++;
	rec->bytes += len;
}

/* Close the recording and write its index (FILE with .h264 replaced by .idx;
 * pts_ns = frame x interval, as tb/clip.h defines for every clip). */
static void record_finish(struct recording *rec, int width, int height, int fps_num, int fps_den)
{
	if (!rec->f)
		return;
	if (fclose(rec->f))
		tb_die_errno("--record %s: close", rec->path);
	if (!rec->count)
		tb_die("--record %s: the pipeline produced no frame", rec->path);
	for (size_t i = 0; i < rec->count; i++)
		rec->frames[i].pts_ns = (int64_t)i * TB_NS_PER_SEC * fps_den / fps_num;
	size_t n = strlen(rec->path);
	char idx[4096], name[256];
	snprintf(idx, sizeof idx, "%.*s.idx", (int)(n - 5), rec->path);
	const char *base = strrchr(rec->path, '/');
	base = base ? base + 1 : rec->path;
	snprintf(name, sizeof name, "%.*s", (int)(strlen(base) - 5), base);
	FILE *f = fopen(idx, "w");
	if (!f)
		tb_die_errno("--record: cannot create %s", idx);
	if (tb_clip_write_index(f, name, width, height, fps_num, fps_den, rec->frames, rec->count, rec->bytes) ||
	    fclose(f))
		tb_die("--record: error writing %s", idx);
	free(rec->frames);
}

/* The first error message on the bus, if any (the pipeline failed). */
static void die_on_bus_error(GstElement *pipe)
{
	GstBus *bus = gst_element_get_bus(pipe);
	GstMessage *m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
	gst_object_unref(bus);
	if (!m)
		return;
	GError *e = NULL;
	gchar *dbg = NULL;
	gst_message_parse_error(m, &e, &dbg);
	tb_die("--gst: %s: %s%s%s", GST_OBJECT_NAME(GST_MESSAGE_SRC(m)), e ? e->message : "error",
	       dbg ? " -- " : "", dbg ? dbg : "");
}

/* A buffer's capture time on CLOCK_REALTIME.
 *
 * A live source stamps each buffer with the pipeline's running time at
 * capture, which the encoder keeps as the frame's PTS: running time =
 * the PTS mapped through the buffer's segment. Running time counts from the
 * pipeline's base time on its clock, so the capture instant on that clock is
 * base_time + running_time. The pipeline clock is usually GStreamer's system
 * clock (CLOCK_MONOTONIC), but a source may provide its own (an audio
 * device, a network clock), so it is not assumed: the clock and
 * CLOCK_REALTIME are read back to back (the midpoint of two realtime reads
 * around the clock read) and the difference carries the capture instant
 * over. Done per frame, so a step of CLOCK_REALTIME (NTP, chrony) moves the
 * capture times as it moves the receiver's arrival times. -1 when the buffer
 * has no PTS. */
static int64_t capture_realtime(GstElement *pipe, GstClock *clock, const GstSegment *seg, GstClockTime pts)
{
	if (!clock || !GST_CLOCK_TIME_IS_VALID(pts))
		return -1;
	guint64 running = gst_segment_to_running_time(seg, GST_FORMAT_TIME, pts);
	if (!GST_CLOCK_TIME_IS_VALID(running))
		return -1;
	int64_t capture_clock = (int64_t)(gst_element_get_base_time(pipe) + running);
	int64_t r0 = tb_real_ns();
	int64_t now_clock = (int64_t)gst_clock_get_time(clock);
	int64_t r1 = tb_real_ns();
	return capture_clock - now_clock + r0 + (r1 - r0) / 2;
}

/* Slice type and IDR of one access unit (tb_clip_scan's reading of it). */
static void au_type(const uint8_t *au, size_t len, uint32_t frame_no, char *type, uint8_t *idr)
{
	struct tb_clip_frame *fr = NULL;
	size_t n = 0;
	char err[256];
	if (tb_clip_scan(au, len, 30, 1, &fr, &n, err, sizeof err))
		tb_die("--gst: frame %u is not an H.264 access unit: %s", frame_no, err);
	if (n != 1)
		tb_die("--gst: buffer of frame %u holds %zu access units (expected one)", frame_no, n);
	*type = fr[0].type;
	*idr = fr[0].idr;
	free(fr);
}

void send_gst_run(int fd, const struct send_opts *o, size_t max_packet, struct send_result *r)
{
	gst_init(NULL, NULL);
	gchar *desc = g_strconcat(o->gst, TB_GST_TAIL, NULL);
	GError *gerr = NULL;
	GstElement *pipe = gst_parse_launch(desc, &gerr);
	g_free(desc);
	if (gerr || !pipe) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", gerr ? gerr->message : "cannot build the pipeline");
		g_clear_error(&gerr);
		if (pipe)
			gst_object_unref(pipe);
		gst_deinit(); /* GStreamer's own allocations, so that a leak checker sees none */
		tb_usage_die("--gst: %s", msg);
	}
	GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "tb_send_sink");
	if (!sink)
		tb_usage_die("--gst: the pipeline must not end in a sink (tb-send appends its own)");

	struct recording rec = {.path = o->record};
	if (o->record && !(rec.f = fopen(o->record, "wb")))
		tb_die_errno("--record: cannot create %s", o->record);

	if (gst_element_set_state(pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		die_on_bus_error(pipe);
		tb_die("--gst: the pipeline does not start");
	}

	struct sender snd;
	sender_init(&snd, fd, o, max_packet, r);
	int width = 0, height = 0, fps_num = 0, fps_den = 1, warned_pts = 0;
	int64_t interval = 0, first_running = -1;
	const uint64_t max_frames = o->frames ? (uint64_t)o->frames : UINT64_MAX;
	const int64_t limit_ns = o->duration_s > 0 ? (int64_t)(o->duration_s * 1e9) : INT64_MAX;
	GstClock *clock = NULL;

	for (uint64_t g = 0; g < max_frames && !send_stop;) {
		GstSample *smp = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 100 * GST_MSECOND);
		if (!smp) {
			die_on_bus_error(pipe);
			if (gst_app_sink_is_eos(GST_APP_SINK(sink)))
				break;
			continue;
		}
		int64_t due = tb_mono_ns(); /* a live frame is due when it comes out */
		if (g == 0) {
			r->start_mono_ns = due;
			clock = gst_element_get_clock(pipe);
			const GstStructure *st = gst_caps_get_structure(gst_sample_get_caps(smp), 0);
			gst_structure_get_int(st, "width", &width);
			gst_structure_get_int(st, "height", &height);
			if (!gst_structure_get_fraction(st, "framerate", &fps_num, &fps_den) || fps_num <= 0) {
				if (o->pace > 0 || o->record)
					tb_die("--gst: the encoder's caps have no framerate (needed by %s)",
					       o->pace > 0 ? "--pace" : "--record");
				fps_num = 0;
				fps_den = 1;
			} else {
				interval = TB_NS_PER_SEC * fps_den / fps_num;
			}
		} else if (due - r->start_mono_ns >= limit_ns) {
			gst_sample_unref(smp);
			break;
		}
		GstBuffer *buf = gst_sample_get_buffer(smp);
		GstMapInfo map;
		if (!buf || !gst_buffer_map(buf, &map, GST_MAP_READ))
			tb_die("--gst: cannot read frame %llu", (unsigned long long)g);
		struct frame_rec info = {.frame_no = (uint32_t)g, .clip_frame = (uint32_t)g};
		au_type(map.data, map.size, info.frame_no, &info.type, &info.idr);
		GstClockTime pts = GST_BUFFER_PTS(buf);
		info.capture_ns = capture_realtime(pipe, clock, gst_sample_get_segment(smp), pts);
		if (info.capture_ns < 0) {
			if (!warned_pts++)
				tb_warn("--gst: buffers without a timestamp: capture time = when tb-send got them");
			info.capture_ns = tb_real_ns();
		}
		/* RTP timestamp: running time at 90 kHz from the first frame. */
		int64_t running = GST_CLOCK_TIME_IS_VALID(pts)
			? (int64_t)gst_segment_to_running_time(gst_sample_get_segment(smp), GST_FORMAT_TIME, pts)
			: (int64_t)((due - r->start_mono_ns));
		if (first_running < 0)
			first_running = running;
		info.rtp_ts = (uint32_t)((uint64_t)(running - first_running) * 9 / 100000);
		record_frame(&rec, map.data, map.size, info.type, info.idr);
		sender_frame(&snd, map.data, map.size, &info, due, interval);
		gst_buffer_unmap(buf, &map);
		gst_sample_unref(smp);
		g++;
	}
	sender_finish(&snd);
	r->media_ns = (int64_t)r->count * interval;
	gst_element_set_state(pipe, GST_STATE_NULL);
	if (clock)
		gst_object_unref(clock);
	gst_object_unref(sink);
	gst_object_unref(pipe);
	gst_deinit();
	record_finish(&rec, width, height, fps_num, fps_den);
}
