#!/usr/bin/env bash
# A robot's two cameras over loopback, as run-point.sh runs them (without
# the VPN): two tb-send (--stream 0 and 1, one --start-at) to two tb-recv
# (--stream 0 and 1, a port each) into one run, finished with both
# receivers' summaries. Checked: each camera's frames are stored apart
# (stream, SSRC), as many as the clip's frame rate gives in the duration;
# both cameras' IDR frames were captured within one frame interval of each
# other, the first at the start time; the views count both cameras' frames
# and packets. Expected numbers come from the clip's index (frame rate,
# keyframes) and the senders' own summaries, not from the code under test.
# Camera 0's receiver stops once its sender's summary names the frames it
# sent and they are all in (tb-recv --sender-summary).
# usage: cameras_host_test.sh REPO_ROOT (TB_BUILD: the build directory)
set -euo pipefail
root=${1:?usage: cameras_host_test.sh REPO_ROOT}
build=${TB_BUILD:-$root/build}
dir=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
tb_send=$build/sender/tb-send tb_recv=$build/receiver/tb-recv tbdb=$build/lib/tb-db
for b in "$tb_send" "$tb_recv" "$tbdb"; do [ -x "$b" ] || { echo "cameras_host_test: $b is not built" >&2; exit 1; }; done
command -v sqlite3 >/dev/null || { echo "cameras_host_test: sqlite3 missing" >&2; exit 1; }
clip=480p30
idx=${TB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tun-nodrop-testbed}/clips/$clip.idx
[ -f "$idx" ] || { echo "cameras_host_test: no clip $clip ($idx; run datasets/generate.sh)" >&2; exit 1; }

# What the clip says: its frame rate (fps=NUM/DEN on the header line) and
# which frames are IDR frames. In duration D a sender sends the frames due
# before D: ceil(D * NUM / DEN), looping the clip.
duration=2
read -r fps_num fps_den clip_frames < <(sed -n 's/^# clip=.* fps=\([0-9]*\)\/\([0-9]*\) frames=\([0-9]*\).*/\1 \2 \3/p' "$idx")
frames=$(((duration * fps_num + fps_den - 1) / fps_den))
interval_ns=$((1000000000 * fps_den / fps_num))
idrs=$(awk -v n="$frames" -v c="$clip_frames" '!/^#/ && $3 == 1 { idr[$1] = 1 } END { for (i = 0; i < n; i++) k += (i % c) in idr; print k }' "$idx")
echo "clip $clip: $fps_num/$fps_den fps, $frames frames and $idrs IDR frames per camera in $duration s"

db=$dir/cams.db
"$tbdb" init "$db"
run=$("$tbdb" run-new "$db" kind=video traffic=video clip="$clip" cameras=2)
q() { "$tbdb" query "$db" "$1" --views "$root/analysis/views.sql"; }

# Two ports of this process's choosing, one per camera (as video_port + K).
port=$((20000 + $$ % 20000))
# listening PID PORT: PID has a UDP socket bound to PORT (/proc/PID/net/udp).
listening() {
	local want
	printf -v want ':%04X' "$2"
	awk -v w="$want" 'substr($2, length($2) - 4) == w { found = 1 } END { exit !found }' "/proc/$1/net/udp"
}
recv_pids=()
# Camera 0's receiver ends on its sender's summary (as run-point.sh runs
# it), with an idle time too long to end it first; camera 1's on --idle 2.
ending=(--sender-summary "$dir/send-0.txt" --idle 20)
for k in 0 1; do
	[ "$k" -eq 0 ] || ending=(--idle 2)
	"$tb_recv" --listen "127.0.0.1:$((port + k))" --stream "$k" --db "$db" --run-id "$run" "${ending[@]}" --hold-ms 1000 \
		--no-decode --duration 30 >"$dir/recv-$k.txt" 2>"$dir/recv-$k.err" &
	recv_pids+=("$!")
	pids+=("$!")
done
for k in 0 1; do
	for _ in $(seq 100); do listening "${recv_pids[k]}" $((port + k)) && break; sleep 0.05; done
	check "tb-recv of camera $k listens" listening "${recv_pids[k]}" $((port + k))
done

# One start time for both, 1.5 s ahead (both are asleep by then).
start=$(($(date +%s%N) + 1500000000))
send_pids=()
for k in 0 1; do
	"$tb_send" --clip "$clip" --dest "127.0.0.1:$((port + k))" --stream "$k" --start-at "$start" --duration "$duration" \
		--db "$db" --run-id "$run" >"$dir/send-$k.txt" 2>"$dir/send-$k.err" &
	send_pids+=("$!")
	pids+=("$!")
done
for k in 0 1; do
	rc=0
	wait "${send_pids[k]}" || rc=$?
	expect "tb-send of camera $k exits 0 ($(cat "$dir/send-$k.err"))" "$rc" 0
done
for k in 0 1; do
	rc=0
	wait "${recv_pids[k]}" || rc=$?
	expect "tb-recv of camera $k exits 0 ($(cat "$dir/recv-$k.err"))" "$rc" 0
done
expect "camera 0's receiver ended on the sender's summary (its $frames frames)" \
	"$(grep -c "all $frames frames the sender reported are finished" "$dir/recv-0.err")" 1
