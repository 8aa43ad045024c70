#!/usr/bin/env bash
# VM test of ./testbed scenario: inside the testbed guest (kernel with
# netem, fq_codel, cake) bring the scenario up with a rate-limited netem
# profile, check that tc shows exactly what tb-profile prints, push UDP
# faster than the emulated uplink, and check that every lost datagram is
# counted at one place (ring, qdisc, socket, WAN, receiver). Then 'down'
# must leave nothing.
#
#   vm_scenario_test.sh REPO_ROOT            (host: boots the VM)
#   vm_scenario_test.sh REPO_ROOT --guest    (what runs inside the VM)
set -euo pipefail
root=${1:?usage: vm_scenario_test.sh REPO_ROOT [--guest]}
[ -x "${TB_PROFILE_BIN:-}" ] || { echo "vm_scenario_test: set TB_PROFILE_BIN to a built tb-profile" >&2; exit 1; }
scenario=$root/scenario/scenario.sh

if [ "${2:-}" != --guest ]; then
	pki=$(mktemp -d)
	trap 'rm -rf "$pki"' EXIT
	# certificates made here: generating them in the guest costs seconds
	bash "$scenario" pki --dir "$pki" >/dev/null
	rc=0
	TB_SCENARIO_TEST_PKI=$pki bash "$root/testbed" vm --timeout 1200 -- \
		bash "$root/scenario/tests/vm_scenario_test.sh" "$root" --guest || rc=$?
	exit "$rc"
fi

# --- in the guest ---------------------------------------------------------------
prefix=tbvm-
dir=$(mktemp -d)
cp -a "${TB_SCENARIO_TEST_PKI:?}/pki" "$dir/" # -a: keeps the validity stamp fresh
trap 'bash "$scenario" down --prefix "$prefix" --dir "$dir" >/dev/null 2>&1 || true' EXIT
# shellcheck source=tests/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/check.sh"
# shellcheck source=scenario/tests/drop_chain.sh
source "$(dirname "${BASH_SOURCE[0]}")/drop_chain.sh"
echo "guest kernel $(uname -r)"
profile=$root/netem-profiles/lte-uplink.profile

start=$(date +%s%N)
bash "$scenario" up --prefix "$prefix" --dir "$dir" --profile lte-uplink --ring 100 --qdisc 'pfifo limit 200'
echo "up took $((($(date +%s%N) - start) / 1000000)) ms"

# tc shows netem with the profile's numbers on both wan veths
for d in up down; do
	dev=veth-op
	[ "$d" = down ] && dev=veth-rb
	want=$("$TB_PROFILE_BIN" tc "$profile" --dir "$d" --dev "$dev")
	shown=$(tc -n "${prefix}wan" qdisc show dev "$dev")
	echo "$d: $shown"
	limit=$(sed -n 's/.* netem limit \([0-9]*\) .*/\1/p' <<<"$want")
	check "$d: netem is the root qdisc" grep -q "^qdisc netem 1: root" <<<"$shown"
	check "$d: netem limit $limit" grep -q " limit $limit " <<<"$shown"
	check "$d: delay 20ms" grep -q "delay 20ms" <<<"$shown"
	check "$d: loss 0.1%" grep -q "loss 0.1%" <<<"$shown"
done
check "up: rate 5Mbit" grep -q "rate 5Mbit" <(tc -n "${prefix}wan" qdisc show dev veth-op)
check "down: rate 15Mbit" grep -q "rate 15Mbit" <(tc -n "${prefix}wan" qdisc show dev veth-rb)

# the emulated RTT: 40 ms base (20 + 20) plus jitter, never below ~25 ms
rtt=$(ip netns exec "${prefix}robot" ping -n -q -c 5 -i 0.3 198.18.100.1 | sed -n 's|.* = \([0-9.]*\)/.*|\1|p')
echo "tunnel min RTT ${rtt:-?} ms"
check "min RTT at least 25 ms" awk -v r="${rtt:-0}" 'BEGIN { exit !(r >= 25) }'

# 8 Mbit/s of UDP into the 5 Mbit/s uplink. iperf3's TCP control connection
# shares the overloaded path; now and then its client gives up on it (EAGAIN
# on the control socket) although the data went through, so an attempt that
# fails is repeated, at most three times, each with fresh counters.
for attempt in 1 2 3; do
	bash "$scenario" counters --prefix "$prefix" --dir "$dir" >"$dir/c1"
	ip netns exec "${prefix}operator" iperf3 -s -1 -B 198.18.100.1 -D -I "$dir/iperf3.pid"
	sleep 0.5
	if ip netns exec "${prefix}robot" iperf3 -u -c 198.18.100.1 -b 8M -t 4 -l 1300 >"$dir/iperf.txt" 2>&1; then
		break
	fi
	echo "iperf3 attempt $attempt failed: $(tail -n 1 "$dir/iperf.txt")"
	kill "$(cat "$dir/iperf3.pid" 2>/dev/null)" 2>/dev/null || true
	sleep 1
done
check "iperf3 ran (attempts: $attempt)" grep -q ' receiver$' "$dir/iperf.txt"
sleep 1.5
bash "$scenario" counters --prefix "$prefix" --dir "$dir" >"$dir/c2"
delta=$dir/delta
bash "$scenario" counters-diff "$dir/c1" "$dir/c2" >"$delta"
udp_counts "$dir/iperf.txt"
echo "iperf3: $sent sent, $received received"
check "the 5 Mbit/s link loses packets (8 Mbit/s offered)" test "$received" -lt "$sent"
check "the WAN dropped some of them" test "$(d wan.up.dropped)" -gt 0
check_drop_chain

bash "$scenario" down --prefix "$prefix" --dir "$dir"
check "down: no namespace left" bash -c "! ip netns list | grep -q '^$prefix'"
tb_summary
