/* Unit tests of the Annex-B NAL splitter and the RTP packetizer, on
 * hand-made inputs whose expected packets are worked out by hand. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tb/check.h"
#include "tb/rtp_build.h"

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void test_splitter(void)
{
	/* 4-byte start code, 3-byte start code, a NAL with emulation prevention
	 * (00 00 03 01 inside), trailing zero bytes, junk before the first start code. */
	static const uint8_t in[] = {0xAA, 0x00, 0x00, 0x00, 0x01, 0x09, 0xF0,
				     0x00, 0x00, 0x01, 0x67, 0x42, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x1F,
				     0x00, 0x00, 0x00, 0x00, 0x01, 0x65, 0x88, 0x00,
				     0x00, 0x00, 0x01, /* empty NAL: skipped */
				     0x00, 0x00, 0x01, 0x41, 0x9A, 0x00, 0x00};
	size_t pos = 0;
	struct tb_nal n;
	CHECK_EQ_I64(tb_annexb_next_nal(in, sizeof in, &pos, &n), 1);
	CHECK_EQ_I64(n.data - in, 5);
	CHECK_EQ_I64(n.len, 2);
	CHECK_EQ_I64(tb_nal_type(&n), 9);
	CHECK_EQ_I64(tb_annexb_next_nal(in, sizeof in, &pos, &n), 1);
	CHECK_EQ_I64(n.data - in, 10);
	CHECK_EQ_I64(n.len, 11); /* 67 42 00 00 03 01 00 00 03 00 1F */
	CHECK_EQ_I64(tb_nal_type(&n), 7);
	CHECK_EQ_I64(tb_annexb_next_nal(in, sizeof in, &pos, &n), 1);
	CHECK_EQ_I64(n.len, 2); /* 65 88: the 00 before the next 4-byte start code is trimmed */
	CHECK_EQ_I64(n.data[0], 0x65);
	CHECK_EQ_I64(tb_annexb_next_nal(in, sizeof in, &pos, &n), 1);
	CHECK_EQ_I64(n.len, 2); /* 41 9A: trailing zeros at the end of the buffer trimmed */
	CHECK_EQ_I64(n.data[1], 0x9A);
	CHECK_EQ_I64(tb_annexb_next_nal(in, sizeof in, &pos, &n), 0);
	CHECK_EQ_I64(tb_annexb_next_nal(in, sizeof in, &pos, &n), 0);

	/* No start code at all, and a buffer too short to hold one. */
	static const uint8_t none[] = {0x01, 0x00, 0x00, 0x02, 0x00, 0x00};
	pos = 0;
	CHECK_EQ_I64(tb_annexb_next_nal(none, sizeof none, &pos, &n), 0);
	pos = 0;
	CHECK_EQ_I64(tb_annexb_next_nal(none, 2, &pos, &n), 0);
	/* A start code at the very end has no NAL unit after it. */
	static const uint8_t tail[] = {0x00, 0x00, 0x01};
	pos = 0;
	CHECK_EQ_I64(tb_annexb_next_nal(tail, sizeof tail, &pos, &n), 0);
}

/* One access unit: AUD (not sent), SPS (4 bytes), a 1000-byte IDR slice. */
static size_t make_au(uint8_t *au, size_t slice_len)
{
	size_t n = 0;
	static const uint8_t head[] = {0, 0, 0, 1, 0x09, 0x10, 0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1F, 0, 0, 1};
	memcpy(au, head, sizeof head);
	n = sizeof head;
	au[n++] = 0x65;
	for (size_t i = 1; i < slice_len; i++)
		au[n++] = (uint8_t)(i % 251 + 2); /* never 0: no start code emulation */
	return n;
}

static void test_packetize(void)
{
	uint8_t au[2000];
	size_t au_len = make_au(au, 1000);
	struct tb_packetizer p;
	tb_packetizer_init(&p, 0x11223344, 65534, 300); /* sequence numbers wrap in this frame */
	struct tb_frame_ext ext = {.frame_no = 77, .capture_ns = 0x0102030405060708LL};
	struct tb_rtp_out pkts[16];
	uint8_t buf[8192];
	int n = tb_packetize_frame(&p, au, au_len, 0xAABBCCDD, &ext, pkts, 16, buf, sizeof buf);
	/* Room per packet: 300 - 12 - 32 = 256; FU-A fragments carry 254 each.
	 * SPS: 1 single-NAL packet. Slice: 999 bytes after its header -> 4 fragments
	 * of 250, 250, 250, 249 (spread evenly). */
	CHECK_EQ_I64(n, 5);
	CHECK_EQ_I64(p.next_seq, 3);
	size_t sizes[5] = {12 + 32 + 4, 12 + 32 + 2 + 250, 12 + 32 + 2 + 250, 12 + 32 + 2 + 250,
			   12 + 32 + 2 + 249};
	size_t slice_off = 1;
	for (int i = 0; i < n && i < 5; i++) {
		const uint8_t *d = pkts[i].data;
		CHECK_EQ_I64(pkts[i].len, sizes[i]);
		CHECK(pkts[i].len <= 300);
		CHECK_EQ_I64(d[0], 0x90);                               /* V=2, X=1 */
		CHECK_EQ_I64(d[1], (i == 4 ? 0x80 : 0) | 96);           /* marker on the last only */
		CHECK_EQ_I64(be(d + 2, 2), (uint16_t)(65534 + i));
		CHECK_EQ_I64(be(d + 4, 4), 0xAABBCCDD);
		CHECK_EQ_I64(be(d + 8, 4), 0x11223344);
		CHECK_EQ_I64(be(d + 12, 2), 0xBEDE);
		CHECK_EQ_I64(be(d + 14, 2), 7);
		CHECK_EQ_I64(d[16], 0x17);
		CHECK_EQ_I64(be(d + 17, 4), 77);
		CHECK_EQ_I64(be(d + 21, 2), i);
		CHECK_EQ_I64(be(d + 23, 2), 5);
		CHECK_EQ_I64(d[25], 0x27);
		CHECK_EQ_I64(be(d + 26, 8), 0x0102030405060708LL);
		CHECK_EQ_I64(d[34], 0x37);
		CHECK_EQ_I64(be(d + 35, 8), 0);
		CHECK_EQ_I64(d[43], 0);
		const uint8_t *pl = d + 44;
		if (i == 0) {
			CHECK(memcmp(pl, "\x67\x42\xC0\x1F", 4) == 0);
		} else {
			CHECK_EQ_I64(pl[0], 0x7C);                          /* F=0 NRI=3 type 28 */
			CHECK_EQ_I64(pl[1], (i == 1 ? 0x80 : 0) | (i == 4 ? 0x40 : 0) | 5);
			size_t chunk = pkts[i].len - 46;
			CHECK(memcmp(pl + 2, au + 17 + slice_off, chunk) == 0);
			slice_off += chunk;
		}
	}
	CHECK_EQ_I64(slice_off, 1000);
	/* Packets are laid out back to back in the caller's buffer. */
	CHECK(pkts[1].data == pkts[0].data + pkts[0].len);

	tb_rtp_stamp_send_ns(pkts[2].data, 0x1122334455667788LL);
	CHECK_EQ_I64(be(pkts[2].data + 35, 8), 0x1122334455667788LL);
	CHECK_EQ_I64(be(pkts[2].data + 26, 8), 0x0102030405060708LL); /* capture untouched */
	CHECK_EQ_I64(be(pkts[3].data + 35, 8), 0);

	CHECK(tb_packetize_max_pkts(au_len, 300) >= 5);
	CHECK(tb_packetize_max_bytes(au_len, 300) >= 4 * 296 + 48);
}

