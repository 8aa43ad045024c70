/* tb-clip-index: write the frame index of an H.264 Annex-B clip (format in
 * lib/include/tb/clip.h) by finding its access units and slice types. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tb/clip.h"
#include "tb/err.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: tb-clip-index --name NAME --width W --height H --fps NUM/DEN IN.h264 [OUT.idx]\n"
		   "Writes the frame index of IN.h264 to OUT.idx (or stdout).\n");
}

int main(int argc, char **argv)
{
	tb_set_progname(argv[0]);
	static const struct option opts[] = {
		{"name", required_argument, 0, 'n'}, {"width", required_argument, 0, 'w'},
		{"height", required_argument, 0, 'H'}, {"fps", required_argument, 0, 'f'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
	};
	const char *name = NULL;
	long long w = 0, h = 0, num = 0, den = 0;
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n': name = optarg; break;
		case 'w':
			if (tb_parse_i64(optarg, 1, 16384, &w))
				tb_usage_die("--width: expected 1..16384, got '%s'", optarg);
			break;
		case 'H':
			if (tb_parse_i64(optarg, 1, 16384, &h))
				tb_usage_die("--height: expected 1..16384, got '%s'", optarg);
			break;
		case 'f': {
			char *slash = strchr(optarg, '/');
			if (!slash)
				tb_usage_die("--fps: expected NUM/DEN, got '%s'", optarg);
			*slash = 0;
			if (tb_parse_i64(optarg, 1, 1000000, &num) || tb_parse_i64(slash + 1, 1, 1000000, &den))
				tb_usage_die("--fps: expected NUM/DEN with positive integers");
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!name || !w || !h || !num || optind >= argc || argc - optind > 2) {
		usage(stderr);
		tb_usage_die("--name, --width, --height, --fps and an input file are required");
	}
	if (strpbrk(name, " \t\n/"))
		tb_usage_die("--name: no spaces or slashes, got '%s'", name);

	const char *in = argv[optind], *out = argc - optind == 2 ? argv[optind + 1] : NULL;
	FILE *f = fopen(in, "rb");
	if (!f)
		tb_die_errno("cannot open %s", in);
	size_t cap = 1 << 20, len = 0;
	uint8_t *data = NULL;
	for (;;) {
		uint8_t *grown = realloc(data, cap);
		if (!grown)
			tb_die("out of memory");
		data = grown;
		len += fread(data + len, 1, cap - len, f);
		if (len < cap)
			break;
		cap *= 2;
	}
	if (ferror(f))
		tb_die("error reading %s", in);
	fclose(f);

	struct tb_clip_frame *frames;
	size_t count;
	char err[256];
	if (tb_clip_scan(data, len, (int)num, (int)den, &frames, &count, err, sizeof err))
		tb_die("%s: %s", in, err);
	FILE *of = out ? fopen(out, "w") : stdout;
	if (!of)
		tb_die_errno("cannot create %s", out);
	if (tb_clip_write_index(of, name, (int)w, (int)h, (int)num, (int)den, frames, count, len) ||
	    (out && fclose(of)))
		tb_die("error writing the index");
	free(frames);
	free(data);
	return 0;
}
