#!/usr/bin/env bash
# Backpressure: over a path slower than the stream (veth with a TBF qdisc of
# 1 Mbit/s and a queue long enough never to drop), a blocking tb-send spends
# its time blocked in send() (recorded per frame) and loses nothing; with
# --nonblocking the same overload shows as EAGAIN drops instead, and what
# send() accepted arrives. Namespaces tb-vsbp-a/b-PID, addresses 198.18.0.0/30.
# usage: backpressure.sh TB_SEND TB_UDP_SINK
set -euo pipefail
# shellcheck source=tests/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/netns.sh"
tb_send=${1:?usage: backpressure.sh TB_SEND TB_UDP_SINK}
sink=${2:?usage: backpressure.sh TB_SEND TB_UDP_SINK}
[ "$(id -u)" -eq 0 ] || { echo "backpressure: needs root (network namespaces)" >&2; exit 1; }

a=tb-vsbp-a-$$ b=tb-vsbp-b-$$
work=$(mktemp -d /tmp/tb-send-bp.XXXXXX)
sink_pid=
cleanup() {
	if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; fi
	tb_ns_del "$a" "$b"
	rm -rf "$work"
}
trap cleanup EXIT
tb_ns_pair "$a" "$b" bp0 bp1 198.18.0.1/30 198.18.0.2/30
ip -n "$a" neigh add 198.18.0.2 lladdr "$(ip -n "$b" -o link show bp1 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')" dev bp0
# 1 Mbit/s, a 4 MB queue: the qdisc never drops, the socket buffer fills up.
tc -n "$a" qdisc add dev bp0 root tbf rate 1mbit burst 5000 limit 4000000

fail=0
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$2"; }
check() {
	if awk -v a="$2" -v b="$4" "BEGIN { exit !(a $3 b) }"; then echo "ok: $1: $2 $3 $4"
	else echo "FAIL: $1: $2 not $3 $4" >&2; fail=1; fi
}

run() { # MODE [tb-send options]
	local mode=$1
	shift
	ip netns exec "$b" "$sink" 5004 2 >"$work/sink.$mode" &
	sink_pid=$!
	sleep 0.2
	ip netns exec "$a" "$tb_send" --clip 480p30 --dest 198.18.0.2:5004 --frames 60 --sndbuf 32768 \
		--db "$work/r.db" "$@" | tee "$work/send.$mode"
	wait "$sink_pid" # exits 2 s after the last packet
	sink_pid=
	cat "$work/sink.$mode"
}

# 60 frames of 480p30 (2 s, about 440 kB with headers) need about 3.5 s at 1 Mbit/s.
run blocking
check "blocking: packets received = sent" "$(field packets "$work/sink.blocking")" == "$(field packets "$work/send.blocking")"
check "blocking: send errors" "$(field send_errors "$work/send.blocking")" == 0
check "blocking: max blocked ms" "$(field blocked_max_ms "$work/send.blocking")" '>' 50
blocked_s=$(sqlite3 "$work/r.db" "SELECT sum(blocked_ns) / 1e9 FROM frames_sent WHERE run_id = 1")
check "blocking: total time blocked in send() (s)" "$blocked_s" '>' 1.0
check "blocking: frames sent late" "$(field late_frames "$work/send.blocking")" '>' 10

run nonblocking --nonblocking
check "nonblocking: EAGAIN drops" "$(field eagain "$work/send.nonblocking")" '>' 0
check "nonblocking: packets received = accepted by send()" "$(field packets "$work/sink.nonblocking")" == "$(field packets "$work/send.nonblocking")"
check "nonblocking: frames with send errors in db" \
	"$(sqlite3 "$work/r.db" "SELECT count(*) FROM frames_sent WHERE run_id = 2 AND send_errors > 0")" '>' 0
# Not a timing bound: a non-blocking send() never waits for buffer space, so
# its total is a small fraction of the blocking run's (even on a busy machine).
check "nonblocking: total time in send() (s) vs half the blocking run's" \
	"$(sqlite3 "$work/r.db" "SELECT sum(blocked_ns) / 1e9 FROM frames_sent WHERE run_id = 2")" '<' \
	"$(awk -v b="$blocked_s" 'BEGIN { print b / 2 }')"

[ "$fail" -eq 0 ] || { echo "backpressure: FAILED" >&2; exit 1; }
echo "backpressure: passed"
