/* tb-sweep: check a sweep file and expand it into its runs, one point file
 * per run (see sweep.h), for the runner. Names of kernels, profiles and clips
 * are checked against the lists given (the runner passes what exists). */
#include "sweep.h"
#include "tb/err.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_NAMES = 128 };

/* A set of point keys (open addressing, FNV-1a), to drop points that two
 * matrices share. */
struct keyset {
	char **slot;
	size_t cap, used;
};

static uint64_t fnv1a(const char *k)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return h;
}

/* The slot where key is, or the empty slot where it would go. */
static char **keyset_slot(const struct keyset *ks, const char *key)
{
	size_t i = fnv1a(key) & (ks->cap - 1);
	while (ks->slot[i] && strcmp(ks->slot[i], key))
		i = (i + 1) & (ks->cap - 1);
	return &ks->slot[i];
}

/* Returns 1 if key was new (and is now in the set), 0 if it was there. */
static int keyset_add(struct keyset *ks, const char *key)
{
	if (2 * (ks->used + 1) > ks->cap) { /* grow: move the keys over */
		struct keyset bigger = {calloc(ks->cap ? ks->cap * 2 : 1024, sizeof(char *)),
					ks->cap ? ks->cap * 2 : 1024, ks->used};
		if (!bigger.slot)
			tb_die("out of memory");
		for (size_t i = 0; i < ks->cap; i++)
			if (ks->slot[i])
				*keyset_slot(&bigger, ks->slot[i]) = ks->slot[i];
		free(ks->slot);
		*ks = bigger;
	}
	char **slot = keyset_slot(ks, key);
	if (*slot)
		return 0;
	if (!(*slot = strdup(key)))
		tb_die("out of memory");
	ks->used++;
	return 1;
}

static void keyset_free(struct keyset *ks)
{
	for (size_t i = 0; i < ks->cap; i++)
		free(ks->slot[i]);
	free(ks->slot);
}

/* tb-sweep shards: one line per shard, "K/N RUNS SECONDS KERNEL,KERNEL". */
static void print_shards(const struct sweep *s, const struct sweep_shard_run *runs, long long n,
			 int nshards)
{
	for (int k = 0; k < nshards; k++) {
		long long count = 0, secs = 0;
		char kernels[4096] = "";
		size_t off = 0;
		for (long long i = 0; i < n; i++) {
			if (runs[i].shard != k)
				continue;
			struct sweep_point pt;
			sweep_point(s, runs[i].index, &pt);
			count++;
			secs += runs[i].seconds;
			const char *kn = sweep_value(s, &pt, AXIS_KERNEL);
			/* a kernel once, in the shard's order */
			char look[SWEEP_VALUE_LEN + 2];
			snprintf(look, sizeof look, ",%s,", kn);
			char have[4100];
			snprintf(have, sizeof have, ",%s,", kernels);
			if (!strstr(have, look) && off + strlen(kn) + 2 < sizeof kernels)
				off += (size_t)snprintf(kernels + off, sizeof kernels - off, "%s%s", off ? "," : "", kn);
		}
		printf("%d/%d %lld %lld %s\n", k + 1, nshards, count, secs, off ? kernels : "-");
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tb-sweep check FILE [KNOWN] [--overhead SECONDS] [SHARD]\n"
		"       tb-sweep expand FILE --dir DIR [KNOWN] [SHARD]\n"
		"       tb-sweep shards FILE --shards N [KNOWN] [--shard-by point|run]\n"
		"       tb-sweep check-value AXIS VALUE [KNOWN]\n"
		"       tb-sweep name FILE\n"
		"  check        validate FILE; print the number of runs per kernel and the expected time\n"
		"  expand       write one point file per run into DIR (NNNNNN.point, `key = value`\n"
		"               lines named like the runs table's columns) and print their paths\n"
		"  shards       the split into N shards: per shard its runs, expected seconds, kernels\n"
		"  check-value  check one value of one axis (as ./testbed run's options are)\n"
		"  name         the sweep's name (its campaign), rings in BDP units left unresolved\n"
		"  SHARD: --shard K/N [--shard-by point|run], only the K-th of N parts of about\n"
		"               the same expected time (by point: a point's repetitions, and with\n"
		"               order = interleaved its kernels, stay in one shard)\n"
		"  KNOWN: --kernels A,B --profiles A,B --clips A,B, the names that exist\n"
		"               (unchecked when absent); --bdp VPN:PROFILE=PACKETS (repeated), the\n"
		"               bandwidth-delay products that resolve rings such as 0.27bdp;\n"
		"               --lab-scale VPN=RATIO (repeated), our capacity over the paper's lab\n"
		"               capacity of the VPN, which resolves rings such as 500lab\n"
		"  --unresolved-bdp  check only: count such rings as given (before a calibration)\n"
		"  --overhead   seconds each run costs beyond its duration (for the estimate; default 15)\n");
}

