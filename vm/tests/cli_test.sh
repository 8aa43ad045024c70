#!/usr/bin/env bash
# Unit test (no boot): ./testbed vm's usage errors, and the host side of a
# run with a stand-in for qemu-system-x86_64 (fake_qemu.sh) and a fake
# cached image: the kernel command line names vm/guest-init.sh, the command,
# its directory and the host's TB_* variables reach the guest's run dir,
# vm.env records variant, patch_hash, image_key and accel, the guest's output
# is streamed without the boot messages, its exit status is vm.sh's; a
# kernel that does not boot gives 125.
set -euo pipefail
root=${1:?usage: cli_test.sh REPO_ROOT}
export TB_ROOT=$root
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"

vm=(bash "$root/vm/vm.sh")
# status CMD...: run CMD, stdout to $tmp/out, stderr to $tmp/err; print its exit status.
status() { exit_status "$tmp/out" "$tmp/err" "$@"; }

expect "vm --help" "$(status "${vm[@]}" --help)" 0
check "vm --help: usage" grep -q '^usage: ./testbed vm ' "$tmp/out"
expect "unknown variant" "$(status "${vm[@]}" --kernel no-such-variant -- true)" 2
check "unknown variant named" grep -qF "unknown kernel variant 'no-such-variant'" "$tmp/err"
expect "no COMMAND" "$(status "${vm[@]}" --kernel stock)" 2
check "missing COMMAND said" grep -qF "missing COMMAND" "$tmp/err"
expect "--timeout 0" "$(status "${vm[@]}" --timeout 0 -- true)" 2
check "--timeout explained" grep -qF -- "--timeout wants a positive number" "$tmp/err"
expect "unknown option" "$(status "${vm[@]}" --frob -- true)" 2
check "unknown option named" grep -qF "unknown option '--frob'" "$tmp/err"

# A cached stock image (fake) where `kernel list` expects it, with an info
# file from before patch_hash was recorded; QEMU replaced by fake_qemu.sh.
# From-source first (the module path below).
export TB_CACHE=$tmp/cache TB_VM_ACCEL=tcg TB_TEST_QEMU_ARGS=$tmp/qemu-args TB_KERNEL_FROM_SOURCE=1
image=$(bash "$root/kernel/build.sh" list | awk '$1 == "stock" { print $4 }')
key=$(bash "$root/kernel/build.sh" list | awk '$1 == "stock" { print $3 }')
mkdir -p "$(dirname "$image")" "$tmp/bin" "$tmp/work" "$tmp/out1" "$tmp/out2"
echo fake >"$image"
printf 'variant=stock\nkey=%s\nrelease=6.12.0-fake\nimage_sha256=abc\n' "$key" >"$(dirname "$image")/info"
ln -s "$root/vm/tests/fake_qemu.sh" "$tmp/bin/qemu-system-x86_64"
export PATH=$tmp/bin:$PATH

# 1. A guest that runs its command: output streamed, exit status passed on.
rc=0
(cd "$tmp/work" && TB_TEST_QEMU_GUEST=1 TB_TEST_MARK=passed TB_ACCEL=host "${vm[@]}" --out "$tmp/out1" -- sh -c 'echo a b') \
	>"$tmp/stdout1" 2>"$tmp/stderr1" || rc=$?
expect "the guest's exit status" "$rc" 3
expect "stdout: the command's output only" "$(cat "$tmp/stdout1")" "hello from the guest"
check "no boot messages on stderr" test "$(grep -c 'Linux version' "$tmp/stderr1")" -eq 0
append=$(grep -A1 -x -- -append "$tmp/qemu-args" | tail -n1)
check "init is vm/guest-init.sh" grep -qF " init=$root/vm/guest-init.sh " <<<"$append"
check "guest-init.sh is executable" test -x "$root/vm/guest-init.sh"
for f in guest-fstab.early guest-fstab.late; do
	check "$f beside guest-init.sh" test -f "$root/vm/$f"
done
check "the kernel gets the out dir, variant and accel" grep -qF " tb_out=$tmp/out1 tb_variant=stock tb_accel=tcg" <<<"$append"
check "QEMU boots the cached image" grep -qxF "$image" "$tmp/qemu-args"

