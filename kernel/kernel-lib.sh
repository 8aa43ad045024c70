# shellcheck shell=bash
# Shared by kernel/build.sh, vm/vm.sh and kernel/selftest.sh: where the
# kernel source, build tree and images live, and the cache keys that name
# them. The variants themselves come from kernel/variants.sh.
#
# Layout under $TB_CACHE/kernel/:
#   tree-<treekey>/src/        one build tree per (source version, config fragment)
#   tree-<treekey>/pristine/   untouched copies of the files a patch changed
#   tree-<treekey>/applied     variant whose patches are in src/ now
#   tree-<treekey>/build.log   make output of the last build
#   images/<variant>-<key>/    bzImage, config, info (release, key, hashes)
#   patchwork/                 scratch git repo used to (re)generate patches
# <key> hashes the tree key plus the variant's patch files, so editing a patch,
# the fragment or upgrading linux-source-6.12 selects a new image.

# shellcheck source=scripts/lib.sh
source "$TB_ROOT/scripts/lib.sh"
# shellcheck source=kernel/variants.sh
source "$TB_ROOT/kernel/variants.sh"

TB_KERNEL_TARBALL=${TB_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
TB_KERNEL_PKG=linux-source-6.12
TB_KERNEL_DIR="$TB_ROOT/kernel"
TB_KERNEL_CACHE="$TB_CACHE/kernel"
TB_KERNEL_FRAGMENT="$TB_KERNEL_DIR/config/testbed.config"
# Bump when the way a tree is prepared changes (forces a fresh tree).
TB_KERNEL_RECIPE=1

# Cache keys (tree, image): 12 hex digits of sha256.
tb_sha() { sha256sum | cut -c1-12; }

# Version of the kernel source: the Debian package version when dpkg knows it,
# else the tarball's size and mtime.
tb_kernel_source_version() {
	if [ -n "${_tb_kernel_srcver:-}" ]; then
		printf '%s\n' "$_tb_kernel_srcver"
		return 0
	fi
	local v
	v=$(dpkg-query -W -f='${Version}' "$TB_KERNEL_PKG" 2>/dev/null || true)
	if [ -z "$v" ]; then
		[ -f "$TB_KERNEL_TARBALL" ] || tb_die "kernel source $TB_KERNEL_TARBALL is missing (apt-get install $TB_KERNEL_PKG, or ./testbed setup)"
		v=$(stat -c 'tar-%s-%Y' "$TB_KERNEL_TARBALL")
	fi
	printf '%s\n' "$v"
}

# Asked for often (every cache key, each in a subshell): the scripts that
# compute keys call this once at their start. Not done on sourcing: the
# guest's per-run scripts source this file too, and dpkg-query reading the
# package database costs seconds there under TCG.
tb_kernel_srcver_init() { _tb_kernel_srcver=$(tb_kernel_source_version 2>/dev/null || true); }

tb_kernel_tree_key() {
	{
		echo "recipe $TB_KERNEL_RECIPE"
		echo "source $(tb_kernel_source_version)"
		cat "$TB_KERNEL_FRAGMENT"
	} | tb_sha
}

tb_kernel_tree() { printf '%s\n' "$TB_KERNEL_CACHE/tree-$(tb_kernel_tree_key)"; }

tb_kernel_image_key() {
	local variant=$1
	{
		echo "tree $(tb_kernel_tree_key)"
		echo "variant $variant"
		tb_kernel_patch_digest_input "$variant"
	} | tb_sha
}

# The variant's patches as a cache key's input: each file's name and content,
# in apply order (shared by the image and the module keys).
tb_kernel_patch_digest_input() {
	local f
	while read -r f; do
		echo "patch $(basename "$f")"
		cat "$f"
	done < <(tb_kernel_patch_files "$1")
}

tb_kernel_image_dir() { printf '%s\n' "$TB_KERNEL_CACHE/images/$1-$(tb_kernel_image_key "$1")"; }

# Which kernel the guests boot: "modules" (the default: Debian's prebuilt
# kernel with the variant's tun.ko, kernel/debian.sh) or "source" (a kernel
# built from linux-source-6.12 per variant; TB_KERNEL_FROM_SOURCE=1, for
# variants that patch built-in code). The two faults once seen on the module
# path (kernel/README.md) are guarded against per run: a guest kernel that
# oopsed or warned makes the run invalid (lib/validity.c, kernel taint).
tb_kernel_path() {
	if [ "${TB_KERNEL_FROM_SOURCE:-0}" = 1 ]; then echo source; else echo modules; fi
}

# shellcheck source=kernel/debian.sh
source "$TB_ROOT/kernel/debian.sh"
