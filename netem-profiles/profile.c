/* Parsing and validating WAN profile files (format: see profile.h). Every
 * rejection names the file, the line and the key, so a typo in a profile is
 * found before a guest boots. */
#include "profile.h"
#include "tb/err.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum scope { SCOPE_TOP = -1 };

enum key_id {
	K_DESCRIPTION, K_SOURCE, K_BOTTLENECK, /* top level */
	K_DELAY, K_JITTER, K_JITTER_CORR, K_DIST, K_LOSS, K_GE_P, K_GE_R, K_GE_BAD, K_GE_GOOD,
	K_RATE, K_LIMIT, K_REORDER, K_REORDER_CORR,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"description", "source", "bottleneck", "delay", "jitter", "jitter_correlation",
	"distribution", "loss", "ge_p", "ge_r", "ge_bad_loss", "ge_good_loss", "rate", "limit",
	"reorder", "reorder_correlation"};

#define FIRST_DIR_KEY K_DELAY
#define TOP_KNOWN "description, source, bottleneck"
#define DIR_KNOWN                                                                        \
	"delay, jitter, jitter_correlation, distribution, loss, ge_p, ge_r, ge_bad_loss, " \
	"ge_good_loss, rate, limit, reorder, reorder_correlation"

struct parse_state {
	const char *file;
	int line;
	char *err;
	size_t errlen;
	int key_line[3][K_COUNT]; /* [0] top level, [1+dir]: line where each key was set */
	int section_line[2];
};

#define FAIL(st, ...)                                                       \
	do {                                                                \
		fail_at((st), (st)->line, __VA_ARGS__);                     \
		return -1;                                                  \
	} while (0)

