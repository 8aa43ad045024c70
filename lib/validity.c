/* The validity rule (see tb/validity.h); it lives beside the schema so the
 * rule and the columns it fills change together. */
#include "tb/validity.h"
#include "tb/err.h"

#include <string.h>

/* sqlite3's printf, so a message reads as the SQL that wrote it before did. */
static void format(char *buf, size_t len, const char *fmt, double a, double b)
{
	if (len)
		sqlite3_snprintf((int)len, buf, fmt, a, b);
}

int tb_validity_rule(int has_cpu, double cpu_mean, int has_vpn, double vpn_mean, double cpu_limit,
		     const char *bottleneck, char *reason, size_t reason_len)
{
	if (reason_len)
		reason[0] = 0;
	if (has_cpu && cpu_mean >= cpu_limit) {
		format(reason, reason_len, "guest CPU saturated: mean %.1f%% of all CPUs >= %g%%", cpu_mean,
		       cpu_limit);
		return 0;
	}
	if (strcmp(bottleneck ? bottleneck : "link", "vpn") != 0 && has_vpn && vpn_mean >= cpu_limit) {
		format(reason, reason_len,
		       "OpenVPN CPU-bound (%.1f%% of a core >= %g%%) on a profile whose bottleneck is the link",
		       vpn_mean, cpu_limit);
		return 0;
	}
	return 1;
}

static const char sql_inputs[] =
	"SELECT (SELECT avg(value) FROM samples WHERE run_id = ?1 AND name = 'cpu_busy_pct'),"
	" (SELECT avg(value) FROM samples WHERE run_id = ?1 AND name = 'vpn_cpu_pct'),"
	" coalesce(cpu_limit, ?2),"
	" coalesce(CASE WHEN json_valid(knobs_json)"
	"   THEN json_extract(knobs_json, '$.profile_values.bottleneck') END, 'link')"
	" FROM runs WHERE id = ?1";

static const char sql_verdict[] =
	"UPDATE runs SET cpu_busy_pct = round(?2, 1), valid = ?3, invalid_reason = ?4 WHERE id = ?1";

int tb_validity_judge(tb_store *st, long long run_id, char *err, size_t errlen)
{
	sqlite3 *db = tb_store_db(st);
	sqlite3_stmt *in = NULL, *up = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql_inputs, -1, &in, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_verdict, -1, &up, NULL) != SQLITE_OK) {
		tb_errbuf(err, errlen, "validity: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int64(in, 1, run_id);
	sqlite3_bind_double(in, 2, TB_CPU_LIMIT_DEFAULT);
	int step = sqlite3_step(in);
	if (step != SQLITE_ROW) {
		if (step == SQLITE_DONE)
			tb_errbuf(err, errlen, "validity: no run with id %lld", run_id);
		else
			tb_errbuf(err, errlen, "validity: %s", sqlite3_errmsg(db));
		goto out;
	}
	int has_cpu = sqlite3_column_type(in, 0) != SQLITE_NULL;
	int has_vpn = sqlite3_column_type(in, 1) != SQLITE_NULL;
	double cpu = sqlite3_column_double(in, 0);
	char reason[256];
	int valid = tb_validity_rule(has_cpu, cpu, has_vpn, sqlite3_column_double(in, 1),
				     sqlite3_column_double(in, 2), (const char *)sqlite3_column_text(in, 3),
				     reason, sizeof reason);
	sqlite3_bind_int64(up, 1, run_id);
	if (has_cpu)
		sqlite3_bind_double(up, 2, cpu);
	sqlite3_bind_int(up, 3, valid);
	if (!valid)
		sqlite3_bind_text(up, 4, reason, -1, SQLITE_STATIC);
	if (sqlite3_step(up) != SQLITE_DONE) {
		tb_errbuf(err, errlen, "validity: %s", sqlite3_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(in);
	sqlite3_finalize(up);
	return rc;
}
