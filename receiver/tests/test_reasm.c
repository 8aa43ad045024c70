/* Reassembly and accounting, end to end in memory: the sender's packetizer
 * turns clip frames into RTP packets, a loss/reorder/duplicate pattern is
 * applied to the packet list, and the reassembler's per-frame records and
 * counters are compared with expectations computed here from the pattern
 * alone (packet indices, the clip's frame index and NAL headers). */
#include "decode.h"
#include "sim.h"
#include "tb/check.h"
#include "tb/rtp_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 (1700000000000000000LL + 5000000LL)  /* first arrival; 1 ms per packet after it */

static struct tb_clip clip;
static struct sim_stream S;

/* --- expectations, from the pattern ------------------------------------ */

struct expect {
	int recv[512];            /* unique packets of each frame delivered in time */
	int late_pkts;
	long long unique, dups, reordered, min_idx, max_idx;
	int first_frame, last_frame; /* frames with something delivered */
};

static int frame_is_reference(int f)
{
	/* nal_ref_idc of the frame's first slice, read from the clip bytes. */
	const uint8_t *d = tb_clip_frame_data(&clip, (size_t)f);
	size_t pos = 0;
	struct tb_nal nal;
	while (tb_annexb_next_nal(d, clip.frames[f].size, &pos, &nal))
		if (tb_nal_type(&nal) == 1 || tb_nal_type(&nal) == 5)
			return (nal.data[0] >> 5) & 3;
	return 1;
}

static void expect_from(const int *order, int n, const int *is_late, struct expect *e)
{
	memset(e, 0, sizeof *e);
	char *seen = calloc(S.n, 1);
	long long max = -1;
	e->min_idx = -1;
	e->first_frame = -1;
	for (int k = 0; k < n; k++) {
		int i = order[k];
		if (seen[i]) {
			e->dups++;
			continue;
		}
		seen[i] = 1;
		e->unique++;
		if (i < max)
			e->reordered++;
		if (i > max)
			max = i;
		if (e->min_idx < 0 || i < e->min_idx)
			e->min_idx = i;
		if (is_late && is_late[k]) {
			e->late_pkts++;
			continue;
		}
		int f = S.pkts[i].frame;
		e->recv[f]++;
	}
	e->max_idx = max;
	for (int f = 0; f < S.nframes; f++)
		if (e->recv[f]) {
			if (e->first_frame < 0)
				e->first_frame = f;
			e->last_frame = f;
		}
	free(seen);
}

/* --- running a pattern ------------------------------------------------- */

static void deliver(const struct sim_stream *s, const int *order, int n, int64_t hold_ns,
		    struct sim_sink *sink, struct tb_recv_counters *c)
{
	struct tb_reasm_cfg cfg = { .hold_ns = hold_ns };
	struct tb_reasm *r = tb_reasm_new(&cfg, sim_sink_frame, NULL, sink);
	for (int k = 0; k < n; k++)
		tb_reasm_packet(r, s->pkts[order[k]].data, s->pkts[order[k]].len, T0 + (int64_t)k * 1000000);
	tb_reasm_flush(r);
	tb_reasm_counters(r, c);
	tb_reasm_free(r);
}