/* Split a comma list into a NULL-terminated array (modifies s). */
static const char **split_names(char *s, const char **arr)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, ",", &save); t && n < MAX_NAMES; t = strtok_r(NULL, ",", &save))
		arr[n++] = t;
	arr[n] = NULL;
	return arr;
}

/* DIR/NNNNNN.point, written whole or not at all, and its path printed. */
static void write_point(const struct sweep *s, const struct sweep_point *pt, long long index,
			const char *dir)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof path, "%s/%06lld.point", dir, index);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		tb_die("cannot write %s: %s", tmp, strerror(errno));
	sweep_point_write(s, pt, index, f);
	if (fclose(f) || rename(tmp, path))
		tb_die("cannot write %s: %s", path, strerror(errno));
	printf("%s\n", path);
}

int main(int argc, char **argv)
{
	tb_set_progname("tb-sweep");
	static const struct option opts[] = {
		{"kernels", required_argument, NULL, 'k'}, {"profiles", required_argument, NULL, 'p'},
		{"clips", required_argument, NULL, 'c'},   {"overhead", required_argument, NULL, 'o'},
		{"dir", required_argument, NULL, 'd'},     {"help", no_argument, NULL, 'h'},
		{"shard", required_argument, NULL, 's'},   {"shards", required_argument, NULL, 'n'},
		{"shard-by", required_argument, NULL, 'b'}, {"bdp", required_argument, NULL, 'B'},
		{"unresolved-bdp", no_argument, NULL, 'U'}, {"lab-scale", required_argument, NULL, 'L'},
		{NULL, 0, NULL, 0}};
	static const char *kernels[MAX_NAMES + 1], *profiles[MAX_NAMES + 1], *clips[MAX_NAMES + 1];
	static struct sweep_bdp bdp[MAX_NAMES];
	static struct sweep_lab_scale lab[MAX_NAMES];
	struct sweep_known known = {.bdp = bdp, .lab = lab};
	long long overhead = 15;
	const char *dir = NULL;
	int c, shard_k = 0, shard_n = 0;
	enum sweep_shard_by shard_by = SWEEP_SHARD_BY_POINT;
	char why[512];
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': known.kernels = split_names(optarg, kernels); break;
		case 'p': known.profiles = split_names(optarg, profiles); break;
		case 'c': known.clips = split_names(optarg, clips); break;
		case 'o':
			if (tb_parse_i64(optarg, 0, 3600, &overhead))
				tb_usage_die("--overhead must be 0..3600 seconds, got '%s'", optarg);
			break;
		case 'd': dir = optarg; break;
		case 's':
			if (sweep_shard_parse(optarg, &shard_k, &shard_n, why, sizeof why))
				tb_usage_die("--shard: %s", why);
			break;
		case 'n': {
			long long n;
			if (tb_parse_i64(optarg, 1, SWEEP_MAX_SHARDS, &n))
				tb_usage_die("--shards must be a number of shards in 1..%d, got '%s'", SWEEP_MAX_SHARDS, optarg);
			shard_n = (int)n;
			break;
		}
		case 'b':
			if (!strcmp(optarg, "point"))
				shard_by = SWEEP_SHARD_BY_POINT;
			else if (!strcmp(optarg, "run"))
				shard_by = SWEEP_SHARD_BY_RUN;
			else
				tb_usage_die("--shard-by must be point or run, got '%s'", optarg);
			break;
		case 'B':
			if (known.nbdp == MAX_NAMES)
				tb_usage_die("--bdp: more than %d", MAX_NAMES);
			if (sweep_bdp_parse(optarg, &bdp[known.nbdp], why, sizeof why))
				tb_usage_die("%s", why);
			known.nbdp++;
			break;
		case 'L':
			if (known.nlab == MAX_NAMES)
				tb_usage_die("--lab-scale: more than %d", MAX_NAMES);
			if (sweep_lab_scale_parse(optarg, &lab[known.nlab], why, sizeof why))
				tb_usage_die("%s", why);
			known.nlab++;
			break;
		case 'U': known.bdp_unresolved_ok = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind == 3 && strcmp(argv[optind], "check-value") == 0) {
		int a = sweep_axis_by_name(argv[optind + 1]);
		if (a < 0)
			tb_usage_die("no axis named '%s'", argv[optind + 1]);
		if (sweep_check_value((enum sweep_axis)a, argv[optind + 2], &known, why, sizeof why)) {
			fprintf(stderr, "%s\n", why);
			return 1;
		}
		return 0;
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	const char *verb = argv[optind], *path = argv[optind + 1];
	if (strcmp(verb, "check") && strcmp(verb, "expand") && strcmp(verb, "shards") && strcmp(verb, "name"))
		tb_usage_die("unknown action '%s' (check, expand, shards, name or check-value)", verb);
	int expand = strcmp(verb, "expand") == 0, list_shards = strcmp(verb, "shards") == 0;
	if (expand && !dir)
		tb_usage_die("expand needs --dir DIR for the point files");
	if (list_shards && (!shard_n || shard_k))
		tb_usage_die("shards needs --shards N (and no --shard)");
	if (!list_shards && shard_n && !shard_k)
		tb_usage_die("--shards is for the shards action; %s takes --shard K/N", verb);

	static struct sweep s;
	char err[512];
	if (strcmp(verb, "name") == 0)
		known.bdp_unresolved_ok = 1;
	else if (known.bdp_unresolved_ok && strcmp(verb, "check"))
		tb_usage_die("--unresolved-bdp is for check: %s needs rings in packets (--bdp)", verb);
	if (sweep_parse_file(path, &known, &s, err, sizeof err))
		tb_die("%s", err);
	if (strcmp(verb, "name") == 0) {
		printf("%s\n", s.name);
		return 0;
	}

	/* Unique points in order: matrices may overlap. */
	long long total = sweep_point_count(&s);
	struct keyset seen = {0};
	long long unique = 0;
	struct sweep_shard_run *runs = calloc((size_t)total + 1, sizeof *runs);
	if (!runs)
		tb_die("out of memory");
	for (long long i = 0; i < total; i++) {
		struct sweep_point pt;
		char key[2048];
		sweep_point(&s, i, &pt);
		sweep_point_key(&s, &pt, key, sizeof key);
		if (!keyset_add(&seen, key))
			continue;
		runs[unique].index = i;
		runs[unique].seconds = sweep_run_seconds(&s, &pt, SWEEP_SHARD_OVERHEAD_S);
		unique++;
	}
	keyset_free(&seen);
	if (shard_n && sweep_shard_plan(&s, runs, unique, shard_n, shard_by))
		tb_die("out of memory");
	if (list_shards) {
		print_shards(&s, runs, unique, shard_n);
		free(runs);
		return 0;
	}

	long long per_kernel[SWEEP_MAX_VALUES * SWEEP_MAX_MATRICES] = {0};
	const char *kernel_names[SWEEP_MAX_VALUES * SWEEP_MAX_MATRICES];
	int nkernels = 0;
	long long in_shard = 0, shard_seconds = 0;
	for (long long r = 0; r < unique; r++) {
		struct sweep_point pt;
		long long i = runs[r].index;
		sweep_point(&s, i, &pt);
		if (shard_k && runs[r].shard != shard_k - 1)
			continue;
		in_shard++;
		shard_seconds += sweep_run_seconds(&s, &pt, overhead);
		const char *k = sweep_value(&s, &pt, AXIS_KERNEL);
		int ki = 0;
		while (ki < nkernels && strcmp(kernel_names[ki], k))
			ki++;
		if (ki == nkernels)
			kernel_names[nkernels++] = k;
		per_kernel[ki]++;
		if (!expand)
			continue;
		write_point(&s, &pt, i, dir);
	}
	free(runs);
	if (expand)
		return 0;
	printf("sweep %s: %lld runs (%d repetition%s of %lld points in %d matri%s), %d s each\n", s.name,
	       unique, s.repetitions, s.repetitions == 1 ? "" : "s", unique / s.repetitions, s.nmatrix,
	       s.nmatrix == 1 ? "x" : "ces", s.duration_s);
	if (shard_k)
		printf("shard %d/%d (by %s): %lld of the runs, about %lld min (%s)\n", shard_k, shard_n,
		       shard_by == SWEEP_SHARD_BY_RUN ? "run" : "point", in_shard, (shard_seconds + 59) / 60,
		       "the kernels below are the shard's");
	for (int k = 0; k < nkernels; k++)
		printf("  kernel %-14s %lld runs\n", kernel_names[k], per_kernel[k]);
	fputs(s.bdp_notes, stdout);
	long long secs = unique * (s.duration_s + overhead);
	printf("expected time: about %lld min (%lld s per run incl. setup), plus a boot (%s with --from-source)\n",
	       (secs + 59) / 60, s.duration_s + overhead,
	       s.interleaved ? "one per kernel and repetition" : "one per kernel");
	/* sweep.sh plans its boots from this line */
	printf("order: %s\n", s.interleaved ? "interleaved" : "by-kernel");
	return 0;
}
