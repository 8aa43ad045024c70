# shellcheck shell=bash
# The module path (the default): Debian's own prebuilt 6.12 kernel, with
# each variant's tun.ko built out of tree against Debian's headers from
# linux-source-6.12 plus the variant's patches. Sourced by kernel/kernel-lib.sh;
# the functions that build are called by kernel/build.sh and vm/vm.sh.
#
# Layout under $TB_CACHE/kernel/:
#   debian/debs/                       the .debs, fetched with apt-get download
#   debian/<release>-<debkey>/root/    the image, headers, common headers and
#                                      kbuild packages unpacked (dpkg-deb -x;
#                                      nothing is installed on the host), the
#                                      modules depmod'ed; info; ready
#   debian/<release>-<debkey>/initramfs-<key>.cpio
#                                      /init (tb-initramfs-init) + the 9p and
#                                      overlay modules, decompressed
#   modsrc-<srckey>/                   drivers/net/tun.c, drivers/vhost/,
#                                      include/ from linux-source-6.12
#   modules/<variant>-<modkey>/        tun.ko (stripped), info, build.log
# <modkey> hashes the Debian kernel, the source version, the variant's patch
# files and kernel/module/tb_ident.c, like the from-source image key.

TB_DEBIAN_FLAVOUR=${TB_DEBIAN_FLAVOUR:-amd64}
# Bump when the way the Debian base is prepared changes.
TB_DEBIAN_RECIPE=1
# Bump when the way a module is built changes.
TB_DEBIAN_MODULE_RECIPE=2
# The modules the initramfs loads, in this order, before it mounts the root
# (9p) and /tmp (overlay). Paths below lib/modules/RELEASE/kernel/.
TB_DEBIAN_INITRAMFS_MODULES=(fs/netfs/netfs net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p fs/overlayfs/overlay)

# The Debian package version of the prebuilt kernel: the same as
# linux-source-6.12's, so the patched tun.c is the source of the tun.ko it
# replaces. TB_DEBIAN_KERNEL_VERSION overrides.
tb_deb_version() {
	local v=${TB_DEBIAN_KERNEL_VERSION:-}
	[ -n "$v" ] || v=$(tb_kernel_source_version)
	case "$v" in
	tar-*) tb_die "the module path needs linux-source-6.12 installed as a Debian package (its version names the prebuilt kernel); or set TB_DEBIAN_KERNEL_VERSION" ;;
	esac
	printf '%s\n' "$v"
}

# The ABI name in the package names: 6.12.117-1~deb12u1 -> 6.12.117+deb12
# (Debian's naming for its 6.12 LTS in bookworm). TB_DEBIAN_KERNEL_ABI
# overrides.
tb_deb_abi() {
	if [ -n "${TB_DEBIAN_KERNEL_ABI:-}" ]; then
		printf '%s\n' "$TB_DEBIAN_KERNEL_ABI"
		return 0
	fi
	local v
	v=$(tb_deb_version)
	[[ $v =~ ^([0-9]+\.[0-9]+\.[0-9]+)-[0-9]+~deb([0-9]+)u[0-9]+$ ]] ||
		tb_die "cannot derive the kernel ABI name from version $v (set TB_DEBIAN_KERNEL_ABI, e.g. 6.12.117+deb12)"
	printf '%s+deb%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
}

tb_deb_release() { printf '%s-%s\n' "$(tb_deb_abi)" "$TB_DEBIAN_FLAVOUR"; }

# Package names, image first.
tb_deb_packages() {
	local abi
	abi=$(tb_deb_abi)
	printf '%s\n' "linux-image-$abi-$TB_DEBIAN_FLAVOUR-unsigned" "linux-headers-$abi-$TB_DEBIAN_FLAVOUR" \
		"linux-headers-$abi-common" "linux-kbuild-$abi"
}

# What a run records as its kernel image on this path.
tb_deb_image_desc() { printf 'debian %s %s\n' "$(tb_deb_packages | head -n1)" "$(tb_deb_version)"; }

