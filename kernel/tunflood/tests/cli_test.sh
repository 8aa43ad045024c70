#!/usr/bin/env bash
# tb-tunflood and tb-tunflood-store from the outside, without root: --help,
# bad options (exit 2, the option named), and the store's add/table/check on
# result files shaped like tb-tunflood's output.
set -euo pipefail
tool=${1:?usage: cli_test.sh TB_TUNFLOOD TB_TUNFLOOD_STORE}
store=${2:?usage: cli_test.sh TB_TUNFLOOD TB_TUNFLOOD_STORE}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=tests/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../../tests/check.sh"
# rejects NEEDLE ARGS...: exit 2, nothing on stdout, NEEDLE on stderr.
rejects() {
	local needle=$1 rc=0
	shift
	"$tool" "$@" >"$dir/out" 2>"$dir/err" || rc=$?
	check "'$*' exits 2 (got $rc)" test "$rc" -eq 2
	check "'$*' prints nothing on stdout" test ! -s "$dir/out"
	check "'$*' names '$needle'" grep -qF -- "$needle" "$dir/err"
}

"$tool" --help >"$dir/help"
check "--help prints usage" grep -q '^usage: tb-tunflood' "$dir/help"
check "--help lists --reader-rate" grep -q -- '--reader-rate PPS' "$dir/help"
rejects "--ring" --ring 0
rejects "--ring" --ring abc
rejects "--ring needs a value" --ring
rejects "--qdisc" --qdisc 'pfifo;reboot'
rejects "--size" --size 2000
rejects "--reader" --reader sometimes
rejects "exclude each other" --count 10 --duration 1
rejects "unknown option '--bogus'" --bogus
rejects "--sndbuf" --sndbuf -5

# The store: a stock flood that dropped in the ring, and a nodrop-v2 flood
# with "pfifo limit 25000" that lost 7 packets in the qdisc (a violation).
result() { # result FILE RING QDISC_SPEC QDISC_KIND LIMIT SENT RECEIVED RING_DROPS QDISC_DROPS
	cat >"$1" <<JSON
{"start": {"tool": "tb-tunflood", "kernel_release": "6.12.0-tb", "timestamp_ns": 1000, "dev": "tbflood0",
  "knobs": {"ring_packets": $2, "qdisc_spec": "$3", "rate_pps": 10000, "burst_packets": 100,
    "count_packets": $6, "duration_ns": 0, "size_bytes": 1200, "blocking": true,
    "sndbuf_requested_bytes": 0, "reader_rate_pps": 1000, "reader": "blocking"},
  "device": {"txqueuelen_packets": $2, "qdisc_kind": "$4", "qdisc_limit_packets": $5, "sndbuf_bytes": 212992}},
 "end": {"sent": $6, "accepted": $6, "received": $7, "lost": $(($6 - $7)), "ring_drops": $8,
  "dev_drops": 0, "qdisc_drops": $9, "socket_drops": 0, "stuck_in_qdisc": 0,
  "unexplained": $(($6 - $7 - $8 - $9)), "send_errors": 0, "sndbuf_errors": 0,
  "xmit_drops_reported": 0, "duplicates": 0, "reordered": 0, "gaps": 1, "foreign": 0,
  "blocked_ns": 5000000, "send_duration_ns": 200000000, "duration_ns": 500000000,
  "latency_mean_ns": 1000000, "latency_max_ns": 2000000, "hung": 0, "hung_reason": "",
  "counters": {"ring.tx_dropped": {"before": 3, "after": $((3 + $8))},
    "socket.UdpSndbufErrors": {"before": 0, "after": 0}}}}
JSON
}
result "$dir/a.json" 25 "pfifo limit 25000" pfifo 25000 2000 216 1784 0
result "$dir/b.json" 1 "pfifo limit 25000" pfifo 25000 2000 1993 0 7
db=$dir/s.db
"$store" add --db "$db" --campaign c1 --variant stock --accel tcg --patch-hash abc123 \
	--env image_key=7e01b584307b --env 'note=a "quoted" value' "$dir/a.json" >/dev/null
