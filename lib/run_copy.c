/* Copying runs between results stores (see tb/run_copy.h). */
#include "tb/run_copy.h"

#include "tb/err.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The columns table has in both main and `from`, comma-separated and
 * quoted, as a new sqlite3 string (NULL when out of memory). With
 * id_value, the run_id column is selected as that value instead; with
 * skip, that column is left out. */
static char *shared_columns(sqlite3 *db, const char *from, const char *table, const char *skip,
			    const char *id_value)
{
	sqlite3_str *out = sqlite3_str_new(db);
	sqlite3_stmt *c;
	char *q = sqlite3_mprintf("SELECT m.name FROM pragma_table_info(%Q, 'main') m"
				  " WHERE m.name IN (SELECT name FROM pragma_table_info(%Q, %Q)) ORDER BY m.cid",
				  table, table, from);
	if (!q || sqlite3_prepare_v2(db, q, -1, &c, NULL) != SQLITE_OK) {
		sqlite3_free(q);
		sqlite3_free(sqlite3_str_finish(out));
		return NULL;
	}
	sqlite3_free(q);
	int n = 0;
	while (sqlite3_step(c) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(c, 0);
		if (skip && !strcmp(name, skip))
			continue;
		if (n++)
			sqlite3_str_appendchar(out, 1, ',');
		if (id_value && !strcmp(name, "run_id"))
			sqlite3_str_appendall(out, id_value);
		else
			sqlite3_str_appendf(out, "\"%w\"", name);
	}
	sqlite3_finalize(c);
	return sqlite3_str_finish(out);
}

static int exec_sql(sqlite3 *db, char *sql, char *err, size_t errlen, const char *what)
{
	if (!sql) {
		tb_errbuf(err, errlen, "%s: out of memory", what);
		return -1;
	}
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		tb_errbuf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

int tb_run_copy_attach(tb_store *st, const char *path, const char *schema, char *err, size_t errlen)
{
	if (access(path, R_OK)) {
		tb_errbuf(err, errlen, "cannot read %s", path);
		return -1;
	}
	tb_store *s; /* opened once through the store: checks and migrates its version */
	if (tb_store_open(path, &s, err, errlen))
		return -1;
	tb_store_close(s);
	sqlite3 *db = tb_store_db(st);
	sqlite3_stmt *att;
	char *q = sqlite3_mprintf("ATTACH DATABASE ? AS \"%w\"", schema);
	int rc = q ? sqlite3_prepare_v2(db, q, -1, &att, NULL) : SQLITE_NOMEM;
	sqlite3_free(q);
	if (rc != SQLITE_OK) {
		tb_errbuf(err, errlen, "attach %s: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(att, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(att);
	sqlite3_finalize(att);
	if (rc != SQLITE_DONE) {
		tb_errbuf(err, errlen, "attach %s: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

int tb_run_copy_detach(tb_store *st, const char *schema, char *err, size_t errlen)
{
	return exec_sql(tb_store_db(st), sqlite3_mprintf("DETACH DATABASE \"%w\"", schema), err, errlen, "detach");
}

int tb_run_copy_children(tb_store *st, const char *from, long long src_id, long long dst_id, char *err,
			 size_t errlen)
{
	sqlite3 *db = tb_store_db(st);
	char id_value[32];
	snprintf(id_value, sizeof id_value, "%lld", dst_id);
	sqlite3_stmt *tabs;
	char *q = sqlite3_mprintf("SELECT m.name FROM main.sqlite_master m WHERE m.type = 'table'"
				  " AND m.name != 'runs'"
				  " AND EXISTS (SELECT 1 FROM pragma_table_info(m.name, 'main') WHERE name = 'run_id')"
				  " AND EXISTS (SELECT 1 FROM \"%w\".sqlite_master f WHERE f.type = 'table'"
				  " AND f.name = m.name) ORDER BY m.name", from);
	int rc = q ? sqlite3_prepare_v2(db, q, -1, &tabs, NULL) : SQLITE_NOMEM;
	sqlite3_free(q);
	if (rc != SQLITE_OK) {
		tb_errbuf(err, errlen, "list tables: %s", sqlite3_errmsg(db));
		return -1;
	}
	int ret = 0;
	while (!ret && sqlite3_step(tabs) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(tabs, 0);
		char *cols = shared_columns(db, from, t, NULL, NULL);
		char *sel = shared_columns(db, from, t, NULL, id_value);
		ret = exec_sql(db,
			       cols && sel ? sqlite3_mprintf("INSERT INTO main.\"%w\"(%s) SELECT %s FROM \"%w\".\"%w\""
							     " WHERE run_id = %lld",
							     t, cols, sel, from, t, src_id)
					   : NULL,
			       err, errlen, t);
		sqlite3_free(cols);
		sqlite3_free(sel);
	}
	sqlite3_finalize(tabs);
	return ret;
}

long long tb_run_copy(tb_store *st, const char *from, long long src_id, char *err, size_t errlen)
{
	sqlite3 *db = tb_store_db(st);
	char *cols = shared_columns(db, from, "runs", "id", NULL);
	int rc = exec_sql(db,
			  cols ? sqlite3_mprintf("INSERT INTO main.runs(%s) SELECT %s FROM \"%w\".runs WHERE id = %lld",
						 cols, cols, from, src_id)
			       : NULL,
			  err, errlen, "runs");
	sqlite3_free(cols);
	if (rc)
		return -1;
	if (sqlite3_changes(db) != 1) {
		tb_errbuf(err, errlen, "%s has no run %lld", from, src_id);
		return -1;
	}
	long long id = sqlite3_last_insert_rowid(db);
	return tb_run_copy_children(st, from, src_id, id, err, errlen) ? -1 : id;
}

int tb_run_env_set(tb_store *st, long long id, const char *key, const char *value, char *err, size_t errlen)
{
	sqlite3 *db = tb_store_db(st);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db,
			       "UPDATE runs SET env_json = json_set(CASE WHEN json_valid(env_json) THEN env_json"
			       " ELSE '{}' END, '$.\"' || ?1 || '\"', ?2) WHERE id = ?3",
			       -1, &s, NULL) != SQLITE_OK) {
		tb_errbuf(err, errlen, "env_json: %s", sqlite3_errmsg(db));
		return -1;
	}
	long long n;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (*value && !tb_parse_i64(value, -0x7fffffffffffffffLL, 0x7fffffffffffffffLL, &n))
		sqlite3_bind_int64(s, 2, n);
	else
		sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, id);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE || sqlite3_changes(db) != 1) {
		tb_errbuf(err, errlen, "env_json of run %lld: %s", id, rc != SQLITE_DONE ? sqlite3_errmsg(db) : "no such run");
		return -1;
	}
	return 0;
}
