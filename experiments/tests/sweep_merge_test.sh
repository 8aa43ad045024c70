#!/usr/bin/env bash
# Shards and their merge, without a guest: `sweep --shard` splits and lists,
# refuses bad K/N and too few cores; shard databases made here with tb-db
# (as a sweep would leave them) merge into one with every child row, again
# without a change, and not at all when they do not match; `tb-db import`
# makes one run of a robot's and an operator's database.
set -euo pipefail
root=${1:?usage: sweep_merge_test.sh REPO_ROOT}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
bin=${TB_BUILD:-$root/build}
tbdb=$bin/lib/tb-db
export TB_CACHE=$dir/cache
run_rc() { # run_rc OUTFILE CMD...: stdout+stderr into OUTFILE, print the status
	local f=$1
	shift
	exit_status "$f" "$f" "$@"
}
count() { "$tbdb" query "$1" "$2"; }

# 3 points x 2 repetitions, stock and nodrop-v2
cat >"$dir/tiny.sweep" <<'TXT'
[sweep]
name = tiny
repetitions = 2
duration = 5s
[matrix]
kernel = stock, nodrop-v2
ring = 25, 500
[matrix]
kernel = stock
ring = 1
TXT
sha=$(sha256sum "$dir/tiny.sweep" | cut -d' ' -f1)

# --- the split, from the command line -------------------------------------
mkdir -p "$dir/all"
mapfile -t all_keys < <("$bin/experiments/tb-sweep" expand "$dir/tiny.sweep" --dir "$dir/all" |
	xargs sed -n 's/^point_key = //p' | sort)
expect "the sweep has 10 runs" "${#all_keys[@]}" 10
: >"$dir/listed"
for k in 1 2; do
	rc=$(run_rc "$dir/out$k" "$root/testbed" sweep "$dir/tiny.sweep" --shard "$k/2" --dry-run --db "$dir/s$k.db")
	expect "dry run of shard $k/2 succeeds" "$rc" 0
	grep -E '^(stock|nodrop-v2) ' "$dir/out$k" | awk '{ print $2 }' >>"$dir/listed"
	run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --shard "$k/2" --dry-run >/dev/null
	check "shard $k/2 is the default database's name" grep -q "in $root/results/tiny.shard-$k-of-2.db" "$dir/x"
done
expect "the two shards list every run once" "$(sort "$dir/listed" | tr '\n' '|')" "$(printf '%s|' "${all_keys[@]}")"
# repetitions of a point stay in one shard
expect "no point split over shards" \
	"$(for k in 1 2; do grep -E '^(stock|nodrop-v2) ' "$dir/out$k" | awk '{ print $2 }' | sed 's/;rep=[0-9]*$//' | sort -u | sed "s/^/$k /"; done |
		awk '{ print $2 }' | sort | uniq -d | wc -l)" 0
check "the shard's time is stated" grep -q '^shard 1/2 (by point): ' "$dir/out1"
rc=$(run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --shard 2/2 --shard-by run --dry-run --db "$dir/r.db")
expect "--shard-by run works" "$rc" 0
for bad in 0/2 3/2 2 a/b 1/0; do
	rc=$(run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --shard "$bad" --dry-run)
	expect "--shard $bad is a usage error" "$rc" 2
	check "--shard $bad: the option and the value are named" grep -q "sweep: --shard must be K/N .* got '$bad'" "$dir/x"
done
rc=$(run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --shard-by run --dry-run)
expect "--shard-by without --shard is a usage error" "$rc" 2
rc=$(run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --shard 1/2 --shard-by rep --dry-run)
expect "--shard-by rep is a usage error" "$rc" 2

# --- a task without the guest's cores refuses ------------------------------
vcpus=$(sed -n 's/.*-smp \([0-9]*\).*/\1/p' "$root/vm/vm.sh" | head -n1)
rc=$(SLURM_CPUS_PER_TASK=$((vcpus - 1)) run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --dry-run --db "$dir/c.db")
expect "fewer Slurm CPUs than vCPUs: exit 2" "$rc" 2
check "it says why" grep -q "may use $((vcpus - 1)) core(s) .* but a guest needs $vcpus" "$dir/x"
if [ "$(nproc)" -ge "$vcpus" ]; then
	rc=$(run_rc "$dir/x" taskset -c 0 "$root/testbed" sweep "$dir/tiny.sweep" --dry-run --db "$dir/c.db")
	expect "one core by affinity: exit 2" "$rc" "$([ "$vcpus" -gt 1 ] && echo 2 || echo 0)"
	rc=$(run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --dry-run --db "$dir/c.db")
	expect "enough cores: the dry run goes on" "$rc" 0
fi

