/* Parsing and expanding sweep files (format described in sweep.h). */
#include "sweep.h"
#include "tb/err.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The one place an axis gets its name and its default. */
static const char *const axis_names[AXIS_COUNT] = {
	"kernel", "ring",	 "qdisc",  "profile",	  "traffic",  "clip",
	"sndbuf", "pace",	 "vpn",	   "decode",	  "dump_frames", "cpu_limit",
	"tcp_omit", "flag", "cameras"};
static const char *const axis_defaults[AXIS_COUNT] = {
	"stock",   "500", "pfifo_fast", "lan", "video", "720p30",
	"default", "0",	  "openvpn",	"off", "none",	"90",
	"2",	   "off", "1"};
/* The VPNs the scenario can bring up. */
static const char *const vpns[] = {"openvpn", "wireguard-go", NULL};

int sweep_axis_by_name(const char *name)
{
	for (int a = 0; a < AXIS_COUNT; a++)
		if (strcmp(axis_names[a], name) == 0)
			return a;
	return -1;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int in_list(const char *const *list, const char *v)
{
	for (; *list; list++)
		if (strcmp(*list, v) == 0)
			return 1;
	return 0;
}

static int plain_name(const char *v)
{
	if (!*v)
		return 0;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '-' && *v != '_' && *v != '.')
			return 0;
	return 1;
}

static int parse_int(const char *v, long long lo, long long hi, long long *out)
{
	return tb_parse_i64(v, lo, hi, out) == 0;
}

/* "65536", "64k", "4M" -> bytes */
static int parse_bytes(const char *v, long long *out)
{
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (end == v || errno || n <= 0)
		return 0;
	if (*end == 'k' || *end == 'K')
		n *= 1024, end++;
	else if (*end == 'M')
		n *= 1024 * 1024, end++;
	if (*end)
		return 0;
	*out = n;
	return 1;
}

/* "10s", "2m", "90" (seconds) -> seconds */
static int parse_duration(const char *v, long long *out)
{
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (end == v || errno || n <= 0)
		return 0;
	if (*end == 'm' && !end[1])
		n *= 60;
	else if (!(*end == 's' && !end[1]) && *end)
		return 0;
	*out = n;
	return 1;
}

/* "35 45 55": frame numbers, at most 64. */
static int frame_list_ok(const char *v)
{
	int n = 0;
	while (*v) {
		char *end;
		errno = 0;
		long long f = strtoll(v, &end, 10);
		if (end == v || errno || f < 0 || f > 1000000 || ++n > 64)
			return 0;
		v = end;
		while (*v == ' ')
			v++;
	}
	return n > 0;
}

