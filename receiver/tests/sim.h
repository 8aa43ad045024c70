/* Test helper: packetize the frames of a clip with the sender's packetizer
 * into an in-memory packet list, and collect what the reassembler emits. */
#ifndef TB_RECV_TEST_SIM_H
#define TB_RECV_TEST_SIM_H

#include "reasm.h"
#include "tb/clip.h"

#include <stddef.h>
#include <stdint.h>

struct sim_pkt {
	uint8_t *data;
	size_t len;
	int frame;                /* index of its frame in the clip */
};

struct sim_stream {
	struct sim_pkt *pkts;
	size_t n;
	int *frame_pkts;          /* packets per frame */
	int *frame_first;         /* index in pkts of each frame's first packet */
	int nframes;
};

/* Packetize frames [0, nframes) of clip c. with_ext: our extension (frame
 * numbers frame_base + i, capture_ns = base time + pts). Returns 0 or -1. */
int sim_packetize(const struct tb_clip *c, int nframes, uint32_t ssrc, uint16_t first_seq,
		  int with_ext, uint32_t frame_base, struct sim_stream *s);
void sim_free(struct sim_stream *s);

/* Copies of every emitted frame record (Annex-B bytes too). */
struct sim_frame {
	struct tb_frame_rec rec;
	uint8_t *annexb;
};
struct sim_sink {
	struct sim_frame *f;
	size_t n, cap;
};
void sim_sink_frame(void *ctx, const struct tb_frame_rec *f);
void sim_sink_free(struct sim_sink *k);
/* The record of (stream, frame_no), or NULL. */
const struct sim_frame *sim_find(const struct sim_sink *k, uint32_t stream, int64_t frame_no);

/* Load a clip by name; when it cannot be loaded (the clips not generated),
 * says why on stderr and returns -1, and the caller counts a failed check:
 * a test without its input fails, it never skips. */
int sim_load_clip(const char *name, struct tb_clip *c);

#endif
