#!/usr/bin/env bash
# Host test (builds, boots nothing): ./testbed kernel module --for RELEASE
# against the Debian headers the module path unpacked into the cache
# (./testbed kernel build prepares them; missing = failure): the tun.ko has
# RELEASE's vermagic and names the variant and its patch hash (computed here
# from the patch files); the DKMS tree builds the same module with the MAKE
# line of its dkms.conf; another kernel without --source, missing headers,
# and a tun.c the patch does not fit are refused with what to do.
set -euo pipefail
root=${1:?usage: module_for_test.sh REPO_ROOT}
export TB_ROOT=$root
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
export TB_KERNEL_FROM_SOURCE=0
lib() { bash -c 'source "$TB_ROOT/kernel/kernel-lib.sh" && "$@"' _ "$@"; }
status() {
	local rc=0
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	echo "$rc"
}
km=(bash "$root/testbed" kernel module)
release=$(lib tb_deb_release)
headers=$(lib tb_deb_headers)
if [ ! -f "$headers/Makefile" ]; then
	echo "FAIL: no unpacked Debian headers at $headers (run ./testbed kernel build first)" >&2
	exit 1
fi
want_hash=$(cat "$root"/kernel/patches/nodrop-v2/*.patch | sha256sum | cut -c1-16)

expect "module for Debian's release" \
	"$(status "${km[@]}" --for "$release" --headers "$headers" --variant nodrop-v2 --out "$tmp/m" --dkms "$tmp/dkms")" 0
cat "$tmp/err" >&2
expect "vermagic" "$(modinfo -F vermagic "$tmp/m/tun.ko" | cut -d' ' -f1)" "$release"
expect "tb_variant" "$(modinfo -F tb_variant "$tmp/m/tun.ko")" nodrop-v2
expect "tb_patch_hash" "$(modinfo -F tb_patch_hash "$tmp/m/tun.ko")" "$want_hash"
check "info names the release" grep -qx "release=$release" "$tmp/m/info"
check "load instructions printed" grep -qF "insmod $tmp/m/tun.ko" "$tmp/out"

# The DKMS tree, built the way dkms would (its MAKE line, its variables).
check "dkms.conf written" test -f "$tmp/dkms/dkms.conf"
check "dkms: package per variant" grep -qx 'PACKAGE_NAME="tun-nodrop-v2"' "$tmp/dkms/dkms.conf"
check "dkms: no autoinstall" grep -qx 'AUTOINSTALL="no"' "$tmp/dkms/dkms.conf"
regex=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$tmp/dkms/dkms.conf")
check "dkms: $release matches $regex" grep -qE "$regex" <<<"$release"
check "dkms: 6.12.1170 does not" test "$(grep -cE "$regex" <<<"6.12.1170-amd64")" -eq 0
check "dkms: 6.1.0-28-amd64 does not" test "$(grep -cE "$regex" <<<"6.1.0-28-amd64")" -eq 0
make_line=$(sed -n 's/^MAKE\[0\]="\(.*\)"$/\1/p' "$tmp/dkms/dkms.conf")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$tmp/dkms/dkms.conf")
mkdir -p "$tmp/dkmstree/tun-nodrop-v2/$version"
cp -r "$tmp/dkms" "$tmp/dkmstree/tun-nodrop-v2/$version/build"
(
	kernel_source_dir=$headers dkms_tree=$tmp/dkmstree PACKAGE_NAME=tun-nodrop-v2 PACKAGE_VERSION=$version
	export kernel_source_dir dkms_tree PACKAGE_NAME PACKAGE_VERSION
	bash -c "$make_line" >"$tmp/dkms.log" 2>&1
) || { tail "$tmp/dkms.log" >&2; true; }
built=$tmp/dkmstree/tun-nodrop-v2/$version/build/tun.ko
check "dkms MAKE line builds tun.ko" test -f "$built"
expect "dkms tun.ko names the variant" "$(modinfo -F tb_variant "$built" 2>/dev/null)" nodrop-v2

# Refusals.
mkdir -p "$tmp/fakehdr"
touch "$tmp/fakehdr/Makefile"
expect "another kernel without --source" "$(status "${km[@]}" --for 6.1.0-28-amd64 --headers "$tmp/fakehdr")" 1
# the upstream version of the installed linux-source package (Debian moves it:
# 6.12.117, then 6.12.118), read here with dpkg, not with the testbed's code
upstream=$(dpkg-query -W -f='${Version}' linux-source-6.12)
upstream=${upstream%%-*}
check "says which tun.c the patch needs" grep -qF "patches are made for the tun.c of $upstream (" "$tmp/err"
check "says how to give it" grep -qF "give its own tun.c with --source" "$tmp/err"
expect "no headers" "$(status "${km[@]}" --for 6.1.0-99-amd64)" 1
check "says to install them" grep -qF "apt-get install linux-headers-6.1.0-99-amd64" "$tmp/err"
src=$(lib tb_deb_modsrc)
sed 's/^\tnf_reset_ct(skb);$/\tnf_reset_ct_changed(skb);/' "$src/drivers/net/tun.c" >"$tmp/tun-other.c"
check "the stand-in tun.c differs" test "$(cmp -s "$tmp/tun-other.c" "$src/drivers/net/tun.c" && echo same)" != same
expect "a tun.c the patch does not fit" \
	"$(status "${km[@]}" --for 6.1.0-28-amd64 --headers "$tmp/fakehdr" --variant nodrop-v2 --source "$tmp/tun-other.c")" 1
check "refusal names the failing hunk" grep -qF "FAILED" "$tmp/err"
check "refusal says it is not ported" grep -qF "does not apply to the tun.c of 6.1.0-28-amd64" "$tmp/err"

tb_summary
