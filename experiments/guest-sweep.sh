#!/usr/bin/env bash
# Inside the guest: run each point file listed in OUT/points.list (written
# by ./testbed sweep, with the host's facts in OUT/boot.env) and leave each
# finished run's database in OUT/runs/.
# A run's database is written on the guest's tmpfs (SQLite's WAL needs shared
# memory that a 9p share does not give) and moved to OUT only when the run
# is complete, so OUT/runs never holds half a run.
# Each point runs in a subshell that sources run-point.sh: what it changes
# stays there, on purpose.
# shellcheck disable=SC2031
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

# shellcheck source=experiments/sweep-lib.sh
source "$TB_ROOT/experiments/sweep-lib.sh"
# What run-point.sh needs besides, loaded once: each point runs in a subshell
# that sources run-point.sh (below) and inherits them.
# shellcheck source=scenario/scenario-lib.sh
source "$TB_ROOT/scenario/scenario-lib.sh"
# shellcheck source=experiments/sampler.sh
source "$TB_ROOT/experiments/sampler.sh"
_TB_RUN_POINT_LIBS=1

out=${1:?usage: guest-sweep.sh OUT_DIR}
mkdir -p "$out/runs"
mapfile -t points <"$out/points.list"
declare -A boot=()
while IFS='=' read -r k v; do boot[$k]=$v; done <"$out/boot.env"
# The scenario's state (PKI made by the host, OpenVPN logs) lives on the
# shared directory, so the host can read the logs after the guest is gone.
scenario=(--scenario-dir "$out/scenario" --prefix tbr-)
# Let OpenVPN's 4 MiB socket buffers take effect (global limits; the guest
# is ours alone, unlike the host).
sysctl -qw net.core.rmem_max=8388608 net.core.wmem_max=8388608
n=${#points[@]}
i=0 failed=0
# the boot's cost, up to here (bench/run-overhead.sh)
read -r uptime _ </proc/uptime
printf 'guest: ready for the first point after %s s of uptime\n' "$uptime"

start=$EPOCHSECONDS
# The whole sweep, as the host tells it: runs before this boot, runs in
# all, and the seconds per run measured so far (or the host's guess).
before=${boot[sweep_runs_before]:-0} todo=${boot[sweep_runs_todo]:-$n}
per_run_prior=${boot[sweep_seconds_per_run]:-0}

fmt_eta() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }

