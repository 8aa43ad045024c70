#!/usr/bin/env bash
# TCP at matched scale: the paper's rings 10 and 500 as fractions of its
# bandwidth-delay product at ~120 ms, the ring of ours nearest the same
# fraction of our BDP (our VPN's calibrated capacity, the profile's RTT),
# and each patched kernel's throughput over stock's there with a bootstrap
# interval, beside the paper's ratio. Markdown list lines for REPORT.md;
# a line says why when something is missing. Exits 0 either way.
#
#   matched-scale.sh DB [--campaign NAME]
set -euo pipefail
# shellcheck source=analysis/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

db=${1:-}
[ -n "$db" ] || { echo "usage: matched-scale.sh DB [--campaign NAME]" >&2; exit 2; }
shift
campaign=''
if [ $# -gt 0 ]; then
	if [ $# -ne 2 ] || [ "$1" != --campaign ]; then echo "usage: matched-scale.sh DB [--campaign NAME]" >&2; exit 2; fi
	campaign=$2
fi
tb_db_open "$db"
pub=$TB_ROOT/datasets/published/tcp_vs_queue_120ms.csv
where="traffic = 'tcp' AND valid = 1 AND tcp_mbit_s > 0 AND $(tb_campaign_is "$campaign")"
# The paper's real-world RTT; ours: the profile with most such runs.
profile=$(tb_sql -list "SELECT profile FROM run_summary WHERE $where AND profile IN ('de-us', 'lab-rtt-120')
	GROUP BY profile ORDER BY count(*) DESC, profile LIMIT 1")
if [ -z "$profile" ]; then
	echo "- Matched scale: no valid TCP run at profile de-us or lab-rtt-120."
	exit 0
fi
rtt_us=$("$TB_BUILD/netem-profiles/tb-profile" show --json "$TB_ROOT/netem-profiles/$profile.profile" |
	jq '.up.delay_us + .down.delay_us')
for vpn in $(tb_sql -list "SELECT DISTINCT vpn FROM run_summary WHERE $where AND profile = $(tb_lit "$profile") ORDER BY vpn"); do
	name=$vpn
	[ "$vpn" != openvpn ] || name=OpenVPN
	capacity=$(bash "$TB_ROOT/analysis/capacity.sh" "$db" "$vpn") || capacity=''
	if [ -z "$capacity" ]; then
		echo "- $name: no calibration in this database, so no BDP to scale the rings by (./testbed calibrate --vpn $vpn)."
		continue
	fi
	# The paper's capacity of this VPN: its fastest point.
	paper_mbit=$(awk -F, -v v="$vpn" 'NR > 2 && $2 == v && $4 + 0 > m { m = $4 + 0 } END { if (m > 0) print m }' "$pub")
	[ -n "$paper_mbit" ] || { echo "- $name: the paper has no TCP numbers for it."; continue; }
	read -r bdp paper_bdp < <(awk -v c="$capacity" -v r="$rtt_us" -v p="$paper_mbit" \
		'BEGIN { printf "%.3f %.3f\n", c * 1e6 * r / 1e6 / 12000, p * 1e6 * 0.120 / 12000 }')
	printf -- '- %s at %s: BDP %.0f packets of 1500 B here (%.2f Mbit/s x %g ms), %.0f in the paper (%s Mbit/s x 120 ms).\n' \
		"$name" "$profile" "$bdp" "$capacity" "$(awk -v r="$rtt_us" 'BEGIN { print r / 1000 }')" "$paper_bdp" "$paper_mbit"
	rings=$(tb_sql -list "SELECT DISTINCT ring FROM run_summary WHERE $where AND profile = $(tb_lit "$profile")
		AND vpn = $(tb_lit "$vpn") ORDER BY ring")
	for paper_ring in 10 500; do
		frac=$(awk -v q="$paper_ring" -v b="$paper_bdp" 'BEGIN { printf "%.4f", q / b }')
		# ours: the ring nearest that fraction of our BDP, on a log scale
		ring=$(awk -v f="$frac" -v b="$bdp" 'BEGIN { t = log(f * b) } { d = log($1) - t; if (d < 0) d = -d
			if (best == "" || d < best) { best = d; r = $1 } } END { print r }' <<<"$rings")
		paper_ratio=$(tb_paper_ratio "$pub" "$vpn" "$paper_ring")
		paper=${paper_ratio:+$paper_ratio×}
		tb_patched_vs_stock_lines "$where" "$campaign" "$profile" "$vpn" "$ring" \
			"$(printf '  - the paper'"'"'s ring %d is %s BDP; ours nearest: ring %d (%.4f BDP): ' \
				"$paper_ring" "$frac" "$ring" "$(awk -v r="$ring" -v b="$bdp" 'BEGIN { print r / b }')")" \
			"${paper:--}"
	done
done
