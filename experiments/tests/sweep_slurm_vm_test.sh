#!/usr/bin/env bash
# ./testbed sweep --slurm for real: a one-node Slurm cluster on this machine
# (scale-out/slurm-local.sh) runs a tiny sweep as 2 shards (a guest each)
# and the merge job; the merged database must hold what the same sweep run
# serially holds (experiments/tests/shard_compare.sh says what "the same"
# means). Needs slurmctld, slurmd, slurm-client and munge.
set -euo pipefail
root=${1:?usage: sweep_slurm_vm_test.sh REPO_ROOT}
dir=$(mktemp -d)
cluster=$dir/cluster
trap 'bash "$root/scale-out/slurm-local.sh" stop "$cluster" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
# shellcheck source=experiments/tests/shard_compare.sh
source "$root/experiments/tests/shard_compare.sh"
shard_compare_sweep "$dir/tiny.sweep"

SLURM_CONF=$(bash "$root/scale-out/slurm-local.sh" start "$cluster" | sed -n 's/^SLURM_CONF=//p')
export SLURM_CONF
read -r array_job merge_job < <("$root/testbed" sweep "$dir/tiny.sweep" --slurm --shards 2 --out "$dir/slurm" \
	--db "$dir/merged.db" | tail -n1)
# both shards (each boots a guest, one after the other on this node) and the merge
for _ in $(seq 1200); do
	[ -n "$(squeue -h -j "$array_job,$merge_job" 2>/dev/null)" ] || break
	sleep 1
done
cat "$dir"/slurm/*.log
expect "the jobs ended" "$(squeue -h -j "$array_job,$merge_job" 2>/dev/null)" ""
check "the merge found nothing missing" grep -q "campaign tiny-scale-out: 2 of 2 runs of .* done, 0 missing" "$dir/slurm/tiny-scale-out.merge.log"
check "each shard ran one run" test "$(grep -l "shard [12]/2: 0 of 1 runs already in" "$dir"/slurm/tiny-scale-out.shard-*.log | wc -l)" -eq 2

# the serial run of the same sweep; sweep_scaleout_vm_test.sh runs it once
# for both scale-out tests (TB_TEST_SERIAL_DB)
serial=${TB_TEST_SERIAL_DB:-}
if [ -z "$serial" ]; then
	serial=$dir/serial.db
	"$root/testbed" sweep "$dir/tiny.sweep" --db "$serial"
fi
shard_compare "$serial" "$dir/merged.db"
tb_summary
