/* WAN profiles: one file per named profile (netem-profiles/NAME.profile), in a
 * format people read and comment:
 *
 *   # LTE uplink, moderate load
 *   description = LTE, robot uploading video
 *   source      = 3GPP TS 23.203 Table 6.1.7 (QCI 2: PELR 1e-3)
 *   source      = assumption: buffer of 200 packets
 *   bottleneck  = link          # link: the emulated rate limits; vpn: no rate
 *
 *   [up]                        # robot -> operator
 *   delay = 20ms
 *   jitter = 5ms
 *   distribution = normal
 *   loss = 0.1%
 *   rate = 5mbit
 *   limit = 200                 # bottleneck buffer, packets
 *
 *   [down]                      # operator -> robot
 *   ...
 *
 * Top-level keys: description, source (may repeat, at least one),
 * bottleneck. Per direction: delay, jitter, jitter_correlation, distribution,
 * loss (a percentage, or "gemodel" with ge_p, ge_r, ge_bad_loss,
 * ge_good_loss), rate, limit, reorder, reorder_correlation. Every value
 * carries its unit; an empty direction means "no impairment". */
#ifndef TB_PROFILE_H
#define TB_PROFILE_H

#include <stdio.h>
#include <stddef.h>

enum { PROFILE_MAX_SOURCES = 4, PROFILE_TEXT_LEN = 512, PROFILE_NAME_LEN = 64 };

enum profile_dir_id { PROFILE_UP, PROFILE_DOWN };
enum profile_bottleneck { BOTTLENECK_LINK, BOTTLENECK_VPN };
enum profile_dist { DIST_UNIFORM, DIST_NORMAL, DIST_PARETO, DIST_PARETONORMAL };
enum profile_loss { LOSS_NONE, LOSS_RANDOM, LOSS_GEMODEL };

/* Assumed size of a packet on the WAN when sizing netem's queue: a full-size
 * OpenVPN datagram on a 1500-byte MTU link. */
enum { PROFILE_WAN_PACKET_BYTES = 1500 };

/* The arrival rate netem's delay line is sized for when a direction has no
 * rate limit (the VPN is the bottleneck): 1 Gbit/s is above anything a
 * single OpenVPN process pushes. */
#define PROFILE_UNLIMITED_SIZING_BPS 1000000000LL

struct profile_direction {
	long long delay_us, jitter_us;
	double jitter_corr_pct;
	enum profile_dist dist;
	int dist_set;
	enum profile_loss loss;
	double loss_pct;                           /* LOSS_RANDOM */
	double ge_p, ge_r, ge_bad_loss, ge_good_loss; /* LOSS_GEMODEL, percent */
	long long rate_bps;                        /* 0 = no rate limit */
	long long limit_pkts;                      /* bottleneck buffer; 0 = default */
	double reorder_pct, reorder_corr_pct;
	int keys_set;                              /* how many keys the section set */
};

struct profile {
	char name[PROFILE_NAME_LEN];
	char description[PROFILE_TEXT_LEN];
	char sources[PROFILE_MAX_SOURCES][PROFILE_TEXT_LEN];
	int n_sources;
	enum profile_bottleneck bottleneck;
	struct profile_direction dir[2];
};

/* Parse a profile's text; `filename` names it in messages and gives the
 * profile its name (basename without ".profile"). Returns 0, or -1 with
 * "FILE:LINE: reason" (or "FILE: reason") in err. */
int profile_parse(const char *text, const char *filename, struct profile *out, char *err,
		  size_t errlen);
int profile_load(const char *path, struct profile *out, char *err, size_t errlen);

/* Does this direction need a netem qdisc at all? */
int profile_dir_active(const struct profile_direction *d);

/* The netem `limit` (packets) for a direction: the bottleneck buffer plus
 * the packets on the emulated delay line (see README.md). */
long long profile_netem_limit(const struct profile_direction *d);

/* netem's options for a direction ("limit N delay 20ms ... rate 5mbit"),
 * empty for a direction without impairment. Returns 0, or -1 if buf is too
 * small. */
int profile_netem_args(const struct profile_direction *d, char *buf, size_t len);

/* The tc arguments that apply a direction to a device, one line without the
 * leading "tc": "qdisc replace dev DEV root handle 1: netem ...". Writes an
 * empty string for a direction without impairment. Returns 0, or -1 if buf
 * is too small. */
int profile_tc_line(const struct profile *p, enum profile_dir_id dir, const char *dev, char *buf,
		    size_t len);

/* Human-readable summary and JSON of the parsed values (the JSON also holds
 * the netem arguments of each direction, for the results store). */
void profile_print_summary(FILE *f, const struct profile *p);
void profile_print_json(FILE *f, const struct profile *p);

const char *profile_dir_name(enum profile_dir_id d);
const char *profile_dist_name(enum profile_dist d);

#endif