tb_deb_key() {
	{
		echo "recipe $TB_DEBIAN_RECIPE"
		echo "version $(tb_deb_version)"
		echo "abi $(tb_deb_abi)"
		echo "flavour $TB_DEBIAN_FLAVOUR"
	} | tb_sha
}

tb_deb_dir() { printf '%s\n' "$TB_KERNEL_CACHE/debian/$(tb_deb_release)-$(tb_deb_key)"; }
tb_deb_vmlinuz() { printf '%s\n' "$(tb_deb_dir)/root/boot/vmlinuz-$(tb_deb_release)"; }
# What QEMU boots: the uncompressed vmlinux, unpacked from the vmlinuz once
# (zstd). QEMU starts an ELF kernel at its PVH entry point (CONFIG_PVH=y in
# Debian's config), which skips decompressing 40 MB under TCG at every boot.
# Falls back to the vmlinuz when no zstd payload is found.
tb_deb_boot_kernel() {
	local dir vmlinuz off
	dir=$(tb_deb_dir)
	vmlinuz=$(tb_deb_vmlinuz)
	if [ ! -f "$dir/vmlinux" ]; then
		off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$vmlinuz" | head -n1 | cut -d: -f1)
		if [ -n "$off" ]; then
			tail -c +"$((off + 1))" "$vmlinuz" | zstd -dcq >"$dir/vmlinux.$$" 2>/dev/null || true
		fi
		if [ -s "$dir/vmlinux.$$" ] && [ "$(head -c 4 "$dir/vmlinux.$$" | od -An -c | tr -d ' ')" = '177ELF' ]; then
			mv "$dir/vmlinux.$$" "$dir/vmlinux"
		else
			rm -f "$dir/vmlinux.$$"
			printf '%s\n' "$vmlinuz"
			return 0
		fi
	fi
	printf '%s\n' "$dir/vmlinux"
}

tb_deb_headers() { printf '%s\n' "$(tb_deb_dir)/root/usr/src/linux-headers-$(tb_deb_release)"; }

tb_deb_status() { printf 'kernel: %s\n' "$*" >&2; }