int sweep_check_value(enum sweep_axis a, const char *v, const struct sweep_known *known,
		      char *why, size_t whylen)
{
	long long n;
	double d;
	switch (a) {
	case AXIS_KERNEL:
		if (!plain_name(v) || (known && known->kernels && !in_list(known->kernels, v))) {
			tb_errbuf(why, whylen, "unknown kernel variant '%s' (see ./testbed kernel list)", v);
			return -1;
		}
		return 0;
	case AXIS_RING:
		if (!parse_int(v, 1, 100000, &n) && !sweep_ring_bdp_fraction(v, &d) &&
		    !sweep_ring_lab_packets(v, &d)) {
			tb_errbuf(why, whylen,
				  "ring must be a whole number of packets in 1..100000, a fraction of the "
				  "bandwidth-delay product (e.g. 0.27bdp, at most 100bdp) or the paper's lab "
				  "packets (e.g. 500lab), got '%s'",
				  v);
			return -1;
		}
		return 0;
	case AXIS_QDISC:
		return qdisc_spec_check(v, why, whylen);
	case AXIS_PROFILE:
		if (!plain_name(v) || (known && known->profiles && !in_list(known->profiles, v))) {
			tb_errbuf(why, whylen, "unknown netem profile '%s' (see netem-profiles/)", v);
			return -1;
		}
		return 0;
	case AXIS_TRAFFIC:
		if (strcmp(v, "video") && strcmp(v, "tcp") && strcmp(v, "mixed")) {
			tb_errbuf(why, whylen, "traffic must be video, tcp or mixed, got '%s'", v);
			return -1;
		}
		return 0;
	case AXIS_CLIP:
		if (!plain_name(v) || (known && known->clips && !in_list(known->clips, v))) {
			tb_errbuf(why, whylen, "unknown clip '%s' (see datasets/)", v);
			return -1;
		}
		return 0;
	case AXIS_SNDBUF:
		if (strcmp(v, "default") && (!parse_bytes(v, &n) || n < 1024 || n > 64LL << 20)) {
			tb_errbuf(why, whylen, "sndbuf must be 'default' or 1k..64M bytes, got '%s'", v);
			return -1;
		}
		return 0;
	case AXIS_PACE:
		if (tb_parse_double(v, 0, 1, &d)) {
			tb_errbuf(why, whylen, "pace must be a fraction of the frame interval in 0..1 (0 = bursty), got '%s'", v);
			return -1;
		}
		return 0;
	case AXIS_VPN:
		if (!in_list(vpns, v)) {
			tb_errbuf(why, whylen, "vpn must be openvpn or wireguard-go, got '%s'", v);
			return -1;
		}
		return 0;
	case AXIS_DECODE:
		if (strcmp(v, "on") && strcmp(v, "off")) {
			tb_errbuf(why, whylen, "decode must be on (libavcodec) or off (reference chain only), got '%s'", v);
			return -1;
		}
		return 0;
	case AXIS_DUMP_FRAMES:
		if (strcmp(v, "none") && !frame_list_ok(v)) {
			tb_errbuf(why, whylen, "dump_frames must be 'none' or frame numbers separated by spaces (e.g. 35 45 55), got '%s'", v);
			return -1;
		}
		return 0;
	case AXIS_CPU_LIMIT:
		if (tb_parse_double(v, 1, 100, &d)) {
			tb_errbuf(why, whylen, "cpu_limit must be a percentage in 1..100, got '%s'", v);
			return -1;
		}
		return 0;
	case AXIS_TCP_OMIT:
		if (!parse_int(v, 0, 60, &n)) {
			tb_errbuf(why, whylen, "tcp_omit must be whole seconds in 0..60 (iperf3 --omit), got '%s'", v);
			return -1;
		}
		return 0;
	case AXIS_FLAG:
		if (strcmp(v, "on") && strcmp(v, "off")) {
			tb_errbuf(why, whylen, "flag must be on (the robot's VPN asks for IFF_BACKPRESSURE) or off, got '%s'", v);
			return -1;
		}
		return 0;
	case AXIS_CAMERAS:
		if (!parse_int(v, 1, SWEEP_MAX_CAMERAS, &n)) {
			tb_errbuf(why, whylen, "cameras must be a whole number of video streams in 1..%d, got '%s'",
				  SWEEP_MAX_CAMERAS, v);
			return -1;
		}
		return 0;
	case AXIS_COUNT:
		break;
	}
	return -1;
}

/* Split "a, b, c" into the axis' values, checking each. */
static int set_axis(struct sweep_axis_values *ax, enum sweep_axis a, char *list, int line,
		    const struct sweep_known *known, char *why, size_t whylen)
{
	ax->count = 0;
	ax->line = line;
	if (!*trim(list)) {
		tb_errbuf(why, whylen, "'%s' has no value", axis_names[a]);
		return -1;
	}
	char *rest = list, *tok;
	/* strsep, not strtok: "25,,500" must be an error, not two values */
	while ((tok = strsep(&rest, ","))) {
		char *v = trim(tok);
		if (!*v) {
			tb_errbuf(why, whylen, "empty value in the list of '%s'", axis_names[a]);
			return -1;
		}
		if (strlen(v) >= SWEEP_VALUE_LEN) {
			tb_errbuf(why, whylen, "value too long for '%s'", axis_names[a]);
			return -1;
		}
		if (ax->count == SWEEP_MAX_VALUES) {
			tb_errbuf(why, whylen, "more than %d values for '%s'", SWEEP_MAX_VALUES, axis_names[a]);
			return -1;
		}
		if (sweep_check_value(a, v, known, why, whylen))
			return -1;
		for (int i = 0; i < ax->count; i++)
			if (strcmp(ax->values[i], v) == 0) {
				tb_errbuf(why, whylen, "'%s' listed twice for '%s'", v, axis_names[a]);
				return -1;
			}
		strcpy(ax->values[ax->count++], v);
	}
	return 0;
}