/* Compare every frame record with the expectation (extension stream). */
static void check_frames(const char *name, const struct expect *e, const struct sim_sink *k,
			 const struct tb_recv_counters *c)
{
	int fails_before = tb_checks_failed;
	int chain = 0, emitted = 0, n_complete = 0, n_dec = 0;
	for (int f = e->first_frame; f <= e->last_frame; f++) {
		const struct sim_frame *x = sim_find(k, 0, f);
		CHECK(x != NULL);
		if (!x)
			continue;
		emitted++;
		int exp = S.frame_pkts[f];
		if (e->recv[f] == 0) {
			/* Lost entirely: its packet count is only knowable when its
			 * neighbours arrived. */
			int isolated = e->recv[f - 1] > 0 && e->recv[f + 1] > 0;
			CHECK_EQ_I64(x->rec.pkts_expected, isolated ? exp : -1);
		} else {
			CHECK_EQ_I64(x->rec.pkts_expected, exp);
		}
		CHECK_EQ_I64(x->rec.pkts_received, e->recv[f]);
		int complete = e->recv[f] == exp;
		CHECK_EQ_I64(x->rec.complete, complete);
		int dec = 0;
		if (complete && clip.frames[f].idr)
			dec = chain = 1;
		else if (complete && chain)
			dec = 1;
		else if (frame_is_reference(f) || e->recv[f] == 0)
			chain = 0;
		CHECK_EQ_I64(x->rec.decodable, dec);
		n_complete += complete;
		n_dec += dec;
		if (e->recv[f]) {
			CHECK_EQ_I64(x->rec.capture_ns, 1700000000000000000LL + clip.frames[f].pts_ns);
			CHECK_EQ_I64(x->rec.latency_ns, x->rec.last_arrival_ns - x->rec.capture_ns);
			CHECK(strcmp(x->rec.au.type, clip.frames[f].idr ? "IDR" : (char[]){ clip.frames[f].type, 0 }) == 0 ||
			      !complete);
		}
	}
	CHECK_EQ_I64(k->n, emitted);
	CHECK_EQ_I64(c->frames, emitted);
	CHECK_EQ_I64(c->frames_complete, n_complete);
	CHECK_EQ_I64(c->frames_decodable, n_dec);
	CHECK_EQ_I64(c->received, e->unique);
	CHECK_EQ_I64(c->expected, e->max_idx - e->min_idx + 1);
	CHECK_EQ_I64(c->duplicates, e->dups);
	CHECK_EQ_I64(c->reordered, e->reordered);
	CHECK_EQ_I64(c->late, e->late_pkts);
	CHECK_EQ_I64(c->malformed, 0);
	printf("%-28s frames %d complete %d decodable %d pkts %lld/%lld dup %lld reord %lld late %d %s\n", name,
	       emitted, n_complete, n_dec, e->unique, e->max_idx - e->min_idx + 1, e->dups, e->reordered,
	       e->late_pkts, tb_checks_failed == fails_before ? "ok" : "FAILED");
}

static int *seq_order(int *n)
{
	int *o = malloc(S.n * 3 * sizeof *o);
	*n = 0;
	return o;
}

static void run_pattern(const char *name, int *order, int n, const int *is_late, int64_t hold_ns)
{
	struct expect e;
	expect_from(order, n, is_late, &e);
	struct sim_sink k = { 0 };
	struct tb_recv_counters c;
	deliver(&S, order, n, hold_ns, &k, &c);
	check_frames(name, &e, &k, &c);
	sim_sink_free(&k);
	free(order);
}

#define HOLD_LONG (100LL * 1000000000LL)   /* no frame times out: everything waits for flush */

