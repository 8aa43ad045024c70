/* The SQLite results store: one database file per campaign.
 *
 * Opening a store creates it if needed, switches it to WAL (so analysis can
 * read while a run writes) and migrates it to the newest schema version this
 * build knows. The version lives in PRAGMA user_version; migrations are
 * applied one at a time, each in its own transaction, so an interrupted
 * migration leaves the file at the previous, consistent version. A file whose
 * version is newer than this build is refused rather than misread. */
#ifndef TB_STORE_H
#define TB_STORE_H

#include <sqlite3.h>
#include <stddef.h>

typedef struct tb_store tb_store;

/* Newest schema version; see schema.c for what each version adds. */
int tb_schema_latest(void);

/* Open (creating if absent) and migrate to the latest version. On failure
 * returns -1, *out stays NULL, and err holds a one-line reason. */
int tb_store_open(const char *path, tb_store **out, char *err, size_t errlen);

/* As tb_store_open, but migrate only up to target_version (1..latest): how
 * tests build a database as an older build left it. */
int tb_store_open_at(const char *path, int target_version, tb_store **out, char *err,
		     size_t errlen);

/* Open an existing store read-only; never migrates. Fails if the file is
 * missing or its version is newer than this build knows. */
int tb_store_open_readonly(const char *path, tb_store **out, char *err, size_t errlen);

void tb_store_close(tb_store *st);

sqlite3 *tb_store_db(tb_store *st);
int tb_store_version(tb_store *st);
const char *tb_store_errmsg(tb_store *st);

/* Run one or more SQL statements without results. Returns 0 or -1. */
int tb_store_exec(tb_store *st, const char *sql);

/* Transactions. Writers batch rows: begin, insert many, commit. */
int tb_store_begin(tb_store *st);
int tb_store_commit(tb_store *st);
int tb_store_rollback(tb_store *st);

/* Batched writing: call before each inserted row; it opens a transaction
 * when none is open, and commits and reopens once `every` rows are in it. tb_store_batch_end
 * commits what is pending. Returns 0 or -1. */
int tb_store_batch_row(tb_store *st, int every);
int tb_store_batch_end(tb_store *st);

/* Convenience: a single int64 from a query with no parameters (or -1 with
 * *ok = 0 when the query fails or returns no row). */
long long tb_store_query_i64(tb_store *st, const char *sql, int *ok);

#endif
