#!/usr/bin/env bash
# No loss of tb-send's own making: ICMP errors about earlier datagrams (port
# unreachable while nothing listens) must not cost a datagram.
#  1. tb-send (IPv4, then IPv6) to a port where nothing listens: a capture on
#     the sender's side of the veth sees exactly `packets` RTP datagrams with
#     consecutive sequence numbers (tcpdump's RTP decoder, not our parser),
#     send_errors is 0, and icmp_errors equals the ICMP port unreachables the
#     capture saw coming back.
#  2. A receiver appears midway: every datagram that arrived before it was
#     answered with an ICMP port unreachable (counted by the receiver side's
#     capture), every one after it reached tb-recv without a gap, and the two
#     add up to what tb-send sent.
# The receiver namespace's ICMP rate limits are lifted, so that every
# datagram to the closed port gets its answer.
# Namespaces tb-vsic-a/b-PID, addresses 198.18.2.0/30 and fd00:2::/64.
# usage: icmp.sh TB_SEND TB_RECV
set -euo pipefail
# shellcheck source=tests/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/netns.sh"
tb_send=${1:?usage: icmp.sh TB_SEND TB_RECV}
tb_recv=${2:?usage: icmp.sh TB_SEND TB_RECV}
[ "$(id -u)" -eq 0 ] || { echo "icmp: needs root (network namespaces)" >&2; exit 1; }
command -v tcpdump >/dev/null || { echo "icmp: tcpdump missing" >&2; exit 1; }

a=tb-vsic-a-$$ b=tb-vsic-b-$$
work=$(mktemp -d /tmp/tb-send-icmp.XXXXXX)
pids=() # background processes the test starts, ended on exit
tb_ns_scratch "$work" "$a" "$b"
tb_ns_pair "$a" "$b" ic0 ic1 198.18.2.1/30 198.18.2.2/30 fd00:2::1/64 fd00:2::2/64
ip netns exec "$b" sysctl -q -w net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=1000000 \
	net.ipv4.icmp_msgs_burst=1000000 net.ipv6.icmp.ratelimit=0

fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*" >&2; fail=1; }
eq() { if [ "$2" = "$3" ]; then ok "$1: $2"; else bad "$1: got '$2', want '$3'"; fi; }
sendval() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$2"; }
val() { awk -v l="$1" -v k="$2" '$1 == l { for (i = 2; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$3"; }

# capture NS IFACE FILE FILTER: tcpdump in the background until stop_capture;
# returns once it says it is listening.
capture() {
	ip netns exec "$1" tcpdump -q -U --immediate-mode -B 32768 -i "$2" -w "$3" "$4" 2>"$3.err" &
	pids+=($!)
	cap_pid=$!
	cap_file=$3
	local tries
	for tries in $(seq 100); do
		if grep -q 'listening on' "$3.err"; then return 0; fi
		sleep 0.1
	done
	echo "icmp: tcpdump did not start after $tries tries: $(cat "$3.err")" >&2
	exit 1
}
stop_capture() {
	sleep 0.5 # --immediate-mode hands every packet over at once; margin for a loaded machine
	kill -INT "$cap_pid" 2>/dev/null || true
	wait "$cap_pid" 2>/dev/null || true
	# A capture that lost packets itself proves nothing.
	if ! grep -q '^0 packets dropped by kernel' "$cap_file.err"; then
		bad "capture $cap_file incomplete: $(grep dropped "$cap_file.err")"
	fi
}
# rtp_seqs FILE PORT: the RTP sequence numbers of the datagrams to PORT, in order.
rtp_seqs() {
	tcpdump -nn -r "$1" -T rtp "udp dst port $2" 2>/dev/null | sed -n 's/.* \([0-9][0-9]*\) [0-9][0-9]* *[0-9]*$/\1/p'
}

# --- 1. nothing listens ------------------------------------------------------
closed() { # LABEL DEST PORT ICMP-FILTER
	local label=$1 dest=$2 port=$3
	capture "$a" ic0 "$work/$label.pcap" "udp dst port $port or $4"
	ip netns exec "$a" "$tb_send" --clip 480p30 --dest "$dest" --frames 90 --first-seq 1000 >"$work/$label.txt"
	stop_capture
	cat "$work/$label.txt"
	local sent
	sent=$(sendval packets "$work/$label.txt")
	eq "$label: send_errors" "$(sendval send_errors "$work/$label.txt")" 0
	eq "$label: datagrams on the wire" "$(tcpdump -nn -r "$work/$label.pcap" "udp dst port $port" 2>/dev/null | wc -l)" "$sent"
	rtp_seqs "$work/$label.pcap" "$port" >"$work/$label.seqs"
	# Consecutive from --first-seq: line i holds 1000 + i - 1.
	eq "$label: sequence numbers consecutive from 1000" \
		"$(awk 'BEGIN { n = 0 } $1 != 999 + NR { n++ } END { print n + 0, NR }' "$work/$label.seqs")" "0 $sent"
	local icmp
	icmp=$(tcpdump -nn -r "$work/$label.pcap" "$4" 2>/dev/null | grep -c unreachable || true)
	if [ "$icmp" -gt 0 ]; then ok "$label: ICMP port unreachables seen: $icmp"; else bad "$label: no ICMP seen"; fi
	eq "$label: icmp_errors = ICMP captured" "$(sendval icmp_errors "$work/$label.txt")" "$icmp"
	eq "$label: econnrefused = ICMP captured" "$(sendval econnrefused "$work/$label.txt")" "$icmp"
	# Most reports refuse the next send(), which is then repeated.
	if [ "$(sendval resent "$work/$label.txt")" -gt 0 ]; then ok "$label: resent $(sendval resent "$work/$label.txt")"; else bad "$label: nothing resent"; fi
}
closed v4 198.18.2.2:5610 5610 icmp
closed v6 '[fd00:2::2]:5611' 5611 icmp6

# --- 2. a receiver appears midway --------------------------------------------
db=$work/mid.db
capture "$b" ic1 "$work/mid.pcap" "udp dst port 5612 or icmp"
ip netns exec "$a" "$tb_send" --clip 480p30 --dest 198.18.2.2:5612 --duration 4 --db "$db" >"$work/mid-send.txt" &
send_pid=$!
pids+=("$send_pid")
sleep 1.5
ip netns exec "$b" "$tb_recv" --listen 198.18.2.2:5612 --idle 2 --hold-ms 2000 --no-decode >"$work/mid-recv.txt" 2>&1 &
recv_pid=$!
pids+=("$recv_pid")
wait "$send_pid" || bad "tb-send exited with $?"
wait "$recv_pid" || bad "tb-recv exited with $?"
stop_capture
cat "$work/mid-send.txt" "$work/mid-recv.txt"
sent=$(sendval packets "$work/mid-send.txt")
eq "midway: send_errors" "$(sendval send_errors "$work/mid-send.txt")" 0
eq "midway: datagrams arrived" "$(tcpdump -nn -r "$work/mid.pcap" "udp dst port 5612" 2>/dev/null | wc -l)" "$sent"
icmp=$(tcpdump -nn -r "$work/mid.pcap" icmp 2>/dev/null | grep -c unreachable || true)
got=$(val packets received "$work/mid-recv.txt")
if [ "$icmp" -gt 0 ] && [ "$got" -gt 0 ]; then ok "midway: $icmp refused before, $got received after"; else bad "midway: refused $icmp, received $got"; fi
eq "midway: refused + received = sent" "$((icmp + got))" "$sent"
eq "midway: lost after the receiver started" "$(val packets lost "$work/mid-recv.txt")" 0
eq "midway: tb-send counted the refusals" "$(sendval icmp_errors "$work/mid-send.txt")" "$icmp"
# The last datagram tb-send sent is the last one tb-recv got: no loss at the end.
last=$(sqlite3 "$db" "SELECT (max(first_seq + packets - 1)) % 65536 FROM frames_sent")
eq "midway: last sequence number received" "$(rtp_seqs "$work/mid.pcap" 5612 | tail -n 1)" "$last"
eq "midway: frames_sent icmp_errors" "$(sqlite3 "$db" "SELECT sum(icmp_errors) FROM frames_sent")" "$icmp"

[ "$fail" -eq 0 ] || { echo "icmp: FAILED" >&2; exit 1; }
echo "icmp: passed"