static void test_patterns(void)
{
	int n, *o;

	o = seq_order(&n);
	for (size_t i = 0; i < S.n; i++)
		o[n++] = (int)i;
	run_pattern("no loss", o, n, NULL, HOLD_LONG);

	o = seq_order(&n);
	for (size_t i = 0; i < S.n; i++)
		if (i % 7 != 3)
			o[n++] = (int)i;
	run_pattern("drop every 7th", o, n, NULL, HOLD_LONG);

	o = seq_order(&n);
	for (size_t i = 0; i < S.n; i++) {
		int f = S.pkts[i].frame;
		if (f != 10 && f != 40 && f != 41)
			o[n++] = (int)i;
	}
	run_pattern("drop frames 10, 40-41", o, n, NULL, HOLD_LONG);

	/* A burst from the last 3 packets of frame 29 into the IDR frame 30. */
	CHECK(clip.frames[30].idr && clip.frames[60].idr && !clip.frames[29].idr);
	CHECK(S.frame_pkts[30] > 2);
	o = seq_order(&n);
	int b0 = S.frame_first[30] - 3, b1 = S.frame_first[30] + 2;
	for (size_t i = 0; i < S.n; i++)
		if ((int)i < b0 || (int)i >= b1)
			o[n++] = (int)i;
	run_pattern("burst across IDR 30", o, n, NULL, HOLD_LONG);

	o = seq_order(&n);
	for (size_t i = 0; i < S.n; i += 5)
		for (size_t j = i + 5 <= S.n ? i + 5 : S.n; j > i; j--)
			o[n++] = (int)j - 1;
	run_pattern("reorder: reversed blocks of 5", o, n, NULL, HOLD_LONG);

	/* Other windows: neighbours swapped, and blocks reaching across frame
	 * and IDR boundaries (an I-frame is tens of packets). The first two
	 * frames come in order: a stream starts with the first frame seen, so
	 * packets of earlier frames that come after it are late by definition. */
	static const size_t windows[] = { 2, 17, 64 };
	for (size_t w = 0; w < sizeof windows / sizeof *windows; w++) {
		char name[64];
		o = seq_order(&n);
		size_t head = (size_t)S.frame_first[2];
		for (size_t i = 0; i < head; i++)
			o[n++] = (int)i;
		for (size_t i = head; i < S.n; i += windows[w])
			for (size_t j = i + windows[w] <= S.n ? i + windows[w] : S.n; j > i; j--)
				o[n++] = (int)j - 1;
		snprintf(name, sizeof name, "reorder: reversed blocks of %zu", windows[w]);
		run_pattern(name, o, n, NULL, HOLD_LONG);
	}

	/* Shuffled within blocks of 32 (a fixed LCG: the same order every run),
	 * with every 11th packet lost as well. */
	o = seq_order(&n);
	uint32_t lcg = 12345;
	for (size_t i = 0; i < S.n; i += 32) {
		size_t m = i + 32 <= S.n ? 32 : S.n - i;
		int blk[32];
		for (size_t j = 0; j < m; j++)
			blk[j] = (int)(i + j);
		for (size_t j = m; j > 1; j--) {
			lcg = lcg * 1103515245u + 12345u;
			size_t k = (lcg >> 16) % j;
			int t = blk[j - 1];
			blk[j - 1] = blk[k];
			blk[k] = t;
		}
		for (size_t j = 0; j < m; j++)
			if (blk[j] % 11 != 5)
				o[n++] = blk[j];
	}
	run_pattern("reorder: shuffled blocks of 32 + drop every 11th", o, n, NULL, HOLD_LONG);

	o = seq_order(&n);
	for (size_t i = 0; i < S.n; i++) {
		o[n++] = (int)i;
		if (i % 3 == 0)
			o[n++] = (int)i;
		if (i % 50 == 0 && i >= 20)
			o[n++] = (int)i - 20;
	}
	run_pattern("duplicates", o, n, NULL, HOLD_LONG);

	/* One packet of frame 5 held back 200 packets (200 ms), frames wait
	 * only 20 ms: it comes after its frame was finished. */
	o = seq_order(&n);
	int *late = calloc(S.n, sizeof *late);
	int held = S.frame_first[5] + 1;
	for (size_t i = 0; i < S.n; i++) {
		if ((int)i != held)
			o[n++] = (int)i;
		if ((int)i == held + 200) {
			late[n] = 1;
			o[n++] = held;
		}
	}
	run_pattern("late packet", o, n, late, 20LL * 1000000);
	free(late);
}

/* Sequence numbers wrapping through 65535 -> 0, with loss. */
static void test_wrap(void)
{
	struct sim_stream keep = S;
	CHECK(sim_packetize(&clip, 90, 0x1234, (uint16_t)(65536 - 200), 1, 0, &S) == 0);
	int n, *o = seq_order(&n);
	for (size_t i = 0; i < S.n; i++)
		if (i % 10 != 9)
			o[n++] = (int)i;
	run_pattern("seq wrap + drop every 10th", o, n, NULL, HOLD_LONG);
	sim_free(&S);
	S = keep;
}

