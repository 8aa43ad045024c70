#!/usr/bin/env bash
# tb-netcounters against the shell version of tb_scenario_counters on a live
# scenario (as root, OpenVPN, profile lan): after traffic that leaves ring
# drops, UDP datagrams to a closed port and to a socket that drops them,
# both print the same keys with the same values (time.real_ns aside), for
# the tun's pfifo and noqueue, with --vpn-socket-drops, and with missing
# devices and status files. Then the time of one call, 10 of each.
set -euo pipefail
root=${1:?usage: host_netcounters_test.sh REPO_ROOT UDP_HOLD}
udp_hold=${2:?usage: host_netcounters_test.sh REPO_ROOT UDP_HOLD}
[ "$(id -u)" -eq 0 ] || { echo "host_netcounters_test: needs root (network namespaces)" >&2; exit 1; }
[ -x "${TB_NETCOUNTERS_BIN:-}" ] || { echo "host_netcounters_test: set TB_NETCOUNTERS_BIN to a built tb-netcounters" >&2; exit 1; }
[ -x "${TB_PROFILE_BIN:-}" ] || { echo "host_netcounters_test: set TB_PROFILE_BIN to a built tb-profile" >&2; exit 1; }
[ -x "$udp_hold" ] || { echo "host_netcounters_test: $udp_hold is not an executable" >&2; exit 1; }

scenario=$root/scenario/scenario.sh
prefix="tnc$$-"
dir=$(mktemp -d)
hold_pid=
cleanup() {
	[ -z "$hold_pid" ] || kill "$hold_pid" 2>/dev/null || true
	bash "$scenario" down --prefix "$prefix" --dir "$dir" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
# shellcheck source=scenario/scenario-lib.sh
source "$root/scenario/scenario-lib.sh"
TB_SCENARIO_PREFIX=$prefix TB_SCENARIO_DIR=$dir
tb_scenario_init
c_bin=$TB_NETCOUNTERS_BIN

in_ns() { ip netns exec "$TB_SCENARIO_PREFIX$1" "${@:2}"; }
shell_counters() { TB_NETCOUNTERS_BIN='' tb_scenario_counters "$@"; }
c_counters() { TB_NETCOUNTERS_BIN=$c_bin tb_scenario_counters "$@"; }
value() { sed -n "s/^$1=//p" <<<"$2"; } # value KEY TEXT
keys() { awk -F= '{ print $1 }' <<<"$1"; }
no_time() { grep -v '^time\.real_ns=' <<<"$1"; }

# compare WHAT ARGS...: both versions, the same lines. A counter moving
# between the reads (a late packet) would differ for the wrong reason: the
# shell version is read before and after the C one, and only a pair of equal
# shell reads is the reference. Leaves the C output in $c_out.
compare() {
	local what=$1 s1 s2 attempt
	shift
	for attempt in 1 2 3; do
		s1=$(shell_counters "$@")
		c_out=$(c_counters "$@")
		s2=$(shell_counters "$@")
		[ "$(no_time "$s1")" != "$(no_time "$s2")" ] || break
		echo "($what: counters moved during attempt $attempt, again)"
	done
	expect "$what: the shell version read twice the same" "$(no_time "$s1")" "$(no_time "$s2")"
	expect "$what: the same keys" "$(keys "$c_out")" "$(keys "$s1")"
	expect "$what: the same values except time.real_ns" "$(no_time "$c_out")" "$(no_time "$s1")"
	local now t
	now=$(date +%s%N) t=$(value time.real_ns "$c_out")
	check "$what: time.real_ns is now (within 10 s)" test $((now - t)) -lt 10000000000 -a $((now - t)) -ge 0
}

rc=0
# a ring large enough for the first traffic even when OpenVPN stalls on a
# loaded host; the tiny ring comes later
bash "$scenario" up --prefix "$prefix" --dir "$dir" --profile lan --ring 1000 --qdisc 'pfifo limit 100' \
	--timeout 20 >"$dir/up.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$dir/up.out" >&2; echo "host_netcounters_test: scenario up failed" >&2; exit 1; }

