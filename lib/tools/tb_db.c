/* tb-db: the results store from the shell. The run scripts use it to create
 * run rows, record counters and samples, merge a finished run's database
 * into the campaign database, and list what a resumed sweep can skip. */
#include "tb/err.h"
#include "tb/store.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tb-db init DB\n"
		"       tb-db run-new DB COLUMN=VALUE...     create a runs row, print its id\n"
		"       tb-db run-set DB ID COLUMN=VALUE...  update a runs row\n"
		"       tb-db rows DB ID TABLE COL,COL.. < LINES  insert whitespace-separated\n"
		"                                            lines into TABLE with run_id=ID\n"
		"       tb-db import DEST SRC...             merge run databases into DEST\n"
		"       tb-db done-keys DB CAMPAIGN          point keys of finished runs\n"
		"       tb-db query DB SQL [--views FILE]    rows, tab-separated (read-only);\n"
		"                                            FILE's SQL (TEMP views) runs first\n"
		"VALUE is stored as an integer or a real when it parses as one, as text\n"
		"otherwise; an empty VALUE stores NULL.\n");
}

static tb_store *open_rw(const char *path)
{
	tb_store *st;
	char err[512];
	if (tb_store_open(path, &st, err, sizeof err))
		tb_die("%s", err);
	return st;
}

static tb_store *open_ro(const char *path)
{
	tb_store *st;
	char err[512];
	if (tb_store_open_readonly(path, &st, err, sizeof err))
		tb_die("%s", err);
	return st;
}

