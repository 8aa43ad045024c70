/* Creating runs rows: typed values, text read as a number only when it is
 * written as one, a later value replacing an earlier one, unknown columns
 * refused before anything is written, updates. */
#include "tb/check.h"
#include "tb/run_row.h"
#include "tb/store.h"
#include "test_support.h"

#include <stdio.h>
#include <string.h>

/* "type:value" of column col of run id, e.g. "integer:25", "null:". */
static void typed(tb_store *st, long long id, const char *col, char *buf, size_t len)
{
	char *sql = sqlite3_mprintf("SELECT typeof(\"%w\") || ':' || coalesce(\"%w\", '') FROM runs WHERE id = %lld",
				    col, col, id);
	store_text(st, sql, buf, len);
	sqlite3_free(sql);
}

#define CHECK_COL(st, id, col, want)                                                   \
	do {                                                                           \
		char got_[256];                                                        \
		typed(st, id, col, got_, sizeof got_);                                 \
		CHECK_EQ_STR(got_, want);                                              \
	} while (0)

static void test_typed_values(tb_store *st)
{
	struct tb_run_row r = TB_RUN_ROW_INIT;
	tb_run_row_text(&r, "kind", "video");
	tb_run_row_i64(&r, "ring", 25);
	tb_run_row_real(&r, "pace", 0.25);
	tb_run_row_text(&r, "qdisc", "pfifo limit 25000");
	tb_run_row_null(&r, "profile");
	tb_run_row_text(&r, "clip", NULL);
	char err[256] = "";
	long long id = tb_run_row_insert(st, &r, err, sizeof err);
	tb_run_row_free(&r);
	CHECK(id > 0);
	CHECK_COL(st, id, "kind", "text:video");
	CHECK_COL(st, id, "ring", "integer:25");
	CHECK_COL(st, id, "pace", "real:0.25");
	CHECK_COL(st, id, "qdisc", "text:pfifo limit 25000");
	CHECK_COL(st, id, "profile", "null:");
	CHECK_COL(st, id, "clip", "null:");
	CHECK_COL(st, id, "status", "text:running"); /* the column's default */
}

/* Text from a command line or a point file: a number only when written as
 * one (so that it reads back as written), text otherwise. */
static void test_parse(void)
{
	static const struct {
		const char *text;
		int type;
		double num;
	} cases[] = {
		{"25", SQLITE_INTEGER, 25},   {"-3", SQLITE_INTEGER, -3},  {"0", SQLITE_INTEGER, 0},
		{"41.5", SQLITE_FLOAT, 41.5}, {"1e3", SQLITE_FLOAT, 1000}, {"-.5", SQLITE_FLOAT, -0.5},
		{"", SQLITE_NULL, 0},         {"007", SQLITE_TEXT, 0},     {"+5", SQLITE_TEXT, 0},
		{"0x10", SQLITE_TEXT, 0},     {"720p30", SQLITE_TEXT, 0},  {"45,55", SQLITE_TEXT, 0},
		{"inf", SQLITE_TEXT, 0},      {"-", SQLITE_TEXT, 0},       {"1.2.3", SQLITE_TEXT, 0},
		{"99999999999999999999", SQLITE_FLOAT, 1e20},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tb_run_row r = TB_RUN_ROW_INIT;
		tb_run_row_parse(&r, "point_key", cases[i].text);
		const struct tb_run_value *v = &r.v[0];
		int ok = r.n == 1 && v->type == cases[i].type &&
			 (v->type != SQLITE_INTEGER || v->i == (long long)cases[i].num) &&
			 (v->type != SQLITE_FLOAT || v->d == cases[i].num) &&
			 (v->type != SQLITE_TEXT || strcmp(v->s, cases[i].text) == 0);
		if (!ok)
			fprintf(stderr, "  parse '%s': type %d, want %d\n", cases[i].text, v->type, cases[i].type);
		CHECK(ok);
		tb_run_row_free(&r);
	}
}

