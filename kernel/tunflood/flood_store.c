/* tb-tunflood-store: the host side of the kernel self-test. Stores the JSON
 * objects tb-tunflood wrote (in the guest) into the results store, prints
 * the self-test table and checks the expectations of kernel/tunflood/
 * flood_expect.c. SQLite's JSON functions pick the fields, so there is no
 * JSON parser here. */
#include "flood_expect.h"
#include "flood_repeats.h"

#include "tb/err.h"
#include "tb/file_read.h"
#include "tb/run_row.h"
#include "tb/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: tb-tunflood-store add --db PATH --campaign C --variant V --accel A\n"
	"                             [--git-rev REV] [--patch-hash H] [--env KEY=VALUE]...\n"
	"                             FILE...\n"
	"       tb-tunflood-store table --db PATH --campaign C\n"
	"       tb-tunflood-store check --db PATH --campaign C\n"
	"       tb-tunflood-store repeats --db PATH --campaign C\n"
	"\n"
	"add    store each FILE (one tb-tunflood JSON object) as a runs row\n"
	"       (kind 'selftest') with its tun_flood row and counters; --env adds\n"
	"       KEY=VALUE to the row's env_json (e.g. the VM image hash)\n"
	"table  print the campaign's floods, counts in packets (not the repeats)\n"
	"check  exit 1 unless every flood meets the self-test expectations;\n"
	"       each violation is printed with the expectation and the row\n"
	"repeats  per variant, ring and qdisc, the repeated floods (stored with\n"
	"       --env series=repeat): floods, how many dropped in the ring and how\n"
	"       many hung, with 95 %% Wilson intervals; exit 1 if there are none\n";

static _Noreturn void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "tb-tunflood-store: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_text);
	exit(2);
}

static char *read_file(const char *path)
{
	char err[512];
	char *buf = tb_file_read(path, NULL, err, sizeof err);
	if (!buf)
		tb_die("cannot read %s", err);
	return buf;
}

static sqlite3_stmt *prepare(tb_store *st, const char *sql)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(tb_store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		tb_die("SQL error: %s", tb_store_errmsg(st));
	return s;
}

static void step_done(tb_store *st, sqlite3_stmt *s, const char *what)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		tb_die("cannot store %s: %s", what, tb_store_errmsg(st));
	sqlite3_reset(s);
}

/* The runs row's values, picked from the JSON (?1) by SQLite: each result
 * column is named as the runs column it fills. */
static const char sql_run_values[] =
	"SELECT ?2 AS campaign,"
	" printf('%s/ring=%d/qdisc=%s', ?3, json_extract(j, '$.start.knobs.ring_packets'),"
	"   json_extract(j, '$.start.knobs.qdisc_spec')) AS point_key,"
	" 'selftest' AS kind, ?3 AS kernel, json_extract(j, '$.start.kernel_release') AS kernel_release,"
	" nullif(?7, '') AS patch_hash, ?4 AS accel,"
	" json_extract(j, '$.start.knobs.ring_packets') AS ring,"
	" json_extract(j, '$.start.knobs.qdisc_spec') AS qdisc,"
	" json_extract(j, '$.start.device.qdisc_kind') AS qdisc_kind,"
	" json_extract(j, '$.start.device.qdisc_limit_packets') AS qdisc_limit,"
	" json_extract(j, '$.start.knobs.qdisc_spec') AS qdisc_applied,"
	" json_extract(j, '$.start.device.sndbuf_bytes') AS sndbuf,"
	" printf('udp flood: %d B payload, bursts of %d at %d pps, reader %d pps (%s read), %s socket',"
	"   json_extract(j, '$.start.knobs.size_bytes'), json_extract(j, '$.start.knobs.burst_packets'),"
	"   json_extract(j, '$.start.knobs.rate_pps'), json_extract(j, '$.start.knobs.reader_rate_pps'),"
	"   json_extract(j, '$.start.knobs.reader'),"
	"   iif(json_extract(j, '$.start.knobs.blocking'), 'blocking', 'nonblocking')) AS traffic,"
	" ?5 AS git_rev, json_extract(j, '$.start.knobs') AS knobs_json,"
	" json_patch(json_object('variant', ?3, 'accel', ?4,"
	"   'kernel_release', json_extract(j, '$.start.kernel_release'),"
	"   'dev', json_extract(j, '$.start.dev'), 'tool', json_extract(j, '$.start.tool')), ?6) AS env_json,"
	" json_extract(j, '$.start.timestamp_ns') AS started_ns,"
	" json_extract(j, '$.start.timestamp_ns') + json_extract(j, '$.end.duration_ns') AS ended_ns,"
	" 'done' AS status, 1 AS valid"
	" FROM (SELECT ?1 AS j)";

