/* PSNR against the clip: the arithmetic on small planes, then received
 * frames through the real path (packetizer -> reassembler -> decoder) of the
 * 480p clip: undamaged frames are identical (also after the clip loops),
 * a lost packet in frame 5 degrades frames 5..29 (frame 5 may show nothing) (concealment, broken
 * references) until the IDR at frame 30 is identical again. */
#include "decode.h"
#include "psnr.h"
#include "sim.h"
#include "tb/check.h"

#include <math.h>
#include <string.h>

static struct tb_psnr_ref *ref;
static double psnr_of[400];
static int64_t frame_of_id[400];

static void on_pic(void *ctx, int64_t id, int ok, const struct tb_decoded_pic *pic)
{
	(void)ctx;
	(void)ok;
	if (id >= 0 && id < 400)
		psnr_of[id] = tb_psnr_frame(ref, frame_of_id[id], pic);
}

static struct tb_decoder *dec;
static void decode_frame(void *ctx, const struct tb_frame_rec *f)
{
	(void)ctx;
	int64_t id = tb_decode_next_id(dec);
	frame_of_id[id] = f->frame_no;
	psnr_of[id] = -2;
	tb_decode_submit(dec, f->annexb, f->annexb_len);
}

int main(void)
{
	uint8_t a[16], b[16];
	memset(a, 100, sizeof a);
	memset(b, 101, sizeof b);
	CHECK(fabs(tb_psnr_luma(a, 4, b, 4, 4, 4) - 48.1308) < 0.001);   /* MSE 1 */
	CHECK(tb_psnr_luma(a, 4, a, 4, 4, 4) == TB_PSNR_IDENTICAL);
	b[0] = 116;                                                        /* MSE (15 + 16^2)/16 */
	CHECK(fabs(tb_psnr_luma(a, 4, b, 4, 4, 4) - 10 * log10(255.0 * 255.0 / ((15.0 + 256.0) / 16.0))) < 1e-9);

	struct tb_clip clip;
	if (sim_load_clip("480p30", &clip)) {
		CHECK(!"clip 480p30 loads");
		return TB_CHECK_SUMMARY();
	}
	char err[256];
	ref = tb_psnr_ref_new("480p30", err, sizeof err);
	CHECK(ref != NULL);
	dec = tb_decoder_new(on_pic, NULL, err, sizeof err);
	/* Frames 0..59, then 300..339 (the second loop, frame numbers keep counting). */
	struct sim_stream s1, s2;
	CHECK(sim_packetize(&clip, 60, 1, 0, 1, 0, &s1) == 0);
	CHECK(sim_packetize(&clip, 40, 1, 2000, 1, 300, &s2) == 0);
	struct tb_reasm *r = tb_reasm_new(NULL, decode_frame, NULL, NULL);
	int64_t t = 1;
	int dropped = s1.frame_first[5] + 1;
	for (size_t i = 0; i < s1.n; i++)
		if ((int)i != dropped)
			tb_reasm_packet(r, s1.pkts[i].data, s1.pkts[i].len, t++);
	tb_reasm_flush(r);
	tb_reasm_free(r);
	r = tb_reasm_new(NULL, decode_frame, NULL, NULL);
	for (size_t i = 0; i < s2.n; i++)
		tb_reasm_packet(r, s2.pkts[i].data, s2.pkts[i].len, t++);
	tb_reasm_flush(r);
	tb_reasm_free(r);
	tb_decoder_drain(dec);

	int identical = 0, degraded = 0, bad = 0;
	for (int id = 0; id < 100; id++) {
		int64_t f = frame_of_id[id];
		double p = psnr_of[id];
		int damaged = f >= 5 && f < 30;
		if (f == 5 && p == -2)
			continue;  /* its only slice was cut: no picture at all is right too */
		if (damaged ? (p > 0 && p < TB_PSNR_IDENTICAL) : p == TB_PSNR_IDENTICAL)
			damaged ? degraded++ : identical++;
		else {
			bad++;
			fprintf(stderr, "frame %lld: psnr %.2f\n", (long long)f, p);
		}
	}
	CHECK_EQ_I64(bad, 0);
	CHECK_EQ_I64(identical, 75);
	CHECK(degraded == 24 || degraded == 25);
	printf("psnr: %d frames identical, %d degraded (frames 5..29 after a lost packet)\n", identical, degraded);
	tb_decoder_free(dec);
	tb_psnr_ref_free(ref);
	sim_free(&s1);
	sim_free(&s2);
	tb_clip_free(&clip);
	return TB_CHECK_SUMMARY();
}