/* An SSRC change: a new sender (new SSRC, sequence, frame numbers from 0). */
static void test_ssrc_change(void)
{
	struct sim_stream a, b, c2;
	CHECK(sim_packetize(&clip, 45, 111, 1000, 1, 0, &a) == 0);
	CHECK(sim_packetize(&clip, 40, 222, 50000, 1, 0, &b) == 0);
	/* The same sender restarted (same SSRC, frames from 0 again) after
	 * having sent frames 400..429. */
	struct sim_stream b2;
	CHECK(sim_packetize(&clip, 30, 222, 2000, 1, 400, &b2) == 0);
	CHECK(sim_packetize(&clip, 30, 222, 7000, 1, 0, &c2) == 0);
	struct sim_sink k = { 0 };
	struct tb_reasm *r = tb_reasm_new(NULL, sim_sink_frame, NULL, &k);
	int64_t t = T0;
	for (size_t i = 0; i < a.n; i++, t += 1000000)
		tb_reasm_packet(r, a.pkts[i].data, a.pkts[i].len, t);
	for (size_t i = 0; i < b.n; i++, t += 1000000) {
		tb_reasm_packet(r, b.pkts[i].data, b.pkts[i].len, t);
		if (i == 3)  /* a straggler from the old sender */
			tb_reasm_packet(r, a.pkts[a.n - 1].data, a.pkts[a.n - 1].len, t);
	}
	struct tb_reasm *r2 = tb_reasm_new(NULL, NULL, NULL, NULL);
	for (size_t i = 0; i < b2.n; i++, t += 1000000)
		tb_reasm_packet(r2, b2.pkts[i].data, b2.pkts[i].len, t);
	for (size_t i = 0; i < c2.n; i++, t += 1000000)
		tb_reasm_packet(r2, c2.pkts[i].data, c2.pkts[i].len, t);
	tb_reasm_flush(r2);
	struct tb_recv_counters c2c;
	tb_reasm_counters(r2, &c2c);
	tb_reasm_free(r2);
	CHECK_EQ_I64(c2c.restarts, 1);
	CHECK_EQ_I64(c2c.streams, 2);
	CHECK_EQ_I64(c2c.frames, 60);
	CHECK_EQ_I64(c2c.frames_complete, 60);
	CHECK_EQ_I64(c2c.late + c2c.malformed + c2c.duplicates, 0);
	CHECK_EQ_I64(c2c.expected, b2.n + c2.n);
	sim_free(&b2);
	sim_free(&c2);
	tb_reasm_flush(r);
	struct tb_recv_counters c;
	tb_reasm_counters(r, &c);
	tb_reasm_free(r);
	CHECK_EQ_I64(c.streams, 2);
	CHECK_EQ_I64(c.frames, 85);
	CHECK_EQ_I64(c.frames_complete, 85);
	CHECK_EQ_I64(c.frames_decodable, 85);
	CHECK_EQ_I64(c.received, a.n + b.n);
	CHECK_EQ_I64(c.expected, a.n + b.n);
	CHECK_EQ_I64(c.stale_ssrc, 1);
	CHECK_EQ_I64(c.duplicates + c.late + c.reordered + c.malformed, 0);
	const struct sim_frame *x = sim_find(&k, 1, 0), *y = sim_find(&k, 0, 44);
	CHECK(x && x->rec.ssrc == 222 && x->rec.pkts_expected == b.frame_pkts[0] && x->rec.decodable);
	CHECK(y && y->rec.ssrc == 111 && y->rec.pkts_received == a.frame_pkts[44]);
	CHECK(sim_find(&k, 1, 39) != NULL && sim_find(&k, 1, 40) == NULL);
	printf("%-28s streams 2 frames 85 ok\n", "ssrc change");
	sim_sink_free(&k);
	sim_free(&a);
	sim_free(&b);
}