# The host's CPU for the guest (vm/README.md): a line of four tick counts,
# renewed once a second; between two readings around the fake guest's busy
# spell the QEMU process (the fake) used at least a second of CPU time.
rc=0
TB_TEST_QEMU_GUEST=1 TB_TEST_QEMU_BUSY=1 "${vm[@]}" --out "$tmp/out1b" -- true >/dev/null 2>&1 || rc=$?
expect "busy guest: the guest's exit status" "$rc" 3
expect "host-cpu: two readings of four whole numbers" \
	"$(grep -cxE '[0-9]+ [0-9]+ [0-9]+ [0-9]+' "$tmp/out1b/host-cpu.seen")" 2
read -r t0 i0 g0 s0 < <(sed -n 1p "$tmp/out1b/host-cpu.seen")
read -r t1 i1 g1 s1 < <(sed -n 2p "$tmp/out1b/host-cpu.seen")
check "host-cpu: the guest used >= 1 s of CPU between them ($((g1 - g0)) ticks)" test $((g1 - g0)) -ge 100
check "host-cpu: the host's ticks cover the guest's ($((t1 - t0)) >= $((g1 - g0)) + $((i1 - i0)) idle)" \
	test $((t1 - t0)) -ge $((g1 - g0 + i1 - i0 + s1 - s0 - 2))
expect "the command, NUL-separated" "$(tr '\0' '|' <"$tmp/out1/.vm-run/cmd")" "sh|-c|echo a b|"
expect "the working directory" "$(cat "$tmp/out1/.vm-run/cwd")" "$(cd "$tmp/work" && pwd -P)"
check "host TB_* variables passed" grep -qzx TB_TEST_MARK=passed "$tmp/out1/.vm-run/env"
check "the guest's own TB_ACCEL not passed" test "$(grep -czE '^TB_(VM|VM_OUT|KERNEL_VARIANT|ACCEL)=' "$tmp/out1/.vm-run/env")" -eq 0
envval() { sed -n "s/^$1=//p" "$2/vm.env"; }
expect "vm.env variant" "$(envval variant "$tmp/out1")" stock
expect "vm.env patch_hash (stock: sha256 of nothing)" "$(envval patch_hash "$tmp/out1")" e3b0c44298fc1c14
expect "vm.env image_key" "$(envval image_key "$tmp/out1")" "$key"
expect "vm.env release" "$(envval release "$tmp/out1")" 6.12.0-fake
expect "vm.env accel" "$(envval accel "$tmp/out1")" tcg
expect "vm.env exit_status" "$(envval exit_status "$tmp/out1")" 3
check "vm.env boot_to_command_s is a time" grep -qE '^boot_to_command_s=[0-9]+\.[0-9]$' "$tmp/out1/vm.env"
expect "the image's info gained patch_hash" "$(sed -n 's/^patch_hash=//p' "$(dirname "$image")/info")" e3b0c44298fc1c14

# 2. A kernel that does not boot: 125, said on stderr and in vm.env.
rc=0
"${vm[@]}" --out "$tmp/out2" -- true >"$tmp/stdout2" 2>"$tmp/stderr2" || rc=$?
expect "no exit status reported" "$rc" 125
check "error said" grep -qF "the guest stopped without reporting" "$tmp/stderr2"
expect "vm.env exit_status none" "$(envval exit_status "$tmp/out2")" none
expect "a kernel that does not boot, without an oops: not booted again" "$(envval boot_failures "$tmp/out2")" 0

# 2b. A kernel that oopses during boot, before COMMAND: booted again, at most
# twice; each failed boot's console kept.
mkdir -p "$tmp/out2b" "$tmp/out2c"
echo 1 >"$tmp/oopses"
rc=0
TB_TEST_QEMU_OOPS=$tmp/oopses TB_TEST_QEMU_GUEST=1 "${vm[@]}" --out "$tmp/out2b" -- true >"$tmp/stdout2b" 2>"$tmp/stderr2b" || rc=$?
expect "one oops at boot: the second boot runs COMMAND" "$rc" 3
check "the retry is said, with the oops" grep -qF "the guest kernel died during boot, before COMMAND started (Oops: int3: 0000 [#1] PREEMPT SMP NOPTI); booting again (2 of 3" "$tmp/stderr2b"
expect "vm.env boot_failures" "$(envval boot_failures "$tmp/out2b")" 1
check "the failed boot's console kept" grep -qF "Oops: int3" "$tmp/out2b/vm-console.log.boot-1"
check "the last console is the good boot's" grep -qF "tb-guest: exit status 3" "$tmp/out2b/vm-console.log"
echo 5 >"$tmp/oopses"
rc=0
TB_TEST_QEMU_OOPS=$tmp/oopses TB_TEST_QEMU_GUEST=1 "${vm[@]}" --out "$tmp/out2c" -- true >"$tmp/stdout2c" 2>"$tmp/stderr2c" || rc=$?
expect "oopses at every boot: three boots, then 125" "$rc $(cat "$tmp/oopses")" "125 2"
expect "two retries said" "$(grep -c "booting again" "$tmp/stderr2c")" 2
expect "vm.env boot_failures (three boots)" "$(envval boot_failures "$tmp/out2c")" 2