static const char sql_flood[] =
	"INSERT INTO tun_flood(run_id, sent, accepted, received, lost, ring_drops, dev_drops,"
	" qdisc_drops, socket_drops, stuck_in_qdisc, stuck_in_ring, unexplained, send_errors, sndbuf_errors,"
	" xmit_drops_reported, duplicates, reordered, gaps, foreign_packets, rate_pps, burst_packets,"
	" reader_rate_pps, size_bytes, blocking, blocked_ns, send_duration_ns, duration_ns,"
	" latency_mean_ns, latency_max_ns, hung, hung_reason, result_json)"
	" SELECT ?2, json_extract(j, '$.end.sent'), json_extract(j, '$.end.accepted'),"
	" json_extract(j, '$.end.received'), json_extract(j, '$.end.lost'),"
	" json_extract(j, '$.end.ring_drops'), json_extract(j, '$.end.dev_drops'),"
	" json_extract(j, '$.end.qdisc_drops'), json_extract(j, '$.end.socket_drops'),"
	" json_extract(j, '$.end.stuck_in_qdisc'), json_extract(j, '$.end.stuck_in_ring'),"
	" json_extract(j, '$.end.unexplained'),"
	" json_extract(j, '$.end.send_errors'), json_extract(j, '$.end.sndbuf_errors'),"
	" json_extract(j, '$.end.xmit_drops_reported'), json_extract(j, '$.end.duplicates'),"
	" json_extract(j, '$.end.reordered'), json_extract(j, '$.end.gaps'),"
	" json_extract(j, '$.end.foreign'), json_extract(j, '$.start.knobs.rate_pps'),"
	" json_extract(j, '$.start.knobs.burst_packets'), json_extract(j, '$.start.knobs.reader_rate_pps'),"
	" json_extract(j, '$.start.knobs.size_bytes'), json_extract(j, '$.start.knobs.blocking'),"
	" json_extract(j, '$.end.blocked_ns'), json_extract(j, '$.end.send_duration_ns'),"
	" json_extract(j, '$.end.duration_ns'), json_extract(j, '$.end.latency_mean_ns'),"
	" json_extract(j, '$.end.latency_max_ns'), json_extract(j, '$.end.hung'),"
	" json_extract(j, '$.end.hung_reason'), json(j)"
	" FROM (SELECT ?1 AS j)";

static const char sql_counters[] =
	"INSERT INTO counters(run_id, place, name, before, after)"
	" SELECT ?2, substr(key, 1, instr(key, '.') - 1), substr(key, instr(key, '.') + 1),"
	" json_extract(value, '$.before'), json_extract(value, '$.after')"
	" FROM json_each(?1, '$.end.counters')";

/* --env KEY=VALUE pairs (KEY checked to be [A-Za-z0-9_]+) as one JSON
 * object, built by SQLite, which quotes the values. */
