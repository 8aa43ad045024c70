#!/usr/bin/env bash
# VM test (module path): one boot of Debian's kernel with stock's tun.ko,
# then kernel/tun-switch.sh stock -> nodrop-v2 -> stock, a TUN flood after
# each, and the drop pattern must change each time:
#   stock      ring 25 + "pfifo limit 25000", reader 10x slower than the
#              bursty sender: the ring overflows, every lost packet is a ring
#              drop (the tail drop bypasses the deep qdisc);
#   nodrop-v2  the same flood loses nothing: the queue stops, pfifo holds.
# Also: the loaded module names its variant and patch hash (the sha256 of
# the variant's patch files, computed here); a holder of /dev/net/tun makes
# the switch fail naming it, --kill ends it; a loaded vhost_net (which uses
# tun) is unloaded and loaded again on the new tun; an unbuilt variant is
# refused.
# usage: switch_test.sh REPO_ROOT TB_TUNFLOOD
set -euo pipefail
root=${1:?usage: switch_test.sh REPO_ROOT TB_TUNFLOOD}
tool=${2:?usage: switch_test.sh REPO_ROOT TB_TUNFLOOD}
export TB_ROOT=$root
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
[ -x "$tool" ] || { echo "FAIL: tb-tunflood not found at $tool" >&2; exit 1; }
export TB_KERNEL_FROM_SOURCE=0 # the module path: switching needs it

