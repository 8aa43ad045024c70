/* Results store: create, migrate from an older version, reopen, refuse what
 * it cannot read, and a reader in another process while a writer commits. */
#include "tb/check.h"
#include "tb/store.h"
#include "test_support.h"
#include "v5_fixture.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int table_exists(tb_store *st, const char *name)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='%s'", name);
	return tb_store_query_i64(st, sql, NULL) == 1;
}

static void test_create(void)
{
	char p[256], err[256] = "";
	scratch_path(p, sizeof p, "create.db");
	tb_store *st;
	CHECK(tb_store_open(p, &st, err, sizeof err) == 0);
	if (!st)
		return;
	CHECK_EQ_I64(tb_store_version(st), tb_schema_latest());
	CHECK(table_exists(st, "runs"));
	CHECK(table_exists(st, "counters"));
	CHECK(table_exists(st, "frames_recv"));
	CHECK(table_exists(st, "tun_flood"));
	CHECK(table_exists(st, "tcp_results"));
	CHECK(table_exists(st, "frame_images"));
	sqlite3_stmt *s;
	CHECK(sqlite3_prepare_v2(tb_store_db(st), "PRAGMA journal_mode", -1, &s, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(s) == SQLITE_ROW);
	CHECK(strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0);
	sqlite3_finalize(s);
	tb_store_close(st);
}

static void test_migrate_from_v1(void)
{
	char p[256], err[256] = "";
	scratch_path(p, sizeof p, "migrate.db");
	tb_store *st;
	CHECK(tb_store_open_at(p, 1, &st, err, sizeof err) == 0);
	if (!st)
		return;
	CHECK_EQ_I64(tb_store_version(st), 1);
	CHECK(table_exists(st, "runs"));
	CHECK(!table_exists(st, "frames_recv"));
	CHECK(tb_store_exec(st, "INSERT INTO runs(kind, ring, qdisc) VALUES('video', 25, 'pfifo')") == 0);
	tb_store_close(st);

	CHECK(tb_store_open(p, &st, err, sizeof err) == 0);
	if (!st)
		return;
	CHECK_EQ_I64(tb_store_version(st), tb_schema_latest());
	CHECK(table_exists(st, "frames_recv"));
	CHECK(table_exists(st, "tun_flood"));
	CHECK(table_exists(st, "tcp_results"));
	CHECK(table_exists(st, "frame_images"));
	CHECK_EQ_I64(tb_store_query_i64(st, "SELECT ring FROM runs WHERE kind='video'", NULL), 25);
	/* The new tables are usable and tied to the old rows. */
	CHECK(tb_store_exec(st, "INSERT INTO frames_recv(run_id, frame_no, complete) VALUES(1, 0, 1)") == 0);
	tb_store_close(st);
}

/* One text value of a query (copied into buf; "" for NULL, "?" on error). */
static const char *text_of(tb_store *st, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *s;
	snprintf(buf, len, "?");
	if (sqlite3_prepare_v2(tb_store_db(st), sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(s, 0);
		snprintf(buf, len, "%s", v ? (const char *)v : "");
	}
	sqlite3_finalize(s);
	return buf;
}

#define CHECK_TEXT(st, sql, want)                                                       \
	do {                                                                            \
		char got_[256];                                                         \
		text_of(st, sql, got_, sizeof got_);                                    \
		if (strcmp(got_, want) != 0)                                            \
			fprintf(stderr, "  %s -> [%s], want [%s]\n", sql, got_, want);   \
		CHECK(strcmp(got_, want) == 0);                                         \
	} while (0)

/* v5 -> v6: renamed columns keep their values, new ones are filled from
 * knobs_json (or left NULL when it is not JSON), and the queries the tools
 * run on a results file work on the migrated one. */
static void test_migrate_v5_to_v6(void)
{
	char p[256], err[256] = "";
	scratch_path(p, sizeof p, "v5.db");
	CHECK(v5_fixture_write(p, err, sizeof err) == 0);
	tb_store *st;
	CHECK(tb_store_open(p, &st, err, sizeof err) == 0);
	if (!st)
		return;
	CHECK_EQ_I64(tb_store_version(st), tb_schema_latest()); /* v5 -> v6 -> v7 -> ... */
	/* v7: runs from before it omitted nothing they know of */
	CHECK_TEXT(st, "SELECT count(*) || '|' || count(tcp_omit) FROM runs", "4|0");
	CHECK_TEXT(st, "SELECT count(*) FROM pragma_table_info('tcp_intervals') WHERE name = 'omitted' AND dflt_value = '0'", "1");
	CHECK_TEXT(st, "SELECT kernel || '|' || qdisc_kind || '|' || qdisc_applied || '|' || qdisc FROM runs WHERE id = 1",
		   "nodrop-v2|pfifo|pfifo limit 25000|pfifo limit 25000");
	CHECK_TEXT(st, "SELECT vpn || '|' || duration || '|' || typeof(duration) || '|' || pace || '|' || typeof(pace) FROM runs WHERE id = 1",
		   "openvpn|10|integer|0.5|real");
	CHECK_TEXT(st, "SELECT kernel || '|' || qdisc || '|' || (vpn IS NULL) FROM runs WHERE id = 2",
		   "stock|pfifo_fast|1");
	/* knobs_json that is not JSON: qdisc falls back to the kind read back */
	CHECK_TEXT(st, "SELECT qdisc || '|' || vpn || '|' || (duration IS NULL) || '|' || (pace IS NULL) FROM runs WHERE id = 3",
		   "fq_codel|openvpn|1|1");
	CHECK_TEXT(st, "SELECT (decode IS NULL) || (dump_frames IS NULL) || (cpu_limit IS NULL) FROM runs WHERE id = 1", "111");
	/* the validity window's columns exist, empty on old rows (judged before) */
	CHECK_TEXT(st, "SELECT (traffic_start_ns IS NULL) || (traffic_end_ns IS NULL) || (cpu_max_busy_pct IS NULL)"
		       " || (saturated IS NULL) FROM runs WHERE id = 1", "1111");
	/* a standalone tb-send never went through a VPN */
	CHECK_TEXT(st, "SELECT (vpn IS NULL) || '|' || pace FROM runs WHERE id = 4", "1|0.0");
	CHECK_EQ_I64(tb_store_query_i64(st, "SELECT count(*) FROM pragma_table_info('runs')"
					    " WHERE name IN ('kernel_variant', 'qdisc_params')", NULL), 0);
	CHECK_EQ_I64(tb_store_query_i64(st, "SELECT after FROM counters WHERE run_id = 1", NULL), 4);
	tb_store_close(st);

	/* Readers: a read-only open, the resume query of tb-db done-keys and the
	 * self-test table's columns. */
	CHECK(tb_store_open_readonly(p, &st, err, sizeof err) == 0);
	if (!st)
		return;
	CHECK_TEXT(st, "SELECT group_concat(point_key) FROM (SELECT DISTINCT point_key FROM runs WHERE campaign='c5'"
		       " AND status='done' AND point_key IS NOT NULL ORDER BY point_key)", "k5,k6");
	CHECK_TEXT(st, "SELECT r.kernel || ' ' || r.ring || ' ' || r.qdisc_kind || ' ' || r.qdisc FROM runs r"
		       " WHERE r.campaign = 'self' AND r.kind = 'selftest'", "stock 10 pfifo_fast pfifo_fast");
	tb_store_close(st);
}

/* v8 -> v9: runs.cameras is 1 for the video and mixed runs from before (one
 * stream each), NULL for the rest; frames_sent keeps every row and value,
 * now of stream 0, and is keyed by (run_id, stream, frame_no), so two
 * cameras' frame 5 are two rows; its rows still go with their run. */
static void test_migrate_v8_to_v9(void)
{
	char p[256], err[256] = "";
	scratch_path(p, sizeof p, "v8.db");
	tb_store *st;
	CHECK(tb_store_open_at(p, 8, &st, err, sizeof err) == 0);
	if (!st)
		return;
	CHECK_EQ_I64(tb_store_version(st), 8);
	CHECK(tb_store_exec(st, "INSERT INTO runs(id, kind, traffic) VALUES (1, 'video', 'video'), (2, 'mixed', 'mixed'),"
				" (3, 'tcp', 'tcp'), (4, 'selftest', NULL), (5, 'video', 'tb-send'), (6, 'watch', 'tb-watch')") == 0);
	CHECK(tb_store_exec(st, "INSERT INTO frames_sent(run_id, frame_no, clip_frame, type, idr, size_bytes, packets,"
				" wire_bytes, first_seq, rtp_ts, capture_ns, send_start_ns, send_end_ns, blocked_ns,"
				" send_errors, icmp_errors) VALUES"
				" (1, 0, 0, 'I', 1, 6000, 5, 6050, 0, 0, 1000, 1100, 1200, 50, 0, NULL),"
				" (1, 1, 1, 'P', 0, 1000, 1, 1010, 5, 3000, 34333333, 34333400, 34333500, 7, 1, 2),"
				" (5, 0, 0, 'I', 1, 3000, 3, 3030, 9, 0, 2000, 2100, 2200, 0, 0, 0)") == 0);
	/* v8's key: frame 1 of run 1 once */
	CHECK(tb_store_exec(st, "INSERT INTO frames_sent(run_id, frame_no) VALUES (1, 1)") != 0);
	tb_store_close(st);

	CHECK(tb_store_open(p, &st, err, sizeof err) == 0);
	if (!st)
		return;
	CHECK_EQ_I64(tb_store_version(st), tb_schema_latest());
	CHECK_TEXT(st, "SELECT group_concat(id || ':' || coalesce(cameras, 'NULL'), ' ') FROM (SELECT * FROM runs ORDER BY id)",
		   "1:1 2:1 3:NULL 4:NULL 5:1 6:NULL");
	CHECK_TEXT(st, "SELECT count(*) || ' ' || sum(stream = 0) FROM frames_sent", "3 3");
	CHECK_TEXT(st, "SELECT group_concat(v, ';') FROM (SELECT run_id || ',' || stream || ',' || frame_no || ',' || clip_frame"
		       " || ',' || type || ',' || idr || ',' || size_bytes || ',' || packets || ',' || wire_bytes || ','"
		       " || first_seq || ',' || rtp_ts || ',' || capture_ns || ',' || send_start_ns || ',' || send_end_ns"
		       " || ',' || blocked_ns || ',' || send_errors || ',' || coalesce(icmp_errors, 'NULL') AS v"
		       " FROM frames_sent ORDER BY run_id, frame_no)",
		   "1,0,0,0,I,1,6000,5,6050,0,0,1000,1100,1200,50,0,NULL;"
		   "1,0,1,1,P,0,1000,1,1010,5,3000,34333333,34333400,34333500,7,1,2;"
		   "5,0,0,0,I,1,3000,3,3030,9,0,2000,2100,2200,0,0,0");
	/* the key: stream between run_id and frame_no; stream defaults to 0 */
	CHECK_TEXT(st, "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('frames_sent') WHERE pk > 0 ORDER BY pk)",
		   "run_id,stream,frame_no");
	CHECK_TEXT(st, "SELECT \"notnull\" || ' ' || dflt_value FROM pragma_table_info('frames_sent') WHERE name = 'stream'", "1 0");
	CHECK(tb_store_exec(st, "INSERT INTO frames_sent(run_id, stream, frame_no) VALUES (1, 1, 1)") == 0);
	CHECK(tb_store_exec(st, "INSERT INTO frames_sent(run_id, frame_no) VALUES (1, 1)") != 0); /* stream 0's frame 1 */
	CHECK_TEXT(st, "SELECT count(*) FROM frames_sent WHERE run_id = 1 AND frame_no = 1", "2");
	/* still tied to its run */
	CHECK(tb_store_exec(st, "INSERT INTO frames_sent(run_id, frame_no) VALUES (99, 0)") != 0);
	CHECK(tb_store_exec(st, "DELETE FROM runs WHERE id = 5") == 0);
	CHECK_TEXT(st, "SELECT count(*) FROM frames_sent WHERE run_id = 5", "0");
	/* no table left from the copy */
	CHECK_TEXT(st, "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table' AND name LIKE 'frames_sent%'", "frames_sent");
	tb_store_close(st);
}

static void test_reopen_and_refuse(void)
{
	char p[256], err[256] = "";
	scratch_path(p, sizeof p, "reopen.db");
	tb_store *st;
	CHECK(tb_store_open(p, &st, err, sizeof err) == 0);
	if (!st)
		return;
	CHECK(tb_store_exec(st, "INSERT INTO runs(kind) VALUES('tcp')") == 0);
	tb_store_close(st);
	CHECK(tb_store_open(p, &st, err, sizeof err) == 0);
	if (!st)
		return;
	CHECK_EQ_I64(tb_store_query_i64(st, "SELECT count(*) FROM runs", NULL), 1);
	CHECK_EQ_I64(tb_store_version(st), tb_schema_latest());
	tb_store_close(st);

	CHECK(tb_store_open_readonly(p, &st, err, sizeof err) == 0);
	if (st) {
		CHECK(tb_store_exec(st, "INSERT INTO runs(kind) VALUES('tcp')") != 0);
		tb_store_close(st);
	}

	/* A file from a newer build is refused, with the versions named. */
	sqlite3 *raw;
	CHECK(sqlite3_open(p, &raw) == SQLITE_OK);
	CHECK(sqlite3_exec(raw, "PRAGMA user_version = 999", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(raw);
	err[0] = 0;
	CHECK(tb_store_open(p, &st, err, sizeof err) == -1);
	CHECK(st == NULL);
	CHECK(strstr(err, "v999") != NULL);

	/* Not a database at all. */
	char g[256];
	scratch_path(g, sizeof g, "garbage.db");
	FILE *f = fopen(g, "w");
	fputs("this is not an sqlite file, just text long enough to have a header...........\n", f);
	fclose(f);
	err[0] = 0;
	CHECK(tb_store_open(g, &st, err, sizeof err) == -1);
	CHECK(strstr(err, "not an SQLite database") != NULL);

	CHECK(tb_store_open_readonly("/nonexistent/dir/x.db", &st, err, sizeof err) == -1);
	CHECK(tb_store_open_at(p, 0, &st, err, sizeof err) == -1);
}

static void test_batches(void)
{
	char p[256], err[256] = "";
	scratch_path(p, sizeof p, "batch.db");
	tb_store *st;
	CHECK(tb_store_open(p, &st, err, sizeof err) == 0);
	if (!st)
		return;
	CHECK(tb_store_exec(st, "INSERT INTO runs(kind) VALUES('video')") == 0);
	for (int i = 0; i < 250; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "INSERT INTO frames_recv(run_id, frame_no) VALUES(1, %d)", i);
		CHECK(tb_store_batch_row(st, 100) == 0);
		CHECK(tb_store_exec(st, sql) == 0);
	}
	CHECK(tb_store_batch_end(st) == 0);
	CHECK(sqlite3_get_autocommit(tb_store_db(st)) != 0);
	CHECK_EQ_I64(tb_store_query_i64(st, "SELECT count(*) FROM frames_recv", NULL), 250);
	tb_store_close(st);
}

/* WAL: a reader in another process never blocks on, nor sees part of, a
 * writer's transaction. The writer commits BATCHES transactions of ROWS rows;
 * every count the reader sees must be a whole number of batches and never go
 * down. */
enum { BATCHES = 40, ROWS = 100 };

static void test_concurrent_reader(void)
{
	char p[256], err[256] = "";
	scratch_path(p, sizeof p, "wal.db");
	tb_store *st;
	CHECK(tb_store_open(p, &st, err, sizeof err) == 0);
	if (!st)
		return;
	CHECK(tb_store_exec(st, "INSERT INTO runs(kind) VALUES('video')") == 0);
	tb_store_close(st);

	pid_t pid = fork();
	if (pid == 0) {
		tb_store *w;
		if (tb_store_open(p, &w, err, sizeof err))
			_exit(3);
		for (int b = 0; b < BATCHES; b++) {
			if (tb_store_begin(w))
				_exit(4);
			for (int r = 0; r < ROWS; r++) {
				char sql[128];
				snprintf(sql, sizeof sql,
					 "INSERT INTO frames_recv(run_id, frame_no) VALUES(1, %d)",
					 b * ROWS + r);
				if (tb_store_exec(w, sql))
					_exit(5);
			}
			usleep(2000); /* hold the transaction open while the reader reads */
			if (tb_store_commit(w))
				_exit(6);
		}
		tb_store_close(w);
		_exit(0);
	}

	tb_store *r;
	CHECK(tb_store_open_readonly(p, &r, err, sizeof err) == 0);
	long long last = 0;
	int reads = 0, torn = 0, failed = 0, backwards = 0, done = 0;
	while (!done) {
		int status;
		done = waitpid(pid, &status, WNOHANG) == pid;
		if (done)
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		int ok;
		long long n = tb_store_query_i64(r, "SELECT count(*) FROM frames_recv", &ok);
		reads++;
		if (!ok)
			failed++;
		else if (n % ROWS)
			torn++;
		else if (n < last)
			backwards++;
		else
			last = n;
	}
	CHECK_EQ_I64(failed, 0);
	CHECK_EQ_I64(torn, 0);
	CHECK_EQ_I64(backwards, 0);
	CHECK(reads > 1);
	CHECK_EQ_I64(tb_store_query_i64(r, "SELECT count(*) FROM frames_recv", NULL), BATCHES * ROWS);
	tb_store_close(r);
}

int main(void)
{
	scratch_dir_make("store");
	test_create();
	test_migrate_from_v1();
	test_migrate_v5_to_v6();
	test_migrate_v8_to_v9();
	test_reopen_and_refuse();
	test_batches();
	test_concurrent_reader();
	scratch_dir_remove();
	return TB_CHECK_SUMMARY();
}
