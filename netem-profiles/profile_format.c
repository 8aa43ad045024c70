/* Turning a parsed profile into tc arguments, a summary and JSON.
 *
 * Why netem's own `rate` rather than a tbf/htb child: with `rate`, netem
 * computes each packet's send time from the previous packet's (a FIFO
 * server behind the delay), so jitter does not reorder packets, the
 * bottleneck queue and the delay live in one qdisc, and every WAN drop shows
 * up in a single `dropped` counter. A tbf child would sit behind netem's
 * time-sorted queue, where jitter reorders packets, and would keep a second
 * queue limited in bytes. The cost: netem's `limit` counts every packet it
 * holds, those on the delay line included, so it is sized as the profile's
 * buffer plus the delay line at the link rate (profile_netem_limit). */
#include "profile.h"

#include <stdarg.h>
#include <string.h>

int profile_dir_active(const struct profile_direction *d)
{
	return d->delay_us || (d->loss == LOSS_RANDOM && d->loss_pct > 0) || d->loss == LOSS_GEMODEL ||
	       d->rate_bps || d->reorder_pct > 0;
}

static long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

long long profile_netem_limit(const struct profile_direction *d)
{
	long long line_us = d->delay_us + d->jitter_us;
	long long bps = d->rate_bps ? d->rate_bps : PROFILE_UNLIMITED_SIZING_BPS;
	/* packets in flight on the delay line: time * rate / packet size
	 * (us * bit/s / 1e6 / 8 / bytes; ordered to stay exact and in range) */
	long long in_flight = ceil_div(line_us * (bps / 1000), 1000LL * 8 * PROFILE_WAN_PACKET_BYTES);
	if (d->rate_bps)
		return d->limit_pkts + in_flight;
	return in_flight > 1000 ? in_flight : 1000; /* 1000: netem's default */
}

static void fmt_time(char *b, size_t n, long long us)
{
	if (us % 1000 == 0)
		snprintf(b, n, "%lldms", us / 1000);
	else
		snprintf(b, n, "%lldus", us);
}

static void fmt_rate(char *b, size_t n, long long bps)
{
	if (bps % 1000000000 == 0)
		snprintf(b, n, "%lldgbit", bps / 1000000000);
	else if (bps % 1000000 == 0)
		snprintf(b, n, "%lldmbit", bps / 1000000);
	else if (bps % 1000 == 0)
		snprintf(b, n, "%lldkbit", bps / 1000);
	else
		snprintf(b, n, "%lldbit", bps);
}

