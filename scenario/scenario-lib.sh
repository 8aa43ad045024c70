# shellcheck shell=bash
# The scenario of one run: three network namespaces joined by veth pairs,
#
#   PREFIXrobot                    PREFIXwan                       PREFIXoperator
#   tbtun0 198.18.100.2            (ip_forward)                    tbtun1 198.18.100.1
#   veth-wan 198.18.1.2 ==== veth-rb 198.18.1.1   veth-op 198.18.2.1 ==== veth-wan 198.18.2.2
#                            netem "down" egress  netem "up" egress
#
# with a user-space VPN over UDP from the robot to the operator
# (198.18.2.2:1194): OpenVPN (robot TLS client, operator TLS server) or
# wireguard-go (the robot the initiating peer; scenario/wireguard.sh). A WAN profile (netem-profiles/NAME.profile) is
# applied per direction on the wan namespace's veths; the robot's tun gets the
# run's ring size (txqueuelen) and qdisc. Everything is recorded in the state
# directory (DIR/scenario-PREFIX/knobs.env, profile.json, logs).
#
# The library behind './testbed scenario' (scenario/scenario.sh) and the run
# driver. Source it, then set the settings below that differ from their
# defaults (TB_SCENARIO_PREFIX, _DIR, _PROFILE, _RING, _QDISC, _CIPHER,
# _TIMEOUT), call tb_scenario_init, then tb_scenario_up, tb_scenario_set_tun,
# tb_scenario_knob, tb_scenario_counters, tb_scenario_status, tb_scenario_down.

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=scenario/pki.sh
source "$TB_ROOT/scenario/pki.sh"
# shellcheck source=scenario/counters.sh
source "$TB_ROOT/scenario/counters.sh"
# shellcheck source=scenario/wireguard.sh
source "$TB_ROOT/scenario/wireguard.sh"

# Fixed names and addresses (198.18.0.0/15 is the benchmarking range).
TB_SCENARIO_ROBOT_TUN=tbtun0
TB_SCENARIO_OPERATOR_TUN=tbtun1
TB_SCENARIO_WAN_UP_DEV=veth-op   # egress robot->operator: the "up" profile direction
TB_SCENARIO_WAN_DOWN_DEV=veth-rb # egress operator->robot: "down"
TB_SCENARIO_ROBOT_ADDR=198.18.1.2
TB_SCENARIO_WAN_ROBOT_ADDR=198.18.1.1
TB_SCENARIO_WAN_OPERATOR_ADDR=198.18.2.1
TB_SCENARIO_OPERATOR_ADDR=198.18.2.2
TB_SCENARIO_ROBOT_TUN_ADDR=198.18.100.2
TB_SCENARIO_OPERATOR_TUN_ADDR=198.18.100.1
TB_SCENARIO_VPN_PORT=1194
# Fixed MAC addresses and permanent neighbour entries on every veth hop: no
# ARP packet ever joins the video in a veth's or netem's packet counters,
# so each hop's count is the VPN's datagrams alone (the attribution counts
# every place from its own counter and compares them).
TB_SCENARIO_ROBOT_MAC=02:00:c6:12:01:02
TB_SCENARIO_WAN_ROBOT_MAC=02:00:c6:12:01:01
TB_SCENARIO_WAN_OPERATOR_MAC=02:00:c6:12:02:01
TB_SCENARIO_OPERATOR_MAC=02:00:c6:12:02:02
# Largest inner packet whose OpenVPN datagram still fits the 1500-byte veth
# MTU without IP fragmentation: 1500 - 20 (IPv4) - 8 (UDP) - 24 (data channel
# with an AEAD cipher: opcode + peer-id 4, packet-id 4, tag 16) = 1448.
TB_SCENARIO_TUN_MTU=1448
# wireguard-go: 1500 - 20 (IPv4) - 8 (UDP) - 32 (data message: type 4,
# receiver index 4, counter 8, tag 16) = 1440. It pads the inner packet to
# a multiple of 16 bytes but never past the MTU; 1440 = 90 x 16, so the
# largest padded packet is exactly 1500 bytes outside.
TB_SCENARIO_WG_TUN_MTU=1440

