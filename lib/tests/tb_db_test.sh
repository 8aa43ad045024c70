#!/usr/bin/env bash
# tb-db from the shell: runs rows from a point file, finishing a run from its
# files (counters, samples, receiver summary, iperf3 JSON, pictures) in one
# transaction with the validity rule over the traffic window, merging run databases into a campaign
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
S=1700000000000000000 # a traffic window's start (CLOCK_REALTIME ns)
at() { echo $((S + $1 * 1000000000)); } # at K: S + K seconds
# A counter snapshot before and after: integers present in both become counters
# (place = before the first dot); the state and the one-sided keys do not.
printf '%s\n' ring.tx_dropped=10 qdisc.dropped=0 wan.up.veth_tx_dropped=5 vpn.robot.state=CONNECTED \
	time.real_ns=1000 only.before=3 >"$dir/before.kv"
printf '%s\n' ring.tx_dropped=17 qdisc.dropped=0 wan.up.veth_tx_dropped=8 vpn.robot.state=CONNECTED \
	time.real_ns=2000 only.after=4 '' >"$dir/after.kv"
# Samples of a mixed run in the window S .. S+2 s (counted: S+0.5 s < t <= S+2.5 s);
# the one at S lies before it.
{
	echo "$S cpu_busy_pct 100 %"
	echo "$(at 1) cpu_busy_pct 50.0 %"
	echo "$(at 2) cpu_busy_pct 62.4 %"
	echo "$(at 1) cpu_max_busy_pct 70 %"
	echo "$(at 1) softirq_max_pct 12 %"
	for role in tb-send tb-recv iperf3-client iperf3-server openvpn-robot openvpn-operator; do
		echo "$(at 1) proc_cpu_pct.$role 20 %"
	done
	echo
	echo "$(at 2) ring_drops 3"
} >"$dir/samples.txt"
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
	--receiver "$dir/recv.txt" --iperf "$iperf_json" --images "$dir/png" --window "$S" "$(at 2)"
t1=$(date +%s%N)
expect "counters from the snapshots" \
	"$(q "$f" "SELECT place, name, before, after FROM counters WHERE run_id = $id AND place != 'receiver' ORDER BY place, name" | tab)" \
	"qdisc dropped 0 0|ring tx_dropped 10 17|time real_ns 1000 2000|wan up.veth_tx_dropped 5 8|"
expect "receiver counters from its packets line" \
	"$(q "$f" "SELECT name, before, after FROM counters WHERE run_id = $id AND place = 'receiver' ORDER BY name" | tab)" \
	"duplicate 0 1|expected 0 100|late 0 0|lost 0 5|malformed 0 0|received 0 95|reordered 0 2|"
expect "samples, unit optional" \
	"$(q "$f" "SELECT t_ns - $S, name, value, coalesce(unit, '-') FROM samples WHERE run_id = $id
	   AND name IN ('cpu_busy_pct', 'ring_drops', 'proc_cpu_pct.openvpn-robot') ORDER BY name, t_ns" | tab)" \
	"0 cpu_busy_pct 100.0 %|1000000000 cpu_busy_pct 50.0 %|2000000000 cpu_busy_pct 62.4 %|1000000000 proc_cpu_pct.openvpn-robot 20.0 %|2000000000 ring_drops 3.0 -|"
expect "all samples stored" "$(q "$f" "SELECT count(*) FROM samples WHERE run_id = $id")" 12
expect "tcp intervals; missing retransmits and rtt are 0" \
	"$(q "$f" "SELECT start_s, end_s, bytes, bits_per_second, retransmits, snd_cwnd_bytes, rtt_us, omitted FROM tcp_intervals WHERE run_id = $id ORDER BY start_s" | tab)" \
	"0.0 1.000123 1250000 9998770.2 2 64240 21500 1|1.000123 2.000051 1310720 10486707.5 0 80300 0 0|"
expect "tcp results" \
	"$(q "$f" "SELECT duration_s, sent_bytes, received_bytes, sender_bps, receiver_bps, retransmits, mean_rtt_us, max_snd_cwnd_bytes FROM tcp_results WHERE run_id = $id" | tab)" \
	"2.000051 2560720 2490368 10242552.8 9766149.0 2 21800 80300|"
