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
# Validity over the traffic window, per vCPU and per process: an idle host
# gives a valid run with every process on the data path sampled.
expect "a normal lan video run is valid" "$(q "SELECT valid, invalid_reason IS NULL FROM runs")" "$(printf '1\t1')"
expect "the traffic window recorded" "$(q "SELECT traffic_end_ns > traffic_start_ns FROM runs")" 1
expect "every data-path process sampled" "$(q "SELECT group_concat(name) FROM (SELECT DISTINCT name FROM samples WHERE name LIKE 'proc_cpu_pct.%' ORDER BY name)")" \
	"proc_cpu_pct.openvpn-operator,proc_cpu_pct.openvpn-robot,proc_cpu_pct.tb-recv,proc_cpu_pct.tb-send"
expect "frames sent (4 s of 30 fps)" "$(q "SELECT count(*) BETWEEN 110 AND 130 FROM frames_sent")" 1
expect "frames received" "$(q "SELECT count(*) > 0 FROM frames_recv")" 1
expect "counters before and after" "$(q "SELECT count(*) > 10 FROM counters")" 1
expect "samples over time" "$(q "SELECT count(DISTINCT name) >= 4 FROM samples")" 1
expect "packets were sent" "$(q "SELECT sent > 0 FROM run_attribution")" 1
expect "attribution adds up exactly" "$(q "SELECT unexplained FROM run_attribution")" 0
expect "sum of places" "$(q "SELECT sent = received + socket_drops + ring_drops + qdisc_drops + wan_drops + vpn_drops + receiver_drops FROM run_attribution")" 1
expect "no namespace left" "$(ip netns list | grep -c '^tbh-' || true)" 0

# A TCP run (iperf3 through the tunnel): stored whole, with its throughput
# and a verdict, and no sender counters of a video flow it did not have.
"$root/testbed" run --host --traffic tcp --duration 3 --db "$db"
expect "the TCP run finished" "$(q "SELECT status, kind FROM runs ORDER BY id DESC LIMIT 1")" "$(printf 'done\ttcp')"
expect "its throughput stored" "$(q "SELECT count(*) FROM tcp_results WHERE run_id = (SELECT max(id) FROM runs) AND receiver_bps > 0")" 1
expect "iperf3 both ends sampled" "$(q "SELECT count(DISTINCT name) FROM samples WHERE run_id = (SELECT max(id) FROM runs) AND name IN ('proc_cpu_pct.iperf3-client', 'proc_cpu_pct.iperf3-server')")" 2
expect "judged (valid, invalid or unknown with a reason)" "$(q "SELECT valid = 1 OR invalid_reason IS NOT NULL FROM runs ORDER BY id DESC LIMIT 1")" 1

# A CPU hog on every core during the run: the busiest vCPU saturated by
# something that is not the expected bottleneck, so the run is invalid and
# says why (and its numbers are left out of every summary).
hogs=()
for _ in $(seq "$(nproc)"); do
	bash -c 'while :; do :; done' &
	hogs+=("$!")
done
"$root/testbed" run --host --ring 25 --qdisc "pfifo limit 1000" --duration 4 --clip 480p30 --db "$db"
kill "${hogs[@]}"
wait "${hogs[@]}" 2>/dev/null || true
expect "a CPU hog makes the run invalid" "$(q "SELECT valid FROM runs ORDER BY id DESC LIMIT 1")" 0
check "with the reason" grep -q "saturated" <<<"$(q "SELECT invalid_reason FROM runs ORDER BY id DESC LIMIT 1")"
expect "the invalid run is not summarised" "$(q "SELECT runs, invalid_runs, pkt_loss_pct IS NULL FROM point_summary ORDER BY campaign DESC LIMIT 1")" "$(printf '0\t1\t1')"

# A part that dies mid-run: the robot's OpenVPN killed while the video
# flows. The run is stored as failed with the reason, never summarised.
"$root/testbed" run --host --ring 25 --qdisc "pfifo limit 1000" --duration 8 --clip 480p30 \
	--db "$db" >"$dir/killed.log" 2>&1 &
run_pid=$!
pidfile=/tmp/tb-scenario/scenario-tbh/openvpn-robot.pid
for _ in $(seq 600); do
	pgrep -x tb-send >/dev/null && [ -s "$pidfile" ] && break
	sleep 0.1
done
sleep 2
kill "$(cat "$pidfile")"
set +e
wait "$run_pid"
rc=$?
set -e
expect "the run with a dead VPN fails" "$rc" 1
expect "stored as failed, with the reason" "$(q "SELECT status, fail_reason FROM runs ORDER BY id DESC LIMIT 1")" \
	"$(printf "failed\tthe robot's OpenVPN exited during the run")"
expect "a failed run is never summarised" "$(q "SELECT count(*) FROM run_summary WHERE run_id = (SELECT max(id) FROM runs)")" 0
expect "no namespace left after the failure" "$(ip netns list | grep -c '^tbh-' || true)" 0

# Traffic that does not end by its deadline (2 x duration + 30 s; here 1 s
# through TB_TEST_TRAFFIC_DEADLINE, which a 4 s run overruns, as a sender
# blocked on a queue nobody wakes would): the senders are killed, the run
# fails naming what still ran and the qdisc's backlog, nothing is left.
rc=0
TB_TEST_TRAFFIC_DEADLINE=1 "$root/testbed" run --host --ring 25 --qdisc "pfifo limit 1000" --duration 4 \
	--clip 480p30 --db "$db" >"$dir/deadline.out" 2>&1 || rc=$?
expect "a run past its deadline fails" "$rc" 1
expect "stored as failed, naming the sender and the backlog" \
	"$(q "SELECT status, fail_reason LIKE 'the traffic did not end by its deadline (1 s after it started): tb-send of camera 0 was still running; the robot''s TUN qdisc held % packets (%b) (a stopped queue nobody woke?)' FROM runs ORDER BY id DESC LIMIT 1")" \
	"$(printf 'failed\t1')"
expect "no tb-send left" "$(pgrep -c -x tb-send || true)" 0
expect "no namespace left after it" "$(ip netns list | grep -c '^tbh-' || true)" 0
# A guest clock that jumps during the traffic (TB_TEST_CLOCK_JUMP: 600 s
# after await's first look): the run fails naming the jump, not the queue.
rc=0
TB_TEST_CLOCK_JUMP=600 "$root/testbed" run --host --ring 25 --qdisc "pfifo limit 1000" --duration 4 \
	--clip 480p30 --db "$db" >"$dir/jump.out" 2>&1 || rc=$?
expect "a run whose clock jumped fails" "$rc" 1
expect "stored as failed, naming the jump" \
	"$(q "SELECT status, fail_reason FROM runs ORDER BY id DESC LIMIT 1")" \
	"$(printf 'failed\tthe guest'"'"'s clock jumped 600 s during the traffic (was the host paused or moved?): its rates and times would be wrong')"
expect "no tb-send left after it" "$(pgrep -c -x tb-send || true)" 0
expect "no namespace left after the jump" "$(ip netns list | grep -c '^tbh-' || true)" 0
printf 'host run: %s\n' "$(q "SELECT 'sent ' || sent || ' received ' || received || ' ring ' || ring_drops || ' qdisc ' || qdisc_drops FROM run_attribution")"

tb_summary
