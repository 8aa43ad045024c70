#!/usr/bin/env bash
# Unit test (no download, no build, no VM) of the module path
# (kernel/debian.sh): the Debian version and ABI name the packages and the
# release; `kernel list` lists one tun.ko per variant; a variant that patches
# built-in code is refused before anything is fetched; the out-of-tree build
# tree of a variant holds the patched tun.c, its patched headers where they
# shadow the kernel's, vhost_net only when vhost is patched, and the
# variant's name and patch hash for tb_ident.c.
set -euo pipefail
root=${1:?usage: module_cli_test.sh REPO_ROOT}
export TB_ROOT=$root
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
export TB_CACHE=$tmp/cache TB_KERNEL_FROM_SOURCE=0
lib() { bash -c 'source "$TB_ROOT/kernel/kernel-lib.sh" && "$@"' _ "$@"; }
status() {
	local rc=0
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	echo "$rc"
}

# Version and ABI: Debian's naming of its bookworm 6.12 kernels.
export TB_DEBIAN_KERNEL_VERSION=6.12.117-1~deb12u1
expect "ABI of 6.12.117-1~deb12u1" "$(lib tb_deb_abi)" 6.12.117+deb12
expect "release" "$(lib tb_deb_release)" 6.12.117+deb12-amd64
expect "packages, image first" "$(lib tb_deb_packages | tr '\n' ' ')" \
	"linux-image-6.12.117+deb12-amd64-unsigned linux-headers-6.12.117+deb12-amd64 linux-headers-6.12.117+deb12-common linux-kbuild-6.12.117+deb12 "
expect "image description" "$(lib tb_deb_image_desc)" \
	"debian linux-image-6.12.117+deb12-amd64-unsigned 6.12.117-1~deb12u1"
expect "ABI of 6.12.200-3~deb12u4" "$(TB_DEBIAN_KERNEL_VERSION=6.12.200-3~deb12u4 lib tb_deb_abi)" 6.12.200+deb12
expect "an underivable version fails" "$(TB_DEBIAN_KERNEL_VERSION=6.12.57-1 status lib tb_deb_abi)" 1
check "and says how to fix it" grep -qF "set TB_DEBIAN_KERNEL_ABI" "$tmp/err"
expect "TB_DEBIAN_KERNEL_ABI overrides" "$(TB_DEBIAN_KERNEL_VERSION=6.12.57-1 TB_DEBIAN_KERNEL_ABI=6.12.57+deb13 lib tb_deb_release)" \
	6.12.57+deb13-amd64
k1=$(lib tb_deb_module_key nodrop-v2)
expect "module key depends on the Debian version" \
	"$(TB_DEBIAN_KERNEL_VERSION=6.12.117-1~deb12u2 lib tb_deb_module_key nodrop-v2 | grep -cx "$k1")" 0
check "module keys differ per variant" test "$(lib tb_deb_module_key stock)" != "$k1"

# kernel list on the module path.
expect "kernel list" "$(status bash "$root/kernel/build.sh" list)" 0
check "list names the Debian kernel" grep -qxF "# module path: Debian 6.12.117+deb12-amd64 (6.12.117-1~deb12u1)" "$tmp/out"
for v in stock nodrop-v2 nodrop-qdisc backpressure; do
	check "list shows $v's module" grep -qE "^$v +no +[0-9a-f]{12} $TB_CACHE/kernel/modules/$v-[0-9a-f]{12}/tun.ko$" "$tmp/out"
done

# A variant patching built-in code: refused before any download.
mkdir -p "$tmp/patches/core" "$tmp/patches/hdr" "$tmp/patches/vh"
cat >"$tmp/patches/core/0001-core.patch" <<'EOF'
--- a/net/core/dev.c
+++ b/net/core/dev.c
@@ -1 +1 @@
-a
+b
EOF
expect "built-in code refused" "$(TB_KERNEL_PATCHES=$tmp/patches status bash "$root/kernel/build.sh" build core)" 1
check "refusal names the file and --from-source" grep -qF "variant core patches net/core/dev.c, which is built into the kernel, not part of tun.ko: build it with --from-source" "$tmp/err"
check "nothing fetched" test ! -e "$TB_CACHE/kernel/debian/debs"

# The build tree of a variant that patches tun.c and a uapi header, and of
# one that patches vhost: staged files stand in for the patched ones.
src=$tmp/src stage=$tmp/stage
mkdir -p "$src/drivers/net" "$src/drivers/vhost" "$stage/hdr/drivers/net" "$stage/hdr/include/uapi/linux" "$stage/vh/drivers/vhost"
echo pristine-tun >"$src/drivers/net/tun.c"
echo pristine-net >"$src/drivers/vhost/net.c"
echo pristine-vhost-h >"$src/drivers/vhost/vhost.h"
echo patched-tun >"$stage/hdr/drivers/net/tun.c"
echo patched-if-tun >"$stage/hdr/include/uapi/linux/if_tun.h"
echo patched-net >"$stage/vh/drivers/vhost/net.c"
lib tb_deb_module_tree hdr 0123456789abcdef "$stage/hdr" "$src" "$tmp/b1"
expect "hdr: tun_main.c is the patched tun.c" "$(cat "$tmp/b1/tun_main.c")" patched-tun
expect "hdr: the patched header shadows the kernel's" "$(cat "$tmp/b1/include/uapi/linux/if_tun.h")" patched-if-tun
check "hdr: tb_ident.c is ours" cmp -s "$tmp/b1/tb_ident.c" "$root/kernel/module/tb_ident.c"
expect "hdr: Kbuild" "$(grep -v '^#' "$tmp/b1/Kbuild")" "obj-m := tun.o
tun-y := tun_main.o tb_ident.o
CFLAGS_tb_ident.o := -DTB_VARIANT='\"hdr\"' -DTB_PATCH_HASH='\"0123456789abcdef\"'
NOSTDINC_FLAGS := -I\$(src)/include \$(NOSTDINC_FLAGS)"
lib tb_deb_module_tree vh fedcba9876543210 "$stage/vh" "$src" "$tmp/b2"
expect "vh: pristine tun.c" "$(cat "$tmp/b2/tun_main.c")" pristine-tun
expect "vh: patched vhost net.c" "$(cat "$tmp/b2/vhost_net_main.c")" patched-net
expect "vh: pristine vhost.h" "$(cat "$tmp/b2/vhost.h")" pristine-vhost-h
check "vh: vhost_net.ko in Kbuild" grep -qxF "vhost_net-y := vhost_net_main.o tb_ident_vhost.o" "$tmp/b2/Kbuild"
check "hdr: no vhost_net" test "$(grep -c vhost "$tmp/b1/Kbuild")" -eq 0

# Which paths the module path builds.
for f in drivers/net/tun.c drivers/vhost/net.c include/linux/ptr_ring.h include/uapi/linux/if_tun.h; do
	check "$f is module code" lib tb_deb_module_buildable "$f"
done
for f in net/core/dev.c drivers/net/veth.c include/Makefile; do
	check "$f is not" test "$(status lib tb_deb_module_buildable "$f")" = 1
done

tb_summary