expect "frame pictures by stream and frame" \
	"$(q "$f" "SELECT stream, frame_no, CAST(png AS TEXT) FROM frame_images WHERE run_id = $id ORDER BY stream" | tab)" \
	"0 45 PNG45|1 7 PNG7|"
# in the window: cpu mean (50 + 62.4) / 2 = 56.2, busiest vCPU 70, every process 20 %.
expect "validity and status" "$(q "$f" "SELECT valid, cpu_busy_pct, cpu_max_busy_pct, coalesce(invalid_reason, '-'),
	coalesce(saturated, 'NULL'), status FROM runs WHERE id = $id" | tab)" "1 56.2 70.0 - NULL done|"
expect "the window stored" "$(q "$f" "SELECT traffic_start_ns - $S, traffic_end_ns - $S FROM runs WHERE id = $id" | tab)" \
	"0 2000000000|"
ended=$(q "$f" "SELECT ended_ns FROM runs WHERE id = $id")
check "ended_ns is not before finish began" test "$t0" -le "$ended"
check "ended_ns is not after finish ended" test "$ended" -le "$t1"

# Several cameras, one tb-recv each: one --receiver per summary, their
# packet counts summed (100 + 40 expected, 95 + 38 received, ...); the
# first summary's numbers stand for camera 0 (recv.txt above).
cat >"$dir/recv-1.txt" <<'EOF2'
frames total 4 complete 3 decodable 3 chain_decodable 3 forced 0 untracked 0
packets expected 40 received 38 lost 2 loss_pct 5.000 duplicate 0 reordered 1 late 3 malformed 4 streams 1 restarts 0 stale_ssrc 0 rtcp 0 filtered 0 datagrams 45
EOF2
id2=$("$db" run-new "$f" kind=video cameras=2)
"$db" finish "$f" "$id2" --receiver "$dir/recv.txt" --receiver "$dir/recv-1.txt" --samples "$dir/samples.txt"
expect "two cameras' receiver counters: the sums" \
	"$(q "$f" "SELECT name, before, after FROM counters WHERE run_id = $id2 AND place = 'receiver' ORDER BY name" | tab)" \
	"duplicate 0 1|expected 0 140|late 0 3|lost 0 7|malformed 0 4|received 0 133|reordered 0 3|"
expect "the run's cameras" "$(q "$f" "SELECT cameras FROM runs WHERE id = $id2")" 2

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
bad_finish "the second camera's summary without packets" "$dir/bad-recv.txt: no 'packets' line" "${good[@]}" \
	--samples "$dir/samples.txt" --receiver "$dir/recv.txt" --receiver "$dir/bad-recv.txt"
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
bad_window() { # bad_window WHAT PATTERN ARGS...: finish with ARGS is a usage error, nothing written
	local what=$1 pattern=$2 rid rc=0
	shift 2
	rid=$("$db" run-new "$f" kind=video)
	"$db" finish "$f" "$rid" --samples "$dir/samples.txt" "$@" 2>"$dir/err" || rc=$?
	expect "$what: exit 2" "$rc" 2
	expect "$what: message" "$(grep -cF -- "$pattern" "$dir/err")" 1
	expect "$what: nothing written" "$(q "$f" "SELECT (SELECT count(*) FROM samples WHERE run_id = $rid), status,
		coalesce(traffic_start_ns, '-') FROM runs WHERE id = $rid" | tab)" "0 running -|"
}
bad_window "--window without END" "--window needs START_NS and END_NS" --window "$S"
bad_window "--window START not a number" "whole nanoseconds, got 'soon'" --window soon "$S"
bad_window "--window END before START" "--window ends ($S) before it starts ($(at 1))" --window "$(at 1)" "$S"
bad_window "--window twice" "--window given twice" --window "$S" "$(at 1)" --window "$S" "$(at 1)"
bad_window "--taint without AFTER" "--taint needs BEFORE and AFTER" --taint 0
bad_window "--taint not a number" "whole decimal numbers as /proc/sys/kernel/tainted shows them, got '0x200'" --taint 0 0x200
bad_window "--taint negative" "got '-1'" --taint -1 0
bad_window "--host-cpu without AFTER" "--host-cpu needs BEFORE and AFTER" --host-cpu "1 2 3 4"
bad_window "--host-cpu of three numbers" "each \"TOTAL IDLE GUEST STEAL\" in clock ticks as vm.sh writes them, got '1 2 3'" --host-cpu "1 2 3" "1 2 3 4"
set -e

