/* A TCP run's iperf3 --json output: one tcp_intervals row per interval and
 * the tcp_results summary. SQLite's JSON functions pick the fields; a field
 * iperf3 leaves out (retransmits, cwnd, rtt on some systems) is stored as 0. */
#include "finish.h"
#include "tb/err.h"
#include "tb/file_read.h"

#include <stdlib.h>

static const char sql_check[] =
	"SELECT json_valid(?1),"
	" CASE WHEN json_valid(?1) THEN json_type(?1, '$.end.sum_sent') = 'object' ELSE 0 END,"
	" CASE WHEN json_valid(?1) THEN json_extract(?1, '$.error') END";

static const char sql_intervals[] =
	"INSERT INTO tcp_intervals(run_id, start_s, end_s, bytes, bits_per_second, retransmits,"
	" snd_cwnd_bytes, rtt_us, omitted)"
	" SELECT ?2, json_extract(value, '$.sum.start'), json_extract(value, '$.sum.end'),"
	" json_extract(value, '$.sum.bytes'), json_extract(value, '$.sum.bits_per_second'),"
	" coalesce(json_extract(value, '$.sum.retransmits'), 0),"
	" coalesce(json_extract(value, '$.streams[0].snd_cwnd'), 0),"
	" coalesce(json_extract(value, '$.streams[0].rtt'), 0),"
	" coalesce(json_extract(value, '$.sum.omitted'), 0)"
	" FROM json_each(?1, '$.intervals')";

static const char sql_results[] =
	"INSERT INTO tcp_results(run_id, duration_s, sent_bytes, received_bytes, sender_bps,"
	" receiver_bps, retransmits, mean_rtt_us, max_snd_cwnd_bytes)"
	" SELECT ?2, json_extract(j, '$.end.sum_sent.seconds'), json_extract(j, '$.end.sum_sent.bytes'),"
	" json_extract(j, '$.end.sum_received.bytes'), json_extract(j, '$.end.sum_sent.bits_per_second'),"
	" json_extract(j, '$.end.sum_received.bits_per_second'),"
	" coalesce(json_extract(j, '$.end.sum_sent.retransmits'), 0),"
	" coalesce(json_extract(j, '$.end.streams[0].sender.mean_rtt'), 0),"
	" coalesce(json_extract(j, '$.end.streams[0].sender.max_snd_cwnd'), 0)"
	" FROM (SELECT ?1 AS j)";

static int run(sqlite3 *db, const char *sql, const char *json, long long run_id, const char *path,
	       char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, json, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, run_id);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	if (rc)
		tb_errbuf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc;
}

/* 0 when json is an iperf3 result with an end summary; else -1 with err. */
static int check(sqlite3 *db, const char *json, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql_check, -1, &s, NULL) != SQLITE_OK) {
		tb_errbuf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(s, 1, json, -1, SQLITE_STATIC);
	int rc = 0;
	if (sqlite3_step(s) != SQLITE_ROW) {
		tb_errbuf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		rc = -1;
	} else if (!sqlite3_column_int(s, 0)) {
		tb_errbuf(err, errlen, "%s: not JSON (iperf3 --json output expected)", path);
		rc = -1;
	} else if (!sqlite3_column_int(s, 1)) {
		const unsigned char *why = sqlite3_column_text(s, 2);
		tb_errbuf(err, errlen, "%s: no end.sum_sent in the iperf3 JSON%s%s", path,
			  why ? "; iperf3 said: " : "", why ? (const char *)why : "");
		rc = -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int tb_finish_iperf(sqlite3 *db, long long run_id, const char *path, char *err, size_t errlen)
{
	char *json = tb_file_read(path, NULL, err, errlen);
	if (!json)
		return -1;
	int rc = check(db, json, path, err, errlen);
	if (rc == 0)
		rc = run(db, sql_intervals, json, run_id, path, err, errlen);
	if (rc == 0)
		rc = run(db, sql_results, json, run_id, path, err, errlen);
	free(json);
	return rc;
}
