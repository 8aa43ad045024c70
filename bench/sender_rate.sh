#!/usr/bin/env bash
# Benchmark: how fast tb-send can push packets (--flood: timestamps ignored,
# no pacing), beside iperf3 -u -b 0 with the same datagram size, on the same
# path: two network namespaces joined by a veth pair. Prints the figures.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$here/../scripts/lib.sh"

usage() {
	cat <<'TXT'
usage: bench/sender_rate.sh [--build DIR] [--clip NAME] [--seconds N] [--reps N] [--max-packet B]

Runs tb-send --flood and iperf3 -u -b 0 -l B alternately, REPS times each, for
SECONDS each, from namespace tb-sbench-a to a sink in tb-sbench-b over veth
(198.18.0.1 -> 198.18.0.2), and prints packets/s and Mbit/s (sender side and
what the sink received). Needs root. Defaults: build dir $TB_BUILD, clip
1080p30, 5 s, 3 repetitions, 1200-byte packets.
TXT
}

build=$TB_BUILD clip=1080p30 seconds=5 reps=3 maxp=1200
while [ $# -gt 0 ]; do
	case "$1" in
	--build) [ $# -ge 2 ] || tb_usage_die "sender_rate: --build needs a directory"; build=$2; shift ;;
	--clip) [ $# -ge 2 ] || tb_usage_die "sender_rate: --clip needs a name"; clip=$2; shift ;;
	--seconds) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || tb_usage_die "sender_rate: --seconds needs a positive integer"; seconds=$2; shift ;;
	--reps) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || tb_usage_die "sender_rate: --reps needs a positive integer"; reps=$2; shift ;;
	--max-packet) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || tb_usage_die "sender_rate: --max-packet needs a positive integer"; maxp=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) tb_usage_die "sender_rate: unknown option '$1'" ;;
	esac
	shift
done
tb_require_root "bench/sender_rate.sh"
tb_send=$build/sender/tb-send sink=$build/sender/tb-udp-sink
if [ ! -x "$tb_send" ] || [ ! -x "$sink" ]; then tb_die "no $tb_send or $sink: build first"; fi
tb_have iperf3 || tb_die "iperf3 missing: ./testbed setup"

a=tb-sbench-a b=tb-sbench-b
work=$(mktemp -d /tmp/tb-sbench.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	ip netns del "$a" 2>/dev/null || true
	ip netns del "$b" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip link add tb-sbench0 netns "$a" type veth peer name tb-sbench1 netns "$b"
ip -n "$a" addr add 198.18.0.1/30 dev tb-sbench0
ip -n "$b" addr add 198.18.0.2/30 dev tb-sbench1
for ns in "$a" "$b"; do
	ip -n "$ns" link set lo up
done
ip -n "$a" link set tb-sbench0 up
ip -n "$b" link set tb-sbench1 up

ip netns exec "$b" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
pids+=($!)
sleep 0.3

echo "sender_rate: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)," \
	"veth 198.18.0.1 -> 198.18.0.2, ${seconds} s per run, $reps reps, packets <= $maxp B"
printf '%-8s %4s %12s %12s %12s %12s %10s\n' tool rep sent_pps sent_Mbit/s recv_pps recv_Mbit/s mean_B
for rep in $(seq "$reps"); do
	# tb-send --flood into tb-udp-sink.
	ip netns exec "$b" "$sink" 5004 >"$work/sink" &
	sink_pid=$!
	sleep 0.2
	ip netns exec "$a" "$tb_send" --clip "$clip" --dest 198.18.0.2:5004 --flood --duration "$seconds" \
		--max-packet "$maxp" >"$work/send"
	sleep 0.3
	kill -INT "$sink_pid"
	[ -z "${TB_BENCH_RAW:-}" ] || cat "$work/send" "$work/sink" >&2
	wait "$sink_pid" || true
	awk -v rep="$rep" '
		FNR == NR { for (i = 1; i <= NF; i++) { split($i, kv, "="); s[kv[1]] = kv[2] } next }
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] } }
		END {
			printf "%-8s %4d %12.0f %12.1f %12.0f %12.1f %10.0f\n", "tb-send", rep, s["pps"], s["bitrate_mbps"],
				r["packets"] / s["seconds"], r["bytes"] * 8 / s["seconds"] / 1e6, s["bytes"] / s["packets"]
		}' "$work/send" "$work/sink"

	# iperf3 UDP, unlimited rate, same datagram size.
	ip netns exec "$b" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
	pids+=($!)
	sleep 0.3
	ip netns exec "$a" iperf3 -c 198.18.0.2 -p 5201 -u -b 0 -l "$maxp" -t "$seconds" --json >"$work/iperf.json" ||
		tb_die "iperf3 failed: $(head -c 300 "$work/iperf.json")"
	# end.sum: packets and bytes the client sent, lost_packets as the server counted them.
	awk -v rep="$rep" -v l="$maxp" '
		/^\t"end":/ { inend = 1 }
		inend && /"sum":/ { insum = 1 }
		insum && /"seconds":/ && !sec { gsub(/[,]/, ""); sec = $2 }
		insum && /"bytes":/ && !bytes { gsub(/[,]/, ""); bytes = $2 }
		insum && /"packets":/ && !pk { gsub(/[,]/, ""); pk = $2 }
		insum && /"lost_packets":/ && lost == "" { gsub(/[,]/, ""); lost = $2 }
		END {
			printf "%-8s %4d %12.0f %12.1f %12.0f %12.1f %10d\n", "iperf3", rep, pk / sec, bytes * 8 / sec / 1e6,
				(pk - lost) / sec, (pk - lost) * l * 8 / sec / 1e6, l
		}' "$work/iperf.json"
done