# --- traffic: a socket that drops, a closed port, then ring drops ----------------
hold_port=5555
in_ns operator "$udp_hold" "$hold_port" >"$dir/hold.out" &
hold_pid=$!
for _ in $(seq 1 50); do
	[ "$(cat "$dir/hold.out")" = ready ] && break
	sleep 0.1
done
expect "udp-hold is bound" "$(cat "$dir/hold.out")" ready
check "ping through the tunnel" in_ns robot ping -n -q -c 3 -i 0.2 -W 2 "$TB_SCENARIO_OPERATOR_TUN_ADDR"
# shellcheck disable=SC2016 # the inner shell's variables
in_ns robot bash -c 'for i in $(seq 200); do printf "%1000s" x >"/dev/udp/$1/$2"; done
	for i in $(seq 50); do echo x >"/dev/udp/$1/9"; done' sh "$TB_SCENARIO_OPERATOR_TUN_ADDR" "$hold_port"
# a ring of 2 and bursts of 60 pings: the tun tail-drops (ring.tx_dropped)
bash "$scenario" tun --prefix "$prefix" --dir "$dir" --ring 2 --qdisc 'pfifo limit 100' >/dev/null 2>&1
before=$(c_counters)
in_ns robot ping -n -q -l 60 -c 120 -s 1000 -w 3 "$TB_SCENARIO_OPERATOR_TUN_ADDR" >/dev/null 2>&1 || true
sleep 1.5 # the traffic drained, OpenVPN's status file rewritten (every second)

# --- both versions, the same lines ------------------------------------------------
compare "pfifo"
d() { echo $(($(value "$1" "$c_out") - $(value "$1" "$before"))); } # d KEY: the burst's delta
check "ring drops happened (ring.tx_dropped grew)" test "$(d ring.tx_dropped)" -gt 0
check "qdisc.kind is pfifo" test "$(value qdisc.kind "$c_out")" = pfifo
# the tun's qdisc hands every packet to the ring: sent = read + dropped there
# (as deltas: the qdisc's counters start when it is set, the ring's with the tun)
expect "qdisc.sent_pkts grew by ring.tx_packets + ring.tx_dropped" "$(d qdisc.sent_pkts)" \
	"$(($(d ring.tx_packets) + $(d ring.tx_dropped)))"
check "datagrams to a closed port counted (recv.udp_no_ports > 0)" test "$(value recv.udp_no_ports "$c_out")" -gt 0
expect "vpn.robot.tun_read_bytes is the status file's" "$(value vpn.robot.tun_read_bytes "$c_out")" \
	"$(sed -n 's|^TUN/TAP read bytes,||p' "$TB_SCENARIO_STATE/openvpn-robot.status")"
check "the five status counters of both ends" test "$(grep -c '^vpn\.\(robot\|operator\)\.' <<<"$c_out")" -eq 10
check "no socket drops line unless asked" bash -c "! grep -q '^vpn.operator_socket_drops=' <<<'$c_out'"

compare "--vpn-socket-drops (OpenVPN's port)" --vpn-socket-drops
expect "OpenVPN's socket dropped nothing" "$(value vpn.operator_socket_drops "$c_out")" 0
vpn_port=$TB_SCENARIO_VPN_PORT
TB_SCENARIO_VPN_PORT=$hold_port
compare "--vpn-socket-drops (udp-hold's port)" --vpn-socket-drops
TB_SCENARIO_VPN_PORT=$vpn_port
drops=$(value vpn.operator_socket_drops "$c_out")
echo "udp-hold's socket: $drops drops; ring: $(value ring.tx_dropped "$c_out") drops"
check "udp-hold's socket dropped most of its 200 datagrams" test "$drops" -gt 100
# the only socket of the namespace that drops: its drops are all of RcvbufErrors
expect "socket drops = the operator's Udp RcvbufErrors" "$drops" "$(value recv.udp_rcvbuf_errors "$c_out")"