expect "camera 1's receiver on its idle time" "$(grep -c "the sender reported" "$dir/recv-1.err")" 0
"$tbdb" finish "$db" "$run" --receiver "$dir/recv-0.txt" --receiver "$dir/recv-1.txt"
cat "$dir/send-0.txt" "$dir/send-1.txt"
sendval() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$2"; }

# Each camera apart: its stream number, its SSRC (0x54420001 + the camera
# unless --ssrc says otherwise, tb-send --help), the frames of the duration.
for k in 0 1; do
	expect "camera $k: tb-send's summary names its stream and SSRC" \
		"$(sendval stream "$dir/send-$k.txt") $(sendval ssrc "$dir/send-$k.txt")" "$k $((0x54420001 + k))"
	expect "camera $k: frames sent" "$(sendval frames "$dir/send-$k.txt")" "$frames"
	expect "camera $k: asleep before the start" "$(sendval start_missed_us "$dir/send-$k.txt")" 0
done
expect "frames_sent: each camera's frames under its stream" \
	"$(q "SELECT group_concat(stream || ':' || n || ':' || lo || '-' || hi, ' ') FROM (SELECT stream, count(*) AS n,
		min(frame_no) AS lo, max(frame_no) AS hi FROM frames_sent WHERE run_id = $run GROUP BY stream ORDER BY stream)")" \
	"0:$frames:0-$((frames - 1)) 1:$frames:0-$((frames - 1))"
expect "frames_recv: each camera's frames under its stream, from its SSRC, all whole" \
	"$(q "SELECT group_concat(stream || ':' || n || ':' || ssrc || ':' || whole, ' ') FROM (SELECT stream, count(*) AS n,
		group_concat(DISTINCT ssrc) AS ssrc, sum(complete) AS whole FROM frames_recv WHERE run_id = $run GROUP BY stream ORDER BY stream)")" \
	"0:$frames:$((0x54420001)):$frames 1:$frames:$((0x54420002)):$frames"
expect "every frame received is its own camera's (capture time and RTP time agree)" \
	"$(q "SELECT count(*) FROM frames_sent s JOIN frames_recv r ON r.run_id = s.run_id AND r.stream = s.stream
		AND r.frame_no = s.frame_no AND r.capture_ns = s.capture_ns AND r.rtp_ts = s.rtp_ts WHERE s.run_id = $run")" \
	$((2 * frames))

# Keyframes aligned: both cameras' IDR frames, pairwise in order, captured
# within one frame interval of each other; the first at the start time.
expect "IDR frames per camera (the clip's index)" \
	"$(q "SELECT group_concat(n, ' ') FROM (SELECT count(*) AS n FROM frames_sent WHERE run_id = $run AND idr = 1
		GROUP BY stream ORDER BY stream)")" "$idrs $idrs"
expect "IDR frames of both cameras within one frame interval ($interval_ns ns)" \
	"$(q "WITH i AS (SELECT stream, capture_ns, row_number() OVER (PARTITION BY stream ORDER BY frame_no) AS k
		FROM frames_sent WHERE run_id = $run AND idr = 1)
		SELECT count(*) || ' ' || sum(abs(a.capture_ns - b.capture_ns) < $interval_ns)
		FROM i a JOIN i b ON b.k = a.k AND a.stream = 0 AND b.stream = 1")" "$idrs $idrs"
expect "the first frame of each camera at the start time (within a frame interval)" \
	"$(q "SELECT group_concat(abs(capture_ns - $start) < $interval_ns, ' ') FROM (SELECT capture_ns FROM frames_sent
		WHERE run_id = $run AND frame_no = 0 ORDER BY stream)")" "1 1"
expect "no camera started its first frame late by a frame interval" \
	"$(q "SELECT count(*) FROM frames_sent WHERE run_id = $run AND frame_no = 0 AND send_start_ns - capture_ns >= $interval_ns")" 0

# The views: the run over both cameras, and each camera.
packets=$(($(sendval packets "$dir/send-0.txt") + $(sendval packets "$dir/send-1.txt")))
expect "run_frames: both cameras' frames, none lost" \
	"$(q "SELECT frames_sent, frames_lost FROM run_frames WHERE run_id = $run")" "$(printf '%s\t0' $((2 * frames)))"
expect "run_attribution: both cameras' packets sent and received (both receivers' counts)" \
	"$(q "SELECT sent, received FROM run_attribution WHERE run_id = $run")" "$(printf '%s\t%s' "$packets" "$packets")"
expect "run_camera_frames: one row per camera" \
	"$(q "SELECT group_concat(stream || ':' || frames_sent || ':' || frames_lost, ' ') FROM (SELECT * FROM run_camera_frames
		WHERE run_id = $run ORDER BY stream)")" "0:$frames:0 1:$frames:0"
expect "run_summary: loss over both cameras" \
	"$(q "SELECT cameras, frames_sent, pkt_loss_pct, frame_loss_pct FROM run_summary WHERE run_id = $run")" \
	"$(printf '2\t%s\t0.0\t0.0' $((2 * frames)))"
tb_summary
