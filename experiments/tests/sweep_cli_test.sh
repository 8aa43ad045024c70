#!/usr/bin/env bash
# ./testbed sweep and run refuse bad configuration before anything boots,
# with the file, line and reason; --dry-run lists what would run.
set -euo pipefail
root=${1:?usage: sweep_cli_test.sh REPO_ROOT}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
run_rc() { # run_rc OUTFILE CMD...: run, capture stdout+stderr, print the status
	local f=$1
	shift
	exit_status "$f" "$f" "$@"
}

printf '[matrix]\nkernel = stock, nodrop-v9\n' >"$dir/bad-kernel.sweep"
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/bad-kernel.sweep" --db "$dir/x.db")
check "unknown variant fails" test "$rc" -eq 1
check "unknown variant: file and line named" grep -q "bad-kernel.sweep:2: unknown kernel variant 'nodrop-v9'" "$dir/out"
check "nothing booted" test "$(grep -c 'booting' "$dir/out")" -eq 0

printf '[matrix]\nprofile = atlantis\n' >"$dir/bad-profile.sweep"
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/bad-profile.sweep" --db "$dir/x.db")
check "unknown profile fails" test "$rc" -eq 1
check "unknown profile named" grep -q "unknown netem profile 'atlantis'" "$dir/out"

printf '[sweep]\nrepetitions = lots\n' >"$dir/bad-reps.sweep"
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/bad-reps.sweep" --db "$dir/x.db")
check "malformed value fails" test "$rc" -eq 1
check "malformed value explained" grep -q "bad-reps.sweep:2: repetitions must be in 1..1000" "$dir/out"

rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/none.sweep")
check "missing file fails" test "$rc" -eq 1
rc=$(run_rc "$dir/out" "$root/testbed" sweep --frobnicate)
check "bad option exits 2" test "$rc" -eq 2
# ./testbed run: a bad option value is a usage error (exit 2) that names
# the option, not a line of a generated file.
rc=$(run_rc "$dir/out" "$root/testbed" run --ring 0 --db "$dir/x.db")
check "run: out-of-range ring exits 2" test "$rc" -eq 2
check "run: ring explained" grep -q "run: --ring: ring must be a whole number of packets in 1..100000" "$dir/out"
rc=$(run_rc "$dir/out" "$root/testbed" run --qdisc "pfifo limt 5" --db "$dir/x.db")
check "run: bad qdisc exits 2" test "$rc" -eq 2
check "run: bad qdisc explained" grep -q "run: --qdisc: qdisc pfifo has no parameter 'limt'" "$dir/out"
rc=$(run_rc "$dir/out" "$root/testbed" run --kernel nope --db "$dir/x.db")
check "run: unknown kernel exits 2" test "$rc" -eq 2
check "run: unknown kernel names --kernel" grep -q "run: --kernel: unknown kernel variant 'nope'" "$dir/out"
check "run: no generated file named" test "$(grep -c '\.sweep:' "$dir/out")" -eq 0
rc=$(run_rc "$dir/out" "$root/testbed" run --dump-frames "35 45" --db "$dir/x.db" --decode maybe)
check "run: bad decode exits 2" test "$rc" -eq 2
check "run: bad decode explained" grep -q "run: --decode: decode must be on" "$dir/out"
rc=$(run_rc "$dir/out" "$root/testbed" run --cameras 9 --db "$dir/x.db")
check "run: too many cameras exits 2" test "$rc" -eq 2
check "run: cameras explained" grep -q "run: --cameras: cameras must be a whole number of video streams in 1..8, got '9'" "$dir/out"
rc=$(run_rc "$dir/out" "$root/testbed" run --duration 0 --db "$dir/x.db")
check "run: bad duration exits 2" test "$rc" -eq 2
rc=$(run_rc "$dir/out" "$root/testbed" run --colour red)
check "run: unknown option exits 2" test "$rc" -eq 2

rc=$(run_rc "$dir/out" "$root/testbed" sweep "$root/experiments/sweeps/ci-quick.sweep" --db "$dir/ci.db" --dry-run)
check "dry run succeeds" test "$rc" -eq 0
check "dry run lists 15 runs" test "$(grep -c '^stock\|^nodrop-v2\|^nodrop-qdisc\|^backpressure' "$dir/out")" -eq 15
check "dry run reports what is to do" grep -q "0 of 15 runs already in" "$dir/out"
check "dry run, module path (the default): one boot for all kernels, in the file's order" \
	grep -qx "boots (by-kernel, module path): 1 for stock nodrop-v2 nodrop-qdisc backpressure" "$dir/out"
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$root/experiments/sweeps/ci-quick.sweep" --db "$dir/ci.db" --dry-run --from-source)
check "dry run --from-source succeeds" test "$rc" -eq 0
check "dry run --from-source: one boot per kernel, in the file's order" \
	grep -qx "boots (by-kernel, from source): stock nodrop-v2 nodrop-qdisc backpressure" "$dir/out"
