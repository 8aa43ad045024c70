# shellcheck shell=bash
# Network namespaces for the shell tests and benchmarks, in the manner of the
# kernel's selftests/net helpers: two namespaces joined by a veth pair, and
# their removal. Addresses come from the benchmarking range 198.18.0.0/15
# and fd00::/8; traffic never leaves the namespaces.

# tb_ns_pair NS_A NS_B DEV_A DEV_B ADDR_A ADDR_B [ADDR6_A ADDR6_B]
# Addresses with their prefix (198.18.0.1/30, fd00:1::1/64; IPv6 without
# duplicate address detection, so it is usable at once); lo and both veth
# ends up.
tb_ns_pair() {
	local a=$1 b=$2 dev_a=$3 dev_b=$4 ns
	ip netns add "$a"
	ip netns add "$b"
	ip link add "$dev_a" netns "$a" type veth peer name "$dev_b" netns "$b"
	ip -n "$a" addr add "$5" dev "$dev_a"
	ip -n "$b" addr add "$6" dev "$dev_b"
	if [ $# -ge 8 ]; then
		ip -n "$a" addr add "$7" dev "$dev_a" nodad
		ip -n "$b" addr add "$8" dev "$dev_b" nodad
	fi
	for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
	ip -n "$a" link set "$dev_a" up
	ip -n "$b" link set "$dev_b" up
}

# tb_ns_del NS...: delete the namespaces that exist (for EXIT traps).
tb_ns_del() {
	local ns
	for ns in "$@"; do ip netns del "$ns" 2>/dev/null || true; done
}

# tb_ns_scratch WORKDIR NS...: on exit, end the processes in the caller's
# array pids, delete the namespaces and the work directory (the EXIT trap
# of a test that starts programs in a namespace pair).
tb_ns_scratch() {
	_tb_ns_scratch_work=$1
	shift
	_tb_ns_scratch_names=("$@")
	trap _tb_ns_scratch_cleanup EXIT
}
# shellcheck disable=SC2317,SC2154 # invoked by the EXIT trap; pids is the caller's
_tb_ns_scratch_cleanup() {
	local p
	for p in ${pids[@]+"${pids[@]}"}; do kill "$p" 2>/dev/null || true; done
	tb_ns_del "${_tb_ns_scratch_names[@]}"
	rm -rf "$_tb_ns_scratch_work"
}

