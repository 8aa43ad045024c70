/* PSNR of received pictures against the decode of the original clip.
 *
 * The sender replays a clip in loops with frame numbers that keep counting,
 * so received frame N shows clip frame N mod length. A second decoder walks
 * the clip in step with the received frames (decoding every clip frame in
 * order, restarting at frame 0 when the clip loops) and keeps the picture
 * of the frame asked for. Luma (Y) plane only, 8-bit: PSNR = 10 log10(255^2 /
 * MSE); identical pictures give TB_PSNR_IDENTICAL. Needs the extension
 * (frame numbers) and a clip without frame reordering (the testbed's clips). */
#ifndef TB_PSNR_H
#define TB_PSNR_H

#include "decode.h"

#include <stddef.h>
#include <stdint.h>

#define TB_PSNR_IDENTICAL 100.0

struct tb_psnr_ref;

/* Load the clip (name or path, see tb/clip.h). NULL + err on failure. */
struct tb_psnr_ref *tb_psnr_ref_new(const char *clip, char *err, size_t errlen);
void tb_psnr_ref_free(struct tb_psnr_ref *r);

/* PSNR in dB of pic against clip frame frame_no mod length, or -1 when they
 * cannot be compared (sizes differ, the reference did not decode). */
double tb_psnr_frame(struct tb_psnr_ref *r, int64_t frame_no, const struct tb_decoded_pic *pic);

/* PSNR of two luma planes of w x h. */
double tb_psnr_luma(const uint8_t *a, int astride, const uint8_t *b, int bstride, int w, int h);

#endif
