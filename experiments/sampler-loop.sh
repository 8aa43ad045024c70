#!/usr/bin/env bash
# Time series of one run, sampled every INTERVAL seconds until killed; run
# inside the robot's namespace so /sys and tc see its tun. Prints lines
# "T_NS NAME VALUE UNIT" (the samples table's columns): rates and levels over
# each interval. Only builtins but one tc per sample: every program started
# in the TCG guest costs real CPU, which this sampler is there to measure.
set -euo pipefail
out=${1:?usage: sampler-loop.sh OUT DEV VPN_PID INTERVAL}
dev=${2:?} vpn_pid=${3:?} interval=${4:?}
hz=100 # USER_HZ: the unit of /proc/stat and /proc/PID/stat times on Linux
stat=/sys/class/net/$dev/statistics

cpu_ticks() { # sets busy, total
	local _ user nice system idle iowait irq softirq steal
	read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
	busy=$((user + nice + system + irq + softirq + steal))
	total=$((busy + idle + iowait))
}
vpn_ticks() { # sets vpn: utime + stime of the VPN process, 0 once it is gone
	local f a
	vpn=0
	[ -r "/proc/$vpn_pid/stat" ] || return 0
	read -r f <"/proc/$vpn_pid/stat" || return 0
	f=${f##*) } # the fields after the command name, from field 3 on
	read -r -a a <<<"$f"
	vpn=$((a[11] + a[12]))
}
now_ns() { local t=$EPOCHREALTIME; t_ns=${t/./}000; }
pct() { printf '%d.%d' $(($1 / 10)) $(($1 % 10)); } # tenths -> "12.3"

cpu_ticks
busy0=$busy total0=$total
vpn_ticks
vpn0=$vpn
read -r bytes0 <"$stat/tx_bytes"
read -r drop0 <"$stat/tx_dropped"
now_ns
t0=$t_ns
: >"$out"
while sleep "$interval"; do
	cpu_ticks
	vpn_ticks
	read -r bytes <"$stat/tx_bytes"
	read -r drop <"$stat/tx_dropped"
	now_ns
	dt_us=$(((t_ns - t0) / 1000))
	if [ "$dt_us" -le 0 ] || [ "$total" -le "$total0" ]; then continue; fi
	backlog=$(tc -s qdisc show dev "$dev")
	bb='' bp=''
	if [[ $backlog =~ backlog\ ([0-9]+)b\ ([0-9]+)p ]]; then bb=${BASH_REMATCH[1]} bp=${BASH_REMATCH[2]}; fi
	{
		echo "$t_ns cpu_busy_pct $(pct $((1000 * (busy - busy0) / (total - total0)))) %"
		echo "$t_ns vpn_cpu_pct $(pct $((1000 * 1000000 * (vpn - vpn0) / hz / dt_us))) %"
		# bits per microsecond = Mbit/s; in thousandths
		echo "$t_ns tun_read_mbit_s $(((bytes - bytes0) * 8 / dt_us)).$(printf '%03d' $(((bytes - bytes0) * 8000 / dt_us % 1000))) Mbit/s"
		echo "$t_ns ring_drops $((drop - drop0)) pkts"
		if [ -n "$bb" ]; then
			echo "$t_ns qdisc_backlog_bytes $bb B"
			echo "$t_ns qdisc_backlog_pkts $bp pkts"
		fi
	} >>"$out"
	busy0=$busy total0=$total vpn0=$vpn bytes0=$bytes drop0=$drop t0=$t_ns
done
