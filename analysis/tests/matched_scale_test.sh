#!/usr/bin/env bash
# analysis/matched-scale.sh on the figures' fixture, with every number worked
# out by hand from the fixture's formulas: capacity 21 Mbit/s (calibration
# runs of 20 and 22), de-us 120 ms -> BDP 21e6 * 0.120 / 12000 = 210 packets;
# the paper's OpenVPN 184.8 Mbit/s -> 1848. The paper's ring 10 is
# 10 / 1848 = 0.0054 BDP -> 1.1 packets here: of the rings 10, 100, 500 the
# nearest on a log scale is 10. Its ring 500 (0.2706 BDP) -> 56.8: nearest
# 100 (|ln 100/56.8| = 0.57 < |ln 56.8/10| = 1.74). Stock at ring r moved
# 1 + r/50 + rep/2 Mbit/s, nodrop-v2 12 + rep/2: at 10, pairs (1.7, 12.5) and
# (2.2, 13): ratio of means 12.75 / 1.95 = 6.54; with two pairs the bootstrap
# can only draw pair 1 twice (7.35), pair 2 twice (5.91) or both (6.54), so
# the interval is [5.91, 7.35]. At 100: (3.5, 12.5), (4, 13): 3.40 [3.25, 3.57].
# The paper's ratios come from its CSV (patched / stock at the same queue).
set -euo pipefail
root=${1:?usage: matched_scale_test.sh REPO_ROOT}
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"${TB_BUILD:?}/lib/tb-db" init "$dir/m.db"
sqlite3 "$dir/m.db" <"$root/paper-figures/tests/figures_fixture.sql"
out=$(bash "$root/analysis/matched-scale.sh" "$dir/m.db" --campaign fig)
printf '%s\n' "$out"
csv=$root/datasets/published/tcp_vs_queue_120ms.csv
paper10=$(awk -F, '$2 == "openvpn" && $1 == 10 { m[$3] = $4 } END { printf "%.2f", m["patched"] / m["stock"] }' "$csv")
paper500=$(awk -F, '$2 == "openvpn" && $1 == 500 { m[$3] = $4 } END { printf "%.2f", m["patched"] / m["stock"] }' "$csv")
expect "the scale" "$(grep -c '^- OpenVPN at de-us: BDP 210 packets of 1500 B here (21.00 Mbit/s x 120 ms), 1848 in the paper (184.8 Mbit/s x 120 ms).$' <<<"$out")" 1
expect "ring 10's fraction, ours nearest" "$(grep -c "the paper's ring 10 is 0.0054 BDP; ours nearest: ring 10 (0.0476 BDP): nodrop-v2/stock \*\*6.54×\*\* (95 % bootstrap interval \[5.91, 7.35\]×, 2 pairs by repetition); paper ${paper10}×" <<<"$out")" 1
expect "ring 500's fraction, ours nearest" "$(grep -c "the paper's ring 500 is 0.2706 BDP; ours nearest: ring 100 (0.4762 BDP): nodrop-v2/stock \*\*3.40×\*\* (95 % bootstrap interval \[3.25, 3.57\]×, 2 pairs by repetition); paper ${paper500}×" <<<"$out")" 1
# Without a calibration there is no scale, and it says so.
sqlite3 "$dir/m.db" "DELETE FROM runs WHERE campaign LIKE 'calibrate-%'"
expect "no calibration: said" "$(bash "$root/analysis/matched-scale.sh" "$dir/m.db" | grep -c 'no calibration in this database')" 1
bash "$root/analysis/capacity.sh" "$dir/m.db" openvpn >/dev/null && rc=0 || rc=$?
expect "capacity.sh: none, exit 1" "$rc" 1
tb_summary