/* Two senders interleaved on one port plus RTCP multiplexed on it: --ssrc
 * picks one, RTCP is recognised and ignored, the other SSRC is filtered. */
static void test_filters(void)
{
	struct sim_stream a, b;
	CHECK(sim_packetize(&clip, 30, 111, 1000, 1, 0, &a) == 0);
	CHECK(sim_packetize(&clip, 30, 222, 9000, 0, 0, &b) == 0);
	struct sim_sink k = { 0 };
	struct tb_reasm_cfg cfg = { .select_ssrc = 1, .ssrc = 222, .payload_type = 96 };
	struct tb_reasm *r = tb_reasm_new(&cfg, sim_sink_frame, NULL, &k);
	/* An RTCP sender report of SSRC 222: V=2, PT 200, length 6. */
	uint8_t sr[28] = { 0x80, 200, 0, 6, 0, 0, 0, 222 };
	int64_t t = T0;
	size_t n = a.n > b.n ? a.n : b.n;
	for (size_t i = 0; i < n; i++, t += 1000000) {
		if (i < a.n)
			tb_reasm_packet(r, a.pkts[i].data, a.pkts[i].len, t);
		if (i < b.n)
			tb_reasm_packet(r, b.pkts[i].data, b.pkts[i].len, t);
		if (i % 50 == 0)
			tb_reasm_packet(r, sr, sizeof sr, t);
	}
	tb_reasm_flush(r);
	struct tb_recv_counters c;
	tb_reasm_counters(r, &c);
	tb_reasm_free(r);
	CHECK_EQ_I64(c.streams, 1);
	CHECK_EQ_I64(c.filtered, a.n);
	CHECK_EQ_I64(c.rtcp, (n + 49) / 50);
	CHECK_EQ_I64(c.received, b.n);
	CHECK_EQ_I64(c.frames, 30);
	CHECK_EQ_I64(c.frames_complete, 30);
	CHECK_EQ_I64(c.malformed, 0);
	CHECK(k.n == 30 && k.f[0].rec.ssrc == 222 && !k.f[0].rec.has_ext);
	printf("%-28s filtered %llu rtcp %llu frames %llu ok\n", "ssrc/pt filter + rtcp-mux",
	       (unsigned long long)c.filtered, (unsigned long long)c.rtcp, (unsigned long long)c.frames);
	sim_sink_free(&k);
	sim_free(&a);
	sim_free(&b);
}

/* Without the extension (any RTP/H.264 sender): frames by timestamp and
 * marker; packets lost between two frames count against the later one
 * unless the earlier one's marker packet is what was lost. */
static void test_no_extension(void)
{
	struct sim_stream s;
	CHECK(sim_packetize(&clip, 90, 77, 300, 0, 0, &s) == 0);
	int *o = malloc(s.n * sizeof *o), n = 0;
	char *got = calloc(s.n, 1);
	for (size_t i = 0; i < s.n; i++)
		if (i % 7 != 3 || i < 3) {
			o[n++] = (int)i;
			got[i] = 1;
		}
	struct sim_sink k = { 0 };
	struct tb_recv_counters c;
	deliver(&s, o, n, HOLD_LONG, &k, &c);
	/* Expected per frame, from the rule in reasm.h. */
	int idx = 0, dec_chain = 0, ok = 1;
	long long prev_end = -1;
	for (int f = 0; f < s.nframes; f++) {
		int first = s.frame_first[f], last = first + s.frame_pkts[f] - 1, recv = 0, maxr = -1;
		for (int i = first; i <= last; i++)
			if (got[i]) {
				recv++;
				maxr = i;
			}
		if (!recv)
			continue;  /* invisible without the extension */
		long long start = prev_end + 1, end = got[last] ? last : maxr;
		if (prev_end < 0)
			start = first;
		const struct sim_frame *x = sim_find(&k, 0, idx);
		if (!x) {
			ok = 0;
			break;
		}
		int complete = recv == end - start + 1 && got[last];
		int dec = complete && (clip.frames[f].idr || dec_chain);
		dec_chain = dec;
		if (x->rec.pkts_received != recv || x->rec.pkts_expected != end - start + 1 ||
		    x->rec.complete != complete || x->rec.decodable != dec || x->rec.latency_ns != -1 ||
		    x->rec.has_ext)
			ok = 0;
		prev_end = end;
		idx++;
	}
	CHECK(ok);
	CHECK_EQ_I64(k.n, idx);
	CHECK_EQ_I64(c.received, n);
	CHECK_EQ_I64(c.expected, s.n);
	printf("%-28s frames %d %s\n", "no extension, drop 7th", idx, ok ? "ok" : "FAILED");
	free(o);
	free(got);
	sim_sink_free(&k);
	sim_free(&s);
}

