/* One reading of the watched places: the device's counters and ring size
 * from sysfs, the root qdisc over rtnetlink (kernel/tunflood/qdisc.c: cheap
 * enough for 100 Hz, no tc process per sample), UDP counters from the
 * network namespace's /proc/net/snmp (kernel/tunflood/snmp.c). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "qdisc.h"
#include "snmp.h"
#include "tb/clock.h"
#include "tb/err.h"
#include "watch.h"

/* A decimal number from a sysfs file; -1 when it cannot be read. */
static long long read_ll(const char *dev, const char *file)
{
	char path[128];
	snprintf(path, sizeof path, "/sys/class/net/%s/%s", dev, file);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long long v;
	int ok = fscanf(f, "%lld", &v) == 1;
	fclose(f);
	return ok ? v : -1;
}

int watch_check_sysfs(const char *dev, char *err, unsigned errlen)
{
	unsigned ifindex = if_nametoindex(dev);
	if (!ifindex) {
		tb_errbuf(err, errlen, "no network device '%s' in this network namespace", dev);
		return -1;
	}
	/* sysfs shows the namespace that mounted it: under `unshare -n` without
	 * a fresh mount it would show another namespace's device of that name. */
	if (read_ll(dev, "ifindex") != (long long)ifindex) {
		tb_errbuf(err, errlen,
			  "/sys/class/net/%s is not this network namespace's %s (mount sysfs in the namespace, as "
			  "'ip netns exec' does)",
			  dev, dev);
		return -1;
	}
	return 0;
}

int watch_read(const struct watch_opts *o, struct watch_reading *r, char *err, unsigned errlen)
{
	memset(r, 0, sizeof *r);
	r->tx_dropped = read_ll(o->dev, "statistics/tx_dropped");
	r->tx_packets = read_ll(o->dev, "statistics/tx_packets");
	r->tx_bytes = read_ll(o->dev, "statistics/tx_bytes");
	r->txqueuelen = read_ll(o->dev, "tx_queue_len");
	if (r->tx_dropped < 0 || r->tx_packets < 0 || r->tx_bytes < 0 || r->txqueuelen < 0) {
		tb_errbuf(err, errlen, "cannot read the counters of %s (/sys/class/net/%s): %s", o->dev, o->dev,
			  strerror(errno));
		return -1;
	}

	struct qdisc_info q;
	int ifindex = (int)if_nametoindex(o->qdisc_dev);
	char qerr[256];
	if (ifindex && qdisc_read(ifindex, &q, qerr, sizeof qerr) == 0 && q.kind[0]) {
		snprintf(r->qdisc_kind, sizeof r->qdisc_kind, "%s", q.kind);
		r->qdisc_limit = q.limit;
		r->qdisc_drops = q.drops;
		r->qdisc_backlog_bytes = q.backlog_bytes;
		r->qdisc_backlog_pkts = q.backlog_packets;
	} else {
		r->qdisc_limit = r->qdisc_drops = r->qdisc_backlog_bytes = r->qdisc_backlog_pkts = -1;
	}

	static char snmp[16384];
	r->udp_sndbuf_errors = r->udp_out_datagrams = -1;
	if (snmp_read_file("/proc/net/snmp", snmp, sizeof snmp) == 0) {
		if (snmp_lookup(snmp, "Udp", "SndbufErrors", &r->udp_sndbuf_errors))
			r->udp_sndbuf_errors = -1;
		if (snmp_lookup(snmp, "Udp", "OutDatagrams", &r->udp_out_datagrams))
			r->udp_out_datagrams = -1;
	}
	r->t_ns = tb_real_ns();
	r->mono_ns = tb_mono_ns();
	return 0;
}
