/* See psnr.h. */
#include "psnr.h"

#include "tb/clip.h"
#include "tb/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tb_psnr_ref {
	struct tb_clip clip;
	struct tb_decoder *dec;
	int64_t next;             /* next clip frame to decode */
	int64_t have;             /* clip frame whose picture is in y (-1 none) */
	int64_t want_id;          /* decoder id of the frame being decoded */
	uint8_t *y;
	int w, h, got;
};

static void on_ref_picture(void *ctx, int64_t id, int ok, const struct tb_decoded_pic *pic)
{
	struct tb_psnr_ref *r = ctx;
	(void)ok;
	if (id != r->want_id || !pic->y)
		return;
	if (pic->width != r->w || pic->height != r->h) {
		free(r->y);
		r->y = malloc((size_t)pic->width * (size_t)pic->height);
		r->w = pic->width;
		r->h = pic->height;
	}
	if (!r->y)
		return;
	for (int row = 0; row < pic->height; row++)
		memcpy(r->y + (size_t)row * (size_t)pic->width, pic->y + (size_t)row * (size_t)pic->y_stride,
		       (size_t)pic->width);
	r->got = 1;
}

struct tb_psnr_ref *tb_psnr_ref_new(const char *clip, char *err, size_t errlen)
{
	struct tb_psnr_ref *r = calloc(1, sizeof *r);
	if (!r) {
		tb_errbuf(err, errlen, "out of memory");
		return NULL;
	}
	if (tb_clip_load(clip, &r->clip, err, errlen)) {
		free(r);
		return NULL;
	}
	r->dec = tb_decoder_new(on_ref_picture, r, err, errlen);
	if (!r->dec) {
		tb_clip_free(&r->clip);
		free(r);
		return NULL;
	}
	r->have = -1;
	return r;
}

void tb_psnr_ref_free(struct tb_psnr_ref *r)
{
	if (!r)
		return;
	tb_decoder_free(r->dec);
	tb_clip_free(&r->clip);
	free(r->y);
	free(r);
}

double tb_psnr_luma(const uint8_t *a, int astride, const uint8_t *b, int bstride, int w, int h)
{
	uint64_t sse = 0;
	for (int row = 0; row < h; row++) {
		const uint8_t *pa = a + (size_t)row * (size_t)astride, *pb = b + (size_t)row * (size_t)bstride;
		for (int x = 0; x < w; x++) {
			int d = pa[x] - pb[x];
			sse += (uint64_t)(d * d);
		}
	}
	if (sse == 0)
		return TB_PSNR_IDENTICAL;
	double mse = (double)sse / ((double)w * (double)h);
	double p = 10.0 * log10(255.0 * 255.0 / mse);
	return p < TB_PSNR_IDENTICAL ? p : TB_PSNR_IDENTICAL;
}

/* Bring the reference to clip frame i. */
static int seek(struct tb_psnr_ref *r, int64_t i)
{
	if (i < r->have || (r->have < 0 && r->next > i)) {
		tb_decoder_drain(r->dec);   /* the clip looped: start over */
		r->next = 0;
		r->have = -1;
	}
	while (r->have != i && r->next < (int64_t)r->clip.frame_count) {
		r->got = 0;
		r->want_id = tb_decode_next_id(r->dec);
		size_t f = (size_t)r->next++;
		tb_decode_submit(r->dec, tb_clip_frame_data(&r->clip, f), r->clip.frames[f].size);
		r->have = r->got ? (int64_t)f : -1;
	}
	return r->have == i ? 0 : -1;
}

double tb_psnr_frame(struct tb_psnr_ref *r, int64_t frame_no, const struct tb_decoded_pic *pic)
{
	if (frame_no < 0 || !r->clip.frame_count || !pic || !pic->y)
		return -1;
	if (seek(r, frame_no % (int64_t)r->clip.frame_count))
		return -1;
	if (pic->width != r->w || pic->height != r->h)
		return -1;
	return tb_psnr_luma(pic->y, pic->y_stride, r->y, r->w, r->w, r->h);
}
