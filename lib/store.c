#include "tb/store.h"
#include "tb/err.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tb_store {
	sqlite3 *db;
	int version;
	int batch_rows;   /* rows written since the current batch began */
	int in_batch;
};

int tb_schema_latest(void) { return tb_schema_count(); }

sqlite3 *tb_store_db(tb_store *st) { return st->db; }
int tb_store_version(tb_store *st) { return st->version; }
const char *tb_store_errmsg(tb_store *st) { return sqlite3_errmsg(st->db); }

int tb_store_exec(tb_store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int tb_store_begin(tb_store *st) { return tb_store_exec(st, "BEGIN IMMEDIATE"); }
int tb_store_commit(tb_store *st) { return tb_store_exec(st, "COMMIT"); }
int tb_store_rollback(tb_store *st) { return tb_store_exec(st, "ROLLBACK"); }

long long tb_store_query_i64(tb_store *st, const char *sql, int *ok)
{
	sqlite3_stmt *s = NULL;
	long long v = -1;
	int good = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		v = sqlite3_column_int64(s, 0);
		good = 1;
	}
	sqlite3_finalize(s);
	if (ok)
		*ok = good;
	return v;
}

static int read_version(tb_store *st)
{
	int ok;
	long long v = tb_store_query_i64(st, "PRAGMA user_version", &ok);
	return ok ? (int)v : -1;
}

/* Apply migrations current+1 .. target, each atomically with its version bump. */
static int migrate(tb_store *st, int target, char *err, size_t errlen)
{
	while (st->version < target) {
		int to = st->version + 1;
		char bump[64];
		snprintf(bump, sizeof bump, "PRAGMA user_version = %d", to);
		char *msg = NULL;
		if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(st->db, tb_schema_migration(to), NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(st->db, bump, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
			tb_errbuf(err, errlen, "migration to schema v%d failed: %s", to,
				  msg ? msg : sqlite3_errmsg(st->db));
			sqlite3_free(msg);
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		st->version = to;
	}
	return 0;
}

static int open_common(const char *path, int flags, int target, tb_store **out, char *err,
		       size_t errlen)
{
	*out = NULL;
	if (!path || !*path) {
		tb_errbuf(err, errlen, "no database path given");
		return -1;
	}
	tb_store *st = calloc(1, sizeof *st);
	if (!st) {
		tb_errbuf(err, errlen, "out of memory");
		return -1;
	}
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		tb_errbuf(err, errlen, "cannot open %s: %s", path,
			  st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	/* Concurrent writers (sender and receiver share a campaign file) wait
	 * rather than fail while the other holds the write lock. */
	sqlite3_busy_timeout(st->db, 10000);
	st->version = read_version(st);
	if (st->version < 0) {
		tb_errbuf(err, errlen, "%s is not an SQLite database: %s", path,
			  sqlite3_errmsg(st->db));
		goto fail;
	}
	if (st->version > tb_schema_latest()) {
		tb_errbuf(err, errlen,
			  "%s has schema v%d, newer than this build knows (v%d); rebuild the testbed",
			  path, st->version, tb_schema_latest());
		goto fail;
	}
	if (flags & SQLITE_OPEN_READWRITE) {
		if (tb_store_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
				      "PRAGMA foreign_keys=ON;")) {
			tb_errbuf(err, errlen, "cannot configure %s: %s", path,
				  sqlite3_errmsg(st->db));
			goto fail;
		}
		if (migrate(st, target, err, errlen))
			goto fail;
	}
	*out = st;
	return 0;
fail:
	sqlite3_close(st->db);
	free(st);
	return -1;
}

int tb_store_open_at(const char *path, int target_version, tb_store **out, char *err,
		     size_t errlen)
{
	if (target_version < 1 || target_version > tb_schema_latest()) {
		*out = NULL;
		tb_errbuf(err, errlen, "schema version %d out of range 1..%d", target_version,
			  tb_schema_latest());
		return -1;
	}
	return open_common(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, target_version, out,
			   err, errlen);
}

int tb_store_open(const char *path, tb_store **out, char *err, size_t errlen)
{
	return tb_store_open_at(path, tb_schema_latest(), out, err, errlen);
}

int tb_store_open_readonly(const char *path, tb_store **out, char *err, size_t errlen)
{
	return open_common(path, SQLITE_OPEN_READONLY, 0, out, err, errlen);
}

int tb_store_batch_row(tb_store *st, int every)
{
	if (st->in_batch && st->batch_rows >= every) {
		st->in_batch = 0;
		if (tb_store_commit(st))
			return -1;
	}
	if (!st->in_batch) {
		if (tb_store_begin(st))
			return -1;
		st->in_batch = 1;
		st->batch_rows = 0;
	}
	st->batch_rows++;
	return 0;
}

int tb_store_batch_end(tb_store *st)
{
	if (!st->in_batch)
		return 0;
	st->in_batch = 0;
	return tb_store_commit(st);
}

void tb_store_close(tb_store *st)
{
	if (!st)
		return;
	if (st->in_batch)
		tb_store_commit(st);
	sqlite3_close(st->db);
	free(st);
}
