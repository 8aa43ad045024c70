#!/usr/bin/env bash
# libtb-backpressure.so in a guest whose kernel reports IFF_BACKPRESSURE
# (the backpressure variant):
#   ./testbed vm --kernel backpressure -- bash tools/preload/tests/preload_guest_test.sh BUILD_DIR
# TUNGETFEATURES includes 0x0080; a TUN made without the preload reads back
# IFF_TUN | IFF_NO_PI (0x1001), with it 0x1081 (TUNGETIFF in the program,
# and tun_flags in sysfs from outside while the program holds the device);
# the caller's ifreq keeps the flags it wrote; the log says the flag was
# added; and the same for OpenVPN's device (openvpn --mktun). Few
# processes (an exec costs about a second under TCG) and no files (the
# guest's root is read-only).
set -euo pipefail
build=${1:?usage: preload_guest_test.sh BUILD_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
tun_open=$build/tools/preload/tests/tb-tun-open
lib=$build/tools/preload/libtb-backpressure.so
for f in "$tun_open" "$lib"; do
	[ -f "$f" ] || { echo "FAIL: $f not found (build the testbed)" >&2; exit 1; }
done

iff_tun=0x0001 iff_no_pi=0x1000 iff_backpressure=0x0080
asked=$(printf '0x%04x' $((iff_tun | iff_no_pi)))
with_flag=$(printf '0x%04x' $((iff_tun | iff_no_pi | iff_backpressure)))

# field NAME TEXT: the value of the line "NAME value" in TEXT.
field() {
	local line
	while IFS= read -r line; do
		case "$line" in "$1 "*) printf '%s\n' "${line#"$1 "}" ;; esac
	done <<<"$2"
}
# logged TEXT: the preload's lines in TEXT.
logged() {
	local line
	while IFS= read -r line; do
		case "$line" in tb-backpressure:*) printf '%s\n' "$line" ;; esac
	done <<<"$1"
}

plain=$("$tun_open" tbgst0 2>&1)
pre=$(LD_PRELOAD=$lib TB_BACKPRESSURE_PRELOAD_LOG=1 "$tun_open" tbgst1 2>&1)
features=$(field features "$plain")
check "TUNGETFEATURES printed" test -n "$features"
expect "the kernel reports IFF_BACKPRESSURE" "$(((features & iff_backpressure) != 0))" 1
expect "without the preload: flags read back" "$(field flags "$plain")" "$asked"
expect "with the preload: flags read back" "$(field flags "$pre")" "$with_flag"
expect "with the preload: the caller's ifreq keeps its flags" "$(field asked "$pre")" "$asked"
expect "with the preload: the log" "$(logged "$pre")" \
	"tb-backpressure: TUNSETIFF tbgst1: IFF_BACKPRESSURE added (flags $asked -> $with_flag)"
expect "without the preload: no log" "$(logged "$plain")" ""

# From outside: sysfs while the preloaded program holds its device.
coproc holder { LD_PRELOAD=$lib exec "$tun_open" --hold tbgst2; }
held=''
for _ in 1 2 3 4; do
	IFS= read -r -t 30 line <&"${holder[0]}" || break
	held+="$line"$'\n'
done
expect "held device made" "$(field name "$held")" tbgst2
expect "sysfs tun_flags of the preloaded program's device" "$(</sys/class/net/tbgst2/tun_flags)" "$with_flag"
# shellcheck disable=SC2154 # holder_PID is set by coproc
kill "$holder_PID"
wait "$holder_PID" 2>/dev/null || true

# OpenVPN's own TUNSETIFF (IFF_TUN | IFF_NO_PI | IFF_ONE_QUEUE = 0x3001):
# --mktun leaves a persistent device (0x0800), read from outside. The guest
# is thrown away, so the device is not removed.
ovpn_asked=0x3001 iff_persist=0x0800
ovpn=$(LD_PRELOAD=$lib TB_BACKPRESSURE_PRELOAD_LOG=1 openvpn --mktun --dev tbgstovpn --dev-type tun 2>&1)
expect "OpenVPN with the preload: the log" "$(logged "$ovpn")" \
	"tb-backpressure: TUNSETIFF tbgstovpn: IFF_BACKPRESSURE added (flags $ovpn_asked -> $(printf '0x%04x' $((ovpn_asked | iff_backpressure))))"
expect "OpenVPN's device has the flag (sysfs tun_flags)" "$(</sys/class/net/tbgstovpn/tun_flags)" \
	"$(printf '0x%x' $((ovpn_asked | iff_persist | iff_backpressure)))"

tb_summary
