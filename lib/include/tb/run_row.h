/* Creating a runs row: the one place that writes INSERT INTO runs (and
 * the UPDATE that tb-db run-set makes of the same column/value list).
 *
 * A caller collects column = value pairs, each with its type, and inserts
 * them as one row. Setting a column again replaces its value (a point file's
 * settings, then command-line overrides). Column names are checked against
 * the runs table of the store before anything is written, so a misspelt
 * setting is an error rather than a silently missing value. */
#ifndef TB_RUN_ROW_H
#define TB_RUN_ROW_H

#include "tb/store.h"

#include <sqlite3.h>
#include <stddef.h>

enum { TB_RUN_ROW_MAX = 64 };

struct tb_run_value {
	char *column;
	int type;             /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT or SQLITE_NULL */
	long long i;
	double d;
	char *s;
};

struct tb_run_row {
	int n;
	int failed;           /* a setter ran out of room or memory; insert reports it */
	struct tb_run_value v[TB_RUN_ROW_MAX];
};

/* An empty row: struct tb_run_row r = TB_RUN_ROW_INIT; free with tb_run_row_free. */
#define TB_RUN_ROW_INIT {0}

void tb_run_row_i64(struct tb_run_row *r, const char *column, long long v);
void tb_run_row_real(struct tb_run_row *r, const char *column, double v);
/* v NULL stores NULL. The string is copied. */
void tb_run_row_text(struct tb_run_row *r, const char *column, const char *v);
void tb_run_row_null(struct tb_run_row *r, const char *column);
/* A value of any type, as SQLite returned it (e.g. sqlite3_column_value). */
void tb_run_row_value(struct tb_run_row *r, const char *column, sqlite3_value *v);
/* Text from a command line or a settings file: an integer or a real when it
 * reads as one, text otherwise; empty or NULL stores NULL. */
void tb_run_row_parse(struct tb_run_row *r, const char *column, const char *text);

void tb_run_row_free(struct tb_run_row *r);

/* 1 when runs has a column of that name that a caller may set (not id). */
int tb_run_column_settable(tb_store *st, const char *column);

/* Insert the row; returns the new run id, or -1 with err set (an unknown
 * column is named, and nothing is written). */
long long tb_run_row_insert(tb_store *st, const struct tb_run_row *r, char *err, size_t errlen);

/* Set the row's columns on the existing run id; 0, or -1 with err set (also
 * when there is no such run). */
int tb_run_row_update(tb_store *st, long long id, const struct tb_run_row *r, char *err, size_t errlen);

#endif
