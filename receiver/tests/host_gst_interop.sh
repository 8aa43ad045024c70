#!/usr/bin/env bash
# Interop: stock GStreamer RTP/H.264 senders (rtph264pay, no testbed
# extension) analysed by tb-recv: every frame counted, complete, decodable,
# latency unknown. Two streams: a clip file (h264parse, SPS/PPS repeated
# with config-interval=-1) and a live x264enc stream with B frames (pictures
# come out of the decoder reordered). The clip's stream is also captured
# with tcpdump and the capture analysed with --pcap, as a team would with a
# capture from its robot. Runs on the loopback of a private network
# namespace (tb-rvg-PID).
# usage: host_gst_interop.sh TB_RECV CLIP_DIR
set -euo pipefail
tb_recv=${1:?usage: host_gst_interop.sh TB_RECV CLIP_DIR}
clips=${2:?usage: host_gst_interop.sh TB_RECV CLIP_DIR}
clip=$clips/480p30.h264
if [ ! -f "$clip" ]; then
	echo "gst_interop: FAIL: $clip missing: generate the clips with ./testbed clips (./testbed test does that first)" >&2
	exit 1
fi
[ "$(id -u)" -eq 0 ] || { echo "gst_interop: needs root (network namespaces)" >&2; exit 1; }
command -v gst-launch-1.0 >/dev/null || { echo "gst_interop: gst-launch-1.0 missing" >&2; exit 1; }

ns=tb-rvg-$$
work=$(mktemp -d /tmp/tb-recv-gst.XXXXXX)
recv_pid='' dump_pid=''
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
	if [ -n "$recv_pid" ]; then kill "$recv_pid" 2>/dev/null || true; fi
	if [ -n "$dump_pid" ]; then kill "$dump_pid" 2>/dev/null || true; fi
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up

fail=0
val() { awk -v l="$1" -v k="$2" '$1 == l { for (i = 2; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$3"; }
eq() { if [ "$2" = "$3" ]; then echo "ok: $1: $2"; else echo "FAIL: $1: got '$2', want '$3'" >&2; fail=1; fi; }

# FRAMES NAME SUMMARY: check a tb-recv summary of a stream without loss.
check_summary() {
	local frames=$1 name=$2
	eq "$name frames" "$(val frames total "$work/$name.txt")" "$frames"
	eq "$name complete" "$(val frames complete "$work/$name.txt")" "$frames"
	eq "$name decodable" "$(val frames decodable "$work/$name.txt")" "$frames"
	eq "$name decoder flagged" "$(val decoder flagged "$work/$name.txt")" 0
	eq "$name lost" "$(val packets lost "$work/$name.txt")" 0
	eq "$name malformed" "$(val packets malformed "$work/$name.txt")" 0
	eq "$name latency" "$(awk '$1 == "latency_ms" { print $2 }' "$work/$name.txt")" unknown
}

# FRAMES NAME PORT PIPELINE...: stream into tb-recv, check its summary; with
# CAPTURE=1 also capture it with tcpdump and check tb-recv --pcap of that.
stream() {
	local frames=$1 name=$2 port=$3
	shift 3
	ip netns exec "$ns" "$tb_recv" --listen "127.0.0.1:$port" --idle 2 --hold-ms 3000 \
		>"$work/$name.txt" 2>"$work/$name.err" &
	recv_pid=$!
	if [ "${CAPTURE:-0}" = 1 ]; then
		ip netns exec "$ns" tcpdump -i lo -U -B 65536 -w "$work/$name.pcap" udp dst port "$port" 2>"$work/$name.tcpdump" &
		dump_pid=$!
		for _ in $(seq 100); do
			grep -q 'listening on' "$work/$name.tcpdump" && break
			sleep 0.05
		done
	fi
	sleep 0.5
	ip netns exec "$ns" gst-launch-1.0 -q "$@" ! udpsink host=127.0.0.1 "port=$port"
	wait "$recv_pid" || { echo "FAIL: tb-recv exited with $?: $(cat "$work/$name.err")" >&2; fail=1; }
	recv_pid=
	cat "$work/$name.txt"
	check_summary "$frames" "$name"
	[ -n "$dump_pid" ] || return 0
	kill -INT "$dump_pid"
	wait "$dump_pid" || true
	dump_pid=
	"$tb_recv" --pcap "$work/$name.pcap" --port "$port" --hold-ms 3000 >"$work/$name-pcap.txt" 2>"$work/$name-pcap.err" ||
		{ echo "FAIL: tb-recv --pcap exited with $?: $(cat "$work/$name-pcap.err")" >&2; fail=1; }
	cat "$work/$name-pcap.txt"
	check_summary "$frames" "$name-pcap"
}

nframes=$(grep -vc '^#' "${clip%.h264}.idx")
CAPTURE=1 stream "$nframes" file 5606 filesrc location="$clip" ! h264parse \
	! rtph264pay config-interval=-1 pt=96 mtu=1200 ! queue
stream 90 x264-bframes 5608 videotestsrc num-buffers=90 pattern=ball \
	! video/x-raw,width=320,height=240,framerate=30/1 ! x264enc key-int-max=30 bframes=2 \
	! rtph264pay config-interval=-1 pt=96
exit "$fail"