# The kernel's taint through finish --taint: stored, and a warning (W, 512)
# that appeared during the run makes it invalid; O and E (4096 + 8192, our
# unsigned tun.ko) do not.
tid=$("$db" run-new "$f" kind=mixed cpu_limit=90 knobs_json="$link")
"$db" finish "$f" "$tid" --samples "$dir/samples.txt" --iperf "$iperf_json" --receiver "$dir/recv.txt" \
	--window "$S" "$(at 2)" --taint 12288 12288
expect "taint O E: stored, valid" "$(q "$f" "SELECT kernel_taint_before, kernel_taint_after, valid FROM runs WHERE id = $tid" | tab)" \
	"12288 12288 1|"
tid=$("$db" run-new "$f" kind=mixed cpu_limit=90 knobs_json="$link")
"$db" finish "$f" "$tid" --samples "$dir/samples.txt" --iperf "$iperf_json" --receiver "$dir/recv.txt" \
	--window "$S" "$(at 2)" --taint 12288 12800
expect "taint W during the run: invalid, named" "$(q "$f" "SELECT valid, invalid_reason FROM runs WHERE id = $tid" | tab)" \
	"0 the kernel faulted during the run (taint W): an oops or a warning, see the kernel log|"

# The clock through finish --window: 10 s planned (duration 8, omit 2); a
# window of 12 s is valid, one of 60 s (over 2 x 10 + 30) a clock that jumped.
tid=$("$db" run-new "$f" kind=mixed cpu_limit=90 knobs_json="$link" duration=8 tcp_omit=2)
"$db" finish "$f" "$tid" --samples "$dir/samples.txt" --iperf "$iperf_json" --receiver "$dir/recv.txt" \
	--window "$S" "$(at 12)"
expect "a 12 s window for 10 s of traffic: valid" "$(q "$f" "SELECT valid FROM runs WHERE id = $tid")" 1
tid=$("$db" run-new "$f" kind=mixed cpu_limit=90 knobs_json="$link" duration=8 tcp_omit=2)
"$db" finish "$f" "$tid" --samples "$dir/samples.txt" --iperf "$iperf_json" --receiver "$dir/recv.txt" \
	--window "$S" "$(at 60)"
expect "a 60 s window for 10 s of traffic: invalid, the clock jumped" "$(q "$f" "SELECT valid, invalid_reason FROM runs WHERE id = $tid" | tab)" \
	"0 the guest's clock jumped during the run (a traffic window of 60.0 s for 10 s of traffic): its rates and times are wrong (was the host paused or moved?)|"

# The host's CPU through finish --host-cpu: 2000 ticks between the snapshots,
# 700 idle, 1000 QEMU, 100 stolen: 200 ticks (10 %) of other work, at the
# limit and valid; 300 (15 %) beside a hog: invalid, named.
tid=$("$db" run-new "$f" kind=mixed cpu_limit=90 knobs_json="$link")
"$db" finish "$f" "$tid" --samples "$dir/samples.txt" --iperf "$iperf_json" --receiver "$dir/recv.txt" \
	--window "$S" "$(at 2)" --host-cpu "5000 3000 1000 0" "7000 3700 2000 100"
expect "host 10 % other, 5 % stolen: stored, valid" "$(q "$f" "SELECT host_other_busy_pct, host_steal_pct, valid FROM runs WHERE id = $tid" | tab)" \
	"10.0 5.0 1|"
