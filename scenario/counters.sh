# shellcheck shell=bash
# Drop counters of one run's places, read before and after a run, as
# key=value lines (sorted, one per line) or JSON. Issue #5's accounting:
#
#   sent = received + ring + qdisc + socket + wan + unexplained
#
#   ring    robot tun tx_dropped (the tail-drop of a full ptr_ring)
#   qdisc   the robot tun's root qdisc 'dropped'
#   socket  UdpSndbufErrors in the robot netns (/proc/net/snmp is per netns;
#           it counts tb-send's socket and OpenVPN's outer socket alike)
#   wan     the netem qdiscs' 'dropped' on the wan veths (up: robot->operator);
#           robot.veth_tx_dropped / wan.from_robot_rx_dropped: the veth hop
#           from the robot into the wan namespace (its backlog overflowing)
#   recv    the operator netns's UDP receive errors: RcvbufErrors (a full
#           receive buffer: OpenVPN's outer socket or the receiver's),
#           NoPorts (datagrams that arrived after the receiver closed)
#   vpn     what OpenVPN read from the robot tun (ring.tx_packets) minus what
#           it wrote into the operator tun (vpn.operator_tun_rx_packets); its
#           own byte counters come from its --status file, refreshed every
#           second, so they may lag by up to 1 s.
# Part of scenario-lib.sh (which defines _tb_scenario_ns and the device names).

# _tb_scenario_qdisc_stats NS DEV PREFIX: the root qdisc's Sent/dropped/... as
# PREFIX.name=value lines. A qdisc tree (e.g. netem with a child) is read at
# its root only: parents already count their children's drops.
_tb_scenario_qdisc_stats() {
	local ns=$1 dev=$2 prefix=$3
	tc -n "$ns" -s qdisc show dev "$dev" 2>/dev/null | awk -v p="$prefix" '
		/^qdisc / && !seen { kind = $2; root = ($0 ~ / root /); next }
		root && !seen && /^ *Sent / {
			gsub(/[(),]/, " ")
			for (i = 1; i <= NF; i++) {
				if ($(i+1) == "bytes") sent_bytes = $i
				if ($(i+1) == "pkt") sent_pkts = $i
				if ($i == "dropped") dropped = $(i+1)
				if ($i == "overlimits") overlimits = $(i+1)
				if ($i == "requeues") requeues = $(i+1)
			}
			getline
			for (i = 1; i <= NF; i++) if ($i == "backlog") { b = $(i+2); sub(/p$/, "", b); backlog = b }
			seen = 1
		}
		END {
			if (!seen) { printf "%s.kind=none\n", p; exit }
			printf "%s.kind=%s\n%s.sent_bytes=%d\n%s.sent_pkts=%d\n%s.dropped=%d\n", p, kind, p, sent_bytes, p, sent_pkts, p, dropped
			printf "%s.overlimits=%d\n%s.requeues=%d\n%s.backlog_pkts=%d\n", p, overlimits, p, requeues, p, backlog
		}'
}

# _tb_scenario_ovpn_status FILE PREFIX: OpenVPN's statistics from its status file.
_tb_scenario_ovpn_status() {
	[ -r "$1" ] || return 0
	awk -F, -v p="$2" '
		$1 == "TUN/TAP read bytes" { print p ".tun_read_bytes=" $2 }
		$1 == "TUN/TAP write bytes" { print p ".tun_write_bytes=" $2 }
		$1 == "TCP/UDP read bytes" { print p ".udp_read_bytes=" $2 }
		$1 == "TCP/UDP write bytes" { print p ".udp_write_bytes=" $2 }
		$1 == "Auth read bytes" { print p ".auth_read_bytes=" $2 }' "$1"
}

