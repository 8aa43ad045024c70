#!/usr/bin/env bash
# One point on the host kernel (./testbed run --host): the run row carries its
# knobs and environment, every lost video packet is attributed to a place
# (unexplained = 0), and counters, samples and frames are stored.
set -euo pipefail
root=${1:?usage: run_host_test.sh REPO_ROOT}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/host.db
tbdb=${TB_BUILD:-$root/build}/lib/tb-db
q() { "$tbdb" query "$db" "$1" --views "$root/analysis/views.sql"; }
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"

"$root/testbed" run --host --ring 25 --qdisc "pfifo limit 1000" --duration 4 \
	--clip 480p30 --db "$db"

expect "one finished run" "$(q "SELECT count(*) FROM runs WHERE status='done'")" 1
expect "settings, by name" "$(q "SELECT kernel, ring, qdisc, profile, traffic, clip, vpn, decode, cpu_limit, duration FROM runs")" \
	"$(printf 'host\t25\tpfifo limit 1000\tlan\tvideo\t480p30\topenvpn\toff\t90.0\t4')"
expect "the qdisc read back from the kernel" "$(q "SELECT qdisc_kind, qdisc_limit FROM runs")" "$(printf 'pfifo\t1000')"
expect "environment recorded" "$(q "SELECT json_extract(env_json, '\$.kernel_release') = kernel_release AND json_extract(knobs_json, '\$.vpn_cipher') != '' FROM runs")" 1
expect "a validity verdict" "$(q "SELECT valid IN (0, 1) AND cpu_busy_pct >= 0 FROM runs")" 1
expect "frames sent (4 s of 30 fps)" "$(q "SELECT count(*) BETWEEN 110 AND 130 FROM frames_sent")" 1
expect "frames received" "$(q "SELECT count(*) > 0 FROM frames_recv")" 1
expect "counters before and after" "$(q "SELECT count(*) > 10 FROM counters")" 1
expect "samples over time" "$(q "SELECT count(DISTINCT name) >= 4 FROM samples")" 1
expect "packets were sent" "$(q "SELECT sent > 0 FROM run_attribution")" 1
expect "attribution adds up exactly" "$(q "SELECT unexplained FROM run_attribution")" 0
expect "sum of places" "$(q "SELECT sent = received + socket_drops + ring_drops + qdisc_drops + wan_drops + vpn_drops + receiver_drops FROM run_attribution")" 1
expect "no namespace left" "$(ip netns list | grep -c '^tbh-' || true)" 0
printf 'host run: %s\n' "$(q "SELECT 'sent ' || sent || ' received ' || received || ' ring ' || ring_drops || ' qdisc ' || qdisc_drops FROM run_attribution")"

tb_summary
