#!/usr/bin/env bash
# Time series of one run, sampled every INTERVAL seconds until killed; run
# inside the robot's namespace so /sys and tc see its tun. Prints lines
# "T_NS NAME VALUE UNIT" (the samples table's columns): rates and levels over
# each interval, T_NS the interval's end. Only builtins but one tc per
# sample: every program started in the TCG guest costs real CPU, which this
# sampler is there to measure.
#
# CPU, for the validity rule (lib/validity.c): the mean over all vCPUs
# (cpu_busy_pct), the busiest vCPU (cpu_max_busy_pct), the highest softirq
# share of one vCPU (softirq_max_pct: netem, veth and the stack run there),
# and per process on the data path (proc_cpu_pct.ROLE, % of one core) for
# every "ROLE PID" line of PIDS_FILE, which the run driver appends to as it
# starts each process.
set -euo pipefail
out=${1:?usage: sampler-loop.sh OUT DEV PIDS_FILE INTERVAL}
dev=${2:?} pids_file=${3:?} interval=${4:?}
hz=100 # USER_HZ: the unit of /proc/stat and /proc/PID/stat times on Linux
stat=/sys/class/net/$dev/statistics

# cpu_ticks: busy[name], total[name], softirq[name] for "cpu" and each "cpuN".
declare -A busy=() total=() softirq=() busy0=() total0=() softirq0=()
cpu_ticks() {
	local name user nice system idle iowait irq soft steal _
	while read -r name user nice system idle iowait irq soft steal _; do
		[[ $name == cpu* ]] || break
		busy[$name]=$((user + nice + system + irq + soft + steal))
		total[$name]=$((busy[$name] + idle + iowait))
		softirq[$name]=$soft
	done </proc/stat
}
# proc_ticks: ticks[ROLE] = utime + stime of each process in PIDS_FILE
# (absent once it has exited), started[ROLE] its start in ticks since boot.
declare -A ticks=() ticks0=() started=()
proc_ticks() {
	local role pid f a
	ticks=() started=()
	[ -r "$pids_file" ] || return 0
	while read -r role pid; do
		[ -r "/proc/$pid/stat" ] || continue
		read -r f <"/proc/$pid/stat" || continue
		f=${f##*) } # the fields after the command name, from field 3 on
		read -r -a a <<<"$f"
		ticks[$role]=$((a[11] + a[12])) started[$role]=${a[19]}
	done <"$pids_file"
}
now_ns() { local t=$EPOCHREALTIME; t_ns=${t/./}000; }
pct() { printf '%d.%d' $(($1 / 10)) $(($1 % 10)); } # tenths -> "12.3"
save() {
	local k
	busy0=() total0=() softirq0=() ticks0=()
	for k in "${!busy[@]}"; do busy0[$k]=${busy[$k]} total0[$k]=${total[$k]} softirq0[$k]=${softirq[$k]}; done
	for k in "${!ticks[@]}"; do ticks0[$k]=${ticks[$k]}; done
	bytes0=$bytes drop0=$drop t0=$t_ns
}

cpu_ticks
proc_ticks
read -r bytes <"$stat/tx_bytes"
read -r drop <"$stat/tx_dropped"
now_ns
save
: >"$out"
while sleep "$interval"; do
	cpu_ticks
	proc_ticks
	read -r bytes <"$stat/tx_bytes"
	read -r drop <"$stat/tx_dropped"
	read -r uptime _ </proc/uptime
	now_ns
	dt_us=$(((t_ns - t0) / 1000))
	if [ "$dt_us" -le 0 ] || [ "${total[cpu]}" -le "${total0[cpu]}" ]; then continue; fi
	backlog=$(tc -s qdisc show dev "$dev")
	bb='' bp=''
	if [[ $backlog =~ backlog\ ([0-9]+)b\ ([0-9]+)p ]]; then bb=${BASH_REMATCH[1]} bp=${BASH_REMATCH[2]}; fi
	max_busy=0 max_soft=0
	for c in "${!total[@]}"; do
		if [ "$c" = cpu ] || [ -z "${total0[$c]:-}" ] || [ "${total[$c]}" -le "${total0[$c]}" ]; then continue; fi
		b=$((1000 * (busy[$c] - busy0[$c]) / (total[$c] - total0[$c])))
		s=$((1000 * (softirq[$c] - softirq0[$c]) / (total[$c] - total0[$c])))
		if [ "$b" -gt "$max_busy" ]; then max_busy=$b; fi
		if [ "$s" -gt "$max_soft" ]; then max_soft=$s; fi
	done
	{
		echo "$t_ns cpu_busy_pct $(pct $((1000 * (busy[cpu] - busy0[cpu]) / (total[cpu] - total0[cpu])))) %"
		echo "$t_ns cpu_max_busy_pct $(pct "$max_busy") %"
		echo "$t_ns softirq_max_pct $(pct "$max_soft") %"
		for role in "${!ticks[@]}"; do
			if [ -n "${ticks0[$role]:-}" ]; then
				echo "$t_ns proc_cpu_pct.$role $(pct $((1000 * 1000000 * (ticks[$role] - ticks0[$role]) / hz / dt_us))) %"
				continue
			fi
			# Seen for the first time: its mean over its life so far. A
			# sender of a short run may be seen only once before it exits
			# (a sample takes well over a second under TCG); without this
			# it would have no sample and the run's validity be unknown.
			# /proc/uptime is in hundredths of a second, as the ticks are.
			age=$((10#${uptime/./} - started[$role]))
			[ "$age" -le 0 ] || echo "$t_ns proc_cpu_pct.$role $(pct $((1000 * (ticks[$role]) / age))) %"
		done
		# bits per microsecond = Mbit/s; in thousandths
		echo "$t_ns tun_read_mbit_s $(((bytes - bytes0) * 8 / dt_us)).$(printf '%03d' $(((bytes - bytes0) * 8000 / dt_us % 1000))) Mbit/s"
		echo "$t_ns ring_drops $((drop - drop0)) pkts"
		if [ -n "$bb" ]; then
			echo "$t_ns qdisc_backlog_bytes $bb B"
			echo "$t_ns qdisc_backlog_pkts $bp pkts"
		fi
	} >>"$out"
	save
done
