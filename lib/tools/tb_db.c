/* tb-db: the results store from the shell. The run scripts use it to create
 * run rows (from a point file), store a finished run, merge a finished run's
 * database into the campaign database, and list what a resumed sweep can
 * skip. */
#include "tb/err.h"
#include "tb/point_file.h"
#include "tb/run_copy.h"
#include "tb/run_finish.h"
#include "tb/run_row.h"
#include "tb/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tb-db init DB\n"
		"       tb-db run-new DB [--point FILE] [--env KEY=VALUE...] [COLUMN=VALUE...]\n"
		"                               create a runs row, print its id; every key of\n"
		"                               the point FILE is a runs column, COLUMN=VALUE\n"
		"                               adds or overrides one; --env sets a key of its\n"
		"                               env_json (the environment it ran in)\n"
		"       tb-db run-set DB ID COLUMN=VALUE...   update a runs row\n"
		"       tb-db finish DB ID [--before FILE --after FILE] [--samples FILE]\n"
		"                          [--receiver FILE]... [--iperf FILE] [--images DIR]\n"
		"                          [--window START_NS END_NS] [--taint BEFORE AFTER]\n"
		"                          [--host-cpu BEFORE AFTER]\n"
		"                               store a finished run in one transaction:\n"
		"                               counters (place.name=value snapshots), samples\n"
		"                               (T_NS NAME VALUE [UNIT]), tb-recv's summary\n"
		"                               (one --receiver per tb-recv of the run, one per\n"
		"                               camera: their packet counts are summed),\n"
		"                               iperf3 --json, frame-sSTREAM-FRAME.png pictures,\n"
		"                               the traffic window (CLOCK_REALTIME ns), the\n"
		"                               kernel's taint mask before and after it, the\n"
		"                               host's CPU then (vm.sh's host-cpu lines); then\n"
		"                               judge validity (the taint, the host's other\n"
		"                               work, the window's samples) and mark it done\n"
		"       tb-db import DEST [--env KEY=VALUE...] SRC...\n"
		"                               merge run databases into DEST (a finished run\n"
		"                               DEST already holds is skipped); --env sets a key\n"
		"                               of each imported run's env_json\n"
		"       tb-db import OUT --robot DB --operator DB [--watch DB]\n"
		"                               one run from two machines' databases: the robot's\n"
		"                               (a tb-send run, and a tb-watch run, kind 'watch',\n"
		"                               there or in --watch DB)\n"
		"                               and the operator's (a tb-recv run) become ONE run\n"
		"                               in OUT with all their rows; the robot's row, the\n"
		"                               operator's where it has NULL, both envs in env_json\n"
		"       tb-db done-keys DB CAMPAIGN    point keys of finished runs\n"
		"       tb-db publish DB DEST   a consistent copy of DB (its WAL folded in) as\n"
		"                               DEST, whole or not at all: written beside it as\n"
		"                               .NAME.tmp, then renamed over it\n"
		"       tb-db query DB [--views FILE] SQL\n"
		"                               rows, tab-separated (read-only); FILE's SQL\n"
		"                               (TEMP views) runs first\n"
		"VALUE is stored as an integer or a real when it reads as one, as text\n"
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

/* COLUMN=VALUE arguments into row; a column runs does not have is a usage error. */
static void add_assignments(tb_store *st, int n, char **args, struct tb_run_row *row)
{
	for (int i = 0; i < n; i++) {
		char *eq = strchr(args[i], '=');
		if (!eq || eq == args[i])
			tb_usage_die("expected COLUMN=VALUE, got '%s'", args[i]);
		*eq = 0;
		if (!tb_run_column_settable(st, args[i]))
			tb_usage_die("runs has no settable column '%s'", args[i]);
		tb_run_row_parse(row, args[i], eq + 1);
	}
}

/* Every setting of a point file into row; a key that is not a runs column is
 * named with its file and line. */
static void add_point(tb_store *st, const char *path, struct tb_run_row *row)
{
	struct tb_point p;
	char err[512];
	if (tb_point_read(path, &p, err, sizeof err))
		tb_die("%s", err);
	for (int i = 0; i < p.n; i++) {
		const struct tb_point_setting *s = &p.set[i];
		if (!tb_run_column_settable(st, s->key))
			tb_die("%s:%d: '%s' is not a setting (runs has no such column)", path, s->line, s->key);
		tb_run_row_parse(row, s->key, s->value);
	}
	tb_point_free(&p);
}

