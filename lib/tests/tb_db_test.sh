#!/usr/bin/env bash
# tb-db from the shell: runs rows from a point file, finishing a run from its
# files (counters, samples, receiver summary, iperf3 JSON, pictures) in one
# transaction with the validity rule, merging run databases into a campaign
# (ids remapped, child rows follow, an older file migrated), resume keys, bad
# input. Expected values are worked out by hand from the inputs written here.
set -euo pipefail
db=${1:?usage: tb_db_test.sh PATH/TO/tb-db PATH/TO/make_v5_db}
make_v5=${2:?usage: tb_db_test.sh PATH/TO/tb-db PATH/TO/make_v5_db}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
iperf_json=$here/iperf3-fixture.json
[ -f "$iperf_json" ] || { echo "missing fixture $iperf_json" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=tests/check.sh
source "$here/../../tests/check.sh"
q() { "$db" query "$1" "$2"; }
tab() { tr '\t\n' ' |'; } # rows on one line: fields by spaces, rows ended by |

"$db" init "$dir/c.db"
expect "init creates a store" "$(q "$dir/c.db" "SELECT count(*) FROM runs")" 0

# --- run-new --point ----------------------------------------------------------
cat >"$dir/p3.point" <<'EOF'
# sweep ci-quick, point 3
campaign = ci-quick
point_key = kernel=stock;ring=25;qdisc=pfifo limit 25000;rep=1
repetition = 1
kernel = stock
ring = 25
qdisc = pfifo limit 25000
profile = lan
traffic = video
clip = 720p30
sndbuf = 0
pace = 0
vpn = openvpn
decode = off
dump_frames =
cpu_limit = 90
duration = 10
seed = 1
EOF
p=$dir/p.db
id=$("$db" run-new "$p" --point "$dir/p3.point" kind=video ring=50)
expect "run-new --point prints the id" "$id" 1
expect "every point key lands in its column" \
	"$(q "$p" "SELECT campaign, point_key, repetition, kernel, qdisc, profile, traffic, clip, sndbuf, pace, vpn,
	   decode, dump_frames IS NULL, cpu_limit, duration, seed FROM runs WHERE id = 1" | tab)" \
	"ci-quick kernel=stock;ring=25;qdisc=pfifo limit 25000;rep=1 1 stock pfifo limit 25000 lan video 720p30 0 0.0 openvpn off 1 90.0 10 1|"
expect "COLUMN=VALUE adds and overrides" "$(q "$p" "SELECT kind, ring, typeof(ring) FROM runs WHERE id = 1" | tab)" "video 50 integer|"
expect "run-new COLUMN=VALUE alone still works" "$("$db" run-new "$p" kind=tcp ring=5)" 2

set +e
printf 'campaign = x\n\ncolour = red\n' >"$dir/bad.point"
"$db" run-new "$p" --point "$dir/bad.point" kind=video >/dev/null 2>"$dir/err"; rc=$?
expect "unknown point key exits 1" "$rc" 1
expect "unknown point key named with file and line" "$(grep -c "$dir/bad.point:3: 'colour' is not a setting" "$dir/err")" 1
printf 'campaign = x\nring 25\n' >"$dir/bad.point"
"$db" run-new "$p" --point "$dir/bad.point" kind=video >/dev/null 2>"$dir/err"; rc=$?
expect "malformed point line exits 1" "$rc" 1
expect "malformed point line named" "$(grep -c "$dir/bad.point:2: expected 'key = value'" "$dir/err")" 1
"$db" run-new "$p" --point "$dir/none.point" >/dev/null 2>"$dir/err"; rc=$?
expect "missing point file exits 1" "$rc" 1
"$db" run-new "$p" --point >/dev/null 2>&1; rc=$?
expect "--point without a file exits 2" "$rc" 2
set -e
expect "failed run-new wrote no row" "$(q "$p" "SELECT count(*) FROM runs")" 2

# --- finish -------------------------------------------------------------------
# A counter snapshot before and after: integers present in both become counters
# (place = before the first dot); the state and the one-sided keys do not.
printf '%s\n' ring.tx_dropped=10 qdisc.dropped=0 wan.up.veth_tx_dropped=5 vpn.robot.state=CONNECTED \
	time.real_ns=1000 only.before=3 >"$dir/before.kv"
printf '%s\n' ring.tx_dropped=17 qdisc.dropped=0 wan.up.veth_tx_dropped=8 vpn.robot.state=CONNECTED \
	time.real_ns=2000 only.after=4 '' >"$dir/after.kv"
printf '1000 cpu_busy_pct 50.0 %%\n2000 cpu_busy_pct 62.4 %%\n1000 vpn_cpu_pct 20 %%\n\n2000 ring_drops 3\n' >"$dir/samples.txt"
cat >"$dir/recv.txt" <<'EOF'
frames total 10 complete 9 decodable 9 chain_decodable 9 forced 0 untracked 0
packets expected 100 received 95 lost 5 loss_pct 5.000 duplicate 1 reordered 2 late 0 malformed 0 streams 1 restarts 0 stale_ssrc 0 rtcp 0 filtered 0 datagrams 96
EOF
mkdir "$dir/png"
printf 'PNG45' >"$dir/png/frame-s0-000045.png"
printf 'PNG7' >"$dir/png/frame-s1-7.png"
printf 'not a frame' >"$dir/png/notes.txt"

f=$dir/f.db
link='{"profile_values":{"bottleneck":"link"}}'
id=$("$db" run-new "$f" kind=mixed cpu_limit=90 knobs_json="$link")
t0=$(date +%s%N)
"$db" finish "$f" "$id" --before "$dir/before.kv" --after "$dir/after.kv" --samples "$dir/samples.txt" \
	--receiver "$dir/recv.txt" --iperf "$iperf_json" --images "$dir/png"
t1=$(date +%s%N)
expect "counters from the snapshots" \
	"$(q "$f" "SELECT place, name, before, after FROM counters WHERE run_id = $id AND place != 'receiver' ORDER BY place, name" | tab)" \
	"qdisc dropped 0 0|ring tx_dropped 10 17|time real_ns 1000 2000|wan up.veth_tx_dropped 5 8|"
expect "receiver counters from its packets line" \
	"$(q "$f" "SELECT name, before, after FROM counters WHERE run_id = $id AND place = 'receiver' ORDER BY name" | tab)" \
	"duplicate 0 1|expected 0 100|late 0 0|lost 0 5|malformed 0 0|received 0 95|reordered 0 2|"
expect "samples, unit optional" \
	"$(q "$f" "SELECT t_ns, name, value, coalesce(unit, '-') FROM samples WHERE run_id = $id ORDER BY name, t_ns" | tab)" \
	"1000 cpu_busy_pct 50.0 %|2000 cpu_busy_pct 62.4 %|2000 ring_drops 3.0 -|1000 vpn_cpu_pct 20.0 %|"
expect "tcp intervals; missing retransmits and rtt are 0" \
	"$(q "$f" "SELECT start_s, end_s, bytes, bits_per_second, retransmits, snd_cwnd_bytes, rtt_us FROM tcp_intervals WHERE run_id = $id ORDER BY start_s" | tab)" \
	"0.0 1.000123 1250000 9998770.2 2 64240 21500|1.000123 2.000051 1310720 10486707.5 0 80300 0|"
expect "tcp results" \
	"$(q "$f" "SELECT duration_s, sent_bytes, received_bytes, sender_bps, receiver_bps, retransmits, mean_rtt_us, max_snd_cwnd_bytes FROM tcp_results WHERE run_id = $id" | tab)" \
	"2.000051 2560720 2490368 10242552.8 9766149.0 2 21800 80300|"
expect "frame pictures by stream and frame" \
	"$(q "$f" "SELECT stream, frame_no, CAST(png AS TEXT) FROM frame_images WHERE run_id = $id ORDER BY stream" | tab)" \
	"0 45 PNG45|1 7 PNG7|"
# cpu mean (50 + 62.4) / 2 = 56.2, OpenVPN 20 % of a core: both below 90.
expect "validity and status" "$(q "$f" "SELECT valid, cpu_busy_pct, coalesce(invalid_reason, '-'), status FROM runs WHERE id = $id" | tab)" \
	"1 56.2 - done|"
ended=$(q "$f" "SELECT ended_ns FROM runs WHERE id = $id")
check "ended_ns is not before finish began" test "$t0" -le "$ended"
check "ended_ns is not after finish ended" test "$ended" -le "$t1"

# A malformed input: exit 1, the file (and line) named, nothing written.
# Good counters go first (they are stored before the other inputs are read).
good=(--before "$dir/before.kv" --after "$dir/after.kv")
bad_finish() { # bad_finish WHAT PATTERN ARGS...: finish a new run with ARGS, expect failure
	local what=$1 pattern=$2 rid rc=0
	shift 2
	rid=$("$db" run-new "$f" kind=video cpu_limit=90)
	"$db" finish "$f" "$rid" "$@" 2>"$dir/err" || rc=$?
	expect "$what: exit 1" "$rc" 1
	expect "$what: message" "$(grep -cF -- "$pattern" "$dir/err")" 1
	expect "$what: nothing written" "$(q "$f" "SELECT (SELECT count(*) FROM counters WHERE run_id = $rid)
		+ (SELECT count(*) FROM samples WHERE run_id = $rid) + (SELECT count(*) FROM tcp_intervals WHERE run_id = $rid)
		+ (SELECT count(*) FROM frame_images WHERE run_id = $rid), status, coalesce(valid, '-') FROM runs WHERE id = $rid" | tab)" "0 running -|"
}
printf '1000 cpu_busy_pct 50 %%\n2000 cpu_busy_pct lots %%\n' >"$dir/bad-samples.txt"
bad_finish "sample value not a number" "$dir/bad-samples.txt:2: value 'lots' is not a number" "${good[@]}" \
	--samples "$dir/bad-samples.txt" --iperf "$iperf_json"
printf '1000 cpu_busy_pct\n' >"$dir/bad-samples.txt"
bad_finish "sample line too short" "$dir/bad-samples.txt:1: expected 'T_NS NAME VALUE [UNIT]'" "${good[@]}" --samples "$dir/bad-samples.txt"
printf 'ring.tx_dropped=1\nno equals sign\n' >"$dir/bad.kv"
bad_finish "counter line without =" "$dir/bad.kv:2: expected place.name=value" --samples "$dir/samples.txt" \
	--before "$dir/before.kv" --after "$dir/bad.kv"
echo '{"start": {}, "error": "unable to connect to server"' >"$dir/bad-iperf.json"
bad_finish "iperf output not JSON" "$dir/bad-iperf.json: not JSON" "${good[@]}" --samples "$dir/samples.txt" --iperf "$dir/bad-iperf.json"
echo '{"start": {}, "intervals": [], "error": "unable to connect to server"}' >"$dir/bad-iperf.json"
bad_finish "iperf3 error" "iperf3 said: unable to connect to server" "${good[@]}" --samples "$dir/samples.txt" --iperf "$dir/bad-iperf.json"
head -n1 "$dir/recv.txt" >"$dir/bad-recv.txt"
bad_finish "receiver summary without packets" "$dir/bad-recv.txt: no 'packets' line" "${good[@]}" --samples "$dir/samples.txt" \
	--receiver "$dir/bad-recv.txt"
printf 'packets expected 10 received many\n' >"$dir/bad-recv.txt"
bad_finish "receiver count not a number" "$dir/bad-recv.txt:1: received 'many' is not a whole number" \
	"${good[@]}" --samples "$dir/samples.txt" --receiver "$dir/bad-recv.txt"
mkdir "$dir/bad-png"
printf 'x' >"$dir/bad-png/frame-s0-x.png"
bad_finish "picture name without a frame number" "frame-s0-x.png: not a frame-sSTREAM-FRAME.png name" \
	"${good[@]}" --samples "$dir/samples.txt" --images "$dir/bad-png"
bad_finish "missing input file" "$dir/nowhere.txt" "${good[@]}" --samples "$dir/nowhere.txt"

set +e
"$db" finish "$f" 999 --samples "$dir/samples.txt" 2>"$dir/err"; rc=$?
expect "finish of a missing run exits 1" "$rc" 1
expect "missing run named" "$(grep -c 'no run with id 999' "$dir/err")" 1
"$db" finish "$f" "$id" --before "$dir/before.kv" 2>/dev/null; rc=$?
expect "--before without --after exits 2" "$rc" 2
"$db" finish "$f" "$id" --frobnicate x 2>/dev/null; rc=$?
expect "unknown finish option exits 2" "$rc" 2
set -e

# Validity through finish: samples only, the limit and profile from the row.
judge() { # judge CPU_LIMIT KNOBS SAMPLES -> "valid cpu_busy_pct reason"
	local rid
	rid=$("$db" run-new "$f" kind=video cpu_limit="$1" knobs_json="$2")
	printf '%b' "$3" >"$dir/v-samples.txt"
	"$db" finish "$f" "$rid" --samples "$dir/v-samples.txt"
	q "$f" "SELECT valid, coalesce(cpu_busy_pct, '-'), coalesce(invalid_reason, '-') FROM runs WHERE id = $rid" | tab
}
vpn='{"profile_values":{"bottleneck":"vpn"}}'
expect "CPU-saturated guest is invalid (mean 96)" "$(judge 90 "$link" '1 cpu_busy_pct 95\n2 cpu_busy_pct 97\n')" \
	"0 96.0 guest CPU saturated: mean 96.0% of all CPUs >= 90%|"
expect "CPU limit from the row (mean 96 < 97)" "$(judge 97 "$link" '1 cpu_busy_pct 95\n2 cpu_busy_pct 97\n')" "1 96.0 -|"
expect "OpenVPN CPU-bound on a link profile is invalid (mean 92)" \
	"$(judge 90 "$link" '1 cpu_busy_pct 30\n1 vpn_cpu_pct 91\n2 vpn_cpu_pct 93\n')" \
	"0 30.0 OpenVPN CPU-bound (92.0% of a core >= 90%) on a profile whose bottleneck is the link|"
expect "OpenVPN CPU-bound on a vpn profile is valid" \
	"$(judge 90 "$vpn" '1 cpu_busy_pct 30\n1 vpn_cpu_pct 91\n2 vpn_cpu_pct 93\n')" "1 30.0 -|"
expect "below the default limit is valid" "$(judge '' '' '1 cpu_busy_pct 89.9\n1 vpn_cpu_pct 89.9\n')" "1 89.9 -|"

# --- import -------------------------------------------------------------------
# Two run databases, as two guest runs would leave them.
printf '%s\n' ring.tx_dropped=10 qdisc.dropped=0 >"$dir/b.kv"
printf '1000 backlog_pkts 3 pkts\n2000 backlog_pkts 4\n3000 cpu_busy_pct 41.5 %%\n' >"$dir/s.txt"
for i in 1 2; do
	id=$("$db" run-new "$dir/r$i.db" campaign=ci kind=video ring=$((i * 25)) qdisc="pfifo limit 25000" \
		point_key="k$i" profile=)
	expect "first run id in r$i" "$id" 1
	printf '%s\n' ring.tx_dropped=$((10 + i)) qdisc.dropped=0 >"$dir/a.kv"
	"$db" finish "$dir/r$i.db" "$id" --before "$dir/b.kv" --after "$dir/a.kv" --samples "$dir/s.txt"
done
"$db" run-new "$dir/c.db" campaign=other kind=tcp point_key=x status=done >/dev/null

"$db" import "$dir/c.db" "$dir/r1.db" "$dir/r2.db" 2>/dev/null
expect "runs after import" "$(q "$dir/c.db" "SELECT count(*) FROM runs")" 3
expect "imported ids are new" "$(q "$dir/c.db" "SELECT group_concat(id) FROM runs WHERE campaign='ci'")" "2,3"
expect "values keep their types" "$(q "$dir/c.db" "SELECT typeof(ring), typeof(cpu_busy_pct), typeof(qdisc), typeof(profile) FROM runs WHERE id=2" | tab)" \
	"integer real text null|"
expect "counters follow their run" "$(q "$dir/c.db" "SELECT run_id, after FROM counters WHERE place='ring' ORDER BY run_id" | tab)" "2 11|3 12|"
expect "samples follow, unit optional" "$(q "$dir/c.db" "SELECT count(*), count(unit) FROM samples WHERE run_id=3" | tab)" "3 2|"
expect "done keys of a campaign" "$("$db" done-keys "$dir/c.db" ci | tr '\n' ' ')" "k1 k2 "
"$db" import "$dir/c.db" "$dir/r1.db" 2>/dev/null
expect "a finished run imported twice is kept once" "$(q "$dir/c.db" "SELECT count(*) FROM runs WHERE campaign='ci'")" 2

# A run database from a schema v5 build: migrated when opened, its columns
# copied by their new names.
"$make_v5" "$dir/old.db"
expect "the fixture is at v5" "$(q "$dir/old.db" "PRAGMA user_version")" 5
"$db" import "$dir/c.db" "$dir/old.db" 2>/dev/null
expect "v5 runs imported" "$(q "$dir/c.db" "SELECT count(*) FROM runs WHERE campaign IN ('c5', 'self', '')")" 4
expect "a standalone tb-send run gets no VPN" "$(q "$dir/c.db" "SELECT count(*) FROM runs WHERE traffic = 'tb-send' AND vpn IS NULL")" 1
expect "v5 settings under their v6 names" \
	"$(q "$dir/c.db" "SELECT kernel, qdisc_kind, qdisc_applied, qdisc, vpn, duration, pace FROM runs WHERE campaign = 'c5' AND point_key = 'k5'" | tab)" \
	"nodrop-v2 pfifo pfifo limit 25000 pfifo limit 25000 openvpn 10 0.5|"
expect "v5 counters follow their run" \
	"$(q "$dir/c.db" "SELECT c.after FROM counters c JOIN runs r ON r.id = c.run_id WHERE r.point_key = 'k5'")" 4
expect "the source was migrated in place" "$(q "$dir/old.db" "PRAGMA user_version")" 6

printf 'CREATE TEMP VIEW n_runs AS SELECT count(*) AS n FROM runs;\n' >"$dir/views.sql"
expect "query --views FILE SQL" "$("$db" query "$dir/c.db" --views "$dir/views.sql" "SELECT n FROM n_runs")" 7
expect "query SQL --views FILE" "$("$db" query "$dir/c.db" "SELECT n FROM n_runs" --views "$dir/views.sql")" 7

set +e
"$db" run-new "$dir/c.db" no_such_column=1 >/dev/null 2>"$dir/err"; rc=$?
expect "unknown column exits 2" "$rc" 2
expect "unknown column named" "$(grep -c "no settable column 'no_such_column'" "$dir/err")" 1
"$db" run-set "$dir/c.db" 99 status=done 2>"$dir/err"; rc=$?
expect "missing run id fails" "$rc" 1
expect "missing run named" "$(grep -c 'no run with id 99' "$dir/err")" 1
"$db" rows "$dir/c.db" 2 counters place </dev/null 2>/dev/null; rc=$?
expect "rows is gone" "$rc" 2
echo "not a database, only some text to fill the header of a file" >"$dir/bad.db"
"$db" import "$dir/c.db" "$dir/bad.db" 2>"$dir/err"; rc=$?
expect "importing garbage fails" "$rc" 1
"$db" query "$dir/c.db" "INSERT INTO runs(kind) VALUES('x')" 2>/dev/null; rc=$?
expect "query is read-only" "$rc" 1
set -e
expect "failed import left runs alone" "$(q "$dir/c.db" "SELECT count(*) FROM runs")" 7

tb_summary
