#!/usr/bin/env bash
# The guest VPN's capacity from a ./testbed calibrate campaign, beside the
# paper's, and what the ratio means for ring sizes (bandwidth-delay
# products). Prints four lines (plain text, also used as Markdown by
# REPORT.md); exits 1 when the campaign has no valid TCP run.
#
#   calibration.sh DB [CAMPAIGN]   (default: the newest calibrate-* campaign)
set -euo pipefail
# shellcheck source=analysis/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then echo "usage: calibration.sh DB [CAMPAIGN]" >&2; exit 2; fi
tb_db_open "$1"
campaign=${2:-$(tb_sql -list "SELECT campaign FROM runs WHERE campaign LIKE 'calibrate-%' ORDER BY id DESC LIMIT 1")}
[ -n "$campaign" ] || tb_die "no calibrate campaign in $1 (./testbed calibrate --db $1)"
c=$(tb_lit "$campaign")

# The VPN the campaign measured, and the paper's capacity of that VPN: its
# fastest point (real-world, ~120 ms RTT).
vpn=$(tb_sql -list "SELECT coalesce(vpn, 'openvpn') FROM runs WHERE campaign = $c ORDER BY id LIMIT 1")
vpn=${vpn:-openvpn}
case "$vpn" in openvpn) vpn_name=OpenVPN ;; *) vpn_name=$vpn ;; esac
pub=$TB_ROOT/datasets/published/tcp_vs_queue_120ms.csv
read -r paper_mbit paper_queue < <(awk -F, -v vpn="$vpn" 'NR > 2 && $2 == vpn && $4 + 0 > best { best = $4 + 0; q = $1 }
	END { print best, q }' "$pub")
# A bandwidth-delay product in packets of the TUN's MTU (1500 B: what its
# ring holds) at the paper's real-world RTT.
rtt_ms=120 mtu=1500

mbit='' sd='' valid=0 other=0 unsteady=0 failed=0
IFS='|' read -r mbit sd valid other unsteady failed < <(tb_sql -list -separator '|' "SELECT
	printf('%.2f', tcp_mbit_s), $(tb_num tcp_mbit_sd 2), runs, invalid_runs + unknown_runs, unconverged_runs,
	(SELECT count(*) FROM runs WHERE campaign = $c AND status = 'failed')
	FROM point_summary WHERE campaign = $c") || true
if [ -z "${mbit:-}" ] || [ "${valid:-0}" -eq 0 ]; then
	tb_die "campaign $campaign has no valid TCP run to calibrate from (see ./testbed report $1 --campaign $campaign)"
fi
env=$(tb_sql -list "SELECT 'accel ' || group_concat(DISTINCT accel) || ', host CPU ' ||
	coalesce(json_extract(env_json, '$.host_cpu_model'), '?') || ' (' || coalesce(json_extract(env_json, '$.host_cpus'), '?')
	|| ' cores), kernel ' || kernel || ' (patch hash ' || coalesce(patch_hash, '-') || ')'
	FROM runs WHERE campaign = $c AND status = 'done' GROUP BY kernel")
printf 'VPN capacity (campaign %s): %s ± %s Mbit/s, TCP through %s on lan (no link limit), %s valid run(s), %s not steady, %s invalid or unknown, %s failed\n' \
	"$campaign" "$mbit" "$sd" "$vpn_name" "$valid" "$unsteady" "$other" "$failed"
printf 'environment: %s\n' "$env"
printf "paper: %s Mbit/s, its fastest %s point (real-world Germany-USA, queue %s; datasets/published/tcp_vs_queue_120ms.csv)\n" \
	"$paper_mbit" "$vpn_name" "$paper_queue"
awk -v ours="$mbit" -v paper="$paper_mbit" -v rtt="$rtt_ms" -v mtu="$mtu" 'BEGIN {
	ob = ours * 1e6 * rtt / 1000 / 8 / mtu; pb = paper * 1e6 * rtt / 1000 / 8 / mtu
	printf "scale: ours is 1/%.1f of the paper'"'"'s; at %d ms RTT a bandwidth-delay product holds %.0f packets of %d B here, %.0f in the paper\n", paper / ours, rtt, ob, mtu, pb
}'
