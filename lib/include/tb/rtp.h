/* The testbed's RTP wire format: RFC 3550 RTP carrying H.264 per RFC 6184
 * (single NAL unit packets and FU-A), plus an RFC 8285 one-byte-header
 * extension (profile 0xBEDE) with three elements:
 *
 *   ID 1, 8 bytes: frame number (u32), packet index in frame (u16),
 *                  packet count of the frame (u16)
 *   ID 2, 8 bytes: capture_ns (u64) - when the frame was due to be sent,
 *                  i.e. its capture time in the clip mapped onto the run clock
 *   ID 3, 8 bytes: send_ns (u64) - when this packet was handed to send()
 *
 * All integers big-endian. Times are CLOCK_REALTIME nanoseconds of the
 * sending kernel; sender and receiver of a run share one kernel (the guest),
 * so receive time minus these is an exact one-way latency. Elements are
 * 9 bytes each (1 header byte + 8), 27 bytes padded to 28: the extension
 * block is 4 + 28 = 32 bytes. A receiver must accept streams without the
 * extension (any RTP/H.264 source) and then treats latency as unknown.
 *
 * Building packets lives in rtp_build.c (sender side), parsing in
 * rtp_parse.c (receiver side; must survive arbitrary bytes). */
#ifndef TB_RTP_H
#define TB_RTP_H

#include <stddef.h>
#include <stdint.h>

#define TB_RTP_VERSION      2
#define TB_RTP_PT_H264      96
#define TB_RTP_CLOCK_HZ     90000
#define TB_RTP_HDR_LEN      12
#define TB_RTP_EXT_PROFILE  0xBEDE
#define TB_RTP_EXT_ID_FRAME   1
#define TB_RTP_EXT_ID_CAPTURE 2
#define TB_RTP_EXT_ID_SEND    3
#define TB_RTP_EXT_LEN      32   /* bytes of our extension block, header included */
#define TB_RTP_DEFAULT_MAX_PACKET 1200 /* RTP packet bytes; fits IPv6 + VPN overhead in 1500 */

struct tb_frame_ext {
	uint32_t frame_no;
	uint16_t pkt_index;
	uint16_t pkt_count;
	int64_t capture_ns;
	int64_t send_ns;
};

struct tb_rtp_packet {
	uint8_t marker;            /* last packet of an access unit */
	uint8_t payload_type;
	uint16_t seq;
	uint32_t timestamp;        /* 90 kHz */
	uint32_t ssrc;
	int has_ext;               /* our extension present and well-formed */
	struct tb_frame_ext ext;
	const uint8_t *payload;    /* points into the parsed buffer */
	size_t payload_len;
};

#endif
