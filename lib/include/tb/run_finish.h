/* Storing a finished run: what the run driver collected, from named files,
 * into the results store under one runs row, then the validity rule
 * (tb/validity.h), ended_ns and status 'done'. All of it is one transaction:
 * on any error nothing is written. */
#ifndef TB_RUN_FINISH_H
#define TB_RUN_FINISH_H

#include "tb/host_cpu.h"
#include "tb/store.h"

#include <stddef.h>

/* At most this many receiver summaries (one tb-recv per camera). */
#define TB_FINISH_MAX_RECEIVERS 64

/* Each input is optional (NULL, or none); before and after go together. */
struct tb_finish_inputs {
	const char *before, *after; /* counter snapshots: lines place.name=value */
	const char *samples;        /* lines t_ns name value [unit] */
	/* tb-recv's summaries (their stdout), one per receiver of the run (one
	 * per camera): counters(place 'receiver') hold their sums */
	const char *receivers[TB_FINISH_MAX_RECEIVERS];
	int nreceivers;
	const char *iperf;          /* iperf3 --json output */
	const char *images;         /* a directory of frame-sSTREAM-FRAME.png */
	int has_window;             /* the traffic window (CLOCK_REALTIME ns), stored in */
	long long window_start_ns;  /* runs.traffic_start_ns / traffic_end_ns before */
	long long window_end_ns;    /* the rule reads it */
	int has_taint;              /* the kernel's taint mask (/proc/sys/kernel/tainted) */
	long long taint_before;     /* before and after the traffic: runs.kernel_taint_*, */
	long long taint_after;      /* read by the rule too */
	int has_host_cpu;           /* the host's CPU when the traffic started and ended: */
	struct tb_host_cpu host_cpu_before, host_cpu_after; /* runs.host_*_pct, judged */
};

/* Returns 0, or -1 with err set (naming FILE:LINE where a line is at fault;
 * a window that ends before it starts is refused). */
int tb_run_finish(tb_store *st, long long run_id, const struct tb_finish_inputs *in, char *err,
		  size_t errlen);

#endif
