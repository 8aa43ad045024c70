#!/usr/bin/env bash
# A live source (tb-send --gst) gives the same per-frame accounting as a clip:
# a live videotestsrc ! x264enc pipeline of N buffers through tb-send to
# tb-recv over veth, recorded with --record, then the recording replayed
# with --clip. Checked against numbers computed here, not by tb-send:
#  - frames_sent has N rows (N = num-buffers), every frame arrived complete
#    and decodable, per frame pkts_received = packets and the capture times
#    agree on both sides;
#  - capture_ns steps by the frame interval of the caps (30/1: 33.333 ms),
#    and precedes the frame's send;
#  - the recording holds N access units by h264parse's count, with the same
#    sizes and keyframes as frames_sent, and avdec_h264 decodes N pictures;
#  - tb-send --clip RECORDING sends the same N frames (sizes, types), all
#    received complete and decodable.
# Namespaces tb-vsgl-a/b-PID, addresses 198.18.3.0/30.
# usage: gst_live.sh TB_SEND TB_RECV
set -euo pipefail
# shellcheck source=tests/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/netns.sh"
tb_send=${1:?usage: gst_live.sh TB_SEND TB_RECV}
tb_recv=${2:?usage: gst_live.sh TB_SEND TB_RECV}
[ "$(id -u)" -eq 0 ] || { echo "gst_live: needs root (network namespaces)" >&2; exit 1; }
for t in sqlite3 gst-launch-1.0; do
	command -v "$t" >/dev/null || { echo "gst_live: $t missing" >&2; exit 1; }
done
gst-inspect-1.0 x264enc >/dev/null 2>&1 || { echo "gst_live: x264enc missing (gstreamer1.0-plugins-ugly)" >&2; exit 1; }

a=tb-vsgl-a-$$ b=tb-vsgl-b-$$
work=$(mktemp -d /tmp/tb-send-gst.XXXXXX)
pids=() # background processes the test starts, ended on exit
tb_ns_scratch "$work" "$a" "$b"
tb_ns_pair "$a" "$b" gl0 gl1 198.18.3.1/30 198.18.3.2/30

fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*" >&2; fail=1; }
eq() { if [ "$2" = "$3" ]; then ok "$1: $2"; else bad "$1: got '$2', want '$3'"; fi; }
val() { awk -v l="$1" -v k="$2" '$1 == l { for (i = 2; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$3"; }
sendval() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$2"; }
q() { sqlite3 "$work/r.db" "$1"; }

n=90
db=$work/r.db
"$tb_recv" --pcap /dev/null --db "$db" --quiet 2>/dev/null || true
[ -f "$db" ] || { echo "gst_live: tb-recv did not create $db" >&2; exit 1; }
new_run() { q "INSERT INTO runs(kind, traffic) VALUES('video', '$1'); SELECT last_insert_rowid();"; }

# stream RUN PORT LABEL TB-SEND-ARGS...: tb-recv in b, tb-send in a, both into run RUN.
stream() {
	local run=$1 port=$2 label=$3
	shift 3
	ip netns exec "$b" "$tb_recv" --listen "198.18.3.2:$port" --db "$db" --run-id "$run" --idle 3 --hold-ms 3000 \
		>"$work/$label-recv.txt" 2>"$work/$label-recv.err" &
	local recv_pid=$!
	pids+=("$recv_pid")
	sleep 0.5
	ip netns exec "$a" "$tb_send" --dest "198.18.3.2:$port" --db "$db" --run-id "$run" "$@" >"$work/$label-send.txt" ||
		bad "$label: tb-send exited with $?"
	wait "$recv_pid" || bad "$label: tb-recv exited with $?"
	cat "$work/$label-send.txt" "$work/$label-recv.txt"
}
# accounting RUN LABEL FILE: every one of n frames sent, received complete and decodable.
accounting() {
	local run=$1 label=$2 f=$3
	eq "$label: frames_sent rows" "$(q "SELECT count(*) FROM frames_sent WHERE run_id=$run")" "$n"
	eq "$label: frame numbers 0..n-1" "$(q "SELECT min(frame_no) || '-' || max(frame_no) FROM frames_sent WHERE run_id=$run")" "0-$((n - 1))"
	eq "$label: frames received" "$(val frames total "$f")" "$n"
	eq "$label: complete" "$(val frames complete "$f")" "$n"
	eq "$label: decodable" "$(val frames decodable "$f")" "$n"
	eq "$label: decoder flagged" "$(val decoder flagged "$f")" 0
	eq "$label: packets lost" "$(val packets lost "$f")" 0
	eq "$label: per frame received = sent, capture times agree" \
		"$(q "SELECT count(*) FROM frames_sent s JOIN frames_recv r USING(run_id, stream, frame_no) WHERE s.run_id=$run
		      AND r.pkts_received = s.packets AND r.pkts_expected = s.packets AND r.complete = 1 AND r.decodable = 1
		      AND r.capture_ns = s.capture_ns")" "$n"
}

# --- live --------------------------------------------------------------------
run=$(new_run gst-live)
pipeline="videotestsrc is-live=true num-buffers=$n pattern=ball ! video/x-raw,width=640,height=480,framerate=30/1"
pipeline+=" ! x264enc tune=zerolatency key-int-max=30 bitrate=1500 speed-preset=ultrafast"
stream "$run" 5620 live --gst "$pipeline" --record "$work/live.h264"
accounting "$run" live "$work/live-recv.txt"
eq "live: summary frames" "$(sendval frames "$work/live-send.txt")" "$n"
eq "live: runs.clip of a run tb-send creates" \
	"$("$tb_send" --gst "videotestsrc is-live=true num-buffers=3 ! x264enc" --dest 127.0.0.1:9 --db "$work/own.db" --quiet &&
	   sqlite3 "$work/own.db" "SELECT clip || ' ' || json_extract(knobs_json, '\$.gst') FROM runs")" \
	"gst videotestsrc is-live=true num-buffers=3 ! x264enc"
