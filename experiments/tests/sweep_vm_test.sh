#!/usr/bin/env bash
# The CI sweep in the kernels under test: stock and nodrop-v2, ring 25 and
# 500, 5 s of video over OpenVPN. It is interrupted (SIGTERM to its process
# group: a background job ignores SIGINT, so Ctrl-C cannot be played here)
# once the first run has finished, then run again:
# the finished run must be kept and not run twice. Then checks that every
# run's attribution adds up exactly, that stock loses packets in the ring at
# ring 25 while nodrop-v2 loses none at any ring, and that a third call has
# nothing left to do.
set -euo pipefail
root=${1:?usage: sweep_vm_test.sh REPO_ROOT}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/ci.db
tbdb=${TB_BUILD:-$root/build}/lib/tb-db
q() { "$tbdb" query "$db" "$1" --views "$root/analysis/views.sql"; }
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"

sweep=$root/experiments/sweeps/ci-quick.sweep
work=${TB_CACHE:-$HOME/.cache/tun-nodrop-testbed}/sweeps/ci-quick
touch "$dir/start"
setsid "$root/testbed" sweep "$sweep" --db "$db" >"$dir/first" 2>&1 &
pid=$!
for _ in $(seq 600); do
	[ -n "$(find "$work" -path '*/runs/*.db' -newer "$dir/start" 2>/dev/null)" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 1
done
kill -TERM -- "-$pid" 2>/dev/null || true
set +e
wait "$pid"
rc=$?
set -e
cat "$dir/first"
expect "the interrupted sweep says so" "$rc" 143
kept=$(q "SELECT count(*) FROM runs WHERE status='done'")
expect "the finished run was kept" "$([ "$kept" -ge 1 ] && echo yes)" yes
expect "no QEMU left behind" "$(pgrep -c -f "qemu-system.*$work" || true)" 0

"$root/testbed" sweep "$sweep" --db "$db" 2>&1 | tee "$dir/second"
expect "the second call resumed" "$(grep -c "$kept of 4 runs already" "$dir/second")" 1
expect "no point ran twice" "$(q "SELECT count(*) FROM (SELECT point_key FROM runs GROUP BY point_key HAVING count(*) > 1)")" 0

sqlite3 -readonly -box -cmd ".read $root/analysis/views.sql" "$db" "SELECT r.id AS run, r.kernel_variant AS kernel,
	r.ring, a.sent, a.received, a.ring AS ring_drops, a.qdisc, a.wan, a.vpn, a.unexplained,
	r.cpu_busy_pct AS 'cpu %', r.valid FROM runs r JOIN run_attribution a ON a.run_id = r.id ORDER BY r.id"

expect "four finished runs" "$(q "SELECT count(*) FROM runs WHERE status='done'")" 4
expect "runs are in the kernels asked for" "$(q "SELECT group_concat(DISTINCT kernel_variant) FROM (SELECT kernel_variant FROM runs ORDER BY 1)")" "nodrop-v2,stock"
expect "accel recorded" "$(q "SELECT count(*) FROM runs WHERE accel IN ('tcg', 'kvm')")" 4
expect "every run sent packets" "$(q "SELECT count(*) FROM run_attribution WHERE sent > 0")" 4
expect "attribution adds up exactly in every run" "$(q "SELECT count(*) FROM run_attribution WHERE unexplained = 0")" 4
expect "stock loses packets in the ring at ring 25" \
	"$(q "SELECT a.ring > 0 FROM runs r JOIN run_attribution a ON a.run_id = r.id WHERE r.kernel_variant='stock' AND r.ring=25")" 1
expect "nodrop-v2 loses nothing in the ring" \
	"$(q "SELECT sum(a.ring) FROM runs r JOIN run_attribution a ON a.run_id = r.id WHERE r.kernel_variant='nodrop-v2'")" 0

"$root/testbed" sweep "$sweep" --db "$db" >"$dir/again" 2>&1
expect "a third call: nothing to do" "$(grep -c '4 of 4 runs already' "$dir/again")" 1
expect "and boots nothing" "$(grep -c 'booting' "$dir/again" || true)" 0
expect "still four runs" "$(q "SELECT count(*) FROM runs")" 4

tb_summary
