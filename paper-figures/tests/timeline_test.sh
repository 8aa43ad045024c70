#!/usr/bin/env bash
# ./testbed figures --run ID: the timeline renders (PNG and SVG) from a
# hand-made database, its panels are titled, and the data behind it is the
# fixture's: which frames were lost and damaged, the ring drops and the
# backlog, on seconds from the run's start. A field run of tb-watch's
# samples alone renders too; a bad or missing run is refused.
set -euo pipefail
root=${1:?usage: timeline_test.sh REPO_ROOT}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tbdb=${TB_BUILD:-$root/build}/lib/tb-db
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
db=$dir/t.db
"$tbdb" init "$db" >/dev/null

# Run 1 starts at T0. 60 frames at 30 fps from T0 + 1 s (frame i at
# 1 + i/30 s). Frame 30 never arrived, frame 31 arrived incomplete: 2 lost.
# Frames 32-40 arrived whole but not decodable (their reference was lost): 9
# damaged. Latency 20 + i mod 5 ms. The sender blocked 5 ms in frames 30-32.
# Samples every 0.1 s from 0.1 to 3.0 s: 7 ring drops at 2.0 s (frame 30's
# time), a backlog of 1.5 kB at 2.1 s and 45 kB at 2.2 s.
sqlite3 "$db" <<'SQL'
INSERT INTO runs(id, kind, kernel, ring, qdisc, profile, clip, started_ns, status)
VALUES (1, 'video', 'stock', 25, 'pfifo limit 25000', 'lan', '720p30', 1700000000000000000, 'done');
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 59)
INSERT INTO frames_sent(run_id, frame_no, packets, capture_ns, send_start_ns, send_end_ns, blocked_ns)
SELECT 1, i, 4, 1700000001000000000 + i * 33333333, 1700000001000000000 + i * 33333333,
  1700000001000000000 + i * 33333333 + 100000, CASE WHEN i BETWEEN 30 AND 32 THEN 5000000 ELSE 0 END FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 59)
INSERT INTO frames_recv(run_id, stream, frame_no, pkts_expected, pkts_received, complete, decodable, latency_ns)
SELECT 1, 0, i, 4, CASE WHEN i = 31 THEN 2 ELSE 4 END, i != 31, i != 31 AND i NOT BETWEEN 32 AND 40,
  (20 + i % 5) * 1000000 FROM n WHERE i != 30;
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 30)
INSERT INTO samples(run_id, t_ns, name, value, unit)
SELECT 1, 1700000000000000000 + k * 100000000, 'ring_drops', CASE WHEN k = 20 THEN 7 ELSE 0 END, 'pkts' FROM n
UNION ALL
SELECT 1, 1700000000000000000 + k * 100000000, 'qdisc_backlog_bytes',
  CASE k WHEN 21 THEN 1500 WHEN 22 THEN 45000 ELSE 0 END, 'B' FROM n;
-- Run 2: a tb-watch run on the robot, samples only, no started_ns: 3 drops
-- at 0.5 s after its first sample.
INSERT INTO runs(id, kind, ring, qdisc_kind, knobs_json, status) VALUES (2, 'watch', 2, 'pfifo_fast', '{"dev":"tun0","hz":10}', 'done');
INSERT INTO samples(run_id, t_ns, name, value, unit) VALUES
  (2, 1800000000000000000, 'ring_drops', 0, 'pkts'), (2, 1800000000500000000, 'ring_drops', 3, 'pkts'),
  (2, 1800000001000000000, 'ring_drops', 0, 'pkts');
SQL

"$root/testbed" figures --run 1 --db "$db" --out "$dir/out" >"$dir/log" 2>&1 || { cat "$dir/log"; exit 1; }
png=$dir/out/timeline-run-1.png svg=$dir/out/timeline-run-1.svg
expect "PNG" "$(head -c 8 "$png" | od -An -c | tr -d ' ')" '211PNG\r\n032\n'
expect "PNG is a picture, not a stub (> 20 kB)" "$(($(stat -c %s "$png") > 20000))" 1
expect "SVG" "$(grep -c '<svg' "$svg")" 1
expect "no gnuplot warnings" "$(grep -ci 'warning' "$dir/log" || true)" 0
for title in "frame latency, capture to last packet (ms)" "lost and damaged frames" "sender blocked in send() per frame (ms)" \
	"TUN ring drops per sample (packets)" "qdisc backlog (kB)" "seconds from the run's start"; do
	expect "SVG panel: $title" "$(grep -c -F "<text>$title</text>" "$svg")" 1
