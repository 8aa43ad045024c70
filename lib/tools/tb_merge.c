/* tb-merge: merge the databases of a sweep's shards (or of any runs of one
 * sweep) into one. Each run comes with all its rows under a new id; what OUT
 * already holds is skipped, so merging again changes nothing. Before
 * anything is written, the inputs are checked to come from one sweep file,
 * the same kernels and comparable machines (see usage). */
#include "tb/err.h"
#include "tb/run_copy.h"
#include "tb/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tb-merge OUT IN... [--campaign NAME] [--sweep-sha256 HEX] [--force]\n"
		"Copies every run of the IN databases, with all its rows, into OUT (created\n"
		"when absent). A run is skipped when OUT already holds it: a done run of the\n"
		"same campaign and point key (repetition included), or the same failed run\n"
		"(campaign, point key, status, times and reason). A failed run is kept beside\n"
		"a done one of its point; the done one counts.\n"
		"Refused (exit 1, nothing written) unless --force, when the sweep runs\n"
		"(runs with a point key) of IN and OUT differ in:\n"
		"  - campaign (the inputs hold more than one), or its sweep file (env_json\n"
		"    sweep_sha256); --campaign and --sweep-sha256 name the expected ones\n"
		"  - a kernel's patch hash (runs.patch_hash)\n"
		"  - accel (kvm or tcg) or the host CPU model (env_json host_cpu_model):\n"
		"    their results do not scale alike\n");
}

static sqlite3 *db;
static int force;