# The settings, with their defaults: assigned here, not read from the
# environment (the caller sets them after sourcing this file).
TB_SCENARIO_PREFIX=tb-
# in the testbed VM the host's / (and so TB_CACHE) is read-only: default to
# the VM's writable results share there
TB_SCENARIO_DIR=${TB_VM_OUT:-$TB_CACHE}/scenario
TB_SCENARIO_PROFILE=lan
TB_SCENARIO_RING=500
TB_SCENARIO_QDISC=pfifo_fast
# on: the robot's OpenVPN runs under tools/preload (LD_PRELOAD), which asks
# for IFF_BACKPRESSURE when it creates the TUN, if the kernel offers it
TB_SCENARIO_FLAG=off
# openvpn | wireguard-go (the runs' vpn axis)
TB_SCENARIO_VPN=openvpn
TB_SCENARIO_PRELOAD=${TB_SCENARIO_PRELOAD:-$TB_BUILD/tools/preload/libtb-backpressure.so}
TB_SCENARIO_CIPHER=AES-256-GCM
# generous: a TCG guest on a loaded host needs minutes; a working tunnel
# returns as soon as it is up
TB_SCENARIO_TIMEOUT=300
# Paths and verbosity may come from the environment.
TB_PROFILE_BIN=${TB_PROFILE_BIN:-$TB_BUILD/netem-profiles/tb-profile}
TB_SCENARIO_QUIET=${TB_SCENARIO_QUIET:-0} # 1: no progress lines during 'up'

# tb_scenario_init: derive the state directory from prefix and campaign dir.
tb_scenario_init() {
	case "$TB_SCENARIO_PREFIX" in
	*[!A-Za-z0-9_-]* | "") tb_usage_die "prefix '$TB_SCENARIO_PREFIX': use letters, digits, - and _" ;;
	esac
	[ "${#TB_SCENARIO_PREFIX}" -le 20 ] || tb_usage_die "prefix '$TB_SCENARIO_PREFIX' is longer than 20 characters"
	TB_SCENARIO_STATE=$TB_SCENARIO_DIR/scenario-${TB_SCENARIO_PREFIX%-}
}