static int set_sweep_key(struct sweep *s, const char *key, const char *v, char *why,
			 size_t whylen)
{
	long long n;
	if (strcmp(key, "name") == 0) {
		if (!plain_name(v) || strlen(v) >= SWEEP_NAME_LEN) {
			tb_errbuf(why, whylen, "name must be letters, digits, '-', '_' or '.' (at most %d), got '%s'",
				  SWEEP_NAME_LEN - 1, v);
			return -1;
		}
		strcpy(s->name, v);
	} else if (strcmp(key, "repetitions") == 0) {
		if (!parse_int(v, 1, 1000, &n)) {
			tb_errbuf(why, whylen, "repetitions must be in 1..1000, got '%s'", v);
			return -1;
		}
		s->repetitions = (int)n;
	} else if (strcmp(key, "duration") == 0) {
		if (!parse_duration(v, &n) || n > 3600) {
			tb_errbuf(why, whylen, "duration must be 1s..60m (e.g. 10s, 2m), got '%s'", v);
			return -1;
		}
		s->duration_s = (int)n;
	} else if (strcmp(key, "seed") == 0) {
		if (!parse_int(v, 0, 0x7fffffff, &n)) {
			tb_errbuf(why, whylen, "seed must be a number in 0..2147483647, got '%s'", v);
			return -1;
		}
		s->seed = n;
	} else if (strcmp(key, "order") == 0) {
		if (strcmp(v, "by-kernel") && strcmp(v, "interleaved")) {
			tb_errbuf(why, whylen, "order must be by-kernel or interleaved, got '%s'", v);
			return -1;
		}
		s->interleaved = strcmp(v, "interleaved") == 0;
	} else {
		tb_errbuf(why, whylen, "unknown key '%s' in [sweep] (known: name, repetitions, duration, seed, order)", key);
		return -1;
	}
	return 0;
}

