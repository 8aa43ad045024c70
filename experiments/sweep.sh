#!/usr/bin/env bash
# ./testbed sweep FILE: run a declarative experiment matrix.
#
# The host checks the file (nothing boots on a bad one), drops the runs the
# campaign database already has (so a sweep resumes where it stopped), boots
# each kernel variant once and runs all of its pending points inside. Every
# finished run leaves its own small database on the shared results
# directory; the host merges it into the campaign database as soon as the
# guest exits, also after Ctrl-C or a crash, so no finished run is lost.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=scenario/pki.sh
source "$TB_ROOT/scenario/pki.sh"

usage() {
	cat <<'TXT'
usage: ./testbed sweep FILE [--db PATH] [--dry-run] [--overhead SECONDS]

Runs every point of the sweep FILE (format: experiments/sweeps/README.md)
that the campaign database does not already hold as finished.
  --db PATH     campaign database (default: results/<sweep name>.db)
  --dry-run     check the file and list the pending runs, boot nothing
  --overhead S  per-run setup seconds assumed for the ETA (default 20)
TXT
}

file='' db='' dry=0 overhead=20
while [ $# -gt 0 ]; do
	case "$1" in
	--db) [ $# -ge 2 ] || tb_usage_die "sweep: --db needs a path"; db=$2; shift ;;
	--dry-run) dry=1 ;;
	--overhead)
		if [ $# -lt 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then tb_usage_die "sweep: --overhead needs whole seconds"; fi
		overhead=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) tb_usage_die "sweep: unknown option '$1'" ;;
	*) [ -z "$file" ] || tb_usage_die "sweep: one sweep file only"; file=$1 ;;
	esac
	shift
done
[ -n "$file" ] || tb_usage_die "sweep: which sweep file?"
[ -r "$file" ] || tb_die "cannot read sweep file '$file'"
file=$(realpath "$file")

bin=$TB_BUILD
for t in experiments/tb-sweep lib/tb-db netem-profiles/tb-profile; do
	[ -x "$bin/$t" ] || bash "$TB_ROOT/scripts/build.sh" >/dev/null
done
# shellcheck source=experiments/sweep-lib.sh
source "$TB_ROOT/experiments/sweep-lib.sh"

# What exists, so the file is checked against it before anything boots.
tb_sweep_known
"$bin/experiments/tb-sweep" check "$file" "${TB_SWEEP_KNOWN[@]}" --overhead "$overhead"
name=$("$bin/experiments/tb-sweep" check "$file" "${TB_SWEEP_KNOWN[@]}" | sed -n '1s/^sweep \([^:]*\):.*/\1/p')
[ -n "$db" ] || db=$TB_ROOT/results/$name.db
mkdir -p "$(dirname "$db")"
"$bin/lib/tb-db" init "$db"

work=$TB_CACHE/sweeps/$name
mkdir -p "$work"