done
expect "SVG title: the run, its settings and its losses" \
	"$(grep -c -F -e '>Run 1: what each frame met on its way<' -e '>video, kernel stock, ring 25, pfifo limit 25000, profile lan, clip 720p30; 60 frames sent, 2 lost, 9 damaged<' "$svg")" 2
expect "SVG keys: sample names as written (noenhanced)" "$(grep -c -F -e '<text>ring_drops</text>' -e '<text>qdisc_backlog_bytes</text>' -e '<text>blocked_ns</text>' "$svg")" 3
d=$dir/out/data/timeline-1
expect "lost frames: 30 and 31, at 2.0 and 2.033 s" "$(awk '{ printf "%.3f ", $1 }' "$d-lost.dat")" "2.000 2.033 "
expect "damaged frames: 9, from frame 32 (2.067 s)" "$(wc -l <"$d-damaged.dat") $(head -n1 "$d-damaged.dat" | awk '{ printf "%.3f", $1 }')" "9 2.067"
expect "shown frames: 60 - 2 - 9" "$(wc -l <"$d-ok.dat")" 49
expect "first shown frame at 1 s, latency 20 ms" "$(head -n1 "$d-ok.dat" | awk '{ printf "%.3f %.1f", $1, $2 }')" "1.000 20.0"
expect "blocked: 3 frames of 5 ms" "$(awk '$2 > 0 { n++; s += $2 } END { print n, s }' "$d-blocked.dat")" "3 15"
expect "ring drops: 7 at 2.0 s" "$(awk '$2 > 0 { printf "%.1f %d", $1, $2 }' "$d-ring.dat")" "2.0 7"
expect "backlog: 45 kB at 2.2 s at most, 30 samples to 3.0 s" "$(sort -t$'\t' -k2 -g "$d-backlog.dat" | tail -n1 | awk '{ printf "%.1f %g ", $1, $2 }')$(wc -l <"$d-backlog.dat") $(tail -n1 "$d-backlog.dat" | cut -f1)" \
	"2.2 45 30 3.0"

# The field run: samples only, time from its first sample.
"$root/testbed" figures --run 2 --db "$db" --out "$dir/out" >"$dir/log2" 2>&1 || { cat "$dir/log2"; exit 1; }
expect "field run: rendered" "$(grep -c '<svg' "$dir/out/timeline-run-2.svg")" 1
expect "field run: no warnings" "$(grep -ci 'warning' "$dir/log2" || true)" 0
expect "field run: says loss is unknown" "$(grep -c -F 'watch, ring 2, pfifo_fast, dev tun0; 0 frames sent, no tb-recv rows: loss unknown' "$dir/out/timeline-run-2.svg")" 1
expect "field run: empty series keyed as none" "$(grep -c -F '<text>shown: none</text>' "$dir/out/timeline-run-2.svg")" 1
expect "field run: drops at 0.5 s" "$(awk '$2 > 0 { printf "%.1f %d", $1, $2 }' "$dir/out/data/timeline-2-ring.dat")" "0.5 3"

# Refused: not a run id (2), no such run (1).
rc=0
"$root/testbed" figures --run x1 --db "$db" --out "$dir/out" >/dev/null 2>"$dir/err" || rc=$?
expect "--run x1: exit 2" "$rc" 2
expect "--run x1: says why" "$(head -n1 "$dir/err")" "testbed: figures: --run: expected a run id (a positive integer), got 'x1'"
rc=0
"$root/testbed" figures --run 9 --db "$db" --out "$dir/out" >/dev/null 2>"$dir/err" || rc=$?
expect "--run 9: exit 1" "$rc" 1
expect "--run 9: says why" "$(cat "$dir/err")" "testbed: error: figures: no run 9 in $db"

tb_summary