static void bind_value(sqlite3_stmt *s, int i, const char *v)
{
	long long n;
	double d;
	if (!*v)
		sqlite3_bind_null(s, i);
	else if (tb_parse_i64(v, -0x7fffffffffffffffLL, 0x7fffffffffffffffLL, &n) == 0 &&
		 (isdigit((unsigned char)v[0]) || v[0] == '-') && !strchr(v, 'x'))
		sqlite3_bind_int64(s, i, n);
	else if (tb_parse_double(v, -1e308, 1e308, &d) == 0 && strspn(v, "0123456789.-+eE") == strlen(v))
		sqlite3_bind_double(s, i, d);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* Column names come from the command line: only existing columns of the
 * table are accepted, so they can be pasted into SQL safely. */
static int has_column(tb_store *st, const char *table, const char *col)
{
	if (strspn(table, "abcdefghijklmnopqrstuvwxyz_0123456789") != strlen(table))
		return 0;
	sqlite3_stmt *s;
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name = ?", table);
	if (sqlite3_prepare_v2(tb_store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, col, -1, SQLITE_STATIC);
	int ok = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return ok;
}

/* Split COL=VALUE arguments, checking each column. */
static void split_assignments(tb_store *st, int n, char **args, const char **cols,
			      const char **vals)
{
	for (int i = 0; i < n; i++) {
		char *eq = strchr(args[i], '=');
		if (!eq || eq == args[i])
			tb_usage_die("expected COLUMN=VALUE, got '%s'", args[i]);
		*eq = 0;
		cols[i] = args[i];
		vals[i] = eq + 1;
		if (strcmp(cols[i], "id") == 0 || !has_column(st, "runs", cols[i]))
			tb_usage_die("runs has no settable column '%s'", cols[i]);
	}
}

static void step_done(tb_store *st, sqlite3_stmt *s, const char *what)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		tb_die("%s: %s", what, tb_store_errmsg(st));
	sqlite3_finalize(s);
}

static int cmd_run_new(tb_store *st, int n, char **args)
{
	const char *cols[256], *vals[256];
	if (n > 256)
		tb_usage_die("too many columns");
	split_assignments(st, n, args, cols, vals);
	char sql[8192] = "INSERT INTO runs(";
	size_t off = strlen(sql);
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(sql + off, sizeof sql - off, "%s%s", i ? "," : "", cols[i]);
	off += (size_t)snprintf(sql + off, sizeof sql - off, ") VALUES(");
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(sql + off, sizeof sql - off, "%s?", i ? "," : "");
	snprintf(sql + off, sizeof sql - off, ")");
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(tb_store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		tb_die("run-new: %s", tb_store_errmsg(st));
	for (int i = 0; i < n; i++)
		bind_value(s, i + 1, vals[i]);
	step_done(st, s, "run-new");
	printf("%lld\n", (long long)sqlite3_last_insert_rowid(tb_store_db(st)));
	return 0;
}

static long long parse_id(const char *v)
{
	long long id;
	if (tb_parse_i64(v, 1, 0x7fffffffffffffffLL, &id))
		tb_usage_die("run id must be a positive number, got '%s'", v);
	return id;
}

static int cmd_run_set(tb_store *st, long long id, int n, char **args)
{
	const char *cols[256], *vals[256];
	if (n < 1 || n > 256)
		tb_usage_die("run-set needs 1..256 COLUMN=VALUE arguments");
	split_assignments(st, n, args, cols, vals);
	char sql[8192] = "UPDATE runs SET ";
	size_t off = strlen(sql);
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(sql + off, sizeof sql - off, "%s%s=?", i ? "," : "", cols[i]);
	snprintf(sql + off, sizeof sql - off, " WHERE id=?");
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(tb_store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		tb_die("run-set: %s", tb_store_errmsg(st));
	for (int i = 0; i < n; i++)
		bind_value(s, i + 1, vals[i]);
	sqlite3_bind_int64(s, n + 1, id);
	step_done(st, s, "run-set");
	if (sqlite3_changes(tb_store_db(st)) != 1)
		tb_die("run-set: no run with id %lld", id);
	return 0;
}

/* Insert whitespace-separated lines from stdin as rows of TABLE (columns
 * COLS, a comma list) with run_id = ID, in one transaction. Table and
 * columns must exist; lines with fewer fields leave the last columns NULL. */
static int cmd_rows(tb_store *st, long long id, const char *table, char *cols)
{
	enum { MAXC = 32 };
	const char *col[MAXC];
	int ncol = 0;
	char *save = NULL;
	for (char *c = strtok_r(cols, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		if (ncol == MAXC)
			tb_usage_die("rows: at most %d columns", MAXC);
		if (!strcmp(c, "run_id") || !has_column(st, table, c))
			tb_usage_die("rows: table '%s' has no settable column '%s'", table, c);
		col[ncol++] = c;
	}
	if (!ncol)
		tb_usage_die("rows: no columns given");
	char sql[4096];
	size_t off = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s(run_id", table);
	for (int i = 0; i < ncol; i++)
		off += (size_t)snprintf(sql + off, sizeof sql - off, ",%s", col[i]);
	off += (size_t)snprintf(sql + off, sizeof sql - off, ") VALUES(?");
	for (int i = 0; i < ncol; i++)
		off += (size_t)snprintf(sql + off, sizeof sql - off, ",?");
	snprintf(sql + off, sizeof sql - off, ")");
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(tb_store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		tb_die("rows: %s", tb_store_errmsg(st));
	char line[4096];
	int lineno = 0, rows = 0;
	if (tb_store_begin(st))
		tb_die("rows: %s", tb_store_errmsg(st));
	while (fgets(line, sizeof line, stdin)) {
		lineno++;
		char *f[MAXC + 1];
		int n = 0;
		save = NULL;
		for (char *t = strtok_r(line, " \t\n", &save); t && n <= MAXC; t = strtok_r(NULL, " \t\n", &save))
			f[n++] = t;
		if (n == 0 || f[0][0] == '#')
			continue;
		if (n > ncol)
			tb_die("rows: stdin line %d: %d fields for %d columns", lineno, n, ncol);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		sqlite3_bind_int64(s, 1, id);
		for (int i = 0; i < n; i++)
			bind_value(s, i + 2, f[i]);
		if (sqlite3_step(s) != SQLITE_DONE)
			tb_die("rows: stdin line %d: %s", lineno, tb_store_errmsg(st));
		rows++;
	}
	sqlite3_finalize(s);
	if (tb_store_commit(st))
		tb_die("rows: %s", tb_store_errmsg(st));
	fprintf(stderr, "tb-db: %d row(s) into %s\n", rows, table);
	return 0;
}

/* Comma list of a table's columns, optionally without one, as a new
 * sqlite3 string (the caller frees it); "run_id" is replaced by `id_value`
 * when that is not NULL. */
static char *column_list(sqlite3 *db, const char *table, const char *skip, const char *id_value)
{
	sqlite3_str *out = sqlite3_str_new(db);
	sqlite3_stmt *c;
	char *q = sqlite3_mprintf("SELECT name FROM pragma_table_info(%Q)", table);
	if (sqlite3_prepare_v2(db, q, -1, &c, NULL) != SQLITE_OK)
		tb_die("import: %s", sqlite3_errmsg(db));
	sqlite3_free(q);
	int n = 0;
	while (sqlite3_step(c) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(c, 0);
		if (skip && strcmp(name, skip) == 0)
			continue;
		if (n++)
			sqlite3_str_appendchar(out, 1, ',');
		sqlite3_str_appendall(out, id_value && strcmp(name, "run_id") == 0 ? id_value : name);
	}
	sqlite3_finalize(c);
	return sqlite3_str_finish(out);
}

static void exec_or_die(sqlite3 *db, char *sql, const char *src, const char *what)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		tb_die("import %s: %s: %s", src, what, sqlite3_errmsg(db));
	sqlite3_free(sql);
}

/* Copy every row of SRC's tables into DEST; runs get new ids and every table
 * with a run_id column follows them. One transaction per source file, so a
 * file is merged whole or not at all. */
static void import_one(tb_store *dest, const char *src)
{
	sqlite3 *db = tb_store_db(dest);
	{ /* open it once through the store: checks and migrates its version */
		tb_store *s;
		char err[512];
		if (tb_store_open(src, &s, err, sizeof err))
			tb_die("import: %s", err);
		tb_store_close(s);
	}
	sqlite3_stmt *att;
	if (sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS src", -1, &att, NULL) != SQLITE_OK)
		tb_die("import: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(att, 1, src, -1, SQLITE_STATIC);
	step_done(dest, att, "import: attach");
	if (tb_store_begin(dest))
		tb_die("import: %s", tb_store_errmsg(dest));

	char *run_cols = column_list(db, "runs", "id", NULL);
	/* A finished run the destination already holds (same campaign and point
	 * key: imported before, when the importer died before it could mark the
	 * file merged) is skipped, so importing the same file twice is harmless. */
	sqlite3_stmt *ids;
	if (sqlite3_prepare_v2(db,
			       "SELECT s.id FROM src.runs s WHERE NOT (s.status = 'done' AND EXISTS (SELECT 1 FROM"
			       " main.runs m WHERE m.status = 'done' AND m.campaign IS s.campaign AND"
			       " m.point_key IS s.point_key)) ORDER BY s.id",
			       -1, &ids, NULL) != SQLITE_OK)
		tb_die("import %s: %s", src, sqlite3_errmsg(db));
	int nruns = 0;
	while (sqlite3_step(ids) == SQLITE_ROW) {
		long long old = sqlite3_column_int64(ids, 0);
		exec_or_die(db, sqlite3_mprintf("INSERT INTO main.runs(%s) SELECT %s FROM src.runs WHERE id=%lld",
						run_cols, run_cols, old), src, "runs");
		char id_value[32];
		snprintf(id_value, sizeof id_value, "%lld", (long long)sqlite3_last_insert_rowid(db));
		sqlite3_stmt *tabs;
		sqlite3_prepare_v2(db,
				   "SELECT m.name FROM main.sqlite_master m WHERE m.type='table' AND m.name != 'runs'"
				   " AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name='run_id')",
				   -1, &tabs, NULL);
		while (sqlite3_step(tabs) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(tabs, 0);
			char *cols = column_list(db, t, NULL, NULL);
			char *sel = column_list(db, t, NULL, id_value);
			exec_or_die(db, sqlite3_mprintf("INSERT INTO main.\"%w\"(%s) SELECT %s FROM src.\"%w\" WHERE run_id=%lld",
							t, cols, sel, t, old), src, t);
			sqlite3_free(cols);
			sqlite3_free(sel);
		}
		sqlite3_finalize(tabs);
		nruns++;
	}
	sqlite3_finalize(ids);
	sqlite3_free(run_cols);
	if (tb_store_commit(dest))
		tb_die("import %s: %s", src, tb_store_errmsg(dest));
	if (sqlite3_exec(db, "DETACH DATABASE src", NULL, NULL, NULL) != SQLITE_OK)
		tb_die("import %s: %s", src, sqlite3_errmsg(db));
	fprintf(stderr, "tb-db: imported %d run(s) from %s\n", nruns, src);
}

/* Run a file of view definitions on a (read-only) connection: TEMP views
 * live in the connection's temp schema, so they need no write access. */
static void load_views(tb_store *st, const char *file)
{
	FILE *f = fopen(file, "r");
	if (!f)
		tb_die("cannot read views file %s: %s", file, strerror(errno));
	static char sql[1 << 20];
	size_t n = fread(sql, 1, sizeof sql - 1, f);
	fclose(f);
	sql[n] = 0;
	char *msg = NULL;
	if (sqlite3_exec(tb_store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK)
		tb_die("views %s: %s", file, msg ? msg : "error");
}

static int cmd_query(tb_store *st, const char *sql)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(tb_store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		tb_die("query: %s", tb_store_errmsg(st));
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(s); i++) {
			const unsigned char *v = sqlite3_column_text(s, i);
			printf("%s%s", i ? "\t" : "", v ? (const char *)v : "");
		}
		putchar('\n');
	}
	if (rc != SQLITE_DONE)
		tb_die("query: %s", tb_store_errmsg(st));
	sqlite3_finalize(s);
	return 0;
}

int main(int argc, char **argv)
{
	tb_set_progname("tb-db");
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 3) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1], *path = argv[2];
	int rc;
	if (!strcmp(cmd, "init")) {
		tb_store_close(open_rw(path));
		return 0;
	}
	if (!strcmp(cmd, "query")) {
		if (argc != 4 && !(argc == 6 && !strcmp(argv[4], "--views")))
			tb_usage_die("query needs DB and SQL, optionally --views FILE");
		tb_store *st = open_ro(path);
		if (argc == 6)
			load_views(st, argv[5]);
		rc = cmd_query(st, argv[3]);
		tb_store_close(st);
		return rc;
	}
	if (!strcmp(cmd, "done-keys")) {
		if (argc != 4)
			tb_usage_die("done-keys needs DB and CAMPAIGN");
		tb_store *st = open_rw(path);
		sqlite3_stmt *s;
		sqlite3_prepare_v2(tb_store_db(st),
				   "SELECT DISTINCT point_key FROM runs WHERE campaign=? AND status='done'"
				   " AND point_key IS NOT NULL ORDER BY point_key", -1, &s, NULL);
		sqlite3_bind_text(s, 1, argv[3], -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW)
			printf("%s\n", (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		tb_store_close(st);
		return 0;
	}
	if (!strcmp(cmd, "import")) {
		if (argc < 4)
			tb_usage_die("import needs DEST and at least one SRC");
		tb_store *st = open_rw(path);
		for (int i = 3; i < argc; i++)
			import_one(st, argv[i]);
		tb_store_close(st);
		return 0;
	}
	tb_store *st;
	if (!strcmp(cmd, "run-new")) {
		st = open_rw(path);
		rc = cmd_run_new(st, argc - 3, argv + 3);
	} else if (!strcmp(cmd, "run-set") && argc >= 4) {
		st = open_rw(path);
		rc = cmd_run_set(st, parse_id(argv[3]), argc - 4, argv + 4);
	} else if (!strcmp(cmd, "rows") && argc == 6) {
		st = open_rw(path);
		rc = cmd_rows(st, parse_id(argv[3]), argv[4], argv[5]);
	} else {
		usage(stderr);
		return 2;
	}
	tb_store_close(st);
	return rc;
}
