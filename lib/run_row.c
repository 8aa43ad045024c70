#include "tb/run_row.h"
#include "tb/err.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The slot for column, emptied; NULL (and r->failed set) when there is no room. */
static struct tb_run_value *slot(struct tb_run_row *r, const char *column)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->v[i].column, column) == 0) {
			free(r->v[i].s);
			r->v[i].s = NULL;
			return &r->v[i];
		}
	if (r->n == TB_RUN_ROW_MAX) {
		r->failed = 1;
		return NULL;
	}
	struct tb_run_value *v = &r->v[r->n];
	memset(v, 0, sizeof *v);
	v->column = strdup(column);
	if (!v->column) {
		r->failed = 1;
		return NULL;
	}
	r->n++;
	return v;
}

void tb_run_row_i64(struct tb_run_row *r, const char *column, long long i)
{
	struct tb_run_value *v = slot(r, column);
	if (v) {
		v->type = SQLITE_INTEGER;
		v->i = i;
	}
}

void tb_run_row_real(struct tb_run_row *r, const char *column, double d)
{
	struct tb_run_value *v = slot(r, column);
	if (v) {
		v->type = SQLITE_FLOAT;
		v->d = d;
	}
}

void tb_run_row_null(struct tb_run_row *r, const char *column)
{
	struct tb_run_value *v = slot(r, column);
	if (v)
		v->type = SQLITE_NULL;
}

void tb_run_row_text(struct tb_run_row *r, const char *column, const char *s)
{
	struct tb_run_value *v = slot(r, column);
	if (!v)
		return;
	v->type = SQLITE_NULL;
	if (!s)
		return;
	v->s = strdup(s);
	if (!v->s) {
		r->failed = 1;
		return;
	}
	v->type = SQLITE_TEXT;
}

void tb_run_row_value(struct tb_run_row *r, const char *column, sqlite3_value *val)
{
	switch (sqlite3_value_type(val)) {
	case SQLITE_INTEGER:
		tb_run_row_i64(r, column, sqlite3_value_int64(val));
		break;
	case SQLITE_FLOAT:
		tb_run_row_real(r, column, sqlite3_value_double(val));
		break;
	case SQLITE_NULL:
		tb_run_row_null(r, column);
		break;
	default: /* text; runs has no blob column */
		tb_run_row_text(r, column, (const char *)sqlite3_value_text(val));
	}
}

/* A whole decimal integer written the canonical way (no '+', no leading
 * zeros, so that it reads back as written). */
static int canonical_integer(const char *s, long long *out)
{
	const char *d = s[0] == '-' ? s + 1 : s;
	if (!*d || strspn(d, "0123456789") != strlen(d) || (d[0] == '0' && d[1]))
		return 0;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return 0;
	*out = v;
	return 1;
}

/* A real in plain decimal or exponent notation, starting with a digit, '-'
 * or '.' (no "inf", "nan", hex, leading '+' or leading zeros). */
static int plain_real(const char *s, double *out)
{
	const char *d = s[0] == '-' ? s + 1 : s;
	if (!strchr("0123456789-.", s[0]) || strspn(s, "0123456789.-+eE") != strlen(s) ||
	    !strpbrk(s, "0123456789") || (d[0] == '0' && d[1] >= '0' && d[1] <= '9'))
		return 0;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return 0;
	*out = v;
	return 1;
}

void tb_run_row_parse(struct tb_run_row *r, const char *column, const char *text)
{
	long long i;
	double d;
	if (!text || !*text)
		tb_run_row_null(r, column);
	else if (canonical_integer(text, &i))
		tb_run_row_i64(r, column, i);
	else if (plain_real(text, &d))
		tb_run_row_real(r, column, d);
	else
		tb_run_row_text(r, column, text);
}

void tb_run_row_free(struct tb_run_row *r)
{
	for (int i = 0; i < r->n; i++) {
		free(r->v[i].column);
		free(r->v[i].s);
	}
	r->n = 0;
	r->failed = 0;
}

