/* Sweep shards: every run in exactly one shard, a point's repetitions (and
 * with order = interleaved its kernels) together, the shards' expected times
 * within the longest group's of each other, the same split on every call,
 * and K/N checked. Expected values are computed here from the point keys and
 * the file's settings, not by the code under test. */
#include "sweep.h"
#include "tb/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kernels[] = {"stock", "nodrop-v2", "nodrop-qdisc", NULL};
static const char *const profiles[] = {"lan", "de-us", NULL};
static const struct sweep_known known = {.kernels = kernels, .profiles = profiles};

enum { MAX_RUNS = 2048 };
static struct sweep s;
static struct sweep_shard_run runs[MAX_RUNS];
static char keys[MAX_RUNS][1024], groups[MAX_RUNS][1024];
static long long nruns;

/* The unique runs of the parsed sweep, their keys, costs and group keys. */
static void load(const char *text, int interleaved_groups)
{
	char err[256] = "";
	CHECK(sweep_parse(text, "t.sweep", &known, &s, err, sizeof err) == 0);
	if (err[0])
		fprintf(stderr, "unexpected: %s\n", err);
	nruns = 0;
	for (long long i = 0; i < sweep_point_count(&s); i++) {
		struct sweep_point pt;
		char key[1024];
		sweep_point(&s, i, &pt);
		sweep_point_key(&s, &pt, key, sizeof key);
		int seen = 0;
		for (long long j = 0; j < nruns && !seen; j++)
			seen = !strcmp(keys[j], key);
		if (seen)
			continue;
		strcpy(keys[nruns], key);
		/* cost: duration + tcp_omit for TCP + the fixed 20 s of setup */
		const char *traffic = strstr(key, "traffic=tcp") ? "tcp" : "video";
		long long omit = 0;
		const char *o = strstr(key, "tcp_omit=");
		if (o)
			omit = atoll(o + 9);
		runs[nruns].index = i;
		runs[nruns].seconds = s.duration_s + (strcmp(traffic, "tcp") ? 0 : omit) + 20;
		/* group: the key without rep=, and without kernel= when interleaved */
		char *g = groups[nruns];
		const char *from = key;
		if (interleaved_groups)
			from = strchr(key, ';') + 1;
		strcpy(g, from);
		*strstr(g, ";rep=") = 0;
		nruns++;
	}
}

static void check_plan(int nshards, enum sweep_shard_by by, const char *what)
{
	static int first[MAX_RUNS], again[MAX_RUNS];
	CHECK(sweep_shard_plan(&s, runs, nruns, nshards, by) == 0);
	for (long long i = 0; i < nruns; i++)
		first[i] = runs[i].shard;
	/* each task computes the split itself: the same every time */
	CHECK(sweep_shard_plan(&s, runs, nruns, nshards, by) == 0);
	int stable = 1;
	for (long long i = 0; i < nruns; i++) {
		again[i] = runs[i].shard;
		stable &= first[i] == again[i];
	}
	CHECK(stable);
	/* union and disjointness: counted per shard, each run once */
	long long load[64] = {0}, in_shards = 0, biggest_group = 0;
	for (int k = 0; k < nshards; k++)
		for (long long i = 0; i < nruns; i++)
			if (first[i] == k) {
				in_shards++;
				load[k] += runs[i].seconds;
			}
	CHECK_EQ_I64(in_shards, nruns);
	int in_range = 1, together = 1;
	for (long long i = 0; i < nruns; i++) {
		in_range &= first[i] >= 0 && first[i] < nshards;
		long long group_cost = 0;
		for (long long j = 0; j < nruns; j++) {
			int same = by == SWEEP_SHARD_BY_RUN ? i == j : !strcmp(groups[i], groups[j]);
			if (same) {
				group_cost += runs[j].seconds;
				together &= first[i] == first[j];
			}
		}
		biggest_group = group_cost > biggest_group ? group_cost : biggest_group;
	}
	CHECK(in_range);
	CHECK(together);
	long long lo = load[0], hi = load[0];
	for (int k = 1; k < nshards; k++) {
		lo = load[k] < lo ? load[k] : lo;
		hi = load[k] > hi ? load[k] : hi;
	}
	if (hi - lo > biggest_group)
		fprintf(stderr, "%s, %d shards: loads differ by %lld s, more than the longest group's %lld s\n",
			what, nshards, hi - lo, biggest_group);
	CHECK(hi - lo <= biggest_group);
}