static void test_override_and_refuse(tb_store *st)
{
	long long before = tb_store_query_i64(st, "SELECT count(*) FROM runs", NULL);
	struct tb_run_row r = TB_RUN_ROW_INIT;
	tb_run_row_text(&r, "kind", "video");
	tb_run_row_parse(&r, "ring", "25");
	tb_run_row_parse(&r, "ring", "50"); /* a later value wins */
	CHECK_EQ_I64(r.n, 2);
	char err[256] = "";
	long long id = tb_run_row_insert(st, &r, err, sizeof err);
	CHECK_COL(st, id, "ring", "integer:50");

	tb_run_row_parse(&r, "rnig", "1");
	err[0] = 0;
	CHECK_EQ_I64(tb_run_row_insert(st, &r, err, sizeof err), -1);
	CHECK(strstr(err, "'rnig'") != NULL);
	tb_run_row_free(&r);

	tb_run_row_i64(&r, "id", 7); /* the id is the store's to choose */
	CHECK_EQ_I64(tb_run_row_insert(st, &r, err, sizeof err), -1);
	CHECK(strstr(err, "'id'") != NULL);
	tb_run_row_free(&r);

	for (int i = 0; i <= TB_RUN_ROW_MAX; i++) {
		char col[32];
		snprintf(col, sizeof col, "c%d", i);
		tb_run_row_i64(&r, col, i);
	}
	CHECK(r.failed);
	CHECK_EQ_I64(tb_run_row_insert(st, &r, err, sizeof err), -1);
	tb_run_row_free(&r);
	CHECK_EQ_I64(tb_store_query_i64(st, "SELECT count(*) FROM runs", NULL), before + 1);
}

static void test_update(tb_store *st)
{
	struct tb_run_row r = TB_RUN_ROW_INIT;
	tb_run_row_text(&r, "kind", "tcp");
	char err[256] = "";
	long long id = tb_run_row_insert(st, &r, err, sizeof err);
	tb_run_row_free(&r);
	tb_run_row_text(&r, "status", "done");
	tb_run_row_parse(&r, "valid", "1");
	CHECK(tb_run_row_update(st, id, &r, err, sizeof err) == 0);
	CHECK_COL(st, id, "status", "text:done");
	CHECK_COL(st, id, "valid", "integer:1");
	err[0] = 0;
	CHECK(tb_run_row_update(st, 999999, &r, err, sizeof err) == -1);
	CHECK(strstr(err, "no run with id 999999") != NULL);
	tb_run_row_free(&r);
	tb_run_row_text(&r, "nope", "x");
	CHECK(tb_run_row_update(st, id, &r, err, sizeof err) == -1);
	tb_run_row_free(&r);
}

/* A value taken from a query, as tb-tunflood-store takes its values from JSON. */
static void test_from_sqlite_values(tb_store *st)
{
	sqlite3_stmt *s;
	CHECK(sqlite3_prepare_v2(tb_store_db(st),
				 "SELECT 'selftest' AS kind, json_extract('{\"r\":10}', '$.r') AS ring,"
				 " 2.5 AS pace, NULL AS clip",
				 -1, &s, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(s) == SQLITE_ROW);
	struct tb_run_row r = TB_RUN_ROW_INIT;
	for (int c = 0; c < sqlite3_column_count(s); c++)
		tb_run_row_value(&r, sqlite3_column_name(s, c), sqlite3_column_value(s, c));
	sqlite3_finalize(s);
	char err[256];
	long long id = tb_run_row_insert(st, &r, err, sizeof err);
	tb_run_row_free(&r);
	CHECK_COL(st, id, "kind", "text:selftest");
	CHECK_COL(st, id, "ring", "integer:10");
	CHECK_COL(st, id, "pace", "real:2.5");
	CHECK_COL(st, id, "clip", "null:");
}

int main(void)
{
	scratch_dir_make("run-row");
	tb_store *st = scratch_store_open("runs.db");
	test_typed_values(st);
	test_parse();
	test_override_and_refuse(st);
	test_update(st);
	test_from_sqlite_values(st);
	tb_store_close(st);
	scratch_dir_remove();
	return TB_CHECK_SUMMARY();
}
