/* See decode.h. */
#include "decode.h"

#include "tb/err.h"

#include <libavcodec/avcodec.h>
#include <libavutil/log.h>
#include <string.h>

struct tb_decoder {
	AVCodecContext *ctx;
	AVPacket *pkt;
	AVFrame *frame;
	int64_t next_pts;
};

struct tb_decoder *tb_decoder_new(char *err, size_t errlen)
{
	const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_H264);
	if (!codec) {
		tb_errbuf(err, errlen, "libavcodec has no H.264 decoder");
		return NULL;
	}
	av_log_set_level(AV_LOG_QUIET);
	struct tb_decoder *d = calloc(1, sizeof *d);
	if (!d) {
		tb_errbuf(err, errlen, "out of memory");
		return NULL;
	}
	d->ctx = avcodec_alloc_context3(codec);
	d->pkt = av_packet_alloc();
	d->frame = av_frame_alloc();
	if (!d->ctx || !d->pkt || !d->frame)
		goto fail;
	d->ctx->thread_count = 1;
	d->ctx->flags |= AV_CODEC_FLAG_LOW_DELAY | AV_CODEC_FLAG_OUTPUT_CORRUPT;
	/* Detect bitstream errors; do not abort on them (concealment still runs
	 * and is reported through decode_error_flags). */
	d->ctx->err_recognition = AV_EF_CRCCHECK | AV_EF_BITSTREAM | AV_EF_BUFFER;
	if (avcodec_open2(d->ctx, codec, NULL) < 0)
		goto fail;
	return d;
fail:
	tb_errbuf(err, errlen, "cannot open the libavcodec H.264 decoder");
	tb_decoder_free(d);
	return NULL;
}

void tb_decoder_free(struct tb_decoder *d)
{
	if (!d)
		return;
	avcodec_free_context(&d->ctx);
	av_packet_free(&d->pkt);
	av_frame_free(&d->frame);
	free(d);
}

void tb_decoder_reset(struct tb_decoder *d)
{
	avcodec_flush_buffers(d->ctx);
}

int tb_decode_au(struct tb_decoder *d, const uint8_t *annexb, size_t len, struct tb_decoded_pic *pic)
{
	if (len == 0 || len > INT32_MAX)
		return TB_DEC_ERROR;
	/* The decoder's parser may read up to AV_INPUT_BUFFER_PADDING_SIZE bytes
	 * past the end: give it a padded copy. */
	if (av_new_packet(d->pkt, (int)len) < 0)
		return TB_DEC_ERROR;
	memcpy(d->pkt->data, annexb, len);
	int64_t pts = d->next_pts++;
	d->pkt->pts = d->pkt->dts = pts;
	int sent = avcodec_send_packet(d->ctx, d->pkt);
	av_packet_unref(d->pkt);
	int verdict = TB_DEC_ERROR, got = 0;
	for (;;) {
		int rc = avcodec_receive_frame(d->ctx, d->frame);
		if (rc < 0)
			break;
		/* With low delay every picture comes out right away; one from an
		 * earlier access unit (should not happen) is not ours. */
		if (d->frame->pts == pts || d->frame->pts == AV_NOPTS_VALUE) {
			got = 1;
			verdict = sent >= 0 && !d->frame->decode_error_flags &&
					  !(d->frame->flags & AV_FRAME_FLAG_CORRUPT)
				  ? TB_DEC_OK
				  : TB_DEC_ERROR;
			if (pic) {
				pic->width = d->frame->width;
				pic->height = d->frame->height;
				pic->y = d->frame->data[0];
				pic->y_stride = d->frame->linesize[0];
			}
		}
		if (!pic)
			av_frame_unref(d->frame);
	}
	return got ? verdict : TB_DEC_ERROR;
}
