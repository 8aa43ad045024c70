#!/usr/bin/env bash
# Does a VPN's calibration agree with the campaign's own runs of the same
# setting? The capacity scales every ring given in units of the BDP or in
# the paper's lab packets (and figures 2b and 3b), so a calibration taken
# while the host was busier (or quieter) than during the sweep moves every
# matched-scale ring. Per calibrated VPN, the campaign's valid runs with the
# calibration's settings (stock, ring 500, pfifo limit 25000, lan, TCP; any
# duration: reproduce's cost runs are such runs) against the capacity; more
# than 25 % apart is flagged. Markdown list lines for REPORT.md; nothing for
# a VPN without such runs. Exits 0 either way.
#
#   calibration-check.sh DB --campaign NAME
set -euo pipefail
# shellcheck source=analysis/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ $# -ne 3 ] || [ "$2" != --campaign ]; then echo "usage: calibration-check.sh DB --campaign NAME" >&2; exit 2; fi
tb_db_open "$1"
campaign=$3
limit_pct=25
for vpn in $(tb_sql -list "SELECT DISTINCT coalesce(vpn, 'openvpn') FROM runs WHERE campaign LIKE 'calibrate-%' ORDER BY 1"); do
	capacity=$(bash "$TB_ROOT/analysis/capacity.sh" "$1" "$vpn") || continue
	cal=$(tb_sql -list "SELECT campaign FROM runs WHERE campaign LIKE 'calibrate-%' AND coalesce(vpn, 'openvpn') = $(tb_lit "$vpn")
		ORDER BY id DESC LIMIT 1")
	# the campaign's valid runs at the calibration's point, whatever their duration
	read -r n mean sd < <(tb_sql -list -separator ' ' "SELECT count(*), avg(r.tcp_mbit_s),
		coalesce(sqrt(sum((r.tcp_mbit_s - m.a) * (r.tcp_mbit_s - m.a)) / (count(*) - 1)), 0)
		FROM run_summary r, (SELECT avg(tcp_mbit_s) AS a FROM run_summary WHERE campaign = $(tb_lit "$campaign")
			AND valid = 1 AND tcp_mbit_s > 0 AND traffic = 'tcp' AND kernel = 'stock' AND ring = 500
			AND qdisc = 'pfifo limit 25000' AND profile = 'lan' AND coalesce(vpn, 'openvpn') = $(tb_lit "$vpn")) m
		WHERE r.campaign = $(tb_lit "$campaign") AND r.valid = 1 AND r.tcp_mbit_s > 0 AND r.traffic = 'tcp'
		AND r.kernel = 'stock' AND r.ring = 500 AND r.qdisc = 'pfifo limit 25000' AND r.profile = 'lan'
		AND coalesce(r.vpn, 'openvpn') = $(tb_lit "$vpn")")
	[ "${n:-0}" -gt 0 ] || continue
	name=$vpn
	[ "$vpn" != openvpn ] || name=OpenVPN
	awk -v n="$n" -v m="$mean" -v sd="$sd" -v c="$capacity" -v lim="$limit_pct" -v name="$name" -v cal="$cal" 'BEGIN {
		d = 100 * (m - c) / c; a = d < 0 ? -d : d
		what = sprintf("%s: this campaign'"'"'s %d run(s) of the calibration'"'"'s setting (stock, ring 500, lan) carried %.2f ± %.2f Mbit/s, %+.0f %% against the calibration'"'"'s %.2f (%s)", name, n, m, sd, d, c, cal)
		if (a > lim)
			printf "- **Calibration check failed, %s: more than %d %% apart. Every ring given in units of the BDP or in lab packets was resolved with the calibration, so those points sit at other fractions than intended; calibrate again on a host as quiet as during the sweep.**\n", what, lim
		else
			printf "- Calibration check, %s: within %d %%.\n", what, lim
	}'
done
