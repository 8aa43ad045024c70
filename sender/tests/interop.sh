#!/usr/bin/env bash
# Interop: a tb-send stream, received by a stock GStreamer pipeline
# (udpsrc ! rtph264depay ! avdec_h264, and beside the decoder a filesink),
# plays: the decoder outputs every frame live, and the depayloaded stream is
# exactly the clip's NAL units; the frames_sent rows agree with what was
# sent. Runs in a network namespace of its own (loopback only), IPv4 or IPv6.
# usage: interop.sh TB_SEND NAL_CMP v4|v6
set -euo pipefail
tb_send=${1:?usage: interop.sh TB_SEND NAL_CMP v4|v6}
nal_cmp=${2:?usage: interop.sh TB_SEND NAL_CMP v4|v6}
family=${3:?usage: interop.sh TB_SEND NAL_CMP v4|v6}

[ "$(id -u)" -eq 0 ] || { echo "interop: needs root (network namespace)" >&2; exit 1; }
command -v gst-launch-1.0 >/dev/null || { echo "interop: gst-launch-1.0 missing (./testbed setup)" >&2; exit 1; }

ns=tb-vsend-$$
work=$(mktemp -d /tmp/tb-send-interop.XXXXXX)
gst_pid=
cleanup() {
	if [ -n "$gst_pid" ]; then kill "$gst_pid" 2>/dev/null || true; fi
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up

port=5004
case "$family" in
v4) addr=127.0.0.1; dest="127.0.0.1:$port"
	# 330 frames of 480p30 at 3x speed: the clip loops once (300 frames).
	frames=330; send_opts=(--speed 3) ;;
v6) addr=::1; dest="[::1]:$port"
	frames=60; send_opts=(--pace 0.5 --mtu 1280) ;;
*) echo "interop: family must be v4 or v6" >&2; exit 2 ;;
esac

caps="application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=96"
# -v: the fakesink behind the decoder reports every picture it gets.
ip netns exec "$ns" gst-launch-1.0 -e -v udpsrc address="$addr" port="$port" caps="$caps" buffer-size=8388608 \
	! rtph264depay ! video/x-h264,stream-format=byte-stream,alignment=au ! tee name=t \
	t. ! queue ! filesink location="$work/got.h264" \
	t. ! queue max-size-buffers=0 max-size-time=0 max-size-bytes=0 ! avdec_h264 ! fakesink name=live silent=false \
	>"$work/gst.log" 2>&1 &
gst_pid=$!
# Wait until the pipeline's socket is bound.
for _ in $(seq 100); do
	ip netns exec "$ns" ss -Huln "sport = :$port" | grep -q . && break
	sleep 0.05
done
ip netns exec "$ns" ss -Huln "sport = :$port" | grep -q . || { cat "$work/gst.log" >&2; echo "interop: udpsrc did not bind" >&2; exit 1; }

ip netns exec "$ns" "$tb_send" --clip 480p30 --dest "$dest" --frames "$frames" "${send_opts[@]}" \
	--db "$work/r.db" | tee "$work/summary"
sleep 0.5 # the last datagrams through the pipeline
kill -INT "$gst_pid"
wait "$gst_pid" || { cat "$work/gst.log" >&2; echo "interop: gst-launch failed" >&2; exit 1; }
gst_pid=

fail=0
echo "receiving namespace: $(ip netns exec "$ns" nstat -az UdpRcvbufErrors UdpInErrors | grep -E '^Udp' | tr -s ' ' | tr '\n' ' ')"
"$nal_cmp" 480p30 "$frames" "$work/got.h264" || fail=1
decoded=$(grep -c 'GstFakeSink:live: last-message = chain' "$work/gst.log" || true)

# The summary and the database agree with each other and with the clip.
q() { sqlite3 "$work/r.db" "$1"; }
packets=$(sed -n 's/.* packets=\([0-9]*\) .*/\1/p' "$work/summary")
check() {
	if [ "$2" = "$3" ]; then echo "ok: $1 = $2"; else echo "FAIL: $1: got '$2', want '$3'" >&2; fail=1; fi
}
check "frames decoded live by avdec_h264" "$decoded" "$frames"
check "frames_sent rows" "$(q 'SELECT count(*) FROM frames_sent')" "$frames"
check "frame numbers 0..N-1" "$(q 'SELECT min(frame_no) || "-" || max(frame_no) FROM frames_sent')" "0-$((frames - 1))"
check "packets in db = summary" "$(q 'SELECT sum(packets) FROM frames_sent')" "$packets"
check "send errors" "$(q 'SELECT sum(send_errors) FROM frames_sent')" 0
check "clip frame loops" "$(q 'SELECT count(*) FROM frames_sent WHERE clip_frame != frame_no % 300')" 0
check "IDR frames" "$(q 'SELECT count(*) FROM frames_sent WHERE idr = 1')" $(((frames + 29) / 30))
check "sequence numbers contiguous" "$(q 'SELECT count(*) FROM frames_sent a JOIN frames_sent b
	ON b.frame_no = a.frame_no + 1 WHERE b.first_seq != (a.first_seq + a.packets) % 65536')" 0
check "send times ordered" "$(q 'SELECT count(*) FROM frames_sent
	WHERE send_start_ns < capture_ns OR send_end_ns < send_start_ns OR blocked_ns < 0')" 0
if [ "$family" = v6 ]; then
	# --pace 0.5: packet i of n leaves no earlier than due + 0.5 * interval * i / n
	# (sleeps never end early; 0.1 ms slack for the clock mapping).
	check "paced frames that ended too early" "$(q 'SELECT count(*) FROM frames_sent
		WHERE send_end_ns - capture_ns < 0.5 * 33333333 * (packets - 1) / packets - 100000')" 0
fi
check "runs row" "$(q "SELECT kind || '/' || clip || '/' || status FROM runs")" "video/480p30/done"

if [ "$fail" -ne 0 ]; then
	echo "interop ($family): FAILED" >&2
	exit 1
fi
echo "interop ($family): passed"
