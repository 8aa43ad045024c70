#!/usr/bin/env bash
# ./testbed doctor against a TUN this test makes in a network namespace of
# its own: owned by a process that never reads it (tb-tun-open --hold), a
# ring (txqueuelen) of 2, the root qdisc pfifo limit 5, and UDP datagrams
# routed into it (bash's /dev/udp): PRE before the watch, DURING while
# doctor watches. The kernel's answer is taken from tb-tun-open's own
# TUNGETFEATURES. Without the flag (this host) the ring drops: it holds
# RING, the rest of the datagrams is its tx_dropped, the qdisc never holds
# one. Then the table, the arithmetic, the --db campaign choice and the
# usage errors (not with --preload: they do not depend on the kernel).
#
#   doctor_host_test.sh REPO_ROOT TB_TUN_OPEN [--preload LIBTB_BACKPRESSURE_SO]
#
# --preload (for a guest whose kernel has IFF_BACKPRESSURE): the owner is
# started with the preload, so the device has the flag and the nodrop-qdisc
# behaviour is expected: the ring holds RING and stops, the qdisc holds
# LIMIT, the qdisc drops the rest and the ring drops none.
set -euo pipefail
usage='usage: doctor_host_test.sh REPO_ROOT TB_TUN_OPEN [--preload LIB]'
root=${1:?$usage}
tun_open=${2:?$usage}
preload=''
if [ $# -ge 3 ]; then
	if [ "$3" != --preload ] || [ $# -ne 4 ]; then echo "$usage" >&2; exit 2; fi
	preload=$4
fi
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
export TB_BUILD=${TB_BUILD:-$root/build}
for f in "$tun_open" "$TB_BUILD/tools/doctor/tb-tunfeatures" "$TB_BUILD/lib/tb-db" ${preload:+"$preload"}; do
	[ -f "$f" ] || { echo "FAIL: $f not found (build the testbed)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "FAIL: needs root (network namespace, TUN)" >&2; exit 1; }

ns=tbdoc-$$ dev=tbdoc0
ring=2 limit=5 pre=10 during=20
dir=$(mktemp -d)
holder=''
cleanup() {
	[ -z "$holder" ] || kill "$holder" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

ip netns add "$ns"
# No IPv6: the kernel would send its own packets (MLD, router
# solicitations) into the tun and take ring slots.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$ns" link set lo up
# ip netns exec and env exec the program: $! is the owner's pid.
ip netns exec "$ns" env ${preload:+LD_PRELOAD="$preload"} "$tun_open" --hold "$dev" >"$dir/holder" 2>&1 &
holder=$!
for _ in $(seq 100); do
	grep -q '^features ' "$dir/holder" && break
	sleep 0.1
done
grep -q '^features ' "$dir/holder" || { echo "FAIL: tb-tun-open did not start: $(cat "$dir/holder")" >&2; exit 1; }
features=$(sed -n 's/^features //p' "$dir/holder")
flags=$(sed -n 's/^flags //p' "$dir/holder")
supported=$(((features & 0x0080) != 0))
flag_on=$(((flags & 0x0080) != 0))
ip -n "$ns" link set "$dev" txqueuelen "$ring" up
ip -n "$ns" addr add 198.18.5.1/24 dev "$dev"
tc -n "$ns" qdisc replace dev "$dev" root pfifo limit "$limit"

# send N: N datagrams to an address the tun's /24 routes into it.
# shellcheck disable=SC2016 # the inner bash expands $1
send() { ip netns exec "$ns" bash -c 'for ((i = 0; i < $1; i++)); do printf x >/dev/udp/198.18.5.2/9; done' _ "$1"; }
doctor() { ip netns exec "$ns" bash "$root/testbed" doctor "$@"; }

# What the kernel does with PRE then DURING datagrams, from the setup.
if [ "$flag_on" -eq 1 ]; then
	# Queue stopped once the ring is full; the qdisc holds LIMIT.
	want_ring_total=0 want_ring_watch=0
	want_qdisc_total=$((pre + during - ring - limit)) want_qdisc_watch=$during
else
	# Tail-drop: the ring holds RING, the qdisc passes everything on.
	want_ring_total=$((pre + during - ring)) want_ring_watch=$during
	want_qdisc_total=0 want_qdisc_watch=0
fi
want_bool() { if [ "$1" -eq 1 ]; then echo true; else echo false; fi; }

# Nothing sent yet: healthy.
rc=$(exit_status "$dir/healthy" "$dir/healthy.err" doctor --watch 1)
expect "healthy: exit 0" "$rc" 0
check "healthy: says so" grep -qx "no drops seen in 1 s" "$dir/healthy"
check "healthy: the device line" grep -qE "^$dev +tun +$holder tb-tun-open +$ring +pfifo +${limit}p .* 0 in 1 s, 0 total +0 in 1 s, 0 total$" "$dir/healthy"

send "$pre"
doctor --watch 2 --json >"$dir/json" 2>"$dir/json.err" &
doc=$!
for _ in $(seq 100); do
	grep -q 'watching' "$dir/json.err" && break
	sleep 0.1
done
check "doctor announces its watch" grep -q "watching the drops of 1 TUN/TAP device(s) for 2 s" "$dir/json.err"
send "$during"
rc=0
wait "$doc" || rc=$?
expect "drops seen: exit 1" "$rc" 1
check "valid JSON" jq -e . "$dir/json"
j() { jq -r "$1" "$dir/json"; }
expect "one device, ours" "$(j '[.devices[].name] | join(" ")')" "$dev"
d=".devices[0]"
expect "kernel" "$(j .kernel)" "$(uname -r)"
expect "TUNGETFEATURES as tb-tun-open saw it" "$(j .tun_features)" "$features"
expect "backpressure supported" "$(j .backpressure_supported)" "$(want_bool "$supported")"
expect "owner pid" "$(j "[$d.owners[].pid] | join(\" \")")" "$holder"
expect "owner comm" "$(j "$d.owners[0].comm")" tb-tun-open
expect "owner in this namespace" "$(j "$d.owners[0].same_netns")" true
expect "type" "$(j "$d.type")" tun
expect "tun_flags as TUNGETIFF read them" "$(j "$d.tun_flags")" "$flags"
expect "txqueuelen" "$(j "$d.txqueuelen")" "$ring"
expect "qdisc kind" "$(j "$d.qdisc.kind")" pfifo
expect "qdisc limit" "$(j "$d.qdisc.limit") $(j "$d.qdisc.limit_unit")" "$limit packets"
expect "multi-queue" "$(j "$d.multi_queue")" false
expect "IFF_BACKPRESSURE flag" "$(j "$d.backpressure")" "$(want_bool "$flag_on")"
expect "watch length" "$(j .watch_s)" 2
expect "ring drops in the watch" "$(j "$d.ring.tx_dropped_watch")" "$want_ring_watch"
expect "ring drops in total" "$(j "$d.ring.tx_dropped_total")" "$want_ring_total"
expect "qdisc drops in the watch" "$(j "$d.qdisc.dropped_watch")" "$want_qdisc_watch"
expect "qdisc drops in total" "$(j "$d.qdisc.dropped_total")" "$want_qdisc_total"
expect "drops_seen" "$(j .drops_seen)" true
[ "$flag_on" -eq 1 ] || expect "on this host: no IFF_BACKPRESSURE" "$(j .backpressure_supported)" false

# The table, no watch: totals decide, the device's line in full.
rc=$(exit_status "$dir/table" "$dir/table.err" doctor --watch 0)
expect "table: drops since the device came up: exit 1" "$rc" 1
bp=off
[ "$flag_on" -eq 0 ] || bp=on
check "table: the device line" grep -qE "^$dev +tun +$holder tb-tun-open +$ring +pfifo +${limit}p +no +$bp +$want_ring_total total +$want_qdisc_total total$" "$dir/table"
check "table: the kernel line" grep -qxF "kernel            $(uname -r)" "$dir/table"
check "table: the verdict" grep -q "^drops seen since the devices came up: $dev: " "$dir/table"

# The rest does not depend on the kernel: the host run covers it, a guest
# (under TCG every exec costs about a second) stops here.
if [ -n "$preload" ]; then
	tb_summary
	exit
fi

# The arithmetic: 5 Mbit/s for 150 ms in 1500-byte packets.
rc=$(exit_status "$dir/arith" "$dir/arith.err" doctor --watch 0 --json --uplink 5mbit --bitrate 4M --keyframe-packets 40)
expect "arithmetic: exit status still the drops" "$rc" 1
a='.advice[] | select(.source == "arithmetic")'
expect "arithmetic: inputs" "$(jq -r "$a | [.uplink_bps, .bitrate_bps, .keyframe_packets, .budget_ms, .packet_bytes] | join(\" \")" "$dir/arith")" \
	"5000000 4000000 40 150 1500"
expect "arithmetic: packets drained in the budget" "$(jq -r "$a.budget_packets" "$dir/arith")" $((5000000 * 150 / 1000 / (8 * 1500)))
expect "arithmetic: ring = keyframe packets" "$(jq -r "$a.ring" "$dir/arith")" 40
expect "arithmetic: qdisc = pfifo of the packets drained in the budget" "$(jq -r "$a.qdisc" "$dir/arith")" \
	"pfifo limit $((5000000 * 150 / 1000 / (8 * 1500)))"
expect "arithmetic: keyframe crossing time" "$(jq -r "$a.keyframe_ms" "$dir/arith")" 96
expect "arithmetic: no warnings" "$(jq -r "$a.warnings | length" "$dir/arith")" 0
doctor --watch 0 --uplink 1mbit --bitrate 2mbit --keyframe-packets 40 >"$dir/warn" 2>&1 || true
check "arithmetic: a video faster than the uplink is flagged" grep -q "warning: the video (2000000 bit/s) needs the whole uplink" "$dir/warn"

# --db: two size-queue campaigns of one stock point each (no loss).
db=$dir/sq.db
"$TB_BUILD/lib/tb-db" init "$db"
sqlite3 "$db" <<'SQL'
INSERT INTO runs(campaign, kind, kernel, ring, qdisc, profile, traffic, clip, sndbuf, pace, vpn, decode,
  cpu_limit, duration, seed, repetition, status, valid)
VALUES ('camp-lte', 'video', 'stock', 100, 'fq_codel', 'lte-uplink', 'video', '720p30', 0, 0, 'openvpn', 'off',
  90, 8, 1, 1, 'done', 1),
  ('camp-lan', 'video', 'stock', 25, 'pfifo limit 50', 'lan', 'video', '480p30', 0, 0, 'openvpn', 'off',
  90, 8, 1, 1, 'done', 1);
INSERT INTO frames_sent(run_id, frame_no, packets, send_errors) SELECT id, 0, 1, 0 FROM runs;
INSERT INTO frames_recv(run_id, stream, frame_no, pkts_expected, pkts_received, complete, decodable, latency_ns)
  SELECT id, 0, 0, 1, 1, 1, 1, 40000000 FROM runs;
INSERT INTO counters SELECT id, 'ring', 'tx_dropped', 0, 0 FROM runs;
INSERT INTO counters SELECT id, 'qdisc', 'dropped', 0, 0 FROM runs;
SQL
rc=$(exit_status "$dir/db" "$dir/db.err" doctor --watch 0 --json --db "$db" --profile lan)
expect "--db --profile lan: exit status still the drops" "$rc" 1
r='.advice[] | select(.source == "size-queue")'
expect "--db --profile lan: that campaign" "$(jq -r "$r.campaign" "$dir/db")" camp-lan
expect "--db --profile lan: its stock row" "$(jq -r "$r.recommendations[] | select(.kernel == \"stock\") | \"\(.ring) \(.qdisc)\"" "$dir/db")" \
	"25 pfifo limit 50"
rc=$(exit_status "$dir/db2" "$dir/db2.err" doctor --watch 0 --db "$db" --bitrate 4mbit)
expect "--db --bitrate 4mbit: the 720p30 (4000 kbit/s) campaign" "$(grep -c '^  ./testbed size-queue --from-db .* --campaign camp-lte --cameras 1:$' "$dir/db2")" 1
check "--db: the commands for this machine" grep -qxF \
	"  for this machine (stock): ip link set dev $dev txqueuelen 100; tc qdisc replace dev $dev root fq_codel" "$dir/db2"
# --cameras 2: the campaign has one camera's points only; size-queue says so
rc=$(exit_status "$dir/db3" "$dir/db3.err" doctor --watch 0 --db "$db" --campaign camp-lan --cameras 2)
expect "--cameras 2 without such points: could not complete" "$rc" 3
check "--cameras 2: says which counts there are" grep -qF "campaign 'camp-lan' has no video points with 2 camera(s) (it has: 1)" "$dir/db3.err"

# Usage errors: exit 2, the option named.
usage_case() { # DESCRIPTION EXPECTED_TEXT ARGS...
	local what=$1 text=$2 code
	shift 2
	code=$(exit_status "$dir/u" "$dir/u.err" doctor "$@")
	expect "$what: exit 2" "$code" 2
	check "$what: names it" grep -qF -- "$text" "$dir/u.err"
	expect "$what: nothing on stdout" "$(cat "$dir/u")" ""
}
usage_case "unknown option" "unknown option '--bogus'" --bogus
usage_case "--cameras without --db" "--cameras needs --db" --cameras 2
usage_case "--cameras 9" "--cameras '9': a number of cameras, 1 to 8" --cameras 9 --db "$db"
usage_case "--watch not a number" "--watch 'soon'" --watch soon
usage_case "--watch without a value" "--watch needs a value" --watch
usage_case "--uplink not a rate" "--uplink 'fast'" --uplink fast --bitrate 4M --keyframe-packets 40
usage_case "--uplink without --bitrate" "--uplink needs --bitrate" --uplink 5mbit --keyframe-packets 40
usage_case "--uplink without --keyframe-packets" "--uplink needs --keyframe-packets" --uplink 5mbit --bitrate 4M
usage_case "--keyframe-packets 0" "--keyframe-packets '0'" --uplink 5mbit --bitrate 4M --keyframe-packets 0
usage_case "--budget-ms without --uplink" "--budget-ms needs --uplink" --budget-ms 100
usage_case "--campaign without --db" "--campaign needs --db" --campaign x
usage_case "--db missing" "--db '$dir/none.db': no such file" --db "$dir/none.db"
usage_case "--db two campaigns fit" "choose one with --campaign" --db "$db"
usage_case "--db unknown campaign" "--campaign 'nope' has no video runs" --db "$db" --campaign nope
usage_case "--db not a database" "is not a results database" --db "$dir/json"
rc=$(exit_status "$dir/help" "$dir/help.err" doctor --help)
expect "--help exits 0" "$rc" 0
check "--help: usage" grep -q '^usage: ./testbed doctor' "$dir/help"

tb_summary
