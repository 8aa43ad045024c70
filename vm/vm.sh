#!/usr/bin/env bash
# ./testbed vm: boot a testbed kernel under QEMU and run one command in it.
set -euo pipefail
TB_ROOT=${TB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# shellcheck source=kernel/kernel-lib.sh
source "$TB_ROOT/kernel/kernel-lib.sh"
tb_kernel_srcver_init

usage() {
	cat <<'TXT'
usage: ./testbed vm [--kernel VARIANT] [--from-source|--modules] [--out DIR] [--timeout SEC]
                   [--stall FILE:SEC] [--mem MB] -- COMMAND [ARG...]

Boots the VARIANT kernel (default: stock; built first if needed) with 2 vCPUs
and runs COMMAND as root in the guest, in the host's current directory. By
default (--modules, the module path; see ./testbed kernel --help) that is
Debian's prebuilt kernel with VARIANT's tun.ko loaded at boot, where
kernel/tun-switch.sh V loads another variant's module without a reboot;
--from-source (or TB_KERNEL_FROM_SOURCE=1) boots the variant's own kernel. The
host's / is the guest's root, read-only; /tmp and /var/tmp are writable
guest-private layers over the host's; /run, /dev/shm, /var/log are tmpfs.
DIR (default: a new directory under $TB_CACHE/vm-out/) is shared writable and
mounted in the guest at the SAME absolute path. COMMAND's output is streamed
to stdout; the kernel's boot messages are not. In the guest TB_VM=1,
TB_KERNEL_VARIANT, TB_ACCEL and TB_VM_OUT=DIR are set, and the host's TB_*
variables are passed through.

Afterwards DIR holds vm.exit (COMMAND's exit status), vm.env (variant,
patch_hash, kernel release, kernel_path, kernel_image, image_key,
image_sha256, module_sha256, accel, boot time; the guest may read it while
COMMAND runs) and vm-console.log.

--stall FILE:SEC kills QEMU when FILE (a heartbeat the guest rewrites on
the shared DIR) exists and has not changed for SEC seconds of host time: a
hung guest is found within SEC, not at the end of --timeout.

Exit status: COMMAND's own; 124 when the guest ran past --timeout (default
900 s, counted from QEMU's start) or stalled (vm.env: timed_out=stall); QEMU
is killed; 125 when the VM failed otherwise (no status reported); 2 for bad
usage.

TB_VM_BOOTLOG=1 shows the kernel's boot messages (with timestamps) on stderr.

Acceleration: KVM only if a probe guest boots under it within 15 s (probed
once per host boot, result cached); otherwise TCG. TB_VM_ACCEL=kvm|tcg
forces one.
TXT
}

variant=stock
out=
timeout_s=900
mem_mb=1024
stall_file='' stall_s=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel | --out | --timeout | --mem | --stall)
		[ $# -ge 2 ] || tb_usage_die "vm: $1 needs an argument"
		case "$1" in
		--kernel) variant=$2 ;;
		--out) out=$2 ;;
		--timeout) timeout_s=$2 ;;
		--mem) mem_mb=$2 ;;
		--stall)
			[[ $2 =~ ^(.+):([1-9][0-9]*)$ ]] || tb_usage_die "vm: --stall wants FILE:SECONDS, got '$2'"
			stall_file=${BASH_REMATCH[1]} stall_s=${BASH_REMATCH[2]}
			;;
		esac
		shift 2
		;;
	--from-source) export TB_KERNEL_FROM_SOURCE=1; shift ;;
	--modules) export TB_KERNEL_FROM_SOURCE=0; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) tb_usage_die "vm: unknown option '$1' (COMMAND goes after --)" ;;
	esac
