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
# shellcheck source=scenario/wireguard.sh
source "$TB_ROOT/scenario/wireguard.sh"

usage() {
	cat <<'TXT'
usage: ./testbed sweep FILE [--db PATH] [--dry-run] [--overhead SECONDS] [--stall SECONDS]
                            [--shard K/N [--shard-by point|run]] [--capacity VPN=MBIT ...]
                            [--from-source|--modules]
       ./testbed sweep FILE --slurm --shards N [...]   (scale-out/slurm.sh --help)

Runs every point of the sweep FILE (format: experiments/sweeps/README.md)
that the campaign database does not already hold as finished.
  --db PATH     campaign database (default: results/<sweep name>.db, or
                results/<sweep name>.shard-K-of-N.db with --shard)
  --dry-run     check the file and list the pending runs, boot nothing
  --shard K/N   only the K-th of N parts of the sweep, of about the same
                expected time (the same split on every machine); merge the
                shards' databases with ./testbed merge
  --shard-by    point (default): a point's repetitions stay in one shard
                (with order = interleaved, also its kernels); run: split them
  --overhead S  per-run setup seconds assumed for the ETA (default 20)
  --capacity VPN=MBIT  the VPN's capacity for rings given in units of the
                bandwidth-delay product (ring = 0.27bdp) or in the paper's
                lab packets (ring = 500lab: 500 x this / the paper's lab
                capacity of the VPN, the same at every RTT); without it, the
                newest calibration of that VPN in the campaign database
                (./testbed calibrate --vpn VPN --db PATH). Give the same
                value to every shard of a sweep, so all resolve the same rings
  --stall S     a guest that starts no new run for S seconds is hung: QEMU is
                killed, the run it was in is stored as failed with the reason
                and the remaining runs get a new boot (default: 3 x (the
                longest run + overhead) + 120)
  --from-source boot each kernel variant built from source (one boot per
                variant) instead of Debian's kernel with the variant's tun.ko
                (the module path, the default; ./testbed kernel --help)
TXT
}

# --slurm: the sweep as a Slurm job array of shards and a merge job
for a in "$@"; do
	if [ "$a" = --slurm ]; then
		args=()
		for b in "$@"; do [ "$b" = --slurm ] || args+=("$b"); done
		exec bash "$TB_ROOT/scale-out/slurm.sh" "${args[@]}"
	fi
done

file='' db='' dry=0 overhead=20 stall_s='' shard='' shard_by=''
declare -A capacity=() # read by tb_sweep_bdp
while [ $# -gt 0 ]; do
	case "$1" in
	--capacity)
		if [ $# -lt 2 ] || ! [[ $2 =~ ^([a-z0-9-]+)=([0-9]+(\.[0-9]+)?)$ ]]; then
			tb_usage_die "sweep: --capacity needs VPN=MBIT (e.g. openvpn=21.7), got '${2:-}'"
		fi
		capacity[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}; shift ;;
	--shard)
		[ $# -ge 2 ] || tb_usage_die "sweep: --shard needs K/N (e.g. 2/4)"
		if ! [[ $2 =~ ^([0-9]+)/([0-9]+)$ ]] || [ "${BASH_REMATCH[2]}" -lt 1 ] ||
			[ "${BASH_REMATCH[1]}" -lt 1 ] || [ "${BASH_REMATCH[1]}" -gt "${BASH_REMATCH[2]}" ]; then
			tb_usage_die "sweep: --shard must be K/N with 1 <= K <= N (the K-th of N shards, e.g. 2/4), got '$2'"
		fi
		shard=$2; shift ;;
	--shard-by)
		[[ $# -ge 2 && $2 =~ ^(point|run)$ ]] || tb_usage_die "sweep: --shard-by must be point or run"
		shard_by=$2; shift ;;
	--db) [ $# -ge 2 ] || tb_usage_die "sweep: --db needs a path"; db=$2; shift ;;
	--dry-run) dry=1 ;;
	--from-source) export TB_KERNEL_FROM_SOURCE=1 ;;
	--modules) export TB_KERNEL_FROM_SOURCE=0 ;;
	--overhead)
		if [ $# -lt 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then tb_usage_die "sweep: --overhead needs whole seconds"; fi
		overhead=$2; shift ;;
	--stall)
		if [ $# -lt 2 ] || ! [[ $2 =~ ^[1-9][0-9]*$ ]]; then tb_usage_die "sweep: --stall needs whole seconds > 0"; fi
		stall_s=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) tb_usage_die "sweep: unknown option '$1'" ;;
	*) [ -z "$file" ] || tb_usage_die "sweep: one sweep file only"; file=$1 ;;
	esac
	shift
