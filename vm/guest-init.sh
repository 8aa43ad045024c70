#!/bin/bash
# PID 1 of a testbed guest (booted by vm/vm.sh with init=<this file>).
# The root filesystem is the host's / over 9p, read-only. This script makes the
# guest usable (proc, sys, dev, writable /tmp /run /var/tmp), mounts the host's
# results directory at the same absolute path, runs the command the host put
# there as root, writes its exit status next to it and powers the guest off.
#
# Kernel command line parameters (passed by vm.sh; the kernel hands unknown
# name=value parameters to init as environment variables):
#   tb_out=DIR   the results directory (9p tag "out"); DIR/.vm-run/ holds the
#                command (cmd, NUL-separated), its working directory (cwd) and
#                extra environment (env, NUL-separated NAME=VALUE); vm.sh
#                keeps host-cpu there current (the host's CPU, once a second)
#   tb_variant=V tb_accel=A   exported as TB_KERNEL_VARIANT and TB_ACCEL
#   tb_modroot=DIR tb_tun=KO  the module path (Debian's kernel, booted through
#                kernel/initramfs/, which already loaded KO): DIR holds
#                lib/modules/RELEASE; the kernel's module autoloader runs
#                vm/guest-modprobe.sh, which looks there, and "tun" always
#                means KO (/run/modprobe.d), never Debian's own tun.ko.
#                Exported as TB_KERNEL_PATH=modules (else source).
set -euo pipefail

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

console() { printf '%s\n' "tb-guest: $*" >/dev/console 2>/dev/null || true; }

# Whatever happens, never return: PID 1 exiting panics the kernel. With
# panic=-1 and qemu -no-reboot that still ends the VM, but less clearly.
finish() {
	sync || true
	reboot -f || true
	echo o >/proc/sysrq-trigger 2>/dev/null || true
	sleep 1000
}
trap finish EXIT

# Few execs: each one loads its libraries over 9p, slow under TCG.
here=${BASH_SOURCE[0]%/*}
mount -a -T "$here/guest-fstab.early" || console "some early mounts failed"
# Debian's kernel boots on one vCPU (maxcpus=1, vm/vm.sh says why); the
# others join now, before anything runs.
for cpu in /sys/devices/system/cpu/cpu[0-9]*/online; do
	[ -e "$cpu" ] || continue
	[ "$(<"$cpu")" = 1 ] && continue
	echo 1 >"$cpu" || console "cannot bring ${cpu%/online} online"
done
# devtmpfs has no /dev/fd; bash's process substitution <(...) needs it.
ln -sfn /proc/self/fd /dev/fd
mkdir -p /run/netns /run/lock /run/tb-overlay/tmp/upper /run/tb-overlay/tmp/work \
	/run/tb-overlay/vartmp/upper /run/tb-overlay/vartmp/work /run/modprobe.d
if [ -n "${tb_modroot:-}" ]; then
	printf '%s\n' "$tb_modroot" >/run/tb-modroot
	printf 'install tun /usr/sbin/insmod %s\n' "${tb_tun:?tb_modroot without tb_tun}" >/run/modprobe.d/tb-tun.conf
	printf '%s\n' "$here/guest-modprobe.sh" >/proc/sys/kernel/modprobe
	export TB_KERNEL_PATH=modules
else
	export TB_KERNEL_PATH=source
fi
if ! mount -a -T "$here/guest-fstab.late"; then
	# No overlay: an empty private tmpfs is the fallback.
	for d in /tmp /var/tmp; do
		mountpoint -q "$d" || mount -t tmpfs -o mode=1777 tmpfs "$d"
	done
	console "overlay on /tmp failed; using an empty tmpfs"
fi

echo tb-guest >/proc/sys/kernel/hostname
ip link set lo up || console "cannot bring lo up"

out=${tb_out:-}
[ -n "$out" ] || { console "no tb_out= on the kernel command line"; exit 1; }
# The directory exists in the host's root; if a guest tmpfs hides it, create
# the mount point there.
[ -d "$out" ] || mkdir -p "$out" || true
# cache=mmap: shared writable mmap works (SQLite's WAL index needs it).
mount -t 9p -o trans=virtio,version=9p2000.L,cache=mmap,msize=262144 out "$out" ||
	{ console "cannot mount the results share at $out"; exit 1; }

run="$out/.vm-run"
mapfile -d '' -t cmd <"$run/cmd"
if [ -s "$run/env" ]; then
	mapfile -d '' -t extra_env <"$run/env"
	for kv in "${extra_env[@]}"; do export "${kv?}"; done
fi
export TB_VM=1 TB_KERNEL_VARIANT="${tb_variant:-unknown}" TB_ACCEL="${tb_accel:-unknown}" TB_VM_OUT="$out"
unset tb_out tb_variant tb_accel tb_modroot tb_tun

read -r cwd <"$run/cwd"
if ! cd "$cwd" 2>/dev/null; then
	console "working directory $cwd does not exist in the guest; using /"
	cd /
fi

# The host streams the console from this marker on.
# One line: the host drops everything before it.
shown="${cmd[*]}"
printf '%s\n' "tb-guest: running ${shown//$'\n'/ }" >/dev/console
set +e
"${cmd[@]}" </dev/null >/dev/console 2>&1
status=$?
set -e
printf '%s\n' "$status" >"$out/vm.exit.tmp"
mv "$out/vm.exit.tmp" "$out/vm.exit"
printf '%s\n' "tb-guest: exit status $status" >/dev/console
