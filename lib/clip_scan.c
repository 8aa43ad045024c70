/* Access unit detection in H.264 Annex-B streams, and the clip index
 * writer (format in tb/clip.h). */
#include <stdlib.h>

#include "tb/clip.h"
#include "tb/err.h"
#include "tb/rtp_build.h"

/* Reads bits of a NAL unit's payload, skipping emulation prevention bytes
 * (the 03 in 00 00 03). */
struct bitreader {
	const uint8_t *p;
	size_t len, byte;
	int bit, zeros;
	uint8_t cur;
	int cur_valid;
};

static int next_byte(struct bitreader *br, uint8_t *out)
{
	while (br->byte < br->len) {
		uint8_t b = br->p[br->byte++];
		if (br->zeros >= 2 && b == 3) {
			br->zeros = 0;
			continue;
		}
		br->zeros = b == 0 ? br->zeros + 1 : 0;
		*out = b;
		return 0;
	}
	return -1;
}

static int read_bit(struct bitreader *br)
{
	if (!br->cur_valid || br->bit == 8) {
		if (next_byte(br, &br->cur))
			return -1;
		br->cur_valid = 1;
		br->bit = 0;
	}
	return (br->cur >> (7 - br->bit++)) & 1;
}

/* Unsigned Exp-Golomb ue(v); -1 when the data ends or it is absurdly long. */
static long read_ue(struct bitreader *br)
{
	int zeros = 0, b;
	while ((b = read_bit(br)) == 0)
		if (++zeros > 31)
			return -1;
	if (b < 0)
		return -1;
	unsigned long v = 1;
	for (int i = 0; i < zeros; i++) {
		if ((b = read_bit(br)) < 0)
			return -1;
		v = v << 1 | (unsigned long)b;
	}
	return (long)(v - 1);
}

static int is_vcl(int t) { return t == 1 || t == 5; }

/* NAL types that, after a slice, begin a new access unit (7.4.1.2.3). */
static int starts_au_after_vcl(int t)
{
	return t == 6 || t == 7 || t == 8 || t == 9 || (t >= 14 && t <= 18);
}

int tb_clip_scan(const uint8_t *data, size_t len, int fps_num, int fps_den,
		 struct tb_clip_frame **frames, size_t *count, char *err, size_t errlen)
{
	*frames = NULL;
	*count = 0;
	if (fps_num <= 0 || fps_den <= 0) {
		tb_errbuf(err, errlen, "frame rate %d/%d is not positive", fps_num, fps_den);
		return -1;
	}
	size_t cap = 0, n = 0, pos = 0, prev_end = 0;
	struct tb_clip_frame *fr = NULL, *cur = NULL;
	int cur_has_vcl = 0, cur_has_nal = 0;
	struct tb_nal nal;
	while (tb_annexb_next_nal(data, len, &pos, &nal)) {
		int t = tb_nal_type(&nal);
		long first_mb = -1, slice_type = -1;
		if (is_vcl(t)) {
			struct bitreader br = {.p = nal.data + 1, .len = nal.len - 1};
			first_mb = read_ue(&br);
			slice_type = read_ue(&br);
			if (first_mb < 0 || slice_type < 0 || slice_type > 9) {
				tb_errbuf(err, errlen, "unreadable slice header at byte %zu",
					  (size_t)(nal.data - data));
				goto fail;
			}
		}
		int new_au = !cur || (cur_has_vcl && (starts_au_after_vcl(t) || (is_vcl(t) && first_mb == 0))) ||
			     (t == 9 && cur_has_nal);
		if (new_au) {
			if (cur && !cur_has_vcl) {
				tb_errbuf(err, errlen, "access unit %zu has no slice", n - 1);
				goto fail;
			}
			if (cur)
				cur->size = prev_end - cur->offset;
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				struct tb_clip_frame *grown = realloc(fr, cap * sizeof *fr);
				if (!grown) {
					tb_errbuf(err, errlen, "out of memory");
					goto fail;
				}
				fr = grown;
			}
			cur = &fr[n];
			cur->number = (uint32_t)n;
			cur->offset = n == 0 ? 0 : prev_end;
			cur->type = '?';
			cur->idr = 0;
			cur->pts_ns = (int64_t)n * 1000000000LL * fps_den / fps_num;
			n++;
			cur_has_vcl = cur_has_nal = 0;
		}
		if (is_vcl(t) && !cur_has_vcl) {
			static const char types[] = "PBIPI"; /* P, B, I, SP, SI */
			cur->type = types[slice_type % 5];
			cur->idr = t == 5;
		}
		cur_has_vcl |= is_vcl(t);
		cur_has_nal = 1;
		prev_end = (size_t)(nal.data - data) + nal.len;
	}
	if (!cur || !cur_has_vcl) {
		tb_errbuf(err, errlen, cur ? "the last access unit has no slice" : "no NAL unit in the stream");
		goto fail;
	}
	cur->size = len - cur->offset; /* trailing zero bytes belong to the last frame */
	*frames = fr;
	*count = n;
	return 0;
fail:
	free(fr);
	return -1;
}

int tb_clip_write_index(FILE *f, const char *name, int width, int height, int fps_num,
			int fps_den, const struct tb_clip_frame *frames, size_t count, size_t bytes)
{
	fprintf(f, "# tb-clip-index 1\n");
	fprintf(f, "# clip=%s width=%d height=%d fps=%d/%d frames=%zu bytes=%zu\n", name, width,
		height, fps_num, fps_den, count, bytes);
	fprintf(f, "# frame type idr offset size pts_ns\n");
	for (size_t i = 0; i < count; i++)
		fprintf(f, "%u %c %d %zu %zu %lld\n", frames[i].number, frames[i].type, frames[i].idr,
			frames[i].offset, frames[i].size, (long long)frames[i].pts_ns);
	return ferror(f) ? -1 : 0;
}
