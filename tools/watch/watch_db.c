/* tb-watch's rows: one runs row (kind 'watch'), samples handed to a writer
 * thread that commits them once a second in one transaction (so sampling
 * never waits for the disk, nor for another writer's lock on a shared
 * database), the counters before/after under the names scenario/counters.sh
 * gives them. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "tb/err.h"
#include "tb/run_row.h"
#include "tb/store.h"
#include "watch.h"

struct row {
	int64_t t_ns;
	const char *name, *unit; /* string literals */
	double value;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

struct watch_db {
	tb_store *st;
	long long run_id;
	int created;             /* the runs row is ours (not --run-id) */
	long long written;       /* by the writer; read after it is joined */
	long long last_ring;     /* txqueuelen of the last "ring" sample, -1 none yet */
	struct rows pending;     /* the sampler's rows, under mu */
	int stopping;            /* under mu: write what is pending, then end */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t writer;
};

static void *writer_main(void *arg);

static void store_die(struct watch_db *w, const char *what)
{
	tb_die("results store: %s: %s", what, tb_store_errmsg(w->st));
}

static void create_run(struct watch_db *w, const struct watch_opts *o, const struct watch_reading *r)
{
	char knobs[256], env[384], host[128] = "";
	snprintf(knobs, sizeof knobs, "{\"dev\":\"%s\",\"qdisc_dev\":\"%s\",\"hz\":%lld}", o->dev, o->qdisc_dev,
		 o->hz);
	gethostname(host, sizeof host - 1);
	host[strcspn(host, "\"\\")] = 0;
	snprintf(env, sizeof env, "{\"hostname\":\"%s\",\"tool\":\"tb-watch\"}", host);
	struct utsname u;
	struct tb_run_row row = TB_RUN_ROW_INIT;
	tb_run_row_text(&row, "kind", "watch");
	tb_run_row_text(&row, "kernel_release", uname(&u) == 0 ? u.release : NULL);
	tb_run_row_i64(&row, "ring", r->txqueuelen);
	tb_run_row_text(&row, "qdisc_kind", r->qdisc_kind[0] ? r->qdisc_kind : NULL);
	if (r->qdisc_limit >= 0)
		tb_run_row_i64(&row, "qdisc_limit", r->qdisc_limit);
	if (o->duration_s > 0)
		tb_run_row_real(&row, "duration", o->duration_s);
	tb_run_row_text(&row, "knobs_json", knobs);
	tb_run_row_text(&row, "env_json", env);
	tb_run_row_i64(&row, "started_ns", r->t_ns);
	tb_run_row_text(&row, "status", "running");
	char err[512];
	w->run_id = tb_run_row_insert(w->st, &row, err, sizeof err);
	tb_run_row_free(&row);
	if (w->run_id < 0)
		tb_die("results store: %s", err);
	w->created = 1;
}

struct watch_db *watch_db_open(const struct watch_opts *o, const struct watch_reading *first)
{
	struct watch_db *w = calloc(1, sizeof *w);
	if (!w)
		tb_die("out of memory");
	char err[512];
	if (tb_store_open(o->db, &w->st, err, sizeof err))
		tb_die("%s", err);
	w->last_ring = -1;
	if (o->run_id) {
		char q[96];
		int ok;
		snprintf(q, sizeof q, "SELECT count(*) FROM runs WHERE id = %lld", o->run_id);
		if (tb_store_query_i64(w->st, q, &ok) != 1)
			tb_die("--run-id %lld: no such run in %s", o->run_id, o->db);
		w->run_id = o->run_id;
	} else {
		create_run(w, o, first);
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	int rc = pthread_create(&w->writer, NULL, writer_main, w);
	if (rc)
		tb_die("cannot start the writer thread: %s", strerror(rc));
	return w;
}

long long watch_db_run_id(const struct watch_db *w) { return w->run_id; }

static void add(struct watch_db *w, int64_t t_ns, const char *name, double value, const char *unit)
{
	pthread_mutex_lock(&w->mu);
	struct rows *r = &w->pending;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 1024;
		struct row *grown = realloc(r->v, cap * sizeof *grown);
		if (!grown)
			tb_die("out of memory");
		r->v = grown;
		r->cap = cap;
	}
	r->v[r->n++] = (struct row){t_ns, name, unit, value};
	pthread_mutex_unlock(&w->mu);
}

long long watch_delta(long long prev, long long cur)
{
	return cur >= prev ? cur - prev : cur;
}

