/* Frame reassembly and accounting for one received RTP/H.264 flow.
 *
 * Feed it datagrams with their arrival times (tb_reasm_packet); it parses
 * them, tracks extended sequence numbers per SSRC (16-bit wrap, reordering,
 * duplicates), groups packets into frames and hands each finished frame, in
 * frame order, to a callback with its accounting and its Annex-B bytes.
 *
 * Frames are identified by our extension's frame number when the stream
 * carries it (packets expected = the extension's packet count), otherwise by
 * RTP timestamp, delimited by sequence numbers and the marker bit (packets
 * expected = from the end of the previous frame to this frame's marker
 * packet; a frame lost entirely is then indistinguishable from loss at the
 * head of the next one, so its packets count against that one).
 *
 * A frame is finished when all its packets are there and every earlier frame
 * is finished, when hold_ns (arrival clock) passed since its last packet
 * came, or when the bounds on frames/bytes in flight force it out. A
 * packet for an already finished frame is "late" and not added to it.
 * A new SSRC ends the current stream (all its frames are finished) and
 * starts a new one, numbered by `stream`. So does a sender restarting with
 * the same SSRC (with the extension: a frame number more than 300 frames
 * back together with a sequence number more than 1000 away).
 *
 * Decodability (the reference chain rule): a frame is decodable when it is
 * complete and either an IDR frame or every reference frame since the last
 * IDR was decodable; a damaged non-reference frame (nal_ref_idc 0) does not
 * break the chain, a frame lost entirely (unknown) does. */
#ifndef TB_REASM_H
#define TB_REASM_H

#include "h264_depay.h"
#include "tb/rtp_parse.h"

#include <stddef.h>
#include <stdint.h>

struct tb_reasm_cfg {
	int64_t hold_ns;          /* how long an incomplete frame waits; default 500 ms */
	size_t max_frames;        /* frames in flight; default 256 */
	size_t max_bytes;         /* payload bytes buffered; default 64 MiB */
	size_t max_frame_pkts;    /* packets of one frame; default 8192 */
	int select_ssrc;          /* nonzero: only packets of SSRC `ssrc` */
	uint32_t ssrc;
	int payload_type;         /* > 0: only packets of this payload type; 0: any */
};

/* Malformed-packet reasons beyond the parser's (tb_rtp_parse_err). */
enum tb_reasm_malformed {
	TB_MAL_PARSE_FIRST = 0,       /* 0..6: parser codes -1..-7 */
	TB_MAL_EMPTY = 7,             /* RTP packet without payload */
	TB_MAL_NO_EXT = 8,            /* extension missing in a stream that has it */
	TB_MAL_EXT_MISMATCH = 9,      /* extension contradicts the frame's other packets */
	TB_MAL_FRAME_TOO_BIG = 10,    /* more packets than max_frame_pkts */
	TB_MAL_PAYLOAD = 11,          /* impossible or unsupported H.264 payload */
	TB_MAL_COUNT = 12
};
const char *tb_reasm_malformed_name(int reason);

struct tb_recv_counters {
	uint64_t datagrams;       /* everything fed in */
	uint64_t received;        /* unique, well-formed RTP packets */
	uint64_t expected;        /* sum over streams of highest - lowest ext seq + 1 */
	uint64_t duplicates, reordered, late, stale_ssrc;
	uint64_t rtcp;            /* RTCP multiplexed on the port (RFC 5761): ignored */
	uint64_t filtered;        /* other SSRC / payload type than selected: ignored */
	uint64_t malformed;       /* sum of malformed_by[] */
	uint64_t malformed_by[TB_MAL_COUNT];
	uint64_t frames, frames_complete, frames_decodable, frames_forced;
	uint64_t frames_untracked;   /* frame-number gaps too large to emit row by row */
	uint64_t streams;            /* streams seen (1 + SSRC changes + restarts) */
	uint64_t restarts;           /* sender restarts within one SSRC */
};

#define TB_SEQ_UNKNOWN INT64_MIN

struct tb_frame_rec {
	uint32_t stream;          /* 0 for the first SSRC, +1 at each change */
	uint32_t ssrc;
	int64_t frame_no;         /* extension frame number, else 0,1,2.. per stream */
	int has_ext;
	uint32_t rtp_ts;
	int64_t first_seq;        /* extended sequence number of its first packet: the RTP
				   * number, counting on past 65535 across wraps
				   * (TB_SEQ_UNKNOWN for a frame lost entirely) */
	int pkts_expected;        /* -1 unknown */
	int pkts_received;
	int complete;             /* every packet arrived and its payload is well-formed */
	int decodable;            /* reference chain rule (see above) */
	int64_t size_bytes;       /* Annex-B bytes reassembled */
	int64_t first_arrival_ns, last_arrival_ns;   /* -1 when nothing arrived */
	int64_t capture_ns, send_ns, latency_ns;     /* -1 unknown */
	struct tb_au_info au;
	const uint8_t *annexb;    /* valid only during the callback */
	size_t annexb_len;
};

/* One accepted packet (for the optional per-packet log). status: 0 in a
 * frame, 1 duplicate, 2 late. */
struct tb_pkt_rec {
	uint32_t stream;
	int64_t ext_seq;          /* as tb_frame_rec.first_seq */
	int64_t frame_no;         /* -1 when not known yet (no extension) */
	size_t size;
	int64_t send_ns, arrival_ns;
	int status;
};

typedef void (*tb_frame_cb)(void *ctx, const struct tb_frame_rec *f);
typedef void (*tb_pkt_cb)(void *ctx, const struct tb_pkt_rec *p);

struct tb_reasm;

/* cfg may be NULL for defaults; pcb may be NULL. Returns NULL on ENOMEM. */
struct tb_reasm *tb_reasm_new(const struct tb_reasm_cfg *cfg, tb_frame_cb fcb, tb_pkt_cb pcb,
			      void *ctx);
void tb_reasm_free(struct tb_reasm *r);

/* One datagram (UDP payload) and when it arrived (CLOCK_REALTIME ns). */
void tb_reasm_packet(struct tb_reasm *r, const uint8_t *buf, size_t len, int64_t arrival_ns);

/* Finish frames whose hold time has passed by now_ns (call when idle). */
void tb_reasm_tick(struct tb_reasm *r, int64_t now_ns);

/* Finish every frame in flight (end of input). */
void tb_reasm_flush(struct tb_reasm *r);

/* Counters so far (expected includes the current stream). */
void tb_reasm_counters(const struct tb_reasm *r, struct tb_recv_counters *out);

size_t tb_reasm_frames_in_flight(const struct tb_reasm *r);
size_t tb_reasm_bytes_in_flight(const struct tb_reasm *r);

#endif
