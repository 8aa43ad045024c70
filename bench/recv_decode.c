/* Benchmark: libavcodec H.264 decode cost per frame as tb-recv decodes
 * (single-threaded, error detection on), per clip/resolution. Prints ms per
 * frame over wall-clock and over this process's CPU time, per run.
 * usage: tb-bench-recv-decode [REPEAT] [CLIP...]   (default: 3 480p30 720p30 1080p30) */
#include "decode.h"
#include "tb/clip.h"
#include "tb/clock.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int repeat = argc > 1 ? atoi(argv[1]) : 3;
	static const char *const defaults[] = { "480p30", "720p30", "1080p30" };
	int nclips = argc > 2 ? argc - 2 : 3;
	printf("ms per frame, as wall-clock / CPU time of this process, %d runs\n", repeat);
	for (int i = 0; i < nclips; i++) {
		const char *name = argc > 2 ? argv[2 + i] : defaults[i];
		struct tb_clip c;
		char err[512];
		if (tb_clip_load(name, &c, err, sizeof err)) {
			fprintf(stderr, "tb-bench-recv-decode: %s\n", err);
			return 1;
		}
		printf("%-8s %4dx%-4d %zu frames:", name, c.width, c.height, c.frame_count);
		for (int r = 0; r < repeat; r++) {
			struct tb_decoder *d = tb_decoder_new(NULL, NULL, err, sizeof err);
			if (!d) {
				fprintf(stderr, "tb-bench-recv-decode: %s\n", err);
				return 1;
			}
			int ok = 0;
			int64_t w0 = tb_mono_ns(), c0 = tb_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
			for (size_t f = 0; f < c.frame_count; f++)
				ok += tb_decode_au(d, tb_clip_frame_data(&c, f), c.frames[f].size) == TB_DEC_OK;
			double w = (double)(tb_mono_ns() - w0) / 1e6, cpu = (double)(tb_clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) / 1e6;
			printf("  %6.2f/%-6.2f", w / (double)c.frame_count, cpu / (double)c.frame_count);
			if (ok != (int)c.frame_count)
				printf(" (%d frames not clean!)", (int)c.frame_count - ok);
			tb_decoder_free(d);
		}
		printf("\n");
		tb_clip_free(&c);
	}
	return 0;
}