done
[ -n "$file" ] || tb_usage_die "sweep: which sweep file?"
[ -z "$shard_by" ] || [ -n "$shard" ] || tb_usage_die "sweep: --shard-by goes with --shard K/N"
[ -r "$file" ] || tb_die "cannot read sweep file '$file'"
file=$(realpath "$file")
shard_opts=()
[ -z "$shard" ] || shard_opts=(--shard "$shard" --shard-by "${shard_by:-point}")

bin=$TB_BUILD
for t in experiments/tb-sweep lib/tb-db netem-profiles/tb-profile; do
	[ -x "$bin/$t" ] || bash "$TB_ROOT/scripts/build.sh" >/dev/null
done
# shellcheck source=experiments/sweep-lib.sh
source "$TB_ROOT/experiments/sweep-lib.sh"
tb_kernel_srcver_init

# What exists, so the file is checked against it before anything boots.
tb_sweep_known
name=$("$bin/experiments/tb-sweep" name "$file")
if [ -z "$db" ]; then
	db=$TB_ROOT/results/$name.db
	[ -z "$shard" ] || db=$TB_ROOT/results/$name.shard-${shard%/*}-of-${shard#*/}.db
fi
tb_sweep_bdp "$file" "$db"
checked=$("$bin/experiments/tb-sweep" check "$file" "${TB_SWEEP_KNOWN[@]}" "${TB_SWEEP_BDP[@]}" --overhead "$overhead" "${shard_opts[@]}")
printf '%s\n' "$checked" | grep -v '^order: '
order=$(sed -n 's/^order: //p' <<<"$checked")
# A dry run changes nothing: no database is created.
if [ "$dry" -eq 0 ]; then
	mkdir -p "$(dirname "$db")"
	"$bin/lib/tb-db" init "$db"
fi

# Each run records where and from what it ran (env_json), so merged shards
# can be checked and a slow node seen: the sweep file's hash, the host, and
# the cores this task may use.
sweep_sha256=$(sha256sum "$file" | cut -d' ' -f1)
run_env=(--env "sweep_sha256=$sweep_sha256" --env "sweep_file=$file" --env "host_name=$(hostname)"
	--env "host_cpuset=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)")
[ -z "$shard" ] || run_env+=(--env "sweep_shard=$shard" --env "sweep_shard_by=${shard_by:-point}")
# the capacities that resolved rings given in BDP units
[ -z "$TB_SWEEP_BDP_ENV" ] || run_env+=(--env "bdp_capacity=$TB_SWEEP_BDP_ENV")
[ -z "${SLURM_JOB_ID:-}" ] || run_env+=(--env "slurm_job=${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}${SLURM_ARRAY_TASK_ID:+_$SLURM_ARRAY_TASK_ID}")

work=$TB_CACHE/sweeps/$name
# Shards of one sweep on one machine must not share their point files.
[ -z "$shard" ] || work=$work/shard-${shard%/*}-of-${shard#*/}
mkdir -p "$work"
# One sweep of a name (and shard) at a time on a machine: they share the
# point files and boot directories. A dry run reads nothing there and
# writes its points elsewhere, so it may look while one runs.
points=$work/points
if [ "$dry" -eq 0 ]; then
	exec {sweep_lock}>"$work/.lock"
	flock -n "$sweep_lock" || tb_die "another sweep named '$name'${shard:+ (shard $shard)} is running on this machine (lock $work/.lock); wait for it to end"
else
	points=$(mktemp -d)
	# shellcheck disable=SC2064 # expand now: the path is fixed
	trap "rm -rf '$points'" EXIT
fi

