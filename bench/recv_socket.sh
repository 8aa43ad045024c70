#!/usr/bin/env bash
# Benchmark: tb-recv ingest from a UDP socket with SQLite on (frames_recv
# rows, no decoding) over the loopback of a private network namespace, fed
# (1) by tb-bench-recv-blast (sendmmsg, more than tb-recv can take: the rate
# received is tb-recv's capacity, loss is the excess) and (2) by tb-send
# --flood (the rate of the testbed's own sender/receiver pair). Sender and
# receiver share the machine's cores.
# usage: bench/recv_socket.sh [BUILD_DIR] [FRAMES] [RUNS] [CLIP]
# (the blast sends 100 x FRAMES packets)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$here/../scripts/lib.sh"
build=${1:-$TB_BUILD}
frames=${2:-6000}
runs=${3:-3}
clip=${4:-480p30}
tb_require_root "the socket benchmark (network namespace)"
for b in receiver/tb-recv bench/tb-bench-recv-blast sender/tb-send; do
	[ -x "$build/$b" ] || tb_die "build first: $build/$b is missing"
done

ns=tb-rvbench-$$
work=$(mktemp -d /tmp/tb-recv-bench.XXXXXX)
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up

summary() { # RUN LABEL FILE
	awk -v run="$1" -v what="$2" '
		$1 == "packets" { for (i = 2; i < NF; i++) v[$i] = $(i + 1) }
		$1 == "arrivals" { rate = $7; secs = $5; cpu = $9 }
		END { printf "%s run %d: %s packets in %.3f s = %.0f packets/s (%.0f per tb-recv CPU-second), lost %s (%s%%)\n",
		      what, run, v["received"], secs, rate, (cpu > 0 ? v["received"] / cpu : 0), v["lost"], v["loss_pct"] }' "$3"
}
recv() { # start tb-recv in the namespace (SQLite on, no decoding)
	ip netns exec "$ns" "$build/receiver/tb-recv" --listen 127.0.0.1:5700 --no-decode --db "$work/b.db" \
		--idle 1 --rcvbuf 33554432 >"$work/recv.txt" 2>/dev/null &
	pid=$!
	sleep 0.3
}

echo "clip $clip; tb-recv --no-decode --db on the loopback of a namespace; 2 cores shared with the sender"
for run in $(seq 1 "$runs"); do
	# 1. tb-recv's capacity: a sendmmsg() sender offering more than it takes.
	recv
	ip netns exec "$ns" "$build/bench/tb-bench-recv-blast" 127.0.0.1 5700 "$((frames * 100))" "$clip"
	wait "$pid"
	summary "$run" "sendmmsg blast" "$work/recv.txt"
	rm -f "$work"/b.db*
	# 2. the testbed's own pair: tb-send --flood (one send() per packet).
	recv
	ip netns exec "$ns" "$build/sender/tb-send" --clip "$clip" --dest 127.0.0.1:5700 --flood \
		--frames "$frames" --quiet
	wait "$pid"
	summary "$run" "tb-send --flood" "$work/recv.txt"
	rm -f "$work"/b.db*
done
