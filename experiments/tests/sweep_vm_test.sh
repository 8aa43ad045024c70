#!/usr/bin/env bash
# The CI sweep in the kernels under test: stock and nodrop-v2, ring 25 and
# 500, nodrop-qdisc and backpressure at ring 25 (backpressure with and without
# flag = on, OpenVPN under the IFF_BACKPRESSURE preload), 5 s of video over
# OpenVPN. It is interrupted (SIGTERM to its process
# group: a background job ignores SIGINT, so Ctrl-C cannot be played here)
# once the first run has finished, then run again:
# the finished run must be kept and not run twice. Then checks that every
# run's attribution adds up exactly, that stock loses packets in the ring at
# ring 25 while nodrop-v2 and nodrop-qdisc lose none in the ring,
# backpressure without IFF_BACKPRESSURE loses in the ring like stock and
# with it (its TUN read back with the flag) loses nothing in the ring, and
# that a third call has nothing left to do. The same drop pattern through
# wireguard-go, video and TCP, in every variant (backpressure with the flag
# handed over by tools/tun-exec).
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
expect "the second call resumed" "$(grep -c "$kept of 15 runs already" "$dir/second")" 1
expect "no point ran twice" "$(q "SELECT count(*) FROM (SELECT point_key FROM runs GROUP BY point_key HAVING count(*) > 1)")" 0

sqlite3 -readonly -box -cmd ".read $root/analysis/views.sql" "$db" "SELECT r.id AS run, r.kernel,
	r.ring, a.sent, a.received, a.ring_drops, a.qdisc_drops, a.wan_drops, a.vpn_drops, a.unexplained,
	r.cpu_busy_pct AS 'cpu %', r.valid FROM runs r JOIN run_attribution a ON a.run_id = r.id ORDER BY r.id"

expect "fifteen finished runs" "$(q "SELECT count(*) FROM runs WHERE status='done'")" 15
expect "runs are in the kernels asked for" "$(q "SELECT group_concat(DISTINCT kernel) FROM (SELECT kernel FROM runs ORDER BY 1)")" "backpressure,nodrop-qdisc,nodrop-v2,stock"
# The patch hash, computed here from the patch files: sha256 of the
# variant's patches in order, 16 hex digits (stock: the hash of nothing).
for v in stock nodrop-v2 nodrop-qdisc backpressure; do
	hash=$(find "$root/kernel/patches/$v" -name '*.patch' -print0 | sort -z | xargs -0 -r cat | sha256sum | cut -c1-16)
	expect "patch hash of $v recorded" "$(q "SELECT DISTINCT patch_hash FROM runs WHERE kernel = '$v'")" "$hash"
done
expect "every setting in its column" "$(q "SELECT count(*) FROM runs WHERE vpn = 'openvpn' AND decode = 'off'
	AND qdisc = 'pfifo limit 25000' AND qdisc_kind = 'pfifo' AND duration = 5 AND cpu_limit = 90")" 7
expect "the wireguard-go runs in theirs, the TUN MTU read back" "$(q "SELECT count(*) FROM runs WHERE vpn = 'wireguard-go'
	AND json_extract(knobs_json, '$.vpn_tun_mtu') = '1440' AND json_extract(knobs_json, '$.vpn_cipher') = 'ChaCha20-Poly1305'")" 8
expect "accel recorded" "$(q "SELECT count(*) FROM runs WHERE accel IN ('tcg', 'kvm')")" 15
expect "every video run sent packets" "$(q "SELECT count(*) FROM run_attribution WHERE sent > 0")" 11
expect "attribution adds up exactly in every video run" "$(q "SELECT count(*) FROM run_attribution WHERE unexplained = 0")" 11
expect "every run judged (valid, invalid or unknown with a reason)" "$(q "SELECT count(*) FROM runs WHERE valid = 1 OR invalid_reason IS NOT NULL")" 15
expect "wireguard-go's two processes sampled under their own names in its runs" \
	"$(q "SELECT count(*) FROM (SELECT run_id FROM samples WHERE name IN ('proc_cpu_pct.wireguard-go-robot',
	  'proc_cpu_pct.wireguard-go-operator') GROUP BY run_id HAVING count(DISTINCT name) = 2)")" 8
expect "flag asked for and read back: on and applied only for the backpressure opt-in runs" \
	"$(q "SELECT group_concat(vpn || ' ' || kernel || ' ' || flag || ' ' || flag_applied, ',') FROM
	  (SELECT * FROM runs WHERE flag = 'on' OR flag_applied = 1 ORDER BY vpn, traffic)")" \
	"openvpn backpressure on 1,wireguard-go backpressure on 1,wireguard-go backpressure on 1"
expect "stock loses packets in the ring at ring 25" \
	"$(q "SELECT a.ring_drops > 0 FROM runs r JOIN run_attribution a ON a.run_id = r.id WHERE r.kernel='stock' AND r.ring=25 AND r.vpn = 'openvpn'")" 1
expect "nodrop-v2 loses nothing in the ring" \
	"$(q "SELECT sum(a.ring_drops) FROM runs r JOIN run_attribution a ON a.run_id = r.id WHERE r.kernel='nodrop-v2'")" 0
expect "nodrop-qdisc loses nothing in the ring" \
	"$(q "SELECT sum(a.ring_drops) FROM runs r JOIN run_attribution a ON a.run_id = r.id WHERE r.kernel='nodrop-qdisc'")" 0
expect "backpressure without the flag tail-drops like stock at ring 25" \
	"$(q "SELECT a.ring_drops > 0 FROM runs r JOIN run_attribution a ON a.run_id = r.id WHERE r.kernel='backpressure' AND r.flag = 'off'")" 1
expect "backpressure with the flag (OpenVPN under the preload) loses nothing in the ring" \
	"$(q "SELECT a.ring_drops FROM runs r JOIN run_attribution a ON a.run_id = r.id WHERE r.kernel='backpressure' AND r.flag = 'on' AND r.vpn = 'openvpn'")" 0
# wireguard-go: the ring's own counter (tx_dropped) for video and TCP alike
ring_drops() { # ring_drops KERNEL TRAFFIC
	q "SELECT d.delta FROM runs r JOIN counter_delta d ON d.run_id = r.id AND d.place = 'ring' AND d.name = 'tx_dropped'
	   WHERE r.vpn = 'wireguard-go' AND r.kernel = '$1' AND r.traffic = '$2'"
}
for traffic in video tcp; do
	expect "wireguard-go, $traffic: stock loses packets in the ring at ring 25" "$(($(ring_drops stock "$traffic") > 0))" 1
	for k in nodrop-v2 nodrop-qdisc backpressure; do
		expect "wireguard-go, $traffic: $k loses nothing in the ring" "$(ring_drops "$k" "$traffic")" 0
	done
done
expect "wireguard-go TCP runs carried data" "$(q "SELECT count(*) FROM runs r JOIN tcp_results t ON t.run_id = r.id
	WHERE r.vpn = 'wireguard-go' AND t.receiver_bps > 0")" 4

"$root/testbed" sweep "$sweep" --db "$db" >"$dir/again" 2>&1
cat "$dir/again"
expect "a third call: nothing to do" "$(grep -c '15 of 15 runs already' "$dir/again")" 1
expect "and boots nothing" "$(grep -c 'booting' "$dir/again" || true)" 0
expect "still fifteen runs" "$(q "SELECT count(*) FROM runs")" 15

tb_summary
