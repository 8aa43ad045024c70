/* tb-watch's command line. */
#include <getopt.h>
#include <stdint.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb/err.h"
#include "watch.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tb-watch --dev DEV --db FILE [--hz N] [--duration SEC] [--qdisc-dev DEV] [--run-id N]\n"
		"Samples a TUN device's queue into a results store until SIGINT/SIGTERM (or --duration):\n"
		"per interval the ring's drops (tx_dropped), the root qdisc's drops, its backlog\n"
		"(bytes, packets), the bytes read from the ring, UDP send-buffer errors (this\n"
		"network namespace's /proc/net/snmp) and the ring size (txqueuelen) when it changes.\n"
		"  --dev DEV          the TUN (or any device) whose ring is watched\n"
		"  --db FILE          results store (created if missing); one runs row, kind 'watch'\n"
		"  --hz N             samples per second, 1..100 (default 10)\n"
		"  --duration SEC     stop after SEC seconds (default: run until a signal)\n"
		"  --qdisc-dev DEV    read the root qdisc of DEV instead of --dev's\n"
		"  --run-id N         add the samples to this existing run instead of creating one\n"
		"  --quiet            no summary line\n"
		"Prints one summary line (key=value) at the end.\n");
}

enum { O_DEV = 1, O_DB, O_HZ, O_DURATION, O_QDISC_DEV, O_RUN_ID, O_QUIET, O_HELP };

static void dev_name(const char *opt, const char *v)
{
	if (!*v || strlen(v) >= IFNAMSIZ || strpbrk(v, "/ \t\n"))
		tb_usage_die("--%s: '%s' is not a network device name", opt, v);
}

void watch_parse_opts(int argc, char **argv, struct watch_opts *o)
{
	static const struct option opts[] = {
		{"dev", required_argument, 0, O_DEV},		{"db", required_argument, 0, O_DB},
		{"hz", required_argument, 0, O_HZ},		{"duration", required_argument, 0, O_DURATION},
		{"qdisc-dev", required_argument, 0, O_QDISC_DEV}, {"run-id", required_argument, 0, O_RUN_ID},
		{"quiet", no_argument, 0, O_QUIET},		{"help", no_argument, 0, O_HELP},
		{0, 0, 0, 0},
	};
	*o = (struct watch_opts){.hz = 10};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_DEV: dev_name("dev", optarg); o->dev = optarg; break;
		case O_QDISC_DEV: dev_name("qdisc-dev", optarg); o->qdisc_dev = optarg; break;
		case O_DB: o->db = optarg; break;
		case O_HZ:
			if (tb_parse_i64(optarg, 1, 100, &o->hz))
				tb_usage_die("--hz: expected 1..100 samples per second, got '%s'", optarg);
			break;
		case O_DURATION:
			if (tb_parse_double(optarg, 0.001, 1e7, &o->duration_s))
				tb_usage_die("--duration: expected seconds (0.001..1e7), got '%s'", optarg);
			break;
		case O_RUN_ID:
			if (tb_parse_i64(optarg, 1, INT64_MAX, &o->run_id))
				tb_usage_die("--run-id: expected a run id (a positive integer), got '%s'", optarg);
			break;
		case O_QUIET: o->quiet = 1; break;
		case O_HELP: usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		tb_usage_die("unexpected argument '%s'", argv[optind]);
	if (!o->dev)
		tb_usage_die("--dev: which device? (e.g. --dev tun0)");
	if (!o->db)
		tb_usage_die("--db: which results store? (e.g. --db robot.db)");
	if (!o->qdisc_dev)
		o->qdisc_dev = o->dev;
}
