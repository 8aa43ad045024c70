# shellcheck shell=bash
# The kernel variants: the one place that says which exist, where their
# patches are and what their patch hash is. Sourced by kernel/kernel-lib.sh
# (build, vm, selftest) and by whatever else needs the list; needs only
# TB_ROOT.
#
# A variant is a directory kernel/patches/<variant>/ (stock holds no patch);
# its *.patch files apply in name order (C collation).

# Overridable for tests that need a broken variant.
TB_KERNEL_PATCHES=${TB_KERNEL_PATCHES:-$TB_ROOT/kernel/patches}

# The variant names, one a line, sorted.
tb_kernel_variants() (
	LC_ALL=C
	for d in "$TB_KERNEL_PATCHES"/*/; do
		if [ -d "$d" ]; then basename "$d"; fi
	done
)

# The directory holding VARIANT's patches.
tb_kernel_patch_dir() { printf '%s\n' "$TB_KERNEL_PATCHES/$1"; }

tb_kernel_is_variant() {
	[[ $1 =~ ^[a-z0-9][a-z0-9-]*$ ]] && [ -d "$(tb_kernel_patch_dir "$1")" ]
}

# The variant's patch files, in the order they apply.
tb_kernel_patch_files() (
	LC_ALL=C
	for f in "$(tb_kernel_patch_dir "$1")"/*.patch; do
		if [ -f "$f" ]; then printf '%s\n' "$f"; fi
	done
)

# sha256 of the variant's patch files concatenated in apply order, first 16
# hex digits; stock (no patch) has the hash of nothing, e3b0c44298fc1c14.
# Recorded as runs.patch_hash; vm.sh puts it in vm.env for the guest.
tb_kernel_patch_hash() {
	tb_kernel_is_variant "$1" || { printf 'testbed: unknown kernel variant %s\n' "$1" >&2; return 1; }
	local -a files
	mapfile -t files < <(tb_kernel_patch_files "$1")
	cat /dev/null "${files[@]}" | sha256sum | cut -c1-16
}
