/* RTP packetizer for H.264 (RFC 6184) with the testbed's RFC 8285 extension;
 * the layout is documented in tb/rtp.h. */
#include "tb/rtp_build.h"

#include <errno.h>
#include <string.h>

#define NAL_TYPE_AUD    9
#define NAL_TYPE_FILLER 12
#define NAL_TYPE_FU_A   28
#define FU_HDR_LEN      2

/* Offsets inside our extension block (which starts right after the fixed
 * RTP header): 4 bytes 0xBEDE + length, then three 9-byte elements. */
#define EXT_OFF_FRAME   (TB_RTP_HDR_LEN + 4)
#define EXT_OFF_CAPTURE (EXT_OFF_FRAME + 9)
#define EXT_OFF_SEND    (EXT_OFF_CAPTURE + 9)

/* The first i >= from with buf[i..i+2] = 00 00 01 (start_code) or 00 00 0x,
 * x <= 1 (the end of a NAL unit); len if there is none. memchr() skips the
 * runs without a zero byte (most of a slice) many bytes at a time: the
 * byte-by-byte scan it replaces was half of tb-send's CPU time. */
static size_t find_zero_zero(const uint8_t *buf, size_t i, size_t len, int start_code)
{
	while (i + 3 <= len) {
		const uint8_t *z = memchr(buf + i, 0, len - 2 - i);
		if (!z)
			return len;
		i = (size_t)(z - buf);
		if (buf[i + 1] == 0 && (start_code ? buf[i + 2] == 1 : buf[i + 2] <= 1))
			return i;
		i++;
	}
	return len;
}

int tb_annexb_next_nal(const uint8_t *buf, size_t len, size_t *pos, struct tb_nal *nal)
{
	size_t i = *pos;
	for (;;) {
		/* Find the next start code 00 00 01 at or after i. */
		i = find_zero_zero(buf, i, len, 1);
		if (i + 3 > len) {
			*pos = len;
			return 0;
		}
		size_t start = i + 3;
		/* The NAL unit runs to the next 00 00 00 or 00 00 01: emulation
		 * prevention guarantees neither occurs inside one. */
		size_t end = find_zero_zero(buf, start, len, 0);
		size_t stop = end;
		while (stop > start && buf[stop - 1] == 0)
			stop--; /* trailing_zero_8bits, or the first byte of a 4-byte start code */
		i = end;
		if (stop > start) {
			nal->data = buf + start;
			nal->len = stop - start;
			*pos = end;
			return 1;
		}
		/* An empty NAL unit (start code followed by a start code): skip it. */
	}
}

static int nal_is_sent(const struct tb_nal *n)
{
	int t = tb_nal_type(n);
	return t != NAL_TYPE_AUD && t != NAL_TYPE_FILLER;
}

static size_t header_len(const struct tb_frame_ext *ext)
{
	return TB_RTP_HDR_LEN + (ext ? TB_RTP_EXT_LEN : 0);
}

