/* Sender side of the wire format in tb/rtp.h: split H.264 Annex-B access
 * units into RTP packets (RFC 6184 single NAL unit packets and FU-A), each
 * with our RFC 8285 extension.
 *
 * Access unit delimiters (NAL type 9) and filler data (type 12) are not sent:
 * they carry nothing a decoder needs, and the RTP marker bit delimits access
 * units on the wire (RFC 6184 section 5.1). Every other NAL unit goes out
 * byte for byte, so depacketizing a stream gives back the clip's NAL units. */
#ifndef TB_RTP_BUILD_H
#define TB_RTP_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "tb/rtp.h"

/* One NAL unit inside an Annex-B buffer, without its start code. */
struct tb_nal {
	const uint8_t *data;
	size_t len;
};

/* Find the NAL unit at or after *pos in buf[0..len). A start code is 00 00 01
 * (a 4-byte 00 00 00 01 is a leading zero byte plus that); a NAL unit ends
 * where the next start code or the buffer begins, with trailing zero bytes
 * (trailing_zero_8bits) trimmed. Bytes before the first start code are
 * skipped. Returns 1 with *nal set and *pos advanced past it, or 0 when no
 * further NAL unit (of at least one byte) exists. */
int tb_annexb_next_nal(const uint8_t *buf, size_t len, size_t *pos, struct tb_nal *nal);

/* NAL unit type (low 5 bits of the header byte). */
static inline int tb_nal_type(const struct tb_nal *n) { return n->data[0] & 0x1f; }

/* Split one access unit (H.264 Annex-B bytes of one frame: start codes + NAL units) into RTP
 * packets: single NAL unit packets when a NAL fits, FU-A fragments otherwise (RFC 6184);
 * marker bit on the last packet of the frame; each packet carries our extension (if ext != NULL;
 * frame_no/capture_ns from *ext, pkt_index/pkt_count filled in, send_ns = 0 to be stamped).
 * Packets are written into out (caller's buffer, each at most max_packet bytes, see
 * tb_packetizer). Returns the number of packets, or -1 (with errno EINVAL/ENOSPC). */
struct tb_packetizer {
	uint32_t ssrc;
	uint16_t next_seq;
	uint8_t payload_type;
	size_t max_packet;
};

/* Smallest and largest max_packet the packetizer accepts. */
#define TB_RTP_MIN_PACKET 64
#define TB_RTP_MAX_PACKET 65507   /* largest UDP payload over IPv4 */

void tb_packetizer_init(struct tb_packetizer *p, uint32_t ssrc, uint16_t first_seq, size_t max_packet);

struct tb_rtp_out {
	uint8_t *data;
	size_t len;
}; /* one packet */

/* Packets are laid out back to back in buf; pkts[i].data points into it.
 * EINVAL: no NAL unit to send, max_packet out of range, or more than 65535
 * packets; ENOSPC: max_pkts or buf_len too small (use tb_packetize_bound).
 * On failure the sequence number is not advanced. */
int tb_packetize_frame(struct tb_packetizer *p, const uint8_t *annexb, size_t len, uint32_t rtp_ts,
		       const struct tb_frame_ext *ext, struct tb_rtp_out *pkts, size_t max_pkts,
		       uint8_t *buf, size_t buf_len);

/* Upper bounds for sizing the caller's buffers: packets and bytes that
 * tb_packetize_frame can need for an access unit of len bytes. */
size_t tb_packetize_max_pkts(size_t len, size_t max_packet);
size_t tb_packetize_max_bytes(size_t len, size_t max_packet);

/* Write send_ns into a packet built with our extension (just before send()).
 * Does nothing to a packet without it. */
void tb_rtp_stamp_send_ns(uint8_t *pkt, int64_t send_ns);

#endif
