/* libavcodec H.264 decoding of reassembled access units, to cross-check the
 * reference chain rule with the decoder's own view: did it output a picture
 * for this access unit, and was that picture flagged (decode_error_flags,
 * AV_FRAME_FLAG_CORRUPT)? Access units go in in frame (decode) order, each
 * with an id; pictures come out in presentation order, possibly later (B
 * frames), and are reported with the id of the access unit that carried
 * them. Single-threaded, so verdicts do not depend on timing. */
#ifndef TB_DECODE_H
#define TB_DECODE_H

#include <stddef.h>
#include <stdint.h>

struct tb_decoder;

enum tb_decode_verdict {
	TB_DEC_OK = 1,            /* a picture came out, no error flags */
	TB_DEC_ERROR = 0,         /* no picture, or a picture with error flags */
};

struct tb_decoded_pic {
	int width, height;
	const uint8_t *y;         /* luma plane (valid during the callback) */
	int y_stride;
	const uint8_t *u, *v;     /* chroma planes (4:2:0 when format is 0) */
	int uv_stride;
	int format;               /* libavutil AVPixelFormat */
};

/* A picture came out for access unit `id`; ok = TB_DEC_OK or TB_DEC_ERROR. */
typedef void (*tb_decode_out_cb)(void *ctx, int64_t id, int ok, const struct tb_decoded_pic *pic);

/* Returns NULL with a reason in err on failure. cb may be NULL. */
struct tb_decoder *tb_decoder_new(tb_decode_out_cb cb, void *ctx, char *err, size_t errlen);
void tb_decoder_free(struct tb_decoder *d);

/* Feed one access unit (Annex-B); returns its id (0, 1, 2, ...). Pictures
 * that come out are reported through the callback before it returns. An
 * access unit the decoder rejects outright gets no picture. */
int64_t tb_decode_submit(struct tb_decoder *d, const uint8_t *annexb, size_t len);

/* The id the next tb_decode_submit will return. */
int64_t tb_decode_next_id(const struct tb_decoder *d);

/* Output every picture still held (end of stream, or before an SSRC change),
 * then forget all state; ids continue. */
void tb_decoder_drain(struct tb_decoder *d);

/* Convenience for streams without frame reordering: submit and return the
 * verdict for this very access unit (TB_DEC_ERROR when no picture came out
 * for it right away). */
int tb_decode_au(struct tb_decoder *d, const uint8_t *annexb, size_t len);

#endif
