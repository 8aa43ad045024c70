#!/usr/bin/env bash
# ./testbed merge OUT IN...: the databases of a sweep's shards (or any
# databases of one sweep) into one, checked to match (lib/tools/tb_merge.c),
# then what is still missing and how each host did.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed merge OUT IN... [--sweep FILE] [--force]

Copies every run of the IN databases, with all its rows, into OUT (created
when absent). Runs OUT already holds are skipped, so merging again changes
nothing; a failed run is kept, and a done run of its point counts.
Refused, with nothing written, when the inputs hold different campaigns or
sweep files (sha256), one kernel with different patch hashes, or runs under
different accel modes or host CPU models (their results do not scale alike),
unless --force.
Then, per campaign: the runs per host (env_json host_name) with their mean
setup time beyond the run's duration (a slow or shared node shows here) and
mean TCP throughput and video loss of their valid runs, and the runs of the
sweep file not done yet, with their shard.
  --sweep FILE  the sweep file the shards ran (default: the one the runs
                recorded, when it is still there unchanged)
  --force       merge despite a failed check (the check's lines still print)
TXT
}

out='' sweep='' ins=() force=()
while [ $# -gt 0 ]; do
	case "$1" in
	--sweep) [ $# -ge 2 ] || tb_usage_die "merge: --sweep needs a file"; sweep=$2; shift ;;
	--force) force=(--force) ;;
	-h | --help) usage; exit 0 ;;
	-*) tb_usage_die "merge: unknown option '$1'" ;;
	*) if [ -z "$out" ]; then out=$1; else ins+=("$1"); fi ;;
	esac
	shift
