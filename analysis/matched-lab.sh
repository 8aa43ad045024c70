#!/usr/bin/env bash
# Figure 3 at matched scale: the paper's lab measurement kept ring 500 at
# every RTT; at this machine's scale that is ring round(500 x our calibrated
# capacity / the paper's lab capacity of the VPN) (a sweep's "500lab";
# analysis/paper-lab-capacity.sh). Per VPN and lab-rtt-* profile with runs
# at that ring, each patched kernel's throughput over stock's with a
# bootstrap interval, beside the paper's ratio at that RTT. Markdown list
# lines for REPORT.md; a line says why when something is missing. Exits 0
# either way.
#
#   matched-lab.sh DB [--campaign NAME]
set -euo pipefail
# shellcheck source=analysis/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { echo "usage: matched-lab.sh DB [--campaign NAME]" >&2; exit 2; }
db=${1:-}
[ -n "$db" ] || usage
shift
campaign=''
if [ $# -gt 0 ]; then
	{ [ $# -eq 2 ] && [ "$1" = --campaign ]; } || usage
	campaign=$2
fi
tb_db_open "$db"
pub=$TB_ROOT/datasets/published/tcp_vs_rtt_lab.csv
where="traffic = 'tcp' AND valid = 1 AND tcp_mbit_s > 0 AND profile LIKE 'lab-rtt-%' AND $(tb_campaign_is "$campaign")"
vpns=$(tb_sql -list "SELECT DISTINCT vpn FROM run_summary WHERE $where ORDER BY vpn")
if [ -z "$vpns" ]; then
	echo "- Lab ring at matched scale: no valid TCP run at a lab-rtt-* profile."
	exit 0
fi
for vpn in $vpns; do
	name=$vpn
	[ "$vpn" != openvpn ] || name=OpenVPN
	capacity=$(bash "$TB_ROOT/analysis/capacity.sh" "$db" "$vpn") || capacity=''
	if [ -z "$capacity" ]; then
		echo "- $name: no calibration in this database, so no scale for the paper's lab ring (./testbed calibrate --vpn $vpn)."
		continue
	fi
	paper_mbit=$(bash "$TB_ROOT/analysis/paper-lab-capacity.sh" "$vpn") ||
		{ echo "- $name: the paper's lab table has no numbers for it."; continue; }
	# int(x + 0.5): half away from zero, as the sweep's llround (awk's %.0f rounds half to even)
	ring=$(awk -v c="$capacity" -v p="$paper_mbit" 'BEGIN { r = int(500 * c / p + 0.5); print (r < 1 ? 1 : r) }')
	printf -- '- %s: the paper'"'"'s lab ring 500 at %s Mbit/s is ring %d here (%.2f Mbit/s calibrated, scale %.4f).\n' \
		"$name" "$paper_mbit" "$ring" "$capacity" "$(awk -v c="$capacity" -v p="$paper_mbit" 'BEGIN { print c / p }')"
	profiles=$(tb_sql -list "SELECT DISTINCT profile FROM run_summary WHERE $where AND vpn = $(tb_lit "$vpn")
		AND ring = $ring ORDER BY CAST(substr(profile, 9) AS INTEGER)")
	if [ -z "$profiles" ]; then
		echo "  - no valid runs at ring $ring (a sweep with ring = 500lab, resolved with this calibration)."
		continue
	fi
	for profile in $profiles; do
		rtt=${profile#lab-rtt-}
		paper_ratio=$(tb_paper_ratio "$pub" "$vpn" "$rtt")
		paper=${paper_ratio:+$paper_ratio×}
		tb_patched_vs_stock_lines "$where" "$campaign" "$profile" "$vpn" "$ring" "  - $rtt ms RTT, ring $ring: " \
			"at ring 500 ${paper:--}"
	done
done
