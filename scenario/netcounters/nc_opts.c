/* tb-netcounters' command line. The namespace and device names come from
 * scenario/scenario-lib.sh through counters.sh: none is built in here. */
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netcounters.h"
#include "tb/err.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tb-netcounters --robot NS --wan NS --operator NS --robot-tun DEV --robot-veth DEV\n"
		"                      --operator-tun DEV --wan-up DEV --wan-down DEV\n"
		"                      [--robot-status FILE] [--operator-status FILE] [--vpn-port PORT]\n"
		"Prints the drop counters of a scenario's three network namespaces (scenario/counters.sh)\n"
		"as key=value lines in byte order, the same lines tb_scenario_counters prints. Needs root.\n"
		"  --robot NS, --wan NS, --operator NS   network namespaces (/run/netns/NS)\n"
		"  --robot-tun DEV       the robot's TUN: ring.* and the root qdisc (qdisc.*)\n"
		"  --robot-veth DEV      the robot's veth into the wan namespace: robot.veth_*\n"
		"  --operator-tun DEV    the operator's TUN: vpn.operator_tun_*\n"
		"  --wan-up DEV          wan veth towards the operator: wan.up.*\n"
		"  --wan-down DEV        wan veth towards the robot: wan.down.*, wan.from_robot_rx_dropped\n"
		"  --robot-status FILE, --operator-status FILE\n"
		"                        OpenVPN --status files: vpn.robot.*, vpn.operator.* (skipped if unreadable)\n"
		"  --vpn-port PORT       also vpn.operator_socket_drops: drops of the operator's UDP\n"
		"                        sockets bound to PORT (/proc/net/udp, udp6)\n"
		"A missing device's counters print as -1 and its qdisc as kind=none; a missing\n"
		"namespace is an error (exit 1). Usage errors exit 2.\n");
}

enum {
	O_ROBOT = 1, O_WAN, O_OPERATOR, O_ROBOT_TUN, O_ROBOT_VETH, O_OPERATOR_TUN, O_WAN_UP, O_WAN_DOWN,
	O_ROBOT_STATUS, O_OPERATOR_STATUS, O_VPN_PORT, O_HELP
};

static const struct option long_opts[] = {
	{"robot", required_argument, 0, O_ROBOT},
	{"wan", required_argument, 0, O_WAN},
	{"operator", required_argument, 0, O_OPERATOR},
	{"robot-tun", required_argument, 0, O_ROBOT_TUN},
	{"robot-veth", required_argument, 0, O_ROBOT_VETH},
	{"operator-tun", required_argument, 0, O_OPERATOR_TUN},
	{"wan-up", required_argument, 0, O_WAN_UP},
	{"wan-down", required_argument, 0, O_WAN_DOWN},
	{"robot-status", required_argument, 0, O_ROBOT_STATUS},
	{"operator-status", required_argument, 0, O_OPERATOR_STATUS},
	{"vpn-port", required_argument, 0, O_VPN_PORT},
	{"help", no_argument, 0, O_HELP},
	{0, 0, 0, 0},
};

static const char *ns_name(const char *opt, const char *v)
{
	/* a file name under /run/netns: no path tricks */
	if (!*v || strlen(v) > 200 || strchr(v, '/') || !strcmp(v, ".") || !strcmp(v, ".."))
		tb_usage_die("--%s: '%s' is not a network namespace name", opt, v);
	return v;
}

static const char *dev_name(const char *opt, const char *v)
{
	if (!*v || strlen(v) >= IFNAMSIZ || strpbrk(v, "/ \t\n"))
		tb_usage_die("--%s: '%s' is not a network device name", opt, v);
	return v;
}

static void required(const char *opt, const char *v, const char *example)
{
	if (!v)
		tb_usage_die("--%s is missing (e.g. --%s %s)", opt, opt, example);
}

void nc_parse_opts(int argc, char **argv, struct nc_opts *o)
{
	*o = (struct nc_opts){0};
	int c;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case O_ROBOT: o->robot_ns = ns_name("robot", optarg); break;
		case O_WAN: o->wan_ns = ns_name("wan", optarg); break;
		case O_OPERATOR: o->operator_ns = ns_name("operator", optarg); break;
		case O_ROBOT_TUN: o->robot_tun = dev_name("robot-tun", optarg); break;
		case O_ROBOT_VETH: o->robot_veth = dev_name("robot-veth", optarg); break;
		case O_OPERATOR_TUN: o->operator_tun = dev_name("operator-tun", optarg); break;
		case O_WAN_UP: o->wan_up = dev_name("wan-up", optarg); break;
		case O_WAN_DOWN: o->wan_down = dev_name("wan-down", optarg); break;
		case O_ROBOT_STATUS: o->robot_status = optarg; break;
		case O_OPERATOR_STATUS: o->operator_status = optarg; break;
		case O_VPN_PORT:
			if (tb_parse_i64(optarg, 1, 65535, &o->vpn_port))
				tb_usage_die("--vpn-port: expected a UDP port 1..65535, got '%s'", optarg);
			break;
		case O_HELP: usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		tb_usage_die("unexpected argument '%s'", argv[optind]);
	required("robot", o->robot_ns, "tb-robot");
	required("wan", o->wan_ns, "tb-wan");
	required("operator", o->operator_ns, "tb-operator");
	required("robot-tun", o->robot_tun, "tbtun0");
	required("robot-veth", o->robot_veth, "veth-wan");
	required("operator-tun", o->operator_tun, "tbtun1");
	required("wan-up", o->wan_up, "veth-op");
	required("wan-down", o->wan_down, "veth-rb");
}
