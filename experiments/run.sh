#!/usr/bin/env bash
# ./testbed run: measure one point. In the VM (default) it is a one-point
# sweep with a fresh campaign name; with --host it runs on this machine's
# kernel (which has no netem here: only profiles without impairment work).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=experiments/sweep-lib.sh
source "$TB_ROOT/experiments/sweep-lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed run [--kernel VARIANT] [--ring N] [--qdisc SPEC] [--profile NAME]
                     [--traffic video|tcp|mixed] [--clip NAME] [--sndbuf BYTES|default]
                     [--pace F] [--vpn openvpn|wireguard-go] [--decode on|off] [--dump-frames "N N.."]
                     [--cpu-limit PCT] [--tcp-omit SECONDS] [--flag on|off] [--cameras N]
                     [--duration SECONDS] [--repetitions N]
                     [--db PATH] [--host] [--from-source|--modules]

Measures one point: the robot -> WAN -> operator path over the VPN inside
the kernel VARIANT. Each option is the sweep axis of the same name
(experiments/sweeps/README.md lists them with their defaults and ranges);
results go to --db (default results/runs.db) under a new campaign named
adhoc-<time>.
  --cameras      video streams sent at once, 1..8 (default 1), as a robot's
                 cameras: keyframes aligned, one port and receiver each
  --duration     seconds of traffic (default 10)
  --repetitions  runs of the point (default 1)
  --host         run on this machine's kernel instead of a VM
  --from-source  boot the variant's kernel built from source instead of
                 Debian's kernel with its tun.ko (the module path, default)
TXT
}

# option -> axis; only the options given are written, so the defaults stay
# where they are defined (experiments/sweep.c).
declare -A axis_of=([--kernel]=kernel [--ring]=ring [--qdisc]=qdisc [--profile]=profile
	[--traffic]=traffic [--clip]=clip [--sndbuf]=sndbuf [--pace]=pace [--vpn]=vpn
	[--decode]=decode [--dump-frames]=dump_frames [--cpu-limit]=cpu_limit [--tcp-omit]=tcp_omit
	[--flag]=flag [--cameras]=cameras)
declare -A given=()
duration=10 reps=1 db=$TB_ROOT/results/runs.db host=0
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--host) host=1; shift; continue ;;
	--from-source) export TB_KERNEL_FROM_SOURCE=1; shift; continue ;;
	--modules) export TB_KERNEL_FROM_SOURCE=0; shift; continue ;;
	esac
	[ $# -ge 2 ] || tb_usage_die "run: $1 needs a value"
	case "$1" in
	--duration) duration=$2 ;;
	--repetitions) reps=$2 ;;
	--db) db=$2 ;;
	*)
		[ -n "${axis_of[$1]:-}" ] || tb_usage_die "run: unknown option '$1'"
		given[${axis_of[$1]}]=$2
		;;
	esac
	shift 2
done
if ! [[ $duration =~ ^[1-9][0-9]{0,3}$ ]] || [ "$duration" -gt 3600 ]; then
	tb_usage_die "run: --duration must be whole seconds in 1..3600, got '$duration'"
fi
if ! [[ $reps =~ ^[1-9][0-9]{0,3}$ ]] || [ "$reps" -gt 1000 ]; then
	tb_usage_die "run: --repetitions must be in 1..1000, got '$reps'"
fi

bin=$TB_BUILD
[ -x "$bin/experiments/tb-sweep" ] || bash "$TB_ROOT/scripts/build.sh" >/dev/null
tb_sweep_known
if [ "$host" -eq 1 ]; then
	[ -z "${given[kernel]:-}" ] || tb_usage_die "run: --kernel and --host exclude each other (--host runs this machine's kernel)"
	given[kernel]=host
fi
for axis in "${!given[@]}"; do
	value=${given[$axis]}
	case "$value" in *[$'\n#,=']*) tb_usage_die "run: --${axis//_/-} may not contain newlines, '#', ',' or '='" ;; esac
	[ "$axis" = kernel ] && [ "$host" -eq 1 ] && continue
	[[ $axis != ring || ($value != *bdp && $value != *lab) ]] ||
		tb_usage_die "run: --ring takes packets; rings in units of the BDP or the paper's lab packets (${value}) are for sweep files (./testbed sweep --capacity)"
	why=$("$bin/experiments/tb-sweep" check-value "$axis" "$value" "${TB_SWEEP_KNOWN[@]}" 2>&1) ||
		tb_usage_die "run: --${axis//_/-}: $why"
done

name=adhoc-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$TB_CACHE/runs"
file=$TB_CACHE/runs/$name.sweep
{
	echo "# written by ./testbed run"
	echo "[sweep]"
	echo "name = $name"
	echo "repetitions = $reps"
	echo "duration = ${duration}s"
	echo
	echo "[matrix]"
	for axis in "${!given[@]}"; do echo "$axis = ${given[$axis]}"; done
} >"$file"

if [ "$host" -eq 0 ]; then
	exec bash "$TB_ROOT/experiments/sweep.sh" "$file" --db "$db"
fi

# --host: the points right here.
tb_require_root "run --host"
mkdir -p "$(dirname "$db")" "$TB_CACHE/runs/$name"
"$bin/lib/tb-db" init "$db"
printf 'git_rev=%s\n' "$(git -C "$TB_ROOT" describe --always --dirty 2>/dev/null || echo unknown)" >"$TB_CACHE/runs/$name/host.env"
mapfile -t point_files < <("$bin/experiments/tb-sweep" expand "$file" --dir "$TB_CACHE/runs/$name")
failed=0
for point_file in "${point_files[@]}"; do
	# a failed run is stored as failed, with its reason; the next one runs
	bash "$TB_ROOT/experiments/run-point.sh" --point "$point_file" --db "$db" \
		--host-facts "$TB_CACHE/runs/$name/host.env" --prefix tbh- </dev/null || failed=$((failed + 1))
done
tb_log "results in $db (campaign $name)"
if [ "$failed" -gt 0 ]; then tb_die "$failed of ${#point_files[@]} run(s) failed (stored as failed, with the reason)"; fi