int sweep_parse(const char *text, const char *filename, const struct sweep_known *known,
		struct sweep *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	s->repetitions = 1;
	s->duration_s = 10;
	s->seed = 1;
	enum { NONE, SWEEP, MATRIX } section = NONE;
	struct sweep_matrix *m = NULL;
	int seen_sweep_key[5] = {0};
	static const char *const sweep_keys[5] = {"name", "repetitions", "duration", "seed", "order"};
	char why[256];
	int lineno = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		char line[1024];
		if (n >= sizeof line) {
			tb_errbuf(err, errlen, "%s:%d: line too long", filename, lineno);
			return -1;
		}
		memcpy(line, p, n);
		line[n] = 0;
		p += n + (nl ? 1 : 0);
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *l = trim(line);
		if (!*l)
			continue;
		if (*l == '[') {
			if (strcmp(l, "[sweep]") == 0)
				section = SWEEP;
			else if (strcmp(l, "[matrix]") == 0) {
				if (s->nmatrix == SWEEP_MAX_SECTIONS) {
					tb_errbuf(err, errlen, "%s:%d: more than %d [matrix] sections", filename,
						  lineno, SWEEP_MAX_SECTIONS);
					return -1;
				}
				section = MATRIX;
				m = &s->matrix[s->nmatrix++];
				m->line = lineno;
				for (int a = 0; a < AXIS_COUNT; a++) {
					m->axis[a].count = 1;
					strcpy(m->axis[a].values[0], axis_defaults[a]);
				}
			} else {
				tb_errbuf(err, errlen, "%s:%d: unknown section %s (known: [sweep], [matrix])",
					  filename, lineno, l);
				return -1;
			}
			continue;
		}
		char *eq = strchr(l, '=');
		if (!eq) {
			tb_errbuf(err, errlen, "%s:%d: expected 'key = value', got '%s'", filename, lineno, l);
			return -1;
		}
		*eq = 0;
		char *key = trim(l), *val = trim(eq + 1);
		if (section == NONE) {
			tb_errbuf(err, errlen, "%s:%d: '%s' before any [sweep] or [matrix] section",
				  filename, lineno, key);
			return -1;
		}
		if (section == SWEEP) {
			for (int i = 0; i < 5; i++)
				if (strcmp(key, sweep_keys[i]) == 0) {
					if (seen_sweep_key[i]++) {
						tb_errbuf(err, errlen, "%s:%d: '%s' set twice", filename, lineno, key);
						return -1;
					}
				}
			if (set_sweep_key(s, key, val, why, sizeof why)) {
				tb_errbuf(err, errlen, "%s:%d: %s", filename, lineno, why);
				return -1;
			}
			continue;
		}
		int a = sweep_axis_by_name(key);
		if (a < 0) {
			char names[256] = "";
			for (int i = 0; i < AXIS_COUNT; i++)
				snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
					 i ? ", " : "", axis_names[i]);
			tb_errbuf(err, errlen, "%s:%d: unknown key '%s' in [matrix] (known: %s)", filename,
				  lineno, key, names);
			return -1;
		}
		if (m->axis[a].line) {
			tb_errbuf(err, errlen, "%s:%d: '%s' set twice (first on line %d)", filename, lineno,
				  key, m->axis[a].line);
			return -1;
		}
		if (set_axis(&m->axis[a], (enum sweep_axis)a, val, lineno, known, why, sizeof why)) {
			tb_errbuf(err, errlen, "%s:%d: %s", filename, lineno, why);
			return -1;
		}
	}
	if (!s->nmatrix) {
		tb_errbuf(err, errlen, "%s: no [matrix] section: nothing to run", filename);
		return -1;
	}
	/* Defaults must also exist where names are checked (e.g. no clip 720p30). */
	for (int i = 0; i < s->nmatrix; i++)
		for (int a = 0; a < AXIS_COUNT; a++)
			if (!s->matrix[i].axis[a].line &&
			    sweep_check_value((enum sweep_axis)a, s->matrix[i].axis[a].values[0], known, why,
					sizeof why)) {
				tb_errbuf(err, errlen, "%s:%d: default %s: %s; set '%s' in this [matrix]",
					  filename, s->matrix[i].line, axis_names[a], why, axis_names[a]);
				return -1;
			}
	/* Keeping a frame's picture means decoding it. */
	for (int i = 0; i < s->nmatrix; i++) {
		const struct sweep_matrix *mx = &s->matrix[i];
		const struct sweep_axis_values *dump = &mx->axis[AXIS_DUMP_FRAMES];
		const struct sweep_axis_values *dec = &mx->axis[AXIS_DECODE];
		int dumps = 0, undecoded = 0;
		for (int v = 0; v < dump->count; v++)
			dumps |= strcmp(dump->values[v], "none") != 0;
		for (int v = 0; v < dec->count; v++)
			undecoded |= strcmp(dec->values[v], "off") == 0;
		if (dumps && undecoded) {
			tb_errbuf(err, errlen, "%s:%d: dump_frames keeps decoded pictures: set decode = on in this [matrix]",
				  filename, dump->line);
			return -1;
		}
	}
	if (sweep_resolve_bdp(s, known, filename, err, errlen))
		return -1;
	if (!s->name[0]) {
		const char *base = strrchr(filename, '/');
		base = base ? base + 1 : filename;
		snprintf(s->name, sizeof s->name, "%.*s", (int)strcspn(base, "."), base);
	}
	return 0;
}

int sweep_parse_file(const char *path, const struct sweep_known *known, struct sweep *out,
		     char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		tb_errbuf(err, errlen, "cannot read sweep file %s: %s", path, strerror(errno));
		return -1;
	}
	char *text = NULL;
	size_t cap = 0, len = 0;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 20)) {
				tb_errbuf(err, errlen, "%s: larger than 1 MiB; not a sweep file", path);
				free(text);
				fclose(f);
				return -1;
			}
			char *t = realloc(text, cap);
			if (!t) {
				free(text);
				fclose(f);
				tb_errbuf(err, errlen, "out of memory");
				return -1;
			}
			text = t;
		}
		size_t got = fread(text + len, 1, 4096, f);
		len += got;
		if (got < 4096)
			break;
	}
	fclose(f);
	text[len] = 0;
	if (strlen(text) != len) {
		free(text);
		tb_errbuf(err, errlen, "%s: contains NUL bytes; not a sweep file", path);
		return -1;
	}
	int rc = sweep_parse(text, path, known, out, err, errlen);
	free(text);
	return rc;
}

static long long matrix_points(const struct sweep_matrix *m)
{
	long long n = 1;
	for (int a = 0; a < AXIS_COUNT; a++)
		n *= m->axis[a].count;
	return n;
}

