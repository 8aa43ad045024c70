# shellcheck shell=bash
# Starting and reading the per-run sampler (experiments/sampler-loop.sh).

# sampler_start OUT NS DEV PIDS_FILE: sample in NS every second, the
# processes named in PIDS_FILE ("ROLE PID" lines) among the rest; sets
# SAMPLER_PID.
sampler_start() {
	ip netns exec "$2" bash "$TB_ROOT/experiments/sampler-loop.sh" "$1" "$3" "$4" 1 &
	SAMPLER_PID=$!
}

sampler_stop() {
	kill "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
}
