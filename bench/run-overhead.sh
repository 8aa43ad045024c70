#!/usr/bin/env bash
# Benchmark: where a sweep run's time goes besides its traffic, under the
# accel this machine has (TCG here). Runs bench/sweeps/overhead.sweep (or
# --sweep FILE) into a scratch database, or reads the logs of a sweep that
# already ran (--logs DIR, the sweep's work directory), and prints per phase
# the mean and standard deviation over the runs (seconds), from the "time:"
# line run-point.sh prints per run and the "point:" line guest-sweep.sh
# prints per point, plus the boot time per boot from the host's log.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$here/../scripts/lib.sh"

usage() {
	cat <<'TXT'
usage: bench/run-overhead.sh [--sweep FILE] [--logs DIR]

  --sweep FILE  the sweep to run (default bench/sweeps/overhead.sweep: 12
                runs of 3 s, video and TCP, one kernel)
  --logs DIR    do not run anything: read the console logs of a sweep that
                ran (its work directory, e.g. ~/.cache/tun-nodrop-testbed/
                sweeps/NAME)
Prints, per phase of a run, mean and standard deviation in seconds over the
runs; 'scenario' includes bringing it up on the first run of a boot (shown
apart as the maximum), 'overhead' is everything in a point but its traffic
(also apart for runs that reused the scenario and runs that brought one up).
TXT
}

sweep=$here/sweeps/overhead.sweep logs=''
while [ $# -gt 0 ]; do
	case "$1" in
	--sweep) [ $# -ge 2 ] || tb_usage_die "--sweep needs a file"; sweep=$2; shift 2 ;;
	--logs) [ $# -ge 2 ] || tb_usage_die "--logs needs a directory"; logs=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) tb_usage_die "unknown option '$1'" ;;
	esac
done

if [ -z "$logs" ]; then
	[ -f "$sweep" ] || tb_usage_die "--sweep: no file $sweep"
	scratch=$(mktemp -d)
	trap 'rm -rf "$scratch"' EXIT
	name=$(sed -n 's/^name *= *//p' "$sweep" | head -n 1)
	logs=$TB_CACHE/sweeps/$name
	rm -rf "$logs"
	t0=$EPOCHSECONDS
	bash "$TB_ROOT/experiments/sweep.sh" "$sweep" --db "$scratch/bench.db" >"$scratch/sweep.log" 2>&1 ||
		{ tail -n 30 "$scratch/sweep.log" >&2; tb_die "the bench sweep failed"; }
	echo "sweep $(basename "$sweep"): $((EPOCHSECONDS - t0)) s wall, $(grep -c '^  time:' "$logs"/boot-*/vm-console.log | awk -F: '{ n += $NF } END { print n }') runs"
fi
[ -d "$logs" ] || tb_usage_die "--logs: no directory $logs"
shopt -s nullglob
consoles=("$logs"/boot-*/vm-console.log)
[ "${#consoles[@]}" -gt 0 ] || tb_die "no boot-*/vm-console.log under $logs"

# The guest's console: "  time: scenario 0.41 s, row 0.62 s, ..." per run,
# "  point: 21.30 s in all" per point, "run i/n ... traffic=T" before each.
awk '
	/^run [0-9]+\/[0-9]+ / { for (i = 1; i <= NF; i++) if ($i ~ /^traffic=/) traffic = substr($i, 9) }
	/^  time:/ {
		line = substr($0, 9)
		n = split(line, parts, /, /)
		for (i = 1; i <= n; i++) {
			split(parts[i], f, " ")
			add(f[1], f[2])
			if (f[1] == "traffic") t = f[2]
			if (f[1] == "scenario" && f[2] > smax) smax = f[2]
		}
		runs++
	}
	/scenario .* reused:/ { reused = 1 }
	/scenario .* up in / { reused = 0 }
	/^  point: / {
		add("point (in all)", $2); add("overhead", $2 - t)
		if (reused) add("overhead, reused", $2 - t); else add("overhead, new", $2 - t)
	}
	function add(k, v) {
		if (!(k in sum)) order[++keys] = k
		sum[k] += v; sq[k] += v * v; cnt[k]++
	}
	END {
		if (!runs) { print "no runs with timing lines (older code?)" > "/dev/stderr"; exit 1 }
		printf "%-16s %8s %8s %5s\n", "phase", "mean_s", "sd_s", "runs"
		for (i = 1; i <= keys; i++) {
			k = order[i]; m = sum[k] / cnt[k]
			v = cnt[k] > 1 ? (sq[k] - cnt[k] * m * m) / (cnt[k] - 1) : 0
			printf "%-16s %8.2f %8.2f %5d\n", k, m, sqrt(v > 0 ? v : 0), cnt[k]
		}
		printf "scenario max %.2f s (bringing it up, first run of a boot)\n", smax
	}' "${consoles[@]}"

# Boots: the guest's uptime when it was ready for its first point.
awk '/^guest: ready for the first point after / { s += $8; s2 += $8 * $8; n++ }
	END { if (n) { m = s / n; v = n > 1 ? (s2 - n * m * m) / (n - 1) : 0
		printf "boot: %.2f s mean, sd %.2f s, %d boot(s) (guest uptime at its first point)\n", m, sqrt(v > 0 ? v : 0), n } }' "${consoles[@]}"
