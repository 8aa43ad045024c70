/* Sweep files: a declarative experiment matrix, in a format people can read
 * and comment. Example:
 *
 *   # stock vs the paper's patch, two ring sizes, one short profile
 *   [sweep]
 *   name        = ci-quick
 *   repetitions = 2
 *   duration    = 8s
 *
 *   [matrix]
 *   kernel  = stock, nodrop-v2
 *   ring    = 25, 500
 *   qdisc   = pfifo limit 25000
 *   profile = lan
 *   traffic = video
 *
 * Every [matrix] key is an axis; a matrix is the cartesian product of its
 * axes. A file may hold several [matrix] sections: the sweep is their union
 * (a point in two of them runs once), times the repetitions, so one file can
 * gather what several figures need and boot each kernel only once. Axes left
 * out take the defaults below. Values are checked here (ranges, qdisc
 * syntax, known names), so a bad file stops before any guest boots. */
#ifndef TB_SWEEP_H
#define TB_SWEEP_H

#include <stddef.h>
#include <stdio.h>

/* A file holds at most SWEEP_MAX_SECTIONS [matrix] sections; a section
 * with rings in units of the BDP becomes one matrix per VPN and profile
 * (sweep_bdp.c), hence more matrices than sections. */
enum {
	SWEEP_MAX_VALUES = 64,
	SWEEP_VALUE_LEN = 128,
	SWEEP_NAME_LEN = 64,
	SWEEP_MAX_SECTIONS = 16,
	SWEEP_MAX_MATRICES = 64
};
/* cameras: at most this many tb-send streams in one run (each with its own
 * port, video_port + camera, and SSRC; experiments/run-point.sh). */
enum { SWEEP_MAX_CAMERAS = 8 };

enum sweep_axis {
	AXIS_KERNEL,
	AXIS_RING,
	AXIS_QDISC,
	AXIS_PROFILE,
	AXIS_TRAFFIC,
	AXIS_CLIP,
	AXIS_SNDBUF,
	AXIS_PACE,
	/* Added later: a point key names them only when they differ from their
	 * default, so the keys of older campaigns stay valid for resuming. */
	AXIS_VPN,
	AXIS_DECODE,
	AXIS_DUMP_FRAMES,
	AXIS_CPU_LIMIT,
	AXIS_TCP_OMIT,
	AXIS_FLAG,
	AXIS_CAMERAS, /* tb-send streams with their keyframes aligned (a robot's cameras) */
	AXIS_COUNT
};

struct sweep_axis_values {
	int count;
	char values[SWEEP_MAX_VALUES][SWEEP_VALUE_LEN];
	int line; /* where it was set, for messages; 0 = default */
};

struct sweep_matrix {
	struct sweep_axis_values axis[AXIS_COUNT];
	int line; /* of its [matrix] header */
};

struct sweep {
	char name[SWEEP_NAME_LEN];
	int repetitions;
	int duration_s;
	long long seed;
	/* 1: boots alternate the kernels repetition by repetition (stock, patched,
	 * stock, ...), so slow drift of the host hits both alike; 0: one boot per
	 * kernel (the default, fewer boots) */
	int interleaved;
	int nmatrix;
	struct sweep_matrix matrix[SWEEP_MAX_MATRICES];
	/* "ring 0.27bdp: openvpn at lab-rtt-120 -> 59 packets (BDP 217.5)", one
	 * line per resolved value (sweep_bdp.c), for tb-sweep check to print */
	char bdp_notes[4096];
};

/* One run of the sweep: a value index per axis of one matrix. */
struct sweep_point {
	int matrix;
	int idx[AXIS_COUNT];
	int rep; /* 1-based */
};

/* A bandwidth-delay product in packets of 1500 B: the VPN's calibrated
 * capacity times the profile's RTT (the runner works it out, sweep.sh). */
struct sweep_bdp {
	char vpn[SWEEP_NAME_LEN];
	char profile[SWEEP_NAME_LEN];
	double packets;
};

/* This machine's capacity of a VPN over the paper's lab capacity of it (its
 * fastest point in datasets/published/tcp_vs_rtt_lab.csv): the scale of a
 * ring written "500lab", the paper's lab ring at every RTT (sweep.sh). */
struct sweep_lab_scale {
	char vpn[SWEEP_NAME_LEN];
	double ratio;
};

/* Names checked against what exists: NULL lists skip the check. */
struct sweep_known {
	const char *const *kernels;   /* NULL-terminated */
	const char *const *profiles;
	const char *const *clips;
	/* Rings given as fractions of the BDP ("ring = 0.27bdp") are resolved
	 * to packets with this table; one missing for a point's VPN and profile
	 * is an error, unless bdp_unresolved_ok (only the name is wanted). */
	const struct sweep_bdp *bdp;
	int nbdp;
	/* Rings in the paper's lab packets ("ring = 500lab"): per VPN. */
	const struct sweep_lab_scale *lab;
	int nlab;
	int bdp_unresolved_ok; /* covers lab rings as well */
};

/* An axis by its name (the name it has in sweep files, point files, the
 * runs table and ./testbed run's options); -1 if there is none. */
int sweep_axis_by_name(const char *name);

/* Check one value of one axis, as a sweep file's value is checked. Returns 0,
 * or -1 with the reason in why. */