static void exec_or_die(const char *what, char *sql)
{
	char *msg = NULL;
	if (!sql || sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		tb_die("%s: %s", what, msg ? msg : "out of memory");
	sqlite3_free(sql);
}

/* The facts the checks compare, of one database's sweep runs. */
static void collect_facts(const char *schema, const char *label)
{
	exec_or_die("facts", sqlite3_mprintf(
		"INSERT INTO temp.facts SELECT %Q, campaign,"
		" CASE WHEN json_valid(env_json) THEN json_extract(env_json, '$.sweep_sha256') END,"
		" kernel, nullif(patch_hash, ''), nullif(accel, ''),"
		" CASE WHEN json_valid(env_json) THEN json_extract(env_json, '$.host_cpu_model') END"
		" FROM \"%w\".runs WHERE point_key IS NOT NULL", label, schema));
}

/* One check: SQL listing the conflicts, one row each (what, values). Prints
 * them; returns 1 when there were any. */
static int conflicts(const char *title, const char *sql)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		tb_die("check: %s", sqlite3_errmsg(db));
	int n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (!n++)
			fprintf(stderr, "tb-merge: %s%s:\n", force ? "(--force) " : "", title);
		fprintf(stderr, "  %s\n", (const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_finalize(s);
	return n > 0;
}

/* distinct non-NULL values of a facts column per group, where there are
 * several: "GROUP: VALUE (FILE, FILE); VALUE (FILE)" */
static char *several_sql(const char *group_expr, const char *col, const char *where)
{
	return sqlite3_mprintf(
		"WITH v AS (SELECT %s AS g, %s AS val, group_concat(DISTINCT file) AS files FROM temp.facts"
		" WHERE %s IS NOT NULL AND %s GROUP BY 1, 2)"
		" SELECT g || ': ' || group_concat(val || ' (' || files || ')', '; ') FROM v"
		" GROUP BY g HAVING count(*) > 1 ORDER BY g",
		group_expr, col, col, where);
}

static int check(const char *campaign, const char *sha)
{
	int bad = 0;
	char *q;
	/* inputs only: OUT may hold other campaigns */
	q = sqlite3_mprintf("SELECT 'campaign ' || campaign || ' (' || group_concat(DISTINCT file) || ')'"
			    " FROM temp.facts WHERE file != '(OUT)' AND (SELECT count(DISTINCT campaign) FROM"
			    " temp.facts WHERE file != '(OUT)') > 1 GROUP BY campaign ORDER BY campaign");
	bad |= conflicts("the inputs hold runs of different campaigns (sweeps)", q);
	sqlite3_free(q);
	if (campaign) {
		q = sqlite3_mprintf("SELECT 'campaign ' || campaign || ' (' || group_concat(DISTINCT file) || ')'"
				    " FROM temp.facts WHERE file != '(OUT)' AND campaign != %Q GROUP BY campaign",
				    campaign);
		char title[256];
		snprintf(title, sizeof title, "runs of another campaign than the sweep file's (%s)", campaign);
		bad |= conflicts(title, q);
		sqlite3_free(q);
	}
	q = several_sql("'campaign ' || campaign", "sweep", "1");
	bad |= conflicts("runs of one campaign from different sweep files (env_json sweep_sha256)", q);
	sqlite3_free(q);
	if (campaign && sha) {
		q = sqlite3_mprintf("SELECT 'sweep_sha256 ' || sweep || ' (' || group_concat(DISTINCT file) || ')'"
				    " FROM temp.facts WHERE campaign = %Q AND sweep IS NOT NULL AND sweep != %Q"
				    " GROUP BY sweep", campaign, sha);
		bad |= conflicts("runs from another version of the sweep file (its sha256 differs)", q);
		sqlite3_free(q);
	}
	q = several_sql("'kernel ' || kernel", "patch_hash", "kernel IS NOT NULL");
	bad |= conflicts("one kernel built from different patches (runs.patch_hash)", q);
	sqlite3_free(q);
	q = several_sql("'accel'", "accel", "1");
	bad |= conflicts("runs under different accelerations (kvm vs tcg do not scale alike)", q);
	sqlite3_free(q);
	q = several_sql("'host CPU'", "cpu", "1");
	bad |= conflicts("runs on different host CPU models (their capacities differ)", q);
	sqlite3_free(q);
	return bad;
}

static void merge_one(tb_store *out, const char *path)
{
	char err[1024];
	if (tb_run_copy_attach(out, path, "src", err, sizeof err))
		tb_die("%s", err);
	if (tb_store_begin(out))
		tb_die("%s: %s", path, tb_store_errmsg(out));
	sqlite3_stmt *ids;
	if (sqlite3_prepare_v2(db,
			       "SELECT s.id, s.status FROM src.runs s WHERE NOT EXISTS (SELECT 1 FROM main.runs m"
			       " WHERE m.campaign IS s.campaign AND m.point_key IS s.point_key AND"
			       " ((s.status = 'done' AND m.status = 'done' AND s.point_key IS NOT NULL) OR"
			       "  (m.status IS s.status AND m.kind IS s.kind AND m.started_ns IS s.started_ns AND"
			       "   m.ended_ns IS s.ended_ns AND m.fail_reason IS s.fail_reason)))"
			       " ORDER BY s.id",
			       -1, &ids, NULL) != SQLITE_OK)
		tb_die("%s: %s", path, sqlite3_errmsg(db));
	long long copied = 0, done = 0, failed = 0;
	while (sqlite3_step(ids) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(ids, 1);
		if (tb_run_copy(out, "src", sqlite3_column_int64(ids, 0), err, sizeof err) < 0)
			tb_die("%s: %s", path, err);
		copied++;
		done += status && !strcmp(status, "done");
		failed += status && !strcmp(status, "failed");
	}
	sqlite3_finalize(ids);
	int ok;
	long long total = tb_store_query_i64(out, "SELECT count(*) FROM src.runs", &ok);
	if (tb_store_commit(out))
		tb_die("%s: %s", path, tb_store_errmsg(out));
	if (tb_run_copy_detach(out, "src", err, sizeof err))
		tb_die("%s: %s", path, err);
	printf("%s: %lld run(s) copied (%lld done, %lld failed, %lld other), %lld already in OUT\n", path, copied,
	       done, failed, copied - done - failed, total - copied);
}

int main(int argc, char **argv)
{
	tb_set_progname("tb-merge");
	const char *campaign = NULL, *sha = NULL;
	const char *paths[4096];
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--force")) {
			force = 1;
		} else if (!strcmp(argv[i], "--campaign") || !strcmp(argv[i], "--sweep-sha256")) {
			if (i + 1 >= argc || !*argv[i + 1])
				tb_usage_die("%s needs a value", argv[i]);
			*(!strcmp(argv[i], "--campaign") ? &campaign : &sha) = argv[i + 1];
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			tb_usage_die("unknown option '%s'", argv[i]);
		} else if (n < 4096) {
			paths[n++] = argv[i];
		} else {
			tb_usage_die("at most 4095 inputs");
		}
	}
	if (n < 2) {
		usage(stderr);
		return 2;
	}
	for (int i = 1; i < n; i++)
		if (!strcmp(paths[i], paths[0]))
			tb_usage_die("OUT (%s) is also an input", paths[0]);
	tb_store *out;
	char err[1024];
	if (tb_store_open(paths[0], &out, err, sizeof err))
		tb_die("%s", err);
	db = tb_store_db(out);
	exec_or_die("facts", sqlite3_mprintf("CREATE TEMP TABLE facts (file TEXT, campaign TEXT, sweep TEXT,"
					     " kernel TEXT, patch_hash TEXT, accel TEXT, cpu TEXT)"));
	collect_facts("main", "(OUT)");
	for (int i = 1; i < n; i++) {
		if (tb_run_copy_attach(out, paths[i], "src", err, sizeof err))
			tb_die("%s", err);
		collect_facts("src", paths[i]);
		if (tb_run_copy_detach(out, "src", err, sizeof err))
			tb_die("%s", err);
	}
	if (check(campaign, sha) && !force) {
		fprintf(stderr, "tb-merge: nothing was merged (--force merges all the same)\n");
		tb_store_close(out);
		return 1;
	}
	for (int i = 1; i < n; i++)
		merge_one(out, paths[i]);
	tb_store_close(out);
	return 0;
}
