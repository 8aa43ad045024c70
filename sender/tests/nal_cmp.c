/* nal-cmp CLIP FRAMES RECEIVED.h264: check that an Annex-B file (e.g. what
 * GStreamer's rtph264depay wrote from a tb-send stream) holds exactly the NAL
 * units of the clip's first FRAMES frames (looping the clip), access unit
 * delimiters aside (tb-send does not send them). Prints the verdict; exit 0
 * when identical, 1 otherwise, 2 on bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb/clip.h"
#include "tb/err.h"
#include "tb/rtp_build.h"

int main(int argc, char **argv)
{
	tb_set_progname("nal-cmp");
	long long frames;
	if (argc != 4 || tb_parse_i64(argv[2], 1, 100000000, &frames))
		tb_usage_die("usage: nal-cmp CLIP FRAMES RECEIVED.h264");
	struct tb_clip c;
	char err[512];
	if (tb_clip_load(argv[1], &c, err, sizeof err))
		tb_die("%s", err);
	FILE *f = fopen(argv[3], "rb");
	if (!f)
		tb_die_errno("cannot open %s", argv[3]);
	size_t cap = 1 << 20, len = 0;
	uint8_t *got = NULL;
	for (;;) {
		uint8_t *g = realloc(got, cap);
		if (!g)
			tb_die("out of memory");
		got = g;
		len += fread(got + len, 1, cap - len, f);
		if (len < cap)
			break;
		cap *= 2;
	}
	fclose(f);

	size_t gpos = 0, nals = 0;
	struct tb_nal want, have;
	for (long long i = 0; i < frames; i++) {
		size_t k = (size_t)(i % (long long)c.frame_count), pos = 0;
		while (tb_annexb_next_nal(tb_clip_frame_data(&c, k), c.frames[k].size, &pos, &want)) {
			if (tb_nal_type(&want) == 9)
				continue;
			do {
				if (!tb_annexb_next_nal(got, len, &gpos, &have)) {
					printf("nal-cmp: received stream ends after %zu NAL units, in frame %lld\n", nals, i);
					return 1;
				}
			} while (tb_nal_type(&have) == 9);
			if (have.len != want.len || memcmp(have.data, want.data, want.len) != 0) {
				printf("nal-cmp: NAL unit %zu (frame %lld, type %d, %zu bytes) differs: got type %d, %zu bytes\n",
				       nals, i, tb_nal_type(&want), want.len, tb_nal_type(&have), have.len);
				return 1;
			}
			nals++;
		}
	}
	size_t extra = 0;
	while (tb_annexb_next_nal(got, len, &gpos, &have))
		extra += tb_nal_type(&have) != 9;
	if (extra) {
		printf("nal-cmp: %zu NAL units match, then %zu extra\n", nals, extra);
		return 1;
	}
	printf("nal-cmp: %lld frames, %zu NAL units identical\n", frames, nals);
	free(got);
	tb_clip_free(&c);
	return 0;
}
