#!/usr/bin/env bash
# size-queue's recommendation on hand-made points with known answers, and its
# input checks (which stop before anything boots).
set -euo pipefail
root=${1:?usage: size_queue_test.sh REPO_ROOT}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/sq.db
"${TB_BUILD:-$root/build}/lib/tb-db" init "$db"
# Points: (kernel, ring, qdisc, lost packets of 20, latency ms of every frame)
sqlite3 "$db" <<'SQL'
WITH p(kernel, ring, qdisc, lost, ms) AS (VALUES
  ('stock', 25, 'pfifo_fast', 3, 30.0), ('stock', 500, 'pfifo_fast', 0, 600.0),
  ('stock', 100, 'fq_codel', 0, 80.0),
  ('nodrop-v2', 1, 'pfifo limit 25000', 0, 45.2), ('nodrop-v2', 5, 'pfifo limit 25000', 0, 45.4),
  ('nodrop-v2', 25, 'fq_codel', 0, 45.3), ('nodrop-v2', 500, 'pfifo limit 25000', 0, 600.0),
  ('nodrop-qdisc', 10, 'pfifo limit 25000', 0, 44.6), ('nodrop-qdisc', 5, 'pfifo limit 25000', 0, 45.5),
  ('nodrop-qdisc', 1, 'pfifo limit 25000', 0, 45.7))
-- knobs_json carries each point's lost and ms to the inserts below
INSERT INTO runs(campaign, kind, kernel, ring, qdisc, knobs_json, profile, traffic, clip, sndbuf, pace,
  vpn, decode, cpu_limit, duration, seed, repetition, status, valid, invalid_reason)
SELECT 'sq', 'video', kernel, ring, qdisc, json_object('lost', lost, 'ms', ms),
  'lte-uplink', 'video', '720p30', 0, 0, 'openvpn', 'off', 90, 8, 1, 1, 'done', 1, NULL FROM p;
-- Campaign sq2: one camera loses nothing at ring 25; two cameras lose 3
-- packets there and nothing at ring 100 (90 ms): each camera count gets its own.
WITH p(cameras, ring, lost, ms) AS (VALUES (1, 25, 0, 30.0), (2, 25, 3, 30.0), (2, 100, 0, 90.0))
INSERT INTO runs(campaign, kind, kernel, ring, qdisc, knobs_json, profile, traffic, clip, cameras, sndbuf, pace,
  vpn, decode, cpu_limit, duration, seed, repetition, status, valid, invalid_reason)
SELECT 'sq2', 'video', 'stock', ring, 'pfifo_fast', json_object('lost', lost, 'ms', ms),
  'lte-uplink', 'video', '720p30', cameras, 0, 0, 'openvpn', 'off', 90, 8, 1, 1, 'done', 1, NULL FROM p;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19)
INSERT INTO frames_sent(run_id, frame_no, packets, send_errors) SELECT id, i, 1, 0 FROM runs, n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19)
INSERT INTO frames_recv(run_id, stream, frame_no, pkts_expected, pkts_received, complete, decodable, latency_ns)
SELECT id, 0, i, 1, i >= json_extract(knobs_json, '$.lost'), i >= json_extract(knobs_json, '$.lost'),
  i >= json_extract(knobs_json, '$.lost'), CAST(json_extract(knobs_json, '$.ms') * 1e6 AS INTEGER) FROM runs, n;
-- the packets were lost in the ring
INSERT INTO counters SELECT id, 'ring', 'tx_dropped', 0, json_extract(knobs_json, '$.lost') FROM runs;
INSERT INTO counters SELECT id, 'qdisc', 'dropped', 0, 0 FROM runs;
-- a TCP run in the same campaign: not a video point, never recommended
INSERT INTO runs(campaign, kind, kernel, ring, qdisc, knobs_json, profile, traffic, sndbuf, pace, vpn, decode,
  cpu_limit, duration, seed, repetition, status, valid)
VALUES ('sq', 'tcp', 'nodrop-qdisc', 7, 'pfifo_fast', '{"lost":0,"ms":0}', 'lte-uplink', 'tcp', 0, 0, 'openvpn', 'off',
  90, 8, 1, 1, 'done', 1);
SQL
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"

out=$(bash "$root/experiments/size-queue.sh" --from-db "$db" --campaign sq)
printf '%s\n' "$out"
expect "stock: zero loss, lowest p95" "$(grep '^recommended for stock' <<<"$out")" \
	"recommended for stock: ring 100, qdisc fq_codel: no packet lost on the robot in 1 run(s), p95 80.0 ms, p99 80.0 ms"