int tb_run_column_settable(tb_store *st, const char *column)
{
	if (!column || strcmp(column, "id") == 0)
		return 0;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(tb_store_db(st), "SELECT 1 FROM pragma_table_info('runs') WHERE name = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, column, -1, SQLITE_STATIC);
	int ok = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return ok;
}

static void bind(sqlite3_stmt *s, int i, const struct tb_run_value *v)
{
	switch (v->type) {
	case SQLITE_INTEGER:
		sqlite3_bind_int64(s, i, v->i);
		break;
	case SQLITE_FLOAT:
		sqlite3_bind_double(s, i, v->d);
		break;
	case SQLITE_TEXT:
		sqlite3_bind_text(s, i, v->s, -1, SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(s, i);
	}
}

/* 1 when the row can be written: no setter failed and every column is one
 * of runs; 0 with err set otherwise. */
static int columns_ok(tb_store *st, const struct tb_run_row *r, char *err, size_t errlen)
{
	if (r->failed) {
		tb_errbuf(err, errlen, "runs row: more than %d columns, or out of memory", TB_RUN_ROW_MAX);
		return 0;
	}
	for (int i = 0; i < r->n; i++)
		if (!tb_run_column_settable(st, r->v[i].column)) {
			tb_errbuf(err, errlen, "runs has no settable column '%s'", r->v[i].column);
			return 0;
		}
	return 1;
}

/* sql (freed here) prepared, with r's values bound from parameter 1 on; NULL
 * with err set on failure. */
static sqlite3_stmt *prepare_bound(tb_store *st, char *sql, const struct tb_run_row *r, char *err,
				   size_t errlen)
{
	sqlite3 *db = tb_store_db(st);
	sqlite3_stmt *s = NULL;
	if (!sql || sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		tb_errbuf(err, errlen, "runs row: %s", sql ? sqlite3_errmsg(db) : "out of memory");
		s = NULL;
	}
	sqlite3_free(sql);
	for (int i = 0; s && i < r->n; i++)
		bind(s, i + 1, &r->v[i]);
	return s;
}

long long tb_run_row_insert(tb_store *st, const struct tb_run_row *r, char *err, size_t errlen)
{
	if (!columns_ok(st, r, err, errlen))
		return -1;
	sqlite3 *db = tb_store_db(st);
	sqlite3_str *cols = sqlite3_str_new(db), *marks = sqlite3_str_new(db);
	for (int i = 0; i < r->n; i++) {
		sqlite3_str_appendf(cols, "%s\"%w\"", i ? "," : "", r->v[i].column);
		sqlite3_str_appendf(marks, "%s?", i ? "," : "");
	}
	char *c = sqlite3_str_finish(cols), *m = sqlite3_str_finish(marks);
	char *sql = r->n ? sqlite3_mprintf("INSERT INTO runs(%s) VALUES(%s)", c ? c : "", m ? m : "")
			 : sqlite3_mprintf("INSERT INTO runs DEFAULT VALUES");
	sqlite3_free(c);
	sqlite3_free(m);
	sqlite3_stmt *s = prepare_bound(st, sql, r, err, errlen);
	if (!s)
		return -1;
	long long id = -1;
	if (sqlite3_step(s) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(db);
	else
		tb_errbuf(err, errlen, "cannot insert the runs row: %s", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return id;
}

int tb_run_row_update(tb_store *st, long long id, const struct tb_run_row *r, char *err, size_t errlen)
{
	if (!columns_ok(st, r, err, errlen))
		return -1;
	if (r->n == 0) {
		tb_errbuf(err, errlen, "runs row: nothing to set");
		return -1;
	}
	sqlite3 *db = tb_store_db(st);
	sqlite3_str *sets = sqlite3_str_new(db);
	for (int i = 0; i < r->n; i++)
		sqlite3_str_appendf(sets, "%s\"%w\"=?", i ? "," : "", r->v[i].column);
	char *set = sqlite3_str_finish(sets);
	char *sql = sqlite3_mprintf("UPDATE runs SET %s WHERE id=%lld", set ? set : "", id);
	sqlite3_free(set);
	sqlite3_stmt *s = prepare_bound(st, sql, r, err, errlen);
	if (!s)
		return -1;
	int rc = -1;
	if (sqlite3_step(s) != SQLITE_DONE)
		tb_errbuf(err, errlen, "cannot update run %lld: %s", id, sqlite3_errmsg(db));
	else if (sqlite3_changes(db) != 1)
		tb_errbuf(err, errlen, "no run with id %lld", id);
	else
		rc = 0;
	sqlite3_finalize(s);
	return rc;
}