"$store" add --db "$db" --campaign c1 --variant nodrop-v2 --accel tcg "$dir/b.json" >/dev/null
"$store" table --db "$db" --campaign c1 >"$dir/table"
check "table has the stock row" grep -qE '^stock +25 pfifo limit 25000 +2000 +216 +1784 ' "$dir/table"
check "table has the nodrop-v2 row" grep -qE '^nodrop-v2 +1 pfifo limit 25000 +2000 +1993 +0 +0 +7 ' "$dir/table"
rc=0
"$store" check --db "$db" --campaign c1 >"$dir/check" || rc=$?
check "check fails on the violation (exit 1, got $rc)" test "$rc" -eq 1
check "check names expectation and row" grep -qF 'FAIL nodrop-v2 ring=1 qdisc=pfifo limit 25000: nodrop-v2 with pfifo limit >= 25000 and a blocking sender loses no packet but the rare ring drops (lost 7, ring drops 0)' "$dir/check"
check "check counts" grep -qF '1 of 2 floods meet' "$dir/check"
check "runs row: kind, kernel, accel, release, ring, qdisc kind, as given, applied, limit" test \
	"$(sqlite3 "$db" "SELECT kind, kernel, accel, kernel_release, ring, qdisc_kind, qdisc, qdisc_applied, qdisc_limit FROM runs WHERE id = 1")" \
	= "selftest|stock|tcg|6.12.0-tb|25|pfifo|pfifo limit 25000|pfifo limit 25000|25000"
check "runs row: patch hash" test "$(sqlite3 "$db" "SELECT patch_hash FROM runs WHERE id = 1")" = abc123
check "runs row: env_json merges --env" test \
	"$(sqlite3 "$db" "SELECT json_extract(env_json, '\$.variant'), json_extract(env_json, '\$.image_key'), json_extract(env_json, '\$.note') FROM runs WHERE id = 1")" \
	= 'stock|7e01b584307b|a "quoted" value'
check "runs row 2: no patch hash is NULL" test "$(sqlite3 "$db" "SELECT patch_hash IS NULL FROM runs WHERE id = 2")" = 1
check "counters rows" test "$(sqlite3 "$db" "SELECT place, name, before, after FROM counters WHERE run_id = 1 ORDER BY place")" \
	= "ring|tx_dropped|3|1787
socket|UdpSndbufErrors|0|0"
"$store" check --db "$db" --campaign nope >/dev/null 2>&1 && rc=0 || rc=$?
check "check of an empty campaign fails" test "$rc" -eq 1
echo 'not json' >"$dir/bad.json"
rc=0
"$store" add --db "$db" --campaign c2 --variant stock --accel tcg "$dir/bad.json" 2>"$dir/err" || rc=$?
check "add refuses a non-result (exit 1)" test "$rc" -eq 1
check "add names the file" grep -qF "$dir/bad.json" "$dir/err"
check "nothing stored from a refused add" test "$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE campaign = 'c2'")" = 0
rc=0
"$store" add --db "$db" --campaign c2 "$dir/a.json" 2>"$dir/err" || rc=$?
check "add without --variant exits 2" test "$rc" -eq 2
rc=0
"$store" add --db "$db" --campaign c2 --variant stock --accel tcg --env 'bad key=1' "$dir/a.json" 2>"$dir/err" || rc=$?
check "--env without = exits 2" test "$rc" -eq 2
check "--env error names the option" grep -qF -- "--env wants KEY=VALUE" "$dir/err"

# Repeated floods (series=repeat): 4 of nodrop-v2 at ring 1 under
# pfifo_fast, one of them with 3 ring drops. They are left out of the
# grid's table, checked like any flood, and summed by 'repeats': 1 of 4
# with drops, Wilson 95 % [4.6, 69.9] %, 3 of 4000 packets = 750 ppm, no
# hang (0 of 4: [0.0, 49.0] %).
for k in 1 2 3 4; do
	drops=0
	[ "$k" -eq 2 ] && drops=3
	result "$dir/r$k.json" 1 pfifo_fast pfifo_fast 1 1000 $((100 - drops)) "$drops" $((900))
done
"$store" add --db "$db" --campaign c3 --variant nodrop-v2 --accel tcg "$dir/b.json" >/dev/null
"$store" add --db "$db" --campaign c3 --variant nodrop-v2 --accel tcg --env series=repeat \
	"$dir"/r[1-4].json >/dev/null
"$store" table --db "$db" --campaign c3 >"$dir/table3"
check "the grid's table leaves the repeats out" test "$(grep -c '^nodrop-v2' "$dir/table3")" = 1
"$store" repeats --db "$db" --campaign c3 >"$dir/repeats"
check "repeats: floods, with drops and interval, ppm, max, hung" grep -qE \
	'^nodrop-v2 +1 pfifo_fast +4 1 \[4\.6, 69\.9\] % +3/4000 \(750\) +3 0 \[0\.0, 49\.0\] % +0$' "$dir/repeats"
rc=0
"$store" check --db "$db" --campaign c3 >"$dir/check3" || rc=$?
check "check covers the repeats (5 floods)" grep -qF 'of 5 floods meet' "$dir/check3"
rc=0
"$store" repeats --db "$db" --campaign c1 >/dev/null 2>&1 || rc=$?
check "repeats of a campaign without any exits 1" test "$rc" -eq 1
rc=0
"$store" frobnicate 2>/dev/null || rc=$?
check "unknown store command exits 2" test "$rc" -eq 2

tb_summary
