#include "fuzz_input.h"

#include <string.h>

struct ctx {
	struct tb_fuzz_result *res;
	uint64_t checksum;
};

static void on_frame(void *p, const struct tb_frame_rec *f)
{
	struct ctx *c = p;
	c->res->frames_seen++;
	/* Touch every output byte so ASan sees any bad pointer/length. */
	for (size_t i = 0; i < f->annexb_len; i++)
		c->checksum += f->annexb[i];
}

static void on_pkt(void *p, const struct tb_pkt_rec *k)
{
	struct ctx *c = p;
	(void)k;
	c->res->pkts_logged++;
}

void tb_fuzz_run(const uint8_t *data, size_t size, struct tb_fuzz_result *res)
{
	memset(res, 0, sizeof *res);
	struct ctx c = { res, 0 };
	struct tb_reasm_cfg cfg = { .hold_ns = 30000000, .max_frames = 8, .max_bytes = 65536,
				    .max_frame_pkts = 512 };
	struct tb_reasm *r = tb_reasm_new(&cfg, on_frame, on_pkt, &c);
	if (!r)
		return;
	int64_t t = 1000000000;
	size_t i = 0;
	while (i + 3 <= size) {
		size_t len = ((size_t)data[i] << 8 | data[i + 1]) % 4096;
		t += (int64_t)data[i + 2] * 1000000;
		i += 3;
		if (len > size - i)
			len = size - i;
		tb_reasm_packet(r, data + i, len, t);
		i += len;
		size_t fl = tb_reasm_frames_in_flight(r), by = tb_reasm_bytes_in_flight(r);
		if (fl > res->frames_in_flight_max)
			res->frames_in_flight_max = fl;
		if (by > res->bytes_in_flight_max)
			res->bytes_in_flight_max = by;
	}
	tb_reasm_tick(r, t + 10000000);
	tb_reasm_flush(r);
	tb_reasm_counters(r, &res->c);
	res->frames_after = tb_reasm_frames_in_flight(r);
	res->bytes_after = tb_reasm_bytes_in_flight(r);
	tb_reasm_free(r);
}

size_t tb_fuzz_append(uint8_t *buf, size_t len, size_t cap, const uint8_t *dgram, size_t dlen, uint8_t gap_ms)
{
	if (dlen >= 4096 || len + 3 + dlen > cap)
		return 0;
	buf[len] = (uint8_t)(dlen >> 8);
	buf[len + 1] = (uint8_t)dlen;
	buf[len + 2] = gap_ms;
	memcpy(buf + len + 3, dgram, dlen);
	return len + 3 + dlen;
}
