#!/usr/bin/env bash
# Runs inside a testbed guest on the module path (./testbed vm, Debian's
# kernel): replaces the loaded tun.ko by another variant's without a reboot.
#
#   tun-switch.sh [--kill] VARIANT     load VARIANT's tun.ko
#   tun-switch.sh --show               print the loaded variant and patch hash
#
# Steps: whatever holds /dev/net/tun open keeps the module in use, so such
# processes are named and the switch fails (with --kill they are sent
# SIGTERM, then SIGKILL after 5 s); vhost_net, which uses tun, is unloaded
# first (and loaded again afterwards if it was loaded); rmmod tun removes
# every TUN device left (persistent ones included); insmod loads the new
# tun.ko; then /sys/module/tun/parameters/tb_variant and tb_patch_hash must
# name VARIANT and the hash its build recorded. "tun" autoloads (opening
# /dev/net/tun) load the new module from now on (/run/modprobe.d).
# The modules the guest can load are listed by vm/vm.sh in
# $TB_VM_OUT/.vm-run/modules ("VARIANT DIR", built on the host with
# ./testbed kernel build VARIANT before the boot).
# Prints one line "tun-switch: OLD -> NEW (patch HASH) in S s" on stderr and
# the new variant's "variant=... patch_hash=... module_sha256=... switch_s=...
# image_key=..." (image_key: the module's cache key) on stdout.
set -euo pipefail

die() { printf 'tun-switch: error: %s\n' "$*" >&2; exit 1; }
params=/sys/module/tun/parameters

show() {
	if [ -d /sys/module/tun ]; then
		local v='?' h='?'
		[ -r "$params/tb_variant" ] && read -r v <"$params/tb_variant"
		[ -r "$params/tb_patch_hash" ] && read -r h <"$params/tb_patch_hash"
		printf 'variant=%s patch_hash=%s\n' "$v" "$h"
	else
		echo "variant=none patch_hash=none"
	fi
}

kill=0
case "${1:-}" in
--show) show; exit 0 ;;
--kill) kill=1; shift ;;
-h | --help) sed -n '2,22s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac
[ $# -eq 1 ] || die "usage: tun-switch.sh [--kill] VARIANT | --show"
want=$1
[ "${TB_VM:-}" = 1 ] || die "runs inside a testbed guest (./testbed vm)"
[ "${TB_KERNEL_PATH:-}" = modules ] || die "the guest booted a from-source kernel (tun is built in); switching needs the module path"
list=${TB_VM_OUT:?}/.vm-run/modules
[ -f "$list" ] || die "$list is missing"
dir=
while read -r v d; do
	if [ "$v" = "$want" ]; then dir=$d; fi
done <"$list"
[ -n "$dir" ] || die "no module built for variant '$want' (built: $(cut -d' ' -f1 "$list" | tr '\n' ' ')); build it on the host: ./testbed kernel build $want"
ko=$dir/tun.ko
info=$dir/info
if [ ! -f "$ko" ] || [ ! -f "$info" ]; then die "$ko or its info is missing"; fi
want_hash='' sha='' modkey=''
while IFS='=' read -r k val; do
	case "$k" in
	patch_hash) want_hash=$val ;;
	module_sha256) sha=$val ;;
	key) modkey=$val ;;
	esac
done <"$info"

# Few execs: each costs a good part of a second under TCG.
start=$EPOCHREALTIME
old=$(show)
old=${old#variant=}
old=${old%% *}

# Processes holding /dev/net/tun open (each open file holds the module),
# into the array pids.
holders() {
	local fd pid
	local -A seen=()
	for fd in /proc/[0-9]*/fd/*; do
		if [ /dev/net/tun -ef "$fd" ] 2>/dev/null; then
			pid=${fd#/proc/}
			seen[${pid%%/*}]=1
		fi
	done
	pids=("${!seen[@]}")
}
pids=()
if [ -d /sys/module/tun ] && [ -e /dev/net/tun ]; then
	holders
	if [ "${#pids[@]}" -gt 0 ]; then
		desc=
		for p in "${pids[@]}"; do
			comm=gone
			[ -r "/proc/$p/comm" ] && read -r comm <"/proc/$p/comm"
			desc+=" $p($comm)"
		done
		[ "$kill" -eq 1 ] || die "tun is in use by:$desc; stop them (tear the VPN down) or pass --kill"
		kill -TERM "${pids[@]}" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			holders
			[ "${#pids[@]}" -eq 0 ] && break
			sleep 0.1
		done
		if [ "${#pids[@]}" -gt 0 ]; then kill -KILL "${pids[@]}" 2>/dev/null || true; sleep 0.2; fi
	fi
fi

vhost=0
if [ -d /sys/module/vhost_net ]; then
	vhost=1
	rmmod vhost_net || die "cannot unload vhost_net (in use?)"
fi
if [ -d /sys/module/tun ]; then
	rmmod tun || die "cannot unload tun (refcnt $(cat /sys/module/tun/refcnt 2>/dev/null || echo ?))"
fi
insmod "$ko" || die "cannot load $ko"
printf 'install tun /usr/sbin/insmod %s\n' "$ko" >/run/modprobe.d/tb-tun.conf
if [ "$vhost" -eq 1 ]; then
	# The variant's own vhost_net.ko when it patches vhost, else Debian's
	# (from the unpacked package, where the guest's modprobe looks).
	if [ -f "$dir/vhost_net.ko" ]; then
		modprobe -d "$(</run/tb-modroot)" -a vhost tap || die "cannot load vhost and tap"
		insmod "$dir/vhost_net.ko" || die "cannot load $dir/vhost_net.ko"
	else
		modprobe -d "$(</run/tb-modroot)" vhost_net || die "cannot load vhost_net again"
	fi
fi

read -r got_variant <"$params/tb_variant"
read -r got_hash <"$params/tb_patch_hash"
[ "$got_variant" = "$want" ] || die "loaded $ko but tun says variant '$got_variant', not '$want'"
[ "$got_hash" = "$want_hash" ] || die "loaded $ko but tun says patch hash '$got_hash', not '$want_hash'"
end=$EPOCHREALTIME
us=$((${end/./} - ${start/./}))
took=$((us / 1000000)).$(printf '%02d' $((us % 1000000 / 10000)))
printf 'tun-switch: %s -> %s (patch %s) in %s s\n' "$old" "$want" "$got_hash" "$took" >&2
printf 'variant=%s patch_hash=%s module_sha256=%s switch_s=%s image_key=%s\n' "$want" "$got_hash" "$sha" "$took" "$modkey"
