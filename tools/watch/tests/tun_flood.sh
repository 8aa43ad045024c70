#!/usr/bin/env bash
# tb-watch on a TUN that overflows, in a namespace of its own (tbw-PID):
#  1. ring 2, no reader: a tb-send flood. The ring drops tb-watch samples add
#     up to the device's tx_dropped read here at the end, the run's counters
#     are those reads, and the drops fall in the flood's time window only.
#  2. a TBF qdisc of 1 Mbit/s with a 30 kB limit on the same TUN: the qdisc
#     drops add up to what tc reports, and a backlog was seen.
#  3. tb-send -> TUN (ring 12) -> tun-relay (a reader at 1000 packets/s that
#     hands the payloads to tb-recv, as a VPN would) with a clip whose
#     I-frames (26-29 packets) overflow the ring while its P-frames (mostly
#     5-9) fit: the sample intervals with ring drops are the times of the
#     frames tb-recv lost, and nothing else. All three tools write one run;
#     the samples keep their rate meanwhile.
# usage: tun_flood.sh REPO_ROOT TB_WATCH TUN_RELAY TB_SEND TB_RECV TB_CLIP_INDEX
set -euo pipefail
root=${1:?usage: tun_flood.sh REPO_ROOT TB_WATCH TUN_RELAY TB_SEND TB_RECV TB_CLIP_INDEX}
watch=${2:?} relay=${3:?} tb_send=${4:?} tb_recv=${5:?} indexer=${6:?}
[ "$(id -u)" -eq 0 ] || { echo "tun_flood: needs root (network namespaces, TUN devices)" >&2; exit 1; }
ns=tbw-$$
dir=$(mktemp -d /tmp/tb-watch.XXXXXX)
pids=()
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
# (processes put in the background are started by ip netns exec itself, so
# that $! is theirs: a shell function would be a subshell in between)
in_ns() { ip netns exec "$ns" "$@"; }
now_ns() { date +%s%N; }
sysfs() { in_ns cat "/sys/class/net/$1/statistics/$2"; }
ip netns add "$ns"
ip -n "$ns" link set lo up
# until DESCRIPTION COMMAND...: wait up to 20 s for the command to succeed
# (a loaded machine starts processes slowly).
until_ok() {
	local what=$1 _
	shift
	for _ in $(seq 200); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	echo "tun_flood: gave up waiting for $what" >&2
	exit 1
}
rows() { [ -f "$db" ] && [ "$(sqlite3 "$db" "$1" 2>/dev/null)" -gt 0 ]; }
listening() { [ -n "$(ip netns exec "$ns" ss -Hnlu "sport = :$1")" ]; }

# tun DEV RING ADDR READER_RATE [PORT]: a TUN with its reader (tun-relay),
# IPv6 off (no router solicitations in the ring), up.
tun() {
	ip netns exec "$ns" "$relay" "$1" "$4" ${5:+"$5"} >"$dir/relay-$1.txt" &
	pids+=($!)
	until_ok "tun-relay $1" grep -q ready "$dir/relay-$1.txt"
	in_ns sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"
	ip -n "$ns" link set "$1" txqueuelen "$2"
	ip -n "$ns" addr add "$3" dev "$1"
	ip -n "$ns" link set "$1" up
}

# The clip: 90 frames of a zone plate, 640x360 at 30 fps, an IDR every 30.
gst-launch-1.0 -q videotestsrc num-buffers=90 pattern=zone-plate kx2=20 ky2=20 kt=1 \
	! video/x-raw,format=I420,width=640,height=360,framerate=30/1 \
	! x264enc threads=1 sliced-threads=false tune=zerolatency speed-preset=ultrafast bitrate=1500 key-int-max=30 \
	bframes=0 byte-stream=true aud=true ! video/x-h264,stream-format=byte-stream,alignment=au \
	! filesink location="$dir/zp.h264"
"$indexer" --name zp --width 640 --height 360 --fps 30/1 "$dir/zp.h264" "$dir/zp.idx"
clip=$dir/zp.h264

