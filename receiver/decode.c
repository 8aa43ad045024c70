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
	int64_t next_id;
	tb_decode_out_cb cb;
	void *cb_ctx;
	int64_t last_out_id, last_out_ok;   /* for tb_decode_au */
};

struct tb_decoder *tb_decoder_new(tb_decode_out_cb cb, void *ctx, char *err, size_t errlen)
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
	d->cb = cb;
	d->cb_ctx = ctx;
	d->ctx = avcodec_alloc_context3(codec);
	d->pkt = av_packet_alloc();
	d->frame = av_frame_alloc();
	if (!d->ctx || !d->pkt || !d->frame)
		goto fail;
	d->ctx->thread_count = 1;
	/* Pictures with errors are output (flagged), not dropped. */
	d->ctx->flags |= AV_CODEC_FLAG_OUTPUT_CORRUPT;
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

static void receive_all(struct tb_decoder *d)
{
	while (avcodec_receive_frame(d->ctx, d->frame) >= 0) {
		AVFrame *f = d->frame;
		int ok = !f->decode_error_flags && !(f->flags & AV_FRAME_FLAG_CORRUPT) ? TB_DEC_OK : TB_DEC_ERROR;
		d->last_out_id = f->pts;
		d->last_out_ok = ok;
		if (d->cb && f->pts != AV_NOPTS_VALUE) {
			struct tb_decoded_pic pic = { f->width, f->height, f->data[0], f->linesize[0],
						      f->data[1], f->data[2], f->linesize[1], f->format };
			d->cb(d->cb_ctx, f->pts, ok, &pic);
		}
		av_frame_unref(f);
	}
}

int64_t tb_decode_submit(struct tb_decoder *d, const uint8_t *annexb, size_t len)
{
	int64_t id = d->next_id++;
	if (len == 0 || len > INT32_MAX)
		return id;
	/* The decoder may read up to AV_INPUT_BUFFER_PADDING_SIZE bytes past
	 * the end: give it a padded copy. */
	if (av_new_packet(d->pkt, (int)len) < 0)
		return id;
	memcpy(d->pkt->data, annexb, len);
	/* The id rides in pts (copied to the picture the access unit carries);
	 * dts in submission order. */
	d->pkt->pts = d->pkt->dts = id;
	int rc = avcodec_send_packet(d->ctx, d->pkt);
	av_packet_unref(d->pkt);
	if (rc == AVERROR(EAGAIN)) {  /* output queue full: take pictures, retry once */
		receive_all(d);
		if (av_new_packet(d->pkt, (int)len) == 0) {
			memcpy(d->pkt->data, annexb, len);
			d->pkt->pts = d->pkt->dts = id;
			avcodec_send_packet(d->ctx, d->pkt);
			av_packet_unref(d->pkt);
		}
	}
	receive_all(d);
	return id;
}

int64_t tb_decode_next_id(const struct tb_decoder *d) { return d->next_id; }

void tb_decoder_drain(struct tb_decoder *d)
{
	if (avcodec_send_packet(d->ctx, NULL) >= 0)
		receive_all(d);
	avcodec_flush_buffers(d->ctx);
}

int tb_decode_au(struct tb_decoder *d, const uint8_t *annexb, size_t len)
{
	d->last_out_id = -1;
	int64_t id = tb_decode_submit(d, annexb, len);
	return d->last_out_id == id ? (int)d->last_out_ok : TB_DEC_ERROR;
}
