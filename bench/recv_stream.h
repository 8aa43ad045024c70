/* Benchmark helper: a clip packetized once by the sender's packetizer, then
 * replayed in loops with sequence and frame numbers rewritten so the stream
 * never repeats. */
#ifndef TB_BENCH_RECV_STREAM_H
#define TB_BENCH_RECV_STREAM_H

#include "tb/clip.h"

#include <stddef.h>
#include <stdint.h>

struct pkts {
	uint8_t **data;
	size_t *len, n;
	uint32_t frames;
};

void packetize(const struct tb_clip *c, struct pkts *p);
/* Rewrite sequence and frame numbers of packet i for loop `loop`. */
void relabel(struct pkts *p, size_t i, uint32_t loop);

#endif
