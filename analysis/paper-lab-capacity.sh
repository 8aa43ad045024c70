#!/usr/bin/env bash
# The paper's lab capacity of a VPN in Mbit/s: its fastest point in
# datasets/published/tcp_vs_rtt_lab.csv (the lab measurement behind figure
# 3: TCP vs emulated RTT at ring 500). A ring written "500lab" in a sweep is
# the paper's lab ring 500 at this machine's scale, 500 x (our calibrated
# capacity / this): the same share of every RTT's bandwidth-delay product.
# Prints nothing and exits 1 for a VPN the table does not have.
#
#   paper-lab-capacity.sh VPN
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: paper-lab-capacity.sh VPN" >&2; exit 2; }
csv=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/datasets/published/tcp_vs_rtt_lab.csv
[ -r "$csv" ] || { echo "paper-lab-capacity.sh: cannot read $csv" >&2; exit 2; }
# line 1 is the source comment, line 2 the header
awk -F, -v v="$1" 'FNR > 2 && $2 == v && $4 + 0 > m { m = $4 + 0 } END { if (m > 0) print m; else exit 1 }' "$csv"
