/* Run-level statistics of tb-recv: latency percentiles, decoder agreement,
 * and the summary / status lines it prints. */
#ifndef TB_RECV_SUMMARY_H
#define TB_RECV_SUMMARY_H

#include "capture.h"
#include "reasm.h"

#include <stdint.h>
#include <stdio.h>

struct tb_recv_stats {
	int64_t *lat;             /* per-frame latencies (ns), frames with the extension */
	size_t nlat, lat_cap;
	uint64_t frames_decodable;   /* final verdict (chain rule and decoder) */
	uint64_t decoded, decoder_flagged, decoder_concealed;
	uint64_t frames_no_ext;
	double psnr_sum, psnr_min;   /* over frames with a PSNR */
	uint64_t psnr_frames;
};

void tb_recv_stats_add_latency(struct tb_recv_stats *s, int64_t ns);
/* p in [0,100]; nearest-rank percentile of the latencies; -1 when none. */
int64_t tb_recv_stats_percentile(struct tb_recv_stats *s, double p);
void tb_recv_stats_free(struct tb_recv_stats *s);

/* The end-of-run summary (stable "key value" lines, see tb-recv --help). */
void tb_recv_print_summary(FILE *out, const struct tb_recv_counters *c, struct tb_recv_stats *s,
			   const struct tb_cap_stats *cap, int decoding);

/* One status line without newline. */
void tb_recv_format_status(char *buf, size_t len, double elapsed_s, const struct tb_recv_counters *c,
			   struct tb_recv_stats *s);

#endif
