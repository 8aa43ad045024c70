#!/usr/bin/env bash
# One measurement point, run inside the kernel under test (or on the host
# with --host): bring the robot <-> wan <-> operator topology up with the
# point's profile, ring and qdisc, read every drop counter, run the traffic,
# read the counters again, and store it all under one runs row in --db.
#
# The run is marked invalid, not dropped, when the guest was CPU-bound: the
# mean load of all CPUs reached TB_CPU_LIMIT (default 90 %), or, on a profile
# whose bottleneck should be the emulated link, the robot's OpenVPN process
# used TB_CPU_LIMIT % of a core (then the VPN, not the link, set the pace).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=scenario/topology.sh
source "$TB_ROOT/scenario/topology.sh"
# shellcheck source=experiments/sampler.sh
source "$TB_ROOT/experiments/sampler.sh"

usage() {
	cat <<'TXT'
usage: run-point.sh --db PATH --ring N --qdisc SPEC --profile NAME --traffic video|tcp|mixed
                    [--kernel NAME] [--clip NAME] [--sndbuf BYTES|default] [--pace F]
                    [--duration S] [--seed N] [--rep N] [--key KEY] [--reuse-topology]
Runs one point and writes its runs row, counters, samples and traffic rows
into the results store PATH. Normally called by ./testbed run or sweep.
--reuse-topology keeps the namespaces and OpenVPN up after the run and, when
they are up with the same profile, only sets the ring and qdisc (bringing the
topology up costs most of a minute under TCG).
TXT
}

db='' kernel=${TB_KERNEL_VARIANT:-host} ring='' qdisc='' profile='' traffic='' clip=720p30
sndbuf=default pace=0 duration=10 seed=1 rep=1 key='' reuse=0
while [ $# -gt 0 ]; do
	if [ "$1" = --reuse-topology ]; then reuse=1; shift; continue; fi
	[ $# -ge 2 ] || { [ "$1" = -h ] || [ "$1" = --help ]; } || tb_usage_die "run-point: $1 needs a value"
	case "$1" in
	--db) db=$2 ;;
	--kernel) kernel=$2 ;;
	--ring) ring=$2 ;;
	--qdisc) qdisc=$2 ;;
	--profile) profile=$2 ;;
	--traffic) traffic=$2 ;;
	--clip) clip=$2 ;;
	--sndbuf) sndbuf=$2 ;;
	--pace) pace=$2 ;;
	--duration) duration=$2 ;;
	--seed) seed=$2 ;;
	--rep) rep=$2 ;;
	--key) key=$2 ;;
	-h | --help) usage; exit 0 ;;
	*) tb_usage_die "run-point: unknown option '$1'" ;;
	esac
	shift 2
done
for v in db ring qdisc profile traffic; do
	[ -n "${!v}" ] || tb_usage_die "run-point: --$v is required"
done
case "$traffic" in video | tcp | mixed) ;; *) tb_usage_die "run-point: traffic must be video, tcp or mixed" ;; esac
if ! [[ $duration =~ ^[1-9][0-9]*$ ]]; then tb_usage_die "run-point: --duration must be whole seconds"; fi
tb_require_root "a run"

bin=$TB_BUILD
tbdb=$bin/lib/tb-db
cpu_limit=${TB_CPU_LIMIT:-90}
video_port=5004 tcp_port=5201

work=$(mktemp -d /tmp/tb-run-XXXXXX)
TB_SCN_PREFIX=${TB_RUN_PREFIX:-tbr-}
TB_SCN_DIR=${TB_RUN_SCN_DIR:-/tmp/tb-scenario}
TB_SCN_PROFILE=$profile TB_SCN_RING=$ring TB_SCN_QDISC=$qdisc
tb_scn_init
robot=$(_tb_scn_ns robot) operator=$(_tb_scn_ns operator)