done
[ $# -gt 0 ] || tb_usage_die "vm: missing COMMAND (after --)"
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || tb_usage_die "vm: --timeout wants a positive number of seconds, got '$timeout_s'"
if ! [[ $mem_mb =~ ^[1-9][0-9]*$ ]] || [ "$mem_mb" -lt 256 ]; then
	tb_usage_die "vm: --mem wants megabytes >= 256, got '$mem_mb'"
fi
tb_kernel_is_variant "$variant" || tb_usage_die "vm: unknown kernel variant '$variant' (known: $(tb_kernel_variants | tr '\n' ' '))"
tb_have qemu-system-x86_64 || tb_die "qemu-system-x86_64 is missing (./testbed setup installs qemu-system-x86)"

msg() { printf 'vm: %s\n' "$*" >&2; }

bash "$TB_ROOT/kernel/build.sh" build "$variant" 2>&1 | grep -v ': cached (\|: module cached (' >&2 || true
kpath=$(tb_kernel_path)
# What QEMU boots, and the image's facts for vm.env (info_file: key=value).
initrd=()
extra_append=
if [ "$kpath" = source ]; then
	imgdir=$(tb_kernel_image_dir "$variant")
	kernel_file=$imgdir/bzImage
	info_file=$imgdir/info
	[ -f "$kernel_file" ] || { msg "error: no kernel image for $variant"; exit 125; }
else
	moddir=$(tb_deb_module_dir "$variant")
	kernel_file=$(tb_deb_boot_kernel)
	info_file=$moddir/info
	if [ ! -f "$kernel_file" ] || [ ! -f "$moddir/tun.ko" ] || [ ! -f "$info_file" ]; then
		msg "error: no Debian kernel or no tun.ko for $variant"
		exit 125
	fi
	initrd=(-initrd "$(tb_deb_initramfs)")
	# The initramfs loads tb_tun; guest-init.sh hands tb_modroot to modprobe.
	# maxcpus=1: the second vCPU is brought up by guest-init.sh, after the
	# kernel has patched its own text at boot (jump labels: "sched_clock:
	# Marking stable" at 1.7 s flips the one in sched_clock_cpu). Patched
	# while the other vCPU ran, QEMU 7.2's multi-threaded TCG now and then
	# executed the stale int3 there and the kernel died (kernel/README.md).
	extra_append=" tb_modroot=$(tb_deb_dir)/root tb_tun=$moddir/tun.ko maxcpus=1"
fi

if [ -z "$out" ]; then
	mkdir -p "$TB_CACHE/vm-out"
	out=$(mktemp -d "$TB_CACHE/vm-out/$(date +%Y%m%d-%H%M%S)-$variant-XXXX")
else
	mkdir -p "$out"
	out=$(cd "$out" && pwd -P)
fi
# The path goes on the kernel command line and into QEMU's option syntax.
[[ $out =~ ^/[A-Za-z0-9._/+-]*$ ]] || tb_usage_die "vm: --out path may only hold letters, digits and ._/+- : '$out'"
cwd=$(pwd -P)

run="$out/.vm-run"
rm -rf "$run"
rm -f "$out/vm.exit" "$out/vm.env" "$out/vm-console.log" "$out/vm-console.log.qemu"
mkdir -p "$run"
printf '%s\0' "$@" >"$run/cmd"
printf '%s\n' "$cwd" >"$run/cwd"
# The variants the guest can switch to (kernel/tun-switch.sh): every one
# whose module for this Debian kernel is built, "VARIANT DIR" a line.
: >"$run/modules"
if [ "$kpath" = modules ]; then
	for v in $(tb_kernel_variants); do
		d=$(tb_deb_module_dir "$v")
		if [ -f "$d/tun.ko" ]; then printf '%s %s\n' "$v" "$d" >>"$run/modules"; fi
	done
fi
env -0 | grep -zE '^TB_[A-Za-z0-9_]*=' | grep -zvE '^TB_(VM|VM_OUT|KERNEL_VARIANT|ACCEL)=' >"$run/env" || true
log="$out/vm-console.log"

qemu_pid=
tail_pid=
stop_qemu() {
	if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill "$qemu_pid" 2>/dev/null || true
		local i
		for i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$qemu_pid" 2>/dev/null || break
			sleep 0.2
			[ "$i" -eq 10 ] && kill -9 "$qemu_pid" 2>/dev/null
		done
		wait "$qemu_pid" 2>/dev/null || true
	fi
}
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	stop_qemu
	if [ -n "$tail_pid" ]; then kill "$tail_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'msg "interrupted"; exit 130' INT TERM HUP

# no_timer_check: under TCG on a loaded host the IO-APIC timer check can
# miss its ticks and panic ("IO-APIC + timer doesn't work!"); KVM guests skip
# it for the same reason.
verbosity=quiet
[ "${TB_VM_BOOTLOG:-0}" = 1 ] && verbosity="printk.time=1"
# Boots the image with the given accel; sets qemu_pid.
# TB_VM_TCG_THREAD=single runs TCG on one host thread (round robin over the
# vCPUs): code one vCPU rewrites is seen by the other at once. An experiment
# for the module path, whose Debian kernel patches its own text at run time
# (jump labels, static calls) and once died of a stale int3 under the default
# multi-threaded TCG (kernel/README.md); guests run slower so.
# Unset: QEMU's default (multi-threaded TCG for an x86 guest on x86).
tcg_thread=${TB_VM_TCG_THREAD:-}
case "$tcg_thread" in '' | single | multi) ;; *) tb_usage_die "vm: TB_VM_TCG_THREAD must be single or multi" ;; esac
start_qemu() {
	local accel=$1 console=$2 cpu accel_opt=$1
	if [ "$accel" = kvm ]; then cpu=host; else cpu=max; fi
	[ "$accel" != tcg ] || [ -z "$tcg_thread" ] || accel_opt="tcg,thread=$tcg_thread"
	qemu-system-x86_64 -accel "$accel_opt" -cpu "$cpu" -smp 2 -m "$mem_mb" \
		-nodefaults -display none -monitor none -no-reboot -nic none \
		-serial "file:$console" \
		-kernel "$kernel_file" "${initrd[@]}" \
		-append "console=ttyS0 root=rootfs rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro init=$TB_ROOT/vm/guest-init.sh panic=-1 no_timer_check $verbosity tb_out=$out tb_variant=$variant tb_accel=$accel$extra_append" \
		-fsdev local,id=r,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=r,mount_tag=rootfs \
		-fsdev "local,id=o,path=$out,security_model=none" \
		-device virtio-9p-pci,fsdev=o,mount_tag=out \
		-device virtio-rng-pci \
		</dev/null >>"$console.qemu" 2>&1 &
	qemu_pid=$!
}

