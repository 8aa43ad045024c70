#!/usr/bin/env bash
# ./testbed setup: make a fresh Debian 12 machine ready, then build.
# Installs only what is missing; a second run with nothing to do takes seconds.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed setup [--no-build]

Installs the Debian packages the testbed needs (apt-get, as root; only the
missing ones, after one 'apt-get update'), then builds the C code into build/
and generates the test clips (quick when they are there).
  --no-build   install packages only
TXT
}

build=1
while [ $# -gt 0 ]; do
	case "$1" in
	--no-build) build=0 ;;
	-h | --help) usage; exit 0 ;;
	*) tb_usage_die "setup: unknown option '$1'" ;;
	esac
	shift
done

# Grouped by purpose; one list, read by 'missing_packages' below.
PACKAGES=(
	# C toolchain and build
	build-essential cmake ninja-build pkg-config clang
	# libraries the C code links
	libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
	libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
	libpcap-dev libsqlite3-dev sqlite3
	# GStreamer elements: clip generation (x264enc), RTP interop
	gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
	gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
	# the network path and its measurement
	openvpn wireguard-go wireguard-tools iperf3 iproute2 openssl tcpdump nftables kmod procps iputils-ping jq
	# kernels and the VM
	qemu-system-x86 linux-source-6.12 bc flex bison libelf-dev libssl-dev cpio xz-utils lz4 zstd
	# scale-out: a one-node Slurm cluster and GNU parallel over ssh (tests, and
	# the same tools a lab's cluster runs)
	slurmctld slurmd slurm-client munge parallel openssh-server openssh-client
	# figures and script checks
	gnuplot-nox shellcheck
)

missing_packages() {
	local p status
	for p in "${PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$status" = "install ok installed" ] || printf '%s\n' "$p"
	done
}

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ] || ! tb_have apt-get; then
		tb_log "these Debian packages are missing; install them by hand (as root):"
		printf '  apt-get update && apt-get install -y %s\n' "${missing[*]}" >&2
		tb_die "setup needs root and apt-get to install packages"
	fi
	tb_log "installing ${#missing[@]} missing package(s): ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
	mapfile -t still < <(missing_packages)
	[ "${#still[@]}" -eq 0 ] || tb_die "still missing after apt-get install: ${still[*]}"
else
	tb_log "all ${#PACKAGES[@]} packages present"
fi

if [ "$build" -eq 1 ]; then
	bash "$TB_ROOT/scripts/build.sh"
	bash "$TB_ROOT/datasets/generate.sh" # test clips into $TB_CACHE/clips; quick when present
fi
