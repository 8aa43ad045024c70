/* RFC 6184 depacketization of one access unit: RTP payloads (single NAL
 * unit, STAP-A, FU-A) in sequence order -> H.264 Annex-B bytes with 4-byte
 * start codes, plus what the receiver needs to know about the frame (IDR?
 * reference? slice type?) and about damage.
 *
 * Loss and malformation are told apart by sequence numbers: an FU-A that
 * cannot continue because packets are missing before it is loss (the partial
 * NAL is dropped, `damaged`); an FU-A sequence that is impossible although
 * no packet is missing (end or middle without start, start twice, mixed NAL
 * types, start and end in one fragment) is malformed. */
#ifndef TB_H264_DEPAY_H
#define TB_H264_DEPAY_H

#include <stddef.h>
#include <stdint.h>

struct tb_depay_pkt {
	int64_t ext_seq;          /* extended RTP sequence number */
	const uint8_t *payload;
	size_t len;
};

struct tb_au_info {
	int nals;                 /* NAL units written to the output */
	int slices;               /* of which coded slices (types 1 and 5) */
	int idr;                  /* an IDR slice is present */
	int reference;            /* some slice has nal_ref_idc != 0 */
	char type[4];             /* "IDR", "I", "P", "B" or "" when no slice header was read */
	int malformed_pkts;       /* packets with an impossible or unsupported payload */
	int dropped_nals;         /* partial NAL units dropped because of missing packets */
	int overflow;             /* output buffer too small; the rest was dropped */
};

/* pkts sorted by ext_seq (no duplicates). first_seq is the extended sequence
 * number the access unit should start at, or -1 when unknown (then the first
 * packet is treated as following a gap). Writes at most cap bytes to out and
 * returns the number written. */
size_t tb_depay_au(const struct tb_depay_pkt *pkts, size_t n, int64_t first_seq, uint8_t *out,
		   size_t cap, struct tb_au_info *info);

#endif