/* Every frame of every clip comes back bit-exact (the clip's NAL units
 * minus AUD/filler, which are not sent); with the decoder on the 480p one. */
static void test_bit_exact(const char *name, int decode)
{
	struct tb_clip c;
	if (sim_load_clip(name, &c)) {
		CHECK(!"clip loads");
		return;
	}
	struct sim_stream s;
	CHECK(sim_packetize(&c, (int)c.frame_count, 9, 4242, 1, 0, &s) == 0);
	int *o = malloc(s.n * sizeof *o);
	for (size_t i = 0; i < s.n; i++)
		o[i] = (int)i;
	struct sim_sink k = { 0 };
	struct tb_recv_counters cnt;
	deliver(&s, o, (int)s.n, HOLD_LONG, &k, &cnt);
	CHECK_EQ_I64(k.n, c.frame_count);
	struct tb_decoder *d = decode ? tb_decoder_new(NULL, NULL, NULL, 0) : NULL;
	int exact = 0, dec_ok = 0;
	for (size_t f = 0; f < k.n && f < c.frame_count; f++) {
		const uint8_t *a = tb_clip_frame_data(&c, f), *b = k.f[f].annexb;
		size_t pa = 0, pb = 0;
		struct tb_nal na, nb;
		int same = k.f[f].rec.frame_no == (int64_t)f && k.f[f].rec.complete;
		for (;;) {
			int ha;
			while ((ha = tb_annexb_next_nal(a, c.frames[f].size, &pa, &na)) &&
			       (tb_nal_type(&na) == 9 || tb_nal_type(&na) == 12))
				;
			int hb = tb_annexb_next_nal(b, k.f[f].rec.annexb_len, &pb, &nb);
			if (!ha || !hb) {
				same = same && !ha && !hb;
				break;
			}
			same = same && na.len == nb.len && memcmp(na.data, nb.data, na.len) == 0;
		}
		exact += same;
		if (d)
			dec_ok += tb_decode_au(d, b, k.f[f].rec.annexb_len) == TB_DEC_OK;
	}
	CHECK_EQ_I64(exact, c.frame_count);
	CHECK_EQ_I64(cnt.frames_decodable, c.frame_count);
	if (d)
		CHECK_EQ_I64(dec_ok, c.frame_count);
	printf("%-28s %d/%zu frames bit-exact%s\n", name, exact, c.frame_count,
	       d ? (dec_ok == (int)c.frame_count ? ", all decoded cleanly" : ", DECODER ERRORS") : "");
	tb_decoder_free(d);
	free(o);
	sim_sink_free(&k);
	sim_free(&s);
	tb_clip_free(&c);
}

/* Bounds: many frames that never complete (no marker, no extension, a new
 * timestamp per packet) and one huge frame never hold more than the
 * configured frames/bytes; the excess is forced out and counted. */
