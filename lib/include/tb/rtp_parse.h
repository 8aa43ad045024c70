/* Receiver-side RTP parsing (RFC 3550 header, RFC 8285 one-byte header
 * extension, our three elements from tb/rtp.h). tb_rtp_parse must survive
 * arbitrary bytes: it only reads inside [buf, buf + len) and never allocates.
 * The payload pointer of a parsed packet points into buf. */
#ifndef TB_RTP_PARSE_H
#define TB_RTP_PARSE_H

#include "tb/rtp.h"

#include <stddef.h>
#include <stdint.h>

/* Why a datagram is not a usable RTP packet (negative return codes). */
enum tb_rtp_parse_err {
	TB_RTP_OK = 0,
	TB_RTP_ERR_TRUNCATED = -1,   /* shorter than the fixed 12-byte header */
	TB_RTP_ERR_VERSION = -2,     /* version field is not 2 */
	TB_RTP_ERR_PADDING = -3,     /* padding count 0 or larger than what follows the header */
	TB_RTP_ERR_CSRC = -4,        /* CSRC list runs past the end */
	TB_RTP_ERR_EXT_LEN = -5,     /* extension header or its declared length runs past the end */
	TB_RTP_ERR_EXT_ELEMENT = -6, /* RFC 8285 element overruns its block, or one of our
				      * elements has the wrong size or impossible values */
	TB_RTP_ERR_OVERSIZED = -7,   /* longer than any UDP payload can be (65507 bytes) */
	TB_RTP_ERR_COUNT_ = 8        /* number of codes including OK, for tables */
};

#define TB_RTP_MAX_DATAGRAM 65507

/* Parse one datagram. Returns TB_RTP_OK or a negative enum tb_rtp_parse_err.
 * On error *out is left in an unspecified but harmless state. Unknown
 * extension profiles and unknown element IDs are skipped (has_ext = 0 unless
 * all three of our elements are present and valid). */
int tb_rtp_parse(const uint8_t *buf, size_t len, struct tb_rtp_packet *out);

/* Short stable name of a return code ("ok", "truncated", "bad-version", ...). */
const char *tb_rtp_parse_errname(int code);

#endif
