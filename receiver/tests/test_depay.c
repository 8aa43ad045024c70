/* h264_depay: single NAL units, STAP-A and FU-A back to Annex-B; loss inside
 * an FU-A is damage, impossible FU-A sequences are malformed. Payloads are
 * written by hand here. */
#include "h264_depay.h"
#include "tb/check.h"

#include <string.h>

static uint8_t out[4096];
static struct tb_au_info info;

static size_t run(const struct tb_depay_pkt *p, size_t n, int64_t first)
{
	return tb_depay_au(p, n, first, out, sizeof out, &info);
}

static const uint8_t sps[] = { 0x67, 0x42, 0x00, 0x1e };
static const uint8_t pps[] = { 0x68, 0xce, 0x38, 0x80 };
/* IDR slice, nal_ref_idc 3: first_mb 0 (1), slice_type 7 = I (0001000). */
static const uint8_t idr_nal[] = { 0x65, 0x88, 0x80, 0x40, 0x11, 0x22 };
/* Non-reference P slice: first_mb 0 (1), slice_type 5 = P (00110). */
static const uint8_t p_nonref[] = { 0x01, 0x9a, 0x00, 0x33 };
/* Reference B slice: first_mb 0 (1), slice_type 6 (00111). */
static const uint8_t b_ref[] = { 0x41, 0x9c, 0x00 };

static void test_single_and_stap(void)
{
	uint8_t stap[1 + 2 + sizeof sps + 2 + sizeof pps];
	stap[0] = 0x78;  /* F=0 NRI=3 type 24 */
	stap[1] = 0; stap[2] = sizeof sps;
	memcpy(stap + 3, sps, sizeof sps);
	stap[3 + sizeof sps] = 0; stap[4 + sizeof sps] = sizeof pps;
	memcpy(stap + 5 + sizeof sps, pps, sizeof pps);
	struct tb_depay_pkt p[] = { { 10, stap, sizeof stap }, { 11, idr_nal, sizeof idr_nal } };
	size_t n = run(p, 2, 10);
	uint8_t want[64];
	size_t w = 0;
	const uint8_t *nals[] = { sps, pps, idr_nal };
	size_t lens[] = { sizeof sps, sizeof pps, sizeof idr_nal };
	for (int i = 0; i < 3; i++) {
		memcpy(want + w, "\0\0\0\1", 4);
		memcpy(want + w + 4, nals[i], lens[i]);
		w += 4 + lens[i];
	}
	CHECK_EQ_I64(n, w);
	CHECK(memcmp(out, want, w) == 0);
	CHECK_EQ_I64(info.nals, 3);
	CHECK_EQ_I64(info.slices, 1);
	CHECK_EQ_I64(info.idr, 1);
	CHECK_EQ_I64(info.reference, 1);
	CHECK(strcmp(info.type, "IDR") == 0);
	CHECK_EQ_I64(info.malformed_pkts + info.dropped_nals, 0);

	struct tb_depay_pkt q[] = { { 5, p_nonref, sizeof p_nonref } };
	run(q, 1, 5);
	CHECK(strcmp(info.type, "P") == 0);
	CHECK_EQ_I64(info.reference, 0);
	struct tb_depay_pkt r[] = { { 5, p_nonref, sizeof p_nonref }, { 6, b_ref, sizeof b_ref } };
	run(r, 2, 5);
	CHECK(strcmp(info.type, "B") == 0);
	CHECK_EQ_I64(info.reference, 1);

	/* Bad STAP-A sizes: zero, and running past the packet. */
	uint8_t bad1[] = { 0x78, 0, 0, 0x67 }, bad2[] = { 0x78, 0, 9, 0x67, 0x42 };
	struct tb_depay_pkt s[] = { { 1, bad1, sizeof bad1 }, { 2, bad2, sizeof bad2 } };
	CHECK_EQ_I64(run(s, 2, 1), 0);
	CHECK_EQ_I64(info.malformed_pkts, 2);
}

/* idr_nal split in three FU-A fragments. */
static uint8_t fu[3][8];
static size_t fulen[3];

static void make_fus(int type_mid)
{
	const uint8_t *d = idr_nal + 1;  /* 5 bytes of body: 2 + 2 + 1 */
	size_t part[3] = { 2, 2, 1 }, off = 0;
	for (int i = 0; i < 3; i++) {
		fu[i][0] = (idr_nal[0] & 0xe0) | 28;
		fu[i][1] = (uint8_t)((i == 0 ? 0x80 : 0) | (i == 2 ? 0x40 : 0) | (i == 1 ? type_mid : 5));
		memcpy(fu[i] + 2, d + off, part[i]);
		fulen[i] = 2 + part[i];
		off += part[i];
	}
}

