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

# Every program started in the TCG guest costs about half a second (loading
# it over 9p): this script uses shell builtins where it can, and caches what
# does not change within a boot.
now_ns() { local t=$EPOCHREALTIME; printf '%s000' "${t/./}"; }
json_str() { local v=${1//\\/\\\\}; printf '"%s"' "${v//\"/\\\"}"; }

work=/tmp/tb-run-$$-$RANDOM
mkdir -p "$work"
: >"$work/recv.txt"
: >"$work/samples.txt"
TB_SCN_PREFIX=${TB_RUN_PREFIX:-tbr-}
TB_SCN_DIR=${TB_RUN_SCN_DIR:-/tmp/tb-scenario}
TB_SCN_PROFILE=$profile TB_SCN_RING=$ring TB_SCN_QDISC=$qdisc
tb_scn_init
robot=${TB_SCN_PREFIX}robot operator=${TB_SCN_PREFIX}operator

# The knobs the topology read back from the kernel (knobs.env), by name.
declare -A knob=()
load_knobs() {
	local k v
	knob=()
	[ -f "$TB_SCN_STATE/knobs.env" ] || return 1
	while IFS='=' read -r k v; do knob[$k]=$v; done <"$TB_SCN_STATE/knobs.env"
}
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

if [ "$reuse" -eq 1 ] && load_knobs && [ "${knob[profile]:-}" = "$profile" ] && tb_scn_status >/dev/null 2>&1; then
	TB_SCN_QDISC_REQ=$qdisc tb_scn_set_tun "$ring" "$qdisc"
	tb_log "topology '$TB_SCN_PREFIX' reused: profile $profile, ring $ring, qdisc '$qdisc'"
else
	tb_scn_down >/dev/null 2>&1 || true
	tb_scn_up
fi
load_knobs || tb_die "the topology wrote no knobs.env"

# --- the runs row: every knob and the environment ---------------------------
read -r release </proc/sys/kernel/osrelease
# Facts that do not change within a boot, computed once per kernel.
env_file=$TB_SCN_DIR/env-$kernel.json
if [ ! -s "$env_file" ]; then
	# The variant's patches, hashed (stock: no patch, the hash of nothing).
	patch_hash=''
	if [ -d "$TB_ROOT/kernel/patches/$kernel" ]; then
		patch_hash=$(find "$TB_ROOT/kernel/patches/$kernel" -name '*.patch' -print0 | sort -z |
			xargs -0 -r cat | sha256sum | cut -c1-16)
	fi
	image_key=''
	if [ -n "${TB_VM_OUT:-}" ]; then image_key=$(sed -n 's/^image_key=//p' "$TB_VM_OUT/vm.env"); fi
	jq -cn --arg release "$release" --arg variant "$kernel" --arg accel "${TB_ACCEL:-none}" \
		--arg image_key "$image_key" --arg patch_hash "$patch_hash" \
		--arg openvpn "$(openvpn --version | awk 'NR == 1 { print $2 }')" \
		--arg iperf3 "$(iperf3 --version 2>&1 | awk 'NR == 1 { print $2 }')" \
		--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" \
		--arg ncpu "$(nproc)" --arg git "${TB_GIT_REV:-unknown}" \
		--arg host_cpu "${TB_HOST_CPU:-}" --arg host_ncpu "${TB_HOST_CPUS:-0}" \
		'{kernel_release: $release, kernel_variant: $variant, accel: $accel, image_key: $image_key,
		  patch_hash: $patch_hash, openvpn: $openvpn, iperf3: $iperf3, cpu_model: $cpu,
		  cpus: ($ncpu | tonumber), git_rev: $git,
		  host_cpu_model: (if $host_cpu == "" then $cpu else $host_cpu end),
		  host_cpus: (if $host_ncpu == "0" then ($ncpu | tonumber) else ($host_ncpu | tonumber) end)}' >"$env_file"
fi
env_json=$(<"$env_file")
[[ $env_json =~ \"patch_hash\":\"([0-9a-f]*)\" ]] && patch_hash=${BASH_REMATCH[1]}
profile_file=$TB_SCN_DIR/profile-$profile.json
[ -s "$profile_file" ] || "$bin/netem-profiles/tb-profile" show --json "$(tb_scn_profile_path "$profile")" >"$profile_file"
profile_json=$(<"$profile_file")
bottleneck='link'
[[ $profile_json =~ \"bottleneck\":\"([a-z]+)\" ]] && bottleneck=${BASH_REMATCH[1]}
sndbuf_bytes=0
case "$sndbuf" in default) ;; *k | *K) sndbuf_bytes=$((${sndbuf%?} * 1024)) ;; *M) sndbuf_bytes=$((${sndbuf%?} * 1048576)) ;; *) sndbuf_bytes=$sndbuf ;; esac
knobs_json=$(printf '{"ring":%d,"qdisc":%s,"qdisc_applied":%s,"profile":%s,"profile_values":%s,"traffic":%s,"clip":%s,"sndbuf":%s,"pace":%s,"duration_s":%d,"seed":%d,"vpn_cipher":%s,"vpn_tls":%s,"vpn_tun_mtu":%s}' \
	"$ring" "$(json_str "$qdisc")" "$(json_str "${knob[qdisc_spec]:-}")" "$(json_str "$profile")" "$profile_json" \
	"$(json_str "$traffic")" "$(json_str "$clip")" "$(json_str "$sndbuf")" "$pace" "$duration" "$seed" \
	"$(json_str "${knob[vpn_cipher]:-}")" "$(json_str "${knob[vpn_tls]:-}")" "$(json_str "${knob[vpn_tun_mtu]:-}")")

run_id=$("$tbdb" run-new "$db" campaign="${TB_CAMPAIGN:-adhoc}" point_key="$key" kind="$traffic" \
	kernel_variant="$kernel" kernel_release="$release" patch_hash="${patch_hash:-}" \
	accel="${TB_ACCEL:-none}" ring="${knob[ring]:-}" qdisc="${knob[qdisc]:-}" qdisc_limit="${knob[qdisc_limit]:-}" \
	qdisc_params="${knob[qdisc_spec]:-}" sndbuf="$sndbuf_bytes" profile="$profile" traffic="$traffic" \
	clip="$([ "$traffic" = tcp ] || echo "$clip")" seed="$seed" repetition="$rep" \
	git_rev="${TB_GIT_REV:-unknown}" knobs_json="$knobs_json" env_json="$env_json" \
	started_ns="$(now_ns)" status=running)

# --- traffic ------------------------------------------------------------------
dst=$TB_SCN_OPERATOR_TUN_ADDR
wait_listening() { # wait_listening NS PROTO PORT
	local i
	for ((i = 0; i < 50; i++)); do
		[ -n "$(ip netns exec "$1" ss -Hln "--$2" "sport = :$3")" ] && return 0
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

# --- store counters, samples, receiver totals, TCP results, validity ---------------
# One awk writes the SQL and one sqlite3 runs it (two programs, not twenty).
{
	echo ".timeout 10000"
	echo ".bail on"
	echo "BEGIN;"
	# counters: "place.name=value" before and after -> place, name, before, after
	awk -F= -v id="$run_id" '
		function q(s) { gsub(/\x27/, "\x27\x27", s); return "\x27" s "\x27" }
		FILENAME == ARGV[1] { before[$1] = $2; next }
		FILENAME == ARGV[2] && ($1 in before) && $2 ~ /^-?[0-9]+$/ && before[$1] ~ /^-?[0-9]+$/ {
			place = $1; sub(/\..*/, "", place); name = substr($1, length(place) + 2)
			printf "INSERT OR REPLACE INTO counters VALUES(%d, %s, %s, %s, %s);\n", id, q(place), q(name), before[$1], $2
		}
		FILENAME == ARGV[4] && NF >= 3 && $3 ~ /^-?[0-9.]+$/ {
			printf "INSERT INTO samples VALUES(%d, %s, %s, %s, %s);\n", id, $1, q($2), $3, (NF > 3 ? q($4) : "NULL")
		}
		# the receiver summary: its unique packets include those that came after
		# their frame was closed
		FILENAME == ARGV[5] && $1 == "packets" {
			for (i = 2; i < NF; i += 2)
				if ($i ~ /^(expected|received|lost|duplicate|reordered|late|malformed)$/)
					printf "INSERT OR REPLACE INTO counters VALUES(%d, \x27receiver\x27, %s, 0, %s);\n", id, q($i), $(i + 1)
		}' "$work/before.kv" "$work/after.kv" FS=' ' "$work/samples.txt" "$work/recv.txt"
	for png in "$work"/png/frame-s*-*.png; do
		[ -f "$png" ] || continue
		f=${png##*/frame-s}
		stream=${f%%-*} frame=${f#*-}
		printf "INSERT INTO frame_images VALUES(%d, %d, %d, readfile('%s'));\n" "$run_id" "$((10#$stream))" "$((10#${frame%.png}))" "$png"
	done
	if [ "$traffic" != video ]; then
		jq -r --arg id "$run_id" '(.intervals[] | "INSERT INTO tcp_intervals VALUES(\($id), \(.sum.start), \(.sum.end), \(.sum.bytes), \(.sum.bits_per_second), \(.sum.retransmits // 0), \(.streams[0].snd_cwnd // 0), \(.streams[0].rtt // 0));"),
			"INSERT INTO tcp_results VALUES(\($id), \(.end.sum_sent.seconds), \(.end.sum_sent.bytes), \(.end.sum_received.bytes), \(.end.sum_sent.bits_per_second), \(.end.sum_received.bits_per_second), \(.end.sum_sent.retransmits // 0), \(.end.streams[0].sender.mean_rtt // 0), \(.end.streams[0].sender.max_snd_cwnd // 0));"' \
			"$work/iperf.json"
	fi
	# Validity: the mean load of all CPUs, and OpenVPN's share of a core on a
	# profile whose bottleneck should be the link.
	cat <<SQL
WITH c AS (SELECT avg(CASE WHEN name = 'cpu_busy_pct' THEN value END) AS cpu,
                  avg(CASE WHEN name = 'vpn_cpu_pct' THEN value END) AS vpn
           FROM samples WHERE run_id = $run_id)
UPDATE runs SET ended_ns = $(now_ns), status = 'done',
  cpu_busy_pct = round((SELECT cpu FROM c), 1),
  valid = CASE WHEN (SELECT cpu FROM c) >= $cpu_limit THEN 0
               WHEN '$bottleneck' != 'vpn' AND (SELECT vpn FROM c) >= $cpu_limit THEN 0 ELSE 1 END,
  invalid_reason = CASE
    WHEN (SELECT cpu FROM c) >= $cpu_limit THEN printf('guest CPU saturated: mean %.1f%% of all CPUs >= $cpu_limit%%', (SELECT cpu FROM c))
    WHEN '$bottleneck' != 'vpn' AND (SELECT vpn FROM c) >= $cpu_limit
      THEN printf('OpenVPN CPU-bound (%.1f%% of a core >= $cpu_limit%%) on a profile whose bottleneck is the link', (SELECT vpn FROM c))
  END
WHERE id = $run_id;
COMMIT;
.read $TB_ROOT/analysis/views.sql
SELECT '  result: ' || coalesce((SELECT printf('sent %d received %d | ring %d qdisc %d socket %d wan %d vpn %d receiver %d | unexplained %d',
    sent, received, ring, qdisc, socket, wan, vpn, receiver, unexplained) FROM run_attribution WHERE run_id = $run_id), 'no video attribution')
  || printf('; cpu %.1f%% (openvpn %.1f%% of a core)', cpu_busy_pct,
       (SELECT avg(value) FROM samples WHERE run_id = $run_id AND name = 'vpn_cpu_pct'))
  || coalesce('; INVALID: ' || invalid_reason, '') FROM runs WHERE id = $run_id;
SELECT printf('  tcp: %.2f Mbit/s received, %d retransmits', receiver_bps / 1e6, retransmits) FROM tcp_results WHERE run_id = $run_id;
SQL
} >"$work/store.sql"
sqlite3 "$db" <"$work/store.sql" || tb_die "storing run $run_id failed (SQL in $work/store.sql)"
finished=1
