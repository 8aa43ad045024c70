#!/usr/bin/env bash
# Host integration test of the scenario with wireguard-go as its VPN (as
# root): keys per campaign, the same TUN names and addresses as OpenVPN,
# TUN MTU 1440 so that the largest inner packet leaves as one 1500-byte
# datagram, UDP through the tunnel counted the same way at both TUNs, the
# flag handed over through tools/tun-exec (read back from sysfs), and that
# 'down' leaves no wireguard-go and no namespace behind.
set -euo pipefail
root=${1:?usage: host_wireguard_test.sh REPO_ROOT}
scenario=$root/scenario/scenario.sh
[ "$(id -u)" -eq 0 ] || { echo "host_wireguard_test: needs root (network namespaces)" >&2; exit 1; }
[ -x "${TB_PROFILE_BIN:-}" ] || { echo "host_wireguard_test: set TB_PROFILE_BIN to a built tb-profile" >&2; exit 1; }
command -v wireguard-go >/dev/null || { echo "host_wireguard_test: wireguard-go is not installed (./testbed setup)" >&2; exit 1; }

prefix="tbw$$-"
dir=$(mktemp -d)
cleanup() {
	bash "$scenario" down --prefix "$prefix" --dir "$dir" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
state=$dir/scenario-${prefix%-}
knob() { sed -n "s/^$1=//p" "$state/knobs.env"; }
robot=${prefix}robot operator=${prefix}operator
stat_of() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }

up() {
	bash "$scenario" up --prefix "$prefix" --dir "$dir" --vpn wireguard-go --ring 64 --qdisc 'pfifo limit 100' \
		--timeout 30 "$@" >"$dir/up.out" 2>"$dir/up.err" || { cat "$dir/up.err" >&2; return 1; }
}

check "up with wireguard-go" up
expect "knob vpn" "$(knob vpn)" wireguard-go
expect "knob vpn_version is wireguard-go's" "$(knob vpn_version)" \
	"$(wireguard-go --version | sed -n '1s/^wireguard-go v//p')"
expect "knob cipher" "$(knob vpn_cipher)" ChaCha20-Poly1305
expect "knob ring" "$(knob ring)" 64
expect "knob flag off, not applied" "$(knob flag) $(knob flag_applied)" "off 0"
expect "TUN MTU read back" "$(knob vpn_tun_mtu)" 1440
check "robot TUN has the MTU" grep -q 'mtu 1440 .*qlen 64' <(ip -n "$robot" link show tbtun0)
check "keys are private (0600)" test "$(stat -c %a "$dir/wg/robot.key")" = 600
expect "the operator's peer is the robot's public key" \
	"$(ip netns exec "$operator" wg show tbtun1 peers)" "$(cat "$dir/wg/robot.pub")"
expect "the operator listens on the scenario's VPN port" "$(ip netns exec "$operator" wg show tbtun1 listen-port)" 1194
check "status: both ends run" bash "$scenario" status --prefix "$prefix" --dir "$dir"
check "status names wireguard-go" grep -q 'vpn robot: running (pid [0-9]*, wireguard-go)' \
	<(bash "$scenario" status --prefix "$prefix" --dir "$dir")

# 200 pings of the largest inner packet, don't-fragment: each one is a
# 1440-byte IPv4 packet inside, so every one of them crosses both TUNs.
count=200
tx0=$(stat_of "$robot" tbtun0 tx_packets) rx0=$(stat_of "$operator" tbtun1 rx_packets)
out0=$(stat_of "$robot" veth-wan tx_bytes) outp0=$(stat_of "$robot" veth-wan tx_packets)
check "1440-byte packets cross without fragmenting" ip netns exec "$robot" ping -q -n -M "do" -s $((1440 - 28)) \
	-c "$count" -i 0.002 -W 2 198.18.100.1
tx=$(($(stat_of "$robot" tbtun0 tx_packets) - tx0))
rx=$(($(stat_of "$operator" tbtun1 rx_packets) - rx0))
expect "the robot TUN handed wireguard-go every ping" "$tx" "$count"
expect "the operator TUN got every ping from wireguard-go" "$rx" "$count"
outp=$(($(stat_of "$robot" veth-wan tx_packets) - outp0))
outb=$(($(stat_of "$robot" veth-wan tx_bytes) - out0))
# each outer frame: 14 Ethernet + 1500 IP at most (keepalives and a
# handshake may add a few small ones)
check "outer datagrams fit the 1500-byte MTU (at most 1514 bytes a frame on the veth)" \
	test "$outb" -le $((outp * 1514))
check "one outer datagram per ping (plus at most 10 handshake/keepalive)" \
	test "$outp" -ge "$count" -a "$outp" -le $((count + 10))
c=$(bash "$scenario" counters --prefix "$prefix" --dir "$dir")
check "counters read with wireguard-go" grep -q '^ring.tx_packets=' <<<"$c"
check "no OpenVPN status counters without OpenVPN" bash -c "! grep -q '^vpn.robot.tun_read_bytes' <<<'$c'"

pids=$(cat "$state"/wireguard-go-*.pid)
expect "two wireguard-go processes recorded" "$(wc -w <<<"$pids")" 2
bash "$scenario" down --prefix "$prefix" --dir "$dir" >/dev/null 2>&1
check "down: no namespace left" bash -c "! ip netns list | grep -q '^$prefix'"
for pid in $pids; do
	check "down: wireguard-go $pid ended" test ! -e "/proc/$pid"
done

# flag on: the robot's TUN comes from tools/tun-exec (with the packet
# information header); the flag is applied only if this kernel offers it
check "up with flag on" up --flag on
expect "knob flag on" "$(knob flag)" on
features=$(ip netns exec "$robot" cat /sys/class/net/tbtun0/tun_flags)
expect "the TUN was made by tun-exec (no IFF_NO_PI)" "$(((features & 0x1000) == 0))" 1
expect "flag_applied is what sysfs says" "$(knob flag_applied)" "$(((features & 0x0080) != 0 ? 1 : 0))"
check "the tunnel carries traffic with the handed-over TUN" ip netns exec "$robot" ping -q -n -c 3 -W 2 198.18.100.1
bash "$scenario" down --prefix "$prefix" --dir "$dir" >/dev/null 2>&1

check "an unknown vpn is refused" bash -c "! bash '$scenario' up --prefix '$prefix' --dir '$dir' --vpn ipsec 2>'$dir/bad.err'"
check "and says which vpns exist" grep -q "openvpn or wireguard-go" "$dir/bad.err"
tb_summary
