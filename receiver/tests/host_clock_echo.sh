#!/usr/bin/env bash
# Two clocks: tb-recv --clock echo answers tb-send with timestamp echoes, and
# tb-send's estimate of the offset corrects the stored latencies. The
# receiver's clock is shifted with the test-only --test-clock-offset-ns; the
# path gets fixed delays (one asymmetric, to show the bound holds when the
# estimate itself is off by half the asymmetry): tb-send in namespace a sends
# across the veth to a delaying relay (udp-delay, standing in for netem,
# which this build machine's kernel lacks) in namespace b, which passes the
# stream on to tb-recv on b's loopback and its echoes back.
#  1. +250 ms, 30 ms there and 10 ms back; 2. -40 ms, 15 ms each way:
#     runs.clock_sync = synchronised, |clock_offset_ns - injected| <=
#     clock_bound_ns, the bound is at least half the netem round trip, and
#     every frame's latency_ns is within the bound of (last arrival -
#     injected offset - capture time), the latency on one clock.
#  3. Echoes blocked (nftables drops the reverse direction at the sender):
#     unsynchronised, no offset stored, latency_ns left as measured
#     (last arrival - capture_ns, which includes the injected offset).
#  4. Default --clock shared (no relay delay): no echo, no offset message (tb-recv counts no
#     RTCP), clock_sync = shared.
# Namespaces tb-rvce-a/b-PID, addresses 198.18.4.0/30.
# usage: host_clock_echo.sh TB_SEND TB_RECV UDP_DELAY
set -euo pipefail
# shellcheck source=tests/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/netns.sh"
tb_send=${1:?usage: host_clock_echo.sh TB_SEND TB_RECV}
tb_recv=${2:?usage: host_clock_echo.sh TB_SEND TB_RECV UDP_DELAY}
udp_delay=${3:?usage: host_clock_echo.sh TB_SEND TB_RECV UDP_DELAY}
[ "$(id -u)" -eq 0 ] || { echo "host_clock_echo: needs root (network namespaces)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "host_clock_echo: sqlite3 missing" >&2; exit 1; }

a=tb-rvce-a-$$ b=tb-rvce-b-$$
work=$(mktemp -d /tmp/tb-recv-clock.XXXXXX)
pids=() # background processes the test starts, ended on exit
tb_ns_scratch "$work" "$a" "$b"
tb_ns_pair "$a" "$b" ce0 ce1 198.18.4.1/30 198.18.4.2/30

fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*" >&2; fail=1; }
eq() { if [ "$2" = "$3" ]; then ok "$1: $2"; else bad "$1: got '$2', want '$3'"; fi; }
val() { awk -v l="$1" -v k="$2" '$1 == l { for (i = 2; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$3"; }
db=$work/r.db
q() { sqlite3 "$db" "$1"; }
"$tb_recv" --pcap /dev/null --db "$db" --quiet 2>/dev/null || true
[ -f "$db" ] || { echo "host_clock_echo: tb-recv did not create $db" >&2; exit 1; }

there=0 back=0
delays() { there=$1 back=$2; } # THERE_MS BACK_MS for the next stream
# stream LABEL PORT [tb-recv options]: 3 s of 480p30 through the relay on
# PORT to tb-recv on PORT + 100; prints the run id.
stream() {
	local label=$1 port=$2 run
	shift 2
	run=$(q "INSERT INTO runs(kind, traffic) VALUES('video', '$label'); SELECT last_insert_rowid();")
	ip netns exec "$b" "$tb_recv" --listen "127.0.0.1:$((port + 100))" --db "$db" --run-id "$run" --idle 2 \
		--hold-ms 2000 --no-decode "$@" >"$work/$label-recv.txt" 2>"$work/$label-recv.err" &
	local recv_pid=$!
	pids+=("$recv_pid")
	ip netns exec "$b" "$udp_delay" "198.18.4.2:$port" "127.0.0.1:$((port + 100))" "$there" "$back" 4 \
		>"$work/$label-relay.txt" &
	pids+=($!)
	sleep 0.5
	ip netns exec "$a" "$tb_send" --clip 480p30 --dest "198.18.4.2:$port" --duration 3 >"$work/$label-send.txt" ||
		bad "$label: tb-send exited with $?"
	wait "$recv_pid" || bad "$label: tb-recv exited with $?"
	cat "$work/$label-send.txt" "$work/$label-recv.txt" >&2
	echo "$run"
}

synchronised() { # LABEL PORT OFFSET_NS THERE_MS BACK_MS
	local label=$1 port=$2 inj=$3 run
	delays "$4" "$5"
	run=$(stream "$label" "$port" --clock echo --test-clock-offset-ns "$inj")
	eq "$label: clock, sync" "$(q "SELECT clock || ' ' || clock_sync FROM runs WHERE id=$run")" "echo synchronised"
	read -r est bound echoes <<<"$(q "SELECT clock_offset_ns, clock_bound_ns, clock_echoes FROM runs WHERE id=$run" | tr '|' ' ')"
	echo "$label: injected $inj, estimated $est, bound $bound, echoes $echoes"
	local err=$((est - inj))
	if [ "${err#-}" -le "$bound" ]; then ok "$label: |estimate - injected| = ${err#-} <= bound $bound"
	else bad "$label: |estimate - injected| = ${err#-} > bound $bound"; fi
	# A round trip cannot be shorter than the delays the relay adds.
	if [ "$bound" -ge $(( ($4 + $5) * 1000000 / 2 )) ]; then ok "$label: bound $bound >= half the added round trip"
	else bad "$label: bound $bound < half the added round trip"; fi
	if [ "$echoes" -ge 10 ]; then ok "$label: echoes $echoes"; else bad "$label: only $echoes echoes"; fi
	eq "$label: frames with latency within the bound of the one-clock latency" \
		"$(q "SELECT count(*) FROM frames_recv WHERE run_id=$run
		      AND abs(latency_ns - (last_arrival_ns - $inj - capture_ns)) <= $bound")" \
		"$(q "SELECT count(*) FROM frames_recv WHERE run_id=$run")"
	eq "$label: summary line" "$(val clock echo "$work/$label-recv.txt")" synchronised
}
synchronised plus250 5630 250000000 30 10
synchronised minus40 5631 -40000000 15 15

# --- 3. echoes blocked on their way back -----------------------------------
delays 15 15
ip netns exec "$a" nft -f - <<'NFT'
table inet tbce {
	chain in {
		type filter hook input priority 0; policy accept;
		udp sport 5632 counter drop
	}
}
NFT
run=$(stream blocked 5632 --clock echo --test-clock-offset-ns 250000000)
dropped=$(ip netns exec "$a" nft list chain inet tbce in | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
if [ "$dropped" -gt 0 ]; then ok "blocked: $dropped echoes dropped"; else bad "blocked: no echo dropped"; fi
eq "blocked: replies sent = echoes dropped" "$(sed -n 's/.*replies \([0-9]*\).*/\1/p' "$work/blocked-recv.txt")" "$dropped"
eq "blocked: tb-send got no echo" "$(sed -n 's/.* echoes=\([0-9]*\).*/\1/p' "$work/blocked-send.txt")" 0
eq "blocked: clock, sync, offset" "$(q "SELECT clock || ' ' || clock_sync || ' ' || (clock_offset_ns IS NULL) || (clock_bound_ns IS NULL) FROM runs WHERE id=$run")" \
	"echo unsynchronised 11"
eq "blocked: latency not corrected" \
	"$(q "SELECT count(*) FROM frames_recv WHERE run_id=$run AND latency_ns = last_arrival_ns - capture_ns AND latency_ns > 250000000")" \
	"$(q "SELECT count(*) FROM frames_recv WHERE run_id=$run")"
eq "blocked: summary line" "$(val clock echo "$work/blocked-recv.txt")" unsynchronised

# --- 4. one clock (the default): nothing extra on the wire -------------------
delays 0 0
run=$(stream shared 5633)
eq "shared: clock, sync" "$(q "SELECT clock || ' ' || clock_sync || ' ' || (clock_offset_ns IS NULL) FROM runs WHERE id=$run")" "shared shared 1"
eq "shared: no offset message reached tb-recv" "$(val packets rtcp "$work/shared-recv.txt")" 0
eq "shared: tb-send got no echo" "$(sed -n 's/.* echoes=\([0-9]*\).*/\1/p' "$work/shared-send.txt")" 0
eq "shared: latency = last arrival - capture" \
	"$(q "SELECT count(*) FROM frames_recv WHERE run_id=$run AND latency_ns = last_arrival_ns - capture_ns")" \
	"$(q "SELECT count(*) FROM frames_recv WHERE run_id=$run")"

[ "$fail" -eq 0 ] || { echo "host_clock_echo: FAILED" >&2; exit 1; }
echo "host_clock_echo: passed"
