# shellcheck shell=bash
# ./testbed kernel module: a variant's tun.ko for a kernel installed on this
# (or a robot's) machine, built against that kernel's headers, and the same
# as a DKMS source tree. Sourced by kernel/build.sh (which defines
# stage_variant and patched_paths).

module_usage() {
	cat <<'TXT'
usage: ./testbed kernel module --for RELEASE [--variant V] [--out DIR]
                               [--headers DIR] [--source PATH] [--dkms DIR]

Builds VARIANT's tun.ko (default nodrop-v2) for the installed kernel RELEASE
(on a robot: --for "$(uname -r)") against its headers (default
/lib/modules/RELEASE/build: apt-get install linux-headers-RELEASE). The
patches are made against the tun.c of linux-source-6.12 (6.12.117); the
tun.c they are applied to must be RELEASE's own:
  - when RELEASE is that same version (e.g. Debian's 6.12.117+deb12-amd64),
    it is taken from /usr/src/linux-source-6.12.tar.xz;
  - otherwise give it with --source: RELEASE's drivers/net/tun.c, or the
    top of its kernel source tree (apt-get source linux, or the
    distribution's linux-source package of that version).
A patch that does not apply to that tun.c is refused, naming the hunk: the
variant has not been ported to that kernel. The module goes to DIR (default
$TB_CACHE/kernel/modules-for/RELEASE/VARIANT/) with an info file; it names
its variant in /sys/module/tun/parameters/tb_variant once loaded.
--dkms DIR also writes a DKMS source tree (kernel/dkms/dkms.conf filled in)
for `dkms add DIR`. kernel/README.md says what loading it on a robot means.
TXT
}

cmd_module() {
	local release='' variant=nodrop-v2 out='' headers='' source='' dkms=''
	while [ $# -gt 0 ]; do
		case "$1" in
		--for | --variant | --out | --headers | --source | --dkms)
			[ $# -ge 2 ] || tb_usage_die "kernel module: $1 needs an argument"
			case "$1" in
			--for) release=$2 ;;
			--variant) variant=$2 ;;
			--out) out=$2 ;;
			--headers) headers=$2 ;;
			--source) source=$2 ;;
			--dkms) dkms=$2 ;;
			esac
			shift 2
			;;
		*) tb_usage_die "kernel module: unknown argument '$1'" ;;
		esac
	done
	[ -n "$release" ] || tb_usage_die "kernel module: --for RELEASE is required (the running kernel: --for \"\$(uname -r)\")"
	[[ $release =~ ^[A-Za-z0-9._+~-]+$ ]] || tb_usage_die "kernel module: '$release' is not a kernel release"
	tb_kernel_is_variant "$variant" ||
		tb_usage_die "kernel module: unknown variant '$variant' (known: $(tb_kernel_variants | tr '\n' ' '))"
	headers=${headers:-/lib/modules/$release/build}
	[ -f "$headers/Makefile" ] ||
		tb_die "no headers for $release at $headers (install them: apt-get install linux-headers-$release; or give --headers DIR)"
	tb_deb_check_buildable "$variant"

	# The tun.c (and headers) the patches are applied to.
	local srcver upstream src tmp
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand now: the path is fixed
	trap "rm -rf '$tmp'" EXIT
	srcver=$(tb_kernel_source_version)
	upstream=${srcver%%-*}
	if [ -n "$source" ]; then
		src=$tmp/src
		mkdir -p "$src/drivers/net"
		if [ -d "$source" ]; then
			[ -f "$source/drivers/net/tun.c" ] || tb_die "--source $source: no drivers/net/tun.c in it"
			cp "$source/drivers/net/tun.c" "$src/drivers/net/"
			if [ -d "$source/drivers/vhost" ]; then cp -r "$source/drivers/vhost" "$src/drivers/"; fi
			if [ -d "$source/include" ]; then cp -r "$source/include" "$src/"; fi
		elif [ -f "$source" ]; then
			cp "$source" "$src/drivers/net/tun.c"
		else
			tb_die "--source $source does not exist"
		fi
		source=$(realpath "$source")
	elif [ "${release%%[!0-9.]*}" = "$upstream" ]; then
		src=$(tb_deb_modsrc)
		source="$TB_KERNEL_TARBALL ($srcver)"
	else
		tb_die "the $variant patches are made for the tun.c of $upstream ($TB_KERNEL_PKG $srcver); $release is another kernel: give its own tun.c with --source (its drivers/net/tun.c, or its source tree: apt-get source linux, or the linux-source package of that version)"
	fi

	out=${out:-$TB_CACHE/kernel/modules-for/$release/$variant}
	mkdir -p "$out"
	out=$(cd "$out" && pwd -P)
	local stage=$tmp/stage build=$tmp/build hash start
	start=$(tb_now)
	hash=$(tb_kernel_patch_hash "$variant")
	mkdir -p "$stage" "$build"
	# shellcheck disable=SC2034 # read by tb_deb_src_pristine
	MODSRC=$src
	if ! (stage_variant "$variant" tb_deb_src_pristine "$stage") 2>"$tmp/stage.err"; then
		grep -v '^testbed: error:' "$tmp/stage.err" >&2 || true
		tb_die "variant $variant does not apply to the tun.c of $release (from $source): the patch is made for $upstream's tun.c and has not been ported to this kernel (failing hunk above)"
	fi
	tb_deb_module_tree "$variant" "$hash" "$stage" "$src" "$build"
	status "$variant: building tun.ko for $release against $headers"
	if ! make -C "$headers" M="$build" CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$out/build.log" 2>&1; then
		tail -n 30 "$out/build.log" >&2
		tb_die "$variant: building tun.ko for $release failed (log: $out/build.log)"
	fi
	local ko vermagic
	for ko in "$build"/*.ko; do strip --strip-debug -o "$out/$(basename "$ko")" "$ko"; done
	vermagic=$(modinfo -F vermagic "$out/tun.ko")
	[ "${vermagic%% *}" = "$release" ] ||
		tb_die "the headers at $headers are for ${vermagic%% *}, not $release (tun.ko would not load)"
	{
		echo "variant=$variant"
		echo "patch_hash=$hash"
		echo "release=$release"
		echo "headers=$headers"
		echo "tun_source=$source"
		echo "module_sha256=$(sha256sum <"$out/tun.ko" | cut -d' ' -f1)"
		echo "build_s=$(tb_elapsed "$start")"
		echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	} >"$out/info"
	status "$variant: built $out/tun.ko ($release, patch $hash) in $(tb_elapsed "$start") s"
	if [ -n "$dkms" ]; then
		mkdir -p "$dkms"
		cp "$build/Kbuild" "$build/tun_main.c" "$build/tb_ident.c" "$dkms/"
		if [ -d "$build/include" ]; then cp -r "$build/include" "$dkms/"; fi
		local version=${upstream}.${hash:0:8}
		# Only kernels of the same upstream version: the tun.c is theirs.
		local regex conf
		regex="^${upstream//./[.]}([^0-9]|$)"
		conf=$(<"$TB_KERNEL_DIR/dkms/dkms.conf")
		conf=${conf//@VARIANT@/"$variant"}
		conf=${conf//@VERSION@/"$version"}
		conf=${conf//@KERNEL_REGEX@/"$regex"}
		printf '%s\n' "$conf" >"$dkms/dkms.conf"
		status "DKMS tree in $dkms: dkms add $dkms && dkms install tun-$variant/$version -k $release"
	fi
	cat <<TXT
tun.ko for $release: $out/tun.ko
load it (as root; every TUN device and VPN goes down with the old module):
  rmmod tun && insmod $out/tun.ko
  cat /sys/module/tun/parameters/tb_variant   # $variant
TXT
}
