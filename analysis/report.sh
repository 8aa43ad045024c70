#!/usr/bin/env bash
# ./testbed report DB: the per-point summary of a results database, as
# tables for people or CSV/JSON for other tools. Views: analysis/views.sql.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed report DB [--campaign NAME] [--runs] [--format table|csv|json]

Prints, per point (all knobs but the repetition), the mean and spread over
valid repetitions: video packet loss, frame loss, frames with artifacts,
drops per place, frame latency percentiles, time the sender was blocked, TCP
throughput. Invalid runs (CPU-bound guest) are counted and listed, not used.
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
[ -f "$db" ] || tb_die "no such database: $db"
tb_have sqlite3 || tb_die "sqlite3 is missing (./testbed setup)"

views=$TB_ROOT/analysis/views.sql
# Campaign filter as an SQL literal ('' doubled), or true for all.
where=1
[ -z "$campaign" ] || where="campaign = '${campaign//\'/\'\'}'"
sql() { # sql MODE QUERY
	sqlite3 -readonly -bail -cmd ".read $views" "-$1" "$db" "$2"
}
have_rows() { [ "$(sql list "SELECT count(*) FROM ($1)")" -gt 0 ]; }

if [ "$format" != table ]; then
	view=point_summary
	[ "$runs" -eq 0 ] || view=run_summary
	if [ "$format" = csv ]; then format='csv -header'; fi
	# shellcheck disable=SC2086 # "csv -header" is two options
	sqlite3 -readonly -bail -cmd ".read $views" -$format "$db" "SELECT * FROM $view WHERE $where"
	exit 0
fi

# mean ± sd with units in the header; a single run shows no spread.
pm() { printf "CASE WHEN %s IS NULL THEN '-' ELSE printf('%%.%df', %s) || CASE WHEN %s IS NULL THEN '' ELSE printf(' ± %%.%df', %s) END END" "$1" "$3" "$1" "$2" "$3" "$2"; }

echo "results: $db"
sql list "SELECT '  ' || count(*) || ' runs in ' || count(DISTINCT campaign) || ' campaign(s); accel: '
	|| group_concat(DISTINCT accel) || '; kernels: ' || group_concat(DISTINCT kernel_variant || ' ' || kernel_release)
	FROM runs WHERE status = 'done' AND $where"
sql list "SELECT '  host: ' || coalesce(json_extract(env_json, '$.host_cpu_model'), '-') || ', '
	|| coalesce(json_extract(env_json, '$.host_cpus'), '-') || ' cores; guest: ' || json_extract(env_json, '$.cpus')
	|| ' CPUs; OpenVPN ' || json_extract(env_json, '$.openvpn') || ' (' || json_extract(knobs_json, '$.vpn_cipher')
	|| '), iperf3 ' || json_extract(env_json, '$.iperf3') FROM runs WHERE status = 'done' AND $where LIMIT 1"

if [ "$runs" -eq 1 ]; then
	q="SELECT run_id AS run, kernel, ring, qdisc_spec AS qdisc, profile, traffic, repetition AS rep,
		CASE valid WHEN 1 THEN 'yes' ELSE 'NO' END AS valid, CASE WHEN cpu_busy_pct IS NULL THEN '-' ELSE printf('%.0f', cpu_busy_pct) END AS 'cpu %',
		pkts_sent AS sent, pkts_received AS received, ring_drops AS ring, qdisc_drops AS qdisc,
		socket_drops AS socket, wan_drops AS wan, vpn_drops AS vpn, receiver_drops AS receiver,
		unexplained, CASE WHEN frame_loss_pct IS NULL THEN '-' ELSE printf('%.2f', frame_loss_pct) END AS 'frame loss %', CASE WHEN p95_ms IS NULL THEN '-' ELSE printf('%.1f', p95_ms) END AS 'p95 ms',
		CASE WHEN tcp_mbit_s IS NULL THEN '-' ELSE printf('%.2f', tcp_mbit_s) END AS 'TCP Mbit/s'
		FROM run_summary WHERE $where ORDER BY run_id"
	echo
	echo "Runs (drops in packets; sent = received + ring + qdisc + socket + wan + vpn + receiver + unexplained)"
	sql box "$q"
	exit 0
fi

video="SELECT kernel, ring, qdisc_spec AS qdisc, profile, clip, runs AS n, invalid_runs AS invalid,
	$(pm pkt_loss_pct pkt_loss_sd 2) AS 'pkt loss %', $(pm frame_loss_pct frame_loss_sd 2) AS 'frame loss %',
	$(pm artifact_pct artifact_sd 1) AS 'artifacts %', CASE WHEN ring_drops IS NULL THEN '-' ELSE printf('%.0f', ring_drops) END AS 'ring drops',
	CASE WHEN qdisc_drops IS NULL THEN '-' ELSE printf('%.0f', qdisc_drops) END AS 'qdisc drops', $(pm p50_ms p50_sd 1) AS 'p50 ms',
	$(pm p95_ms p95_sd 1) AS 'p95 ms', $(pm p99_ms p99_sd 1) AS 'p99 ms', CASE WHEN max_ms IS NULL THEN '-' ELSE printf('%.1f', max_ms) END AS 'max ms',
	$(pm blocked_ms blocked_sd 0) AS 'blocked ms'
	FROM point_summary WHERE traffic != 'tcp' AND runs > 0 AND $where ORDER BY profile, qdisc, kernel, ring"
if have_rows "$video"; then
	echo
	echo "Video (mean ± sample sd over valid repetitions; latency: capture to last packet, complete frames)"
	sql box "$video"
fi
tcp="SELECT kernel, ring, qdisc_spec AS qdisc, profile, traffic, runs AS n, invalid_runs AS invalid,
	$(pm tcp_mbit_s tcp_mbit_sd 2) AS 'TCP Mbit/s'
	FROM point_summary WHERE traffic != 'video' AND runs > 0 AND $where ORDER BY profile, qdisc, kernel, ring"
if have_rows "$tcp"; then
	echo
	echo "TCP (iperf3 receiver throughput, mean ± sample sd)"
	sql box "$tcp"
fi
invalid="SELECT id AS run, kernel_variant AS kernel, ring, profile, traffic, invalid_reason AS reason
	FROM runs WHERE status = 'done' AND valid = 0 AND $where ORDER BY id"
if have_rows "$invalid"; then
	echo
	echo "Invalid runs (excluded above)"
	sql box "$invalid"
fi
