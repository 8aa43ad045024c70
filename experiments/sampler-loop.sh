#!/usr/bin/env bash
# Time series of one run, sampled every INTERVAL seconds until killed; run
# inside the robot's namespace so /sys and tc see its tun. Prints lines
# "T_NS NAME VALUE UNIT" (the samples table's columns). Only the first
# sample's counters are a baseline; every line after is a rate or a level.
set -euo pipefail
out=${1:?usage: sampler-loop.sh OUT DEV VPN_PID INTERVAL}
dev=${2:?} vpn_pid=${3:?} interval=${4:?}
hz=$(getconf CLK_TCK)
stat=/sys/class/net/$dev/statistics

cpu_ticks() { # busy total
	local _ user nice system idle iowait irq softirq steal
	read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
	echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
}
vpn_ticks() { # utime + stime of the VPN process, 0 once it is gone
	local f
	f=$(cat "/proc/$vpn_pid/stat" 2>/dev/null) || { echo 0; return; }
	f=${f##*) } # fields after the command name, starting at field 3
	read -r -a a <<<"$f"
	echo $((a[11] + a[12]))
}
now_ns() { local t=${EPOCHREALTIME/./}; echo "${t}000"; }

read -r busy0 total0 <<<"$(cpu_ticks)"
vpn0=$(vpn_ticks)
bytes0=$(cat "$stat/tx_bytes")
drop0=$(cat "$stat/tx_dropped")
t0=$(now_ns)
: >"$out"
while sleep "$interval"; do
	read -r busy total <<<"$(cpu_ticks)"
	vpn=$(vpn_ticks)
	bytes=$(cat "$stat/tx_bytes")
	drop=$(cat "$stat/tx_dropped")
	t=$(now_ns)
	dt_ns=$((t - t0))
	if [ "$dt_ns" -le 0 ] || [ "$total" -le "$total0" ]; then continue; fi
	backlog=$(tc -s qdisc show dev "$dev" | awk '/backlog/ { b = $2; p = $3; sub(/b$/, "", b); sub(/p$/, "", p); print b, p; exit }')
	{
		awk -v b=$((busy - busy0)) -v t=$((total - total0)) -v ts="$t" 'BEGIN { printf "%s cpu_busy_pct %.1f %%\n", ts, 100 * b / t }'
		awk -v v=$((vpn - vpn0)) -v hz="$hz" -v dt="$dt_ns" -v ts="$t" 'BEGIN { printf "%s vpn_cpu_pct %.1f %%\n", ts, 100 * v / hz / (dt / 1e9) }'
		awk -v by=$((bytes - bytes0)) -v dt="$dt_ns" -v ts="$t" 'BEGIN { printf "%s tun_read_mbit_s %.3f Mbit/s\n", ts, by * 8 / (dt / 1e9) / 1e6 }'
		echo "$t ring_drops $((drop - drop0)) pkts"
		if [ -n "$backlog" ]; then
			read -r bb bp <<<"$backlog"
			echo "$t qdisc_backlog_bytes ${bb:-0} B"
			echo "$t qdisc_backlog_pkts ${bp:-0} pkts"
		fi
	} >>"$out"
	busy0=$busy total0=$total vpn0=$vpn bytes0=$bytes drop0=$drop t0=$t
done
