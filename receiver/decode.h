/* libavcodec H.264 decoding of reassembled access units, to cross-check the
 * reference chain rule with the decoder's own view: did it output a picture
 * for this access unit, and was that picture flagged (decode_error_flags,
 * AV_FRAME_FLAG_CORRUPT)? Access units are fed in frame order; the decoder
 * runs single-threaded with low delay so each access unit's picture comes out
 * before the next one goes in (streams with B-frames are then output in
 * decode order, which is what a per-frame verdict needs). */
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
	const uint8_t *y;         /* luma plane (valid until the next call) */
	int y_stride;
};

/* Returns NULL with a reason in err on failure. */
struct tb_decoder *tb_decoder_new(char *err, size_t errlen);
void tb_decoder_free(struct tb_decoder *d);

/* Decode one access unit (Annex-B). Returns TB_DEC_OK or TB_DEC_ERROR; when
 * pic is not NULL and a picture came out it is described there. */
int tb_decode_au(struct tb_decoder *d, const uint8_t *annexb, size_t len, struct tb_decoded_pic *pic);

/* Forget all state (at an SSRC change: a new stream starts). */
void tb_decoder_reset(struct tb_decoder *d);

#endif