# _tb_scenario_ns_read NS KEY=DEV/STAT...: KEY=value for device statistics, then
# the netns's /proc/net/snmp as "snmp.Proto.Field=value" lines, all from one
# process in the namespace (under QEMU TCG each exec is expensive, so the
# counters are read with as few processes as possible). -1: not there.
_tb_scenario_ns_read() {
	local ns=$1
	shift
	# shellcheck disable=SC2016 # the script is for the inner shell
	ip netns exec "$ns" sh -c '
		for item in "$@"; do
			key=${item%%=*} path=${item#*=}
			v=-1
			read -r v <"/sys/class/net/${path%%/*}/statistics/${path#*/}" 2>/dev/null || v=-1
			echo "$key=$v"
		done
		while read -r proto names; do
			read -r _ values
			set -- $values
			for n in $names; do echo "snmp.${proto%:}.$n=$1"; shift; done
		done </proc/net/snmp' sh "$@"
}

# _tb_scenario_socket_drops NS PORT: drops of the UDP sockets bound to local
# PORT in NS (the last column of /proc/net/udp{,6}). The operator's Udp
# RcvbufErrors lumps the receiver's socket together with the VPN's outer
# socket; the VPN's socket lives across runs, so its own count separates them.
_tb_scenario_socket_drops() {
	ip netns exec "$1" cat /proc/net/udp /proc/net/udp6 2>/dev/null |
		awk -v port="$(printf ':%04X' "$2")" '$2 ~ port"$" { d += $NF } END { print d + 0 }'
}

# The robot's veth into the wan namespace (scenario-lib.sh names it in 'up').
_TB_SCENARIO_ROBOT_VETH=veth-wan

# _tb_scenario_counters_sh [--vpn-socket-drops]: the shell version of
# tb_scenario_counters, about twenty processes (the reference tb-netcounters is
# tested against, and what runs when it is not built).
_tb_scenario_counters_sh() {
	local robot operator wan raw
	robot=$(_tb_scenario_ns robot) wan=$(_tb_scenario_ns wan) operator=$(_tb_scenario_ns operator)
	local t=$TB_SCENARIO_ROBOT_TUN o=$TB_SCENARIO_OPERATOR_TUN up=$TB_SCENARIO_WAN_UP_DEV down=$TB_SCENARIO_WAN_DOWN_DEV
	local rv=$_TB_SCENARIO_ROBOT_VETH
	raw=$(
		_tb_scenario_ns_read "$robot" ring.tx_packets="$t/tx_packets" ring.tx_bytes="$t/tx_bytes" \
			ring.tx_dropped="$t/tx_dropped" robot.veth_tx_packets="$rv/tx_packets" \
			robot.veth_tx_dropped="$rv/tx_dropped" | sed 's/^snmp\./robot.snmp./'
		_tb_scenario_ns_read "$operator" vpn.operator_tun_rx_packets="$o/rx_packets" \
			vpn.operator_tun_rx_dropped="$o/rx_dropped" | sed 's/^snmp\./operator.snmp./'
		_tb_scenario_ns_read "$wan" wan.up.veth_tx_packets="$up/tx_packets" wan.up.veth_tx_dropped="$up/tx_dropped" \
			wan.down.veth_tx_packets="$down/tx_packets" wan.down.veth_tx_dropped="$down/tx_dropped" \
			wan.from_robot_rx_dropped="$down/rx_dropped" | grep -v '^snmp\.'
	)
	{
		echo "time.real_ns=$(date +%s%N)"
		awk -F= '
			/^robot\.snmp\.Udp\.SndbufErrors=/ { print "socket.udp_sndbuf_errors=" $2; next }
			/^robot\.snmp\.Udp\.OutDatagrams=/ { print "socket.udp_out_datagrams=" $2; next }
			/^operator\.snmp\.Udp\.RcvbufErrors=/ { print "recv.udp_rcvbuf_errors=" $2; next }
			/^operator\.snmp\.Udp\.InErrors=/ { print "recv.udp_in_errors=" $2; next }
			/^operator\.snmp\.Udp\.InDatagrams=/ { print "recv.udp_in_datagrams=" $2; next }
			/^operator\.snmp\.Udp\.NoPorts=/ { print "recv.udp_no_ports=" $2; next }
			/snmp\./ { next }
			{ print }' <<<"$raw"
		_tb_scenario_qdisc_stats "$robot" "$TB_SCENARIO_ROBOT_TUN" qdisc
		_tb_scenario_qdisc_stats "$wan" "$TB_SCENARIO_WAN_UP_DEV" wan.up
		_tb_scenario_qdisc_stats "$wan" "$TB_SCENARIO_WAN_DOWN_DEV" wan.down
		_tb_scenario_ovpn_status "$TB_SCENARIO_STATE/openvpn-robot.status" vpn.robot
		_tb_scenario_ovpn_status "$TB_SCENARIO_STATE/openvpn-operator.status" vpn.operator
		if [ "${1-}" = --vpn-socket-drops ]; then
			echo "vpn.operator_socket_drops=$(_tb_scenario_socket_drops "$operator" "$TB_SCENARIO_VPN_PORT")"
		fi
	} | LC_ALL=C sort
}

# tb_scenario_counters [--vpn-socket-drops]: every counter of the running
# scenario, key=value, sorted; with --vpn-socket-drops also
# vpn.operator_socket_drops (the operator's VPN socket, port
# TB_SCENARIO_VPN_PORT). Read by one process, tb-netcounters, when it is
# built (TB_NETCOUNTERS_BIN, default $TB_BUILD/scenario/netcounters/
# tb-netcounters; set but empty: the shell version; set to a file that is
# not executable: an error); the shell version otherwise.
# shellcheck disable=SC2120 # the option is optional: callers without it are fine
tb_scenario_counters() {
	case "${1-}" in
	"" | --vpn-socket-drops) ;;
	*) tb_usage_die "tb_scenario_counters: unknown option '$1' (--vpn-socket-drops)" ;;
	esac
	_tb_scenario_require_up
	local bin=${TB_NETCOUNTERS_BIN-$TB_BUILD/scenario/netcounters/tb-netcounters}
	if [ -n "${TB_NETCOUNTERS_BIN:-}" ] && [ ! -x "$bin" ]; then
		tb_die "TB_NETCOUNTERS_BIN=$bin is not an executable (build it, or set TB_NETCOUNTERS_BIN= for the shell version)"
	fi
	if [ -z "$bin" ] || [ ! -x "$bin" ]; then
		_tb_scenario_counters_sh "$@"
		return
	fi
	local port=()
	[ "${1-}" != --vpn-socket-drops ] || port=(--vpn-port "$TB_SCENARIO_VPN_PORT")
	# names built here as _tb_scenario_ns does, without a subshell each
	"$bin" --robot "${TB_SCENARIO_PREFIX}robot" --wan "${TB_SCENARIO_PREFIX}wan" \
		--operator "${TB_SCENARIO_PREFIX}operator" --robot-tun "$TB_SCENARIO_ROBOT_TUN" \
		--robot-veth "$_TB_SCENARIO_ROBOT_VETH" --operator-tun "$TB_SCENARIO_OPERATOR_TUN" \
		--wan-up "$TB_SCENARIO_WAN_UP_DEV" --wan-down "$TB_SCENARIO_WAN_DOWN_DEV" \
		--robot-status "$TB_SCENARIO_STATE/openvpn-robot.status" \
		--operator-status "$TB_SCENARIO_STATE/openvpn-operator.status" "${port[@]}"
}

# tb_scenario_counters_diff BEFORE AFTER: after - before for every numeric key
# present in both (the per-run deltas), key=value.
tb_scenario_counters_diff() {
	awk -F= '
		NR == FNR { before[$1] = $2; next }
		($1 in before) && $2 ~ /^-?[0-9]+$/ && before[$1] ~ /^-?[0-9]+$/ { printf "%s=%.0f\n", $1, $2 - before[$1]; next }
		($1 in before) { print $1 "=" $2 }' "$1" "$2"
}

# tb_scenario_kv_to_json: key=value lines on stdin -> one flat JSON object.
tb_scenario_kv_to_json() {
	# bash alone (no awk: a process costs about 0.3 s under TCG)
	local line k v sep='' out='{'
	while IFS= read -r line; do
		k=${line%%=*} v=${line#*=}
		[[ $line == *=* ]] || v=''
		if ! [[ $v =~ ^-?[0-9]+$ ]]; then
			v=${v//\\/\\\\}
			v="\"${v//\"/\\\"}\""
		fi
		out+="$sep\"$k\":$v" sep=,
	done
	printf '%s}\n' "$out"
}
