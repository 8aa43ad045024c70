/* Replays every file of the fuzz corpus (receiver/fuzz/corpus) through the
 * parser + reassembler + depacketizer in the plain build: no crash, bounded
 * buffering, every datagram accounted for exactly once. Hand-made seeds
 * named mal-<reason>-<N>[-what].bin must count exactly N malformed packets,
 * all of that reason; ok-*.bin none, with every frame complete. */
#include "fuzz_input.h"
#include "tb/check.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_named(const char *name, const struct tb_fuzz_result *r)
{
	if (strncmp(name, "ok-", 3) == 0) {
		CHECK_EQ_I64(r->c.malformed, 0);
		CHECK(r->c.frames > 0 && r->c.frames_complete == r->c.frames);
		CHECK_EQ_I64(r->c.received, r->c.expected);
		return;
	}
	if (strncmp(name, "mal-", 4) != 0)
		return;
	int best = -1;
	size_t best_len = 0;
	for (int i = 0; i < TB_MAL_COUNT; i++) {
		const char *n = tb_reasm_malformed_name(i);
		size_t l = strlen(n);
		if (strncmp(name + 4, n, l) == 0 && name[4 + l] == '-' && l > best_len) {
			best = i;
			best_len = l;
		}
	}
	CHECK(best >= 0);
	if (best < 0)
		return;
	long want = strtol(name + 4 + best_len + 1, NULL, 10);
	CHECK_EQ_I64(r->c.malformed_by[best], want);
	CHECK_EQ_I64(r->c.malformed, want);
	if (r->c.malformed != (uint64_t)want)
		fprintf(stderr, "  in %s\n", name);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_corpus DIR\n");
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		return 1;
	}
	struct dirent *e;
	int files = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "README") == 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		static uint8_t buf[1 << 20];
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		struct tb_fuzz_result r;
		tb_fuzz_run(buf, n, &r);
		files++;
		uint64_t usable_bad = r.c.malformed - r.c.malformed_by[TB_MAL_PAYLOAD];
		CHECK_EQ_I64(r.c.datagrams, r.c.received + r.c.duplicates + r.c.stale_ssrc + r.c.rtcp + r.c.filtered + usable_bad);
		CHECK(r.frames_in_flight_max <= 8);
		CHECK(r.bytes_in_flight_max <= 65536);
		CHECK_EQ_I64(r.frames_after, 0);
		CHECK_EQ_I64(r.bytes_after, 0);
		check_named(e->d_name, &r);
	}
	closedir(d);
	printf("%d corpus files replayed\n", files);
	CHECK(files >= 15);
	return TB_CHECK_SUMMARY();
}
