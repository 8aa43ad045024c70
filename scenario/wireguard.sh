# shellcheck shell=bash
# wireguard-go as the scenario's VPN: the same namespaces, TUN names,
# addresses and UDP port as OpenVPN (scenario-lib.sh), one peer each side.
# The robot is the initiator (it knows the operator's endpoint); the operator
# listens on TB_SCENARIO_VPN_PORT. Keys are made per campaign with `wg genkey`
# into CAMPAIGN_DIR/wg, like the OpenVPN PKI. With flag = on the robot's TUN
# is made by tools/tun-exec with IFF_BACKPRESSURE and handed to wireguard-go
# through WG_TUN_FD: Go's syscalls bypass libc, so the LD_PRELOAD opt-in
# that OpenVPN gets cannot reach wireguard-go's own TUNSETIFF. (That
# wireguard-go reads a handed-over TUN as one with the packet information
# header: --pi, see tools/tun-exec.)
# Part of scenario-lib.sh.

TB_SCENARIO_TUN_EXEC=${TB_SCENARIO_TUN_EXEC:-$TB_BUILD/tools/tun-exec/tb-tun-exec}

_tb_scenario_wg_check() {
	tb_have wireguard-go || tb_die "wireguard-go is not installed (./testbed setup)"
	tb_have wg || tb_die "wg (wireguard-tools) is not installed (./testbed setup)"
	[ "$TB_SCENARIO_FLAG" = off ] || [ -x "$TB_SCENARIO_TUN_EXEC" ] ||
		tb_die "flag on with wireguard-go needs $TB_SCENARIO_TUN_EXEC (./testbed build)"
}

# wireguard-go's version, e.g. 0.0.20220316 (its --version prints "wireguard-go vX").
_tb_scenario_wg_version() {
	local line
	line=$(wireguard-go --version 2>/dev/null | head -n 1)
	[[ $line =~ v([0-9][0-9.]*) ]] && printf '%s\n' "${BASH_REMATCH[1]}"
	return 0
}

# tb_scenario_wg_keys DIR: DIR/wg/{robot,operator}.{key,pub}, made once
# (experiments/sweep.sh makes them on the host before a boot).
tb_scenario_wg_keys() {
	local d=$1/wg role
	mkdir -p "$d"
	for role in robot operator; do
		[ -s "$d/$role.key" ] && [ -s "$d/$role.pub" ] && continue
		(umask 077 && wg genkey >"$d/$role.key.tmp") && mv "$d/$role.key.tmp" "$d/$role.key"
		wg pubkey <"$d/$role.key" >"$d/$role.pub"
	done
}

# _tb_scenario_wireguard ROLE: start wireguard-go in ROLE's netns, configure
# its peer and the TUN's address; returns once the process runs.
_tb_scenario_wireguard() {
	local role=$1 st=$TB_SCENARIO_STATE keys=$TB_SCENARIO_DIR/wg ns dev addr peer peer_role
	local wg_args=() launch=()
	ns=$(_tb_scenario_ns "$role")
	if [ "$role" = robot ]; then
		dev=$TB_SCENARIO_ROBOT_TUN addr=$TB_SCENARIO_ROBOT_TUN_ADDR peer=$TB_SCENARIO_OPERATOR_TUN_ADDR peer_role=operator
		wg_args=(endpoint "$TB_SCENARIO_OPERATOR_ADDR:$TB_SCENARIO_VPN_PORT")
		[ "$TB_SCENARIO_FLAG" = off ] || launch=("$TB_SCENARIO_TUN_EXEC" --dev "$dev" --backpressure --pi --)
	else
		dev=$TB_SCENARIO_OPERATOR_TUN addr=$TB_SCENARIO_OPERATOR_TUN_ADDR peer=$TB_SCENARIO_ROBOT_TUN_ADDR peer_role=robot
	fi
	# In the foreground (-f) so that its pid is the one started here; its
	# log (handshakes, errors) goes to the state directory.
	ip netns exec "$ns" env LOG_LEVEL=verbose WG_PROCESS_FOREGROUND=1 "${launch[@]}" \
		wireguard-go -f "$dev" </dev/null >"$st/wireguard-go-$role.log" 2>&1 &
	local pid=$!
	echo "$pid" >"$st/wireguard-go-$role.pid"
	# asked once per scenario, read back by every run's knobs (two programs
	# to start under TCG)
	[ "$role" = operator ] || _tb_scenario_wg_version >"$st/wireguard-go.version"
	# the UAPI socket appears once the device is up (the pid's name is
	# ip's, then env's, until wireguard-go is exec'd: check it is alive)
	local _ sock=/var/run/wireguard/$dev.sock
	for _ in $(seq 1 200); do
		[ -S "$sock" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -S "$sock" ]; then
		_tb_scenario_log_tails
		tb_die "wireguard-go ($role) did not start (no $sock after 10 s)"
	fi
	local listen=()
	[ "$role" = operator ] && listen=(listen-port "$TB_SCENARIO_VPN_PORT")
	ip netns exec "$ns" wg set "$dev" private-key "$keys/$role.key" "${listen[@]}" \
		peer "$(<"$keys/$peer_role.pub")" allowed-ips "$peer/32" "${wg_args[@]}" ||
		tb_die "wg set $dev ($role) failed"
	ip -n "$ns" addr add "$addr" peer "$peer" dev "$dev"
	ip -n "$ns" link set dev "$dev" mtu "$TB_SCENARIO_WG_TUN_MTU" up
}