tid=$("$db" run-new "$f" kind=mixed cpu_limit=90 knobs_json="$link")
"$db" finish "$f" "$tid" --samples "$dir/samples.txt" --iperf "$iperf_json" --receiver "$dir/recv.txt" \
	--window "$S" "$(at 2)" --host-cpu "5000 3000 1000 0" "7000 3700 2000 0"
expect "host 15 % other: invalid, named" "$(q "$f" "SELECT host_other_busy_pct, valid, invalid_reason FROM runs WHERE id = $tid" | tab)" \
	"15.0 0 the host was busy with other work during the run (15.0 % of its CPU outside the guest, limit 10 %): keep the machine idle while it measures|"
# 500 idle, 1000 QEMU, 300 stolen (15 %), 200 other (10 %): invalid by the steal.
tid=$("$db" run-new "$f" kind=mixed cpu_limit=90 knobs_json="$link")
"$db" finish "$f" "$tid" --samples "$dir/samples.txt" --iperf "$iperf_json" --receiver "$dir/recv.txt" \
	--window "$S" "$(at 2)" --host-cpu "5000 3000 1000 0" "7000 3500 2000 300"
expect "host 15 % stolen: invalid, named" "$(q "$f" "SELECT host_other_busy_pct, host_steal_pct, valid, invalid_reason FROM runs WHERE id = $tid" | tab)" \
	"10.0 15.0 0 the host's hypervisor took its CPU during the run (15.0 % stolen, limit 10 %): the machine under this host was busy|"
tid=$("$db" run-new "$f" kind=mixed cpu_limit=90 knobs_json="$link")
"$db" finish "$f" "$tid" --samples "$dir/samples.txt" --iperf "$iperf_json" --receiver "$dir/recv.txt" \
	--window "$S" "$(at 2)" --host-cpu "5000 3000 1000 0" "5000 3000 1000 0"
expect "no tick between the snapshots: no share, valid" "$(q "$f" "SELECT coalesce(host_other_busy_pct, 'NULL'), valid FROM runs WHERE id = $tid" | tab)" \
	"NULL 1|"

# Validity through finish --window: the samples of the window only, the limit,
# traffic and profile from the row. Expected means worked out by hand.
series() { # series NAME VALUE...: one sample a second from S+1 s
	local name=$1 k=1 v
	shift
	for v in "$@"; do
		echo "$(at "$k") $name $v %"
		k=$((k + 1))
	done
}
healthy_video() { # a video run's samples, every series well below 90
	series cpu_busy_pct 40 40 40
	series cpu_max_busy_pct 60 60 60
	series softirq_max_pct 10 10 10
	series proc_cpu_pct.tb-send 20 20 20
	series proc_cpu_pct.tb-recv 30 30 30
	series proc_cpu_pct.openvpn-robot 50 50 50
	series proc_cpu_pct.openvpn-operator 45 45 45
}
win=(--window "$S" "$(at 3)") # counts S+0.5 s < t <= S+3.5 s
judge() { # judge TRAFFIC CPU_LIMIT KNOBS [FINISH OPTION...] <SAMPLES -> "valid cpu max reason [saturated]"
	local rid traffic=$1 limit=$2 knobs=$3
	shift 3
	rid=$("$db" run-new "$f" kind="$traffic" traffic="$traffic" cpu_limit="$limit" knobs_json="$knobs")
	cat >"$dir/v-samples.txt"
	"$db" finish "$f" "$rid" --samples "$dir/v-samples.txt" "$@"
	q "$f" "SELECT coalesce(valid, 'NULL'), coalesce(cpu_busy_pct, '-'), coalesce(cpu_max_busy_pct, '-'),
		coalesce(invalid_reason, '-'), coalesce('[' || saturated || ']', 'NULL') FROM runs WHERE id = $rid" | tab
}
vpn='{"profile_values":{"bottleneck":"vpn"}}'
expect "a normal video run is valid" "$(healthy_video | judge video 90 "$link" "${win[@]}")" "1 40.0 60.0 - NULL|"
saturated_outside() { # healthy, plus saturated samples before and after the window
	healthy_video
	for name in cpu_busy_pct cpu_max_busy_pct softirq_max_pct proc_cpu_pct.tb-recv proc_cpu_pct.openvpn-operator; do
		echo "$S $name 100 %"
		echo "$(at 4) $name 100 %"
	done
}
expect "saturated samples outside the window are ignored" \
	"$(saturated_outside | judge video 90 "$link" "${win[@]}")" "1 40.0 60.0 - NULL|"