_tb_scenario_ns() { printf '%s%s\n' "$TB_SCENARIO_PREFIX" "$1"; }
_tb_scenario_in() { # _tb_scenario_in ROLE CMD...: run CMD in a role's namespace
	local ns
	ns=$(_tb_scenario_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}
_tb_scenario_ns_exists() { [ -e "/run/netns/$1" ]; } # where 'ip netns add' puts them
_tb_scenario_require_up() {
	_tb_scenario_ns_exists "$(_tb_scenario_ns robot)" || tb_die "no scenario with prefix '$TB_SCENARIO_PREFIX' is up"
}

# --- profiles and qdiscs ----------------------------------------------------

# tb_scenario_profile_path NAME|PATH: the profile file, or die listing the names.
tb_scenario_profile_path() {
	local p=$1
	case "$p" in
	*/* | *.profile) ;;
	*) p=$TB_ROOT/netem-profiles/$p.profile ;;
	esac
	if [ ! -f "$p" ]; then
		local names
		names=$(find "$TB_ROOT/netem-profiles" -maxdepth 1 -name '*.profile' -printf '%f\n' | sed 's/\.profile$//' | LC_ALL=C sort | tr '\n' ' ')
		tb_usage_die "no such profile '$1' (known: none ${names% })"
	fi
	printf '%s\n' "$p"
}

# _tb_scenario_qdisc_kind_ok ROLE KIND: can this kernel create qdisc KIND? Probed
# on the namespace's own loopback (no other device is touched), then removed.
_tb_scenario_qdisc_kind_ok() {
	local ns out
	ns=$(_tb_scenario_ns "$1")
	case "$2" in
	noqueue | pfifo_fast | pfifo | bfifo) return 0 ;; # built into every kernel
	esac
	local args=("$2")
	[ "$2" = netem ] && args=(netem delay 1ms)
	[ "$2" = tbf ] && args=(tbf rate 1mbit burst 10kb latency 50ms)
	if out=$(tc -n "$ns" qdisc add dev lo root handle 1: "${args[@]}" 2>&1); then
		tc -n "$ns" qdisc del dev lo root 2>/dev/null || true
		return 0
	fi
	case "$out" in
	*"qdisc kind is unknown"*) return 1 ;;
	esac
	tb_die "probing qdisc $2 failed unexpectedly: $out"
}

_tb_scenario_lacks() { # _tb_scenario_lacks KIND WHAT
	tb_die "this kernel ($(uname -r)) lacks sch_$1, which $2 needs; run inside the testbed VM (its kernel has netem, fq_codel, cake)"
}

# _tb_scenario_check_qdisc_spec SPEC: only kinds the testbed knows, no shell tricks.
_tb_scenario_check_qdisc_spec() {
	local spec=$1 kind
	case "$spec" in
	*[!A-Za-z0-9_.\ -]*) tb_usage_die "qdisc '$spec': only letters, digits, '.', '_', '-' and spaces" ;;
	esac
	kind=${spec%% *}
	case "$kind" in
	noqueue | pfifo_fast | pfifo | bfifo | fq_codel | cake | fq) ;;
	*) tb_usage_die "qdisc '$spec': kind '$kind' is not one of noqueue, pfifo_fast, pfifo, bfifo, fq_codel, cake, fq" ;;
	esac
}

# --- the steps of 'up' --------------------------------------------------------

# Few processes on purpose: under QEMU TCG every exec of a binary costs
# tens to hundreds of milliseconds, so each namespace is set up by one
# 'ip -batch' rather than a dozen 'ip' calls.
_tb_scenario_netns() {
	local role ns robot wan operator
	robot=$(_tb_scenario_ns robot) wan=$(_tb_scenario_ns wan) operator=$(_tb_scenario_ns operator)
	for ns in "$robot" "$wan" "$operator"; do
		! _tb_scenario_ns_exists "$ns" || tb_die "namespace $ns exists already: './testbed scenario down --prefix $TB_SCENARIO_PREFIX' first"
	done
	for role in robot wan operator; do
		ns=$(_tb_scenario_ns "$role")
		ip netns add "$ns"
		# No IPv6 (set before any veth arrives): router solicitations and
		# MLD reports would add packets of their own to the counters.
		# shellcheck disable=SC2016 # $1 belongs to the inner shell
		ip netns exec "$ns" sh -c 'for f in all default; do echo 1 >/proc/sys/net/ipv6/conf/$f/disable_ipv6; done
			[ "$1" = wan ] && echo 1 >/proc/sys/net/ipv4/ip_forward; exit 0' sh "$role"
	done
	ip -n "$robot" -batch - <<-EOF
		link set lo up
		link add name veth-wan address $TB_SCENARIO_ROBOT_MAC type veth peer name $TB_SCENARIO_WAN_DOWN_DEV address $TB_SCENARIO_WAN_ROBOT_MAC netns $wan
		addr add $TB_SCENARIO_ROBOT_ADDR/24 dev veth-wan
		link set veth-wan up
		neigh replace $TB_SCENARIO_WAN_ROBOT_ADDR lladdr $TB_SCENARIO_WAN_ROBOT_MAC dev veth-wan nud permanent
		route add default via $TB_SCENARIO_WAN_ROBOT_ADDR
	EOF
	ip -n "$operator" -batch - <<-EOF
		link set lo up
		link add name veth-wan address $TB_SCENARIO_OPERATOR_MAC type veth peer name $TB_SCENARIO_WAN_UP_DEV address $TB_SCENARIO_WAN_OPERATOR_MAC netns $wan
		addr add $TB_SCENARIO_OPERATOR_ADDR/24 dev veth-wan
		link set veth-wan up
		neigh replace $TB_SCENARIO_WAN_OPERATOR_ADDR lladdr $TB_SCENARIO_WAN_OPERATOR_MAC dev veth-wan nud permanent
		route add default via $TB_SCENARIO_WAN_OPERATOR_ADDR
	EOF
	ip -n "$wan" -batch - <<-EOF
		link set lo up
		addr add $TB_SCENARIO_WAN_ROBOT_ADDR/24 dev $TB_SCENARIO_WAN_DOWN_DEV
		addr add $TB_SCENARIO_WAN_OPERATOR_ADDR/24 dev $TB_SCENARIO_WAN_UP_DEV
		link set $TB_SCENARIO_WAN_DOWN_DEV up
		link set $TB_SCENARIO_WAN_UP_DEV up
		neigh replace $TB_SCENARIO_ROBOT_ADDR lladdr $TB_SCENARIO_ROBOT_MAC dev $TB_SCENARIO_WAN_DOWN_DEV nud permanent
		neigh replace $TB_SCENARIO_OPERATOR_ADDR lladdr $TB_SCENARIO_OPERATOR_MAC dev $TB_SCENARIO_WAN_UP_DEV nud permanent
	EOF
}

# _tb_scenario_profile_lines FILE: "DIR DEV tc-args..." for each active direction.
_tb_scenario_profile_lines() {
	local file=$1 dir dev line
	[ -x "$TB_PROFILE_BIN" ] || tb_die "tb-profile not found at $TB_PROFILE_BIN: build first (./testbed build) or set TB_PROFILE_BIN"
	for dir in up down; do
		dev=$TB_SCENARIO_WAN_UP_DEV
		[ "$dir" = down ] && dev=$TB_SCENARIO_WAN_DOWN_DEV
		line=$("$TB_PROFILE_BIN" tc "$file" --dir "$dir" --dev "$dev") || tb_die "profile $file is invalid (see above)"
		[ -z "$line" ] || printf '%s %s\n' "$dir" "$line"
	done
}

# _tb_scenario_apply_profile: netem on the wan veths, or nothing for 'none' and
# profiles without impairment. Fails before OpenVPN starts if the kernel
# lacks netem.
_tb_scenario_apply_profile() {
	local wan file lines dir args
	wan=$(_tb_scenario_ns wan)
	if [ "$TB_SCENARIO_PROFILE" = none ]; then
		echo '{"name":"none"}' >"$TB_SCENARIO_STATE/profile.json"
		return 0
	fi
	file=$(tb_scenario_profile_path "$TB_SCENARIO_PROFILE")
	lines=$(_tb_scenario_profile_lines "$file")
	"$TB_PROFILE_BIN" show "$file" --json >"$TB_SCENARIO_STATE/profile.json"
	if [ -n "$lines" ] && ! _tb_scenario_qdisc_kind_ok wan netem; then
		_tb_scenario_lacks netem "profile '$TB_SCENARIO_PROFILE'"
	fi
	while read -r dir args; do
		[ -n "$dir" ] || continue
		# shellcheck disable=SC2086 # tb-profile prints plain words, split on purpose
		tc -n "$wan" $args || tb_die "applying profile $TB_SCENARIO_PROFILE ($dir): tc $args failed"
	done <<<"$lines"
}

_tb_scenario_openvpn() { # _tb_scenario_openvpn ROLE: start OpenVPN as a daemon in ROLE's netns
	local role=$1 pki=$TB_SCENARIO_DIR/pki st=$TB_SCENARIO_STATE
	local common=(
		--daemon "tb-openvpn-$role" --writepid "$st/openvpn-$role.pid"
		--log "$st/openvpn-$role.log" --status "$st/openvpn-$role.status" 1 --verb 3
		--dev-type tun --proto udp4 --tun-mtu "$TB_SCENARIO_TUN_MTU"
		--ca "$pki/ca.crt" --tls-crypt "$pki/tls-crypt.key"
		--data-ciphers "$TB_SCENARIO_CIPHER" --tls-version-min 1.2 --allow-compression no
		# no key renegotiation during a campaign: a rekey mid-run would be
		# a disturbance of its own
		--reneg-sec 0
		# 4 MiB socket buffers (capped by net.core.[rw]mem_max, which the
		# guest raises): under TCG a default-sized receive buffer of the
		# operator's outer socket overflows during I-frame bursts, a loss
		# inside the VPN that is not what the testbed studies
		--rcvbuf 4194304 --sndbuf 4194304
	)
	if [ "$role" = operator ]; then
		_tb_scenario_in operator openvpn "${common[@]}" --dev "$TB_SCENARIO_OPERATOR_TUN" \
			--tls-server --dh none --cert "$pki/server.crt" --key "$pki/server.key" \
			--remote-cert-tls client --verify-x509-name tb-client name \
			--local "$TB_SCENARIO_OPERATOR_ADDR" --lport "$TB_SCENARIO_VPN_PORT" \
			--ifconfig "$TB_SCENARIO_OPERATOR_TUN_ADDR" "$TB_SCENARIO_ROBOT_TUN_ADDR"
	else
		local preload=()
		[ "$TB_SCENARIO_FLAG" = off ] || preload=(env "LD_PRELOAD=$TB_SCENARIO_PRELOAD")
		_tb_scenario_in robot "${preload[@]}" openvpn "${common[@]}" --dev "$TB_SCENARIO_ROBOT_TUN" \
			--tls-client --cert "$pki/client.crt" --key "$pki/client.key" \
			--remote-cert-tls server --verify-x509-name tb-server name \
			--remote "$TB_SCENARIO_OPERATOR_ADDR" "$TB_SCENARIO_VPN_PORT" --nobind \
			--ifconfig "$TB_SCENARIO_ROBOT_TUN_ADDR" "$TB_SCENARIO_OPERATOR_TUN_ADDR"
	fi
	# --daemon returns before the daemon has written its pid file
	local _
	for _ in $(seq 1 100); do
		tb_scenario_vpn_pid "$role" >/dev/null && return 0
		sleep 0.05
	done
	_tb_scenario_log_tails
	tb_die "OpenVPN ($role) did not start (no pid file after 5 s)"
}

# tb_scenario_vpn_pid ROLE: the pid of ROLE's VPN process (OpenVPN or
# wireguard-go, whichever the scenario started) if it runs.
tb_scenario_vpn_pid() {
	local vpn f pid comm
	for vpn in openvpn wireguard-go; do
		f=$TB_SCENARIO_STATE/$vpn-$1.pid comm=
		[ -s "$f" ] || continue
		read -r pid <"$f" || continue
		{ read -r comm <"/proc/$pid/comm"; } 2>/dev/null || continue
		[ "$comm" = "$vpn" ] || continue
		echo "$pid"
		return 0
	done
	return 1
}

_tb_scenario_log_tails() {
	local role log
	for role in operator robot; do
		log=$TB_SCENARIO_STATE/$TB_SCENARIO_VPN-$role.log
		[ -s "$log" ] || { echo "--- $log: empty or missing" >&2; continue; }
		# the first complaint explains more than the retries after it
		echo "--- first errors in $log:" >&2
		grep -iE 'verify|error|fatal|exiting|failed|refused' "$log" | head -n 5 >&2 || echo "(none)" >&2
		echo "--- last lines of $log:" >&2
		tail -n 10 "$log" >&2
	done
}

# _tb_scenario_wait_tunnel: poll until the robot reaches the operator through the
# tunnel, or fail with both logs' tails after TB_SCENARIO_TIMEOUT seconds.
_tb_scenario_wait_tunnel() {
	local deadline=$((SECONDS + TB_SCENARIO_TIMEOUT)) role log=$TB_SCENARIO_STATE/openvpn-robot.log
	while [ "$SECONDS" -lt "$deadline" ]; do
		for role in operator robot; do
			if ! tb_scenario_vpn_pid "$role" >/dev/null; then
				_tb_scenario_log_tails
				tb_die "$TB_SCENARIO_VPN ($role) exited while the tunnel was coming up"
			fi
		done
		# cheap check first (no process): OpenVPN's client log says it is
		# up; wireguard-go has no such line, its handshake is the ping's
		if { [ "$TB_SCENARIO_VPN" != openvpn ] || [[ "$(<"$log")" == *"Initialization Sequence Completed"* ]]; } &&
			_tb_scenario_in robot ping -n -q -c 1 -W 1 "$TB_SCENARIO_OPERATOR_TUN_ADDR" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	_tb_scenario_log_tails
	tb_die "the tunnel did not come up within ${TB_SCENARIO_TIMEOUT}s ($TB_SCENARIO_VPN; robot could not ping $TB_SCENARIO_OPERATOR_TUN_ADDR through $TB_SCENARIO_ROBOT_TUN)"
}

# tb_scenario_set_tun RING QDISC_SPEC: the run's knobs on the robot's tun, read
# back and recorded in knobs.env. The ring is set first: pfifo_fast and a
# pfifo without 'limit' take their limit from txqueuelen.
tb_scenario_set_tun() {
	local ring=$1 spec=$2 robot out kind
	_tb_scenario_require_up
	robot=$(_tb_scenario_ns robot)
	_tb_scenario_check_ring "$ring"
	_tb_scenario_check_qdisc_spec "$spec"
	# Already so (read back when last set, and nothing else touches the
	# robot's TUN): nothing to change, nothing to read back.
	if [ "$(tb_scenario_knob ring)" = "$ring" ] && [ "$(tb_scenario_knob qdisc)" = "$spec" ]; then
		return 0
	fi
	kind=${spec%% *}
	_tb_scenario_qdisc_kind_ok robot "$kind" || _tb_scenario_lacks "$kind" "qdisc '$spec' on the tun"
	# Each setting and its read-back in one process (-batch): two programs
	# per run instead of four, each about 0.3 s under TCG.
	local link qline
	link=$(printf 'link set dev %s txqueuelen %s\nlink show dev %s\n' "$TB_SCENARIO_ROBOT_TUN" "$ring" \
		"$TB_SCENARIO_ROBOT_TUN" | ip -o -n "$robot" -batch -)
	if ! qline=$(printf 'qdisc replace dev %s root %s\nqdisc show dev %s\n' "$TB_SCENARIO_ROBOT_TUN" "$spec" \
		"$TB_SCENARIO_ROBOT_TUN" | tc -n "$robot" -batch - 2>&1); then
		# the ring did change: keep the record true, with the qdisc that stays
		_tb_scenario_record_knobs "$(tb_scenario_knob qdisc)"
		tb_usage_die "qdisc '$spec' rejected by tc: ${qline//$'\n'/ }"
	fi
	# the flag was fixed when the VPN made the TUN: it stays as read then
	_tb_scenario_record_knobs "$spec" "$link" "$qline" "$(tb_scenario_knob flag_applied)"
}

# tb_scenario_knob KEY: a value recorded in knobs.env (empty if none).
tb_scenario_knob() {
	local line
	[ -f "$TB_SCENARIO_STATE/knobs.env" ] || return 0
	while IFS= read -r line; do
		[ "${line%%=*}" = "$1" ] && printf '%s\n' "${line#*=}"
	done <"$TB_SCENARIO_STATE/knobs.env"
	return 0
}

_tb_scenario_check_ring() {
	case "$1" in
	'' | *[!0-9]*) tb_usage_die "ring '$1': a whole number of packets (txqueuelen), 1 to 100000" ;;
	esac
	if [ "$1" -lt 1 ] || [ "$1" -gt 100000 ]; then tb_usage_die "ring '$1': out of range (1 to 100000)"; fi
}

# _tb_scenario_record_knobs QDISC [LINK QDISCS FLAG_APPLIED]: what is really
# set, read back from the kernel, beside the qdisc setting as given (QDISC).
# The keys are the runs columns' names: qdisc (as given), qdisc_kind,
# qdisc_applied (as tc shows it). LINK ("ip -o link show" of the robot's
# TUN), QDISCS ("tc qdisc show" of it) and FLAG_APPLIED (0 or 1) when the
# caller has just read them.
_tb_scenario_record_knobs() {
	local given=$1 robot link=${2:-} qline=${3:-} applied=${4:-} ring='' kind limit='' params cipher='' tls='' version='' log release
	robot=$(_tb_scenario_ns robot)
	# two processes; everything else is parsed by bash (cheap in a TCG guest)
	[ -n "$link" ] || link=$(ip -n "$robot" -o link show dev "$TB_SCENARIO_ROBOT_TUN")
	[ -n "$qline" ] || qline=$(tc -n "$robot" qdisc show dev "$TB_SCENARIO_ROBOT_TUN")
	qline=${qline%%$'\n'*}
	[[ $link =~ \ qlen\ ([0-9]+) ]] && ring=${BASH_REMATCH[1]}
	read -r _ kind _ <<<"$qline"
	[[ $qline =~ \ limit\ ([0-9]+)p?( |$) ]] && limit=${BASH_REMATCH[1]}
	case "$kind" in
	pfifo_fast) limit=$ring ;; # its three bands share txqueuelen
	noqueue) limit=0 ;;
	esac
	# the parameters as tc shows them, without "qdisc KIND HANDLE: root refcnt N"
	params=$qline
	[[ $qline =~ ^qdisc\ [^\ ]+\ [^\ ]+\ root\ refcnt\ [0-9]+\ *(.*)$ ]] && params=${BASH_REMATCH[1]}
	params=${params%"${params##*[! ]}"}
	local mtu=$TB_SCENARIO_TUN_MTU
	if [ "$TB_SCENARIO_VPN" = openvpn ]; then
		log=$(<"$TB_SCENARIO_STATE/openvpn-robot.log")
		[[ $log =~ Data\ Channel:\ cipher\ \'([^\']+)\' ]] && cipher=${BASH_REMATCH[1]}
		[[ $log =~ Control\ Channel:\ (TLSv[0-9.]+) ]] && tls=${BASH_REMATCH[1]}
		[[ $log =~ OpenVPN\ ([0-9][0-9.]*)\  ]] && version=${BASH_REMATCH[1]}
	else
		# WireGuard has one cipher suite and no TLS; the MTU is read back
		[[ $link =~ \ mtu\ ([0-9]+) ]] && mtu=${BASH_REMATCH[1]}
		cipher=ChaCha20-Poly1305 tls=none
		read -r version <"$TB_SCENARIO_STATE/wireguard-go.version" || version=''
	fi
	release=$(</proc/sys/kernel/osrelease)
	# IFF_BACKPRESSURE (0x0080) as the robot's TUN really has it (sysfs of
	# its namespace): the flag asked for is only a request
	if [ -z "$applied" ]; then
		local tun_flags
		applied=0
		tun_flags=$(ip netns exec "$robot" cat "/sys/class/net/$TB_SCENARIO_ROBOT_TUN/tun_flags" 2>/dev/null || echo 0)
		(((tun_flags & 0x0080) == 0)) || applied=1
	fi
	{
		echo "prefix=$TB_SCENARIO_PREFIX"
		echo "kernel_release=$release"
		echo "profile=$TB_SCENARIO_PROFILE"
		echo "ring=$ring"
		echo "qdisc=$given"
		echo "qdisc_kind=$kind"
		echo "qdisc_limit=$limit"
		echo "qdisc_applied=$params"
		echo "flag=$TB_SCENARIO_FLAG"
		echo "flag_applied=$applied"
		echo "vpn=$TB_SCENARIO_VPN"
		echo "vpn_version=$version"
		echo "vpn_cipher=$cipher"
		echo "vpn_tls=$tls"
		echo "vpn_tun_mtu=$mtu"
		echo "robot_tun=$TB_SCENARIO_ROBOT_TUN"
		echo "operator_tun_addr=$TB_SCENARIO_OPERATOR_TUN_ADDR"
	} >"$TB_SCENARIO_STATE/knobs.env"
	tb_scenario_kv_to_json <"$TB_SCENARIO_STATE/knobs.env" >"$TB_SCENARIO_STATE/knobs.json"
}

# _tb_scenario_step T0 WHAT: progress with elapsed seconds (TB_SCENARIO_QUIET=1: none)
_tb_scenario_step() {
	[ "$TB_SCENARIO_QUIET" = 1 ] || tb_log "scenario: $2 ($(tb_elapsed "$1") s)"
}

# tb_scenario_up: the whole scenario; on failure or Ctrl-C everything is removed.
tb_scenario_up() {
	local t0 rc=0
	t0=$(tb_now)
	# Checks that need no namespace come first.
	[ "$TB_SCENARIO_PROFILE" = none ] || tb_scenario_profile_path "$TB_SCENARIO_PROFILE" >/dev/null
	_tb_scenario_check_ring "$TB_SCENARIO_RING"
	_tb_scenario_check_qdisc_spec "$TB_SCENARIO_QDISC"
	case "$TB_SCENARIO_VPN" in
	openvpn) tb_have openvpn || tb_die "openvpn is not installed (./testbed setup)" ;;
	wireguard-go) _tb_scenario_wg_check ;;
	*) tb_usage_die "vpn '$TB_SCENARIO_VPN': openvpn or wireguard-go" ;;
	esac
	case "$TB_SCENARIO_FLAG" in
	off) ;;
	on) [ "$TB_SCENARIO_VPN" != openvpn ] || [ -f "$TB_SCENARIO_PRELOAD" ] ||
		tb_die "flag on needs the preload library $TB_SCENARIO_PRELOAD (./testbed build)" ;;
	*) tb_usage_die "flag '$TB_SCENARIO_FLAG': on or off" ;;
	esac
	# someone else's scenario under this prefix: refuse before the failure
	# path below could tear it down
	local role
	for role in robot wan operator; do
		! _tb_scenario_ns_exists "$(_tb_scenario_ns "$role")" ||
			tb_die "namespace $(_tb_scenario_ns "$role") exists already: './testbed scenario down --prefix $TB_SCENARIO_PREFIX' first"
	done
	# the caller's own INT/TERM handlers come back afterwards
	local saved_traps
	saved_traps=$(trap -p INT TERM)
	trap 'tb_log "interrupted: tearing down"; tb_scenario_down; exit 130' INT TERM
	set +e
	(
		set -e
		mkdir -p "$TB_SCENARIO_STATE"
		rm -f "$TB_SCENARIO_STATE"/{openvpn,wireguard-go}-*.{log,pid,status} "$TB_SCENARIO_STATE"/wireguard-go.version "$TB_SCENARIO_STATE"/knobs.*
		_tb_scenario_netns
		_tb_scenario_step "$t0" "namespaces and veths"
		_tb_scenario_qdisc_kind_ok robot "${TB_SCENARIO_QDISC%% *}" ||
			_tb_scenario_lacks "${TB_SCENARIO_QDISC%% *}" "qdisc '$TB_SCENARIO_QDISC' on the tun"
		_tb_scenario_apply_profile
		_tb_scenario_step "$t0" "profile $TB_SCENARIO_PROFILE"
		if [ "$TB_SCENARIO_VPN" = openvpn ]; then
			tb_scenario_pki "$TB_SCENARIO_DIR"
			_tb_scenario_step "$t0" "PKI"
			_tb_scenario_openvpn operator
			_tb_scenario_openvpn robot
		else
			tb_scenario_wg_keys "$TB_SCENARIO_DIR"
			_tb_scenario_step "$t0" "WireGuard keys"
			_tb_scenario_wireguard operator
			_tb_scenario_wireguard robot
		fi
		_tb_scenario_step "$t0" "$TB_SCENARIO_VPN started"
		_tb_scenario_wait_tunnel
		_tb_scenario_step "$t0" "tunnel up"
		tb_scenario_set_tun "$TB_SCENARIO_RING" "$TB_SCENARIO_QDISC"
	)
	rc=$?
	set -e
	if [ "$rc" -ne 0 ]; then
		tb_log "bringing the scenario up failed: tearing down"
		tb_scenario_down
		trap - INT TERM
		eval "$saved_traps"
		return "$rc"
	fi
	trap - INT TERM
	eval "$saved_traps"
	tb_log "scenario '$TB_SCENARIO_PREFIX' up in $(tb_elapsed "$t0") s: $TB_SCENARIO_VPN, profile $TB_SCENARIO_PROFILE, ring $TB_SCENARIO_RING, qdisc '$TB_SCENARIO_QDISC'"
}

# tb_scenario_down: stop our VPN processes, end whatever else still runs in
# the namespaces (started for the run), delete the namespaces. Idempotent.
tb_scenario_down() {
	local role pid ns pids=()
	for role in robot operator; do
		if pid=$(tb_scenario_vpn_pid "$role"); then pids+=("$pid"); fi
	done
	for role in robot wan operator; do
		ns=$(_tb_scenario_ns "$role")
		_tb_scenario_ns_exists "$ns" || continue
		mapfile -t -O "${#pids[@]}" pids < <(ip netns pids "$ns" 2>/dev/null)
	done
	if [ "${#pids[@]}" -gt 0 ]; then
		kill -TERM "${pids[@]}" 2>/dev/null || true
		local _
		for _ in $(seq 1 30); do
			local alive=0
			for pid in "${pids[@]}"; do [ -e "/proc/$pid" ] && alive=1; done
			[ "$alive" -eq 1 ] || break
			sleep 0.1
		done
		for pid in "${pids[@]}"; do [ -e "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null; done
	fi
	for role in robot wan operator; do
		ns=$(_tb_scenario_ns "$role")
		if _tb_scenario_ns_exists "$ns"; then ip netns del "$ns"; fi
	done
	rm -f "${TB_SCENARIO_STATE:?}"/{openvpn,wireguard-go}-*.pid
	return 0
}

# tb_scenario_alive: the namespaces exist and both VPN processes run; no
# process is started (a run reusing the scenario checks this under TCG,
# where each one costs a fraction of a second). status also pings.
tb_scenario_alive() {
	local role
	for role in robot wan operator; do
		_tb_scenario_ns_exists "$(_tb_scenario_ns "$role")" || return 1
	done
	tb_scenario_vpn_pid robot >/dev/null && tb_scenario_vpn_pid operator >/dev/null
}

# tb_scenario_status: what is up, what is set. Exit 0 when the tunnel works.
tb_scenario_status() {
	local role ns ok=0
	for role in robot wan operator; do
		ns=$(_tb_scenario_ns "$role")
		if _tb_scenario_ns_exists "$ns"; then echo "netns $ns: present"; else echo "netns $ns: absent"; ok=1; fi
	done
	for role in robot operator; do
		if pid=$(tb_scenario_vpn_pid "$role"); then echo "vpn $role: running (pid $pid, $(<"/proc/$pid/comm"))"; else echo "vpn $role: not running"; ok=1; fi
	done
	if [ "$ok" -eq 0 ] && _tb_scenario_in robot ping -n -q -c 1 -W 2 "$TB_SCENARIO_OPERATOR_TUN_ADDR" >/dev/null 2>&1; then
		echo "tunnel: robot reaches $TB_SCENARIO_OPERATOR_TUN_ADDR"
	else
		echo "tunnel: down"
		ok=1
	fi
	[ -f "$TB_SCENARIO_STATE/knobs.env" ] && sed 's/^/knob /' "$TB_SCENARIO_STATE/knobs.env"
	return "$ok"
}
