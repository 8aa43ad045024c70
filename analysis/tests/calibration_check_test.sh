#!/usr/bin/env bash
# analysis/calibration-check.sh: the figures' fixture has a calibration of
# 21 Mbit/s (runs of 20 and 22); two campaigns of our own add runs of its
# setting (stock, ring 500, pfifo limit 25000, lan, TCP, OpenVPN). 'busy'
# carried 26 and 28 Mbit/s: mean 27, sd sqrt(2) = 1.41, (27 - 21) / 21 =
# +29 % > 25 %: flagged. 'quiet' carried 22 and 24: mean 23, +10 %: within.
# A nodrop-v2 run and a pfifo_fast run of 5 Mbit/s in 'busy' are not of the
# setting and must not count (they would pull the mean down to within 25 %).
set -euo pipefail
root=${1:?usage: calibration_check_test.sh REPO_ROOT}
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"${TB_BUILD:?}/lib/tb-db" init "$dir/c.db"
sqlite3 "$dir/c.db" <"$root/paper-figures/tests/figures_fixture.sql"
sqlite3 "$dir/c.db" <<'SQL'
CREATE TEMP TABLE extra(campaign, kernel, qdisc, repetition, mbit);
INSERT INTO extra VALUES ('busy', 'stock', 'pfifo limit 25000', 1, 26), ('busy', 'stock', 'pfifo limit 25000', 2, 28),
  ('busy', 'nodrop-v2', 'pfifo limit 25000', 1, 5), ('busy', 'stock', 'pfifo_fast', 1, 5),
  ('quiet', 'stock', 'pfifo limit 25000', 1, 22), ('quiet', 'stock', 'pfifo limit 25000', 2, 24);
INSERT INTO runs(campaign, kind, kernel, ring, qdisc, qdisc_kind, profile, traffic, sndbuf, pace,
  vpn, decode, cpu_limit, duration, seed, repetition, status, valid)
SELECT campaign, 'tcp', kernel, 500, qdisc, 'pfifo', 'lan', 'tcp', 0, 0, 'openvpn', 'off', 90, 6, 1, repetition, 'done', 1
FROM extra;
INSERT INTO tcp_results(run_id, receiver_bps)
SELECT r.id, e.mbit * 1e6 FROM runs r JOIN extra e ON r.campaign = e.campaign AND r.kernel = e.kernel
  AND r.qdisc = e.qdisc AND r.repetition = e.repetition;
SQL
check_out() { bash "$root/analysis/calibration-check.sh" "$dir/c.db" --campaign "$1"; }
busy=$(check_out busy)
printf '%s\n' "$busy"
expect "busy: flagged, with the numbers" "$(grep -c "^- \*\*Calibration check failed, OpenVPN: this campaign's 2 run(s) of the calibration's setting (stock, ring 500, lan) carried 27.00 ± 1.41 Mbit/s, +29 % against the calibration's 21.00 (calibrate-20260101T000000Z): more than 25 % apart\." <<<"$busy")" 1
expect "quiet: within" "$(check_out quiet)" \
	"- Calibration check, OpenVPN: this campaign's 2 run(s) of the calibration's setting (stock, ring 500, lan) carried 23.00 ± 1.41 Mbit/s, +10 % against the calibration's 21.00 (calibrate-20260101T000000Z): within 25 %."
expect "a campaign without such runs: nothing" "$(check_out fig)" ""
rc=0
bash "$root/analysis/calibration-check.sh" "$dir/c.db" >/dev/null 2>&1 || rc=$?
expect "no campaign: usage, exit 2" "$rc" 2
tb_summary