# --- 1. the ring overflows ----------------------------------------------------
tun tbw0 2 198.18.7.1/24 0
db=$dir/w.db
drop0=$(sysfs tbw0 tx_dropped)
ip netns exec "$ns" "$watch" --dev tbw0 --db "$db" --hz 20 >"$dir/watch1.txt" &
wpid=$!
pids+=("$wpid")
until_ok "tb-watch's first run" rows "SELECT count(*) FROM runs"
sleep 0.6
flood0=$(now_ns)
in_ns "$tb_send" --clip "$clip" --dest 198.18.7.2:5004 --flood --frames 300 >"$dir/send1.txt"
flood1=$(now_ns)
sleep 0.6
kill -INT "$wpid"
wait "$wpid"
drop1=$(sysfs tbw0 tx_dropped)
q() { sqlite3 "$db" "$1"; }
sent=$(sed -n 's/.* packets=\([0-9]*\).*/\1/p' "$dir/send1.txt")
expect "flood: the ring (2 packets) dropped all but 2 of the flood" "$((drop1 - drop0 >= sent - 2))" 1
expect "flood: ring_drops samples add up to tx_dropped" "$(q "SELECT sum(value) FROM samples WHERE run_id = 1 AND name = 'ring_drops'")" "$((drop1 - drop0)).0"
expect "flood: counters = tx_dropped read before and after" "$(q "SELECT before || ' ' || after FROM counters WHERE run_id = 1 AND place = 'ring' AND name = 'tx_dropped'")" "$drop0 $drop1"
# Each sample counts the drops of (previous sample, this one]: those with
# drops must overlap the flood (1 ms of slack for the reads around a clock
# reading), and there are quiet samples before and after it.
expect "flood: drops only while flooding" "$(q "WITH s AS (SELECT t_ns, value, lag(t_ns) OVER (ORDER BY t_ns) AS t0 FROM samples
	WHERE run_id = 1 AND name = 'ring_drops') SELECT count(*) FROM s WHERE value > 0 AND (t_ns < $flood0 - 1000000 OR t0 > $flood1 + 1000000)")" 0
expect "flood: quiet before and after" "$(q "SELECT sum(t_ns < $flood0) >= 5, sum(t_ns > $flood1 + 100000000) >= 5 FROM samples WHERE run_id = 1 AND name = 'ring_drops'")" "1|1"
expect "flood: runs row" "$(q "SELECT kind, ring, qdisc_kind, json_extract(knobs_json, '$.dev'), status FROM runs WHERE id = 1")" "watch|2|pfifo_fast|tbw0|done"
# 20 Hz for about 1.3 s or more: at least half the ticks made it (a loaded
# machine skips some), and no more than one per tick of the span, plus the
# reading at SIGINT and one tick of clock jitter
expect "flood: sampled at about 20 Hz" "$(q "SELECT count(*) >= 10 AND count(*) <= 20 * (max(t_ns) - min(t_ns)) / 1e9 + 3 FROM samples WHERE run_id = 1 AND name = 'ring_drops'")" 1
expect "flood: summary line" "$(grep -c "ring_drops=$((drop1 - drop0)) " "$dir/watch1.txt")" 1

# --- 2. the qdisc drops and queues --------------------------------------------
tc -n "$ns" qdisc replace dev tbw0 root tbf rate 1mbit burst 3000 limit 30000
qdrops() { tc -n "$ns" -s qdisc show dev tbw0 | sed -n 's/.*(dropped \([0-9]*\),.*/\1/p' | head -n1; }
qd0=$(qdrops)
ip netns exec "$ns" "$watch" --dev tbw0 --db "$db" --hz 50 >"$dir/watch2.txt" &
wpid=$!
pids+=("$wpid")
until_ok "tb-watch's second run" rows "SELECT count(*) FROM runs WHERE id = 2"
sleep 0.4
in_ns "$tb_send" --clip "$clip" --dest 198.18.7.2:5004 --flood --frames 200 >/dev/null
sleep 1 # 30 kB drain at 1 Mbit/s in 0.24 s
kill -TERM "$wpid"
wait "$wpid"
qd1=$(qdrops)
expect "tbf: qdisc_drops samples add up to tc's dropped" "$(q "SELECT sum(value) FROM samples WHERE run_id = 2 AND name = 'qdisc_drops'")" "$((qd1 - qd0)).0"
expect "tbf: some dropped" "$((qd1 - qd0 > 0))" 1
expect "tbf: counters = tc's dropped" "$(q "SELECT before || ' ' || after FROM counters WHERE run_id = 2 AND place = 'qdisc' AND name = 'dropped'")" "$qd0 $qd1"
expect "tbf: a backlog was seen, within the limit" "$(q "SELECT max(value) > 0 AND max(value) <= 30000 + 1500 FROM samples WHERE run_id = 2 AND name = 'qdisc_backlog_bytes'")" 1
expect "tbf: drained at the end" "$(q "SELECT value FROM samples WHERE run_id = 2 AND name = 'qdisc_backlog_pkts' ORDER BY t_ns DESC LIMIT 1")" 0.0
expect "tbf: the runs row names the qdisc" "$(q "SELECT qdisc_kind FROM runs WHERE id = 2")" tbf

