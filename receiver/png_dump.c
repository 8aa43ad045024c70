/* See png_dump.h. */
#include "png_dump.h"

#include "tb/err.h"

#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <stdlib.h>

int tb_png_write(const char *path, const struct tb_decoded_pic *pic, char *err, size_t errlen)
{
	int rc = -1;
	const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
	AVCodecContext *ctx = codec ? avcodec_alloc_context3(codec) : NULL;
	AVFrame *rgb = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	struct SwsContext *sws = NULL;
	FILE *f = NULL;
	if (!ctx || !rgb || !pkt) {
		tb_errbuf(err, errlen, "no PNG encoder in libavcodec");
		goto out;
	}
	ctx->width = pic->width;
	ctx->height = pic->height;
	ctx->pix_fmt = AV_PIX_FMT_RGB24;
	ctx->time_base = (AVRational){ 1, 25 };
	rgb->format = AV_PIX_FMT_RGB24;
	rgb->width = pic->width;
	rgb->height = pic->height;
	sws = sws_getContext(pic->width, pic->height, (enum AVPixelFormat)pic->format, pic->width, pic->height,
			     AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL, NULL, NULL);
	if (!sws || avcodec_open2(ctx, codec, NULL) < 0 || av_frame_get_buffer(rgb, 0) < 0) {
		tb_errbuf(err, errlen, "cannot convert %dx%d pixel format %d to PNG", pic->width, pic->height,
			  pic->format);
		goto out;
	}
	const uint8_t *src[4] = { pic->y, pic->u, pic->v, NULL };
	int stride[4] = { pic->y_stride, pic->uv_stride, pic->uv_stride, 0 };
	sws_scale(sws, src, stride, 0, pic->height, rgb->data, rgb->linesize);
	if (avcodec_send_frame(ctx, rgb) < 0 || avcodec_receive_packet(ctx, pkt) < 0) {
		tb_errbuf(err, errlen, "PNG encoding failed");
		goto out;
	}
	f = fopen(path, "wb");
	if (!f || fwrite(pkt->data, 1, (size_t)pkt->size, f) != (size_t)pkt->size) {
		tb_errbuf(err, errlen, "cannot write %s", path);
		goto out;
	}
	rc = 0;
out:
	if (f && fclose(f) && rc == 0) {
		tb_errbuf(err, errlen, "cannot write %s", path);
		rc = -1;
	}
	sws_freeContext(sws);
	av_packet_free(&pkt);
	av_frame_free(&rgb);
	avcodec_free_context(&ctx);
	return rc;
}

int tb_frame_set_parse(const char *spec, struct tb_frame_set *s)
{
	s->ranges = NULL;
	s->n = 0;
	const char *p = spec;
	while (*p) {
		char *end;
		long long a = strtoll(p, &end, 10), b;
		if (end == p || a < 0)
			goto bad;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtoll(p, &end, 10);
			if (end == p || b < a)
				goto bad;
		}
		if (*end && *end != ',')
			goto bad;
		int64_t (*r)[2] = realloc(s->ranges, (s->n + 1) * sizeof *r);
		if (!r)
			goto bad;
		s->ranges = r;
		s->ranges[s->n][0] = a;
		s->ranges[s->n][1] = b;
		s->n++;
		p = *end ? end + 1 : end;
		if (*end == ',' && !*p)
			goto bad;
	}
	if (s->n)
		return 0;
bad:
	tb_frame_set_free(s);
	return -1;
}

int tb_frame_set_has(const struct tb_frame_set *s, int64_t frame)
{
	for (size_t i = 0; i < s->n; i++)
		if (frame >= s->ranges[i][0] && frame <= s->ranges[i][1])
			return 1;
	return 0;
}

void tb_frame_set_free(struct tb_frame_set *s)
{
	free(s->ranges);
	s->ranges = NULL;
	s->n = 0;
}
