# shellcheck shell=bash
# Starting and reading the per-run sampler (experiments/sampler-loop.sh).

# sampler_start OUT NS DEV VPN_PID: sample in NS every second; sets SAMPLER_PID.
sampler_start() {
	ip netns exec "$2" bash "$TB_ROOT/experiments/sampler-loop.sh" "$1" "$3" "${4:-0}" 1 &
	SAMPLER_PID=$!
}

sampler_stop() {
	kill "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
}
