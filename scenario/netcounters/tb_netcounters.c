/* tb-netcounters: the drop counters of a scenario's three network
 * namespaces in one process (see netcounters.h). scenario/counters.sh's
 * shell version is the reference: the same keys, the same values. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "netcounters.h"
#include "snmp.h"
#include "tb/err.h"

struct snmp_key {
	const char *field, *key;
};

/* Udp fields of the current namespace's /proc/net/snmp as key=value. A field
 * this kernel does not have is left out, as in the shell version. */
static void snmp_udp_lines(const struct snmp_key *map, size_t n)
{
	static char text[16384];
	if (snmp_read_file("/proc/self/net/snmp", text, sizeof text))
		tb_die_errno("cannot read /proc/self/net/snmp");
	for (size_t i = 0; i < n; i++) {
		long long v;
		if (!snmp_lookup(text, "Udp", map[i].field, &v))
			nc_line("%s=%lld", map[i].key, v);
	}
}

/* The root qdisc's lines; kind=none when the device is missing. */
static void qdisc_lines(int sock, const struct nc_link *l, const char *prefix)
{
	struct nc_qdisc q = {0};
	if (l->present)
		nc_root_qdisc_read(sock, l->ifindex, &q);
	nc_lines_qdisc(prefix, &q);
}

static void robot_lines(const struct nc_opts *o)
{
	static const struct snmp_key udp[] = {
		{"SndbufErrors", "socket.udp_sndbuf_errors"},
		{"OutDatagrams", "socket.udp_out_datagrams"},
	};
	nc_enter_netns(o->robot_ns);
	int s = nc_rtnl_open();
	struct nc_link tun, veth;
	nc_link_read(s, o->robot_tun, &tun);
	nc_link_read(s, o->robot_veth, &veth);
	nc_line_counter("ring.tx_packets", &tun, tun.tx_packets);
	nc_line_counter("ring.tx_bytes", &tun, tun.tx_bytes);
	nc_line_counter("ring.tx_dropped", &tun, tun.tx_dropped);
	nc_line_counter("robot.veth_tx_packets", &veth, veth.tx_packets);
	nc_line_counter("robot.veth_tx_dropped", &veth, veth.tx_dropped);
	qdisc_lines(s, &tun, "qdisc");
	snmp_udp_lines(udp, sizeof udp / sizeof udp[0]);
	close(s);
}

static void operator_lines(const struct nc_opts *o)
{
	static const struct snmp_key udp[] = {
		{"RcvbufErrors", "recv.udp_rcvbuf_errors"},
		{"InErrors", "recv.udp_in_errors"},
		{"InDatagrams", "recv.udp_in_datagrams"},
		{"NoPorts", "recv.udp_no_ports"},
	};
	nc_enter_netns(o->operator_ns);
	int s = nc_rtnl_open();
	struct nc_link tun;
	nc_link_read(s, o->operator_tun, &tun);
	nc_line_counter("vpn.operator_tun_rx_packets", &tun, tun.rx_packets);
	nc_line_counter("vpn.operator_tun_rx_dropped", &tun, tun.rx_dropped);
	snmp_udp_lines(udp, sizeof udp / sizeof udp[0]);
	if (o->vpn_port)
		nc_line("vpn.operator_socket_drops=%" PRIu64, nc_udp_port_drops(o->vpn_port));
	close(s);
}

static void wan_lines(const struct nc_opts *o)
{
	nc_enter_netns(o->wan_ns);
	int s = nc_rtnl_open();
	struct nc_link up, down;
	nc_link_read(s, o->wan_up, &up);
	nc_link_read(s, o->wan_down, &down);
	nc_line_counter("wan.up.veth_tx_packets", &up, up.tx_packets);
	nc_line_counter("wan.up.veth_tx_dropped", &up, up.tx_dropped);
	nc_line_counter("wan.down.veth_tx_packets", &down, down.tx_packets);
	nc_line_counter("wan.down.veth_tx_dropped", &down, down.tx_dropped);
	/* the robot's datagrams arrive on the down veth (the hop into wan) */
	nc_line_counter("wan.from_robot_rx_dropped", &down, down.rx_dropped);
	qdisc_lines(s, &up, "wan.up");
	qdisc_lines(s, &down, "wan.down");
	close(s);
}

int main(int argc, char **argv)
{
	tb_set_progname(argv[0]);
	struct nc_opts o;
	nc_parse_opts(argc, argv, &o);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	nc_line("time.real_ns=%lld%09ld", (long long)now.tv_sec, now.tv_nsec);
	robot_lines(&o);
	operator_lines(&o);
	wan_lines(&o);
	nc_lines_ovpn_status(o.robot_status, "vpn.robot");
	nc_lines_ovpn_status(o.operator_status, "vpn.operator");
	nc_lines_flush();
	return 0;
}
