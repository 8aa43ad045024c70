/* tb-bootstrap: a paired bootstrap interval of a relative change (see
 * paired_bootstrap.h) for the reports. Reads pairs "A B" (one per line,
 * e.g. stock and patched Mbit/s of the same repetition) from stdin and
 * prints "CHANGE_PCT LO_PCT HI_PCT PAIRS RESAMPLES". */
#include "paired_bootstrap.h"
#include "tb/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] = "usage: tb-bootstrap [--resamples N] [--level L] [--seed S] < PAIRS\n"
				 "  PAIRS: lines 'A B' (e.g. stock and patched Mbit/s of one repetition)\n"
				 "  prints: change% lo% hi% pairs resamples, change = 100 (mean B / mean A - 1)\n"
				 "  defaults: 10000 resamples, level 0.95, seed 1\n";

int main(int argc, char **argv)
{
	tb_set_progname("tb-bootstrap");
	long long resamples = 10000, seed = 1;
	double level = 0.95;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (i + 1 >= argc)
			tb_usage_die("%s needs a value", argv[i]);
		const char *v = argv[++i];
		if (!strcmp(argv[i - 1], "--resamples")) {
			if (tb_parse_i64(v, 1, 10000000, &resamples))
				tb_usage_die("--resamples wants 1..10000000, got '%s'", v);
		} else if (!strcmp(argv[i - 1], "--level")) {
			if (tb_parse_double(v, 0.5, 0.999, &level))
				tb_usage_die("--level wants 0.5..0.999, got '%s'", v);
		} else if (!strcmp(argv[i - 1], "--seed")) {
			if (tb_parse_i64(v, 0, (long long)1 << 62, &seed))
				tb_usage_die("--seed wants a number >= 0, got '%s'", v);
		} else {
			tb_usage_die("unknown option '%s'", argv[i - 1]);
		}
	}
	size_t n = 0, cap = 64;
	double *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b);
	if (!a || !b)
		tb_die("out of memory");
	char line[256];
	int lineno = 0;
	while (fgets(line, sizeof line, stdin)) {
		lineno++;
		double x, y;
		char extra;
		if (sscanf(line, "%lf %lf %c", &x, &y, &extra) != 2)
			tb_die("stdin:%d: expected two numbers 'A B', got '%.*s'", lineno, (int)strcspn(line, "\n"), line);
		if (n == cap) {
			cap *= 2;
			double *na = realloc(a, cap * sizeof *a), *nb = realloc(b, cap * sizeof *b);
			if (!na || !nb)
				tb_die("out of memory");
			a = na, b = nb;
		}
		a[n] = x, b[n] = y, n++;
	}
	struct paired_ci ci;
	if (paired_bootstrap(a, b, n, (size_t)resamples, level, (uint64_t)seed, &ci))
		tb_die("no pairs, or the mean of A is not positive");
	printf("%.2f %.2f %.2f %zu %zu\n", ci.change_pct, ci.lo_pct, ci.hi_pct, ci.pairs, ci.resamples);
	free(a);
	free(b);
	return 0;
}
