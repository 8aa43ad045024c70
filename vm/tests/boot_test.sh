#!/usr/bin/env bash
# VM test: boot a kernel variant under QEMU via ./testbed vm and check what
# the interface promises: 2 CPUs, the results share writable at the same path
# (also under /tmp, which the guest overlays), the working directory, the
# environment, vm.env read from the guest (patch_hash), exit status
# propagation, and a guest that runs past --timeout killed with a clear error
# and no QEMU left behind.
# On the module path (the default) the release is Debian's and the loaded
# tun.ko must name the variant; with TB_KERNEL_FROM_SOURCE=1 the release
# names the variant and tun is built in.
# usage: boot_test.sh REPO_ROOT VARIANT [--quick]   (--quick: boot + exit status only)
set -euo pipefail
root=${1:?usage: boot_test.sh REPO_ROOT VARIANT [--quick]}
variant=${2:?usage: boot_test.sh REPO_ROOT VARIANT [--quick]}
quick=${3:-}
export TB_ROOT=$root
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"

tmp=$(mktemp -d /tmp/tb-vmtest-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
vm() { bash "$root/testbed" vm --kernel "$variant" "$@"; }

# 1. CPUs, release, environment, cwd, and the share at the same path.
out="$tmp/out1"
mkdir -p "$out" "$tmp/work"
rc=0
# shellcheck disable=SC2016 # expanded by the guest's shell
(cd "$tmp/work" && vm --out "$out" --timeout 300 -- sh -c '
	echo "nproc=$(nproc)"
	echo "release=$(uname -r)"
	echo "tun=$(cat /sys/module/tun/parameters/tb_variant 2>/dev/null || echo none)/$TB_KERNEL_PATH"
	echo "env=$TB_VM/$TB_KERNEL_VARIANT/$TB_ACCEL/$TB_VM_OUT"
	echo "cwd=$(pwd)"
	grep "^patch_hash=" "$TB_VM_OUT/vm.env"
	echo written-in-guest >"$TB_VM_OUT/from-guest.txt"
	touch /tmp/guest-tmp-is-writable && echo tmp=ok
	ip netns add tb-vmtest && ip netns del tb-vmtest && echo netns=ok
') >"$tmp/stdout1" 2>"$tmp/stderr1" || rc=$?
check "command exited 0 (got $rc)" [ "$rc" -eq 0 ]
check_line() { check "guest printed '$1'" grep -qxF -- "$1" "$tmp/stdout1"; }
check_line "nproc=2"
check_line "env=1/$variant/$(sed -n 's/^accel=//p' "$out/vm.env")/$out"
check_line "cwd=$tmp/work"
check_line "tmp=ok"
# The variant's patches in apply order, hashed (stock: none).
want_hash=$(find "$root/kernel/patches/$variant" -name '*.patch' | LC_ALL=C sort | xargs -r cat | sha256sum | cut -c1-16)
check_line "patch_hash=$want_hash"
check_line "netns=ok"
if [ "${TB_KERNEL_FROM_SOURCE:-0}" = 1 ]; then
	check "kernel release names $variant" grep -qx "release=.*-tb-$variant" "$tmp/stdout1"
	check_line "tun=none/source"
	expect "vm.env kernel_path" "$(sed -n 's/^kernel_path=//p' "$out/vm.env")" source
else
	# Debian's release for the version of linux-source-6.12 (6.12.117-1~deb12u1
	# -> 6.12.117+deb12-amd64).
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
	debnum=${srcver##*~deb}
	want_release="${srcver%%-*}+deb${debnum%%u*}-amd64"
	check_line "release=$want_release"
	check_line "tun=$variant/modules"
	expect "vm.env kernel_path" "$(sed -n 's/^kernel_path=//p' "$out/vm.env")" modules
	expect "vm.env kernel_image" "$(sed -n 's/^kernel_image=//p' "$out/vm.env")" \
		"debian linux-image-${want_release%-amd64}-amd64-unsigned $srcver"
	check "vm.env module_sha256 is the loaded file's" grep -qx "module_sha256=$(sha256sum <"$(sed -n "s/^$variant //p" "$out/.vm-run/modules")/tun.ko" | cut -d' ' -f1)" "$out/vm.env"
fi
check "out share written at the same path" grep -qx written-in-guest "$out/from-guest.txt"
check "vm.exit holds 0" grep -qx 0 "$out/vm.exit"
for key in variant patch_hash release kernel_path kernel_image image_key image_sha256 accel boot_to_command_s; do
	check "vm.env has $key" grep -q "^$key=." "$out/vm.env"
done
check "no boot messages on stdout" test "$(grep -c "Linux version\|^\[ " "$tmp/stdout1")" -eq 0
check "guest /tmp is private" test ! -e /tmp/guest-tmp-is-writable
if [ "$tb_failed" -gt 0 ]; then
	echo "--- stdout"; cat "$tmp/stdout1"; echo "--- stderr"; cat "$tmp/stderr1"
fi

# 2. Exit status propagation, default out dir.
rc=0
vm --timeout 300 -- sh -c 'echo seven; exit 7' >"$tmp/stdout2" 2>"$tmp/stderr2" || rc=$?
check "exit 7 propagated (got $rc)" [ "$rc" -eq 7 ]
check "stdout is exactly the command's output" [ "$(cat "$tmp/stdout2")" = seven ]

if [ "$quick" != --quick ]; then
	# 3. A guest that runs past --timeout: killed, clear error, no QEMU left.
	out="$tmp/out3"
	mkdir -p "$out"
	rc=0
	start=$(tb_now)
	vm --out "$out" --timeout 25 -- sh -c 'echo sleeping; sleep 600' >"$tmp/stdout3" 2>"$tmp/stderr3" || rc=$?
	took=$(tb_elapsed "$start")
	check "timeout gives 124 (got $rc after $took s)" [ "$rc" -eq 124 ]
	check "timeout error is clear" grep -qF "guest did not finish within 25 s" "$tmp/stderr3"
	check "output streamed before the timeout" grep -qxF sleeping "$tmp/stdout3"
	sleep 1
	check "no QEMU left behind" test -z "$(pgrep -f -- "path=$out" || true)"
	check "vm.env records the timeout" grep -qx "timed_out=1" "$out/vm.env"
	if [ "$tb_failed" -gt 0 ]; then
		echo "--- stdout"; cat "$tmp/stdout3"; echo "--- stderr"; cat "$tmp/stderr3"
	fi
fi

tb_summary
