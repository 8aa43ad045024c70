#!/usr/bin/env bash
# The analysis views and ./testbed report against a hand-made database
# (fixture.sql) whose answers were worked out by hand.
set -euo pipefail
root=${1:?usage: views_test.sh REPO_ROOT}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/fx.db
tbdb=${TB_BUILD:-$root/build}/lib/tb-db
"$tbdb" init "$db"
sqlite3 "$db" <"$here/fixture.sql"
q() { "$tbdb" query "$db" "$1" --views "$root/analysis/views.sql"; }
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
t() { printf '%s' "$*" | tr ' ' '\t'; }

# Attribution: run 1: 50 sent, 48 received, 2 in the ring; run 3: 3 in the
# ring, 2 on the WAN (netem and the robot's veth); run 4: 2 RcvbufErrors,
# both on OpenVPN's socket; run 8 (mixed): the loss, but no places.
expect "attribution run 1" "$(q "SELECT sent, received, ring, qdisc, wan, vpn, receiver, unexplained FROM run_attribution WHERE run_id=1")" "$(t 50 48 2 0 0 0 0 0)"
expect "attribution run 3 (WAN)" "$(q "SELECT sent, received, ring, wan, vpn, unexplained FROM run_attribution WHERE run_id=3")" "$(t 50 45 3 2 0 0)"
expect "mixed run: loss known, places not" "$(q "SELECT sent, received, ring IS NULL, qdisc IS NULL, unexplained IS NULL FROM run_attribution WHERE run_id=8")" "$(t 50 48 1 1 1)"
expect "mixed run: video loss and TCP throughput" "$(q "SELECT pkt_loss_pct, local_drops IS NULL, tcp_mbit_s FROM run_summary WHERE run_id=8")" "$(t 4.0 1 1.5)"
expect "receiver excludes OpenVPN's socket" "$(q "SELECT receiver FROM run_attribution WHERE run_id=4")" 0
expect "tcp runs have no video attribution" "$(q "SELECT count(*) FROM run_attribution WHERE run_id IN (5, 6)")" 0

# Per run: losses in percent, latency percentiles (nearest rank over the 9
# complete frames of run 1: 10..100 ms without 40).
expect "run 1 loss, frame loss, artifacts" "$(q "SELECT pkt_loss_pct, frame_loss_pct, artifact_pct FROM run_summary WHERE run_id=1")" "$(t 4.0 10.0 70.0)"
expect "run 1 latency p50 p95 p99 max (ms)" "$(q "SELECT p50_ms, p95_ms, p99_ms, max_ms FROM run_summary WHERE run_id=1")" "$(t 60.0 100.0 100.0 100.0)"
expect "run 1 blocked ms" "$(q "SELECT blocked_ms, max_blocked_ms FROM run_summary WHERE run_id=1")" "$(t 10.0 1.0)"
expect "unfinished runs are not reported" "$(q "SELECT count(*) FROM run_summary WHERE run_id=7")" 0

# Per point: mean and sample sd over valid runs; the invalid one is counted.
expect "point A: runs, invalid" "$(q "SELECT runs, invalid_runs FROM point_summary WHERE kernel='stock' AND ring=25")" "$(t 2 1)"
expect "point A: loss mean, sd" "$(q "SELECT pkt_loss_pct, printf('%.4f', pkt_loss_sd) FROM point_summary WHERE kernel='stock' AND ring=25")" "$(t 6.0 2.8284)"
expect "point A: most robot-side drops in a valid run (ring 2, 4; the invalid run's 3 + 2 WAN not counted)" "$(q "SELECT max_local_drops FROM point_summary WHERE kernel='stock' AND ring=25")" 4
expect "point A: qdisc as asked" "$(q "SELECT qdisc_spec FROM point_summary WHERE kernel='stock' AND ring=25")" "pfifo limit 25000"
expect "point B: one run, no spread" "$(q "SELECT runs, pkt_loss_pct, pkt_loss_sd IS NULL FROM point_summary WHERE kernel='nodrop-v2' AND traffic='video'")" "$(t 1 0.0 1)"
expect "point C: TCP mean, sd (Mbit/s)" "$(q "SELECT tcp_mbit_s, printf('%.4f', tcp_mbit_sd) FROM point_summary WHERE traffic='tcp' AND kernel='stock'")" "$(t 3.0 1.4142)"

# The report: table, CSV and JSON.
report=$root/analysis/report.sh
out=$(bash "$report" "$db")
expect "table shows mean ± sd" "$(grep -c '6.00 ± 2.83' <<<"$out")" 1
expect "table lists the invalid run" "$(grep -c 'guest CPU saturated' <<<"$out")" 1
expect "csv has a header and 5 points" "$(bash "$report" "$db" --format csv | wc -l)" 6
expect "json is an array of 8 runs" "$(bash "$report" "$db" --runs --format json | jq length)" 8
expect "campaign filter" "$(bash "$report" "$db" --campaign nope --format csv | wc -l)" 0
# REPORT.md: the paper's numbers (datasets/published/) beside ours, per row.
mkdir -p "$dir/fig"
bash "$root/analysis/report-md.sh" "$db" "$dir/fig" "$dir/REPORT.md" >/dev/null
row() { grep -E "^\| $1 +\| $2 +\|" "$dir/REPORT.md" | grep -F "$3" | head -n1 | awk -F'|' '{ gsub(/ /, "", $NF); gsub(/ /, "", $(NF - 1)); print $(NF - 1) }'; }
expect "REPORT: stock ring 25 video beside the paper's 29 %" "$(row stock 25 'pfifo limit 25000')" "upto29"
expect "REPORT: patched video beside the paper's 0 %" "$(row nodrop-v2 25 'pfifo limit 25000')" 0
expect "REPORT: stock TCP ring 10 beside the paper's stock 1.6" "$(row stock 10 de-us)" 1.6
expect "REPORT: patched TCP ring 10 beside the paper's patched 183.6" "$(row nodrop-v2 10 de-us)" 183.6
expect "REPORT: the invalid run listed" "$(grep -c 'guest CPU saturated' "$dir/REPORT.md")" 1

set +e
bash "$report" "$dir/missing.db" 2>/dev/null; rc1=$?
bash "$report" "$db" --format xml 2>/dev/null; rc2=$?
set -e
expect "missing database fails" "$rc1" 1
expect "bad format exits 2" "$rc2" 2

tb_summary