long long sweep_point_count(const struct sweep *s)
{
	long long n = 0;
	for (int i = 0; i < s->nmatrix; i++)
		n += matrix_points(&s->matrix[i]);
	return n * s->repetitions;
}

/* Within a matrix: kernel outermost (one boot, or one per kernel with --from-source), then repetition
 * (so the repetitions of a point are spread over the sweep's time), then the
 * other axes with pace innermost. */
void sweep_point(const struct sweep *s, long long i, struct sweep_point *pt)
{
	int mi = 0;
	while (mi < s->nmatrix - 1 && i >= matrix_points(&s->matrix[mi]) * s->repetitions) {
		i -= matrix_points(&s->matrix[mi]) * s->repetitions;
		mi++;
	}
	const struct sweep_matrix *m = &s->matrix[mi];
	pt->matrix = mi;
	for (int a = AXIS_COUNT - 1; a >= 1; a--) {
		pt->idx[a] = (int)(i % m->axis[a].count);
		i /= m->axis[a].count;
	}
	pt->rep = (int)(i % s->repetitions) + 1;
	i /= s->repetitions;
	pt->idx[AXIS_KERNEL] = (int)i;
}

const char *sweep_value(const struct sweep *s, const struct sweep_point *pt, enum sweep_axis a)
{
	return s->matrix[pt->matrix].axis[a].values[pt->idx[a]];
}

void sweep_point_key(const struct sweep *s, const struct sweep_point *pt, char *buf, size_t len)
{
	size_t off = 0;
	for (int a = 0; a < AXIS_COUNT && off < len; a++) {
		const char *v = sweep_value(s, pt, (enum sweep_axis)a);
		/* TCP runs from before tcp_omit omitted nothing: a TCP point names
		 * it always, so those runs never count as this point's; a video
		 * point never (it has no TCP start). */
		if (a == AXIS_TCP_OMIT) {
			if (strcmp(sweep_value(s, pt, AXIS_TRAFFIC), "video") == 0)
				continue;
		} else if (a == AXIS_CAMERAS && strcmp(sweep_value(s, pt, AXIS_TRAFFIC), "tcp") == 0) {
			continue; /* TCP sends no video: every camera count is the same run */
		} else if (a >= AXIS_VPN && strcmp(v, axis_defaults[a]) == 0) {
			continue;
		}
		off += (size_t)snprintf(buf + off, len - off, "%s=%s;", axis_names[a], v);
	}
	if (off < len)
		snprintf(buf + off, len - off, "duration=%ds;seed=%lld;rep=%d", s->duration_s, s->seed,
			 pt->rep);
}

void sweep_point_write(const struct sweep *s, const struct sweep_point *pt, long long index,
		       FILE *f)
{
	char key[2048];
	sweep_point_key(s, pt, key, sizeof key);
	const char *traffic = sweep_value(s, pt, AXIS_TRAFFIC);
	fprintf(f, "# sweep %s, point %lld (written by tb-sweep expand)\n", s->name, index);
	fprintf(f, "campaign = %s\npoint_key = %s\nrepetition = %d\n", s->name, key, pt->rep);
	for (int a = 0; a < AXIS_COUNT; a++) {
		const char *v = sweep_value(s, pt, (enum sweep_axis)a);
		fprintf(f, "%s =", axis_names[a]);
		if (a == AXIS_SNDBUF) {
			long long bytes = 0;
			if (strcmp(v, "default"))
				parse_bytes(v, &bytes);
			fprintf(f, " %lld", bytes);
		} else if (a == AXIS_DUMP_FRAMES) {
			/* "35 45 55" -> "35,45,55" (checked by frame_list_ok) */
			for (const char *c = v; strcmp(v, "none") && *c;) {
				char *end;
				long long frame = strtoll(c, &end, 10);
				fprintf(f, "%c%lld", c == v ? ' ' : ',', frame);
				c = end;
			}
		} else if (!((a == AXIS_CLIP || a == AXIS_CAMERAS) && strcmp(traffic, "tcp") == 0) &&
			   !(a == AXIS_TCP_OMIT && strcmp(traffic, "video") == 0)) {
			/* TCP carries no clip and no cameras, video no TCP start to omit */
			fprintf(f, " %s", v);
		}
		fputc('\n', f);
	}
	fprintf(f, "duration = %d\nseed = %lld\n", s->duration_s, s->seed);
}