bash "$scenario" tun --prefix "$prefix" --dir "$dir" --ring 2 --qdisc noqueue >/dev/null 2>&1
in_ns robot ping -n -q -l 30 -c 60 -s 1000 -w 2 "$TB_SCENARIO_OPERATOR_TUN_ADDR" >/dev/null 2>&1 || true
sleep 1.2
compare "noqueue"
check "qdisc.kind is noqueue" test "$(value qdisc.kind "$c_out")" = noqueue

# --- missing devices and status files (e.g. a VPN without a status file) --------
saved=("$TB_SCENARIO_ROBOT_TUN" "$TB_SCENARIO_WAN_UP_DEV" "$TB_SCENARIO_STATE")
TB_SCENARIO_ROBOT_TUN=tbnone0 TB_SCENARIO_WAN_UP_DEV=tbnone1 TB_SCENARIO_STATE=$dir/no-such-state
# (the shell version complains on stderr about each missing sysfs file)
compare "missing devices" 2>"$dir/missing.err"
for k in ring.tx_packets ring.tx_bytes ring.tx_dropped wan.up.veth_tx_packets wan.up.veth_tx_dropped; do
	expect "missing device: $k" "$(value "$k" "$c_out")" -1
done
expect "missing device: qdisc.kind" "$(grep '^qdisc\.' <<<"$c_out")" qdisc.kind=none
expect "missing device: wan.up.kind" "$(grep '^wan\.up\.[a-z_]*=' <<<"$c_out" | grep -v veth)" wan.up.kind=none
check "missing status files: no vpn.robot.* lines" bash -c "! grep -q '^vpn\.robot\.' <<<'$c_out'"
TB_SCENARIO_ROBOT_TUN=${saved[0]} TB_SCENARIO_WAN_UP_DEV=${saved[1]} TB_SCENARIO_STATE=${saved[2]}

# a namespace that vanished: exit 1, and nothing half-read on stdout
rc=0
"$c_bin" --robot "${prefix}robot" --wan "${prefix}gone" --operator "${prefix}operator" --robot-tun tbtun0 \
	--robot-veth veth-wan --operator-tun tbtun1 --wan-up veth-op --wan-down veth-rb >"$dir/gone.out" 2>"$dir/gone.err" || rc=$?
expect "a missing wan namespace exits 1" "$rc" 1
check "a missing wan namespace: named" grep -qF "network namespace '${prefix}gone' does not exist" "$dir/gone.err"
check "a missing wan namespace: nothing on stdout" test ! -s "$dir/gone.out"

# --- the time of one call -----------------------------------------------------------
stats() { # stats NAME FUNCTION: mean and sample sd of 10 calls, in ms
	local t0 t1 us=()
	for _ in $(seq 10); do
		# bash's clock: a 'date' process would add its own start to each call
		t0=${EPOCHREALTIME/./}
		"$2" >/dev/null
		t1=${EPOCHREALTIME/./}
		us+=("$((t1 - t0))")
	done
	printf '%s\n' "${us[@]}" | awk -v n="$1" '{ s += $1; q += $1 * $1 }
		END { m = s / NR; printf "%s: mean %.1f ms, sd %.1f ms (10 calls)\n", n, m / 1000, sqrt((q - s * m) / (NR - 1)) / 1000 }'
}
stats "tb_scenario_counters, shell version" shell_counters
stats "tb_scenario_counters, tb-netcounters" c_counters

kill "$hold_pid" 2>/dev/null || true
wait "$hold_pid" 2>/dev/null || true
hold_pid=
bash "$scenario" down --prefix "$prefix" --dir "$dir" >/dev/null 2>&1
check "down: no namespace left" bash -c "! ip netns list | grep -q '^$prefix'"
tb_summary
