#include "sim.h"

#include "tb/rtp_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_packetize(const struct tb_clip *c, int nframes, uint32_t ssrc, uint16_t first_seq,
		  int with_ext, uint32_t frame_base, struct sim_stream *s)
{
	memset(s, 0, sizeof *s);
	struct tb_packetizer pz;
	tb_packetizer_init(&pz, ssrc, first_seq, TB_RTP_DEFAULT_MAX_PACKET);
	size_t cap = 0;
	s->frame_pkts = calloc((size_t)nframes, sizeof *s->frame_pkts);
	s->frame_first = calloc((size_t)nframes, sizeof *s->frame_first);
	s->nframes = nframes;
	for (int i = 0; i < nframes; i++) {
		const uint8_t *au = tb_clip_frame_data(c, (size_t)i);
		size_t len = c->frames[i].size;
		size_t maxp = tb_packetize_max_pkts(len, pz.max_packet), maxb = tb_packetize_max_bytes(len, pz.max_packet);
		struct tb_rtp_out *out = malloc(maxp * sizeof *out);
		uint8_t *buf = malloc(maxb);
		struct tb_frame_ext ext = { .frame_no = frame_base + (uint32_t)i,
					    .capture_ns = 1700000000000000000LL + c->frames[i].pts_ns };
		uint32_t ts = (uint32_t)(c->frames[i].pts_ns * 9 / 100000);
		int n = tb_packetize_frame(&pz, au, len, ts, with_ext ? &ext : NULL, out, maxp, buf, maxb);
		if (n <= 0) {
			free(out);
			free(buf);
			return -1;
		}
		if (s->n + (size_t)n > cap) {
			cap = 2 * cap + (size_t)n + 64;
			s->pkts = realloc(s->pkts, cap * sizeof *s->pkts);
		}
		s->frame_first[i] = (int)s->n;
		s->frame_pkts[i] = n;
		for (int k = 0; k < n; k++) {
			uint8_t *d = malloc(out[k].len);
			memcpy(d, out[k].data, out[k].len);
			if (with_ext)
				tb_rtp_stamp_send_ns(d, ext.capture_ns + 1000);
			s->pkts[s->n++] = (struct sim_pkt){ d, out[k].len, i };
		}
		free(out);
		free(buf);
	}
	return 0;
}

void sim_free(struct sim_stream *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->pkts[i].data);
	free(s->pkts);
	free(s->frame_pkts);
	free(s->frame_first);
	memset(s, 0, sizeof *s);
}

void sim_sink_frame(void *ctx, const struct tb_frame_rec *f)
{
	struct sim_sink *k = ctx;
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 64;
		k->f = realloc(k->f, k->cap * sizeof *k->f);
	}
	struct sim_frame *x = &k->f[k->n++];
	x->rec = *f;
	x->annexb = malloc(f->annexb_len ? f->annexb_len : 1);
	if (f->annexb_len)
		memcpy(x->annexb, f->annexb, f->annexb_len);
	x->rec.annexb = x->annexb;
}

void sim_sink_free(struct sim_sink *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->f[i].annexb);
	free(k->f);
	memset(k, 0, sizeof *k);
}

const struct sim_frame *sim_find(const struct sim_sink *k, uint32_t stream, int64_t frame_no)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->f[i].rec.stream == stream && k->f[i].rec.frame_no == frame_no)
			return &k->f[i];
	return NULL;
}

int sim_load_clip(const char *name, struct tb_clip *c)
{
	char err[512];
	if (tb_clip_load(name, c, err, sizeof err)) {
		fprintf(stderr, "FAIL: clip %s cannot be loaded: %s; ./testbed test generates the clips first\n",
			name, err);
		return -1;
	}
	return 0;
}
