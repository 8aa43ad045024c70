/* RTP parsing for the receiver; see tb/rtp_parse.h. Every read is bounds
 * checked against the datagram length before it happens. */
#include "tb/rtp_parse.h"

#include <string.h>

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) << 32 | rd32(p + 4); }

/* Walk an RFC 8285 one-byte-header block of blen bytes. Returns 0 or
 * TB_RTP_ERR_EXT_ELEMENT; sets out->has_ext when all our elements are there. */
static int parse_one_byte_ext(const uint8_t *b, size_t blen, struct tb_rtp_packet *out)
{
	unsigned seen = 0;
	size_t i = 0;
	while (i < blen) {
		unsigned id = b[i] >> 4, l = (b[i] & 0x0f) + 1u;
		if (id == 0) { /* padding byte (its length nibble must be 0 per RFC 8285) */
			i++;
			continue;
		}
		if (id == 15) /* reserved: stop processing the rest of the block */
			break;
		if (i + 1 + l > blen)
			return TB_RTP_ERR_EXT_ELEMENT;
		const uint8_t *d = b + i + 1;
		if (id == TB_RTP_EXT_ID_FRAME || id == TB_RTP_EXT_ID_CAPTURE || id == TB_RTP_EXT_ID_SEND) {
			if (l != 8 || (seen & (1u << id)))
				return TB_RTP_ERR_EXT_ELEMENT;
			seen |= 1u << id;
			if (id == TB_RTP_EXT_ID_FRAME) {
				out->ext.frame_no = rd32(d);
				out->ext.pkt_index = rd16(d + 4);
				out->ext.pkt_count = rd16(d + 6);
				if (out->ext.pkt_count == 0 || out->ext.pkt_index >= out->ext.pkt_count)
					return TB_RTP_ERR_EXT_ELEMENT;
			} else {
				uint64_t v = rd64(d);
				if (v > (uint64_t)INT64_MAX)
					return TB_RTP_ERR_EXT_ELEMENT;
				if (id == TB_RTP_EXT_ID_CAPTURE)
					out->ext.capture_ns = (int64_t)v;
				else
					out->ext.send_ns = (int64_t)v;
			}
		}
		i += 1 + l;
	}
	const unsigned ours = 1u << TB_RTP_EXT_ID_FRAME | 1u << TB_RTP_EXT_ID_CAPTURE |
			      1u << TB_RTP_EXT_ID_SEND;
	out->has_ext = (seen & ours) == ours;
	return 0;
}

int tb_rtp_parse(const uint8_t *buf, size_t len, struct tb_rtp_packet *out)
{
	memset(out, 0, sizeof *out);
	if (!buf || len < TB_RTP_HDR_LEN)
		return TB_RTP_ERR_TRUNCATED;
	if (len > TB_RTP_MAX_DATAGRAM)
		return TB_RTP_ERR_OVERSIZED;
	if (buf[0] >> 6 != TB_RTP_VERSION)
		return TB_RTP_ERR_VERSION;
	int padding = buf[0] & 0x20, extension = buf[0] & 0x10;
	size_t csrc = buf[0] & 0x0f;
	out->marker = buf[1] >> 7;
	out->payload_type = buf[1] & 0x7f;
	out->seq = rd16(buf + 2);
	out->timestamp = rd32(buf + 4);
	out->ssrc = rd32(buf + 8);

	size_t end = len;
	if (padding) {
		size_t pad = buf[len - 1];
		if (pad == 0 || pad > len - TB_RTP_HDR_LEN)
			return TB_RTP_ERR_PADDING;
		end -= pad;
	}
	size_t off = TB_RTP_HDR_LEN + 4 * csrc;
	if (off > end)
		return TB_RTP_ERR_CSRC;
	if (extension) {
		if (off + 4 > end)
			return TB_RTP_ERR_EXT_LEN;
		uint16_t profile = rd16(buf + off);
		size_t blen = 4 * (size_t)rd16(buf + off + 2);
		if (off + 4 + blen > end)
			return TB_RTP_ERR_EXT_LEN;
		if (profile == TB_RTP_EXT_PROFILE) {
			int r = parse_one_byte_ext(buf + off + 4, blen, out);
			if (r)
				return r;
		}
		off += 4 + blen;
	}
	out->payload = buf + off;
	out->payload_len = end - off;
	return TB_RTP_OK;
}

const char *tb_rtp_parse_errname(int code)
{
	switch (code) {
	case TB_RTP_OK: return "ok";
	case TB_RTP_ERR_TRUNCATED: return "truncated";
	case TB_RTP_ERR_VERSION: return "bad-version";
	case TB_RTP_ERR_PADDING: return "bad-padding";
	case TB_RTP_ERR_CSRC: return "bad-csrc-length";
	case TB_RTP_ERR_EXT_LEN: return "bad-extension-length";
	case TB_RTP_ERR_EXT_ELEMENT: return "bogus-extension-element";
	case TB_RTP_ERR_OVERSIZED: return "oversized";
	default: return "unknown";
	}
}
