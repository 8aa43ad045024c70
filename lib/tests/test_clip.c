/* Unit tests of the clip loader and of the packetizer on every frame of
 * every generated clip (datasets/generate.sh must have run: ./testbed setup
 * does that). Also: index parsing errors on hand-made files. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb/check.h"
#include "tb/clip.h"
#include "tb/rtp_build.h"

static const char *const clips[] = {"480p30", "720p30", "1080p30"};

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* The index agrees with a fresh scan of the file, and IDR frames carry SPS+PPS. */
static void check_index(const struct tb_clip *c)
{
	struct tb_clip_frame *fr;
	size_t n;
	char err[256];
	CHECK_EQ_I64(tb_clip_scan(c->data, c->data_len, c->fps_num, c->fps_den, &fr, &n, err, sizeof err), 0);
	CHECK_EQ_I64(n, c->frame_count);
	size_t mismatches = 0, idr = 0, idr_with_ps = 0;
	for (size_t i = 0; i < n && i < c->frame_count; i++) {
		const struct tb_clip_frame *a = &fr[i], *b = &c->frames[i];
		mismatches += a->number != b->number || a->type != b->type || a->idr != b->idr ||
			      a->offset != b->offset || a->size != b->size || a->pts_ns != b->pts_ns;
		if (!b->idr)
			continue;
		idr++;
		int sps = 0, pps = 0;
		size_t pos = 0;
		struct tb_nal nal;
		while (tb_annexb_next_nal(tb_clip_frame_data(c, i), b->size, &pos, &nal)) {
			sps |= tb_nal_type(&nal) == 7;
			pps |= tb_nal_type(&nal) == 8;
		}
		idr_with_ps += sps && pps;
	}
	free(fr);
	CHECK_EQ_I64(mismatches, 0);
	/* key-int-max=30 at 30 fps: an IDR every second, the first frame one. */
	CHECK_EQ_I64(idr, (c->frame_count + 29) / 30);
	CHECK_EQ_I64(idr_with_ps, idr);
	CHECK(c->frames[0].idr && c->frames[0].type == 'I');
	CHECK_EQ_I64(c->fps_num, 30);
	CHECK_EQ_I64(c->fps_den, 1);
	CHECK_EQ_I64(c->frames[c->frame_count - 1].pts_ns, (int64_t)(c->frame_count - 1) * 1000000000 / 30);
}

/* Packetize every frame; check each packet and that depacketizing gives back
 * the frame's NAL units (AUDs aside). */