/* --env KEY=VALUE: a key of env_json. Keys are plain names, so they
 * need no quoting in a JSON path. */
struct env_set {
	int n;
	const char *key[64], *value[64];
};

static void env_add(struct env_set *e, char *arg)
{
	char *eq = strchr(arg, '=');
	if (!eq || eq == arg || strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789_") != (size_t)(eq - arg))
		tb_usage_die("--env needs KEY=VALUE, KEY of a-z, 0-9 and _, got '%s'", arg);
	if (e->n == 64)
		tb_usage_die("at most 64 --env settings");
	*eq = 0;
	e->key[e->n] = arg;
	e->value[e->n++] = eq + 1;
}

static void env_apply(tb_store *st, long long id, const struct env_set *e)
{
	char err[512];
	for (int i = 0; i < e->n; i++)
		if (tb_run_env_set(st, id, e->key[i], e->value[i], err, sizeof err))
			tb_die("%s", err);
}

static int cmd_run_new(tb_store *st, int n, char **args)
{
	struct tb_run_row row = TB_RUN_ROW_INIT;
	struct env_set env = {0};
	/* --point first (COLUMN=VALUE overrides it); --env anywhere */
	if (n >= 1 && !strcmp(args[0], "--point")) {
		if (n < 2)
			tb_usage_die("--point needs a FILE");
		add_point(st, args[1], &row);
		n -= 2;
		args += 2;
	}
	for (int i = 0; i < n; i++) {
		if (!strcmp(args[i], "--env")) {
			if (i + 1 >= n)
				tb_usage_die("--env needs KEY=VALUE");
			env_add(&env, args[++i]);
		} else {
			add_assignments(st, 1, &args[i], &row);
		}
	}
	char err[512];
	if (tb_store_begin(st))
		tb_die("run-new: %s", tb_store_errmsg(st));
	long long id = tb_run_row_insert(st, &row, err, sizeof err);
	tb_run_row_free(&row);
	if (id < 0)
		tb_die("run-new: %s", err);
	env_apply(st, id, &env);
	if (tb_store_commit(st))
		tb_die("run-new: %s", tb_store_errmsg(st));
	printf("%lld\n", id);
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
	if (n < 1)
		tb_usage_die("run-set needs COLUMN=VALUE arguments");
	struct tb_run_row row = TB_RUN_ROW_INIT;
	add_assignments(st, n, args, &row);
	char err[512];
	int rc = tb_run_row_update(st, id, &row, err, sizeof err);
	tb_run_row_free(&row);
	if (rc)
		tb_die("run-set: %s", err);
	return 0;
}

/* A time of --window: whole nanoseconds since the epoch. */
static long long parse_ns(const char *v)
{
	long long ns;
	if (tb_parse_i64(v, 0, 0x7fffffffffffffffLL, &ns))
		tb_usage_die("finish: --window takes START_NS END_NS, whole nanoseconds, got '%s'", v);
	return ns;
}

/* A taint mask of --taint: a whole decimal number (/proc/sys/kernel/tainted). */
static long long parse_taint(const char *v)
{
	char *end;
	errno = 0;
	long long t = v[0] >= '0' && v[0] <= '9' ? strtoll(v, &end, 10) : -1;
	if (t < 0 || errno || *end)
		tb_usage_die("finish: --taint takes BEFORE AFTER, whole decimal numbers as /proc/sys/kernel/tainted"
			     " shows them, got '%s'", v);
	return t;
}

/* finish DB ID [--before F --after F] [--samples F] [--receiver F] [--iperf F] [--images DIR]
 *              [--window START_NS END_NS] [--taint BEFORE AFTER] [--host-cpu BEFORE AFTER] */
static int cmd_finish(tb_store *st, long long id, int n, char **args)
{
	struct tb_finish_inputs in = {0};
	for (int i = 0; i < n; i += 2) {
		const char *opt = args[i];
		if (!strcmp(opt, "--window")) {
			if (i + 2 >= n)
				tb_usage_die("finish: --window needs START_NS and END_NS");
			if (in.has_window)
				tb_usage_die("finish: --window given twice");
			in.has_window = 1;
			in.window_start_ns = parse_ns(args[i + 1]);
			in.window_end_ns = parse_ns(args[i + 2]);
			if (in.window_end_ns < in.window_start_ns)
				tb_usage_die("finish: --window ends (%s) before it starts (%s)", args[i + 2], args[i + 1]);
			i++;
			continue;
		}
		if (!strcmp(opt, "--taint")) {
			if (i + 2 >= n)
				tb_usage_die("finish: --taint needs BEFORE and AFTER");
			if (in.has_taint)
				tb_usage_die("finish: --taint given twice");
			in.has_taint = 1;
			in.taint_before = parse_taint(args[i + 1]);
			in.taint_after = parse_taint(args[i + 2]);
			i++;
			continue;
		}
		if (!strcmp(opt, "--host-cpu")) {
			if (i + 2 >= n)
				tb_usage_die("finish: --host-cpu needs BEFORE and AFTER");
			if (in.has_host_cpu)
				tb_usage_die("finish: --host-cpu given twice");
			in.has_host_cpu = 1;
			for (int k = 0; k < 2; k++)
				if (tb_host_cpu_parse(args[i + 1 + k], k ? &in.host_cpu_after : &in.host_cpu_before))
					tb_usage_die("finish: --host-cpu takes BEFORE AFTER, each \"TOTAL IDLE GUEST STEAL\""
						     " in clock ticks as vm.sh writes them, got '%s'", args[i + 1 + k]);
			i++;
			continue;
		}
		if (!strcmp(opt, "--receiver")) { /* one per receiver of the run */
			if (i + 1 >= n || !*args[i + 1])
				tb_usage_die("finish: %s needs a value", opt);
			if (in.nreceivers == TB_FINISH_MAX_RECEIVERS)
				tb_usage_die("finish: at most %d --receiver", TB_FINISH_MAX_RECEIVERS);
			in.receivers[in.nreceivers++] = args[i + 1];
			continue;
		}
		const char **dst = !strcmp(opt, "--before")     ? &in.before
				   : !strcmp(opt, "--after")    ? &in.after
				   : !strcmp(opt, "--samples")  ? &in.samples
				   : !strcmp(opt, "--iperf")    ? &in.iperf
				   : !strcmp(opt, "--images")   ? &in.images
								: NULL;
		if (!dst)
			tb_usage_die("finish: unknown option '%s'", opt);
		if (i + 1 >= n || !*args[i + 1])
			tb_usage_die("finish: %s needs a value", opt);
		if (*dst)
			tb_usage_die("finish: %s given twice", opt);
		*dst = args[i + 1];
	}
	if (!in.before != !in.after)
		tb_usage_die("finish: --before and --after go together");
	char err[1024];
	if (tb_run_finish(st, id, &in, err, sizeof err))
		tb_die("finish run %lld: %s", id, err);
	return 0;
}

/* Copy every run of SRC into DEST with its rows; runs get new ids. One
 * transaction per source file, so a file is merged whole or not at all. */
static void import_one(tb_store *dest, const char *src, const struct env_set *env)
{
	sqlite3 *db = tb_store_db(dest);
	char err[1024];
	if (tb_run_copy_attach(dest, src, "src", err, sizeof err))
		tb_die("import: %s", err);
	if (tb_store_begin(dest))
		tb_die("import: %s", tb_store_errmsg(dest));
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
		long long id = tb_run_copy(dest, "src", sqlite3_column_int64(ids, 0), err, sizeof err);
		if (id < 0)
			tb_die("import %s: %s", src, err);
		env_apply(dest, id, env);
		nruns++;
	}
	sqlite3_finalize(ids);
	if (tb_store_commit(dest))
		tb_die("import %s: %s", src, tb_store_errmsg(dest));
	if (tb_run_copy_detach(dest, "src", err, sizeof err))
		tb_die("import %s: %s", src, err);
	fprintf(stderr, "tb-db: imported %d run(s) from %s\n", nruns, src);
}