# Capture times: one frame interval apart (the source stamps n/30 s), within
# 0.1 ms (the clock mapping is read per frame), and before the frame's send.
eq "live: capture_ns steps of 33.333 ms" \
	"$(q "SELECT count(*) FROM frames_sent a JOIN frames_sent b ON b.run_id = a.run_id AND b.frame_no = a.frame_no + 1
	      WHERE a.run_id=$run AND abs(b.capture_ns - a.capture_ns - 33333333) < 100000")" "$((n - 1))"
eq "live: captured before sent, less than 1 s before" \
	"$(q "SELECT count(*) FROM frames_sent WHERE run_id=$run AND send_start_ns > capture_ns AND send_start_ns - capture_ns < 1000000000")" "$n"

# --- the recording, by h264parse ---------------------------------------------
gst-launch-1.0 -v filesrc location="$work/live.h264" ! h264parse ! video/x-h264,alignment=au ! fakesink silent=false \
	2>&1 | grep 'last-message = chain' >"$work/aus.txt" || true
eq "recording: access units (h264parse)" "$(wc -l <"$work/aus.txt")" "$n"
sed -n 's/.*(\([0-9]*\) bytes.*/\1/p' "$work/aus.txt" >"$work/sizes.parse"
q "SELECT size_bytes FROM frames_sent WHERE run_id=$run ORDER BY frame_no" >"$work/sizes.sent"
if cmp -s "$work/sizes.parse" "$work/sizes.sent"; then ok "recording: AU sizes = frames_sent sizes"; else bad "recording: AU sizes differ from frames_sent"; fi
eq "recording: keyframes (h264parse) = IDR frames sent" "$(grep -vc delta-unit "$work/aus.txt" || true)" \
	"$(q "SELECT sum(idr) FROM frames_sent WHERE run_id=$run")"
decoded=$(gst-launch-1.0 -v filesrc location="$work/live.h264" ! h264parse ! avdec_h264 ! fakesink silent=false 2>&1 |
	grep -c 'last-message = chain' || true)
eq "recording: pictures decoded (avdec_h264)" "$decoded" "$n"
[ -f "$work/live.idx" ] || bad "recording: no index beside it"

# --- replay of the recording -------------------------------------------------
run2=$(new_run gst-replay)
stream "$run2" 5621 replay --clip "$work/live.h264"
accounting "$run2" replay "$work/replay-recv.txt"
eq "replay: same frames as live (size, type, idr)" \
	"$(q "SELECT count(*) FROM frames_sent a JOIN frames_sent b USING(stream, frame_no)
	      WHERE a.run_id=$run AND b.run_id=$run2 AND a.size_bytes = b.size_bytes AND a.type = b.type AND a.idr = b.idr")" "$n"

# --- bad pipelines fail clearly ----------------------------------------------
rc=0
"$tb_send" --gst 'nosuchelement0 ! x264enc' --dest 127.0.0.1:9 >"$work/bad.txt" 2>&1 || rc=$?
eq "unknown element: exit 2" "$rc" 2
if grep -q -- '--gst' "$work/bad.txt"; then ok "unknown element: message names --gst"; else bad "message: $(cat "$work/bad.txt")"; fi

[ "$fail" -eq 0 ] || { echo "gst_live: FAILED" >&2; exit 1; }
echo "gst_live: passed"
