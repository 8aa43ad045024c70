#!/usr/bin/env bash
# A VPN's calibrated capacity in Mbit/s: the mean TCP throughput of the
# valid runs of the newest calibrate-* campaign with runs of that VPN
# (./testbed calibrate). Prints nothing and exits 1 when there is none, so
# callers never scale by another VPN's capacity or by a guess.
#
#   capacity.sh DB VPN
set -euo pipefail
# shellcheck source=analysis/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 2 ] || { echo "usage: capacity.sh DB VPN" >&2; exit 2; }
tb_db_open "$1"
v=$(tb_lit "$2")
mbit=$(tb_sql -list "SELECT avg(tcp_mbit_s) FROM run_summary WHERE valid = 1 AND tcp_mbit_s > 0
	AND coalesce(vpn, 'openvpn') = $v AND campaign = (SELECT campaign FROM runs
	WHERE campaign LIKE 'calibrate-%' AND coalesce(vpn, 'openvpn') = $v ORDER BY id DESC LIMIT 1)")
[ -n "$mbit" ] || exit 1
printf '%s\n' "$mbit"