# order = interleaved: the kernels alternate, a boot per kernel and repetition
printf '[sweep]\nname = inter\nrepetitions = 3\norder = interleaved\n[matrix]\nkernel = stock, nodrop-v2\nprofile = lan\ntraffic = tcp\n' >"$dir/inter.sweep"
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/inter.sweep" --db "$dir/inter.db" --dry-run --from-source)
check "interleaved: dry run succeeds" test "$rc" -eq 0
check "interleaved: boots alternate the kernels repetition by repetition" \
	grep -qx "boots (interleaved, from source): stock@1 nodrop-v2@1 stock@2 nodrop-v2@2 stock@3 nodrop-v2@3" "$dir/out"
check "interleaved: the time estimate says so" grep -q "one per kernel and repetition" "$dir/out"
printf '[sweep]\norder = sideways\n[matrix]\nring = 25\n' >"$dir/bad-order.sweep"
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/bad-order.sweep" --dry-run)
check "a bad order fails like any bad file (exit 1)" test "$rc" -eq 1
check "and says where and what it must be" grep -q "bad-order.sweep:2: order must be by-kernel or interleaved, got 'sideways'" "$dir/out"

# Rings in units of the BDP: resolved from --capacity (21.75 Mbit/s at
# lab-rtt-120: 21.75e6 * 0.120 / 12000 = 217.5 packets; 0.27 of it = 58.7 ->
# 59), refused without a capacity, and refused by run.
printf '[sweep]\nname = bdp\n[matrix]\nring = 0.27bdp, 500\nprofile = lab-rtt-120\ntraffic = tcp\n' >"$dir/bdp.sweep"
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/bdp.sweep" --db "$dir/bdp.db" --dry-run --capacity openvpn=21.75)
check "bdp: dry run succeeds" test "$rc" -eq 0
check "bdp: the resolution shown" grep -q "ring 0.27bdp: openvpn at lab-rtt-120 -> 59 packets (BDP 217.5)" "$dir/out"
check "bdp: the runs have rings 59 and 500" test "$(grep -c 'ring=59;\|ring=500;' "$dir/out")" -eq 2
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/bdp.sweep" --db "$dir/bdp.db" --dry-run)
check "bdp without a capacity: exit 1" test "$rc" -eq 1
check "bdp without a capacity: says what to do" grep -q "bdp.sweep:4: rings in units of the bandwidth-delay product need openvpn's capacity" "$dir/out"
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/bdp.sweep" --capacity openvpn=fast --dry-run)
check "bdp: a bad --capacity exits 2" test "$rc" -eq 2
rc=$(run_rc "$dir/out" "$root/testbed" run --ring 0.27bdp --db "$dir/x.db")
check "run: a ring in BDP units exits 2" test "$rc" -eq 2
check "run: and says it is for sweeps" grep -q "rings in units of the BDP or the paper's lab packets (0.27bdp) are for sweep files" "$dir/out"

# Rings in the paper's lab packets: 500 x 33.6 / 416.9 (the paper's fastest
# OpenVPN point in tcp_vs_rtt_lab.csv) = 40.3 -> 40 at both RTTs.
printf '[sweep]\nname = lab\n[matrix]\nring = 500lab\nprofile = lab-rtt-10, lab-rtt-120\ntraffic = tcp\n' >"$dir/lab.sweep"
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/lab.sweep" --db "$dir/lab.db" --dry-run --capacity openvpn=33.6)
check "lab: dry run succeeds" test "$rc" -eq 0
check "lab: the resolution shown" grep -q "ring 500lab: openvpn at lab-rtt-10 -> 40 packets (scale 0.08059 of the paper's lab)" "$dir/out"
expect "lab: both runs at ring 40" "$(grep -c 'ring=40;.*profile=lab-rtt-1[02]*;' "$dir/out")" 2
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/lab.sweep" --db "$dir/lab.db" --dry-run)
check "lab without a capacity: exit 1" test "$rc" -eq 1
check "lab without a capacity: says what to do" grep -q "lab.sweep:4: rings in the paper's lab packets need openvpn's capacity" "$dir/out"
rc=$(run_rc "$dir/out" "$root/testbed" run --ring 500lab --db "$dir/x.db")
check "run: a ring in lab packets exits 2" test "$rc" -eq 2

