#!/usr/bin/env bash
# Inside the guest: run each point of POINTS (tab-separated, from
# tb-sweep expand) and leave each finished run's database in OUT/runs/.
# A run's database is written on the guest's tmpfs (SQLite's WAL needs shared
# memory that a 9p share does not give) and moved to OUT only when the run
# is complete, so OUT/runs never holds half a run.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

points=${1:?usage: guest-sweep.sh POINTS.tsv OUT_DIR}
out=${2:?usage: guest-sweep.sh POINTS.tsv OUT_DIR}
mkdir -p "$out/runs"
# The topology's state (PKI made by the host, OpenVPN logs) lives on the
# shared directory, so the host can read the logs after the guest is gone.
export TB_RUN_SCN_DIR=$out/scenario TB_RUN_PREFIX=tbr-
# Let OpenVPN's 4 MiB socket buffers take effect (global limits; the guest
# is ours alone, unlike the host).
sysctl -qw net.core.rmem_max=8388608 net.core.wmem_max=8388608
n=$(wc -l <"$points")
i=0 failed=0
start=$EPOCHSECONDS
# The whole sweep, as the host tells it (all of it is in this boot when
# not): runs before this boot, runs in all, seconds the earlier boots spent
# per run, and the host's guess per run before anything was measured.
before=${TB_SWEEP_BEFORE:-0} todo=${TB_SWEEP_TODO:-$n}
per_run_prior=${TB_SWEEP_PER_RUN:-0}

fmt_eta() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }

while IFS=$'\t' read -r index kernel ring qdisc profile traffic clip sndbuf pace rep duration seed key; do
	i=$((i + 1))
	elapsed=$((EPOCHSECONDS - start))
	per_run=$per_run_prior
	[ "$i" -gt 1 ] && per_run=$((elapsed / (i - 1)))
	eta='?'
	[ "$per_run" -gt 0 ] && eta=$(fmt_eta $((per_run * (todo - before - i + 1))))
	printf 'run %d/%d  kernel=%s ring=%s qdisc=%s profile=%s traffic=%s rep=%s  (this boot %d/%d, elapsed %s, sweep ETA %s)\n' \
		$((before + i)) "$todo" "$kernel" "$ring" "$qdisc" "$profile" "$traffic" "$rep" "$i" "$n" "$(fmt_eta "$elapsed")" "$eta"
	db=/tmp/run-$index.db
	rm -f "$db" "$db-wal" "$db-shm"
	if bash "$TB_ROOT/experiments/run-point.sh" --db "$db" --kernel "$kernel" --ring "$ring" \
		--qdisc "$qdisc" --profile "$profile" --traffic "$traffic" --clip "$clip" \
		--sndbuf "$sndbuf" --pace "$pace" --rep "$rep" --duration "$duration" --seed "$seed" \
		--key "$key" --reuse-topology; then
		# Fold a WAL left behind into the file, then publish it atomically.
		if [ -s "$db-wal" ]; then sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null; fi
		cp "$db" "$out/runs/.$index.db.tmp"
		mv "$out/runs/.$index.db.tmp" "$out/runs/$index.db"
	else
		failed=$((failed + 1))
		printf 'run %d/%d failed (see the messages above); going on\n' "$i" "$n"
	fi
	rm -f "$db" "$db-wal" "$db-shm"
done <"$points"
bash "$TB_ROOT/scenario/topology.sh" down --prefix "$TB_RUN_PREFIX" --dir "$TB_RUN_SCN_DIR" >/dev/null 2>&1 || true
sync
printf 'guest: %d of %d runs finished\n' $((n - failed)) "$n"
[ "$failed" -eq 0 ]