# Fetch the four packages into debian/debs/ (apt-get download: no install,
# no root needed), unpack them with dpkg-deb -x, point the headers' Makefile
# at the unpacked common headers, depmod the modules. Once per version.
tb_deb_prepare() {
	local dir debs p f start
	dir=$(tb_deb_dir)
	[ -f "$dir/ready" ] && return 0
	start=$(tb_now)
	debs=$TB_KERNEL_CACHE/debian/debs
	mkdir -p "$debs"
	local version
	version=$(tb_deb_version)
	local -a want=()
	while read -r p; do
		f=$(printf '%s\n' "$debs/${p}_${version//:/%3a}_"*.deb)
		[ -f "$f" ] || want+=("$p=$version")
	done < <(tb_deb_packages)
	if [ "${#want[@]}" -gt 0 ]; then
		tb_have apt-get || tb_die "apt-get is missing: the module path fetches Debian's kernel packages with it"
		tb_deb_status "fetching ${want[*]} (apt-get download)"
		if ! (cd "$debs" && apt-get download -q "${want[@]}") >"$debs/download.log" 2>&1; then
			tail -n 10 "$debs/download.log" >&2
			tb_die "apt-get download failed (log: $debs/download.log); the packages of version $version must be in the apt sources (run apt-get update), or use --from-source"
		fi
	fi
	rm -rf "$dir"
	mkdir -p "$dir/root"
	tb_deb_status "unpacking $(tb_deb_packages | tr '\n' ' ')into $dir/root"
	while read -r p; do
		f=$(printf '%s\n' "$debs/${p}_${version//:/%3a}_"*.deb)
		[ -f "$f" ] || tb_die "$p $version was not downloaded into $debs"
		dpkg-deb -x "$f" "$dir/root"
	done < <(tb_deb_packages)
	local release hdr
	release=$(tb_deb_release)
	hdr=$(tb_deb_headers)
	[ -f "$dir/root/boot/vmlinuz-$release" ] || tb_die "no boot/vmlinuz-$release in $(tb_deb_packages | head -n1)"
	[ -f "$hdr/Makefile" ] || tb_die "no headers Makefile at $hdr"
	# The flavour's Makefile includes the common one by absolute path.
	sed -i "s#^include /usr/src/#include $dir/root/usr/src/#" "$hdr/Makefile"
	grep -q "^include $dir/root/usr/src/" "$hdr/Makefile" || tb_die "unexpected headers Makefile $hdr/Makefile"
	depmod -b "$dir/root" "$release" || tb_die "depmod failed on $dir/root"
	{
		echo "version=$version"
		echo "release=$release"
		echo "packages=$(tb_deb_packages | tr '\n' ' ' | sed 's/ $//')"
		echo "vmlinuz_sha256=$(sha256sum <"$dir/root/boot/vmlinuz-$release" | cut -d' ' -f1)"
		echo "prepared=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	} >"$dir/info"
	touch "$dir/ready"
	tb_deb_status "Debian kernel $release ($version) ready in $(tb_elapsed "$start") s"
}

# The initramfs's /init, built with the C code.
tb_deb_init_binary() {
	local bin=$TB_BUILD/kernel/initramfs/tb-initramfs-init
	if [ ! -x "$bin" ]; then
		bash "$TB_ROOT/scripts/build.sh" >/dev/null
	fi
	[ -x "$bin" ] || tb_die "tb-initramfs-init not found at $bin (./testbed build)"
	printf '%s\n' "$bin"
}

# Print the initramfs path, packing it first when its init or module list
# changed. Uncompressed cpio: nothing to decompress at boot under TCG.
tb_deb_initramfs() {
	local dir bin key cpio stage m
	dir=$(tb_deb_dir)
	bin=$(tb_deb_init_binary)
	key=$({
		sha256sum <"$bin"
		printf '%s\n' "${TB_DEBIAN_INITRAMFS_MODULES[@]}"
	} | tb_sha)
	cpio=$dir/initramfs-$key.cpio
	if [ ! -f "$cpio" ]; then
		stage=$(mktemp -d "$dir/initramfs.XXXXXX")
		mkdir -p "$stage/modules"
		cp "$bin" "$stage/init"
		local ko release
		release=$(tb_deb_release)
		for m in "${TB_DEBIAN_INITRAMFS_MODULES[@]}"; do
			ko=$dir/root/lib/modules/$release/kernel/$m.ko
			if [ -f "$ko.xz" ]; then
				xz -dc "$ko.xz" >"$stage/modules/${m##*/}.ko"
			elif [ -f "$ko" ]; then
				cp "$ko" "$stage/modules/${m##*/}.ko"
			else
				tb_die "module $m is not in the Debian kernel's modules"
			fi
			printf '%s.ko\n' "${m##*/}" >>"$stage/modules/order"
		done
		(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$cpio.tmp.$$"
		rm -rf "$stage"
		# Older initramfs files go (a QEMU that has one open keeps reading it).
		find "$dir" -maxdepth 1 -name 'initramfs-*.cpio' ! -name "${cpio##*/}" -delete
		mv "$cpio.tmp.$$" "$cpio"
	fi
	printf '%s\n' "$cpio"
}

# ---- the variants' modules

# Pristine sources the modules are built from, extracted once per source
# version (xz decompresses the whole tarball: about 20 s).
tb_deb_modsrc() {
	local key dir
	key=$({
		echo "recipe $TB_DEBIAN_RECIPE"
		echo "source $(tb_kernel_source_version)"
	} | tb_sha)
	dir=$TB_KERNEL_CACHE/modsrc-$key
	if [ ! -f "$dir/ready" ]; then
		[ -f "$TB_KERNEL_TARBALL" ] || tb_die "kernel source $TB_KERNEL_TARBALL is missing (./testbed setup installs $TB_KERNEL_PKG)"
		rm -rf "$dir"
		mkdir -p "$dir"
		local top
		top=$(basename "$TB_KERNEL_TARBALL" .tar.xz)
		tb_deb_status "extracting tun.c, vhost and include/ from $(basename "$TB_KERNEL_TARBALL")"
		tar -xf "$TB_KERNEL_TARBALL" -C "$dir" --strip-components=1 \
			"$top/drivers/net/tun.c" "$top/drivers/vhost" "$top/include" ||
			tb_die "extracting from $TB_KERNEL_TARBALL failed"
		touch "$dir/ready"
	fi
	printf '%s\n' "$dir"
}

tb_deb_module_key() {
	local variant=$1
	{
		echo "recipe $TB_DEBIAN_MODULE_RECIPE"
		echo "debian $(tb_deb_key)"
		echo "source $(tb_kernel_source_version)"
		echo "variant $variant"
		sha256sum <"$TB_KERNEL_DIR/module/tb_ident.c"
		tb_kernel_patch_digest_input "$variant"
	} | tb_sha
}

tb_deb_module_dir() { printf '%s\n' "$TB_KERNEL_CACHE/modules/$1-$(tb_deb_module_key "$1")"; }

# Which of the files a variant patches the module path can build: tun.c,
# the vhost driver, headers. Anything else is built-in code.
tb_deb_module_buildable() {
	case "$1" in
	drivers/net/tun.c | drivers/vhost/*.[ch] | include/*.h) return 0 ;;
	*) return 1 ;;
	esac
}

# Lay out an out-of-tree build of the variant in DIR from the staged (patched)
# files in STAGE and the pristine ones in SRC: tun_main.c (+ vhost_net_main.c
# and vhost.h when the variant patches vhost), patched headers under
# DIR/include/ (searched before the kernel's), tb_ident.c, and a Kbuild file.
tb_deb_module_tree() {
	local variant=$1 hash=$2 stage=$3 src=$4 dir=$5 f vhost=0
	mkdir -p "$dir/include"
	while read -r f; do
		case "$f" in
		drivers/vhost/*) vhost=1 ;;
		include/*) mkdir -p "$dir/$(dirname "$f")" && cp "$stage/$f" "$dir/$f" ;;
		esac
	done < <(cd "$stage" && find . -type f | sed 's#^\./##')
	if [ -f "$stage/drivers/net/tun.c" ]; then
		cp "$stage/drivers/net/tun.c" "$dir/tun_main.c"
	else
		cp "$src/drivers/net/tun.c" "$dir/tun_main.c"
	fi
	cp "$TB_KERNEL_DIR/module/tb_ident.c" "$dir/tb_ident.c"
	local ident="-DTB_VARIANT='\"$variant\"' -DTB_PATCH_HASH='\"$hash\"'"
	{
		echo "# generated by kernel/debian.sh for variant $variant"
		echo "obj-m := tun.o"
		echo "tun-y := tun_main.o tb_ident.o"
		echo "CFLAGS_tb_ident.o := $ident"
		echo "# the variant's patched headers (include/) come before the kernel's"
		echo "NOSTDINC_FLAGS := -I\$(src)/include \$(NOSTDINC_FLAGS)"
	} >"$dir/Kbuild"
	if [ "$vhost" -eq 1 ]; then
		local v
		for v in net.c vhost.h; do
			if [ -f "$stage/drivers/vhost/$v" ]; then cp "$stage/drivers/vhost/$v" "$dir/"; else cp "$src/drivers/vhost/$v" "$dir/"; fi
		done
		mv "$dir/net.c" "$dir/vhost_net_main.c"
		cp "$TB_KERNEL_DIR/module/tb_ident.c" "$dir/tb_ident_vhost.c"
		{
			echo "obj-m += vhost_net.o"
			echo "vhost_net-y := vhost_net_main.o tb_ident_vhost.o"
			echo "CFLAGS_tb_ident_vhost.o := $ident"
		} >>"$dir/Kbuild"
	fi
}

# Build VARIANT's modules against headers dir HDR into OUTDIR (tun.ko,
# vhost_net.ko when patched; stripped), log in OUTDIR/build.log. Fails naming
# the first patch that does not apply to SRC, or a file it cannot build.
tb_deb_check_buildable() {
	local variant=$1 f
	while read -r f; do
		tb_deb_module_buildable "$f" ||
			tb_die "variant $variant patches $f, which is built into the kernel, not part of tun.ko: build it with --from-source"
	done < <(tb_kernel_patch_files "$variant" | xargs -r cat | sed -n 's#^+++ b/\([^[:space:]]*\).*#\1#p' | sort -u)
}

tb_deb_module_build_in() {
	local variant=$1 src=$2 hdr=$3 outdir=$4 hash work
	hash=$(tb_kernel_patch_hash "$variant")
	tb_deb_check_buildable "$variant"
	mkdir -p "$(dirname "$outdir")"
	work=$(mktemp -d "$outdir.work.XXXXXX")
	mkdir -p "$work/stage" "$work/build"
	MODSRC=$src
	stage_variant "$variant" tb_deb_src_pristine "$work/stage" || { rm -rf "$work"; return 1; }
	tb_deb_module_tree "$variant" "$hash" "$work/stage" "$src" "$work/build"
	local -a make_args=(-C "$hdr" M="$work/build" -j2
		# pahole (dwarves) is not needed: modules without BTF load the same
		CONFIG_DEBUG_INFO_BTF_MODULES=
		modules)
	mkdir -p "$outdir"
	if ! make "${make_args[@]}" >"$outdir/build.log" 2>&1; then
		tail -n 30 "$outdir/build.log" >&2
		rm -rf "$work"
		tb_die "$variant: building tun.ko against $hdr failed (log: $outdir/build.log)"
	fi
	local ko
	for ko in "$work/build"/*.ko; do
		strip --strip-debug -o "$outdir/$(basename "$ko")" "$ko"
	done
	rm -rf "$work"
}

tb_deb_src_pristine() {
	[ -f "$MODSRC/$1" ] || tb_die "a patch changes $1, which is not in the extracted source $MODSRC"
	cp "$MODSRC/$1" "$2"
}

# Build (or find cached) VARIANT's modules for Debian's kernel.
tb_deb_build_module() {
	local variant=$1 dir key start src
	dir=$(tb_deb_module_dir "$variant")
	key=$(tb_deb_module_key "$variant")
	if [ -f "$dir/tun.ko" ] && [ -f "$dir/info" ]; then
		tb_deb_status "$variant: module cached ($key)"
		return 0
	fi
	start=$(tb_now)
	src=$(tb_deb_modsrc)
	rm -rf "$dir.tmp"
	tb_deb_status "$variant: building tun.ko against Debian's $(tb_deb_release) headers ($key)"
	tb_deb_module_build_in "$variant" "$src" "$(tb_deb_headers)" "$dir.tmp"
	local vermagic
	vermagic=$(modinfo -F vermagic "$dir.tmp/tun.ko")
	[ "${vermagic%% *}" = "$(tb_deb_release)" ] || tb_die "$variant: tun.ko has vermagic '$vermagic', not $(tb_deb_release)"
	{
		echo "variant=$variant"
		echo "key=$key"
		echo "patch_hash=$(tb_kernel_patch_hash "$variant")"
		echo "release=$(tb_deb_release)"
		echo "kernel_image=$(tb_deb_image_desc)"
		echo "source=$(tb_kernel_source_version)"
		echo "module_sha256=$(sha256sum <"$dir.tmp/tun.ko" | cut -d' ' -f1)"
		echo "modules=$(cd "$dir.tmp" && find . -name '*.ko' -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
		echo "build_s=$(tb_elapsed "$start")"
		echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	} >"$dir.tmp/info"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	tb_deb_status "$variant: built tun.ko in $(tb_elapsed "$start") s -> $dir"
}