# --- shard databases as a sweep leaves them --------------------------------
# fake_run DB POINT HOST STATUS [COLUMN=VALUE...]: a run with 3 frames_sent,
# 2 counters and 4 samples, taking as many seconds beyond its 5 s as HOST
# has letters
fake_run() {
	local db=$1 p=$2 host=$3 status=$4 kernel id
	shift 4
	kernel=$(sed -n 's/^kernel = //p' "$p")
	id=$("$tbdb" run-new "$db" --point "$p" --env "sweep_sha256=$sha" --env "sweep_file=$dir/tiny.sweep" \
		--env "host_name=$host" --env host_cpu_model=TestCPU --env "sweep_shard=$shard/2" --env sweep_shard_by=point \
		kind=video accel=tcg patch_hash="hash-$kernel" status="$status" started_ns=1000000000000 \
		ended_ns=$((1000000000000 + (5 + ${#host}) * 1000000000)) "$@")
	[ "$status" != "done" ] || "$tbdb" run-set "$db" "$id" valid=1
	sqlite3 "$db" "INSERT INTO frames_sent(run_id, frame_no) VALUES ($id, 0), ($id, 1), ($id, 2);
		INSERT INTO counters(run_id, place, name, before, after) VALUES ($id, 'ring', 'drops', 0, $id), ($id, 'qdisc', 'drops', 0, 1);
		INSERT INTO samples(run_id, t_ns, name, value) VALUES ($id, 1, 'cpu', 1), ($id, 2, 'cpu', 2), ($id, 3, 'cpu', 3), ($id, 4, 'cpu', $id)"
}
missing_key=''
for shard in 1 2; do
	mkdir -p "$dir/p$shard"
	n=0
	while IFS= read -r p; do
		n=$((n + 1))
		# the last run of shard 2 never ran; its first failed and then ran
		if [ "$shard" = 2 ] && [ -z "$missing_key" ] && [ "$n" -eq 1 ]; then
			fake_run "$dir/s$shard.db" "$p" node-2 failed fail_reason="the guest hung" >/dev/null
		fi
		if [ "$shard" = 2 ] && [ "$n" -eq "$(find "$dir/p$shard" -name "*.point" | wc -l)" ]; then
			missing_key=$(sed -n 's/^point_key = //p' "$p")
			continue
		fi
		fake_run "$dir/s$shard.db" "$p" "node-$shard$([ "$shard" = 2 ] && echo -slow)" "done" >/dev/null
	done < <("$bin/experiments/tb-sweep" expand "$dir/tiny.sweep" --dir "$dir/p$shard" --shard "$shard/2")
done
# a table and a column a later schema adds come along (created in OUT and
# the inputs alike, as their migration would)
"$tbdb" init "$dir/merged.db"
for db in "$dir/merged.db" "$dir/s1.db" "$dir/s2.db"; do
	sqlite3 "$db" "CREATE TABLE future_rows (run_id INTEGER NOT NULL, v INTEGER); ALTER TABLE frames_sent ADD COLUMN clock_offset_ns INTEGER"
done
sqlite3 "$dir/s1.db" "INSERT INTO future_rows SELECT id, 7 FROM runs; UPDATE frames_sent SET clock_offset_ns = 42"
in_runs=$(($(count "$dir/s1.db" "SELECT count(*) FROM runs") + $(count "$dir/s2.db" "SELECT count(*) FROM runs")))
expect "the inputs hold 10 runs (9 done, 1 failed)" "$in_runs" 10

# resuming shard 2 runs only its missing point
rc=$(run_rc "$dir/x" "$root/testbed" sweep "$dir/tiny.sweep" --shard 2/2 --dry-run --db "$dir/s2.db")
expect "resumed shard: dry run succeeds" "$rc" 0
expect "resumed shard: only the missing run is listed" "$(grep -E '^(stock|nodrop-v2) ' "$dir/x" | awk '{ print $2 }')" "$missing_key"

rc=$(run_rc "$dir/m1" "$root/testbed" merge "$dir/merged.db" "$dir/s1.db" "$dir/s2.db")
expect "merge succeeds" "$rc" 0
expect "every run copied" "$(count "$dir/merged.db" "SELECT count(*) FROM runs")" "$in_runs"
expect "new ids, every run's frames under its own id" \
	"$(count "$dir/merged.db" "SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM frames_sent f WHERE f.run_id = r.id) = 3")" "$in_runs"
expect "counters remapped: a run's ring counter is its old id, not its new one, and counted once" \
	"$(count "$dir/merged.db" "SELECT count(*) FROM counters")" $((2 * in_runs))
expect "samples copied" "$(count "$dir/merged.db" "SELECT count(*) FROM samples")" $((4 * in_runs))
expect "a later table comes along" "$(count "$dir/merged.db" "SELECT count(*) FROM future_rows r JOIN runs u ON u.id = r.run_id")" \
	"$(count "$dir/s1.db" "SELECT count(*) FROM runs")"
expect "a later column comes along" "$(count "$dir/merged.db" "SELECT count(*) FROM frames_sent WHERE clock_offset_ns = 42")" \
	"$((3 * $(count "$dir/s1.db" "SELECT count(*) FROM runs")))"
# the merged rows of one point equal its shard's
key1=$(count "$dir/s1.db" "SELECT point_key FROM runs ORDER BY id LIMIT 1")
expect "a run's samples are its own" \
	"$(count "$dir/merged.db" "SELECT group_concat(value, ',') FROM (SELECT s.value FROM samples s JOIN runs r ON r.id = s.run_id WHERE r.point_key = '$key1' ORDER BY s.t_ns)")" \
	"$(count "$dir/s1.db" "SELECT group_concat(value, ',') FROM (SELECT s.value FROM samples s JOIN runs r ON r.id = s.run_id WHERE r.point_key = '$key1' ORDER BY s.t_ns)")"
check "merge lists the missing run and its shard" grep -qF "missing (shard 2/2): $missing_key" "$dir/m1"
check "merge counts what is done" grep -q "campaign tiny: 9 of 10 runs of .* done, 1 missing" "$dir/m1"
check "runs per host: node-1" grep -qE '^node-1 +[0-9]+ +[0-9]+ +[0-9]+ +6\.0 ' "$dir/m1"
check "runs per host: the slow node's setup time shows" grep -qE '^node-2-slow +[0-9]+ +[0-9]+ +[0-9]+ +11\.0 ' "$dir/m1"
check "the spread between hosts is stated" grep -q "spread of the per-host setup time: 6.0 to 11.0 s per run" "$dir/m1"
failed_point=$(count "$dir/s2.db" "SELECT point_key FROM runs WHERE status = 'failed'")
expect "the failed run is kept beside its point's done run" \
	"$(count "$dir/merged.db" "SELECT group_concat(status, ',') FROM (SELECT status FROM runs WHERE point_key = '$failed_point' ORDER BY status)")" "done,failed"
check "the done run counts: that point is not missing" test "$(grep -cF "$failed_point" "$dir/m1")" -eq 0

# merging again changes nothing
before=$(sqlite3 "$dir/merged.db" "SELECT count(*) || '/' || (SELECT count(*) FROM frames_sent) || '/' || (SELECT count(*) FROM samples) FROM runs")
rc=$(run_rc "$dir/m2" "$root/testbed" merge "$dir/merged.db" "$dir/s2.db" "$dir/s1.db")
expect "merging again succeeds" "$rc" 0
expect "merging again changes nothing" "$(sqlite3 "$dir/merged.db" "SELECT count(*) || '/' || (SELECT count(*) FROM frames_sent) || '/' || (SELECT count(*) FROM samples) FROM runs")" "$before"
check "and says so" grep -q "s1.db: 0 run(s) copied .* 4 already in OUT" "$dir/m2"

# --- what does not match is refused ----------------------------------------
# mismatch NAME SQL: a copy of shard 1 changed by SQL must not merge
mismatch() {
	local name=$1 sql=$2 want=$3
	cp "$dir/s1.db" "$dir/bad.db"
	sqlite3 "$dir/bad.db" "$sql"
	local b
	b=$(count "$dir/merged.db" "SELECT count(*) FROM runs")
	rc=$(run_rc "$dir/x" "$root/testbed" merge "$dir/merged.db" "$dir/bad.db")
	expect "$name: refused" "$rc" 1
	check "$name: the reason" grep -q "$want" "$dir/x"
	expect "$name: nothing written" "$(count "$dir/merged.db" "SELECT count(*) FROM runs")" "$b"
}
mismatch "another sweep file" "UPDATE runs SET env_json = json_set(env_json, '$.sweep_sha256', 'f00d'), point_key = point_key || 'x'" \
	"different sweep files"
mismatch "another patch" "UPDATE runs SET patch_hash = 'other', point_key = point_key || 'x'" "kernel stock: "
mismatch "another accel" "UPDATE runs SET accel = 'kvm', point_key = point_key || 'x'" "different accelerations"
mismatch "another CPU" "UPDATE runs SET env_json = json_set(env_json, '$.host_cpu_model', 'OtherCPU'), point_key = point_key || 'x'" \
	"different host CPU models"
cp "$dir/s1.db" "$dir/other.db"
sqlite3 "$dir/other.db" "UPDATE runs SET campaign = 'other'"
rc=$(run_rc "$dir/x" "$root/testbed" merge "$dir/m3.db" "$dir/s2.db" "$dir/other.db")
expect "two campaigns: refused" "$rc" 1
check "two campaigns: named" grep -q "different campaigns" "$dir/x"
rc=$(run_rc "$dir/x" "$root/testbed" merge "$dir/m3.db" "$dir/s2.db" "$dir/other.db" --force)
expect "--force merges all the same" "$rc" 0
expect "--force: every run copied" "$(count "$dir/m3.db" "SELECT count(*) FROM runs")" "$in_runs"
printf '[sweep]\nname = tiny\nrepetitions = 3\n[matrix]\nring = 25\n' >"$dir/tiny-v2.sweep"
rc=$(run_rc "$dir/x" "$root/testbed" merge "$dir/m4.db" "$dir/s1.db" --sweep "$dir/tiny-v2.sweep")
expect "a changed sweep file: refused" "$rc" 1
check "a changed sweep file: its hash named" grep -q "another version of the sweep file" "$dir/x"
rc=$(run_rc "$dir/x" "$root/testbed" merge "$dir/m4.db")
expect "merge without inputs: usage error" "$rc" 2
rc=$(run_rc "$dir/x" "$root/testbed" merge "$dir/m4.db" "$dir/none.db")
expect "a missing input: error" "$rc" 1

# --- one run from a robot's and an operator's database ---------------------
robot=$dir/robot.db operator=$dir/operator.db
sid=$("$tbdb" run-new "$robot" kind=video campaign=field ring=25 status=done --env side=robot)
wid=$("$tbdb" run-new "$robot" kind=watch campaign=field status=done --env side=watch)
rid=$("$tbdb" run-new "$operator" kind=video campaign=field status=done clip=720p30 --env side=operator)
sqlite3 "$robot" "INSERT INTO frames_sent(run_id, frame_no) VALUES ($sid, 0), ($sid, 1);
	INSERT INTO samples(run_id, t_ns, name, value) VALUES ($wid, 1, 'queue', 3), ($wid, 2, 'queue', 4), ($wid, 3, 'queue', 5)"
sqlite3 "$operator" "INSERT INTO frames_recv(run_id, frame_no) VALUES ($rid, 0);
	INSERT INTO packets(run_id, ext_seq, status) VALUES ($rid, 1, 0), ($rid, 2, 0)"
one=$("$tbdb" import "$dir/field.db" --robot "$robot" --operator "$operator")
expect "import: one run" "$(count "$dir/field.db" "SELECT count(*) FROM runs")" 1
expect "import: the robot's frames on it" "$(count "$dir/field.db" "SELECT count(*) FROM frames_sent WHERE run_id = $one")" 2
expect "import: the watch's samples on it" "$(count "$dir/field.db" "SELECT count(*) FROM samples WHERE run_id = $one")" 3
expect "import: the operator's frames on it" "$(count "$dir/field.db" "SELECT count(*) FROM frames_recv WHERE run_id = $one")" 1
expect "import: the operator's packets on it" "$(count "$dir/field.db" "SELECT count(*) FROM packets WHERE run_id = $one")" 2
expect "import: the robot's settings, the operator's where the robot has none" \
	"$(count "$dir/field.db" "SELECT ring || ' ' || clip || ' ' || kind FROM runs")" "25 720p30 video"
expect "import: each side's environment" \
	"$(count "$dir/field.db" "SELECT json_extract(env_json, '$.side') || json_extract(env_json, '$.operator.side') || json_extract(env_json, '$.watch.side') FROM runs")" \
	"robotoperatorwatch"
# tb-watch's own database instead of a run in the robot's
sqlite3 "$robot" "DELETE FROM samples WHERE run_id = $wid; DELETE FROM runs WHERE id = $wid"
wid=$("$tbdb" run-new "$dir/watch.db" kind=watch status=done --env side=watch)
sqlite3 "$dir/watch.db" "INSERT INTO samples(run_id, t_ns, name, value) VALUES ($wid, 1, 'queue', 3), ($wid, 2, 'queue', 4)"
one=$("$tbdb" import "$dir/field3.db" --robot "$robot" --operator "$operator" --watch "$dir/watch.db")
expect "import --watch: the watch's samples on the one run" "$(count "$dir/field3.db" "SELECT count(*) FROM samples WHERE run_id = $one")" 2
expect "import --watch: its environment" "$(count "$dir/field3.db" "SELECT json_extract(env_json, '$.watch.side') FROM runs")" watch
"$tbdb" run-new "$operator" kind=video >/dev/null
rc=$(run_rc "$dir/x" "$tbdb" import "$dir/field2.db" --robot "$robot" --operator "$operator")
expect "import: two operator runs are refused" "$rc" 1
check "import: it says why" grep -q "holds 2 run" "$dir/x"
rc=$(run_rc "$dir/x" "$tbdb" import "$dir/field2.db" --robot "$robot")
expect "import: --robot alone is a usage error" "$rc" 2

tb_summary
