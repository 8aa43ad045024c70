/* The kernel counters a flood reads before and after: the TUN's link
 * statistics, its root qdisc, and the namespace's UDP/IP SNMP counters. */
#ifndef TB_FLOOD_COUNTERS_H
#define TB_FLOOD_COUNTERS_H

#include "qdisc.h"

struct flood_counters {
	long long tx_dropped, tx_packets, txqueuelen;
	struct qdisc_info q;
	long long sndbuf_errors, out_datagrams, in_errors, ip_out_discards;
};

/* Returns 0, or -1 with err. */
int flood_read_counters(int ifindex, struct flood_counters *c, char *err, unsigned errlen);

#endif
