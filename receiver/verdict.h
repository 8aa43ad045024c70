/* The final "shown without artifacts" verdict of a frame: the reassembler's
 * reference chain rule (tb_frame_rec.decodable), refined by libavcodec.
 *
 * The chain rule only sees missing packets. A frame whose packets all
 * arrived can still be rejected by the decoder (a corrupt slice); every
 * frame that references it then shows its damage too, until the next clean
 * IDR, exactly as for a frame with a missing packet. A rejected
 * non-reference frame (nal_ref_idc 0) damages only itself. Frames must be
 * fed in decode order. */
#ifndef TB_VERDICT_H
#define TB_VERDICT_H

#include "reasm.h"

struct tb_verdict {
	int started;
	uint32_t stream;
	int broken;               /* a reference frame the decoder rejected, no IDR since */
};

/* dec_ok: 1 the decoder output a clean picture, 0 it flagged or dropped it,
 * -1 not decoded. Returns 1 when the frame is decodable. */
int tb_verdict_frame(struct tb_verdict *v, const struct tb_frame_rec *f, int dec_ok);

#endif