static char *env_object(tb_store *st, char **env, int nenv)
{
	sqlite3_stmt *s = prepare(st, "SELECT json_set(?1, '$.' || ?2, ?3)");
	char *obj = strdup("{}");
	for (int i = 0; i < nenv && obj; i++) {
		const char *eq = strchr(env[i], '=');
		sqlite3_bind_text(s, 1, obj, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, env[i], (int)(eq - env[i]), SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, eq + 1, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(s) != SQLITE_ROW)
			tb_die("cannot build env_json: %s", tb_store_errmsg(st));
		free(obj);
		obj = strdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (!obj)
		tb_die("out of memory");
	return obj;
}

/* The runs row of one flood: the values the prepared sql_run_values picks,
 * inserted by the one function that creates runs rows. */
static long long store_run(tb_store *st, sqlite3_stmt *values, const char *file)
{
	if (sqlite3_step(values) != SQLITE_ROW)
		tb_die("cannot store %s: %s", file, tb_store_errmsg(st));
	struct tb_run_row row = TB_RUN_ROW_INIT;
	for (int c = 0; c < sqlite3_column_count(values); c++)
		tb_run_row_value(&row, sqlite3_column_name(values, c), sqlite3_column_value(values, c));
	sqlite3_reset(values);
	char err[512];
	long long id = tb_run_row_insert(st, &row, err, sizeof err);
	tb_run_row_free(&row);
	if (id < 0)
		tb_die("cannot store %s: %s", file, err);
	return id;
}

static int cmd_add(tb_store *st, const char *campaign, const char *variant, const char *accel,
		   const char *git_rev, const char *patch_hash, char **env, int nenv, char **files,
		   int nfiles)
{
	char *env_json = env_object(st, env, nenv);
	sqlite3_stmt *valid = prepare(st, "SELECT json_valid(?1) AND json_type(?1, '$.end.sent') = 'integer'");
	sqlite3_stmt *run = prepare(st, sql_run_values);
	sqlite3_stmt *flood = prepare(st, sql_flood);
	sqlite3_stmt *ctr = prepare(st, sql_counters);
	if (tb_store_begin(st))
		tb_die("cannot begin: %s", tb_store_errmsg(st));
	for (int i = 0; i < nfiles; i++) {
		char *json = read_file(files[i]);
		sqlite3_bind_text(valid, 1, json, -1, SQLITE_STATIC);
		int ok = sqlite3_step(valid) == SQLITE_ROW && sqlite3_column_int(valid, 0) == 1;
		sqlite3_reset(valid);
		if (!ok) {
			tb_store_rollback(st);
			tb_die("%s is not a tb-tunflood result (no JSON object with end.sent)", files[i]);
		}
		sqlite3_bind_text(run, 1, json, -1, SQLITE_STATIC);
		sqlite3_bind_text(run, 2, campaign, -1, SQLITE_STATIC);
		sqlite3_bind_text(run, 3, variant, -1, SQLITE_STATIC);
		sqlite3_bind_text(run, 4, accel, -1, SQLITE_STATIC);
		sqlite3_bind_text(run, 5, git_rev, -1, SQLITE_STATIC);
		sqlite3_bind_text(run, 6, env_json, -1, SQLITE_STATIC);
		sqlite3_bind_text(run, 7, patch_hash, -1, SQLITE_STATIC);
		long long id = store_run(st, run, files[i]);
		sqlite3_bind_text(flood, 1, json, -1, SQLITE_STATIC);
		sqlite3_bind_int64(flood, 2, id);
		step_done(st, flood, files[i]);
		sqlite3_bind_text(ctr, 1, json, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ctr, 2, id);
		step_done(st, ctr, files[i]);
		free(json);
	}
	if (tb_store_commit(st))
		tb_die("cannot commit: %s", tb_store_errmsg(st));
	sqlite3_finalize(valid);
	sqlite3_finalize(run);
	sqlite3_finalize(flood);
	sqlite3_finalize(ctr);
	free(env_json);
	printf("stored %d flood(s) of %s in campaign %s\n", nfiles, variant, campaign);
	return 0;
}

static const char sql_rows[] =
	"SELECT r.kernel, r.ring, coalesce(r.qdisc_kind, ''), coalesce(r.qdisc, ''),"
	" coalesce(r.qdisc_limit, -1), f.blocking, f.rate_pps, f.burst_packets, f.reader_rate_pps,"
	" f.sent, f.received, f.lost, f.ring_drops, f.dev_drops, f.qdisc_drops, f.socket_drops,"
	" f.stuck_in_qdisc, f.unexplained, f.hung, f.blocked_ns, f.duration_ns, f.latency_max_ns,"
	" coalesce(r.kernel_release, ''), coalesce(r.accel, ''),"
	" coalesce(json_extract(r.knobs_json, '$.iff_backpressure'), 0),"
	" coalesce(f.stuck_in_ring, 0)"
	" FROM runs r JOIN tun_flood f ON f.run_id = r.id"
	" WHERE r.campaign = ?1 AND r.kind = 'selftest' AND (?2 OR"
	"  coalesce(json_extract(r.env_json, '$.series'), '') <> 'repeat') ORDER BY r.id";

static void row_from(sqlite3_stmt *s, struct flood_row *r)
{
	memset(r, 0, sizeof *r);
	snprintf(r->variant, sizeof r->variant, "%s", (const char *)sqlite3_column_text(s, 0));
	r->ring = sqlite3_column_int64(s, 1);
	snprintf(r->qdisc, sizeof r->qdisc, "%s", (const char *)sqlite3_column_text(s, 2));
	snprintf(r->qdisc_spec, sizeof r->qdisc_spec, "%s", (const char *)sqlite3_column_text(s, 3));
	r->qdisc_limit = sqlite3_column_int64(s, 4);
	r->blocking = sqlite3_column_int(s, 5);
	r->rate_pps = sqlite3_column_int64(s, 6);
	r->burst = sqlite3_column_int64(s, 7);
	r->reader_rate_pps = sqlite3_column_int64(s, 8);
	r->sent = sqlite3_column_int64(s, 9);
	r->received = sqlite3_column_int64(s, 10);
	r->lost = sqlite3_column_int64(s, 11);
	r->ring_drops = sqlite3_column_int64(s, 12);
	r->dev_drops = sqlite3_column_int64(s, 13);
	r->qdisc_drops = sqlite3_column_int64(s, 14);
	r->socket_drops = sqlite3_column_int64(s, 15);
	r->stuck_in_qdisc = sqlite3_column_int64(s, 16);
	r->unexplained = sqlite3_column_int64(s, 17);
	r->hung = sqlite3_column_int(s, 18);
	r->iff_backpressure = sqlite3_column_int(s, 24);
	r->stuck_in_ring = sqlite3_column_int64(s, 25);
}

static const char *qdisc_label(const struct flood_row *r)
{
	return r->qdisc_spec[0] ? r->qdisc_spec : (r->qdisc[0] ? r->qdisc : "(default)");
}

static int cmd_table(tb_store *st, const char *campaign)
{
	sqlite3_stmt *s = prepare(st, sql_rows);
	sqlite3_bind_text(s, 1, campaign, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, 0); /* the grid only */
	printf("%-16s %5s %-18s %6s %8s %6s %6s %6s %6s %6s %6s %6s %4s %8s %8s %8s\n", "variant",
	       "ring", "qdisc", "sent", "received", "ring", "dev", "qdisc", "socket", "stuck", "stuck",
	       "unexpl", "hung", "blocked", "latmax", "duration");
	printf("%-16s %5s %-18s %6s %8s %6s %6s %6s %6s %6s %6s %6s %4s %8s %8s %8s\n", "", "[pkt]",
	       "", "[pkt]", "[pkt]", "drops", "drops", "drops", "drops", "qdisc", "ring", "[pkt]", "",
	       "[ms]", "[ms]", "[ms]");
	int rows = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct flood_row r;
		row_from(s, &r);
		char label[48];
		snprintf(label, sizeof label, "%s%s", r.variant, r.iff_backpressure ? "+IFF" : "");
		printf("%-16s %5lld %-18s %6lld %8lld %6lld %6lld %6lld %6lld %6lld %6lld %6lld %4d %8.1f %8.1f %8.1f\n",
		       label, r.ring, qdisc_label(&r), r.sent, r.received, r.ring_drops,
		       r.dev_drops, r.qdisc_drops, r.socket_drops, r.stuck_in_qdisc, r.stuck_in_ring,
		       r.unexplained, r.hung,
		       (double)sqlite3_column_int64(s, 19) / 1e6,
		       (double)sqlite3_column_int64(s, 21) / 1e6,
		       (double)sqlite3_column_int64(s, 20) / 1e6);
		rows++;
	}
	sqlite3_finalize(s);
	if (!rows)
		tb_die("campaign %s has no self-test floods", campaign);
	return 0;
}

