/* See recv_store.h. */
#include "recv_store.h"

#include "tb/clock.h"
#include "tb/err.h"
#include "tb/run_row.h"
#include "tb/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows wait in memory and go in together, in one short transaction, when
 * `batch` of them are waiting or at the next sync (a second at most, see
 * main.c): the write lock is held for milliseconds, not for the time
 * between two syncs, so several receivers of one run (one per camera) and
 * the senders share the store without one starving another.
 * Packet rows are many (one per packet): they are inserted PKT_ROWS at a
 * time with one multi-row statement, about twice as fast as one statement
 * per row. */
#define PKT_ROWS 64
#define PKT_COLS 8

struct frame_row {
	struct tb_frame_rec f; /* annexb not kept */
	int decoder_ok, decodable;
	double psnr_db;
};

struct tb_recv_store {
	tb_store *st;
	sqlite3_stmt *ins_frame, *ins_pkt, *ins_pkts;
	long long run_id;
	int created_run, batch;
	struct frame_row *frames; /* waiting rows */
	struct tb_pkt_rec *pkts;
	size_t nframes, npkts, frames_cap, pkts_cap;
};

static const char ins_frame_sql[] =
	"INSERT OR REPLACE INTO frames_recv(run_id, stream, frame_no, ssrc, rtp_ts, first_seq, type,"
	" size_bytes, pkts_expected, pkts_received, complete, decodable, chain_decodable, decoder_ok,"
	" capture_ns, send_ns, first_arrival_ns, last_arrival_ns, latency_ns, psnr_db)"
	" VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20)";
static const char ins_pkt_sql[] =
	"INSERT INTO packets(run_id, stream, ext_seq, frame_no, size_bytes, send_ns, arrival_ns, status)"
	" VALUES(?1,?2,?3,?4,?5,?6,?7,?8)";

long long tb_recv_store_run_id(const struct tb_recv_store *s) { return s->run_id; }

static void close_all(struct tb_recv_store *s)
{
	sqlite3_finalize(s->ins_frame);
	sqlite3_finalize(s->ins_pkt);
	sqlite3_finalize(s->ins_pkts);
	tb_store_close(s->st);
	free(s->frames);
	free(s->pkts);
	free(s);
}

struct tb_recv_store *tb_recv_store_open(const char *path, long long run_id, const char *label,
					 int batch, char *err, size_t errlen)
{
	struct tb_recv_store *s = calloc(1, sizeof *s);
	if (!s) {
		tb_errbuf(err, errlen, "out of memory");
		return NULL;
	}
	s->batch = batch > 0 ? batch : 1000;
	if (tb_store_open(path, &s->st, err, errlen)) {
		free(s);
		return NULL;
	}
	sqlite3 *db = tb_store_db(s->st);
	if (run_id > 0) {
		char sql[96];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM runs WHERE id = %lld", run_id);
		if (tb_store_query_i64(s->st, sql, NULL) != 1) {
			tb_errbuf(err, errlen, "%s has no run with id %lld (create it first, or omit --run-id)",
				  path, run_id);
			goto fail;
		}
		s->run_id = run_id;
	} else {
		struct tb_run_row row = TB_RUN_ROW_INIT;
		tb_run_row_text(&row, "kind", "video");
		tb_run_row_text(&row, "traffic", label ? label : "tb-recv");
		tb_run_row_i64(&row, "cameras", 1); /* one receiver: one camera's stream */
		tb_run_row_i64(&row, "started_ns", tb_real_ns());
		s->run_id = tb_run_row_insert(s->st, &row, err, errlen);
		tb_run_row_free(&row);
		if (s->run_id < 0)
			goto fail;
		s->created_run = 1;
	}
	char multi[sizeof ins_pkt_sql + PKT_ROWS * 40];
	size_t m = (size_t)snprintf(multi, sizeof multi, "%.*s", (int)(strstr(ins_pkt_sql, " VALUES") - ins_pkt_sql),
				    ins_pkt_sql);
	m += (size_t)snprintf(multi + m, sizeof multi - m, " VALUES");
	for (int r = 0; r < PKT_ROWS; r++)
		m += (size_t)snprintf(multi + m, sizeof multi - m, "%s(?,?,?,?,?,?,?,?)", r ? "," : "");
	if (sqlite3_prepare_v2(db, ins_frame_sql, -1, &s->ins_frame, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, ins_pkt_sql, -1, &s->ins_pkt, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, multi, -1, &s->ins_pkts, NULL) != SQLITE_OK)
		goto sqlfail;
	return s;
sqlfail:
	tb_errbuf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
fail:
	close_all(s);
	return NULL;
}