static void check_in_flight(void *ctx, const struct tb_frame_rec *f)
{
	(void)f;
	(*(int *)ctx)++;
}

static void test_bounds(void)
{
	uint8_t pkt[1012];
	memset(pkt, 0x41, sizeof pkt);
	pkt[0] = 0x80; pkt[1] = 96;
	memset(pkt + 4, 0, 8);
	pkt[12] = 0x41;
	struct tb_reasm_cfg cfg = { .hold_ns = HOLD_LONG, .max_frames = 16, .max_bytes = 100000,
				    .max_frame_pkts = 200 };
	int emitted = 0;
	struct tb_reasm *r = tb_reasm_new(&cfg, check_in_flight, NULL, &emitted);
	size_t max_frames = 0, max_bytes = 0;
	for (int i = 0; i < 5000; i++) {
		pkt[2] = (uint8_t)(i >> 8); pkt[3] = (uint8_t)i;
		uint32_t ts = (uint32_t)i * 3000u;
		pkt[4] = (uint8_t)(ts >> 24); pkt[5] = (uint8_t)(ts >> 16); pkt[6] = (uint8_t)(ts >> 8); pkt[7] = (uint8_t)ts;
		tb_reasm_packet(r, pkt, sizeof pkt, T0 + i);
		if (tb_reasm_frames_in_flight(r) > max_frames)
			max_frames = tb_reasm_frames_in_flight(r);
		if (tb_reasm_bytes_in_flight(r) > max_bytes)
			max_bytes = tb_reasm_bytes_in_flight(r);
	}
	/* One timestamp for 1000 packets: a frame bigger than the bounds. */
	for (int i = 5000; i < 6000; i++) {
		pkt[2] = (uint8_t)(i >> 8); pkt[3] = (uint8_t)i;
		tb_reasm_packet(r, pkt, sizeof pkt, T0 + i);
		if (tb_reasm_bytes_in_flight(r) > max_bytes)
			max_bytes = tb_reasm_bytes_in_flight(r);
	}
	tb_reasm_flush(r);
	struct tb_recv_counters c;
	tb_reasm_counters(r, &c);
	tb_reasm_free(r);
	CHECK(max_frames <= 16);
	CHECK(max_bytes <= 100000);
	CHECK_EQ_I64(c.datagrams, 6000);
	CHECK_EQ_I64(c.received + c.malformed, 6000);
	CHECK(c.malformed_by[TB_MAL_FRAME_TOO_BIG] > 0);
	CHECK_EQ_I64(c.frames, (uint64_t)emitted);
	CHECK(c.frames_forced >= 5000 - 16);
	CHECK_EQ_I64(c.frames_complete, 0);
	printf("%-28s max %zu frames, %zu bytes in flight; forced %llu, too big %llu\n", "bounds", max_frames,
	       max_bytes, (unsigned long long)c.frames_forced,
	       (unsigned long long)c.malformed_by[TB_MAL_FRAME_TOO_BIG]);
}

int main(void)
{
	test_bounds();
	if (sim_load_clip("480p30", &clip)) {
		CHECK(!"clip 480p30 loads");
		return TB_CHECK_SUMMARY();  /* test_bounds' checks count too */
	}
	CHECK(clip.frame_count >= 90);
	CHECK(sim_packetize(&clip, 90, 0xabcdef, 7, 1, 0, &S) == 0);
	int refs = 0;
	for (int f = 0; f < 90; f++)
		refs += frame_is_reference(f) != 0;
	CHECK_EQ_I64(refs, 90);  /* the rule below assumes every frame is a reference */
	test_patterns();
	test_wrap();
	test_ssrc_change();
	test_filters();
	test_no_extension();
	test_bit_exact("480p30", 1);
	test_bit_exact("720p30", 0);
	test_bit_exact("1080p30", 0);
	sim_free(&S);
	tb_clip_free(&clip);
	return TB_CHECK_SUMMARY();
}
