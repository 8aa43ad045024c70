#!/usr/bin/env bash
# ./testbed figures --run ID: the timeline of one run (a testbed run, or a
# field run of tb-send, tb-recv and tb-watch merged by tb-db import): per
# frame its latency, whether it was lost or damaged, and the sender's time
# blocked in send(); per sample the TUN ring's drops and the qdisc's backlog;
# all on one time axis, as PNG and SVG (paper-figures/timeline.gp).
set -euo pipefail
# shellcheck source=analysis/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../analysis/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed figures --run ID [--db FILE] [--out DIR]

Draws the timeline of run ID of FILE (default results/runs.db) into
DIR/timeline-run-ID.png and .svg (DIR default paper-figures/out/), the data
behind it in DIR/data/timeline-ID-*.dat. Seconds from the run's start
(runs.started_ns; the first frame or sample when unset); a frame is placed
at its capture time. Panels, sharing the time axis:
  frame latency      frames received whole: shown, or damaged (not decodable)
  lost and damaged   lost: incomplete or never seen by tb-recv
  sender blocked     frames_sent.blocked_ns per frame
  ring drops         samples ring_drops (tb-watch, or the testbed's sampler)
  qdisc backlog      samples qdisc_backlog_bytes
TXT
}

db=$TB_ROOT/results/runs.db out=$TB_ROOT/paper-figures/out run=''
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--run | --db | --out)
		[ $# -ge 2 ] || tb_usage_die "figures: $1 needs a value"
		case "$1" in
		--run) run=$2 ;;
		--db) db=$2 ;;
		--out) out=$2 ;;
		esac
		shift
		;;
	-*) tb_usage_die "figures: unknown option '$1' (with --run: --db, --out)" ;;
	*) db=$1 ;;
	esac
	shift
done
[[ $run =~ ^[1-9][0-9]{0,17}$ ]] || tb_usage_die "figures: --run: expected a run id (a positive integer), got '$run'"
tb_db_open "$db"
tb_have gnuplot || tb_die "gnuplot is missing (./testbed setup)"
sql() { tb_sql -list -separator $'\t' "$1"; }
[ "$(sql "SELECT count(*) FROM runs WHERE id = $run")" = 1 ] || tb_die "figures: no run $run in $db"

data=$out/data
mkdir -p "$data"
rm -f "$data/timeline-$run-"*.dat
t0=$(sql "SELECT coalesce(started_ns, (SELECT min(t) FROM (
	SELECT min(capture_ns) AS t FROM frames_sent WHERE run_id = $run
	UNION ALL SELECT min(t_ns) FROM samples WHERE run_id = $run))) FROM runs WHERE id = $run")
[ -n "$t0" ] || tb_die "figures: run $run has no frames and no samples to draw"
# Frames: sent, left joined with what the receiver made of them (each
# camera's frame with its own: stream and frame_no).
frames="SELECT (s.capture_ns - $t0) / 1e9 AS t, s.blocked_ns, r.complete, r.decodable, r.latency_ns
	FROM frames_sent s LEFT JOIN frames_recv r ON r.run_id = s.run_id AND r.stream = s.stream AND r.frame_no = s.frame_no
	WHERE s.run_id = $run"
# write NAME QUERY: the rows into data/timeline-RUN-NAME.dat; prints the count
write() {
	sql "$2" >"$data/timeline-$run-$1.dat"
	wc -l <"$data/timeline-$run-$1.dat"
}
recv_rows=$(sql "SELECT count(*) FROM frames_recv WHERE run_id = $run")
if [ "$recv_rows" -gt 0 ]; then
	n_ok=$(write ok "SELECT t, latency_ns / 1e6 FROM ($frames) WHERE complete = 1 AND decodable = 1 AND latency_ns IS NOT NULL ORDER BY t")
	n_damaged=$(write damaged "SELECT t, coalesce(latency_ns / 1e6, 'NaN') FROM ($frames)
		WHERE complete = 1 AND decodable IS NOT 1 ORDER BY t")
	n_lost=$(write lost "SELECT t FROM ($frames) WHERE complete IS NOT 1 ORDER BY t")
	received="$n_lost lost, $n_damaged damaged"
else
	n_ok=0 n_damaged=0 n_lost=0
	received='no tb-recv rows: loss unknown'
fi
n_blocked=$(write blocked "SELECT t, coalesce(blocked_ns, 0) / 1e6 FROM ($frames) ORDER BY t")
n_ring=$(write ring "SELECT (t_ns - $t0) / 1e9, value FROM samples WHERE run_id = $run AND name = 'ring_drops' ORDER BY t_ns")
n_backlog=$(write backlog "SELECT (t_ns - $t0) / 1e9, value / 1000 FROM samples
	WHERE run_id = $run AND name = 'qdisc_backlog_bytes' ORDER BY t_ns")
# top FILE...: the highest value of column 2 (0 when none; NaN skipped)
top() { cat "$@" | awk -F'\t' '$2 != "NaN" && $2 + 0 > m { m = $2 + 0 } END { print m + 0 }'; }
d=$data/timeline-$run
max_latency=0
[ "$recv_rows" -eq 0 ] || max_latency=$(top "$d-ok.dat" "$d-damaged.dat")
read -r xmin xmax < <(cat "$data/timeline-$run-"*.dat | awk -F'\t' 'NR == 1 { lo = $1; hi = $1 }
	{ if ($1 < lo) lo = $1; if ($1 > hi) hi = $1 } END { if (lo > 0) lo = 0; if (hi <= lo) hi = lo + 1; print lo, hi }')
setting=$(sql "SELECT kind || coalesce(', kernel ' || kernel, '') || coalesce(', ring ' || ring, '')
	|| coalesce(', ' || coalesce(qdisc, qdisc_kind), '') || coalesce(', profile ' || profile, '')
	|| coalesce(', clip ' || clip, '') || CASE WHEN cameras > 1 THEN ', ' || cameras || ' cameras' ELSE '' END
	|| coalesce(', dev ' || CASE WHEN json_valid(knobs_json) THEN json_extract(knobs_json, '$.dev') END, '')
	FROM runs WHERE id = $run")
frames_sent=$(sql "SELECT count(*) FROM frames_sent WHERE run_id = $run")
subtitle="$setting; $frames_sent frames sent, $received"
for t in png svg; do
	gnuplot -e "term='$t'; out='$out/timeline-run-$run.$t'; dir='$TB_ROOT/paper-figures'; data='$data'" \
		-e "run='$run'; subtitle='${subtitle//\'/}'; xmin=$xmin; xmax=$xmax" \
		-e "n_ok=$n_ok; n_damaged=$n_damaged; n_lost=$n_lost; n_blocked=$n_blocked; n_ring=$n_ring; n_backlog=$n_backlog" \
		-e "max_latency=$max_latency; max_blocked=$(top "$d-blocked.dat"); max_ring=$(top "$d-ring.dat"); max_backlog=$(top "$d-backlog.dat")" \
		"$TB_ROOT/paper-figures/timeline.gp"
done
printf 'figure timeline-run-%s: %s.png, %s.svg (%s)\n' "$run" "$out/timeline-run-$run" "$out/timeline-run-$run" "$subtitle"