/* The one run of an attached database whose kind is (watch = 1) or is not
 * (watch = 0) 'watch'; 0 when there is none and none is required. */
static long long only_run(tb_store *st, const char *schema, const char *path, int watch, int required)
{
	sqlite3 *db = tb_store_db(st);
	char *q = sqlite3_mprintf("SELECT min(id), count(*) FROM \"%w\".runs WHERE (kind = 'watch') = %d",
				  schema, watch);
	sqlite3_stmt *s;
	if (!q || sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
		tb_die("import %s: %s", path, sqlite3_errmsg(db));
	sqlite3_free(q);
	long long id = sqlite3_column_int64(s, 0), n = sqlite3_column_int64(s, 1);
	sqlite3_finalize(s);
	const char *what = watch ? "tb-watch run (kind 'watch')" : "run other than tb-watch's";
	if (n > 1)
		tb_die("import: %s holds %lld %ss; one is expected (one measurement per file)", path, n, what);
	if (n == 0 && required)
		tb_die("import: %s holds no %s", path, what);
	return n ? id : 0;
}

/* import OUT --robot DB --operator DB: the robot's run (tb-send) becomes the
 * run; the operator's run (tb-recv) and the robot's tb-watch run give it
 * their rows. A column the robot's row leaves NULL takes the operator's
 * value; env_json keeps the robot's and adds the other two's under
 * "operator" and "watch"; a run that did not finish on either side is not
 * done. */
static int cmd_import_sides(tb_store *st, int n, char **args)
{
	const char *robot = NULL, *operator= NULL, *watch_db = NULL;
	for (int i = 0; i < n; i += 2) {
		if (i + 1 >= n)
			tb_usage_die("import: %s needs a database", args[i]);
		if (!strcmp(args[i], "--robot"))
			robot = args[i + 1];
		else if (!strcmp(args[i], "--operator"))
			operator= args[i + 1];
		else if (!strcmp(args[i], "--watch"))
			watch_db = args[i + 1];
		else
			tb_usage_die("import: unknown option '%s' (--robot DB --operator DB [--watch DB])", args[i]);
	}
	if (!robot || !operator)
		tb_usage_die("import: --robot DB and --operator DB go together");
	char err[1024];
	if (tb_run_copy_attach(st, robot, "robot", err, sizeof err) ||
	    tb_run_copy_attach(st, operator, "operator", err, sizeof err))
		tb_die("import: %s", err);
	long long sent = only_run(st, "robot", robot, 0, 1), watch = only_run(st, "robot", robot, 1, 0);
	const char *watch_schema = "robot";
	if (watch_db) {
		if (watch)
			tb_die("import: %s holds a tb-watch run already; --watch %s would be a second", robot, watch_db);
		if (tb_run_copy_attach(st, watch_db, "watch", err, sizeof err))
			tb_die("import: %s", err);
		watch = only_run(st, "watch", watch_db, 1, 1);
		watch_schema = "watch";
	}
	long long recv = only_run(st, "operator", operator, 0, 1);
	if (tb_store_begin(st))
		tb_die("import: %s", tb_store_errmsg(st));
	long long id = tb_run_copy(st, "robot", sent, err, sizeof err);
	if (id < 0 || tb_run_copy_children(st, "operator", recv, id, err, sizeof err) ||
	    (watch && tb_run_copy_children(st, watch_schema, watch, id, err, sizeof err)))
		tb_die("import: %s", err);
	sqlite3 *db = tb_store_db(st);
	char *sql = sqlite3_mprintf(
		"UPDATE main.runs SET env_json = json_set(CASE WHEN json_valid(env_json) THEN env_json ELSE '{}' END,"
		" '$.operator', (SELECT json(env_json) FROM operator.runs WHERE id = %lld))"
		" WHERE id = %lld AND (SELECT json_valid(env_json) FROM operator.runs WHERE id = %lld);"
		"UPDATE main.runs SET env_json = json_set(CASE WHEN json_valid(env_json) THEN env_json ELSE '{}' END,"
		" '$.watch', (SELECT json(env_json) FROM \"%w\".runs WHERE id = %lld))"
		" WHERE id = %lld AND (SELECT json_valid(env_json) FROM \"%w\".runs WHERE id = %lld);"
		"UPDATE main.runs SET status = (SELECT status FROM operator.runs WHERE id = %lld),"
		" fail_reason = coalesce(fail_reason, (SELECT fail_reason FROM operator.runs WHERE id = %lld))"
		" WHERE id = %lld AND status = 'done';",
		recv, id, recv, watch_schema, watch, id, watch_schema, watch, recv, recv, id);
	if (!sql || sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		tb_die("import: env_json: %s", sqlite3_errmsg(db));
	sqlite3_free(sql);
	/* the robot's NULLs from the operator's row, column by column */
	sqlite3_stmt *c;
	sqlite3_prepare_v2(db,
			   "SELECT name FROM pragma_table_info('runs', 'main') WHERE name NOT IN ('id', 'env_json')"
			   " AND name IN (SELECT name FROM pragma_table_info('runs', 'operator'))",
			   -1, &c, NULL);
	while (sqlite3_step(c) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(c, 0);
		sql = sqlite3_mprintf("UPDATE main.runs SET \"%w\" = (SELECT \"%w\" FROM operator.runs WHERE id = %lld)"
				      " WHERE id = %lld AND \"%w\" IS NULL",
				      col, col, recv, id, col);
		if (!sql || sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			tb_die("import: runs.%s: %s", col, sqlite3_errmsg(db));
		sqlite3_free(sql);
	}
	sqlite3_finalize(c);
	if (tb_store_commit(st))
		tb_die("import: %s", tb_store_errmsg(st));
	if (tb_run_copy_detach(st, "robot", err, sizeof err) || tb_run_copy_detach(st, "operator", err, sizeof err) ||
	    (watch_db && tb_run_copy_detach(st, "watch", err, sizeof err)))
		tb_die("import: %s", err);
	printf("%lld\n", id);
	return 0;
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

/* One program where the guest ran three (checkpoint, cp, mv), each about
 * 0.3 s under TCG: VACUUM INTO writes a snapshot of the committed state,
 * the rename publishes it whole, so a reader never sees half a file. */
static int cmd_publish(const char *src, const char *dest)
{
	char tmp[4096];
	const char *slash = strrchr(dest, '/');
	int dir_len = slash ? (int)(slash - dest + 1) : 0;
	if (snprintf(tmp, sizeof tmp, "%.*s.%s.tmp", dir_len, dest, slash ? slash + 1 : dest) >= (int)sizeof tmp)
		tb_usage_die("publish: DEST path too long");
	if (remove(tmp) && errno != ENOENT)
		tb_die("publish: cannot remove %s: %s", tmp, strerror(errno));
	tb_store *st = open_ro(src);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(tb_store_db(st), "VACUUM INTO ?1", -1, &s, NULL) != SQLITE_OK)
		tb_die("publish: %s", tb_store_errmsg(st));
	sqlite3_bind_text(s, 1, tmp, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		remove(tmp);
		tb_die("publish: writing %s: %s", tmp, tb_store_errmsg(st));
	}
	tb_store_close(st);
	if (rename(tmp, dest)) {
		int e = errno;
		remove(tmp);
		tb_die("publish: cannot rename %s to %s: %s", tmp, dest, strerror(e));
	}
	return 0;
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
		/* --views FILE before or after the SQL */
		const char *views = NULL, *sql = NULL;
		if (argc == 4)
			sql = argv[3];
		else if (argc == 6 && !strcmp(argv[3], "--views"))
			views = argv[4], sql = argv[5];
		else if (argc == 6 && !strcmp(argv[4], "--views"))
			sql = argv[3], views = argv[5];
		else
			tb_usage_die("query needs DB and SQL, optionally --views FILE");
		tb_store *st = open_ro(path);
		if (views)
			load_views(st, views);
		rc = cmd_query(st, sql);
		tb_store_close(st);
		return rc;
	}
	if (!strcmp(cmd, "publish")) {
		if (argc != 4)
			tb_usage_die("publish needs DB and DEST");
		return cmd_publish(path, argv[3]);
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
		if (argc >= 4 && (!strcmp(argv[3], "--robot") || !strcmp(argv[3], "--operator"))) {
			tb_store *st = open_rw(path);
			rc = cmd_import_sides(st, argc - 3, argv + 3);
			tb_store_close(st);
			return rc;
		}
		struct env_set env = {0};
		int first = 3;
		while (first + 1 < argc && !strcmp(argv[first], "--env")) {
			env_add(&env, argv[first + 1]);
			first += 2;
		}
		if (first >= argc)
			tb_usage_die("import needs DEST and at least one SRC");
		tb_store *st = open_rw(path);
		for (int i = first; i < argc; i++)
			import_one(st, argv[i], &env);
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
	} else if (!strcmp(cmd, "finish") && argc >= 4) {
		st = open_rw(path);
		rc = cmd_finish(st, parse_id(argv[3]), argc - 4, argv + 4);
	} else {
		usage(stderr);
		return 2;
	}
	tb_store_close(st);
	return rc;
}
