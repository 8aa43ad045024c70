#include "flood_counters.h"

#include "snmp.h"
#include "tun_dev.h"

#include "tb/err.h"

#include <string.h>

int flood_read_counters(int ifindex, struct flood_counters *c, char *err, unsigned errlen)
{
	memset(c, 0, sizeof *c);
	struct link_stats ls;
	if (tun_read_link(ifindex, &ls, err, errlen))
		return -1;
	c->tx_dropped = ls.tx_dropped;
	c->tx_packets = ls.tx_packets;
	c->txqueuelen = ls.txqueuelen;
	if (qdisc_read(ifindex, &c->q, err, errlen))
		return -1;
	char snmp[16384];
	if (snmp_read_file("/proc/net/snmp", snmp, sizeof snmp) ||
	    snmp_lookup(snmp, "Udp", "SndbufErrors", &c->sndbuf_errors) ||
	    snmp_lookup(snmp, "Udp", "OutDatagrams", &c->out_datagrams) ||
	    snmp_lookup(snmp, "Udp", "InErrors", &c->in_errors) ||
	    snmp_lookup(snmp, "Ip", "OutDiscards", &c->ip_out_discards)) {
		tb_errbuf(err, errlen, "cannot read Udp/Ip counters from /proc/net/snmp");
		return -1;
	}
	return 0;
}
