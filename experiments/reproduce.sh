#!/usr/bin/env bash
# ./testbed reproduce [--quick]: the project's main job. From a fresh machine:
# packages, build, clips, kernels, the sweep behind the figures, the figures
# and REPORT.md with our numbers beside the paper's. Resumable: a second call
# reuses every finished run.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed reproduce [--quick] [--out DIR] [--db MERGED] [--from-source|--modules]

Sets the machine up, builds the kernels, runs the sweep behind the paper's
figures (experiments/sweeps/reproduce-quick.sweep or reproduce-full.sweep,
and cost-quick.sweep or cost-full.sweep for figure 5),
renders the figures and writes REPORT.md, all into DIR (default results/).
  --quick   the small sweep: about 30 minutes on a fresh 2-core machine
            (the full run states its expected duration before it starts)
  --db PATH a database that already holds the runs (e.g. ./testbed merge of
            the shards of reproduce-quick.sweep run elsewhere): no kernels,
            calibration or sweeps here, only the figures and REPORT.md
  --from-source  kernels built from source per variant (a boot each)
            instead of Debian's kernel with each variant's tun.ko (the
            module path, the default: no kernel build, one boot a sweep)
TXT
}

quick=0 out=$TB_ROOT/results merged=''
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--from-source) export TB_KERNEL_FROM_SOURCE=1 ;;
	--modules) export TB_KERNEL_FROM_SOURCE=0 ;;
	--out) [ $# -ge 2 ] || tb_usage_die "reproduce: --out needs a directory"; out=$2; shift ;;
	--db) [ $# -ge 2 ] || tb_usage_die "reproduce: --db needs a database"; merged=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) tb_usage_die "reproduce: unknown option '$1'" ;;
	esac
	shift
done
tb_require_root "reproduce"
start=$(date +%s)
mode=full
[ "$quick" -eq 0 ] || mode=quick
sweep=$TB_ROOT/experiments/sweeps/reproduce-$mode.sweep
db=$out/reproduce-$mode.db
if [ -n "$merged" ]; then
	[ -r "$merged" ] || tb_die "reproduce: cannot read the database '$merged'"
	db=$merged
fi
mkdir -p "$out"

step() { tb_log "[$(($(date +%s) - start)) s] $*"; }
step "1/5 setup: packages, build, clips"
bash "$TB_ROOT/scripts/setup.sh"
if [ -z "$merged" ]; then
if [ "$quick" -eq 0 ]; then
	# The same per-run overhead as sweep.sh assumes for its ETA.
	"$TB_BUILD/experiments/tb-sweep" check "$sweep" --overhead 20 --unresolved-bdp
	tb_log "the full reproduction runs for the time above (TCG), plus about 2 min for the first kernel build (Debian's kernel and four tun.ko; from source: about 13 min)"
	tb_log "when none is cached (each further variant: under a minute), a boot per variant and the figure-6 runs;"
	tb_log "Ctrl-C keeps finished runs, and running it again resumes"
fi
mapfile -t kernels < <("$TB_BUILD/experiments/tb-sweep" check "$sweep" --unresolved-bdp | sed -n 's/^  kernel \([^ ]*\) .*/\1/p')
step "2/5 kernels: ${kernels[*]}"
for k in "${kernels[@]}"; do bash "$TB_ROOT/kernel/build.sh" build "$k"; done
# The guest VPN's capacity, the scale of every ratio to the paper (once per
# database and VPN the sweep uses; REPORT.md states it). A calibration whose
# runs were all invalid (e.g. the host busy beside it) gives no capacity and
# is run again.
vpns=(openvpn)
grep -q '^vpn *=.*wireguard-go' "$sweep" && vpns+=(wireguard-go)
for vpn in "${vpns[@]}"; do
	if ! bash "$TB_ROOT/analysis/capacity.sh" "$db" "$vpn" >/dev/null 2>&1; then
		cal_runs=5
		[ "$quick" -eq 0 ] || cal_runs=2
		bash "$TB_ROOT/experiments/calibrate.sh" --db "$db" --vpn "$vpn" --runs "$cal_runs" --duration 8 ||
			tb_log "calibration of $vpn failed; REPORT.md says so"
	fi
done
# sweep FILE: a guest that died or hung costs the run it was in, stored as
# failed, and the sweep exits 1; once more then runs just what is missing.
# An interrupt (130, 143) or a usage error (2) stops reproduce as before.
sweep() {
	local rc=0
	bash "$TB_ROOT/experiments/sweep.sh" "$1" --db "$db" || rc=$?
	[ "$rc" -ne 0 ] || return 0
	[ "$rc" -eq 1 ] || exit "$rc"
	tb_log "sweep $(basename "$1"): runs failed or are missing; running it once more for them"
	rc=0
	bash "$TB_ROOT/experiments/sweep.sh" "$1" --db "$db" || rc=$?
	[ "$rc" -le 1 ] || exit "$rc"
	[ "$rc" -eq 0 ] || tb_log "sweep $(basename "$1"): still incomplete; REPORT.md shows the runs that finished (run reproduce again to complete it)"
}
step "3/5 sweep $(basename "$sweep") into $db"
sweep "$sweep"
# Figure 5: the cost of the patch, stock and patched runs interleaved boot
# by boot (the same campaign).
sweep "$TB_ROOT/experiments/sweeps/cost-$mode.sweep"
# Figure 6: two short runs whose receiver decodes and keeps frames 35, 45
# and 55 (the GOP after the keyframe at 30: what a viewer sees for the rest
# of the second once an I-frame lost packets).
sweep "$TB_ROOT/experiments/sweeps/strip.sweep"
# How often the patched rings still drop or hang, for section 6 of the
# report: the self-test with repeated TUN floods in all four variants
# (once per database; a rerun keeps the first).
if [ -z "$("$TB_BUILD/lib/tb-db" query "$db" "SELECT 1 FROM runs WHERE kind = 'selftest'
	AND json_extract(env_json, '$.series') = 'repeat' LIMIT 1")" ]; then
	repeats=30
	[ "$quick" -eq 0 ] || repeats=10
	bash "$TB_ROOT/kernel/selftest.sh" --variants stock,nodrop-v2,nodrop-qdisc,backpressure --quick \
		--repeats "$repeats" --db "$db" || tb_log "the self-test reported violations (see above); the report shows them"
fi
else
	step "2/5 and 3/5 skipped: the runs are in $db"
fi
step "4/5 figures"
bash "$TB_ROOT/paper-figures/figures.sh" "$db" --out "$out/figures-$mode" --campaign "reproduce-$mode"
step "5/5 report"
bash "$TB_ROOT/analysis/report-md.sh" "$db" "$out/figures-$mode" "$out/REPORT.md" \
	--title "Reproducing the NODROP paper ($mode run)" --elapsed $(($(date +%s) - start)) --campaign "reproduce-$mode"
step "done: $out/REPORT.md, figures in $out/figures-$mode/, data in $db"
