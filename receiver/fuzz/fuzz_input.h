/* The fuzzing harness's input format, shared by the libFuzzer target and the
 * corpus replay test: a byte string is a sequence of datagrams, each
 *   u16 big-endian length (taken modulo 4096), u8 arrival gap in ms, bytes
 * (the last one truncated to what is left). They go through the parser, the
 * reassembler and the H.264 depacketizer with small bounds (8 frames, 64 KiB,
 * 30 ms hold) so eviction paths are reached too. */
#ifndef TB_FUZZ_INPUT_H
#define TB_FUZZ_INPUT_H

#include "reasm.h"

#include <stddef.h>
#include <stdint.h>

struct tb_fuzz_result {
	struct tb_recv_counters c;
	uint64_t frames_seen, pkts_logged;
	size_t frames_in_flight_max, bytes_in_flight_max, frames_after, bytes_after;
};

void tb_fuzz_run(const uint8_t *data, size_t size, struct tb_fuzz_result *res);

/* Build the input format: append one datagram to buf (returns new length,
 * or 0 when it does not fit). */
size_t tb_fuzz_append(uint8_t *buf, size_t len, size_t cap, const uint8_t *dgram, size_t dlen, uint8_t gap_ms);

#endif