kv() { sed -n "s/^$1=//p" "$TB_SCN_STATE/knobs.env" 2>/dev/null | head -n1; }
bg_pids=()
finished=0
cleanup() {
	local p
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	# A failed run leaves nothing behind for the next one to trip over.
	if [ "$reuse" -eq 0 ] || [ "$finished" -eq 0 ]; then tb_scn_down >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$reuse" -eq 1 ] && [ "$(kv profile)" = "$profile" ] && tb_scn_status >/dev/null 2>&1; then
	TB_SCN_QDISC_REQ=$qdisc tb_scn_set_tun "$ring" "$qdisc"
	tb_log "topology '$TB_SCN_PREFIX' reused: profile $profile, ring $ring, qdisc '$qdisc'"
else
	tb_scn_down >/dev/null 2>&1 || true
	tb_scn_up
fi

# --- the runs row: every knob and the environment ---------------------------
# The variant's patches, hashed (stock: no patch, the hash of nothing).
patch_hash=''
if [ -d "$TB_ROOT/kernel/patches/$kernel" ]; then
	patch_hash=$(find "$TB_ROOT/kernel/patches/$kernel" -name '*.patch' -print0 | sort -z |
		xargs -0 -r cat | sha256sum | cut -c1-16)
fi
profile_json=$("$bin/netem-profiles/tb-profile" show --json "$(tb_scn_profile_path "$profile")")
bottleneck=$(jq -r '.bottleneck // "link"' <<<"$profile_json")
image_key=''
if [ -n "${TB_VM_OUT:-}" ]; then image_key=$(sed -n 's/^image_key=//p' "$TB_VM_OUT/vm.env"); fi
env_json=$(jq -cn \
	--arg release "$(uname -r)" --arg variant "$kernel" --arg accel "${TB_ACCEL:-none}" \
	--arg image_key "$image_key" \
	--arg patch_hash "$patch_hash" \
	--arg openvpn "$(openvpn --version | awk 'NR == 1 { print $2 }')" \
	--arg iperf3 "$(iperf3 --version 2>&1 | awk 'NR == 1 { print $2 }')" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" \
	--arg ncpu "$(nproc)" --arg git "${TB_GIT_REV:-unknown}" \
	--arg cipher "$(kv vpn_cipher)" --arg tls "$(kv vpn_tls)" --arg mtu "$(kv vpn_tun_mtu)" \
	'{kernel_release: $release, kernel_variant: $variant, accel: $accel, image_key: $image_key,
	  patch_hash: $patch_hash, openvpn: $openvpn, iperf3: $iperf3, cpu_model: $cpu,
	  cpus: ($ncpu | tonumber), git_rev: $git, vpn_cipher: $cipher, vpn_tls: $tls,
	  vpn_tun_mtu: $mtu}')
knobs_json=$(jq -cn --arg ring "$ring" --arg qdisc "$qdisc" --arg profile "$profile" \
	--arg traffic "$traffic" --arg clip "$clip" --arg sndbuf "$sndbuf" --arg pace "$pace" \
	--arg duration "$duration" --arg seed "$seed" --argjson profile_values "$profile_json" \
	--arg qdisc_applied "$(kv qdisc_spec)" \
	'{ring: ($ring | tonumber), qdisc: $qdisc, qdisc_applied: $qdisc_applied, profile: $profile,
	  profile_values: $profile_values, traffic: $traffic, clip: $clip, sndbuf: $sndbuf,
	  pace: ($pace | tonumber), duration_s: ($duration | tonumber), seed: ($seed | tonumber)}')
sndbuf_bytes=0
case "$sndbuf" in default) ;; *k | *K) sndbuf_bytes=$((${sndbuf%?} * 1024)) ;; *M) sndbuf_bytes=$((${sndbuf%?} * 1048576)) ;; *) sndbuf_bytes=$sndbuf ;; esac

run_id=$("$tbdb" run-new "$db" campaign="${TB_CAMPAIGN:-adhoc}" point_key="$key" kind="$traffic" \
	kernel_variant="$kernel" kernel_release="$(uname -r)" patch_hash="$patch_hash" \
	accel="${TB_ACCEL:-none}" ring="$(kv ring)" qdisc="$(kv qdisc)" qdisc_limit="$(kv qdisc_limit)" \
	qdisc_params="$(kv qdisc_spec)" sndbuf="$sndbuf_bytes" profile="$profile" traffic="$traffic" \
	clip="$([ "$traffic" = tcp ] || echo "$clip")" seed="$seed" repetition="$rep" \
	git_rev="${TB_GIT_REV:-unknown}" knobs_json="$knobs_json" env_json="$env_json" \
	started_ns="$(date +%s%N)" status=running)

