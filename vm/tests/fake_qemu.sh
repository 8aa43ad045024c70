#!/usr/bin/env bash
# Stand-in for qemu-system-x86_64 in vm/tests/cli_test.sh: records its
# arguments (one a line) in $TB_TEST_QEMU_ARGS. With TB_TEST_QEMU_GUEST=1 it
# plays a guest that booted: writes the console the way vm/guest-init.sh
# does (boot noise, the marker, output, the exit status line) and vm.exit =
# 3 into the out dir; otherwise it fails like a kernel that does not boot.
set -euo pipefail
printf '%s\n' "$@" >"$TB_TEST_QEMU_ARGS"
console='' append=''
while [ $# -gt 0 ]; do
	case "$1" in
	-serial) console=${2#file:}; shift ;;
	-append) append=$2; shift ;;
	esac
	shift
done
# TB_TEST_QEMU_OOPS=FILE: while FILE holds a number above 0, a boot writes
# a kernel oops to the console (as Debian's kernel under TCG now and then
# does, kernel/README.md), counts FILE down and exits as after the panic.
if [ -n "${TB_TEST_QEMU_OOPS:-}" ] && [ "$(cat "$TB_TEST_QEMU_OOPS")" -gt 0 ]; then
	echo $(($(cat "$TB_TEST_QEMU_OOPS") - 1)) >"$TB_TEST_QEMU_OOPS"
	printf '%s\r\n' "Linux version 6.12.0-fake" "[    1.707464] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI" \
		"[    1.707830] Kernel panic - not syncing: Fatal exception in interrupt" >>"$console"
	exit 0
fi
[ "${TB_TEST_QEMU_GUEST:-0}" = 1 ] || exit 1
out=$(sed -n 's/.* tb_out=\([^ ]*\).*/\1/p' <<<"$append")
printf '%s\r\n' "Linux version 6.12.0-fake" "tb-guest: running sh -c x" "hello from the guest" >>"$console"
sleep 1 # a guest that runs a while: vm.sh sees the marker while QEMU lives (boot time)
# TB_TEST_QEMU_BUSY=1: a guest that reads vm.sh's host-cpu line, is busy on
# one CPU for about 1.5 s (this process's own time, as QEMU's would be) and
# reads it again, into $out/host-cpu.seen.
if [ "${TB_TEST_QEMU_BUSY:-0}" = 1 ]; then
	sleep 1.2
	cat "$out/.vm-run/host-cpu" >"$out/host-cpu.seen"
	end=$((SECONDS + 2))
	while [ "$SECONDS" -lt "$end" ]; do :; done
	sleep 1.2
	cat "$out/.vm-run/host-cpu" >>"$out/host-cpu.seen"
fi
echo 3 >"$out/vm.exit"
printf '%s\r\n' "tb-guest: exit status 3" >>"$console"
