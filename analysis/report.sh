#!/usr/bin/env bash
# ./testbed report DB: the per-point summary of a results database, as
# tables for people or CSV/JSON for other tools. Views: analysis/views.sql.
set -euo pipefail
# shellcheck source=analysis/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed report DB [--campaign NAME] [--runs] [--format table|csv|json]

Prints, per point (all settings but the repetition), the mean and spread over
valid repetitions: video packet loss, frame loss, frames with artifacts,
drops per place, frame latency percentiles (of the frames that arrived), the
share of frames sent an operator could show in time (complete, decodable and
in within 100, 150, 200 ms of capture; lost and damaged frames are late),
time the sender was blocked, TCP throughput. Invalid runs (CPU-bound guest, faulted kernel) are counted and listed, not used.
A table shows kernel, ring, qdisc, profile and every other setting its rows
differ in.
  --campaign NAME   only this campaign (default: all)
  --runs            one row per run instead, with the drop attribution
  --format F        table (default), csv or json (all columns, unrounded)
TXT
}

db='' campaign='' runs=0 format=table
while [ $# -gt 0 ]; do
	case "$1" in
	--campaign) [ $# -ge 2 ] || tb_usage_die "report: --campaign needs a name"; campaign=$2; shift ;;
	--runs) runs=1 ;;
	--format)
		[ $# -ge 2 ] || tb_usage_die "report: --format needs table, csv or json"
		case "$2" in table | csv | json) format=$2 ;; *) tb_usage_die "report: unknown format '$2'" ;; esac
		shift
		;;
	-h | --help) usage; exit 0 ;;
	-*) tb_usage_die "report: unknown option '$1'" ;;
	*) [ -z "$db" ] || tb_usage_die "report: one database only"; db=$1 ;;
	esac
	shift
done
[ -n "$db" ] || tb_usage_die "report: which database?"
tb_db_open "$db"
where=$(tb_campaign_is "$campaign")
have_rows() { [ "$(tb_sql -list "SELECT count(*) FROM ($1)")" -gt 0 ]; }

if [ "$format" != table ]; then
	view=point_summary
	[ "$runs" -eq 0 ] || view=run_summary
	mode=(-json)
	[ "$format" = json ] || mode=(-csv -header)
	tb_sql "${mode[@]}" "SELECT * FROM $view WHERE $where"
	exit 0
fi

echo "results: $db"
tb_sql -list "SELECT '  ' || count(*) || ' runs in ' || count(DISTINCT campaign) || ' campaign(s); accel: '
	|| group_concat(DISTINCT accel) || '; kernels: ' || group_concat(DISTINCT kernel || ' ' || coalesce(kernel_release, '-'))
	FROM runs WHERE status = 'done' AND $where"
tb_sql -list "SELECT '  host: ' || coalesce(json_extract(env_json, '$.host_cpu_model'), '-') || ', '
	|| coalesce(json_extract(env_json, '$.host_cpus'), '-') || ' cores; guest: ' || coalesce(json_extract(env_json, '$.cpus'), '-')
	|| ' CPUs; OpenVPN ' || coalesce(json_extract(env_json, '$.openvpn'), '-') || ' (' || coalesce(json_extract(knobs_json, '$.vpn_cipher'), '-')
	|| '), iperf3 ' || coalesce(json_extract(env_json, '$.iperf3'), '-') FROM runs WHERE status = 'done' AND $where LIMIT 1"

if [ "$runs" -eq 1 ]; then
	from="run_summary WHERE $where"
	q="SELECT run_id AS run, kernel, ring, qdisc, profile, traffic$(tb_varying_settings "$from" campaign kernel ring qdisc profile traffic),
		repetition AS rep, CASE valid WHEN 1 THEN 'yes' ELSE 'NO' END AS valid, $(tb_num cpu_busy_pct 0) AS 'cpu %',
		pkts_sent AS sent, pkts_received AS received, ring_drops AS 'ring drops', qdisc_drops AS 'qdisc drops',
		socket_drops AS 'socket drops', wan_drops AS 'wan drops', vpn_drops AS 'vpn drops',
		receiver_drops AS 'receiver drops', unexplained, $(tb_num frame_loss_pct 2) AS 'frame loss %', $(tb_num p95_ms 1) AS 'p95 ms',
		$(tb_num tcp_mbit_s 2) AS 'TCP Mbit/s'
		FROM $from ORDER BY run_id"
	echo
	echo "Runs (drops in packets; sent = received + ring + qdisc + socket + wan + vpn + receiver drops + unexplained)"
	tb_sql -box "$q"
	exit 0
fi

from="point_summary WHERE traffic != 'tcp' AND runs > 0 AND $where"
video="SELECT kernel, ring, qdisc, profile, clip$(tb_varying_settings "$from" kernel ring qdisc profile clip),
	runs AS n, invalid_runs AS invalid, unknown_runs AS unknown,
	$(tb_pm pkt_loss_pct pkt_loss_sd 2) AS 'pkt loss %', $(tb_pm frame_loss_pct frame_loss_sd 2) AS 'frame loss %',
	$(tb_pm artifact_pct artifact_sd 1) AS 'artifacts %', $(tb_num ring_drops 0) AS 'ring drops',
	$(tb_num qdisc_drops 0) AS 'qdisc drops', $(tb_pm p50_ms p50_sd 1) AS 'p50 ms',
	$(tb_pm p95_ms p95_sd 1) AS 'p95 ms', $(tb_pm p99_ms p99_sd 1) AS 'p99 ms', $(tb_num max_ms 1) AS 'max ms',
	$(tb_in_time_columns), $(tb_pm blocked_ms blocked_sd 0) AS 'blocked ms'
	FROM $from ORDER BY profile, qdisc, kernel, ring"
if have_rows "$video"; then
	echo
	echo "Video (mean ± sample sd over valid repetitions; latency: capture to last packet, of the complete frames;"
	echo "in time ≤N ms: % of the frames sent that were complete, decodable and in within N ms, lost and damaged ones late)"
	tb_sql -box "$video"
fi
from="point_summary WHERE traffic != 'video' AND runs > 0 AND $where"
tcp="SELECT kernel, ring, qdisc, profile, traffic$(tb_varying_settings "$from" kernel ring qdisc profile traffic),
	runs AS n, invalid_runs AS invalid, unknown_runs AS unknown, $(tb_pm tcp_mbit_s tcp_mbit_sd 2) AS 'TCP Mbit/s',
	unconverged_runs AS 'not steady'
	FROM $from ORDER BY profile, qdisc, kernel, ring"
if have_rows "$tcp"; then
	echo
	echo "TCP (iperf3 receiver throughput after its --omit start, mean ± sample sd; not steady: valid runs whose"
	echo "two halves differ by more than 5 %, counted in the mean and flagged)"
	tb_sql -box "$tcp"
fi
invalid="SELECT id AS run, kernel, ring, qdisc, profile, traffic,
	CASE WHEN valid = 0 THEN 'invalid' ELSE 'unknown' END AS validity, invalid_reason AS reason
	FROM runs WHERE status = 'done' AND (valid = 0 OR valid IS NULL) AND $where ORDER BY id"
if have_rows "$invalid"; then
	echo
	echo "Invalid and unknown runs (excluded above)"
	tb_sql -box "$invalid"
fi
