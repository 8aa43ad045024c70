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
 * sending kernel; sender and receiver of a run in the testbed share one
 * kernel (the guest), so receive time minus these is an exact one-way
 * latency. Across two hosts (field mode) the clock messages below measure
 * the offset between the two clocks. Elements are
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

/* Clock echoes (two hosts, two clocks; sender/README.md). Both are RTCP APP
 * packets (RFC 3550 6.7: V=2, subtype 0, PT 204, length in 32-bit words
 * minus one) on the stream's own port, so any RTP receiver that reads
 * RTCP multiplexed on that port (RFC 5761) can tell them from media:
 *
 *   echo   tb-recv -> tb-send, name "TBCE", 36 bytes: SSRC = the stream's,
 *          then t1 (the echoed packet's send_ns, sender clock), t2 (its
 *          arrival, receiver clock), t3 (this reply's send time, receiver
 *          clock); t4 is the echo's arrival at tb-send.
 *   offset tb-send -> tb-recv, name "TBCO", 36 bytes: SSRC, then offset_ns
 *          (receiver clock minus sender clock, i64), bound_ns (i64), echoes
 *          (u32: echoes the estimate rests on), 4 zero bytes. Sent only to a
 *          receiver that echoed.
 *
 * Times are u64/i64 big-endian nanoseconds at the byte offsets below. */
#define TB_RTCP_PT_APP      204
#define TB_CLOCK_MSG_LEN    36
#define TB_CLOCK_ECHO_NAME  "TBCE"
#define TB_CLOCK_OFFSET_NAME "TBCO"
#define TB_CLOCK_OFF_NAME   8   /* the 4-byte name */
#define TB_CLOCK_OFF_A      12  /* echo t1 | offset offset_ns */
#define TB_CLOCK_OFF_B      20  /* echo t2 | offset bound_ns */
#define TB_CLOCK_OFF_C      28  /* echo t3 | offset echoes (u32) */

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

static inline void tb_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline uint64_t tb_get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Header, SSRC and name of a clock message; the rest zeroed. */
static inline void tb_clock_msg_init(uint8_t p[TB_CLOCK_MSG_LEN], uint32_t ssrc, const char *name)
{
	for (int i = 0; i < TB_CLOCK_MSG_LEN; i++)
		p[i] = 0;
	p[0] = 0x80;
	p[1] = TB_RTCP_PT_APP;
	p[3] = TB_CLOCK_MSG_LEN / 4 - 1;
	for (int i = 0; i < 4; i++) {
		p[4 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
		p[TB_CLOCK_OFF_NAME + i] = (uint8_t)name[i];
	}
}

/* 1 when the datagram is a clock message of that name. */
static inline int tb_clock_msg_is(const uint8_t *p, size_t len, const char *name)
{
	return len == TB_CLOCK_MSG_LEN && p[0] == 0x80 && p[1] == TB_RTCP_PT_APP && p[2] == 0 &&
	       p[3] == TB_CLOCK_MSG_LEN / 4 - 1 && p[8] == (uint8_t)name[0] && p[9] == (uint8_t)name[1] &&
	       p[10] == (uint8_t)name[2] && p[11] == (uint8_t)name[3];
}

#endif
