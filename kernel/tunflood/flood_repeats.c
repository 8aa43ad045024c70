#include "flood_repeats.h"

#include <math.h>

void flood_wilson95(long long k, long long n, double *lo, double *hi)
{
	const double z = 1.959963984540054; /* the normal's 97.5 % quantile */
	double p = (double)k / (double)n, z2n = z * z / (double)n;
	double centre = (p + z2n / 2) / (1 + z2n);
	double half = z * sqrt(p * (1 - p) / (double)n + z2n / (4 * (double)n)) / (1 + z2n);
	*lo = k == 0 ? 0 : centre - half;
	*hi = k == n ? 1 : centre + half;
}

static const char sql_groups[] =
	"SELECT r.kernel, coalesce(json_extract(r.knobs_json, '$.iff_backpressure'), 0),"
	" r.ring, coalesce(nullif(r.qdisc, ''), r.qdisc_kind, '(default)'),"
	" count(*), sum(f.ring_drops > 0), sum(f.ring_drops), sum(f.sent), max(f.ring_drops),"
	" sum(f.hung), sum(f.unexplained <> 0)"
	" FROM runs r JOIN tun_flood f ON f.run_id = r.id"
	" WHERE r.campaign = ?1 AND r.kind = 'selftest'"
	"  AND json_extract(r.env_json, '$.series') = 'repeat'"
	" GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4";

int flood_repeats_print(tb_store *st, const char *campaign, FILE *out)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(tb_store_db(st), sql_groups, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, campaign, -1, SQLITE_STATIC);
	int groups = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (!groups++) {
			fprintf(out, "Repeated floods: how often the patched ring still dropped, or the queue hung\n");
			fprintf(out, "%-16s %5s %-12s %6s %-28s %-22s %6s %-22s %6s\n", "variant", "ring", "qdisc",
				"floods", "with ring drops [95% CI]", "ring drops/sent", "max", "hung [95% CI]",
				"unexpl");
			fprintf(out, "%-16s %5s %-12s %6s %-28s %-22s %6s %-22s %6s\n", "", "[pkt]", "", "",
				"", "[pkt] (ppm)", "[pkt]", "", "floods");
		}
		char label[48], with[64], drops[64], hung[64];
		snprintf(label, sizeof label, "%s%s", (const char *)sqlite3_column_text(s, 0),
			 sqlite3_column_int(s, 1) ? "+IFF" : "");
		long long n = sqlite3_column_int64(s, 4), k = sqlite3_column_int64(s, 5);
		long long dropped = sqlite3_column_int64(s, 6), sent = sqlite3_column_int64(s, 7);
		long long h = sqlite3_column_int64(s, 9);
		double lo, hi;
		flood_wilson95(k, n, &lo, &hi);
		snprintf(with, sizeof with, "%lld [%.1f, %.1f] %%", k, 100 * lo, 100 * hi);
		snprintf(drops, sizeof drops, "%lld/%lld (%.0f)", dropped, sent,
			 sent ? 1e6 * (double)dropped / (double)sent : 0.0);
		flood_wilson95(h, n, &lo, &hi);
		snprintf(hung, sizeof hung, "%lld [%.1f, %.1f] %%", h, 100 * lo, 100 * hi);
		fprintf(out, "%-16s %5lld %-12s %6lld %-28s %-22s %6lld %-22s %6lld\n", label,
			sqlite3_column_int64(s, 2), (const char *)sqlite3_column_text(s, 3), n, with, drops,
			sqlite3_column_int64(s, 8), hung, sqlite3_column_int64(s, 10));
	}
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? groups : -1;
}
