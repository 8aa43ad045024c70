#!/usr/bin/env bash
# Runs inside a testbed guest on the module path (started by
# kernel/selftest.sh): the self-test of several variants in one boot. For
# each VARIANT: load its tun.ko (kernel/tun-switch.sh; the first one is
# already loaded at boot), record which module is loaded in
# BASE/VARIANT/module.env, flood the grid (guest-flood.sh BASE/VARIANT) and
# write the seconds it all took to BASE/VARIANT/elapsed.
#
#   guest-selftest.sh BASE quick|full REPEATS VARIANT...
#
# REPEATS: guest-flood.sh's --repeats (0 for none).
#
# Exit status: 0 when every variant was loaded and flooded.
set -euo pipefail
base=${1:?usage: guest-selftest.sh BASE quick|full REPEATS VARIANT...}
mode=${2:?usage: guest-selftest.sh BASE quick|full REPEATS VARIANT...}
repeats=${3:?usage: guest-selftest.sh BASE quick|full REPEATS VARIANT...}
shift 3
flood_args=(--repeats "$repeats")
[ "$mode" = quick ] && flood_args+=(--quick)
here=${BASH_SOURCE[0]%/*}
rc=0
for v in "$@"; do
	start=$EPOCHREALTIME
	read -r loaded </sys/module/tun/parameters/tb_variant
	if [ "$loaded" = "$v" ]; then
		bash "$here/../tun-switch.sh" --show >"$base/$v/module.env"
	elif ! bash "$here/../tun-switch.sh" "$v" >"$base/$v/module.env"; then
		echo "guest-selftest: cannot load $v's tun.ko"
		rc=1
		continue
	fi
	TB_KERNEL_VARIANT=$v bash "$here/guest-flood.sh" "$base/$v" "${flood_args[@]}" || rc=1
	end=$EPOCHREALTIME
	us=$((${end/./} - ${start/./}))
	echo "$((us / 1000000)).$((us % 1000000 / 100000))" >"$base/$v/elapsed"
done
sync
exit "$rc"