expect "no window: unknown, never valid" "$(saturated_outside | judge video 90 "$link")" \
	"NULL - - unknown: no CPU samples in the traffic window NULL|"
expect "no vCPU samples in the window: unknown" \
	"$(healthy_video | grep -v 'cpu_busy\|cpu_max' | judge video 90 "$link" "${win[@]}")" \
	"NULL - - unknown: no CPU samples in the traffic window NULL|"
expect "no busiest-vCPU samples in the window: unknown" \
	"$(healthy_video | grep -v cpu_max | judge video 90 "$link" "${win[@]}")" \
	"NULL 40.0 - unknown: no CPU samples in the traffic window NULL|"
expect "a measuring tool CPU-bound (tb-recv 95)" \
	"$( (healthy_video | grep -v tb-recv; series proc_cpu_pct.tb-recv 94 96 95) | judge video 90 "$link" "${win[@]}")" \
	"0 40.0 60.0 measuring tool tb-recv CPU-bound: 95.0% of a core >= 90% [tb-recv 95.0%]|"
expect "the receiving VPN CPU-bound (92), on a VPN-bound profile too" \
	"$( (healthy_video | grep -v operator; series proc_cpu_pct.openvpn-operator 91 92 93) | judge video 90 "$vpn" "${win[@]}")" \
	"0 40.0 60.0 receiving VPN openvpn-operator CPU-bound: 92.0% of a core >= 90% [openvpn-operator 92.0%]|"
expect "the sending VPN CPU-bound on a link profile (92)" \
	"$( (healthy_video | grep -v robot; series proc_cpu_pct.openvpn-robot 91 93 92) | judge video 90 "$link" "${win[@]}")" \
	"0 40.0 60.0 sending VPN openvpn-robot CPU-bound: 92.0% of a core >= 90% on a profile whose bottleneck is 'link', not the VPN [openvpn-robot 92.0%]|"
expect "softirq saturated a vCPU (95)" \
	"$( (healthy_video | grep -v softirq; series softirq_max_pct 95 95 95) | judge video 90 "$link" "${win[@]}")" \
	"0 40.0 60.0 softirq (the WAN emulation) saturated a vCPU: 95.0% >= 90% [softirq_max_pct 95.0%]|"
expect "a vCPU saturated by something else (97)" \
	"$( (healthy_video | grep -v cpu_max; series cpu_max_busy_pct 96 98 97) | judge video 90 "$link" "${win[@]}")" \
	"0 40.0 97.0 a vCPU saturated (97.0%) by something that is not the expected bottleneck [cpu_max_busy_pct 97.0%]|"
expect "a VPN-bound profile: the sending VPN saturates, valid, and said" \
	"$( (healthy_video | grep -v 'robot\|cpu_max'; series proc_cpu_pct.openvpn-robot 97.2 97.4 97.3
	     series cpu_max_busy_pct 98 98 98) | judge video 90 "$vpn" "${win[@]}")" \
	"1 40.0 98.0 - [cpu_max_busy_pct 98.0%, openvpn-robot 97.3%]|"
expect "a video run without tb-send samples is unknown" \
	"$(healthy_video | grep -v tb-send | judge video 90 "$link" "${win[@]}")" "NULL 40.0 60.0 unknown: no CPU samples of tb-send NULL|"
expect "a tcp run without iperf3 samples is unknown" \
	"$(healthy_video | judge tcp 90 "$link" "${win[@]}")" "NULL 40.0 60.0 unknown: no CPU samples of iperf3-client NULL|"