int sweep_check_value(enum sweep_axis a, const char *v, const struct sweep_known *known, char *why,
		      size_t whylen);

/* Parse a sweep file's text. Returns 0, or -1 with "FILE:LINE: reason" in err. */
int sweep_parse(const char *text, const char *filename, const struct sweep_known *known,
		struct sweep *out, char *err, size_t errlen);
int sweep_parse_file(const char *path, const struct sweep_known *known, struct sweep *out,
		     char *err, size_t errlen);

/* Runs before removing points that two matrices share: the sum over the
 * matrices of the product of their axis sizes, times repetitions. */
long long sweep_point_count(const struct sweep *s);

/* The i-th point (0 <= i < count): matrix by matrix, kernel-major within
 * one, then repetition, then the other axes. */
void sweep_point(const struct sweep *s, long long i, struct sweep_point *pt);

/* The value of an axis at a point. */
const char *sweep_value(const struct sweep *s, const struct sweep_point *pt, enum sweep_axis a);

/* Write a point as a point file: one `key = value` line per setting, each
 * key the name of its column in the runs table, values normalised (sndbuf in
 * bytes, 0 = the system's default; dump_frames comma-separated, empty for
 * none; no clip and no cameras for TCP). */
void sweep_point_write(const struct sweep *s, const struct sweep_point *pt, long long index,
		       FILE *f);

/* A canonical, stable identity for a point: "kernel=stock;ring=25;...;rep=1".
 * Equal keys are the same run; used to skip points two matrices share and
 * finished runs when a sweep is resumed. */
void sweep_point_key(const struct sweep *s, const struct sweep_point *pt, char *buf, size_t len);

/* Rings in units of the bandwidth-delay product (sweep_bdp.c). */
/* 1 if v is "FRACTIONbdp" or "FRACTION bdp" (0 < FRACTION <= 100), with the
 * fraction in *frac; 0 otherwise. */
int sweep_ring_bdp_fraction(const char *v, double *frac);
/* 1 if v is "PACKETSlab" or "PACKETS lab" (1 <= PACKETS <= 100000): the
 * paper's lab ring, scaled by sweep_lab_scale; the packets in *packets. */
int sweep_ring_lab_packets(const char *v, double *packets);
/* Parse "VPN=RATIO" (tb-sweep --lab-scale). Returns 0, or -1 with why. */
int sweep_lab_scale_parse(const char *arg, struct sweep_lab_scale *out, char *why, size_t whylen);
/* Parse "VPN:PROFILE=PACKETS" (tb-sweep --bdp). Returns 0, or -1 with why. */
int sweep_bdp_parse(const char *arg, struct sweep_bdp *out, char *why, size_t whylen);
/* Replace every matrix that has rings in BDP units (or lab packets) by one
 * matrix per VPN and profile of it, its rings in packets: round(fraction *
 * BDP), or round(lab packets * the VPN's lab scale), at least 1; values that
 * meet at one ring count once. Called by sweep_parse. Returns
 * 0, or -1 with "FILE:LINE: reason" in err. */
int sweep_resolve_bdp(struct sweep *s, const struct sweep_known *known, const char *filename,
		      char *err, size_t errlen);

/* Validate a qdisc spec such as "pfifo limit 25000" or "fq_codel target 5ms".
 * Returns 0, or -1 with a reason in err. */
int qdisc_spec_check(const char *spec, char *err, size_t errlen);

/* Shards (sweep_shard.c): a sweep's runs split into N parts of about the
 * same expected time, one per machine. Deterministic: the same file and N
 * give the same split on any machine, whatever is done already. */
/* SWEEP_SHARD_OVERHEAD_S: the per-run setup seconds the split assumes, fixed
 * (not sweep --overhead, which only changes the estimate) so every task
 * computes the same split. */
enum { SWEEP_MAX_SHARDS = 1000, SWEEP_SHARD_OVERHEAD_S = 20 };

/* What stays together in one shard: every repetition of a point (by
 * point; with order = interleaved also every kernel of it, so a shard
 * alternates kernels as the whole sweep would), or nothing (by run). */
enum sweep_shard_by { SWEEP_SHARD_BY_POINT, SWEEP_SHARD_BY_RUN };

struct sweep_shard_run {
	long long index;   /* the run's sweep_point index */
	long long seconds; /* its expected time (sweep_run_seconds) */
	int shard;         /* out: 0-based */
};

/* Parse "K/N" (1 <= K <= N <= SWEEP_MAX_SHARDS). Returns 0, or -1 with why. */
int sweep_shard_parse(const char *spec, int *k, int *n, char *why, size_t whylen);

/* Expected seconds of one run: its duration, iperf3's omitted start for TCP
 * and mixed traffic, and the per-run overhead. */
long long sweep_run_seconds(const struct sweep *s, const struct sweep_point *pt, long long overhead);

/* Assign each of the sweep's unique runs (in sweep order) a shard. The
 * shards' expected times differ by at most the longest group's (a point's
 * repetitions, or one run with SWEEP_SHARD_BY_RUN); in sweep order when that
 * holds, so a kernel's points share few shards (fewer boots). Returns 0, or
 * -1 when out of memory. */
int sweep_shard_plan(const struct sweep *s, struct sweep_shard_run *runs, long long n, int nshards,
		     enum sweep_shard_by by);

#endif