static void fail_at(struct parse_state *st, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail_at(struct parse_state *st, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		tb_errbuf(st->err, st->errlen, "%s:%d: %s", st->file, line, msg);
	else
		tb_errbuf(st->err, st->errlen, "%s: %s", st->file, msg);
}

const char *profile_dir_name(enum profile_dir_id d) { return d == PROFILE_UP ? "up" : "down"; }

const char *profile_dist_name(enum profile_dist d)
{
	static const char *const n[] = {"uniform", "normal", "pareto", "paretonormal"};
	return n[d];
}

/* A number followed by a unit from `units` (each with its scale). */
struct unit {
	const char *name;
	double scale;
};

static int parse_with_unit(struct parse_state *st, const char *key, const char *v,
			   const struct unit *units, const char *unit_help, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (end == v || errno || !isfinite(x) || *v == '+' || *v == '-' || isspace((unsigned char)*v))
		FAIL(st, "%s = %s: not a number", key, v);
	if (!*end)
		FAIL(st, "%s = %s: missing unit (use %s)", key, v, unit_help);
	for (const struct unit *u = units; u->name; u++)
		if (strcmp(end, u->name) == 0) {
			*out = x * u->scale;
			return 0;
		}
	FAIL(st, "%s = %s: unknown unit '%s' (use %s)", key, v, end, unit_help);
}

static int parse_time_us(struct parse_state *st, const char *key, const char *v, long long *out)
{
	static const struct unit u[] = {{"us", 1}, {"ms", 1e3}, {"s", 1e6}, {NULL, 0}};
	double x;
	if (parse_with_unit(st, key, v, u, "us, ms or s", &x))
		return -1;
	if (x > 10e6)
		FAIL(st, "%s = %s: out of range (0 to 10s)", key, v);
	if (x != floor(x))
		FAIL(st, "%s = %s: finer than 1us", key, v);
	*out = (long long)x;
	return 0;
}

static int parse_percent(struct parse_state *st, const char *key, const char *v, double *out)
{
	static const struct unit u[] = {{"%", 1}, {NULL, 0}};
	if (parse_with_unit(st, key, v, u, "%", out))
		return -1;
	if (*out > 100)
		FAIL(st, "%s = %s: out of range (0%% to 100%%)", key, v);
	return 0;
}

static int parse_rate(struct parse_state *st, const char *key, const char *v, long long *out)
{
	static const struct unit u[] = {
		{"bit", 1}, {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9}, {NULL, 0}};
	double x;
	if (parse_with_unit(st, key, v, u,
			    "bit, kbit, mbit or gbit; tc's 'bps' would mean bytes per second", &x))
		return -1;
	if (x < 8e3 || x > 10e9)
		FAIL(st, "%s = %s: out of range (8kbit to 10gbit)", key, v);
	if (x != floor(x))
		FAIL(st, "%s = %s: finer than 1bit", key, v);
	*out = (long long)x;
	return 0;
}

static int parse_count(struct parse_state *st, const char *key, const char *v, long long *out)
{
	if (tb_parse_i64(v, 1, 1000000, out) == 0)
		return 0;
	if (tb_parse_i64(v, LLONG_MIN, LLONG_MAX, out) == 0)
		FAIL(st, "%s = %s: out of range (1 to 1000000 packets)", key, v);
	FAIL(st, "%s = %s: not a whole number of packets", key, v);
}

static int parse_dist(struct parse_state *st, const char *v, enum profile_dist *out)
{
	for (int d = DIST_UNIFORM; d <= DIST_PARETONORMAL; d++)
		if (strcmp(v, profile_dist_name((enum profile_dist)d)) == 0) {
			*out = (enum profile_dist)d;
			return 0;
		}
	FAIL(st, "distribution = %s: unknown (use uniform, normal, pareto or paretonormal)", v);
}

static int set_dir_key(struct parse_state *st, struct profile_direction *d, enum key_id k,
		       const char *v)
{
	const char *key = key_names[k];
	switch (k) {
	case K_DELAY: return parse_time_us(st, key, v, &d->delay_us);
	case K_JITTER: return parse_time_us(st, key, v, &d->jitter_us);
	case K_JITTER_CORR: return parse_percent(st, key, v, &d->jitter_corr_pct);
	case K_DIST:
		d->dist_set = 1;
		return parse_dist(st, v, &d->dist);
	case K_LOSS:
		if (strcmp(v, "gemodel") == 0) {
			d->loss = LOSS_GEMODEL;
			return 0;
		}
		d->loss = LOSS_RANDOM;
		return parse_percent(st, key, v, &d->loss_pct);
	case K_GE_P: return parse_percent(st, key, v, &d->ge_p);
	case K_GE_R: return parse_percent(st, key, v, &d->ge_r);
	case K_GE_BAD: return parse_percent(st, key, v, &d->ge_bad_loss);
	case K_GE_GOOD: return parse_percent(st, key, v, &d->ge_good_loss);
	case K_RATE: return parse_rate(st, key, v, &d->rate_bps);
	case K_LIMIT: return parse_count(st, key, v, &d->limit_pkts);
	case K_REORDER: return parse_percent(st, key, v, &d->reorder_pct);
	case K_REORDER_CORR: return parse_percent(st, key, v, &d->reorder_corr_pct);
	default: FAIL(st, "internal: key %s is not a direction key", key);
	}
}

static int set_top_key(struct parse_state *st, struct profile *p, enum key_id k, const char *v)
{
	switch (k) {
	case K_DESCRIPTION:
		if (strlen(v) >= sizeof p->description)
			FAIL(st, "description longer than %zu characters", sizeof p->description - 1);
		strcpy(p->description, v);
		return 0;
	case K_SOURCE:
		if (p->n_sources == PROFILE_MAX_SOURCES)
			FAIL(st, "more than %d source lines", PROFILE_MAX_SOURCES);
		if (strlen(v) >= sizeof p->sources[0])
			FAIL(st, "source longer than %zu characters", sizeof p->sources[0] - 1);
		strcpy(p->sources[p->n_sources++], v);
		return 0;
	case K_BOTTLENECK:
		if (strcmp(v, "link") == 0)
			p->bottleneck = BOTTLENECK_LINK;
		else if (strcmp(v, "vpn") == 0)
			p->bottleneck = BOTTLENECK_VPN;
		else
			FAIL(st, "bottleneck = %s: unknown (use link or vpn)", v);
		return 0;
	default: FAIL(st, "internal: key %s is not a top-level key", key_names[k]);
	}
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int lookup_key(const char *k)
{
	for (int i = 0; i < K_COUNT; i++)
		if (strcmp(k, key_names[i]) == 0)
			return i;
	return -1;
}

static int parse_line(struct parse_state *st, struct profile *p, int *scope, char *s)
{
	char *hash = strchr(s, '#');
	if (hash)
		*hash = '\0';
	s = trim(s);
	if (!*s)
		return 0;
	if (*s == '[') {
		char *close = strchr(s, ']');
		if (!close || close[1])
			FAIL(st, "malformed section header '%s' (expected [up] or [down])", s);
		*close = '\0';
		char *name = trim(s + 1);
		int d = strcmp(name, "up") == 0 ? PROFILE_UP : strcmp(name, "down") == 0 ? PROFILE_DOWN : -1;
		if (d < 0)
			FAIL(st, "unknown section '[%s]' (known: [up], [down])", name);
		if (st->section_line[d])
			FAIL(st, "section [%s] appears twice (first on line %d)", name, st->section_line[d]);
		st->section_line[d] = st->line;
		*scope = d;
		return 0;
	}
	char *eq = strchr(s, '=');
	if (!eq)
		FAIL(st, "expected 'key = value', got '%s'", s);
	*eq = '\0';
	char *key = trim(s), *val = trim(eq + 1);
	if (!*key)
		FAIL(st, "missing key before '='");
	int k = lookup_key(key);
	const char *where = *scope == SCOPE_TOP ? "the top level" : *scope == PROFILE_UP ? "[up]" : "[down]";
	if (k < 0)
		FAIL(st, "unknown key '%s' in %s (known: %s)", key, where,
		     *scope == SCOPE_TOP ? TOP_KNOWN : DIR_KNOWN);
	if (*scope == SCOPE_TOP && k >= FIRST_DIR_KEY)
		FAIL(st, "key '%s' belongs in [up] or [down]", key);
	if (*scope != SCOPE_TOP && k < FIRST_DIR_KEY)
		FAIL(st, "key '%s' belongs before the first section", key);
	if (!*val)
		FAIL(st, "key '%s' has no value", key);
	int *seen = &st->key_line[*scope + 1][k];
	if (*seen && k != K_SOURCE)
		FAIL(st, "duplicate key '%s' in %s (first set on line %d)", key, where, *seen);
	*seen = st->line;
	if (*scope == SCOPE_TOP)
		return set_top_key(st, p, (enum key_id)k, val);
	p->dir[*scope].keys_set++;
	return set_dir_key(st, &p->dir[*scope], (enum key_id)k, val);
}

/* Checks across keys of one direction, reported at the line of the key
 * that does not fit. */
static int check_direction(struct parse_state *st, const struct profile *p, int d)
{
	const struct profile_direction *x = &p->dir[d];
	const int *ln = st->key_line[d + 1];
	const char *sec = d == PROFILE_UP ? "[up]" : "[down]";
	if (x->jitter_us && !x->delay_us) {
		fail_at(st, ln[K_JITTER], "jitter needs a delay in %s (netem varies the delay)", sec);
		return -1;
	}
	if (x->jitter_us > x->delay_us) {
		fail_at(st, ln[K_JITTER],
			"jitter (%lldus) is larger than delay (%lldus) in %s; netem would clamp negative delays to 0",
			x->jitter_us, x->delay_us, sec);
		return -1;
	}
	if ((ln[K_JITTER_CORR] || x->dist_set) && !x->jitter_us) {
		fail_at(st, ln[K_DIST] ? ln[K_DIST] : ln[K_JITTER_CORR],
			"%s needs jitter in %s", ln[K_DIST] ? "distribution" : "jitter_correlation", sec);
		return -1;
	}
	static const enum key_id ge_keys[] = {K_GE_P, K_GE_R, K_GE_BAD, K_GE_GOOD};
	for (size_t i = 0; i < sizeof ge_keys / sizeof ge_keys[0]; i++)
		if (ln[ge_keys[i]] && x->loss != LOSS_GEMODEL) {
			fail_at(st, ln[ge_keys[i]], "%s needs 'loss = gemodel' in %s",
				key_names[ge_keys[i]], sec);
			return -1;
		}
	if (x->loss == LOSS_GEMODEL && (!ln[K_GE_P] || !ln[K_GE_R])) {
		fail_at(st, ln[K_LOSS], "loss = gemodel needs ge_p and ge_r in %s", sec);
		return -1;
	}
	if (ln[K_REORDER] && !x->delay_us) {
		fail_at(st, ln[K_REORDER],
			"reorder needs a delay in %s (netem sends the chosen packets at once, the rest after the delay)",
			sec);
		return -1;
	}
	if (ln[K_REORDER_CORR] && !ln[K_REORDER]) {
		fail_at(st, ln[K_REORDER_CORR], "reorder_correlation needs reorder in %s", sec);
		return -1;
	}
	if (ln[K_LIMIT] && !x->rate_bps) {
		fail_at(st, ln[K_LIMIT], "limit is the buffer in front of the rate limit; set rate in %s too",
			sec);
		return -1;
	}
	if (x->rate_bps && !ln[K_LIMIT]) {
		fail_at(st, ln[K_RATE], "rate needs limit (the bottleneck buffer, packets) in %s", sec);
		return -1;
	}
	return 0;
}

static int check_profile(struct parse_state *st, const struct profile *p)
{
	const int *top = st->key_line[0];
	if (!top[K_BOTTLENECK]) {
		fail_at(st, 0, "missing 'bottleneck = link|vpn' (which one limits the rate?)");
		return -1;
	}
	if (!p->n_sources) {
		fail_at(st, 0, "missing 'source = ...' (where the numbers come from, or 'assumption')");
		return -1;
	}
	for (int d = PROFILE_UP; d <= PROFILE_DOWN; d++) {
		if (!st->section_line[d]) {
			fail_at(st, 0, "missing section [%s] (leave it empty for no impairment)",
				profile_dir_name((enum profile_dir_id)d));
			return -1;
		}
		if (check_direction(st, p, d))
			return -1;
	}
	if (p->bottleneck == BOTTLENECK_LINK && !p->dir[PROFILE_UP].rate_bps) {
		fail_at(st, top[K_BOTTLENECK], "bottleneck = link needs a rate in [up]");
		return -1;
	}
	if (p->bottleneck == BOTTLENECK_VPN && p->dir[PROFILE_UP].rate_bps) {
		fail_at(st, st->key_line[1 + PROFILE_UP][K_RATE],
			"[up] sets a rate but bottleneck = vpn (the VPN must be the only limit)");
		return -1;
	}
	return 0;
}

static void name_from_file(const char *filename, char *name, size_t len)
{
	const char *base = strrchr(filename, '/');
	base = base ? base + 1 : filename;
	size_t n = strlen(base);
	const char *ext = ".profile";
	if (n > strlen(ext) && strcmp(base + n - strlen(ext), ext) == 0)
		n -= strlen(ext);
	if (n >= len)
		n = len - 1;
	memcpy(name, base, n);
	name[n] = '\0';
}

int profile_parse(const char *text, const char *filename, struct profile *out, char *err,
		  size_t errlen)
{
	struct parse_state st = {.file = filename, .err = err, .errlen = errlen};
	memset(out, 0, sizeof *out);
	name_from_file(filename, out->name, sizeof out->name);
	for (int d = 0; d < 2; d++)
		out->dir[d].ge_bad_loss = 100.0; /* netem's default 1-h: every packet lost in Bad */
	int scope = SCOPE_TOP;
	const char *s = text;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		st.line++;
		char buf[1024];
		if (n >= sizeof buf) {
			fail_at(&st, st.line, "line longer than %zu characters", sizeof buf - 1);
			return -1;
		}
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (parse_line(&st, out, &scope, buf))
			return -1;
		s += n + (nl ? 1 : 0);
	}
	return check_profile(&st, out);
}

int profile_load(const char *path, struct profile *out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		tb_errbuf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	enum { MAX_BYTES = 64 * 1024 };
	char *text = malloc(MAX_BYTES + 1);
	if (!text) {
		fclose(f);
		tb_errbuf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	size_t n = fread(text, 1, MAX_BYTES + 1, f);
	int bad = ferror(f);
	fclose(f);
	int rc = -1;
	if (bad)
		tb_errbuf(err, errlen, "%s: read error", path);
	else if (n > MAX_BYTES)
		tb_errbuf(err, errlen, "%s: larger than %d bytes", path, MAX_BYTES);
	else if (memchr(text, '\0', n))
		tb_errbuf(err, errlen, "%s: contains a NUL byte (not a text file)", path);
	else {
		text[n] = '\0';
		rc = profile_parse(text, path, out, err, errlen);
	}
	free(text);
	return rc;
}
