# shellcheck shell=bash
# Sourced by the scale-out VM tests: a tiny sweep, and the comparison of its
# sharded-and-merged database with the same sweep run serially.
#
# "The same validity" cannot mean the same numbers (repetitions of a run
# differ), so it means: the same point keys, every run done in both, each
# run's validity judged in both (valid not NULL), and as many valid runs in
# both. The shards ran on this one machine as the serial sweep did, so a
# run valid in one and invalid in the other is a real difference (e.g. the
# shard task was not given the cores it needed).

# shard_compare_sweep FILE: write the sweep (2 points, 5 s of video in the
# stock kernel, one repetition: a shard each)
shard_compare_sweep() {
	cat >"$1" <<'TXT'
[sweep]
name = tiny-scale-out
repetitions = 1
duration = 5s
[matrix]
kernel = stock
ring = 25, 500
profile = lan
traffic = video
TXT
}

# shard_compare SERIAL_DB MERGED_DB: the checks above (check/expect from
# tests/check.sh)
shard_compare() {
	local serial=$1 merged=$2 tbdb=${TB_BUILD:-$root/build}/lib/tb-db
	local c=tiny-scale-out
	keys() { "$tbdb" query "$1" "SELECT point_key || ' ' || status || ' ' || (valid IS NOT NULL) FROM runs WHERE campaign = '$c' ORDER BY point_key" | tr '\n' '|'; }
	expect "serial: both points done and judged" "$("$tbdb" query "$serial" "SELECT count(*) FROM runs WHERE campaign = '$c' AND status = 'done' AND valid IS NOT NULL")" 2
	expect "merged: the serial run's point keys, statuses and judged validity" "$(keys "$merged")" "$(keys "$serial")"
	expect "merged: as many valid runs as serial" \
		"$("$tbdb" query "$merged" "SELECT count(*) FROM runs WHERE campaign = '$c' AND valid = 1")" \
		"$("$tbdb" query "$serial" "SELECT count(*) FROM runs WHERE campaign = '$c' AND valid = 1")"
	expect "merged: each run's frames came along" \
		"$("$tbdb" query "$merged" "SELECT count(*) FROM runs r WHERE campaign = '$c' AND EXISTS (SELECT 1 FROM frames_sent f WHERE f.run_id = r.id)")" 2
}
