#!/usr/bin/env bash
# The topology of one run: three network namespaces joined by veth pairs,
#
#   PREFIXrobot                    PREFIXwan                       PREFIXoperator
#   tbtun0 198.18.100.2            (ip_forward)                    tbtun1 198.18.100.1
#   veth-wan 198.18.1.2 ==== veth-rb 198.18.1.1   veth-op 198.18.2.1 ==== veth-wan 198.18.2.2
#                            netem "down" egress  netem "up" egress
#
# with OpenVPN over UDP from the robot (TLS client) to the operator (TLS
# server, 198.18.2.2:1194). A WAN profile (netem-profiles/NAME.profile) is
# applied per direction on the wan namespace's veths; the robot's tun gets the
# run's ring size (txqueuelen) and qdisc. Everything is recorded in the state
# directory (CAMPAIGN_DIR/topo-PREFIX/knobs.env, profile.json, logs).
#
# Sourced, it is a library (tb_scn_up, tb_scn_down, tb_scn_set_tun,
# tb_scn_counters, ...; set TB_SCN_PREFIX and TB_SCN_DIR first, then call
# tb_scn_init). Run, it is the CLI behind './testbed scenario'.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=scenario/pki.sh
source "$TB_ROOT/scenario/pki.sh"
# shellcheck source=scenario/counters.sh
source "$TB_ROOT/scenario/counters.sh"

# Fixed names and addresses (198.18.0.0/15 is the benchmarking range).
TB_SCN_ROBOT_TUN=tbtun0
TB_SCN_OPERATOR_TUN=tbtun1
TB_SCN_WAN_UP_DEV=veth-op   # egress robot->operator: the "up" profile direction
TB_SCN_WAN_DOWN_DEV=veth-rb # egress operator->robot: "down"
TB_SCN_ROBOT_ADDR=198.18.1.2
TB_SCN_WAN_ROBOT_ADDR=198.18.1.1
TB_SCN_WAN_OPERATOR_ADDR=198.18.2.1
TB_SCN_OPERATOR_ADDR=198.18.2.2
TB_SCN_ROBOT_TUN_ADDR=198.18.100.2
TB_SCN_OPERATOR_TUN_ADDR=198.18.100.1
TB_SCN_VPN_PORT=1194
# Largest inner packet whose OpenVPN datagram still fits the 1500-byte veth
# MTU without IP fragmentation: 1500 - 20 (IPv4) - 8 (UDP) - 24 (data channel
# with an AEAD cipher: opcode + peer-id 4, packet-id 4, tag 16) = 1448.
TB_SCN_TUN_MTU=1448

# Defaults of the per-run knobs.
TB_SCN_PREFIX=${TB_SCN_PREFIX:-tb-}
# in the testbed VM the host's / (and so TB_CACHE) is read-only: default to
# the VM's writable results share there
if [ -n "${TB_VM_OUT:-}" ]; then
	TB_SCN_DIR=${TB_SCN_DIR:-$TB_VM_OUT/scenario}
else
	TB_SCN_DIR=${TB_SCN_DIR:-$TB_CACHE/scenario}
fi
TB_SCN_PROFILE=${TB_SCN_PROFILE:-lan}
TB_SCN_RING=${TB_SCN_RING:-500}
TB_SCN_QDISC=${TB_SCN_QDISC:-pfifo_fast}
TB_SCN_CIPHER=${TB_SCN_CIPHER:-AES-256-GCM}
# generous: a TCG guest on a loaded host needs minutes; a working tunnel
# returns as soon as it is up
TB_SCN_TIMEOUT=${TB_SCN_TIMEOUT:-300}
TB_PROFILE_BIN=${TB_PROFILE_BIN:-$TB_BUILD/netem-profiles/tb-profile}

# tb_scn_init: derive the state directory from prefix and campaign dir.
tb_scn_init() {
	case "$TB_SCN_PREFIX" in
	*[!A-Za-z0-9_-]* | "") tb_usage_die "prefix '$TB_SCN_PREFIX': use letters, digits, - and _" ;;
	esac
	[ "${#TB_SCN_PREFIX}" -le 20 ] || tb_usage_die "prefix '$TB_SCN_PREFIX' is longer than 20 characters"
	TB_SCN_STATE=$TB_SCN_DIR/topo-${TB_SCN_PREFIX%-}
}