/* Appends with snprintf semantics; *used grows past len on overflow. */
static void add(char *buf, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(*used < len ? buf + *used : NULL, *used < len ? len - *used : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n;
}

/* The netem options alone: "limit N delay ... rate ..." */
static void netem_args(const struct profile_direction *d, char *buf, size_t len, size_t *used)
{
	char t[32], j[32];
	add(buf, len, used, "limit %lld", profile_netem_limit(d));
	if (d->delay_us) {
		fmt_time(t, sizeof t, d->delay_us);
		add(buf, len, used, " delay %s", t);
		if (d->jitter_us) {
			fmt_time(j, sizeof j, d->jitter_us);
			add(buf, len, used, " %s", j);
			if (d->jitter_corr_pct > 0)
				add(buf, len, used, " %g%%", d->jitter_corr_pct);
			if (d->dist_set)
				add(buf, len, used, " distribution %s", profile_dist_name(d->dist));
		}
	}
	if (d->loss == LOSS_RANDOM && d->loss_pct > 0)
		add(buf, len, used, " loss random %g%%", d->loss_pct);
	else if (d->loss == LOSS_GEMODEL)
		add(buf, len, used, " loss gemodel %g%% %g%% %g%% %g%%", d->ge_p, d->ge_r, d->ge_bad_loss,
		    d->ge_good_loss);
	if (d->reorder_pct > 0) {
		add(buf, len, used, " reorder %g%%", d->reorder_pct);
		if (d->reorder_corr_pct > 0)
			add(buf, len, used, " %g%%", d->reorder_corr_pct);
	}
	if (d->rate_bps) {
		fmt_rate(t, sizeof t, d->rate_bps);
		add(buf, len, used, " rate %s", t);
	}
}

int profile_netem_args(const struct profile_direction *d, char *buf, size_t len)
{
	size_t used = 0;
	if (len)
		buf[0] = '\0';
	if (profile_dir_active(d))
		netem_args(d, buf, len, &used);
	return used < len ? 0 : -1;
}

int profile_tc_line(const struct profile *p, enum profile_dir_id dir, const char *dev, char *buf,
		    size_t len)
{
	const struct profile_direction *d = &p->dir[dir];
	size_t used = 0;
	if (len)
		buf[0] = '\0';
	if (!profile_dir_active(d))
		return len ? 0 : -1;
	add(buf, len, &used, "qdisc replace dev %s root handle 1: netem ", dev);
	netem_args(d, buf, len, &used);
	return used < len ? 0 : -1;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_direction(FILE *f, const struct profile_direction *d)
{
	static const char *const loss_names[] = {"none", "random", "gemodel"};
	fprintf(f, "{\"active\":%s", profile_dir_active(d) ? "true" : "false");
	fprintf(f, ",\"delay_us\":%lld,\"jitter_us\":%lld,\"jitter_correlation_pct\":%g", d->delay_us,
		d->jitter_us, d->jitter_corr_pct);
	fprintf(f, ",\"distribution\":");
	if (d->dist_set)
		json_string(f, profile_dist_name(d->dist));
	else
		fputs("null", f);
	fprintf(f, ",\"loss_model\":\"%s\",\"loss_pct\":%g", loss_names[d->loss], d->loss_pct);
	if (d->loss == LOSS_GEMODEL)
		fprintf(f, ",\"ge_p_pct\":%g,\"ge_r_pct\":%g,\"ge_bad_loss_pct\":%g,\"ge_good_loss_pct\":%g",
			d->ge_p, d->ge_r, d->ge_bad_loss, d->ge_good_loss);
	fprintf(f, ",\"rate_bps\":%lld,\"limit_pkts\":%lld", d->rate_bps, d->limit_pkts);
	fprintf(f, ",\"reorder_pct\":%g,\"reorder_correlation_pct\":%g", d->reorder_pct,
		d->reorder_corr_pct);
	if (profile_dir_active(d)) {
		char args[512];
		size_t used = 0;
		netem_args(d, args, sizeof args, &used);
		fprintf(f, ",\"netem_limit_pkts\":%lld,\"netem\":", profile_netem_limit(d));
		json_string(f, args);
	}
	fputc('}', f);
}

void profile_print_json(FILE *f, const struct profile *p)
{
	fputs("{\"name\":", f);
	json_string(f, p->name);
	fputs(",\"description\":", f);
	json_string(f, p->description);
	fputs(",\"sources\":[", f);
	for (int i = 0; i < p->n_sources; i++) {
		if (i)
			fputc(',', f);
		json_string(f, p->sources[i]);
	}
	fprintf(f, "],\"bottleneck\":\"%s\"", p->bottleneck == BOTTLENECK_LINK ? "link" : "vpn");
	fputs(",\"up\":", f);
	json_direction(f, &p->dir[PROFILE_UP]);
	fputs(",\"down\":", f);
	json_direction(f, &p->dir[PROFILE_DOWN]);
	fputs("}\n", f);
}

void profile_print_summary(FILE *f, const struct profile *p)
{
	fprintf(f, "profile     %s\n", p->name);
	if (p->description[0])
		fprintf(f, "description %s\n", p->description);
	for (int i = 0; i < p->n_sources; i++)
		fprintf(f, "source      %s\n", p->sources[i]);
	fprintf(f, "bottleneck  %s\n", p->bottleneck == BOTTLENECK_LINK ? "link (the emulated rate)"
								 : "vpn (no rate limit on [up])");
	for (int d = PROFILE_UP; d <= PROFILE_DOWN; d++) {
		const struct profile_direction *x = &p->dir[d];
		if (!profile_dir_active(x)) {
			fprintf(f, "%-4s        no impairment (the device is left as it is)\n",
				profile_dir_name((enum profile_dir_id)d));
			continue;
		}
		char args[512];
		size_t used = 0;
		netem_args(x, args, sizeof args, &used);
		fprintf(f, "%-4s        netem %s\n", profile_dir_name((enum profile_dir_id)d), args);
	}
}
