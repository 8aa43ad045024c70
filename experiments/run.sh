#!/usr/bin/env bash
# ./testbed run: measure one point. In the VM (default) it is a one-point
# sweep with a fresh campaign name; with --host it runs on this machine's
# kernel (which has no netem here: only profiles without impairment work).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed run [--kernel VARIANT] [--ring N] [--qdisc SPEC] [--profile NAME]
                     [--traffic video|tcp|mixed] [--clip NAME] [--sndbuf BYTES|default]
                     [--pace F] [--duration SECONDS] [--repetitions N] [--db PATH] [--host]

Measures one point: the robot -> WAN -> operator path over OpenVPN inside the
kernel VARIANT (default stock), ring = the robot tun's txqueuelen (default
500), its qdisc (default pfifo_fast), a netem profile (default lan), video,
TCP or both for --duration seconds (default 10). Results go to --db
(default results/runs.db) under a new campaign named adhoc-<time>.
  --host   run on this machine's kernel instead of a VM
Values are checked as in sweep files (experiments/sweeps/README.md).
TXT
}

kernel=stock ring=500 qdisc=pfifo_fast profile=lan traffic=video clip=720p30 sndbuf=default
pace=0 duration=10 reps=1 db=$TB_ROOT/results/runs.db host=0
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--host) host=1; shift; continue ;;
	esac
	[ $# -ge 2 ] || tb_usage_die "run: $1 needs a value"
	case "$1" in
	--kernel) kernel=$2 ;;
	--ring) ring=$2 ;;
	--qdisc) qdisc=$2 ;;
	--profile) profile=$2 ;;
	--traffic) traffic=$2 ;;
	--clip) clip=$2 ;;
	--sndbuf) sndbuf=$2 ;;
	--pace) pace=$2 ;;
	--duration) duration=$2 ;;
	--repetitions) reps=$2 ;;
	--db) db=$2 ;;
	*) tb_usage_die "run: unknown option '$1'" ;;
	esac
	shift 2
done
for v in kernel ring qdisc profile traffic clip sndbuf pace duration reps; do
	case "${!v}" in *[$'\n#,=']*) tb_usage_die "run: --$v may not contain newlines, '#', ',' or '='" ;; esac
done

name=adhoc-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$TB_CACHE/runs"
file=$TB_CACHE/runs/$name.sweep
cat >"$file" <<SWEEP
# written by ./testbed run
[sweep]
name = $name
repetitions = $reps
duration = ${duration}s

[matrix]
kernel = $([ "$host" -eq 1 ] && echo stock || echo "$kernel")
ring = $ring
qdisc = $qdisc
profile = $profile
traffic = $traffic
clip = $clip
sndbuf = $sndbuf
pace = $pace
SWEEP

if [ "$host" -eq 0 ]; then
	exec bash "$TB_ROOT/experiments/sweep.sh" "$file" --db "$db"
fi

# --host: the same checks, then the points right here.
tb_require_root "run --host"
bash "$TB_ROOT/experiments/sweep.sh" "$file" --db "$db" --dry-run >/dev/null
mkdir -p "$(dirname "$db")"
"$TB_BUILD/lib/tb-db" init "$db"
"$TB_BUILD/experiments/tb-sweep" expand "$file" |
	while IFS=$'\t' read -r _ _ ring qdisc profile traffic clip sndbuf pace rep duration seed key; do
		TB_CAMPAIGN=$name TB_KERNEL_VARIANT=host \
			bash "$TB_ROOT/experiments/run-point.sh" --db "$db" --kernel host --ring "$ring" \
			--qdisc "$qdisc" --profile "$profile" --traffic "$traffic" --clip "$clip" \
			--sndbuf "$sndbuf" --pace "$pace" --rep "$rep" --duration "$duration" --seed "$seed" \
			--key "$key" </dev/null
	done
tb_log "results in $db (campaign $name)"