static void bind_opt(sqlite3_stmt *q, int i, int64_t v, int known)
{
	if (known)
		sqlite3_bind_int64(q, i, v);
	else
		sqlite3_bind_null(q, i);
}

static int step(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Room for one more of n rows of size each in *rows (capacity *cap); 0 or -1. */
static int grow(void **rows, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? 2 * *cap : 256;
	void *p = realloc(*rows, c * size);
	if (!p)
		return -1;
	*rows = p;
	*cap = c;
	return 0;
}

static void bind_frame(struct tb_recv_store *s, sqlite3_stmt *q, const struct frame_row *r)
{
	const struct tb_frame_rec *f = &r->f;
	int lost = f->pkts_received == 0;
	sqlite3_bind_int64(q, 1, s->run_id);
	sqlite3_bind_int64(q, 2, f->stream);
	sqlite3_bind_int64(q, 3, f->frame_no);
	sqlite3_bind_int64(q, 4, f->ssrc);
	bind_opt(q, 5, f->rtp_ts, !lost);
	bind_opt(q, 6, f->first_seq, f->first_seq != TB_SEQ_UNKNOWN);
	if (f->au.type[0])
		sqlite3_bind_text(q, 7, f->au.type, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 7);
	bind_opt(q, 8, f->size_bytes, !lost);
	bind_opt(q, 9, f->pkts_expected, f->pkts_expected >= 0);
	sqlite3_bind_int64(q, 10, f->pkts_received);
	sqlite3_bind_int(q, 11, f->complete);
	sqlite3_bind_int(q, 12, r->decodable);
	sqlite3_bind_int(q, 13, f->decodable);
	bind_opt(q, 14, r->decoder_ok, r->decoder_ok >= 0);
	bind_opt(q, 15, f->capture_ns, f->capture_ns >= 0);
	bind_opt(q, 16, f->send_ns, f->send_ns > 0);
	bind_opt(q, 17, f->first_arrival_ns, f->first_arrival_ns >= 0);
	bind_opt(q, 18, f->last_arrival_ns, f->last_arrival_ns >= 0);
	bind_opt(q, 19, f->latency_ns, f->capture_ns >= 0 && !lost);
	if (r->psnr_db >= 0)
		sqlite3_bind_double(q, 20, r->psnr_db);
	else
		sqlite3_bind_null(q, 20);
}

static void bind_pkt(struct tb_recv_store *s, sqlite3_stmt *q, int base, const struct tb_pkt_rec *p)
{
	sqlite3_bind_int64(q, base + 1, s->run_id);
	sqlite3_bind_int64(q, base + 2, p->stream);
	sqlite3_bind_int64(q, base + 3, p->ext_seq);
	bind_opt(q, base + 4, p->frame_no, p->frame_no >= 0);
	sqlite3_bind_int64(q, base + 5, (int64_t)p->size);
	bind_opt(q, base + 6, p->send_ns, p->send_ns > 0);
	sqlite3_bind_int64(q, base + 7, p->arrival_ns);
	sqlite3_bind_int(q, base + 8, p->status);
}

/* Insert the waiting rows in one transaction; they are gone either way. */
static int flush(struct tb_recv_store *s)
{
	if (!s->nframes && !s->npkts)
		return 0;
	int rc = tb_store_begin(s->st);
	for (size_t i = 0; rc == 0 && i < s->nframes; i++) {
		bind_frame(s, s->ins_frame, &s->frames[i]);
		rc = step(s->ins_frame);
	}
	size_t i = 0;
	for (; rc == 0 && i + PKT_ROWS <= s->npkts; i += PKT_ROWS) {
		for (int k = 0; k < PKT_ROWS; k++)
			bind_pkt(s, s->ins_pkts, k * PKT_COLS, &s->pkts[i + (size_t)k]);
		rc = step(s->ins_pkts);
	}
	for (; rc == 0 && i < s->npkts; i++) {
		bind_pkt(s, s->ins_pkt, 0, &s->pkts[i]);
		rc = step(s->ins_pkt);
	}
	s->nframes = s->npkts = 0;
	if (rc == 0 && tb_store_commit(s->st) == 0)
		return 0;
	tb_store_rollback(s->st);
	return -1;
}

/* A row was queued: write them all when batch are waiting. */
static int queued(struct tb_recv_store *s)
{
	return s->nframes + s->npkts >= (size_t)s->batch ? flush(s) : 0;
}

int tb_recv_store_frame(struct tb_recv_store *s, const struct tb_frame_rec *f, int decoder_ok,
			int decodable, double psnr_db)
{
	if (grow((void **)&s->frames, &s->frames_cap, s->nframes, sizeof *s->frames))
		return -1;
	struct frame_row *r = &s->frames[s->nframes++];
	r->f = *f;
	r->f.annexb = NULL;
	r->f.annexb_len = 0;
	r->decoder_ok = decoder_ok;
	r->decodable = decodable;
	r->psnr_db = psnr_db;
	return queued(s);
}

int tb_recv_store_packet(struct tb_recv_store *s, const struct tb_pkt_rec *p)
{
	if (grow((void **)&s->pkts, &s->pkts_cap, s->npkts, sizeof *s->pkts))
		return -1;
	s->pkts[s->npkts++] = *p;
	return queued(s);
}

int tb_recv_store_sync(struct tb_recv_store *s)
{
	return flush(s);
}

int tb_recv_store_clock(struct tb_recv_store *s, const struct tb_recv_clock *c)
{
	if (flush(s) || tb_store_begin(s->st))
		return -1;
	sqlite3 *db = tb_store_db(s->st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(db,
				    "UPDATE runs SET clock = ?1, clock_sync = ?2, clock_offset_ns = ?3,"
				    " clock_bound_ns = ?4, clock_echoes = ?5 WHERE id = ?6",
				    -1, &q, NULL) == SQLITE_OK ? 0 : -1;
	if (!rc) {
		sqlite3_bind_text(q, 1, c->clock, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, c->sync, -1, SQLITE_STATIC);
		bind_opt(q, 3, c->offset_ns, c->have);
		bind_opt(q, 4, c->bound_ns, c->have);
		bind_opt(q, 5, c->echoes, c->have);
		sqlite3_bind_int64(q, 6, s->run_id);
		rc = step(q);
	}
	sqlite3_finalize(q);
	if (!rc && c->have) {
		char sql[300];
		snprintf(sql, sizeof sql,
			 "UPDATE frames_recv SET latency_ns = latency_ns - %lld WHERE run_id = %lld"
			 " AND stream BETWEEN %lld AND %lld AND latency_ns IS NOT NULL",
			 (long long)c->offset_ns, s->run_id, (long long)c->stream_first, (long long)c->stream_last);
		rc = tb_store_exec(s->st, sql);
	}
	if (rc) {
		tb_store_rollback(s->st);
		return -1;
	}
	return tb_store_commit(s->st);
}

int tb_recv_store_close(struct tb_recv_store *s, char *err, size_t errlen)
{
	int rc = 0;
	if (flush(s)) {
		tb_errbuf(err, errlen, "commit failed: %s", tb_store_errmsg(s->st));
		rc = -1;
	}
	if (s->created_run) {
		char sql[160];
		snprintf(sql, sizeof sql, "UPDATE runs SET status='done', ended_ns=%lld WHERE id=%lld",
			 (long long)tb_real_ns(), s->run_id);
		if (tb_store_exec(s->st, sql) && rc == 0) {
			tb_errbuf(err, errlen, "cannot mark run %lld done: %s", s->run_id,
				  tb_store_errmsg(s->st));
			rc = -1;
		}
	}
	close_all(s);
	return rc;
}
