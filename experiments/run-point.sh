#!/usr/bin/env bash
# One measurement point, run inside the kernel under test (or on the host
# for ./testbed run --host): bring the robot <-> wan <-> operator scenario up
# with the point's profile, ring and qdisc, read every drop counter, run the
# traffic, read the counters again, and store it all under one runs row in
# --db. Every setting comes from the point file, by name; `tb-db finish`
# stores the run and judges its validity (lib/validity.c).
set -euo pipefail
# experiments/guest-sweep.sh sources this file in a subshell per point with
# the libraries already loaded (_TB_RUN_POINT_LIBS=1, not exported): a bash
# start and the libraries' parsing cost about 0.6 s a run under TCG.
if [ "${_TB_RUN_POINT_LIBS:-0}" != 1 ]; then
	# shellcheck source=scripts/lib.sh
	source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
	# shellcheck source=scenario/scenario-lib.sh
	source "$TB_ROOT/scenario/scenario-lib.sh"
	# shellcheck source=experiments/sampler.sh
	source "$TB_ROOT/experiments/sampler.sh"
	# shellcheck source=experiments/sweep-lib.sh
	source "$TB_ROOT/experiments/sweep-lib.sh"
fi

usage() {
	cat <<'TXT'
usage: run-point.sh --point FILE --db PATH [--host-facts FILE] [--reuse-scenario]
                    [--scenario-dir DIR] [--prefix PREFIX]
Runs the point FILE (written by tb-sweep expand) and writes its runs row,
counters, samples and traffic rows into the results store PATH. Normally
called by ./testbed run or sweep.
  --host-facts FILE  key=value facts of the host the guest cannot see
                     (git_rev, host_cpu_model, host_cpus)
  --reuse-scenario   keep the namespaces and the VPN up after the run and,
                     when they are up with the same profile, only set the
                     ring and qdisc (bringing them up costs most of a minute
                     under TCG)
  --scenario-dir DIR where the scenario keeps its state (default /tmp/tb-scenario)
  --prefix PREFIX    namespace prefix (default tbr-)
TXT
}

point_file='' db='' facts_file='' reuse=0 scenario_dir=/tmp/tb-scenario prefix=tbr-
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--reuse-scenario) reuse=1; shift; continue ;;
	esac
	[ $# -ge 2 ] || tb_usage_die "run-point: $1 needs a value"
	case "$1" in
	--point) point_file=$2 ;;
	--db) db=$2 ;;
	--host-facts) facts_file=$2 ;;
	--scenario-dir) scenario_dir=$2 ;;
	--prefix) prefix=$2 ;;
	*) tb_usage_die "run-point: unknown option '$1'" ;;
	esac
	shift 2
done
[ -n "$point_file" ] || tb_usage_die "run-point: --point is required"
[ -n "$db" ] || tb_usage_die "run-point: --db is required"
tb_require_root "a run"
# Where a run's time goes: each phase() closes the interval since the
# previous mark; the last line of the run lists them (bench/run-overhead.sh
# reads them from a sweep's log).
# Microseconds from EPOCHREALTIME, in bash alone (a process costs ~0.3 s
# under TCG, more than some phases).
now_us() { local t=$EPOCHREALTIME; now_us_v=$((10#${t/./})); }
now_us
phase_mark=$now_us_v phase_times=()
phase() {
	local d entry
	now_us
	d=$(((now_us_v - phase_mark + 5000) / 10000)) # centiseconds
	printf -v entry '%s %d.%02d s' "$1" $((d / 100)) $((d % 100))
	phase_times+=("$entry")
	phase_mark=$now_us_v
}
tb_point_load "$point_file"
ring=${point[ring]} qdisc=${point[qdisc]} profile=${point[profile]} traffic=${point[traffic]}
duration=${point[duration]} sndbuf=${point[sndbuf]}
vpn_name=${point[vpn]} # as messages name it
case "${point[vpn]}" in
openvpn) vpn_name=OpenVPN ;;
wireguard-go) ;;
*) tb_die "run-point: vpn '${point[vpn]}' is not supported (openvpn or wireguard-go)" ;;
esac
declare -A facts=()
if [ -n "$facts_file" ]; then
	while IFS='=' read -r k v; do facts[$k]=$v; done <"$facts_file"
