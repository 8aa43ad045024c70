/* The TUN's root qdisc: replace it with tc, and read its kind, limit and
 * counters over rtnetlink (RTM_GETQDISC, TCA_STATS2/TCA_STATS_QUEUE). */
#ifndef TB_QDISC_H
#define TB_QDISC_H

struct qdisc_info {
	char kind[32];        /* "" when the device has no root qdisc entry */
	long long limit;      /* packets; -1 when the kind has no packet limit we know */
	long long drops;
	long long backlog_packets;
	long long backlog_bytes;
	long long requeues;
	long long overlimits;
};

/* Replace the root qdisc with WORDS (a tc spec). The common specs (noqueue,
 * pfifo_fast, pfifo [limit N], fq_codel) go straight over rtnetlink: in a
 * TCG guest each exec of tc costs seconds. Anything else runs
 * `tc qdisc replace dev DEV root WORDS...` (tc from PATH). Returns 0, or -1
 * with err naming the spec and the reason. */
int qdisc_replace(const char *dev, int ifindex, char **words, int nwords, char *err,
		  unsigned errlen);

/* Read the root qdisc of ifindex. pfifo_fast's limit is the device's
 * txqueuelen, which the caller fills in. Returns 0 or -1 with err. */
int qdisc_read(int ifindex, struct qdisc_info *q, char *err, unsigned errlen);

#endif
