#include "tb/run_finish.h"
#include "tb/clock.h"
#include "tb/err.h"
#include "tb/validity.h"
#include "finish.h"

static int run_exists(sqlite3 *db, long long run_id)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM runs WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(s, 1, run_id);
	int found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return found;
}

static int mark_done(sqlite3 *db, long long run_id, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc = -1;
	if (sqlite3_prepare_v2(db, "UPDATE runs SET ended_ns = ?2, status = 'done' WHERE id = ?1", -1, &s,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, run_id);
		sqlite3_bind_int64(s, 2, tb_real_ns());
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	if (rc)
		tb_errbuf(err, errlen, "cannot mark run %lld done: %s", run_id, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc;
}

/* UPDATE runs SET (two columns, as SQL with ?2 and ?3) for the run; WHAT
 * names them in the error. */
static int store_pair(sqlite3 *db, long long run_id, const char *sql, long long a, long long b, const char *what,
		      char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, run_id);
		sqlite3_bind_int64(s, 2, a);
		sqlite3_bind_int64(s, 3, b);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	if (rc)
		tb_errbuf(err, errlen, "cannot store the %s of run %lld: %s", what, run_id, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc;
}

/* The host's shares between the snapshots; NULL when no tick passed (a
 * run shorter than vm.sh's second) or the counters went back. */
static int store_host_cpu(sqlite3 *db, long long run_id, const struct tb_host_cpu *b, const struct tb_host_cpu *a,
			  char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc = -1;
	if (sqlite3_prepare_v2(db, "UPDATE runs SET host_other_busy_pct = round(?2, 1), host_steal_pct = round(?3, 1)"
				   " WHERE id = ?1", -1, &s, NULL) == SQLITE_OK) {
		double other, steal;
		sqlite3_bind_int64(s, 1, run_id);
		if (!tb_host_cpu_shares(b, a, &other, &steal)) {
			sqlite3_bind_double(s, 2, other);
			sqlite3_bind_double(s, 3, steal);
		}
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	if (rc)
		tb_errbuf(err, errlen, "cannot store the host's CPU shares of run %lld: %s", run_id, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc;
}

static int store_inputs(tb_store *st, long long id, const struct tb_finish_inputs *in, char *err,
			size_t errlen)
{
	sqlite3 *db = tb_store_db(st);
	if (in->before && tb_finish_counters(db, id, in->before, in->after, err, errlen))
		return -1;
	if (in->samples && tb_finish_samples(db, id, in->samples, err, errlen))
		return -1;
	if (in->nreceivers && tb_finish_receivers(db, id, in->receivers, in->nreceivers, err, errlen))
		return -1;
	if (in->iperf && tb_finish_iperf(db, id, in->iperf, err, errlen))
		return -1;
	if (in->images && tb_finish_images(db, id, in->images, err, errlen))
		return -1;
	if (in->has_window &&
	    store_pair(db, id, "UPDATE runs SET traffic_start_ns = ?2, traffic_end_ns = ?3 WHERE id = ?1",
		       in->window_start_ns, in->window_end_ns, "traffic window", err, errlen))
		return -1;
	if (in->has_taint &&
	    store_pair(db, id, "UPDATE runs SET kernel_taint_before = ?2, kernel_taint_after = ?3 WHERE id = ?1",
		       in->taint_before, in->taint_after, "kernel taint", err, errlen))
		return -1;
	if (in->has_host_cpu && store_host_cpu(db, id, &in->host_cpu_before, &in->host_cpu_after, err, errlen))
		return -1;
	if (tb_validity_judge(st, id, err, errlen))
		return -1;
	return mark_done(db, id, err, errlen);
}

int tb_run_finish(tb_store *st, long long run_id, const struct tb_finish_inputs *in, char *err,
		  size_t errlen)
{
	if (!in->before != !in->after) {
		tb_errbuf(err, errlen, "counter snapshots come in pairs: before and after");
		return -1;
	}
	if (in->has_window && in->window_end_ns < in->window_start_ns) {
		tb_errbuf(err, errlen, "the traffic window ends (%lld) before it starts (%lld)", in->window_end_ns,
			  in->window_start_ns);
		return -1;
	}
	if (in->has_taint && (in->taint_before < 0 || in->taint_after < 0)) {
		tb_errbuf(err, errlen, "a kernel taint mask is not negative");
		return -1;
	}
	if (tb_store_begin(st)) {
		tb_errbuf(err, errlen, "cannot begin a transaction: %s", tb_store_errmsg(st));
		return -1;
	}
	if (!run_exists(tb_store_db(st), run_id)) {
		tb_errbuf(err, errlen, "no run with id %lld", run_id);
		tb_store_rollback(st);
		return -1;
	}
	if (store_inputs(st, run_id, in, err, errlen)) {
		tb_store_rollback(st);
		return -1;
	}
	if (tb_store_commit(st)) {
		tb_errbuf(err, errlen, "cannot commit run %lld: %s", run_id, tb_store_errmsg(st));
		tb_store_rollback(st);
		return -1;
	}
	return 0;
}
