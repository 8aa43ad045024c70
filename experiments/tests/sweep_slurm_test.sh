#!/usr/bin/env bash
# ./testbed sweep --slurm without a guest: the batch scripts it writes
# (array range, CPUs, exclusivity, the shard commands, the merge job's
# dependency), then a one-node Slurm cluster on this machine
# (scale-out/slurm-local.sh) running a 2-task array of hostname, and the
# real scripts of a sweep whose shard databases already hold every run: each
# task finds nothing to do (no guest boots) and the merge job merges them.
set -euo pipefail
root=${1:?usage: sweep_slurm_test.sh REPO_ROOT}
dir=$(mktemp -d)
cluster=$dir/cluster
trap 'bash "$root/scale-out/slurm-local.sh" stop "$cluster" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
bin=${TB_BUILD:-$root/build}
export TB_CACHE=$dir/cache
run_rc() { # run_rc OUTFILE CMD...: stdout+stderr into OUTFILE, print the status
	local f=$1
	shift
	exit_status "$f" "$f" "$@"
}

cat >"$dir/tiny.sweep" <<'TXT'
[sweep]
name = tiny-slurm
repetitions = 2
duration = 5s
[matrix]
kernel = stock, nodrop-v2
ring = 25, 500
TXT
vcpus=$(sed -n 's/.*-smp \([0-9]*\).*/\1/p' "$root/vm/vm.sh" | head -n1)

# --- the scripts ------------------------------------------------------------
rc=$(run_rc "$dir/dry" "$root/testbed" sweep "$dir/tiny.sweep" --slurm --shards 3 --partition debug \
	--sbatch-arg --account=lab --out "$dir/s" --db "$dir/m.db" --dry-run)
expect "dry run succeeds" "$rc" 0
check "dry run writes nothing" test ! -e "$dir/s"
check "one task per shard" grep -qx '#SBATCH --array=0-2' "$dir/dry"
check "a task has the guest's CPUs" grep -qx "#SBATCH --cpus-per-task=$vcpus" "$dir/dry"
check "a task has its node alone" grep -qx '#SBATCH --exclusive' "$dir/dry"
check "the partition" test "$(grep -cx '#SBATCH --partition=debug' "$dir/dry")" -eq 2
check "the extra sbatch argument, in both jobs" test "$(grep -cx '#SBATCH --account=lab' "$dir/dry")" -eq 2
check "an estimated time limit" grep -qE '^#SBATCH --time=[0-9]+$' "$dir/dry"
check "the task runs its shard (1-based) of the sweep" \
	grep -qF "./testbed sweep $dir/tiny.sweep --shard \"\$k/3\" --shard-by point --db $dir/s/tiny-slurm.shard-\"\$k\"-of-3.db" "$dir/dry"
# shellcheck disable=SC2016 # the script's text, not expanded here
check "shard K is task K-1" grep -qx 'k=$((SLURM_ARRAY_TASK_ID + 1))' "$dir/dry"
check "the merge job merges the shards" grep -qF "./testbed merge $dir/m.db \"\${dbs[@]}\" --sweep $dir/tiny.sweep" "$dir/dry"
check "the merge job waits for every task" grep -qx "sbatch --parsable --dependency=afterany:ARRAY_JOB_ID $dir/s/tiny-slurm.merge.sbatch" "$dir/dry"
rc=$(run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --slurm --shards 2 --sbatch-arg --time=1:00:00 --dry-run)
check "a --time of one's own replaces the estimate" test "$(grep -cE '^#SBATCH --time=[0-9]+$' "$dir/x")" -eq 0
check "and is the one given, in both jobs" test "$(grep -cx '#SBATCH --time=1:00:00' "$dir/x")" -eq 2
rc=$(run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --slurm --dry-run)
expect "--slurm without --shards: usage error" "$rc" 2
rc=$(run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --slurm --shards 0 --dry-run)
expect "--shards 0: usage error" "$rc" 2
check "--shards 0: named" grep -q -- "--shards needs a number of shards in 1..1000" "$dir/x"
rc=$(run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --slurm --shards 2 --shard 1/2 --dry-run)
expect "--slurm with --shard: usage error" "$rc" 2
rc=$(run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --slurm --shards 9 --dry-run)
check "more shards than points: warned" grep -q "warning: 5 of the 9 shards have no runs" "$dir/x"