void watch_db_sample(struct watch_db *w, const struct watch_reading *p, const struct watch_reading *c)
{
	int64_t t = c->t_ns, dt_us = (c->mono_ns - p->mono_ns) / 1000;
	if (w->last_ring != c->txqueuelen) {
		add(w, t, "ring", (double)c->txqueuelen, "pkts");
		w->last_ring = c->txqueuelen;
	}
	add(w, t, "ring_drops", (double)watch_delta(p->tx_dropped, c->tx_dropped), "pkts");
	if (dt_us > 0)
		add(w, t, "tun_read_mbit_s", (double)watch_delta(p->tx_bytes, c->tx_bytes) * 8 / (double)dt_us, "Mbit/s");
	if (c->qdisc_drops >= 0) {
		if (p->qdisc_drops >= 0)
			add(w, t, "qdisc_drops", (double)watch_delta(p->qdisc_drops, c->qdisc_drops), "pkts");
		add(w, t, "qdisc_backlog_bytes", (double)c->qdisc_backlog_bytes, "B");
		add(w, t, "qdisc_backlog_pkts", (double)c->qdisc_backlog_pkts, "pkts");
	}
	if (c->udp_sndbuf_errors >= 0 && p->udp_sndbuf_errors >= 0)
		add(w, t, "udp_sndbuf_errors", (double)watch_delta(p->udp_sndbuf_errors, c->udp_sndbuf_errors), "pkts");
}

/* Write rows in one transaction (writer thread only). */
static void write_rows(struct watch_db *w, const struct rows *rows)
{
	if (!rows->n)
		return;
	sqlite3_stmt *s;
	if (tb_store_begin(w->st))
		store_die(w, "begin");
	if (sqlite3_prepare_v2(tb_store_db(w->st),
			       "INSERT INTO samples (run_id, t_ns, name, value, unit) VALUES (?,?,?,?,?)", -1, &s,
			       NULL) != SQLITE_OK)
		store_die(w, "prepare samples insert");
	for (size_t i = 0; i < rows->n; i++) {
		sqlite3_bind_int64(s, 1, w->run_id);
		sqlite3_bind_int64(s, 2, rows->v[i].t_ns);
		sqlite3_bind_text(s, 3, rows->v[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_double(s, 4, rows->v[i].value);
		sqlite3_bind_text(s, 5, rows->v[i].unit, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			store_die(w, "insert sample");
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (tb_store_commit(w->st))
		store_die(w, "commit samples");
	w->written += (long long)rows->n;
}

/* Once a second (or when told to stop), take the pending rows and write
 * them; the sampler goes on filling a fresh buffer meanwhile. */
static void *writer_main(void *arg)
{
	struct watch_db *w = arg;
	struct rows mine = {0};
	for (;;) {
		pthread_mutex_lock(&w->mu);
		if (!w->stopping) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until); /* the condition variable's clock */
			until.tv_sec += 1;
			pthread_cond_timedwait(&w->cv, &w->mu, &until);
		}
		struct rows taken = w->pending;
		w->pending = mine;
		w->pending.n = 0;
		int last = w->stopping;
		pthread_mutex_unlock(&w->mu);
		write_rows(w, &taken);
		mine = taken;
		if (last)
			break;
	}
	free(mine.v);
	return NULL;
}

static void counters(struct watch_db *w, const struct watch_reading *a, const struct watch_reading *b)
{
	const struct {
		const char *place, *name;
		long long before, after;
	} c[] = {
		{"ring", "tx_dropped", a->tx_dropped, b->tx_dropped},
		{"ring", "tx_packets", a->tx_packets, b->tx_packets},
		{"ring", "tx_bytes", a->tx_bytes, b->tx_bytes},
		{"qdisc", "dropped", a->qdisc_drops, b->qdisc_drops},
		{"qdisc", "backlog_pkts", a->qdisc_backlog_pkts, b->qdisc_backlog_pkts},
		{"socket", "udp_sndbuf_errors", a->udp_sndbuf_errors, b->udp_sndbuf_errors},
		{"socket", "udp_out_datagrams", a->udp_out_datagrams, b->udp_out_datagrams},
	};
	sqlite3_stmt *s;
	/* OR IGNORE: a run given with --run-id may have its own counters already */
	if (sqlite3_prepare_v2(tb_store_db(w->st),
			       "INSERT OR IGNORE INTO counters (run_id, place, name, before, after) VALUES (?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK)
		store_die(w, "prepare counters insert");
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		sqlite3_bind_int64(s, 1, w->run_id);
		sqlite3_bind_text(s, 2, c[i].place, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, c[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, c[i].before);
		sqlite3_bind_int64(s, 5, c[i].after);
		if (sqlite3_step(s) != SQLITE_DONE)
			store_die(w, "insert counter");
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
}

long long watch_db_close(struct watch_db *w, const struct watch_reading *first, const struct watch_reading *last,
			 const char *status)
{
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->writer, NULL);
	free(w->pending.v);
	if (tb_store_begin(w->st))
		store_die(w, "begin");
	counters(w, first, last);
	if (w->created) {
		struct tb_run_row row = TB_RUN_ROW_INIT;
		tb_run_row_i64(&row, "ended_ns", last->t_ns);
		tb_run_row_text(&row, "status", status);
		char err[512];
		if (tb_run_row_update(w->st, w->run_id, &row, err, sizeof err))
			tb_die("results store: %s", err);
		tb_run_row_free(&row);
	}
	if (tb_store_commit(w->st))
		store_die(w, "commit");
	long long written = w->written;
	tb_store_close(w->st);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
	return written;
}
