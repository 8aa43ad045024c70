#!/usr/bin/env bash
# Runs inside a testbed guest (started by kernel/selftest.sh through
# ./testbed vm): floods a TUN for every point of the self-test grid, each in
# a network namespace of its own, and writes one JSON file per point.
# Under TCG every exec costs ~1 s, so one exec per point: tb-tunflood makes
# its own namespace (--new-netns) and sets the qdisc over rtnetlink (no tc).
#
#   guest-flood.sh OUTDIR [--quick]
#
# OUTDIR (the VM's shared results directory) must hold tb-tunflood; results go
# to OUTDIR/points/NN-ring-R-QDISC.{json,err,rc}, the flood parameters to
# OUTDIR/points/params. Exit status: 0 when every point wrote its JSON.
set -euo pipefail

out=${1:?usage: guest-flood.sh OUTDIR [--quick]}
quick=0
[ "${2:-}" = --quick ] && quick=1
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
n=0
for flag in "${tun_flag_sets[@]}"; do
	extra=()
	[ -z "$flag" ] || extra=("$flag")
	for ring in "${rings[@]}"; do
		for q in "${qdiscs[@]}"; do
			n=$((n + 1))
			name=$(printf '%02d-ring-%s-%s%s' "$n" "$ring" "${q// /-}" "$flag")
			set +e
			"$tool" --new-netns --ring "$ring" --qdisc "$q" "${params[@]}" "${extra[@]}" \
				>"$out/points/$name.json" 2>"$out/points/$name.err"
			rc=$?
			set -e
			echo "$rc" >"$out/points/$name.rc"
			if [ "$rc" -ne 0 ]; then
				failed=$((failed + 1))
				echo "guest-flood: ring=$ring qdisc='$q' $flag: tb-tunflood exit $rc: $(head -c 300 "$out/points/$name.err")"
				rm -f "$out/points/$name.json"
			else
				echo "guest-flood: ring=$ring qdisc='$q' $flag done"
			fi
		done
	done
done
sync
[ "$failed" -eq 0 ]
