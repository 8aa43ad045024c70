/* The receiver's SQLite writer: runs row created or required, frames_recv
 * columns (NULL for unknowns), packets rows through the buffered multi-row
 * path and the single-row remainder, all committed on close. */
#include "recv_store.h"
#include "tb/check.h"
#include "tb/store.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long long q(tb_store *st, const char *sql)
{
	return tb_store_query_i64(st, sql, NULL);
}

int main(void)
{
	char dir[] = "/tmp/tb-recv-store-XXXXXX", path[256], err[256];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/r.db", dir);

	CHECK(tb_recv_store_open(path, 5, NULL, 10, err, sizeof err) == NULL);
	CHECK(strstr(err, "no run with id 5") != NULL);

	struct tb_recv_store *s = tb_recv_store_open(path, 0, "label", 10, err, sizeof err);
	CHECK(s != NULL);
	if (!s)
		return TB_CHECK_SUMMARY();
	CHECK_EQ_I64(tb_recv_store_run_id(s), 1);
	struct tb_frame_rec f = { .stream = 0, .ssrc = 7, .frame_no = 3, .has_ext = 1, .rtp_ts = 900,
				  .first_seq = 40, .pkts_expected = 5, .pkts_received = 5, .complete = 1,
				  .decodable = 1, .size_bytes = 6000, .first_arrival_ns = 100,
				  .last_arrival_ns = 200, .capture_ns = 50, .send_ns = 60, .latency_ns = 150 };
	strcpy(f.au.type, "IDR");
	CHECK(tb_recv_store_frame(s, &f, 1, 1, 42.5) == 0);
	struct tb_frame_rec lost = { .stream = 0, .frame_no = 4, .has_ext = 1, .first_seq = TB_SEQ_UNKNOWN,
				     .pkts_expected = -1, .first_arrival_ns = -1, .last_arrival_ns = -1,
				     .capture_ns = -1, .send_ns = -1, .latency_ns = -1 };
	CHECK(tb_recv_store_frame(s, &lost, -1, 0, -1) == 0);
	for (int i = 0; i < 150; i++) {
		struct tb_pkt_rec p = { 0, i, i / 10, 1200, i % 2 ? 1000 + i : -1, 2000 + i, i == 149 ? 1 : 0 };
		CHECK(tb_recv_store_packet(s, &p) == 0);
	}
	CHECK(tb_recv_store_close(s, err, sizeof err) == 0);

	tb_store *st;
	CHECK(tb_store_open(path, &st, err, sizeof err) == 0);
	if (!st)
		return TB_CHECK_SUMMARY();
	CHECK_EQ_I64(q(st, "SELECT count(*) FROM runs WHERE status='done' AND traffic='label' AND ended_ns > 0"), 1);
	CHECK_EQ_I64(q(st, "SELECT count(*) FROM frames_recv WHERE run_id=1 AND frame_no=3 AND type='IDR' AND ssrc=7"
			   " AND rtp_ts=900 AND first_seq=40 AND pkts_expected=5 AND pkts_received=5 AND complete=1"
			   " AND decodable=1 AND chain_decodable=1 AND decoder_ok=1 AND capture_ns=50 AND send_ns=60"
			   " AND first_arrival_ns=100 AND last_arrival_ns=200 AND latency_ns=150 AND psnr_db=42.5"
			   " AND size_bytes=6000"), 1);
	CHECK_EQ_I64(q(st, "SELECT count(*) FROM frames_recv WHERE frame_no=4 AND type IS NULL AND first_seq IS NULL"
			   " AND pkts_expected IS NULL AND pkts_received=0 AND decoder_ok IS NULL AND latency_ns IS NULL"
			   " AND psnr_db IS NULL AND size_bytes IS NULL AND first_arrival_ns IS NULL"), 1);
	CHECK_EQ_I64(q(st, "SELECT count(*) FROM packets WHERE run_id=1"), 150);
	CHECK_EQ_I64(q(st, "SELECT count(DISTINCT ext_seq) FROM packets"), 150);
	CHECK_EQ_I64(q(st, "SELECT sum(ext_seq) FROM packets"), 149 * 150 / 2);
	CHECK_EQ_I64(q(st, "SELECT count(*) FROM packets WHERE send_ns IS NULL"), 75);
	CHECK_EQ_I64(q(st, "SELECT count(*) FROM packets WHERE status=1 AND ext_seq=149 AND arrival_ns=2149"), 1);
	CHECK_EQ_I64(q(st, "SELECT frame_no FROM packets WHERE ext_seq=57"), 5);
	tb_store_close(st);

	/* A second writer files rows under the existing run. */
	s = tb_recv_store_open(path, 1, NULL, 10, err, sizeof err);
	CHECK(s != NULL);
	if (s) {
		f.frame_no = 9;
		CHECK(tb_recv_store_frame(s, &f, 0, 0, -1) == 0);
		CHECK(tb_recv_store_close(s, err, sizeof err) == 0);
	}
	CHECK(tb_store_open(path, &st, err, sizeof err) == 0);
	if (st) {
		CHECK_EQ_I64(q(st, "SELECT count(*) FROM frames_recv WHERE run_id=1"), 3);
		CHECK_EQ_I64(q(st, "SELECT count(*) FROM runs"), 1);
		tb_store_close(st);
	}
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return TB_CHECK_SUMMARY();
}