static void check_packetize(const struct tb_clip *c, size_t max_packet)
{
	struct tb_packetizer p;
	tb_packetizer_init(&p, 0xCAFE, 65000, max_packet);
	size_t bad = 0, frames_ok = 0;
	uint16_t expect_seq = 65000;
	uint8_t *nal_buf = malloc(4 << 20);
	for (size_t i = 0; i < c->frame_count; i++) {
		const struct tb_clip_frame *f = &c->frames[i];
		size_t maxp = tb_packetize_max_pkts(f->size, max_packet), maxb = tb_packetize_max_bytes(f->size, max_packet);
		struct tb_rtp_out *pk = malloc(maxp * sizeof *pk);
		uint8_t *buf = malloc(maxb);
		struct tb_frame_ext ext = {.frame_no = (uint32_t)i + 1000, .capture_ns = f->pts_ns + 5};
		uint32_t ts = (uint32_t)(f->pts_ns * 90000 / 1000000000);
		int n = tb_packetize_frame(&p, tb_clip_frame_data(c, i), f->size, ts, &ext, pk, maxp, buf, maxb);
		if (n <= 0) {
			bad++;
			free(pk);
			free(buf);
			continue;
		}
		/* Depacketize into length-prefixed NAL units, compare with the source. */
		size_t out = 0, frame_bad = 0;
		int in_fu = 0;
		for (int k = 0; k < n; k++) {
			const uint8_t *d = pk[k].data;
			frame_bad += pk[k].len > max_packet || pk[k].len < 45;
			frame_bad += be(d + 2, 2) != expect_seq++;
			frame_bad += (d[1] >> 7) != (k == n - 1) || (d[1] & 0x7f) != 96 || be(d + 4, 4) != ts;
			frame_bad += be(d + 17, 4) != i + 1000 || be(d + 21, 2) != (unsigned)k ||
				     be(d + 23, 2) != (unsigned)n || be(d + 26, 8) != (uint64_t)f->pts_ns + 5;
			const uint8_t *pl = d + 44;
			size_t pl_len = pk[k].len - 44;
			if ((pl[0] & 0x1f) == 28) {
				int s = pl[1] >> 7, e = (pl[1] >> 6) & 1;
				frame_bad += s == in_fu;   /* start only outside a fragmented NAL */
				frame_bad += s && e;       /* a NAL that fits is never fragmented */
				if (s) {
					nal_buf[out++] = (uint8_t)((pl[0] & 0xe0) | (pl[1] & 0x1f));
					in_fu = 1;
				}
				memcpy(nal_buf + out, pl + 2, pl_len - 2);
				out += pl_len - 2;
				in_fu = !e;
			} else {
				frame_bad += in_fu || pl_len > max_packet - 44;
				memcpy(nal_buf + out, pl, pl_len);
				out += pl_len;
			}
			if (!in_fu)
				nal_buf[out++] = 0xEE; /* separator: never a NAL header byte here */
		}
		frame_bad += in_fu;
		/* The same sequence from the source. */
		size_t pos = 0, cmp = 0;
		struct tb_nal nal;
		while (tb_annexb_next_nal(tb_clip_frame_data(c, i), f->size, &pos, &nal)) {
			if (tb_nal_type(&nal) == 9)
				continue;
			if (cmp + nal.len + 1 > out || memcmp(nal_buf + cmp, nal.data, nal.len) != 0 ||
			    nal_buf[cmp + nal.len] != 0xEE) {
				frame_bad++;
				break;
			}
			cmp += nal.len + 1;
		}
		frame_bad += cmp != out;
		bad += frame_bad != 0;
		frames_ok += frame_bad == 0;
		free(pk);
		free(buf);
	}
	free(nal_buf);
	CHECK_EQ_I64(bad, 0);
	CHECK_EQ_I64(frames_ok, c->frame_count);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void check_load_errors(void)
{
	struct tb_clip c;
	char err[512], dir[] = "/tmp/tb-test-clip-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char h264[600], idx[600];
	snprintf(h264, sizeof h264, "%s/x.h264", dir);
	snprintf(idx, sizeof idx, "%s/x.idx", dir);

	CHECK_EQ_I64(tb_clip_load(h264, &c, err, sizeof err), -1);
	CHECK(strstr(err, "cannot open clip") && strstr(err, "generate.sh"));
	CHECK(c.data == NULL && c.frames == NULL);

	/* Two frames: AUD + IDR slice (first_mb 0, slice_type 7 = I), AUD + P slice. */
	static const uint8_t data[] = {0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x65, 0x88, 0x84,
				       0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x41, 0x9A, 0x02};
	FILE *f = fopen(h264, "wb");
	fwrite(data, 1, sizeof data, f);
	fclose(f);
	struct tb_clip_frame *fr;
	size_t n;
	CHECK_EQ_I64(tb_clip_scan(data, sizeof data, 30, 1, &fr, &n, err, sizeof err), 0);
	CHECK_EQ_I64(n, 2);
	if (n == 2) {
		CHECK(fr[0].type == 'I' && fr[0].idr == 1 && fr[0].offset == 0 && fr[0].size == 12);
		CHECK(fr[1].type == 'P' && fr[1].idr == 0 && fr[1].offset == 12 && fr[1].size == 12);
		CHECK_EQ_I64(fr[1].pts_ns, 33333333);
	}
	f = fopen(idx, "w");
	CHECK_EQ_I64(tb_clip_write_index(f, "x", 16, 16, 30, 1, fr, n, sizeof data), 0);
	fclose(f);
	free(fr);
	CHECK_EQ_I64(tb_clip_load(h264, &c, err, sizeof err), 0);
	CHECK_EQ_I64(c.frame_count, 2);
	CHECK(strcmp(c.name, "x") == 0);
	CHECK_EQ_I64(c.duration_ns, 66666666);
	tb_clip_free(&c);

	write_file(idx, "# tb-clip-index 1\n# clip=x width=16 height=16 fps=30/1 frames=2 bytes=24\n"
			"0 I 1 0 12 0\n1 P 0 13 11 33333333\n");
	CHECK_EQ_I64(tb_clip_load(h264, &c, err, sizeof err), -1);
	CHECK(strstr(err, "out of order, overlapping or extra") != NULL);
	write_file(idx, "# tb-clip-index 1\n# clip=x width=16 height=16 fps=30/1 frames=2 bytes=24\n"
			"0 I 1 0 12 0\n");
	CHECK_EQ_I64(tb_clip_load(h264, &c, err, sizeof err), -1);
	CHECK(strstr(err, "1 frames listed, header says 2") != NULL);
	write_file(idx, "# tb-clip-index 1\n# clip=x width=16 height=16 fps=30/1 frames=1 bytes=12\n"
			"0 I 1 0 12 0\n");
	CHECK_EQ_I64(tb_clip_load(h264, &c, err, sizeof err), -1);
	CHECK(strstr(err, "stale index") != NULL);
	write_file(idx, "# tb-clip-index 1\n# clip=x width=16 height=16 fps=30/1 frames=2 bytes=24\n"
			"0 X 1 0 12 0\n1 P 0 12 12 33333333\n");
	CHECK_EQ_I64(tb_clip_load(h264, &c, err, sizeof err), -1);
	CHECK(strstr(err, "malformed frame line") != NULL);
	write_file(idx, "0 I 1 0 12 0\n");
	CHECK_EQ_I64(tb_clip_load(h264, &c, err, sizeof err), -1);
	CHECK(strstr(err, "before the '# clip=' header") != NULL);

	/* A stream whose last access unit has no slice, and one with no NAL at all. */
	static const uint8_t noslice[] = {0, 0, 1, 0x65, 0x88, 0, 0, 1, 0x09, 0xF0};
	CHECK_EQ_I64(tb_clip_scan(noslice, sizeof noslice, 30, 1, &fr, &n, err, sizeof err), -1);
	CHECK(strstr(err, "has no slice") != NULL);
	CHECK_EQ_I64(tb_clip_scan(noslice, 2, 30, 1, &fr, &n, err, sizeof err), -1);
	CHECK(strstr(err, "no NAL unit") != NULL);

	/* A bare name resolves under $TB_CACHE/clips. */
	setenv("TB_CACHE", dir, 1);
	CHECK_EQ_I64(tb_clip_load("nosuchclip", &c, err, sizeof err), -1);
	char want[700];
	snprintf(want, sizeof want, "%s/clips/nosuchclip.h264", dir);
	CHECK(strstr(err, want) != NULL);
	unsetenv("TB_CACHE");

	unlink(h264);
	unlink(idx);
	rmdir(dir);
}

int main(void)
{
	check_load_errors();
	for (size_t k = 0; k < sizeof clips / sizeof clips[0]; k++) {
		struct tb_clip c;
		char err[512];
		if (tb_clip_load(clips[k], &c, err, sizeof err)) {
			fprintf(stderr, "test_clip: %s\n", err);
			CHECK(!"clip loads");
			continue;
		}
		CHECK_EQ_I64(c.frame_count, 300);
		check_index(&c);
		check_packetize(&c, TB_RTP_DEFAULT_MAX_PACKET);
		check_packetize(&c, 1472);
		check_packetize(&c, 200);
		tb_clip_free(&c);
	}
	return TB_CHECK_SUMMARY();
}
