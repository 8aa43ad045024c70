#!/usr/bin/env bash
# ./testbed sweep FILE --slurm --shards N: the sweep as a Slurm job array,
# one task per shard (./testbed sweep FILE --shard K/N on a node of its own),
# and a merge job that runs when all tasks have ended (afterany: also after
# a failed task, so what finished is merged and the missing runs listed).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed sweep FILE --slurm --shards N [--shard-by point|run] [--partition P]
                          [--sbatch-arg ARG]... [--out DIR] [--db MERGED] [--dry-run]
                          [--capacity VPN=MBIT]...

Writes two batch scripts into DIR and submits them with sbatch:
  NAME.array.sbatch  a job array of N tasks; task K-1 runs
                     ./testbed sweep FILE --shard K/N --db DIR/NAME.shard-K-of-N.db
                     with --cpus-per-task the guest's vCPUs and --exclusive (a
                     node of its own: runs on a shared node measure the others)
  NAME.merge.sbatch  ./testbed merge MERGED DIR/NAME.shard-*-of-N.db --sweep FILE,
                     submitted with --dependency=afterany:ARRAY_JOB
  --shards N       how many shards (tasks), 1..1000
  --shard-by       point (default) or run: as ./testbed sweep --shard-by
  --partition P    the Slurm partition for both jobs
  --sbatch-arg ARG one more #SBATCH line for both jobs (e.g. --account=A,
                   --time=4:00:00, which replaces the estimated limit)
  --out DIR        scripts, shard databases and logs (default results/slurm-NAME)
  --db MERGED      the merged database (default results/NAME.db)
  --capacity VPN=MBIT  for rings in units of the BDP (ring = 0.27bdp): every
                   task resolves them with this capacity (needed then)
  --dry-run        print the scripts and the sbatch commands; write and submit nothing
The nodes must see this directory at the same path (a shared file system);
each task builds the kernels it needs into its TB_CACHE unless cached there
(kernel/build.sh takes a lock on the cache, so tasks sharing one build once).
A task resubmitted after an interruption runs only its missing points.
TXT
}

file='' shards='' shard_by=point partition='' out='' merged='' dry=0 extra=() capacity_args=()
declare -A capacity=() # read by tb_sweep_bdp
while [ $# -gt 0 ]; do
	case "$1" in
	--capacity)
		if [ $# -lt 2 ] || ! [[ $2 =~ ^([a-z0-9-]+)=([0-9]+(\.[0-9]+)?)$ ]]; then
			tb_usage_die "sweep --slurm: --capacity needs VPN=MBIT (e.g. openvpn=21.7), got '${2:-}'"
		fi
		capacity[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]} capacity_args+=(--capacity "$2"); shift ;;
	--shards)
		if [ $# -lt 2 ] || ! [[ $2 =~ ^[1-9][0-9]*$ ]] || [ "$2" -gt 1000 ]; then
			tb_usage_die "sweep --slurm: --shards needs a number of shards in 1..1000"
		fi
		shards=$2; shift ;;
	--shard-by)
		[[ $# -ge 2 && $2 =~ ^(point|run)$ ]] || tb_usage_die "sweep --slurm: --shard-by must be point or run"
		shard_by=$2; shift ;;
	--partition) [[ $# -ge 2 && -n $2 ]] || tb_usage_die "sweep --slurm: --partition needs a name"; partition=$2; shift ;;
	--sbatch-arg)
		[[ $# -ge 2 && $2 == -* ]] || tb_usage_die "sweep --slurm: --sbatch-arg needs an sbatch option (e.g. --account=A)"
		extra+=("$2"); shift ;;
	--out) [ $# -ge 2 ] || tb_usage_die "sweep --slurm: --out needs a directory"; out=$2; shift ;;
	--db) [ $# -ge 2 ] || tb_usage_die "sweep --slurm: --db needs a path"; merged=$2; shift ;;
	--dry-run) dry=1 ;;
	-h | --help) usage; exit 0 ;;
	--shard) tb_usage_die "sweep --slurm: the tasks choose their shard; give --shards N" ;;
	-*) tb_usage_die "sweep --slurm: unknown option '$1'" ;;
	*) [ -z "$file" ] || tb_usage_die "sweep --slurm: one sweep file only"; file=$1 ;;
	esac
	shift
done
[ -n "$file" ] || tb_usage_die "sweep --slurm: which sweep file?"
[ -n "$shards" ] || tb_usage_die "sweep --slurm: --shards N is required"
[ -r "$file" ] || tb_die "cannot read sweep file '$file'"
file=$(realpath "$file")

# Built once here: tasks building into one shared build directory at once
# would race.
bin=$TB_BUILD
for t in experiments/tb-sweep lib/tb-db lib/tb-merge netem-profiles/tb-profile; do
	[ -x "$bin/$t" ] || bash "$TB_ROOT/scripts/build.sh" >/dev/null
