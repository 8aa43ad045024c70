#include "recv_stream.h"

#include "tb/rtp_build.h"

#include <stdlib.h>
#include <string.h>

void packetize(const struct tb_clip *c, struct pkts *p)
{
	struct tb_packetizer pz;
	tb_packetizer_init(&pz, 0x1234, 0, TB_RTP_DEFAULT_MAX_PACKET);
	size_t cap = 0;
	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < c->frame_count; i++) {
		size_t len = c->frames[i].size;
		size_t mp = tb_packetize_max_pkts(len, pz.max_packet), mb = tb_packetize_max_bytes(len, pz.max_packet);
		struct tb_rtp_out *out = malloc(mp * sizeof *out);
		uint8_t *buf = malloc(mb);
		struct tb_frame_ext ext = { .frame_no = (uint32_t)i, .capture_ns = 1000000000 + c->frames[i].pts_ns };
		int n = tb_packetize_frame(&pz, tb_clip_frame_data(c, i), len, (uint32_t)(c->frames[i].pts_ns * 9 / 100000),
					   &ext, out, mp, buf, mb);
		for (int k = 0; k < n; k++) {
			if (p->n == cap) {
				cap = cap ? 2 * cap : 4096;
				p->data = realloc(p->data, cap * sizeof *p->data);
				p->len = realloc(p->len, cap * sizeof *p->len);
			}
			p->data[p->n] = malloc(out[k].len);
			memcpy(p->data[p->n], out[k].data, out[k].len);
			p->len[p->n++] = out[k].len;
		}
		free(out);
		free(buf);
	}
	p->frames = (uint32_t)c->frame_count;
}

/* Rewrite sequence and frame numbers for loop `loop` of the clip. */
void relabel(struct pkts *p, size_t i, uint32_t loop)
{
	uint8_t *d = p->data[i];
	uint16_t seq = (uint16_t)(i + loop * p->n);
	d[2] = (uint8_t)(seq >> 8);
	d[3] = (uint8_t)seq;
	uint32_t f = ((uint32_t)d[17] << 24 | (uint32_t)d[18] << 16 | (uint32_t)d[19] << 8 | d[20]) % p->frames +
		     loop * p->frames;
	d[17] = (uint8_t)(f >> 24); d[18] = (uint8_t)(f >> 16); d[19] = (uint8_t)(f >> 8); d[20] = (uint8_t)f;
}