/* Packets one NAL unit needs when at most `room` payload bytes fit. */
static size_t nal_packets(size_t nal_len, size_t room)
{
	if (nal_len <= room)
		return 1;
	size_t frag_room = room - FU_HDR_LEN, rest = nal_len - 1; /* FU-A drops the NAL header */
	return (rest + frag_room - 1) / frag_room;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

void tb_packetizer_init(struct tb_packetizer *p, uint32_t ssrc, uint16_t first_seq, size_t max_packet)
{
	p->ssrc = ssrc;
	p->next_seq = first_seq;
	p->payload_type = TB_RTP_PT_H264;
	p->max_packet = max_packet;
}

size_t tb_packetize_max_pkts(size_t len, size_t max_packet)
{
	if (max_packet < TB_RTP_MIN_PACKET)
		return 0;
	size_t frag_room = max_packet - TB_RTP_HDR_LEN - TB_RTP_EXT_LEN - FU_HDR_LEN;
	/* Fragments of all NAL units together, plus at most one partly filled
	 * packet per NAL unit (each takes at least 4 bytes: start code + header). */
	return len / frag_room + len / 4 + 1;
}

size_t tb_packetize_max_bytes(size_t len, size_t max_packet)
{
	return len + tb_packetize_max_pkts(len, max_packet) * (TB_RTP_HDR_LEN + TB_RTP_EXT_LEN + FU_HDR_LEN);
}

/* Fixed RTP header and, if ext, our extension block; returns its length. */
static size_t write_header(uint8_t *out, const struct tb_packetizer *p, uint16_t seq, int marker,
			   uint32_t rtp_ts, const struct tb_frame_ext *ext, uint16_t index,
			   uint16_t count)
{
	out[0] = (uint8_t)(TB_RTP_VERSION << 6 | (ext ? 0x10 : 0));
	out[1] = (uint8_t)((marker ? 0x80 : 0) | (p->payload_type & 0x7f));
	put_be16(out + 2, seq);
	put_be32(out + 4, rtp_ts);
	put_be32(out + 8, p->ssrc);
	if (!ext)
		return TB_RTP_HDR_LEN;
	uint8_t *e = out + TB_RTP_HDR_LEN;
	put_be16(e, TB_RTP_EXT_PROFILE);
	put_be16(e + 2, (TB_RTP_EXT_LEN - 4) / 4);
	out[EXT_OFF_FRAME] = TB_RTP_EXT_ID_FRAME << 4 | 7; /* one-byte header: ID, length - 1 */
	put_be32(out + EXT_OFF_FRAME + 1, ext->frame_no);
	put_be16(out + EXT_OFF_FRAME + 5, index);
	put_be16(out + EXT_OFF_FRAME + 7, count);
	out[EXT_OFF_CAPTURE] = TB_RTP_EXT_ID_CAPTURE << 4 | 7;
	put_be64(out + EXT_OFF_CAPTURE + 1, (uint64_t)ext->capture_ns);
	out[EXT_OFF_SEND] = TB_RTP_EXT_ID_SEND << 4 | 7;
	put_be64(out + EXT_OFF_SEND + 1, 0);
	out[EXT_OFF_SEND + 9] = 0; /* padding to a 32-bit boundary */
	return TB_RTP_HDR_LEN + TB_RTP_EXT_LEN;
}

int tb_packetize_frame(struct tb_packetizer *p, const uint8_t *annexb, size_t len, uint32_t rtp_ts,
		       const struct tb_frame_ext *ext, struct tb_rtp_out *pkts, size_t max_pkts,
		       uint8_t *buf, size_t buf_len)
{
	if (!p || !annexb || p->max_packet < TB_RTP_MIN_PACKET || p->max_packet > TB_RTP_MAX_PACKET) {
		errno = EINVAL;
		return -1;
	}
	size_t hdr = header_len(ext), room = p->max_packet - hdr;

	/* Pass 1: count packets and bytes, so pkt_count is known up front and
	 * nothing is written when the caller's buffers are too small. */
	size_t count = 0, bytes = 0, pos = 0;
	struct tb_nal nal;
	while (tb_annexb_next_nal(annexb, len, &pos, &nal)) {
		if (!nal_is_sent(&nal))
			continue;
		size_t n = nal_packets(nal.len, room);
		count += n;
		bytes += n * hdr + (n == 1 ? nal.len : nal.len - 1 + n * FU_HDR_LEN);
	}
	if (count == 0 || count > UINT16_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (count > max_pkts || bytes > buf_len || !pkts || !buf) {
		errno = ENOSPC;
		return -1;
	}

	/* Pass 2: write them. */
	size_t k = 0, used = 0;
	pos = 0;
	while (tb_annexb_next_nal(annexb, len, &pos, &nal)) {
		if (!nal_is_sent(&nal))
			continue;
		size_t n = nal_packets(nal.len, room);
		const uint8_t *src = nal.data + (n == 1 ? 0 : 1);
		size_t rest = n == 1 ? nal.len : nal.len - 1;
		for (size_t f = 0; f < n; f++, k++) {
			uint8_t *out = buf + used;
			size_t h = write_header(out, p, (uint16_t)(p->next_seq + k), k + 1 == count, rtp_ts,
						ext, (uint16_t)k, (uint16_t)count);
			size_t chunk;
			if (n == 1) {
				chunk = rest;
			} else {
				/* Spread the NAL evenly over its fragments, so the last one
				 * is not a runt. */
				chunk = rest / n + (f < rest % n ? 1 : 0);
				out[h] = (uint8_t)((nal.data[0] & 0xe0) | NAL_TYPE_FU_A);
				out[h + 1] = (uint8_t)((f == 0 ? 0x80 : 0) | (f + 1 == n ? 0x40 : 0) |
						       (nal.data[0] & 0x1f));
				h += FU_HDR_LEN;
			}
			memcpy(out + h, src, chunk);
			src += chunk;
			pkts[k].data = out;
			pkts[k].len = h + chunk;
			used += h + chunk;
		}
	}
	p->next_seq = (uint16_t)(p->next_seq + count);
	return (int)count;
}

void tb_rtp_stamp_send_ns(uint8_t *pkt, int64_t send_ns)
{
	if (!(pkt[0] & 0x10) || pkt[TB_RTP_HDR_LEN] != 0xBE || pkt[TB_RTP_HDR_LEN + 1] != 0xDE ||
	    pkt[EXT_OFF_SEND] != (TB_RTP_EXT_ID_SEND << 4 | 7))
		return;
	put_be64(pkt + EXT_OFF_SEND + 1, (uint64_t)send_ns);
}
