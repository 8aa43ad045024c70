/* The validity rule: its thresholds (>= the limit is invalid), the VPN case
 * only on a profile whose bottleneck is the link, and judging a stored run
 * from its samples (cpu_limit NULL means 90 %). */
#include "tb/check.h"
#include "tb/store.h"
#include "tb/validity.h"
#include "test_support.h"

#include <stdio.h>
#include <string.h>

static void test_rule(void)
{
	char why[256];
	CHECK(tb_validity_rule(1, 89.9, 1, 89.9, 90, "link", why, sizeof why) == 1);
	CHECK(strcmp(why, "") == 0);
	CHECK(tb_validity_rule(1, 90.0, 0, 0, 90, "link", why, sizeof why) == 0);
	CHECK(strcmp(why, "guest CPU saturated: mean 90.0% of all CPUs >= 90%") == 0);
	CHECK(tb_validity_rule(1, 97.26, 1, 99, 87.5, "vpn", why, sizeof why) == 0);
	CHECK(strcmp(why, "guest CPU saturated: mean 97.3% of all CPUs >= 87.5%") == 0);
	CHECK(tb_validity_rule(1, 30, 1, 95.04, 90, "link", why, sizeof why) == 0);
	CHECK(strcmp(why, "OpenVPN CPU-bound (95.0% of a core >= 90%) on a profile whose bottleneck is the link") == 0);
	CHECK(tb_validity_rule(1, 30, 1, 95.04, 90, NULL, why, sizeof why) == 0); /* no bottleneck: the link */
	CHECK(tb_validity_rule(1, 30, 1, 100, 90, "vpn", why, sizeof why) == 1);
	CHECK(tb_validity_rule(0, 0, 0, 0, 90, "link", why, sizeof why) == 1); /* no samples */
}

static long long new_run(tb_store *st, const char *cpu_limit, const char *knobs)
{
	char *sql = sqlite3_mprintf("INSERT INTO runs(kind, cpu_limit, knobs_json) VALUES('video', %s, %Q)",
				    cpu_limit, knobs);
	CHECK(tb_store_exec(st, sql) == 0);
	sqlite3_free(sql);
	return sqlite3_last_insert_rowid(tb_store_db(st));
}

static void sample(tb_store *st, long long id, const char *name, double v)
{
	char *sql = sqlite3_mprintf("INSERT INTO samples(run_id, t_ns, name, value) VALUES(%lld, 1, %Q, %.17g)",
				    id, name, v);
	CHECK(tb_store_exec(st, sql) == 0);
	sqlite3_free(sql);
}

/* "valid|cpu_busy_pct|invalid_reason" of a run after judging it. */
static void judged(tb_store *st, long long id, char *buf, size_t len)
{
	char err[256] = "";
	CHECK(tb_validity_judge(st, id, err, sizeof err) == 0);
	char *sql = sqlite3_mprintf("SELECT valid || '|' || coalesce(cpu_busy_pct, 'NULL') || '|' ||"
				    " coalesce(invalid_reason, 'NULL') FROM runs WHERE id = %lld", id);
	store_text(st, sql, buf, len);
	sqlite3_free(sql);
}

#define CHECK_JUDGED(st, id, want)                                                     \
	do {                                                                           \
		char got_[512];                                                        \
		judged(st, id, got_, sizeof got_);                                     \
		CHECK_EQ_STR(got_, want);                                              \
	} while (0)

static void test_judge(tb_store *st)
{
	/* mean (88 + 91.8) / 2 = 89.9: below the default limit of 90 */
	long long a = new_run(st, "NULL", NULL);
	sample(st, a, "cpu_busy_pct", 88);
	sample(st, a, "cpu_busy_pct", 91.8);
	sample(st, a, "vpn_cpu_pct", 50);
	CHECK_JUDGED(st, a, "1|89.9|NULL");

	long long b = new_run(st, "80", NULL); /* mean 89.9 >= 80 */
	sample(st, b, "cpu_busy_pct", 88);
	sample(st, b, "cpu_busy_pct", 91.8);
	CHECK_JUDGED(st, b, "0|89.9|guest CPU saturated: mean 89.9% of all CPUs >= 80%");

	const char *link = "{\"profile_values\":{\"bottleneck\":\"link\"}}";
	const char *vpn = "{\"profile_values\":{\"bottleneck\":\"vpn\"}}";
	long long c = new_run(st, "90", link);
	sample(st, c, "cpu_busy_pct", 40);
	sample(st, c, "vpn_cpu_pct", 85);
	sample(st, c, "vpn_cpu_pct", 95);
	CHECK_JUDGED(st, c, "0|40.0|OpenVPN CPU-bound (90.0% of a core >= 90%) on a profile whose bottleneck is the link");
	long long d = new_run(st, "90", vpn);
	sample(st, d, "cpu_busy_pct", 40);
	sample(st, d, "vpn_cpu_pct", 85);
	sample(st, d, "vpn_cpu_pct", 95);
	CHECK_JUDGED(st, d, "1|40.0|NULL");
	long long e = new_run(st, "90", "not json"); /* no profile known: the link */
	sample(st, e, "vpn_cpu_pct", 92);
	CHECK_JUDGED(st, e, "0|NULL|OpenVPN CPU-bound (92.0% of a core >= 90%) on a profile whose bottleneck is the link");

	char err[256] = "";
	CHECK(tb_validity_judge(st, 424242, err, sizeof err) == -1);
	CHECK(strstr(err, "no run with id 424242") != NULL);
}

int main(void)
{
	scratch_dir_make("validity");
	test_rule();
	tb_store *st = scratch_store_open("v.db");
	test_judge(st);
	tb_store_close(st);
	scratch_dir_remove();
	return TB_CHECK_SUMMARY();
}
