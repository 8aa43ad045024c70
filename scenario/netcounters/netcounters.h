/* tb-netcounters: every drop counter of a scenario's three network
 * namespaces in one process, as the key=value lines tb_scenario_counters
 * (scenario/counters.sh) prints. Under QEMU TCG every exec costs 0.3-0.5 s;
 * the shell version starts about twenty processes (ip netns exec and sh per
 * namespace, tc and awk per qdisc, sed, grep, awk, date, sort). */
#ifndef TB_NETCOUNTERS_H
#define TB_NETCOUNTERS_H

#include <stdint.h>

/* --- command line (nc_opts.c) --- */
struct nc_opts {
	const char *robot_ns, *wan_ns, *operator_ns;   /* names under /run/netns */
	const char *robot_tun, *robot_veth;             /* devices in robot_ns */
	const char *operator_tun;                       /* in operator_ns */
	const char *wan_up, *wan_down;                  /* in wan_ns */
	const char *robot_status, *operator_status;     /* OpenVPN --status files, optional */
	long long vpn_port;                             /* 0: no socket drops line */
};

void nc_parse_opts(int argc, char **argv, struct nc_opts *o);

/* --- network namespaces and rtnetlink (nc_netlink.c) --- */

/* Enter the named network namespace (/run/netns/NAME, where 'ip netns add'
 * puts it) in this single-threaded process; dies with a clear message. */
void nc_enter_netns(const char *name);

/* A device's counters (IFLA_STATS64, the same dev_get_stats() numbers sysfs
 * shows), read in the current network namespace. */
struct nc_link {
	int present;   /* 0: no such device (every counter prints as -1) */
	int ifindex;
	uint64_t rx_packets, tx_packets, tx_bytes, rx_dropped, tx_dropped;
};

/* The root qdisc's counters as `tc -s qdisc show dev DEV` prints them on
 * its "Sent ..." and "backlog ..." lines. */
struct nc_qdisc {
	int present;   /* 0: no root qdisc with statistics (kind=none) */
	char kind[32];
	uint64_t sent_bytes, sent_pkts;
	uint32_t dropped, overlimits, requeues;
	uint32_t backlog_pkts;   /* gnet_stats_queue.qlen: packets queued in the qdisc now */
};

/* An rtnetlink socket of the current network namespace (a socket belongs
 * to the namespace it was created in). Dies on failure. */
int nc_rtnl_open(void);
/* Dies on netlink errors other than "no such device". */
void nc_link_read(int sock, const char *dev, struct nc_link *l);
void nc_root_qdisc_read(int sock, int ifindex, struct nc_qdisc *q);

/* --- /proc/self/net (nc_proc.c; /proc/self/net follows the reading
 * thread's network namespace, unlike /sys/class/net) --- */

/* Sum of the drops column of the UDP (v4 and v6) sockets bound to local
 * port `port` in the current namespace. */
uint64_t nc_udp_port_drops(long long port);

/* --- output (nc_lines.c): collected, then printed sorted as LC_ALL=C sort --- */
void nc_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* key=value for a device counter; -1 when the device is missing. */
void nc_line_counter(const char *key, const struct nc_link *l, uint64_t value);
void nc_lines_qdisc(const char *prefix, const struct nc_qdisc *q);
/* Print every line in byte order; dies when stdout fails. */
void nc_lines_flush(void);

/* --- OpenVPN's --status file (nc_status.c) --- */

/* Its byte counters as PREFIX.name=value lines; nothing when the file
 * cannot be read (no OpenVPN, e.g. wireguard-go). */
void nc_lines_ovpn_status(const char *path, const char *prefix);

#endif
