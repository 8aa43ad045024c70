/* The flood's result as one JSON object (iperf3-like): "start" holds the
 * knobs and the device as configured, "end" the account and the raw
 * counters. Units are in the key names; counts are packets. */
#ifndef TB_FLOOD_REPORT_H
#define TB_FLOOD_REPORT_H

#include "flood_account.h"
#include "flood_counters.h"
#include "flood_opts.h"
#include "flood_threads.h"

#include <stdint.h>
#include <stdio.h>

struct flood_report {
	const struct flood_opts *o;
	const char *dev;
	int64_t wall_start_ns;        /* CLOCK_REALTIME at the start */
	long long sndbuf_bytes;       /* SO_SNDBUF as the kernel set it */
	const struct flood_counters *before, *after;
	const struct flood_sender *sd;
	const struct flood_reader *rd;
	const struct flood_observed *ob;
	const struct flood_account *ac;
	int64_t send_duration_ns, drain_ns, duration_ns;
	int hung;
	const char *hung_reason;
};

void flood_report_json(FILE *f, const struct flood_report *r);

#endif
