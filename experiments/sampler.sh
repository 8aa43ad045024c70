# shellcheck shell=bash
# Starting and reading the per-run sampler (experiments/sampler-loop.sh).

# sampler_start OUT NS DEV VPN_PID: sample in NS every 0.5 s; sets SAMPLER_PID.
sampler_start() {
	ip netns exec "$2" bash "$TB_ROOT/experiments/sampler-loop.sh" "$1" "$3" "${4:-0}" 0.5 &
	SAMPLER_PID=$!
}

sampler_stop() {
	kill "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
}

# sampler_summary FILE: "MEAN_CPU_BUSY_PCT MEAN_VPN_CPU_PCT" over the run.
sampler_summary() {
	awk '$2 == "cpu_busy_pct" { c += $3; nc++ } $2 == "vpn_cpu_pct" { v += $3; nv++ }
		END { printf "%.1f %.1f\n", nc ? c / nc : 0, nv ? v / nv : 0 }' "$1"
}
