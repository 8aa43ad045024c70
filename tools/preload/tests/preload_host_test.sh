#!/usr/bin/env bash
# libtb-backpressure.so on this host's kernel, which lacks IFF_BACKPRESSURE:
# TUNGETFEATURES lacks 0x0080, the flags TUNGETIFF reads back are the same
# with and without the preload (IFF_TUN | IFF_NO_PI = 0x1001: TUNGETIFF
# returns the device's flags, the ones TUNSETIFF set), and with
# TB_BACKPRESSURE_PRELOAD_LOG=1 it says the kernel lacks the feature.
# Then over a fake kernel layer (libtb-fake-tun-kernel.so, preloaded after
# it) that reports the flag: the library asks TUNGETFEATURES once, before
# the first TUNSETIFF, adds 0x0080 to every TUNSETIFF, leaves the caller's
# ifreq flags as written, and retries without the flag when it is refused.
set -euo pipefail
usage='usage: preload_host_test.sh TB_TUN_OPEN LIBTB_BACKPRESSURE_SO LIBTB_FAKE_TUN_KERNEL_SO'
tun_open=${1:?$usage}
lib=${2:?$usage}
fake=${3:?$usage}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"

for f in "$tun_open" "$lib" "$fake"; do
	[ -f "$f" ] || { echo "FAIL: $f not found (build the testbed)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "FAIL: needs root (network namespace, TUN)" >&2; exit 1; }

ns=tbpre-$$
dir=$(mktemp -d)
trap 'ip netns del "$ns" 2>/dev/null || true; rm -rf "$dir"' EXIT
ip netns add "$ns"

# run NAME_OF_OUTPUT [ENV=VALUE...] -- DEVICE...: tb-tun-open in the
# namespace (each run's devices go when it exits).
run() {
	local out=$1 envs=()
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	ip netns exec "$ns" env "${envs[@]}" "$tun_open" "$@" >"$dir/$out" 2>"$dir/$out.err"
}
# field NAME FILE: the values of "NAME value" lines, one per device.
field() { sed -n "s/^$1 //p" "$2"; }

iff_tun=0x0001 iff_no_pi=0x1000 iff_backpressure=0x0080
asked=$(printf '0x%04x' $((iff_tun | iff_no_pi)))
with_flag=$(printf '0x%04x' $((iff_tun | iff_no_pi | iff_backpressure)))

# The real kernel.
run plain -- tbpre0
run pre LD_PRELOAD="$lib" -- tbpre1
run log LD_PRELOAD="$lib" TB_BACKPRESSURE_PRELOAD_LOG=1 -- tbpre2
features=$(field features "$dir/plain")
check "TUNGETFEATURES printed" test -n "$features"
check "TUNGETFEATURES has IFF_TUN and IFF_NO_PI" test $(((features & (iff_tun | iff_no_pi)) == (iff_tun | iff_no_pi))) -eq 1
expect "this kernel lacks IFF_BACKPRESSURE" "$(((features & iff_backpressure) != 0))" 0
expect "flags read back without the preload" "$(field flags "$dir/plain")" "$asked"
expect "flags read back with the preload: unchanged" "$(field flags "$dir/pre")" "$asked"
expect "flags read back with the preload and its log" "$(field flags "$dir/log")" "$asked"
expect "the preload leaves TUNGETFEATURES alone" "$(field features "$dir/pre")" "$features"
expect "the name the kernel wrote back reaches the caller" "$(field name "$dir/pre")" tbpre1
expect "silent without TB_BACKPRESSURE_PRELOAD_LOG" "$(cat "$dir/pre.err")" ""
expect "the log says the kernel lacks the feature" "$(cat "$dir/log.err")" \
	"tb-backpressure: TUNSETIFF tbpre2: kernel lacks IFF_BACKPRESSURE (TUNGETFEATURES $features); flags $asked unchanged"

# A fake kernel layer that reports the flag; two devices in one process.
both="$lib $fake"
run fake LD_PRELOAD="$both" TB_FAKE_FEATURES_ADD=0x0080 TB_BACKPRESSURE_PRELOAD_LOG=1 -- tbpre3 tbpre4
expect "over the fake: the flag is added to each TUNSETIFF, asked once before the first" \
	"$(cat "$dir/fake.err")" "fake: TUNGETFEATURES
fake: TUNSETIFF $with_flag
tb-backpressure: TUNSETIFF tbpre3: IFF_BACKPRESSURE added (flags $asked -> $with_flag)
fake: TUNGETFEATURES
fake: TUNSETIFF $with_flag
tb-backpressure: TUNSETIFF tbpre4: IFF_BACKPRESSURE added (flags $asked -> $with_flag)
fake: TUNGETFEATURES"
expect "over the fake: the caller's ifreq keeps the flags it wrote" "$(field asked "$dir/fake" | sort -u)" "$asked"
expect "over the fake: both devices made, names written back" "$(field name "$dir/fake" | tr '\n' ' ')" "tbpre3 tbpre4 "
run refused LD_PRELOAD="$both" TB_FAKE_FEATURES_ADD=0x0080 TB_FAKE_EINVAL_WITH=0x0080 \
	TB_BACKPRESSURE_PRELOAD_LOG=1 -- tbpre5
expect "a TUNSETIFF refused with the flag is retried as the program asked" \
	"$(cat "$dir/refused.err")" "fake: TUNGETFEATURES
fake: TUNSETIFF $with_flag
tb-backpressure: TUNSETIFF tbpre5: refused with IFF_BACKPRESSURE (EINVAL); retried with flags $asked unchanged
fake: TUNSETIFF $asked
fake: TUNGETFEATURES"
expect "the retried device exists" "$(field flags "$dir/refused")" "$asked"
run nolog LD_PRELOAD="$both" TB_FAKE_FEATURES_ADD=0x0080 -- tbpre6
expect "over the fake without the log: only the fake's lines" "$(grep -vc '^fake: ' "$dir/nolog.err" || true)" 0

# OpenVPN (it makes its TUN through libc's ioctl): --mktun creates a
# persistent device with IFF_TUN | IFF_NO_PI | IFF_ONE_QUEUE (0x3001) and
# exits. On this kernel nothing changes; over the fake it passes the flag.
command -v openvpn >/dev/null || { echo "FAIL: openvpn not installed (./testbed setup)" >&2; exit 1; }
ovpn_asked=0x3001 iff_persist=0x0800
ovpn() { # NAME DEVICE ENV...: openvpn --mktun in the namespace
	local out=$1 name=$2
	shift 2
	ip netns exec "$ns" env "$@" openvpn --mktun --dev "$name" --dev-type tun >"$dir/$out" 2>"$dir/$out.err"
}
ovpn ovpn0 tbovpn0 TB_BACKPRESSURE_PRELOAD_LOG=1
ovpn ovpn1 tbovpn1 LD_PRELOAD="$lib" TB_BACKPRESSURE_PRELOAD_LOG=1
ovpn ovpn2 tbovpn2 LD_PRELOAD="$both" TB_FAKE_FEATURES_ADD=0x0080 TB_BACKPRESSURE_PRELOAD_LOG=1
sysfs_flags() { ip netns exec "$ns" cat "/sys/class/net/$1/tun_flags"; }
want_ovpn=$(printf '0x%x' $((ovpn_asked | iff_persist)))
expect "OpenVPN's device without the preload" "$(sysfs_flags tbovpn0)" "$want_ovpn"
expect "OpenVPN's device with the preload: unchanged" "$(sysfs_flags tbovpn1)" "$want_ovpn"
expect "OpenVPN with the preload: the log" "$(cat "$dir/ovpn1.err")" \
	"tb-backpressure: TUNSETIFF tbovpn1: kernel lacks IFF_BACKPRESSURE (TUNGETFEATURES $features); flags $ovpn_asked unchanged"
expect "OpenVPN over the fake: its TUNSETIFF carries the flag" "$(grep -E '^(fake|tb-backpressure): TUNSETIFF' "$dir/ovpn2.err")" \
	"fake: TUNSETIFF $(printf '0x%04x' $((ovpn_asked | iff_backpressure)))
tb-backpressure: TUNSETIFF tbovpn2: IFF_BACKPRESSURE added (flags $ovpn_asked -> $(printf '0x%04x' $((ovpn_asked | iff_backpressure))))"

tb_summary