static void test_no_ext_and_errors(void)
{
	uint8_t au[2000];
	size_t au_len = make_au(au, 1000);
	struct tb_packetizer p;
	tb_packetizer_init(&p, 1, 100, 1200);
	struct tb_rtp_out pkts[16];
	uint8_t buf[8192];
	/* Without the extension the whole slice fits in one packet. */
	int n = tb_packetize_frame(&p, au, au_len, 0, NULL, pkts, 16, buf, sizeof buf);
	CHECK_EQ_I64(n, 2);
	CHECK_EQ_I64(pkts[0].data[0], 0x80); /* X=0 */
	CHECK_EQ_I64(pkts[1].len, 12 + 1000);
	CHECK_EQ_I64(pkts[1].data[12], 0x65);
	CHECK_EQ_I64(pkts[1].data[1], 0x80 | 96);
	tb_rtp_stamp_send_ns(pkts[1].data, 42); /* no extension: must not write */
	CHECK_EQ_I64(pkts[1].data[35], au[17 + 23]);
	CHECK_EQ_I64(p.next_seq, 102);

	/* Too few packet slots / bytes: ENOSPC, sequence unchanged. */
	errno = 0;
	CHECK_EQ_I64(tb_packetize_frame(&p, au, au_len, 0, NULL, pkts, 1, buf, sizeof buf), -1);
	CHECK_EQ_I64(errno, ENOSPC);
	errno = 0;
	CHECK_EQ_I64(tb_packetize_frame(&p, au, au_len, 0, NULL, pkts, 16, buf, 1000), -1);
	CHECK_EQ_I64(errno, ENOSPC);
	CHECK_EQ_I64(p.next_seq, 102);

	/* Only an AUD, or no start code: nothing to send. */
	static const uint8_t aud[] = {0, 0, 0, 1, 0x09, 0x10};
	errno = 0;
	CHECK_EQ_I64(tb_packetize_frame(&p, aud, sizeof aud, 0, NULL, pkts, 16, buf, sizeof buf), -1);
	CHECK_EQ_I64(errno, EINVAL);
	errno = 0;
	CHECK_EQ_I64(tb_packetize_frame(&p, au + 4, 0, 0, NULL, pkts, 16, buf, sizeof buf), -1);
	CHECK_EQ_I64(errno, EINVAL);

	/* max_packet out of range. */
	tb_packetizer_init(&p, 1, 0, TB_RTP_MIN_PACKET - 1);
	errno = 0;
	CHECK_EQ_I64(tb_packetize_frame(&p, au, au_len, 0, NULL, pkts, 16, buf, sizeof buf), -1);
	CHECK_EQ_I64(errno, EINVAL);

	/* The smallest packet size still works: 64 - 44 = 20 bytes of room. */
	tb_packetizer_init(&p, 1, 0, TB_RTP_MIN_PACKET);
	struct tb_frame_ext ext = {.frame_no = 1};
	size_t maxp = tb_packetize_max_pkts(au_len, TB_RTP_MIN_PACKET);
	size_t maxb = tb_packetize_max_bytes(au_len, TB_RTP_MIN_PACKET);
	struct tb_rtp_out *many = calloc(maxp, sizeof *many);
	uint8_t *big = malloc(maxb);
	n = tb_packetize_frame(&p, au, au_len, 0, &ext, many, maxp, big, maxb);
	CHECK_EQ_I64(n, 1 + (999 + 17) / 18); /* SPS + ceil(999 / 18) fragments */
	for (int i = 0; i < n; i++)
		CHECK(many[i].len <= TB_RTP_MIN_PACKET);
	free(many);
	free(big);
}

int main(void)
{
	test_splitter();
	test_packetize();
	test_no_ext_and_errors();
	return TB_CHECK_SUMMARY();
}