expect "patched: p95 ties within 1 ms go to the smaller ring" "$(grep '^recommended for nodrop-v2' <<<"$out")" \
	"recommended for nodrop-v2: ring 1, qdisc pfifo limit 25000: no packet lost on the robot in 1 run(s), p95 45.2 ms, p99 45.2 ms"
expect "within 1 ms of the lowest p95 (44.6), the smaller ring (5 at 45.5, not 1 at 45.7)" "$(grep '^recommended for nodrop-qdisc' <<<"$out")" \
	"recommended for nodrop-qdisc: ring 5, qdisc pfifo limit 25000: no packet lost on the robot in 1 run(s), p95 45.5 ms, p99 45.5 ms"
expect "TCP points are not in the tables" "$(grep -cE '│ 7 +│ pfifo_fast' <<<"$out" || true)" 0
expect "the table behind it shows the lossy point" "$(grep -cE '│ 3 +│ 15.00 ' <<<"$out")" 1

out=$(bash "$root/experiments/size-queue.sh" --from-db "$db" --campaign sq2)
printf '%s\n' "$out"
expect "one recommendation per camera count" "$(grep '^recommended for stock' <<<"$out")" \
	"recommended for stock (profile lte-uplink, openvpn, clip 720p30, 1 camera(s)): ring 25, qdisc pfifo_fast: no packet lost on the robot in 1 run(s), p95 30.0 ms, p99 30.0 ms
recommended for stock (profile lte-uplink, openvpn, clip 720p30, 2 camera(s)): ring 100, qdisc pfifo_fast: no packet lost on the robot in 1 run(s), p95 90.0 ms, p99 90.0 ms"

out=$(bash "$root/experiments/size-queue.sh" --from-db "$db" --campaign sq2 --cameras 2)
expect "--cameras 2: that count only, no context needed" "$(grep -c '^recommended for stock: ring 100' <<<"$out") $(grep -c '^recommended' <<<"$out")" "1 1"
set +e
bash "$root/experiments/size-queue.sh" --from-db "$db" --campaign sq2 --cameras 4 >/dev/null 2>"$dir/e8"; rc8=$?
set -e
expect "--cameras 4: none, and which there are" "$rc8 $(cat "$dir/e8")" "1 testbed: error: size-queue: campaign 'sq2' has no video points with 4 camera(s) (it has: 1, 2)"

set +e
printf 'not a database\n' >"$dir/notes.txt"
bash "$root/experiments/size-queue.sh" --from-db "$dir/notes.txt" --campaign sq >/dev/null 2>"$dir/e0"; rc0=$?
bash "$root/experiments/size-queue.sh" --profile lan >/dev/null 2>"$dir/e1"; rc1=$?
bash "$root/experiments/size-queue.sh" --profile lan --bitrate fast >/dev/null 2>"$dir/e2"; rc2=$?
bash "$root/experiments/size-queue.sh" --profile atlantis --bitrate 4mbit --db "$dir/x.db" >/dev/null 2>"$dir/e3"; rc3=$?
bash "$root/experiments/size-queue.sh" --profile lan --clip no-such-clip >/dev/null 2>"$dir/e4"; rc4=$?
bash "$root/experiments/size-queue.sh" --profile lan --clip 720p30 --bitrate 4mbit >/dev/null 2>"$dir/e5"; rc5=$?
bash "$root/experiments/size-queue.sh" --profile lan --bitrate 4mbit --vpn ipsec >/dev/null 2>"$dir/e6"; rc6=$?
bash "$root/experiments/size-queue.sh" --profile lan --bitrate 4mbit --cameras 9 >/dev/null 2>"$dir/e7"; rc7=$?
set -e
expect "--from-db on a text file exits 2" "$rc0" 2
expect "--from-db on a text file says what it should be" "$(cat "$dir/e0")" \
	"testbed: $dir/notes.txt is not a results database (made by ./testbed run or sweep)"
expect "bitrate required" "$rc1" 2
expect "bad bitrate exits 2" "$rc2" 2
expect "bad bitrate named" "$(grep -c "'fast' is not a rate" "$dir/e2")" 1
expect "unknown profile stops before booting" "$rc3" 1
expect "unknown profile named" "$(grep -c "unknown netem profile 'atlantis'" "$dir/e3")" 1
expect "an unknown clip exits 2" "$rc4" 2
expect "and says where clips come from" "$(grep -c "no clip 'no-such-clip' (./testbed clips list" "$dir/e4")" 1
expect "clip and bitrate together exit 2" "$rc5" 2
expect "an unknown vpn exits 2, naming both" "$rc6 $(grep -c "openvpn or wireguard-go" "$dir/e6")" "2 1"
expect "9 cameras exit 2, with the range" "$rc7 $(grep -c "a number of cameras, 1 to 8" "$dir/e7")" "2 1"

tb_summary