# OUT/current names the point in progress ("INDEX FILE"): if the guest
# panics or hangs, the host stores that point as failed and boots again for
# the rest. Rewritten per point, so its change is also the host's heartbeat.
current=$out/current
# TB_TEST_GUEST_FAULT=die:K|hang:K|warn:K (tests only): at the K-th point of
# this boot the guest powers off abruptly (as after a panic: QEMU ends, no
# exit status), stops making progress, or taints its kernel with W as a
# kernel warning would (root may add taint bits through the sysctl).
fault=${TB_TEST_GUEST_FAULT:-}
# The kernel taint bits that mean it faulted: M B D W L (as TB_TAINT_FAULTS
# in lib/include/tb/validity.h, which judges each run by them).
taint_faults=$(((1 << 4) | (1 << 5) | (1 << 7) | (1 << 9) | (1 << 14)))
# The exit status that tells the host the kernel faulted: it keeps the runs
# published so far and boots a fresh guest for the rest (experiments/sweep.sh).
exit_kernel_fault=75
for file in "${points[@]}"; do
	tb_point_load "$file"
	i=$((i + 1))
	index=${file##*/}
	index=${index%.point}
	printf '%s %s\n' "$index" "$file" >"$current.tmp"
	mv "$current.tmp" "$current"
	case "$fault" in
	"die:$i") reboot -f ;;
	"hang:$i") sleep infinity ;;
	"warn:$i") echo 512 >/proc/sys/kernel/tainted ;;
	esac
	elapsed=$((EPOCHSECONDS - start))
	per_run=$per_run_prior
	[ "$i" -gt 1 ] && per_run=$((elapsed / (i - 1)))
	eta='?'
	[ "$per_run" -gt 0 ] && eta=$(fmt_eta $((per_run * (todo - before - i + 1))))
	flag_note=''
	[ "${point[flag]}" = off ] || flag_note=" flag=${point[flag]}"
	printf 'run %d/%d  kernel=%s%s ring=%s qdisc=%s profile=%s traffic=%s rep=%s  (this boot %d/%d, elapsed %s, sweep ETA %s)\n' \
		$((before + i)) "$todo" "${point[kernel]}" "$flag_note" "${point[ring]}" "${point[qdisc]}" "${point[profile]}" \
		"${point[traffic]}" "${point[repetition]}" "$i" "$n" "$(fmt_eta "$elapsed")" "$eta"
	# On the module path one boot serves every kernel: before a point of
	# another variant, the VPN goes down (it holds the TUN) and that
	# variant's tun.ko replaces the loaded one.
	if [ "${TB_KERNEL_PATH:-}" = modules ]; then
		read -r loaded </sys/module/tun/parameters/tb_variant
		if [ "$loaded" != "${point[kernel]}" ]; then
			bash "$TB_ROOT/scenario/scenario.sh" down --prefix tbr- --dir "$out/scenario" >/dev/null 2>&1 || true
			if ! bash "$TB_ROOT/kernel/tun-switch.sh" "${point[kernel]}" >/dev/null; then
				failed=$((failed + 1))
				printf 'run %d/%d: cannot switch to kernel %s; going on\n' "$i" "$n" "${point[kernel]}"
				continue
			fi
		fi
	fi
	db=/tmp/run-$index.db
	rm -f "$db" "$db-wal" "$db-shm"
	t0=$EPOCHREALTIME
	# A subshell, not a condition: under "if !" bash would ignore set -e
	# inside it, and run-point.sh relies on set -e to stop at a failure.
	set +e
	(
		set -e
		source "$TB_ROOT/experiments/run-point.sh" --point "$file" --db "$db" --host-facts "$out/boot.env" \
			"${scenario[@]}" --reuse-scenario
	)
	rc=$?
	set -e
	if [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
		printf 'run %d/%d failed (see the messages above); going on\n' "$i" "$n"
	fi
	# Published finished or failed (a failed run's row says why; it is never
	# summarised, and the next sweep runs the point again): a copy with any
	# WAL folded in, renamed into place whole (one program: tb-db publish).
	if [ -s "$db" ]; then
		"$TB_BUILD/lib/tb-db" publish "$db" "$out/runs/$index.db" ||
			printf 'run %d: its database could not be published (see above)\n' "$i"
	fi
	rm -f "$db" "$db-wal" "$db-shm"
	rm -f "$current"
	# the point's whole cost in the guest, run-point's start-up and the
	# publishing of its database included (bench/run-overhead.sh)
	t1=$EPOCHREALTIME
	d=$(((10#${t1/./} - 10#${t0/./} + 5000) / 10000))
	printf '  point: %d.%02d s in all\n' $((d / 100)) $((d % 100))
	# A kernel that oopsed or warned is not used for another run: the run
	# that saw it is stored invalid (its taint), the host boots again.
	read -r taint </proc/sys/kernel/tainted
	if ((taint & taint_faults)) && [ "$i" -lt "$n" ]; then
		dmesg >"$out/kernel-fault.log" 2>&1 || true
		printf 'guest: the kernel faulted (taint mask %d) by run %d; ending this boot for a fresh one (kernel log: %s)\n' \
			"$taint" "$i" "$out/kernel-fault.log"
		bash "$TB_ROOT/scenario/scenario.sh" down --prefix tbr- --dir "$out/scenario" >/dev/null 2>&1 || true
		sync
		exit "$exit_kernel_fault"
	fi
done
bash "$TB_ROOT/scenario/scenario.sh" down --prefix tbr- --dir "$out/scenario" >/dev/null 2>&1 || true
sync
printf 'guest: %d of %d runs finished\n' $((n - failed)) "$n"
[ "$failed" -eq 0 ]
