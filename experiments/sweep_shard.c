/* Shards of a sweep: a deterministic split of its runs into N parts of about
 * the same expected time, for running one part per machine (see sweep.h). */
#include "sweep.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tb/err.h"

int sweep_shard_parse(const char *spec, int *k, int *n, char *why, size_t whylen)
{
	const char *slash = strchr(spec, '/');
	char *end;
	long kk = 0, nn = 0;
	int ok = slash && slash > spec && spec[0] >= '0' && spec[0] <= '9' && slash[1] >= '0' && slash[1] <= '9';
	if (ok) {
		errno = 0;
		kk = strtol(spec, &end, 10);
		ok = end == slash && !errno;
	}
	if (ok) {
		nn = strtol(slash + 1, &end, 10);
		ok = !*end && !errno;
	}
	if (!ok) {
		tb_errbuf(why, whylen, "a shard is K/N, e.g. 2/4 (the second of four), got '%s'", spec);
		return -1;
	}
	if (nn < 1 || nn > SWEEP_MAX_SHARDS) {
		tb_errbuf(why, whylen, "the number of shards N must be in 1..%d, got '%s'", SWEEP_MAX_SHARDS, spec);
		return -1;
	}
	if (kk < 1 || kk > nn) {
		tb_errbuf(why, whylen, "shard K must be in 1..%ld (N), got '%s'", nn, spec);
		return -1;
	}
	*k = (int)kk;
	*n = (int)nn;
	return 0;
}

long long sweep_run_seconds(const struct sweep *s, const struct sweep_point *pt, long long overhead)
{
	long long sec = s->duration_s + overhead;
	/* iperf3 runs its --omit seconds before the measured duration */
	if (strcmp(sweep_value(s, pt, AXIS_TRAFFIC), "video") != 0)
		sec += atoll(sweep_value(s, pt, AXIS_TCP_OMIT));
	return sec;
}

/* The key of a run's group: its point key without the repetition (and, for
 * interleaved sweeps, without the kernel, so a shard holds whole pairs). */
static void group_key(const struct sweep *s, const struct sweep_point *pt, enum sweep_shard_by by,
		      char *buf, size_t len)
{
	char key[4096];
	sweep_point_key(s, pt, key, sizeof key);
	if (by == SWEEP_SHARD_BY_RUN) {
		snprintf(buf, len, "%s", key);
		return;
	}
	size_t off = 0;
	buf[0] = 0;
	char *save = NULL;
	for (char *f = strtok_r(key, ";", &save); f; f = strtok_r(NULL, ";", &save)) {
		if (!strncmp(f, "rep=", 4) || (s->interleaved && !strncmp(f, "kernel=", 7)))
			continue;
		int w = snprintf(buf + off, len - off, "%s%s", off ? ";" : "", f);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
}

struct group {
	long long first; /* position of its first run */
	long long seconds;
	int shard;
};

struct keyed {
	char *key;
	long long pos;
};

static int by_key(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static int by_cost_desc(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->seconds != y->seconds)
		return x->seconds < y->seconds ? 1 : -1;
	return (x->first > y->first) - (x->first < y->first);
}

static int by_first(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	return (x->first > y->first) - (x->first < y->first);
}

/* max - min of the shards' loads, and the loads into load[] */
static long long spread(const struct group *g, long long ng, int nshards, long long *load)
{
	memset(load, 0, sizeof *load * (size_t)nshards);
	for (long long i = 0; i < ng; i++)
		load[g[i].shard] += g[i].seconds;
	long long lo = load[0], hi = load[0];
	for (int k = 1; k < nshards; k++) {
		lo = load[k] < lo ? load[k] : lo;
		hi = load[k] > hi ? load[k] : hi;
	}
	return hi - lo;
}

int sweep_shard_plan(const struct sweep *s, struct sweep_shard_run *runs, long long n, int nshards,
		     enum sweep_shard_by by)
{
	if (n == 0)
		return 0;
	struct keyed *kd = calloc((size_t)n, sizeof *kd);
	long long *group_of = calloc((size_t)n, sizeof *group_of);
	struct group *g = calloc((size_t)n, sizeof *g);
	long long *load = calloc((size_t)nshards, sizeof *load);
	int rc = -1;
	if (!kd || !group_of || !g || !load)
		goto out;
	for (long long i = 0; i < n; i++) {
		struct sweep_point pt;
		char key[4096];
		sweep_point(s, runs[i].index, &pt);
		group_key(s, &pt, by, key, sizeof key);
		if (!(kd[i].key = strdup(key)))
			goto out;
		kd[i].pos = i;
	}
	/* Groups numbered by their first run, in sweep order. */
	qsort(kd, (size_t)n, sizeof *kd, by_key);
	long long ng = 0;
	for (long long i = 0; i < n; i++) {
		if (i == 0 || strcmp(kd[i].key, kd[i - 1].key)) {
			g[ng].first = kd[i].pos;
			ng++;
		}
		group_of[kd[i].pos] = ng - 1; /* renumbered below */
	}
	/* group_of holds sorted-key numbers; their `first` fields give the order */
	for (long long i = 0; i < n; i++)
		g[group_of[i]].seconds += runs[i].seconds;
	struct group *ordered = calloc((size_t)ng, sizeof *ordered);
	if (!ordered)
		goto out;
	memcpy(ordered, g, sizeof *g * (size_t)ng);
	qsort(ordered, (size_t)ng, sizeof *ordered, by_first);

	/* Contiguous first: in sweep order (kernel-major) a shard takes the
	 * groups whose midpoint falls in its share of the total time, so each
	 * kernel's points stay on as few shards (boots) as possible. */
	long long total = 0, biggest = 0;
	for (long long i = 0; i < ng; i++) {
		total += ordered[i].seconds;
		biggest = ordered[i].seconds > biggest ? ordered[i].seconds : biggest;
	}
	long long cum = 0;
	for (long long i = 0; i < ng; i++) {
		long long twice_mid = 2 * cum + ordered[i].seconds;
		long long k = total ? twice_mid * nshards / (2 * total) : i % nshards;
		ordered[i].shard = (int)(k < nshards ? k : nshards - 1);
		cum += ordered[i].seconds;
	}
	/* When that leaves two shards further apart than the longest group,
	 * greedy longest-first onto the least loaded shard, which never does. */
	if (spread(ordered, ng, nshards, load) > biggest) {
		qsort(ordered, (size_t)ng, sizeof *ordered, by_cost_desc);
		memset(load, 0, sizeof *load * (size_t)nshards);
		for (long long i = 0; i < ng; i++) {
			int best = 0;
			for (int k = 1; k < nshards; k++)
				if (load[k] < load[best])
					best = k;
			ordered[i].shard = best;
			load[best] += ordered[i].seconds;
		}
	}
	/* back to the runs: match groups by their first run */
	for (long long i = 0; i < ng; i++)
		g[group_of[ordered[i].first]].shard = ordered[i].shard;
	for (long long i = 0; i < n; i++)
		runs[i].shard = g[group_of[i]].shard;
	free(ordered);
	rc = 0;
out:
	if (kd)
		for (long long i = 0; i < n; i++)
			free(kd[i].key);
	free(kd);
	free(group_of);
	free(g);
	free(load);
	return rc;
}
