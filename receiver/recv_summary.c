/* See recv_summary.h. */
#include "recv_summary.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LAT_SAMPLES (64u << 20)   /* 512 MiB of int64: hours at any frame rate */

void tb_recv_stats_add_latency(struct tb_recv_stats *s, int64_t ns)
{
	if (s->nlat == s->lat_cap) {
		if (s->lat_cap >= MAX_LAT_SAMPLES)
			return;
		size_t cap = s->lat_cap ? 2 * s->lat_cap : 1024;
		int64_t *p = realloc(s->lat, cap * sizeof *p);
		if (!p)
			return;
		s->lat = p;
		s->lat_cap = cap;
	}
	s->lat[s->nlat++] = ns;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int64_t tb_recv_stats_percentile(struct tb_recv_stats *s, double p)
{
	if (!s->nlat)
		return -1;
	qsort(s->lat, s->nlat, sizeof *s->lat, cmp_i64);
	/* Nearest rank: the smallest value with at least p% at or below it. */
	double rank = p / 100.0 * (double)s->nlat;
	size_t k = (size_t)rank;
	if ((double)k < rank)
		k++;
	if (k == 0)
		k = 1;
	if (k > s->nlat)
		k = s->nlat;
	return s->lat[k - 1];
}

void tb_recv_stats_free(struct tb_recv_stats *s)
{
	free(s->lat);
	memset(s, 0, sizeof *s);
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

void tb_recv_print_summary(FILE *out, const struct tb_recv_counters *c, struct tb_recv_stats *s,
			   const struct tb_cap_stats *cap, int decoding)
{
	uint64_t lost = c->expected > c->received ? c->expected - c->received : 0;
	fprintf(out, "frames total %llu complete %llu decodable %llu chain_decodable %llu forced %llu untracked %llu\n",
		(unsigned long long)c->frames, (unsigned long long)c->frames_complete,
		(unsigned long long)s->frames_decodable, (unsigned long long)c->frames_decodable,
		(unsigned long long)c->frames_forced, (unsigned long long)c->frames_untracked);
	fprintf(out, "packets expected %llu received %llu lost %llu loss_pct %.3f duplicate %llu reordered %llu late %llu malformed %llu streams %llu restarts %llu stale_ssrc %llu rtcp %llu filtered %llu datagrams %llu\n",
		(unsigned long long)c->expected, (unsigned long long)c->received,
		(unsigned long long)lost, pct(lost, c->expected), (unsigned long long)c->duplicates,
		(unsigned long long)c->reordered, (unsigned long long)c->late,
		(unsigned long long)c->malformed, (unsigned long long)c->streams,
		(unsigned long long)c->restarts, (unsigned long long)c->stale_ssrc, (unsigned long long)c->rtcp,
		(unsigned long long)c->filtered, (unsigned long long)c->datagrams);
	if (c->malformed) {
		fprintf(out, "malformed");
		for (int i = 0; i < TB_MAL_COUNT; i++)
			if (c->malformed_by[i])
				fprintf(out, " %s %llu", tb_reasm_malformed_name(i),
					(unsigned long long)c->malformed_by[i]);
		fprintf(out, "\n");
	}
	if (s->nlat) {
		fprintf(out, "latency_ms p50 %.3f p95 %.3f p99 %.3f max %.3f frames %zu\n",
			(double)tb_recv_stats_percentile(s, 50) / 1e6,
			(double)tb_recv_stats_percentile(s, 95) / 1e6,
			(double)tb_recv_stats_percentile(s, 99) / 1e6,
			(double)tb_recv_stats_percentile(s, 100) / 1e6, s->nlat);
	} else {
		fprintf(out, "latency_ms unknown (no frame carried the send-time extension)\n");
	}
	if (decoding)
		fprintf(out, "decoder decoded %llu flagged %llu concealed %llu\n",
			(unsigned long long)s->decoded, (unsigned long long)s->decoder_flagged,
			(unsigned long long)s->decoder_concealed);
	if (s->psnr_frames)
		fprintf(out, "psnr_db mean %.2f min %.2f frames %llu\n", s->psnr_sum / (double)s->psnr_frames,
			s->psnr_min, (unsigned long long)s->psnr_frames);
	if (cap)
		fprintf(out, "capture frames %llu rtp_port %llu other_port %llu not_udp %llu fragments %llu truncated %llu kernel_drops %llu\n",
			(unsigned long long)cap->frames, (unsigned long long)cap->by_result[TB_CAP_UDP],
			(unsigned long long)cap->by_result[TB_CAP_OTHER_PORT],
			(unsigned long long)cap->by_result[TB_CAP_NOT_UDP],
			(unsigned long long)cap->by_result[TB_CAP_FRAGMENT],
			(unsigned long long)cap->by_result[TB_CAP_TRUNCATED],
			(unsigned long long)cap->kernel_drops);
}

void tb_recv_format_status(char *buf, size_t len, double elapsed_s, const struct tb_recv_counters *c,
			   struct tb_recv_stats *s)
{
	uint64_t lost = c->expected > c->received ? c->expected - c->received : 0;
	int64_t last = s->nlat ? s->lat[s->nlat - 1] : -1;
	char lat[32] = "?";
	if (last >= 0)
		snprintf(lat, sizeof lat, "%.1f ms", (double)last / 1e6);
	snprintf(buf, len, "%6.1fs frames %llu complete %llu decodable %llu | pkts %llu lost %llu (%.2f%%) dup %llu late %llu bad %llu | latency %s",
		 elapsed_s, (unsigned long long)c->frames, (unsigned long long)c->frames_complete,
		 (unsigned long long)s->frames_decodable, (unsigned long long)c->received,
		 (unsigned long long)lost, pct(lost, c->expected), (unsigned long long)c->duplicates,
		 (unsigned long long)c->late, (unsigned long long)c->malformed, lat);
}
