#!/usr/bin/env bash
# analysis/matched-lab.sh on the figures' fixture, every number worked out
# by hand: capacity 21 Mbit/s (calibration runs of 20 and 22), the paper's
# lab capacity of OpenVPN 416.9 Mbit/s (its fastest point) -> scale 0.0504,
# ring 500 x 0.0504 = 25.19 -> 25. The fixture's ring-25 runs, stock against
# nodrop-v2 by repetition: 10 ms (16.8, 21.0), (17.2, 21.0): ratio of means
# 21 / 17 = 1.24, two pairs give the interval [21/17.2, 21/16.8] = [1.22,
# 1.25]; 40 ms (6.3, 18.9) twice: 3.00 [3.00, 3.00]; 120 ms (2.1, 8.4),
# (2.3, 8.4): 8.4 / 2.2 = 3.82 [3.65, 4.00]. The paper's ratios at ring 500
# come from its CSV (patched / stock at the same RTT). The stock run at ring
# 26 has no pair and is not at the matched ring: not reported.
set -euo pipefail
root=${1:?usage: matched_lab_test.sh REPO_ROOT}
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"${TB_BUILD:?}/lib/tb-db" init "$dir/m.db"
sqlite3 "$dir/m.db" <"$root/paper-figures/tests/figures_fixture.sql"
out=$(bash "$root/analysis/matched-lab.sh" "$dir/m.db" --campaign fig)
printf '%s\n' "$out"
csv=$root/datasets/published/tcp_vs_rtt_lab.csv
paper() { awk -F, -v r="$1" '$2 == "openvpn" && $1 == r { m[$3] = $4 } END { printf "%.2f", m["patched"] / m["stock"] }' "$csv"; }
expect "the scale and the ring" "$(grep -c "^- OpenVPN: the paper's lab ring 500 at 416.9 Mbit/s is ring 25 here (21.00 Mbit/s calibrated, scale 0.0504).$" <<<"$out")" 1
expect "10 ms" "$(grep -c "^  - 10 ms RTT, ring 25: nodrop-v2/stock \*\*1.24×\*\* (95 % bootstrap interval \[1.22, 1.25\]×, 2 pairs by repetition); paper at ring 500 $(paper 10)×$" <<<"$out")" 1
expect "40 ms" "$(grep -c "^  - 40 ms RTT, ring 25: nodrop-v2/stock \*\*3.00×\*\* (95 % bootstrap interval \[3.00, 3.00\]×, 2 pairs by repetition); paper at ring 500 $(paper 40)×$" <<<"$out")" 1
expect "120 ms" "$(grep -c "^  - 120 ms RTT, ring 25: nodrop-v2/stock \*\*3.82×\*\* (95 % bootstrap interval \[3.65, 4.00\]×, 2 pairs by repetition); paper at ring 500 $(paper 120)×$" <<<"$out")" 1
expect "only those three RTT lines" "$(grep -c ' ms RTT, ring' <<<"$out")" 3
expect "the paper's 40 ms ratio" "$(paper 40)" 4.25
# Another campaign: none of its runs at lab-rtt-*, and it says so.
expect "no runs: said" "$(bash "$root/analysis/matched-lab.sh" "$dir/m.db" --campaign nosuch)" \
	"- Lab ring at matched scale: no valid TCP run at a lab-rtt-* profile."
# Without a calibration there is no scale, and it says so.
sqlite3 "$dir/m.db" "DELETE FROM runs WHERE campaign LIKE 'calibrate-%'"
expect "no calibration: said" "$(bash "$root/analysis/matched-lab.sh" "$dir/m.db" --campaign fig | grep -c '^- OpenVPN: no calibration in this database')" 1
rc=0
bash "$root/analysis/matched-lab.sh" >/dev/null 2>&1 || rc=$?
expect "no database: usage, exit 2" "$rc" 2
tb_summary