done
# shellcheck source=experiments/sweep-lib.sh
source "$TB_ROOT/experiments/sweep-lib.sh"
tb_sweep_known
name=$("$bin/experiments/tb-sweep" name "$file")
# Rings in BDP units: every task must resolve the same rings, so the
# capacities are given here (not each shard's own calibration).
tb_sweep_bdp "$file" /nonexistent
"$bin/experiments/tb-sweep" check "$file" "${TB_SWEEP_KNOWN[@]}" "${TB_SWEEP_BDP[@]}" >/dev/null
[ -n "$out" ] || out=$TB_ROOT/results/slurm-$name
[ -n "$merged" ] || merged=$TB_ROOT/results/$name.db
out=$(realpath -m "$out")
merged=$(realpath -m "$merged")
cpus=$(tb_guest_vcpus)

# The time limit: 3x the longest shard's estimate plus 30 min for boots and
# kernel builds, unless an --sbatch-arg sets one.
longest=0 empty=0
while read -r _ runs secs _; do
	[ "$secs" -le "$longest" ] || longest=$secs
	[ "$runs" -gt 0 ] || empty=$((empty + 1))
done < <("$bin/experiments/tb-sweep" shards "$file" --shards "$shards" --shard-by "$shard_by" "${TB_SWEEP_BDP[@]}")
[ "$empty" -eq 0 ] || tb_log "warning: $empty of the $shards shards have no runs (the sweep has fewer points than shards; --shard-by run splits repetitions)"
time_line="#SBATCH --time=$(((3 * longest + 59) / 60 + 30))"
for a in "${extra[@]}"; do
	case "$a" in --time=* | -t*) time_line='' ;; esac
done

# header JOB_NAME: the #SBATCH lines both jobs share
header() {
	echo "#!/usr/bin/env bash"
	echo "#SBATCH --job-name=$1"
	[ -z "$partition" ] || echo "#SBATCH --partition=$partition"
	local a
	for a in "${extra[@]}"; do echo "#SBATCH $a"; done
}
q() { printf '%q' "$1"; }
array_script() {
	header "tb-$name"
	echo "#SBATCH --array=0-$((shards - 1))"
	echo "#SBATCH --ntasks=1"
	echo "#SBATCH --cpus-per-task=$cpus"
	echo "#SBATCH --exclusive"
	[ -z "$time_line" ] || echo "$time_line"
	echo "#SBATCH --output=$out/$name.shard-%a.log"
	cat <<SH
# Written by ./testbed sweep --slurm: shard SLURM_ARRAY_TASK_ID+1 of $shards.
set -euo pipefail
k=\$((SLURM_ARRAY_TASK_ID + 1))
cd $(q "$TB_ROOT")
exec ./testbed sweep $(q "$file") --shard "\$k/$shards" --shard-by $shard_by --db $(q "$out/$name").shard-"\$k"-of-$shards.db${capacity_args[*]:+ ${capacity_args[*]}}
SH
}
merge_script() {
	header "tb-$name-merge"
	echo "#SBATCH --ntasks=1"
	echo "#SBATCH --output=$out/$name.merge.log"
	cat <<SH
# Written by ./testbed sweep --slurm: runs after every shard task ended.
set -euo pipefail
cd $(q "$TB_ROOT")
shopt -s nullglob
dbs=($(q "$out/$name").shard-*-of-$shards.db)
[ \${#dbs[@]} -gt 0 ] || { echo "no shard database in $(q "$out")" >&2; exit 1; }
exec ./testbed merge $(q "$merged") "\${dbs[@]}" --sweep $(q "$file")
SH
}

if [ "$dry" -eq 1 ]; then
	echo "# $out/$name.array.sbatch"
	array_script
	echo
	echo "# $out/$name.merge.sbatch"
	merge_script
	echo
	echo "# submitted with:"
	echo "sbatch --parsable $out/$name.array.sbatch"
	echo "sbatch --parsable --dependency=afterany:ARRAY_JOB_ID $out/$name.merge.sbatch"
	exit 0
fi
command -v sbatch >/dev/null || tb_die "sweep --slurm: sbatch not found (Debian: slurm-client; or --dry-run for the scripts)"
mkdir -p "$out" "$(dirname "$merged")"
array_script >"$out/$name.array.sbatch"
merge_script >"$out/$name.merge.sbatch"
jid=$(sbatch --parsable "$out/$name.array.sbatch")
jid=${jid%%;*} # "ID;CLUSTER" on federated clusters
mid=$(sbatch --parsable --dependency="afterany:$jid" "$out/$name.merge.sbatch")
mid=${mid%%;*}
tb_log "sweep $name: job array $jid ($shards shards, $cpus CPUs each, logs $out/$name.shard-*.log)"
tb_log "merge job $mid runs after it: $merged (log $out/$name.merge.log)"
echo "$jid $mid"