# --- traffic ------------------------------------------------------------------
dst=$TB_SCN_OPERATOR_TUN_ADDR
wait_listening() { # wait_listening NS PROTO PORT
	local _
	for _ in $(seq 50); do
		ip netns exec "$1" ss -Hln "--$2" "sport = :$3" | grep -q . && return 0
		sleep 0.1
	done
	tb_die "nothing listens on $2 port $3 in $1"
}

# Drops of the UDP sockets bound to a local port in a namespace (the last
# column of /proc/net/udp{,6}). The operator namespace's Udp RcvbufErrors
# lumps tb-recv's socket together with OpenVPN's outer socket; OpenVPN's
# socket lives across runs, so its own count separates the two.
socket_drops() { # socket_drops NS PORT
	ip netns exec "$1" cat /proc/net/udp /proc/net/udp6 2>/dev/null |
		awk -v port="$(printf ':%04X' "$2")" '$2 ~ port"$" { d += $NF } END { print d + 0 }'
}
tb_counters_snapshot() {
	{
		tb_scn_counters
		echo "vpn.operator_socket_drops=$(socket_drops "$operator" "$TB_SCN_VPN_PORT")"
	} | LC_ALL=C sort >"$work/$1.kv"
}
tb_counters_snapshot before
sampler_start "$work/samples.txt" "$robot" "$TB_SCN_ROBOT_TUN" "$(_tb_scn_pid robot)"
bg_pids+=("$SAMPLER_PID")

recv_pid='' iperf_pid=''
if [ "$traffic" != tcp ]; then
	# Decoding 720p H.264 under TCG costs most of a vCPU and would make the
	# receiver compete with OpenVPN: by default frames are judged by the
	# reference-chain rule only (TB_RUN_DECODE=1 decodes with libavcodec too).
	# TB_RUN_DUMP_FRAMES=LIST also keeps the decoded pictures of those frames
	# (PNG, in the frame_images table), to show what a viewer saw.
	decode=(--no-decode)
	[ "${TB_RUN_DECODE:-0}" = 1 ] && decode=()
	if [ -n "${TB_RUN_DUMP_FRAMES:-}" ]; then
		mkdir -p "$work/png"
		decode=(--dump-png "$work/png" --dump-frames "$TB_RUN_DUMP_FRAMES")
	fi
	ip netns exec "$operator" "$bin/receiver/tb-recv" --listen "$dst:$video_port" --db "$db" \
		--run-id "$run_id" --idle 3 --duration $((duration + 30)) "${decode[@]}" \
		>"$work/recv.txt" 2>"$work/recv.err" &
	recv_pid=$!
	bg_pids+=("$recv_pid")
	wait_listening "$operator" udp "$video_port"
fi
if [ "$traffic" != video ]; then
	ip netns exec "$operator" iperf3 -s -1 -B "$dst" -p "$tcp_port" --json >"$work/iperf-server.json" 2>&1 &
	bg_pids+=("$!")
	wait_listening "$operator" tcp "$tcp_port"
	ip netns exec "$robot" iperf3 -c "$dst" -p "$tcp_port" -t "$duration" -i 1 --json \
		>"$work/iperf.json" 2>"$work/iperf.err" &
	iperf_pid=$!
	bg_pids+=("$iperf_pid")
fi
if [ "$traffic" != tcp ]; then
	send_args=(--clip "$clip" --dest "$dst:$video_port" --duration "$duration" --pace "$pace"
		--db "$db" --run-id "$run_id")
	[ "$sndbuf" = default ] || send_args+=(--sndbuf "$sndbuf_bytes")
	ip netns exec "$robot" "$bin/sender/tb-send" "${send_args[@]}" >"$work/send.txt" 2>"$work/send.err" ||
		{ cat "$work/send.err" >&2; tb_die "tb-send failed"; }
fi
if [ -n "$iperf_pid" ]; then
	wait "$iperf_pid" || { cat "$work/iperf.err" "$work/iperf.json" >&2; tb_die "iperf3 failed"; }
fi
if [ -n "$recv_pid" ]; then
	wait "$recv_pid" || { cat "$work/recv.err" >&2; tb_die "tb-recv failed"; }
fi
sampler_stop
tb_counters_snapshot after

# --- store counters, samples, TCP results -----------------------------------------
# counters: "place.name=value" -> place, name, before, after
LC_ALL=C join -t= "$work/before.kv" "$work/after.kv" |
	awk -F= '$2 ~ /^-?[0-9]+$/ && $3 ~ /^-?[0-9]+$/ {
		place = $1; sub(/\..*/, "", place); name = substr($1, length(place) + 2)
		print place, name, $2, $3 }' |
	"$tbdb" rows "$db" "$run_id" counters place,name,before,after 2>/dev/null