# KVM hangs guests on some hosts (nested virtualisation): trust it only after
# a probe guest reached its command within 15 s. Cached per host boot.
choose_accel() {
	if [ -n "${TB_VM_ACCEL:-}" ]; then
		case "$TB_VM_ACCEL" in kvm | tcg) ;; *) tb_usage_die "vm: TB_VM_ACCEL must be kvm or tcg" ;; esac
		accel=$TB_VM_ACCEL
		accel_why="forced by TB_VM_ACCEL"
		return 0
	fi
	local boot_id cache
	boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	cache="$TB_KERNEL_CACHE/accel-$boot_id"
	if [ ! -s "$cache" ]; then
		mkdir -p "$TB_KERNEL_CACHE"
		exec 8>"$TB_KERNEL_CACHE/.accel-lock"
		flock 8
		if [ ! -s "$cache" ]; then
			rm -f "$TB_KERNEL_CACHE"/accel-*
			local result
			if [ ! -w /dev/kvm ]; then
				result="tcg no /dev/kvm"
			else
				msg "probing KVM (15 s at most, once per host boot)"
				local probe_out
				probe_out=$(mktemp -d "$TB_CACHE/vm-out/kvm-probe-XXXX")
				if TB_VM_ACCEL=kvm bash "$TB_ROOT/vm/vm.sh" --kernel "$variant" --out "$probe_out" \
					--timeout 15 -- true >/dev/null 2>&1; then
					result="kvm booted"
				else
					result="tcg hung"
				fi
				rm -rf "$probe_out"
			fi
			printf '%s\n' "$result" >"$cache"
		fi
		exec 8>&-
	fi
	read -r accel accel_why <"$cache"
	accel_why="kvm probe: $accel_why"
}

