#!/usr/bin/env bash
# tb-send -> tb-recv across a veth pair between two network namespaces.
#  1. IPv4, no loss: every packet and frame arrives, complete and decodable,
#     latency consistent with the sender's send times; a live capture (--iface) and an offline one
#     (tcpdump file, --pcap) of the same stream give the same counts; PSNR
#     against the clip is 100 dB (identical), chosen frames dump as PNG.
#  2. IPv6 (fd00::), no loss, ended by SIGTERM with every row committed;
#     --frames N ends a run after N frames.
#  3. Known loss: an nftables rule drops the packets whose RTP sequence
#     number modulo 64 is 50, 51 or 52; per-frame received counts, completeness and the
#     reference chain rule are checked against the drop pattern, computed
#     here from the sender's frames_sent rows.
# Frames wait up to 3 s for missing packets (--hold-ms): on a loaded 2-core
# machine tb-send can stall for most of a second between two packets.
# Namespaces tb-rv-a/b-PID, addresses 198.18.1.0/30 and fd00:1::/64.
# usage: host_veth.sh TB_SEND TB_RECV
set -euo pipefail
# shellcheck source=tests/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/netns.sh"
tb_send=${1:?usage: host_veth.sh TB_SEND TB_RECV}
tb_recv=${2:?usage: host_veth.sh TB_SEND TB_RECV}
[ "$(id -u)" -eq 0 ] || { echo "host_veth: needs root (network namespaces)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "host_veth: sqlite3 missing" >&2; exit 1; }

a=tb-rv-a-$$ b=tb-rv-b-$$
work=$(mktemp -d /tmp/tb-recv-veth.XXXXXX)
pids=() # background processes the test starts, ended on exit
tb_ns_scratch "$work" "$a" "$b"
tb_ns_pair "$a" "$b" rv0 rv1 198.18.1.1/30 198.18.1.2/30 fd00:1::1/64 fd00:1::2/64

fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*" >&2; fail=1; }
# The value after KEY on the summary line starting with LINE.
val() { awk -v l="$1" -v k="$2" '$1 == l { for (i = 2; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$3"; }
sendval() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$2"; }
eq() { if [ "$2" = "$3" ]; then ok "$1: $2"; else bad "$1: got '$2', want '$3'"; fi; }
lt() { if awk -v x="$2" -v y="$3" 'BEGIN { exit !(x != "" && x + 0 < y + 0) }'; then ok "$1: $2 < $3"; else bad "$1: $2 not < $3"; fi; }
new_run() { sqlite3 "$1" "INSERT INTO runs(kind, traffic) VALUES('video', '$2'); SELECT last_insert_rowid();"; }

db=$work/r.db
# Create the store (tb-recv migrates it) and the runs rows.
"$tb_recv" --pcap /dev/null --db "$db" --quiet 2>/dev/null || true
[ -f "$db" ] || { echo "host_veth: tb-recv did not create $db" >&2; exit 1; }

# --- 1. IPv4, no loss, three receivers of one stream ---------------------
run=$(new_run "$db" veth-v4)
ip netns exec "$b" tcpdump -q -U -i rv1 -w "$work/cap.pcap" udp port 5600 2>/dev/null &
pids+=($!)
ip netns exec "$b" "$tb_recv" --iface rv1 --port 5600 --idle 3 --hold-ms 3000 --no-decode >"$work/iface.txt" 2>"$work/iface.err" &
pids+=($!)
iface_pid=$!
ip netns exec "$b" "$tb_recv" --listen 198.18.1.2:5600 --db "$db" --run-id "$run" --packets --idle 3 --hold-ms 3000 \
	>"$work/v4.txt" 2>"$work/v4.err" &
recv_pid=$!
pids+=("$recv_pid")
sleep 1
ip netns exec "$a" "$tb_send" --clip 480p30 --dest 198.18.1.2:5600 --duration 4 --db "$db" --run-id "$run" \
	>"$work/send4.txt"
wait "$recv_pid" || bad "tb-recv (v4) exited with $?"
wait "$iface_pid" || bad "tb-recv --iface exited with $?"
sleep 0.5
kill -INT "${pids[0]}" 2>/dev/null || true
wait "${pids[0]}" 2>/dev/null || true
cat "$work/send4.txt" "$work/v4.txt"
sent=$(sendval packets "$work/send4.txt")
frames=$(sendval frames "$work/send4.txt")
eq "v4 packets expected" "$(val packets expected "$work/v4.txt")" "$sent"
eq "v4 packets received" "$(val packets received "$work/v4.txt")" "$sent"
eq "v4 lost" "$(val packets lost "$work/v4.txt")" 0
eq "v4 malformed" "$(val packets malformed "$work/v4.txt")" 0
eq "v4 frames" "$(val frames total "$work/v4.txt")" "$frames"
eq "v4 complete" "$(val frames complete "$work/v4.txt")" "$frames"
eq "v4 decodable" "$(val frames decodable "$work/v4.txt")" "$frames"
eq "v4 decoder flagged" "$(val decoder flagged "$work/v4.txt")" 0
# Latency: the last packet's arrival (kernel timestamp) minus the frame's
# scheduled time. On a loaded machine tb-send itself falls behind schedule,
# so the check that does not depend on load is against tb-send's own record:
# arrival of a frame's last packet within 50 ms of its send() returning, for
# 99% of frames (both stamped in the same kernel, microseconds apart on veth).
latency_check() { # RUN LABEL
	local stats
	stats=$(sqlite3 -separator ' ' "$db" "SELECT count(*),
		sum(abs(r.latency_ns - (s.send_end_ns - s.capture_ns)) < 50000000),
		sum(r.latency_ns >= 0 AND r.latency_ns = r.last_arrival_ns - s.capture_ns)
		FROM frames_sent s JOIN frames_recv r USING(run_id, stream, frame_no) WHERE s.run_id=$1")
	read -r n near sane <<<"$stats"
	eq "$2 latency = last arrival - capture_ns, >= 0" "$sane" "$n"
	lt "$2 frames arriving > 50 ms from send" "$(( n - near ))" "$(( n / 100 + 1 ))"
}
latency_check "$run" v4
echo "v4 latency_ms: $(grep '^latency_ms' "$work/v4.txt")"
eq "v4 frames_recv rows" "$(sqlite3 "$db" "SELECT count(*) FROM frames_recv WHERE run_id=$run AND complete=1 AND decodable=1 AND latency_ns > 0")" "$frames"
eq "v4 packets rows" "$(sqlite3 "$db" "SELECT count(*) FROM packets WHERE run_id=$run AND status=0")" "$sent"
eq "v4 frames match frames_sent" "$(sqlite3 "$db" "SELECT count(*) FROM frames_sent s JOIN frames_recv r USING(run_id, stream, frame_no) WHERE s.run_id=$run AND r.pkts_expected = s.packets AND r.pkts_received = s.packets AND r.capture_ns = s.capture_ns")" "$frames"
# The same stream seen by live and offline capture.
"$tb_recv" --pcap "$work/cap.pcap" --port 5600 --no-decode >"$work/pcap.txt" 2>"$work/pcap.err" || bad "tb-recv --pcap failed: $(cat "$work/pcap.err")"
for f in iface pcap; do
	eq "$f frames" "$(val frames complete "$work/$f.txt")" "$frames"
	eq "$f packets received" "$(val packets received "$work/$f.txt")" "$sent"
	lt "$f latency p99 ms - socket p99" "$(awk -v a="$(val latency_ms p99 "$work/$f.txt")" -v b="$(val latency_ms p99 "$work/v4.txt")" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }')" 5
done

# PSNR against the clip (identical without loss) and PNG dumps, from the capture.
mkdir -p "$work/png"
"$tb_recv" --pcap "$work/cap.pcap" --port 5600 --psnr 480p30 --dump-png "$work/png" --dump-frames 0,10-12 \
	>"$work/psnr.txt" 2>&1 || bad "tb-recv --psnr failed: $(cat "$work/psnr.txt")"
eq "psnr mean (identical)" "$(val psnr_db mean "$work/psnr.txt")" 100.00
eq "psnr frames" "$(val psnr_db frames "$work/psnr.txt")" "$frames"
eq "png written" "$(val png written "$work/psnr.txt")" 4
pngs=0
for f in "$work"/png/frame-s0-0000{00,10,11,12}.png; do
	if [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 89504e47 ]; then pngs=$((pngs + 1)); fi
done
eq "PNG files" "$pngs" 4

# --- 2. IPv6; ended by SIGTERM (finishes cleanly: flush, commit, summary) --
run=$(new_run "$db" veth-v6)
ip netns exec "$b" "$tb_recv" --listen '[fd00:1::2]:5602' --hold-ms 3000 --db "$db" --run-id "$run" \
	>"$work/v6.txt" 2>"$work/v6.err" &
recv_pid=$!
pids+=("$recv_pid")
sleep 0.5
ip netns exec "$a" "$tb_send" --clip 480p30 --dest '[fd00:1::2]:5602' --duration 2 >"$work/send6.txt"
sleep 0.5
kill -TERM "$recv_pid"
rc=0
wait "$recv_pid" || rc=$?
eq "v6 exit status after SIGTERM" "$rc" 0
cat "$work/v6.txt"
eq "v6 packets received" "$(val packets received "$work/v6.txt")" "$(sendval packets "$work/send6.txt")"
eq "v6 lost" "$(val packets lost "$work/v6.txt")" 0
eq "v6 complete" "$(val frames complete "$work/v6.txt")" "$(sendval frames "$work/send6.txt")"
eq "v6 rows committed" "$(sqlite3 "$db" "SELECT count(*) FROM frames_recv WHERE run_id=$run")" "$(sendval frames "$work/send6.txt")"

# --- 2b. --frames N ends the run after N frames -------------------------------
ip netns exec "$b" "$tb_recv" --listen 198.18.1.2:5603 --frames 30 --no-decode >"$work/nf.txt" 2>&1 &
recv_pid=$!
pids+=("$recv_pid")
sleep 0.5
ip netns exec "$a" "$tb_send" --clip 480p30 --dest 198.18.1.2:5603 --duration 2 --quiet || true
rc=0
wait "$recv_pid" || rc=$?
eq "--frames 30: exit status" "$rc" 0
nf=$(val frames total "$work/nf.txt")
if [ -n "$nf" ] && [ "$nf" -ge 30 ] && [ "$nf" -le 32 ]; then ok "--frames 30: stopped after $nf frames"; else bad "--frames 30: $nf frames"; fi

# --- 3. packets with seq % 64 in 50..52 dropped by nftables ------------------
# The rule matches the RTP sequence number in the packet (bytes 2-3 after the
# UDP header), so what is dropped does not depend on timing or on the order
# two CPUs process packets in. It sits in the receiver's namespace before
# routing (a drop on the sender's output path fails its send() with EPERM).
run=$(new_run "$db" veth-drop)
ip netns exec "$b" nft -f - <<'NFT'
table inet tbrv {
	chain in {
		type filter hook prerouting priority -300; policy accept;
		udp dport 5604 @th,80,16 & 0x3f { 50, 51, 52 } counter drop
	}
}
NFT
ip netns exec "$b" "$tb_recv" --listen 198.18.1.2:5604 --db "$db" --run-id "$run" --idle 3 --hold-ms 3000 \
	>"$work/drop.txt" 2>"$work/drop.err" &
recv_pid=$!
pids+=("$recv_pid")
sleep 0.5
# Sequence numbers start at 0: the n-th packet (from 0) has seq n.
ip netns exec "$a" "$tb_send" --clip 480p30 --dest 198.18.1.2:5604 --duration 6 --first-seq 0 \
	--db "$db" --run-id "$run" >"$work/senddrop.txt"
wait "$recv_pid" || bad "tb-recv (drop) exited with $?"
cat "$work/senddrop.txt" "$work/drop.txt"
dropped=$(ip netns exec "$b" nft list chain inet tbrv in | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
total=$(sqlite3 "$db" "SELECT sum(packets) FROM frames_sent WHERE run_id=$run")
eq "tb-send sent all" "$(sendval packets "$work/senddrop.txt")" "$total"
ndrop=$(awk -v t="$total" 'BEGIN { for (k = 0; k < t; k++) n += (k % 64 >= 50 && k % 64 <= 52); print n }')
eq "nft drops" "$dropped" "$ndrop"
# Drops at the very end are invisible to any receiver: the stream just ends earlier.
tail_lost=$(awk -v t="$total" 'BEGIN { n = 0; for (k = t - 1; k >= 0 && k % 64 >= 50 && k % 64 <= 52; k--) n++; print n }')
eq "drop: expected" "$(val packets expected "$work/drop.txt")" "$(( total - tail_lost ))"
eq "drop: lost" "$(val packets lost "$work/drop.txt")" "$(( dropped - tail_lost ))"
eq "drop: late/reordered/duplicate" "$(val packets late "$work/drop.txt")/$(val packets reordered "$work/drop.txt")/$(val packets duplicate "$work/drop.txt")" 0/0/0
# Per frame: received = packets minus the dropped sequence numbers in
# [first_seq, last seq]; f(x) counts them in [0, x].
f() { echo "(($1) / 64 * 3 + min(max(($1) % 64 - 49, 0), 3))"; }
q="SELECT s.frame_no, s.packets - ($(f 's.first_seq + s.packets - 1') - CASE WHEN s.first_seq = 0 THEN 0 ELSE $(f 's.first_seq - 1') END),
	  r.pkts_received, r.pkts_expected, r.complete, r.decodable, s.idr, s.packets
   FROM frames_sent s LEFT JOIN frames_recv r USING(run_id, stream, frame_no) WHERE s.run_id=$run ORDER BY s.frame_no"
sqlite3 -separator ' ' "$db" "$q" >"$work/frames.txt"
# Columns: frame want_recv got_recv expected complete decodable idr packets.
# The chain rule: decodable = complete and (IDR, or every frame since the
# last IDR decodable); all frames of the clips are reference frames.
verdict=$(awk '
	{ want = $2; got = ($3 == "" ? 0 : $3); complete = (want == $8)
	  if ($3 == "" && want == 0) { missing++; next }   # lost entirely at the very end
	  if (got != want) { bad++; print "frame " $1 ": received " got " want " want > "/dev/stderr" }
	  if (got > 0 && $4 != $8) { bad++; print "frame " $1 ": expected " $4 " want " $8 > "/dev/stderr" }
	  if ($5 != complete) { bad++; print "frame " $1 ": complete " $5 " want " complete > "/dev/stderr" }
	  dec = complete && ($7 == 1 || chain); chain = dec
	  if ($6 != dec) { bad++; print "frame " $1 ": decodable " $6 " want " dec > "/dev/stderr" }
	  n++; c += complete; d += dec }
	END { printf "%d %d %d %d %d\n", n, c, d, bad + 0, missing + 0 }' "$work/frames.txt")
read -r nf nc nd nbad nmissing <<<"$verdict"
eq "drop: per-frame mismatches" "$nbad" 0
eq "drop: frames" "$(val frames total "$work/drop.txt")" "$nf"
eq "drop: complete" "$(val frames complete "$work/drop.txt")" "$nc"
eq "drop: decodable" "$(val frames decodable "$work/drop.txt")" "$nd"
if [ "$nmissing" -le 1 ]; then ok "drop: frames lost at the end: $nmissing"; else bad "drop: $nmissing frames missing"; fi
if [ "$nc" -gt 0 ] && [ "$nc" -lt "$nf" ]; then ok "drop: some frames complete, some not ($nc/$nf)"; else bad "drop: $nc/$nf complete"; fi
latency_check "$run" drop
if [ "$nd" -gt 0 ] && [ "$nd" -lt "$nc" ]; then ok "drop: some complete frames undecodable ($nd/$nc)"; else bad "drop: decodable $nd of $nc complete"; fi

exit "$fail"