"$tbdb" rows "$db" "$run_id" samples t_ns,name,value,unit <"$work/samples.txt" 2>/dev/null
for png in "$work"/png/frame-s*-*.png; do
	[ -f "$png" ] || continue
	f=${png##*/frame-s}
	stream=${f%%-*} frame=${f#*-}
	frame=$((10#${frame%.png}))
	sqlite3 "$db" "INSERT INTO frame_images(run_id, stream, frame_no, png)
		VALUES($run_id, $((10#$stream)), $frame, readfile('$png'))"
done
# The receiver's own totals (unique packets, including those that arrived
# after their frame was closed), from its summary line.
if [ "$traffic" != tcp ]; then
	awk '$1 == "packets" { for (i = 2; i < NF; i += 2) print "receiver", $i, 0, $(i + 1) }' "$work/recv.txt" |
		grep -E ' (expected|received|lost|duplicate|reordered|late|malformed) ' |
		"$tbdb" rows "$db" "$run_id" counters place,name,before,after 2>/dev/null
fi
if [ "$traffic" != video ]; then
	jq -r '.intervals[] | [.sum.start, .sum.end, .sum.bytes, .sum.bits_per_second,
		(.sum.retransmits // 0), (.streams[0].snd_cwnd // 0), (.streams[0].rtt // 0)] | @tsv' \
		"$work/iperf.json" |
		"$tbdb" rows "$db" "$run_id" tcp_intervals start_s,end_s,bytes,bits_per_second,retransmits,snd_cwnd_bytes,rtt_us 2>/dev/null
	jq -r '[.end.sum_sent.seconds, .end.sum_sent.bytes, .end.sum_received.bytes,
		.end.sum_sent.bits_per_second, .end.sum_received.bits_per_second,
		(.end.sum_sent.retransmits // 0), (.end.streams[0].sender.mean_rtt // 0),
		(.end.streams[0].sender.max_snd_cwnd // 0)] | @tsv' "$work/iperf.json" |
		"$tbdb" rows "$db" "$run_id" tcp_results duration_s,sent_bytes,received_bytes,sender_bps,receiver_bps,retransmits,mean_rtt_us,max_snd_cwnd_bytes 2>/dev/null
fi

# --- validity -------------------------------------------------------------------
read -r cpu_mean vpn_cpu <<<"$(sampler_summary "$work/samples.txt")"
valid=1 reason=''
if awk -v c="$cpu_mean" -v l="$cpu_limit" 'BEGIN { exit !(c >= l) }'; then
	valid=0 reason="guest CPU saturated: mean ${cpu_mean}% of all CPUs >= ${cpu_limit}%"
elif [ "$bottleneck" != vpn ] && awk -v c="$vpn_cpu" -v l="$cpu_limit" 'BEGIN { exit !(c >= l) }'; then
	valid=0 reason="OpenVPN CPU-bound (${vpn_cpu}% of a core >= ${cpu_limit}%) on a profile whose bottleneck is the link"
fi
"$tbdb" run-set "$db" "$run_id" ended_ns="$(date +%s%N)" cpu_busy_pct="$cpu_mean" \
	valid="$valid" invalid_reason="$reason" status=done
finished=1

# --- one line for the log -------------------------------------------------------------
summary=$("$tbdb" query "$db" "SELECT printf('sent %d received %d | ring %d qdisc %d socket %d wan %d vpn %d receiver %d | unexplained %d',
	sent, received, ring, qdisc, socket, wan, vpn, receiver, unexplained) FROM run_attribution WHERE run_id=$run_id" --views "$TB_ROOT/analysis/views.sql")
printf '  result: %s%s; cpu %s%% (openvpn %s%% of a core)%s\n' \
	"${summary:-no video attribution}" "" "$cpu_mean" "$vpn_cpu" "${reason:+; INVALID: $reason}"
[ "$traffic" = video ] || jq -r '"  tcp: \(.end.sum_received.bits_per_second / 1e6 | . * 100 | round / 100) Mbit/s received, \(.end.sum_sent.retransmits // 0) retransmits"' "$work/iperf.json"