# Merge every finished run database of an out dir, once.
merge_runs() {
	local out=$1 f err
	for f in "$out"/runs/*.db; do
		[ -f "$f" ] || continue
		# import is one transaction: a full disk leaves no half-written run
		if ! err=$("$bin/lib/tb-db" import "$db" "$f" 2>&1); then
			tb_die "cannot store the runs of $out in $db: ${err##*: } (the sweep stops; finished runs stay in $out/runs and are merged at the next start)"
		fi
		mv "$f" "$f.merged"
	done
}
# Runs a guest finished before this host process was killed outright (no
# trap ran) are still in their boot directories: take them in first (not on
# a dry run, which changes nothing).
if [ "$dry" -eq 0 ]; then
	for d in "$work"/boot-*/; do
		if [ -d "$d/runs" ]; then merge_runs "$d"; fi
	done
fi

# One point file per run; the finished ones (by point key) are skipped.
rm -rf "$work/points"
mkdir -p "$work/points"
mapfile -t all < <("$bin/experiments/tb-sweep" expand "$file" "${TB_SWEEP_KNOWN[@]}" --dir "$work/points")
declare -A finished=() kernel_of=() profile_of=() checked_profile=()
while IFS= read -r k; do finished[$k]=1; done < <("$bin/lib/tb-db" done-keys "$db" "$name")
pending=() kernels_in_order=()
for f in "${all[@]}"; do
	tb_point_load "$f"
	# Each profile the sweep uses must parse, too: a broken file is found
	# here, not in the guest after a boot.
	if [ -z "${checked_profile[${point[profile]}]:-}" ]; then
		"$bin/netem-profiles/tb-profile" show "$TB_ROOT/netem-profiles/${point[profile]}.profile" >/dev/null ||
			tb_die "sweep: profile '${point[profile]}' (netem-profiles/${point[profile]}.profile) is invalid; nothing was run"
		checked_profile[${point[profile]}]=1
	fi
	[ -z "${finished[${point[point_key]}]:-}" ] || continue
	pending+=("$f")
	kernel_of[$f]=${point[kernel]} profile_of[$f]=${point[profile]}
	[[ " ${kernels_in_order[*]} " == *" ${point[kernel]} "* ]] || kernels_in_order+=("${point[kernel]}")
	duration=${point[duration]}
done
total=${#all[@]}
todo=${#pending[@]}
tb_log "sweep $name: $((total - todo)) of $total runs already in $db, $todo to do"
if [ "$dry" -eq 1 ]; then
	for f in "${pending[@]}"; do
		tb_point_load "$f"
		printf '%-14s %s\n' "${point[kernel]}" "${point[point_key]}"
	done
	exit 0
fi
[ "$todo" -gt 0 ] || { tb_log "nothing to do"; exit 0; }

current_out=''
on_interrupt() { # on_interrupt EXIT_STATUS
	trap - INT TERM
	tb_log "interrupted: keeping the runs that finished"
	[ -z "$current_out" ] || merge_runs "$current_out"
	exit "$1"
}
trap 'on_interrupt 130' INT
trap 'on_interrupt 143' TERM

# Facts of this host the guest cannot see (its /proc/cpuinfo names QEMU's
# emulated CPU), handed to every run of a boot in one file.
git_rev=$(git -C "$TB_ROOT" describe --always --dirty 2>/dev/null || echo unknown)
host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
failed=0
# For the guest's progress line: runs of earlier boots, and the seconds
# per run they took (the host's per-run guess before the first boot).
before=0 sweep_start=$EPOCHSECONDS
per_run=$((duration + overhead))
# One boot per kernel from source (the default); on the module path
# (TB_KERNEL_FROM_SOURCE=0) one boot for all, the guest switching tun.ko
# between kernels (kernel/tun-switch.sh). See kernel/kernel-lib.sh,
# tb_kernel_path, for why source is the default.
boots=("${kernels_in_order[@]}")
if [ "$(tb_kernel_path)" = modules ]; then
	boots=("${kernels_in_order[*]}")
fi
for group in "${boots[@]}"; do
	read -r -a group_kernels <<<"$group"
	kernel=${group_kernels[0]}
	out=$(mktemp -d "$work/boot-$kernel-XXXXXX")
	current_out=$out
	mkdir -p "$out/runs"
	# By kernel, then by profile: the guest keeps a scenario up while the
	# kernel and profile stay.
	for k in "${!group_kernels[@]}"; do
		for f in "${pending[@]}"; do
			if [ "${kernel_of[$f]}" = "${group_kernels[$k]}" ]; then printf '%s\t%s\t%s\n' "$k" "${profile_of[$f]}" "$f"; fi
		done
	done | sort -t$'\t' -s -k1,1n -k2,2 | cut -f3 >"$out/points.list"
	n=$(wc -l <"$out/points.list")
	cat >"$out/boot.env" <<ENV
git_rev=$git_rev
host_cpu_model=$host_cpu
host_cpus=$(nproc)
sweep_runs_before=$before
sweep_runs_todo=$todo
sweep_seconds_per_run=$per_run
ENV
	for k in "${group_kernels[@]}"; do bash "$TB_ROOT/kernel/build.sh" build "$k"; done
	# Key generation is slow under TCG: the host makes the PKI the guest uses.
	tb_scenario_pki "$out/scenario"
	tb_log "kernel ${group_kernels[*]}: $n run(s); booting"
	# Generous: TCG runs are slow; a hung guest is still killed in the end.
	timeout_s=$((n * (duration + overhead) * 3 + 300))
	set +e
	bash "$TB_ROOT/vm/vm.sh" --kernel "$kernel" --out "$out" --timeout "$timeout_s" -- \
		bash "$TB_ROOT/experiments/guest-sweep.sh" "$out"
	rc=$?
	set -e
	merge_runs "$out"
	current_out=''
	before=$((before + n))
	per_run=$(((EPOCHSECONDS - sweep_start) / before))
	if [ "$rc" -ne 0 ]; then
		tb_log "kernel $kernel: guest exited with status $rc (finished runs were kept)"
		failed=1
	fi
done

done_now=$("$bin/lib/tb-db" query "$db" "SELECT count(*) FROM runs WHERE campaign='$name' AND status='done'")
invalid=$("$bin/lib/tb-db" query "$db" "SELECT count(*) FROM runs WHERE campaign='$name' AND status='done' AND valid=0")
tb_log "sweep $name: $done_now of $total runs done ($invalid marked invalid) in $db"
[ "$failed" -eq 0 ] && [ "$done_now" -ge "$total" ]