# 3. The module path (the default): a fake unpacked Debian kernel and a fake
# stock tun.ko where kernel/debian.sh expects them; QEMU gets Debian's
# vmlinuz, an initramfs packed from the fake init and modules, and the
# command line names the module root and the tun.ko to load.
export TB_KERNEL_FROM_SOURCE=0 TB_BUILD=$tmp/build
lib() { bash -c 'source "$TB_ROOT/kernel/kernel-lib.sh" && "$@"' _ "$@"; }
debdir=$(lib tb_deb_dir)
release=$(lib tb_deb_release)
moddir=$(lib tb_deb_module_dir stock)
check "the Debian dir is under the cache" test "${debdir#"$TB_CACHE"/kernel/debian/"$release"-}" != "$debdir"
mkdir -p "$debdir/root/boot" "$moddir" "$TB_BUILD/kernel/initramfs" "$tmp/out3"
echo fake-vmlinuz >"$debdir/root/boot/vmlinuz-$release"
printf 'vmlinuz_sha256=def\n' >"$debdir/info"
touch "$debdir/ready"
for m in fs/netfs/netfs net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p fs/overlayfs/overlay; do
	mkdir -p "$debdir/root/lib/modules/$release/kernel/$(dirname "$m")"
	echo "fake $m" >"$debdir/root/lib/modules/$release/kernel/$m.ko"
done
printf '#!/bin/sh\n' >"$TB_BUILD/kernel/initramfs/tb-initramfs-init"
chmod +x "$TB_BUILD/kernel/initramfs/tb-initramfs-init"
echo fake-ko >"$moddir/tun.ko"
printf 'variant=stock\nkey=k1\npatch_hash=e3b0c44298fc1c14\nrelease=%s\nkernel_image=debian linux-image-fake 1.0\nmodule_sha256=m1\n' \
	"$release" >"$moddir/info"
rc=0
TB_TEST_QEMU_GUEST=1 "${vm[@]}" --out "$tmp/out3" -- true >"$tmp/stdout3" 2>"$tmp/stderr3" || rc=$?
expect "module path: the guest's exit status" "$rc" 3
check "module path: QEMU boots Debian's vmlinuz" grep -qxF "$debdir/root/boot/vmlinuz-$release" "$tmp/qemu-args"
initrd=$(grep -A1 -x -- -initrd "$tmp/qemu-args" | tail -n1)
check "module path: an initramfs in the Debian dir" test "${initrd#"$debdir"/initramfs-}" != "$initrd"
expect "module path: the initramfs holds init and the modules in order" \
	"$(cpio -it --quiet <"$initrd" | tr '\n' ' ')" \
	"init modules modules/9p.ko modules/9pnet.ko modules/9pnet_virtio.ko modules/netfs.ko modules/order modules/overlay.ko "
expect "module path: load order" "$(cpio -i --quiet --to-stdout modules/order <"$initrd" | tr '\n' ' ')" \
	"netfs.ko 9pnet.ko 9pnet_virtio.ko 9p.ko overlay.ko "
append=$(grep -A1 -x -- -append "$tmp/qemu-args" | tail -n1)
check "module path: module root and tun.ko on the command line" \
	grep -qF " tb_modroot=$debdir/root tb_tun=$moddir/tun.ko" <<<"$append"
expect "module path: vm.env kernel_path" "$(envval kernel_path "$tmp/out3")" modules
expect "module path: vm.env kernel_image" "$(envval kernel_image "$tmp/out3")" "debian linux-image-fake 1.0"
expect "module path: vm.env release" "$(envval release "$tmp/out3")" "$release"
expect "module path: vm.env image_key (the module's)" "$(envval image_key "$tmp/out3")" k1
expect "module path: vm.env image_sha256 (vmlinuz)" "$(envval image_sha256 "$tmp/out3")" def
expect "module path: vm.env module_sha256" "$(envval module_sha256 "$tmp/out3")" m1
expect "module path: the guest's module list" "$(cat "$tmp/out3/.vm-run/modules")" "stock $moddir"

tb_summary