# --- a one-node cluster -------------------------------------------------------
rc=$(run_rc "$dir/start" bash "$root/scale-out/slurm-local.sh" start "$cluster")
expect "the local cluster starts" "$rc" 0
SLURM_CONF=$(sed -n 's/^SLURM_CONF=//p' "$dir/start")
export SLURM_CONF
expect "sinfo: the node is idle" "$(sinfo -h -o '%P %t %D')" "debug* idle 1"
# wait_jobs ID...: until squeue lists none of them (at most 120 s)
wait_jobs() {
	local i
	for ((i = 0; i < 240; i++)); do
		[ -n "$(squeue -h -j "$(IFS=,; echo "$*")" 2>/dev/null)" ] || return 0
		sleep 0.5
	done
	return 1
}
jid=$(sbatch --parsable --array=0-1 --output="$dir/hostname-%a.out" --wrap hostname)
check "a 2-task array of hostname ends" wait_jobs "$jid"
for t in 0 1; do
	expect "task $t ran hostname" "$(cat "$dir/hostname-$t.out" 2>/dev/null)" "$(hostname)"
done

# The real scripts, on shard databases that hold every run already.
mkdir -p "$dir/s"
for k in 1 2; do
	mkdir -p "$dir/p$k"
	while IFS= read -r p; do
		id=$("$bin/lib/tb-db" run-new "$dir/s/tiny-slurm.shard-$k-of-2.db" --point "$p" kind=video accel=tcg \
			--env "sweep_sha256=$(sha256sum "$dir/tiny.sweep" | cut -d' ' -f1)" --env "host_name=node-$k")
		"$bin/lib/tb-db" run-set "$dir/s/tiny-slurm.shard-$k-of-2.db" "$id" status=done valid=1
	done < <("$bin/experiments/tb-sweep" expand "$dir/tiny.sweep" --dir "$dir/p$k" --shard "$k/2")
done
rc=$(run_rc "$dir/sub" "$root/testbed" sweep "$dir/tiny.sweep" --slurm --shards 2 --out "$dir/s" --db "$dir/merged.db")
expect "submitted" "$rc" 0
read -r array_job merge_job < <(tail -n1 "$dir/sub")
check "the array and the merge job end" wait_jobs "$array_job" "$merge_job"
for k in 0 1; do
	check "task $k had nothing to do" grep -q "nothing to do" "$dir/s/tiny-slurm.shard-$k.log"
done
# job_time JOB FIELD: the latest StartTime or EndTime of a job's tasks, as seconds
job_time() {
	scontrol show job "$1" | grep -o "$2=[0-9T:-]*" | cut -d= -f2 | xargs -I{} date -d {} +%s | sort -n | tail -n1
}
check "the merge job started after the array's last task ended" \
	test "$(job_time "$merge_job" StartTime)" -ge "$(job_time "$array_job" EndTime)"
expect "the merged database holds every run, done" \
	"$("$bin/lib/tb-db" query "$dir/merged.db" "SELECT count(*) FROM runs WHERE status = 'done' AND campaign = 'tiny-slurm'")" 8
expect "and the sweep's point keys" "$("$bin/lib/tb-db" done-keys "$dir/merged.db" tiny-slurm | sort | tr '\n' '|')" \
	"$(cat "$dir"/p1/*.point "$dir"/p2/*.point | sed -n 's/^point_key = //p' | sort | tr '\n' '|')"
check "the merge log: nothing missing" grep -q "campaign tiny-slurm: 8 of 8 runs of .* done, 0 missing" "$dir/s/tiny-slurm.merge.log"

tb_summary
