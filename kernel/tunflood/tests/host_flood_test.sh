#!/usr/bin/env bash
# tb-tunflood on the host's (stock) kernel, each flood in a fresh network
# namespace: a slow reader on a small ring loses packets in the ring and the
# account is exact; a fast reader on ring 500 loses nothing. Needs root.
set -euo pipefail
tool=${1:?usage: host_flood_test.sh TB_TUNFLOOD TB_TUNFLOOD_STORE}
store=${2:?usage: host_flood_test.sh TB_TUNFLOOD TB_TUNFLOOD_STORE}
[ "$(id -u)" -eq 0 ] || { echo "host_flood_test: needs root (TUN, network namespaces)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=tests/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../../tests/check.sh"
get() { sqlite3 :memory: "SELECT json_extract(readfile('$1'), '\$.$2')"; }
flood() { # flood NAME ARGS...: run in a new network namespace
	local name=$1
	shift
	"$tool" --new-netns "$@" >"$dir/$name.json"
}
# exact NAME: sent = received + every drop counted, nothing unexplained.
exact() {
	local f=$dir/$1.json
	local sent recv sum
	sent=$(get "$f" end.sent)
	recv=$(get "$f" end.received)
	sum=$(sqlite3 :memory: "SELECT json_extract(j, '\$.end.received') + json_extract(j, '\$.end.ring_drops')
		+ json_extract(j, '\$.end.dev_drops') + json_extract(j, '\$.end.qdisc_drops')
		+ json_extract(j, '\$.end.socket_drops') + json_extract(j, '\$.end.stuck_in_qdisc')
		+ json_extract(j, '\$.end.stuck_in_ring')
		FROM (SELECT readfile('$f') AS j)")
	check "$1: sent ($sent) = received ($recv) + ring + dev + qdisc + socket + stuck in qdisc and ring ($sum)" test "$sent" -eq "$sum"
	check "$1: unexplained = 0" test "$(get "$f" end.unexplained)" -eq 0
	check "$1: not hung" test "$(get "$f" end.hung)" -eq 0
	check "$1: no duplicates" test "$(get "$f" end.duplicates)" -eq 0
	check "$1: no foreign packets" test "$(get "$f" end.foreign)" -eq 0
}
slow=(--count 2000 --burst 100 --rate 10000 --reader-rate 1000)

flood slow-default --ring 25 "${slow[@]}"
exact slow-default
check "slow-default: ring drops > 0" test "$(get "$dir/slow-default.json" end.ring_drops)" -gt 0
check "slow-default: default qdisc is pfifo_fast" test "$(get "$dir/slow-default.json" start.device.qdisc_kind)" = pfifo_fast
check "slow-default: pfifo_fast limit = txqueuelen = 25" test "$(get "$dir/slow-default.json" start.device.qdisc_limit_packets)" -eq 25
check "slow-default: ring drops echo nowhere (qdisc path)" test "$(get "$dir/slow-default.json" end.sndbuf_errors)" -eq 0

flood slow-noqueue --ring 25 --qdisc noqueue "${slow[@]}"
exact slow-noqueue
f=$dir/slow-noqueue.json
ring=$(get "$f" end.ring_drops)
check "slow-noqueue: ring drops > 0" test "$ring" -gt 0
# Without a qdisc the ring drop is returned to UDP as NET_XMIT_DROP: send()
# still succeeds, but UdpSndbufErrors counts the very same packets.
check "slow-noqueue: send() never failed" test "$(get "$f" end.send_errors)" -eq 0
check "slow-noqueue: UdpSndbufErrors = ring drops" test "$(get "$f" end.sndbuf_errors)" -eq "$ring"
check "slow-noqueue: reported xmit drops = ring drops" test "$(get "$f" end.xmit_drops_reported)" -eq "$ring"

flood slow-poll --ring 25 --qdisc "pfifo limit 25000" --reader poll "${slow[@]}"
exact slow-poll
check "slow-poll: ring drops > 0 (stock bypasses the pfifo)" test "$(get "$dir/slow-poll.json" end.ring_drops)" -gt 0
check "slow-poll: pfifo never queued" test "$(get "$dir/slow-poll.json" end.qdisc_drops)" -eq 0

# The namespace made by unshare(1) instead of --new-netns: same account.
unshare --net -- "$tool" --ring 500 --count 2000 --burst 50 --rate 2000 >"$dir/fast.json"
exact fast
check "fast: nothing lost" test "$(get "$dir/fast.json" end.lost)" -eq 0
check "fast: all 2000 received" test "$(get "$dir/fast.json" end.received)" -eq 2000
check "fast: no gaps" test "$(get "$dir/fast.json" end.gaps)" -eq 0

# Backpressure on the host: a TBF holds packets, which stay charged to the
# socket; a nonblocking sender then gets EAGAIN, counted as socket drops
# (and by the kernel in UdpSndbufErrors, through SOCK_NOSPACE).
flood nonblocking --ring 25 --count 500 --nonblocking --qdisc "tbf rate 2mbit burst 10k limit 10000000"
exact nonblocking
f=$dir/nonblocking.json
eagain=$(get "$f" end.send_errors_eagain)
check "nonblocking: some sends got EAGAIN" test "$eagain" -gt 0
check "nonblocking: socket drops = EAGAIN" test "$(get "$f" end.socket_drops)" -eq "$eagain"
check "nonblocking: UdpSndbufErrors = EAGAIN" test "$(get "$f" end.sndbuf_errors)" -eq "$eagain"
check "nonblocking: every accepted packet arrived" test "$(get "$f" end.received)" -eq "$(get "$f" end.accepted)"
mv "$f" "$dir/nonblocking.out" # not a self-test point

# A sender that cannot progress is reported, not waited for: a 8 kbit/s TBF
# (set through tc) holds the packets, they stay charged to the socket, the
# send buffer fills and the blocking send() times out.
flood stalled --ring 25 --count 500 --qdisc "tbf rate 8kbit burst 1600 limit 1000000" \
	--send-timeout 0.3 --drain-timeout 1
f=$dir/stalled.json
check "stalled: hung = 1" test "$(get "$f" end.hung)" -eq 1
check "stalled: reason names the send timeout" test "$(get "$f" end.hung_reason)" = "a blocking send() made no progress within --send-timeout"
check "stalled: the timed-out send is the one EAGAIN" test "$(get "$f" end.send_errors_eagain)" -eq 1
check "stalled: the sender stopped early" test "$(get "$f" end.sent)" -lt 500
check "stalled: packets still queued in the TBF" test "$(get "$f" end.stuck_in_qdisc)" -gt 0
mv "$f" "$dir/stalled.out" # not a self-test point

# A reader that stalls (a VPN process that stops reading) leaves a full ring
# behind: stock holds exactly txqueuelen = 25 packets there and drops the
# rest. Those 25 are read back after the reader stopped and counted as stuck
# in the ring, not lost without a place.
flood reader-stall --ring 25 --count 2000 --burst 100 --rate 10000 --reader-stall-after 100 \
	--drain-timeout 0.5
f=$dir/reader-stall.json
check "reader-stall: hung = 1 (the ring never drained)" test "$(get "$f" end.hung)" -eq 1
check "reader-stall: reason names the full ring" grep -qF "ring not empty" <(get "$f" end.hung_reason)
check "reader-stall: the ring's 25 packets are stuck in it" test "$(get "$f" end.stuck_in_ring)" -eq 25
check "reader-stall: nothing stuck in the qdisc (stock never stops its queue)" test "$(get "$f" end.stuck_in_qdisc)" -eq 0
recv=$(get "$f" end.received)
ring=$(get "$f" end.ring_drops)
check "reader-stall: at most 100 received (got $recv)" test "$recv" -le 100
check "reader-stall: sent 2000 = received $recv + ring drops $ring + 25 in the ring" test $((recv + ring + 25)) -eq 2000
check "reader-stall: unexplained = 0" test "$(get "$f" end.unexplained)" -eq 0
mv "$f" "$dir/reader-stall.out" # not a self-test point

# The host runs a stock kernel: it ignores IFF_BACKPRESSURE in TUNSETIFF,
# and the tool must notice rather than measure stock behaviour as opted-in.
rc=0
"$tool" --new-netns --iff-backpressure --count 10 >"$dir/iff.out" 2>"$dir/iff.err" || rc=$?
check "--iff-backpressure on a kernel without it exits 1 (got $rc)" test "$rc" -eq 1
check "--iff-backpressure refusal says why" grep -qF "no IFF_BACKPRESSURE support" "$dir/iff.err"
check "--iff-backpressure refusal prints no JSON" test ! -s "$dir/iff.out"
rm -f "$dir/iff.out"

"$store" add --db "$dir/s.db" --campaign host --variant stock --accel host "$dir"/*.json >/dev/null
check "the stock expectations hold for these floods" "$store" check --db "$dir/s.db" --campaign host

tb_summary
