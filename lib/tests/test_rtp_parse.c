/* tb_rtp_parse: well-formed packets with and without our extension, each
 * rejection reason, and every truncation of a valid packet. Packets are
 * written byte by byte here, independently of the packetizer. */
#include "tb/check.h"
#include "tb/rtp_parse.h"

#include <stdlib.h>
#include <string.h>

static size_t put_hdr(uint8_t *b, int ext, int marker, uint16_t seq, uint32_t ts, uint32_t ssrc)
{
	b[0] = 0x80 | (ext ? 0x10 : 0);
	b[1] = (uint8_t)((marker ? 0x80 : 0) | 96);
	b[2] = seq >> 8; b[3] = seq & 0xff;
	for (int i = 0; i < 4; i++) {
		b[4 + i] = (uint8_t)(ts >> (24 - 8 * i));
		b[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	}
	return 12;
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* Our 32-byte extension block. */
static size_t put_ext(uint8_t *b, uint32_t frame, uint16_t idx, uint16_t cnt, uint64_t cap, uint64_t snd)
{
	put_be(b, 0xBEDE, 2);
	put_be(b + 2, 7, 2);
	b[4] = 1 << 4 | 7;
	put_be(b + 5, frame, 4); put_be(b + 9, idx, 2); put_be(b + 11, cnt, 2);
	b[13] = 2 << 4 | 7;
	put_be(b + 14, cap, 8);
	b[22] = 3 << 4 | 7;
	put_be(b + 23, snd, 8);
	b[31] = 0;
	return 32;
}

static void test_valid(void)
{
	uint8_t b[200] = {0};
	struct tb_rtp_packet p;
	size_t n = put_hdr(b, 1, 1, 0xfffe, 123456, 0xdeadbeef);
	n += put_ext(b + n, 77, 2, 5, 1700000000123456789ULL, 1700000000123999999ULL);
	memcpy(b + n, "\x65\x88\x84", 3);
	n += 3;
	CHECK_EQ_I64(tb_rtp_parse(b, n, &p), TB_RTP_OK);
	CHECK_EQ_I64(p.marker, 1);
	CHECK_EQ_I64(p.payload_type, 96);
	CHECK_EQ_I64(p.seq, 0xfffe);
	CHECK_EQ_I64(p.timestamp, 123456);
	CHECK_EQ_I64(p.ssrc, 0xdeadbeef);
	CHECK_EQ_I64(p.has_ext, 1);
	CHECK_EQ_I64(p.ext.frame_no, 77);
	CHECK_EQ_I64(p.ext.pkt_index, 2);
	CHECK_EQ_I64(p.ext.pkt_count, 5);
	CHECK_EQ_I64(p.ext.capture_ns, 1700000000123456789LL);
	CHECK_EQ_I64(p.ext.send_ns, 1700000000123999999LL);
	CHECK_EQ_I64(p.payload_len, 3);
	CHECK(p.payload == b + 44);

	/* Without extension, with two CSRCs and 4 bytes of padding. */
	n = put_hdr(b, 0, 0, 5, 9, 1);
	b[0] |= 0x20 | 2;
	memset(b + 12, 0xaa, 8);
	memcpy(b + 20, "\x41\x9a", 2);
	memcpy(b + 22, "\0\0\0\x04", 4);
	CHECK_EQ_I64(tb_rtp_parse(b, 26, &p), TB_RTP_OK);
	CHECK_EQ_I64(p.has_ext, 0);
	CHECK_EQ_I64(p.payload_len, 2);
	CHECK(p.payload == b + 20);

	/* A foreign extension profile (two-byte header, 0x1000) is skipped. */
	n = put_hdr(b, 1, 0, 1, 1, 1);
	put_be(b + n, 0x1000, 2); put_be(b + n + 2, 1, 2);
	memset(b + n + 4, 0xff, 4);
	b[n + 8] = 0x41;
	CHECK_EQ_I64(tb_rtp_parse(b, n + 9, &p), TB_RTP_OK);
	CHECK_EQ_I64(p.has_ext, 0);
	CHECK_EQ_I64(p.payload_len, 1);

	/* One-byte header block with an unknown element and padding, no ours. */
	n = put_hdr(b, 1, 0, 1, 1, 1);
	put_be(b + n, 0xBEDE, 2); put_be(b + n + 2, 1, 2);
	b[n + 4] = 5 << 4 | 1; b[n + 5] = 1; b[n + 6] = 2; b[n + 7] = 0;
	CHECK_EQ_I64(tb_rtp_parse(b, n + 8, &p), TB_RTP_OK);
	CHECK_EQ_I64(p.has_ext, 0);
	CHECK_EQ_I64(p.payload_len, 0);
}

static void test_rejections(void)
{
	uint8_t b[200] = {0};
	struct tb_rtp_packet p;
	size_t n;

	CHECK_EQ_I64(tb_rtp_parse(b, 0, &p), TB_RTP_ERR_TRUNCATED);
	CHECK_EQ_I64(tb_rtp_parse(NULL, 0, &p), TB_RTP_ERR_TRUNCATED);
	n = put_hdr(b, 0, 0, 1, 1, 1);
	CHECK_EQ_I64(tb_rtp_parse(b, 11, &p), TB_RTP_ERR_TRUNCATED);

	b[0] = 0x40;
	CHECK_EQ_I64(tb_rtp_parse(b, 20, &p), TB_RTP_ERR_VERSION);
	b[0] = 0xc0;
	CHECK_EQ_I64(tb_rtp_parse(b, 20, &p), TB_RTP_ERR_VERSION);

	n = put_hdr(b, 0, 0, 1, 1, 1);
	b[0] |= 0x20;
	b[n] = 0x41; b[n + 1] = 0;           /* padding count 0 */
	CHECK_EQ_I64(tb_rtp_parse(b, n + 2, &p), TB_RTP_ERR_PADDING);
	b[n + 1] = 3;                        /* 3 > 2 bytes after the header */
	CHECK_EQ_I64(tb_rtp_parse(b, n + 2, &p), TB_RTP_ERR_PADDING);

	n = put_hdr(b, 0, 0, 1, 1, 1);
	b[0] |= 3;                           /* 3 CSRCs = 12 bytes, only 8 there */
	CHECK_EQ_I64(tb_rtp_parse(b, n + 8, &p), TB_RTP_ERR_CSRC);

	n = put_hdr(b, 1, 0, 1, 1, 1);
	CHECK_EQ_I64(tb_rtp_parse(b, n + 3, &p), TB_RTP_ERR_EXT_LEN);
	put_be(b + n, 0xBEDE, 2); put_be(b + n + 2, 10, 2);   /* 40 bytes declared */
	CHECK_EQ_I64(tb_rtp_parse(b, n + 20, &p), TB_RTP_ERR_EXT_LEN);

	/* Element overrunning its block: L=8 in a 4-byte block. */
	put_be(b + n + 2, 1, 2);
	b[n + 4] = 1 << 4 | 7;
	CHECK_EQ_I64(tb_rtp_parse(b, n + 8 + 4, &p), TB_RTP_ERR_EXT_ELEMENT);
	/* Our frame element with the wrong size. */
	b[n + 4] = 1 << 4 | 1;
	CHECK_EQ_I64(tb_rtp_parse(b, n + 8 + 4, &p), TB_RTP_ERR_EXT_ELEMENT);

	/* Our extension with index >= count, count 0, a repeated element, a
	 * negative time. */
	n = put_hdr(b, 1, 0, 1, 1, 1);
	put_ext(b + n, 1, 5, 5, 1, 1);
	CHECK_EQ_I64(tb_rtp_parse(b, n + 33, &p), TB_RTP_ERR_EXT_ELEMENT);
	put_ext(b + n, 1, 0, 0, 1, 1);
	CHECK_EQ_I64(tb_rtp_parse(b, n + 33, &p), TB_RTP_ERR_EXT_ELEMENT);
	put_ext(b + n, 1, 0, 1, 1, 1);
	b[n + 22] = 2 << 4 | 7;
	CHECK_EQ_I64(tb_rtp_parse(b, n + 33, &p), TB_RTP_ERR_EXT_ELEMENT);
	put_ext(b + n, 1, 0, 1, 1ULL << 63, 1);
	CHECK_EQ_I64(tb_rtp_parse(b, n + 33, &p), TB_RTP_ERR_EXT_ELEMENT);

	static uint8_t big[70000];
	put_hdr(big, 0, 0, 1, 1, 1);
	CHECK_EQ_I64(tb_rtp_parse(big, sizeof big, &p), TB_RTP_ERR_OVERSIZED);

	CHECK(strcmp(tb_rtp_parse_errname(TB_RTP_ERR_PADDING), "bad-padding") == 0);
	CHECK(strcmp(tb_rtp_parse_errname(TB_RTP_ERR_EXT_ELEMENT), "bogus-extension-element") == 0);
	CHECK(strcmp(tb_rtp_parse_errname(-99), "unknown") == 0);
}

/* Every prefix of a valid packet with extension is either rejected or (only
 * once the whole header + extension is there) accepted; a heap copy of the
 * exact length lets ASan catch any read past the end. Random bytes never
 * crash and give only known codes. */
static void test_truncations_and_noise(void)
{
	uint8_t b[64];
	size_t n = put_hdr(b, 1, 1, 9, 9, 9);
	n += put_ext(b + n, 1, 0, 1, 5, 6);
	b[n++] = 0x65;
	for (size_t k = 0; k <= n; k++) {
		uint8_t *c = malloc(k ? k : 1);
		memcpy(c, b, k);
		struct tb_rtp_packet p;
		int r = tb_rtp_parse(c, k, &p);
		if (k < 12)
			CHECK_EQ_I64(r, TB_RTP_ERR_TRUNCATED);
		else if (k < 44)
			CHECK_EQ_I64(r, TB_RTP_ERR_EXT_LEN);
		else
			CHECK(r == TB_RTP_OK && p.has_ext && p.payload_len == k - 44);
		free(c);
	}
	srand(7);
	int bad = 0;
	for (int i = 0; i < 20000; i++) {
		size_t k = (size_t)(rand() % 80);
		uint8_t *c = malloc(k ? k : 1);
		for (size_t j = 0; j < k; j++)
			c[j] = (uint8_t)rand();
		struct tb_rtp_packet p;
		int r = tb_rtp_parse(c, k, &p);
		if (r > 0 || r < TB_RTP_ERR_OVERSIZED)
			bad++;
		if (r == 0 && (p.payload < c || p.payload + p.payload_len > c + k))
			bad++;
		free(c);
	}
	CHECK_EQ_I64(bad, 0);
}

int main(void)
{
	test_valid();
	test_rejections();
	test_truncations_and_noise();
	return TB_CHECK_SUMMARY();
}