_tb_scn_ns() { printf '%s%s\n' "$TB_SCN_PREFIX" "$1"; }
_tb_scn_in() { # _tb_scn_in ROLE CMD...: run CMD in a role's namespace
	local ns
	ns=$(_tb_scn_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}
_tb_scn_ns_exists() { [ -e "/run/netns/$1" ]; } # where 'ip netns add' puts them

# --- profiles and qdiscs ----------------------------------------------------

# tb_scn_profile_path NAME|PATH: the profile file, or die listing the names.
tb_scn_profile_path() {
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

# _tb_scn_qdisc_kind_ok ROLE KIND: can this kernel create qdisc KIND? Probed
# on the namespace's own loopback (no other device is touched), then removed.
_tb_scn_qdisc_kind_ok() {
	local ns out
	ns=$(_tb_scn_ns "$1")
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

_tb_scn_lacks() { # _tb_scn_lacks KIND WHAT
	tb_die "this kernel ($(uname -r)) lacks sch_$1, which $2 needs; run inside the testbed VM (its kernel has netem, fq_codel, cake)"
}

# _tb_scn_check_qdisc_spec SPEC: only kinds the testbed knows, no shell tricks.
_tb_scn_check_qdisc_spec() {
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
_tb_scn_netns() {
	local role ns robot wan operator
	robot=$(_tb_scn_ns robot) wan=$(_tb_scn_ns wan) operator=$(_tb_scn_ns operator)
	for ns in "$robot" "$wan" "$operator"; do
		! _tb_scn_ns_exists "$ns" || tb_die "namespace $ns exists already: './testbed scenario down --prefix $TB_SCN_PREFIX' first"
	done
	for role in robot wan operator; do
		ns=$(_tb_scn_ns "$role")
		ip netns add "$ns"
		# No IPv6 (set before any veth arrives): router solicitations and
		# MLD reports would add packets of their own to the counters.
		# shellcheck disable=SC2016 # $1 belongs to the inner shell
		ip netns exec "$ns" sh -c 'for f in all default; do echo 1 >/proc/sys/net/ipv6/conf/$f/disable_ipv6; done
			[ "$1" = wan ] && echo 1 >/proc/sys/net/ipv4/ip_forward; exit 0' sh "$role"
	done
	ip -n "$robot" -batch - <<-EOF
		link set lo up
		link add name veth-wan type veth peer name $TB_SCN_WAN_DOWN_DEV netns $wan
		addr add $TB_SCN_ROBOT_ADDR/24 dev veth-wan
		link set veth-wan up
		route add default via $TB_SCN_WAN_ROBOT_ADDR
	EOF
	ip -n "$operator" -batch - <<-EOF
		link set lo up
		link add name veth-wan type veth peer name $TB_SCN_WAN_UP_DEV netns $wan
		addr add $TB_SCN_OPERATOR_ADDR/24 dev veth-wan
		link set veth-wan up
		route add default via $TB_SCN_WAN_OPERATOR_ADDR
	EOF
	ip -n "$wan" -batch - <<-EOF
		link set lo up
		addr add $TB_SCN_WAN_ROBOT_ADDR/24 dev $TB_SCN_WAN_DOWN_DEV
		addr add $TB_SCN_WAN_OPERATOR_ADDR/24 dev $TB_SCN_WAN_UP_DEV
		link set $TB_SCN_WAN_DOWN_DEV up
		link set $TB_SCN_WAN_UP_DEV up
	EOF
}

# _tb_scn_profile_lines FILE: "DIR DEV tc-args..." for each active direction.
_tb_scn_profile_lines() {
	local file=$1 dir dev line
	[ -x "$TB_PROFILE_BIN" ] || tb_die "tb-profile not found at $TB_PROFILE_BIN: build first (./testbed build) or set TB_PROFILE_BIN"
	for dir in up down; do
		dev=$TB_SCN_WAN_UP_DEV
		[ "$dir" = down ] && dev=$TB_SCN_WAN_DOWN_DEV
		line=$("$TB_PROFILE_BIN" tc "$file" --dir "$dir" --dev "$dev") || tb_die "profile $file is invalid (see above)"
		[ -z "$line" ] || printf '%s %s\n' "$dir" "$line"
	done
}

# _tb_scn_apply_profile: netem on the wan veths, or nothing for 'none' and
# profiles without impairment. Fails before OpenVPN starts if the kernel
# lacks netem.
_tb_scn_apply_profile() {
	local wan file lines dir args
	wan=$(_tb_scn_ns wan)
	if [ "$TB_SCN_PROFILE" = none ]; then
		echo '{"name":"none"}' >"$TB_SCN_STATE/profile.json"
		return 0
	fi
	file=$(tb_scn_profile_path "$TB_SCN_PROFILE")
	lines=$(_tb_scn_profile_lines "$file")
	"$TB_PROFILE_BIN" show "$file" --json >"$TB_SCN_STATE/profile.json"
	if [ -n "$lines" ] && ! _tb_scn_qdisc_kind_ok wan netem; then
		_tb_scn_lacks netem "profile '$TB_SCN_PROFILE'"
	fi
	while read -r dir args; do
		[ -n "$dir" ] || continue
		# shellcheck disable=SC2086 # tb-profile prints plain words, split on purpose
		tc -n "$wan" $args || tb_die "applying profile $TB_SCN_PROFILE ($dir): tc $args failed"
	done <<<"$lines"
}

_tb_scn_openvpn() { # _tb_scn_openvpn ROLE: start OpenVPN as a daemon in ROLE's netns
	local role=$1 pki=$TB_SCN_DIR/pki st=$TB_SCN_STATE
	local common=(
		--daemon "tb-openvpn-$role" --writepid "$st/openvpn-$role.pid"
		--log "$st/openvpn-$role.log" --status "$st/openvpn-$role.status" 1 --verb 3
		--dev-type tun --proto udp4 --tun-mtu "$TB_SCN_TUN_MTU"
		--ca "$pki/ca.crt" --tls-crypt "$pki/tls-crypt.key"
		--data-ciphers "$TB_SCN_CIPHER" --tls-version-min 1.2 --allow-compression no
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
		_tb_scn_in operator openvpn "${common[@]}" --dev "$TB_SCN_OPERATOR_TUN" \
			--tls-server --dh none --cert "$pki/server.crt" --key "$pki/server.key" \
			--remote-cert-tls client --verify-x509-name tb-client name \
			--local "$TB_SCN_OPERATOR_ADDR" --lport "$TB_SCN_VPN_PORT" \
			--ifconfig "$TB_SCN_OPERATOR_TUN_ADDR" "$TB_SCN_ROBOT_TUN_ADDR"
	else
		_tb_scn_in robot openvpn "${common[@]}" --dev "$TB_SCN_ROBOT_TUN" \
			--tls-client --cert "$pki/client.crt" --key "$pki/client.key" \
			--remote-cert-tls server --verify-x509-name tb-server name \
			--remote "$TB_SCN_OPERATOR_ADDR" "$TB_SCN_VPN_PORT" --nobind \
			--ifconfig "$TB_SCN_ROBOT_TUN_ADDR" "$TB_SCN_OPERATOR_TUN_ADDR"
	fi
	# --daemon returns before the daemon has written its pid file
	local _
	for _ in $(seq 1 100); do
		_tb_scn_pid "$role" >/dev/null && return 0
		sleep 0.05
	done
	_tb_scn_log_tails
	tb_die "OpenVPN ($role) did not start (no pid file after 5 s)"
}

_tb_scn_pid() { # _tb_scn_pid ROLE: the pid of ROLE's OpenVPN if it runs
	local f=$TB_SCN_STATE/openvpn-$1.pid pid
	[ -s "$f" ] || return 1
	local comm=
	read -r pid <"$f" || return 1
	{ read -r comm <"/proc/$pid/comm"; } 2>/dev/null || return 1
	[ "$comm" = openvpn ] || return 1
	echo "$pid"
}

_tb_scn_log_tails() {
	local role log
	for role in operator robot; do
		log=$TB_SCN_STATE/openvpn-$role.log
		[ -s "$log" ] || { echo "--- $log: empty or missing" >&2; continue; }
		# the first complaint explains more than the retries after it
		echo "--- first errors in $log:" >&2
		grep -iE 'verify|error|fatal|exiting|failed|refused' "$log" | head -n 5 >&2 || echo "(none)" >&2
		echo "--- last lines of $log:" >&2
		tail -n 10 "$log" >&2
	done
}

# _tb_scn_wait_tunnel: poll until the robot reaches the operator through the
# tunnel, or fail with both logs' tails after TB_SCN_TIMEOUT seconds.
_tb_scn_wait_tunnel() {
	local deadline=$((SECONDS + TB_SCN_TIMEOUT)) role log=$TB_SCN_STATE/openvpn-robot.log
	while [ "$SECONDS" -lt "$deadline" ]; do
		for role in operator robot; do
			if ! _tb_scn_pid "$role" >/dev/null; then
				_tb_scn_log_tails
				tb_die "OpenVPN ($role) exited while the tunnel was coming up"
			fi
		done
		# cheap check first (no process): the client's log says it is up
		if [[ "$(<"$log")" == *"Initialization Sequence Completed"* ]] &&
			_tb_scn_in robot ping -n -q -c 1 -W 1 "$TB_SCN_OPERATOR_TUN_ADDR" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	_tb_scn_log_tails
	tb_die "the tunnel did not come up within ${TB_SCN_TIMEOUT}s (robot could not ping $TB_SCN_OPERATOR_TUN_ADDR through $TB_SCN_ROBOT_TUN)"
}

# tb_scn_set_tun RING QDISC_SPEC: the run's knobs on the robot's tun, read
# back and recorded in knobs.env. The ring is set first: pfifo_fast and a
# pfifo without 'limit' take their limit from txqueuelen.
tb_scn_set_tun() {
	local ring=$1 spec=$2 robot out kind
	robot=$(_tb_scn_ns robot)
	_tb_scn_ns_exists "$robot" || tb_die "no topology with prefix '$TB_SCN_PREFIX' is up"
	tb_parse_ring "$ring"
	_tb_scn_check_qdisc_spec "$spec"
	kind=${spec%% *}
	_tb_scn_qdisc_kind_ok robot "$kind" || _tb_scn_lacks "$kind" "qdisc '$spec' on the tun"
	ip -n "$robot" link set dev "$TB_SCN_ROBOT_TUN" txqueuelen "$ring"
	# shellcheck disable=SC2086 # the spec is checked words, split on purpose
	if ! out=$(tc -n "$robot" qdisc replace dev "$TB_SCN_ROBOT_TUN" root $spec 2>&1); then
		_tb_scn_record_knobs # the ring did change: keep the record true
		tb_usage_die "qdisc '$spec' rejected by tc: $out"
	fi
	_tb_scn_record_knobs
}

tb_parse_ring() {
	case "$1" in
	'' | *[!0-9]*) tb_usage_die "ring '$1': a whole number of packets (txqueuelen), 1 to 100000" ;;
	esac
	if [ "$1" -lt 1 ] || [ "$1" -gt 100000 ]; then tb_usage_die "ring '$1': out of range (1 to 100000)"; fi
}

# _tb_scn_record_knobs: what is really set, read back from the kernel.
_tb_scn_record_knobs() {
	local robot link qline ring='' kind limit='' params cipher='' tls='' version='' log release
	robot=$(_tb_scn_ns robot)
	# two processes; everything else is parsed by bash (cheap in a TCG guest)
	link=$(ip -n "$robot" -o link show dev "$TB_SCN_ROBOT_TUN")
	qline=$(tc -n "$robot" qdisc show dev "$TB_SCN_ROBOT_TUN")
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
	log=$(<"$TB_SCN_STATE/openvpn-robot.log")
	[[ $log =~ Data\ Channel:\ cipher\ \'([^\']+)\' ]] && cipher=${BASH_REMATCH[1]}
	[[ $log =~ Control\ Channel:\ (TLSv[0-9.]+) ]] && tls=${BASH_REMATCH[1]}
	[[ $log =~ OpenVPN\ ([0-9][0-9.]*)\  ]] && version=${BASH_REMATCH[1]}
	release=$(</proc/sys/kernel/osrelease)
	{
		echo "prefix=$TB_SCN_PREFIX"
		echo "kernel_release=$release"
		echo "profile=$TB_SCN_PROFILE"
		echo "ring=$ring"
		echo "qdisc=$kind"
		echo "qdisc_limit=$limit"
		echo "qdisc_spec=$params"
		echo "qdisc_requested=${TB_SCN_QDISC_REQ:-}"
		echo "vpn=openvpn $version"
		echo "vpn_cipher=$cipher"
		echo "vpn_tls=$tls"
		echo "vpn_tun_mtu=$TB_SCN_TUN_MTU"
		echo "robot_tun=$TB_SCN_ROBOT_TUN"
		echo "operator_tun_addr=$TB_SCN_OPERATOR_TUN_ADDR"
	} >"$TB_SCN_STATE/knobs.env"
	tb_scn_kv_to_json <"$TB_SCN_STATE/knobs.env" >"$TB_SCN_STATE/knobs.json"
}

# _tb_scn_step T0 WHAT: progress with elapsed seconds (TB_SCN_QUIET=1: none)
_tb_scn_step() {
	[ "${TB_SCN_QUIET:-0}" = 1 ] || tb_log "scenario: $2 ($(tb_elapsed "$1") s)"
}

# tb_scn_up: the whole topology; on failure or Ctrl-C everything is removed.
tb_scn_up() {
	local t0 rc=0
	t0=$(tb_now)
	# Checks that need no namespace come first.
	[ "$TB_SCN_PROFILE" = none ] || tb_scn_profile_path "$TB_SCN_PROFILE" >/dev/null
	tb_parse_ring "$TB_SCN_RING"
	_tb_scn_check_qdisc_spec "$TB_SCN_QDISC"
	tb_have openvpn || tb_die "openvpn is not installed (./testbed setup)"
	# someone else's topology under this prefix: refuse before the failure
	# path below could tear it down
	local role
	for role in robot wan operator; do
		! _tb_scn_ns_exists "$(_tb_scn_ns "$role")" ||
			tb_die "namespace $(_tb_scn_ns "$role") exists already: './testbed scenario down --prefix $TB_SCN_PREFIX' first"
	done
	# the caller's own INT/TERM handlers come back afterwards
	local saved_traps
	saved_traps=$(trap -p INT TERM)
	trap 'tb_log "interrupted: tearing down"; tb_scn_down; exit 130' INT TERM
	set +e
	(
		set -e
		mkdir -p "$TB_SCN_STATE"
		rm -f "$TB_SCN_STATE"/openvpn-*.{log,pid,status} "$TB_SCN_STATE"/knobs.*
		_tb_scn_netns
		_tb_scn_step "$t0" "namespaces and veths"
		_tb_scn_qdisc_kind_ok robot "${TB_SCN_QDISC%% *}" ||
			_tb_scn_lacks "${TB_SCN_QDISC%% *}" "qdisc '$TB_SCN_QDISC' on the tun"
		_tb_scn_apply_profile
		_tb_scn_step "$t0" "profile $TB_SCN_PROFILE"
		tb_scn_pki "$TB_SCN_DIR"
		_tb_scn_step "$t0" "PKI"
		_tb_scn_openvpn operator
		_tb_scn_openvpn robot
		_tb_scn_step "$t0" "OpenVPN started"
		_tb_scn_wait_tunnel
		_tb_scn_step "$t0" "tunnel up"
		TB_SCN_QDISC_REQ=$TB_SCN_QDISC tb_scn_set_tun "$TB_SCN_RING" "$TB_SCN_QDISC"
	)
	rc=$?
	set -e
	if [ "$rc" -ne 0 ]; then
		tb_log "bringing the topology up failed: tearing down"
		tb_scn_down
		trap - INT TERM
		eval "$saved_traps"
		return "$rc"
	fi
	trap - INT TERM
	eval "$saved_traps"
	tb_log "topology '$TB_SCN_PREFIX' up in $(tb_elapsed "$t0") s: profile $TB_SCN_PROFILE, ring $TB_SCN_RING, qdisc '$TB_SCN_QDISC'"
}

# tb_scn_down: stop our OpenVPN processes, end whatever else still runs in
# the namespaces (started for the run), delete the namespaces. Idempotent.
tb_scn_down() {
	local role pid ns pids=()
	for role in robot operator; do
		if pid=$(_tb_scn_pid "$role"); then pids+=("$pid"); fi
	done
	for role in robot wan operator; do
		ns=$(_tb_scn_ns "$role")
		_tb_scn_ns_exists "$ns" || continue
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
		ns=$(_tb_scn_ns "$role")
		if _tb_scn_ns_exists "$ns"; then ip netns del "$ns"; fi
	done
	rm -f "${TB_SCN_STATE:?}"/openvpn-*.pid
	return 0
}

# tb_scn_status: what is up, what is set. Exit 0 when the tunnel works.
tb_scn_status() {
	local role ns ok=0
	for role in robot wan operator; do
		ns=$(_tb_scn_ns "$role")
		if _tb_scn_ns_exists "$ns"; then echo "netns $ns: present"; else echo "netns $ns: absent"; ok=1; fi
	done
	for role in robot operator; do
		if pid=$(_tb_scn_pid "$role"); then echo "openvpn $role: running (pid $pid)"; else echo "openvpn $role: not running"; ok=1; fi
	done
	if [ "$ok" -eq 0 ] && _tb_scn_in robot ping -n -q -c 1 -W 2 "$TB_SCN_OPERATOR_TUN_ADDR" >/dev/null 2>&1; then
		echo "tunnel: robot reaches $TB_SCN_OPERATOR_TUN_ADDR"
	else
		echo "tunnel: down"
		ok=1
	fi
	[ -f "$TB_SCN_STATE/knobs.env" ] && sed 's/^/knob /' "$TB_SCN_STATE/knobs.env"
	return "$ok"
}

# --- the CLI ------------------------------------------------------------------

usage() {
	cat <<'TXT'
usage: ./testbed scenario up [OPTIONS]
       ./testbed scenario down|status [--prefix P] [--dir DIR]
       ./testbed scenario tun --ring N --qdisc SPEC [--prefix P] [--dir DIR]
       ./testbed scenario counters [--json] [--prefix P] [--dir DIR]
       ./testbed scenario counters-diff BEFORE AFTER
       ./testbed scenario pki [--dir DIR]

Brings up (as root) namespaces PREFIXrobot, PREFIXwan, PREFIXoperator joined by
veth pairs (198.18.1.0/24, 198.18.2.0/24), OpenVPN over UDP from robot
(tbtun0, 198.18.100.2) to operator (tbtun1, 198.18.100.1), a WAN profile on
the wan veths and the run's ring and qdisc on tbtun0.

  --prefix P       namespace name prefix (default tb-), for parallel topologies
  --dir DIR        campaign directory: PKI in DIR/pki, state, logs and the
                   recorded knobs in DIR/topo-PREFIX (default ~/.cache/
                   tun-nodrop-testbed/scenario; in the VM $TB_VM_OUT/scenario)
  --profile NAME   netem-profiles/NAME.profile, a path, or 'none' (default lan);
                   a profile with impairment needs sch_netem (the testbed VM)
  --ring N         txqueuelen (TUN ring size) of tbtun0 (default 500)
  --qdisc SPEC     root qdisc of tbtun0: noqueue, pfifo_fast, 'pfifo limit N',
                   'bfifo limit B', 'fq_codel [...]', 'cake [...]', 'fq [...]'
                   (default pfifo_fast)
  --cipher C       OpenVPN data cipher: AES-256-GCM (default), AES-128-GCM
                   or CHACHA20-POLY1305
  --timeout S      seconds to wait for the tunnel (default 300)
  --json           counters as one JSON object instead of key=value lines

'tun' changes ring and qdisc of a running topology (between runs, without
restarting OpenVPN). 'counters' prints the drop counters of every place of a
run; 'counters-diff' subtracts two such snapshots. 'pki' makes (or keeps) the
campaign's certificates: do it on the host before booting a VM, where
generating them costs ~8 s.
TXT
}

tb_scn_main() {
	[ $# -gt 0 ] || tb_usage_die "scenario: missing command"
	local cmd=$1 json=0 ring_set=0 qdisc_set=0
	shift
	case "$cmd" in
	-h | --help | help) usage; exit 0 ;;
	up | down | status | tun | counters | pki) ;;
	counters-diff)
		[ $# -eq 2 ] || tb_usage_die "scenario counters-diff: needs BEFORE and AFTER files"
		tb_scn_counters_diff "$1" "$2"
		return 0
		;;
	*) tb_usage_die "scenario: unknown command '$cmd'" ;;
	esac
	while [ $# -gt 0 ]; do
		case "$1" in
		--prefix | --dir | --profile | --ring | --qdisc | --cipher | --timeout)
			[ $# -ge 2 ] || tb_usage_die "scenario: $1 needs a value"
			case "$1" in
			--prefix) TB_SCN_PREFIX=$2 ;;
			--dir) TB_SCN_DIR=$2 ;;
			--profile) TB_SCN_PROFILE=$2 ;;
			--ring) TB_SCN_RING=$2 ring_set=1 ;;
			--qdisc) TB_SCN_QDISC=$2 qdisc_set=1 ;;
			--cipher)
				case "$2" in
				AES-256-GCM | AES-128-GCM | CHACHA20-POLY1305) TB_SCN_CIPHER=$2 ;;
				*) tb_usage_die "scenario: cipher '$2': use AES-256-GCM, AES-128-GCM or CHACHA20-POLY1305" ;;
				esac
				;;
			--timeout)
				case "$2" in '' | *[!0-9]*) tb_usage_die "scenario: --timeout '$2': whole seconds" ;; esac
				TB_SCN_TIMEOUT=$2
				;;
			esac
			shift
			;;
		--json) json=1 ;;
		-h | --help) usage; exit 0 ;;
		*) tb_usage_die "scenario: unknown option '$1'" ;;
		esac
		shift
	done
	tb_scn_init
	case "$cmd" in
	up)
		tb_require_root "scenario up"
		tb_scn_up
		;;
	down)
		tb_require_root "scenario down"
		tb_scn_down
		;;
	status)
		tb_require_root "scenario status"
		tb_scn_status
		;;
	pki)
		tb_scn_pki "$TB_SCN_DIR"
		echo "$TB_SCN_DIR/pki"
		;;
	tun)
		tb_require_root "scenario tun"
		if [ "$ring_set" -eq 0 ] || [ "$qdisc_set" -eq 0 ]; then tb_usage_die "scenario tun: needs --ring and --qdisc"; fi
		TB_SCN_PROFILE=$(sed -n 's/^profile=//p' "$TB_SCN_STATE/knobs.env" 2>/dev/null || echo unknown)
		TB_SCN_QDISC_REQ=$TB_SCN_QDISC tb_scn_set_tun "$TB_SCN_RING" "$TB_SCN_QDISC"
		;;
	counters)
		tb_require_root "scenario counters"
		_tb_scn_ns_exists "$(_tb_scn_ns robot)" || tb_die "no topology with prefix '$TB_SCN_PREFIX' is up"
		if [ "$json" -eq 1 ]; then tb_scn_counters | tb_scn_kv_to_json; else tb_scn_counters; fi
		;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	tb_scn_main "$@"
fi
