#!/usr/bin/env bash
# The per-run sampler (experiments/sampler-loop.sh) on the host's loopback:
# a busy loop listed from the start is measured near one core, a sleeping
# process near 0, and a busy process that starts after the first sample and
# exits before the next (a short run's sender, seen once) still
# gets a sample: its mean over its life, not nothing.
set -euo pipefail
root=${1:?usage: sampler_host_test.sh REPO_ROOT}
dir=$(mktemp -d)
pids=()
cleanup() {
	kill "${pids[@]}" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"

busy() { while :; do :; done; }
busy &
pids+=($!)
echo "busy $!" >"$dir/pids"
sleep 30 &
pids+=($!)
echo "idle $!" >>"$dir/pids"

bash "$root/experiments/sampler-loop.sh" "$dir/samples" lo "$dir/pids" 1 &
sampler=$!
pids+=("$sampler")
# Wait for the first sample, then start the late one and end it right after
# the next sample: exactly one sample sees it alive (it is listed 0.1 s
# before the count is read, and a sample reads the processes a few ms before
# it writes).
samples() { grep -c ' cpu_busy_pct ' "$dir/samples" || true; }
for _ in $(seq 100); do
	[ "$(samples)" -ge 1 ] && break
	sleep 0.1
done
busy &
late=$!
echo "late $late" >>"$dir/pids"
sleep 0.1
seen=$(samples)
for _ in $(seq 100); do
	[ "$(samples)" -gt "$seen" ] && break
	sleep 0.02
done
kill "$late"
sleep 2.5
kill "$sampler"
wait "$sampler" 2>/dev/null || true
cat "$dir/samples"

# max over a role's samples, in whole percent
most() { awk -v n="proc_cpu_pct.$1" '$2 == n && $3 > m { m = $3 } END { printf "%d", m }' "$dir/samples"; }
count() { awk -v n="proc_cpu_pct.$1" '$2 == n { c++ } END { print c + 0 }' "$dir/samples"; }
expect "the first sample came" "$([ -s "$dir/samples" ] && echo yes)" yes
expect "the busy loop: one core (at least 50 % in some sample)" "$([ "$(most busy)" -ge 50 ] && echo yes)" yes
expect "the sleeper: near 0 (at most 5 % in every sample)" "$([ "$(most idle)" -le 5 ] && echo yes)" yes
expect "the short-lived process has a sample" "$([ "$(count late)" -ge 1 ] && echo yes)" yes
expect "and it shows it busy (at least 30 %)" "$([ "$(most late)" -ge 30 ] && echo yes)" yes
expect "machine-wide CPU sampled" "$(grep -c ' cpu_busy_pct ' "$dir/samples" | awk '{print ($1 >= 2) ? "yes" : "no"}')" yes
tb_summary
