#!/usr/bin/env bash
# Runs inside a testbed guest (started by kernel/selftest.sh through
# ./testbed vm): floods a TUN for every point of the self-test grid, each in
# a network namespace of its own, and writes one JSON file per point.
# Under TCG every exec costs ~1 s, so one exec per point: tb-tunflood makes
# its own namespace (--new-netns) and sets the qdisc over rtnetlink (no tc).
#
#   guest-flood.sh OUTDIR [--quick] [--repeats N]
#
# OUTDIR (the VM's shared results directory) must hold tb-tunflood; results go
# to OUTDIR/points/NN-ring-R-QDISC.{json,err,rc}, the flood parameters to
# OUTDIR/points/params. With --repeats N, a patched behaviour (not stock;
# backpressure with IFF_BACKPRESSURE only) is flooded N more times at rings
# 1 and 25 under pfifo_fast (lockless) and fq_codel (locked), into
# OUTDIR/repeats/: how often its ring still drops, and whether it hangs.
# Exit status: 0 when every point wrote its JSON.
set -euo pipefail

out=${1:?usage: guest-flood.sh OUTDIR [--quick] [--repeats N]}
shift
quick=0 repeats=0
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--repeats) repeats=${2:?--repeats needs a count}; shift ;;
	*) echo "guest-flood: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
tool=$out/tb-tunflood
[ -x "$tool" ] || { echo "guest-flood: $tool is missing" >&2; exit 1; }

# The self-test's flood: a bursty blocking sender (100 packets back-to-back,
# 10000 packets/s) against a reader draining at 1000 packets/s, so the reader
# is 10x slower than the sender. 2000 packets (1000 with --quick) of 1200 B.
# Under TCG the guest sustains these rates (the reader's pace is the
# bottleneck); the table records what each point achieved.
count=2000
[ "$quick" -eq 1 ] && count=1000
params=(--count "$count" --burst 100 --rate 10000 --reader-rate 1000 --size 1200
	--blocking --reader blocking --send-timeout 5 --drain-idle 300 --drain-timeout 10)
rings=(1 25 500)
qdiscs=(noqueue pfifo_fast "pfifo limit 25000" fq_codel)
# The backpressure variant is opt-in: the grid runs without and with
# IFF_BACKPRESSURE on the TUN.
tun_flag_sets=("")
[ "${TB_KERNEL_VARIANT:-}" = backpressure ] && tun_flag_sets=("" --iff-backpressure)

mkdir -p "$out/points"
rm -f "$out/points"/*
printf '%s\n' "${params[*]}" >"$out/points/params"
echo $((${#rings[@]} * ${#qdiscs[@]} * ${#tun_flag_sets[@]})) >"$out/points/expected"
uname -r >"$out/points/kernel-release"

failed=0
# flood DIR NAME RING QDISC [FLAG]: one point, its JSON in DIR/NAME.json.
flood() {
	local dir=$1 name=$2 ring=$3 q=$4 flag=${5:-} rc
	local -a extra=()
	[ -z "$flag" ] || extra=("$flag")
	set +e
	"$tool" --new-netns --ring "$ring" --qdisc "$q" "${params[@]}" "${extra[@]}" \
		>"$dir/$name.json" 2>"$dir/$name.err"
	rc=$?
	set -e
	echo "$rc" >"$dir/$name.rc"
	if [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
		echo "guest-flood: ring=$ring qdisc='$q' $flag: tb-tunflood exit $rc: $(head -c 300 "$dir/$name.err")"
		rm -f "$dir/$name.json"
	else
		echo "guest-flood: ring=$ring qdisc='$q' $flag done"
	fi
}

n=0
for flag in "${tun_flag_sets[@]}"; do
	for ring in "${rings[@]}"; do
		for q in "${qdiscs[@]}"; do
			n=$((n + 1))
			flood "$out/points" "$(printf '%02d-ring-%s-%s%s' "$n" "$ring" "${q// /-}" "$flag")" "$ring" "$q" "$flag"
		done
	done
done

# The repeats: only where the patch is in force.
repeat_flag=
case "${TB_KERNEL_VARIANT:-}" in
stock) repeats=0 ;;
backpressure) repeat_flag=--iff-backpressure ;;
esac
rm -rf "$out/repeats"
if [ "$repeats" -gt 0 ]; then
	mkdir -p "$out/repeats"
	echo $((repeats * 4)) >"$out/repeats/expected"
	for ((k = 1; k <= repeats; k++)); do
		for ring in 1 25; do
			for q in pfifo_fast fq_codel; do
				flood "$out/repeats" "$(printf '%03d-ring-%s-%s%s' "$k" "$ring" "$q" "$repeat_flag")" "$ring" "$q" "$repeat_flag"
			done
		done
	done
fi
sync
[ "$failed" -eq 0 ]