fi

bin=$TB_BUILD
tbdb=$bin/lib/tb-db
video_port=5004 tcp_port=5201

# Every program started in the TCG guest costs about half a second (loading
# it over 9p): this script uses shell builtins where it can, and caches what
# does not change within a boot.
# ns_now: the wall clock in ns, set without a subshell (a fork each)
now_ns() { local t=$EPOCHREALTIME; ns_now=${t/./}000; }
# host_cpu_read VAR: VAR = the host's CPU line vm.sh keeps in the guest's
# out dir (vm/README.md), "" outside a guest or when it cannot be read.
host_cpu_read() {
	local f=${TB_VM_OUT:-}/.vm-run/host-cpu
	printf -v "$1" '%s' ''
	[ -n "${TB_VM_OUT:-}" ] && [ -r "$f" ] || return 0
	read -r "$1" <"$f" || printf -v "$1" '%s' ''
}
# json_str VAR TEXT: VAR = TEXT as a JSON string (no subshell)
json_str() { local v=${2//\\/\\\\}; printf -v "$1" '"%s"' "${v//\"/\\\"}"; }

work=/tmp/tb-run-$BASHPID-$RANDOM # BASHPID: the subshell a sweep runs it in
mkdir -p "$work"
: >"$work/recv.txt"
: >"$work/samples.txt"
TB_SCENARIO_PREFIX=$prefix TB_SCENARIO_DIR=$scenario_dir
TB_SCENARIO_PROFILE=$profile TB_SCENARIO_RING=$ring TB_SCENARIO_QDISC=$qdisc
TB_SCENARIO_FLAG=${point[flag]} TB_SCENARIO_VPN=${point[vpn]}
tb_scenario_init
robot=${prefix}robot operator=${prefix}operator

bg_pids=()
finished=0 run_id='' fail_reason=''
# run_fail REASON: the run cannot give a result; its row is kept as failed
# with the reason (never summarised) and the sweep goes on.
run_fail() {
	fail_reason=$1
	tb_die "$1"
}
cleanup() {
	local p
	if [ -n "$run_id" ] && [ "$finished" -eq 0 ]; then
		now_ns
		"$tbdb" run-set "$db" "$run_id" status=failed ended_ns="$ns_now" \
			fail_reason="${fail_reason:-interrupted (signal or error; see the log)}" >/dev/null 2>&1 || true
	fi
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	# A failed run leaves nothing behind for the next one to trip over.
	if [ "$reuse" -eq 0 ] || [ "$finished" -eq 0 ]; then tb_scenario_down >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# knob[KEY]: the scenario's knobs.env, read by bash alone (a $(...) per key
# is a fork each, tens of ms under TCG).
declare -A knob=()
load_knobs() {
	local line
	knob=()
	[ -f "$TB_SCENARIO_STATE/knobs.env" ] || return 0
	while IFS= read -r line; do knob[${line%%=*}]=${line#*=}; done <"$TB_SCENARIO_STATE/knobs.env"
}
load_knobs
# The flag is set when the VPN creates the TUN: a new flag (or VPN) needs a
# new scenario.
if [ "$reuse" -eq 1 ] && [ "${knob[profile]:-}" = "$profile" ] &&
	[ "${knob[flag]:-}" = "${point[flag]}" ] && [ "${knob[vpn]:-}" = "${point[vpn]}" ] &&
	tb_scenario_alive; then
	tb_scenario_set_tun "$ring" "$qdisc"
	tb_log "scenario '$prefix' reused: profile $profile, ring $ring, qdisc '$qdisc'"
else
	tb_scenario_down >/dev/null 2>&1 || true
	tb_scenario_up
fi
[ -f "$TB_SCENARIO_STATE/knobs.env" ] || tb_die "the scenario wrote no knobs.env"
load_knobs
[ "${knob[ring]:-}" = "$ring" ] ||
	tb_die "run-point: the tun's ring reads ${knob[ring]:-nothing}, not $ring"
phase scenario

# --- the runs row: the point's settings and the environment -----------------
read -r release </proc/sys/kernel/osrelease
# The guest's kernel as vm.sh booted it (variant, patch hash, accel); on the
# host (./testbed run --host) the running kernel, unpatched.
declare -A vm=([variant]=host [accel]=none [patch_hash]='' [image_key]='' [kernel_path]=host
	[kernel_image]="host $release" [module_sha256]='')
if [ -n "${TB_VM_OUT:-}" ]; then
	while IFS='=' read -r k v; do vm[$k]=$v; done <"$TB_VM_OUT/vm.env"
fi
# On the module path the variant is the tun.ko loaded now (kernel/tun-switch.sh
# may have replaced the one the guest booted with): its own parameters, and
# its build's info for the file's hash and cache key.
if [ "${vm[kernel_path]}" = modules ]; then
	read -r 'vm[variant]' </sys/module/tun/parameters/tb_variant
	read -r 'vm[patch_hash]' </sys/module/tun/parameters/tb_patch_hash
	while read -r v d; do
		[ "$v" = "${vm[variant]}" ] || continue
		while IFS='=' read -r k val; do
			case "$k" in module_sha256) vm[module_sha256]=$val ;; key) vm[image_key]=$val ;; esac
		done <"$d/info"
	done <"$TB_VM_OUT/.vm-run/modules"
fi
[ "${vm[variant]}" = "${point[kernel]}" ] ||
	tb_die "run-point: the point is for kernel '${point[kernel]}' but this is '${vm[variant]}'"
# Facts that do not change within a boot, computed once.
env_file=$scenario_dir/env-${vm[variant]}.json
if [ ! -s "$env_file" ]; then
	mkdir -p "$scenario_dir"
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
	jq -cn --arg release "$release" --arg variant "${vm[variant]}" --arg accel "${vm[accel]}" \
		--arg image_key "${vm[image_key]}" --arg patch_hash "${vm[patch_hash]}" \
		--arg kernel_path "${vm[kernel_path]}" --arg kernel_image "${vm[kernel_image]}" \
		--arg module_sha256 "${vm[module_sha256]}" \
		--arg openvpn "$(openvpn --version | awk 'NR == 1 { print $2 }')" \
		--arg wireguard_go "$(_tb_scenario_wg_version)" \
		--arg iperf3 "$(iperf3 --version 2>&1 | awk 'NR == 1 { print $2 }')" \
		--arg cpu "$cpu" --arg ncpu "$(nproc)" \
		--arg host_cpu "${facts[host_cpu_model]:-$cpu}" --arg host_ncpu "${facts[host_cpus]:-$(nproc)}" \
		'{kernel_release: $release, kernel: $variant, accel: $accel, image_key: $image_key,
		  patch_hash: $patch_hash, kernel_path: $kernel_path, kernel_image: $kernel_image,
		  module_sha256: $module_sha256, openvpn: $openvpn, wireguard_go: $wireguard_go, iperf3: $iperf3, cpu_model: $cpu,
		  cpus: ($ncpu | tonumber), host_cpu_model: $host_cpu, host_cpus: ($host_ncpu | tonumber)}' >"$env_file"
fi
profile_file=$scenario_dir/profile-$profile.json
[ -s "$profile_file" ] || "$bin/netem-profiles/tb-profile" show --json "$(tb_scenario_profile_path "$profile")" >"$profile_file"
# What the scenario read back from the kernel and OpenVPN, beside the
# settings: the profile's values and the tunnel's parameters.
j_cipher="" j_tls="" j_mtu=""
json_str j_cipher "${knob[vpn_cipher]:-}"
json_str j_tls "${knob[vpn_tls]:-}"
json_str j_mtu "${knob[vpn_tun_mtu]:-}"
printf -v knobs_json '{"profile_values":%s,"vpn_cipher":%s,"vpn_tls":%s,"vpn_tun_mtu":%s}' \
	"$(<"$profile_file")" "$j_cipher" "$j_tls" "$j_mtu"

now_ns
run_id=$("$tbdb" run-new "$db" --point "$point_file" kind="$traffic" kernel_release="$release" \
	patch_hash="${vm[patch_hash]}" accel="${vm[accel]}" qdisc_kind="${knob[qdisc_kind]:-}" \
	qdisc_limit="${knob[qdisc_limit]:-}" qdisc_applied="${knob[qdisc_applied]:-}" \
	flag_applied="${knob[flag_applied]:-}" \
	git_rev="${facts[git_rev]:-unknown}" knobs_json="$knobs_json" env_json="$(<"$env_file")" \
	started_ns="$ns_now" status=running)
phase row

# --- traffic ------------------------------------------------------------------
dst=$TB_SCENARIO_OPERATOR_TUN_ADDR
# A pause without a process: read with a timeout on a pipe nobody writes.
exec {nap_fd}<> <(:)
nap() { read -r -t "$1" -u "$nap_fd" _ || true; }
# wait_listening PID PROTO PORT: PID's socket table (/proc/PID/net is that
# process's namespace) has PORT bound (udp) or listening (tcp, state 0A).
# Read with bash alone: 'ip netns exec ss' cost a second a poll under TCG.
wait_listening() {
	local i f addr st want state
	printf -v want ':%04X' "$3"
	state='07' # UDP sockets sit in TCP_CLOSE (7)
	[ "$2" = tcp ] && state='0A'
	for ((i = 0; i < 200; i++)); do
		for f in "/proc/$1/net/$2" "/proc/$1/net/${2}6"; do
			while read -r _ addr _ st _; do
				[ "${addr: -5}" = "$want" ] && [ "$st" = "$state" ] && return 0
			done <"$f" 2>/dev/null || true
		done
		kill -0 "$1" 2>/dev/null || run_fail "the $2 server on port $3 exited before it listened"
		nap 0.05
	done
	run_fail "nothing listens on $2 port $3 (pid $1)"
}

# The traffic's deadline, from the start of its window: twice its duration
# and 30 s more (4 cameras took 1.8 times their duration under TCG on a busy
# host), well inside the sweep's stall check (3 x (duration + overhead) + 120 s).
# A sender still running then is stuck: the patched kernel's queue can stop
# and never be woken (kernel/tunflood/flood_expect.c), and a blocking send
# waits for it forever. The run fails saying so, and the guest goes on.
# TB_TEST_TRAFFIC_DEADLINE=S (tests only): S seconds instead, so that a
# normal run overruns it.
traffic_deadline_s=0
traffic_deadline_us=0
# await PID WHAT: wait for PID (its status, like wait), or at the deadline
# fail the run naming WHAT and the robot's TUN qdisc backlog.
# The guest's clock can jump: under TCG it follows the host's TSC, which
# jumped 5.4 days when the machine running QEMU was paused and resumed (a VM
# snapshot). That would pass the deadline at once and blame the queue, so
# more than 10 s forward (or 1 s back) between two looks 0.2 s apart fails
# the run as a jump. TB_TEST_CLOCK_JUMP=S (tests only): the clock seen here
# jumps S seconds forward after the first look.
await() {
	local now backlog prev=${EPOCHREALTIME//[!0-9]/} skew=0
	while kill -0 "$1" 2>/dev/null; do
		now=$((${EPOCHREALTIME//[!0-9]/} + skew))
		if [ $((now - prev)) -gt 10000000 ] || [ $((prev - now)) -gt 1000000 ]; then
			kill -9 "${send_pids[@]}" ${iperf_pid:+"$iperf_pid"} 2>/dev/null || true
			run_fail "the guest's clock jumped $(((now - prev) / 1000000)) s during the traffic (was the host paused or moved?): its rates and times would be wrong"
		fi
		prev=$now
		skew=$((${TB_TEST_CLOCK_JUMP:-0} * 1000000))
		if [ "$now" -ge "$traffic_deadline_us" ]; then
			backlog=$(ip netns exec "$robot" tc -s qdisc show dev "$TB_SCENARIO_ROBOT_TUN" 2>/dev/null |
				sed -n 's/^ *backlog \([0-9]*[KMG]*b\) \([0-9]*\)p.*/\2 packets (\1)/p' | head -n1)
			kill -9 "${send_pids[@]}" ${iperf_pid:+"$iperf_pid"} 2>/dev/null || true
			run_fail "the traffic did not end by its deadline ($traffic_deadline_s s after it started): $2 was still running; the robot's TUN qdisc held ${backlog:-an unknown backlog} (a stopped queue nobody woke?)"
		fi
		nap 0.2
	done
	wait "$1"
}

tb_counters_snapshot() {
	# one process (tb-netcounters) when built; already sorted
	tb_scenario_counters --vpn-socket-drops >"$work/$1.kv"
}
# tb-send's refusals with ENETDOWN: a stopped queue without a qdisc, which
# the core also counts in the tun's tx_dropped; kept apart so the ring's own
# drops are counted once (analysis/views.sql).
sender_counters() { # sender_counters BEFORE|AFTER
	local enetdown=0
	local f
	for f in "$work"/send.txt "$work"/send-*.txt; do # every camera's tb-send
		if [ "$1" = after ] && [ -f "$f" ] && [[ $(<"$f") =~ \ enetdown=([0-9]+) ]]; then
			enetdown=$((enetdown + BASH_REMATCH[1]))
		fi
	done
	echo "sender.enetdown=$enetdown" >>"$work/$1.kv"
}
# The processes on the data path, "ROLE PID", for the sampler's per-process
# CPU shares (the validity rule judges each of them).
pids_file=$work/pids
printf '%s-robot %s\n%s-operator %s\n' "${point[vpn]}" "$(tb_scenario_vpn_pid robot)" \
	"${point[vpn]}" "$(tb_scenario_vpn_pid operator)" >"$pids_file"

recv_pids=() send_pids=() iperf_pid=''
# Cameras (point cameras, 1 when it has none): camera K sends to
# video_port + K with tb-send --stream K, its own tb-recv --stream K listens
# there. Camera 0 keeps the names a run had before there were cameras
# (tb-send, send.txt, ...); camera K > 0 is tb-send.K, send-K.txt, ...
cameras=${point[cameras]:-1}
camera_role() { if [ "$2" -eq 0 ]; then printf '%s' "$1"; else printf '%s.%d' "$1" "$2"; fi; }
camera_out() { if [ "$2" -eq 0 ]; then printf '%s/%s' "$work" "$1"; else printf '%s/%s-%d' "$work" "$1" "$2"; fi; }
if [ "$traffic" != tcp ]; then
	# Decoding 720p H.264 under TCG costs most of a vCPU and would make the
	# receiver compete with OpenVPN: with decode = off frames are judged by
	# the reference-chain rule only. dump_frames keeps the decoded pictures
	# of those frames (PNG, in frame_images), to show what a viewer saw.
	decode=(--no-decode)
	[ "${point[decode]}" = on ] && decode=()
	mkdir -p "$work/png"
	if [ -n "${point[dump_frames]}" ]; then
		decode=(--dump-png "$work/png" --dump-frames "${point[dump_frames]}")
	fi
	for ((k = 0; k < cameras; k++)); do
		# It ends once its sender's summary (written as the sender exits)
		# names the frames sent and they are all finished, else 1.5 s after
		# the last packet (frames lost at the very end).
		ip netns exec "$operator" "$bin/receiver/tb-recv" --listen "$dst:$((video_port + k))" --stream "$k" \
			--db "$db" --run-id "$run_id" --sender-summary "$(camera_out send "$k").txt" --idle 1.5 \
			--duration $((duration + 30)) "${decode[@]}" \
			>"$(camera_out recv "$k").txt" 2>"$(camera_out recv "$k").err" &
		recv_pids+=("$!")
		bg_pids+=("$!")
		echo "$(camera_role tb-recv "$k") $!" >>"$pids_file"
	done
fi
if [ "$traffic" != video ]; then
	ip netns exec "$operator" iperf3 -s -1 -B "$dst" -p "$tcp_port" --json >"$work/iperf-server.json" 2>&1 &
	server_pid=$!
	bg_pids+=("$server_pid")
	echo "iperf3-server $server_pid" >>"$pids_file"
fi
# While the listeners load (a second or so under TCG, on the other vCPU):
# the counters before (no traffic yet) and the sampler.
tb_counters_snapshot before
sender_counters before
# The kernel's taint: a fault (oops, warning) before or during the traffic
# makes the run invalid (lib/validity.c).
read -r taint_before </proc/sys/kernel/tainted
sampler_start "$work/samples.txt" "$robot" "$TB_SCENARIO_ROBOT_TUN" "$pids_file"
bg_pids+=("$SAMPLER_PID")
for ((k = 0; k < ${#recv_pids[@]}; k++)); do wait_listening "${recv_pids[k]}" udp $((video_port + k)); done
[ "$traffic" = video ] || wait_listening "$server_pid" tcp "$tcp_port"
# The traffic window: the validity rule judges the samples inside it only
# (not tb-recv's idle tail, nor the set-up before).
phase prepare
now_ns
window_start=$ns_now
traffic_deadline_s=${TB_TEST_TRAFFIC_DEADLINE:-$((2 * duration + 30))}
traffic_deadline_us=$((window_start / 1000 + traffic_deadline_s * 1000000))
host_cpu_read host_cpu_before
if [ "$traffic" != video ]; then
	# The first tcp_omit seconds (slow start) run before the measured
	# duration and are left out of iperf3's summary.
	ip netns exec "$robot" iperf3 -c "$dst" -p "$tcp_port" -t "$duration" -O "${point[tcp_omit]}" -i 1 --json \
		>"$work/iperf.json" 2>"$work/iperf.err" &
	iperf_pid=$!
	bg_pids+=("$iperf_pid")
	echo "iperf3-client $iperf_pid" >>"$pids_file"
fi
if [ "$traffic" != tcp ]; then
	send_args=(--clip "${point[clip]}" --duration "$duration" --pace "${point[pace]}" --db "$db" --run-id "$run_id")
	[ "$sndbuf" = 0 ] || send_args+=(--sndbuf "$sndbuf")
	if [ "$cameras" -gt 1 ]; then
		# A robot's encoders start together: every camera's first frame (an
		# IDR) is due at one instant and each loops the same clip, so their
		# keyframes leave together. The instant lies ahead by what starting
		# the senders costs (ip and tb-send, about half a second a program
		# under TCG, all of them on the guest's vCPUs at once) and begins
		# the window the validity rule judges (video only: a mixed run's
		# iperf3 started before). A sender not asleep by then would send
		# its first frames in a burst: the run fails (below).
		now_ns
		start_at=$((ns_now + 1000000000 + 600000000 * cameras))
		send_args+=(--start-at "$start_at")
		[ "$traffic" != video ] || window_start=$start_at
	fi
	send_pids=()
	for ((k = 0; k < cameras; k++)); do
		ip netns exec "$robot" "$bin/sender/tb-send" "${send_args[@]}" --dest "$dst:$((video_port + k))" \
			--stream "$k" >"$(camera_out send "$k").txt" 2>"$(camera_out send "$k").err" &
		send_pids+=("$!")
		echo "$(camera_role tb-send "$k") $!" >>"$pids_file"
	done
	for ((k = 0; k < cameras; k++)); do
		await "${send_pids[k]}" "tb-send of camera $k" ||
			{ cat "$(camera_out send "$k").err" >&2; run_fail "tb-send of camera $k failed"; }
		if [[ $(<"$(camera_out send "$k").txt") =~ \ start_missed_us=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]; then
			run_fail "camera $k's tb-send was ready $((BASH_REMATCH[1] / 1000)) ms after the cameras' common start (keyframes not aligned): starting the senders took longer than run-point.sh allows"
		fi
	done
fi
if [ -n "$iperf_pid" ]; then
	await "$iperf_pid" "iperf3's client" || { cat "$work/iperf.err" "$work/iperf.json" >&2; run_fail "iperf3 failed"; }
fi
now_ns
window_end=$ns_now
host_cpu_read host_cpu_after
phase traffic
# Both ends of the tunnel must have lived through the traffic: a VPN that
# died mid-run turns the run's loss into an artefact of the testbed.
for role in robot operator; do
	[ -d "/proc/$(tb_scenario_vpn_pid "$role" || echo 0)" ] ||
		run_fail "the $role's ${vpn_name} exited during the run"
done
for k in "${!recv_pids[@]}"; do
	wait "${recv_pids[k]}" || { cat "$(camera_out recv "$k").err" >&2; run_fail "tb-recv of camera $k failed"; }
done
phase drain
sampler_stop
tb_counters_snapshot after
sender_counters after
read -r taint_after </proc/sys/kernel/tainted

# --- store counters, samples, receiver totals, TCP results, validity --------
phase counters
finish_args=(--before "$work/before.kv" --after "$work/after.kv" --samples "$work/samples.txt"
	--window "$window_start" "$window_end" --taint "$taint_before" "$taint_after")
[ -z "$host_cpu_before" ] || [ -z "$host_cpu_after" ] ||
	finish_args+=(--host-cpu "$host_cpu_before" "$host_cpu_after")
for k in "${!recv_pids[@]}"; do finish_args+=(--receiver "$(camera_out recv "$k").txt"); done
[ "$traffic" = tcp ] || finish_args+=(--images "$work/png")
[ "$traffic" = video ] || finish_args+=(--iperf "$work/iperf.json")
"$tbdb" finish "$db" "$run_id" "${finish_args[@]}" || run_fail "storing the run's results failed"
finished=1
phase store
views=(--views "$TB_ROOT/analysis/views.sql")
"$tbdb" query "$db" "${views[@]}" "SELECT '  result: ' || coalesce((SELECT printf(
    'sent %d received %d | ring %d qdisc %d socket %d wan %d vpn %d receiver %d | unexplained %d',
    sent, received, ring_drops, qdisc_drops, socket_drops, wan_drops, vpn_drops, receiver_drops, unexplained)
    FROM run_attribution WHERE run_id = $run_id), 'no video attribution')
  || printf('; cpu %.1f%%, busiest vCPU %.1f%%', cpu_busy_pct, cpu_max_busy_pct)
  || coalesce('; saturated: ' || saturated, '')
  || CASE WHEN valid = 0 THEN '; INVALID: ' || invalid_reason
          WHEN valid IS NULL THEN '; validity ' || coalesce(invalid_reason, 'unknown') ELSE '' END
  FROM runs WHERE id = $run_id"
if [ "$traffic" != video ]; then
	"$tbdb" query "$db" "SELECT printf('  tcp: %.2f Mbit/s received, %d retransmits', receiver_bps / 1e6,
	  retransmits) FROM tcp_results WHERE run_id = $run_id"
fi
phase report
printf -v line ' %s,' "${phase_times[@]}"
echo "  time:${line%,}"