# --- 3. lost frames and ring drops at the same times ---------------------------
tun tbw1 12 198.18.8.1/24 1000 5600
run=$(q "INSERT INTO runs(kind, traffic, ring) VALUES ('video', 'watch-test', 12); SELECT last_insert_rowid();")
ip netns exec "$ns" "$tb_recv" --listen 127.0.0.1:5600 --db "$db" --run-id "$run" --idle 2 --hold-ms 500 --no-decode --quiet &
rpid=$!
pids+=("$rpid")
ip netns exec "$ns" "$watch" --dev tbw1 --db "$db" --run-id "$run" --hz 50 >"$dir/watch3.txt" &
wpid=$!
pids+=("$wpid")
until_ok "tb-recv's socket" listening 5600
until_ok "tb-watch's samples" rows "SELECT count(*) FROM samples WHERE run_id = $run"
in_ns "$tb_send" --clip "$clip" --dest 198.18.8.2:5004 --frames 90 --db "$db" --run-id "$run" >"$dir/send3.txt"
wait "$rpid"
kill -INT "$wpid"
wait "$wpid"
# frames tb-recv lost (incomplete or never seen), with their send windows
lost="SELECT s.frame_no, s.send_start_ns, s.send_end_ns FROM frames_sent s LEFT JOIN frames_recv r
	ON r.run_id = s.run_id AND r.stream = s.stream AND r.frame_no = s.frame_no WHERE s.run_id = $run AND coalesce(r.complete, 0) = 0"
drops="SELECT t_ns, value, lag(t_ns) OVER (ORDER BY t_ns) AS t0 FROM samples WHERE run_id = $run AND name = 'ring_drops'"
n_lost=$(q "SELECT count(*) FROM ($lost)")
expect "frames: the I-frames (0, 30, 60) are among the lost" "$(q "SELECT count(*) FROM ($lost) WHERE frame_no IN (0, 30, 60)")" 3
expect "frames: not every frame lost" "$((n_lost < 45))" 1
expect "frames: ring drops = tx_dropped of the run" "$(q "SELECT sum(value) FROM samples WHERE run_id = $run AND name = 'ring_drops'")" \
	"$(q "SELECT after - before FROM counters WHERE run_id = $run AND place = 'ring' AND name = 'tx_dropped'").0"
expect "frames: every interval with drops holds a lost frame's sending" "$(q "WITH d AS ($drops), l AS ($lost)
	SELECT count(*) FROM d WHERE value > 0 AND NOT EXISTS (SELECT 1 FROM l
	WHERE l.send_start_ns <= d.t_ns + 1000000 AND l.send_end_ns >= d.t0 - 1000000)")" 0
expect "frames: every lost frame was sent in an interval with drops" "$(q "WITH d AS ($drops), l AS ($lost)
	SELECT count(*) FROM l WHERE NOT EXISTS (SELECT 1 FROM d WHERE d.value > 0
	AND l.send_start_ns <= d.t_ns + 1000000 AND l.send_end_ns >= d.t0 - 1000000)")" 0
# While tb-send and tb-recv write to the same database, sampling goes on at
# 50 Hz (a writer thread waits for their locks, not the sampler).
expect "frames: no gap over 200 ms between samples" "$(q "WITH s AS (SELECT t_ns - lag(t_ns) OVER (ORDER BY t_ns) AS gap
	FROM samples WHERE run_id = $run AND name = 'ring_drops') SELECT max(gap) < 200000000 FROM s")" 1
printf 'tun_flood: flood dropped %s of %s in the ring; tbf dropped %s; %s of 90 frames lost\n' \
	"$((drop1 - drop0))" "$sent" "$((qd1 - qd0))" "$n_lost"

tb_summary
