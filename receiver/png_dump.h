/* Writing decoded pictures as PNG files (libswscale to RGB, libavcodec's
 * PNG encoder), to look at what a viewer saw in chosen frames. */
#ifndef TB_PNG_DUMP_H
#define TB_PNG_DUMP_H

#include "decode.h"

#include <stddef.h>
#include <stdint.h>

/* Returns 0, or -1 with a reason in err. */
int tb_png_write(const char *path, const struct tb_decoded_pic *pic, char *err, size_t errlen);

/* A set of frame numbers from "N", "A-B" and commas ("0,30-35,90"). Returns
 * 0, or -1 when the text is not such a list. */
struct tb_frame_set {
	int64_t (*ranges)[2];
	size_t n;
};
int tb_frame_set_parse(const char *spec, struct tb_frame_set *s);
int tb_frame_set_has(const struct tb_frame_set *s, int64_t frame);
void tb_frame_set_free(struct tb_frame_set *s);

#endif
