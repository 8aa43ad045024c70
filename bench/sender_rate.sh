#!/usr/bin/env bash
# Benchmark: how fast tb-send can push packets (--flood: timestamps ignored,
# no pacing), beside iperf3 -u -b 0 with the same datagram size, on the same
# path: two network namespaces joined by a veth pair. Prints the figures.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$here/../scripts/lib.sh"
# shellcheck source=tests/netns.sh
source "$here/../tests/netns.sh"

usage() {
	cat <<'TXT'
usage: bench/sender_rate.sh [--build DIR] [--clip NAME] [--seconds N] [--reps N] [--max-packet B]

Runs tb-send --flood and iperf3 -u -b 0 -l B alternately, REPS times each, for
SECONDS each, from namespace tb-sbench-a to a sink in tb-sbench-b over veth
(198.18.0.1 -> 198.18.0.2). Prints the sender's packets/s and Mbit/s and, from
namespace b's UDP counters, datagrams/s the receiving program read and
datagrams/s dropped at its socket (buffer full), and the sender's CPU time
(user + system, which includes the kernel's transmit path) per packet. tb-send runs twice per
repetition: into a sink that reads everything, and into one that reads
nothing (the cheapest receiver). iperf3's server reads what it can. All
share the machine's CPUs with their receiver, so compare rows of one run,
and cpu_us/pkt (the sender's own cost) across them. Needs root. Defaults: build dir $TB_BUILD, clip
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
tb_send=$build/sender/tb-send sink=$build/bench/tb-udp-sink
if [ ! -x "$tb_send" ] || [ ! -x "$sink" ]; then tb_die "no $tb_send or $sink: build first"; fi
tb_have iperf3 || tb_die "iperf3 missing: ./testbed setup"

a=tb-sbench-a b=tb-sbench-b
work=$(mktemp -d /tmp/tb-sbench.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	tb_ns_del "$a" "$b"
	rm -rf "$work"
}
trap cleanup EXIT
tb_ns_pair "$a" "$b" tb-sbench0 tb-sbench1 198.18.0.1/30 198.18.0.2/30

# Receive-side UDP counters of namespace b: datagrams read by the application
# (Linux counts InDatagrams in recvmsg) and datagrams dropped because the
# socket's buffer was full.
# shellcheck disable=SC2016 # awk program, not shell expansions
udp_counters() {
	ip netns exec "$b" awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) col[$i] = i; h = 1 }
		else print $col["InDatagrams"], $col["RcvbufErrors"] }' /proc/net/snmp
}

# row TOOL REP SENT_PACKETS SENT_BYTES SECONDS MEAN_BYTES COUNTERS_BEFORE COUNTERS_AFTER CPU_SECONDS
row() {
	awk -v t="$1" -v rep="$2" -v pk="$3" -v by="$4" -v s="$5" -v mb="$6" -v b0="$7" -v b1="$8" -v cpu="$9" 'BEGIN {
		split(b0, x, " "); split(b1, y, " ")
		printf "%-16s %3d %10.0f %11.1f %12.0f %12.0f %7.0f %10.2f\n", t, rep, pk / s, by * 8 / s / 1e6,
			(y[1] - x[1]) / s, (y[2] - x[2]) / s, mb, cpu * 1e6 / pk }'
}

# Run a command, leaving its user+system CPU seconds in $work/cpu. Less
# sensitive to other load on the machine than the rates are.
timed() {
	local TIMEFORMAT='%U %S'
	{ time "$@" 2>&3; } 3>&2 2>"$work/time"
	awk '{ print $1 + $2 }' "$work/time" >"$work/cpu"
}

echo "sender_rate: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)," \
	"veth 198.18.0.1 -> 198.18.0.2, ${seconds} s per run, $reps reps, packets <= $maxp B"
printf '%-16s %3s %10s %11s %12s %12s %7s %10s\n' tool rep sent_pps sent_Mbit/s read_pps sockdrop_pps mean_B cpu_us/pkt
for rep in $(seq "$reps"); do
	# tb-send --flood into tb-udp-sink: reading everything, then not reading.
	for mode in read no-read; do
		sink_args=(5004)
		[ "$mode" = read ] || sink_args+=(--no-read)
		ip netns exec "$b" "$sink" "${sink_args[@]}" >"$work/sink" &
		sink_pid=$!
		sleep 0.2
		before=$(udp_counters)
		timed ip netns exec "$a" "$tb_send" --clip "$clip" --dest 198.18.0.2:5004 --flood --duration "$seconds" \
			--max-packet "$maxp" >"$work/send"
		sleep 0.3
		after=$(udp_counters)
		kill -INT "$sink_pid"
		wait "$sink_pid" || true
		[ -z "${TB_BENCH_RAW:-}" ] || cat "$work/send" "$work/sink" >&2
		field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$work/send"; }
		row "tb-send/$mode" "$rep" "$(field packets)" "$(field bytes)" "$(field seconds)" \
			"$(awk -v b="$(field bytes)" -v p="$(field packets)" 'BEGIN { printf "%.0f", b / p }')" \
			"$before" "$after" "$(cat "$work/cpu")"
	done

	# iperf3 UDP, unlimited rate, same datagram size, into its own server.
	ip netns exec "$b" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
	pids+=($!)
	sleep 0.3
	before=$(udp_counters)
	timed ip netns exec "$a" iperf3 -c 198.18.0.2 -p 5201 -u -b 0 -l "$maxp" -t "$seconds" --json >"$work/iperf.json" ||
		tb_die "iperf3 failed: $(head -c 300 "$work/iperf.json")"
	sleep 0.3
	after=$(udp_counters)
	# end.sum_sent: what the client sent.
	read -r pk by sec < <(awk '
		/^\t"end":/ { inend = 1 }
		inend && /"sum_sent":/ { insum = 1 }
		insum && /"seconds":/ && !sec { gsub(/,/, ""); sec = $2 }
		insum && /"bytes":/ && !bytes { gsub(/,/, ""); bytes = $2 }
		insum && /"packets":/ && !pk { gsub(/,/, ""); pk = $2 }
		END { print pk, bytes, sec }' "$work/iperf.json")
	row iperf3 "$rep" "$pk" "$by" "$sec" "$maxp" "$before" "$after" "$(cat "$work/cpu")"
done
