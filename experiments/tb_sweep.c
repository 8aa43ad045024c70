/* tb-sweep: check a sweep file and expand it into its runs, one per line, for
 * the shell runner. Names of kernels, profiles and clips are checked against
 * the lists given (the runner passes what exists). */
#include "sweep.h"
#include "tb/err.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_NAMES = 128 };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tb-sweep check|expand FILE [--kernels A,B] [--profiles A,B] [--clips A,B]\n"
		"                [--overhead SECONDS]\n"
		"  check    validate FILE; print the number of runs per kernel and the expected time\n"
		"  expand   print one tab-separated line per run:\n"
		"           index kernel ring qdisc profile traffic clip sndbuf pace rep duration_s seed key\n"
		"  --kernels, --profiles, --clips   the names that exist (unchecked when absent)\n"
		"  --overhead  seconds each run costs beyond its duration (for the estimate; default 15)\n");
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

int main(int argc, char **argv)
{
	tb_set_progname("tb-sweep");
	static const struct option opts[] = {
		{"kernels", required_argument, NULL, 'k'}, {"profiles", required_argument, NULL, 'p'},
		{"clips", required_argument, NULL, 'c'},   {"overhead", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
	static const char *kernels[MAX_NAMES + 1], *profiles[MAX_NAMES + 1], *clips[MAX_NAMES + 1];
	struct sweep_known known = {NULL, NULL, NULL};
	long long overhead = 15;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': known.kernels = split_names(optarg, kernels); break;
		case 'p': known.profiles = split_names(optarg, profiles); break;
		case 'c': known.clips = split_names(optarg, clips); break;
		case 'o':
			if (tb_parse_i64(optarg, 0, 3600, &overhead))
				tb_usage_die("--overhead must be 0..3600 seconds, got '%s'", optarg);
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	const char *verb = argv[optind], *path = argv[optind + 1];
	if (strcmp(verb, "check") && strcmp(verb, "expand"))
		tb_usage_die("unknown action '%s' (check or expand)", verb);

	static struct sweep s;
	char err[512];
	if (sweep_parse_file(path, &known, &s, err, sizeof err))
		tb_die("%s", err);

	long long total = sweep_point_count(&s);
	if (strcmp(verb, "check") == 0) {
		printf("sweep %s: %lld runs (%d repetition%s of %lld points), %d s each\n", s.name,
		       total, s.repetitions, s.repetitions == 1 ? "" : "s", total / s.repetitions,
		       s.duration_s);
		long long per_kernel = total / s.axis[AXIS_KERNEL].count;
		for (int k = 0; k < s.axis[AXIS_KERNEL].count; k++)
			printf("  kernel %-14s %lld runs\n", s.axis[AXIS_KERNEL].values[k], per_kernel);
		long long secs = total * (s.duration_s + overhead);
		printf("expected time: about %lld min (%lld s per run incl. setup), plus one boot per kernel\n",
		       (secs + 59) / 60, s.duration_s + overhead);
		return 0;
	}
	for (long long i = 0; i < total; i++) {
		int idx[AXIS_COUNT], rep;
		char key[2048];
		sweep_point(&s, i, idx, &rep);
		sweep_point_key(&s, idx, rep, key, sizeof key);
		printf("%lld", i);
		for (int a = 0; a < AXIS_COUNT; a++)
			printf("\t%s", s.axis[a].values[idx[a]]);
		printf("\t%d\t%d\t%lld\t%s\n", rep, s.duration_s, s.seed, key);
	}
	return 0;
}