# A host sweep killed outright leaves finished runs in its boot directory:
# the next start merges them (and a dry run leaves them alone). One point,
# finished in a "killed" boot: nothing is left to do, nothing boots.
printf '[sweep]\nname = killed\nduration = 5s\n[matrix]\nring = 25\n' >"$dir/killed.sweep"
tbdb=${TB_BUILD:-$root/build}/lib/tb-db
point_file=$("${TB_BUILD:-$root/build}/experiments/tb-sweep" expand "$dir/killed.sweep" --dir "$dir")
key=$(sed -n 's/^point_key = //p' "$point_file")
export TB_CACHE=$dir/cache
mkdir -p "$TB_CACHE/sweeps/killed/boot-stock-x/runs"
id=$("$tbdb" run-new "$TB_CACHE/sweeps/killed/boot-stock-x/runs/0.db" campaign=killed point_key="$key" kind=video ring=25)
"$tbdb" run-set "$TB_CACHE/sweeps/killed/boot-stock-x/runs/0.db" "$id" status=done valid=1
# A second boot directory holds a run of the same point for another
# database (boot.db names it): it is not merged into killed.db.
mkdir -p "$TB_CACHE/sweeps/killed/boot-stock-y/runs"
echo "$dir/other.db" >"$TB_CACHE/sweeps/killed/boot-stock-y/boot.db"
id=$("$tbdb" run-new "$TB_CACHE/sweeps/killed/boot-stock-y/runs/0.db" campaign=killed point_key="$key" kind=video ring=25)
"$tbdb" run-set "$TB_CACHE/sweeps/killed/boot-stock-y/runs/0.db" "$id" status=done valid=1
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/killed.sweep" --db "$dir/killed.db" --dry-run)
check "dry run: the leftover run is not merged" grep -q "0 of 1 runs already in" "$dir/out"
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/killed.sweep" --db "$dir/killed.db")
check "leftover run merged, nothing to do" test "$rc" -eq 0
check "it says so" grep -q "1 of 1 runs already in" "$dir/out"
check "nothing booted (leftover)" test "$(grep -c 'booting' "$dir/out")" -eq 0
check "the run is in the campaign database" test "$("$tbdb" query "$dir/killed.db" "SELECT count(*) FROM runs WHERE campaign='killed' AND status='done'")" -eq 1
check "the leftover file is marked merged" test -f "$TB_CACHE/sweeps/killed/boot-stock-x/runs/0.db.merged"
check "another database's leftover: not merged" test -f "$TB_CACHE/sweeps/killed/boot-stock-y/runs/0.db"
check "and it says whose they are" grep -q "finished runs of $dir/other.db left in .*boot-stock-y/: not merged into $dir/killed.db" "$dir/out"
check "one run in the campaign database, not two" test "$("$tbdb" query "$dir/killed.db" "SELECT count(*) FROM runs")" -eq 1
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/killed.sweep" --db "$dir/other.db")
check "its own database takes it" grep -q "1 of 1 runs already in $dir/other.db" "$dir/out"
check "nothing booted (its leftover)" test "$(grep -c 'booting' "$dir/out")" -eq 0
# A sweep of the same name running (its lock held): a dry run still works
# and leaves that sweep's point files alone; a second real run is refused.
mkdir -p "$TB_CACHE/sweeps/killed/points"
echo running >"$TB_CACHE/sweeps/killed/points/000000.point"
# the holder is one process (exec), so killing it frees the lock
(exec 7>"$TB_CACHE/sweeps/killed/.lock" && flock 7 && exec sleep 30) &
holder=$!
sleep 0.5
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/killed.sweep" --db "$dir/killed.db" --dry-run)
check "locked: a dry run works" test "$rc" -eq 0
check "locked: the running sweep's points untouched" test "$(cat "$TB_CACHE/sweeps/killed/points/000000.point")" = running
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/killed.sweep" --db "$dir/killed.db")
check "locked: a second sweep of the name exits 1" test "$rc" -eq 1
check "locked: and says why" grep -q "another sweep named 'killed' is running on this machine" "$dir/out"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true

# A full results disk: the merge stops the sweep with a clear error, and no
# half-written run lands (the import is one transaction; the leftover stays
# for the next start).
mkdir -p "$dir/small"
mount -t tmpfs -o size=512k tb-test-full "$dir/small"
trap 'umount "$dir/small" 2>/dev/null || true; rm -rf "$dir"' EXIT
"$tbdb" init "$dir/small/full.db"
mv "$TB_CACHE/sweeps/killed/boot-stock-x/runs/0.db.merged" "$TB_CACHE/sweeps/killed/boot-stock-x/runs/0.db"
# the leftover run carries 300 kB of samples: more than the disk has left
sqlite3 "$TB_CACHE/sweeps/killed/boot-stock-x/runs/0.db" \
	"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)
	 INSERT INTO samples(run_id, t_ns, name, value, unit) SELECT $id, i, 'filler_' || hex(randomblob(16)), i, '%' FROM n"
dd if=/dev/zero of="$dir/small/filler" bs=4k count=$(( $(df -k --output=avail "$dir/small" | tail -n1) / 4 - 8 )) 2>/dev/null
rc=$(run_rc "$dir/out" "$root/testbed" sweep "$dir/killed.sweep" --db "$dir/small/full.db")
check "full disk: the sweep stops" test "$rc" -eq 1
check "full disk: it says so" grep -q "cannot store the runs of .* in $dir/small/full.db: .*full" "$dir/out"
check "full disk: nothing booted" test "$(grep -c 'booting' "$dir/out")" -eq 0
expect "full disk: no half-written run" "$("$tbdb" query "$dir/small/full.db" "SELECT count(*) FROM runs")" 0
check "full disk: the leftover is kept for the next start" test -f "$TB_CACHE/sweeps/killed/boot-stock-x/runs/0.db"
umount "$dir/small"
unset TB_CACHE

tb_summary
