#!/usr/bin/env bash
# Both scale-out engines against one serial run of the same tiny sweep: the
# sweep run serially once, then sharded through a one-node Slurm cluster
# (sweep_slurm_vm_test.sh) and through GNU parallel over ssh
# (sweep_parallel_vm_test.sh), each merged database compared with the serial
# one. One serial run instead of two keeps ./testbed test shorter.
set -euo pipefail
root=${1:?usage: sweep_scaleout_vm_test.sh REPO_ROOT}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=experiments/tests/shard_compare.sh
source "$here/shard_compare.sh"
shard_compare_sweep "$dir/tiny.sweep"
"$root/testbed" sweep "$dir/tiny.sweep" --db "$dir/serial.db"
rc=0
for t in sweep_slurm_vm_test.sh sweep_parallel_vm_test.sh; do
	echo "=== $t"
	TB_TEST_SERIAL_DB=$dir/serial.db bash "$here/$t" "$root" || rc=1
done
exit "$rc"
