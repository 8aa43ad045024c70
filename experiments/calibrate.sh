#!/usr/bin/env bash
# ./testbed calibrate: how fast this machine's guest VPN is. TCP through
# the VPN (OpenVPN, or wireguard-go with --vpn) on the lan profile (no link limit, so the VPN is the bottleneck),
# a deep qdisc and the default ring, a few repetitions: the capacity every
# ratio to the paper depends on (its bandwidth-delay products, its rings as
# fractions of them). Stored as an ordinary campaign calibrate-<time> in the
# results database, with host CPU, accel and kernel like every run; reports
# state the scale factor against the paper's capacity of the same VPN.
set -euo pipefail
# shellcheck source=analysis/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../analysis/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed calibrate [--db PATH] [--kernel VARIANT] [--vpn VPN] [--runs N] [--duration S]
                           [--from-source|--modules]

Measures the guest VPN's TCP capacity on the lan profile (iperf3 through
the VPN, ring 500, "pfifo limit 25000", after iperf3's 2 s --omit) and prints
it with its spread, the environment, and the scale against the paper's
capacity of the same VPN (datasets/published/tcp_vs_queue_120ms.csv, its
fastest point of that VPN). Each call is a new campaign calibrate-<UTC time>.
  --db PATH        results database (default results/calibration.db)
  --kernel VARIANT default stock
  --vpn VPN        openvpn (default) or wireguard-go
  --runs N         repetitions (default 3)
  --duration S     seconds measured per run (default 10)
  --from-source    the variant's kernel built from source, not Debian's
                   kernel with its tun.ko (the module path, the default)
TXT
}

db=$TB_ROOT/results/calibration.db kernel=stock vpn=openvpn runs=3 duration=10
while [ $# -gt 0 ]; do
	case "$1" in
	--db | --kernel | --vpn | --runs | --duration)
		[ $# -ge 2 ] || tb_usage_die "calibrate: $1 needs a value"
		case "$1" in
		--db) db=$2 ;;
		--kernel) kernel=$2 ;;
		--vpn) vpn=$2 ;;
		--runs) runs=$2 ;;
		--duration) duration=$2 ;;
		esac
		shift
		;;
	--from-source) export TB_KERNEL_FROM_SOURCE=1 ;;
	--modules) export TB_KERNEL_FROM_SOURCE=0 ;;
	-h | --help) usage; exit 0 ;;
	*) tb_usage_die "calibrate: unknown option '$1'" ;;
	esac
	shift
done
[[ $runs =~ ^[1-9][0-9]?$ ]] || tb_usage_die "calibrate: --runs wants 1..99, got '$runs'"
[[ $duration =~ ^[1-9][0-9]{0,2}$ ]] || tb_usage_die "calibrate: --duration wants whole seconds 1..999, got '$duration'"

campaign=calibrate-$(date -u +%Y%m%dT%H%M%SZ)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/$campaign.sweep" <<SWEEP
# written by ./testbed calibrate
[sweep]
name        = $campaign
repetitions = $runs
duration    = ${duration}s

[matrix]
kernel  = $kernel
ring    = 500
qdisc   = pfifo limit 25000
profile = lan
traffic = tcp
vpn     = $vpn
SWEEP
# A failed or invalid run is reported below, not fatal here.
bash "$TB_ROOT/experiments/sweep.sh" "$work/$campaign.sweep" --db "$db" || true
bash "$TB_ROOT/analysis/calibration.sh" "$db" "$campaign"
