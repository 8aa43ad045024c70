/* tb-watch: the robot's TUN queue sampled over time into the results store
 * (samples of one runs row, kind 'watch'). Names of the samples are the
 * testbed's own (experiments/sampler-loop.sh), so a figure or a query reads
 * a field run like a testbed run. */
#ifndef TB_WATCH_H
#define TB_WATCH_H

#include <stdint.h>

#include "tb/store.h"

struct watch_opts {
	const char *dev;        /* the TUN whose ring (txqueuelen) is watched */
	const char *qdisc_dev;  /* whose root qdisc is read (default: dev) */
	const char *db;
	long long hz;           /* samples per second, 1..100 */
	double duration_s;      /* 0: until SIGINT/SIGTERM */
	long long run_id;       /* attach to this run instead of creating one */
	int quiet;
};

void watch_parse_opts(int argc, char **argv, struct watch_opts *o);

/* One reading of every counter; -1 where a counter could not be read. */
struct watch_reading {
	int64_t t_ns;                 /* CLOCK_REALTIME just after the reads */
	int64_t mono_ns;
	long long tx_dropped, tx_packets, tx_bytes, txqueuelen;   /* the device (ring) */
	char qdisc_kind[32];          /* "" when no root qdisc was read */
	long long qdisc_limit;        /* packets, -1 unknown */
	long long qdisc_drops, qdisc_backlog_bytes, qdisc_backlog_pkts;
	long long udp_sndbuf_errors, udp_out_datagrams;           /* this netns's /proc/net/snmp */
};

/* Read everything; the qdisc through rtnetlink. Returns 0 when the device's
 * counters were read (qdisc or snmp fields may still be -1), -1 with err
 * when the device cannot be read (gone). */
int watch_read(const struct watch_opts *o, struct watch_reading *r, char *err, unsigned errlen);

/* 0 when DEV exists here and /sys/class/net shows this network namespace;
 * -1 with err otherwise. */
int watch_check_sysfs(const char *dev, char *err, unsigned errlen);

/* Increase of a counter from prev to cur; a counter that went down was
 * reset (the device made anew), so all of its value is new. */
long long watch_delta(long long prev, long long cur);

/* The store side (watch_db.c). */
struct watch_db;
struct watch_db *watch_db_open(const struct watch_opts *o, const struct watch_reading *first);
long long watch_db_run_id(const struct watch_db *w);
/* The samples of the interval (prev, cur]: rates and levels, as
 * sampler-loop.sh writes them. Handed to the writer thread, which commits
 * them once a second. */
void watch_db_sample(struct watch_db *w, const struct watch_reading *prev, const struct watch_reading *cur);
/* Writes what is pending, then the counters (before = first, after = last),
 * the run's end and status; closes. Returns the number of sample rows
 * written. */
long long watch_db_close(struct watch_db *w, const struct watch_reading *first, const struct watch_reading *last,
			 const char *status);

#endif
