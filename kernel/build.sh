#!/usr/bin/env bash
# ./testbed kernel: build the guest kernels (one per variant), list them, and
# check that their patches apply.
set -euo pipefail
TB_ROOT=${TB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# shellcheck source=kernel/kernel-lib.sh
source "$TB_ROOT/kernel/kernel-lib.sh"
tb_kernel_srcver_init

usage() {
	cat <<'TXT'
usage: ./testbed kernel build [--from-source|--modules] [VARIANT|all]   (default: all)
       ./testbed kernel list [--from-source|--modules]
       ./testbed kernel check [VARIANT|all]   (do the patches apply? builds nothing)
       ./testbed kernel module --for RELEASE [--variant V] ...  (tun.ko for an installed
                                        kernel, and a DKMS tree; see kernel module --help)

Two paths. The default (--modules, or TB_KERNEL_FROM_SOURCE=0) is the
module path: Debian's own prebuilt kernel of the same
version as linux-source-6.12 (linux-image-RELEASE-unsigned, fetched with
apt-get download and unpacked into the cache with dpkg-deb -x: nothing is
installed on the host), and per variant a tun.ko built out of tree against
Debian's headers from linux-source-6.12 plus the variant's patches. The
module names its variant and patch hash (/sys/module/tun/parameters/
tb_variant, tb_patch_hash). Modules are cached under $TB_CACHE/kernel/modules/,
keyed by the Debian kernel, the source version and the patch contents.

--from-source (or TB_KERNEL_FROM_SOURCE=1) builds whole kernels:
linux-source-6.12 with `make tinyconfig` plus kernel/config/testbed.config,
once per variant in kernel/patches/<variant>/ (its *.patch files, git
format-patch form, applied in name order), for variants that touch built-in
code. Images are cached under $TB_CACHE/kernel/images/, keyed by the source
version, the config fragment and the patch contents. Variants share one
build tree; switching restores the patched files from pristine copies and
rebuilds only what changed. make output goes to the tree's build.log; on
failure its tail is printed.
TXT
}

status() { printf 'kernel: %s\n' "$*" >&2; }

# Extract the source and configure it: tinyconfig + fragment, then check that
# every option the fragment sets to y really is y.
prepare_tree() {
	local tree=$1
	[ -f "$tree/configured" ] && return 0
	[ -f "$TB_KERNEL_TARBALL" ] || tb_die "kernel source $TB_KERNEL_TARBALL is missing (./testbed setup installs $TB_KERNEL_PKG)"
	# Trees of other sources/fragments are stale (their images stay cached).
	local old
	for old in "$TB_KERNEL_CACHE"/tree-*; do
		[ -d "$old" ] && [ "$old" != "$tree" ] && status "removing stale build tree $old" && rm -rf "$old"
	done
	rm -rf "$tree"
	mkdir -p "$tree/unpack" "$tree/pristine"
	status "unpacking $(basename "$TB_KERNEL_TARBALL") ($(tb_kernel_source_version)) into $tree"
	tar -C "$tree/unpack" -xf "$TB_KERNEL_TARBALL"
	local top
	top=$(find "$tree/unpack" -mindepth 1 -maxdepth 1 -type d | head -n1)
	[ -f "$top/Makefile" ] || tb_die "unexpected tarball layout in $TB_KERNEL_TARBALL"
	mv "$top" "$tree/src"
	rmdir "$tree/unpack"
	echo stock >"$tree/applied"
	: >"$tree/applied-files"

	status "configuring: tinyconfig + $(basename "$TB_KERNEL_FRAGMENT")"
	{
		make -C "$tree/src" tinyconfig
		"$tree/src/scripts/kconfig/merge_config.sh" -m -O "$tree/src" "$tree/src/.config" "$TB_KERNEL_FRAGMENT"
		make -C "$tree/src" olddefconfig
	} >"$tree/config.log" 2>&1 || {
		tail -n 30 "$tree/config.log" >&2
		tb_die "configuring the kernel failed (log: $tree/config.log)"
	}
	check_config "$tree/src/.config"
	touch "$tree/configured"
}

check_config() {
	local config=$1 opt missing=()
	while read -r opt; do
		grep -qx "$opt=y" "$config" || missing+=("$opt")
	done < <(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=y$/\1/p' "$TB_KERNEL_FRAGMENT")
	if [ "${#missing[@]}" -gt 0 ]; then
		tb_die "config options wanted =y but not set after olddefconfig (missing dependency?): ${missing[*]}"
	fi
}

# Files a patch changes (paths relative to the tree root).
patched_paths() {
	sed -n 's#^+++ b/\([^[:space:]]*\).*#\1#p' "$@" | sort -u
}

# Apply the variant's patches to copies of the pristine files in a staging
# directory; on failure name the patch and the failing hunk. PRISTINE_FN is
# called with a path and must copy the pristine file to its second argument.
stage_variant() {
	local variant=$1 pristine_fn=$2 stage=$3 p out f
	local -a patches
	mapfile -t patches < <(tb_kernel_patch_files "$variant")
	[ "${#patches[@]}" -gt 0 ] || return 0
	while read -r f; do
		mkdir -p "$stage/$(dirname "$f")"
		"$pristine_fn" "$f" "$stage/$f"
	done < <(patched_paths "${patches[@]}")
	for p in "${patches[@]}"; do
		if ! out=$(patch -p1 -d "$stage" --forward --batch --fuzz=0 --no-backup-if-mismatch -r - <"$p" 2>&1); then
			printf '%s\n' "$out" | grep -Ei '^patching file|FAILED|hunk|can.t find|error' >&2 || printf '%s\n' "$out" >&2
			tb_die "variant $variant: patch $(basename "$p") does not apply to $(tb_kernel_source_version) (failing hunk above; file $p)"
		fi
	done
}

# A file not listed in applied-files is untouched in src/, so the first time
# a patch needs it, src/ holds the pristine version: keep a copy of it.
tree_pristine() {
	local f=$1 dest=$2 tree=$TREE
	if [ ! -f "$tree/pristine/$f" ]; then
		[ -f "$tree/src/$f" ] || tb_die "a patch changes $f, which is not in the kernel source (new files are not supported)"
		grep -qxF "$f" "$tree/applied-files" && tb_die "no pristine copy of $f in $tree; delete $tree to start over"
		mkdir -p "$tree/pristine/$(dirname "$f")"
		cp -p "$tree/src/$f" "$tree/pristine/$f"
	fi
	cp "$tree/pristine/$f" "$dest"
}

# The same without saving anything (kernel check runs without the lock).
tree_pristine_ro() {
	local f=$1 dest=$2 tree=$TREE
	if [ -f "$tree/pristine/$f" ]; then
		cp "$tree/pristine/$f" "$dest"
	elif [ -f "$tree/src/$f" ] && ! grep -qxF "$f" "$tree/applied-files"; then
		cp "$tree/src/$f" "$dest"
	else
		tb_die "no pristine copy of $f in $tree"
	fi
}

# Without a configured tree (kernel check on a fresh machine): take the files
# every variant patches from the tarball, in one pass, into $EXTRACTED.
extract_from_tarball() {
	local top f
	local -a members=()
	[ -f "$TB_KERNEL_TARBALL" ] || tb_die "kernel source $TB_KERNEL_TARBALL is missing (./testbed setup installs $TB_KERNEL_PKG)"
	top=$(basename "$TB_KERNEL_TARBALL" .tar.xz)
	while read -r f; do members+=("$top/$f"); done < <(
		for v in $(tb_kernel_variants); do tb_kernel_patch_files "$v"; done | xargs -r cat | patched_paths /dev/stdin)
	[ "${#members[@]}" -gt 0 ] || return 0
	status "extracting ${#members[@]} file(s) from $(basename "$TB_KERNEL_TARBALL")"
	tar -xf "$TB_KERNEL_TARBALL" -C "$EXTRACTED" --strip-components=1 "${members[@]}" 2>/dev/null || true
}
tarball_pristine() {
	[ -f "$EXTRACTED/$1" ] || tb_die "a patch changes $1, which is not in $TB_KERNEL_TARBALL"
	cp "$EXTRACTED/$1" "$2"
}

# Make src/ hold exactly the variant: each file a patch touches (now or for the
# previously applied variant) becomes the staged or pristine version. Files
# whose content does not change keep their mtime, so make rebuilds only what
# really changed; changed files get a new mtime (a plain cp), so make sees them.
switch_variant() {
	local variant=$1 tree=$2 stage f want
	stage=$(mktemp -d "$tree/stage.XXXXXX")
	TREE=$tree
	stage_variant "$variant" tree_pristine "$stage" || { rm -rf "$stage"; return 1; }
	local -a new_files
	mapfile -t new_files < <(cd "$stage" && find . -type f | sed 's#^\./##' | sort)
	# Record the union first: an interrupted switch still knows what to restore.
	{ cat "$tree/applied-files"; printf '%s\n' "${new_files[@]}"; } | sed '/^$/d' | sort -u >"$tree/applied-files.new"
	mv "$tree/applied-files.new" "$tree/applied-files"
	echo "switching" >"$tree/applied"
	while read -r f; do
		if [ -f "$stage/$f" ]; then want="$stage/$f"; else want="$tree/pristine/$f"; fi
		cmp -s "$want" "$tree/src/$f" || cp "$want" "$tree/src/$f"
	done <"$tree/applied-files"
	printf '%s\n' "${new_files[@]}" | sed '/^$/d' >"$tree/applied-files"
	echo "$variant" >"$tree/applied"
	rm -rf "$stage"
}

# Images built before the info file recorded the patch hash get it added
# (the image key covers the patch files, so the hash is the image's).
info_add_patch_hash() {
	local variant=$1 imgdir=$2
	grep -q '^patch_hash=' "$imgdir/info" && return 0
	{ cat "$imgdir/info"; echo "patch_hash=$(tb_kernel_patch_hash "$variant")"; } >"$imgdir/info.tmp.$$"
	mv "$imgdir/info.tmp.$$" "$imgdir/info"
}

# One kernel or module build at a time per cache (fd 9 stays open, and the
# lock held, until the script exits).
take_build_lock() {
	mkdir -p "$TB_KERNEL_CACHE"
	exec 9>"$TB_KERNEL_CACHE/.lock"
	if ! flock -n 9; then
		status "waiting for another kernel build to finish"
		flock 9
	fi
}

build_variant() {
	local variant=$1 key imgdir tree start
	key=$(tb_kernel_image_key "$variant")
	imgdir=$(tb_kernel_image_dir "$variant")
	if [ -f "$imgdir/bzImage" ]; then
		info_add_patch_hash "$variant" "$imgdir"
		status "$variant: cached ($key)"
		return 0
	fi
	take_build_lock
	if [ -f "$imgdir/bzImage" ]; then
		info_add_patch_hash "$variant" "$imgdir"
		status "$variant: cached ($key)"
		exec 9>&-
		return 0
	fi
	start=$(tb_now)
	tree=$(tb_kernel_tree)
	prepare_tree "$tree"
	switch_variant "$variant" "$tree"
	status "$variant: building ($key), make -j2, log: $tree/build.log"
	# LOCALVERSION (a make variable, not a config option) tags the release
	# string with the variant without touching .config.
	if ! make -C "$tree/src" -j2 LOCALVERSION="-tb-$variant" bzImage >"$tree/build.log" 2>&1; then
		tail -n 40 "$tree/build.log" >&2
		tb_die "$variant: kernel build failed (log: $tree/build.log)"
	fi
	local release
	release=$(make -s -C "$tree/src" LOCALVERSION="-tb-$variant" kernelrelease)
	rm -rf "$imgdir.tmp"
	mkdir -p "$imgdir.tmp"
	cp "$tree/src/arch/x86/boot/bzImage" "$imgdir.tmp/bzImage"
	cp "$tree/src/.config" "$imgdir.tmp/config"
	{
		echo "variant=$variant"
		echo "key=$key"
		echo "patch_hash=$(tb_kernel_patch_hash "$variant")"
		echo "release=$release"
		echo "source=$(tb_kernel_source_version)"
		echo "image_sha256=$(sha256sum <"$imgdir.tmp/bzImage" | cut -d' ' -f1)"
		echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	} >"$imgdir.tmp/info"
	rm -rf "$imgdir"
	mv "$imgdir.tmp" "$imgdir"
	status "$variant: built $release in $(tb_elapsed "$start") s -> $imgdir/bzImage"
	exec 9>&-
}

# The module path: the Debian kernel (fetched and unpacked once), its
# initramfs, and VARIANT's modules; under the same lock as a kernel build.
build_module() {
	local variant=$1
	tb_deb_check_buildable "$variant"
	if [ -f "$(tb_deb_dir)/ready" ] && [ -f "$(tb_deb_module_dir "$variant")/tun.ko" ]; then
		tb_deb_initramfs >/dev/null
		tb_deb_status "$variant: module cached ($(tb_deb_module_key "$variant"))"
		return 0
	fi
	take_build_lock
	tb_deb_prepare
	tb_deb_initramfs >/dev/null
	tb_deb_build_module "$variant"
	exec 9>&-
}

# build [--from-source] [VARIANT|all]
cmd_build() {
	local target=${1:-all} v fn=build_module
	[ $# -le 1 ] || tb_usage_die "kernel build: one VARIANT or 'all'"
	[ "$(tb_kernel_path)" = source ] && fn=build_variant
	if [ "$target" = all ]; then
		for v in $(tb_kernel_variants); do "$fn" "$v"; done
		return 0
	fi
	tb_kernel_is_variant "$target" ||
		tb_usage_die "kernel build: unknown variant '$target' (known: $(tb_kernel_variants | tr '\n' ' ')all)"
	"$fn" "$target"
}

# Do the variant's patches apply to the pristine source? Builds nothing.
cmd_check() {
	local target=${1:-all} v stage fn=tarball_pristine
	local -a variants
	[ $# -le 1 ] || tb_usage_die "kernel check: one VARIANT or 'all'"
	if [ "$target" = all ]; then
		mapfile -t variants < <(tb_kernel_variants)
	else
		tb_kernel_is_variant "$target" ||
			tb_usage_die "kernel check: unknown variant '$target' (known: $(tb_kernel_variants | tr '\n' ' ')all)"
		variants=("$target")
	fi
	TREE=$(tb_kernel_tree)
	if [ -f "$TREE/configured" ]; then
		fn=tree_pristine_ro
	else
		EXTRACTED=$(mktemp -d)
		# shellcheck disable=SC2064 # expand now: the path is fixed
		trap "rm -rf '$EXTRACTED'" EXIT
		extract_from_tarball
	fi
	for v in "${variants[@]}"; do
		stage=$(mktemp -d)
		(stage_variant "$v" "$fn" "$stage") || { rm -rf "$stage"; exit 1; }
		rm -rf "$stage"
		status "$v: $(tb_kernel_patch_files "$v" | wc -l) patch(es) apply cleanly"
	done
}

cmd_list() {
	[ $# -eq 0 ] || tb_usage_die "kernel list: takes no arguments (but --from-source)"
	local v dir state
	if [ "$(tb_kernel_path)" = modules ]; then
		printf '# module path: Debian %s (%s)\n' "$(tb_deb_release)" "$(tb_deb_version)"
		printf '%-14s %-6s %-12s %s\n' VARIANT BUILT KEY MODULE
		for v in $(tb_kernel_variants); do
			dir=$(tb_deb_module_dir "$v")
			if [ -f "$dir/tun.ko" ]; then state=yes; else state=no; fi
			printf '%-14s %-6s %-12s %s\n' "$v" "$state" "$(tb_deb_module_key "$v")" "$dir/tun.ko"
		done
		return 0
	fi
	printf '%-14s %-6s %-12s %s\n' VARIANT BUILT KEY IMAGE
	for v in $(tb_kernel_variants); do
		dir=$(tb_kernel_image_dir "$v")
		if [ -f "$dir/bzImage" ]; then state=yes; else state=no; fi
		printf '%-14s %-6s %-12s %s\n' "$v" "$state" "$(tb_kernel_image_key "$v")" "$dir/bzImage"
	done
}

# shellcheck source=kernel/module.sh
source "$TB_ROOT/kernel/module.sh"

[ $# -gt 0 ] || tb_usage_die "kernel: missing subcommand"
if [ "$1" = module ]; then
	shift
	for arg in "$@"; do
		case "$arg" in -h | --help) module_usage; exit 0 ;; esac
	done
	cmd_module "$@"
	exit 0
fi
args=()
for arg in "$@"; do
	case "$arg" in
	-h | --help) usage; exit 0 ;;
	--from-source) export TB_KERNEL_FROM_SOURCE=1 ;;
	--modules) export TB_KERNEL_FROM_SOURCE=0 ;;
	*) args+=("$arg") ;;
	esac
done
set -- "${args[@]}"
[ $# -gt 0 ] || tb_usage_die "kernel: missing subcommand"
sub=$1
shift
case "$sub" in
help) usage ;;
build) cmd_build "$@" ;;
check) cmd_check "$@" ;;
list) cmd_list "$@" ;;
*) tb_usage_die "kernel: unknown subcommand '$sub'" ;;
esac