expect "CPU limit from the row (vCPU 96 < 97)" \
	"$( (healthy_video | grep -v cpu_max; series cpu_max_busy_pct 96 96 96) | judge video 97 "$link" "${win[@]}")" "1 40.0 96.0 - NULL|"
expect "default limit 90 (vCPU 89.9 is below)" \
	"$( (healthy_video | grep -v cpu_max; series cpu_max_busy_pct 89.9 89.9 89.9) | judge video '' '' "${win[@]}")" "1 40.0 89.9 - NULL|"

# --- import -------------------------------------------------------------------
# Two run databases, as two guest runs would leave them.
printf '%s\n' ring.tx_dropped=10 qdisc.dropped=0 >"$dir/b.kv"
printf '%s backlog_pkts 3 pkts\n%s backlog_pkts 4\n%s cpu_busy_pct 41.5 %%\n' "$(at 1)" "$(at 2)" "$(at 2)" >"$dir/s.txt"
for i in 1 2; do
	id=$("$db" run-new "$dir/r$i.db" campaign=ci kind=video ring=$((i * 25)) qdisc="pfifo limit 25000" \
		point_key="k$i" profile=)
	expect "first run id in r$i" "$id" 1
	printf '%s\n' ring.tx_dropped=$((10 + i)) qdisc.dropped=0 >"$dir/a.kv"
	"$db" finish "$dir/r$i.db" "$id" --before "$dir/b.kv" --after "$dir/a.kv" --samples "$dir/s.txt" --window "$S" "$(at 2)"
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
# to the version a new database gets (c.db was made by this build)
expect "the source was migrated in place" "$(q "$dir/old.db" "PRAGMA user_version")" "$(q "$dir/c.db" "PRAGMA user_version")"
expect "that version is this build's (v10: kernel taint)" "$(q "$dir/c.db" "SELECT count(*) FROM pragma_table_info('runs') WHERE name LIKE 'kernel_taint_%'")" 2
expect "the migrated source has v11's tun_flood.stuck_in_ring" "$(q "$dir/old.db" "SELECT count(*) FROM pragma_table_info('tun_flood') WHERE name = 'stuck_in_ring'")" 1

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

# --- publish: a run database copied whole to where the host merges it ---------
# A writer keeps its connection open with checkpoints off, so its rows stay
# in the WAL: the copy must have them all the same.
mkdir -p "$dir/pub"
"$db" init "$dir/pub/run.db"
mkfifo "$dir/pub/sql"
sqlite3 "$dir/pub/run.db" <"$dir/pub/sql" >"$dir/pub/mode" &
writer=$!
exec {w}>"$dir/pub/sql"
echo "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_mode;
INSERT INTO runs(kind, ring) VALUES ('video', 3), ('video', 7), ('video', 9);" >&"$w"
for _ in $(seq 50); do
	[ -s "$dir/pub/run.db-wal" ] && break
	sleep 0.1
done
wal_bytes=$(stat -c %s "$dir/pub/run.db-wal" 2>/dev/null || echo 0)
"$db" publish "$dir/pub/run.db" "$dir/pub/out.db"
exec {w}>&-
wait "$writer"
expect "the store is in WAL mode (what the test relies on)" "$(sed -n 2p "$dir/pub/mode")" wal
expect "the rows were still in the WAL when published" "$([ "$wal_bytes" -gt 0 ] && echo yes)" yes
expect "publish: every row in the copy" "$(q "$dir/pub/out.db" "SELECT group_concat(ring) FROM (SELECT ring FROM runs ORDER BY id)")" "3,7,9"
expect "publish: no temporary file left" "$(find "$dir/pub" -name '.*.tmp' | wc -l)" 0
echo old >"$dir/pub/keep.db"
set +e
"$db" publish "$dir/pub/missing.db" "$dir/pub/keep.db" 2>"$dir/pub/err"; rc=$?
set -e
expect "publish of a missing database fails" "$rc" 1
expect "and leaves DEST as it was" "$(cat "$dir/pub/keep.db")" old
expect "and no temporary file" "$(find "$dir/pub" -name '.*.tmp' | wc -l)" 0

tb_summary