static void test_fu_a(void)
{
	make_fus(5);
	struct tb_depay_pkt p[] = { { 100, fu[0], fulen[0] }, { 101, fu[1], fulen[1] }, { 102, fu[2], fulen[2] } };
	size_t n = run(p, 3, 100);
	CHECK_EQ_I64(n, 4 + sizeof idr_nal);
	CHECK(memcmp(out + 4, idr_nal, sizeof idr_nal) == 0);
	CHECK_EQ_I64(info.idr, 1);
	CHECK_EQ_I64(info.malformed_pkts + info.dropped_nals, 0);

	/* Middle fragment lost: damage, not malformation. */
	struct tb_depay_pkt lost_mid[] = { p[0], p[2] };
	CHECK_EQ_I64(run(lost_mid, 2, 100), 0);
	CHECK_EQ_I64(info.malformed_pkts, 0);
	CHECK_EQ_I64(info.dropped_nals, 1);
	/* Start lost (before the first packet): the rest is skipped as loss. */
	struct tb_depay_pkt lost_start[] = { p[1], p[2] };
	CHECK_EQ_I64(run(lost_start, 2, 100), 0);
	CHECK_EQ_I64(info.malformed_pkts, 0);
	CHECK_EQ_I64(info.dropped_nals, 1);
	/* Last fragment lost. */
	CHECK_EQ_I64(run(p, 2, 100), 0);
	CHECK_EQ_I64(info.malformed_pkts, 0);
	CHECK_EQ_I64(info.dropped_nals, 1);

	/* End without start, nothing missing. */
	struct tb_depay_pkt end_only[] = { { 7, fu[2], fulen[2] } };
	CHECK_EQ_I64(run(end_only, 1, 7), 0);
	CHECK_EQ_I64(info.malformed_pkts, 1);
	/* Start twice. */
	struct tb_depay_pkt twice[] = { { 7, fu[0], fulen[0] }, { 8, fu[0], fulen[0] }, { 9, fu[1], fulen[1] },
					{ 10, fu[2], fulen[2] } };
	run(twice, 4, 7);
	CHECK_EQ_I64(info.malformed_pkts, 1);
	CHECK_EQ_I64(info.nals, 1);  /* the second start's NAL completes */
	/* Mixed NAL types inside one FU-A. */
	make_fus(1);
	struct tb_depay_pkt mixed[] = { { 7, fu[0], fulen[0] }, { 8, fu[1], fulen[1] }, { 9, fu[2], fulen[2] } };
	CHECK_EQ_I64(run(mixed, 3, 7), 0);
	CHECK_EQ_I64(info.malformed_pkts, 2);  /* the mixed one, then an end without start */
	/* Start and end in one fragment; too short; unsupported types. */
	uint8_t se[] = { 0x7c, 0xc5, 0x11 }, shortfu[] = { 0x7c, 0x85 }, stapb[] = { 0x79, 0, 1, 0x65 },
		forbidden[] = { 0xe5, 0x88 };
	struct tb_depay_pkt bad[] = { { 1, se, 3 }, { 2, shortfu, 2 }, { 3, stapb, 4 }, { 4, forbidden, 2 },
				      { 5, forbidden, 0 } };
	CHECK_EQ_I64(run(bad, 5, 1), 0);
	CHECK_EQ_I64(info.malformed_pkts, 5);
	/* FU-A interrupted by a single NAL unit without loss. */
	make_fus(5);
	struct tb_depay_pkt intr[] = { { 1, fu[0], fulen[0] }, { 2, sps, sizeof sps }, { 3, fu[2], fulen[2] } };
	run(intr, 3, 1);
	CHECK_EQ_I64(info.malformed_pkts, 2);
	CHECK_EQ_I64(info.nals, 1);
}

static void test_overflow(void)
{
	struct tb_depay_pkt p[] = { { 1, idr_nal, sizeof idr_nal } };
	uint8_t small[5];
	CHECK_EQ_I64(tb_depay_au(p, 1, 1, small, sizeof small, &info), 4);
	CHECK_EQ_I64(info.overflow, 1);
}

int main(void)
{
	test_single_and_stap();
	test_fu_a();
	test_overflow();
	return TB_CHECK_SUMMARY();
}
