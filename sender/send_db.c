/* tb-send's rows in the results store: one frames_sent row per frame,
 * written after the run (so database work never delays a frame) in batched
 * transactions. */
#include <sqlite3.h>
#include <stdio.h>

#include "send.h"
#include "tb/err.h"
#include "tb/run_row.h"
#include "tb/store.h"

#define BATCH_ROWS 500

static void check(tb_store *st, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		tb_die("results store: %s: %s", what, tb_store_errmsg(st));
}

/* s as a JSON string body (quotes, backslashes, control characters escaped). */
static void json_escape(char *out, size_t len, const char *s)
{
	size_t n = 0;
	for (; s && *s && n + 7 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			n += (size_t)snprintf(out + n, len - n, "\\%c", c);
		else if (c < 0x20)
			n += (size_t)snprintf(out + n, len - n, "\\u%04x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = 0;
}

static long long create_run(tb_store *st, const struct send_opts *o, const char *source,
			    int sndbuf_eff, const struct send_result *r)
{
	char knobs[4096 + 512], gst[2048] = "", record[1024] = "";
	json_escape(gst, sizeof gst, o->gst);
	json_escape(record, sizeof record, o->record);
	snprintf(knobs, sizeof knobs,
		 "{\"dest\":\"%s\",\"pace\":%g,\"speed\":%g,\"flood\":%d,\"nonblocking\":%d,"
		 "\"sndbuf_effective\":%d,\"ssrc\":%u,\"ext\":%d,\"gst\":\"%s\",\"record\":\"%s\","
		 "\"stream\":%d,\"start_at_ns\":%lld}",
		 o->dest, o->pace, o->speed, o->flood, o->nonblocking, sndbuf_eff, o->ssrc, !o->no_ext, gst, record,
		 o->stream, (long long)o->start_at_ns);
	struct tb_run_row row = TB_RUN_ROW_INIT;
	tb_run_row_text(&row, "kind", "video");
	tb_run_row_text(&row, "traffic", "tb-send");
	tb_run_row_text(&row, "clip", source);
	tb_run_row_i64(&row, "cameras", 1); /* one tb-send: one camera's stream */
	tb_run_row_i64(&row, "sndbuf", o->sndbuf);
	tb_run_row_real(&row, "pace", o->pace);
	tb_run_row_text(&row, "knobs_json", knobs);
	tb_run_row_i64(&row, "started_ns", r->count ? r->recs[0].capture_ns : 0);
	tb_run_row_i64(&row, "ended_ns", r->count ? r->recs[r->count - 1].send_end_ns : 0);
	tb_run_row_text(&row, "status", r->stopped_by_signal ? "failed" : "done");
	char err[512];
	long long id = tb_run_row_insert(st, &row, err, sizeof err);
	tb_run_row_free(&row);
	if (id < 0)
		tb_die("results store: %s", err);
	return id;
}

tb_store *send_open_db(const struct send_opts *o)
{
	tb_store *st;
	char err[512];
	if (tb_store_open(o->db, &st, err, sizeof err))
		tb_die("%s", err);
	if (o->run_id) {
		char q[96];
		int ok;
		snprintf(q, sizeof q, "SELECT count(*) FROM runs WHERE id = %lld", o->run_id);
		if (tb_store_query_i64(st, q, &ok) != 1)
			tb_die("--run-id %lld: no such run in %s", o->run_id, o->db);
	}
	return st;
}

long long send_write_db(tb_store *st, const struct send_opts *o, const char *source, int sndbuf_eff,
			const struct send_result *r)
{
	long long run_id = o->run_id ? o->run_id : create_run(st, o, source, sndbuf_eff, r);
	sqlite3_stmt *s;
	check(st, sqlite3_prepare_v2(tb_store_db(st),
				     "INSERT INTO frames_sent (run_id, frame_no, clip_frame, type, idr,"
				     " size_bytes, packets, wire_bytes, first_seq, rtp_ts, capture_ns,"
				     " send_start_ns, send_end_ns, blocked_ns, send_errors, icmp_errors, stream)"
				     " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
				     -1, &s, NULL),
	      "prepare frames_sent insert");
	for (size_t i = 0; i < r->count; i++) {
		const struct frame_rec *f = &r->recs[i];
		if (tb_store_batch_row(st, BATCH_ROWS))
			tb_die("results store: %s", tb_store_errmsg(st));
		char type[2] = {f->type, 0};
		sqlite3_bind_int64(s, 1, run_id);
		sqlite3_bind_int64(s, 2, f->frame_no);
		sqlite3_bind_int64(s, 3, f->clip_frame);
		sqlite3_bind_text(s, 4, type, 1, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 5, f->idr);
		sqlite3_bind_int64(s, 6, f->size_bytes);
		sqlite3_bind_int64(s, 7, f->packets);
		sqlite3_bind_int64(s, 8, f->wire_bytes);
		sqlite3_bind_int(s, 9, f->first_seq);
		sqlite3_bind_int64(s, 10, f->rtp_ts);
		sqlite3_bind_int64(s, 11, f->capture_ns);
		sqlite3_bind_int64(s, 12, f->send_start_ns);
		sqlite3_bind_int64(s, 13, f->send_end_ns);
		sqlite3_bind_int64(s, 14, f->blocked_ns);
		sqlite3_bind_int64(s, 15, f->send_errors);
		sqlite3_bind_int64(s, 16, f->icmp_errors);
		sqlite3_bind_int(s, 17, o->stream);
		check(st, sqlite3_step(s), "insert frames_sent row");
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	/* The clock estimate, unless tb-recv (whose latencies it corrected)
	 * already stored its copy in this run. */
	if (r->clock.have) {
		char q[320];
		snprintf(q, sizeof q,
			 "UPDATE runs SET clock_offset_ns = %lld, clock_bound_ns = %lld, clock_echoes = %u"
			 " WHERE id = %lld AND clock_echoes IS NULL",
			 (long long)r->clock.offset_ns, (long long)r->clock.bound_ns, r->clock.echoes, run_id);
		if (tb_store_batch_row(st, BATCH_ROWS) || tb_store_exec(st, q))
			tb_die("results store: %s", tb_store_errmsg(st));
	}
	if (tb_store_batch_end(st))
		tb_die("results store: %s", tb_store_errmsg(st));
	tb_store_close(st);
	return run_id;
}