# Merge every finished run database of an out dir, once.
merge_runs() {
	local out=$1 f err
	for f in "$out"/runs/*.db; do
		[ -f "$f" ] || continue
		# import is one transaction: a full disk leaves no half-written run
		if ! err=$("$bin/lib/tb-db" import "$db" "${run_env[@]}" "$f" 2>&1); then
			tb_die "cannot store the runs of $out in $db: ${err##*: } (the sweep stops; finished runs stay in $out/runs and are merged at the next start)"
		fi
		mv "$f" "$f.merged"
	done
}
# Runs a guest finished before this host process was killed outright (no
# trap ran) are still in their boot directories: take them in first (not on
# a dry run, which changes nothing).
# Only those of this database: a sweep of the same name into another
# database (a test's scratch one beside a campaign) leaves them where they
# are. Boot directories from before boot.db existed are taken as before.
if [ "$dry" -eq 0 ]; then
	db_path=$(realpath -m "$db")
	for d in "$work"/boot-*/; do
		[ -d "$d/runs" ] || continue
		if [ -f "$d/boot.db" ] && [ "$(<"$d/boot.db")" != "$db_path" ]; then
			if compgen -G "$d/runs/*.db" >/dev/null; then
				tb_log "sweep: finished runs of $(<"$d/boot.db") left in $d: not merged into $db (sweep with --db $(<"$d/boot.db") to take them in)"
			fi
			continue
		fi
		merge_runs "$d"
	done
fi

# One point file per run; the finished ones (by point key) are skipped.
rm -rf "$points"
mkdir -p "$points"
mapfile -t all < <("$bin/experiments/tb-sweep" expand "$file" "${TB_SWEEP_KNOWN[@]}" "${TB_SWEEP_BDP[@]}" --dir "$points" "${shard_opts[@]}")
declare -A finished=() kernel_of=() scenario_of=() rep_of=() checked_profile=()
if [ -f "$db" ]; then
	while IFS= read -r k; do finished[$k]=1; done < <("$bin/lib/tb-db" done-keys "$db" "$name")
fi
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
	kernel_of[$f]=${point[kernel]} rep_of[$f]=${point[repetition]}
	# what a scenario is brought up with: points that share it run in a row
	scenario_of[$f]="${point[profile]} ${point[vpn]} ${point[flag]}"
	[[ " ${kernels_in_order[*]} " == *" ${point[kernel]} "* ]] || kernels_in_order+=("${point[kernel]}")
	duration=${point[duration]}
	[ "$duration" -le "${longest:-0}" ] || longest=$duration
done
stall_s=${stall_s:-$((3 * (${longest:-0} + overhead) + 120))}
total=${#all[@]}
todo=${#pending[@]}
tb_log "sweep $name${shard:+, shard $shard}: $((total - todo)) of $total runs already in $db, $todo to do"
# A guest needs a host core per vCPU (QEMU runs a thread for each): on a
# shared node with fewer, its runs would measure the contention, not the
# kernel. Refuse rather than store such runs.
if [ "$todo" -gt 0 ]; then
	vcpus=$(tb_guest_vcpus)
	cores=$(nproc)
	for c in ${SLURM_CPUS_PER_TASK:-} ${SLURM_CPUS_ON_NODE:-}; do
		[ "$c" -ge "$cores" ] || cores=$c
	done
	if [ "$cores" -lt "$vcpus" ]; then
		printf 'testbed: error: %s\n' "sweep: this task may use $cores core(s) (nproc${SLURM_CPUS_PER_TASK:+, SLURM_CPUS_PER_TASK}${SLURM_CPUS_ON_NODE:+, SLURM_CPUS_ON_NODE}) but a guest needs $vcpus (vm/vm.sh -smp): its runs would measure the contention; nothing was run" >&2
		exit 2
	fi
fi
# The boots: on the module path (the default) one boot for all, the guest
# switching tun.ko between points (kernel/tun-switch.sh; interleaved:
# repetition by repetition). From source (TB_KERNEL_FROM_SOURCE=1) one per
# kernel, or with order = interleaved one per kernel and repetition,
# alternating (KERNEL@REP).
boots=()
if [ "$(tb_kernel_path)" = modules ]; then
	boots=("${kernels_in_order[*]}")
elif [ "$order" = interleaved ]; then
	for r in $(printf '%s\n' "${rep_of[@]}" | sort -nu); do
		for k in "${kernels_in_order[@]}"; do
			for f in "${pending[@]}"; do
				if [ "${kernel_of[$f]}" = "$k" ] && [ "${rep_of[$f]}" = "$r" ]; then
					boots+=("$k@$r")
					break
				fi
			done
		done
	done
else
	boots=("${kernels_in_order[@]}")
fi
if [ "$dry" -eq 1 ]; then
	for f in "${pending[@]}"; do
		tb_point_load "$f"
		printf '%-14s %s\n' "${point[kernel]}" "${point[point_key]}"
	done
	# from source a boot per word; on the module path one boot for all
	if [ "$(tb_kernel_path)" = modules ]; then
		echo "boots ($order, module path): 1 for ${boots[*]}"
	else
		echo "boots ($order, from source): ${boots[*]}"
	fi
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
# guest_death_reason OUT: why a guest stopped in the middle of a point,
# from its vm.env and console (the panic line, a stall, or an abrupt end).
guest_death_reason() {
	local out=$1 line
	if grep -q '^timed_out=stall' "$out/vm.env" 2>/dev/null; then
		echo "the guest hung: no progress for $stall_s s (QEMU killed; console $out/vm-console.log)"
	elif line=$(tr -d '\r' <"$out/vm-console.log" 2>/dev/null | grep -m1 -E 'Kernel panic|BUG:|general protection fault|double fault'); then
		echo "the guest kernel failed: ${line#*] } (console $out/vm-console.log)"
	elif grep -q '^timed_out=1' "$out/vm.env" 2>/dev/null; then
		echo "the guest ran past the boot's time limit (QEMU killed; console $out/vm-console.log)"
	else
		echo "the guest stopped in the middle of the run (console $out/vm-console.log)"
	fi
}

# A guest that dies (panic, hang) costs the point it was running, stored as
# failed with the reason; the rest of its points get a new boot. After this
# many deaths in one kernel's points the sweep gives up on that kernel.
max_deaths=3
for group in "${boots[@]}"; do
	only_rep=''
	[[ $group != *@* ]] || only_rep=${group#*@}
	read -r -a group_kernels <<<"${group%@*}"
	kernel=${group_kernels[0]}
	# By kernel, then by profile, VPN and flag: the guest keeps a scenario up
	# while those stay (interleaved: by repetition first).
	mapfile -t left < <(
		for k in "${!group_kernels[@]}"; do
			for f in "${pending[@]}"; do
				[ "${kernel_of[$f]}" = "${group_kernels[$k]}" ] || continue
				[ -z "$only_rep" ] || [ "${rep_of[$f]}" = "$only_rep" ] || continue
				r=0
				[ "$order" != interleaved ] || r=${rep_of[$f]}
				printf '%s\t%s\t%s\t%s\n' "$r" "$k" "${scenario_of[$f]}" "$f"
			done
		done | sort -t$'\t' -s -k1,1n -k2,2n -k3,3 | cut -f4
	)
	for k in "${group_kernels[@]}"; do bash "$TB_ROOT/kernel/build.sh" build "$k"; done
	deaths=0
	while [ "${#left[@]}" -gt 0 ]; do
		out=$(mktemp -d "$work/boot-$kernel-XXXXXX")
		current_out=$out
		mkdir -p "$out/runs"
		printf '%s\n' "$db_path" >"$out/boot.db" # whose runs these are (above)
		printf '%s\n' "${left[@]}" >"$out/points.list"
		n=${#left[@]}
		cat >"$out/boot.env" <<ENV
git_rev=$git_rev
host_cpu_model=$host_cpu
host_cpus=$(nproc)
sweep_runs_before=$before
sweep_runs_todo=$todo
sweep_seconds_per_run=$per_run
ENV
		# Key generation is slow under TCG: the host makes the PKI the guest uses.
		tb_scenario_pki "$out/scenario"
		# and the WireGuard keys (four execs the guest need not pay for)
		if tb_have wg; then tb_scenario_wg_keys "$out/scenario"; fi
		tb_log "kernel ${group_kernels[*]}${only_rep:+, repetition $only_rep}: $n run(s); booting"
		# Generous: TCG runs are slow; a hung guest is found by the stall
		# check (no new point for stall_s), the boot limit is the backstop.
		timeout_s=$((n * (duration + overhead) * 3 + 300))
		set +e
		bash "$TB_ROOT/vm/vm.sh" --kernel "$kernel" --out "$out" --timeout "$timeout_s" \
			--stall "$out/current:$stall_s" -- bash "$TB_ROOT/experiments/guest-sweep.sh" "$out"
		rc=$?
		set -e
		merge_runs "$out"
		current_out=''
		# The guest's kernel faulted (experiments/guest-sweep.sh): the runs it
		# published are kept (the one that saw the fault is invalid); the
		# rest get a fresh guest, as after a death.
		dead_point=''
		if [ "$rc" -eq 75 ]; then
			tb_log "kernel $kernel: the guest's kernel faulted (its log: $out/kernel-fault.log)"
		else
			if [ "$rc" -ne 0 ]; then
				tb_log "kernel $kernel: guest exited with status $rc (finished runs were kept)"
				failed=1
			fi
			# The guest finished its list (even with failed runs): next kernel.
			if [ "$rc" -ne 124 ] && [ "$rc" -ne 125 ] || [ ! -s "$out/current" ]; then
				before=$((before + n))
				break
			fi
			read -r index dead_point <"$out/current"
			reason=$(guest_death_reason "$out")
			tb_point_load "$dead_point"
			# When the point began: its heartbeat file was written then. The
			# patch hash is the point's variant's: on the module path the
			# boot's (vm.env) is the kernel it booted, stock's for all.
			"$bin/lib/tb-db" run-new "$db" --point "$dead_point" "${run_env[@]}" kind="${point[traffic]}" status=failed \
				started_ns="$(($(stat -c %Y "$out/current") * 1000000000))" \
				accel="$(sed -n 's/^accel=//p' "$out/vm.env")" patch_hash="$(tb_kernel_patch_hash "${point[kernel]}")" \
				git_rev="$git_rev" fail_reason="$reason" >/dev/null
			tb_log "run $index (kernel ${point[kernel]}, ${point[point_key]}) failed: $reason"
		fi
		# What the guest had not reached yet gets a new boot.
		done_here=0 keep=()
		for f in "${left[@]}"; do
			i=${f##*/}
			i=${i%.point}
			if [ -e "$out/runs/$i.db.merged" ] || [ "$f" = "$dead_point" ]; then
				done_here=$((done_here + 1))
			else
				keep+=("$f")
			fi
		done
		left=("${keep[@]}")
		before=$((before + done_here))
		deaths=$((deaths + 1))
		if [ "$deaths" -ge "$max_deaths" ] && [ "${#left[@]}" -gt 0 ]; then
			tb_log "kernel $kernel: the guest died or faulted $deaths times; its ${#left[@]} remaining run(s) are left for the next sweep"
			before=$((before + ${#left[@]}))
			break
		fi
		[ "${#left[@]}" -eq 0 ] || tb_log "kernel $kernel: booting again for the ${#left[@]} run(s) left"
	done
	per_run=$(((EPOCHSECONDS - sweep_start) / (before > 0 ? before : 1)))
done

# This file's points only: other sweep files may share the campaign (reproduce
# runs its cost and strip sweeps under its own name), and their runs must
# neither count here nor make this sweep look complete.
declare -A done_key=() invalid_key=()
while IFS= read -r k; do done_key[$k]=1; done < <("$bin/lib/tb-db" done-keys "$db" "$name")
while IFS= read -r k; do invalid_key[$k]=1; done < <("$bin/lib/tb-db" query "$db" \
	"SELECT DISTINCT point_key FROM runs WHERE campaign='$name' AND status='done' AND valid=0")
done_now=0 invalid=0
for f in "${all[@]}"; do
	tb_point_load "$f"
	[ -z "${done_key[${point[point_key]}]:-}" ] || done_now=$((done_now + 1))
	[ -z "${invalid_key[${point[point_key]}]:-}" ] || invalid=$((invalid + 1))
done
tb_log "sweep $name: $done_now of $total runs done ($invalid marked invalid) in $db"
[ "$failed" -eq 0 ] && [ "$done_now" -ge "$total" ]