done
[[ -n $out && ${#ins[@]} -ge 1 ]] || tb_usage_die "merge: needs OUT and at least one IN"
for f in "${ins[@]}"; do [ -r "$f" ] || tb_die "merge: cannot read input database '$f'"; done

bin=$TB_BUILD
for t in lib/tb-merge lib/tb-db experiments/tb-sweep; do
	[ -x "$bin/$t" ] || bash "$TB_ROOT/scripts/build.sh" >/dev/null
done
# shellcheck source=experiments/sweep-lib.sh
source "$TB_ROOT/experiments/sweep-lib.sh"
sweep_name() { "$bin/experiments/tb-sweep" name "$1"; }
opts=()
if [ -n "$sweep" ]; then
	[ -r "$sweep" ] || tb_die "merge: cannot read sweep file '$sweep'"
	sweep=$(realpath "$sweep")
	opts=(--campaign "$(sweep_name "$sweep")" --sweep-sha256 "$(sha256sum "$sweep" | cut -d' ' -f1)")
fi
"$bin/lib/tb-merge" "$out" "${ins[@]}" "${opts[@]}" "${force[@]}"

q() { "$bin/lib/tb-db" query "$out" "$@"; }
sql_str() { printf "'%s'" "${1//\'/\'\'}"; }
mapfile -t campaigns < <(for f in "${ins[@]}"; do
	"$bin/lib/tb-db" query "$f" "SELECT DISTINCT campaign FROM runs WHERE point_key IS NOT NULL"
done | sort -u)
for c in "${campaigns[@]}"; do
	cq=$(sql_str "$c")
	echo
	echo "campaign $c: runs per host"
	printf '%-24s %6s %6s %6s %12s %11s %15s\n' host runs 'done' valid setup_s/run tcp_mbit_s video_loss_pct
	q --views "$TB_ROOT/analysis/views.sql" "SELECT printf('%-24s %6d %6d %6d %12s %11s %15s', h, n, d, v, su, tcp, loss)
		FROM (SELECT coalesce(CASE WHEN json_valid(r.env_json) THEN json_extract(r.env_json, '$.host_name') END,
			'(not recorded)') AS h,
		count(*) AS n, sum(r.status = 'done') AS d, sum(r.status = 'done' AND r.valid IS 1) AS v,
		coalesce(round(avg(CASE WHEN r.status = 'done' AND r.ended_ns > r.started_ns
			THEN (r.ended_ns - r.started_ns) / 1e9 - r.duration END), 1), '-') AS su,
		coalesce(round(avg(CASE WHEN r.status = 'done' AND r.valid = 1 THEN s.tcp_mbit_s END), 2), '-') AS tcp,
		coalesce(round(avg(CASE WHEN r.status = 'done' AND r.valid = 1 THEN s.pkt_loss_pct END), 3), '-') AS loss
		FROM runs r LEFT JOIN run_summary s ON s.run_id = r.id
		WHERE r.campaign = $cq AND r.point_key IS NOT NULL GROUP BY 1 ORDER BY 1)"
	# The setup time does not depend on the point, so it compares hosts;
	# throughput and loss do (each host ran other points).
	q "SELECT 'spread of the per-host setup time: ' || round(min(m), 1) || ' to ' || round(max(m), 1) || ' s per run'
		FROM (SELECT avg((ended_ns - started_ns) / 1e9 - duration) AS m FROM runs
		WHERE campaign = $cq AND status = 'done' AND ended_ns > started_ns AND point_key IS NOT NULL
		GROUP BY CASE WHEN json_valid(env_json) THEN json_extract(env_json, '$.host_name') END)
		HAVING count(*) > 1"

	file=$sweep
	if [ -z "$file" ]; then # the file the runs recorded, if it is unchanged
		while IFS=$'\t' read -r f sha; do
			if [ -r "$f" ] && [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$sha" ]; then file=$f; fi
		done < <(q "SELECT DISTINCT json_extract(env_json, '$.sweep_file'), json_extract(env_json, '$.sweep_sha256')
			FROM runs WHERE campaign = $cq AND json_valid(env_json) AND json_extract(env_json, '$.sweep_file') IS NOT NULL")
	fi
	if [ -z "$file" ] || [ "$(sweep_name "$file")" != "$c" ]; then
		echo "campaign $c: cannot list the runs still missing: no sweep file recorded and unchanged (pass --sweep FILE)"
		continue
	fi
	# Rings in BDP units resolve with the capacities the runs recorded.
	declare -A capacity=() # read by tb_sweep_bdp
	while read -r vpn mbit _; do
		[ -z "$vpn" ] || capacity[$vpn]=$mbit
	done < <(q "SELECT DISTINCT json_extract(env_json, '$.bdp_capacity') FROM runs WHERE campaign = $cq
		AND json_valid(env_json) AND json_extract(env_json, '$.bdp_capacity') IS NOT NULL LIMIT 1" | tr ',' '\n')
	tb_sweep_bdp "$file" /nonexistent
	if ! "$bin/experiments/tb-sweep" check "$file" "${TB_SWEEP_BDP[@]}" >/dev/null 2>&1; then
		echo "campaign $c: cannot list the runs still missing: $file has rings in BDP units and the runs recorded no capacity"
		continue
	fi
	tmp=$(mktemp -d)
	# The shard of each run, when the runs were sharded: resubmitting that
	# shard runs only its missing points.
	nshards=$(q "SELECT json_extract(env_json, '$.sweep_shard') FROM runs WHERE campaign = $cq AND json_valid(env_json)
		AND json_extract(env_json, '$.sweep_shard') IS NOT NULL LIMIT 1")
	by=$(q "SELECT json_extract(env_json, '$.sweep_shard_by') FROM runs WHERE campaign = $cq AND json_valid(env_json)
		AND json_extract(env_json, '$.sweep_shard_by') IS NOT NULL LIMIT 1")
	declare -A shard_of=()
	if [ -n "$nshards" ]; then
		n=${nshards#*/}
		for ((k = 1; k <= n; k++)); do
			mkdir -p "$tmp/$k"
			while IFS= read -r p; do
				shard_of[$(sed -n 's/^point_key = //p' "$p")]="$k/$n"
			done < <("$bin/experiments/tb-sweep" expand "$file" "${TB_SWEEP_BDP[@]}" --dir "$tmp/$k" --shard "$k/$n" --shard-by "${by:-point}")
		done
	fi
	mkdir -p "$tmp/all"
	mapfile -t keys < <("$bin/experiments/tb-sweep" expand "$file" "${TB_SWEEP_BDP[@]}" --dir "$tmp/all" | xargs -r sed -n 's/^point_key = //p')
	declare -A done_key=()
	while IFS= read -r k; do done_key[$k]=1; done < <("$bin/lib/tb-db" done-keys "$out" "$c")
	missing=()
	for k in "${keys[@]}"; do [ -n "${done_key[$k]:-}" ] || missing+=("$k"); done
	echo "campaign $c: $((${#keys[@]} - ${#missing[@]})) of ${#keys[@]} runs of $file done, ${#missing[@]} missing"
	for k in "${missing[@]}"; do
		echo "  missing${shard_of[$k]:+ (shard ${shard_of[$k]})}: $k"
	done
	unset shard_of done_key
	rm -rf "$tmp"
done