accel=
accel_why=
mkdir -p "$TB_CACHE/vm-out"
choose_accel
msg "accel=$accel ($accel_why), kernel=$variant, out=$out"

# What the guest reads instead of recomputing: the variant and, from the
# image's (or module's) info file written by kernel/build.sh, its patch hash
# and image.
info() { sed -n "s/^$1=//p" "$info_file"; }
{
	echo "variant=$variant"
	echo "patch_hash=$(info patch_hash)"
	echo "release=$(info release)"
	echo "kernel_path=$kpath"
	if [ "$kpath" = source ]; then
		echo "kernel_image=source $TB_KERNEL_PKG $(info source) tinyconfig+testbed.config -tb-$variant"
		echo "image_key=$(info key)"
		echo "image_sha256=$(info image_sha256)"
	else
		echo "kernel_image=$(info kernel_image)"
		echo "image_key=$(info key)"
		echo "image_sha256=$(sed -n 's/^vmlinuz_sha256=//p' "$(tb_deb_dir)/info")"
		echo "module_sha256=$(info module_sha256)"
	fi
	echo "accel=$accel"
	echo "accel_reason=$accel_why"
	[ "$accel" != tcg ] || echo "tcg_thread=${tcg_thread:-default}"
	echo "vcpus=2"
	echo "mem_mb=$mem_mb"
	echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$out/vm.env"

marker='tb-guest: running '
# host_cpu_snapshot: what the host's CPUs and QEMU have used so far, for the
# guest to read around a run's traffic (lib/include/tb/host_cpu.h): one line
# "TOTAL IDLE GUEST STEAL" in clock ticks, replaced whole (rename) so that a
# reader never sees half of one. Builtins only, but the mv.
host_cpu_snapshot() {
	local _cpu user nice sys idle iowait irq softirq steal _rest stat
	read -r _cpu user nice sys idle iowait irq softirq steal _rest </proc/stat || return 0
	read -ra stat <"/proc/$qemu_pid/stat" 2>/dev/null || return 0
	printf '%s %s %s %s\n' $((user + nice + sys + idle + iowait + irq + softirq + steal)) \
		$((idle + iowait)) $((stat[13] + stat[14])) "$steal" >"$run/host-cpu.new" &&
		mv -f "$run/host-cpu.new" "$run/host-cpu"
}
# boot_once: boot, stream COMMAND's output, wait for QEMU to end (or kill it
# at the timeout or stall); sets boot_s (empty: COMMAND never started) and
# timed_out.
boot_once() {
	: >"$log"
	rm -f "$out/vm.exit"
	start_qemu "$accel" "$log"

	# Stream the console from the marker on: COMMAND's output to stdout, the
	# guest init's own messages to stderr, the boot messages before it nowhere.
	tail -n +1 -F --pid="$qemu_pid" "$log" 2>/dev/null | awk -v marker="$marker" -v bootlog="${TB_VM_BOOTLOG:-0}" '
		{ sub(/\r$/, "") }
		!seen && index($0, marker) == 1 { seen = 1; next }
		!seen && (bootlog || /^tb-guest: /) { print > "/dev/stderr"; fflush("/dev/stderr"); next }
		!seen { next }
		done { next }
		/^tb-guest: exit status [0-9]+$/ { done = 1; next }
		{ print; fflush() }
	' &
	tail_pid=$!

	boot_s=
	timed_out=0
	# Once a second: the host's CPU for the guest, and the heartbeat's state
	# (inode, mtime, size; a stat process) and when the host saw it change.
	beat_seen='' beat_changed=$SECONDS beat_checked=-1
	# This loop shares the host with the guest it watches, so it forks as
	# little as it can: the clock from EPOCHREALTIME, the 0.1 s pause a read
	# with a timeout on a pipe nobody writes. (With date, awk and sleep ten
	# times a second it took 0.28 of a core, 14 % of a 2-core host, measured
	# beside a sweep's guest.)
	local start_us=${EPOCHREALTIME//[!0-9]/} now_us elapsed_us pause_fd
	exec {pause_fd}<> <(:)
	while kill -0 "$qemu_pid" 2>/dev/null; do
		now_us=${EPOCHREALTIME//[!0-9]/}
		elapsed_us=$((now_us - start_us))
		if [ -z "$boot_s" ] && grep -q "^$marker" "$log" 2>/dev/null; then
			boot_s=$((elapsed_us / 1000000)).$((elapsed_us / 100000 % 10))
		fi
		if [ "$elapsed_us" -ge $((timeout_s * 1000000)) ]; then
			timed_out=1
			break
		fi
		if [ "$beat_checked" -ne "$SECONDS" ]; then
			beat_checked=$SECONDS
			host_cpu_snapshot
			if [ -n "$stall_file" ]; then
				beat=$(stat -c '%i %y %s' "$stall_file" 2>/dev/null || echo none)
				if [ "$beat" != "$beat_seen" ]; then
					beat_seen=$beat beat_changed=$SECONDS
				elif [ "$beat" != none ] && [ $((SECONDS - beat_changed)) -ge "$stall_s" ]; then
					timed_out=stall
					break
				fi
			fi
		fi
		read -r -t 0.1 -u "$pause_fd" _ || true
	done
	exec {pause_fd}<&-
	# After a timeout the console stream still drains: tail --pid ends by itself
	# once QEMU is gone.
	if [ "$timed_out" != 0 ]; then stop_qemu; fi
	wait "$tail_pid" 2>/dev/null || true
	tail_pid=
	wait "$qemu_pid" 2>/dev/null || true
	qemu_pid=
}

# A kernel that died before COMMAND started (Debian's kernel under QEMU's
# multi-threaded TCG oopses at boot now and then: kernel/README.md) is booted
# again, at most twice; its console is kept as vm-console.log.boot-N. Once
# COMMAND has started nothing is retried: it may have had effects.
boot_failures=0
vm_start=$(tb_now)
while :; do
	boot_once
	if [ "$timed_out" != 0 ] || [ -n "$boot_s" ] || [ -s "$out/vm.exit" ]; then break; fi
	oops=$(tr -d '\r' <"$log" | grep -m1 -E 'Oops|Kernel panic|BUG:|general protection fault' || true)
	if [ -z "$oops" ] || [ "$boot_failures" -ge 2 ]; then break; fi
	boot_failures=$((boot_failures + 1))
	mv "$log" "$log.boot-$boot_failures"
	msg "the guest kernel died during boot, before COMMAND started (${oops#*] }); booting again ($((boot_failures + 1)) of 3; console kept in $log.boot-$boot_failures)"
done
total_s=$(tb_elapsed "$vm_start")
{
	echo "boot_to_command_s=${boot_s:-none}"
	echo "total_s=$total_s"
	echo "timed_out=$timed_out"
	echo "boot_failures=$boot_failures"
} >>"$out/vm.env"

if [ "$timed_out" != 0 ]; then
	if [ "$timed_out" = stall ]; then
		msg "error: guest stalled: $stall_file unchanged for $stall_s s; QEMU killed. Last console lines ($log):"
	else
		msg "error: guest did not finish within $timeout_s s; QEMU killed. Last console lines ($log):"
	fi
	tail -n 20 "$log" | tr -d '\r' | sed 's/^/  | /' >&2
	echo "exit_status=timeout" >>"$out/vm.env"
	exit 124
fi
if [ ! -s "$out/vm.exit" ]; then
	msg "error: the guest stopped without reporting COMMAND's exit status. Last console lines ($log):"
	tail -n 20 "$log" | tr -d '\r' | sed 's/^/  | /' >&2
	if [ -s "$log.qemu" ]; then sed 's/^/  qemu: /' "$log.qemu" >&2; fi
	echo "exit_status=none" >>"$out/vm.env"
	exit 125
fi
status=$(cat "$out/vm.exit")
echo "exit_status=$status" >>"$out/vm.env"
[[ $status =~ ^[0-9]+$ ]] || { msg "error: bad exit status '$status' in $out/vm.exit"; exit 125; }
exit "$status"