static int cmd_repeats(tb_store *st, const char *campaign)
{
	int groups = flood_repeats_print(st, campaign, stdout);
	if (groups < 0)
		tb_die("repeats: %s", tb_store_errmsg(st));
	if (!groups)
		tb_die("campaign %s has no repeated floods", campaign);
	return 0;
}

static int cmd_check(tb_store *st, const char *campaign)
{
	sqlite3_stmt *s = prepare(st, sql_rows);
	sqlite3_bind_text(s, 1, campaign, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, 1); /* the repeats too */
	int rows = 0, failed = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct flood_row r;
		row_from(s, &r);
		rows++;
		char msg[2048];
		if (flood_expect_check(&r, msg, sizeof msg) == 0)
			continue;
		failed++;
		for (char *line = strtok(msg, "\n"); line; line = strtok(NULL, "\n"))
			printf("FAIL %s%s ring=%lld qdisc=%s: %s\n", r.variant,
			       r.iff_backpressure ? "+IFF" : "", r.ring, qdisc_label(&r), line);
	}
	sqlite3_finalize(s);
	if (!rows)
		tb_die("campaign %s has no self-test floods", campaign);
	printf("%d of %d floods meet the self-test expectations\n", rows - failed, rows);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	tb_set_progname("tb-tunflood-store");
	if (argc < 2)
		usage_error("missing command%s", "");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "add") && strcmp(cmd, "table") && strcmp(cmd, "check") && strcmp(cmd, "repeats"))
		usage_error("unknown command '%s'", cmd);
	const char *db = NULL, *campaign = NULL, *variant = NULL, *accel = NULL, *git_rev = "";
	const char *patch_hash = "";
	char *env[64];
	int nenv = 0;
	int i = 2;
	for (; i < argc && !strncmp(argv[i], "--", 2); i += 2) {
		const char *opt = argv[i];
		if (i + 1 >= argc)
			usage_error("option %s needs a value", opt);
		if (!strcmp(opt, "--env")) {
			const char *kv = argv[i + 1];
			size_t klen = strspn(kv, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
			if (klen == 0 || kv[klen] != '=')
				usage_error("option --env wants KEY=VALUE (KEY of letters, digits, _), got '%s'", kv);
			if (nenv == (int)(sizeof env / sizeof env[0]))
				usage_error("too many --env options%s", "");
			env[nenv++] = argv[i + 1];
			continue;
		}
		const char **dst = !strcmp(opt, "--db")         ? &db
				   : !strcmp(opt, "--campaign") ? &campaign
				   : !strcmp(opt, "--variant")  ? &variant
				   : !strcmp(opt, "--accel")    ? &accel
				   : !strcmp(opt, "--git-rev")  ? &git_rev
				   : !strcmp(opt, "--patch-hash") ? &patch_hash
								: NULL;
		if (!dst)
			usage_error("unknown option '%s'", opt);
		*dst = argv[i + 1];
	}
	if (!db)
		usage_error("missing --db%s", "");
	if (!campaign || !*campaign)
		usage_error("missing --campaign%s", "");
	int is_add = !strcmp(cmd, "add");
	if (is_add && (!variant || !accel))
		usage_error("add needs --variant and --accel%s", "");
	if (is_add && i >= argc)
		usage_error("add needs at least one FILE%s", "");
	if (!is_add && i < argc)
		usage_error("unexpected argument '%s'", argv[i]);

	tb_store *st;
	char err[512];
	int rc = is_add ? tb_store_open(db, &st, err, sizeof err)
			: tb_store_open_readonly(db, &st, err, sizeof err);
	if (rc)
		tb_die("%s", err);
	if (is_add)
		rc = cmd_add(st, campaign, variant, accel, git_rev, patch_hash, env, nenv, argv + i,
			     argc - i);
	else if (!strcmp(cmd, "table"))
		rc = cmd_table(st, campaign);
	else if (!strcmp(cmd, "repeats"))
		rc = cmd_repeats(st, campaign);
	else
		rc = cmd_check(st, campaign);
	tb_store_close(st);
	return rc;
}
