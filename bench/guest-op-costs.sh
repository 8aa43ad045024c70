#!/usr/bin/env bash
# Benchmark: what the operations a sweep run is made of cost in the guest
# (TCG here), so that cuts to a run's overhead go where the time is. Boots
# the stock kernel (./testbed vm) and times, REPS times each: a fork, a
# small program, ip and tc in a namespace (directly with -n, and through
# 'ip netns exec'), a bash start that sources the run's libraries, tb-db
# creating a run row, copying a run database to the shared out directory
# (cp and mv, and tb-db publish).
# Prints per operation the mean and sd in milliseconds.
#   bench/guest-op-costs.sh [REPS]          (root; default 10)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
reps=${1:-10}
case "$reps" in '' | *[!0-9]* | 0) echo "usage: bench/guest-op-costs.sh [REPS] (a whole number > 0)" >&2; exit 2 ;; esac

if [ "${TB_VM:-}" != 1 ]; then
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
	exec "$root/testbed" vm --kernel stock --out "$out" -- bash "$here/guest-op-costs.sh" "$reps"
fi

build=${TB_BUILD:-$root/build}
ns=tbbench
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true; rm -f /tmp/tbbench.db*' EXIT
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add dev tbb0 mode tun
ip -n "$ns" link set tbb0 up
"$build/lib/tb-db" init /tmp/tbbench.db
sqlite3 /tmp/tbbench.db "CREATE TABLE pad(b BLOB); INSERT INTO pad VALUES (randomblob(2000000))"

# time_op NAME COMMAND...: REPS runs, one line "NAME mean sd ms"
time_op() {
	local name=$1 i t0 t1 d sum=0 sq=0
	shift
	for ((i = 0; i < reps; i++)); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1 || { echo "$name: failed: $*" >&2; return 1; }
		t1=$EPOCHREALTIME
		d=$(((10#${t1/./} - 10#${t0/./}) / 100)) # tenths of a ms
		sum=$((sum + d)) sq=$((sq + d * d))
	done
	awk -v n="$reps" -v s="$sum" -v q="$sq" -v name="$name" 'BEGIN {
		m = s / n; v = n > 1 ? (q - n * m * m) / (n - 1) : 0; if (v < 0) v = 0
		printf "%-44s %9.1f %8.1f\n", name, m / 10, sqrt(v) / 10 }'
}
fork() { local x; x=$(:); : "$x"; }
knob_read() { local line n=0; while IFS= read -r line; do n=$((n + ${#line})); done </proc/self/status; }
libs() { bash -c "source '$root/scripts/lib.sh'; source '$root/scenario/scenario-lib.sh'; source '$root/experiments/sweep-lib.sh'"; }
publish() { cp /tmp/tbbench.db "$TB_VM_OUT/bench.db.tmp" && mv "$TB_VM_OUT/bench.db.tmp" "$TB_VM_OUT/bench.db"; }
publish_tbdb() { "$build/lib/tb-db" publish /tmp/tbbench.db "$TB_VM_OUT/bench.db"; }
run_new() { "$build/lib/tb-db" run-new /tmp/tbbench.db kind=video ring=25 status=running; }
ip_batch() { printf 'link set dev tbb0 txqueuelen 25\nlink show dev tbb0\n' | ip -o -n "$ns" -batch -; }

printf '%-44s %9s %8s   (%s reps, accel %s)\n' operation mean_ms sd_ms "$reps" "${TB_ACCEL:-?}"
time_op 'fork: command substitution' fork
time_op 'bash builtins: read /proc/self/status' knob_read
time_op '/bin/true' /bin/true
time_op 'bash -c :' bash -c :
time_op 'bash sourcing the run libraries' libs
time_op 'ip -n NS link show' ip -n "$ns" link show dev tbb0
time_op 'ip -n NS -batch (set + show)' ip_batch
time_op 'ip netns exec NS true' ip netns exec "$ns" true
time_op 'tc -n NS qdisc show' tc -n "$ns" qdisc show dev tbb0
time_op 'tb-db run-new (runs row)' run_new
time_op 'sqlite3 query' sqlite3 /tmp/tbbench.db 'SELECT count(*) FROM runs'
time_op 'publish a 2 MB run db (cp + mv to 9p)' publish
time_op 'publish it with tb-db publish' publish_tbdb
time_op 'jq -n 1' jq -n 1