/* How many (shard, kernel) pairs: the boots the shards make. */
static int boots(int nshards)
{
	int n = 0;
	for (int k = 0; k < nshards; k++)
		for (int kern = 0; kernels[kern]; kern++) {
			char want[64];
			snprintf(want, sizeof want, "kernel=%s;", kernels[kern]);
			for (long long i = 0; i < nruns; i++)
				if (runs[i].shard == k && !strncmp(keys[i], want, strlen(want))) {
					n++;
					break;
				}
		}
	return n;
}

static void test_uniform(void)
{
	load("[sweep]\nname = u\nrepetitions = 3\nduration = 5s\n"
	     "[matrix]\nkernel = stock, nodrop-v2, nodrop-qdisc\nring = 1, 25, 500\nprofile = lan, de-us\n",
	     0);
	CHECK_EQ_I64(nruns, 3 * 3 * 2 * 3);
	for (int n = 1; n <= 7; n++) {
		check_plan(n, SWEEP_SHARD_BY_POINT, "uniform by point");
		/* equal groups in sweep order: a kernel spans as few shards as it can */
		CHECK(boots(n) <= 3 + n - 1);
		check_plan(n, SWEEP_SHARD_BY_RUN, "uniform by run");
		CHECK(boots(n) <= 3 + n - 1);
	}
	/* more shards than points: the extra shards are empty, nothing lost */
	check_plan(20, SWEEP_SHARD_BY_POINT, "20 shards of 18 points");
	/* one shard is the whole sweep */
	CHECK(sweep_shard_plan(&s, runs, nruns, 1, SWEEP_SHARD_BY_POINT) == 0);
	int all_zero = 1;
	for (long long i = 0; i < nruns; i++)
		all_zero &= runs[i].shard == 0;
	CHECK(all_zero);
}

static void test_mixed_costs(void)
{
	/* TCP runs cost their omitted seconds more; two overlapping matrices */
	load("[sweep]\nname = m\nrepetitions = 2\nduration = 8s\n"
	     "[matrix]\nkernel = stock, nodrop-v2\nring = 1, 25, 500\ntraffic = video\n"
	     "[matrix]\nkernel = stock, nodrop-v2, nodrop-qdisc\nring = 25\ntraffic = tcp, video\ntcp_omit = 30\n"
	     "[matrix]\nkernel = nodrop-qdisc\nring = 10\ntraffic = tcp\ntcp_omit = 0\n",
	     0);
	/* 2x3 video + 3 tcp + (stock/nodrop-v2 ring-25 video shared) 1 video + 1 tcp, x2 */
	CHECK_EQ_I64(nruns, (6 + 3 + 1 + 1) * 2);
	for (int n = 1; n <= 9; n++) {
		check_plan(n, SWEEP_SHARD_BY_POINT, "mixed by point");
		check_plan(n, SWEEP_SHARD_BY_RUN, "mixed by run");
	}
}

static void test_interleaved(void)
{
	load("[sweep]\nname = i\nrepetitions = 4\norder = interleaved\nduration = 5s\n"
	     "[matrix]\nkernel = stock, nodrop-v2\nring = 1, 25, 500\n",
	     1);
	CHECK_EQ_I64(nruns, 2 * 3 * 4);
	for (int n = 1; n <= 4; n++)
		check_plan(n, SWEEP_SHARD_BY_POINT, "interleaved by point");
	/* 3 pairs of points over 3 shards: each shard holds one ring, both kernels */
	CHECK(sweep_shard_plan(&s, runs, nruns, 3, SWEEP_SHARD_BY_POINT) == 0);
	CHECK_EQ_I64(boots(3), 6);
}

static void test_parse(void)
{
	int k = 0, n = 0;
	char why[256];
	CHECK(sweep_shard_parse("2/4", &k, &n, why, sizeof why) == 0);
	CHECK_EQ_I64(k, 2);
	CHECK_EQ_I64(n, 4);
	CHECK(sweep_shard_parse("1/1", &k, &n, why, sizeof why) == 0);
	const char *bad[] = {"0/4", "5/4", "4", "a/b", "2/0", "2/4x", "/4", "2/", "-1/4", "1/1001", "", NULL};
	for (int i = 0; bad[i]; i++) {
		why[0] = 0;
		int rc = sweep_shard_parse(bad[i], &k, &n, why, sizeof why);
		if (rc == 0)
			fprintf(stderr, "'%s' was accepted\n", bad[i]);
		CHECK(rc == -1);
		CHECK(strstr(why, bad[i]) != NULL); /* the message quotes the input */
	}
	sweep_shard_parse("5/4", &k, &n, why, sizeof why);
	CHECK(strstr(why, "1..4") != NULL);
}

int main(void)
{
	test_parse();
	test_uniform();
	test_mixed_costs();
	test_interleaved();
	return TB_CHECK_SUMMARY();
}