tmp=$(mktemp -d /tmp/tb-switchtest-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bash "$root/testbed" kernel build stock >/dev/null 2>&1
bash "$root/testbed" kernel build nodrop-v2 >/dev/null 2>&1
out=$tmp/out
mkdir -p "$out"
cp "$tool" "$out/tb-tunflood"

# The guest's script: floods write phase-N.json, switches switch-N.out.
cat >"$out/guest.sh" <<'GUEST'
set -u
out=$TB_VM_OUT
sw=$TB_ROOT/kernel/tun-switch.sh
flood() {
	"$out/tb-tunflood" --new-netns --ring 25 --qdisc "pfifo limit 25000" --count 1000 --burst 100 \
		--rate 10000 --reader-rate 1000 --size 1200 --blocking --reader blocking \
		--send-timeout 5 --drain-idle 300 --drain-timeout 10 >"$out/phase-$1.json" 2>"$out/phase-$1.err"
	echo "flood $1 exit $?"
}
bash "$sw" --show >"$out/show-0.out"
flood 1
sleep 600 3<>/dev/net/tun &
holder=$!
sleep 0.5
bash "$sw" nodrop-v2 >"$out/switch-busy.out" 2>"$out/switch-busy.err"
echo "busy switch exit $?"
echo "holder $holder" >"$out/holder"
bash "$sw" --kill nodrop-v2 >"$out/switch-1.out" 2>"$out/switch-1.err"
echo "switch 1 exit $?"
if kill -0 "$holder" 2>/dev/null; then echo "holder alive"; else echo "holder gone"; fi
bash "$sw" --show >"$out/show-1.out"
flood 2
# vhost_net uses tun: unloaded before the switch, loaded again after.
modprobe -d "$(</run/tb-modroot)" vhost_net && echo "vhost_net loaded"
bash "$sw" stock >"$out/switch-2.out" 2>"$out/switch-2.err"
echo "switch 2 exit $?"
if [ -e /sys/module/tun/holders/vhost_net ]; then echo "vhost_net uses the new tun"; fi
bash "$sw" --show >"$out/show-2.out"
flood 3
bash "$sw" no-such-variant >/dev/null 2>"$out/switch-bad.err"
echo "bad switch exit $?"
GUEST

rc=0
bash "$root/testbed" vm --kernel stock --out "$out" --timeout 600 -- bash "$out/guest.sh" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
check "guest ran (exit $rc)" [ "$rc" -eq 0 ]
expect "booted on the module path" "$(sed -n 's/^kernel_path=//p' "$out/vm.env")" modules

hash_of() { find "$root/kernel/patches/$1" -name '*.patch' | LC_ALL=C sort | xargs -r cat | sha256sum | cut -c1-16; }
stock_hash=$(hash_of stock)
v2_hash=$(hash_of nodrop-v2)
expect "stock's hash is that of nothing" "$stock_hash" e3b0c44298fc1c14
expect "booted with stock loaded" "$(cat "$out/show-0.out")" "variant=stock patch_hash=$stock_hash"
expect "after switch 1" "$(cat "$out/show-1.out")" "variant=nodrop-v2 patch_hash=$v2_hash"
expect "after switch 2" "$(cat "$out/show-2.out")" "variant=stock patch_hash=$stock_hash"
for n in 1 2; do
	check "switch $n exit 0" grep -qx "switch $n exit 0" "$tmp/stdout"
done
check "switch 1 printed the new module" grep -q "^variant=nodrop-v2 patch_hash=$v2_hash module_sha256=[0-9a-f]\{64\} switch_s=" "$out/switch-1.out"
check "switch 1 said old -> new" grep -q "^tun-switch: stock -> nodrop-v2 (patch $v2_hash) in " "$out/switch-1.err"

# A holder of /dev/net/tun: the switch fails and names it; --kill ends it.
check "busy switch failed" grep -qx "busy switch exit 1" "$tmp/stdout"
holder=$(sed -n 's/^holder //p' "$out/holder" 2>/dev/null)
check "busy switch named the holder ($holder)" grep -qF "tun is in use by: $holder(sleep)" "$out/switch-busy.err"
check "--kill ended the holder" grep -qx "holder gone" "$tmp/stdout"
check "vhost_net was loaded before switch 2" grep -qx "vhost_net loaded" "$tmp/stdout"
check "vhost_net came back on the new tun" grep -qx "vhost_net uses the new tun" "$tmp/stdout"
check "unknown variant refused" grep -qx "bad switch exit 1" "$tmp/stdout"
check "unknown variant explained" grep -qF "no module built for variant 'no-such-variant'" "$out/switch-bad.err"

# The drop pattern per phase.
field() { jq -r ".end.$2" "$out/phase-$1.json"; }
for n in 1 2 3; do
	check "flood $n exit 0" grep -qx "flood $n exit 0" "$tmp/stdout"
	expect "flood $n sent all" "$(field "$n" sent)" 1000
	expect "flood $n: nothing unexplained" "$(field "$n" unexplained)" 0
	expect "flood $n: not hung" "$(field "$n" hung)" 0
done
for n in 1 3; do
	ring=$(field "$n" ring_drops)
	check "stock (flood $n) drops in the ring (got $ring)" [ "$ring" -gt 0 ]
	expect "stock (flood $n): every loss is a ring drop" "$(field "$n" lost)" "$ring"
	expect "stock (flood $n): the deep pfifo drops nothing" "$(field "$n" qdisc_drops)" 0
done
expect "nodrop-v2 (flood 2) loses nothing" "$(field 2 lost)" 0
expect "nodrop-v2 (flood 2) no ring drop" "$(field 2 ring_drops)" 0
expect "nodrop-v2 (flood 2) received all" "$(field 2 received)" 1000

if [ "$tb_failed" -gt 0 ]; then
	echo "--- stdout"; cat "$tmp/stdout"; echo "--- stderr"; cat "$tmp/stderr"
	for f in "$out"/switch-*.err "$out"/phase-*.err; do echo "--- $f"; cat "$f"; done
fi
for n in 1 2 3; do
	printf 'flood %s: lost %s, ring %s, qdisc %s\n' "$n" "$(field "$n" lost)" "$(field "$n" ring_drops)" "$(field "$n" qdisc_drops)"
done
printf 'switch times (s): %s\n' "$(sed -n 's/.*switch_s=\([0-9.]*\).*/\1/p' "$out"/switch-[12].out | tr '\n' ' ')"
tb_summary
